"""`flask --app lms backup`: a consistent copy of the embedded SQLite database, taken while the LMS runs."""

import pathlib
from contextlib import closing
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db


def backup_sqlite(source: str, target: pathlib.Path) -> None:
    """Copy a SQLite database with SQLite's online backup, which sees one consistent state while others write."""
    import sqlite3  # here: a worker on PostgreSQL never loads it

    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.execute(f"PRAGMA busy_timeout = {int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        live.backup(copy)


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=pathlib.Path))
@with_appcontext
def backup_command(target: pathlib.Path | None) -> None:
    """Write a consistent copy of the embedded database (default: instance/backups/lms-<time>.sqlite3)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise click.ClickException(
            "This database is not an embedded SQLite file. Back up PostgreSQL with its own tools, for example "
            '`pg_dump --format=custom --file=lms.dump "$DATABASE_URL"`, and restore with `pg_restore`.'
        )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = target or pathlib.Path(current_app.instance_path) / "backups" / f"lms-{stamp}.sqlite3"
    if target.exists():
        raise click.ClickException(f"{target} exists already; choose another file.")
    backup_sqlite(url.database, target)
    click.echo(f"Backed up {url.database} to {target}")
