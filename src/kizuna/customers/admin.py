"""Back office for companies, contacts, tags and custom fields; writes go through customers.services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.admin import OWNER_FIELDSET, RECORD_FIELDSET, OwnedRecordAdmin
from kizuna.core.admin_support import ModelAdminBase, ServiceCalls, ServiceModelAdmin, record_service
from kizuna.core.errors import KizunaError
from kizuna.core.normalize import normalize_phone
from kizuna.core.search import search_filter

from . import services
from .custom_fields import custom_field_define
from .models import Company, Contact, CustomFieldDefinition, Tag

if TYPE_CHECKING:
    from kizuna.core.admin_support import Fieldset

ADDRESS_FIELDSET: Fieldset = (
    _("Address"),
    {"fields": ("postal_code", "prefecture", "city", "address_line1", "address_line2")},
)
CUSTOM_FIELDSET: Fieldset = (_("Custom fields"), {"fields": ("custom",), "classes": ("collapse",)})


def record_id_q(term: str) -> Q:
    """``"123"`` finds record 123 (error messages name records by id); any term finds its external ID."""
    query = Q(external_id=term)
    if term.isdigit() and len(term) < 19:
        query |= Q(pk=int(term))
    return query


def phone_q(term: str, *fields: str) -> Q:
    """A term that reads as a phone number ("03-1234-5678") finds it in E.164 form."""
    if sum(ch.isdigit() for ch in term) < 6:
        return Q(pk__in=[])
    try:
        number = normalize_phone(term)
    except KizunaError:
        return Q(pk__in=[])
    return Q(pk__in=[]) if number is None else Q(*(Q(**{f: number.e164}) for f in fields), _connector=Q.OR)


@admin.register(Company)
class CompanyAdmin(OwnedRecordAdmin):
    service = record_service(
        id_arg="company_id",
        create=services.company_create,
        update=services.company_update,
        delete=services.company_delete,
        versioned=True,
    )
    service_fields = (*services.COMPANY_FIELDS, "tags", "custom")
    list_display = (
        "name",
        "name_kana",
        "corporate_number",
        "prefecture",
        "phone",
        "size",
        "owner",
        "updated_at",
    )
    list_filter = ("size", "prefecture", "team")
    list_select_related = ("owner",)
    search_fields = ("name", "name_kana", "corporate_number")
    ordering = ("-id",)  # the primary key index: kana order would sort the whole table per page
    autocomplete_fields = ("owner", "tags")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "name_kana",
                    "corporate_number",
                    "industry",
                    "size",
                    "website",
                    ("phone", "phone_raw"),
                    "tags",
                )
            },
        ),
        ADDRESS_FIELDSET,
        CUSTOM_FIELDSET,
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The search index of the company lists: "山田商事" finds 株式会社山田商事, ヤマダ finds やまだ.
        term = search_term.strip()
        if not term:
            return queryset, False
        other = queryset.filter(record_id_q(term) | phone_q(term, "phone"))
        return search_filter(queryset, term) | other, False


@admin.register(Contact)
class ContactAdmin(OwnedRecordAdmin):
    service = record_service(
        id_arg="contact_id",
        create=services.contact_create,
        update=services.contact_update,
        delete=services.contact_delete,
        versioned=True,
    )
    service_fields = (*services.CONTACT_FIELDS, "tags", "custom")
    list_display = (
        "name",
        "kana",
        "company",
        "email",
        "phone",
        "prefecture",
        "lifecycle_status",
        "owner",
        "updated_at",
    )
    list_filter = ("lifecycle_status", "consent_state", "team")
    list_select_related = ("company", "owner")
    search_fields = ("search_text",)
    ordering = ("-id",)  # the primary key index: kana order would sort up to 1,000,000 rows per page
    autocomplete_fields = ("company", "owner", "tags")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("family_name", "given_name"),
                    ("family_name_kana", "given_name_kana"),
                    "company",
                    "department",
                    "title",
                )
            },
        ),
        (
            _("Contact details"),
            {"fields": ("email", ("phone", "phone_raw"), ("mobile", "mobile_raw"), "birth_date")},
        ),
        ADDRESS_FIELDSET,
        (
            _("Marketing"),
            {
                "fields": (
                    "lifecycle_status",
                    "source",
                    ("consent_state", "consent_source", "consent_at"),
                    "tags",
                )
            },
        ),
        CUSTOM_FIELDSET,
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )

    @admin.display(description=_("name"), ordering="family_name")
    def name(self, obj: Contact) -> str:
        return str(obj)

    @admin.display(description=_("kana"), ordering="family_name_kana")
    def kana(self, obj: Contact) -> str:
        return f"{obj.family_name_kana} {obj.given_name_kana}".strip()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The search index of the contact lists: "ヤマダ", "やまだ" and "ﾔﾏﾀﾞ" find the same people.
        term = search_term.strip()
        if not term:
            return queryset, False
        other = queryset.filter(record_id_q(term) | phone_q(term, "phone", "mobile"))
        return search_filter(queryset, term) | other, False


@admin.register(Tag)
class TagAdmin(ModelAdminBase):
    list_display = ("name", "color")
    search_fields = ("name",)


def _define_custom_field(actor: Any, data: dict[str, Any]) -> CustomFieldDefinition:
    # The service takes keyword arguments; missing required ones arrive blank and are refused by it.
    required = {"object_type": "", "key": "", "label_ja": "", "field_type": ""}
    return custom_field_define(actor=actor, via="ui", **{**required, **data})


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(ServiceModelAdmin):
    """Definitions are created through the service (key and choices are checked) and then kept as they
    are: there is no update service yet, and a changed key or type would strand stored values.
    """

    service = ServiceCalls(create=_define_custom_field)
    service_fields = (
        "object_type",
        "key",
        "label_ja",
        "label_en",
        "field_type",
        "required",
        "unique",
        "choices",
        "position",
    )
    list_display = (
        "object_type",
        "key",
        "label_ja",
        "label_en",
        "field_type",
        "required",
        "unique",
        "active",
    )
    list_filter = ("object_type", "field_type", "active")
    search_fields = ("key", "label_ja", "label_en")
    fields = (*service_fields, "active", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return super().has_add_permission(request) and user.policy.administer
