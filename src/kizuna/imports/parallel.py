"""Preparing rows on every core: the pure middle of an import (map, normalize, validate) runs in
forked worker processes while this process reads the file, decides duplicates and writes, in order.

Workers are forked, so they inherit the preparer (mapping, field rules, caches) without pickling it;
they never touch the database (the connections they inherit are left alone and vanish with them).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from kizuna.core.errors import KizunaError

from .pipeline import Prepared, RowPreparer
from .reading import SourceRow

_PREPARER: RowPreparer | None = None
IN_FLIGHT_PER_WORKER = 2

Packed = tuple[int, int, list[str], str, dict[str, Any]]


def _pack(row: SourceRow) -> Packed:
    # A KizunaError does not survive pickling with its context: send it as plain data.
    if row.error is None:
        return (row.number, row.offset, row.values, "", {})
    return (row.number, row.offset, [], row.error.code, dict(row.error.context))


def _unpack(packed: Packed) -> SourceRow:
    number, offset, values, code, context = packed
    return SourceRow(number, offset, values, KizunaError(code, context=context) if code else None)


def _init(preparer: RowPreparer) -> None:
    global _PREPARER  # noqa: PLW0603 - one preparer per worker process, set once at fork
    _PREPARER = preparer


def _prepare(rows: list[Packed]) -> list[Prepared]:
    assert _PREPARER is not None
    return [_PREPARER.prepare(_unpack(r)) for r in rows]


def prepare_chunks(
    preparer: RowPreparer, chunks: Iterable[list[SourceRow]], *, workers: int
) -> Iterator[tuple[list[SourceRow], list[Prepared]]]:
    """Each chunk with its prepared rows, in file order; ``workers`` processes (0: in this one)."""
    if workers < 2:
        for chunk in chunks:
            yield chunk, [preparer.prepare(r) for r in chunk]
        return
    # The children inherit this process's database connections and never use them; they end with
    # os._exit (or SIGTERM from the pool), so nothing closes them on the server's side either.
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=workers, initializer=_init, initargs=(preparer,)) as pool:
        # A bounded window of chunks in flight: memory stays flat however long the file is.
        window: deque[tuple[list[SourceRow], Any]] = deque()
        for chunk in chunks:
            window.append((chunk, pool.apply_async(_prepare, ([_pack(r) for r in chunk],))))
            if len(window) >= IN_FLIGHT_PER_WORKER * workers:
                done, result = window.popleft()
                yield done, result.get()
        while window:
            done, result = window.popleft()
            yield done, result.get()
