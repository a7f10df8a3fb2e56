"""Background tasks: enqueued with their change, run once, recovered from workers that die (KZ-TASK-001/002)."""

from __future__ import annotations

import json
import signal
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kizuna.core.events import OutsideTransactionError
from kizuna.core.models import DomainEvent, ErrorEvent, TaskRecovery, TaskSideEffect, WorkerHeartbeat
from kizuna.core.tasks import enqueue_in_transaction, run_once
from kizuna.core.testing_tasks import record_side_effect
from kizuna.core.worker import WorkerDied, reap_abandoned_tasks
from kizuna.customers.models import Contact

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
SUCCESSFUL, FAILED = TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED


def enqueue(key: str, *args: Any) -> str:
    with transaction.atomic():
        return str(enqueue_in_transaction(record_side_effect, key, *args).id)


def claim(task_id: str, worker_id: str, *, started_ago: float = 0) -> None:
    row = DBTaskResult.objects.get(id=task_id)
    row.claim(worker_id)
    if started_ago:
        DBTaskResult.objects.filter(id=task_id).update(
            started_at=timezone.now() - timedelta(seconds=started_ago)
        )


def heartbeat(worker_id: str, *, seen_ago: float, stopped: bool = False) -> None:
    seen = timezone.now() - timedelta(seconds=seen_ago)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": "test",
            "pid": 1,
            "started_at": seen,
            "last_seen_at": seen,
            "stopped_at": seen if stopped else None,
        },
    )


def status(task_id: str) -> str:
    return DBTaskResult.objects.values_list("status", flat=True).get(id=task_id)


def task_errors(code: str) -> list[dict[str, Any]]:
    return [e.context["context"] for e in ErrorEvent.objects.filter(code=code).order_by("id")]


# --- Enqueueing ---------------------------------------------------------------------------------


def test_enqueue_in_a_rolled_back_transaction_leaves_no_task(db):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        enqueue_in_transaction(record_side_effect, "k")
        assert DBTaskResult.objects.count() == 1
        _ = 1 / 0
    assert DBTaskResult.objects.count() == 0


def test_enqueue_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(OutsideTransactionError):
        enqueue_in_transaction(record_side_effect, "k")
    assert DBTaskResult.objects.count() == 0


def test_run_once_yields_true_only_the_first_time_and_forgets_a_rolled_back_key(db):
    with pytest.raises(ZeroDivisionError), run_once("k") as first_time:
        assert first_time is True
        _ = 1 / 0
    with run_once("k") as first_time:
        assert first_time is True
    with run_once("k") as first_time:
        assert first_time is False
    assert TaskSideEffect.objects.filter(key="k").count() == 1


# --- Reaping, driven directly -------------------------------------------------------------------


def test_reaper_requeues_task_of_silent_worker_with_kz_task_001(db):
    task_id = enqueue("k")
    claim(task_id, "dead-1")
    heartbeat("dead-1", seen_ago=40)

    [recovery] = reap_abandoned_tasks(dead_after=30, max_abandons=5)

    row = DBTaskResult.objects.get(id=task_id)
    assert (row.status, row.started_at, recovery.attempt, recovery.gave_up) == (READY, None, 1, False)
    assert list(TaskRecovery.objects.values_list("task_id", "worker_id", "attempt", "gave_up")) == [
        (row.id, "dead-1", 1, False)
    ]
    [context] = task_errors("KZ-TASK-001")
    assert context == {
        "task_id": task_id,
        "task_path": "kizuna.core.testing_tasks.record_side_effect",
        "worker_id": "dead-1",
        "silence": 40,
        "attempt": 1,
    }


def test_reaper_leaves_tasks_of_live_workers_alone(db):
    task_id = enqueue("k")
    claim(task_id, "alive-1", started_ago=3600)
    heartbeat("alive-1", seen_ago=1)

    assert reap_abandoned_tasks(dead_after=30, max_abandons=5) == []
    assert status(task_id) == RUNNING
    assert not TaskRecovery.objects.exists()
    assert not ErrorEvent.objects.exists()


def test_reaper_recovers_task_of_a_cleanly_stopped_worker_at_once(db):
    task_id = enqueue("k")
    claim(task_id, "stopped-1")
    heartbeat("stopped-1", seen_ago=0, stopped=True)

    assert len(reap_abandoned_tasks(dead_after=30, max_abandons=5)) == 1
    assert status(task_id) == READY


