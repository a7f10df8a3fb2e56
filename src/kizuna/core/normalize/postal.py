"""Japanese postal codes (郵便番号): seven digits, stored as ``123-4567``."""

from __future__ import annotations

import re

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text, unify_dashes

__all__ = ["normalize_postal_code"]

# The postal mark (NFKC already maps the circled 〶 to 〒), spaces and hyphens carry no information.
_NOISE_RE = re.compile(r"[〒\s\-]")
_SEVEN_DIGITS_RE = re.compile(r"[0-9]{7}")


def normalize_postal_code(raw: str | None, *, field: str | None = None) -> str:
    """Return the code as ``NNN-NNNN``: "〒１００－０００１" -> "100-0001"; empty input gives ""."""
    text = normalize_text(raw)
    if not text:
        return ""
    digits = _NOISE_RE.sub("", unify_dashes(text))
    # ASCII-only match on purpose: str.isdigit() would also accept digits of other scripts.
    if not _SEVEN_DIGITS_RE.fullmatch(digits):
        raise KizunaError("KZ-VAL-009", context={"value": raw}, field=field)
    return f"{digits[:3]}-{digits[3:]}"
