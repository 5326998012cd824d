"""Description: text shown between questions; nothing to answer or grade."""

from __future__ import annotations

from quizzes.editors import DescriptionEditor

from .base import Grade, QuestionType


class Description(QuestionType):
    """Text only: no answer, no score."""

    name = "description"
    label = "Description"
    editor = DescriptionEditor
    graded = False
    gift_order = 0  # the only type that reads a question without an answer block

    def from_gift(self, answers):
        """An empty config for a question without an answer block; a question with one is not a description."""
        return {} if answers is None else None

    def to_gift(self, config, fmt):
        """None: a description is written without an answer block."""
        return None

    def validate(self, config):
        """Any dict will do; the text lives on the question itself."""
        return [] if isinstance(config, dict) else ["The question settings are damaged."]

    def answer_field(self, config, layout, label):
        """None: there is nothing to answer, and wtforms skips non-field attributes."""
        return None

    def response_from_data(self, config, layout, data):
        """Always the empty response."""
        return {}

    def grade(self, config, response):
        """Nothing to get wrong: correct, with no score."""
        return Grade(score=0.0, correct=True)

    def correct_response(self, config):
        """The empty response."""
        return {}

    def describe_response(self, config, response):
        """Nothing was asked, so nothing to describe."""
        return ""
