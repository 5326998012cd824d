"""CSV written in chunks: every cell a spreadsheet would run as a formula gets its apostrophe, wherever it sits in
a chunk, and the rest is written exactly as csv.writer writes it."""

import csv
import io

import pytest

from courses.exports import csv_lines

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTAB", "\r=CR"]


def read_back(text: str) -> list[list[str]]:
    """The CSV text parsed again."""
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("column", [0, 1, 3])
@pytest.mark.parametrize("row", [0, 2, 4])
def test_a_formula_cell_anywhere_in_a_chunk_is_neutralised(formula, column, row):
    rows = [["Ana Cruz", "ana@example.com", 40, "2026-11-30"] for _ in range(5)]
    rows[row][column] = formula
    text = "".join(csv_lines(rows, lines_per_chunk=3))
    assert text.startswith("\ufeff")  # the byte order mark Excel needs to read UTF-8
    found = read_back(text[1:])
    assert found[row][column] == "'" + formula
    assert sum(cell.startswith("'") for line in found for cell in line) == 1


def test_cells_that_only_look_close_to_formulas_are_left_alone():
    rows = [
        ["Cruz, -Jr", "a@example.com", "", 12.5, None, "75%"],  # a comma then a minus, inside one quoted cell
        ["O'Neil", 'Said "=no"', "2026-12-01", 0, "", "In progress"],
        ["", "", "", "", "", ""],
    ]
    text = "".join(csv_lines(rows, lines_per_chunk=2))
    expected = io.StringIO()
    csv.writer(expected).writerows(rows)
    assert text == "\ufeff" + expected.getvalue()
