"""Import jobs: create (store the file, read its header, map it), run (dry run or commit, in chunks),
resume, undo. One function per use case; the CLI, the UI and the API all call these.

Exactly once: each chunk's records, audit rows, problems, counts and the job's checkpoint
(``rows_done``) commit in one transaction. A process killed or cut off from the database mid-chunk
leaves the chunk unwritten and the checkpoint before it; ``import_job_resume`` reads the file again
(its checksum must match), replays the rows before the checkpoint only to rebuild the in-file
duplicate keys, and writes from the checkpoint on.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.visibility import ensure_can_create
from kizuna.core import bulk
from kizuna.core import fields as f
from kizuna.core.error_events import error_record
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.models import AuditAction, AuditEntry, EntryPoint

from .mapping import Mapping, auto_map, header_key
from .models import ImportJob, JobStatus, OnDuplicate, RowProblem, SavedMapping
from .parallel import prepare_chunks
from .pipeline import Prepared, Problem, RowPreparer, date_orders, may_hold_day_month_dates
from .reading import CsvSource, SourceRow, open_source
from .selectors import import_job_get
from .targets import TARGETS, CompanyResolver, Decision, SeenKeys, Target, build_new, decide, update_existing

CHUNK_ROWS = 2000
MAX_COLUMNS = 1000
PARALLEL_BYTES = 4 * 1024 * 1024
Progress = Callable[["ProgressInfo"], None]


@dataclass(frozen=True)
class ProgressInfo:
    rows: int  # source rows handled so far
    bytes_done: int
    bytes_total: int
    started: float  # time.monotonic() at the start of this run
    counts: dict[str, int]


def _max_bytes() -> int:
    return int(getattr(settings, "KIZUNA_IMPORT_MAX_BYTES", 2 * 1024**3))


def _store(path: Path) -> tuple[Path, str]:
    """Copy the file under var/imports (the job must outlive the upload), returning its checksum."""
    folder = Path(settings.VAR_DIR) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / path.name
    digest = hashlib.sha256()
    with path.open("rb") as src, stored.open("wb") as dst:
        while block := src.read(1 << 20):
            digest.update(block)
            dst.write(block)
    return stored, digest.hexdigest()


def _fail(job: ImportJob, error: KizunaError, *, actor: Any, via: str) -> None:
    job.status = JobStatus.FAILED
    job.failure = {"code": error.code, "context": {k: str(v) for k, v in error.context.items()}}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "failure", "finished_at"])
    error_record(error, actor=actor, via=via, obj=job)


def job_source(job: ImportJob) -> Any:
    """A reader of the job's stored file, with the encoding, sheet and record element it was read with."""
    return open_source(
        job.file_path,
        encoding=job.encoding if job.encoding not in ("", "xml") else None,
        sheet=job.sheet or None,
        record=job.options.get("record") or None,
    )


def header_row(rows: Iterator[SourceRow]) -> SourceRow | None:
    """The first row with values (the header); a row the reader could not read first is raised."""
    for row in rows:
        if row.error is None and row.values:
            return row
        if row.error is not None:
            raise row.error
    return None


