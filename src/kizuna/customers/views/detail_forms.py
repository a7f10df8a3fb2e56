"""Forms of the record pages: profile inline edit (built-in and custom fields) and quick actions.

The forms only parse; the services validate. So no field is ``required`` here (the service answers
with a coded KZ-VAL-001 next to the field), and only the fields the user changed are sent, so a value
stored by an import that no longer passes today's rules never blocks an unrelated edit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.visibility import can_view

from ..models import Company, Contact, CustomFieldDefinition, CustomFieldType

CONTACT_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "company",
    "department",
    "title",
    "email",
    "phone",
    "mobile",
    "postal_code",
    "prefecture",
    "city",
    "address_line1",
    "address_line2",
    "birth_date",
    "source",
    "lifecycle_status",
    "consent_state",
    "consent_source",
    "owner",
)
COMPANY_FIELDS = (
    "name",
    "name_kana",
    "corporate_number",
    "industry",
    "size",
    "website",
    "phone",
    "postal_code",
    "prefecture",
    "city",
    "address_line1",
    "address_line2",
    "owner",
)
LABELS = {"phone": _("phone"), "mobile": _("mobile")}  # the model's "(E.164)" is storage detail
_COMPANY_REF = re.compile(r"#(\d+)\)?\s*$")


def company_label(company: Company) -> str:
    """How a company is offered and shown in the contact form: ``"株式会社山田商事 (#12)"``."""
    return f"{company.name} (#{company.pk})"


def parse_company(value: str) -> Any:
    """The company id from ``"… (#12)"`` or ``"12"``; other text is passed on for the service to refuse."""
    value = value.strip()
    if not value:
        return None
    match = _COMPANY_REF.search(value)
    return int(match.group(1)) if match else value


def local_datetime(value: str) -> Any:
    """A ``datetime-local`` value in the user's time zone; unreadable text goes to the service as is."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _choice_pairs(definition: CustomFieldDefinition) -> list[tuple[str, str]]:
    pairs = []
    for choice in definition.choices:
        if isinstance(choice, dict):
            value = str(choice.get("value", ""))
            pairs.append((value, str(choice.get("label") or value)))
        else:
            pairs.append((str(choice), str(choice)))
    return pairs


def custom_form_field(definition: CustomFieldDefinition, language: str) -> forms.Field:
    label = definition.label(language)
    kind = definition.field_type
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *_choice_pairs(definition)])
    if kind == CustomFieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=_choice_pairs(definition),
            widget=forms.CheckboxSelectMultiple,
        )
    if kind == CustomFieldType.BOOLEAN:
        return forms.ChoiceField(
            label=label, required=False, choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]
        )
    widgets: dict[str, forms.Widget] = {
        CustomFieldType.DATE: forms.DateInput(attrs={"type": "date"}),
        CustomFieldType.NUMBER: forms.TextInput(attrs={"inputmode": "decimal"}),
        CustomFieldType.EMAIL: forms.EmailInput(),
        CustomFieldType.PHONE: forms.TextInput(attrs={"type": "tel"}),
        CustomFieldType.URL: forms.URLInput(),
    }
    return forms.CharField(label=label, required=False, widget=widgets.get(kind, forms.TextInput()))


def custom_initial(definition: CustomFieldDefinition, value: Any) -> Any:
    if value is None:
        return [] if definition.field_type == CustomFieldType.MULTI_CHOICE else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, list) else str(value)


def _model_form_field(model: type[models.Model], name: str, owners: Sequence[Any]) -> forms.Field:
    model_field: Any = model._meta.get_field(name)
    label = capfirst(LABELS.get(name, model_field.verbose_name))
    if name == "owner":
        return forms.ChoiceField(label=label, required=False, choices=[(str(u.pk), str(u)) for u in owners])
    if name == "company":
        return forms.CharField(
            label=label,
            required=False,
            help_text=_("Type part of the name and pick a company."),
            widget=forms.TextInput(attrs={"list": "company-options", "autocomplete": "off"}),
        )
    if name == "prefecture":
        return forms.CharField(
            label=label, required=False, widget=forms.TextInput(attrs={"list": "prefecture-options"})
        )
    if model_field.choices:
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *model_field.choices])
    widget: forms.Widget = forms.TextInput()
    if isinstance(model_field, models.DateField):
        widget = forms.DateInput(attrs={"type": "date"})
    elif isinstance(model_field, models.EmailField):
        widget = forms.EmailInput()
    elif isinstance(model_field, models.URLField):
        widget = forms.URLInput()
    elif name in ("phone", "mobile"):
        widget = forms.TextInput(attrs={"type": "tel"})
    return forms.CharField(label=label, required=False, widget=widget)


