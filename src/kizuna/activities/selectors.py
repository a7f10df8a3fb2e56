"""Reads of tasks and timeline entries with each user's visibility applied.

Tabs of the task list, the week calendar, the reminders that are due, and a ticket's conversation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone

from kizuna.accounts.visibility import get_visible, visible, visible_flag, visible_q
from kizuna.customers.models import Company, Contact
from kizuna.sales.models import Deal
from kizuna.support.models import Ticket

from .models import Activity, Task, TaskStatus

OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
TABS = ("mine", "team", "overdue")
CALENDAR_LIMIT = 500
REMINDER_LIMIT = 20
RELATED_MODELS: dict[str, type[models.Model]] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
    "ticket": Ticket,
}


@dataclass(frozen=True)
class TaskFilters:
    tab: str = "mine"  # mine (assigned to me), team (my team's), overdue (open and past due)
    status: str = ""  # "" = open and in progress, "all", or one status
    priority: str = ""
    due_from: dt.date | None = None  # in the user's time zone, inclusive
    due_to: dt.date | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _scoped(user: Any, scope: str) -> QuerySet[Task]:
    qs = visible(Task.objects.all(), user)
    if scope == "mine":
        return qs.filter(assignee_id=user.pk)
    if user.team_id is not None:
        return qs.filter(team_id=user.team_id)
    return qs


def _with_related(qs: QuerySet[Task], user: Any) -> QuerySet[Task]:
    # A related record is named only when the user may see it too (its owner may differ).
    return qs.select_related("assignee", *RELATED_MODELS).annotate(
        **{f"{name}_visible": visible_flag(user, prefix=f"{name}__") for name in RELATED_MODELS}
    )


def task_list(
    *, user: Any, filters: TaskFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Task]:
    """The tasks of one tab that ``user`` may see, soonest due first (no due date last)."""
    flt = filters or TaskFilters()
    now = now or timezone.now()
    qs = _scoped(user, "mine" if flt.tab == "mine" else "team")
    if flt.tab == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif flt.status == "all":
        pass
    elif flt.status:
        qs = qs.filter(status=flt.status)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if flt.priority:
        qs = qs.filter(priority=flt.priority)
    if flt.due_from is not None:
        qs = qs.filter(due_at__gte=_local_midnight(flt.due_from))
    if flt.due_to is not None:
        qs = qs.filter(due_at__lt=_local_midnight(flt.due_to + dt.timedelta(days=1)))
    return _with_related(qs, user).order_by(F("due_at").asc(nulls_last=True), "id")


def task_get(*, user: Any, pk: Any) -> Task:
    """One task ``user`` may see, or KZ-AUTH-001."""
    qs = _with_related(visible(Task.objects.all(), user), user)
    task: Task = get_visible(qs, pk, object_type="task", user=user)
    return task


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    tasks: list[Task]
    is_today: bool


@dataclass(frozen=True)
class CalendarWeek:
    monday: dt.date
    days: list[CalendarDay]
    truncated: bool  # more than CALENDAR_LIMIT tasks in the week: only the first ones are shown

    @property
    def iso_week(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def previous(self) -> str:
        year, week, _ = (self.monday - dt.timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def next(self) -> str:
        year, week, _ = (self.monday + dt.timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"


def parse_iso_week(value: str | None, *, today: dt.date) -> dt.date:
    """``"2026-W49"`` -> date(2026, 11, 30), the Monday; anything unreadable -> this week's Monday."""
    text = (value or "").strip().upper()
    year, sep, week = text.partition("-W")
    if sep and year.isdigit() and week.isdigit():
        try:
            return dt.date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            pass
    return today - dt.timedelta(days=today.weekday())


def task_week(*, user: Any, monday: dt.date, scope: str = "mine") -> CalendarWeek:
    """Seven day columns (Monday first) of the tasks due that day in the active time zone; cancelled ones left out."""
    start = _local_midnight(monday)
    end = _local_midnight(monday + dt.timedelta(days=7))
    qs = (
        _scoped(user, "mine" if scope == "mine" else "team")
        .filter(due_at__gte=start, due_at__lt=end)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("assignee")
        .order_by("due_at", "id")
    )
    tasks = list(qs[: CALENDAR_LIMIT + 1])
    by_day: dict[dt.date, list[Task]] = {}
    for task in tasks[:CALENDAR_LIMIT]:
        assert task.due_at is not None
        by_day.setdefault(timezone.localtime(task.due_at).date(), []).append(task)
    today = timezone.localdate()
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    return CalendarWeek(
        monday=monday,
        days=[CalendarDay(day, by_day.get(day, []), day == today) for day in days],
        truncated=len(tasks) > CALENDAR_LIMIT,
    )


def reminders_due(*, user: Any, now: dt.datetime | None = None, limit: int = REMINDER_LIMIT) -> list[Task]:
    """Open tasks assigned to ``user`` whose reminder time has passed, oldest reminder first.

    Returns at most ``limit + 1`` tasks, so a caller can show "20+" without counting.
    """
    now = now or timezone.now()
    qs = (
        visible(Task.objects.all(), user)
        .filter(assignee_id=user.pk, status__in=OPEN_STATUSES, remind_at__lte=now)
        .order_by("remind_at", "id")
    )
    return list(qs[: limit + 1])


def related_record(*, user: Any, kind: str, pk: Any) -> models.Model | None:
    """The contact, company, deal or ticket a new task will be attached to, if ``user`` may see it."""
    model = RELATED_MODELS.get(kind)
    if model is None or not str(pk).isdigit():
        return None
    return visible(model._default_manager.all(), user).filter(pk=pk).first()


def ticket_conversation(*, user: Any, ticket: Ticket) -> list[Activity]:
    """Messages, replies and internal notes of ``ticket``, oldest first.

    A ticket's conversation is part of the ticket: whoever may see the ticket sees all of it.
    """
    qs = (
        Activity.objects.filter(ticket_id=ticket.pk)
        .filter(visible_q(user, prefix="ticket__"))
        .select_related("author")
        .order_by("occurred_at", "id")
    )
    return list(qs)
