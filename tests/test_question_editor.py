"""Trainers write quizzes and questions in forms: settings, every question type, field errors, preview, versions,
reordering, publishing, and who may do it; all through real HTTP against a real database."""

import html
import re

import pytest
from sqlalchemy import func, select, update

from lms.extensions import db
from quizzes.editors import CONVERSATION_EXAMPLE
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer, page_text, question_id
from tests.test_quiz_attempts import FormReader, basic_answers, enrol, one_module_lab, start, sync


@pytest.fixture
def lab(app, tmp_path, trainer):
    """A one-module course (a practice quiz of BASIC_GIFT, whose review shows every question) whose trainer is
    the signed-in `trainer`."""
    course = one_module_lab(app, tmp_path, review="practice")
    assign_trainer(app, trainer, course.id)
    course.pack = tmp_path / "pack"
    return course


def errors_on(page: str) -> list[str]:
    """The field and row error messages a page shows."""
    return [re.sub(r"\s+", " ", message).strip() for message in re.findall(r'class="error"[^>]*>(.*?)</p>', page, re.S)]


def placement_value(page: str, label_end: str) -> str:
    """The value of the placement option whose label ends with `label_end`."""
    for value, label in re.findall(r'<option[^>]*value="([^"]+)"[^>]*>([^<]*)</option>', page):
        if label.endswith(label_end):
            return value
    raise AssertionError(f"no placement {label_end!r}")


def create_quiz(client, title="Calming angry callers", placement_end="Module m1", **fields):
    """Fill in and send the new-quiz form; the response."""
    page = client.get("/author/quizzes/new").text
    data = {
        "csrf_token": csrf_token_from(page),
        "title": title,
        "placement": placement_value(page, placement_end),
        "pass_mark": "80",
        "max_attempts": "0",
        "review": "practice",
        "shuffle_questions": "y",
        **fields,
    }
    return client.post("/author/quizzes/new", data=data)


def new_quiz_id(client, **fields) -> int:
    """Create a quiz through the form; its id."""
    response = create_quiz(client, **fields)
    assert response.status_code == 302, errors_on(response.text)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def rows(prefix_rows: list[dict]) -> dict:
    """Editor row fields (`answers-rows-N-key`) from a list of row dicts."""
    return {f"answers-rows-{n}-{key}": value for n, row in enumerate(prefix_rows) for key, value in row.items()}


def post_question(client, url, stem="Which reply calms an angry caller?", **fields):
    """Send a question form (new or edit) with a fresh CSRF token; the response."""
    token = csrf_token_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "stem": stem, **fields})


def new_question(client, quiz_id, qtype, **fields):
    """Write a new question of `qtype` into the quiz through its form; the response."""
    return post_question(client, f"/author/quizzes/{quiz_id}/questions/new?type={qtype}", **fields)


def bank_count(app) -> int:
    """How many questions the bank holds."""
    from quizzes.models import Question

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Question))


def quiz_questions(app, quiz_id):
    """The quiz's questions in order: (title, type, current config, stem, version number)."""
    from quizzes.models import Quiz

    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        return [
            (
                i.question.title,
                i.question.type,
                i.question.current.config,
                i.question.current.stem,
                i.question.current_version,
            )
            for i in quiz.items
        ]


CALM = rows(
    [
        {
            "text": "I understand how frustrating this is; let me fix it.",
            "grade": "100",
            "feedback": "It names the feeling.",
        },
        {"text": "Please calm down.", "grade": "0", "feedback": "This tends to make callers angrier."},
        {"text": "That is not my department.", "grade": "-50", "feedback": "It passes the problem on."},
    ]
)


