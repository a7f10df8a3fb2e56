"""Tasks and subprocess entry points used only by the test suite (worker crash and concurrency tests).

They live in the package because worker subprocesses import tasks by dotted path. Core imports no
other Kizuna app, so the customers services used here are imported inside the functions.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

from django.db import transaction
from django_tasks import task

from .tasks import enqueue_in_transaction, run_once

THINK_SECONDS = 0.005


@task()
def record_side_effect(key: str, sleep_seconds: float = 0.0, linger_seconds: float = 0.0) -> bool:
    """Record ``key`` once; True if this run did it. Sleeps inside the side effect, then after COMMIT.

    The two sleeps give a test two windows to kill the worker in: before the side effect commits,
    and after it commits but before the task is marked successful.
    """
    with run_once(key) as first_time:
        if first_time:
            time.sleep(sleep_seconds)
    time.sleep(linger_seconds)
    return first_time


@task()
def contact_retitle(contact_id: int, actor_id: int, title: str) -> bool:
    """Change a contact's title through the service, once per (contact, title)."""
    from kizuna.accounts.models import User
    from kizuna.customers.services import contact_update

    with run_once(f"contact_retitle:{contact_id}:{title}") as first_time:
        if first_time:
            actor = User.objects.get(pk=actor_id)
            contact_update(actor=actor, contact_id=contact_id, data={"title": title}, via="workflow")
    return first_time


def contact_create_and_die(*, actor_id: int, die: str) -> None:
    """Act as a web request: create a contact and enqueue its task in one transaction, then SIGKILL self.

    ``die`` is ``"before_commit"`` (inside the atomic block) or ``"after_commit"`` (right after it).
    """
    from kizuna.accounts.models import User
    from kizuna.customers.services import contact_create

    actor = User.objects.get(pk=actor_id)
    with transaction.atomic():
        contact = contact_create(actor=actor, data={"family_name": "山田", "given_name": "花子"})
        enqueue_in_transaction(record_side_effect, f"contact:{contact.pk}")
        if die == "before_commit":
            os.kill(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def web_write_loop(*, actor_id: int, seconds: float) -> dict[str, Any]:
    """Act as a busy web process: create and update contacts, each write enqueueing a task that writes too."""
    from kizuna.accounts.models import User
    from kizuna.customers.services import contact_create, contact_update

    actor = User.objects.get(pk=actor_id)
    summary: dict[str, Any] = {"process": "web", "ops": 0, "errors": 0, "error_types": []}
    deadline = time.monotonic() + seconds
    contact_id = None
    while time.monotonic() < deadline:
        n = summary["ops"]
        try:
            with transaction.atomic():
                if n % 3 == 0 or contact_id is None:
                    contact_id = contact_create(actor=actor, data={"family_name": f"負荷{n}"}).pk
                else:
                    contact_update(actor=actor, contact_id=contact_id, data={"department": f"部署{n}"})
                enqueue_in_transaction(contact_retitle, contact_id, actor_id, f"title {n}")
            summary["ops"] += 1
        except Exception as exc:  # counted, not raised: the test asserts there were none
            summary["errors"] += 1
            summary["error_types"].append(f"{type(exc).__name__}: {exc}"[:200])
        # A web process spends most of a request outside its write transaction (parsing, rendering);
        # a loop with no pause at all would be a benchmark of SQLite's lock hand-over, not a web load.
        time.sleep(THINK_SECONDS)
    return summary


def main(argv: list[str]) -> None:
    """Subprocess entry point, run after ``django.setup()``: ``COMMAND ACTOR_ID ARG``.

    Not ``python -m``: tasks enqueued from ``__main__`` would be stored under the wrong dotted path.
    """
    command, actor_id, arg = argv[0], int(argv[1]), argv[2]
    if command == "contact-create-and-die":
        contact_create_and_die(actor_id=actor_id, die=arg)
    elif command == "web-write-loop":
        sys.stdout.write(json.dumps(web_write_loop(actor_id=actor_id, seconds=float(arg))) + "\n")
    else:
        raise SystemExit(f"unknown command {command!r}")
