"""Which lesson objective each pack question assesses, and the rule that every objective is assessed.

A question names the objectives it assesses with tags `objective/<lesson-slug>/<n>` (n counts the lesson's
`objectives:` from 1), written in GIFT as a `// [tag:...]` comment above it. A tag naming no objective is
always a problem. With `objective_coverage: true` in course.yaml, every question must assess an objective and
every objective of a module's lessons must be assessed by a question of that module's quiz.
"""

import pathlib

from courses.pack import Pack, Problem
from quizzes.pack import pack_quizzes

PREFIX = "objective/"


def objective_tag(lesson_slug: str, number: int) -> str:
    """The tag of a lesson's objective (numbered from 1)."""
    return f"{PREFIX}{lesson_slug}/{number}"


def objective_problems(pack: Pack) -> list[Problem]:
    """Tags naming no objective; with the coverage rule on, untagged questions and unassessed objectives."""
    known = {
        objective_tag(lesson.slug, n): module.slug
        for module in pack.modules
        for lesson in module.lessons
        for n in range(1, len(lesson.objectives) + 1)
    }
    required = bool(pack.sections.get("objective_coverage"))
    problems: list[Problem] = []
    assessed_in: dict[str, set] = {}  # objective tag -> the modules (None: the final) whose quiz assesses it
    for spec in pack_quizzes(pack):
        for question in spec.questions or []:
            where = (spec.file or "course.yaml", question.get("line", 1))
            named = [tag for tag in question.get("tags", []) if tag.startswith(PREFIX)]
            for tag in named:
                if tag in known:
                    assessed_in.setdefault(tag, set()).add(spec.module_slug)
                elif tag.removeprefix(PREFIX).rpartition("/")[0] not in pack.unread_lessons:
                    problems.append(Problem(*where, f"{tag!r} names no lesson objective of this course"))
            if required and not named:
                problems.append(
                    Problem(*where, "this question assesses no objective: tag it [tag:objective/<lesson>/<n>]")
                )
    if required:
        problems += unassessed(pack, assessed_in)
    return problems


def unassessed(pack: Pack, assessed_in: dict[str, set]) -> list[Problem]:
    """One problem per objective that no question of its module's quiz assesses (any question, for a module
    without a quiz)."""
    problems = []
    for module in pack.modules:
        quiz = module.sections.get("quiz")
        if quiz is not None and quiz.questions is None:
            continue  # its quiz file is missing or broken, a problem of its own
        has_quiz = quiz is not None
        for lesson in module.lessons:
            for n, objective in enumerate(lesson.objectives, start=1):
                modules = assessed_in.get(objective_tag(lesson.slug, n), set())
                if (module.slug in modules) if has_quiz else modules:
                    continue
                name = f"lessons/{lesson.slug}.md"
                where = "the module's quiz" if has_quiz else "any quiz"
                problems.append(
                    Problem(
                        name,
                        objective_line(pathlib.Path(pack.path) / name, objective),
                        f"objective {n} ({objective!r}) is assessed by no question of {where}",
                    )
                )
    return problems


def objective_line(path: pathlib.Path, objective: str) -> int:
    """The line of the lesson file that states the objective (1 if it cannot be found)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if objective in line:
            return number
    return 1
