"""The authoring forms of the question types' answer parts: a type's `editor` names one of these.

An editor is a plain WTForms form nested in the question form (which carries the CSRF token). It loads a
question's config (`data_from`), checks what a trainer typed with messages beside the field at fault, and
turns it back into a config (`to_config`). The type's own `validate` still runs on the result, so no config a
type refuses is ever saved.
"""

from __future__ import annotations

import functools
import json

from wtforms import (
    FieldList,
    FloatField,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from quizzes.grades import MOODLE_GRADES

BLANK_ROWS = 2  # empty rows offered below the filled ones, so a trainer can add without JavaScript
MAX_ROWS = 50  # the most filled rows a question may have (a type's `max_parts`)
MAX_DRILL_FIELDS = 12  # a data-entry drill's fields: one record a keyer takes in at a glance
FEEDBACK_LENGTH = 2000
# A row's text (a choice, an accepted answer, a pair's side, an item): as long as a question type lets any of its
# texts be (QuestionType.max_text), so a question imported at that length can be saved from its editor untouched.
ROW_TEXT_LENGTH = 2000


def percent(value: float) -> str:
    """A grade as its select value: 100, 83.33333, -50."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


# The grades a choice may earn are Moodle's, so that every question exports to Moodle.
GRADE_CHOICES = [SelectChoice(percent(g), "None" if g == 0 else f"{g:g}%") for g in MOODLE_GRADES] + [
    SelectChoice(percent(-g), f"−{g:g}%") for g in MOODLE_GRADES if g
]
POSITIVE_GRADES = [choice for choice in GRADE_CHOICES if float(choice.value) >= 0]


def nearest_grade(weight) -> str:
    """The select value of the listed grade nearest to a stored weight (pack weights such as 33.33)."""
    value = float(weight) if isinstance(weight, (int, float)) and not isinstance(weight, bool) else 0.0
    return min((choice.value for choice in GRADE_CHOICES), key=lambda choice: abs(float(choice) - value))


def filled(rows: list[dict], *keys: str) -> list[dict]:
    """The rows a trainer wrote something in; blank rows are offers, not content."""
    return [row for row in rows if any((row.get(key) or "").strip() for key in keys)]


def clean(row: dict, key: str) -> str:
    """A row's text field, stripped ("" when the post left it out)."""
    return (row.get(key) or "").strip()


def grade_of(row: dict) -> float:
    """A row's grade as a number; a value that is not one of the listed grades is refused by the select itself."""
    try:
        return float(row.get("grade") or 0)
    except ValueError:
        return 0.0


def graded(rows: list[dict]) -> list[dict]:
    """Filled rows of text, grade and feedback as config entries with a weight."""
    return [
        {"text": clean(r, "text"), "weight": grade_of(r), "feedback": clean(r, "feedback")}
        for r in filled(rows, "text", "feedback")
    ]


def with_blanks(rows: list[dict], blank: dict, at_least: int = 0) -> list[dict]:
    """Rows for the form: the filled ones, then blank ones to add more (enough to make `at_least` rows)."""
    return rows + [dict(blank) for _ in range(max(BLANK_ROWS, at_least - len(rows)))]


def graded_rows(config: dict, key: str, blank_grade: str, at_least: int = 0) -> list[dict]:
    """Form rows (text, grade, feedback) for the weighted entries under `key`, then blank ones."""
    rows = [
        {"text": e.get("text", ""), "grade": nearest_grade(e.get("weight", 0)), "feedback": e.get("feedback", "")}
        for e in config.get(key, [])
        if isinstance(e, dict)
    ]
    return with_blanks(rows, {"text": "", "grade": blank_grade, "feedback": ""}, at_least)


class Editor(Form):
    """The answer part of a question's authoring form."""

    row_label = "Row"  # what one row of `rows` is called on the page ("Choice 3")

    @classmethod
    def data_from(cls, config: dict) -> dict:
        """The form data showing this config (an empty config for a new question)."""
        return {}

    def to_config(self) -> dict:
        """The config the trainer's input describes (only called once the form validates)."""
        return {}

    def kept_from(self, previous: dict) -> dict:
        """What the edited question's config holds that this form does not show, to be saved with the edit."""
        return {}

    def add_rows(self, count: int = 3) -> None:
        """Offer more blank rows (the "More rows" button), as many as the form has room for; types without rows
        ignore it."""
        rows = getattr(self, "rows", None)
        if rows is None:
            return
        for _ in range(min(count, rows.max_entries - len(rows))):
            rows.append_entry()


class DescriptionEditor(Editor):
    """A description has nothing to answer: the question text is all of it."""


class EssayEditor(Editor):
    """An essay: guidance for whoever marks it (learners never see it)."""

    guidance = TextAreaField(
        "Marking guidance",
        validators=[Length(max=FEEDBACK_LENGTH)],
        description="Only trainers see this, beside each answer they mark: what a full-marks answer contains.",
    )

    @classmethod
    def data_from(cls, config):
        """The guidance."""
        return {"guidance": config.get("guidance", "")}

    def to_config(self):
        """{"guidance": text}."""
        return {"guidance": (self.guidance.data or "").strip()}


class TypingEditor(Editor):
    """A typing test: the passage to type and the standard to reach."""

    passage = TextAreaField(
        "Passage to type",
        validators=[InputRequired(message="Give a passage to type."), Length(min=20, max=1500)],
        description="What the learner copies: a customer reply, a note, an address. A minute or two of typing.",
        render_kw={"rows": 5},
    )
    min_net_wpm = FloatField(
        "Net words a minute to reach",
        validators=[InputRequired(message="Give the speed to reach."), NumberRange(min=1, max=150)],
        default=30,
    )
    min_accuracy = FloatField(
        "Accuracy to reach (percent)",
        validators=[InputRequired(message="Give the accuracy to reach."), NumberRange(min=50, max=100)],
        default=95,
    )

    @classmethod
    def data_from(cls, config):
        """The passage and the standard (30 net words a minute at 95% for a new question)."""
        return {
            "passage": config.get("passage", ""),
            "min_net_wpm": config.get("min_net_wpm", 30),
            "min_accuracy": config.get("min_accuracy", 95),
        }

    def to_config(self):
        """{"passage", "min_net_wpm", "min_accuracy"}."""
        return {
            "passage": " ".join((self.passage.data or "").split()),
            "min_net_wpm": self.min_net_wpm.data,
            "min_accuracy": self.min_accuracy.data,
        }


def match_choices() -> list[SelectChoice]:
    """The ways a drill field can be matched (read when a form is built: the types import this module)."""
    from quizzes.types.field_match import MATCH_LABELS

    return [SelectChoice(key, label) for key, label in MATCH_LABELS.items()]


class DrillFieldRow(Form):
    """One field of a data-entry drill: its name and how a keyed value is matched."""

    name = StringField("Field name", validators=[Length(max=80)])
    match = SelectField("Match", choices=match_choices, default="text")


class DataEntryEditor(Editor):
    """A data-entry drill: the fields, the records to key (one a line, values in field order split by |), and
    the standard."""

    row_label = "Field"

    rows = FieldList(
        FormField(DrillFieldRow), min_entries=3, max_entries=MAX_DRILL_FIELDS + BLANK_ROWS, label="Fields to key"
    )
    records = TextAreaField(
        "Records",
        validators=[InputRequired(message="Give at least one record to key."), Length(max=5000)],
        description="One record a line, its values in the fields' order, separated by |. "
        "For example: PL-20931 | Nadia Osei | 14/03/2026 | 1,250.00",
        render_kw={"rows": 6},
    )
    date_order = SelectField(
        "Dates are written",
        choices=[SelectChoice("dmy", "Day first (14/03/2026)"), SelectChoice("mdy", "Month first (03/14/2026)")],
    )
    min_accuracy = FloatField(
        "Fields right to reach (percent)",
        validators=[InputRequired(message="Give the accuracy to reach."), NumberRange(min=50, max=100)],
        default=95,
    )
    min_kph = FloatField(
        "Keystrokes an hour to reach (0 for none)",
        validators=[Optional(), NumberRange(min=0, max=20_000)],
        default=0,
    )

    @classmethod
    def data_from(cls, config):
        """The fields as rows, each record as one line."""
        fields = [
            {"name": f.get("name", ""), "match": f.get("match", "text")}
            for f in config.get("fields", [])
            if isinstance(f, dict)
        ]
        records = [" | ".join(str(v) for v in row) for row in config.get("records", []) if isinstance(row, list)]
        return {
            "rows": with_blanks(fields, {"name": "", "match": "text"}, at_least=4),
            "records": "\n".join(records),
            "date_order": config.get("date_order", "dmy"),
            "min_accuracy": config.get("min_accuracy", 95),
            "min_kph": config.get("min_kph", 0),
        }

    def to_config(self):
        """{"fields", "records", "date_order", "min_accuracy", "min_kph"}."""
        lines = [line for line in (self.records.data or "").splitlines() if line.strip()]
        return {
            "fields": [
                {"name": clean(row, "name"), "match": row.get("match") or "text"}
                for row in filled(self.rows.data, "name")
            ],
            "records": [[value.strip() for value in line.split("|")] for line in lines],
            "date_order": self.date_order.data,
            "min_accuracy": self.min_accuracy.data,
            "min_kph": self.min_kph.data or 0,
        }


CONVERSATION_EXAMPLE = """channel: chat
rubric:
  - {key: empathy, label: Empathy, max: 2}
  - {key: resolve, label: Resolves the problem, max: 2}
start: hello
steps:
  hello:
    customer: My parcel is late again.
    replies:
      - {text: "I'm sorry it's late again. Let me check where it is.", scores: {empathy: 2, resolve: 2}, next: done}
      - {text: Parcels are often late this month., scores: {empathy: -1}, next: done}
  done:
    customer: Thanks.
"""


MAX_SCRIPT_DEPTH = 12  # steps, a step, its replies, a reply, its scores: a script needs about six


@functools.cache
def script_loader() -> type:
    """PyYAML's safe loader without aliases: `*name` repeats what `&name` marked, so a script of a few hundred
    characters could stand for a config of gigabytes."""
    import yaml

    class ScriptLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, "write each value out instead of *aliases", mark)
            return super().compose_node(parent, index)

    return ScriptLoader


