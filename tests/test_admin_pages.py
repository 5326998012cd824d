"""The admin's and trainer's list pages as their users work them: searching users, paging through users and
awards, the public revocation list, the trainer's attempt counts, and redoing badges whose listener failed."""

import html
import re

from sqlalchemy import select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import assign_trainer
from tests.test_badges_issuing import (
    FIRST_MODULE,
    awards_of,
    complete_module,
    earn_first_badge,
    enrol_learner,
    sync_course,
    take_quiz,
)
from tests.test_course_pack import PACK


def emails_on(page: str) -> list[str]:
    """The user emails listed in the users table, in order."""
    return re.findall(r"<td[^>]*>([^<>\s]+@[^<>\s]+)</td>", page)


def pager_link(page: str, label: str) -> str | None:
    """The href of the pager's link with this label, if the page has one."""
    found = re.search(r'<a href="([^"]+)">' + label + "</a>", page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_user_search_matches_the_start_of_any_word_and_needs_every_word(client, make_user, login):
    login(make_user("admin"))
    maria = make_user(email="maria.santos@acme-bpo.example", name="Maria Santos")
    juan = make_user(email="jsantos@callhub.example", name="Juan Santos")
    ana = make_user(email="ana@acme-bpo.example", name="Ana de la Cruz")

    def found(query: str) -> set[str]:
        response = client.get("/admin/users", query_string={"q": query})
        assert response.status_code == 200
        return {html.unescape(email) for email in emails_on(response.get_data(as_text=True))}

    assert found("santos") == {maria["email"], juan["email"]}
    assert found("SAN") == {maria["email"], juan["email"]}, "case does not matter"
    assert found("san mar") == {maria["email"]}, "every word must match"
    assert found("acme") == {maria["email"], ana["email"]}, "the email's domain is a word"
    assert found("jsantos@callhub.example") == {juan["email"]}
    assert found("cruz") == {ana["email"]}
    assert found("acme-bpo") == {maria["email"], ana["email"]}
    # Names and emails with hyphens and apostrophes are found as they are written, or by any of their parts.
    zoe = make_user(email="zoe.obrien@acme-bpo.example", name="Zoë O'Brien-Ñúñez")
    pat = make_user(email="pat.o'neill-reyes@callhub.example", name="Pat")
    for query in ("O'Brien", "o’brien", "Brien-Ñúñez", "Zoë O'Brien-Ñúñez", "ñúñez", "zoe.obrien"):
        assert found(query) == {zoe["email"]}, query
    for query in ("O'Neill", "neill-reyes", "reyes", "pat.o'neill-reyes@callhub.example"):
        assert found(query) == {pat["email"]}, query
    assert found("antos") == set(), "a word's start, not any part of it"
    assert found("%") == set() and found("_") == set(), "no wildcards"
    # A word ending in U+D7FF, the last character before the surrogates, which no database stores: its range
    # ends at U+E000 (it was a 500).
    assert found("\ud7ff") == set() and found("mar\ud7ff") == set()
    # Her name and her email both start with "maria": she is listed once.
    listed = emails_on(client.get("/admin/users", query_string={"q": "maria"}).get_data(as_text=True))
    assert listed == [maria["email"]]
    page = client.get("/admin/users", query_string={"q": "nobody"}).get_data(as_text=True)
    assert "No user has a name or email with a word starting" in page


def test_admin_pages_through_every_user_forwards_and_back(app, client, make_user, login):
    from bench import seed

    login(make_user("admin"))
    with app.app_context():
        seed.add_users(app, 0, 120, "not a password hash")
        db.session.commit()
    seen, pages, url = [], [], "/admin/users"
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(emails_on(page))
        seen += pages[-1]
        url = pager_link(page, "Next")
    assert len(pages) == 3 and [len(p) for p in pages] == [50, 50, 21]
    assert len(seen) == len(set(seen)) == 121, "every user once"
    assert pager_link(page, "Previous"), "the last page links back"
    back = client.get(pager_link(page, "Previous")).get_data(as_text=True)
    assert emails_on(back) == pages[1]
    first = client.get(pager_link(back, "Previous")).get_data(as_text=True)
    assert emails_on(first) == pages[0] and pager_link(first, "Previous") is None


def test_revocation_list_is_answered_not_modified_until_a_badge_is_revoked(app, client, make_user, login):
    from badges.services import revoke

    course = sync_course(app)
    holder = earn_first_badge(app, make_user, course)
    first = client.get("/badges/revocations")
    assert first.status_code == 200 and first.json["revokedAssertions"] == []
    etag = first.headers["ETag"]
    unchanged = client.get("/badges/revocations", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""

    admin = make_user("admin")
    with app.app_context():
        from lms.models import User

        revoke(db.session.get(User, admin["id"]), holder["award"]["public_id"], "Issued in error", public=True)
    changed = client.get("/badges/revocations", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    (entry,) = changed.json["revokedAssertions"]
    assert entry["id"].endswith(holder["award"]["public_id"]) and entry["revocationReason"] == "Issued in error"


def test_badge_admin_lists_awards_newest_first_a_page_at_a_time(app, client, make_user, login):
    from badges.models import Award
    from bench import seed

    course = sync_course(app)
    with app.app_context():
        learners = seed.add_users(app, 0, 60, "not a password hash")
        seed.add_awards(learners, course.modules[FIRST_MODULE].badge_id, revoked=0)
        db.session.commit()
        newest_first = db.session.scalars(select(Award.public_id).order_by(Award.id.desc())).all()
    login(make_user("admin"))
    page = client.get("/badges/admin/").get_data(as_text=True)
    listed = re.findall(r"/badges/verify/([A-Za-z0-9_-]+)", page)
    assert listed == newest_first[:50]
    older = client.get(pager_link(page, "Older awards")).get_data(as_text=True)
    assert re.findall(r"/badges/verify/([A-Za-z0-9_-]+)", older) == newest_first[50:]
    assert pager_link(older, "Older awards") is None and pager_link(older, "Newest awards")


def test_badge_text_left_blank_comes_back_with_the_reason_and_what_was_typed(app, client, make_user, login):
    from badges.models import BadgeClass

    course = sync_course(app)
    badge_id = course.modules[FIRST_MODULE].badge_id
    login(make_user("admin"))
    token = csrf_token_from(client.get("/badges/admin/").get_data(as_text=True))
    criteria = "Pass the module quiz & read <every> lesson."
    refused = client.post(
        f"/badges/admin/{badge_id}", data={"csrf_token": token, "description": "   ", "criteria": criteria}
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The badge&#39;s text was not saved: see the reason beside it." in page
    assert f'id="description-{badge_id}-error">Write what the badge says its holder can do.</p>' in page
    assert f'aria-describedby="description-{badge_id}-error"' in page
    assert "Pass the module quiz &amp; read &lt;every&gt; lesson.</textarea>" in page  # kept, escaped
    with app.app_context():
        assert db.session.get(BadgeClass, badge_id).criteria != criteria

    saved = client.post(
        f"/badges/admin/{badge_id}",
        data={"csrf_token": token, "description": "Handles a caller's first contact.", "criteria": criteria},
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(BadgeClass, badge_id).criteria == criteria


def test_trainers_quiz_list_counts_attempts_as_they_start(app, client, make_user, login):
    course = sync_course(app)
    module = course.modules[FIRST_MODULE]
    for _ in range(2):
        learner = make_user()
        enrol_learner(app, learner["id"], course)
        take_quiz(app, learner["id"], module.quiz_id, correct=False)
    take_quiz(app, learner["id"], module.quiz_id, correct=False)
    trainer = make_user("trainer")
    assign_trainer(app, trainer, course.id)
    login(trainer)
    page = client.get("/author/quizzes").get_data(as_text=True)
    cells = r"</a></td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>\s*<td>(\d+)</td>"
    row = re.search(rf'href="/author/quizzes/{module.quiz_id}">[^<]*' + cells, page)
    assert row is not None, page
    pool = (PACK / "quizzes" / "what-is-bpo.gift").read_text(encoding="utf-8").count("\n::")
    assert row.group(1) == f"10 of {pool}" and row.group(2) == "3", "10 drawn of the pool, 3 attempts"


def test_issue_missing_badges_redoes_failed_deliveries_and_keeps_what_still_fails(
    app, client, make_user, login, monkeypatch
):
    from badges import services
    from lms.models import AuditEntry, FailedDelivery

    course = sync_course(app)
    learner = make_user()
    enrol_learner(app, learner["id"], course)

    def badge_service_down(*args, **kwargs):
        raise RuntimeError("badge service down")

    monkeypatch.setattr(services, "issue", badge_service_down)
    complete_module(app, learner["id"], course)
    with app.app_context():
        kept = db.session.execute(select(FailedDelivery.listener, FailedDelivery.name)).all()
    assert kept == [("badges", "module.completed")], "the failed delivery is kept for the badge listener only"

    login(make_user("admin"))
    token = csrf_token_from(client.get("/badges/admin/").get_data(as_text=True))
    still_down = client.post("/badges/admin/reissue", data={"csrf_token": token}, follow_redirects=True)
    assert "1 still fail" in still_down.get_data(as_text=True)
    assert awards_of(app, learner["id"]) == []

    monkeypatch.undo()
    repaired = client.post("/badges/admin/reissue", data={"csrf_token": token}, follow_redirects=True)
    assert "Issued the badges of 1 completion that had failed." in repaired.get_data(as_text=True)
    (award,) = awards_of(app, learner["id"])
    assert award["badge_id"] == course.modules[FIRST_MODULE].badge_id
    with app.app_context():
        assert db.session.scalars(select(FailedDelivery.id)).all() == []
        assert [entry.detail for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
            {"delivered": 0, "failing": 1},
            {"delivered": 1, "failing": 0},
        ]


def test_a_page_key_beyond_any_id_is_an_empty_page_not_an_error(client, make_user, login):
    # PostgreSQL's ids are 32-bit: a larger key in the query string must not reach it as a number it refuses.
    login(make_user("admin"))
    for url in ("/admin/users?after=4294967295", "/admin/users?before=9223372036854775807"):
        response = client.get(url)
        assert response.status_code == 200, url
