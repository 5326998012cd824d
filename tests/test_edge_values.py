"""Values at the edges, sent through real HTTP: a JSON body posted to a page's form, digits from other scripts,
ids past any column, a CSV field longer than the csv module reads, YAML that Python cannot hold, feedback on a
question nobody answers. Each is refused with a 4xx that says what is wrong, and changes nothing."""

import io

from sqlalchemy import func, select

from lms.extensions import db
from quizzes.editors import CONVERSATION_EXAMPLE
from tests import test_question_editor
from tests.conftest import csrf_token_from
from tests.helpers import page_text, question_id
from tests.test_bank_authoring import post
from tests.test_cohorts import new_cohort
from tests.test_conversation import reply, talk_lab
from tests.test_question_editor import new_question, new_quiz_id, quiz_questions
from tests.test_quiz_attempts import basic_answers, enrol, one_module_lab, start
from tests.test_typing_test import started_attempt

lab = test_question_editor.lab  # a one-module course whose quiz the signed-in trainer authors
HUGE_ID = str(2**63)  # past PostgreSQL's INTEGER ids and SQLite's 64-bit integers alike


def test_a_json_body_posted_to_a_pages_form_is_refused_and_changes_nothing(app, client, learner):
    from badges.models import EarnerName

    token = csrf_token_from(client.get("/badges/mine").text)
    for body in (1, "name", [[["deep"]]], {"shown_name": ["Ana", "Cruz"]}):
        refused = client.post("/badges/mine/name", json=body, headers={"X-CSRFToken": token})
        assert refused.status_code == 415 and "reads form posts, not JSON" in page_text(refused)
    visitor = app.test_client()
    visitor_token = csrf_token_from(visitor.get("/login").text)
    signing_in = visitor.post("/login", json={"email": [1], "password": 2}, headers={"X-CSRFToken": visitor_token})
    assert signing_in.status_code == 415
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EarnerName)) == 0


def test_flags_and_reply_numbers_in_other_scripts_or_too_long_are_refused(app, client, learner, tmp_path):
    course = one_module_lab(app, tmp_path)
    enrol(app, learner["id"], course.id)
    attempt_id = start(client, course.quiz_id)
    answers = basic_answers(client, attempt_id, {"capital": "Paris"})
    saved = client.post(f"/quizzes/attempts/{attempt_id}/save", data={**answers, "flag": ["²", "9" * 5000, "2"]})
    assert saved.status_code == 302
    from quizzes.models import AttemptAnswer

    with app.app_context():
        flagged = db.session.scalars(
            select(AttemptAnswer.slot).where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.flagged)
        ).all()
    assert flagged == [1], "only the question numbered 2 is flagged"
    for value in ("²:0", "9" * 5000 + ":0"):
        refused = client.post(f"/quizzes/attempts/{attempt_id}/save", data={**answers, "reply": value})
        assert refused.status_code == 400 and "This reply could not be read" in page_text(refused)


def test_a_conversation_reply_numbered_in_another_script_is_refused(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path, talk_lab, "practice-call")
    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    for choice in ("²", "9" * 5000):
        refused = client.post(
            f"/quizzes/attempts/{attempt_id}/save", data={"csrf_token": token, "reply": f"0:{choice}"}
        )
        assert refused.status_code == 400 and "Pick one of the replies offered." in page_text(refused)
    assert "So will I get it back?" in reply(client, attempt_id, page, "Let me read your last bill to you.")


def test_ids_past_any_column_name_nothing(app, client, trainer, lab, make_user, login):
    quiz_id = new_quiz_id(client)
    capital = question_id(app, "capital")
    url = f"/author/quizzes/{lab.quiz_id}/questions/{capital}/copy-or-move"
    refused = post(client, url, f"/author/quizzes/{lab.quiz_id}", target=HUGE_ID, action="copy")
    assert refused.status_code == 400 and "Choose one of your quizzes" in page_text(refused)
    added = post(
        client, f"/author/quizzes/{quiz_id}/questions/add", f"/author/bank?add_to={quiz_id}", question_id=HUGE_ID
    )
    assert added.status_code == 404
    restored = post(
        client, f"/author/questions/{capital}/restore", f"/author/questions/{capital}/history", version=HUGE_ID
    )
    assert restored.status_code == 404
    assert quiz_questions(app, quiz_id) == []

    admin = login(make_user("admin"), target=app.test_client())
    table = f"/reports/courses/{lab.slug}/learners"
    enrolled = post(admin, f"/reports/courses/{lab.slug}/enrol-cohort", table, cohort=HUGE_ID)
    assert enrolled.status_code == 404


