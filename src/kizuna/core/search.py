"""The search index behind every search box: fast substring search in Japanese at a million records.

A searchable model stores a search document (:mod:`kizuna.core.normalize.search`) in its
``search_text`` column; the database indexes its tokens:

- SQLite: an FTS5 table ``<table>_fts`` with the ``ascii`` tokenizer (tokens are split on ASCII
  spaces and punctuation only, so Japanese grams stay whole), kept in step by three triggers. It
  reads its text from the table (external content) and stores only which rows hold each token
  (``detail=none``): the LIKE patterns, not token positions, make the match exact;
- PostgreSQL: a GIN index on ``array_to_tsvector(string_to_array(search_text, ' '))``.

:func:`search_filter` narrows a queryset: the index finds the candidates (every term of the query),
LIKE patterns on ``search_text`` make the match exact. When the terms match so many rows that an
id list would cost more than it saves (more than :data:`CANDIDATE_LIMIT`), the patterns alone are
used: such a query is common enough that a list page finds its first rows by walking the sort order.

The index is created by the :class:`CreateSearchIndex` migration operation and checked after every
``migrate`` (:func:`ensure_search_indexes`): SQLite drops a table's triggers when Django rebuilds the
table for a schema change, and a missing trigger would leave the index silently stale.
"""

# ruff: noqa: S608 - every name in this SQL comes from model metadata, quoted; values are bound
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.operations.base import Operation
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from kizuna.core.normalize.search import SearchQuery, parse_query

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)

COLUMN = "search_text"
CANDIDATE_LIMIT = 5000
COMMON_TERM_SECONDS = 3600  # how long "this query has many candidates" is remembered (see _common)
# The models with a search document, as "app_label.ModelName" (a model lists itself here so
# ensure_search_indexes can check every index after migrate).
SEARCHABLE: tuple[str, ...] = (
    "customers.Contact",
    "customers.Company",
    "sales.Deal",
    "support.Ticket",
)


def _quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return str(connection.ops.quote_name(name))


def fts_table(table: str) -> str:
    return f"{table}_fts"


def _pg_index(table: str) -> str:
    return f"{table}_search_gin"


def _pg_expression(column: str = COLUMN) -> str:
    return f"array_to_tsvector(string_to_array({column}, ' '))"


# SQLite: tables whose new rows a bulk write indexes itself, in one statement: FTS5 indexes rows fed
# by INSERT … SELECT a hundred times faster than one trigger call per row. A bulk write adds its
# table here and removes it within its own transaction, and SQLite has one writer at a time, so no
# other connection ever sees the row: for everyone else the trigger indexes every insert as before.
DEFERRED = "kizuna_search_deferred"


def _sqlite_triggers(table: str) -> dict[str, str]:
    fts, t, c = f'"{fts_table(table)}"', f'"{table}"', COLUMN
    delete = f"INSERT INTO {fts}({fts}, rowid, {c}) VALUES ('delete', old.id, old.{c});"
    insert = f"INSERT INTO {fts}(rowid, {c}) VALUES (new.id, new.{c});"
    unless_deferred = f"WHEN NOT EXISTS (SELECT 1 FROM {DEFERRED} WHERE tbl = '{table}')"
    return {
        f"{table}_fts_ai": f"AFTER INSERT ON {t} {unless_deferred} BEGIN {insert} END",
        f"{table}_fts_ad": f"AFTER DELETE ON {t} BEGIN {delete} END",
        f"{table}_fts_au": f"AFTER UPDATE OF {c} ON {t} BEGIN {delete} {insert} END",
    }


def create_index(connection: BaseDatabaseWrapper, table: str) -> None:
    """Create the search index of ``table`` (idempotent) and index the rows already there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = _quote(connection, fts_table(table))
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({COLUMN}, "
                f"content={_quote(connection, table)}, content_rowid='id', tokenize='ascii', detail=none, columnsize=0)"
            )
            create_triggers(connection, table)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {_quote(connection, _pg_index(table))} "
                f"ON {_quote(connection, table)} USING gin ({_pg_expression()})"
            )


def create_triggers(connection: BaseDatabaseWrapper, table: str) -> None:
    """Create ``table``'s triggers, replacing any whose definition is not the current one."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {DEFERRED} (tbl TEXT PRIMARY KEY)")
        current = _trigger_sql(connection, table)
        for name, body in _sqlite_triggers(table).items():
            if name in current and current[name] != _trigger_statement(name, body):
                cursor.execute(f"DROP TRIGGER {_quote(connection, name)}")
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {_quote(connection, name)} {body}")


def _trigger_statement(name: str, body: str) -> str:
    return f'CREATE TRIGGER "{name}" {body}'


def _trigger_sql(connection: BaseDatabaseWrapper, table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
        )
        return dict(cursor.fetchall())


def _deferrable(connection: BaseDatabaseWrapper, table: str) -> bool:
    name = f"{table}_fts_ai"
    return _trigger_sql(connection, table).get(name) == _trigger_statement(
        name, _sqlite_triggers(table)[name]
    )


