"""Every page a learner, trainer or admin opens fits a phone and a desktop screen (nothing wider than the window,
even with a very long name) and passes axe-core's WCAG 2.1 A/AA checks. Set LMS_SCREENSHOTS to a folder to keep a
screenshot of each page at each width, to look at."""

import io
import os
import pathlib
import re

from playwright.sync_api import expect
from sqlalchemy import select

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests.browser.test_badge_journey import sign_in

LONG_NAME = "Maria Concepcion Villanueva-Santiago de los Reyes y Bautista-Fernandez"
WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 800}}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What sticks out, to say which element to fix when a page is too wide.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + (e.innerText || '').slice(0, 40))"""


# Whether every table that scrolls in a box fits it (no column pushed out of view).
TABLES_FIT = "[...document.querySelectorAll('.table-wrap')].every(box => box.scrollWidth <= box.clientWidth + 1)"


def edge_whiteness(locator) -> tuple[bool, bool]:
    """Whether the element's left and right edges are drawn white: most of their pixels, top to bottom, are pure
    white (a shadow tints every one)."""
    from PIL import Image

    shot = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    width, height = shot.size

    def white(x: int) -> bool:
        return sum(shot.getpixel((x, y)) == (255, 255, 255) for y in range(height)) > height / 2

    return white(1), white(width - 2)


def look_at(page, axe, url: str, label: str) -> None:
    """Open the page at each width: nothing overflows sideways, and axe finds no violation."""
    shots = os.environ.get("LMS_SCREENSHOTS")
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{label}: {response and response.status}"
        assert page.evaluate(OVERFLOW) <= 0, f"{label} is wider than a {width} screen: {page.evaluate(WIDEST)}"
        if shots:
            name = re.sub(r"[^a-z0-9]+", "-", label.lower())
            page.screenshot(path=str(pathlib.Path(shots) / f"{name}-{width}.png"), full_page=True)
    axe(page, label)


def test_every_kind_of_page_fits_a_phone_and_a_desktop_and_passes_axe(page, live_server, app, axe, make_user):
    from quizzes.models import Quiz

    course = issuing.sync_course(app)
    learner = issuing.earn_first_badge(app, make_user, course, name=LONG_NAME)
    module = next(iter(course.modules.values()))
    with app.app_context():
        quiz_id = db.session.scalar(select(Quiz.id).where(Quiz.id == module.quiz_id))
    base = live_server.url
    # Nothing a page asks for is missing: no file, script or icon answers 404 (every page asked for /favicon.ico).
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)

    sign_in(page, base, learner)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Villanueva")
    learner_pages = {
        "dashboard": "/dashboard",
        "course page": f"/courses/{course.slug}",
        "module page": f"/courses/{course.slug}/{module.slug}",
        "lesson page": f"/courses/{course.slug}/{module.slug}/{module.lesson_slugs[0]}",
        "quiz page": f"/quizzes/{quiz_id}",
        "my badges": "/badges/mine",
        "profile": "/profile",
        "own record": f"/learners/{learner['id']}/record",
        "badge verification": f"/badges/verify/{learner['award']['public_id']}",
    }
    for label, path in learner_pages.items():
        look_at(page, axe, base + path, label)
    page.goto(f"{base}/quizzes/{list(course.modules.values())[1].quiz_id}")  # the first is passed, cooling down
    page.get_by_role("button", name=re.compile("Start|Resume")).click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    look_at(page, axe, page.url, "attempt page")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, make_user("admin", name="Ada Admin"))
    admin_pages = {
        "admin users": "/admin/users",
        "admin settings": "/admin/settings",
        "cohorts": "/admin/cohorts",
        "course dashboard": f"/reports/courses/{course.slug}",
        "learner table": f"/reports/courses/{course.slug}/learners",
        "badge admin": "/badges/admin/",
        "revoke confirmation": f"/badges/admin/awards/{learner['award']['public_id']}/revoke",
        "learner record (admin)": f"/learners/{learner['id']}/record",
        "trainer quiz list": "/author/quizzes",
        "question bank": "/author/bank",
        "trainer quiz page": f"/author/quizzes/{quiz_id}",
        "question statistics": f"/author/quizzes/{quiz_id}/statistics",
        "audit log": "/admin/audit",
    }
    for label, path in admin_pages.items():
        look_at(page, axe, base + path, label)
    assert missing == [], missing

    # On a phone a question's option table fits its box, so its caption is read whole (it was cut at both edges).
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(f"{base}/author/quizzes/{quiz_id}/statistics")
    assert page.evaluate(TABLES_FIT), "an option table of the statistics is wider than its box on a phone"

    # On a phone the admin's user list is a card per person: nothing scrolls sideways, and each person's email
    # and actions are within the screen's width, the email under its name.
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(f"{base}/admin/users")
    assert page.locator(".table-wrap").evaluate("box => box.scrollWidth <= box.clientWidth")
    row = page.get_by_role("row").filter(has_text=learner["email"])
    action = row.get_by_role("button", name=re.compile("Send reset link"))
    action.scroll_into_view_if_needed()
    expect(action).to_be_in_viewport(ratio=1)
    # The style sheet draws each cell's heading before it, and a screen reader reads it as the cell's name.
    email = row.get_by_role("cell", name=f"Email: {learner['email']}").bounding_box()
    assert email is not None and email["x"] + email["width"] <= WIDTHS["phone"]["width"], email

    # The learner table's filters look alike: its date fields are drawn like its text field, not the browser's way.
    page.goto(f"{base}/reports/courses/{course.slug}/learners")
    name_field = page.get_by_label("Name or email").bounding_box()
    date_field = page.get_by_label("Enrolled from").bounding_box()
    assert name_field is not None and date_field is not None
    assert abs(name_field["height"] - date_field["height"]) <= 3, (name_field, date_field)  # unstyled: 24 px apart

    # It is wider than a phone: a shadow at the edge it scrolls towards says there is more, none at an edge reached.
    table_box = page.locator(".table-wrap").first
    assert table_box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert edge_whiteness(table_box) == (True, False)  # at the start: white on the left, shaded on the right
    table_box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert edge_whiteness(table_box) == (False, True)

    # A trainer reads what the list beside each question's "Copy" and "Move" is: its label is shown, not hidden.
    page.goto(f"{base}/author/quizzes/{quiz_id}")
    label = page.locator("label", has_text="To quiz").first.bounding_box()
    assert label is not None and label["width"] > 20, label

    # The question bank's rows keep their cells in line: the actions cell ends where the row's other cells end.
    page.goto(f"{base}/author/bank")
    cells = page.locator("tbody tr").first.locator("td")
    first, last = cells.first.bounding_box(), cells.last.bounding_box()
    assert first is not None and last is not None
    assert abs((first["y"] + first["height"]) - (last["y"] + last["height"])) <= 1, (first, last)


def test_every_lesson_of_the_course_fits_a_phone(page, live_server, app, axe, make_user):
    """The lessons hold tables, self-checks and tasks: none of them may make a phone scroll sideways, and axe finds
    nothing on any of them (a table's empty corner heading, two regions of one name)."""
    course = issuing.sync_course(app)
    learner = make_user()
    issuing.enrol_learner(app, learner["id"], course)
    sign_in(page, live_server.url, learner)
    page.set_viewport_size(WIDTHS["phone"])
    for module in course.modules.values():
        for lesson in module.lesson_slugs:
            page.goto(f"{live_server.url}/courses/{course.slug}/{module.slug}/{lesson}")
            expect(page.locator(".selfcheck").first).to_be_visible()  # enrolled: the whole lesson is shown
            assert page.evaluate(OVERFLOW) <= 0, f"{lesson} is wider than a phone: {page.evaluate(WIDEST)}"
            axe(page, lesson, best_practice=True)


def test_the_header_links_and_the_sign_out_button_share_one_line(page, live_server, make_user):
    """On a desktop the site header's links and its sign-out button (a form's button) sit on the same line."""
    sign_in(page, live_server.url, make_user())
    page.set_viewport_size(WIDTHS["desktop"])
    header = page.get_by_role("navigation", name="Main")
    link = header.get_by_role("link", name="Dashboard").bounding_box()
    button = header.get_by_role("button", name="Sign out").bounding_box()
    assert link is not None and button is not None
    assert abs(middle(link) - middle(button)) <= 1, (link, button)


def middle(box: dict) -> float:
    """The vertical middle of an element's bounding box."""
    return box["y"] + box["height"] / 2


def test_a_very_long_word_in_a_question_never_widens_its_pages(page, live_server, app, axe, make_user, tmp_path):
    """A trainer may paste a reference number or a URL-like word of hundreds of characters: the attempt page and the
    question's preview still fit a phone."""
    from tests.helpers import assign_trainer
    from tests.test_quiz_attempts import enrol, one_module_lab

    word = "REF-" + "7A3F9C" * 50
    gift = f"::long::Copy {word} into the ticket. {{=Done ~{word}}}\n\n::{word[:150]}::Is it filed? {{T}}\n"
    course = one_module_lab(app, tmp_path, gift=gift)
    learner = make_user()
    enrol(app, learner["id"], course.id)
    sign_in(page, live_server.url, learner)
    page.goto(f"{live_server.url}/quizzes/{course.quiz_id}")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    look_at(page, axe, page.url, "attempt with a long word")
    page.get_by_role("button", name="Sign out").click()

    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    sign_in(page, live_server.url, trainer)
    with app.app_context():
        from quizzes.models import Question

        question_id = db.session.scalar(select(Question.id).where(Question.title == "long"))
    look_at(page, axe, f"{live_server.url}/author/questions/{question_id}/preview", "preview with a long word")
    # The trainer's quiz page and the bank list a question named by 150 unbroken characters.
    look_at(page, axe, f"{live_server.url}/author/quizzes/{course.quiz_id}", "quiz with a long question name")
    look_at(page, axe, f"{live_server.url}/author/bank", "bank with a long question name")
    assert page.evaluate(TABLES_FIT), "a table of the bank is wider than its box"


def test_a_cohort_with_a_very_long_name_never_widens_its_readiness_page(page, live_server, app, axe, make_user):
    """Admins name cohorts freely: a name of 200 characters with a long unbroken run wraps on the cohort's
    readiness page (its heading, its button and its table's caption)."""
    from lms.cohorts import create_cohort

    course = issuing.sync_course(app)
    name = "Manila night shift " + "CEBU-TECHSUPPORT-Q3-" * 3 + " intake, " + "x" * 118
    with app.app_context():
        cohort_id = create_cohort(None, name[:200]).id
    sign_in(page, live_server.url, make_user("admin"))
    look_at(
        page, axe, f"{live_server.url}/quizzes/readiness/{course.slug}/cohort?cohort={cohort_id}", "cohort readiness"
    )
    # The list of cohorts: the long name wraps in its cell, and the other columns stay in view.
    look_at(page, axe, f"{live_server.url}/admin/cohorts", "cohort list")
    page.set_viewport_size(WIDTHS["desktop"])
    assert page.evaluate(TABLES_FIT), "the cohort table is wider than its box"
