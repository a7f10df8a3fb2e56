"""Deal screens: pipeline board and its move endpoint, list, deal page with inline edit, new deal."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kizuna.activities import services as activity_services
from kizuna.core.models import AuditEntry, DomainEvent
from kizuna.customers.services import company_create, contact_create
from kizuna.sales import services, views
from kizuna.sales.models import Deal, DealStageChange

JSON = {"HTTP_ACCEPT": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def deal_for(actor, pipeline, title="案件", amount=1_000_000, stage_name="リード", **extra):
    data = {"title": title, "amount": amount, "stage": stage(pipeline, stage_name).pk, **extra}
    return services.deal_create(actor=actor, data=data)


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, **params.pop("headers", {}))
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- Board -----------------------------------------------------------------------------------------


def test_board_shows_stage_columns_with_totals_and_only_visible_cards(client, alice, bob, charlie, pipeline):
    deal_for(alice, pipeline, "アリスの案件", 1_000_000, "提案")
    deal_for(bob, pipeline, "ボブの案件", 500_000, "提案")
    deal_for(charlie, pipeline, "チャーリーの案件", 9_000_000, "提案")
    client.force_login(alice)
    response = client.get("/deals/")
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [c.stage.name for c in columns] == ["リード", "提案", "交渉", "受注", "失注"]
    proposal = columns[1]
    assert (proposal.stats.count, proposal.stats.total, proposal.stats.weighted) == (2, 1_500_000, 600_000)
    assert sorted(d.title for d in proposal.cards) == ["アリスの案件", "ボブの案件"]
    page = response.content.decode()
    assert "アリスの案件" in page and "ボブの案件" in page
    assert "チャーリーの案件" not in page and "9,000,000" not in page
    assert '<dd data-stat="total">¥1,500,000</dd>' in page
    assert "vendor/sortable-1.15.7.min.js" in page
    assert page.count("data-move ") == 2 and 'id="move-dialog-stage"' in page  # keyboard alternative


def test_board_highlights_overdue_cards_and_links_hidden_ones(client, alice, pipeline, monkeypatch):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    deal_for(alice, pipeline, "期限切れ", expected_close_date=yesterday.isoformat())
    deal_for(alice, pipeline, "二件目")
    deal_for(alice, pipeline, "三件目")
    monkeypatch.setattr("kizuna.sales.selectors.BOARD_CARDS_PER_COLUMN", 2)
    client.force_login(alice)
    response = client.get("/deals/")
    lead = response.context["columns"][0]
    assert [d.title for d in lead.cards] == ["期限切れ", "二件目"]  # soonest close first, undated last
    assert lead.hidden == 1
    page = response.content.decode()
    assert "deal-card overdue" in page
    assert f"/deals/list/?pipeline={pipeline.pk}&amp;stage={lead.stage.pk}&amp;sort=close" in page


@pytest.mark.parametrize(("language", "date_text"), [("ja", "2026/03/31"), ("en", "03/31/2026")])
def test_board_card_shows_customer_amount_owner_and_close_date_escaped(
    client, alice, pipeline, language, date_text
):
    company = company_create(actor=alice, data={"name": "株式会社<テスト>"})
    contact = contact_create(
        actor=alice, data={"family_name": "山田", "given_name": "太郎", "company": company.pk}
    )
    deal = deal_for(
        alice, pipeline, "<b>年間</b>契約", 1_234_567, company=company.pk, contact=contact.pk,
        expected_close_date="2026-03-31",
    )  # fmt: skip
    undated = deal_for(alice, pipeline, "日付なし")
    alice.language = language
    alice.save()
    client.force_login(alice)
    page = client.get("/deals/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    card = page[
        page.index(f'data-deal-id="{deal.pk}"') : page.index("</li>", page.index(f'data-deal-id="{deal.pk}"'))
    ]
    assert f'data-move-url="/deals/{deal.pk}/move/"' in card and f'href="/deals/{deal.pk}/"' in card
    assert "&lt;b&gt;年間&lt;/b&gt;契約" in card and "<b>" not in card
    assert "株式会社&lt;テスト&gt; · 山田 太郎" in card
    assert "¥1,234,567" in card and str(alice) in card
    assert f'<time datetime="2026-03-31">{date_text}</time>' in card
    assert ("deal-card overdue" in page) == (timezone.localdate() > dt.date(2026, 3, 31))
    other = page[page.index(f'data-deal-id="{undated.pk}"') :]
    assert ("No close date" if language == "en" else "受注予定日なし") in other[: other.index("</li>")]


def test_board_query_count_does_not_grow_with_deals(client, alice, bob, pipeline):
    company = company_create(actor=alice, data={"name": "株式会社テスト"})
    contact = contact_create(actor=alice, data={"family_name": "山田", "company": company.pk})
    deal_for(alice, pipeline, "最初", company=company.pk, contact=contact.pk)
    client.force_login(alice)
    one = count_queries(client, "/deals/")
    for i, name in enumerate(["リード", "提案", "交渉", "受注", "提案"]):
        owner = bob if i % 2 else alice
        deal_for(owner, pipeline, f"案件{i}", company=company.pk, contact=contact.pk, stage_name=name)
    assert count_queries(client, "/deals/") == one


# --- Move endpoint ---------------------------------------------------------------------------------


def test_move_changes_stage_with_history_audit_and_event(client, alice, pipeline):
    deal = deal_for(alice, pipeline, amount=2_000_000)
    client.force_login(alice)
    target = stage(pipeline, "交渉")
    response = client.post(f"/deals/{deal.pk}/move/", {"stage": target.pk, "version": deal.version}, **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["deal"] == {"id": deal.pk, "version": deal.version + 1, "stage": target.pk}
    assert body["columns"][str(target.pk)] == {
        "count": 1,
        "total": 2_000_000,
        "weighted": 1_400_000,
        "total_text": "¥2,000,000",
        "weighted_text": "¥1,400,000",
    }
    assert body["columns"][str(stage(pipeline, "リード").pk)]["count"] == 0
    deal.refresh_from_db()
    assert deal.stage == target
    history = list(DealStageChange.objects.filter(deal=deal).order_by("id"))
    assert [(h.from_stage and h.from_stage.name, h.to_stage.name, h.changed_by) for h in history] == [
        (None, "リード", alice),
        ("リード", "交渉", alice),
    ]
    audit = AuditEntry.objects.filter(object_type="sales.deal", object_id=deal.pk, action="update").get()
    assert audit.via == "ui" and "stage" in audit.changes
    event = DomainEvent.objects.filter(event_type="deal.stage_changed", object_id=deal.pk).latest("id")
    assert (event.payload["from"]["name"], event.payload["to"]["name"]) == ("リード", "交渉")
    assert "kizuna:toast" in response.headers["HX-Trigger"]


def test_outsider_move_is_refused_as_not_found_and_stage_stays(client, alice, charlie, pipeline):
    deal = deal_for(alice, pipeline)
    client.force_login(charlie)
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage": stage(pipeline, "提案").pk, "version": deal.version}, **JSON
    )
    assert response.status_code == 404
    body = response.json()
    assert (body["ok"], body["code"]) == (False, "KZ-AUTH-001")
    assert "KZ-AUTH-001" in body["message"]
    toast = json.loads(response.headers["HX-Trigger"])["kizuna:toast"]
    assert toast["kind"] == "error" and "KZ-AUTH-001" in toast["text"]
    deal.refresh_from_db()
    assert deal.stage.name == "リード"
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_read_only_teammate_move_is_forbidden(client, alice, reader, pipeline):
    deal = deal_for(alice, pipeline)
    client.force_login(reader)
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage": stage(pipeline, "提案").pk, "version": deal.version}, **JSON
    )
    assert (response.status_code, response.json()["code"]) == (403, "KZ-AUTH-002")
    deal.refresh_from_db()
    assert deal.stage.name == "リード"


def test_move_with_stale_version_is_a_conflict_and_stage_stays(client, alice, bob, pipeline):
    deal = deal_for(alice, pipeline)
    seen_version = deal.version
    services.deal_update(actor=bob, deal_id=deal.pk, data={"amount": 5})  # bob edits meanwhile
    client.force_login(alice)
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage": stage(pipeline, "提案").pk, "version": seen_version}, **JSON
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "KZ-VAL-013"
    assert "再読み込み" in body["message"]  # the remedy, in alice's language (ja)
    deal.refresh_from_db()
    assert deal.stage.name == "リード"


def test_move_to_lost_stage_needs_a_reason(client, alice, pipeline):
    deal = deal_for(alice, pipeline)
    lost = stage(pipeline, "失注")
    client.force_login(alice)
    refused = client.post(f"/deals/{deal.pk}/move/", {"stage": lost.pk, "version": deal.version}, **JSON)
    assert refused.status_code == 422
    assert refused.json()["error"]["errors"][0]["field"] == "lost_reason"
    assert refused.json()["code"] == "KZ-VAL-001"
    deal.refresh_from_db()
    assert deal.stage.name == "リード"
    accepted = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": lost.pk, "version": deal.version, "lost_reason": "予算凍結"},
        **JSON,
    )
    assert accepted.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage.name, deal.lost_reason) == ("失注", "予算凍結")


def test_move_form_without_javascript_redirects_back_with_message(client, alice, charlie, pipeline):
    deal = deal_for(alice, pipeline)
    client.force_login(alice)
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {
            "stage": stage(pipeline, "提案").pk,
            "version": deal.version,
            "next": f"/deals/?pipeline={pipeline.pk}",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/deals/?pipeline={pipeline.pk}", 302)]
    assert [(m.level_tag, "提案" in m.message) for m in response.context["messages"]] == [("success", True)]
    client.force_login(charlie)
    response = client.post(f"/deals/{deal.pk}/move/", {"stage": stage(pipeline, "交渉").pk}, follow=True)
    assert "KZ-AUTH-001" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.name == "提案"


def test_move_requires_post_and_sign_in(client, alice, pipeline):
    deal = deal_for(alice, pipeline)
    assert client.post(f"/deals/{deal.pk}/move/", {"stage": 1}).status_code == 302  # to the sign-in page
    client.force_login(alice)
    assert client.get(f"/deals/{deal.pk}/move/").status_code == 405


# --- List ------------------------------------------------------------------------------------------


def test_list_filters_and_hides_other_teams(client, alice, bob, charlie, pipeline):
    deal_for(alice, pipeline, "開いている", stage_name="提案", expected_close_date="2026-05-10")
    deal_for(bob, pipeline, "受注済み", stage_name="受注", expected_close_date="2026-06-10")
    deal_for(charlie, pipeline, "他チーム", stage_name="提案")
    client.force_login(alice)

    def titles(**params):
        response = client.get("/deals/list/", params)
        assert response.status_code == 200
        return [d.title for d in response.context["page"].rows]

    assert sorted(titles()) == ["受注済み", "開いている"]
    assert titles(status="won") == ["受注済み"]
    assert titles(status="open") == ["開いている"]
    assert titles(stage=stage(pipeline, "提案").pk) == ["開いている"]
    assert titles(owner=bob.pk) == ["受注済み"]
    assert titles(close_from="2026-06-01") == ["受注済み"]
    assert titles(close_to="2026-05-31") == ["開いている"]
    assert titles(sort="-close") == ["受注済み", "開いている"]
    assert titles(status="won", close_from="not-a-date") == ["受注済み"]  # a bad filter drops alone
    assert "他チーム" not in client.get("/deals/list/", {"owner": charlie.pk}).content.decode()


def test_list_pages_without_counting(client, alice, pipeline, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    for i in range(5):
        deal_for(alice, pipeline, f"案件{i}")
    client.force_login(alice)
    first = client.get("/deals/list/", {"sort": "title"})
    assert [d.title for d in first.context["page"].rows] == ["案件0", "案件1"]
    assert first.context["page"].has_next
    assert "page=2" in first.content.decode()
    last = client.get("/deals/list/", {"sort": "title", "page": 3})
    assert [d.title for d in last.context["page"].rows] == ["案件4"]
    assert not last.context["page"].has_next
    with CaptureQueriesContext(connection) as ctx:
        client.get("/deals/list/")
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries if "sales_deal" in q["sql"])


def test_list_query_count_does_not_grow_with_deals(client, alice, bob, pipeline):
    company = company_create(actor=alice, data={"name": "株式会社リスト"})
    deal_for(alice, pipeline, "最初", company=company.pk)
    client.force_login(alice)
    one = count_queries(client, "/deals/list/")
    for i in range(5):
        deal_for(bob if i % 2 else alice, pipeline, f"案件{i}", company=company.pk, stage_name="提案")
    assert count_queries(client, "/deals/list/") == one


# --- Deal page -------------------------------------------------------------------------------------


def test_deal_page_shows_history_customer_tasks_and_activities(client, alice, charlie, pipeline):
    company = company_create(actor=alice, data={"name": "株式会社ミライ"})
    contact = contact_create(actor=alice, data={"family_name": "佐藤", "given_name": "花子"})
    deal = deal_for(alice, pipeline, "大型案件", company=company.pk, contact=contact.pk)
    services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=stage(pipeline, "提案").pk)
    activity_services.activity_create(
        actor=alice,
        data={
            "deal": deal.pk,
            "kind": "call",
            "subject": "初回ヒアリング",
            "occurred_at": "2026-04-01T10:00:00+09:00",
        },
    )
    activity_services.task_create(actor=alice, data={"deal": deal.pk, "title": "見積書を送る"})
    client.force_login(alice)
    response = client.get(f"/deals/{deal.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    history = response.context["history"]
    assert [
        (r.change.from_stage and r.change.from_stage.name, r.change.to_stage.name, r.current) for r in history
    ] == [
        (None, "リード", False),
        ("リード", "提案", True),
    ]
    assert "株式会社ミライ" in page and "佐藤 花子" in page
    assert "初回ヒアリング" in page and "見積書を送る" in page
    client.force_login(charlie)
    response = client.get(f"/deals/{deal.pk}/")
    assert response.status_code == 404
    assert "KZ-AUTH-001" in response.content.decode() and "大型案件" not in response.content.decode()


def test_deal_page_query_count_does_not_grow_with_history(client, alice, bob, pipeline):
    company = company_create(actor=alice, data={"name": "株式会社履歴"})
    deal = deal_for(alice, pipeline, company=company.pk)
    activity_services.task_create(
        actor=alice, data={"deal": deal.pk, "title": "最初のタスク", "assignee": alice.pk}
    )
    activity_services.activity_create(
        actor=alice,
        data={"deal": deal.pk, "kind": "note", "subject": "メモ", "occurred_at": "2026-04-01T10:00:00+09:00"},
    )
    client.force_login(alice)
    one = count_queries(client, f"/deals/{deal.pk}/")
    for name in ["提案", "交渉", "提案", "交渉", "受注"]:
        actor = bob if name == "交渉" else alice
        services.deal_move_stage(actor=actor, deal_id=deal.pk, stage_id=stage(pipeline, name).pk)
        activity_services.task_create(
            actor=actor, data={"deal": deal.pk, "title": f"{name}のタスク", "assignee": actor.pk}
        )
        activity_services.activity_create(
            actor=actor,
            data={
                "deal": deal.pk,
                "kind": "call",
                "subject": name,
                "occurred_at": "2026-04-02T10:00:00+09:00",
            },
        )
    assert count_queries(client, f"/deals/{deal.pk}/") == one


def _edit_data(deal, **changes):
    data = views._deal_initial(deal)
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_inline_edit_saves_through_the_service(client, alice, pipeline):
    deal = deal_for(alice, pipeline, "編集前")
    client.force_login(alice)
    form = client.get(f"/deals/{deal.pk}/edit/", **HTMX)
    assert form.status_code == 200 and 'name="version"' in form.content.decode()
    response = client.post(
        f"/deals/{deal.pk}/edit/",
        _edit_data(deal, title="編集後", amount="３,０００,０００円", expected_close_date="2026-12-24"),
        **HTMX,
    )
    assert response.status_code == 200
    assert "¥3,000,000" in response.content.decode() and 'id="deal-fields"' in response.content.decode()
    assert json.loads(response.headers["HX-Trigger"])["kizuna:toast"]["kind"] == "success"
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.expected_close_date) == ("編集後", 3_000_000, dt.date(2026, 12, 24))
    assert AuditEntry.objects.filter(object_type="sales.deal", object_id=deal.pk, action="update").exists()


def test_inline_edit_shows_coded_errors_next_to_fields_and_saves_nothing(client, alice, pipeline):
    deal = deal_for(alice, pipeline, "元のまま", amount=100)
    client.force_login(alice)
    response = client.post(f"/deals/{deal.pk}/edit/", _edit_data(deal, title="", amount="-5"), **HTMX)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_amount_error"' in page and "KZ-VAL-004" in page
    assert 'id="id_title_error"' in page and "KZ-VAL-001" in page
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.version) == ("元のまま", 100, 1)


def test_inline_edit_with_stale_version_is_a_conflict(client, alice, bob, pipeline):
    deal = deal_for(alice, pipeline, "競合")
    stale = _edit_data(deal, title="アリスの変更")
    services.deal_update(actor=bob, deal_id=deal.pk, data={"title": "ボブの変更"})
    client.force_login(alice)
    response = client.post(f"/deals/{deal.pk}/edit/", stale, **HTMX)
    assert response.status_code == 409
    assert "KZ-VAL-013" in response.content.decode()
    deal.refresh_from_db()
    assert deal.title == "ボブの変更"


def test_inline_edit_by_outsider_is_not_found(client, alice, charlie, pipeline):
    deal = deal_for(alice, pipeline, "秘密")
    client.force_login(charlie)
    assert client.post(f"/deals/{deal.pk}/edit/", _edit_data(deal, title="乗っ取り")).status_code == 404
    deal.refresh_from_db()
    assert deal.title == "秘密"


def test_edit_without_javascript_redirects_to_the_deal_page(client, alice, pipeline):
    deal = deal_for(alice, pipeline)
    client.force_login(alice)
    assert client.get(f"/deals/{deal.pk}/edit/").status_code == 200
    response = client.post(f"/deals/{deal.pk}/edit/", _edit_data(deal, amount="42"))
    assert (response.status_code, response["Location"]) == (302, f"/deals/{deal.pk}/")


# --- New deal --------------------------------------------------------------------------------------


def test_new_deal_is_created_with_company_contact_and_stage(client, alice, pipeline):
    company = company_create(actor=alice, data={"name": "株式会社新規"})
    contact = contact_create(actor=alice, data={"family_name": "田中"})
    client.force_login(alice)
    form = client.get("/deals/new/", {"company": company.pk})
    assert form.status_code == 200 and f'value="{company.pk}"' in form.content.decode()
    assert 'id="id_company_chosen" aria-live="polite">株式会社新規<' in form.content.decode()
    response = client.post(
        "/deals/new/",
        {
            "title": "新規案件",
            "company": company.pk,
            "contact": contact.pk,
            "pipeline": pipeline.pk,
            "stage": stage(pipeline, "提案").pk,
            "amount": "1200000",
            "expected_close_date": "2026-09-30",
            "owner": "",
        },
    )
    deal = Deal.objects.get(title="新規案件")
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert (deal.company, deal.contact, deal.stage.name, deal.amount, deal.owner) == (
        company,
        contact,
        "提案",
        1_200_000,
        alice,
    )


def test_new_deal_errors_are_shown_next_to_fields(client, alice, admin_user, pipeline):
    other = services.pipeline_create(actor=admin_user, name="別パイプライン", stages=[{"name": "初回"}])
    client.force_login(alice)
    response = client.post(
        "/deals/new/",
        {"title": "", "amount": "abc", "pipeline": pipeline.pk, "stage": other.stages.get().pk},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_title_error"' in page and "KZ-VAL-001" in page
    assert 'id="id_amount_error"' in page and "KZ-VAL-004" in page
    assert Deal.objects.count() == 0
    response = client.post(
        "/deals/new/", {"title": "x", "pipeline": pipeline.pk, "stage": other.stages.get().pk}
    )
    assert response.status_code == 422
    assert 'id="id_stage_error"' in response.content.decode() and "KZ-VAL-003" in response.content.decode()
    assert Deal.objects.count() == 0


def test_new_deal_cannot_link_another_teams_company(client, alice, charlie, pipeline):
    hidden = company_create(actor=charlie, data={"name": "大阪の会社"})
    client.force_login(alice)
    response = client.post("/deals/new/", {"title": "案件", "company": hidden.pk})
    assert response.status_code == 422
    assert 'id="id_company_error"' in response.content.decode() and "KZ-VAL-011" in response.content.decode()
    assert Deal.objects.count() == 0


def test_customer_lookup_finds_only_visible_records(client, alice, charlie, pipeline):
    company_create(actor=alice, data={"name": "株式会社さくら"})
    company_create(actor=charlie, data={"name": "さくら商事"})
    client.force_login(alice)
    response = client.get("/deals/lookup/", {"kind": "company", "q": "さくら"}, **HTMX)
    page = response.content.decode()
    assert "株式会社さくら" in page and "さくら商事" not in page
    assert 'data-fill="id_company"' in page


@pytest.mark.parametrize("url", ["/deals/", "/deals/list/", "/deals/new/", "/forecast/"])
def test_pages_require_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
