"""Moodle's GIFT quiz format: parse GIFT text into question dicts, and write them back.

The rules follow Moodle's own GIFT importer (question/format/gift/format.php),
so a file reads here the way it reads in Moodle:

* questions are separated by blank lines; every line is trimmed, and lines
  starting with // are comments;
* ``$CATEGORY: path`` at the start of a question block sets the category;
* ``::title::`` names a question and ``[html]``, ``[markdown]``, ``[plain]`` or
  ``[moodle]`` at the start of a text sets its format;
* the answer block ``{...}`` decides the type: none is a description, an empty
  one an essay, ``#`` numerical, any ``~`` multiple choice, ``=`` together with
  ``->`` matching, T/TRUE/F/FALSE true/false, anything else short answer;
* ``\\~ \\= \\# \\{ \\} \\:`` and ``\\\\`` stand for the character itself, ``\\n`` for a
  newline; any other backslash is kept as it is.

Where Moodle would silently import something broken (an unclosed title, a
stray brace, a weight that is not a number), the parser stops with a GiftError
that names the line instead. Pure Python: nothing here touches Flask or a
database.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ANY_NUMBER",
    "FORMATS",
    "GiftError",
    "UnsupportedQuestionError",
    "parse_gift",
    "parse_gift_report",
    "write_gift",
]

FORMATS = ("moodle", "html", "markdown", "plain")
BLANK = "_____"
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}

# A numerical "*" answer (Moodle's "any other answer", also written "~#feedback")
# becomes the widest finite range: it then stays JSON-safe and passes the
# numerical type's own checks, while every number still falls inside it.
ANY_NUMBER = sys.float_info.max

# Moodle trims with PHP's trim(), which leaves other Unicode spaces (such as
# no-break spaces) alone; str.strip() without arguments would not.
_SPACE = " \t\n\r\0\x0b"

# While a question's structure is parsed, escaped characters are swapped for
# Unicode noncharacters (reserved for exactly this kind of internal use), so
# that plain str methods can look for the structural ones.
_HIDDEN = {":": "\ufdd0", "#": "\ufdd1", "=": "\ufdd2", "{": "\ufdd3", "}": "\ufdd4", "~": "\ufdd5", "n": "\ufdd6"}
_SHOWN = {ord(mark): ("\n" if char == "n" else char) for char, mark in _HIDDEN.items()}
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_RESERVED = re.compile("[" + "".join(_HIDDEN.values()) + "]")

_WEIGHT = re.compile(r"%([^%\s]*)%")
_PERCENT = re.compile(r"-?\d+(?:\.\d*)?", re.ASCII)
# Plain decimal or scientific notation; float() alone would also take "nan" and "1_000".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


class GiftError(ValueError):
    """A problem in GIFT text, with the 1-based line it was found on."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class UnsupportedQuestionError(GiftError):
    """A well-formed GIFT question of a type the project has no equivalent for."""

    def __init__(self, line: int, question_type: str):
        super().__init__(line, f"{question_type} questions are not supported")
        self.question_type = question_type


# ---------------------------------------------------------------- public API


def parse_gift(text: str, skip_unsupported: bool = False) -> list[dict]:
    """Parse GIFT text into question dicts; raise GiftError for the first problem."""
    questions, _problems = _parse(text, skip_unsupported)
    return questions


def parse_gift_report(text: str) -> tuple[list[dict], list[GiftError]]:
    """Parse GIFT text, skipping unsupported questions and returning their errors alongside."""
    return _parse(text, collect_unsupported=True)


def write_gift(questions: list[dict]) -> str:
    """Write question dicts as GIFT text that parse_gift reads back unchanged (except "line")."""
    chunks: list[str] = []
    current: list[str] = []
    for number, question in enumerate(questions, start=1):
        tags = _category_of(question, number)
        if tags != current:
            # An empty $CATEGORY: goes back to "no category", which parse_gift reads as [].
            chunks.append(f"$CATEGORY: {tags[0]}" if tags else "$CATEGORY:")
            current = tags
        chunks.append(_write_question(question, number))
    return "".join(chunk + "\n\n" for chunk in chunks)


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

    def line_at(self, offset: int) -> int:
        """The source line holding the character at offset."""
        return self.lines[self.text.count("\n", 0, offset)]

    def error(self, offset: int, message: str) -> GiftError:
        """A GiftError for the line holding offset."""
        return GiftError(self.line_at(offset), message)


