"""`flask courses sync`: idempotent, keyed by slugs, and a changed pack keeps learners' progress right."""

import html
import pathlib
import re
import shutil

import yaml
from sqlalchemy import func, select

from badges.pack import SECTION as BADGE_SECTION
from courses.models import Course, Lesson, LessonCompletion, Module
from courses.outline import outline_by_slug
from courses.pack import read_pack
from courses.progress import course_progress
from lms.extensions import db
from quizzes.models import Attempt, Question, QuestionVersion, Quiz, QuizQuestion
from quizzes.pack import SECTIONS as QUIZ_SECTIONS
from quizzes.pack import pack_quizzes
from tests import test_learner_journey as journey
from tests.conftest import csrf_token_from
from tests.helpers import enrol, mark_complete, page_text, progress_shown

PACK = pathlib.Path(__file__).resolve().parent.parent / "courses" / "bpo_operations"
COURSE = "bpo-operations"
# The course.yaml sections the built-in plugins own, as an app with them installed reads a pack.
SECTIONS = [*QUIZ_SECTIONS, BADGE_SECTION]


def row_counts(app) -> dict:
    """How many rows each synced table holds."""
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Course, Module, Lesson, Quiz, QuizQuestion, Question, QuestionVersion)
        }


def steps_in(pack_dir) -> int:
    """Required steps of a pack as the learner sees them: every lesson plus every quiz that counts."""
    pack, problems = read_pack(pack_dir, SECTIONS)
    assert problems == []
    return journey.total_steps(pack)


def set_lessons(pack_dir: pathlib.Path, module_slug: str, lessons: list) -> None:
    """Make a module of the pack list exactly these lessons (course.yaml edited as data)."""
    manifest = pack_dir / "course.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    module = next(module for module in data["modules"] if module["slug"] == module_slug)
    module["lessons"] = list(lessons)
    manifest.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def lessons_of(pack_dir: pathlib.Path, module_slug: str) -> list:
    """The lesson slugs a module of the pack lists."""
    data = yaml.safe_load((pack_dir / "course.yaml").read_text(encoding="utf-8"))
    return next(module["lessons"] for module in data["modules"] if module["slug"] == module_slug)


def write_lesson(pack_dir: pathlib.Path, slug: str, title: str, body: str) -> None:
    """Write a lesson file: front matter, then the Markdown body."""
    (pack_dir / "lessons" / f"{slug}.md").write_text(
        f'---\ntitle: "{title}"\nminutes: 5\nobjectives:\n  - "Say what the lesson is about"\n---\n{body}\n',
        encoding="utf-8",
    )


def without_objective_tags(pack_dir: pathlib.Path) -> None:
    """Take the objective tags off every question and the rule that asks for them off the course."""
    manifest = pack_dir / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("objective_coverage: true", ""), encoding="utf-8")
    for gift in (pack_dir / "quizzes").glob("*.gift"):
        text = gift.read_text(encoding="utf-8")
        gift.write_text(re.sub(r"\[tag:objective/[^\]]*\]", "", text), encoding="utf-8")
    for questions in (pack_dir / "quizzes").glob("*.yaml"):
        text = questions.read_text(encoding="utf-8")
        questions.write_text(re.sub(r", objective/[^\],]*", "", text), encoding="utf-8")


def visible_text(html_fragment: str) -> str:
    """The text of HTML: tags removed, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_fragment)).split())


def test_sync_twice_gives_the_same_rows(app, runner):
    pack, problems = read_pack(PACK, SECTIONS)
    assert problems == []

    first = runner.invoke(args=["courses", "sync"])
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == f"{COURSE}: synced ({len(pack.modules)} modules)"
    counts = row_counts(app)
    with app.app_context():
        versions = dict(db.session.execute(select(Question.uid, Question.current_version)).all())
        lesson_ids = dict(db.session.execute(select(Lesson.slug, Lesson.id)).all())

    second = runner.invoke(args=["courses", "sync"])

    assert second.exit_code == 0, second.output
    assert row_counts(app) == counts
    assert counts["courses"] == 1
    assert counts["modules"] == len(pack.modules)
    assert counts["lessons"] == sum(len(module.lessons) for module in pack.modules)
    assert counts["quizzes"] == len(pack_quizzes(pack))
    assert counts["questions"] > 0 and counts["question_versions"] == counts["questions"]
    with app.app_context():
        assert dict(db.session.execute(select(Question.uid, Question.current_version)).all()) == versions
        assert dict(db.session.execute(select(Lesson.slug, Lesson.id)).all()) == lesson_ids


# --- re-syncing a changed pack ------------------------------------------------------------------------------


def signed_in(app, user):
    """A test client of its own, signed in as `user` through the login form."""
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user["email"], "password": user["password"], "csrf_token": token})
    assert response.status_code == 302
    return client


def pass_every_quiz(app, user_id):
    """Record a passed, submitted attempt at every quiz that counts towards completion, the final assessment
    included (the facts the quiz engine leaves behind)."""
    with app.app_context():
        counting = Quiz.counts_towards_completion.is_(True)
        quizzes = db.session.scalars(select(Quiz).where(counting, Quiz.active.is_(True))).all()
        db.session.add_all(
            Attempt(quiz_id=quiz.id, user_id=user_id, number=1, status="submitted", score=100.0, passed=True, slots=[])
            for quiz in quizzes
        )
        db.session.commit()


def dashboard_progress(client) -> str:
    """The "x% complete (d of t steps)" line of the course on the learner's dashboard."""
    text = page_text(client.get("/dashboard"))
    assert "My learning" in text
    match = re.search(r"(\d+)% complete \((\d+) of (\d+) steps\)", text)
    assert match, text
    return match.group(0)


