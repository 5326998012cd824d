"""Moodle's GIFT quiz format: the shared syntax, and the helpers question types read and write it with.

The rules follow Moodle's own GIFT importer (question/format/gift/format.php),
so a file reads here the way it reads in Moodle:

* questions are separated by blank lines; every line is trimmed, and lines
  starting with // are comments; ``[tag:name]`` in a comment of a question's
  block tags that question (as in Moodle 3.6 and later), besides its category;
* ``$CATEGORY: path`` at the start of a question block sets the category;
* ``::title::`` names a question and ``[html]``, ``[markdown]``, ``[plain]`` or
  ``[moodle]`` at the start of a text sets its format;
* ``{...}`` is the answer block; in the middle of the question it leaves a
  blank ``_____`` in the stem, and ``####`` inside it starts the general feedback;
* ``\\~ \\= \\# \\{ \\} \\:`` and ``\\\\`` stand for the character itself, ``\\n`` for a
  newline; any other backslash is kept as it is.

What the answer block means belongs to the question types (quizzes.types):
the parser hands the block, as an AnswerText, to each installed type that has
a GIFT form, in the order of their ``gift_order``, and the first one whose
``from_gift`` returns a config owns the question. A question without an answer
block is offered as ``from_gift(None)``. Writing asks the question's type for
the lines of its block with ``to_gift(config, fmt)``; None means "no block".
The types take their config apart and put it together with the helpers below,
so none of them deals with escapes, formats or line numbers itself.

Where Moodle would silently import something broken (an unclosed title, a
stray brace, a weight that is not a number), the parser stops with a GiftError
that names the line instead. Pure Python: nothing here touches Flask, a
database or the question type modules.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeAlias

__all__ = [
    "FORMATS",
    "AnswerText",
    "GiftError",
    "GiftType",
    "UnsupportedQuestionError",
    "escape",
    "has_gift_form",
    "parse_gift",
    "parse_gift_problems",
    "parse_gift_report",
    "required_entries",
    "required_text",
    "trim",
    "write_feedback",
    "write_gift",
    "write_gift_report",
    "write_number",
    "write_text",
    "write_weight",
    "write_weighted",
]

FORMATS = ("moodle", "html", "markdown", "plain")
BLANK = "_____"

# Moodle trims with PHP's trim(), which leaves other Unicode spaces (such as
# no-break spaces) alone; str.strip() without arguments would not.
_SPACE = " \t\n\r\0\x0b"

# While a question's structure is parsed, escaped characters are swapped for
# Unicode noncharacters (reserved for exactly this kind of internal use), so
# that plain str methods can look for the structural ones.
_HIDDEN = {":": "\ufdd0", "#": "\ufdd1", "=": "\ufdd2", "{": "\ufdd3", "}": "\ufdd4", "~": "\ufdd5", "n": "\ufdd6"}
_SHOWN = {ord(mark): ("\n" if char == "n" else char) for char, mark in _HIDDEN.items()}
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_COMMENT_TAG = re.compile(r"\[tag:([^\]]*)\]")
_RESERVED = re.compile("[" + "".join(_HIDDEN.values()) + "]")

_WEIGHT = re.compile(r"%([^%\s]*)%")
_PERCENT = re.compile(r"-?\d+(?:\.\d*)?", re.ASCII)


class GiftError(ValueError):
    """A problem in GIFT text, with the 1-based line it was found on."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class UnsupportedQuestionError(GiftError):
    """A well-formed GIFT question that no installed question type reads.

    question_type is Moodle's name for it where the shared syntax alone tells
    ("essay" for an empty answer block, "description" for none), else None.
    """

    def __init__(self, line: int, question_type: str | None):
        if question_type:
            message = f"{question_type} questions are not supported"
        else:
            message = "no installed question type reads this answer block"
        super().__init__(line, message)
        self.question_type = question_type


class GiftType(Protocol):
    """What the parser and writer need of a question type (see quizzes.types.base.QuestionType)."""

    # Read-only here, so a type may declare them as plain class attributes of narrower types.
    @property
    def name(self) -> str:
        """The type's name, stored with each question."""
        ...

    @property
    def gift_order(self) -> int | None:
        """Where the parser asks this type, lowest first; None when the type has no GIFT form."""
        ...

    def from_gift(self, answers: AnswerText | None) -> dict | None:
        """The config read from an answer block, or None when the block is not in this type's form."""
        ...

    def to_gift(self, config: dict, fmt: str) -> list[str] | None:
        """The lines of the answer block, or None for a question written without one."""
        ...


