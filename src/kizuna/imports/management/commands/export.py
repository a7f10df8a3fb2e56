"""``kizuna export contacts [--format csv|xlsx|json] [--encoding utf-8-sig|cp932] -o FILE``: every record
the user may see, in a file ``kizuna import`` reads back exactly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.errors import KizunaError
from kizuna.imports import exporting, report


class Command(BaseCommand):
    help = "Export contacts to CSV (UTF-8 with BOM or CP932), XLSX or JSON; the file imports back exactly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("object", choices=["contacts"])
        parser.add_argument("--format", choices=exporting.FORMATS, default="csv")
        parser.add_argument(
            "--encoding",
            choices=exporting.ENCODINGS,
            default="utf-8-sig",
            help="CSV only (default: UTF-8 with BOM, which Excel opens)",
        )
        parser.add_argument("-o", "--output", required=True, metavar="FILE")
        parser.add_argument(
            "--user", default="", help="export what this user may see (default: the first administrator)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = report.cli_user(options["user"])
            count = exporting.export_contacts(
                actor=actor,
                destination=options["output"],
                fmt=options["format"],
                encoding=options["encoding"],
            )
        except KizunaError as error:
            raise CommandError(f"{error.code}: {error.cause()} {error.remedy()}", returncode=2) from None
        self.stdout.write(f"{count} contacts -> {options['output']}")
