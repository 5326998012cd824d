"""Moments worth marking: a module, a course or a badge just earned, told on the learner's next page."""

from flask import flash, has_request_context
from flask_login import current_user

CATEGORY = "achievement"


def watching(user_id: int) -> bool:
    """Whether this learner is the one signed in to the current request: events are also delivered by commands
    and redeliveries, where nobody is there to tell."""
    return has_request_context() and current_user.is_authenticated and current_user.id == user_id


def celebrate(
    user_id: int, title: str, text: str, image_url: str | None = None, link: tuple[str, str] | None = None
) -> None:
    """Tell the learner on the next page they see that they earned something, with an image and a way on
    (`link`: its URL and text), when they are `watching`."""
    if not watching(user_id):
        return
    url, label = link or (None, None)
    message = {"title": title, "text": text, "image": image_url, "url": url, "label": label}
    # Flask keeps any value its session can store; base.html shows this category as a card.
    flash(message, CATEGORY)  # type: ignore[arg-type]
