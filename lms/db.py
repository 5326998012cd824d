"""Database engine set-up and transaction helpers shared by every service."""

import fcntl
import json
import os
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from flask import Flask
from sqlalchemy import JSON, Float, bindparam, cast, column, event, func, insert, literal, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.sql.elements import TextClause

from lms.extensions import READS_OUTSIDE_TRANSACTION, db

if TYPE_CHECKING:
    import sqlite3

# The SQLite driver and each dialect's INSERT are imported where their database is in use: a worker on
# PostgreSQL never loads sqlite3 (a megabyte of its memory).

IMMEDIATE = "lms_begin_immediate"
HOLDS_WRITE_TURN = "lms_holds_write_turn"
RETURNED_AT = "lms_returned_at"
Statement = TypeVar("Statement")


class WriteTurns:
    """Writers to one SQLite file take turns through an OS file lock beside it.

    SQLite's own busy handler makes a waiting writer sleep and retry (up to 100 ms a try), so under a cohort's
    submits most of each write's time was spent asleep while the lock was already free. A blocking file lock
    wakes the next writer the moment the last one ends. The kernel drops it if its process dies, and a web
    worker stuck while holding it is killed by the server's worker timeout.
    """

    def __init__(self, database_path: str):
        self.path = database_path + ".write-turns"
        self.in_process = threading.Lock()  # threads of one process queue here, processes on the file
        self.fd: int | None = None
        self.pid = 0

    def take(self) -> None:
        """Wait for this process's and then this file's turn to write."""
        self.in_process.acquire()
        try:
            if self.fd is None or self.pid != os.getpid():  # a forked worker opens its own descriptor
                self.fd, self.pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.in_process.release()
            raise

    def give_back(self) -> None:
        """End this writer's turn."""
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.in_process.release()


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Give SQLite WAL mode, a busy timeout, foreign keys and BEGIN IMMEDIATE for write transactions."""
    if engine.dialect.name != "sqlite":
        return
    on_disk = engine.url.database not in (None, "", ":memory:")
    turns = WriteTurns(str(engine.url.database)) if on_disk else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: "sqlite3.Connection", _record) -> None:
        # Take transaction control away from pysqlite so that our own BEGIN below is the one used.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if on_disk:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A deferred transaction that reads and then writes can fail with "database is locked" whatever
        # the timeout; a write transaction therefore takes the write lock up front.
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        if immediate and turns is not None:
            turns.take()
            connection.info[HOLDS_WRITE_TURN] = True
        # Straight to the driver: a statement of our own needs none of SQLAlchemy's execution machinery, which
        # took a twentieth of a signed-in request that does nothing else.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        # A connection goes back to the pool once its transaction has committed or rolled back: only then may
        # the next writer begin, or it would find SQLite's lock still held and go to sleep.
        if turns is not None and record.info.pop(HOLDS_WRITE_TURN, False):
            turns.give_back()


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Before lending a pooled connection that has sat unused for `idle_seconds` or more, check that its server
    still answers; a dead one is replaced by a new connection.

    A connection goes stale while idle (the database restarted, a firewall dropped a quiet socket), not while it
    is in use many times a second: SQLAlchemy's `pool_pre_ping` asks on every checkout, which on PostgreSQL
    added a transaction of its own (`SELECT 1`) to every checkout, and so to every request. Should the server
    restart while connections are busy, the request that finds its connection dead fails, and SQLAlchemy then
    replaces every connection the pool held before it."""

    @event.listens_for(engine, "checkin")
    def _note_return(_dbapi_connection, record) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get(RETURNED_AT)  # None for a connection just opened: it needs no check
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the check leaves no transaction open
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and lends a new one (or raises the server's error if none opens).
            raise DisconnectionError(f"a pooled connection no longer answers: {error}") from error


# Statements that mean nothing, or too little, outside a transaction: a change of data, a row lock, a SET LOCAL.
NEEDS_TRANSACTION = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|LOCK|SAVEPOINT|SET\s+LOCAL)\b"
    r"|^\s*WITH\b.*\b(INSERT|UPDATE|DELETE)\b|\bFOR\s+(NO\s+KEY\s+)?UPDATE\b|\bFOR\s+(KEY\s+)?SHARE\b"
    r"|\bpg_advisory_xact_lock",
    re.IGNORECASE | re.DOTALL,
)
OUTSIDE_TRANSACTION = "lms_statements_outside_transaction"


def watch_statements_outside_transaction(app: Flask, engine: Engine) -> None:
    """Record (in `app.extensions`) and refuse every statement run in autocommit mode that needs a transaction:
    the test suite's proof that every request which writes begins its transaction first."""
    found: list[str] = app.extensions.setdefault(OUTSIDE_TRANSACTION, [])

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        # The driver's own mode, not the option asked for: a connection left in autocommit would show here too.
        autocommit = getattr(connection.connection.dbapi_connection, "autocommit", False)
        if autocommit and NEEDS_TRANSACTION.search(statement):
            found.append(statement)
            raise RuntimeError(f"needs a transaction (begin_write or read_in_transaction first): {statement[:200]}")


