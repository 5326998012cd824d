"""Finding users by name or email at any number of users: an index of word prefixes, read by range.

A `LIKE '%q%'` over every user is a scan whose cost grows with the user count. Instead each account's email,
the email's parts and each word of its name are kept as lower-cased terms in an indexed table, and a search
asks for the terms that start with each word typed, as a range of that index (term >= "smi" and term < "smj").
What a search costs then grows with how many users match it, not with how many there are. Each term also
carries its user's name, so a page of matches in name order is read from that index alone, without visiting
every matching user's row.
"""

import re

from sqlalchemy import ForeignKey, Index, String, delete, exists, insert, intersect, select
from sqlalchemy.orm import Mapped, aliased, mapped_column

from lms.extensions import Model, db
from lms.models import User

# Byte order on PostgreSQL, so a range of the index is exactly "starts with" whatever the server's locale.
TERM_TYPE = String(254).with_variant(String(254, collation="C"), "postgresql")
MAX_QUERY_WORDS = 4


class UserSearchTerm(Model):
    """One word a user can be found by: their email, its local part and domain, and each word of their name."""

    __tablename__ = "user_search_terms"
    __table_args__ = (Index("ix_user_search_terms_term_name", "term", "display_name", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(TERM_TYPE)
    display_name: Mapped[str] = mapped_column(String(80), default="", server_default="")  # the user's, as it is


# Hyphens and apostrophes join the parts of a name ("O'Brien-Ñúñez"), dots and plus signs those of an email.
JOINERS = r"\-'’‐‑"
# Zero-width (non-)joiners are part of how some names are spelled (Persian's "محمد‌رضا"): a name is found by its
# parts on either side, and by the whole written without them.
ZERO_WIDTH = "\u200c\u200d"


def terms_for(email: str, display_name: str) -> set[str]:
    """The lower-cased words an account is found by."""
    email = email.lower()
    local, _, domain = email.partition("@")
    words = {
        email,
        local,
        domain,
        *re.split(rf"[._+{JOINERS}]", local),
        *re.split(rf"[.{JOINERS}]", domain),
        *re.findall(r"[^\W_]+", display_name.lower()),
        *re.findall(r"[^\W_]+", re.sub(f"[{ZERO_WIDTH}]", "", display_name.lower())),
    }
    return {word[:254] for word in words if word}


def term_rows(user_id: int, email: str, display_name: str) -> list[dict]:
    """The rows of the search index for one account."""
    return [{"user_id": user_id, "term": term, "display_name": display_name} for term in terms_for(email, display_name)]


def index_user(user_id: int, email: str, display_name: str) -> None:
    """Write (or rewrite) a user's search terms in the open transaction (on every change of name or email)."""
    db.session.execute(delete(UserSearchTerm).where(UserSearchTerm.user_id == user_id))
    db.session.execute(insert(UserSearchTerm), term_rows(user_id, email, display_name))


def prefix_range(word: str) -> tuple[str, str]:
    """The index range holding every term that starts with `word`."""
    following = ord(word[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are no characters (no database stores one): U+E000 is next
        following = 0xE000
    return word, word[:-1] + chr(min(following, 0x10FFFF))


def query_words(query: str) -> list[str]:
    """The words of a search, lower-cased, at most MAX_QUERY_WORDS: what is typed between spaces, split at hyphens
    and apostrophes as names are ("O'Brien" asks for "o" and "brien"), unless it is an email (found whole)."""
    words: list[str] = []
    for typed in query.lower().split():
        parts = [typed] if "@" in typed else [part for part in re.split(f"[{JOINERS}{ZERO_WIDTH}]", typed) if part]
        words += parts or [typed]
    return words[:MAX_QUERY_WORDS]


def named_matches(query: str):
    """A subquery of (display_name, user_id), once per user with a term starting with each word of the query:
    the first word's range of the index, the others checked per match."""
    first, *others = query_words(query)
    low, high = prefix_range(first)
    # Name first: the database then gets the matches unique in name order, the order a page reads them in.
    statement = select(UserSearchTerm.display_name, UserSearchTerm.user_id).where(
        UserSearchTerm.term >= low, UserSearchTerm.term < high
    )
    for word in others:
        other = aliased(UserSearchTerm)
        low, high = prefix_range(word)
        statement = statement.where(
            exists().where(other.user_id == UserSearchTerm.user_id, other.term >= low, other.term < high)
        )
    return statement.distinct().subquery()


def matches_read_in_name_order() -> bool:
    """Whether a page of matches in name order is best read from the index's names (PostgreSQL). SQLite's
    planner does better by itself with the set of matching ids: it walks the users' name index and stops after
    a page, where reading the names from the index would have it look up every match's row before sorting."""
    return db.session.get_bind().dialect.name == "postgresql"


def matching_ids(query: str):
    """A SELECT of the ids of users with a term starting with each word of the query (every word must match)."""
    words = query_words(query)
    selects = []
    for word in words:
        low, high = prefix_range(word)
        selects.append(select(UserSearchTerm.user_id).where(UserSearchTerm.term >= low, UserSearchTerm.term < high))
    # A person matches once, though several of their terms may (a name and an email both starting "gina").
    found = selects[0].distinct() if len(selects) == 1 else intersect(*selects)
    return found.subquery()


def user_page(query: str, after: int | None, before: int | None, size: int) -> tuple[list[User], bool]:
    """A page of users in id order, after or before a given id, matching the query when there is one;
    the page and whether more lie beyond it in that direction."""
    if query.split():
        ids = matching_ids(query)
        stmt = select(User).join(ids, ids.c.user_id == User.id)
    else:
        stmt = select(User)
    if before is not None:
        stmt = stmt.where(User.id < before).order_by(User.id.desc())
    else:
        stmt = stmt.where(User.id > (after or 0)).order_by(User.id)
    users = list(db.session.scalars(stmt.limit(size + 1)))
    more = len(users) > size
    users = users[:size]
    if before is not None:
        users.reverse()
    return users, more
