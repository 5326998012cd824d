"""The learner table of a course: each enrolled learner's progress, read from the enrolment summary, filtered,
sorted by any column and paged by key (never OFFSET), so page 1,000 costs what page 1 does."""

import base64
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, tuple_

from courses.models import Enrolment
from lms.cohorts import member_ids
from lms.extensions import db
from lms.forms import id_arg
from lms.models import User, aware, utcnow
from lms.plugins import plugin_manager, real_app
from lms.user_search import matching_ids

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
# What each sort key orders by, then the learner's id to break ties, so the order is total and a key can resume it.
# Each pair is an index's order: users by (name, id) or email, enrolments by (course, column, learner), so a page
# is a range of an index, never a sort of every learner. (The id is the user's for user columns: the same number
# as the enrolment's learner, but the one the users index holds.)
SORTS = {
    "name": (User.display_name, User.id),
    "email": (User.email, User.id),
    "progress": (Enrolment.progress_percent, Enrolment.user_id),
    "modules": (Enrolment.modules_done, Enrolment.user_id),
    "activity": (Enrolment.last_activity_at, Enrolment.user_id),
    "enrolled": (Enrolment.enrolled_at, Enrolment.user_id),
}


@dataclasses.dataclass(frozen=True)
class Column:
    """A column a plugin adds to the table: its heading, and its text for a learner from the report cells their
    enrolment keeps (`courses.progress.keep_cells`)."""

    label: str
    show: Callable[[dict], str]


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

    @classmethod
    def from_args(cls, args) -> "TableQuery":
        """The table's state from a query string; values that make no sense are ignored."""
        sort = args.get("sort", "name")
        return cls(
            text=(args.get("q") or "").strip()[:200],
            cohort_id=id_arg("cohort"),
            status=args.get("status", "") if args.get("status", "") in STATUSES else "",
            enrolled_from=parse_day(args.get("from")),
            enrolled_to=parse_day(args.get("to")),
            sort=sort if sort in SORTS else "name",
            descending=args.get("dir") == "desc",
            after=decode_key(args.get("after")),
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
    """A YYYY-MM-DD date as midnight UTC, or None."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value and len(value) == 10 else None
    except ValueError:
        return None


def encode_key(value, user_id: int) -> str:
    """A page key: the last row's sort value and id, as URL-safe text."""
    if isinstance(value, datetime):
        value = {"t": value.isoformat() if value.tzinfo else value.replace(tzinfo=UTC).isoformat()}
    raw = json.dumps([value, user_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


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
    return value, user_id


# What a row of the table reads: plain columns, not ORM objects, as an export reads 100,000 of them.
ROW_COLUMNS = (
    Enrolment.user_id,
    Enrolment.progress_percent,
    Enrolment.modules_done,
    Enrolment.last_activity_at,
    Enrolment.enrolled_at,
    Enrolment.completed_at,
    Enrolment.cells,
    User.display_name,
    User.email,
)


def table_statement(course_id: int, query: TableQuery):
    """The one query behind the screen and both exports: the course's learners, filtered and sorted as asked."""
    column, tie = SORTS[query.sort]
    statement = select(*ROW_COLUMNS).join(User, User.id == Enrolment.user_id).where(Enrolment.course_id == course_id)
    if query.text:
        statement = statement.where(Enrolment.user_id.in_(select(matching_ids(query.text).c.user_id)))
    if query.cohort_id is not None:
        statement = statement.where(Enrolment.user_id.in_(member_ids(query.cohort_id)))
    statement = statement.where(*status_filter(query.status))
    if query.enrolled_from:
        statement = statement.where(Enrolment.enrolled_at >= query.enrolled_from)
    if query.enrolled_to:
        statement = statement.where(Enrolment.enrolled_at < query.enrolled_to + timedelta(days=1))
    order = (column.desc(), tie.desc()) if query.descending else (column, tie)
    return statement.order_by(*order)


def learner_page(course_id: int, query: TableQuery) -> tuple[list, str | None]:
    """One page of the course's learners (rows of enrolment and user) and the key of the next page, if any."""
    statement = table_statement(course_id, query)
    if query.after is not None:
        key = tuple_(*SORTS[query.sort])
        statement = statement.where(key < tuple_(*query.after) if query.descending else key > tuple_(*query.after))
    rows = list(db.session.execute(statement.limit(PAGE_SIZE + 1)).all())
    following = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        following = encode_key(getattr(last, SORTS[query.sort][0].key), last.user_id)
    return rows, following


HEADINGS = ["Learner", "Email", "Progress %", "Modules done", "Last activity", "Enrolled", "Status"]


def cells(row, status: str, columns: list["Column"]) -> list:
    """One learner's cells, as the screen shows them and the exports write them."""
    last, enrolled = row.last_activity_at, row.enrolled_at
    return [
        row.display_name,
        row.email,
        row.progress_percent,
        row.modules_done,
        last.date().isoformat() if last else "",
        enrolled.date().isoformat() if enrolled else "",
        status,
        *(column.show(row.cells or {}) for column in columns),
    ]


def export_rows(course_id: int, query: TableQuery, chunk: int = 500):
    """The headings, then every learner's cells in table order, read `chunk` rows at a time (constant memory)."""
    now = utcnow()
    # Core, not the ORM: its rows cost far less each, and an export reads 100,000 of them.
    result = db.session.connection().execute(table_statement(course_id, query).execution_options(yield_per=chunk))
    columns = plugin_columns(course_id)
    yield HEADINGS + [column.label for column in columns]
    for rows in result.partitions():
        for row in rows:
            yield cells(row, status_of(row, now), columns)


def status_filter(status: str) -> list:
    """The conditions of a status (none for any); each learner has exactly one status."""
    stale = Enrolment.last_activity_at < utcnow() - timedelta(days=STUCK_DAYS)
    unfinished = Enrolment.completed_at.is_(None)
    if status == "not_started":
        return [unfinished, ~STARTED]
    if status == "in_progress":
        return [unfinished, STARTED, ~stale]
    if status == "completed":
        return [Enrolment.completed_at.is_not(None)]
    if status == "stuck":
        return [unfinished, STARTED, stale]
    return []


def status_of(enrolment, now: datetime) -> str:
    """One learner's status (of a table row or an enrolment), as the filter names it: nothing done since enrolling
    is "not started"."""
    if enrolment.completed_at is not None:
        return "Completed"
    last, enrolled = aware(enrolment.last_activity_at), aware(enrolment.enrolled_at)
    if not enrolment.progress_percent and (last is None or enrolled is None or last <= enrolled):
        return "Not started"
    if last is not None and last < now - timedelta(days=STUCK_DAYS):
        return "Stuck"
    return "In progress"


def plugin_columns(course_id: int) -> list[Column]:
    """The columns other plugins add to the course's table."""
    app = real_app()
    groups = plugin_manager(app).hook.lms_learner_table_columns(app=app, course_id=course_id)
    return [column for group in groups for column in group]
