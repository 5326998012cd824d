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
    expect(page.get_by_text("Your password has been changed. Sign in with it now.")).to_be_visible()

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
    page.get_by_label("Name", exact=True).fill("Tomas Trainer")
    page.get_by_label("Email", exact=True).fill("tomas.trainer@example.com")
    page.get_by_label("Role", exact=True).select_option("trainer")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invited tomas.trainer@example.com as trainer")).to_be_visible()
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
