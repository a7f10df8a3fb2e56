"""Phone numbers as Japanese people write them, parsed to E.164 with the ``phonenumbers`` library.

``phonenumbers.parse`` plus the validity and type checks cost tens of microseconds per number, which
dominates a large import. Nearly every number we see is one of a few Japanese shapes ("03-1234-5678",
"090-1234-5678", "+81 3-1234-5678"), so those take a fast path that applies the library's own JP
metadata (read once at import) the way the library would. Everything else, and every number the fast
path is not sure about, goes through the library exactly as before, so error messages do not change.
``_normalize_phone_library`` always takes the library path; the property tests compare the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumberDesc,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import DASH_CHARS, normalize_text, unify_dashes

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
_EXTENSION_MARKER_RE: Final = re.compile("[内xX#]")
# What may remain once label and extension are gone: digits and the usual separators.
_DISALLOWED_CHAR_RE = re.compile(r"[^0-9+\-() .]")
_DIGIT_RE = re.compile(r"\d")
_DASH_RE = re.compile(f"[{re.escape(DASH_CHARS)}]")
_NON_DIGIT_RE = re.compile(r"\D")

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
    # _EXTENSION_RE is unanchored and costly to try at every position, so start where a match could
    # begin at the earliest: every marker it knows contains 内, x/X or # (under IGNORECASE only x and X
    # match "x"), preceded by at most an "e"/"E" ("ex", "ext", "extension") and before that only
    # whitespace and "(". No marker, no extension.
    marker = _EXTENSION_MARKER_RE.search(text)
    if marker is None:
        return text, ""
    start = marker.start()
    if start and text[start - 1] in "eE":
        start -= 1
    while start and (text[start - 1] == "(" or text[start - 1].isspace()):
        start -= 1
    match = _EXTENSION_RE.search(text, start)
    # A bare trailing "x"/"#" group only counts as an extension when a number precedes it.
    if match is None or not _DIGIT_RE.search(text[: match.start()]):
        return text, ""
    return text[: match.start()], match.group("ext")


def _clean(raw: str | None, field: str | None) -> tuple[str, str, str, str] | None:
    """The text cleanup both paths share: (number part, its digits, extension, original) or None if empty.

    Raises for text that is no phone number at all, before either path looks at the digits.
    """
    text = normalize_text(raw)
    if not text:
        return None
    original = raw or ""
    if _DASH_RE.search(text) is not None:  # str.translate is slow on non-ASCII text; most has no dash
        text = unify_dashes(text)
    text = _LABEL_RE.sub("", text)
    number_part, extension = _split_extension(text)
    number_part = number_part.strip()
    if not number_part:
        raise _error(original, "no digits", field)
    bad = _DISALLOWED_CHAR_RE.search(number_part)
    if bad is not None:
        raise _error(original, f"contains {bad.group()!r}, which is not part of a phone number", field)
    digits = _NON_DIGIT_RE.sub("", number_part)
    if not digits:
        raise _error(original, "no digits", field)
    if "+" in number_part[1:]:
        raise _error(original, "'+' may only appear at the start", field)
    return number_part, digits, extension, original


def _parse_with_library(
    number_part: str, digits: str, extension: str, original: str, region: str, field: str | None
) -> PhoneNumber:
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


# --- Fast path for common Japanese shapes -------------------------------------------------------------
#
# What phonenumbers does with "0" + national significant number (NSN), region JP, or "+81" + NSN (with
# or without the trunk 0, as in "+81 (0)3-..."), written with only digits and - . ( ) and spaces:
#   * parse(): nothing in these characters can be an extension, a second number or a vanity number, so
#     the digits are all that count. Without "+", digits starting with the international prefix (010)
#     would be dialled abroad: not handled here. Then the national prefix pattern strips the trunk 0
#     unless the digits with the 0 already fit the general pattern, and keeps the stripped form only if
#     its length is a possible one. A leading 0 left in the NSN would become an "Italian leading zero".
#   * is_possible_number_with_reason(): IS_POSSIBLE iff the NSN length is in general_desc's possible
#     lengths and not a local-only length.
#   * is_valid_number() / number_type(): +81 maps to JP alone, so both come down to
#     _number_type_helper(nsn, JP metadata), reproduced by _jp_number_type below.
#   * format_number(E164): "+81" + NSN.
# The fast path only ever answers with a valid number; whenever a step would go another way (or it is
# not certain), it returns None and the library decides, so error messages stay the library's.

_JP_COUNTRY_CODE: Final = "81"

# Only these shapes are tried: a trunk 0 ("03-1234-5678", "(03)1234-5678", "0312345678") or "+81"
# ("+81 3-1234-5678", "+81-(0)3-1234-5678"), then digits and separators, ending in a digit or ")".
# The length cap keeps far away from phonenumbers' own input limit (250 characters).
_FAST_MAX_CHARS: Final = 40
_NATIONAL_SHAPE_RE: Final = re.compile(r"\(?0[0-9() .-]*[0-9]\)?")
_INTERNATIONAL_SHAPE_RE: Final = re.compile(r"\+81[0-9() .-]*[0-9]\)?")
# The NSN lengths the fast path answers for: 9 (fixed line, 0120, 0570) and 10 (mobile, 050, 0800).
_FAST_NSN_RE: Final = re.compile(r"[1-9][0-9]{8,9}")

# A PhoneNumberDesc as _is_number_matching_desc uses it: the possible lengths (None: any) and the pattern.
_Desc = tuple[frozenset[int] | None, re.Pattern[str]]
_FIXED_GROUP: Final = "fixed"
_MOBILE_GROUP: Final = "mobile"


def _compile_desc(desc: PhoneNumberDesc | None) -> _Desc | None:
    # No desc or no pattern never matches; an empty possible_length means "any length" (the general
    # description has been checked already).
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = frozenset(desc.possible_length) if desc.possible_length else None
    return lengths, re.compile(desc.national_number_pattern)


def _desc_matches(nsn: str, desc: _Desc | None) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    return (lengths is None or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None


@dataclass(frozen=True)
class _JpRules:
    """The parts of phonenumbers' JP metadata the fast path needs, compiled once."""

    general: _Desc
    general_re: re.Pattern[str]
    possible_lengths: frozenset[int]  # NSN lengths _test_number_length calls IS_POSSIBLE
    national_prefix_re: re.Pattern[str]
    international_prefix_re: re.Pattern[str]
    # Per NSN length, one alternation of the type patterns that apply to that length, each in a named
    # group, in _number_type_helper's order; fullmatch picks the first alternative that matches the
    # whole NSN, which is the type _number_type_helper would return (one regex call instead of ten).
    types_by_length: dict[int, re.Pattern[str]]
    type_by_group: dict[str, int]
    mobile: _Desc | None
    same_mobile_and_fixed: bool


