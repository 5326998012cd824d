"""Content packs: read a pack folder, validate all of it, and report every problem with file and line."""

import dataclasses
import pathlib
import re
from collections.abc import Iterable
from typing import Any

from courses.lesson_blocks import render_lesson
from courses.lines import LineDict, LineList
from courses.sections import COURSE, MODULE, SLUG_PATTERN, PackSection, SectionContext, schema_problems

SLUG = re.compile(SLUG_PATTERN)
COURSE_KEYS = {"slug", "title", "summary", "version", "source", "modules"}
MODULE_KEYS = {"slug", "title", "lessons", "icon"}
# The module icons the app serves (Lucide, lms/static/vendor/lucide); a module names one, or gets the book.
ICONS_DIR = pathlib.Path(__file__).resolve().parents[1] / "lms" / "static" / "vendor" / "lucide"
DEFAULT_ICON = "book-open"
LESSON_KEYS = {"title", "minutes", "objectives"}
GLOSSARY_FILE = "glossary.yaml"
GLOSSARY_KEYS = {"slug", "term", "definition"}
# Module slugs the course's own pages use: /courses/<course>/<name> must not also be a module.
RESERVED_MODULE_SLUGS = {"glossary", "trainers", "enrol", "continue"}
INVALID = object()  # what a YAML file that could not be parsed reads as (its problem is recorded already)


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
class ModuleSpec:
    """A module: its lessons in order, and the specs of the sections other plugins own (e.g. "quiz")."""

    slug: str
    title: str
    lessons: list
    sections: dict[str, Any] = dataclasses.field(default_factory=dict)
    icon: str = DEFAULT_ICON


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
    sections: dict[str, Any] = dataclasses.field(default_factory=dict)  # course-level sections' specs, by key
    glossary: list[dict] = dataclasses.field(default_factory=list)  # {"slug", "term", "definition"}, in order
    # Lessons course.yaml lists whose file could not be read (a problem says why): others' checks skip them.
    unread_lessons: set[str] = dataclasses.field(default_factory=set)

    def counts(self, sections: Iterable[PackSection]) -> dict[str, int]:
        """How many of each counted thing the sections hold, e.g. {"quizzes": 10}."""
        found: dict[str, int] = {}
        for section in sections:
            if not section.counts_as:
                continue
            if section.level == MODULE:
                values = [m.sections.get(section.key) for m in self.modules]
            else:
                values = [self.sections.get(section.key)]
            size = sum(len(v) if isinstance(v, list) else 1 for v in values if v is not None)
            found[section.counts_as] = found.get(section.counts_as, 0) + size
        return found


