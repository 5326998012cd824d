"""Cohorts: admins create them, add learners one by one or from a CSV of emails (bad rows reported with their
line, good ones kept), enrol a whole cohort in a course, and filter the learner table and its exports by it."""

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_quiz_attempts import enrol, one_module_lab


@pytest.fixture
def admin(app, make_user, login):
    """A signed-in admin (their own browser)."""
    return login(make_user("admin"), target=app.test_client())


def post(client, url, page, **data):
    """Send a form from `page` with its CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token_from(client.get(page).text), **data})


def new_cohort(admin, name="Manila night shift, March intake"):
    """Create a cohort through the form; its page's URL."""
    response = post(admin, "/admin/cohorts", "/admin/cohorts", name=name)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def test_an_admin_creates_a_cohort_and_fills_it_from_one_email_and_a_csv(app, admin, make_user):
    from lms.cohorts import CohortMember
    from lms.models import AuditEntry

    people = [make_user(email=f"agent{n}@example.com") for n in range(3)]
    assert post(admin, "/admin/cohorts", "/admin/cohorts", name="   ").status_code == 400
    url = new_cohort(admin)
    duplicate = post(admin, "/admin/cohorts", "/admin/cohorts", name="Manila  night shift, March intake")
    assert duplicate.status_code == 400 and "There is already a cohort called" in page_text(duplicate)
    same_but_case = post(admin, "/admin/cohorts", "/admin/cohorts", name="manila night shift, MARCH intake")
    assert same_but_case.status_code == 400
    assert "There is already a cohort called “Manila night shift, March intake”" in page_text(same_but_case)

    one = post(admin, url, url, email="AGENT0@example.com")
    assert one.status_code == 302
    upload = "email\nagent1@example.com\nnobody@example.com\nnot-an-email\nagent2@example.com\nagent0@example.com\n"
    token = csrf_token_from(admin.get(url).text)
    response = admin.post(
        url,
        data={"csrf_token": token, "csv_file": (io.BytesIO(upload.encode()), "intake.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "line 3: no account has the email nobody@example.com" in text
    assert "line 4: “not-an-email” is not an email address" in text
    assert "Added 2 learners to Manila night shift, March intake. 1 already in it." in text  # agent0 was in
    with app.app_context():
        members = set(db.session.scalars(select(CohortMember.user_id)))
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("cohort.%")).order_by(AuditEntry.id)
        ).all()
    assert members == {person["id"] for person in people}
    assert actions == ["cohort.create", "cohort.add", "cohort.add"]
    assert "3" in page_text(admin.get("/admin/cohorts"))

    removed = post(admin, f"{url}/members/{people[2]['id']}/remove", url)
    assert removed.status_code == 302
    said = page_text(admin.get(removed.headers["Location"]))  # who was taken out, not only that someone was
    assert f"({people[2]['email']}) is out of Manila night shift, March intake." in said
    with app.app_context():
        assert len(db.session.scalars(select(CohortMember)).all()) == 2
    listed = re.search(r"Manila night shift, March intake</a></td>\s*<td>(\d+)</td>", admin.get("/admin/cohorts").text)
    assert listed and listed.group(1) == "2"  # the count kept as members come and go


def test_a_cohort_is_enrolled_in_a_course_and_filters_its_table_and_exports(app, admin, make_user, tmp_path):
    from courses.models import Enrolment

    lab = one_module_lab(app, tmp_path)
    night = [make_user(email=f"night{n}@example.com", name=f"Night {n}") for n in range(2)]
    day = make_user(email="day@example.com", name="Day Person")
    enrol(app, night[0]["id"], lab.id)  # already enrolled: not enrolled twice
    enrol(app, day["id"], lab.id)
    url = new_cohort(admin)
    post(admin, url, url, email="night0@example.com")
    post(admin, url, url, email="night1@example.com")
    cohort_id = int(url.rsplit("/", 1)[1])

    table = f"/reports/courses/{lab.slug}/learners"
    response = post(admin, f"/reports/courses/{lab.slug}/enrol-cohort", table, cohort=cohort_id)
    assert response.status_code == 302
    assert "Enrolled 1 learner of the cohort" in page_text(admin.get(response.headers["Location"]))
    with app.app_context():
        enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == lab.id)))
    assert enrolled == {night[0]["id"], night[1]["id"], day["id"]}

    shown = page_text(admin.get(table, query_string={"cohort": cohort_id}))
    assert "Night 0" in shown and "Night 1" in shown and "Day Person" not in shown
    exported = list(csv.reader(io.StringIO(admin.get(f"{table}.csv", query_string={"cohort": cohort_id}).text[1:])))
    assert [row[0] for row in exported[1:]] == ["Night 0", "Night 1"]
    assert post(admin, f"/reports/courses/{lab.slug}/enrol-cohort", table, cohort=999_999).status_code == 404

    # Enrolled from a searched and sorted table, the admin comes back to that table, not to every learner.
    narrowed = admin.get(table, query_string={"q": "night", "sort": "progress", "dir": "desc"}).text
    action = re.search(r'<form method="post" action="([^"]*enrol-cohort[^"]*)"', narrowed).group(1)
    again = admin.post(html.unescape(action), data={"csrf_token": csrf_token_from(narrowed), "cohort": cohort_id})
    assert again.status_code == 302
    assert again.headers["Location"] == f"{table}?q=night&sort=progress&dir=desc"


