"""Deal screens (pipeline board, list, deal page, new deal) and the sales forecast.

Views parse input with Django forms, call a selector or a service, and render; every refusal is
the service's coded error shown next to its field (422), or as a toast on the board.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from html import escape  # Django's escape without its lazy-text wrapper
from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.customers import selectors as customer_selectors
from kizuna.web.forms import apply_errors

from . import selectors, services
from .models import Deal, Pipeline, Stage

FORECAST_MONTH_CHOICES = (3, 6, 12)
LIST_PAGE_SIZE = 50


def _error_status(exc: KizunaError) -> int:
    """422 for bad input (field errors), else the code's own status (404, 403, 409 …)."""
    if isinstance(exc, KizunaValidationError) or (exc.field and exc.spec.http_status == 400):
        return 422
    return exc.spec.http_status


def _error_text(exc: KizunaError) -> str:
    errors = exc.errors if isinstance(exc, KizunaValidationError) else [exc]
    return " ".join(f"{e.cause()} {e.remedy()} ({e.code})" for e in errors)


def _toast_header(text: str, kind: str = "success") -> dict[str, str]:
    return {"HX-Trigger": json.dumps({"kizuna:toast": {"text": text, "kind": kind}})}


def _set_choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field: Any = form.fields[name]
    field.choices = choices


def _stage_choices(stages: list[Stage]) -> list[tuple[str, list[tuple[str, str]]]]:
    grouped: dict[Pipeline, list[tuple[str, str]]] = {}
    for stage in stages:
        grouped.setdefault(stage.pipeline, []).append((str(stage.pk), stage.name))
    return [(pipeline.name, options) for pipeline, options in grouped.items()]


