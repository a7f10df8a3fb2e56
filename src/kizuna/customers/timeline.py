"""The customer 360 reads: one merged timeline and the side panels of a contact or company page.

The timeline merges six record types (activities, tasks, tickets, orders, deals, feedback), each
read with :func:`visible` applied. A page is built from one query per type, each limited to the
page size and ordered by its time column, then merged in Python: the cost depends on the page
size, not on how many items the customer has. Pages are chained by a keyset cursor
``(time, type rank, id)`` so "show older" never skips or repeats an item.

This module reads sales, support and activities models: it sits above them, like the record pages
that use it (customers.models never imports it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from kizuna.accounts.visibility import can_view, visible
from kizuna.activities.models import Activity, Task, TaskStatus
from kizuna.sales.models import Deal, Order, OrderLine, OrderStatus
from kizuna.support.models import Feedback, Ticket

from .models import Company, Contact

TIMELINE_PAGE_SIZE = 20
PANEL_LIMIT = 10
OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR_RE = re.compile(r"^(-?\d{1,20})\.(\d)\.(\d{1,20})$")

Subject = Contact | Company


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a timeline page ends: items strictly older than this (time, rank, id) come next."""

    at: dt.datetime
    rank: int
    pk: int

    def encode(self) -> str:
        return f"{(self.at - _EPOCH) // dt.timedelta(microseconds=1)}.{self.rank}.{self.pk}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor from a ``before`` parameter, or None (first page) when absent or malformed."""
        match = _CURSOR_RE.match(text or "")
        if match is None:
            return None
        try:
            at = _EPOCH + dt.timedelta(microseconds=int(match.group(1)))
        except OverflowError:
            return None
        return cls(at=at, rank=int(match.group(2)), pk=int(match.group(3)))


@dataclass(slots=True)
class TimelineItem:
    kind: str  # activity, task, ticket, order, deal, feedback
    at: dt.datetime
    rank: int
    obj: Any
    # The person the item is about, shown on company pages, only when the user may see them.
    contact: Contact | None = None

    @property
    def date_only(self) -> bool:
        return self.kind == "order"

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.at, rank=self.rank, pk=self.obj.pk)


@dataclass(slots=True)
class TimelinePage:
    items: list[TimelineItem]
    next_cursor: str | None  # None: this is the oldest page


@dataclass(frozen=True, slots=True)
class _Source:
    kind: str
    rank: int  # breaks ties between types at the same instant (higher shows first)
    model: type[models.Model]
    time_field: str
    related: tuple[str, ...]
    on_company: bool  # the model has its own company foreign key
    annotate: Callable[[], dict[str, Any]] | None = None

    @property
    def is_date(self) -> bool:
        return self.time_field == "order_date"


def _order_lines_count() -> dict[str, Any]:
    # A correlated count per displayed order: no GROUP BY over all the customer's orders.
    lines = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {"lines_count": Coalesce(Subquery(lines), 0)}


SOURCES: tuple[_Source, ...] = (
    _Source("activity", 6, Activity, "occurred_at", ("author", "contact"), True),
    _Source("task", 5, Task, "created_at", ("assignee", "contact"), True),
    _Source("ticket", 4, Ticket, "created_at", ("assignee", "contact"), True),
    _Source("deal", 3, Deal, "created_at", ("stage", "pipeline", "owner", "contact"), True),
    _Source("order", 2, Order, "order_date", ("contact",), True, _order_lines_count),
    _Source("feedback", 1, Feedback, "received_at", ("contact",), False),
)


def _local_midnight(day: dt.date) -> dt.datetime:
    # Orders carry a calendar date; they sit at the start of that day (Asia/Tokyo unless configured).
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def _item_time(source: _Source, obj: Any) -> dt.datetime:
    value: dt.datetime = getattr(obj, source.time_field)
    return _local_midnight(value) if source.is_date else value


def _after(source: _Source, cursor: Cursor) -> Q:
    """Items of ``source`` that sort strictly after ``cursor`` in (time, rank, id) descending order."""
    name = source.time_field
    if source.is_date:
        day = timezone.localtime(cursor.at, timezone.get_default_timezone()).date()
        exact = _local_midnight(day) == cursor.at
        older = Q(**{f"{name}__lt": day}) if exact else Q(**{f"{name}__lte": day})
        same = Q(**{name: day}) if exact else Q(pk__in=[])
    else:
        older = Q(**{f"{name}__lt": cursor.at})
        same = Q(**{name: cursor.at})
    if source.rank < cursor.rank:
        return older | same
    if source.rank == cursor.rank:
        return older | (same & Q(pk__lt=cursor.pk))
    return older


