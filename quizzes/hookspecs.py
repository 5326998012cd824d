"""Extension points the quizzes plugin offers other plugins."""

from lms.plugins import hookspec


@hookspec
def lms_question_types(app):
    """Return a list of question type classes (see `quizzes.types.base.QuestionType`)."""
