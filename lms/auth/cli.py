"""Shell commands for managing accounts."""

import click
from flask.cli import AppGroup

from lms.access import ROLES
from lms.services import ServiceError


@click.group("users", cls=AppGroup, help="Manage user accounts.")
def users_cli():
    """The `users` command group."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", default=None, help="Display name (defaults to the email's local part).")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email, display_name, role, password):
    """Create a user with the given role."""
    from lms.auth.services import create_user

    try:
        user = create_user(email, display_name or email.split("@")[0], password, role=role)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
