"""Enqueueing background tasks with the change that caused them, and running their side effects once.

django-tasks-db stores a task as a ``DBTaskResult`` row written with the ORM, so a task enqueued
inside ``transaction.atomic`` commits or rolls back together with the caller's change: no
``on_commit`` (a crash between COMMIT and the callback would lose the task). A worker that dies
mid-task gets its task re-run (see :mod:`kizuna.core.worker`), so every task must be safe to run
twice; :func:`run_once` makes a database side effect happen exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import transaction
from django_tasks.base import Task, TaskResult

from .events import OutsideTransactionError
from .models import TaskSideEffect

T = TypeVar("T")

# The id of the task the current worker is running; recorded beside each side effect for tracing.
current_task_id: ContextVar[str | None] = ContextVar("kizuna_current_task_id", default=None)


def enqueue_in_transaction(task: Task[Any, T], *args: Any, **kwargs: Any) -> TaskResult[T]:
    """Enqueue ``task`` in the caller's transaction: it exists if and only if the caller's change commits."""
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransactionError(
            f"enqueue_in_transaction({task.name}) must run inside transaction.atomic() "
            "so the task commits together with the change that caused it"
        )
    return task.enqueue(*args, **kwargs)


@contextmanager
def run_once(key: str) -> Iterator[bool]:
    """Yield True the first time ``key`` is seen, False on a re-run; the key commits with the block.

    Do the side effect inside the block when it yields True::

        with run_once(f"contact.welcome:{contact_id}") as first_time:
            if first_time:
                contact_update(...)

    Only database side effects are covered: the key and the change share one transaction. Anything
    leaving Kizuna (mail, webhooks) goes through the delivery ledger instead.
    """
    with transaction.atomic():
        # get_or_create relies on the unique key: a concurrent run blocks on the insert, then sees it.
        _, created = TaskSideEffect.objects.get_or_create(
            key=key, defaults={"task_id": current_task_id.get()}
        )
        yield created
