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


_SKIPPED = frozenset({"updated_at", "created_at", "version", "password", "last_login", "search_text"})
_PLAIN = (str, int, bool, float)
_SNAPSHOT_FIELDS: dict[type[models.Model], list[tuple[str, str]]] = {}


def _snapshot_fields(model: type[models.Model]) -> list[tuple[str, str]]:
    fields = _SNAPSHOT_FIELDS.get(model)
    if fields is None:
        fields = [
            (f.name, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in _SKIPPED
        ]
        _SNAPSHOT_FIELDS[model] = fields
    return fields


def snapshot(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete, editable field of ``obj`` as ``{name: json value}``."""
    # Secrets never enter the audit log; bookkeeping fields are noise. Bulk writes snapshot every
    # record, so the field list is computed once per model and plain values skip the conversion.
    skip = set(exclude)
    out: dict[str, Any] = {}
    for name, attname in _snapshot_fields(type(obj)):
        if name in skip:
            continue
        value = getattr(obj, attname)
        out[name] = value if value is None or type(value) in _PLAIN else to_json(value)
    return out


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