def test_a_cohort_csv_with_a_field_longer_than_csv_reads_or_a_nul_byte_is_refused(app, make_user, login):
    from lms.cohorts import CohortMember

    agent = make_user(email="agent@example.com")
    admin = login(make_user("admin"), target=app.test_client())
    url = new_cohort(admin)

    def upload(text: str):
        data = {"csrf_token": csrf_token_from(admin.get(url).text), "csv_file": (io.BytesIO(text.encode()), "x.csv")}
        return admin.post(url, data=data, content_type="multipart/form-data")

    too_long = upload("email\n" + "a" * 200_000 + "\n")
    assert too_long.status_code == 400 and "Line 2 of the file is too long to hold an email address" in page_text(
        too_long
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 0
    with_nul = upload("email\nnobody\x00@example.com\nagent@example.com\n")  # the good row is still added
    assert with_nul.status_code == 400 and "line 2: holds a control character" in page_text(with_nul)
    with app.app_context():
        assert db.session.scalars(select(CohortMember.user_id)).all() == [agent["id"]]


def test_a_conversation_script_python_cannot_hold_is_refused_with_a_message(app, client, trainer, lab):
    quiz_id = new_quiz_id(client)
    for script in ("channel: 2024-02-30", "channel: " + "9" * 5000, "[" * 2000):
        refused = new_question(client, quiz_id, "conversation", title="talk", **{"answers-script": script})
        assert refused.status_code == 400
        assert "could not be read" in page_text(refused) or "not valid YAML" in page_text(refused)
    assert quiz_questions(app, quiz_id) == []


def test_a_conversation_script_a_question_cannot_store_is_refused_with_its_reason(app, client, trainer, lab):
    """Numbers as rubric keys are read as text, as stored; a date, a set, binary data or nesting past any script's
    need is refused with the reason; and an alias, which lets a few hundred characters stand for gigabytes, is
    refused before it is expanded. Each was a 500 (or, for the alias, a config millions of characters long)."""
    quiz_id = new_quiz_id(client)
    numbered = CONVERSATION_EXAMPLE.replace("scores: {empathy: -1}", "scores: {1: -1}")
    refused = new_question(client, quiz_id, "conversation", title="talk", **{"answers-script": numbered})
    assert refused.status_code == 400
    assert "Reply 2 of step 'hello' scores 1, not on the rubric." in page_text(refused)
    unstorable = "The script holds a value a question cannot store"
    for value in ("2024-01-01", "!!set {a: null}", "!!binary aGVsbG8="):
        script = CONVERSATION_EXAMPLE + f"extra: {value}\n"
        refused = new_question(client, quiz_id, "conversation", title="talk", **{"answers-script": script})
        assert refused.status_code == 400 and unstorable in page_text(refused), value
    deep = CONVERSATION_EXAMPLE + "extra: " + "[" * 40 + "]" * 40 + "\n"
    refused = new_question(client, quiz_id, "conversation", title="talk", **{"answers-script": deep})
    assert refused.status_code == 400 and "The script nests deeper than 12 levels" in page_text(refused)
    laughs = CONVERSATION_EXAMPLE + "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    refused = new_question(client, quiz_id, "conversation", title="talk", **{"answers-script": laughs})
    assert refused.status_code == 400 and "write each value out instead of *aliases" in page_text(refused)
    assert quiz_questions(app, quiz_id) == []


def test_a_description_takes_no_general_feedback_and_exports_stay_whole(app, client, trainer, lab):
    quiz_id = new_quiz_id(client)
    form = client.get(f"/author/quizzes/{quiz_id}/questions/new?type=description").text
    assert 'name="general_feedback"' not in form
    refused = new_question(client, quiz_id, "description", stem="Read this.", general_feedback="Some feedback")
    assert refused.status_code == 400 and "is not answered, so it has no general feedback" in page_text(refused)
    assert new_question(client, quiz_id, "description", stem="Read this.").status_code == 302
    for export in (f"/author/quizzes/{quiz_id}/export.gift", "/author/bank.gift"):
        exported = client.get(export)
        assert exported.status_code == 200 and "Read this." in exported.text
