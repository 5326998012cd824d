"""`flask --app lms courses check PATH` and `flask --app lms courses sync`."""

import pathlib

import click
from flask import current_app
from flask.cli import AppGroup

from courses import installed_packs, pack_sections
from courses.pack import Pack, Problem
from courses.services import SyncRun, check_pack, sync_pack


@click.group("courses", cls=AppGroup, help="Validate and load course content packs.")
def courses_cli():
    """The `courses` command group."""


@courses_cli.command("check")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def check_command(path):
    """Validate a pack and list every problem with file and line."""
    pack, problems = check_pack(path)
    for problem in problems:
        click.echo(f"{path.rstrip('/')}/{problem}", err=True)
    if problems or pack is None:
        raise click.ClickException(f"{len(problems)} problem(s) found; nothing was loaded.")
    lessons = sum(len(module.lessons) for module in pack.modules)
    counted = "".join(f", {n} {what}" for what, n in pack.counts(pack_sections(current_app)).items())
    click.echo(f"{pack.slug}: OK ({len(pack.modules)} modules, {lessons} lessons{counted})")


@courses_cli.command("sync")
@click.option(
    "--replace-local",
    is_flag=True,
    help="Replace trainers' edits to pack questions with the pack's version (each one replaced is listed).",
)
def sync_command(replace_local):
    """Load every installed pack into the database; a pack with any problem loads nothing.

    Questions a trainer edited or retired keep the trainer's version, and each is listed, unless --replace-local.
    """
    checked: list[tuple[pathlib.Path, Pack | None, list[Problem]]] = []
    slugs: dict[str, pathlib.Path] = {}
    for path in installed_packs(current_app):
        pack, problems = check_pack(path)
        if pack is not None and pack.slug in slugs:
            # Two installed packs claiming one course would overwrite each other's content.
            raise click.ClickException(
                f"duplicate course slug {pack.slug!r}: {slugs[pack.slug]} and {path} both provide it; "
                "nothing was loaded."
            )
        if pack is not None:
            slugs[pack.slug] = path
        checked.append((path, pack, problems))
    failed = 0
    for path, pack, problems in checked:
        if problems or pack is None:
            failed += 1
            for problem in problems:
                click.echo(f"{path}/{problem}", err=True)
            click.echo(f"{path}: not loaded ({len(problems)} problem(s))", err=True)
            continue
        run = SyncRun(replace_local=replace_local)
        course = sync_pack(pack, run)
        click.echo(f"{course.slug}: synced ({len(pack.modules)} modules)")
        for note in run.notes:
            click.echo(f"  {note}")
    if failed:
        raise click.ClickException(f"{failed} pack(s) had problems and were not loaded.")


@courses_cli.command("assign-trainer")
@click.argument("email")
@click.option("--course", "slug", help="The course's slug; every active course when left out.")
def assign_trainer_command(email, slug):
    """Make the trainer with this email an author of a course, or of every active course."""
    from sqlalchemy import select

    from courses.models import Course
    from courses.trainers import assign_trainer
    from lms.extensions import db
    from lms.services import ServiceError

    query = select(Course).where(Course.active.is_(True)).order_by(Course.slug)
    courses = db.session.scalars(query.where(Course.slug == slug) if slug else query).all()
    if not courses:
        raise click.ClickException(f"no active course {slug!r}" if slug else "no course is loaded yet")
    for course in courses:
        try:
            assign_trainer(None, course.id, email)
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"{email} is a trainer of {course.slug}")
