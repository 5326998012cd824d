"""The quiz sections of a content pack's course.yaml: each module's `quiz:` and the course's `final_assessment:`."""

import dataclasses
import pathlib
from typing import Any

from courses.sections import COURSE, MODULE, SLUG_MESSAGE, SLUG_PATTERN, PackSection, SectionContext
from quizzes.review import KEY_AFTER_PASS, KEY_BEFORE_PASS_MESSAGE, PRACTICE

REVIEW_POLICIES = (PRACTICE, *KEY_AFTER_PASS)


def whole_number(low: int, high: int) -> dict:
    """The schema of a whole-number setting within bounds."""
    return {
        "type": "integer",
        "minimum": low,
        "maximum": high,
        "errorMessage": f"{{key}} must be a whole number from {low} to {high}",
    }


FLAG = {"type": "boolean", "errorMessage": "{key} must be true or false"}
SETTINGS = {
    "file": {"type": "string", "errorMessage": "file must be the path of a GIFT or YAML question file in the pack"},
    "title": {"type": "string", "errorMessage": "title must be text"},
    "pass_mark": whole_number(0, 100),
    "max_attempts": whole_number(0, 100),
    "cooldown_minutes": whole_number(0, 10_080),
    "counts_towards_completion": FLAG,
    "time_limit_minutes": whole_number(1, 600),
    "draw": whole_number(1, 500),
    "review": {"enum": list(REVIEW_POLICIES), "errorMessage": f"review must be one of {', '.join(REVIEW_POLICIES)}"},
    "shuffle_questions": FLAG,
    "shuffle_options": FLAG,
    "from_tags": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "errorMessage": "from_tags must be a list of tags",
    },
}
MODULE_QUIZ = {
    "type": "object",
    "title": "quiz settings",
    "errorMessage": "quiz settings must be a mapping",
    "required": ["file"],
    "additionalProperties": False,
    "properties": SETTINGS,
}
FINAL_ASSESSMENT = {
    **MODULE_QUIZ,
    "required": ["slug", "draw"],
    "properties": {**SETTINGS, "slug": {"type": "string", "pattern": SLUG_PATTERN, "errorMessage": SLUG_MESSAGE}},
}
EXERCISE = {
    **MODULE_QUIZ,
    "title": "exercise settings",
    "errorMessage": "each exercise must be a mapping",
    "required": ["slug", "title", "file"],
    "properties": {**SETTINGS, "slug": {"type": "string", "pattern": SLUG_PATTERN, "errorMessage": SLUG_MESSAGE}},
}
# A module's exercises: quizzes beside its quiz that practice a skill of the job (a typing test, a drill).
EXERCISES = {
    "type": "array",
    "minItems": 1,
    "items": EXERCISE,
    "errorMessage": "exercises must be a list of quizzes, each with a slug, a title and a file",
}


@dataclasses.dataclass
class QuizSpec:
    """Quiz settings from the pack; `file` is a GIFT file of the pack, or None for a drawn assessment."""

    slug: str
    title: str
    file: str | None
    module_slug: str | None = None  # None for a course-level quiz such as the final assessment
    pass_mark: int = 70
    max_attempts: int = 0
    cooldown_minutes: int = 0
    # Unless the pack says otherwise, a quiz counts when its review keeps the key until a pass (as it does by
    # default), and a practice quiz does not (see `build_quiz`).
    counts_towards_completion: bool = True
    time_limit_minutes: int | None = None
    review: str = "retry_without_key"
    shuffle_questions: bool = True
    shuffle_options: bool = True
    draw: int | None = None
    from_tags: list = dataclasses.field(default_factory=list)
    # The file's questions once checked (see quizzes.bank.check_quizzes), so a sync does not parse them again.
    questions: list[dict] | None = None


def build_quiz(raw: Any, context: SectionContext) -> tuple[QuizSpec, list[tuple[int, str]]]:
    """A quiz spec from schema-valid settings; its GIFT file must be a file inside the pack."""
    settings = {key: raw[key] for key in SETTINGS if key in raw and key not in ("title", "file")}
    spec = QuizSpec(
        slug=context.module_slug or raw.get("slug", ""),
        title=(raw.get("title") or "").strip() or (f"Quiz: {context.module_title}" if context.module_slug else ""),
        file=raw.get("file"),
        module_slug=context.module_slug,
        **settings,
    )
    problems = []
    if "counts_towards_completion" not in raw:
        spec.counts_towards_completion = spec.review != PRACTICE
    elif spec.counts_towards_completion and spec.review == PRACTICE:
        problems.append((raw.key_lines["counts_towards_completion"], KEY_BEFORE_PASS_MESSAGE))
    if spec.file is not None:
        line = raw.key_lines["file"]
        relative = pathlib.PurePosixPath(spec.file)
        if relative.is_absolute() or ".." in relative.parts:
            problems.append((line, "quiz file must be a path inside the pack"))
        elif not (context.path / spec.file).is_file():
            problems.append((line, f"quiz file {spec.file!r} is missing"))
    return spec, problems


