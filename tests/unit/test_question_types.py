"""Unit tests for the pure quiz question types in quizzes.types."""

import dataclasses
import json
import random
import time
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from quizzes.types import BUILTIN_TYPES, Grade, QuestionType
from quizzes.types.description import Description
from quizzes.types.matching import Matching, answer_options
from quizzes.types.multiple_response import MultipleResponse
from quizzes.types.numerical import NOT_A_NUMBER, Numerical, parse_number
from quizzes.types.ordering import Ordering
from quizzes.types.short_answer import ShortAnswer, matches
from quizzes.types.single_choice import SingleChoice
from quizzes.types.true_false import TrueFalse

# Every feedback string carries this marker so leaks into learner views show up.
MARK = "zq-feedback-marker"


def fb(note):
    """A feedback string carrying the marker."""
    return f"{MARK} {note}"


SINGLE = {
    "choices": [
        {"text": "Paris", "weight": 100, "feedback": fb("Paris is right")},
        {"text": "Lyon", "weight": 50, "feedback": fb("Lyon is half right")},
        {"text": "Rome", "weight": -50, "feedback": fb("Rome is in Italy")},
        {"text": "Nice", "weight": 0, "feedback": fb("Nice is not the capital")},
    ]
}

MULTIPLE = {
    "choices": [  # Which numbers are prime?
        {"text": "2", "weight": 50, "feedback": fb("2 is prime")},
        {"text": "3", "weight": 50, "feedback": fb("3 is prime")},
        {"text": "4", "weight": -50, "feedback": fb("4 = 2 x 2")},
        {"text": "9", "weight": -50, "feedback": fb("9 = 3 x 3")},
    ]
}

TRUE_FALSE = {"answer": True, "feedback_wrong": fb("it is true"), "feedback_right": fb("well done")}

SHORT = {
    "answers": [
        {"text": "Charles Darwin", "weight": 100, "feedback": fb("exactly")},
        {"text": "*Darwin", "weight": 80, "feedback": fb("which Darwin?")},
        {"text": "Wallace", "weight": 30, "feedback": fb("co-discoverer")},
        {"text": "Lamarck", "weight": -50, "feedback": fb("Lamarck had another theory")},
    ]
}

# Bounds computed as value ± tolerance, with the float error that brings.
NUMERIC = {
    "answers": [
        {
            "min": 3.14 - 0.01,
            "max": 3.14 + 0.01,
            "value": 3.14,
            "tolerance": 0.01,
            "weight": 100,
            "feedback": fb("pi to two places"),
        },
        {"min": 3, "max": 4, "value": None, "tolerance": None, "weight": 50, "feedback": fb("roughly")},
        {"min": -10, "max": 0, "value": None, "tolerance": None, "weight": -50, "feedback": fb("negative")},
    ]
}

EXACT = {
    "answers": [
        {"min": 42, "max": 42, "value": 42, "tolerance": 0, "weight": 100, "feedback": fb("the answer")},
    ]
}

MATCHING = {
    "pairs": [
        {"prompt": "Cat", "answer": "Meow"},
        {"prompt": "Dog", "answer": "Woof"},
        {"prompt": "Cow", "answer": "Moo"},
        {"prompt": "", "answer": "Quack"},
    ]
}

ORDERING = {"items": ["Egg", "Caterpillar", "Pupa", "Butterfly"]}

GRADED = [
    (SingleChoice(), SINGLE),
    (MultipleResponse(), MULTIPLE),
    (TrueFalse(), TRUE_FALSE),
    (ShortAnswer(), SHORT),
    (Numerical(), NUMERIC),
    (Matching(), MATCHING),
    (Ordering(), ORDERING),
]
ALL = GRADED + [(Description(), {})]


def type_id(case):
    """Test ids by type name."""
    return case[0].name


def layout_for(qtype, config, seed=7, shuffle=True):
    """A layout from a seeded rng."""
    return qtype.layout(config, random.Random(seed), shuffle)


def bind(field, formdata=None):
    """Bind an unbound answer field into a throwaway form as `answer`."""
    form_class = type("AnswerForm", (Form,), {"answer": field})
    return form_class(formdata)


def submit(qtype, config, layout, pairs):
    """Post form data through the answer field and return the response dict."""
    form = bind(qtype.answer_field(config, layout, "Question 1"), MultiDict(pairs))
    assert form.validate(), form.errors
    return qtype.response_from_data(config, layout, form.answer.data)


class Controls(HTMLParser):
    """Collects form controls, label targets and option values from HTML."""

    def __init__(self, html):
        super().__init__()
        self.controls, self.label_for, self.values = [], set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs)
        if tag == "label":
            self.label_for.add(attrs.get("for"))
        if tag == "option" or (tag == "input" and attrs.get("type") in ("radio", "checkbox")):
            self.values.append(attrs.get("value"))


