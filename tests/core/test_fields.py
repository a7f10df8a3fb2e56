from __future__ import annotations

import datetime as dt

import pytest

from kizuna.core import fields as f
from kizuna.core.errors import KizunaError, KizunaValidationError


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        (f.Text(), "  山田　太郎  ", "山田 太郎"),
        (f.Text(multiline=True), " 一行目\n二行目 ", "一行目\n二行目"),
        (f.Kana(), "やまだ", "ヤマダ"),
        (f.CompanyName(), "㈱山田商事", "株式会社山田商事"),
        (f.Email(), " mailto:Taro@Example.JP ", "Taro@example.jp"),
        (f.PostalCode(), "〒１００－０００１", "100-0001"),
        (f.Prefecture(), "Osaka", "大阪府"),
        (f.CorporateNumber(), "7000-0120-50002", "7000012050002"),
        (f.ExternalId(), " SF-001 ", "SF-001"),
        (f.Url(), "www.example.co.jp", "https://www.example.co.jp"),
        (f.Integer(), "１,２００円", 1200),
        (f.Integer(), 3.0, 3),
        (f.Date(), "2024/4/1", dt.date(2024, 4, 1)),
        (f.Date(), "2024-04-01", dt.date(2024, 4, 1)),
        (f.Boolean(), "はい", True),
        (f.Boolean(), "0", False),
    ],
)
def test_values_are_normalized(spec, value, expected):
    assert spec.clean("x", value) == {"x": expected}


def test_phone_keeps_e164_and_raw_text():
    assert f.Phone().clean("phone", "０９０－１２３４－５６７８") == {
        "phone": "+819012345678",
        "phone_raw": "０９０－１２３４－５６７８",
    }


@pytest.mark.parametrize(
    ("spec", "value", "code"),
    [
        (f.Text(max_length=3), "あいうえ", "KZ-VAL-004"),
        (f.Url(), "javascript:alert(1)", "KZ-VAL-004"),
        (f.Url(), "ftp://example.com", "KZ-VAL-004"),
        (f.Integer(min_value=0), "-1", "KZ-VAL-004"),
        (f.Integer(), True, "KZ-VAL-004"),
        (f.Integer(), "1.5", "KZ-VAL-004"),
        (f.Date(), "2024-02-30", "KZ-VAL-004"),
        (f.DateTime(), "2024-04-01 09:00", "KZ-VAL-004"),
        (f.Boolean(), "たぶん", "KZ-VAL-003"),
        (f.Choice(choices=[("a", "A")]), "b", "KZ-VAL-003"),
    ],
)
def test_bad_values_raise_coded_errors_naming_the_field(spec, value, code):
    with pytest.raises(KizunaError) as exc:
        spec.clean("x", value)
    assert (exc.value.code, exc.value.field) == (code, "x")


def test_choice_accepts_key_or_label():
    spec = f.Choice(choices=[("lead", "Lead"), ("customer", "Customer")])
    assert spec.clean("s", "customer") == {"s": "customer"}
    assert spec.clean("s", "LEAD") == {"s": "lead"}


def test_datetime_with_zone_is_accepted():
    assert f.DateTime().clean("t", "2024-04-01T09:00:00+09:00")["t"].utcoffset() == dt.timedelta(hours=9)


def test_clean_input_reports_every_problem_and_skips_fields_not_given():
    specs = {"name": f.Text(required=True), "email": f.Email(), "note": f.Text()}
    with pytest.raises(KizunaValidationError) as exc:
        f.clean_input(specs, {"email": "bad", "extra": 1}, object_type="contact")
    assert sorted((e.code, e.field) for e in exc.value.errors) == [
        ("KZ-VAL-001", "name"),
        ("KZ-VAL-008", "email"),
        ("KZ-VAL-014", "extra"),
    ]
    assert f.clean_input(specs, {"name": "山田"}) == {"name": "山田"}


def test_partial_update_may_not_blank_a_required_field():
    specs = {"name": f.Text(required=True)}
    assert f.clean_input(specs, {}, partial=True) == {}
    with pytest.raises(KizunaValidationError):
        f.clean_input(specs, {"name": "  "}, partial=True)