def depth_of(value, limit: int = MAX_SCRIPT_DEPTH + 1) -> int:
    """How deep lists and mappings nest in `value` (counted no further than `limit`)."""
    if limit <= 0 or not isinstance(value, (dict, list)):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((depth_of(child, limit - 1) for child in children), default=0)


class ConversationEditor(Editor):
    """A conversation: its script in YAML, as a content pack writes it (see quizzes.types.conversation)."""

    script = TextAreaField(
        "Script",
        validators=[InputRequired(message="Write the conversation's script."), Length(max=40_000)],
        description="In YAML: the channel (chat or call), the rubric, the start and the steps. Each step has what "
        "the customer says and the replies offered, each with its scores, a note for the review and the next step; "
        "a step without replies ends the conversation.",
        render_kw={"rows": 20, "spellcheck": "false", "placeholder": CONVERSATION_EXAMPLE},
    )

    @classmethod
    def data_from(cls, config):
        """The script as YAML (empty for a new question)."""
        import yaml  # only the authoring form reads or writes YAML: web workers serving learners never load it

        return {"script": yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100) if config else ""}

    def validate_script(self, field):
        """The script must be a YAML mapping."""
        if not isinstance(self.parsed(), dict):
            raise ValidationError("Write the script as YAML: channel, rubric, start and steps.")

    def parsed(self):
        """The script read as YAML into what a question stores (JSON: text keys, no dates, sets or binary); a
        ValidationError says why it cannot be."""
        import yaml

        try:
            loaded = yaml.load(self.script.data or "", Loader=script_loader())  # nosec B506: a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise ValidationError(f"The script is not valid YAML{where}: {getattr(exc, 'problem', exc)}.") from None
        except (ValueError, RecursionError):  # a value Python cannot hold (2024-02-30), or nesting too deep
            raise ValidationError(
                "The script could not be read: check its dates, numbers and brackets (quote a value meant as text)."
            ) from None
        if depth_of(loaded) > MAX_SCRIPT_DEPTH:
            raise ValidationError(
                f"The script nests deeper than {MAX_SCRIPT_DEPTH} levels; a conversation needs fewer."
            )
        try:
            # Keys that are numbers become text, as the question's JSON would make them anyway.
            return json.loads(json.dumps(loaded, allow_nan=False))
        except (TypeError, ValueError):
            raise ValidationError(
                "The script holds a value a question cannot store (a date, a set, binary data, or not a number): "
                "quote it to make it text."
            ) from None

    def to_config(self):
        """The script's mapping."""
        return self.parsed()


