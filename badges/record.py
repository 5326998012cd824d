"""The badges plugin's part of a learner's record: each badge with its status."""

from flask import url_for
from sqlalchemy import select

from badges.models import Award, BadgeClass
from badges.services import held_cell
from lms.extensions import db
from lms.models import User
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


def badges_column(course_id: int) -> list:
    """The course's badges each learner holds (revoked ones left out), in course order, from the cells kept as
    badges are issued and revoked."""
    from courses.learner_table import Column

    badges = db.session.execute(
        select(BadgeClass.id, BadgeClass.name).where(BadgeClass.course_id == course_id).order_by(BadgeClass.id)
    ).all()
    names = [name for _badge_id, name in badges]
    texts: dict[tuple, list[str]] = {}  # each set of badges held, written once: sets repeat across learners

    def show(held) -> list[str]:
        key = tuple(held)
        if key not in texts:
            texts[key] = ["; ".join([name for name, value in zip(names, key, strict=True) if value])]
        return texts[key]

    return [Column(["Badges"], [held_cell(badge_id) for badge_id, _name in badges], show)]


def badges_issued(course_id: int) -> list[tuple[int, str]]:
    """How many of the course's badges are held (revoked ones left out), from each badge class's kept count."""
    from sqlalchemy import func

    held = db.session.scalar(select(func.sum(BadgeClass.held_count)).where(BadgeClass.course_id == course_id))
    return [(held or 0, "badges held")]


def award_names(public_ids: set[str]) -> dict[str, str]:
    """Each award, by its public id, named by its badge and its earner ("Job-Ready, of Lia Tan"), for the audit log."""
    if not public_ids:
        return {}
    found = db.session.execute(
        select(Award.public_id, BadgeClass.name, User.display_name)
        .join(BadgeClass, BadgeClass.id == Award.badge_class_id)
        .join(User, User.id == Award.user_id)
        .where(Award.public_id.in_(public_ids))
    ).tuples()
    return {f"award:{public_id}": f"{badge}, of {earner}" for public_id, badge, earner in found}
