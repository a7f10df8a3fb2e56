"""Writes to users and teams."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kizuna.core import writes
from kizuna.core.errors import KizunaError
from kizuna.core.permissions import Role

from .models import Team, User


def administrator_exists() -> bool:
    return (
        User.objects.filter(is_active=True).filter(role=Role.ADMINISTRATOR).exists()
        or User.objects.filter(is_active=True, is_superuser=True).exists()
    )


@transaction.atomic
def team_get_or_create(*, name: str, actor: Any = None, via: str = "cli") -> Team:
    team = Team.objects.filter(name=name).first()
    return team or writes.record_create(Team(name=name), actor=actor, via=via, event_type="team.created")


def password_check(password: str, user: User) -> None:
    """Refuse a weak password with KZ-VAL-004 (Django's validators), never echoing it."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise KizunaError(
            "KZ-VAL-004",
            context={
                "value": "********",
                "kind": "password",
                "reason": " ".join(exc.messages),
                "expected": "at least 10 characters, not common, not only digits",
            },
            field="password",
        ) from None


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str = Role.SALES,
    team_name: str = "",
    actor: Any = None,
    via: str = "cli",
    email: str = "",
    display_name: str = "",
) -> User:
    """Create a user; administrators also get Django admin access (is_staff, is_superuser)."""
    user = User(username=username, role=role, email=email, display_name=display_name)
    password_check(password, user)
    if team_name:
        user.team = team_get_or_create(name=team_name, actor=actor, via=via)
    is_admin = role == Role.ADMINISTRATOR
    user.is_staff = is_admin
    user.is_superuser = is_admin
    user.set_password(password)
    return writes.record_create(user, actor=actor, via=via, event_type="user.created")
