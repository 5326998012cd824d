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


def names_listed(response) -> list[str]:
    """The names in the user list's table, in its order."""
    return re.findall(r'<td class="typed"><a href="/learners/\d+/record">([^<]+)</a>', response.get_data(as_text=True))


def test_an_invitation_waits_on_the_list_until_its_password_is_chosen_and_can_be_sent_again(
    app, client, make_user, login, mailbox
):
    login(make_user("admin", name="Ada Admin"))
    invite(client, "paz@example.com", "Paz Ortega", "learner")
    invited = client.get("/admin/users?status=invited")
    assert names_listed(invited) == ["Paz Ortega"]
    assert "no password chosen yet" in page_text(invited) and "Send reset link" not in page_text(invited)
    with app.app_context():
        from lms.models import User

        paz = db.session.scalar(select(User).where(User.email == "paz@example.com"))
        paz_id, first_sent = paz.id, paz.invited_at

    again = client.post(
        f"/admin/users/{paz_id}/invitation?status=invited",
        data={"csrf_token": admin_form(client)},
        follow_redirects=True,
    )
    assert "Sent paz@example.com their invitation again" in page_text(again)
    assert again.request.full_path == "/admin/users?status=invited"  # the list as the admin left it
    first, second = mailbox
    assert "Ada Admin has opened" in second.get_content() and second["To"] == "paz@example.com"
    with app.app_context():
        assert db.session.get(User, paz_id).invited_at > first_sent

    # The second mail's link opens the account; then the invitation is no longer pending.
    path = re.search(r"http://localhost(/welcome/\S+)", second.get_content()).group(1)
    assert choose_password(app.test_client(), path).status_code == 302
    assert names_listed(client.get("/admin/users?status=invited")) == []
    assert "Paz Ortega" in names_listed(client.get("/admin/users?status=active"))
    refused = client.post(
        f"/admin/users/{paz_id}/invitation", data={"csrf_token": admin_form(client)}, follow_redirects=True
    )
    assert "paz@example.com has chosen a password already" in page_text(refused)
    assert len(mailbox) == 2  # nothing more was mailed
    assert client.post("/admin/users/99999/invitation", data={"csrf_token": admin_form(client)}).status_code == 404


def test_a_forgotten_password_reset_also_ends_a_pending_invitation(app, client, make_user, login, mailbox):
    login(make_user("admin"))
    invite(client, "ivo@example.com", "Ivo Santos", "trainer")
    ivo = app.test_client()
    ivo.post(
        "/forgot-password",
        data={"email": "ivo@example.com", "csrf_token": csrf_token_from(ivo.get("/forgot-password").text)},
    )
    reset_path = re.search(r"http://localhost(/reset-password/\S+)", mailbox[-1].get_content()).group(1)
    assert choose_password(app.test_client(), reset_path).status_code == 302
    assert names_listed(client.get("/admin/users?status=invited")) == []


def test_the_user_list_is_in_name_order_and_narrows_by_role_and_status_across_pages_and_actions(
    app, client, make_user, login, monkeypatch
):
    from lms.admin import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    make_user("trainer", name="Tess Trainer")
    make_user("trainer", name="Abe Trainer")
    make_user("trainer", name="Mia Trainer")
    make_user("learner", name="Bo Learner")
    gone = make_user("trainer", name="Cy Trainer")
    admin = make_user("admin", name="Zed Admin")
    login(admin)
    client.post(f"/admin/users/{gone['id']}/active", data={"csrf_token": admin_form(client), "active": "0"})

    everyone = client.get("/admin/users")
    assert names_listed(everyone) == ["Abe Trainer", "Bo Learner"]  # by name, not by when they joined
    first = client.get("/admin/users?role=trainer")
    assert names_listed(first) == ["Abe Trainer", "Cy Trainer"]
    following = re.search(r'href="([^"]+)">Next', first.get_data(as_text=True)).group(1).replace("&amp;", "&")
    second = client.get(following)
    assert names_listed(second) == ["Mia Trainer", "Tess Trainer"]
    back = re.search(r'href="([^"]+)">Previous', second.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert names_listed(client.get(back)) == ["Abe Trainer", "Cy Trainer"]
    assert "role=trainer" in following and "role=trainer" in back

    assert names_listed(client.get("/admin/users?role=trainer&status=deactivated")) == ["Cy Trainer"]
    active = client.get("/admin/users?role=trainer&status=active")
    assert names_listed(active) == ["Abe Trainer", "Mia Trainer"]
    assert '<option value="trainer" selected>' in active.text and '<option value="active" selected>' in active.text
    nobody = page_text(client.get("/admin/users?role=admin&status=deactivated"))
    assert "No user has the role Admin and the status “Deactivated”." in nobody
    # An unknown role or status is no filter (a hand-edited address), not an error.
    assert names_listed(client.get("/admin/users?role=owner&status=gone")) == ["Abe Trainer", "Bo Learner"]

    # An action taken on the narrowed list comes back to it.
    on = client.post(
        f"/admin/users/{gone['id']}/active?role=trainer&status=deactivated",
        data={"csrf_token": admin_form(client), "active": "1"},
        follow_redirects=True,
    )
    assert on.request.full_path == "/admin/users?role=trainer&status=deactivated"
    assert "is active again" in page_text(on) and names_listed(on) == []
    # And to the page it was taken on.
    second_page = following.replace("/admin/users?", f"/admin/users/{gone['id']}/active?")
    off = client.post(second_page, data={"csrf_token": admin_form(client), "active": "0"}, follow_redirects=True)
    assert sorted(off.request.full_path.split("?")[1].split("&")) == sorted(following.split("?")[1].split("&"))
    assert names_listed(off) == ["Mia Trainer", "Tess Trainer"]
