"""Memos a process keeps (links, fragments, signatures), each bounded in size."""

from typing import TypeVar

Value = TypeVar("Value")


def remember(memo: dict, key, value: Value, limit: int) -> Value:
    """Keep `value` under `key` and return it; a memo already holding `limit` entries starts again, so that memory
    stays bounded whatever the traffic."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
