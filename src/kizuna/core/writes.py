"""The one way a service saves a record: validate, save, audit row and domain event in one transaction.

Unique-constraint races are translated into coded errors naming the field and the record already
holding the value (KZ-VAL-002); any other constraint failure becomes KZ-DB-001. Never a raw
IntegrityError.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F

from . import audit, events
from .errors import KizunaError
from .models import AuditAction

M = TypeVar("M", bound=models.Model)


def _unique_field_sets(obj: models.Model) -> Iterator[tuple[str, ...]]:
    opts = obj._meta
    for f in opts.concrete_fields:
        if f.unique and not f.primary_key:
            yield (f.name,)
    for constraint in opts.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
        ):
            yield tuple(constraint.fields)


def find_unique_conflict(obj: models.Model) -> KizunaError | None:
    """The KZ-VAL-002 error for the first unique field of ``obj`` another row already holds."""
    model = type(obj)
    for names in _unique_field_sets(obj):
        attnames = {n: _attname(obj, n) for n in names}
        values = {n: getattr(obj, a) for n, a in attnames.items()}
        if any(v in (None, "") for v in values.values()):
            continue
        lookup = {attnames[n]: v for n, v in values.items()}
        existing = (
            model._default_manager.filter(**lookup).exclude(pk=obj.pk).values_list("pk", flat=True).first()
        )
        if existing is not None:
            field_name = names[-1]
            return KizunaError(
                "KZ-VAL-002",
                context={
                    "object_type": str(model._meta.verbose_name),
                    "existing_id": existing,
                    "value": values[field_name],
                    # The texts name the field as a person knows it (メールアドレス / email address).
                    "field": getattr(model._meta.get_field(field_name), "verbose_name", field_name),
                },
                field=field_name,
            )
    return None


def _attname(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    return str(getattr(field, "attname", name))


@contextmanager
def translate_integrity_errors(obj: models.Model) -> Iterator[None]:
    """Run a save in a savepoint; turn IntegrityError into a coded error about ``obj``."""
    try:
        with transaction.atomic():
            yield
    except (models.ProtectedError, models.RestrictedError):
        raise  # subclasses of IntegrityError that Django raises before touching the database
    except IntegrityError as exc:
        conflict = find_unique_conflict(obj)
        if conflict is not None:
            raise conflict from exc
        raise KizunaError(
            "KZ-DB-001",
            context={"detail": str(exc).splitlines()[0][:300], "object_type": obj._meta.label_lower},
        ) from exc


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise events.OutsideTransactionError("record writes must run inside transaction.atomic()")


def record_create(
    obj: M, *, actor: Any, via: str, event_type: str, payload: dict[str, Any] | None = None
) -> M:
    """Insert ``obj`` and write its audit row and ``event_type`` event."""
    _require_transaction()
    conflict = find_unique_conflict(obj)
    if conflict is not None:
        raise conflict
    with translate_integrity_errors(obj):
        obj.save(force_insert=True)
    audit.record_create(obj=obj, actor=actor, via=via)
    events.emit(
        event_type, obj=obj, actor=actor, via=via, payload={"fields": audit.snapshot(obj), **(payload or {})}
    )
    return obj


def record_update(
    obj: M,
    *,
    values: dict[str, Any],
    actor: Any,
    via: str,
    event_type: str,
    expected_version: int | None = None,
    extra_changes: dict[str, dict[str, Any]] | None = None,
    batch: str = "",
    emit_event: bool = True,
) -> dict[str, dict[str, Any]]:
    """Apply ``values`` to ``obj``; write audit and event only if something changed. Returns the changes.

    ``obj`` must have been read with ``select_for_update()`` in this transaction. With
    ``expected_version``, a concurrent edit since the caller read the record is refused (KZ-VAL-013).
    A bulk operation passes its ``batch`` for the audit row, and ``emit_event=False`` when it writes
    one summary event itself (an import with automation off).
    """
    _require_transaction()
    current_version = getattr(obj, "version", None)
    if expected_version is not None and current_version is not None and expected_version != current_version:
        raise KizunaError(
            "KZ-VAL-013",
            context={
                "object_type": str(obj._meta.verbose_name),
                "current_version": current_version,
                "expected_version": expected_version,
            },
        )
    before = audit.snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    after = audit.snapshot(obj)
    changes = audit.diff(before, after)
    changes.update(extra_changes or {})
    if not changes:
        return {}
    update_fields = sorted({obj._meta.get_field(n).name for n in values if _is_concrete(obj, n)})
    if current_version is not None:
        obj.version = F("version") + 1  # type: ignore[attr-defined]
        update_fields.append("version")
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update_fields.append("updated_at")
    conflict = find_unique_conflict(obj)
    if conflict is not None:
        raise conflict
    with translate_integrity_errors(obj):
        obj.save(update_fields=update_fields)
    if current_version is not None:
        obj.refresh_from_db(fields=["version"])
    audit.record(action=AuditAction.UPDATE, obj=obj, actor=actor, via=via, changes=changes, batch=batch)
    if emit_event:
        events.emit(event_type, obj=obj, actor=actor, via=via, payload={"changed": changes})
    return changes


def _is_concrete(obj: models.Model, name: str) -> bool:
    try:
        field = obj._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist or a reverse relation: not saved here
        return False
    return bool(getattr(field, "concrete", False)) and not getattr(field, "many_to_many", False)


def record_delete(obj: models.Model, *, actor: Any, via: str, event_type: str) -> None:
    """Delete ``obj`` after writing its final state to the audit log and the event."""
    _require_transaction()
    state = audit.snapshot(obj)
    pk = obj.pk
    audit.record(
        action=AuditAction.DELETE,
        obj=obj,
        actor=actor,
        via=via,
        changes={k: {"before": v, "after": None} for k, v in state.items() if v not in (None, "", [], {})},
    )
    events.emit(event_type, obj=obj, actor=actor, via=via, payload={"fields": state})
    try:
        with translate_integrity_errors(obj):
            obj.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        blockers = sorted({str(o._meta.verbose_name) for o in exc.args[1]})
        raise KizunaError(
            "KZ-VAL-015",
            context={
                "object_type": str(obj._meta.verbose_name),
                "object_id": pk,
                "related": ", ".join(blockers),
                "count": len(exc.args[1]),
            },
        ) from exc
    obj.pk = pk


def m2m_names(related: Iterable[models.Model]) -> list[str]:
    return sorted(str(r) for r in related)
