"""A trainer imports GIFT in the browser: the preview says what each question would do, and saves nothing until
the trainer presses its Import button."""

import pathlib
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lms.extensions import db
from tests.browser.test_badge_journey import sign_in
from tests.helpers import assign_trainer
from tests.test_quiz_attempts import BASIC_GIFT, one_module_lab

NEW_QUESTION = "::Shift handover::A good handover names every open case. {T}\n"


def questions_in(app, quiz_id: int) -> int:
    """How many questions the quiz holds."""
    from quizzes.models import QuizQuestion

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id))


@pytest.fixture
def lab(page, live_server, app, make_user, tmp_path):
    """A one-quiz course, and its trainer signed in in the browser."""
    course = one_module_lab(app, tmp_path)
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    sign_in(page, live_server.url, trainer)
    return course


def test_a_trainer_previews_a_gift_import_then_confirms_it(page, live_server, app, axe, lab):
    page.set_viewport_size({"width": 390, "height": 640})  # a phone: the import sits below the quiz's questions
    page.goto(f"{live_server.url}/author/quizzes/{lab.quiz_id}")
    page.get_by_label("Or paste GIFT text").fill(BASIC_GIFT + "\n" + NEW_QUESTION)
    page.get_by_role("button", name="Preview the import").click()

    preview = page.get_by_role("region", name="Preview: 1 new, 2 already in the quiz")
    expect(preview).to_be_visible()
    # The page comes back at the import, not at its top, so the preview is in view without scrolling down to it.
    expect(page.get_by_role("heading", name="Import questions in GIFT format")).to_be_in_viewport()
    rows = preview.get_by_role("row").all_inner_texts()
    assert any("Shift handover" in row and row.rstrip().endswith("New") for row in rows), rows
    assert sum("Already in the quiz" in row for row in rows) == 2, rows
    assert questions_in(app, lab.quiz_id) == 2, "the preview saved nothing"
    axe(page, "GIFT import preview")

    preview.get_by_role("button", name="Import 1 question").click()
    expect(page.get_by_text("Imported 1 question into").first).to_be_in_viewport()  # the page's top, its message
    expect(page.get_by_role("listitem").filter(has_text="Shift handover")).to_have_count(1)
    assert questions_in(app, lab.quiz_id) == 3


def test_the_quiz_list_offers_the_bank_export_and_passes_axe(page, live_server, axe, lab):
    page.goto(f"{live_server.url}/author/quizzes")
    axe(page, "trainer's quiz list")
    page.get_by_label("Tag (leave empty for the whole bank)").fill("lab/basics")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as GIFT").click()
    assert download.value.suggested_filename == "lab-basics.gift"
    assert "::capital::" in pathlib.Path(download.value.path()).read_text(encoding="utf-8")


def test_an_admin_assigns_a_trainer_on_the_course_trainers_page(page, live_server, app, make_user, axe, tmp_path):
    lab = one_module_lab(app, tmp_path)
    trainer = make_user("trainer", name="Tess Trainer")
    sign_in(page, live_server.url, make_user("admin"))
    page.goto(f"{live_server.url}/courses/{lab.slug}")
    page.get_by_role("link", name="Trainers of this course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Trainers of "))
    axe(page, "course trainers page")
    page.get_by_label("Trainer's email").fill(trainer["email"])
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Tess Trainer now authors the quizzes of").first).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Tess Trainer")).to_have_count(1)
    axe(page, "course trainers page with a trainer")
