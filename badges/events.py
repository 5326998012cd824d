"""Events the badges plugin emits (see `lms.events`)."""

import dataclasses
from typing import ClassVar

from lms.events import Event


@dataclasses.dataclass(frozen=True)
class BadgeIssued(Event):
    """A badge was awarded to a learner."""

    name: ClassVar[str] = "badge.issued"
    user_id: int
    badge_class_id: int


@dataclasses.dataclass(frozen=True)
class BadgeRevoked(Event):
    """An admin revoked an award."""

    name: ClassVar[str] = "badge.revoked"
    award_id: int
