"""What the typing test and the data-entry drill share: an answer built from a run the server times
(`quizzes.types.timing`), measured by the type, and described by its figures and the slips it lists."""

from __future__ import annotations

from .base import NO_ANSWER, PRACTICE_NEVER_COUNTS, QuestionType, as_dict

MAX_SLIPS_SHOWN = 12
# The start of the run a type offers as its right answer: a fixed time, since only its length matters.
STANDARD_START = "2000-01-01T00:00:00+00:00"


class TimedRun(QuestionType):
    """A question answered by one run at a time, timed by the server; subclasses measure it."""

    stepped = True
    step_script = "js/timed.js"
    slips_label = "Check"  # how the list of slips starts: "Words to practice", "Check"
    whole_exercise = True
    exercise_name = ""  # "typing test", "drill"

    def exercise(self, config):
        """The run's name."""
        return self.exercise_name

    def exercise_rules(self, config, pass_mark):
        """The standard, that the last run counts, and that the score is the share of the standard reached."""
        return (
            f"A timed run, which you may repeat before you submit: the last one you finish counts. The standard: "
            f"{self.standard(config)}. Your score is the share of the standard you reach (100% means you met it). "
            f"To pass, {self.exercise_goal(config, pass_mark)}."
        )

    def exercise_goal(self, config, pass_mark):
        """Meeting the standard, or reaching a share of it."""
        return "meet the standard" if pass_mark >= 100 else f"reach {pass_mark}% of the standard"

    def exercise_policy(self, review):
        """What each review shows of a run: its figures and slips (in a retry, with the lessons to revisit)."""
        return {
            "practice": "Practice: after each run you see its figures and the slips to practice. "
            + PRACTICE_NEVER_COUNTS,
            "retry_without_key": "Retry: after each run you see its figures, the slips to practice and the lessons "
            "to revisit.",
            "exam": "Exam: after an attempt you see your score and the lessons to revisit; the figures of your run "
            "show once you have passed.",
        }.get(review)

    def verdict(self, score):
        """Whether the run met the standard, and how much of it a run that fell short reached."""
        return "Standard met" if score >= 1 else f"Standard not met ({round(score * 100, 2):g}% of it)"

    def finished(self, config, response) -> bool:
        """Whether a run was finished: submitting without one asks first, as for an unanswered question."""
        return self.result(config, response) is not None

    def result(self, config, response):
        """The measured run (with `pasted`), or None when no run has finished."""
        raise NotImplementedError

    def summary(self, measured) -> str:
        """The run's figures in one sentence."""
        raise NotImplementedError

    def slips(self, measured) -> list[str]:
        """Each slip of the run, described."""
        raise NotImplementedError

    def standard(self, config) -> str:
        """The standard to reach, in words (what the review shows as the right answer)."""
        raise NotImplementedError

    def answer_field(self, config, layout, label):
        """None: the page's boxes save through the timed steps, never with the other answers."""
        return None

    def response_from_data(self, config, layout, data):
        """Not used: see `answer_field`."""
        return {}

    def slips_feedback(self, measured) -> list[str]:
        """The slips as a line of feedback (at most a dozen named), or none."""
        slips = self.slips(measured)
        if not slips:
            return []
        more = len(slips) - MAX_SLIPS_SHOWN
        return [
            f"{self.slips_label}: " + "; ".join(slips[:MAX_SLIPS_SHOWN]) + (f"; and {more} more." if more > 0 else ".")
        ]

    def evidence(self, config, response):
        """The run's figures, or "" without a finished run typed by hand."""
        measured = self.result(config, response)
        return "" if measured is None or measured.pasted else self.summary(measured).removesuffix(".")

    def describe_response(self, config, response):
        """The run's figures and slips, that it was pasted, or that there was none (the right answer: the
        standard)."""
        if as_dict(response).get("standard"):
            return self.standard(config)
        measured = self.result(config, response)
        if measured is None:
            return NO_ANSWER
        if measured.pasted:
            return "A run with pasted text"
        described = self.summary(measured).removesuffix(".")
        slips = self.slips(measured)[:MAX_SLIPS_SHOWN]
        return described + (f"; {self.slips_label.lower()}: " + "; ".join(slips) if slips else "")
