"""Refuse what no page should read: NUL and other control characters in any part of a request, and a JSON body
posted to a page's form (only the API reads JSON)."""

import re

from flask import abort, request

from lms.api import PREFIX as API_PREFIX
from lms.errors import fail

# C0 controls and DEL, except tab, line feed and carriage return, which forms legitimately carry.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = (
    "What you sent contains a control character (such as a NUL byte) that cannot be stored. "
    "Remove it and try again; nothing was changed."
)
FORMS_ONLY = "This address reads form posts, not JSON. Send the form from its page; nothing was changed."
UNKNOWN_FIELD = "This form has a field no page of this site names. Reload the page and try again; nothing was changed."


def refuse_control_characters() -> None:
    """before_request hook: a query or form value with a control character is a 400 with a clear message, and a
    JSON body posted anywhere but the API a 415.

    A path with one names nothing on this site: it is the same 404 as any other unknown address.
    """
    if CONTROL.search(request.path):
        abort(404)
    values = [*request.args.keys(), *request.args.values()] if request.query_string else []
    if request.method in ("POST", "PUT", "PATCH"):
        # A page's form (Flask-WTF) would read a JSON body as its fields, whatever shape it has: a number, a list
        # where text belongs.
        if request.is_json and not request.path.startswith(API_PREFIX + "/"):
            fail(415, FORMS_ONLY)
        values += [*request.form.keys(), *request.form.values()]
        # A list's rows are numbered in their names (rows-3-text); WTForms takes any Unicode digit for one and
        # then fails on it ("rows-²-text"). The site's own names are ASCII.
        if any(char.isdigit() and not char.isascii() for key in request.form for char in key):
            fail(400, UNKNOWN_FIELD)
    if any(CONTROL.search(value) for value in values):
        fail(400, MESSAGE)
