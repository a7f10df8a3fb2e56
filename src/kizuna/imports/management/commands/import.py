"""``kizuna import contacts FILE`` and ``kizuna import status|resume|undo|list JOB``: thin, the work
is in :mod:`kizuna.imports.services`."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.core.errors import KizunaError
from kizuna.imports import report, selectors, services
from kizuna.imports.mapping import parse_overrides
from kizuna.imports.models import ImportJob, ImportObject, OnDuplicate
from kizuna.imports.targets import TARGETS


class Command(BaseCommand):
    help = "Import a file (dry run first if you like), or see, resume or undo an import job."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ImportObject.values:
            p = sub.add_parser(name, help=f"import {name} from a CSV/TSV, XLSX, JSON or NDJSON file")
            p.add_argument("file")
            p.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
            p.add_argument(
                "--map",
                action="append",
                default=[],
                metavar="列名=field",
                help="map a column (repeatable; 列名= skips it)",
            )
            p.add_argument("--mapping", default="", metavar="NAME", help="start from a saved mapping")
            p.add_argument(
                "--save-mapping", default="", metavar="NAME", help="save this file's mapping by name"
            )
            p.add_argument("--on-duplicate", choices=OnDuplicate.values, default=OnDuplicate.SKIP)
            p.add_argument(
                "--companies",
                choices=["create", "match"],
                default="create",
                help="companies named in the file but not in Kizuna: create them, or reject the row",
            )
            p.add_argument(
                "--automation",
                action="store_true",
                help="let workflows and webhooks react to each imported record (off by default)",
            )
            p.add_argument(
                "--encoding", default=None, help="utf-8, cp932 (Shift_JIS), euc-jp … (detected when omitted)"
            )
            p.add_argument("--sheet", default=None, help="XLSX sheet name or position (1 is the first)")
            p.add_argument(
                "--record",
                default=None,
                help="XML record element (伝票, or a path 売上伝票一覧/伝票); detected when omitted",
            )
            p.add_argument(
                "--report",
                default="",
                metavar="errors.csv",
                help="write the rows with errors, plus the reasons, to this file",
            )
            p.add_argument("--chunk-rows", type=int, default=services.CHUNK_ROWS, help="rows per transaction")
            _common(p)
        for name, text in (
            ("status", "show a job"),
            ("resume", "finish an interrupted job"),
            ("undo", "remove what a job wrote"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("job")
            if name == "undo":
                p.add_argument(
                    "--force", action="store_true", help="undo even records changed since the import"
                )
            if name == "status":
                p.add_argument("--report", default="", metavar="errors.csv")
            _common(p)
        _common(sub.add_parser("list", help="the latest jobs"))

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        try:
            actor = report.cli_user(options["user"])
            job = self._act(actor, options)
        except KizunaError as error:
            if fmt == "json":
                self.stdout.write(json.dumps({"error": error.as_dict()}, ensure_ascii=False, indent=2))
            raise CommandError(f"{error.code}: {error.cause()} {error.remedy()}", returncode=2) from None
        if job is None:
            return
        if options.get("report"):
            written = report.write_error_file(job, options["report"])
            if fmt != "json":
                self.stderr.write(f"error file: {options['report']} ({written} rows)")
        if fmt == "json":
            report.write_json_report(job, self.stdout)
        else:
            self.stdout.write(report.job_text(job))
        if job.counts.get("invalid"):
            sys.exit(1)

    def _act(self, actor: Any, options: dict[str, Any]) -> ImportJob | None:
        action = options["action"]
        progress = report.ProgressBar(enabled=options["format"] != "json")
        if action in ImportObject.values:
            target = TARGETS[action]
            known = [f"custom.{key}" for key in target.custom_definitions()]
            overrides = parse_overrides(options["map"], known=known, object_type=action)
            job = services.import_job_create(
                actor=actor,
                path=options["file"],
                object_type=action,
                encoding=options["encoding"],
                sheet=options["sheet"],
                overrides=overrides,
                mapping_name=options["mapping"],
                options={
                    "on_duplicate": options["on_duplicate"],
                    "automation": options["automation"],
                    "companies": options["companies"],
                    "chunk_rows": options["chunk_rows"],
                    "record": options["record"] or "",
                },
            )
            if options["save_mapping"]:
                services.import_mapping_save(
                    actor=actor, name=options["save_mapping"], object_type=action, mapping=job.mapping
                )
            with progress:
                return services.import_job_run(
                    actor=actor, job_id=job.pk, dry_run=options["dry_run"], progress=progress.update
                )
        if action == "list":
            for job in selectors.import_job_list(user=actor)[:20]:
                self.stdout.write(
                    f"{job.pk:>6}  {job.get_status_display():<12} {job.created_at:%Y-%m-%d %H:%M}  {job.file_name}  {job.counts}"
                )
            return None
        if action == "status":
            return selectors.import_job_get(user=actor, pk=options["job"])
        if action == "resume":
            with progress:
                return services.import_job_resume(
                    actor=actor, job_id=options["job"], progress=progress.update
                )
        result = services.import_job_undo(actor=actor, job_id=options["job"], force=options["force"])
        self.stdout.write(
            f"undone: {result['deleted']} deleted, {result['restored']} restored, {result['gone']} already gone"
        )
        return None


def _common(parser: CommandParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--user", default="", help="the user the import runs as (default: the first administrator)"
    )
