"""Customer conversation: a branching chat or call in which the customer speaks and the learner picks each reply.

The script is a set of named steps. Each step has what the customer (or, in a coaching talk, the other person)
says and the replies the learner may pick; each reply leads to a next step and adds points, or takes them away,
on the author's rubric (empathy, verifying identity, resolving, closing...). A step without replies ends the
conversation. Which reply leads where and what it scores stays on the server until the attempt is submitted;
the learner only ever sees the current step's line and the replies offered, in an order shuffled per attempt.

The score is, for each rubric line, the points the path earned (from none up to the line's maximum), summed over
the lines, out of the sum of their maximums. Every script must have one path that earns full marks.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from quizzes.editors import ConversationEditor

from .base import NO_ANSWER, PRACTICE_NEVER_COUNTS, Grade, QuestionType, as_dict, index, number, shuffled, text
from .timing import StepRefused

CHANNELS = ("chat", "call")
MAX_STEPS = 40
MAX_REPLIES = 5
MAX_PATH = 20
MAX_PATHS = 2000  # different ways through one script: every one is tried to find the best
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def rubric_of(config) -> list[dict]:
    """The rubric lines: key, label and the most points the line can earn."""
    found = as_dict(config).get("rubric")
    lines = found if isinstance(found, list) else []
    return [
        {
            "key": text(as_dict(line).get("key")),
            "label": text(as_dict(line).get("label")),
            "max": number(as_dict(line).get("max"), 0),
        }
        for line in lines
    ]


def steps_of(config) -> dict[str, dict]:
    """The steps by name; a malformed step becomes an empty one."""
    found = as_dict(config).get("steps")
    return {str(key): as_dict(step) for key, step in found.items()} if isinstance(found, dict) else {}


def replies_of(step: dict) -> list[dict]:
    """A step's replies; malformed ones become empty."""
    found = step.get("replies")
    return [as_dict(reply) for reply in found] if isinstance(found, list) else []


def points_of(reply: dict) -> dict[str, float]:
    """What a reply adds to each rubric line."""
    found = as_dict(reply.get("scores"))
    return {str(key): value for key, value in ((k, number(v)) for k, v in found.items()) if value is not None}


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation as it went: the customer's line, the reply picked, and what it earned."""

    customer: str
    reply: str
    points: dict[str, float]
    note: str


@dataclass(frozen=True)
class Walk:
    """A learner's path through the script: the turns taken, whether it reached an end, and the points by line."""

    turns: list[Turn]
    ended: bool
    closing: str  # the last line heard (the end step's, or the step the learner stopped at)
    totals: dict[str, float]


def walk(config, path) -> Walk:
    """Follow a response's path from the start, stopping at the first choice the script does not allow."""
    steps, at = steps_of(config), text(as_dict(config).get("start"))
    turns: list[Turn] = []
    totals: dict[str, float] = {line["key"]: 0.0 for line in rubric_of(config)}
    for entry in path if isinstance(path, list) else []:
        step = steps.get(at, {})
        choice = entry[1] if isinstance(entry, list) and len(entry) == 2 and entry[0] == at else None
        replies = replies_of(step)
        if not isinstance(choice, int) or isinstance(choice, bool) or not 0 <= choice < len(replies):
            break
        reply = replies[choice]
        points = points_of(reply)
        for key, value in points.items():
            if key in totals:
                totals[key] += value
        turns.append(Turn(text(step.get("customer")), text(reply.get("text")), points, text(reply.get("note"))))
        at = text(reply.get("next"))
    last = steps.get(at, {})
    return Walk(turns, bool(last) and not replies_of(last), text(last.get("customer")), totals)


def fraction(config, totals: dict[str, float]) -> float:
    """The share of the rubric's points earned: each line counts from none up to its maximum."""
    lines = rubric_of(config)
    most = sum(line["max"] for line in lines)
    earned = sum(min(max(totals.get(line["key"], 0.0), 0.0), line["max"]) for line in lines)
    return earned / most if most else 0.0


