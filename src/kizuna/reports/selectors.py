"""Every number in the reports, aggregated in the database and narrowed to what the user may see.

Each report runs a fixed number of GROUP BY queries (no per-row queries), so a report page costs the
same with ten orders or ten million. Only records the user may read are counted: ``visible()`` on
the record itself, or ``visible_q(prefix=…)`` through its parent (an order line through its order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kizuna.accounts.models import Team, User
from kizuna.accounts.visibility import visible, visible_q
from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.models import AuditAction, AuditEntry
from kizuna.core.permissions import Scope
from kizuna.customers.models import Contact, LifecycleStatus
from kizuna.sales.models import DealStageChange, Order, OrderLine, OrderStatus, Pipeline, Stage

MAX_MONTHS = 120
PRODUCT_LIMIT = 200
# Order-count buckets of the purchase-frequency report: (label, lowest, highest or None).
FREQUENCY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3", 3, 3),
    ("4", 4, 4),
    ("5-9", 5, 9),
    ("10+", 10, None),
)


@dataclass(frozen=True, slots=True)
class ReportFilters:
    date_from: dt.date
    date_to: dt.date
    owner_id: int | None = None
    team_id: int | None = None
    pipeline_id: int | None = None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """First days of every month from ``date_from``'s to ``date_to``'s, inclusive."""
    months: list[dt.date] = []
    current = month_start(date_from)
    while current <= date_to and len(months) < MAX_MONTHS:
        months.append(current)
        current = add_months(current, 1)
    return months


def default_filters(today: dt.date | None = None) -> ReportFilters:
    """The last 12 months, this month included."""
    today = today or timezone.localdate()
    return ReportFilters(date_from=add_months(today, -11), date_to=today)


def owner_choices(user: Any) -> list[tuple[int, str]]:
    """The people ``user`` may filter by: everyone (scope all), their team, or only themselves.

    Deactivated users stay in the list: their past sales are still in the reports.
    """
    qs = User.objects.all()
    scope = user.policy.view
    if scope == Scope.OWN or (scope == Scope.TEAM and user.team_id is None):
        qs = qs.filter(pk=user.pk)
    elif scope == Scope.TEAM:
        qs = qs.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    elif scope != Scope.ALL:
        qs = qs.none()
    rows = qs.order_by("username").values_list("pk", "username", "display_name", "first_name", "last_name")
    return [(pk, _person(username, display, first, last)) for pk, username, display, first, last in rows]


def team_choices(user: Any) -> list[tuple[int, str]]:
    """Teams to filter by: only for users who see every team's records."""
    if user.policy.view != Scope.ALL:
        return []
    return list(Team.objects.order_by("name").values_list("pk", "name"))


def pipeline_choices() -> list[tuple[int, str]]:
    return list(Pipeline.objects.order_by("position", "id").values_list("pk", "name"))


def parse_filters(
    *,
    user: Any,
    data: Mapping[str, Any],
    today: dt.date | None = None,
    owners: list[tuple[int, str]] | None = None,
    teams: list[tuple[int, str]] | None = None,
) -> ReportFilters:
    """Read the filter form (``date_from``, ``date_to``, ``owner``, ``team``, ``pipeline``); coded errors.

    ``owners`` and ``teams`` are :func:`owner_choices` and :func:`team_choices` when the caller has them.
    """
    default = default_filters(today)
    clean = f.clean_input(
        {
            "date_from": f.Date(),
            "date_to": f.Date(),
            "owner": f.Integer(min_value=1),
            "team": f.Integer(min_value=1),
            "pipeline": f.Integer(min_value=1),
        },
        {k: data[k] for k in ("date_from", "date_to", "owner", "team", "pipeline") if k in data},
        object_type="report filter",
    )
    date_from = clean.get("date_from") or default.date_from
    date_to = clean.get("date_to") or default.date_to
    errors: list[KizunaError] = []
    if date_from > date_to:
        errors.append(
            KizunaError(
                "KZ-VAL-012",
                context={"reason": f"the start date {date_from} is after the end date {date_to}"},
                field="date_to",
            )
        )
    owners = owner_choices(user) if owners is None else owners
    teams = team_choices(user) if teams is None else teams
    for name, choices in (("owner", owners), ("team", teams)):
        value = clean.get(name)
        if value is not None and value not in {pk for pk, _label in choices}:
            allowed = ", ".join(label for _pk, label in choices[:10]) or "—"
            errors.append(KizunaError("KZ-VAL-003", context={"value": value, "allowed": allowed}, field=name))
    if errors:
        raise KizunaValidationError(errors)
    return ReportFilters(
        date_from=date_from,
        date_to=date_to,
        owner_id=clean.get("owner"),
        team_id=clean.get("team"),
        pipeline_id=clean.get("pipeline"),
    )


def _person(username: str, display_name: str = "", first: str = "", last: str = "") -> str:
    return display_name or f"{last} {first}".strip() or username


def _aware_range(filters: ReportFilters) -> tuple[dt.datetime, dt.datetime]:
    """[start of date_from, start of the day after date_to) in the current time zone."""
    start = timezone.make_aware(dt.datetime.combine(filters.date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min))
    return start, end


