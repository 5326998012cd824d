"""Data-entry drill: the learner keys a set of records (shown as filled-in forms) into fields; the server times the
run and grades each field with the match its author chose (`quizzes.types.field_match`).

The result is what data-entry employers measure: accuracy (the share of fields keyed right) and keystrokes an
hour (the characters keyed over the hours the run took by the server's clock). As in the typing test, text that
arrived in a jump no hand could type counts as pasted, and such a run fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quizzes.editors import MAX_DRILL_FIELDS, DataEntryEditor

from . import timing
from .base import Grade, as_dict, number, text
from .field_match import DATE_ORDERS, MATCH_LABELS, MATCHES, normalised, same
from .timed import STANDARD_START, TimedRun
from .timing import read_run

MAX_RECORDS = 10
MAX_VALUE = 200


def fields_of(config) -> list[dict]:
    """The drill's fields: name and match, repaired where malformed."""
    found = as_dict(config).get("fields")
    return [
        {"name": text(as_dict(f).get("name")).strip(), "match": text(as_dict(f).get("match")) or "exact"}
        for f in (found if isinstance(found, list) else [])
    ]


def records_of(config) -> list[list[str]]:
    """The records to key, each a value per field (as text)."""
    found = as_dict(config).get("records")
    rows = found if isinstance(found, list) else []
    return [[str(value) if value is not None else "" for value in row] if isinstance(row, list) else [] for row in rows]


def entry_name(record: int, column: int) -> str:
    """The posted name of the box for one field of one record."""
    return f"r{record}f{column}"


@dataclass(frozen=True)
class WrongField:
    """A field keyed wrong: where, what the record holds and what was keyed."""

    record: int
    name: str
    expected: str
    keyed: str

    def describe(self) -> str:
        """The slip in words."""
        keyed = f"“{self.keyed}”" if self.keyed.strip() else "nothing"
        return f"record {self.record}, {self.name}: {keyed} for “{self.expected}”"


@dataclass(frozen=True)
class DrillResult:
    """A finished run measured against its records."""

    right: int
    total: int
    keystrokes: int
    minutes: float
    pasted: bool
    wrong: list[WrongField] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """The share of fields keyed right, as a percentage."""
        return 100 * self.right / self.total if self.total else 0.0

    @property
    def keystrokes_per_hour(self) -> float:
        """Characters keyed per hour of the run."""
        return self.keystrokes / (self.minutes / 60) if self.minutes else 0.0


def grouped(value: float) -> str:
    """A whole number with thousands separators: 6,120."""
    return f"{round(value):,}"


