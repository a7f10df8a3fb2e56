from __future__ import annotations

import pytest

from kizuna.activities import services
from kizuna.core.errors import KizunaValidationError
from kizuna.customers.services import contact_create


def test_activity_is_attached_and_authored(alice):
    contact = contact_create(actor=alice, data={"family_name": "山田"})
    activity = services.activity_create(
        actor=alice, data={"kind": "call", "subject": "初回ヒアリング", "contact": contact.pk}
    )
    assert (activity.author, activity.contact, activity.team) == (alice, contact, alice.team)
    assert list(contact.activities.all()) == [activity]


def test_activity_needs_a_record(alice):
    with pytest.raises(KizunaValidationError) as exc:
        services.activity_create(actor=alice, data={"kind": "note", "body": "メモ"})
    assert [(e.code, e.field) for e in exc.value.errors] == [("KZ-VAL-001", "contact")]


def test_task_defaults_to_actor_and_completion_is_timestamped(alice, bob):
    task = services.task_create(
        actor=alice, data={"title": "見積書送付", "due_at": "2026-11-30T17:00:00+09:00"}
    )
    assert task.assignee == alice
    services.task_complete(actor=bob, task_id=task.pk)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None


def test_task_cannot_be_assigned_outside_the_team(alice, charlie):
    from kizuna.core.errors import KizunaError

    with pytest.raises(KizunaError) as exc:
        services.task_create(actor=alice, data={"title": "x", "assignee": charlie.pk})
    assert (exc.value.code, exc.value.context["action"]) == ("KZ-AUTH-002", "assign records to")
