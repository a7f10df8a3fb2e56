"""The bulk write path: many rows of one model inserted at the database's own speed, with their audit
rows and events, inside the caller's transaction.

Django's ``bulk_create`` reaches about 7,000 rows/s here on either engine; PostgreSQL ``COPY`` 116,000
and SQLite ``executemany`` in one transaction 36,000. So rows are written with those, after their ids
are allocated up front (a sequence batch on PostgreSQL; the table's AUTOINCREMENT counter on SQLite,
read under the transaction's write lock), so that audit rows, events and undo ledgers can name them.

Only services call this, with values they have already cleaned: nothing here validates.
"""

# ruff: noqa: S608 - table and column names come from model metadata, quoted; values are bound
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from django.db import connection, models
from django.db.models.fields.json import JSONField
from django.utils import timezone

from .events import OutsideTransactionError
from .models import AuditEntry, DomainEvent

Row = Sequence[Any]


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise OutsideTransactionError("bulk writes must run inside transaction.atomic()")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, reserved for this transaction's inserts.

    SQLite: the caller's transaction must already hold the write lock (it has written something),
    so no other connection can take the same ids before the insert.
    """
    _require_transaction()
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return [r[0] for r in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max(id) FROM {quoted}), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of ``field`` is handed to the driver (None: as it is)."""
    if isinstance(field, JSONField):
        return lambda v: orjson.dumps(v).decode()  # a tenth of json.dumps' time, same JSON
    if connection.vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            return _remembered(connection.ops.adapt_datetimefield_value)
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(field, models.DecimalField):
            return lambda v: None if v is None else str(v)
    return None


def _remembered(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``adapt`` remembering its last answers: a chunk's rows share their timestamps."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        out = seen.get(value)
        if out is None:
            if len(seen) > 1024:
                seen.clear()
            out = seen[value] = adapt(value)
        return out

    return remembered


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Insert ``rows`` (tuples of Python values in the order of ``columns``, field names) into ``model``'s
    table: ``COPY`` on PostgreSQL, ``executemany`` on SQLite. Returns the number of rows."""
    _require_transaction()
    fields: list[models.Field[Any, Any]] = [model._meta.get_field(name) for name in columns]  # type: ignore[misc]
    adapters = [(i, a) for i, a in enumerate(_adapter(f) for f in fields) if a is not None]
    names = [connection.ops.quote_name(str(f.column)) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)

    def adapted() -> Iterable[Row]:
        for row in rows:
            if adapters:
                out = list(row)
                for i, adapt in adapters:
                    if out[i] is not None:
                        out[i] = adapt(out[i])
                yield out
            else:
                yield row

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in adapted():
                    copy.write_row(row)
                    count += 1
        else:
            batch = list(adapted())
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", batch)
            count = len(batch)
    return count


def audit_rows(
    *,
    action: str,
    object_type: str,
    entries: Iterable[tuple[int, str, dict[str, Any]]],
    actor: Any,
    via: str,
    batch: str,
) -> int:
    """One audit row per ``(object_id, object_repr, changes)``, tagged with ``batch`` (``"import:12"``)."""
    at = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    return insert_rows(
        AuditEntry,
        ["at", "actor", "via", "action", "object_type", "object_id", "object_repr", "changes", "batch"],
        (
            (at, actor_id, via, action, object_type, pk, text[:200], changes, batch)
            for pk, text, changes in entries
        ),
    )


def event_rows(
    *,
    event_type: str,
    object_type: str,
    entries: Iterable[tuple[int | None, dict[str, Any]]],
    actor: Any,
    via: str,
) -> int:
    """One domain event per ``(object_id, payload)`` in the caller's transaction (the outbox, in bulk)."""
    at = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    return insert_rows(
        DomainEvent,
        ["event_type", "occurred_at", "actor", "via", "object_type", "object_id", "payload"],
        ((event_type, at, actor_id, via, object_type, pk, payload) for pk, payload in entries),
    )