@dataclass(frozen=True)
class _Piece:
    """A slice of a block's text that remembers where it starts, for error line numbers."""

    text: str
    start: int

    def cut(self, begin: int, end: int | None = None) -> _Piece:
        """The sub-slice text[begin:end]."""
        end = len(self.text) if end is None else end
        return _Piece(self.text[begin:end], self.start + begin)

    def trim(self) -> _Piece:
        """The slice without surrounding whitespace."""
        left = self.text.lstrip(_SPACE)
        return _Piece(left.rstrip(_SPACE), self.start + len(self.text) - len(left))

    def split_on(self, markers: str) -> list[tuple[str, _Piece]]:
        """(marker, piece) pairs cut at each marker character; the first marker is ""."""
        parts, marker, begin = [], "", 0
        for i, char in enumerate(self.text):
            if char in markers:
                parts.append((marker, self.cut(begin, i)))
                marker, begin = char, i + 1
        parts.append((marker, self.cut(begin)))
        return parts


def _items(text: str):
    """Yield the categories and question blocks of a GIFT text, in order."""
    if not isinstance(text, str):
        raise TypeError("GIFT text must be a str")
    lines: list[str] = []
    numbers: list[int] = []
    source = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(source.split("\n"), start=1):
        line = raw.strip(_SPACE)
        if not line:
            if lines:
                yield _Block("\n".join(lines), tuple(numbers))
                lines, numbers = [], []
        elif line.startswith("//"):
            continue
        elif not lines and line.startswith("$CATEGORY:"):
            # Moodle only honours a category at the start of a block; the rest
            # of the block, if any, is read as the next question.
            yield _Category(line[len("$CATEGORY:") :].strip(_SPACE))
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
        yield _Block("\n".join(lines), tuple(numbers))


def _hide(match: re.Match) -> str:
    """The stand-in for one escape sequence; an escaped backslash is just a backslash."""
    char = match.group(1)
    return "\\" if char == "\\" else _HIDDEN[char]


def _show(text: str) -> str:
    """Put the escaped characters back in place of their stand-ins."""
    return text.translate(_SHOWN)


def _parse(text: str, collect_unsupported: bool) -> tuple[list[dict], list[GiftError]]:
    """Parse every question, collecting (or raising) unsupported ones."""
    questions: list[dict] = []
    problems: list[GiftError] = []
    tags: list[str] = []
    for item in _items(text):
        if isinstance(item, _Category):
            tags = [item.path] if item.path else []
            continue
        try:
            questions.append(_parse_question(item, list(tags)))
        except UnsupportedQuestionError as problem:
            if not collect_unsupported:
                raise
            problems.append(problem)
    return questions, problems


# ---------------------------------------------------------------- one question


def _parse_question(block: _Block, tags: list[str]) -> dict:
    """Turn one block into a question dict."""
    whole = _Piece(block.text, 0)
    title, body = _split_title(block, whole)
    braces = _find_answer_block(block, body)
    if braces is None:
        fmt, stem = _with_format(body.text, "moodle")
        return _question("description", title, stem, fmt, "", tags, {}, block)
    open_, close = braces
    # Like Moodle: a block that ends the question leaves no gap in the stem,
    # a block in the middle becomes a blank to fill in.
    gap = "" if close == len(body.text) - 1 else BLANK
    fmt, stem = _with_format(body.text[:open_] + gap + body.text[close + 1 :], "moodle")
    answers, general_feedback = _split_general_feedback(body.cut(open_ + 1, close).trim(), fmt)
    kind, config = _parse_answers(block, answers, fmt)
    return _question(kind, title, stem, fmt, general_feedback, tags, config, block)


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


def _split_title(block: _Block, whole: _Piece) -> tuple[str | None, _Piece]:
    """The ::title:: (or None) and the rest of the question."""
    if not whole.text.startswith("::"):
        return None, whole
    end = whole.text.find("::", 2)
    if end < 0:
        raise block.error(0, "the question title starts with '::' but has no closing '::'")
    return _show(whole.text[2:end]).strip(_SPACE), whole.cut(end + 2).trim()


