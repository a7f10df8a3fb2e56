"""Per-user language and time zone, and coded errors shown as pages instead of tracebacks."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from kizuna.core.errors import KizunaError

logger = logging.getLogger("kizuna.web")


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone (Asia/Tokyo unless they chose another)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone or "Asia/Tokyo"))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A KizunaError that escaped a view (not found, forbidden, a conflict) becomes a coded page."""
        if not isinstance(exception, KizunaError):
            return None
        logger.info("%s on %s %s", exception.code, request.method, request.path)
        status = exception.spec.http_status
        if request.headers.get("HX-Request"):
            return render(request, "web/_error_inline.html", {"error": exception}, status=status)
        return render(request, "web/error.html", {"error": exception}, status=status)