def _model_initial(record: Any, name: str, user: Any) -> Any:
    if name in ("phone", "mobile"):
        return getattr(record, f"{name}_raw") or getattr(record, name)
    if name == "owner":
        return str(record.owner_id or "")
    if name == "company":
        company = record.company
        if company is None:
            return ""
        return company_label(company) if can_view(user, company) else f"#{company.pk}"
    value = getattr(record, name)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


class ProfileForm(forms.Form):
    """A contact's or company's profile: every editable field, custom fields as ``custom.<key>``."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        record: Contact | Company,
        user: Any,
        definitions: Iterable[CustomFieldDefinition],
        owners: Sequence[Any],
        language: str,
    ) -> None:
        names = CONTACT_FIELDS if isinstance(record, Contact) else COMPANY_FIELDS
        owners = list(owners)
        if record.owner is not None and record.owner_id not in {u.pk for u in owners}:
            owners.append(record.owner)  # the current owner stays selectable (and unchanged)
        initial: dict[str, Any] = {"version": record.version}
        super().__init__(data, initial=initial, auto_id="profile-%s")
        self.required_names = {"family_name" if isinstance(record, Contact) else "name"}
        for name in names:
            self.fields[name] = _model_form_field(type(record), name, owners)
            initial[name] = _model_initial(record, name, user)
        self.fields["tags"] = forms.CharField(
            label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
        )
        initial["tags"] = ", ".join(t.name for t in record.tags.all())
        for definition in definitions:
            key = f"custom.{definition.key}"
            self.fields[key] = custom_form_field(definition, language)
            initial[key] = custom_initial(definition, record.custom.get(definition.key))
            if definition.required:
                self.required_names.add(key)

    def service_data(self) -> dict[str, Any]:
        """The changed values, in the service's shape (``custom`` nested, ``company`` as an id)."""
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for name in self.changed_data:
            value = self.cleaned_data.get(name)
            if name == "version":
                continue
            if name.startswith("custom."):
                custom[name[7:]] = value if value not in ("", []) else None
            elif name == "tags":
                data["tags"] = [t.strip() for t in re.split("[,、]", value or "") if t.strip()]
            elif name == "company":
                data["company"] = parse_company(value or "")
            else:
                data[name] = value
        if custom:
            data["custom"] = custom
        return data


def _model_label(model: type[models.Model], name: str) -> str:
    field: Any = model._meta.get_field(name)
    return capfirst(str(field.verbose_name))


class ActivityQuickForm(forms.Form):
    """Log a call or add a note: subject, body and when (empty = now)."""

    kind = forms.CharField(widget=forms.HiddenInput)
    subject = forms.CharField(required=False)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    occurred_at = forms.CharField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kizuna.activities.models import Activity

        super().__init__(*args, **kwargs)
        self.required_names: set[str] = set()
        for name in ("subject", "body", "occurred_at"):
            self.fields[name].label = _model_label(Activity, name)

    def service_data(self, subject: Contact | Company) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.cleaned_data["kind"],
            "subject": self.cleaned_data["subject"],
            "body": self.cleaned_data["body"],
            "contact" if isinstance(subject, Contact) else "company": subject.pk,
        }
        occurred_at = local_datetime(self.cleaned_data["occurred_at"])
        if occurred_at is not None:
            data["occurred_at"] = occurred_at
        return data


class TaskQuickForm(forms.Form):
    """Create a task on the record: title, due date and time, assignee (default: me)."""

    title = forms.CharField(required=False)
    due_at = forms.CharField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    assignee = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, owners: Sequence[Any], user: Any, **kwargs: Any) -> None:
        from kizuna.activities.models import Task

        kwargs.setdefault("initial", {"assignee": str(user.pk)})
        super().__init__(*args, **kwargs)
        self.required_names = {"title"}
        for name in ("title", "due_at", "assignee"):
            self.fields[name].label = _model_label(Task, name)
        choice_field: Any = self.fields["assignee"]
        choice_field.choices = [(str(u.pk), str(u)) for u in owners] or [(str(user.pk), str(user))]

    def service_data(self, subject: Contact | Company) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.cleaned_data["title"],
            "contact" if isinstance(subject, Contact) else "company": subject.pk,
        }
        if self.cleaned_data["assignee"]:
            data["assignee"] = self.cleaned_data["assignee"]
        due_at = local_datetime(self.cleaned_data["due_at"])
        if due_at is not None:
            data["due_at"] = due_at
        return data
