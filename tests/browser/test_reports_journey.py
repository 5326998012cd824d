"""An admin filters a course's learner table to one cohort, opens a learner's record and one of their attempts,
and downloads the CSV and the XLSX; axe finds nothing on the report pages."""

import csv
import io
import pathlib
import re

import openpyxl
from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.helpers import wait_in_page
from tests.test_badges_issuing import earn_first_badge, sync_course


def test_an_admin_reports_on_one_cohort(page, live_server, app, make_user, axe):
    from lms.cohorts import add_members, create_cohort
    from lms.extensions import db
    from lms.models import User

    course = sync_course(app)
    rosa = earn_first_badge(app, make_user, course, name="Rosa Reyes")
    earn_first_badge(app, make_user, course, name="Tomas Tan")
    admin = make_user("admin")
    with app.app_context():
        actor = db.session.get(User, admin["id"])
        cohort = create_cohort(actor, "Manila night shift, March intake")
        add_members(actor, cohort, [(1, rosa["email"])])
    base = live_server.url
    sign_in(page, base, admin)
    page.goto(f"{base}/admin/cohorts")
    axe(page, "cohorts")
    page.get_by_role("link", name="Manila night shift, March intake").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manila night shift, March intake")
    axe(page, "a cohort")
    # The dashboard draws its charts with the script it serves itself: no policy violation, no page error.
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{base}/courses/{course.slug}")
    page.get_by_role("link", name="Course dashboard").click()
    expect(page.locator(".figures-cards li").first).to_have_text(re.compile(r"^\s*2\s*enrolled\s*$"))
    expect(page.locator("canvas[data-chart]")).to_have_count(3)
    wait_in_page(
        page,
        "() => typeof Chart !== 'undefined'"
        " && Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => Chart.getChart(c))",
    )
    assert problems == []
    # The quizzes' chart labels every quiz, however many there are, rather than every other one.
    labelled = page.evaluate(
        """() => { const chart = Chart.getChart(document.querySelector("canvas[data-chart='chart-quizzes-data']"));
                   return [chart.scales.y.ticks.length, chart.data.labels.length]; }"""
    )
    assert labelled[0] == labelled[1] > 10, labelled
    # Drawn, each chart folds its table of figures under a summary, which opens it again.
    figures = page.locator("details.chart-figures")
    expect(figures).to_have_count(3)
    for n in range(3):
        expect(figures.nth(n)).not_to_have_attribute("open", "")
    funnel_table = page.get_by_role("table", name=re.compile("completed at least this many modules, as figures"))
    expect(funnel_table).to_be_hidden()
    figures.first.locator("summary").click()
    expect(funnel_table).to_be_visible()
    axe(page, "course dashboard")
    page.get_by_role("link", name="Learners and their progress").click()
    page.get_by_label("Cohort", exact=True).select_option(label="Manila night shift, March intake")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    axe(page, "learner table filtered to a cohort")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(pathlib.Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [row[0] for row in rows[1:]] == ["Rosa Reyes"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    assert download.value.suggested_filename == f"{course.slug}-learners.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(pathlib.Path(download.value.path()).read_bytes()), read_only=True).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Rosa Reyes"]

    page.get_by_role("link", name="Rosa Reyes").click()
    expect(page.get_by_role("heading", name="Record of Rosa Reyes")).to_be_visible()
    page.get_by_role("link", name="Answers of attempt 1 at Quiz: What BPO is and why companies use it").click()
    expect(page.get_by_text("The attempt as recorded, with the right answers; read-only.")).to_be_visible()
