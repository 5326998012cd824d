"""The badges plugin's part of the API: the caller's badges, with the addresses of their public documents, both
forms of their credential and (for a course badge) the certificate."""

from datetime import datetime

import msgspec
from flask import Blueprint
from sqlalchemy import select

from badges.certificate import PAPER_SIZES
from badges.documents import external
from badges.models import Award, BadgeClass
from lms.api import PREFIX
from lms.api.auth import api_view, caller
from lms.api.spec import responses, validate
from lms.extensions import csrf, db
from lms.models import aware

bp = Blueprint("badges_api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


class BadgeLinks(msgspec.Struct):
    __doc__ = "Where an award's documents are: all public, so the holder can share any of them."

    verify_page: str
    assertion: str
    credential_jwt: str
    credential_json: str
    image_png: str
    image_svg: str
    certificates: dict[str, str]


class BadgeItem(msgspec.Struct):
    __doc__ = "A badge the caller was awarded."

    id: str
    name: str
    description: str
    course_badge: bool
    issued_at: datetime
    revoked: bool
    revocation_reason: str | None
    links: BadgeLinks | None


class BadgeList(msgspec.Struct):
    __doc__ = "The caller's badges, newest first; a revoked badge has no documents any more."

    items: list[BadgeItem]


def links_of(award: Award, course_badge: bool) -> BadgeLinks:
    """The public addresses of an award's documents."""
    public_id = award.public_id
    return BadgeLinks(
        verify_page=external("badges.verify", public_id=public_id),
        assertion=external("badges.assertion", public_id=public_id),
        credential_jwt=external("badges.credential", public_id=public_id),
        credential_json=external("badges.credential_json", public_id=public_id),
        image_png=external("badges.baked_image", public_id=public_id, ext="png"),
        image_svg=external("badges.baked_image", public_id=public_id, ext="svg"),
        certificates={paper: external("badges.certificate", public_id=public_id, paper=paper) for paper in PAPER_SIZES}
        if course_badge
        else {},
    )


@bp.get("/me/badges")
@api_view("read")
@validate(summary="The caller's badges and certificates.", resp=responses(BadgeList), tags=["badges"])
def my_badges():
    awards = db.session.scalars(
        select(Award).join(BadgeClass).where(Award.user_id == caller().id).order_by(Award.issued_at.desc(), Award.id)
    )
    items = []
    for award in awards:
        badge = award.badge_class
        course_badge = badge.module_id is None
        items.append(
            BadgeItem(
                id=award.public_id,
                name=badge.name,
                description=badge.description,
                course_badge=course_badge,
                issued_at=aware(award.issued_at),  # type: ignore[arg-type]
                revoked=award.revoked,
                revocation_reason=award.revocation_reason if award.revoked else None,
                links=None if award.revoked else links_of(award, course_badge),
            )
        )
    return BadgeList(items)
