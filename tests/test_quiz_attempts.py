"""Attempts over real HTTP and a real database: exactly-once submit (also under concurrency), the server-side
deadline, attempt limits, resuming, answers kept across a closed browser, and completion events.

The helpers at the top build small course packs in tmp_path and drive the learner's pages; the other quiz test
modules import them.
"""

import re
import sys
import types
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.pool import NullPool

from lms.extensions import db
from lms.plugins import hookimpl
from tests.conftest import csrf_token_from
from tests.helpers import at_once, page_text, question_id

# ---------------------------------------------------------------------------------------------- helpers

# Two graded questions, kept in this order (the pack turns question shuffling off); options are shuffled.
# Right answers: "Paris" and "False". Every feedback carries a MARK- string the review tests look for.
BASIC_GIFT = """$CATEGORY: lab/basics

::capital::Which city is the capital of France? {
=Paris#MARK-capital-right
~Lyon#MARK-capital-lyon
~Marseille#MARK-capital-marseille
####MARK-capital-general
}

::sky::True or false\\: the sky on a clear day is green. {
F#MARK-sky-wrong#MARK-sky-right
####MARK-sky-general
}
"""
RIGHT = {"capital": "Paris", "sky": "False"}
WRONG = {"capital": "Lyon", "sky": "True"}

# One question of every type GIFT can express. The key (right answers, weights, per-answer and general
# feedback, accepted short answers, the numerical value) carries KEYMARK or the number 987654; option texts and
# matching answers are shown to learners by design and carry neither.
EVERY_TYPE_GIFT = """$CATEGORY: lab/every-type

::sc::Pick the colour of a clear daytime sky. {
=Blue#KEYMARK-sc-right
~Green#KEYMARK-sc-green
~Red#KEYMARK-sc-red
####KEYMARK-sc-general
}

::mr::Select the even numbers. {
~%50%Two#KEYMARK-mr-two
~%50%Four#KEYMARK-mr-four
~%-100%Three#KEYMARK-mr-three
####KEYMARK-mr-general
}

::tf::True or false\\: water is wet. {
T#KEYMARK-tf-wrong#KEYMARK-tf-right
####KEYMARK-tf-general
}

::sa::Type the secret word. {
=KEYMARK-sa-answer#KEYMARK-sa-feedback
=%50%KEYMARK-sa-half#KEYMARK-sa-half-feedback
####KEYMARK-sa-general
}

::num::How many grains of sand are in the jar? {
#=987654.321:0.001#KEYMARK-num-right
=%50%987000..988000#KEYMARK-num-near
####KEYMARK-num-general
}

::match::Match each animal with its sound. {
=Cat -> Meow
=Dog -> Woof
=Cow -> Moo
####KEYMARK-match-general
}

::desc::Read this note before the last question: it is not graded.
"""
# The learner's right answers to EVERY_TYPE_GIFT (plus the ordering question add_ordering() appends), by title.
ORDER_ITEMS = ["Wake up", "Have breakfast", "Go to work"]


def write_pack(root, modules, final=None, slug="quiz-lab", title="Quiz lab"):
    """Write a content pack: modules are dicts with slug, lessons (slugs), gift (text) and quiz (settings)."""
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    (root / "quizzes").mkdir(exist_ok=True)
    listed = []
    for module in modules:
        for lesson in module["lessons"]:
            (root / "lessons" / f"{lesson}.md").write_text(
                f"---\ntitle: Reading {lesson}\nminutes: 3\nobjectives: [Know the topic]\n---\n"
                f"The text of {lesson}, to read before the quiz.\n",
                encoding="utf-8",
            )
        entry = {
            "slug": module["slug"],
            "title": module.get("title", f"Module {module['slug']}"),
            "lessons": list(module["lessons"]),
        }
        if "gift" in module:
            (root / "quizzes" / f"{module['slug']}.gift").write_text(module["gift"], encoding="utf-8")
            entry["quiz"] = {
                "file": f"quizzes/{module['slug']}.gift",
                "shuffle_questions": False,
                **module.get("quiz", {}),
            }
        listed.append(entry)
    manifest = {"slug": slug, "title": title, "summary": "A small course for tests.", "version": 1, "modules": listed}
    if final:
        manifest["final_assessment"] = final
    (root / "course.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return root


def sync(app, root):
    """Check and sync a pack through the real services; its course with quiz ids by slug."""
    from courses.services import check_pack, sync_pack
    from quizzes.models import Quiz

    with app.app_context():
        pack, problems = check_pack(root)
        assert problems == [], problems
        course = sync_pack(pack)
        quizzes = {q.slug: q.id for q in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id))}
        return SimpleNamespace(id=course.id, slug=course.slug, quizzes=quizzes)


def one_module_lab(app, tmp_path, gift=BASIC_GIFT, **quiz):
    """A course with one module (one lesson) whose quiz holds `gift`; returns the course and the quiz id."""
    course = sync(
        app, write_pack(tmp_path / "pack", [{"slug": "m1", "lessons": ["m1-read"], "gift": gift, "quiz": quiz}])
    )
    course.quiz_id = course.quizzes["m1"]
    return course