def rendered(qtype, config, layout, label="Question 1"):
    """Render an answer field; check every control is labelled; return the parsed HTML."""
    form = bind(qtype.answer_field(config, layout, label))
    assert label in str(form.answer.label)
    # The field's own label targets a lone text input; groups label each control.
    html = f"{form.answer.label}{form.answer()}"
    parsed = Controls(html)
    assert parsed.controls
    for control in parsed.controls:
        assert control.get("id") in parsed.label_for, f"unlabelled control in {html}"
    return parsed


# ---------------------------------------------------------------- registry and Grade


def test_builtin_types_are_distinct_classes():
    assert isinstance(BUILTIN_TYPES, tuple)
    assert all(isinstance(t, type) and issubclass(t, QuestionType) for t in BUILTIN_TYPES)
    names = [t.name for t in BUILTIN_TYPES]
    assert sorted(names) == sorted(
        [
            "single_choice",
            "multiple_response",
            "true_false",
            "short_answer",
            "numerical",
            "matching",
            "ordering",
            "essay",
            "description",
            "typing",
            "data_entry",
            "conversation",
        ]
    )
    assert all(t.label for t in BUILTIN_TYPES)
    assert [t.name for t in BUILTIN_TYPES if not t.graded] == ["description"]
    stepped = ["typing", "data_entry", "conversation"]
    assert [t.name for t in BUILTIN_TYPES if t.gift_order is None] == ["ordering", *stepped]
    assert [t.name for t in BUILTIN_TYPES if t.stepped] == stepped


def test_gift_order_follows_moodles_importer():
    # Moodle decides by the block's shape: '#' numerical, any '~' choices, '=' with '->' matching,
    # T/F true/false, anything else short answer; a description has no block, so its place is free.
    order = {t.name: t.gift_order for t in BUILTIN_TYPES if t.gift_order is not None}
    assert order["numerical"] < order["single_choice"] <= order["multiple_response"] < order["matching"]
    assert order["matching"] < order["true_false"] < order["short_answer"] == max(order.values())


def test_a_type_without_a_gift_form_says_so_in_one_place():
    assert QuestionType.gift_order is None
    with pytest.raises(NotImplementedError):
        Ordering().from_gift(None)
    with pytest.raises(NotImplementedError):
        Ordering().to_gift({"items": ["a", "b"]}, "moodle")


