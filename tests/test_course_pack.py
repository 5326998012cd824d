"""Content packs: `flask courses check` passes on the BPO pack and names every problem of a bad pack by
file and line; `flask courses sync` loads nothing from a bad pack."""

import pathlib
import re
import shutil
from html.parser import HTMLParser

import pytest
import yaml
from sqlalchemy import func, select

from courses.models import Course, Lesson, Module
from courses.services import check_pack, sync_pack
from lms.extensions import db
from quizzes.models import Question, Quiz

PACK = pathlib.Path(__file__).resolve().parent.parent / "courses" / "bpo_operations"


def copy_pack(tmp_path, name="pack") -> pathlib.Path:
    """A private copy of the BPO pack that a test may break."""
    target = tmp_path / name
    shutil.copytree(PACK, target)
    return target


def replace_in(path: pathlib.Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a pack file (the piece must be there)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not exactly once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_check_passes_on_the_bpo_pack(runner):
    manifest = yaml.safe_load((PACK / "course.yaml").read_text(encoding="utf-8"))
    modules = manifest["modules"]
    lessons = sum(len(module["lessons"]) for module in modules)
    quizzes = sum(("quiz" in module) + len(module.get("exercises", [])) for module in modules)
    quizzes += 1 if "final_assessment" in manifest else 0
    badges = len(manifest["badges"])

    result = runner.invoke(args=["courses", "check", str(PACK)])

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.strip() == (
        f"bpo-operations: OK ({len(modules)} modules, {lessons} lessons, {quizzes} quizzes, {badges} badges)"
    )
    assert len(modules) >= 8 and all(len(module["lessons"]) >= 2 for module in modules)


def line_of(path: pathlib.Path, fragment: str, occurrence: int = 0) -> int:
    """The 1-based number of the line holding `fragment` (its n-th occurrence), found in the broken file."""
    numbers = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if fragment in line]
    assert len(numbers) > occurrence, f"{fragment!r} is not in {path}"
    return numbers[occurrence]


# Each case breaks a copy of the pack and returns the one problem `courses check` must report for it, as
# "file:line: message"; the line is looked up in the broken file, so the pack's own text may change.
def bad_yaml(pack):
    replace_in(pack / "course.yaml", "\nversion: 1\n", "\nversion: 1: 2\n")
    line = line_of(pack / "course.yaml", "version: 1: 2")
    return f"course.yaml:{line}: invalid YAML: mapping values are not allowed here"


def bad_yaml_in_front_matter(pack):
    # The file starts with "---", so the inserted line is line 2.
    lesson = pack / "lessons" / "voice-bpo.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text("---\nlevel: : easy\n" + text.removeprefix("---\n"), encoding="utf-8")
    return "lessons/voice-bpo.md:2: invalid YAML: mapping values are not allowed here"


def missing_lesson_file(pack):
    (pack / "lessons" / "voice-bpo.md").unlink()
    listed = line_of(pack / "course.yaml", "lessons: [voice-bpo, non-voice-bpo]")
    return f"course.yaml:{listed}: lesson file lessons/voice-bpo.md is missing"


def duplicate_module_slug(pack):
    # A tenth module that reuses the first module's slug (with a lesson of its own, so that is the only problem).
    replace_in(
        pack / "course.yaml",
        "\n# Every question names",
        '\n  - slug: what-is-bpo\n    title: "Recap"\n    lessons: [recap]\n# Every question names',
    )
    (pack / "lessons" / "recap.md").write_text('---\ntitle: "Recap"\n---\nA short recap.\n', encoding="utf-8")
    first = line_of(pack / "course.yaml", "  - slug: what-is-bpo", 0)
    again = line_of(pack / "course.yaml", "  - slug: what-is-bpo", 1)
    return f"course.yaml:{again}: duplicate module slug 'what-is-bpo' (first used on line {first})"


def duplicate_lesson_slug(pack):
    replace_in(
        pack / "course.yaml",
        "lessons: [voice-bpo, non-voice-bpo]",
        "lessons: [voice-bpo, non-voice-bpo, bpo-explained]",
    )
    first = line_of(pack / "course.yaml", "lessons: [bpo-explained, why-companies-outsource]")
    again = line_of(pack / "course.yaml", "lessons: [voice-bpo, non-voice-bpo, bpo-explained]")
    return f"course.yaml:{again}: duplicate lesson slug 'bpo-explained' (first used on line {first})"