def test_a_trainer_creates_a_quiz_writes_a_question_and_publishes_it_for_learners(
    app, client, trainer, lab, make_user, login
):
    """The quiz is unpublished until it has a question and the trainer publishes it; then learners take it."""
    quiz_id = new_quiz_id(client, introduction="Practise **de-escalation** before your first live call.")
    page = client.get(f"/author/quizzes/{quiz_id}")
    assert "Not published" in page.text

    learner = make_user()
    learner_client = login(learner, target=app.test_client())
    enrol(app, learner["id"], lab.id)
    assert learner_client.get(f"/quizzes/{quiz_id}").status_code == 404

    # Publishing an empty quiz is refused with a message; nothing changes.
    token = csrf_token_from(page.text)
    refused = client.post(f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": token, "publish": "1"})
    assert "The quiz has no questions: add at least one first." in page_text(client.get(refused.headers["Location"]))

    response = new_question(client, quiz_id, "single_choice", title="calm-reply", tags="voice, empathy", **CALM)
    assert response.status_code == 302, errors_on(response.text)
    [(title, qtype, config, stem, version)] = quiz_questions(app, quiz_id)
    assert (title, qtype, version) == ("calm-reply", "single_choice", 1)
    assert [c["weight"] for c in config["choices"]] == [100.0, 0.0, -50.0]
    assert config["choices"][1]["feedback"] == "This tends to make callers angrier."

    token = csrf_token_from(client.get(f"/author/quizzes/{quiz_id}").text)
    client.post(f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": token, "publish": "1"})
    quiz_page = learner_client.get(f"/quizzes/{quiz_id}")
    assert quiz_page.status_code == 200
    assert "<strong>de-escalation</strong>" in quiz_page.text

    attempt_id = start(learner_client, quiz_id)
    attempt = learner_client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "Which reply calms an angry caller?" in attempt
    assert "Please calm down." in attempt
    assert "It names the feeling" not in attempt  # feedback stays on the server until it is earned


def test_the_quiz_settings_form_saves_every_setting_and_explains_bad_values(app, client, trainer, lab):
    """Pass mark, attempts, time limit, shuffling, a random draw and the review policy round-trip; bad values get
    a message beside their field and change nothing."""
    from quizzes.models import Quiz

    quiz_id = new_quiz_id(client)
    url = f"/author/quizzes/{quiz_id}/settings"
    page = client.get(url).text
    good = {
        "csrf_token": csrf_token_from(page),
        "title": "Exam: angry callers",
        "placement": placement_value(page, "a quiz of the whole course"),
        "introduction": "Ten minutes, no notes.",
        "pass_mark": "75",
        "max_attempts": "2",
        "time_limit_minutes": "10",
        "shuffle_options": "y",
        "draw_count": "1",
        "draw_tags": "lab, lab/basics",
        "review": "exam",
    }
    bad = {**good, "pass_mark": "150", "time_limit_minutes": "-5", "draw_count": "0"}
    refused = client.post(url, data=bad)
    assert refused.status_code == 400
    assert set(errors_on(refused.text)) == {
        "Give a pass mark from 0 to 100.",
        "Give a time limit from 1 to 600 minutes, or leave it empty.",
        "Draw from 1 to 500 questions, or leave it empty.",
    }
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).pass_mark == 80  # unchanged

    assert client.post(url, data=good).status_code == 302
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        saved = (
            quiz.title,
            quiz.module_id,
            quiz.introduction,
            quiz.pass_mark,
            quiz.max_attempts,
            quiz.time_limit_minutes,
            quiz.shuffle_questions,
            quiz.shuffle_options,
            quiz.draw_count,
            quiz.draw_tags,
            quiz.review,
        )
    assert saved == (
        "Exam: angry callers",
        None,
        "Ten minutes, no notes.",
        75,
        2,
        10,
        False,
        True,
        1,
        ["lab", "lab/basics"],
        "exam",
    )
    # The form shows what was saved.
    again = client.get(url).text
    assert 'value="Exam: angry callers"' in again and 'value="lab, lab/basics"' in again
    # The audit log says what each setting was and became, not only which changed.
    from lms.models import AuditEntry

    with app.app_context():
        logged = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "quiz.settings").order_by(AuditEntry.id.desc()).limit(1)
        )
        assert logged.detail["pass_mark"] == "80 → 75" and logged.detail["review"] == "practice → exam"
        assert logged.detail["draw_tags"] == "none → lab, lab/basics"

    # A draw of more questions than carry its tags: refused beside the draw, the draw saved before kept.
    too_many = client.post(url, data={**good, "draw_count": "500"})
    assert too_many.status_code == 400
    (error,) = [html.unescape(e) for e in errors_on(too_many.text) if e.startswith("Not saved")]
    pool = re.fullmatch(
        r"Not saved: only (\d+) active questions carry its tags in the course's bank, so an attempt cannot draw "
        r"500: draw at most \1, or add questions first\.",
        error,
    )
    assert pool and int(pool.group(1)) >= 1, error
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).draw_count == 1


@pytest.mark.parametrize(
    ("qtype", "fields", "message"),
    [
        (
            "single_choice",
            rows([{"text": "A", "grade": "50"}, {"text": "B", "grade": "0"}]),
            "Give the right answer the grade 100%: no choice has it now.",
        ),
        ("single_choice", rows([{"text": "Only one", "grade": "100"}]), "Write at least two choices."),
        (
            "multiple_response",
            rows([{"text": "A", "grade": "25"}, {"text": "B", "grade": "25"}, {"text": "C", "grade": "-100"}]),
            "The positive grades add up to 50%, so nobody could earn full marks: they must add up to 100%.",
        ),
        (
            "multiple_response",
            rows([{"text": "A", "grade": "100"}, {"text": "B", "grade": "100"}, {"text": "C", "grade": "0"}]),
            "The positive grades add up to 200%, so some of the right choices alone would earn full marks: they "
            "must add up to 100%.",
        ),
        ("numerical", rows([{"value": "42", "tolerance": "-1", "grade": "100"}]), "The tolerance cannot be negative."),
        (
            "numerical",
            rows([{"value": "forty-two", "tolerance": "0", "grade": "100"}]),
            "Enter a number, for example 42 or 3.5.",
        ),
        (
            "matching",
            rows([{"prompt": "Voice", "answer": "Calls"}]),
            "Write at least two pairs, each a prompt and its matching answer.",
        ),
        (
            "short_answer",
            rows([{"text": "", "grade": "100", "feedback": "orphan"}]),
            "An answer has feedback but no text: write the answer or clear its feedback.",
        ),
        ("ordering", rows([{"text": "Greet"}]), "Write at least two items to put in order."),
        ("true_false", {}, "Say whether the statement is true or false."),
    ],
)
def test_each_question_form_explains_what_is_wrong_and_saves_nothing(app, client, trainer, lab, qtype, fields, message):
    """A form a trainer gets wrong comes back with a message a person understands; the bank is unchanged."""
    quiz_id = new_quiz_id(client)
    before = bank_count(app)
    response = new_question(client, quiz_id, qtype, **fields)
    assert response.status_code == 400
    assert message in errors_on(response.text)
    assert bank_count(app) == before
    # The summary at the top names the problem, not the editor's inner field ("Answers: rows").
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S)
    assert summary and ": rows</a>" not in summary.group(0) and html.escape(message) in summary.group(0)


