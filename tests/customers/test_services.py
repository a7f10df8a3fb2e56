from __future__ import annotations

import pytest

from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.models import AuditEntry, DomainEvent
from kizuna.customers import selectors, services
from kizuna.customers.models import Company, Contact


def test_company_create_normalizes_fields_and_writes_audit_and_event(alice):
    company = services.company_create(
        actor=alice,
        data={
            "name": "㈱山田商事",
            "prefecture": "東京",
            "phone": "０３－１２３４－５６７８",
            "corporate_number": "7000012050002",
            "postal_code": "〒100-0001",
        },
    )
    company.refresh_from_db()
    assert company.name == "株式会社山田商事"
    assert company.name_normalized == "山田商事"
    assert company.prefecture == "東京都"
    assert (company.phone, company.phone_raw) == ("+81312345678", "０３－１２３４－５６７８")
    assert company.postal_code == "100-0001"
    assert (company.owner, company.team) == (alice, alice.team)
    audit = AuditEntry.objects.get(object_type="customers.company", object_id=company.pk)
    assert (audit.action, audit.actor, audit.via) == ("create", alice, "ui")
    assert audit.changes["prefecture"] == {"before": None, "after": "東京都"}
    event = DomainEvent.objects.get(object_type="customers.company", object_id=company.pk)
    assert event.event_type == "company.created"
    assert event.payload["fields"]["name"] == "株式会社山田商事"


def test_contact_update_records_field_level_changes(alice):
    contact = services.contact_create(actor=alice, data={"family_name": "山田", "given_name": "太郎"})
    services.contact_update(
        actor=alice, contact_id=contact.pk, data={"title": "部長", "prefecture": "大阪"}, via="api"
    )
    entry = AuditEntry.objects.filter(object_type="customers.contact", action="update").get()
    assert entry.via == "api"
    assert entry.changes == {
        "prefecture": {"before": "", "after": "大阪府"},
        "title": {"before": "", "after": "部長"},
    }
    event = DomainEvent.objects.get(event_type="contact.updated")
    assert event.payload == {"changed": entry.changes}
    contact.refresh_from_db()
    assert contact.version == 2


def test_update_without_changes_writes_nothing(alice):
    contact = services.contact_create(actor=alice, data={"family_name": "山田"})
    services.contact_update(actor=alice, contact_id=contact.pk, data={"family_name": " 山田 "})
    assert not AuditEntry.objects.filter(action="update").exists()
    assert not DomainEvent.objects.filter(event_type="contact.updated").exists()


def test_invalid_fields_are_reported_together_and_nothing_is_saved(alice):
    with pytest.raises(KizunaValidationError) as exc:
        services.contact_create(
            actor=alice, data={"family_name": "", "prefecture": "Atlantis", "phone": "abc"}
        )
    codes = {(e.field, e.code) for e in exc.value.errors}
    assert codes == {("family_name", "KZ-VAL-001"), ("prefecture", "KZ-VAL-005"), ("phone", "KZ-VAL-006")}
    assert "family name" in exc.value.errors[0].cause("en")
    assert Contact.objects.count() == 0
    assert DomainEvent.objects.count() == 0


def test_duplicate_external_id_names_field_and_existing_record(alice):
    first = services.contact_create(actor=alice, data={"family_name": "山田", "external_id": "SF-001"})
    with pytest.raises(KizunaError) as exc:
        services.contact_create(actor=alice, data={"family_name": "佐藤", "external_id": "SF-001"})
    assert exc.value.code == "KZ-VAL-002"
    assert exc.value.field == "external_id"
    assert exc.value.context["existing_id"] == first.pk
    assert str(first.pk) in exc.value.cause("en")
    assert Contact.objects.count() == 1


def test_duplicate_corporate_number_is_a_coded_conflict(alice):
    services.company_create(actor=alice, data={"name": "A社", "corporate_number": "7000012050002"})
    with pytest.raises(KizunaError) as exc:
        services.company_create(actor=alice, data={"name": "B社", "corporate_number": "7000012050002"})
    assert (exc.value.code, exc.value.field) == ("KZ-VAL-002", "corporate_number")


def test_unknown_field_is_refused(alice):
    with pytest.raises(KizunaValidationError) as exc:
        services.contact_create(actor=alice, data={"family_name": "山田", "nickname": "やまちゃん"})
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-014", "nickname")]


def test_stale_version_is_refused(alice, bob):
    contact = services.contact_create(actor=alice, data={"family_name": "山田"})
    services.contact_update(actor=bob, contact_id=contact.pk, data={"title": "課長"}, expected_version=1)
    with pytest.raises(KizunaError) as exc:
        services.contact_update(
            actor=alice, contact_id=contact.pk, data={"title": "部長"}, expected_version=1
        )
    assert exc.value.code == "KZ-VAL-013"
    contact.refresh_from_db()
    assert contact.title == "課長"


def test_search_matches_kana_in_either_script_and_width(alice):
    services.contact_create(actor=alice, data={"family_name": "山田", "family_name_kana": "やまだ"})
    assert [c.family_name for c in selectors.contact_list(user=alice, search="ﾔﾏﾀﾞ")] == ["山田"]
    assert [c.family_name_kana for c in selectors.contact_list(user=alice, search="ヤマダ")] == ["ヤマダ"]


def test_company_in_use_cannot_be_deleted_and_says_why(alice, pipeline):
    from kizuna.sales.services import deal_create

    company = services.company_create(actor=alice, data={"name": "山田商事"})
    deal_create(actor=alice, data={"title": "案件", "company": company.pk})
    with pytest.raises(KizunaError) as exc:
        services.company_delete(actor=alice, company_id=company.pk)
    assert exc.value.code == "KZ-VAL-015"
    assert Company.objects.filter(pk=company.pk).exists()
