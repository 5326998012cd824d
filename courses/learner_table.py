"""The learner table of a course: each enrolled learner's progress, read from the enrolment summary, filtered,
sorted by any column and paged by key (never OFFSET), so page 1,000 costs what page 1 does."""

import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import case, func, or_, select, tuple_

from courses.models import Enrolment
from lms.cohorts import member_ids
from lms.db import json_number, planned_for_every_row, utc_day, without_parallel_workers
from lms.extensions import db
from lms.forms import MAX_ROW_ID, id_arg
from lms.models import User, utcnow
from lms.plugins import plugin_manager, real_app
from lms.user_search import matches_read_in_name_order, matching_ids, named_matches

PAGE_SIZE = 50
STUCK_DAYS = 14  # no activity for this many days, and not finished: stuck
STATUSES = {
    "": "Any status",
    "not_started": "Not started",
    "in_progress": "In progress",
    "stuck": "Stuck",
    "completed": "Completed",
}
# A learner has started once they made progress or did anything after enrolling.
STARTED = or_(Enrolment.progress_percent > 0, Enrolment.last_activity_at > Enrolment.enrolled_at)
STATUS_LABELS = {key: label for key, label in STATUSES.items() if key}
# What each sort key orders by, then the learner's id to break ties, so the order is total and a key can resume it.
# Each pair is an index's order: users by (name, id) or email, enrolments by (course, column, learner), so a page
# is a range of an index, never a sort of every learner. (The id is the user's for user columns: the same number
# as the enrolment's learner, but the one the users index holds.) The third item is the kind of value a page key
# holds for the sort: a key holding another kind is no key of this table (compared with the column, PostgreSQL
# would refuse the statement).
SORTS: dict[str, tuple] = {
    "name": (User.display_name, User.id, str),
    "email": (User.email, User.id, str),
    "progress": (Enrolment.progress_percent, Enrolment.user_id, int),
    "modules": (Enrolment.modules_done, Enrolment.user_id, int),
    "activity": (Enrolment.last_activity_at, Enrolment.user_id, datetime),
    "enrolled": (Enrolment.enrolled_at, Enrolment.user_id, datetime),
}


@dataclasses.dataclass(frozen=True)
class Column:
    """Columns a plugin adds to the table: their headings, the report cells they read from each learner's
    enrolment (`courses.progress.keep_cells`; numbers, read by the database), and what they show of those cells'
    values (text, or a `courses.exports.Percent`; None for a cell not kept), all in one call: an export makes it
    100,000 times."""

    labels: list[str]
    keys: list[str]
    show: Callable[[list], list]


