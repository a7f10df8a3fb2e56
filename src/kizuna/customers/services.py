"""Every write to companies and contacts: one function per use case, transactional, audited, with events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.core import fields as f
from kizuna.core import search, writes
from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.normalize import normalize_company_name
from kizuna.core.permissions import Role

from . import records
from .models import (
    Company,
    CompanySize,
    ConsentState,
    Contact,
    LifecycleStatus,
    SavedView,
    SavedViewObject,
)

ADDRESS_FIELDS: dict[str, f.FieldSpec] = {
    "postal_code": f.PostalCode(),
    "prefecture": f.Prefecture(),
    "city": f.Text(max_length=100),
    "address_line1": f.Text(max_length=200),
    "address_line2": f.Text(max_length=200),
}

COMPANY_FIELDS: dict[str, f.FieldSpec] = {
    "name": f.CompanyName(required=True, max_length=200),
    "name_kana": f.Kana(max_length=200),
    "corporate_number": f.CorporateNumber(),
    "industry": f.Text(max_length=100),
    "size": f.Choice(choices=CompanySize.choices),
    "website": f.Url(max_length=200),
    "phone": f.Phone(),
    **ADDRESS_FIELDS,
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}

CONTACT_FIELDS: dict[str, f.FieldSpec] = {
    "family_name": f.Text(required=True, max_length=50),
    "given_name": f.Text(max_length=50),
    "family_name_kana": f.Kana(max_length=50),
    "given_name_kana": f.Kana(max_length=50),
    "company": f.Passthrough(),
    "department": f.Text(max_length=100),
    "title": f.Text(max_length=100),
    "email": f.Email(),
    "phone": f.Phone(),
    "mobile": f.Phone(),
    **ADDRESS_FIELDS,
    "birth_date": f.Date(),
    "source": f.Text(max_length=100),
    "lifecycle_status": f.Choice(choices=LifecycleStatus.choices, blank_value=LifecycleStatus.LEAD),
    "consent_state": f.Choice(choices=ConsentState.choices, blank_value=ConsentState.UNKNOWN),
    "consent_source": f.Text(max_length=100),
    "external_id": f.ExternalId(max_length=100),
    "owner": f.Passthrough(),
}


def _company_prepare(company: Company, clean: dict[str, Any] | None = None) -> None:
    name = clean.get("name", company.name) if clean is not None else company.name
    if clean is not None:
        clean["name_normalized"] = normalize_company_name(name)
    else:
        company.name_normalized = normalize_company_name(name)


@transaction.atomic
def company_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Company:
    """Create a company; ``data`` uses field names (``{"name": "株式会社山田商事", "prefecture": "東京"}``)."""
    return records.create_owned(
        Company,
        specs=COMPANY_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="company.created",
        custom_type="customers.company",
        prepare=_company_prepare,
    )


@transaction.atomic
def company_update(
    *,
    actor: Any,
    company_id: int,
    data: Mapping[str, Any],
    via: str = "ui",
    expected_version: int | None = None,
) -> Company:
    company = records.lock_visible(Company, pk=company_id, actor=actor)
    records.update_owned(
        company,
        specs=COMPANY_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="company.updated",
        custom_type="customers.company",
        expected_version=expected_version,
        prepare=_company_prepare,
    )
    search.refresh_related_documents(company)  # contacts and deals carry its name in their documents
    return company


@transaction.atomic
def company_delete(*, actor: Any, company_id: int, via: str = "ui") -> None:
    company = records.lock_visible(Company, pk=company_id, actor=actor)
    people = list(Contact.objects.filter(company_id=company.pk).values_list("pk", flat=True))
    records.delete_owned(
        company, actor=actor, via=via, event_type="company.deleted", custom_type="customers.company"
    )
    search.refresh_documents(Contact.objects.filter(pk__in=people).select_related("company"))


def _contact_resolver(actor: Any) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        if "company" in clean:
            return {
                "company": records.resolve_related(Company, clean["company"], actor=actor, field="company")
            }
        return {}

    return resolve


def _contact_prepare_new(contact: Contact) -> None:
    if contact.consent_state != ConsentState.UNKNOWN and contact.consent_at is None:
        contact.consent_at = timezone.now()


def _contact_prepare_update(contact: Contact, clean: dict[str, Any]) -> None:
    if "consent_state" in clean and clean["consent_state"] != contact.consent_state:
        clean["consent_at"] = timezone.now()


@transaction.atomic
def contact_create(*, actor: Any, data: Mapping[str, Any], via: str = "ui") -> Contact:
    """Create a contact; phone numbers are stored as E.164 with the text as entered kept beside them."""
    return records.create_owned(
        Contact,
        specs=CONTACT_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="contact.created",
        resolve=_contact_resolver(actor),
        custom_type="customers.contact",
        prepare=_contact_prepare_new,
    )


@transaction.atomic
def contact_update(
    *,
    actor: Any,
    contact_id: int,
    data: Mapping[str, Any],
    via: str = "ui",
    expected_version: int | None = None,
) -> Contact:
    contact = records.lock_visible(Contact, pk=contact_id, actor=actor)
    records.update_owned(
        contact,
        specs=CONTACT_FIELDS,
        data=data,
        actor=actor,
        via=via,
        event_type="contact.updated",
        resolve=_contact_resolver(actor),
        custom_type="customers.contact",
        expected_version=expected_version,
        prepare=_contact_prepare_update,
    )
    return contact


@transaction.atomic
def contact_delete(*, actor: Any, contact_id: int, via: str = "ui") -> None:
    contact = records.lock_visible(Contact, pk=contact_id, actor=actor)
    records.delete_owned(
        contact, actor=actor, via=via, event_type="contact.deleted", custom_type="customers.contact"
    )


# --- Saved list views -------------------------------------------------------------------------------

SAVED_VIEW_FIELDS: dict[str, f.FieldSpec] = {
    "name": f.Text(required=True, max_length=100),
    "object_type": f.Choice(choices=SavedViewObject.choices),
}
_SAVED_VIEW_MAX_JSON = 10_000  # characters of query + columns: a view is a handful of filters


def _saved_view_state(query: Any, columns: Any) -> dict[str, Any]:
    """Check that ``query`` maps names to strings (or lists of them) and ``columns`` lists names."""
    ok_query = isinstance(query, dict) and all(
        isinstance(k, str)
        and (isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v)))
        for k, v in query.items()
    )
    ok_columns = isinstance(columns, list) and all(isinstance(c, str) for c in columns)
    if not ok_query or not ok_columns or len(json.dumps([query, columns])) > _SAVED_VIEW_MAX_JSON:
        raise KizunaValidationError(
            [
                KizunaError(
                    "KZ-VAL-004",
                    context={
                        "value": str(query)[:40],
                        "kind": "saved view",
                        "reason": "filters must map names to text, columns must list names",
                        "expected": '{"q": "やまだ"}, ["name", "email"]',
                    },
                    field="query",
                )
            ]
        )
    return {"query": query, "columns": columns}


def _saved_view_for_change(*, actor: Any, view_id: int, action: Any) -> SavedView:
    """The view locked for a change: its owner or an administrator only (others: KZ-AUTH-002)."""
    view = (
        SavedView.objects.select_for_update()
        .filter(pk=view_id)
        .filter(Q(owner_id=actor.pk) | Q(shared=True))
        .first()
        if str(view_id).isdigit()
        else None
    )
    if view is None:
        raise KizunaError(
            "KZ-AUTH-001",
            context={"object_type": _("saved view"), "object_id": view_id, "role": actor.effective_role},
        )
    if view.owner_id != actor.pk and not actor.policy.administer:
        raise KizunaError(
            "KZ-AUTH-002",
            context={
                "object_type": _("saved view"),
                "object_id": view_id,
                "role": Role(actor.effective_role).label,
                "action": action,
            },
        )
    return view


@transaction.atomic
def saved_view_create(
    *,
    actor: Any,
    object_type: str,
    name: str,
    query: dict[str, Any],
    columns: list[str],
    shared: bool = False,
    via: str = "ui",
) -> SavedView:
    """Save a list view for ``actor``; a name already used by the actor for that list is KZ-VAL-002."""
    if actor is None or not actor.is_authenticated:
        raise KizunaError("KZ-AUTH-003", context={"action": _("save views")})
    clean = f.clean_input(
        SAVED_VIEW_FIELDS,
        {"name": name, "object_type": object_type},
        object_type="saved view",
        model=SavedView,
    )
    view = SavedView(owner=actor, shared=bool(shared), **clean, **_saved_view_state(query, columns))
    try:
        return writes.record_create(view, actor=actor, via=via, event_type="saved_view.created")
    except KizunaError as exc:
        if exc.code == "KZ-VAL-002":
            f.label_errors([exc], SavedView)  # "名前" rather than "name" in the message
            raise KizunaValidationError([exc]) from None
        raise


@transaction.atomic
def saved_view_update(
    *,
    actor: Any,
    view_id: int,
    name: str | None = None,
    query: dict[str, Any] | None = None,
    columns: list[str] | None = None,
    shared: bool | None = None,
    via: str = "ui",
) -> SavedView:
    """Change a saved view (its owner or an administrator); ``None`` leaves a part as it is."""
    view = _saved_view_for_change(actor=actor, view_id=view_id, action=_("change"))
    values: dict[str, Any] = {}
    if name is not None:
        values.update(f.clean_input({"name": SAVED_VIEW_FIELDS["name"]}, {"name": name}, model=SavedView))
    if query is not None or columns is not None:
        values.update(_saved_view_state(query if query is not None else view.query, columns or view.columns))
    if shared is not None:
        values["shared"] = bool(shared)
    try:
        writes.record_update(view, values=values, actor=actor, via=via, event_type="saved_view.updated")
    except KizunaError as exc:
        if exc.code == "KZ-VAL-002":
            f.label_errors([exc], SavedView)  # "名前" rather than "name" in the message
            raise KizunaValidationError([exc]) from None
        raise
    return view


@transaction.atomic
def saved_view_delete(*, actor: Any, view_id: int, via: str = "ui") -> None:
    view = _saved_view_for_change(actor=actor, view_id=view_id, action=_("delete"))
    writes.record_delete(view, actor=actor, via=via, event_type="saved_view.deleted")


# --- Bulk actions on list rows ------------------------------------------------------------------------
# Each record is changed by its own service call (own transaction, permission check, audit, event).
# A record that cannot be changed is reported with its coded error; the others still go through.


@dataclass(frozen=True)
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: list[tuple[int, KizunaError]] = field(default_factory=list)


def _bulk(ids: Iterable[int], action: Callable[[int], object]) -> BulkResult:
    result = BulkResult()
    for pk in dict.fromkeys(ids):
        try:
            action(pk)
        except KizunaValidationError as exc:
            result.failed.extend((pk, e) for e in exc.errors)
        except KizunaError as exc:
            result.failed.append((pk, exc))
        else:
            result.done.append(pk)
    return result


def _bulk_required(value: Any, field_name: str) -> None:
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise KizunaValidationError([KizunaError("KZ-VAL-001", field=field_name)])


def _tag_names_locked(model: type[Contact] | type[Company], *, pk: int, actor: Any) -> list[str]:
    """The record's tag names, with the record locked so a concurrent tag change cannot be lost."""
    obj = records.lock_visible(model, pk=pk, actor=actor)
    return [t.name for t in obj.tags.all()]


