"""Writes to users and teams."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kizuna.core import writes
from kizuna.core.errors import KizunaError
from kizuna.core.permissions import Role

from .models import Team, User
from .visibility import ensure_admin


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


@transaction.atomic
def user_set_preferences(
    *, actor: Any, user: User, via: str, display_name: str, language: str, time_zone: str
) -> User:
    """A user changes their own display name, language and time zone (administrators: anyone's)."""
    import zoneinfo

    from django.conf import settings

    if actor.pk != user.pk:
        ensure_admin(actor, action=_("change another user's preferences"))
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise KizunaError(
            "KZ-VAL-003", context={"value": language, "allowed": ", ".join(languages)}, field="language"
        )
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise KizunaError(
            "KZ-VAL-003", context={"value": time_zone, "allowed": "Asia/Tokyo, UTC, …"}, field="time_zone"
        ) from None
    locked = User.objects.select_for_update().get(pk=user.pk)
    writes.record_update(
        locked,
        values={"display_name": display_name.strip(), "language": language, "time_zone": time_zone},
        actor=actor,
        via=via,
        event_type="user.updated",
    )
    user.display_name, user.language, user.time_zone = locked.display_name, locked.language, locked.time_zone
    return user


# --- Administration of users and teams (Settings screens) --------------------------------------------


def password_generate(length: int = 16) -> str:
    """A random password that passes the validators (letters and digits, no look-alike characters)."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _i in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _team_or_error(team_id: Any, *, field: str = "team") -> Team | None:
    if team_id in (None, ""):
        return None
    team = Team.objects.filter(pk=team_id).first() if str(team_id).isdigit() else None
    if team is None:
        raise KizunaError("KZ-VAL-011", context={"object_type": _("team"), "value": team_id}, field=field)
    return team


def _clean_team_name(name: str) -> str:
    from kizuna.core import fields as f

    cleaned: str = f.clean_input({"name": f.Text(required=True, max_length=100)}, {"name": name}, model=Team)[
        "name"
    ]
    return cleaned


@transaction.atomic
def team_create(*, actor: Any, name: str, via: str = "ui") -> Team:
    """Create a team (administrators only); a name in use is KZ-VAL-002 on ``name``."""
    ensure_admin(actor, action=_("manage teams"))
    return writes.record_create(
        Team(name=_clean_team_name(name)), actor=actor, via=via, event_type="team.created"
    )


@transaction.atomic
def team_rename(*, actor: Any, team_id: int, name: str, via: str = "ui") -> Team:
    ensure_admin(actor, action=_("manage teams"))
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None:
        raise KizunaError("KZ-VAL-011", context={"object_type": _("team"), "value": team_id}, field="team")
    writes.record_update(
        team, values={"name": _clean_team_name(name)}, actor=actor, via=via, event_type="team.updated"
    )
    return team


def _user_profile(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Clean role, display name and e-mail of an administrator's user form; every problem at once."""
    from kizuna.core import fields as f

    specs = {
        "role": f.Choice(required=True, choices=Role.choices),
        "display_name": f.Text(max_length=100),
        "email": f.Email(),
    }
    return f.clean_input(specs, data, partial=partial, object_type="user", model=User)


def _last_admin_guard(user: User, *, role: str, active: bool) -> None:
    """Refuse a change that would leave no active administrator (KZ-VAL-012)."""
    from django.db.models import Q

    was_admin = user.is_active and user.effective_role == Role.ADMINISTRATOR
    stays_admin = active and role == Role.ADMINISTRATOR
    if was_admin and not stays_admin:
        admins = User.objects.filter(is_active=True).filter(Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True))
        if not admins.exclude(pk=user.pk).exists():
            raise KizunaError(
                "KZ-VAL-012",
                context={"reason": _("At least one active administrator must remain.")},
                field="role" if active else None,
            )


