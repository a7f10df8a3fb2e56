"""A small hand-built data set whose report numbers are worked out by hand in the tests.

Team A (alice, bob) and team B (charlie); the period is 2025-01-01 .. 2025-03-31.

Orders (¥; P1 = ¥1,000, P2 = ¥5,000):
  O1 alice  c1          2025-01-10  P1×2           2,000
  O2 alice  c1          2025-02-05  P2×1           5,000
  O3 bob    c3 (co. X)  2025-02-20  P1×1 + P2×1    6,000
  O4 alice  c2          2025-03-01  P1×3           3,000  cancelled: never counted
  O5 alice  c1          2025-03-15  P1×1           1,000
  O6 charlie c4         2025-01-20  P2×10         50,000
  O7 alice  c2          2024-12-31  P1×1           1,000  before the period
  O8 bob    co. X only  2025-03-20  P1×2           2,000
  O9 bob    co. X only  2025-03-25  P2×1           5,000
Deals (pipeline リード/提案/交渉/受注/失注), all created 2025-02-01:
  D1 alice  リード → 提案 → 交渉 → 受注      D2 alice  リード → 提案 → 失注
  D3 bob    リード                         D4 charlie リード → 受注
  D5 alice  リード → 交渉
Contacts created: c1 01-15, c2 01-20 (alice), c3 02-10 (bob), c4 03-05 (charlie);
churned: c2 on 03-10, c4 on 03-12 (audit entries of lifecycle_status changes); c1 became a customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

TOKYO = ZoneInfo("Asia/Tokyo")


def noon(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), tzinfo=TOKYO)


@dataclass
class ReportData:
    contacts: dict[str, Any]
    company: Any
    products: dict[str, Any]
    deals: dict[str, Any]


@pytest.fixture
def report_data(admin_user, alice, bob, charlie, pipeline) -> ReportData:
    from kizuna.core.models import AuditEntry
    from kizuna.customers.models import Contact
    from kizuna.customers.services import company_create, contact_create, contact_update
    from kizuna.sales.models import Deal
    from kizuna.sales.services import deal_create, deal_move_stage, order_create, product_create

    p1 = product_create(
        actor=admin_user, data={"code": "A-100", "name": "名刺管理ライセンス", "unit_price": 1000}
    )
    p2 = product_create(actor=admin_user, data={"code": "B-200", "name": "導入支援", "unit_price": 5000})
    company = company_create(actor=bob, data={"name": "株式会社エックス"})
    c1 = contact_create(actor=alice, data={"family_name": "山田", "given_name": "太郎"})
    c2 = contact_create(actor=alice, data={"family_name": "佐藤", "given_name": "花子"})
    c3 = contact_create(actor=bob, data={"family_name": "鈴木", "company": company.pk})
    c4 = contact_create(actor=charlie, data={"family_name": "高橋"})
    for contact, day in ((c1, "2025-01-15"), (c2, "2025-01-20"), (c3, "2025-02-10"), (c4, "2025-03-05")):
        Contact.objects.filter(pk=contact.pk).update(created_at=noon(day))

    def order(actor, number, day, lines, *, contact=None, company=None, status="confirmed"):
        data = {"number": number, "order_date": day, "status": status}
        if contact is not None:
            data["contact"] = contact.pk
        if company is not None:
            data["company"] = company.pk
        return order_create(
            actor=actor, data=data, lines=[{"product": p.pk, "quantity": q} for p, q in lines]
        )

    order(alice, "O1", "2025-01-10", [(p1, 2)], contact=c1)
    order(alice, "O2", "2025-02-05", [(p2, 1)], contact=c1)
    order(bob, "O3", "2025-02-20", [(p1, 1), (p2, 1)], contact=c3, company=company)
    order(alice, "O4", "2025-03-01", [(p1, 3)], contact=c2, status="cancelled")
    order(alice, "O5", "2025-03-15", [(p1, 1)], contact=c1)
    order(charlie, "O6", "2025-01-20", [(p2, 10)], contact=c4)
    order(alice, "O7", "2024-12-31", [(p1, 1)], contact=c2)
    order(bob, "O8", "2025-03-20", [(p1, 2)], company=company)
    order(bob, "O9", "2025-03-25", [(p2, 1)], company=company)

    stages = {s.name: s.pk for s in pipeline.stages.all()}
    deals = {}
    for key, actor, path in (
        ("D1", alice, ["提案", "交渉", "受注"]),
        ("D2", alice, ["提案", "失注"]),
        ("D3", bob, []),
        ("D4", charlie, ["受注"]),
        ("D5", alice, ["交渉"]),
    ):
        deal = deal_create(actor=actor, data={"title": key, "amount": 100_000})
        for name in path:
            deal_move_stage(
                actor=actor,
                deal_id=deal.pk,
                stage_id=stages[name],
                lost_reason="価格" if name == "失注" else "",
            )
        deals[key] = deal
    Deal.objects.update(created_at=noon("2025-02-01"))

    for actor, contact, status, day in (
        (alice, c1, "customer", "2025-02-15"),
        (alice, c2, "churned", "2025-03-10"),
        (charlie, c4, "churned", "2025-03-12"),
    ):
        contact_update(actor=actor, contact_id=contact.pk, data={"lifecycle_status": status})
        AuditEntry.objects.filter(
            object_type="customers.contact", object_id=contact.pk, action="update"
        ).update(at=noon(day))
    return ReportData(
        contacts={"c1": c1, "c2": c2, "c3": c3, "c4": c4},
        company=company,
        products={"P1": p1, "P2": p2},
        deals=deals,
    )


@pytest.fixture
def period():
    from kizuna.reports.selectors import ReportFilters

    return ReportFilters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31))
