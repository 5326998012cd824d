"""The API's contract: one SpecTree instance validates each request against msgspec models and generates the
OpenAPI 3.1 document from the same models, so the document cannot drift from what the API accepts."""

import copy
from collections.abc import Callable
from typing import Any

from flask import Flask
from spectree import Response as Responses
from spectree import SpecTree
from spectree.model_adapter import get_msgspec_model_adapter

from lms.api.problems import PROBLEM_JSON, InvalidField, Problem, problem

API_TITLE = "BPO Academy LMS API"
API_VERSION = "1.0.0"
DESCRIPTION = (
    "Read the courses, your enrolments, progress, quiz attempts and badges; admins read users, cohorts and "
    "progress reports. Authenticate with a personal access token (create one under Profile) sent as "
    "`Authorization: Bearer <token>`. Errors are RFC 9457 problem details. Lists are paged by key: pass the "
    "`next` value of a page as `after` to get the next one."
)
# Every API view may answer these besides its own: no or a bad token, a scope or role it lacks, too many requests.
COMMON_ERRORS = (401, 403, 429)


def reject_invalid(request, response, error, instance, model_adapter) -> None:
    """SpecTree's hook before a view: turn its validation error body into a problem, naming each bad field."""
    if error is None or response is None:
        return
    fields = [
        InvalidField(location=[str(part) for part in item.get("loc", [])], message=str(item.get("msg", "")))
        for item in model_adapter.validation_errors(error)
    ]
    answer = problem(response.status_code, "The request's parameters or body are not valid.", fields)
    response.set_data(answer.get_data())
    response.mimetype = PROBLEM_JSON


api_spec = SpecTree(
    "flask",
    title=API_TITLE,
    version=API_VERSION,
    description=DESCRIPTION,
    mode="strict",  # only the decorated API views are documented
    annotations=False,
    model_adapter=get_msgspec_model_adapter(),
    validation_error_status=400,
    validation_error_model=Problem,
    before=reject_invalid,
)


def responses(ok: Any, *errors: int, ok_status: int = 200) -> Responses:
    """The responses an API view documents: its result and each problem it may answer with."""
    codes: dict[str, Any] = {f"HTTP_{ok_status}": ok}
    for status in sorted({*COMMON_ERRORS, *errors}):
        codes[f"HTTP_{status}"] = Problem
    return Responses(**codes)


def validate(summary: str, **options: Any) -> Callable:
    """`api_spec.validate` with the API's defaults (tags and responses given by each view), and the view's summary.

    The summary becomes the view's `__doc__`, which SpecTree reads for the document, instead of being its docstring:
    production workers run under `python -OO`, which drops docstrings. For the same reason the API's models set
    `__doc__` rather than writing a docstring (msgspec describes each model in the document with it).
    """

    def decorate(view: Callable) -> Callable:
        view.__doc__ = summary
        return api_spec.validate(**options)(view)

    return decorate


def openapi_document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of ``app``'s API, built once per app."""
    state = app.extensions.setdefault("lms_api", {})
    if "document" not in state:
        api_spec.app = app
        api_spec.__dict__.pop("_spec", None)  # SpecTree caches the document of the app it last saw
        # Generating moves the nested models out of SpecTree's registry, so each app's document starts from a copy.
        models = copy.deepcopy(api_spec.models)
        try:
            document = copy.deepcopy(api_spec.spec)
        finally:
            api_spec.models = models
        state["document"] = finish_document(document)
    return state["document"]


def finish_document(document: dict) -> dict:
    """What SpecTree leaves out: problems' media type, the bearer scheme, and the server the paths live under."""
    document["components"]["securitySchemes"] = {
        "token": {"type": "http", "scheme": "bearer", "description": "A personal access token (lms_pat_...)."}
    }
    for path in document.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["security"] = [{"token": []}]
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and "application/json" in answer.get("content", {}):
                    answer["content"] = {PROBLEM_JSON: answer["content"].pop("application/json")}
    return document
