"""The audit history of a contact or company, for its record page: who changed what, when, how.

A selector-like reader: the user must be able to see the record; related records named in before/after
values are shown by name only when the user may see them (users and teams always), else by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from kizuna.accounts.models import OwnedModel
from kizuna.accounts.visibility import ensure_can_view, visible
from kizuna.core.models import AuditEntry

from .models import Company, Contact, CustomFieldDefinition

HISTORY_PAGE_SIZE = 20
Names = dict[tuple[type[models.Model], Any], str]


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class HistoryRow:
    entry: AuditEntry
    changes: list[FieldChange]


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: list[HistoryRow]
    page: int
    has_next: bool


def record_history(
    *, user: Any, record: Contact | Company, page: int = 1, page_size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """The record's audit entries, newest first, with field labels in the active language.

    A fixed number of queries per page: the entries, the custom field labels, one per related model.
    """
    ensure_can_view(user, record)
    page = max(page, 1)
    start = (page - 1) * page_size
    entries = list(
        AuditEntry.objects.filter(object_type=record._meta.label_lower, object_id=record.pk)
        .select_related("actor")
        .order_by("-at", "-id")[start : start + page_size + 1]
    )
    shown = entries[:page_size]
    model = type(record)
    names = _related_names(user, model, shown)
    language = translation.get_language() or "ja"
    custom_labels = {
        d.key: d.label(language)
        for d in CustomFieldDefinition.objects.filter(object_type=record._meta.label_lower)
    }
    rows = [HistoryRow(entry=e, changes=_changes(model, e.changes, names, custom_labels)) for e in shown]
    return HistoryPage(rows=rows, page=page, has_next=len(entries) > page_size)


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _foreign_key(field: Any) -> bool:
    return field is not None and field.is_relation and not field.many_to_many and field.related_model


def _related_names(user: Any, model: type[models.Model], entries: list[AuditEntry]) -> Names:
    """``{(related model, id): label}`` for every foreign key value in ``entries``, one query per model."""
    wanted: dict[type[models.Model], set[Any]] = {}
    for entry in entries:
        for name, change in (entry.changes or {}).items():
            field = _field(model, name)
            if not _foreign_key(field) or not isinstance(change, dict):
                continue
            for value in (change.get("before"), change.get("after")):
                if isinstance(value, int):
                    wanted.setdefault(field.related_model, set()).add(value)
    out: Names = {}
    for related, ids in wanted.items():
        qs = related._default_manager.filter(pk__in=ids)
        if issubclass(related, OwnedModel):
            qs = visible(qs, user)
        out.update({(related, obj.pk): str(obj) for obj in qs})
    return out


def _changes(
    model: type[models.Model], changes: Any, names: Names, custom_labels: dict[str, str]
) -> list[FieldChange]:
    out: list[FieldChange] = []
    for name, change in sorted((changes or {}).items()):
        if not isinstance(change, dict):
            continue
        before, after = change.get("before"), change.get("after")
        if name == "custom" and isinstance(before or {}, dict) and isinstance(after or {}, dict):
            before, after = before or {}, after or {}
            for key in sorted(before.keys() | after.keys()):
                if before.get(key) != after.get(key):
                    label = custom_labels.get(key, key)
                    out.append(FieldChange(label, _plain(before.get(key)), _plain(after.get(key))))
            continue
        field = _field(model, name)
        label = capfirst(str(field.verbose_name)) if field is not None else name
        out.append(FieldChange(label, _display(field, before, names), _display(field, after, names)))
    return out


def _display(field: Any, value: Any, names: Names) -> Any:
    if value in (None, "", [], {}):
        return None
    if _foreign_key(field):
        return names.get((field.related_model, value), f"#{value}")
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return _plain(value)


def _plain(value: Any) -> Any:
    if value in (None, "", [], {}):
        return None
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value
