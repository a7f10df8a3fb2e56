"""``kizuna serve``: the web app under gunicorn and, unless ``--no-worker``, a task worker beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.supervisor import Child, Supervisor, web_command, worker_command


class Command(BaseCommand):
    help = (
        "Run Kizuna: the web app (gunicorn) and one task worker beside it, whatever the database. "
        "Use --no-worker on web-only machines when workers run elsewhere (kizuna worker). "
        "SIGTERM or Ctrl+C stops both; if either exits on its own, the other is stopped too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
        parser.add_argument(
            "--workers", type=int, default=2, help="web worker processes (gunicorn) (default: %(default)s)"
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start a task worker")

    def handle(self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **options: Any) -> None:
        # WhiteNoise serves from the finders; an absent STATIC_ROOT only makes each web process warn.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        children = [Child("web", web_command(host=host, port=port, workers=workers))]
        if not no_worker:
            children.append(Child("worker", worker_command()))
        url_host = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Kizuna is starting at http://{url_host}:{port}/ (Ctrl+C to stop)")
        outcome = Supervisor(children).run()
        if outcome.code:
            raise CommandError(outcome.reason, returncode=outcome.code)
        self.stdout.write(f"Kizuna {outcome.reason}.")
