"""A pooled database connection is checked before a request gets it only after it sat idle: a connection in
steady use is lent as it is, one lost while idle (the server restarted, the socket was dropped) is replaced."""

import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from lms.extensions import db

IDLE_SECONDS = 1.0


@pytest.fixture
def app_config(app_config):
    return {**app_config, "DATABASE_PING_AFTER_IDLE_SECONDS": IDLE_SECONDS}


@pytest.fixture
def pings(app):
    """The connections the app checked before lending them, in order (the dialect's own check, observed)."""
    with app.app_context():
        dialect = db.engine.dialect
    checked: list = []
    check = dialect.do_ping

    def observed_check(dbapi_connection):
        checked.append(dbapi_connection)
        return check(dbapi_connection)

    dialect.do_ping = observed_check
    yield checked
    del dialect.do_ping


@pytest.fixture
def returned(app):
    """The driver connections given back to the app's pool, in order."""
    with app.app_context():
        engine = db.engine
    given_back: list = []
    listener = lambda dbapi_connection, _record: given_back.append(dbapi_connection)  # noqa: E731
    event.listen(engine, "checkin", listener)
    yield given_back
    event.remove(engine, "checkin", listener)


@pytest.fixture
def learner_client(client, make_user, login):
    login(make_user(email="idle@example.com", name="Ida Idle"))
    return client


def dashboard_greets_the_learner(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 200 and "Ida Idle" in response.get_data(as_text=True)


def test_a_connection_in_steady_use_is_lent_without_a_check(learner_client, pings):
    assert dashboard_greets_the_learner(learner_client)
    pings.clear()
    for _ in range(3):
        assert dashboard_greets_the_learner(learner_client)
    assert pings == []


def test_a_connection_left_idle_is_checked_before_a_request_gets_it(learner_client, pings):
    assert dashboard_greets_the_learner(learner_client)
    pings.clear()
    time.sleep(IDLE_SECONDS + 0.2)
    assert dashboard_greets_the_learner(learner_client)
    assert len(pings) == 1


def test_a_connection_lost_while_idle_is_replaced_before_a_request_uses_it(app, learner_client, returned):
    assert dashboard_greets_the_learner(learner_client)
    lost = returned[-1]
    with app.app_context():
        on_postgresql = db.engine.dialect.name == "postgresql"
    if on_postgresql:
        # The server ends the session, as a restart or an administrator would.
        admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost.info.backend_pid})
        admin.dispose()
    else:
        lost.close()  # an embedded database's connection can only be lost from this side
    time.sleep(IDLE_SECONDS + 0.2)

    assert dashboard_greets_the_learner(learner_client)
    assert returned[-1] is not lost
