"""Aggregate figures cached until the data changes: dashboard totals, pipeline board totals.

Summing hundreds of thousands of rows on every request is what makes a CRM's home page slow at a
million contacts. Every service write records a domain event in its own transaction, so the newest
event id is a version of the whole database's content: figures cached under it are exact until the
next write, and the next request after a write computes them again. A time limit bounds what a
write outside the services (a raw SQL fix, a restore) could leave stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from kizuna.core.permissions import Scope

T = TypeVar("T")

TTL = 300  # seconds


def data_version() -> int:
    """The id of the newest domain event (0 when there is none): one index read."""
    from kizuna.core.models import DomainEvent

    return DomainEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def visibility_key(user: Any) -> str:
    """Users with the same key see the same records (the scope of ``visible()``)."""
    scope = user.policy.view
    if scope == Scope.ALL:
        return "all"
    return f"{scope}:{user.team_id or 0}:{user.pk}"


def cached(key: str, compute: Callable[[], T], *, ttl: int = TTL) -> T:
    """``compute()``, cached under ``key`` until the next domain event (or ``ttl`` seconds)."""
    version = data_version()
    # Hashed: a key may hold any text (a report's filters), and cache backends limit key characters.
    key = hashlib.sha256(key.encode()).hexdigest()[:40]
    hit = cache.get(f"kizuna:figures:{key}")
    if hit is not None and hit[0] == version:
        value: T = hit[1]
        return value
    value = compute()
    cache.set(f"kizuna:figures:{key}", (version, value), ttl)
    return value
