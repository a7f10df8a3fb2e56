"""Report screens: an index, and per report a filter form, a chart, a table and a CSV download."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kizuna.core import figures
from kizuna.core.errors import KizunaValidationError
from kizuna.web.forms import apply_errors

from . import selectors
from .csv_export import csv_response
from .definitions import REPORTS, Report, Result

BLANK_CHOICES = {"owner": _("Everyone"), "team": _("All teams"), "pipeline": _("Default pipeline")}


class ReportFilterForm(forms.Form):
    """Only renders the filters; parsing and validation are the selector's (coded errors)."""

    date_from = forms.CharField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.CharField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.CharField(label=_("Owner"), required=False, widget=forms.Select)
    team = forms.CharField(label=_("Team"), required=False, widget=forms.Select)
    pipeline = forms.CharField(label=_("Pipeline"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            if not options:
                del self.fields[name]
                continue
            blank = BLANK_CHOICES[name]
            self.fields[name].widget.choices = [("", blank), *[(str(pk), label) for pk, label in options]]


def _get_report(slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404(slug)
    return report


def _run(request: HttpRequest, report: Report) -> tuple[ReportFilterForm, Result | None]:
    user: Any = request.user
    choices = {
        "owner": selectors.owner_choices(user) if report.uses_owner else [],
        "team": selectors.team_choices(user) if report.uses_owner else [],
        "pipeline": selectors.pipeline_choices() if report.uses_pipeline else [],
    }
    try:
        filters = selectors.parse_filters(
            user=user, data=request.GET, owners=choices["owner"], teams=choices["team"]
        )
    except KizunaValidationError as exc:
        form = ReportFilterForm(request.GET, choices=choices)
        apply_errors(form, exc)
        return form, None
    shown = {
        "date_from": filters.date_from.isoformat(),
        "date_to": filters.date_to.isoformat(),
        "owner": filters.owner_id or "",
        "team": filters.team_id or "",
        "pipeline": filters.pipeline_id or "",
    }
    return ReportFilterForm(shown, choices=choices), _build(report, user, filters)


def _build(report: Report, user: Any, filters: selectors.ReportFilters) -> Result:
    """The report, cached until the next write like the dashboard's figures (kizuna.core.figures):
    at a million contacts a report reads hundreds of thousands of orders or deals (about 2 s).
    Keyed by what changes the result: the user's visibility, the filters, language and time zone."""
    key = ":".join(
        (
            "report",
            report.slug,
            figures.visibility_key(user),
            repr(filters),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
        )
    )
    result: Result = figures.cached(key, lambda: report.build(user, filters))
    return result


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {"reports": REPORTS.values()})


@login_required
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    report = _get_report(slug)
    form, result = _run(request, report)
    context = {"report": report, "form": form, "result": result, "query": request.GET.urlencode()}
    return render(request, "reports/report.html", context, status=200 if result else 422)


@login_required
def report_csv(request: HttpRequest, slug: str) -> HttpResponse:
    report = _get_report(slug)
    form, result = _run(request, report)
    if result is None:
        context = {"report": report, "form": form, "result": None, "query": request.GET.urlencode()}
        return render(request, "reports/report.html", context, status=422)
    header = [str(c.label) for c in result.columns]
    rows = result.rows + ([result.footer] if result.footer else [])
    return csv_response(
        f"kizuna-{report.slug}-{form['date_from'].value()}-{form['date_to'].value()}.csv", header, rows
    )
