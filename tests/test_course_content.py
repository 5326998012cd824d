"""The shipped BPO course holds to its own standards: questions that test understanding from pools larger than
each quiz, a final exam with questions of its own, practice inside every lesson, and a glossary linked where
each term first appears."""

import math
import re

import pytest

from courses.services import check_pack
from quizzes.pack import pack_quizzes
from tests.test_course_pack import PACK

SCENARIO_SHARE = 0.4  # at least this share of each module quiz's pool applies a lesson to a situation
FENCE = re.compile(r"^```(\w+)\s*$(.*?)^```\s*$", re.M | re.S)


CHECKED: list = []  # the pack, checked once for every test of this file


@pytest.fixture
def pack(app):
    """The BPO pack, checked (so each quiz spec holds its parsed questions)."""
    if not CHECKED:
        with app.app_context():
            checked, problems = check_pack(PACK)
        assert problems == [], problems
        CHECKED.append(checked)
    return CHECKED[0]


def module_quizzes(pack):
    """(module, quiz spec) for every module that has a quiz."""
    return [(module, module.sections["quiz"]) for module in pack.modules if "quiz" in module.sections]


def test_the_pack_holds_every_objective_to_a_question(pack):
    assert pack.sections.get("objective_coverage") is True  # so `courses check` applies the rule to it


def test_no_question_or_lesson_speaks_of_the_guide():
    files = [*PACK.glob("quizzes/*.gift"), *PACK.glob("lessons/*.md")]
    said = [
        f"{path.name}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bthe guide\b", line, re.I) and not line.lstrip().startswith("//")
    ]
    assert said == []


def test_no_question_only_asks_for_a_count(pack):
    counting = [
        q["title"]
        for spec in pack_quizzes(pack)
        for q in spec.questions
        if re.match(r"(in this course, )?how many\b", q["stem"], re.I)
    ]
    assert counting == []


def every_path(config) -> list[list]:
    """Every path through a conversation's script, as a response's `path` (the scripts are small, without loops)."""
    from quizzes.types.conversation import replies_of, steps_of

    steps, found = steps_of(config), []

    def explore(at: str, path: list) -> None:
        replies = replies_of(steps.get(at, {}))
        if not replies:
            found.append(path)
        for n, reply in enumerate(replies):
            explore(reply["next"], [*path, [at, n]])

    explore(config["start"], [])
    return found


def test_no_practice_conversation_gives_full_marks_to_a_path_with_a_slip(pack):
    """A reply that costs points must cost something in the end: a later good reply may recover, not erase it."""
    from quizzes.types.conversation import fraction, points_of, replies_of, steps_of, walk

    for spec in pack_quizzes(pack):
        for q in spec.questions:
            if q["type"] != "conversation":
                continue
            config, steps = q["config"], steps_of(q["config"])
            for path in every_path(config):
                slipped = any(value < 0 for at, n in path for value in points_of(replies_of(steps[at])[n]).values())
                if slipped:
                    assert fraction(config, walk(config, path).totals) < 1, (q["title"], path)


def test_no_practice_conversation_passes_a_path_that_leaves_a_skill_at_nothing(pack):
    """Each rubric line is a skill the practice is there to show: a talk that ends with no agreed action, or a call
    that never fixes the bill, must not pass, however well the rest went."""
    from quizzes.types.conversation import fraction, rubric_of, walk

    for spec in pack_quizzes(pack):
        for q in spec.questions:
            if q["type"] != "conversation":
                continue
            config = q["config"]
            for path in every_path(config):
                totals = walk(config, path).totals
                if any(totals.get(line["key"], 0) <= 0 for line in rubric_of(config)):
                    assert 100 * fraction(config, totals) < spec.pass_mark, (q["title"], path)


def path_by_length(config, rank: int) -> list:
    """The path of a learner who, at each step, picks the reply that is `rank`-th longest (0: the longest; the
    shortest where a step offers fewer replies)."""
    from quizzes.types.conversation import replies_of, steps_of

    steps, at, path = steps_of(config), config["start"], []
    while replies := replies_of(steps.get(at, {})):
        by_length = sorted(range(len(replies)), key=lambda i: -len(replies[i]["text"]))
        n = by_length[min(rank, len(replies) - 1)]
        path.append([at, n])
        at = replies[n]["next"]
    return path


