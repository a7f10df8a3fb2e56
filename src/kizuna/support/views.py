"""Ticket screens: the queue with SLA timers, the ticket page (triage, SLA, conversation), a new ticket.

The conversation (replies, customer messages, internal notes) is made of timeline activities, so
this module reads and writes them through the activities app's selectors and services.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kizuna.accounts.visibility import can_edit
from kizuna.activities import selectors as activity_selectors
from kizuna.activities import services as activity_services
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.web.forms import apply_errors

from . import selectors, services
from .forms import MessageForm, TicketCreateForm, TicketFilterForm, TriageForm
from .models import Ticket

# The three composers of the ticket page: form prefix -> (service, success message).
COMPOSERS: dict[str, tuple[Callable[..., Any], Any]] = {
    "reply": (activity_services.ticket_reply_create, gettext_lazy("Reply recorded (not sent).")),
    "note": (activity_services.ticket_note_create, gettext_lazy("Internal note added.")),
    "inbound": (activity_services.ticket_customer_message_create, gettext_lazy("Customer message recorded.")),
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_status(exc: KizunaError) -> int:
    return 422 if isinstance(exc, KizunaValidationError) else exc.spec.http_status


def _toast(response: HttpResponse, text: str, kind: str = "") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"kizuna:toast": {"text": text, "kind": kind}})
    return response


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    form = TicketFilterForm(request.GET, users=selectors.filter_users(user=request.user))
    value = request.GET.get("page", "1")
    number = int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1
    page = selectors.ticket_page(user=request.user, filters=form.filters(), page=number)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()}
    if _is_htmx(request) and request.headers.get("HX-Target") == "ticket-results":
        return render(request, "support/_ticket_results.html", context)
    return render(request, "support/ticket_list.html", context)


def _triage_form(request: HttpRequest, ticket: Ticket, data: Any = None) -> TriageForm:
    initial = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": str(ticket.assignee_id or ""),
    }
    users = selectors.assignable_users(user=request.user)
    return TriageForm(data, initial=initial, users=users, current_assignee=ticket.assignee, prefix="triage")


def _page_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "can_edit": can_edit(request.user, ticket),
        "triage_form": forms.get("triage") or _triage_form(request, ticket),
        "composers": [
            (name, forms.get(name) or MessageForm(prefix=name)) for name in ("reply", "note", "inbound")
        ],
        "conversation": activity_selectors.ticket_conversation(user=request.user, ticket=ticket),
        "sla": selectors.sla_timer(ticket),
        "now": timezone.now(),
    }


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    return render(request, "support/ticket_detail.html", _page_context(request, ticket))


@require_POST
@login_required
def ticket_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Change status, priority or assignee (only the fields that changed go to the service)."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    form = _triage_form(request, ticket, request.POST)
    form.is_valid()
    data = {
        k: v
        for k, v in form.cleaned_data.items()
        if form.add_prefix(k) in request.POST and v != form.initial.get(k)
    }
    status = 200
    refusal: KizunaError | None = None
    try:
        if data:
            services.ticket_triage(actor=request.user, ticket_id=ticket.pk, data=data, via="ui")
    except KizunaError as exc:
        apply_errors(form, exc)
        status = _error_status(exc)
        refusal = None if isinstance(exc, KizunaValidationError) else exc
    else:
        if not _is_htmx(request):
            return redirect("support:ticket_detail", pk=ticket.pk)
        ticket = selectors.ticket_get(user=request.user, pk=pk)
        form = _triage_form(request, ticket)
    if not _is_htmx(request):
        context = _page_context(request, ticket, triage=form)
        return render(request, "support/ticket_detail.html", context, status=status)
    context = {**_page_context(request, ticket, triage=form), "oob": True}
    response = render(request, "support/_ticket_header.html", context, status=status)
    if refusal is not None:
        return _toast(response, f"{refusal.cause()} ({refusal.code})", "error")
    return response if status != 200 else _toast(response, _("Ticket updated.") if data else _("No change."))


def _compose(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    form = MessageForm(request.POST, prefix=name)
    form.is_valid()
    service, message = COMPOSERS[name]
    status = 200
    refusal: KizunaError | None = None
    try:
        service(actor=request.user, ticket_id=ticket.pk, body=form.cleaned_data.get("body", ""), via="ui")
    except KizunaValidationError as exc:
        apply_errors(form, exc)
        status = 422
    except KizunaError as exc:
        if not _is_htmx(request):
            raise  # shown as the coded error page
        refusal, status = exc, exc.spec.http_status
    else:
        if not _is_htmx(request):
            return redirect(reverse("support:ticket_detail", args=[ticket.pk]) + "#conversation")
        ticket = selectors.ticket_get(user=request.user, pk=pk)
        form = MessageForm(prefix=name)
    context = {**_page_context(request, ticket, **{name: form}), "oob": True, "open_composer": name}
    if not _is_htmx(request):
        return render(request, "support/ticket_detail.html", context, status=status)
    response = render(request, "support/_conversation.html", context, status=status)
    if refusal is not None:
        return _toast(response, f"{refusal.cause()} ({refusal.code})", "error")
    return response if status != 200 else _toast(response, str(message))


@require_POST
@login_required
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _compose(request, pk, "reply")


@require_POST
@login_required
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _compose(request, pk, "note")


@require_POST
@login_required
def ticket_customer_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _compose(request, pk, "inbound")


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    users = selectors.assignable_users(user=request.user)
    contact_id = request.GET.get("contact", "")
    initial = {"contact": contact_id} if contact_id.isdigit() else {}
    form = TicketCreateForm(request.POST or None, initial=initial, users=users)
    contact_pk = (form.data or initial).get("contact")
    contact = activity_selectors.related_record(user=request.user, kind="contact", pk=contact_pk)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None) or k == "subject"}
        try:
            ticket = services.ticket_create(actor=request.user, data=data, via="ui")
        except KizunaError as exc:
            apply_errors(form, exc)
            status = _error_status(exc)
        else:
            return redirect("support:ticket_detail", pk=ticket.pk)
    return render(request, "support/ticket_form.html", {"form": form, "contact": contact}, status=status)
