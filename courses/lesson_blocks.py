"""A lesson's Markdown to HTML, with the blocks that let a learner practice inside it.

Besides plain Markdown (rendered and sanitized by courses.markdown), a lesson may hold fenced blocks whose
info string names a kind and whose content is YAML:

* ``selfcheck``: a single-choice question; picking an option shows at once whether it is right and why
  (lms/static/js/selfcheck.js), and "Show the answer" works without JavaScript. Nothing is recorded.
* ``task``: a practice task with a model answer the learner opens when ready.

A link whose target is ``glossary:<slug>`` points to that term of the course glossary.
The blocks' HTML is built here from escaped text, so the sanitizer (which would strip the form controls)
never sees it; every text inside them is Markdown rendered and sanitized like the rest of the lesson.
"""

import dataclasses
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from courses.markdown import lesson_renderer, sanitize_html

if TYPE_CHECKING:
    from markdown_it.token import Token

GLOSSARY_SCHEME = "glossary:"


@dataclasses.dataclass
class RenderedLesson:
    """A lesson's HTML and the problems found on the way, as (line in the Markdown, message)."""

    html: str
    problems: list[tuple[int, str]]


def glossary_href(slug: str) -> str:
    """Where a glossary link leads from a lesson page (/courses/<course>/<module>/<lesson>)."""
    return f"../glossary#{slug}"


def render_lesson(text: str, glossary: Collection[str] = ()) -> RenderedLesson:
    """Render a lesson's Markdown with its self-checks, tasks and glossary links (`glossary`: the term slugs)."""
    md = lesson_renderer()
    env: dict[str, Any] = {}
    tokens = md.parse(text or "", env)
    problems = link_glossary(tokens, glossary)
    parts: list[str] = []
    plain: list[Token] = []
    counts = {kind: 0 for kind in BLOCKS}
    for token in tokens:
        kind = token.info.strip() if token.type == "fence" and token.level == 0 else ""
        if kind not in BLOCKS:
            plain.append(token)
            continue
        parts.append(markdown_html(md.renderer.render(plain, md.options, env)))
        plain = []
        counts[kind] += 1
        line = (token.map[0] if token.map else 0) + 1
        html, found = BLOCKS[kind](token.content, f"{kind}-{counts[kind]}")
        parts.append(html)
        problems += [(line, f"{kind} block: {message}") for message in found]
    parts.append(markdown_html(md.renderer.render(plain, md.options, env)))
    return RenderedLesson("".join(parts), sorted(problems))


def link_glossary(tokens: "list[Token]", glossary: Collection[str]) -> list[tuple[int, str]]:
    """Point every `glossary:<slug>` link at the glossary page; a slug the glossary lacks is a problem."""
    problems = []
    for token in tokens:
        for child in token.children or []:
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            if not href.startswith(GLOSSARY_SCHEME):
                continue
            slug = href.removeprefix(GLOSSARY_SCHEME)
            if slug not in glossary:
                line = (token.map[0] if token.map else 0) + 1
                problems.append((line, f"glossary link to {slug!r}, a term the course glossary does not define"))
            child.attrSet("href", glossary_href(slug))
    return problems


def markdown_html(html: str) -> str:
    """Rendered Markdown, sanitized, with each table in a box that scrolls sideways on a narrow screen (and can
    be scrolled by keyboard), so a wide table never widens the page."""
    return (
        sanitize_html(html)
        .replace("<table>", '<div class="table-wrap" tabindex="0"><table>')
        .replace("</table>", "</table></div>")
    )


def inline(text: str) -> str:
    """One line of Markdown (bold, italics, code) as sanitized HTML without a paragraph around it."""
    return sanitize_html(lesson_renderer().renderInline(text))


def block(text: str) -> str:
    """Markdown paragraphs, lists or tables as sanitized HTML."""
    return markdown_html(lesson_renderer().render(text))


