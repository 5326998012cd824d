"""True/false: the learner says whether the statement in the question holds."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice
from wtforms.validators import Optional

from quizzes.editors import TrueFalseEditor
from quizzes.gift import trim, write_text

from .base import NO_ANSWER, Grade, QuestionType, as_dict, feedback_problem

# Field values and labels; True is listed first, as learners expect.
CHOICES = [SelectChoice("true", "True"), SelectChoice("false", "False")]

# GIFT's answers, in capitals only: Moodle reads {true} as a short answer.
GIFT_MARKS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _answer(value):
    """A bool from a bool or a "true"/"false" string, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


class TrueFalse(QuestionType):
    """A statement that is either true or false."""

    name = "true_false"
    label = "True/false"
    editor = TrueFalseEditor
    gift_order = 40  # after matching and the choices, whose blocks may hold a T or an F

    def validate(self, config):
        """Check the answer is set and the feedback is text."""
        config = as_dict(config)
        problems = []
        if not isinstance(config.get("answer"), bool):
            problems.append("Say whether the statement is true or false.")
        problems += filter(
            None,
            [
                feedback_problem(config, "The wrong-answer", "feedback_wrong"),
                feedback_problem(config, "The right-answer", "feedback_right"),
            ],
        )
        return problems

    def from_gift(self, answers):
        """T/F with feedback: Moodle shows the first for a wrong answer, the second for a right one."""
        if answers is None:
            return None
        mark, feedback = answers.partition("#")
        if trim(mark.text) not in GIFT_MARKS:
            return None
        wrong, right = feedback.partition("#") if feedback is not None else (None, None)
        return {
            "answer": GIFT_MARKS[trim(mark.text)],
            "feedback_wrong": wrong.plain() if wrong is not None else "",
            "feedback_right": right.plain() if right is not None else "",
        }

    def to_gift(self, config, fmt):
        """The single line: TRUE or FALSE, then the wrong-answer and right-answer feedback."""
        line = "TRUE" if config.get("answer") else "FALSE"
        wrong, right = config.get("feedback_wrong", ""), config.get("feedback_right", "")
        if wrong or right:
            line += "#" + write_text(wrong, fmt)
        if right:
            line += "#" + write_text(right, fmt)
        return [line]

    def public_view(self, config, layout):
        """The two options; they are never shuffled."""
        return {"choices": [{"id": c.value, "text": c.label} for c in CHOICES]}

    def answer_field(self, config, layout, label):
        """Two radio buttons, True then False."""
        return RadioField(label, choices=CHOICES, validators=[Optional()])

    def response_from_data(self, config, layout, data):
        """True, False, or None when unanswered."""
        return {"answer": _answer(data)}

    def field_data(self, config, layout, response):
        """ "true", "false" or None."""
        given = as_dict(response).get("answer")
        return None if not isinstance(given, bool) else ("true" if given else "false")

    def grade(self, config, response):
        """Full marks for the right answer; the matching feedback is shown."""
        config = as_dict(config)
        given = as_dict(response).get("answer")
        if not isinstance(given, bool) or not isinstance(config.get("answer"), bool):
            return Grade.zero()
        right = given == config["answer"]
        feedback = config.get("feedback_right" if right else "feedback_wrong")
        return Grade.from_score(1.0 if right else 0.0, parts=[right], feedback=[feedback])

    def correct_response(self, config):
        """The configured answer."""
        answer = as_dict(config).get("answer")
        return {"answer": answer if isinstance(answer, bool) else None}

    def options(self, config):
        """True and False."""
        answer = as_dict(config).get("answer")
        return [("true", "True", answer is True), ("false", "False", answer is False)]

    def picked(self, config, response):
        """ "true" or "false", or nothing when unanswered."""
        given = as_dict(response).get("answer")
        return ["true" if given else "false"] if isinstance(given, bool) else []

    def describe_response(self, config, response):
        """The answer as True, False or No answer."""
        given = as_dict(response).get("answer")
        return NO_ANSWER if not isinstance(given, bool) else ("True" if given else "False")
