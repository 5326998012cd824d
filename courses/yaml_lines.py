"""YAML loading that remembers line numbers, so pack problems can point at file and line."""

import yaml

from courses.lines import LineDict, LineList


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds LineDict and LineList."""


# LibYAML's safe loader, where PyYAML was built with it: the same documents, several times faster.
class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """LibYAML's SafeLoader (or the pure one) that builds LineDict and LineList."""


def _mapping(loader, node):
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.duplicate_keys = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            result.duplicate_keys.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


for _loader in (_LineLoader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(text: str):
    """Parse YAML into LineDict/LineList values; raises yaml.YAMLError with a problem mark."""
    try:
        # Both loaders are SafeLoader subclasses: no arbitrary objects.
        return yaml.load(text, Loader=_FastLoader)  # nosec B506
    except yaml.YAMLError:
        # Explain the error in the pure-Python parser's words, which are the same wherever the pack is checked.
        return yaml.load(text, Loader=_LineLoader)  # nosec B506


def error_line(exc: yaml.YAMLError) -> int:
    """The 1-based line a YAML error points at (1 when it points nowhere)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def error_text(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML error."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return f"invalid YAML: {context + ', ' if context else ''}{problem}"