def best_path(config) -> list[list]:
    """The first of the paths that earn the most, for the review's right answer and the demo. Scripts are small
    and have no loops (see `Conversation.validate`), so every path is tried."""
    steps = steps_of(config)
    best: tuple[float, list[list]] = (-1.0, [])

    ends = 0

    def explore(at: str, path: list[list]) -> None:
        nonlocal best, ends
        step = steps.get(at)
        if step is None or len(path) > MAX_PATH or ends > MAX_PATHS:
            return
        replies = replies_of(step)
        if not replies:
            ends += 1
            score = fraction(config, walk(config, path).totals)
            if score > best[0]:
                best = (score, list(path))
            return
        for n, reply in enumerate(replies):
            explore(text(reply.get("next")), [*path, [at, n]])

    explore(text(as_dict(config).get("start")), [])
    return best[1]


def audio_of(step: dict) -> str:
    """A step's recorded line: an https address or a path on this site, else ""."""
    address = text(step.get("audio")).strip()
    return address if address.startswith(("https://", "/")) and not address.startswith("//") else ""


def find_loop(nexts: dict[str, list[str]], start: str) -> list[str]:
    """A loop reachable from the start, as the steps round it (the first repeated at the end), or []."""
    trail: list[str] = []
    done: set[str] = set()

    def visit(at: str) -> list[str]:
        if at in trail:
            return [*trail[trail.index(at) :], at]
        if at in done:
            return []
        trail.append(at)
        for after in nexts.get(at, []):
            found = visit(after)
            if found:
                return found
        trail.pop()
        done.add(at)
        return []

    return visit(start)


def topological(nexts: dict[str, list[str]], start: str) -> list[str]:
    """The steps reachable from the start, each before every step it leads to (the script has no loop)."""
    order: list[str] = []
    done: set[str] = set()

    def visit(at: str) -> None:
        if at in done:
            return
        done.add(at)
        for after in nexts.get(at, []):
            visit(after)
        order.append(at)

    visit(start)
    return list(reversed(order))


