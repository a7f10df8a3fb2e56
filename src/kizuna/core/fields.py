"""Declarative input cleaning shared by every entry point (UI, API, import, workflow, connector).

A service declares its fields once (``{"email": Email(), "prefecture": Prefecture()}``) and calls
:func:`clean_input`; each value is normalized with :mod:`kizuna.core.normalize` and every problem
becomes a coded :class:`KizunaError` naming the field. Nothing is saved unless all fields are clean.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils.dateparse import parse_date, parse_datetime

from .errors import KizunaError, KizunaValidationError
from .normalize import (
    display_company_name,
    normalize_corporate_number,
    normalize_email,
    normalize_phone,
    normalize_postal_code,
    normalize_prefecture,
    normalize_text,
    to_katakana,
)


@dataclass(frozen=True)
class FieldSpec:
    required: bool = False
    max_length: int | None = None
    # Model attribute(s) this input writes; by default the input's own name.
    target: str | None = None

    def empty(self) -> Any:
        return ""

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        """Return ``{attribute: value}`` to set on the model; raise KizunaError on bad input."""
        raise NotImplementedError  # each concrete spec defines it

    def _attr(self, name: str) -> str:
        return self.target or name

    def _check_length(self, name: str, value: str) -> None:
        if self.max_length is not None and len(value) > self.max_length:
            raise KizunaError(
                "KZ-VAL-004",
                context={
                    "value": value[:40] + "…",
                    "kind": "text",
                    "reason": f"longer than {self.max_length} characters",
                    "expected": f"at most {self.max_length} characters",
                },
                field=name,
            )


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    # A printable string with a non-space character is not blank (zero-width characters are not
    # printable), which spares most values the full folding here.
    if value and value.isprintable() and not value.isspace():
        return False
    return normalize_text(value) == ""


@dataclass(frozen=True)
class Text(FieldSpec):
    multiline: bool = False

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        text = str(value).strip() if self.multiline else normalize_text(str(value))
        self._check_length(name, text)
        return {self._attr(name): text}


@dataclass(frozen=True)
class CompanyName(FieldSpec):
    """A company name with its legal form spelled out: ``"㈱山田商事"`` -> ``"株式会社山田商事"``."""

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        text = display_company_name(str(value))
        self._check_length(name, text)
        return {self._attr(name): text}


@dataclass(frozen=True)
class Kana(FieldSpec):
    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        text = to_katakana(normalize_text(str(value)))
        self._check_length(name, text)
        return {self._attr(name): text}


@dataclass(frozen=True)
class Email(FieldSpec):
    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        return {self._attr(name): normalize_email(str(value), field=name)}


@dataclass(frozen=True)
class Phone(FieldSpec):
    """Stores E.164 in ``name`` and the text as entered in ``name_raw``."""

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        attr = self._attr(name)
        if is_blank(value):
            return {attr: "", f"{attr}_raw": ""}
        raw = str(value).strip()
        number = normalize_phone(raw, field=name)
        e164 = number.e164 if number is not None else ""
        return {attr: e164, f"{attr}_raw": raw[:50]}


@dataclass(frozen=True)
class PostalCode(FieldSpec):
    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        return {self._attr(name): normalize_postal_code(str(value), field=name)}


@dataclass(frozen=True)
class Prefecture(FieldSpec):
    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        return {self._attr(name): normalize_prefecture(str(value), field=name)}


@dataclass(frozen=True)
class CorporateNumber(FieldSpec):
    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): None}
        return {self._attr(name): normalize_corporate_number(str(value), field=name)}


@dataclass(frozen=True)
class ExternalId(FieldSpec):
    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): None}
        text = normalize_text(str(value))
        self._check_length(name, text)
        return {self._attr(name): text}


@dataclass(frozen=True)
class Url(FieldSpec):
    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): ""}
        text = normalize_text(str(value))
        if "://" not in text:
            text = "https://" + text
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in text:
            raise KizunaError(
                "KZ-VAL-004",
                context={
                    "value": value,
                    "kind": "URL",
                    "reason": "not an http(s) address",
                    "expected": "https://example.co.jp",
                },
                field=name,
            )
        self._check_length(name, text)
        return {self._attr(name): text}


@dataclass(frozen=True)
class Integer(FieldSpec):
    min_value: int | None = None
    max_value: int | None = None
    # What a blank input means: None for nullable columns, e.g. 0 for an amount.
    blank_value: int | None = None

    def empty(self) -> Any:
        return self.blank_value

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): self.blank_value}
        number = parse_integer(name, value)
        expected = f"{self.min_value if self.min_value is not None else '-∞'}–{self.max_value if self.max_value is not None else '∞'}"
        if (self.min_value is not None and number < self.min_value) or (
            self.max_value is not None and number > self.max_value
        ):
            raise KizunaError(
                "KZ-VAL-004",
                context={"value": value, "kind": "number", "reason": "out of range", "expected": expected},
                field=name,
            )
        return {self._attr(name): number}


def parse_integer(name: str, value: Any) -> int:
    """``"１,２００円"`` -> 1200; a bool or a fraction is refused."""
    if isinstance(value, bool):
        raise KizunaError(
            "KZ-VAL-004",
            context={
                "value": value,
                "kind": "number",
                "reason": "not a number",
                "expected": "a whole number",
            },
            field=name,
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = normalize_text(str(value)).replace(",", "").replace("円", "").replace("¥", "").strip()
    try:
        return int(text)
    except ValueError:
        raise KizunaError(
            "KZ-VAL-004",
            context={"value": value, "kind": "number", "reason": "not a whole number", "expected": "1200"},
            field=name,
        ) from None


@dataclass(frozen=True)
class Date(FieldSpec):
    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): None}
        return {self._attr(name): parse_date_value(name, value)}


def parse_date_value(name: str, value: Any) -> dt.date:
    """ISO dates and ``2024/4/1``; the import engine extends this with 和暦."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalize_text(str(value)).replace("/", "-").replace(".", "-")
    parts = text.split("-")
    parsed: dt.date | None = None
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            parsed = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            parsed = None
    else:
        parsed = parse_date(text)
    if parsed is None:
        raise KizunaError(
            "KZ-VAL-004",
            context={
                "value": value,
                "kind": "date",
                "reason": "not a calendar date",
                "expected": "2024-04-01",
            },
            field=name,
        )
    return parsed


