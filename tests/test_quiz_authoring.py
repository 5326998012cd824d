"""Trainers' quiz pages: GIFT import (all or nothing, errors with their line) and export, through real HTTP."""

import html
import io
import pathlib
import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from quizzes.gift import parse_gift
from quizzes.types import BUILTIN_TYPES
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer, page_text
from tests.test_quiz_attempts import (
    BASIC_GIFT,
    EVERY_TYPE_GIFT,
    add_ordering,
    one_module_lab,
    sync,
    write_pack,
)

# The built-in question types, by name, as the app installs them (to read GIFT as the app does).
TYPES = {cls.name: cls() for cls in BUILTIN_TYPES}

BPO_PACK = pathlib.Path(__file__).resolve().parent.parent / "courses" / "bpo_operations"


@pytest.fixture
def lab(app, tmp_path, request):
    """A course whose one quiz holds the two BASIC_GIFT questions; the test's trainer, if it has one, is
    assigned to it."""
    course = one_module_lab(app, tmp_path)
    if "trainer" in request.fixturenames:
        assign_trainer(app, request.getfixturevalue("trainer"), course.id)
    return course


def without_lines(questions):
    """Parsed questions without the line they started on (an export starts them elsewhere)."""
    return [{key: value for key, value in q.items() if key != "line"} for q in questions]


def preview_gift(client, quiz_id, text=None, upload=None):
    """Post the import form of a quiz with pasted text or an uploaded file: the preview (or the problems)."""
    token = csrf_token_from(client.get(f"/author/quizzes/{quiz_id}").text)
    data = {"csrf_token": token, "gift_text": text or ""}
    if upload is not None:
        data["gift_file"] = (io.BytesIO(upload), "questions.gift")
    return client.post(f"/author/quizzes/{quiz_id}", data=data, content_type="multipart/form-data")


def import_gift(client, quiz_id, text=None, upload=None):
    """Import as a trainer does: preview the text or file, then press the preview's "Import" button.

    Returns the confirming post's response, or the preview when it found problems or nothing new.
    """
    preview = preview_gift(client, quiz_id, text, upload)
    page = preview.text
    carried = re.search(r'<textarea name="gift_text" hidden>\n(.*?)</textarea>', page, re.DOTALL)
    if preview.status_code != 200 or carried is None:
        return preview
    data = {"csrf_token": csrf_token_from(page), "gift_text": html.unescape(carried.group(1)), "confirm": "yes"}
    return client.post(f"/author/quizzes/{quiz_id}", data=data, content_type="multipart/form-data")


def bank_size(app, quiz_id):
    """(questions in the bank, questions in this quiz)."""
    from quizzes.models import Question, QuizQuestion

    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Question)),
            db.session.scalar(select(func.count()).select_from(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id)),
        )


def export(client, quiz_id):
    """The quiz's GIFT export, checked to be a download."""
    response = client.get(f"/author/quizzes/{quiz_id}/export.gift")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Content-Disposition"].startswith("attachment;")
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------- import


BAD_SYNTAX = """// Two good questions, then a broken one: nothing may be imported.
::fine one::Is the sky blue? {T}

::fine two::Pick one. {=Yes ~No}

::broken::Its answer block never closes {
=Yes
"""


