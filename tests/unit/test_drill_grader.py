"""The data-entry drill's grader on runs worked out by hand: each field's match, accuracy, keystrokes an hour,
pasting, and the checks on a drill's settings."""

from datetime import date

import pytest

from quizzes.types.data_entry import DataEntry
from quizzes.types.field_match import parse_date, parse_number, same

drill = DataEntry()
CONFIG = {
    "fields": [
        {"name": "Ref", "match": "exact"},
        {"name": "Name", "match": "text"},
        {"name": "Phone", "match": "digits"},
        {"name": "Amount", "match": "number"},
        {"name": "Date", "match": "date"},
    ],
    "records": [["AB-1", "Li Wei", "555 010 2030", "1,250.00", "14/03/2026"]],
    "date_order": "dmy",
    "min_accuracy": 80,
    "min_kph": 3000,
}


def run(entries: list, seconds: float, marks=None) -> dict:
    """A finished run as the server records it: progress saved after each field unless `marks` are given, and
    the finish."""
    ms = round(seconds * 1000)
    keyed = [len(value) for row in entries for value in row]
    if marks is None:
        marks = [[round(ms * (n + 1) / len(keyed)), sum(keyed[: n + 1])] for n in range(len(keyed) - 1)]
    marks = [*marks, [ms, sum(keyed)]]
    return {"started": "2026-12-01T09:00:00+00:00", "marks": marks, "finished_ms": ms, "entries": entries}


@pytest.mark.parametrize(
    ("expected", "keyed", "match", "order", "right"),
    [
        ("AB-1", " AB-1 ", "exact", "dmy", True),
        ("AB-1", "ab-1", "exact", "dmy", False),
        ("Li Wei", "li   WEI", "text", "dmy", True),
        ("Li Wei", "Li Wie", "text", "dmy", False),
        ("555 010 2030", "(555) 010-2030", "digits", "dmy", True),
        ("555 010 2030", "555 010 203", "digits", "dmy", False),
        ("1,250.00", "1250", "number", "dmy", True),
        ("1,250.00", "$1,250", "number", "dmy", True),
        ("1,250.00", "125.00", "number", "dmy", False),
        ("1,250.00", "twelve fifty", "number", "dmy", False),
        ("14/03/2026", "2026-03-14", "date", "dmy", True),
        ("14/03/2026", "14 March 2026", "date", "dmy", True),
        ("14/03/2026", "March 14, 2026", "date", "dmy", True),
        ("03/04/2026", "3 April 2026", "date", "dmy", True),
        ("03/04/2026", "3 April 2026", "date", "mdy", False),  # month first: March 4
        ("14/03/2026", "31/02/2026", "date", "dmy", False),  # no such day
    ],
)
def test_each_match_compares_what_the_author_chose(expected, keyed, match, order, right):
    assert same(expected, keyed, match, order) is right


def test_dates_and_amounts_are_read_in_their_common_forms():
    assert parse_date("14.03.2026") == date(2026, 3, 14)
    assert parse_date("03/14/2026", "mdy") == date(2026, 3, 14)
    assert parse_date("Mar 14 2026") == date(2026, 3, 14)
    assert parse_date("14th March") is None
    assert parse_number("€ 1 250.5") == 1250.5
    assert parse_number("1.2.3") is None


def test_accuracy_is_the_share_of_fields_right_and_speed_the_keystrokes_an_hour():
    # One slip in five fields: 80 % right. 40 characters in 36 s: 40 / 0.01 h = 4,000 keystrokes an hour.
    entries = [["AB-1", "li wei", "5550102030", "1250.00", "15/03/2026"]]
    assert sum(len(v) for v in entries[0]) == 37
    entries[0][1] = "li wei   "  # three trailing spaces keyed too: 40 characters
    measured = drill.result(CONFIG, run(entries, 36))
    assert (measured.right, measured.total, measured.keystrokes) == (4, 5, 40)
    assert measured.accuracy == 80
    assert measured.keystrokes_per_hour == pytest.approx(4000)
    grade = drill.grade(CONFIG, run(entries, 36))
    assert grade.correct and grade.score == 1
    assert grade.feedback == [
        "4 of 5 fields right (80.0%), 4,000 keystrokes an hour, in 36 seconds. "
        "The standard is 80% of fields right at 3,000 keystrokes an hour.",
        "Check: record 1, Date: “15/03/2026” for “14/03/2026”.",
    ]


def test_short_of_the_standard_scores_the_share_reached_of_the_weaker_figure():
    entries = [["AB-1", "Li Wei", "5550102030", "125", ""]]  # 3 of 5 right (60%), 23 characters
    slow = drill.grade(CONFIG, run(entries, 60))  # 1,380 an hour: 46 % of 3,000, under the 75 % of accuracy
    assert not slow.correct and slow.score == pytest.approx(1380 / 3000)
    assert "record 1, Date: nothing for “14/03/2026”" in slow.feedback[1]


def test_pasted_records_and_unfinished_runs_score_nothing():
    two = {**CONFIG, "records": CONFIG["records"] * 2}
    entries = [list(record) for record in two["records"]]  # 84 characters arrive between two saves
    pasted = run(entries, 60, marks=[[30_000, 0]])
    assert drill.grade(two, pasted).score == 0
    assert "counts as pasted" in drill.grade(two, pasted).feedback[0]
    assert drill.grade(CONFIG, {}).feedback == ["You did not finish a run of the drill."]


def test_the_standard_is_the_right_answer_and_grades_full():
    right = drill.correct_response(CONFIG)
    assert drill.grade(CONFIG, right).correct
    assert drill.describe_response(CONFIG, right) == (
        "every record keyed with at least 80% of fields right at 3,000 keystrokes an hour or faster"
    )


def test_a_drill_needs_named_fields_readable_records_and_a_reachable_standard():
    assert drill.validate(CONFIG) == []
    broken = {
        "fields": [{"name": "Ref", "match": "exact"}, {"name": "ref", "match": "guess"}],
        "records": [["AB-1"], ["AB-2", ""]],
        "date_order": "ymd",
        "min_accuracy": 40,
        "min_kph": -1,
    }
    assert drill.validate(broken) == [
        "Field 2 needs a match: one of exact, text, digits, number, date.",
        "Give each field its own name.",
        "Write dates day first (dmy) or month first (mdy).",
        "Record 1 needs 2 values, one for each field; it has 1.",
        "Record 2 needs a value for ref.",
        "Set the accuracy to reach, from 50 to 100 percent.",
        "Set the keystrokes an hour to reach, from 0 (none) to 20,000.",
    ]
    unreadable = {**CONFIG, "records": [["AB-1", "Li Wei", "none", "lots", "soon"]]}
    assert drill.validate(unreadable) == [
        "Record 1: 'none' cannot be read as digits only.",
        "Record 1: 'lots' cannot be read as same amount.",
        "Record 1: 'soon' cannot be read as same date.",
    ]
