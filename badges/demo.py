"""Generated learners' badges: one award per module and course their walk completed, a few of them revoked."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from badges.models import Award, BadgeClass
from badges.openbadges import hash_recipient, new_assertion_id, new_salt
from badges.services import held_cell
from courses.demo import Walk
from lms.db import insert_many
from lms.extensions import db

REVOKED_SHARE = 0.005  # awards later withdrawn, so the reports show every status


def add_awards(course, walks: list[Walk], rng: random.Random) -> None:
    """Award the module and course badges the walks earned (the `lms_demo_progress` hook)."""
    badges = db.session.execute(
        select(BadgeClass.id, BadgeClass.module_id).where(
            BadgeClass.course_id == course.id, BadgeClass.active.is_(True)
        )
    ).all()
    by_module = {module_id: badge_id for badge_id, module_id in badges if module_id is not None}
    course_badges = [badge_id for badge_id, module_id in badges if module_id is None]
    titles = {module.id: module.title for module in course.modules}
    rows = []
    now = datetime.now(UTC)
    for walk in walks:
        earned = [(by_module[m], at, f"Module “{titles[m]}”") for m, at in walk.modules_completed if m in by_module]
        if walk.completed_at is not None:
            earned += [(badge_id, walk.completed_at, f"Course “{course.title}”") for badge_id in course_badges]
        for badge_id, at, completed in earned:
            salt = new_salt()
            revoked = rng.random() < REVOKED_SHARE
            if not revoked:
                walk.cells[held_cell(badge_id)] = 1
            rows.append(
                {
                    "public_id": new_assertion_id(),
                    "badge_class_id": badge_id,
                    "user_id": walk.learner.user_id,
                    "salt": salt,
                    "recipient_hash": hash_recipient(walk.learner.email, salt),
                    "issued_at": at,
                    "evidence": {"completed": completed, "best_score": None, "date": at.date().isoformat()},
                    # An admin withdraws an award some days after it was issued, never in the future.
                    "revoked_at": min(at + timedelta(days=rng.uniform(1, 14)), now) if revoked else None,
                    "revocation_reason": "Awarded in error: the learner's quiz was retaken under supervision."
                    if revoked
                    else None,
                }
            )
    insert_many(Award, rows)
