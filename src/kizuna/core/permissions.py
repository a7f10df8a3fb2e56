"""Roles and what each may see and change. Applied once, in selectors and services, for every entry point.

Scopes: ``own`` (records the user owns), ``team`` (records owned by the user's team, plus their own),
``all`` (everything). ``edit`` may be ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    SUPPORT = "support", _("Support")
    MARKETING = "marketing", _("Marketing")
    READ_ONLY = "read_only", _("Read-only")


class Scope(models.TextChoices):
    NONE = "none", _("None")
    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    ALL = "all", _("All records")


@dataclass(frozen=True, slots=True)
class RolePolicy:
    view: Scope
    edit: Scope
    delete: Scope
    administer: bool = False


POLICIES: dict[str, RolePolicy] = {
    Role.ADMINISTRATOR: RolePolicy(view=Scope.ALL, edit=Scope.ALL, delete=Scope.ALL, administer=True),
    Role.MANAGER: RolePolicy(view=Scope.TEAM, edit=Scope.TEAM, delete=Scope.TEAM),
    Role.SALES: RolePolicy(view=Scope.TEAM, edit=Scope.TEAM, delete=Scope.OWN),
    Role.SUPPORT: RolePolicy(view=Scope.TEAM, edit=Scope.TEAM, delete=Scope.NONE),
    Role.MARKETING: RolePolicy(view=Scope.TEAM, edit=Scope.OWN, delete=Scope.NONE),
    Role.READ_ONLY: RolePolicy(view=Scope.TEAM, edit=Scope.NONE, delete=Scope.NONE),
}


def policy_for(role: str) -> RolePolicy:
    return POLICIES.get(role, POLICIES[Role.READ_ONLY])