def _types_by_length(lengths: frozenset[int], ordered: list[tuple[str, _Desc]]) -> dict[int, re.Pattern[str]]:
    combined = {}
    for length in lengths:
        alternatives = [
            f"(?P<{name}>{pattern.pattern})"
            for name, (desc_lengths, pattern) in ordered
            if desc_lengths is None or length in desc_lengths
        ]
        combined[length] = re.compile("|".join(alternatives) or "(?!)")
    return combined


def _load_jp_rules() -> _JpRules | None:
    """None (no fast path) unless the metadata still has the structure the fast path relies on."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("JP")
    if metadata is None or metadata.general_desc is None:
        return None
    general = _compile_desc(metadata.general_desc)
    if (
        general is None
        or metadata.country_code != int(_JP_COUNTRY_CODE)
        or not metadata.national_prefix_for_parsing
        or not metadata.international_prefix
        # "+81..." is read as country code 81 without asking the library: that holds while 8 is no
        # country code of its own and 81 belongs to JP alone.
        or 8 in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        or phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(_JP_COUNTRY_CODE)) != ("JP",)
    ):
        return None
    same_mobile_and_fixed = bool(metadata.same_mobile_and_fixed_line_pattern)
    type_by_group: dict[str, int] = {}
    ordered: list[tuple[str, _Desc]] = []
    for number_type, desc in (
        (PhoneNumberType.PREMIUM_RATE, metadata.premium_rate),
        (PhoneNumberType.TOLL_FREE, metadata.toll_free),
        (PhoneNumberType.SHARED_COST, metadata.shared_cost),
        (PhoneNumberType.VOIP, metadata.voip),
        (PhoneNumberType.PERSONAL_NUMBER, metadata.personal_number),
        (PhoneNumberType.PAGER, metadata.pager),
        (PhoneNumberType.UAN, metadata.uan),
        (PhoneNumberType.VOICEMAIL, metadata.voicemail),
        # Fixed line is told apart from "fixed line or mobile" afterwards; mobile alone only counts
        # when the two patterns differ.
        (PhoneNumberType.FIXED_LINE, metadata.fixed_line),
        (PhoneNumberType.MOBILE, None if same_mobile_and_fixed else metadata.mobile),
    ):
        compiled = _compile_desc(desc)
        if compiled is None:
            continue
        if compiled[1].groupindex:  # a named group of its own would clash with ours
            return None
        name = {PhoneNumberType.FIXED_LINE: _FIXED_GROUP, PhoneNumberType.MOBILE: _MOBILE_GROUP}.get(
            number_type, f"type{number_type}"
        )
        type_by_group[name] = number_type
        ordered.append((name, compiled))
    possible_lengths = frozenset(metadata.general_desc.possible_length) - frozenset(
        metadata.general_desc.possible_length_local_only
    )
    return _JpRules(
        general=general,
        general_re=general[1],
        possible_lengths=possible_lengths,
        national_prefix_re=re.compile(metadata.national_prefix_for_parsing),
        international_prefix_re=re.compile(metadata.international_prefix),
        types_by_length=_types_by_length(possible_lengths, ordered),
        type_by_group=type_by_group,
        mobile=_compile_desc(metadata.mobile),
        same_mobile_and_fixed=same_mobile_and_fixed,
    )


_JP_RULES: Final = _load_jp_rules()


def _jp_number_type(nsn: str, rules: _JpRules) -> int:
    """phonenumbers' _number_type_helper for a JP national significant number of a possible length."""
    if not _desc_matches(nsn, rules.general):
        return PhoneNumberType.UNKNOWN
    combined = rules.types_by_length.get(len(nsn))
    match = combined.fullmatch(nsn) if combined is not None else None
    if match is None or match.lastgroup is None:
        return PhoneNumberType.UNKNOWN
    if match.lastgroup == _FIXED_GROUP and (rules.same_mobile_and_fixed or _desc_matches(nsn, rules.mobile)):
        return PhoneNumberType.FIXED_LINE_OR_MOBILE
    return rules.type_by_group[match.lastgroup]


