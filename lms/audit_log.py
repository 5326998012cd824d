"""The audit log as admins read it: who did what to which record, and when, newest first, a page at a time.

Every administrative action is written with `lms.models.audit`; this page reads them back. It pages by id (never
by OFFSET) and narrows to one action, one record, one person's actions or the entries about one person through
an index of each, so a page costs the same however long the log grows. Going to a date finds the last entry
before that day's end, by the index of times, and pages from it.
"""

import dataclasses
import json
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from lms.cohorts import Cohort
from lms.extensions import db
from lms.models import AuditEntry, User
from lms.plugins import plugin_manager

PAGE_SIZE = 50


# Details that hold a record's id, and the kind of record it is (as targets write it: "user:7").
DETAIL_REFERENCES = {
    "user": "user",
    "trainer": "user",
    "cohort": "cohort",
    "course": "course",
    "quiz": "quiz",
    "to": "quiz",
    "question": "question",
}


@dataclasses.dataclass(frozen=True)
class LogEntry:
    """One entry as the page shows it."""

    id: int
    at: datetime
    actor: str  # the admin or trainer who acted, or the command line
    actor_id: int | None
    action: str
    target: str
    target_name: str | None  # what the target is called (a person's name, a course's title), while it exists
    detail: str


def action_label(action: str) -> str:
    """An action as it reads: "quiz.time_allowance" → "Quiz: time allowance"."""
    area, _, rest = action.partition(".")
    return f"{area.capitalize()}: {rest.replace('.', ' ').replace('_', ' ')}" if rest else action


def detail_reference(key: str, value) -> str | None:
    """The record ("user:7") a detail names by its id, if it is one."""
    kind = DETAIL_REFERENCES.get(key)
    is_id = isinstance(value, int) and not isinstance(value, bool)
    return f"{kind}:{value}" if kind and is_id else None


def named(reference: str, names: dict[str, str]) -> str:
    """A record by its name and key ("Lia Tan (user:7)"), or by its key when it has no name (it was deleted)."""
    return f"{names[reference]} ({reference})" if reference in names else reference


def detail_text(detail: dict | None, names: dict[str, str]) -> str:
    """The entry's details as "key: value" pairs, records among them by name."""
    parts = []
    for key, value in (detail or {}).items():
        reference = detail_reference(key, value)
        shown = named(reference, names) if reference else value
        written = shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)
        parts.append(f"{key.replace('_', ' ')}: {written}")
    return ", ".join(parts)


def names_by_id(kind: str, id_column, name_column, refs: dict[str, set[str]]) -> dict[str, str]:
    """The names of the records of one kind among `refs` whose ids are numbers, read in one statement (none
    without any)."""
    ids = {int(ident) for ident in refs.get(kind, ()) if ident.isdigit()}
    if not ids:
        return {}
    found = db.session.execute(select(id_column, name_column).where(id_column.in_(ids))).tuples()
    return {f"{kind}:{ident}": name for ident, name in found}


def record_names(references: set[str]) -> dict[str, str]:
    """The names of these records ("kind:id"), each kind read once: people and cohorts here, the rest (courses,
    quizzes, questions, badges) from the plugins that keep them."""
    refs: dict[str, set[str]] = {}
    for reference in references:
        kind, _, ident = reference.partition(":")
        if ident:
            refs.setdefault(kind, set()).add(ident)
    names = names_by_id("user", User.id, User.display_name, refs) | names_by_id("cohort", Cohort.id, Cohort.name, refs)
    for part in plugin_manager(current_app).hook.lms_audit_names(app=current_app, refs=refs):
        names.update(part or {})
    return names


def first_after(moment: datetime) -> int | None:
    """The id just above the last entry made before `moment` (a page's `before` bound that starts there), or None
    when nothing was logged before it."""
    last = db.session.scalar(
        select(AuditEntry.id)
        .where(AuditEntry.at < moment)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    return None if last is None else last + 1


def actor_name(actor_id: int, entries: list[LogEntry]) -> str:
    """A person who acted, as the page names them: from the page's entries, or read when it has none."""
    if entries:
        return entries[0].actor
    return person_name(actor_id)


def person_name(user_id: int) -> str:
    """A person as the log names them: "Name (email)", or their key when the account is gone."""
    person = db.session.get(User, user_id)
    return f"{person.display_name} ({person.email})" if person else f"user:{user_id}"


def target_name(target: str, entries: list[LogEntry]) -> str:
    """A record as the page names it: by its name and key (the name comes with the page's entries about it; only
    a page without any reads it)."""
    if entries and entries[0].target_name:
        return f"{entries[0].target_name} ({target})"
    return named(target, record_names({target}))


def log_page(
    action: str = "", target: str = "", before: int | None = None, actor: int | None = None, about: int | None = None
) -> tuple[list[LogEntry], int | None]:
    """A page of entries, newest first, of one action, about one record, made by one person or about one person
    (their account, awards, attempts, memberships) when asked, ending before the entry id `before`; with the id
    the next page ends before, if there is one."""
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
    if actor is not None:
        query = query.where(AuditEntry.actor_id == actor)
    if about is not None:
        query = query.where(AuditEntry.about_user_id == about)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(query).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    references = {entry.target for entry, _name, _email in rows}
    references |= {
        reference
        for entry, _name, _email in rows
        for key, value in (entry.detail or {}).items()
        if (reference := detail_reference(key, value))
    }
    names = record_names(references)
    entries = [
        LogEntry(
            entry.id,
            entry.at,
            f"{name} ({email})" if email else "the command line" if entry.actor_id is None else "a deleted account",
            entry.actor_id,
            entry.action,
            entry.target,
            names.get(entry.target),
            detail_text(entry.detail, names),
        )
        for entry, name, email in rows
    ]
    return entries, entries[-1].id if more and entries else None
