"""Failed sign-ins counted in the database, per account and per address, so every app server shares the count.

Counting per account stops a guessing run that rotates addresses (or forges X-Forwarded-For past the proxy);
counting per address stops one that rotates accounts. Only failures count, so a training room signing in
behind one router is never held up by its own successful sign-ins.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from lms.db import begin_write
from lms.extensions import db
from lms.models import LoginFailure


def window_start() -> datetime:
    """The oldest failure that still counts."""
    return datetime.now(UTC) - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


def too_many_failures(email: str, address: str) -> bool:
    """Whether this account or this address has failed to sign in too often in the window."""
    since = window_start()
    by_account, by_address = db.session.execute(
        select(
            func.count().filter(LoginFailure.email == email),
            func.count().filter(LoginFailure.address == address),
        ).where(LoginFailure.at >= since, or_(LoginFailure.email == email, LoginFailure.address == address))
    ).one()
    config = current_app.config
    return by_account >= config["LOGIN_FAILURES_PER_ACCOUNT"] or by_address >= config["LOGIN_FAILURES_PER_ADDRESS"]


def record_failure(email: str, address: str) -> None:
    """Count one failed sign-in, and forget failures too old to count."""
    begin_write()
    db.session.add(LoginFailure(email=email[:254], address=address[:64]))
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < window_start()))
    db.session.commit()
