"""Sections of `course.yaml` that other plugins own, and their declarative checking.

A plugin declares each section it owns (`lms_pack_sections`): its key, whether it sits at the top of
course.yaml or in each module, a JSON Schema for its shape and a `build` function that turns the checked
value into the plugin's own spec (and finds what a schema cannot: a missing file, a duplicate slug).
The pack reader checks every section against its schema and reports problems with file and line.
"""

import dataclasses
import pathlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from courses.lines import LineDict, LineList

COURSE = "course"
MODULE = "module"
# The pattern every slug in a pack follows; sections use it in their schemas.
if TYPE_CHECKING:
    from jsonschema import ValidationError

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MESSAGE = "{key} {value!r} must be lower-case words joined by hyphens, e.g. 'voice-bpo'"


@dataclasses.dataclass(frozen=True)
class SectionContext:
    """What a section's `build` may need to know about the rest of the pack."""

    path: pathlib.Path  # the pack folder
    course_slug: str
    module_slugs: tuple[str, ...]
    module_slug: str | None = None  # for module sections: the module holding the section
    module_title: str = ""
    line: int = 1  # the line of the section's key


# build(value, context) -> (spec, [(line, message), ...])
Build = Callable[[Any, SectionContext], tuple[Any, list[tuple[int, str]]]]


@dataclasses.dataclass(frozen=True)
class PackSection:
    """A key of course.yaml (level COURSE) or of each module in it (level MODULE) that a plugin owns.

    `schema` is a JSON Schema (draft 2020-12). A subschema's `title` names it in problems ("unknown key 'x'
    in quiz settings") and its `errorMessage` replaces the validator's wording; `{key}` and `{value!r}` in
    it stand for the key and the value found.
    """

    key: str
    level: str
    schema: dict
    build: Build
    counts_as: str = ""  # what the OK line of `courses check` counts these as, e.g. "quizzes"


def node_line(root: Any, path: Iterable[Any]) -> int:
    """The line of the value at `path` inside YAML loaded with lines (the nearest known line)."""
    node, line = root, getattr(root, "line", 1)
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line, node = node.key_lines.get(step, line), node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line, node = node.item_lines[step], node[step]
        else:
            break
    return line


def schema_problems(value: Any, schema: dict, line: int) -> list[tuple[int, str]]:
    """Every way `value` breaks `schema`, as (line, message) pairs in document order."""
    found: list[tuple[int, str]] = []
    from jsonschema import Draft202012Validator  # only checking a pack needs it, not serving pages

    for error in Draft202012Validator(schema).iter_errors(value):
        found.extend(describe(error, value, line))
    return sorted(set(found))


def describe(error: "ValidationError", root: Any, line: int) -> list[tuple[int, str]]:
    """One validation error as (line, message) pairs a pack author understands."""
    path = list(error.absolute_path)
    where = node_line(root, path) if path else line
    title = error.schema.get("title", "this section") if isinstance(error.schema, dict) else "this section"
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        known = set(error.schema.get("properties", {}))
        return [
            (node_line(root, [*path, key]), f"unknown key {key!r} in {title} (allowed: {allowed})")
            for key in instance
            if key not in known
        ]
    if error.validator == "required" and isinstance(instance, dict):
        return [
            (getattr(instance, "line", where), f"missing key {key!r} in {title}")
            for key in error.validator_value
            if key not in instance
        ]
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    key = path[-1] if path else ""
    if custom:
        return [(where, custom.format(key=key, value=instance))]
    return [(where, f"{key}: {error.message}" if key != "" else error.message)]
