"""The learner table's CSV and XLSX exports: the same rows as the screen, with its filters and order; formula
cells neutralised; streamed; and only for the course's trainers and admins."""

import csv
import html
import io
import re
from datetime import datetime

import openpyxl

from tests import test_learner_table
from tests.conftest import csrf_token_from  # noqa: F401 - the conftest fixtures come with it

# The lab course and its five learners, from the learner table's tests.
app_config = test_learner_table.app_config
lab = test_learner_table.lab

ARGS = {"status": "in_progress", "sort": "progress", "dir": "desc"}


def screen(client, course, **args) -> list[list[str]]:
    """The table as a person reads it: headings, then each row's cells (progress without its % sign)."""
    page = client.get(f"/reports/courses/{course.slug}/learners", query_string=args).text
    table = page[page.index('<table class="learner-table">') : page.index("</table>")]
    headings = [
        html.unescape(re.sub(r"<[^>]+>|[▲▼]", "", h)).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    ]
    rows = []
    for row in re.findall(r"<tr>\s*(<td.*?)</tr>", table, re.S):
        values = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        values[2] = values[2].removesuffix("%")
        rows.append(values)
    return [headings, *rows]


def csv_rows(client, course, **args) -> list[list[str]]:
    """The CSV export's rows."""
    response = client.get(f"/reports/courses/{course.slug}/learners.csv", query_string=args)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{course.slug}-learners.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8 only with its byte order mark
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(client, course, **args) -> list[list]:
    """The XLSX export's rows, as openpyxl reads them."""
    response = client.get(f"/reports/courses/{course.slug}/learners.xlsx", query_string=args)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def as_shown(value, heading: str = "") -> str:
    """An XLSX cell as the screen shows it (a day as 2026-12-01, a best score as 80%)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if heading.startswith("Best: ") and isinstance(value, int | float):
        return f"{value:g}%"
    return str(value)


def xlsx_as_shown(rows: list[list]) -> list[list[str]]:
    """The XLSX rows as the screen shows them."""
    return [[as_shown(value, heading) for value, heading in zip(row, rows[0], strict=False)] for row in rows]


def test_the_screen_the_csv_and_the_xlsx_hold_the_same_rows_in_the_same_order(app, client, trainer, lab):
    shown = screen(client, lab, **ARGS)
    assert [row[0] for row in shown[1:]] == ["Ben Bautista", "Cleo Cruz"]
    assert csv_rows(client, lab, **ARGS) == shown
    in_excel = xlsx_rows(client, lab, **ARGS)
    assert xlsx_as_shown(in_excel) == shown
    enrolled = shown[0].index("Enrolled")
    assert all(isinstance(row[enrolled], datetime) for row in in_excel[1:])  # dates Excel sorts, not text
    best = next(n for n, heading in enumerate(shown[0]) if heading.startswith("Best: "))
    scores = [row[best] for row in in_excel[1:] if row[best] != ""]
    assert scores and all(isinstance(score, int | float) for score in scores)  # numbers Excel averages, not "80%"
    # Without filters, every learner, in each file.
    assert len(csv_rows(client, lab)) == len(xlsx_rows(client, lab)) == 1 + 5


def test_a_name_a_spreadsheet_would_run_arrives_as_text_in_both_files(app, client, trainer, lab, make_user):
    from tests.test_quiz_attempts import enrol

    attacker = make_user(name='=HYPERLINK("http://x","y")', email="mallory@example.com")
    enrol(app, attacker["id"], lab.id)
    [row] = [r for r in csv_rows(client, lab, q="mallory")[1:]]
    assert row[0] == '\'=HYPERLINK("http://x","y")'
    # In the XLSX the name is a text cell, which Excel never runs: it is written as typed.
    response = client.get(f"/reports/courses/{lab.slug}/learners.xlsx", query_string={"q": "mallory"})
    cell = openpyxl.load_workbook(io.BytesIO(response.data)).active["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert screen(client, lab, q="mallory")[1][0] == '=HYPERLINK("http://x","y")'  # the screen shows it as typed


def test_the_csv_streams_and_only_the_courses_trainers_and_admins_get_the_files(
    app, client, trainer, lab, make_user, login
):
    response = client.get(f"/reports/courses/{lab.slug}/learners.csv")
    assert response.is_streamed
    assert response.get_data(as_text=True).count("\n") == 1 + 5  # read to the end, which closes the stream
    for role in ("learner", "trainer"):
        other = login(make_user(role), target=app.test_client())
        for kind in ("csv", "xlsx"):
            assert other.get(f"/reports/courses/{lab.slug}/learners.{kind}").status_code == 403
    admin = login(make_user("admin"), target=app.test_client())
    assert admin.get(f"/reports/courses/{lab.slug}/learners.xlsx").status_code == 200
