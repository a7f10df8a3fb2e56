"""The shell's screens: home dashboard, global search, the user's preferences."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from kizuna.accounts import services as account_services
from kizuna.core.errors import KizunaError

from . import selectors
from .forms import apply_errors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard_for(request.user)
    chart = {
        "labels": [f"{row['pipeline__name']} / {row['stage__name']}" for row in board.pipeline_by_stage],
        "values": [int(row["total"] or 0) for row in board.pipeline_by_stage],
    }
    return render(request, "web/dashboard.html", {"board": board, "pipeline_chart": chart})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    results = selectors.global_search(user=request.user, query=query)
    return render(request, "web/search.html", {"results": results, "search_query": query})


TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class PreferencesForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("ja", "日本語"), ("en", "English")])
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(tz, tz) for tz in TIME_ZONES])


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    initial = {"display_name": user.display_name, "language": user.language, "time_zone": user.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.user_set_preferences(actor=user, user=user, via="ui", **form.cleaned_data)
        except KizunaError as exc:
            apply_errors(form, exc)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your preferences were saved."))
            response = redirect("preferences")
            response.set_cookie("django_language", user.language, samesite="Lax")
            return response
    return render(request, "web/preferences.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language: the cookie for everyone, and the signed-in user's saved preference."""
    response = django_set_language(request)
    user: Any = request.user
    language = request.POST.get("language", "")
    if user.is_authenticated and language != user.language and language in dict(settings.LANGUAGES):
        account_services.user_set_preferences(
            actor=user,
            user=user,
            via="ui",
            display_name=user.display_name,
            language=language,
            time_zone=user.time_zone,
        )
    return response
