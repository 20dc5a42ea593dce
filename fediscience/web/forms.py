"""Web forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..errors import DomainError


class RegisterForm(FlaskForm):
    """Registration."""

    username = StringField("Username", validators=[DataRequired(), Length(max=30)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class LoginForm(FlaskForm):
    """Log-in."""

    login = StringField("Username or email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class LogoutForm(FlaskForm):
    """Log-out button (CSRF only)."""


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only): delete, vote withdrawal…"""


class VoteForm(FlaskForm):
    """A vote button."""

    value = HiddenField("Vote", validators=[DataRequired()])


class ProfileForm(FlaskForm):
    """Profile settings."""

    display_name = StringField("Display name", validators=[Optional(), Length(max=100)])
    bio = TextAreaField("Bio", validators=[Optional(), Length(max=5000)])
    orcid = StringField("ORCID iD", validators=[Optional(), Length(max=60)])
    website = StringField("Website", validators=[Optional(), Length(max=2048)])
    avatar = FileField("Avatar (PNG, JPEG, GIF or WebP)")
    use_gravatar = BooleanField("Use Gravatar instead of an uploaded picture")
    manually_approves_followers = BooleanField("Lock my account: approve each new follower by hand")


class PaperAddForm(FlaskForm):
    """Add a paper by identifier."""

    identifier = StringField("arXiv id or URL, DOI, or DBLP key", validators=[DataRequired(), Length(max=500)])


class BibtexForm(FlaskForm):
    """Add papers by pasting BibTeX."""

    bibtex = TextAreaField("BibTeX", validators=[DataRequired(), Length(max=200_000)])


class SummaryForm(FlaskForm):
    """Write or edit a summary."""

    source = TextAreaField("Summary (Markdown, $maths$)", validators=[DataRequired()])
    draft = BooleanField("Save as draft (only you can see it)")
    private = BooleanField("Private (only you and people with the share link)")
    preview = SubmitField("Preview")
    save = SubmitField("Save")


class CommentForm(FlaskForm):
    """Write a comment or a reply."""

    source = TextAreaField("Comment (Markdown, $maths$)", validators=[DataRequired()])
    parent = HiddenField()


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach a domain error to its form field, or to the form as a whole."""
    field_name = getattr(error, "field", None)
    field = getattr(form, field_name, None) if field_name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))
