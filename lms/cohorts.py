"""Cohorts: named groups of learners ("Manila night shift, March intake") that admins fill one by one or from a
CSV of emails, enrol in a course together, and filter every report by."""

import csv
import dataclasses
import io
import re
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import begin_write, commit, insert_if_absent
from lms.extensions import Model, db
from lms.input_guard import CONTROL
from lms.models import User, audit, utcnow
from lms.services import ServiceError

MAX_CSV_ROWS = 20_000


class Cohort(Model):
    """A named group of learners."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Kept as members are added and removed, so listing the cohorts never counts every membership.
    member_count: Mapped[int] = mapped_column(default=0, server_default="0")


class CohortMember(Model):
    """A learner in a cohort (once)."""

    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def cohorts() -> list[tuple[Cohort, int]]:
    """Every cohort by name, with its number of members."""
    # By name whatever its case, as names are told apart ("cebu" among the Cs, not after every capital).
    ordered = select(Cohort).order_by(func.lower(Cohort.name), Cohort.id)
    return [(cohort, cohort.member_count) for cohort in db.session.scalars(ordered)]


def count_members(cohort_id: int, change: int) -> None:
    """Inside a write transaction: members were added to (or taken from) the cohort."""
    if change:
        db.session.execute(
            update(Cohort)
            .where(Cohort.id == cohort_id)
            .values(member_count=Cohort.member_count + change)
            .execution_options(synchronize_session=False)
        )


def tidy_name(name: str) -> str:
    """A cohort's name as kept: its words with single spaces between them; refused when empty."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Give the cohort a name.")
    return name


def refuse_taken_name(name: str, but: int | None = None) -> None:
    """Inside a write transaction: refuse a name another cohort has, whatever its case ("Night shift" and "night
    shift" would read as one cohort in every report filter)."""
    query = select(Cohort.name).where(func.lower(Cohort.name) == name.lower())
    if but is not None:
        query = query.where(Cohort.id != but)
    existing = db.session.scalar(query)
    if existing is not None:
        db.session.rollback()
        raise ServiceError(f"There is already a cohort called “{existing}”.")


def create_cohort(actor, name: str) -> Cohort:
    """A new cohort with a name no other cohort has, whatever its case."""
    name = tidy_name(name)
    begin_write()
    refuse_taken_name(name)
    cohort = Cohort(name=name)
    db.session.add(cohort)
    db.session.flush()
    audit(actor, "cohort.create", f"cohort:{cohort.id}", name=name)
    commit()
    return cohort


def rename_cohort(actor, cohort_id: int, name: str) -> tuple[Cohort, str]:
    """Give a cohort another name no other cohort has; the cohort and its name before."""
    name = tidy_name(name)
    begin_write()
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        db.session.rollback()
        raise ServiceError("There is no such cohort.", 404)
    refuse_taken_name(name, but=cohort.id)
    old = cohort.name
    if name != old:
        cohort.name = name
        audit(actor, "cohort.rename", f"cohort:{cohort.id}", name=f"{old} → {name}")
    commit()
    return cohort, old


def delete_cohort(actor, cohort_id: int) -> tuple[str, int]:
    """Delete a cohort: the group goes, its learners keep their accounts, enrolments and records; its name and how
    many learners it held."""
    begin_write()
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        db.session.rollback()
        raise ServiceError("There is no such cohort.", 404)
    name, size = cohort.name, cohort.member_count
    db.session.execute(delete(CohortMember).where(CohortMember.cohort_id == cohort.id))
    db.session.delete(cohort)
    audit(actor, "cohort.delete", f"cohort:{cohort_id}", name=name, members=size)
    commit()
    return name, size


def member_ids(cohort_id: int):
    """A SELECT of the ids of the cohort's learners (for filters)."""
    return select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)


def emails_in(text: str) -> list[tuple[int, str]]:
    """(line, email) for each row of a CSV whose first column holds an email; a header row "email" is skipped."""
    rows = []
    # Spreadsheets save CSV with the separator of their locale (a semicolon in much of Europe, a tab from some):
    # no address holds one, so the first line's most frequent separator is the file's.
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=max(",;\t", key=first.count))
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_CSV_ROWS:
                raise ServiceError(f"Upload at most {MAX_CSV_ROWS} rows at a time.")
            value = (row[0] if row else "").strip().lower()
            if number == 1 and value == "email":
                continue
            if value:
                rows.append((number, value))
    except csv.Error as exc:  # such as a field longer than the csv module reads
        # The csv module's words ("field larger than field limit (131072)") mean a line too long for an email.
        raise ServiceError(
            f"Line {reader.line_num} of the file is too long to hold an email address (or is not CSV text)."
        ) from exc
    return rows


