"""Passwords chosen from mailed links (read from the test SMTP server): a learner who forgot theirs, and a trainer
an admin invited."""

import re

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in

NEW_PASSWORD = "my-new-password-for-the-night-shift"


def test_a_learner_resets_a_forgotten_password_from_the_mail(page, live_server, make_user, mailbox, axe):
    base = live_server.url
    learner = make_user(name="Bea Santos", email="bea.santos@example.com")

    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    axe(page, "forgot password")
    page.get_by_label("Email").fill("bea.santos@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page).to_have_url(f"{base}/login")
    expect(page.get_by_text("If an account uses that address, we have sent it a link")).to_be_visible()

    (message,) = mailbox
    link = re.search(r"(http://\S+/reset-password/\S+)", message.get_content()).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    axe(page, "choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password has been changed. Sign in with it now.").first).to_be_visible()

    page.get_by_label("Email").fill(learner["email"])
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Welcome, Bea Santos")).to_be_visible()


def test_an_admin_invites_a_trainer_who_sets_their_password(page, browser, live_server, make_user, mailbox, axe):
    base = live_server.url
    admin = make_user("admin", name="Ada Admin")
    sign_in(page, base, admin)
    page.goto(f"{base}/admin/users")
    # The invitation's own form: the list's filters above it have a "Role" of their own.
    invite = page.locator("form", has=page.get_by_role("button", name="Send the invitation"))
    invite.get_by_label("Name", exact=True).fill("Tomas Trainer")
    invite.get_by_label("Email", exact=True).fill("tomas.trainer@example.com")
    invite.get_by_label("Role", exact=True).select_option("trainer")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invited tomas.trainer@example.com as trainer").first).to_be_visible()
    axe(page, "users with an invitation sent")

    (message,) = mailbox
    link = re.search(r"(http://\S+/welcome/\S+)", message.get_content()).group(1)
    invitee = browser.new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Choose your password")).to_be_visible()
    axe(invitee, "choose your password")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set my password").click()
    expect(invitee).to_have_url(f"{base}/dashboard")
    expect(invitee.get_by_role("heading", name="Welcome, Tomas Trainer")).to_be_visible()


def test_a_learner_changes_their_email_and_confirms_it(page, live_server, make_user, mailbox, axe):
    base = live_server.url
    learner = make_user(name="Carlo Diaz", email="carlo.old@example.com")
    sign_in(page, base, learner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    axe(page, "profile")
    page.get_by_label("New email address").fill("carlo.new@example.com")
    page.get_by_label("Current password").first.fill(learner["password"])
    page.get_by_role("button", name="Change email").click()
    expect(page.get_by_text("We sent a link to carlo.new@example.com")).to_be_visible()

    to_new = next(message for message in mailbox if message["To"] == "carlo.new@example.com")
    page.goto(re.search(r"(http://\S+/confirm-new-email/\S+)", to_new.get_content()).group(1))
    expect(page.get_by_text("Your email address is now carlo.new@example.com.").first).to_be_visible()
    expect(page.locator("dl.details")).to_contain_text("carlo.new@example.com")


def test_a_deactivated_user_cannot_sign_in_and_still_appears_in_the_reports(
    page, browser, live_server, app, make_user, axe
):
    from tests import test_badges_issuing as issuing

    base = live_server.url
    course = issuing.sync_course(app)
    learner = make_user(name="Gina Santos", email="gina@example.com")
    issuing.enrol_learner(app, learner["id"], course)
    admin = make_user("admin")
    sign_in(page, base, admin)
    page.goto(f"{base}/admin/users?q=gina")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Deactivate gina@example.com").click()
    expect(page.get_by_text("gina@example.com is deactivated").first).to_be_visible()
    assert asked == [
        "Deactivate gina@example.com? They are signed out everywhere and cannot sign in until an admin reactivates "
        "the account."
    ]
    axe(page, "users with a deactivated account")

    other = browser.new_context().new_page()
    other.goto(f"{base}/login")
    other.get_by_label("Email").fill(learner["email"])
    other.get_by_label("Password").fill(learner["password"])
    other.get_by_role("button", name="Sign in").click()
    expect(other.locator(".flash-error")).to_have_text("Invalid email or password.")  # the announcer repeats it

    page.goto(f"{base}/reports/courses/{course.slug}/learners")
    expect(page.get_by_role("link", name="Gina Santos")).to_be_visible()
