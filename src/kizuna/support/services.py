"""Every write to tickets (inquiries) and feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.customers import records
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Order

from .models import Feedback, FeedbackKind, Priority, Ticket, TicketChannel, TicketStatus

TICKET_FIELDS: dict[str, f.FieldSpec] = {
    "subject": f.Text(required=True, max_length=200),
    "body": f.Text(multiline=True, max_length=100_000),
    "channel": f.Choice(choices=TicketChannel.choices, blank_value=TicketChannel.EMAIL),
    "status": f.Choice(choices=TicketStatus.choices, blank_value=TicketStatus.NEW),
    "priority": f.Choice(choices=Priority.choices, blank_value=Priority.NORMAL),
    "assignee": f.Passthrough(),
    "contact": f.Passthrough(),
    "company": f.Passthrough(),
    "sla_due_at": f.DateTime(),
    "first_response_at": f.DateTime(),
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}


def _ticket_resolver(actor: Any) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, model in (("company", Company), ("contact", Contact)):
            if name in clean:
                out[name] = records.resolve_related(model, clean[name], actor=actor, field=name)
        if "assignee" in clean:
            out["assignee"] = records.resolve_owner(actor, clean["assignee"], field="assignee")
        return out

    return resolve


def _ticket_times(ticket: Ticket, clean: dict[str, Any]) -> None:
    status = clean.get("status", ticket.status)
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        clean.setdefault("resolved_at", ticket.resolved_at or timezone.now())
    elif "status" in clean:
        clean["resolved_at"] = None


@transaction.atomic
def ticket_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Ticket:
    def prepare(ticket: Ticket) -> None:
        clean: dict[str, Any] = {}
        _ticket_times(ticket, clean)
        for k, v in clean.items():
            setattr(ticket, k, v)

    return records.create_owned(
        Ticket,
        specs=TICKET_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="ticket.created",
        resolve=_ticket_resolver(actor),
        custom_type="support.ticket",
        prepare=prepare,
    )


@transaction.atomic
def ticket_update(
    *,
    actor: Any,
    ticket_id: int,
    data: Mapping[str, Any],
    via: str = "ui",
    expected_version: int | None = None,
) -> Ticket:
    ticket = records.lock_visible(Ticket, pk=ticket_id, actor=actor)
    if data.get("status"):
        # Every entry point (UI, API, import, workflow) follows the same status rules.
        status = f.clean_input(
            {"status": TICKET_FIELDS["status"]},
            {"status": data["status"]},
            partial=True,
            object_type="ticket",
            model=Ticket,
        )["status"]
        ticket_status_check(current=ticket.status, target=status)
    records.update_owned(
        ticket,
        specs=TICKET_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="ticket.updated",
        resolve=_ticket_resolver(actor),
        custom_type="support.ticket",
        expected_version=expected_version,
        prepare=_ticket_times,
    )
    return ticket


# Where a ticket may go from each status. Staying put is always allowed; nothing goes back to "new".
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    TicketStatus.NEW: (TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.RESOLVED, TicketStatus.CLOSED),
    TicketStatus.OPEN: (TicketStatus.PENDING, TicketStatus.RESOLVED, TicketStatus.CLOSED),
    TicketStatus.PENDING: (TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED),
    TicketStatus.RESOLVED: (TicketStatus.OPEN, TicketStatus.CLOSED),
    TicketStatus.CLOSED: (TicketStatus.OPEN,),
}
TRIAGE_FIELDS = ("status", "priority", "assignee")


def ticket_status_check(*, current: str, target: str) -> None:
    """Refuse a status change the queue does not allow (KZ-VAL-003 naming the allowed next statuses)."""
    allowed = STATUS_TRANSITIONS.get(current, ())
    if target == current or target in allowed:
        return
    labels = dict(TicketStatus.choices)
    error = KizunaError(
        "KZ-VAL-003",
        context={
            "value": labels.get(target, target),
            "allowed": ", ".join(str(labels[s]) for s in allowed),
        },
        field="status",
    )
    f.label_errors([error], Ticket)
    raise KizunaValidationError([error])


@transaction.atomic
def ticket_triage(
    *,
    actor: Any,
    ticket_id: int,
    data: Mapping[str, Any],
    via: str = "ui",
    expected_version: int | None = None,
) -> Ticket:
    """Change a ticket's status, priority or assignee from the queue; status follows STATUS_TRANSITIONS."""
    clean = f.clean_input(
        {name: TICKET_FIELDS[name] for name in TRIAGE_FIELDS},
        data,
        partial=True,
        object_type="ticket",
        model=Ticket,
    )
    ticket = records.lock_visible(Ticket, pk=ticket_id, actor=actor)
    if "status" in clean:
        ticket_status_check(current=ticket.status, target=clean["status"])
    return ticket_update(
        actor=actor, ticket_id=ticket_id, data=data, via=via, expected_version=expected_version
    )


@transaction.atomic
def ticket_delete(*, actor: Any, ticket_id: int, via: str = "ui") -> None:
    ticket = records.lock_visible(Ticket, pk=ticket_id, actor=actor)
    records.delete_owned(
        ticket, actor=actor, via=via, event_type="ticket.deleted", custom_type="support.ticket"
    )


FEEDBACK_FIELDS: dict[str, f.FieldSpec] = {
    "kind": f.Choice(choices=FeedbackKind.choices, blank_value=FeedbackKind.RATING),
    "score": f.Integer(required=True, min_value=0, max_value=10),
    "comment": f.Text(multiline=True, max_length=10_000),
    "contact": f.Passthrough(),
    "ticket": f.Passthrough(),
    "order": f.Passthrough(),
    "received_at": f.DateTime(),
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}


def _feedback_resolver(actor: Any) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, model in (("contact", Contact), ("ticket", Ticket), ("order", Order)):
            if name in clean:
                out[name] = records.resolve_related(model, clean[name], actor=actor, field=name)
        return out

    return resolve


@transaction.atomic
def feedback_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Feedback:
    """Record a rating (1–5) or an NPS answer (0–10) linked to a contact, ticket or order."""

    def prepare(feedback: Feedback) -> None:
        low, high = (1, 5) if feedback.kind == FeedbackKind.RATING else (0, 10)
        if not low <= feedback.score <= high:
            raise KizunaValidationError(
                [
                    KizunaError(
                        "KZ-VAL-004",
                        context={
                            "value": feedback.score,
                            "kind": feedback.get_kind_display(),
                            "reason": "out of range",
                            "expected": f"{low}–{high}",
                        },
                        field="score",
                    )
                ]
            )
        if feedback.received_at is None:
            feedback.received_at = timezone.now()

    return records.create_owned(
        Feedback,
        specs=FEEDBACK_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="feedback.created",
        resolve=_feedback_resolver(actor),
        prepare=prepare,
    )