def read_outside_transaction(engine: Engine) -> Callable[[], None]:
    """The before_request hook (PostgreSQL) by which a request reads in autocommit mode until it calls
    `begin_write`.

    At READ COMMITTED (PostgreSQL's default, and this app's) each statement sees what was committed when it
    began, inside a transaction or not, and `begin_write` ended the read transaction before its write one anyway:
    reading outside one loses nothing, and spares a page the BEGIN and ROLLBACK, and a write the BEGIN and
    COMMIT of its reads, each a round trip to the server. (SQLite keeps its read transaction: its BEGIN costs no
    round trip, and its snapshot keeps a page's statements consistent with one another.)"""
    # Built once: the twin shares the engine's pool, and each connection it lends goes back out of autocommit mode.
    reading = (engine, engine.execution_options(isolation_level="AUTOCOMMIT"))

    def read_in_autocommit_mode() -> None:
        db.session.info[READS_OUTSIDE_TRANSACTION] = reading

    return read_in_autocommit_mode


def read_in_transaction() -> None:
    """What the session reads from now on is read inside a transaction (a server-side cursor needs one)."""
    session = db.session()
    if session.info.pop(READS_OUTSIDE_TRANSACTION, None) is not None and session.in_transaction():
        session.commit()  # commits nothing: it gives back the autocommit connection


def not_to_start_from(condition):
    """A filter the planner should apply as it goes rather than start from. Without statistics (a database never
    ANALYZEd), SQLite takes a condition on an indexed column as the most selective, and starts from it: a
    trainer's one course, then every answer ever given in it, where the partial index of the few answers waiting
    is the way in. `likely()` tells it the condition is nearly always true; PostgreSQL plans from its statistics."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.likely(condition)
    return condition


def begin_write() -> None:
    """Start the session's write transaction now (BEGIN IMMEDIATE on SQLite), ending any read one first."""
    session = db.session()  # the current scoped Session
    session.info.pop(READS_OUTSIDE_TRANSACTION, None)
    if session.in_transaction():
        # Ends the reads begun by loading the user (a read transaction on SQLite, autocommit on PostgreSQL);
        # loaded objects simply reload on access.
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})


def commit() -> None:
    """Commit the session, then dispatch the events the transaction emitted."""
    from lms.events import dispatch_pending

    db.session.commit()
    dispatch_pending()


_PREPARED: dict[tuple, object] = {}


def prepared(build: Callable[..., Statement], *args) -> Statement:
    """The statement `build(*args)` makes, built once per process and database dialect.

    For the learner's hot paths: a statement written with bound parameters and built once costs no SQL
    expression building per request, and its cache key (to find its compiled form) is worked out once, where
    building it afresh took longer than running it."""
    dialect = db.session.get_bind().dialect
    key = (build, args, dialect.name)
    statement = _PREPARED.get(key)
    if statement is None:
        statement = build(*args)
        if statement._generate_cache_key() is None:  # type: ignore[attr-defined]
            statement = as_cached_text(statement, dialect)
        _PREPARED[key] = statement
    return statement  # type: ignore[return-value]


def as_cached_text(statement, dialect) -> TextClause:
    """The statement compiled once, as text with typed parameters.

    SQLAlchemy never caches the compiled form of a dialect's INSERT ... ON CONFLICT (it has no cache key), so
    an upsert would be compiled again on every execution, which costs more than running it; text is cached.
    Every value the statement inserts must be a named bound parameter (see `bound`)."""
    plain = type(dialect)(paramstyle="named")
    plain.bind_typing = BindTyping.NONE  # no casts written into the SQL: the executing dialect adds its own
    compiled = statement.compile(dialect=plain)
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("a statement compiled once cannot fill column defaults: bind every column it inserts")
    sql = compiled.string
    binds = compiled.binds
    return text(sql).bindparams(
        *(
            bindparam(name, type_=binds[name].type)
            if binds[name].required
            else bindparam(name, binds[name].value, type_=binds[name].type)
            for name in dict.fromkeys(re.findall(r"(?<![:\w]):(\w+)", sql))
        )
    )


