"""The trainer's question bank pages: search and filters, retiring, versions and their restore, sharing, copying
and moving questions between quizzes, and syncs that keep a trainer's edits to pack questions; through real HTTP."""

import re

from sqlalchemy import select

from lms.extensions import db
from tests import test_question_editor
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer, page_text, question_id
from tests.test_question_editor import CALM, errors_on, form_values, new_question, new_quiz_id, quiz_questions
from tests.test_quiz_attempts import attempt_row, basic_answers, enrol, one_module_lab, start

# A one-module course (quiz of BASIC_GIFT, questions "capital" and "sky") authored by the signed-in trainer.
lab = test_question_editor.lab


def titles_on(page: str) -> list[str]:
    """The question titles the bank page lists, in order."""
    return re.findall(r"<td[^>]*><strong>([^<]*)</strong>", page)


def post(client, url, page_url, **data):
    """Press a one-button form: post with a CSRF token read from `page_url`."""
    return client.post(url, data={"csrf_token": csrf_token_from(client.get(page_url).text), **data})


def answer_capital(app, make_user, login, lab):
    """A learner submits an attempt at the lab quiz, so its questions are answered (and their versions locked)."""
    learner = make_user()
    learner_client = login(learner, target=app.test_client())
    enrol(app, learner["id"], lab.id)
    attempt_id = start(learner_client, lab.quiz_id)
    data = basic_answers(learner_client, attempt_id, {"capital": "Paris", "sky": "False"})
    learner_client.post(f"/quizzes/attempts/{attempt_id}/submit", data=data)
    return learner_client, attempt_id


def test_the_bank_searches_text_and_filters_by_tag_type_quiz_and_use(app, client, trainer, lab):
    quiz_id = new_quiz_id(client)
    new_question(client, quiz_id, "single_choice", title="calm-reply", tags="voice/calls, empathy", **CALM)
    new_question(
        client,
        quiz_id,
        "true_false",
        stem="100% of BPO work is voice.",
        title="voice-myth",
        **{"answers-answer": "false"},
    )
    token = csrf_token_from(client.get(f"/author/quizzes/{quiz_id}").text)
    client.post(
        f"/author/quizzes/{quiz_id}/questions/{question_id(app, 'voice-myth')}/remove", data={"csrf_token": token}
    )

    def listed(**args):
        response = client.get("/author/bank", query_string=args)
        assert response.status_code == 200
        return titles_on(response.text)

    assert listed() == ["voice-myth", "calm-reply", "sky", "capital"]  # newest first
    assert listed(q="ANGRY caller") == ["calm-reply"]  # every word, in the text or the name, any case
    assert listed(q="100%") == ["voice-myth"]  # % is a character, not a wildcard
    assert listed(q="50%") == []
    assert listed(tag="voice") == ["calm-reply"]  # a tag takes the tags below it
    assert listed(tag="voice/calls") == ["calm-reply"]
    assert listed(tag="voic") == []  # but not a tag that merely starts the same
    assert listed(tag="lab/basics") == ["sky", "capital"]
    assert listed(type="true_false") == ["voice-myth", "sky"]
    assert listed(quiz=lab.quiz_id) == ["sky", "capital"]
    assert listed(unused="1") == ["voice-myth"]
    assert listed(type="no-such-type", quiz="abc", status="odd") == listed()  # unknown filters are ignored


def test_the_bank_pages_by_key_fifty_at_a_time(app, client, trainer, lab):
    from lms.db import begin_write, commit
    from quizzes.bank import AUTHORED, save_question
    from quizzes.models import Question

    with app.app_context():
        begin_write()
        for n in range(60):
            row = Question(uid=f"{AUTHORED}bulk{n}", course_id=lab.id, type="description", current_version=0)
            db.session.add(row)
            save_question(
                row,
                "description",
                f"bulk-{n:02d}",
                [],
                {"stem": "Read this.", "stem_format": "markdown", "general_feedback": "", "config": {}},
            )
        commit()
    first = client.get("/author/bank").text
    assert titles_on(first) == [f"bulk-{n:02d}" for n in range(59, 9, -1)]
    older = re.search(r'href="(/author/bank\?before=\d+)"', first).group(1)  # no filter rides along
    assert titles_on(client.get(older).text) == [f"bulk-{n:02d}" for n in range(9, -1, -1)] + ["sky", "capital"]