def enrol(app, user_id, course_id, read=()):
    """Enrol a learner and mark the given lessons (slugs) as read, through the services."""
    from courses.models import Course, Lesson
    from courses.services import complete_lesson
    from courses.services import enrol as enrol_in

    with app.app_context():
        enrol_in(user_id, db.session.get(Course, course_id))
        for slug in read:
            lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course_id, Lesson.slug == slug))
            complete_lesson(user_id, lesson)


def add_ordering(app, quiz_id, general_feedback="KEYMARK-order-general"):
    """Append an ordering question (GIFT cannot express it) to a quiz through the bank services."""
    from lms.db import begin_write, commit
    from quizzes.bank import set_quiz_questions, upsert_question
    from quizzes.models import Quiz

    with app.app_context():
        begin_write()
        quiz = db.session.get(Quiz, quiz_id)
        row = upsert_question(
            f"test:order:{quiz_id}",
            quiz.course_id,
            {
                "type": "ordering",
                "title": "order",
                "stem": "Put the morning in order.",
                "format": "moodle",
                "general_feedback": general_feedback,
                "tags": [],
                "config": {"items": list(ORDER_ITEMS)},
            },
        )
        db.session.flush()
        set_quiz_questions(quiz, [item.question_id for item in quiz.items] + [row.id])
        commit()


