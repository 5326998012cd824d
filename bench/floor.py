"""The LMS's own floor: the app the benchmark serves, plus two routes that do only what every page does.

`/bench/ok` answers "ok" to a signed-in learner: the session cookie, Flask-Login's user, the access, CSRF and
security hooks, and nothing of a page's own. `/bench/empty` is a page in the site's layout with nothing in it:
the floor for an HTML page. The benchmark serves this app beside the LMS and hello, so each page can be told
apart from what no page's own work can remove.
"""

from flask import Flask, current_app

from lms import create_app as create_lms_app
from lms.access import SIGNED_IN, allow

EMPTY_PAGE = '{% extends "base.html" %}{% block title %}Empty{% endblock %}{% block content %}{% endblock %}'


def create_app(config=None) -> Flask:
    """The LMS (configured as `lms.create_app` takes it) with the two floor routes."""
    app = create_lms_app(config)
    empty_page = app.jinja_env.from_string(EMPTY_PAGE)  # compiled once, as a template file would be

    @allow(SIGNED_IN)
    def ok() -> str:
        """A signed-in route with nothing to do."""
        return "ok"

    @allow(SIGNED_IN)
    def empty() -> str:
        """The site's layout around nothing, with the context every page's template gets."""
        context: dict = {}
        current_app.update_template_context(context)
        return empty_page.render(context)

    app.add_url_rule("/bench/ok", "bench_ok", ok)
    app.add_url_rule("/bench/empty", "bench_empty", empty)
    return app