def test_no_practice_conversation_passes_by_the_length_of_its_replies(pack):
    """Length gives nothing away: a learner who always picks the longest reply, or always the second longest, or
    always the shortest, fails every conversation."""
    from quizzes.types.conversation import fraction, replies_of, steps_of, walk

    checked = 0
    for spec in pack_quizzes(pack):
        for q in spec.questions:
            if q["type"] != "conversation":
                continue
            checked += 1
            most = max(len(replies_of(step)) for step in steps_of(q["config"]).values())
            for rank in range(most):
                totals = walk(q["config"], path_by_length(q["config"], rank)).totals
                assert 100 * fraction(q["config"], totals) < spec.pass_mark, (q["title"], rank)
    assert checked >= 3  # the call, the chat and the coaching talk


def test_every_module_quiz_draws_from_a_pool_half_as_large_again(pack):
    for module, spec in module_quizzes(pack):
        assert spec.draw, module.slug
        assert len(spec.questions) >= math.ceil(1.5 * spec.draw), module.slug


def test_scenarios_make_up_at_least_two_fifths_of_every_module_pool(pack):
    for module, spec in module_quizzes(pack):
        scenarios = [q for q in spec.questions if "scenario" in q["tags"]]
        assert len(scenarios) >= SCENARIO_SHARE * len(spec.questions), module.slug


def test_matching_questions_carry_a_spare_answer(pack):
    for spec in pack_quizzes(pack):
        for q in spec.questions:
            if q["type"] == "matching":
                assert any(not pair["prompt"] for pair in q["config"]["pairs"]), q["title"]


def test_the_final_draws_25_from_a_pool_of_its_own(pack):
    final = pack.sections["final_assessment"]
    assert final.draw == 25 and final.counts_towards_completion and final.review == "exam"
    pool = [q for q in final.questions if any(tag.startswith("bpo-final/") for tag in q["tags"])]
    assert len(pool) == len(final.questions) >= 45
    in_modules = {q["stem"] for _, spec in module_quizzes(pack) for q in spec.questions}
    assert [q["title"] for q in pool if q["stem"] in in_modules] == []
    for module in pack.modules:
        about = [q for q in pool if f"bpo-final/{module.slug}" in q["tags"]]
        assert len(about) >= 4, module.slug
    assert sum("scenario" in q["tags"] for q in pool) > len(pool) / 2


def test_every_lesson_has_self_checks_and_every_module_a_practice_task(pack):
    for module in pack.modules:
        kinds = [[kind for kind, _ in FENCE.findall(lesson.body_markdown)] for lesson in module.lessons]
        for lesson, found in zip(module.lessons, kinds, strict=True):
            assert 1 <= found.count("selfcheck") <= 3, lesson.slug
        assert any("task" in found for found in kinds), module.slug


def term_patterns(entry: dict) -> list[re.Pattern]:
    """How a glossary term shows in a lesson: its abbreviation in brackets (as written) or its name (any case)."""
    name, _, rest = entry["term"].partition(" (")
    patterns = [re.compile(rf"\b{re.escape(name)}\b", re.I)]
    abbreviation = rest.rstrip(")")
    if abbreviation and abbreviation.isupper():
        patterns.append(re.compile(rf"\b{re.escape(abbreviation)}\b"))
    return patterns


def readable_text(markdown: str) -> str:
    """A lesson's running text: no self-checks, tasks or headings; words linked to a glossary term left out (a
    "service level agreement" linked as such is no use of "service level"), other links reduced to their words."""
    text = FENCE.sub("", markdown)
    text = re.sub(r"^#.*$", "", text, flags=re.M)
    text = re.sub(r"\[[^\]]*\]\(glossary:[^)]*\)", "", text)
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)


def test_each_glossary_term_is_linked_in_the_first_lesson_that_uses_it(pack):
    assert len(pack.glossary) >= 20
    lessons = [lesson for module in pack.modules for lesson in module.lessons]
    unlinked = []
    for entry in pack.glossary:
        link = f"(glossary:{entry['slug']})"
        first = next(
            (
                lesson
                for lesson in lessons
                if link in lesson.body_markdown
                or any(p.search(readable_text(lesson.body_markdown)) for p in term_patterns(entry))
            ),
            None,
        )
        if first is not None and link not in first.body_markdown:
            unlinked.append(f"{entry['slug']} in {first.slug}")
    assert unlinked == []