class ChoiceRow(Form):
    """One choice: its text, the share of the marks it earns and what the learner reads on picking it."""

    text = StringField("Text", validators=[Length(max=ROW_TEXT_LENGTH)])
    grade = SelectField("Grade", choices=GRADE_CHOICES, default="0")
    feedback = StringField("Feedback on this choice", validators=[Length(max=FEEDBACK_LENGTH)])


class ChoicesEditor(Editor):
    """Single choice and multiple response: a list of graded choices."""

    row_label = "Choice"

    rows = FieldList(FormField(ChoiceRow), min_entries=2, max_entries=MAX_ROWS + BLANK_ROWS, label="Choices")
    single = True

    @classmethod
    def data_from(cls, config):
        """Each choice with its nearest listed grade."""
        return {"rows": graded_rows(config, "choices", blank_grade="0", at_least=4)}

    def choices(self) -> list[dict]:
        """The filled rows as config choices."""
        return graded(self.rows.data)

    def validate_rows(self, field):
        """Two choices at least, each with text, and grades that can make a full answer."""
        choices = self.choices()
        if any(not c["text"] for c in choices):
            raise ValidationError("A choice has feedback but no text: write the choice or clear its feedback.")
        if len(choices) < 2:
            raise ValidationError("Write at least two choices.")
        if self.single:
            # Several choices at 100% are several right answers, any of which earns full marks (as GIFT's
            # several '=' answers, and Moodle, have it).
            if not any(c["weight"] == 100 for c in choices):
                raise ValidationError("Give the right answer the grade 100%: no choice has it now.")
        else:
            reachable = sum(c["weight"] for c in choices if c["weight"] > 0)
            if reachable < 99.9:
                raise ValidationError(
                    f"The positive grades add up to {reachable:g}%, so nobody could earn full marks: "
                    "they must add up to 100%."
                )
            if reachable > 100.1:
                raise ValidationError(
                    f"The positive grades add up to {reachable:g}%, so some of the right choices alone would earn "
                    "full marks: they must add up to 100%."
                )

    def to_config(self):
        """{"choices": [...]}."""
        return {"choices": self.choices()}


