"""A course's dashboard: enrolled, started and completed, the module funnel and activity by day, each chart
with its figures in a table; for the course's trainers and admins."""

import json
import re

from lms.models import utcnow
from tests import test_learner_table
from tests.helpers import page_text

# The lab course and its five learners (Ada finished, Ben and Eve read the lesson, Cleo failed the quiz, Dev
# did nothing), from the learner table's tests.
app_config = test_learner_table.app_config
lab = test_learner_table.lab


def chart_data(page: str, key: str) -> dict:
    """The JSON a chart is drawn from."""
    found = re.search(rf'<script type="application/json" id="chart-{key}-data">(.*?)</script>', page, re.S)
    assert found, key
    return json.loads(found.group(1))


def test_the_dashboard_counts_learners_and_draws_the_funnel_and_the_days(app, client, trainer, lab):
    response = client.get(f"/reports/courses/{lab.slug}")
    assert response.status_code == 200
    text = page_text(response)
    assert "5 enrolled" in text and "4 started" in text and "1 completed the course" in text
    assert "0 badges held" in text  # the lab course offers no badge
    funnel = chart_data(response.text, "funnel")
    assert funnel["labels"] == ["Enrolled", "1 module"] and funnel["series"][0]["values"] == [5, 1]
    days = chart_data(response.text, "over-time")
    today = utcnow().date().isoformat()
    assert len(days["labels"]) == 30 and days["labels"][-1] == today
    assert [series["values"][-1] for series in days["series"]] == [5, 1]
    assert sum(days["series"][0]["values"]) == 5
    quizzes = chart_data(response.text, "quizzes")  # Ada passed with 100 %, Cleo failed with 0 %
    assert quizzes["series"] == [
        {"label": "Mean best score %", "values": [50]},
        {"label": "Pass rate %", "values": [50]},
    ]
    assert re.search(r"<td>50</td><td>50</td><td>2</td><td>1\.0</td>", response.text)  # tried, mean attempts
    # Each chart's figures are in a table too, shown as the page comes (the charts' script folds them once drawn).
    assert re.search(r"<th scope=\"row\">1 module</th><td>1</td>", response.text)
    assert re.search(rf"<th scope=\"row\">{today}</th><td>5</td><td>1</td>", response.text)
    assert response.text.count('<details class="chart-figures" open data-fold-when-drawn>') == 3


def test_only_the_courses_trainers_and_admins_see_the_dashboard(app, lab, make_user, login):
    url = f"/reports/courses/{lab.slug}"
    assert login(make_user("admin"), target=app.test_client()).get(url).status_code == 200
    for role in ("learner", "trainer"):
        assert login(make_user(role), target=app.test_client()).get(url).status_code == 403


def test_the_dashboard_counts_the_badges_held(app, make_user, login):
    from tests.test_badges_issuing import earn_first_badge, sync_course

    course = sync_course(app)
    for name in ("Rosa Reyes", "Tomas Tan"):
        earn_first_badge(app, make_user, course, name=name)
    admin = login(make_user("admin"), target=app.test_client())
    text = page_text(admin.get(f"/reports/courses/{course.slug}"))
    assert "2 badges held" in text and "2 enrolled" in text


def test_the_upgrade_works_out_the_same_quiz_results_from_the_attempts(app, lab):
    """The migration's backfill, run on attempts scored before the results were kept, agrees with them."""
    import importlib.util
    import pathlib

    from sqlalchemy import delete, select, text

    from lms.extensions import db
    from quizzes.models import QuizResult

    path = pathlib.Path(__file__).resolve().parents[1] / "migrations" / "versions" / "f0c2e4a6b8d1_quiz_results.py"
    spec = importlib.util.spec_from_file_location("results_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    columns = (QuizResult.quiz_id, QuizResult.user_id, QuizResult.best_score, QuizResult.attempts, QuizResult.passed)
    with app.app_context():
        kept = db.session.execute(select(*columns).order_by(QuizResult.user_id)).all()
        db.session.execute(delete(QuizResult))
        db.session.execute(text(migration.BACKFILL))
        db.session.commit()
        worked_out = db.session.execute(select(*columns).order_by(QuizResult.user_id)).all()
    assert len(kept) == 2
    assert [tuple(row) for row in worked_out] == [tuple(row) for row in kept]


def test_a_quiz_nobody_tried_shows_no_score_rather_than_nought(app, make_user, login):
    """Practice and new quizzes that no learner tried yet would read as everyone failing at 0 %."""
    from tests.test_badges_issuing import sync_course

    course = sync_course(app)
    client = login(make_user("admin"), target=app.test_client())
    response = client.get(f"/reports/courses/{course.slug}")
    quizzes = chart_data(response.text, "quizzes")
    assert quizzes["labels"] and all(value is None for series in quizzes["series"] for value in series["values"])
    first = re.escape(quizzes["labels"][0])
    assert re.search(rf'<th scope="row">{first}</th><td>–</td><td>–</td><td>0</td><td>–</td>', response.text)
