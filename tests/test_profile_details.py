"""A learner changes their display name, and their email address once the new address confirms by its link."""

import re

import pytest

from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_password_reset import signs_in


def profile_token(client) -> str:
    """A CSRF token from the profile page."""
    return csrf_token_from(client.get("/profile").get_data(as_text=True))


def test_a_learner_changes_their_name(app, client, make_user, login):
    learner = make_user(name="Ana Reyes")
    login(learner)
    saved = client.post(
        "/profile/name",
        data={"display_name": "Ana Reyes-Cruz", "csrf_token": profile_token(client)},
        follow_redirects=True,
    )
    assert "Saved: your name is now Ana Reyes-Cruz." in page_text(saved)
    assert "Welcome, Ana Reyes-Cruz" in page_text(client.get("/dashboard"))
    bad = client.post("/profile/name", data={"display_name": "Ana\u202eseyeR", "csrf_token": profile_token(client)})
    assert bad.status_code == 400 and "invisible or control characters" in page_text(bad)
    # The admin's search finds the new name.
    admin = login(make_user("admin"), target=app.test_client())
    assert learner["email"] in page_text(admin.get("/admin/users?q=cruz"))


@pytest.mark.parametrize(
    "name",
    [
        "محمد\u200cرضا",  # Persian: the zero-width non-joiner keeps two parts of one name apart
        "നന്\u200d",  # Malayalam: a joiner after the virama (a chillu letter in the older spelling)
        "Ana 👩\u200d💻",  # an emoji made of two with a joiner
    ],
)
def test_a_name_spelled_with_joiners_is_kept_as_written(app, client, make_user, login, name):
    """A name written with the joiners its script or emoji needs is taken; the same characters anywhere else (which
    only make a look-alike name) are refused, as every invisible character is."""
    login(make_user(name="Ana Reyes"))
    saved = client.post("/profile/name", data={"display_name": name, "csrf_token": profile_token(client)})
    assert saved.status_code == 302, page_text(saved)
    assert f"Welcome, {name}" in page_text(client.get("/dashboard"))
    for look_alike in ("Ana\u200dReyes", "Ana\u200c", "\u200dمحمد"):
        refused = client.post("/profile/name", data={"display_name": look_alike, "csrf_token": profile_token(client)})
        assert refused.status_code == 400 and "invisible or control characters" in page_text(refused)


def test_a_learner_changes_their_email_once_the_new_address_confirms(app, client, make_user, login, mailbox):
    learner = make_user(name="Ben Lim", email="ben.old@example.com")
    login(learner)
    wrong = client.post(
        "/profile/email",
        data={"new_email": "ben.new@example.com", "email_password": "not it", "csrf_token": profile_token(client)},
    )
    assert wrong.status_code == 400 and "Your current password is not correct." in page_text(wrong)
    assert mailbox == []

    asked = client.post(
        "/profile/email",
        data={
            "new_email": " Ben.New@Example.com ",
            "email_password": learner["password"],
            "csrf_token": profile_token(client),
        },
        follow_redirects=True,
    )
    assert "We sent a link to ben.new@example.com" in page_text(asked)
    to_new, to_old = sorted(mailbox, key=lambda m: m["To"] != "ben.new@example.com")
    assert to_new["To"] == "ben.new@example.com" and to_old["To"] == "ben.old@example.com"
    assert "is changing" in to_old["Subject"] and "/forgot-password" in to_old.get_content()
    assert signs_in(app, "ben.old@example.com", learner["password"])  # nothing changes before the link

    path = re.search(r"http://localhost(/confirm-new-email/\S+)", to_new.get_content()).group(1)
    confirmed = client.get(path, follow_redirects=True)
    assert "Your email address is now ben.new@example.com." in page_text(confirmed)
    assert signs_in(app, "ben.new@example.com", learner["password"])
    assert not signs_in(app, "ben.old@example.com", learner["password"])
    assert client.get(path).status_code == 400  # once

    # Changed back to the old address, the first link still works only once: it was for the address as it was.
    client.post(
        "/profile/email",
        data={
            "new_email": "ben.old@example.com",
            "email_password": learner["password"],
            "csrf_token": profile_token(client),
        },
    )
    back = re.search(r"http://localhost(/confirm-new-email/\S+)", mailbox[-2].get_content()).group(1)
    assert "Your email address is now ben.old@example.com." in page_text(client.get(back, follow_redirects=True))
    assert client.get(path).status_code == 400
    assert signs_in(app, "ben.old@example.com", learner["password"])


def test_an_address_taken_meanwhile_is_refused_at_confirmation(app, client, make_user, login, mailbox):
    learner = make_user(email="cara@example.com")
    login(learner)
    client.post(
        "/profile/email",
        data={
            "new_email": "shared@example.com",
            "email_password": learner["password"],
            "csrf_token": profile_token(client),
        },
    )
    make_user(email="shared@example.com")  # someone else takes it before the link is followed
    link = next(m for m in mailbox if m["To"] == "shared@example.com")
    path = re.search(r"http://localhost(/confirm-new-email/\S+)", link.get_content()).group(1)
    refused = client.get(path)
    assert refused.status_code == 409 and "has become another account's since the link was sent" in page_text(refused)
    assert signs_in(app, "cara@example.com", learner["password"])


def test_asking_for_an_address_that_has_an_account_tells_its_owner_without_a_link_or_the_askers_name(
    app, client, make_user, login, mailbox
):
    owner = make_user(email="owner@example.com", name="Olga Owner")
    asker = make_user(email="asker@example.com", name="Andrés Asker")
    login(asker)
    answered = client.post(
        "/profile/email",
        data={
            "new_email": "Owner@Example.com",
            "email_password": asker["password"],
            "csrf_token": profile_token(client),
        },
        follow_redirects=True,
    )
    assert "We sent a link to owner@example.com" in page_text(answered)  # as for any address: nothing is told
    (to_owner,) = [m for m in mailbox if m["To"] == owner["email"]]
    text = to_owner.get_content()
    assert to_owner["Subject"].startswith("Someone asked to move a") and "nothing changes" in text
    assert "Andrés" not in text and "Asker" not in text and "/confirm-new-email/" not in text
    assert [m["To"] for m in mailbox if m["To"] == asker["email"]]  # the asker's own address is told, as always
    assert signs_in(app, "asker@example.com", asker["password"])


def test_a_name_with_a_non_joiner_is_found_by_the_admin_as_it_is_written(app, client, make_user, login):
    """The index splits "محمد‌رضا" at its non-joiner: a search typed with it, without it, or for either part finds
    the learner."""
    learner = make_user(name="محمد\u200cرضا Karimi", email="mk@example.com")
    admin = login(make_user("admin"), target=app.test_client())
    for query in ("محمد\u200cرضا", "محمدرضا", "رضا", "محمد karimi"):
        assert learner["email"] in page_text(admin.get("/admin/users", query_string={"q": query})), query
