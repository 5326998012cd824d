"""`flask --app lms demo generate`: synthetic learners whose records agree with what the LMS itself works out, and
that the reports, the learner's record and the exports show like any other learner's."""

import csv
import importlib.util
import io
import pathlib
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text, update

from lms.extensions import db
from tests import test_learner_exports
from tests.helpers import load_bpo_course

CELLS_MIGRATION = (
    pathlib.Path(__file__).resolve().parents[1] / "migrations" / "versions" / "a1c3e5b7d9f2_learner_table_cells.py"
)
SUMS_MIGRATION = CELLS_MIGRATION.parent / "b2d4f6a8c0e1_quiz_result_sums.py"
LEARNERS = 150
COHORT_NAME = re.compile(r"^(Manila|Cebu|Davao|Pune) (day|night) shift, [A-Z][a-z]+ \d{4} intake$")


@pytest.fixture
def generated(app, runner):
    """The BPO course and 150 generated learners."""
    from courses.models import Course

    load_bpo_course(app)
    result = runner.invoke(args=["demo", "generate", "--learners", str(LEARNERS), "--seed", "11"])
    assert result.exit_code == 0, result.output
    assert f"Created {LEARNERS:,} learners" in result.output
    with app.app_context():
        return db.session.execute(select(Course.id, Course.slug)).one()


@pytest.fixture
def admin(client, make_user, login):
    """A signed-in admin (the `client`)."""
    user = make_user("admin")
    login(user)
    return user


def statuses(client, slug: str) -> dict[str, int]:
    """How many learners the learner table lists under each status filter (every row, from the CSV)."""
    counts = {}
    for status in ("not_started", "in_progress", "stuck", "completed"):
        response = client.get(f"/reports/courses/{slug}/learners.csv", query_string={"status": status})
        counts[status] = len(response.get_data(as_text=True).strip().splitlines()) - 1
    return counts


def test_generated_learners_sit_in_cohorts_and_show_every_kind_of_progress(app, client, admin, generated):
    from lms.cohorts import Cohort, CohortMember
    from lms.models import User

    with app.app_context():
        emails = db.session.scalars(select(User.email).where(User.email.like("%@learners.example"))).all()
        cohorts = dict(
            db.session.execute(
                select(Cohort.name, func.count(CohortMember.id)).join(CohortMember).group_by(Cohort.name)
            ).all()
        )
        in_cohorts = db.session.scalar(select(func.count(func.distinct(CohortMember.user_id))))
        kept_counts = dict(db.session.execute(select(Cohort.name, Cohort.member_count)).tuples().all())
    assert len(set(emails)) == LEARNERS
    assert all(email.isascii() for email in emails)  # "Gómez" is written "gomez" in an address
    assert cohorts and all(COHORT_NAME.match(name) for name in cohorts), cohorts
    assert sum(cohorts.values()) == in_cohorts == LEARNERS  # each learner in one cohort
    assert kept_counts == cohorts
    counts = statuses(client, generated.slug)
    assert all(count > 0 for count in counts.values()), counts
    assert sum(counts.values()) == LEARNERS


def test_what_was_generated_agrees_with_the_progress_the_lms_works_out(app, generated):
    """The enrolment summaries, completions, badges and quiz results are what the LMS computes from the
    generated lessons and attempts, as if each learner had done it all through the pages."""
    from badges.models import Award, BadgeClass
    from courses.models import CourseCompletion, Enrolment, LessonCompletion, ModuleCompletion
    from courses.outline import outline_by_id
    from courses.progress import course_progress
    from quizzes.models import Attempt

    with app.app_context():
        course = outline_by_id(generated.id)
        modules_done = set(
            db.session.execute(select(ModuleCompletion.user_id, ModuleCompletion.module_id)).tuples().all()
        )
        courses_done = set(db.session.scalars(select(CourseCompletion.user_id)))
        active = set(db.session.scalars(select(LessonCompletion.user_id).union(select(Attempt.user_id))))
        badges = dict(db.session.execute(select(BadgeClass.id, BadgeClass.module_id)).tuples().all())
        awarded = {
            (user_id, badges[badge_id])
            for user_id, badge_id in db.session.execute(select(Award.user_id, Award.badge_class_id))
        }
        for enrolment in db.session.scalars(select(Enrolment)):
            user_id = enrolment.user_id
            progress = course_progress(user_id, course)
            complete = {module.module.id for module in progress.modules if module.complete}
            assert enrolment.progress_percent == progress.percent
            assert enrolment.modules_done == len(complete)
            assert (enrolment.completed_at is not None) == progress.complete == (user_id in courses_done)
            assert {m for u, m in modules_done if u == user_id} == complete
            assert {m for u, m in awarded if u == user_id} == complete | ({None} if progress.complete else set())
            assert (enrolment.last_activity_at == enrolment.enrolled_at) == (user_id not in active)


