"""A sales user cannot read or change another team's records through any service or selector."""

from __future__ import annotations

from typing import Any

import pytest

from kizuna.activities import services as activity_services
from kizuna.activities.models import Activity
from kizuna.core.errors import KizunaError
from kizuna.customers import selectors as customer_selectors
from kizuna.customers import services as customer_services
from kizuna.customers.models import Contact
from kizuna.sales import services as sales_services
from kizuna.support import services as support_services


@pytest.fixture
def records(alice: Any, pipeline: Any) -> dict[str, Any]:
    company = customer_services.company_create(actor=alice, data={"name": "山田商事"})
    contact = customer_services.contact_create(
        actor=alice, data={"family_name": "山田", "company": company.pk}
    )
    deal = sales_services.deal_create(
        actor=alice, data={"title": "年間契約", "contact": contact.pk, "amount": 1200000}
    )
    ticket = support_services.ticket_create(
        actor=alice, data={"subject": "請求書の再発行", "contact": contact.pk}
    )
    return {"company": company, "contact": contact, "deal": deal, "ticket": ticket}


UPDATES = [
    ("company", customer_services.company_update, "company_id", {"industry": "製造業"}),
    ("contact", customer_services.contact_update, "contact_id", {"title": "部長"}),
    ("deal", sales_services.deal_update, "deal_id", {"amount": 1}),
    ("ticket", support_services.ticket_update, "ticket_id", {"status": "open"}),
]
DELETES = [
    ("ticket", support_services.ticket_delete, "ticket_id"),
    ("deal", sales_services.deal_delete, "deal_id"),
    ("contact", customer_services.contact_delete, "contact_id"),
    ("company", customer_services.company_delete, "company_id"),
]


@pytest.mark.parametrize(("kind", "update", "id_arg", "data"), UPDATES)
def test_outsider_cannot_update_and_cannot_tell_the_record_exists(
    records, charlie, kind, update, id_arg, data
):
    with pytest.raises(KizunaError) as exc:
        update(actor=charlie, **{id_arg: records[kind].pk}, data=data)
    assert exc.value.code == "KZ-AUTH-001"
    with pytest.raises(KizunaError) as missing:
        update(actor=charlie, **{id_arg: 999_999}, data=data)
    assert missing.value.code == exc.value.code


@pytest.mark.parametrize(("kind", "update", "id_arg", "data"), UPDATES)
def test_teammate_can_update(records, bob, kind, update, id_arg, data):
    update(actor=bob, **{id_arg: records[kind].pk}, data=data)


@pytest.mark.parametrize(("kind", "update", "id_arg", "data"), UPDATES)
def test_read_only_user_sees_but_cannot_change(records, reader, kind, update, id_arg, data):
    with pytest.raises(KizunaError) as exc:
        update(actor=reader, **{id_arg: records[kind].pk}, data=data)
    assert exc.value.code == "KZ-AUTH-002"


@pytest.mark.parametrize(("kind", "delete", "id_arg"), DELETES)
def test_outsider_cannot_delete(records, charlie, kind, delete, id_arg):
    with pytest.raises(KizunaError) as exc:
        delete(actor=charlie, **{id_arg: records[kind].pk})
    assert exc.value.code == "KZ-AUTH-001"
    assert type(records[kind]).objects.filter(pk=records[kind].pk).exists()


def test_sales_teammate_may_not_delete_what_they_do_not_own(records, bob):
    with pytest.raises(KizunaError) as exc:
        customer_services.contact_delete(actor=bob, contact_id=records["contact"].pk)
    assert exc.value.code == "KZ-AUTH-002"


def test_owner_deletes_in_dependency_order(records, alice):
    for kind, delete, id_arg in DELETES:
        delete(actor=alice, **{id_arg: records[kind].pk})
        assert not type(records[kind]).objects.filter(pk=records[kind].pk).exists()


