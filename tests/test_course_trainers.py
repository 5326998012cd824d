"""Admins assign trainers to courses; a trainer authors only the quizzes of the courses they were assigned to."""

from sqlalchemy import select

from lms.extensions import db
from tests.conftest import csrf_token_from
from tests.test_quiz_attempts import BASIC_GIFT, one_module_lab, sync, write_pack


def authoring_statuses(client, quiz_id: int) -> dict:
    """The status of every authoring URL of one quiz for the signed-in visitor."""
    token = csrf_token_from(client.get("/profile").text)
    return {
        "quiz page": client.get(f"/author/quizzes/{quiz_id}").status_code,
        "import": client.post(
            f"/author/quizzes/{quiz_id}", data={"csrf_token": token, "gift_text": "::new::Is it? {T}"}
        ).status_code,
        "export": client.get(f"/author/quizzes/{quiz_id}/export.gift").status_code,
    }


def test_an_admin_assigns_a_trainer_who_then_authors_that_course_and_no_other(app, make_user, login, tmp_path):
    from lms.models import AuditEntry

    ours = one_module_lab(app, tmp_path)
    theirs = sync(
        app,
        write_pack(tmp_path / "theirs", [{"slug": "m1", "lessons": ["m1-read"], "gift": BASIC_GIFT}], slug="theirs"),
    )
    trainer = make_user("trainer", name="Tess Trainer")
    learner = make_user()
    trainer_client = login(trainer, app.test_client())
    admin_client = login(make_user("admin"), app.test_client())

    # Before any assignment the trainer reaches none of it, and their list and bank export are empty.
    assert authoring_statuses(trainer_client, ours.quiz_id) == dict.fromkeys(("quiz page", "import", "export"), 403)
    assert f"/author/quizzes/{ours.quiz_id}" not in trainer_client.get("/author/quizzes").text
    assert "not a trainer of any course yet" in trainer_client.get("/author/quizzes").text
    assert trainer_client.get("/author/bank.gift").text == ""

    # The admin assigns them on the course's Trainers page; a learner's email is refused with a reason.
    page = admin_client.get(f"/courses/{ours.slug}/trainers")
    assert page.status_code == 200 and "No trainer is assigned yet." in page.text
    token = csrf_token_from(page.text)
    refused = admin_client.post(f"/courses/{ours.slug}/trainers", data={"csrf_token": token, "email": learner["email"]})
    assert refused.status_code == 400 and "only trainers are assigned to courses" in refused.text
    assigned = admin_client.post(
        f"/courses/{ours.slug}/trainers", data={"csrf_token": token, "email": trainer["email"].upper()}
    )
    assert assigned.status_code == 302
    listing = admin_client.get(f"/courses/{ours.slug}/trainers").text
    assert "Tess Trainer" in listing and trainer["email"] in listing

    assert authoring_statuses(trainer_client, ours.quiz_id) == {"quiz page": 200, "import": 200, "export": 200}
    assert authoring_statuses(trainer_client, theirs.quizzes["m1"]) == dict.fromkeys(
        ("quiz page", "import", "export"), 403
    ), "another course's quizzes stay closed"
    quiz_list = trainer_client.get("/author/quizzes").text
    assert f"/author/quizzes/{ours.quiz_id}" in quiz_list and f"/author/quizzes/{theirs.quizzes['m1']}" not in quiz_list
    assert "::capital::" in trainer_client.get("/author/bank.gift").text

    # Removed again, they are back to nothing; both changes are in the audit log.
    removed = admin_client.post(
        f"/courses/{ours.slug}/trainers/{trainer['id']}/remove", data={"csrf_token": csrf_token_from(listing)}
    )
    assert removed.status_code == 302
    assert authoring_statuses(trainer_client, ours.quiz_id)["quiz page"] == 403
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["course.trainer.assign", "course.trainer.unassign"]


def test_the_course_page_links_its_trainers_for_admins_only(app, make_user, login, tmp_path):
    lab = one_module_lab(app, tmp_path)
    link = f'href="/courses/{lab.slug}/trainers"'
    assert link in login(make_user("admin"), app.test_client()).get(f"/courses/{lab.slug}").text
    assert link not in login(make_user("trainer"), app.test_client()).get(f"/courses/{lab.slug}").text


def test_the_shell_assigns_a_trainer_to_one_course_or_to_every_course(app, runner, make_user, login, tmp_path):
    """`flask courses assign-trainer` (which `make run` uses for the demo trainer) opens the course's quizzes to the
    trainer; a learner's email is refused with the reason."""
    ours = one_module_lab(app, tmp_path)
    theirs = sync(
        app,
        write_pack(tmp_path / "theirs", [{"slug": "m1", "lessons": ["m1-read"], "gift": BASIC_GIFT}], slug="theirs"),
    )
    trainer = make_user("trainer")
    learner = make_user()
    trainer_client = login(trainer, app.test_client())

    one = runner.invoke(args=["courses", "assign-trainer", trainer["email"], "--course", ours.slug])
    assert one.exit_code == 0, one.output
    assert authoring_statuses(trainer_client, ours.quiz_id)["quiz page"] == 200
    assert authoring_statuses(trainer_client, theirs.quizzes["m1"])["quiz page"] == 403

    every = runner.invoke(args=["courses", "assign-trainer", trainer["email"]])
    assert every.exit_code == 0, every.output
    assert f"is a trainer of {theirs.slug}" in every.output
    assert authoring_statuses(trainer_client, theirs.quizzes["m1"])["quiz page"] == 200

    refused = runner.invoke(args=["courses", "assign-trainer", learner["email"]])
    assert refused.exit_code != 0
    assert "only trainers are assigned to courses" in refused.output
