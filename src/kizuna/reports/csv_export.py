"""CSV downloads that open cleanly in Excel (UTF-8 with BOM) and cannot smuggle in formulas
(every cell through :func:`kizuna.core.spreadsheet.safe_cell`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from kizuna.core.spreadsheet import safe_cell

BOM = "\ufeff"


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
