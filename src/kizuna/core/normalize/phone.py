"""Phone numbers as Japanese people write them, parsed to E.164 with the ``phonenumbers`` library."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text, unify_dashes

__all__ = ["PHONE_KINDS", "PhoneNumber", "format_phone_national", "normalize_phone"]

PHONE_KINDS: Final = ("fixed", "mobile", "toll_free", "ip", "other")

_KIND_BY_TYPE: Final = {
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.VOIP: "ip",
}


@dataclass(frozen=True)
class PhoneNumber:
    """A parsed number: ``e164`` "+81312345678", ``extension`` "123" or "", ``kind`` one of PHONE_KINDS."""

    e164: str
    extension: str
    kind: str
    raw: str


# A label in front of the number ("TEL:", "電話番号：", "☎"); NFKC has already turned ℡ into "TEL".
_LABEL_RE = re.compile(
    r"^(?:telephone|tel|phone|mobile|mob|電話番号|電話|携帯電話|携帯|代表|直通|☎|☏)\s*\.?\s*[:：]?\s*",
    re.IGNORECASE,
)
# An extension at the end: "内線123", "内123", "(内線 123)", "ext. 123", "x123", "#123".
_EXTENSION_RE = re.compile(
    r"\s*\(?\s*(?:内線|内|extension|ext|ex|x|#)\s*\.?\s*[:：]?\s*(?P<ext>\d{1,8})\s*\)?\s*$", re.IGNORECASE
)
# What may remain once label and extension are gone: digits and the usual separators.
_DISALLOWED_CHAR_RE = re.compile(r"[^0-9+\-() .]")

_PARSE_REASONS: Final = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code after '+'",
    NumberParseException.NOT_A_NUMBER: "does not look like a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_POSSIBLE_REASONS: Final = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "missing the area code",
}


def _error(raw: str, reason: str, field: str | None) -> KizunaError:
    return KizunaError("KZ-VAL-006", context={"value": raw, "reason": reason}, field=field)


def _count(digits: str) -> str:
    return "1 digit" if len(digits) == 1 else f"{len(digits)} digits"


def _split_extension(text: str) -> tuple[str, str]:
    match = _EXTENSION_RE.search(text)
    # A bare trailing "x"/"#" group only counts as an extension when a number precedes it.
    if match is None or not re.search(r"\d", text[: match.start()]):
        return text, ""
    return text[: match.start()], match.group("ext")


def normalize_phone(raw: str | None, *, region: str = "JP", field: str | None = None) -> PhoneNumber | None:
    """Parse a written phone number; empty input gives None.

    ``"０３－１２３４－５６７８ 内線12"`` -> ``PhoneNumber(e164="+81312345678", extension="12", kind="fixed", ...)``.
    """
    text = normalize_text(raw)
    if not text:
        return None
    original = raw or ""
    text = unify_dashes(text)
    text = _LABEL_RE.sub("", text)
    number_part, extension = _split_extension(text)
    number_part = number_part.strip()
    if not number_part:
        raise _error(original, "no digits", field)
    bad = _DISALLOWED_CHAR_RE.search(number_part)
    if bad is not None:
        raise _error(original, f"contains {bad.group()!r}, which is not part of a phone number", field)
    digits = re.sub(r"\D", "", number_part)
    if not digits:
        raise _error(original, "no digits", field)
    if "+" in number_part[1:]:
        raise _error(original, "'+' may only appear at the start", field)

    try:
        # Excel drops the leading 0 ("312345678", "9012345678"); with region JP phonenumbers reads
        # such digits as a national number without its trunk prefix, which is exactly what we want.
        parsed = phonenumbers.parse(number_part, region)
    except NumberParseException as exc:
        reason = _PARSE_REASONS.get(exc.error_type, "cannot be parsed")
        if exc.error_type == NumberParseException.NOT_A_NUMBER and len(digits) < 5:
            # phonenumbers calls one or two digits "not a number"; to a person they are just too few.
            reason = f"too short ({_count(digits)})"
        raise _error(original, reason, field) from None

    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible != ValidationResult.IS_POSSIBLE:
        reason = _POSSIBLE_REASONS.get(possible, "wrong number of digits")
        raise _error(original, f"{reason} ({_count(digits)})", field)
    if not phonenumbers.is_valid_number(parsed):
        country_code = parsed.country_code or 0
        where = phonenumbers.region_code_for_country_code(country_code)
        raise _error(original, f"not a valid number for {where} (+{country_code}, {_count(digits)})", field)

    kind = _KIND_BY_TYPE.get(phonenumbers.number_type(parsed), "other")
    return PhoneNumber(
        e164=phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
        extension=extension,
        kind=kind,
        raw=original,
    )


def format_phone_national(e164: str, *, region: str = "JP", field: str | None = None) -> str:
    """Format a stored E.164 number for display: "+81312345678" -> "03-1234-5678".

    Numbers of another country than ``region`` are shown in international form ("+1 650-253-0000").
    """
    if not e164 or not e164.strip():
        return ""
    try:
        parsed = phonenumbers.parse(e164.strip(), None)
    except NumberParseException:
        raise _error(e164, "not an E.164 number such as +81312345678", field) from None
    if phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)
