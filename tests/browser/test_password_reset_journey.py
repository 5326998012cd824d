"""A learner who forgot their password gets a link by mail (from the test SMTP server) and signs in again."""

import re

from playwright.sync_api import expect

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
