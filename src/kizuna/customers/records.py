"""The shared write path of owned records (companies, contacts, deals, orders, tickets, activities …).

Each app's service is one function per use case (``contact_create``); they all delegate here so that
permissions, cleaning, custom fields, tags, audit and events behave the same for every object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import OwnedModel, User
from kizuna.accounts.visibility import can_view, ensure_can_create, ensure_can_delete, ensure_can_edit
from kizuna.core import audit, bulk, search, writes
from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.models import AuditAction, SearchableModel
from kizuna.core.normalize import normalize_text
from kizuna.core.permissions import Role, Scope

from . import custom_fields
from .models import CustomFieldUniqueValue, Tag

M = TypeVar("M", bound=OwnedModel)
Resolver = Callable[[dict[str, Any]], dict[str, Any]]


def resolve_related(
    model: type[models.Model], value: Any, *, actor: Any, field: str, check_visibility: bool = True
) -> models.Model | None:
    """A related record by id (or the instance itself), visible to ``actor``; else KZ-VAL-011."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, models.Model) else value
    obj = model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None or (check_visibility and isinstance(obj, OwnedModel) and not can_view(actor, obj)):
        raise KizunaError(
            "KZ-VAL-011", context={"object_type": str(model._meta.verbose_name), "value": pk}, field=field
        )
    return obj


def resolve_owner(actor: Any, value: Any, *, field: str = "owner") -> User | None:
    """The owner to assign: an active user within what ``actor`` may assign to (own team unless 'all')."""
    if value in (None, ""):
        return None
    owner = resolve_related(User, value, actor=actor, field=field, check_visibility=False)
    assert isinstance(owner, User)
    if not owner.is_active:
        raise KizunaError("KZ-VAL-011", context={"object_type": "user", "value": owner.pk}, field=field)
    scope = actor.policy.edit
    allowed = (
        scope == Scope.ALL
        or owner.pk == actor.pk
        or (scope == Scope.TEAM and actor.team_id is not None and owner.team_id == actor.team_id)
    )
    if not allowed:
        raise KizunaError(
            "KZ-AUTH-002",
            context={
                "object_type": "user",
                "object_id": owner.pk,
                "role": Role(actor.effective_role).label,
                "action": _("assign records to"),
            },
        )
    return owner


def _set_tags(obj: models.Model, names: Any) -> dict[str, dict[str, Any]]:
    if isinstance(names, str):
        names = list(names.replace("、", ",").split(","))
    if not isinstance(names, list | tuple | set):
        raise KizunaValidationError(
            [
                KizunaError(
                    "KZ-VAL-004",
                    context={
                        "value": str(names)[:40],
                        "kind": "tag list",
                        "reason": "not a list",
                        "expected": '["VIP", "展示会2024"]',
                    },
                    field="tags",
                )
            ]
        )
    clean = sorted({normalize_text(str(n))[:50] for n in names if normalize_text(str(n))})
    manager = obj.tags  # type: ignore[attr-defined]
    before = sorted(manager.values_list("name", flat=True))
    if before == clean:
        return {}
    tags = []
    for name in clean:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    manager.set(tags)
    return {"tags": {"before": before, "after": clean}}


def _document_new(obj: models.Model) -> None:
    if isinstance(obj, SearchableModel):
        obj.search_text = obj.search_document()


def _document_update(obj: models.Model, clean: dict[str, Any]) -> None:
    """Add the new ``search_text`` to ``clean`` when the changes alter the record's search document."""
    if not isinstance(obj, SearchableModel):
        return
    model = type(obj)
    merged = model(**{fld.attname: getattr(obj, fld.attname) for fld in model._meta.concrete_fields})
    for fld in model._meta.concrete_fields:  # related objects already loaded: no query to read them again
        if isinstance(fld, models.ForeignKey) and fld.is_cached(obj):
            fld.set_cached_value(merged, fld.get_cached_value(obj))
    for name, value in clean.items():
        setattr(merged, name, value)
    document = merged.search_document()
    if document != obj.search_text:
        clean["search_text"] = document