def test_a_single_choice_with_several_right_answers_imports_and_saves_unchanged_in_its_form(app, client, trainer, lab):
    """GIFT's several '=' answers are several right answers: the editor keeps them, so a trainer can fix a typo
    in an imported question without regrading it."""
    from tests.test_quiz_authoring import import_gift

    quiz_id = new_quiz_id(client)
    seasons = "::seasons::Name a season\\: {=spring =summer =autumn =winter ~Easter}\n"
    assert import_gift(client, quiz_id, seasons).status_code == 302
    url = f"/author/questions/{question_id(app, 'seasons')}/edit"
    page = client.get(url).text
    # Its text is HTML as the GIFT file gave it, and the field says so (not "Markdown", which new questions use).
    assert "HTML, as the GIFT file gave it" in page and "Raw HTML is not shown" not in page
    data = form_values(page)
    assert [data[f"answers-rows-{n}-grade"] for n in range(5)] == ["100", "100", "100", "100", "0"]
    data["stem"] = "Name a season of the year:"
    saved = client.post(url, data=data)
    assert saved.status_code == 302, errors_on(saved.text)
    assert [data[f"answers-rows-{n}-grade"] for n in range(5)] == [
        form_values(client.get(url).text)[f"answers-rows-{n}-grade"] for n in range(5)
    ]


def test_an_empty_question_text_is_refused(app, client, trainer, lab):
    """The stem is required, for every type."""
    quiz_id = new_quiz_id(client)
    response = new_question(client, quiz_id, "description", stem="   ")
    assert response.status_code == 400
    assert "Write the question text." in errors_on(response.text)


EVERY_TYPE = {
    "single_choice": (CALM, lambda c: [x["text"] for x in c["choices"]][0].startswith("I understand")),
    "multiple_response": (
        rows(
            [
                {"text": "Greet", "grade": "50"},
                {"text": "Verify identity", "grade": "50"},
                {"text": "Argue", "grade": "-100"},
            ]
        ),
        lambda c: [x["weight"] for x in c["choices"]] == [50.0, 50.0, -100.0],
    ),
    "true_false": (
        {"answers-answer": "false", "answers-feedback_right": "Right: BPO is wider.", "answers-feedback_wrong": "No."},
        lambda c: c == {"answer": False, "feedback_right": "Right: BPO is wider.", "feedback_wrong": "No."},
    ),
    "short_answer": (
        rows([{"text": "empathy", "grade": "100"}, {"text": "sympathy", "grade": "50", "feedback": "Close."}]),
        lambda c: [(a["text"], a["weight"]) for a in c["answers"]] == [("empathy", 100.0), ("sympathy", 50.0)],
    ),
    "numerical": (
        rows([{"value": "80", "tolerance": "5", "grade": "100"}]),
        lambda c: (c["answers"][0]["min"], c["answers"][0]["max"]) == (75.0, 85.0),
    ),
    "matching": (
        rows(
            [
                {"prompt": "Voice", "answer": "Phone calls"},
                {"prompt": "Non-voice", "answer": "Email"},
                {"answer": "Fax"},
            ]
        ),
        lambda c: c["pairs"][2] == {"prompt": "", "answer": "Fax"} and len(c["pairs"]) == 3,
    ),
    "ordering": (
        rows([{"text": "Greet"}, {"text": "Verify"}, {"text": "Resolve"}, {"text": "Close"}]),
        lambda c: c["items"] == ["Greet", "Verify", "Resolve", "Close"],
    ),
    "essay": (
        {"answers-guidance": "Full marks: greets, names the feeling, offers a next step."},
        lambda c: c == {"guidance": "Full marks: greets, names the feeling, offers a next step."},
    ),
    "description": ({}, lambda c: c == {}),
    "typing": (
        {
            "answers-passage": "Thank you for waiting.\n  Your refund was sent today.",
            "answers-min_net_wpm": "25",
            "answers-min_accuracy": "97.5",
        },
        lambda c: (
            c
            == {
                "passage": "Thank you for waiting. Your refund was sent today.",
                "min_net_wpm": 25.0,
                "min_accuracy": 97.5,
            }
        ),
    ),
    "data_entry": (
        {
            **rows([{"name": "Claim number", "match": "exact"}, {"name": "Date of loss", "match": "date"}]),
            "answers-records": "CL-1 | 14/03/2026\n\nCL-2 | 2 April 2026\n",
            "answers-date_order": "dmy",
            "answers-min_accuracy": "90",
            "answers-min_kph": "",
        },
        lambda c: (
            c
            == {
                "fields": [{"name": "Claim number", "match": "exact"}, {"name": "Date of loss", "match": "date"}],
                "records": [["CL-1", "14/03/2026"], ["CL-2", "2 April 2026"]],
                "date_order": "dmy",
                "min_accuracy": 90.0,
                "min_kph": 0,
            }
        ),
    ),
    "conversation": (
        {"answers-script": CONVERSATION_EXAMPLE},
        lambda c: (
            c["channel"] == "chat"
            and [line["key"] for line in c["rubric"]] == ["empathy", "resolve"]
            and c["steps"]["hello"]["replies"][0]["scores"] == {"empathy": 2, "resolve": 2}
            and c["steps"]["done"] == {"customer": "Thanks."}
        ),
    ),
}


