"""Every write to pipelines, deals, products and orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.visibility import ensure_admin
from kizuna.core import fields as f
from kizuna.core import writes
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.customers import records
from kizuna.customers.models import Company, Contact

from .models import (
    Deal,
    DealStageChange,
    ForecastCategory,
    Order,
    OrderLine,
    OrderStatus,
    Pipeline,
    Product,
    Stage,
    forecast_category_for,
)

DEAL_FIELDS: dict[str, f.FieldSpec] = {
    "title": f.Text(required=True, max_length=200),
    "company": f.Passthrough(),
    "contact": f.Passthrough(),
    "pipeline": f.Passthrough(),
    "stage": f.Passthrough(),
    "amount": f.Integer(min_value=0, max_value=10**15, blank_value=0),
    "expected_close_date": f.Date(),
    "lost_reason": f.Text(max_length=200),
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}


@transaction.atomic
def pipeline_create(
    *, actor: Any, name: str, stages: Sequence[Mapping[str, Any]], is_default: bool = False, via: str = "ui"
) -> Pipeline:
    """Create a pipeline with its ordered stages (``[{"name": "提案", "probability": 40}, …]``)."""
    ensure_admin(actor, action=_("configure pipelines"))
    clean = f.clean_input(
        {"name": f.Text(required=True, max_length=100)}, {"name": name}, object_type="pipeline"
    )
    if not stages:
        raise KizunaValidationError([KizunaError("KZ-VAL-001", field="stages")])
    if is_default:
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    position = (Pipeline.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    pipeline = writes.record_create(
        Pipeline(name=clean["name"], is_default=is_default, position=position),
        actor=actor,
        via=via,
        event_type="pipeline.created",
    )
    stage_specs = {
        "name": f.Text(required=True, max_length=100),
        "probability": f.Integer(min_value=0, max_value=100),
        "is_won": f.Boolean(),
        "is_lost": f.Boolean(),
        "forecast_category": f.Choice(choices=ForecastCategory.choices),
    }
    for index, stage in enumerate(stages, start=1):
        values = f.clean_input(stage_specs, stage, object_type="stage")
        if values.get("is_won") and values.get("is_lost"):
            raise KizunaError(
                "KZ-VAL-012", context={"reason": f"stage “{values['name']}” cannot be both won and lost"}
            )
        values = {k: v for k, v in values.items() if v is not None}
        if not values.get("forecast_category"):
            values["forecast_category"] = forecast_category_for(
                probability=values.get("probability") or 0,
                is_won=bool(values.get("is_won")),
                is_lost=bool(values.get("is_lost")),
            )
        writes.record_create(
            Stage(pipeline=pipeline, position=index, **values),
            actor=actor,
            via=via,
            event_type="stage.created",
        )
    return pipeline


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.order_by("position").first()


def _deal_resolver(actor: Any, deal: Deal | None) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "company" in clean:
            out["company"] = records.resolve_related(Company, clean["company"], actor=actor, field="company")
        if "contact" in clean:
            out["contact"] = records.resolve_related(Contact, clean["contact"], actor=actor, field="contact")
        pipeline: Any = deal.pipeline if deal is not None else None
        if clean.get("pipeline") not in (None, ""):
            pipeline = records.resolve_related(Pipeline, clean["pipeline"], actor=actor, field="pipeline")
            out["pipeline"] = pipeline
        elif deal is None:
            pipeline = default_pipeline()
            if pipeline is None:
                raise KizunaValidationError([KizunaError("KZ-VAL-001", field="pipeline")])
            out["pipeline"] = pipeline
        if clean.get("stage") not in (None, ""):
            out["stage"] = _stage_in(pipeline, clean["stage"])
        elif deal is None:
            out["stage"] = pipeline.stages.order_by("position").first()
        elif "pipeline" in out and out["pipeline"] != deal.pipeline:
            out["stage"] = out["pipeline"].stages.order_by("position").first()
        return out

    return resolve


def _stage_in(pipeline: Any, value: Any) -> Stage:
    stage = records.resolve_related(Stage, value, actor=None, field="stage", check_visibility=False)
    assert isinstance(stage, Stage)
    if stage.pipeline_id != pipeline.pk:
        allowed = ", ".join(f"{s.pk}:{s.name}" for s in pipeline.stages.all())
        raise KizunaError(
            "KZ-VAL-003", context={"value": f"{stage.pk}:{stage.name}", "allowed": allowed}, field="stage"
        )
    return stage


def _record_stage_change(deal: Deal, from_stage: Stage | None, actor: Any, via: str) -> None:
    now = timezone.now()
    DealStageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        changed_at=now,
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    from kizuna.core import events

    events.emit(
        "deal.stage_changed",
        obj=deal,
        actor=actor,
        via=via,
        payload={
            "from": {"id": from_stage.pk, "name": from_stage.name} if from_stage else None,
            "to": {"id": deal.stage.pk, "name": deal.stage.name},
            "amount": deal.amount,
        },
    )


def _closing_fields(deal: Deal, stage: Stage, clean: dict[str, Any]) -> None:
    if stage.is_won or stage.is_lost:
        clean.setdefault("closed_at", deal.closed_at or timezone.now())
    else:
        clean["closed_at"] = None


@transaction.atomic
def deal_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Deal:
    """Create a deal (amount in yen); it starts in the first stage of its pipeline unless one is given."""
    deal = records.create_owned(
        Deal,
        specs=DEAL_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="deal.created",
        resolve=_deal_resolver(actor, None),
        custom_type="sales.deal",
        prepare=lambda d: setattr(
            d, "closed_at", timezone.now() if d.stage.is_won or d.stage.is_lost else None
        ),
    )
    _record_stage_change(deal, None, actor, via)
    return deal


@transaction.atomic
def deal_update(
    *, actor: Any, deal_id: int, data: Mapping[str, Any], via: str = "ui", expected_version: int | None = None
) -> Deal:
    deal = records.lock_visible(Deal, pk=deal_id, actor=actor)
    from_stage = deal.stage

    def prepare(obj: Deal, clean: dict[str, Any]) -> None:
        if "stage" in clean:
            _closing_fields(obj, clean["stage"], clean)
            if clean["stage"].is_lost is False:
                clean.setdefault("lost_reason", "")

    changes = records.update_owned(
        deal,
        specs=DEAL_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="deal.updated",
        resolve=_deal_resolver(actor, deal),
        custom_type="sales.deal",
        expected_version=expected_version,
        prepare=prepare,
    )
    if "stage" in changes:
        _record_stage_change(deal, from_stage, actor, via)
    return deal


@transaction.atomic
def deal_move_stage(
    *,
    actor: Any,
    deal_id: int,
    stage_id: int,
    lost_reason: str = "",
    via: str = "ui",
    expected_version: int | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline; a lost stage needs a reason."""
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is not None and stage.is_lost and not lost_reason.strip():
        raise KizunaValidationError([KizunaError("KZ-VAL-001", field="lost_reason")])
    data: dict[str, Any] = {"stage": stage_id}
    if lost_reason:
        data["lost_reason"] = lost_reason
    return deal_update(actor=actor, deal_id=deal_id, data=data, via=via, expected_version=expected_version)


