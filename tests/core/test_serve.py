"""``kizuna serve``: gunicorn and a task worker under one supervisor, started and stopped together."""

from __future__ import annotations

import json
import os
import signal
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kizuna.core.models import WorkerHeartbeat
from kizuna.core.supervisor import Child, Outcome, Supervisor

SERVE = [sys.executable, "-m", "kizuna.cli", "serve", "--workers=1"]


def children_of(pid: int) -> dict[int, str]:
    """Live child processes of ``pid`` and their command lines (Linux /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, ppid = fields[0], int(fields[1])
        if ppid == pid and state != "Z":
            found[int(stat.parent.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def healthz(port: int) -> tuple[int, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except (urllib.error.URLError, ConnectionError):
        return None


def running_serve(spawn: Any, wait_until: Any, port: int, *args: str) -> Any:
    serve = spawn([*SERVE, f"--port={port}", *args], name="serve")
    answer = wait_until(lambda: healthz(port), timeout=30, what="/healthz", every=0.1)
    assert answer == (200, {"status": "ok", "database": connection.vendor})
    return serve


@pytest.mark.django_db(transaction=True)
def test_serve_answers_healthz_runs_a_worker_and_stops_both_on_sigterm(spawn, wait_until, free_port):
    serve = running_serve(spawn, wait_until, free_port)
    beat = wait_until(
        lambda: WorkerHeartbeat.objects.filter(stopped_at=None).first(), timeout=20, what="the worker"
    )
    children = children_of(serve.pid)
    assert "kizuna.cli worker" in children[beat.pid]
    [web_pid] = [pid for pid, cmd in children.items() if "gunicorn" in cmd]

    assert serve.stop(timeout=20) == 0, serve.errors()
    assert not alive(web_pid)
    assert not alive(beat.pid)
    assert WorkerHeartbeat.objects.get(pk=beat.pk).stopped_at is not None
    assert f"http://127.0.0.1:{free_port}/" in serve.output()


@pytest.mark.django_db(transaction=True)
def test_serve_stops_the_web_and_fails_when_its_worker_dies(spawn, wait_until, free_port):
    serve = running_serve(spawn, wait_until, free_port)
    beat = wait_until(lambda: WorkerHeartbeat.objects.first(), timeout=20, what="the worker")
    [web_pid] = [pid for pid, cmd in children_of(serve.pid).items() if "gunicorn" in cmd]

    os.kill(beat.pid, signal.SIGKILL)

    assert serve.process.wait(timeout=20) == 128 + signal.SIGKILL
    assert not alive(web_pid)
    assert "worker exited unexpectedly" in serve.errors()


@pytest.mark.django_db(transaction=True)
def test_serve_with_no_worker_runs_only_the_web(spawn, wait_until, free_port):
    serve = running_serve(spawn, wait_until, free_port, "--no-worker")

    assert ["gunicorn" in cmd for cmd in children_of(serve.pid).values()] == [True]
    assert serve.stop(timeout=20) == 0, serve.errors()
    assert not WorkerHeartbeat.objects.exists()


def test_supervisor_stops_the_others_when_a_child_exits_and_reports_its_status():
    sleeper = Child("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    crasher = Child("crasher", [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"])

    outcome = Supervisor([sleeper, crasher], stop_timeout=5).run()

    assert outcome == Outcome(3, "crasher exited unexpectedly with status 3")
    assert sleeper.process is not None and sleeper.process.returncode == -signal.SIGTERM


def test_supervisor_kills_a_child_that_ignores_sigterm_after_the_stop_timeout():
    stubborn = Child(
        "stubborn",
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)",
        ],
    )
    crasher = Child("crasher", [sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(2)"])

    assert Supervisor([stubborn, crasher], stop_timeout=0.5).run().code == 2
    assert stubborn.process is not None and stubborn.process.returncode == -signal.SIGKILL
