"""The conversation's grader on a small script worked out by hand: two paths and their rubric scores, what the
learner sees at each step, replies picked by their shuffled position, and the checks on a script."""

import json
import random

import pytest

from quizzes.types.conversation import Conversation
from quizzes.types.timing import StepRefused

talk = Conversation()
# Rubric out of 5: empathy 2, verify 2, close 1.
SCRIPT = {
    "channel": "call",
    "rubric": [
        {"key": "empathy", "label": "Empathy", "max": 2},
        {"key": "verify", "label": "Verifies identity", "max": 2},
        {"key": "close", "label": "Closes well", "max": 1},
    ],
    "start": "hello",
    "steps": {
        "hello": {
            "customer": "You charged me twice!",
            "replies": [
                {
                    "text": "Sorry about that. Can I check your account number first?",
                    "scores": {"empathy": 2, "verify": 2},
                    "note": "NOTE-good-open",
                    "next": "fix",
                },
                {
                    "text": "Let me read your last bill to you.",
                    "scores": {"verify": -2},
                    "note": "NOTE-bad-open",
                    "next": "fix",
                },
                {"text": "Please hold.", "scores": {"empathy": -1}, "next": "hung-up"},
            ],
        },
        "fix": {
            "customer": "So will I get it back?",
            "replies": [
                {"text": "Yes, refunded today. Anything else?", "scores": {"close": 1, "empathy": 1}, "next": "done"},
                {"text": "Probably.", "scores": {"empathy": -1}, "next": "done"},
            ],
        },
        "done": {"customer": "Thanks, bye."},
        "hung-up": {"customer": "(The customer hangs up.)"},
    },
}


def test_two_paths_score_what_their_replies_earned_on_the_rubric():
    # Best path: empathy 2 + 1 = 3, capped at 2; verify 2; close 1: 5 of 5.
    best = talk.grade(SCRIPT, {"path": [["hello", 0], ["fix", 0]]})
    assert best.score == 1 and best.correct
    assert best.feedback == ["Empathy 2 of 2; Verifies identity 2 of 2; Closes well 1 of 1."]
    # Reading the bill first: verify -2 counts as none, empathy -1 as none, close 0: 0 of 5... then the refund
    # earns empathy 1 and close 1: 2 of 5.
    rushed = talk.grade(SCRIPT, {"path": [["hello", 1], ["fix", 0]]})
    assert rushed.score == pytest.approx(2 / 5) and not rushed.correct
    assert rushed.feedback == ["Empathy 1 of 2; Verifies identity 0 of 2; Closes well 1 of 1."]


def test_a_conversation_left_before_its_end_keeps_its_points_but_is_not_right():
    halfway = talk.grade(SCRIPT, {"path": [["hello", 0]]})
    assert halfway.score == pytest.approx(4 / 5) and not halfway.correct
    assert "The conversation did not reach its end." in halfway.feedback
    assert talk.grade(SCRIPT, {}).score == 0


def test_a_path_the_script_does_not_allow_is_followed_only_as_far_as_it_is_allowed():
    forged = {"path": [["hello", 0], ["done", 0], ["fix", 7]]}
    went = talk.replay(SCRIPT, forged)
    assert [turn.reply for turn in went.turns] == ["Sorry about that. Can I check your account number first?"]
    assert talk.grade(SCRIPT, forged).score == pytest.approx(4 / 5)


def test_the_learner_sees_the_line_and_the_replies_never_the_points_or_where_they_lead():
    layout = talk.layout(SCRIPT, random.Random(3), True)
    state = talk.state(SCRIPT, layout, {})
    assert state["line"] == "You charged me twice!" and not state["ended"]
    offered = [reply for _position, reply in state["offered"]]
    assert sorted(offered) == sorted(r["text"] for r in SCRIPT["steps"]["hello"]["replies"])
    shown = json.dumps(state) + json.dumps(talk.public_view(SCRIPT, layout))
    for secret in ("NOTE-good-open", "NOTE-bad-open", "empathy", "hung-up", "fix"):
        assert secret not in shown


