"""Sales forecast arithmetic over deal querysets the caller has already narrowed by visibility.

Weighted amounts are kept exact as ``amount × probability`` ("x100" values, yen × 100) and rounded
half up to whole yen only when shown, so month, owner and total figures never drift apart by
per-deal rounding. A deal is *open* while its stage is neither won nor lost.

Forecast vs actual for a past month M uses the stage each deal was in when M began (the last
DealStageChange before the first instant of M) weighted by that stage's *current* probability, for
deals whose *current* expected close date falls in M: expected close dates have no history, so a
deal whose close date was pushed out of M no longer counts for M (documented approximation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from .models import Deal, DealStageChange, ForecastCategory, Stage

OPEN_CATEGORIES = (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE)


def yen(x100: int) -> int:
    """Whole yen from an exact yen × 100 value, rounding half up (``12_345_650 -> 123_457``)."""
    return (x100 + 50) // 100


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``month`` (``2026-11-01, 2 -> 2027-01-01``)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_starts(first: dt.date, count: int) -> list[dt.date]:
    start = first.replace(day=1)
    return [add_months(start, i) for i in range(count)]


def month_start_instant(month: dt.date, tz: Any = None) -> dt.datetime:
    """Midnight of the month's first day in ``tz`` (the user's time zone by default)."""
    return timezone.make_aware(dt.datetime.combine(month, dt.time.min), tz or timezone.get_current_timezone())


def _all_stages(stages: Sequence[Stage] | None) -> dict[int, Stage]:
    return {s.pk: s for s in (Stage.objects.all() if stages is None else stages)}


def _open(deals: QuerySet[Deal], stages: dict[int, Stage]) -> QuerySet[Deal]:
    # By stage id rather than a join: stages are a handful of rows already in memory.
    return deals.filter(stage_id__in=[pk for pk, s in stages.items() if not (s.is_won or s.is_lost)])


def _month_sums(starts: Sequence[dt.date], *, count: bool = False) -> dict[str, Any]:
    """One conditional SUM (and COUNT) a month of expected close: no date functions, any database."""
    out: dict[str, Any] = {}
    for i, month in enumerate(starts):
        in_month = Q(expected_close_date__gte=month, expected_close_date__lt=add_months(month, 1))
        out[f"t{i}"] = Sum("amount", filter=in_month)
        if count:
            out[f"n{i}"] = Count("id", filter=in_month)
    return out


def _in_window(deals: QuerySet[Deal], starts: Sequence[dt.date]) -> QuerySet[Deal]:
    return deals.filter(expected_close_date__gte=starts[0], expected_close_date__lt=add_months(starts[-1], 1))


@dataclass
class MonthForecast:
    month: dt.date
    deals: int = 0
    amount: int = 0
    weighted_x100: int = 0
    # Open amounts (not weighted) per forecast category of the deal's stage.
    by_category: dict[str, int] = field(default_factory=dict)
    closed_won: int = 0

    @property
    def weighted(self) -> int:
        return yen(self.weighted_x100)

    @property
    def commit(self) -> int:
        return self.by_category.get(ForecastCategory.COMMIT, 0)

    @property
    def best_case(self) -> int:
        return self.by_category.get(ForecastCategory.BEST_CASE, 0)

    @property
    def pipeline(self) -> int:
        return self.by_category.get(ForecastCategory.PIPELINE, 0)

    @property
    def commit_total(self) -> int:
        """Closed won plus commit: what the team commits to for the month."""
        return self.closed_won + self.by_category.get(ForecastCategory.CLOSED, 0) + self.commit

    @property
    def best_case_total(self) -> int:
        return self.commit_total + self.best_case


def _won_by_month(
    deals: QuerySet[Deal], months: Sequence[dt.date], tz: Any, stages: dict[int, Stage]
) -> list[int]:
    """Amount of currently won deals closed in each month (one query, one conditional sum a month)."""
    if not months:
        return []
    bounds = [(month_start_instant(m, tz), month_start_instant(add_months(m, 1), tz)) for m in months]
    won = deals.filter(
        stage_id__in=[pk for pk, s in stages.items() if s.is_won],
        closed_at__gte=bounds[0][0],
        closed_at__lt=bounds[-1][1],
    )
    sums = won.aggregate(
        **{
            f"m{i}": Sum("amount", filter=Q(closed_at__gte=start, closed_at__lt=end))
            for i, (start, end) in enumerate(bounds)
        }
    )
    return [int(sums[f"m{i}"] or 0) for i in range(len(months))]


def forecast_by_month(
    deals: QuerySet[Deal],
    *,
    first_month: dt.date,
    months: int,
    tz: Any = None,
    stages: Sequence[Stage] | None = None,
) -> list[MonthForecast]:
    """Open pipeline by month of expected close (count, amount, weighted, per category) and won amounts.

    Two queries: open deals grouped by stage with one conditional sum a month, and the won amounts.
    """
    starts = month_starts(first_month, months)
    if not starts:
        return []
    by_id = _all_stages(stages)
    rows = [MonthForecast(month=m) for m in starts]
    grouped = (
        _in_window(_open(deals, by_id), starts)
        .values("stage_id")
        .annotate(**_month_sums(starts, count=True))
        .order_by()
    )
    for g in grouped:
        stage = by_id[g["stage_id"]]
        for i, row in enumerate(rows):
            total = int(g[f"t{i}"] or 0)
            row.deals += g[f"n{i}"]
            row.amount += total
            row.weighted_x100 += total * stage.probability
            category = stage.forecast_category
            row.by_category[category] = row.by_category.get(category, 0) + total
    for row, won in zip(rows, _won_by_month(deals, starts, tz, by_id), strict=True):
        row.closed_won = won
    return rows


@dataclass
class ForecastTotals:
    deals: int
    amount: int
    weighted: int
    closed_won: int
    commit_total: int
    best_case_total: int
    by_category: dict[str, int]


def totals(rows: Iterable[MonthForecast]) -> ForecastTotals:
    rows = list(rows)
    by_category: dict[str, int] = {}
    for row in rows:
        for key, value in row.by_category.items():
            by_category[key] = by_category.get(key, 0) + value
    return ForecastTotals(
        deals=sum(r.deals for r in rows),
        amount=sum(r.amount for r in rows),
        weighted=yen(sum(r.weighted_x100 for r in rows)),
        closed_won=sum(r.closed_won for r in rows),
        commit_total=sum(r.commit_total for r in rows),
        best_case_total=sum(r.best_case_total for r in rows),
        by_category=by_category,
    )


@dataclass
class OwnerForecast:
    owner_id: int | None
    owner: Any  # the User, or None for deals without an owner
    cells_x100: list[int]

    @property
    def cells(self) -> list[int]:
        return [yen(v) for v in self.cells_x100]

    @property
    def total(self) -> int:
        return yen(sum(self.cells_x100))


def forecast_by_owner(
    deals: QuerySet[Deal], *, first_month: dt.date, months: int, stages: Sequence[Stage] | None = None
) -> list[OwnerForecast]:
    """Weighted open pipeline per owner (rows) and month of expected close (columns), biggest first."""
    from kizuna.accounts.models import User

    starts = month_starts(first_month, months)
    if not starts:
        return []
    by_id = _all_stages(stages)
    grouped = (
        _in_window(_open(deals, by_id), starts)
        .values("owner_id", "stage_id")
        .annotate(**_month_sums(starts))
        .order_by()
    )
    cells: dict[int | None, list[int]] = {}
    for g in grouped:
        row = cells.setdefault(g["owner_id"], [0] * len(starts))
        for i in range(len(starts)):
            row[i] += int(g[f"t{i}"] or 0) * by_id[g["stage_id"]].probability
    users = User.objects.in_bulk([pk for pk in cells if pk is not None])
    rows = [
        OwnerForecast(owner_id=pk, owner=users.get(pk) if pk else None, cells_x100=v)
        for pk, v in cells.items()
    ]
    rows.sort(key=lambda r: (-sum(r.cells_x100), str(r.owner or "")))
    return rows


@dataclass
class PastMonth:
    month: dt.date
    forecast_x100: int
    actual: int
    deals_open_at_start: int

    @property
    def forecast(self) -> int:
        return yen(self.forecast_x100)

    @property
    def difference(self) -> int:
        return self.actual - self.forecast

    @property
    def gap(self) -> int:
        return abs(self.difference)

    @property
    def accuracy(self) -> int | None:
        """Actual as a percentage of the forecast (None when nothing was forecast)."""
        return round(self.actual * 100 / self.forecast) if self.forecast else None


def forecast_vs_actual(
    deals: QuerySet[Deal], *, stages: Sequence[Stage], this_month: dt.date, months: int, tz: Any = None
) -> list[PastMonth]:
    """For each of the ``months`` months before ``this_month``: weighted forecast at month start vs won.

    One query a month (the stage at month start is a correlated subquery on the stage history) and
    one for all the won amounts.
    """
    starts = month_starts(add_months(this_month.replace(day=1), -months), months)
    probability = {s.pk: s.probability for s in stages}
    open_ids = [s.pk for s in stages if not (s.is_won or s.is_lost)]
    out = []
    by_id = _all_stages(stages)
    for month, won in zip(starts, _won_by_month(deals, starts, tz, by_id), strict=True):
        stage_then = Subquery(
            DealStageChange.objects.filter(
                deal_id=OuterRef("pk"), changed_at__lt=month_start_instant(month, tz)
            )
            .order_by("-changed_at", "-id")
            .values("to_stage_id")[:1]
        )
        grouped = (
            deals.filter(expected_close_date__gte=month, expected_close_date__lt=add_months(month, 1))
            .annotate(stage_then=stage_then)
            .filter(stage_then__in=open_ids)
            .values("stage_then")
            .annotate(n=Count("id"), total=Sum("amount"))
            .order_by()
        )
        forecast_x100 = 0
        count = 0
        for g in grouped:
            forecast_x100 += int(g["total"] or 0) * probability.get(g["stage_then"], 0)
            count += g["n"]
        out.append(PastMonth(month=month, forecast_x100=forecast_x100, actual=won, deals_open_at_start=count))
    return out


@dataclass
class StageWinRate:
    stage: Stage
    reached: int
    won: int
    lost: int

    @property
    def still_open(self) -> int:
        return self.reached - self.won - self.lost

    @property
    def win_rate(self) -> int | None:
        """Percent of the deals that ever reached the stage which are won now."""
        return round(self.won * 100 / self.reached) if self.reached else None

    @property
    def closed_win_rate(self) -> int | None:
        """Percent won among those of them that are closed (won or lost)."""
        closed = self.won + self.lost
        return round(self.won * 100 / closed) if closed else None


def win_rates(deals: QuerySet[Deal], *, stages: Sequence[Stage]) -> list[StageWinRate]:
    """Per stage, of the deals that ever reached it (stage history), how many are won or lost now.

    One query: distinct deals per (stage reached, current stage); the current stage's flags then
    say won, lost or open.
    """
    by_id = {s.pk: s for s in stages}
    grouped = (
        DealStageChange.objects.filter(deal__in=deals.values("pk"), to_stage__in=list(by_id))
        .values("to_stage_id", "deal__stage_id")
        .annotate(n=Count("deal_id", distinct=True))
        .order_by()
    )
    counts = {pk: [0, 0, 0] for pk in by_id}  # reached, won, lost
    for g in grouped:
        now = by_id.get(g["deal__stage_id"])  # None: moved to a pipeline not shown, counts as open
        row = counts[g["to_stage_id"]]
        row[0] += g["n"]
        row[1] += g["n"] if now is not None and now.is_won else 0
        row[2] += g["n"] if now is not None and now.is_lost else 0
    return [
        StageWinRate(stage=s, reached=counts[s.pk][0], won=counts[s.pk][1], lost=counts[s.pk][2])
        for s in stages
    ]


@dataclass
class Outside:
    """Open deals the month table leaves out: close date already past, or no close date."""

    overdue_deals: int
    overdue_amount: int
    undated_deals: int
    undated_amount: int


def outside_window(
    deals: QuerySet[Deal], *, first_month: dt.date, stages: Sequence[Stage] | None = None
) -> Outside:
    overdue = Q(expected_close_date__lt=first_month)
    undated = Q(expected_close_date__isnull=True)
    sums = _open(deals, _all_stages(stages)).aggregate(
        overdue_n=Count("id", filter=overdue),
        overdue=Sum("amount", filter=overdue),
        undated_n=Count("id", filter=undated),
        undated=Sum("amount", filter=undated),
    )
    return Outside(
        overdue_deals=sums["overdue_n"],
        overdue_amount=int(sums["overdue"] or 0),
        undated_deals=sums["undated_n"],
        undated_amount=int(sums["undated"] or 0),
    )