def _find_answer_block(block: _Block, body: _Piece) -> tuple[int, int] | None:
    """Offsets (in body) of the answer block's braces, or None when there is none."""
    text = body.text
    open_, close = text.find("{"), text.find("}")
    if open_ < 0 and close < 0:
        return None
    if close >= 0 and (open_ < 0 or close < open_):
        raise block.error(body.start + close, "'}' has no matching '{' (write \\} for a literal brace)")
    if close < 0:
        raise block.error(
            body.start + open_, "the answer block '{' is never closed with '}' (a blank line ends a question)"
        )
    nested = text.find("{", open_ + 1, close)
    if nested >= 0:
        raise block.error(body.start + nested, "'{' inside an answer block (write \\{ for a literal brace)")
    extra = min((i for i in (text.find("{", close + 1), text.find("}", close + 1)) if i >= 0), default=-1)
    if extra >= 0:
        raise block.error(
            body.start + extra, "a question can have only one answer block (write \\{ and \\} for literal braces)"
        )
    return open_, close


def _split_general_feedback(answers: _Piece, fmt: str) -> tuple[_Piece, str]:
    """The answers and the general feedback after the last ####."""
    mark = answers.text.rfind("####")
    if mark < 0:
        return answers, ""
    return answers.cut(0, mark).trim(), _with_format(answers.text[mark + 4 :], fmt)[1]


def _parse_answers(block: _Block, answers: _Piece, fmt: str) -> tuple[str, dict]:
    """The question type and config, decided the way Moodle's importer decides."""
    text = answers.text
    if not text:
        raise UnsupportedQuestionError(block.lines[0], "essay")
    if text.startswith("#"):
        return "numerical", _numerical(block, answers.cut(1))
    if "~" in text:
        return _choices(block, answers, fmt)
    if "=" in text and "->" in text:
        return "matching", _matching(block, answers)
    if text.split("#", 1)[0].strip(_SPACE) in TRUE_FALSE:
        return "true_false", _true_false(text, fmt)
    return "short_answer", _short_answer(block, answers, fmt)


# ---------------------------------------------------------------- answer pieces


def _with_format(text: str, default: str) -> tuple[str, str]:
    """A leading [format] marker (or the default) and the text without it, escapes shown, trimmed."""
    text = text.strip(_SPACE)
    if text.startswith("["):
        name = text[1 : text.find("]")] if "]" in text else ""
        if name in FORMATS:
            return name, _show(text[len(name) + 2 :]).strip(_SPACE)
    return default, _show(text).strip(_SPACE)


def _plain(text: str, fmt: str) -> str:
    """A text with any [format] marker dropped: answers and feedback keep only their words."""
    return _with_format(text, fmt)[1]


def _with_feedback(piece: _Piece, fmt: str) -> tuple[str, str]:
    """An answer's text and the feedback after its first #."""
    text, _, feedback = piece.text.partition("#")
    return _plain(text, fmt), _plain(feedback, fmt)


def _take_weight(block: _Block, piece: _Piece, default: float) -> tuple[float, _Piece]:
    """A leading %N% weight (or the default) and the rest of the answer."""
    match = _WEIGHT.match(piece.text)
    if not match:
        return default, piece
    value = match.group(1)
    if not _PERCENT.fullmatch(value) or not -100 <= float(value) <= 100:
        raise block.error(
            piece.start, f"bad answer weight '{_show(match.group())}': use a percentage between -100 and 100, like %50%"
        )
    return float(value), piece.cut(match.end())


def _answer_list(answers: _Piece, markers: str) -> list[tuple[str, _Piece]]:
    """(marker, trimmed answer) pairs; text before the first marker counts only when not blank."""
    parts = [(marker, piece.trim()) for marker, piece in answers.split_on(markers)]
    if parts and not parts[0][1].text:
        parts.pop(0)
    return parts


def _choices(block: _Block, answers: _Piece, fmt: str) -> tuple[str, dict]:
    """A multiple-choice block: single choice when any answer is marked '=', as in Moodle."""
    parts = _answer_list(answers, "~=")
    if len(parts) < 2:
        raise block.error(answers.start, "a multiple-choice question needs at least 2 choices")
    choices = [_choice(block, marker, piece, fmt, n) for n, (marker, piece) in enumerate(parts, start=1)]
    single = any(marker == "=" for marker, _ in parts)
    return ("single_choice" if single else "multiple_response"), {"choices": choices}


