"""Domain events: small typed records, emitted inside a transaction and dispatched after it commits.

Each plugin declares the events it emits as frozen dataclasses deriving `Event` (the courses plugin in
`courses/events.py`, and so on); listeners implement the `lms_event` hook and look at the event's class.

Listeners run one at a time in pluggy's call order: the plugin registered last runs first, and an
implementation marked `hookimpl(tryfirst=True)` or `trylast=True` moves to the front or the back. Each runs in
isolation: one that raises is logged, its transaction rolled back, and the next one still runs.
"""

import dataclasses
import logging
from typing import Any, ClassVar

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.plugins import plugin_manager, real_app

log = logging.getLogger(__name__)
PENDING = "lms_pending_events"


@dataclasses.dataclass(frozen=True)
class Event:
    """Something that happened; `name` is its stable dotted name for logs and learning records."""

    name: ClassVar[str] = "event"

    def as_dict(self) -> dict[str, Any]:
        """The event's fields as a plain dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class UserRegistered(Event):
    """An account was created."""

    name: ClassVar[str] = "user.registered"
    user_id: int
    role: str


def emit(event: Event) -> None:
    """Queue an event; it is dispatched only if and after the current transaction commits."""
    if not isinstance(event, Event):
        raise TypeError(f"emit() takes an lms.events.Event, not {type(event).__name__}")
    db.session.connection()  # make sure a transaction is open, so a rollback can discard the event
    db.session.info.setdefault(PENDING, []).append(event)


def dispatch_pending() -> None:
    """Hand queued events to every listener, one by one; a failing listener is logged and skipped."""
    for event in db.session.info.pop(PENDING, []):
        dispatch(event)


def dispatch(event: Event) -> None:
    """Call each `lms_event` implementation in pluggy's order, in isolation so one failure cannot affect the others."""
    app = real_app()
    arguments = {"app": app, "event": event}
    # get_hookimpls() lists implementations in the reverse of the order pluggy calls them.
    for impl in reversed(plugin_manager(app).hook.lms_event.get_hookimpls()):
        try:
            # Like pluggy itself: an implementation takes just the arguments it names.
            impl.function(*[arguments[name] for name in impl.argnames])
        except Exception:
            log.exception("listener %s failed on event %s", impl.plugin_name, event.name)
            db.session.rollback()


@sqlalchemy_event.listens_for(Session, "after_soft_rollback")
def _forget_events(session, previous_transaction) -> None:
    # Events of a rolled-back transaction never happened.
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
