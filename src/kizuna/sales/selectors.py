"""Every read of pipelines, deals, orders and products for the UI, with visibility applied once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.accounts.visibility import get_visible, visible
from kizuna.core import figures
from kizuna.core.ordering import nulls_last_slice
from kizuna.core.permissions import Scope

from . import forecast
from .models import Deal, DealStageChange, Order, Pipeline, Product, Stage

BOARD_CARD_FIELDS = (
    "id", "version", "title", "amount", "stage_id", "pipeline_id", "owner_id", "team_id", "company_id",
    "contact_id", "expected_close_date", "closed_at", "company__name", "contact__family_name",
    "contact__given_name", "owner__username", "owner__display_name", "owner__first_name",
    "owner__last_name",
)  # fmt: skip
BOARD_CARDS_PER_COLUMN = 25  # the rest of a column is one click away, in the deal list

DEAL_SORTS: dict[str, tuple[Any, ...]] = {
    "-updated": ("-updated_at", "-id"),
    "close": (F("expected_close_date").asc(nulls_last=True), "id"),
    "-close": (F("expected_close_date").desc(nulls_last=True), "-id"),
    "-amount": ("-amount", "-id"),
    "amount": ("amount", "id"),
    "title": ("title", "id"),
}
DEAL_STATUSES = ("open", "won", "lost")


# Pipelines and stages are configuration every signed-in user may read.
def pipeline_list() -> list[Pipeline]:
    return list(Pipeline.objects.order_by("position", "id"))


def pipeline_choose(*, pk: Any = None, pipelines: list[Pipeline] | None = None) -> Pipeline | None:
    """The pipeline ``pk`` if it exists, else the default one (or the first)."""
    pipelines = pipeline_list() if pipelines is None else pipelines
    chosen = next((p for p in pipelines if str(p.pk) == str(pk)), None) if pk else None
    return (
        chosen or next((p for p in pipelines if p.is_default), None) or (pipelines[0] if pipelines else None)
    )


def stage_list(*, pipeline: Pipeline | None = None) -> list[Stage]:
    qs = Stage.objects.select_related("pipeline").order_by("pipeline__position", "pipeline_id", "position")
    return list(qs.filter(pipeline=pipeline) if pipeline is not None else qs)


def deal_queryset(*, user: Any) -> QuerySet[Deal]:
    """The deals ``user`` may see: the base of every deal read and of the forecast."""
    return visible(Deal.objects.all(), user)


def owner_choices(*, user: Any, include: Any = None) -> list[User]:
    """Users whose records ``user`` may see and assign: themselves, their team, or everyone by role."""
    qs = User.objects.filter(is_active=True)
    scope = user.policy.view
    if scope == Scope.OWN or (scope == Scope.TEAM and user.team_id is None):
        qs = qs.filter(pk=user.pk)
    elif scope == Scope.TEAM:
        qs = qs.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    elif scope != Scope.ALL:
        qs = qs.none()
    users = list(qs.order_by("username"))
    if include is not None and include.pk not in {u.pk for u in users}:
        users.append(include)
    return users


@dataclass
class ColumnStats:
    count: int = 0
    total: int = 0
    weighted: int = 0


def board_stats(
    *, user: Any, pipeline: Pipeline, stages: list[Stage] | None = None
) -> dict[int, ColumnStats]:
    """Count, amount and weighted amount of the visible deals per stage of ``pipeline``.

    One GROUP BY on the deal table alone: every deal of a column shares the stage's probability, so
    the weighted amount is the column total × probability, exact before rounding.
    """
    stages = stage_list(pipeline=pipeline) if stages is None else stages
    probability = {s.pk: s.probability for s in stages}

    def totals() -> list[dict[str, Any]]:
        qs = deal_queryset(user=user).filter(pipeline=pipeline).values("stage_id")
        return list(qs.annotate(n=Count("id"), total=Sum("amount")).order_by())

    # Cached until the next write (a move is one): kizuna.core.figures.
    rows = figures.cached(f"board:{pipeline.pk}:{figures.visibility_key(user)}", totals)
    out = {}
    for r in rows:
        total = int(r["total"] or 0)
        out[r["stage_id"]] = ColumnStats(
            count=r["n"], total=total, weighted=forecast.yen(total * probability.get(r["stage_id"], 0))
        )
    return out


@dataclass
class BoardColumn:
    stage: Stage
    stats: ColumnStats
    cards: list[Deal] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return max(self.stats.count - len(self.cards), 0)


def board_columns(*, user: Any, pipeline: Pipeline, per_column: int | None = None) -> list[BoardColumn]:
    """One column per stage with its totals and at most ``per_column`` cards.

    Open stages show the deals closing soonest (no date last), closed stages the latest closed. One
    query for the stages, one for the totals and one a stage: the count does not grow with deals.
    """
    per_column = per_column or BOARD_CARDS_PER_COLUMN
    stages = stage_list(pipeline=pipeline)
    stats = board_stats(user=user, pipeline=pipeline, stages=stages)
    # Only what a card shows: a board builds some 700 model instances, and each field costs.
    base = deal_queryset(user=user).select_related("company", "contact", "owner").only(*BOARD_CARD_FIELDS)
    columns = []
    for stage in stages:
        column = base.filter(stage=stage)
        if stage.is_won or stage.is_lost:  # closed deals always have closed_at (set by the service)
            cards = list(column.order_by("-closed_at", "-id")[:per_column])
        else:  # closing soonest first, undated last, each part read in index order
            cards = nulls_last_slice(column, "expected_close_date", 0, per_column)
        column_stats = stats.get(stage.pk, ColumnStats())
        for card in cards:
            card.stage = stage  # already loaded: no query per card
        columns.append(BoardColumn(stage=stage, stats=column_stats, cards=cards))
    return columns


def _has_status(stage: Stage, status: str) -> bool:
    if status == "won":
        return stage.is_won
    if status == "lost":
        return stage.is_lost
    return not (stage.is_won or stage.is_lost)


@dataclass
class DealFilters:
    pipeline: int | None = None
    stage: int | None = None
    owner: int | None = None
    status: str = ""
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    search: str = ""


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def deal_list(
    *, user: Any, filters: DealFilters, sort: str = "-updated", page: int = 1, page_size: int = 50
) -> Page:
    """A page of visible deals; ``has_next`` comes from fetching one row more, never from a count.

    Stages and pipelines are attached from memory rather than joined: with only outer joins left,
    the database walks the deal table in the order asked for and stops after one page.
    """
    stages = {s.pk: s for s in stage_list()}
    qs = deal_queryset(user=user).select_related("company", "contact", "owner")
    if filters.pipeline:
        qs = qs.filter(pipeline_id=filters.pipeline)
    if filters.stage:
        qs = qs.filter(stage_id=filters.stage)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.status in DEAL_STATUSES:
        qs = qs.filter(stage_id__in=[pk for pk, st in stages.items() if _has_status(st, filters.status)])
    if filters.close_from:
        qs = qs.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to:
        qs = qs.filter(expected_close_date__lte=filters.close_to)
    if filters.search:
        qs = qs.filter(title__icontains=filters.search)
    qs = qs.order_by(*DEAL_SORTS.get(sort, DEAL_SORTS["-updated"]))
    page = max(page, 1)
    offset = (page - 1) * page_size
    rows = list(qs[offset : offset + page_size + 1])
    for deal in rows:
        deal.stage = stages[deal.stage_id]
        deal.pipeline = deal.stage.pipeline
    return Page(rows=rows[:page_size], number=page, has_next=len(rows) > page_size)


def deal_get(*, user: Any, pk: Any) -> Deal:
    """One visible deal with its customer, owner and stage, or KZ-AUTH-001."""
    qs = deal_queryset(user=user).select_related("company", "contact", "owner", "stage", "pipeline")
    deal: Deal = get_visible(qs, pk, object_type="deal", user=user)
    return deal


@dataclass
class StageHistoryRow:
    change: DealStageChange
    until: dt.datetime | None  # when the deal left the stage; None while it is still there
    current: bool

    @property
    def time_in_stage(self) -> dt.timedelta:
        return (self.until or timezone.now()) - self.change.changed_at


def deal_stage_history(*, deal: Deal, limit: int = 200) -> list[StageHistoryRow]:
    """The deal's moves, oldest first, each with how long the deal stayed in the stage it entered."""
    changes = list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )
    changes.reverse()
    rows = []
    for i, change in enumerate(changes):
        nxt = changes[i + 1] if i + 1 < len(changes) else None
        rows.append(
            StageHistoryRow(change=change, until=nxt.changed_at if nxt else None, current=nxt is None)
        )
    return rows


