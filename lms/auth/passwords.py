"""Password rules and hashing."""

import unicodedata
from functools import lru_cache

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn's score from 0 to 4; below 2, a password falls to an online guessing run within days.
MIN_STRENGTH = 2
PRODUCTION_METHOD = "scrypt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset:
    """The 30,000 most common passwords from zxcvbn's list, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def squeezed(text: str) -> str:
    """Text compared loosely: lower case, without spaces, punctuation or invisible characters."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def visible_length(password: str) -> int:
    """How many characters of the password show: invisible ones (zero-width, bidi controls) and spaces don't."""
    return sum(1 for ch in password if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc"))


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Why a new password is not acceptable; an empty list when it is."""
    problems = []
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if visible_length(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters you can see.")
    if password.lower() in common_passwords():
        problems.append("This password is too common and easy to guess. Choose another.")
    if problems:
        return problems
    site = current_app.config.get("SITE_NAME", "") if has_app_context() else ""
    local_part = email.partition("@")[0]
    personal = {squeezed(text) for text in (email, local_part, name, site) if squeezed(text)}
    if squeezed(password) in personal:
        return ["Do not use your name, your email address or the site's name as your password."]
    from zxcvbn import zxcvbn  # 13 MB of word lists: loaded by the first password set, not by every worker

    # zxcvbn reads at most 72 characters; a passphrase that long is strong in its first 72 anyway.
    if zxcvbn(password[:72], user_inputs=[*personal, local_part, name, *site.split()])["score"] < MIN_STRENGTH:
        return ["This password is too easy to guess (a run, a repeat or a single word). Add more words."]
    return []


def hash_method() -> str:
    """The app's password hashing method: scrypt, except in the test suite."""
    return current_app.config.get("PASSWORD_HASH_METHOD", PRODUCTION_METHOD)


@lru_cache(maxsize=4)
def dummy_hash(method: str) -> str:
    """A constant hash to check against when the email is unknown, so both failures take the same time."""
    return generate_password_hash("not-a-real-password", method=method)


def hash_password(password: str) -> str:
    """Hash a password with the app's method (scrypt)."""
    return generate_password_hash(password, method=hash_method())


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash (or a dummy one, taking the same time)."""
    if password_hash is None:
        check_password_hash(dummy_hash(hash_method()), password)
        return False
    return check_password_hash(password_hash, password)
