"""Back office for the timeline: activities and tasks; writes go through activities.services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.admin import OWNER_FIELDSET, RECORD_FIELDSET, OwnedRecordAdmin
from kizuna.core.admin_support import record_service

from . import services
from .models import Activity, Task

if TYPE_CHECKING:
    from kizuna.core.admin_support import Fieldset

RELATED_FIELDSET: Fieldset = (_("Related record"), {"fields": ("contact", "company", "deal", "ticket")})
RELATED = ("contact", "company", "deal", "ticket")


@admin.register(Activity)
class ActivityAdmin(OwnedRecordAdmin):
    # An activity is history: logged once through the service, not edited afterwards.
    service = record_service(id_arg="activity_id", create=services.activity_create)
    service_fields = tuple(services.ACTIVITY_FIELDS)
    list_display = ("occurred_at", "kind", "subject", *RELATED, "author")
    list_filter = ("kind", "team")
    list_select_related = (*RELATED, "author")
    search_fields = ("subject",)
    autocomplete_fields = (*RELATED, "owner")
    fieldsets = (
        (None, {"fields": ("kind", "subject", "body", "occurred_at", "author")}),
        RELATED_FIELDSET,
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )


@admin.register(Task)
class TaskAdmin(OwnedRecordAdmin):
    service = record_service(id_arg="task_id", create=services.task_create, update=services.task_update)
    service_fields = tuple(services.TASK_FIELDS)
    list_display = ("title", "status", "priority", "due_at", "assignee", *RELATED, "owner")
    list_filter = ("status", "priority", "team")
    list_select_related = (*RELATED, "assignee", "owner")
    search_fields = ("title",)
    autocomplete_fields = (*RELATED, "assignee", "owner")
    fieldsets = (
        (
            None,
            {"fields": ("title", "description", "status", "priority", "due_at", "remind_at", "completed_at")},
        ),
        (_("Assignment"), {"fields": ("assignee",)}),
        RELATED_FIELDSET,
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )
