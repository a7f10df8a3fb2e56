"""The pure middle of an import: a source row, mapped, normalized and validated, becomes a
:class:`Prepared` row (model values, or the problems that keep it out) — no database access, so rows
can be prepared in worker processes.

Every problem names the row, the column as the file heads it, the original value, a catalog code and
the catalog's remedy; a row with an error is never written, a row with only warnings is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime

from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.normalize import DateOrder, infer_date_order, normalize_date, normalize_text, to_katakana
from kizuna.core.spreadsheet import NEUTRALIZED

from .mapping import Mapping as ColumnMapping
from .reading import SourceRow

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass
class Problem:
    """One problem of one row, as stored in :class:`~kizuna.imports.models.RowProblem`."""

    row: int
    code: str
    context: dict[str, Any] = field(default_factory=dict)
    column: str = ""
    field: str = ""
    value: str = ""
    warning: bool = False

    def error(self) -> KizunaError:
        return KizunaError(self.code, context=dict(self.context), field=self.field or None)


@dataclass
class Prepared:
    """A source row after preparation: ``values`` to set on the model, or the problems that stop it."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    relations: dict[str, str] = field(default_factory=dict)  # "company" -> the file's text
    created_at: dt.datetime | None = None
    problems: list[Problem] = field(default_factory=list)
    blank: bool = False

    @property
    def ok(self) -> bool:
        return not self.blank and not any(not p.warning for p in self.problems)


@dataclass(frozen=True)
class ImportDate(f.FieldSpec):
    """A date as Japanese spreadsheets write it (和暦, 2023年4月1日, Excel serials), in the column's
    proven day/month ``order``."""

    order: DateOrder | None = None

    def empty(self) -> Any:
        return None

    def clean(self, name: str, value: Any) -> dict[str, Any]:
        return {self._attr(name): normalize_date(str(value), order=self.order, field=name)}


def value_text(value: Any) -> str:
    return "" if value is None else str(value)


def problems_of(
    error: KizunaError, *, row: int, column_of: Mapping[str, str], data: Mapping[str, Any]
) -> list[Problem]:
    """Each field error of ``error`` as a problem naming its column and original value."""
    errors = error.errors if isinstance(error, KizunaValidationError) else [error]
    out = []
    for err in errors:
        name = err.field or ""
        out.append(
            Problem(
                row=row,
                code=err.code,
                context={k: value_text(v) for k, v in err.context.items()},
                column=column_of.get(name, ""),
                field=name,
                value=value_text(data.get(name, ""))[:500],
            )
        )
    return out


# Full names: "山田 太郎", "山田　太郎", "YAMADA Taro"; without a space, a kana reading with one
# ("ヤマダ タロウ") and a known family name settle where to cut.
_SPACE_RE = re.compile(r"[\s\u3000]+")


def _family_names() -> dict[str, str]:
    from faker.providers.person.ja_JP import Provider

    return {kanji: kana for (kanji, kana, _romaji) in Provider.last_name_pairs}


FAMILY_NAMES: dict[str, str] = _family_names()


def split_full_name(full: str, kana: str = "") -> tuple[str, str, str, str] | None:
    """``("山田 太郎", "ヤマダ タロウ")`` -> ``("山田", "太郎", "ヤマダ", "タロウ")``; None when nothing
    shows where the family name ends."""
    name = normalize_text(full)
    reading = to_katakana(normalize_text(kana))
    kana_parts = _SPACE_RE.split(reading, maxsplit=1) if reading else []
    kana_family, kana_given = (kana_parts + ["", ""])[:2] if len(kana_parts) == 2 else ("", "")
    parts = _SPACE_RE.split(name, maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1], kana_family, kana_given
    for length in (3, 2, 1):
        family = name[:length]
        if len(name) > length and family in FAMILY_NAMES:
            if kana_family and FAMILY_NAMES[family] != kana_family:
                continue
            return family, name[length:], kana_family, kana_given
    return None


