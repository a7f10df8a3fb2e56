"""Dates as people in Japan write them, read into :class:`datetime.date` (stored and shown as ISO 8601).

Read: ``2023-04-01``, ``2023/4/1``, ``2023.4.1``, ``20230401``, ``2023年4月1日``, the Japanese eras
(``令和5年4月1日``, ``令和元年5月1日``, ``R5.4.1``, ``H31/4/30``, ``平成元年1月8日``, ``㍻``), a time
after the date (``2023/4/1 0:00:00``, as Excel writes it), English month names (``1 Apr 2023``,
``April 1, 2023``), day/month/year in either order once the order is known (``25/12/2020``), and
Excel serial day numbers (``44927`` → 2023-01-01; five digits, 1927–2173).

Refused with a coded error, never guessed:

- KZ-VAL-016 — not a date (``2023/13/1``, ``hello``, a two-digit year);
- KZ-VAL-017 — an era date that never existed (``平成32年``: 平成 ended in its 31st year; the
  error suggests the 令和 date of the same day, ``令和2年``), checked to the day at each era change
  (``昭和64年1月7日`` exists, ``昭和64年1月8日`` is ``平成元年1月8日``);
- KZ-VAL-018 — a day/month order nothing proves (``1/4/2020``). :func:`infer_date_order` reads a
  whole column: one value like ``25/12/2020`` proves it day-first; without such a value the order
  stays unknown and each ambiguous value is flagged.

Pure functions: no models, no I/O, the same answer in every locale and time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext_lazy as _

from kizuna.core.errors import KizunaError
from kizuna.core.normalize.text import normalize_text, unify_dashes

__all__ = ["ERAS", "DateOrder", "Era", "era_date", "infer_date_order", "normalize_date"]

DateOrder = Literal["dmy", "mdy"]


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: dt.date  # its first day (元年)

    @property
    def offset(self) -> int:
        """Gregorian year of the era's year N is N + offset."""
        return self.start.year - 1


# Oldest first. Meiji from its first day in the Gregorian calendar Japan adopted (1873), as the
# government's own conversion tables count it.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", dt.date(1868, 1, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("令和", "R", dt.date(2019, 5, 1)),
)
_ERA_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter, era.name[0])}

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's (Lotus-compatible) count
_EXCEL_SERIAL_RE = re.compile(r"([1-9][0-9]{4})(?:\.[0-9]+)?")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?)?"  # lower-cased text
_SEP = r"[-/.]"
_YMD_RE = re.compile(rf"([0-9]{{4}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_TIME}")
_SPACED_SEPARATOR_RE = re.compile(r"\s*([年月日/.\-])\s*")
# The shapes most files use ("2023/4/1", "2023-04-01"), read without the folding steps.
_PLAIN_YMD_RE = re.compile(r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})")
_COMPACT_RE = re.compile(r"((?:1[89]|2[0-9])[0-9]{2})([01][0-9])([0-3][0-9])")
_KANJI_RE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?" + _TIME)
_ERA_NAMES = "|".join(sorted({k for e in ERAS for k in (e.name, e.letter, e.name[0])}, key=len, reverse=True))
_ERA_KANJI_RE = re.compile(rf"({_ERA_NAMES})([0-9]{{1,3}}|元)年([0-9]{{1,2}})月([0-9]{{1,2}})日?" + _TIME)
_ERA_SHORT_RE = re.compile(
    rf"({_ERA_NAMES})([0-9]{{1,3}}|元){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})" + _TIME
)
_DMY_RE = re.compile(rf"([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}}){_TIME}")
_TWO_DIGIT_YEAR_RE = re.compile(rf"[0-9]{{1,2}}{_SEP}[0-9]{{1,2}}{_SEP}[0-9]{{1,2}}")
_NAMED_DMY_RE = re.compile(r"([0-9]{1,2})[ -]([a-z]{3,9})\.?[ -,]*([0-9]{4})")
_NAMED_MDY_RE = re.compile(r"([a-z]{3,9})\.? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})")


def _invalid(raw: str, reason: object, field: str | None) -> KizunaError:
    return KizunaError("KZ-VAL-016", context={"value": raw, "reason": reason}, field=field)


def _ymd(raw: str, year: int, month: int, day: int, field: str | None) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _invalid(raw, _("there is no such day in the calendar"), field) from None


def era_of(day: dt.date) -> Era | None:
    """The era ``day`` falls in (None before Meiji)."""
    found = None
    for era in ERAS:
        if day >= era.start:
            found = era
    return found


