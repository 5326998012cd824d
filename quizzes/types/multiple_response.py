"""Multiple response: the learner ticks any number of options; weights add up."""

from __future__ import annotations

from wtforms.validators import Optional

from quizzes.editors import MultipleChoicesEditor

from .base import (
    EPSILON,
    NO_ANSWER,
    ChoiceListType,
    Grade,
    MultiCheckboxField,
    as_dict,
    entries,
    index,
    weight,
)


class MultipleResponse(ChoiceListType):
    """Any number of answers; right ones share 100%, wrong ones may cost marks."""

    name = "multiple_response"
    label = "Multiple response"
    editor = MultipleChoicesEditor
    gift_order = 21  # next to single choice: the same '~' block without an '=' answer

    def validate(self, config):
        """Check choices and that some choice earns marks.

        Positive weights that do not add up to 100 are accepted, as Moodle accepts them: less than 100 caps the
        best score below full marks, more is capped at full marks. The trainer's form asks for 100.
        """
        problems = self.choice_problems(config)
        choices = entries(config, "choices")
        if choices and not any(weight(c) > EPSILON for c in choices):
            problems.append("Give at least one choice a positive weight so the question has a correct answer.")
        return problems

    def from_gift(self, answers):
        """Choices from a '~' block with no answer marked '='."""
        return self.choices_from_gift(answers, single=False)

    def to_gift(self, config, fmt):
        """'~%N%' lines only: never an '=', so the block reads back as multiple response."""
        return self.choices_to_gift(config, fmt, single=False)

    def answer_field(self, config, layout, label):
        """Checkboxes, one labelled input per choice."""
        choices = self.field_choices(config, layout)
        return MultiCheckboxField(label, choices=choices, validators=[Optional()])

    def response_from_data(self, config, layout, data):
        """The ticked indices, sorted and without repeats."""
        values = data if isinstance(data, (list, tuple)) else []
        return {"choices": self._selected(config, [self.original_index(config, layout, v) for v in values])}

    def field_data(self, config, layout, response):
        """The display positions of the saved choices."""
        order = as_dict(layout).get("order") or []
        return [str(order.index(c)) for c in as_dict(response).get("choices") or [] if c in order]

    def _selected(self, config, values) -> list[int]:
        """Valid, distinct choice indices from a list of ints or digit strings."""
        size = len(entries(config, "choices"))
        picked = {index(v, size) for v in values} if isinstance(values, (list, tuple)) else set()
        return sorted(picked - {None})

    def grade(self, config, response):
        """Sum the weights of the ticked choices; show each one's feedback."""
        choices = entries(config, "choices")
        selected = self._selected(config, as_dict(response).get("choices"))
        if not selected:
            return Grade.zero()
        return Grade.from_score(
            sum(weight(choices[i]) for i in selected) / 100,
            parts=[weight(choices[i]) > 0 for i in selected],
            feedback=[choices[i].get("feedback") for i in selected],
        )

    def correct_response(self, config):
        """Every choice with a positive weight."""
        return {"choices": [i for i, c in enumerate(entries(config, "choices")) if weight(c) > 0]}

    def describe_response(self, config, response):
        """The ticked choices' texts, separated by semicolons."""
        selected = self._selected(config, as_dict(response).get("choices"))
        return "; ".join(self.choice_text(config, i) for i in selected) or NO_ANSWER
