"""The typing test's grader on runs worked out by hand: words a minute, errors, accuracy, pasting, and the steps
that build a run from the server's clock."""

from datetime import UTC, datetime, timedelta

import pytest

from quizzes.types.timing import StepRefused
from quizzes.types.typing_test import TypingTest, compare

PASSAGE = "Your refund of 40.00 was sent today. Thank you for calling."  # 59 characters
CONFIG = {"passage": PASSAGE, "min_net_wpm": 30, "min_accuracy": 95}
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
typing = TypingTest()


def run(typed: str, seconds: float, marks=None) -> dict:
    """A finished run as the server records it: progress saves every 20 characters unless `marks` are given."""
    ms = round(seconds * 1000)
    if marks is None:
        marks = [[round(ms * end / len(typed)), end] for end in range(20, len(typed), 20)]
    return {"started": T0.isoformat(), "marks": [*marks, [ms, len(typed)]], "finished_ms": ms, "text": typed}


def test_an_exact_run_counts_five_characters_a_word():
    # 59 characters are 11.8 words; in 12 seconds (a fifth of a minute) that is 59 words a minute.
    measured = typing.result(CONFIG, run(PASSAGE, 12))
    assert (measured.chars, measured.errors, measured.matched) == (59, 0, 59)
    assert measured.gross_wpm == pytest.approx(59.0)
    assert measured.net_wpm == pytest.approx(59.0)
    assert measured.accuracy == 100
    grade = typing.grade(CONFIG, run(PASSAGE, 12))
    assert grade.score == 1 and grade.correct
    assert grade.feedback[0].startswith("59 net words a minute (59 gross) at 100% accuracy, 0 errors, in 12 seconds.")


def test_each_error_left_in_takes_a_word_a_minute_off():
    # Two letters swapped ("refnud") line up as one left out and one added: 58 characters right and 2 errors.
    # In 30 s: gross 59 / 5 / 0.5 = 23.6, net 23.6 - 2 / 0.5 = 19.6; accuracy 58 / (58 + 2) = 96.7 %.
    typed = PASSAGE.replace("refund", "refnud")
    measured = typing.result(CONFIG, run(typed, 30))
    assert (measured.errors, measured.matched) == (2, 58)
    assert measured.gross_wpm == pytest.approx(23.6)
    assert measured.net_wpm == pytest.approx(19.6)
    assert measured.accuracy == pytest.approx(100 * 58 / 60)
    grade = typing.grade(CONFIG, run(typed, 30))
    # Short of the standard: the score is the share reached of the weaker figure, speed here (19.6 of 30).
    assert not grade.correct and grade.score == pytest.approx(19.6 / 30)
    assert "Words to practice: “refund” typed as “refnud”." in grade.feedback


def test_a_missed_or_extra_character_is_one_error_not_a_shifted_line():
    matched, errors, mistakes = compare(PASSAGE, PASSAGE.replace("sent", "snt"))
    assert (matched, errors) == (58, 1)
    assert [m.describe() for m in mistakes] == ["“sent” typed as “snt”"]
    matched, errors, mistakes = compare(PASSAGE, PASSAGE.replace("today", "todayy"))
    assert (matched, errors) == (59, 1)
    assert [m.describe() for m in mistakes] == ["“today.” typed as “todayy.”"]
    matched, errors, mistakes = compare(PASSAGE, PASSAGE.replace("Thank you ", "Thank "))
    assert (matched, errors) == (55, 4)
    assert [m.describe() for m in mistakes] == ["“you” left out"]


def test_the_passage_not_yet_reached_is_not_an_error_but_a_run_must_cover_it():
    matched, errors, _ = compare(PASSAGE, PASSAGE[:30])
    assert (matched, errors) == (30, 0)
    grade = typing.grade(CONFIG, run(PASSAGE[:30], 6))  # 60 words a minute, but half the passage
    assert not grade.correct
    assert "Type the whole passage for the run to count." in grade.feedback
    assert grade.score == pytest.approx(30 / (0.9 * 59))