class PackReader:
    """Reads one pack folder, collecting problems instead of stopping at the first."""

    def __init__(self, path: pathlib.Path, sections: Iterable[PackSection] = ()):
        self.path = pathlib.Path(path)
        self.problems: list[Problem] = []
        self.sections = list(sections)
        self.glossary_slugs: set[str] = set()  # the terms lesson links may name, once the glossary is read
        self.unread_lessons: set[str] = set()

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
        if data is INVALID:
            return None
        if not isinstance(data, LineDict):
            self.problem("course.yaml", 1, "course.yaml must be a mapping of keys to values")
            return None
        self.check_keys(
            "course.yaml", data, COURSE_KEYS | self.keys(COURSE), "course", required={"slug", "title", "modules"}
        )
        slug = self.slug("course.yaml", data, "slug")
        glossary = self.glossary()
        self.glossary_slugs = {term["slug"] for term in glossary}
        modules = self.modules(data)
        context = SectionContext(self.path, slug, tuple(module.slug for module in modules))
        # Returned even with problems, so the quiz files of a partly broken pack are still checked.
        return Pack(
            path=self.path,
            slug=slug,
            title=self.text(data, "title"),
            summary=self.text(data, "summary"),
            version=str(data.get("version", "1")),
            source=self.text(data, "source"),
            modules=modules,
            sections=self.read_sections(data, COURSE, context),
            glossary=glossary,
            unread_lessons=self.unread_lessons,
        )

    # --- pieces -----------------------------------------------------------------------------------------

    def load_yaml_file(self, name: str, text: str, line_offset: int = 0):
        """Parse YAML, recording a problem (with its line) when it is not valid: then INVALID, not a value."""
        # Only commands read packs: a web worker never loads PyYAML.
        import yaml

        from courses.yaml_lines import error_line, error_text, load_yaml

        try:
            data = load_yaml(text)
            self.report_duplicates(name, data, line_offset)
        except yaml.YAMLError as exc:
            self.problem(name, error_line(exc) + line_offset, error_text(exc))
            return INVALID
        except RecursionError:
            self.problem(name, 1 + line_offset, "invalid YAML: lists or mappings nested too deeply")
            return INVALID
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
        modules: list[ModuleSpec] = []
        module_slugs: dict[str, int] = {}
        lesson_slugs: dict[str, int] = {}
        for item, line in zip(raw, raw.item_lines, strict=True):
            if not isinstance(item, LineDict):
                self.problem("course.yaml", line, "each module must be a mapping with slug, title and lessons")
                continue
            self.check_keys(
                "course.yaml", item, MODULE_KEYS | self.keys(MODULE), "module", required={"slug", "title", "lessons"}
            )
            slug = self.slug("course.yaml", item, "slug")
            if slug and slug in module_slugs:
                self.problem(
                    "course.yaml",
                    item.key_lines["slug"],
                    f"duplicate module slug {slug!r} (first used on line {module_slugs[slug]})",
                )
            elif slug in RESERVED_MODULE_SLUGS:
                self.problem("course.yaml", item.key_lines["slug"], f"module slug {slug!r} names a page of the course")
            elif slug:
                module_slugs[slug] = item.key_lines["slug"]
            lessons = self.module_lessons(item, lesson_slugs)
            title = self.text(item, "title")
            context = SectionContext(self.path, "", (), module_slug=slug, module_title=title)
            sections = self.read_sections(item, MODULE, context)
            modules.append(ModuleSpec(slug=slug, title=title, lessons=lessons, sections=sections, icon=self.icon(item)))
        return modules

    def glossary(self) -> list[dict]:
        """The course glossary (glossary.yaml, optional): a list of terms with slug, term and definition."""
        path = self.path / GLOSSARY_FILE
        if not path.is_file():
            return []
        data = self.load_yaml_file(GLOSSARY_FILE, path.read_text(encoding="utf-8"))
        if data is INVALID:
            return []
        if not isinstance(data, LineList):
            self.problem(GLOSSARY_FILE, 1, "the glossary must be a list of terms, each with slug, term and definition")
            return []
        terms: list[dict] = []
        for item, line in zip(data, data.item_lines, strict=True):
            if not isinstance(item, LineDict):
                self.problem(GLOSSARY_FILE, line, "each term must be a mapping with slug, term and definition")
                continue
            self.check_keys(GLOSSARY_FILE, item, GLOSSARY_KEYS, "glossary term", required=GLOSSARY_KEYS)
            slug = self.slug(GLOSSARY_FILE, item, "slug")
            if slug and slug in {term["slug"] for term in terms}:
                self.problem(GLOSSARY_FILE, item.key_lines["slug"], f"duplicate glossary term {slug!r}")
            elif slug:
                terms.append({"slug": slug, **{key: self.text(item, key) for key in ("term", "definition")}})
        return terms

    def icon(self, module: LineDict) -> str:
        """The module's icon: one of the icons the app serves, or the default."""
        name = module.get("icon", DEFAULT_ICON)
        if not isinstance(name, str) or not SLUG.match(name) or not (ICONS_DIR / f"{name}.svg").is_file():
            known = ", ".join(sorted(path.stem for path in ICONS_DIR.glob("*.svg")))
            self.problem(
                "course.yaml", module.key_lines.get("icon", module.line), f"unknown icon {name!r} (known: {known})"
            )
            return DEFAULT_ICON
        return name

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
            else:
                self.unread_lessons.add(slug)
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
        if meta is INVALID:
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
        rendered = render_lesson(body, self.glossary_slugs)
        body_line = text[: match.end()].count("\n")  # the body's first line is this many lines down the file
        for line, message in rendered.problems:
            self.problem(name, body_line + line, message)
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
            body_html=rendered.html,
        )

    def keys(self, level: str) -> set[str]:
        """The keys the installed plugins' sections add at this level."""
        return {section.key for section in self.sections if section.level == level}

    def read_sections(self, data: LineDict, level: str, context: SectionContext) -> dict[str, Any]:
        """Check each plugin section present at this level and build its spec; problems go to the list."""
        specs: dict[str, Any] = {}
        for section in self.sections:
            key = section.key
            if section.level != level or key not in data:
                continue
            line = data.key_lines.get(key, data.line)
            found = schema_problems(data[key], section.schema, line)
            if not found:
                specs[key], found = section.build(data[key], dataclasses.replace(context, line=line))
            for problem_line, message in found:
                self.problem("course.yaml", problem_line, message)
        return specs


def read_pack(path, sections: Iterable[PackSection] = ()) -> tuple[Pack | None, list[Problem]]:
    """Read and validate a pack folder with the installed plugins' sections: (pack, problems).

    The pack may be partial when there are problems.
    """
    reader = PackReader(path, sections)
    pack = reader.read()
    return pack, reader.problems
