"""Issuing, editing and revoking badges."""

from collections.abc import Sequence
from datetime import UTC, datetime

from flask import current_app, url_for
from sqlalchemy import Row, bindparam, select
from sqlalchemy.exc import IntegrityError

from badges.certificate import Certificate
from badges.events import BadgeIssued, BadgeRevoked
from badges.models import Award, BadgeClass, EarnerName
from badges.openbadges import hash_recipient, new_assertion_id, new_salt
from courses.events import CourseCompleted, ModuleCompleted
from courses.models import Course
from courses.progress import keep_cells
from lms.achievements import celebrate, watching
from lms.db import begin_write, commit
from lms.events import Event, emit, redeliver_failed
from lms.extensions import db
from lms.links import public_url
from lms.mail import send_mail
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


def issue(
    user_id: int, badge: BadgeClass, completed: str, best_score: float | None = None, summary: dict | None = None
) -> bool:
    """Issue the badge to the learner once (a unique constraint guards races); True when newly issued. `summary`
    adds to the evidence (a course's modules completed and final assessment score)."""
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
        **(summary or {}),
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
    summary = None
    if isinstance(event, CourseCompleted):
        summary = {"modules": event.modules_completed, "final_score": event.final_score}
    for badge in db.session.scalars(query).all():
        issue(event.user_id, badge, completed_text(event), event.best_score, summary)


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


def course_award_resting_on(award: Award) -> Award | None:
    """For a module's badge: the same learner's valid course badge of that course, whose completion counted the
    module; None for a course badge, or when the learner holds none."""
    if award.badge_class.module_id is None:
        return None
    return db.session.scalar(
        select(Award)
        .join(BadgeClass, BadgeClass.id == Award.badge_class_id)
        .where(
            Award.user_id == award.user_id,
            Award.revoked_at.is_(None),
            BadgeClass.course_id == award.badge_class.course_id,
            BadgeClass.module_id.is_(None),
        )
    )


def revoke(actor, public_id: str, reason: str, public: bool = False, also: str | None = None) -> Award:
    """An admin revokes an award with a reason, recorded in the audit log and published only when `public`; with
    `also` (the course badge resting on it), that award too, in the same transaction, unless it already is."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give a reason for revoking the badge.")
    begin_write()
    award = locked_award(public_id)
    if award is None:
        db.session.rollback()
        raise ServiceError("No such award.", 404)
    if award.revoked:
        db.session.rollback()
        raise ServiceError("This award is already revoked.", 409)
    mark_revoked(actor, award, reason, public)
    other = locked_award(also) if also else None
    if other is not None and not other.revoked:  # revoked meanwhile by another admin: as wished already
        mark_revoked(actor, other, reason, public)
    commit()
    return award


def locked_award(public_id: str) -> Award | None:
    """The award, its row locked for the transaction."""
    # Lock only the award row: its badge class is joined eagerly, and PostgreSQL refuses FOR UPDATE on the
    # nullable side of that outer join.
    return db.session.scalar(select(Award).where(Award.public_id == public_id).with_for_update(of=Award))


def mark_revoked(actor, award: Award, reason: str, public: bool) -> None:
    """Revoke the award in the open transaction: its learner's table cell, the audit log and the event."""
    award.revoked_at, award.revocation_reason = datetime.now(UTC), reason
    award.revocation_reason_public = public
    keep_cells(award.user_id, award.badge_class.course_id, {held_cell(award.badge_class_id): None})
    audit(actor, "badge.revoke", f"award:{award.public_id}", about=award.user_id, reason=reason)
    security_event("badge.revoke", actor=actor.id, target=f"award:{award.public_id}")
    emit(BadgeRevoked(award_id=award.id))


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


def public_name(user_id: int) -> str | None:
    """The name the learner shows on the public pages of their badges; None when they chose to hide it."""
    row = db.session.execute(
        select(User.display_name, EarnerName.shown_name, EarnerName.hidden)
        .outerjoin(EarnerName, EarnerName.user_id == User.id)
        .where(User.id == user_id)
    ).first()
    if row is None or row.hidden:
        return None
    return row.shown_name or row.display_name


def name_choice(user_id: int) -> EarnerName:
    """The learner's choice of public name (unsaved defaults when they never made one)."""
    return db.session.get(EarnerName, user_id) or EarnerName(user_id=user_id, shown_name="", hidden=False)


