"""Import jobs: each kept with its file, mapping, options, progress checkpoint, counts, timings and errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportObject(models.TextChoices):
    CONTACTS = "contacts", _("Contacts")
    COMPANIES = "companies", _("Companies")


class JobStatus(models.TextChoices):
    CREATED = "created", _("Created")
    CHECKING = "checking", _("Dry run in progress")
    CHECKED = "checked", _("Dry run done")
    RUNNING = "running", _("Import running")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class OnDuplicate(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the record (file values win)")
    UPDATE_EMPTY = "update-empty", _("Fill the record's empty fields only")
    CREATE = "create", _("Create a new record anyway")
    REVIEW = "review", _("Send to the review list")


class ImportJob(models.Model):
    """One import of one file. ``rows_done`` is the checkpoint: every source row up to it is written
    (or rejected) and committed, in the same transaction as the checkpoint itself."""

    object_type = models.CharField(_("object type"), max_length=16, choices=ImportObject.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.CREATED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Who is working on the job ("host:pid") and when it last said so: a resume refuses to run beside
    # a live importer, and takes over from a dead one.
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    file_name = models.CharField(_("file name"), max_length=255)
    file_path = models.CharField(_("stored file"), max_length=500)
    file_size = models.BigIntegerField(_("file size"), default=0)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)

    mapping = models.JSONField(_("mapping"), default=dict, blank=True)  # header -> field ("" skips)
    options = models.JSONField(_("options"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    rows_total = models.BigIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.BigIntegerField(_("rows done"), default=0)  # the checkpoint: a source row number
    bytes_done = models.BigIntegerField(_("bytes read"), default=0)  # progress through the file
    # The background task running the job (the web wizard's dry run, import and resume).
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    timings = models.JSONField(_("timings"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # A failure that stopped the whole job: {"code": ..., "context": {...}}.
    failure = models.JSONField(_("failure"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def batch(self) -> str:
        """The tag on every audit row this job writes."""
        return f"import:{self.pk}"


class RowProblem(models.Model):
    """One problem of one row: its number, column, original value and coded error; the row was not
    written (``severity`` error) or was written with a note (warning)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.BigIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    value = models.TextField(_("original value"), blank=True)
    code = models.CharField(_("code"), max_length=16)
    context = models.JSONField(_("context"), default=dict, blank=True)
    warning = models.BooleanField(_("warning only"), default=False)

    class Meta:
        verbose_name = _("row problem")
        verbose_name_plural = _("row problems")
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="imports_problem_row_idx")]

    def __str__(self) -> str:
        return f"{self.code} row {self.row}"


class SavedMapping(models.Model):
    """A mapping kept by name for the next file of the same layout (``--mapping NAME``)."""

    name = models.CharField(_("name"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=16, choices=ImportObject.choices)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "name"], name="imports_mapping_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
