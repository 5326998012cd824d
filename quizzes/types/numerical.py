"""Numerical: the learner types a number that must fall in an accepted range."""

from __future__ import annotations

import math
import re
import sys
import unicodedata

from wtforms.validators import ValidationError

from quizzes.editors import NumericalEditor
from quizzes.gift import AnswerText, required_entries, trim, write_feedback, write_number, write_weighted

from .base import (
    EPSILON,
    NO_ANSWER,
    Grade,
    QuestionType,
    as_dict,
    entries,
    feedback_problem,
    number,
    text,
    text_answer_field,
    weight,
    weight_problem,
)
from .short_answer import best_answer

NOT_A_NUMBER = "Enter a number, for example 42 or 3.5."

# Plain decimal or scientific notation only. float() alone would also accept
# "nan", "inf" and "1_000", none of which a learner means. Digits of other
# scripts (١٨٢٢, as an Arabic keyboard types 1822) are read as the same digits
# first; the Arabic decimal separator as a point.
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
ARABIC_DECIMAL_SEPARATOR = "\u066b"


def western_digits(value: str) -> str:
    """The text with every decimal digit of another script written as 0-9 (superscripts and the like are no
    decimal digits, and stay as they are)."""
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in value.replace(ARABIC_DECIMAL_SEPARATOR, ".")
    )


# A GIFT "*" answer (Moodle's "any other answer", also written "~#feedback")
# becomes the widest finite range: it then stays JSON-safe and passes
# validate(), while every number still falls inside it.
ANY_NUMBER = sys.float_info.max


def typed_number(_form, field) -> None:
    """Answer-field validator: what the learner typed must be a number (an empty box is simply unanswered)."""
    typed = text(field.data).strip()
    if typed and parse_number(typed) is None:
        raise ValidationError(f"“{typed[:40]}” is not a number. {NOT_A_NUMBER}")


def parse_number(value) -> float | None:
    """The finite number a learner typed, or None when it is not one."""
    value = western_digits(text(value).strip())
    if not NUMBER.fullmatch(value):
        return None
    parsed = float(value)
    return parsed if math.isfinite(parsed) else None


def format_number(value: float) -> str:
    """A number as a learner would type it: 42 rather than 42.0."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def in_range(answer: dict, value: float) -> bool:
    """Whether value lies in the answer's min..max, allowing for float rounding."""
    low, high = number(answer.get("min")), number(answer.get("max"))
    if low is None or high is None:
        return False
    # Bounds derived as value ± tolerance (3.14 ± 0.01) carry float error.
    slack = EPSILON * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


def _has_range(answer: dict) -> bool:
    """Whether the answer's min and max are both numbers."""
    return number(answer.get("min")) is not None and number(answer.get("max")) is not None


# ---------------------------------------------------------------- GIFT


def any_number() -> dict:
    """The range fields of an answer that accepts every number."""
    return {"min": -ANY_NUMBER, "max": ANY_NUMBER, "value": None, "tolerance": None}


def gift_number(part: AnswerText, written: str) -> float:
    """A finite number from a GIFT answer, or a GiftError."""
    written = trim(written)
    value = parse_number(written) if NUMBER.fullmatch(written) else None
    if value is None:
        raise part.error(f"the numerical answer '{written}' is not a number")
    return value


def gift_range(part: AnswerText, written: str) -> dict:
    """The range fields of value, value:tolerance or min..max."""
    if written.find("..") > 0:
        low, high = (gift_number(part, bound) for bound in written.split("..", 1))
        if low > high:
            raise part.error(f"the numerical range '{written}' starts above where it ends")
        return {"min": low, "max": high, "value": None, "tolerance": None}
    # A leading ':' is not a tolerance, so ":5" is reported as not a number.
    value, _, tolerance = written.partition(":") if written.find(":") > 0 else (written, "", "0")
    centre, spread = gift_number(part, value), gift_number(part, tolerance)
    if spread < 0:
        raise part.error(f"the numerical tolerance in '{written}' is negative")
    return {"min": centre - spread, "max": centre + spread, "value": centre, "tolerance": spread}


def gift_answer(part: AnswerText) -> dict:
    """One '=' answer: a range or *, with its weight and feedback."""
    percent, rest = part.take_weight(100.0)
    written, feedback = rest.split_feedback()
    found = any_number() if written == "*" else gift_range(part, written)
    return {**found, "weight": percent, "feedback": feedback}


