"""The Kizuna task worker: django-tasks-db's ``Worker`` plus heartbeats and recovery of abandoned tasks.

Every worker writes a :class:`~kizuna.core.models.WorkerHeartbeat` every
``KIZUNA_WORKER_HEARTBEAT_SECONDS`` from a thread with its own connection, so a long task does not
silence it. Every worker also reaps, at start and after each heartbeat: a RUNNING task whose last
worker has stopped, or has been silent for ``KIZUNA_WORKER_DEAD_AFTER_SECONDS``, goes back to READY
(KZ-TASK-001), or to FAILED after ``KIZUNA_TASK_MAX_ABANDONS`` recoveries (KZ-TASK-002). Ages are
measured with the database's clock, so workers on several machines need not agree on the time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .error_events import error_record
from .errors import KizunaError
from .models import EntryPoint, TaskRecovery, WorkerHeartbeat
from .tasks import current_task_id

logger = logging.getLogger("kizuna.worker")

TASK_OBJECT_TYPE = "django_tasks_db.dbtaskresult"


class WorkerDied(Exception):
    """Recorded as a task's failure when the workers running it kept dying (KZ-TASK-002)."""


def new_worker_id() -> str:
    """``"host:1234:a1b2c3"``: readable in the error center, unique across the pool, at most 64 chars."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}:{get_random_string(6)}"


# --- Heartbeats ---------------------------------------------------------------------------------


def heartbeat_register(worker_id: str) -> None:
    """Create or reset this worker's heartbeat row (a restarted worker id starts afresh)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": timezone.now(),
            "last_seen_at": Now(),
            "stopped_at": None,
        },
    )


def heartbeat_touch(worker_id: str) -> None:
    """Record that the worker is alive now, by the database's clock."""
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=Now()):
        heartbeat_register(worker_id)  # the row was pruned while we ran


