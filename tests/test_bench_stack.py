"""The benchmark's stack floor (bench/stack.py) is a signed-in request through Flask, Flask-SQLAlchemy and
Flask-Login alone: it reads the LMS's own session, costs one statement, and answers only while that session lasts."""

from sqlalchemy import event

from bench.stack import create_app as create_stack_app
from bench.stack import db as stack_db
from tests.conftest import csrf_token_from


def test_the_stack_floor_reads_the_lms_session_with_one_statement_until_it_ends(app, app_config, make_user, login):
    stack = create_stack_app(app_config)  # on the same database and secret as `app`
    assert stack.test_client().get("/stack/ok").status_code == 401  # no session: Flask-Login refuses

    client = login(make_user())  # signed in to the LMS, through its own form
    visitor = stack.test_client()
    visitor.set_cookie("session", client.get_cookie("session").value)
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with stack.app_context():
        engine = stack_db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = visitor.get("/stack/ok")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")
    assert len(statements) == 1 and "FROM users" in statements[0]  # the signed-in person, and nothing else
    assert "Set-Cookie" not in response.headers  # the session is read, not signed again

    # Signing out of the LMS ends the account's sessions everywhere, this copy of the cookie included.
    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert visitor.get("/stack/ok").status_code == 401
