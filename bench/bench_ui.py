"""Server time of the main web pages on one fresh database; prints a JSON line. Run by ``bench/run.py``.

    DATABASE_URL=... python bench/bench_ui.py --contacts 1000000

Loads ``kizuna demo`` with N contacts, adds an administrator (sees everything) and a sales user in
the Tokyo sales team (sees their team's share), then requests each page in-process with Django's test
``Client``: what is timed is the server's work (middleware, view, queries, template), not a network.
For each page and user: 3 warm-up requests, then the median and 95th percentile of 20 requests, plus
the number of SQL queries of one request. A page whose URL name does not exist yet is skipped with a
note. Target: median ≤ 50 ms per page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WARMUPS = 3
REQUESTS = 20
TARGET_MS = 50.0
PASSWORD = "bench-password-4711"  # noqa: S105 - a throwaway user in a throwaway database


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    args: Callable[[dict[str, Any]], list[Any]] = lambda ctx: []
    query: str = ""
    fresh: bool = False  # empty the cache before each request (the dashboard's figures are cached)


# The pages the issue holds to 50 ms. ``ctx`` carries ids chosen after loading (the busiest contact).
PAGES: tuple[Page, ...] = (
    Page("Dashboard (figures cached)", "dashboard"),
    Page("Dashboard (figures computed)", "dashboard", fresh=True),
    Page("Contact list", "customers:contact_list"),
    Page("Contact list, kana search (common name)", "customers:contact_list", query="q=さとう"),
    Page("Contact list, kana search (no hit)", "customers:contact_list", query="q=ぬゑゐ"),
    Page("Contact list, kanji full name search", "customers:contact_list", query="q=山田太郎"),
    Page(
        "Contact list, filter (lifecycle = customer)",
        "customers:contact_list",
        query="lifecycle_status=customer",
    ),
    # A filtered list with more than one page counts its matches (up to 1,000) in a request of its own.
    Page("Count request: kana search (common name)", "customers:contact_count", query="q=さとう&last=50"),
    Page(
        "Count request: filter (lifecycle = customer)",
        "customers:contact_count",
        query="lifecycle_status=customer&last=50",
    ),
    Page("Company list", "customers:company_list"),
    Page("Company list, search", "customers:company_list", query="q=山田"),
    Page("Contact 360 (busiest contact)", "customers:contact_detail", args=lambda ctx: [ctx["busy_contact"]]),
    Page("Deal board", "sales:deal_board"),
    Page("Forecast (figures cached)", "sales:forecast"),
    Page("Forecast (figures computed)", "sales:forecast", fresh=True),
    Page("Report: sales by month (cached)", "reports:report", args=lambda ctx: ["sales-by-month"]),
    Page(
        "Report: sales by month (computed)", "reports:report", args=lambda ctx: ["sales-by-month"], fresh=True
    ),
    Page("Ticket queue", "support:ticket_list"),
    Page("Task list", "activities:task_list"),
    Page("Global search", "search", query="q=やまだ"),
)


def _setup(contacts: int, reuse: bool = False) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db.models import Count

    from kizuna.accounts.models import User
    from kizuna.accounts.services import user_create
    from kizuna.activities.models import Activity
    from kizuna.core.permissions import Role
    from kizuna.customers.models import Contact
    from kizuna.demo.generator import load_demo
    from kizuna.demo.reference import SALES_TOKYO

    call_command("migrate", verbosity=0)
    load_seconds = 0.0
    if reuse and Contact.objects.exists():
        # Development loop: time pages again on a database an earlier run loaded (kept with --reuse).
        admin = User.objects.get(username="bench_admin")
        sales = User.objects.get(username="bench_sales")
    else:
        started = time.perf_counter()
        load_demo(contacts=contacts, seed=1)
        load_seconds = time.perf_counter() - started
        admin = user_create(username="bench_admin", password=PASSWORD, role=Role.ADMINISTRATOR)
        sales = user_create(username="bench_sales", password=PASSWORD, role=Role.SALES, team_name=SALES_TOKYO)
    # The busiest contact the sales user may see too, so both users time the same record page.
    busiest = (
        Activity.objects.filter(contact__team_id=sales.team_id)
        .values("contact_id")
        .annotate(n=Count("id"))
        .order_by("-n", "contact_id")
        .first()
    )
    return {
        "users": {"administrator": admin, "sales (team)": sales},
        "busy_contact": busiest["contact_id"] if busiest else 1,
        "busy_contact_activities": busiest["n"] if busiest else 0,
        "load_seconds": round(load_seconds, 1),
    }


def _time_page(client: Any, url: str, fresh: bool = False) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> Any:
        if fresh:
            cache.clear()
        return client.get(url)

    for _ in range(WARMUPS):
        response = get()
        if response.status_code != 200:
            return {"status": response.status_code}
    with CaptureQueriesContext(connection) as queries:
        get()
    # Read now: captured_queries is a view on the live log, which the next request clears.
    query_count = len(queries)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        get()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return {
        "status": 200,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(p95, 1),
        "queries": query_count,
        "sql_ms": round(sql_ms, 1),  # of the one counted request, with the debug cursor's own overhead
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, required=True)
    parser.add_argument(
        "--reuse", action="store_true", help="time pages on an already loaded database instead of loading one"
    )
    parser.add_argument("--only", default="", help="time only pages whose label contains this text")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    ctx = _setup(args.contacts, reuse=args.reuse)
    pages: list[dict[str, Any]] = []
    skipped: list[str] = []
    for page in PAGES:
        if args.only and args.only.lower() not in page.label.lower():
            continue
        try:
            url = reverse(page.url_name, args=page.args(ctx))
        except NoReverseMatch:
            skipped.append(f"{page.label} ({page.url_name} does not exist yet)")
            print(f"skipped: {page.label}: URL {page.url_name} does not exist yet", file=sys.stderr)
            continue
        if page.query:
            url = f"{url}?{page.query}"
        for role, user in ctx["users"].items():
            client = Client(raise_request_exception=False, HTTP_HOST="localhost")
            client.force_login(user)
            result = _time_page(client, url, fresh=page.fresh)
            result.update(page=page.label, url=url, user=role)
            pages.append(result)
            print(f"{page.label:<45} {role:<14} {result}", file=sys.stderr)
    from bench_demo import _server_version  # the same label as the demo benchmark

    out = {
        "contacts": args.contacts,
        "vendor": connection.vendor,
        "server": _server_version(connection),
        "load_seconds": ctx["load_seconds"],
        "busy_contact_activities": ctx["busy_contact_activities"],
        "warmups": WARMUPS,
        "requests": REQUESTS,
        "pages": pages,
        "skipped": skipped,
    }
    print(json.dumps(out, ensure_ascii=False))


# --- In bench/run.py's process: one subprocess per fresh database, then the table. ------------------


def run_section(databases: Iterable[Any], contacts: int, var_dir: Path) -> list[dict[str, Any]]:
    """Measure on each available database (``run.Database``: reset/drop); returns the parsed results."""
    results = []
    for db in databases:
        if not db.available():
            continue
        url = db.reset()
        env = {**os.environ, "DATABASE_URL": url, "KIZUNA_VAR_DIR": str(var_dir)}
        command = [sys.executable, str(Path(__file__)), "--contacts", str(contacts)]
        print(f"  {db.vendor:<10} UI pages at {contacts:>9,} contacts …", flush=True)
        try:
            # Progress lines (stderr) go straight to the terminal; the JSON result comes on stdout.
            done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
        finally:
            db.drop()
        if done.returncode != 0:
            print(f"  {db.vendor}: UI benchmark FAILED (exit {done.returncode})", file=sys.stderr)
            raise SystemExit(1)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        for note in result["skipped"]:
            print(f"    skipped: {note}")
        results.append(result)
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    """One row per page and user, a median/p95 column pair per database."""
    if not results:
        return "(no UI results)"
    servers = [r["server"] for r in results]
    contacts = results[0]["contacts"]
    header = "| Page | User | " + " | ".join(f"{s}: median / p95 (queries, SQL time)" for s in servers) + " |"
    lines = [
        f"Server time per page at {contacts:,} contacts: in-process Django test Client, "
        f"{results[0]['warmups']} warm-ups then {results[0]['requests']} requests; target ≤ {TARGET_MS:.0f} ms median.",
        "",
        header,
        "|---|---|" + "---:|" * len(servers),
    ]
    keys = list(dict.fromkeys((p["page"], p["user"]) for r in results for p in r["pages"]))
    for page, user in keys:
        cells = []
        for r in results:
            hit = next((p for p in r["pages"] if p["page"] == page and p["user"] == user), None)
            if hit is None:
                cells.append("—")
            elif hit["status"] != 200:
                cells.append(f"HTTP {hit['status']} ❌")
            else:
                verdict = "✅" if hit["median_ms"] <= TARGET_MS else "❌"
                sql = f", {hit['sql_ms']:.0f} ms SQL" if "sql_ms" in hit else ""
                cells.append(
                    f"{hit['median_ms']:.1f} / {hit['p95_ms']:.1f} ms ({hit['queries']} q{sql}) {verdict}"
                )
        lines.append(f"| {page} | {user} | " + " | ".join(cells) + " |")
    skipped = sorted({s for r in results for s in r["skipped"]})
    if skipped:
        lines += ["", "Not measured yet: " + "; ".join(skipped) + "."]
    return "\n".join(lines)


def missed(results: list[dict[str, Any]]) -> list[str]:
    return [
        f"{r['server']}: {p['page']} as {p['user']}"
        for r in results
        for p in r["pages"]
        if p["status"] != 200 or p["median_ms"] > TARGET_MS
    ]


if __name__ == "__main__":
    main()