def test_every_question_type_has_a_form_that_saves_and_shows_its_question_again(app, client, trainer, lab):
    assert set(EVERY_TYPE) == set(app.extensions["quizzes"]["types"])
    """Each type is written through its form, stored as its config, and the edit form shows it back unchanged:
    saving the edit form untouched changes nothing."""
    quiz_id = new_quiz_id(client)
    types = app.extensions["quizzes"]["types"]
    for qtype, (fields, _check) in EVERY_TYPE.items():
        feedback = {"general_feedback": "Because **reasons**."} if types[qtype].graded else {}  # a description: none
        response = new_question(client, quiz_id, qtype, title=f"t-{qtype}", **feedback, **fields)
        assert response.status_code == 302, (qtype, errors_on(response.text))
    saved = quiz_questions(app, quiz_id)
    assert [s[1] for s in saved] == list(EVERY_TYPE)
    for _title, qtype, config, _stem, _version in saved:
        assert EVERY_TYPE[qtype][1](config), (qtype, config)

    from quizzes.models import Question

    with app.app_context():
        ids = {q.type: q.id for q in db.session.scalars(select(Question).where(Question.title.startswith("t-")))}
    for qtype, edited in ids.items():
        url = f"/author/questions/{edited}/edit?quiz={quiz_id}"
        page = client.get(url).text
        data = form_values(page)
        assert client.post(url, data=data).status_code == 302, (qtype, errors_on(client.post(url, data=data).text))
    assert quiz_questions(app, quiz_id) == saved


def form_values(page: str, start: str = '<form method="post" class="form-card form-wide"') -> dict:
    """What a browser would send for the page's form (the question form unless `start` names another) untouched:
    inputs, selected options, textareas."""
    form = page[page.index(start) :]
    form = form[: form.index("</form>")]
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name:
            continue
        if kind and kind.group(1) in ("radio", "checkbox") and "checked" not in tag:
            continue
        data[name.group(1)] = html_unescape(value.group(1) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options) or re.search(
            r'<option value="([^"]*)"', options
        )
        data[name] = html_unescape(chosen.group(1))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', form, re.S):
        data[name] = html_unescape(text)
    return data


def html_unescape(text: str) -> str:
    """HTML entities back to characters."""
    import html

    return html.unescape(text)


def test_more_rows_adds_blank_rows_without_saving(app, client, trainer, lab):
    """Without JavaScript, "More rows" shows the form again with room for more choices, keeping what was typed."""
    quiz_id = new_quiz_id(client)
    url = f"/author/quizzes/{quiz_id}/questions/new?type=matching"
    before = bank_count(app)
    page = client.get(url).text
    assert page.count('class="editor-row"') == 4
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "stem": "Match them",
            **rows([{"prompt": "Voice", "answer": "Calls"}]),
            "more_rows": "1",
        },
    )
    assert response.status_code == 200
    assert response.text.count('class="editor-row"') == 6
    assert 'value="Voice"' in response.text
    assert bank_count(app) == before


def test_a_question_at_its_size_limit_opens_for_editing_and_more_rows_stops_there(app, client, trainer, lab):
    """A drill of 12 fields and a question of 50 choices (the most each may have) open in the editor with their
    blank rows; "More rows" adds none past the room the form has, and a row too many is refused with the reason,
    the saved question unchanged."""
    from quizzes.models import Question

    quiz_id = new_quiz_id(client)
    drill = {
        **rows([{"name": f"Field {n}", "match": "text"} for n in range(12)]),
        "answers-records": " | ".join(f"v{n}" for n in range(12)),
        "answers-date_order": "dmy",
        "answers-min_accuracy": "90",
        "answers-min_kph": "",
    }
    choices = rows([{"text": f"Choice {n}", "grade": "100" if n == 0 else "0"} for n in range(50)])
    assert new_question(client, quiz_id, "data_entry", title="wide-drill", **drill).status_code == 302
    assert new_question(client, quiz_id, "single_choice", title="long-list", **choices).status_code == 302
    with app.app_context():
        ids = dict(db.session.execute(select(Question.title, Question.id).where(Question.title.like("%-%"))).all())
    for title, filled in (("wide-drill", 12), ("long-list", 50)):
        url = f"/author/questions/{ids[title]}/edit?quiz={quiz_id}"
        page = client.get(url)
        assert page.status_code == 200
        assert page.text.count('class="editor-row"') == filled + 2
        more = client.post(url, data={**form_values(page.text), "more_rows": "1"})
        assert more.status_code == 200
        assert more.text.count('class="editor-row"') == filled + 2
    saved = quiz_questions(app, quiz_id)
    url = f"/author/questions/{ids['wide-drill']}/edit?quiz={quiz_id}"
    page = client.get(url).text
    one_more = {**form_values(page), **rows([{"name": f"Field {n}", "match": "text"} for n in range(13)])}
    refused = client.post(url, data=one_more)
    assert refused.status_code == 400
    assert "Give the drill 1 to 12 fields." in refused.text
    assert quiz_questions(app, quiz_id) == saved


def test_a_choice_as_long_as_a_question_may_hold_is_written_and_saved_again_from_the_editor(app, client, trainer, lab):
    """A GIFT import takes a choice of up to 2,000 characters (the type's limit for any text); the editor takes
    the same, so such a question saves from its edit page untouched, where the editor's 500 refused it."""
    quiz_id = new_quiz_id(client)
    long_choice = ("Apologise, then " + "explain the next step clearly " * 66)[:1999] + "."
    choices = rows([{"text": long_choice, "grade": "100"}, {"text": "Hang up", "grade": "0"}])
    assert new_question(client, quiz_id, "single_choice", title="long-choice", **choices).status_code == 302
    [(_title, _type, config, _stem, _version)] = quiz_questions(app, quiz_id)
    assert config["choices"][0]["text"] == long_choice
    from quizzes.models import Question

    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "long-choice"))
    url = f"/author/questions/{question_id}/edit?quiz={quiz_id}"
    assert client.post(url, data=form_values(client.get(url).text)).status_code == 302


