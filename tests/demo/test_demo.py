"""``kizuna demo``: bulk demo data that is valid, consistent, reproducible and all-or-nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Sum

from kizuna.accounts.models import User
from kizuna.activities.models import Activity, Task
from kizuna.core.models import DomainEvent
from kizuna.core.normalize.corporate_number import normalize_corporate_number
from kizuna.core.normalize.phone import normalize_phone
from kizuna.core.normalize.prefecture import normalize_prefecture
from kizuna.customers import services as customer_services
from kizuna.customers.models import Company, Contact
from kizuna.demo import generator, pipeline, timeline
from kizuna.demo.generator import load_demo
from kizuna.demo.pools import build_pools
from kizuna.demo.spec import GenerationSpec, PipelineRef, Reference
from kizuna.demo.writers import TABLES, DemoSchemaError, db_columns
from kizuna.sales.models import Deal, DealStageChange, Order, OrderLine
from kizuna.support.models import Feedback, Ticket

pytestmark = pytest.mark.django_db


def test_load_writes_every_table_in_proportion_with_one_event() -> None:
    result = load_demo(contacts=500, seed=7, chunk_size=200, parallel=False)

    assert Contact.objects.count() == 500
    assert result.counts["customers.contact"] == 500
    for model in (Company, Deal, DealStageChange, Order, OrderLine, Ticket, Feedback, Activity, Task):
        assert model.objects.count() == result.counts[model._meta.label_lower] > 0, model
    assert Company.objects.count() >= 100  # 0.2 per contact, at least one per chunk
    assert Deal.objects.count() == 150 and Order.objects.count() == 250 and Activity.objects.count() == 500
    assert result.rows == sum(result.counts.values())
    # One summary event, not one per row; no per-row audit entries.
    events = DomainEvent.objects.filter(event_type="demo.loaded")
    assert events.count() == 1
    assert events.get().payload["counts"] == result.counts
    assert DomainEvent.objects.exclude(event_type="demo.loaded").filter(object_type="contact").count() == 0


def test_rows_are_valid_as_the_services_would_store_them() -> None:
    load_demo(contacts=300, seed=3, parallel=False)

    for deal in Deal.objects.select_related("company"):
        assert deal.search_text == deal.search_document()
    for ticket in Ticket.objects.all():
        assert ticket.search_text == ticket.search_document()
    for company in Company.objects.all():
        assert company.search_text == company.search_document()  # what the services would store
        assert company.name_normalized
        if company.corporate_number:
            assert normalize_corporate_number(company.corporate_number) == company.corporate_number
        if company.prefecture:
            assert normalize_prefecture(company.prefecture) == company.prefecture
    for contact in Contact.objects.select_related("company"):
        assert contact.search_text == contact.search_document()
        for stored in (contact.phone, contact.mobile):
            if stored:
                assert normalize_phone(stored).e164 == stored  # type: ignore[union-attr]
        assert contact.lifecycle_status in {"lead", "prospect", "customer", "churned"}
        assert contact.prefecture == "" or normalize_prefecture(contact.prefecture) == contact.prefecture


def test_loaded_rows_are_searchable_and_the_planner_has_statistics() -> None:
    from kizuna.core.search import search_filter

    load_demo(contacts=300, seed=5, parallel=False)
    # The search index was rebuilt after the bulk load: each contact is found by its own name.
    for contact in Contact.objects.order_by("id")[:20]:
        found = search_filter(Contact.objects.all(), f"{contact.family_name}{contact.given_name}")
        assert contact in found
    if connection.vendor == "sqlite":  # PostgreSQL's ANALYZE is checked by its planner; SQLite's here
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'customers_contact'")
            assert cursor.fetchone()[0] > 0


def test_related_rows_are_consistent() -> None:
    load_demo(contacts=400, seed=11, parallel=False)

    # Every deal's stage belongs to its pipeline, its history ends in that stage and closed deals have a date.
    for deal in Deal.objects.select_related("stage"):
        assert deal.stage.pipeline_id == deal.pipeline_id
        last = DealStageChange.objects.filter(deal=deal).order_by("changed_at", "id").last()
        assert last is not None and last.to_stage_id == deal.stage_id
        assert (deal.closed_at is not None) == (deal.stage.is_won or deal.stage.is_lost)
    # Order totals are the sum of their lines; each line's amount is quantity × unit price.
    assert not OrderLine.objects.exclude(amount=F("quantity") * F("unit_price")).exists()
    mismatched = Order.objects.annotate(lines_total=Sum("lines__amount")).exclude(total=F("lines_total"))
    assert not mismatched.exists()
    # Owners are demo users and the team follows the owner.
    for model in (Contact, Deal, Order, Ticket, Activity, Task):
        assert not model.objects.exclude(team_id=F("owner__team_id")).exists(), model
    assert (
        not Contact.objects.filter(company__isnull=False).exclude(company__in=Company.objects.all()).exists()
    )


def test_same_seed_gives_the_same_rows_inline_and_in_a_subprocess() -> None:
    pools = build_pools(5)
    ref = Reference(
        sales=((1, 1), (2, 1), (3, 2)),
        support=((4, 3),),
        pipelines=(PipelineRef(1, (1, 2, 3), 4, 5), PipelineRef(2, (6, 7), 8, 9)),
        products=((1, 1000), (2, 25000), (3, 300)),
        tag_ids=(1, 2, 3),
        created_users=0,
    )
    spec = GenerationSpec(
        seed=5,
        contacts=120,
        chunk_size=50,
        now=1_780_000_000,
        pools=pools,
        ref=ref,
        first_ids=dict.fromkeys(TABLES, 1),
        taken_numbers=frozenset(),
    )
    inline = list(pipeline.rows_inline(spec))
    assert inline == list(pipeline.rows_inline(spec))
    assert inline == list(pipeline.rows_in_subprocess(spec))
    other_seed = GenerationSpec(**{**{f: getattr(spec, f) for f in spec.__slots__}, "seed": 6})
    assert list(pipeline.rows_inline(other_seed)) != inline


def test_a_failure_midway_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("generator broke on the last table")

    monkeypatch.setattr(timeline, "tasks", broken)
    with pytest.raises(RuntimeError, match="generator broke"):
        load_demo(contacts=200, seed=1, parallel=False)

    assert not Contact.objects.exists() and not Company.objects.exists() and not Deal.objects.exists()
    assert not User.objects.exists()
    assert not DomainEvent.objects.filter(event_type="demo.loaded").exists()


def test_a_second_load_adds_contacts_and_the_orm_keeps_working(alice: Any) -> None:
    first = load_demo(contacts=150, seed=1, parallel=False)
    users = User.objects.count()
    second = load_demo(contacts=150, seed=2, parallel=False)

    assert first.users_created == 13 and second.users_created == 0
    assert User.objects.count() == users
    assert Contact.objects.count() == 300
    # The sequences (PostgreSQL) and AUTOINCREMENT counters (SQLite) moved past the demo ids.
    top = Contact.objects.order_by("-id").values_list("id", flat=True)[0]
    contact = customer_services.contact_create(
        actor=alice, data={"family_name": "新規", "given_name": "太郎"}
    )
    assert contact.id > top
    assert (
        Company.objects.values("corporate_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1, corporate_number__isnull=False)
        .count()
        == 0
    )


def test_demo_users_cannot_sign_in_without_a_password() -> None:
    load_demo(contacts=10, seed=1, parallel=False)
    assert User.objects.filter(username__startswith="demo_").count() == 13
    assert not any(user.has_usable_password() for user in User.objects.filter(username__startswith="demo_"))


def test_demo_users_get_the_given_password() -> None:
    load_demo(contacts=10, seed=1, parallel=False, password="a-long-demo-passphrase")
    user = User.objects.get(username="demo_sales_tokyo1")
    assert user.check_password("a-long-demo-passphrase")


def test_schema_drift_is_reported() -> None:
    with pytest.raises(DemoSchemaError, match="leave out required"):
        db_columns(Contact, ("id", "family_name"))
    with pytest.raises(DemoSchemaError, match="unknown fields"):
        db_columns(Contact, (*TABLES["contact"][1], "shoe_size"))


def test_command_json_and_if_empty() -> None:
    out = io.StringIO()
    call_command("demo", "--contacts", "50", "--seed", "4", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["loaded"] is True and report["contacts"] == 50
    assert report["tables"]["customers.contact"] == 50
    assert report["database"] == connection.vendor

    out = io.StringIO()
    call_command("demo", "--if-empty", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == {"loaded": False, "reason": "database already holds contacts"}
    assert Contact.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_command_text_output_names_the_tables() -> None:
    # Outside any transaction, as under `make run`: the SQLite tuning PRAGMAs apply and are restored.
    before = _synchronous()
    out = io.StringIO()
    call_command("demo", "--contacts", "20", stdout=out)
    assert _synchronous() == before
    text = out.getvalue()
    assert "Demo data loaded" in text and "customers.contact" in text and "demo users created: 13" in text
    assert generator.has_contacts()


def test_a_weak_demo_password_is_refused_with_a_code_and_nothing_is_loaded() -> None:
    with pytest.raises(CommandError, match="KZ-VAL-004"):
        call_command("demo", "--contacts", "10", "--password", "1234", stdout=io.StringIO())
    assert not Contact.objects.exists() and not User.objects.exists()


def _synchronous() -> object:
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        return cursor.fetchone()[0]
