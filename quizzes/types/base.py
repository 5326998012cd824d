"""Shared pieces of the quiz question types: the Grade record, the QuestionType
interface and small helpers that keep the type modules short (their GIFT
reading and writing builds on the helpers of quizzes.gift).

Everything here is pure: no Flask, no database, no request. Configs and
responses arrive as JSON-like values that may be malformed, so the helpers
coerce defensively instead of raising.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wtforms import FormField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.form import BaseForm
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

if TYPE_CHECKING:
    from quizzes.editors import Editor

from quizzes.gift import AnswerText, required_entries, required_text, write_feedback, write_text, write_weighted

# Float sums such as 33.33 + 33.33 + 33.34 land a hair off 100; anything this
# close to a boundary counts as on it.
EPSILON = 1e-6

NO_ANSWER = "No answer"
MAX_ANSWER_LENGTH = 500  # a typed answer (a word, a number, a short phrase) never needs more


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one response."""

    score: float
    correct: bool
    parts: list[bool] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    pending: bool = False  # a trainer marks it (an essay): the score waits for them

    def __post_init__(self):
        # Frozen, so normalise through object.__setattr__: callers may pass
        # raw sums and feedback copied straight from a config.
        object.__setattr__(self, "score", clamp(self.score))
        object.__setattr__(self, "correct", bool(self.correct))
        object.__setattr__(self, "parts", [bool(p) for p in self.parts])
        object.__setattr__(self, "feedback", [f for f in self.feedback if isinstance(f, str) and f.strip()])

    @classmethod
    def from_score(cls, score: float, parts=(), feedback=()) -> Grade:
        """Build a Grade whose correctness follows from the (clamped) score."""
        score = clamp(score)
        return cls(score=score, correct=score == 1.0, parts=list(parts), feedback=list(feedback))

    @classmethod
    def zero(cls, feedback=()) -> Grade:
        """The grade for an unanswered or unusable response."""
        return cls(score=0.0, correct=False, parts=[], feedback=list(feedback))


# What every practice policy says of itself, in the words of a type that is a whole exercise.
PRACTICE_NEVER_COUNTS = "Practice never counts towards completion or a badge."


