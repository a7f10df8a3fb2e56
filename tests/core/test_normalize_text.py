import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kizuna.core.normalize import (
    fold_for_search,
    is_kana,
    normalize_text,
    normalize_wave_dash,
    strip_brackets,
    to_hiragana,
    to_katakana,
    unify_dashes,
)

NORMALIZE_TEXT_CASES = [
    (None, ""),
    ("", ""),
    ("   ", ""),
    ("\u3000\u3000", ""),
    ("ＡＢＣ１２３", "ABC123"),
    ("ｶﾌﾞｼｷｶﾞｲｼｬ", "カブシキガイシャ"),
    ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
    ("山田\u3000太郎", "山田 太郎"),
    ("  山田 \t\n 太郎  ", "山田 太郎"),
    ("山田\u200b太郎", "山田太郎"),
    ("\ufeff山田", "山田"),
    ("山\u200c田\u200d", "山田"),
    ("9時～17時", "9時〜17時"),
    ("9時〜17時", "9時〜17時"),
    ("ＡＢＣ\u00a0商事", "ABC 商事"),
    ("abc", "abc"),
]


@pytest.mark.parametrize(("value", "expected"), NORMALIZE_TEXT_CASES)
def test_normalize_text_folds_width_and_whitespace_idempotently(value: str | None, expected: str) -> None:
    assert normalize_text(value) == expected
    assert normalize_text(expected) == expected


def test_fullwidth_tilde_and_wave_dash_become_the_same_wave_dash() -> None:
    assert normalize_wave_dash("\uff5e") == "\u301c"
    assert normalize_wave_dash("\u301c") == "\u301c"
    assert normalize_text("\uff5e") == normalize_text("\u301c") == "\u301c"


def test_ascii_tilde_is_not_turned_into_a_wave_dash() -> None:
    assert normalize_text("~user") == "~user"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("０３ー１２３４", "03-1234"),
        ("03‐1234", "03-1234"),
        ("03−1234", "03-1234"),
        ("03–1234—5678", "03-1234-5678"),
        ("03―1234", "03-1234"),
        ("03ｰ1234", "03-1234"),
        ("03－1234", "03-1234"),
    ],
)
def test_unify_dashes_turns_hyphen_look_alikes_into_hyphen(value: str, expected: str) -> None:
    assert unify_dashes(normalize_text(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("「山田商事」", "山田商事"),
        ("『山田商事』", "山田商事"),
        ("【重要】", "重要"),
        ("(山田)", "山田"),
        ("（山田）", "山田"),
        ('"Yamada"', "Yamada"),
        ("'Yamada'", "Yamada"),
        ("  「 山田 」  ", "山田"),
        ("「「山田」」", "「山田」"),
        ("(株)山田(有)", "(株)山田(有)"),
        ("「山田」商事", "「山田」商事"),
        ("山田", "山田"),
        ("「", "「"),
        ("", ""),
    ],
)
def test_strip_brackets_removes_one_surrounding_pair(value: str, expected: str) -> None:
    assert strip_brackets(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ たろう", "ヤマダ タロウ"),
        ("ﾔﾏﾀﾞ", "ヤマダ"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("らーめん", "ラーメン"),
        ("ヤマダ", "ヤマダ"),
        ("ゔぁいおりん", "ヴァイオリン"),
        ("いすゞ", "イスヾ"),
        ("山田たろう", "山田タロウ"),
    ],
)
def test_to_katakana(value: str, expected: str) -> None:
    assert to_katakana(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ヤマダ タロウ", "やまだ たろう"),
        ("ﾔﾏﾀﾞ", "やまだ"),
        ("ラーメン", "らーめん"),
        ("ヴァイオリン", "ゔぁいおりん"),
        ("やまだ", "やまだ"),
    ],
)
def test_to_hiragana(value: str, expected: str) -> None:
    assert to_hiragana(value) == expected


@pytest.mark.parametrize("value", ["やまだ たろう", "ヤマダ タロウ", "ラーメン", "がっこう"])
def test_kana_round_trips_through_both_scripts(value: str) -> None:
    assert to_hiragana(to_katakana(value)) == to_hiragana(value)
    assert to_katakana(to_hiragana(value)) == to_katakana(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ", True),
        ("ヤマダ タロウ", True),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", True),
        ("ラーメン", True),
        ("ジョン・スミス", True),
        ("やまだ　たろう", True),
        ("山田", False),
        ("やまだ1", False),
        ("Yamada", False),
        ("", False),
        ("   ", False),
    ],
)
def test_is_kana(value: str, expected: bool) -> None:
    assert is_kana(value) is expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("ヤマダ　タロウ", "やまだたろう"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう"),
        ("ジョン・スミス", "じょんすみす"),
        ("ＹＡＭＡＤＡ", "yamada"),
        ("Straße", "STRASSE"),
    ],
)
def test_fold_for_search_makes_spellings_equal(left: str, right: str) -> None:
    assert fold_for_search(left) == fold_for_search(right)


def test_fold_for_search_result() -> None:
    assert fold_for_search("ヤマダ　タロウ") == "やまだたろう"
    assert fold_for_search("山田 商事・ABC") == "山田商事abc"


@pytest.mark.parametrize("value", ["ヤマダ　タロウ", "ジョン・スミス", "ＡＢＣ商事", "らーめん"])
def test_fold_for_search_is_idempotent(value: str) -> None:
    assert fold_for_search(fold_for_search(value)) == fold_for_search(value)


def _reference_normalize_text(value: str | None) -> str:
    """The plain definition normalize_text's fast steps must equal."""
    import re
    import unicodedata

    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value.translate({0xFF5E: 0x301C}))
    text = re.sub("[\u200b-\u200d\u2060\ufeff]", "", text)
    return re.sub(r"\s+", " ", text).strip()


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.sampled_from(["　ＡＢ\u200b Ｃ ", "a\u3000\u3000b", "～\u00a0~", "\x1c\x1dx\x1e\x1f"])
)
@settings(max_examples=3000, deadline=None)
def test_normalize_text_equals_its_plain_definition(value: str) -> None:
    assert normalize_text(value) == _reference_normalize_text(value)