def test_retiring_keeps_an_answered_question_for_its_attempts_and_deletes_one_never_answered(
    app, client, trainer, lab, make_user, login
):
    from quizzes.models import Question

    learner_client, attempt_id = answer_capital(app, make_user, login, lab)
    review_before = page_text(learner_client.get(f"/quizzes/attempts/{attempt_id}/review"))
    quiz_id = new_quiz_id(client)
    new_question(client, quiz_id, "single_choice", title="calm-reply", **CALM)

    kept = post(client, f"/author/questions/{question_id(app, 'capital')}/retire", "/author/bank")
    assert "is retired" in page_text(client.get(kept.headers["Location"]))
    gone = post(client, f"/author/questions/{question_id(app, 'calm-reply')}/retire", "/author/bank")  # a trainer's
    assert "was never answered, so it was deleted" in page_text(client.get(gone.headers["Location"]))

    with app.app_context():
        titles = {q.title: q.active for q in db.session.scalars(select(Question))}
    assert titles == {"capital": False, "sky": True}
    assert quiz_questions(app, quiz_id) == []
    assert titles_on(client.get("/author/bank").text) == ["sky"]
    assert titles_on(client.get("/author/bank?status=retired").text) == ["capital"]
    # The learner's attempt still shows the retired question; a new attempt does not ask it.
    assert page_text(learner_client.get(f"/quizzes/attempts/{attempt_id}/review")) == review_before
    token = csrf_token_from(learner_client.get(f"/quizzes/{lab.quiz_id}").text)
    retry = learner_client.post(f"/quizzes/{lab.quiz_id}/start", data={"csrf_token": token})
    attempt_page = learner_client.get(retry.headers["Location"]).text
    assert "sky on a clear day" in attempt_page and "capital of France" not in attempt_page

    post(client, f"/author/questions/{question_id(app, 'capital')}/unretire", "/author/bank?status=retired")
    assert titles_on(client.get("/author/bank").text) == ["sky", "capital"]


