"""Self-checks, practice tasks and glossary links inside a lesson's Markdown."""

from html.parser import HTMLParser

from courses.lesson_blocks import render_lesson

SELFCHECK = """Intro with **bold**.

```selfcheck
question: "Who starts an *inbound* call?"
options:
  - text: "The customer"
    correct: true
    why: "They ring in, so the call comes **in**."
  - text: "The agent <script>alert(1)</script>"
    why: "That would be an outbound call."
```

After the check.
"""


class Elements(HTMLParser):
    """Every start tag of a fragment with its attributes, in order."""

    def __init__(self, html):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_selfcheck_becomes_a_question_with_its_answer_and_why_in_the_page():
    rendered = render_lesson(SELFCHECK)
    assert rendered.problems == []
    html = rendered.html
    assert html.startswith("<p>Intro with <strong>bold</strong>.</p>")
    assert html.rstrip().endswith("<p>After the check.</p>")
    radios = [attrs for tag, attrs in Elements(html).tags if tag == "input"]
    assert [(r["name"], r["value"], "data-correct" in r) for r in radios] == [
        ("selfcheck-1", "1", True),
        ("selfcheck-1", "2", False),
    ]
    assert '<legend id="selfcheck-1-question">Who starts an <em>inbound</em> call?</legend>' in html
    # Named by its heading and its question, so a lesson's several self-checks are told apart.
    assert '<section class="selfcheck" aria-labelledby="selfcheck-1-heading selfcheck-1-question">' in html
    assert '<label for="selfcheck-1-1">The customer</label>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # the author's text is escaped, never run
    assert "<summary>Show the answer</summary><p><strong>The customer</strong>: They ring in" in html
    assert "Practice only: nothing is recorded." in html


def test_two_selfchecks_in_one_lesson_get_their_own_ids():
    html = render_lesson(SELFCHECK + "\n" + SELFCHECK).html
    names = {attrs["name"] for tag, attrs in Elements(html).tags if tag == "input"}
    assert names == {"selfcheck-1", "selfcheck-2"}


def test_a_practice_task_has_its_prompt_a_draft_box_and_a_model_answer():
    text = (
        "```task\ntitle: Rewrite <a cold> reply\nprompt: |\n  The customer wrote:\n\n  - one\n  - two\n"
        "model: |\n  *Warm* and short.\n```\n"
    )
    rendered = render_lesson(text)
    assert rendered.problems == []
    assert '<h3 id="task-1-heading">Practice task: Rewrite &lt;a cold&gt; reply</h3>' in rendered.html
    assert "<ul>\n<li>one</li>" in rendered.html
    assert '<textarea id="task-1-draft"' in rendered.html
    assert "<details><summary>Compare with a model answer</summary><p><em>Warm</em> and short.</p>" in rendered.html


def test_glossary_links_lead_to_the_course_glossary_and_unknown_terms_are_problems():
    text = "Intro.\n\nKeep your [handle time](glossary:aht) low and your [xyz](glossary:xyz) high.\n"
    rendered = render_lesson(text, glossary={"aht"})
    assert '<a href="../glossary#aht" rel="noopener noreferrer nofollow">handle time</a>' in rendered.html
    assert rendered.problems == [(3, "glossary link to 'xyz', a term the course glossary does not define")]


def test_broken_blocks_are_problems_with_the_line_of_their_fence():
    text = (
        "Intro.\n\n"
        "```selfcheck\nquestion: Two right?\noptions:\n  - {text: a, why: x, correct: true}\n"
        "  - {text: b, why: y, correct: true}\n```\n\n"
        "```selfcheck\nquestion: [unclosed\n```\n\n"
        "```task\ntitle: T\nprompt: P\nhint: H\n```\n\n"
        "```selfcheck\nquestion: Q\noptions:\n  - {text: a, correct: true}\n  - {text: b, why: y}\n```\n"
    )
    assert render_lesson(text).problems == [
        (3, "selfcheck block: mark exactly one option correct: true"),
        (10, "selfcheck block: the YAML inside is not valid (line 2 of the block)"),
        (14, "task block: 'model' must be text"),
        (14, "task block: unknown key 'hint' (allowed: title, prompt, model)"),
        (20, "selfcheck block: option 1: 'why' must be text"),
    ]


def test_other_fences_stay_code_and_raw_html_is_still_removed():
    text = "```python\nprint('hi')\n```\n\n<b onclick=x>raw</b>\n"
    html = render_lesson(text).html
    assert [tag for tag, _ in Elements(html).tags] == ["pre", "code", "p"]  # no <b>, no input
    assert "&lt;b onclick=x&gt;raw" in html  # shown as text, never run


def test_a_table_scrolls_in_its_own_box_so_it_never_widens_the_page():
    html = render_lesson("| A | B |\n|---|---|\n| 1 | 2 |\n").html
    assert html.startswith('<div class="table-wrap" tabindex="0"><table>') and html.rstrip().endswith("</table></div>")