def test_accuracy_below_the_standard_fails_even_at_speed():
    # Four errors in 59 characters: 55 / 59 = 93.2% accuracy, under 95%, however fast.
    typed = PASSAGE.replace("40.00", "40,00").replace("Thank", "Thnak").replace("today", "tody")
    measured = typing.result(CONFIG, run(typed, 10))
    assert measured.errors == 4 and measured.net_wpm > 30
    grade = typing.grade(CONFIG, run(typed, 10))
    assert not grade.correct and grade.score == pytest.approx(measured.accuracy / 95)


def test_text_that_arrived_in_a_jump_counts_as_pasted_whatever_the_time_taken():
    # Ninety seconds, but the whole passage reached the server between two saves: no hand typed it.
    pasted = run(PASSAGE, 90, marks=[[80_000, 0]])
    assert typing.result(CONFIG, pasted).pasted
    grade = typing.grade(CONFIG, pasted)
    assert grade.score == 0 and "counts as pasted" in grade.feedback[0]
    assert typing.describe_response(CONFIG, pasted) == "A run with pasted text"
    # Saves at most 40 characters apart are typing, at any pace a person reaches...
    assert not typing.result(CONFIG, run(PASSAGE, 12, marks=[[4000, 20], [8000, 40]])).pasted
    # ...but not 300 words a minute, even in small steps.
    assert typing.result(CONFIG, run(PASSAGE, 2.3)).pasted


def test_no_finished_run_scores_nothing():
    assert typing.grade(CONFIG, {}).score == 0
    unfinished = {**run(PASSAGE, 12), "finished_ms": None}
    assert typing.grade(CONFIG, unfinished).feedback == ["You did not finish a run of the typing test."]
    assert typing.grade(CONFIG, {"started": "yesterday", "finished_ms": "soon", "marks": "x"}).score == 0


def test_the_standard_is_the_right_answer_and_grades_full():
    right = typing.correct_response(CONFIG)
    assert typing.grade(CONFIG, right).correct
    assert typing.describe_response(CONFIG, right) == (
        "the passage typed at 30 net words a minute or faster, with at least 95% accuracy"
    )


def test_steps_build_a_run_from_the_servers_clock_alone():
    response = typing.take_step(CONFIG, {}, {}, "start", {}, T0)
    response = typing.take_step(CONFIG, {}, response, "progress", {"text": PASSAGE[:20]}, T0 + timedelta(seconds=4))
    claimed = (T0 + timedelta(seconds=1)).isoformat()  # the browser's clock says 1 s: only checked, never used
    response = typing.take_step(
        CONFIG, {}, response, "finish", {"text": PASSAGE, "finished_at": claimed}, T0 + timedelta(seconds=12)
    )
    assert response["marks"] == [[4000, 20], [12000, 59]] and response["finished_ms"] == 12000
    assert typing.result(CONFIG, response).gross_wpm == pytest.approx(59.0)


@pytest.mark.parametrize(
    ("before", "step", "posted", "message"),
    [
        ({}, "progress", {"text": "Your"}, "Press Start first"),
        ({}, "finish", {"text": "Your", "finished_at": T0.isoformat()}, "Press Start first"),
        ("finished", "progress", {"text": "Your"}, "This run has finished"),
        ("started", "finish", {"text": "Your", "finished_at": "later"}, "could not be read"),
        (
            "started",
            "finish",
            {"text": "Your", "finished_at": (T0 - timedelta(seconds=1)).isoformat()},
            "before the test started",
        ),
    ],
)
def test_steps_out_of_order_or_claiming_a_finish_before_the_start_are_refused(before, step, posted, message):
    response = {}
    if before:
        response = typing.take_step(CONFIG, {}, {}, "start", {}, T0)
    if before == "finished":
        response = run(PASSAGE, 12)
    with pytest.raises(StepRefused, match=message):
        typing.take_step(CONFIG, {}, response, step, posted, T0 + timedelta(seconds=5))


def test_a_passage_and_a_reachable_standard_are_required():
    assert typing.validate(CONFIG) == []
    assert typing.validate({"passage": "short", "min_net_wpm": 0, "min_accuracy": 101}) == [
        "Give a passage of at least 20 characters to type.",
        "Set the net words a minute to reach, from 1 to 150.",
        "Set the accuracy to reach, from 50 to 100 percent.",
    ]
