"""Drawing an attempt's questions: an even spread over the pool's sections, fresh questions before repeats."""

import random
from collections import Counter
from types import SimpleNamespace

from quizzes.draws import draw_questions, section_of


def pool_of(sections: dict[str, int]) -> list:
    """Questions with ids from 1, tagged "exam/<section>" (plus a tag of another kind), so many per section."""
    questions = []
    for section, size in sections.items():
        for _ in range(size):
            questions.append(SimpleNamespace(id=len(questions) + 1, tags=["objective/x/1", f"exam/{section}"]))
    return questions


def test_a_section_is_the_first_tag_below_a_draw_tag():
    question = SimpleNamespace(id=1, tags=["scenario", "exam/core-skills", "exam/other"])
    assert section_of(question, ["exam"]) == "exam/core-skills"
    assert section_of(question, ["bank"]) is None


def test_every_section_gets_its_even_share_of_the_draw():
    pool = pool_of({"a": 5, "b": 7, "c": 5, "d": 9})
    for seed in range(200):
        drawn = draw_questions(pool, 10, random.Random(seed), draw_tags=["exam"])
        per_section = Counter(section_of(q, ["exam"]) for q in drawn)
        assert len(drawn) == len({q.id for q in drawn}) == 10
        assert min(per_section.values()) >= 2 and set(per_section) == {"exam/a", "exam/b", "exam/c", "exam/d"}


def test_a_retake_asks_fresh_questions_and_repeats_only_when_they_run_out():
    pool = pool_of({"a": 5, "b": 5, "c": 5})
    for seed in range(100):
        rng = random.Random(seed)
        first = {q.id for q in draw_questions(pool, 7, rng, draw_tags=["exam"])}
        second = {q.id for q in draw_questions(pool, 7, rng, recent=first, draw_tags=["exam"])}
        assert first.isdisjoint(second)
        asked = first | second  # 14 of 15: one fresh question left, so a draw of 7 repeats 6
        third = {q.id for q in draw_questions(pool, 7, rng, recent=asked, draw_tags=["exam"])}
        assert len(third) == 7 and len(third - asked) == 1


def test_a_pool_without_sections_is_a_plain_random_draw_of_distinct_questions():
    pool = [SimpleNamespace(id=n, tags=[]) for n in range(1, 16)]
    drawn = draw_questions(pool, 10, random.Random(1))
    assert len({q.id for q in drawn}) == 10
    assert len(draw_questions(pool, 40, random.Random(1))) == 15  # never more than the pool
    repeats = draw_questions(pool, 10, random.Random(2), recent=set(range(1, 11)))
    assert {q.id for q in repeats} >= set(range(11, 16))  # all five fresh ones, then five repeats


def test_two_attempts_at_the_shipped_final_each_ask_every_module_twice_and_nothing_twice():
    """The shipped final's pool as it is (sections of 5 to 7): a first attempt and its retake each ask at least two
    questions of every module, and the retake asks none the first did."""
    from tests.helpers import BPO_PACK

    pool, section = [], None
    for line in (BPO_PACK / "quizzes" / "final-assessment.gift").read_text(encoding="utf-8").splitlines():
        section = line.split(":", 1)[1].strip() if line.startswith("$CATEGORY:") else section
        if line.startswith("::"):
            pool.append(SimpleNamespace(id=len(pool) + 1, tags=[section]))
    modules = {q.tags[0] for q in pool}
    assert len(modules) == 10
    for seed in range(2000):
        rng = random.Random(seed)
        first = draw_questions(pool, 25, rng, draw_tags=["bpo-final"])
        second = draw_questions(pool, 25, rng, recent={q.id for q in first}, draw_tags=["bpo-final"])
        for drawn in (first, second):
            per_module = Counter(q.tags[0] for q in drawn)
            assert set(per_module) == modules and min(per_module.values()) >= 2 and len(drawn) == 25
        assert {q.id for q in first}.isdisjoint(q.id for q in second)