def test_a_question_gift_cannot_hold_is_left_out_of_an_export_and_named_not_a_server_error(app, client, trainer, lab):
    """A matching prompt may hold "->", which GIFT cannot write: the quiz's and the bank's GIFT files still
    download, with every other question, and a comment at the top names the one left out."""
    from quizzes.bank import question_types
    from quizzes.gift import parse_gift

    quiz_id = new_quiz_id(client)
    arrows = rows([{"prompt": "Caller -> agent", "answer": "Inbound"}, {"prompt": "Agent -> caller", "answer": "Out"}])
    assert new_question(client, quiz_id, "matching", title="call-direction", **arrows).status_code == 302
    assert new_question(client, quiz_id, "single_choice", title="calm-reply", **CALM).status_code == 302
    for url in (f"/author/quizzes/{quiz_id}/export.gift", "/author/bank.gift"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert text.startswith(
            "// Left out, as GIFT cannot hold it as written: call-direction (matching): "
            "a matching prompt cannot contain '->' in GIFT\n"
        )
        with app.app_context():
            titles = [question["title"] for question in parse_gift(text, question_types())]
        assert "calm-reply" in titles and "call-direction" not in titles


def test_a_row_numbered_with_a_digit_outside_ascii_is_a_clear_400(app, client, trainer, lab):
    """A list's rows are numbered in their field names; a post numbering one "²" or "٣" (which WTForms takes for a
    digit, then cannot read) is refused before any form reads it, where it was a 500."""
    quiz_id = new_quiz_id(client)
    crafted = {"answers-rows-\u00b2-text": "A", "answers-rows-\u0663-text": "B", **CALM}
    refused = new_question(client, quiz_id, "single_choice", title="crafted", **crafted)
    assert refused.status_code == 400
    assert "This form has a field no page of this site names." in page_text(refused)
    assert quiz_questions(app, quiz_id) == []


def test_a_quiz_whose_draw_finds_no_question_cannot_be_published(app, client, trainer, lab):
    """A random draw whose tags no active question of the bank carries would greet every learner with nothing to
    answer (and, for a final, keep them from completing the course): publishing it is refused with the reason,
    and allowed once a question carries the tag."""
    quiz_id = new_quiz_id(client, draw_count="2", draw_tags="nobody/yet")
    page = client.get(f"/author/quizzes/{quiz_id}")
    publish = {"csrf_token": csrf_token_from(page.text), "publish": "1"}
    refused = client.post(f"/author/quizzes/{quiz_id}/publish", data=publish)
    assert "This quiz has no question to ask yet" in page_text(client.get(refused.headers["Location"]))
    assert "Not published" in client.get(f"/author/quizzes/{quiz_id}").text
    other = new_quiz_id(client, title="Warm-up")
    assert new_question(client, other, "single_choice", title="tagged", tags="nobody/yet", **CALM).status_code == 302
    client.post(f"/author/quizzes/{quiz_id}/publish", data=publish)
    assert "Not published" not in client.get(f"/author/quizzes/{quiz_id}").text


def test_retiring_the_last_question_of_a_published_quiz_warns_that_learners_cannot_start_it(app, client, trainer, lab):
    """Publishing refuses a quiz with nothing to ask, but a question retired afterwards can still leave a
    published quiz empty: the trainer is told at once, and the quiz's page says so until it has a question."""
    from quizzes.models import Question

    quiz_id = new_quiz_id(client, title="Final check")
    assert new_question(client, quiz_id, "single_choice", title="calm-reply", **CALM).status_code == 302
    page = client.get(f"/author/quizzes/{quiz_id}")
    client.post(f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": csrf_token_from(page.text), "publish": "1"})
    assert "Learners cannot start this quiz" not in page_text(client.get(f"/author/quizzes/{quiz_id}"))
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "calm-reply"))

    retired = client.post(f"/author/questions/{question_id}/retire", data={"csrf_token": csrf_token_from(page.text)})
    assert retired.status_code == 302
    told = page_text(client.get(retired.headers["Location"]))
    assert "Learners cannot start the published quiz Final check now: it has no question left to ask." in told
    quiz_page = page_text(client.get(f"/author/quizzes/{quiz_id}"))
    assert "Learners cannot start this quiz now. The quiz has no questions: add at least one first." in quiz_page

    assert new_question(client, quiz_id, "single_choice", title="calm-again", **CALM).status_code == 302
    assert "Learners cannot start" not in page_text(client.get(f"/author/quizzes/{quiz_id}"))