# Installed types as question_types() returns them (name -> instance), or just the instances.
GiftTypes: TypeAlias = Mapping[str, GiftType] | Iterable[GiftType]


# ---------------------------------------------------------------- public API


def parse_gift(text: str, types: GiftTypes, skip_unsupported: bool = False) -> list[dict]:
    """Parse GIFT text into question dicts with the installed types; raise GiftError for the first problem."""
    questions, _problems = _parse(text, _gift_types(types), skip_unsupported)
    return questions


def parse_gift_problems(text: str, types: GiftTypes) -> tuple[list[dict], list[GiftError]]:
    """Parse GIFT text as far as it goes: the questions that parse, and a GiftError for each that does not (each
    question is read on its own, so a file's every faulty question is named at once)."""
    try:
        return _parse(text, _gift_types(types), collect_unsupported=True, collect_all=True)
    except GiftError as problem:  # a file that cannot be split into questions at all
        return [], [problem]


def parse_gift_report(text: str, types: GiftTypes) -> tuple[list[dict], list[UnsupportedQuestionError]]:
    """Parse GIFT text, skipping unsupported questions and returning their errors alongside."""
    return _parse(text, _gift_types(types), collect_unsupported=True)


def write_gift(questions: list[dict], types: GiftTypes) -> str:
    """Write question dicts as GIFT text that parse_gift reads back unchanged (except "line"); a ValueError names
    the first question GIFT cannot hold as written."""
    text, refused = write_gift_report(questions, types)
    if refused:
        number, reason = refused[0]
        raise ValueError(f"question {number}: {reason}")
    return text


def write_gift_report(questions: list[dict], types: GiftTypes) -> tuple[str, list[tuple[int, str]]]:
    """write_gift, leaving out each question GIFT cannot hold as written: the text, and each question left out as
    its number (from 1) and the reason."""
    by_name = {qtype.name: qtype for qtype in _gift_types(types)}
    chunks: list[str] = []
    refused: list[tuple[int, str]] = []
    current: list[str] = []
    for number, question in enumerate(questions, start=1):
        try:
            category, own = _tags_of(question)
            written = _write_question(question, by_name)
        except ValueError as problem:
            refused.append((number, str(problem)))
            continue
        if category != current:
            # An empty $CATEGORY: goes back to "no category", which parse_gift reads as [].
            chunks.append(f"$CATEGORY: {category[0]}" if category else "$CATEGORY:")
            current = category
        comment = "// " + " ".join(f"[tag:{tag}]" for tag in own) + "\n" if own else ""
        chunks.append(comment + written)
    return "".join(chunk + "\n\n" for chunk in chunks), refused


def has_gift_form(qtype: object) -> bool:
    """Whether a question type (or None, for one not installed) reads and writes GIFT: it sets gift_order."""
    return getattr(qtype, "gift_order", None) is not None


def trim(text: str) -> str:
    """Text trimmed the way Moodle trims (ASCII whitespace and NUL only)."""
    return text.strip(_SPACE)


def _gift_types(types: GiftTypes) -> list[GiftType]:
    """The installed types that have a GIFT form, in the order the parser asks them."""
    found = types.values() if isinstance(types, Mapping) else types
    return sorted((t for t in found if has_gift_form(t)), key=lambda t: (t.gift_order or 0, t.name))


# ---------------------------------------------------------------- reading blocks


@dataclass(frozen=True)
class _Category:
    """A $CATEGORY: line."""

    path: str


@dataclass(frozen=True)
class _Block:
    """One question's lines: trimmed, comments dropped, escapes hidden, joined by newlines."""

    text: str
    lines: tuple[int, ...]  # the source line number of each line in text
    tags: tuple[str, ...] = ()  # from [tag:...] in the block's comment lines

    def line_at(self, offset: int) -> int:
        """The source line holding the character at offset."""
        return self.lines[self.text.count("\n", 0, offset)]


