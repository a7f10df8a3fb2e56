"""``kizuna worker``: run background tasks, with heartbeats and recovery of tasks left by dead workers."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import valid_interval, valid_max_tasks, validate_worker_id

from kizuna.core.worker import KizunaWorker, new_worker_id


class Command(BaseCommand):
    help = (
        "Run background tasks. Stops gracefully on SIGTERM or Ctrl+C (press again to force). "
        "Tasks left RUNNING by a worker that died are put back in the queue by the other workers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="queues to process, comma-separated; '*' for all (default: %(default)s)",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="seconds to wait when the queue is empty (default: %(default)s)",
        )
        parser.add_argument("--batch", action="store_true", help="run the tasks that are ready, then exit")
        parser.add_argument("--max-tasks", type=valid_max_tasks, help="exit after running this many tasks")
        parser.add_argument(
            "--worker-id", type=validate_worker_id, help="unique id in the pool (default: host:pid:random)"
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="skip the random delay (up to 1 s) that spreads out workers started together",
        )
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="json: print a summary on exit"
        )

    def handle(self, *args: Any, queue_name: str, format: str, **options: Any) -> None:
        worker = KizunaWorker(
            queue_names=queue_name.split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or new_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            if format == "json":
                self.stdout.write(json.dumps(worker.stats.as_dict()))