def load(content: str) -> tuple[dict, list[str]]:
    """The block's YAML as a mapping, or a problem."""
    import yaml  # only reading a pack renders lessons; a web worker never loads PyYAML

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1} of the block)" if mark else ""
        return {}, [f"the YAML inside is not valid{where}"]
    if not isinstance(data, dict):
        return {}, ["write its fields as YAML (key: value)"]
    return data, []


def text_field(data: dict, key: str, problems: list[str]) -> str:
    """A required, non-empty text field; a problem when it is missing."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key!r} must be text")
        return ""
    return value.strip()


def selfcheck(content: str, block_id: str) -> tuple[str, list[str]]:
    """A self-check question: a fieldset of options, each with why it is right or wrong, and the answer."""
    data, problems = load(content)
    if problems:
        return "", problems
    unknown = sorted(set(data) - {"question", "options"})
    problems += [f"unknown key {key!r} (allowed: question, options)" for key in unknown]
    question = text_field(data, "question", problems)
    options = data.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 6:
        return "", [*problems, "'options' must list 2 to 6 options"]
    parsed = []
    for number, option in enumerate(options, start=1):
        found: list[str] = []
        if not isinstance(option, dict):
            problems.append(f"option {number} must have text, why and (for the right one) correct: true")
            continue
        text, why = text_field(option, "text", found), text_field(option, "why", found)
        right = option.get("correct", False)
        if not isinstance(right, bool):
            found.append("'correct' must be true or false")
        problems += [f"option {number}: {message}" for message in found]
        parsed.append((text, why, right is True))
    if sum(right for _, _, right in parsed) != 1:
        problems.append("mark exactly one option correct: true")
    if problems:
        return "", problems
    answer = next((text, why) for text, why, right in parsed if right)
    rows = "".join(
        f'<li><input type="radio" name="{block_id}" id="{block_id}-{n}" value="{n}"'
        f"{' data-correct' if right else ''}>"
        f' <label for="{block_id}-{n}">{inline(text)}</label>'
        f'<span class="selfcheck-why" data-option="{n}" hidden>{inline(why)}</span></li>'
        for n, (text, why, right) in enumerate(parsed, start=1)
    )
    html = (
        # Named by its heading and its question: a lesson's several self-checks are told apart.
        f'<section class="selfcheck" aria-labelledby="{block_id}-heading {block_id}-question">'
        f'<h3 id="{block_id}-heading">Check yourself</h3>'
        f'<fieldset><legend id="{block_id}-question">{inline(question)}</legend>'
        f'<ul class="selfcheck-options">{rows}</ul></fieldset>'
        f'<p class="selfcheck-result" role="status"></p>'
        f"<details><summary>Show the answer</summary>"
        f"<p><strong>{inline(answer[0])}</strong>: {inline(answer[1])}</p></details>"
        f'<p class="muted selfcheck-note">Practice only: nothing is recorded.</p>'
        f"</section>"
    )
    return html, []


def task(content: str, block_id: str) -> tuple[str, list[str]]:
    """A practice task: the situation, a draft box that stays in the page, and a model answer to compare."""
    data, problems = load(content)
    if problems:
        return "", problems
    unknown = sorted(set(data) - {"title", "prompt", "model"})
    problems += [f"unknown key {key!r} (allowed: title, prompt, model)" for key in unknown]
    title, prompt, model = (text_field(data, key, problems) for key in ("title", "prompt", "model"))
    if problems:
        return "", problems
    html = (
        f'<section class="practice-task" aria-labelledby="{block_id}-heading">'
        f'<h3 id="{block_id}-heading">Practice task: {escape(title)}</h3>'
        f"{block(prompt)}"
        f'<label for="{block_id}-draft">Your draft</label>'
        f'<p class="muted" id="{block_id}-hint">It stays on this page: nothing is sent or saved.</p>'
        f'<textarea id="{block_id}-draft" rows="6" aria-describedby="{block_id}-hint"></textarea>'
        f"<details><summary>Compare with a model answer</summary>{block(model)}</details>"
        f"</section>"
    )
    return html, []


BLOCKS = {"selfcheck": selfcheck, "task": task}
