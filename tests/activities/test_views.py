"""Task screens: tabs, filters, inline completion, the form, the week calendar and reminders."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kizuna.activities import services
from kizuna.activities.models import Task
from kizuna.customers.services import contact_create

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _login(client, user):
    # The UI speaks each user's language (Japanese by default); these tests read English texts.
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)


def _task(actor, title, **data):
    return services.task_create(actor=actor, data={"title": title, **data})


def _titles(response):
    body = response.content.decode()
    return re.findall(r'<a href="/tasks/\d+/">([^<]+)</a>', body)


@pytest.fixture
def now():
    return timezone.now()


# --- Tabs and filters -------------------------------------------------------------------------


def test_my_tasks_tab_lists_only_open_tasks_assigned_to_me(client, alice, bob):
    _task(alice, "見積書を送る")
    _task(alice, "ボブの仕事", assignee=bob.pk)
    done = _task(alice, "終わった仕事")
    services.task_complete(actor=alice, task_id=done.pk)
    _login(client, alice)

    response = client.get(reverse("activities:task_list"))

    assert response.status_code == 200
    assert _titles(response) == ["見積書を送る"]


def test_team_tab_lists_teammates_tasks_but_never_another_teams(client, alice, bob, charlie):
    _task(alice, "アリスの仕事")
    _task(bob, "ボブの仕事")
    _task(charlie, "チャーリーの仕事")
    _login(client, alice)

    response = client.get(reverse("activities:task_list"), {"tab": "team"})

    assert sorted(_titles(response)) == ["アリスの仕事", "ボブの仕事"]
    _login(client, charlie)
    assert _titles(client.get(reverse("activities:task_list"), {"tab": "team"})) == ["チャーリーの仕事"]


def test_overdue_tab_lists_open_tasks_past_due(client, alice, bob, charlie, now):
    _task(alice, "期限切れ", due_at=now - dt.timedelta(days=1))
    _task(bob, "ボブの期限切れ", due_at=now - dt.timedelta(hours=2))
    _task(alice, "まだ先", due_at=now + dt.timedelta(days=1))
    _task(charlie, "他チームの期限切れ", due_at=now - dt.timedelta(days=1))
    finished = _task(alice, "完了済み", due_at=now - dt.timedelta(days=3))
    services.task_complete(actor=alice, task_id=finished.pk)
    _login(client, alice)

    response = client.get(reverse("activities:task_list"), {"tab": "overdue"})

    assert _titles(response) == ["期限切れ", "ボブの期限切れ"]
    assert 'class="badge danger"' in response.content.decode()


def test_status_priority_and_due_range_filters(client, alice):
    _task(alice, "急ぎ", priority="urgent", due_at=dt.datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO))
    _task(alice, "普通", due_at=dt.datetime(2026, 12, 2, 0, 30, tzinfo=TOKYO))
    _task(alice, "年末", due_at=dt.datetime(2026, 12, 28, 9, 0, tzinfo=TOKYO))
    done = _task(alice, "済み", priority="urgent")
    services.task_complete(actor=alice, task_id=done.pk)
    _login(client, alice)
    url = reverse("activities:task_list")

    assert _titles(client.get(url, {"priority": "urgent"})) == ["急ぎ"]
    assert _titles(client.get(url, {"priority": "urgent", "status": "all"})) == ["急ぎ", "済み"]
    assert _titles(client.get(url, {"status": "done"})) == ["済み"]
    # Due dates are days in the user's time zone: 12/2 00:30 JST is still 12/1 in UTC.
    assert _titles(client.get(url, {"due_from": "2026-12-02", "due_to": "2026-12-02"})) == ["普通"]
    assert _titles(client.get(url, {"due_to": "2026-12-01"})) == ["急ぎ"]
    # An unreadable filter value is ignored rather than failing.
    assert len(_titles(client.get(url, {"priority": "bogus", "due_from": "x"}))) == 3


def test_filter_request_from_htmx_returns_only_the_results(client, alice):
    _task(alice, "部分更新")
    _login(client, alice)
    response = client.get(reverse("activities:task_list"), HTTP_HX_TARGET="task-results", **HTMX)
    body = response.content.decode()
    assert "部分更新" in body and "<html" not in body


def test_list_paginates_without_counting(client, alice):
    for i in range(26):
        _task(alice, f"仕事{i:02d}", due_at=dt.datetime(2026, 12, 1, tzinfo=TOKYO) + dt.timedelta(hours=i))
    _login(client, alice)
    url = reverse("activities:task_list")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(_titles(first)) == 25 and "page=2" in first.content.decode()
    assert _titles(second) == ["仕事25"] and "page=3" not in second.content.decode()


# --- Completing inline ------------------------------------------------------------------------


def test_checkbox_completes_the_task_and_returns_its_row(client, alice):
    task = _task(alice, "電話する")
    _login(client, alice)

    response = client.post(reverse("activities:task_complete", args=[task.pk]), **HTMX)

    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith("<tr") and " checked" in body
    assert "Task completed." in response["HX-Trigger"]


def test_unchecking_reopens_a_done_task(client, alice):
    task = _task(alice, "電話する")
    services.task_complete(actor=alice, task_id=task.pk)
    _login(client, alice)

    client.post(reverse("activities:task_reopen", args=[task.pk]), **HTMX)

    task.refresh_from_db()
    assert (task.status, task.completed_at) == ("open", None)


def test_reader_cannot_complete_a_task_and_the_row_stays_open(client, alice, reader):
    task = _task(alice, "読むだけ")
    _login(client, reader)

    response = client.post(reverse("activities:task_complete", args=[task.pk]), **HTMX)

    assert response.status_code == 403
    assert "KZ-AUTH-002" in response["HX-Trigger"] and " checked" not in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_charlie_gets_404_for_alices_task_everywhere(client, alice, charlie):
    task = _task(alice, "アリスの秘密", remind_at=timezone.now() - dt.timedelta(minutes=1))
    _login(client, charlie)

    assert client.get(reverse("activities:task_edit", args=[task.pk])).status_code == 404
    response = client.post(reverse("activities:task_complete", args=[task.pk]))
    assert response.status_code == 404 and "KZ-AUTH-001" in response.content.decode()
    assert client.post(reverse("activities:task_dismiss_reminder", args=[task.pk])).status_code == 404
    for tab in ("mine", "team", "overdue"):
        assert (
            "アリスの秘密" not in client.get(reverse("activities:task_list"), {"tab": tab}).content.decode()
        )
    task.refresh_from_db()
    assert task.status == "open" and task.remind_at is not None


# --- Create and edit --------------------------------------------------------------------------


def test_new_task_without_title_shows_the_coded_error_next_to_the_field(client, alice):
    _login(client, alice)

    response = client.post(reverse("activities:task_create"), {"title": "  ", "priority": "high"})

    assert response.status_code == 422
    body = response.content.decode()
    assert re.search(
        r'id="id_title_error">[^<]*<span class="remedy">[^<]+</span> <code>KZ-VAL-001</code>', body
    )
    assert Task.objects.count() == 0


def test_new_task_with_an_unknown_priority_is_refused(client, alice):
    _login(client, alice)
    response = client.post(reverse("activities:task_create"), {"title": "x", "priority": "someday"})
    assert response.status_code == 422 and 'id="id_priority_error"' in response.content.decode()
    assert "KZ-VAL-003" in response.content.decode() and Task.objects.count() == 0


def test_new_task_due_time_is_read_in_the_users_time_zone(client, alice):
    contact = contact_create(actor=alice, data={"family_name": "山田"})
    _login(client, alice)

    response = client.get(reverse("activities:task_create"), {"contact": contact.pk})
    assert "山田" in response.content.decode()
    response = client.post(
        reverse("activities:task_create"),
        {"title": "訪問", "due_at": "2026-11-30T00:30", "contact": contact.pk, "priority": "normal"},
    )

    task = Task.objects.get()
    assert response.status_code == 302
    assert task.due_at == dt.datetime(2026, 11, 29, 15, 30, tzinfo=dt.UTC)
    assert (task.contact, task.assignee) == (contact, alice)


def test_new_task_with_an_unreadable_due_time_gets_the_coded_error(client, alice):
    _login(client, alice)
    response = client.post(reverse("activities:task_create"), {"title": "x", "due_at": "来週のどこか"})
    assert response.status_code == 422
    assert re.search(r'id="id_due_at_error">.*KZ-VAL-004', response.content.decode())
    assert Task.objects.count() == 0


def test_edit_task_shows_local_times_and_saves_changes(client, alice):
    task = _task(alice, "古い題名", due_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=TOKYO))
    _login(client, alice)
    url = reverse("activities:task_edit", args=[task.pk])

    assert 'value="2026-11-30T09:00"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"title": "新しい題名", "due_at": "2026-11-30T09:00", "priority": "high", "status": "in_progress"},
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.priority, task.status) == ("新しい題名", "high", "in_progress")
    assert task.due_at == dt.datetime(2026, 11, 30, 9, 0, tzinfo=TOKYO)


def test_edit_task_with_blank_title_is_refused_with_422(client, alice):
    task = _task(alice, "題名")
    _login(client, alice)
    response = client.post(
        reverse("activities:task_edit", args=[task.pk]), {"title": "", "priority": "normal"}
    )
    assert response.status_code == 422 and "KZ-VAL-001" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "題名"


# --- Week calendar ----------------------------------------------------------------------------


def _columns(response):
    body = response.content.decode()
    return re.findall(r'<section class="week-day.*?</section>', body, flags=re.S)


def test_calendar_puts_a_task_on_its_day_in_tokyo_not_the_utc_day(client, alice):
    # 2026-11-30 00:30 JST is Sunday 2026-11-29 15:30 UTC.
    _task(alice, "月曜朝の準備", due_at=dt.datetime(2026, 11, 30, 0, 30, tzinfo=TOKYO))
    _login(client, alice)
    url = reverse("activities:task_calendar")

    week49 = _columns(client.get(url, {"week": "2026-W49"}))
    week48 = _columns(client.get(url, {"week": "2026-W48"}))

    assert len(week49) == 7 and 'datetime="2026-11-30"' in week49[0]
    assert "月曜朝の準備" in week49[0] and ">00:30<" in week49[0]
    assert not any("月曜朝の準備" in column for column in week49[1:])
    assert 'datetime="2026-11-29"' in week48[6] and not any("月曜朝の準備" in c for c in week48)


def test_calendar_uses_each_users_own_time_zone(client, alice):
    alice.time_zone = "UTC"
    alice.save(update_fields=["time_zone"])
    _task(alice, "月曜朝の準備", due_at=dt.datetime(2026, 11, 30, 0, 30, tzinfo=TOKYO))
    _login(client, alice)

    week48 = _columns(client.get(reverse("activities:task_calendar"), {"week": "2026-W48"}))

    assert "月曜朝の準備" in week48[6] and ">15:30<" in week48[6]


def test_calendar_links_to_previous_and_next_week_across_years(client, alice):
    _login(client, alice)
    body = client.get(reverse("activities:task_calendar"), {"week": "2026-W01"}).content.decode()
    assert "?week=2025-W52&amp;scope=mine" in body and "?week=2026-W02&amp;scope=mine" in body
    body = client.get(reverse("activities:task_calendar"), {"week": "2026-W53"}).content.decode()
    assert "?week=2027-W01&amp;scope=mine" in body


def test_calendar_highlights_today_and_falls_back_to_this_week(client, alice):
    _login(client, alice)
    today = timezone.localtime(timezone.now(), TOKYO).date()

    columns = _columns(client.get(reverse("activities:task_calendar"), {"week": "not-a-week"}))

    highlighted = [c for c in columns if 'aria-current="date"' in c]
    assert len(highlighted) == 1 and f'datetime="{today:%Y-%m-%d}"' in highlighted[0]


def test_calendar_team_scope_shows_teammates_but_not_other_teams(client, alice, bob, charlie):
    due = dt.datetime(2026, 12, 2, 10, 0, tzinfo=TOKYO)
    _task(bob, "ボブの訪問", due_at=due)
    _task(charlie, "チャーリーの訪問", due_at=due)
    cancelled = _task(alice, "中止", due_at=due)
    services.task_update(actor=alice, task_id=cancelled.pk, data={"status": "cancelled"})
    _login(client, alice)
    url = reverse("activities:task_calendar")

    mine = client.get(url, {"week": "2026-W49"}).content.decode()
    team = client.get(url, {"week": "2026-W49", "scope": "team"}).content.decode()

    assert "ボブの訪問" not in mine and "ボブの訪問" in team
    assert "チャーリーの訪問" not in team and "中止" not in team


# --- Reminders --------------------------------------------------------------------------------


def test_reminders_fragment_lists_my_open_tasks_whose_reminder_passed(client, alice, bob, now):
    _task(alice, "今すぐ", remind_at=now - dt.timedelta(minutes=5))
    _task(alice, "あとで", remind_at=now + dt.timedelta(hours=1))
    _task(alice, "ボブへ", assignee=bob.pk, remind_at=now - dt.timedelta(minutes=5))
    done = _task(alice, "済んだ", remind_at=now - dt.timedelta(minutes=5))
    services.task_complete(actor=alice, task_id=done.pk)
    _login(client, alice)

    response = client.get(reverse("activities:task_reminders"), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert re.search(r"<span class=\"badge danger\" data-reminder-count>1</span>", body)
    assert "今すぐ" in body and "あとで" not in body and "ボブへ" not in body and "済んだ" not in body
    # The task list shows the same reminders in a panel.
    panel = client.get(reverse("activities:task_list")).content.decode().split('id="reminders-heading"')[1]
    assert "今すぐ" in panel.split("</section>")[0]


def test_reminders_fragment_without_reminders_has_no_badge(client, alice):
    _login(client, alice)
    body = client.get(reverse("activities:task_reminders"), **HTMX).content.decode()
    assert "data-reminder-count" not in body and "No reminders." in body


def test_reminders_poll_after_sign_out_swaps_nothing(client):
    response = client.get(reverse("activities:task_reminders"), **HTMX)
    assert response.status_code == 204 and response.content == b""
    assert client.get(reverse("activities:task_reminders")).status_code == 302


def test_dismissing_a_reminder_clears_it_and_refreshes_the_badge(client, alice, now):
    task = _task(alice, "今すぐ", remind_at=now - dt.timedelta(minutes=5))
    _login(client, alice)

    response = client.post(reverse("activities:task_dismiss_reminder", args=[task.pk]), **HTMX)

    assert response.status_code == 200 and "kizuna:reminders-changed" in response["HX-Trigger"]
    task.refresh_from_db()
    assert task.remind_at is None and task.status == "open"
    assert "今すぐ" not in client.get(reverse("activities:task_reminders"), **HTMX).content.decode()


def test_reminders_slot_template_polls_the_fragment(client, alice):
    from django.template.loader import render_to_string

    html = render_to_string("activities/_reminders_slot.html")
    assert 'hx-get="/tasks/reminders/"' in html and "every 60s" in html


# --- Query counts -----------------------------------------------------------------------------


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _tasks_with_relations(alice, count, due):
    for i in range(count):
        contact = contact_create(actor=alice, data={"family_name": f"顧客{i}"})
        _task(
            alice,
            f"仕事{i}",
            due_at=due + dt.timedelta(hours=i),
            contact=contact.pk,
            remind_at=due - dt.timedelta(days=400),
        )


def test_task_list_query_count_does_not_grow_with_rows(client, alice):
    due = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)
    _login(client, alice)
    _tasks_with_relations(alice, 1, due)
    one = _queries(client, reverse("activities:task_list"))
    _tasks_with_relations(alice, 5, due)
    assert Task.objects.count() == 6
    assert _queries(client, reverse("activities:task_list")) == one


def test_calendar_query_count_does_not_grow_with_rows(client, alice):
    due = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)
    _login(client, alice)
    _tasks_with_relations(alice, 1, due)
    params = {"week": "2026-W49", "scope": "team"}
    one = _queries(client, reverse("activities:task_calendar"), params)
    _tasks_with_relations(alice, 5, due)
    assert _queries(client, reverse("activities:task_calendar"), params) == one
