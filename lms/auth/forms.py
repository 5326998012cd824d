"""Forms for signing up, signing in and changing a password."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.access import ROLES
from lms.auth.passwords import MAX_LENGTH, password_problems
from lms.auth.services import name_problems


def strip(value):
    """Filter: drop surrounding spaces (pasted emails often carry them)."""
    return value.strip() if isinstance(value, str) else value


def email_checks() -> list:
    """The checks of an email address the LMS will write to. Letters outside ASCII before the @ are refused: mail
    to such an address needs a server that speaks SMTPUTF8, which the LMS cannot count on."""
    readable = Email(
        check_deliverability=False,
        allow_smtputf8=False,
        message="Enter an email address such as name@example.com, with only unaccented letters, digits and . _ - + "
        "before the @.",
    )
    return [DataRequired(), readable, Length(max=254)]


def plain_name(form, field):
    """WTForms validator: a name with no invisible or control characters."""
    problems = name_problems(field.data or "")
    if problems:
        raise ValidationError(" ".join(problems))


def strong_password(form, field):
    """WTForms validator applying the password rules."""
    email = form.email.data if hasattr(form, "email") else getattr(current_user, "email", "")
    name = form.display_name.data if hasattr(form, "display_name") else getattr(current_user, "display_name", "")
    problems = password_problems(field.data or "", email or "", name or "")
    if problems:
        raise ValidationError(" ".join(problems))


class RegisterForm(FlaskForm):
    """Self-registration: always creates a learner."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80), plain_name])
    email = EmailField("Email", filters=[strip], validators=email_checks())
    password = PasswordField(
        "Password",
        validators=[DataRequired(), strong_password],
        description=f"At least 8 characters (up to {MAX_LENGTH}); avoid common passwords.",
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    """Sign in with email and password."""

    email = EmailField("Email", filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    submit = SubmitField("Sign in")


class PasswordChangeForm(FlaskForm):
    """Change one's own password, proving the current one."""

    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    password = PasswordField("New password", validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )
    submit = SubmitField("Change password")


class UserCreateForm(FlaskForm):
    """An admin invites someone with any role: they choose their own password from the mailed link."""

    display_name = StringField("Name", validators=[DataRequired(), Length(max=80), plain_name])
    email = EmailField("Email", filters=[strip], validators=email_checks())
    role = SelectField("Role", choices=[SelectChoice(role, role.title()) for role in ROLES])
    submit = SubmitField("Send the invitation")


class RoleForm(FlaskForm):
    """An admin changes a user's role."""

    role = SelectField("Role", choices=[SelectChoice(role, role.title()) for role in ROLES])
    submit = SubmitField("Change role")


class ForgotPasswordForm(FlaskForm):
    """Ask for a link to choose a new password."""

    email = EmailField("Email", filters=[strip], validators=email_checks())
    submit = SubmitField("Send me a link")


class ResetPasswordForm(FlaskForm):
    """Choose a new password from a reset link."""

    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_LENGTH * 4)],
        description=f"At least 8 characters (up to {MAX_LENGTH}); avoid common passwords.",
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )
    submit = SubmitField("Set my password")


class NameForm(FlaskForm):
    """Change one's display name."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80), plain_name])
    submit = SubmitField("Save name")


class PreferencesForm(FlaskForm):
    """How times are shown and whether reminder mail comes."""

    time_zone = SelectField(
        "Time zone",
        description="Times and quiz deadlines are shown in it.",
        validate_choice=True,
    )
    email_reminders = BooleanField("Email me a reminder when I have not studied for a while (at most weekly)")
    submit = SubmitField("Save preferences")


class EmailChangeForm(FlaskForm):
    """Move one's account to another address, proving the current password."""

    new_email = EmailField(
        "New email address",
        filters=[strip],
        validators=email_checks(),
        description="We send a link to the new address; the change happens once you follow it.",
    )
    email_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    submit = SubmitField("Change email")
