"""CSV downloads that open cleanly in Excel (UTF-8 with BOM) and cannot smuggle in formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some versions, a tab
or carriage return) as a formula, so a contact named ``=HYPERLINK(...)`` would become a live link in
the exported file. Such text cells get a leading apostrophe, which spreadsheets show as text.
Numbers are written as numbers: a negative amount is data, not a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """``"=1+2"`` -> ``"'=1+2"``; ``-5`` (a number) and ``"ACME"`` stay as they are; ``None`` -> ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A download named ``filename`` with ``header`` and ``rows``, every cell passed through safe_cell."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return response
