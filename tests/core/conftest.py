"""Fixtures for tests that run Kizuna in subprocesses (workers, the web server) against the test database."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

SCRIPT = "import sys, django; django.setup(); from kizuna.core.testing_tasks import main; main(sys.argv[1:])"


@pytest.fixture
def start_worker(spawn: Callable[..., Any]) -> Callable[..., Any]:
    """Start ``kizuna worker`` polling every 0.1 s; returns it with its worker id."""
    counter = iter(range(1000))

    def _start(*args: str, env: dict[str, str] | None = None, worker_id: str = "") -> Any:
        worker_id = worker_id or f"test-worker-{os.getpid()}-{next(counter)}"
        argv = [sys.executable, "-m", "kizuna.cli", "worker", "--interval=0.1", "--no-startup-delay"]
        proc = spawn([*argv, f"--worker-id={worker_id}", *args], env=env, name="worker")
        proc.worker_id = worker_id
        return proc

    return _start


@pytest.fixture
def run_script(spawn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an entry point of ``kizuna.core.testing_tasks`` in a subprocess (``web-write-loop``, …)."""

    def _run(*args: str) -> Any:
        return spawn([sys.executable, "-c", SCRIPT, *args], name=args[0])

    return _run


def poll(check: Callable[[], T | None], *, timeout: float, what: str, every: float = 0.02) -> T:
    """Call ``check`` until it returns something truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    return poll


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
