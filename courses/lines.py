"""The mappings and lists a content pack's YAML is read into: they know the lines they came from.

Kept apart from the YAML loader (courses.yaml_lines), so a web worker, which checks these types but never reads
a pack, does not load PyYAML.
"""


class LineDict(dict):
    """A mapping from YAML that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict
    duplicate_keys: list


class LineList(list):
    """A sequence from YAML that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list
