"""Pipelines, stages, deals with their stage history, products and orders (purchase history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import ExternalIdModel, OwnedModel
from kizuna.core.models import SearchableModel
from kizuna.customers.models import Company, Contact


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="pipeline_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ForecastCategory(models.TextChoices):
    """Where a stage's deals count in the forecast (the usual CRM roll-up: closed ⊂ commit ⊂ best case)."""

    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed won")
    OMITTED = "omitted", _("Omitted")


def forecast_category_for(*, probability: int, is_won: bool, is_lost: bool) -> str:
    """The default category of a stage: won → closed, lost → omitted, ≥70 % commit, ≥40 % best case."""
    if is_won:
        return ForecastCategory.CLOSED
    if is_lost:
        return ForecastCategory.OMITTED
    if probability >= 70:
        return ForecastCategory.COMMIT
    if probability >= 40:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE


class Stage(models.Model):
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=16,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
        help_text=_("How the stage's deals count in the sales forecast."),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
            models.UniqueConstraint(fields=["pipeline", "position"], name="stage_position_unique"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_range"),
            models.CheckConstraint(
                condition=~models.Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.name} / {self.name}"


class Deal(OwnedModel, SearchableModel):
    title = models.CharField(_("title"), max_length=200)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals")
    amount = models.BigIntegerField(_("amount (JPY)"), default=0)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_not_negative")
        ]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="deal_contact_created_idx"),
            # Board totals per stage read this index alone (visibility columns and amount included).
            models.Index(
                fields=["pipeline", "stage", "team", "owner", "amount"], name="deal_board_stats_idx"
            ),
            # The pipeline board: the first cards of a column by close date, or by closing time.
            models.Index(fields=["stage", "expected_close_date", "id"], name="deal_stage_close_id_idx"),
            models.Index(fields=["stage", "closed_at", "id"], name="deal_stage_closed_id_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def search_parts(self) -> list[str]:
        return [self.title, self.company.name if self.company_id and self.company else ""]

    @property
    def is_open(self) -> bool:
        return not (self.stage.is_won or self.stage.is_lost)

    @property
    def is_overdue(self) -> bool:
        """Still open while its expected close date (in the user's calendar) has passed."""
        return (
            self.expected_close_date is not None
            and self.expected_close_date < timezone.localdate()
            and self.is_open
        )


class DealStageChange(models.Model):
    """One move of a deal between stages, with when and by whom (the stage history)."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, verbose_name=_("from stage"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage history")
        ordering = ["deal", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"


class Product(ExternalIdModel):
    code = models.CharField(_("product code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit_price = models.BigIntegerField(_("unit price (JPY)"), default=0)
    active = models.BooleanField(_("active"), default=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="product_price_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(OwnedModel):
    number = models.CharField(_("order number"), max_length=50, unique=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    order_date = models.DateField(_("order date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    total = models.BigIntegerField(_("total (JPY)"), default=0)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-id"]
        indexes = [models.Index(fields=["contact", "-order_date"], name="order_contact_date_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(company__isnull=False) | models.Q(contact__isnull=False),
                name="order_has_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.BigIntegerField(_("unit price (JPY)"))
    amount = models.BigIntegerField(_("amount (JPY)"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("quantity") * models.F("unit_price")),
                name="orderline_amount_is_quantity_times_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
