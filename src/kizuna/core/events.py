"""Domain events: written in the caller's transaction (the outbox), read after commit by consumers.

A service calls :func:`emit` inside its ``transaction.atomic`` block, so the event and the change
commit together or not at all. Consumers (workflows, webhooks) read ``DomainEvent`` rows in the worker.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

from .models import DomainEvent, EntryPoint


class OutsideTransactionError(RuntimeError):
    """An event was emitted outside a transaction: it could commit without its change, or vice versa."""


def object_type_of(obj: Model | type[Model]) -> str:
    """``Contact`` -> ``"customers.contact"``."""
    return obj._meta.label_lower


def emit(
    event_type: str,
    *,
    obj: Model | None = None,
    payload: dict[str, Any] | None = None,
    actor: Any = None,
    via: str = EntryPoint.SYSTEM,
    object_type: str = "",
) -> DomainEvent:
    """Record ``event_type`` (``contact.created``) about ``obj`` in the current transaction."""
    if not connection.in_atomic_block:
        raise OutsideTransactionError(f"emit({event_type!r}) must run inside transaction.atomic()")
    return DomainEvent.objects.create(
        event_type=event_type,
        actor=actor if getattr(actor, "pk", None) else None,
        via=via,
        object_type=object_type or (object_type_of(obj) if obj is not None else ""),
        object_id=obj.pk if obj is not None else None,
        payload=payload or {},
    )