def insert_indexed(model: type[models.Model], ids: list[int], insert: Any) -> None:
    """Run ``insert()`` (a bulk insert of the rows ``ids``, a contiguous range this transaction
    allocated) and index those rows in one statement on SQLite; elsewhere just ``insert()``."""
    connection = connections["default"]
    label = f"{model._meta.app_label}.{model.__name__}"
    if connection.vendor != "sqlite" or label not in SEARCHABLE or not ids:
        insert()
        return
    table = model._meta.db_table
    if not _deferrable(connection, table):
        insert()  # triggers of an older definition (before migrate): they index every row themselves
        return
    fts = _quote(connection, fts_table(table))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {DEFERRED} (tbl) VALUES (%s)", [table])
        try:
            insert()
            cursor.execute(
                f"INSERT INTO {fts}(rowid, {COLUMN}) SELECT id, {COLUMN} FROM {_quote(connection, table)} "
                "WHERE id BETWEEN %s AND %s",
                [min(ids), max(ids)],
            )
        finally:
            cursor.execute(f"DELETE FROM {DEFERRED} WHERE tbl = %s", [table])


def drop_index(connection: BaseDatabaseWrapper, table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            drop_triggers(connection, table)
            cursor.execute(f"DROP TABLE IF EXISTS {_quote(connection, fts_table(table))}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {_quote(connection, _pg_index(table))}")


def drop_triggers(connection: BaseDatabaseWrapper, table: str) -> None:
    """SQLite: stop maintaining the index row by row (a bulk load calls :func:`rebuild` afterwards)."""
    with connection.cursor() as cursor:
        for name in _sqlite_triggers(table):
            cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(connection, name)}")


def rebuild(connection: BaseDatabaseWrapper, table: str) -> None:
    """SQLite: re-create the triggers and re-index every row of ``table`` from its ``search_text``."""
    if connection.vendor != "sqlite":
        return
    create_triggers(connection, table)
    fts = _quote(connection, fts_table(table))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def missing_parts(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    """What of ``table``'s search index is missing (empty: complete)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE (type = 'table' AND name = %s)"
                " OR (type = 'trigger' AND tbl_name = %s)",
                [fts_table(table), table],
            )
            found = {row[0] for row in cursor.fetchall()}
            current = _trigger_sql(connection, table)
            outdated = [
                name
                for name, body in _sqlite_triggers(table).items()
                if name in current and current[name] != _trigger_statement(name, body)
            ]
            return [
                name for name in (fts_table(table), *_sqlite_triggers(table)) if name not in found
            ] + outdated
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [_pg_index(table)])
            return [] if cursor.fetchone() else [_pg_index(table)]
    return []


def ensure_search_indexes(using: str = "default", **_: Any) -> list[str]:
    """Re-create any missing search index part (and re-index) after ``migrate``; returns the tables fixed."""
    connection = connections[using]
    fixed = []
    existing = set(connection.introspection.table_names())
    for label in SEARCHABLE:
        table = apps.get_model(label)._meta.db_table
        if table not in existing:
            continue  # migrated backwards past the model, or not migrated yet
        missing = missing_parts(connection, table)
        if missing:
            logger.warning("search index of %s incomplete (%s): rebuilding", table, ", ".join(missing))
            create_index(connection, table)
            fixed.append(table)
    return fixed


class CreateSearchIndex(Operation):
    """Migration operation: the search index of a model's ``search_text`` on SQLite and PostgreSQL."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None  # the index lives outside Django's model state

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        create_index(schema_editor.connection, model._meta.db_table)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        drop_index(schema_editor.connection, model._meta.db_table)

    def describe(self) -> str:
        return f"Create the search index of {self.model_name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [], {"model_name": self.model_name}


def refresh_documents(qs: QuerySet[Any], *, batch_size: int = 1000) -> int:
    """Store the current search document of every row of ``qs`` whose document changed; returns how many.

    For changes a record's own update does not see: a company renamed or deleted changes the documents
    of its contacts and deals. Fetch related objects the documents read with ``select_related``.
    """
    changed = []
    updated = 0
    for obj in qs.iterator(chunk_size=batch_size):
        document = obj.search_document()
        if document != obj.search_text:
            obj.search_text = document
            changed.append(obj)
        if len(changed) >= batch_size:
            updated += len(changed)
            qs.model._default_manager.bulk_update(changed, ["search_text"])
            changed = []
    if changed:
        updated += len(changed)
        qs.model._default_manager.bulk_update(changed, ["search_text"])
    return updated


def fill_documents(
    model: type[models.Model],
    parts: Any,
    *,
    using: str = "default",
    related: tuple[str, ...] = (),
    batch_size: int = 5000,
) -> int:
    """Migrations: write ``search_document(parts(row))`` into every row of ``model`` (a historical model).

    Batched by id with one ``executemany`` per batch, so a million rows take a minute, not an hour.
    """
    from kizuna.core.normalize.search import search_document

    connection = connections[using]
    table = _quote(connection, model._meta.db_table)
    sql = f"UPDATE {table} SET {COLUMN} = %s WHERE id = %s"
    manager = model._base_manager.using(using)
    last, written = 0, 0
    while True:
        rows = list(manager.filter(pk__gt=last).select_related(*related).order_by("pk")[:batch_size])
        if not rows:
            return written
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(search_document(parts(row)), row.pk) for row in rows])
        written += len(rows)
        last = rows[-1].pk


