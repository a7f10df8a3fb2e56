"""Process supervision for ``kizuna serve``: run children together, stop them together.

SIGINT/SIGTERM to the supervisor become one SIGTERM to every child (a second signal kills them).
When a child exits on its own, the others are stopped and the supervisor reports a failure.
Children run in their own process group, so a terminal's Ctrl+C reaches them once, through the
supervisor; on Linux they also get SIGTERM if the supervisor itself is killed.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType

logger = logging.getLogger("kizuna.supervisor")

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass(frozen=True)
class Outcome:
    """``code`` is the supervisor's exit status; ``reason`` says why it stopped."""

    code: int
    reason: str


def web_command(*, host: str, port: int, workers: int) -> list[str]:
    """gunicorn serving Kizuna's WSGI app."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kizuna.wsgi:application",
        f"--bind={bind}",
        f"--workers={workers}",
        "--graceful-timeout=10",
        "--access-logfile=-",
        # The control socket defaults to one path per user: two instances would fight over it.
        "--no-control-socket",
    ]


def worker_command() -> list[str]:
    """A ``kizuna worker`` with default options."""
    return [sys.executable, "-m", "kizuna.cli", "worker"]


def _die_with_parent(parent_pid: int) -> None:
    # Runs in the child between fork and exec: ask Linux to SIGTERM us if the supervisor dies.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent_pid:  # the supervisor died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


class Supervisor:
    """Start ``children``, watch them, and stop them all on a signal or when one of them exits."""

    def __init__(self, children: Sequence[Child], *, stop_timeout: float = 30.0, poll_seconds: float = 0.1):
        self.children = list(children)
        self.stop_timeout = stop_timeout
        self.poll_seconds = poll_seconds
        self.signals_received = 0

    def run(self) -> Outcome:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in self.children:
                self._start(child)
            outcome = self._watch()
        finally:
            self._stop_all()  # also when starting a child failed or we were interrupted
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return outcome

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals_received += 1

    def _start(self, child: Child) -> None:
        parent_pid = os.getpid()
        preexec = (lambda: _die_with_parent(parent_pid)) if sys.platform.startswith("linux") else None
        child.process = subprocess.Popen(child.argv, process_group=0, preexec_fn=preexec)  # noqa: S603
        logger.info("started %s (pid %s)", child.name, child.process.pid)

    def _watch(self) -> Outcome:
        while not self.signals_received:
            for child in self.children:
                code = child.process.poll() if child.process else None
                if code is not None:
                    self._stop_all()
                    return Outcome(_exit_status(code), f"{child.name} exited unexpectedly with status {code}")
            time.sleep(self.poll_seconds)
        return self._stop_all()

    def _stop_all(self) -> Outcome:
        """SIGTERM every running child, wait for them, SIGKILL any still running after the timeout."""
        signals_before = self.signals_received
        for child in self.children:
            if child.running:
                child.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + self.stop_timeout
        while any(c.running for c in self.children):
            # A further Ctrl+C means "now": do not wait for running tasks or requests.
            if time.monotonic() > deadline or self.signals_received > signals_before:
                break
            time.sleep(self.poll_seconds)
        for child in self.children:
            if child.running:
                logger.warning("%s did not stop in time; killing it", child.name)
                child.process.kill()  # type: ignore[union-attr]
            if child.process is not None:
                child.process.wait()
        unclean = [c for c in self.children if c.process and c.process.returncode not in (0, -signal.SIGTERM)]
        if unclean:
            names = ", ".join(f"{c.name} (status {c.process.returncode})" for c in unclean)  # type: ignore[union-attr]
            return Outcome(1, f"stopped; not cleanly: {names}")
        return Outcome(0, "stopped")


def _exit_status(code: int) -> int:
    """A child's return code as our exit status: never 0, and 128+N for a child killed by signal N."""
    if code < 0:
        return 128 - code
    return code or 1