class FormReader(HTMLParser):
    """The controls of a page: inputs, selects with their options, and label texts by `for`."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.inputs, self.selects, self.labels = [], {}, {}
        self._label = self._select = self._option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
        elif tag == "label":
            self._label = [attrs.get("for"), ""]
        elif tag == "select":
            self._select = attrs.get("name")
            self.selects[self._select] = []
        elif tag == "option":
            self._option = [attrs.get("value"), "", "selected" in attrs]

    def handle_data(self, data):
        if self._label is not None:
            self._label[1] += data
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "label" and self._label is not None:
            self.labels[self._label[0]] = self._label[1].strip()
            self._label = None
        elif tag == "option" and self._option is not None:
            value, text, selected = self._option
            self.selects[self._select].append((value, text.strip(), selected))
            self._option = None
        elif tag == "select":
            self._select = None

    def value(self, name, label):
        """The value of the radio button or checkbox `name` labelled `label`."""
        for attrs in self.inputs:
            if attrs.get("name") == name and self.labels.get(attrs.get("id")) == label:
                return attrs["value"]
        raise AssertionError(f"no option {label!r} for {name!r}")

    def option(self, name, text):
        """The value of the option `text` in the select `name`."""
        for value, option_text, _selected in self.selects[name]:
            if option_text == text:
                return value
        raise AssertionError(f"no option {text!r} in select {name!r}")

    def select_names(self, prefix):
        """The select names of a sub-form (matching, ordering), with their labels."""
        return {name: self.labels.get(name) for name in self.selects if name.startswith(prefix)}

    def state(self):
        """What the browser would send: checked boxes, text values and selected options."""
        data = {}
        for attrs in self.inputs:
            name, kind = attrs.get("name"), attrs.get("type", "text")
            if not name:
                continue
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    data.setdefault(name, []).append(attrs["value"])
            else:
                data[name] = attrs.get("value", "")
        for name, options in self.selects.items():
            data[name] = next((value for value, _text, selected in options if selected), "")
        return data

    def checked_labels(self, name):
        """The labels of the checked radio buttons or checkboxes called `name`."""
        return [self.labels[a["id"]] for a in self.inputs if a.get("name") == name and "checked" in a]

    def text(self, name):
        """The value of the text box `name`."""
        return next(a.get("value", "") for a in self.inputs if a.get("name") == name)


def slot_of(app, attempt_id, title):
    """The slot (0-based) holding the question with this title in an attempt."""
    from quizzes.models import Attempt, Question

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        ids = [slot["question_id"] for slot in attempt.slots]
        question = db.session.scalar(select(Question).where(Question.id.in_(ids), Question.title == title))
        return ids.index(question.id)


def start(client, quiz_id):
    """Press "Start" (or "Resume") on the quiz page; the attempt id."""
    page = client.get(f"/quizzes/{quiz_id}")
    assert page.status_code == 200, page.text
    response = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302, response.text
    match = re.search(r"/quizzes/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def basic_answers(client, attempt_id, choices):
    """Form data answering BASIC_GIFT with {"capital": text, "sky": "True"/"False"} (labels, not values)."""
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    assert page.status_code == 200, page.text
    form = FormReader(page.text)
    data = {"csrf_token": csrf_token_from(page.text)}
    if "capital" in choices:
        data["q0"] = form.value("q0", choices["capital"])
    if "sky" in choices:
        data["q1"] = form.value("q1", choices["sky"])
    return data


def every_type_answers(app, client, attempt_id, right=True):
    """Form data answering every question of EVERY_TYPE_GIFT (+ ordering): all right, or all wrong."""
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    assert page.status_code == 200, page.text
    form = FormReader(page.text)
    slot = {title: f"q{slot_of(app, attempt_id, title)}" for title in ("sc", "mr", "tf", "sa", "num", "match")}
    data = {"csrf_token": csrf_token_from(page.text)}
    data[slot["sc"]] = form.value(slot["sc"], "Blue" if right else "Green")
    data[slot["mr"]] = [form.value(slot["mr"], label) for label in (("Two", "Four") if right else ("Three",))]
    data[slot["tf"]] = form.value(slot["tf"], "True" if right else "False")
    data[slot["sa"]] = "  keymark-SA-answer " if right else "a guess"
    data[slot["num"]] = "987654.3212" if right else "12"
    sounds = {"Cat": "Meow", "Dog": "Woof", "Cow": "Moo"}
    for name, prompt in form.select_names(slot["match"] + "-").items():
        sound = sounds[prompt] if right else "Moo"
        data[name] = form.option(name, sound)
    order_slot = f"q{slot_of(app, attempt_id, 'order')}"
    for name, label in form.select_names(order_slot + "-").items():
        item = label.removeprefix("Position of ")
        data[name] = form.option(name, str(ORDER_ITEMS.index(item) + 1) if right else "1")
    return data


def attempt_row(app, attempt_id):
    """The attempt and its saved answers by slot, read fresh from the database."""
    from quizzes.models import Attempt, AttemptAnswer

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        answers = {
            a.slot: a for a in db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
        }
        db.session.expunge_all()
        return attempt, answers


def new_client(app, login, user):
    """A fresh browser (its own cookies), signed in as `user`."""
    return login(user, target=app.test_client())


@pytest.fixture
def events():
    """Every lms_event the app dispatches in this test: (name, payload, committed)."""
    return []


@pytest.fixture
def app_config(app_config, events):
    """The test app, plus a plugin that records events and checks, from another connection, that the facts
    an event announces are already committed when it arrives; log-ins are not rate-limited here."""
    name = "lms_test_quiz_event_recorder"
    probe = create_engine(app_config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)

    def committed(event_name, payload):
        queries = {
            "quiz.submitted": (
                "SELECT count(*) FROM attempts WHERE id = :attempt_id AND status = 'submitted' AND score IS NOT NULL",
                {"attempt_id": payload.get("attempt_id")},
            ),
            "module.completed": (
                "SELECT count(*) FROM module_completions WHERE user_id = :u AND module_id = :m",
                {"u": payload.get("user_id"), "m": payload.get("module_id")},
            ),
            "course.completed": (
                "SELECT count(*) FROM course_completions WHERE user_id = :u AND course_id = :c",
                {"u": payload.get("user_id"), "c": payload.get("course_id")},
            ),
        }
        if event_name not in queries:
            return None
        from sqlalchemy import text

        sql, params = queries[event_name]
        with probe.connect() as conn:
            return conn.execute(text(sql), params).scalar() == 1

    @hookimpl
    def lms_event(app, event):
        payload = event.as_dict()
        events.append((event.name, payload, committed(event.name, payload)))

    module = types.ModuleType(name)
    module.lms_event = lms_event
    sys.modules[name] = module
    plugins = [*app_config["LMS_PLUGINS"], name, "tests.plugins.progress_gate"]
    yield {**app_config, "LMS_PLUGINS": plugins, "LOGIN_RATE_LIMIT": "1000 per minute"}
    sys.modules.pop(name, None)
    probe.dispose()


def named(events, name):
    """The payloads of the recorded events called `name`."""
    return [payload for event_name, payload, _committed in events if event_name == name]


# ---------------------------------------------------------------------------------------------- exactly once


def test_double_submit_grades_once_and_returns_the_first_result(app, client, learner, events, tmp_path):
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)

    first = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, WRONG))
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/quizzes/attempts/{attempt_id}/review")
    # The same submit again, with other answers: nothing is graded again.
    data = {"csrf_token": csrf_token_from(client.get(f"/quizzes/{course.quiz_id}").text), "q0": "0", "q1": "false"}
    again = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    # The attempt page's own "Submit answers" button (it posts to /save) pressed twice gives the first result too.
    twice = client.post(f"/quizzes/attempts/{attempt_id}/save", data={**data, "submit": "1"}, follow_redirects=True)
    assert twice.status_code == 200 and twice.request.path == f"/quizzes/attempts/{attempt_id}/review"
    assert "0%" in twice.text and "Not passed yet" in twice.text

    attempt, answers = attempt_row(app, attempt_id)
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", 0.0, False)
    assert [answers[slot].score for slot in (0, 1)] == [0.0, 0.0]
    assert answers[1].response == {"answer": True}  # the first submit's answer, not the repeat's
    submitted = named(events, "quiz.submitted")
    assert len(submitted) == 1 and submitted[0]["attempt_id"] == attempt_id and submitted[0]["score"] == 0.0


def test_eight_concurrent_submits_over_http_grade_once(app, client, learner, login, events, tmp_path):
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    browsers = [new_client(app, login, learner) for _ in range(8)]
    # Half the tabs send right answers, half wrong ones: whichever wins, it is graded alone.
    forms = [basic_answers(b, attempt_id, RIGHT if n % 2 else WRONG) for n, b in enumerate(browsers)]
    results = [None] * len(browsers)

    def submit(n):
        response = browsers[n].post(f"/quizzes/attempts/{attempt_id}/submit", data=forms[n])
        results[n] = (response.status_code, response.headers.get("Location"))

    assert at_once(len(browsers), submit)[1] == []
    assert results == [(302, f"/quizzes/attempts/{attempt_id}/review")] * len(browsers)

    attempt, answers = attempt_row(app, attempt_id)
    assert attempt.status == "submitted" and attempt.score in (0.0, 100.0)
    submitted = named(events, "quiz.submitted")
    assert len(submitted) == 1 and submitted[0]["score"] == attempt.score
    assert sorted(answers) == [0, 1]
    assert {a.score for a in answers.values()} == {attempt.score / 100}
    # Every tab now shows that one result.
    shown = {
        re.search(r"<strong>([\d.]+)%</strong>", b.get(f"/quizzes/attempts/{attempt_id}/review").text).group(1)
        for b in browsers
    }
    assert shown == {f"{attempt.score:g}"}
    with app.app_context():
        from quizzes.models import Attempt

        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_eight_concurrent_service_submits_grade_once(app, client, learner, events, tmp_path):
    from quizzes.attempts import submit_attempt

    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    capital = slot_of(app, attempt_id, "capital")
    results = []

    def submit(n):
        with app.app_context():
            right = n % 2 == 1
            # Choices are indexed as written: Paris is 0, Lyon 1.
            responses = {capital: {"choice": 0 if right else 1}, 1 - capital: {"answer": not right}}
            attempt, on_time = submit_attempt(attempt_id, learner["id"], responses)
            results.append((attempt.id, attempt.score, attempt.status, on_time))

    assert at_once(8, submit)[1] == []
    assert len(results) == 8
    attempt, answers = attempt_row(app, attempt_id)
    assert {r[1] for r in results} == {attempt.score} and attempt.score in (0.0, 100.0)
    assert {r[2] for r in results} == {"submitted"} and all(r[3] for r in results)
    assert len(named(events, "quiz.submitted")) == 1
    assert sorted(answers) == [0, 1]


# ---------------------------------------------------------------------------------------------- deadline


def move_deadline_into_the_past(app, attempt_id, minutes=10):
    """Pretend the time limit ran out: the deadline stored at start is now in the past."""
    from quizzes.attempts import now
    from quizzes.models import Attempt

    with app.app_context():
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id).values(deadline=now() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_submit_after_the_deadline_is_refused_and_recorded(app, client, learner, events, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=5)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    attempt, _ = attempt_row(app, attempt_id)
    assert attempt.deadline is not None
    # Before the deadline the learner answers the first question (right) and it is saved.
    saved = client.post(
        f"/quizzes/attempts/{attempt_id}/save",
        data=basic_answers(client, attempt_id, {"capital": "Paris"}),
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and "saved_at" in saved.json
    # The learner then changes the first answer and answers the second, but the browser sends them too late.
    data = basic_answers(client, attempt_id, WRONG)
    move_deadline_into_the_past(app, attempt_id)
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/quizzes/attempts/{attempt_id}/review"
    )
    page = client.get(response.headers["Location"])
    assert "Time was up: answers sent after the deadline were not accepted." in page.text
    assert "Time ran out: only the answers saved before the deadline were graded." in page.text

    attempt, answers = attempt_row(app, attempt_id)
    assert attempt.status == "submitted" and attempt.late_submit_at is not None
    assert answers[0].response == {"choice": 0} and answers[0].score == 1.0  # saved in time: graded
    assert answers[1].response.get("answer") is None and answers[1].score == 0.0  # sent late: not stored
    assert attempt.score == 50.0
    assert [p["attempt_id"] for p in named(events, "quiz.submitted")] == [attempt_id]


def test_the_save_and_submit_button_after_the_deadline_is_refused_too(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=5)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    data = basic_answers(client, attempt_id, RIGHT)
    move_deadline_into_the_past(app, attempt_id)
    response = client.post(f"/quizzes/attempts/{attempt_id}/save", data={**data, "submit": "1"}, follow_redirects=True)
    assert response.request.path == f"/quizzes/attempts/{attempt_id}/review"
    assert "Time is up: answers sent after the deadline were not accepted." in response.text
    attempt, answers = attempt_row(app, attempt_id)
    assert attempt.status == "submitted" and attempt.late_submit_at is not None and attempt.score == 0.0
    assert all(not any(a.response.values()) for a in answers.values())


def test_a_practice_attempt_promises_check_answer_only_where_a_question_offers_it(app, client, learner, tmp_path):
    """An essay is marked by a trainer after the submit, so a practice quiz of an essay and a choice question
    offers "Check answer" on the choice question alone; one of essays alone does not mention it."""
    gift = "::e::Describe a calm reply to an angry caller. {}\n\n::c::Which reply calms? {=I hear you ~Calm down}\n"
    course = one_module_lab(app, tmp_path, gift=gift, review="practice")
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert "use “Check answer” to see feedback" in page
    assert re.findall(r'name="check" value="(\d+)"', page) == [str(slot_of(app, attempt_id, "c"))]

    from lms.db import begin_write, commit
    from quizzes.models import Attempt

    with app.app_context():  # the same attempt holding the essay alone
        begin_write()
        attempt = db.session.get_one(Attempt, attempt_id)
        attempt.slots = [slot for slot in attempt.slots if slot["question_id"] == question_id(app, "e")]
        commit()
    page = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert "Check answer" not in page and 'name="check"' not in page


def test_autosave_after_the_deadline_is_refused_with_409_json(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=5)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    on_time = client.post(
        f"/quizzes/attempts/{attempt_id}/save",
        data=basic_answers(client, attempt_id, {"sky": "False"}),
        headers={"Accept": "application/json"},
    )
    assert on_time.status_code == 200
    data = basic_answers(client, attempt_id, {"capital": "Paris", "sky": "True"})
    move_deadline_into_the_past(app, attempt_id)

    late = client.post(f"/quizzes/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    assert late.status_code == 409 and late.mimetype == "application/json"
    assert "Time is up" in late.json["error"]
    attempt, answers = attempt_row(app, attempt_id)
    assert answers[1].response == {"answer": False}  # the answer saved in time is kept, and graded
    assert answers[0].response.get("choice") is None  # the late answer was not stored
    assert attempt.late_submit_at is not None and attempt.status == "submitted" and attempt.score == 50.0
    # Once closed, any further autosave is refused as well.
    again = client.post(f"/quizzes/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    assert again.status_code == 409 and "already been submitted" in again.json["error"]


def test_autosave_after_a_sign_out_elsewhere_says_so_in_json_and_a_page_still_goes_to_sign_in(
    app, client, learner, login, tmp_path
):
    """Signing out on another device ends every session of the account: the attempt page's autosave (JSON) is
    told why nothing was saved, where it had been sent the sign-in page and said the server could not be reached;
    a page asked for in the browser still goes to sign in."""
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    data = basic_answers(client, attempt_id, {"sky": "False"})
    other_device = login(learner, target=app.test_client())
    signed_out = other_device.post("/logout", data={"csrf_token": csrf_token_from(other_device.get("/dashboard").text)})
    assert signed_out.status_code == 302

    refused = client.post(f"/quizzes/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    assert refused.status_code == 401 and refused.mimetype == "application/json"
    assert refused.json["error"].startswith("You are signed out, so this was not saved.")
    assert client.get(f"/quizzes/attempts/{attempt_id}").headers["Location"].startswith("/login")


def test_a_form_sent_after_a_sign_out_in_another_tab_says_so_and_leads_back_after_sign_in(
    app, client, learner, login, tmp_path
):
    """Signing out in another tab clears the browser's session, its CSRF token with it: a form the first tab sends
    afterwards was refused as "expired or not sent from this site"; it now says the learner was signed out, and
    signing in leads back to the page the form was on. The autosave (JSON) is told the same."""
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    page = f"/quizzes/attempts/{attempt_id}"
    data = basic_answers(client, attempt_id, {"sky": "False"})
    other_tab = {"csrf_token": csrf_token_from(client.get("/dashboard").text)}
    assert client.post("/logout", data=other_tab).status_code == 302

    autosave = client.post(
        f"{page}/save", data=data, headers={"Accept": "application/json", "Referer": f"http://localhost{page}"}
    )
    assert autosave.status_code == 401 and autosave.json["error"].startswith(
        "You are signed out, so this was not saved."
    )
    pressed = client.post(f"{page}/save", data=data, headers={"Referer": f"http://localhost{page}"})
    assert pressed.status_code == 303 and pressed.headers["Location"] == f"/login?next={page}"
    shown = page_text(client.get(pressed.headers["Location"]))
    assert "You are not signed in (perhaps you signed out in another tab or on another device), so that form" in shown
    signed_in = client.post(
        pressed.headers["Location"],
        data={
            "email": learner["email"],
            "password": learner["password"],
            "csrf_token": csrf_token_from(client.get("/login").text),
        },
    )
    assert signed_in.headers["Location"] == page
    # A post from another site (no session ever, a referrer elsewhere) goes to the sign-in page, and back to no
    # page of that site; a signed-in person's form without its token is still the plain refusal.
    stranger = app.test_client().post(
        "/profile/name", data={"display_name": "X"}, headers={"Referer": "https://evil.example/x"}
    )
    assert stranger.status_code == 303 and stranger.headers["Location"] == "/login"
    signed_in_now = client.post("/profile/name", data={"display_name": "X"})
    assert signed_in_now.status_code == 400 and "This form has expired" in page_text(signed_in_now)


def test_opening_a_late_attempt_changes_nothing_until_the_learner_asks_for_the_result(
    app, client, learner, events, tmp_path
):
    course = one_module_lab(app, tmp_path, time_limit_minutes=5)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    client.post(f"/quizzes/attempts/{attempt_id}/save", data=basic_answers(client, attempt_id, RIGHT))
    move_deadline_into_the_past(app, attempt_id)

    page = client.get(f"/quizzes/attempts/{attempt_id}")
    assert page.status_code == 200 and "Time is up" in page.text and 'name="q0"' not in page.text
    assert attempt_row(app, attempt_id)[0].status == "open" and named(events, "quiz.submitted") == []  # a GET
    result = client.post(
        f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": csrf_token_from(page.text)}, follow_redirects=True
    )
    assert result.request.path == f"/quizzes/attempts/{attempt_id}/review" and "100%" in result.text
    attempt, _ = attempt_row(app, attempt_id)
    assert attempt.status == "submitted" and attempt.late_submit_at is not None and attempt.score == 100.0
    assert len(named(events, "quiz.submitted")) == 1


def test_the_attempt_page_states_the_deadline_with_its_time_zone(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=5)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    page = client.get(f"/quizzes/attempts/{attempt_id}")
    deadline = re.search(r'data-deadline="([^"]+)"', page.text).group(1)
    # attempt.js hands this to new Date(): without an offset a browser would read UTC as its local time.
    assert deadline.endswith("+00:00"), deadline


# ---------------------------------------------------------------------------------------------- limits, resume


def test_the_attempt_limit_is_enforced(app, client, learner, tmp_path):
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path, max_attempts=2, review="exam")
    enrol(app, learner["id"], course.id)
    for _ in range(2):
        attempt_id = start(client, course.quiz_id)
        assert (
            client.post(
                f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, WRONG)
            ).status_code
            == 302
        )
    page = client.get(f"/quizzes/{course.quiz_id}")
    assert "You have used all 2 attempts of this quiz." in page.text and "/start" not in page.text
    refused = client.post(f"/quizzes/{course.quiz_id}/start", data={"csrf_token": csrf_token_from(page.text)})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/quizzes/{course.quiz_id}")
    assert "You have used all 2 attempts of this quiz." in client.get(refused.headers["Location"]).text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_answers_posted_without_a_csrf_token_are_refused_and_change_nothing(app, client, learner, tmp_path):
    """The answer form carries no token of its own: CSRFProtect refuses a save, an autosave or a submit without
    a valid one, before anything is read or written."""
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    answers = {key: value for key, value in basic_answers(client, attempt_id, RIGHT).items() if key != "csrf_token"}
    for action in ("save", "submit"):
        url = f"/quizzes/attempts/{attempt_id}/{action}"
        for token in ({}, {"csrf_token": "not-a-real-token"}):
            refused = client.post(url, data={**answers, **token})
            assert refused.status_code == 400 and "This form has expired" in refused.text, (action, token)
    autosave = client.post(f"/quizzes/attempts/{attempt_id}/save", data=answers, headers={"Accept": "application/json"})
    assert autosave.status_code == 400

    attempt, saved = attempt_row(app, attempt_id)
    assert attempt.status == "open" and saved == {}


def test_start_resumes_the_open_attempt(app, client, learner, tmp_path):
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path, max_attempts=1)
    enrol(app, learner["id"], course.id)
    first = start(client, course.quiz_id)
    page = client.get(f"/quizzes/{course.quiz_id}")
    assert "Resume your attempt" in page.text
    assert start(client, course.quiz_id) == first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_eight_concurrent_starts_open_one_attempt(app, client, learner, login, tmp_path):
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path, max_attempts=1)
    enrol(app, learner["id"], course.id)
    browsers = [new_client(app, login, learner) for _ in range(8)]
    tokens = [csrf_token_from(b.get(f"/quizzes/{course.quiz_id}").text) for b in browsers]
    locations = []

    def press_start(n):
        response = browsers[n].post(f"/quizzes/{course.quiz_id}/start", data={"csrf_token": tokens[n]})
        locations.append((response.status_code, response.headers.get("Location")))

    assert at_once(len(browsers), press_start)[1] == []
    with app.app_context():
        attempts = db.session.scalars(select(Attempt)).all()
        assert len(attempts) == 1 and attempts[0].number == 1
        assert locations == [(302, f"/quizzes/attempts/{attempts[0].id}")] * len(browsers)


def test_a_learner_must_be_enrolled_to_start(app, client, learner, tmp_path):
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path)
    page = client.get(f"/quizzes/{course.quiz_id}")
    assert "to take this quiz" in page.text
    response = client.post(
        f"/quizzes/{course.quiz_id}/start", data={"csrf_token": csrf_token_from(page.text)}, follow_redirects=True
    )
    assert "Enrol in the course before taking its quizzes." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_saved_answers_come_back_after_closing_the_browser(app, client, learner, login, tmp_path):
    course = one_module_lab(app, tmp_path, gift=EVERY_TYPE_GIFT)
    add_ordering(app, course.quiz_id)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    data = every_type_answers(app, client, attempt_id, right=True)
    saved = client.post(f"/quizzes/attempts/{attempt_id}/save", data=data, headers={"Accept": "application/json"})
    assert saved.status_code == 200, saved.text

    # The browser is closed: a new one signs in and opens the attempt from the quiz page.
    browser = new_client(app, login, learner)
    assert start(browser, course.quiz_id) == attempt_id
    page = browser.get(f"/quizzes/attempts/{attempt_id}")
    form = FormReader(page.text)
    slot = {title: f"q{slot_of(app, attempt_id, title)}" for title in ("sc", "mr", "tf", "sa", "num", "match")}
    assert form.checked_labels(slot["sc"]) == ["Blue"]
    assert sorted(form.checked_labels(slot["mr"])) == ["Four", "Two"]
    assert form.checked_labels(slot["tf"]) == ["True"]
    assert form.text(slot["sa"]) == "  keymark-SA-answer "
    assert form.text(slot["num"]) == "987654.3212"
    state = form.state()

    def listed(value):
        return sorted(value) if isinstance(value, list) else [value]

    sent = {name: listed(value) for name, value in data.items() if name != "csrf_token"}
    assert {name: listed(state.get(name)) for name in sent} == sent

    # Sending the page back as it is (nothing retyped) grades every answer as right.
    response = browser.post(f"/quizzes/attempts/{attempt_id}/submit", data=state)
    assert response.status_code == 302
    attempt, answers = attempt_row(app, attempt_id)
    assert attempt.score == 100.0, {slot_: a.response for slot_, a in answers.items()}


# ---------------------------------------------------------------------------------------------- completion


def complete_lesson_page(client, course_slug, module_slug, lesson_slug):
    """Press "Mark as complete" on a lesson page."""
    page = client.get(f"/courses/{course_slug}/{module_slug}/{lesson_slug}")
    assert page.status_code == 200, page.text
    response = client.post(
        f"/courses/{course_slug}/{module_slug}/{lesson_slug}/complete", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 302, response.text


def test_module_and_course_completion_events_fire_once_after_commit(app, client, learner, events, tmp_path):
    course = sync(
        app,
        write_pack(
            tmp_path / "pack",
            [
                {"slug": "m1", "lessons": ["m1-read"], "gift": BASIC_GIFT},
                {
                    "slug": "m2",
                    "lessons": ["m2-read"],
                    "gift": BASIC_GIFT.replace("::capital::", "::capital 2::").replace("::sky::", "::sky 2::"),
                },
            ],
        ),
    )
    enrol(app, learner["id"], course.id)

    def take(quiz_slug, choices):
        attempt_id = start(client, course.quizzes[quiz_slug])
        assert (
            client.post(
                f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, choices)
            ).status_code
            == 302
        )
        return attempt_id

    def completed():
        return [
            (name, payload.get("module_slug"))
            for name, payload, _ in events
            if name in ("module.completed", "course.completed")
        ]

    # Module 1: the lesson is read, the quiz failed, then passed, then passed again.
    complete_lesson_page(client, course.slug, "m1", "m1-read")
    take("m1", WRONG)
    assert completed() == []
    assert "Module complete" not in client.get(f"/courses/{course.slug}/m1").text
    take("m1", RIGHT)
    assert completed() == [("module.completed", "m1")]
    take("m1", RIGHT)
    assert completed() == [("module.completed", "m1")]
    assert "Module complete" in client.get(f"/courses/{course.slug}/m1").text

    # Module 2: the quiz is passed first; reading the lesson then completes the module and the course.
    take("m2", RIGHT)
    assert completed() == [("module.completed", "m1")]
    complete_lesson_page(client, course.slug, "m2", "m2-read")
    assert completed() == [("module.completed", "m1"), ("module.completed", "m2"), ("course.completed", None)]
    take("m2", RIGHT)
    complete_lesson_page(client, course.slug, "m2", "m2-read")
    assert len(named(events, "course.completed")) == 1 and len(named(events, "module.completed")) == 2
    assert named(events, "course.completed")[0] == {
        "user_id": learner["id"],
        "course_id": course.id,
        "course_slug": course.slug,
        "course_title": "Quiz lab",
        "best_score": 100.0,
        "modules_completed": 2,
        "final_score": None,  # the lab has no final assessment
    }
    assert len(named(events, "quiz.submitted")) == 5

    # Each event arrived after its transaction committed: another connection already saw its facts.
    announced = [
        (name, ok)
        for name, _payload, ok in events
        if name in ("quiz.submitted", "module.completed", "course.completed")
    ]
    assert announced and all(ok for _name, ok in announced), announced
    with app.app_context():
        from courses.models import CourseCompletion, ModuleCompletion

        assert db.session.scalar(select(func.count()).select_from(ModuleCompletion)) == 2
        assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 1


def test_passing_the_quiz_while_the_last_lesson_is_marked_read_completes_the_module(
    app, client, learner, events, tmp_path
):
    """Two requests finish a module's last two steps at the same moment: whichever commits second must see the
    other's fact, or the module is complete with no completion recorded and no event (a PostgreSQL race)."""
    from courses.models import Lesson
    from courses.services import complete_lesson
    from quizzes.attempts import submit_attempt
    from tests.plugins import progress_gate

    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    capital = slot_of(app, attempt_id, "capital")
    # Both transactions reach the completion check together when nothing orders them (then each misses the
    # other's uncommitted fact); when one waits for the other, the gate gives up after a moment.
    progress_gate.arm(app, parties=2)

    def read_lesson(_n):
        lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
        complete_lesson(learner["id"], lesson)

    def pass_quiz(_n):
        submit_attempt(attempt_id, learner["id"], {capital: {"choice": 0}, 1 - capital: {"answer": False}})

    _, errors = at_once(2, lambda n: (read_lesson, pass_quiz)[n](n), app=app)
    progress_gate.disarm(app)
    assert errors == []
    assert [p["module_slug"] for p in named(events, "module.completed")] == ["m1"]
    assert "Module complete" in client.get(f"/courses/{course.slug}/m1").text


