"""The search index: documents and queries (pure), then real searches on the database under test."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from kizuna.core import search
from kizuna.core.normalize.search import parse_query, search_document
from kizuna.customers import selectors, services
from kizuna.customers.models import Contact
from kizuna.sales.models import Deal
from kizuna.sales.services import deal_create
from kizuna.support.services import ticket_create
from kizuna.web.selectors import global_search

# --- Documents and queries ----------------------------------------------------------------------


def test_document_cuts_japanese_into_grams_and_latin_into_words() -> None:
    document = search_document(["山田 太郎", "Taro.Yamada12@Example.jp", None, "", "03-1234-5678"])
    assert document == "山田 田太 太郎 郎 | taro | yamada12 | example | jp | 0312345678"


def test_document_folds_width_and_katakana() -> None:
    assert search_document(["ﾔﾏﾀﾞ"]) == search_document(["やまだ"]) == search_document(["ヤマダ"])
    assert search_document(["ＡＢＣ商事"]) == "abc | 商事 事"


def _matches(query: str, document: str) -> bool:
    """What the database does with the terms and patterns, in Python."""
    parsed = parse_query(query)
    tokens = set(document.replace("|", " ").split())
    for token, prefix in parsed.terms:
        if not (any(t.startswith(token) for t in tokens) if prefix else token in tokens):
            return False
    for text, word_start in parsed.patterns:
        if word_start and not (document.startswith(text) or " " + text in document):
            return False
        if not word_start and text not in document:
            return False
    return bool(parsed)


@pytest.mark.parametrize(
    "value",
    ["株式会社山田商事", "やまだたろう", "髙橋ホールディングス", "サトウ", "一"],
)
def test_every_substring_of_a_japanese_value_is_found(value: str) -> None:
    document = search_document([value])
    for start in range(len(value)):
        for end in range(start + 1, len(value) + 1):
            assert _matches(value[start:end], document), value[start:end]


@pytest.mark.parametrize(
    ("query", "document_parts", "found"),
    [
        ("さとう", ["さとみ", "とうこ"], False),  # the grams are there, but not consecutively
        ("さとう", ["さとうみ"], True),
        ("山田 太郎", ["山田太郎"], True),  # every word, anywhere
        ("山田 花子", ["山田太郎"], False),
        ("yama", ["taro.yamada@example.jp"], True),  # Latin: word prefix
        ("mada", ["taro.yamada@example.jp"], False),
        ("03-1234", ["+81312345678"], False),  # a stored E.164 is not what people type...
        ("03-1234-5678", ["03-1234-5678"], True),  # ...the document holds the national digits
        ("0312", ["03-1234-5678"], True),
    ],
)
def test_query_semantics(query: str, document_parts: list[str], found: bool) -> None:
    assert _matches(query, search_document(document_parts)) is found


def test_a_query_without_letters_or_digits_searches_nothing() -> None:
    assert not parse_query("  @ - ・ ")


# --- On the database ----------------------------------------------------------------------------


def _contact(actor: Any, family: str, given: str = "", **data: Any) -> Contact:
    return services.contact_create(actor=actor, data={"family_name": family, "given_name": given, **data})


def _found(user: Any, text: str, **kwargs: Any) -> set[str]:
    qs = search.search_filter(selectors.contact_list(user=user), text, **kwargs)
    return {str(c) for c in qs}


@pytest.fixture
def people(alice: Any) -> dict[str, Contact]:
    acme = services.company_create(actor=alice, data={"name": "株式会社山田商事"})
    return {
        "taro": _contact(
            alice,
            "山田",
            "太郎",
            family_name_kana="ヤマダ",
            given_name_kana="タロウ",
            email="Taro.Yamada@example.jp",
            phone="03-1234-5678",
            company=acme.pk,
        ),
        "hanako": _contact(alice, "佐藤", "花子", family_name_kana="サトウ", given_name_kana="ハナコ"),
        "satomi": _contact(alice, "里見", "冬子", family_name_kana="サトミ", given_name_kana="トウコ"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("山田", {"山田 太郎"}),
        ("太郎", {"山田 太郎"}),
        ("山田太郎", {"山田 太郎"}),
        ("山田 太郎", {"山田 太郎"}),
        ("やまだ", {"山田 太郎"}),
        ("ﾔﾏﾀﾞ", {"山田 太郎"}),  # half-width katakana
        ("タロウ", {"山田 太郎"}),
        ("山", {"山田 太郎"}),  # one kanji
        ("山田商事", {"山田 太郎"}),  # the company's name
        ("taro", {"山田 太郎"}),
        ("YAMADA", {"山田 太郎"}),
        ("03-1234-5678", {"山田 太郎"}),
        ("さとう", {"佐藤 花子"}),  # not 里見 冬子 (さとみ とうこ holds さと and とう)
        ("さと", {"佐藤 花子", "里見 冬子"}),
        ("鈴木", set()),
    ],
)
def test_contact_search(alice: Any, people: dict[str, Contact], query: str, expected: set[str]) -> None:
    assert _found(alice, query) == expected
    # The same answer when the index finds too many candidates and the patterns work alone.
    assert _found(alice, query, candidate_limit=0) == expected


def test_the_index_follows_updates_and_deletes(alice: Any, people: dict[str, Contact]) -> None:
    taro = people["taro"]
    services.contact_update(actor=alice, contact_id=taro.pk, data={"family_name": "鈴木"})
    assert _found(alice, "鈴木") == {"鈴木 太郎"}
    assert _found(alice, "山田太郎") == set()
    services.contact_delete(actor=alice, contact_id=taro.pk)
    assert _found(alice, "鈴木") == set()
    if connection.vendor == "sqlite":  # the FTS table forgot the row too, not just the LIKE check
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM customers_contact_fts WHERE customers_contact_fts MATCH %s", ['"鈴木"']
            )
            assert cursor.fetchall() == []


def test_renaming_a_company_renews_its_contacts_and_deals(
    alice: Any, people: dict[str, Contact], pipeline: Any
) -> None:
    taro = people["taro"]
    deal = deal_create(actor=alice, data={"title": "新規導入", "company": taro.company_id, "amount": 100})
    services.company_update(actor=alice, company_id=taro.company_id, data={"name": "有限会社鈴木物産"})
    assert _found(alice, "鈴木物産") == {"山田 太郎"}
    assert _found(alice, "山田商事") == set()
    deals = search.search_filter(Deal.objects.all(), "鈴木物産")
    assert list(deals) == [deal]


def test_search_respects_visibility(alice: Any, charlie: Any, people: dict[str, Contact]) -> None:
    _contact(charlie, "山田", "次郎")
    assert _found(alice, "山田") == {"山田 太郎"}
    assert _found(charlie, "山田") == {"山田 次郎"}


def test_global_search_uses_every_index(
    alice: Any, charlie: Any, people: dict[str, Contact], pipeline: Any
) -> None:
    deal_create(actor=alice, data={"title": "山田商事 追加ライセンス", "amount": 100})
    ticket_create(actor=alice, data={"subject": "請求書の再発行（山田）"})
    ticket_create(actor=charlie, data={"subject": "山田様の件"})
    results = global_search(user=alice, query="山田")
    assert [str(c) for c in results.contacts] == ["山田 太郎"]
    assert [c.name for c in results.companies] == ["株式会社山田商事"]
    assert [d.title for d in results.deals] == ["山田商事 追加ライセンス"]
    assert [t.subject for t in results.tickets] == ["請求書の再発行(山田)"]  # NFKC-folded; not charlie's


def test_migrate_restores_a_missing_index_part(alice: Any, people: dict[str, Contact]) -> None:
    table = Contact._meta.db_table
    if connection.vendor == "sqlite":
        search.drop_triggers(connection, table)  # what a table rebuild for a schema change does
    else:
        with connection.cursor() as cursor:  # the test's open transaction holds deferred key checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        search.drop_index(connection, table)
    assert search.missing_parts(connection, table)
    assert search.ensure_search_indexes() == [table]
    assert search.missing_parts(connection, table) == []
    _contact(alice, "鈴木", "一郎")  # indexed by the re-created trigger
    assert _found(alice, "鈴木") == {"鈴木 一郎"}


def test_a_common_query_is_remembered_and_skips_the_candidate_count(
    alice: Any, people: dict[str, Contact]
) -> None:
    from django.test.utils import CaptureQueriesContext

    qs = Contact.objects.all()
    with CaptureQueriesContext(connection) as first:
        assert {str(c) for c in search.search_filter(qs, "さと", candidate_limit=1)} == {
            "佐藤 花子",
            "里見 冬子",
        }
    with CaptureQueriesContext(connection) as again:
        assert {str(c) for c in search.search_filter(qs, "さと", candidate_limit=1)} == {
            "佐藤 花子",
            "里見 冬子",
        }
    assert len(again) == len(first) - 1  # no second look at the index
    # A rare query is asked every time: nothing remembered that could go stale the other way.
    with CaptureQueriesContext(connection) as rare:
        list(search.search_filter(qs, "山田"))
    with CaptureQueriesContext(connection) as rare_again:
        list(search.search_filter(qs, "山田"))
    assert len(rare_again) == len(rare) == 2
