"""Forms shared by every plugin."""

from flask import request
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A bare form: a button that changes state, protected by the CSRF token."""


MAX_ROW_ID = 2**31 - 1  # the largest id both databases store: PostgreSQL's ids are INTEGER columns


def id_arg(name: str) -> int | None:
    """A row id from the query string (a page's keyset bound), or None when absent or not a possible id."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 <= value <= MAX_ROW_ID else None


def posted_id(name: str) -> int:
    """A row id (or a number kept beside one) from the posted form; 0, which names no row, when it is absent or
    not a possible id, so that a lookup finds nothing instead of failing on a number no column holds."""
    value = request.form.get(name, type=int)
    return value if value is not None and 0 <= value <= MAX_ROW_ID else 0
