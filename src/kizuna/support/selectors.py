"""Reads of tickets (inquiries) with each user's visibility applied: the queue, one ticket, SLA state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.accounts.visibility import get_visible, visible, visible_flag, visible_ids_if_few
from kizuna.core.ordering import SMALL_SET, narrow_when_small, nulls_last_slice
from kizuna.core.permissions import Scope

from .models import OPEN_TICKET_STATUSES, Ticket

T = TypeVar("T")

OPEN_STATUSES = OPEN_TICKET_STATUSES
SLA_SOON = dt.timedelta(hours=4)
PAGE_SIZE = 25


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows; ``has_next`` comes from fetching one row more than shown (no COUNT)."""

    rows: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def paginate(qs: QuerySet[Any], *, page: int, page_size: int = PAGE_SIZE) -> Page[Any]:
    number = max(1, page)
    start = (number - 1) * page_size
    rows = list(qs[start : start + page_size + 1])
    return Page(rows=rows[:page_size], number=number, has_next=len(rows) > page_size)


@dataclass(frozen=True)
class TicketFilters:
    status: str = ""  # "" = the open ones (new, open, waiting), "all", or one status
    priority: str = ""
    assignee: str = ""  # "", "me", "none" or a user id
    channel: str = ""
    sla: str = ""  # "", "breached", "soon" (due within 4 h)
    sort: str = "sla"  # "sla" (due first) or "newest"


def _with_customer(qs: QuerySet[Ticket], user: Any) -> QuerySet[Ticket]:
    # The customer is named only when the user may see that record too (its owner may differ).
    return qs.select_related("contact", "company", "assignee").annotate(
        contact_visible=visible_flag(user, prefix="contact__"),
        company_visible=visible_flag(user, prefix="company__"),
    )


def ticket_list(
    *, user: Any, filters: TicketFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Ticket]:
    """The tickets ``user`` may see, filtered; sorted by SLA due (no SLA last) or newest first."""
    flt = filters or TicketFilters()
    now = now or timezone.now()
    qs = _with_customer(visible(Ticket.objects.all(), user), user)
    if flt.status == "all":
        pass
    elif flt.status:
        qs = qs.filter(status=flt.status)
    else:
        # The open statuses, through the queue's index. "IN (true)", not "= true": Django writes the
        # latter as a bare column, which SQLite does not match to the index.
        qs = qs.filter(in_queue__in=(True,))
    if flt.priority:
        qs = qs.filter(priority=flt.priority)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    if flt.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif flt.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif flt.assignee.isdigit():
        qs = qs.filter(assignee_id=int(flt.assignee))
    if flt.sla == "breached":
        qs = qs.filter(Q(status__in=OPEN_STATUSES, sla_due_at__lt=now) | Q(resolved_at__gt=F("sla_due_at")))
    elif flt.sla == "soon":
        qs = qs.filter(status__in=OPEN_STATUSES, sla_due_at__gte=now, sla_due_at__lt=now + SLA_SOON)
    if flt.sort == "newest":
        return qs.order_by("-created_at", "-id")
    return qs.order_by(F("sla_due_at").asc(nulls_last=True), "id")


def ticket_page(
    *, user: Any, filters: TicketFilters | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Ticket]:
    qs = ticket_list(user=user, filters=filters).defer("search_text")
    few = visible_ids_if_few(Ticket, user, limit=SMALL_SET)
    qs = narrow_when_small(qs) if few is None else qs.filter(pk__in=few)
    if (filters or TicketFilters()).sort == "newest":
        return paginate(qs, page=page, page_size=page_size)
    # SLA order (no SLA last), read in index order on SQLite too: see kizuna.core.ordering.
    number = max(1, page)
    start = (number - 1) * page_size
    rows = nulls_last_slice(qs, "sla_due_at", start, start + page_size + 1)
    return Page(rows=rows[:page_size], number=number, has_next=len(rows) > page_size)


def ticket_get(*, user: Any, pk: Any) -> Ticket:
    """One ticket ``user`` may see (with its customer and people), or KZ-AUTH-001."""
    qs = _with_customer(visible(Ticket.objects.all(), user), user).select_related("owner")
    ticket: Ticket = get_visible(qs, pk, object_type="ticket", user=user)
    return ticket


@dataclass(frozen=True)
class SlaTimer:
    """Where a ticket stands against its SLA at ``now``.

    state: ``none`` (no SLA), ``ok``, ``soon`` (due within 4 h), ``breached`` (open and past due),
    ``met`` (resolved in time), ``missed`` (resolved late). ``delta`` is always positive.
    """

    state: str
    due: dt.datetime | None
    delta: dt.timedelta

    @property
    def is_breached(self) -> bool:
        return self.state in ("breached", "missed")


def sla_timer(ticket: Ticket, *, now: dt.datetime | None = None) -> SlaTimer:
    now = now or timezone.now()
    due = ticket.sla_due_at
    if due is None:
        return SlaTimer("none", None, dt.timedelta(0))
    if ticket.status not in OPEN_STATUSES:
        done = ticket.resolved_at or now
        if done <= due:
            return SlaTimer("met", due, due - done)
        return SlaTimer("missed", due, done - due)
    if due <= now:
        return SlaTimer("breached", due, now - due)
    left = due - now
    return SlaTimer("soon" if left < SLA_SOON else "ok", due, left)


def _users(user: Any, scope: str) -> list[User]:
    qs = User.objects.filter(is_active=True)
    if scope == Scope.ALL:
        pass
    elif scope == Scope.TEAM and user.team_id is not None:
        qs = qs.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    elif scope == Scope.NONE:
        qs = qs.none()
    else:
        qs = qs.filter(pk=user.pk)
    return list(qs.order_by("display_name", "username"))


def assignable_users(*, user: Any) -> list[User]:
    """The users ``user`` may assign records to (as the services allow): self, the team, or everyone."""
    if user.policy.edit == Scope.NONE:
        return []
    return _users(user, user.policy.edit)


def filter_users(*, user: Any) -> list[User]:
    """The people offered in an assignee filter: those whose records ``user`` may see."""
    return _users(user, user.policy.view)