@dataclasses.dataclass(frozen=True)
class Added:
    """What adding rows of emails to a cohort did: how many were added, how many were in it already, and a problem
    per row that was refused, with its line."""

    added: int
    already: int
    problems: list[str]
    refused_typed: list[str] = dataclasses.field(default_factory=list)  # the emails typed that were refused


TYPED = 0  # the line of the one email typed into the form; several typed are -1, -2, ... (beside any file's lines)


def typed_emails(text: str) -> list[tuple[int, str]]:
    """(line, email) for the emails typed into the form, separated by commas, semicolons, spaces or new lines, as
    they come when pasted from a spreadsheet's column or a mail's address line: one is line TYPED, several are
    numbered -1, -2, ... in the order typed."""
    # A mail's address line names people: "Ana Cruz <ana@example.com>, "Navarro, Nicole" <nn@example.com>" gives
    # its addresses (quoted names go first: they may hold a comma).
    text = re.sub(r'"[^"]*"', " ", text or "")
    text = re.sub(r"[^,;<>\n]*<([^<>\s]+)>", r" \1 ", text)
    emails = [email.lower() for email in re.split(r"[\s,;]+", text) if email]
    if len(emails) > MAX_CSV_ROWS:
        raise ServiceError(f"Type at most {MAX_CSV_ROWS} emails at a time.")
    if len(emails) == 1:
        return [(TYPED, emails[0])]
    return [(-number, email) for number, email in enumerate(emails, start=1)]


def where(line: int) -> str:
    """Where a refused email came from, as a problem names it."""
    if line == TYPED:
        return "the email typed"
    return f"email {-line} typed" if line < 0 else f"line {line}"


def add_members(actor, cohort: Cohort, emails: list[tuple[int, str]]) -> Added:
    """Add the learners with these emails; good rows are kept whatever the others hold. Staff accounts are
    refused: a cohort is enrolled and reported on as learners."""
    if not emails:
        raise ServiceError("The file holds no email addresses: one per line, in the first column.")
    begin_write()
    # Only what could be an address is looked up: PostgreSQL refuses a NUL byte in a statement's text outright.
    wanted = {email for _line, email in emails if "@" in email and not CONTROL.search(email)}
    rows = db.session.execute(select(User.email, User.id, User.role).where(User.email.in_(wanted)))
    accounts: dict[str, tuple[int, str]] = {email: (user_id, role) for email, user_id, role in rows}
    added, already = 0, 0
    problems: list[str] = []
    refused_typed: list[str] = []
    for line, email in emails:
        refused_before = len(problems)
        if CONTROL.search(email):
            problems.append(f"{where(line)}: holds a control character (such as a NUL byte), so it is no email address")
        elif "@" not in email:
            problems.append(f"{where(line)}: “{email}” is not an email address")
        elif email not in accounts:
            problems.append(f"{where(line)}: no account has the email {email}")
        elif accounts[email][1] != "learner":
            problems.append(
                f"{where(line)}: {email} is a{'n' if accounts[email][1] == 'admin' else ''} "
                f"{accounts[email][1]}'s account, and a cohort holds learners"
            )
        elif insert_if_absent(CohortMember, cohort_id=cohort.id, user_id=accounts[email][0]):
            added += 1
        else:
            already += 1
        if line <= TYPED and len(problems) > refused_before:
            refused_typed.append(email)
    count_members(cohort.id, added)
    audit(actor, "cohort.add", f"cohort:{cohort.id}", added=added, refused=len(problems))
    commit()
    return Added(added, already, problems, refused_typed)


def remove_member(actor, cohort: Cohort, user_id: int) -> None:
    """Take a learner out of the cohort (their enrolments and records stay)."""
    begin_write()
    member = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user_id)
    )
    if member is None:
        db.session.rollback()
        raise ServiceError("This learner is not in the cohort.", 404)
    db.session.delete(member)
    count_members(cohort.id, -1)
    audit(actor, "cohort.remove", f"cohort:{cohort.id}", about=user_id, user=user_id)
    commit()


def members(cohort_id: int, after: int | None, size: int) -> list[User]:
    """A page of the cohort's learners by id."""
    query = select(User).join(CohortMember, CohortMember.user_id == User.id).where(CohortMember.cohort_id == cohort_id)
    if after is not None:
        query = query.where(User.id > after)
    return list(db.session.scalars(query.order_by(User.id).limit(size)))