def unknown_key_in_course_yaml(pack):
    replace_in(pack / "course.yaml", "\nversion: 1\n", "\nversion: 1\nauthor: Someone\n")
    return (
        f"course.yaml:{line_of(pack / 'course.yaml', 'author: Someone')}: unknown key 'author' in course "
        "(allowed: badges, final_assessment, modules, objective_coverage, roles, slug, source, summary, title, version)"
    )


def unknown_key_in_front_matter(pack):
    lesson = pack / "lessons" / "voice-bpo.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text("---\nlevel: easy\n" + text.removeprefix("---\n"), encoding="utf-8")
    return "lessons/voice-bpo.md:2: unknown key 'level' in lesson front matter (allowed: minutes, objectives, title)"


def empty_lesson(pack, slug="voice-bpo"):
    # Lines 1-4 are the front matter, then only blank lines: line 5 is where the text should start.
    (pack / "lessons" / f"{slug}.md").write_text('---\ntitle: "Voice BPO"\nminutes: 7\n---\n\n   \n', encoding="utf-8")
    return f"lessons/{slug}.md:5: the lesson is empty: write its text below the front matter"


def missing_front_matter(pack):
    (pack / "lessons" / "voice-bpo.md").write_text("# Voice BPO\n\nWork that happens on the phone.\n", encoding="utf-8")
    return "lessons/voice-bpo.md:1: missing front matter: start the file with '---', title, minutes, objectives, '---'"


def missing_quiz_file(pack):
    (pack / "quizzes" / "core-skills.gift").unlink()
    listed = line_of(pack / "course.yaml", "file: quizzes/core-skills.gift")
    return f"course.yaml:{listed}: quiz file 'quizzes/core-skills.gift' is missing"


def bad_gift_quiz(pack):
    # A question at the end of the file whose answer block holds a stray "{" on a line of its own.
    quiz = pack / "quizzes" / "what-is-bpo.gift"
    text = quiz.read_text(encoding="utf-8").rstrip("\n")
    quiz.write_text(
        text + "\n\n::broken question::Which one is right? {\n=This one\n{\n~That one\n}\n", encoding="utf-8"
    )
    brace = len(text.splitlines()) + 4  # a blank line, the question's first line, "=This one", then "{"
    return f"quizzes/what-is-bpo.gift:{brace}: '{{' inside an answer block (write \\{{ for a literal brace)"


def bad_review_policy(pack):
    manifest = pack / "course.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    quiz_line = lines[line_of(manifest, "file: quizzes/entry-level-roles.gift") - 1]
    replace_in(manifest, quiz_line, re.sub(r"review: [a-z_]+", "review: lenient", quiz_line))
    listed = line_of(pack / "course.yaml", "review: lenient")
    return f"course.yaml:{listed}: review must be one of practice, exam, retry_without_key"


def unknown_icon(pack):
    replace_in(pack / "course.yaml", "icon: headset", "icon: ../../../etc/passwd")
    line = line_of(pack / "course.yaml", "icon: ../../../etc/passwd")
    return f"course.yaml:{line}: unknown icon '../../../etc/passwd' (known: award, book-open, book-open-text, " + (
        "briefcase, building-2, globe, headset, keyboard, messages-square, trending-up, users-round)"
    )


def append_to(path: pathlib.Path, text: str) -> None:
    """Add text at the end of a pack file."""
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def selfcheck_without_a_right_answer(pack):
    lesson = pack / "lessons" / "voice-bpo.md"
    append_to(lesson, "\n```selfcheck\nquestion: Lost?\noptions:\n  - {text: a, why: b}\n  - {text: c, why: d}\n```\n")
    return f"lessons/voice-bpo.md:{line_of(lesson, 'question: Lost?') - 1}: selfcheck block: mark exactly one " + (
        "option correct: true"
    )


def glossary_link_to_a_missing_term(pack):
    lesson = pack / "lessons" / "voice-bpo.md"
    append_to(lesson, "\nAsk about [the zebra rule](glossary:zebra-rule).\n")
    line = line_of(lesson, "glossary:zebra-rule")
    return f"lessons/voice-bpo.md:{line}: glossary link to 'zebra-rule', a term the course glossary does not define"


