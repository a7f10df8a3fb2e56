"""Back office for users and teams, and the admin base for owned records (visibility by role and team)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from kizuna.core.admin_support import ModelAdminBase, ServiceModelAdmin
from kizuna.core.permissions import Scope

from .models import Team, User
from .visibility import can_delete, can_edit, can_view, visible

if TYPE_CHECKING:
    from kizuna.core.admin_support import Fieldset

    DjangoUserAdminBase = DjangoUserAdmin[User]
else:  # not subscriptable at run time
    DjangoUserAdminBase = DjangoUserAdmin


class OwnedRecordAdmin(ServiceModelAdmin):
    """A service-backed admin for owned records: each user sees and changes what their role allows.

    Django's model permissions decide which pages a staff user may open; the role and team decide which
    records, exactly as in the UI and the API (superusers are administrators and see everything).
    """

    show_full_result_count = False  # the unfiltered count is a second full scan of a big table

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible(super().get_queryset(request), request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Missing and not visible give the same answer, so other teams' ids cannot be probed.
            raise Http404(_("No such record, or it is not visible to you."))
        return obj

    def has_add_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return super().has_add_permission(request) and user.policy.edit != Scope.NONE

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and (obj is None or can_view(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or can_delete(request.user, obj))


OWNER_FIELDSET: Fieldset = (_("Owner"), {"fields": ("owner", "team")})
RECORD_FIELDSET: Fieldset = (
    _("Record"),
    {"fields": ("external_id", "created_at", "updated_at", "version"), "classes": ("collapse",)},
)


@admin.register(User)
class UserAdmin(DjangoUserAdminBase):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Kizuna"), {"fields": ("display_name", "role", "team", "language", "time_zone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kizuna"), {"fields": ("display_name", "role", "team", "language")}),
    )
    list_display = ("username", "display_name", "email", "role", "team", "is_staff", "is_active")
    list_filter = ("role", "team", "is_staff", "is_superuser", "is_active")
    list_select_related = ("team",)
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    autocomplete_fields = ("team",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Only superusers hand out power: a staff user allowed to edit users cannot make anyone,
        # themselves included, an administrator.
        return [*readonly, "is_superuser", "is_staff", "groups", "user_permissions", "role"]


@admin.register(Team)
class TeamAdmin(ModelAdminBase):
    list_display = ("name", "created_at")
    search_fields = ("name",)
