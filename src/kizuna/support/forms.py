"""Forms of the ticket screens. They only parse input; the services validate and raise coded errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import Priority, TicketChannel, TicketStatus
from .selectors import TicketFilters

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.CharField):
    """A ``datetime-local`` input read in the user's time zone.

    A value that cannot be read is passed on as typed, so the service refuses it with its coded error
    (KZ-VAL-004) next to the field.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime(LOCAL_INPUT_FORMAT)
        return value

    def to_python(self, value: Any) -> Any:
        text = str(super().to_python(value) or "").strip()
        if not text:
            return None
        parsed = parse_datetime(text.replace(" ", "T", 1))
        if parsed is None:
            return text
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def select(choices: Any, **kwargs: Any) -> forms.CharField:
    """A drop-down whose value the service checks (an unknown value gets KZ-VAL-003, not Django's text)."""
    kwargs.setdefault("required", False)
    return forms.CharField(widget=forms.Select(choices=choices), **kwargs)


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def user_choices(users: Any, *, blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *((str(u.pk), str(u)) for u in users)]


OPEN_LABEL = _("Open (new, open, waiting)")


class TicketFilterForm(forms.Form):
    """The queue's filters; a value that is not one of the choices is ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[("", _("Any")), ("breached", _("Breached SLA")), ("soon", _("Due within 4 h"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("sla", _("SLA due (soonest first)")), ("newest", _("Newest first"))],
    )

    def __init__(self, *args: Any, users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", [("", OPEN_LABEL), ("all", _("All")), *TicketStatus.choices])
        set_choices(self, "priority", [("", _("Any")), *Priority.choices])
        set_choices(self, "channel", [("", _("Any")), *TicketChannel.choices])
        people = [(str(u.pk), str(u)) for u in users]
        set_choices(
            self, "assignee", [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned")), *people]
        )

    def filters(self) -> TicketFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        return TicketFilters(**{**data, "sort": data["sort"] or "sla"})


class TriageForm(forms.Form):
    status = select(TicketStatus.choices, label=_("Status"))
    priority = select(Priority.choices, label=_("Priority"))
    assignee = select((), label=_("Assignee"))

    def __init__(self, *args: Any, users: Any = (), current_assignee: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = list(users)
        if current_assignee is not None and current_assignee not in people:
            people.append(current_assignee)  # shown even when this user may not assign to them
        self.fields["assignee"].widget.choices = user_choices(people, blank=_("Unassigned"))


class MessageForm(forms.Form):
    """A reply, an internal note or a customer's message: one text."""

    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class TicketCreateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False)
    body = forms.CharField(
        label=_("Customer's message"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    channel = select(TicketChannel.choices, label=_("Channel"))
    priority = select(Priority.choices, label=_("Priority"), initial=Priority.NORMAL)
    assignee = select((), label=_("Assignee"))
    sla_due_at = LocalDateTimeField(
        label=_("SLA due"), help_text=_("When the customer must have an answer, in your time zone.")
    )
    contact = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].widget.choices = user_choices(users, blank=_("Unassigned"))
