"""Back office for tickets (inquiries) and feedback; writes go through support.services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.admin import OWNER_FIELDSET, RECORD_FIELDSET, OwnedRecordAdmin
from kizuna.core.admin_support import record_service

from . import services
from .models import Feedback, Ticket

if TYPE_CHECKING:
    pass


@admin.register(Ticket)
class TicketAdmin(OwnedRecordAdmin):
    service = record_service(
        id_arg="ticket_id",
        create=services.ticket_create,
        update=services.ticket_update,
        delete=services.ticket_delete,
        versioned=True,
    )
    service_fields = (*services.TICKET_FIELDS, "custom")
    list_display = (
        "subject",
        "status",
        "priority",
        "channel",
        "contact",
        "company",
        "assignee",
        "sla_due_at",
        "created_at",
    )
    list_filter = ("status", "priority", "channel", "team")
    list_select_related = ("contact", "company", "assignee")
    search_fields = ("subject",)
    autocomplete_fields = ("contact", "company", "assignee", "owner")
    fieldsets = (
        (None, {"fields": ("subject", "body", "channel", "status", "priority")}),
        (_("Customer"), {"fields": ("contact", "company")}),
        (_("Handling"), {"fields": ("assignee", "sla_due_at", "first_response_at", "resolved_at")}),
        (_("Custom fields"), {"fields": ("custom",), "classes": ("collapse",)}),
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )


@admin.register(Feedback)
class FeedbackAdmin(OwnedRecordAdmin):
    # Feedback is what a customer said: recorded once, never edited or deleted here.
    service = record_service(id_arg="feedback_id", create=services.feedback_create)
    service_fields = tuple(services.FEEDBACK_FIELDS)
    list_display = ("received_at", "kind", "score", "contact", "ticket", "order", "owner")
    list_filter = ("kind", "team")
    list_select_related = ("contact", "ticket", "order", "owner")
    search_fields = ("comment",)
    autocomplete_fields = ("contact", "ticket", "order", "owner")
    fieldsets = (
        (None, {"fields": ("kind", "score", "comment", "received_at")}),
        (_("About"), {"fields": ("contact", "ticket", "order")}),
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )
