"""A third-party-style plugin: the "reflection" question type.

The learner writes a few sentences of their own. Any answer that is not blank
earns full marks: the point is to make the learner stop and think, not to
check the words. In GIFT it is Moodle's essay, an empty answer block, so a
Moodle export of essays imports as reflections where this plugin is installed.
"""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Optional

from lms.plugins import hookimpl
from quizzes.types.base import NO_ANSWER, Grade, QuestionType, as_dict, text


class Reflection(QuestionType):
    """Free text, graded only on whether the learner wrote something."""

    name = "reflection"
    label = "Reflection"
    # Before the built-in essay (60): where this plugin is installed, Moodle's essays import as reflections.
    gift_order = 50

    def validate(self, config):
        """Nothing to set up: any dict will do."""
        return [] if isinstance(config, dict) else ["The question settings are damaged."]

    def answer_field(self, config, layout, label):
        """A multi-line text box."""
        return TextAreaField(label, validators=[Optional()])

    def response_from_data(self, config, layout, data):
        """The text as written."""
        return {"text": text(data)}

    def field_data(self, config, layout, response):
        """The saved text."""
        return text(as_dict(response).get("text"))

    def grade(self, config, response):
        """Full marks for any answer that is not blank."""
        written = text(as_dict(response).get("text")).strip()
        return Grade.from_score(1.0, parts=[True]) if written else Grade.zero()

    def correct_response(self, config):
        """An answer of the learner's own; any non-blank text earns full marks."""
        return {"text": "Any answer in your own words"}

    def describe_response(self, config, response):
        """The text, trimmed."""
        return text(as_dict(response).get("text")).strip() or NO_ANSWER

    def from_gift(self, answers):
        """An empty config for an empty answer block (Moodle's essay)."""
        return {} if answers is not None and not answers.text else None

    def to_gift(self, config, fmt):
        """An empty answer block."""
        return []


@hookimpl
def lms_question_types(app):
    """The reflection question type."""
    return [Reflection]