@dataclass
class RowPreparer:
    """Turns the source rows of one file into :class:`Prepared` rows for one object type."""

    mapping: ColumnMapping
    specs: Mapping[str, f.FieldSpec]
    custom_definitions: Mapping[str, Any] = field(default_factory=dict)
    relations: tuple[str, ...] = ()
    date_orders: dict[str, DateOrder | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.width = len(self.mapping.headers)
        self.column_of = {name: self.mapping.headers[i] for i, name in self.mapping.columns.items()}
        self.specs = {
            name: ImportDate(required=spec.required, order=self.date_orders.get(name))
            if isinstance(spec, f.Date)
            else spec
            for name, spec in self.specs.items()
        }
        self._cache: dict[str, dict[Any, Any]] = {name: {} for name in (*self.specs, "created_at")}
        self._misses: dict[str, int] = {}
        self._required = [n for n, s in self.specs.items() if s.required]
        # Columns without a header: a value under one is reported, never dropped unseen.
        self.headless = [i for i, h in enumerate(self.mapping.headers) if not normalize_text(h)]

    def prepare(self, source: SourceRow) -> Prepared:
        out = Prepared(row=source.number)
        if source.error is not None:
            out.problems.append(
                Problem(row=source.number, code=source.error.code, context=_texts(source.error))
            )
            return out
        values = source.values
        if not any(v.strip() for v in values):
            out.blank = True
            return out
        if len(values) != self.width:
            out.problems.append(
                Problem(
                    row=source.number,
                    code="KZ-IMP-010",
                    context={"row": source.number, "count": len(values), "expected": self.width},
                    value=_joined(values),
                )
            )
            return out
        for i in self.headless:
            if values[i].strip():
                out.problems.append(
                    Problem(
                        row=source.number,
                        code="KZ-IMP-016",
                        context={"position": i + 1},
                        value=values[i][:500],
                        warning=True,
                    )
                )
        # A cell Kizuna's own export neutralized against formulas ("'=…") reads back as it was.
        data = {
            name: values[i][1:] if values[i].startswith(NEUTRALIZED) else values[i]
            for i, name in self.mapping.columns.items()
        }
        self._split_name(out, data)
        self._extras(out, data)
        values_out, errors = self._clean(data)
        if errors:
            out.problems.extend(
                problems_of(
                    KizunaValidationError(errors), row=source.number, column_of=self.column_of, data=data
                )
            )
        else:
            out.values = values_out
        return out

    def _clean(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[KizunaError]]:
        """:func:`kizuna.core.fields.clean_input` for one row, remembering each column's outcomes: a
        file repeats its prefectures, companies, departments and dates on thousands of rows, and the
        field rules are pure functions of the value."""
        clean: dict[str, Any] = {}
        errors = [KizunaError("KZ-VAL-001", field=name) for name in self._required if name not in data]
        for name, value in data.items():
            found = self.specs.get(name)
            if found is None:
                continue
            cache = self._cache.get(name)
            outcome = cache.get(value) if cache is not None else None
            if outcome is None:
                outcome = _outcome(found, name, value)
                if cache is not None:
                    self._remember(name, cache, value, outcome)
            if isinstance(outcome, dict):
                clean.update(outcome)
            else:
                code, context, field_name = outcome
                errors.append(KizunaError(code, context=dict(context), field=field_name))
        return clean, errors

    def _remember(self, name: str, cache: dict[Any, Any], value: Any, outcome: Any) -> None:
        """Keep ``outcome`` for the next row with ``value``; a column whose values hardly repeat (emails,
        phone numbers) stops being remembered, so memory goes where it saves time."""
        misses = self._misses[name] = self._misses.get(name, 0) + 1
        if misses == CACHE_PROBATION and len(cache) >= CACHE_PROBATION * 0.9:
            del self._cache[name]  # nine values in ten were new: not worth remembering
            return
        if len(cache) < CACHE_PER_COLUMN:
            cache[value] = outcome

    def _split_name(self, out: Prepared, data: dict[str, Any]) -> None:
        full = data.pop("full_name", None)
        kana = data.pop("full_name_kana", None) or ""
        if full is None and not kana:
            return
        if full is None or not normalize_text(full):
            if kana and not data.get("family_name_kana"):
                parts = _SPACE_RE.split(to_katakana(normalize_text(kana)), maxsplit=1)
                data["family_name_kana"], data["given_name_kana"] = (parts + [""])[:2]
            return
        if normalize_text(data.get("family_name") or ""):
            return  # a family name column of its own wins
        split = split_full_name(full, kana)
        if split is None:
            data["family_name"] = full
            out.problems.append(
                Problem(
                    row=out.row,
                    code="KZ-IMP-014",
                    context={"value": full},
                    column=self.column_of.get("full_name", ""),
                    field="full_name",
                    value=full,
                    warning=True,
                )
            )
            if kana:
                data.setdefault("family_name_kana", kana)
            return
        family, given, kana_family, kana_given = split
        data["family_name"], data["given_name"] = family, given
        if kana_family:
            data.setdefault("family_name_kana", kana_family)
            data.setdefault("given_name_kana", kana_given)

    def _extras(self, out: Prepared, data: dict[str, Any]) -> None:
        for name in self.relations:
            if name in data:
                out.relations[name] = normalize_text(data.pop(name))
        if "tags" in data:
            from kizuna.customers.records import tag_names

            out.tags = tag_names(data.pop("tags"))
        custom = {k[len("custom.") :]: data.pop(k) for k in [k for k in data if k.startswith("custom.")]}
        if custom:
            from kizuna.customers.custom_fields import clean_custom_values

            try:
                out.custom = clean_custom_values(
                    object_type="", values=custom, definitions=dict(self.custom_definitions)
                )
            except KizunaError as exc:
                shown = {f"custom.{k}": v for k, v in custom.items()}
                out.problems.extend(problems_of(exc, row=out.row, column_of=self.column_of, data=shown))
        created = data.pop("created_at", None)
        if created is not None and normalize_text(created):
            cache = self._cache.get("created_at")
            outcome = cache.get(created) if cache is not None else None
            if outcome is None:
                outcome = _created_at(created, self.date_orders.get("created_at"))
                if cache is not None:
                    self._remember("created_at", cache, created, outcome)
            if isinstance(outcome, dt.datetime):
                out.created_at = outcome
            else:
                code, context, field_name = outcome
                error = KizunaError(code, context=dict(context), field=field_name)
                out.problems.extend(
                    problems_of(error, row=out.row, column_of=self.column_of, data={"created_at": created})
                )


CACHE_PER_COLUMN = 20_000  # distinct values remembered per column: bounded memory on any file
CACHE_PROBATION = 5_000  # values a column is watched for before its cache is kept or dropped


def _outcome(
    spec: f.FieldSpec, name: str, value: Any
) -> dict[str, Any] | tuple[str, dict[str, Any], str | None]:
    """What clean_input does with one value: the attributes to set, or the error as plain data (a
    cached exception object would collect tracebacks each time it is raised)."""
    try:
        if spec.required and f.is_blank(value):
            raise KizunaError("KZ-VAL-001", field=name)
        return spec.clean(name, value)
    except KizunaError as exc:
        return (exc.code, exc.context, exc.field)


def _created_at(value: str, order: DateOrder | None) -> dt.datetime | tuple[str, dict[str, Any], str | None]:
    """When another system created the record: "2020-07-04T09:00:00.000Z" (Salesforce), "2022-07-14
    09:00" (HubSpot, Tokyo time) or a date in any form :func:`normalize_date` reads (midnight, Tokyo)."""
    text = normalize_text(value)
    if ":" in text:
        moment = parse_datetime(text.replace(" ", "T", 1).replace("Z", "+00:00"))
        if moment is not None:
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=TOKYO)
    try:
        day = normalize_date(text, order=order, field="created_at")
    except KizunaError as exc:
        return (exc.code, {**exc.context, "value": value}, exc.field)
    assert day is not None
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)