def test_attempts_whose_options_are_shuffled_apart_each_read_their_own_answers(
    app, learner, login, make_user, tmp_path
):
    """The answer form is built once per set of questions and option orders: two attempts laid out differently in
    one process each map what their learner picked to the option shown, and both all-right answers score 100."""
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path)
    laid_out: dict[str, tuple] = {}
    for _ in range(16):  # option orders are random: start attempts until two differ
        user = make_user()
        enrol(app, user["id"], course.id)
        browser = new_client(app, login, user)
        attempt_id = start(browser, course.quiz_id)
        with app.app_context():
            layout = repr([slot.get("layout") for slot in db.session.get(Attempt, attempt_id).slots])
        laid_out.setdefault(layout, (browser, attempt_id))
        if len(laid_out) == 2:
            break
    assert len(laid_out) == 2, "sixteen attempts all had the same option order"

    for browser, attempt_id in laid_out.values():
        response = browser.post(
            f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(browser, attempt_id, RIGHT)
        )
        assert response.status_code == 302, response.text
        attempt, _answers = attempt_row(app, attempt_id)
        assert (attempt.status, attempt.score) == ("submitted", 100.0)


def test_a_submit_grades_the_answers_sent_with_it_over_those_saved_before(app, client, learner, tmp_path):
    """Answers saved earlier and then changed on the submit itself are graded as the submit sent them."""
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    saved = client.post(f"/quizzes/attempts/{attempt_id}/save", data=basic_answers(client, attempt_id, WRONG))
    assert saved.status_code == 302

    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, RIGHT))
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/review")
    attempt, answers = attempt_row(app, attempt_id)
    assert (attempt.status, attempt.score, attempt.passed) == ("submitted", 100.0, True)
    assert [answers[slot].score for slot in (0, 1)] == [1.0, 1.0]


