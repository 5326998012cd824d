"""Single choice: the learner picks one option; its weight is the score."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import Optional

from quizzes.editors import ChoicesEditor

from .base import NO_ANSWER, ChoiceListType, Grade, as_dict, entries, index, weight


class SingleChoice(ChoiceListType):
    """One answer from a list of weighted choices."""

    name = "single_choice"
    label = "Single choice"
    editor = ChoicesEditor
    gift_order = 20  # after numerical, whose '~#feedback' would look like a choice

    def validate(self, config):
        """Check choices, weights and that one choice earns full marks."""
        problems = self.choice_problems(config)
        choices = entries(config, "choices")
        if choices and not any(weight(c) >= 100 for c in choices):
            problems.append("Give one choice a weight of 100 so the question has a correct answer.")
        return problems

    def from_gift(self, answers):
        """Choices from a '~' block with some answer marked '='."""
        return self.choices_from_gift(answers, single=True)

    def to_gift(self, config, fmt):
        """One '=' line for the right choice, '~' lines for the others."""
        return self.choices_to_gift(config, fmt, single=True)

    def answer_field(self, config, layout, label):
        """Radio buttons, one labelled input per choice."""
        return RadioField(label, choices=self.field_choices(config, layout), validators=[Optional()])

    def response_from_data(self, config, layout, data):
        """The chosen index, or None when nothing valid was chosen."""
        return {"choice": self.original_index(config, layout, data)}

    def field_data(self, config, layout, response):
        """The display position of the saved choice."""
        choice = as_dict(response).get("choice")
        order = as_dict(layout).get("order") or []
        return str(order.index(choice)) if choice in order else None

    def grade(self, config, response):
        """Score the chosen choice's weight; its feedback is shown."""
        choices = entries(config, "choices")
        i = index(as_dict(response).get("choice"), len(choices))
        if i is None:
            return Grade.zero()
        chosen = choices[i]
        return Grade.from_score(
            weight(chosen) / 100,
            parts=[weight(chosen) >= 100],
            feedback=[chosen.get("feedback")],
        )

    def correct_response(self, config):
        """The first choice with the highest weight."""
        choices = entries(config, "choices")
        if not choices:
            return {"choice": None}
        best = max(range(len(choices)), key=lambda i: (weight(choices[i]), -i))
        return {"choice": best}

    def describe_response(self, config, response):
        """The chosen choice's text."""
        i = index(as_dict(response).get("choice"), len(entries(config, "choices")))
        return NO_ANSWER if i is None else self.choice_text(config, i)
