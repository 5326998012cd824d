"""Password rules and hashing."""

from functools import lru_cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
PRODUCTION_METHOD = "scrypt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset:
    """The 30,000 most common passwords from zxcvbn's list, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is not acceptable; an empty list when it is."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append("This password is too common and easy to guess. Choose another.")
    elif email and lowered == email.strip().lower():
        problems.append("Do not use your email address as your password.")
    return problems


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