def test_preview_shows_the_question_as_a_learner_sees_it_and_grades_a_try_without_recording_it(
    app, client, trainer, lab
):
    """The trainer answers the preview: the grade and the feedback show; no attempt or answer is written."""
    from quizzes.models import Attempt, AttemptAnswer, Question

    quiz_id = new_quiz_id(client)
    new_question(
        client, quiz_id, "single_choice", title="calm-reply", general_feedback="Name the *feeling* first.", **CALM
    )
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "calm-reply"))
    url = f"/author/questions/{question_id}/preview?quiz={quiz_id}"
    page = client.get(url).text
    assert "Which reply calms an angry caller?" in page
    assert "It names the feeling" not in page  # nothing of the key before answering
    reader = FormReader(page)
    wrong = client.post(url, data={"csrf_token": csrf_token_from(page), "q0": reader.value("q0", "Please calm down.")})
    text = page_text(wrong)
    assert "Not right: 0%" in text
    assert "This tends to make callers angrier." in text
    assert "Right answer: I understand how frustrating this is; let me fix it." in text
    assert "<em>feeling</em>" in wrong.text  # general feedback is Markdown
    right = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "q0": reader.value("q0", "I understand how frustrating this is; let me fix it."),
        },
    )
    assert "Right: 100%" in page_text(right)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_editing_an_answered_question_makes_a_new_version_and_the_attempt_keeps_its_own(
    app, client, trainer, lab, make_user, login
):
    """A learner's submitted attempt shows the question and score it had, after the trainer rewrote it."""
    from quizzes.models import Question

    learner = make_user()
    learner_client = login(learner, target=app.test_client())
    enrol(app, learner["id"], lab.id)
    attempt_id = start(learner_client, lab.quiz_id)
    data = basic_answers(learner_client, attempt_id, {"capital": "Paris", "sky": "True"})
    learner_client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data)
    before = page_text(learner_client.get(f"/quizzes/attempts/{attempt_id}/review"))
    assert "Which city is the capital of France?" in before and "50%" in before

    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "capital"))
    url = f"/author/questions/{question_id}/edit?quiz={lab.quiz_id}"
    page = client.get(url).text
    assert "Saving makes version 2" in page
    data = form_values(page)
    data["stem"] = "Which city is the seat of the French government?"
    response = client.post(url, data=data)
    assert response.status_code == 302, errors_on(response.text)
    assert "Saved as version 2" in page_text(client.get(response.headers["Location"]))

    after = page_text(learner_client.get(f"/quizzes/attempts/{attempt_id}/review"))
    assert after == before
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert [v.number for v in question.versions] == [1, 2]
        assert question.current.stem == "Which city is the seat of the French government?"


def test_questions_are_reordered_and_removed_but_stay_in_the_bank(app, client, trainer, lab):
    """Move down, move up and remove act on the quiz only; the removed question stays in the bank."""
    from quizzes.models import Question

    quiz_id = lab.quiz_id
    with app.app_context():
        ids = {q.title: q.id for q in db.session.scalars(select(Question))}
    before = bank_count(app)

    def press(path, **data):
        token = csrf_token_from(client.get(f"/author/quizzes/{quiz_id}").text)
        response = client.post(f"/author/quizzes/{quiz_id}/questions/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 302, response.text

    assert [q[0] for q in quiz_questions(app, quiz_id)] == ["capital", "sky"]
    press(f"{ids['capital']}/move", direction="down")
    assert [q[0] for q in quiz_questions(app, quiz_id)] == ["sky", "capital"]
    press(f"{ids['capital']}/move", direction="up")
    assert [q[0] for q in quiz_questions(app, quiz_id)] == ["capital", "sky"]
    press(f"{ids['sky']}/remove")
    assert [q[0] for q in quiz_questions(app, quiz_id)] == ["capital"]
    assert bank_count(app) == before


def test_a_sync_leaves_trainer_quizzes_and_their_questions_alone(app, client, trainer, lab):
    """`courses sync` neither retires a quiz a trainer created nor touches its questions."""
    from quizzes.models import Quiz

    quiz_id = new_quiz_id(client)
    new_question(client, quiz_id, "single_choice", title="calm-reply", **CALM)
    token = csrf_token_from(client.get(f"/author/quizzes/{quiz_id}").text)
    client.post(f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": token, "publish": "1"})
    before = quiz_questions(app, quiz_id)

    sync(app, lab.pack)
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.active, quiz.title, quiz.authored) == (True, "Calming angry callers", True)
    assert quiz_questions(app, quiz_id) == before


def test_every_authoring_action_is_in_the_audit_log(app, client, trainer, lab):
    """Create, settings, question create and edit, reorder, remove and publish record who did what."""
    from lms.models import AuditEntry

    quiz_id = new_quiz_id(client)
    new_question(client, quiz_id, "true_false", stem="BPO covers back-office work.", **{"answers-answer": "true"})
    new_question(client, quiz_id, "true_false", stem="BPO means voice work only.", **{"answers-answer": "false"})
    page = client.get(f"/author/quizzes/{quiz_id}").text
    second = re.findall(r'id="item-(\d+)"', page)[1]
    client.post(
        f"/author/quizzes/{quiz_id}/questions/{second}/move",
        data={"csrf_token": csrf_token_from(page), "direction": "up"},
    )
    client.post(f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": csrf_token_from(page), "publish": "1"})
    client.post(f"/author/quizzes/{quiz_id}/questions/{second}/remove", data={"csrf_token": csrf_token_from(page)})
    with app.app_context():
        entries = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)).all()
    actions = [action for action, actor in entries if actor == trainer["id"]]
    assert actions == [
        "quiz.create",
        "question.create",
        "question.create",
        "quiz.reorder",
        "quiz.publish",
        "quiz.remove_question",
    ]


def test_authoring_urls_refuse_learners_and_trainers_of_other_courses(app, client, trainer, lab, make_user, login):
    """A learner and a trainer who is not assigned get 403 on every authoring URL of the quiz; so does the trainer
    who created it, once unassigned from its course."""
    from courses.trainers import unassign_trainer
    from lms.models import User
    from quizzes.models import Question

    quiz_id = new_quiz_id(client)
    new_question(client, quiz_id, "single_choice", title="calm-reply", **CALM)
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "calm-reply"))
    gets = [
        f"/author/quizzes/{quiz_id}",
        f"/author/quizzes/{quiz_id}/settings",
        f"/author/quizzes/{quiz_id}/questions/new?type=single_choice",
        f"/author/questions/{question_id}/edit",
        f"/author/questions/{question_id}/preview",
        f"/author/quizzes/{quiz_id}/export.gift",
    ]
    posts = gets[1:5] + [
        f"/author/quizzes/{quiz_id}/publish",
        f"/author/quizzes/{quiz_id}/questions/{question_id}/move",
        f"/author/quizzes/{quiz_id}/questions/{question_id}/remove",
    ]
    for role in ("learner", "trainer"):
        other = login(make_user(role), target=app.test_client())
        token = csrf_token_from(other.get("/profile").text)
        for url in gets:
            assert other.get(url).status_code == 403, (role, url)
        for url in posts:
            assert other.post(url, data={"csrf_token": token, "stem": "x", "publish": "1"}).status_code == 403, (
                role,
                url,
            )
    assert quiz_questions(app, quiz_id)[0][0] == "calm-reply"

    admin = make_user("admin")
    with app.app_context():
        unassign_trainer(db.session.get(User, admin["id"]), lab.id, trainer["id"])
    for url in gets:
        assert client.get(url).status_code == 403, url
    assert client.get(f"/author/quizzes/{lab.quiz_id}").status_code == 403