@transaction.atomic
def deal_delete(*, actor: Any, deal_id: int, via: str = "ui") -> None:
    deal = records.lock_visible(Deal, pk=deal_id, actor=actor)
    records.delete_owned(deal, actor=actor, via=via, event_type="deal.deleted", custom_type="sales.deal")


PRODUCT_FIELDS: dict[str, f.FieldSpec] = {
    "code": f.Text(required=True, max_length=50),
    "name": f.Text(required=True, max_length=200),
    "unit_price": f.Integer(required=True, min_value=0, max_value=10**12),
    "active": f.Boolean(),
    "external_id": f.ExternalId(max_length=100),
}


@transaction.atomic
def product_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Product:
    ensure_admin(actor, action=_("manage products"))
    clean = {
        k: v for k, v in f.clean_input(PRODUCT_FIELDS, data, object_type="product").items() if v is not None
    }
    return writes.record_create(Product(**clean), actor=actor, via=via, event_type="product.created")


@transaction.atomic
def product_update(*, actor: Any, product_id: int, data: Mapping[str, Any], via: str = "ui") -> Product:
    ensure_admin(actor, action=_("manage products"))
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise KizunaError(
            "KZ-VAL-011", context={"object_type": "product", "value": product_id}, field="product"
        )
    clean = {
        k: v
        for k, v in f.clean_input(PRODUCT_FIELDS, data, partial=True, object_type="product").items()
        if v is not None
    }
    writes.record_update(product, values=clean, actor=actor, via=via, event_type="product.updated")
    return product


ORDER_FIELDS: dict[str, f.FieldSpec] = {
    "number": f.Text(required=True, max_length=50),
    "company": f.Passthrough(),
    "contact": f.Passthrough(),
    "order_date": f.Date(required=True),
    "status": f.Choice(choices=OrderStatus.choices, blank_value=OrderStatus.CONFIRMED),
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}
LINE_FIELDS: dict[str, f.FieldSpec] = {
    "product": f.Passthrough(required=True),
    "quantity": f.Integer(required=True, min_value=1, max_value=10**9),
    "unit_price": f.Integer(min_value=0, max_value=10**12),
}


