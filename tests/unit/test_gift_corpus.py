"""The GIFT parser against real files from the shared corpora (see ../shared/corpora/README.md).

gift-moodle/ holds Moodle's own GIFT examples and fixtures: checked here with
concrete values read from the files. gift-peg/ holds the GIFT-grammar-PEG.js
test files, each with a JSON expected parse: translated into the project's
shape and compared. Where that JSON and Moodle disagree, Moodle wins; each
such place is noted below with the files it concerns.
"""

import collections
import json
import pathlib

import pytest

from quizzes.gift import parse_gift, parse_gift_report, write_gift
from quizzes.types import BUILTIN_TYPES
from quizzes.types.numerical import ANY_NUMBER

# The built-in question types, by name, as an app installs them.
TYPES = {cls.name: cls() for cls in BUILTIN_TYPES}

# Only used to list the files when tests are collected; the tests themselves
# reach the corpora through the shared_dir fixture, which fails in CI and
# skips elsewhere when ../shared is missing.
_CORPORA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
MISSING = "(corpus folder missing)"


def corpus_files(folder, pattern):
    """File names in a corpus folder, or a placeholder that fails when the folder is gone."""
    names = sorted(path.name for path in (_CORPORA / folder).glob(pattern))
    return names or [MISSING]


def read(shared_dir, folder, name):
    """A corpus file's text."""
    return (shared_dir / "corpora" / folder / name).read_text(encoding="utf-8")


def without_lines(questions):
    """Questions without their "line" key."""
    return [{key: value for key, value in q.items() if key != "line"} for q in questions]


# ---------------------------------------------------------------- gift-moodle

MOODLE_COUNTS = {
    "examples.gift.txt": {
        "single_choice": 16,
        "multiple_response": 2,
        "true_false": 5,
        "short_answer": 9,
        "numerical": 8,
        "matching": 3,
    },
    "questions.gift.txt": {
        "single_choice": 1,
        "multiple_response": 1,
        "true_false": 3,
        "short_answer": 1,
        "numerical": 1,
        "matching": 1,
        "essay": 1,
    },
    "questions_in_category.gift.txt": {"single_choice": 1, "true_false": 1, "short_answer": 1, "matching": 1},
}
MOODLE_UNSUPPORTED: dict[str, list[str]] = {}  # every question of Moodle's files is read, its essays included


def test_moodle_corpus_is_the_expected_set(shared_dir):
    assert sorted(p.name for p in (shared_dir / "corpora" / "gift-moodle").iterdir()) == sorted(MOODLE_COUNTS)


@pytest.mark.parametrize("name", corpus_files("gift-moodle", "*.txt"))
def test_moodle_file_type_counts(shared_dir, name):
    questions, problems = parse_gift_report(read(shared_dir, "gift-moodle", name), TYPES)
    assert dict(collections.Counter(q["type"] for q in questions)) == MOODLE_COUNTS[name]
    assert [str(p) for p in problems] == MOODLE_UNSUPPORTED.get(name, [])


@pytest.mark.parametrize("name", corpus_files("gift-moodle", "*.txt"))
def test_moodle_file_round_trips_through_the_writer(shared_dir, name):
    questions, _problems = parse_gift_report(read(shared_dir, "gift-moodle", name), TYPES)
    assert without_lines(parse_gift(write_gift(questions, TYPES), TYPES)) == without_lines(questions)


@pytest.fixture(scope="module")
def examples(shared_dir):
    """examples.gift.txt, parsed, keyed by the line each question starts on."""
    return {q["line"]: q for q in parse_gift(read(shared_dir, "gift-moodle", "examples.gift.txt"), TYPES)}


def test_examples_multiple_choice_with_multi_line_block(examples):
    q = examples[29]
    assert q["type"] == "single_choice"
    assert q["stem"] == "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    assert [(c["text"], c["weight"]) for c in q["config"]["choices"]] == [
        ("second", 0.0),
        ("third", 0.0),
        ("fourth", 100.0),
    ]


def test_examples_partial_weights_and_feedback(examples):
    q = examples[117]
    assert (q["type"], q["title"], q["stem"]) == ("single_choice", "Jesus' hometown", "Jesus Christ was from _____.")
    assert q["config"]["choices"] == [
        {"text": "Jerusalem", "weight": 0.0, "feedback": "This was an important city, but the wrong answer."},
        {"text": "Bethlehem", "weight": 25.0, "feedback": "He was born here, but not raised here."},
        {"text": "Galilee", "weight": 50.0, "feedback": "You need to be more specific."},
        {"text": "Nazareth", "weight": 100.0, "feedback": "Yes! That's right!"},
    ]


