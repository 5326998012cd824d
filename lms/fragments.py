"""Pieces of pages rendered once per process for each distinct content, then reused."""

from flask import current_app, request
from markupsafe import Markup

from lms.memo import remember

# Distinct fragments kept; past it the memo starts again, so memory stays bounded (a module card is about 4 KB:
# at most 4 MB of a worker).
FRAGMENT_LIMIT = 1_000


def remembered(template_name: str, **context) -> Markup:
    """The template rendered with this context alone; the same context, under the same mount point, renders once
    per process.

    The template reads nothing but its context and links (`url_for`): never `current_user`, `csrf_token` or the
    request. What it shows is passed in as hashable values, which with the mount point are the memo's key.
    """
    memo = current_app.extensions.setdefault("lms_fragments", {})
    key = (template_name, request.script_root, *sorted(context.items()))
    html = memo.get(key)
    if html is None:
        # The template escapes what it shows, as every page template does.
        html = Markup(current_app.jinja_env.get_template(template_name).render(context))  # nosec B704
        remember(memo, key, html, FRAGMENT_LIMIT)
    return html
