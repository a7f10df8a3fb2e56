from __future__ import annotations

import datetime as dt

import pytest

from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.models import DomainEvent
from kizuna.customers.services import company_create, contact_create
from kizuna.sales import services
from kizuna.sales.models import Deal, DealStageChange, Order


def _stage(pipeline, name):
    return pipeline.stages.get(name=name)


def test_deal_starts_in_first_stage_with_history(alice, pipeline):
    deal = services.deal_create(
        actor=alice,
        data={"title": "年間保守契約", "amount": "１,２００,０００円", "expected_close_date": "2026/12/25"},
    )
    assert (deal.stage.name, deal.amount, deal.expected_close_date) == (
        "リード",
        1_200_000,
        dt.date(2026, 12, 25),
    )
    history = list(DealStageChange.objects.filter(deal=deal))
    assert [(h.from_stage, h.to_stage.name) for h in history] == [(None, "リード")]
    event = DomainEvent.objects.get(event_type="deal.stage_changed")
    assert event.payload["from"] is None and event.payload["to"]["name"] == "リード"


def test_stage_change_records_history_event_and_closing(alice, pipeline):
    deal = services.deal_create(actor=alice, data={"title": "案件"})
    services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=_stage(pipeline, "提案").pk)
    services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=_stage(pipeline, "受注").pk)
    deal.refresh_from_db()
    assert deal.closed_at is not None
    moves = [
        (e.payload["from"]["name"], e.payload["to"]["name"])
        for e in DomainEvent.objects.filter(event_type="deal.stage_changed").order_by("id")[1:]
    ]
    assert moves == [("リード", "提案"), ("提案", "受注")]
    assert [h.to_stage.name for h in deal.stage_changes.all()] == ["リード", "提案", "受注"]
    services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=_stage(pipeline, "交渉").pk)
    deal.refresh_from_db()
    assert deal.closed_at is None


def test_lost_stage_needs_a_reason(alice, pipeline):
    deal = services.deal_create(actor=alice, data={"title": "案件"})
    with pytest.raises(KizunaValidationError) as exc:
        services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=_stage(pipeline, "失注").pk)
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-001", "lost_reason")]
    services.deal_move_stage(
        actor=alice, deal_id=deal.pk, stage_id=_stage(pipeline, "失注").pk, lost_reason="価格"
    )
    deal.refresh_from_db()
    assert (deal.stage.name, deal.lost_reason) == ("失注", "価格")


def test_stage_of_another_pipeline_is_refused_with_allowed_stages(alice, admin_user, pipeline):
    other = services.pipeline_create(actor=admin_user, name="既存深耕", stages=[{"name": "ヒアリング"}])
    deal = services.deal_create(actor=alice, data={"title": "案件"})
    with pytest.raises(KizunaError) as exc:
        services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=other.stages.get().pk)
    assert exc.value.code == "KZ-VAL-003"
    assert "提案" in exc.value.context["allowed"]


def test_negative_amount_is_refused(alice, pipeline):
    with pytest.raises(KizunaValidationError) as exc:
        services.deal_create(actor=alice, data={"title": "案件", "amount": -1})
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-004", "amount")]
    assert Deal.objects.count() == 0


def test_deal_without_any_pipeline_says_so(alice):
    with pytest.raises(KizunaValidationError) as exc:
        services.deal_create(actor=alice, data={"title": "案件"})
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-001", "pipeline")]


def test_stage_both_won_and_lost_is_inconsistent(admin_user):
    with pytest.raises(KizunaError) as exc:
        services.pipeline_create(
            actor=admin_user, name="X", stages=[{"name": "A", "is_won": True, "is_lost": True}]
        )
    assert exc.value.code == "KZ-VAL-012"


def test_order_total_is_the_sum_of_its_lines(alice, admin_user):
    p1 = services.product_create(
        actor=admin_user, data={"code": "P-001", "name": "保守サービス", "unit_price": 50000}
    )
    services.product_create(
        actor=admin_user, data={"code": "P-002", "name": "導入支援", "unit_price": 300000}
    )
    company = company_create(actor=alice, data={"name": "山田商事"})
    order = services.order_create(
        actor=alice,
        data={"number": "SO-0001", "company": company.pk, "order_date": "2026-11-01"},
        lines=[{"product": p1.pk, "quantity": 3}, {"product": "P-002", "quantity": 1, "unit_price": 280000}],
    )
    assert order.total == 3 * 50000 + 280000
    assert [(line.product.code, line.amount) for line in order.lines.all()] == [
        ("P-001", 150000),
        ("P-002", 280000),
    ]
    assert DomainEvent.objects.filter(event_type="order.created", object_id=order.pk).exists()


def test_order_errors_name_the_line(alice, admin_user):
    company = company_create(actor=alice, data={"name": "山田商事"})
    with pytest.raises(KizunaValidationError) as exc:
        services.order_create(
            actor=alice,
            data={"number": "SO-1", "company": company.pk, "order_date": "2026-11-01"},
            lines=[{"product": "NOPE", "quantity": 0}],
        )
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-004", "lines[1].quantity")]
    with pytest.raises(KizunaValidationError) as exc:
        services.order_create(
            actor=alice,
            data={"number": "SO-1", "company": company.pk, "order_date": "2026-11-01"},
            lines=[{"product": "NOPE", "quantity": 1}],
        )
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-011", "lines[1].product")]
    assert Order.objects.count() == 0


def test_order_needs_a_customer(alice, admin_user):
    services.product_create(actor=admin_user, data={"code": "P-1", "name": "P", "unit_price": 1})
    with pytest.raises(KizunaValidationError) as exc:
        services.order_create(
            actor=alice,
            data={"number": "SO-1", "order_date": "2026-11-01"},
            lines=[{"product": "P-1", "quantity": 1}],
        )
    assert exc.value.errors[0].field == "company"


def test_duplicate_order_number_is_a_coded_conflict(alice, admin_user):
    services.product_create(actor=admin_user, data={"code": "P-1", "name": "P", "unit_price": 1})
    contact = contact_create(actor=alice, data={"family_name": "山田"})
    data = {"number": "SO-1", "contact": contact.pk, "order_date": "2026-11-01"}
    services.order_create(actor=alice, data=data, lines=[{"product": "P-1", "quantity": 1}])
    with pytest.raises(KizunaError) as exc:
        services.order_create(actor=alice, data=data, lines=[{"product": "P-1", "quantity": 1}])
    assert (exc.value.code, exc.value.field) == ("KZ-VAL-002", "number")


def test_blank_amount_means_zero(alice, pipeline):
    deal = services.deal_create(actor=alice, data={"title": "案件", "amount": 5000})
    services.deal_update(actor=alice, deal_id=deal.pk, data={"amount": ""})
    deal.refresh_from_db()
    assert deal.amount == 0
