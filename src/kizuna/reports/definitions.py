"""The report catalogue: for each report, its selector's numbers shaped as a table, a chart and stats.

The same table feeds the page and the CSV download, so the two always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import selectors as s
from .selectors import ReportFilters

PALETTE = ("#1d4ed8", "#f59e0b", "#059669", "#dc2626")
CHART_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str | Promise
    kind: str = "text"  # text, month, int, yen, percent


@dataclass
class Result:
    columns: list[Column]
    rows: list[list[Any]]
    chart: dict[str, Any]
    footer: list[Any] | None = None
    stats: list[tuple[str | Promise, Any, str]] = field(default_factory=list)
    note: str | Promise = ""
    subject: str = ""  # e.g. the pipeline shown

    def cells(self) -> list[list[tuple[Any, str]]]:
        return [[(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    def footer_cells(self) -> list[tuple[Any, str]] | None:
        if self.footer is None:
            return None
        return [(v, c.kind) for v, c in zip(self.footer, self.columns, strict=True)]


@dataclass(frozen=True, slots=True)
class Report:
    slug: str
    title: str | Promise
    description: str | Promise
    build: Callable[[Any, ReportFilters], Result]
    uses_owner: bool = True
    uses_pipeline: bool = False


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def _dataset(
    label: Any, data: list[Any], *, index: int = 0, fmt: str = "int", **extra: Any
) -> dict[str, Any]:
    return {"label": str(label), "data": data, "color": PALETTE[index % len(PALETTE)], "format": fmt, **extra}


def _sales_by_month(user: Any, filters: ReportFilters) -> Result:
    rows = s.sales_by_month(user=user, filters=filters)
    orders, total = sum(r.orders for r in rows), sum(r.total for r in rows)
    return Result(
        columns=[
            Column("month", _("Month"), "month"),
            Column("orders", _("Orders"), "int"),
            Column("total", _("Sales amount"), "yen"),
        ],
        rows=[[_month(r.month), r.orders, r.total] for r in rows],
        footer=[str(_("Total")), orders, total],
        chart={
            "type": "bar",
            "labels": [_month(r.month) for r in rows],
            "datasets": [
                _dataset(_("Sales amount"), [r.total for r in rows], fmt="yen"),
                _dataset(_("Orders"), [r.orders for r in rows], index=1, type="line", axis="y1"),
            ],
        },
        stats=[(_("Sales in the period"), total, "yen"), (_("Orders"), orders, "int")],
        note=_("Orders by order date; cancelled orders are not counted."),
    )


def _sales_by_owner(user: Any, filters: ReportFilters) -> Result:
    rows = s.sales_by_owner(user=user, filters=filters)
    label = [r.owner or str(_("(no owner)")) for r in rows]
    return Result(
        columns=[
            Column("owner", _("Owner")),
            Column("orders", _("Orders"), "int"),
            Column("total", _("Sales amount"), "yen"),
            Column("share", _("Share"), "percent"),
        ],
        rows=[[name, r.orders, r.total, r.share] for name, r in zip(label, rows, strict=True)],
        footer=[
            str(_("Total")),
            sum(r.orders for r in rows),
            sum(r.total for r in rows),
            100.0 if rows else 0.0,
        ],
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": label[:CHART_LIMIT],
            "datasets": [_dataset(_("Sales amount"), [r.total for r in rows[:CHART_LIMIT]], fmt="yen")],
        },
        note=_("Orders by order date; cancelled orders are not counted. Each order counts for its owner."),
    )


def _sales_by_product(user: Any, filters: ReportFilters) -> Result:
    rows = s.sales_by_product(user=user, filters=filters)
    return Result(
        columns=[
            Column("code", _("Product code")),
            Column("product", _("Product")),
            Column("quantity", _("Quantity"), "int"),
            Column("orders", _("Orders"), "int"),
            Column("amount", _("Sales amount"), "yen"),
            Column("share", _("Share"), "percent"),
        ],
        rows=[[r.code, r.name, r.quantity, r.orders, r.amount, r.share] for r in rows],
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": [f"{r.code} {r.name}" for r in rows[:CHART_LIMIT]],
            "datasets": [_dataset(_("Sales amount"), [r.amount for r in rows[:CHART_LIMIT]], fmt="yen")],
        },
        note=_("From order lines (quantity × unit price); cancelled orders are not counted."),
    )


def _conversion(user: Any, filters: ReportFilters) -> Result:
    pipeline = s.report_pipeline(filters.pipeline_id)
    rows = s.conversion_by_stage(user=user, filters=filters, pipeline=pipeline) if pipeline else []
    return Result(
        columns=[
            Column("stage", _("Stage")),
            Column("reached", _("Reached"), "int"),
            Column("moved_on", _("Moved on"), "int"),
            Column("moved_on_rate", _("Moved on (%)"), "percent"),
            Column("won", _("Won"), "int"),
            Column("win_rate", _("Win rate"), "percent"),
        ],
        rows=[[r.stage, r.reached, r.moved_on, r.moved_on_rate, r.won, r.win_rate] for r in rows],
        chart={
            "type": "bar",
            "labels": [r.stage for r in rows],
            "datasets": [
                _dataset(_("Reached"), [r.reached for r in rows]),
                _dataset(_("Moved on"), [r.moved_on for r in rows], index=1),
                _dataset(_("Won"), [r.won for r in rows], index=2),
            ],
        },
        note=_(
            "Deals created in the period, from their stage history. Reached: deals that entered the stage. "
            "Moved on: deals that later went to a later stage that is not a lost stage. "
            "Won: deals now in a won stage."
        ),
        subject=pipeline.name if pipeline else "",
    )


def _customers(user: Any, filters: ReportFilters) -> Result:
    rows = s.customers_by_month(user=user, filters=filters)
    new, churned = sum(r.new for r in rows), sum(r.churned for r in rows)
    return Result(
        columns=[
            Column("month", _("Month"), "month"),
            Column("new", _("New contacts"), "int"),
            Column("churned", _("Churned"), "int"),
        ],
        rows=[[_month(r.month), r.new, r.churned] for r in rows],
        footer=[str(_("Total")), new, churned],
        chart={
            "type": "bar",
            "labels": [_month(r.month) for r in rows],
            "datasets": [
                _dataset(_("New contacts"), [r.new for r in rows]),
                _dataset(_("Churned"), [r.churned for r in rows], index=3),
            ],
        },
        stats=[(_("New contacts"), new, "int"), (_("Churned"), churned, "int")],
        note=_(
            "New: contacts created in the month. Churned: contacts whose lifecycle status was changed to "
            "“Churned” in the month, from the audit log (counted once per contact and month; contacts "
            "loaded without the audit log and deleted contacts are not counted)."
        ),
    )


def _frequency(user: Any, filters: ReportFilters) -> Result:
    freq = s.purchase_frequency(user=user, filters=filters)
    return Result(
        columns=[
            Column("orders", _("Orders per customer")),
            Column("customers", _("Customers"), "int"),
            Column("share", _("Share"), "percent"),
        ],
        rows=[[b.label, b.customers, b.share] for b in freq.buckets],
        footer=[str(_("Total")), freq.customers, 100.0 if freq.customers else 0.0],
        chart={
            "type": "bar",
            "labels": [b.label for b in freq.buckets],
            "datasets": [_dataset(_("Customers"), [b.customers for b in freq.buckets], index=2)],
        },
        stats=[
            (_("Buying customers"), freq.customers, "int"),
            (_("Repeat customers (2+ orders)"), freq.repeat_customers, "int"),
            (_("Repeat rate"), freq.repeat_rate, "percent"),
            (_("Orders per customer"), freq.orders_per_customer, "decimal"),
        ],
        note=_(
            "Customers who bought in the period (cancelled orders not counted). A customer is the order's "
            "contact, or its company when the order names no contact."
        ),
    )


REPORTS: dict[str, Report] = {
    r.slug: r
    for r in (
        Report("sales-by-month", _("Sales by month"), _("Order totals per month."), _sales_by_month),
        Report("sales-by-owner", _("Sales by owner"), _("Who sold how much."), _sales_by_owner),
        Report(
            "sales-by-product", _("Sales by product"), _("Best sellers from order lines."), _sales_by_product
        ),
        Report(
            "conversion",
            _("Conversion by stage"),
            _("How many deals reach, pass and win from each stage."),
            _conversion,
            uses_pipeline=True,
        ),
        Report(
            "customers",
            _("New customers and churn"),
            _("Contacts created and churned per month."),
            _customers,
        ),
        Report(
            "purchase-frequency",
            _("Purchase frequency"),
            _("Repeat rate and how many orders each customer places."),
            _frequency,
        ),
    )
}