def test_history_lists_versions_with_their_changes_and_restores_an_earlier_one(
    app, client, trainer, lab, make_user, login
):
    from quizzes.models import Question

    answer_capital(app, make_user, login, lab)
    capital = question_id(app, "capital")
    url = f"/author/questions/{capital}/edit"
    data = form_values(client.get(url).text)
    data["stem"] = "Which city is the seat of the French government?"
    assert client.post(url, data=data).status_code == 302
    data = form_values(client.get(url).text)  # opened again: a form from before that save is refused (a 409)
    data["general_feedback"] = "Paris has been the capital since 987."
    assert client.post(url, data=data).status_code == 302  # version 2 was never answered: edited in place

    history = client.get(f"/author/questions/{capital}/history")
    rows = [page_text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", history.text, re.S)[1:]]
    assert [row.split()[0] for row in rows] == ["2", "1"]
    assert "question text, general feedback" in rows[0] and "No" in rows[0]
    assert "first version" in rows[1] and "Yes" in rows[1]

    restored = post(client, f"/author/questions/{capital}/restore", f"/author/questions/{capital}/history", version="1")
    assert "Version 1 is current again, as version 2." in page_text(client.get(restored.headers["Location"]))
    with app.app_context():
        question = db.session.get(Question, capital)
        assert question.current.stem == "Which city is the capital of France?"
        assert [v.number for v in question.versions] == [1, 2]
    missing = post(client, f"/author/questions/{capital}/restore", "/author/bank", version="7")
    assert missing.status_code == 404


def test_a_trainer_taken_off_a_course_no_longer_reaches_the_quizzes_they_created_there(
    app, client, trainer, lab, make_user, login
):
    from quizzes.models import Question

    # The trainer's own quiz shares the course quiz's question "capital" from the bank.
    quiz_id = new_quiz_id(client)
    capital = question_id(app, "capital")
    added = post(
        client, f"/author/quizzes/{quiz_id}/questions/add", f"/author/bank?add_to={quiz_id}", question_id=capital
    )
    assert added.status_code == 302
    token = csrf_token_from(client.get(f"/author/quizzes/{quiz_id}").text)

    # An admin takes them off the course: the quiz they created there is the course's, and closed to them too
    # (its attempts name the course's learners; it holds the course's questions).
    admin_client = login(make_user("admin"), app.test_client())
    listing = admin_client.get(f"/courses/{lab.slug}/trainers").text
    removed = admin_client.post(
        f"/courses/{lab.slug}/trainers/{trainer['id']}/remove", data={"csrf_token": csrf_token_from(listing)}
    )
    assert removed.status_code == 302
    for url in ("", "/settings", "/attempts.csv", "/export.gift", "/statistics"):
        assert client.get(f"/author/quizzes/{quiz_id}{url}").status_code == 403, url
    assert f"/author/quizzes/{quiz_id}" not in client.get("/author/quizzes").text
    assert client.get(f"/author/questions/{capital}/edit").status_code == 403

    rewritten = "::capital::Which city is the capital of France? {=Lyon ~Paris ~Marseille}"
    for confirm in ("", "yes"):  # the preview, and an import confirmed without one
        refused = client.post(
            f"/author/quizzes/{quiz_id}", data={"csrf_token": token, "gift_text": rewritten, "confirm": confirm}
        )
        assert refused.status_code == 403
    published = client.post(f"/author/quizzes/{quiz_id}/publish", data={"csrf_token": token, "publish": "1"})
    assert published.status_code == 403
    with app.app_context():
        question = db.session.get(Question, capital)
        assert [v.number for v in question.versions] == [1]
        right = [c["text"] for c in question.current.config["choices"] if c["weight"] == 100]
        assert right == ["Paris"], "the course quiz's key is unchanged"

    # The course's trainers and admins still reach it.
    assert admin_client.get(f"/author/quizzes/{quiz_id}").status_code == 200


def test_a_practice_quiz_never_asks_what_a_quiz_that_counts_asks(app, client, trainer, make_user, login, tmp_path):
    """Practice shows right answers as the learner goes. A practice quiz holding a question of a counting quiz,
    or drawing from a bank that holds them, leaves those out, so the counting quiz's key is never shown for
    free; the trainer's page says which and why."""
    course = one_module_lab(app, tmp_path, review="retry_without_key")  # its quiz counts towards completion
    assign_trainer(app, trainer, course.id)
    held_id = new_quiz_id(client, title="Warm-up")  # practice
    capital = question_id(app, "capital")
    post(client, f"/author/quizzes/{held_id}/questions/add", f"/author/bank?add_to={held_id}", question_id=capital)
    written = new_question(client, held_id, "single_choice", title="calm-reply", **CALM)
    assert written.status_code == 302, errors_on(written.text)
    drawn_id = new_quiz_id(client, title="Random warm-up", draw_count="5")  # no questions: draws from the bank
    for quiz_id in (held_id, drawn_id):
        post(client, f"/author/quizzes/{quiz_id}/publish", f"/author/quizzes/{quiz_id}", publish="1")

    held_page = client.get(f"/author/quizzes/{held_id}").text
    items = dict(re.findall(r'<li id="item-(\d+)">(.*?)</li>', held_page, re.S))
    calm_reply = question_id(app, "calm-reply")
    withheld = "Not asked here: a quiz that counts towards completion asks it, and this one does not count"
    assert withheld in page_text_of(items[str(capital)]) and withheld not in page_text_of(items[str(calm_reply)])
    drawn_page = page_text(client.get(f"/author/quizzes/{drawn_id}"))
    assert "The draw leaves out 2 questions that a quiz counting towards completion may ask" in drawn_page

    learner = make_user()
    learner_client = login(learner, target=app.test_client())
    enrol(app, learner["id"], course.id)
    assert "1 question; pass mark" in page_text(learner_client.get(f"/quizzes/{held_id}"))  # what it asks, not holds
    for quiz_id in (held_id, drawn_id):
        attempt_id = start(learner_client, quiz_id)
        attempt, _answers = attempt_row(app, attempt_id)
        assert [slot["question_id"] for slot in attempt.slots] == [calm_reply]
        page = learner_client.get(f"/quizzes/attempts/{attempt_id}").text
        assert "Which reply calms an angry caller?" in page
        assert "capital of France" not in page and "sky on a clear day" not in page

    # The counting quiz itself still asks both of its questions.
    counted = attempt_row(app, start(learner_client, course.quiz_id))[0]
    assert len(counted.slots) == 2


def test_no_quiz_that_does_not_count_shows_a_counting_quizs_key(app, client, trainer, make_user, login, tmp_path):
    """Not only practice: an exam that does not count shows its key once passed, and a pass mark of 0 passes at
    once; an attempt started before its question counted checks and reviews without that key; a copy out of a
    counting quiz and a quiz with nothing else to ask are refused."""
    course = one_module_lab(app, tmp_path, review="retry_without_key")  # counts: holds "capital" and "sky"
    assign_trainer(app, trainer, course.id)
    capital = question_id(app, "capital")
    easy_id = new_quiz_id(client, title="Easy exam", review="exam", pass_mark="0")  # does not count
    post(client, f"/author/quizzes/{easy_id}/questions/add", f"/author/bank?add_to={easy_id}", question_id=capital)

    # A quiz of nothing but the counting quiz's questions is not published, with the reason.
    refused = post(client, f"/author/quizzes/{easy_id}/publish", f"/author/quizzes/{easy_id}", publish="1")
    assert "Every question of this quiz is asked by a quiz that counts towards completion" in page_text(
        client.get(refused.headers["Location"])
    )
    assert "Not published" in client.get(f"/author/quizzes/{easy_id}").text
    # Nor is a copy of one of them put into it.
    copied = post(
        client,
        f"/author/quizzes/{course.quiz_id}/questions/{capital}/copy-or-move",
        f"/author/quizzes/{course.quiz_id}",
        target=str(easy_id),
        action="copy",
    )
    assert copied.status_code == 409 and "a copy there would show its right answer" in page_text(copied)
    assert [title for title, *_ in quiz_questions(app, easy_id)] == ["capital"]

    written = new_question(client, easy_id, "single_choice", title="calm-reply", **CALM)
    assert written.status_code == 302, errors_on(written.text)
    post(client, f"/author/quizzes/{easy_id}/publish", f"/author/quizzes/{easy_id}", publish="1")

    learner = make_user()
    learner_client = login(learner, target=app.test_client())
    enrol(app, learner["id"], course.id)
    attempt_id = start(learner_client, easy_id)
    assert [slot["question_id"] for slot in attempt_row(app, attempt_id)[0].slots] == [question_id(app, "calm-reply")]

    # A practice attempt started while "calm-reply" counted nowhere; then the trainer adds it to the counting quiz.
    practice_id = new_quiz_id(client, title="Warm-up")
    post(
        client,
        f"/author/quizzes/{practice_id}/questions/add",
        f"/author/bank?add_to={practice_id}",
        question_id=question_id(app, "calm-reply"),
    )
    post(client, f"/author/quizzes/{practice_id}/publish", f"/author/quizzes/{practice_id}", publish="1")
    before = start(learner_client, practice_id)
    post(
        client,
        f"/author/quizzes/{course.quiz_id}/questions/add",
        f"/author/bank?add_to={course.quiz_id}",
        question_id=question_id(app, "calm-reply"),
    )
    token = csrf_token_from(learner_client.get(f"/quizzes/attempts/{before}").text)
    checked = learner_client.post(f"/quizzes/attempts/{before}/save", data={"csrf_token": token, "check": "0"})
    assert checked.status_code == 303 and checked.headers["Location"].endswith(f"/quizzes/attempts/{before}#question-1")
    back = learner_client.get(checked.headers["Location"])
    assert "its answer is not shown here" in page_text(back) and 'class="feedback' not in back.text
    submitted = learner_client.post(
        f"/quizzes/attempts/{before}/submit", data={"csrf_token": token}, follow_redirects=True
    )
    assert submitted.request.path == f"/quizzes/attempts/{before}/review"
    review = page_text(submitted)
    assert "0%" in review and "Right answer" not in review and "I understand" not in review


def test_an_export_of_a_counting_quiz_is_not_imported_into_a_quiz_that_does_not_count(app, client, trainer, tmp_path):
    """Its questions would come in as new ones, which the key guard does not know: the import names each and
    imports nothing. The same file imports into a quiz that counts, and a question written anew still imports."""
    from tests.test_quiz_authoring import import_gift, preview_gift

    course = one_module_lab(app, tmp_path, review="retry_without_key")  # counts: holds "capital" and "sky"
    assign_trainer(app, trainer, course.id)
    exported = client.get(f"/author/quizzes/{course.quiz_id}/export.gift").text
    practice_id = new_quiz_id(client, title="Warm-up", review="practice")

    # Renamed and retagged, a question still asks the same with the same key.
    renamed = exported.replace("::capital::", "::warm-up-capital::")
    for text in (exported, renamed):
        preview = preview_gift(client, practice_id, text)
        assert preview.status_code == 400
        problems = page_text(preview)
        assert "Nothing was imported" in problems
        assert "a quiz that counts towards completion asks this question (“capital”)" in problems
        assert "(“sky”)" in problems and "a copy here would show its right answer" in problems
    assert import_gift(client, practice_id, exported).status_code == 400
    assert quiz_questions(app, practice_id) == []

    counting_id = new_quiz_id(client, title="Second check", review="exam", counts_towards_completion="y")
    assert import_gift(client, counting_id, exported).status_code == 302
    assert len(quiz_questions(app, counting_id)) == 2

    rewritten = renamed.replace("capital of France", "capital of Spain").replace("Paris", "Madrid")
    assert "sky" in rewritten
    only_sky_left = preview_gift(client, practice_id, rewritten)
    assert "(“sky”)" in page_text(only_sky_left) and "(“capital”)" not in page_text(only_sky_left)
    sky_dropped = "\n\n".join(part for part in rewritten.split("\n\n") if "::sky::" not in part)
    assert import_gift(client, practice_id, sky_dropped).status_code == 302
    assert [title for title, *_ in quiz_questions(app, practice_id)] == ["warm-up-capital"]


def page_text_of(fragment: str) -> str:
    """The words of an HTML fragment."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_questions_are_added_from_the_bank_copied_and_moved_between_quizzes(app, client, trainer, lab):
    quiz_id = new_quiz_id(client)
    capital = question_id(app, "capital")

    # Shared from the bank: the same question, in both quizzes.
    bank_page = client.get(f"/author/bank?add_to={quiz_id}").text
    assert 'Add<span class="visually-hidden"> capital</span> to the quiz' in bank_page
    added = client.post(
        f"/author/quizzes/{quiz_id}/questions/add",
        data={"csrf_token": csrf_token_from(bank_page), "question_id": capital},
    )
    assert added.status_code == 302
    assert [q[0] for q in quiz_questions(app, quiz_id)] == ["capital"]
    again = client.post(
        f"/author/quizzes/{quiz_id}/questions/add",
        data={"csrf_token": csrf_token_from(bank_page), "question_id": capital},
    )
    assert again.status_code == 400 and "already holds this question" in again.text

    # Copied: a new, independent question; moved: gone from the first quiz.
    sky = question_id(app, "sky")
    page = client.get(f"/author/quizzes/{lab.quiz_id}").text
    copy_url = f"/author/quizzes/{lab.quiz_id}/questions/{sky}/copy-or-move"
    # No quiz is chosen until the trainer picks one: a Move pressed at once moved the question to the first listed.
    assert 'name="target" required>\n          <option value="">Choose a quiz</option>' in page
    unchosen = client.post(copy_url, data={"csrf_token": csrf_token_from(page), "target": "", "action": "move"})
    assert unchosen.status_code == 400 and "none was chosen, so nothing changed" in unchosen.text
    assert [q[0] for q in quiz_questions(app, lab.quiz_id)] == ["capital", "sky"]
    assert (
        client.post(
            copy_url, data={"csrf_token": csrf_token_from(page), "target": quiz_id, "action": "copy"}
        ).status_code
        == 302
    )
    copied = quiz_questions(app, quiz_id)
    assert [q[0] for q in copied] == ["capital", "sky"]
    with app.app_context():
        from quizzes.models import Quiz

        assert db.session.get(Quiz, quiz_id).items[1].question_id != sky
    move_url = f"/author/quizzes/{lab.quiz_id}/questions/{capital}/copy-or-move"
    refused = client.post(move_url, data={"csrf_token": csrf_token_from(page), "target": quiz_id, "action": "move"})
    assert refused.status_code == 400 and "already holds this question" in refused.text
    post(client, f"/author/quizzes/{quiz_id}/questions/{capital}/remove", f"/author/quizzes/{quiz_id}")
    moved = client.post(move_url, data={"csrf_token": csrf_token_from(page), "target": quiz_id, "action": "move"})
    assert moved.status_code == 302
    assert [q[0] for q in quiz_questions(app, lab.quiz_id)] == ["sky"]
    assert [q[0] for q in quiz_questions(app, quiz_id)] == ["sky", "capital"]


def test_a_sync_that_leaves_a_published_quiz_with_nothing_to_ask_says_so(app, client, trainer, lab):
    """A trainer's published quiz draws from the bank by a tag of the pack's questions; the pack moves them to
    another category, so the draw finds nothing: the sync's notes name the quiz, and its page says learners cannot
    start it."""
    from courses.services import SyncRun, check_pack, sync_pack

    warm_up = new_quiz_id(client, title="Warm-up", draw_count="1", draw_tags="lab/basics")
    post(client, f"/author/quizzes/{warm_up}/publish", f"/author/quizzes/{warm_up}", publish="1")
    assert "Learners cannot start this quiz now" not in page_text(client.get(f"/author/quizzes/{warm_up}"))

    gift = lab.pack / "quizzes" / "m1.gift"
    gift.write_text(gift.read_text("utf-8").replace("lab/basics", "lab/geography"), encoding="utf-8")
    with app.app_context():
        pack, problems = check_pack(lab.pack)
        assert problems == []
        run = SyncRun()
        sync_pack(pack, run)
    # ("courses sync" prints each note under the course it synced.) The pack's own quiz still asks its questions.
    assert run.notes == [
        "the published quiz “Warm-up” has nothing to ask now: learners cannot start it until a trainer gives it a "
        "question or unpublishes it"
    ]
    assert "Learners cannot start this quiz now" in page_text(client.get(f"/author/quizzes/{warm_up}"))


def test_a_sync_keeps_a_trainers_edit_to_a_pack_question_and_says_so_until_asked_to_replace_it(
    app, client, runner, trainer, lab
):
    """`courses sync` reports the local change and keeps it; `--replace-local` lists what it replaces and takes
    the pack's version. A retired pack question stays retired the same way."""
    from courses.services import SyncRun, check_pack, sync_pack

    capital = question_id(app, "capital")
    url = f"/author/questions/{capital}/edit"
    data = form_values(client.get(url).text)
    data["stem"] = "Which city hosts the French government?"
    assert client.post(url, data=data).status_code == 302, errors_on(client.post(url, data=data).text)
    post(client, f"/author/questions/{question_id(app, 'sky')}/retire", "/author/bank")

    def sync(replace_local=False):
        with app.app_context():
            pack, problems = check_pack(lab.pack)
            assert problems == []
            run = SyncRun(replace_local=replace_local)
            sync_pack(pack, run)
            return run.notes

    notes = sync()
    assert notes == [
        "kept the local change to “capital” in quiz m1 (courses sync --replace-local takes the pack's)",
        "kept the local change to “sky” in quiz m1 (courses sync --replace-local takes the pack's)",
    ]
    assert [(q[0], q[3]) for q in quiz_questions(app, lab.quiz_id)][0] == (
        "capital",
        "Which city hosts the French government?",
    )
    assert titles_on(client.get("/author/bank?status=retired").text) == ["sky"]

    replaced = sync(replace_local=True)
    assert replaced == [
        "replaced the local change to “capital” in quiz m1 with the pack's version",
        "replaced the local change to “sky” in quiz m1 with the pack's version",
    ]
    assert quiz_questions(app, lab.quiz_id)[0][3] == "Which city is the capital of France?"
    assert titles_on(client.get("/author/bank").text) == ["sky", "capital"]
    assert sync() == []  # nothing is changed locally any more
