"""The LMS's Flask class remembers, per function's code, what Flask's `ensure_sync` found for it."""

from lms.flask_app import LmsFlask


class UnhashableHandler:
    """A callable that defines equality and so cannot be a dictionary key."""

    def __eq__(self, other):
        return isinstance(other, UnhashableHandler)

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, value):
        return value * 2


def test_ensure_sync_remembers_plain_functions_and_serves_any_callable():
    app = LmsFlask(__name__)

    def hook():
        return "ran"

    assert app.ensure_sync(hook) is hook
    assert app.synchronous_code == {hook.__code__: True}  # a second call finds it
    assert app.ensure_sync(hook)() == "ran"

    unhashable = UnhashableHandler()
    assert app.ensure_sync(unhashable)(21) == 42  # not remembered, still served
    assert len(app.synchronous_code) == 1


def test_closures_made_for_each_request_share_one_entry_and_are_not_kept():
    app = LmsFlask(__name__)
    made = []
    for n in range(50):

        def callback(response, n=n):
            return (response, n)

        made.append(app.ensure_sync(callback))
    assert [f("r") for f in made[:2]] == [("r", 0), ("r", 1)]  # each is itself, not another closure
    assert list(app.synchronous_code) == [made[0].__code__]  # the code, not the 50 functions


def test_hooks_that_are_not_plain_functions_run_on_every_request(app, client):
    app.before_request_funcs.setdefault(None, []).append(UnhashableHook())
    for _ in range(2):
        response = client.get("/login")
        assert response.status_code == 200
        assert response.headers["X-Checked"] == "yes"  # its after_this_request callback ran too


class UnhashableHook:
    """A before_request hook that marks the response (through an `after_this_request` callback, a closure made for
    each request), and cannot be a dictionary key."""

    __hash__ = None  # type: ignore[assignment]

    def __call__(self):
        from flask import after_this_request

        @after_this_request
        def mark(response):
            response.headers["X-Checked"] = "yes"
            return response
