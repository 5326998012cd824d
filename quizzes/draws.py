"""A random draw of an attempt's questions: fresh ones first, spread evenly over the pool's sections.

A retake should see questions the last attempt did not ask, and a drawn exam should not leave a whole part of the
course out. The pool's sections are the tags just below the tags the quiz draws by ("bpo-final/core-skills" when
it draws "bpo-final"): each section gives an even share of the draw, the rest of the draw goes to the sections
with the most fresh questions left, and within a section questions the last attempt asked come only after its
fresh ones. Pure: it works on anything with an `id` and `tags`.
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
    sections: dict[str | None, tuple[list, list]] = {}  # section -> (fresh questions, recent ones), shuffled
    for question in rng.sample(list(pool), len(pool)):
        fresh, asked = sections.setdefault(section_of(question, draw_tags), ([], []))
        (asked if question.id in recent else fresh).append(question)
    quota = {key: min(count // len(sections), len(fresh) + len(asked)) for key, (fresh, asked) in sections.items()}
    # The rest of the draw, one at a time, to the section with the most fresh questions left (ties at random).
    for _ in range(count - sum(quota.values())):
        open_ = [key for key, (fresh, asked) in sections.items() if quota[key] < len(fresh) + len(asked)]
        fresh_left = {key: len(sections[key][0]) - quota[key] for key in open_}
        most = max(fresh_left.values())
        quota[rng.choice([key for key in open_ if fresh_left[key] == most])] += 1
    picked = [question for key, (fresh, asked) in sections.items() for question in (fresh + asked)[: quota[key]]]
    rng.shuffle(picked)
    return picked
