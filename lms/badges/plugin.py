"""Completion badges (Open Badges 2.0 and 3.0) as a plugin that listens to completion events."""

from lms.access import has_role
from lms.plugins import hookimpl


@hookimpl
def lms_blueprints(app):
    """Public badge documents, the learner's badges and the admin pages."""
    from lms.badges import models  # noqa: F401 - register the tables
    from lms.badges.views import admin_bp, bp

    return [bp, admin_bp]


@hookimpl
def lms_sync_pack(app, pack, course):
    """Load the pack's badge classes."""
    from lms.badges.services import sync_badges

    sync_badges(pack, course)


@hookimpl
def lms_event(app, name, payload):
    """Issue badges when a module or course is completed."""
    from lms.badges.services import on_completion

    on_completion(name, payload)


@hookimpl
def lms_nav_links(app, user):
    """Learners reach their badges; admins the badge administration."""
    links = [("My badges", "badges.mine")] if user.is_authenticated else []
    if has_role(user, "admin"):
        links.append(("Badges", "badge_admin.index"))
    return links
