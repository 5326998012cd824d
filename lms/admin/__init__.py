"""Administration: users and roles."""

from lms.access import has_role
from lms.plugins import hookimpl


@hookimpl
def lms_blueprints(app):
    """The admin pages."""
    from lms.admin.views import bp

    return [bp]


@hookimpl
def lms_nav_links(app, user):
    """Admins see the user administration."""
    return [("Users", "admin.users")] if has_role(user, "admin") else []
