"""Content packs: read a pack folder, validate all of it, and report every problem with file and line."""

import dataclasses
import pathlib
import re

import yaml

from courses.markdown import render_markdown
from courses.yaml_lines import LineDict, LineList, error_line, error_text, load_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COURSE_KEYS = {"slug", "title", "summary", "version", "source", "modules", "final_assessment", "badges"}
MODULE_KEYS = {"slug", "title", "lessons", "quiz"}
QUIZ_KEYS = {
    "file",
    "title",
    "pass_mark",
    "max_attempts",
    "time_limit_minutes",
    "review",
    "shuffle_questions",
    "shuffle_options",
    "draw",
    "from_tags",
}
FINAL_KEYS = QUIZ_KEYS | {"slug"}
BADGE_KEYS = {"slug", "for", "name", "description", "criteria"}
LESSON_KEYS = {"title", "minutes", "objectives"}
REVIEW_POLICIES = ("practice", "exam", "retry_without_key")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem in a pack, at a file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclasses.dataclass
class LessonSpec:
    """A lesson as the pack defines it."""

    slug: str
    title: str
    minutes: int
    objectives: list
    body_markdown: str
    body_html: str


@dataclasses.dataclass
class QuizSpec:
    """Quiz settings from the pack; `file` is a GIFT file of the pack, or None for a drawn assessment."""

    slug: str
    title: str
    file: str | None
    pass_mark: int = 70
    max_attempts: int = 0
    time_limit_minutes: int | None = None
    review: str = "practice"
    shuffle_questions: bool = True
    shuffle_options: bool = True
    draw: int | None = None
    from_tags: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ModuleSpec:
    """A module: its lessons in order and its quiz."""

    slug: str
    title: str
    lessons: list
    quiz: QuizSpec | None


@dataclasses.dataclass
class BadgeSpec:
    """A badge the pack declares for a module (`for` = module slug) or the course (`for` = course slug)."""

    slug: str
    target: str
    name: str
    description: str
    criteria: str


@dataclasses.dataclass
class Pack:
    """A whole, valid content pack."""

    path: pathlib.Path
    slug: str
    title: str
    summary: str
    version: str
    source: str
    modules: list
    final_assessment: QuizSpec | None
    badges: list

    def quizzes(self) -> list:
        """Every quiz of the pack: one per module that has one, then the final assessment."""
        found = [module.quiz for module in self.modules if module.quiz]
        return found + ([self.final_assessment] if self.final_assessment else [])


