"""Reading import files: CSV and TSV in UTF-8 (with or without BOM), CP932/Shift_JIS, EUC-JP and UTF-16
(Excel's "Unicode text"); XLSX; JSON and NDJSON (XML: :mod:`kizuna.imports.reading_xml`).

The first stage of an import (read → map → normalize → validate → dedupe → write). A file is read as
a stream of rows, so memory stays flat however long the file is:

- **Encoding**: a byte-order mark decides; else strict UTF-8 over a sample; else charset-normalizer
  chooses among the Japanese encodings. "Shift_JIS" is always read as CP932, its Windows superset
  with the NEC and IBM extensions (①, ㈱, 髙, ≒): files saved as "Shift_JIS" by Excel hold them. The
  caller may force an encoding (``--encoding``).
- **Undecodable bytes** make that row an error naming the byte offset in the file (KZ-IMP-002),
  never a U+FFFD stored silently; the other rows are read on.
- **Delimiter and quoting** are sniffed from the first lines (comma, tab, semicolon, pipe);
  quoted fields may hold delimiters, quotes and line breaks.

JSON (an array of objects, or an object holding one) and NDJSON (an object per line) are streamed
too; their columns are the keys of all records, in order of first appearance, so a file is read twice.

XLSX workbooks are read sheet by sheet in openpyxl's read-only (streaming) mode, after a check of
the archive that refuses zip bombs (KZ-IMP-006) before anything is decompressed.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext_lazy as _

from kizuna.core.errors import KizunaError

__all__ = [
    "CsvSource",
    "JsonSource",
    "SourceRow",
    "XlsxSource",
    "canonical_encoding",
    "detect_encoding",
    "open_source",
]

SAMPLE_BYTES = 1 << 20  # what encoding and delimiter detection read
DELIMITERS = ",\t;|"
CANDIDATES = ("utf-8", "cp932", "euc_jp")

# Names people and detectors give to the encodings Kizuna reads, and the codec that reads each.
_ALIASES = {
    "utf_8": "utf-8",
    "utf8": "utf-8",
    "utf_8_sig": "utf-8-sig",
    "utf8_sig": "utf-8-sig",
    "shift_jis": "cp932",
    "shiftjis": "cp932",
    "sjis": "cp932",
    "s_jis": "cp932",
    "x_sjis": "cp932",
    "ms932": "cp932",
    "ms_kanji": "cp932",
    "windows_31j": "cp932",
    "cp932": "cp932",
    "shift_jis_2004": "cp932",
    "shift_jisx0213": "cp932",
    "euc_jp": "euc_jp",
    "utf_16": "utf-16",
    "utf16": "utf-16",
    "unicode": "utf-16",
    "utf_16_le": "utf-16-le",
    "utf_16le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "utf_16be": "utf-16-be",
    "euc_jis_2004": "euc_jp",
    "euc_jisx0213": "euc_jp",
    "eucjp": "euc_jp",
    "ujis": "euc_jp",
}


def canonical_encoding(name: str) -> str:
    """The codec Kizuna reads ``name`` with: any Shift_JIS spelling -> "cp932"; KZ-IMP-001 if unknown."""
    key = name.strip().lower().replace("-", "_")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise KizunaError(
            "KZ-IMP-001", context={"encoding": name, "reason": _("unknown encoding name")}
        ) from None


def _votes(sample: bytes, complete: bool) -> dict[str, int]:
    """For each candidate, how many of the sample's non-ASCII lines it decodes strictly. A line that is
    valid UTF-8 counts for UTF-8 alone: CP932 decodes most UTF-8 Japanese too, into mojibake."""
    lines = sample.split(b"\n")
    votes = dict.fromkeys(CANDIDATES, 0)
    for index, line in enumerate(lines):
        if line.isascii():
            continue
        final = complete or index < len(lines) - 1  # a sample may end inside a character
        if _decodes(line, "utf-8", final):
            votes["utf-8"] += 1
            continue
        for name in CANDIDATES[1:]:
            if _decodes(line, name, final):
                votes[name] += 1
    return votes


def _decodes(data: bytes, encoding: str, final: bool = True) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, *, complete: bool = False) -> str:
    """The codec for a file starting with ``sample`` (``complete``: the sample is the whole file).

    The candidate that decodes the most lines wins, so a UTF-8 file with one line pasted from a
    CP932 file is read as UTF-8 and that line becomes a row error; charset-normalizer settles a tie.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" (tab-separated): the BOM says which byte order
    if b"\x00" in sample:
        raise KizunaError("KZ-IMP-001", context={"encoding": "?", "reason": _("binary data, not text")})
    if sample.isascii():
        return "utf-8"
    votes = _votes(sample, complete)
    most = max(votes.values())
    if most == 0:
        raise KizunaError(
            "KZ-IMP-001",
            context={"encoding": "?", "reason": _("not UTF-8, CP932 (Shift_JIS) or EUC-JP text")},
        )
    tied = [name for name, count in votes.items() if count == most]
    if len(tied) == 1:
        return tied[0]
    if "utf-8" in tied:
        return "utf-8"  # strict: a line in another encoding becomes a row error, not mojibake
    best = from_bytes(sample).best()
    guess = canonical_encoding(best.encoding) if best is not None else ""
    return guess if guess in tied else tied[0]