def _owned(qs: QuerySet[Any], filters: ReportFilters, *, prefix: str = "") -> QuerySet[Any]:
    if filters.owner_id is not None:
        qs = qs.filter(**{f"{prefix}owner_id": filters.owner_id})
    if filters.team_id is not None:
        qs = qs.filter(**{f"{prefix}team_id": filters.team_id})
    return qs


def _as_date(value: Any) -> dt.date:
    # TruncMonth gives a date for a DateField and an aware datetime for a DateTimeField.
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    assert isinstance(value, dt.date)
    return value


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


# --- sales ---------------------------------------------------------------------------------------


def sold_orders(*, user: Any, filters: ReportFilters) -> QuerySet[Order]:
    """Orders ``user`` may see in the period, cancelled ones excluded."""
    qs = visible(Order.objects.all(), user).exclude(status=OrderStatus.CANCELLED)
    qs = qs.filter(order_date__gte=filters.date_from, order_date__lte=filters.date_to)
    return _owned(qs, filters)


@dataclass(frozen=True, slots=True)
class MonthSales:
    month: dt.date
    orders: int
    total: int


def sales_by_month(*, user: Any, filters: ReportFilters) -> list[MonthSales]:
    """Order count and total (yen) per month, every month of the period listed (zero when empty)."""
    rows = (
        sold_orders(user=user, filters=filters)
        .annotate(month=TruncMonth("order_date"))
        .values("month")
        .annotate(orders=Count("id"), total=Sum("total"))
        .order_by("month")
    )
    found = {_as_date(r["month"]): r for r in rows}
    return [
        MonthSales(m, int(found[m]["orders"]), int(found[m]["total"] or 0))
        if m in found
        else MonthSales(m, 0, 0)
        for m in months_between(filters.date_from, filters.date_to)
    ]


@dataclass(frozen=True, slots=True)
class OwnerSales:
    owner_id: int | None
    owner: str
    orders: int
    total: int
    share: float


