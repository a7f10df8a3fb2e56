from __future__ import annotations

from typing import Any

from django.conf import settings

from .navigation import menu_for


def navigation(request: Any) -> dict[str, Any]:
    return {"nav_items": menu_for(request), "KIZUNA_LANGUAGES": settings.LANGUAGES}
