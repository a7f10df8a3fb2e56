"""Data exports that import back exactly: every field an import reads, in a form it reads the same way
(phones and dates as entered or ISO, choices as their keys, tags comma-joined, custom fields by
label), as CSV (UTF-8 with BOM for Excel, or CP932), XLSX or JSON.

Cells that a spreadsheet would run as a formula are neutralized (``'=…``); the import undoes that, so
import(export(data)) round-trips. A CP932 export refuses, before anything is kept, characters CP932
cannot hold (🍣, 𠮷, ①… are fine, emoji and JIS X 0213 kanji are not) and lists each with its record
and column (KZ-IMP-034), instead of writing "?".
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.visibility import visible
from kizuna.core.errors import KizunaError
from kizuna.core.spreadsheet import safe_cell
from kizuna.customers.exports import attach_tag_names
from kizuna.customers.models import Contact

from .mapping import CONTACT_FIELDS as SYNONYMS
from .mapping import header_key
from .targets import TARGETS

FORMATS = ("csv", "xlsx", "json")
ENCODINGS = ("utf-8-sig", "utf-8", "cp932")
CHUNK = 2000
MAX_LISTED = 20


@dataclass(frozen=True)
class ExportColumn:
    header: str
    read: Callable[[Any], Any]


def _text(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name) or ""


def _date(name: str) -> Callable[[Any], Any]:
    def read(obj: Any) -> str:
        value = getattr(obj, name)
        return value.isoformat() if isinstance(value, dt.date) else ""

    return read


def _header(field: str) -> str:
    """The Japanese header an import maps back to ``field`` (its first synonym), or the key itself."""
    synonyms = SYNONYMS.get(field, ())
    return synonyms[0] if synonyms else field


CONTACT_EXPORT: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("external_id", _text("external_id")),
    ("family_name", _text("family_name")),
    ("given_name", _text("given_name")),
    ("family_name_kana", _text("family_name_kana")),
    ("given_name_kana", _text("given_name_kana")),
    ("company", lambda c: c.company.name if c.company_id else ""),
    ("department", _text("department")),
    ("title", _text("title")),
    ("email", _text("email")),
    # As entered: the import turns it into the same E.164 number and keeps the text beside it.
    ("phone", lambda c: c.phone_raw or c.phone),
    ("mobile", lambda c: c.mobile_raw or c.mobile),
    ("postal_code", _text("postal_code")),
    ("prefecture", _text("prefecture")),
    ("city", _text("city")),
    ("address_line1", _text("address_line1")),
    ("address_line2", _text("address_line2")),
    ("birth_date", _date("birth_date")),
    ("source", _text("source")),
    ("lifecycle_status", _text("lifecycle_status")),
    ("consent_state", _text("consent_state")),
    ("consent_source", _text("consent_source")),
    ("tags", lambda c: ", ".join(c.tag_names)),
)


def contact_export_columns() -> list[ExportColumn]:
    target = TARGETS["contacts"]
    columns = [ExportColumn(_header(name), read) for name, read in CONTACT_EXPORT]
    taken = {header_key(c.header) for c in columns}
    for definition in target.custom_definitions().values():
        header = definition.label_ja if header_key(definition.label_ja) not in taken else definition.key
        columns.append(ExportColumn(header, _custom(definition.key)))
    return columns


def _custom(key: str) -> Callable[[Any], Any]:
    def read(obj: Any) -> Any:
        value = obj.custom.get(key)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else value

    return read


def _records(qs: QuerySet[Contact]) -> Iterator[Contact]:
    chunk: list[Contact] = []
    for obj in qs.select_related("company").order_by("pk").iterator(chunk_size=CHUNK):
        chunk.append(obj)
        if len(chunk) == CHUNK:
            yield from attach_tag_names(chunk)
            chunk = []
    yield from attach_tag_names(chunk)


def export_contacts(
    *, actor: Any, destination: str | Path, fmt: str = "csv", encoding: str = "utf-8-sig"
) -> int:
    """Write every contact ``actor`` may see to ``destination``; returns the number of records."""
    if fmt not in FORMATS:
        raise KizunaError("KZ-VAL-003", context={"value": fmt, "allowed": ", ".join(FORMATS)}, field="format")
    if encoding not in ENCODINGS:
        raise KizunaError(
            "KZ-VAL-003", context={"value": encoding, "allowed": ", ".join(ENCODINGS)}, field="encoding"
        )
    columns = contact_export_columns()
    rows = ([c.read(obj) for c in columns] for obj in _records(visible(Contact.objects.all(), actor)))
    destination = Path(destination)
    if not destination.parent.is_dir() or not os.access(destination.parent, os.W_OK):
        raise KizunaError(
            "KZ-IMP-039",
            context={
                "file": str(destination),
                "action": _("write"),
                "reason": _("its folder does not exist or is not writable"),
            },
        )
    # Written beside the destination and moved into place when complete: a refused or failed export
    # never leaves half a file under the name asked for.
    fd, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".kizuna-export-")
    os.close(fd)
    try:
        if fmt == "csv":
            count = _write_csv(Path(temporary), columns, rows, encoding)
        elif fmt == "xlsx":
            count = _write_xlsx(Path(temporary), columns, rows)
        else:
            count = _write_json(Path(temporary), columns, rows)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return count


def _write_csv(path: Path, columns: list[ExportColumn], rows: Iterator[list[Any]], encoding: str) -> int:
    unencodable: list[str] = []
    count = 0
    with path.open("w", encoding=encoding, errors="strict", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.header for c in columns])
        for count, values in enumerate(rows, start=1):  # noqa: B007 - the count is returned
            cells = [safe_cell(v) for v in values]
            if encoding == "cp932":
                problems = _cp932_problems(cells, columns, row=count + 1)
                if problems:
                    unencodable.extend(problems)
                    continue
            writer.writerow(cells)
    if unencodable:
        raise KizunaError(
            "KZ-IMP-034",
            context={
                "count": len(unencodable),
                "characters": "; ".join(unencodable[:MAX_LISTED])
                + (" …" if len(unencodable) > MAX_LISTED else ""),
            },
        )
    return count


def _cp932_problems(cells: list[Any], columns: list[ExportColumn], *, row: int) -> list[str]:
    out = []
    for cell, column in zip(cells, columns, strict=True):
        text = str(cell)
        try:
            text.encode("cp932")
        except UnicodeEncodeError:
            bad = sorted({ch for ch in text if not _cp932(ch)})
            out.append(f"{row}行目 {column.header}: " + ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in bad))
    return out


def _cp932(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _write_xlsx(path: Path, columns: list[ExportColumn], rows: Iterator[list[Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="contacts")
    sheet.append([c.header for c in columns])
    count = 0
    for count, values in enumerate(rows, start=1):  # noqa: B007 - the count is returned
        # Text cells, so Excel keeps leading zeros and does not turn 2023-04-01 into a serial number.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(safe_cell(v))) for v in values])
    workbook.save(path)
    return count


def _write_json(path: Path, columns: list[ExportColumn], rows: Iterator[list[Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for count, values in enumerate(rows, start=1):  # noqa: B007 - the count is returned
            record = {c.header: v for c, v in zip(columns, values, strict=True)}
            out.write(("\n" if count == 1 else ",\n") + json.dumps(record, ensure_ascii=False))
        out.write("\n]\n")
    return count
