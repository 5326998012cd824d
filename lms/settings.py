"""The site's settings that admins change in the browser, each with its default until an admin sets it."""

from typing import Any

from lms.db import begin_write, commit
from lms.extensions import db
from lms.models import SiteSetting, audit

# Every setting there is, with its default: after how many days without activity a learner is mailed a reminder
# (None: no reminders).
DEFAULTS: dict[str, Any] = {"reminder_days": None}


def get_setting(key: str) -> Any:
    """The setting's value, or its default when no admin has set it."""
    row = db.session.get(SiteSetting, key)
    return DEFAULTS[key] if row is None else row.value


def set_setting(actor, key: str, value: Any) -> None:
    """Store a setting (audited); refuses a key that is not a setting."""
    if key not in DEFAULTS:
        raise KeyError(key)
    begin_write()
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
    audit(actor, "setting.changed", f"setting:{key}", value=value)
    commit()