def contact_bulk_assign_owner(
    *, actor: Any, contact_ids: Iterable[int], owner_id: Any, via: str = "ui"
) -> BulkResult:
    """Give each contact to ``owner_id`` through :func:`contact_update` (per-record permissions)."""
    _bulk_required(owner_id, "owner")
    return _bulk(
        contact_ids, lambda pk: contact_update(actor=actor, contact_id=pk, data={"owner": owner_id}, via=via)
    )


def contact_bulk_add_tag(*, actor: Any, contact_ids: Iterable[int], tag: str, via: str = "ui") -> BulkResult:
    """Add the tag ``tag`` to each contact, keeping its other tags."""
    _bulk_required(tag, "tag")

    @transaction.atomic
    def add(pk: int) -> None:
        names = _tag_names_locked(Contact, pk=pk, actor=actor)
        contact_update(actor=actor, contact_id=pk, data={"tags": [*names, tag]}, via=via)

    return _bulk(contact_ids, add)


def contact_bulk_delete(*, actor: Any, contact_ids: Iterable[int], via: str = "ui") -> BulkResult:
    """Delete each contact through :func:`contact_delete`."""
    return _bulk(contact_ids, lambda pk: contact_delete(actor=actor, contact_id=pk, via=via))


def company_bulk_assign_owner(
    *, actor: Any, company_ids: Iterable[int], owner_id: Any, via: str = "ui"
) -> BulkResult:
    """Give each company to ``owner_id`` through :func:`company_update` (per-record permissions)."""
    _bulk_required(owner_id, "owner")
    return _bulk(
        company_ids, lambda pk: company_update(actor=actor, company_id=pk, data={"owner": owner_id}, via=via)
    )