@transaction.atomic
def user_admin_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    team_id: Any = None,
    email: str = "",
    display_name: str = "",
    via: str = "ui",
) -> User:
    """An administrator adds a user; every invalid field (name taken, weak password …) is reported at once."""
    from django.contrib.auth.validators import UnicodeUsernameValidator

    from kizuna.core.errors import KizunaValidationError

    ensure_admin(actor, action=_("manage users"))
    errors: list[KizunaError] = []
    clean: dict[str, Any] = {}
    try:
        clean = _user_profile({"role": role, "display_name": display_name, "email": email})
    except KizunaValidationError as exc:
        errors.extend(exc.errors)
    username = username.strip()
    if not username:
        errors.append(KizunaError("KZ-VAL-001", field="username"))
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors.append(
                KizunaError(
                    "KZ-VAL-004",
                    context={
                        "value": username,
                        "kind": "user name",
                        "reason": "only letters, digits and @ . + - _ are allowed",
                        "expected": "yamada.taro",
                    },
                    field="username",
                )
            )
        existing = User.objects.filter(username=username).values_list("pk", flat=True).first()
        if existing is not None:
            errors.append(
                KizunaError(
                    "KZ-VAL-002",
                    context={"object_type": _("user"), "existing_id": existing, "value": username},
                    field="username",
                )
            )
    try:
        password_check(password, User(username=username, email=email))
    except KizunaError as exc:
        errors.append(exc)
    try:
        team = _team_or_error(team_id)
    except KizunaError as exc:
        errors.append(exc)
        team = None
    if errors:
        raise KizunaValidationError(errors)
    return user_create(
        username=username,
        password=password,
        role=clean["role"],
        team_name=team.name if team else "",
        actor=actor,
        via=via,
        email=clean.get("email", ""),
        display_name=clean.get("display_name", ""),
    )


def _lock_user(user_id: Any) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first() if str(user_id).isdigit() else None
    if user is None:
        raise KizunaError("KZ-VAL-011", context={"object_type": _("user"), "value": user_id}, field="user")
    return user


@transaction.atomic
def user_admin_update(
    *,
    actor: Any,
    user_id: int,
    role: str,
    team_id: Any = None,
    email: str = "",
    display_name: str = "",
    via: str = "ui",
) -> User:
    """An administrator changes a user's role, team, name or e-mail; Django admin access follows the role."""
    from kizuna.core.errors import KizunaValidationError

    ensure_admin(actor, action=_("manage users"))
    user = _lock_user(user_id)
    errors: list[KizunaError] = []
    clean: dict[str, Any] = {}
    team: Team | None = None
    try:
        clean = _user_profile({"role": role, "display_name": display_name, "email": email})
    except KizunaValidationError as exc:
        errors.extend(exc.errors)
    try:
        team = _team_or_error(team_id)
    except KizunaError as exc:
        errors.append(exc)
    if errors:
        raise KizunaValidationError(errors)
    _last_admin_guard(user, role=clean["role"], active=user.is_active)
    is_admin = clean["role"] == Role.ADMINISTRATOR
    writes.record_update(
        user,
        values={**clean, "team": team, "is_staff": is_admin, "is_superuser": is_admin},
        actor=actor,
        via=via,
        event_type="user.updated",
    )
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user_id: int, active: bool, via: str = "ui") -> User:
    """Deactivate (or reactivate) a user; users are never deleted, so their history keeps its author."""
    ensure_admin(actor, action=_("manage users"))
    user = _lock_user(user_id)
    if not active and user.pk == getattr(actor, "pk", None):
        raise KizunaError(
            "KZ-VAL-012", context={"reason": _("You cannot deactivate your own account.")}, field="is_active"
        )
    if not active:
        _last_admin_guard(user, role=user.role, active=False)
    writes.record_update(
        user,
        values={"is_active": active},
        actor=actor,
        via=via,
        event_type="user.activated" if active else "user.deactivated",
    )
    return user
