"""Custom fields: validated on every write like built-in fields, unique ones enforced by the database."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.visibility import ensure_admin
from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.normalize import normalize_text

from .models import CustomFieldDefinition, CustomFieldObject, CustomFieldType, CustomFieldUniqueValue


def definitions_for(object_type: str) -> dict[str, CustomFieldDefinition]:
    return {d.key: d for d in CustomFieldDefinition.objects.filter(object_type=object_type, active=True)}


def _choice_keys(definition: CustomFieldDefinition) -> list[str]:
    return [str(c["value"]) if isinstance(c, dict) else str(c) for c in definition.choices]


def _clean_number(name: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise KizunaError(
            "KZ-VAL-004",
            context={"value": value, "kind": "number", "reason": "not a number", "expected": "12.5"},
            field=name,
        )
    if isinstance(value, int | float):
        return value
    text = normalize_text(str(value)).replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise KizunaError(
            "KZ-VAL-004",
            context={"value": value, "kind": "number", "reason": "not a number", "expected": "12.5"},
            field=name,
        ) from None
    return int(number) if number.is_integer() and "." not in text else number


def clean_custom_value(definition: CustomFieldDefinition, value: Any) -> Any:
    """One value, normalized for storage in JSON; raises a coded error naming the field."""
    name = f"custom.{definition.key}"
    kind = definition.field_type
    if value is None or (isinstance(value, str) and not normalize_text(value)) or value == []:
        return None
    if kind == CustomFieldType.TEXT:
        return f.Text(max_length=1000).clean(name, value)[name]
    if kind == CustomFieldType.NUMBER:
        return _clean_number(name, value)
    if kind == CustomFieldType.DATE:
        return f.parse_date_value(name, value).isoformat()
    if kind == CustomFieldType.BOOLEAN:
        return f.Boolean().clean(name, value)[name]
    if kind == CustomFieldType.EMAIL:
        return f.Email().clean(name, value)[name]
    if kind == CustomFieldType.PHONE:
        return f.Phone().clean(name, value)[name]
    if kind == CustomFieldType.URL:
        return f.Url(max_length=500).clean(name, value)[name]
    allowed = _choice_keys(definition)
    if kind == CustomFieldType.CHOICE:
        text = normalize_text(str(value))
        if text not in allowed:
            raise KizunaError(
                "KZ-VAL-003", context={"value": value, "allowed": ", ".join(allowed)}, field=name
            )
        return text
    if kind == CustomFieldType.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else list(str(value).replace("、", ",").split(","))
        picked = [normalize_text(str(v)) for v in items if normalize_text(str(v))]
        bad = [v for v in picked if v not in allowed]
        if bad:
            raise KizunaError(
                "KZ-VAL-003", context={"value": ", ".join(bad), "allowed": ", ".join(allowed)}, field=name
            )
        return sorted(set(picked), key=allowed.index)
    raise KizunaError(
        "KZ-VAL-003", context={"value": kind, "allowed": ", ".join(CustomFieldType.values)}, field=name
    )


def clean_custom_values(
    *,
    object_type: str,
    values: dict[str, Any],
    current: dict[str, Any] | None = None,
    definitions: dict[str, CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """Merge ``values`` into ``current`` after validating each; every problem is reported at once.
    A caller cleaning many records passes the ``definitions`` it read once."""
    if definitions is None:
        definitions = definitions_for(object_type)
    merged = dict(current or {})
    errors: list[KizunaError] = []
    if not isinstance(values, dict):
        raise KizunaValidationError(
            [
                KizunaError(
                    "KZ-VAL-004",
                    context={
                        "value": str(values)[:40],
                        "kind": "object",
                        "reason": "custom must be a mapping",
                        "expected": '{"key": value}',
                    },
                    field="custom",
                )
            ]
        )
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(
                KizunaError(
                    "KZ-VAL-010",
                    context={"object_type": object_type, "allowed": ", ".join(sorted(definitions)) or "—"},
                    field=key,
                )
            )
            continue
        try:
            cleaned = clean_custom_value(definition, value)
        except KizunaError as exc:
            errors.append(exc)
            continue
        if cleaned is None:
            merged.pop(key, None)
        else:
            merged[key] = cleaned
    for key, definition in definitions.items():
        if definition.required and merged.get(key) in (None, "", []):
            errors.append(KizunaError("KZ-VAL-001", field=f"custom.{key}"))
    if errors:
        raise KizunaValidationError(errors)
    return merged


def sync_unique_values(*, obj: models.Model, object_type: str, custom: dict[str, Any]) -> None:
    """Keep the unique-value rows of ``obj`` in step with its custom values (inside the write's transaction)."""
    for definition in CustomFieldDefinition.objects.filter(object_type=object_type, unique=True, active=True):
        CustomFieldUniqueValue.objects.filter(definition=definition, object_id=obj.pk).delete()
        value = custom.get(definition.key)
        if value in (None, "", []):
            continue
        key = normalize_text(str(value)).casefold()[:255]
        try:
            with transaction.atomic():
                CustomFieldUniqueValue.objects.create(definition=definition, object_id=obj.pk, value=key)
        except IntegrityError:
            holder = (
                CustomFieldUniqueValue.objects.filter(definition=definition, value=key)
                .values_list("object_id", flat=True)
                .first()
            )
            raise KizunaError(
                "KZ-VAL-002",
                context={"object_type": str(obj._meta.verbose_name), "existing_id": holder, "value": value},
                field=f"custom.{definition.key}",
            ) from None


def custom_field_define(
    *,
    actor: Any,
    object_type: str,
    key: str,
    label_ja: str,
    field_type: str,
    label_en: str = "",
    required: bool = False,
    unique: bool = False,
    choices: list[str] | None = None,
    position: int = 0,
    via: str = "ui",
) -> CustomFieldDefinition:
    """Create a custom field (administrators only). Choice types need at least one choice."""
    from kizuna.core import writes

    ensure_admin(actor, action=_("define custom fields"))
    clean = f.clean_input(
        {
            "object_type": f.Choice(required=True, choices=CustomFieldObject.choices),
            "key": f.Text(required=True, max_length=50),
            "label_ja": f.Text(required=True, max_length=100),
            "label_en": f.Text(max_length=100),
            "field_type": f.Choice(required=True, choices=CustomFieldType.choices),
        },
        {
            "object_type": object_type,
            "key": key,
            "label_ja": label_ja,
            "label_en": label_en,
            "field_type": field_type,
        },
        object_type="custom field",
    )
    if not clean["key"].replace("_", "").isalnum() or not clean["key"].isascii() or clean["key"][0].isdigit():
        raise KizunaError(
            "KZ-VAL-004",
            context={
                "value": key,
                "kind": "key",
                "reason": "letters, digits and _ only",
                "expected": "contract_end",
            },
            field="key",
        )
    if field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE) and not choices:
        raise KizunaError("KZ-VAL-001", field="choices")
    with transaction.atomic():
        definition = CustomFieldDefinition(
            **clean,
            required=required,
            unique=unique,
            choices=[normalize_text(c) for c in choices or []],
            position=position,
        )
        return writes.record_create(definition, actor=actor, via=via, event_type="custom_field.created")
