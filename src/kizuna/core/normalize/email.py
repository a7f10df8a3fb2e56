"""Email addresses: width-folded, unwrapped from ``<...>``/``mailto:`` and validated (no DNS lookups)."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text

__all__ = ["normalize_email"]

_MAILTO_RE = re.compile(r"^mailto:", re.IGNORECASE)


def _unwrap(text: str) -> str:
    # Copied from a mail client or a web page: "<taro@example.jp>", "mailto:taro@example.jp?subject=..".
    previous = None
    while previous != text:
        previous = text
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1].strip()
        if _MAILTO_RE.match(text):
            text = _MAILTO_RE.sub("", text).split("?", 1)[0].strip()
    return text


def normalize_email(raw: str | None, *, field: str | None = None) -> str:
    """Validate and normalize, lowercasing only the domain: "Taro@EXAMPLE.co.jp" -> "Taro@example.co.jp"."""
    text = normalize_text(raw)
    if not text:
        return ""
    address = _unwrap(text)
    try:
        # Deliverability needs DNS, i.e. I/O; this module must stay pure.
        validated = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise KizunaError("KZ-VAL-008", context={"value": raw, "reason": str(exc)}, field=field) from None
    local, _, domain = validated.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"