def _order_resolver(actor: Any) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, model in (("company", Company), ("contact", Contact)):
            if name in clean:
                out[name] = records.resolve_related(model, clean[name], actor=actor, field=name)
        return out

    return resolve


def _clean_lines(lines: Sequence[Mapping[str, Any]]) -> list[OrderLine]:
    if not lines:
        raise KizunaValidationError([KizunaError("KZ-VAL-001", field="lines")])
    out: list[OrderLine] = []
    errors: list[KizunaError] = []
    for index, line in enumerate(lines, start=1):
        try:
            clean = f.clean_input(LINE_FIELDS, line, object_type="order line")
            product = (
                Product.objects.filter(pk=clean["product"]).first()
                if str(clean["product"]).isdigit()
                else None
            )
            if product is None:
                product = Product.objects.filter(code=str(clean["product"])).first()
            if product is None:
                raise KizunaError(
                    "KZ-VAL-011",
                    context={"object_type": "product", "value": clean["product"]},
                    field=f"lines[{index}].product",
                )
            price = product.unit_price if clean.get("unit_price") is None else clean["unit_price"]
            out.append(
                OrderLine(
                    product=product,
                    quantity=clean["quantity"],
                    unit_price=price,
                    amount=clean["quantity"] * price,
                )
            )
        except KizunaValidationError as exc:
            for e in exc.errors:
                e.field = f"lines[{index}].{e.field}"
                e.context["field"] = e.field
            errors.extend(exc.errors)
        except KizunaError as exc:
            errors.append(exc)
    if errors:
        raise KizunaValidationError(errors)
    return out


@transaction.atomic
def order_create(
    *, actor: Any, data: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], via: str = "ui"
) -> Order:
    """Record a purchase with its lines; the total is the sum of the lines (quantity × unit price)."""
    order_lines = _clean_lines(lines)

    def prepare(order: Order) -> None:
        if order.company_id is None and order.contact_id is None:
            raise KizunaValidationError([KizunaError("KZ-VAL-001", field="company")])
        order.total = sum(line.amount for line in order_lines)

    order = records.create_owned(
        Order,
        specs=ORDER_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="order.created",
        resolve=_order_resolver(actor),
        custom_type="sales.order",
        prepare=prepare,
    )
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    return order


@transaction.atomic
def order_update(*, actor: Any, order_id: int, data: Mapping[str, Any], via: str = "ui") -> Order:
    order = records.lock_visible(Order, pk=order_id, actor=actor)
    records.update_owned(
        order,
        specs=ORDER_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="order.updated",
        resolve=_order_resolver(actor),
        custom_type="sales.order",
    )
    return order


@transaction.atomic
def order_delete(*, actor: Any, order_id: int, via: str = "ui") -> None:
    order = records.lock_visible(Order, pk=order_id, actor=actor)
    records.delete_owned(order, actor=actor, via=via, event_type="order.deleted", custom_type="sales.order")


# --- Pipelines and stages (Settings screens, administrators) -----------------------------------------

STAGE_FIELDS: dict[str, f.FieldSpec] = {
    "name": f.Text(required=True, max_length=100),
    "probability": f.Integer(min_value=0, max_value=100, blank_value=0),
    "is_won": f.Boolean(),
    "is_lost": f.Boolean(),
    # Blank: derived from probability and the won/lost flags (forecast_category_for).
    "forecast_category": f.Choice(choices=ForecastCategory.choices),
}


def _pipeline_locked(pipeline_id: Any) -> Pipeline:
    pipeline = (
        Pipeline.objects.select_for_update().filter(pk=pipeline_id).first()
        if str(pipeline_id).isdigit()
        else None
    )
    if pipeline is None:
        raise KizunaError(
            "KZ-VAL-011", context={"object_type": _("pipeline"), "value": pipeline_id}, field="pipeline"
        )
    return pipeline


def _stage_locked(stage_id: Any) -> Stage:
    stage = Stage.objects.select_for_update().filter(pk=stage_id).first() if str(stage_id).isdigit() else None
    if stage is None:
        raise KizunaError("KZ-VAL-011", context={"object_type": _("stage"), "value": stage_id}, field="stage")
    return stage


