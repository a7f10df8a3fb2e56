from __future__ import annotations

import pytest

from kizuna.core.errors import KizunaError, KizunaValidationError
from kizuna.core.models import DomainEvent
from kizuna.customers import selectors, services
from kizuna.customers.custom_fields import custom_field_define
from kizuna.customers.models import Contact


@pytest.fixture
def fields(admin_user):
    return {
        "rank": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="rank",
            label_ja="ランク",
            field_type="choice",
            choices=["A", "B", "C"],
        ),
        "interests": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="interests",
            label_ja="関心",
            field_type="multi_choice",
            choices=["ERP", "CRM", "SFA"],
        ),
        "member_no": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="member_no",
            label_ja="会員番号",
            field_type="text",
            unique=True,
        ),
        "visits": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="visits",
            label_ja="来店回数",
            field_type="number",
        ),
        "contract_end": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="contract_end",
            label_ja="契約終了日",
            field_type="date",
        ),
        "newsletter": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="newsletter",
            label_ja="メルマガ",
            field_type="boolean",
        ),
        "hp": custom_field_define(
            actor=admin_user, object_type="customers.contact", key="hp", label_ja="HP", field_type="url"
        ),
        "sub_email": custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="sub_email",
            label_ja="サブメール",
            field_type="email",
        ),
        "fax": custom_field_define(
            actor=admin_user, object_type="customers.contact", key="fax", label_ja="FAX", field_type="phone"
        ),
    }


def test_values_are_normalized_by_type(alice, fields):
    contact = services.contact_create(
        actor=alice,
        data={
            "family_name": "山田",
            "custom": {
                "rank": "Ａ",
                "interests": "SFA、ERP",
                "member_no": " M-001 ",
                "visits": "１２",
                "contract_end": "2025/3/31",
                "newsletter": "はい",
                "hp": "example.co.jp",
                "sub_email": "Sub@Example.JP",
                "fax": "03-1234-5679",
            },
        },
    )
    contact.refresh_from_db()
    assert contact.custom == {
        "rank": "A",
        "interests": ["ERP", "SFA"],
        "member_no": "M-001",
        "visits": 12,
        "contract_end": "2025-03-31",
        "newsletter": True,
        "hp": "https://example.co.jp",
        "sub_email": "Sub@example.jp",
        "fax": "+81312345679",
    }


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("rank", "D", "KZ-VAL-003"),
        ("interests", ["ERP", "MA"], "KZ-VAL-003"),
        ("visits", "たくさん", "KZ-VAL-004"),
        ("contract_end", "2025-02-30", "KZ-VAL-004"),
        ("newsletter", "maybe", "KZ-VAL-003"),
        ("hp", "javascript:alert(1)", "KZ-VAL-004"),
        ("sub_email", "not-an-email", "KZ-VAL-008"),
        ("fax", "12", "KZ-VAL-006"),
        ("nonexistent", "x", "KZ-VAL-010"),
    ],
)
def test_invalid_value_is_refused_with_the_field_and_allowed_values(alice, fields, key, value, code):
    with pytest.raises(KizunaValidationError) as exc:
        services.contact_create(actor=alice, data={"family_name": "山田", "custom": {key: value}})
    error = exc.value.errors[0]
    assert error.code == code
    assert key in (error.field or "")
    assert Contact.objects.count() == 0


def test_choice_error_lists_the_allowed_values(alice, fields):
    with pytest.raises(KizunaValidationError) as exc:
        services.contact_create(actor=alice, data={"family_name": "山田", "custom": {"rank": "S"}})
    assert exc.value.errors[0].remedy("en") == "Choose one of: A, B, C."


def test_required_custom_field_is_enforced_on_create_and_update(alice, admin_user):
    custom_field_define(
        actor=admin_user,
        object_type="customers.contact",
        key="segment",
        label_ja="区分",
        field_type="text",
        required=True,
    )
    with pytest.raises(KizunaValidationError) as exc:
        services.contact_create(actor=alice, data={"family_name": "山田"})
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-001", "custom.segment")]
    contact = services.contact_create(
        actor=alice, data={"family_name": "山田", "custom": {"segment": "法人"}}
    )
    with pytest.raises(KizunaValidationError):
        services.contact_update(actor=alice, contact_id=contact.pk, data={"custom": {"segment": ""}})
    contact.refresh_from_db()
    assert contact.custom == {"segment": "法人"}


def test_unique_custom_field_conflict_rolls_back_record_and_event(alice, fields):
    first = services.contact_create(
        actor=alice, data={"family_name": "山田", "custom": {"member_no": "M-001"}}
    )
    with pytest.raises(KizunaError) as exc:
        services.contact_create(actor=alice, data={"family_name": "佐藤", "custom": {"member_no": "m-001"}})
    assert (exc.value.code, exc.value.field, exc.value.context["existing_id"]) == (
        "KZ-VAL-002",
        "custom.member_no",
        first.pk,
    )
    assert Contact.objects.count() == 1
    assert DomainEvent.objects.filter(event_type="contact.created").count() == 1


def test_unique_value_is_released_when_changed_or_deleted(alice, fields):
    first = services.contact_create(
        actor=alice, data={"family_name": "山田", "custom": {"member_no": "M-001"}}
    )
    services.contact_update(actor=alice, contact_id=first.pk, data={"custom": {"member_no": "M-002"}})
    second = services.contact_create(
        actor=alice, data={"family_name": "佐藤", "custom": {"member_no": "M-001"}}
    )
    services.contact_delete(actor=alice, contact_id=second.pk)
    services.contact_create(actor=alice, data={"family_name": "鈴木", "custom": {"member_no": "M-001"}})


def test_custom_values_are_filterable(alice, fields):
    services.contact_create(actor=alice, data={"family_name": "山田", "custom": {"rank": "A"}})
    services.contact_create(actor=alice, data={"family_name": "佐藤", "custom": {"rank": "B"}})
    rows = selectors.contact_list(user=alice, filters={"custom.rank": "A"})
    assert [c.family_name for c in rows] == ["山田"]


def test_only_administrators_define_fields(alice):
    with pytest.raises(KizunaError) as exc:
        custom_field_define(
            actor=alice, object_type="customers.contact", key="x", label_ja="X", field_type="text"
        )
    assert exc.value.code == "KZ-AUTH-003"


def test_choice_field_needs_choices_and_a_valid_key(admin_user):
    with pytest.raises(KizunaError) as exc:
        custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="rank",
            label_ja="ランク",
            field_type="choice",
        )
    assert (exc.value.code, exc.value.field) == ("KZ-VAL-001", "choices")
    with pytest.raises(KizunaError) as exc:
        custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="ランク",
            label_ja="ランク",
            field_type="text",
        )
    assert (exc.value.code, exc.value.field) == ("KZ-VAL-004", "key")


def test_duplicate_key_on_the_same_object_is_a_coded_conflict(admin_user, fields):
    with pytest.raises(KizunaError) as exc:
        custom_field_define(
            actor=admin_user,
            object_type="customers.contact",
            key="rank",
            label_ja="ランク2",
            field_type="text",
        )
    assert exc.value.code == "KZ-VAL-002"
