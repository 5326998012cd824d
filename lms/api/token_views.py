"""The profile's API tokens page: create a personal access token (shown once), see and revoke one's tokens."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from lms.access import SIGNED_IN, allow
from lms.api.tokens import SCOPE_LABELS, ScopeRefused, active_tokens, allowed_scopes, create_token, revoke_token
from lms.forms import ActionForm
from lms.links import public_url
from lms.services import ServiceError

bp = Blueprint("api_tokens", __name__, url_prefix="/profile/tokens")


class TokenForm(FlaskForm):
    """A new token: its name and the scopes it grants."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
    read = BooleanField(SCOPE_LABELS["read"], default=True)
    write = BooleanField(SCOPE_LABELS["write"])
    admin = BooleanField(SCOPE_LABELS["admin"])
    submit = SubmitField("Create token")


def tokens_page(form: TokenForm, secret: str | None = None, status: int = 200):
    """The tokens page with this form, and a new token's secret when one was just made."""
    return render_template(
        "api/tokens.html",
        form=form,
        scopes=allowed_scopes(current_user.role),
        tokens=active_tokens(current_user.id),
        secret=secret,
        me_url=public_url("api.me"),
        revoke_form=ActionForm(),
    ), status


@bp.route("/", methods=["GET", "POST"])
@allow(SIGNED_IN)
def tokens():
    """List the person's tokens; create one."""
    form = TokenForm()
    if not form.validate_on_submit():
        return tokens_page(form, status=400 if form.is_submitted() else 200)
    chosen = [scope for scope in allowed_scopes(current_user.role) if getattr(form, scope).data]
    if form.admin.data and "admin" not in chosen:
        chosen.append("admin")  # refused below with its reason, not silently dropped
    try:
        _token, secret = create_token(current_user, form.name.data or "", chosen)
    except ServiceError as exc:
        # Said beside what it is about: the scopes, or else the name.
        field = getattr(form, exc.scope) if isinstance(exc, ScopeRefused) else form.name
        field.errors = [exc.message]
        return tokens_page(form, status=exc.status)
    return tokens_page(TokenForm(formdata=None), secret=secret, status=201)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@allow(SIGNED_IN)
def revoke(token_id: int):
    """Revoke one of the person's tokens."""
    form = ActionForm()
    if not form.validate_on_submit():
        return tokens_page(TokenForm(formdata=None), status=400)
    try:
        revoke_token(current_user, token_id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("api_tokens.tokens"), 303)
    flash("Token revoked: requests made with it are refused from now on.", "success")
    return redirect(url_for("api_tokens.tokens"), 303)