def _stage_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = f.clean_input(STAGE_FIELDS, data, object_type="stage", model=Stage)
    values["is_won"], values["is_lost"] = bool(values.get("is_won")), bool(values.get("is_lost"))
    if values["is_won"] and values["is_lost"]:
        raise KizunaValidationError(
            [
                KizunaError(
                    "KZ-VAL-012",
                    context={"reason": f"stage “{values['name']}” cannot be both won and lost"},
                    field="is_lost",
                )
            ]
        )
    if not values.get("forecast_category"):
        values["forecast_category"] = forecast_category_for(
            probability=values.get("probability") or 0, is_won=values["is_won"], is_lost=values["is_lost"]
        )
    return values


@transaction.atomic
def pipeline_update(
    *, actor: Any, pipeline_id: int, name: str, is_default: bool, via: str = "ui"
) -> Pipeline:
    """Rename a pipeline or make it the default (the previous default stops being one)."""
    ensure_admin(actor, action=_("configure pipelines"))
    pipeline = _pipeline_locked(pipeline_id)
    clean = f.clean_input(
        {"name": f.Text(required=True, max_length=100)},
        {"name": name},
        object_type="pipeline",
        model=Pipeline,
    )
    if is_default and not pipeline.is_default:
        for other in Pipeline.objects.select_for_update().filter(is_default=True):
            writes.record_update(
                other, values={"is_default": False}, actor=actor, via=via, event_type="pipeline.updated"
            )
    values = {"name": clean["name"], "is_default": bool(is_default) or pipeline.is_default}
    writes.record_update(pipeline, values=values, actor=actor, via=via, event_type="pipeline.updated")
    return pipeline


@transaction.atomic
def stage_add(*, actor: Any, pipeline_id: int, data: Mapping[str, Any], via: str = "ui") -> Stage:
    """Add a stage at the end of a pipeline (``{"name": …, "probability": …, "is_won": …, "is_lost": …}``)."""
    ensure_admin(actor, action=_("configure pipelines"))
    pipeline = _pipeline_locked(pipeline_id)
    values = _stage_values(data)
    position = (pipeline.stages.aggregate(m=Max("position"))["m"] or 0) + 1
    return writes.record_create(
        Stage(pipeline=pipeline, position=position, **values),
        actor=actor,
        via=via,
        event_type="stage.created",
    )


@transaction.atomic
def stage_update(*, actor: Any, stage_id: int, data: Mapping[str, Any], via: str = "ui") -> Stage:
    """Rename a stage, change its probability or its won/lost flag (deals in it keep their stage)."""
    ensure_admin(actor, action=_("configure pipelines"))
    stage = _stage_locked(stage_id)
    writes.record_update(stage, values=_stage_values(data), actor=actor, via=via, event_type="stage.updated")
    return stage


@transaction.atomic
def stage_reorder(*, actor: Any, pipeline_id: int, stage_ids: Sequence[Any], via: str = "ui") -> list[Stage]:
    """Put a pipeline's stages in the order of ``stage_ids`` (every stage of the pipeline, once)."""
    ensure_admin(actor, action=_("configure pipelines"))
    pipeline = _pipeline_locked(pipeline_id)
    stages = {
        s.pk: s for s in Stage.objects.select_for_update().filter(pipeline=pipeline).order_by("position")
    }
    wanted = [int(i) for i in stage_ids if str(i).isdigit()]
    if sorted(wanted) != sorted(stages) or len(wanted) != len(stage_ids):
        raise KizunaError(
            "KZ-VAL-012",
            context={"reason": f"the new order must list each stage of the pipeline once: {sorted(stages)}"},
            field="stages",
        )
    slots = sorted(s.position for s in stages.values())
    moving = [pk for pk, slot in zip(wanted, slots, strict=True) if stages[pk].position != slot]
    # Park the moving stages out of the way first: (pipeline, position) is unique at every step.
    from django.db.models import F

    offset = max(slots) + 1
    Stage.objects.filter(pk__in=moving).update(position=F("position") + offset)
    for pk, slot in zip(wanted, slots, strict=True):
        if pk in moving:
            writes.record_update(
                stages[pk], values={"position": slot}, actor=actor, via=via, event_type="stage.updated"
            )
    return [stages[pk] for pk in wanted]


@transaction.atomic
def stage_delete(*, actor: Any, stage_id: int, via: str = "ui") -> None:
    """Delete an unused stage; one that deals or the stage history still use is KZ-VAL-015."""
    ensure_admin(actor, action=_("configure pipelines"))
    stage = _stage_locked(stage_id)
    if not Stage.objects.filter(pipeline_id=stage.pipeline_id).exclude(pk=stage.pk).exists():
        raise KizunaError(
            "KZ-VAL-012", context={"reason": "a pipeline needs at least one stage"}, field="stage"
        )
    writes.record_delete(stage, actor=actor, via=via, event_type="stage.deleted")
