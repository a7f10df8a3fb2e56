"""``{{ value|report_cell:kind }}``: one table cell of a report, formatted by its column kind."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

NUMERIC_KINDS = frozenset({"int", "yen", "percent", "decimal"})


@register.filter
def report_cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "yen":
        return f"¥{intcomma(int(value))}"
    if kind == "int":
        return str(intcomma(int(value)))
    if kind == "percent":
        return f"{float(value):.1f}%"
    if kind == "decimal":
        return f"{float(value):.2f}"
    return str(value)


@register.filter
def is_numeric(kind: str) -> bool:
    return kind in NUMERIC_KINDS
