"""The badges plugin: verifiable completion badges (Open Badges 2.0 documents, Open Badges 3.0 credentials).

It learns what it needs through hooks and events: badge classes from its section of a content pack, and
awards from the courses plugin's completion events. It reads no other plugin's tables.
"""

from lms.access import has_role
from lms.plugins import hookimpl


@hookimpl
def lms_blueprints(app):
    """Public badge documents, the learner's badges and the admin pages."""
    from badges import models  # noqa: F401 - register the tables
    from badges.api import bp as api_bp
    from badges.views import bp, well_known

    return [bp, well_known, api_bp]


@hookimpl
def lms_pack_sections(app):
    """The `badges:` list of course.yaml."""
    from badges.pack import SECTION

    return [SECTION]


@hookimpl
def lms_sync_pack(app, pack, course):
    """Load the pack's badge classes."""
    from badges.services import sync_badges

    sync_badges(pack, course)


@hookimpl
def lms_event(app, event):
    """Issue badges when a module or course is completed, and tell the learner (on their next page and by mail)."""
    from badges.events import BadgeIssued
    from badges.services import celebrate_badge, mail_badge, on_completion

    if isinstance(event, BadgeIssued):
        celebrate_badge(event)
        mail_badge(event)
    else:
        on_completion(event)


@hookimpl
def lms_dashboard_sections(app, user):
    """ "Recent badges": the learner's newest badges, when they have any."""
    if not user.is_authenticated:
        return []
    from badges.services import recent_awards

    awards = recent_awards(user.id)
    return [("badges/_recent.html", {"awards": awards})] if awards else []


@hookimpl
def lms_course_completed_links(app, user_id, course_id):
    """The certificate of the course, for a learner who holds its course badge."""
    from badges.services import course_award
    from badges.views import certificate_links

    award = course_award(user_id, course_id)
    return certificate_links(award) if award is not None else []


@hookimpl
def lms_nav_links(app, user):
    """Learners reach their badges; admins the badge administration."""
    links = [("My badges", "badges.mine")] if user.is_authenticated else []
    if has_role(user, "admin"):
        links.append(("Badges", "badges.admin"))
    return links


@hookimpl
def lms_learner_record(app, learner_id, course_ids):
    """Each badge with its status."""
    from badges.record import badges_part

    return [badges_part(learner_id, course_ids)]


@hookimpl
def lms_audit_names(app, refs):
    """Badges by their names, and each award by its badge and its earner."""
    from badges.models import BadgeClass
    from badges.record import award_names
    from lms.audit_log import names_by_id

    return names_by_id("badge", BadgeClass.id, BadgeClass.name, refs) | award_names(refs.get("award", set()))


@hookimpl
def lms_learner_table_columns(app, course_id):
    """The badges each learner holds."""
    from badges.record import badges_column

    return badges_column(course_id)


@hookimpl
def lms_course_figures(app, course_id):
    """How many of the course's badges are held."""
    from badges.record import badges_issued

    return badges_issued(course_id)


@hookimpl
def lms_demo_progress(app, course, walks, rng):
    """Generated learners' awards for the modules and courses they completed."""
    from badges.demo import add_awards

    add_awards(course, walks, rng)
