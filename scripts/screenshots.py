"""Screenshots of Kizuna's main screens for the README: docs/screenshots/<name>.png at 1280x800.

    .venv/bin/python scripts/screenshots.py [--contacts 2000] [--language ja] [--only dashboard,forecast]

Works in a throwaway SQLite database (KIZUNA_VAR_DIR = a temporary folder): migrate, ``kizuna demo``,
an administrator, ``kizuna serve --no-worker`` on a free port; then Playwright drives Debian's chromium
(``apt-get install -y chromium``; Japanese text needs a CJK font such as fonts-noto-cjk), signs in
through the form and saves each screen. A screen whose page does not exist yet is skipped with a note.
"""

# ruff: noqa: T201 - a command-line script: printing is its output

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("KIZUNA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERNAME = "admin"
PASSWORD = "kizuna-screenshots-2024"  # noqa: S105 - a throwaway user in a throwaway database

# The busiest contact (most activities) makes the best 360 page; printed by a short Django script.
BUSIEST_CONTACT = """
import django; django.setup()
from django.db.models import Count
from kizuna.activities.models import Activity
row = (Activity.objects.exclude(contact_id=None).values("contact_id").annotate(n=Count("id"))
       .order_by("-n", "contact_id").first())
print(row["contact_id"] if row else "")
"""


@dataclass(frozen=True)
class Screen:
    name: str
    path: Callable[[dict[str, str]], str]
    settle_ms: int = 300  # charts animate; give them time to finish


SCREENS: tuple[Screen, ...] = (
    Screen("dashboard", lambda ctx: "/", settle_ms=1500),
    Screen("contacts", lambda ctx: "/contacts/"),
    Screen("contact-360", lambda ctx: f"/contacts/{ctx['contact']}/"),
    Screen("deals-board", lambda ctx: "/deals/"),
    Screen("forecast", lambda ctx: "/forecast/", settle_ms=1500),
    Screen("tasks", lambda ctx: "/tasks/"),
    Screen("tickets", lambda ctx: "/tickets/"),
    Screen("reports", lambda ctx: "/reports/", settle_ms=1500),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kizuna(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [str(BIN / "kizuna"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"kizuna {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_until_up(base: str, server: subprocess.Popen[Any], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"kizuna serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"kizuna serve did not answer on {base} within {timeout:.0f} s")


def _japanese_font_missing() -> bool:
    try:
        done = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)  # noqa: S607
    except FileNotFoundError:
        return True
    return not done.stdout.strip()


def _capture(base: str, ctx: dict[str, str], screens: list[Screen], language: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    captured = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base,
            locale="ja-JP" if language == "ja" else "en-US",
            timezone_id="Asia/Tokyo",
            viewport={"width": 1280, "height": 800},
        )
        page = context.new_page()
        page.goto("/login/")
        page.locator("#id_username").fill(USERNAME)
        page.locator("#id_password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("form[action='/login/'] button[type=submit]").click()
        if page.url.rstrip("/") != base:
            sys.exit(f"could not sign in (now on {page.url})")
        if language != "ja":
            with page.expect_navigation():
                page.locator("#language-select").select_option(language)
        for screen in screens:
            path = screen.path(ctx)
            response = page.goto(path)
            status = response.status if response else 0
            if status != 200:
                print(f"  skipped {screen.name}: {path} answered HTTP {status} (screen not there yet?)")
                continue
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(screen.settle_ms)
            target = OUT / f"{screen.name}.png"
            page.screenshot(path=str(target))
            captured.append(screen.name)
            print(f"  saved {target.relative_to(ROOT)}  ({path})")
        browser.close()
    return captured


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=2000, help="demo contacts (default: %(default)s)")
    parser.add_argument("--language", choices=["ja", "en"], default="ja")
    parser.add_argument("--only", default="", help="comma-separated screen names")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium: apt-get install -y chromium")
    if _japanese_font_missing():
        print(
            "warning: no Japanese font found (fc-list :lang=ja); install one: apt-get install -y fonts-noto-cjk"
        )
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    screens = [s for s in SCREENS if not wanted or s.name in wanted]
    OUT.mkdir(parents=True, exist_ok=True)

    var_dir = tempfile.mkdtemp(prefix="kizuna-screenshots-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KIZUNA_VAR_DIR=var_dir, PYTHONUNBUFFERED="1")
    server = None
    try:
        print(f"Preparing a demo database in {var_dir} …")
        _kizuna(env, "migrate", "--no-input")
        _kizuna(env, "demo", "--contacts", str(args.contacts))
        _kizuna(env, "createuser", USERNAME, "--role", "administrator", "--password", PASSWORD)
        busiest = subprocess.run(  # noqa: S603
            [sys.executable, "-c", BUSIEST_CONTACT],
            env={**env, "DJANGO_SETTINGS_MODULE": "kizuna.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        ctx = {"contact": busiest.stdout.strip() or "1"}
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(var_dir) / "serve.log", "w")  # noqa: SIM115 - closed with the server below
        server = subprocess.Popen(  # noqa: S603
            [str(BIN / "kizuna"), "serve", "--no-worker", "--workers", "1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_until_up(base, server)
        print(f"Capturing at 1280x800 from {base} ({args.language}) …")
        captured = _capture(base, ctx, screens, args.language)
        print(f"Captured {len(captured)} of {len(screens)}: {', '.join(captured) or 'none'}")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