@dataclass(frozen=True)
class AnswerText:
    """A question's answer block, or a part of it, as a question type reads it.

    ``text`` keeps GIFT's escaped characters hidden, so ``"~" in answers.text``
    or ``answers.text.startswith("#")`` sees only real markers; ``plain()`` and
    ``literal()`` give the readable text. Every part remembers where it came
    from, so ``error()`` names the right line. ``format`` is the question's
    format, which answers and feedback share.
    """

    text: str
    format: str
    start: int  # offset of text in the question's block
    block: _Block = dataclasses.field(repr=False)

    def cut(self, begin: int, end: int | None = None) -> AnswerText:
        """The part text[begin:end]."""
        end = len(self.text) if end is None else end
        return dataclasses.replace(self, text=self.text[begin:end], start=self.start + begin)

    def trim(self) -> AnswerText:
        """The part without surrounding whitespace."""
        left = self.text.lstrip(_SPACE)
        return dataclasses.replace(self, text=left.rstrip(_SPACE), start=self.start + len(self.text) - len(left))

    def partition(self, marker: str) -> tuple[AnswerText, AnswerText | None]:
        """The part before the first marker, and the part after it (None when there is no marker)."""
        at = self.text.find(marker)
        if at < 0:
            return self, None
        return self.cut(0, at), self.cut(at + len(marker))

    def split_answers(self, markers: str) -> list[tuple[str, AnswerText]]:
        """(marker, trimmed answer) pairs cut at each marker character.

        Text before the first marker is an answer too (with marker ""), as in
        Moodle, but only when it is not blank.
        """
        parts, marker, begin = [], "", 0
        for i, char in enumerate(self.text):
            if char in markers:
                parts.append((marker, self.cut(begin, i).trim()))
                marker, begin = char, i + 1
        parts.append((marker, self.cut(begin).trim()))
        if not parts[0][1].text:
            parts.pop(0)
        return parts

    def has_weight(self) -> bool:
        """Whether the part starts with a %N% weight."""
        return _WEIGHT.match(self.text) is not None

    def take_weight(self, default: float) -> tuple[float, AnswerText]:
        """A leading %N% weight (or the default) and the rest of the answer."""
        match = _WEIGHT.match(self.text)
        if not match:
            return default, self
        value = match.group(1)
        if not _PERCENT.fullmatch(value) or not -100 <= float(value) <= 100:
            raise self.error(
                f"bad answer weight '{_show(match.group())}': use a percentage between -100 and 100, like %50%"
            )
        return float(value), self.cut(match.end())

    def split_feedback(self) -> tuple[str, str]:
        """The answer's readable text and the feedback after its first #."""
        answer, feedback = self.partition("#")
        return answer.plain(), feedback.plain() if feedback is not None else ""

    def plain(self) -> str:
        """The readable text, trimmed, with a leading [format] marker dropped: answers keep only their words."""
        return _with_format(self.text, self.format)[1]

    def literal(self) -> str:
        """The readable text, trimmed, taken as it is (a [format] marker stays)."""
        return trim(_show(self.text))

    def error(self, message: str) -> GiftError:
        """A GiftError for the line this part starts on."""
        return GiftError(self.block.line_at(self.start), message)


def _items(text: str) -> Iterator[_Category | _Block]:
    """Yield the categories and question blocks of a GIFT text, in order."""
    if not isinstance(text, str):
        raise TypeError("GIFT text must be a str")
    lines: list[str] = []
    numbers: list[int] = []
    tags: list[str] = []
    source = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(source.split("\n"), start=1):
        line = trim(raw)
        if not line:
            if lines:
                yield _Block("\n".join(lines), tuple(numbers), tuple(tags))
                lines, numbers = [], []
            tags = []  # a blank line ends the block its comments belong to
        elif line.startswith("//"):
            tags += [trim(name) for name in _COMMENT_TAG.findall(line) if trim(name)]
        elif not lines and line.startswith("$CATEGORY:"):
            # Moodle only honours a category at the start of a block; the rest
            # of the block, if any, is read as the next question.
            yield _Category(trim(line[len("$CATEGORY:") :]))
        else:
            reserved = _RESERVED.search(line)
            if reserved:
                raise GiftError(
                    number,
                    f"the text contains U+{ord(reserved.group()):04X}, "
                    "a Unicode noncharacter that GIFT files cannot use",
                )
            lines.append(_ESCAPE.sub(_hide, line))
            numbers.append(number)
    if lines:
        yield _Block("\n".join(lines), tuple(numbers), tuple(tags))


def _hide(match: re.Match) -> str:
    """The stand-in for one escape sequence; an escaped backslash is just a backslash."""
    char = match.group(1)
    return "\\" if char == "\\" else _HIDDEN[char]


def _show(text: str) -> str:
    """Put the escaped characters back in place of their stand-ins."""
    return text.translate(_SHOWN)


