"""The contact and company list screens: search, filters, sort, columns, pages, saved views, bulk actions,
and the create pages. Through the HTTP boundary, with the personas of tests/conftest.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.core.models import AuditEntry
from kizuna.customers import exports, selectors, services
from kizuna.customers.custom_fields import custom_field_define
from kizuna.customers.models import Company, Contact, SavedView

CONTACTS = "/contacts/"
COMPANIES = "/companies/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def contact(owner: Any, family: str, **data: Any) -> Contact:
    return services.contact_create(actor=owner, data={"family_name": family, **data})


def names(response: Any) -> list[str]:
    return [str(row["obj"]) for row in response.context["rows"]]


def english(*users: Any) -> None:
    """Show the UI in English to ``users`` (the personas default to Japanese) where a test reads texts."""
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def signed_in(client: Any, alice: Any) -> Any:
    client.force_login(alice)
    return client


# --- Search -----------------------------------------------------------------------------------------


def test_list_requires_sign_in(client, db):
    response = client.get(CONTACTS)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_url_names_are_the_contracted_ones():
    assert reverse("customers:contact_list") == "/contacts/"
    assert reverse("customers:contact_create") == "/contacts/new/"
    assert reverse("customers:company_list") == "/companies/"
    assert reverse("customers:company_create") == "/companies/new/"


@pytest.mark.parametrize("query", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "taro@yamada"])
def test_search_finds_a_kanji_named_contact_by_kana_kanji_or_email(signed_in, alice, query):
    contact(alice, "山田", given_name="太郎", family_name_kana="やまだ", email="taro@yamada.example.jp")
    contact(alice, "佐藤", given_name="花子", family_name_kana="サトウ")
    response = signed_in.get(CONTACTS, {"q": query})
    assert response.status_code == 200
    assert names(response) == ["山田 太郎"]
    assert "山田 太郎" in response.content.decode()
    assert "佐藤" not in response.content.decode().split('id="list-results"')[1]


def test_search_matches_the_company_name(signed_in, alice):
    acme = services.company_create(actor=alice, data={"name": "株式会社山田商事"})
    contact(alice, "鈴木", company=acme.pk)
    contact(alice, "佐藤")
    assert names(signed_in.get(CONTACTS, {"q": "山田商事"})) == ["鈴木"]


def test_search_as_you_type_returns_the_table_partial_and_the_clean_url(signed_in, alice):
    contact(alice, "山田", family_name_kana="ヤマダ")
    response = signed_in.get(CONTACTS, {"q": "やま", "owner": "", "tag": ""}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'hx-trigger="kizuna:list-refresh from:body"' in body
    assert response["HX-Push-Url"] == "/contacts/?q=%E3%82%84%E3%81%BE"
    page = signed_in.get(CONTACTS).content.decode()
    assert 'hx-trigger="input changed delay:250ms, search"' in page
    assert 'hx-push-url="true"' in page


def test_company_search_by_kana_and_without_legal_form(signed_in, alice):
    services.company_create(actor=alice, data={"name": "株式会社山田商事", "name_kana": "ヤマダショウジ"})
    services.company_create(actor=alice, data={"name": "佐藤工業株式会社"})
    for query in ("やまだしょうじ", "山田商事", "(株)山田商事"):
        assert names(signed_in.get(COMPANIES, {"q": query})) == ["株式会社山田商事"], query


def test_charlie_never_sees_team_a_rows_counts_or_search_hits(client, alice, charlie):
    contact(alice, "山田", family_name_kana="ヤマダ")
    contact(charlie, "大阪")
    client.force_login(charlie)
    assert names(client.get(CONTACTS)) == ["大阪"]
    response = client.get(CONTACTS, {"q": "やまだ"})
    assert names(response) == []
    assert response.context["count"] == 0
    assert "山田" not in response.content.decode()


# --- Filters, sort, columns, pages ---------------------------------------------------------------------


def test_filters_on_status_prefecture_tag_owner_and_created_date(signed_in, alice, bob):
    contact(alice, "山田", lifecycle_status="customer", prefecture="東京", tags=["VIP"])
    contact(alice, "佐藤", lifecycle_status="lead", prefecture="大阪")
    contact(bob, "鈴木", lifecycle_status="customer", prefecture="東京")
    assert names(signed_in.get(CONTACTS, {"lifecycle_status": "customer", "sort": "name"})) == [
        "山田",
        "鈴木",
    ]
    assert names(signed_in.get(CONTACTS, {"prefecture": "大阪府"})) == ["佐藤"]
    tag_id = Contact.objects.get(family_name="山田").tags.get().pk
    assert names(signed_in.get(CONTACTS, {"tag": tag_id})) == ["山田"]
    assert names(signed_in.get(CONTACTS, {"owner": bob.pk})) == ["鈴木"]
    Contact.objects.filter(family_name="佐藤").update(created_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate().isoformat()
    assert sorted(names(signed_in.get(CONTACTS, {"created_from": today}))) == ["山田", "鈴木"]
    old = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert names(signed_in.get(CONTACTS, {"created_to": old})) == ["佐藤"]


def test_filter_on_custom_fields_of_each_kind(signed_in, alice, admin_user):
    custom_field_define(
        actor=admin_user,
        object_type="customers.contact",
        key="rank",
        label_ja="ランク",
        field_type="choice",
        choices=["A", "B"],
    )
    custom_field_define(
        actor=admin_user, object_type="customers.contact", key="memo", label_ja="メモ", field_type="text"
    )
    custom_field_define(
        actor=admin_user,
        object_type="customers.contact",
        key="areas",
        label_ja="地域",
        field_type="multi_choice",
        choices=["関東", "関西"],
    )
    contact(alice, "山田", custom={"rank": "A", "memo": "大事な顧客", "areas": ["関東", "関西"]})
    contact(alice, "佐藤", custom={"rank": "B", "areas": ["関東"]})
    page = signed_in.get(CONTACTS)
    assert 'name="custom.rank"' in page.content.decode()
    assert "ランク" in page.content.decode()
    assert names(signed_in.get(CONTACTS, {"custom.rank": "A"})) == ["山田"]
    assert names(signed_in.get(CONTACTS, {"custom.memo": "大事"})) == ["山田"]
    assert names(signed_in.get(CONTACTS, {"custom.areas": "関西"})) == ["山田"]
    assert sorted(names(signed_in.get(CONTACTS, {"custom.areas": "関東"}))) == ["佐藤", "山田"]


def test_company_filters_on_industry_and_custom_field(signed_in, alice, admin_user):
    custom_field_define(
        actor=admin_user,
        object_type="customers.company",
        key="employees",
        label_ja="従業員数",
        field_type="number",
    )
    services.company_create(
        actor=alice, data={"name": "山田商事", "industry": "小売", "custom": {"employees": 30}}
    )
    services.company_create(
        actor=alice, data={"name": "佐藤工業", "industry": "製造", "custom": {"employees": 5}}
    )
    assert names(signed_in.get(COMPANIES, {"industry": "製造"})) == ["佐藤工業"]
    assert names(signed_in.get(COMPANIES, {"custom.employees": "30"})) == ["山田商事"]


def test_an_invalid_filter_value_is_shown_next_to_its_input_and_ignored(signed_in, alice):
    contact(alice, "山田")
    response = signed_in.get(CONTACTS, {"created_from": "yesterday-ish", "lifecycle_status": "nonsense"})
    assert response.status_code == 200
    assert names(response) == ["山田"]
    form = response.context["form"]
    assert set(form.errors) == {"created_from", "lifecycle_status"}
    assert 'class="form-row has-error"' in response.content.decode()


def test_sort_by_column_header_both_ways_with_id_as_tie_breaker(signed_in, alice):
    for family, kana in [("佐藤", "サトウ"), ("山田", "ヤマダ"), ("阿部", "アベ"), ("阿部", "アベ")]:
        contact(alice, family, family_name_kana=kana)
    ascending = signed_in.get(CONTACTS, {"sort": "name"})
    assert names(ascending) == ["阿部", "阿部", "佐藤", "山田"]
    abe_ids = [r["obj"].pk for r in ascending.context["rows"][:2]]
    assert abe_ids == sorted(abe_ids)
    header = next(h for h in ascending.context["headers"] if h["key"] == "name")
    assert header["aria_sort"] == "ascending"
    assert "sort=-name" in header["url"]
    assert names(signed_in.get(CONTACTS, {"sort": "-name"})) == ["山田", "佐藤", "阿部", "阿部"]
    # A sort key outside the whitelist falls back to the default order instead of reaching the database.
    assert signed_in.get(CONTACTS, {"sort": "owner__password"}).context["state"].sort == "-updated_at"


def test_column_chooser_shows_the_chosen_columns_and_keeps_them_in_links(signed_in, alice):
    contact(alice, "山田", email="yamada@example.jp", department="営業部")
    response = signed_in.get(CONTACTS, {"cols": ["email", "department"]})
    assert [h["key"] for h in response.context["headers"]] == ["name", "department", "email"]
    assert "営業部" in response.content.decode()
    assert "cols=department" in response.context["current_url"]
    default = signed_in.get(CONTACTS)
    assert [h["key"] for h in default.context["headers"]] == [
        "name",
        "company",
        "email",
        "phone",
        "lifecycle_status",
        "tags",
        "owner",
        "updated_at",
    ]


def test_pages_of_fifty_without_counting_the_unfiltered_table(signed_in, alice):
    english(alice)
    Contact.objects.bulk_create(
        Contact(family_name=f"顧客{i:03}", owner=alice, team=alice.team) for i in range(51)
    )
    with CaptureQueriesContext(connection) as queries:
        first = signed_in.get(CONTACTS)
    assert len(first.context["rows"]) == 50
    assert first.context["has_next"] is True
    assert first.context["count"] is None
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "more on the next pages" in first.content.decode()
    second = signed_in.get(CONTACTS, {"page": 2})
    assert len(second.context["rows"]) == 1
    assert second.context["has_next"] is False
    # A filtered list counts, in a request of its own (htmx, on load): the rows never wait for it.
    with CaptureQueriesContext(connection) as queries:
        filtered = signed_in.get(CONTACTS, {"lifecycle_status": "lead"})
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert filtered.context["count"] is None
    count_url = filtered.context["count_url"]
    assert count_url == f"{CONTACTS}count/?lifecycle_status=lead&last=50"
    page = filtered.content.decode()
    assert f'hx-get="{count_url.replace("&", "&amp;")}" hx-trigger="load" hx-target="this"' in page
    assert "1–50 (more on the next pages)" in page
    counted = signed_in.get(count_url)
    assert counted.status_code == 200
    assert '<p class="list-count"' in counted.content.decode() and "hx-get" not in counted.content.decode()
    assert "1–50 of 51 matches" in counted.content.decode()
    on_two = signed_in.get(f"{CONTACTS}count/", {"lifecycle_status": "lead", "page": 2, "last": 51})
    assert "51–51 of 51 matches" in on_two.content.decode()
    # Without a next page the count is the page's own: no second request.
    last_page = signed_in.get(CONTACTS, {"lifecycle_status": "lead", "page": 2})
    assert last_page.context["count"] == 51 and not last_page.context["count_url"]
    assert "51–51 of 51 matches" in last_page.content.decode()


def test_the_count_request_sees_only_visible_records_and_caps(signed_in, alice, charlie, monkeypatch):
    english(alice)
    Contact.objects.bulk_create(
        Contact(family_name=f"顧客{i:03}", owner=alice, team=alice.team) for i in range(60)
    )
    Contact.objects.bulk_create(
        Contact(family_name=f"他{i:03}", owner=charlie, team=charlie.team) for i in range(9)
    )
    counted = signed_in.get(f"{CONTACTS}count/", {"lifecycle_status": "lead", "last": 50}).content.decode()
    assert "1–50 of 60 matches" in counted
    monkeypatch.setattr("kizuna.customers.selectors.COUNT_LIMIT", 55)
    counted = signed_in.get(f"{CONTACTS}count/", {"lifecycle_status": "lead", "last": 50}).content.decode()
    assert "1–50 of more than 55 matches" in counted


def _query_count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_contact_list_query_count_does_not_grow_with_rows(signed_in, alice, admin_user):
    custom_field_define(
        actor=admin_user, object_type="customers.contact", key="rank", label_ja="ランク", field_type="text"
    )
    acme = services.company_create(actor=alice, data={"name": "山田商事"})
    contact(alice, "山田0", company=acme.pk, tags=["VIP"], custom={"rank": "A"})
    # Every column: the page loads only the fields columns declare, so one reading another would cost
    # a query per row here.
    keys = [
        c.key
        for c in exports.contact_columns(selectors.custom_field_definitions(object_type="customers.contact"))
    ]
    assert "custom.rank" in keys
    all_columns = "&".join(f"cols={k}" for k in keys)
    one = _query_count(signed_in, f"{CONTACTS}?{all_columns}")
    for i in range(1, 6):
        contact(alice, f"山田{i}", company=acme.pk, tags=["VIP", f"t{i}"], custom={"rank": "B"})
    assert _query_count(signed_in, f"{CONTACTS}?{all_columns}") == one
    page = signed_in.get(f"{CONTACTS}?{all_columns}").content.decode()
    row = re.search(r"<tr><td class=\"select-col\">.*?山田5.*?</tr>", page, re.S)
    assert row, page
    for shown in (
        "山田商事",
        '<span class="badge neutral">VIP</span>',
        '<span class="badge neutral">t5</span>',
        str(alice),
        "<td>B</td>",
    ):
        assert shown in row.group(0), shown
    # A search asks its index instead of the small-set probe of a plain list; one page of results
    # is its own count.
    assert _query_count(signed_in, f"{CONTACTS}?q=山田&{all_columns}") == one


def test_company_list_query_count_does_not_grow_with_rows(signed_in, alice):
    services.company_create(actor=alice, data={"name": "会社0", "tags": ["VIP"]})
    url = f"{COMPANIES}?" + "&".join(f"cols={c.key}" for c in exports.company_columns())
    one = _query_count(signed_in, url)
    for i in range(1, 6):
        services.company_create(actor=alice, data={"name": f"会社{i}", "tags": ["VIP", f"t{i}"]})
    assert _query_count(signed_in, url) == one


# --- Saved views --------------------------------------------------------------------------------------


def save_view(client: Any, name: str, *, shared: bool = False, pk: int | None = None, **filters: Any) -> Any:
    url = f"{CONTACTS}views/{pk}/" if pk else f"{CONTACTS}views/"
    data = {"name": name, **({"shared": "on"} if shared else {}), **filters}
    return client.post(url, data, **HTMX)


def test_save_current_view_then_open_it(signed_in, alice):
    contact(alice, "山田", lifecycle_status="customer", family_name_kana="ヤマダ")
    contact(alice, "佐藤", lifecycle_status="lead")
    response = save_view(signed_in, "顧客のみ", lifecycle_status="customer", sort="-name", cols=["email"])
    view = SavedView.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/contacts/?view={view.pk}"
    assert (view.owner, view.object_type, view.shared) == (alice, "contact", False)
    assert view.query == {"lifecycle_status": "customer", "sort": "-name"}
    assert view.columns == ["name", "email"]
    opened = signed_in.get(CONTACTS, {"view": view.pk})
    assert names(opened) == ["山田"]
    assert [h["key"] for h in opened.context["headers"]] == ["name", "email"]
    assert f'<option value="{view.pk}" selected>顧客のみ' in opened.content.decode()
    # Changing a filter while in the view: the explicit parameters win.
    assert names(signed_in.get(CONTACTS, {"view": view.pk, "lifecycle_status": "lead"})) == ["佐藤"]


def test_a_duplicate_view_name_is_kz_val_002_next_to_the_name(signed_in, alice):
    save_view(signed_in, "東京の顧客", prefecture="東京都")
    response = save_view(signed_in, "東京の顧客", prefecture="大阪府")
    assert response.status_code == 422
    body = response.content.decode()
    error = re.search(r'<span class="field-error" id="view_name_error">(.*?)</span>\s*</div>', body, re.S)
    assert error and "KZ-VAL-002" in error.group(1)
    assert SavedView.objects.count() == 1
    # Another list (companies) may use the same name.
    other = signed_in.post(f"{COMPANIES}views/", {"name": "東京の顧客"}, **HTMX)
    assert other.status_code == 200
    assert SavedView.objects.count() == 2


def test_a_view_name_is_required(signed_in):
    response = save_view(signed_in, " ")
    assert response.status_code == 422
    assert "KZ-VAL-001" in response.content.decode()
    assert not SavedView.objects.exists()


def test_shared_views_are_seen_by_everyone_personal_ones_by_their_owner_only(client, alice, bob, charlie):
    client.force_login(alice)
    save_view(client, "私用")
    save_view(client, "共有", shared=True)
    personal, shared = SavedView.objects.get(name="私用"), SavedView.objects.get(name="共有")
    client.force_login(charlie)
    listed = [v.name for v in client.get(CONTACTS).context["views"]]
    assert listed == ["共有"]
    assert client.get(CONTACTS, {"view": personal.pk}).status_code == 404
    assert client.get(CONTACTS, {"view": shared.pk}).status_code == 200
    client.force_login(bob)
    refused = save_view(client, "乗っ取り", pk=shared.pk)
    assert refused.status_code == 403
    assert "KZ-AUTH-002" in refused.content.decode()
    assert client.post(f"{CONTACTS}views/{shared.pk}/delete/").status_code == 403
    assert SavedView.objects.get(pk=shared.pk).name == "共有"


def test_owner_and_administrator_can_update_and_delete_a_shared_view(client, alice, admin_user):
    english(alice)
    client.force_login(alice)
    save_view(client, "共有", shared=True, lifecycle_status="lead")
    view = SavedView.objects.get()
    page = client.get(CONTACTS, {"view": view.pk}).content.decode()
    assert "Update this view" in page
    response = save_view(client, "共有(顧客)", shared=True, pk=view.pk, lifecycle_status="customer")
    assert response.status_code == 200
    view.refresh_from_db()
    assert (view.name, view.query) == ("共有(顧客)", {"lifecycle_status": "customer"})
    client.force_login(admin_user)
    assert client.post(f"{CONTACTS}views/{view.pk}/delete/", **HTMX)["HX-Redirect"] == "/contacts/"
    assert not SavedView.objects.exists()
    assert AuditEntry.objects.filter(object_type="customers.savedview", action="delete").exists()


# --- Bulk actions -------------------------------------------------------------------------------------


def bulk(client: Any, url: str, action: str, ids: list[int], **extra: Any) -> Any:
    return client.post(f"{url}bulk/", {"action": action, "ids": ids, **extra}, **HTMX)


def test_bulk_assign_owner_reports_records_the_user_may_not_change(client, alice, bob, charlie, team_a):
    marketer = User.objects.create_user("mika", password="x-long-password-1", role="marketing", team=team_a)
    own = contact(marketer, "自分の")
    alices = contact(alice, "アリスの")
    outsiders = contact(charlie, "他チーム")
    client.force_login(marketer)
    response = bulk(client, CONTACTS, "assign_owner", [own.pk, alices.pk, outsiders.pk], owner=bob.pk)
    # Marketing edits only its own records: bob is not assignable by mika (own scope) -> each refused.
    assert response.status_code == 200
    result = response.context["result"]
    assert [r["pk"] for r in result["failed"]] == [own.pk, alices.pk, outsiders.pk]
    codes = [r["error"].code for r in result["failed"]]
    assert codes == ["KZ-AUTH-002", "KZ-AUTH-002", "KZ-AUTH-001"]
    body = response.content.decode()
    assert "アリスの" in body and "他チーム" not in body and f"#{outsiders.pk}" in body
    client.force_login(alice)
    response = bulk(client, CONTACTS, "assign_owner", [alices.pk, own.pk, outsiders.pk], owner=bob.pk)
    result = response.context["result"]
    assert [r["pk"] for r in result["done"]] == [alices.pk, own.pk]
    assert [(r["pk"], r["error"].code) for r in result["failed"]] == [(outsiders.pk, "KZ-AUTH-001")]
    assert set(Contact.objects.filter(owner=bob).values_list("pk", flat=True)) == {alices.pk, own.pk}
    assert Contact.objects.get(pk=outsiders.pk).owner == charlie
    assert json.loads(response["HX-Trigger"]) == {"kizuna:list-refresh": True}


def test_bulk_add_tag_keeps_existing_tags_and_writes_audit(signed_in, alice):
    first = contact(alice, "山田", tags=["既存"])
    second = contact(alice, "佐藤")
    response = bulk(signed_in, CONTACTS, "add_tag", [first.pk, second.pk], tag="展示会2024")
    assert len(response.context["result"]["done"]) == 2
    assert sorted(first.tags.values_list("name", flat=True)) == ["展示会2024", "既存"]
    assert list(second.tags.values_list("name", flat=True)) == ["展示会2024"]
    entry = AuditEntry.objects.filter(object_id=first.pk, action="update").get()
    assert entry.changes["tags"] == {"before": ["既存"], "after": ["展示会2024", "既存"]}


def test_bulk_action_without_rows_or_tag_is_a_coded_error(signed_in, alice):
    response = bulk(signed_in, CONTACTS, "add_tag", [], tag="VIP")
    assert response.status_code == 422
    assert "KZ-VAL-001" in response.content.decode()
    first = contact(alice, "山田")
    response = bulk(signed_in, CONTACTS, "add_tag", [first.pk], tag="  ")
    assert response.status_code == 422
    assert "KZ-VAL-001" in response.content.decode()


def test_bulk_delete_confirms_first_then_deletes_through_the_service(client, alice, bob):
    english(bob)
    alices = contact(alice, "アリスの")
    bobs = contact(bob, "ボブの")
    client.force_login(bob)
    preview = bulk(client, CONTACTS, "delete_confirm", [alices.pk, bobs.pk])
    assert preview.status_code == 200
    assert [str(o) for o in preview.context["preview"]["deletable"]] == ["ボブの"]
    refused = preview.context["preview"]["refused"]
    assert [(r["name"], r["error"].code) for r in refused] == [("アリスの", "KZ-AUTH-002")]
    body = preview.content.decode()
    assert "Delete 1 record?" in body and "KZ-AUTH-002" in body
    assert Contact.objects.count() == 2  # nothing deleted by the confirmation step
    done = bulk(client, CONTACTS, "delete", [alices.pk, bobs.pk])
    assert [r["pk"] for r in done.context["result"]["done"]] == [bobs.pk]
    assert [(r["pk"], r["error"].code) for r in done.context["result"]["failed"]] == [
        (alices.pk, "KZ-AUTH-002")
    ]
    assert list(Contact.objects.values_list("pk", flat=True)) == [alices.pk]
    assert AuditEntry.objects.filter(object_id=bobs.pk, action="delete", actor=bob).exists()


def test_bulk_on_companies(signed_in, alice, bob):
    company = services.company_create(actor=alice, data={"name": "山田商事"})
    other = services.company_create(actor=alice, data={"name": "佐藤工業"})
    response = bulk(signed_in, COMPANIES, "assign_owner", [company.pk], owner=bob.pk)
    assert len(response.context["result"]["done"]) == 1
    company.refresh_from_db()
    assert company.owner == bob
    response = bulk(signed_in, COMPANIES, "delete", [company.pk, other.pk])
    assert [(r["pk"], r["error"].code) for r in response.context["result"]["failed"]] == [
        (company.pk, "KZ-AUTH-002")
    ]
    assert list(Company.objects.values_list("pk", flat=True)) == [company.pk]


def test_bulk_without_htmx_renders_a_full_page(signed_in, alice):
    first = contact(alice, "山田")
    response = signed_in.post(f"{CONTACTS}bulk/", {"action": "add_tag", "ids": [first.pk], "tag": "VIP"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()


# --- Create pages -------------------------------------------------------------------------------------


def _field_error(body: str, field: str) -> str:
    match = re.search(
        rf'<span class="field-error" id="id_{re.escape(field)}_error">(.*?)</span>\s*(?:<span|</div>)',
        body,
        re.S,
    )
    return match.group(1) if match else ""


def test_create_contact_with_invalid_fields_shows_each_coded_error_and_saves_nothing(signed_in):
    response = signed_in.post(
        "/contacts/new/",
        {
            "family_name": "",
            "prefecture": "ニューヨーク",
            "phone": "12345",
            "email": "taro@",
            "lifecycle_status": "lead",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "KZ-VAL-001" in _field_error(body, "family_name")
    assert "KZ-VAL-005" in _field_error(body, "prefecture")
    assert "KZ-VAL-006" in _field_error(body, "phone")
    assert "市外局番から入力してください" in _field_error(body, "phone")  # the remedy, in alice's language
    assert "KZ-VAL-008" in _field_error(body, "email")
    assert 'value="12345"' in body  # what the user typed is kept
    assert not Contact.objects.exists()


def test_create_contact_success_redirects_to_its_page(signed_in, alice, bob, admin_user):
    custom_field_define(
        actor=admin_user,
        object_type="customers.contact",
        key="rank",
        label_ja="ランク",
        field_type="choice",
        choices=["A", "B"],
    )
    acme = services.company_create(actor=alice, data={"name": "株式会社山田商事"})
    response = signed_in.post(
        "/contacts/new/",
        {
            "family_name": "山田",
            "given_name": "太郎",
            "family_name_kana": "やまだ",
            "company": "山田商事",
            "phone": "03-1234-5678",
            "prefecture": "東京",
            "lifecycle_status": "prospect",
            "consent_state": "unknown",
            "owner": bob.pk,
            "tags": "VIP, 展示会",
            "custom.rank": "A",
        },
    )
    created = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{created.pk}/"
    assert (created.company, created.owner, created.prefecture) == (acme, bob, "東京都")
    assert created.family_name_kana == "ヤマダ"
    assert created.custom == {"rank": "A"}
    assert sorted(created.tags.values_list("name", flat=True)) == ["VIP", "展示会"]


def test_create_contact_with_a_company_the_user_cannot_see_is_refused(client, alice, charlie):
    hidden = services.company_create(actor=charlie, data={"name": "大阪商事"})
    client.force_login(alice)
    response = client.post(
        "/contacts/new/",
        {
            "family_name": "山田",
            "company": f"大阪商事 #{hidden.pk}",
            "lifecycle_status": "lead",
            "consent_state": "unknown",
        },
    )
    assert response.status_code == 422
    assert "KZ-VAL-011" in _field_error(response.content.decode(), "company")
    assert not Contact.objects.exists()


def test_new_contact_from_a_company_page_starts_with_the_company(client, alice, charlie):
    acme = services.company_create(actor=alice, data={"name": "山田商事"})
    client.force_login(alice)
    response = client.get("/contacts/new/", {"company": acme.pk})
    assert f'value="山田商事 #{acme.pk}"' in response.content.decode()
    client.force_login(charlie)
    assert client.get("/contacts/new/", {"company": acme.pk}).status_code == 404


def test_company_suggestions_list_only_visible_companies(client, alice, charlie):
    services.company_create(actor=alice, data={"name": "山田商事", "name_kana": "ヤマダショウジ"})
    services.company_create(actor=charlie, data={"name": "山田物産"})
    client.force_login(alice)
    body = client.get("/companies/suggest/", {"company": "やまだ"}).content.decode()
    assert "山田商事 #" in body and "山田物産" not in body


def test_create_company_error_then_success(signed_in):
    response = signed_in.post(
        "/companies/new/", {"name": "", "corporate_number": "123", "website": "not a url"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "KZ-VAL-001" in _field_error(body, "name")
    assert "KZ-VAL-007" in _field_error(body, "corporate_number")
    assert not Company.objects.exists()
    response = signed_in.post("/companies/new/", {"name": "(株)山田商事", "prefecture": "大阪"})
    company = Company.objects.get()
    assert response["Location"] == f"/companies/{company.pk}/"
    assert company.name == "株式会社山田商事"


def test_read_only_user_cannot_create(client, reader):
    client.force_login(reader)
    response = client.post(
        "/contacts/new/", {"family_name": "山田", "lifecycle_status": "lead", "consent_state": "unknown"}
    )
    assert response.status_code == 403
    assert "KZ-AUTH-002" in response.content.decode()
    assert not Contact.objects.exists()