def test_script_in_every_authoring_field_is_shown_as_text(app, client, trainer, lab):
    """Markdown and HTML with script typed into the question's fields never reach a page as markup."""
    from quizzes.models import Question

    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>[click](javascript:alert(3))"
    quiz_id = new_quiz_id(client, introduction=attack)
    fields = rows(
        [{"text": attack, "grade": "100", "feedback": attack}, {"text": "safe", "grade": "0", "feedback": attack}]
    )
    response = new_question(
        client, quiz_id, "single_choice", stem=attack, title=attack, tags="x", general_feedback=attack, **fields
    )
    assert response.status_code == 302, errors_on(response.text)
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == attack))
    url = f"/author/questions/{question_id}/preview"
    page = client.get(url).text
    tried = client.post(url, data={"csrf_token": csrf_token_from(page), "q0": "0"}).text
    for shown in (
        page,
        tried,
        client.get(f"/author/quizzes/{quiz_id}").text,
        client.get(f"/author/questions/{question_id}/edit").text,
    ):
        assert "<script>alert" not in shown
        assert re.search(r"<img[^>]*onerror", shown) is None
        assert 'href="javascript:' not in shown


def test_editing_keeps_what_the_form_does_not_show_and_an_essay_preview_says_who_marks_it(app, client, trainer, lab):
    """A numerical question's "any other number" feedback (GIFT's ~#) survives an edit in the form; trying an
    essay in the preview says a trainer marks it, rather than scoring it 0."""
    from quizzes.models import Question
    from tests.test_quiz_authoring import import_gift

    gift = "::count::How many BPO categories are there? {#\n=2\n~#Count voice and non-voice.\n}\n\n::why::Why BPO? {}\n"
    assert import_gift(client, lab.quiz_id, gift).status_code == 302
    with app.app_context():
        ids = {q.title: q.id for q in db.session.scalars(select(Question).where(Question.title.in_(["count", "why"])))}
        before = db.session.get(Question, ids["count"]).current.config
    url = f"/author/questions/{ids['count']}/edit"
    data = form_values(client.get(url).text)
    data["stem"] = "How many broad BPO categories are there?"
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        after = db.session.get(Question, ids["count"]).current.config
    assert after == before
    assert after["answers"][-1]["feedback"] == "Count voice and non-voice."

    preview = f"/author/questions/{ids['why']}/preview"
    tried = client.post(preview, data={"csrf_token": csrf_token_from(client.get(preview).text), "q0": "Steady work."})
    assert "A trainer marks this answer" in page_text(tried)
    assert "Not right" not in page_text(tried)