@pytest.mark.parametrize(
    "text, line, message",
    [
        (BAD_SYNTAX, 6, "the answer block '{' is never closed"),
        ("::ok::Fine? {T}\n\n\n::weights::Pick. {\n=Yes\n~%150%No\n}\n", 6, "bad answer weight '%150%'"),
        ("::ok::Fine? {T}\n\n::stray::A stray } brace {=a ~b}\n", 3, "'}' has no matching '{'"),
        (
            "::ok::Fine? {T}\n\n::thirds::Tick two. {\n~%33%A\n~%67%B\n~C\n}\n",
            3,
            "Choice 1 has the weight 33%, which Moodle does not accept",
        ),
        ("::ok::Fine? {T}\n\n::typed::Name it. {=%45%cat =dog}\n", 3, "Answer 1 has the weight 45%"),
    ],
)
def test_bad_gift_is_a_400_with_its_line_and_nothing_is_imported(app, client, trainer, lab, text, line, message):
    before = bank_size(app, lab.quiz_id)
    response = import_gift(client, lab.quiz_id, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"line {line}: {message}" in page.replace("&#39;", "'"), page
    assert "Nothing was imported" in page
    assert bank_size(app, lab.quiz_id) == before
    # The trainer's text is still in the box, ready to fix.
    assert "::ok::Fine?" in page or "::fine one::" in page


def test_every_faulty_question_of_a_file_is_named_at_once(app, client, trainer, lab):
    """A file of several faulty questions named only the first, so a trainer mended one, imported again, and met the
    next; each question is read on its own, and the preview names every one that cannot be read."""
    text = (
        "::ok::Fine? {T}\n\n"
        "::big::How many? {#1e400}\n\n"
        "::word::How many? {#abc}\n\n"
        "::fine too::Sure? {F}\n\n"
        "::range::How many? {#5..1}\n"
    )
    before = bank_size(app, lab.quiz_id)
    response = import_gift(client, lab.quiz_id, text)
    assert response.status_code == 400
    shown = page_text(response)
    problems = re.findall(r"line (\d+):", shown)
    assert problems[:3] == ["3", "5", "9"], shown
    assert bank_size(app, lab.quiz_id) == before


def test_weights_moodle_accepts_import_even_when_they_do_not_add_up_to_100(app, client, trainer, lab):
    """Moodle's importer takes any of its listed grades, whatever their sum: so does this one, and the best answer
    then scores what the weights allow."""
    text = (
        "::ninety::Tick the right ones. {\n~%50%A\n~%40%B\n~%-100%C\n}\n\n"
        "::thirds::Tick three. {\n~%33.33333%A\n~%33.33333%B\n~%33.33333%C\n~%-83.33333%D\n}\n"
    )
    response = import_gift(client, lab.quiz_id, text)
    assert response.status_code == 302, response.text
    exported = export(client, lab.quiz_id)
    assert "~%40%B" in exported and "~%-83.33333%D" in exported


def test_an_empty_or_undecodable_import_is_a_clear_400(app, client, trainer, lab):
    before = bank_size(app, lab.quiz_id)
    empty = import_gift(client, lab.quiz_id, "// only a comment\n")
    assert empty.status_code == 400 and "The GIFT text holds no questions." in empty.text
    binary = import_gift(client, lab.quiz_id, upload=b"::t::Q {T}\xff\xfe\n")
    assert binary.status_code == 400 and "The GIFT file must be UTF-8 text, and line 1 is not" in binary.text
    # A file saved as Latin-1: named with its line on the import form itself, not on an error page.
    latin = import_gift(
        client, lab.quiz_id, upload="::ok::Fine? {T}\n::cafe::Caf\u00e9? {=oui ~non}\n".encode("latin-1")
    )
    assert latin.status_code == 400
    assert "The GIFT file must be UTF-8 text, and line 2 is not: save it again as UTF-8" in page_text(latin)
    assert "Nothing was imported. Fix the problems listed below" in page_text(latin)
    assert 'name="gift_file"' in latin.text
    assert bank_size(app, lab.quiz_id) == before


def test_an_import_a_column_cannot_hold_is_a_400_with_its_line_not_a_server_error(app, client, trainer, lab):
    """A title longer than the bank's 200 characters, and a NUL byte in an uploaded file (PostgreSQL stores
    neither; the text box's own were already refused), are named with their line, as are more tags than the
    question editor holds; nothing is imported."""
    before = bank_size(app, lab.quiz_id)
    long_title = import_gift(client, lab.quiz_id, "::ok::Fine? {T}\n\n::" + "T" * 201 + "::Pick one. {=a ~b}\n")
    assert long_title.status_code == 400
    assert "line 3: Keep the question&#39;s title under 200 characters." in long_title.text
    many_tags = "// " + " ".join(f"[tag:t{n}]" for n in range(21)) + "\n::tagged::Pick one. {=a ~b}\n"
    tagged = import_gift(client, lab.quiz_id, "::ok::Fine? {T}\n\n" + many_tags)
    assert tagged.status_code == 400 and "line 4: Use at most 20 tags." in tagged.text
    nul = import_gift(client, lab.quiz_id, upload=b"::ok::Fine? {T}\n\n::nul::Pick\x00 one. {=a ~b}\n")
    assert nul.status_code == 400
    assert "The GIFT file has a control character (such as a NUL byte) on line 3; remove it first." in nul.text
    assert bank_size(app, lab.quiz_id) == before


def test_good_gift_imports_every_question_pasted_or_uploaded(app, client, trainer, lab):
    response = import_gift(client, lab.quiz_id, EVERY_TYPE_GIFT)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Imported 7 questions into" in page
    for title, label in (
        ("sc", "Single choice"),
        ("mr", "Multiple response"),
        ("tf", "True/false"),
        ("sa", "Short answer"),
        ("num", "Numerical"),
        ("match", "Matching"),
        ("desc", "Description"),
    ):
        assert f"<strong>{title}</strong> — {label}, version 1" in page
    assert bank_size(app, lab.quiz_id) == (9, 9)

    # The quiz already holds the two BASIC_GIFT questions (from its pack): uploading them adds nothing.
    uploaded = import_gift(client, lab.quiz_id, upload=("\ufeff" + BASIC_GIFT).encode("utf-8"))
    assert uploaded.status_code == 200
    assert "Preview: 0 new, 2 already in the quiz" in uploaded.text and "nothing to import" in uploaded.text
    assert bank_size(app, lab.quiz_id) == (9, 9)


def test_importing_the_same_gift_twice_adds_nothing_and_a_sync_keeps_what_a_trainer_imported(
    app, client, trainer, lab, tmp_path
):
    from quizzes.models import Question, QuizQuestion

    def quiz_titles():
        with app.app_context():
            return db.session.scalars(
                select(Question.title)
                .join(QuizQuestion, QuizQuestion.question_id == Question.id)
                .where(QuizQuestion.quiz_id == lab.quiz_id)
                .order_by(QuizQuestion.position)
            ).all()

    pack_titles = quiz_titles()
    assert import_gift(client, lab.quiz_id, EVERY_TYPE_GIFT).status_code == 302
    imported = quiz_titles()
    assert imported[:2] == pack_titles and len(imported) == 9

    again = import_gift(client, lab.quiz_id, EVERY_TYPE_GIFT)
    assert again.status_code == 200 and "Preview: 0 new, 7 already in the quiz" in again.text
    assert bank_size(app, lab.quiz_id) == (9, 9)

    sync(app, tmp_path / "pack")  # as `courses sync` does on every `make run`
    assert quiz_titles() == imported, "the pack's questions first, then the trainer's, none lost"
    assert bank_size(app, lab.quiz_id) == (9, 9)
    with app.app_context():
        from lms.models import AuditEntry

        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        logged = [(e.actor_id, e.action, e.target, e.detail) for e in entries if e.action == "quiz.import"]
    target = f"quiz:{lab.quiz_id}"
    assert logged == [
        (trainer["id"], "quiz.import", target, {"added": 7, "changed": 0, "unchanged": 0}),
    ], "a preview saves nothing and logs nothing"


def test_reimporting_an_edited_file_updates_the_changed_question_and_says_so(app, client, trainer, lab):
    """A question with the title and type of one of the quiz's, but new content, is a change: the preview says
    so, and the import updates that question (no copy); a pack question so changed is kept by the next sync."""
    from quizzes.models import Question

    edited = BASIC_GIFT.replace("Which city is the capital of France?", "Which city is the French capital?")
    preview = preview_gift(client, lab.quiz_id, edited)
    assert "Preview: 0 new, 1 changed, 1 already in the quiz" in preview.text
    assert "Changed: updates the quiz&#39;s question" in preview.text
    assert "Update 1 question" in preview.text
    response = import_gift(client, lab.quiz_id, edited)
    assert response.status_code == 302
    assert "Updated 1 question that had changed." in client.get(response.headers["Location"]).text
    assert bank_size(app, lab.quiz_id) == (2, 2)
    with app.app_context():
        capital = db.session.scalar(select(Question).where(Question.title == "capital"))
        assert (capital.current.stem, capital.locally_changed) == ("Which city is the French capital?", True)


def test_a_random_draw_quiz_exports_the_pool_it_draws_from(app, client, trainer):
    from courses.services import check_pack, sync_pack
    from quizzes.bank import matches_tags
    from quizzes.models import Question, Quiz

    with app.app_context():
        pack, problems = check_pack(BPO_PACK)
        assert problems == [], problems
        sync_pack(pack)
    assign_trainer(app, trainer)
    with app.app_context():
        final = db.session.scalar(select(Quiz).where(Quiz.module_id.is_(None)))
        tagged = db.session.scalars(select(Question.title).where(Question.course_id == final.course_id)).all()
        pool = [title for title in tagged if title]
        final_id, draw_tags = final.id, final.draw_tags
    exported = parse_gift(export(client, final_id), TYPES)
    assert len(exported) >= 20, "the final assessment draws 20 questions from its pool"
    assert {q["title"] for q in exported} <= set(pool)
    assert all(matches_tags(q["tags"], draw_tags) for q in exported), "every one carries a tag the quiz draws"


# ---------------------------------------------------------------------------------------------- export


def test_export_then_import_gives_back_the_same_questions(app, client, trainer, tmp_path):
    course = sync(
        app,
        write_pack(
            tmp_path / "pack",
            [
                {"slug": "m1", "lessons": ["m1-read"], "gift": BASIC_GIFT},
                {"slug": "m2", "lessons": ["m2-read"], "gift": "::seed::Seed question? {T}\n"},
            ],
        ),
    )
    assign_trainer(app, trainer, course.id)
    first, second = course.quizzes["m1"], course.quizzes["m2"]
    assert import_gift(client, first, EVERY_TYPE_GIFT).status_code == 302
    add_ordering(app, first)  # GIFT cannot hold it: the export leaves it out

    exported = export(client, first)
    originals = parse_gift(BASIC_GIFT, TYPES) + parse_gift(EVERY_TYPE_GIFT, TYPES)
    assert without_lines(parse_gift(exported, TYPES)) == without_lines(originals)
    assert "Put the morning in order" not in exported

    # Importing the export into another quiz gives that quiz the very same questions.
    assert import_gift(client, second, exported).status_code == 302
    again = parse_gift(export(client, second), TYPES)
    assert without_lines(again) == without_lines(parse_gift("::seed::Seed question? {T}\n", TYPES) + originals)


def test_every_bpo_quiz_exports_exactly_its_pack_file(app, client, trainer, runner):
    from quizzes.models import Quiz

    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output
    assign_trainer(app, trainer)
    with app.app_context():
        quizzes = [(q.id, q.slug) for q in db.session.scalars(select(Quiz).where(Quiz.module_id.is_not(None)))]
    gift_quizzes = [(quiz_id, slug) for quiz_id, slug in quizzes if (BPO_PACK / "quizzes" / f"{slug}.gift").exists()]
    assert len(gift_quizzes) == 10  # each module's quiz; the typing test is a YAML file (GIFT cannot hold it)
    for quiz_id, slug in gift_quizzes:
        original = parse_gift((BPO_PACK / "quizzes" / f"{slug}.gift").read_text(encoding="utf-8"), TYPES)
        assert without_lines(parse_gift(export(client, quiz_id), TYPES)) == without_lines(original), slug


def test_the_trainer_quiz_list_shows_every_quiz(app, client, trainer, lab):
    page = client.get("/author/quizzes")
    assert page.status_code == 200
    assert f'href="/author/quizzes/{lab.quiz_id}"' in page.text and "Quiz lab" in page.text
    assert "Quizzes" in client.get("/dashboard").text


def test_a_question_too_big_for_a_learners_page_is_refused_with_its_line(app, client, trainer, lab):
    """One imported 2,000-pair matching question used to make the attempt page time out."""
    pairs = "\n".join(f"=Prompt {n} -> Answer {n}" for n in range(2000))
    gift = f"::huge::Match them all {{\n{pairs}\n}}\n\n::long::{'word ' * 5000}{{T}}"
    before = bank_size(app, lab.quiz_id)
    response = import_gift(client, lab.quiz_id, gift)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "line 1: Use at most 50 pairs; this question has 2000." in page
    assert "line 2004: Keep the question text under 20000 characters." in page
    assert bank_size(app, lab.quiz_id) == before


def test_the_shell_exports_a_quiz_and_imports_it_into_another_once(app, runner, lab, tmp_path):
    gift = tmp_path / "m1.gift"
    exported = runner.invoke(args=["quizzes", "export", "--quiz", "m1", "--output", str(gift)])
    assert exported.exit_code == 0, exported.output
    assert [q["title"] for q in parse_gift(gift.read_text(encoding="utf-8"), TYPES)] == [
        q["title"] for q in parse_gift(BASIC_GIFT, TYPES)
    ]
    own = "::other one::Is water wet? {T}\n"
    other = sync(
        app, write_pack(tmp_path / "other", [{"slug": "m1", "lessons": ["m1-read"], "gift": own}], slug="other")
    )

    ambiguous = runner.invoke(args=["quizzes", "import", str(gift), "--quiz", "m1"])
    assert ambiguous.exit_code != 0 and "name one with --course" in ambiguous.output
    first = runner.invoke(args=["quizzes", "import", str(gift), "--quiz", "m1", "--course", "other"])
    assert first.exit_code == 0 and "2 questions added, 0 changed, 0 already in the quiz" in first.output
    second = runner.invoke(args=["quizzes", "import", str(gift), "--quiz", "m1", "--course", "other"])
    assert second.exit_code == 0 and "0 questions added, 0 changed, 2 already in the quiz" in second.output
    assert bank_size(app, other.quizzes["m1"])[1] == 3

    broken = tmp_path / "broken.gift"
    broken.write_text("::t::Is it? {T\n", encoding="utf-8")
    refused = runner.invoke(args=["quizzes", "import", str(broken), "--quiz", "m1", "--course", "other"])
    assert refused.exit_code != 0 and "nothing was imported" in refused.output
    assert bank_size(app, other.quizzes["m1"])[1] == 3


def test_the_import_preview_says_what_each_question_would_do_and_saves_nothing(app, client, trainer, lab):
    text = "// The same two questions, exported earlier\n\n" + BASIC_GIFT + "\n::Brand new::Is this new? {T}\n"
    preview = preview_gift(client, lab.quiz_id, text)
    assert preview.status_code == 200
    assert "Preview: 1 new, 2 already in the quiz" in preview.text and "Nothing has been saved yet." in preview.text
    rows = re.findall(r"<tr><td>(\d+)</td><td[^>]*>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td></tr>", preview.text)
    assert [(title, note) for _line, title, note in rows][-1] == ("Brand new", "New")
    assert all(note.startswith("Already in the quiz") for _line, _title, note in rows[:-1])
    assert int(rows[-1][0]) > int(rows[0][0]), "each row names the line its question starts on"
    assert bank_size(app, lab.quiz_id) == (2, 2), "a preview saves nothing"

    confirmed = import_gift(client, lab.quiz_id, text)
    assert confirmed.status_code == 302
    assert bank_size(app, lab.quiz_id) == (3, 3)


def test_a_question_repeated_in_the_text_is_added_once_and_said_to_be_repeated(app, client, trainer, lab):
    """Into an empty quiz nothing is "already in the quiz": a repeat names the question above it instead."""
    from tests.test_question_editor import new_quiz_id

    quiz_id = new_quiz_id(client)
    text = "::Twice::Is it? {T}\n\n::Once::Is this new? {F}\n\n::Twice::Is it? {T}\n"
    preview = preview_gift(client, quiz_id, text)
    assert "Preview: 2 new, 0 already in the quiz, 1 repeated in the text" in preview.text
    rows = re.findall(r"<tr><td>(\d+)</td><td[^>]*>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td></tr>", preview.text)
    assert [note for _line, _title, note in rows] == [
        "New",
        "New",
        "The same as a question above it in this text: added once",
    ]
    confirmed = import_gift(client, quiz_id, text)
    assert confirmed.status_code == 302
    flashed = page_text(client.get(confirmed.headers["Location"]))
    assert (
        "Imported 2 questions" in flashed
        and "1 repeated a question above them in the file and were added once" in flashed
    )
    assert bank_size(app, quiz_id)[1] == 2


def test_a_trainer_exports_the_whole_bank_or_one_tag_in_the_browser_and_the_shell(app, client, trainer, lab, runner):
    assert import_gift(client, lab.quiz_id, EVERY_TYPE_GIFT).status_code == 302
    everything = client.get("/author/bank.gift")
    assert everything.status_code == 200
    assert everything.headers["Content-Disposition"] == 'attachment; filename="question-bank.gift"'
    assert everything.headers["Content-Type"] == "text/plain; charset=utf-8"  # the charset named once
    titles = {q["title"] for q in parse_gift(everything.text, TYPES)}
    assert {"capital", "sky", "sc", "mr", "match"} <= titles

    tagged = client.get("/author/bank.gift", query_string={"tag": "lab/basics"})
    assert tagged.headers["Content-Disposition"] == 'attachment; filename="lab-basics.gift"'
    assert {q["title"] for q in parse_gift(tagged.text, TYPES)} == {"capital", "sky"}
    above = client.get("/author/bank.gift", query_string={"tag": "lab"})  # takes lab/basics and lab/every-type
    assert {q["title"] for q in parse_gift(above.text, TYPES)} == titles
    assert client.get("/author/bank.gift", query_string={"tag": "no-such-tag"}).text == ""

    shell = runner.invoke(args=["quizzes", "export", "--tag", "lab/basics"])
    assert shell.exit_code == 0 and {q["title"] for q in parse_gift(shell.output, TYPES)} == {"capital", "sky"}
    whole = runner.invoke(args=["quizzes", "export", "--bank"])
    assert whole.exit_code == 0 and {q["title"] for q in parse_gift(whole.output, TYPES)} == titles
    for wrong in ([], ["--bank", "--tag", "lab"]):
        refused = runner.invoke(args=["quizzes", "export", *wrong])
        assert refused.exit_code != 0 and "Name one of --quiz SLUG, --tag TAG or --bank" in refused.output


def test_the_quiz_summary_speaks_plainly(app, client, trainer, lab):
    """The trainer's summary of a quiz names its review policy in words, not as its code ("retry without key")."""
    shown = page_text(client.get(f"/author/quizzes/{lab.quiz_id}"))
    assert "review: retry, answers shown once passed" in shown and "without key" not in shown


def test_the_import_preview_tells_untitled_questions_apart_by_their_text(app, client, trainer, lab):
    """Moodle's own examples leave most questions untitled: the preview listed a column of "Untitled"."""
    text = "Which city hosts the <b>French</b> parliament? {=Paris ~Lyon}\n\nIs the **sky** green? {F}\n"
    rows = page_text(preview_gift(client, lab.quiz_id, text))
    assert "Untitled: “Which city hosts the French parliament?”" in rows
    assert "Untitled: “Is the sky green?”" in rows
