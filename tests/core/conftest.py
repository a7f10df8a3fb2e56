"""Fixtures for tests that run Kizuna in subprocesses (workers, the web server) against the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest

T = TypeVar("T")

# Short enough that a killed worker is found dead within seconds, long enough for a busy SQLite.
HEARTBEAT_SECONDS = 1
DEAD_AFTER_SECONDS = 3

SCRIPT = "import sys, django; django.setup(); from kizuna.core.testing_tasks import main; main(sys.argv[1:])"


def database_url(settings_dict: dict[str, Any]) -> str:
    """The URL of the database Django is connected to (the test database during a test)."""
    name = str(settings_dict["NAME"])
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgresql://{user}{password}@{host}:{settings_dict.get('PORT') or 5432}/{name}"


@dataclass
class Proc:
    """A subprocess whose output goes to files (a full pipe would block it)."""

    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    worker_id: str = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def errors(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, then wait: the graceful path."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@pytest.fixture
def subprocess_env(transactional_db: None) -> dict[str, str]:
    """Environment pointing a subprocess at this test's database, with fast heartbeats."""
    from django.db import connection

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kizuna.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "KIZUNA_WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        "KIZUNA_WORKER_DEAD_AFTER_SECONDS": str(DEAD_AFTER_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def spawn(subprocess_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start a subprocess; every one still running is killed when the test ends."""
    procs: list[Proc] = []

    def _spawn(argv: list[str], *, env: dict[str, str] | None = None, name: str = "proc") -> Proc:
        n = len(procs)
        out, err = tmp_path / f"{name}-{n}.out", tmp_path / f"{name}-{n}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                argv, env={**subprocess_env, **(env or {})}, stdout=stdout, stderr=stderr
            )
        procs.append(Proc(process, out, err))
        return procs[-1]

    try:
        yield _spawn
    finally:
        for proc in procs:
            if proc.process.poll() is None:
                proc.process.kill()
            proc.process.wait(timeout=10)


@pytest.fixture
def start_worker(spawn: Callable[..., Proc]) -> Callable[..., Proc]:
    """Start ``kizuna worker`` polling every 0.1 s; returns it with its worker id."""
    counter = iter(range(1000))

    def _start(*args: str, env: dict[str, str] | None = None, worker_id: str = "") -> Proc:
        worker_id = worker_id or f"test-worker-{os.getpid()}-{next(counter)}"
        argv = [sys.executable, "-m", "kizuna.cli", "worker", "--interval=0.1", "--no-startup-delay"]
        proc = spawn([*argv, f"--worker-id={worker_id}", *args], env=env, name="worker")
        proc.worker_id = worker_id
        return proc

    return _start


@pytest.fixture
def run_script(spawn: Callable[..., Proc]) -> Callable[..., Proc]:
    """Run an entry point of ``kizuna.core.testing_tasks`` in a subprocess (``web-write-loop``, …)."""

    def _run(*args: str) -> Proc:
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
