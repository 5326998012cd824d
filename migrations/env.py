"""Alembic environment: migrates the database of the Flask app that runs the `db` command."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    """Emit the SQL of the migrations without a database connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def foreign_keys(connection, on: bool) -> None:
    """Turn SQLite's foreign keys on or off for this connection: on the driver's own connection, outside any
    transaction (the app's engine begins each one explicitly, and SQLite ignores the pragma inside one)."""
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def run_migrations_online():
    """Run the migrations against the app's database."""

    def skip_empty_revisions(context, revision, directives):
        # `flask db migrate` with no model change writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty_revisions)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's batch mode rebuilds a table by copying it and dropping the old one; with foreign keys on, that
            # drop would first delete every row referring to it (ON DELETE CASCADE): all of a learner's records.
            foreign_keys(connection, on=False)
        try:
            context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()  # ends the read, so the pragma below is not inside a transaction
                if broken:
                    raise RuntimeError(f"the migrations left rows whose references are broken: {broken[:5]}")
        finally:
            if sqlite:
                foreign_keys(connection, on=True)  # the pool hands this connection out again


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
