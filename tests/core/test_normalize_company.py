import pytest

from kizuna.core.errors import KizunaError
from kizuna.core.normalize import (
    LEGAL_FORMS,
    corporate_number_check_digit,
    display_company_name,
    normalize_company_name,
    normalize_corporate_number,
)

COMPANY_KEY_CASES = [
    ("株式会社 山田商事", "山田商事"),
    ("山田商事株式会社", "山田商事"),
    ("山田商事(株)", "山田商事"),
    ("山田商事（株）", "山田商事"),
    ("㈱山田商事", "山田商事"),
    ("( 株 )山田商事", "山田商事"),
    ("㍿山田商事", "山田商事"),
    ("有限会社 山田商事", "山田商事"),
    ("山田商事㈲", "山田商事"),
    ("合同会社山田", "山田"),
    ("山田(同)", "山田"),
    ("(資)山田", "山田"),
    ("(名)山田", "山田"),
    ("一般社団法人 日本CRM協会", "日本crm協会"),
    ("(一社)日本CRM協会", "日本crm協会"),
    ("公益社団法人さくら会", "さくら会"),
    ("特定非営利活動法人 さくら", "さくら"),
    ("NPO法人さくら", "さくら"),
    ("ＮＰＯ法人さくら", "さくら"),
    ("医療法人社団 山田会", "社団山田会"),
    ("学校法人 山田学園", "山田学園"),
    ("ﾔﾏﾀﾞ商事", "ヤマダ商事"),
    ("ヤマダ商事", "ヤマダ商事"),
    ("やまだ商事", "やまだ商事"),
    ("株式会社ヤマダ・エンタープライズ", "ヤマダエンタープライズ"),
    ("山田 商事", "山田商事"),
    ("Yamada Shoji Co., Ltd.", "yamadashoji"),
    ("YAMADA SHOJI CO.,LTD.", "yamadashoji"),
    ("Yamada Shoji Co. Ltd", "yamadashoji"),
    ("Yamada Shoji K.K.", "yamadashoji"),
    ("Yamada Shoji KK", "yamadashoji"),
    ("Yamada Inc.", "yamada"),
    ("Yamada Corporation", "yamada"),
    ("Ｙａｍａｄａ Ｉｎｃ．", "yamada"),
    ("Incubate Inc.", "incubate"),
    ("KKR Japan", "kkrjapan"),
    ("株式会社", "株式会社"),
    (None, ""),
    ("", ""),
    ("  ", ""),
]


@pytest.mark.parametrize(("value", "expected"), COMPANY_KEY_CASES)
def test_company_name_key_drops_legal_form_spaces_and_punctuation(value: str | None, expected: str) -> None:
    assert normalize_company_name(value) == expected
    assert normalize_company_name(expected) == expected


def test_the_three_spellings_of_kabushiki_kaisha_give_one_key() -> None:
    keys = {normalize_company_name(v) for v in ("株式会社 山田商事", "山田商事(株)", "㈱山田商事")}
    assert keys == {"山田商事"}


def test_half_width_kana_matches_full_width() -> None:
    assert normalize_company_name("ﾔﾏﾀﾞ商事") == normalize_company_name("ヤマダ商事")


def test_every_legal_form_is_removed_from_the_key_at_either_end() -> None:
    for form in LEGAL_FORMS:
        assert normalize_company_name(f"{form} Sakura") == "sakura", form
        assert normalize_company_name(f"Sakura {form}") == "sakura", form


DISPLAY_CASES = [
    ("㈱山田商事", "株式会社山田商事"),
    ("(株)山田商事", "株式会社山田商事"),
    ("（株）山田商事", "株式会社山田商事"),
    ("山田商事㈱", "山田商事株式会社"),
    ("山田商事（株）", "山田商事株式会社"),
    ("(株) 山田商事", "株式会社 山田商事"),
    ("㈲山田商事", "有限会社山田商事"),
    ("山田(同)", "山田合同会社"),
    ("(一社)日本協会", "一般社団法人日本協会"),
    ("株式会社　山田商事", "株式会社 山田商事"),
    ("ﾔﾏﾀﾞ商事㈱", "ヤマダ商事株式会社"),
    ("山田(株)東京支店", "山田(株)東京支店"),
    ("Yamada Shoji Co., Ltd.", "Yamada Shoji Co., Ltd."),
    (None, ""),
]


@pytest.mark.parametrize(("value", "expected"), DISPLAY_CASES)
def test_display_company_name_spells_out_bracketed_legal_forms(value: str | None, expected: str) -> None:
    assert display_company_name(value) == expected
    assert display_company_name(expected) == expected
    # Spelling the form out must not change which company the name matches.
    assert normalize_company_name(expected) == normalize_company_name(value)


# Real numbers from the National Tax Agency's site; the first digit is the check digit.
REAL_CORPORATE_NUMBERS = [
    "7000012050002",  # 国税庁
    "1180301018771",  # トヨタ自動車株式会社
    "5010401089998",
    "4011001098993",
    "2120901007402",
]


@pytest.mark.parametrize("number", REAL_CORPORATE_NUMBERS)
def test_check_digit_of_real_corporate_numbers(number: str) -> None:
    assert corporate_number_check_digit(number[1:]) == int(number[0])


def test_check_digit_worked_example_from_the_nta_formula() -> None:
    # 12 base digits 123456789012 weighted 1,2,1,2... from the right sum to 74; 9 - 74 % 9 == 7.
    assert corporate_number_check_digit("123456789012") == 7


def test_check_digit_is_always_between_1_and_9() -> None:
    digits = {corporate_number_check_digit(f"{n:012d}") for n in range(0, 10**12, 10**12 // 997)}
    assert digits <= set(range(1, 10))
    assert corporate_number_check_digit("000000000000") == 9


@pytest.mark.parametrize("base", ["12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"])
def test_check_digit_needs_twelve_ascii_digits(base: str) -> None:
    with pytest.raises(KizunaError) as exc:
        corporate_number_check_digit(base)
    assert exc.value.code == "KZ-VAL-007"
    assert exc.value.context["value"] == base


CORPORATE_NUMBER_CASES = [
    ("7000012050002", "7000012050002"),
    ("７００００１２０５０００２", "7000012050002"),
    ("7-0000-1205-0002", "7000012050002"),
    ("7 0000 1205 0002", "7000012050002"),
    ("7ー0000ー1205ー0002", "7000012050002"),
    (" 1180301018771\u3000", "1180301018771"),
    ("5010401089998", "5010401089998"),
]


@pytest.mark.parametrize(("raw", "expected"), CORPORATE_NUMBER_CASES)
def test_corporate_number_is_thirteen_plain_digits(raw: str, expected: str) -> None:
    assert normalize_corporate_number(raw) == expected
    assert normalize_corporate_number(expected) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_corporate_number_is_empty_string(raw: str | None) -> None:
    assert normalize_corporate_number(raw) == ""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("700001205000", "must be 13 digits, got 12"),
        ("70000120500021", "must be 13 digits, got 14"),
        ("3000012050002", "check digit is 3, expected 7"),
        ("0000012050002", "check digit is 0, expected 7"),
        ("7000012050003", "check digit is 7, expected 6"),
        ("700001205000A", "must contain only digits"),
        ("法人番号7000012050002", "must contain only digits"),
    ],
)
def test_invalid_corporate_number_raises_kz_val_007_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_corporate_number(raw, field="corporate_number")
    assert exc.value.code == "KZ-VAL-007"
    assert exc.value.context == {"value": raw, "reason": reason, "field": "corporate_number"}
    assert exc.value.field == "corporate_number"
