"""The public verification page names the earner by the name they chose, or by none when they hid it; it shows what
the badge took (for the course badge: the modules and the final assessment's score) and says plainly when and why
a badge was revoked."""

from sqlalchemy import select

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests.conftest import csrf_token_from
from tests.helpers import page_text


def choose_name(client, shown_name: str, hidden: bool = False):
    """Send the "Your name on public badge pages" form of "My badges"; the response."""
    token = csrf_token_from(client.get("/badges/mine").get_data(as_text=True).split('id="public-name-heading"')[1])
    data = {"csrf_token": token, "shown_name": shown_name}
    if hidden:
        data["hidden"] = "y"
    return client.post("/badges/mine/name", data=data)


def verify_text(client, public_id: str) -> str:
    """The public verification page's text, read by a visitor who is not signed in."""
    response = client.get(f"/badges/verify/{public_id}")
    assert response.status_code == 200
    return page_text(response)


def test_the_verification_page_names_the_earner_as_they_choose(app, client, make_user, login):
    course = issuing.sync_course(app)
    earned = issuing.earn_first_badge(app, make_user, course, name="Maria Santos")
    public_id = earned["award"]["public_id"]
    visitor = app.test_client()

    assert "Earned by Maria Santos" in verify_text(visitor, public_id)
    assert "Issued by" in verify_text(visitor, public_id) and "to Maria Santos" in verify_text(visitor, public_id)

    login(earned)
    saved = choose_name(client, "Maria L. Santos-Reyes")
    assert saved.status_code == 302
    mine = page_text(client.get("/badges/mine"))
    assert "your public badge pages name you as Maria L. Santos-Reyes" in mine
    assert "Earned by Maria L. Santos-Reyes" in verify_text(visitor, public_id)

    assert choose_name(client, "Maria L. Santos-Reyes", hidden=True).status_code == 302
    shown = verify_text(visitor, public_id)
    assert "Valid badge" in shown and "The earner chose not to show their name on this page." in shown
    assert "Maria" not in shown and "Santos" not in shown

    # An empty name means the display name again.
    assert choose_name(client, "").status_code == 302
    assert "Earned by Maria Santos" in verify_text(visitor, public_id)


def test_a_bad_name_is_refused_and_the_saved_one_kept(app, client, make_user, login):
    from badges.models import EarnerName

    course = issuing.sync_course(app)
    earned = issuing.earn_first_badge(app, make_user, course, name="Ana Cruz")
    login(earned)
    assert choose_name(client, "Ana C.").status_code == 302
    refused = choose_name(client, "A" * 81)
    assert refused.status_code == 400 and "Keep the name under 80 characters." in page_text(refused)
    hidden_characters = choose_name(client, "\u202eAna Cruz\u200b")  # reversed on screen, with an invisible tail
    assert hidden_characters.status_code == 400 and "no invisible or control characters" in page_text(hidden_characters)
    no_token = client.post("/badges/mine/name", data={"shown_name": "Someone else"})
    assert no_token.status_code == 400
    with app.app_context():
        (choice,) = db.session.scalars(select(EarnerName)).all()
        assert (choice.user_id, choice.shown_name, choice.hidden) == (earned["id"], "Ana C.", False)


def test_the_course_badge_page_shows_the_modules_and_the_final_score(app, client, make_user):
    course = issuing.sync_course(app)
    learner = make_user(name="Rafael Lim")
    issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_course(app, learner["id"], course)
    (award,) = [a for a in issuing.awards_of(app, learner["id"]) if a["badge_id"] == course.badge_id]
    assert award["evidence"]["modules"] == len(course.modules) and award["evidence"]["final_score"] == 100
    shown = verify_text(client, award["public_id"])
    assert f"{len(course.modules)} modules completed; final assessment passed with 100%." in shown
    assert "passed the final assessment" in shown  # the criteria
    assert "Earned by Rafael Lim" in shown


def test_a_revoked_badge_says_when_and_why(app, client, make_user):
    from badges.services import revoke

    course = issuing.sync_course(app)
    earned = issuing.earn_first_badge(app, make_user, course)
    admin = make_user("admin")
    with app.app_context():
        from lms.models import User

        revoke(db.session.get(User, admin["id"]), earned["award"]["public_id"], "Issued by mistake", public=True)
    shown = verify_text(client, earned["award"]["public_id"])
    assert "This badge has been revoked and is no longer valid (revoked on" in shown
    assert "Reason: Issued by mistake" in shown and "Valid badge" not in shown
    # The revocation list leads anyone to this page: it no longer names the earner, nor their evidence.
    assert "Earned by" not in shown and "Evidence" not in shown
    with app.app_context():
        from lms.models import User

        assert db.session.get(User, earned["id"]).display_name not in shown