def test_quiz_results_counts_and_item_statistics_match_the_generated_attempts(app, generated):
    from quizzes import statistics
    from quizzes.models import Attempt, AttemptAnswer, ItemOptionPicks, ItemStats, Quiz, QuizResult

    with app.app_context():
        attempts = db.session.execute(select(Attempt.quiz_id, Attempt.user_id, Attempt.score, Attempt.passed)).all()
        assert len(attempts) > LEARNERS  # several per learner
        pass_marks = dict(db.session.execute(select(Quiz.id, Quiz.pass_mark)).tuples().all())
        assert all(passed == (score >= pass_marks[quiz]) for quiz, _user, score, passed in attempts)
        # Each attempt's score is the mean of its answers' scores, as grading gives it.
        means = db.session.execute(
            select(AttemptAnswer.attempt_id, func.avg(AttemptAnswer.score), Attempt.score)
            .join(Attempt)
            .group_by(AttemptAnswer.attempt_id, Attempt.score)
        ).all()
        assert len(means) == len(attempts)
        assert all(abs(100 * mean - score) < 0.01 for _id, mean, score in means)
        expected = {}
        for quiz, user, score, passed in attempts:
            best, count, any_pass = expected.get((quiz, user), (0.0, 0, False))
            expected[(quiz, user)] = (max(best, score), count + 1, any_pass or passed)
        results = db.session.execute(
            select(
                QuizResult.quiz_id, QuizResult.user_id, QuizResult.best_score, QuizResult.attempts, QuizResult.passed
            )
        ).all()
        assert {(q, u): (b, n, p) for q, u, b, n, p in results} == expected
        started = Counter(quiz for quiz, *_rest in attempts)
        assert (
            dict(db.session.execute(select(Quiz.id, Quiz.attempt_count).where(Quiz.attempt_count > 0)).tuples().all())
            == started
        )

        def figures():
            sums = {
                row[0]: tuple(round(v, 6) for v in row[1:])
                for row in db.session.execute(select(*ItemStats.__table__.c))
            }
            picks = set(db.session.execute(select(*ItemOptionPicks.__table__.c)).tuples().all())
            return sums, picks

        generated_figures = figures()
        statistics.rebuild()  # from the attempts, as `flask quizzes rebuild-stats` does
        assert figures() == generated_figures
        db.session.rollback()


def test_an_admin_opens_a_generated_learners_record_and_one_of_their_attempts(app, client, admin, generated):
    from lms.models import User
    from quizzes.models import Attempt

    with app.app_context():
        user_id, name, attempt_id = db.session.execute(
            select(User.id, User.display_name, func.max(Attempt.id)).join(Attempt).group_by(User.id).limit(1)
        ).one()
    record = client.get(f"/learners/{user_id}/record")
    assert record.status_code == 200
    assert name in record.get_data(as_text=True) or name.replace("'", "&#39;") in record.get_data(as_text=True)
    assert f"/quizzes/attempts/{attempt_id}/record" in record.get_data(as_text=True)
    review = client.get(f"/quizzes/attempts/{attempt_id}/record")
    assert review.status_code == 200
    # Each answer's verdict, as its type words it (a question, a timed run, a conversation).
    verdicts = r"Right|Partly right|Not right|Not answered|Standard met|Standard not met \([\d.]+% of it\)"
    verdicts += r"|Full marks|[\d.]+% of the points"
    assert re.search(rf"<strong>({verdicts})( \(not finished\))?\.</strong>", review.text)


