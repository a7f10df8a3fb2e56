from __future__ import annotations

import pytest
from django.db import transaction

from kizuna.core import events
from kizuna.core.models import AuditEntry, DomainEvent
from kizuna.customers import services
from kizuna.customers.models import Contact


def test_emit_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(events.OutsideTransactionError):
        events.emit("contact.created", object_type="customers.contact")


def test_rolled_back_write_leaves_neither_row_nor_event_nor_audit(alice):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.contact_create(actor=alice, data={"family_name": "山田"})
        assert DomainEvent.objects.filter(event_type="contact.created").count() == 1
        raise Boom
    assert Contact.objects.count() == 0
    assert DomainEvent.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_event_carries_actor_entry_point_and_object(alice):
    contact = services.contact_create(actor=alice, data={"family_name": "山田"}, via="import")
    event = DomainEvent.objects.get()
    assert (event.event_type, event.actor, event.via, event.object_type, event.object_id) == (
        "contact.created",
        alice,
        "import",
        "customers.contact",
        contact.pk,
    )
