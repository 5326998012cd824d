"""`flask --app lms demo accounts` and `demo generate`: demo log-ins and synthetic learners for trying the LMS."""

import json
import secrets

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

DEMO_ROLES = ("learner", "trainer", "admin")


@click.group("demo", cls=AppGroup, help="Demo data for trying the LMS locally.")
def demo_cli():
    """The `demo` command group."""


@demo_cli.command("accounts")
def demo_accounts():
    """Create one demo account per role when none exist, and print their log-ins."""
    from lms.auth.services import create_user
    from lms.extensions import db
    from lms.models import User

    path = current_app.instance_path + "/demo-accounts.json"
    try:
        with open(path, encoding="utf-8") as handle:
            accounts = json.load(handle)
    except FileNotFoundError:
        accounts = {}
    for role in DEMO_ROLES:
        email = f"demo-{role}@example.com"
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            # A random password per install: demo log-ins are never the same on two machines.
            password = f"{role}-{secrets.token_urlsafe(9)}"
            create_user(email, f"Demo {role.title()}", password, role=role)
            accounts[role] = {"email": email, "password": password}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(accounts, handle, indent=2)
    click.echo("Demo log-ins (http://127.0.0.1:5000/login):")
    for role in DEMO_ROLES:
        if role in accounts:
            click.echo(f"  {role:<8} {accounts[role]['email']:<28} password: {accounts[role]['password']}")


@demo_cli.command("generate")
@click.option("--learners", type=click.IntRange(1, 1_000_000), required=True, help="How many learners to create.")
@click.option("--seed", type=int, default=None, help="Draw the same learners again (a number).")
def demo_generate(learners: int, seed: int | None):
    """Create synthetic learners with cohorts, enrolments, progress, attempts and badges, for the reports."""
    import time

    from lms.demo import generate

    started = time.perf_counter()
    with click.progressbar(length=learners, label="Generating learners", show_pos=True) as bar:
        for size in generate(learners, seed):
            bar.update(size)
    click.echo(f"Created {learners:,} learners in {time.perf_counter() - started:.0f} s.")
