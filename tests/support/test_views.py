"""Ticket screens: the queue (filters, SLA timers, paging), the ticket page (triage, conversation), new ticket."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kizuna.activities.models import Activity
from kizuna.core.models import AuditEntry
from kizuna.customers.services import contact_create
from kizuna.support import selectors, services
from kizuna.support.models import Ticket
from kizuna.support.templatetags.support_sla import timer_text

HTMX = {"HTTP_HX_REQUEST": "true"}


def _login(client, user):
    # The UI speaks each user's language (Japanese by default); these tests read English texts.
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)


def _ticket(actor, subject, **data):
    return services.ticket_create(actor=actor, data={"subject": subject, **data})


def _subjects(response):
    return re.findall(r'<a href="/tickets/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def now():
    return timezone.now()


# --- Queue ------------------------------------------------------------------------------------


def test_queue_lists_open_tickets_by_sla_due_and_hides_other_teams(client, alice, bob, charlie, now):
    _ticket(alice, "後で", sla_due_at=now + dt.timedelta(days=2))
    _ticket(bob, "急ぎ", sla_due_at=now + dt.timedelta(hours=1))
    _ticket(alice, "SLAなし")
    _ticket(charlie, "他チーム", sla_due_at=now + dt.timedelta(minutes=5))
    resolved = _ticket(alice, "解決済み", sla_due_at=now)
    services.ticket_update(actor=alice, ticket_id=resolved.pk, data={"status": "resolved"})
    _login(client, alice)

    response = client.get(reverse("support:ticket_list"))

    assert response.status_code == 200
    assert _subjects(response) == ["急ぎ", "後で", "SLAなし"]
    assert _subjects(client.get(reverse("support:ticket_list"), {"status": "all", "sort": "newest"})) == [
        "解決済み",
        "SLAなし",
        "急ぎ",
        "後で",
    ]


def test_queue_filters_status_priority_assignee_and_channel(client, alice, bob):
    _ticket(alice, "電話・高", channel="phone", priority="high", assignee=alice.pk)
    _ticket(alice, "メール・ボブ", assignee=bob.pk)
    _ticket(alice, "未割当", channel="chat")
    waiting = _ticket(alice, "返事待ち", assignee=alice.pk)
    services.ticket_update(actor=alice, ticket_id=waiting.pk, data={"status": "pending"})
    _login(client, alice)
    url = reverse("support:ticket_list")

    assert _subjects(client.get(url, {"priority": "high"})) == ["電話・高"]
    assert _subjects(client.get(url, {"channel": "chat"})) == ["未割当"]
    assert _subjects(client.get(url, {"assignee": "me"})) == ["電話・高", "返事待ち"]
    assert _subjects(client.get(url, {"assignee": str(bob.pk)})) == ["メール・ボブ"]
    assert _subjects(client.get(url, {"assignee": "none"})) == ["未割当"]
    assert _subjects(client.get(url, {"status": "pending"})) == ["返事待ち"]
    assert len(_subjects(client.get(url, {"priority": "nonsense"}))) == 4


def test_queue_filters_breached_and_due_within_four_hours(client, alice, now):
    _ticket(alice, "超過", sla_due_at=now - dt.timedelta(minutes=10))
    _ticket(alice, "もうすぐ", sla_due_at=now + dt.timedelta(hours=3))
    _ticket(alice, "余裕", sla_due_at=now + dt.timedelta(hours=5))
    late = _ticket(alice, "遅れて解決", sla_due_at=now - dt.timedelta(hours=2))
    services.ticket_update(actor=alice, ticket_id=late.pk, data={"status": "resolved"})
    _login(client, alice)
    url = reverse("support:ticket_list")

    assert _subjects(client.get(url, {"sla": "breached"})) == ["超過"]
    assert _subjects(client.get(url, {"sla": "breached", "status": "all"})) == ["遅れて解決", "超過"]
    assert _subjects(client.get(url, {"sla": "soon"})) == ["もうすぐ"]


def test_queue_rows_show_server_computed_sla_timers(client, alice, now):
    _ticket(alice, "超過", sla_due_at=now - dt.timedelta(days=1, hours=3, seconds=30))
    _ticket(alice, "もうすぐ", sla_due_at=now + dt.timedelta(hours=2, minutes=15, seconds=30))
    _ticket(alice, "余裕", sla_due_at=now + dt.timedelta(days=3, hours=1, seconds=30))
    _login(client, alice)

    body = client.get(reverse("support:ticket_list")).content.decode()

    timers = re.findall(r'<span class="badge sla-timer([^"]*)"[^>]*>([^<]+)</span>', body)
    assert timers == [
        (" danger", "overdue by 1 d 3 h"),
        (" warning", "2 h 15 min left"),
        ("", "3 d 1 h left"),
    ]
    assert 'id="sla-formats"' in body and "support/sla.js" in body


@pytest.mark.parametrize(
    ("status", "due", "resolved", "expected"),
    [
        ("open", None, None, "No SLA"),
        ("open", dt.timedelta(minutes=45), None, "45 min left"),
        ("new", dt.timedelta(hours=-2, minutes=-5), None, "overdue by 2 h 5 min"),
        ("resolved", dt.timedelta(hours=1), dt.timedelta(0), "Met"),
        ("closed", dt.timedelta(hours=-1), dt.timedelta(0), "Missed by 1 h 0 min"),
    ],
)
def test_sla_timer_text(status, due, resolved, expected):
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    ticket = Ticket(
        subject="x",
        status=status,
        sla_due_at=now + due if due is not None else None,
        resolved_at=now + resolved if resolved is not None else None,
    )
    assert timer_text(selectors.sla_timer(ticket, now=now)) == expected


def test_queue_pages_by_fetching_one_row_more(alice):
    for i in range(5):
        _ticket(alice, f"問い合わせ{i}")
    first = selectors.ticket_page(user=alice, page=1, page_size=2)
    last = selectors.ticket_page(user=alice, page=3, page_size=2)
    assert (len(first.rows), first.has_next, first.has_previous) == (2, True, False)
    assert (len(last.rows), last.has_next, last.has_previous) == (1, False, True)


def test_queue_query_count_does_not_grow_with_rows(client, alice, bob):
    _login(client, alice)

    def make(n):
        for i in range(n):
            contact = contact_create(actor=alice, data={"family_name": f"顧客{i}"})
            _ticket(alice, f"件名{i}", contact=contact.pk, assignee=bob.pk, sla_due_at=timezone.now())

    make(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("support:ticket_list")).status_code == 200
    make(5)
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("support:ticket_list"))
    assert len(_subjects(response)) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


# --- Ticket page ------------------------------------------------------------------------------


@pytest.fixture
def ticket(alice):
    contact = contact_create(actor=alice, data={"family_name": "山田", "given_name": "花子"})
    return _ticket(
        alice,
        "ログインできない",
        body="パスワードを忘れました。",
        contact=contact.pk,
        priority="high",
        sla_due_at=timezone.now() + dt.timedelta(hours=8),
    )


def test_ticket_page_shows_header_sla_and_the_customers_first_message(client, alice, ticket):
    _login(client, alice)

    body = client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()

    assert "ログインできない" in body and "パスワードを忘れました。" in body
    assert "山田 花子" in body and ">High<" in body and ">New<" in body
    assert 'id="ticket-sla"' in body and "left</span>" in body
    assert 'name="reply-body"' in body and 'name="note-body"' in body


def test_internal_note_is_added_and_marked_internal(client, alice, ticket):
    _login(client, alice)

    response = client.post(
        reverse("support:ticket_note", args=[ticket.pk]), {"note-body": "本人確認が必要"}, **HTMX
    )

    note = Activity.objects.get(ticket=ticket)
    assert (note.kind, note.direction, note.author, note.body) == ("note", "", alice, "本人確認が必要")
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<section id="conversation"')
    entry = re.search(rf'<li class="entry internal" id="activity-{note.pk}">.*?</li>', body, re.S)
    assert entry and ">Internal<" in entry.group(0) and "本人確認が必要" in entry.group(0)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not a response to the customer


def test_first_reply_sets_first_response_once_and_is_not_sent(client, alice, bob, ticket):
    _login(client, alice)
    url = reverse("support:ticket_reply", args=[ticket.pk])

    response = client.post(url, {"reply-body": "リセット用のリンクをお送りします。"}, **HTMX)
    ticket.refresh_from_db()
    first = ticket.first_response_at
    _login(client, bob)
    client.post(url, {"reply-body": "届きましたか？"}, **HTMX)
    ticket.refresh_from_db()

    replies = list(Activity.objects.filter(ticket=ticket).order_by("id"))
    assert [(a.kind, a.direction, a.author) for a in replies] == [
        ("email", "outbound", alice),
        ("email", "outbound", bob),
    ]
    assert replies[0].subject == "Re: ログインできない"
    assert first is not None and first == replies[0].occurred_at and ticket.first_response_at == first
    body = response.content.decode()
    assert "(recorded, not sent by email)" in body
    assert 'id="ticket-sla" class="card sla-panel"' in body and 'hx-swap-oob="true"' in body
    audit = AuditEntry.objects.filter(object_type="support.ticket", object_id=ticket.pk, action="update")
    assert [list(e.changes) for e in audit] == [["first_response_at"]]


def test_a_reply_by_an_administrator_belongs_to_the_ticket_owner(client, admin_user, alice, bob, ticket):
    _login(client, admin_user)
    client.post(reverse("support:ticket_reply", args=[ticket.pk]), {"reply-body": "管理者より"})
    reply = Activity.objects.get(ticket=ticket)
    assert (reply.author, reply.owner, reply.team) == (admin_user, alice, alice.team)
    _login(client, bob)
    assert "管理者より" in client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()


def test_customer_message_is_recorded_inbound(client, alice, ticket):
    _login(client, alice)
    client.post(
        reverse("support:ticket_customer_message", args=[ticket.pk]), {"inbound-body": "まだ駄目です"}
    )
    message = Activity.objects.get(ticket=ticket)
    assert (message.kind, message.direction) == ("email", "inbound")
    body = client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    assert body.index("パスワードを忘れました。") < body.index("まだ駄目です")


def test_conversation_is_oldest_first_with_newest_last(client, alice, ticket):
    _login(client, alice)
    for text in ("一通目", "二通目", "三通目"):
        client.post(reverse("support:ticket_note", args=[ticket.pk]), {"note-body": text})
    body = client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    assert body.index("一通目") < body.index("二通目") < body.index("三通目")


def test_empty_reply_is_refused_next_to_the_field(client, alice, ticket):
    _login(client, alice)

    response = client.post(reverse("support:ticket_reply", args=[ticket.pk]), {"reply-body": "   "}, **HTMX)

    assert response.status_code == 422
    assert re.search(r'id="id_reply-body_error">.*<code>KZ-VAL-001</code>', response.content.decode())
    assert Activity.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_status_change_goes_through_the_service_and_is_audited(client, alice, bob, ticket):
    _login(client, alice)

    response = client.post(
        reverse("support:ticket_triage", args=[ticket.pk]),
        {"triage-status": "open", "triage-priority": "high", "triage-assignee": str(bob.pk)},
        **HTMX,
    )

    assert response.status_code == 200 and "Ticket updated." in response["HX-Trigger"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == ("open", bob)
    entry = AuditEntry.objects.filter(
        object_type="support.ticket", object_id=ticket.pk, action="update"
    ).get()
    assert (entry.actor, entry.via) == (alice, "ui")
    assert entry.changes["status"] == {"before": "new", "after": "open"}
    assert set(entry.changes) == {"status", "assignee"}


def test_resolving_updates_the_sla_panel(client, alice, ticket):
    _login(client, alice)
    response = client.post(
        reverse("support:ticket_triage", args=[ticket.pk]), {"triage-status": "resolved"}, **HTMX
    )
    body = response.content.decode()
    assert '<section id="ticket-sla"' in body and ">Met</span>" in body
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None


def test_invalid_status_transition_is_a_coded_error(client, alice, ticket):
    services.ticket_update(actor=alice, ticket_id=ticket.pk, data={"status": "closed"})
    _login(client, alice)

    response = client.post(
        reverse("support:ticket_triage", args=[ticket.pk]), {"triage-status": "new"}, **HTMX
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert re.search(r'id="id_triage-status_error">.*<code>KZ-VAL-003</code>', body, re.S)
    assert "Choose one of: Open." in body
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_invalid_priority_and_foreign_assignee_are_refused(client, alice, charlie, ticket):
    _login(client, alice)
    url = reverse("support:ticket_triage", args=[ticket.pk])

    bad_priority = client.post(url, {"triage-priority": "asap"}, **HTMX)
    foreign = client.post(url, {"triage-assignee": str(charlie.pk)}, **HTMX)

    assert bad_priority.status_code == 422 and "KZ-VAL-003" in bad_priority.content.decode()
    assert foreign.status_code == 403 and "KZ-AUTH-002" in foreign.content.decode()
    assert "KZ-AUTH-002" in foreign["HX-Trigger"]
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee) == ("high", None)


def test_ticket_status_transition_service():
    services.ticket_status_check(current="pending", target="open")
    with pytest.raises(services.KizunaValidationError) as exc:
        services.ticket_status_check(current="resolved", target="pending")
    assert (exc.value.code, exc.value.field) == ("KZ-VAL-003", "status")


# --- Permissions ------------------------------------------------------------------------------


def test_charlie_gets_the_coded_404_and_cannot_write(client, charlie, ticket):
    _login(client, charlie)

    page = client.get(reverse("support:ticket_detail", args=[ticket.pk]))
    note = client.post(reverse("support:ticket_note", args=[ticket.pk]), {"note-body": "覗き見"})
    triage = client.post(reverse("support:ticket_triage", args=[ticket.pk]), {"triage-status": "closed"})

    assert page.status_code == note.status_code == triage.status_code == 404
    assert "KZ-AUTH-001" in page.content.decode() and "ログインできない" not in page.content.decode()
    assert Activity.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert (
        "ログインできない"
        not in client.get(reverse("support:ticket_list"), {"status": "all"}).content.decode()
    )


def test_reader_sees_the_ticket_without_forms_and_cannot_post(client, reader, ticket):
    _login(client, reader)

    body = client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    response = client.post(reverse("support:ticket_note", args=[ticket.pk]), {"note-body": "x"}, **HTMX)

    assert "ログインできない" in body and 'name="note-body"' not in body and "triage-status" not in body
    assert response.status_code == 403 and "KZ-AUTH-002" in response["HX-Trigger"]
    assert (
        client.post(reverse("support:ticket_note", args=[ticket.pk]), {"note-body": "x"}).status_code == 403
    )
    assert Activity.objects.count() == 0


def test_customer_the_user_may_not_see_is_not_named(client, alice, admin_user, charlie):
    hidden = contact_create(actor=charlie, data={"family_name": "秘密"})
    ticket = _ticket(admin_user, "越境", contact=hidden.pk, owner=alice.pk)
    _login(client, alice)
    body = client.get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    assert "越境" in body and "秘密" not in body and "(a contact you cannot see)" in body


def test_ticket_page_query_count_does_not_grow_with_the_conversation(client, alice, bob, ticket):
    _login(client, alice)
    url = reverse("support:ticket_detail", args=[ticket.pk])
    services.ticket_update(actor=alice, ticket_id=ticket.pk, data={"assignee": bob.pk})
    client.post(reverse("support:ticket_note", args=[ticket.pk]), {"note-body": "メモ0"})
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(5):
        _login(client, bob if i % 2 else alice)
        client.post(reverse("support:ticket_reply", args=[ticket.pk]), {"reply-body": f"返信{i}"})
    _login(client, alice)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert response.content.decode().count('<li class="entry') == 7  # first message + 6
    assert len(six.captured_queries) == len(one.captured_queries)


# --- New ticket -------------------------------------------------------------------------------


def test_new_ticket_for_a_contact_and_its_validation(client, alice):
    contact = contact_create(actor=alice, data={"family_name": "佐藤"})
    _login(client, alice)
    url = reverse("support:ticket_create")

    assert "佐藤" in client.get(url, {"contact": contact.pk}).content.decode()
    refused = client.post(url, {"subject": "", "contact": contact.pk, "sla_due_at": "2026-11-30T10:00"})
    assert refused.status_code == 422
    assert re.search(r'id="id_subject_error">.*KZ-VAL-001', refused.content.decode())
    assert Ticket.objects.count() == 0

    created = client.post(
        url,
        {
            "subject": "請求書の再発行",
            "contact": contact.pk,
            "sla_due_at": "2026-11-30T10:00",
            "priority": "low",
        },
    )
    ticket = Ticket.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.contact, ticket.priority, ticket.owner) == (contact, "low", alice)
    assert ticket.sla_due_at == dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