def duplicate_glossary_term(pack):
    glossary = pack / "glossary.yaml"
    append_to(glossary, "- slug: aht\n  term: Again\n  definition: The same slug twice.\n")
    return f"glossary.yaml:{line_of(glossary, 'term: Again') - 1}: duplicate glossary term 'aht'"


def bad_typing_question(pack):
    questions = pack / "quizzes" / "typing-test.yaml"
    replace_in(questions, "min_net_wpm: 30", "min_net_wpm: 400")
    line = line_of(questions, "- type: typing")
    return f"quizzes/typing-test.yaml:{line}: Set the net words a minute to reach, from 1 to 150."


def question_file_without_a_stem(pack):
    questions = pack / "quizzes" / "typing-test.yaml"
    append_to(questions, "- type: typing\n  title: no-stem\n  passage: Type this line of text, please.\n")
    return f"quizzes/typing-test.yaml:{line_of(questions, 'title: no-stem') - 1}: the question needs a stem"


def title_too_long_to_key_its_question(pack):
    # The bank keys a pack question by "<course slug>:<title>", in a column of 200 characters.
    questions = pack / "quizzes" / "typing-test.yaml"
    title = "t" * (200 - len("bpo-operations:") + 1)
    append_to(
        questions,
        f"- type: typing\n  title: {title}\n  tags: [objective/tools-speed-and-time/2]\n  stem: Type it.\n"
        "  passage: Type this line of text, please.\n  min_net_wpm: 30\n  min_accuracy: 95\n",
    )
    line = line_of(questions, f"title: {title}") - 1
    return (
        f"quizzes/typing-test.yaml:{line}: keep the title under 185 characters (with the course's slug, it keys "
        "the question)"
    )


def question_file_of_an_unknown_type(pack):
    questions = pack / "quizzes" / "typing-test.yaml"
    append_to(questions, "- type: shorthand\n  title: pitman\n  stem: Write it in shorthand.\n")
    line = line_of(questions, "title: pitman") - 1
    return f"quizzes/typing-test.yaml:{line}: question type 'shorthand' is not installed"


def exercise_named_like_a_quiz(pack):
    replace_in(pack / "course.yaml", "{slug: coaching-talk,", "{slug: what-is-bpo,")
    return "course.yaml:1: two quizzes are named 'what-is-bpo': give each its own slug"


def role_evidence_naming_no_quiz(pack):
    # The operator's drill skill only (the process associate's names the drill too).
    replace_in(
        pack / "course.yaml",
        '[data-entry-drill]}\n      - {skill: "Typing',
        '[typing-speed-test]}\n      - {skill: "Typing',
    )
    line = line_of(pack / "course.yaml", "- slug: data-entry-operator")
    return (
        f"course.yaml:{line}: role 'data-entry-operator': skill 'Keys records accurately at speed' names "
        "'typing-speed-test', which is no quiz of the course"
    )


BAD_PACKS = {
    "bad-yaml": bad_yaml,
    "bad-yaml-in-front-matter": bad_yaml_in_front_matter,
    "missing-lesson-file": missing_lesson_file,
    "duplicate-module-slug": duplicate_module_slug,
    "duplicate-lesson-slug": duplicate_lesson_slug,
    "unknown-key-in-course-yaml": unknown_key_in_course_yaml,
    "unknown-key-in-front-matter": unknown_key_in_front_matter,
    "empty-lesson": empty_lesson,
    "missing-front-matter": missing_front_matter,
    "missing-quiz-file": missing_quiz_file,
    "bad-gift-quiz": bad_gift_quiz,
    "bad-review-policy": bad_review_policy,
    "unknown-icon": unknown_icon,
    "selfcheck-without-a-right-answer": selfcheck_without_a_right_answer,
    "glossary-link-to-a-missing-term": glossary_link_to_a_missing_term,
    "duplicate-glossary-term": duplicate_glossary_term,
    "bad-typing-question": bad_typing_question,
    "question-file-without-a-stem": question_file_without_a_stem,
    "question-file-of-an-unknown-type": question_file_of_an_unknown_type,
    "title-too-long-to-key-its-question": title_too_long_to_key_its_question,
    "exercise-named-like-a-quiz": exercise_named_like_a_quiz,
    "role-evidence-naming-no-quiz": role_evidence_naming_no_quiz,
}