def company_bulk_add_tag(*, actor: Any, company_ids: Iterable[int], tag: str, via: str = "ui") -> BulkResult:
    """Add the tag ``tag`` to each company, keeping its other tags."""
    _bulk_required(tag, "tag")

    @transaction.atomic
    def add(pk: int) -> None:
        names = _tag_names_locked(Company, pk=pk, actor=actor)
        company_update(actor=actor, company_id=pk, data={"tags": [*names, tag]}, via=via)

    return _bulk(company_ids, add)


def company_bulk_delete(*, actor: Any, company_ids: Iterable[int], via: str = "ui") -> BulkResult:
    """Delete each company through :func:`company_delete`."""
    return _bulk(company_ids, lambda pk: company_delete(actor=actor, company_id=pk, via=via))


# --- Tags (Settings screens, administrators) ---------------------------------------------------------


def _tag_values(name: Any, color: Any) -> dict[str, Any]:
    """Clean a tag's name and colour (``#RRGGBB``); every problem at once."""
    import re

    from kizuna.core import fields as f
    from kizuna.core.errors import KizunaError, KizunaValidationError

    from .models import Tag

    errors: list[KizunaError] = []
    values: dict[str, Any] = {}
    try:
        values = f.clean_input({"name": f.Text(required=True, max_length=50)}, {"name": name}, model=Tag)
    except KizunaValidationError as exc:
        errors.extend(exc.errors)
    color_text = str(color or "").strip().lower()
    if not re.fullmatch(r"#[0-9a-f]{6}", color_text):
        errors.append(
            KizunaError(
                "KZ-VAL-004",
                context={
                    "value": color,
                    "kind": "colour",
                    "reason": "not a #RRGGBB colour",
                    "expected": "#1d4ed8",
                },
                field="color",
            )
        )
    if errors:
        raise KizunaValidationError(errors)
    return {**values, "color": color_text}


