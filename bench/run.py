"""``make bench``: Kizuna's benchmarks, each on a fresh database, SQLite and (where it answers) PostgreSQL.

Demo load: ``kizuna demo`` with 1,000,000 contacts (target: under 3 minutes on each database) and,
in the same run, the baseline the foundation issue names — the same rows through Django's
``bulk_create`` — on 50,000 contacts. Results go to ``bench/results/<timestamp>.json`` and a
Markdown table is printed for docs/benchmarks.md.

UI pages (bench/bench_ui.py): server time of the main web pages at 1,000,000 contacts (target:
median ≤ 50 ms per page), on a fresh database loaded with the demo data.

Import (bench/bench_import.py): ``kizuna import contacts`` of a dirty 1,000,000-row CP932 file, dry run
and commit (targets: 40,000 and 20,000 rows/s, peak memory under 500 MB), with the floor: a plain
bulk load of the already-clean rows into the same table.

Options (environment): BENCH_CONTACTS (default 1000000), BENCH_BASELINE_CONTACTS (default 50000),
BENCH_UI_CONTACTS (default 1000000), BENCH_IMPORT_ROWS (default 1000000), BENCH_SUITES (default
"demo,ui,import"),
BENCH_DATABASES (default "sqlite,postgresql"), KIZUNA_BENCH_POSTGRESQL_URL (default
postgresql://postgres@127.0.0.1:5432/postgres; a database ``kizuna_bench`` is created and dropped).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 180


def _machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


class Database:
    """A fresh, empty database per measurement."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        base = os.environ.get("KIZUNA_BENCH_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        self.admin_url = base
        self.sqlite_path = RESULTS / "bench.sqlite3"

    def available(self) -> bool:
        if self.vendor == "sqlite":
            return True
        import psycopg

        try:
            psycopg.connect(self.admin_url, connect_timeout=3).close()
        except psycopg.Error as exc:
            print(f"PostgreSQL does not answer ({exc}); skipped", file=sys.stderr)
            return False
        return True

    def reset(self) -> str:
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{self.sqlite_path}"
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS kizuna_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE kizuna_bench")
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path="/kizuna_bench"))

    def drop(self) -> None:
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS kizuna_bench WITH (FORCE)")


def _measure(db: Database, writer: str, contacts: int) -> dict[str, object]:
    url = db.reset()
    env = {**os.environ, "DATABASE_URL": url, "KIZUNA_VAR_DIR": str(RESULTS / "var")}
    command = [sys.executable, str(ROOT / "bench" / "bench_demo.py"), "--writer", writer]
    command += ["--contacts", str(contacts)]
    print(f"  {db.vendor:<10} {writer:<12} {contacts:>9,} contacts …", end="", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(" FAILED")
        print(done.stderr, file=sys.stderr)
        raise SystemExit(1)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 1)
    print(f" {result['seconds']:.1f} s, {result['rows']:,} rows, {result['rows_per_second']:,} rows/s")
    return result


