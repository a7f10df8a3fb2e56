"""Shared fixtures: personas for access tests (an administrator, two sales users in one team, an outsider)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import translation

# Short enough that a killed worker is found dead within seconds, long enough for a busy SQLite.
HEARTBEAT_SECONDS = 1
DEAD_AFTER_SECONDS = 3


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_texts() -> Any:
    # Tests assert English texts unless they switch language themselves.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    # Cached figures (the dashboard's) must not leak from one test into the next: SQLite hands out
    # the ids of rolled-back rows again, so a cache key could match another test's data.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def team_a(db: Any) -> Any:
    from kizuna.accounts.models import Team

    return Team.objects.create(name="東京営業部")


@pytest.fixture
def team_b(db: Any) -> Any:
    from kizuna.accounts.models import Team

    return Team.objects.create(name="大阪営業部")


def _user(username: str, **extra: Any) -> Any:
    from kizuna.accounts.models import User

    return User.objects.create_user(username=username, password="correct-horse-battery", **extra)


@pytest.fixture
def admin_user(db: Any) -> Any:
    return _user("admin", role="administrator")


@pytest.fixture
def alice(team_a: Any) -> Any:
    """A sales user in team A: owner of most records in tests."""
    return _user("alice", role="sales", team=team_a)


@pytest.fixture
def bob(team_a: Any) -> Any:
    """Alice's teammate."""
    return _user("bob", role="sales", team=team_a)


@pytest.fixture
def charlie(team_b: Any) -> Any:
    """A sales user in another team: must never see or change team A's records."""
    return _user("charlie", role="sales", team=team_b)


@pytest.fixture
def reader(team_a: Any) -> Any:
    return _user("reader", role="read_only", team=team_a)


@pytest.fixture
def pipeline(admin_user: Any) -> Any:
    from kizuna.sales.services import pipeline_create

    return pipeline_create(
        actor=admin_user,
        name="新規営業",
        is_default=True,
        stages=[
            {"name": "リード", "probability": 10},
            {"name": "提案", "probability": 40},
            {"name": "交渉", "probability": 70},
            {"name": "受注", "probability": 100, "is_won": True},
            {"name": "失注", "probability": 0, "is_lost": True},
        ],
    )


# Subprocesses (workers, the web server, a killed importer) against the test database.


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
