"""Session cookies verified once and CSRF tokens signed once per process (lms/signatures.py): what a person can do
with a session, and what an attacker cannot, is exactly as before."""

import re
import time
from datetime import timedelta

from tests.conftest import csrf_token_from


def session_cookie(app, client) -> str:
    """The `Cookie` header of the client's current session."""
    name = app.config["SESSION_COOKIE_NAME"]
    return f"{name}={client.get_cookie(name).value}"


def get(app, path: str, cookie: str):
    """A request that sends this cookie and keeps nothing it is given back."""
    return app.test_client(use_cookies=False).get(path, headers={"Cookie": cookie})


def flashes(response) -> list[str]:
    """The messages a page shows at its top."""
    return re.findall(r'<p class="flash flash-\w+">([^<]+)</p>', response.get_data(as_text=True))


def flipped(text: str) -> str:
    """The text with its second character changed (the last of a base64 string may carry ignored bits)."""
    return text[0] + ("A" if text[1] != "A" else "B") + text[2:]


def next_second() -> None:
    """Wait until the clock's second changes (signatures carry their time in whole seconds)."""
    now = int(time.time())
    while int(time.time()) == now:
        time.sleep(0.02)


def test_only_the_very_cookie_that_was_verified_is_taken_from_the_memo(app, client, make_user, login):
    login(make_user(), target=client)
    cookie = session_cookie(app, client)
    assert get(app, "/dashboard", cookie).status_code == 200
    assert cookie.split("=", 1)[1] in app.session_interface.verified

    name, value = cookie.split("=", 1)
    signed, _, signature = value.rpartition(".")
    for bad in (f"{name}={signed}.{flipped(signature)}", f"{name}={flipped(signed)}.{signature}"):
        response = get(app, "/dashboard", bad)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), bad
    assert get(app, "/dashboard", cookie).status_code == 200


def test_a_remembered_cookie_expires_with_the_session(app, client, make_user, login):
    login(make_user(), target=client)
    cookie = session_cookie(app, client)
    assert get(app, "/dashboard", cookie).status_code == 200  # verified, and remembered
    signed_at = app.session_interface.verified[cookie.split("=", 1)[1]][1]

    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=0)
    while int(time.time()) <= signed_at:  # the cookie is now older than the lifetime allows
        time.sleep(0.05)
    response = get(app, "/dashboard", cookie)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_what_one_request_adds_to_its_session_stays_out_of_the_next_one_with_the_same_cookie(
    app, client, make_user, login
):
    login(make_user(), target=client)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    assert client.post("/profile/name", data={"display_name": "First", "csrf_token": token}).status_code == 302
    cookie = session_cookie(app, client)  # holds the rename's message: a list, which a second message extends
    assert get(app, "/profile", cookie).status_code == 200  # verified, and remembered

    again = app.test_client(use_cookies=False).post(
        "/profile/name", data={"display_name": "Second", "csrf_token": token}, headers={"Cookie": cookie}
    )
    assert again.status_code == 302

    shown = flashes(get(app, "/dashboard", cookie))  # the cookie the second rename was sent with, not the one it set
    assert shown == ["Saved: your name is now First."], shown


def test_pages_of_one_session_carry_a_token_that_its_forms_accept(app, client, make_user, login):
    login(make_user(), target=client)
    first = csrf_token_from(client.get("/profile").get_data(as_text=True))
    next_second()  # a token signed afresh would now carry another timestamp
    second = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    assert first == second  # signed once, then remembered

    saved = client.post("/profile/name", data={"display_name": "New Name", "csrf_token": second})
    assert saved.status_code == 302
    other = app.test_client()
    login(make_user(), target=other)
    assert csrf_token_from(other.get("/profile").get_data(as_text=True)) != second
    refused = other.post("/profile/name", data={"display_name": "Not Mine", "csrf_token": second})
    assert refused.status_code == 400  # another session's token is refused, remembered or not


def test_tokens_with_a_time_limit_are_signed_afresh(app_config):
    from flask_wtf.csrf import generate_csrf

    from lms import create_app

    limited = create_app({**app_config, "WTF_CSRF_TIME_LIMIT": 3600})
    assert "lms_csrf_tokens" not in limited.extensions
    assert limited.jinja_env.globals["csrf_token"] is generate_csrf
