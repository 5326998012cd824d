"""Ordering: the learner puts items into the right sequence.

Each item gets a "Position" select rather than a drag handle, so the question
works with a keyboard and a screen reader. GIFT has no syntax for it.
"""

from __future__ import annotations

from wtforms import SelectChoice
from wtforms.validators import Optional

from quizzes.editors import OrderingEditor

from .base import (
    NO_ANSWER,
    BlankFirstSelectField,
    Grade,
    QuestionType,
    SelectGroupField,
    as_dict,
    index,
    permutation,
    shuffled,
    text,
)


def items(config) -> list[str]:
    """The items in their correct order; malformed entries become ""."""
    values = as_dict(config).get("items")
    return [text(v) for v in values] if isinstance(values, list) else []


def field_name(slot: int) -> str:
    """The sub-field name for the item shown in a given slot of the starting order.

    Named by slot, not by item index: the item index is its correct position,
    so it must not appear in the page.
    """
    return f"item{slot}"


def positions(order, size: int) -> list[int | None]:
    """A response order as exactly size item indices, None where unusable."""
    order = order if isinstance(order, list) else []
    return [index(v, size) for v in order[:size]] + [None] * (size - len(order))


class Ordering(QuestionType):
    """Items to be placed in their correct order."""

    name = "ordering"
    label = "Ordering"
    editor = OrderingEditor
    parts_key = "items"

    def validate(self, config):
        """Check there are at least two distinct, non-empty items."""
        values = items(config)
        problems = [] if len(values) >= 2 else ["Add at least two items to put in order."]
        seen: dict[str, int] = {}
        for n, value in enumerate(values, start=1):
            key = value.strip().casefold()
            if not key:
                problems.append(f"Item {n} needs some text.")
            elif key in seen:
                problems.append(f"Item {n} repeats item {seen[key]}.")
            else:
                seen[key] = n
        return problems

    def layout(self, config, rng, shuffle):
        """A starting order that is never already correct."""
        # Always shuffled: listing the items in order would give the answer away.
        order = shuffled(len(items(config)), rng)
        if len(order) > 1 and order == sorted(order):
            order = order[1:] + order[:1]
        return {"order": order}

    def public_view(self, config, layout):
        """The item texts in their starting order.

        Unlike the choice types there are no ids: an item's index is its
        correct position, so showing it would reveal the answer.
        """
        values = items(config)
        return {"items": [{"text": values[i]} for i in self._start(config, layout)]}

    def _start(self, config, layout) -> list[int]:
        """The starting order from the layout, repaired if the items changed."""
        return permutation(as_dict(layout).get("order"), len(items(config)))

    def answer_field(self, config, layout, label):
        """One "Position of …" select per item, grouped in a sub-form."""
        view = self.public_view(config, layout)
        # Values are 0-based positions; learners see them counted from 1.
        choices = [SelectChoice(str(p), str(p + 1)) for p in range(len(view["items"]))]
        fields = {
            field_name(slot): BlankFirstSelectField(
                f"Position of {item['text']}",
                choices=choices,
                blank="Choose a position",
                validators=[Optional()],
            )
            for slot, item in enumerate(view["items"])
        }
        return SelectGroupField(label, selects=fields)

    def response_from_data(self, config, layout, data):
        """The item at each position; None where no item, or more than one, was placed."""
        data, start = as_dict(data), self._start(config, layout)
        claims: dict[int, list[int]] = {}
        for slot, item in enumerate(start):
            position = index(data.get(field_name(slot)), len(start))
            if position is not None:
                claims.setdefault(position, []).append(item)
        order = []
        for position in range(len(start)):
            placed = claims.get(position, [])
            # A position chosen for two items holds neither: both are wrong.
            order.append(placed[0] if len(placed) == 1 else None)
        return {"order": order}

    def field_data(self, config, layout, response):
        """The position chosen for the item in each slot."""
        order = as_dict(response).get("order") or []
        return {
            field_name(slot): str(order.index(item))
            for slot, item in enumerate(self._start(config, layout))
            if item in order
        }

    def grade(self, config, response):
        """The fraction of items placed, once only, in their own position."""
        size = len(items(config))
        if not size:
            return Grade.zero()
        order = positions(as_dict(response).get("order"), size)
        parts = [order[i] == i and order.count(i) == 1 for i in range(size)]
        return Grade.from_score(sum(parts) / size, parts=parts)

    def correct_response(self, config):
        """The items in their listed order."""
        return {"order": list(range(len(items(config))))}

    def describe_response(self, config, response):
        """Numbered items in the learner's order."""
        values = items(config)
        order = positions(as_dict(response).get("order"), len(values))
        if all(i is None for i in order):
            return NO_ANSWER
        return "; ".join(f"{p}. {NO_ANSWER if i is None else values[i]}" for p, i in enumerate(order, start=1))
