"""Customer screens: contact and company record pages (customer 360) (see customers/urls.py).

One page per record: header, profile with inline edit, quick actions, one merged timeline, the audit
history, and side panels. Every part that changes is also served alone for htmx. Reads go through
the selectors (customers.selectors, customers.timeline, customers.history), writes through the
services with ``via="ui"``; a refused write comes back as the form with each coded error beside its
field (422 for invalid input, the code's own status otherwise: 409 stale version, 403 no right).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kizuna.accounts.visibility import can_edit, can_view, ensure_can_edit
from kizuna.activities import services as activity_services
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.normalize.prefecture import prefecture_choices
from kizuna.core.permissions import Scope
from kizuna.web.forms import apply_errors

from .. import history, selectors, services, timeline
from ..models import Company, Contact, CustomFieldDefinition, CustomFieldType
from .detail_forms import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    LABELS,
    ActivityQuickForm,
    ProfileForm,
    TaskQuickForm,
    company_label,
)

Record = Contact | Company


@dataclass(frozen=True, slots=True)
class RecordKind:
    name: str
    get: Callable[..., Any]
    update: Callable[..., Any]
    id_arg: str
    custom_type: str


KINDS = {
    "contact": RecordKind(
        "contact", selectors.contact_get, services.contact_update, "contact_id", "customers.contact"
    ),
    "company": RecordKind(
        "company", selectors.company_get, services.company_update, "company_id", "customers.company"
    ),
}
QUICK_ACTIVITIES = {"call": "call", "note": "note"}  # form prefix -> activity kind


def _kind_of(record: Record) -> RecordKind:
    return KINDS["contact" if isinstance(record, Contact) else "company"]


def _urls(kind: str, pk: int) -> dict[str, str]:
    names = ("detail", "profile", "profile_edit", "timeline", "history", "activity_create", "task_create")
    return {n: reverse(f"customers:{kind}_{n}", args=[pk]) for n in names}


def _int_param(request: HttpRequest, name: str, default: int = 1) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else default


def _toast(response: HttpResponse, text: str, kind: str = "success") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"kizuna:toast": {"text": text, "kind": kind}})
    return response


def _status(exc: KizunaError) -> int:
    return 422 if isinstance(exc, KizunaValidationError) else exc.spec.http_status


# --- Profile ------------------------------------------------------------------------------------


def _display(record: Record, name: str, user: Any) -> tuple[Any, str | None]:
    """The shown value of one profile field, and a link when it has one."""
    if name in ("phone", "mobile"):
        return getattr(record, f"{name}_raw") or getattr(record, name), None
    if name == "company":
        company = getattr(record, "company", None)
        if company is None or not can_view(user, company):
            return None, None
        return company.name, reverse("customers:company_detail", args=[company.pk])
    if name == "owner":
        return record.owner, None
    if name == "email" and isinstance(record, Contact) and record.email:
        return record.email, f"mailto:{record.email}"
    if name == "website" and isinstance(record, Company) and record.website:
        return record.website, record.website
    display = getattr(record, f"get_{name}_display", None)
    return (display() if display and getattr(record, name) else getattr(record, name)), None


def _custom_display(definition: CustomFieldDefinition, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if definition.field_type == CustomFieldType.BOOLEAN:
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _profile_rows(
    record: Record, definitions: list[CustomFieldDefinition], user: Any
) -> list[dict[str, Any]]:
    names = CONTACT_FIELDS if isinstance(record, Contact) else COMPANY_FIELDS
    rows = []
    for name in names:
        value, url = _display(record, name, user)
        field: Any = record._meta.get_field(name)
        label = LABELS.get(name) or field.verbose_name
        rows.append({"name": name, "label": label, "value": value, "url": url})
    language = get_language() or "ja"
    rows += [
        {
            "name": f"custom.{d.key}",
            "label": d.label(language),
            "value": _custom_display(d, record.custom.get(d.key)),
            "url": None,
        }
        for d in definitions
    ]
    return rows


def _can_create(user: Any) -> bool:
    """Whether the user may create records at all (tick tasks done, among others)."""
    return bool(user.policy.edit != Scope.NONE)


def _profile_context(request: HttpRequest, record: Record) -> dict[str, Any]:
    kind = _kind_of(record)
    definitions = selectors.custom_field_definitions(object_type=kind.custom_type)
    company = record.company if isinstance(record, Contact) else None
    return {
        "record": record,
        "kind": kind.name,
        "rows": _profile_rows(record, definitions, request.user),
        "can_edit": can_edit(request.user, record),
        "can_create": _can_create(request.user),
        # The contact's company, only when the user may see it (its name is part of that record).
        "company": company if company is not None and can_view(request.user, company) else None,
        "urls": _urls(kind.name, record.pk),
    }


def _profile_form(request: HttpRequest, record: Record, data: Any = None) -> ProfileForm:
    kind = _kind_of(record)
    form = ProfileForm(
        data,
        record=record,
        user=request.user,
        definitions=selectors.custom_field_definitions(object_type=kind.custom_type),
        owners=selectors.assignable_owners(user=request.user),
        language=get_language() or "ja",
    )
    if "company" in form.fields:
        form.fields["company"].widget.attrs.update(
            {
                "hx-get": reverse("customers:detail_company_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#company-options",
                "hx-swap": "innerHTML",
            }
        )
    return form


def _form_response(
    request: HttpRequest, record: Record, form: ProfileForm, status: int = 200
) -> HttpResponse:
    context = {
        "record": record,
        "form": form,
        "urls": _urls(_kind_of(record).name, record.pk),
        "prefectures": [name for name, _label in prefecture_choices()],
    }
    return render(request, "customers/_detail_profile_form.html", context, status=status)


@login_required
@require_GET
def profile(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    record = KINDS[kind].get(user=request.user, pk=pk)
    return render(request, "customers/_detail_profile.html", _profile_context(request, record))


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    record_kind = KINDS[kind]
    record = record_kind.get(user=request.user, pk=pk)
    if request.method == "GET":
        ensure_can_edit(request.user, record)
        return _form_response(request, record, _profile_form(request, record))
    form = _profile_form(request, record, request.POST)
    if not form.is_valid():
        return _form_response(request, record, form, status=422)
    try:
        record_kind.update(
            actor=request.user,
            data=form.service_data(),
            via="ui",
            expected_version=form.cleaned_data["version"],
            **{record_kind.id_arg: record.pk},
        )
    except KizunaError as exc:
        apply_errors(form, exc)
        return _form_response(request, record, form, status=_status(exc))
    record = record_kind.get(user=request.user, pk=pk)
    context = _profile_context(request, record)
    response = render(request, "customers/_detail_profile_saved.html", context)
    return _toast(response, gettext("Saved."))


@login_required
@require_GET
def company_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s for the contact form's company box (companies the user may see)."""
    query = request.GET.get("company", "")[:100]
    companies = selectors.company_suggest(user=request.user, query=query) if query else []
    return render(
        request,
        "customers/_detail_company_options.html",
        {"options": [company_label(c) for c in companies]},
    )


