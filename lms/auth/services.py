"""Account rules: registration, authentication, passwords and roles."""

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.access import ROLES
from lms.auth import throttle
from lms.auth.passwords import hash_password, password_problems, verify_password
from lms.db import begin_write, commit
from lms.events import UserRegistered, emit
from lms.extensions import db
from lms.models import User, audit, utcnow
from lms.security_log import security_event
from lms.services import ServiceError
from lms.user_search import index_user

ZWNJ, ZWJ = "\u200c", "\u200d"
VIRAMA = 9  # the canonical combining class of a virama (Devanagari, Malayalam, ...)
# Latin, Greek and Cyrillic letters need no joiner; between two of them one would only make a look-alike name.
NO_JOINER_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
EMOJI_TAILS = {"\ufe0e", "\ufe0f", *map(chr, range(0x1F3FB, 0x1F400))}  # variation selectors, skin tones


def joins_letters(char: str) -> bool:
    """Whether a zero-width (non-)joiner beside this character may belong to the spelling of a word: a letter or
    mark of a script that uses joiners (Arabic, Persian, the Indic scripts, ...)."""
    return unicodedata.category(char)[0] in "LM" and not unicodedata.name(char, "").startswith(NO_JOINER_SCRIPTS)


def spelled_joiner(name: str, at: int) -> bool:
    """Whether the ZWJ or ZWNJ at `at` is part of how the name is written (much as RFC 5892 allows them): after a
    virama, between two letters of a script that uses joiners (Persian's ZWNJ), or, a ZWJ, between two emoji
    (a sequence such as 👩‍💻)."""
    before = name[at - 1] if at else ""
    after = name[at + 1] if at + 1 < len(name) else ""
    if before and unicodedata.combining(before) == VIRAMA:
        return True
    if before and after and joins_letters(before) and joins_letters(after):
        return True
    if name[at] == ZWJ and after and unicodedata.category(after) == "So":
        head = name[:at].rstrip("".join(EMOJI_TAILS))
        return bool(head) and unicodedata.category(head[-1]) == "So"
    return False


def name_problems(name: str) -> list[str]:
    """Why a display name cannot be shown to others; [] when it can."""
    if not (name or "").strip():
        return ["Enter a name."]
    # Controls, bidi overrides and zero-width characters let a name hide or reorder what pages show around it;
    # the joiners some scripts and emoji are spelled with are taken where they join.
    for at, char in enumerate(name):
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            if char in (ZWNJ, ZWJ) and spelled_joiner(name, at):
                continue
            return ["Use letters, numbers, spaces and punctuation only: no invisible or control characters."]
    return []


def normalize_email(email: str) -> str:
    """Emails are compared without case or surrounding spaces."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    display_name: str,
    password: str,
    role: str = "learner",
    actor=None,
    confirmed: bool = True,
    invited: bool = False,
) -> User:
    """Create an account; refuses a taken email, a weak password or an unknown role. `confirmed=False` for a
    self-registration, which signs in once its owner follows the confirmation link; `invited=True` for an account
    whose owner is to choose its password from an invitation."""
    if role not in ROLES:
        raise ServiceError(f"Unknown role {role!r}.")
    problems = name_problems(display_name) + password_problems(password, email, display_name)
    if problems:
        raise ServiceError(" ".join(problems))
    begin_write()
    email = normalize_email(email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        db.session.rollback()
        raise ServiceError("An account with this email already exists.", 409)
    user = User(email=email, display_name=display_name.strip(), password_hash=hash_password(password), role=role)
    if invited:
        user.invited_at = utcnow()
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("An account with this email already exists.", 409) from None
    if not confirmed:  # after the INSERT, which gives a None the column's default
        user.email_confirmed_at = None
    index_user(user.id, user.email, user.display_name)
    if actor is not None:
        audit(actor, "user.create", f"user:{user.id}", role=role)
        security_event("user.create", actor=actor.id, target=f"user:{user.id}", role=role)
    emit(UserRegistered(user_id=user.id, role=role))
    commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer whatever was wrong)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok or not user.active:
        return None
    return user


def sign_in(email: str, password: str, address: str) -> User | None:
    """The user for these credentials, counting failures per account and address; 429 once there are too many."""
    email = normalize_email(email)
    if throttle.too_many_failures(email, address):
        security_event("sign_in.throttled", actor=email)
        raise ServiceError("Too many failed sign-ins for this account or from this address. Wait a few minutes.", 429)
    user = authenticate(email, password)
    if user is None:
        throttle.record_failure(email, address)
        security_event("sign_in.failed", actor=email)
    elif user.email_confirmed_at is None:  # told only to someone who knows the password
        raise ServiceError(
            "Confirm your email address first: follow the link we sent when you signed up. Lost it? Sign up "
            "again with the same address, or use “Forgot your password?”.",
            403,
        )
    else:
        security_event("sign_in", actor=user.id)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a user's own password after checking the current one."""
    if not verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not correct.")
    problems = password_problems(new_password, user.email, user.display_name)
    if problems:
        raise ServiceError(" ".join(problems))
    begin_write()
    user.password_hash = hash_password(new_password)
    user.session_generation += 1  # every other session of this account ends
    commit()
    security_event("password.changed", actor=user.id, target=f"user:{user.id}")


def end_sessions(user_id: int) -> None:
    """End every session of this account (signing out ends them on every device)."""
    begin_write()
    user = db.session.get(User, user_id)
    if user is not None:
        user.session_generation += 1
    commit()
    security_event("sign_out", actor=user_id)


def set_role(actor: User, user_id: int, role: str) -> User:
    """An admin changes a user's role; the last admin cannot demote themself."""
    if role not in ROLES:
        raise ServiceError(f"Unknown role {role!r}.")
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        db.session.rollback()
        raise ServiceError("No such user.", 404)
    if user.role == "admin" and role != "admin":
        # Lock every admin row before counting: two admins demoting each other at once are then serialized,
        # and the second sees the first's change (on SQLite the write transaction already serializes them).
        admins = db.session.scalars(select(User.id).where(User.role == "admin").with_for_update()).all()
        if len(admins) <= 1:
            db.session.rollback()
            raise ServiceError("There must always be at least one admin.", 409)
    old = user.role
    user.role = role
    audit(actor, "user.role", f"user:{user.id}", old=old, new=role)
    commit()
    security_event("user.role", actor=actor.id, target=f"user:{user.id}", old=old, new=role)
    return user