def test_a_typing_test_written_in_its_form_previews_its_passage_and_standard(app, client, trainer, lab):
    from quizzes.models import Question

    quiz_id = new_quiz_id(client)
    fields, _check = EVERY_TYPE["typing"]
    assert new_question(client, quiz_id, "typing", title="t-typing", **fields).status_code == 302
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "t-typing"))
    page = client.get(f"/author/questions/{question_id}/preview?quiz={quiz_id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "Thank you for waiting. Your refund was sent today." in text
    assert "25 net words a minute at 97.5% accuracy" in text
    assert "the server times the run" in text


def test_a_conversation_script_that_is_not_yaml_or_not_a_script_is_refused_with_its_reason(app, client, trainer, lab):
    quiz_id = new_quiz_id(client)
    broken = new_question(client, quiz_id, "conversation", title="t-talk", **{"answers-script": "steps: [unclosed"})
    assert broken.status_code == 400
    assert "The script is not valid YAML (line 1)" in page_text(broken)
    looped = CONVERSATION_EXAMPLE.replace("next: done}", "next: hello}")
    refused = new_question(client, quiz_id, "conversation", title="t-talk", **{"answers-script": looped})
    assert refused.status_code == 400
    assert "The conversation can go round in a loop: hello → hello." in page_text(refused)


@pytest.mark.parametrize("answered", [False, True])
def test_a_save_over_a_newer_edit_is_refused_and_keeps_what_was_typed(app, client, trainer, lab, answered):
    """Two tabs (or two trainers) open the same question; the first saves; the second's save would silently undo
    it (edited in place, or made the new version's content), so it comes back unsaved with the reason, and a
    second press, made knowingly, saves it."""
    quiz_id = new_quiz_id(client)
    fields = rows([{"text": "I hear you", "grade": "100"}, {"text": "Calm down", "grade": "0"}])
    assert new_question(client, quiz_id, "single_choice", title="calming", **fields).status_code == 302
    question = question_id(app, "calming")
    if answered:  # learners answered version 1: each save makes a new version
        from quizzes.models import QuestionVersion

        with app.app_context():
            db.session.execute(
                update(QuestionVersion).where(QuestionVersion.question_id == question).values(locked=True)
            )
            db.session.commit()
    url = f"/author/questions/{question}/edit?quiz={quiz_id}"
    tab_a, tab_b = form_values(client.get(url).text), form_values(client.get(url).text)
    assert tab_a["based_on"] and tab_a["based_on"] == tab_b["based_on"]

    tab_a_answer = {"answers-rows-0-text": "I hear you, and I'll fix it"}
    assert (
        client.post(url, data={**tab_a, **tab_a_answer, "stem": "Tab A: which reply calms the caller?"}).status_code
        == 302
    )
    refused = client.post(url, data={**tab_b, "stem": "Tab B: which reply calms the caller?"})
    assert refused.status_code == 409
    shown = page_text(refused)
    assert "Someone else, or you in another tab, saved this question after you opened it." in shown
    assert "Saved now" in shown and "Tab A: which reply calms the caller?" in shown  # beside what was typed
    assert "Right answer I hear you, and I'll fix it" in shown  # the answers as saved too
    assert "Tab B: which reply calms the caller?" in refused.text  # what was typed is on the form, unsaved
    assert quiz_questions(app, quiz_id)[0][3] == "Tab A: which reply calms the caller?"

    again = form_values(refused.text)
    assert again["stem"] == "Tab B: which reply calms the caller?"
    assert client.post(url, data=again).status_code == 302
    assert quiz_questions(app, quiz_id)[0][3] == "Tab B: which reply calms the caller?"
    assert f'href="/author/questions/{question}/history">Its versions</a>' in refused.text
    # With versions made, the quiz page's count of answers says it counts them all, not the newest version's.
    quiz_page = page_text(client.get(f"/author/quizzes/{quiz_id}"))
    assert ("answered 0 times (all versions)" in quiz_page) == answered, quiz_page


def test_settings_that_would_leave_a_published_quiz_nothing_to_ask_are_refused_beside_the_draw(
    app, client, trainer, lab
):
    """A published quiz set to draw from a tag no question carries would greet every learner with "This quiz has
    no questions yet" while its page promised ten; the settings come back unsaved, with the reason beside the draw
    and what was typed. An unpublished quiz may hold such settings until it is published (which is refused)."""
    from quizzes.models import Quiz

    quiz_id = new_quiz_id(client)
    assert new_question(client, quiz_id, "single_choice", title="calm-reply", tags="voice", **CALM).status_code == 302
    url = f"/author/quizzes/{quiz_id}/settings"
    page = client.get(url).text
    settings = {
        **form_values(page, '<form method="post" class="form-card"'),
        "draw_count": "10",
        "draw_tags": "no-such-tag",
    }
    assert client.post(url, data=settings).status_code == 302  # unpublished: saved
    refused_publish = client.post(
        f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": csrf_token_from(page), "publish": "1"}
    )
    assert "no active question of the course's bank carries a tag it draws from" in page_text(
        client.get(refused_publish.headers["Location"])
    )

    assert client.post(url, data={**settings, "draw_count": "", "draw_tags": ""}).status_code == 302
    published = client.post(
        f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": csrf_token_from(page), "publish": "1"}
    )
    assert "Published" in page_text(client.get(published.headers["Location"]))
    refused = client.post(url, data={**settings, "pass_mark": "90"})
    assert refused.status_code == 400
    assert [html_unescape(error) for error in errors_on(refused.text)] == [
        "Not saved: learners can start this quiz now, and with these settings they could not. This quiz has no "
        "question to ask yet: its questions are retired, or no active question of the course's bank carries a tag "
        "it draws from. Add or tag questions first."
    ]
    assert 'value="no-such-tag"' in refused.text and 'value="90"' in refused.text  # as typed
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.draw_count, quiz.draw_tags, quiz.pass_mark) == (None, [], 80)
    # A draw from a tag the question carries is saved.
    assert client.post(url, data={**settings, "draw_count": "1", "draw_tags": "voice"}).status_code == 302


def test_a_quiz_title_the_course_already_has_is_refused_beside_the_title(app, client, trainer, lab):
    """The new-quiz form sent twice (a double click, Back and send) made two identical quizzes; a title another
    quiz of the course has, in any case, now comes back with the reason and the form as typed."""
    from quizzes.models import Quiz

    first = new_quiz_id(client, title="Calming angry callers")
    again = create_quiz(client, title=" calming ANGRY callers ", introduction="Second try")
    assert again.status_code == 400
    assert [html_unescape(e) for e in errors_on(again.text)] == [
        "The course already has a quiz called “calming ANGRY callers”. Give this one another title."
    ]
    assert "Second try" in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz).where(Quiz.title.ilike("calming%"))) == 1

    # Accented capitals compare too (SQLite's lower() leaves "É" as it is).
    new_quiz_id(client, title="Évaluation finale")
    accented = create_quiz(client, title="ÉVALUATION FINALE")
    assert accented.status_code == 400 and "already has a quiz called" in html_unescape(accented.text)

    # Renaming another quiz to it is refused too; keeping one's own title (or changing its case) is not.
    other = new_quiz_id(client, title="Verifying callers")
    url = f"/author/quizzes/{other}/settings"
    settings = form_values(client.get(url).text, '<form method="post" class="form-card"')
    renamed = client.post(url, data={**settings, "title": "Calming angry callers"})
    assert renamed.status_code == 400 and "already has a quiz called" in html_unescape(renamed.text)
    assert client.post(url, data={**settings, "pass_mark": "90"}).status_code == 302
    first_url = f"/author/quizzes/{first}/settings"
    own = form_values(client.get(first_url).text, '<form method="post" class="form-card"')
    assert client.post(first_url, data={**own, "title": "Calming Angry Callers"}).status_code == 302
