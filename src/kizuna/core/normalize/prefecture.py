"""The 47 prefectures (都道府県) in JIS X 0401 order, and reading them from what people type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text, to_katakana

__all__ = ["PREFECTURES", "Prefecture", "get_prefecture", "normalize_prefecture", "prefecture_choices"]


@dataclass(frozen=True, slots=True)
class Prefecture:
    """One prefecture: code "13", name_ja "東京都", name_en "Tokyo", kana "トウキョウト"."""

    code: str
    name_ja: str
    name_en: str
    kana: str


PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(f"{number:02d}", name_ja, name_en, kana)
    for number, (name_ja, name_en, kana) in enumerate(
        (
            ("北海道", "Hokkaido", "ホッカイドウ"),
            ("青森県", "Aomori", "アオモリケン"),
            ("岩手県", "Iwate", "イワテケン"),
            ("宮城県", "Miyagi", "ミヤギケン"),
            ("秋田県", "Akita", "アキタケン"),
            ("山形県", "Yamagata", "ヤマガタケン"),
            ("福島県", "Fukushima", "フクシマケン"),
            ("茨城県", "Ibaraki", "イバラキケン"),
            ("栃木県", "Tochigi", "トチギケン"),
            ("群馬県", "Gunma", "グンマケン"),
            ("埼玉県", "Saitama", "サイタマケン"),
            ("千葉県", "Chiba", "チバケン"),
            ("東京都", "Tokyo", "トウキョウト"),
            ("神奈川県", "Kanagawa", "カナガワケン"),
            ("新潟県", "Niigata", "ニイガタケン"),
            ("富山県", "Toyama", "トヤマケン"),
            ("石川県", "Ishikawa", "イシカワケン"),
            ("福井県", "Fukui", "フクイケン"),
            ("山梨県", "Yamanashi", "ヤマナシケン"),
            ("長野県", "Nagano", "ナガノケン"),
            ("岐阜県", "Gifu", "ギフケン"),
            ("静岡県", "Shizuoka", "シズオカケン"),
            ("愛知県", "Aichi", "アイチケン"),
            ("三重県", "Mie", "ミエケン"),
            ("滋賀県", "Shiga", "シガケン"),
            ("京都府", "Kyoto", "キョウトフ"),
            ("大阪府", "Osaka", "オオサカフ"),
            ("兵庫県", "Hyogo", "ヒョウゴケン"),
            ("奈良県", "Nara", "ナラケン"),
            ("和歌山県", "Wakayama", "ワカヤマケン"),
            ("鳥取県", "Tottori", "トットリケン"),
            ("島根県", "Shimane", "シマネケン"),
            ("岡山県", "Okayama", "オカヤマケン"),
            ("広島県", "Hiroshima", "ヒロシマケン"),
            ("山口県", "Yamaguchi", "ヤマグチケン"),
            ("徳島県", "Tokushima", "トクシマケン"),
            ("香川県", "Kagawa", "カガワケン"),
            ("愛媛県", "Ehime", "エヒメケン"),
            ("高知県", "Kochi", "コウチケン"),
            ("福岡県", "Fukuoka", "フクオカケン"),
            ("佐賀県", "Saga", "サガケン"),
            ("長崎県", "Nagasaki", "ナガサキケン"),
            ("熊本県", "Kumamoto", "クマモトケン"),
            ("大分県", "Oita", "オオイタケン"),
            ("宮崎県", "Miyazaki", "ミヤザキケン"),
            ("鹿児島県", "Kagoshima", "カゴシマケン"),
            ("沖縄県", "Okinawa", "オキナワケン"),
        ),
        start=1,
    )
)

# Romanizations other than the plain Hepburn in name_en, keyed the way _latin_key folds them.
_LATIN_ALIASES = {"gumma": "10", "hokkai": "01"}

# "Tokyo-to", "Osaka fu", "Aichi-ken", "Osaka Prefecture", "Tokyo Metropolis"; repeated suffixes allowed.
_LATIN_SUFFIX_RE = re.compile(r"(?:[\s\-]+(?:ken|fu|to|do|prefecture|pref\.?|metropolis))+$")
_CODE_RE = re.compile(r"(?:jp-?)?([0-9]{1,2})", re.IGNORECASE)
_KANA_SUFFIXES = ("ト", "ドウ", "フ", "ケン")


def _latin_key(value: str) -> str:
    # Macrons and the "ou"/"oo" spellings of long vowels all fold to plain Hepburn: Tōkyō, Toukyou -> tokyo.
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _LATIN_SUFFIX_RE.sub("", text.strip())
    text = re.sub(r"\s+", "", text)
    return text.replace("ou", "o").replace("oo", "o").replace("uu", "u")


def _build_index() -> dict[str, Prefecture]:
    by_code = {p.code: p for p in PREFECTURES}
    entries: list[tuple[str, Prefecture]] = []
    for pref in PREFECTURES:
        entries += [(pref.name_ja, pref), (pref.kana, pref), (_latin_key(pref.name_en), pref)]
        # 北海道 is one name, not 北海 + 道; every other prefecture is also known without its suffix.
        if pref.code != "01":
            entries.append((pref.name_ja.removesuffix(pref.name_ja[-1]), pref))
            suffix = next(s for s in _KANA_SUFFIXES if pref.kana.endswith(s))
            entries.append((pref.kana.removesuffix(suffix), pref))
    entries += [(alias, by_code[code]) for alias, code in _LATIN_ALIASES.items()]
    index: dict[str, Prefecture] = {}
    for key, pref in entries:
        # Fail at import rather than silently resolve a key to the wrong prefecture.
        if index.setdefault(key, pref) is not pref:
            raise RuntimeError(f"prefecture lookup key {key!r} is ambiguous")
    return index


_INDEX = _build_index()
_BY_NUMBER = {int(p.code): p for p in PREFECTURES}


def get_prefecture(raw: str | None, *, field: str | None = None) -> Prefecture | None:
    """Find the prefecture for a name, English name, kana or JIS code: "tokyo-to" -> 東京都's entry.

    Empty input gives None; anything else unknown raises KZ-VAL-005.
    """
    text = normalize_text(raw)
    if not text:
        return None
    code_match = _CODE_RE.fullmatch(text)
    if code_match is not None:
        found = _BY_NUMBER.get(int(code_match.group(1)))
    else:
        compact = text.replace(" ", "")
        found = _INDEX.get(compact) or _INDEX.get(to_katakana(compact))
        latin = _latin_key(text)
        # Only romanized input goes through the Latin key: its accent stripping would also remove
        # the dakuten of kana ("ギフ" -> "キフ").
        if found is None and latin.isascii():
            found = _INDEX.get(latin)
    if found is None:
        raise KizunaError("KZ-VAL-005", context={"value": raw}, field=field)
    return found


def normalize_prefecture(raw: str | None, *, field: str | None = None) -> str:
    """The canonical Japanese name: "Osaka Prefecture" -> "大阪府", "13" -> "東京都"; empty gives ""."""
    pref = get_prefecture(raw, field=field)
    return "" if pref is None else pref.name_ja


def prefecture_choices() -> list[tuple[str, str]]:
    """``(name_ja, name_ja)`` pairs in JIS order, for a model field's ``choices``."""
    return [(p.name_ja, p.name_ja) for p in PREFECTURES]
