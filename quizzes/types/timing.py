"""Runs timed by the server, for the question types that measure speed (the typing test, the data-entry drill).

A run is part of the learner's response. The server writes every time in it, from its own clock, when a
request arrives: the start, each progress save (how far the learner had got, in characters) and the finish.
The browser's own clock is never used for a result, so a speed is only as fast as the server saw the work
arrive. Everything here is pure: the moment of each step is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .base import as_dict, number, text

# Far more progress saves than any run needs (one a second for half an hour): a bound on the response's size.
MAX_MARKS = 2000
# A hand typing at 200 words a minute adds about 17 characters a second; the page saves progress every second.
# More than this many characters between two saves the server saw did not come from the keyboard.
MAX_CHARS_BETWEEN_MARKS = 40
# 250 words a minute of five characters: faster than the fastest typists on record over a passage.
MAX_CHARS_PER_MINUTE = 1250


class StepRefused(Exception):
    """A step the server will not record (a timed run's, a conversation's), with the message for the learner and
    the HTTP status."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Run:
    """One run as the server recorded it: elapsed milliseconds and characters at each mark, and the finish."""

    started: datetime | None
    marks: list[tuple[int, int]]
    finished_ms: int | None

    @property
    def finished(self) -> bool:
        """Whether the server has seen the run end."""
        return self.started is not None and self.finished_ms is not None

    @property
    def minutes(self) -> float:
        """How long the run took by the server's clock, in minutes (0 until it finished)."""
        return (self.finished_ms or 0) / 60_000

    def typed_by_hand(self, chars: int) -> bool:
        """Whether `chars` characters could have been typed in this run: none arrived in a jump between two
        saves, and not faster than anyone types."""
        if self.largest_jump() > MAX_CHARS_BETWEEN_MARKS:
            return False
        return chars <= MAX_CHARS_PER_MINUTE * self.minutes

    def largest_jump(self) -> int:
        """The most characters that arrived between two marks the server saw one after the other."""
        jumps, before = [0], 0
        for _ms, chars in self.marks:
            jumps.append(chars - before)
            before = chars
        return max(jumps)


def parse_time(value) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime, or None when it is not one."""
    try:
        moment = datetime.fromisoformat(text(value))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: a time at the edge of the calendar, moved to UTC
        return None


def read_run(response) -> Run:
    """The run recorded in a response, repaired where a stored value is unusable."""
    response = as_dict(response)
    marks = []
    for mark in response.get("marks") if isinstance(response.get("marks"), list) else []:
        if isinstance(mark, list) and len(mark) == 2:
            ms, chars = number(mark[0]), number(mark[1])
            if ms is not None and chars is not None:
                marks.append((int(ms), int(chars)))
    finished = number(response.get("finished_ms"))
    return Run(parse_time(response.get("started")), marks, None if finished is None else int(finished))


def elapsed_ms(run: Run, moment: datetime) -> int:
    """Milliseconds from the run's start to this moment, by the server's clock."""
    assert run.started is not None  # nosec B101: callers check that the run has started
    return max(0, int((moment - run.started).total_seconds() * 1000))


def known_step(step: str) -> None:
    """Refuse a step a timed run does not have."""
    if step not in ("start", "progress", "finish"):
        raise StepRefused("This question has no such step.", 404)


def start(moment: datetime) -> dict:
    """A new run, started now (starting again discards the previous run)."""
    return {"started": moment.isoformat(), "marks": [], "finished_ms": None}


def open_run(response) -> Run:
    """The response's run if it is under way; refused when it has not started or has already finished."""
    run = read_run(response)
    if run.started is None:
        raise StepRefused("Press Start first: the server times the test from then.")
    if run.finished:
        raise StepRefused("This run has finished. Press Start to try again.")
    return run


def progress(response, moment: datetime, chars: int, **work) -> dict:
    """The response with a mark of how far the learner has got (`chars`) and their `work` so far."""
    run = open_run(response)
    if len(run.marks) >= MAX_MARKS:
        raise StepRefused("This run has gone on too long. Press Start to try again.")
    marks = [*map(list, run.marks), [elapsed_ms(run, moment), chars]]
    return {**as_dict(response), **work, "marks": marks}


def finish(response, moment: datetime, chars: int, claimed_finish, **work) -> dict:
    """The response with the run finished now. The browser's claimed finish time is only checked: one before the
    server saw the start is refused."""
    run = open_run(response)
    claimed = parse_time(claimed_finish)
    if claimed is None:
        raise StepRefused("The finish time could not be read.", 400)
    assert run.started is not None  # nosec B101: open_run checked it
    if claimed < run.started:
        raise StepRefused("This finish time is before the test started: the result was not recorded.", 400)
    ms = elapsed_ms(run, moment)
    marks = [*map(list, run.marks), [ms, chars]]
    return {**as_dict(response), **work, "marks": marks, "finished_ms": ms}
