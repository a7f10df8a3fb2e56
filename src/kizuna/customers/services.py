"""Every write to companies and contacts: one function per use case, transactional, audited, with events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kizuna.core import fields as f
from kizuna.core.normalize import fold_for_search, normalize_company_name

from . import records
from .models import Company, CompanySize, ConsentState, Contact, LifecycleStatus

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
    return company


@transaction.atomic
def company_delete(*, actor: Any, company_id: int, via: str = "ui") -> None:
    company = records.lock_visible(Company, pk=company_id, actor=actor)
    records.delete_owned(
        company, actor=actor, via=via, event_type="company.deleted", custom_type="customers.company"
    )


def _contact_resolver(actor: Any) -> records.Resolver:
    def resolve(clean: dict[str, Any]) -> dict[str, Any]:
        if "company" in clean:
            return {
                "company": records.resolve_related(Company, clean["company"], actor=actor, field="company")
            }
        return {}

    return resolve


def _contact_search_text(contact: Contact) -> str:
    parts = [
        contact.family_name,
        contact.given_name,
        contact.family_name_kana,
        contact.given_name_kana,
        contact.email,
        contact.company.name if contact.company_id and contact.company else "",
    ]
    return " ".join(fold_for_search(p) for p in parts if p)


def _contact_prepare_new(contact: Contact) -> None:
    contact.search_text = _contact_search_text(contact)
    if contact.consent_state != ConsentState.UNKNOWN and contact.consent_at is None:
        contact.consent_at = timezone.now()


def _contact_prepare_update(contact: Contact, clean: dict[str, Any]) -> None:
    merged = Contact(**{fld.attname: getattr(contact, fld.attname) for fld in Contact._meta.concrete_fields})
    for name, value in clean.items():
        setattr(merged, name, value)
    clean["search_text"] = _contact_search_text(merged)
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
