"""A course's learner table: progress kept in each enrolment as it is written, filters, sorting by any column,
pages by key, the columns quizzes and badges add, who may see it, and the upgrade that works the summary out
from facts recorded before it existed."""

import base64
import importlib.util
import json
import pathlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from lms.extensions import db
from lms.models import utcnow
from tests.helpers import assign_trainer, page_text
from tests.test_quiz_attempts import basic_answers, enrol, one_module_lab, start

MIGRATION = (
    pathlib.Path(__file__).resolve().parents[1]
    / "migrations"
    / "versions"
    / "d6a8c0e2f4b7_enrolment_progress_summary.py"
)


@pytest.fixture
def app_config(app_config):
    """Several people sign in from one address here."""
    return {**app_config, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def lab(app, tmp_path, trainer, make_user, login):
    """The lab course (one module: a lesson and a quiz) with five learners at different points:
    Ada finished it, Ben read the lesson, Cleo failed the quiz, Dev did nothing, and Eve read the lesson a month
    ago and nothing since (stuck)."""
    course = one_module_lab(app, tmp_path)
    assign_trainer(app, trainer, course.id)
    course.learners = {}
    for name in ("Ada Ayala", "Ben Bautista", "Cleo Cruz", "Dev Dizon", "Eve Estrada"):
        user = make_user(name=name, email=f"{name.split()[0].lower()}@example.com")
        read = ["m1-read"] if name[0] in "ABE" else []
        enrol(app, user["id"], course.id, read=read)
        course.learners[name.split()[0]] = user
    for first, answers in (("Ada", {"capital": "Paris", "sky": "False"}), ("Cleo", {"capital": "Lyon", "sky": "True"})):
        client = login(course.learners[first], target=app.test_client())
        attempt_id = start(client, course.quiz_id)
        client.post(f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, answers))
    from courses.models import Enrolment

    with app.app_context():
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.user_id == course.learners["Eve"]["id"])
            .values(last_activity_at=utcnow() - timedelta(days=30))
        )
        db.session.commit()
    return course