@dataclasses.dataclass
class TableQuery:
    """What the table is narrowed to and sorted by, read from the query string."""

    text: str = ""
    cohort_id: int | None = None
    status: str = ""
    enrolled_from: datetime | None = None
    enrolled_to: datetime | None = None
    sort: str = "name"
    descending: bool = False
    after: tuple | None = None  # the (sort value, user id) the page starts after
    before: tuple | None = None  # or the one it ends before ("Previous page")

    @classmethod
    def from_args(cls, args) -> "TableQuery":
        """The table's state from a query string; values that make no sense are ignored."""
        sort = args.get("sort", "name")
        sort = sort if sort in SORTS else "name"
        return cls(
            text=(args.get("q") or "").strip()[:200],
            cohort_id=id_arg("cohort"),
            status=args.get("status", "") if args.get("status", "") in STATUSES else "",
            enrolled_from=parse_day(args.get("from")),
            enrolled_to=parse_day(args.get("to")),
            sort=sort,
            descending=args.get("dir") == "desc",
            after=sort_key(args.get("after"), sort),
            before=None if args.get("after") else sort_key(args.get("before"), sort),
        )

    def args(self, **changes) -> dict:
        """The state as query-string arguments (for links), with some of it changed."""
        values = {
            "q": self.text,
            "cohort": self.cohort_id or "",
            "status": self.status,
            "from": self.enrolled_from.date().isoformat() if self.enrolled_from else "",
            "to": self.enrolled_to.date().isoformat() if self.enrolled_to else "",
            "sort": self.sort,
            "dir": "desc" if self.descending else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def parse_day(value: str | None) -> datetime | None:
    """A YYYY-MM-DD date as midnight UTC, or None (also for the last day there is, which no "to" can end after)."""
    try:
        day = datetime.fromisoformat(value).replace(tzinfo=UTC) if value and len(value) == 10 else None
    except ValueError:
        return None
    return day if day is None or day.year < 9999 else None


def day_notes(args, query: "TableQuery") -> list[str]:
    """What the table says about its enrolment dates when they cannot filter as the person meant: a day of no
    calendar (typed into the address) is left out, and a range that ends before it starts matches no one."""
    notes = [
        f"“{args[name]}” is not a day, so the table is not filtered on it: choose one or type YYYY-MM-DD."
        for name in ("from", "to")
        if args.get(name) and parse_day(args[name]) is None
    ]
    if query.enrolled_from and query.enrolled_to and query.enrolled_from > query.enrolled_to:
        notes.append("“Enrolled from” is after “Enrolled until”, so no learner can match.")
    return notes


def encode_key(value, user_id: int) -> str:
    """A page key: the last row's sort value and id, as URL-safe text."""
    if isinstance(value, datetime):
        value = {"t": value.isoformat() if value.tzinfo else value.replace(tzinfo=UTC).isoformat()}
    raw = json.dumps([value, user_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def storable_text(text: str) -> bool:
    """Whether a database can store and compare the text: no NUL (PostgreSQL) and no lone surrogate (any), both of
    which a JSON escape in a crafted page key can carry past the check of the query string."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode_key(text: str | None) -> tuple | None:
    """A page key back to (sort value, user id); None for anything else."""
    if not text or len(text) > 600:
        return None
    try:
        value, user_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("t"), str):
        try:
            value = datetime.fromisoformat(value["t"])
        except ValueError:
            return None
    if not isinstance(user_id, int) or not isinstance(value, (str, int, datetime)) or isinstance(value, bool):
        return None
    if isinstance(value, str) and not storable_text(value):
        return None
    # Only what a row can hold: an id the databases store, and a sort value within a 64-bit integer.
    if not 0 < user_id <= MAX_ROW_ID or (isinstance(value, int) and abs(value) >= 2**63):
        return None
    return value, user_id


def sort_key(text: str | None, sort: str) -> tuple | None:
    """A page key of this sort: decoded, and holding the kind of value its column holds; None for anything else."""
    key = decode_key(text)
    return key if key is not None and isinstance(key[0], SORTS[sort][2]) else None


def row_columns(sort: str, columns: list[Column]) -> list:
    """What a row of the table reads, in the order `cells` unpacks it: plain values, not ORM objects, and the
    days, status and plugins' cells worked out by the database, as an export reads 100,000 rows; the value it is
    sorted by (for the page key) comes after the table's own."""
    return [
        Enrolment.user_id,
        User.display_name,
        User.email,
        Enrolment.progress_percent,
        Enrolment.modules_done,
        utc_day(Enrolment.last_activity_at).label("last_activity_day"),
        utc_day(Enrolment.enrolled_at).label("enrolled_day"),
        status_column().label("status"),
        SORTS[sort][0].label("sort_value"),
        *(json_number(Enrolment.cells, key) for column in columns for key in column.keys),
    ]


def table_statement(
    course_id: int, query: TableQuery, columns: list[Column], after: tuple | None = None, before: tuple | None = None
):
    """The one query behind the screen and both exports: the course's learners with these plugin columns,
    filtered and sorted as asked, from the row after `after` (a page key) when one is given; or, given `before`,
    the rows before it in the opposite order (nearest first), for the page before."""
    if query.text and query.sort == "name" and matches_read_in_name_order():
        # Matches come in name order from the search index itself (see lms.user_search), so a page reads only
        # its own rows however many learners match.
        matches = named_matches(query.text)
        column, tie = matches.c.display_name, matches.c.user_id
        statement = (
            select(*row_columns(query.sort, columns))
            .select_from(matches)
            .join(Enrolment, (Enrolment.user_id == matches.c.user_id) & (Enrolment.course_id == course_id))
            .join(User, User.id == matches.c.user_id)
        )
    else:
        column, tie, _kind = SORTS[query.sort]
        statement = (
            select(*row_columns(query.sort, columns))
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.course_id == course_id)
        )
        if query.text:
            statement = statement.where(Enrolment.user_id.in_(select(matching_ids(query.text).c.user_id)))
    if query.cohort_id is not None:
        statement = statement.where(Enrolment.user_id.in_(member_ids(query.cohort_id)))
    statement = statement.where(*status_filter(query.status, by_activity=query.sort == "activity"))
    if query.enrolled_from:
        statement = statement.where(Enrolment.enrolled_at >= query.enrolled_from)
    if query.enrolled_to:
        statement = statement.where(Enrolment.enrolled_at < query.enrolled_to + timedelta(days=1))
    key = tuple_(column, tie)
    if after is not None:
        statement = statement.where(key < tuple_(*after) if query.descending else key > tuple_(*after))
    if before is not None:
        statement = statement.where(key > tuple_(*before) if query.descending else key < tuple_(*before))
    descending = query.descending != (before is not None)
    order = (column.desc(), tie.desc()) if descending else (column, tie)
    return statement.order_by(*order)


class TablePage(NamedTuple):
    """One page of the learner table: its rows, and the keys of the pages after and before it (None: none)."""

    rows: list
    following: str | None
    preceding: str | None


def learner_page(course_id: int, query: TableQuery, columns: list[Column], size: int | None = None) -> TablePage:
    """One page of `size` (PAGE_SIZE unless told) of the course's learners (rows of enrolment and user), after the
    query's `after` key or before its `before` key, with the keys of the pages around it."""
    size = size or PAGE_SIZE  # read now, not when the function was defined
    statement = table_statement(course_id, query, columns, after=query.after, before=query.before)
    without_parallel_workers()
    rows = list(db.session.execute(statement.limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    if query.before is not None:
        rows.reverse()  # read nearest first, shown in the table's order
    if not rows:
        return TablePage(rows, None, None)
    first, last = rows[0], rows[-1]
    # Read forwards, the page before exists when this one is not the first; read backwards, the page after does.
    has_following = more if query.before is None else True
    has_preceding = query.after is not None if query.before is None else more
    return TablePage(
        rows,
        encode_key(last.sort_value, last.user_id) if has_following else None,
        encode_key(first.sort_value, first.user_id) if has_preceding else None,
    )


HEADINGS = ["Learner", "Email", "Progress %", "Modules done", "Last activity", "Enrolled", "Status"]


def cells(row, columns: list["Column"]) -> list:
    """One learner's cells (of a table statement's row), as the screen shows them and the exports write them."""
    _user_id, name, email, progress, modules, last, enrolled, status, _sort_value = row[:9]
    found = [name, email, progress, modules, as_day(last) or "", as_day(enrolled) or "", STATUS_LABELS[status]]
    start = 9
    for column in columns:
        end = start + len(column.keys)
        found += column.show(row[start:end])
        start = end
    return found


def as_day(value) -> date | None:
    """A day the table reads (an ISO string from SQLite, a date from PostgreSQL) as a date."""
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def export_rows(course_id: int, query: TableQuery, chunk: int = 2000):
    """The headings, then every learner's cells in table order, read `chunk` rows at a time (constant memory)."""
    # Core, not the ORM: its rows cost far less each, and an export reads 100,000 of them.
    columns = plugin_columns(course_id)
    statement = table_statement(course_id, query, columns).execution_options(yield_per=chunk)
    planned_for_every_row()  # in a transaction, which the server-side cursor the rows stream through needs too
    result = db.session.connection().execute(statement)
    yield headings(columns)
    for rows in result.partitions():
        for row in rows:
            yield cells(row, columns)


def headings(columns: list[Column]) -> list[str]:
    """The table's headings: its own, then the plugins' columns'."""
    return HEADINGS + [label for column in columns for label in column.labels]


def stale(by_activity: bool = False):
    """The condition "no activity for `STUCK_DAYS` days". Unless the table is sorted by activity, it is written over
    an expression rather than the bare column, so no index serves it: a database that read every stale learner
    through the activity index would then sort them all by name, where walking the sort's own index and skipping
    the others costs a few rows a page. Sorted by activity, that range of the index is the sort's order itself."""
    cutoff = utcnow() - timedelta(days=STUCK_DAYS)
    if by_activity:
        return Enrolment.last_activity_at < cutoff
    return func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at) < cutoff


def status_column():
    """Each learner's status as an SQL expression: the statuses the filters below select, one per learner."""
    return case(
        (Enrolment.completed_at.is_not(None), "completed"),
        (STARTED, case((stale(), "stuck"), else_="in_progress")),
        else_="not_started",
    )


def status_filter(status: str, by_activity: bool = False) -> list:
    """The conditions of a status (none for any); each learner has exactly one status. `by_activity`: the table
    is sorted by last activity (see `stale`)."""
    unfinished = Enrolment.completed_at.is_(None)
    if status == "not_started":
        return [unfinished, ~STARTED]
    if status == "in_progress":
        return [unfinished, STARTED, ~stale(by_activity)]
    if status == "completed":
        return [Enrolment.completed_at.is_not(None)]
    if status == "stuck":
        return [unfinished, STARTED, stale(by_activity)]
    return []


def plugin_columns(course_id: int) -> list[Column]:
    """The columns other plugins add to the course's table."""
    app = real_app()
    groups = plugin_manager(app).hook.lms_learner_table_columns(app=app, course_id=course_id)
    return [column for group in groups for column in group]
