"""The `flask db` commands (Flask-Migrate), loaded only when one runs.

Flask-Migrate brings Alembic, about 11 MB per process; a web worker never migrates, so it never loads them.
"""

import pathlib

import click
from flask import g
from flask.cli import ScriptInfo, with_appcontext

MIGRATIONS = pathlib.Path(__file__).resolve().parent.parent / "migrations"


class MigrationCommands(click.Group):
    """A stand-in for Flask-Migrate's `db` group that loads it, and sets it up on the app, when first used."""

    def real_group(self, ctx: click.Context) -> click.Group:
        """Flask-Migrate's own `db` group, with the app the command runs for set up to use it."""
        from flask_migrate import Migrate
        from flask_migrate.cli import db as db_commands

        from lms.extensions import db

        app = ctx.ensure_object(ScriptInfo).load_app()
        if "migrate" not in app.extensions:
            Migrate(app, db, directory=str(MIGRATIONS))
        return db_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The migration commands, for `flask db --help`."""
        return self.real_group(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The named migration command."""
        return self.real_group(ctx).get_command(ctx, cmd_name)


@click.group("db", cls=MigrationCommands)
@with_appcontext
def migration_commands() -> None:
    """Database migrations (Flask-Migrate)."""
    # What Flask-Migrate's own group sets for its commands when given no --directory or -x options.
    g.directory, g.x_arg = None, ()


def add_migration_commands(app) -> None:
    """Register `flask db ...` on the app without importing Alembic."""
    app.cli.add_command(migration_commands)
