"""Refuse text that no page should store: NUL and other control characters in any part of a request."""

import re

from flask import abort, request

from lms.errors import fail

# C0 controls and DEL, except tab, line feed and carriage return, which forms legitimately carry.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = (
    "What you sent contains a control character (such as a NUL byte) that cannot be stored. "
    "Remove it and try again; nothing was changed."
)


def refuse_control_characters() -> None:
    """before_request hook: a query or form value with a control character is a 400 with a clear message.

    A path with one names nothing on this site: it is the same 404 as any other unknown address.
    """
    if CONTROL.search(request.path):
        abort(404)
    values = [*request.args.keys(), *request.args.values()] if request.query_string else []
    if request.method in ("POST", "PUT", "PATCH"):
        values += [*request.form.keys(), *request.form.values()]
    if any(CONTROL.search(value) for value in values):
        fail(400, MESSAGE)