def test_grade_clamps_and_filters_feedback():
    assert Grade.from_score(1.7).score == 1.0
    assert Grade.from_score(1.7).correct
    assert Grade.from_score(-0.5).score == 0.0
    assert Grade.from_score(0.9999999999).correct  # float sums such as 33.33 + 33.33 + 33.34
    grade = Grade(score=0.5, correct=False, parts=[1, 0], feedback=["", "  ", None, "kept"])
    assert grade.parts == [True, False]
    assert grade.feedback == ["kept"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        grade.score = 1.0


# ---------------------------------------------------------------- single choice


@pytest.mark.parametrize(
    "choice, score, parts, feedback",
    [
        (0, 1.0, [True], [fb("Paris is right")]),
        (1, 0.5, [False], [fb("Lyon is half right")]),
        (2, 0.0, [False], [fb("Rome is in Italy")]),  # -50% is clamped to 0
        (3, 0.0, [False], [fb("Nice is not the capital")]),
    ],
)
def test_single_choice_grades_by_weight(choice, score, parts, feedback):
    grade = SingleChoice().grade(SINGLE, {"choice": choice})
    assert (grade.score, grade.parts, grade.feedback) == (score, parts, feedback)
    assert grade.correct is (score == 1.0)


def test_single_choice_empty_feedback_is_dropped():
    config = {"choices": [{"text": "A", "weight": 100, "feedback": ""}, {"text": "B", "weight": 0, "feedback": ""}]}
    assert SingleChoice().grade(config, {"choice": 0}).feedback == []


@pytest.mark.parametrize(
    "response",
    [
        {"choice": None},
        {},
        {"choice": 4},
        {"choice": -1},
        {"choice": "abc"},
        {"choice": True},
        {"choice": [0]},
        {"choice": 1.0},
        None,
        "0",
        [0],
    ],
)
def test_single_choice_unanswered_or_garbage_scores_zero(response):
    assert SingleChoice().grade(SINGLE, response) == Grade(0.0, False, [], [])


def test_single_choice_validate():
    qtype = SingleChoice()
    assert qtype.validate(SINGLE) == []
    assert any("two choices" in p for p in qtype.validate({"choices": SINGLE["choices"][:1]}))
    assert any("two choices" in p for p in qtype.validate({}))
    no_correct = {"choices": [dict(c, weight=50) for c in SINGLE["choices"]]}
    assert any("weight of 100" in p for p in qtype.validate(no_correct))
    broken = {
        "choices": [
            {"text": "Paris", "weight": 100, "feedback": ""},
            {"text": " ", "weight": 0, "feedback": ""},
            {"text": "paris", "weight": 0, "feedback": ""},
            {"text": "Lyon", "weight": 150, "feedback": ""},
            {"text": "Nice", "weight": "ten", "feedback": 3},
        ]
    }
    problems = qtype.validate(broken)
    assert "Choice 2 needs some text." in problems
    assert "Choice 3 repeats choice 1." in problems
    assert "Choice 4 needs a weight between -100 and 100." in problems
    assert "Choice 5 needs a weight between -100 and 100." in problems
    assert "Choice 5 feedback must be text." in problems


def test_single_choice_layout_and_field():
    qtype = SingleChoice()
    layout = layout_for(qtype, SINGLE)
    assert layout == layout_for(qtype, SINGLE)  # same seed, same order
    assert sorted(layout["order"]) == [0, 1, 2, 3]
    assert layout != {"order": [0, 1, 2, 3]}
    assert qtype.layout(SINGLE, random.Random(7), False) == {"order": [0, 1, 2, 3]}
    view = qtype.public_view(SINGLE, layout)
    assert [c["id"] for c in view["choices"]] == layout["order"]
    texts = [SINGLE["choices"][i]["text"] for i in layout["order"]]
    assert [c["text"] for c in view["choices"]] == texts
    parsed = rendered(qtype, SINGLE, layout)
    assert [c["type"] for c in parsed.controls] == ["radio"] * 4
    # Values are display positions: the page says nothing about which option is right.
    assert parsed.values == ["0", "1", "2", "3"]


def test_single_choice_round_trip():
    qtype, layout = SingleChoice(), layout_for(SingleChoice(), SINGLE)
    shown_at = layout["order"].index(0)  # where the right choice is displayed
    response = submit(qtype, SINGLE, layout, [("answer", str(shown_at))])
    assert response == {"choice": 0}
    assert qtype.grade(SINGLE, response).correct
    assert submit(qtype, SINGLE, layout, []) == {"choice": None}
    assert qtype.response_from_data(SINGLE, layout, "99") == {"choice": None}


def test_single_choice_key_and_description():
    qtype = SingleChoice()
    assert qtype.correct_response(SINGLE) == {"choice": 0}
    assert qtype.describe_response(SINGLE, {"choice": 1}) == "Lyon"
    assert qtype.describe_response(SINGLE, {"choice": None}) == "No answer"


# ---------------------------------------------------------------- multiple response


@pytest.mark.parametrize(
    "choices, score, parts",
    [
        ([0, 1], 1.0, [True, True]),
        ([1], 0.5, [True]),
        ([0, 2], 0.0, [True, False]),
        ([0, 1, 2], 0.5, [True, True, False]),
        ([0, 1, 2, 3], 0.0, [True, True, False, False]),  # ticking everything earns nothing
        ([2, 3], 0.0, [False, False]),  # -100% is clamped to 0
    ],
)
def test_multiple_response_sums_weights(choices, score, parts):
    grade = MultipleResponse().grade(MULTIPLE, {"choices": choices})
    assert (grade.score, grade.parts) == (score, parts)
    assert grade.correct is (score == 1.0)
    assert grade.feedback == [MULTIPLE["choices"][i]["feedback"] for i in choices]


def test_multiple_response_counts_a_repeated_choice_once():
    assert MultipleResponse().grade(MULTIPLE, {"choices": [0, 0, "0"]}).score == 0.5


@pytest.mark.parametrize(
    "response",
    [
        {"choices": []},
        {},
        {"choices": None},
        {"choices": "0,1"},
        {"choices": [9, -1, "x", None, True]},
        {"choices": {"0": True}},
        None,
        [0, 1],
    ],
)
def test_multiple_response_unanswered_or_garbage_scores_zero(response):
    assert MultipleResponse().grade(MULTIPLE, response) == Grade(0.0, False, [], [])


def test_multiple_response_validate():
    qtype = MultipleResponse()
    assert qtype.validate(MULTIPLE) == []
    thirds = {
        "choices": [
            {"text": t, "weight": w, "feedback": ""} for t, w in [("a", 33.33), ("b", 33.33), ("c", 33.34), ("d", -100)]
        ]
    }
    assert qtype.validate(thirds) == []
    # Like Moodle, positive weights that do not add up to 100 are accepted (the form asks for 100).
    short = {"choices": [dict(c) for c in MULTIPLE["choices"]]}
    short["choices"][1]["weight"] = 40
    assert qtype.validate(short) == []
    assert qtype.grade(short, {"choices": [0, 1]}).score == pytest.approx(0.9)
    over = {"choices": [dict(c, weight=100) for c in MULTIPLE["choices"][:2]]}
    assert qtype.validate(over) == []
    assert qtype.grade(over, {"choices": [0, 1]}).score == 1.0
    none_right = {"choices": [dict(c, weight=-50) for c in MULTIPLE["choices"]]}
    assert any("positive weight" in p for p in qtype.validate(none_right))
    assert any("two choices" in p for p in qtype.validate({"choices": MULTIPLE["choices"][:1]}))


def test_multiple_response_layout_and_field():
    qtype = MultipleResponse()
    layout = layout_for(qtype, MULTIPLE, seed=3)
    assert layout == layout_for(qtype, MULTIPLE, seed=3)
    assert sorted(layout["order"]) == [0, 1, 2, 3]
    parsed = rendered(qtype, MULTIPLE, layout)
    assert [c["type"] for c in parsed.controls] == ["checkbox"] * 4
    assert parsed.values == ["0", "1", "2", "3"]


def test_multiple_response_round_trip():
    qtype, layout = MultipleResponse(), layout_for(MultipleResponse(), MULTIPLE)
    positions = [str(layout["order"].index(i)) for i in (1, 0)]
    response = submit(qtype, MULTIPLE, layout, [("answer", positions[0]), ("answer", positions[1])])
    assert response == {"choices": [0, 1]}
    assert qtype.grade(MULTIPLE, response).correct
    assert submit(qtype, MULTIPLE, layout, []) == {"choices": []}


def test_multiple_response_key_and_description():
    qtype = MultipleResponse()
    assert qtype.correct_response(MULTIPLE) == {"choices": [0, 1]}
    assert qtype.describe_response(MULTIPLE, {"choices": [2, 0]}) == "2; 4"
    assert qtype.describe_response(MULTIPLE, {"choices": []}) == "No answer"


# ---------------------------------------------------------------- true/false


def test_true_false_right_and_wrong():
    qtype = TrueFalse()
    right = qtype.grade(TRUE_FALSE, {"answer": True})
    assert right == Grade(1.0, True, [True], [fb("well done")])
    wrong = qtype.grade(TRUE_FALSE, {"answer": False})
    # No partial or negative marks exist for true/false: wrong is exactly 0.
    assert wrong == Grade(0.0, False, [False], [fb("it is true")])
    flipped = dict(TRUE_FALSE, answer=False)
    assert qtype.grade(flipped, {"answer": False}).correct


@pytest.mark.parametrize(
    "response",
    [
        {"answer": None},
        {},
        {"answer": "true"},
        {"answer": 1},
        None,
        True,
    ],
)
def test_true_false_unanswered_or_garbage_scores_zero(response):
    assert TrueFalse().grade(TRUE_FALSE, response) == Grade(0.0, False, [], [])


def test_true_false_validate():
    qtype = TrueFalse()
    assert qtype.validate(TRUE_FALSE) == []
    assert qtype.validate({"answer": False}) == []  # feedback may be left out
    assert any("true or false" in p for p in qtype.validate({"answer": "yes"}))
    bad_feedback = dict(TRUE_FALSE, feedback_right=None)
    assert any("feedback must be text" in p for p in qtype.validate(bad_feedback))


def test_true_false_field_round_trip():
    qtype = TrueFalse()
    layout = layout_for(qtype, TRUE_FALSE)
    parsed = rendered(qtype, TRUE_FALSE, layout)
    assert [c["type"] for c in parsed.controls] == ["radio", "radio"]
    response = submit(qtype, TRUE_FALSE, layout, [("answer", "true")])
    assert response == {"answer": True}
    assert qtype.grade(TRUE_FALSE, response).correct
    assert submit(qtype, TRUE_FALSE, layout, [("answer", "false")]) == {"answer": False}
    assert submit(qtype, TRUE_FALSE, layout, []) == {"answer": None}
    assert qtype.correct_response(TRUE_FALSE) == {"answer": True}
    assert qtype.describe_response(TRUE_FALSE, {"answer": False}) == "False"
    assert qtype.describe_response(TRUE_FALSE, {}) == "No answer"


# ---------------------------------------------------------------- short answer


@pytest.mark.parametrize(
    "text, score, feedback",
    [
        ("Charles Darwin", 1.0, "exactly"),
        ("  charles \t  DARWIN ", 1.0, "exactly"),  # case and whitespace runs ignored
        ("C. Darwin", 0.8, "which Darwin?"),
        ("darwin", 0.8, "which Darwin?"),  # * matches an empty run too
        ("Erasmus  Darwin", 0.8, "which Darwin?"),
        ("wallace", 0.3, "co-discoverer"),
        ("Lamarck", 0.0, "Lamarck had another theory"),  # negative weight is clamped
    ],
)
def test_short_answer_best_matching_weight_wins(text, score, feedback):
    grade = ShortAnswer().grade(SHORT, {"text": text})
    assert grade.score == score
    assert grade.correct is (score == 1.0)
    assert grade.feedback == [fb(feedback)]
    assert grade.parts == []


@pytest.mark.parametrize(
    "response",
    [
        {"text": "Darwinism"},
        {"text": "Charles Darwin Jr"},
        {"text": ""},
        {"text": "   "},
        {},
        {"text": None},
        {"text": 42},
        None,
        "Charles Darwin",
    ],
)
def test_short_answer_wrong_unanswered_or_garbage_scores_zero(response):
    assert ShortAnswer().grade(SHORT, response) == Grade(0.0, False, [], [])


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        ("a*c", "abc", True),
        ("a*c", "ac", True),
        ("a*c", "a long c", True),
        ("a*c", "abd", False),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # prefix and suffix may not overlap
        ("*", "anything at all", True),
        ("New  York", "new york", True),
        ("New York", "newyork", False),
        ("a.c", "abc", False),  # only * is special
    ],
)
def test_wildcard_matching(pattern, text, expected):
    assert matches(pattern, text) is expected


