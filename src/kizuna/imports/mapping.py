"""Mapping a file's columns to Kizuna's fields: automatic from headers in Japanese and English, with
the layouts of common exports (Salesforce, HubSpot, Zoho, kintone), overridable by the user.

Headers are compared after folding (NFKC, case, spaces, brackets, ``-_./・:``), so ``E-mail``,
``メール アドレス`` and ``姓（フリガナ）`` find their field. A custom field maps by its key or its
Japanese or English label. Two columns that claim one field: the first keeps it, the second is
reported (a mapping never silently drops a column: :attr:`Mapping.unmapped` lists the rest).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kizuna.core.errors import KizunaError

__all__ = ["COMPANY_FIELDS", "CONTACT_FIELDS", "Mapping", "auto_map", "header_key", "parse_overrides"]

# Field -> the headers that mean it (folded by header_key before comparing). Order matters only for
# readability; every synonym is unique across fields (a test checks).
CONTACT_FIELDS: dict[str, tuple[str, ...]] = {
    "family_name": ("姓", "苗字", "名字", "氏", "last name", "lastname", "surname", "family name", "姓(漢字)"),
    "given_name": ("名", "first name", "firstname", "given name", "名(漢字)"),
    "family_name_kana": (
        "セイ", "せい", "姓カナ", "姓(カナ)", "姓フリガナ", "姓(フリガナ)", "フリガナ(姓)", "姓ふりがな",
        "姓(ふりがな)", "姓よみ", "last name kana", "last name (kana)", "lastname kana",
    ),
    "given_name_kana": (
        "メイ", "めい", "名カナ", "名(カナ)", "名フリガナ", "名(フリガナ)", "フリガナ(名)", "名ふりがな",
        "名(ふりがな)", "名よみ", "first name kana", "first name (kana)", "firstname kana",
    ),
    "full_name": ("氏名", "名前", "お名前", "氏名(漢字)", "担当者名", "顧客名", "full name", "fullname", "name", "contact name"),
    "full_name_kana": ("フリガナ", "ふりがな", "氏名カナ", "氏名(カナ)", "氏名フリガナ", "カナ", "よみがな", "読み", "full name kana"),
    "company": (
        "会社名", "会社", "企業名", "法人名", "取引先名", "取引先", "勤務先", "company", "company name",
        "account name", "account", "organization", "organisation",
    ),
    "department": ("部署", "部署名", "所属", "部門", "department", "division"),
    "title": ("役職", "肩書", "肩書き", "title", "job title", "position"),
    "email": (
        "メール", "メールアドレス", "eメール", "eメールアドレス", "e-mail", "email", "email address",
        "mail", "mail address", "電子メール",
    ),
    "phone": (
        "電話番号", "電話", "tel", "telephone", "phone", "phone number", "business phone", "会社電話番号",
        "代表電話", "work phone",
    ),
    "mobile": ("携帯", "携帯電話", "携帯番号", "携帯電話番号", "mobile", "mobile phone", "mobilephone", "cell", "cell phone"),
    "postal_code": (
        "郵便番号", "〒", "zip", "zip code", "zipcode", "postal code", "postcode", "mailingpostalcode",
        "mailing zip/postal code", "postal",
    ),
    "prefecture": ("都道府県", "県", "state", "state/region", "state/province", "prefecture", "mailingstate", "mailing state/province", "region"),
    "city": ("市区町村", "市町村", "city", "mailingcity", "mailing city"),
    "address_line1": (
        "住所", "住所1", "番地", "所在地", "street", "street address", "address", "address 1", "mailingstreet",
        "mailing street",
    ),
    "address_line2": ("住所2", "建物名", "ビル名", "address 2", "street address 2"),
    "birth_date": ("生年月日", "誕生日", "birthdate", "birth date", "date of birth", "birthday"),
    "source": ("流入元", "獲得経路", "リードソース", "lead source", "leadsource", "source", "original source"),
    "lifecycle_status": ("ステータス", "状態", "lifecycle stage", "lifecycle status", "status"),
    "consent_state": ("メール配信同意", "配信同意", "同意", "marketing consent", "consent", "email opt in"),
    "consent_source": ("同意取得元", "同意の取得元", "consent source"),
    "tags": ("タグ", "tags", "tag", "ラベル"),
    "external_id": (
        "外部id", "external id", "externalid", "id", "レコードid", "レコード番号", "contact id", "record id",
        "顧客id", "顧客番号", "顧客コード", "$id",
    ),
    "created_at": ("登録日", "作成日", "作成日時", "登録日時", "createddate", "created date", "create date", "created"),
}  # fmt: skip

# The headers of company lists (取引先一覧) and CRM account exports.
COMPANY_FIELDS: dict[str, tuple[str, ...]] = {
    "name": (
        "会社名", "企業名", "法人名", "取引先名", "社名", "顧客名", "company", "company name", "account name",
        "account", "organization", "organisation", "name",
    ),
    "name_kana": ("会社名カナ", "会社名(カナ)", "会社名フリガナ", "フリガナ", "カナ", "よみがな", "company kana", "name kana"),
    "corporate_number": ("法人番号", "corporate number", "houjin bangou"),
    "industry": ("業種", "業界", "industry"),
    "size": ("従業員規模", "規模", "従業員数", "size", "employees", "number of employees"),
    "website": ("ウェブサイト", "ホームページ", "url", "website", "web site", "domain"),
    "phone": ("電話番号", "代表電話", "電話", "tel", "phone", "phone number", "main phone"),
    "postal_code": ("郵便番号", "〒", "zip", "zip code", "postal code", "postcode", "billingpostalcode", "billing zip/postal code"),
    "prefecture": ("都道府県", "県", "state", "state/region", "prefecture", "billingstate", "billing state/province"),
    "city": ("市区町村", "city", "billingcity", "billing city"),
    "address_line1": ("住所", "住所1", "所在地", "本社所在地", "street", "street address", "address", "billingstreet", "billing street"),
    "address_line2": ("住所2", "建物名", "ビル名", "address 2", "street address 2"),
    "tags": ("タグ", "tags", "tag", "ラベル"),
    "external_id": ("外部id", "external id", "externalid", "id", "取引先id", "取引先コード", "顧客コード", "会社id", "account id", "record id", "$id"),
    "created_at": ("登録日", "作成日", "作成日時", "createddate", "created date", "create date", "created"),
}  # fmt: skip

_FOLD_RE = re.compile(r"[\s\-_./・:：()（）「」\[\]【】]+")


def header_key(header: str) -> str:
    """A header folded for comparison: "E-mail" -> "email", "姓（フリガナ）" -> "姓フリガナ"."""
    text = unicodedata.normalize("NFKC", header or "").strip().lstrip("\ufeff").lower()
    return _FOLD_RE.sub("", text)


def _synonym_index(fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, synonyms in fields.items():
        for synonym in (name, *synonyms):
            index.setdefault(header_key(synonym), name)
    return index


_CONTACT_INDEX = _synonym_index(CONTACT_FIELDS)
_INDEXES = {"contacts": _CONTACT_INDEX, "companies": _synonym_index(COMPANY_FIELDS)}
_FIELDS = {"contacts": CONTACT_FIELDS, "companies": COMPANY_FIELDS}


@dataclass
class Mapping:
    """Which column feeds which field. ``columns`` maps column index -> field ("custom.rank" for a
    custom field); ``unmapped`` lists the indexes of columns that feed nothing; ``duplicates`` the
    columns that named a field another column had already taken."""

    headers: list[str]
    columns: dict[int, str] = field(default_factory=dict)
    unmapped: list[int] = field(default_factory=list)
    duplicates: dict[int, str] = field(default_factory=dict)

    def field_of(self, header: str) -> str | None:
        for index, name in self.columns.items():
            if self.headers[index] == header:
                return name
        return None

    def as_dict(self) -> dict[str, str]:
        """Header -> field, for saving a mapping by name and for reports."""
        return {self.headers[i]: name for i, name in sorted(self.columns.items())}


def auto_map(
    headers: Sequence[str],
    *,
    custom_fields: Iterable[Any] = (),
    overrides: dict[str, str] | None = None,
    object_type: str = "contacts",
) -> Mapping:
    """The mapping of ``headers`` to contact fields: the user's ``overrides`` (header -> field, "" to
    skip a column) first, then custom fields by key or label, then the synonyms of built-in fields."""
    index = dict(_INDEXES[object_type])
    for definition in custom_fields:
        for name in (definition.key, definition.label_ja, definition.label_en):
            if name:
                index[header_key(name)] = f"custom.{definition.key}"  # a custom field wins over a synonym
    chosen = {header_key(h): target for h, target in (overrides or {}).items()}
    mapping = Mapping(headers=list(headers))
    taken: set[str] = set()
    for position, header in enumerate(headers):
        key = header_key(header)
        target = chosen[key] if key in chosen else index.get(key)
        if not target:
            mapping.unmapped.append(position)
        elif target in taken:
            mapping.duplicates[position] = target
            mapping.unmapped.append(position)
        else:
            mapping.columns[position] = target
            taken.add(target)
    return mapping


def parse_overrides(
    pairs: Iterable[str], *, known: Iterable[str] = (), object_type: str = "contacts"
) -> dict[str, str]:
    """``--map "列名=field"`` options as a dict; ``"列名="`` skips the column. KZ-IMP-005 for a pair
    without "=", or for a field that is neither built in, nor in ``known`` (custom fields), with the
    closest field suggested."""
    fields = set(_FIELDS[object_type]) | set(known)
    out: dict[str, str] = {}
    for pair in pairs:
        header, sep, target = pair.partition("=")
        header, target = header.strip(), target.strip()
        if not sep or not header:
            raise KizunaError("KZ-IMP-005", context={"value": pair, "suggestion": "列名=family_name"})
        if target and target not in fields:
            raise KizunaError(
                "KZ-IMP-005", context={"value": pair, "suggestion": _closest(target, fields, object_type)}
            )
        out[header] = target
    return out


def _closest(name: str, fields: Iterable[str], object_type: str = "contacts") -> str:
    import difflib

    candidates = sorted(fields)
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    via_synonym = _INDEXES[object_type].get(header_key(name))
    return via_synonym or (match[0] if match else ", ".join(candidates))
