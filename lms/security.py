"""Response headers and redirect-target checks that protect every page."""

from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    """after_request hook: CSP without unsafe-inline, nosniff, no framing, no referrer leaks; HSTS over HTTPS;
    nothing a signed-in person sees is kept by a shared computer's browser or a proxy (static files aside)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    hsts = current_app.config.get("HSTS_SECONDS")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
    # Static files are the same for everyone: they may be cached, and serving one never loads the user.
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def safe_next_url(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no scheme, host or protocol-relative tricks)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # "//[x": a bracketed host that is no IPv6 address
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
