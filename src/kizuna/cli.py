"""The ``kizuna`` command: Kizuna's own commands plus every Django management command."""

from __future__ import annotations

import os
import sys

KIZUNA_COMMANDS = {
    "serve": "run the web app (gunicorn) and a task worker beside it (--no-worker: web only)",
    "worker": "run background tasks, with heartbeats and recovery of tasks left by dead workers",
    "migrate": "create or update the database schema",
    "demo": "load realistic Japanese demo data (--contacts N)",
    "createuser": "create a user (or, with --admin-once, the first administrator)",
    "import": "import a file (kizuna import contacts FILE --dry-run), or see, resume or undo a job",
    "export": "export contacts to CSV/XLSX/JSON that imports back exactly",
    "errors": "list the error catalog, or explain one code (kizuna errors KZ-VAL-001)",
}


def _usage() -> str:
    lines = ["usage: kizuna COMMAND [options]   (kizuna COMMAND --help for details)", "", "Kizuna commands:"]
    lines += [f"  {name:<11} {text}" for name, text in KIZUNA_COMMANDS.items()]
    lines += ["", "Every Django management command works too (kizuna shell, kizuna check, …)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(_usage())
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kizuna", *argv[1:]])


if __name__ == "__main__":
    main()