def test_wildcard_matching_is_fast_on_long_responses():
    started = time.perf_counter()
    assert not matches("*a*a*a*a*a*b", "a" * 200_000)
    assert time.perf_counter() - started < 1.0


def test_short_answer_validate():
    qtype = ShortAnswer()
    assert qtype.validate(SHORT) == []
    assert qtype.validate({"answers": []}) == ["Add at least one accepted answer."]
    assert qtype.validate({}) == ["Add at least one accepted answer."]
    partial_only = {"answers": [{"text": "Darwin", "weight": 50, "feedback": ""}]}
    assert any("weight of 100" in p for p in qtype.validate(partial_only))
    blank = {"answers": [{"text": "  ", "weight": 100, "feedback": ""}]}
    assert "Answer 1 needs some text." in qtype.validate(blank)


def test_short_answer_field_round_trip():
    qtype = ShortAnswer()
    layout = layout_for(qtype, SHORT)
    assert qtype.public_view(SHORT, layout) == {}
    parsed = rendered(qtype, SHORT, layout)
    assert [c["type"] for c in parsed.controls] == ["text"]
    response = submit(qtype, SHORT, layout, [("answer", " charles darwin ")])
    assert response == {"text": " charles darwin "}
    assert qtype.grade(SHORT, response).correct
    assert submit(qtype, SHORT, layout, []) == {"text": ""}
    assert qtype.correct_response(SHORT) == {"text": "Charles Darwin"}
    assert qtype.describe_response(SHORT, response) == "charles darwin"
    assert qtype.describe_response(SHORT, {"text": ""}) == "No answer"