def build_exercises(raw: Any, context: SectionContext) -> tuple[list[QuizSpec], list[tuple[int, str]]]:
    """A module's exercises: quizzes named by their own slug and title."""
    specs, problems = [], []
    for item in raw:
        spec, found = build_quiz(item, context)
        spec.slug, spec.title = item["slug"], item["title"].strip() or item["slug"]
        specs.append(spec)
        problems += found
    return specs, problems


def pack_quizzes(pack) -> list[QuizSpec]:
    """Every quiz of a pack: each module's quiz and exercises, then the final assessment."""
    found = []
    for module in pack.modules:
        found += ([module.sections["quiz"]] if "quiz" in module.sections else []) + module.sections.get("exercises", [])
    final = pack.sections.get("final_assessment")
    return found + ([final] if final else [])


ROLES = {
    "type": "array",
    "minItems": 1,
    "errorMessage": "roles must be a list of jobs, each with a slug, a title and its skills",
    "items": {
        "type": "object",
        "title": "role",
        "errorMessage": "each role must be a mapping with a slug, a title and its skills",
        "required": ["slug", "title", "skills"],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string", "pattern": SLUG_PATTERN, "errorMessage": SLUG_MESSAGE},
            "title": {"type": "string", "minLength": 1, "errorMessage": "title must be text"},
            "skills": {
                "type": "array",
                "minItems": 1,
                "errorMessage": "skills must be a list of skills, each with the quizzes that show it",
                "items": {
                    "type": "object",
                    "title": "skill",
                    "errorMessage": "each skill must be a mapping with a skill and its evidence",
                    "required": ["skill", "evidence"],
                    "additionalProperties": False,
                    "properties": {
                        "skill": {"type": "string", "minLength": 1, "errorMessage": "skill must be text"},
                        "evidence": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "pattern": SLUG_PATTERN},
                            "errorMessage": "evidence must be a list of quiz slugs of this course",
                        },
                    },
                },
            },
        },
    },
}


@dataclasses.dataclass
class RoleSpec:
    """A job the course prepares people for: the skills it needs and, for each, the quizzes whose pass shows it."""

    slug: str
    title: str
    skills: list[dict]  # {"skill": name, "evidence": [quiz slug, ...]}
    line: int = 1


def build_roles(raw: Any, context: SectionContext) -> tuple[list[RoleSpec], list[tuple[int, str]]]:
    """The course's roles; each role's slug once (its evidence is checked against the quizzes later)."""
    roles, problems, seen = [], [], set()
    for item, line in zip(raw, raw.item_lines, strict=True):
        if item["slug"] in seen:
            problems.append((line, f"duplicate role {item['slug']!r}"))
        seen.add(item["slug"])
        skills = [{"skill": s["skill"].strip(), "evidence": list(s["evidence"])} for s in item["skills"]]
        roles.append(RoleSpec(item["slug"], item["title"].strip(), skills, line))
    return roles, problems


def build_flag(raw: Any, context: SectionContext) -> tuple[bool, list[tuple[int, str]]]:
    """A course-level true/false setting, as it is."""
    return bool(raw), []


SECTIONS = [
    PackSection(key="quiz", level=MODULE, schema=MODULE_QUIZ, build=build_quiz, counts_as="quizzes"),
    PackSection(key="exercises", level=MODULE, schema=EXERCISES, build=build_exercises, counts_as="quizzes"),
    PackSection(key="final_assessment", level=COURSE, schema=FINAL_ASSESSMENT, build=build_quiz, counts_as="quizzes"),
    # See quizzes.objectives: every question assesses a lesson objective, every objective is assessed.
    PackSection(key="objective_coverage", level=COURSE, schema=FLAG, build=build_flag),
    # The jobs the course prepares people for, for the learners' role-readiness page (quizzes.readiness).
    PackSection(key="roles", level=COURSE, schema=ROLES, build=build_roles),
]
