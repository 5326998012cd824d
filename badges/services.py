"""Issuing, editing and revoking badges."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from badges.events import BadgeIssued, BadgeRevoked
from badges.models import Award, BadgeClass
from badges.openbadges import hash_recipient, new_assertion_id, new_salt
from courses.events import CourseCompleted, ModuleCompleted
from courses.progress import keep_cells
from lms.db import begin_write, commit
from lms.events import Event, emit, redeliver_failed
from lms.extensions import db
from lms.models import User, audit
from lms.security_log import security_event
from lms.services import ServiceError

BADGES_LISTENER = "badges"  # the name the badges plugin is registered under


def sync_badges(pack, course) -> None:
    """Load the pack's badge classes into the open transaction, keeping text an admin edited."""
    modules = {module.slug: module for module in course.modules}
    existing = {b.slug: b for b in db.session.scalars(select(BadgeClass).where(BadgeClass.course_id == course.id))}
    for dropped in existing.values():
        dropped.active = False  # until the pack lists it again below
    for spec in pack.sections.get("badges", []):
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


def issue(user_id: int, badge: BadgeClass, completed: str, best_score: float | None = None) -> bool:
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
        "best_score": best_score,
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
        keep_cells(user_id, badge.course_id, {held_cell(badge.id): 1})
        emit(BadgeIssued(user_id=user_id, badge_class_id=badge.id))
    commit()
    return created


def held_cell(badge_class_id: int) -> str:
    """The learner-table cell that says the learner holds this badge (see `courses.progress.keep_cells`)."""
    return f"badge:{badge_class_id}"


def earned_for(event: Event) -> tuple[str, int] | None:
    """What a completion event earns a badge for: ("module", id) or ("course", id); None for other events."""
    if isinstance(event, ModuleCompleted):
        return ("module", event.module_id)
    if isinstance(event, CourseCompleted):
        return ("course", event.course_id)
    return None


def badge_target(badge: BadgeClass) -> tuple[str, int]:
    """What a badge is earned for, in the shape `earned_for` gives."""
    return ("module", badge.module_id) if badge.module_id is not None else ("course", badge.course_id)


def completed_text(event: ModuleCompleted | CourseCompleted) -> str:
    """What the learner completed, for the award's evidence."""
    if isinstance(event, ModuleCompleted):
        return f"Module “{event.module_title}”"
    return f"Course “{event.course_title}”"


def on_completion(event: Event) -> None:
    """Event listener: issue the module's or course's badge when it is completed (again is a no-op)."""
    target = earned_for(event)
    if target is None or not isinstance(event, ModuleCompleted | CourseCompleted):
        return
    kind, target_id = target
    query = select(BadgeClass).where(BadgeClass.active.is_(True))
    if kind == "module":
        query = query.where(BadgeClass.module_id == target_id)
    else:
        query = query.where(BadgeClass.course_id == target_id, BadgeClass.module_id.is_(None))
    for badge in db.session.scalars(query).all():
        issue(event.user_id, badge, completed_text(event), event.best_score)


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


def revoke(actor, public_id: str, reason: str, public: bool = False) -> Award:
    """An admin revokes an award with a reason, recorded in the audit log and published only when `public`."""
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
    award.revocation_reason_public = public
    keep_cells(award.user_id, award.badge_class.course_id, {held_cell(award.badge_class_id): None})
    audit(actor, "badge.revoke", f"award:{award.public_id}", reason=reason)
    security_event("badge.revoke", actor=actor.id, target=f"award:{award.public_id}")
    emit(BadgeRevoked(award_id=award.id))
    commit()
    return award


def reissue_missing(actor) -> tuple[int, int]:
    """Give the badge listener every completion it failed on (e.g. the badge service was down).

    Only the failed deliveries are read, so the repair costs what failed, not the number of learners;
    returns (completions delivered, completions that still fail).
    """
    delivered, failing = redeliver_failed(BADGES_LISTENER)
    begin_write()
    audit(actor, "badge.reissue", "badges", delivered=delivered, failing=failing)
    commit()
    return delivered, failing
