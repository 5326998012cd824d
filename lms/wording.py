"""Small pieces of wording the pages share."""


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 question", "2 questions", "0 learners"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