def _texts(error: KizunaError) -> dict[str, str]:
    return {k: value_text(v) for k, v in error.context.items()}


def _joined(values: Iterable[str]) -> str:
    return ",".join(values)[:500]


def date_orders(
    columns: Mapping[str, int], rows: Callable[[], Iterable[SourceRow]]
) -> dict[str, DateOrder | None]:
    """The day/month order each date column proves (``{"birth_date": "dmy"}``) from all its values;
    ``columns`` maps field -> column index, ``rows`` re-reads the file (streamed, once per column)."""
    out: dict[str, DateOrder | None] = {}
    for name, index in columns.items():
        values = (r.values[index] for r in rows() if r.error is None and len(r.values) > index)
        out[name] = infer_date_order(values)
    return out


# A d/m/yyyy or m/d/yyyy date anywhere in the text (full-width digits and separators too). Japanese
# files write year first, so most files hold none and need no per-column scan for the order.
_DAY_MONTH_RE = re.compile(
    r"(?<![0-9０-９])[0-9０-９]{1,2}[/.／．][0-9０-９]{1,2}[/.／．][0-9０-９]{4}(?![0-9０-９])"
)
# What such a date ends with: a separator and a four-digit year. Searched first, because a pattern
# that starts with digits is tried at every digit of the file (a minute for 150 MB), this one only at
# separators.
_YEAR_LAST_RE = re.compile(r"[/.／．][0-9０-９]{4}(?![0-9０-９])")


def may_hold_day_month_dates(source: Any) -> bool:
    """Whether the file may hold a date whose day/month order needs its column (one regular-expression
    pass over the text, much cheaper than parsing the file once per date column)."""
    from .reading import CsvSource

    if not isinstance(source, CsvSource):
        return True  # XLSX and JSON sources: scan their columns
    path, encoding = source.path, source.encoding
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    tail = ""
    with open(path, "rb") as raw:
        while True:
            block = raw.read(1 << 22)
            text = tail + decoder.decode(block, final=not block)
            for candidate in _YEAR_LAST_RE.finditer(text):
                window = text[max(candidate.start() - 8, 0) : candidate.end() + 1]
                if _DAY_MONTH_RE.search(window):
                    return True
            if not block:
                return False
            tail = text[-16:]
