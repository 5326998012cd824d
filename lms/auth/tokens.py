"""Tokens for mailed links (password reset, invitation, sign-up and email-change confirmation): signed with the
app's secret under a purpose of their own, so a token made for one purpose opens nothing else, and stored
nowhere."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


def make_token(purpose: str, data: dict) -> str:
    """A URL-safe token carrying `data`, signed for `purpose` with the time it was made."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose).dumps(data)


def read_token(purpose: str, token: str, max_age: int) -> dict | None:
    """The data of a token made for `purpose` at most `max_age` seconds ago; None for any other token."""
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose).loads(token, max_age=max_age)
    except BadSignature:  # also an expired one
        return None
    return data if isinstance(data, dict) else None
