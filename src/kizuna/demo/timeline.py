"""Support and timeline rows of a chunk: tickets, feedback on orders and tickets, activities and tasks."""

from __future__ import annotations

from typing import Final

from .pools import bag
from .related import (
    ACTIVITY_KIND_BAG,
    ACTIVITY_SUBJECTS,
    FEEDBACK_COMMENTS,
    PRIORITIES,
    SLA_SECONDS,
    TASK_TITLES,
    TICKETS,
    Linked,
)
from .rows import DAY, ChunkGenerator, ContactInfo, Row

CHANNELS: Final = bag(("email", "phone", "web", "chat", "in_person"), (40, 30, 20, 8, 2))
TICKET_STATUSES: Final = bag(("new", "open", "pending", "resolved", "closed"), (10, 15, 10, 25, 40))
RATINGS: Final = bag(range(1, 6), (5, 8, 20, 37, 30))
NPS_SCORES: Final = bag(range(11), (2, 2, 3, 4, 5, 8, 10, 16, 20, 15, 15))
PAST_TASK_STATUSES: Final = bag(("done", "open", "cancelled"), (13, 5, 2))
FUTURE_TASK_STATUSES: Final = bag(("open", "in_progress"), (3, 1))


def tickets(g: ChunkGenerator, contacts: ContactInfo, count: int) -> tuple[list[Row], Linked]:
    """Inquiries owned by the support team; SLA, first response and resolution times follow the status."""
    dice, clock = g.dice, g.clock
    first = g.ids.take("ticket", count)
    rows: list[Row] = []
    linked = Linked()
    for ticket_id in range(first, first + count):
        i = dice.index(len(contacts.ids))
        owner, (subject, body) = dice.pick(g.ref.support), dice.pick(TICKETS)
        status, priority = dice.pick(TICKET_STATUSES), dice.pick(PRIORITIES)
        created = clock.business_time(contacts.created[i], clock.now - DAY)
        if status in ("new", "open", "pending"):
            # A queue holds recent inquiries; older ones were answered and closed long ago.
            created = clock.business_time(max(created, (clock.now // DAY - 10) * DAY), clock.now - 3600)
        responded = min(created + clock.between(600, 8 * 3600), clock.now) if status != "new" else None
        resolved = (
            min(created + clock.between(3600, 7 * DAY), clock.now)
            if status in ("resolved", "closed")
            else None
        )
        updated = resolved or responded or created
        rows.append((
            ticket_id, clock.dt(created), clock.dt(updated), 1, owner[0], owner[1], subject, body,
            dice.pick(CHANNELS), status, priority, owner[0], contacts.ids[i],
            contacts.company[i], clock.dt(created + SLA_SECONDS[priority]),
            clock.dt(responded) if responded else None, clock.dt(resolved) if resolved else None, "{}",
            g.document(subject),  # as Ticket.search_parts
        ))  # fmt: skip
        linked.add(ticket_id, contacts.ids[i], contacts.company[i], owner, updated)
    return rows, linked


def feedback(g: ChunkGenerator, orders: Linked, tickets: Linked, count: int) -> list[Row]:
    """Ratings (1–5) and NPS answers (0–10) after an order or a resolved inquiry."""
    dice, clock = g.dice, g.clock
    first = g.ids.take("feedback", count)
    rows: list[Row] = []
    for feedback_id in range(first, first + count):
        source = orders if (dice.chance(0.6) and orders.ids) or not tickets.ids else tickets
        if not source.ids:
            break
        j = dice.index(len(source.ids))
        owner = source.owner[j]
        if dice.chance(0.7):
            kind, score = "rating", dice.pick(RATINGS)
            band = 0 if score <= 2 else 1 if score == 3 else 2
        else:
            kind, score = "nps", dice.pick(NPS_SCORES)
            band = 0 if score <= 6 else 1 if score <= 8 else 2
        received = min(source.at[j] + clock.between(DAY, 14 * DAY), clock.now)
        rows.append((
            feedback_id, clock.dt(received), clock.dt(received), 1, owner[0], owner[1], kind, score,
            dice.pick(FEEDBACK_COMMENTS[band]) if dice.chance(0.6) else "", source.contact[j],
            source.ids[j] if source is tickets else None, source.ids[j] if source is orders else None,
            clock.dt(received),
        ))  # fmt: skip
    return rows


def _subject_of(
    g: ChunkGenerator, contacts: ContactInfo, deals: Linked
) -> tuple[int, int | None, int | None, tuple[int, int], int]:
    """(contact, company, deal or None, owner, earliest time) for a timeline entry: 30% on a deal."""
    if deals.ids and g.dice.chance(0.3):
        j = g.dice.index(len(deals.ids))
        return deals.contact[j], deals.company[j], deals.ids[j], deals.owner[j], deals.at[j]
    i = g.dice.index(len(contacts.ids))
    return contacts.ids[i], contacts.company[i], None, contacts.owner[i], contacts.created[i]


def activities(g: ChunkGenerator, contacts: ContactInfo, deals: Linked, count: int) -> list[Row]:
    """Calls, meetings, emails and notes written by the record's owner."""
    dice, clock = g.dice, g.clock
    first = g.ids.take("activity", count)
    rows: list[Row] = []
    for activity_id in range(first, first + count):
        contact_id, company_id, deal_id, owner, since = _subject_of(g, contacts, deals)
        kind = dice.pick(ACTIVITY_KIND_BAG)
        occurred = clock.business_time(since, clock.now - 3600)
        at = clock.dt(occurred)
        rows.append((
            activity_id, at, at, 1, owner[0], owner[1], contact_id, company_id, deal_id, None, kind,
            dice.pick(ACTIVITY_SUBJECTS[kind]), "", at, owner[0],
        ))  # fmt: skip
    return rows


def tasks(g: ChunkGenerator, contacts: ContactInfo, deals: Linked, count: int) -> list[Row]:
    """Follow-ups assigned to the record's owner, due within a month either side of today."""
    dice, clock = g.dice, g.clock
    first = g.ids.take("task", count)
    rows: list[Row] = []
    for task_id in range(first, first + count):
        contact_id, company_id, deal_id, owner, since = _subject_of(g, contacts, deals)
        created = clock.between(max(since, clock.now - 60 * DAY), clock.now - 3600)
        due = clock.business_time(clock.now - 30 * DAY, clock.now + 30 * DAY)
        status = dice.pick(PAST_TASK_STATUSES if due < clock.now else FUTURE_TASK_STATUSES)
        completed = max(created, min(due, clock.now - 60)) if status == "done" else None
        remind = clock.dt(due - DAY) if dice.chance(0.3) else None
        rows.append((
            task_id, clock.dt(created), clock.dt(completed or created), 1, owner[0], owner[1], contact_id,
            company_id, deal_id, None, dice.pick(TASK_TITLES), "", clock.dt(due), owner[0], status,
            dice.pick(PRIORITIES), remind,
            clock.dt(completed) if completed else None,
        ))  # fmt: skip
    return rows