class QuestionType:
    """Interface every question type implements; see the type modules."""

    name: str = ""
    label: str = ""
    # Whether the question counts towards a score; a random draw takes only graded questions.
    graded: bool = True
    # Where the GIFT parser asks this type to read an answer block, lowest first
    # (Moodle decides by the block's shape, so a catch-all form must come last).
    # None means the type has no GIFT form: it then leaves from_gift and to_gift
    # alone, GIFT import never produces it and export leaves its questions out.
    gift_order: int | None = None
    # The config's keys GIFT has no place for (an essay's marking guidance): an export leaves them out, so an
    # import of that export matches the question without them and keeps them when it changes the question.
    gift_omits: tuple[str, ...] = ()
    # Answers a trainer marks by hand (an essay): no right answer to show, no "Check answer" in practice.
    marked_by_trainer: bool = False
    # The authoring form of the answer part (a quizzes.editors.Editor class); None: trainers cannot write
    # questions of this type in the browser, only import them.
    editor: type[Editor] | None = None
    # Answers built on the server from steps the page posts (a timed run, a conversation's replies), never from
    # the answer form: `step_template` shows the question on the attempt page, with `step_script` if it needs one.
    stepped: bool = False
    step_template: str | None = None
    step_script: str | None = None
    # A template that replays the learner's answer on the review page, in place of the one-line "Your answer".
    review_template: str | None = None
    # A question of this type is a whole exercise (a practice call, a typing test): a quiz asking it alone speaks
    # of the exercise (`exercise`, `exercise_rules`) rather than of "1 question" and a pass mark.
    whole_exercise: bool = False

    def exercise(self, config: dict) -> str:
        """What the exercise is called ("call", "typing test"), for a type that is a `whole_exercise`."""
        return ""

    def exercise_rules(self, config: dict, pass_mark: int) -> str:
        """How the exercise is scored and what passing it takes, for its quiz page."""
        return ""

    def exercise_goal(self, config: dict, pass_mark: int) -> str:
        """What passing the exercise takes, in a few words ("meet the standard")."""
        return ""

    def exercise_policy(self, review: str) -> str | None:
        """What the learner sees after a try under the review policy, where the quiz's own words ("which questions
        you got wrong") would not fit the exercise; None keeps them."""
        return None

    def verdict(self, score: float) -> str:
        """How an answer that scored `score` (0 to 1) fared, in words."""
        if score == 1:
            return "Right"
        return "Partly right" if score else "Not right"

    def validate(self, config: dict) -> list[str]:
        """Problems with the config in plain English; [] when valid."""
        raise NotImplementedError

    # How big a question of this type may be, so one question cannot make a learner's page too slow to load:
    # at most `max_parts` entries in config[parts_key], and no text in the config longer than `max_text`.
    parts_key: str | None = None
    max_parts: int = 50
    max_text: int = 2000

    def size_problems(self, config: dict) -> list[str]:
        """Problems with the question's size in plain English; [] when it is within the type's limits."""
        problems = []
        parts = as_dict(config).get(self.parts_key) if self.parts_key else None
        if isinstance(parts, list) and len(parts) > self.max_parts:
            problems.append(f"Use at most {self.max_parts} {self.parts_key}; this question has {len(parts)}.")
        longest = max((len(value) for value in texts_in(config)), default=0)
        if longest > self.max_text:
            problems.append(f"Keep each text under {self.max_text} characters; one here has {longest}.")
        return problems

    def layout(self, config: dict, rng: random.Random, shuffle: bool) -> dict:
        """The JSON-safe presentation fixed when an attempt starts."""
        return {}

    def public_view(self, config: dict, layout: dict) -> dict:
        """What the learner may see before submitting: no weights or feedback."""
        return {}

    # Whether the answer field's validators check what a learner types (a number, say): a refusal is then shown
    # beside the question for the learner to correct, not treated as a tampered form.
    checks_typed_answer = False

    def answer_field(self, config: dict, layout: dict, label: str):
        """An unbound wtforms field for the learner's answer."""
        raise NotImplementedError

    def response_from_data(self, config: dict, layout: dict, data) -> dict:
        """Turn the answer field's .data into a response dict."""
        raise NotImplementedError

    def field_data(self, config: dict, layout: dict, response: dict):
        """The inverse of response_from_data: a saved response as the answer field's data."""
        return None

    def take_step(self, config: dict, layout: dict, response: dict, step: str, posted: dict, moment) -> dict:
        """A stepped type's response after a step the server saw at `moment` (a timed run's "start", "progress"
        or "finish", a conversation's "reply"); raises quizzes.types.timing.StepRefused for one it refuses."""
        raise NotImplementedError

    def grade(self, config: dict, response: dict) -> Grade:
        """Grade a response; never raises on a malformed response."""
        raise NotImplementedError

    def finished(self, config: dict, response) -> bool:
        """Whether the learner took the question to its end (a conversation to its last line), so that submitting
        it now needs no second thought; True unless the type says otherwise."""
        return True

    def correct_response(self, config: dict) -> dict:
        """The response that earns full marks, for review pages."""
        raise NotImplementedError

    def describe_response(self, config: dict, response: dict) -> str:
        """The learner's answer as readable text for review pages and reports."""
        raise NotImplementedError

    def evidence(self, config: dict, response: dict) -> str:
        """The figures of a response that show a skill, for the role-readiness page (a speed, a rubric)."""
        return self.describe_response(config, response)

    def options(self, config: dict) -> list[tuple[str, str, bool]]:
        """The options a learner picks from, for item statistics: (key, label, earns marks); [] when the type
        has none (typed answers, matching, essays)."""
        return []

    def picked(self, config: dict, response: dict) -> list[str]:
        """The keys of the options a response picked (see `options`)."""
        return []

    def from_gift(self, answers: AnswerText | None) -> dict | None:
        """The config read from a GIFT answer block (None: the question has none), or None when not in this form.

        Raise answers.error(...) for a block in this type's form that is malformed.
        """
        raise NotImplementedError

    def to_gift(self, config: dict, fmt: str) -> list[str] | None:
        """The lines of the config's GIFT answer block, or None for a question written without one.

        Raise ValueError for a config that GIFT cannot hold.
        """
        raise NotImplementedError


def text_answer_field(label: str, validators=(), **render_kw) -> StringField:
    """A single-line text box for a typed answer, no longer than any answer needs to be; `validators` check what
    the learner typed (their message is shown beside the box, see `QuestionType.checks_typed_answer`)."""
    return StringField(
        label,
        validators=[Optional(), Length(max=MAX_ANSWER_LENGTH), *validators],
        render_kw={"autocomplete": "off", "maxlength": MAX_ANSWER_LENGTH, **render_kw},
    )


