"""The badges plugin's part of a learner's record: each badge with its status."""

from flask import url_for
from sqlalchemy import select

from badges.models import Award, BadgeClass
from lms.extensions import db
from lms.records import RecordPart, TimelineEntry


def badges_part(learner_id: int, course_ids: set[int] | None) -> RecordPart:
    """Every award of the learner for badges of these courses, with when it was issued and any revocation."""
    query = select(Award).join(BadgeClass, BadgeClass.id == Award.badge_class_id).where(Award.user_id == learner_id)
    if course_ids is not None:
        query = query.where(BadgeClass.course_id.in_(course_ids))
    awards = db.session.scalars(query.order_by(Award.issued_at, Award.id)).all()
    timeline = []
    for award in awards:
        link = url_for("badges.verify", public_id=award.public_id)
        timeline.append(TimelineEntry(award.issued_at, f"Earned the badge “{award.badge_class.name}”", link))
        if award.revoked_at:
            timeline.append(TimelineEntry(award.revoked_at, f"The badge “{award.badge_class.name}” was revoked", link))
    return RecordPart(
        order=30, title="Badges", template="badges/_record.html", context={"awards": awards}, timeline=timeline
    )
