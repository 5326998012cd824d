"""How a data-entry drill compares what was keyed with what the record holds, field by field.

Each field names one way of matching, chosen by the author for what the field holds:

- `exact`: the same characters (spaces at either end ignored): reference codes, where case matters;
- `text`: case and runs of spaces ignored: names and addresses;
- `digits`: only the digits count: phone and account numbers, keyed with or without spaces and dashes;
- `number`: the same amount, whatever the thousands separators or currency sign: "1,250.00", "1250", "$1,250";
- `date`: the same day, written as 2026-03-14, 14/03/2026 (or 03/14/2026 where the drill says month first),
  14 March 2026 or March 14, 2026.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

MATCHES = ("exact", "text", "digits", "number", "date")
DATE_ORDERS = ("dmy", "mdy")
MATCH_LABELS = {
    "exact": "Exactly as written",
    "text": "Ignore case and extra spaces",
    "digits": "Digits only",
    "number": "Same amount",
    "date": "Same date",
}
WRITTEN_DATES = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y")
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def parse_date(value: str, order: str = "dmy") -> date | None:
    """A date written in any of the accepted forms, or None."""
    value = " ".join(value.split())
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if iso:
        return safe_date(*(int(part) for part in iso.groups()))
    numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if numeric:
        first, second, year = (int(part) for part in numeric.groups())
        day, month = (first, second) if order == "dmy" else (second, first)
        return safe_date(year, month, day)
    for form in WRITTEN_DATES:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    return None


def safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    """An amount with its currency sign, spaces and thousands commas taken out, or None."""
    cleaned = re.sub(r"[\s,]", "", value).lstrip("$€£₹¥")
    return float(cleaned) if NUMBER.fullmatch(cleaned) else None


def normalised(value: str, match: str, order: str = "dmy"):
    """The value as the match compares it; None when it cannot be read as that kind of value."""
    value = unicodedata.normalize("NFC", value).strip()
    if match == "text":
        return " ".join(value.casefold().split())
    if match == "digits":
        return "".join(ch for ch in value if ch.isdigit()) or None
    if match == "number":
        amount = parse_number(value)
        return None if amount is None else round(amount, 2)
    if match == "date":
        return parse_date(value, order)
    return value


def same(expected: str, keyed: str, match: str, order: str = "dmy") -> bool:
    """Whether what was keyed matches the record's value under the field's match."""
    wanted = normalised(expected, match, order)
    return wanted is not None and normalised(keyed, match, order) == wanted