@dataclass(frozen=True)
class SourceRow:
    """One record of the file: its values, or the error that kept it from being read."""

    number: int  # as a spreadsheet numbers it: the header is row 1
    offset: int  # byte offset of the row's first line in the file
    values: list[str] = field(default_factory=list)
    error: KizunaError | None = None


def _looks_utf8(line: bytes) -> bool:
    """A non-ASCII line that is valid UTF-8 holding Japanese (U+3000 and up): in a CP932 or EUC-JP
    file, a line pasted from a UTF-8 file, which those codecs would turn into mojibake."""
    if line.isascii():
        return False
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(char) >= 0x3000 for char in text)


class _Lines:
    """The file's lines decoded one by one, remembering each line's byte offset and decoding error."""

    def __init__(self, raw: io.BufferedReader, encoding: str) -> None:
        self._raw = raw
        self._encoding = encoding
        self.offset = 0  # of the next line
        # Byte offset of each line read and not yet turned into a row (line index -> offset): the
        # reader forgets a row's lines once it is yielded, so a million-line file costs no memory here.
        self.starts: dict[int, int] = {}
        self.count = 0
        self.errors: dict[int, KizunaError] = {}  # line index -> error

    def forget(self, first: int, end: int) -> None:
        """Drop what is kept about lines ``first``..``end - 1``: their row has been read."""
        for index in range(first, end):
            self.starts.pop(index, None)
            self.errors.pop(index, None)

    def __iter__(self) -> Iterator[str]:
        first = True
        for line in self._raw:
            start = self.offset
            self.offset += len(line)
            if first and self._encoding == "utf-8-sig" and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
                start += len(codecs.BOM_UTF8)
            first = False
            index = self.count
            self.count += 1
            self.starts[index] = start
            try:
                text = line.decode(self._encoding)
                if self._encoding in ("cp932", "euc_jp") and _looks_utf8(line):
                    self.errors[index] = KizunaError(
                        "KZ-IMP-004", context={"offset": start, "encoding": self._encoding}
                    )
                yield text
            except UnicodeDecodeError as exc:
                bad = line[exc.start : exc.end]
                self.errors[index] = KizunaError(
                    "KZ-IMP-002",
                    context={
                        "offset": start + exc.start,
                        "encoding": self._encoding,
                        "bytes": bad.hex(" ").upper(),
                    },
                )
                yield line.decode(self._encoding, errors="replace")  # parsed for its shape only


