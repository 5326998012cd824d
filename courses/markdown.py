"""Lesson Markdown to safe HTML: markdown-it-py renders, nh3 sanitizes.

Both are imported on first use (together 2.4 MB of a worker's memory): lessons are rendered when a pack is
synced, so a worker serving learners loads nh3 only to clean the questions of an attempt it shows, and
markdown-it only for questions written in Markdown.
"""

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}, "td": set()}


def _renderer() -> "MarkdownIt":
    from markdown_it import MarkdownIt

    # Raw HTML is off: trainers write Markdown; nh3 then removes anything that still slips through.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")


@lru_cache(maxsize=1)
def lesson_renderer() -> "MarkdownIt":
    """The one Markdown renderer lessons share (see courses.lesson_blocks)."""
    return _renderer()


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML safe to show to any user."""
    html = _renderer().render(text or "")
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    """Strip every tag, attribute and URL scheme that is not on the allow-list."""
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