def bound(table, names) -> dict:
    """VALUES for an INSERT: each named column takes the bound parameter of the same name."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def insert_if_absent(model, **values) -> bool:
    """Insert a row unless one with the same unique key exists; True when this call inserted it.

    One statement (INSERT ... ON CONFLICT DO NOTHING) on SQLite and PostgreSQL, so two requests recording the
    same fact at the same moment need neither a check first nor a savepoint.
    """
    db.session.flush()  # rows this one refers to go first
    values = with_defaults(model.__table__, values)
    statement = prepared(_insert_or_nothing, model, tuple(values))
    return db.session.connection().execute(statement, values).first() is not None


def with_defaults(table, values: dict) -> dict:
    """`values` and the Python-side default of each column they leave out, as an INSERT would add them."""
    filled = dict(values)
    for each in table.columns:
        default = each.default
        if each.name not in filled and default is not None and not default.is_sequence:
            filled[each.name] = default.arg(None) if default.is_callable else default.arg
    return filled


def _insert_or_nothing(model, names: tuple[str, ...]):
    table = model.__table__
    return upsert(table).values(bound(table, names)).on_conflict_do_nothing().returning(table.c.id)


def upsert(table):
    """An INSERT of the session's database dialect, which can say what to do ON CONFLICT (SQLite, PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def json_or_bind_processor(column_type, dialect):
    """How a bulk load turns a Python value into what the driver takes: JSON documents as their text (which
    both databases read into a JSON column), other values as the column's type does it."""
    if isinstance(column_type, JSON):
        return json.dumps
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def insert_many(model, rows: list[dict]) -> None:
    """Insert many rows in the open transaction, for bulk loads: every row has the same keys and gives every
    column that has no server default (the model's Python-side defaults are not applied).

    The ORM's bulk path and Core's executemany process each value of each row one by one; here each value is
    processed (a JSON document serialised, a date formatted) once per object, and rows of a bulk load share
    most of theirs. SQLite takes them in one executemany, PostgreSQL through COPY, which makes loading millions
    of rows several times faster.
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    columns = model.__table__.columns
    processors = [json_or_bind_processor(columns[name].type, dialect) for name in names]
    done: dict[int, tuple[object, object]] = {}  # id -> (the value, kept alive so the id stays its own; processed)

    def processed(process, value):
        if process is None or value is None:
            return value
        found = done.get(id(value))
        if found is None:
            found = done[id(value)] = (value, process(value))
        return found[1]

    values = ([processed(p, row[name]) for p, name in zip(processors, names, strict=True)] for row in rows)
    if dialect.name == "postgresql":
        copy = f"COPY {model.__tablename__} ({', '.join(names)}) FROM STDIN"
        driver = connection.connection.driver_connection
        assert driver is not None  # the session's connection is open
        with driver.cursor() as cursor, cursor.copy(copy) as load:
            for row in values:
                load.write_row(row)
    else:
        target = table(model.__tablename__, *(column(name, columns[name].type) for name in names))
        statement = str(insert(target).compile(dialect=dialect))  # columns in the order of `names`
        connection.exec_driver_sql(statement, [tuple(row) for row in values])


def json_merged(column, name: str):
    """An SQL expression: the JSON object in `column` (or an empty one) with the object in the bound parameter
    `name` merged in; a key patched to None is removed (JSON Merge Patch, RFC 7396, on both databases). The
    column is JSONB on PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        merged = func.coalesce(column, func.jsonb_build_object()).op("||")(bindparam(name, type_=JSONB))
        return func.jsonb_strip_nulls(merged)
    return func.json_patch(func.coalesce(column, "{}"), bindparam(name, type_=JSON))


def utc_day(column):
    """An SQL expression: the UTC day of a date-time column as 'YYYY-MM-DD' text, read without building a Python
    date-time for each row (the exports read 100,000)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite keeps UTC date-times as 'YYYY-MM-DD HH:MM:SS...' text


def json_number(column, key: str):
    """An SQL expression: the number a JSON object column holds under `key`, or NULL, read by the database so
    that no row's document is parsed in Python."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column.op("->>")(key), Float)
    return func.json_extract(column, literal(f'$."{key}"'))


def planned_for_every_row() -> None:
    """For the rest of the transaction, PostgreSQL plans a cursor's query for reading all of its rows, not its
    first tenth (`cursor_tuple_fraction`): an export reads every learner, and the plan that starts fastest (walk an
    index, look each row up) took 0.4 s longer than a hash join and a sort at 100,000 learners. SQLite has no
    such setting."""
    if db.session.get_bind().dialect.name == "postgresql":
        read_in_transaction()  # a SET LOCAL outside one changes nothing
        db.session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))


def without_parallel_workers() -> None:
    """For the rest of the transaction, PostgreSQL plans without parallel workers (SQLite has none): a query that
    stops after a page of rows never repays starting them (a learner-table search at 100,000 learners: 74 ms
    with two workers, 24 ms without)."""
    if db.session.get_bind().dialect.name == "postgresql":
        read_in_transaction()  # a SET LOCAL outside one changes nothing
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
