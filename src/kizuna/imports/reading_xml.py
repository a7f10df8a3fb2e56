"""Reading XML exports (accounting and inventory systems): one record per repeated element, read as a
stream with defusedxml, which refuses entity declarations (the "billion laughs" bomb, external
entities) before anything is expanded.

The record element is given (``伝票`` or a path ``売上伝票一覧/伝票``) or detected: the child of the
root that repeats most. A record's columns are the paths of its content, flattened: child elements by
name (``日付``), attributes with ``@`` (``@番号``, ``得意先/@メール``), a repeated child numbered from
its second occurrence (``明細/商品名``, ``明細[2]/商品名``). Like JSON, the header is the union of the
records' columns in order of first appearance, so the file is read twice; the first pass also finds
any syntax error before a single row is imported (KZ-IMP-037).
"""

from __future__ import annotations

import codecs
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from kizuna.core.errors import KizunaError

from .reading import SourceRow, canonical_encoding

DETECT_CHILDREN = 1000  # children of the root looked at to find the repeating record element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # namespaces aside: headers read as the file shows them


class XmlSource:
    """An XML file read as a stream of :class:`SourceRow`: row 0 the column paths, then one per record."""

    encoding = "xml"
    delimiter = ""

    def __init__(self, path: str | Path, *, record: str | None = None) -> None:
        self.path = Path(path)
        self.record = self._choose(record) if record else self._detect()
        self.keys = self._keys()

    def _events(self, events: tuple[str, ...] = ("start", "end")) -> Iterator[tuple[str, Any]]:
        try:
            with _open(self.path) as stream:
                yield from iterparse(
                    stream, events=events, forbid_dtd=False, forbid_entities=True, forbid_external=True
                )
        except DefusedXmlException as exc:
            raise KizunaError(
                "KZ-IMP-036", context={"file": self.path.name, "reason": type(exc).__name__}
            ) from None
        except ParseError as exc:
            line, column = getattr(exc, "position", (0, 0))
            raise KizunaError(
                "KZ-IMP-037",
                context={"file": self.path.name, "line": line, "column": column, "reason": str(exc)},
            ) from None

    def _detect(self) -> str:
        depth, counts = 0, Counter[str]()
        root = ""
        for event, element in self._events():
            if event == "start":
                depth += 1
                if depth == 1:
                    root = _local(element.tag)
                elif depth == 2:
                    counts[_local(element.tag)] += 1
                    if sum(counts.values()) >= DETECT_CHILDREN:
                        break
            else:
                depth -= 1
                if depth == 1:
                    element.clear()
        if not counts:
            raise KizunaError(
                "KZ-IMP-038", context={"file": self.path.name, "record": "?", "tags": root or "—"}
            )
        return f"{root}/{counts.most_common(1)[0][0]}"

    def _choose(self, record: str) -> str:
        return record.strip("/")

    def _records(self) -> Iterator[dict[str, str]]:
        """Each record element's flattened content, in file order."""
        parts = self.record.split("/")
        path: list[str] = []
        found = False
        for event, element in self._events():
            if event == "start":
                path.append(_local(element.tag))
                continue
            if path[-len(parts) :] == parts:
                found = True
                yield _flatten(element)
                element.clear()  # memory stays flat however many records follow
            path.pop()
        if not found:
            raise KizunaError(
                "KZ-IMP-038", context={"file": self.path.name, "record": self.record, "tags": "—"}
            )

    def _keys(self) -> list[str]:
        keys: dict[str, None] = {}
        for record in self._records():
            for key in record:
                keys.setdefault(key, None)
        return list(keys)

    def rows(self) -> Iterator[SourceRow]:
        yield SourceRow(number=0, offset=0, values=list(self.keys))
        for number, record in enumerate(self._records(), start=1):
            yield SourceRow(number=number, offset=0, values=[record.get(k, "") for k in self.keys])


_DECLARED_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)[\"']")


class _Utf8Stream(io.RawIOBase):
    """A Shift_JIS/CP932 or EUC-JP XML file as UTF-8 bytes with its declaration saying so: expat reads
    no multi-byte encoding but UTF-8 and UTF-16."""

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._pending = b""
        self._first = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            block = self._raw.read(1 << 16)
            try:
                text = self._decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"bytes that are not {exc.encoding}: {exc.object[exc.start : exc.end]!r}"
                ) from None
            if self._first:
                text = re.sub(r"encoding\s*=\s*[\"'][^\"']+[\"']", 'encoding="UTF-8"', text, count=1)
                self._first = False
            self._pending = text.encode("utf-8")
            if not block:
                break
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    declared = _DECLARED_RE.match(raw.read(200))
    raw.seek(0)
    if declared is None:
        return raw
    encoding = canonical_encoding(declared.group(1).decode("ascii"))
    if encoding in ("cp932", "euc_jp"):
        return io.BufferedReader(_Utf8Stream(raw, encoding))
    return raw


def _flatten(element: Any, prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    out = {} if out is None else out
    for name, value in element.attrib.items():
        out[f"{prefix}@{_local(name)}"] = value.strip()
    text = (element.text or "").strip()
    if prefix and (text or not len(element)):
        out[prefix.rstrip("/")] = text
    seen: Counter[str] = Counter()
    for child in element:
        tag = _local(child.tag)
        seen[tag] += 1
        name = tag if seen[tag] == 1 else f"{tag}[{seen[tag]}]"
        _flatten(child, f"{prefix}{name}/", out)
    return out
