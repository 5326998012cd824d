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


def error_messages(errors) -> list[str]:
    """A field's errors as messages: a form within a form (an editor's rows) keeps its own by sub-field name, which
    are not messages; its messages are gathered in order."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in error_messages(value)]
    if isinstance(errors, list | tuple):
        return [message for value in errors for message in error_messages(value)]
    return [str(errors)] if errors else []