def expected(done: int, total: int) -> str:
    """What the dashboard must say for `done` of `total` steps."""
    return progress_shown(done, total)


def completed_slugs(app, user_id) -> set:
    """The lessons the learner has completed that the course still has, from the derived progress."""
    with app.app_context():
        progress = course_progress(user_id, outline_by_slug(COURSE))
        return {
            step.values["lesson_slug"]
            for module in progress.modules
            for step in module.steps
            if step.kind == "lesson" and step.done
        }


def test_resyncing_a_changed_pack_keeps_progress_and_percentages_right(app, runner, make_user, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    app.extensions["courses"]["packs"] = [pack]
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    total_before = steps_in(pack)

    ana, ben, cruz = make_user(name="Ana"), make_user(name="Ben"), make_user(name="Cruz")
    clients = {name: signed_in(app, user) for name, user in (("ana", ana), ("ben", ben), ("cruz", cruz))}
    for client in clients.values():
        enrol(client, COURSE)
    original, _ = read_pack(pack, SECTIONS)
    # Ana reads the whole first module, then both lessons of "voice-and-non-voice"; Ben reads only the lesson
    # that will be removed; Cruz reads everything and passes every quiz.
    read_by_ana = [("what-is-bpo", lesson.slug) for lesson in original.modules[0].lessons]
    read_by_ana += [("voice-and-non-voice", "voice-bpo"), ("voice-and-non-voice", "non-voice-bpo")]
    assert original.modules[0].slug == "what-is-bpo" and original.modules[1].slug == "voice-and-non-voice"
    for module_slug, lesson_slug in read_by_ana:
        assert mark_complete(clients["ana"], COURSE, module_slug, lesson_slug).status_code == 302
    assert mark_complete(clients["ben"], COURSE, "voice-and-non-voice", "non-voice-bpo").status_code == 302
    for module in original.modules:
        for lesson in module.lessons:
            assert mark_complete(clients["cruz"], COURSE, module.slug, lesson.slug).status_code == 302
    pass_every_quiz(app, cruz["id"])

    assert dashboard_progress(clients["ana"]) == expected(len(read_by_ana), total_before)
    assert dashboard_progress(clients["ben"]) == expected(1, total_before)
    assert (
        dashboard_progress(clients["cruz"])
        == expected(total_before, total_before)
        == (f"100% complete ({total_before} of {total_before} steps)")
    )
    with app.app_context():
        facts_before = db.session.scalar(select(func.count()).select_from(LessonCompletion))

    # The authors change the pack: a new lesson in the first module, "voice-bpo" reworded, "non-voice-bpo" removed.
    old_voice = next(lesson for module in original.modules for lesson in module.lessons if lesson.slug == "voice-bpo")
    old_words = visible_text(old_voice.body_html)[:80]
    set_lessons(pack, "what-is-bpo", lessons_of(pack, "what-is-bpo") + ["a-day-on-the-floor"])
    write_lesson(
        pack,
        "a-day-on-the-floor",
        "A Day on the Floor",
        "You log in, read the team notes and take your first call before the coffee cools.",
    )
    write_lesson(
        pack,
        "voice-bpo",
        "Voice BPO: Jobs Done by Phone",
        "At this very minute a caller waits in a queue, and the agent who answers is doing voice work.",
    )
    set_lessons(
        pack,
        "voice-and-non-voice",
        [slug for slug in lessons_of(pack, "voice-and-non-voice") if slug != "non-voice-bpo"],
    )
    (pack / "lessons" / "non-voice-bpo.md").unlink()
    without_objective_tags(pack)  # the objectives they tagged questions with changed too
    total_after = steps_in(pack)
    assert total_after == total_before  # one lesson in, one out: the same number of steps, different ones

    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output

    # Completion facts are never deleted; progress counts only the ones that match today's lessons.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == facts_before
    still_there = {slug for _, slug in read_by_ana} - {"non-voice-bpo"}
    assert completed_slugs(app, ana["id"]) == still_there
    assert completed_slugs(app, ben["id"]) == set()
    assert dashboard_progress(clients["ana"]) == expected(len(still_there), total_after)
    assert dashboard_progress(clients["ben"]) == expected(0, total_after)
    # Cruz had finished everything: one lesson is new to them, and the removed one no longer counts.
    assert dashboard_progress(clients["cruz"]) == expected(total_after - 1, total_after)
    course_page = page_text(clients["ana"].get(f"/courses/{COURSE}"))
    assert expected(len(still_there), total_after) in course_page
    removed_title = next(
        lesson.title for module in original.modules for lesson in module.lessons if lesson.slug == "non-voice-bpo"
    )
    assert "A Day on the Floor" in course_page and removed_title not in course_page

    # The first unfinished step is now the new lesson, and the module page says why the module is not done.
    response = clients["ana"].get(f"/courses/{COURSE}/continue")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{COURSE}/what-is-bpo/a-day-on-the-floor"
    module_page = page_text(clients["ana"].get(f"/courses/{COURSE}/what-is-bpo"))
    assert "A Day on the Floor — Not marked as complete yet" in module_page

    # The removed lesson is gone for everyone; the reworded one shows its new words only.
    removed = f"/courses/{COURSE}/voice-and-non-voice/non-voice-bpo"
    assert clients["ana"].get(removed).status_code == 404
    token = csrf_token_from(clients["ana"].get(f"/courses/{COURSE}").get_data(as_text=True))
    assert clients["ana"].post(f"{removed}/complete", data={"csrf_token": token}).status_code == 404
    reworded = clients["ana"].get(f"/courses/{COURSE}/voice-and-non-voice/voice-bpo")
    assert reworded.status_code == 200
    reworded_text = page_text(reworded)
    assert "Voice BPO: Jobs Done by Phone" in reworded_text
    assert "At this very minute a caller waits in a queue" in reworded_text
    assert old_words not in reworded_text and old_voice.title not in reworded_text
    assert "Completed" in reworded_text  # Ana's completion survived the rewording

    # Cruz reads the new lesson: exactly 100%, never more, although they hold a fact for the removed lesson too.
    assert mark_complete(clients["cruz"], COURSE, "what-is-bpo", "a-day-on-the-floor").status_code == 302
    assert (
        dashboard_progress(clients["cruz"])
        == expected(total_after, total_after)
        == (f"100% complete ({total_after} of {total_after} steps)")
    )
    with app.app_context():
        cruz_facts = db.session.scalar(
            select(func.count()).select_from(LessonCompletion).where(LessonCompletion.user_id == cruz["id"])
        )
        assert cruz_facts == sum(len(m.lessons) for m in original.modules) + 1
        progress = course_progress(cruz["id"], outline_by_slug(COURSE))
        assert progress.percent == 100 and progress.done == progress.total == total_after and progress.complete
    assert "You have completed this course." in page_text(clients["cruz"].get(f"/courses/{COURSE}"))


def test_a_lesson_that_moves_to_another_module_keeps_its_completions(app, runner, make_user, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    app.extensions["courses"]["packs"] = [pack]
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    learner = make_user()
    client = signed_in(app, learner)
    enrol(client, COURSE)
    assert mark_complete(client, COURSE, "voice-and-non-voice", "non-voice-bpo").status_code == 302

    set_lessons(
        pack,
        "voice-and-non-voice",
        [slug for slug in lessons_of(pack, "voice-and-non-voice") if slug != "non-voice-bpo"],
    )
    set_lessons(pack, "what-is-bpo", lessons_of(pack, "what-is-bpo") + ["non-voice-bpo"])
    without_objective_tags(pack)  # its objectives are no longer assessed by its module's quiz
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0

    assert client.get(f"/courses/{COURSE}/voice-and-non-voice/non-voice-bpo").status_code == 404
    moved = client.get(f"/courses/{COURSE}/what-is-bpo/non-voice-bpo")
    assert moved.status_code == 200 and "Completed" in page_text(moved)
    assert dashboard_progress(client) == expected(1, steps_in(pack))


def test_a_lesson_added_by_a_sync_shows_the_learners_state_on_its_page(app, runner, make_user, tmp_path):
    """The lesson page asks about the lesson its held outline names: a lesson the sync added, which that outline
    lacks, is still shown as read or not, for the learner who read it and for one who is not enrolled."""
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    app.extensions["courses"]["packs"] = [pack]
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    learner, visitor = make_user(), make_user()
    client, other = signed_in(app, learner), signed_in(app, visitor)
    enrol(client, COURSE)
    first = lessons_of(pack, "what-is-bpo")[0]
    assert client.get(f"/courses/{COURSE}/what-is-bpo/{first}").status_code == 200  # the outline is now held

    write_lesson(pack, "a-new-lesson", "A New Lesson", "Something worth knowing.")
    set_lessons(pack, "what-is-bpo", lessons_of(pack, "what-is-bpo") + ["a-new-lesson"])
    without_objective_tags(pack)  # the new lesson's objective is assessed by no quiz
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    with app.app_context():  # read elsewhere (another worker) before this process's first look at the lesson
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "a-new-lesson"))
        db.session.add(LessonCompletion(user_id=learner["id"], lesson_id=lesson_id))
        db.session.commit()

    url = f"/courses/{COURSE}/what-is-bpo/a-new-lesson"
    read = page_text(client.get(url))
    assert "A New Lesson" in read and "Completed" in read and "Mark as complete" not in read
    assert "Completed" in page_text(client.get(url))
    unenrolled = page_text(other.get(url))
    assert "Enrol in this course" in unenrolled and "Completed" not in unenrolled
