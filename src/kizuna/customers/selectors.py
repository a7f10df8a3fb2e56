"""Every read of companies and contacts, with visibility applied once."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kizuna.accounts.visibility import visible
from kizuna.core.errors import KizunaError
from kizuna.core.normalize import fold_for_search, normalize_company_name

from .models import Company, Contact


def company_list(*, user: Any, search: str = "", filters: dict[str, Any] | None = None) -> QuerySet[Company]:
    qs = visible(Company.objects.all(), user).select_related("owner").prefetch_related("tags")
    if search:
        qs = qs.filter(name__icontains=search) | qs.filter(
            name_normalized__contains=normalize_company_name(search)
        )
    return qs.filter(**_custom_filters(filters))


def company_get(*, user: Any, pk: Any) -> Company:
    company: Company = _get_visible(company_list(user=user), pk, "company", user)
    return company


def contact_list(*, user: Any, search: str = "", filters: dict[str, Any] | None = None) -> QuerySet[Contact]:
    qs = visible(Contact.objects.all(), user).select_related("company", "owner").prefetch_related("tags")
    if search:
        qs = qs.filter(search_text__contains=fold_for_search(search))
    return qs.filter(**_custom_filters(filters))


def contact_get(*, user: Any, pk: Any) -> Contact:
    contact: Contact = _get_visible(contact_list(user=user), pk, "contact", user)
    return contact


def _custom_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """``{"custom.rank": "A", "prefecture": "東京都"}`` -> ORM lookups (custom fields are JSON keys)."""
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        out[("custom__" + key[7:]) if key.startswith("custom.") else key] = value
    return out


def _get_visible(qs: QuerySet[Any], pk: Any, label: str, user: Any) -> Any:
    obj = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise KizunaError(
            "KZ-AUTH-001",
            context={
                "object_type": label,
                "object_id": pk,
                "role": getattr(user, "effective_role", "anonymous"),
            },
        )
    return obj