def test_a_reply_is_picked_by_its_position_in_the_shuffled_order():
    layout = {"orders": {"hello": [2, 0, 1], "fix": [1, 0]}}
    response = talk.take_step(SCRIPT, layout, {}, "reply", {"choice": "1"}, None)
    assert response == {"path": [["hello", 0]]}  # position 1 shows reply 0
    response = talk.take_step(SCRIPT, layout, response, "reply", {"choice": "1"}, None)
    assert response == {"path": [["hello", 0], ["fix", 0]]}
    assert talk.state(SCRIPT, layout, response)["ended"]
    with pytest.raises(StepRefused, match="has ended"):
        talk.take_step(SCRIPT, layout, response, "reply", {"choice": "0"}, None)
    with pytest.raises(StepRefused, match="Pick one of the replies"):
        talk.take_step(SCRIPT, layout, {}, "reply", {"choice": "3"}, None)
    with pytest.raises(StepRefused, match="no such step"):
        talk.take_step(SCRIPT, layout, {}, "start", {}, None)


def test_the_right_answer_is_the_path_to_full_marks_and_the_review_replays_each_turn():
    assert talk.correct_response(SCRIPT) == {"path": [["hello", 0], ["fix", 0]]}
    went = talk.replay(SCRIPT, {"path": [["hello", 1], ["fix", 1]]})
    assert [(t.customer, t.points, t.note) for t in went.turns] == [
        ("You charged me twice!", {"verify": -2}, "NOTE-bad-open"),
        ("So will I get it back?", {"empathy": -1}, ""),
    ]
    assert went.ended and went.closing == "Thanks, bye."


def test_a_script_is_checked_for_loops_dead_ends_unreachable_steps_and_a_path_to_full_marks():
    assert talk.validate(SCRIPT) == []
    looped = json.loads(json.dumps(SCRIPT))
    looped["steps"]["fix"]["replies"][1]["next"] = "hello"
    assert talk.validate(looped) == ["The conversation can go round in a loop: hello → fix → hello."]
    stranded = json.loads(json.dumps(SCRIPT))
    stranded["steps"]["lost"] = {"customer": "Nobody gets here."}
    assert talk.validate(stranded) == ["No path reaches step 'lost'."]
    capped = json.loads(json.dumps(SCRIPT))
    capped["steps"]["fix"]["replies"][0]["scores"] = {"empathy": 1}
    assert talk.validate(capped) == ["No path earns full marks: the best earns 80%."]
    broken = json.loads(json.dumps(SCRIPT))
    broken["steps"]["hello"]["replies"][0].update(next="nowhere", scores={"charm": 3})
    broken["steps"]["fix"]["replies"] = broken["steps"]["fix"]["replies"][:1]
    broken["steps"]["done"]["audio"] = "javascript:alert(1)"
    assert talk.validate(broken) == [
        "Reply 1 of step 'hello' leads to no step: 'nowhere'.",
        "Reply 1 of step 'hello' scores charm, not on the rubric.",
        "Step 'fix' needs 2 to 5 replies (or none, to end the conversation).",
        "Step 'done': give its audio as an https address or a path on this site.",
    ]


def test_a_script_with_too_many_paths_is_refused_before_anything_tries_them_all():
    steps = {}
    for n in range(12):  # 12 steps of 3 replies all leading to the next: 3 ** 12 paths
        steps[f"s{n}"] = {
            "customer": f"Line {n}",
            "replies": [{"text": f"Reply {k}", "scores": {"empathy": 1}, "next": f"s{n + 1}"} for k in range(3)],
        }
    steps["s12"] = {"customer": "Bye."}
    script = {"rubric": [{"key": "empathy", "label": "Empathy", "max": 1}], "start": "s0", "steps": steps}
    assert talk.validate(script) == ["Keep the script to 2,000 different paths at most; it has 531,441."]
