"""The web shell: sign-in, language and time zone per user, dashboard, global search, error pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.activities.services import task_create
from kizuna.core.models import AuditEntry
from kizuna.customers.services import contact_create
from kizuna.sales.models import Stage
from kizuna.sales.services import deal_create, order_create, product_create
from kizuna.support.services import ticket_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_is_japanese_by_default_and_a_wrong_password_is_explained(alice: Any) -> None:
    client = Client()
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja")
    assert "ログイン" in page.content.decode() or "サインイン" in page.content.decode()
    wrong = client.post(
        reverse("login"), {"username": "alice", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert wrong.status_code == 200
    assert "The user name or password is not correct" in wrong.content.decode()
    right = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == reverse("dashboard")


def test_csrf_is_enforced_on_sign_in(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_language_switch_is_saved_on_the_user(alice: Any) -> None:
    client = signed_in(alice)
    assert alice.language == "ja"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "en"
    # A new session (another browser) gets the user's language, whatever the browser asks for.
    other = signed_in(alice)
    page = other.get("/", HTTP_ACCEPT_LANGUAGE="ja")
    assert 'lang="en"' in page.content.decode() and "Home" in page.content.decode()
    other.post(reverse("set_language"), {"language": "ja", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "ja"
    assert 'lang="ja"' in signed_in(alice).get("/").content.decode()


def test_preferences_save_language_and_time_zone_with_an_audit_entry(alice: Any) -> None:
    client = signed_in(alice)
    response = client.post(
        reverse("preferences"), {"display_name": "山田 花子", "language": "en", "time_zone": "UTC"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.language, alice.time_zone) == ("山田 花子", "en", "UTC")
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(alice.pk)).latest("id")
    assert entry.via == "ui" and set(entry.changes) >= {"language", "time_zone"}


def test_preferences_refuse_an_unknown_time_zone(alice: Any) -> None:
    response = signed_in(alice).post(
        reverse("preferences"), {"display_name": "", "language": "ja", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "Mars/Olympus" in response.content.decode()  # the form says which value is not allowed
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"


def test_times_are_shown_in_the_users_time_zone(alice: Any) -> None:
    # 2026-11-23 15:30 UTC is 2026-11-24 00:30 in Tokyo, the default time zone.
    task_create(actor=alice, data={"title": "請求書を送る", "due_at": "2026-11-23T15:30:00+00:00"})
    tokyo = signed_in(alice).get("/").content.decode()
    assert "請求書を送る" in tokyo and "00:30" in tokyo and "15:30" not in tokyo
    User.objects.filter(pk=alice.pk).update(time_zone="UTC")
    utc = signed_in(alice).get("/").content.decode()
    assert "15:30" in utc and "00:30" not in utc


@pytest.fixture
def product(admin_user: Any) -> Any:
    return product_create(actor=admin_user, data={"code": "SUP-1", "name": "保守", "unit_price": 50_000})


def _sales_data(owner: Any, pipeline: Any, product: Any) -> None:
    stage = Stage.objects.get(pipeline=pipeline, name="提案")
    contact = contact_create(actor=owner, data={"family_name": "佐藤", "given_name": "一郎"})
    deal_create(
        actor=owner,
        data={
            "title": "クラウド会計導入",
            "contact": contact.pk,
            "pipeline": pipeline.pk,
            "stage": stage.pk,
            "amount": 1_000_000,
            "expected_close_date": timezone.localdate().isoformat(),
        },
    )
    order_create(
        actor=owner,
        data={
            "number": f"O-{owner.pk}",
            "contact": contact.pk,
            "order_date": timezone.localdate().isoformat(),
        },
        lines=[{"product": product.pk, "quantity": 3}],
    )
    ticket_create(
        actor=owner, data={"subject": "ログインできない", "contact": contact.pk, "priority": "high"}
    )


def test_dashboard_shows_only_what_the_user_may_see(
    alice: Any, charlie: Any, pipeline: Any, product: Any
) -> None:
    _sales_data(alice, pipeline, product)
    mine = signed_in(alice).get("/")
    assert mine.status_code == 200
    board = mine.context["board"]
    assert board.sales_this_month == 150_000
    assert board.forecast_quarter == 400_000  # 1,000,000 × 40 %
    assert [row["count"] for row in board.pipeline_by_stage] == [1]
    assert [(row["priority"], row["count"]) for row in board.tickets_by_priority] == [("high", 1)]

    theirs = signed_in(charlie).get("/").context["board"]
    assert (theirs.sales_this_month, theirs.forecast_quarter) == (0, 0)
    assert theirs.pipeline_by_stage == [] and theirs.tickets_by_priority == []


def test_dashboard_queries_do_not_grow_with_data(
    alice: Any, pipeline: Any, team_a: Any, product: Any
) -> None:
    client = signed_in(alice)
    _sales_data(alice, pipeline, product)
    client.get("/")
    cache.clear()  # count the queries of a page computing its figures, both times
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(5):
        bob = User.objects.create_user(username=f"u{n}", password=PASSWORD, role="sales", team=team_a)
        _sales_data(bob, pipeline, product)
        task_create(
            actor=alice,
            data={"title": f"電話 {n}", "due_at": (timezone.now() + dt.timedelta(days=n)).isoformat()},
        )
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_dashboard_figures_are_cached_until_the_next_write(alice: Any, pipeline: Any, product: Any) -> None:
    client = signed_in(alice)
    _sales_data(alice, pipeline, product)
    with CaptureQueriesContext(connection) as computed:
        first = client.get("/").context["board"]
    with CaptureQueriesContext(connection) as cached:
        again = client.get("/").context["board"]
    assert len(cached) < len(computed) - 5  # the aggregate queries were skipped
    assert (again.sales_this_month, again.forecast_quarter) == (
        first.sales_this_month,
        first.forecast_quarter,
    )
    assert again.as_of == first.as_of
    # A write through a service is an event: the next request computes the figures again.
    contact = contact_create(actor=alice, data={"family_name": "新規"})
    deal_create(actor=alice, data={"title": "追加", "contact": contact.pk, "amount": 2_000_000})
    after = client.get("/").context["board"]
    assert sum(row["count"] for row in after.pipeline_by_stage) == 2
    assert after.as_of > first.as_of


def test_global_search_finds_by_kana_and_hides_other_teams(alice: Any, charlie: Any) -> None:
    contact_create(
        actor=alice,
        data={
            "family_name": "山田",
            "given_name": "太郎",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "タロウ",
        },
    )
    hits = signed_in(alice).get(reverse("search"), {"q": "やまだ"})
    assert hits.status_code == 200
    assert [c.family_name for c in hits.context["results"].contacts] == ["山田"]
    assert signed_in(charlie).get(reverse("search"), {"q": "やまだ"}).context["results"].total == 0


def test_a_coded_error_from_a_view_becomes_a_page_with_its_remedy(alice: Any, charlie: Any) -> None:
    contact = contact_create(actor=alice, data={"family_name": "鈴木", "given_name": "次郎"})
    from kizuna.customers import selectors

    with pytest.raises(Exception) as caught:
        selectors.contact_get(user=charlie, pk=contact.pk)
    # The middleware turns the same error into the coded page a person reads.
    from django.test import RequestFactory

    from kizuna.web.middleware import UserPreferencesMiddleware

    request = RequestFactory().get("/contacts/1/")
    request.user = charlie
    response = UserPreferencesMiddleware(lambda r: None).process_exception(request, caught.value)  # type: ignore[arg-type]
    assert response is not None and response.status_code == 404
    assert "KZ-AUTH-001" in response.content.decode()


def test_unknown_pages_get_the_kizuna_404_page(alice: Any, settings: Any) -> None:
    settings.DEBUG = False
    User.objects.filter(pk=alice.pk).update(language="en")
    response = signed_in(alice).get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
