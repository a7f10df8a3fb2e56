"""Showing coded errors on Django forms: each next to its field, with the remedy, in the user's language."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html

from kizuna.core.errors import KizunaError, KizunaValidationError


def error_message(error: KizunaError) -> str:
    """ "<cause> <remedy> (KZ-…)" as safe HTML for a form error list."""
    return format_html(
        '{} <span class="remedy">{}</span> <code>{}</code>', error.cause(), error.remedy(), error.code
    )


def apply_errors(form: forms.Form, exc: KizunaError) -> None:
    """Attach ``exc`` (or each error of a KizunaValidationError) to the form fields it names.

    An error naming a field the form does not show goes to the form's non-field errors, so it is
    never dropped.
    """
    errors = exc.errors if isinstance(exc, KizunaValidationError) else [exc]
    for error in errors:
        name = error.field if error.field in form.fields else None
        form.add_error(name, error_message(error))