def test_the_screen_and_both_exports_agree_on_generated_learners(app, client, admin, generated):
    from lms.cohorts import CohortMember

    with app.app_context():
        biggest = db.session.execute(
            select(CohortMember.cohort_id).group_by(CohortMember.cohort_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()
    args = {"cohort": biggest, "sort": "progress", "dir": "desc"}
    shown = test_learner_exports.screen(client, generated, **args)
    assert len(shown) > 2  # headings and some learners
    assert test_learner_exports.csv_rows(client, generated, **args) == shown
    in_excel = test_learner_exports.xlsx_rows(client, generated, **args)
    assert test_learner_exports.xlsx_as_shown(in_excel) == shown


def test_generating_again_adds_new_learners_and_bad_counts_are_refused(app, runner, generated):
    from lms.models import User

    again = runner.invoke(args=["demo", "generate", "--learners", "5"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == LEARNERS + 5
    refused = runner.invoke(args=["demo", "generate", "--learners", "0"])
    assert refused.exit_code == 2 and "--learners" in refused.output


def test_a_bulk_load_stores_values_exactly_as_the_orm_does(app):
    """Dates, JSON and empty values written by `insert_many` read back, raw, the same as those the ORM wrote."""
    from lms.db import insert_many
    from lms.models import AuditEntry, aware

    moment = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    values = {"at": moment, "actor_id": None, "action": "demo", "target": "x", "detail": {"a": [1, "é"], "b": None}}
    with app.app_context():
        db.session.add(AuditEntry(**values))
        db.session.flush()
        insert_many(AuditEntry, [dict(values)])
        table = AuditEntry.__table__
        raw = db.session.execute(
            select(func.cast(table.c.at, db.String), func.cast(table.c.detail, db.String), table.c.actor_id)
        ).all()
        assert len(raw) == 2 and raw[0] == raw[1]
        assert [aware(at) for at in db.session.scalars(select(AuditEntry.at))] == [moment, moment]
        db.session.rollback()


def test_each_enrolment_keeps_the_cells_the_quizzes_and_badges_tables_give(app, generated):
    """The best scores and badges the learner table shows come from cells kept on each enrolment; they agree with
    the quiz results and awards, and the upgrade that adds them works out the same cells."""
    from courses.models import Enrolment

    spec = importlib.util.spec_from_file_location("cells_migration", CELLS_MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        kept = dict(
            db.session.execute(select(Enrolment.user_id, Enrolment.cells).order_by(Enrolment.user_id)).tuples().all()
        )
        assert sum(1 for cells in kept.values() if cells) > LEARNERS / 2
        db.session.execute(update(Enrolment).values(cells=None))
        migration.backfill(db.session.connection())
        worked_out = dict(db.session.execute(select(Enrolment.user_id, Enrolment.cells)).tuples().all())
        db.session.rollback()
    assert worked_out == {user_id: cells or None for user_id, cells in kept.items()}


def test_a_revoked_badge_leaves_the_learners_row(app, client, admin, generated):
    from badges.models import Award, BadgeClass
    from badges.services import revoke
    from lms.models import User

    with app.app_context():
        public_id, user_id, badge = db.session.execute(
            select(Award.public_id, Award.user_id, BadgeClass.name)
            .join(BadgeClass)
            .where(Award.revoked_at.is_(None))
            .limit(1)
        ).one()
        email = db.session.get_one(User, user_id).email

    def badges_cell() -> str:
        rows = test_learner_exports.csv_rows(client, generated, q=email)
        return rows[1][rows[0].index("Badges")]

    assert badge in badges_cell()
    with app.app_context():
        revoke(db.session.get_one(User, admin["id"]), public_id, "Awarded in error.")
    assert badge not in badges_cell()


def test_each_quiz_keeps_the_sums_of_its_results_and_the_upgrade_works_them_out(app, generated):
    from quizzes.models import Quiz, QuizResult

    spec = importlib.util.spec_from_file_location("sums_migration", SUMS_MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    kept_columns = (Quiz.id, Quiz.results_count, Quiz.results_best_sum, Quiz.results_attempts, Quiz.results_passed)
    with app.app_context():
        totals = db.session.execute(
            select(
                QuizResult.quiz_id,
                func.count(),
                func.sum(QuizResult.best_score),
                func.sum(QuizResult.attempts),
                func.count().filter(QuizResult.passed.is_(True)),
            ).group_by(QuizResult.quiz_id)
        ).all()
        kept = {quiz_id: row for quiz_id, *row in db.session.execute(select(*kept_columns)).all()}
        assert len(totals) >= 9
        for quiz_id, count, best_sum, attempts, passed in totals:
            assert kept[quiz_id][0] == count and kept[quiz_id][2:] == [attempts, passed]
            assert abs(kept[quiz_id][1] - best_sum) < 0.01
        db.session.execute(
            update(Quiz).values(results_count=0, results_best_sum=0, results_attempts=0, results_passed=0)
        )
        db.session.execute(text(migration.BACKFILL))
        again = {quiz_id: row for quiz_id, *row in db.session.execute(select(*kept_columns)).all()}
        db.session.rollback()
    assert {q: (r[0], round(r[1], 2), r[2], r[3]) for q, r in again.items()} == {
        q: (r[0], round(r[1], 2), r[2], r[3]) for q, r in kept.items()
    }


def test_generated_learners_practise_and_some_are_ready_for_a_job(app, client, admin, generated):
    """Learners who completed a module often go on to its practice (the call, the chat, the drill), so the role
    readiness of a generated cohort shows learners ready, where it showed none."""
    from quizzes.models import Attempt, Quiz

    with app.app_context():
        practised = dict(
            db.session.execute(
                select(Quiz.slug, func.count(Attempt.id))
                .join(Attempt, Attempt.quiz_id == Quiz.id)
                .where(Quiz.slug.in_(["billing-call", "verify-chat", "data-entry-drill", "coaching-talk"]))
                .group_by(Quiz.slug)
            ).all()
        )
    assert set(practised) == {"billing-call", "verify-chat", "data-entry-drill", "coaching-talk"}, practised
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/courses/{generated.slug}/learners.csv").text)))
    ready_columns = [n for n, heading in enumerate(rows[0]) if heading.startswith("Ready for: ")]
    assert ready_columns and any(row[n] == "Ready" for row in rows[1:] for n in ready_columns)


def test_generated_revocations_come_days_after_the_award_and_never_later_than_now(app, generated):
    from badges.models import Award
    from lms.models import aware

    with app.app_context():
        revoked = db.session.execute(
            select(Award.issued_at, Award.revoked_at).where(Award.revoked_at.is_not(None))
        ).all()
    assert revoked  # a few, so the reports show every status
    now = datetime.now(UTC)
    for issued_at, revoked_at in revoked:
        assert aware(issued_at) < aware(revoked_at) <= now
