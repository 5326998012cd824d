"""Absolute links to the site, for mail and documents that leave it."""

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """An absolute URL under PUBLIC_BASE_URL: never built from the request's Host header, which a client picks."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)
