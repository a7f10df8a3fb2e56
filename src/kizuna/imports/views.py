"""The import wizard: upload → mapping → dry-run report (with the error file) → import with live
progress → result with undo. Thin views over :mod:`kizuna.imports.services`; the long steps run in
the task worker and the page polls the job."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kizuna.core.errors import KizunaError

from . import report, selectors, services
from .models import ImportJob, ImportObject, JobStatus, OnDuplicate, SavedMapping
from .targets import TARGETS

ENCODINGS = [
    ("", _("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("cp932", "Shift_JIS (CP932)"),
    ("euc_jp", "EUC-JP"),
]
ACTIVE = (JobStatus.CHECKING, JobStatus.RUNNING)


class UploadForm(forms.Form):
    object_type = forms.ChoiceField(
        label=_("Import as"), choices=ImportObject.choices, initial=ImportObject.CONTACTS, required=False
    )
    file = forms.FileField(label=_("File (CSV, TSV, XLSX, JSON, XML)"))
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, required=False)
    sheet = forms.CharField(label=_("Sheet (XLSX)"), required=False, max_length=100)
    mapping_name = forms.ChoiceField(label=_("Saved mapping"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = SavedMapping.objects.values_list("name", flat=True).distinct()
        field = self.fields["mapping_name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Map automatically")), *((n, n) for n in names)]


def _field_choices(job: ImportJob) -> list[tuple[str, Any]]:
    target = TARGETS[job.object_type]
    model = target.model
    extra = {
        "full_name": _("Full name (split into family and given name)"),
        "full_name_kana": _("Full name in kana"),
        "company": _("Company (name or external ID)"),
        "tags": _("Tags (comma-separated)"),
        "created_at": _("Created (in the other system)"),
    }
    choices: list[tuple[str, Any]] = [("", _("Do not import"))]
    for name in target.fields():
        label = extra.get(name) or getattr(model._meta.get_field(name), "verbose_name", None) or name
        choices.append((name, label))
    for key, definition in target.custom_definitions().items():
        choices.append((f"custom.{key}", f"{definition.label_ja} ({key})"))
    return choices


@login_required
@require_http_methods(["GET"])
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/list.html", {"jobs": selectors.import_job_list(user=request.user)[:50]})


@login_required
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            stored = Path(folder) / Path(upload.name).name
            with stored.open("wb") as out:
                for piece in upload.chunks():
                    out.write(piece)
            try:
                job = services.import_job_create(
                    actor=request.user,
                    path=stored,
                    object_type=form.cleaned_data["object_type"] or ImportObject.CONTACTS,
                    encoding=form.cleaned_data["encoding"] or None,
                    sheet=form.cleaned_data["sheet"] or None,
                    mapping_name=form.cleaned_data["mapping_name"],
                    via="ui",
                )
            except KizunaError as exc:
                error = exc
            else:
                return redirect("imports:detail", pk=job.pk)
    invalid = error is not None or (request.method == "POST" and form.errors)
    return render(request, "imports/new.html", {"form": form, "error": error}, status=422 if invalid else 200)


def _headers(job: ImportJob) -> list[str]:
    """The file's named headers in file order (the stored mapping is a JSON object: PostgreSQL does
    not keep its key order)."""
    return [h for h in _samples(job, 0) if h in job.mapping]


def _samples(job: ImportJob, count: int = 3) -> dict[str, list[str]]:
    """The first values of each column (in file order), shown beside the mapping."""
    source = services.job_source(job)
    rows = source.rows()
    header = services.header_row(rows)
    out: dict[str, list[str]] = {h: [] for h in (header.values if header else [])}
    for row in rows if count > 0 else ():
        if row.error is None and row.values and header is not None:
            for h, v in zip(header.values, row.values, strict=False):
                out[h].append(v)
            count -= 1
        if count <= 0:
            break
    return out


@login_required
@require_http_methods(["GET"])
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    return render(request, "imports/detail.html", _detail_context(request, job))


def _detail_context(request: HttpRequest, job: ImportJob, error: KizunaError | None = None) -> dict[str, Any]:
    progress = progress_context(job)
    editable = job.status in (JobStatus.CREATED, JobStatus.CHECKED) and not progress["waiting"]
    samples = _samples(job) if editable else {}
    problems = Paginator(job.problems.order_by("row", "id"), 100).get_page(request.GET.get("page"))
    model = TARGETS[job.object_type].model
    return {
        **progress,
        "editable": editable,
        "active": job.status in ACTIVE or progress["waiting"],
        "mapping_rows": [
            (h, job.mapping.get(h, ""), samples.get(h, [])) for h in samples if h in job.mapping
        ],
        "field_choices": _field_choices(job),
        "policies": OnDuplicate.choices,
        "problems": problems,
        "problem_rows": [(p, report.problem_error(p, model)) for p in problems],
        "failure": KizunaError(job.failure["code"], context=dict(job.failure.get("context", {})))
        if job.failure
        else None,
        "error": error,
        "can_undo": job.status == JobStatus.COMMITTED
        or (job.status == JobStatus.FAILED and job.rows_done > 0 and not job.dry_run),
        "can_resume": job.status in (JobStatus.FAILED,) and not job.dry_run and job.rows_done > 0,
        "error_rows": job.counts.get("invalid", 0),
    }


@login_required
@require_POST
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping and options (when the form has them) and start a dry run or the import."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    dry_run = request.POST.get("action") != "commit"
    try:
        if job.status in (JobStatus.CREATED, JobStatus.CHECKED) and "on_duplicate" in request.POST:
            mapping = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(_headers(job))}
            services.import_job_configure(
                actor=request.user,
                job_id=job.pk,
                mapping=mapping,
                options={
                    "on_duplicate": request.POST.get("on_duplicate"),
                    "companies": request.POST.get("companies"),
                    "automation": request.POST.get("automation") == "on",
                },
            )
            name = request.POST.get("save_mapping", "").strip()
            if name:
                services.import_mapping_save(
                    actor=request.user, name=name[:100], object_type=job.object_type, mapping=mapping
                )
        services.import_job_enqueue(actor=request.user, job_id=job.pk, dry_run=dry_run)
    except KizunaError as exc:
        job.refresh_from_db()
        return render(request, "imports/detail.html", _detail_context(request, job, exc), status=422)
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_http_methods(["GET"])
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel, polled while the worker runs the job; a finished job reloads the page."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    context = progress_context(job)
    if job.status not in ACTIVE and not context["waiting"]:
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", context)


def progress_context(job: ImportJob) -> dict[str, Any]:
    """Rows done, rate and time left, from the bytes of the file read so far."""
    rows = int(job.counts.get("rows", 0))
    elapsed = (timezone.now() - job.started_at).total_seconds() if job.started_at else 0.0
    rate = rows / elapsed if elapsed > 0 else 0.0
    done = min(job.bytes_done, job.file_size)
    left = (job.file_size - done) * elapsed / done if done and elapsed else None
    return {
        "job": job,
        "waiting": services.job_waiting(job),
        "rows": rows,
        "rate": round(rate),
        "percent": round(100 * done / job.file_size) if job.file_size else 0,
        "seconds_left": round(left) if left is not None else None,
    }


@login_required
@require_POST
def job_undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    try:
        services.import_job_undo(
            actor=request.user, job_id=job.pk, force=request.POST.get("force") == "on", via="ui"
        )
    except KizunaError as exc:
        return render(request, "imports/detail.html", _detail_context(request, job, exc), status=409)
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_http_methods(["GET"])
def job_error_file(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    out = tempfile.NamedTemporaryFile(suffix=".csv")  # noqa: SIM115 - handed to the response, closed by it
    report.write_error_file(job, out.name)
    name = f"{Path(job.file_name).stem}-errors.csv"
    return FileResponse(open(out.name, "rb"), as_attachment=True, filename=name, content_type="text/csv")  # noqa: SIM115


app_name = "imports"
urlpatterns = [
    path("", job_list, name="list"),
    path("new/", job_new, name="new"),
    path("<int:pk>/", job_detail, name="detail"),
    path("<int:pk>/start/", job_start, name="start"),
    path("<int:pk>/progress/", job_progress, name="progress"),
    path("<int:pk>/undo/", job_undo, name="undo"),
    path("<int:pk>/errors.csv", job_error_file, name="errors"),
]