class _Utf16Lines(_Lines):
    """Lines of a UTF-16 file: split after decoding (the byte 0x0A also occurs inside characters,
    上 is 0A 4E), offsets counted in encoded bytes; a lone surrogate makes its line an error."""

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self._encoding)(errors="surrogatepass")
        head = self._raw.peek(2)[:2] if hasattr(self._raw, "peek") else b""
        self.offset = (
            2 if self._encoding == "utf-16" and head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else 0
        )
        unit = "utf-16-be" if head == codecs.BOM_UTF16_BE or self._encoding == "utf-16-be" else "utf-16-le"
        pending = ""
        while True:
            block = self._raw.read(1 << 16)
            pending += decoder.decode(block, final=not block)
            *complete, pending = pending.split("\n")
            for part in complete:
                yield self._line(part + "\n", unit)
            if not block:
                if pending:
                    yield self._line(pending, unit)
                return

    def _line(self, line: str, unit: str) -> str:
        start = self.offset
        self.offset += len(line.encode(unit, "surrogatepass"))
        index = self.count
        self.count += 1
        self.starts[index] = start
        if any("\ud800" <= ch <= "\udfff" for ch in line):
            self.errors[index] = KizunaError(
                "KZ-IMP-002", context={"offset": start, "encoding": "UTF-16", "bytes": "lone surrogate"}
            )
            return line.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return line


class CsvSource:
    """A CSV/TSV file read as a stream of :class:`SourceRow` after its header."""

    def __init__(
        self, path: str | Path, *, encoding: str | None = None, delimiter: str | None = None
    ) -> None:
        self.path = Path(path)
        with self.path.open("rb") as raw:
            sample = raw.read(SAMPLE_BYTES)
            complete = not raw.read(1)
        if not sample.removeprefix(codecs.BOM_UTF8).strip():
            raise KizunaError("KZ-IMP-003", context={"file": self.path.name})
        self.encoding_detected = encoding is None
        self.encoding = (
            detect_encoding(sample, complete=complete) if encoding is None else canonical_encoding(encoding)
        )
        text = sample.decode(self.encoding, errors="replace")
        self.delimiter = delimiter or self._sniff(text)

    @staticmethod
    def _sniff(text: str) -> str:
        head = "\n".join(text.splitlines()[:50])
        try:
            return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
        except csv.Error:
            counts = {d: head.split("\n", 1)[0].count(d) for d in DELIMITERS}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","

    def rows(self) -> Iterator[SourceRow]:
        """The header (row 1) and every record after it, in file order. A row the CSV grammar cannot
        read (a quote never closed, a cell over :data:`MAX_CELL` characters, text after a closing
        quote) is an error row; reading goes on after it where the grammar allows."""
        with self.path.open("rb") as raw:
            lines = (_Utf16Lines if self.encoding.startswith("utf-16") else _Lines)(raw, self.encoding)
            reader = csv.reader(iter(lines), delimiter=self.delimiter, strict=True)
            consumed = 0  # physical lines turned into rows so far
            number = 0
            while True:
                number += 1
                first = consumed
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    consumed = reader.line_num
                    offset = lines.starts.get(first, 0)
                    lines.forget(first, consumed)
                    yield SourceRow(number=number, offset=offset, error=_grammar_error(exc, number))
                    if "end of data" in str(exc):
                        return  # the open quote swallowed the rest of the file
                    continue
                consumed = reader.line_num
                errors = [lines.errors[i] for i in range(first, consumed) if i in lines.errors]
                offset = lines.starts[first]
                lines.forget(first, consumed)
                if errors:
                    error = errors[0]
                    error.context["row"] = number
                    yield SourceRow(number=number, offset=offset, error=error)
                else:  # a blank line too (values == []): the import counts it, it is not dropped unseen
                    yield SourceRow(number=number, offset=offset, values=values)


MAX_CELL = 131072  # characters: the csv module's limit, far beyond any CRM value


def _grammar_error(exc: csv.Error, row: int) -> KizunaError:
    text = str(exc)
    if "end of data" in text:
        return KizunaError("KZ-IMP-015", context={"row": row})
    if "field limit" in text:
        return KizunaError("KZ-IMP-031", context={"row": row, "limit": MAX_CELL})
    return KizunaError("KZ-IMP-032", context={"row": row, "reason": text})


