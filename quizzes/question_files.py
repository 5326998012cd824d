"""Question files of a content pack in YAML, for the types GIFT cannot hold (a typing test, a drill, a conversation).

A file is a list of questions. Each has a `type`, a `title`, its `stem` (Markdown), optional `tags` and `feedback`
(shown after the attempt), and the type's own settings as the other keys, for example:

    - type: typing
      title: typing-customer-note
      tags: [skills/typing]
      stem: Type this note to a customer.
      passage: Thank you for calling. Your refund was sent today.
      min_net_wpm: 30
      min_accuracy: 95

Each question comes back in the shape the GIFT reader gives (`quizzes.gift.parse_gift`), with its line.
"""

import yaml

from courses.lines import LineDict, LineList
from courses.yaml_lines import error_line, error_text, load_yaml

COMMON_KEYS = ("type", "title", "stem", "tags", "feedback")


class QuestionFileError(ValueError):
    """A question file that cannot be read, with the line at fault."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def parse_question_file(text: str, type_names) -> list[dict]:
    """The questions of a YAML question file; raises QuestionFileError for the first problem of its shape."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise QuestionFileError(error_line(exc), error_text(exc)) from None
    if not isinstance(data, LineList) or not data:
        raise QuestionFileError(getattr(data, "line", 1) or 1, "a question file is a list of questions")
    return [read_question(item, line, type_names) for item, line in zip(data, data.item_lines, strict=True)]


def read_question(item, line: int, type_names) -> dict:
    """One question of the list, checked for the keys every question has."""
    if not isinstance(item, LineDict):
        raise QuestionFileError(line, "each question is a mapping with a type, a title and a stem")
    qtype = item.get("type")
    if qtype not in type_names:
        raise QuestionFileError(line, f"question type {qtype!r} is not installed")
    for key in ("title", "stem"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise QuestionFileError(item.key_lines.get(key, line), f"the question needs a {key}")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        raise QuestionFileError(item.key_lines.get("tags", line), "tags must be a list of words")
    feedback = item.get("feedback", "")
    if not isinstance(feedback, str):
        raise QuestionFileError(item.key_lines.get("feedback", line), "feedback must be text")
    return {
        "type": qtype,
        "title": item["title"].strip(),
        "stem": item["stem"].strip(),
        "format": "markdown",
        "general_feedback": feedback.strip(),
        "tags": [tag.strip() for tag in tags],
        "config": plain({key: value for key, value in item.items() if key not in COMMON_KEYS}),
        "line": line,
    }


def plain(value):
    """A value read from YAML as plain JSON-like data (dicts and lists that no longer carry their lines)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