def _markdown(machine: dict[str, str], results: list[dict[str, object]]) -> str:
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}, Python {machine['python']}.",
        "",
        "| Database | Writer | Contacts | Rows (all tables) | Seconds | Rows/s | 1M contacts (projected) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        seconds = float(str(r["seconds"]))
        projected = seconds * 1_000_000 / int(str(r["contacts"]))
        verdict = "✅" if projected < TARGET_SECONDS else "❌"
        lines.append(
            f"| {r['server']} | {r['writer']} | {int(str(r['contacts'])):,} | {int(str(r['rows'])):,} "
            f"| {seconds:.1f} | {int(str(r['rows_per_second'])):,} | {projected:.0f} s {verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    suites = os.environ.get("BENCH_SUITES", "demo,ui,import").split(",")
    vendors = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    machine = _machine()
    ok = _demo_benchmark(machine, vendors) if "demo" in suites else True
    if "ui" in suites:
        ok = _ui_benchmark(machine, vendors) and ok
    if "import" in suites:
        ok = _import_benchmark(machine, vendors) and ok
    if not ok:
        raise SystemExit(1)


def _ui_benchmark(machine: dict[str, str], vendors: list[str]) -> bool:
    import bench_ui

    contacts = int(os.environ.get("BENCH_UI_CONTACTS", "1000000"))
    print(f"\nUI page benchmark on {machine['cpu']} ({machine['cores']} cores, {machine['memory']})")
    results = bench_ui.run_section([Database(v.strip()) for v in vendors], contacts, RESULTS / "var")
    out = RESULTS / f"ui-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=2))
    print()
    print(bench_ui.markdown(results))
    print(f"\n(raw results: {out.relative_to(ROOT)})")
    missed = bench_ui.missed(results)
    if missed and contacts >= 1_000_000:
        print(f"Target missed (median ≤ {bench_ui.TARGET_MS:.0f} ms): " + "; ".join(missed), file=sys.stderr)
        return False
    return True


def _import_benchmark(machine: dict[str, str], vendors: list[str]) -> bool:
    """kizuna import of a dirty CP932 contact file (dry run and commit) and the plain bulk-load floor."""
    import bench_import
    import import_file

    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    print(
        f"\nImport benchmark on {machine['cpu']} ({machine['cores']} cores, {machine['memory']}): {rows:,} rows"
    )
    csv_path = RESULTS / f"contacts-{rows}.csv"
    if not csv_path.exists():
        import_file.write(csv_path, rows)
    results = []
    for vendor in vendors:
        db, floor = Database(vendor.strip()), Database(vendor.strip())
        if not db.available():
            continue
        floor.sqlite_path = RESULTS / "bench-floor.sqlite3"
        try:
            url = db.reset()
            floor_url = floor.reset() if vendor.strip() == "sqlite" else _second_database(db)
            result = bench_import.measure(url, floor_url, rows, RESULTS / "import-var", csv_path)
            result["server"] = vendor.strip()
            results.append(result)
            print(f"  {vendor}: {json.dumps(result, ensure_ascii=False)}")
        finally:
            db.drop()
            floor.drop()
            _drop_second_database(db)
    out = RESULTS / f"import-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=2))
    print(f"\n(raw results: {out.relative_to(ROOT)})")
    missed = [
        f"{r['server']}: commit {r['commit_rows_per_second']:,} rows/s, dry run {r['dry_run_rows_per_second']:,}"
        for r in results
        if int(str(r["commit_rows_per_second"])) < bench_import.TARGET_COMMIT
        or int(str(r["dry_run_rows_per_second"])) < bench_import.TARGET_DRY_RUN
    ]
    if missed and rows >= 1_000_000:
        print("Import targets missed: " + "; ".join(missed), file=sys.stderr)
        return False
    return True


def _second_database(db: Database) -> str:
    import psycopg

    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kizuna_bench_floor WITH (FORCE)")
        conn.execute("CREATE DATABASE kizuna_bench_floor")
    return urlunsplit(urlsplit(db.admin_url)._replace(path="/kizuna_bench_floor"))


def _drop_second_database(db: Database) -> None:
    if db.vendor != "postgresql":
        return
    import psycopg

    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kizuna_bench_floor WITH (FORCE)")


def _demo_benchmark(machine: dict[str, str], vendors: list[str]) -> bool:
    contacts = int(os.environ.get("BENCH_CONTACTS", "1000000"))
    baseline = int(os.environ.get("BENCH_BASELINE_CONTACTS", "50000"))
    print(f"Demo load benchmark on {machine['cpu']} ({machine['cores']} cores, {machine['memory']})")
    results = []
    for vendor in vendors:
        db = Database(vendor.strip())
        if not db.available():
            continue
        try:
            results.append(_measure(db, "kizuna", contacts))
            results.append(_measure(db, "bulk_create", baseline))
        finally:
            db.drop()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"demo-{stamp}.json"
    out.write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=2))
    print()
    print(_markdown(machine, results))
    print(f"\n(raw results: {out.relative_to(ROOT)})")
    failed = [r for r in results if r["writer"] == "kizuna" and float(str(r["seconds"])) >= TARGET_SECONDS]
    if failed and contacts >= 1_000_000:
        print(f"Target missed: 1,000,000 contacts must load in under {TARGET_SECONDS} s", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    main()