def heartbeat_stop(worker_id: str) -> None:
    """Mark a clean shutdown: the worker's tasks, if any were left RUNNING, are recovered at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=Now(), stopped_at=Now())


# --- Reaping ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Abandoned:
    """A RUNNING task whose last worker is dead; ``silence`` is seconds since that worker was seen."""

    task_id: str
    task_path: str
    worker_id: str
    silence: int


@dataclass(frozen=True, slots=True)
class Recovery:
    task_id: str
    attempt: int
    gave_up: bool


class _TaskMovedOn(Exception):
    """The task left RUNNING between our read and our write; another reaper or worker owns it now."""


def find_abandoned(
    *, dead_after: float, presumed_dead: Iterable[str] = (), lock: bool = False
) -> list[Abandoned]:
    """RUNNING tasks whose last worker has stopped, is silent for ``dead_after`` s, or never beat.

    With ``lock`` the task rows are locked (skipping rows another reaper holds): call it in a transaction.
    """
    tasks = DBTaskResult.objects.running().annotate(db_now=Now()).order_by()
    if lock:
        tasks = tasks.select_for_update(skip_locked=True)
    rows = list(tasks.values_list("id", "task_path", "worker_ids", "started_at", "db_now"))
    if not rows:
        return []
    worker_ids = {r[2][-1] for r in rows if r[2]}
    beats = {
        b[0]: (b[1], b[2])
        for b in WorkerHeartbeat.objects.filter(worker_id__in=worker_ids).values_list(
            "worker_id", "last_seen_at", "stopped_at"
        )
    }
    presumed = set(presumed_dead)
    found = []
    for task_id, task_path, ids, started_at, now in rows:
        worker_id = ids[-1] if ids else ""
        last_seen, stopped_at = beats.get(worker_id, (None, None))
        # A worker without a heartbeat row (a plain db_worker, or one that died before its first beat)
        # is judged by when it claimed the task.
        seen = last_seen or started_at or now
        silence = max(0.0, (now - seen).total_seconds())
        if worker_id in presumed or stopped_at is not None or silence > dead_after:
            found.append(Abandoned(str(task_id), task_path, worker_id, round(silence)))
    return found


def reap_abandoned_tasks(
    *,
    dead_after: float | None = None,
    max_abandons: int | None = None,
    presumed_dead: Iterable[str] = (),
) -> list[Recovery]:
    """Put tasks abandoned by dead workers back in the queue, or fail them after too many abandons."""
    dead_after = settings.KIZUNA_WORKER_DEAD_AFTER_SECONDS if dead_after is None else dead_after
    max_abandons = settings.KIZUNA_TASK_MAX_ABANDONS if max_abandons is None else max_abandons
    presumed_dead = frozenset(presumed_dead)
    # A lock-free read first: every worker runs this every few seconds and it almost always finds nothing.
    if not find_abandoned(dead_after=dead_after, presumed_dead=presumed_dead):
        return []
    recoveries = []
    # EXCLUSIVE on SQLite (one reaper at a time); row locks with SKIP LOCKED on PostgreSQL.
    with exclusive_transaction(DBTaskResult.objects.db):
        for abandoned in find_abandoned(dead_after=dead_after, presumed_dead=presumed_dead, lock=True):
            recovery = _recover(abandoned, max_abandons=max_abandons)
            if recovery is not None:
                recoveries.append(recovery)
    return recoveries


def _recover(abandoned: Abandoned, *, max_abandons: int) -> Recovery | None:
    """Requeue or fail one task, with its TaskRecovery row and error event, in one savepoint."""
    prior = TaskRecovery.objects.filter(task_id=abandoned.task_id).count()
    recovery = Recovery(abandoned.task_id, attempt=prior + 1, gave_up=prior >= max_abandons)
    try:
        with transaction.atomic():
            # The unique (task_id, attempt) constraint is the last guard should two reapers get here.
            TaskRecovery.objects.create(
                task_id=abandoned.task_id,
                task_path=abandoned.task_path,
                worker_id=abandoned.worker_id,
                attempt=recovery.attempt,
                gave_up=recovery.gave_up,
            )
            if recovery.gave_up:
                _fail(abandoned, attempt=recovery.attempt, max_abandons=max_abandons)
            else:
                _requeue(abandoned)
            _record_error(abandoned, recovery)
    except (IntegrityError, _TaskMovedOn):
        logger.info("task %s was recovered by another worker", abandoned.task_id)
        return None
    logger.warning(
        "task %s (%s) abandoned by worker %s, silent %ss: %s (attempt %s)",
        abandoned.task_id,
        abandoned.task_path,
        abandoned.worker_id,
        abandoned.silence,
        "gave up" if recovery.gave_up else "re-queued",
        recovery.attempt,
    )
    return recovery


def _still_running(abandoned: Abandoned) -> QuerySet[DBTaskResult[Any, Any]]:
    return DBTaskResult.objects.filter(id=abandoned.task_id, status=TaskResultStatus.RUNNING)


def _requeue(abandoned: Abandoned) -> None:
    if not _still_running(abandoned).update(status=TaskResultStatus.READY, started_at=None):
        raise _TaskMovedOn(abandoned.task_id)


def _fail(abandoned: Abandoned, *, attempt: int, max_abandons: int) -> None:
    reason = (
        f"{WorkerDied.__module__}.{WorkerDied.__qualname__}: task {abandoned.task_id} ({abandoned.task_path}) "
        f"was abandoned {attempt} times by workers that died while running it (last: worker "
        f"{abandoned.worker_id}, silent {abandoned.silence}s); KIZUNA_TASK_MAX_ABANDONS="
        f"{max_abandons}, so it is not run again (KZ-TASK-002).\n"
    )
    updated = _still_running(abandoned).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=reason,
    )
    if not updated:
        raise _TaskMovedOn(abandoned.task_id)


def _record_error(abandoned: Abandoned, recovery: Recovery) -> None:
    error = KizunaError(
        "KZ-TASK-002" if recovery.gave_up else "KZ-TASK-001",
        context={
            "task_id": abandoned.task_id,
            "task_path": abandoned.task_path,
            "worker_id": abandoned.worker_id,
            "silence": abandoned.silence,
            "attempt": recovery.attempt,
        },
    )
    error_record(error, via=EntryPoint.SYSTEM, object_type=TASK_OBJECT_TYPE)


# --- The worker ---------------------------------------------------------------------------------


@dataclass
class WorkerStats:
    """What one worker did, printed by ``kizuna worker --format json`` on exit."""

    worker_id: str
    tasks_successful: int = 0
    tasks_failed: int = 0
    tasks_recovered: int = 0
    heartbeat_errors: int = 0
    error_types: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


OPTIMIZE_EVERY = 3600.0  # seconds between two PRAGMA optimize runs of a worker


def optimize_statistics() -> None:
    """SQLite: refresh the planner's statistics of tables that changed a lot (``PRAGMA optimize``).

    Without them SQLite takes "team = 1" for a rare value and sorts half a million rows for a list
    page that reading in index order answers in a millisecond. PostgreSQL's autovacuum does this itself.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")