def _choice(block: _Block, marker: str, piece: _Piece, fmt: str, number: int) -> dict:
    """One multiple-choice answer."""
    if marker == "=":
        # Moodle always gives '=' full marks and would keep a %N% as part of the text.
        if _WEIGHT.match(piece.text):
            raise block.error(piece.start, "an '=' choice is always worth 100%; write ~%50% for a partly right choice")
        weight = 100.0
    else:
        weight, piece = _take_weight(block, piece, 0.0)
    text, feedback = _with_feedback(piece, fmt)
    if not text:
        raise block.error(piece.start, f"choice {number} is empty")
    return {"text": text, "weight": weight, "feedback": feedback}


def _short_answer(block: _Block, answers: _Piece, fmt: str) -> dict:
    """Accepted answers; a single answer may leave out its '='."""
    result = []
    for number, (_marker, piece) in enumerate(_answer_list(answers, "="), start=1):
        weight, rest = _take_weight(block, piece, 100.0)
        text, feedback = _with_feedback(rest, fmt)
        if not text:
            raise block.error(piece.start, f"short answer {number} is empty")
        result.append({"text": text, "weight": weight, "feedback": feedback})
    return {"answers": result}


def _true_false(text: str, fmt: str) -> dict:
    """T/F with feedback: Moodle shows the first for a wrong answer, the second for a right one."""
    answer, wrong, right = (text.split("#", 2) + ["", ""])[:3]
    return {
        "answer": TRUE_FALSE[answer.strip(_SPACE)],
        "feedback_wrong": _plain(wrong, fmt),
        "feedback_right": _plain(right, fmt),
    }


def _matching(block: _Block, answers: _Piece) -> dict:
    """Prompt -> answer pairs; a pair with an empty prompt is an extra wrong answer."""
    parts = _answer_list(answers, "=")
    if len(parts) < 2:
        raise block.error(answers.start, "a matching question needs at least 2 pairs")
    pairs = []
    for _marker, piece in parts:
        prompt, arrow, answer = piece.text.partition("->")
        if not arrow:
            raise block.error(
                piece.start,
                f"matching pair '{_show(piece.text)}' has no '->' "
                "(a matching question cannot mix pairs with other answers)",
            )
        # Moodle reads a format marker on the prompt but takes the answer literally.
        answer = _show(answer).strip(_SPACE)
        if not answer:
            raise block.error(piece.start, f"matching pair '{_show(piece.text)}' has no answer after '->'")
        pairs.append({"prompt": _plain(prompt, "moodle"), "answer": answer})
    return {"pairs": pairs}


def _numerical(block: _Block, answers: _Piece) -> dict:
    """Numerical answers: value, value:tolerance, min..max or *, each with weight and feedback."""
    tilde = answers.text.find("~")
    others = answers.cut(tilde) if tilde >= 0 else None
    answers = answers.cut(0, tilde) if tilde >= 0 else answers
    parts = _answer_list(answers, "=")
    if not parts:
        raise block.error(answers.start, "the numerical question has no answer")
    result = [_numerical_answer(block, piece) for _marker, piece in parts]
    if others is not None:
        result.append(_numerical_others(block, others))
    return {"answers": result}


def _numerical_answer(block: _Block, piece: _Piece) -> dict:
    """One '=' answer of a numerical question."""
    weight, rest = _take_weight(block, piece, 100.0)
    text, feedback = _with_feedback(rest, "moodle")
    answer = {"weight": weight, "feedback": feedback}
    if text == "*":
        return {**_any_number(), **answer}
    if text.find("..") > 0:
        low, high = (_number(block, piece, part) for part in text.split("..", 1))
        if low > high:
            raise block.error(piece.start, f"the numerical range '{text}' starts above where it ends")
        return {"min": low, "max": high, "value": None, "tolerance": None, **answer}
    value, _, tolerance = text.partition(":") if text.find(":") > 0 else (text, "", "0")
    value, tolerance = _number(block, piece, value), _number(block, piece, tolerance)
    if tolerance < 0:
        raise block.error(piece.start, f"the numerical tolerance in '{text}' is negative")
    return {"min": value - tolerance, "max": value + tolerance, "value": value, "tolerance": tolerance, **answer}


def _numerical_others(block: _Block, piece: _Piece) -> dict:
    """The '~#feedback' part: feedback for any other number, worth nothing."""
    head, _, feedback = piece.text[1:].partition("#")
    if head.strip(_SPACE):
        raise block.error(
            piece.start, "in a numerical question '~' may only be followed by '#feedback' for any other answer"
        )
    return {**_any_number(), "weight": 0.0, "feedback": _plain(feedback, "moodle")}