def import_job_create(
    *,
    actor: Any,
    path: str | Path,
    object_type: str = "contacts",
    file_name: str = "",
    encoding: str | None = None,
    sheet: str | None = None,
    overrides: dict[str, str] | None = None,
    mapping_name: str = "",
    options: dict[str, Any] | None = None,
    via: str = EntryPoint.CLI,
) -> ImportJob:
    """Keep the file, read its header and map its columns. A file that cannot be imported at all
    (empty, header only, not text, duplicate headers, no column for a required field …) leaves a
    FAILED job with the coded error, which is raised."""
    target = TARGETS[object_type]
    ensure_can_create(actor, object_type=str(target.model._meta.verbose_name))
    path = Path(path)
    if not path.is_file() or not os.access(path, os.R_OK):
        reason = _("no such file") if not path.exists() else _("not a readable file")
        raise KizunaError("KZ-IMP-039", context={"file": str(path), "action": _("read"), "reason": reason})
    opts = {
        "on_duplicate": OnDuplicate.SKIP,
        "automation": False,
        "companies": "create",
        "chunk_rows": CHUNK_ROWS,
    }
    opts.update(options or {})
    if opts["on_duplicate"] not in OnDuplicate.values:
        raise KizunaError(
            "KZ-VAL-003",
            context={"value": opts["on_duplicate"], "allowed": ", ".join(OnDuplicate.values)},
            field="on_duplicate",
        )
    job = ImportJob(
        object_type=object_type,
        created_by=actor,
        file_name=file_name or path.name,
        file_path="",
        file_size=path.stat().st_size,
        file_sha256="",
        encoding=encoding or "",
        sheet=str(sheet or ""),
        options=opts,
    )
    if job.file_size > _max_bytes():
        job.file_path = str(path)
        job.save()
        error = KizunaError(
            "KZ-IMP-017", context={"file": job.file_name, "size": job.file_size, "limit": _max_bytes()}
        )
        _fail(job, error, actor=actor, via=via)
        raise error
    stored, digest = _store(path)
    job.file_path, job.file_sha256 = str(stored), digest
    job.save()
    try:
        saved = _saved_mapping(object_type, mapping_name) if mapping_name else {}
        _analyze(job, target, overrides={**saved, **(overrides or {})})
    except KizunaError as error:
        _fail(job, error, actor=actor, via=via)
        raise
    return job


def _saved_mapping(object_type: str, name: str) -> dict[str, str]:
    saved = SavedMapping.objects.filter(object_type=object_type, name=name).first()
    if saved is None:
        names = ", ".join(SavedMapping.objects.filter(object_type=object_type).values_list("name", flat=True))
        raise KizunaError("KZ-IMP-027", context={"name": name, "names": names or "—"})
    return dict(saved.mapping)


def _analyze(job: ImportJob, target: Target, *, overrides: dict[str, str]) -> None:
    source = job_source(job)
    if isinstance(source, CsvSource):
        job.encoding, job.delimiter = source.encoding, source.delimiter
    rows = source.rows()
    header = header_row(rows)
    if header is None:
        raise KizunaError("KZ-IMP-003", context={"file": job.file_name})
    if len(header.values) > MAX_COLUMNS:
        raise KizunaError("KZ-IMP-019", context={"count": len(header.values), "limit": MAX_COLUMNS})
    named = [h for h in header.values if h.strip()]
    repeated = sorted({h for h in named if sum(header_key(x) == header_key(h) for x in named) > 1})
    if repeated:
        raise KizunaError("KZ-IMP-013", context={"headers": ", ".join(repeated)})
    if not any(r.error is not None or any(v.strip() for v in r.values) for r in rows):
        raise KizunaError("KZ-IMP-020", context={"file": job.file_name})
    mapping = auto_map(
        header.values,
        custom_fields=target.custom_definitions().values(),
        overrides=overrides,
        object_type=job.object_type,
    )
    mapped = set(mapping.columns.values())
    for options in target.required:
        if not mapped & set(options):
            raise KizunaError(
                "KZ-IMP-018",
                context={"fields": " / ".join(options), "headers": ", ".join(named)[:300]},
            )
    job.mapping = {h: mapping.columns.get(i, "") for i, h in enumerate(header.values) if h.strip()}
    job.save(update_fields=["encoding", "delimiter", "mapping"])


def job_mapping(job: ImportJob, headers: list[str]) -> Mapping:
    target = TARGETS[job.object_type]
    return auto_map(
        headers,
        custom_fields=target.custom_definitions().values(),
        overrides=job.mapping,
        object_type=job.object_type,
    )


def import_mapping_save(*, actor: Any, name: str, object_type: str, mapping: dict[str, str]) -> SavedMapping:
    """Keep a mapping (header -> field) by name for files of the same layout."""
    saved, _ = SavedMapping.objects.update_or_create(
        object_type=object_type, name=name, defaults={"mapping": mapping, "created_by": actor}
    )
    return saved


