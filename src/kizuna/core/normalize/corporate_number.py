"""法人番号 (corporate number): 12 base digits with a leading check digit, assigned by the National Tax Agency.

The check digit follows 法人番号の指定等に関する省令 (平成26年財務省令第70号) 第2条 and the NTA's
"チェックディジットの計算" sheet: with P_n the n-th base digit counted from the right and Q_n = 1 for odd
n, 2 for even n, the check digit is 9 - (Σ P_n × Q_n mod 9). The sum is taken before the modulo; the
ordinance's printed formula is often misread as reducing each term.
"""

from __future__ import annotations

import re

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text, unify_dashes

__all__ = ["corporate_number_check_digit", "normalize_corporate_number"]

_SEPARATORS_RE = re.compile(r"[\s\-]")
_DIGITS_RE = re.compile(r"[0-9]+")


def _error(raw: str, reason: str, field: str | None) -> KizunaError:
    return KizunaError("KZ-VAL-007", context={"value": raw, "reason": reason}, field=field)


def corporate_number_check_digit(base12: str) -> int:
    """The check digit (1–9) for a 12-digit base number: "000012050002" -> 7."""
    if len(base12) != 12 or not _DIGITS_RE.fullmatch(base12):
        raise _error(base12, f"base number must be 12 digits, got {base12!r}", None)
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def normalize_corporate_number(raw: str | None, *, field: str | None = None) -> str:
    """Validate and return the 13 plain digits: "７０００ ０１２０ ５０００２" -> "7000012050002"; empty gives ""."""
    text = normalize_text(raw)
    if not text:
        return ""
    original = raw or ""
    digits = _SEPARATORS_RE.sub("", unify_dashes(text))
    if not _DIGITS_RE.fullmatch(digits):
        raise _error(original, "must contain only digits", field)
    if len(digits) != 13:
        raise _error(original, f"must be 13 digits, got {len(digits)}", field)
    expected = corporate_number_check_digit(digits[1:])
    given = int(digits[0])
    if given != expected:
        raise _error(original, f"check digit is {given}, expected {expected}", field)
    return digits