def _parse(
    text: str, types: list[GiftType], collect_unsupported: bool, collect_all: bool = False
) -> tuple[list[dict], list]:
    """Parse every question, collecting (or raising) unsupported ones, and with `collect_all` every other problem
    of a question too."""
    questions: list[dict] = []
    problems: list[GiftError] = []
    tags: list[str] = []
    for item in _items(text):
        if isinstance(item, _Category):
            tags = [item.path] if item.path else []
            continue
        own = [tag for tag in dict.fromkeys(item.tags) if tag not in tags]
        try:
            questions.append(_parse_question(item, tags + own, types))
        except UnsupportedQuestionError as problem:
            if not collect_unsupported:
                raise
            problems.append(problem)
        except GiftError as problem:
            if not collect_all:
                raise
            problems.append(problem)
    return questions, problems


# ---------------------------------------------------------------- one question


def _parse_question(block: _Block, tags: list[str], types: list[GiftType]) -> dict:
    """Turn one block into a question dict."""
    title, body = _split_title(AnswerText(block.text, "moodle", 0, block))
    braces = _find_answer_block(body)
    if braces is None:
        fmt, stem = _with_format(body.text, "moodle")
        kind, config = _claim(types, None, block)
        return _question(kind, title, stem, fmt, "", tags, config, block)
    open_, close = braces
    # Like Moodle: a block that ends the question leaves no gap in the stem,
    # a block in the middle becomes a blank to fill in.
    gap = "" if close == len(body.text) - 1 else BLANK
    fmt, stem = _with_format(body.text[:open_] + gap + body.text[close + 1 :], "moodle")
    answers = dataclasses.replace(body.cut(open_ + 1, close).trim(), format=fmt)
    answers, general_feedback = _split_general_feedback(answers)
    kind, config = _claim(types, answers, block)
    return _question(kind, title, stem, fmt, general_feedback, tags, config, block)


def _claim(types: list[GiftType], answers: AnswerText | None, block: _Block) -> tuple[str, dict]:
    """The name and config from the first type that reads the answer block."""
    for qtype in types:
        config = qtype.from_gift(answers)
        if config is not None:
            return qtype.name, config
    raise UnsupportedQuestionError(block.lines[0], _moodle_type(answers))


def _moodle_type(answers: AnswerText | None) -> str | None:
    """Moodle's type for a question the shared syntax alone classifies: none, or an empty answer block."""
    if answers is None:
        return "description"
    return None if answers.text else "essay"


def _question(kind, title, stem, fmt, general_feedback, tags, config, block) -> dict:
    """The question dict in the project's normalized shape."""
    return {
        "type": kind,
        "title": title,
        "stem": stem,
        "format": fmt,
        "general_feedback": general_feedback,
        "tags": tags,
        "config": config,
        "line": block.lines[0],
    }


def _split_title(whole: AnswerText) -> tuple[str | None, AnswerText]:
    """The ::title:: (or None) and the rest of the question."""
    if not whole.text.startswith("::"):
        return None, whole
    end = whole.text.find("::", 2)
    if end < 0:
        raise whole.error("the question title starts with '::' but has no closing '::'")
    return trim(_show(whole.text[2:end])), whole.cut(end + 2).trim()


def _find_answer_block(body: AnswerText) -> tuple[int, int] | None:
    """Offsets (in body) of the answer block's braces, or None when there is none."""
    text = body.text
    open_, close = text.find("{"), text.find("}")
    if open_ < 0 and close < 0:
        return None
    if close >= 0 and (open_ < 0 or close < open_):
        raise body.cut(close).error("'}' has no matching '{' (write \\} for a literal brace)")
    if close < 0:
        raise body.cut(open_).error("the answer block '{' is never closed with '}' (a blank line ends a question)")
    nested = text.find("{", open_ + 1, close)
    if nested >= 0:
        raise body.cut(nested).error("'{' inside an answer block (write \\{ for a literal brace)")
    extra = min((i for i in (text.find("{", close + 1), text.find("}", close + 1)) if i >= 0), default=-1)
    if extra >= 0:
        raise body.cut(extra).error("a question can have only one answer block (write \\{ and \\} for literal braces)")
    return open_, close


def _split_general_feedback(answers: AnswerText) -> tuple[AnswerText, str]:
    """The answers and the general feedback after the last ####."""
    mark = answers.text.rfind("####")
    if mark < 0:
        return answers, ""
    return answers.cut(0, mark).trim(), answers.cut(mark + 4).plain()


def _with_format(text: str, default: str) -> tuple[str, str]:
    """A leading [format] marker (or the default) and the text without it, escapes shown, trimmed."""
    text = trim(text)
    if text.startswith("["):
        name = text[1 : text.find("]")] if "]" in text else ""
        if name in FORMATS:
            return name, trim(_show(text[len(name) + 2 :]))
    return default, trim(_show(text))


