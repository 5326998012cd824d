"""Issuing, editing and revoking badges."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from courses.models import Course, Module
from lms.badges.models import Award, BadgeClass
from lms.badges.openbadges import hash_recipient, new_assertion_id, new_salt
from lms.db import begin_write, commit
from lms.events import emit
from lms.extensions import db
from lms.models import User, audit
from lms.services import ServiceError


def sync_badges(pack, course: Course) -> None:
    """Load the pack's badge classes into the open transaction, keeping text an admin edited."""
    modules = {m.slug: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))}
    existing = {b.slug: b for b in db.session.scalars(select(BadgeClass).where(BadgeClass.course_id == course.id))}
    for badge in existing.values():
        badge.active = False
    for spec in pack.badges:
        badge = existing.get(spec.slug)
        if badge is None:
            badge = BadgeClass(course_id=course.id, slug=spec.slug, name=spec.name)
            db.session.add(badge)
        module = modules.get(spec.target)
        badge.module_id = module.id if module is not None and spec.target != pack.slug else None
        badge.name, badge.active = spec.name, True
        if not badge.customized:
            badge.description, badge.criteria = spec.description, spec.criteria
    db.session.flush()


def best_quiz_score(user_id: int, module_id: int | None, course_id: int) -> float | None:
    """The learner's best quiz score for the module (or across the course's module quizzes)."""
    from quizzes.models import Attempt, Quiz

    query = (
        select(func.max(Attempt.score))
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user_id, Attempt.status == "submitted", Quiz.course_id == course_id)
    )
    if module_id is not None:
        query = query.where(Quiz.module_id == module_id)
    return db.session.scalar(query)


def issue(user_id: int, badge: BadgeClass, completed: str) -> bool:
    """Issue the badge to the learner once (a unique constraint guards races); True when newly issued."""
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        db.session.rollback()
        return False
    salt = new_salt()
    now = datetime.now(UTC)
    evidence = {
        "completed": completed,
        "best_score": best_quiz_score(user_id, badge.module_id, badge.course_id),
        "date": now.date().isoformat(),
    }
    # Unique by (badge, learner): a second completion, or a concurrent one, issues nothing more.
    if db.session.scalar(select(Award.id).where(Award.badge_class_id == badge.id, Award.user_id == user_id)):
        db.session.rollback()
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                Award(
                    public_id=new_assertion_id(),
                    badge_class_id=badge.id,
                    user_id=user_id,
                    salt=salt,
                    recipient_hash=hash_recipient(user.email, salt),
                    issued_at=now,
                    evidence=evidence,
                )
            )
        created = True
    except IntegrityError:
        created = False
    if created:
        emit("badge.issued", user_id=user_id, badge_class_id=badge.id)
    commit()
    return created


def on_completion(name: str, payload: dict) -> None:
    """Event listener: issue the module's or course's badge when it is completed."""
    if name == "module.completed":
        query = select(BadgeClass).where(BadgeClass.module_id == payload["module_id"], BadgeClass.active.is_(True))
    elif name == "course.completed":
        query = select(BadgeClass).where(
            BadgeClass.course_id == payload["course_id"], BadgeClass.module_id.is_(None), BadgeClass.active.is_(True)
        )
    else:
        return
    for badge in db.session.scalars(query).all():
        issue(payload["user_id"], badge, completed_label(badge))


def completed_label(badge: BadgeClass) -> str:
    """What a badge's learner completed, for the evidence: the module's or the course's title."""
    if badge.module_id is not None:
        module = db.session.get(Module, badge.module_id)
        return f"Module “{module.title}”" if module else "A module"
    course = db.session.get(Course, badge.course_id)
    return f"Course “{course.title}”" if course else "A course"


def edit_badge(actor, badge_id: int, description: str, criteria: str) -> BadgeClass:
    """An admin rewrites a badge's description and criteria text."""
    begin_write()
    badge = db.session.get(BadgeClass, badge_id)
    if badge is None:
        db.session.rollback()
        raise ServiceError("No such badge.", 404)
    badge.description, badge.criteria, badge.customized = description.strip(), criteria.strip(), True
    audit(actor, "badge.edit", f"badge:{badge.id}")
    commit()
    return badge


def revoke(actor, public_id: str, reason: str) -> Award:
    """An admin revokes an award with a reason, recorded in the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give a reason for revoking the badge.")
    begin_write()
    # Lock only the award row: its badge class is joined eagerly, and PostgreSQL refuses FOR UPDATE on the
    # nullable side of that outer join.
    award = db.session.scalar(select(Award).where(Award.public_id == public_id).with_for_update(of=Award))
    if award is None:
        db.session.rollback()
        raise ServiceError("No such award.", 404)
    if award.revoked:
        db.session.rollback()
        raise ServiceError("This award is already revoked.", 409)
    award.revoked_at, award.revocation_reason = datetime.now(UTC), reason
    audit(actor, "badge.revoke", f"award:{award.public_id}", reason=reason)
    emit("badge.revoked", award_id=award.id)
    commit()
    return award


def reissue_missing(actor) -> int:
    """Issue every badge whose completion is recorded but whose award is missing (e.g. a failed listener)."""
    from courses.models import CourseCompletion, ModuleCompletion

    issued = 0
    pairs = db.session.execute(
        select(ModuleCompletion.user_id, BadgeClass)
        .join(BadgeClass, BadgeClass.module_id == ModuleCompletion.module_id)
        .where(BadgeClass.active.is_(True))
    ).all()
    pairs += db.session.execute(
        select(CourseCompletion.user_id, BadgeClass)
        .join(BadgeClass, (BadgeClass.course_id == CourseCompletion.course_id) & BadgeClass.module_id.is_(None))
        .where(BadgeClass.active.is_(True))
    ).all()
    for user_id, badge in pairs:
        issued += issue(user_id, badge, completed_label(badge))
    begin_write()
    audit(actor, "badge.reissue", "badges", issued=issued)
    commit()
    return issued
