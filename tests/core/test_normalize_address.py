import pytest

from kizuna.core.errors import KizunaError
from kizuna.core.normalize import (
    PREFECTURES,
    get_prefecture,
    normalize_postal_code,
    normalize_prefecture,
    prefecture_choices,
)

POSTAL_CASES = [
    ("100-0001", "100-0001"),
    ("1000001", "100-0001"),
    ("〒100-0001", "100-0001"),
    ("〒 100-0001", "100-0001"),
    ("１００－０００１", "100-0001"),
    ("〒１００ー０００１", "100-0001"),
    ("100 0001", "100-0001"),
    ("100\u30000001", "100-0001"),
    ("100‐0001", "100-0001"),
    ("100−0001", "100-0001"),
    ("〶060-0000", "060-0000"),
    (" 060-0000 ", "060-0000"),
]


@pytest.mark.parametrize(("raw", "expected"), POSTAL_CASES)
def test_postal_code_becomes_nnn_nnnn_idempotently(raw: str, expected: str) -> None:
    assert normalize_postal_code(raw) == expected
    assert normalize_postal_code(expected) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_empty_postal_code_is_empty_string(raw: str | None) -> None:
    assert normalize_postal_code(raw) == ""


@pytest.mark.parametrize(
    "raw", ["100-001", "100-00011", "123", "abc-defg", "100-000A", "〒", "100/0001", "１２３４５６７８"]
)
def test_postal_code_not_seven_digits_raises_kz_val_009(raw: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_postal_code(raw, field="postal_code")
    assert exc.value.code == "KZ-VAL-009"
    assert exc.value.context["value"] == raw
    assert exc.value.field == "postal_code"


def test_there_are_47_prefectures_in_jis_order() -> None:
    assert len(PREFECTURES) == 47
    assert [p.code for p in PREFECTURES] == [f"{n:02d}" for n in range(1, 48)]
    assert (PREFECTURES[0].name_ja, PREFECTURES[0].name_en, PREFECTURES[0].kana) == (
        "北海道",
        "Hokkaido",
        "ホッカイドウ",
    )
    assert PREFECTURES[12].name_ja == "東京都"
    assert PREFECTURES[25].name_ja == "京都府"
    assert PREFECTURES[26].name_ja == "大阪府"
    assert PREFECTURES[46].name_ja == "沖縄県"


def test_prefecture_names_are_unique_and_end_with_a_suffix() -> None:
    names = [p.name_ja for p in PREFECTURES]
    assert len(set(names)) == 47
    assert all(name[-1] in "都道府県" for name in names)
    assert sum(name.endswith("県") for name in names) == 43


def test_prefecture_choices_are_japanese_name_pairs_in_jis_order() -> None:
    choices = prefecture_choices()
    assert len(choices) == 47
    assert choices[0] == ("北海道", "北海道")
    assert choices[12] == ("東京都", "東京都")
    assert choices[-1] == ("沖縄県", "沖縄県")


PREFECTURE_CASES = [
    ("東京都", "東京都"),
    ("東京", "東京都"),
    ("大阪", "大阪府"),
    ("大阪府", "大阪府"),
    ("京都", "京都府"),
    ("京都府", "京都府"),
    ("北海道", "北海道"),
    ("神奈川", "神奈川県"),
    ("鹿児島", "鹿児島県"),
    ("沖縄県", "沖縄県"),
    ("　東京都　", "東京都"),
    ("東京 都", "東京都"),
    ("Tokyo", "東京都"),
    ("tokyo", "東京都"),
    ("TOKYO", "東京都"),
    ("tokyo-to", "東京都"),
    ("Tokyo To", "東京都"),
    ("Tokyo Metropolis", "東京都"),
    ("Osaka Prefecture", "大阪府"),
    ("Osaka-fu", "大阪府"),
    ("Kyoto-fu", "京都府"),
    ("Aichi-ken", "愛知県"),
    ("Kanagawa Pref.", "神奈川県"),
    ("Hokkaido", "北海道"),
    ("Hokkai-do", "北海道"),
    ("Hokkaidō", "北海道"),
    ("Tōkyō", "東京都"),
    ("Toukyou", "東京都"),
    ("Hyōgo", "兵庫県"),
    ("Hyougo", "兵庫県"),
    ("Ōita", "大分県"),
    ("Ooita", "大分県"),
    ("Kouchi", "高知県"),
    ("Gumma", "群馬県"),
    ("Ｔｏｋｙｏ", "東京都"),
    ("13", "東京都"),
    ("1", "北海道"),
    ("01", "北海道"),
    ("47", "沖縄県"),
    ("１３", "東京都"),
    ("JP-13", "東京都"),
    ("トウキョウト", "東京都"),
    ("とうきょう", "東京都"),
    ("ｷｮｳﾄﾌ", "京都府"),
]


@pytest.mark.parametrize(("raw", "expected"), PREFECTURE_CASES)
def test_prefecture_written_any_way_becomes_its_japanese_name(raw: str, expected: str) -> None:
    assert normalize_prefecture(raw) == expected
    assert normalize_prefecture(expected) == expected


def test_every_prefecture_resolves_from_each_of_its_names() -> None:
    for pref in PREFECTURES:
        short = pref.name_ja if pref.code == "01" else pref.name_ja[:-1]
        for raw in (pref.name_ja, short, pref.name_en, pref.name_en.upper(), pref.kana, pref.code):
            assert get_prefecture(raw) is pref, raw
        assert get_prefecture(str(int(pref.code))) is pref


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_prefecture_is_empty_string(raw: str | None) -> None:
    assert normalize_prefecture(raw) == ""
    assert get_prefecture(raw) is None


@pytest.mark.parametrize(
    "raw", ["北海", "0", "00", "48", "99", "Tokio", "Edo", "東京都港区", "キフ", "JP-48"]
)
def test_unknown_prefecture_raises_kz_val_005(raw: str) -> None:
    with pytest.raises(KizunaError) as exc:
        normalize_prefecture(raw, field="prefecture")
    assert exc.value.code == "KZ-VAL-005"
    assert exc.value.context["value"] == raw
    assert exc.value.field == "prefecture"
