"""The timeline: activities (call, meeting, email, note) and tasks, attached to any main record.

This app sits after sales and support so that activities and tasks hold real foreign keys to
contacts, companies, deals and tickets (ARCHITECTURE.md placed the timeline in customers; a
generic relation there would lose referential integrity).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import OwnedModel
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Deal
from kizuna.support.models import Priority, Ticket

HAS_SUBJECT = (
    models.Q(contact__isnull=False)
    | models.Q(company__isnull=False)
    | models.Q(deal__isnull=False)
    | models.Q(ticket__isnull=False)
)


def _related(model: type[models.Model], verbose_name: Any, related_name: str) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        model,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name=related_name,
    )


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    NOTE = "note", _("Note")


class ActivityDirection(models.TextChoices):
    """Which way a message went: from the customer (inbound) or to them (outbound)."""

    NONE = "", _("Not a message")
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("To the customer")


class Activity(OwnedModel):
    contact = _related(Contact, _("contact"), "activities")
    company = _related(Company, _("company"), "activities")
    deal = _related(Deal, _("deal"), "activities")
    ticket = _related(Ticket, _("ticket"), "activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    # Emails on a ticket's conversation: the customer's messages and our replies. A database
    # default so bulk loaders that do not name the column keep working.
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=ActivityDirection.choices,
        default=ActivityDirection.NONE,
        db_default=ActivityDirection.NONE,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_time_idx"),
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time_idx"),
        ]
        constraints = [models.CheckConstraint(condition=HAS_SUBJECT, name="activity_has_related_record")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(OwnedModel):
    contact = _related(Contact, _("contact"), "tasks")
    company = _related(Company, _("company"), "tasks")
    deal = _related(Deal, _("deal"), "tasks")
    ticket = _related(Ticket, _("ticket"), "tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    remind_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["contact", "-created_at"], name="task_contact_created_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()
