"""Import benchmark: a Japanese contact CSV in CP932 with realistic dirt (bench/import_file.py),
imported by ``kizuna import contacts`` into a fresh database — dry run, then commit — with the
importer's peak memory; and, in the same run, the floor the issue names: a plain bulk load of the
already-clean rows into the same table (PostgreSQL COPY; SQLite executemany in one transaction).

Run by ``bench/run.py`` (suite "import"); alone: ``python bench/bench_import.py --rows N --database-url URL``
prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_COMMIT = 20_000  # rows/s, end to end
TARGET_DRY_RUN = 40_000
TARGET_MEMORY_MB = 500


_WRAPPER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)"
)


def _kizuna(env: dict[str, str], *args: str) -> tuple[float, int, str]:
    """Run ``kizuna ARGS`` in a wrapper process of its own: (seconds, peak RSS in MB of the largest of
    the importer and its worker processes, stdout)."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "kizuna.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some rows rejected, which the dirty file has
        raise SystemExit(f"kizuna {' '.join(args)} failed:\n{done.stderr}")
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kib // 1024, done.stdout


def _floor(env: dict[str, str], source_url: str, target_url: str) -> dict[str, object]:
    """Bulk-load the contacts the import wrote, as they are, into the same table of a fresh database."""
    target_env = {**env, "DATABASE_URL": target_url}
    subprocess.run(
        [sys.executable, "-m", "kizuna.cli", "migrate", "--no-input", "-v0"], env=target_env, check=True
    )  # noqa: S603
    script = ROOT / "bench" / "bench_import.py"
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(script), "--floor", "--source-url", source_url, "--database-url", target_url],
        env=target_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"floor load failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _source_rows(source_url: str, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {names} FROM "{table}" ORDER BY id'  # noqa: S608 - names from the model
    if source_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(source_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(source_url) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


def floor_load(source_url: str) -> None:
    """(In its own process, connected to a fresh database.) Copy the users and companies untimed, then
    load every contact row of the source with COPY / executemany in one transaction; print the rate."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")
    django.setup()
    from django.db import connection, transaction

    from kizuna.accounts.models import User
    from kizuna.customers.models import Company, Contact

    def load(model: type, rows: list[tuple[object, ...]], columns: list[str]) -> float:
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = 0")  # one COPY of a million rows
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        return time.perf_counter() - started

    def as_text(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        # psycopg reads jsonb columns as dicts and lists; COPY takes their JSON text.
        return [
            tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for v in r)
            for r in rows
        ]

    for model in (User, Company):
        columns = [f.column for f in model._meta.concrete_fields]
        load(model, as_text(_source_rows(source_url, model._meta.db_table, columns)), columns)
    columns = [f.column for f in Contact._meta.concrete_fields]
    rows = as_text(_source_rows(source_url, Contact._meta.db_table, columns))
    seconds = load(Contact, rows, columns)
    print(
        json.dumps(
            {"rows": len(rows), "seconds": round(seconds, 2), "rows_per_second": round(len(rows) / seconds)}
        )
    )


def measure(database_url: str, floor_url: str, rows: int, var_dir: Path, csv_path: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KIZUNA_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "kizuna.settings",
    }
    subprocess.run([sys.executable, "-m", "kizuna.cli", "migrate", "--no-input", "-v0"], env=env, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kizuna.cli", "createuser", "bench", "--role=administrator", "--password=bench-password-1"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    dry_seconds, dry_peak, dry_out = _kizuna(
        env, "import", "contacts", str(csv_path), "--dry-run", "--format=json", "--user=bench"
    )
    commit_seconds, commit_peak, commit_out = _kizuna(
        env, "import", "contacts", str(csv_path), "--format=json", "--user=bench"
    )
    report = json.loads(commit_out)
    dry = json.loads(dry_out)
    try:
        floor = _floor(env, database_url, floor_url)
    except SystemExit as failed:  # the import figures stand without it
        floor = {"rows": 0, "seconds": 0, "rows_per_second": 0, "error": str(failed)[-500:]}
    return {
        "rows": rows,
        "dry_run_seconds": round(dry_seconds, 1),
        "dry_run_rows_per_second": round(rows / dry_seconds),
        "dry_run_peak_mb": dry_peak,
        "commit_seconds": round(commit_seconds, 1),
        "commit_rows_per_second": round(rows / commit_seconds),
        "commit_peak_mb": commit_peak,
        "created": report["counts"].get("created", 0),
        "invalid": report["counts"].get("invalid", 0),
        "verified": report["report"].get("verified"),
        "dry_run_counts": dry["counts"],
        "floor_rows": floor["rows"],
        "floor_seconds": floor["seconds"],
        "floor_rows_per_second": floor["rows_per_second"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--source-url", default="")
    parser.add_argument("--floor-url", default="")
    parser.add_argument("--csv", default="")
    args = parser.parse_args()
    if args.floor:
        os.environ["DATABASE_URL"] = args.database_url
        floor_load(args.source_url)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    import import_file

    var_dir = ROOT / "bench" / "results" / "import-var"
    csv_path = Path(args.csv) if args.csv else ROOT / "bench" / "results" / f"contacts-{args.rows}.csv"
    if not csv_path.exists():
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        import_file.write(csv_path, args.rows)
    print(json.dumps(measure(args.database_url, args.floor_url, args.rows, var_dir, csv_path)))


if __name__ == "__main__":
    main()
