"""Spreadsheet exports of report rows, and their downloads: CSV streamed as it is read, XLSX written in constant memory.

A CSV cell that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage return) is
written with a leading apostrophe, so a learner named =HYPERLINK(...) stays a name; the CSV starts with a byte
order mark, without which Excel reads UTF-8 as the Windows code page ("Zoë" as "ZoÃ«"). An XLSX cell is typed
(text is never a formula there, so it is written as it is), days are dates, scores numbers shown as percent, and
the heading row stays in view with a filter on it.
"""

import csv
import io
import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

FORMULA_STARTS = frozenset("=+-@\t\r")


class Percent(float):
    """A score in percent: "80%" on the screen and in a CSV, the number 80 (shown as 80%) in a spreadsheet, which
    can then sort and average it. Its text is made once (an export writes 100,000 rows of scores), and is also its
    repr, which is what the csv module writes for a float."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, value: float) -> "Percent":
        made = super().__new__(cls, value)
        made.text = f"{value:g}%"
        return made

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def neutralised(value):
    """A cell value that no spreadsheet runs: text that looks like a formula gets a leading apostrophe."""
    if type(value) is str and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


# A CSV cell that may start with a formula character: after a comma or a line's end (search "\n" + the text),
# inside quotes or not (a cell holding a carriage return is always quoted, so a bare one only ends a line).
MAYBE_FORMULA = re.compile(r'[,\n](?:"[=+\-@\t\r]|[=+\-@\t])')


def csv_lines(rows: Iterable[list], lines_per_chunk: int = 200) -> Iterator[str]:
    """The rows as CSV text, a few hundred lines at a time (each chunk sent as it is ready), formula-like cells
    neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for chunk in batched(rows, lines_per_chunk):
        writer.writerows(chunk)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if MAYBE_FORMULA.search("\n" + text):
            # Rare: only now is every cell of the chunk looked at (one regular-expression scan costs far less
            # than a check of each of 100,000 × 30 cells). A match may be a harmless comma inside a name.
            writer.writerows([neutralised(value) for value in row] for row in chunk)
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield text


def batched(items: Iterable, size: int) -> Iterator[list]:
    """The items in lists of `size` (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def xlsx_file(rows: Iterable[list], sheet: str) -> str:
    """The rows written to a temporary XLSX file (constant memory); its path, for the caller to send and delete."""
    import xlsxwriter  # only exports need it

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(path, options) as workbook:
        worksheet = workbook.add_worksheet(sheet[:31])
        day_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        percent_format = workbook.add_format({"num_format": 'General"%"'})
        write_number, write_string = worksheet.write_number, worksheet.write_string
        last_row = last_column = 0
        for number, row in enumerate(rows):
            for column, value in enumerate(row):
                kind = type(value)
                if kind is int or kind is float:
                    write_number(number, column, value)
                elif kind is Percent:
                    write_number(number, column, float(value), percent_format)
                elif kind is date:
                    worksheet.write_datetime(number, column, datetime(value.year, value.month, value.day), day_format)
                elif value is not None and value != "":  # an empty cell is simply not written
                    write_string(number, column, value if kind is str else str(value))  # never a formula here
            last_row, last_column = number, max(last_column, len(row) - 1)
        worksheet.freeze_panes(1, 0)  # the headings stay in view
        worksheet.autofilter(0, 0, last_row, last_column)
    return path


def download(rows: Iterable[list], kind: str, name: str, sheet: str):
    """The rows as a file to download: CSV streamed as the rows are read (inside the request's context), or an
    XLSX workbook, deleted once sent. `name` is the file name without its extension."""
    from flask import Response, after_this_request, send_file, stream_with_context

    if kind == "csv":
        return Response(
            stream_with_context(csv_lines(rows)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    path = xlsx_file(rows, sheet)

    @after_this_request
    def remove_file(response):
        os.unlink(path)
        return response

    return send_file(path, as_attachment=True, download_name=f"{name}.xlsx")
