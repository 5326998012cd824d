"""Absolute links to the site, for mail and documents that leave it."""

from flask import current_app, has_request_context, url_for


def public_url(endpoint: str, **values) -> str:
    """An absolute URL under PUBLIC_BASE_URL: never built from the request's Host header, which a client picks.
    Outside a request (a command delivering events) the path is built in a request context of its own."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)
