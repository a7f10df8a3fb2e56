import pytest

from kizuna.core.errors import KizunaError
from kizuna.core.normalize import PhoneNumber, format_phone_national, normalize_phone

TOKYO = "+81312345678"

VALID_CASES = [
    # (raw, e164, extension, kind)
    ("03-1234-5678", TOKYO, "", "fixed"),
    ("0312345678", TOKYO, "", "fixed"),
    ("+81 3-1234-5678", TOKYO, "", "fixed"),
    ("+81-(0)3-1234-5678", TOKYO, "", "fixed"),
    ("+81 03-1234-5678", TOKYO, "", "fixed"),
    ("+81312345678", TOKYO, "", "fixed"),
    ("０３－１２３４－５６７８", TOKYO, "", "fixed"),
    ("０３ー１２３４ー５６７８", TOKYO, "", "fixed"),
    ("03ｰ1234ｰ5678", TOKYO, "", "fixed"),
    ("03‐1234‐5678", TOKYO, "", "fixed"),
    ("03−1234−5678", TOKYO, "", "fixed"),
    ("03–1234–5678", TOKYO, "", "fixed"),
    ("03—1234—5678", TOKYO, "", "fixed"),
    ("03―1234―5678", TOKYO, "", "fixed"),
    ("03(1234)5678", TOKYO, "", "fixed"),
    ("(03)1234-5678", TOKYO, "", "fixed"),
    ("03 1234 5678", TOKYO, "", "fixed"),
    ("03.1234.5678", TOKYO, "", "fixed"),
    ("TEL: 03-1234-5678", TOKYO, "", "fixed"),
    ("Tel.03-1234-5678", TOKYO, "", "fixed"),
    ("Telephone: +81 3 1234 5678", TOKYO, "", "fixed"),
    ("ＴＥＬ：０３－１２３４－５６７８", TOKYO, "", "fixed"),
    ("℡03-1234-5678", TOKYO, "", "fixed"),
    ("電話番号：03-1234-5678", TOKYO, "", "fixed"),
    ("  03-1234-5678\u3000", TOKYO, "", "fixed"),
    ("03-1234-5678 内線123", TOKYO, "123", "fixed"),
    ("03-1234-5678（内線123）", TOKYO, "123", "fixed"),
    ("03-1234-5678 内123", TOKYO, "123", "fixed"),
    ("03-1234-5678 ext. 123", TOKYO, "123", "fixed"),
    ("03-1234-5678 EXT123", TOKYO, "123", "fixed"),
    ("03-1234-5678 x123", TOKYO, "123", "fixed"),
    ("03-1234-5678#45", TOKYO, "45", "fixed"),
    ("06-6123-4567", "+81661234567", "", "fixed"),
    ("0466-12-3456", "+81466123456", "", "fixed"),
    ("0120-123-456", "+81120123456", "", "toll_free"),
    ("0120123456", "+81120123456", "", "toll_free"),
    ("0800-123-4567", "+818001234567", "", "toll_free"),
    ("050-1234-5678", "+815012345678", "", "ip"),
    ("060-1234-5678", "+816012345678", "", "mobile"),
    ("070-1234-5678", "+817012345678", "", "mobile"),
    ("080-1234-5678", "+818012345678", "", "mobile"),
    ("090-1234-5678", "+819012345678", "", "mobile"),
    ("+81 90 1234 5678", "+819012345678", "", "mobile"),
    ("0570-123-456", "+81570123456", "", "other"),
    # Excel turned the cell into a number and dropped the leading 0.
    ("312345678", TOKYO, "", "fixed"),
    ("9012345678", "+819012345678", "", "mobile"),
    ("8012345678", "+818012345678", "", "mobile"),
    ("7012345678", "+817012345678", "", "mobile"),
    ("6012345678", "+816012345678", "", "mobile"),
    # Other countries, written with +.
    ("+1 650-253-0000", "+16502530000", "", "other"),
    ("+44 20 7946 0958", "+442079460958", "", "fixed"),
    ("+82 2-312-3456", "+8223123456", "", "fixed"),
]


@pytest.mark.parametrize(("raw", "e164", "extension", "kind"), VALID_CASES)
def test_written_phone_numbers_become_e164(raw: str, e164: str, extension: str, kind: str) -> None:
    assert normalize_phone(raw) == PhoneNumber(e164=e164, extension=extension, kind=kind, raw=raw)
    # Idempotent: the stored E.164 form reads back as the same number.
    again = normalize_phone(e164)
    assert again is not None
    assert (again.e164, again.kind) == (e164, kind)


def test_full_width_phone_with_katakana_long_mark_dash_becomes_e164() -> None:
    phone = normalize_phone("０３ー１２３４ー５６７８")
    assert phone is not None
    assert phone.e164 == TOKYO


def test_raw_keeps_the_input_exactly() -> None:
    phone = normalize_phone("ＴＥＬ：０３－１２３４－５６７８")
    assert phone is not None
    assert phone.raw == "ＴＥＬ：０３－１２３４－５６７８"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty_phone_is_none_not_an_error(raw: str | None) -> None:
    assert normalize_phone(raw) is None


def test_region_decides_how_national_numbers_are_read() -> None:
    phone = normalize_phone("(650) 253-0000", region="US")
    assert phone is not None
    assert phone.e164 == "+16502530000"


INVALID_CASES = [
    ("03-1234", "too short (6 digits)"),
    ("1", "too short (1 digit)"),
    ("abc", "contains 'a', which is not part of a phone number"),
    ("03-1234-567a", "contains 'a', which is not part of a phone number"),
    ("0120-ABC-DEF", "contains 'A', which is not part of a phone number"),
    ("03-1234-5678 / 03-1234-5679", "contains '/', which is not part of a phone number"),
    ("内線123", "contains '内', which is not part of a phone number"),
    ("03+1234-5678", "'+' may only appear at the start"),
    ("+999 1234 5678", "unknown country code after '+'"),
    ("011-123-4567", "not a valid number for JP (+81, 10 digits)"),
    ("03-1234-56789", "not a valid number for JP (+81, 11 digits)"),
    ("0312345678901234567", "too long"),
    ("TEL:", "no digits"),
    ("---", "no digits"),
]


@pytest.mark.parametrize(("raw", "reason"), INVALID_CASES)
def test_invalid_phone_raises_kz_val_006_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_phone(raw, field="phone")
    assert exc.value.code == "KZ-VAL-006"
    assert exc.value.context["value"] == raw
    assert exc.value.context["reason"] == reason
    assert exc.value.field == "phone"


def test_invalid_phone_without_field_has_no_field() -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_phone("12")
    assert exc.value.field is None
    assert "field" not in exc.value.context


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+81312345678", "03-1234-5678"),
        ("+819012345678", "090-1234-5678"),
        ("+81120123456", "0120-123-456"),
        ("+815012345678", "050-1234-5678"),
        ("+81466123456", "0466-12-3456"),
        ("+16502530000", "+1 650-253-0000"),
        ("", ""),
    ],
)
def test_format_phone_national(e164: str, expected: str) -> None:
    assert format_phone_national(e164) == expected


def test_format_phone_national_round_trips() -> None:
    for raw, e164, _extension, _kind in VALID_CASES:
        if e164.startswith("+81"):
            phone = normalize_phone(format_phone_national(e164))
            assert phone is not None, raw
            assert phone.e164 == e164


def test_format_phone_national_rejects_a_non_number() -> None:
    with pytest.raises(KizunaError) as exc:
        format_phone_national("not a number")
    assert exc.value.code == "KZ-VAL-006"
    assert exc.value.context["value"] == "not a number"
