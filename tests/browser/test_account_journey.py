"""A new visitor signs up, confirms their email from the mail the test SMTP server received, lands on the
dashboard, signs out and back in, in a real browser."""

import re

from playwright.sync_api import expect

PASSWORD = "a sturdy passphrase for testing"


def test_signup_logout_login_with_accessible_pages(page, live_server, mailbox, axe):
    base = live_server.url
    page.goto(f"{base}/")
    axe(page, "home")
    page.get_by_role("link", name="Create a free account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    axe(page, "sign-up")

    page.get_by_label("Your name").fill("Maya Santos")
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe(page, "check your email")

    (message,) = mailbox
    page.goto(re.search(r"(http://\S+/confirm-email/\S+)", message.get_content()).group(1))
    expect(page).to_have_url(f"{base}/dashboard")
    expect(page.get_by_text("Your email is confirmed").first).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, Maya Santos")).to_be_visible()
    axe(page, "dashboard")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/login")
    expect(page.get_by_text("You have signed out.").first).to_be_visible()
    axe(page, "sign-in")

    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Welcome, Maya Santos")).to_be_visible()


def test_wrong_password_shows_one_message_and_keyboard_reaches_the_form(page, live_server, make_user, axe):
    user = make_user(email="kim@example.com")
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_label("Password").press("Enter")
    expect(page.locator(".flash-error")).to_have_text("Invalid email or password.")  # the announcer repeats it
    axe(page, "failed sign-in")


def test_a_profile_form_sent_back_takes_the_learner_to_its_problems(page, live_server, make_user, axe):
    """The password form is far down the profile page: sent back with a problem, its summary takes the focus (so
    a screen reader reads it and the page shows it) and links to the field at fault."""
    from tests.browser.test_badge_journey import sign_in

    learner = make_user()
    sign_in(page, live_server.url, learner)
    page.goto(f"{live_server.url}/profile")
    page.locator("#current_password").fill(learner["password"])
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat new password").fill(PASSWORD + " but different")
    page.get_by_label("Repeat new password").press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link", name="Repeat new password: The passwords differ.").click()
    expect(page.get_by_label("Repeat new password")).to_be_focused()
    axe(page, "profile with a problem")


def test_a_table_that_scrolls_in_its_box_is_named_for_a_screen_reader(page, live_server, make_user, axe):
    """The box a wide table scrolls in takes the keyboard's focus; it is a region named after its table."""
    from tests.browser.test_badge_journey import sign_in

    sign_in(page, live_server.url, make_user())
    page.goto(f"{live_server.url}/profile/tokens/")
    page.get_by_label("Token name").fill("Nightly sync")
    page.get_by_role("button", name="Create token").click()
    box = page.get_by_role("region", name="Your tokens")
    expect(box).to_have_attribute("tabindex", "0")
    box.focus()
    expect(box).to_be_focused()
    axe(page, "tokens with a named table box")
