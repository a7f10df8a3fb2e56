"""The issue's scenario in a real browser: create a contact (fixing a validation error), find it by kana,
open its 360 page, log a call, drag a deal to the next stage and see the forecast change, export a view.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from kizuna.activities.models import Activity
from kizuna.customers.models import Contact
from kizuna.customers.services import contact_create
from kizuna.sales.services import deal_create, deal_move_stage


def test_create_a_contact_fix_the_error_find_it_by_kana_and_log_a_call(signed_in: Any, alice: Any) -> None:
    page = signed_in(alice)
    page.goto("/contacts/")
    with page.expect_navigation():
        page.locator(".page-header .actions a[href='/contacts/new/']").click()

    page.locator("#id_family_name").fill("綿貫")
    page.locator("#id_given_name").fill("千尋")
    page.locator("#id_family_name_kana").fill("わたぬき")
    page.locator("#id_given_name_kana").fill("ちひろ")
    page.locator("#id_email").fill("chihiro.watanuki@@example")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("main form button[type=submit].primary").click()
    assert posted.value.status == 422
    email_row = page.locator(".form-row.has-error", has=page.locator("#id_email"))
    expect(email_row.locator(".field-error")).to_contain_text(re.compile(r"KZ-[A-Z]+-\d{3}"))
    expect(email_row.locator(".field-error .remedy")).not_to_be_empty()
    expect(page.locator(".error-panel[role=alert]")).to_be_visible()
    expect(page.locator("#id_family_name")).to_have_value("綿貫")  # what was typed is kept
    assert not Contact.objects.exists()

    page.locator("#id_email").fill("chihiro.watanuki@example.jp")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+/$"))
    contact = Contact.objects.get()
    assert (contact.family_name_kana, contact.email, contact.owner_id) == (
        "ワタヌキ",
        "chihiro.watanuki@example.jp",
        alice.pk,
    )

    # Find it again by its kana reading in the list's instant search, and open the 360 page from there.
    contact_create(actor=alice, data={"family_name": "渡辺", "family_name_kana": "ワタナベ"})
    page.goto("/contacts/")
    page.locator("#filter_q").press_sequentially("わたぬき", delay=20)
    rows = page.locator("#list-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("綿貫")
    expect(page).to_have_url(
        re.compile(r"q=%E3%82%8F%E3%81%9F%E3%81%AC%E3%81%8D")
    )  # the search is in the URL
    with page.expect_navigation():
        rows.first.locator(f"a[href='/contacts/{contact.pk}/']").click()
    expect(page.locator("main h1")).to_contain_text("綿貫")

    # Log a call from the quick actions: it appears at the top of the timeline without a page load.
    page.locator(".quick-actions summary", has_text=re.compile("📞")).click()
    page.locator("#id_call-subject").fill("導入時期のヒアリング")
    page.locator("#id_call-body").fill("来月の稟議で決裁予定。")
    page.locator("#quick-call button[type=submit]").click()
    first_item = page.locator("#timeline-items > li").first
    expect(first_item).to_contain_text("導入時期のヒアリング")
    expect(first_item).to_have_attribute("data-kind", "activity")
    call = Activity.objects.get(contact=contact)
    assert (call.kind, call.subject, call.author_id) == ("call", "導入時期のヒアリング", alice.pk)
    expect(page.locator("#toast")).to_be_visible()


def _forecast_weighted(page: Any) -> str:
    page.goto("/forecast/")
    return page.locator("[data-testid=forecast-weighted]").inner_text().strip()


def test_dragging_a_deal_to_the_next_stage_changes_the_forecast(
    signed_in: Any, alice: Any, pipeline: Any
) -> None:
    close = timezone.localdate() + dt.timedelta(days=10)
    deal = deal_create(
        actor=alice,
        data={
            "title": "クラウド会計 年間契約",
            "amount": 1_000_000,
            "expected_close_date": close.isoformat(),
        },
    )
    assert deal.stage.name == "リード"
    page = signed_in(alice)
    assert _forecast_weighted(page) == "¥100,000"  # 1,000,000 × 10 %

    page.goto("/deals/")
    card = page.locator(f".deal-card[data-deal-id='{deal.pk}']")
    lead = page.locator(".board-column", has=page.locator("h2", has_text="リード"))
    proposal = page.locator(".board-column", has=page.locator("h2", has_text="提案"))
    expect(lead.locator(".deal-card")).to_have_count(1)
    with page.expect_response(re.compile(rf"/deals/{deal.pk}/move/$")) as moved:
        card.locator(".deal-card-title").drag_to(proposal.locator(".board-cards"))
    assert moved.value.status == 200
    expect(proposal.locator(f".deal-card[data-deal-id='{deal.pk}']")).to_be_visible()
    expect(proposal.locator("[data-stat=weighted]")).to_have_text("¥400,000")
    expect(lead.locator("[data-stat=count]")).to_have_text("0")
    deal.refresh_from_db()
    assert deal.stage.name == "提案"

    assert _forecast_weighted(page) == "¥400,000"  # 1,000,000 × 40 %


def test_a_refused_move_snaps_back_with_the_reason(
    signed_in: Any, alice: Any, bob: Any, pipeline: Any
) -> None:
    deal = deal_create(actor=alice, data={"title": "保守契約の更新", "amount": 300_000})
    page = signed_in(alice)
    page.goto("/deals/")
    # Someone else moves the deal meanwhile: the board's version is stale, so the server refuses.
    deal_move_stage(actor=bob, deal_id=deal.pk, stage_id=pipeline.stages.get(name="交渉").pk)
    card = page.locator(f".deal-card[data-deal-id='{deal.pk}']")
    proposal = page.locator(".board-column", has=page.locator("h2", has_text="提案"))
    with page.expect_response(re.compile(rf"/deals/{deal.pk}/move/$")) as moved:
        card.locator(".deal-card-title").drag_to(proposal.locator(".board-cards"))
    assert moved.value.status == 409
    lead = page.locator(".board-column", has=page.locator("h2", has_text="リード"))
    expect(lead.locator(f".deal-card[data-deal-id='{deal.pk}']")).to_be_visible()
    expect(page.locator("#toast.error")).to_be_visible()
    deal.refresh_from_db()
    assert deal.stage.name == "交渉"


def test_exporting_the_current_view_downloads_a_csv_with_its_rows(signed_in: Any, alice: Any) -> None:
    contact_create(
        actor=alice,
        data={
            "family_name": "綿貫",
            "given_name": "千尋",
            "family_name_kana": "ワタヌキ",
            "email": "w@example.jp",
        },
    )
    contact_create(actor=alice, data={"family_name": "佐藤", "family_name_kana": "サトウ"})
    page = signed_in(alice)
    page.goto("/contacts/?q=わたぬき")
    expect(page.locator("#list-results tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.locator(".list-export a", has_text="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2, rows  # the header and the one matching contact, not 佐藤
    assert any("綿貫" in cell for cell in rows[1]), rows
    assert any("w@example.jp" in cell for cell in rows[1]), rows


def test_a_filtered_list_shows_its_rows_then_its_count(signed_in: Any, alice: Any) -> None:
    Contact.objects.bulk_create(
        Contact(family_name=f"顧客{i:03}", owner=alice, team=alice.team, lifecycle_status="customer")
        for i in range(53)
    )
    page = signed_in(alice)
    page.goto("/contacts/?lifecycle_status=customer")
    expect(page.locator("#list-results tbody tr")).to_have_count(50)
    # The count arrives in its own request and replaces the count line only (Japanese by default).
    expect(page.locator(".list-count")).to_have_text(re.compile(r"全\s*53\s*件中\s*1–50\s*件目"))
    expect(page.locator("#list-results tbody tr")).to_have_count(50)
    assert page.url.endswith("/contacts/?lifecycle_status=customer")  # the count did not touch the address
    page.locator(".pagination a[rel=next]").click()
    expect(page.locator("#list-results tbody tr")).to_have_count(3)
    expect(page.locator(".list-count")).to_have_text(re.compile(r"全\s*53\s*件中\s*51–53\s*件目"))
