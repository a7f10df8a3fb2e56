from __future__ import annotations

import csv
import io

import pytest

from kizuna.reports.csv_export import csv_response, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+81 3 1234 5678", "'+81 3 1234 5678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("山田=太郎", "山田=太郎"),
        ("ACME", "ACME"),
        (-5, -5),
        (12.5, 12.5),
        (None, ""),
        (True, "1"),
    ],
)
def test_safe_cell_quotes_only_text_a_spreadsheet_would_run(value, expected):
    assert safe_cell(value) == expected


def test_csv_response_is_utf8_with_bom_and_safe_cells():
    response = csv_response("x.csv", ["名前", "金額"], [['=HYPERLINK("http://evil")', 1000], ["山田", -3]])
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows == [["名前", "金額"], ['\'=HYPERLINK("http://evil")', "1000"], ["山田", "-3"]]
