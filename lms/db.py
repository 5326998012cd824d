"""Database engine set-up and transaction helpers shared by every service."""

import sqlite3
from typing import cast

from sqlalchemy import CursorResult, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lms.extensions import db

IMMEDIATE = "lms_begin_immediate"


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Give SQLite WAL mode, a busy timeout, foreign keys and BEGIN IMMEDIATE for write transactions."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Take transaction control away from pysqlite so that our own BEGIN below is the one used.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A deferred transaction that reads and then writes can fail with "database is locked" whatever
        # the timeout; a write transaction therefore takes the write lock up front.
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start the session's write transaction now (BEGIN IMMEDIATE on SQLite), ending any read one first."""
    session = db.session()  # the current scoped Session
    if session.in_transaction():
        # Ends the read transaction opened by loading the user; loaded objects simply reload on access.
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})


def commit() -> None:
    """Commit the session, then dispatch the events the transaction emitted."""
    from lms.events import dispatch_pending

    db.session.commit()
    dispatch_pending()


def insert_if_absent(model, values: dict) -> bool:
    """Insert a row unless one with the same unique key exists; True when this call inserted it.

    One statement (INSERT ... ON CONFLICT DO NOTHING) on SQLite and PostgreSQL, so two requests recording the
    same fact at the same moment need neither a check first nor a savepoint.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        result = db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
        return cast(CursorResult, result).rowcount == 1
    if db.session.scalar(select(model.id).filter_by(**values)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(model(**values))
    except IntegrityError:
        return False  # another request recorded the same fact at the same moment
    return True
