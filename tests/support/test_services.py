from __future__ import annotations

import pytest

from kizuna.core.errors import KizunaValidationError
from kizuna.customers.services import contact_create
from kizuna.support import services
from kizuna.support.models import Feedback


def test_ticket_resolution_time_is_set_and_cleared(alice):
    contact = contact_create(actor=alice, data={"family_name": "山田"})
    ticket = services.ticket_create(
        actor=alice,
        data={"subject": "ログインできない", "contact": contact.pk, "priority": "high", "channel": "phone"},
    )
    assert (ticket.status, ticket.resolved_at) == ("new", None)
    services.ticket_update(actor=alice, ticket_id=ticket.pk, data={"status": "resolved"})
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    services.ticket_update(actor=alice, ticket_id=ticket.pk, data={"status": "open"})
    ticket.refresh_from_db()
    assert ticket.resolved_at is None


def test_ticket_sla_needs_a_time_zone(alice):
    with pytest.raises(KizunaValidationError) as exc:
        services.ticket_create(actor=alice, data={"subject": "x", "sla_due_at": "2026-11-24 10:00"})
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-004", "sla_due_at")]
    ticket = services.ticket_create(
        actor=alice, data={"subject": "x", "sla_due_at": "2026-11-24T10:00:00+09:00"}
    )
    assert ticket.sla_due_at.isoformat() == "2026-11-24T10:00:00+09:00"


@pytest.mark.parametrize(
    ("kind", "score", "ok"),
    [
        ("rating", 1, True),
        ("rating", 5, True),
        ("rating", 0, False),
        ("rating", 6, False),
        ("nps", 0, True),
        ("nps", 10, True),
        ("nps", 11, False),
    ],
)
def test_feedback_score_range_depends_on_kind(alice, kind, score, ok):
    contact = contact_create(actor=alice, data={"family_name": "山田"})
    data = {"kind": kind, "score": score, "contact": contact.pk, "comment": "対応が早かった"}
    if ok:
        assert services.feedback_create(actor=alice, data=data).score == score
    else:
        with pytest.raises(KizunaValidationError) as exc:
            services.feedback_create(actor=alice, data=data)
        assert exc.value.errors[0].field == "score"
        assert Feedback.objects.count() == 0


def test_every_entry_point_follows_the_ticket_status_rules(alice):
    # ticket_update serves the API, imports and workflows: a closed ticket cannot go back to "new".
    from kizuna.core.errors import KizunaError
    from kizuna.support.models import Ticket
    from kizuna.support.services import ticket_create, ticket_update

    ticket = ticket_create(actor=alice, data={"subject": "返品について"})
    ticket_update(actor=alice, ticket_id=ticket.pk, data={"status": "closed"}, via="api")
    with pytest.raises(KizunaError) as caught:
        ticket_update(actor=alice, ticket_id=ticket.pk, data={"status": "new"}, via="api")
    assert caught.value.code == "KZ-VAL-003" and caught.value.field == "status"
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
    ticket_update(actor=alice, ticket_id=ticket.pk, data={"status": "open"}, via="api")
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