def gift_others(part: AnswerText) -> dict:
    """The part after '~': '#feedback' for any other number, worth nothing."""
    head, feedback = part.partition("#")
    if trim(head.text):
        raise part.error("in a numerical question '~' may only be followed by '#feedback' for any other answer")
    return {**any_number(), "weight": 0.0, "feedback": feedback.plain() if feedback is not None else ""}


def gift_value(answer: dict) -> str:
    """An answer's range as GIFT writes it: *, min..max or value:tolerance."""
    if answer.get("min") == -ANY_NUMBER and answer.get("max") == ANY_NUMBER:
        return "*"
    if answer.get("value") is None:
        return f"{write_number(answer.get('min'))}..{write_number(answer.get('max'))}"
    return f"{write_number(answer['value'])}:{write_number(answer.get('tolerance') or 0)}"


class Numerical(QuestionType):
    """A typed number, graded against accepted ranges."""

    name = "numerical"
    label = "Numerical"
    editor = NumericalEditor
    parts_key = "answers"
    gift_order = 10  # first: its '#' block may also hold '~' and '='

    def from_gift(self, answers):
        """Answers of a '#' block: value, value:tolerance, min..max or *, and '~#feedback' for any other."""
        if answers is None or not answers.text.startswith("#"):
            return None
        accepted, others = answers.cut(1).partition("~")
        parts = accepted.split_answers("=")
        if not parts:
            raise accepted.error("the numerical question has no answer")
        result = [gift_answer(part) for _marker, part in parts]
        if others is not None:
            result.append(gift_others(others))
        return {"answers": result}

    def to_gift(self, config, fmt):
        """The '#' that marks the type, then one '=' line per answer."""
        lines = ["#"]
        for answer in required_entries(config, "answers", 1):
            prefix = write_weighted("=", answer.get("weight", 100), 100)
            lines.append(prefix + gift_value(answer) + write_feedback(answer.get("feedback", ""), fmt))
        return lines

    def validate(self, config):
        """Check each range is well formed and one earns full marks."""
        answers = entries(config, "answers")
        if not answers:
            return ["Add at least one accepted answer."]
        problems = []
        for n, answer in enumerate(answers, start=1):
            problems += self._answer_problems(answer, f"Answer {n}")
        if not any(weight(a) >= 100 for a in answers):
            problems.append("Give one answer a weight of 100 so the question has a correct answer.")
        return problems

    def _answer_problems(self, answer: dict, what: str) -> list[str]:
        """Problems with one accepted range."""
        low, high = number(answer.get("min")), number(answer.get("max"))
        problems = []
        if low is None or high is None:
            problems.append(f"{what} needs a lowest and a highest accepted number.")
        elif low > high:
            problems.append(f"{what} has its lowest number above its highest.")
        value, tolerance = answer.get("value"), answer.get("tolerance")
        if value is not None and number(value) is None:
            problems.append(f"{what} has an exact value that is not a number.")
        if tolerance is not None and (number(tolerance) is None or tolerance < 0):
            problems.append(f"{what} needs a tolerance of zero or more.")
        problems += filter(None, [weight_problem(answer, what), feedback_problem(answer, what)])
        return problems

    checks_typed_answer = True

    def answer_field(self, config, layout, label):
        """A single-line text box that refuses what is not a number (the learner corrects it; it is not graded)."""
        return text_answer_field(label, [typed_number], inputmode="decimal")

    def response_from_data(self, config, layout, data):
        """The typed text, kept as typed so the review shows it unchanged."""
        return {"text": text(data)}

    def field_data(self, config, layout, response):
        """The text as typed."""
        return text(as_dict(response).get("text"))

    def grade(self, config, response):
        """Score the best-weighted range containing the number."""
        given = text(as_dict(response).get("text"))
        if not given.strip():
            return Grade.zero()
        value = parse_number(given)
        if value is None:
            return Grade.zero(feedback=[NOT_A_NUMBER])
        best = best_answer(entries(config, "answers"), lambda a: in_range(a, value))
        if best is None:
            return Grade.zero()
        return Grade.from_score(weight(best) / 100, feedback=[best.get("feedback")])

    def correct_response(self, config):
        """The exact value of the best range when it has one, else the range's midpoint."""
        best = best_answer(entries(config, "answers"), _has_range)
        if best is None:
            return {"text": ""}
        value = number(best.get("value"))
        if value is None or not in_range(best, value):
            value = (number(best.get("min")) + number(best.get("max"))) / 2
        return {"text": format_number(value)}

    def describe_response(self, config, response):
        """The typed text, trimmed."""
        return text(as_dict(response).get("text")).strip() or NO_ANSWER