def test_a_cohort_refuses_staff_an_empty_file_and_an_unreadable_one_and_an_empty_cohort_enrols_no_one(
    app, admin, make_user, tmp_path
):
    """A cohort is enrolled and reported on as learners: a trainer's or an admin's email is refused by its line. A
    file that holds no email, or is not UTF-8, adds nothing and says so as a whole; enrolling an empty cohort says
    it is empty."""
    from lms.cohorts import CohortMember

    lab = one_module_lab(app, tmp_path)
    learner = make_user(email="agent@example.com")
    make_user("trainer", email="coach@example.com")
    make_user("admin", email="boss@example.com")
    url = new_cohort(admin)

    def upload(content: bytes):
        token = csrf_token_from(admin.get(url).text)
        data = {"csrf_token": token, "csv_file": (io.BytesIO(content), "intake.csv")}
        return admin.post(url, data=data, content_type="multipart/form-data")

    empty_cohort = post(
        admin,
        f"/reports/courses/{lab.slug}/enrol-cohort",
        f"/reports/courses/{lab.slug}/learners",
        cohort=int(url.rsplit("/", 1)[1]),
    )
    assert empty_cohort.status_code == 303
    assert "has no learners yet: add some first" in page_text(admin.get(empty_cohort.headers["Location"]))

    mixed = page_text(upload(b"email\nagent@example.com\ncoach@example.com\nboss@example.com\n"))
    assert "line 3: coach@example.com is a trainer's account, and a cohort holds learners" in mixed
    assert "line 4: boss@example.com is an admin's account, and a cohort holds learners" in mixed
    assert "These were not added (the others were)" in mixed and "Added 1 learner to" in mixed
    only_staff = upload(b"email\ncoach@example.com\n")  # nothing added: said as a warning, not a success
    assert re.search(r'class="flash flash-warning"[^>]*>\s*Added 0 learners to', only_staff.text), only_staff.text
    for content, reason in (
        (b"email\n", "Nothing was added: The file holds no email addresses"),
        ("email\nzo\u00eb@example.com\n".encode("latin-1"), "Nothing was added: The CSV file must be UTF-8 text."),
    ):
        refused = upload(content)
        assert refused.status_code == 400 and reason in page_text(refused)
        assert "These were not added" not in page_text(refused) and "Added 0" not in page_text(refused)
    with app.app_context():
        assert set(db.session.scalars(select(CohortMember.user_id))) == {learner["id"]}

    # A spreadsheet that saves with semicolons (or tabs): the first column is still the address.
    for separator, email in ((b";", "semi@example.com"), (b"\t", "tab@example.com")):
        member = make_user(email=email)
        saved = upload(b"email" + separator + b"name\n" + email.encode() + separator + b"Agent Smith\n")
        assert saved.status_code == 302, page_text(saved)  # every row added
        with app.app_context():
            assert db.session.scalar(select(CohortMember).where(CohortMember.user_id == member["id"])) is not None