def test_reaper_judges_a_worker_without_heartbeat_by_when_it_claimed_the_task(db):
    recent, old = enqueue("recent"), enqueue("old")
    claim(recent, "no-beat-1", started_ago=5)
    claim(old, "no-beat-2", started_ago=60)

    [recovery] = reap_abandoned_tasks(dead_after=30, max_abandons=5)

    assert recovery.task_id == old
    assert (status(recent), status(old)) == (RUNNING, READY)


def test_task_abandoned_more_than_max_abandons_times_fails_with_kz_task_002(db):
    task_id = enqueue("k")
    for attempt in (1, 2, 3):
        claim(task_id, f"dead-{attempt}")
        heartbeat(f"dead-{attempt}", seen_ago=100)
        [recovery] = reap_abandoned_tasks(dead_after=30, max_abandons=2)
        assert (recovery.attempt, recovery.gave_up) == (attempt, attempt == 3)

    row = DBTaskResult.objects.get(id=task_id)
    assert row.status == FAILED
    assert row.finished_at is not None
    assert row.exception_class_path == "kizuna.core.worker.WorkerDied"
    assert "abandoned 3 times" in row.traceback
    assert "KIZUNA_TASK_MAX_ABANDONS=2" in row.traceback
    assert row.task_result.errors[0].exception_class is WorkerDied
    assert list(TaskRecovery.objects.order_by("attempt").values_list("attempt", "gave_up")) == [
        (1, False),
        (2, False),
        (3, True),
    ]
    assert [c["attempt"] for c in task_errors("KZ-TASK-001")] == [1, 2]
    assert task_errors("KZ-TASK-002") == [
        {
            "task_id": task_id,
            "task_path": "kizuna.core.testing_tasks.record_side_effect",
            "worker_id": "dead-3",
            "silence": 100,
            "attempt": 3,
        }
    ]
    assert reap_abandoned_tasks(dead_after=30, max_abandons=2) == []


def race_reapers(count: int) -> list[int]:
    """Start ``count`` reapers at the same instant, each on its own connection; tasks each recovered."""
    barrier = threading.Barrier(count)
    recovered: list[int] = []

    def reaper() -> None:
        try:
            barrier.wait(timeout=10)
            recovered.append(len(reap_abandoned_tasks(dead_after=30, max_abandons=5)))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=reaper) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return recovered


@pytest.mark.django_db(transaction=True)
def test_racing_reapers_requeue_each_task_once_per_abandonment():
    task_ids = [enqueue(f"k{i}") for i in range(10)]
    for attempt in (1, 2, 3):
        for task_id in task_ids:
            claim(task_id, f"dead-{attempt}")
        heartbeat(f"dead-{attempt}", seen_ago=100)
        recovered = race_reapers(4)

        assert len(recovered) == 4, "a reaper raised"
        assert sum(recovered) == 10
        assert TaskRecovery.objects.filter(attempt=attempt).count() == 10
        assert set(DBTaskResult.objects.values_list("status", flat=True)) == {READY}
    assert TaskRecovery.objects.count() == 30
    assert len(task_errors("KZ-TASK-001")) == 30


# --- Real workers -------------------------------------------------------------------------------


def _running_on(worker_id: str) -> list[tuple[str, str]]:
    """(task id, side-effect key) of tasks RUNNING on ``worker_id``."""
    rows = DBTaskResult.objects.filter(status=RUNNING).values_list("id", "worker_ids", "args_kwargs")
    return [(str(i), kw["args"][0]) for i, ids, kw in rows if ids and ids[-1] == worker_id]


def _in_phase(worker_id: str, phase: str) -> tuple[str, str] | None:
    """A task on ``worker_id`` whose side effect is not yet committed ("before") or is ("after")."""
    for task_id, key in _running_on(worker_id):
        committed = TaskSideEffect.objects.filter(key=key).exists()
        if committed == (phase == "after_commit"):
            return task_id, key
    return None


