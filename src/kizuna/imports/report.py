"""What a person sees of an import: the report (counts, every row problem with its message and remedy),
the error file (the rows that were not imported, as they were, plus the reasons — in the file's own
encoding, ready to fix and import again) and the command line's progress bar."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kizuna.core.errors import KizunaError

from .models import ImportJob, RowProblem
from .reading import CsvSource

ERROR_COLUMNS = ("エラー行", "エラー列", "エラーコード", "エラー内容")


def cli_user(username: str) -> Any:
    from kizuna.accounts.models import User

    qs = User.objects.filter(is_active=True)
    user = (
        qs.filter(username=username).first()
        if username
        else qs.filter(is_superuser=True).order_by("pk").first()
        or qs.filter(role="administrator").order_by("pk").first()
    )
    if user is None:
        raise KizunaError(
            "KZ-VAL-011", context={"object_type": "user", "value": username or "administrator"}, field="user"
        )
    return user


def _label(model: Any, name: str) -> Any:
    """A field as a person knows it (メールアドレス / email), translated when rendered."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        return model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def problem_error(p: RowProblem, model: Any = None) -> KizunaError:
    context = dict(p.context)
    if model is not None:
        if p.field and "field" in context:
            context["field"] = _label(model, p.field)
        if "key" in context:
            context["key"] = _label(model, context["key"])
    return KizunaError(p.code, context=context, field=p.field or None)


def problem_dict(p: RowProblem, language: str | None = None) -> dict[str, Any]:
    from .targets import TARGETS

    error = problem_error(p, TARGETS[p.job.object_type].model)
    return {
        "row": p.row,
        "column": p.column,
        "field": p.field,
        "value": p.value,
        "code": p.code,
        "warning": p.warning,
        "message": error.cause(language),
        "remedy": error.remedy(language),
    }


def problems(job: ImportJob) -> Iterator[RowProblem]:
    return job.problems.select_related("job").order_by("row", "id").iterator(chunk_size=2000)


def write_json_report(job: ImportJob, out: Any, language: str | None = None) -> None:
    """:func:`job_report` as JSON text, the problems streamed one by one: a million-row file can have
    a hundred thousand of them, which as one object would cost hundreds of megabytes."""
    head = job_report(job, language, with_problems=False)
    text = json.dumps(head, ensure_ascii=False, indent=2)
    out.write(text[: text.rindex("}")].rstrip() + ',\n  "problems": [')
    for count, problem in enumerate(problems(job)):
        out.write(
            ("," if count else "")
            + "\n    "
            + json.dumps(problem_dict(problem, language), ensure_ascii=False)
        )
    out.write("\n  ]\n}\n")


def job_report(job: ImportJob, language: str | None = None, *, with_problems: bool = True) -> dict[str, Any]:
    return {
        "job": job.pk,
        "status": job.status,
        "dry_run": job.dry_run,
        "file": job.file_name,
        "encoding": job.encoding,
        "mapping": job.mapping,
        "options": job.options,
        "rows_done": job.rows_done,
        "counts": job.counts,
        "timings": job.timings,
        "report": job.report,
        "failure": job.failure,
        **({"problems": [problem_dict(p, language) for p in problems(job)]} if with_problems else {}),
    }


def job_text(job: ImportJob, *, limit: int = 20) -> str:
    c = job.counts
    title = _("Import job")
    lines = [
        f"{title} {job.pk}: {job.get_status_display()} — {job.file_name} ({job.encoding or '-'})",
        "  "
        + ", ".join(
            f"{k} {c.get(k, 0)}"
            for k in (
                "rows",
                "valid",
                "invalid",
                "created",
                "updated",
                "unchanged",
                "skipped",
                "review",
                "blank",
                "duplicates_in_file",
                "duplicates_existing",
            )
            if c.get(k) or k in ("rows", "invalid")
        ),
    ]
    if job.failure:
        error = KizunaError(job.failure["code"], context=dict(job.failure.get("context", {})))
        lines.append(f"  {error.code}: {error.cause()} {error.remedy()}")
    if job.report.get("companies_created"):
        lines.append(f"  companies created: {job.report['companies_created']}")
    if "verified" in job.report:
        lines.append(
            f"  verified: {'yes' if job.report['verified'] else 'NO'} (rows in {job.report.get('rows_in')}, accounted {job.report.get('accounted')})"
        )
    for shown, p in enumerate(problems(job)):
        if shown == limit:
            lines.append(f"  … {job.problems.count() - limit} more (--format json or --report FILE for all)")
            break
        d = problem_dict(p)
        where = f"row {d['row']}" + (f" [{d['column']}]" if d["column"] else "")
        lines.append(f"  {where} {d['code']}{' (warning)' if d['warning'] else ''}: {d['message']}")
    return "\n".join(lines)


def write_error_file(job: ImportJob, destination: str | Path) -> int:
    """The rows with errors as the file had them, plus the error columns, in the file's encoding
    (CSV sources) or UTF-8 with BOM (XLSX, JSON). Returns the number of rows written."""
    from .services import job_source
    from .targets import TARGETS

    model = TARGETS[job.object_type].model
    by_row: dict[int, list[RowProblem]] = {}
    for p in problems(job):
        if not p.warning:
            by_row.setdefault(p.row, []).append(p)
    source = job_source(job)
    csv_source = isinstance(source, CsvSource)
    encoding = (source.encoding if csv_source else "utf-8-sig") or "utf-8-sig"
    delimiter = source.delimiter if csv_source else ","
    written = 0
    with (
        translation.override("ja"),
        Path(destination).open("w", encoding=encoding, errors="backslashreplace", newline="") as out,
    ):
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        header_done = False
        for row in source.rows():
            if not header_done:
                if row.error is None and row.values:
                    writer.writerow([*row.values, *ERROR_COLUMNS])
                    header_done = True
                continue
            found = by_row.get(row.number)
            if not found:
                continue
            reasons = [
                (
                    p.column or str(_label(model, p.field)) if p.field else p.column,
                    p.code,
                    problem_error(p, model).cause("ja"),
                )
                for p in found
            ]
            writer.writerow(
                [
                    *row.values,
                    str(row.number),
                    " / ".join(r[0] for r in reasons if r[0]),
                    " / ".join(r[1] for r in reasons),
                    " / ".join(r[2] for r in reasons),
                ]
            )
            written += 1
    return written


class ProgressBar:
    """A rich progress bar on stderr with rate and ETA; silent when output is JSON or not a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[rows]} rows {task.fields[rate]}/s"),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("import", total=None, rows=0, rate=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, info: Any) -> None:
        if self._progress is None:
            return
        elapsed = max(time.monotonic() - info.started, 1e-6)
        self._progress.update(
            self._task,
            completed=info.bytes_done,
            total=info.bytes_total,
            rows=info.rows,
            rate=int(info.rows / elapsed),
        )
