"""Accounts: sign up, sign in, sign out, profile and password change."""

from lms.plugins import hookimpl


@hookimpl
def lms_blueprints(app):
    """The auth pages."""
    from lms.auth.views import bp

    return [bp]


@hookimpl
def lms_cli_commands(app):
    """`flask --app lms users ...`."""
    from lms.auth.cli import users_cli

    return [users_cli]


@hookimpl
def lms_nav_links(app, user):
    """Sign-in links for visitors; the profile for everyone signed in."""
    if user.is_authenticated:
        return [("Profile", "auth.profile")]
    return [("Sign in", "auth.login"), ("Sign up", "auth.register")]
