"""Index-friendly page helpers: the same rows, in the same order, as the plain ORDER BY would give."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from kizuna.core.ordering import narrow_when_small, nulls_last_slice
from kizuna.customers.models import Contact
from kizuna.customers.services import contact_create


def _contacts(alice: Any) -> None:
    for i in range(23):
        birth = None if i % 3 == 0 else dt.date(1980, 1, 1) + dt.timedelta(days=(i * 7) % 11)
        contact_create(actor=alice, data={"family_name": f"顧客{i}", "birth_date": birth})


def test_nulls_last_slice_pages_like_order_by_nulls_last(alice: Any) -> None:
    _contacts(alice)
    qs = Contact.objects.all()
    expected = list(qs.order_by(F("birth_date").asc(nulls_last=True), "id"))
    assert sum(c.birth_date is None for c in expected) == 8
    for size in (1, 4, 7, 50):
        pages = [nulls_last_slice(qs, "birth_date", start, start + size) for start in range(0, 30, size)]
        assert [c.pk for page in pages for c in page] == [c.pk for c in expected], size
    assert nulls_last_slice(qs, "birth_date", 5, 5) == []


def test_narrow_when_small_keeps_the_rows_and_their_order(alice: Any) -> None:
    _contacts(alice)
    qs = Contact.objects.filter(family_name__startswith="顧客1").order_by("-id")
    narrowed = narrow_when_small(qs, limit=20)
    assert "IN" in str(narrowed.query)  # few rows: their ids
    assert list(narrowed) == list(qs)
    assert narrow_when_small(qs, limit=3) is qs  # many rows: the query as it was
