"""Domain events: small typed records, emitted inside a transaction and dispatched after it commits.

Each plugin declares the events it emits as frozen dataclasses deriving `Event` (the courses plugin in
`courses/events.py`, and so on); listeners implement the `lms_event` hook and look at the event's class.

Listeners run one at a time in pluggy's call order: the plugin registered last runs first, and an
implementation marked `hookimpl(tryfirst=True)` or `trylast=True` moves to the front or the back. Each runs in
isolation: one that raises is logged, its transaction rolled back, the event kept for it as a failed delivery
(`redeliver_failed` gives it again), and the next listener still runs.

Every event is also written to the outbox table in the transaction that emits it and deleted once delivered.
An event whose process died before delivering it is delivered by the next process to start (`drain_outbox`),
so a listener may hear an event twice and must treat a repeat as a no-op.
"""

import dataclasses
import logging
from typing import Any, ClassVar

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from lms.db import begin_write, bound, prepared
from lms.extensions import db
from lms.models import FailedDelivery, OutboxEvent, utcnow
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
    # Written to the outbox in the open transaction, so it is committed with the facts it announces (and a
    # rollback discards it).
    row = {"name": event.name, "payload": event.as_dict(), "created_at": utcnow()}
    outbox_id = db.session.connection().execute(prepared(_outbox_insert), row).scalar_one()
    db.session.info.setdefault(PENDING, []).append((event, outbox_id))


def _outbox_insert():
    return (
        insert(OutboxEvent)
        .values(bound(OutboxEvent.__table__, ("name", "payload", "created_at")))
        .returning(OutboxEvent.id)
    )


def dispatch_pending() -> None:
    """Hand queued events to every listener, one by one, then clear them from the outbox."""
    pending = db.session.info.pop(PENDING, [])
    for event, _outbox_id in pending:
        dispatch(event)
    if pending:
        forget([outbox_id for _event, outbox_id in pending])


# Built once: every request that records progress runs it.
FORGET = delete(OutboxEvent).where(OutboxEvent.id.in_(bindparam("ids", expanding=True)))


def forget(outbox_ids: list[int]) -> None:
    """Delete delivered events from the outbox, in a write transaction of their own."""
    begin_write()
    db.session.connection().execute(FORGET, {"ids": outbox_ids})
    db.session.commit()


def event_class(name: str) -> type[Event] | None:
    """The installed event class with this name (every plugin's events derive from Event)."""
    found: list[type[Event]] = [Event]
    while found:
        cls = found.pop()
        if cls.name == name and cls is not Event:
            return cls
        found.extend(cls.__subclasses__())
    return None


def drain_outbox() -> int:
    """Deliver every event left in the outbox by a process that stopped before delivering it; how many."""
    delivered = 0
    for row_id, name, payload in db.session.execute(
        select(OutboxEvent.id, OutboxEvent.name, OutboxEvent.payload).order_by(OutboxEvent.id)
    ).all():
        db.session.rollback()  # end the read: each delivery runs its own transactions
        cls = event_class(name)
        if cls is None:
            log.error("outbox event %s (%s) has no installed event class; dropped", row_id, name)
        else:
            dispatch(cls(**payload))
            delivered += 1
        forget([row_id])
    return delivered


def drain_once_per_process() -> None:
    """before_request hook: the first request a process serves delivers what a stopped one left behind."""
    app = real_app()
    if app.extensions["lms"].outbox_drained:
        return
    app.extensions["lms"].outbox_drained = True
    drained = drain_outbox()
    if drained:
        log.warning("delivered %s event(s) left in the outbox by a process that stopped", drained)


def dispatch(event: Event) -> None:
    """Call each `lms_event` implementation in pluggy's order, in isolation so one failure cannot affect the others."""
    app = real_app()
    arguments = {"app": app, "event": event}
    # get_hookimpls() lists implementations in the reverse of the order pluggy calls them.
    for impl in reversed(plugin_manager(app).hook.lms_event.get_hookimpls()):
        if not deliver(impl, arguments):
            keep_failed(impl.plugin_name, event)


def deliver(impl, arguments: dict) -> bool:
    """Call one listener; False (logged, its transaction rolled back) when it raised."""
    try:
        # Like pluggy itself: an implementation takes just the arguments it names.
        impl.function(*[arguments[name] for name in impl.argnames])
    except Exception:  # a listener must never fail the request that emitted the event
        log.exception("listener %s failed on event %s", impl.plugin_name, arguments["event"].name)
        db.session.rollback()
        return False
    return True


def keep_failed(listener: str, event: Event) -> None:
    """Record that this listener failed on the event, so it can be given the event again."""
    try:
        begin_write()
        db.session.add(FailedDelivery(listener=listener, name=event.name, payload=event.as_dict()))
        db.session.commit()
    except Exception:  # the database itself is failing; the log line above is all that can be kept
        log.exception("could not keep the failed delivery of %s to %s", event.name, listener)
        db.session.rollback()


def redeliver_failed(listener: str, limit: int = 500) -> tuple[int, int]:
    """Give a listener the events it failed on, oldest first, up to `limit`; (delivered, still failing)."""
    app = real_app()
    impls = [impl for impl in plugin_manager(app).hook.lms_event.get_hookimpls() if impl.plugin_name == listener]
    rows = db.session.execute(
        select(FailedDelivery.id, FailedDelivery.name, FailedDelivery.payload)
        .where(FailedDelivery.listener == listener)
        .order_by(FailedDelivery.id)
        .limit(limit)
    ).all()
    db.session.rollback()  # end the read: each delivery runs its own transactions
    delivered, failing = 0, 0
    for row_id, name, payload in rows:
        cls = event_class(name)
        if cls is None or not impls:
            failing += 1
            continue
        if all(deliver(impl, {"app": app, "event": cls(**payload)}) for impl in impls):
            begin_write()
            db.session.execute(delete(FailedDelivery).where(FailedDelivery.id == row_id))
            db.session.commit()
            delivered += 1
        else:
            failing += 1
    return delivered, failing


@sqlalchemy_event.listens_for(Session, "after_soft_rollback")
def _forget_events(session, previous_transaction) -> None:
    # Events of a rolled-back transaction never happened.
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
