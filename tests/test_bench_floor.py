"""The benchmark's floor (bench/floor.py) does what every signed-in page does and nothing of a page's own, so
a page's share of it says what that page's own work costs."""

import re

from bench.floor import create_app as create_floor_app
from tests.test_query_budget import measuring


def test_the_floor_routes_are_signed_in_pages_that_do_nothing_else(app, app_config, make_user, login):
    floor = create_floor_app(app_config)  # on the same database as `app`, which wipes it afterwards
    visitor = floor.test_client()
    for path in ("/bench/ok", "/bench/empty"):
        response = visitor.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path

    client = login(make_user(), target=floor.test_client())
    with measuring(floor) as ok_cost:
        ok = client.get("/bench/ok")
    assert (ok.status_code, ok.get_data(as_text=True)) == (200, "ok")
    assert ok.headers["Cache-Control"] == "no-store"  # the security hooks ran, as on every page
    with measuring(floor) as empty_cost:
        empty = client.get("/bench/empty")
    body = empty.get_data(as_text=True)
    assert empty.status_code == 200
    assert re.search(r'<nav aria-label="Main">.*Dashboard.*</nav>', body, re.S)  # the layout, signed in
    assert re.search(r'<form method="post" action="/logout"[^>]*>\s*<input[^>]+name="csrf_token"', body)
    # Both read the signed-in person and nothing else: the floor holds no page's own statements.
    assert ok_cost["statements"] == empty_cost["statements"] == statements_of_signing_in(floor, client)


def statements_of_signing_in(floor, client) -> int:
    """What a request costs the database when its view reads nothing: a 404 for a signed-in person."""
    with measuring(floor) as cost:
        assert client.get("/no-such-page").status_code == 404
    return cost["statements"]
