"""The admin's user list: everyone in name order, narrowed by role, status and search, a page at a time.

Pages are read by key: a page starts after (or ends before) a user, compared by (name, id) with an index in that
order, so the last page costs what the first does. Each filter reads an index that begins with it (role, active),
or the partial index of pending invitations, so a list of the three admins among 100,000 learners reads three
rows, not every learner's.
"""

from typing import NamedTuple

from sqlalchemy import select, tuple_
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import User
from lms.user_search import matching_ids

# Each status an account can be in, as the list's filter names it; they do not overlap.
STATUSES = {
    "active": "Active",
    "invited": "Invited, no password yet",
    "deactivated": "Deactivated",
}


class DirectoryQuery(NamedTuple):
    """What the admin asked the list for: search words, a role and a status ("" for any)."""

    text: str = ""
    role: str = ""
    status: str = ""


def status_filter(status: str) -> list:
    """The conditions of one status (none for "" or an unknown one)."""
    if status == "active":
        return [User.active.is_(True), User.invited_at.is_(None)]
    if status == "invited":
        # Written as the partial index's own condition, so the planner reads that index.
        return [User.invited_at.is_not(None), User.active.is_(True)]
    if status == "deactivated":
        return [User.active.is_(False)]
    return []


def directory_page(query: DirectoryQuery, after: int | None, before: int | None, size: int) -> tuple[list[User], bool]:
    """A page of users in name order after (or, given `before`, before) the user with that id, as the query
    narrows them; the page and whether more lie beyond it in that direction."""
    statement = select(User)
    if query.text.split():
        statement = statement.where(User.id.in_(select(matching_ids(query.text).c.user_id)))
    if query.role:
        statement = statement.where(User.role == query.role)
    statement = statement.where(*status_filter(query.status))
    key = tuple_(User.display_name, User.id)
    anchor_id = before if before is not None else after
    if anchor_id is not None:
        # The page's edge is a user: their (name, id) is read in the same statement, from their own row.
        anchor = aliased(User)
        statement = statement.join(anchor, anchor.id == anchor_id)
        edge = tuple_(anchor.display_name, anchor.id)
        statement = statement.where(key < edge if before is not None else key > edge)
    if before is not None:
        statement = statement.order_by(User.display_name.desc(), User.id.desc())
    else:
        statement = statement.order_by(User.display_name, User.id)
    users = list(db.session.scalars(statement.limit(size + 1)))
    if not users and anchor_id is not None and not db.session.get(User, anchor_id):
        return directory_page(query, None, None, size)  # an edge that is gone (an old link): the first page
    more = len(users) > size
    users = users[:size]
    if before is not None:
        users.reverse()
    return users, more
