"""The audit log as admins read it: who did what to which record, and when, newest first, a page at a time.

Every administrative action is written with `lms.models.audit`; this page reads them back. It pages by id (never
by OFFSET) and narrows to one action or one record through an index of each, so a page costs the same however
long the log grows.
"""

import dataclasses
import json
from datetime import datetime

from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEntry, User

PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class LogEntry:
    """One entry as the page shows it."""

    id: int
    at: datetime
    actor: str  # the admin or trainer who acted, or the command line
    action: str
    target: str
    target_user: str | None  # the person a "user:<id>" target names, when the account still exists
    detail: str


def action_label(action: str) -> str:
    """An action as it reads: "quiz.time_allowance" → "Quiz: time allowance"."""
    area, _, rest = action.partition(".")
    return f"{area.capitalize()}: {rest.replace('.', ' ').replace('_', ' ')}" if rest else action


def detail_text(detail: dict | None) -> str:
    """The entry's details as "key: value" pairs."""
    return ", ".join(
        f"{key.replace('_', ' ')}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in (detail or {}).items()
    )


def user_id_of(target: str) -> int | None:
    """The user id a "user:<id>" target names."""
    kind, _, ident = target.partition(":")
    return int(ident) if kind == "user" and ident.isdigit() else None


def target_name(target: str, entries: list[LogEntry]) -> str:
    """A record as the page names it: a person by their name and the record's key, anything else by its key (the
    name comes with the page's entries about them; only a page without any reads it)."""
    user_id = user_id_of(target)
    if user_id is None:
        return target
    name = entries[0].target_user if entries else None
    name = name or db.session.scalar(select(User.display_name).where(User.id == user_id))
    return f"{name} ({target})" if name else target


def log_page(action: str = "", target: str = "", before: int | None = None) -> tuple[list[LogEntry], int | None]:
    """A page of entries, newest first, of one action or about one record when asked, ending before the entry id
    `before`; with the id the next page ends before, if there is one."""
    query = (
        select(AuditEntry, User.display_name, User.email)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(query).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    targets = {uid for entry, _name, _email in rows if (uid := user_id_of(entry.target)) is not None}
    people: dict[int | None, str] = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(targets))).tuples().all())
        if targets
        else {}
    )
    entries = [
        LogEntry(
            entry.id,
            entry.at,
            f"{name} ({email})" if email else "the command line" if entry.actor_id is None else "a deleted account",
            entry.action,
            entry.target,
            people.get(user_id_of(entry.target)),
            detail_text(entry.detail),
        )
        for entry, name, email in rows
    ]
    return entries, entries[-1].id if more and entries else None