def _split(data: Mapping[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    data = dict(data)
    return data, data.pop("tags", None), data.pop("custom", None)


def create_owned(
    model: type[M],
    *,
    specs: Mapping[str, f.FieldSpec],
    data: Mapping[str, Any],
    actor: Any,
    via: str,
    event_type: str,
    resolve: Resolver | None = None,
    custom_type: str | None = None,
    prepare: Callable[[M], None] | None = None,
) -> M:
    """Create one owned record in the caller's transaction. Raises KizunaValidationError on bad input."""
    label = str(model._meta.verbose_name)
    ensure_can_create(actor, object_type=label)
    values, tags, custom = _split(data)
    clean = f.clean_input(specs, values, object_type=label, model=model)
    clean.update(resolve(clean) if resolve else {})
    owner = resolve_owner(actor, clean.pop("owner", None)) or actor
    obj = model(**clean, owner=owner, team_id=owner.team_id)
    if custom_type is not None:
        obj.custom = custom_fields.clean_custom_values(  # type: ignore[attr-defined]
            object_type=custom_type, values=custom or {}, current={}
        )
    if prepare is not None:
        prepare(obj)
    _document_new(obj)
    writes.record_create(obj, actor=actor, via=via, event_type=event_type)
    if custom_type is not None:
        custom_fields.sync_unique_values(obj=obj, object_type=custom_type, custom=obj.custom)  # type: ignore[attr-defined]
    if tags is not None:
        _set_tags(obj, tags)
    return obj


def update_owned(
    obj: M,
    *,
    specs: Mapping[str, f.FieldSpec],
    data: Mapping[str, Any],
    actor: Any,
    via: str,
    event_type: str,
    resolve: Resolver | None = None,
    custom_type: str | None = None,
    expected_version: int | None = None,
    prepare: Callable[[M, dict[str, Any]], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Change ``obj`` (locked by the caller with select_for_update). Returns the field-level changes."""
    ensure_can_edit(actor, obj)
    values, tags, custom = _split(data)
    clean = f.clean_input(
        specs, values, partial=True, object_type=str(obj._meta.verbose_name), model=type(obj)
    )
    clean.update(resolve(clean) if resolve else {})
    if "owner" in clean:
        owner = resolve_owner(actor, clean.pop("owner"))
        if owner is None:
            raise KizunaValidationError([KizunaError("KZ-VAL-001", field="owner")])
        clean.update(owner=owner, team_id=owner.team_id)
    if custom_type is not None and custom is not None:
        clean["custom"] = custom_fields.clean_custom_values(
            object_type=custom_type,
            values=custom,
            current=obj.custom,  # type: ignore[attr-defined]
        )
    if prepare is not None:
        prepare(obj, clean)
    _document_update(obj, clean)
    extra = _set_tags(obj, tags) if tags is not None else {}
    changes = writes.record_update(
        obj,
        values=clean,
        actor=actor,
        via=via,
        event_type=event_type,
        expected_version=expected_version,
        extra_changes=extra,
    )
    if custom_type is not None and "custom" in changes:
        custom_fields.sync_unique_values(obj=obj, object_type=custom_type, custom=obj.custom)  # type: ignore[attr-defined]
    return changes


def delete_owned(
    obj: OwnedModel, *, actor: Any, via: str, event_type: str, custom_type: str | None = None
) -> None:
    ensure_can_delete(actor, obj)
    if custom_type is not None:
        CustomFieldUniqueValue.objects.filter(definition__object_type=custom_type, object_id=obj.pk).delete()
    writes.record_delete(obj, actor=actor, via=via, event_type=event_type)


def lock_visible(model: type[M], *, pk: Any, actor: Any) -> M:
    """The record locked for update, or KZ-AUTH-001 when it does not exist or ``actor`` may not see it.

    Both cases give the same error so that ids of other teams' records cannot be probed.
    """
    obj = model._default_manager.select_for_update().filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None or not can_view(actor, obj):
        raise KizunaError(
            "KZ-AUTH-001",
            context={
                "object_type": str(model._meta.verbose_name),
                "object_id": pk,
                "role": Role(actor.effective_role).label
                if getattr(actor, "effective_role", None)
                else _("anonymous"),
            },
        )
    return obj


_TEMPLATES: dict[type[models.Model], tuple[dict[str, int], list[Any], list[tuple[int, Any]]]] = {}


def new_instance(model: type[M], values: Mapping[str, Any]) -> M:
    """An unsaved ``model`` from ``{attname: value}`` with every other field at its default, built the
    way Django builds rows read from the database (positional): a sixth of the keyword path's cost,
    which a bulk load pays per record."""
    template = _TEMPLATES.get(model)
    if template is None:
        fields = model._meta.concrete_fields
        index = {fld.attname: i for i, fld in enumerate(fields)}
        static = [None if callable(fld.default) else fld.get_default() for fld in fields]
        dynamic = [(i, fld) for i, fld in enumerate(fields) if callable(fld.default)]
        template = _TEMPLATES[model] = (index, static, dynamic)
    index, static, dynamic = template
    args = list(static)
    for i, field in dynamic:
        args[i] = field.get_default()
    for name, value in values.items():
        args[index[name]] = value
    obj = model(*args)
    obj._state.adding = True
    return obj


def bulk_create_owned(
    model: type[M],
    objs: list[M],
    *,
    actor: Any,
    via: str,
    batch: str,
    event_type: str,
    per_record_events: bool,
    tags: dict[int, list[str]] | None = None,
) -> list[M]:
    """Insert cleaned, unsaved ``objs`` (owner and team already set) at bulk speed, in the caller's
    transaction: ids allocated first, then the rows, one audit row each tagged ``batch``, and either one
    ``event_type`` event per record or one ``<event_type>_bulk`` event naming them all (an import with
    automation off must not start a workflow per record). ``tags`` maps an index in ``objs`` to tag names.
    """
    ensure_can_create(actor, object_type=str(model._meta.verbose_name))
    if not objs:
        return objs
    now = timezone.now()
    for obj, pk in zip(objs, bulk.allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj.updated_at = now
        if obj.created_at is None:  # an import may keep when the other system created the record
            obj.created_at = now
        _document_new(obj)
    fields = list(model._meta.concrete_fields)
    search.insert_indexed(
        model,
        [o.pk for o in objs],
        lambda: bulk.insert_rows(
            model, [f.name for f in fields], ([getattr(o, f.attname) for f in fields] for o in objs)
        ),
    )
    object_type = model._meta.label_lower
    snapshots = [audit.snapshot(o) for o in objs]
    bulk.audit_rows(
        action=AuditAction.CREATE,
        object_type=object_type,
        entries=(
            (
                o.pk,
                str(o),
                {k: {"before": None, "after": v} for k, v in snap.items() if v not in (None, "", [], {})},
            )
            for o, snap in zip(objs, snapshots, strict=True)
        ),
        actor=actor,
        via=via,
        batch=batch,
    )
    if per_record_events:
        bulk.event_rows(
            event_type=event_type,
            object_type=object_type,
            entries=(
                (o.pk, {"fields": snap, "batch": batch}) for o, snap in zip(objs, snapshots, strict=True)
            ),
            actor=actor,
            via=via,
        )
    else:
        bulk.event_rows(
            event_type=f"{event_type}_bulk",
            object_type=object_type,
            entries=[(None, {"batch": batch, "ids": [o.pk for o in objs]})],
            actor=actor,
            via=via,
        )
    if tags:
        _bulk_tags(model, {objs[i].pk: names for i, names in tags.items()})
    return objs


def _bulk_tags(model: type[models.Model], names_by_id: dict[int, list[str]]) -> None:
    wanted = sorted({n for names in names_by_id.values() for n in names})
    known = dict(Tag.objects.filter(name__in=wanted).values_list("name", "pk"))
    for name in wanted:
        if name not in known:
            known[name] = Tag.objects.get_or_create(name=name)[0].pk
    through = model.tags.through  # type: ignore[attr-defined]
    owner_column = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        [
            through(**{owner_column: pk, "tag_id": known[n]})
            for pk, names in names_by_id.items()
            for n in names
        ]
    )


def tag_names(value: Any) -> list[str]:
    """``"VIP、展示会2024"`` -> ``["VIP", "展示会2024"]`` (folded, each at most 50 characters)."""
    names = list(value.replace("、", ",").split(",")) if isinstance(value, str) else list(value or [])
    return sorted({normalize_text(str(n))[:50] for n in names if normalize_text(str(n))})
