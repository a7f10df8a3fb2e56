"""Customer 360 record pages: timeline, inline edit, quick actions, history, permissions, no N+1."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kizuna.activities.models import Activity, Task
from kizuna.activities.services import activity_create, task_create
from kizuna.core.models import AuditEntry
from kizuna.customers import timeline
from kizuna.customers.custom_fields import custom_field_define
from kizuna.customers.models import Company, Contact
from kizuna.customers.services import company_create, contact_create, contact_update
from kizuna.sales.services import deal_create, order_create, product_create
from kizuna.support.services import feedback_create, ticket_create

HX = {"HTTP_HX_REQUEST": "true"}
KINDS = ("activity", "task", "ticket", "order", "deal", "feedback")
BASE = dt.datetime(2025, 3, 1, 0, 30, tzinfo=dt.UTC)


@pytest.fixture
def product(admin_user: Any) -> Any:
    return product_create(actor=admin_user, data={"code": "TEA-1", "name": "茶葉セット", "unit_price": 1200})


@pytest.fixture
def company(alice: Any) -> Company:
    return company_create(actor=alice, data={"name": "株式会社山田商事", "industry": "卸売"})


@pytest.fixture
def contact(alice: Any, company: Company) -> Contact:
    return contact_create(
        actor=alice,
        data={
            "family_name": "山田",
            "given_name": "太郎",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "タロウ",
            "company": company.pk,
            "email": "taro@yamada.example.jp",
            "prefecture": "東京都",
        },
    )


def fill(contact: Contact, *, actor: Any, product: Any, n: int, start: int = 0) -> None:
    """``n`` items of every timeline type on ``contact``."""
    for i in range(start, start + n):
        activity_create(
            actor=actor,
            data={
                "kind": ("call", "meeting", "email", "note")[i % 4],
                "subject": f"活動{i}",
                "body": "見積の件",
                "contact": contact.pk,
                "occurred_at": BASE + dt.timedelta(hours=i),
            },
        )
        task_create(actor=actor, data={"title": f"タスク{i}", "contact": contact.pk})
        ticket_create(actor=actor, data={"subject": f"問い合わせ{i}", "contact": contact.pk})
        order_create(
            actor=actor,
            data={
                "number": f"O-{contact.pk}-{i}",
                "contact": contact.pk,
                "order_date": f"2025-01-{i + 1:02d}",
            },
            lines=[{"product": product.pk, "quantity": 2}, {"product": product.pk, "quantity": 1}],
        )
        deal_create(actor=actor, data={"title": f"商談{i}", "contact": contact.pk, "amount": 500_000})
        feedback_create(actor=actor, data={"score": 4, "contact": contact.pk, "comment": f"感想{i}"})


def login(client: Any, user: Any) -> None:
    """Sign in with English texts (the UI follows the user's saved language, Japanese by default)."""
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)


def url(name: str, *args: Any) -> str:
    return reverse(f"customers:{name}", args=args)


def profile_data(record: Any, user: Any, **changes: Any) -> dict[str, Any]:
    """What the inline edit form posts: every field as currently shown, with ``changes`` applied."""
    from kizuna.customers import selectors
    from kizuna.customers.views.detail_forms import ProfileForm

    object_type = "customers.contact" if isinstance(record, Contact) else "customers.company"
    form = ProfileForm(
        record=record,
        user=user,
        definitions=selectors.custom_field_definitions(object_type=object_type),
        owners=selectors.assignable_owners(user=user),
        language="en",
    )
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update({k.replace("__", "."): v for k, v in changes.items()})
    return data


def field_errors(html: str, field: str) -> str:
    """The text of the form row of ``field`` (where its errors are shown)."""
    match = re.search(rf'<div class="form-row[^"]*" data-field="{re.escape(field)}">(.*?)</div>', html, re.S)
    assert match, f"no form row for {field}"
    return match.group(1)


