"""The API's own endpoints: its OpenAPI document and reference page, the caller, and (for admins) users and
cohorts. Plugins add courses, attempts and badges on blueprints of their own under the same prefix."""

import json

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import select

from lms.access import ANYONE, allow
from lms.api import PREFIX
from lms.api.auth import api_view, caller
from lms.api.models import CohortList, CohortSummary, Me, PageQuery, UserPage, UserQuery, UserSummary
from lms.api.spec import openapi_document, responses, validate
from lms.cohorts import Cohort, members
from lms.errors import fail
from lms.extensions import csrf, db
from lms.models import User, aware
from lms.user_search import user_page

bp = Blueprint("api", __name__, url_prefix=PREFIX)
# Tokens, not cookies, authenticate the API, so a forged cross-site request carries nothing to act with.
csrf.exempt(bp)


@bp.get("/openapi.json")
@allow(ANYONE)
def openapi():
    """The OpenAPI 3.1 document of the API."""
    response = Response(json.dumps(openapi_document(current_app), indent=2), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/docs")
@allow(ANYONE)
def reference():
    """The API reference, rendered in the browser from the OpenAPI document."""
    return render_template("api/reference.html")


@bp.get("/me")
@api_view("read")
@validate(summary="The caller: who the token acts for, and its scopes.", resp=responses(Me), tags=["account"])
def me():
    who = caller()
    return Me(who.id, who.email, who.display_name, who.role, sorted(who.scopes))


def user_summary(user: User) -> UserSummary:
    """The API's view of a user row."""
    return UserSummary(
        user.id,
        user.email,
        user.display_name,
        user.role,
        user.active,
        aware(user.created_at),  # type: ignore[arg-type]
    )


@bp.get("/users")
@api_view("admin", "admin")
@validate(
    summary="Every user in id order, searchable by the start of any word of their name or email, a page at a time.",
    query=UserQuery,
    resp=responses(UserPage, 400),
    tags=["admin"],
)
def users():
    query: UserQuery = request.context.query  # type: ignore[attr-defined]
    found, more = user_page(query.q, query.after, None, query.limit)
    return UserPage([user_summary(user) for user in found], found[-1].id if found and more else None)


@bp.get("/users/<int:user_id>")
@api_view("admin", "admin")
@validate(summary="One user.", resp=responses(UserSummary, 404), tags=["admin"])
def user(user_id: int):
    found = db.session.get(User, user_id)
    if found is None:
        fail(404, "No user has this id.")
    return user_summary(found)


@bp.get("/cohorts")
@api_view("admin", "admin")
@validate(summary="Every cohort by name, with its number of members.", resp=responses(CohortList), tags=["admin"])
def cohorts():
    rows = db.session.scalars(select(Cohort).order_by(Cohort.name))
    return CohortList(
        [CohortSummary(row.id, row.name, row.member_count, aware(row.created_at)) for row in rows]  # type: ignore[arg-type]
    )


@bp.get("/cohorts/<int:cohort_id>/members")
@api_view("admin", "admin")
@validate(
    summary="A cohort's learners in id order, a page at a time.",
    query=PageQuery,
    resp=responses(UserPage, 400, 404),
    tags=["admin"],
)
def cohort_members(cohort_id: int):
    if db.session.get(Cohort, cohort_id) is None:
        fail(404, "No cohort has this id.")
    query: PageQuery = request.context.query  # type: ignore[attr-defined]
    page = members(cohort_id, query.after, query.limit + 1)
    more = len(page) > query.limit
    page = page[: query.limit]
    return UserPage([user_summary(row) for row in page], page[-1].id if page and more else None)
