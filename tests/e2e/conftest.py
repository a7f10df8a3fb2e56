"""End-to-end fixtures: Playwright driving Debian's chromium against pytest-django's live server.

The browser is the system one (``apt-get install -y chromium``); Playwright never downloads its own.
Without it the browser tests are skipped locally and fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CHROMIUM = Path(os.environ.get("KIZUNA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_BROWSER = "install Debian's chromium: apt-get install -y chromium"
PASSWORD = "correct-horse-battery"
# Each step waits at most this long (ms): a page that needs more is a bug, not slowness to tolerate.
STEP_TIMEOUT_MS = 10_000
expect.set_options(timeout=STEP_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)  # read by the page fixture's teardown
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The browser tests need {CHROMIUM}, which is missing: {MISSING_BROWSER}")
        pytest.skip(MISSING_BROWSER)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the browser is open; without this,
    # Django would refuse the tests' ORM calls (SynchronousOnlyOperation).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies, Japanese locale, Tokyo time); relative URLs go to the live server."""
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 800},
        accept_downloads=True,
    )
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    pg = context.new_page()
    yield pg
    report = getattr(request.node, "e2e_report_call", None)
    if report is not None and report.failed and not pg.is_closed():
        _keep_evidence(pg, request.node)


def _keep_evidence(pg: Any, node: pytest.Item) -> None:
    """On failure: a screenshot and the HTML of the page as it was, named after the test."""
    folder = Path(os.environ.get("KIZUNA_VAR_DIR", "var")) / "e2e-failures"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / re.sub(r"[^\w.-]+", "_", node.name)
    try:
        pg.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(pg.content(), encoding="utf-8")
    except Exception as exc:  # evidence is best effort: the test has failed already
        sys.stderr.write(f"could not save the failed page: {exc}\n")
        return
    sys.stderr.write(f"failed page {pg.url} saved as {stem}.png and {stem}.html\n")


def _submit_login(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form[action='/login/'] button[type=submit]").click()


@pytest.fixture
def sign_in(page: Any) -> Callable[..., Any]:
    """``sign_in(username, password)`` fills in and submits the real /login/ form; returns the page."""

    def _sign_in(username: str, password: str = PASSWORD) -> Any:
        _submit_login(page, username, password)
        return page

    return _sign_in


@pytest.fixture
def signed_in(page: Any) -> Callable[[Any], Any]:
    """``signed_in(user)`` signs ``user`` in on a fresh page and returns the page, on the dashboard."""

    def _sign_in(user: Any, password: str = PASSWORD) -> Any:
        _submit_login(page, user.username, password)
        page.wait_for_url(re.compile(r"/$"))
        return page

    return _sign_in