class MultipleChoicesEditor(ChoicesEditor):
    """Multiple response: right choices share the marks, wrong ones may cost some."""

    single = False


class TrueFalseEditor(Editor):
    """True or false, with feedback for a right and a wrong answer."""

    answer = RadioField(
        "The statement is",
        choices=[SelectChoice("true", "True"), SelectChoice("false", "False")],
        validators=[InputRequired("Say whether the statement is true or false.")],
    )
    feedback_right = StringField("Feedback on a right answer", validators=[Length(max=FEEDBACK_LENGTH)])
    feedback_wrong = StringField("Feedback on a wrong answer", validators=[Length(max=FEEDBACK_LENGTH)])

    @classmethod
    def data_from(cls, config):
        """The answer as "true"/"false" and both feedbacks."""
        answer = config.get("answer")
        return {
            "answer": None if not isinstance(answer, bool) else ("true" if answer else "false"),
            "feedback_right": config.get("feedback_right", ""),
            "feedback_wrong": config.get("feedback_wrong", ""),
        }

    def to_config(self):
        """{"answer": bool, "feedback_right", "feedback_wrong"}."""
        return {
            "answer": self.answer.data == "true",
            "feedback_right": (self.feedback_right.data or "").strip(),
            "feedback_wrong": (self.feedback_wrong.data or "").strip(),
        }