def era_date(day: dt.date) -> str:
    """``day`` written in its era: 2019-05-01 -> "令和元年5月1日"."""
    era = era_of(day)
    if era is None:
        return day.isoformat()
    year = day.year - era.offset
    return f"{era.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def _from_era(raw: str, key: str, year_text: str, month: int, day: int, field: str | None) -> dt.date:
    era = _ERA_BY_KEY[key]
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise _invalid(raw, _("an era year starts at 1 (元年)"), field)
    gregorian = _ymd(raw, year + era.offset, month, day, field)
    following = ERAS[ERAS.index(era) + 1] if era is not ERAS[-1] else None
    if gregorian < era.start or (following is not None and gregorian >= following.start):
        actual = era_of(gregorian)
        raise KizunaError(
            "KZ-VAL-017",
            context={
                "value": raw,
                "era": era.name,
                "first": era_date(era.start),
                "last": era_date(following.start - dt.timedelta(days=1)) if following else "—",
                "suggestion": era_date(gregorian) if actual else gregorian.isoformat(),
                "iso": gregorian.isoformat(),
            },
            field=field,
        )
    return gregorian


def _day_month(
    raw: str, first: int, second: int, year: int, order: DateOrder | None, field: str | None
) -> dt.date:
    if order is None:
        if first > 12 and second <= 12:
            order = "dmy"
        elif second > 12 and first <= 12:
            order = "mdy"
        elif first == second:
            order = "dmy"  # 5/5/2020 reads the same either way
        elif first <= 12 and second <= 12:
            day_first = _ymd(raw, year, second, first, field)
            month_first = _ymd(raw, year, first, second, field)
            raise KizunaError(
                "KZ-VAL-018",
                context={
                    "value": raw,
                    "day_first": day_first.isoformat(),
                    "month_first": month_first.isoformat(),
                },
                field=field,
            )
        else:
            raise _invalid(raw, _("both numbers are above 12, so neither can be the month"), field)
    day, month = (first, second) if order == "dmy" else (second, first)
    return _ymd(raw, year, month, day, field)


def normalize_date(
    raw: str | dt.date | None, *, order: DateOrder | None = None, field: str | None = None
) -> dt.date | None:
    """``raw`` as a date; None for empty input. ``order`` says how ``d/m/yyyy``-style values read
    ("dmy" or "mdy", from :func:`infer_date_order`); without it only values that prove their order
    are read. Raises KizunaError KZ-VAL-016/017/018."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if type(raw) is str and (plain := _PLAIN_YMD_RE.fullmatch(raw)) is not None:
        return _ymd(raw, int(plain.group(1)), int(plain.group(3)), int(plain.group(4)), field)
    original = str(raw)
    text = unify_dashes(normalize_text(original)).lower()
    if " " in text:
        text = _SPACED_SEPARATOR_RE.sub(r"\1", text).strip()
    if not text:
        return None
    if match := _YMD_RE.fullmatch(text) or _KANJI_RE.fullmatch(text) or _COMPACT_RE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups()[:3])
        return _ymd(original, year, month, day, field)
    if match := _ERA_KANJI_RE.fullmatch(text) or _ERA_SHORT_RE.fullmatch(text.upper()):
        key, year_text, month_text, day_text = match.groups()[:4]
        era_key = key.upper() if key.isascii() else key
        return _from_era(original, era_key, year_text, int(month_text), int(day_text), field)
    if match := _DMY_RE.fullmatch(text):
        first, second, year = (int(g) for g in match.groups()[:3])
        return _day_month(original, first, second, year, order, field)
    if match := _NAMED_DMY_RE.fullmatch(text):
        day_text, name, year_text = match.groups()
        if name in _MONTHS:
            return _ymd(original, int(year_text), _MONTHS[name], int(day_text), field)
    if match := _NAMED_MDY_RE.fullmatch(text):
        name, day_text, year_text = match.groups()
        if name in _MONTHS:
            return _ymd(original, int(year_text), _MONTHS[name], int(day_text), field)
    if match := _EXCEL_SERIAL_RE.fullmatch(text):
        # Excel counts a 29 February 1900 that never was (serial 60); five-digit serials are after it.
        return EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))
    if _TWO_DIGIT_YEAR_RE.fullmatch(text):
        raise _invalid(original, _("the year needs four digits (or an era: R5/4/1)"), field)
    raise _invalid(original, _("no date format matches"), field)


def infer_date_order(values: Iterable[str | None]) -> DateOrder | None:
    """The day/month order a column's ``d/m/yyyy``-style values prove: "dmy" when one has a first
    number above 12 (25/12/2020), "mdy" when one has a second number above 12 (12/25/2020); None when
    none proves it, or when the values contradict each other (then each ambiguous one is flagged)."""
    day_first = month_first = False
    for value in values:
        text = unify_dashes(normalize_text(value))
        match = _DMY_RE.fullmatch(text)
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_first |= first > 12 >= second
        month_first |= second > 12 >= first
    if day_first == month_first:
        return None
    return "dmy" if day_first else "mdy"
