"""Load realistic Japanese demo data in bulk: ``load_demo(contacts=1_000_000)``.

Per contact, roughly: 0.2 companies, 0.3 deals (with stage history), 0.5 orders (1–3 lines each),
0.2 tickets, 0.1 feedback, 1 activity, 0.2 tasks, and tags on 10% of contacts. Rows are generated in
chunks from pre-built pools with a seeded ``random.Random`` (same seed, same data) and written with
the engine's bulk path (see ``writers``), all in one transaction with a single ``demo.loaded`` event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import connection, transaction

from kizuna.core import events
from kizuna.core.models import EntryPoint

from . import pipeline
from .pools import Dice, Pools, build_pools
from .reference import ensure_reference
from .spec import GenerationSpec, Reference
from .writers import TABLES, BulkWriter, make_writer, sqlite_tuning

CHUNK_SIZE: Final = 50_000
EVENT_TYPE: Final = "demo.loaded"

ProgressCallback = Callable[[int], None]


@dataclass(slots=True)
class DemoResult:
    """What a load wrote: rows per table (model label -> count), timing and the seed used."""

    contacts: int
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    users_created: int = 0
    database: str = ""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "loaded": True,
            "database": self.database,
            "contacts": self.contacts,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "rows": self.rows,
            "rows_per_second": round(self.rows_per_second),
            "users_created": self.users_created,
            "tables": self.counts,
        }


def _taken_corporate_numbers(first_company_id: int, companies: int) -> set[str]:
    """Corporate numbers already stored that the load could generate (same registry office digits)."""
    from django.db.models.functions import Substr

    from kizuna.customers.models import Company

    millions = range(first_company_id // 1_000_000, (first_company_id + companies) // 1_000_000 + 1)
    offices = {f"{1000 + million % 9000:04d}" for million in millions}
    return {
        number
        for number in Company.objects.exclude(corporate_number=None)
        .annotate(office=Substr("corporate_number", 2, 4))
        .filter(office__in=offices)
        .values_list("corporate_number", flat=True)
        if number
    }


def _write_all(
    writer: BulkWriter, spec: GenerationSpec, parallel: bool, progress: ProgressCallback | None
) -> dict[str, int]:
    written = dict.fromkeys(TABLES, 0)
    writer.suspend_indexes()
    source = pipeline.rows_in_subprocess(spec) if parallel else pipeline.rows_inline(spec)
    for key, rows in source:
        writer.write(key, rows)
        written[key] += len(rows)
        if key == pipeline.LAST_TABLE and progress is not None:
            progress(written["contact"])
    writer.restore_indexes()
    writer.finish(written)
    return written


def _spec(
    writer: BulkWriter, *, contacts: int, seed: int, chunk_size: int, pools: Pools, ref: Reference
) -> GenerationSpec:
    first_ids = writer.next_ids()
    companies = pipeline.share(contacts, "company") + contacts // chunk_size + 1
    return GenerationSpec(
        seed=seed,
        contacts=contacts,
        chunk_size=chunk_size,
        now=int(time.time()),
        pools=pools,
        ref=ref,
        first_ids=first_ids,
        taken_numbers=frozenset(_taken_corporate_numbers(first_ids["company"], companies)),
    )


def load_demo(
    *,
    contacts: int,
    seed: int = 1,
    password: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    parallel: bool | None = None,
    progress: ProgressCallback | None = None,
) -> DemoResult:
    """Load ``contacts`` demo contacts with their related records; all or nothing, one event.

    ``parallel`` generates rows in a second process (default: when there is more than one chunk).
    """
    started = time.perf_counter()
    pools = build_pools(seed)
    result = DemoResult(contacts=contacts, seed=seed, database=connection.vendor)
    if parallel is None:
        parallel = contacts > chunk_size
    with sqlite_tuning(), transaction.atomic():
        # A stream of its own for the users' display names, so the rows do not depend on them.
        ref = ensure_reference(dice=Dice(seed ^ 0x0EF), pools=pools, password=password)
        writer = make_writer()
        spec = _spec(writer, contacts=contacts, seed=seed, chunk_size=chunk_size, pools=pools, ref=ref)
        written = _write_all(writer, spec, parallel, progress)
        result.counts = {TABLES[key][0]._meta.label_lower: n for key, n in written.items()}
        result.users_created = ref.created_users
        # One summary event instead of an audit entry and an event per row: a bulk seed is not a
        # user's action, and a million audit rows would only bury the real history.
        events.emit(
            EVENT_TYPE,
            via=EntryPoint.CLI,
            object_type="demo",
            payload={"contacts": contacts, "seed": seed, "counts": result.counts},
        )
    result.seconds = time.perf_counter() - started
    return result


def has_contacts() -> bool:
    from kizuna.customers.models import Contact

    return Contact.objects.exists()
