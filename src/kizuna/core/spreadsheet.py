"""Cells safe to put in a file a spreadsheet opens: every export (lists, reports) goes through here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some versions, a tab
or carriage return) as a formula, so a contact named ``=HYPERLINK(...)`` would become a live link in
the exported file. Such text cells get a leading apostrophe, which spreadsheets show as text.
Numbers and dates stay as they are: a negative amount is data, not a formula.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

# Full-width forms too: Japanese input methods produce them, and spreadsheets read them as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """``"=HYPERLINK(…)"`` -> ``"'=HYPERLINK(…)"``; ``None`` -> ``""``; ``True`` -> ``"1"``; numbers and
    dates unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


NEUTRALIZED = tuple("'" + prefix for prefix in FORMULA_PREFIXES)


def unsafe_cell(text: str) -> str:
    """Undo :func:`safe_cell` on a value read back from an exported file: ``"'=1+1"`` -> ``"=1+1"``, so
    import(export(data)) gives the data back. Any other leading apostrophe is the value's own."""
    return text[1:] if text.startswith(NEUTRALIZED) else text
