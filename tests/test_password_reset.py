"""A forgotten password: a link by mail (read from a real SMTP server) that works once, within an hour, and an
answer that is the same whether or not the address has an account."""

import re
import time

from sqlalchemy import select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import page_text

NEW_PASSWORD = "a-fresh-start-at-the-helpdesk"


def ask_for_link(client, email: str):
    """Fill in "Forgot your password?" and send it; the page it leads to."""
    token = csrf_token_from(client.get("/forgot-password").get_data(as_text=True))
    return client.post("/forgot-password", data={"email": email, "csrf_token": token}, follow_redirects=True)


def link_in(message) -> str:
    """The reset link of a mail, as a path under the site."""
    found = re.search(r"http://localhost(/reset-password/\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def choose_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    """Open a reset link and set a password; the response."""
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def signs_in(app, email: str, password: str) -> bool:
    """Whether the sign-in form accepts this email and password (in a browser of its own)."""
    browser = app.test_client()
    token = csrf_token_from(browser.get("/login").get_data(as_text=True))
    response = browser.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return response.status_code == 302


def test_a_learner_resets_a_forgotten_password_from_the_mail(app, client, mailbox, make_user, login):
    learner = make_user(name="Dana Reyes")
    elsewhere = login(learner, target=app.test_client())  # signed in on another device
    assert "Forgot your password?" in page_text(client.get("/login"))

    asked = ask_for_link(client, learner["email"].upper())  # as people type it
    assert "If an account uses that address, we have sent it a link" in page_text(asked)
    (message,) = mailbox
    assert message["To"] == learner["email"] and "Choose a new password" in message["Subject"]
    assert "Hello Dana Reyes" in message.get_content() and "works once, within an hour" in message.get_content()
    path = link_in(message)

    form = client.get(path)
    assert form.status_code == 200 and learner["email"] in page_text(form)
    done = choose_password(client, path)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert signs_in(app, learner["email"], NEW_PASSWORD)
    assert not signs_in(app, learner["email"], learner["password"])
    assert elsewhere.get("/dashboard").status_code == 302  # the other device was signed out

    # The link works once.
    again = client.get(path)
    assert again.status_code == 400 and "This link has expired or was already used." in page_text(again)


def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_mail(app, client, mailbox, make_user):
    from lms.models import User

    known = make_user()
    inactive = make_user()
    with app.app_context():
        db.session.scalar(select(User).where(User.id == inactive["id"])).active = False
        db.session.commit()
    answers = [
        page_text(ask_for_link(client, email)) for email in (known["email"], "nobody@example.com", inactive["email"])
    ]
    assert answers[0] == answers[1] == answers[2]
    assert [message["To"] for message in mailbox] == [known["email"]]


def test_an_expired_link_and_a_forged_one_are_refused(app, client, mailbox, make_user, monkeypatch):
    from lms.auth.reset import reset_token
    from lms.models import User

    learner = make_user()
    with app.app_context():
        user = db.session.get_one(User, learner["id"])
        now = time.time()
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now - 3601)  # made an hour and a second ago
        old = reset_token(user)
        monkeypatch.undo()
    for path in (f"/reset-password/{old}", "/reset-password/not-a-token", f"/reset-password/{old[:-2]}xx"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "Ask for a new one" in page_text(response)
    assert signs_in(app, learner["email"], learner["password"])


def test_a_weak_or_mistyped_new_password_is_refused_and_the_link_still_works(app, client, mailbox, make_user):
    learner = make_user()
    ask_for_link(client, learner["email"])
    path = link_in(mailbox[0])
    weak = choose_password(client, path, "password")
    assert weak.status_code == 400 and "password" in page_text(weak).lower()
    differ = choose_password(client, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert differ.status_code == 400 and "The passwords differ." in page_text(differ)
    no_token = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert no_token.status_code == 400
    assert signs_in(app, learner["email"], learner["password"])  # nothing changed yet
    assert choose_password(client, path).status_code == 302
    assert signs_in(app, learner["email"], NEW_PASSWORD)


def test_without_a_mail_server_the_mail_is_written_to_the_outbox(app, client, make_user, tmp_path):
    """As `make run` does: the README names the folder."""
    from lms.mail import init_mail

    app.config.update(MAIL_BACKEND="file", MAIL_FILE_PATH=str(tmp_path / "outbox"))
    init_mail(app)
    learner = make_user()
    ask_for_link(client, learner["email"])
    (written,) = (tmp_path / "outbox").iterdir()
    text = written.read_text(encoding="utf-8")
    assert learner["email"] in text and "/reset-password/" in text