def test_a_submit_stores_the_grade_of_each_answer_as_stored(app, client, learner, tmp_path):
    """Every question type, submitted right over answers saved wrong, with one answer checked in practice before:
    each stored grade is what grading the stored answer gives, and the checked answer keeps its response."""
    from quizzes.attempts import grade_of, slot_views
    from quizzes.models import Attempt

    course = one_module_lab(app, tmp_path, gift=EVERY_TYPE_GIFT, review="practice")
    add_ordering(app, course.quiz_id)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    sc = slot_of(app, attempt_id, "sc")
    wrong = every_type_answers(app, client, attempt_id, right=False)
    assert client.post(f"/quizzes/attempts/{attempt_id}/save", data={**wrong, "check": str(sc)}).status_code == 302

    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data=every_type_answers(app, client, attempt_id))
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/review")
    attempt, answers = attempt_row(app, attempt_id)
    assert (attempt.status, attempt.score) == ("submitted", round(100 * 6 / 7, 2))  # all right but the checked one
    assert answers[sc].checked and answers[sc].score == 0.0
    assert sorted(slot for slot, answer in answers.items() if answer.score == 1.0) == sorted(set(answers) - {sc})
    with app.app_context():
        views = slot_views(db.session.get_one(Attempt, attempt_id))
        graded = [view for view in views if view.graded]
        stored = {v.slot: (v.answer.score, v.answer.feedback, v.answer.needs_marking) for v in graded}
        regraded = {v.slot: tuple(grade_of(v).values()) for v in graded}
    assert stored == regraded and len(stored) == 7


