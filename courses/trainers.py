"""Which trainers author which courses: admins assign them, and the authoring pages ask here."""

from sqlalchemy import delete, select

from courses.models import Course, CourseTrainer
from lms.access import has_role
from lms.db import begin_write, commit, insert_if_absent
from lms.extensions import db
from lms.models import User, audit
from lms.security_log import security_event
from lms.services import ServiceError


def authored_course_ids(user) -> set[int] | None:
    """The ids of the courses this person may author; None for an admin, who may author every course."""
    if has_role(user, "admin"):
        return None
    if not has_role(user, "trainer"):
        return set()
    return set(db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)))


def taught_courses(user) -> list[tuple[str, str]]:
    """(slug, title) of the active courses a trainer was assigned to, or of every one for an admin; none for a
    learner, without a statement."""
    if not has_role(user, "trainer"):
        return []
    query = select(Course.slug, Course.title).where(Course.active.is_(True)).order_by(Course.title)
    if not has_role(user, "admin"):
        query = query.join(CourseTrainer, CourseTrainer.course_id == Course.id).where(CourseTrainer.user_id == user.id)
    return [(slug, title) for slug, title in db.session.execute(query)]


def may_author(user, course_id: int) -> bool:
    """Whether this person may author the course's quizzes and questions."""
    allowed = authored_course_ids(user)
    return allowed is None or course_id in allowed


def course_trainers(course_id: int) -> list[User]:
    """The trainers assigned to the course, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(CourseTrainer, CourseTrainer.user_id == User.id)
            .where(CourseTrainer.course_id == course_id)
            .order_by(User.display_name, User.id)
        )
    )


def assign_trainer(actor, course_id: int, email: str) -> User:
    """An admin (None: the shell) makes the trainer with this email an author of the course (again is a no-op)."""
    begin_write()
    course = db.session.get(Course, course_id)
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if course is None:
        db.session.rollback()
        raise ServiceError("No such course.", 404)
    if user is None:
        db.session.rollback()
        raise ServiceError("No account has this email.")
    if user.role != "trainer":
        db.session.rollback()
        raise ServiceError(f"{user.email} is a {user.role}: only trainers are assigned to courses.")
    if insert_if_absent(CourseTrainer, course_id=course.id, user_id=user.id):
        audit(actor, "course.trainer.assign", f"course:{course.id}", about=user.id, trainer=user.id)
        security_event(
            "course.trainer.assign", actor=getattr(actor, "id", None), target=f"course:{course.id}", trainer=user.id
        )
    commit()
    return user


def unassign_trainer(actor, course_id: int, user_id: int) -> None:
    """An admin takes a trainer off the course; they no longer author its quizzes."""
    begin_write()
    removed = db.session.execute(
        delete(CourseTrainer).where(CourseTrainer.course_id == course_id, CourseTrainer.user_id == user_id)
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError("This trainer is not assigned to the course.", 404)
    audit(actor, "course.trainer.unassign", f"course:{course_id}", about=user_id, trainer=user_id)
    security_event("course.trainer.unassign", actor=actor.id, target=f"course:{course_id}", trainer=user_id)
    commit()
