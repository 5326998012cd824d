"""The audit log page: admins read who changed what, newest first, narrowed to one action or one record."""

import re

from sqlalchemy import insert, select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import page_text
from tests.test_quiz_attempts import enrol, new_client, one_module_lab


def test_an_admin_reads_who_changed_what_and_narrows_it_to_one_learner(app, client, make_user, login, tmp_path):
    course = one_module_lab(app, tmp_path, time_limit_minutes=30)
    learner = make_user(name="Lia Tan")
    enrol(app, learner["id"], course.id)
    admin_user = make_user("admin", name="Ada Admin")
    admin = new_client(app, login, admin_user)
    users = admin.get("/admin/users")
    token = csrf_token_from(users.text)
    admin.post(f"/admin/users/{learner['id']}/active", data={"csrf_token": token, "active": "0"})
    admin.post(f"/admin/users/{learner['id']}/active", data={"csrf_token": token, "active": "1"})
    record = admin.get(f"/learners/{learner['id']}/record")
    assert f'href="/admin/audit?about={learner["id"]}">Audit log entries about this person' in record.text
    admin.post(
        f"/author/learners/{learner['id']}/time-allowance",
        data={"csrf_token": csrf_token_from(record.text), "course_id": course.id, "time_percent": 150},
    )

    shown = page_text(admin.get("/admin/audit"))
    assert "Audit log" in shown
    rows = [line for line in shown.split("UTC") if "Ada Admin" in line]
    # Newest first: the allowance, then the reactivation, then the deactivation.
    assert "Quiz: time allowance" in rows[0] and "course: Quiz lab, allowance: Time and a half" in rows[0]
    assert "User: activate" in rows[1] and "User: deactivate" in rows[2]
    assert f"Lia Tan (user:{learner['id']})" in shown

    only_her = page_text(admin.get(f"/admin/audit?target=user:{learner['id']}"))
    assert f"entries about Lia Tan (user:{learner['id']})" in only_her and "Show every entry" in only_her
    one_action = page_text(admin.get("/admin/audit?action=user.deactivate"))
    assert "User: deactivate" in one_action and "User: activate" not in one_action.replace("User: deactivate", "")
    assert "No entry of this kind yet." in page_text(admin.get("/admin/audit?action=nothing.such"))


def test_the_log_pages_back_through_every_entry_once(app, client, make_user, login):
    from lms import audit_log
    from lms.models import AuditEntry

    with app.app_context():
        db.session.execute(
            insert(AuditEntry),
            [{"action": "cohort.add", "target": f"cohort:{n}", "detail": {"added": n}} for n in range(1, 121)],
        )
        db.session.commit()
    admin = new_client(app, login, make_user("admin"))
    seen, url = [], "/admin/audit?action=cohort.add"
    while url:
        page = admin.get(url).text
        seen += [int(n) for n in re.findall(r"cohort:(\d+)</a>", page)]
        older = re.search(r'href="([^"]+)">Older entries', page)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == list(range(120, 0, -1))
    # A later page leads back to the newest.
    later = admin.get("/admin/audit?action=cohort.add&before=50").text
    assert 'href="/admin/audit?action=cohort.add">Newest entries</a>' in later
    assert audit_log.PAGE_SIZE == 50  # three pages: 50, 50, 20


def test_only_admins_read_the_log(app, client, make_user, login):
    for role in ("learner", "trainer"):
        assert new_client(app, login, make_user(role)).get("/admin/audit").status_code == 403
    assert app.test_client().get("/admin/audit").status_code == 302


def test_records_are_named_by_what_people_call_them(app, client, make_user, login, tmp_path):
    """A course by its title, a trainer by their name, a quiz and a question by their titles: "course:3" and
    "trainer: 7" told an admin nothing. A record deleted since keeps its key."""
    from lms.models import AuditEntry
    from quizzes.models import Question
    from tests.helpers import assign_trainer

    course = one_module_lab(app, tmp_path)
    admin_user = make_user("admin", name="Ada Admin")
    trainer = make_user("trainer", name="Tom Tran")
    assign_trainer(app, trainer, course.id)
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.title == "capital"))
        detail = {"question": question_id, "to": course.quiz_id}
        db.session.execute(
            insert(AuditEntry),
            [
                {"action": "quiz.move_question", "target": f"quiz:{course.quiz_id}", "detail": detail},
                {"action": "cohort.remove", "target": "cohort:999", "detail": {"user": 999}},
            ],
        )
        db.session.commit()

    shown = page_text(new_client(app, login, admin_user).get("/admin/audit"))
    assert f"Quiz lab (course:{course.id}) trainer: Tom Tran (user:{trainer['id']})" in shown
    quiz = f"Quiz: Module m1 (quiz:{course.quiz_id})"
    assert f"{quiz} question: capital (question:{question_id}), to: {quiz}" in shown
    assert "cohort:999 user: user:999" in shown