class DealForm(forms.Form):
    """Parses the deal fields; the service validates them (required, amounts, stage of pipeline …)."""

    title = forms.CharField(label=_("Title"), required=False, max_length=400)
    company = forms.CharField(
        label=_("Company ID"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    contact = forms.CharField(
        label=_("Contact ID"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    pipeline = forms.ChoiceField(label=_("Pipeline"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    amount = forms.CharField(
        label=_("Amount (JPY)"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    expected_close_date = forms.CharField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    lost_reason = forms.CharField(label=_("Lost reason"), required=False, max_length=400)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, deal: Deal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = deal is None
        pipelines = [(str(p.pk), p.name) for p in selectors.pipeline_list()]
        owners = selectors.owner_choices(user=user, include=deal.owner if deal else None)
        _set_choices(self, "pipeline", [("", _("Default pipeline"))] * creating + pipelines)
        _set_choices(
            self, "stage", [("", _("First stage"))] * creating + _stage_choices(selectors.stage_list())
        )
        _set_choices(self, "owner", [("", _("Me"))] * creating + [(str(u.pk), str(u)) for u in owners])
        if deal is None:
            del self.fields["version"]
            del self.fields["lost_reason"]

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if creating:
            # Blank choices mean "the service's default" (default pipeline, first stage, me).
            data = {k: v for k, v in data.items() if v not in ("", None) or k in ("title",)}
        return data


def _deal_initial(deal: Deal) -> dict[str, Any]:
    return {
        "title": deal.title,
        "company": deal.company_id or "",
        "contact": deal.contact_id or "",
        "pipeline": str(deal.pipeline_id),
        "stage": str(deal.stage_id),
        "amount": deal.amount,
        "expected_close_date": deal.expected_close_date.isoformat() if deal.expected_close_date else "",
        "owner": str(deal.owner_id or ""),
        "lost_reason": deal.lost_reason,
        "version": deal.version,
    }


# --- Pipeline board -------------------------------------------------------------------------------


def _date_formatter(django_format: str) -> Callable[[dt.date], str]:
    """A date format of Django's (``"Y/m/d"``) as a function; ``strftime`` when the format allows."""
    codes = {"Y": "%Y", "m": "%m", "d": "%d", "y": "%y"}
    if all(ch in codes or not ch.isalpha() for ch in django_format) and "\\" not in django_format:
        pattern = "".join(codes.get(ch, ch.replace("%", "%%")) for ch in django_format)
        return lambda day: day.strftime(pattern)
    return lambda day: formats.date_format(day, django_format)


def _card_html(deal: Deal, texts: dict[str, Any]) -> str:
    """One board card as HTML, every value escaped: built here rather than by a template include,
    which cost a third of a millisecond a card (a board shows up to 175)."""
    pk, title = deal.pk, escape(deal.title)
    close = deal.expected_close_date
    overdue = close is not None and close < texts["today"] and deal.is_open
    base = texts["deals_url"]
    parts = [
        f'<li class="deal-card{" overdue" if overdue else ""}" data-deal-id="{pk}" data-version="{deal.version}"'
        f' data-stage-id="{deal.stage_id}" data-move-url="{base}{pk}/move/">',
        f'<a class="deal-card-title" href="{base}{pk}/">{title}</a>',
    ]
    if deal.company_id or deal.contact_id:
        names = [escape(str(x)) for x in (deal.company, deal.contact) if x is not None]
        parts.append(f'<div class="deal-card-customer muted">{" · ".join(names)}</div>')
    owner = escape(str(deal.owner)) if deal.owner_id else "—"
    parts.append(
        f'<div class="deal-card-meta"><span class="num deal-card-amount">¥{deal.amount:,}</span>'
        f'<span class="muted">{owner}</span></div>'
    )
    if close is not None:
        when = f'<span class="muted">{texts["close"]}</span> <time datetime="{close:%Y-%m-%d}">{texts["date"](close)}</time>'
        if overdue:
            when += f' <span class="badge danger">{texts["overdue"]}</span>'
    else:
        when = f'<span class="muted">{texts["no_date"]}</span>'
    parts.append(f'<div class="deal-card-close">{when}</div>')
    parts.append(
        f'<button type="button" class="link move-button" data-move aria-haspopup="dialog">{texts["move"]}'
        f'<span class="visually-hidden"> ({title})</span></button></li>'
    )
    return "".join(parts)


@login_required
@require_GET
def deal_board(request: HttpRequest) -> HttpResponse:
    pipelines = selectors.pipeline_list()
    pipeline = selectors.pipeline_choose(pk=request.GET.get("pipeline"), pipelines=pipelines)
    columns = selectors.board_columns(user=request.user, pipeline=pipeline) if pipeline else []
    # Built once, not per card: a board renders up to 25 cards a stage.
    texts: dict[str, Any] = {
        "today": timezone.localdate(),
        "deals_url": reverse("sales:deal_board"),
        "date": _date_formatter(formats.get_format("SHORT_DATE_FORMAT")),
        "close": escape(pgettext("deal card, before the expected close date", "Close")),
        "overdue": escape(gettext("Overdue")),
        "no_date": escape(gettext("No close date")),
        "move": escape(gettext("Move to…")),
    }
    cards = {
        column.stage.pk: mark_safe("".join(_card_html(d, texts) for d in column.cards))  # noqa: S308 - escaped
        for column in columns
    }
    context = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "columns": columns,
        "board": [{"column": column, "cards": cards[column.stage.pk]} for column in columns],
        "stages": [c.stage for c in columns],
        "today": texts["today"],
        "per_column": selectors.BOARD_CARDS_PER_COLUMN,
        "board_texts": {
            "failed": gettext("The deal could not be moved."),
            "cancelled": gettext("Move cancelled: the deal stays where it was."),
            "network": gettext("Cannot reach the server. The deal stays where it was."),
        },
    }
    return render(request, "sales/deal_board.html", context)


def _stats_json(user: Any, pipeline: Pipeline) -> dict[str, Any]:
    stages = selectors.stage_list(pipeline=pipeline)
    stats = selectors.board_stats(user=user, pipeline=pipeline, stages=stages)
    out = {}
    for stage in stages:
        s = stats.get(stage.pk, selectors.ColumnStats())
        out[str(stage.pk)] = {
            "count": s.count,
            "total": s.total,
            "weighted": s.weighted,
            "total_text": f"¥{s.total:,}",
            "weighted_text": f"¥{s.weighted:,}",
        }
    return out


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another stage through deal_move_stage (events, audit, validation, version check).

    Answers JSON to the board's script (``Accept: application/json``) and redirects a plain form
    post (the keyboard "move to" control without JavaScript) back to the board with a message.
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    version = request.POST.get("version", "")
    try:
        deal = services.deal_move_stage(
            actor=request.user,
            deal_id=pk,
            stage_id=int(request.POST.get("stage", "0") or 0),
            lost_reason=request.POST.get("lost_reason", "")[:400],
            expected_version=int(version) if version.isdigit() else None,
            via="ui",
        )
    except KizunaError as exc:
        text = _error_text(exc)
        if not wants_json:
            messages.error(request, text)
            return redirect(_back_to_board(request))
        body = {"ok": False, "code": exc.code, "message": text, "error": exc.as_dict()}
        return JsonResponse(body, status=_error_status(exc), headers=_toast_header(text, "error"))
    text = gettext("“%(title)s” moved to %(stage)s.") % {"title": deal.title, "stage": deal.stage.name}
    if not wants_json:
        messages.success(request, text)
        return redirect(_back_to_board(request))
    body = {
        "ok": True,
        "message": text,
        "deal": {"id": deal.pk, "version": deal.version, "stage": deal.stage_id},
        "columns": _stats_json(request.user, deal.pipeline),
    }
    return JsonResponse(body, headers=_toast_header(text))


def _back_to_board(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("sales:deal_board")


# --- Deal list ------------------------------------------------------------------------------------


class DealFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)
    pipeline = forms.ChoiceField(label=_("Pipeline"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))],
    )
    close_from = forms.DateField(
        label=_("Expected close from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    close_to = forms.DateField(
        label=_("Expected close to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-updated", _("Recently updated")),
            ("close", _("Expected close (soonest)")),
            ("-close", _("Expected close (latest)")),
            ("-amount", _("Amount (largest)")),
            ("amount", _("Amount (smallest)")),
            ("title", _("Title")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything: list[Any] = [("", _("All"))]
        _set_choices(self, "pipeline", everything + [(str(p.pk), p.name) for p in selectors.pipeline_list()])
        _set_choices(self, "stage", everything + _stage_choices(selectors.stage_list()))
        _set_choices(
            self, "owner", everything + [(str(u.pk), str(u)) for u in selectors.owner_choices(user=user)]
        )

    def filters(self) -> selectors.DealFilters:
        if not self.is_bound:
            return selectors.DealFilters()
        # Keep the filters that parse; a bad one (a mistyped date) is ignored, not all of them.
        self.is_valid()
        data = self.cleaned_data

        def number(name: str) -> int | None:
            value = str(data.get(name) or "")
            return int(value) if value.isdigit() else None

        return selectors.DealFilters(
            pipeline=number("pipeline"),
            stage=number("stage"),
            owner=number("owner"),
            status=data.get("status") or "",
            close_from=data.get("close_from"),
            close_to=data.get("close_to"),
            search=(data.get("q") or "").strip(),
        )


@login_required
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None, user=request.user)
    sort = request.GET.get("sort") or "-updated"
    page_number = request.GET.get("page", "1")
    page = selectors.deal_list(
        user=request.user,
        filters=form.filters(),
        sort=sort,
        page=int(page_number) if page_number.isdigit() else 1,
        page_size=LIST_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "sales/deal_list.html", context)


# --- Deal page ------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, deal: Deal, form: DealForm | None = None) -> dict[str, Any]:
    return {
        "deal": deal,
        "form": form,
        "history": selectors.deal_stage_history(deal=deal),
        "activities": selectors.deal_activities(user=request.user, deal=deal),
        "tasks": selectors.deal_tasks(user=request.user, deal=deal),
        "stages": selectors.stage_list(pipeline=deal.pipeline),
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get(user=request.user, pk=pk)
    return render(request, "sales/deal_detail.html", _detail_context(request, deal))


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Inline edit of the deal's fields: htmx swaps the fields card for the form and back."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    htmx = bool(request.headers.get("HX-Request"))
    if request.method == "GET":
        form = DealForm(initial=_deal_initial(deal), user=request.user, deal=deal)
        if htmx:
            return render(request, "sales/_deal_form_card.html", {"deal": deal, "form": form})
        return render(request, "sales/deal_detail.html", _detail_context(request, deal, form))
    form = DealForm(request.POST, user=request.user, deal=deal)
    status = 422
    if form.is_valid():
        try:
            deal = services.deal_update(
                actor=request.user,
                deal_id=deal.pk,
                data=form.service_data(creating=False),
                expected_version=form.cleaned_data.get("version"),
                via="ui",
            )
        except KizunaError as exc:
            apply_errors(form, exc)
            status = _error_status(exc)
        else:
            if not htmx:
                messages.success(request, _("The deal was saved."))
                return redirect("sales:deal_detail", pk=deal.pk)
            deal = selectors.deal_get(user=request.user, pk=deal.pk)
            response = render(
                request, "sales/_deal_fields.html", {"deal": deal, "today": timezone.localdate()}
            )
            for name, value in _toast_header(gettext("The deal was saved.")).items():
                response.headers[name] = value
            return response
    if htmx:
        return render(request, "sales/_deal_form_card.html", {"deal": deal, "form": form}, status=status)
    return render(request, "sales/deal_detail.html", _detail_context(request, deal, form), status=status)


# --- New deal -------------------------------------------------------------------------------------


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DealForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                deal = services.deal_create(
                    actor=request.user, data=form.service_data(creating=True), via="ui"
                )
            except KizunaError as exc:
                apply_errors(form, exc)
                return render(request, "sales/deal_form.html", {"form": form}, status=_error_status(exc))
            messages.success(request, _("The deal was created."))
            return redirect("sales:deal_detail", pk=deal.pk)
        return render(request, "sales/deal_form.html", {"form": form}, status=422)
    initial = {k: request.GET[k] for k in ("company", "contact", "pipeline", "stage") if k in request.GET}
    form = DealForm(initial=initial, user=request.user)
    return render(request, "sales/deal_form.html", {"form": form, "deal": _prefilled(request, initial)})


def _prefilled(request: HttpRequest, initial: dict[str, Any]) -> SimpleNamespace:
    """The company and contact named in the query string (``?company=12`` from a customer page)."""
    chosen: dict[str, Any] = {"company": None, "contact": None}
    getters = {"company": customer_selectors.company_get, "contact": customer_selectors.contact_get}
    for name, get in getters.items():
        if initial.get(name):
            with contextlib.suppress(KizunaError):  # not visible or gone: the form just shows the id
                chosen[name] = get(user=request.user, pk=initial[name])
    return SimpleNamespace(**chosen)


@login_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Companies or contacts matching ``q`` (visible ones only) for the deal form's pickers."""
    kind = "contact" if request.GET.get("kind") == "contact" else "company"
    query = request.GET.get("q", "").strip()[:100]
    results: list[Any] = []
    if query:
        if kind == "contact":
            results = list(
                customer_selectors.contact_list(user=request.user, search=query).order_by("id")[:10]
            )
        else:
            results = list(
                customer_selectors.company_list(user=request.user, search=query).order_by("id")[:10]
            )
    return render(
        request,
        "sales/_lookup_results.html",
        {"kind": kind, "target": f"id_{kind}", "results": results, "query": query},
    )


# --- Forecast -------------------------------------------------------------------------------------


@login_required
@require_GET
def forecast_page(request: HttpRequest) -> HttpResponse:
    months_param = request.GET.get("months", "6")
    months = (
        int(months_param) if months_param.isdigit() and int(months_param) in FORECAST_MONTH_CHOICES else 6
    )
    pipelines = selectors.pipeline_list()
    pipeline_param = request.GET.get("pipeline", "")
    pipeline = next((p for p in pipelines if str(p.pk) == pipeline_param), None)
    data = selectors.forecast_for(user=request.user, months=months, pipeline=pipeline)
    chart = {
        "labels": [_month_label(m.month) for m in data.months],
        "weighted": [m.weighted for m in data.months],
        "commit": [m.commit_total for m in data.months],
        "best_case": [m.best_case_total for m in data.months],
        "past_labels": [_month_label(m.month) for m in data.past],
        "past_forecast": [m.forecast for m in data.past],
        "past_actual": [m.actual for m in data.past],
        "series": {
            "weighted": gettext("Weighted forecast"),
            "commit": gettext("Commit (incl. closed won)"),
            "best_case": gettext("Best case"),
            "forecast": gettext("Forecast at month start"),
            "actual": gettext("Won"),
        },
    }
    context = {
        "forecast": data,
        "months": months,
        "month_choices": FORECAST_MONTH_CHOICES,
        "pipelines": pipelines,
        "pipeline": pipeline,
        "chart": chart,
        "list_url": reverse("sales:deal_list"),
        "filter_query": urlencode({"pipeline": pipeline.pk}) if pipeline else "",
    }
    return render(request, "sales/forecast.html", context)


def _month_label(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"
