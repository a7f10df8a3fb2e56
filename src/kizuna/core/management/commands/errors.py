"""``kizuna errors [CODE] [--format json] [--language ja|en]``: the error catalog."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.errors import catalog, catalog_markdown, get_spec


class Command(BaseCommand):
    help = "List the error catalog, or explain one code with its cause and remedy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", nargs="?", help="an error code such as KZ-VAL-001")
        parser.add_argument("--format", choices=["text", "json", "markdown"], default="text")
        parser.add_argument("--language", choices=["ja", "en"], default="ja")

    def handle(self, *args: Any, code: str | None, format: str, language: str, **options: Any) -> None:
        if code:
            try:
                specs = [get_spec(code.upper())]
            except LookupError:
                raise CommandError(f"unknown error code {code!r}; run `kizuna errors` for the list") from None
        else:
            specs = list(catalog())
        rows = [
            {
                "code": s.code,
                "title": s.text("title", language),
                "cause": s.text("cause", language),
                "remedy": s.text("remedy", language),
                "http_status": s.http_status,
                "retryable": s.retryable,
            }
            for s in specs
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if format == "markdown":
            self.stdout.write(catalog_markdown(), ending="")
            return
        for row in rows:
            if code:
                self.stdout.write(f"{row['code']}  {row['title']}\n")
                self.stdout.write(f"  cause:  {row['cause']}\n  remedy: {row['remedy']}\n")
                self.stdout.write(
                    f"  HTTP {row['http_status']}, retryable: {'yes' if row['retryable'] else 'no'}\n"
                )
            else:
                self.stdout.write(f"{row['code']}  {row['title']}")
