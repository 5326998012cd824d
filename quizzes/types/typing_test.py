"""Typing test: the learner types a passage; the server times the run and grades speed and accuracy.

Speed is counted the way typing tests and BPO employers count it: a word is five characters, gross words a
minute are the characters typed over the minutes taken, and net words a minute take away one word a minute for
each error left in. Errors come from lining the typed text up with the passage (a missed or extra character is
one error, not a shift of everything after it). Only the server's clock counts (see `quizzes.types.timing`), and
text that arrived in a jump no hand could type between two progress saves counts as pasted: such a run fails.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from quizzes.editors import TypingEditor

from . import timing
from .base import Grade, as_dict, number, text
from .timed import STANDARD_START, TimedRun
from .timing import Run, read_run

CHARS_PER_WORD = 5
COVERAGE = 0.9  # a run counts once the learner has typed at least this share of the passage
MAX_PASSAGE = 1500


@dataclass(frozen=True)
class Mistake:
    """One place where the typed text differs from the passage: what was expected and what was typed."""

    expected: str
    typed: str

    def describe(self) -> str:
        """The mistake in words, e.g. “the” typed as “teh”."""
        if not self.typed:
            return f"“{self.expected}” left out"
        if self.typed == self.expected:
            return f"the spacing after “{self.expected}”"
        return f"“{self.expected}” typed as “{self.typed}”"


@dataclass(frozen=True)
class TypingResult:
    """A finished run measured against its passage."""

    chars: int
    minutes: float
    errors: int
    matched: int
    covered: bool
    pasted: bool
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def gross_wpm(self) -> float:
        """Characters typed, in five-character words, per minute."""
        return self.chars / CHARS_PER_WORD / self.minutes if self.minutes else 0.0

    @property
    def net_wpm(self) -> float:
        """Gross words a minute less one for each uncorrected error a minute, never below zero."""
        return max(0.0, self.gross_wpm - self.errors / self.minutes) if self.minutes else 0.0

    @property
    def accuracy(self) -> float:
        """The share of characters that were right, as a percentage."""
        total = self.matched + self.errors
        return 100 * self.matched / total if total else 0.0


def compare(passage: str, typed: str) -> tuple[int, int, list[Mistake]]:
    """(matched characters, errors, words typed wrong) of the typed text lined up with the passage; the passage
    beyond where the learner stopped is not an error."""
    opcodes = difflib.SequenceMatcher(None, passage, typed, autojunk=False).get_opcodes()
    if opcodes and opcodes[-1][0] == "delete" and opcodes[-1][2] == len(passage):
        opcodes = opcodes[:-1]  # the part of the passage the learner never reached
    matched = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in opcodes if tag == "equal")
    errors = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")
    return matched, errors, word_mistakes(passage, typed, opcodes)


def word_mistakes(passage: str, typed: str, opcodes: list) -> list[Mistake]:
    """Each passage word with an error in it (or in the space after it), beside what was typed for it."""

    def typed_at(position: int, starting: bool) -> int:
        """Where in the typed text this position of the passage lines up; a word's start takes in characters
        inserted just before it."""
        for tag, i1, i2, j1, _j2 in opcodes:
            if i1 <= position < i2 or (starting and i1 == i2 == position):
                return j1 + (position - i1) if tag == "equal" else j1
        return len(typed)

    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", passage)]
    wrong: set[int] = set()
    for tag, i1, i2, _j1, _j2 in opcodes:
        if tag == "equal":
            continue
        # An insertion sits between two characters of the passage: it belongs to the word on either side.
        low, high = (i1, i2) if i2 > i1 else (i1 - 1, i1 + 1)
        touched = {n for n, (start, end) in enumerate(words) if start < high and low < end}
        # An error only in the spaces between words is shown with the word before it.
        before = [n for n, (_start, end) in enumerate(words) if end <= low]
        wrong |= touched or set(before[-1:]) or {0}
    return [
        Mistake(passage[s:e], typed[typed_at(s, True) : typed_at(e, False)].strip())
        for s, e in (words[n] for n in sorted(wrong))
    ]


def measure(passage: str, typed: str, run: Run) -> TypingResult:
    """The result of a finished run."""
    matched, errors, mistakes = compare(passage, typed)
    minutes = run.minutes
    pasted = not run.typed_by_hand(len(typed))
    covered = len(typed) >= COVERAGE * len(passage)
    return TypingResult(len(typed), minutes, errors, matched, covered, pasted, mistakes)


def one_decimal(value: float) -> str:
    """A figure as people read it: 42.5, 40."""
    return f"{value:.1f}".removesuffix(".0")


class TypingTest(TimedRun):
    """A passage to type, with the standard to reach: net words a minute and accuracy."""

    name = "typing"
    label = "Typing test"
    exercise_name = "typing test"
    step_template = "quizzes/_typing.html"
    slips_label = "Words to practice"
    editor = TypingEditor
    max_text = MAX_PASSAGE

    def validate(self, config):
        """A passage to type, and a standard within what people can reach."""
        config = as_dict(config)
        problems = []
        passage = text(config.get("passage")).strip()
        if len(passage) < 20:
            problems.append("Give a passage of at least 20 characters to type.")
        elif len(passage) > MAX_PASSAGE:
            problems.append(f"Keep the passage under {MAX_PASSAGE} characters: a test of a few minutes.")
        wpm = number(config.get("min_net_wpm"))
        if wpm is None or not 1 <= wpm <= 150:
            problems.append("Set the net words a minute to reach, from 1 to 150.")
        accuracy = number(config.get("min_accuracy"))
        if accuracy is None or not 50 <= accuracy <= 100:
            problems.append("Set the accuracy to reach, from 50 to 100 percent.")
        return problems

    def public_view(self, config, layout):
        """The passage and the standard: nothing is secret in a typing test."""
        config = as_dict(config)
        return {
            "passage": text(config.get("passage")).strip(),
            "min_net_wpm": number(config.get("min_net_wpm"), 0),
            "min_accuracy": number(config.get("min_accuracy"), 0),
        }

    def result(self, config, response) -> TypingResult | None:
        """The measured result of the response's run, or None when no run has finished."""
        run = read_run(response)
        if not run.finished:
            return None
        return measure(text(as_dict(config).get("passage")).strip(), text(as_dict(response).get("text")), run)

    def finished(self, config, response) -> bool:
        """Whether a run was finished over the whole passage (a run stopped partway counts for nothing more)."""
        measured = self.result(config, response)
        return measured is not None and measured.covered

    def grade(self, config, response):
        """Full marks for reaching the standard; otherwise the share of it reached (speed or accuracy, whichever
        falls shorter); nothing for a run that was not typed by hand."""
        measured = self.result(config, response)
        if measured is None:
            return Grade.zero(["You did not finish a run of the typing test."])
        if measured.pasted:
            return Grade.zero(
                ["Part of this text arrived faster than anyone types, so it counts as pasted. Type the passage."]
            )
        view = self.public_view(config, {})
        wpm, accuracy = view["min_net_wpm"] or 1, view["min_accuracy"] or 1
        feedback = [
            self.summary(measured) + f" The standard is {one_decimal(wpm)} net words a minute at "
            f"{one_decimal(accuracy)}% accuracy."
        ]
        feedback += self.slips_feedback(measured)
        if not measured.covered:
            feedback.append("Type the whole passage for the run to count.")
            return Grade(
                score=min(0.99, measured.chars / (COVERAGE * len(view["passage"]))), correct=False, feedback=feedback
            )
        if measured.net_wpm >= wpm and measured.accuracy >= accuracy:
            return Grade.from_score(1.0, parts=[True], feedback=feedback)
        share = min(0.99, measured.net_wpm / wpm, measured.accuracy / accuracy)
        return Grade(score=share, correct=False, parts=[False], feedback=feedback)

    def summary(self, measured: TypingResult) -> str:
        """Speed and accuracy in one sentence."""
        return (
            f"{one_decimal(measured.net_wpm)} net words a minute ({one_decimal(measured.gross_wpm)} gross) at "
            f"{one_decimal(measured.accuracy)}% accuracy, {measured.errors} "
            f"error{'' if measured.errors == 1 else 's'}, in {one_decimal(measured.minutes * 60)} seconds."
        )

    def correct_response(self, config):
        """A run that meets the standard: the passage typed without error at the standard's speed, saved every
        few words."""
        view = self.public_view(config, {})
        passage = view["passage"]
        ms_per_char = 60_000 / (CHARS_PER_WORD * max(view["min_net_wpm"] or 1, 1))
        marks = [[round(end * ms_per_char), end] for end in range(20, len(passage), 20)]
        finished = round(len(passage) * ms_per_char)
        marks.append([finished, len(passage)])
        run = {"started": STANDARD_START, "marks": marks, "finished_ms": finished, "text": passage}
        return {**run, "standard": True}  # described as the standard, not as one run

    def slips(self, measured):
        """The words typed wrong."""
        return [mistake.describe() for mistake in measured.mistakes]

    def standard(self, config):
        """The speed and accuracy to reach."""
        view = self.public_view(config, {})
        return (
            f"the passage typed at {one_decimal(view['min_net_wpm'])} net words a minute or faster, with at "
            f"least {one_decimal(view['min_accuracy'])}% accuracy"
        )

    def take_step(self, config, layout, response, step, posted, moment):
        """Start a run, save how far it has got, or finish it; the typed text is kept at each save."""
        timing.known_step(step)
        if step == "start":
            return {**timing.start(moment), "text": ""}
        typed = text(as_dict(posted).get("text"))[: len(self.public_view(config, {})["passage"]) + 200]
        if step == "progress":
            return timing.progress(response, moment, len(typed), text=typed)
        return timing.finish(response, moment, len(typed), as_dict(posted).get("finished_at"), text=typed)