# An XLSX is a zip archive: refuse one that would inflate beyond these before opening it.
XLSX_MAX_UNCOMPRESSED = 2 * 1024**3  # bytes, all members together
XLSX_MAX_RATIO = 200  # uncompressed / compressed, per member (real sheets compress 5-20x)


def _cell_text(value: object) -> str:
    """A cell as the text an import maps: dates ISO, whole numbers without ".0", empty cells ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


class XlsxSource:
    """One sheet of an XLSX workbook read as a stream of :class:`SourceRow` (offset: always 0)."""

    encoding = "xlsx"
    encoding_detected = False
    delimiter = ""

    def __init__(self, path: str | Path, *, sheet: str | int | None = None) -> None:
        from openpyxl import load_workbook

        self.path = Path(path)
        self._check_archive()
        workbook = load_workbook(self.path, read_only=True, data_only=True)
        self.sheets: list[str] = list(workbook.sheetnames)
        workbook.close()
        self.sheet = self._choose(sheet)

    def _choose(self, sheet: str | int | None) -> str:
        """``sheet`` by name, else by position (1 is the first); the first sheet by default."""
        if sheet is None:
            return self.sheets[0]
        if str(sheet) in self.sheets:
            return str(sheet)
        if str(sheet).isdigit() and 1 <= int(sheet) <= len(self.sheets):
            return self.sheets[int(sheet) - 1]
        raise KizunaError("KZ-IMP-007", context={"sheet": sheet, "sheets": ", ".join(self.sheets)})

    def _check_archive(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = archive.infolist()
        except zipfile.BadZipFile:
            raise KizunaError(
                "KZ-IMP-001",
                context={"encoding": "XLSX", "reason": _("not an XLSX workbook (not a zip archive)")},
            ) from None
        total = sum(m.file_size for m in members)
        worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
        if total > XLSX_MAX_UNCOMPRESSED or worst > XLSX_MAX_RATIO:
            raise KizunaError(
                "KZ-IMP-006",
                context={"file": self.path.name, "size": total, "ratio": round(worst)},
            )

    def rows(self) -> Iterator[SourceRow]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            worksheet = workbook[self.sheet]
            width = 0
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                values = [_cell_text(v) for v in cells]
                while values and values[-1] == "":
                    values.pop()  # read-only mode pads rows to the sheet's widest
                if values and not width:
                    width = len(values)  # the header
                elif values and len(values) < width:
                    # A sheet does not store empty cells at the end of a row: they are blanks, not
                    # missing columns (a CSV row with fewer cells is an error; this is not).
                    values += [""] * (width - len(values))
                yield SourceRow(number=number, offset=0, values=values)
        finally:
            workbook.close()


def _json_text(value: object) -> str:
    """A JSON value as the text an import maps: null "", true "true", nested values as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class JsonSource:
    """A JSON array of objects (``[{…}, …]`` or ``{"records": [{…}, …]}``) or NDJSON (one object per
    line), read as a header row (number 0: the keys) and one row per record, numbered from 1 (for
    NDJSON, the line number)."""

    encoding = "utf-8"
    encoding_detected = False
    delimiter = ""

    def __init__(self, path: str | Path, *, lines: bool | None = None) -> None:
        self.path = Path(path)
        with self.path.open("rb") as raw:
            head = raw.read(SAMPLE_BYTES).removeprefix(codecs.BOM_UTF8).lstrip()
        if not head:
            raise KizunaError("KZ-IMP-003", context={"file": self.path.name})
        self.lines = self.path.suffix.lower() in (".ndjson", ".jsonl") if lines is None else lines
        self.prefix = "" if self.lines else self._items_prefix()
        self.keys = self._keys()

    def _open(self) -> io.BufferedReader:
        raw = self.path.open("rb")
        if raw.read(3) != codecs.BOM_UTF8:
            raw.seek(0)
        return raw

    def _broken(self, exc: Exception) -> KizunaError:
        return KizunaError("KZ-IMP-008", context={"file": self.path.name, "reason": str(exc)[:200]})

    def _items_prefix(self) -> str:
        """The ijson path of the records: "item" for a top-level array, "<key>.item" for the first
        array value of a top-level object."""
        import ijson

        with self._open() as raw:
            try:
                for prefix, event, _value in ijson.parse(raw):
                    if prefix == "" and event == "start_array":
                        return "item"
                    if event == "start_array" and "." not in prefix:
                        return f"{prefix}.item"
                    if prefix == "" and event not in ("start_map", "map_key"):
                        break
            except (ijson.JSONError, UnicodeDecodeError) as exc:
                raise self._broken(exc) from None
        raise KizunaError(
            "KZ-IMP-008", context={"file": self.path.name, "reason": _("no array of records in the file")}
        )

    def _records(self) -> Iterator[tuple[int, int, object | KizunaError]]:
        """(number, byte offset, record or row error) for every record."""
        import ijson

        if not self.lines:
            with self._open() as raw:
                try:
                    for number, item in enumerate(ijson.items(raw, self.prefix), start=1):
                        yield number, 0, item
                except (ijson.JSONError, UnicodeDecodeError) as exc:
                    raise self._broken(exc) from None
            return
        offset = 0
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                start, offset = offset, offset + len(line)
                body = line.removeprefix(codecs.BOM_UTF8) if number == 1 else line
                if not body.strip():
                    yield number, start, None
                    continue
                try:
                    yield number, start, json.loads(body.decode("utf-8"), parse_float=Decimal)
                except UnicodeDecodeError as exc:
                    yield (
                        number,
                        start,
                        KizunaError(
                            "KZ-IMP-002",
                            context={
                                "offset": start + exc.start,
                                "encoding": "utf-8",
                                "bytes": body[exc.start : exc.end].hex(" ").upper(),
                                "row": number,
                            },
                        ),
                    )
                except json.JSONDecodeError as exc:
                    yield number, start, KizunaError("KZ-IMP-009", context={"row": number, "reason": exc.msg})

    def _keys(self) -> list[str]:
        keys: dict[str, None] = {}
        for _number, _offset, record in self._records():
            if isinstance(record, dict):
                keys.update(dict.fromkeys(str(k) for k in record))
        return list(keys)

    def rows(self) -> Iterator[SourceRow]:
        yield SourceRow(number=0, offset=0, values=list(self.keys))
        for number, offset, record in self._records():
            if isinstance(record, KizunaError):
                yield SourceRow(number=number, offset=offset, error=record)
            elif record is None:
                yield SourceRow(number=number, offset=offset)
            elif not isinstance(record, dict):
                reason = _("a record must be an object {…}, not a list or a single value")
                error = KizunaError("KZ-IMP-009", context={"row": number, "reason": reason})
                yield SourceRow(number=number, offset=offset, error=error)
            else:
                yield SourceRow(
                    number=number, offset=offset, values=[_json_text(record.get(k)) for k in self.keys]
                )


def open_source(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    record: str | None = None,
) -> CsvSource | XlsxSource | JsonSource | Any:
    """The reader for ``path``: XLSX by its signature (a zip archive); XML by its name (.xml) or a
    first character "<"; JSON or NDJSON by its name (.json, .ndjson, .jsonl) or, whatever its name, a
    first character "["; else CSV/TSV text."""
    path = Path(path)
    with path.open("rb") as raw:
        start = raw.read(4096)
    if start.startswith(b"PK\x03\x04"):
        return XlsxSource(path, sheet=sheet)
    suffix = path.suffix.lower()
    first = start.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if suffix == ".xml" or first == b"<":
        from .reading_xml import XmlSource

        return XmlSource(path, record=record)
    if suffix in (".json", ".ndjson", ".jsonl") or first == b"[":
        return JsonSource(path, lines=suffix in (".ndjson", ".jsonl"))
    return CsvSource(path, encoding=encoding, delimiter=delimiter)