class DataEntry(TimedRun):
    """Records to key into fields, with the accuracy (and, if set, the speed) to reach."""

    name = "data_entry"
    label = "Data-entry drill"
    exercise_name = "drill"
    step_template = "quizzes/_drill.html"
    editor = DataEntryEditor
    max_text = MAX_VALUE

    def validate(self, config):
        """Fields with a known match, records with a readable value for every field, and a reachable standard."""
        config = as_dict(config)
        columns, records = fields_of(config), records_of(config)
        order = text(config.get("date_order")) or "dmy"
        problems = self.field_problems(columns)
        if order not in DATE_ORDERS:
            problems.append("Write dates day first (dmy) or month first (mdy).")
        if not 1 <= len(records) <= MAX_RECORDS:
            problems.append(f"Give the drill 1 to {MAX_RECORDS} records.")
        for n, record in enumerate(records, start=1):
            problems += self.record_problems(n, record, columns, order)
        accuracy, speed = number(config.get("min_accuracy")), number(config.get("min_kph", 0))
        if accuracy is None or not 50 <= accuracy <= 100:
            problems.append("Set the accuracy to reach, from 50 to 100 percent.")
        if speed is None or not 0 <= speed <= 20_000:
            problems.append("Set the keystrokes an hour to reach, from 0 (none) to 20,000.")
        return problems

    @staticmethod
    def field_problems(columns: list[dict]) -> list[str]:
        """Problems of the fields: how many, each named, each with a known match, no name twice."""
        problems = [] if 1 <= len(columns) <= MAX_DRILL_FIELDS else [f"Give the drill 1 to {MAX_DRILL_FIELDS} fields."]
        for n, column in enumerate(columns, start=1):
            if not column["name"]:
                problems.append(f"Field {n} needs a name.")
            if column["match"] not in MATCHES:
                problems.append(f"Field {n} needs a match: one of {', '.join(MATCHES)}.")
        if len({column["name"].casefold() for column in columns}) < len(columns):
            problems.append("Give each field its own name.")
        return problems

    @staticmethod
    def record_problems(n: int, record: list[str], columns: list[dict], order: str) -> list[str]:
        """Problems of one record: a value for each field, each one its field's match can read."""
        if len(record) != len(columns):
            return [f"Record {n} needs {len(columns)} values, one for each field; it has {len(record)}."]
        problems = []
        for value, column in zip(record, columns, strict=True):
            if not value.strip():
                problems.append(f"Record {n} needs a value for {column['name']}.")
            elif column["match"] in MATCHES and normalised(value, column["match"], order) is None:
                problems.append(f"Record {n}: {value!r} cannot be read as {MATCH_LABELS[column['match']].lower()}.")
        return problems

    def public_view(self, config, layout):
        """Fields, records and the standard: what the learner keys is in front of them by design."""
        config = as_dict(config)
        return {
            "fields": [column["name"] for column in fields_of(config)],
            "records": records_of(config),
            "min_accuracy": number(config.get("min_accuracy"), 0),
            "min_kph": number(config.get("min_kph", 0), 0),
        }

    def entries(self, config, posted: dict) -> list[list[str]]:
        """What was keyed, record by record, from the posted boxes."""
        width = len(fields_of(config))
        return [
            [text(posted.get(entry_name(r, c)))[:MAX_VALUE] for c in range(width)]
            for r in range(len(records_of(config)))
        ]

    def take_step(self, config, layout, response, step, posted, moment):
        """Start a run, save what has been keyed, or finish it."""
        timing.known_step(step)
        if step == "start":
            return {**timing.start(moment), "entries": []}
        entries = self.entries(config, as_dict(posted))
        keyed = sum(len(value) for row in entries for value in row)
        if step == "progress":
            return timing.progress(response, moment, keyed, entries=entries)
        return timing.finish(response, moment, keyed, as_dict(posted).get("finished_at"), entries=entries)

    def result(self, config, response) -> DrillResult | None:
        """The measured result of the response's run, or None when no run has finished."""
        run = read_run(response)
        if not run.finished:
            return None
        columns, records = fields_of(config), records_of(config)
        order = text(as_dict(config).get("date_order")) or "dmy"
        found = as_dict(response).get("entries")
        keyed_rows = found if isinstance(found, list) else []
        right, wrong, keystrokes = 0, [], 0
        for r, record in enumerate(records):
            row = keyed_rows[r] if r < len(keyed_rows) and isinstance(keyed_rows[r], list) else []
            for c, (expected, column) in enumerate(zip(record, columns, strict=False)):
                keyed = text(row[c]) if c < len(row) else ""
                keystrokes += len(keyed)
                if same(expected, keyed, column["match"], order):
                    right += 1
                else:
                    wrong.append(WrongField(r + 1, column["name"], expected, keyed))
        total = len(records) * len(columns)
        return DrillResult(right, total, keystrokes, run.minutes, not run.typed_by_hand(keystrokes), wrong)

    def grade(self, config, response):
        """Full marks for reaching the standard; otherwise the share of it reached; nothing for pasted text."""
        measured = self.result(config, response)
        if measured is None:
            return Grade.zero(["You did not finish a run of the drill."])
        if measured.pasted:
            return Grade.zero(["Part of this text arrived faster than anyone types, so it counts as pasted."])
        view = self.public_view(config, {})
        accuracy, speed = view["min_accuracy"] or 1, view["min_kph"]
        standard = f"{accuracy:g}% of fields right" + (f" at {grouped(speed)} keystrokes an hour" if speed else "")
        feedback = [f"{self.summary(measured)} The standard is {standard}."]
        feedback += self.slips_feedback(measured)
        shares = [measured.accuracy / accuracy] + ([measured.keystrokes_per_hour / speed] if speed else [])
        if min(shares) >= 1:
            return Grade.from_score(1.0, parts=[True], feedback=feedback)
        return Grade(score=min(0.99, *shares), correct=False, parts=[False], feedback=feedback)

    def summary(self, measured: DrillResult) -> str:
        """Accuracy and speed in one sentence."""
        return (
            f"{measured.right} of {measured.total} fields right ({measured.accuracy:.1f}%), "
            f"{grouped(measured.keystrokes_per_hour)} keystrokes an hour, in {measured.minutes * 60:.0f} seconds."
        )

    def correct_response(self, config):
        """A run that meets the standard: every record keyed as written, at twice the speed asked (or 6,000
        keystrokes an hour), saved every field."""
        records = records_of(config)
        speed = max(self.public_view(config, {})["min_kph"] * 2, 6000)
        ms_per_char = 3_600_000 / speed
        marks, keyed, entries = [], 0, []
        for record in records:
            entries.append(list(record))
            for value in record:
                keyed += len(value)
                marks.append([round(keyed * ms_per_char), keyed])
        finished = marks[-1][0] if marks else 0
        run = {"started": STANDARD_START, "marks": marks, "finished_ms": finished}
        return {**run, "entries": entries, "standard": True}

    def slips(self, measured):
        """The fields keyed wrong."""
        return [wrong.describe() for wrong in measured.wrong]

    def standard(self, config):
        """The accuracy (and speed) to reach."""
        view = self.public_view(config, {})
        speed = f" at {grouped(view['min_kph'])} keystrokes an hour or faster" if view["min_kph"] else ""
        return f"every record keyed with at least {view['min_accuracy']:g}% of fields right{speed}"
