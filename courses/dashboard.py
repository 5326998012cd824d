"""A course's dashboard figures, read from the course's tallies (kept as each enrolment's summary is written):
how many enrolled, started and completed, how far learners got through the modules, and enrolments and
completions by day. The page reads a few dozen rows, however many learners the course has."""

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from courses.models import CourseDay, CourseTally
from courses.outline import CourseOutline
from lms.extensions import db
from lms.models import utcnow
from lms.plugins import plugin_manager, real_app

DAYS = 30  # the over-time chart covers this many days, today included


@dataclasses.dataclass(frozen=True)
class Chart:
    """A chart's data: what the canvas draws and the table beside it states."""

    key: str
    title: str
    type: str  # a Chart.js chart type: "bar" or "line"
    labels: list[str]
    series: list[dict]  # {"label": str, "values": [number, ...]}: drawn, and in the table
    horizontal: bool = False
    extra: list[dict] = dataclasses.field(default_factory=list)  # in the table only (other units)

    def columns(self) -> list[dict]:
        """Every column of the chart's table."""
        return [*self.series, *self.extra]

    def spec(self) -> dict:
        """The JSON the page's script draws from."""
        return {"type": self.type, "labels": self.labels, "series": self.series, "horizontal": self.horizontal}


@dataclasses.dataclass(frozen=True)
class Figures:
    """The headline numbers and the charts of a course's dashboard."""

    enrolled: int
    started: int
    completed: int
    charts: list[Chart]
    more: list[tuple[int, str]]  # (count, label) from other plugins, such as badges issued


def course_figures(course: CourseOutline) -> Figures:
    """The dashboard of a course: its tallies and days (two queries), and the other plugins' figures."""
    tallies = db.session.execute(
        select(CourseTally.modules_done, CourseTally.started, CourseTally.completed, CourseTally.learners).where(
            CourseTally.course_id == course.id, CourseTally.learners > 0
        )
    ).all()
    enrolled = sum(row.learners for row in tallies)
    return Figures(
        enrolled=enrolled,
        started=sum(row.learners for row in tallies if row.started),
        completed=sum(row.learners for row in tallies if row.completed),
        charts=[module_funnel(course, enrolled, tallies), over_time(course.id), *plugin_charts(course.id)],
        more=plugin_figures(course.id),
    )


def plugin_charts(course_id: int) -> list[Chart]:
    """The charts other plugins add to the dashboard."""
    app = real_app()
    return [
        chart for group in plugin_manager(app).hook.lms_course_charts(app=app, course_id=course_id) for chart in group
    ]


def plugin_figures(course_id: int) -> list[tuple[int, str]]:
    """The counts other plugins add to the dashboard."""
    app = real_app()
    return [
        pair for group in plugin_manager(app).hook.lms_course_figures(app=app, course_id=course_id) for pair in group
    ]


def module_funnel(course: CourseOutline, enrolled: int, tallies: Sequence) -> Chart:
    """How many learners completed at least 1, 2, … of the course's modules."""
    total = len(course.modules)
    at_least = [sum(row.learners for row in tallies if row.modules_done >= k) for k in range(1, total + 1)]
    labels = ["Enrolled"] + [f"{k} module{'s' if k > 1 else ''}" for k in range(1, total + 1)]
    return Chart(
        key="funnel",
        title="How far learners got: completed at least this many modules",
        type="bar",
        labels=labels,
        series=[{"label": "Learners", "values": [enrolled, *at_least]}],
        horizontal=True,
    )


def over_time(course_id: int) -> Chart:
    """Enrolments and completions on each of the last DAYS days."""
    first = utcnow().date() - timedelta(days=DAYS - 1)
    rows = db.session.execute(
        select(CourseDay.day, CourseDay.enrolments, CourseDay.completions).where(
            CourseDay.course_id == course_id, CourseDay.day >= first
        )
    ).all()
    by_day = {row.day: row for row in rows}
    days = [first + timedelta(days=n) for n in range(DAYS)]
    return Chart(
        key="over-time",
        title=f"Enrolments and completions over the last {DAYS} days",
        type="line",
        labels=[day.isoformat() for day in days],
        series=[
            {"label": "Enrolments", "values": [by_day[day].enrolments if day in by_day else 0 for day in days]},
            {"label": "Completions", "values": [by_day[day].completions if day in by_day else 0 for day in days]},
        ],
    )
