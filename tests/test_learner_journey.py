"""The learner's journey over HTTP: catalog, enrolment, course, module and lesson pages, completion,
"continue" and the dashboard, plus the ways it must not break."""

import html
import pathlib
import re
import shutil
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from badges.pack import SECTION as BADGE_SECTION
from courses.models import Enrolment, Lesson, LessonCompletion
from courses.pack import read_pack
from courses.services import check_pack, complete_lesson, sync_pack
from lms.extensions import db
from quizzes.models import Quiz
from quizzes.pack import SECTIONS as QUIZ_SECTIONS
from quizzes.pack import pack_quizzes
from tests import test_badges_issuing as issuing
from tests.conftest import csrf_token_from
from tests.helpers import at_once, enrol, load_bpo_course, mark_complete, page_text, progress_shown

PACK = pathlib.Path(__file__).resolve().parent.parent / "courses" / "bpo_operations"
COURSE = "bpo-operations"
SECTIONS = [*QUIZ_SECTIONS, BADGE_SECTION]  # the course.yaml sections the built-in plugins own


def sync(app, path=PACK):
    """Check and load a pack through the services, as `flask courses sync` does."""
    with app.app_context():
        pack, problems = check_pack(path)
        assert problems == []
        sync_pack(pack)
    return pack


@pytest.fixture
def pack(app):
    """The BPO course, loaded into the database; returns the pack as read from its files."""
    load_bpo_course(app)
    return read_pack(PACK, SECTIONS)[0]


@pytest.fixture
def learner(make_user, login, client):
    """A signed-in learner (on `client`)."""
    user = make_user(name="Maya Santos")
    login(user)
    return user


class Elements(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self, body: str):
        super().__init__()
        self.found = []
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def links(self, **wanted) -> list:
        """The href of every <a> whose attributes include `wanted`."""
        return [
            attrs.get("href")
            for tag, attrs in self.found
            if tag == "a" and all(attrs.get(key) == value for key, value in wanted.items())
        ]


def lesson_url(module_slug, lesson_slug):
    return f"/courses/{COURSE}/{module_slug}/{lesson_slug}"


def total_steps(pack) -> int:
    """Every lesson plus every quiz that counts towards completion (a module's quiz and exercises, and the final
    assessment): the steps a percentage is counted against."""
    quizzes = pack_quizzes(pack)
    return sum(len(module.lessons) for module in pack.modules) + sum(q.counts_towards_completion for q in quizzes)


def completions(app, user_id=None) -> int:
    """How many lesson-completion facts are stored (for one learner, or for everyone)."""
    with app.app_context():
        query = select(func.count()).select_from(LessonCompletion)
        if user_id is not None:
            query = query.where(LessonCompletion.user_id == user_id)
        return db.session.scalar(query)


def test_catalog_lists_the_course_and_a_learner_enrols(app, client, pack, learner):
    catalog = client.get("/courses/")
    assert catalog.status_code == 200
    text = page_text(catalog)
    assert pack.title in text and pack.summary in text
    assert f"Enrol in {pack.title}" in text
    assert f"/courses/{COURSE}" in Elements(catalog.get_data(as_text=True)).links()

    enrol(client, COURSE)
    welcome = page_text(client.get(f"/courses/{COURSE}"))
    assert f"You are enrolled in {pack.title}. Enjoy the course!" in welcome
    enrol(client, COURSE)  # a second press changes nothing
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == learner["id"]))
            == 1
        )

    catalog = page_text(client.get("/courses/"))
    assert f"0% complete (0 of {total_steps(pack)} steps)" in catalog
    assert f"Continue {pack.title}" in catalog and "Enrol in" not in catalog