def test_an_admin_reads_what_one_person_did_and_goes_back_to_a_day(app, client, make_user, login):
    from datetime import UTC, datetime

    from lms.models import AuditEntry

    tess = make_user("trainer", name="Tess Trainer")
    other = make_user("admin", name="Omar Other")
    with app.app_context():
        rows = [
            # Tess on 1 and 3 March, Omar on 2 March (times in UTC; the admin reads UTC, having chosen no zone).
            {
                "actor_id": tess["id"],
                "action": "quiz.update",
                "target": "quiz:1",
                "at": datetime(2026, 3, 1, 9, tzinfo=UTC),
            },
            {
                "actor_id": other["id"],
                "action": "user.role",
                "target": "user:1",
                "at": datetime(2026, 3, 2, 9, tzinfo=UTC),
            },
            {
                "actor_id": tess["id"],
                "action": "quiz.publish",
                "target": "quiz:2",
                "at": datetime(2026, 3, 3, 9, tzinfo=UTC),
            },
        ]
        db.session.execute(insert(AuditEntry), rows)
        db.session.commit()
    admin = new_client(app, login, make_user("admin", name="Ada Admin"))

    every = admin.get("/admin/audit").text
    # Each entry's person leads to what they did, as does their record.
    record = admin.get(f"/learners/{tess['id']}/record").text
    assert f'<a href="/admin/audit?actor={tess["id"]}">What this person changed</a>' in record
    assert f'href="/admin/audit?actor={tess["id"]}">Tess Trainer ({tess["email"]})</a>' in every
    hers = page_text(admin.get(f"/admin/audit?actor={tess['id']}"))
    assert f"Only what Tess Trainer ({tess['email']}) did." in hers
    assert "quiz:2" in hers and "quiz:1" in hers and "user:1" not in hers
    # With another filter, both hold.
    one = page_text(admin.get(f"/admin/audit?actor={tess['id']}&action=quiz.publish"))
    assert "quiz:2" in one and "quiz:1" not in one
    nobody = page_text(admin.get("/admin/audit?actor=99999"))
    assert "what user:99999 did" in nobody and "No entry of this kind yet." in nobody

    # Going to a day starts the page at its last entry: 2 March shows Omar's entry, then Tess's of 1 March.
    day = admin.get("/admin/audit?day=2026-03-02")
    assert day.status_code == 200 and 'value="2026-03-02"' in day.text
    shown = page_text(day)
    assert shown.index("user:1") < shown.index("quiz:1") and "quiz:2" not in shown
    assert 'href="/admin/audit">Newest entries</a>' in day.text
    hers_then = page_text(admin.get(f"/admin/audit?actor={tess['id']}&day=2026-03-02"))
    assert "quiz:1" in hers_then and "quiz:2" not in hers_then and "user:1" not in hers_then
    before_all = page_text(admin.get("/admin/audit?day=2026-02-28"))
    assert "No entry up to the end of 2026-02-28." in before_all

    # A day that is no date is said so, beside the field, with a 400; the last possible day is no error.
    bad = admin.get("/admin/audit?day=2026-02-30")
    assert bad.status_code == 400 and "Give the day as a date, such as 2026-03-31." in page_text(bad)
    assert admin.get("/admin/audit?day=9999-12-31").status_code == 200


def test_the_entries_about_a_person_include_those_about_their_records(app, client, make_user, login, tmp_path):
    from lms.cohorts import add_members, create_cohort, remove_member
    from lms.models import User

    course = one_module_lab(app, tmp_path)
    lia, ben = make_user(name="Lia Tan"), make_user(name="Ben Cruz")
    enrol(app, lia["id"], course.id)
    admin_user = make_user("admin", name="Ada Admin")
    with app.app_context():
        actor = db.session.get(User, admin_user["id"])
        group = create_cohort(actor, "Night shift")
        add_members(actor, group, [(1, lia["email"]), (2, ben["email"])])
        remove_member(actor, group, lia["id"])
        remove_member(actor, group, ben["id"])
    admin = new_client(app, login, admin_user)
    record = admin.get(f"/learners/{lia['id']}/record").text
    token = csrf_token_from(record)
    admin.post(
        f"/author/learners/{lia['id']}/time-allowance",
        data={"csrf_token": token, "course_id": course.id, "time_percent": 150},
    )
    about_her = page_text(admin.get(f"/admin/audit?about={lia['id']}"))
    assert f"Only entries about Lia Tan ({lia['email']}), their account and their records." in about_her
    # Her time allowance (about her account) and her leaving the cohort (about the cohort, naming her); not Ben's.
    assert "Quiz: time allowance" in about_her and "Cohort: remove" in about_her
    assert about_her.count("Cohort: remove") == 1 and "Cohort: add" not in about_her
