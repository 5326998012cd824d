"""Short answer: the learner types text that is compared with accepted answers."""

from __future__ import annotations

import unicodedata

from quizzes.editors import ShortAnswerEditor
from quizzes.gift import required_entries, required_text, write_feedback, write_text, write_weighted

from .base import (
    NO_ANSWER,
    Grade,
    QuestionType,
    as_dict,
    entries,
    feedback_problem,
    text,
    text_answer_field,
    weight,
    weight_problem,
)


def normalise(value: str) -> str:
    """Fold case, collapse whitespace runs and trim, so trivial differences don't count."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def matches(pattern: str, response: str) -> bool:
    """Whether a response matches an accepted answer where * stands for any run of characters.

    Matched segment by segment rather than with a regex so that a long
    response cannot trigger catastrophic backtracking.
    """
    pattern, response = normalise(pattern), normalise(response)
    first, *middle_and_last = pattern.split("*")
    if not middle_and_last:
        return pattern == response
    *middle, last = middle_and_last
    if len(first) + len(last) > len(response):
        return False
    if not (response.startswith(first) and response.endswith(last)):
        return False
    position, end = len(first), len(response) - len(last)
    for segment in middle:
        found = response.find(segment, position, end)
        if found < 0:
            return False
        position = found + len(segment)
    return True


def best_answer(answers: list[dict], is_match) -> dict | None:
    """The highest-weighted answer for which is_match(answer) holds, if any."""
    matching = [a for a in answers if is_match(a)]
    return max(matching, key=weight) if matching else None


class ShortAnswer(QuestionType):
    """A typed word or phrase, graded against a list of accepted answers."""

    name = "short_answer"
    label = "Short answer"
    editor = ShortAnswerEditor
    parts_key = "answers"
    gift_order = 90  # last: Moodle reads any block no other type claims as a short answer

    def validate(self, config):
        """Check every answer has text and a weight, and one earns full marks."""
        answers = entries(config, "answers")
        if not answers:
            return ["Add at least one accepted answer."]
        problems = []
        for n, answer in enumerate(answers, start=1):
            what = f"Answer {n}"
            if not normalise(text(answer.get("text"))):
                problems.append(f"{what} needs some text.")
            problems += filter(None, [weight_problem(answer, what), feedback_problem(answer, what)])
        if not any(weight(a) >= 100 for a in answers):
            problems.append("Give one answer a weight of 100 so the question has a correct answer.")
        return problems

    def from_gift(self, answers):
        """Accepted answers; a single answer may leave out its '='."""
        # An empty block is Moodle's essay, not a short answer without answers.
        if answers is None or not answers.text:
            return None
        result = []
        for number, (_marker, part) in enumerate(answers.split_answers("="), start=1):
            percent, rest = part.take_weight(100.0)
            answer, feedback = rest.split_feedback()
            if not answer:
                raise part.error(f"short answer {number} is empty")
            result.append({"text": answer, "weight": percent, "feedback": feedback})
        return {"answers": result}

    def to_gift(self, config, fmt):
        """One '=' line per accepted answer."""
        lines = []
        for entry in required_entries(config, "answers", 1):
            answer, feedback = required_text(entry, "text"), entry.get("feedback", "")
            if "->" in answer or "->" in feedback:
                # Moodle reads any '=' block containing '->' as matching, and '->' cannot be escaped.
                raise ValueError("a short answer cannot contain '->' in GIFT")
            prefix = write_weighted("=", entry.get("weight", 100), 100)
            lines.append(prefix + write_text(answer, fmt) + write_feedback(feedback, fmt))
        return lines

    def answer_field(self, config, layout, label):
        """A single-line text box."""
        return text_answer_field(label)

    def response_from_data(self, config, layout, data):
        """The typed text."""
        return {"text": text(data)}

    def field_data(self, config, layout, response):
        """The text as typed."""
        return text(as_dict(response).get("text"))

    def grade(self, config, response):
        """Score the best-weighted accepted answer the text matches."""
        given = text(as_dict(response).get("text"))
        if not given.strip():
            return Grade.zero()
        best = best_answer(entries(config, "answers"), lambda a: matches(text(a.get("text")), given))
        if best is None:
            return Grade.zero()
        return Grade.from_score(weight(best) / 100, feedback=[best.get("feedback")])

    def correct_response(self, config):
        """The highest-weighted accepted answer."""
        best = best_answer(entries(config, "answers"), lambda a: True)
        return {"text": text(best.get("text")) if best else ""}

    def describe_response(self, config, response):
        """The typed text, trimmed."""
        return text(as_dict(response).get("text")).strip() or NO_ANSWER