def refresh_related_documents(obj: models.Model) -> int:
    """Refresh the documents of the searchable records pointing at ``obj`` (a renamed company's contacts)."""
    from kizuna.core.models import SearchableModel

    updated = 0
    for relation in obj._meta.related_objects:
        related = relation.related_model
        if relation.one_to_many and isinstance(related, type) and issubclass(related, SearchableModel):
            field = relation.field
            qs = related._default_manager.filter(**{field.name: obj}).select_related(field.name)
            updated += refresh_documents(qs)
    return updated


# --- Queries -------------------------------------------------------------------------------------


def _match_sql(connection: BaseDatabaseWrapper, table: str, query: SearchQuery) -> tuple[str, list[Any]]:
    """SQL selecting the ids whose index holds every term of ``query``."""
    if connection.vendor == "sqlite":
        fts = _quote(connection, fts_table(table))
        expression = " AND ".join(f'"{token}"' + ("*" if prefix else "") for token, prefix in query.terms)
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [expression]
    if connection.vendor == "postgresql":
        return f"SELECT id FROM {_quote(connection, table)} WHERE {_pg_match(connection, table, query)}", [
            _pg_tsquery(query)
        ]
    raise NotImplementedError(f"no search index on {connection.vendor}")


def _pg_tsquery(query: SearchQuery) -> str:
    return " & ".join(f"'{token}'" + (":*" if prefix else "") for token, prefix in query.terms)


def _pg_match(connection: BaseDatabaseWrapper, table: str, query: SearchQuery) -> str:
    column = f"{_quote(connection, table)}.{_quote(connection, COLUMN)}"
    return f"{_pg_expression(column)} @@ %s::tsquery"


def _index_condition(connection: BaseDatabaseWrapper, table: str, query: SearchQuery) -> Q | RawSQL:
    """The rows whose index holds every term of ``query``, as a condition on ``table``'s own rows.

    PostgreSQL: the GIN expression itself, so the planner reads the index and the table once (a
    bitmap scan) and estimates it from the index's statistics; an ``id IN (…)`` subquery made it
    scan the whole table for the LIKE patterns instead (160 ms for a company search). SQLite: the
    rowids of the FTS table's match.
    """
    if connection.vendor == "postgresql":
        match = _pg_match(connection, table, query)
        return RawSQL(match, [_pg_tsquery(query)], output_field=models.BooleanField())  # noqa: S611 - bound
    sql, params = _match_sql(connection, table, query)
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 - parameters bound, names from model meta


def _pattern_q(patterns: Iterable[tuple[str, bool]]) -> Q:
    condition = Q()
    for text, word_start in patterns:
        if word_start:
            condition &= Q(**{f"{COLUMN}__startswith": text}) | Q(**{f"{COLUMN}__contains": " " + text})
        else:
            condition &= Q(**{f"{COLUMN}__contains": text})
    return condition


def _common(connection: BaseDatabaseWrapper, table: str, query: SearchQuery, limit: int) -> bool:
    """Does the index hold more than ``limit`` candidates for ``query``?

    A "yes" is remembered for an hour (per database, table and terms): asking costs a scan of the
    index entries of common grams (some 25 ms for さとう at a million contacts on PostgreSQL), and a
    word stays common. A stale answer only chooses the slower of two plans that return the same
    rows, so it can never change a result. A "no" is cheap to ask and is asked every time.
    """
    terms = " ".join(f"{token}{'*' if prefix else ''}" for token, prefix in query.terms)
    digest = hashlib.sha256(
        f"{connection.settings_dict['NAME']}|{table}|{terms}|{limit}".encode()
    ).hexdigest()
    key = f"search:common:{digest[:32]}"
    if cache.get(key):
        return True
    sql, params = _match_sql(connection, table, query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {int(limit) + 1}) AS candidates", params)
        found = int(cursor.fetchone()[0])
    if found > limit:
        cache.set(key, True, COMMON_TERM_SECONDS)
        return True
    return False


def search_filter(qs: QuerySet[M], text: str, *, candidate_limit: int = CANDIDATE_LIMIT) -> QuerySet[M]:
    """``qs`` narrowed to records whose search document matches ``text`` (every word of it)."""
    query = parse_query(text)
    if not query:
        return qs
    qs = qs.filter(_pattern_q(query.patterns))
    if not query.terms:
        return qs
    connection = connections[qs.db]
    table = qs.model._meta.db_table
    if _common(connection, table, query, candidate_limit):
        return qs  # a common word: the patterns alone, met quickly along any sort order
    return qs.filter(_index_condition(connection, table, query))