def test_course_page_lists_modules_and_lessons_with_progress(client, pack, learner):
    enrol(client, COURSE)
    assert mark_complete(client, COURSE, "what-is-bpo", "bpo-explained").status_code == 302

    page = client.get(f"/courses/{COURSE}")
    text = page_text(page)
    assert progress_shown(1, total_steps(pack)) in text
    assert "Continue where you left off" in text
    links = Elements(page.get_data(as_text=True)).links()
    first, *others = pack.modules
    assert f"{first.lessons[0].title} — Done" in text
    assert f"{first.lessons[1].title} — To do" in text
    assert f"1 of {len(first.lessons) + 1} steps done" in text
    for module in pack.modules:
        assert module.title in text
        assert f"/courses/{COURSE}/{module.slug}" in links
        for lesson in module.lessons:
            assert lesson.title in text
            assert lesson_url(module.slug, lesson.slug) in links
    for module in others:
        assert f"0 of {len(module.lessons) + 1} steps done" in text
    assert text.index(pack.modules[0].title) < text.index(pack.modules[1].title) < text.index(pack.modules[-1].title)


def test_step_links_carry_the_path_the_lms_is_mounted_under(client, pack, learner):
    """Links are remembered per process, but for each mount point: one server can sit behind two paths."""
    enrol(client, COURSE)
    first = pack.modules[0]
    plain = Elements(client.get(f"/courses/{COURSE}").get_data(as_text=True)).links()
    mounted_page = client.get(f"/courses/{COURSE}", environ_overrides={"SCRIPT_NAME": "/training"})
    mounted = Elements(mounted_page.get_data(as_text=True)).links()
    step = lesson_url(first.slug, first.lessons[0].slug)
    assert step in plain and "/training" + step not in plain
    assert "/training" + step in mounted and step not in mounted


def test_lesson_pages_link_previous_and_next_the_modules_quiz_and_offer_mark_as_complete(app, client, pack, learner):
    enrol(client, COURSE)
    ordered = [(module, lesson) for module in pack.modules for lesson in module.lessons]

    for index in (0, 1, len(ordered) - 1):
        module, lesson = ordered[index]
        page = client.get(lesson_url(module.slug, lesson.slug))
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        text = page_text(page)
        elements = Elements(body)
        assert lesson.title in text and f"About {lesson.minutes} minutes" in text
        assert "In this lesson you will" in text and all(objective in text for objective in lesson.objectives)
        assert "Mark as complete" in text
        assert [
            tag
            for tag, attrs in elements.found
            if tag == "form" and attrs.get("action", "").endswith(f"/{lesson.slug}/complete")
        ]
        if index > 0:
            before_module, before = ordered[index - 1]
            assert elements.links(rel="prev") == [lesson_url(before_module.slug, before.slug)]
            assert f"Previous: {before.title}" in text
        else:
            assert elements.links(rel="prev") == []
        if index + 1 < len(ordered) and ordered[index + 1][0].slug == module.slug:
            after_module, after = ordered[index + 1]
            assert elements.links(rel="next") == [lesson_url(after_module.slug, after.slug)]
            assert f"Next: {after.title}" in text
        else:  # a module's last lesson leads to the module's quiz, not past it
            quiz_id, quiz_title = module_quiz(app, module.slug)
            assert elements.links(rel="next") == [f"/quizzes/{quiz_id}"]
            assert f"Next: {quiz_title}" in text
    assert ordered[2][0].slug != ordered[1][0].slug  # the second lesson is its module's last


def module_quiz(app, module_slug: str) -> tuple[int, str]:
    """The id and title of the BPO course module's quiz."""
    from sqlalchemy import select

    from courses.models import Module
    from lms.extensions import db
    from quizzes.models import Quiz

    with app.app_context():
        return db.session.execute(
            select(Quiz.id, Quiz.title).join(Module, Module.id == Quiz.module_id).where(Module.slug == module_slug)
        ).one()


