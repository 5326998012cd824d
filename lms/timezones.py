"""Times shown in the viewer's own time zone: the one chosen in their profile, else their browser's (a small
script keeps it in the `tz` cookie), else UTC. Times are stored and compared in UTC; only display converts."""

import functools
import zoneinfo
from datetime import UTC, datetime, tzinfo

from flask import Flask, g, has_request_context, request
from flask_login import current_user

COOKIE = "tz"


@functools.cache
def known_zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows (read once: listing them walks the time zone files)."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def zone_names() -> list[str]:
    """The time zones a person chooses from in their profile, sorted."""
    return sorted(name for name in known_zones() if "/" in name and not name.startswith("Etc/"))


@functools.cache
def zone(name: str) -> tzinfo:
    """The time zone of a known name (kept: every page that shows a time asks)."""
    return zoneinfo.ZoneInfo(name)


def zone_named(name: str | None) -> tzinfo | None:
    """The time zone of an IANA name, or None for a name that is not one."""
    if not name or name not in known_zones():
        return None
    return zone(name)


def viewer_zone() -> tzinfo:
    """The time zone this request's times are shown in."""
    if not has_request_context():
        return UTC
    if "time_zone" not in g:
        chosen = getattr(current_user, "time_zone", None) if current_user else None
        g.time_zone = zone_named(chosen) or zone_named(request.cookies.get(COOKIE)) or UTC
    return g.time_zone


def local_time(moment: datetime | None, pattern: str = "%d %b %Y, %H:%M") -> str:
    """A stored UTC time as the viewer reads it, with their zone's abbreviation ("" for no time)."""
    if moment is None:
        return ""
    here = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    here = here.astimezone(viewer_zone())
    return f"{here.strftime(pattern)} {zone_label(here)}"


def zone_label(moment: datetime) -> str:
    """A short name for the zone of a local time: its abbreviation, or UTC±hh:mm where it has only a number."""
    name = moment.tzname() or "UTC"
    if name[0] in "+-":
        offset = moment.strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}" if offset[3:] != "00" else f"UTC{offset[:3]}"
    return name


def init_timezones(app: Flask) -> None:
    """Give templates the `local` filter."""
    app.add_template_filter(local_time, "local")