# --- Page and timeline --------------------------------------------------------------------------


def test_contact_page_shows_profile_panels_and_every_timeline_type(
    client: Any, alice: Any, contact: Contact, product: Any, pipeline: Any
) -> None:
    fill(contact, actor=alice, product=product, n=1)
    login(client, alice)
    response = client.get(url("contact_detail", contact.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for kind in KINDS:
        assert f'data-kind="{kind}"' in html
    for text in ("活動0", "タスク0", "問い合わせ0", f"O-{contact.pk}-0", "商談0", "感想0", "★ 4/5"):
        assert text in html
    assert "¥3,600" in html and "2 lines" in html  # the order's total and its line count
    assert "リード" in html  # the deal's current stage
    assert 'data-testid="order-count">1<' in html and 'data-testid="total-spend">¥3,600<' in html
    assert 'data-testid="last-order">2025-01-01<' in html
    assert "ヤマダ タロウ" in html and "株式会社山田商事" in html
    assert reverse("customers:company_detail", args=[contact.company_id]) in html


def test_timeline_times_are_shown_in_the_users_time_zone(client: Any, alice: Any, contact: Contact) -> None:
    activity_create(
        actor=alice, data={"kind": "call", "subject": "朝の電話", "contact": contact.pk, "occurred_at": BASE}
    )
    login(client, alice)
    assert "2025-03-01 09:30" in client.get(url("contact_detail", contact.pk)).content.decode()
    alice.time_zone = "UTC"
    alice.save(update_fields=["time_zone"])
    assert "2025-03-01 00:30" in client.get(url("contact_detail", contact.pk)).content.decode()


def _page_queries(client: Any, path: str) -> int:
    client.get(path)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_contact_page_query_count_does_not_grow_with_items(
    client: Any, alice: Any, company: Company, product: Any, pipeline: Any
) -> None:
    small = contact_create(actor=alice, data={"family_name": "少", "company": company.pk})
    large = contact_create(actor=alice, data={"family_name": "多", "company": company.pk})
    fill(small, actor=alice, product=product, n=1)
    fill(large, actor=alice, product=product, n=6, start=10)
    login(client, alice)
    one = _page_queries(client, url("contact_detail", small.pk))
    six = _page_queries(client, url("contact_detail", large.pk))
    assert one == six


def test_company_page_query_count_does_not_grow_with_people_and_items(
    client: Any, alice: Any, product: Any, pipeline: Any
) -> None:
    counts = []
    for size, name in ((1, "株式会社小"), (6, "株式会社大")):
        company = company_create(actor=alice, data={"name": name})
        for i in range(size):
            person = contact_create(actor=alice, data={"family_name": f"社員{i}", "company": company.pk})
            fill(person, actor=alice, product=product, n=1, start=i)
        login(client, alice)
        counts.append(_page_queries(client, url("company_detail", company.pk)))
    assert counts[0] == counts[1]


def test_show_older_returns_the_next_items_without_gaps_or_repeats(
    client: Any, alice: Any, contact: Contact
) -> None:
    # 25 calls at the same instant plus 5 an hour earlier: the cursor must break ties by id.
    for i in range(25):
        activity_create(
            actor=alice,
            data={"kind": "call", "subject": f"同時{i}", "contact": contact.pk, "occurred_at": BASE},
        )
    for i in range(5):
        activity_create(
            actor=alice,
            data={
                "kind": "note",
                "subject": f"前{i}",
                "contact": contact.pk,
                "occurred_at": BASE - dt.timedelta(hours=1),
            },
        )
    login(client, alice)
    page = client.get(url("contact_detail", contact.pk)).content.decode()
    first = re.findall(r'data-kind="activity" data-id="(\d+)"', page)
    assert len(first) == timeline.TIMELINE_PAGE_SIZE
    cursor = re.search(r'\?before=([\d.\-]+)"', page).group(1)
    more = client.get(url("contact_timeline", contact.pk), {"before": cursor}, **HX)
    assert more.status_code == 200
    html = more.content.decode()
    second = re.findall(r'data-kind="activity" data-id="(\d+)"', html)
    assert len(second) == 10 and "Show older" not in html
    expected = list(
        Activity.objects.filter(contact=contact).order_by("-occurred_at", "-id").values_list("pk", flat=True)
    )
    assert [int(pk) for pk in first + second] == expected


def test_timeline_pages_merge_types_in_time_order(
    alice: Any, contact: Contact, product: Any, pipeline: Any
) -> None:
    fill(contact, actor=alice, product=product, n=8)
    everything = timeline.timeline_page(user=alice, subject=contact, limit=1000).items
    assert len(everything) == 48
    seen: list[tuple[str, int]] = []
    before = None
    while True:
        page = timeline.timeline_page(user=alice, subject=contact, before=before, limit=7)
        seen += [(i.kind, i.obj.pk) for i in page.items]
        if page.next_cursor is None:
            break
        before = timeline.Cursor.decode(page.next_cursor)
    assert seen == [(i.kind, i.obj.pk) for i in everything]
    times = [i.at for i in everything]
    assert times == sorted(times, reverse=True)


# --- Inline edit --------------------------------------------------------------------------------


def test_inline_edit_form_then_save_updates_the_record_with_a_ui_audit_entry(
    client: Any, alice: Any, contact: Contact
) -> None:
    login(client, alice)
    form = client.get(url("contact_profile_edit", contact.pk), **HX)
    assert form.status_code == 200
    assert f'name="version" value="{contact.version}"' in form.content.decode()
    response = client.post(
        url("contact_profile_edit", contact.pk),
        profile_data(
            contact, alice, email="new@yamada.example.jp", phone="03-1234-5678", lifecycle_status="customer"
        ),
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "new@yamada.example.jp" in html and 'hx-swap-oob="true"' in html
    contact.refresh_from_db()
    assert (contact.email, contact.phone, contact.lifecycle_status) == (
        "new@yamada.example.jp",
        "+81312345678",
        "customer",
    )
    entry = AuditEntry.objects.filter(object_type="customers.contact", object_id=contact.pk).first()
    assert entry.via == "ui" and entry.action == "update" and entry.actor == alice
    assert set(entry.changes) >= {"email", "phone", "lifecycle_status"}
    assert "family_name" not in entry.changes  # unchanged fields are not sent
    assert json.loads(response["HX-Trigger"])["kizuna:toast"]["text"] == "Saved."


def test_inline_edit_invalid_prefecture_is_refused_next_to_the_field(
    client: Any, alice: Any, contact: Contact
) -> None:
    login(client, alice)
    response = client.post(
        url("contact_profile_edit", contact.pk),
        profile_data(contact, alice, prefecture="火星", email="x@example.jp"),
        **HX,
    )
    assert response.status_code == 422
    row = field_errors(response.content.decode(), "prefecture")
    assert "KZ-VAL-005" in row and "is not one of the 47 prefectures" in row
    assert "Use the prefecture" in row  # the remedy
    contact.refresh_from_db()
    assert (contact.prefecture, contact.email, contact.version) == ("東京都", "taro@yamada.example.jp", 1)


def test_inline_edit_of_a_stale_version_is_refused_with_kz_val_013(
    client: Any, alice: Any, bob: Any, contact: Contact
) -> None:
    login(client, alice)
    opened = profile_data(contact, alice, title="課長")
    contact_update(actor=bob, contact_id=contact.pk, data={"title": "部長"})  # bob saves first
    response = client.post(url("contact_profile_edit", contact.pk), opened, **HX)
    assert response.status_code == 409
    assert "KZ-VAL-013" in response.content.decode()
    contact.refresh_from_db()
    assert contact.title == "部長"


def test_custom_fields_are_shown_and_edited_like_built_in_fields(
    client: Any, admin_user: Any, alice: Any, contact: Contact
) -> None:
    custom_field_define(
        actor=admin_user,
        object_type="customers.contact",
        key="rank",
        label_ja="ランク",
        label_en="Rank",
        field_type="choice",
        choices=["A", "B", "C"],
    )
    custom_field_define(
        actor=admin_user,
        object_type="customers.contact",
        key="seats",
        label_ja="席数",
        label_en="Seats",
        field_type="number",
    )
    login(client, alice)
    assert (
        'data-field="custom.rank"><dt>Rank</dt>'
        in client.get(url("contact_detail", contact.pk)).content.decode()
    )
    bad = client.post(
        url("contact_profile_edit", contact.pk),
        profile_data(contact, alice, custom__rank="B", custom__seats="たくさん"),
        **HX,
    )
    assert bad.status_code == 422
    assert "KZ-VAL-004" in field_errors(bad.content.decode(), "custom.seats")
    contact.refresh_from_db()
    assert contact.custom == {}
    good = client.post(
        url("contact_profile_edit", contact.pk),
        profile_data(contact, alice, custom__rank="B", custom__seats="１２"),
        **HX,
    )
    assert good.status_code == 200
    contact.refresh_from_db()
    assert contact.custom == {"rank": "B", "seats": 12}


def test_cancel_returns_the_read_only_profile(client: Any, alice: Any, contact: Contact) -> None:
    login(client, alice)
    response = client.get(url("contact_profile", contact.pk), **HX)
    assert response.status_code == 200
    assert 'id="profile-panel"' in response.content.decode() and "<form" not in response.content.decode()


# --- Quick actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "toast"), [("call", "Call logged."), ("note", "Note added.")])
def test_quick_activity_is_created_audited_and_prepended(
    client: Any, alice: Any, contact: Contact, prefix: str, toast: str
) -> None:
    login(client, alice)
    response = client.post(
        url("contact_activity_create", contact.pk),
        {
            "quick": prefix,
            f"{prefix}-kind": prefix,
            f"{prefix}-subject": "価格の相談",
            f"{prefix}-body": "来週再訪",
        },
        **HX,
    )
    assert response.status_code == 200
    activity = Activity.objects.get(contact=contact)
    assert (activity.kind, activity.subject, activity.body, activity.author) == (
        prefix,
        "価格の相談",
        "来週再訪",
        alice,
    )
    assert abs((activity.occurred_at - dt.datetime.now(dt.UTC)).total_seconds()) < 60  # defaults to now
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="timeline-item kind-activity"')
    assert f'id="quick-{prefix}" class="quick-form" hx-swap-oob="true"' in html  # a fresh form
    entry = AuditEntry.objects.get(object_type="activities.activity", object_id=activity.pk)
    assert (entry.action, entry.via, entry.actor) == ("create", "ui", alice)
    assert json.loads(response["HX-Trigger"])["kizuna:toast"]["text"] == toast


def test_quick_activity_with_an_unreadable_time_is_refused_inline(
    client: Any, alice: Any, contact: Contact
) -> None:
    login(client, alice)
    response = client.post(
        url("contact_activity_create", contact.pk),
        {"quick": "call", "call-kind": "call", "call-subject": "x", "call-occurred_at": "きのう"},
        **HX,
    )
    assert response.status_code == 422
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#quick-call", "outerHTML")
    assert "KZ-VAL-004" in field_errors(response.content.decode(), "occurred_at")
    assert not Activity.objects.exists()


def test_quick_task_is_created_for_me_and_listed(client: Any, alice: Any, contact: Contact) -> None:
    login(client, alice)
    response = client.post(
        url("contact_task_create", contact.pk),
        {"task-title": "見積書を送る", "task-due_at": "2025-05-01T10:00", "task-assignee": alice.pk},
        **HX,
    )
    assert response.status_code == 200
    task = Task.objects.get(contact=contact)
    assert (task.title, task.assignee, task.due_at) == (
        "見積書を送る",
        alice,
        dt.datetime(2025, 5, 1, 1, 0, tzinfo=dt.UTC),
    )
    html = response.content.decode()
    assert (
        'data-kind="task"' in html
        and 'id="open-tasks-panel" aria-labelledby="open-tasks-heading" hx-swap-oob="true"' in html
    )
    entry = AuditEntry.objects.get(object_type="activities.task", object_id=task.pk)
    assert (entry.action, entry.via) == ("create", "ui")


def test_quick_task_without_a_title_is_refused_with_422(client: Any, alice: Any, contact: Contact) -> None:
    login(client, alice)
    response = client.post(
        url("contact_task_create", contact.pk), {"task-title": " ", "task-assignee": alice.pk}, **HX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#quick-task"
    assert "KZ-VAL-001" in field_errors(response.content.decode(), "title")
    assert not Task.objects.exists()


def test_ticking_an_open_task_completes_it(client: Any, alice: Any, contact: Contact) -> None:
    task = task_create(actor=alice, data={"title": "電話する", "contact": contact.pk})
    login(client, alice)
    assert f'id="task-done-{task.pk}"' in client.get(url("contact_detail", contact.pk)).content.decode()
    response = client.post(url("contact_task_complete", contact.pk, task.pk), **HX)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == "done"
    assert "No open tasks." in response.content.decode()


# --- History ------------------------------------------------------------------------------------


def test_history_tab_shows_who_when_how_and_field_changes(
    client: Any, alice: Any, bob: Any, contact: Contact
) -> None:
    contact_update(actor=bob, contact_id=contact.pk, data={"email": "b@yamada.example.jp"}, via="api")
    contact_update(actor=alice, contact_id=contact.pk, data={"lifecycle_status": "customer", "owner": bob.pk})
    login(client, alice)
    response = client.get(url("contact_history", contact.pk), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr data-entry="\d+">(.*?)</tr>', html, re.S)
    assert len(rows) == 3  # newest first: owner/lifecycle, email, create
    assert 'data-via="ui"' in rows[0] and "Lifecycle status" in rows[0]
    assert re.search(r"<del>\s*Lead\s*</del>.*<ins>\s*Customer\s*</ins>", rows[0], re.S)
    assert re.search(r"Owner</span>:\s*<del>alice</del>.*<ins>bob</ins>", rows[0], re.S)
    assert 'data-via="api"' in rows[1] and ">API<" in rows[1] and "bob" in rows[1]
    assert "taro@yamada.example.jp</del>" in rows[1] and "b@yamada.example.jp</ins>" in rows[1]
    assert ">Create<" in rows[2]


def test_history_is_paginated(client: Any, alice: Any, contact: Contact) -> None:
    for i in range(21):
        contact_update(actor=alice, contact_id=contact.pk, data={"title": f"役職{i}"})
    login(client, alice)
    first = client.get(url("contact_history", contact.pk), **HX).content.decode()
    assert first.count("<tr data-entry=") == 20 and "?page=2" in first and "役職20</ins>" in first
    second = client.get(url("contact_history", contact.pk), {"page": 2}, **HX).content.decode()
    assert second.count("<tr data-entry=") == 2 and ">Create<" in second


# --- Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["contact_detail", "contact_timeline", "contact_history", "contact_profile", "contact_profile_edit"],
)
def test_outsider_gets_the_coded_404_on_every_part_of_the_page(
    client: Any, charlie: Any, contact: Contact, name: str
) -> None:
    login(client, charlie)
    response = client.get(url(name, contact.pk))
    assert response.status_code == 404
    assert "KZ-AUTH-001" in response.content.decode()
    assert "山田" not in response.content.decode()


def test_outsider_cannot_write_through_quick_actions(
    client: Any, alice: Any, charlie: Any, contact: Contact
) -> None:
    login(client, charlie)
    call = client.post(
        url("contact_activity_create", contact.pk), {"quick": "call", "call-subject": "x"}, **HX
    )
    task = client.post(url("contact_task_create", contact.pk), {"task-title": "x"}, **HX)
    edit = client.post(
        url("contact_profile_edit", contact.pk), profile_data(contact, alice, family_name="乗っ取り"), **HX
    )
    assert (call.status_code, task.status_code, edit.status_code) == (404, 404, 404)
    assert not Activity.objects.exists() and not Task.objects.exists()
    contact.refresh_from_db()
    assert contact.family_name == "山田"


def test_reader_sees_the_page_but_quick_actions_and_edits_are_refused(
    client: Any, reader: Any, alice: Any, contact: Contact
) -> None:
    task = task_create(actor=alice, data={"title": "電話する", "contact": contact.pk})
    login(client, reader)
    page = client.get(url("contact_detail", contact.pk)).content.decode()
    assert "山田" in page and "Quick actions" not in page and ">Edit<" not in page
    call = client.post(
        url("contact_activity_create", contact.pk),
        {"quick": "call", "call-kind": "call", "call-subject": "x"},
        **HX,
    )
    assert call.status_code == 403 and "KZ-AUTH-002" in call.content.decode()
    new_task = client.post(url("contact_task_create", contact.pk), {"task-title": "x"}, **HX)
    assert new_task.status_code == 403 and "KZ-AUTH-002" in new_task.content.decode()
    done = client.post(url("contact_task_complete", contact.pk, task.pk), **HX)
    assert done.status_code == 403 and "KZ-AUTH-002" in done.content.decode()
    form = client.get(url("contact_profile_edit", contact.pk), **HX)
    assert form.status_code == 403
    edit = client.post(
        url("contact_profile_edit", contact.pk), profile_data(contact, alice, family_name="読者"), **HX
    )
    assert edit.status_code == 403 and "KZ-AUTH-002" in edit.content.decode()
    assert not Activity.objects.exists() and Task.objects.get().status == "open"
    contact.refresh_from_db()
    assert (contact.family_name, contact.version) == ("山田", 1)
    assert not AuditEntry.objects.filter(actor=reader).exists()


def test_a_teammate_who_may_only_edit_own_records_cannot_log_on_someone_elses_contact(
    client: Any, team_a: Any, contact: Contact
) -> None:
    from kizuna.accounts.models import User

    marketer = User.objects.create_user(
        username="mika", password="correct-horse-battery", role="marketing", team=team_a
    )
    login(client, marketer)
    page = client.get(url("contact_detail", contact.pk)).content.decode()
    assert "山田" in page and "Quick actions" not in page
    response = client.post(
        url("contact_activity_create", contact.pk),
        {"quick": "note", "note-kind": "note", "note-subject": "x"},
        **HX,
    )
    assert response.status_code == 403 and "KZ-AUTH-002" in response.content.decode()
    assert response["HX-Retarget"] == "#quick-note"
    assert not Activity.objects.exists()


def test_items_of_other_teams_never_appear_on_the_timeline_or_in_totals(
    client: Any, admin_user: Any, alice: Any, charlie: Any, contact: Contact, product: Any
) -> None:
    # An administrator attaches records owned by team B to alice's (team A) contact.
    ticket_create(
        actor=admin_user, data={"subject": "他チームの問い合わせ", "contact": contact.pk, "owner": charlie.pk}
    )
    order_create(
        actor=admin_user,
        data={"number": "HIDDEN-1", "contact": contact.pk, "order_date": "2025-02-01", "owner": charlie.pk},
        lines=[{"product": product.pk, "quantity": 5}],
    )
    activity_create(
        actor=admin_user,
        data={"kind": "note", "subject": "秘密のメモ", "contact": contact.pk, "owner": charlie.pk},
    )
    login(client, alice)
    html = client.get(url("contact_detail", contact.pk)).content.decode()
    for hidden in ("他チームの問い合わせ", "HIDDEN-1", "秘密のメモ"):
        assert hidden not in html
    assert 'data-testid="order-count">0<' in html and 'data-testid="total-spend">¥0<' in html
    login(client, admin_user)
    html = client.get(url("contact_detail", contact.pk)).content.decode()
    assert "他チームの問い合わせ" in html and 'data-testid="total-spend">¥6,000<' in html


def test_a_contacts_company_outside_the_users_scope_is_not_named(
    client: Any, admin_user: Any, alice: Any, charlie: Any
) -> None:
    hidden = company_create(actor=admin_user, data={"name": "株式会社大阪秘密", "owner": charlie.pk})
    person = contact_create(
        actor=admin_user, data={"family_name": "佐藤", "company": hidden.pk, "owner": alice.pk}
    )
    login(client, alice)
    html = client.get(url("contact_detail", person.pk)).content.decode()
    assert "佐藤" in html and "大阪秘密" not in html


# --- Company page -------------------------------------------------------------------------------


def test_company_page_aggregates_its_peoples_timeline_and_lists_them(
    client: Any, alice: Any, company: Company, contact: Contact, product: Any, pipeline: Any
) -> None:
    fill(contact, actor=alice, product=product, n=1)
    activity_create(actor=alice, data={"kind": "meeting", "subject": "会社訪問", "company": company.pk})
    login(client, alice)
    response = client.get(url("company_detail", company.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in KINDS:
        assert f'data-kind="{kind}"' in html
    assert "会社訪問" in html and "活動0" in html
    assert reverse("customers:contact_detail", args=[contact.pk]) in html  # people list and item contact
    assert 'data-testid="total-spend">¥3,600<' in html


def test_company_people_are_paginated(client: Any, alice: Any, company: Company) -> None:
    for i in range(21):
        contact_create(
            actor=alice,
            data={
                "family_name": f"社員{i:02d}",
                "family_name_kana": f"シャイン{i:02d}",
                "company": company.pk,
            },
        )
    login(client, alice)
    first = client.get(url("company_detail", company.pk)).content.decode()
    assert "社員00" in first and "社員20" not in first
    second = client.get(url("company_people", company.pk), {"page": 2}, **HX).content.decode()
    assert "社員20" in second and "社員00" not in second and "Previous" in second


def test_company_inline_edit_saves_and_refuses_a_bad_corporate_number(
    client: Any, alice: Any, company: Company
) -> None:
    login(client, alice)
    bad = client.post(
        url("company_profile_edit", company.pk), profile_data(company, alice, corporate_number="123"), **HX
    )
    assert bad.status_code == 422
    assert "KZ-VAL-007" in field_errors(bad.content.decode(), "corporate_number")
    good = client.post(
        url("company_profile_edit", company.pk), profile_data(company, alice, industry="小売"), **HX
    )
    assert good.status_code == 200
    company.refresh_from_db()
    assert (company.industry, company.version) == ("小売", 2)


def test_company_quick_note_is_attached_to_the_company(client: Any, alice: Any, company: Company) -> None:
    login(client, alice)
    response = client.post(
        url("company_activity_create", company.pk),
        {"quick": "note", "note-kind": "note", "note-subject": "与信確認"},
        **HX,
    )
    assert response.status_code == 200
    assert Activity.objects.get().company == company


def test_company_box_suggests_only_visible_companies(
    client: Any, alice: Any, admin_user: Any, charlie: Any, company: Company
) -> None:
    company_create(actor=admin_user, data={"name": "株式会社山田秘密", "owner": charlie.pk})
    login(client, alice)
    html = client.get(url("detail_company_options"), {"company": "山田"}, **HX).content.decode()
    assert f"株式会社山田商事 (#{company.pk})" in html and "秘密" not in html
