"""Every write to the timeline: activities and tasks, attached to a contact, company, deal or ticket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kizuna.accounts.visibility import ensure_can_edit
from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.customers import records
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Deal
from kizuna.support.models import Priority, Ticket
from kizuna.support.services import ticket_update

from .models import Activity, ActivityDirection, ActivityKind, Task, TaskStatus

RELATED = (("contact", Contact), ("company", Company), ("deal", Deal), ("ticket", Ticket))
RELATED_FIELDS: dict[str, f.FieldSpec] = {name: f.Passthrough() for name, _ in RELATED}

ACTIVITY_FIELDS: dict[str, f.FieldSpec] = {
    "kind": f.Choice(required=True, choices=ActivityKind.choices),
    "subject": f.Text(max_length=200),
    "body": f.Text(multiline=True, max_length=100_000),
    "occurred_at": f.DateTime(),
    "direction": f.Choice(choices=ActivityDirection.choices, blank_value=ActivityDirection.NONE),
    **RELATED_FIELDS,
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}

TASK_FIELDS: dict[str, f.FieldSpec] = {
    "title": f.Text(required=True, max_length=200),
    "description": f.Text(multiline=True, max_length=10_000),
    "due_at": f.DateTime(),
    "assignee": f.Passthrough(),
    "status": f.Choice(choices=TaskStatus.choices, blank_value=TaskStatus.OPEN),
    "priority": f.Choice(choices=Priority.choices, blank_value=Priority.NORMAL),
    "remind_at": f.DateTime(),
    **RELATED_FIELDS,
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}


def _resolver(actor: Any, *, required: bool) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, model in RELATED:
            if name in clean:
                out[name] = records.resolve_related(model, clean[name], actor=actor, field=name)
        if "assignee" in clean:
            out["assignee"] = records.resolve_owner(actor, clean["assignee"], field="assignee")
        if required and not any(out.get(name) for name, _ in RELATED):
            raise KizunaValidationError([KizunaError("KZ-VAL-001", field="contact")])
        return out

    return resolve


@transaction.atomic
def activity_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Activity:
    """Log a call, meeting, email or note on a record's timeline."""

    def prepare(activity: Activity) -> None:
        activity.author = actor if getattr(actor, "pk", None) else None
        activity.occurred_at = activity.occurred_at or timezone.now()

    return records.create_owned(
        Activity,
        specs=ACTIVITY_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="activity.created",
        resolve=_resolver(actor, required=True),
        prepare=prepare,
    )


@transaction.atomic
def task_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Task:
    def prepare(task: Task) -> None:
        if task.assignee_id is None:
            task.assignee = actor

    return records.create_owned(
        Task,
        specs=TASK_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="task.created",
        resolve=_resolver(actor, required=False),
        prepare=prepare,
    )


@transaction.atomic
def task_update(*, actor: Any, task_id: int, data: Mapping[str, Any], via: str = "ui") -> Task:
    task = records.lock_visible(Task, pk=task_id, actor=actor)

    def prepare(obj: Task, clean: dict[str, Any]) -> None:
        if "status" in clean:
            clean["completed_at"] = timezone.now() if clean["status"] == TaskStatus.DONE else None

    records.update_owned(
        task,
        specs=TASK_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="task.updated",
        resolve=_resolver(actor, required=False),
        prepare=prepare,
    )
    return task


def task_complete(*, actor: Any, task_id: int, via: str = "ui") -> Task:
    return task_update(actor=actor, task_id=task_id, data={"status": TaskStatus.DONE}, via=via)


def task_dismiss_reminder(*, actor: Any, task_id: int, via: str = "ui") -> Task:
    """Clear a task's reminder once its assignee has seen it (the task itself stays open)."""
    return task_update(actor=actor, task_id=task_id, data={"remind_at": None}, via=via)


def _conversation_owner(actor: Any, ticket: Ticket) -> Any:
    # A message belongs to the ticket's owner, so it is visible wherever the ticket is; when the
    # actor may not assign records to that owner (left the company, moved team) the actor owns it.
    owner = ticket.owner
    if owner is None or not owner.is_active:
        return None
    try:
        records.resolve_owner(actor, owner)
    except KizunaError:
        return None
    return owner


def _ticket_message(
    *, actor: Any, ticket_id: int, kind: str, direction: str, body: str, subject: str, via: str
) -> tuple[Ticket, Activity]:
    ticket = records.lock_visible(Ticket, pk=ticket_id, actor=actor)
    ensure_can_edit(actor, ticket)
    if not (body or "").strip():
        errors = [KizunaError("KZ-VAL-001", field="body")]
        f.label_errors(errors, Activity)
        raise KizunaValidationError(errors)
    data: dict[str, Any] = {
        "kind": kind,
        "direction": direction,
        "subject": subject
        or (f"Re: {ticket.subject}"[:200] if direction == ActivityDirection.OUTBOUND else ""),
        "body": body,
        "ticket": ticket,
        "owner": _conversation_owner(actor, ticket),
    }
    return ticket, activity_create(actor=actor, data=data, via=via)


@transaction.atomic
def ticket_reply_create(
    *, actor: Any, ticket_id: int, body: str, subject: str = "", via: str = "ui"
) -> Activity:
    """Record a reply to the customer on a ticket (an outbound email activity; sending comes later).

    The first reply sets the ticket's ``first_response_at`` (through ticket_update, so it is audited).
    """
    ticket, activity = _ticket_message(
        actor=actor,
        ticket_id=ticket_id,
        kind=ActivityKind.EMAIL,
        direction=ActivityDirection.OUTBOUND,
        body=body,
        subject=subject,
        via=via,
    )
    if ticket.first_response_at is None:
        ticket_update(
            actor=actor, ticket_id=ticket.pk, data={"first_response_at": activity.occurred_at}, via=via
        )
    return activity


@transaction.atomic
def ticket_note_create(*, actor: Any, ticket_id: int, body: str, via: str = "ui") -> Activity:
    """Add an internal note to a ticket's conversation: seen by colleagues, never by the customer."""
    _, activity = _ticket_message(
        actor=actor,
        ticket_id=ticket_id,
        kind=ActivityKind.NOTE,
        direction=ActivityDirection.NONE,
        body=body,
        subject="",
        via=via,
    )
    return activity


@transaction.atomic
def ticket_customer_message_create(
    *, actor: Any, ticket_id: int, body: str, subject: str = "", via: str = "ui"
) -> Activity:
    """Record a message the customer sent (an inbound email activity), e.g. pasted from a mailbox."""
    _, activity = _ticket_message(
        actor=actor,
        ticket_id=ticket_id,
        kind=ActivityKind.EMAIL,
        direction=ActivityDirection.INBOUND,
        body=body,
        subject=subject,
        via=via,
    )
    return activity
