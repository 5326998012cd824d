"""Quiz question types as pure classes: config validation, presentation, grading.

BUILTIN_TYPES holds the classes, not instances, so callers decide how to
register and instantiate them.
"""

from .base import Grade, QuestionType
from .conversation import Conversation
from .data_entry import DataEntry
from .description import Description
from .essay import Essay
from .matching import Matching
from .multiple_response import MultipleResponse
from .numerical import Numerical
from .ordering import Ordering
from .short_answer import ShortAnswer
from .single_choice import SingleChoice
from .true_false import TrueFalse
from .typing_test import TypingTest

BUILTIN_TYPES = (
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    ShortAnswer,
    Numerical,
    Matching,
    Ordering,
    Essay,
    Description,
    TypingTest,
    DataEntry,
    Conversation,
)

__all__ = [
    "BUILTIN_TYPES",
    "Conversation",
    "DataEntry",
    "Description",
    "Essay",
    "Grade",
    "Matching",
    "MultipleResponse",
    "Numerical",
    "Ordering",
    "QuestionType",
    "ShortAnswer",
    "SingleChoice",
    "TrueFalse",
    "TypingTest",
]