def _any_number() -> dict:
    """The range fields of a numerical answer that accepts every number."""
    return {"min": -ANY_NUMBER, "max": ANY_NUMBER, "value": None, "tolerance": None}


def _number(block: _Block, piece: _Piece, text: str) -> float:
    """A finite number from a numerical answer, or a GiftError."""
    text = text.strip(_SPACE)
    if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise block.error(piece.start, f"the numerical answer '{text}' is not a number")
    return float(text)


# ---------------------------------------------------------------- writing


def _category_of(question: dict, number: int) -> list[str]:
    """The question's tags, checked to be one writable category path or none."""
    tags = question.get("tags") or []
    if not isinstance(tags, list) or len(tags) > 1:
        raise ValueError(f"question {number}: GIFT can hold one category per question, got {tags!r}")
    path = tags[0] if tags else None
    # The path is read back trimmed, from a single line.
    if tags and (not isinstance(path, str) or not path or "\n" in path or path != path.strip(_SPACE)):
        raise ValueError(f"question {number}: the category {path!r} cannot be written as a $CATEGORY: line")
    return list(tags)


def _write_question(question: dict, number: int) -> str:
    """One question as GIFT text."""
    kind, fmt = question.get("type"), question.get("format", "moodle")
    if fmt not in FORMATS:
        raise ValueError(f"question {number}: unknown format {fmt!r}")
    if kind not in _WRITERS:
        raise ValueError(f"question {number}: GIFT cannot hold {kind!r} questions")
    title = question.get("title")
    head = "" if title is None else f"::{_escape(title)}::"
    stem = question.get("stem", "")
    # A stem starting with "[" would be read as a format marker, and one
    # starting with "//" as a comment, unless a marker comes first.
    marker = f"[{fmt}]" if fmt != "moodle" or stem.startswith(("[", "//")) else ""
    if kind == "description":
        if question.get("general_feedback"):
            raise ValueError(f"question {number}: a description cannot have general feedback in GIFT")
        # An empty description still needs a line, or it would vanish: a lone marker keeps it.
        return head + (marker or ("" if head or stem else f"[{fmt}]")) + _escape(stem)
    lines = _WRITERS[kind](question.get("config") or {}, fmt, number)
    if question.get("general_feedback"):
        lines.append("####" + _text_out(question["general_feedback"], fmt))
    block = "{\n" + "".join(f"\t{line}\n" for line in lines) + "}"
    return head + marker + _place_block(stem, block)


def _place_block(stem: str, block: str) -> str:
    """The stem with the answer block at its first blank, or after it."""
    blank = stem.find(BLANK)
    if 0 <= blank < len(stem) - len(BLANK):
        return _escape(stem[:blank]) + block + _escape(stem[blank + len(BLANK) :])
    return _escape(stem) + block


def _escape(text: str) -> str:
    """Text with GIFT's special characters escaped and newlines written as \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text_out(text: str, fmt: str) -> str:
    """An answer or feedback text, guarded by a format marker where it could be misread."""
    # The marker repeats the question's format, which answers default to anyway.
    guard = f"[{fmt}]" if text.startswith(("[", "%")) else ""
    return guard + _escape(text)


def _feedback_out(feedback: str, fmt: str) -> str:
    """'#feedback', or nothing when there is none."""
    return "#" + _text_out(feedback, fmt) if feedback else ""


def _weight_out(weight, number: int) -> str:
    """A weight as the digits between % signs, without exponent notation."""
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not -100 <= weight <= 100:
        raise ValueError(f"question {number}: weight {weight!r} is not a percentage between -100 and 100")
    weight = float(weight)
    return str(int(weight)) if weight.is_integer() else format(Decimal(repr(weight)), "f")


def _number_out(value, number: int) -> str:
    """A finite number as numerical answers write it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"question {number}: {value!r} is not a finite number")
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _entries(config: dict, key: str, least: int, number: int) -> list[dict]:
    """config[key], checked to hold as many entries as the parser will ask for."""
    entries = config.get(key) or []
    if len(entries) < least:
        # Fewer would not read back: one choice alone, for instance, is a short answer.
        noun = key if least > 1 else key.removesuffix("s")
        raise ValueError(f"question {number}: GIFT needs at least {least} {noun} here")
    return entries


