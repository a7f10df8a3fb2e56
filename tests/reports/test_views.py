"""Report pages over HTTP: numbers, visibility, CSV export, filter errors and constant query counts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kizuna.reports.definitions import REPORTS

PERIOD = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
SLUGS = list(REPORTS)


def _login(client, user):
    # The middleware switches to the user's language; these tests read English texts.
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)


def _page(client, user, slug, **params):
    _login(client, user)
    return client.get(reverse("reports:report", args=[slug]), {**PERIOD, **params})


def _chart(response):
    html = response.content.decode()
    start = html.index('id="report-chart-data"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def _csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_index_links_every_report(client, alice):
    _login(client, alice)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    for slug in SLUGS:
        assert reverse("reports:report", args=[slug]) in response.content.decode()


def test_reports_need_sign_in(client):
    response = client.get(reverse("reports:report", args=["sales-by-month"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_report_is_404(client, alice):
    _login(client, alice)
    assert client.get("/reports/no-such-report/").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_every_report_renders_chart_table_and_csv(client, report_data, admin_user, slug):
    response = _page(client, admin_user, slug)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-chart"' in html and 'data-testid="report-table"' in html
    assert "vendor/chart-4.6.1.umd.min.js" in html
    assert _chart(response)["datasets"]
    export = client.get(reverse("reports:report_csv", args=[slug]), PERIOD)
    assert export.status_code == 200
    assert export["Content-Disposition"] == f'attachment; filename="kizuna-{slug}-2025-01-01-2025-03-31.csv"'
    assert len(_csv(export)) >= 2


def test_sales_by_month_page_and_csv_numbers(client, report_data, admin_user):
    response = _page(client, admin_user, "sales-by-month")
    chart = _chart(response)
    assert chart["labels"] == ["2025-01", "2025-02", "2025-03"]
    assert chart["datasets"][0]["data"] == [52_000, 11_000, 8_000]
    assert chart["datasets"][1]["data"] == [2, 2, 3]
    assert "¥52,000" in response.content.decode() and "¥71,000" in response.content.decode()
    rows = _csv(client.get(reverse("reports:report_csv", args=["sales-by-month"]), PERIOD))
    assert rows == [
        ["Month", "Orders", "Sales amount"],
        ["2025-01", "2", "52000"],
        ["2025-02", "2", "11000"],
        ["2025-03", "3", "8000"],
        ["Total", "7", "71000"],
    ]


def test_charlie_never_sees_team_a_numbers(client, report_data, charlie):
    owner = _page(client, charlie, "sales-by-owner")
    assert _chart(owner)["labels"] == ["charlie"]
    assert "alice" not in owner.content.decode().split("<main", 1)[1].replace("charlie", "")
    rows = _csv(client.get(reverse("reports:report_csv", args=["sales-by-owner"]), PERIOD))
    assert rows == [
        ["Owner", "Orders", "Sales amount", "Share"],
        ["charlie", "1", "50000", "100.0"],
        ["Total", "1", "50000", "100.0"],
    ]
    product = _csv(client.get(reverse("reports:report_csv", args=["sales-by-product"]), PERIOD))
    assert product[1:] == [["B-200", "導入支援", "10", "1", "50000", "100.0"]]
    frequency = _csv(client.get(reverse("reports:report_csv", args=["purchase-frequency"]), PERIOD))
    assert frequency[-1] == ["Total", "1", "100.0"]
    customers = _chart(_page(client, charlie, "customers"))
    assert customers["datasets"][0]["data"] == [0, 0, 1]


def test_charlie_cannot_filter_by_alice(client, report_data, charlie, alice):
    response = _page(client, charlie, "sales-by-month", owner=alice.pk)
    assert response.status_code == 422
    html = response.content.decode()
    assert "KZ-VAL-003" in html and 'id="report-chart-data"' not in html
    assert (
        client.get(reverse("reports:report_csv", args=["sales-by-month"]), {"owner": alice.pk}).status_code
        == 422
    )
    # The owner list offers only charlie's own team.
    assert f'<option value="{alice.pk}"' not in html


def test_bad_dates_show_coded_errors_next_to_the_fields(client, alice):
    response = _page(client, alice, "customers", date_from="2025-05-01", date_to="2025-01-01")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_date_to_error"' in html and "KZ-VAL-012" in html
    response = _page(client, alice, "customers", date_from="tomorrow-ish")
    assert response.status_code == 422 and 'id="id_date_from_error"' in response.content.decode()


def test_conversion_page_for_chosen_pipeline(client, report_data, admin_user, pipeline):
    response = _page(client, admin_user, "conversion", pipeline=pipeline.pk)
    chart = _chart(response)
    assert chart["labels"] == ["リード", "提案", "交渉", "受注", "失注"]
    assert chart["datasets"][0]["data"] == [5, 2, 2, 2, 1]
    assert chart["datasets"][2]["data"] == [2, 1, 1, 2, 0]
    assert "新規営業" in response.content.decode()


def test_frequency_page_shows_repeat_rate(client, report_data, alice):
    response = _page(client, alice, "purchase-frequency")
    html = response.content.decode()
    assert "66.7%" in html and "Repeat rate" in html


def test_csv_export_neutralises_formulas(client, report_data, admin_user):
    from kizuna.sales.services import order_create, product_create

    evil = product_create(
        actor=admin_user,
        data={"code": "-EVIL", "name": '=HYPERLINK("http://evil.example","x")', "unit_price": 1},
    )
    order_create(
        actor=admin_user,
        data={"number": "EV1", "order_date": "2025-02-02", "contact": report_data.contacts["c1"].pk},
        lines=[{"product": evil.pk, "quantity": 1}],
    )
    rows = _csv(_csv_get(client, admin_user, "sales-by-product"))
    assert ["'-EVIL", '\'=HYPERLINK("http://evil.example","x")', "1", "1", "1", "0.0"] in rows


def _csv_get(client, user, slug):
    _login(client, user)
    return client.get(reverse("reports:report_csv", args=[slug]), PERIOD)


def _grow(admin_user, pipeline, n):
    """n products, contacts, owners, orders and deals: every report gets n rows (or n-sized groups)."""
    from kizuna.accounts.models import User
    from kizuna.customers.services import contact_create, contact_update
    from kizuna.sales.models import Deal, Order
    from kizuna.sales.services import deal_create, deal_move_stage, order_create, product_create

    stages = list(pipeline.stages.order_by("position"))
    for i in range(n):
        owner = User.objects.create_user(username=f"seller{i}", password="x" * 12, role="sales")
        product = product_create(
            actor=admin_user, data={"code": f"P{i}", "name": f"商品{i}", "unit_price": 100}
        )
        contact = contact_create(actor=admin_user, data={"family_name": f"顧客{i}", "owner": owner.pk})
        contact_update(actor=admin_user, contact_id=contact.pk, data={"lifecycle_status": "churned"})
        for k in range(i + 1):
            order_create(
                actor=admin_user,
                data={
                    "number": f"N{i}-{k}",
                    "order_date": "2025-02-01",
                    "contact": contact.pk,
                    "owner": owner.pk,
                },
                lines=[{"product": product.pk, "quantity": 1}],
            )
        deal = deal_create(actor=admin_user, data={"title": f"案件{i}", "owner": owner.pk})
        deal_move_stage(actor=admin_user, deal_id=deal.pk, stage_id=stages[1 + i % 3].pk)
    Order.objects.update(order_date="2025-02-01")
    return Deal.objects.count()


@pytest.mark.parametrize("slug", SLUGS)
def test_report_query_count_does_not_grow_with_rows(client, admin_user, pipeline, slug):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    params = {"date_from": "2025-01-01", "date_to": today}
    _login(client, admin_user)
    url = reverse("reports:report", args=[slug])
    _grow(admin_user, pipeline, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, params).status_code == 200
    _grow_more(admin_user, pipeline)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(one) == len(six), [q["sql"] for q in six.captured_queries]


def _grow_more(admin_user, pipeline):
    from kizuna.accounts.models import User
    from kizuna.customers.services import contact_create, contact_update
    from kizuna.sales.services import deal_create, deal_move_stage, order_create, product_create

    stages = list(pipeline.stages.order_by("position"))
    for i in range(1, 6):
        owner = User.objects.create_user(username=f"more{i}", password="x" * 12, role="sales")
        product = product_create(
            actor=admin_user, data={"code": f"M{i}", "name": f"追加{i}", "unit_price": 100}
        )
        contact = contact_create(actor=admin_user, data={"family_name": f"追加{i}", "owner": owner.pk})
        contact_update(actor=admin_user, contact_id=contact.pk, data={"lifecycle_status": "churned"})
        for k in range(i + 1):
            order_create(
                actor=admin_user,
                data={
                    "number": f"M{i}-{k}",
                    "order_date": "2025-02-01",
                    "contact": contact.pk,
                    "owner": owner.pk,
                },
                lines=[{"product": product.pk, "quantity": 1}],
            )
        deal = deal_create(actor=admin_user, data={"title": f"追加{i}", "owner": owner.pk})
        deal_move_stage(actor=admin_user, deal_id=deal.pk, stage_id=stages[1 + i % 3].pk)


def test_a_report_is_kept_until_the_next_write(client, admin_user, pipeline):
    from kizuna.customers.models import Contact
    from kizuna.sales.models import Product
    from kizuna.sales.services import order_create

    def table(html: str) -> str:
        return html[html.index("<table") : html.index("</table>")]

    _grow(admin_user, pipeline, 1)
    _login(client, admin_user)
    url = reverse("reports:report", args=["sales-by-month"])
    params = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
    with CaptureQueriesContext(connection) as computed:
        first = table(client.get(url, params).content.decode())
    with CaptureQueriesContext(connection) as cached:
        again = table(client.get(url, params).content.decode())
    assert again == first and len(cached) < len(computed)
    assert "¥100" in first and "¥200" not in first
    order_create(
        actor=admin_user,
        data={"number": "N-new", "order_date": "2025-02-03", "contact": Contact.objects.get().pk},
        lines=[{"product": Product.objects.get().pk, "quantity": 1}],
    )
    assert "¥200" in table(client.get(url, params).content.decode())  # the write is seen at once
