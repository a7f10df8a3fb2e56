"""Undo of a bulk operation from its audit rows: created records deleted, updated ones given back their
before-values — unless someone changed them since (their current values are no longer the ones the
operation wrote), which refuses the undo with the list of records (KZ-IMP-024) unless forced."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models

from kizuna.core import audit, bulk, writes
from kizuna.core.errors import KizunaError
from kizuna.core.models import AuditAction, AuditEntry
from kizuna.customers import records

CHUNK = 2000
REFERENCED = ("customers.company",)  # undone after the records that point to them


def _model(object_type: str) -> type[models.Model]:
    return apps.get_model(object_type)


def _changed_since(entry: AuditEntry, obj: models.Model | None) -> bool:
    if obj is None:
        return False  # deleted since: nothing to restore or remove
    current = audit.snapshot(obj)
    if entry.action == AuditAction.CREATE:
        # The audit row holds every non-empty value the record was created with.
        written = {k: v.get("after") for k, v in entry.changes.items()}
        return any(
            value != written.get(k)
            for k, value in current.items()
            if k in written or value not in (None, "", [], {})
        )
    return any(current.get(k) != v.get("after") for k, v in entry.changes.items() if k in current)


def undo_batch(batch: str, *, actor: Any, force: bool, via: str, job: int) -> dict[str, int]:
    """Undo everything audited under ``batch`` (newest first), in the caller's transaction."""
    entries = list(
        AuditEntry.objects.filter(batch=batch, action__in=[AuditAction.CREATE, AuditAction.UPDATE])
        .order_by("-id")
        .only("id", "action", "object_type", "object_id", "changes")
        .iterator(chunk_size=CHUNK)
    )
    by_type: dict[str, list[AuditEntry]] = {}
    for e in entries:
        by_type.setdefault(e.object_type, []).append(e)
    conflicts: list[str] = []
    current: dict[tuple[str, int], models.Model] = {}
    for object_type, items in by_type.items():
        model = _model(object_type)
        ids = [e.object_id for e in items]
        for start in range(0, len(ids), CHUNK):
            for found in model._default_manager.select_for_update().filter(pk__in=ids[start : start + CHUNK]):
                current[(object_type, found.pk)] = found
        conflicts += [
            f"{model._meta.verbose_name} {e.object_id}"
            for e in items
            if _changed_since(e, current.get((object_type, e.object_id)))
        ]
    if conflicts and not force:
        raise KizunaError(
            "KZ-IMP-024",
            context={"job": job, "count": len(conflicts), "records": ", ".join(conflicts[:10])},
        )
    result = {"deleted": 0, "restored": 0, "gone": 0}
    undo_tag = f"undo:{batch}"
    # Records before the ones they point to (contacts before their companies).
    for object_type, items in sorted(by_type.items(), key=lambda kv: kv[0] in REFERENCED):
        model = _model(object_type)
        for e in items:
            obj = current.get((object_type, e.object_id))
            if obj is None:
                result["gone"] += 1
            elif e.action == AuditAction.UPDATE:
                values = {
                    k: _restore(model, k, v.get("before")) for k, v in e.changes.items() if k in _names(model)
                }
                records._document_update(obj, values)
                writes.record_update(
                    obj,
                    values=values,
                    actor=actor,
                    via=via,
                    event_type=f"{model._meta.model_name}.updated",
                    batch=undo_tag,
                )
                result["restored"] += 1
        created = [
            e for e in items if e.action == AuditAction.CREATE and (object_type, e.object_id) in current
        ]
        _delete(
            model, [current[(object_type, e.object_id)] for e in created], actor=actor, via=via, tag=undo_tag
        )
        result["deleted"] += len(created)
    return result


def _names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def _restore(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    if isinstance(field, models.ForeignKey):
        return field.related_model._default_manager.filter(pk=value).first() if value is not None else None  # type: ignore[union-attr]
    return field.to_python(value) if value is not None else None


def _delete(
    model: type[models.Model], objs: Iterable[models.Model], *, actor: Any, via: str, tag: str
) -> None:
    objs = list(objs)
    if not objs:
        return
    object_type = model._meta.label_lower
    bulk.audit_rows(
        action=AuditAction.DELETE,
        object_type=object_type,
        entries=((o.pk, str(o), {}) for o in objs),
        actor=actor,
        via=via,
        batch=tag,
    )
    bulk.event_rows(
        event_type=f"{model._meta.model_name}.deleted_bulk",
        object_type=object_type,
        entries=[(None, {"batch": tag, "ids": [o.pk for o in objs]})],
        actor=actor,
        via=via,
    )
    ids = [o.pk for o in objs]
    for start in range(0, len(ids), CHUNK):
        model._default_manager.filter(pk__in=ids[start : start + CHUNK]).delete()
