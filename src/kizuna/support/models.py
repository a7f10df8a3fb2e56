"""Tickets (inquiries) and customer feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import OwnedModel
from kizuna.core.models import SearchableModel
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Order


class TicketChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Chat")
    IN_PERSON = "in_person", _("In person")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The queue: tickets still waiting for the support team.
OPEN_TICKET_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Ticket(OwnedModel, SearchableModel):
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=TicketChannel.choices, default=TicketChannel.EMAIL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW, db_index=True
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, db_index=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Computed by the database from status: the queue's index starts with it. (A partial index on
    # "status IN (…)" is useless to SQLite when the statuses arrive as query parameters.)
    in_queue = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(status__in=OPEN_TICKET_STATUSES), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("in the queue"),
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="ticket_contact_created_idx"),
            # The queue in SLA order reads only the open tickets, however many closed ones pile up.
            models.Index(fields=["in_queue", "sla_due_at", "id"], name="ticket_queue_sla_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def search_parts(self) -> list[str]:
        return [self.subject]


class FeedbackKind(models.TextChoices):
    RATING = "rating", _("Rating (1–5)")
    NPS = "nps", _("NPS (0–10)")


class Feedback(OwnedModel):
    kind = models.CharField(
        _("kind"), max_length=8, choices=FeedbackKind.choices, default=FeedbackKind.RATING
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["contact", "-received_at"], name="feedback_contact_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="rating", score__gte=1, score__lte=5) | models.Q(kind="nps", score__lte=10)
                ),
                name="feedback_score_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score}"
