"""Where a demo load spends its time: seconds per writer phase, on the database of DATABASE_URL.

    DATABASE_URL=sqlite:////tmp/phases.sqlite3 .venv/bin/python bench/demo_phases.py 1000000

Use an empty database; the rest of the wall time is spent waiting for the generator process.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")

PHASES = ("write", "suspend_indexes", "restore_indexes", "finish", "next_ids")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from kizuna.demo import generator, writers

    call_command("migrate", verbosity=0)
    spent: dict[str, float] = dict.fromkeys(PHASES, 0.0)

    def timed(name: str, method: Any) -> Any:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    for cls in (writers.SQLiteWriter, writers.PostgreSQLWriter):
        for name in PHASES:
            setattr(cls, name, timed(name, getattr(cls, name)))
    contacts = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    result = generator.load_demo(contacts=contacts)
    rest = result.seconds - sum(spent.values())
    print(f"{result.database}: {contacts:,} contacts in {result.seconds:.1f} s")
    for name, seconds in spent.items():
        print(f"  {name:<16} {seconds:6.1f} s")
    print(f"  {'other/waiting':<16} {rest:6.1f} s")


if __name__ == "__main__":  # the generator process is spawned and imports this module
    main()