def deal_activities(*, user: Any, deal: Deal, limit: int = 20) -> list[Any]:
    """The deal's activities the user may see, newest first."""
    qs = visible(deal.activities.all(), user).select_related("author", "contact")
    return list(qs.order_by("-occurred_at", "-id")[:limit])


def deal_tasks(*, user: Any, deal: Deal, limit: int = 20) -> list[Any]:
    """The deal's tasks the user may see: open ones first by due date, then done ones."""
    qs = visible(deal.tasks.all(), user).select_related("assignee")
    return list(qs.order_by("completed_at", F("due_at").asc(nulls_last=True), "id")[:limit])


@dataclass
class Forecast:
    first_month: dt.date
    months: list[forecast.MonthForecast]
    totals: forecast.ForecastTotals
    by_owner: list[forecast.OwnerForecast]
    past: list[forecast.PastMonth]
    win_rates: list[forecast.StageWinRate]
    outside: forecast.Outside


def forecast_for(*, user: Any, months: int = 6, pipeline: Pipeline | None = None) -> Forecast:
    """The forecast page: next ``months`` months, the same number of past months, win rates per stage.

    Cached until the next write (kizuna.core.figures): it adds up the whole pipeline and its history.
    """
    deals = deal_queryset(user=user)
    if pipeline is not None:
        deals = deals.filter(pipeline=pipeline)
    this_month = timezone.localdate().replace(day=1)

    def compute() -> Forecast:
        stages = stage_list(pipeline=pipeline)
        rows = forecast.forecast_by_month(deals, first_month=this_month, months=months, stages=stages)
        return Forecast(
            first_month=this_month,
            months=rows,
            totals=forecast.totals(rows),
            by_owner=forecast.forecast_by_owner(deals, first_month=this_month, months=months, stages=stages),
            past=forecast.forecast_vs_actual(deals, stages=stages, this_month=this_month, months=months),
            win_rates=forecast.win_rates(deals, stages=stages),
            outside=forecast.outside_window(deals, first_month=this_month, stages=stages),
        )

    zone = timezone.get_current_timezone_name()
    key = f"forecast:{pipeline.pk if pipeline else 0}:{months}:{figures.visibility_key(user)}:{this_month}:{zone}"
    return figures.cached(key, compute)


def order_list(*, user: Any) -> QuerySet[Order]:
    """Visible orders (purchase history), newest first."""
    return visible(Order.objects.all(), user).select_related("company", "contact", "owner")


def product_list(*, active_only: bool = True) -> QuerySet[Product]:
    qs = Product.objects.all()
    return qs.filter(active=True) if active_only else qs