def test_cohorts_are_for_admins_only(app, make_user, login, tmp_path, admin):
    lab = one_module_lab(app, tmp_path)
    url = new_cohort(admin)
    for role in ("learner", "trainer"):
        other = login(make_user(role), target=app.test_client())
        token = csrf_token_from(other.get("/profile").text)
        assert other.get("/admin/cohorts").status_code == 403
        assert other.get(url).status_code == 403
        assert other.post(url, data={"csrf_token": token, "email": "x@example.com"}).status_code == 403
        enrol_url = f"/reports/courses/{lab.slug}/enrol-cohort"
        assert other.post(enrol_url, data={"csrf_token": token, "cohort": url.rsplit("/", 1)[1]}).status_code == 403


def test_a_cohort_name_with_invisible_or_reordering_characters_is_refused(app, admin):
    """Cohort names show on the learner table, its filters and exports: as with people's names, a zero-width
    space or a right-to-left override, which could hide or reorder what the page shows around it, is refused."""
    from lms.cohorts import Cohort

    for name in ("Night\u200b shift", "Day shift \u202etfihs"):
        refused = post(admin, "/admin/cohorts", "/admin/cohorts", name=name)
        assert refused.status_code == 400
        assert "no invisible or control characters" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_an_email_typed_beside_a_file_is_added_too_and_a_long_list_of_problems_is_cut_short(app, admin, make_user):
    """The typed email was silently dropped when a file was chosen as well; both are added now, a problem with
    the typed one says so, and a file of thousands of unknown addresses lists the first hundred."""
    from lms.cohorts import CohortMember

    typed, listed = make_user(email="typed@example.com"), make_user(email="listed@example.com")
    url = new_cohort(admin)
    token = csrf_token_from(admin.get(url).text)
    both = admin.post(
        url,
        data={
            "csrf_token": token,
            "email": "typed@example.com",
            "csv_file": (io.BytesIO(b"listed@example.com\n"), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    assert both.status_code == 302
    with app.app_context():
        assert set(db.session.scalars(select(CohortMember.user_id))) == {typed["id"], listed["id"]}

    unknown = "".join(f"nobody{n}@example.com\n" for n in range(250)).encode()
    token = csrf_token_from(admin.get(url).text)
    many = admin.post(
        url,
        data={"csrf_token": token, "email": "ghost@example.com", "csv_file": (io.BytesIO(unknown), "b.csv")},
        content_type="multipart/form-data",
    )
    text = page_text(many)
    assert many.status_code == 400 and "the email typed: no account has the email ghost@example.com" in text
    assert "line 99: no account has the email nobody98@example.com" in text
    assert "line 100: no account" not in text
    assert "… and 151 more rows, not listed." in text


def test_an_admin_renames_a_cohort_and_deletes_it_while_its_learners_keep_their_records(
    app, admin, make_user, tmp_path
):
    from lms.cohorts import Cohort, CohortMember
    from lms.models import AuditEntry

    course = one_module_lab(app, tmp_path)
    people = [make_user(email=f"agent{n}@example.com") for n in range(2)]
    url = new_cohort(admin)
    other = new_cohort(admin, "Cebu day shift")
    for person in people:
        enrol(app, person["id"], course.id)
        post(admin, url, url, email=person["email"])
    cohort_id = int(url.rsplit("/", 1)[1])

    page = admin.get(url).text
    assert 'value="Manila night shift, March intake"' in page  # the name to edit is the name as it is
    renamed = post(admin, f"{url}/rename", url, name="  Manila nights,  March ")
    assert renamed.status_code == 302
    assert "“Manila night shift, March intake” is now called “Manila nights, March”." in page_text(
        admin.get(renamed.headers["Location"])
    )
    table = admin.get(f"/reports/courses/{course.slug}/learners").text
    assert f'<option value="{cohort_id}">Manila nights, March</option>' in table

    # Another cohort's name, in any case, or no name, is refused beside the field, and nothing changes.
    taken = post(admin, f"{url}/rename", url, name="CEBU day shift")
    assert taken.status_code == 400 and "There is already a cohort called “Cebu day shift”." in page_text(taken)
    assert 'id="name-error"' in taken.text and 'value="CEBU day shift"' in taken.text
    assert post(admin, f"{url}/rename", url, name="   ").status_code == 400
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).name == "Manila nights, March"

    deleted = post(admin, f"{url}/delete", url)
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("/admin/cohorts")
    said = page_text(admin.get("/admin/cohorts"))
    assert (
        "Deleted the cohort “Manila nights, March” (2 learners). Its learners keep their enrolments and records."
        in said
    )
    assert admin.get(url).status_code == 404
    assert admin.get(other).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 0
        details = db.session.execute(
            select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.target == f"cohort:{cohort_id}")
        ).all()
    assert ("cohort.rename", {"name": "Manila night shift, March intake → Manila nights, March"}) in details
    assert ("cohort.delete", {"name": "Manila nights, March", "members": 2}) in details
    # The learners are still enrolled, with their rows in the course's table.
    table = page_text(admin.get(f"/reports/courses/{course.slug}/learners"))
    assert people[0]["email"] in table and people[1]["email"] in table


def test_an_admin_pastes_several_emails_at_once_and_each_one_refused_is_named_by_its_place(app, admin, make_user):
    """A spreadsheet's column or a mail's address line, pasted; the cohort list is by name whatever its case."""
    from lms.cohorts import CohortMember

    people = [make_user(email=f"agent{n}@example.com") for n in range(3)]
    url = new_cohort(admin)
    page = admin.get(url).text
    assert "Emails of learners" in page and "separated by commas, spaces or new lines" in page
    # A column pasted from a spreadsheet, and an address line from a mail, in one box.
    pasted = "agent0@example.com\r\nAGENT1@example.com\r\n\r\nghost@example.com, agent2@example.com;not-an-email"
    response = post(admin, url, url, email=pasted)
    assert response.status_code == 400
    text = page_text(response)
    assert "Added 3 learners to Manila night shift, March intake." in text
    assert "email 3 typed: no account has the email ghost@example.com" in text
    assert "email 5 typed: “not-an-email” is not an email address" in text
    with app.app_context():
        assert set(db.session.scalars(select(CohortMember.user_id))) == {person["id"] for person in people}
    # The box keeps only what was refused, to correct it.
    assert "\nghost@example.com\nnot-an-email</textarea>" in response.text.replace("\r", "")
    # A mail's address line gives its addresses, names and quotes aside.
    more = make_user(email="nicole.navarro@example.com")
    line = 'Agent Zero <agent0@example.com>, "Navarro, Nicole" <Nicole.Navarro@example.com>'
    assert post(admin, url, url, email=line).status_code == 302
    with app.app_context():
        assert more["id"] in set(db.session.scalars(select(CohortMember.user_id)))
    # Only separators typed is nothing typed.
    nothing = post(admin, url, url, email=" ,\n; ")
    assert nothing.status_code == 400 and "Type an email, or choose a CSV file." in page_text(nothing)


def test_the_cohorts_are_listed_by_name_whatever_its_case(admin):
    for name in ("Pune day shift", "cebu day shift", "Manila Night Shift", "Manila day shift"):
        new_cohort(admin, name)
    listed = re.findall(r'<a href="/admin/cohorts/\d+">([^<]+)</a>', admin.get("/admin/cohorts").text)
    assert listed == ["cebu day shift", "Manila day shift", "Manila Night Shift", "Pune day shift"]
