"""The audit log: who changed what, when and how, with field-level before/after values."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditAction, AuditEntry


def field_value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    """The JSON-friendly value of one concrete field (foreign keys as their id)."""
    value = getattr(obj, field.attname)
    return to_json(value)


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete, editable field of ``obj`` as ``{name: json value}``."""
    # Secrets never enter the audit log; bookkeeping fields are noise.
    skip = set(exclude) | {"updated_at", "created_at", "version", "password", "last_login", "search_text"}
    return {
        f.name: field_value(obj, f)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in skip
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"email": {"before": "a@x", "after": "b@x"}}`` for each field whose value changed."""
    keys = before.keys() | after.keys()
    return {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in sorted(keys)
        if before.get(k) != after.get(k)
    }


def record(
    *,
    action: str,
    obj: models.Model,
    actor: Any,
    via: str,
    changes: dict[str, dict[str, Any]],
    batch: str = "",
) -> AuditEntry:
    """Write one audit row; call it inside the service's transaction."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        via=via,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        changes=changes,
        batch=batch,
    )


def record_create(*, obj: models.Model, actor: Any, via: str) -> AuditEntry:
    after = snapshot(obj)
    changes = {k: {"before": None, "after": v} for k, v in after.items() if v not in (None, "", [], {})}
    return record(action=AuditAction.CREATE, obj=obj, actor=actor, via=via, changes=changes)
