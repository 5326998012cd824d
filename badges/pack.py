"""The `badges:` section of a content pack's course.yaml: one badge per module and one for the course."""

import dataclasses
from typing import Any

from courses.sections import COURSE, SLUG_MESSAGE, SLUG_PATTERN, PackSection, SectionContext

TEXT = {"type": "string", "minLength": 1, "errorMessage": "{key} must be some text"}
SCHEMA = {
    "type": "array",
    "errorMessage": "badges must be a list",
    "items": {
        "type": "object",
        "title": "badge",
        "errorMessage": "each badge must be a mapping",
        "required": ["slug", "for", "name", "description", "criteria"],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string", "pattern": SLUG_PATTERN, "errorMessage": SLUG_MESSAGE},
            "for": {"type": "string", "errorMessage": "for must be a module slug or the course slug"},
            "name": TEXT,
            "description": TEXT,
            "criteria": TEXT,
        },
    },
}


@dataclasses.dataclass
class BadgeSpec:
    """A badge the pack declares for a module (`target` = module slug) or the course (the course slug)."""

    slug: str
    target: str
    name: str
    description: str
    criteria: str


def build_badges(raw: Any, context: SectionContext) -> tuple[list[BadgeSpec], list[tuple[int, str]]]:
    """The badges of a schema-valid section; a duplicate slug or an unknown target is a problem."""
    targets = {*context.module_slugs, context.course_slug}
    badges: list[BadgeSpec] = []
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    for item in raw:
        if item["slug"] in seen:
            problems.append((item.key_lines["slug"], f"duplicate badge slug {item['slug']!r}"))
        seen.add(item["slug"])
        if item["for"] not in targets:
            problems.append(
                (
                    item.key_lines["for"],
                    f"badge is for {item['for']!r}, which is neither a module slug nor the course slug",
                )
            )
        badges.append(
            BadgeSpec(
                slug=item["slug"],
                target=item["for"],
                name=item["name"].strip(),
                description=item["description"].strip(),
                criteria=item["criteria"].strip(),
            )
        )
    return badges, problems


SECTION = PackSection(key="badges", level=COURSE, schema=SCHEMA, build=build_badges, counts_as="badges")