# ---------------------------------------------------------------- numerical


@pytest.mark.parametrize(
    "text, score, feedback",
    [
        ("3.14", 1.0, [fb("pi to two places")]),
        ("3.13", 1.0, [fb("pi to two places")]),  # edge of the tolerance, despite float error
        (" 3.15 ", 1.0, [fb("pi to two places")]),
        ("3.16", 0.5, [fb("roughly")]),
        ("4", 0.5, [fb("roughly")]),
        ("-2", 0.0, [fb("negative")]),  # negative weight is clamped
        ("1e3", 0.0, []),
        ("+3.5", 0.5, [fb("roughly")]),
    ],
)
def test_numerical_tolerance_and_ranges(text, score, feedback):
    grade = Numerical().grade(NUMERIC, {"text": text})
    assert (grade.score, grade.feedback, grade.parts) == (score, feedback, [])
    assert grade.correct is (score == 1.0)


@pytest.mark.parametrize(
    "text, correct",
    [
        ("42", True),
        ("42.0", True),
        ("4.2e1", True),
        ("42.0001", False),
        ("41.9999", False),
    ],
)
def test_numerical_exact_value(text, correct):
    assert Numerical().grade(EXACT, {"text": text}).correct is correct


@pytest.mark.parametrize(
    "text",
    [
        "1,5",
        "abc",
        "3.14abc",
        "nan",
        "inf",
        "1_000",
        "²",  # a superscript is no digit one types a number with
        "1e999",
        "--1",
        ".",
    ],
)
def test_numerical_non_numbers_get_a_hint(text):
    assert Numerical().grade(NUMERIC, {"text": text}) == Grade(0.0, False, [], [NOT_A_NUMBER])


@pytest.mark.parametrize("response", [{"text": ""}, {"text": "  "}, {}, {"text": 3.14}, None, "3.14"])
def test_numerical_unanswered_or_garbage_scores_zero(response):
    assert Numerical().grade(NUMERIC, response) == Grade(0.0, False, [], [])


