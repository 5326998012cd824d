"""On PostgreSQL a request reads in autocommit mode (no BEGIN, ROLLBACK or COMMIT sent to the server for its
reads) until it begins to write; on SQLite every request reads inside a transaction; the suite refuses a write
made without `begin_write`."""

import pytest
from sqlalchemy import select, text, update

from lms.access import SIGNED_IN, allow
from lms.db import OUTSIDE_TRANSACTION, begin_write, read_in_transaction, without_parallel_workers
from lms.extensions import db
from lms.models import User
from tests.conftest import csrf_token_from


def in_transaction(connection) -> bool:
    """Whether the database connection under `connection` is inside a transaction, as its driver tells it."""
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus

        return raw.info.transaction_status != TransactionStatus.IDLE
    return raw.in_transaction


@pytest.fixture
def probe(app):
    """A signed-in route that reads one row after doing what its `step` names, and says what the connection was in."""

    @allow(SIGNED_IN)
    def transaction_probe():
        from flask import request

        step = request.values.get("step", "read")
        if step == "begin_write":
            begin_write()
        elif step == "read_in_transaction":
            read_in_transaction()
        elif step == "set_local":
            without_parallel_workers()
        elif step == "write":
            db.session.execute(update(User).where(User.id == -1).values(display_name="nobody"))
        connection = db.session.connection()
        found = {"name": connection.execute(select(User.display_name).limit(1)).scalar()}
        found["in_transaction"] = in_transaction(connection)
        found["connection"] = id(connection.connection.dbapi_connection)
        if connection.dialect.name == "postgresql":
            found["parallel_workers"] = connection.execute(text("SHOW max_parallel_workers_per_gather")).scalar()
        return found

    app.add_url_rule("/transaction-probe", "transaction_probe", transaction_probe, methods=["GET", "POST"])
    return app


@pytest.fixture
def on_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def send(client, method: str, step: str = "read"):
    """What the probe found, asked with this method (a POST carries the page's CSRF token)."""
    if method == "GET":
        return client.get(f"/transaction-probe?step={step}").get_json()
    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    return client.post("/transaction-probe", data={"csrf_token": token, "step": step}).get_json()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_reads_outside_a_transaction_on_postgresql_only(probe, client, learner, on_postgresql, method):
    found = send(client, method)
    assert found["name"]  # the read itself works
    assert found["in_transaction"] is not on_postgresql
    assert client.head("/transaction-probe").status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("step", ["begin_write", "read_in_transaction"])
def test_a_request_that_asks_for_a_transaction_gets_one(probe, client, learner, method, step):
    assert send(client, method, step)["in_transaction"] is True


def test_a_connection_lent_for_reads_goes_back_to_the_pool_ready_for_a_transaction(probe, client, learner):
    lent = send(client, "GET")["connection"]
    with probe.app_context(), db.engine.connect() as connection:
        assert id(connection.connection.dbapi_connection) == lent  # the same connection, back from the pool
        connection.execute(select(1))
        assert in_transaction(connection)


def test_a_planner_setting_for_the_transaction_holds(probe, client, learner, on_postgresql):
    found = client.get("/transaction-probe?step=set_local").get_json()
    assert found["in_transaction"] is True
    if on_postgresql:
        assert found["parallel_workers"] == "0"  # SET LOCAL in autocommit mode would have changed nothing


def test_the_suite_refuses_a_write_without_begin_write(probe, client, learner, on_postgresql):
    response = client.get("/transaction-probe?step=write")
    refused = probe.extensions.get(OUTSIDE_TRANSACTION, [])
    if on_postgresql:
        assert response.status_code == 500 and len(refused) == 1 and refused[0].startswith("UPDATE users")
        refused.clear()  # seen: the fixture's own check at the end of the test has nothing left to report
    else:  # SQLite reads in a transaction, so the write is inside one
        assert response.status_code == 200 and refused == []