def table(client, course, **args):
    """The learner table's rows as (name, progress, modules, status) and the page's next link."""
    response = client.get(f"/reports/courses/{course.slug}/learners", query_string=args)
    assert response.status_code == 200, response.status_code
    rows = []
    for row in re.findall(r"<tr>\s*<td[^>]*><a[^>]*>(.*?)</a></td>(.*?)</tr>", response.text, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
        rows.append((row[0], cells[1], cells[2], cells[5]))
    following = re.search(r'href="([^"]*after=[^"]*)">Next page', response.text)
    return rows, following.group(1).replace("&amp;", "&") if following else None, response


def test_each_learners_progress_status_scores_and_badges_are_in_the_table(app, client, trainer, lab):
    rows, following, response = table(client, lab)
    assert following is None
    assert rows == [
        ("Ada Ayala", "100%", "1", "Completed"),
        ("Ben Bautista", "50%", "0", "In progress"),
        ("Cleo Cruz", "0%", "0", "In progress"),
        ("Dev Dizon", "0%", "0", "Not started"),
        ("Eve Estrada", "50%", "0", "Stuck"),
    ]
    text_ = page_text(response)
    assert "Best: Quiz: Module m1" in text_
    ada = re.search(r"Ada Ayala</a></td>(.*?)</tr>", response.text, re.S).group(1)
    assert "100%" in ada  # the quiz column
    cleo = re.search(r"Cleo Cruz</a></td>(.*?)</tr>", response.text, re.S).group(1)
    assert "0%" in cleo


def test_a_quiz_taken_off_keeps_its_column_while_learners_have_results_in_it(app, client, trainer, lab, tmp_path):
    """Unpublishing a quiz hid what learners had achieved in it from the table, the exports and the dashboard; it
    stays, marked, while a learner has a result in it. A new draft nobody took adds no column."""
    from tests.conftest import csrf_token_from

    page = client.get(f"/author/quizzes/{lab.quiz_id}")
    token = csrf_token_from(page.text)
    taken_off = client.post(f"/author/quizzes/{lab.quiz_id}/publish", data={"csrf_token": token, "publish": "0"})
    assert taken_off.status_code == 302
    client.post("/author/quizzes/new", data={"csrf_token": token, "course_id": lab.id, "title": "Draft check"})

    _rows, _following, response = table(client, lab)
    text_ = page_text(response)
    assert "Best: Quiz: Module m1 (unpublished)" in text_ and "Draft check" not in text_
    ada = re.search(r"Ada Ayala</a></td>(.*?)</tr>", response.text, re.S).group(1)
    assert "100%" in ada
    from tests.test_course_dashboard import chart_data

    quizzes = chart_data(client.get(f"/reports/courses/{lab.slug}").text, "quizzes")
    assert quizzes["labels"] == ["Quiz: Module m1 (unpublished)"]


def test_filters_search_and_sorting(app, client, trainer, lab):
    names = lambda **args: [row[0] for row in table(client, lab, **args)[0]]  # noqa: E731
    assert names(status="completed") == ["Ada Ayala"]
    assert names(status="not_started") == ["Dev Dizon"]
    assert names(status="stuck") == ["Eve Estrada"]
    assert names(status="in_progress") == ["Ben Bautista", "Cleo Cruz"]
    assert names(q="cruz") == ["Cleo Cruz"]
    assert names(q="ben@exa") == ["Ben Bautista"]
    assert names(sort="progress", dir="desc") == ["Ada Ayala", "Eve Estrada", "Ben Bautista", "Dev Dizon", "Cleo Cruz"]
    assert names(sort="activity")[0] == "Eve Estrada"  # the longest without activity first
    today = utcnow().date().isoformat()
    assert names(**{"from": today}) == names()
    assert names(to="2000-01-01") == []
    assert names(sort="nonsense", status="odd", after="!!!", **{"from": "yesterday"}) == names()
    # The calendar's last day, and page keys with numbers no column holds, are ignored like any other nonsense.
    assert names(to="9999-12-31") == names(**{"from": "9999-12-31"}) == names()
    # Said, not only ignored: a day of no calendar, and a range that ends before it starts.
    shown = page_text(client.get(f"/reports/courses/{lab.slug}/learners", query_string={"from": "2026-13-45"}))
    assert "“2026-13-45” is not a day, so the table is not filtered on it" in shown
    backwards = {"from": "2026-12-06", "to": "2026-12-01"}
    shown = page_text(client.get(f"/reports/courses/{lab.slug}/learners", query_string=backwards))
    assert "“Enrolled from” is after “Enrolled until”, so no learner can match." in shown
    assert "is not a day" not in page_text(client.get(f"/reports/courses/{lab.slug}/learners"))
    past_any_column = [["a", 2**64], [2**63, 1], ["a", 0]]
    for key in past_any_column:
        crafted = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
        assert names(after=crafted) == names()
    # A key whose value is not of its sort's kind (text for a number, a number for a date) is ignored too: compared
    # with the column, PostgreSQL would refuse the statement.
    kinds = {"text": "Ada Ayala", "number": 50, "time": {"t": "2026-01-01T00:00:00+00:00"}}
    others = {"name": ("number", "time"), "progress": ("text", "time"), "enrolled": ("text", "number")}
    for sort, wrong in others.items():
        for kind in wrong:
            crafted = base64.urlsafe_b64encode(json.dumps([kinds[kind], 1]).encode()).decode().rstrip("=")
            assert names(sort=sort, after=crafted) == names(sort=sort), (sort, kind)
    export = client.get(f"/reports/courses/{lab.slug}/learners.csv", query_string={"to": "9999-12-31"})
    assert export.status_code == 200 and export.text.count("@example.com") == 5
    # A crafted page key whose JSON escapes carry what no database stores (a lone surrogate; NUL, which
    # PostgreSQL refuses) past the check of the query string is ignored, like any other bad key (it was a 500).
    for value in ("\ud800", "\u0000"):
        crafted = base64.urlsafe_b64encode(json.dumps([value, 1]).encode()).decode().rstrip("=")
        assert names(after=crafted) == names(), value
    # A search ending in U+D7FF, the last character before the surrogates (its range once ended on one: a 500).
    assert names(q="\ud7ff") == []
    export = client.get(f"/reports/courses/{lab.slug}/learners.csv", query_string={"q": "ada\ud7ff"})
    assert export.status_code == 200 and "@example.com" not in export.text


@pytest.mark.parametrize("sort", ["name", "email", "progress", "modules", "activity", "enrolled"])
def test_pages_by_key_visit_every_learner_once_in_order(app, client, trainer, lab, monkeypatch, sort):
    from courses import learner_table

    everyone = [row[0] for row in table(client, lab, sort=sort, dir="desc")[0]]
    monkeypatch.setattr(learner_table, "PAGE_SIZE", 2)
    seen, args = [], {"sort": sort, "dir": "desc"}
    rows, following, _ = table(client, lab, **args)
    seen += [row[0] for row in rows]
    while following:
        response = client.get(following)
        rows = re.findall(r"<tr>\s*<td[^>]*><a[^>]*>(.*?)</a></td>", response.text)
        seen += rows
        found = re.search(r'href="([^"]*after=[^"]*)">Next page', response.text)
        following = found.group(1).replace("&amp;", "&") if found else None
    assert seen == everyone and len(seen) == 5


def pager_link(html: str, text: str) -> str | None:
    """The address of the pager's link with this text, if the page has it."""
    found = re.search(rf'href="([^"]*)">{text}</a>', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize(
    ("sort", "direction", "search"), [("name", "asc", ""), ("progress", "desc", ""), ("name", "desc", "example")]
)
def test_previous_page_goes_back_through_the_same_pages(
    app, client, trainer, lab, monkeypatch, sort, direction, search
):
    from courses import learner_table

    monkeypatch.setattr(learner_table, "PAGE_SIZE", 2)
    first = client.get(
        f"/reports/courses/{lab.slug}/learners", query_string={"sort": sort, "dir": direction, "q": search}
    )
    assert pager_link(first.text, "Previous page") is None and pager_link(first.text, "First page") is None
    pages, response = [], first
    while True:
        pages.append(re.findall(r"<tr>\s*<td[^>]*><a[^>]*>(.*?)</a></td>", response.text))
        following = pager_link(response.text, "Next page")
        if following is None:
            break
        response = client.get(following)
    assert [len(page) for page in pages] == [2, 2, 1]
    # Back from the last page, "Previous page" shows each page as it was on the way forward, then the first.
    for expected in reversed(pages[:-1]):
        previous = pager_link(response.text, "Previous page")
        assert previous is not None and "before=" in previous
        response = client.get(previous)
        assert re.findall(r"<tr>\s*<td[^>]*><a[^>]*>(.*?)</a></td>", response.text) == expected
        assert pager_link(response.text, "Next page") is not None
    assert pager_link(response.text, "Previous page") is None and pager_link(response.text, "First page") is None


def every_page(client, lab, **args):
    """The names on every page of the table, following "Next page" from the first."""
    rows, following, _ = table(client, lab, **args)
    seen = [row[0] for row in rows]
    while following:
        response = client.get(following)
        seen += re.findall(r"<tr>\s*<td[^>]*><a[^>]*>(.*?)</a></td>", response.text)
        found = re.search(r'href="([^"]*after=[^"]*)">Next page', response.text)
        following = found.group(1).replace("&amp;", "&") if found else None
    return seen


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_a_search_pages_in_name_order_and_follows_a_renamed_learner(app, client, trainer, lab, monkeypatch, direction):
    from courses import learner_table
    from lms.auth.details import rename

    monkeypatch.setattr(learner_table, "PAGE_SIZE", 2)
    everyone = ["Ada Ayala", "Ben Bautista", "Cleo Cruz", "Dev Dizon", "Eve Estrada"]
    ordered = everyone if direction == "asc" else everyone[::-1]
    # Every address is at example.com, and Ada's name and address both match "a": each learner comes once.
    assert every_page(client, lab, q="example", dir=direction) == ordered
    assert every_page(client, lab, q="a", dir=direction) == ["Ada Ayala"]
    assert every_page(client, lab, q="exam cl", dir=direction) == ["Cleo Cruz"]

    with app.app_context():
        rename(lab.learners["Ada"]["id"], "Zara Ayala")
    renamed = ["Ben Bautista", "Cleo Cruz", "Dev Dizon", "Eve Estrada", "Zara Ayala"]
    assert every_page(client, lab, q="example", dir=direction) == (renamed if direction == "asc" else renamed[::-1])
    assert every_page(client, lab, q="zara", dir=direction) == ["Zara Ayala"]


def test_only_the_courses_trainers_and_admins_see_the_table(app, lab, make_user, login):
    url = f"/reports/courses/{lab.slug}/learners"
    assert login(make_user("admin"), target=app.test_client()).get(url).status_code == 200
    assert login(make_user("trainer"), target=app.test_client()).get(url).status_code == 403
    assert login(lab.learners["Ada"], target=app.test_client()).get(url).status_code == 403


def test_the_upgrade_works_out_the_same_summary_from_the_recorded_facts(app, lab):
    """The migration's backfill, run on facts recorded before the summary existed, agrees with the summary the
    app keeps as it writes."""
    from courses.models import Enrolment

    spec = importlib.util.spec_from_file_location("summary_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    columns = (Enrolment.user_id, Enrolment.progress_percent, Enrolment.modules_done, Enrolment.completed_at)
    with app.app_context():
        kept = db.session.execute(select(*columns).order_by(Enrolment.user_id)).all()
        db.session.execute(update(Enrolment).values(progress_percent=0, modules_done=0, completed_at=None))
        db.session.execute(text(migration.backfill(db.engine.dialect.name)))
        db.session.commit()
        worked_out = db.session.execute(select(*columns).order_by(Enrolment.user_id)).all()
    assert [tuple(row) for row in worked_out] == [tuple(row) for row in kept]
