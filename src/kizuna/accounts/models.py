"""Users, teams and the fields every owned record shares."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.core.permissions import Role, RolePolicy, policy_for


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A Kizuna user: one role, at most one team, a language and a time zone for the UI."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ja")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        return Role.ADMINISTRATOR if self.is_superuser else self.role

    @property
    def policy(self) -> RolePolicy:
        return policy_for(self.effective_role)


class ExternalIdModel(models.Model):
    """An optional unique id from another system, timestamps and an optimistic-lock version."""

    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The record's id in another system, for imports and integrations."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class OwnedModel(ExternalIdModel):
    """A main record with an owner and team (for visibility)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The owner's team when the record was assigned: visibility filters on it without a join.
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
