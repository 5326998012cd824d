"""A random draw of an attempt's questions: fresh ones first, spread evenly over the pool's sections.

A retake should see questions the last attempt did not ask, and a drawn exam should not leave a whole part of the
course out. The pool's sections are the tags just below the tags the quiz draws by ("bpo-final/core-skills" when
it draws "bpo-final"): each section gets an even share of the draw as far as it has fresh questions, the rest of
the draw comes from anywhere in the pool, and questions the last attempt asked come last, only when the fresh
ones run out. Pure: it works on anything with an `id` and `tags`.
"""

import random
from collections.abc import Collection, Sequence


def section_of(question, draw_tags: Sequence[str]) -> str | None:
    """The question's first tag that sits below one of the draw tags, or None."""
    prefixes = [tag.rstrip("/") + "/" for tag in draw_tags]
    return next((tag for tag in question.tags or [] if any(tag.startswith(p) for p in prefixes)), None)


def draw_questions(
    pool: Sequence, count: int, rng: random.Random, recent: Collection[int] = (), draw_tags: Sequence[str] = ()
) -> list:
    """`count` questions of the pool (all of it when smaller), in random order."""
    count = min(count, len(pool))
    fresh = [question for question in pool if question.id not in recent]
    sections: dict[str | None, list] = {}
    for question in fresh:
        sections.setdefault(section_of(question, draw_tags), []).append(question)
    picked: list = []
    if len(sections) > 1:
        share = count // len(sections)
        for questions in sections.values():
            picked += rng.sample(questions, min(share, len(questions)))
    chosen = {question.id for question in picked}
    rest = [question for question in fresh if question.id not in chosen]
    picked += rng.sample(rest, min(count - len(picked), len(rest)))
    picked += rng.sample([question for question in pool if question.id in recent], count - len(picked))
    rng.shuffle(picked)
    return picked
