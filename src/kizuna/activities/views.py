"""Task screens: the list (my / team / overdue), create and edit, inline completion, the week calendar
and the reminders fragment polled by the top bar."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.accounts.visibility import can_edit
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.support.selectors import assignable_users, paginate
from kizuna.web.forms import apply_errors

from . import selectors, services
from .forms import RELATED, TaskFilterForm, TaskForm
from .models import Task, TaskStatus

TASK_FIELDS = ("title", "description", "due_at", "remind_at", "priority", "status", "assignee")


def _error_status(exc: KizunaError) -> int:
    # Field errors are 422 (the form comes back with them); a refusal keeps its own status (403 …).
    return 422 if isinstance(exc, KizunaValidationError) else exc.spec.http_status


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


def _toast(response: HttpResponse, text: str, kind: str = "") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"kizuna:toast": {"text": text, "kind": kind}})
    return response


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET)
    filters = form.filters()
    page = paginate(selectors.task_list(user=request.user, filters=filters), page=_page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "tabs": [(tab, label, _with(query, tab=tab)) for tab, label in _tab_labels()],
        "now": timezone.now(),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "task-results":
        return render(request, "activities/_task_results.html", context)
    context["reminders"] = selectors.reminders_due(user=request.user)
    context["reminder_limit"] = selectors.REMINDER_LIMIT
    return render(request, "activities/task_list.html", context)


def _tab_labels() -> list[tuple[str, str]]:
    return [("mine", _("My tasks")), ("team", _("Team tasks")), ("overdue", _("Overdue"))]


def _with(query: Any, **values: str) -> str:
    copy = query.copy()
    for key, value in values.items():
        copy[key] = value
    return str(copy.urlencode())


def _changed(current: Any, new: Any) -> bool:
    if isinstance(current, dt.datetime) and isinstance(new, dt.datetime):
        return current.replace(second=0, microsecond=0) != new.replace(second=0, microsecond=0)
    if hasattr(current, "pk"):
        current = str(current.pk)
    return (current or "") != (new or "")


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    users = assignable_users(user=request.user)
    initial = {name: request.GET[name] for name in RELATED if request.GET.get(name, "").isdigit()}
    form = TaskForm(request.POST or None, initial=initial, users=users)
    related = [
        (name, selectors.related_record(user=request.user, kind=name, pk=(form.data or initial).get(name)))
        for name in RELATED
        if (form.data or initial).get(name)
    ]
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (k in RELATED and not v)}
        try:
            task = services.task_create(actor=request.user, data=data, via="ui")
        except KizunaError as exc:
            apply_errors(form, exc)
            status = _error_status(exc)
        else:
            return redirect(_next_url(request, reverse("activities:task_edit", args=[task.pk])))
    context = {"form": form, "related": related, "next": _next_url(request, "")}
    return render(request, "activities/task_form.html", context, status=status)


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    initial = {name: getattr(task, name) for name in TASK_FIELDS}
    initial["assignee"] = str(task.assignee_id or "")
    form = TaskForm(
        request.POST or None,
        initial=initial,
        users=assignable_users(user=request.user),
        current_assignee=task.assignee,
        editing=True,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if _changed(initial.get(k), v)}
        try:
            services.task_update(actor=request.user, task_id=task.pk, data=data, via="ui")
        except KizunaError as exc:
            apply_errors(form, exc)
            status = _error_status(exc)
        else:
            return redirect(_next_url(request, reverse("activities:task_list")))
    context = {"form": form, "task": task, "can_edit": can_edit(request.user, task)}
    return render(request, "activities/task_form.html", context, status=status)


def _row(request: HttpRequest, task: Task, *, status: int = 200) -> HttpResponse:
    return render(request, "activities/_task_row.html", {"task": task, "now": timezone.now()}, status=status)


def _set_status(request: HttpRequest, pk: int, *, done: bool) -> HttpResponse:
    try:
        if done:
            services.task_complete(actor=request.user, task_id=pk, via="ui")
        else:
            services.task_update(actor=request.user, task_id=pk, data={"status": TaskStatus.OPEN}, via="ui")
    except KizunaError as exc:
        task = selectors.task_get(user=request.user, pk=pk)  # KZ-AUTH-001 (404) when not visible
        if not _is_htmx(request):
            raise
        return _toast(
            _row(request, task, status=exc.spec.http_status), f"{exc.cause()} ({exc.code})", "error"
        )
    if not _is_htmx(request):
        return redirect(_next_url(request, reverse("activities:task_list")))
    task = selectors.task_get(user=request.user, pk=pk)
    text = _("Task completed.") if done else _("Task reopened.")
    return _toast(_row(request, task), text)


@require_POST
@login_required
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, done=True)


@require_POST
@login_required
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, done=False)


@login_required
def task_calendar(request: HttpRequest) -> HttpResponse:
    monday = selectors.parse_iso_week(request.GET.get("week"), today=timezone.localdate())
    scope = "team" if request.GET.get("scope") == "team" else "mine"
    week = selectors.task_week(user=request.user, monday=monday, scope=scope)
    return render(request, "activities/task_calendar.html", {"week": week, "scope": scope})


def task_reminders(request: HttpRequest) -> HttpResponse:
    """The top bar's reminders badge and list (polled by htmx)."""
    if not request.user.is_authenticated:
        # A poll after the session ended: show nothing rather than swapping the sign-in page in.
        return HttpResponse(status=204) if _is_htmx(request) else redirect("login")
    reminders = selectors.reminders_due(user=request.user)
    context = {"reminders": reminders, "reminder_limit": selectors.REMINDER_LIMIT}
    return render(request, "activities/_reminders.html", context)


@require_POST
@login_required
def task_dismiss_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    services.task_dismiss_reminder(actor=request.user, task_id=pk, via="ui")
    if not _is_htmx(request):
        return redirect(_next_url(request, reverse("activities:task_list")))
    response = HttpResponse("")
    response["HX-Trigger"] = json.dumps(
        {"kizuna:reminders-changed": True, "kizuna:toast": {"text": _("Reminder dismissed."), "kind": ""}}
    )
    return response