def answer_group(html: str, slot: int) -> tuple[str, str, list[str]]:
    """The fieldset holding question `slot`'s answer: its opening tag, its legend and the names of its selects."""
    found = re.search(
        rf'(<fieldset[^>]*aria-describedby="stem-{slot + 1}"[^>]*>)\s*<legend>(.*?)</legend>(.*?)</fieldset>',
        html,
        re.S,
    )
    assert found, f"question {slot + 1} has no fieldset"
    opening, legend, inside = found.groups()
    return opening, legend, re.findall(r'<select[^>]*name="([^"]+)"', inside)


def test_matching_and_ordering_answers_are_one_group_named_by_their_question(app, client, learner, tmp_path):
    """Each select of a matching or ordering question sits in one fieldset whose legend names the question (as a
    screen reader announces it), and a checked practice answer disables the whole group, as it does a choice."""
    course = one_module_lab(app, tmp_path, gift=EVERY_TYPE_GIFT, review="practice")
    add_ordering(app, course.quiz_id)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    data = every_type_answers(app, client, attempt_id, right=True)
    match, order = slot_of(app, attempt_id, "match"), slot_of(app, attempt_id, "order")

    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    form = FormReader(page)
    for slot in (match, order):
        opening, legend, selects = answer_group(page, slot)
        assert legend == f"Your answer to question {slot + 1}"
        assert sorted(selects) == sorted(form.select_names(f"q{slot}-")) and len(selects) >= 3
        assert "disabled" not in opening

    client.post(f"/quizzes/attempts/{attempt_id}/save", data={**data, "check": str(match)})
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "disabled" in answer_group(page, match)[0]
    assert "disabled" not in answer_group(page, order)[0]


def test_a_review_quotes_the_pass_mark_the_attempt_was_scored_against(app, client, learner, tmp_path):
    from quizzes.models import Quiz

    course = one_module_lab(app, tmp_path, pass_mark=70)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    half = {"capital": RIGHT["capital"], "sky": WRONG["sky"]}
    client.post(f"/quizzes/attempts/{attempt_id}/submit", data=basic_answers(client, attempt_id, half))
    review = f"/quizzes/attempts/{attempt_id}/review"
    assert "50% — Not passed yet (pass mark 70%)." in page_text(client.get(review))

    # The trainer lowers the pass mark afterwards: the attempt stays failed, and its review still says why.
    with app.app_context():
        db.session.get(Quiz, course.quiz_id).pass_mark = 40
        db.session.commit()
    assert "50% — Not passed yet (pass mark 70%)." in page_text(client.get(review))
    assert attempt_row(app, attempt_id)[0].pass_mark == 70
