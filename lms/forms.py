"""Forms shared by every plugin."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A bare form: a button that changes state, protected by the CSRF token."""