class AcceptedRow(Form):
    """One accepted typed answer with its grade and feedback."""

    text = StringField("Answer", validators=[Length(max=ROW_TEXT_LENGTH)])
    grade = SelectField("Grade", choices=POSITIVE_GRADES, default="100")
    feedback = StringField("Feedback on this answer", validators=[Length(max=FEEDBACK_LENGTH)])


class ShortAnswerEditor(Editor):
    """Short answer: the typed answers accepted (case does not matter; * matches any characters)."""

    row_label = "Accepted answer"

    rows = FieldList(FormField(AcceptedRow), min_entries=1, max_entries=MAX_ROWS + BLANK_ROWS, label="Accepted answers")

    @classmethod
    def data_from(cls, config):
        """Each accepted answer with its nearest listed grade."""
        return {"rows": graded_rows(config, "answers", blank_grade="100")}

    def answers(self) -> list[dict]:
        """The filled rows as config answers."""
        return graded(self.rows.data)

    def validate_rows(self, field):
        """One answer at least, each with text, and one worth full marks."""
        answers = self.answers()
        if any(not a["text"] for a in answers):
            raise ValidationError("An answer has feedback but no text: write the answer or clear its feedback.")
        if not answers:
            raise ValidationError("Write at least one accepted answer.")
        if not any(a["weight"] == 100 for a in answers):
            raise ValidationError("Give one accepted answer the grade 100%.")

    def to_config(self):
        """{"answers": [...]}."""
        return {"answers": self.answers()}


class NumberField(FloatField):
    """A number box whose parse error says what to type."""

    def process_formdata(self, valuelist):
        """Read the number, or keep a message a trainer understands."""
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Enter a number, for example 42 or 3.5.") from exc


class NumberRow(Form):
    """One accepted number: a value and how far an answer may be from it."""

    value = NumberField("Number", validators=[Optional()])
    tolerance = NumberField(
        "Tolerance (±)",
        default=0,
        validators=[Optional(), NumberRange(min=0, message="The tolerance cannot be negative.")],
    )
    grade = SelectField("Grade", choices=POSITIVE_GRADES, default="100")
    feedback = StringField("Feedback on this answer", validators=[Length(max=FEEDBACK_LENGTH)])


class NumericalEditor(Editor):
    """Numerical: the numbers accepted, each with a tolerance."""

    row_label = "Accepted number"

    rows = FieldList(FormField(NumberRow), min_entries=1, max_entries=MAX_ROWS + BLANK_ROWS, label="Accepted numbers")

    @classmethod
    def data_from(cls, config):
        """Each accepted value with its tolerance (a min..max range shows as its centre and half-width)."""
        rows = []
        for answer in config.get("answers", []):
            if not isinstance(answer, dict) or not isinstance(answer.get("min"), (int, float)):
                continue
            low = float(answer["min"])
            high = float(answer["max"]) if isinstance(answer.get("max"), (int, float)) else low
            if is_any_number(answer):
                continue  # kept as it is (see kept_from): the form does not show it
            value = answer.get("value")
            centre = float(value) if isinstance(value, (int, float)) else (low + high) / 2
            rows.append(
                {
                    "value": centre,
                    "tolerance": (high - low) / 2 if value is None else float(answer.get("tolerance") or 0),
                    "grade": nearest_grade(answer.get("weight", 100)),
                    "feedback": answer.get("feedback", ""),
                }
            )
        return {"rows": rows + [{"value": None, "tolerance": 0, "grade": "100", "feedback": ""}] * BLANK_ROWS}

    def answers(self) -> list[dict]:
        """The rows that hold a number, as config answers."""
        result = []
        for row in self.rows.data:
            if row.get("value") is None:
                continue
            value, tolerance = row["value"], row.get("tolerance") or 0.0
            result.append(
                {
                    "min": value - tolerance,
                    "max": value + tolerance,
                    "value": value,
                    "tolerance": tolerance,
                    "weight": grade_of(row),
                    "feedback": clean(row, "feedback"),
                }
            )
        return result

    def validate_rows(self, field):
        """One number at least, one of them worth full marks."""
        answers = self.answers()
        if not answers:
            raise ValidationError("Write at least one accepted number.")
        if not any(a["weight"] == 100 for a in answers):
            raise ValidationError("Give one accepted number the grade 100%.")

    def to_config(self):
        """{"answers": [...]}."""
        return {"answers": self.answers()}

    def kept_from(self, previous):
        """The "any other number" answer (GIFT's ~#feedback), which this form does not show."""
        others = [a for a in previous.get("answers", []) if isinstance(a, dict) and is_any_number(a)]
        return {"answers": others} if others else {}