# ---------------------------------------------------------------- writing


def _tags_of(question: dict) -> tuple[list[str], list[str]]:
    """The question's category (its first tag, as a list of none or one) and its other tags, checked to be
    writable: the category as a $CATEGORY: line, the others as [tag:...] in a comment."""
    tags = question.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f"tags must be a list of text, got {tags!r}")
    # Both are read back trimmed, from a single line.
    if tags and (not tags[0] or "\n" in tags[0] or tags[0] != trim(tags[0])):
        raise ValueError(f"the category {tags[0]!r} cannot be written as a $CATEGORY: line")
    for tag in tags[1:]:
        if not tag or tag != trim(tag) or any(char in tag for char in "]\n") or tags.count(tag) > 1:
            raise ValueError(f"the tag {tag!r} cannot be written as a GIFT [tag:...] comment")
    return tags[:1], tags[1:]


def _write_question(question: dict, types: dict[str, GiftType]) -> str:
    """One question as GIFT text."""
    kind, fmt = question.get("type"), question.get("format", "moodle")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    qtype = types.get(kind) if isinstance(kind, str) else None
    if qtype is None:
        raise ValueError(f"GIFT cannot hold {kind!r} questions")
    lines = qtype.to_gift(question.get("config") or {}, fmt)  # a ValueError says what GIFT cannot hold
    title = question.get("title")
    head = "" if title is None else f"::{escape(title)}::"
    stem = question.get("stem", "")
    # A stem starting with "[" would be read as a format marker, and one
    # starting with "//" as a comment, unless a marker comes first.
    marker = f"[{fmt}]" if fmt != "moodle" or stem.startswith(("[", "//")) else ""
    if lines is None:
        if question.get("general_feedback"):
            raise ValueError(f"a {kind} cannot have general feedback in GIFT")
        # A question without a block still needs a line, or it would vanish: a lone marker keeps it.
        return head + (marker or ("" if head or stem else f"[{fmt}]")) + escape(stem)
    if question.get("general_feedback"):
        lines = [*lines, "####" + write_text(question["general_feedback"], fmt)]
    block = "{" + ("\n" + "".join(f"\t{line}\n" for line in lines) if lines else "") + "}"
    return head + marker + _place_block(stem, block)


def _place_block(stem: str, block: str) -> str:
    """The stem with the answer block at its first blank, or after it."""
    blank = stem.find(BLANK)
    if 0 <= blank < len(stem) - len(BLANK):
        return escape(stem[:blank]) + block + escape(stem[blank + len(BLANK) :])
    return escape(stem) + block


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped and newlines written as \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def write_text(text: str, fmt: str) -> str:
    """An answer or feedback text, escaped and guarded by a format marker where it could be misread."""
    # The marker repeats the question's format, which answers default to anyway.
    guard = f"[{fmt}]" if text.startswith(("[", "%")) else ""
    return guard + escape(text)


def write_feedback(feedback: str, fmt: str) -> str:
    """'#feedback', or nothing when there is none."""
    return "#" + write_text(feedback, fmt) if feedback else ""


def write_weight(weight: object) -> str:
    """A weight as the digits between % signs, without exponent notation; ValueError unless a percentage."""
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not -100 <= weight <= 100:
        raise ValueError(f"weight {weight!r} is not a percentage between -100 and 100")
    value = float(weight)
    return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")


def write_weighted(marker: str, weight: object, default: float) -> str:
    """An answer's marker, followed by its %N% weight unless the weight is what the marker implies."""
    return marker if weight == default else f"{marker}%{write_weight(weight)}%"


def write_number(value: object) -> str:
    """A finite number as numerical answers write it; ValueError for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def required_entries(config: dict, key: str, least: int) -> list[dict]:
    """config[key], checked to hold as many entries as the type's from_gift will ask for."""
    entries = config.get(key) or []
    if len(entries) < least:
        # Fewer would not read back: one choice alone, for instance, is a short answer.
        noun = key if least > 1 else key.removesuffix("s")
        raise ValueError(f"GIFT needs at least {least} {noun} here")
    return entries


def required_text(entry: dict, key: str) -> str:
    """A required, non-empty text field of a choice, answer or pair."""
    text = entry.get(key)
    if not isinstance(text, str) or not trim(text):
        raise ValueError(f"every entry needs a non-empty {key!r}")
    return text
