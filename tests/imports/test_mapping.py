"""kizuna.imports.mapping: headers of Japanese spreadsheets and of CRM exports find their fields."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kizuna.core.errors import KizunaError
from kizuna.imports.mapping import CONTACT_FIELDS, auto_map, header_key, parse_overrides


def fields(headers, **kwargs):
    mapping = auto_map(headers, **kwargs)
    return [mapping.columns.get(i) for i in range(len(headers))]


def test_every_synonym_means_one_field_only():
    seen: dict[str, str] = {}
    for name, synonyms in CONTACT_FIELDS.items():
        for synonym in (name, *synonyms):
            key = header_key(synonym)
            assert seen.setdefault(key, name) == name, f"{synonym!r} means both {seen[key]} and {name}"


def test_a_japanese_excel_sheet():
    headers = ["姓", "名", "セイ", "メイ", "会社名", "部署", "メールアドレス", "電話番号", "郵便番号", "都道府県", "住所", "生年月日", "登録日"]  # fmt: skip
    assert fields(headers) == [
        "family_name", "given_name", "family_name_kana", "given_name_kana", "company", "department", "email",
        "phone", "postal_code", "prefecture", "address_line1", "birth_date", "created_at",
    ]  # fmt: skip


def test_a_salesforce_contact_export():
    headers = ["FirstName", "LastName", "Account Name", "Department", "Email", "Phone", "MailingPostalCode", "MailingState", "MailingStreet", "Birthdate", "CreatedDate"]  # fmt: skip
    assert fields(headers) == [
        "given_name", "family_name", "company", "department", "email", "phone", "postal_code", "prefecture",
        "address_line1", "birth_date", "created_at",
    ]  # fmt: skip


def test_a_hubspot_contact_export_with_its_bom():
    headers = ["\ufeffFirst Name", "Last Name", "Company Name", "Email", "Phone Number", "Postal Code", "State/Region", "Street Address", "Date of birth", "Create Date"]  # fmt: skip
    assert fields(headers) == [
        "given_name", "family_name", "company", "email", "phone", "postal_code", "prefecture", "address_line1",
        "birth_date", "created_at",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail", "email"),
        ("Ｅメール", "email"),
        ("メール アドレス", "email"),
        ("苗字", "family_name"),
        ("Last Name", "family_name"),
        ("姓（フリガナ）", "family_name_kana"),
        ("フリガナ(名)", "given_name_kana"),
        ("TEL", "phone"),
        ("〒", "postal_code"),
        ("Zip", "postal_code"),
        ("外部ID", "external_id"),
        ("External ID", "external_id"),
        ("氏名", "full_name"),
        ("携帯電話番号", "mobile"),
    ],
)
def test_synonyms(header, field):
    assert fields([header]) == [field]


def test_custom_fields_map_by_key_or_label_and_win_over_synonyms():
    rank = SimpleNamespace(key="rank", label_ja="顧客ランク", label_en="Customer rank")
    status = SimpleNamespace(key="status", label_ja="取引状況", label_en="")
    assert fields(["顧客ランク", "customer rank", "rank", "status"], custom_fields=[rank, status]) == [
        "custom.rank",
        None,  # the same field again: reported, not mapped twice
        None,
        "custom.status",
    ]


def test_two_columns_for_one_field_keep_the_first_and_report_the_second():
    mapping = auto_map(["メール", "E-mail", "備考"])
    assert mapping.columns == {0: "email"}
    assert mapping.duplicates == {1: "email"}
    assert mapping.unmapped == [1, 2]  # nothing dropped unseen
    assert mapping.as_dict() == {"メール": "email"}


def test_overrides_win_and_an_empty_target_skips_a_column():
    mapping = auto_map(["メモ", "電話番号", "会社"], overrides={"メモ": "custom.note", "会社": ""})
    assert mapping.columns == {0: "custom.note", 1: "phone"}
    assert mapping.unmapped == [2]


def test_parse_overrides():
    assert parse_overrides(["苗字=family_name", " 会社 = company ", "備考="]) == {
        "苗字": "family_name",
        "会社": "company",
        "備考": "",
    }
    assert parse_overrides(["ランク=custom.rank"], known=["custom.rank"]) == {"ランク": "custom.rank"}


@pytest.mark.parametrize(
    ("pair", "suggestion"),
    [
        ("苗字=familyname", "family_name"),
        ("苗字=姓", "family_name"),
        ("苗字", "列名=family_name"),
        ("=email", "列名=family_name"),
    ],
)
def test_a_wrong_override_is_a_coded_error_with_a_suggestion(pair, suggestion):
    with pytest.raises(KizunaError) as exc:
        parse_overrides([pair])
    assert exc.value.code == "KZ-IMP-005"
    assert exc.value.context["suggestion"] == suggestion
    assert suggestion in exc.value.remedy("ja")