@pytest.mark.django_db(transaction=True)
def test_sigkilled_workers_lose_no_task_and_repeat_no_side_effect(start_worker, wait_until):
    # Each task sleeps 0.25 s inside its side effect's transaction, then 0.25 s after COMMIT: kills
    # alternate between the two windows. MAX_ABANDONS is raised so no task may legitimately give up.
    task_ids = [enqueue(f"crash:{i}", 0.25, 0.25) for i in range(20)]
    env = {"KIZUNA_TASK_MAX_ABANDONS": "100"}
    abandoned: list[tuple[str, str, str]] = []  # (task id, worker id, phase)
    for round_ in range(6):
        phase = "before_commit" if round_ % 2 == 0 else "after_commit"
        worker = start_worker(env=env)
        task_id, _ = wait_until(lambda w=worker, p=phase: _in_phase(w.worker_id, p), timeout=20, what=phase)
        worker.kill9()
        row = DBTaskResult.objects.get(id=task_id)
        # Almost always still RUNNING; a worker can finish the task between our look and the kill.
        if row.status == RUNNING and row.worker_ids[-1] == worker.worker_id:
            abandoned.append((task_id, worker.worker_id, phase))

    start_worker(env=env)
    wait_until(
        lambda: DBTaskResult.objects.filter(status=SUCCESSFUL).count() == 20, timeout=40, what="all 20 done"
    )

    rows = {str(r.id): r for r in DBTaskResult.objects.all()}
    assert {r.status for r in rows.values()} == {SUCCESSFUL}
    assert sorted(TaskSideEffect.objects.values_list("key", flat=True)) == sorted(
        f"crash:{i}" for i in range(20)
    )
    assert {p for _, _, p in abandoned} == {"before_commit", "after_commit"}
    recovered = {(str(t), w) for t, w in TaskRecovery.objects.values_list("task_id", "worker_id")}
    assert recovered == {(t, w) for t, w, _ in abandoned}
    assert sorted(c["task_id"] for c in task_errors("KZ-TASK-001")) == sorted(t for t, _, _ in abandoned)
    killed_after_commit = {t for t, _, p in abandoned if p == "after_commit"}
    # The re-run of a task killed after its side effect committed found the key and skipped.
    assert {t for t in task_ids if rows[t].return_value is False} == killed_after_commit


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_with_a_write_survives_the_web_process_dying_after_commit(
    admin_user, run_script, start_worker, wait_until
):
    web = run_script("contact-create-and-die", str(admin_user.pk), "after_commit")
    assert web.process.wait(timeout=30) == -signal.SIGKILL, web.errors()

    contact = Contact.objects.get()
    row = DBTaskResult.objects.get()
    assert (row.status, row.args_kwargs["args"]) == (READY, [f"contact:{contact.pk}"])

    start_worker()
    wait_until(lambda: status(str(row.id)) == SUCCESSFUL, timeout=20, what="the task to run")
    assert list(TaskSideEffect.objects.values_list("key", "task_id")) == [(f"contact:{contact.pk}", row.id)]


@pytest.mark.django_db(transaction=True)
def test_web_process_dying_before_commit_leaves_neither_record_nor_task(admin_user, run_script):
    web = run_script("contact-create-and-die", str(admin_user.pk), "before_commit")
    assert web.process.wait(timeout=30) == -signal.SIGKILL, web.errors()

    assert not Contact.objects.exists()
    assert not DomainEvent.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_a_worker_cleanly_and_marks_its_heartbeat_stopped(start_worker, wait_until):
    worker = start_worker("--format=json")
    first = wait_until(
        lambda: WorkerHeartbeat.objects.filter(worker_id=worker.worker_id).first(),
        timeout=20,
        what="the first heartbeat",
    )
    # The heartbeat thread keeps beating while the main loop polls.
    wait_until(
        lambda: WorkerHeartbeat.objects.get(pk=worker.worker_id).last_seen_at > first.last_seen_at,
        timeout=10,
        what="a second heartbeat",
    )

    assert worker.stop() == 0, worker.errors()
    beat = WorkerHeartbeat.objects.get(pk=worker.worker_id)
    assert beat.stopped_at is not None
    assert beat.pid == worker.pid
    summary = json.loads(worker.output().strip().splitlines()[-1])
    assert summary == {
        "worker_id": worker.worker_id,
        "tasks_successful": 0,
        "tasks_failed": 0,
        "tasks_recovered": 0,
        "heartbeat_errors": 0,
        "error_types": [],
    }


@pytest.mark.django_db(transaction=True)
def test_worker_restarted_under_the_same_id_recovers_the_task_it_left_running(start_worker, wait_until):
    task_id = enqueue("restart")
    # Left by an earlier process with this id: its heartbeat looks fresh, but nobody runs the task.
    claim(task_id, "fixed-id")
    heartbeat("fixed-id", seen_ago=0)

    start_worker(worker_id="fixed-id")
    wait_until(lambda: status(task_id) == SUCCESSFUL, timeout=20, what="the task to run again")
    assert list(TaskRecovery.objects.values_list("worker_id", "attempt")) == [("fixed-id", 1)]
