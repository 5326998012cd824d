"""Badge pages: the learner's "My badges", the public verification page, and the admin's revoke and edit."""

import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.test_badges_issuing import FIRST_BADGE_NAME, FIRST_MODULE, PACK_DIR, earn_first_badge, sync_course


class Page(HTMLParser):
    """The links, forms (with their fields) and text of an HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self.inputs, self.words = [], [], [], []
        self._link = self._form = self._textarea = None
        self.feed(text)
        self.text = " ".join(" ".join(self.words).split())

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attrs:
            self._link = {"href": attrs["href"], "text": [], **{k: v for k, v in attrs.items() if k != "href"}}
        elif tag == "form":
            self._form = {
                "action": attrs.get("action", ""),
                "method": attrs.get("method", "get").lower(),
                "fields": {},
                "labels": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        elif tag == "input":
            self.inputs.append(attrs)
            if self._form is not None and attrs.get("name"):
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea" and self._form is not None:
            self._textarea = attrs.get("name")
            self._form["fields"][self._textarea] = ""
        elif tag == "button" and self._form is not None:
            self._form["buttons"].append(attrs)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self._link["text"] = " ".join("".join(self._link["text"]).split())
            self.links.append(self._link)
            self._link = None
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        self.words.append(data)
        if self._link is not None:
            self._link["text"].append(data)
        if self._textarea is not None:
            self._form["fields"][self._textarea] += data

    def link(self, starts_with: str) -> dict:
        """The one link whose text starts with these words."""
        matches = [link for link in self.links if link["text"].startswith(starts_with)]
        assert len(matches) == 1, (starts_with, [link["text"] for link in self.links])
        return matches[0]

    def form(self, action: str) -> dict:
        """The one form posting to this action."""
        matches = [form for form in self.forms if form["action"] == action]
        assert len(matches) == 1, (action, [form["action"] for form in self.forms])
        return matches[0]


def get_page(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return Page(response.get_data(as_text=True))


def sign_out(client):
    token = csrf_token_from(client.get("/badges/mine").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def badge_row(app, badge_id: int) -> dict:
    from badges.models import BadgeClass

    with app.app_context():
        badge = db.session.get(BadgeClass, badge_id)
        return {
            "name": badge.name,
            "description": badge.description,
            "criteria": badge.criteria,
            "customized": badge.customized,
        }


def audit_entries(app) -> list:
    from lms.models import AuditEntry

    with app.app_context():
        return [
            (e.actor_id, e.action, e.target, e.detail)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


# --- My badges ----------------------------------------------------------------------------------------------


def test_my_badges_lists_earned_badges_with_downloads_and_share_links(app, client, make_user, login):
    course = sync_course(app)
    learner = earn_first_badge(app, make_user, course)
    award = learner["award"]
    public_id = award["public_id"]
    login(learner)

    page = get_page(client, "/badges/mine")
    assert "My badges" in page.text and FIRST_BADGE_NAME in page.text
    assert "Can explain what business process outsourcing is" in page.text  # the badge's description
    assert f"Earned on {award['issued_at'].strftime('%d %B %Y')}" in page.text
    # Only the earned badge is listed, not the others the course offers.
    assert "Voice and Non-Voice Work" not in page.text and "BPO Operations Career Course" not in page.text

    downloads = {
        "PNG": (f"/badges/assertions/{public_id}/image.png", "image/png"),
        "SVG": (f"/badges/assertions/{public_id}/image.svg", "image/svg+xml"),
        "JSON": (f"/badges/assertions/{public_id}", "application/ld+json"),
        "Credential (JWT)": (f"/badges/assertions/{public_id}/credential", "application/vc+jwt"),
        "Credential (JSON-LD)": (f"/badges/assertions/{public_id}/credential.json", "application/ld+json"),
    }
    for label, (href, mimetype) in downloads.items():
        link = page.link(label)
        assert link["href"] == href, label
        assert FIRST_BADGE_NAME in link["text"], "each link names its badge for screen readers"
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype == mimetype, label
    assert json.loads(client.get(downloads["JSON"][0]).get_data())["id"].endswith(public_id)

    verify_url = f"http://localhost/badges/verify/{public_id}"
    (share,) = [i for i in page.inputs if i.get("id") == f"share-{award['id']}"]
    assert share["value"] == verify_url and "readonly" in share
    assert f'for="share-{award["id"]}"' in client.get("/badges/mine").get_data(as_text=True)  # labelled
    assert page.link("Public page")["href"] == f"/badges/verify/{public_id}"

    linkedin = page.link("Add to LinkedIn profile")
    parts = urlsplit(linkedin["href"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert all(len(values) == 1 for values in parse_qs(parts.query).values())
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": FIRST_BADGE_NAME,
        "organizationName": "BPO Academy",
        "issueYear": str(award["issued_at"].year),
        "issueMonth": str(award["issued_at"].month),
        "certUrl": verify_url,
        "certId": public_id,
    }
    assert "noopener" in linkedin.get("rel", "")
    # The share link opens the public page, for anyone.
    assert app.test_client().get(urlsplit(verify_url).path).status_code == 200


def test_my_badges_shows_only_the_signed_in_learners_badges(app, client, make_user, login):
    course = sync_course(app)
    holder = earn_first_badge(app, make_user, course)
    public_id = holder["award"]["public_id"]
    other = make_user()

    login(other)
    response = client.get("/badges/mine")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert FIRST_BADGE_NAME not in text and public_id not in text
    assert "You have not earned a badge yet" in Page(text).text
    sign_out(client)

    login(holder)
    assert public_id in client.get("/badges/mine").get_data(as_text=True)
    sign_out(client)
    # Anonymous visitors are sent to sign in.
    response = client.get("/badges/mine")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the public verification page ---------------------------------------------------------------------------


def test_verify_page_works_logged_out_and_shows_the_award(app, client, make_user):
    course = sync_course(app)
    learner = earn_first_badge(app, make_user, course)
    award = learner["award"]
    badge = badge_row(app, course.modules[FIRST_MODULE].badge_id)

    page = get_page(client, f"/badges/verify/{award['public_id']}")
    assert FIRST_BADGE_NAME in page.text
    assert "Valid badge." in page.text and "revoked" not in page.text.replace("not revoked", "")
    assert "Issuer BPO Academy" in page.text
    assert f"Issued on {award['issued_at'].strftime('%d %B %Y')}" in page.text
    assert f"Criteria {badge['criteria']}" in page.text
    assert f"Description {badge['description']}" in page.text
    evidence = (
        f"Evidence Module “{course.modules[FIRST_MODULE].title}” completed on "
        f"{award['issued_at'].date().isoformat()}; best quiz score 100%."
    )
    assert evidence in page.text
    assert page.link("Open Badges 2.0 assertion")["href"] == f"/badges/assertions/{award['public_id']}"
    assert page.link("Open Badges 3.0 credential")["href"] == f"/badges/assertions/{award['public_id']}/credential"
    assert page.link("issuer public key")["href"] == "/badges/jwks.json"
    assert get_page(client, "/badges/verify/not-a-real-award-id-at-all", status=404)


def test_admin_revokes_through_the_admin_page_and_the_verify_page_shows_it(app, client, make_user, login):
    from badges.models import Award

    course = sync_course(app)
    learner = earn_first_badge(app, make_user, course, name="Lia O'Neil")
    other = earn_first_badge(app, make_user, course)
    public_id = learner["award"]["public_id"]
    admin = make_user("admin")
    login(admin)

    page = get_page(client, "/badges/admin/")
    # Admins see who holds each award, by name and email.
    assert f"Lia O'Neil ({learner['email']})" in page.text
    action = f"/badges/admin/awards/{public_id}/revoke"
    assert action in [link["href"] for link in page.links]  # a link to a page that asks first
    confirm = get_page(client, action)
    assert f"Revoke “{FIRST_BADGE_NAME}”?" in confirm.text and learner["email"] in confirm.text
    assert "This cannot be undone" in confirm.text
    form = confirm.form(action)
    assert form["method"] == "post" and "reason" in form["fields"] and form["fields"].get("csrf_token")

    # No reason: the same page again with the error beside the field, nothing revoked.
    response = client.post(action, data={**form["fields"], "reason": "  "})
    assert response.status_code == 400 and 'id="reason-error"' in response.text
    # No CSRF token: refused, nothing revoked.
    assert client.post(action, data={"reason": "Copied answers"}).status_code == 400
    assert get_page(client, f"/badges/verify/{public_id}").text.count("Valid badge.") == 1

    reason = "Answers were copied from another learner"
    response = client.post(action, data={**form["fields"], "reason": reason, "public": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/badges/admin/")
    after = get_page(client, "/badges/admin/")
    assert f"The badge “{FIRST_BADGE_NAME}” has been revoked." in after.text and f"Revoked: {reason}" in after.text
    assert action not in [link["href"] for link in after.links]  # no second way to revoke it

    anonymous = app.test_client()
    page = get_page(anonymous, f"/badges/verify/{public_id}")
    assert "This badge has been revoked and is no longer valid (revoked on" in page.text
    assert f"Reason: {reason}" in page.text and "Valid badge." not in page.text
    assert FIRST_BADGE_NAME in page.text  # it still says which badge it was
    # The other learner's award is still valid.
    assert "Valid badge." in get_page(anonymous, f"/badges/verify/{other['award']['public_id']}").text

    entries = audit_entries(app)
    assert entries == [(admin["id"], "badge.revoke", f"award:{public_id}", {"reason": reason})]
    with app.app_context():
        award = db.session.scalar(select(Award).where(Award.public_id == public_id))
        assert award.revoked and award.revocation_reason == reason

    # Revoking again is refused and records nothing more; so is an unknown or malformed award id.
    assert client.post(action, data={**form["fields"], "reason": "again"}).status_code == 409
    assert client.get(action).status_code == 409
    for unknown in ("AAAAAAAAAAAAAAAAAAAAAAAA", "%00", "x%27%20OR%201=1"):
        response = client.post(f"/badges/admin/awards/{unknown}/revoke", data={**form["fields"], "reason": "x"})
        assert response.status_code == 404, unknown
    assert audit_entries(app) == entries
    # The learner sees it revoked, without downloads.
    sign_out(client)
    login(learner)
    mine = get_page(client, "/badges/mine")
    assert re.search(rf"Revoked\s*:\s*{re.escape(reason)}", mine.text)
    assert [link for link in mine.links if link["href"].startswith(f"/badges/assertions/{public_id}")] == []

    # From a search, the revoke and its "Keep it" lead back to the search, not to every award.
    sign_out(client)
    login(admin)
    searched = get_page(client, "/badges/admin/?q=Lia")
    other_action = f"/badges/admin/awards/{other['award']['public_id']}/revoke"
    assert other_action not in [link["href"] for link in searched.links]  # the search shows Lia's awards only
    found = get_page(client, f"/badges/admin/?q={other['email']}")
    from_search = next(link["href"] for link in found.links if link["href"].startswith(other_action))

    def search_of(href: str) -> dict:
        return parse_qs(urlsplit(href).query)

    assert search_of(from_search) == {"q": [other["email"]]}
    kept = get_page(client, from_search)
    keep_it = kept.link("Keep it")["href"]
    assert keep_it.startswith("/badges/admin/?") and search_of(keep_it) == {"q": [other["email"]]}
    done = client.post(from_search, data={**kept.form(from_search)["fields"], "reason": "Shared account"})
    assert done.status_code == 302 and search_of(done.headers["Location"]) == {"q": [other["email"]]}


def test_admin_edits_badge_text_and_a_pack_resync_keeps_it(app, client, make_user, login):
    from courses.services import check_pack, sync_pack

    course = sync_course(app)
    badge_id = course.modules[FIRST_MODULE].badge_id
    learner = earn_first_badge(app, make_user, course)
    untouched_before = badge_row(app, course.badge_id)
    admin = make_user("admin")
    login(admin)

    page = get_page(client, "/badges/admin/")
    action = f"/badges/admin/{badge_id}"
    form = page.form(action)
    assert form["fields"]["description"].startswith("Can explain what business process outsourcing is")
    description = "Explains business process outsourcing, its history and why firms choose it."
    criteria = "Read both lessons of the first module and scored at least 70% in its quiz."
    # Exactly what the browser sends: the form's own hidden fields plus the edited text.
    response = client.post(action, data={**form["fields"], "description": description, "criteria": criteria})
    assert response.status_code == 302, Page(response.get_data(as_text=True)).text
    assert f"Saved the text of “{FIRST_BADGE_NAME}”." in get_page(client, "/badges/admin/").text

    # Empty text is refused and changes nothing; so is an unknown badge.
    response = client.post(action, data={**form["fields"], "description": "", "criteria": criteria})
    assert response.status_code == 400
    for unknown in ("999999", "99999999999999999999"):
        response = client.post(f"/badges/admin/{unknown}", data={**form["fields"], "description": "x", "criteria": "y"})
        assert response.status_code == 404, unknown

    document = json.loads(client.get(f"/badges/classes/{badge_id}").get_data())
    assert document["description"] == description and document["criteria"]["narrative"] == criteria
    verify = get_page(app.test_client(), f"/badges/verify/{learner['award']['public_id']}")
    assert f"Description {description}" in verify.text and f"Criteria {criteria}" in verify.text
    credential = json.loads(
        client.get(f"/badges/assertions/{learner['award']['public_id']}/credential.json").get_data()
    )
    assert credential["credentialSubject"]["achievement"]["criteria"]["narrative"] == criteria
    assert audit_entries(app) == [(admin["id"], "badge.edit", f"badge:{badge_id}", {})]

    # The pack is synced again (a content update): the admin's text stays, the name follows the pack.
    with app.app_context():
        pack, problems = check_pack(PACK_DIR)
        assert problems == []
        sync_pack(pack)
    assert badge_row(app, badge_id) == {
        "name": FIRST_BADGE_NAME,
        "description": description,
        "criteria": criteria,
        "customized": True,
    }
    assert badge_row(app, course.badge_id) == untouched_before
    document = json.loads(client.get(f"/badges/classes/{badge_id}").get_data())
    assert document["description"] == description and document["criteria"]["narrative"] == criteria


def test_admin_badge_page_escapes_text(app, client, make_user, login):
    course = sync_course(app)
    badge_id = course.modules[FIRST_MODULE].badge_id
    learner = earn_first_badge(app, make_user, course)
    admin = make_user("admin")
    login(admin)
    form = get_page(client, "/badges/admin/").form(f"/badges/admin/{badge_id}")
    script = "<script>alert(1)</script> & more"
    client.post(f"/badges/admin/{badge_id}", data={**form["fields"], "description": script, "criteria": script})
    for url in ("/badges/admin/", f"/badges/verify/{learner['award']['public_id']}"):
        text = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in text and html.escape(script, quote=False) in text, url


def test_revoking_a_module_badge_offers_to_revoke_the_course_badge_resting_on_it(app, client, make_user, login):
    """A module badge revoked for copied answers left the course badge, whose completion counted that module,
    valid without a word; the page now names it and revokes it too when the admin ticks the box."""
    from badges.models import Award, BadgeClass
    from tests import test_badges_issuing as issuing

    course = sync_course(app)
    learner = make_user(name="Nora Quispe")
    issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_course(app, learner["id"], course)
    with app.app_context():
        awards = {
            name: public_id
            for public_id, name in db.session.execute(
                select(Award.public_id, BadgeClass.name).join(BadgeClass).where(Award.user_id == learner["id"])
            )
        }
        course_award = db.session.scalar(
            select(Award.public_id)
            .join(BadgeClass)
            .where(Award.user_id == learner["id"], BadgeClass.module_id.is_(None))
        )
    module_award = awards[FIRST_BADGE_NAME]
    login(make_user("admin"))
    action = f"/badges/admin/awards/{module_award}/revoke"
    confirm = client.get(action)
    assert "Nora Quispe also holds the course badge" in html.unescape(confirm.text)
    assert client.get(f"/badges/admin/awards/{course_award}/revoke").text.count("also holds the course badge") == 0

    token = csrf_token_from(confirm.text)
    done = client.post(action, data={"csrf_token": token, "reason": "Answers were copied", "with_course": "y"})
    assert done.status_code == 302
    shown = html.unescape(client.get("/badges/admin/").text)
    assert f"The badges “{FIRST_BADGE_NAME}” and “" in shown and "have been revoked." in shown
    anonymous = app.test_client()
    for public_id in (module_award, course_award):
        assert "This badge has been revoked" in anonymous.get(f"/badges/verify/{public_id}").text
    # Another module's badge stays valid: only what the admin chose was revoked.
    with app.app_context():
        valid = db.session.scalar(
            select(func.count()).select_from(Award).where(Award.user_id == learner["id"], Award.revoked_at.is_(None))
        )
    assert valid == len(course.modules) - 1


def test_an_admin_finds_one_learners_badges_by_name_or_email(app, client, make_user, login):
    course = sync_course(app)
    rosa = earn_first_badge(app, make_user, course, name="Rosa Dimaculangan", email="rosa.d@example.com")
    other = earn_first_badge(app, make_user, course, name="Ben Ocampo", email="ben.o@example.com")
    login(make_user("admin"))
    for query in ("dimac", "rosa.d@", "Rosa Dim"):
        page = client.get("/badges/admin/", query_string={"q": query}).text
        assert rosa["award"]["public_id"] in page and other["award"]["public_id"] not in page, query
        assert f'value="{query}"' in page
    nobody = html.unescape(client.get("/badges/admin/?q=zzz").text)
    assert "No learner whose name or email starts with “zzz” holds a badge." in nobody
    everyone = client.get("/badges/admin/").text
    assert rosa["award"]["public_id"] in everyone and other["award"]["public_id"] in everyone


def test_an_admin_narrows_the_awards_to_one_badge_and_keeps_it_through_a_revoke(app, client, make_user, login):
    from badges.models import Award, BadgeClass
    from tests.helpers import page_text

    course = sync_course(app)
    rosa = earn_first_badge(app, make_user, course, name="Rosa Dimaculangan", email="rosa.d@example.com")
    ben = earn_first_badge(app, make_user, course, name="Ben Ocampo", email="ben.o@example.com")
    with app.app_context():
        first_badge = db.session.scalar(
            select(Award.badge_class_id).where(Award.public_id == rosa["award"]["public_id"])
        )
        other_badge = db.session.scalar(select(BadgeClass.id).where(BadgeClass.id != first_badge).limit(1))
    login(make_user("admin"))
    page = client.get(f"/badges/admin/?badge={first_badge}").text
    assert rosa["award"]["public_id"] in page and ben["award"]["public_id"] in page
    assert f'<option value="{first_badge}" selected>' in page and "Every award" in page
    assert "Nobody holds this badge yet." in page_text(client.get(f"/badges/admin/?badge={other_badge}"))
    # No such badge: every award, as the filter then shows.
    unknown = client.get("/badges/admin/?badge=99999").text
    assert rosa["award"]["public_id"] in unknown and '<option value="" selected' not in unknown
    assert "Every award</a>" not in unknown
    # With a learner's search too, both hold.
    hers = client.get(f"/badges/admin/?badge={first_badge}&q=rosa").text
    assert rosa["award"]["public_id"] in hers and ben["award"]["public_id"] not in hers
    none_of_hers = page_text(client.get(f"/badges/admin/?badge={other_badge}&q=rosa"))
    assert "No learner whose name or email starts with “rosa” holds this badge." in none_of_hers

    # A revoke from the narrowed list comes back to it.
    revoke_link = re.search(r'href="(/badges/admin/awards/[^"]+/revoke[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"badge={first_badge}" in revoke_link
    form = client.get(revoke_link)
    assert f'href="/badges/admin/?badge={first_badge}">Keep it' in form.text
    done = client.post(
        revoke_link,
        data={"csrf_token": csrf_token_from(form.text), "reason": "Issued in error", "public": "y"},
        follow_redirects=True,
    )
    assert done.request.full_path == f"/badges/admin/?badge={first_badge}"
    assert "has been revoked" in page_text(done)
