from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from kizuna.core.errors import KizunaError
from kizuna.customers import services
from kizuna.customers.models import Contact


@pytest.mark.django_db(transaction=True)
def test_hundred_parallel_creates_of_one_unique_value_give_one_row_and_99_coded_conflicts(alice):
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(100)

    def create(i: int) -> None:
        try:
            start.wait()
            services.contact_create(
                actor=alice, data={"family_name": f"山田{i}", "external_id": "CRM-0001"}, via="api"
            )
            result = "created"
        except KizunaError as exc:
            result = f"{exc.code}:{exc.field}:{exc.context.get('existing_id') is not None}"
        except Exception as exc:  # anything else would be a 500 for the caller
            result = f"uncoded:{type(exc).__name__}:{exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert Counter(outcomes) == {"created": 1, "KZ-VAL-002:external_id:True": 99}
    assert Contact.objects.filter(external_id="CRM-0001").count() == 1
