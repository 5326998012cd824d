"""The home page and the signed-in user's dashboard."""

from lms.plugins import hookimpl


@hookimpl
def lms_blueprints(app):
    """Home and dashboard."""
    from lms.main.views import bp

    return [bp]


@hookimpl
def lms_nav_links(app, user):
    """Everyone signed in has a dashboard."""
    return [("Dashboard", "main.dashboard")] if user.is_authenticated else []


@hookimpl
def lms_cli_commands(app):
    """`flask --app lms demo ...`."""
    from lms.main.backup import backup_command
    from lms.main.cli import demo_cli

    return [demo_cli, backup_command]
