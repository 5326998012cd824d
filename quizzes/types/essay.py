"""Essay: the learner writes a few paragraphs; a trainer marks them, and the attempt's score waits for that mark."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from quizzes.editors import EssayEditor

from .base import NO_ANSWER, Grade, QuestionType, as_dict, text

MAX_ESSAY_LENGTH = 20_000  # characters: several pages, far more than a question asks for


class Essay(QuestionType):
    """Free text, marked by a trainer (the config may hold guidance that only markers see)."""

    name = "essay"
    label = "Essay"
    editor = EssayEditor
    marked_by_trainer = True
    gift_omits = ("guidance",)
    # Moodle's essay is an empty answer block; a plugin that reads it too (lower order) is asked first.
    gift_order = 60

    def validate(self, config):
        """Guidance, when given, is text."""
        if not isinstance(config, dict):
            return ["The question settings are damaged."]
        return [] if isinstance(config.get("guidance", ""), str) else ["The marking guidance must be text."]

    def answer_field(self, config, layout, label):
        """A multi-line text box."""
        return TextAreaField(
            label,
            validators=[Optional(), Length(max=MAX_ESSAY_LENGTH)],
            render_kw={"rows": 10, "maxlength": MAX_ESSAY_LENGTH},
        )

    def response_from_data(self, config, layout, data):
        """The text as written."""
        return {"text": text(data)[:MAX_ESSAY_LENGTH]}

    def field_data(self, config, layout, response):
        """The saved text."""
        return text(as_dict(response).get("text"))

    def grade(self, config, response):
        """Nothing to mark in a blank essay (it scores 0); any other waits for a trainer."""
        if not text(as_dict(response).get("text")).strip():
            return Grade.zero()
        return Grade(score=0.0, correct=False, pending=True)

    def correct_response(self, config):
        """There is no single right essay."""
        return {}

    def describe_response(self, config, response):
        """The essay as written."""
        return text(as_dict(response).get("text")).strip() or NO_ANSWER

    def from_gift(self, answers):
        """An empty config for an empty answer block."""
        return {} if answers is not None and not answers.text else None

    def to_gift(self, config, fmt):
        """An empty answer block (marking guidance has no place in GIFT)."""
        return []