def people_of(company: Company, user: Any) -> models.QuerySet[Contact, Any]:
    """Ids of the company's contacts that ``user`` may see (a subquery, never loaded)."""
    return visible(Contact.objects.filter(company_id=company.pk), user).values("pk")


def _subject_q(subject: Subject, user: Any, *, on_company: bool) -> Q:
    if isinstance(subject, Contact):
        return Q(contact_id=subject.pk)
    q = Q(contact_id__in=people_of(subject, user))
    return q | Q(company_id=subject.pk) if on_company else q


def _visible_contact(obj: Any, subject: Subject, user: Any) -> Contact | None:
    if isinstance(subject, Contact):
        return None  # the page is the contact's own
    contact: Contact | None = getattr(obj, "contact", None)
    return contact if contact is not None and can_view(user, contact) else None


def timeline_page(
    *, user: Any, subject: Subject, before: Cursor | None = None, limit: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    """One page of the subject's merged timeline, newest first, older than ``before`` when given.

    Six queries whatever the number of items: each type is read up to ``limit + 1`` rows, so the
    merge knows whether an older page exists.
    """
    candidates: list[TimelineItem] = []
    for source in SOURCES:
        ordering = (f"-{source.time_field}", "-pk")
        mine = visible(source.model._default_manager.all(), user).filter(
            _subject_q(subject, user, on_company=source.on_company)
        )
        if before is not None:
            mine = mine.filter(_after(source, before))
        # The page's ids are chosen in a subquery that sorts only (time, id): without a composite
        # (customer, time) index the database sorts every item of the customer, and narrow rows
        # sort several times faster than whole ones.
        keys = mine.order_by(*ordering).values("pk")[: limit + 1]
        qs = source.model._default_manager.filter(pk__in=keys)
        if source.annotate is not None:
            qs = qs.annotate(**source.annotate())
        # The item's contact is only shown on company pages.
        related = [r for r in source.related if r != "contact" or isinstance(subject, Company)]
        rows = qs.select_related(*related).order_by(*ordering)
        candidates.extend(
            TimelineItem(
                kind=source.kind,
                at=_item_time(source, obj),
                rank=source.rank,
                obj=obj,
                contact=_visible_contact(obj, subject, user),
            )
            for obj in rows
        )
    candidates.sort(key=lambda i: (i.at, i.rank, i.obj.pk), reverse=True)
    items = candidates[:limit]
    more = len(candidates) > limit
    return TimelinePage(items=items, next_cursor=items[-1].cursor.encode() if more and items else None)


def timeline_item(*, kind: str, obj: Any, user: Any, subject: Subject) -> TimelineItem:
    """A single just-created record as a timeline item (for prepending after a quick action)."""
    source = next(s for s in SOURCES if s.kind == kind)
    return TimelineItem(
        kind=kind,
        at=_item_time(source, obj),
        rank=source.rank,
        obj=obj,
        contact=_visible_contact(obj, subject, user),
    )


def open_tasks(*, user: Any, subject: Subject, limit: int = PANEL_LIMIT) -> list[Task]:
    """The subject's open tasks the user may see, soonest due first (undated last)."""
    qs = (
        visible(Task.objects.all(), user)
        .filter(_subject_q(subject, user, on_company=True), status__in=OPEN_TASK_STATUSES)
        .select_related("assignee", "contact")
        .order_by(models.F("due_at").asc(nulls_last=True), "id")
    )
    return list(qs[:limit])


def open_deals(*, user: Any, subject: Subject, limit: int = PANEL_LIMIT) -> list[Deal]:
    """The subject's deals not yet won or lost, closing soonest first."""
    qs = (
        visible(Deal.objects.all(), user)
        .filter(_subject_q(subject, user, on_company=True), stage__is_won=False, stage__is_lost=False)
        .select_related("stage", "pipeline")
        .order_by(models.F("expected_close_date").asc(nulls_last=True), "id")
    )
    return list(qs[:limit])


@dataclass(frozen=True, slots=True)
class PurchaseSummary:
    orders: int
    total: int
    last_order_date: dt.date | None


def purchase_summary(*, user: Any, subject: Subject) -> PurchaseSummary:
    """Count, total spend and last order date over the orders the user may see (cancelled ones excluded)."""
    row = (
        visible(Order.objects.all(), user)
        .filter(_subject_q(subject, user, on_company=True))
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(n=Count("pk"), total=Sum("total"), last=Max("order_date"))
    )
    return PurchaseSummary(orders=row["n"] or 0, total=row["total"] or 0, last_order_date=row["last"])