def check_pack_in(app, path):
    """check_pack inside an app context."""
    with app.app_context():
        return check_pack(path)


def row_counts(app) -> dict:
    """How many courses, modules, lessons, quizzes and questions the database holds."""
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Course, Module, Lesson, Quiz, Question)
        }


@pytest.mark.parametrize("case", list(BAD_PACKS))
def test_check_reports_a_bad_pack_with_file_and_line_and_sync_loads_nothing(case, app, runner, tmp_path):
    pack = copy_pack(tmp_path)
    expected = BAD_PACKS[case](pack)

    result = runner.invoke(args=["courses", "check", str(pack)])

    assert result.exit_code != 0
    assert result.stderr.splitlines() == [
        f"{pack}/{expected}",
        "Error: 1 problem(s) found; nothing was loaded.",
    ]
    assert "OK" not in result.stdout

    app.extensions["courses"]["packs"] = [pack]
    synced = runner.invoke(args=["courses", "sync"])

    assert synced.exit_code != 0
    assert f"{pack}/{expected}" in synced.stderr
    assert f"{pack}: not loaded (1 problem(s))" in synced.stderr
    assert row_counts(app) == {"courses": 0, "modules": 0, "lessons": 0, "quizzes": 0, "questions": 0}


def test_check_lists_every_problem_of_a_pack_at_once(runner, tmp_path):
    pack = copy_pack(tmp_path)
    expected = [
        breaker(pack)
        for breaker in (
            duplicate_module_slug,
            unknown_key_in_front_matter,
            missing_quiz_file,
            bad_review_policy,
            bad_gift_quiz,
        )
    ]
    expected.append(empty_lesson(pack, "non-voice-bpo"))

    result = runner.invoke(args=["courses", "check", str(pack)])

    assert result.exit_code != 0
    reported = result.stderr.splitlines()
    assert sorted(reported[:-1]) == sorted(f"{pack}/{problem}" for problem in expected)
    assert reported[-1] == "Error: 6 problem(s) found; nothing was loaded."


def test_a_bad_pack_does_not_touch_what_an_earlier_sync_loaded(app, runner, tmp_path):
    pack = copy_pack(tmp_path)
    app.extensions["courses"]["packs"] = [pack]
    assert runner.invoke(args=["courses", "sync"]).exit_code == 0
    before = row_counts(app)
    synced, _ = check_pack_in(app, pack)
    old_title = synced.modules[1].lessons[0].title
    lesson_file = pack / "lessons" / f"{synced.modules[1].lessons[0].slug}.md"
    replace_in(lesson_file, f'title: "{old_title}"', 'title: "Phone Work, Renamed"')
    replace_in(
        pack / "course.yaml",
        "  - slug: entry-level-roles\n    title:",
        "  - slug: entry-level-roles\n    colour: red\n    title:",
    )
    replace_in(
        pack / "course.yaml",
        "lessons: [bpo-explained, why-companies-outsource]",
        "lessons: [bpo-explained, why-companies-outsource, brand-new-lesson]",
    )

    result = runner.invoke(args=["courses", "sync"])

    assert result.exit_code != 0
    assert "not loaded (2 problem(s))" in result.stderr
    assert row_counts(app) == before
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == synced.modules[1].lessons[0].slug))
        assert lesson.title == old_title
        assert db.session.scalar(select(Lesson).where(Lesson.slug == "brand-new-lesson")) is None


def test_one_bad_pack_does_not_stop_a_good_one_from_loading(app, runner, tmp_path):
    bad = copy_pack(tmp_path, "bad")
    manifest = bad / "course.yaml"
    manifest.write_text(
        re.sub(r"^slug: .*$", "slug: broken-copy", manifest.read_text(encoding="utf-8"), count=1, flags=re.M),
        encoding="utf-8",
    )
    empty_lesson(bad)
    app.extensions["courses"]["packs"] = [bad, PACK]

    result = runner.invoke(args=["courses", "sync"])

    assert result.exit_code != 0
    good, _ = check_pack_in(app, PACK)
    assert result.stdout.strip() == f"bpo-operations: synced ({len(good.modules)} modules)"
    assert f"{bad}: not loaded (" in result.stderr
    with app.app_context():
        assert db.session.scalars(select(Course.slug)).all() == ["bpo-operations"]


