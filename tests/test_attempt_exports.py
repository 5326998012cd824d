"""Every attempt at a quiz as CSV and XLSX: the same rows in both, formula-like names neutralised, and only for
the quiz's trainers and admins."""

import csv
import io

import openpyxl

from tests import test_learner_table
from tests.test_quiz_attempts import enrol, start

# The lab course and its five learners (Ada passed the quiz, Cleo failed it), from the learner table's tests.
app_config = test_learner_table.app_config
lab = test_learner_table.lab


def same(value: str) -> str:
    """A cell as text, numbers written alike (a spreadsheet reads 100.0 back as 100)."""
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def files(client, quiz_id):
    """(CSV rows, XLSX rows as text) of the quiz's attempts."""
    text = client.get(f"/author/quizzes/{quiz_id}/attempts.csv").get_data(as_text=True)
    book = client.get(f"/author/quizzes/{quiz_id}/attempts.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(book), read_only=True).active
    xlsx = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert text.startswith("\ufeff")  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text[1:])))
    return [[same(v) for v in row] for row in rows], [[same(v) for v in row] for row in xlsx]


def test_every_attempt_is_in_both_files_in_the_same_order(app, client, trainer, lab, make_user, login):
    attacker = make_user(name="=cmd|' /C calc'!A0", email="eve2@example.com")
    enrol(app, attacker["id"], lab.id)
    start(login(attacker, target=app.test_client()), lab.quiz_id)  # still in progress
    rows, xlsx = files(client, lab.quiz_id)
    heading = ["Learner", "Email", "Attempt", "Status", "Started (UTC)", "Submitted (UTC)", "Score %", "Result"]
    assert rows[0] == heading
    assert [(r[0], r[2], r[3], r[6], r[7]) for r in rows[1:]] == [
        ("'=cmd|' /C calc'!A0", "1", "In progress", "", "In progress"),
        ("Ada Ayala", "1", "Submitted", "100", "Passed"),
        ("Cleo Cruz", "1", "Submitted", "0", "Not passed"),
    ]
    # The CSV guards the name with an apostrophe; the XLSX holds it as a text cell, as typed.
    assert xlsx == [rows[0], ["=cmd|' /C calc'!A0", *rows[1][1:]], *rows[2:]]


def test_only_the_quizs_trainers_and_admins_get_the_files(app, lab, make_user, login):
    for role in ("learner", "trainer"):
        other = login(make_user(role), target=app.test_client())
        for kind in ("csv", "xlsx"):
            assert other.get(f"/author/quizzes/{lab.quiz_id}/attempts.{kind}").status_code == 403