def _entry_text(entry: dict, key: str, number: int) -> str:
    """A required, non-empty text field of a choice, answer or pair."""
    text = entry.get(key)
    if not isinstance(text, str) or not text.strip(_SPACE):
        raise ValueError(f"question {number}: every entry needs a non-empty {key!r}")
    return text


def _write_choices(config: dict, fmt: str, number: int, single: bool) -> list[str]:
    """Choice lines: '=' for the first full-marks choice of a single choice, '~%N%' otherwise."""
    choices = _entries(config, "choices", 2, number)
    if single and not any(c.get("weight") == 100 for c in choices):
        raise ValueError(f"question {number}: a single_choice question needs a choice with weight 100")
    lines, marked = [], False
    for choice in choices:
        weight = choice.get("weight", 0)
        if single and weight == 100 and not marked:
            # Only one '=': with every choice written as '=' and no '~' the
            # block would read back as a short answer.
            prefix, marked = "=", True
        else:
            prefix = "~" if weight == 0 else f"~%{_weight_out(weight, number)}%"
        text = _text_out(_entry_text(choice, "text", number), fmt)
        lines.append(prefix + text + _feedback_out(choice.get("feedback", ""), fmt))
    return lines


def _write_single_choice(config: dict, fmt: str, number: int) -> list[str]:
    """Lines of a single_choice block."""
    return _write_choices(config, fmt, number, single=True)


def _write_multiple_response(config: dict, fmt: str, number: int) -> list[str]:
    """Lines of a multiple_response block: never an '=', so it reads back as multiple."""
    return _write_choices(config, fmt, number, single=False)


def _write_true_false(config: dict, fmt: str, _number: int) -> list[str]:
    """The single line of a true/false block."""
    line = "TRUE" if config.get("answer") else "FALSE"
    wrong, right = config.get("feedback_wrong", ""), config.get("feedback_right", "")
    if wrong or right:
        line += "#" + _text_out(wrong, fmt)
    if right:
        line += "#" + _text_out(right, fmt)
    return [line]


def _write_short_answer(config: dict, fmt: str, number: int) -> list[str]:
    """Lines of a short answer block."""
    lines = []
    for answer in _entries(config, "answers", 1, number):
        text = _entry_text(answer, "text", number)
        if "->" in text or "->" in answer.get("feedback", ""):
            # Moodle reads any '=' block containing '->' as matching, and '->' cannot be escaped.
            raise ValueError(f"question {number}: a short answer cannot contain '->' in GIFT")
        weight = answer.get("weight", 100)
        prefix = "=" if weight == 100 else f"=%{_weight_out(weight, number)}%"
        lines.append(prefix + _text_out(text, fmt) + _feedback_out(answer.get("feedback", ""), fmt))
    return lines


def _write_numerical(config: dict, fmt: str, number: int) -> list[str]:
    """Lines of a numerical block; the first line holds the '#' that marks the type."""
    lines = ["#"]
    for answer in _entries(config, "answers", 1, number):
        weight = answer.get("weight", 100)
        prefix = "=" if weight == 100 else f"=%{_weight_out(weight, number)}%"
        if answer.get("min") == -ANY_NUMBER and answer.get("max") == ANY_NUMBER:
            value = "*"
        elif answer.get("value") is None:
            value = f"{_number_out(answer.get('min'), number)}..{_number_out(answer.get('max'), number)}"
        else:
            tolerance = answer.get("tolerance") or 0
            value = f"{_number_out(answer['value'], number)}:{_number_out(tolerance, number)}"
        lines.append(prefix + value + _feedback_out(answer.get("feedback", ""), fmt))
    return lines


def _write_matching(config: dict, fmt: str, number: int) -> list[str]:
    """Lines of a matching block."""
    lines = []
    for pair in _entries(config, "pairs", 2, number):
        prompt, answer = pair.get("prompt", ""), _entry_text(pair, "answer", number)
        if "->" in prompt:
            raise ValueError(f"question {number}: a matching prompt cannot contain '->' in GIFT")
        lines.append(f"={_text_out(prompt, fmt)} -> {_escape(answer)}")
    return lines


_WRITERS = {
    "single_choice": _write_single_choice,
    "multiple_response": _write_multiple_response,
    "true_false": _write_true_false,
    "short_answer": _write_short_answer,
    "numerical": _write_numerical,
    "matching": _write_matching,
    "description": None,  # no answer block: handled in _write_question
}