def test_examples_short_answer_weights(examples):
    q = examples[123]
    assert (q["type"], q["stem"]) == ("short_answer", "Jesus Christ was from")
    assert [(a["text"], a["weight"]) for a in q["config"]["answers"]] == [
        ("Nazareth", 100.0),
        ("Nazereth", 75.0),
        ("Bethlehem", 25.0),
    ]


def test_examples_multiple_answers(examples):
    assert examples[130]["type"] == examples[136]["type"] == "multiple_response"
    assert [c["weight"] for c in examples[130]["config"]["choices"]] == [0.0, 50.0, 50.0, 0.0]
    assert [c["weight"] for c in examples[136]["config"]["choices"]] == [-50.0, 50.0, 50.0, -50.0]


def test_examples_control_characters(examples):
    q = examples[148]
    assert q["title"] == "GIFT Control Characters"
    assert [c["text"] for c in q["config"]["choices"]] == ["~", "=", "#", "{", "}", "\\"]
    assert q["config"]["choices"][5] == {
        "text": "\\",
        "weight": 100.0,
        "feedback": "Correct! \\ (backslash) is not a control character. BUT,\n"
        "it is used to escape the control characters. So, to specify\n"
        "a literal backslash, you must escape it with a backslash\n"
        "(as shown in this example).",
    }
    assert [c["text"] for c in examples[143]["config"]["choices"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]


def test_examples_numerical_forms(examples):
    exact = examples[16]["config"]["answers"][0]
    assert (exact["value"], exact["tolerance"], exact["min"], exact["max"]) == (1822.0, 1.0, 1821.0, 1823.0)
    tolerance = examples[72]["config"]["answers"][0]
    assert (tolerance["value"], tolerance["tolerance"]) == (3.1415, 0.0005)
    assert examples[72]["stem"] == "What is the value of pi (to 3 decimal places)? _____."
    assert examples[74]["config"]["answers"][0] == {
        "min": 3.141,
        "max": 3.142,
        "value": None,
        "tolerance": None,
        "weight": 100.0,
        "feedback": "",
    }
    assert [(a["value"], a["tolerance"], a["weight"]) for a in examples[76]["config"]["answers"]] == [
        (1822.0, 0.0, 100.0),
        (1822.0, 2.0, 50.0),
    ]
    assert examples[202]["config"]["answers"][1]["feedback"] == (
        "He was born in 1822.\nYou get 50% credit for being close."
    )


def test_examples_other_types_and_options(examples):
    assert examples[12]["config"] == {"answer": False, "feedback_wrong": "", "feedback_right": ""}
    assert examples[113]["config"]["feedback_wrong"] == "No one is buried in Grant's tomb."
    assert examples[61]["config"]["pairs"][3] == {"prompt": "India", "answer": "New Delhi"}
    assert examples[90]["title"] == "Kanji Origins"
    assert examples[90]["stem"] == "Japanese characters originally\ncame from what country?"
    assert (examples[108]["format"], examples[108]["stem"]) == ("markdown", "Who's buried in **Grant's tomb**?")
    assert examples[108]["config"]["answers"][1] == {"text": "nobody", "weight": 100.0, "feedback": "excellent answer!"}


def test_questions_file_essay_and_the_rest_parse(shared_dir):
    text = read(shared_dir, "gift-moodle", "questions.gift.txt")
    questions = parse_gift(text, TYPES)
    assert (questions[0]["line"], questions[0]["type"], questions[0]["config"]) == (2, "essay", {})
    by_title = {q["title"]: q for q in questions}

    matching = by_title["Moodle activities"]
    assert (matching["type"], matching["format"]) == ("matching", "html")
    assert matching["stem"] == "Match the <b>activity</b> to the description."
    assert matching["config"]["pairs"][1] == {
        "prompt": "A teacher asks a question and specifies a choice of multiple responses.",
        "answer": "Choice",
    }
    assert matching["config"]["pairs"][4] == {"prompt": "", "answer": "Chat"}

    assert by_title["Q2"]["config"]["choices"][1] == {"text": "red", "weight": 0.0, "feedback": "wrong, it's yellow"}
    assert by_title["colours"]["type"] == "multiple_response"
    assert [c["weight"] for c in by_title["colours"]["config"]["choices"]] == [50.0, -100.0, 50.0, -100.0]

    numerical = by_title["Q5"]["config"]["answers"]
    assert (numerical[0]["min"], numerical[0]["max"]) == (1.0, 5.0)
    assert numerical[1] == {
        "min": -ANY_NUMBER,
        "max": ANY_NUMBER,
        "value": None,
        "tolerance": None,
        "weight": 0.0,
        "feedback": "Completely wrong",
    }
    assert by_title["Shortanswer"]["config"]["answers"][2] == {
        "text": "*",
        "weight": 0.0,
        "feedback": "Completely wrong",
    }

    true_false = by_title["Q1"]
    assert true_false["config"] == {
        "answer": False,
        "feedback_wrong": "42 is the Ultimate Answer.",
        "feedback_right": "You gave the right answer.",
    }
    assert true_false["general_feedback"] == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    # The file keeps a '";' left over from the PHP test it was lifted from;
    # Moodle reads text after the block as part of the stem, with a blank.
    assert true_false["stem"] == '42 is the Absolute Answer to everything._____";'
    assert [q["config"]["answer"] for q in questions if q["title"] == "2-08 TSL"] == [True, True]


def test_questions_in_category_file(shared_dir):
    questions = parse_gift(read(shared_dir, "gift-moodle", "questions_in_category.gift.txt"), TYPES)
    assert {tuple(q["tags"]) for q in questions} == {("$course$/Default for New Features",)}
    greeting = questions[1]
    assert (greeting["title"], greeting["line"]) == ("Greeting", 14)
    assert greeting["stem"] == (
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this '
        "greeting:</a><br /><br />What language is being spoken?"
    )
    assert greeting["config"]["choices"][1] == {"text": "French", "weight": 100.0, "feedback": "Yes, well done!"}
    assert questions[2]["config"] == {"answers": [{"text": "Moodler", "weight": 100.0, "feedback": ""}]}
    assert questions[3]["stem"].endswith(
        '<span style="font-style: italic;">Modular Object-Oriented Dynamic Learning Environment</span>.'
    )


# ---------------------------------------------------------------- gift-peg
#
# Where the PEG JSON and Moodle disagree (Moodle wins):
# * Line breaks. Moodle trims every line and joins them with "\n"; the PEG
#   grammar joins lines with spaces and keeps trailing spaces. So texts are
#   compared with whitespace runs collapsed. Concerned: markdown.gift (the
#   "  " markdown line breaks and the nested-list indent are gone in Moodle),
#   type_inferred_multiline_markdown.gift, multiLineFeedback1.gift,
#   giftFormatPhpExamples.gift, options1.gift, escapeAll.gift, symbolsAll.gift.
# * Blanks before punctuation. Moodle puts "_____" exactly where the block
#   was ("from _____."); the PEG JSON adds a space ("from _____ ."). Concerned:
#   giftFormatPhpExamples.gift, numerical1.gift, options1.gift, shortAnswer1.gift.
# * True/false feedback. The JSON calls the first feedback "trueFeedback"
#   and the second "falseFeedback" whatever the answer; Moodle shows the first
#   for a wrong answer and the second for a right one. The values agree by
#   position. Concerned: TFTwoFeedback.gift, totara_moodle_truefalse.gift, options1.gift.
# The JSON also records per-answer formats and [id:...] comments; the
# project's question shape has neither, so they are not compared. Tags are
# the $CATEGORY: path followed by the question's [tag:...] comments.


def squash(text):
    """Text with whitespace runs collapsed and the PEG blank spacing aligned with Moodle's."""
    return " ".join((text or "").split()).replace("_____ .", "_____.")


def peg_text(node):
    """The text of a PEG {"format", "text"} node, or "" for null."""
    return squash(node["text"]) if node else ""


def peg_weight(choice):
    """A PEG choice's weight: explicit, else 100 for a correct answer and 0 for a wrong one."""
    if choice["weight"] is not None:
        return float(choice["weight"])
    return 100.0 if choice["isCorrect"] else 0.0


def peg_range(spec):
    """A PEG numerical answer spec as min/max/value/tolerance."""
    if spec.get("text") == "*":
        return {"min": -ANY_NUMBER, "max": ANY_NUMBER, "value": None, "tolerance": None}
    if spec["type"] == "high-low":
        return {"min": float(spec["numberLow"]), "max": float(spec["numberHigh"]), "value": None, "tolerance": None}
    value, tolerance = float(spec["number"]), float(spec.get("range", 0))
    return {"min": value - tolerance, "max": value + tolerance, "value": value, "tolerance": tolerance}


def peg_numerical(choices):
    """Numerical answers: one bare spec, or a list of weighted choices."""
    if isinstance(choices, dict):
        return {"answers": [{**peg_range(choices), "weight": 100.0, "feedback": ""}]}
    return {
        "answers": [
            {**peg_range(c["text"]), "weight": peg_weight(c), "feedback": peg_text(c["feedback"])} for c in choices
        ]
    }


def peg_choices(item):
    """The project type and config for a PEG MC item: single choice when any answer is marked '='."""
    choices = [
        {"text": peg_text(c["text"]), "weight": peg_weight(c), "feedback": peg_text(c["feedback"])}
        for c in item["choices"]
    ]
    single = any(c["isCorrect"] for c in item["choices"])
    return ("single_choice" if single else "multiple_response"), {"choices": choices}


def peg_config(item):
    """The project type and config for one PEG item."""
    kind = item["type"]
    if kind == "MC":
        return peg_choices(item)
    if kind == "TF":
        return "true_false", {
            "answer": item["isTrue"],
            "feedback_wrong": peg_text(item["trueFeedback"]),
            "feedback_right": peg_text(item["falseFeedback"]),
        }
    if kind == "Short":
        return "short_answer", {
            "answers": [
                {"text": peg_text(c["text"]), "weight": peg_weight(c), "feedback": peg_text(c["feedback"])}
                for c in item["choices"]
            ]
        }
    if kind == "Numerical":
        return "numerical", peg_numerical(item["choices"])
    if kind == "Matching":
        return "matching", {
            "pairs": [
                {"prompt": peg_text(p["subquestion"]), "answer": squash(p["subanswer"])} for p in item["matchPairs"]
            ]
        }
    if kind == "Description":
        return "description", {}
    if kind == "Essay":
        return "essay", {}
    raise AssertionError(f"untranslated PEG type {kind}")


def peg_expected(items):
    """(questions, final tags) translated from a PEG JSON list."""
    questions, tags = [], []
    for item in items:
        if item["type"] == "Category":
            tags = [item["title"]]
        else:
            kind, config = peg_config(item)
            questions.append(
                {
                    "type": kind,
                    "title": item["title"],
                    "stem": squash(item["stem"]["text"]),
                    "format": item["stem"]["format"],
                    "general_feedback": peg_text(item.get("globalFeedback")),
                    "tags": list(dict.fromkeys(tags + (item.get("tags") or []))),
                    "config": config,
                }
            )
    return questions, tags


def squashed(value):
    """A parsed question (or part of one) with every text squashed and floats rounded."""
    if isinstance(value, dict):
        return {key: squashed(item) for key, item in value.items() if key != "line"}
    if isinstance(value, list):
        return [squashed(item) for item in value]
    if isinstance(value, str):
        return squash(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


def test_peg_corpus_pairs_every_gift_file_with_its_json(shared_dir):
    folder = shared_dir / "corpora" / "gift-peg"
    gifts = {p.stem for p in folder.glob("*.gift")}
    assert len(gifts) >= 50
    assert gifts == {p.stem for p in folder.glob("*.json")}


@pytest.mark.parametrize("name", corpus_files("gift-peg", "*.gift"))
def test_peg_file_matches_its_expected_parse(shared_dir, name):
    text = read(shared_dir, "gift-peg", name)
    expected, final_tags = peg_expected(json.loads(read(shared_dir, "gift-peg", name.removesuffix(".gift") + ".json")))
    questions, problems = parse_gift_report(text, TYPES)
    assert squashed(questions) == squashed(expected)
    assert problems == []
    # A category at the end of a file tags whatever comes next: probe for it.
    probe, _ = parse_gift_report(text + "\n\nProbe statement.{T}\n", TYPES)
    assert probe[-1]["tags"] == final_tags


@pytest.mark.parametrize("name", corpus_files("gift-peg", "*.gift"))
def test_peg_file_round_trips_through_the_writer(shared_dir, name):
    questions, _problems = parse_gift_report(read(shared_dir, "gift-peg", name), TYPES)
    assert without_lines(parse_gift(write_gift(questions, TYPES), TYPES)) == without_lines(questions)


def test_peg_files_of_essays_read_as_essays(shared_dir):
    for name in ("essay1.gift", "totara_moodle_essay.gift", "newlineAndLaTeX.gift", "tag_two_tags.gift"):
        questions = parse_gift(read(shared_dir, "gift-peg", name), TYPES)
        assert questions and {q["type"] for q in questions} == {"essay"}, name


def test_peg_category_with_colon(shared_dir):
    text = read(shared_dir, "gift-peg", "categorySpecialCharacter.gift") + "\nQ{T}\n"
    assert parse_gift(text, TYPES)[0]["tags"] == ["$course$/top/Default for Unit 1: Topic"]


def test_peg_markdown_line_breaks_follow_moodle(shared_dir):
    # markdown.gift: Moodle trims each line, so a trailing "  " hard break
    # typed on a line is lost, while one written before an escaped \n stays.
    stems = [q["stem"] for q in parse_gift(read(shared_dir, "gift-peg", "markdown.gift"), TYPES)]
    assert stems == [
        "multiline1  \nmarkdown",
        "multiline2\nmarkdown",
        "nested lists\n- item 1\n- nested item 1\n- item 2",
        "nested lists  \n- item 1\n    - nested item 1\n- item 2",
    ]
