"""Reminder mail: a learner who has not been active in an unfinished course for the number of days an admin set
gets one mail listing those courses, at most once a week, unless they turned reminders off. A scheduler runs
`flask --app lms mail reminders` (say each morning); each enrolment is marked reminded as its mail goes, so a
run that stops half-way and runs again mails nobody twice."""

from datetime import datetime, timedelta
from itertools import groupby

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, or_, select, update

from courses.models import Course, Enrolment
from lms.db import begin_write, commit
from lms.extensions import db
from lms.links import public_url
from lms.mail import mail_connection, send_mail
from lms.models import User, utcnow
from lms.settings import get_setting

REMIND_EVERY = timedelta(days=7)
BATCH = 500  # enrolments read at a time

mail_cli = AppGroup("mail", help="Send the LMS's scheduled mail.")


def due_reminders(days: int, now: datetime, after_user: int) -> list:
    """The next enrolments due a reminder, of learners after `after_user`, in learner order; a learner's are all
    in one batch."""
    last_seen = func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)
    due = (
        select(
            User.id, User.email, User.display_name, Enrolment.id, Course.slug, Course.title, Enrolment.progress_percent
        )
        .join(Enrolment, Enrolment.user_id == User.id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(
            Enrolment.completed_at.is_(None),
            last_seen < now - timedelta(days=days),
            or_(Enrolment.reminded_at.is_(None), Enrolment.reminded_at < now - REMIND_EVERY),
            User.active.is_(True),
            User.email_reminders.is_(True),
            User.email_confirmed_at.is_not(None),
            Course.active.is_(True),
            User.id > after_user,
        )
        .order_by(User.id, Course.title)
        .limit(BATCH + 1)
    )
    rows = db.session.execute(due).all()
    if len(rows) <= BATCH:
        return list(rows)
    cut = rows[BATCH][0]  # the learner whose enrolments run past the batch waits for the next one
    return [row for row in rows if row[0] != cut] or [row for row in rows if row[0] == cut]


def reminder_text(name: str, days: int, courses: list) -> tuple[str, str]:
    """The subject and body of one learner's reminder."""
    site = current_app.config["SITE_NAME"]
    lines = [
        f"Hello {name},",
        "",
        f"It has been more than {days} days since you last studied on {site}. Your progress is saved; pick up "
        "where you left off:",
        "",
    ]
    for slug, title, percent in courses:
        lines += [f"- {title}: {percent}% done", f"  {public_url('courses.course', course_slug=slug)}", ""]
    lines += [
        "A little every few days goes further than a lot once a month.",
        "",
        f"You get this mail at most once a week. To stop it, untick reminder mail in your profile: "
        f"{public_url('auth.profile')}",
    ]
    return f"Your courses on {site} are waiting for you", "\n".join(lines) + "\n"


def send_reminders(now: datetime | None = None) -> tuple[int, int]:
    """Mail every learner due a reminder; (mails sent, mails that failed). Nothing when reminders are off."""
    days = get_setting("reminder_days")
    if not days:
        return 0, 0
    now = now or utcnow()
    sent = failed = 0
    after_user = 0
    with mail_connection() as connection:
        while rows := due_reminders(days, now, after_user):
            for (user_id, email, name), group in groupby(rows, key=lambda row: tuple(row[:3])):
                found = list(group)
                subject, body = reminder_text(name, days, [(r.slug, r.title, r.progress_percent) for r in found])
                if send_mail(email, subject, body, connection=connection):
                    begin_write()
                    db.session.execute(
                        update(Enrolment)
                        .where(Enrolment.id.in_([r[3] for r in found]))
                        .values(reminded_at=now)
                        .execution_options(synchronize_session=False)
                    )
                    commit()
                    sent += 1
                else:
                    failed += 1
                after_user = user_id
    return sent, failed


@mail_cli.command("reminders")
def reminders_command() -> None:
    """Mail a reminder to each learner idle for the days an admin set (Admin, Settings), at most weekly."""
    days = get_setting("reminder_days")
    if not days:
        click.echo("Reminders are off: an admin sets after how many idle days they go, under Users, Settings.")
        return
    sent, failed = send_reminders()
    click.echo(f"Sent {sent} reminder(s) to learners idle for more than {days} days.")
    if failed:
        raise click.ClickException(f"{failed} reminder(s) could not be sent (the log says why); the next run retries.")