def test_mark_as_complete_moves_on_and_continue_opens_the_first_unfinished_step(app, client, pack, learner):
    enrol(client, COURSE)
    first = pack.modules[0]
    continue_url = f"/courses/{COURSE}/continue"
    assert client.get(continue_url).headers["Location"] == lesson_url(first.slug, first.lessons[0].slug)

    response = mark_complete(client, COURSE, first.slug, first.lessons[0].slug)
    assert response.headers["Location"] == lesson_url(first.slug, first.lessons[1].slug)
    page = client.get(lesson_url(first.slug, first.lessons[0].slug))
    assert "Completed" in page_text(page) and "Mark as complete" not in page_text(page)
    assert client.get(continue_url).headers["Location"] == lesson_url(first.slug, first.lessons[1].slug)

    # The module's last lesson leads to the module page; the next step is the module's quiz.
    response = mark_complete(client, COURSE, first.slug, first.lessons[1].slug)
    assert response.headers["Location"] == f"/courses/{COURSE}/{first.slug}"
    with app.app_context():
        quiz_id = db.session.scalar(select(Quiz.id).where(Quiz.slug == first.sections["quiz"].slug))
    assert client.get(continue_url).headers["Location"] == f"/quizzes/{quiz_id}"


def test_dashboard_my_learning_shows_the_percentage(client, pack, learner):
    assert "You are not enrolled in any course yet." in page_text(client.get("/dashboard"))
    enrol(client, COURSE)
    for lesson in pack.modules[0].lessons:
        mark_complete(client, COURSE, pack.modules[0].slug, lesson.slug)

    text = page_text(client.get("/dashboard"))

    done, total = len(pack.modules[0].lessons), total_steps(pack)
    assert "My learning" in text and pack.title in text
    assert progress_shown(done, total) in text
    assert f"Continue {pack.title}" in text


def test_marking_the_same_lesson_twice_records_it_once(app, client, pack, learner):
    enrol(client, COURSE)
    first = mark_complete(client, COURSE, "what-is-bpo", "bpo-explained")
    url = lesson_url("what-is-bpo", "bpo-explained")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    again = client.post(url + "/complete", data={"csrf_token": token})

    assert first.status_code == again.status_code == 302
    assert completions(app, learner["id"]) == 1
    assert f"1 of {total_steps(pack)} steps" in page_text(client.get("/dashboard"))


def test_two_tabs_marking_the_same_lesson_at_once_record_it_once(app, pack, make_user, login):
    user = make_user()
    tabs = [login(user, app.test_client()), login(user, app.test_client())]
    enrol(tabs[0], COURSE)
    lessons = [(module.slug, lesson.slug) for module in pack.modules[:2] for lesson in module.lessons]

    for module_slug, lesson_slug in lessons:
        url = lesson_url(module_slug, lesson_slug)
        tokens = [csrf_token_from(tab.get(url).get_data(as_text=True)) for tab in tabs]

        def press(n, url=url, tokens=tokens):
            return tabs[n].post(url + "/complete", data={"csrf_token": tokens[n]}).status_code

        statuses, errors = at_once(len(tabs), press)
        assert errors == [] and statuses == [302, 302], (lesson_slug, statuses, errors)

    assert completions(app, user["id"]) == len(lessons)
    with app.app_context():
        assert db.session.scalar(select(func.count(func.distinct(LessonCompletion.lesson_id)))) == len(lessons)


def test_two_threads_completing_through_the_service_record_once(app, pack, make_user, login, client):
    user = make_user()
    login(user)
    enrol(client, COURSE)
    slugs = [lesson.slug for module in pack.modules[:3] for lesson in module.lessons]

    for slug in slugs:

        def work(_n, slug=slug):
            lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slug))
            return complete_lesson(user["id"], lesson)

        results, errors = at_once(2, work, app=app)
        assert errors == [] and sorted(results) == [False, True], (slug, results, errors)

    assert completions(app, user["id"]) == len(slugs)


@pytest.mark.parametrize(
    "url",
    [
        "/courses/no-such-course",
        "/courses/no-such-course/continue",
        "/courses/no-such-course/what-is-bpo",
        "/courses/no-such-course/what-is-bpo/bpo-explained",
        f"/courses/{COURSE}/no-such-module",
        f"/courses/{COURSE}/no-such-module/bpo-explained",
        f"/courses/{COURSE}/what-is-bpo/no-such-lesson",
        f"/courses/{COURSE}/voice-and-non-voice/bpo-explained",  # a real lesson, in another module
    ],
)
def test_an_unknown_course_module_or_lesson_is_404(app, client, pack, learner, url):
    enrol(client, COURSE)
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


