"""Security events (sign-ins, role changes, exports, revocations) written to the `lms.security` log.

Each line says what happened, who did it, to what and from where, with the time the logging handler adds.
Callers pass identifiers only: never a password, a token or a cookie.
"""

import logging

from flask import has_request_context, request

log = logging.getLogger("lms.security")


def security_event(action: str, actor: int | str | None = None, target: str = "", **detail: object) -> None:
    """Log one security event: `action` by `actor` (a user id, or the email tried) on `target`."""
    address = request.remote_addr if has_request_context() else None
    extra = " ".join(f"{key}={value!r}" for key, value in sorted(detail.items()))
    # The actor (an email tried) and the target may come from the request: a line break in either would forge a
    # second line of the log, so each is written as one line.
    actor_text, target_text = (str(part).encode("unicode_escape").decode("ascii") for part in (actor, target or "-"))
    log.info("%s actor=%s target=%s address=%s %s", action, actor_text, target_text, address, extra)