class Conversation(QuestionType):
    """A branching conversation scored on a rubric."""

    name = "conversation"
    label = "Conversation"
    stepped = True
    step_template = "quizzes/_conversation.html"
    step_script = "js/conversation.js"
    editor = ConversationEditor
    review_template = "quizzes/_conversation_review.html"
    max_text = 1000
    whole_exercise = True

    def exercise(self, config):
        """A call or a chat, as its channel says."""
        channel = as_dict(config).get("channel")
        return channel if channel in CHANNELS else "chat"

    def exercise_rules(self, config, pass_mark):
        """Each reply moves the talk on and earns points on the rubric; the pass mark is a share of them."""
        return (
            f"One {self.exercise(config)}: each reply you pick moves it on and earns or costs points on its "
            f"rubric. To pass, {self.exercise_goal(config, pass_mark)}."
        )

    def exercise_goal(self, config, pass_mark):
        """A share of the rubric's points."""
        return f"earn {pass_mark}% of the points"

    def exercise_policy(self, review):
        """What each review replays: the talk as it went, and (in practice, or once passed) what each reply
        earned."""
        return {
            "practice": "Practice: after you submit you see what each reply earned or cost and the replies that "
            f"earn full marks. {PRACTICE_NEVER_COUNTS}",
            "retry_without_key": "Retry: after a try you see the conversation as it went and the lessons to "
            "revisit; what each reply earned shows once you have passed.",
            "exam": "Exam: after an attempt you see your score and the lessons to revisit; the conversation as it "
            "went shows once you have passed.",
        }.get(review)

    def verdict(self, score):
        """The share of the rubric's points earned."""
        return "Full marks" if score >= 1 else f"{round(score * 100, 2):g}% of the points"

    def validate(self, config):
        """A rubric, steps that each say something and lead somewhere, no loop, and a path to full marks."""
        config = as_dict(config)
        problems = self.rubric_problems(config)
        steps, start = steps_of(config), text(config.get("start"))
        if config.get("channel", "chat") not in CHANNELS:
            problems.append("Set the channel to chat or call.")
        if not isinstance(config.get("speaker", ""), str):
            problems.append("The speaker must be a name, such as Customer.")
        if not 2 <= len(steps) <= MAX_STEPS:
            problems.append(f"Write 2 to {MAX_STEPS} steps.")
        if start not in steps:
            problems.append(f"The start names no step: {start!r}.")
        keys = {line["key"] for line in rubric_of(config)}
        for name, step in steps.items():
            problems += self.step_problems(name, step, steps, keys)
        if not problems:
            problems += self.path_problems(config, steps, start)
        return problems

    @staticmethod
    def rubric_problems(config: dict) -> list[str]:
        """Problems of the rubric: one to six lines, each keyed once, labelled, worth 1 to 10 points."""
        lines = rubric_of(config)
        problems = [] if 1 <= len(lines) <= 6 else ["Give the rubric 1 to 6 lines."]
        for n, line in enumerate(lines, start=1):
            if not KEY.match(line["key"]):
                problems.append(f"Rubric line {n} needs a key of small letters, digits and dashes.")
            if not line["label"].strip():
                problems.append(f"Rubric line {n} needs a label.")
            if not 1 <= line["max"] <= 10:
                problems.append(f"Rubric line {n} needs a maximum from 1 to 10 points.")
        if len({line["key"] for line in lines}) < len(lines):
            problems.append("Give each rubric line its own key.")
        return problems

    @staticmethod
    def step_problems(name: str, step: dict, steps: dict, keys: set[str]) -> list[str]:
        """Problems of one step: a line, and either no replies (an end) or 2 to 5 that lead to known steps."""
        problems = [] if text(step.get("customer")).strip() else [f"Step {name!r} needs a line for the customer."]
        if "audio" in step and not audio_of(step):
            problems.append(f"Step {name!r}: give its audio as an https address or a path on this site.")
        replies = replies_of(step)
        if replies and not 2 <= len(replies) <= MAX_REPLIES:
            problems.append(f"Step {name!r} needs 2 to {MAX_REPLIES} replies (or none, to end the conversation).")
        for n, reply in enumerate(replies, start=1):
            what = f"Reply {n} of step {name!r}"
            if not text(reply.get("text")).strip():
                problems.append(f"{what} needs some text.")
            if text(reply.get("next")) not in steps:
                problems.append(f"{what} leads to no step: {reply.get('next')!r}.")
            unknown = sorted(set(as_dict(reply.get("scores"))) - keys)
            if unknown:
                problems.append(f"{what} scores {', '.join(unknown)}, not on the rubric.")
            if any(abs(value) > 10 for value in points_of(reply).values()):
                problems.append(f"{what} gives or takes more than 10 points on a line.")
        return problems

    @staticmethod
    def path_problems(config: dict, steps: dict, start: str) -> list[str]:
        """Problems of the script as a whole: no loop, every step reachable, not too long or too branched, and a
        path to full marks."""
        nexts = {name: [text(reply.get("next")) for reply in replies_of(step)] for name, step in steps.items()}
        loop = find_loop(nexts, start)
        if loop:
            return [f"The conversation can go round in a loop: {' → '.join(loop)}."]
        paths: dict[str, int] = {}
        longest: dict[str, int] = {}
        for name in reversed(topological(nexts, start)):
            paths[name] = sum(paths[after] for after in nexts[name]) or 1
            longest[name] = max((longest[after] + 1 for after in nexts[name]), default=0)
        problems = []
        unreached = sorted(set(steps) - set(paths))
        if unreached:
            problems.append(f"No path reaches step {', '.join(repr(s) for s in unreached)}.")
        if longest[start] > MAX_PATH:
            problems.append(f"A path is longer than {MAX_PATH} replies.")
        if paths[start] > MAX_PATHS:
            problems.append(f"Keep the script to {MAX_PATHS:,} different paths at most; it has {paths[start]:,}.")
        if problems:
            return problems
        best = fraction(config, walk(config, best_path(config)).totals)
        return [] if best == 1 else [f"No path earns full marks: the best earns {best:.0%}."]

    def layout(self, config, rng: random.Random, shuffle):
        """The order each step's replies are offered in, for this attempt."""
        return {
            "orders": {name: shuffled(len(replies_of(step)), rng, shuffle) for name, step in steps_of(config).items()}
        }

    def order(self, config, layout, name: str) -> list[int]:
        """The order one step's replies are offered in (repaired if the script changed)."""
        size = len(replies_of(steps_of(config).get(name, {})))
        stored = as_dict(as_dict(layout).get("orders")).get(name)
        if isinstance(stored, list) and sorted(stored) == list(range(size)):
            return stored
        return list(range(size))

    def public_view(self, config, layout):
        """Before any reply: the channel, who speaks to the learner and the rubric's labels (never its points)."""
        return {
            "channel": as_dict(config).get("channel", "chat"),
            "speaker": text(as_dict(config).get("speaker")).strip() or "Customer",
            "rubric": [line["label"] for line in rubric_of(config)],
        }

    def state(self, config, layout, response) -> dict:
        """What the learner sees now: the conversation so far, the line waiting for a reply (or the last line),
        and the replies offered as (position, text). Never the points or where a reply leads."""
        path = as_dict(response).get("path") or []
        went = walk(config, path)
        offered = []
        at = self.current_step(config, path)
        step = steps_of(config).get(at, {})
        if not went.ended and step:
            replies = replies_of(step)
            offered = [
                (position, text(replies[i].get("text"))) for position, i in enumerate(self.order(config, layout, at))
            ]
        return {
            "turns": [(turn.customer, turn.reply) for turn in went.turns],
            "line": went.closing,
            "audio": audio_of(step if step else steps_of(config).get(at, {})),
            "ended": went.ended,
            "offered": offered,
        }

    @staticmethod
    def current_step(config, path) -> str:
        """The step the conversation is at after this path."""
        steps, at = steps_of(config), text(as_dict(config).get("start"))
        for _name, choice in path if isinstance(path, list) else []:
            replies = replies_of(steps.get(at, {}))
            if not isinstance(choice, int) or not 0 <= choice < len(replies):
                break
            at = text(replies[choice].get("next"))
        return at

    def take_step(self, config, layout, response, step, posted, moment):
        """A reply picked by its position among those offered: the conversation moves to the step it leads to."""
        if step != "reply":
            raise StepRefused("This question has no such step.", 404)
        path = list(as_dict(response).get("path") or [])
        if walk(config, path).ended:
            raise StepRefused("This conversation has ended.")
        at = self.current_step(config, path)
        order = self.order(config, layout, at)
        position = number(as_dict(posted).get("choice"))
        if position is None and isinstance(as_dict(posted).get("choice"), str):
            choice = as_dict(posted)["choice"].strip()
            position = index(choice, len(order))
        if position is None or not 0 <= position < len(order) or position != int(position):
            raise StepRefused("Pick one of the replies offered.", 400)
        return {"path": [*path, [at, order[int(position)]]]}

    def answer_field(self, config, layout, label):
        """None: replies are posted one at a time, as steps."""
        return None

    def response_from_data(self, config, layout, data):
        """Not used: see `answer_field`."""
        return {}

    def grade(self, config, response):
        """The share of the rubric's points the path earned; a conversation left before its end loses nothing it
        earned but is not right."""
        went = walk(config, as_dict(response).get("path"))
        if not went.turns:
            return Grade.zero(["You did not reply to the customer."])
        share = fraction(config, went.totals)
        feedback = [self.rubric_summary(config, went.totals)]
        if not went.ended:
            feedback.append("The conversation did not reach its end.")
            return Grade(score=min(share, 0.99), correct=False, parts=[False], feedback=feedback)
        return Grade.from_score(share, parts=[share == 1], feedback=feedback)

    @staticmethod
    def rubric_summary(config, totals: dict[str, float]) -> str:
        """Each rubric line's points out of its maximum."""
        parts = [
            f"{line['label']} {min(max(totals.get(line['key'], 0.0), 0.0), line['max']):g} of {line['max']:g}"
            for line in rubric_of(config)
        ]
        return "; ".join(parts) + "."

    def finished(self, config, response) -> bool:
        """Whether the conversation reached a step without replies."""
        return walk(config, as_dict(response).get("path")).ended

    def replay(self, config, response) -> Walk:
        """The conversation as it went, for the review: each turn with what its reply cost or earned."""
        return walk(config, as_dict(response).get("path"))

    def rubric_labels(self, config) -> dict[str, str]:
        """Rubric keys to their labels."""
        return {line["key"]: line["label"] for line in rubric_of(config)}

    def correct_response(self, config):
        """The path that earns full marks."""
        return {"path": best_path(config)}

    def evidence(self, config, response):
        """How the rubric came out, or "" before any reply."""
        went = walk(config, as_dict(response).get("path"))
        return self.rubric_summary(config, went.totals).removesuffix(".") if went.turns else ""

    def describe_response(self, config, response):
        """The replies picked, in order, and how the rubric came out."""
        went = walk(config, as_dict(response).get("path"))
        if not went.turns:
            return NO_ANSWER
        replies = " / ".join(f"“{turn.reply}”" for turn in went.turns)
        return f"{replies} ({self.rubric_summary(config, went.totals).removesuffix('.')})"
