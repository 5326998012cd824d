"""Admins invite people (who choose their own password from the mailed link), send reset links, and deactivate
and reactivate accounts; a deactivated user cannot sign in and stays in the reports."""

import re

from sqlalchemy import select

from lms.extensions import db
from tests import test_badges_issuing as issuing
from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_password_reset import NEW_PASSWORD, choose_password, signs_in


def admin_form(client) -> str:
    """The CSRF token of the admin's user page."""
    return csrf_token_from(client.get("/admin/users").get_data(as_text=True))


def invite(client, email: str, name: str, role: str):
    """Fill in "Invite someone" and send it; the page it leads to."""
    data = {"csrf_token": admin_form(client), "email": email, "display_name": name, "role": role}
    return client.post("/admin/users/new", data=data, follow_redirects=True)


def test_an_admin_invites_a_trainer_who_chooses_their_own_password(app, client, make_user, login, mailbox):
    login(make_user("admin", name="Ada Admin"))
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Invite someone" in page and 'type="password"' not in page  # no admin ever types a user's password
    done = invite(client, "tomas.trainer@example.com", "Tomas Trainer", "trainer")
    assert "Invited tomas.trainer@example.com as trainer" in page_text(done)
    # The form was sent to the invite section at the page's foot; the message is at its top, and the page opens there.
    assert done.history[0].headers["Location"].endswith("/admin/users#main")

    (message,) = mailbox
    assert message["To"] == "tomas.trainer@example.com" and "invited" in message["Subject"]
    assert "Ada Admin has opened" in message.get_content() and "as a trainer" in message.get_content()
    path = re.search(r"http://localhost(/welcome/\S+)", message.get_content()).group(1)

    invitee = app.test_client()
    form = invitee.get(path)
    assert form.status_code == 200 and "Choose your password" in page_text(form)
    set_it = invitee.post(
        path,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token_from(form.text)},
    )
    assert set_it.status_code == 302 and set_it.headers["Location"].endswith("/dashboard")
    assert "Welcome, Tomas Trainer" in page_text(invitee.get("/dashboard"))
    with app.app_context():
        from lms.models import User

        role = db.session.scalar(select(User.role).where(User.email == "tomas.trainer@example.com"))
        assert role == "trainer"
    assert app.test_client().get(path).status_code == 400  # used once
    assert signs_in(app, "tomas.trainer@example.com", NEW_PASSWORD)


def test_a_refused_invitation_keeps_what_was_typed_and_says_what_is_wrong_beside_each_field(
    app, client, make_user, login, mailbox
):
    taken = make_user("learner")
    login(make_user("admin"))
    response = invite(client, "not-an-email", "  ", "trainer")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and 'id="display_name-error"' in page
    assert 'value="not-an-email"' in page and '<option selected value="trainer">' in page
    assert 'aria-invalid="true"' in page and "Please correct the highlighted fields." in page

    response = invite(client, taken["email"], "Lea Lim", "learner")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert re.search(r'id="email-error">An account with this email already exists', page)
    assert 'value="Lea Lim"' in page
    assert len(mailbox) == 0  # nobody was mailed
    with app.app_context():
        from lms.models import User

        assert db.session.scalar(select(User.id).where(User.display_name == "Lea Lim")) is None


def test_an_invitation_link_is_not_a_reset_link(app, client, make_user, login, mailbox):
    login(make_user("admin"))
    invite(client, "rina@example.com", "Rina Cruz", "learner")
    token = re.search(r"/welcome/(\S+)", mailbox[0].get_content()).group(1)
    assert client.get(f"/reset-password/{token}").status_code == 400


def test_an_admin_sends_a_reset_link(app, client, make_user, login, mailbox):
    learner = make_user(name="Noel Reyes")
    login(make_user("admin"))
    sent = client.post(
        f"/admin/users/{learner['id']}/reset", data={"csrf_token": admin_form(client)}, follow_redirects=True
    )
    assert f"Sent {learner['email']} a link" in page_text(sent)
    (message,) = mailbox
    path = re.search(r"http://localhost(/reset-password/\S+)", message.get_content()).group(1)
    assert choose_password(app.test_client(), path).status_code == 302
    assert signs_in(app, learner["email"], NEW_PASSWORD)


def test_a_deactivated_user_cannot_sign_in_and_stays_in_the_reports(app, client, make_user, login):
    from lms.models import User

    course = issuing.sync_course(app)
    learner = make_user(name="Gina Deactivated")
    issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_module(app, learner["id"], course)
    elsewhere = login(learner, target=app.test_client())
    admin = make_user("admin")
    login(admin)

    off = client.post(
        f"/admin/users/{learner['id']}/active",
        data={"csrf_token": admin_form(client), "active": "0"},
        follow_redirects=True,
    )
    assert "is deactivated" in page_text(off) and "Deactivated" in page_text(client.get("/admin/users"))
    assert not signs_in(app, learner["email"], learner["password"])
    assert elsewhere.get("/dashboard").status_code == 302  # their open session ended
    table = page_text(client.get(f"/reports/courses/{course.slug}/learners"))
    assert "Gina Deactivated" in table  # the records stay
    assert "Gina Deactivated" in page_text(client.get(f"/learners/{learner['id']}/record"))

    on = client.post(
        f"/admin/users/{learner['id']}/active",
        data={"csrf_token": admin_form(client), "active": "1"},
        follow_redirects=True,
    )
    assert "is active again" in page_text(on)
    assert signs_in(app, learner["email"], learner["password"])

    # An admin cannot lock themself out, nor leave the site without an active admin; the refusal keeps the
    # search the admin had made.
    self_off = client.post(
        f"/admin/users/{admin['id']}/active?q=gina",
        data={"csrf_token": admin_form(client), "active": "0"},
        follow_redirects=True,
    )
    assert self_off.request.full_path == "/admin/users?q=gina"
    assert "You cannot deactivate your own account." in page_text(self_off)
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.id == admin["id"])) is True