def _jp_fast_path(number_part: str, digits: str) -> tuple[str, str] | None:
    """(e164, kind) for a common Japanese shape that is valid; None means "ask the library"."""
    rules = _JP_RULES
    if rules is None or len(number_part) > _FAST_MAX_CHARS:
        return None
    if number_part[0] == "+":
        if _INTERNATIONAL_SHAPE_RE.fullmatch(number_part) is None:
            return None
        national = digits[len(_JP_COUNTRY_CODE) :]
    else:
        # Without the trunk 0 (Excel dropped it) the library has its own rules: not handled here.
        if _NATIONAL_SHAPE_RE.fullmatch(number_part) is None:
            return None
        # "010..." is the international prefix: the library would dial abroad.
        if rules.international_prefix_re.match(digits) is not None:
            return None
        national = digits
    prefix = rules.national_prefix_re.match(national)
    if prefix is None:
        nsn = national
    elif prefix.end() == 1 and not any(prefix.groups()) and rules.general_re.fullmatch(national) is None:
        # A plain trunk 0: no carrier code, no transform, and the digits are not viable with the 0 kept.
        nsn = national[1:]
    else:
        return None
    # Also rules out a leading 0 left in the NSN and lengths the library would not strip to.
    if _FAST_NSN_RE.fullmatch(nsn) is None or len(nsn) not in rules.possible_lengths:
        return None
    number_type = _jp_number_type(nsn, rules)
    if number_type == PhoneNumberType.UNKNOWN:
        return None
    return f"+{_JP_COUNTRY_CODE}{nsn}", _KIND_BY_TYPE.get(number_type, "other")


def normalize_phone(raw: str | None, *, region: str = "JP", field: str | None = None) -> PhoneNumber | None:
    """Parse a written phone number; empty input gives None.

    ``"０３－１２３４－５６７８ 内線12"`` -> ``PhoneNumber(e164="+81312345678", extension="12", kind="fixed", ...)``.
    """
    cleaned = _clean(raw, field)
    if cleaned is None:
        return None
    number_part, digits, extension, original = cleaned
    if region == "JP":
        fast = _jp_fast_path(number_part, digits)
        if fast is not None:
            return PhoneNumber(e164=fast[0], extension=extension, kind=fast[1], raw=original)
    return _parse_with_library(number_part, digits, extension, original, region, field)


def _normalize_phone_library(
    raw: str | None, *, region: str = "JP", field: str | None = None
) -> PhoneNumber | None:
    """normalize_phone without the fast path: the reference the property tests compare against."""
    cleaned = _clean(raw, field)
    if cleaned is None:
        return None
    number_part, digits, extension, original = cleaned
    return _parse_with_library(number_part, digits, extension, original, region, field)


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
