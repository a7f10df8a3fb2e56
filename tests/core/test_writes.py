from __future__ import annotations

import pytest
from django.db import transaction

from kizuna.core import writes
from kizuna.core.errors import KizunaError
from kizuna.core.events import OutsideTransactionError


def test_other_constraint_failures_become_kz_db_001(admin_user, pipeline):
    from kizuna.sales.models import Stage

    with pytest.raises(KizunaError) as exc, transaction.atomic():
        writes.record_create(
            Stage(pipeline=pipeline, name="X", position=99, probability=150),
            actor=admin_user,
            via="cli",
            event_type="stage.created",
        )
    assert exc.value.code == "KZ-DB-001"
    assert not Stage.objects.filter(name="X").exists()


def test_record_writes_outside_a_transaction_are_refused(transactional_db, admin_user):
    from kizuna.accounts.models import Team

    with pytest.raises(OutsideTransactionError):
        writes.record_create(Team(name="X"), actor=admin_user, via="cli", event_type="team.created")
    assert not Team.objects.filter(name="X").exists()
