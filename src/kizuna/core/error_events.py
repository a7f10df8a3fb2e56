"""Recording occurrences of coded errors for the error center."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from .errors import KizunaError
from .models import ErrorEvent


def error_record(
    error: KizunaError,
    *,
    actor: Any = None,
    via: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: int | None = None,
) -> ErrorEvent:
    """Persist one occurrence of ``error``; runs in its own savepoint so a rolled-back use case keeps it."""
    data = error.as_dict("en")
    with transaction.atomic():
        return ErrorEvent.objects.create(
            code=error.code,
            actor=actor if getattr(actor, "pk", None) else None,
            via=via,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id if object_id is not None else (obj.pk if obj is not None else None),
            context={"context": data["context"], "field": data["field"]},
        )
