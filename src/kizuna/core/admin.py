"""Back office views of the cross-cutting records: events, audit log, error center, worker state.

All read-only: Kizuna writes them, and history rewritten by hand would no longer be evidence. The one
exception is marking error events resolved, which is what the error center is for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_support import ReadOnlyModelAdmin, pretty_json
from .errors import KizunaError
from .models import AuditEntry, DomainEvent, ErrorEvent, TaskRecovery, TaskSideEffect, WorkerHeartbeat


class CoreRecordAdmin(ReadOnlyModelAdmin):
    # These tables grow without bound: no second count of the whole table on each page.
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(DomainEvent)
class DomainEventAdmin(CoreRecordAdmin):
    list_select_related = ("actor",)
    list_display = ("occurred_at", "event_type", "object_type", "object_id", "via", "actor")
    list_filter = ("via", "event_type")
    search_fields = ("event_type", "object_type")
    fields = ("event_type", "occurred_at", "actor", "via", "object_type", "object_id", "payload_display")

    @admin.display(description=_("payload"))
    def payload_display(self, obj: DomainEvent) -> SafeString:
        return pretty_json(obj.payload)


@admin.register(AuditEntry)
class AuditEntryAdmin(CoreRecordAdmin):
    list_select_related = ("actor",)
    list_display = ("at", "action", "object_type", "object_id", "object_repr", "actor", "via")
    list_filter = ("action", "via")
    search_fields = ("object_repr", "object_type")
    fields = ("at", "actor", "via", "action", "object_type", "object_id", "object_repr", "changes_display")

    @admin.display(description=_("changes"))
    def changes_display(self, obj: AuditEntry) -> SafeString:
        return pretty_json(obj.changes)


def _catalog_error(event: ErrorEvent) -> KizunaError | None:
    """The event as the error it recorded, so the catalog texts are filled with its context."""
    recorded: dict[str, Any] = event.context or {}
    try:
        return KizunaError(
            event.code, context=dict(recorded.get("context") or {}), field=recorded.get("field")
        )
    except LookupError:  # a code no installed app registers any more
        return None


@admin.register(ErrorEvent)
class ErrorEventAdmin(CoreRecordAdmin):
    list_select_related = ("actor",)
    list_display = ("occurred_at", "code", "title", "via", "actor", "object_type", "object_id", "resolved")
    list_filter = ("code", "resolved", "via")
    search_fields = ("code", "object_type")
    fields = (
        "code",
        "title",
        "cause",
        "remedy",
        "occurred_at",
        "actor",
        "via",
        "object_type",
        "object_id",
        "context_display",
        "resolved",
        "resolved_at",
    )
    actions = ("mark_resolved",)

    # Catalog texts are rendered in the reader's language, not stored: the catalog can improve later.
    @admin.display(description=_("title"))
    def title(self, obj: ErrorEvent) -> str:
        error = _catalog_error(obj)
        return error.title() if error else "—"

    @admin.display(description=_("cause"))
    def cause(self, obj: ErrorEvent) -> str:
        error = _catalog_error(obj)
        return error.cause() if error else "—"

    @admin.display(description=_("remedy"))
    def remedy(self, obj: ErrorEvent) -> str:
        error = _catalog_error(obj)
        return error.remedy() if error else "—"

    @admin.display(description=_("context"))
    def context_display(self, obj: ErrorEvent) -> SafeString:
        return pretty_json(obj.context)

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        # Resolving is the one change allowed here; it needs the model's change permission.
        return request.user.has_perm("core.change_errorevent")

    @admin.action(description=_("Mark selected errors as resolved"), permissions=["resolve"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[ErrorEvent]) -> None:
        count = queryset.filter(resolved=False).update(resolved=True, resolved_at=timezone.now())
        message = ngettext(
            "%(count)d error marked as resolved.", "%(count)d errors marked as resolved.", count
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(CoreRecordAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "last_seen_at", "stopped_at", "alive")
    ordering = ("-last_seen_at",)
    fields = ("worker_id", "hostname", "pid", "started_at", "last_seen_at", "stopped_at", "alive")

    @admin.display(description=_("alive"), boolean=True)
    def alive(self, obj: WorkerHeartbeat) -> bool:
        silence = dt.timedelta(seconds=settings.KIZUNA_WORKER_DEAD_AFTER_SECONDS)
        return obj.stopped_at is None and obj.last_seen_at >= timezone.now() - silence


@admin.register(TaskRecovery)
class TaskRecoveryAdmin(CoreRecordAdmin):
    list_display = ("detected_at", "task_path", "task_id", "worker_id", "attempt", "gave_up")
    list_filter = ("gave_up",)
    search_fields = ("task_path", "worker_id")
    fields = ("task_id", "task_path", "worker_id", "detected_at", "attempt", "gave_up")


@admin.register(TaskSideEffect)
class TaskSideEffectAdmin(CoreRecordAdmin):
    list_display = ("created_at", "key", "task_id")
    search_fields = ("key",)
    fields = ("key", "task_id", "created_at")
