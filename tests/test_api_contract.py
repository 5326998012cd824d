"""The API against its own contract: schemathesis generates requests from the OpenAPI document (valid ones and
ones the document rules out) for every operation and checks each answer: never a 5xx, a status the document
lists, a body that matches its schema and media type, and bad input refused. It runs on both databases."""

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode

from lms.api.tokens import create_token
from lms.extensions import db
from lms.models import User
from tests.test_badges_issuing import earn_first_badge, sync_course


def reaches_the_api_as_generated(case) -> bool:
    """False when a query parameter would vanish on the wire: an empty list sends no `name=value` pair at all, so
    the API would be judged on a request other than the one generated (a case made invalid by an extra parameter
    holding [] reaches it as a valid request)."""
    return all(value != [] for value in (case.query or {}).values())


@pytest.fixture
def api_schema(app, make_user):
    """The API's document, bound to an app holding a course, a learner's progress, attempts and badge; and the
    headers of an admin whose token has every scope."""
    course = sync_course(app)
    earn_first_badge(app, make_user, course)
    admin = make_user("admin")
    with app.app_context():
        _token, secret = create_token(db.session.get(User, admin["id"]), "contract", ["read", "write", "admin"])
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), {"Authorization": f"Bearer {secret}"}


def test_every_operation_keeps_its_contract(api_schema):
    # Driven by Hypothesis directly, one operation after another: schemathesis's pytest plugin does not run under
    # this pytest, while its generator and its checks do.
    schema, headers = api_schema
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=25,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def keeps_contract(case):
                assume(reaches_the_api_as_generated(case))
                case.call_and_validate(headers=headers)

            keeps_contract()
    assert len(labels) >= 12, labels
