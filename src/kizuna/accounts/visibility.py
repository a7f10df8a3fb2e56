"""Record visibility and edit rights, applied in every selector and service.

A record is visible to a user by the role's scope: ``own`` (owner is the user), ``team`` (the record's
team is the user's team, or the user owns it), ``all``. Records inherit a team from their owner.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.core.errors import KizunaError
from kizuna.core.permissions import Role, Scope

M = TypeVar("M", bound=models.Model)


def scope_q(user: Any, scope: str, *, prefix: str = "") -> models.Q:
    """The filter for ``scope``; ``prefix`` reaches a related owner (``"deal__"``)."""
    if scope == Scope.ALL:
        return models.Q()
    if scope == Scope.NONE or user is None or not user.is_authenticated:
        return models.Q(pk__in=[])
    own = models.Q(**{f"{prefix}owner_id": user.pk})
    if scope == Scope.OWN or user.team_id is None:
        return own
    return own | models.Q(**{f"{prefix}team_id": user.team_id})


def visible_q(user: Any, *, prefix: str = "") -> models.Q:
    return scope_q(
        user, user.policy.view if user is not None and user.is_authenticated else Scope.NONE, prefix=prefix
    )


def visible_flag(user: Any, *, prefix: str) -> Any:
    """An annotation: may ``user`` see the record at ``prefix`` (``"contact__"``)? For a related record
    named on a row, whose owner may differ from the row's."""
    q = visible_q(user, prefix=prefix)
    return models.Value(True) if not q else models.ExpressionWrapper(q, output_field=models.BooleanField())


def visible(qs: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """``qs`` narrowed to what ``user`` may see."""
    return qs.filter(visible_q(user))


def visible_ids_if_few(model: type[models.Model], user: Any, *, limit: int) -> list[Any] | None:
    """The ids of the ``model`` rows ``user`` may see when there are at most ``limit``; else ``None``.

    Asked through the owner and team indexes one at a time (``UNION ALL``), which SQLite's planner
    cannot misjudge: with averages only, it takes ``team_id = ?`` for "every row" when one team owns
    the whole table, and scanned 70,000 open tickets to find that a sales user sees none of them.
    """
    scope = user.policy.view if user is not None and user.is_authenticated else Scope.NONE
    if scope == Scope.ALL:
        return None
    if scope == Scope.NONE:
        return []
    manager = model._default_manager
    parts = [manager.filter(owner_id=user.pk).order_by().values_list("pk", flat=True)]
    if scope == Scope.TEAM and user.team_id is not None:
        parts.append(manager.filter(team_id=user.team_id).order_by().values_list("pk", flat=True))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    # A row the user owns in their own team comes twice: read up to twice the limit, count distinct
    # (reaching that cap means more than ``limit`` distinct ids).
    ids = sorted(set(union[: len(parts) * (limit + 1)]))
    return None if len(ids) > limit else ids


def get_visible(qs: models.QuerySet[M], pk: Any, *, object_type: str, user: Any) -> M:
    """The record ``pk`` from ``qs`` (already narrowed by :func:`visible`), or KZ-AUTH-001.

    A record the user may not see and a record that does not exist give the same answer, so ids
    cannot be probed.
    """
    obj = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise KizunaError(
            "KZ-AUTH-001",
            context={
                "object_type": object_type,
                "object_id": pk,
                "role": getattr(user, "effective_role", "anonymous"),
            },
        )
    return obj


def _in_scope(user: Any, scope: str, obj: Any) -> bool:
    if scope == Scope.ALL:
        return True
    if scope == Scope.NONE or user is None or not user.is_authenticated:
        return False
    if obj.owner_id == user.pk:
        return True
    return scope == Scope.TEAM and user.team_id is not None and obj.team_id == user.team_id


def can_view(user: Any, obj: Any) -> bool:
    return _in_scope(user, user.policy.view, obj) if user is not None and user.is_authenticated else False


def can_edit(user: Any, obj: Any) -> bool:
    return can_view(user, obj) and _in_scope(user, user.policy.edit, obj)


def can_delete(user: Any, obj: Any) -> bool:
    return can_view(user, obj) and _in_scope(user, user.policy.delete, obj)


def ensure_can_view(user: Any, obj: Any) -> None:
    if not can_view(user, obj):
        raise KizunaError(
            "KZ-AUTH-001",
            context={"object_type": obj._meta.verbose_name, "object_id": obj.pk, "role": _role(user)},
        )


def ensure_can_edit(user: Any, obj: Any, *, action: Any = None) -> None:
    ensure_can_view(user, obj)
    if not _in_scope(user, user.policy.edit, obj):
        raise KizunaError(
            "KZ-AUTH-002",
            context={
                "object_type": obj._meta.verbose_name,
                "object_id": obj.pk,
                "role": _role(user),
                "action": action or _("change"),
            },
        )


def ensure_can_delete(user: Any, obj: Any) -> None:
    ensure_can_view(user, obj)
    if not _in_scope(user, user.policy.delete, obj):
        raise KizunaError(
            "KZ-AUTH-002",
            context={
                "object_type": obj._meta.verbose_name,
                "object_id": obj.pk,
                "role": _role(user),
                "action": _("delete"),
            },
        )


def ensure_can_create(user: Any, *, object_type: str) -> None:
    if user is None or not user.is_authenticated or user.policy.edit == Scope.NONE:
        raise KizunaError(
            "KZ-AUTH-002",
            context={
                "object_type": object_type,
                "object_id": "-",
                "role": _role(user),
                "action": _("create"),
            },
        )


def ensure_admin(user: Any, *, action: Any) -> None:
    if user is None or not user.is_authenticated or not user.policy.administer:
        raise KizunaError("KZ-AUTH-003", context={"action": action})


def _role(user: Any) -> Any:
    role = getattr(user, "effective_role", None)
    return Role(role).label if role in Role.values else _("anonymous")