def sales_by_owner(*, user: Any, filters: ReportFilters) -> list[OwnerSales]:
    """Order count, total and share of the total per owner, biggest first."""
    rows = list(
        sold_orders(user=user, filters=filters)
        .values("owner_id", "owner__username", "owner__display_name", "owner__first_name", "owner__last_name")
        .annotate(orders=Count("id"), total=Sum("total"))
        .order_by("-total", "owner_id")
    )
    grand = sum(int(r["total"] or 0) for r in rows)
    return [
        OwnerSales(
            owner_id=r["owner_id"],
            owner=_person(
                r["owner__username"] or "",
                r["owner__display_name"] or "",
                r["owner__first_name"] or "",
                r["owner__last_name"] or "",
            )
            if r["owner_id"]
            else "",
            orders=int(r["orders"]),
            total=int(r["total"] or 0),
            share=_share(int(r["total"] or 0), grand),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ProductSales:
    product_id: int
    code: str
    name: str
    quantity: int
    orders: int
    amount: int
    share: float


def sales_by_product(*, user: Any, filters: ReportFilters, limit: int = PRODUCT_LIMIT) -> list[ProductSales]:
    """Quantity, orders and amount (from order lines) per product, best sellers first."""
    lines = (
        OrderLine.objects.filter(visible_q(user, prefix="order__"))
        .exclude(order__status=OrderStatus.CANCELLED)
        .filter(order__order_date__gte=filters.date_from, order__order_date__lte=filters.date_to)
    )
    lines = _owned(lines, filters, prefix="order__")
    grand = int(lines.aggregate(v=Sum("amount"))["v"] or 0)
    rows = (
        lines.values("product_id", "product__code", "product__name")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"), orders=Count("order_id", distinct=True))
        .order_by("-amount", "product__code")[:limit]
    )
    return [
        ProductSales(
            product_id=r["product_id"],
            code=r["product__code"],
            name=r["product__name"],
            quantity=int(r["quantity"] or 0),
            orders=int(r["orders"]),
            amount=int(r["amount"] or 0),
            share=_share(int(r["amount"] or 0), grand),
        )
        for r in rows
    ]


# --- conversion ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageConversion:
    stage_id: int
    stage: str
    is_won: bool
    is_lost: bool
    reached: int
    moved_on: int
    won: int

    @property
    def moved_on_rate(self) -> float:
        return _share(self.moved_on, self.reached)

    @property
    def win_rate(self) -> float:
        return _share(self.won, self.reached)


def report_pipeline(pipeline_id: int | None) -> Pipeline | None:
    """The chosen pipeline, else the default one, else the first."""
    qs = Pipeline.objects.order_by("-is_default", "position", "id")
    if pipeline_id is not None:
        chosen = Pipeline.objects.filter(pk=pipeline_id).first()
        if chosen is not None:
            return chosen
    return qs.first()


def conversion_by_stage(*, user: Any, filters: ReportFilters, pipeline: Pipeline) -> list[StageConversion]:
    """Per stage of ``pipeline``, among deals created in the period, from the stage history:

    reached = deals that entered the stage; moved on = those that later went to a later, not-lost
    stage; won = those now in a won stage.
    """
    start, end = _aware_range(filters)
    changes = DealStageChange.objects.filter(
        visible_q(user, prefix="deal__"),
        deal__pipeline_id=pipeline.pk,
        deal__created_at__gte=start,
        deal__created_at__lt=end,
    )
    changes = _owned(changes, filters, prefix="deal__")
    reached = {
        r["to_stage_id"]: r
        for r in changes.values("to_stage_id")
        .annotate(
            reached=Count("deal_id", distinct=True),
            won=Count("deal_id", distinct=True, filter=Q(deal__stage__is_won=True)),
        )
        .order_by()
    }
    moved = dict(
        changes.filter(
            from_stage__isnull=False,
            to_stage__position__gt=F("from_stage__position"),
            to_stage__is_lost=False,
        )
        .values("from_stage_id")
        .annotate(n=Count("deal_id", distinct=True))
        .order_by()
        .values_list("from_stage_id", "n")
    )
    stages = (
        Stage.objects.filter(pipeline=pipeline)
        .order_by("position")
        .values_list("pk", "name", "is_won", "is_lost")
    )
    return [
        StageConversion(
            stage_id=pk,
            stage=name,
            is_won=is_won,
            is_lost=is_lost,
            reached=int(reached.get(pk, {}).get("reached", 0)),
            moved_on=int(moved.get(pk, 0)),
            won=int(reached.get(pk, {}).get("won", 0)),
        )
        for pk, name, is_won, is_lost in stages
    ]


# --- customers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthCustomers:
    month: dt.date
    new: int
    churned: int


def customers_by_month(*, user: Any, filters: ReportFilters) -> list[MonthCustomers]:
    """Contacts created per month, and contacts whose lifecycle status became "churned" per month.

    Churn comes from the audit log (every write through a service records the lifecycle_status
    change), counted once per contact and month. Contacts loaded without a service (a raw SQL load)
    have no audit entry and are not counted; contacts deleted since are not counted either.
    """
    start, end = _aware_range(filters)
    contacts = _owned(visible(Contact.objects.all(), user), filters)
    new = dict(
        contacts.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("month", "n")
    )
    churned = dict(
        AuditEntry.objects.filter(
            object_type=Contact._meta.label_lower,
            action__in=(AuditAction.CREATE, AuditAction.UPDATE),
            changes__lifecycle_status__after=LifecycleStatus.CHURNED.value,
            at__gte=start,
            at__lt=end,
            object_id__in=contacts.values("pk"),
        )
        .annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(n=Count("object_id", distinct=True))
        .order_by()
        .values_list("month", "n")
    )
    new_by = {_as_date(k): int(v) for k, v in new.items()}
    churn_by = {_as_date(k): int(v) for k, v in churned.items()}
    return [
        MonthCustomers(m, new_by.get(m, 0), churn_by.get(m, 0))
        for m in months_between(filters.date_from, filters.date_to)
    ]


# --- purchase frequency --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrequencyBucket:
    label: str
    customers: int
    share: float


@dataclass(frozen=True, slots=True)
class PurchaseFrequency:
    customers: int
    repeat_customers: int
    orders: int
    buckets: list[FrequencyBucket]

    @property
    def repeat_rate(self) -> float:
        return _share(self.repeat_customers, self.customers)

    @property
    def orders_per_customer(self) -> float:
        return round(self.orders / self.customers, 2) if self.customers else 0.0


def purchase_frequency(*, user: Any, filters: ReportFilters) -> PurchaseFrequency:
    """Buying customers in the period, the share with two or more orders, and how many orders each made.

    A customer is the order's contact, or its company when the order has no contact.
    """
    per_customer = (
        sold_orders(user=user, filters=filters)
        .annotate(
            buyer_contact=F("contact_id"),
            buyer_company=Case(
                When(contact_id__isnull=True, then=F("company_id")),
                default=Value(None),
                output_field=BigIntegerField(),
            ),
        )
        .values("buyer_contact", "buyer_company")
        .annotate(n=Count("id"))
        .order_by()
    )
    buckets: dict[str, Any] = {}
    for index, (_label, low, high) in enumerate(FREQUENCY_BUCKETS):
        match = Q(n__gte=low) if high is None else Q(n__gte=low, n__lte=high)
        buckets[f"b{index}"] = Count("n", filter=match)
    # One query: Django wraps the grouped query in a subquery and aggregates over it.
    totals = per_customer.aggregate(
        customers=Count("n"), repeat=Count("n", filter=Q(n__gte=2)), orders=Sum("n"), **buckets
    )
    customers = int(totals["customers"] or 0)
    return PurchaseFrequency(
        customers=customers,
        repeat_customers=int(totals["repeat"] or 0),
        orders=int(totals["orders"] or 0),
        buckets=[
            FrequencyBucket(
                label=label,
                customers=int(totals[f"b{index}"] or 0),
                share=_share(int(totals[f"b{index}"] or 0), customers),
            )
            for index, (label, _low, _high) in enumerate(FREQUENCY_BUCKETS)
        ],
    )
