"""Cross-cutting records: domain events (the outbox), the audit log, error events, worker heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryPoint(models.TextChoices):
    UI = "ui", _("Web UI")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    WORKFLOW = "workflow", _("Workflow")
    INTEGRATION = "integration", _("Integration")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


class DomainEvent(models.Model):
    """A fact written in the same transaction as the change that caused it; consumers read it later."""

    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("entry point"), max_length=16, choices=EntryPoint.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_event_object_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.object_type}#{self.object_id}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    MERGE = "merge", _("Merge")


class AuditEntry(models.Model):
    """Who changed what, when, through which entry point, with field-level before/after."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("entry point"), max_length=16, choices=EntryPoint.choices)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # {"field": {"before": ..., "after": ...}}
    changes = models.JSONField(_("changes"), default=dict)
    # The bulk operation that wrote this entry ("import:12"): undo and reports find its records by it.
    batch = models.CharField(_("batch"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(
                fields=["batch", "object_type"], name="core_audit_batch_idx", condition=~models.Q(batch="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class ErrorEvent(models.Model):
    """One occurrence of a coded error, listed in the error center."""

    code = models.CharField(_("code"), max_length=16, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("entry point"), max_length=16, choices=EntryPoint.choices, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    context = models.JSONField(_("context"), default=dict)
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("error event")
        verbose_name_plural = _("error events")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} at {self.occurred_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life; a worker silent for too long is dead and its tasks are re-queued."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.IntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"), db_index=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class TaskRecovery(models.Model):
    """A RUNNING task found on a dead worker: re-queued (or given up after too many attempts)."""

    task_id = models.UUIDField(_("task id"), db_index=True)
    task_path = models.TextField(_("task path"))
    worker_id = models.CharField(_("worker id"), max_length=64)
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    attempt = models.PositiveIntegerField(_("attempt"))
    gave_up = models.BooleanField(_("gave up"), default=False)

    class Meta:
        verbose_name = _("task recovery")
        verbose_name_plural = _("task recoveries")
        constraints = [models.UniqueConstraint(fields=["task_id", "attempt"], name="core_taskrecovery_once")]

    def __str__(self) -> str:
        return f"{self.task_path} #{self.attempt}"


class TaskSideEffect(models.Model):
    """The idempotency ledger for tasks: one row per side effect, written in the side effect's transaction.

    A task re-run after its worker died finds its key here and skips what it already did.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    task_id = models.UUIDField(_("task id"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task side effect")
        verbose_name_plural = _("task side effects")

    def __str__(self) -> str:
        return self.key


class SearchableModel(models.Model):
    """A record found by the search boxes: ``search_text`` holds its search document.

    Subclasses list their searchable values in :meth:`search_parts`; the services store the document
    on every create and update (``kizuna.customers.records``), and the database indexes it
    (``kizuna.core.search``).
    """

    # Tokens of the searchable fields (kizuna.core.normalize.search); indexed, never shown.
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        abstract = True

    def search_parts(self) -> list[str]:
        raise NotImplementedError(f"{type(self).__name__} must list its searchable values")

    def search_document(self) -> str:
        from kizuna.core.normalize.search import search_document

        return search_document(self.search_parts())