@pytest.mark.parametrize(
    "text, value",
    [
        ("1.5", 1.5),
        (" 1.5 ", 1.5),
        ("-2", -2.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1,5", None),
        ("", None),
        ("1.5.2", None),
        ("0x10", None),
        ("Infinity", None),
        ("١٨٢٢", 1822.0),  # Arabic-Indic digits, as an Arabic keyboard types 1822
        ("۳٫۵", 3.5),  # Persian digits with the Arabic decimal separator
        ("٣", 3.0),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_numerical_validate():
    qtype = Numerical()
    assert qtype.validate(NUMERIC) == []
    assert qtype.validate(EXACT) == []
    assert qtype.validate({"answers": []}) == ["Add at least one accepted answer."]
    reversed_range = {"answers": [dict(EXACT["answers"][0], min=5, max=1, value=None, tolerance=None)]}
    assert "Answer 1 has its lowest number above its highest." in qtype.validate(reversed_range)
    missing = {"answers": [{"min": None, "max": "4", "weight": 100, "feedback": ""}]}
    assert "Answer 1 needs a lowest and a highest accepted number." in qtype.validate(missing)
    negative = {"answers": [dict(EXACT["answers"][0], tolerance=-1)]}
    assert "Answer 1 needs a tolerance of zero or more." in qtype.validate(negative)
    partial_only = {"answers": [dict(EXACT["answers"][0], weight=50)]}
    assert any("weight of 100" in p for p in qtype.validate(partial_only))


def test_numerical_field_round_trip_and_key():
    qtype = Numerical()
    layout = layout_for(qtype, NUMERIC)
    assert qtype.public_view(NUMERIC, layout) == {}
    parsed = rendered(qtype, NUMERIC, layout)
    assert [c["type"] for c in parsed.controls] == ["text"]
    response = submit(qtype, NUMERIC, layout, [("answer", "3.14")])
    assert response == {"text": "3.14"}
    assert qtype.grade(NUMERIC, response).correct
    assert qtype.correct_response(NUMERIC) == {"text": "3.14"}
    assert qtype.correct_response(EXACT) == {"text": "42"}
    ranged = {
        "answers": [
            {"min": 1, "max": 2, "value": None, "tolerance": None, "weight": 100, "feedback": ""},
        ]
    }
    assert qtype.correct_response(ranged) == {"text": "1.5"}
    assert qtype.describe_response(NUMERIC, {"text": " 3.14 "}) == "3.14"


# ---------------------------------------------------------------- matching


def test_matching_grades_fraction_of_prompts():
    qtype = Matching()
    right = {"matches": {"0": "Meow", "1": "Woof", "2": "Moo"}}
    assert qtype.grade(MATCHING, right) == Grade(1.0, True, [True, True, True], [])
    partial = {"matches": {"0": "Meow", "1": "Moo", "2": "Woof"}}
    assert qtype.grade(MATCHING, partial).score == pytest.approx(1 / 3)
    assert qtype.grade(MATCHING, partial).parts == [True, False, False]
    distractor = {"matches": {"0": "Quack", "1": "Woof", "2": "Moo"}}
    assert qtype.grade(MATCHING, distractor).score == pytest.approx(2 / 3)
    # Matching has no negative marks: all wrong is exactly 0.
    wrong = {"matches": {"0": "Woof", "1": "Quack", "2": "Meow"}}
    assert qtype.grade(MATCHING, wrong) == Grade(0.0, False, [False, False, False], [])


@pytest.mark.parametrize(
    "response",
    [
        {"matches": {"0": None, "1": None, "2": None}},
        {"matches": {}},
        {},
        None,
        {"matches": ["Meow", "Woof", "Moo"]},
        {"matches": {"0": 5, "1": ["Woof"], "3": "Quack"}},
    ],
)
def test_matching_unanswered_or_garbage_scores_zero(response):
    grade = Matching().grade(MATCHING, response)
    assert (grade.score, grade.correct, grade.parts) == (0.0, False, [False, False, False])


def test_matching_shared_answers_are_offered_once():
    config = {
        "pairs": [
            {"prompt": "Cat", "answer": "Mammal"},
            {"prompt": "Dog", "answer": "Mammal"},
            {"prompt": "Trout", "answer": "Fish"},
        ]
    }
    assert answer_options(config) == ["Fish", "Mammal"]
    assert Matching().grade(config, {"matches": {"0": "Mammal", "1": "Mammal", "2": "Fish"}}).correct


def test_matching_validate():
    qtype = Matching()
    assert qtype.validate(MATCHING) == []
    one_real = {"pairs": [{"prompt": "Cat", "answer": "Meow"}, {"prompt": "", "answer": "Quack"}]}
    assert "Add at least two pairs that have both a prompt and an answer." in qtype.validate(one_real)
    assert "Add at least two pairs that have both a prompt and an answer." in qtype.validate({})
    no_answer = {"pairs": MATCHING["pairs"] + [{"prompt": "Pig", "answer": " "}]}
    assert "Pair 5 needs an answer." in qtype.validate(no_answer)
    repeated = {"pairs": MATCHING["pairs"] + [{"prompt": "cat", "answer": "Purr"}]}
    assert "Pair 5 repeats the prompt of pair 1." in qtype.validate(repeated)


def test_matching_layout():
    qtype = Matching()
    layout = layout_for(qtype, MATCHING, seed=11)
    assert layout == layout_for(qtype, MATCHING, seed=11)
    assert sorted(layout["order"]) == [0, 1, 2]  # the distractor has no prompt
    assert sorted(layout["answer_order"]) == [0, 1, 2, 3]
    fixed = qtype.layout(MATCHING, random.Random(11), False)
    assert fixed["order"] == [0, 1, 2]
    view = qtype.public_view(MATCHING, layout)
    assert [p["id"] for p in view["prompts"]] == layout["order"]
    options = answer_options(MATCHING)
    assert [a["text"] for a in view["answers"]] == [options[k] for k in layout["answer_order"]]


def test_matching_field_round_trip():
    qtype = Matching()
    layout = layout_for(qtype, MATCHING, seed=11)
    parsed = rendered(qtype, MATCHING, layout)
    assert [c.get("name") for c in parsed.controls] == [f"answer-p{i}" for i in layout["order"]]
    option_ids = [str(k) for k in layout["answer_order"]]
    assert parsed.values == (["", *option_ids]) * 3
    options = answer_options(MATCHING)
    pairs = [(f"answer-p{i}", str(options.index(MATCHING["pairs"][i]["answer"]))) for i in range(3)]
    response = submit(qtype, MATCHING, layout, pairs)
    assert response == {"matches": {"0": "Meow", "1": "Woof", "2": "Moo"}}
    assert qtype.grade(MATCHING, response).correct
    unanswered = submit(qtype, MATCHING, layout, [("answer-p0", "")])
    assert unanswered == {"matches": {"0": None, "1": None, "2": None}}


def test_matching_option_values_do_not_follow_pair_order():
    # Option ids come from the sorted answers, so prompt 0's answer is not option 0.
    assert answer_options(MATCHING) == ["Meow", "Moo", "Quack", "Woof"]


def test_matching_key_and_description():
    qtype = Matching()
    key = qtype.correct_response(MATCHING)
    assert key == {"matches": {"0": "Meow", "1": "Woof", "2": "Moo"}}
    described = qtype.describe_response(MATCHING, {"matches": {"0": "Meow", "1": None}})
    assert described == "Cat: Meow; Dog: No answer; Cow: No answer"


# ---------------------------------------------------------------- ordering


@pytest.mark.parametrize(
    "order, score, parts",
    [
        ([0, 1, 2, 3], 1.0, [True, True, True, True]),
        ([0, 1, 3, 2], 0.5, [True, True, False, False]),
        ([3, 2, 1, 0], 0.0, [False, False, False, False]),
        ([0, 0, 2, 3], 0.5, [False, False, True, True]),  # a repeated item is wrong everywhere
        ([0, None, 2, None], 0.5, [True, False, True, False]),  # empty positions
        ([0, 1], 0.5, [True, True, False, False]),  # missing positions
    ],
)
def test_ordering_grades_fraction_in_place(order, score, parts):
    grade = Ordering().grade(ORDERING, {"order": order})
    assert (grade.score, grade.parts, grade.feedback) == (score, parts, [])
    assert grade.correct is (score == 1.0)


@pytest.mark.parametrize(
    "response",
    [
        {"order": []},
        {},
        None,
        {"order": "0123"},
        {"order": [True, -1, 99, "x"]},
        {"order": {"0": 0}},
    ],
)
def test_ordering_unanswered_or_garbage_scores_zero(response):
    grade = Ordering().grade(ORDERING, response)
    assert (grade.score, grade.correct) == (0.0, False)


def test_ordering_validate():
    qtype = Ordering()
    assert qtype.validate(ORDERING) == []
    assert "Add at least two items to put in order." in qtype.validate({"items": ["Egg"]})
    assert "Add at least two items to put in order." in qtype.validate({})
    problems = qtype.validate({"items": ["Egg", "", "egg", 7]})
    assert "Item 2 needs some text." in problems
    assert "Item 3 repeats item 1." in problems
    assert "Item 4 needs some text." in problems


def test_ordering_layout_is_never_already_correct():
    qtype = Ordering()
    layout = layout_for(qtype, ORDERING)
    assert layout == layout_for(qtype, ORDERING)
    assert sorted(layout["order"]) == [0, 1, 2, 3]
    two = {"items": ["First", "Second"]}
    starts = {tuple(qtype.layout(two, random.Random(seed), True)["order"]) for seed in range(40)}
    assert starts == {(1, 0)}
    # The starting order is shuffled even when the quiz does not shuffle options.
    assert qtype.layout(two, random.Random(0), False) == {"order": [1, 0]}
    assert qtype.layout({"items": ["Only"]}, random.Random(0), True) == {"order": [0]}


def test_ordering_public_view_hides_positions():
    qtype = Ordering()
    layout = {"order": [2, 0, 3, 1]}
    assert qtype.public_view(ORDERING, layout) == {
        "items": [{"text": "Pupa"}, {"text": "Egg"}, {"text": "Butterfly"}, {"text": "Caterpillar"}]
    }


def test_ordering_field_round_trip():
    qtype = Ordering()
    layout = {"order": [2, 0, 3, 1]}
    form = bind(qtype.answer_field(ORDERING, layout, "Question 1"))
    labels = [str(sub.label) for sub in form.answer]
    assert ["Position of Pupa" in lab for lab in labels] == [True, False, False, False]
    parsed = rendered(qtype, ORDERING, layout)
    assert [c.get("name") for c in parsed.controls] == [f"answer-item{s}" for s in range(4)]
    assert all(c.get("name") != "answer-i2" for c in parsed.controls)
    assert parsed.values == ["", "0", "1", "2", "3"] * 4
    # Slot s shows item layout[s]; its right position is that item's index.
    right = [(f"answer-item{s}", str(item)) for s, item in enumerate(layout["order"])]
    response = submit(qtype, ORDERING, layout, right)
    assert response == {"order": [0, 1, 2, 3]}
    assert qtype.grade(ORDERING, response).correct
    clash = [("answer-item0", "2"), ("answer-item1", "2"), ("answer-item2", "3")]
    response = submit(qtype, ORDERING, layout, clash)
    assert response == {"order": [None, None, None, 3]}
    assert qtype.grade(ORDERING, response).parts == [False, False, False, True]
    assert submit(qtype, ORDERING, layout, []) == {"order": [None, None, None, None]}


def test_ordering_key_and_description():
    qtype = Ordering()
    assert qtype.correct_response(ORDERING) == {"order": [0, 1, 2, 3]}
    described = qtype.describe_response(ORDERING, {"order": [1, 0, None, 3]})
    assert described == "1. Caterpillar; 2. Egg; 3. No answer; 4. Butterfly"
    assert qtype.describe_response(ORDERING, {"order": []}) == "No answer"


# ---------------------------------------------------------------- description


def test_description_is_ungraded_text():
    qtype = Description()
    assert not qtype.graded
    assert qtype.validate({}) == []
    assert qtype.layout({}, random.Random(0), True) == {}
    assert qtype.public_view({}, {}) == {}
    assert qtype.answer_field({}, {}, "Intro") is None
    assert bind(qtype.answer_field({}, {}, "Intro"))._fields == {}
    assert qtype.response_from_data({}, {}, None) == {}
    assert qtype.grade({}, {}) == Grade(0.0, True, [], [])
    assert qtype.correct_response({}) == {}
    assert qtype.describe_response({}, {}) == ""


# ---------------------------------------------------------------- every type


@pytest.mark.parametrize("case", ALL, ids=type_id)
def test_public_view_reveals_no_key(case):
    qtype, config = case
    layout = layout_for(qtype, config)
    text = json.dumps(qtype.public_view(config, layout))
    assert MARK not in text
    assert "weight" not in text
    assert "feedback" not in text
    assert "correct" not in text
    json.dumps(layout)  # layouts are stored as JSON


@pytest.mark.parametrize("case", GRADED, ids=type_id)
def test_correct_response_earns_full_marks(case):
    qtype, config = case
    key = qtype.correct_response(config)
    assert qtype.grade(config, json.loads(json.dumps(key))).correct
    assert qtype.describe_response(config, key) != "No answer"


@pytest.mark.parametrize("case", GRADED, ids=type_id)
@pytest.mark.parametrize(
    "response",
    [
        None,
        {},
        [],
        "x",
        42,
        {"choice": {}, "choices": 1, "text": [], "matches": 2, "order": None},
    ],
)
def test_garbage_never_raises_or_scores(case, response):
    qtype, config = case
    grade = qtype.grade(config, response)
    assert (grade.score, grade.correct) == (0.0, False)
    assert isinstance(qtype.describe_response(config, response), str)


@pytest.mark.parametrize("case", GRADED, ids=type_id)
def test_empty_submission_validates_as_unanswered(case):
    qtype, config = case
    layout = layout_for(qtype, config)
    response = submit(qtype, config, layout, [])
    assert qtype.grade(config, response).score == 0.0


@pytest.mark.parametrize("case", GRADED, ids=type_id)
def test_malformed_config_grades_zero_without_raising(case):
    qtype, config = case
    assert qtype.validate({}) != []
    assert qtype.grade({}, qtype.correct_response(config)).score == 0.0


@pytest.mark.parametrize(
    "qtype, config, response",
    [
        (SingleChoice(), SINGLE, {"choice": 2}),
        (MultipleResponse(), MULTIPLE, {"choices": [0, 3]}),
        (TrueFalse(), {"answer": True, "feedback_wrong": "", "feedback_right": ""}, {"answer": False}),
        (ShortAnswer(), {"answers": [{"text": "Paris", "weight": 100, "feedback": ""}]}, {"text": "  paris "}),
        (
            Numerical(),
            {"answers": [{"min": 1, "max": 3, "value": 2, "tolerance": 1, "weight": 100, "feedback": ""}]},
            {"text": "2.5"},
        ),
        (
            Matching(),
            MATCHING,
            {"matches": {"0": MATCHING["pairs"][1]["answer"], "1": None, "2": MATCHING["pairs"][0]["answer"]}},
        ),
        (Ordering(), ORDERING, {"order": [1, 0, 2, 3]}),
    ],
)
def test_field_data_restores_a_saved_response(qtype, config, response):
    """A saved answer shown again in the form gives back the same response (resuming loses nothing)."""
    layout = layout_for(qtype, config, seed=11)
    form_class = type("AnswerForm", (Form,), {"answer": qtype.answer_field(config, layout, "Question 1")})
    form = form_class(data={"answer": qtype.field_data(config, layout, response)})
    assert qtype.response_from_data(config, layout, form.answer.data) == response