def test_completing_an_unknown_lesson_is_404_and_records_nothing(app, client, pack, learner):
    enrol(client, COURSE)
    token = csrf_token_from(client.get(f"/courses/{COURSE}").get_data(as_text=True))
    for url in (
        f"/courses/{COURSE}/what-is-bpo/no-such-lesson/complete",
        f"/courses/{COURSE}/voice-and-non-voice/bpo-explained/complete",
        "/courses/no-such-course/what-is-bpo/bpo-explained/complete",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert completions(app) == 0


def test_a_learner_not_enrolled_is_offered_enrolment_not_an_error(app, client, pack, learner):
    lesson = pack.modules[0].lessons[0]
    url = lesson_url(pack.modules[0].slug, lesson.slug)

    page = client.get(url)

    assert page.status_code == 200
    text = page_text(page)
    assert lesson.title in text
    assert f"Enrol in {pack.title} to read this lesson" in text and "Enrol in this course" in text
    assert "Mark as complete" not in text
    first_paragraph = re.sub(r"[*_`]", "", lesson.body_markdown.strip().split("\n\n")[0])
    assert first_paragraph[:60] not in text and lesson.body_html not in page.get_data(as_text=True)
    assert lesson.objectives[0] not in text

    # Pressing "Mark as complete" from a stale page explains what to do and records nothing.
    response = client.post(
        url + "/complete", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))}, follow_redirects=True
    )
    assert response.status_code == 200 and "Enrol in the course first." in page_text(response)
    continued = client.get(f"/courses/{COURSE}/continue", follow_redirects=True)
    assert continued.status_code == 200 and "Enrol in the course to start it." in page_text(continued)
    assert completions(app) == 0

    # Enrolling from the offer shows the lesson.
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(f"/courses/{COURSE}/enrol", data={"csrf_token": token}).status_code == 302
    text = page_text(client.get(url))
    assert first_paragraph[:60] in text and "Mark as complete" in text


def test_module_page_lists_what_remains_and_why(client, pack, learner):
    enrol(client, COURSE)
    module = pack.modules[0]
    mark_complete(client, COURSE, module.slug, module.lessons[0].slug)

    page = client.get(f"/courses/{COURSE}/{module.slug}")

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    remaining = re.search(r'<ul class="remaining">(.*?)</ul>', body, re.S)
    assert remaining, body
    items = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split())
        for item in re.findall(r"<li>(.*?)</li>", remaining.group(1), re.S)
    ]
    assert items == [f"{lesson.title} — Not marked as complete yet" for lesson in module.lessons[1:]] + [
        f"{module.sections['quiz'].title} — Not attempted yet (pass mark {module.sections['quiz'].pass_mark}%)"
    ]
    text = page_text(page)
    assert "What remains" in text
    assert "complete when its lessons are marked as complete and the quizzes that count towards it are passed" in text
    assert f"1 of {len(module.lessons) + 1} steps" in text


def test_a_modules_practice_is_shown_as_optional_and_not_counted_among_its_steps(client, pack, learner):
    """Voice and non-voice has two practice conversations besides its lessons and quiz: its page says they are
    optional, and its figure counts the steps that complete it."""
    enrol(client, COURSE)
    module = next(m for m in pack.modules if m.slug == "voice-and-non-voice")
    text = page_text(client.get(f"/courses/{COURSE}/{module.slug}"))
    assert f"0 of {len(module.lessons) + 1} steps" in text
    assert "the quizzes that count towards it are passed (practice is optional)" in text
    assert text.count("Optional practice") == 2
    assert "Practice call: a billing error — Optional practice" in text


