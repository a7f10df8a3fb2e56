"""CSV and XLSX export of the contact and company lists: contents, encoding, formula injection, visibility."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from kizuna.customers import services
from kizuna.customers.exports import safe_cell
from kizuna.customers.models import Contact

BOM = "\ufeff"


def contact(owner: Any, family: str, **data: Any) -> Contact:
    return services.contact_create(actor=owner, data={"family_name": family, **data})


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+81312345678", "'+81312345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("＝1+1", "'＝1+1"),
        ("山田 太郎", "山田 太郎"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, 42),
        (-5, -5),
        (dt.date(2024, 4, 1), dt.date(2024, 4, 1)),
    ],
)
def test_safe_cell_quotes_text_that_a_spreadsheet_would_run_as_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_csv_export_of_the_current_view_has_bom_header_visible_columns_and_all_matching_rows(client, alice):
    for i in range(60):
        contact(alice, f"顧客{i:02}", lifecycle_status="customer", email=f"c{i}@example.jp")
    contact(alice, "見込み", lifecycle_status="lead")
    alice.language = "en"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    response = client.get(
        "/contacts/export/",
        {"lifecycle_status": "customer", "sort": "name", "cols": ["email"], "format": "csv"},
    )
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Email"]
    assert len(rows) == 61  # every matching row, not one page of 50
    assert rows[1] == ["顧客00", "c0@example.jp"]
    assert "見込み" not in {r[0] for r in rows}


def test_csv_export_neutralises_formulas_typed_into_records(client, alice):
    contact(alice, '=HYPERLINK("http://evil.example","click")', given_name="", department="@SUM(1+1)")
    client.force_login(alice)
    rows = csv_rows(client.get("/contacts/export/", {"cols": ["department"], "format": "csv"}))
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","click")', "'@SUM(1+1)"]


def test_charlies_export_excludes_alices_records(client, alice, charlie):
    contact(alice, "山田", email="yamada@example.jp")
    contact(charlie, "大阪")
    client.force_login(charlie)
    rows = csv_rows(client.get("/contacts/export/", {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["大阪"]
    assert "yamada" not in repr(rows)
    searched = csv_rows(client.get("/contacts/export/", {"q": "山田", "format": "csv"}))
    assert searched[1:] == []


def test_export_selected_rows_exports_only_those_the_user_may_see(client, alice, charlie):
    first = contact(alice, "山田")
    contact(alice, "佐藤")
    hidden = contact(charlie, "大阪")
    client.force_login(alice)
    response = client.post(
        "/contacts/export/", {"ids": [first.pk, hidden.pk], "cols": ["name", "email"], "format": "csv"}
    )
    rows = csv_rows(response)
    assert len(rows[0]) == 2
    assert [r[0] for r in rows[1:]] == ["山田"]


def test_xlsx_export_opens_with_openpyxl_and_keeps_formulas_as_text(client, alice):
    contact(alice, "山田", given_name="太郎", department="=1+1", email="taro@example.jp")
    client.force_login(alice)
    response = client.get(
        "/contacts/export/", {"cols": ["department", "email", "created_at"], "format": "xlsx", "sort": "name"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][:3] == ("山田 太郎", "'=1+1", "taro@example.jp")
    assert isinstance(rows[1][3], dt.datetime)  # a real date cell, in the user's time zone
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_company_csv_export(client, alice, charlie):
    services.company_create(actor=alice, data={"name": "株式会社山田商事", "phone": "03-1234-5678"})
    services.company_create(actor=charlie, data={"name": "大阪商事"})
    client.force_login(alice)
    rows = csv_rows(client.get("/companies/export/", {"cols": ["phone"], "format": "csv"}))
    assert rows[1:] == [["株式会社山田商事", "03-1234-5678"]]


def test_export_requires_sign_in(client, db):
    assert client.get("/contacts/export/").status_code == 302
