"""Customer screens: contact and company lists (search, filters, sort, columns, pages), saved views,
bulk actions, CSV/XLSX export and the create pages (see customers/urls.py).

Both lists are one set of views parameterised by a :class:`ListKind`. Reads go through the
selectors (visibility applied there), writes through the services, one record at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape  # Django's escape, without its lazy-text wrapper (400 calls a page)
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kizuna.accounts.visibility import ensure_can_delete
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.normalize.prefecture import prefecture_choices
from kizuna.core.ordering import narrow_when_small
from kizuna.web.forms import apply_errors

from .. import exports, selectors, services
from ..models import CustomFieldDefinition, SavedView
from .list_forms import (
    CompanyCreateForm,
    ContactCreateForm,
    ListChoices,
    ListFilterForm,
    ListState,
    RecordCreateForm,
    SavedViewForm,
    choices_of,
    saved_query,
)

MAX_BULK = 500  # rows one bulk action may touch: a page is 50, "select all" selects a page
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ListKind:
    """What differs between the contact and the company list."""

    object_type: str  # SavedView.object_type and the URL name prefix
    custom_type: str  # CustomFieldDefinition.object_type
    path: str  # URL prefix
    title: Promise
    new_label: Promise
    columns: Callable[..., list[exports.Column]]
    table: Callable[..., QuerySet[Any]]
    by_ids: Callable[..., QuerySet[Any]]
    sorts: dict[str, tuple[str, ...]]
    bulk_assign: Callable[..., services.BulkResult]
    bulk_tag: Callable[..., services.BulkResult]
    bulk_delete: Callable[..., services.BulkResult]
    create_form: type[RecordCreateForm]
    create: Callable[..., Any]

    @property
    def urls(self) -> dict[str, str]:
        names = (
            "list",
            "count",
            "create",
            "detail",
            "export",
            "bulk",
            "view_create",
            "view_update",
            "view_delete",
        )
        return {name: f"customers:{self.object_type}_{name}" for name in names}


CONTACTS = ListKind(
    object_type="contact",
    custom_type="customers.contact",
    path="contacts",
    title=_("Contacts"),
    new_label=_("New contact"),
    columns=exports.contact_columns,
    table=selectors.contact_table,
    by_ids=selectors.contacts_by_ids,
    sorts=selectors.CONTACT_SORTS,
    bulk_assign=lambda *, actor, ids, owner_id: services.contact_bulk_assign_owner(
        actor=actor, contact_ids=ids, owner_id=owner_id, via="ui"
    ),
    bulk_tag=lambda *, actor, ids, tag: services.contact_bulk_add_tag(
        actor=actor, contact_ids=ids, tag=tag, via="ui"
    ),
    bulk_delete=lambda *, actor, ids: services.contact_bulk_delete(actor=actor, contact_ids=ids, via="ui"),
    create_form=ContactCreateForm,
    create=services.contact_create,
)

COMPANIES = ListKind(
    object_type="company",
    custom_type="customers.company",
    path="companies",
    title=_("Companies"),
    new_label=_("New company"),
    columns=exports.company_columns,
    table=selectors.company_table,
    by_ids=selectors.companies_by_ids,
    sorts=selectors.COMPANY_SORTS,
    bulk_assign=lambda *, actor, ids, owner_id: services.company_bulk_assign_owner(
        actor=actor, company_ids=ids, owner_id=owner_id, via="ui"
    ),
    bulk_tag=lambda *, actor, ids, tag: services.company_bulk_add_tag(
        actor=actor, company_ids=ids, tag=tag, via="ui"
    ),
    bulk_delete=lambda *, actor, ids: services.company_bulk_delete(actor=actor, company_ids=ids, via="ui"),
    create_form=CompanyCreateForm,
    create=services.company_create,
)


# --- Shared helpers -------------------------------------------------------------------------------------


def _field_errors(exc: KizunaError) -> KizunaValidationError:
    """``exc`` as errors to show on a form; an error about no field (forbidden, not found) is re-raised
    for the error page."""
    if isinstance(exc, KizunaValidationError):
        return exc
    if exc.field:
        return KizunaValidationError([exc])
    raise exc


def _partial(request: HttpRequest) -> bool:
    """An htmx request for a part of the page (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _language() -> str:
    return translation.get_language() or "ja"


def _definitions(kind: ListKind) -> list[CustomFieldDefinition]:
    return selectors.custom_field_definitions(object_type=kind.custom_type)


def _choices() -> ListChoices:
    return ListChoices(
        owners=choices_of(selectors.owner_choices()),
        teams=choices_of(selectors.team_choices()),
        tags=choices_of(selectors.tag_choices()),
    )


def _filter_form(
    kind: ListKind,
    data: Any,
    *,
    definitions: list[CustomFieldDefinition],
    choices: ListChoices,
    columns: list[exports.Column],
) -> ListFilterForm:
    form = ListFilterForm(
        data,
        object_type=kind.object_type,
        definitions=definitions,
        choices=choices,
        columns=columns,
        sorts=kind.sorts,
        default_sort=selectors.DEFAULT_SORT,
        language=_language(),
    )
    form.is_valid()
    return form


def _view_data(view: SavedView, page: str | None = None) -> QueryDict:
    """A saved view as the query string it was saved from."""
    data = QueryDict(mutable=True)
    for key, value in view.query.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    if view.columns:
        data.setlist("cols", view.columns)
    data["view"] = str(view.pk)
    if page:
        data["page"] = page
    return data


def _list_data(request: HttpRequest, views: list[SavedView]) -> tuple[QueryDict, SavedView | None]:
    """The list's query: ``?view=<id>`` alone opens the saved view; with other parameters they win."""
    data: QueryDict = request.GET
    view_id = data.get("view", "")
    if not view_id:
        return data, None
    current = next((v for v in views if str(v.pk) == view_id), None)
    if current is None:
        raise KizunaError(
            "KZ-AUTH-001",
            context={
                "object_type": _("saved view"),
                "object_id": view_id,
                "role": getattr(request.user, "effective_role", ""),
            },
        )
    if not set(data) - {"view", "page"}:
        data = _view_data(current, data.get("page"))
    return data, current


_PK_SENTINEL = 987654321012  # reversed once per page, replaced by each row's id


def _cell(key: str, value: Any, obj: Any, url: str) -> str:
    """One table cell as HTML. Built here, as plain strings escaped once, rather than in the template or
    with ``format_html``: 50 rows × 8 columns made cell rendering the largest part of a list page."""
    if isinstance(value, dt.datetime):
        return f'<td class="nowrap">{timezone.localtime(value):%Y-%m-%d %H:%M}</td>'
    if key == "tags":
        badges = " ".join(f'<span class="badge neutral">{escape(name)}</span>' for name in obj.tag_names)
        return f"<td>{badges}</td>"
    text = escape("" if value is None else str(value))
    if key == "name":
        return f'<td><a href="{url}">{text or "—"}</a></td>'
    if key == "lifecycle_status":
        return f'<td><span class="badge">{text}</span></td>'
    if key == "email" and text:
        return f'<td><a href="mailto:{text}">{text}</a></td>'
    if key in ("phone", "mobile"):
        return f'<td class="nowrap">{text}</td>'
    if key == "website" and text.startswith(("https://", "http://")):
        return f'<td><a href="{text}" rel="noopener noreferrer" target="_blank">{text}</a></td>'
    return f"<td>{text}</td>"


def _rows(kind: ListKind, objs: list[Any], columns: list[exports.Column]) -> list[dict[str, Any]]:
    """Each row of the table: its record and its HTML (every value escaped in :func:`_cell`)."""
    detail = reverse(kind.urls["detail"], args=[_PK_SENTINEL])
    select = gettext("Select %(name)s")
    rows = []
    for obj in exports.attach_tag_names(objs):
        pk = str(obj.pk)
        url = detail.replace(str(_PK_SENTINEL), pk)
        label = escape(select % {"name": obj})
        cells = "".join(_cell(c.key, c.value(obj) if c.key != "tags" else None, obj, url) for c in columns)
        html = (
            f'<tr><td class="select-col"><input type="checkbox" name="ids" value="{pk}"'
            f' aria-label="{label}"></td>{cells}</tr>'
        )
        rows.append({"obj": obj, "html": mark_safe(html)})  # noqa: S308 - built from escaped values only
    return rows


def _headers(state: ListState) -> list[dict[str, Any]]:
    current, descending = state.sort.lstrip("-"), state.sort.startswith("-")
    headers = []
    for column in state.columns:
        header: dict[str, Any] = {"key": column.key, "label": column.label, "url": "", "aria_sort": ""}
        if column.sort:
            active = column.sort == current
            next_sort = f"-{column.sort}" if active and not descending else column.sort
            header["url"] = "?" + state.query(sort=next_sort, page=1)
            header["aria_sort"] = ("descending" if descending else "ascending") if active else "none"
        headers.append(header)
    return headers


def _can_change(user: Any, view: SavedView | None) -> bool:
    return view is not None and (view.owner_id == user.pk or user.policy.administer)


def _list_form(
    request: HttpRequest, kind: ListKind
) -> tuple[ListFilterForm, list[SavedView], SavedView | None, ListChoices]:
    """The list's filter form read from the request (or the saved view it opens)."""
    definitions = _definitions(kind)
    choices = _choices()
    views = list(selectors.saved_view_list(user=request.user, object_type=kind.object_type))
    data, current_view = _list_data(request, views)
    form = _filter_form(
        kind, data, definitions=definitions, choices=choices, columns=kind.columns(definitions)
    )
    return form, views, current_view, choices


def _count_context(count: int, first: int, last: int) -> dict[str, Any]:
    return {
        "count": count,
        "count_over": count > selectors.COUNT_LIMIT,
        "count_limit": selectors.COUNT_LIMIT,
        "first": first,
        "last": last,
    }


def _list_context(request: HttpRequest, kind: ListKind) -> dict[str, Any]:
    user: Any = request.user
    form, views, current_view, choices = _list_form(request, kind)
    state = form.state()
    qs = kind.table(user=user, search=state.search, filters=state.filters, sort=state.sort)
    if not state.search:  # a search has narrowed through its index already (kizuna.core.search)
        qs = narrow_when_small(qs)
    rows, has_next = selectors.table_page(exports.only_columns(qs, state.columns), page=state.page)
    first = (state.page - 1) * selectors.PAGE_SIZE + 1
    last = first + len(rows) - 1
    # A filtered list says how many match. Without a next page that is known already; with one the
    # count (up to COUNT_LIMIT) comes in a request of its own, so the rows never wait for it.
    count: int | None = None
    count_url = ""
    if state.filtered and not has_next:
        count = last if rows else 0
    elif state.filtered:
        count_url = f"{reverse(kind.urls['count'])}?{state.query(page=state.page)}&last={last}"
    list_url = reverse(kind.urls["list"])
    return {
        "kind": kind,
        "urls": kind.urls,
        "form": form,
        "state": state,
        "rows": _rows(kind, rows, state.columns),
        "headers": _headers(state),
        "has_next": has_next,
        "next_query": state.query(page=state.page + 1) if has_next else "",
        "prev_query": state.query(page=state.page - 1) if state.page > 1 else None,
        "first": first,
        "last": last,
        "count": count,
        "count_over": False,  # a count known here is at most one page
        "count_url": count_url,
        "list_url": list_url,
        "current_url": f"{list_url}?{state.query(page=state.page)}",
        "views": views,
        "current_view": current_view,
        "can_change_view": _can_change(user, current_view),
        "save_form": SavedViewForm(prefix_id="view"),
        "edit_form": SavedViewForm(
            initial={"name": current_view.name, "shared": current_view.shared} if current_view else None,
            prefix_id="edit",
        ),
        "choices": choices,
    }


# --- The list pages -------------------------------------------------------------------------------------


@login_required
def _list(request: HttpRequest, kind: ListKind) -> HttpResponse:
    context = _list_context(request, kind)
    if _partial(request):
        response = render(request, "customers/_list_results.html", context)
        if request.headers.get("HX-Trigger") != "list-refresh":  # a refresh after a bulk action stays put
            response["HX-Push-Url"] = context["current_url"]
        return response
    return render(request, "customers/list.html", context)


@login_required
@require_http_methods(["GET"])
def _count(request: HttpRequest, kind: ListKind) -> HttpResponse:
    """How many records the list's search and filters match (up to COUNT_LIMIT), as the list's count line.

    Asked by the list page after it has shown its rows (htmx, on load). ``last`` is the number of the
    page's last row, for the sentence "51–100 of 1,234".
    """
    form, _views, _current, _choices = _list_form(request, kind)
    state = form.state()
    qs = kind.table(user=request.user, search=state.search, filters=state.filters, sort=state.sort)
    first = (state.page - 1) * selectors.PAGE_SIZE + 1
    raw_last = request.GET.get("last", "")
    last = int(raw_last) if raw_last.isdigit() else first + selectors.PAGE_SIZE - 1
    context = _count_context(
        selectors.table_count(qs), first, max(first, min(last, first + selectors.PAGE_SIZE - 1))
    )
    return render(request, "customers/_list_count.html", {**context, "has_rows": True})


# --- Saved views ----------------------------------------------------------------------------------------


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_POST
def _view_save(request: HttpRequest, kind: ListKind, pk: int | None = None) -> HttpResponse:
    """Save the list's current state (posted with the filter form) as a new view, or into view ``pk``."""
    user: Any = request.user
    form = SavedViewForm(request.POST, prefix_id="view" if pk is None else "edit")
    form.is_valid()
    definitions = _definitions(kind)
    filters = _filter_form(
        kind, request.POST, definitions=definitions, choices=_choices(), columns=kind.columns(definitions)
    )
    query, columns = saved_query(filters.state().params)
    name, shared = form.cleaned_data.get("name", ""), bool(form.cleaned_data.get("shared"))
    try:
        if pk is None:
            view = services.saved_view_create(
                actor=user,
                object_type=kind.object_type,
                name=name,
                query=query,
                columns=columns,
                shared=shared,
                via="ui",
            )
        else:
            view = services.saved_view_update(
                actor=user, view_id=pk, name=name, query=query, columns=columns, shared=shared, via="ui"
            )
    except KizunaError as exc:
        apply_errors(form, _field_errors(exc))
        context = {"kind": kind, "urls": kind.urls, "view_form": form, "view_pk": pk}
        template = "customers/_list_view_form.html" if _partial(request) else "customers/list_view_form.html"
        return render(request, template, context, status=422)
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return _redirect(request, f"{reverse(kind.urls['list'])}?view={view.pk}")


@login_required
@require_POST
def _view_delete(request: HttpRequest, kind: ListKind, pk: int) -> HttpResponse:
    services.saved_view_delete(actor=request.user, view_id=pk, via="ui")
    messages.success(request, _("The view was deleted."))
    return _redirect(request, reverse(kind.urls["list"]))


# --- Bulk actions ---------------------------------------------------------------------------------------


def _selected_ids(data: QueryDict) -> list[int]:
    """The ticked rows' ids; none, or more than :data:`MAX_BULK`, is a coded error."""
    ids = list(dict.fromkeys(int(v) for v in data.getlist("ids") if v.isdigit()))
    if not ids:
        raise KizunaError("KZ-VAL-001", context={"field": _("selected rows")}, field="ids")
    if len(ids) > MAX_BULK:
        raise KizunaError(
            "KZ-VAL-004",
            context={
                "value": len(ids),
                "kind": _("selection"),
                "field": _("selected rows"),
                "reason": _("too many rows at once"),
                "expected": MAX_BULK,
            },
            field="ids",
        )
    return ids


def _not_found(user: Any, kind: ListKind, pk: int) -> KizunaError:
    return KizunaError(
        "KZ-AUTH-001", context={"object_type": kind.object_type, "object_id": pk, "role": user.effective_role}
    )


def _delete_preview(user: Any, kind: ListKind, ids: list[int]) -> dict[str, Any]:
    """Which selected records a delete would remove, and which it would refuse (with the code why)."""
    found = {obj.pk: obj for obj in kind.by_ids(user=user, ids=ids)}
    deletable, refused = [], []
    for pk in ids:
        obj = found.get(pk)
        if obj is None:
            refused.append({"pk": pk, "name": f"#{pk}", "error": _not_found(user, kind, pk)})
            continue
        try:
            ensure_can_delete(user, obj)
        except KizunaError as exc:
            refused.append({"pk": pk, "name": str(obj), "error": exc})
        else:
            deletable.append(obj)
    return {"deletable": deletable, "refused": refused}


def _bulk_run(user: Any, kind: ListKind, action: str, ids: list[int], data: QueryDict) -> dict[str, Any]:
    names = {obj.pk: str(obj) for obj in kind.by_ids(user=user, ids=ids)}
    if action == "assign_owner":
        result = kind.bulk_assign(actor=user, ids=ids, owner_id=data.get("owner", ""))
    elif action == "add_tag":
        result = kind.bulk_tag(actor=user, ids=ids, tag=data.get("tag", ""))
    elif action == "delete":
        result = kind.bulk_delete(actor=user, ids=ids)
    else:
        raise KizunaError(
            "KZ-VAL-003",
            context={"value": action, "allowed": "assign_owner, add_tag, delete_confirm, delete"},
            field="action",
        )
    return {
        "done": [{"pk": pk, "name": names.get(pk, f"#{pk}")} for pk in result.done],
        "failed": [{"pk": pk, "name": names.get(pk, f"#{pk}"), "error": e} for pk, e in result.failed],
    }


@login_required
@require_POST
def _bulk(request: HttpRequest, kind: ListKind) -> HttpResponse:
    """assign_owner, add_tag, delete_confirm (the confirmation step) and delete on the ticked rows."""
    user: Any = request.user
    action = request.POST.get("action", "")
    context: dict[str, Any] = {"kind": kind, "urls": kind.urls, "action": action}
    try:
        ids = _selected_ids(request.POST)
        if action == "delete_confirm":
            context["preview"] = _delete_preview(user, kind, ids)
        else:
            context["result"] = _bulk_run(user, kind, action, ids, request.POST)
    except KizunaError as exc:
        context["errors"] = exc.errors if isinstance(exc, KizunaValidationError) else [exc]
        status = 422
    else:
        status = 200
    template = "customers/_list_bulk_result.html" if _partial(request) else "customers/list_bulk.html"
    response = render(request, template, context, status=status)
    if context.get("result", {}).get("done"):
        response["HX-Trigger"] = json.dumps({"kizuna:list-refresh": True})
    return response


# --- Export ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def _export(request: HttpRequest, kind: ListKind) -> HttpResponseBase:
    """The current view (GET, every matching row) or the ticked rows (POST) as CSV or XLSX."""
    user: Any = request.user
    definitions = _definitions(kind)
    all_columns = kind.columns(definitions)
    if request.method == "POST":
        ids = _selected_ids(request.POST)
        keys = set(request.POST.getlist("cols")) | {"name"}
        columns = [c for c in all_columns if c.key in keys] if len(keys) > 1 else None
        columns = columns or [c for c in all_columns if c.default]
        qs = kind.by_ids(user=user, ids=ids)
        file_format = request.POST.get("format", "csv")
    else:
        views = list(selectors.saved_view_list(user=user, object_type=kind.object_type))
        data, _view = _list_data(request, views)
        form = _filter_form(kind, data, definitions=definitions, choices=_choices(), columns=all_columns)
        state = form.state()
        columns = state.columns
        qs = kind.table(user=user, search=state.search, filters=state.filters, sort=state.sort)
        file_format = request.GET.get("format", "csv")
    rows = exports.export_rows(qs, columns)
    tz = timezone.get_current_timezone()
    stem = f"{kind.path}-{timezone.localtime():%Y%m%d-%H%M}"
    if file_format == "xlsx":
        file = exports.xlsx_file(columns, rows, tz=tz, title=str(kind.title))
        return FileResponse(file, as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX_TYPE)
    response = StreamingHttpResponse(
        exports.csv_lines(columns, rows, tz=tz, language=_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


# --- Create pages ---------------------------------------------------------------------------------------


def _ambiguous_company(form: RecordCreateForm, exc: KizunaValidationError) -> KizunaValidationError:
    """Several visible companies share the typed name: say so instead of "not found"."""
    if not getattr(form, "company_ambiguous", False):
        return exc
    errors = [e for e in exc.errors if e.field != "company"]
    reason = _("several companies are named “%(name)s”; pick one from the list") % {
        "name": form.cleaned_data.get("company", "")
    }
    return KizunaValidationError(
        [*errors, KizunaError("KZ-VAL-012", context={"reason": reason}, field="company")]
    )


def _create_initial(request: HttpRequest, kind: ListKind) -> dict[str, Any]:
    """``/contacts/new/?company=12`` (from a company page) starts with that company filled in."""
    company_id = request.GET.get("company", "")
    if kind is not CONTACTS or not company_id.isdigit():
        return {}
    company = selectors.company_get(user=request.user, pk=company_id)
    return {"company": f"{company.name} #{company.pk}"}


@login_required
def _create(request: HttpRequest, kind: ListKind) -> HttpResponse:
    """The create page: the service validates; each coded error is shown next to its field (422)."""
    user: Any = request.user
    form = kind.create_form(
        request.POST or None,
        initial=_create_initial(request, kind),
        owners=choices_of(selectors.owner_choices()),
        definitions=_definitions(kind),
        language=_language(),
    )
    if isinstance(form, ContactCreateForm):
        form.company_lookup = lambda name: selectors.company_ids_named(user=user, name=name)
    if request.method == "POST" and form.is_valid():
        try:
            record = kind.create(actor=user, data=form.service_data(), via="ui")
        except KizunaError as exc:
            apply_errors(form, _ambiguous_company(form, _field_errors(exc)))
        else:
            messages.success(request, _("“%(name)s” was created.") % {"name": record})
            return redirect(kind.urls["detail"], pk=record.pk)
    context = {"kind": kind, "urls": kind.urls, "form": form, "prefectures": prefecture_choices()}
    return render(request, "customers/list_create.html", context, status=422 if form.errors else 200)


@login_required
def company_suggest(request: HttpRequest) -> HttpResponse:
    """<option>s for the company box of the contact form (visible companies only)."""
    companies = selectors.company_suggest(user=request.user, query=request.GET.get("company", "")[:200])
    return render(request, "customers/_list_company_options.html", {"companies": companies})


# --- Routes ---------------------------------------------------------------------------------------------


def _bind(view: Callable[..., HttpResponseBase], kind: ListKind) -> Callable[..., HttpResponseBase]:
    def bound(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, kind, *args, **kwargs)

    bound.__name__ = f"{kind.object_type}{view.__name__}"
    bound.__doc__ = view.__doc__
    return bound


def _routes(kind: ListKind) -> list[URLPattern]:
    p, n = kind.path, kind.object_type
    return [
        path(f"{p}/", _bind(_list, kind), name=f"{n}_list"),
        path(f"{p}/count/", _bind(_count, kind), name=f"{n}_count"),
        path(f"{p}/new/", _bind(_create, kind), name=f"{n}_create"),
        path(f"{p}/export/", _bind(_export, kind), name=f"{n}_export"),
        path(f"{p}/bulk/", _bind(_bulk, kind), name=f"{n}_bulk"),
        path(f"{p}/views/", _bind(_view_save, kind), name=f"{n}_view_create"),
        path(f"{p}/views/<int:pk>/", _bind(_view_save, kind), name=f"{n}_view_update"),
        path(f"{p}/views/<int:pk>/delete/", _bind(_view_delete, kind), name=f"{n}_view_delete"),
    ]


urlpatterns: list[URLPattern] = [
    *_routes(CONTACTS),
    *_routes(COMPANIES),
    path("companies/suggest/", company_suggest, name="company_suggest"),
]
