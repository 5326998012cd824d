"""Sign up, sign in, sign out, profile and the rules around them."""

import html
import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import User
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from
from tests.helpers import page_text


def signup(client, **fields):
    token = csrf_token_from(client.get("/signup").get_data(as_text=True))
    data = {
        "display_name": "Ana Reyes",
        "email": "ana@example.com",
        "password": DEFAULT_PASSWORD,
        "confirm": DEFAULT_PASSWORD,
        "csrf_token": token,
        **fields,
    }
    return client.post("/signup", data=data)


def count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_signup_sends_a_confirmation_link_that_signs_the_new_learner_in(client, app, mailbox):
    response = signup(client)
    assert response.status_code == 200 and "Check your email" in page_text(response)
    assert "ana@example.com" in page_text(response)
    assert client.get("/dashboard").status_code == 302  # not signed in yet
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    early = client.post("/login", data={"email": "ana@example.com", "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert early.status_code == 403 and "Confirm your email address first" in page_text(early)

    (message,) = mailbox
    assert message["To"] == "ana@example.com" and "Confirm your email" in message["Subject"]
    link = re.search(r"http://localhost(/confirm-email/\S+)", message.get_content()).group(1)
    confirmed = client.get(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Welcome, Ana Reyes" in page.get_data(as_text=True)
    assert app.test_client().get(link).status_code == 400  # the link works once
    with app.app_context():
        user = db.session.scalar(select(User))
        # Hashed with the configured method (scrypt outside the test suite: see test_app_factory).
        assert user.role == "learner" and user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
        assert DEFAULT_PASSWORD not in user.password_hash and user.email_confirmed_at is not None


def test_signup_ignores_a_role_field(client, app):
    signup(client, role="admin")
    with app.app_context():
        assert db.session.scalar(select(User.role)) == "learner"


def test_signup_refuses_short_long_and_common_passwords(client, app):
    for password, message in [("short1", "at least 8"), ("p" * 129, "at most 128"), ("password123", "too common")]:
        response = signup(client, password=password, confirm=password)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_long_passphrases_up_to_128_characters_work(client, app):
    phrase = "a long passphrase about call centers " * 3
    assert 64 <= len(phrase) <= 128
    assert "Check your email" in page_text(signup(client, password=phrase, confirm=phrase))


def test_signup_answers_the_same_for_a_taken_email_and_tells_its_owner(client, app, make_user, mailbox):
    owner = make_user(email="ana@example.com", name="Ana Owner")
    fresh = page_text(signup(app.test_client(), email="new.person@example.com"))
    taken = signup(client, email="  ANA@Example.com ", display_name="Someone Else")
    assert taken.status_code == 200
    assert page_text(taken).replace("ANA@Example.com", "new.person@example.com") == fresh
    assert count_users(app) == 2  # the owner and the new person; no second account for Ana's address
    to_owner = [m for m in mailbox if m["To"] == "ana@example.com"]
    assert len(to_owner) == 1 and "already have" in to_owner[0]["Subject"]
    assert "/forgot-password" in to_owner[0].get_content()
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.id == owner["id"])) == "Ana Owner"
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token}
    )
    assert signed_in.status_code == 302  # the owner's password still works


def test_login_same_message_for_unknown_email_and_wrong_password(client, make_user):
    user = make_user()
    answers = []
    for email, password in [("nobody@example.com", "whatever-it-is"), (user["email"], "wrong-password-x")]:
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 401
        # What the person reads (the form's CSRF token carries a timestamp, so the markup may differ by a second).
        answers.append(page_text(response).replace(email, ""))
    assert "Invalid email or password." in answers[0]
    assert answers[0] == answers[1]


def test_login_renews_the_session(client, make_user, login):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user['id']}:0"  # the user id and the session generation


def test_next_redirects_only_to_same_site_paths(client, make_user):
    user = make_user()
    cases = {
        "/profile": "/profile",
        "https://evil.example/": "/dashboard",
        "//evil.example/x": "/dashboard",
        "/\\evil.example": "/dashboard",
        "javascript:alert(1)": "/dashboard",
    }
    for target, expected in cases.items():
        client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))})
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user["email"], "password": user["password"], "csrf_token": token},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target