class Heartbeat:
    """Beats and reaps every ``interval`` seconds in a daemon thread with its own database connection."""

    def __init__(self, *, stats: WorkerStats, interval: float, dead_after: float, max_abandons: int) -> None:
        self.stats = stats
        self.interval = interval
        self.dead_after = dead_after
        self.max_abandons = max_abandons
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._optimized_at = time.monotonic()

    def start(self) -> None:
        """Beat and reap once in the caller's thread (so a bad database fails loudly), then keep beating."""
        worker_id = self.stats.worker_id
        heartbeat_register(worker_id)
        # Tasks still RUNNING under our own id were left by an earlier process that reused the id.
        self._reap(presumed_dead=[worker_id])
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat {worker_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and mark a clean shutdown."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + settings.DB_BUSY_TIMEOUT)
        heartbeat_stop(self.stats.worker_id)

    def _loop(self) -> None:
        try:
            while not self._stopping.wait(self.interval):
                self._tick()
        finally:
            connection.close()  # this thread's own connection

    def _tick(self) -> None:
        try:
            heartbeat_touch(self.stats.worker_id)
            self._reap()
            if time.monotonic() - self._optimized_at >= OPTIMIZE_EVERY:
                self._optimized_at = time.monotonic()
                optimize_statistics()
        except Exception as exc:  # a database hiccup must not kill the heartbeat; the next tick retries
            self.stats.heartbeat_errors += 1
            self.stats.error_types.append(type(exc).__name__)
            logger.exception("heartbeat of worker %s failed", self.stats.worker_id)
            connection.close()

    def _reap(self, presumed_dead: Sequence[str] = ()) -> None:
        recoveries = reap_abandoned_tasks(
            dead_after=self.dead_after, max_abandons=self.max_abandons, presumed_dead=presumed_dead
        )
        self.stats.tasks_recovered += len(recoveries)


class KizunaWorker(Worker):
    """django-tasks-db's worker (claiming, running, graceful SIGTERM/SIGINT) plus heartbeat and reaper."""

    def __init__(
        self,
        *,
        heartbeat_seconds: float | None = None,
        dead_after_seconds: float | None = None,
        max_abandons: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        heartbeat_seconds = heartbeat_seconds or settings.KIZUNA_WORKER_HEARTBEAT_SECONDS
        dead_after_seconds = dead_after_seconds or settings.KIZUNA_WORKER_DEAD_AFTER_SECONDS
        if dead_after_seconds < 2 * heartbeat_seconds:
            logger.warning(
                "KIZUNA_WORKER_DEAD_AFTER_SECONDS=%s is under two heartbeats (%ss): live workers may be"
                " taken for dead and their tasks run twice",
                dead_after_seconds,
                heartbeat_seconds,
            )
        self.stats = WorkerStats(worker_id=self.worker_id)
        self.heartbeat = Heartbeat(
            stats=self.stats,
            interval=heartbeat_seconds,
            dead_after=dead_after_seconds,
            max_abandons=settings.KIZUNA_TASK_MAX_ABANDONS if max_abandons is None else max_abandons,
        )

    def run(self) -> None:
        self.heartbeat.start()
        try:
            super().run()
        finally:
            # Also on SystemExit from the base class's signal handler.
            self.heartbeat.stop()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        token = current_task_id.set(str(db_task_result.id))
        try:
            super().run_task(db_task_result)
        finally:
            current_task_id.reset(token)
        if db_task_result.status == TaskResultStatus.SUCCESSFUL:
            self.stats.tasks_successful += 1
        else:
            self.stats.tasks_failed += 1
            self.stats.error_types.append(db_task_result.exception_class_path)
