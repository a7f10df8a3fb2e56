"""SQLite under a realistic write load: a web process and two workers writing for a minute, never locked out.

The duration is KIZUNA_CONCURRENCY_SECONDS (default 60).
"""

from __future__ import annotations

import json
import os

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kizuna.core.models import ErrorEvent, TaskRecovery

SECONDS = float(os.environ.get("KIZUNA_CONCURRENCY_SECONDS", "60"))
LOCK_SYMPTOMS = ("database is locked", "OperationalError", "KZ-DB-002")


def summary(text: str) -> dict[str, object]:
    """The JSON summary a process prints as its last line on exit."""
    return json.loads(text.strip().splitlines()[-1])


@pytest.mark.sqlite
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_web_and_two_workers_writing_concurrently_never_hit_a_locked_database(
    admin_user, run_script, start_worker, wait_until
):
    if connection.vendor != "sqlite":
        pytest.skip("checks SQLite's single-writer lock; PostgreSQL has row locks")
    workers = [start_worker("--format=json") for _ in range(2)]
    web = run_script("web-write-loop", str(admin_user.pk), str(SECONDS))

    assert web.process.wait(timeout=SECONDS + 60) == 0, web.errors()
    wait_until(
        lambda: (
            not DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            ).exists()
        ),
        timeout=60,
        what="the workers to drain the queue",
        every=0.2,
    )
    for worker in workers:
        assert worker.stop() == 0, worker.errors()

    web_done = summary(web.output())
    done = [summary(w.output()) for w in workers]
    assert (web_done["errors"], web_done["error_types"]) == (0, [])
    assert [(d["tasks_failed"], d["heartbeat_errors"], d["error_types"]) for d in done] == [(0, 0, [])] * 2
    # Every write enqueued one task, and every task ran, on one worker or the other.
    assert sum(d["tasks_successful"] for d in done) == web_done["ops"]
    # Here about 55 writes/s from the web and 25 tasks/s per worker; the floors leave room for slow CI.
    assert web_done["ops"] >= 10 * SECONDS
    assert all(d["tasks_successful"] >= 2 * SECONDS for d in done)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == web_done["ops"]
    # Heartbeats kept flowing under the write load: no live worker was taken for dead.
    assert not TaskRecovery.objects.exists()
    assert not ErrorEvent.objects.exists()
    for proc in (web, *workers):
        log = proc.output() + proc.errors()
        assert not [s for s in LOCK_SYMPTOMS if s in log], log[-2000:]
