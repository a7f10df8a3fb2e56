"""Forms of the task screens. They only parse input; the task services validate and raise coded errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kizuna.support.forms import LocalDateTimeField, select, set_choices, user_choices
from kizuna.support.models import Priority

from .models import TaskStatus
from .selectors import TaskFilters

RELATED = ("contact", "company", "deal", "ticket")


class TaskFilterForm(forms.Form):
    """The task list's filters; a value that is not one of the choices is ignored."""

    tab = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("mine", "mine"), ("team", "team"), ("overdue", "overdue")],
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    due_from = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label=_("Due to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", [("", _("Open and in progress")), ("all", _("All")), *TaskStatus.choices])
        set_choices(self, "priority", [("", _("Any")), *Priority.choices])

    def filters(self) -> TaskFilters:
        self.is_valid()
        data = self.cleaned_data
        return TaskFilters(
            tab=data.get("tab") or "mine",
            status=data.get("status") or "",
            priority=data.get("priority") or "",
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
        )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_at = LocalDateTimeField(label=_("Due"))
    remind_at = LocalDateTimeField(
        label=_("Reminder"), help_text=_("From this time the task is shown in your reminders.")
    )
    priority = select(Priority.choices, label=_("Priority"), initial=Priority.NORMAL)
    status = select(TaskStatus.choices, label=_("Status"))
    assignee = select((), label=_("Assignee"))
    contact = forms.CharField(required=False, widget=forms.HiddenInput)
    company = forms.CharField(required=False, widget=forms.HiddenInput)
    deal = forms.CharField(required=False, widget=forms.HiddenInput)
    ticket = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, users: Any = (), current_assignee: Any = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = list(users)
        if current_assignee is not None and current_assignee not in people:
            people.append(current_assignee)
        self.fields["assignee"].widget.choices = user_choices(people, blank=_("Me (default)"))
        if editing:
            # The record a task hangs on is chosen when it is created.
            for name in RELATED:
                del self.fields[name]
            self.fields["assignee"].widget.choices = user_choices(people, blank=_("Unassigned"))
        else:
            del self.fields["status"]