@pytest.mark.parametrize(
    "url",
    [
        "/courses/",
        f"/courses/{COURSE}",
        f"/courses/{COURSE}/continue",
        f"/courses/{COURSE}/what-is-bpo",
        f"/courses/{COURSE}/what-is-bpo/bpo-explained",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, pack, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    followed = client.get(url, follow_redirects=True)
    assert followed.request.path == "/login" and "Mark as complete" not in page_text(followed)


def test_posts_without_a_csrf_token_are_400_and_change_nothing(app, client, pack, learner):
    url = lesson_url("what-is-bpo", "bpo-explained")
    assert client.post(f"/courses/{COURSE}/enrol").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0

    enrol(client, COURSE)
    assert client.post(url + "/complete").status_code == 400
    assert client.post(url + "/complete", data={"csrf_token": "not-a-real-token"}).status_code == 400
    assert completions(app) == 0
    assert "Mark as complete" in page_text(client.get(url))


def test_lesson_html_is_sanitized_on_the_page(app, client, learner, tmp_path):
    pack_dir = tmp_path / "pack"
    shutil.copytree(PACK, pack_dir)
    lesson_file = pack_dir / "lessons" / "bpo-explained.md"
    lesson_file.write_text(
        lesson_file.read_text(encoding="utf-8")
        + '\n<script>alert("pack")</script>\n\n'
        + "Read [the prize rules](javascript:alert(1)) or [the safe page](https://example.com/rules).\n\n"
        + '<a href="javascript:alert(2)" onclick="alert(3)">raw link</a> <img src="x" onerror="alert(4)">\n\n'
        + "![chart](javascript:alert(5))\n",
        encoding="utf-8",
    )
    sync(app, pack_dir)
    enrol(client, COURSE)

    page = client.get(lesson_url("what-is-bpo", "bpo-explained"))

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    elements = Elements(body)
    # The only scripts are the app's own files (the message announcer), none from the lesson.
    scripts = [attrs for tag, attrs in elements.found if tag == "script"]
    assert all((attrs.get("src") or "").startswith("/static/js/") for attrs in scripts), scripts
    assert '<script>alert("pack")' not in body  # shown as text, if at all
    urls = [value for _, attrs in elements.found for name, value in attrs.items() if name in ("href", "src")]
    assert not [url for url in urls if (url or "").strip().lower().startswith("javascript:")]
    assert not [name for _, attrs in elements.found for name in attrs if name.startswith("on")]
    assert "https://example.com/rules" in elements.links()
    assert "The basic idea" in page_text(page)  # the rest of the lesson still renders


def test_a_completed_module_offers_the_courses_next_step(app, client, learner):
    """A module's page, once the module is complete, leads on to the first unfinished step of the course."""
    course = issuing.sync_course(app)
    enrol(client, COURSE)
    first, second = list(course.modules)[:2]
    issuing.complete_module(app, learner["id"], course, first)
    page = client.get(f"/courses/{COURSE}/{first}")
    assert "Module complete" in page_text(page)
    second_module = course.modules[second]
    with app.app_context():
        lesson_slug = db.session.get_one(Lesson, second_module.lesson_ids[0]).slug
    assert Elements(page.get_data(as_text=True)).links(rel="next") == [lesson_url(second, lesson_slug)]


def test_two_learners_in_one_process_each_see_their_own_steps_done(app, client, pack, learner, make_user, login):
    """Module cards are rendered once per distinct content: one learner's progress never shows on another's page."""
    other = login(make_user(), target=app.test_client())
    enrol(client, COURSE)
    enrol(other, COURSE)
    first = pack.modules[0]
    lesson = first.lessons[0]
    before = page_text(client.get(f"/courses/{COURSE}"))
    assert f"{lesson.title} — To do" in before
    mark_complete(client, COURSE, first.slug, lesson.slug)

    mine = page_text(client.get(f"/courses/{COURSE}"))
    theirs = page_text(other.get(f"/courses/{COURSE}"))
    assert f"{lesson.title} — Done" in mine and f"1 of {len(first.lessons) + 1} steps done" in mine
    assert f"{lesson.title} — To do" in theirs and f"0 of {len(first.lessons) + 1} steps done" in theirs