# --- Page ---------------------------------------------------------------------------------------


def _quick_forms(request: HttpRequest, owners: list[Any]) -> dict[str, Any]:
    return {
        "call_form": ActivityQuickForm(initial={"kind": "call"}, prefix="call"),
        "note_form": ActivityQuickForm(initial={"kind": "note"}, prefix="note"),
        "task_form": TaskQuickForm(owners=owners, user=request.user, prefix="task"),
    }


def _panels(request: HttpRequest, record: Record) -> dict[str, Any]:
    user = request.user
    return {
        "tasks": timeline.open_tasks(user=user, subject=record),
        "deals": timeline.open_deals(user=user, subject=record),
        "purchases": timeline.purchase_summary(user=user, subject=record),
    }


def _page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user: Any = request.user
    record = KINDS[kind].get(user=user, pk=pk)
    context = {
        **_profile_context(request, record),
        **_panels(request, record),
        "timeline": timeline.timeline_page(user=user, subject=record),
    }
    # Quick actions write on the record's timeline: they need the right to change the record.
    if context["can_edit"]:
        context.update(_quick_forms(request, selectors.assignable_owners(user=user)))
    if isinstance(record, Company):
        context["people"], context["people_more"] = selectors.company_people(user=user, company=record)
        context["people_page"] = 1
    return render(request, f"customers/detail_{kind}.html", context)


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, "contact", pk)


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, "company", pk)


