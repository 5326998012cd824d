"""Errors of the API as RFC 9457 problem details (`application/problem+json`)."""

import msgspec
from flask import Response, request

PROBLEM_JSON = "application/problem+json"
# RFC 9110's reason phrases for the statuses the API answers with, as each problem's title.
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class InvalidField(msgspec.Struct):
    __doc__ = "One part of the request that failed validation."

    location: list[str | int]
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    __doc__ = "An RFC 9457 problem: what went wrong, for a person (title, detail) and a program (status, errors)."

    title: str
    status: int
    type: str = "about:blank"
    detail: str | None = None
    instance: str | None = None
    errors: list[InvalidField] | None = None


def problem(status: int, detail: str | None = None, errors: list[InvalidField] | None = None) -> Response:
    """A problem-details response for ``status``."""
    body = Problem(
        title=TITLES.get(status, "Error"), status=status, detail=detail, instance=request.path, errors=errors
    )
    response = Response(msgspec.json.encode(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        # RFC 6750: tell the client which scheme the API expects.
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