def is_any_number(answer: dict) -> bool:
    """Whether a numerical answer accepts every number (its range is the widest there is)."""
    low, high = answer.get("min"), answer.get("max")
    return isinstance(low, (int, float)) and isinstance(high, (int, float)) and abs(low) > 1e300 and abs(high) > 1e300


class PairRow(Form):
    """One matching pair; a pair with only an answer adds a wrong option."""

    prompt = StringField("Prompt", validators=[Length(max=ROW_TEXT_LENGTH)])
    answer = StringField("Matching answer", validators=[Length(max=ROW_TEXT_LENGTH)])


class MatchingEditor(Editor):
    """Matching: prompts and the answers that match them."""

    row_label = "Pair"

    rows = FieldList(FormField(PairRow), min_entries=3, max_entries=MAX_ROWS + BLANK_ROWS, label="Pairs")

    @classmethod
    def data_from(cls, config):
        """Each pair as it is stored."""
        pairs = [
            {"prompt": p.get("prompt", ""), "answer": p.get("answer", "")}
            for p in config.get("pairs", [])
            if isinstance(p, dict)
        ]
        return {"rows": with_blanks(pairs, {"prompt": "", "answer": ""}, at_least=4)}

    def pairs(self) -> list[dict]:
        """The filled rows as config pairs."""
        rows = filled(self.rows.data, "prompt", "answer")
        return [{"prompt": clean(r, "prompt"), "answer": clean(r, "answer")} for r in rows]

    def validate_rows(self, field):
        """Two full pairs at least, and every prompt with an answer."""
        pairs = self.pairs()
        if any(p["prompt"] and not p["answer"] for p in pairs):
            raise ValidationError("A prompt has no matching answer: write its answer or clear the prompt.")
        if len([p for p in pairs if p["prompt"]]) < 2:
            raise ValidationError("Write at least two pairs, each a prompt and its matching answer.")

    def to_config(self):
        """{"pairs": [...]}."""
        return {"pairs": self.pairs()}


class OrderingItem(Form):
    """One item, in its right place."""

    text = StringField("Text", validators=[Length(max=ROW_TEXT_LENGTH)])


class OrderingEditor(Editor):
    """Ordering: the items in their right order (learners see them shuffled)."""

    row_label = "Item"

    rows = FieldList(
        FormField(OrderingItem), min_entries=3, max_entries=MAX_ROWS + BLANK_ROWS, label="Items, in the right order"
    )

    @classmethod
    def data_from(cls, config):
        """Each item in order."""
        items = [{"text": item} for item in config.get("items", []) if isinstance(item, str)]
        return {"rows": with_blanks(items, {"text": ""}, at_least=4)}

    def items(self) -> list[str]:
        """The filled items, in order."""
        return [clean(row, "text") for row in filled(self.rows.data, "text")]

    def validate_rows(self, field):
        """Two items at least."""
        if len(self.items()) < 2:
            raise ValidationError("Write at least two items to put in order.")

    def to_config(self):
        """{"items": [...]}."""
        return {"items": self.items()}