@login_required
@require_GET
def timeline_more(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The next (older) timeline page after the ``before`` cursor."""
    record = KINDS[kind].get(user=request.user, pk=pk)
    before = timeline.Cursor.decode(request.GET.get("before"))
    page = timeline.timeline_page(user=request.user, subject=record, before=before)
    context = {"timeline": page, "record": record, "kind": kind, "urls": _urls(kind, pk)}
    return render(request, "customers/_detail_timeline_page.html", context)


@login_required
@require_GET
def record_history(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    record = KINDS[kind].get(user=request.user, pk=pk)
    page = history.record_history(user=request.user, record=record, page=_int_param(request, "page"))
    return render(
        request, "customers/_detail_history.html", {"history": page, "urls": _urls(kind, pk), "kind": kind}
    )


@login_required
@require_GET
def company_people(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(user=request.user, pk=pk)
    page = _int_param(request, "page")
    people, more = selectors.company_people(user=request.user, company=company, page=page)
    context = {"record": company, "people": people, "people_more": more, "people_page": page}
    return render(request, "customers/_detail_people.html", context)


# --- Quick actions ------------------------------------------------------------------------------


def _quick_error(request: HttpRequest, record: Record, prefix: str, form: Any, status: int) -> HttpResponse:
    """The form again, in place of itself (not prepended to the timeline), with its errors."""
    context = {"form": form, "prefix": prefix, "urls": _urls(_kind_of(record).name, record.pk)}
    response = render(request, "customers/_detail_quick_form.html", context, status=status)
    response["HX-Retarget"] = f"#quick-{prefix}"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def activity_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Log a call or add a note; the new item is prepended to the timeline."""
    record = KINDS[kind].get(user=request.user, pk=pk)
    prefix = request.POST.get("quick", "call")
    prefix = prefix if prefix in QUICK_ACTIVITIES else "call"
    form = ActivityQuickForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _quick_error(request, record, prefix, form, 422)
    data = {**form.service_data(record), "kind": QUICK_ACTIVITIES[prefix]}
    try:
        ensure_can_edit(request.user, record, action=_("add activities to"))
        activity = activity_services.activity_create(actor=request.user, data=data, via="ui")
    except KizunaError as exc:
        apply_errors(form, exc)
        return _quick_error(request, record, prefix, form, _status(exc))
    item = timeline.timeline_item(kind="activity", obj=activity, user=request.user, subject=record)
    context = {
        "item": item,
        "form": ActivityQuickForm(initial={"kind": QUICK_ACTIVITIES[prefix]}, prefix=prefix),
        "prefix": prefix,
        "urls": _urls(kind, pk),
        "kind": kind,
    }
    response = render(request, "customers/_detail_quick_done.html", context)
    return _toast(response, gettext("Call logged.") if prefix == "call" else gettext("Note added."))


@login_required
@require_POST
def task_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Create a task on the record; it is prepended to the timeline and listed under open tasks."""
    record = KINDS[kind].get(user=request.user, pk=pk)
    owners = selectors.assignable_owners(user=request.user)
    form = TaskQuickForm(request.POST, owners=owners, user=request.user, prefix="task")
    if not form.is_valid():
        return _quick_error(request, record, "task", form, 422)
    try:
        ensure_can_edit(request.user, record, action=_("add tasks to"))
        task = activity_services.task_create(actor=request.user, data=form.service_data(record), via="ui")
    except KizunaError as exc:
        apply_errors(form, exc)
        return _quick_error(request, record, "task", form, _status(exc))
    context = {
        "item": timeline.timeline_item(kind="task", obj=task, user=request.user, subject=record),
        "form": TaskQuickForm(owners=owners, user=request.user, prefix="task"),
        "prefix": "task",
        "urls": _urls(kind, pk),
        "kind": kind,
        "record": record,
        "tasks": timeline.open_tasks(user=request.user, subject=record),
        "tasks_oob": True,
        "can_create": True,
    }
    response = render(request, "customers/_detail_quick_done.html", context)
    return _toast(response, gettext("Task created."))


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int, kind: str, record_pk: int) -> HttpResponse:
    """Tick a task done from the record's open tasks panel; the panel comes back without it."""
    record = KINDS[kind].get(user=request.user, pk=record_pk)
    error = None
    try:
        activity_services.task_complete(actor=request.user, task_id=pk, via="ui")
    except KizunaError as exc:
        error = exc
    context = {
        "record": record,
        "kind": kind,
        "tasks": timeline.open_tasks(user=request.user, subject=record),
        "task_error": error,
        "can_create": _can_create(request.user),
    }
    response = render(
        request, "customers/_detail_tasks.html", context, status=error.spec.http_status if error else 200
    )
    return response if error else _toast(response, gettext("Task completed."))


def _record_routes(kind: str, prefix: str) -> list[URLPattern]:
    extra = {"kind": kind}
    return [
        path(f"{prefix}/<int:pk>/profile/", profile, extra, name=f"{kind}_profile"),
        path(f"{prefix}/<int:pk>/profile/edit/", profile_edit, extra, name=f"{kind}_profile_edit"),
        path(f"{prefix}/<int:pk>/timeline/", timeline_more, extra, name=f"{kind}_timeline"),
        path(f"{prefix}/<int:pk>/history/", record_history, extra, name=f"{kind}_history"),
        path(f"{prefix}/<int:pk>/activities/", activity_create, extra, name=f"{kind}_activity_create"),
        path(f"{prefix}/<int:pk>/tasks/", task_create, extra, name=f"{kind}_task_create"),
        path(
            f"{prefix}/<int:record_pk>/tasks/<int:pk>/complete/",
            task_complete,
            extra,
            name=f"{kind}_task_complete",
        ),
    ]


urlpatterns: list[URLPattern] = [
    path("contacts/<int:pk>/", contact_detail, name="contact_detail"),
    path("companies/<int:pk>/", company_detail, name="company_detail"),
    path("companies/<int:pk>/people/", company_people, name="company_people"),
    path("contacts/company-options/", company_options, name="detail_company_options"),
    *_record_routes("contact", "contacts"),
    *_record_routes("company", "companies"),
]
