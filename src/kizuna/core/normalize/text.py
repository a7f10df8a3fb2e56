"""Text folding for Japanese input: width, whitespace, kana and look-alike characters.

Everything here is a pure ``str -> str`` function; the other normalizers build on them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DASH_CHARS",
    "fold_for_search",
    "is_kana",
    "normalize_text",
    "normalize_wave_dash",
    "strip_brackets",
    "to_hiragana",
    "to_katakana",
    "unify_dashes",
]

# Zero-width space/non-joiner/joiner, word joiner and BOM: invisible, pasted in from web pages and
# Excel, and NFKC leaves them alone, so they would silently break equality.
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff]")

# U+301C WAVE DASH and U+FF5E FULLWIDTH TILDE are the same character to a Japanese reader, but
# CP932 and Shift_JIS decoders map the byte 0x8160 to different ones. We keep U+301C; this must run
# before NFKC, which would otherwise turn U+FF5E into an ASCII "~" (normalize_wave_dash).

# Characters people (and IMEs) type where a hyphen is meant in numbers: katakana long vowel mark
# (full and half width), hyphen, non-breaking hyphen, figure dash, en/em dash, horizontal bar,
# minus sign, hyphen bullet, small and full-width hyphen-minus.
DASH_CHARS = "\u30fc\uff70\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe63\uff0d"
_DASH_TABLE = str.maketrans(dict.fromkeys(DASH_CHARS, "-"))

_BRACKET_PAIRS = {
    "「": "」",
    "『": "』",
    "【": "】",
    "(": ")",
    "（": "）",
    "[": "]",
    "〔": "〕",
    '"': '"',
    "'": "'",
    "“": "”",
    "‘": "’",
}

_HIRAGANA_START, _HIRAGANA_END = 0x3041, 0x3096  # ぁ..ゖ
_KANA_OFFSET = 0x60  # distance from a hiragana to its katakana
_TO_KATAKANA = {c: c + _KANA_OFFSET for c in range(_HIRAGANA_START, _HIRAGANA_END + 1)}
_TO_KATAKANA.update({0x309D: 0x30FD, 0x309E: 0x30FE})  # ゝゞ -> ヽヾ
_TO_HIRAGANA = {v: k for k, v in _TO_KATAKANA.items()}


def normalize_wave_dash(value: str) -> str:
    """Map FULLWIDTH TILDE to WAVE DASH so both decodings of CP932 0x8160 compare equal: "9時～5時" -> "9時〜5時"."""
    return value.replace("\uff5e", "\u301c") if "\uff5e" in value else value


def normalize_text(value: str | None) -> str:
    """NFKC-fold, drop zero-width characters and collapse all whitespace to single spaces.

    ``"　ＡＢＣ　ｶﾌﾞｼｷ\u200b "`` -> ``"ABC カブシキ"``; ``None`` -> ``""``.
    """
    # Called for every cell of every import, so each step runs only when it can change something
    # (str methods instead of regular expressions: ~0.5 µs instead of ~4 µs a value).
    if not value:
        return ""
    if value.isascii():
        text = value  # NFKC leaves ASCII alone and it holds no zero-width characters
    else:
        text = unicodedata.normalize("NFKC", normalize_wave_dash(value))
        if not text.isprintable():  # zero-width characters are format characters, never printable
            text = _ZERO_WIDTH_RE.sub("", text)
    # str.split() splits on exactly the characters str.isspace() accepts, as \s does.
    return " ".join(text.split())


def unify_dashes(value: str) -> str:
    """Turn hyphen look-alikes (－ ー ‐ − – — ―) into "-"; only for numbers, since ー is also a vowel mark.

    ``"03ー1234ー5678"`` -> ``"03-1234-5678"``.
    """
    return value.translate(_DASH_TABLE)


def _closing_index(value: str, opening: str, closing: str) -> int:
    # Index of the bracket closing the one at position 0, so "(株)山田(有)" is not taken as one pair.
    if opening == closing:
        return len(value) - 1
    depth = 0
    for index, char in enumerate(value):
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
    return -1


def strip_brackets(value: str) -> str:
    """Remove one pair of brackets or quotes around the whole trimmed value: "「山田商事」" -> "山田商事"."""
    text = value.strip()
    if len(text) < 2:
        return text
    closing = _BRACKET_PAIRS.get(text[0])
    if closing is None or text[-1] != closing:
        return text
    if _closing_index(text, text[0], closing) != len(text) - 1:
        return text
    return text[1:-1].strip()


def to_katakana(value: str) -> str:
    """Hiragana to katakana, half-width katakana to full width; ー and spaces kept: "やまだ たろう" -> "ヤマダ タロウ"."""
    return unicodedata.normalize("NFKC", value).translate(_TO_KATAKANA)


def to_hiragana(value: str) -> str:
    """Katakana (full or half width) to hiragana; ー and spaces kept: "ヤマダ タロウ" -> "やまだ たろう"."""
    return unicodedata.normalize("NFKC", value).translate(_TO_HIRAGANA)


def _is_kana_char(char: str) -> bool:
    code = ord(char)
    return (
        0x3041 <= code <= 0x3096  # hiragana
        or 0x3099 <= code <= 0x309F  # voicing marks, ゝゞゟ
        or 0x30A1 <= code <= 0x30FF  # katakana, ・, ー, ヽヾヿ
        or 0x31F0 <= code <= 0x31FF  # small katakana extensions (ㇰ ㇱ ...)
    )


def is_kana(value: str) -> bool:
    """True when every non-space character is hiragana, katakana, ー or ・: "ヤマダ たろう" -> True.

    Half-width katakana counts; an empty or all-space string is not kana.
    """
    text = normalize_text(value).replace(" ", "")
    return bool(text) and all(_is_kana_char(char) for char in text)


def fold_for_search(value: str) -> str:
    """A key for matching and substring search: "ヤマダ　タロウ" and "やまだたろう" -> "やまだたろう"."""
    text = to_hiragana(normalize_text(value).casefold())
    return text.replace(" ", "").replace("・", "")
