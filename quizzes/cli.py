"""`flask --app lms quizzes import FILE --quiz SLUG` and `quizzes export --quiz SLUG | --tag TAG | --bank`."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from courses.models import Course
from lms.extensions import db
from lms.security_log import security_event
from lms.wording import count_of
from quizzes.bank import export_bank, export_gift
from quizzes.gift_import import import_gift
from quizzes.models import Quiz


@click.group("quizzes", cls=AppGroup, help="Import and export quiz questions as GIFT; rebuild their statistics.")
def quizzes_cli():
    """The `quizzes` command group."""


def find_quiz(slug: str, course_slug: str | None) -> Quiz:
    """The quiz with this slug (in this course, when given); a clear error when none or several match."""
    query = select(Quiz).join(Course, Course.id == Quiz.course_id).where(Quiz.slug == slug)
    if course_slug:
        query = query.where(Course.slug == course_slug)
    found = db.session.scalars(query.order_by(Quiz.id)).all()
    if not found:
        raise click.ClickException(f"no quiz {slug!r}" + (f" in course {course_slug!r}" if course_slug else ""))
    if len(found) > 1:
        raise click.ClickException(f"{len(found)} courses have a quiz {slug!r}: name one with --course")
    return found[0]


@quizzes_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--quiz", "quiz_slug", required=True, help="The quiz to add the questions to (its slug).")
@click.option("--course", "course_slug", help="The quiz's course (its slug), when several have that quiz.")
def import_command(path: str, quiz_slug: str, course_slug: str | None) -> None:
    """Add a GIFT file's questions to a quiz: all of them or, if any has a problem, none."""
    quiz = find_quiz(quiz_slug, course_slug)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; nothing was imported.") from None
    result = import_gift(quiz.id, text)
    for problem in result.problems:
        click.echo(f"{path}: {problem}", err=True)
    if result.problems:
        raise click.ClickException(f"{len(result.problems)} problem(s) found; nothing was imported.")
    security_event("quiz.import", actor=None, target=f"quiz:{quiz.id}", format="gift", source="cli")
    click.echo(
        f"{quiz_slug}: {count_of(result.added, 'question')} added, {result.changed} changed, "
        f"{result.unchanged} already in the quiz"
        + (f", {result.repeated} repeated in the file" if result.repeated else "")
    )


@quizzes_cli.command("export")
@click.option("--quiz", "quiz_slug", help="Export this quiz (its slug).")
@click.option("--course", "course_slug", help="The quiz's course (its slug), when several have that quiz.")
@click.option("--tag", help="Export the bank's questions with this tag (or a tag below it).")
@click.option("--bank", is_flag=True, help="Export every question of the bank.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File (default: stdout).")
def export_command(quiz_slug: str | None, course_slug: str | None, tag: str | None, bank: bool, output) -> None:
    """Write questions as GIFT: a quiz's (a random-draw quiz: the pool it draws from), a tag's, or the bank's."""
    if sum(bool(choice) for choice in (quiz_slug, tag, bank)) != 1:
        raise click.UsageError("Name one of --quiz SLUG, --tag TAG or --bank.")
    if quiz_slug:
        quiz = find_quiz(quiz_slug, course_slug)
        output.write(export_gift(quiz))
        target = f"quiz:{quiz.id}"
    else:
        output.write(export_bank(tag))
        target = f"tag:{tag}" if tag else "bank"
    security_event("quiz.export", actor=None, target=target, format="gift", source="cli")


@quizzes_cli.command("rebuild-stats")
def rebuild_stats_command() -> None:
    """Recompute the question statistics from every scored attempt (once after upgrading, or to check them)."""
    from lms.db import begin_write, commit
    from quizzes.statistics import rebuild

    begin_write()
    count = rebuild()
    commit()
    click.echo(f"question statistics rebuilt from {count} scored attempt(s)")