@dataclass(frozen=True)
class DateTime(FieldSpec):
    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): None}
        if isinstance(value, dt.datetime):
            parsed: dt.datetime | None = value
        else:
            parsed = parse_datetime(normalize_text(str(value)).replace(" ", "T", 1))
        if parsed is None or parsed.tzinfo is None:
            raise KizunaError(
                "KZ-VAL-004",
                context={
                    "value": value,
                    "kind": "date and time",
                    "reason": "not an ISO 8601 time with a zone",
                    "expected": "2024-04-01T09:00:00+09:00",
                },
                field=name,
            )
        return {self._attr(name): parsed}


@dataclass(frozen=True)
class Boolean(FieldSpec):
    TRUE = frozenset({"1", "true", "yes", "y", "on", "はい", "true.", "○", "有"})
    FALSE = frozenset({"0", "false", "no", "n", "off", "いいえ", "×", "無"})

    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            return {self._attr(name): value}
        if is_blank(value):
            return {self._attr(name): None}
        text = normalize_text(str(value)).casefold()
        if text in self.TRUE:
            return {self._attr(name): True}
        if text in self.FALSE:
            return {self._attr(name): False}
        raise KizunaError(
            "KZ-VAL-003", context={"value": value, "allowed": "true, false, はい, いいえ"}, field=name
        )


@dataclass(frozen=True)
class Choice(FieldSpec):
    choices: Sequence[tuple[str, Any]] = field(default_factory=tuple)
    blank_value: str = ""

    def empty(self) -> Any:
        return self.blank_value

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        if is_blank(value):
            return {self._attr(name): self.blank_value}
        text = normalize_text(str(value))
        for key, label in self.choices:
            if text == key or text.casefold() == str(label).casefold():
                return {self._attr(name): key}
        raise KizunaError(
            "KZ-VAL-003",
            context={"value": value, "allowed": ", ".join(k for k, _ in self.choices)},
            field=name,
        )


@dataclass(frozen=True)
class Passthrough(FieldSpec):
    """A value resolved by the service itself (a related record, tags)."""

    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        return {self._attr(name): value}


Cleaner = Callable[[str, Any], dict[str, Any]]


def label_errors(errors: list[KizunaError], model: Any) -> None:
    """Show each field by its translated name (``姓``/``family name``) in the texts; ``.field`` keeps the key."""
    from django.core.exceptions import FieldDoesNotExist

    for error in errors:
        name = (error.field or "").split(".")[0]
        # custom.* and lines[1].product are not model fields: they keep their key.
        with contextlib.suppress(FieldDoesNotExist):
            if name != "custom":
                error.context["field"] = model._meta.get_field(name).verbose_name


def clean_input(
    specs: Mapping[str, FieldSpec],
    data: Mapping[str, Any],
    *,
    partial: bool = False,
    object_type: str = "",
    model: Any = None,
) -> dict[str, Any]:
    """Clean ``data`` against ``specs``; raise one KizunaValidationError listing every bad field.

    Fields not given are left alone (model defaults on create); required ones must be given on
    create, and may not be blanked on update (``partial``).
    """
    clean: dict[str, Any] = {}
    errors: list[KizunaError] = [
        KizunaError(
            "KZ-VAL-014",
            context={"object_type": object_type, "allowed": ", ".join(sorted(specs))},
            field=name,
        )
        for name in data
        if name not in specs
    ]
    for name, spec in specs.items():
        if name not in data:
            if spec.required and not partial:
                errors.append(KizunaError("KZ-VAL-001", field=name))
            continue
        value = data[name]
        if spec.required and is_blank(value):
            errors.append(KizunaError("KZ-VAL-001", field=name))
            continue
        try:
            clean.update(spec.clean(name, value))
        except KizunaError as exc:
            errors.append(exc)
    if errors:
        if model is not None:
            label_errors(errors, model)
        raise KizunaValidationError(errors)
    return clean
