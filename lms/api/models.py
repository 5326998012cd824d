"""The shapes the API's core endpoints accept and answer with (msgspec structs: they validate requests and
describe them in the OpenAPI document alike)."""

from datetime import datetime
from typing import Annotated

import msgspec

from lms.forms import MAX_ROW_ID

RowId = Annotated[int, msgspec.Meta(ge=0, le=MAX_ROW_ID, description="A row id.")]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=100, description="How many items a page holds.")]
# Text the LMS stores or searches: no control characters but tab and line breaks (lms.input_guard refuses them).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SearchText = Annotated[str, msgspec.Meta(max_length=200, pattern=PLAIN_TEXT)]


class PageQuery(msgspec.Struct, forbid_unknown_fields=True):
    __doc__ = "Keyset paging: the items after the id given (the `next` of the previous page)."

    after: RowId | None = None
    limit: PageSize = 50


class UserQuery(PageQuery, forbid_unknown_fields=True):
    __doc__ = "Paging, and a search by the start of any word of the name or email."

    q: SearchText = ""


class Me(msgspec.Struct):
    __doc__ = "The caller: their account and what their token allows."

    id: int
    email: str
    display_name: str
    role: str
    scopes: list[str]


class UserSummary(msgspec.Struct):
    __doc__ = "A user as the admin's user list shows them."

    id: int
    email: str
    display_name: str
    role: str
    active: bool
    created_at: datetime


class UserPage(msgspec.Struct):
    __doc__ = "A page of users in id order; `next` is the `after` of the following page, null on the last."

    items: list[UserSummary]
    next: int | None


class CohortSummary(msgspec.Struct):
    __doc__ = "A cohort and its number of members."

    id: int
    name: str
    member_count: int
    created_at: datetime


class CohortList(msgspec.Struct):
    __doc__ = "Every cohort by name."

    items: list[CohortSummary]