def test_check_pack_service_returns_the_pack_only_when_valid(app, tmp_path):
    pack_dir = copy_pack(tmp_path)
    with app.app_context():
        pack, problems = check_pack(pack_dir)
        assert problems == [] and pack.slug == "bpo-operations"
        expected = empty_lesson(pack_dir)
        pack, problems = check_pack(pack_dir)
        assert pack is None
        assert [str(problem) for problem in problems] == [expected]


def test_lesson_markdown_is_rendered_and_sanitized_when_read(app, tmp_path):
    pack_dir = copy_pack(tmp_path)
    lesson_file = pack_dir / "lessons" / "bpo-explained.md"
    lesson_file.write_text(
        lesson_file.read_text(encoding="utf-8")
        + "\n<script>alert('pack')</script>\n\n[Open me](javascript:alert(1)) and **bold text**\n\n"
        + '<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>\n',
        encoding="utf-8",
    )
    with app.app_context():
        pack, problems = check_pack(pack_dir)
        assert problems == []
        html = pack.modules[0].lessons[0].body_html
        sync_pack(pack)
        stored = db.session.scalar(select(Lesson).where(Lesson.slug == "bpo-explained")).body_html
    assert stored == html
    assert "<strong>bold text</strong>" in html and "<h2>The basic idea</h2>" in html
    tags = Tags()
    tags.feed(html)
    assert "script" not in [name for name, _ in tags.found]
    links = [dict(attrs).get("href", "") for name, attrs in tags.found if name == "a"]
    assert not any(href.strip().lower().startswith("javascript") for href in links)
    assert not [attr for _, attrs in tags.found for attr, _ in attrs if attr.startswith("on")]


class Tags(HTMLParser):
    """Every element of an HTML fragment, as (tag, attributes)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def test_two_packs_with_one_course_slug_are_refused(app, runner, tmp_path):
    """Two installed packs that claim the same course slug stop the sync with a clear error."""
    first, second = copy_pack(tmp_path, "first"), copy_pack(tmp_path, "second")
    app.extensions["courses"]["packs"] = [first, second]

    result = runner.invoke(args=["courses", "sync"])

    assert result.exit_code != 0
    assert f"duplicate course slug 'bpo-operations': {first} and {second} both provide it" in result.output
    assert row_counts(app)["courses"] == 0  # checked before anything loads


def test_an_empty_course_yaml_or_front_matter_is_a_problem_not_silence(app, tmp_path):
    """Empty YAML reads as nothing: it used to drop the pack or the lesson without a word."""
    pack = copy_pack(tmp_path)
    (pack / "course.yaml").write_text("", encoding="utf-8")
    _, problems = check_pack_in(app, pack)
    assert [str(problem) for problem in problems] == ["course.yaml:1: course.yaml must be a mapping of keys to values"]

    pack = copy_pack(tmp_path / "again")
    lesson = pack / "lessons" / "voice-bpo.md"
    lesson.write_text("---\n\n---\nThe lesson text.\n", encoding="utf-8")
    _, problems = check_pack_in(app, pack)
    assert "lessons/voice-bpo.md:2: front matter must be a mapping with title, minutes and objectives" in [
        str(problem) for problem in problems
    ]


@pytest.mark.parametrize("text", ["[" * 5000, "a:\n" + "  - " * 1 + "[" * 3000 + "]" * 3000])
def test_a_course_yaml_nested_without_end_is_a_problem_not_a_crash(app, tmp_path, text):
    pack = copy_pack(tmp_path)
    (pack / "course.yaml").write_text(text, encoding="utf-8")
    _, problems = check_pack_in(app, pack)
    assert len(problems) == 1 and problems[0].file == "course.yaml"
    assert problems[0].message.startswith("invalid YAML")


def test_a_module_cannot_take_the_name_of_a_course_page(runner, tmp_path):
    from tests.test_quiz_attempts import write_pack

    pack = write_pack(tmp_path / "pack", [{"slug": "glossary", "lessons": ["words"]}])
    result = runner.invoke(args=["courses", "check", str(pack)])
    assert result.stderr.splitlines()[0] == f"{pack}/course.yaml:6: module slug 'glossary' names a page of the course"