class PackReader:
    """Reads one pack folder, collecting problems instead of stopping at the first."""

    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(file, line, message))

    def read(self) -> Pack | None:
        """The pack as far as it could be read (None when course.yaml is unusable); see `self.problems`."""
        manifest = self.path / "course.yaml"
        if not manifest.is_file():
            self.problem("course.yaml", 1, "missing: a pack needs a course.yaml file")
            return None
        data = self.load_yaml_file("course.yaml", manifest.read_text(encoding="utf-8"))
        if data is None:
            return None
        if not isinstance(data, LineDict):
            self.problem("course.yaml", 1, "course.yaml must be a mapping of keys to values")
            return None
        self.check_keys("course.yaml", data, COURSE_KEYS, "course", required={"slug", "title", "modules"})
        slug = self.slug("course.yaml", data, "slug")
        modules = self.modules(data)
        final = (
            self.quiz(
                "course.yaml",
                data.get("final_assessment"),
                data.key_lines.get("final_assessment", 1),
                FINAL_KEYS,
                default_slug=None,
            )
            if "final_assessment" in data
            else None
        )
        badges = self.badges(data, slug, modules)
        # Returned even with problems, so the quiz files of a partly broken pack are still checked.
        return Pack(
            path=self.path,
            slug=slug,
            title=self.text(data, "title"),
            summary=self.text(data, "summary"),
            version=str(data.get("version", "1")),
            source=self.text(data, "source"),
            modules=modules,
            final_assessment=final,
            badges=badges,
        )

    # --- pieces -----------------------------------------------------------------------------------------

    def load_yaml_file(self, name: str, text: str, line_offset: int = 0):
        """Parse YAML, recording a problem (with its line) when it is not valid."""
        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            self.problem(name, error_line(exc) + line_offset, error_text(exc))
            return None
        self.report_duplicates(name, data, line_offset)
        return data

    def report_duplicates(self, name: str, data, line_offset: int) -> None:
        """Duplicate keys silently overwrite in YAML; report them instead."""
        if isinstance(data, LineDict):
            for key, line in data.duplicate_keys:
                self.problem(name, line + line_offset, f"duplicate key {key!r}")
            for value in data.values():
                self.report_duplicates(name, value, line_offset)
        elif isinstance(data, LineList):
            for value in data:
                self.report_duplicates(name, value, line_offset)

    def check_keys(self, name: str, data: LineDict, allowed: set, what: str, required=frozenset(), offset=0) -> None:
        """Report unknown and missing keys of a mapping."""
        for key in data:
            if key not in allowed:
                self.problem(
                    name,
                    data.key_lines[key] + offset,
                    f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})",
                )
        for key in sorted(required - set(data)):
            self.problem(name, data.line + offset, f"missing key {key!r} in {what}")

    def slug(self, name: str, data: LineDict, key: str, offset: int = 0) -> str:
        """A slug value, checked for shape."""
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(
                name,
                data.key_lines.get(key, data.line) + offset,
                f"{key} {value!r} must be lower-case words joined by hyphens, e.g. 'voice-bpo'",
            )
            return ""
        return value

    def text(self, data: LineDict, key: str) -> str:
        """A text value, stripped; '' when absent."""
        value = data.get(key)
        return str(value).strip() if value is not None else ""

    def modules(self, data: LineDict) -> list:
        """Every module with its lessons, in order."""
        raw = data.get("modules")
        if raw is None:
            return []
        if not isinstance(raw, LineList) or not raw:
            self.problem("course.yaml", data.key_lines.get("modules", 1), "modules must be a non-empty list")
            return []
        modules, module_slugs, lesson_slugs = [], {}, {}
        for item, line in zip(raw, raw.item_lines, strict=True):
            if not isinstance(item, LineDict):
                self.problem("course.yaml", line, "each module must be a mapping with slug, title and lessons")
                continue
            self.check_keys("course.yaml", item, MODULE_KEYS, "module", required={"slug", "title", "lessons"})
            slug = self.slug("course.yaml", item, "slug")
            if slug and slug in module_slugs:
                self.problem(
                    "course.yaml",
                    item.key_lines["slug"],
                    f"duplicate module slug {slug!r} (first used on line {module_slugs[slug]})",
                )
            elif slug:
                module_slugs[slug] = item.key_lines["slug"]
            lessons = self.module_lessons(item, lesson_slugs)
            quiz = None
            if "quiz" in item:
                quiz = self.quiz("course.yaml", item["quiz"], item.key_lines["quiz"], QUIZ_KEYS, default_slug=slug)
                if quiz is not None and not quiz.title:
                    quiz.title = f"Quiz: {self.text(item, 'title')}"
            modules.append(ModuleSpec(slug=slug, title=self.text(item, "title"), lessons=lessons, quiz=quiz))
        return modules

    def module_lessons(self, module: LineDict, seen: dict) -> list:
        """The lessons a module lists, each read from lessons/<slug>.md."""
        raw = module.get("lessons")
        if raw is None:
            return []
        if not isinstance(raw, LineList) or not raw:
            self.problem(
                "course.yaml",
                module.key_lines.get("lessons", module.line),
                "lessons must be a non-empty list of lesson slugs",
            )
            return []
        lessons = []
        for slug, line in zip(raw, raw.item_lines, strict=True):
            if not isinstance(slug, str) or not SLUG.match(slug):
                self.problem("course.yaml", line, f"lesson slug {slug!r} must be lower-case words joined by hyphens")
                continue
            if slug in seen:
                self.problem("course.yaml", line, f"duplicate lesson slug {slug!r} (first used on line {seen[slug]})")
                continue
            seen[slug] = line
            lesson = self.lesson(slug, line)
            if lesson is not None:
                lessons.append(lesson)
        return lessons

    def lesson(self, slug: str, listed_on: int) -> LessonSpec | None:
        """Read and check one lesson file: front matter and a non-empty body."""
        name = f"lessons/{slug}.md"
        path = self.path / name
        if not path.is_file():
            self.problem("course.yaml", listed_on, f"lesson file {name} is missing")
            return None
        text = path.read_text(encoding="utf-8")
        match = re.match(r"\A---[^\S\n]*\n(.*?)\n---[^\S\n]*(?:\n|\Z)", text, re.S)
        if not match:
            self.problem(name, 1, "missing front matter: start the file with '---', title, minutes, objectives, '---'")
            return None
        meta = self.load_yaml_file(name, match.group(1), line_offset=1)
        if meta is None:
            return None
        if not isinstance(meta, LineDict):
            self.problem(name, 2, "front matter must be a mapping with title, minutes and objectives")
            return None
        self.check_keys(name, meta, LESSON_KEYS, "lesson front matter", required={"title"}, offset=1)
        body = text[match.end() :]
        if not body.strip():
            self.problem(
                name, text[: match.end()].count("\n") + 1, "the lesson is empty: write its text below the front matter"
            )
            return None
        minutes = meta.get("minutes", 5)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
            self.problem(name, meta.key_lines.get("minutes", 1) + 1, "minutes must be a whole number from 1 to 240")
        objectives = meta.get("objectives", [])
        if not isinstance(objectives, list) or not all(isinstance(o, str) and o.strip() for o in objectives):
            self.problem(name, meta.key_lines.get("objectives", 1) + 1, "objectives must be a list of sentences")
            objectives = []
        return LessonSpec(
            slug=slug,
            title=self.text(meta, "title"),
            minutes=minutes if isinstance(minutes, int) else 5,
            objectives=[o.strip() for o in objectives],
            body_markdown=body,
            body_html=render_markdown(body),
        )

    def quiz(self, name: str, raw, line: int, allowed: set, default_slug) -> QuizSpec | None:
        """Quiz settings: a module quiz with a GIFT file, or a drawn assessment."""
        if not isinstance(raw, LineDict):
            self.problem(name, line, "quiz settings must be a mapping")
            return None
        required = {"file"} if default_slug else {"slug", "draw"}
        self.check_keys(name, raw, allowed, "quiz settings", required=required)
        spec = QuizSpec(
            slug=default_slug or self.slug(name, raw, "slug"), title=self.text(raw, "title"), file=raw.get("file")
        )
        if spec.file is not None:
            if not isinstance(spec.file, str) or not (self.path / spec.file).is_file():
                self.problem(name, raw.key_lines["file"], f"quiz file {spec.file!r} is missing")
            elif pathlib.PurePosixPath(spec.file).is_absolute() or ".." in pathlib.PurePosixPath(spec.file).parts:
                self.problem(name, raw.key_lines["file"], "quiz file must be a path inside the pack")
        for key, low, high in (
            ("pass_mark", 0, 100),
            ("max_attempts", 0, 100),
            ("time_limit_minutes", 1, 600),
            ("draw", 1, 500),
        ):
            if key in raw:
                value = raw[key]
                if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                    self.problem(name, raw.key_lines[key], f"{key} must be a whole number from {low} to {high}")
                else:
                    setattr(spec, key, value)
        if "review" in raw:
            if raw["review"] not in REVIEW_POLICIES:
                self.problem(name, raw.key_lines["review"], f"review must be one of {', '.join(REVIEW_POLICIES)}")
            else:
                spec.review = raw["review"]
        for key in ("shuffle_questions", "shuffle_options"):
            if key in raw:
                if not isinstance(raw[key], bool):
                    self.problem(name, raw.key_lines[key], f"{key} must be true or false")
                else:
                    setattr(spec, key, raw[key])
        if "from_tags" in raw:
            tags = raw["from_tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
                self.problem(name, raw.key_lines["from_tags"], "from_tags must be a list of tags")
            else:
                spec.from_tags = list(tags)
        return spec

    def badges(self, data: LineDict, course_slug: str, modules: list) -> list:
        """Badges, each for a module slug or for the course slug."""
        raw = data.get("badges")
        if raw is None:
            return []
        if not isinstance(raw, LineList):
            self.problem("course.yaml", data.key_lines["badges"], "badges must be a list")
            return []
        targets = {module.slug for module in modules} | {course_slug}
        badges, seen = [], set()
        for item, line in zip(raw, raw.item_lines, strict=True):
            if not isinstance(item, LineDict):
                self.problem("course.yaml", line, "each badge must be a mapping")
                continue
            self.check_keys(
                "course.yaml", item, BADGE_KEYS, "badge", required={"slug", "for", "name", "description", "criteria"}
            )
            slug = self.slug("course.yaml", item, "slug")
            if slug in seen:
                self.problem("course.yaml", item.key_lines["slug"], f"duplicate badge slug {slug!r}")
            seen.add(slug)
            target = item.get("for")
            if "for" in item and target not in targets:
                self.problem(
                    "course.yaml",
                    item.key_lines["for"],
                    f"badge is for {target!r}, which is neither a module slug nor the course slug",
                )
            badges.append(
                BadgeSpec(
                    slug=slug,
                    target=str(target),
                    name=self.text(item, "name"),
                    description=self.text(item, "description"),
                    criteria=self.text(item, "criteria"),
                )
            )
        return badges


def read_pack(path) -> tuple[Pack | None, list[Problem]]:
    """Read and validate a pack folder: (pack, problems); the pack may be partial when there are problems."""
    reader = PackReader(path)
    pack = reader.read()
    return pack, reader.problems
