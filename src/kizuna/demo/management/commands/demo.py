"""``kizuna demo``: load realistic Japanese demo data (contacts, companies, deals, orders, tickets …)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.errors import KizunaError
from kizuna.demo.generator import has_contacts, load_demo


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Load Japanese demo data: N contacts with companies, deals and their stage history, orders, "
        "tickets, feedback, activities and tasks, plus demo users, teams, pipelines, products and tags. "
        "All or nothing, in one transaction. The same --seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contacts", type=_positive, default=2000, help="contacts to create (default: %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds contacts (make run uses this)",
        )
        parser.add_argument(
            "--password",
            default="",
            help="password for the demo users (default: none; they cannot sign in until one is set)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(
        self, *args: Any, contacts: int, seed: int, if_empty: bool, password: str, format: str, **options: Any
    ) -> None:
        if if_empty and has_contacts():
            if format == "json":
                self.stdout.write(json.dumps({"loaded": False, "reason": "database already holds contacts"}))
            else:
                self.stdout.write("Demo data not loaded: the database already holds contacts.")
            return
        interactive = format == "text" and sys.stderr.isatty()

        def progress(done: int) -> None:
            if interactive:
                sys.stderr.write(f"\r  {done:,} / {contacts:,} contacts")
                sys.stderr.flush()

        if format == "text":
            self.stdout.write(f"Loading demo data: {contacts:,} contacts (seed {seed}) …")
        try:
            result = load_demo(contacts=contacts, seed=seed, password=password or None, progress=progress)
        except KizunaError as exc:
            raise CommandError(f"{exc.code}: {exc.cause()} {exc.remedy()}") from exc
        if interactive:
            sys.stderr.write("\n")
        if format == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {result.rows:,} rows in {result.seconds:.1f} s "
                f"({result.rows_per_second:,.0f} rows/s, {result.database})."
            )
        )
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<28} {count:>10,}")
        if result.users_created:
            hint = "" if password else " (no password: set one with kizuna changepassword NAME)"
            self.stdout.write(f"  demo users created: {result.users_created}{hint}")