class MultiCheckboxField(SelectMultipleField):
    """A list of labelled checkboxes: one native control per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BlankFirstSelectField(SelectField):
    """A select whose first option is an empty "not answered yet" choice."""

    def __init__(self, label=None, validators=None, choices=(), blank="Choose…", **kwargs):
        super().__init__(label, validators, choices=[SelectChoice("", blank), *choices], **kwargs)


class SelectGroupField(FormField):
    """Several selects answering one question (a matching's prompts, an ordering's items), posted as `<name>-<key>`
    and read as one dict of the selected values by key.

    The selects are held as a form built for the request rather than as a form class: a class made for each question
    shown (and, on its first use, its meta class) was a third of the question's time on the attempt page, and left
    cycles for the garbage collector."""

    def __init__(self, label=None, selects: dict | None = None, **kwargs):
        super().__init__(self.build_selects, label=label, widget=ListWidget(prefix_label=True), **kwargs)
        self.selects = list((selects or {}).items())  # by key, each an unbound select

    def build_selects(self, formdata=None, obj=None, prefix="", meta=None, **data):
        """The selects as a form, processed with the post and the saved choices (called as a form class is)."""
        settings = DefaultMeta()
        settings.update_values(meta or {})  # tells the selects which form holds them, as a form class would
        form = BaseForm(self.selects, prefix=prefix, meta=settings)
        form.process(formdata, obj, data=data)
        return form


# ---------------------------------------------------------------- coercion


def clamp(value, low: float = 0.0, high: float = 1.0) -> float:
    """Clamp a number into [low, high], snapping values within EPSILON of an end."""
    value = number(value, 0.0)
    if value >= high - EPSILON:
        return high
    if value <= low + EPSILON:
        return low
    return value


def number(value, default=None):
    """A finite float from an int/float (never a bool), else default."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    value = float(value)
    return value if math.isfinite(value) else default


def texts_in(value) -> list[str]:
    """Every string anywhere inside a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in texts_in(item)]
    return []


def text(value) -> str:
    """The value if it is a string, else ""."""
    return value if isinstance(value, str) else ""


def as_dict(value) -> dict:
    """The value if it is a dict, else an empty dict."""
    return value if isinstance(value, dict) else {}


def entries(config, key: str) -> list[dict]:
    """config[key] as a list of dicts; malformed entries become {} so indices stay put."""
    items = as_dict(config).get(key)
    if not isinstance(items, list):
        return []
    return [as_dict(item) for item in items]


def weight(entry: dict) -> float:
    """An entry's weight as a float percentage (0 when missing or malformed)."""
    return number(entry.get("weight"), 0.0)


def index(value, size: int):
    """An int index in range(size) from an int or digit string, else None."""
    if isinstance(value, str):
        value = value.strip()
        # ASCII and short: "²" passes isdigit() but int() rejects it, and
        # int() refuses strings of thousands of digits.
        value = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


# ---------------------------------------------------------------- layouts


def shuffled(size: int, rng: random.Random, shuffle: bool = True) -> list[int]:
    """range(size) as a list, shuffled with rng when asked."""
    order = list(range(size))
    if shuffle:
        rng.shuffle(order)
    return order


def arrange(order, ids: list[int]) -> list[int]:
    """Repair a stored order so it lists each of ids exactly once.

    Layouts are saved when an attempt starts; if the question is edited later
    the stored order may name ids that no longer exist or miss new ones.
    """
    result: list[int] = []
    for value in order if isinstance(order, list) else []:
        if type(value) is int and value in ids and value not in result:
            result.append(value)
    return result + [i for i in ids if i not in result]


def permutation(order, size: int) -> list[int]:
    """Repair a stored order into a permutation of range(size)."""
    return arrange(order, list(range(size)))


# ---------------------------------------------------------------- validation


def weight_problem(entry: dict, what: str) -> str | None:
    """A problem with an entry's weight, or None when it is a number in -100..100."""
    value = number(entry.get("weight"))
    if value is None or not -100 <= value <= 100:
        return f"{what} needs a weight between -100 and 100."
    return None


def feedback_problem(entry: dict, what: str, key: str = "feedback") -> str | None:
    """A problem with an entry's feedback, or None when it is text (possibly empty)."""
    if not isinstance(entry.get(key, ""), str):
        return f"{what} feedback must be text."
    return None


