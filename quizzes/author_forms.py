"""The trainer's forms: quiz settings, a question (shared fields plus its type's editor) and GIFT import."""

import functools

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from quizzes.bank import MAX_STEM_LENGTH, MAX_TITLE_LENGTH, tag_problems
from quizzes.review import POLICY_TEXT, PRACTICE

MAX_GIFT_BYTES = 1_000_000
PASS_MARK = "Give a pass mark from 0 to 100."


def split_tags(text: str | None) -> list[str]:
    """Comma-separated tags as a list, without blanks or repeats, in the order written."""
    tags: list[str] = []
    for tag in (text or "").split(","):
        tag = tag.strip().strip("/")
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def check_tags(form, field) -> None:
    """At most MAX_TAGS tags, none too long (quizzes.bank.tag_problems)."""
    problems = tag_problems(split_tags(field.data))
    if problems:
        raise ValidationError(" ".join(problems))


class GiftImportForm(FlaskForm):
    """Paste GIFT text or upload a .gift file."""

    gift_file = FileField("GIFT file")
    gift_text = TextAreaField("Or paste GIFT text", validators=[Length(max=MAX_GIFT_BYTES)])
    # Set by the preview's "Import" button: without it a post only previews, and saves nothing.
    confirm = HiddenField()


class QuizSettingsForm(FlaskForm):
    """A quiz's settings, for a new quiz or an existing one."""

    title = StringField("Title", validators=[DataRequired("Give the quiz a title."), Length(max=200)])
    introduction = TextAreaField(
        "Introduction",
        validators=[Length(max=5000)],
        description="Shown before a learner starts. Markdown: **bold**, *italic*, lists and links.",
    )
    placement = SelectField("Where learners find it", choices=[])
    pass_mark = IntegerField(
        "Pass mark (%)",
        default=70,
        validators=[InputRequired(PASS_MARK), NumberRange(0, 100, PASS_MARK)],
    )
    max_attempts = IntegerField(
        "Attempts allowed",
        default=0,
        validators=[Optional(), NumberRange(0, 100, "Allow from 0 to 100 attempts.")],
        description="0 means unlimited.",
    )
    cooldown_minutes = IntegerField(
        "Minutes to wait between attempts",
        default=0,
        validators=[Optional(), NumberRange(0, 10_080, "Give a wait from 0 to 10,080 minutes (a week).")],
        description="A pause after each attempt, for revisiting the lessons instead of guessing again. 0 means none.",
    )
    time_limit_minutes = IntegerField(
        "Time limit in minutes",
        validators=[Optional(), NumberRange(1, 600, "Give a time limit from 1 to 600 minutes, or leave it empty.")],
        description="Leave empty for no time limit.",
    )
    shuffle_questions = BooleanField("Shuffle the questions for each attempt", default=True)
    shuffle_options = BooleanField("Shuffle each question's options", default=True)
    draw_count = IntegerField(
        "Draw this many questions at random",
        validators=[Optional(), NumberRange(1, 500, "Draw from 1 to 500 questions, or leave it empty.")],
        description="Leave empty to ask the quiz's own questions.",
    )
    draw_tags = StringField(
        "…from questions with these tags",
        validators=[check_tags],
        description="Comma-separated; a tag also takes the tags below it (“bpo” takes “bpo/roles”). Leave empty "
        "to draw from the quiz's own questions, so a retake sees a fresh selection.",
    )
    review = SelectField(
        "After an attempt, learners see",
        choices=[SelectChoice(key, text) for key, text in POLICY_TEXT.items()],
        default="retry_without_key",
    )
    counts_towards_completion = BooleanField(
        "Passing it counts towards completion",
        description="In a module, the module (and its badge) needs a pass. Outside the modules it is the final "
        "assessment: it opens once every module is complete, and the course (and its badge) needs a pass.",
    )

    def validate_counts_towards_completion(self, field):
        """A quiz that leads to a badge keeps its key until a pass."""
        if field.data and self.review.data == PRACTICE:
            raise ValidationError(
                "A quiz that counts towards completion (and so towards a badge) must not show its right answers "
                "before a pass: choose Retry or Exam for what learners see after an attempt, or leave this "
                "unticked for a practice quiz."
            )

    def settings(self, module_ids: dict[str, int | None]) -> dict:
        """The quiz attributes this form sets; `module_ids` maps placement values to module ids."""
        return {
            "title": (self.title.data or "").strip(),
            "introduction": (self.introduction.data or "").strip(),
            "module_id": module_ids.get(self.placement.data),
            "pass_mark": self.pass_mark.data,
            "max_attempts": self.max_attempts.data or 0,
            "cooldown_minutes": self.cooldown_minutes.data or 0,
            "counts_towards_completion": bool(self.counts_towards_completion.data),
            "time_limit_minutes": self.time_limit_minutes.data or None,
            "shuffle_questions": bool(self.shuffle_questions.data),
            "shuffle_options": bool(self.shuffle_options.data),
            "draw_count": self.draw_count.data or None,
            "draw_tags": split_tags(self.draw_tags.data) if self.draw_count.data else [],
            "review": self.review.data,
        }


class QuestionForm(FlaskForm):
    """The fields every question has; `question_form` adds the type's own editor as `answers`."""

    title = StringField(
        "Name in the bank",
        validators=[Length(max=MAX_TITLE_LENGTH)],
        description="Trainers see it in lists and exports; learners never do.",
    )
    tags = StringField(
        "Tags",
        validators=[check_tags],
        description="Comma-separated, for example bpo/roles, voice.",
    )
    stem = TextAreaField(
        "Question text",
        validators=[DataRequired("Write the question text."), Length(max=MAX_STEM_LENGTH)],
        description="Markdown: **bold**, *italic*, lists and links. Raw HTML is not shown.",
    )
    general_feedback = TextAreaField(
        "General feedback",
        validators=[Length(max=5000)],
        description="Shown with the result, whatever the answer: explain why the right answer is right.",
    )
    # The question as the form showed it (`quizzes.authoring.edit_stamp`): a save over a newer edit is refused.
    based_on = HiddenField()


@functools.cache
def question_form_class(editor: type) -> type[QuestionForm]:
    """The question form with this editor as its `answers` part (built once per type)."""
    return type(f"{editor.__name__}QuestionForm", (QuestionForm,), {"answers": FormField(editor, label="Answers")})


def question_form(qtype, data: dict | None = None) -> QuestionForm:
    """The authoring form of a question of this type, filled from `data` unless a post is being read."""
    return question_form_class(qtype.editor)(data=data)