def _chunks(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _workers(size: int) -> int:
    """Processes preparing rows beside this one: every core for a large file (forking costs more
    than it saves below a few megabytes)."""
    configured = int(getattr(settings, "KIZUNA_IMPORT_WORKERS", 0))
    if configured:
        return max(configured, 0)  # -1: none
    return (os.cpu_count() or 1) if size >= PARALLEL_BYTES else 0


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only its heartbeat can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def import_job_run(
    *,
    actor: Any,
    job_id: int,
    dry_run: bool = False,
    progress: Progress | None = None,
    via: str = EntryPoint.CLI,
) -> ImportJob:
    """Dry-run (everything but writing) or commit the job from the start."""
    job = import_job_get(user=actor, pk=job_id)
    if job.status not in (JobStatus.CREATED, JobStatus.CHECKED):
        raise KizunaError(
            "KZ-IMP-025",
            context={
                "job": job.pk,
                "status": job.get_status_display(),
                "action": _("dry run") if dry_run else _("import"),
            },
        )
    job.problems.all().delete()
    job.rows_done, job.counts, job.report, job.failure = 0, {}, {}, {}
    return _execute(job, actor=actor, dry_run=dry_run, progress=progress, via=via)


def import_job_resume(
    *, actor: Any, job_id: int, progress: Progress | None = None, via: str = EntryPoint.CLI
) -> ImportJob:
    """Finish an interrupted commit from its checkpoint: every row written exactly once."""
    job = import_job_get(user=actor, pk=job_id)
    if job.status not in (JobStatus.RUNNING, JobStatus.FAILED) or job.dry_run:
        raise KizunaError(
            "KZ-IMP-025", context={"job": job.pk, "status": job.get_status_display(), "action": _("resume")}
        )
    if job.status == JobStatus.RUNNING and job.worker and _alive(job.worker) and job.worker != _worker_id():
        raise KizunaError("KZ-IMP-022", context={"job": job.pk, "worker": job.worker})
    if _checksum(Path(job.file_path)) != job.file_sha256:
        raise KizunaError("KZ-IMP-023", context={"job": job.pk, "file": job.file_path})
    job.problems.filter(row__gt=job.rows_done).delete()
    job.failure = {}
    return _execute(job, actor=actor, dry_run=False, progress=progress, via=via, resume=True)


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except FileNotFoundError:
        return ""
    return digest.hexdigest()


@dataclass
class _Run:
    job: ImportJob
    target: Target
    actor: Any
    owner: Any
    policy: str
    automation: bool
    dry_run: bool
    via: str
    resolver: CompanyResolver
    counts: Counter[str]
    empty: Counter[str]


def _execute(
    job: ImportJob, *, actor: Any, dry_run: bool, progress: Progress | None, via: str, resume: bool = False
) -> ImportJob:
    target = TARGETS[job.object_type]
    opts = job.options
    job.dry_run = dry_run
    job.status = JobStatus.CHECKING if dry_run else JobStatus.RUNNING
    job.worker, job.heartbeat_at = _worker_id(), timezone.now()
    if not resume or job.started_at is None:
        job.started_at = timezone.now()
    job.save()
    started = time.monotonic()
    run = _Run(
        job=job,
        target=target,
        actor=actor,
        owner=actor,
        policy=opts.get("on_duplicate", OnDuplicate.SKIP),
        automation=bool(opts.get("automation")),
        dry_run=dry_run,
        via=EntryPoint.IMPORT,
        resolver=CompanyResolver(
            actor=actor, create=opts.get("companies") == "create", batch=job.batch, via=EntryPoint.IMPORT
        ),
        counts=Counter({k: int(v) for k, v in job.counts.items()}) if resume else Counter(),
        empty=Counter(job.report.get("empty_fields", {})) if resume else Counter(),
    )
    try:
        source = job_source(job)
        rows = source.rows()
        header = header_row(rows)
        assert header is not None
        mapping = job_mapping(job, header.values)
        date_columns = {
            name: i
            for i, name in mapping.columns.items()
            if isinstance(target.specs.get(name), f.Date) or name == "created_at"
        }
        orders = (
            date_orders(date_columns, lambda: job_source(job).rows())
            if date_columns and may_hold_day_month_dates(source)
            else {}
        )
        preparer = RowPreparer(
            mapping=mapping,
            specs=target.specs,
            custom_definitions=target.custom_definitions(),
            relations=target.relations,
            date_orders=orders,
        )
        total = os.path.getsize(job.file_path)
        size = int(opts.get("chunk_rows", CHUNK_ROWS))
        seen = SeenKeys()
        try:
            for chunk, prepared in prepare_chunks(preparer, _chunks(rows, size), workers=_workers(total)):
                if chunk[-1].number <= job.rows_done:
                    decide(prepared, target=target, seen=seen, policy=run.policy, lookup=False)
                    continue
                decisions = decide(prepared, target=target, seen=seen, policy=run.policy)
                _chunk(run, chunk[-1].number, prepared, decisions, chunk[-1].offset)
                if progress is not None:
                    progress(
                        ProgressInfo(chunk[-1].number, chunk[-1].offset, total, started, dict(run.counts))
                    )
        finally:
            seen.close()
    except KizunaError as error:
        _fail(job, error, actor=actor, via=via)
        raise
    except DatabaseError as exc:
        # A lost connection, a constraint a concurrent writer won, a full disk: the chunk rolled back,
        # the checkpoint stands, and a resume goes on from it.
        interrupted = KizunaError(
            "KZ-IMP-033",
            context={"job": job.pk, "row": job.rows_done, "detail": (str(exc).splitlines() or [""])[0][:300]},
        )
        for _attempt in range(3):  # a pool may hand out other connections the server also dropped
            try:
                connection.close()
                _fail(job, interrupted, actor=actor, via=via)
                break
            except DatabaseError:
                continue  # still unreachable: the job stays "importing" with a dead worker; resume takes over
        raise interrupted from exc
    _finish(run, started)
    return job


def _resolve(run: _Run, prepared: list[Prepared], decisions: list[Decision]) -> dict[str, int | None]:
    names = [
        p.relations.get("company", "")
        for p, d in zip(prepared, decisions, strict=True)
        if d.action in ("create", "update")
    ]
    if not any(names):
        return {}
    found = run.resolver.resolve([n for n in names if n], write=not run.dry_run)
    for p, d in zip(prepared, decisions, strict=True):
        name = p.relations.get("company", "")
        if d.action in ("create", "update") and name and found.get(name) is None:
            if run.resolver.create and run.dry_run:
                continue  # the commit creates it
            d.action = "reject"
            p.problems.append(
                Problem(
                    row=p.row,
                    code="KZ-IMP-012",
                    context={"object_type": "company", "value": name},
                    field="company",
                    column="",
                    value=name,
                )
            )
    return found


def _chunk(
    run: _Run, last_row: int, prepared: list[Prepared], decisions: list[Decision], bytes_done: int = 0
) -> None:
    job = run.job
    with transaction.atomic():
        # The first write takes SQLite's write lock, so the ids allocated below stay ours.
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        companies = _resolve(run, prepared, decisions)
        creates = [(p, d) for p, d in zip(prepared, decisions, strict=True) if d.action == "create"]
        counts = Counter[str]()
        if not run.dry_run:
            objs = [
                build_new(
                    run.target,
                    p,
                    actor=run.actor,
                    owner=run.owner,
                    company=run.resolver.instance(companies.get(p.relations.get("company", ""))),
                )
                for p, _ in creates
            ]
            tags = {i: p.tags for i, (p, _) in enumerate(creates) if p.tags}
            from kizuna.customers import records

            records.bulk_create_owned(
                run.target.model,
                objs,
                actor=run.actor,
                via=run.via,
                batch=job.batch,
                event_type=run.target.event_created,
                per_record_events=run.automation,
                tags=tags,
            )
            for p, _ in creates:
                for name in run.target.specs:
                    if p.values.get(name) in (None, ""):
                        run.empty[name] += 1
        for p, d in zip(prepared, decisions, strict=True):
            if d.action != "update":
                continue
            if run.dry_run:
                continue
            try:
                changed = update_existing(
                    run.target,
                    p,
                    existing_id=d.existing or 0,
                    actor=run.actor,
                    policy=run.policy,
                    company_id=companies.get(p.relations.get("company", "")),
                    batch=job.batch,
                    via=run.via,
                    events=run.automation,
                )
            except KizunaError as exc:
                errors = exc.errors if isinstance(exc, KizunaValidationError) else [exc]
                p.problems.extend(
                    Problem(
                        row=p.row,
                        code=e.code,
                        context={k: str(v) for k, v in e.context.items()},
                        field=e.field or "",
                    )
                    for e in errors
                )
                d.action = "reject"
                continue
            if not changed:
                d.action = "unchanged"
        _tally(counts, prepared, decisions)
        _write_problems(job, prepared)
        run.counts.update(counts)
        values: dict[str, Any] = {
            "counts": dict(run.counts),
            "heartbeat_at": timezone.now(),
            "bytes_done": bytes_done,
        }
        if not run.dry_run:
            values["rows_done"] = last_row
        ImportJob.objects.filter(pk=job.pk).update(**values)
    job.counts = dict(run.counts)
    if not run.dry_run:
        job.rows_done = last_row


def _tally(counts: Counter[str], prepared: list[Prepared], decisions: list[Decision]) -> None:
    for p, d in zip(prepared, decisions, strict=True):
        counts["rows"] += 1
        if p.blank:
            counts["blank"] += 1
        elif d.action == "reject":
            counts["invalid"] += 1
            if any(x.code == "KZ-IMP-011" for x in p.problems):
                counts["duplicates_in_file"] += 1
        else:
            counts["valid"] += 1
            key = {
                "create": "created",
                "update": "updated",
                "unchanged": "unchanged",
                "skip": "skipped",
                "review": "review",
            }[d.action]
            counts[key] += 1
            if d.existing is not None:
                counts["duplicates_existing"] += 1
        counts["warnings"] += sum(1 for x in p.problems if x.warning)


def _write_problems(job: ImportJob, prepared: list[Prepared]) -> None:
    rows = [
        (job.pk, x.row, x.column[:255], x.field[:100], x.value, x.code, x.context, x.warning)
        for p in prepared
        for x in p.problems
    ]
    if rows:
        bulk.insert_rows(
            RowProblem, ["job", "row", "column", "field", "value", "code", "context", "warning"], rows
        )


def _finish(run: _Run, started: float) -> None:
    job = run.job
    c = run.counts
    elapsed = time.monotonic() - started
    accounted = (
        c["created"] + c["updated"] + c["unchanged"] + c["skipped"] + c["review"] + c["invalid"] + c["blank"]
    )
    report: dict[str, Any] = {
        "verified": accounted == c["rows"],
        "rows_in": c["rows"],
        "accounted": accounted,
        "companies_created": run.resolver.created,
        "empty_fields": dict(run.empty),
        "problems_by_code": dict(Counter(job.problems.values_list("code", flat=True).iterator())),
    }
    if not run.dry_run:
        written = AuditEntry.objects.filter(
            batch=job.batch, object_type=run.target.model._meta.label_lower, action=AuditAction.CREATE
        ).count()
        report["created_in_database"] = written
        report["verified"] = report["verified"] and written == c["created"]
    written_rows = (
        c["created"] + c["updated"]
        if not run.dry_run
        else c["created"] + c["updated"] + c.get("unchanged", 0)
    )
    if written_rows == 0:
        report["nothing_written"] = True
        error_record(
            KizunaError(
                "KZ-IMP-028",
                context={
                    "job": job.pk,
                    "rows": c["rows"],
                    "invalid": c["invalid"],
                    "skipped": c["skipped"] + c["blank"],
                },
            ),
            actor=run.actor,
            via=run.via,
            obj=job,
        )
    elif c["invalid"]:
        error_record(
            KizunaError("KZ-IMP-030", context={"job": job.pk, "invalid": c["invalid"], "rows": c["rows"]}),
            actor=run.actor,
            via=run.via,
            obj=job,
        )
    job.report = report
    job.timings = {
        **job.timings,
        ("dry_run_seconds" if run.dry_run else "commit_seconds"): round(elapsed, 3),
        "rows_per_second": round(c["rows"] / elapsed) if elapsed else None,
    }
    job.status = JobStatus.CHECKED if run.dry_run else JobStatus.COMMITTED
    job.finished_at = timezone.now()
    job.save()


def import_job_undo(
    *, actor: Any, job_id: int, force: bool = False, via: str = EntryPoint.CLI
) -> dict[str, int]:
    """Remove what the job created and restore what it updated from the audit's before-values.
    Records someone changed since are a refusal (KZ-IMP-024) unless ``force``; all or nothing."""
    from .undo import undo_batch

    job = import_job_get(user=actor, pk=job_id)
    if job.dry_run or job.status in (
        JobStatus.CREATED,
        JobStatus.CHECKING,
        JobStatus.CHECKED,
        JobStatus.UNDONE,
    ):
        raise KizunaError(
            "KZ-IMP-025", context={"job": job.pk, "status": job.get_status_display(), "action": _("undo")}
        )
    if job.status == JobStatus.RUNNING and job.worker and _alive(job.worker) and job.worker != _worker_id():
        raise KizunaError("KZ-IMP-022", context={"job": job.pk, "worker": job.worker})
    with transaction.atomic():
        result = undo_batch(job.batch, actor=actor, force=force, via=via, job=job.pk)
        job.status = JobStatus.UNDONE
        job.report = {**job.report, "undo": result}
        job.save(update_fields=["status", "report"])
    return result


def import_job_configure(
    *, actor: Any, job_id: int, mapping: dict[str, str], options: dict[str, Any]
) -> ImportJob:
    """Set the mapping (header -> field, "" skips) and options the user chose before a dry run or import."""
    job = import_job_get(user=actor, pk=job_id)
    if job.status not in (JobStatus.CREATED, JobStatus.CHECKED):
        raise KizunaError(
            "KZ-IMP-025",
            context={"job": job.pk, "status": job.get_status_display(), "action": _("change the mapping")},
        )
    target = TARGETS[job.object_type]
    known = set(target.fields()) | {f"custom.{k}" for k in target.custom_definitions()}
    for header, name in mapping.items():
        if name and name not in known:
            raise KizunaError(
                "KZ-IMP-005", context={"value": f"{header}={name}", "suggestion": ", ".join(sorted(known))}
            )
        if header not in job.mapping:
            raise KizunaError(
                "KZ-IMP-005", context={"value": f"{header}={name}", "suggestion": ", ".join(job.mapping)}
            )
    chosen = [n for n in mapping.values() if n]
    doubled = sorted({n for n in chosen if chosen.count(n) > 1})
    if doubled:
        raise KizunaError("KZ-IMP-035", context={"fields": ", ".join(doubled)})
    for required in target.required:
        if not set(chosen) & set(required):
            raise KizunaError(
                "KZ-IMP-018",
                context={"fields": " / ".join(required), "headers": ", ".join(job.mapping)[:300]},
            )
    policy = options.get("on_duplicate", job.options.get("on_duplicate"))
    if policy not in OnDuplicate.values:
        raise KizunaError(
            "KZ-VAL-003",
            context={"value": policy, "allowed": ", ".join(OnDuplicate.values)},
            field="on_duplicate",
        )
    job.mapping = {h: mapping.get(h, "") for h in job.mapping}
    job.options = {
        **job.options,
        "on_duplicate": policy,
        "companies": "match" if options.get("companies") == "match" else "create",
        "automation": bool(options.get("automation")),
    }
    job.save(update_fields=["mapping", "options"])
    return job


def import_job_enqueue(*, actor: Any, job_id: int, dry_run: bool) -> ImportJob:
    """Start the dry run, the import or its resume in the background worker (the web wizard)."""
    from kizuna.core.tasks import enqueue_in_transaction

    from .tasks import import_job_execute

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=import_job_get(user=actor, pk=job_id).pk)
        resume = job.status in (JobStatus.RUNNING, JobStatus.FAILED) and not job.dry_run and job.rows_done > 0
        ready = (
            (JobStatus.CREATED, JobStatus.CHECKED) if not resume else (JobStatus.RUNNING, JobStatus.FAILED)
        )
        if job.status not in ready or job_waiting(job):
            raise KizunaError(
                "KZ-IMP-025",
                context={"job": job.pk, "status": job.get_status_display(), "action": _("start")},
            )
        result = enqueue_in_transaction(import_job_execute, job.pk, actor.pk, dry_run, resume)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def _task_pending(job: ImportJob) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk=job.task_id, status__in=["READY", "RUNNING"]).exists()


def job_waiting(job: ImportJob) -> bool:
    """Queued for the worker and not started yet."""
    return bool(job.task_id) and job.status in (JobStatus.CREATED, JobStatus.CHECKED) and _task_pending(job)