class ChoiceListType(QuestionType):
    """Behaviour shared by the types whose config is a list of weighted choices."""

    parts_key = "choices"

    def choice_problems(self, config) -> list[str]:
        """Problems common to every weighted choice list."""
        if not isinstance(as_dict(config).get("choices"), list):
            return ["Add at least two choices."]
        choices = entries(config, "choices")
        problems = [] if len(choices) >= 2 else ["Add at least two choices."]
        seen: dict[str, int] = {}
        for n, choice in enumerate(choices, start=1):
            what = f"Choice {n}"
            label = text(choice.get("text")).strip()
            if not label:
                problems.append(f"{what} needs some text.")
            elif label.casefold() in seen:
                problems.append(f"{what} repeats choice {seen[label.casefold()]}.")
            else:
                seen[label.casefold()] = n
            problems += filter(None, [weight_problem(choice, what), feedback_problem(choice, what)])
        return problems

    def layout(self, config, rng, shuffle):
        """The option order for this attempt."""
        return {"order": shuffled(len(entries(config, "choices")), rng, shuffle)}

    def public_view(self, config, layout):
        """Option ids and texts in layout order, nothing else."""
        choices = entries(config, "choices")
        order = permutation(as_dict(layout).get("order"), len(choices))
        return {"choices": [{"id": i, "text": text(choices[i].get("text"))} for i in order]}

    def field_choices(self, config, layout) -> list[SelectChoice]:
        """Field options in layout order; values are display positions, so they say nothing about the key."""
        view = self.public_view(config, layout)
        return [SelectChoice(str(position), c["text"]) for position, c in enumerate(view["choices"])]

    def original_index(self, config, layout, value):
        """Map a submitted display position back to the choice's index in the config."""
        order = permutation(as_dict(layout).get("order"), len(entries(config, "choices")))
        position = index(value, len(order))
        return None if position is None else order[position]

    def choice_text(self, config, i: int) -> str:
        """The text of choice i."""
        return text(entries(config, "choices")[i].get("text"))

    def options(self, config):
        """Each choice, keyed by its index."""
        return [(str(i), text(c.get("text")), weight(c) > 0) for i, c in enumerate(entries(config, "choices"))]

    def picked(self, config, response):
        """The chosen index (single choice) or indices (multiple response)."""
        response = as_dict(response)
        values = response.get("choices") if "choices" in response else [response.get("choice")]
        size = len(entries(config, "choices"))
        return [str(i) for i in (index(v, size) for v in (values if isinstance(values, list) else [])) if i is not None]

    def choices_from_gift(self, answers: AnswerText | None, single: bool) -> dict | None:
        """The choices of a '~' block; None unless it is one, and single (any '=' answer) or not as asked.

        Moodle reads any block with a '~' as multiple choice, and makes it single
        choice when some answer is marked '='.
        """
        if answers is None or "~" not in answers.text:
            return None
        parts = answers.split_answers("~=")
        if len(parts) < 2:
            raise answers.error("a multiple-choice question needs at least 2 choices")
        choices = [gift_choice(marker, part, n) for n, (marker, part) in enumerate(parts, start=1)]
        if any(marker == "=" for marker, _ in parts) != single:
            return None
        return {"choices": choices}

    def choices_to_gift(self, config: dict, fmt: str, single: bool) -> list[str]:
        """Choice lines: '=' for the first full-marks choice of a single choice, '~%N%' otherwise."""
        choices = required_entries(config, "choices", 2)
        if single and not any(c.get("weight") == 100 for c in choices):
            raise ValueError(f"a {self.name} question needs a choice with weight 100")
        lines, marked = [], False
        for choice in choices:
            share = choice.get("weight", 0)
            if single and share == 100 and not marked:
                # Only one '=': with every choice written as '=' and no '~' the
                # block would read back as a short answer.
                prefix, marked = "=", True
            else:
                prefix = write_weighted("~", share, 0)
            label = write_text(required_text(choice, "text"), fmt)
            lines.append(prefix + label + write_feedback(choice.get("feedback", ""), fmt))
        return lines


def gift_choice(marker: str, part: AnswerText, number: int) -> dict:
    """One multiple-choice answer read from GIFT."""
    if marker == "=":
        # Moodle always gives '=' full marks and would keep a %N% as part of the text.
        if part.has_weight():
            raise part.error("an '=' choice is always worth 100%; write ~%50% for a partly right choice")
        weight = 100.0
    else:
        weight, part = part.take_weight(0.0)
    label, feedback = part.split_feedback()
    if not label:
        raise part.error(f"choice {number} is empty")
    return {"text": label, "weight": weight, "feedback": feedback}
