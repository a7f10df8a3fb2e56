"""The main menu. Screens register by URL name; an entry whose URL does not exist yet is left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str  # a short glyph shown before the label
    admin_only: bool = False


MENU: tuple[NavItem, ...] = (
    NavItem("dashboard", _("Home"), "⌂"),
    NavItem("customers:contact_list", _("Contacts"), "👤"),
    NavItem("customers:company_list", _("Companies"), "🏢"),
    NavItem("sales:deal_board", _("Deals"), "◫"),
    NavItem("sales:forecast", _("Forecast"), "📈"),
    NavItem("activities:task_list", _("Tasks"), "✓"),
    NavItem("support:ticket_list", _("Tickets"), "✉"),
    NavItem("reports:index", _("Reports"), "▤"),
    NavItem("imports:list", _("Import"), "⇪"),
    NavItem("settings:index", _("Settings"), "⚙", admin_only=True),
)


def menu_for(request: Any) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    path = request.path
    items = []
    for item in MENU:
        if item.admin_only and not user.policy.administer:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append({"url": url, "label": item.label, "icon": item.icon, "active": active})
    return items
