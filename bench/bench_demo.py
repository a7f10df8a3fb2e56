"""One demo-load measurement on one fresh database; prints a JSON line. Run by ``bench/run.py``.

    DATABASE_URL=... python bench/bench_demo.py --writer kizuna --contacts 1000000
    DATABASE_URL=... python bench/bench_demo.py --writer bulk_create --contacts 50000

``kizuna`` is ``kizuna demo`` itself (COPY on PostgreSQL, executemany on SQLite). ``bulk_create`` is
the baseline the foundation issue names: the very same generated rows written with Django's
``Model.objects.bulk_create`` (default batch size), in one transaction, with the indexes in place.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")


class BulkCreateWriter:
    """The baseline: build model instances from the generated rows and ``bulk_create`` them."""

    def __init__(self, delegate_ids: object) -> None:
        self._ids = delegate_ids

    def next_ids(self) -> dict[str, int]:
        return self._ids.next_ids()  # type: ignore[attr-defined, no-any-return]

    def suspend_indexes(self) -> None:
        return None

    def restore_indexes(self) -> None:
        return None

    def write(self, key: str, rows: list[tuple[object, ...]]) -> None:
        from kizuna.demo.writers import TABLES

        model, attnames = TABLES[key]
        model._default_manager.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows])

    def finish(self, written: Mapping[str, int]) -> None:
        self._ids.finish(written)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writer", choices=["kizuna", "bulk_create"], required=True)
    parser.add_argument("--contacts", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from kizuna.demo import generator

    if args.writer == "kizuna":
        result = generator.load_demo(contacts=args.contacts, seed=args.seed)
    else:
        # The generated timestamps are naive UTC text; Django warns once per value when it parses them.
        warnings.simplefilter("ignore", RuntimeWarning)
        original = generator.make_writer
        generator.make_writer = lambda: BulkCreateWriter(original())  # type: ignore[assignment]
        try:
            result = generator.load_demo(contacts=args.contacts, seed=args.seed, parallel=False)
        finally:
            generator.make_writer = original
    out = result.as_dict()
    out.update(writer=args.writer, vendor=connection.vendor, server=_server_version(connection))
    print(json.dumps(out, ensure_ascii=False))


def _server_version(connection: object) -> str:
    vendor = connection.vendor  # type: ignore[attr-defined]
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


if __name__ == "__main__":
    main()