def choose_public_name(user_id: int, shown_name: str, hidden: bool) -> None:
    """Keep the name the learner shows on their public badge pages ("" for their display name), or hide it."""
    begin_write()
    choice = db.session.get(EarnerName, user_id)
    if choice is None:
        choice = EarnerName(user_id=user_id)
        db.session.add(choice)
    choice.shown_name, choice.hidden = shown_name.strip(), hidden
    commit()


def celebrate_badge(event: BadgeIssued) -> None:
    """The message, with the badge's image, the learner sees on their next page when the badge is theirs."""
    badge = db.session.get(BadgeClass, event.badge_class_id) if watching(event.user_id) else None
    if badge is None:
        return
    link = (url_for("badges.mine"), "See your badges")
    if badge.module_id is None:  # the course's badge comes with the course certificate
        award = course_award(event.user_id, badge.course_id)
        if award is not None:
            link = (url_for("badges.certificate", public_id=award.public_id), "Download your certificate (PDF)")
    celebrate(
        event.user_id,
        f"Badge earned: {badge.name}",
        badge.description,
        image_url=url_for("badges.badge_image", badge_id=badge.id, ext="svg"),
        link=link,
    )


# Built once: every dashboard runs it. Only what the dashboard shows of each badge.
RECENT_AWARDS = (
    select(Award.public_id, Award.badge_class_id, BadgeClass.name, Award.issued_at)
    .join(BadgeClass, BadgeClass.id == Award.badge_class_id)
    .where(Award.user_id == bindparam("user_id"), Award.revoked_at.is_(None))
    .order_by(Award.issued_at.desc(), Award.id.desc())
    .limit(bindparam("count"))
)


def recent_awards(user_id: int, count: int = 3) -> Sequence[Row]:
    """The learner's newest badges that still hold, newest first: (public id, badge class id, name, issued at)."""
    return db.session.connection().execute(RECENT_AWARDS, {"user_id": user_id, "count": count}).all()


def course_award(user_id: int, course_id: int) -> Award | None:
    """The learner's course badge for this course (not a module's), if they hold it and it was not revoked."""
    return db.session.scalar(
        select(Award)
        .join(BadgeClass, BadgeClass.id == Award.badge_class_id)
        .where(
            Award.user_id == user_id,
            Award.revoked_at.is_(None),
            BadgeClass.course_id == course_id,
            BadgeClass.module_id.is_(None),
        )
    )


def certificate_for(award: Award, verify_url: str, issuer: str) -> Certificate:
    """What the certificate of a course badge says: the learner's chosen name (or display name), the course, the
    day the badge was issued and every badge of the course they hold."""
    user = db.session.get_one(User, award.user_id)
    choice = db.session.get(EarnerName, award.user_id)
    course = db.session.get_one(Course, award.badge_class.course_id)
    held = db.session.scalars(
        select(BadgeClass.name)
        .join(Award, Award.badge_class_id == BadgeClass.id)
        .where(Award.user_id == award.user_id, Award.revoked_at.is_(None), BadgeClass.course_id == course.id)
        .order_by(Award.issued_at, Award.id)
    ).all()
    return Certificate(
        learner=(choice.shown_name if choice and choice.shown_name else user.display_name),
        course=course.title,
        completed_on=award.issued_at.date(),
        badges=list(held),
        verify_url=verify_url,
        issuer=issuer,
    )


def mail_badge(event: BadgeIssued) -> None:
    """Tell the learner by mail that they earned a badge, with the link to share. (Delivered again after a crash
    before its event was cleared, the mail may come twice: harmless, so nothing is kept to prevent it.)"""
    found = db.session.execute(
        select(Award, User)
        .join(User, User.id == Award.user_id)
        .where(Award.user_id == event.user_id, Award.badge_class_id == event.badge_class_id)
    ).first()
    if found is None:
        return
    award, user = found
    if award.revoked or not user.active:
        return
    site = current_app.config["SITE_NAME"]
    name = award.badge_class.name
    lines = [
        f"Hello {user.display_name},",
        "",
        f"Congratulations: you earned the badge “{name}” on {site}. {award.badge_class.description}",
        "",
        f"Its public page, to share with an employer: {public_url('badges.verify', public_id=award.public_id)}",
        f"All your badges, to download or add to LinkedIn: {public_url('badges.mine')}",
    ]
    if award.badge_class.module_id is None:
        lines.append(f"Your course certificate: {public_url('badges.certificate', public_id=award.public_id)}")
    send_mail(user.email, f"You earned the badge “{name}”", "\n".join(lines) + "\n")
