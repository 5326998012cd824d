"""The steps of an attempt's stepped questions (a typing test's or drill's run, a conversation's replies): the page
posts each one and the server records it at its own time."""

from flask import abort, jsonify, request
from flask_login import current_user

from lms.access import SIGNED_IN, allow
from lms.services import ServiceError
from quizzes import attempts as service
from quizzes.views import bp, get_own_attempt

STEPS = ("start", "progress", "finish", "reply")
MAX_POSTED = 4000  # characters of any one posted value: more than a passage or a record ever holds


@bp.route("/attempts/<int:attempt_id>/questions/<int:number>/<step>", methods=["POST"])
@allow(SIGNED_IN)
def question_step(attempt_id: int, number: int, step: str):
    """Record a step of a stepped question at the server's time; answers JSON, with the result once a run
    finishes."""
    attempt, _outline = get_own_attempt(attempt_id)
    if step not in STEPS:
        abort(404)
    # The app's CSRF protection has already refused a post without this page's token (lms.errors).
    posted = {key: value[:MAX_POSTED] for key, value in request.form.items() if key != "csrf_token"}
    try:
        view, response = service.record_step(attempt.id, current_user.id, number - 1, step, posted)
    except ServiceError as exc:
        return jsonify(error=exc.message), exc.status
    body: dict = {"started": response.get("started")}
    if step == "finish" and view.qtype is not None:  # record_step refused any question of a type without steps
        grade = view.qtype.grade(view.version.config, response)
        body.update(met=grade.correct, feedback=grade.feedback)
    return jsonify(body)
