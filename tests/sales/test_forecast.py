"""Forecast arithmetic on a small hand-built data set: exact yen values, visibility, stage history."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kizuna.sales import forecast, selectors, services
from kizuna.sales.models import Deal, DealStageChange, ForecastCategory, Stage, forecast_category_for

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TOKYO)


def make_deal(actor, pipeline, title, amount, path, times, close=None, closed_at=None, lost_reason="価格"):
    """A deal that went through ``path`` (stage names) at ``times``; timestamps rewritten afterwards."""
    stages = {s.name: s for s in pipeline.stages.all()}
    deal = services.deal_create(
        actor=actor,
        data={
            "title": title,
            "amount": amount,
            "stage": stages[path[0]].pk,
            "expected_close_date": close.isoformat() if close else "",
        },
    )
    for name in path[1:]:
        services.deal_move_stage(
            actor=actor,
            deal_id=deal.pk,
            stage_id=stages[name].pk,
            lost_reason=lost_reason if stages[name].is_lost else "",
        )
    changes = list(DealStageChange.objects.filter(deal=deal).order_by("id"))
    assert len(changes) == len(times)
    for change, when in zip(changes, times, strict=True):
        DealStageChange.objects.filter(pk=change.pk).update(changed_at=when)
    if closed_at is not None:
        Deal.objects.filter(pk=deal.pk).update(closed_at=closed_at)
    return deal


@pytest.fixture
def book(alice, bob, charlie, pipeline):
    """Alice's team book (alice and bob) plus one deal of charlie's that alice must never count."""
    d = {}
    d[1] = make_deal(alice, pipeline, "d1", 1_000_000, ["リード"], [at(2026, 3, 1)], dt.date(2026, 4, 10))
    d[2] = make_deal(
        alice,
        pipeline,
        "d2",
        2_500_000,
        ["リード", "提案"],
        [at(2026, 3, 1), at(2026, 4, 5)],
        dt.date(2026, 4, 30),
    )
    d[3] = make_deal(alice, pipeline, "d3", 3_333_333, ["交渉"], [at(2026, 5, 10)], dt.date(2026, 5, 15))
    d[4] = make_deal(bob, pipeline, "d4", 1_234_567, ["提案"], [at(2026, 5, 25)], dt.date(2026, 6, 1))
    d[5] = make_deal(
        alice,
        pipeline,
        "d5",
        5_000_000,
        ["リード", "交渉", "受注"],
        [at(2026, 4, 10), at(2026, 4, 28), at(2026, 5, 20)],
        dt.date(2026, 5, 31),
        closed_at=at(2026, 5, 20),
    )
    d[6] = make_deal(
        alice,
        pipeline,
        "d6",
        9_000_000,
        ["リード", "失注"],
        [at(2026, 3, 1), at(2026, 4, 18)],
        dt.date(2026, 4, 20),
    )
    d[7] = make_deal(alice, pipeline, "d7", 800_000, ["リード"], [at(2026, 3, 1)], dt.date(2026, 3, 15))
    d[8] = make_deal(alice, pipeline, "d8", 700_000, ["リード"], [at(2026, 3, 1)], None)
    d[9] = make_deal(alice, pipeline, "d9", 600_000, ["提案"], [at(2026, 3, 1)], dt.date(2026, 7, 1))
    # Won 00:30 on 1 June in Tokyo (still 31 May in UTC): counts for June.
    d[10] = make_deal(
        alice,
        pipeline,
        "d10",
        100_000,
        ["リード", "受注"],
        [at(2026, 6, 1, 0, 10), at(2026, 6, 1, 0, 30)],
        dt.date(2026, 6, 30),
        closed_at=at(2026, 6, 1, 0, 30),
    )
    d[11] = make_deal(
        alice,
        pipeline,
        "d11",
        2_000_000,
        ["リード", "交渉", "受注"],
        [at(2026, 3, 10), at(2026, 3, 20), at(2026, 4, 22)],
        dt.date(2026, 4, 25),
        closed_at=at(2026, 4, 22),
    )
    make_deal(charlie, pipeline, "charlie", 10_000_000, ["交渉"], [at(2026, 3, 1)], dt.date(2026, 4, 15))
    return d


def test_yen_rounds_half_up_and_months_roll_over_years():
    assert [forecast.yen(v) for v in (0, 49, 50, 12_345_650, 233_333_310)] == [0, 0, 1, 123_457, 2_333_333]
    assert forecast.month_starts(dt.date(2026, 11, 23), 3) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    ]
    assert forecast.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)


def test_weighted_forecast_by_month_and_category_exact_yen(alice, book):
    deals = selectors.deal_queryset(user=alice)
    rows = forecast.forecast_by_month(deals, first_month=dt.date(2026, 4, 1), months=3, tz=TOKYO)
    table = [
        (r.month, r.deals, r.amount, r.weighted, r.closed_won, r.commit, r.best_case, r.pipeline)
        for r in rows
    ]
    assert table == [
        (dt.date(2026, 4, 1), 2, 3_500_000, 1_100_000, 2_000_000, 0, 2_500_000, 1_000_000),
        (dt.date(2026, 5, 1), 1, 3_333_333, 2_333_333, 5_000_000, 3_333_333, 0, 0),
        (dt.date(2026, 6, 1), 1, 1_234_567, 493_827, 100_000, 0, 1_234_567, 0),
    ]
    assert [(r.commit_total, r.best_case_total) for r in rows] == [
        (2_000_000, 4_500_000),
        (8_333_333, 8_333_333),
        (100_000, 1_334_567),
    ]
    t = forecast.totals(rows)
    assert (t.deals, t.amount, t.weighted, t.closed_won, t.commit_total, t.best_case_total) == (
        4,
        8_067_900,
        3_927_160,
        7_100_000,
        10_433_333,
        14_167_900,
    )
    outside = forecast.outside_window(deals, first_month=dt.date(2026, 4, 1))
    assert (outside.overdue_deals, outside.overdue_amount, outside.undated_deals, outside.undated_amount) == (
        1,
        800_000,
        1,
        700_000,
    )


def test_forecast_by_owner_rows_are_visible_owners_only(alice, bob, book):
    rows = forecast.forecast_by_owner(
        selectors.deal_queryset(user=alice), first_month=dt.date(2026, 4, 1), months=3
    )
    assert [(r.owner.username, r.cells, r.total) for r in rows] == [
        ("alice", [1_100_000, 2_333_333, 0], 3_433_333),
        ("bob", [0, 0, 493_827], 493_827),
    ]


def test_outsider_sees_only_own_deal_in_forecast(charlie, book):
    deals = selectors.deal_queryset(user=charlie)
    rows = forecast.forecast_by_month(deals, first_month=dt.date(2026, 4, 1), months=3, tz=TOKYO)
    assert [(r.deals, r.amount, r.weighted, r.closed_won) for r in rows] == [
        (1, 10_000_000, 7_000_000, 0),
        (0, 0, 0, 0),
        (0, 0, 0, 0),
    ]
    owners = forecast.forecast_by_owner(deals, first_month=dt.date(2026, 4, 1), months=3)
    assert [r.owner.username for r in owners] == ["charlie"]


def test_forecast_vs_actual_uses_stage_at_month_start(alice, pipeline, book):
    stages = selectors.stage_list(pipeline=pipeline)
    past = forecast.forecast_vs_actual(
        selectors.deal_queryset(user=alice), stages=stages, this_month=dt.date(2026, 7, 1), months=3, tz=TOKYO
    )
    # April: d1 (リード 10 %), d2 (still リード on 1 April), d6 (リード, lost later), d11 (交渉 70 %).
    # May: d5 (交渉 on 1 May); d3 did not exist yet. June: d4 (提案 40 %); d10 was created on 1 June.
    assert [(p.month, p.deals_open_at_start, p.forecast, p.actual, p.accuracy) for p in past] == [
        (dt.date(2026, 4, 1), 4, 2_650_000, 2_000_000, 75),
        (dt.date(2026, 5, 1), 1, 3_500_000, 5_000_000, 143),
        (dt.date(2026, 6, 1), 1, 493_827, 100_000, 20),
    ]
    assert past[0].difference == -650_000


def test_win_rate_per_stage_from_history(alice, pipeline, book):
    rates = forecast.win_rates(
        selectors.deal_queryset(user=alice), stages=selectors.stage_list(pipeline=pipeline)
    )
    assert [
        (r.stage.name, r.reached, r.won, r.lost, r.still_open, r.win_rate, r.closed_win_rate) for r in rates
    ] == [
        ("リード", 8, 3, 1, 4, 38, 75),
        ("提案", 3, 0, 0, 3, 0, None),
        ("交渉", 3, 2, 0, 1, 67, 100),
        ("受注", 3, 3, 0, 0, 100, 100),
        ("失注", 1, 0, 1, 0, 0, 0),
    ]


def test_forecast_page_shows_only_visible_totals(client, alice, charlie, pipeline):
    today = timezone.localdate()
    services.deal_create(
        actor=alice,
        data={
            "title": "見える",
            "amount": 1_000_000,
            "stage": pipeline.stages.get(name="提案").pk,
            "expected_close_date": today.isoformat(),
        },
    )
    services.deal_create(
        actor=charlie,
        data={
            "title": "見えない",
            "amount": 7_777_777,
            "stage": pipeline.stages.get(name="交渉").pk,
            "expected_close_date": today.isoformat(),
        },
    )
    client.force_login(alice)
    response = client.get("/forecast/", {"months": "3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="forecast-weighted">¥400,000<' in page
    assert "7,777,777" not in page and "charlie" not in page
    assert len(response.context["forecast"].months) == 3
    client.force_login(charlie)
    page = client.get("/forecast/").content.decode()
    assert 'data-testid="forecast-weighted">¥5,444,444<' in page  # 7,777,777 × 70 % = 5,444,443.9


def test_new_stages_get_a_category_derived_from_probability(pipeline):
    assert {s.name: s.forecast_category for s in pipeline.stages.all()} == {
        "リード": "pipeline",
        "提案": "best_case",
        "交渉": "commit",
        "受注": "closed",
        "失注": "omitted",
    }
    assert forecast_category_for(probability=69, is_won=False, is_lost=False) == ForecastCategory.BEST_CASE
    assert forecast_category_for(probability=100, is_won=False, is_lost=True) == ForecastCategory.OMITTED


@pytest.mark.django_db(transaction=True)
def test_migration_derives_forecast_category_of_existing_stages():
    executor = MigrationExecutor(connection)
    executor.migrate([("sales", "0001_initial")])
    old = executor.loader.project_state([("sales", "0001_initial")]).apps
    pipeline = old.get_model("sales", "Pipeline").objects.create(name="旧パイプライン", position=1)
    old_stage = old.get_model("sales", "Stage")
    for position, (name, probability, won, lost) in enumerate(
        [
            ("初回", 0, False, False),
            ("提案", 40, False, False),
            ("見積", 69, False, False),
            ("内示", 70, False, False),
            ("受注", 100, True, False),
            ("失注", 0, False, True),
        ],
        start=1,
    ):
        old_stage.objects.create(
            pipeline=pipeline, name=name, position=position, probability=probability, is_won=won, is_lost=lost
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Stage.objects.values_list("name", "forecast_category")) == {
        "初回": "pipeline",
        "提案": "best_case",
        "見積": "best_case",
        "内示": "commit",
        "受注": "closed",
        "失注": "omitted",
    }
    migration = importlib.import_module("kizuna.sales.migrations.0002_stage_forecast_category")
    assert migration.Migration.operations[-1].reversible


def test_forecast_is_cached_until_a_deal_changes(alice, pipeline):
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    stage = pipeline.stages.get(name="提案")
    deal = services.deal_create(
        actor=alice,
        data={"title": "A", "amount": 1_000_000, "stage": stage.pk, "expected_close_date": today.isoformat()},
    )
    with CaptureQueriesContext(connection) as computed:
        first = selectors.forecast_for(user=alice, months=3)
    with CaptureQueriesContext(connection) as cached:
        again = selectors.forecast_for(user=alice, months=3)
    assert len(cached) < len(computed) and again.totals == first.totals
    assert first.totals.weighted == 400_000
    services.deal_move_stage(actor=alice, deal_id=deal.pk, stage_id=pipeline.stages.get(name="交渉").pk)
    assert selectors.forecast_for(user=alice, months=3).totals.weighted == 700_000  # a move is a write
