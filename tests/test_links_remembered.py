"""Links and navigation are built once per process and reused: what each person sees must not change."""

import re

from flask import url_for

from lms import flask_app


def nav_labels(response) -> list[str]:
    """The labels of the main navigation's links, in order."""
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', response.get_data(as_text=True), re.S)
    assert nav, "page has no main navigation"
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))


def test_each_role_sees_its_own_navigation_in_one_process(app, make_user, login):
    """The navigation is kept per role: a learner after an admin sees no admin link, a visitor no profile."""
    visitor, learner, admin = app.test_client(), app.test_client(), app.test_client()
    login(make_user("admin"), target=admin)
    login(make_user(), target=learner)

    assert "Users" in nav_labels(admin.get("/dashboard"))
    assert nav_labels(learner.get("/dashboard")) == ["Dashboard", "Courses", "My badges", "Profile"]
    assert nav_labels(visitor.get("/login")) == ["Sign in", "Sign up"]
    assert "Users" in nav_labels(admin.get("/courses/"))
    assert "Users" not in nav_labels(learner.get("/courses/"))


def test_the_current_page_is_marked_in_the_navigation_of_each_page(app, make_user, login):
    """The remembered links still say which page is open."""
    client = login(make_user(), target=app.test_client())
    for path, label in (("/dashboard", "Dashboard"), ("/courses/", "Courses"), ("/profile", "Profile")):
        body = client.get(path).get_data(as_text=True)
        assert re.search(rf'aria-current="page">{label}</a>', body), path
        assert body.count('aria-current="page"') == 1


def test_a_remembered_link_keeps_its_values_and_mount_point(app):
    """The same rule with other values, another mount point, or True where 1 was, is a link of its own."""
    with app.test_request_context("/"):
        assert url_for("courses.course", course_slug="one") == "/courses/one"
        assert url_for("courses.course", course_slug="two") == "/courses/two"
        assert url_for("courses.catalog", page=1) == "/courses/?page=1"
        assert url_for("courses.catalog", page=True) == "/courses/?page=True"
        assert url_for("courses.catalog", tag=["a", "b"]) == "/courses/?tag=a&tag=b"
        assert url_for("courses.course", course_slug="one", _anchor="modules") == "/courses/one#modules"
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/training"}):
        assert url_for("courses.course", course_slug="one") == "/training/courses/one"
    with app.test_request_context("/", base_url="http://lms.example"):
        assert url_for("courses.course", course_slug="one", _external=True) == "http://lms.example/courses/one"


def test_the_memo_of_links_stays_bounded(app, monkeypatch):
    """Past its limit the memo starts again, so a process that links to many pages holds a bounded number."""
    monkeypatch.setattr(flask_app, "URL_MEMO_LIMIT", 5)
    with app.test_request_context("/"):
        links = [url_for("courses.course", course_slug=f"course-{n}") for n in range(12)]
    assert links[11] == "/courses/course-11"
    assert 0 < len(app.url_memo) <= 5


def test_a_remembered_fragment_escapes_what_it_shows_and_keys_on_all_of_it(app):
    """Trainer- or pack-written text in a remembered fragment is escaped; changing any value renders anew."""
    from courses.progress import StepLink
    from lms.fragments import remembered

    card = {
        "course_slug": "c",
        "slug": "m",
        "title": "<script>alert(1)</script>",
        "icon": "book-open",
        "enrolled": True,
        "complete": False,
        "done": 0,
        "total": 1,
        "steps": (StepLink("quizzes.quiz", (("quiz_id", 1),), "Quiz & more", False),),
    }
    with app.test_request_context("/"):
        first = remembered("courses/_module_card.html", **card)
        done = remembered(
            "courses/_module_card.html",
            **{**card, "steps": (StepLink("quizzes.quiz", (("quiz_id", 1),), "Quiz & more", True),)},
        )
    assert "<script>" not in first and "&lt;script&gt;alert(1)&lt;/script&gt;" in first
    assert '<a href="/quizzes/1">Quiz &amp; more</a>' in first and "To do" in first
    assert "Done" in done and "To do" not in done
