"""Pages ordered "ascending, empty values last" that an index can serve on SQLite too.

``ORDER BY due ASC NULLS LAST`` is the natural order of a queue (first due first, undated last),
and PostgreSQL reads it straight from a B-tree index. SQLite stores NULLs first, so it sorts every
matching row instead: for the deal board that was 60,000 deals a column at a million contacts.
:func:`nulls_last_slice` asks for the dated rows in index order and, only when the page reaches past
them, for the undated ones by id: the same rows in the same order, each part index-ordered.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def nulls_last_slice(qs: QuerySet[M], field: str, start: int, stop: int) -> list[M]:
    """Rows ``start:stop`` of ``qs`` ordered by ``field`` ascending (empty last), then by id."""
    size = stop - start
    if size <= 0:
        return []
    dated = qs.filter(**{f"{field}__isnull": False}).order_by(field, "id")
    rows = list(dated[start:stop])
    if len(rows) == size:
        return rows
    # The page reaches the undated rows: skip as many of them as the page starts past the dated ones.
    skip = 0 if rows else max(start - dated.count(), 0)
    undated = qs.filter(**{f"{field}__isnull": True}).order_by("id")
    return rows + list(undated[skip : skip + size - len(rows)])


SMALL_SET = 2000


def narrow_when_small(qs: QuerySet[M], *, limit: int = SMALL_SET) -> QuerySet[M]:
    """``qs`` restricted to the ids it matches when they are at most ``limit``; else ``qs`` unchanged.

    A list page wants the first rows in a sort order. When the filters (or the user's visibility)
    leave many rows, walking the sort index finds them at once; when they leave few, the walk reads
    the whole index for nothing (a sales user who sees none of a million tickets). SQLite's planner
    only knows averages per index and cannot tell the two apart, so ask: the ids without an order,
    which the filter's own indexes return quickly, up to ``limit``. Few ids: sort just those.
    """
    ids = list(qs.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) > limit:
        return qs
    return qs.filter(pk__in=ids)