def _tag_locked(tag_id: Any) -> Any:
    from kizuna.core.errors import KizunaError

    from .models import Tag

    tag = Tag.objects.select_for_update().filter(pk=tag_id).first() if str(tag_id).isdigit() else None
    if tag is None:
        raise KizunaError("KZ-VAL-011", context={"object_type": "tag", "value": tag_id}, field="tag")
    return tag


@transaction.atomic
def tag_create(*, actor: Any, name: str, color: str = "#6b7280", via: str = "ui") -> Any:
    """Create a tag (administrators only); a name in use is KZ-VAL-002 on ``name``."""
    from kizuna.accounts.visibility import ensure_admin
    from kizuna.core import writes

    from .models import Tag

    ensure_admin(actor, action=_("manage tags"))
    return writes.record_create(
        Tag(**_tag_values(name, color)), actor=actor, via=via, event_type="tag.created"
    )


@transaction.atomic
def tag_update(*, actor: Any, tag_id: int, name: str, color: str, via: str = "ui") -> Any:
    """Rename or recolour a tag; records keep it (they link to the tag, not its name)."""
    from kizuna.accounts.visibility import ensure_admin
    from kizuna.core import writes

    ensure_admin(actor, action=_("manage tags"))
    tag = _tag_locked(tag_id)
    writes.record_update(tag, values=_tag_values(name, color), actor=actor, via=via, event_type="tag.updated")
    return tag


@transaction.atomic
def tag_delete(*, actor: Any, tag_id: int, via: str = "ui") -> None:
    """Delete a tag: it is removed from every contact and company that had it."""
    from kizuna.accounts.visibility import ensure_admin
    from kizuna.core import writes

    ensure_admin(actor, action=_("manage tags"))
    writes.record_delete(_tag_locked(tag_id), actor=actor, via=via, event_type="tag.deleted")
