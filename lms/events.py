"""Domain events: emitted inside a transaction, dispatched to `lms_event` listeners after it commits."""

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db

log = logging.getLogger(__name__)
PENDING = "lms_pending_events"


def emit(name: str, **payload) -> None:
    """Queue an event; it is dispatched only if and after the current transaction commits."""
    db.session.connection()  # make sure a transaction is open, so a rollback can discard the event
    db.session.info.setdefault(PENDING, []).append((name, payload))


def dispatch_pending() -> None:
    """Hand queued events to every listener, one by one; a failing listener is logged and skipped."""
    events = db.session.info.pop(PENDING, [])
    for name, payload in events:
        dispatch(name, payload)


def dispatch(name: str, payload: dict) -> None:
    """Call each `lms_event` implementation in isolation so one failure cannot affect the others."""
    app = current_app._get_current_object()
    for impl in app.extensions["lms"].pm.hook.lms_event.get_hookimpls():
        try:
            impl.function(app=app, name=name, payload=payload)
        except Exception:
            log.exception("listener %s failed on event %s", impl.plugin_name, name)
            db.session.rollback()


@event.listens_for(Session, "after_soft_rollback")
def _forget_events(session, previous_transaction) -> None:
    # Events of a rolled-back transaction never happened.
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
