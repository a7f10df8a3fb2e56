"""SLA timers as text: "2 h 15 min left", "overdue by 1 d 3 h", computed on the server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kizuna.support.selectors import SlaTimer, sla_timer

register = template.Library()

CSS = {
    "none": "neutral",
    "ok": "",
    "soon": "warning",
    "breached": "danger",
    "met": "success",
    "missed": "danger",
}


def duration_text(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}


def timer_text(timer: SlaTimer) -> str:
    duration = duration_text(timer.delta)
    if timer.state == "none":
        return _("No SLA")
    if timer.state in ("ok", "soon"):
        return _("%(duration)s left") % {"duration": duration}
    if timer.state == "breached":
        return _("overdue by %(duration)s") % {"duration": duration}
    if timer.state == "met":
        return _("Met")
    return _("Missed by %(duration)s") % {"duration": duration}


@register.inclusion_tag("support/_sla_timer.html")
def sla_badge(ticket: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    timer = sla_timer(ticket, now=now)
    return {
        "timer": timer,
        "text": timer_text(timer),
        "css": CSS[timer.state],
        "live": timer.state in ("ok", "soon", "breached"),
    }


@register.simple_tag
def sla_formats() -> SafeString:
    """The texts the page's script uses to update timers every minute, in the user's language."""
    return json_script(
        {
            "left": _("%(duration)s left"),
            "over": _("overdue by %(duration)s"),
            "dh": _("%(days)d d %(hours)d h"),
            "hm": _("%(hours)d h %(minutes)d min"),
            "m": _("%(minutes)d min"),
        },
        "sla-formats",
    )
