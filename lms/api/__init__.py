"""The REST API under /api/v1: personal access tokens, their scopes, problem-details errors and the OpenAPI
document generated from the same models that validate each request. Plugins add their own endpoints to it."""

from lms.plugins import hookimpl

PREFIX = "/api/v1"


@hookimpl
def lms_blueprints(app):
    """The API's own endpoints (the plugins' are theirs to register)."""
    from lms.api import token_views, views

    return [views.bp, token_views.bp]