def test_logout_is_post_only_and_ends_the_session(client, make_user, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200
    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    signed_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    # Every session of the account ends (a shared computer), and the page says so.
    assert "Any other device or browser signed in to your account is signed out too." in signed_out.text
    assert client.get("/dashboard").status_code == 302


def test_profile_password_change(client, app, make_user, login):
    user = make_user()
    login(user)
    page = client.get("/profile")
    assert user["email"] in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    bad = client.post(
        "/profile",
        data={
            "current_password": "not-it-at-all",
            "password": "a new good passphrase",
            "confirm": "a new good passphrase",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 400 and "current password is not correct" in bad.get_data(as_text=True)
    good = client.post(
        "/profile",
        data={
            "current_password": user["password"],
            "password": "a new good passphrase",
            "confirm": "a new good passphrase",
            "csrf_token": token,
        },
    )
    assert good.status_code == 302
    with app.app_context():
        from lms.auth.services import authenticate

        assert authenticate(user["email"], "a new good passphrase") is not None
        assert authenticate(user["email"], user["password"]) is None


def test_deactivated_user_cannot_sign_in(app, make_user):
    user = make_user()
    with app.app_context():
        db.session.get(User, user["id"]).active = False
        db.session.commit()
        from lms.auth.services import authenticate

        assert authenticate(user["email"], user["password"]) is None


def test_cli_creates_an_admin(runner, app):
    result = runner.invoke(
        args=["users", "create", "--email", "boss@example.com", "--role", "admin", "--password", DEFAULT_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "boss@example.com")) == "admin"


def test_cli_refuses_weak_password_with_a_message(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "x@example.com", "--password", "123456"])
    assert result.exit_code != 0 and "too common" in result.output
    assert count_users(app) == 0


def session_cookie(client) -> str:
    """The value of the client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def sign_out(client):
    """Press "Sign out"."""
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def test_a_session_cookie_kept_from_before_sign_out_opens_nothing(app, client, make_user, login):
    login(make_user())
    stolen = session_cookie(client)
    sign_out(client)
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert replay.get("/profile").status_code == 302


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, client, make_user, login):
    user = make_user()
    other = login(user, app.test_client())
    login(user)
    page = client.get("/profile").get_data(as_text=True)
    new_password = "a brand new passphrase"
    response = client.post(
        "/profile",
        data={
            "csrf_token": csrf_token_from(page),
            "current_password": user["password"],
            "password": new_password,
            "confirm": new_password,
        },
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this browser stays signed in
    assert other.get("/dashboard").status_code == 302  # the other one is signed out


def test_a_deactivated_account_loses_its_open_session(app, client, make_user, login):
    user = make_user()
    login(user)
    with app.app_context():
        db.session.get(User, user["id"]).active = False
        db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_a_session_lasts_a_working_day_not_a_month(client, make_user, login):
    from datetime import UTC, datetime, timedelta

    page = client.get("/login").get_data(as_text=True)
    user = make_user()
    response = client.post(
        "/login", data={"email": user["email"], "password": user["password"], "csrf_token": csrf_token_from(page)}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    assert expires.replace(tzinfo=UTC) - datetime.now(UTC) <= timedelta(hours=12, minutes=1)


def test_guessing_the_current_password_on_the_profile_page_is_rate_limited(client, make_user, login):
    login(make_user())
    statuses = []
    for n in range(12):
        token = csrf_token_from(client.get("/profile").get_data(as_text=True))
        guess = {"csrf_token": token, "current_password": f"guess {n}", "password": "x" * 20, "confirm": "x" * 20}
        statuses.append(client.post("/profile", data=guess).status_code)
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaa", "too easy to guess"),
        ("abcdefgh", "too easy to guess"),
        ("BPO Academy", "the site's name"),
        ("\u200b" * 8, "characters you can see"),
        ("Ana Reyes", "your name"),
        ("ana.reyes.calls", "your email address"),
    ],
)
def test_signup_refuses_weak_and_personal_passwords(client, app, password, message):
    response = signup(client, password=password, confirm=password, email="ana.reyes.calls@example.com")
    assert response.status_code == 400 and message in html.unescape(response.get_data(as_text=True))
    assert count_users(app) == 0


@pytest.mark.parametrize("name", ["Ana\u202eseyeR", "\u200b\u200b\u200b", "Ana\u200dReyes", "Ana\u0007"])
def test_signup_refuses_names_with_invisible_or_control_characters(client, app, name):
    response = signup(client, display_name=name)
    assert response.status_code == 400
    assert "no invisible or control characters" in response.get_data(as_text=True) or "control character" in (
        response.get_data(as_text=True)
    )
    assert count_users(app) == 0


def test_sign_ups_from_one_address_are_rate_limited(app, app_config):
    from lms import create_app

    app = create_app({**app_config, "SIGNUP_RATE_LIMIT": "3 per hour"})
    statuses = [
        signup(app.test_client(), email=f"probe{n}@example.com", display_name=f"Probe {n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


NON_ASCII_ADDRESS = "ünï@example.com"
ADDRESS_MESSAGE = "Enter an email address such as name@example.com, with only unaccented letters"


def test_an_address_with_letters_mail_cannot_carry_is_refused_on_every_form_that_writes_to_it(
    app, client, make_user, login, mailbox
):
    """An accented letter before the @ needs a mail server that speaks SMTPUTF8: sign-up, the reset link, an
    email change and an admin's invitation each refuse it with the reason (a 400, nothing saved, nothing sent),
    where sign-up used to save the account and then fail with a 500 sending its link."""
    from lms.mail import send_mail

    users_before = count_users(app)
    refused = signup(client, email=NON_ASCII_ADDRESS)
    assert refused.status_code == 400 and ADDRESS_MESSAGE in page_text(refused)
    token = csrf_token_from(client.get("/forgot-password").get_data(as_text=True))
    refused = client.post("/forgot-password", data={"email": NON_ASCII_ADDRESS, "csrf_token": token})
    assert refused.status_code == 400 and ADDRESS_MESSAGE in page_text(refused)

    learner = make_user()
    login(learner)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    data = {"new_email": NON_ASCII_ADDRESS, "email_password": learner["password"], "csrf_token": token}
    refused = client.post("/profile/email", data=data)
    assert refused.status_code == 400 and ADDRESS_MESSAGE in page_text(refused)

    login(make_user("admin"))
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    data = {"email": NON_ASCII_ADDRESS, "display_name": "Ünï Ortiz", "role": "learner", "csrf_token": token}
    refused = client.post("/admin/users/new", data=data)
    assert refused.status_code == 400 and ADDRESS_MESSAGE in page_text(refused)

    assert count_users(app) == users_before + 2  # the learner and the admin made here, no one else
    assert mailbox == []
    with app.test_request_context():
        assert (
            send_mail(NON_ASCII_ADDRESS, "Hello", "An address saved before the check is skipped, not a 500.") is False
        )
