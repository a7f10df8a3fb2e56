"""Report numbers on the hand-built data set of conftest.py, for each persona's visibility."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kizuna.core.errors import KizunaValidationError
from kizuna.reports import selectors as s

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


def test_sales_by_month_counts_orders_and_totals_excluding_cancelled(report_data, admin_user, period):
    rows = s.sales_by_month(user=admin_user, filters=period)
    assert [(r.month, r.orders, r.total) for r in rows] == [
        (JAN, 2, 52_000),
        (FEB, 2, 11_000),
        (MAR, 3, 8_000),
    ]


def test_sales_by_month_counts_only_what_the_user_may_see(report_data, alice, charlie, period):
    alice_rows = s.sales_by_month(user=alice, filters=period)
    assert [(r.orders, r.total) for r in alice_rows] == [(1, 2_000), (2, 11_000), (3, 8_000)]
    charlie_rows = s.sales_by_month(user=charlie, filters=period)
    assert [(r.orders, r.total) for r in charlie_rows] == [(1, 50_000), (0, 0), (0, 0)]


def test_sales_by_month_lists_every_month_of_the_default_twelve(report_data, admin_user):
    filters = s.default_filters(dt.date(2025, 3, 31))
    rows = s.sales_by_month(user=admin_user, filters=filters)
    assert [r.month for r in rows][:2] == [dt.date(2024, 4, 1), dt.date(2024, 5, 1)]
    assert len(rows) == 12
    assert rows[8] == s.MonthSales(dt.date(2024, 12, 1), 1, 1_000)  # O7


def test_owner_filter_narrows_to_that_owner(report_data, alice, bob, period):
    filters = dataclasses.replace(period, owner_id=bob.pk)
    rows = s.sales_by_month(user=alice, filters=filters)
    assert [(r.orders, r.total) for r in rows] == [(0, 0), (1, 6_000), (2, 7_000)]


def test_team_filter(report_data, admin_user, team_b, period):
    rows = s.sales_by_month(user=admin_user, filters=dataclasses.replace(period, team_id=team_b.pk))
    assert [(r.orders, r.total) for r in rows] == [(1, 50_000), (0, 0), (0, 0)]


def test_sales_by_owner_with_shares(report_data, admin_user, alice, period):
    rows = s.sales_by_owner(user=admin_user, filters=period)
    assert [(r.owner, r.orders, r.total, r.share) for r in rows] == [
        ("charlie", 1, 50_000, 70.4),
        ("bob", 3, 13_000, 18.3),
        ("alice", 3, 8_000, 11.3),
    ]
    assert [(r.owner, r.total) for r in s.sales_by_owner(user=alice, filters=period)] == [
        ("bob", 13_000),
        ("alice", 8_000),
    ]


def test_sales_by_product_from_order_lines(report_data, admin_user, alice, charlie, period):
    rows = s.sales_by_product(user=admin_user, filters=period)
    assert [(r.code, r.quantity, r.orders, r.amount, r.share) for r in rows] == [
        ("B-200", 13, 4, 65_000, 91.5),
        ("A-100", 6, 4, 6_000, 8.5),
    ]
    alice_rows = s.sales_by_product(user=alice, filters=period)
    assert [(r.code, r.quantity, r.orders, r.amount) for r in alice_rows] == [
        ("B-200", 3, 3, 15_000),
        ("A-100", 6, 4, 6_000),
    ]
    assert [(r.code, r.amount) for r in s.sales_by_product(user=charlie, filters=period)] == [
        ("B-200", 50_000)
    ]


def _conversion(user, period, pipeline):
    return [
        (r.stage, r.reached, r.moved_on, r.won)
        for r in s.conversion_by_stage(user=user, filters=period, pipeline=pipeline)
    ]


def test_conversion_by_stage_from_stage_history(report_data, admin_user, pipeline, period):
    assert _conversion(admin_user, period, pipeline) == [
        ("リード", 5, 4, 2),
        ("提案", 2, 1, 1),
        ("交渉", 2, 1, 1),
        ("受注", 2, 0, 2),
        ("失注", 1, 0, 0),
    ]
    first = s.conversion_by_stage(user=admin_user, filters=period, pipeline=pipeline)[0]
    assert (first.moved_on_rate, first.win_rate) == (80.0, 40.0)


def test_conversion_counts_only_visible_deals(report_data, alice, charlie, pipeline, period):
    assert _conversion(alice, period, pipeline) == [
        ("リード", 4, 3, 1),
        ("提案", 2, 1, 1),
        ("交渉", 2, 1, 1),
        ("受注", 1, 0, 1),
        ("失注", 1, 0, 0),
    ]
    assert _conversion(charlie, period, pipeline) == [
        ("リード", 1, 1, 1),
        ("提案", 0, 0, 0),
        ("交渉", 0, 0, 0),
        ("受注", 1, 0, 1),
        ("失注", 0, 0, 0),
    ]


def test_conversion_period_is_by_deal_creation(report_data, admin_user, pipeline):
    later = s.ReportFilters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
    assert [r.reached for r in s.conversion_by_stage(user=admin_user, filters=later, pipeline=pipeline)] == [
        0
    ] * 5


def test_customers_by_month_new_and_churned(report_data, admin_user, alice, charlie, period):
    def rows(user):
        return [(r.month, r.new, r.churned) for r in s.customers_by_month(user=user, filters=period)]

    assert rows(admin_user) == [(JAN, 2, 0), (FEB, 1, 0), (MAR, 1, 2)]
    assert rows(alice) == [(JAN, 2, 0), (FEB, 1, 0), (MAR, 0, 1)]
    assert rows(charlie) == [(JAN, 0, 0), (FEB, 0, 0), (MAR, 1, 1)]


def test_purchase_frequency_and_repeat_rate(report_data, admin_user, alice, charlie, period):
    freq = s.purchase_frequency(user=admin_user, filters=period)
    # c1: 3 orders, company X alone: 2, c3: 1, c4: 1.
    assert (freq.customers, freq.repeat_customers, freq.orders) == (4, 2, 7)
    assert (freq.repeat_rate, freq.orders_per_customer) == (50.0, 1.75)
    assert [(b.label, b.customers, b.share) for b in freq.buckets] == [
        ("1", 2, 50.0),
        ("2", 1, 25.0),
        ("3", 1, 25.0),
        ("4", 0, 0.0),
        ("5-9", 0, 0.0),
        ("10+", 0, 0.0),
    ]
    mine = s.purchase_frequency(user=alice, filters=period)
    assert (mine.customers, mine.repeat_customers, mine.orders, mine.repeat_rate) == (3, 2, 6, 66.7)
    theirs = s.purchase_frequency(user=charlie, filters=period)
    assert (theirs.customers, theirs.repeat_customers, theirs.orders) == (1, 0, 1)


def test_empty_period_gives_zeros(report_data, admin_user):
    empty = s.ReportFilters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 31))
    assert s.purchase_frequency(user=admin_user, filters=empty).customers == 0
    assert s.sales_by_owner(user=admin_user, filters=empty) == []
    assert s.sales_by_month(user=admin_user, filters=empty) == [s.MonthSales(dt.date(2020, 1, 1), 0, 0)]


def test_parse_filters_defaults_and_coded_errors(alice, bob, charlie):
    today = dt.date(2025, 3, 31)
    assert s.parse_filters(user=alice, data={}, today=today) == s.ReportFilters(
        date_from=dt.date(2024, 4, 1), date_to=today
    )
    assert s.parse_filters(
        user=alice, data={"owner": str(bob.pk), "date_from": "2025/1/1"}, today=today
    ).owner_id
    with pytest.raises(KizunaValidationError) as exc:
        s.parse_filters(
            user=alice,
            data={"date_from": "2025-03-01", "date_to": "2025-01-01", "owner": str(charlie.pk), "team": "1"},
            today=today,
        )
    assert sorted((e.code, e.field) for e in exc.value.errors) == [
        ("KZ-VAL-003", "owner"),
        ("KZ-VAL-003", "team"),
        ("KZ-VAL-012", "date_to"),
    ]
    with pytest.raises(KizunaValidationError) as exc:
        s.parse_filters(user=alice, data={"date_from": "someday"}, today=today)
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-004", "date_from")]
