"""Matching: the learner pairs each prompt with one of the answers."""

from __future__ import annotations

from wtforms import SelectChoice
from wtforms.validators import Optional

from quizzes.editors import MatchingEditor
from quizzes.gift import AnswerText, escape, required_entries, required_text, write_text

from .base import (
    NO_ANSWER,
    BlankFirstSelectField,
    Grade,
    QuestionType,
    SelectGroupField,
    arrange,
    as_dict,
    entries,
    index,
    permutation,
    shuffled,
    text,
)


def prompt_ids(config) -> list[int]:
    """Indices of the pairs that have a prompt; the others are distractor answers."""
    return [i for i, p in enumerate(entries(config, "pairs")) if text(p.get("prompt")).strip()]


def answer_options(config) -> list[str]:
    """The distinct non-empty answers, sorted alphabetically.

    Option ids are indices into this list. Sorting keeps them unrelated to
    the pair order; numbered in author order, option 0 would usually be the
    answer for the first prompt and the page source would give the key away.
    """
    answers = {text(p.get("answer")).strip() for p in entries(config, "pairs")} - {""}
    return sorted(answers, key=lambda a: (a.casefold(), a))


def field_name(pair_id: int) -> str:
    """The sub-field name for a prompt."""
    return f"p{pair_id}"


def gift_pair(part: AnswerText) -> dict:
    """One 'prompt -> answer' pair; an empty prompt makes an extra wrong answer."""
    prompt, answer = part.partition("->")
    if answer is None:
        raise part.error(
            f"matching pair '{part.literal()}' has no '->' (a matching question cannot mix pairs with other answers)"
        )
    # Moodle reads a format marker on the prompt but takes the answer literally.
    literal = answer.literal()
    if not literal:
        raise part.error(f"matching pair '{part.literal()}' has no answer after '->'")
    return {"prompt": prompt.plain(), "answer": literal}


class Matching(QuestionType):
    """Prompts to be matched with answers, possibly with extra distractor answers."""

    name = "matching"
    label = "Matching"
    editor = MatchingEditor
    parts_key = "pairs"
    gift_order = 30  # after the choices, whose texts may hold '->'

    def from_gift(self, answers):
        """Pairs from an '=' block with '->' in it."""
        if answers is None or "=" not in answers.text or "->" not in answers.text:
            return None
        parts = answers.split_answers("=")
        if len(parts) < 2:
            raise answers.error("a matching question needs at least 2 pairs")
        return {"pairs": [gift_pair(part) for _marker, part in parts]}

    def to_gift(self, config, fmt):
        """One '=prompt -> answer' line per pair."""
        lines = []
        for pair in required_entries(config, "pairs", 2):
            prompt, answer = pair.get("prompt", ""), required_text(pair, "answer")
            if "->" in prompt:
                raise ValueError("a matching prompt cannot contain '->' in GIFT")
            lines.append(f"={write_text(prompt, fmt)} -> {escape(answer)}")
        return lines

    def validate(self, config):
        """Check every pair has an answer, prompts are distinct and at least two are real."""
        problems = []
        seen: dict[str, int] = {}
        for n, pair in enumerate(entries(config, "pairs"), start=1):
            prompt = text(pair.get("prompt")).strip()
            if not text(pair.get("answer")).strip():
                problems.append(f"Pair {n} needs an answer.")
            if prompt.casefold() in seen:
                problems.append(f"Pair {n} repeats the prompt of pair {seen[prompt.casefold()]}.")
            elif prompt:
                seen[prompt.casefold()] = n
        real = [i for i in prompt_ids(config) if text(entries(config, "pairs")[i].get("answer")).strip()]
        if len(real) < 2:
            problems.append("Add at least two pairs that have both a prompt and an answer.")
        return problems

    def layout(self, config, rng, shuffle):
        """The prompt order, and the answer order, which is always shuffled."""
        prompts = prompt_ids(config)
        # Answers listed in prompt order would give the key away, so they are
        # shuffled even when the quiz keeps its questions' options in order.
        return {
            "order": [prompts[k] for k in shuffled(len(prompts), rng, shuffle)],
            "answer_order": shuffled(len(answer_options(config)), rng),
        }

    def public_view(self, config, layout):
        """Prompts and answer options in layout order, with their ids."""
        pairs, options, layout = entries(config, "pairs"), answer_options(config), as_dict(layout)
        return {
            "prompts": [
                {"id": i, "text": text(pairs[i].get("prompt"))}
                for i in arrange(layout.get("order"), prompt_ids(config))
            ],
            "answers": [{"id": k, "text": options[k]} for k in permutation(layout.get("answer_order"), len(options))],
        }

    def answer_field(self, config, layout, label):
        """One labelled select per prompt, grouped in a sub-form."""
        view = self.public_view(config, layout)
        choices = [SelectChoice(str(a["id"]), a["text"]) for a in view["answers"]]
        fields = {
            field_name(p["id"]): BlankFirstSelectField(
                p["text"], choices=choices, blank="Choose an answer", validators=[Optional()]
            )
            for p in view["prompts"]
        }
        return SelectGroupField(label, selects=fields)

    def response_from_data(self, config, layout, data):
        """The answer text chosen for each prompt, None where nothing was chosen."""
        data, options = as_dict(data), answer_options(config)
        matches = {}
        for i in prompt_ids(config):
            k = index(data.get(field_name(i)), len(options))
            matches[str(i)] = None if k is None else options[k]
        return {"matches": matches}

    def field_data(self, config, layout, response):
        """The option id chosen for each prompt."""
        options = answer_options(config)
        given = as_dict(as_dict(response).get("matches"))
        return {
            field_name(i): str(options.index(given[str(i)])) for i in prompt_ids(config) if given.get(str(i)) in options
        }

    def grade(self, config, response):
        """The fraction of prompts matched with their own answer."""
        pairs, prompts = entries(config, "pairs"), prompt_ids(config)
        if not prompts:
            return Grade.zero()
        given = as_dict(as_dict(response).get("matches"))
        parts = []
        for i in prompts:
            expected = text(pairs[i].get("answer")).strip()
            parts.append(bool(expected) and text(given.get(str(i))).strip() == expected)
        return Grade.from_score(sum(parts) / len(parts), parts=parts)

    def correct_response(self, config):
        """Each prompt's own answer."""
        pairs = entries(config, "pairs")
        return {"matches": {str(i): text(pairs[i].get("answer")).strip() for i in prompt_ids(config)}}

    def describe_response(self, config, response):
        """Each prompt with the answer chosen for it."""
        pairs = entries(config, "pairs")
        given = as_dict(as_dict(response).get("matches"))
        lines = [
            f"{text(pairs[i].get('prompt')).strip()}: {text(given.get(str(i))).strip() or NO_ANSWER}"
            for i in prompt_ids(config)
        ]
        return "; ".join(lines) or NO_ANSWER
