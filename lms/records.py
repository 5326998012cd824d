"""A learner's record: what each plugin knows of one learner, and one timeline of it, for the learner, admins
and the trainers of the learner's courses."""

import dataclasses
from datetime import datetime

from flask import abort

from lms.access import has_role
from lms.extensions import db
from lms.models import User, aware
from lms.plugins import plugin_manager, real_app


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    """One dated thing the learner did or got."""

    at: datetime
    text: str
    url: str | None = None


@dataclasses.dataclass(frozen=True)
class RecordPart:
    """A plugin's section of the record: a template with its context, and its entries for the timeline."""

    order: int  # sections are shown by this, lowest first
    title: str
    template: str
    context: dict
    timeline: list[TimelineEntry] = dataclasses.field(default_factory=list)


def record_scope(viewer, learner_id: int) -> set[int] | None:
    """The course ids whose records this viewer may see of this learner: None for everything (the learner
    themselves, an admin); a 404 when nothing, exactly like a learner who does not exist."""
    if viewer.id == learner_id or has_role(viewer, "admin"):
        return None
    app = real_app()
    answers = [
        scope
        for scope in plugin_manager(app).hook.lms_record_scope(app=app, viewer=viewer, learner_id=learner_id)
        if scope is not None
    ]
    allowed = set().union(*answers) if answers else set()
    if not allowed:
        abort(404)
    return allowed


def learner_record(viewer, learner_id: int) -> tuple[User, list[RecordPart], list[TimelineEntry], bool]:
    """The learner, the parts of their record this viewer may see, the timeline of those parts (newest first),
    and whether the view is limited to some of the learner's courses."""
    learner = db.session.get(User, learner_id)
    if learner is None:
        abort(404)
    scope = record_scope(viewer, learner_id)
    app = real_app()
    groups = plugin_manager(app).hook.lms_learner_record(
        app=app, learner_id=learner_id, course_ids=scope, viewer=viewer
    )
    parts = sorted((part for group in groups for part in group), key=lambda part: part.order)
    entries = [entry for part in parts for entry in part.timeline]
    timeline = sorted(entries, key=lambda entry: aware(entry.at) or entry.at, reverse=True)
    return learner, parts, timeline, scope is not None
