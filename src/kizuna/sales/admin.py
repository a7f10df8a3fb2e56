"""Back office for pipelines, deals, products and orders; record writes go through sales.services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.admin import OWNER_FIELDSET, RECORD_FIELDSET, OwnedRecordAdmin
from kizuna.core.admin_support import (
    ModelAdminBase,
    ReadOnlyTabularInline,
    ServiceModelAdmin,
    TabularInlineBase,
    record_service,
)

from . import services
from .models import Deal, DealStageChange, Order, OrderLine, Pipeline, Product, Stage

if TYPE_CHECKING:
    from kizuna.core.admin_support import Fieldset

CUSTOM_FIELDSET: Fieldset = (_("Custom fields"), {"fields": ("custom",), "classes": ("collapse",)})


def yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"


class StageInline(TabularInlineBase):
    model = Stage
    extra = 0
    fields = ("position", "name", "probability", "is_won", "is_lost", "forecast_category")


@admin.register(Pipeline)
class PipelineAdmin(ModelAdminBase):
    # Configuration edited by administrators; pipeline_create is for setup scripts and has no update
    # counterpart, so the admin edits the rows (open point: a pipeline/stage update service).
    list_display = ("name", "is_default", "position")
    ordering = ("position", "id")
    search_fields = ("name",)
    inlines = (StageInline,)


class StageFilter(admin.SimpleListFilter):
    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        return [(s.pk, str(s)) for s in Stage.objects.select_related("pipeline")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(stage_id=value) if value and str(value).isdigit() else queryset


class DealStageChangeInline(ReadOnlyTabularInline):
    model = DealStageChange
    fields = ("changed_at", "from_stage", "to_stage", "changed_by")
    verbose_name_plural = _("stage history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .select_related("from_stage__pipeline", "to_stage__pipeline", "changed_by")
        )


@admin.register(Deal)
class DealAdmin(OwnedRecordAdmin):
    service = record_service(
        id_arg="deal_id",
        create=services.deal_create,
        update=services.deal_update,
        delete=services.deal_delete,
        versioned=True,
    )
    service_fields = (*services.DEAL_FIELDS, "custom")
    list_display = (
        "title",
        "company",
        "contact",
        "pipeline",
        "stage_name",
        "amount_yen",
        "expected_close_date",
        "owner",
        "updated_at",
    )
    list_filter = ("pipeline", StageFilter, "team")
    list_select_related = ("company", "contact", "pipeline", "stage", "owner")
    search_fields = ("title",)
    autocomplete_fields = ("company", "contact", "owner")
    inlines = (DealStageChangeInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "company",
                    "contact",
                    "pipeline",
                    "stage",
                    "amount",
                    "expected_close_date",
                    "closed_at",
                    "lost_reason",
                )
            },
        ),
        CUSTOM_FIELDSET,
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )

    @admin.display(description=_("stage"), ordering="stage__position")
    def stage_name(self, obj: Deal) -> str:
        return obj.stage.name

    @admin.display(description=_("amount (JPY)"), ordering="amount")
    def amount_yen(self, obj: Deal) -> str:
        return yen(obj.amount)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "stage":
            # A stage's name includes its pipeline's: one query for the whole select.
            kwargs["queryset"] = Stage.objects.select_related("pipeline")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Product)
class ProductAdmin(ServiceModelAdmin):
    # No delete service: products stay for the order lines that name them; clear "active" instead.
    service = record_service(
        id_arg="product_id", create=services.product_create, update=services.product_update
    )
    service_fields = tuple(services.PRODUCT_FIELDS)
    list_display = ("code", "name", "unit_price_yen", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("code", "name")
    fields = ("code", "name", "unit_price", "active", "external_id", "created_at", "updated_at")

    @admin.display(description=_("unit price (JPY)"), ordering="unit_price")
    def unit_price_yen(self, obj: Product) -> str:
        return yen(obj.unit_price)

    # product_create/update are for administrators; hide what would be refused anyway.
    def has_add_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return super().has_add_permission(request) and user.policy.administer

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        return super().has_change_permission(request, obj) and user.policy.administer


class OrderLineInline(ReadOnlyTabularInline):
    model = OrderLine
    fields = ("product", "quantity", "unit_price", "amount")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("product")


@admin.register(Order)
class OrderAdmin(OwnedRecordAdmin):
    # An order is created with its lines by order_create (UI, API, imports); the back office corrects
    # its header and deletes it, both through the services.
    service = record_service(id_arg="order_id", update=services.order_update, delete=services.order_delete)
    service_fields = (*services.ORDER_FIELDS, "custom")
    list_display = ("number", "order_date", "company", "contact", "status", "total_yen", "owner")
    list_filter = ("status", "team")
    list_select_related = ("company", "contact", "owner")
    search_fields = ("number",)
    autocomplete_fields = ("company", "contact", "owner")
    inlines = (OrderLineInline,)
    fieldsets = (
        (None, {"fields": ("number", "company", "contact", "order_date", "status", "total")}),
        CUSTOM_FIELDSET,
        OWNER_FIELDSET,
        RECORD_FIELDSET,
    )

    @admin.display(description=_("total (JPY)"), ordering="total")
    def total_yen(self, obj: Order) -> str:
        return yen(obj.total)
