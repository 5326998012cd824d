"""Script-bearing text typed into every free-text field never runs, and never becomes markup, on any page."""

import re

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in
from tests.test_badges_issuing import (
    FIRST_MODULE,
    complete_lessons,
    enrol_learner,
    sync_course,
    take_quiz,
    wait_out_cooldown,
)

# Each payload carries a marker: an element, handler or script made from it would name the marker.
PAYLOADS = [
    "<script>window.XSS_1=1</script>",
    '<img src=x onerror="window.XSS_2=1">',
    '"><svg onload="window.XSS_3=1">',
    '<a href="javascript:window.XSS_4=1">XSS_4</a>',
    "{{ 7 * 7 }} XSS_5",
]
NAME = "Mal " + PAYLOADS[1]


def injected(page) -> list:
    """What the payloads managed to do on the page: globals set, elements or handlers created."""
    return page.evaluate(
        """() => {
            const found = [];
            for (let n = 1; n <= 5; n++) if (window['XSS_' + n]) found.push('ran XSS_' + n);
            for (const el of document.querySelectorAll('*')) {
                for (const attr of el.attributes) {
                    if (/^on/i.test(attr.name) || /^javascript:/i.test(attr.value)) found.push(el.outerHTML);
                }
            }
            for (const s of document.querySelectorAll('script')) {
                if (s.textContent.includes('XSS_')) found.push('script');
            }
            if (document.body.innerText.includes('49 XSS_5')) found.push('template evaluated');
            return found;
        }"""
    )


def test_script_bearing_text_in_every_field_stays_text(page, live_server, app, make_user, login, client):
    from badges.services import edit_badge, revoke
    from lms.extensions import db
    from lms.models import User
    from quizzes.gift import escape
    from quizzes.gift_import import import_gift
    from tests.test_badges_issuing import awards_of

    base = live_server.url
    course = sync_course(app)
    module = course.modules[FIRST_MODULE]
    learner = make_user(name=NAME)
    admin = make_user("admin", name="Admin " + PAYLOADS[2])
    enrol_learner(app, learner["id"], course)
    complete_lessons(app, learner["id"], module.lesson_ids)
    take_quiz(app, learner["id"], module.quiz_id)
    (award,) = awards_of(app, learner["id"])
    stem = " ".join(PAYLOADS)
    gift = (
        f"::Injected::[html]{escape(stem)} {{\n=Right {escape(PAYLOADS[1])}#{escape(PAYLOADS[0])}\n"
        f"~Wrong {escape(PAYLOADS[3])}\n####{escape(PAYLOADS[4])}\n}}"
    )
    with app.app_context():
        actor = db.session.get(User, admin["id"])
        edit_badge(actor, module.badge_id, "Description " + stem, "Criteria " + stem)
        result = import_gift(module.quiz_id, gift)
        imported, problems = result.added, result.problems
        assert problems == [] and imported == 1
        revoke(actor, award["public_id"], "Reason " + stem)

    pages = {
        "learner": ["/dashboard", "/badges/mine", f"/quizzes/{module.quiz_id}"],
        "admin": ["/admin/users", "/badges/admin/", f"/author/quizzes/{module.quiz_id}"],
        None: [f"/badges/verify/{award['public_id']}"],
    }
    users = {"learner": learner, "admin": admin}
    for who, paths in pages.items():
        context = page.context.browser.new_context()
        tab = context.new_page()
        if who is not None:
            sign_in(tab, base, users[who])
        for path in paths:
            tab.goto(base + path)
            assert injected(tab) == [], path
        context.close()

    # The learner's attempt shows the injected question, its choices and, after submitting, its feedback.
    context = page.context.browser.new_context()
    tab = context.new_page()
    sign_in(tab, base, learner)
    wait_out_cooldown(app, learner["id"], module.quiz_id)
    tab.goto(f"{base}/quizzes/{module.quiz_id}")
    tab.get_by_role("button", name="Try again").click()
    tab.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))  # the check reads the page it arrived at
    assert injected(tab) == [], "attempt page"
    tab.get_by_role("button", name="Submit answers").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("unanswered questions?")
    assert injected(tab) == [], "page asking before submitting unanswered questions"
    tab.get_by_role("button", name="Submit anyway").click()
    tab.wait_for_url(re.compile(r"/review$"))
    assert injected(tab) == [], "review page"
    assert "{{ 7 * 7 }} XSS_5" in tab.locator("main").inner_text()  # shown as typed, not evaluated
    context.close()
