"""Reads for the home dashboard and the global search, with each user's visibility applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Sum
from django.utils import timezone

from kizuna.accounts.visibility import visible
from kizuna.activities.models import Activity, Task, TaskStatus
from kizuna.core.figures import cached, visibility_key
from kizuna.core.search import search_filter
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Deal, Order, OrderStatus, Stage
from kizuna.support.models import Priority, Ticket

SEARCH_LIMIT = 8


@dataclass
class Dashboard:
    my_tasks: list[Task]
    overdue_tasks: int
    todays_activities: list[Activity]
    pipeline_by_stage: list[dict[str, Any]]
    sales_this_month: int
    sales_last_month: int
    forecast_quarter: int
    quarter_label: str
    tickets_by_priority: list[dict[str, Any]]
    tickets_at_risk: int
    tickets_breached: int
    as_of: dt.datetime | None = None  # when the aggregate figures were computed
    extra: dict[str, Any] = field(default_factory=dict)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def dashboard_for(user: Any) -> Dashboard:
    """The home page: the user's own tasks and today's activities, live; the aggregate figures cached.

    The figures (pipeline, sales, forecast, tickets) add up hundreds of thousands of rows at a
    million contacts. They are cached per visibility and per day until the next write
    (:mod:`kizuna.core.figures`).
    """
    now = timezone.localtime()
    tasks = (
        visible(Task.objects.all(), user)
        .filter(assignee=user)
        .exclude(status__in=(TaskStatus.DONE, TaskStatus.CANCELLED))
    )
    my_tasks = list(tasks.select_related("contact", "deal").order_by(F("due_at").asc(nulls_last=True))[:8])
    overdue = tasks.filter(due_at__lt=now).count()
    today = now.date()
    todays = list(
        visible(Activity.objects.all(), user)
        .filter(occurred_at__gte=_aware(today), occurred_at__lt=_aware(today + dt.timedelta(days=1)))
        .select_related("contact", "author")
        .order_by("-occurred_at")[:8]
    )
    key = f"dashboard:{visibility_key(user)}:{now:%Y-%m-%d}:{timezone.get_current_timezone_name()}"
    figures = dict(cached(key, lambda: _figures(user, now)))
    priorities = dict(Priority.choices)
    figures["tickets_by_priority"] = [
        {**row, "label": priorities.get(row["priority"], row["priority"])}
        for row in figures["tickets_by_priority"]
    ]
    return Dashboard(my_tasks=my_tasks, overdue_tasks=overdue, todays_activities=todays, **figures)


def _figures(user: Any, now: dt.datetime) -> dict[str, Any]:
    today = now.date()
    this_month = _month_start(today)
    last_month = _month_start(this_month - dt.timedelta(days=1))
    quarter_first_month = 3 * ((today.month - 1) // 3) + 1
    quarter_start = today.replace(month=quarter_first_month, day=1)
    quarter_end = (quarter_start + dt.timedelta(days=95)).replace(day=1)

    stages = {s.pk: s for s in Stage.objects.select_related("pipeline")}
    open_ids = [pk for pk, s in stages.items() if not (s.is_won or s.is_lost)]
    deals = visible(Deal.objects.all(), user).filter(stage_id__in=open_ids)
    # Grouped on the deal table alone (the board's covering index); names come from the stages.
    totals = deals.values("stage_id").annotate(total=Sum("amount"), count=Count("id")).order_by()
    by_stage = sorted(
        (
            {
                "stage_id": row["stage_id"],
                "stage__name": stages[row["stage_id"]].name,
                "stage__position": stages[row["stage_id"]].position,
                "pipeline__name": stages[row["stage_id"]].pipeline.name,
                "total": row["total"],
                "count": row["count"],
            }
            for row in totals
        ),
        key=lambda row: (row["pipeline__name"], row["stage__position"]),
    )
    forecast = deals.filter(
        expected_close_date__gte=quarter_start, expected_close_date__lt=quarter_end
    ).aggregate(v=Sum(F("amount") * F("stage__probability") / 100))["v"]

    orders = visible(Order.objects.all(), user).exclude(status=OrderStatus.CANCELLED)
    month_sales = orders.filter(order_date__gte=this_month).aggregate(v=Sum("total"))["v"]
    last_sales = orders.filter(order_date__gte=last_month, order_date__lt=this_month).aggregate(
        v=Sum("total")
    )["v"]

    tickets = visible(Ticket.objects.all(), user).filter(in_queue__in=(True,))  # as the ticket queue
    counts = dict(tickets.values_list("priority").annotate(count=Count("id")).order_by())
    by_priority = [
        {"priority": value, "count": counts[value]}
        for value, _ in reversed(Priority.choices)
        if counts.get(value)
    ]
    breached = tickets.filter(sla_due_at__lt=now).count()
    at_risk = tickets.filter(sla_due_at__gte=now, sla_due_at__lt=now + dt.timedelta(hours=4)).count()
    return {
        "pipeline_by_stage": by_stage,
        "sales_this_month": int(month_sales or 0),
        "sales_last_month": int(last_sales or 0),
        "forecast_quarter": int(forecast or 0),
        "quarter_label": f"{quarter_start:%Y}-Q{(quarter_first_month - 1) // 3 + 1}",
        "tickets_by_priority": by_priority,
        "tickets_at_risk": at_risk,
        "tickets_breached": breached,
        "as_of": now,
    }


@dataclass
class SearchResults:
    query: str
    contacts: list[Contact]
    companies: list[Company]
    deals: list[Deal]
    tickets: list[Ticket]

    @property
    def total(self) -> int:
        return len(self.contacts) + len(self.companies) + len(self.deals) + len(self.tickets)


def global_search(*, user: Any, query: str, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Contacts, companies, deals and tickets matching ``query`` that ``user`` may see."""
    query = query.strip()
    if not query:
        return SearchResults(query, [], [], [], [])
    contacts = (
        search_filter(visible(Contact.objects.all(), user), query)
        .select_related("company")
        .order_by("-updated_at", "-id")[:limit]
    )
    companies = search_filter(visible(Company.objects.all(), user), query).order_by("-updated_at", "-id")[
        :limit
    ]
    deals = (
        search_filter(visible(Deal.objects.all(), user), query)
        .select_related("stage", "company")
        .order_by("-updated_at", "-id")[:limit]
    )
    tickets = (
        search_filter(visible(Ticket.objects.all(), user), query)
        .select_related("contact")
        .order_by("-created_at", "-id")[:limit]
    )
    return SearchResults(query, list(contacts), list(companies), list(deals), list(tickets))


def stage_names(pipeline_id: int) -> list[str]:
    return list(
        Stage.objects.filter(pipeline_id=pipeline_id).order_by("position").values_list("name", flat=True)
    )
