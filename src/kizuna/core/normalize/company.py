"""Company names: a matching key without legal forms, and a tidy display form with them spelled out."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from kizuna.core.normalize.text import normalize_text

__all__ = ["LEGAL_FORMS", "display_company_name", "normalize_company_name"]

# Abbreviation inside brackets -> the full legal form it stands for. NFKC turns the enclosed ideographs
# ㈱ ㈲ ㈴ ㈾ ㈶ ㈳ ㈻ ㉀ and the full-width （株） into "(株)" etc., so every variant reaches these.
_ABBREVIATIONS: Final = {
    "株": "株式会社",
    "有": "有限会社",
    "同": "合同会社",
    "資": "合資会社",
    "名": "合名会社",
    "一社": "一般社団法人",
    "一財": "一般財団法人",
    "公社": "公益社団法人",
    "公財": "公益財団法人",
    "特非": "特定非営利活動法人",
    "医": "医療法人",
    "福": "社会福祉法人",
    "学": "学校法人",
}

_JAPANESE_FORMS: Final = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "特定非営利活動法人",
    "NPO法人",
    "医療法人",
    "社会福祉法人",
    "学校法人",
)

_ENGLISH_FORMS: Final = (
    "Co., Ltd.",
    "Co.,Ltd.",
    "Inc.",
    "Corp.",
    "Corporation",
    "K.K.",
    "KK",
    "LLC",
    "Ltd.",
)

# The markers as people write them, for documentation and for other modules (e.g. import hints).
LEGAL_FORMS: Final[tuple[str, ...]] = (
    "株式会社", "(株)", "（株）", "㈱",
    "有限会社", "(有)", "㈲",
    "合同会社", "(同)",
    "合資会社", "(資)",
    "合名会社", "(名)",
    "一般社団法人", "(一社)",
    "一般財団法人", "公益社団法人", "公益財団法人",
    "特定非営利活動法人", "NPO法人",
    "医療法人", "社会福祉法人", "学校法人",
    *_ENGLISH_FORMS,
)  # fmt: skip

_BRACKETED_RE = re.compile(
    r"\(\s*(?P<abbr>" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\s*\)"
)
_JAPANESE_RE = re.compile("|".join(_JAPANESE_FORMS), re.IGNORECASE)
# English forms only as whole words, dots optional and any spacing around the comma: "Co.,Ltd",
# "co ltd", "K.K". Longest first so "Corporation" is not read as "Corp" + "oration".
_ENGLISH_RE = re.compile(
    r"(?<![a-z0-9])(?:co\.?\s*,?\s*ltd|corporation|corp|inc|k\.?\s*k|llc|l\.l\.c|ltd|limited)\.?(?![a-z0-9])",
    re.IGNORECASE,
)


def _is_ignorable(char: str) -> bool:
    # Spaces and punctuation (・ , . 、 。 - & brackets ...) do not tell two companies apart. The long
    # vowel mark ー is a letter modifier (Lm), so it stays.
    return unicodedata.category(char)[0] in "PZ"


def normalize_company_name(value: str | None) -> str:
    """A key for matching the same company written differently: "㈱ 山田商事" -> "山田商事".

    ``"Yamada Shoji Co., Ltd."`` -> ``"yamadashoji"``; half-width kana is widened, kana scripts are kept.
    """
    text = normalize_text(value)
    if not text:
        return ""
    text = _BRACKETED_RE.sub(" ", text)
    text = _JAPANESE_RE.sub(" ", text)
    text = _ENGLISH_RE.sub(" ", text)
    key = "".join(char for char in text if not _is_ignorable(char)).casefold()
    # A name that is nothing but a legal form ("株式会社") still needs a non-empty key.
    if not key:
        return "".join(char for char in normalize_text(value) if not _is_ignorable(char)).casefold()
    return key


_LEADING_RE = re.compile("^" + _BRACKETED_RE.pattern)
_TRAILING_RE = re.compile(_BRACKETED_RE.pattern + "$")


def _expand(match: re.Match[str]) -> str:
    return _ABBREVIATIONS[match.group("abbr")]


def display_company_name(value: str | None) -> str:
    """Tidy for display, spelling out a bracketed legal form at either end: "㈱山田商事" -> "株式会社山田商事"."""
    text = normalize_text(value)
    if not text:
        return ""
    text = _LEADING_RE.sub(_expand, text, count=1)
    return _TRAILING_RE.sub(_expand, text, count=1)