def test_selectors_hide_other_teams_records(records, alice, bob, charlie, admin_user):
    contact = records["contact"]
    assert list(customer_selectors.contact_list(user=alice)) == [contact]
    assert list(customer_selectors.contact_list(user=bob)) == [contact]
    assert list(customer_selectors.contact_list(user=charlie)) == []
    assert list(customer_selectors.contact_list(user=admin_user)) == [contact]
    assert list(customer_selectors.company_list(user=charlie)) == []
    with pytest.raises(KizunaError) as exc:
        customer_selectors.contact_get(user=charlie, pk=contact.pk)
    assert exc.value.code == "KZ-AUTH-001"
    assert customer_selectors.contact_get(user=bob, pk=contact.pk) == contact


def test_outsider_cannot_link_to_a_record_they_cannot_see(records, charlie):
    with pytest.raises(KizunaError) as exc:
        customer_services.contact_create(
            actor=charlie, data={"family_name": "佐藤", "company": records["company"].pk}
        )
    assert exc.value.code == "KZ-VAL-011"
    assert exc.value.field == "company"
    with pytest.raises(KizunaError):
        activity_services.activity_create(
            actor=charlie, data={"kind": "note", "contact": records["contact"].pk}
        )
    assert Activity.objects.count() == 0
    assert Contact.objects.count() == 1


def test_outsider_cannot_assign_records_to_another_team(alice, charlie):
    with pytest.raises(KizunaError) as exc:
        customer_services.contact_create(actor=charlie, data={"family_name": "佐藤", "owner": alice.pk})
    assert exc.value.code == "KZ-AUTH-002"


def test_reassigning_owner_moves_the_record_to_the_new_owners_team(records, admin_user, charlie, alice):
    customer_services.contact_update(
        actor=admin_user, contact_id=records["contact"].pk, data={"owner": charlie.pk}
    )
    assert list(customer_selectors.contact_list(user=charlie)) == [records["contact"]]
    assert list(customer_selectors.contact_list(user=alice)) == []


def test_read_only_user_cannot_create(reader):
    with pytest.raises(KizunaError) as exc:
        customer_services.contact_create(actor=reader, data={"family_name": "山田"})
    assert exc.value.code == "KZ-AUTH-002"


def test_only_administrators_configure_pipelines_and_products(alice):
    with pytest.raises(KizunaError) as exc:
        sales_services.pipeline_create(actor=alice, name="X", stages=[{"name": "A"}])
    assert exc.value.code == "KZ-AUTH-003"
    with pytest.raises(KizunaError) as exc:
        sales_services.product_create(actor=alice, data={"code": "P1", "name": "P", "unit_price": 1})
    assert exc.value.code == "KZ-AUTH-003"


def test_selector_query_count_is_constant(alice, django_assert_max_num_queries):
    company = customer_services.company_create(actor=alice, data={"name": "山田商事"})
    for i in range(30):
        customer_services.contact_create(
            actor=alice, data={"family_name": f"山田{i}", "company": company.pk, "tags": ["VIP"]}
        )
    with django_assert_max_num_queries(2):
        rows = [
            (c.company.name, c.owner.username, [t.name for t in c.tags.all()])
            for c in customer_selectors.contact_list(user=alice)
        ]
    assert len(rows) == 30


def test_visible_ids_if_few_lists_exactly_what_the_user_may_see(records, alice, bob, charlie, admin_user):
    from kizuna.accounts.visibility import visible, visible_ids_if_few
    from kizuna.support.models import Ticket

    other = support_services.ticket_create(actor=charlie, data={"subject": "他チーム"})
    for user in (alice, bob, charlie):
        expected = sorted(visible(Ticket.objects.all(), user).values_list("pk", flat=True))
        assert visible_ids_if_few(Ticket, user, limit=10) == expected
    assert visible_ids_if_few(Ticket, charlie, limit=10) == [other.pk]
    # Alice owns the ticket and is in its team: listed once, and "more than 1" is still one.
    assert visible_ids_if_few(Ticket, alice, limit=1) == [records["ticket"].pk]
    support_services.ticket_create(actor=bob, data={"subject": "二件目"})
    assert visible_ids_if_few(Ticket, alice, limit=1) is None  # more than the limit: not narrowed
    assert visible_ids_if_few(Ticket, admin_user, limit=10) is None  # sees everything: nothing to narrow
