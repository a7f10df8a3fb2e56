"""Email addresses: width-folded, unwrapped from ``<...>``/``mailto:`` and validated (no DNS lookups).

``email_validator`` costs tens of microseconds per address (Unicode checks, UTS-46 mapping), which adds
up in a large import. Almost every address is plain ASCII ("taro.yamada@example.co.jp"), and for those
the library's answer is known without asking it: a fast path returns it directly. It only accepts a
conservative shape, and sends everything else, including the special-use domains and local parts the
library treats specially, to the library unchanged, so its error messages stay exactly as they are.
``_normalize_email_library`` always takes the library path; the property tests compare the two.
"""

from __future__ import annotations

import re
from typing import Final

import email_validator
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text

__all__ = ["normalize_email"]

_MAILTO_RE = re.compile(r"^mailto:", re.IGNORECASE)

# The fast path's shape: runs of ASCII letters and digits joined by single . _ + - before the @; after
# it at least two dot-separated hostname labels (letters, digits, inner hyphens, at most 63 characters)
# and a letters-only top-level domain. No case-insensitive matching: under re.IGNORECASE [a-z] would
# also match the Kelvin sign and the long s. The email_validator rules such an address still meets:
#   * the local part matches its dot-atom pattern, so it is kept as typed (no Unicode normalization),
#     except that the RFC 2142 role names (info, sales, ...) are lowercased;
#   * the domain passes its character, hyphen, dot and "must have a period" / "TLD ends with a letter"
#     checks, and UTS-46 mapping only lowercases it;
#   * the length limits: 254 for the whole address (checked here), 253 for the domain (implied), 63 per
#     label (in the pattern); 64 for the local part is only enforced in strict mode, but checked here
#     anyway so that the fast path stays on addresses that are valid under any reading.
# Left to the library: "--" anywhere in the domain (Punycode "xn--" labels are decoded, other "ab--"
# labels rejected) and the special-use domain names (".test", ".localhost", ".onion", ...).
_FAST_EMAIL_RE: Final = re.compile(
    r"(?P<local>[A-Za-z0-9]+(?:[._+-][A-Za-z0-9]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_MAX_ADDRESS_LENGTH: Final = 254
_MAX_LOCAL_LENGTH: Final = 64
# email_validator rejects a domain that is, or ends in "." plus, one of these. Read once from the library
# (which lets applications edit the list; this one does not) and matched as "." + domain suffixes.
_SPECIAL_USE_SUFFIXES: Final = tuple(f".{name.lower()}" for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)
_CASE_INSENSITIVE_LOCAL_PARTS: Final = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


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


def _fast_normalize(address: str) -> str | None:
    """What the library path returns for a plain ASCII address; None means "ask the library"."""
    if len(address) > _MAX_ADDRESS_LENGTH:
        return None
    match = _FAST_EMAIL_RE.fullmatch(address)
    if match is None:
        return None
    local, domain = match.group("local", "domain")
    if len(local) > _MAX_LOCAL_LENGTH or "--" in domain:
        return None
    domain = domain.lower()
    if f".{domain}".endswith(_SPECIAL_USE_SUFFIXES):
        return None
    if local.lower() in _CASE_INSENSITIVE_LOCAL_PARTS:
        local = local.lower()
    return f"{local}@{domain}"


def _validate_with_library(raw: str | None, address: str, field: str | None) -> str:
    try:
        # Deliverability needs DNS, i.e. I/O; this module must stay pure.
        validated = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise KizunaError("KZ-VAL-008", context={"value": raw, "reason": str(exc)}, field=field) from None
    local, _, domain = validated.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_email(raw: str | None, *, field: str | None = None) -> str:
    """Validate and normalize, lowercasing only the domain: "Taro@EXAMPLE.co.jp" -> "Taro@example.co.jp"."""
    text = normalize_text(raw)
    if not text:
        return ""
    address = _unwrap(text)
    fast = _fast_normalize(address)
    if fast is not None:
        return fast
    return _validate_with_library(raw, address, field)


def _normalize_email_library(raw: str | None, *, field: str | None = None) -> str:
    """normalize_email without the fast path: the reference the property tests compare against."""
    text = normalize_text(raw)
    if not text:
        return ""
    return _validate_with_library(raw, _unwrap(text), field)
