"""kizuna.imports.reading: encodings detected (or forced), CP932's extensions, undecodable bytes as
row errors with their byte offset, delimiters and quoting sniffed, rows numbered like a spreadsheet."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kizuna.core.errors import KizunaError
from kizuna.imports.reading import (
    CsvSource,
    JsonSource,
    XlsxSource,
    canonical_encoding,
    detect_encoding,
    open_source,
)

HEADER = "姓,名,会社名,メモ\r\n"
ROWS = '髙橋,一郎,㈱髙橋商事,①初回〜②再訪\r\n山田,花子,有限会社ヤマダ,"改行を\r\n含む, カンマも"\r\n'


def write(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def values(source: CsvSource) -> list[list[str]]:
    return [row.values for row in source.rows()]


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),  # Excel's "CSV UTF-8"
        ("cp932", b"", "cp932"),  # Excel's "CSV" on Japanese Windows, with NEC/IBM extensions
    ],
)
def test_encoding_is_detected_and_every_character_survives(tmp_path, encoding, prefix, expected):
    data = prefix + (HEADER + ROWS).encode(encoding)
    source = CsvSource(write(tmp_path, data))
    assert source.encoding == expected and source.encoding_detected
    assert values(source) == [
        ["姓", "名", "会社名", "メモ"],
        ["髙橋", "一郎", "㈱髙橋商事", "①初回" + ("～" if encoding == "cp932" else "〜") + "②再訪"],
        ["山田", "花子", "有限会社ヤマダ", "改行を\r\n含む, カンマも"],
    ]


def test_euc_jp_is_detected(tmp_path):
    text = "姓,名,住所\n" + "".join(f"山田{i},太郎,東京都千代田区丸の内一丁目{i}番地\n" for i in range(30))
    source = CsvSource(write(tmp_path, text.encode("euc_jp")))
    assert source.encoding == "euc_jp"
    assert values(source)[5] == ["山田4", "太郎", "東京都千代田区丸の内一丁目4番地"]


@pytest.mark.parametrize("name", ["Shift_JIS", "shift-jis", "SJIS", "MS932", "Windows-31J", "cp932"])
def test_every_spelling_of_shift_jis_reads_as_cp932(name):
    assert canonical_encoding(name) == "cp932"


def test_a_forced_encoding_wins_and_an_unknown_one_is_a_coded_error(tmp_path):
    path = write(tmp_path, (HEADER + ROWS).encode("cp932"))
    source = CsvSource(path, encoding="Shift_JIS")
    assert source.encoding == "cp932" and not source.encoding_detected
    assert values(source)[1][2] == "㈱髙橋商事"
    with pytest.raises(KizunaError) as exc:
        CsvSource(path, encoding="klingon-8")
    assert exc.value.code == "KZ-IMP-001"


def test_bytes_that_are_not_text_make_their_row_an_error_naming_the_offset(tmp_path):
    good = "姓,名\r\n山田,太郎\r\n".encode("cp932")
    bad_row = "佐藤,".encode("cp932") + b"\x81\x20" + "\r\n".encode("cp932")  # 0x81 0x20: no CP932 character
    after = "鈴木,次郎\r\n".encode("cp932")
    source = CsvSource(write(tmp_path, good + bad_row + after), encoding="cp932")
    rows = list(source.rows())
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[1].values == ["山田", "太郎"] and rows[3].values == ["鈴木", "次郎"]  # read on after it
    error = rows[2].error
    assert error is not None and rows[2].values == []  # never stored with U+FFFD
    assert error.code == "KZ-IMP-002"
    assert error.context["offset"] == len(good) + len("佐藤,".encode("cp932"))
    assert error.context["row"] == 3 and error.context["bytes"] == "81"
    assert f"{error.context['offset']}" in error.cause("ja")


def test_a_utf8_file_with_a_cp932_line_is_caught_row_by_row(tmp_path):
    data = ("姓,名\n" + "山田,太郎\n" * 3).encode("utf-8") + "佐藤,花子\n".encode("cp932")
    source = CsvSource(write(tmp_path, data))
    assert source.encoding == "utf-8"
    rows = list(source.rows())
    assert [r.error.code for r in rows if r.error] == ["KZ-IMP-002"] and rows[-1].number == 5


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "in.tsv"), (";", "in.csv"), ("|", "in.txt")])
def test_delimiter_is_sniffed(tmp_path, delimiter, name):
    text = (
        delimiter.join(["姓", "名", "メール"])
        + "\n"
        + delimiter.join(["山田", "太郎", "t@example.jp"])
        + "\n"
    )
    source = CsvSource(write(tmp_path, text.encode("utf-8"), name))
    assert source.delimiter == delimiter
    assert values(source)[1] == ["山田", "太郎", "t@example.jp"]


def test_blank_lines_are_rows_too_so_numbers_match_the_spreadsheet(tmp_path):
    source = CsvSource(write(tmp_path, "姓,名\n山田,太郎\n\n佐藤,花子\n".encode()))
    assert [(r.number, r.values) for r in source.rows()] == [
        (1, ["姓", "名"]),
        (2, ["山田", "太郎"]),
        (3, []),
        (4, ["佐藤", "花子"]),
    ]


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_a_coded_error(tmp_path, data):
    with pytest.raises(KizunaError) as exc:
        CsvSource(write(tmp_path, data))
    assert exc.value.code in ("KZ-IMP-003",)


def test_binary_data_is_not_taken_for_text(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    with pytest.raises(KizunaError) as exc:
        CsvSource(write(tmp_path, png, "photo.csv"))
    assert exc.value.code == "KZ-IMP-001"


def test_detect_encoding_tolerates_a_sample_cut_inside_a_character():
    data = ("あ" * 100).encode("utf-8")
    assert detect_encoding(data[:-1]) == "utf-8"  # the last character cut in half


def test_a_utf8_line_in_a_cp932_file_is_an_error_not_mojibake(tmp_path):
    pasted = "山田,山本\r\n".encode()
    assert pasted.decode("cp932") != "山田,山本\r\n"  # CP932 reads these UTF-8 bytes, as mojibake
    data = ("姓,名\r\n" + "山田,太郎\r\n" * 3).encode("cp932") + pasted
    source = CsvSource(write(tmp_path, data))
    assert source.encoding == "cp932"
    rows = list(source.rows())
    assert [r.values for r in rows[1:4]] == [["山田", "太郎"]] * 3
    assert rows[4].error is not None and rows[4].error.code == "KZ-IMP-004" and rows[4].values == []
    assert rows[4].error.context["offset"] == len(("姓,名\r\n" + "山田,太郎\r\n" * 3).encode("cp932"))


def test_a_tie_between_utf8_and_cp932_reads_utf8_strictly(tmp_path):
    data = "姓,名\n".encode() + "佐藤,花子\n".encode("cp932")  # one line each
    source = CsvSource(write(tmp_path, data))
    assert source.encoding == "utf-8"
    assert [r.error.code for r in source.rows() if r.error] == ["KZ-IMP-002"]


# --- XLSX ---------------------------------------------------------------------------------------------


def workbook(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "book.xlsx") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_an_xlsx_sheet_reads_as_text_cells(tmp_path):
    import datetime as dt

    path = workbook(
        tmp_path,
        {
            "顧客": [
                ["姓", "名", "電話番号", "生年月日", "登録日時", "ランク", "点数"],
                [
                    "髙橋",
                    "一郎",
                    312345678,
                    dt.datetime(1980, 4, 1),
                    dt.datetime(2023, 4, 1, 9, 30),
                    None,
                    4.5,
                ],
                ["山田", "花子", "090-1234-5678", dt.date(1990, 12, 25), None, "A"],
            ],
            "メモ": [["内容"], ["二枚目"]],
        },
    )
    source = open_source(path)
    assert isinstance(source, XlsxSource) and source.sheets == ["顧客", "メモ"] and source.sheet == "顧客"
    assert [(r.number, r.values) for r in source.rows()] == [
        (1, ["姓", "名", "電話番号", "生年月日", "登録日時", "ランク", "点数"]),
        (2, ["髙橋", "一郎", "312345678", "1980-04-01", "2023-04-01 09:30:00", "", "4.5"]),
        (
            3,
            ["山田", "花子", "090-1234-5678", "1990-12-25", "", "A", ""],
        ),  # empty cells at the end are blanks
    ]
    assert list(source.rows())[1].values[0] == "髙橋"  # rows() can be read again


@pytest.mark.parametrize("sheet", ["メモ", 2, "2"])
def test_a_sheet_is_chosen_by_name_or_position(tmp_path, sheet):
    path = workbook(tmp_path, {"顧客": [["姓"]], "メモ": [["内容"], ["二枚目"]]})
    assert [r.values for r in XlsxSource(path, sheet=sheet).rows()] == [["内容"], ["二枚目"]]


def test_an_unknown_sheet_is_a_coded_error_listing_the_sheets(tmp_path):
    path = workbook(tmp_path, {"顧客": [["姓"]], "メモ": [["内容"]]})
    with pytest.raises(KizunaError) as exc:
        XlsxSource(path, sheet="売上")
    assert exc.value.code == "KZ-IMP-007" and exc.value.context["sheets"] == "顧客, メモ"


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))  # 20 MB of zeros: ~1000x
    with pytest.raises(KizunaError) as exc:
        open_source(path)
    assert exc.value.code == "KZ-IMP-006"
    assert exc.value.context["ratio"] > 200


def test_a_file_that_only_starts_like_a_zip_is_refused(tmp_path):
    path = write(tmp_path, b"PK\x03\x04 not really a zip", "fake.xlsx")
    with pytest.raises(KizunaError) as exc:
        open_source(path)
    assert exc.value.code == "KZ-IMP-001"


def test_open_source_reads_text_files_as_csv(tmp_path):
    assert isinstance(open_source(write(tmp_path, "姓,名\n山田,太郎\n".encode())), CsvSource)


# --- JSON and NDJSON ------------------------------------------------------------------------------------


def test_a_json_array_of_objects_reads_with_the_keys_of_all_records(tmp_path):
    data = '[{"姓": "髙橋", "名": "一郎", "点数": 4.50, "会員": true},\n {"姓": "山田", "タグ": ["VIP", "展示会"], "名": null}]'
    source = open_source(write(tmp_path, data.encode(), "contacts.json"))
    assert isinstance(source, JsonSource)
    assert [(r.number, r.values) for r in source.rows()] == [
        (0, ["姓", "名", "点数", "会員", "タグ"]),
        (1, ["髙橋", "一郎", "4.50", "true", ""]),
        (2, ["山田", "", "", "", '["VIP", "展示会"]']),
    ]


def test_records_inside_an_object_are_found(tmp_path):
    data = b'\xef\xbb\xbf{"count": 2, "records": [{"email": "a@example.jp"}, {"email": "b@example.jp"}]}'
    source = open_source(write(tmp_path, data, "export.json"))
    assert [r.values for r in source.rows()] == [["email"], ["a@example.jp"], ["b@example.jp"]]


def test_ndjson_reads_line_by_line_and_a_bad_line_is_a_row_error(tmp_path):
    data = '{"姓": "山田"}\n\n{"姓": "佐藤"\n["not", "an", "object"]\n{"姓": "鈴木", "名": "次郎"}\n'.encode()
    source = open_source(write(tmp_path, data, "contacts.ndjson"))
    rows = list(source.rows())
    assert rows[0].values == ["姓", "名"]
    assert [(r.number, r.values) for r in rows if not r.error] == [
        (0, ["姓", "名"]),
        (1, ["山田", ""]),
        (2, []),
        (5, ["鈴木", "次郎"]),
    ]
    errors = {r.number: r.error for r in rows if r.error}
    assert sorted(errors) == [3, 4]
    assert errors[3].code == "KZ-IMP-009" and errors[4].code == "KZ-IMP-009"
    assert "object" in errors[4].cause("en")


@pytest.mark.parametrize(
    "data",
    [b'[{"a": 1}, {"a": 2}', b'{"a": 1}', b"[1, 2,, 3]", '[{"姓": "山田"}]'.encode("cp932")],
)
def test_a_broken_json_file_is_refused_before_any_row(tmp_path, data):
    with pytest.raises(KizunaError) as exc:
        JsonSource(write(tmp_path, data, "broken.json"))
    assert exc.value.code == "KZ-IMP-008"


def test_an_array_item_that_is_not_an_object_is_a_row_error(tmp_path):
    source = JsonSource(write(tmp_path, b'[{"a": "x"}, "oops", {"a": "y"}]', "mixed.json"))
    rows = list(source.rows())
    assert [r.values for r in rows if not r.error] == [["a"], ["x"], ["y"]]
    assert [(r.number, r.error.code) for r in rows if r.error] == [(2, "KZ-IMP-009")]


def test_csv_grammar_errors_are_row_errors_and_reading_goes_on(tmp_path):
    data = '姓,名\r\n山田,"太郎"様\r\n佐藤,花子\r\n鈴木,"一郎\r\n田中,次郎\r\n'.encode()
    rows = list(CsvSource(write(tmp_path, data)).rows())
    assert [(r.number, r.values, r.error.code if r.error else None) for r in rows] == [
        (1, ["姓", "名"], None),
        (2, [], "KZ-IMP-032"),  # text after the closing quote
        (3, ["佐藤", "花子"], None),
        (4, [], "KZ-IMP-015"),  # the quote runs to the end of the file
    ]
    assert rows[3].error.context == {"row": 4}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_excel_unicode_text_utf16_is_read_with_its_offsets(tmp_path, encoding):
    # 上 is U+4E0A: its UTF-16LE bytes hold 0x0A, the byte of a line feed.
    text = '姓\t名\tメモ\r\n上田\t一郎\t上野〜①\r\n山田\t花子\t"改行\r\nあり"\r\n'
    data = text.encode(encoding) if encoding == "utf-16" else codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    source = CsvSource(write(tmp_path, data, "unicode.txt"))
    assert source.encoding == "utf-16" and source.delimiter == "\t"
    rows = list(source.rows())
    assert [r.values for r in rows] == [
        ["姓", "名", "メモ"],
        ["上田", "一郎", "上野〜①"],
        ["山田", "花子", "改行\r\nあり"],
    ]
    assert [r.offset for r in rows] == [
        2,
        2 + 2 * len("姓\t名\tメモ\r\n"),
        2 + 2 * len("姓\t名\tメモ\r\n上田\t一郎\t上野〜①\r\n"),
    ]


def test_a_lone_surrogate_in_utf16_is_a_row_error(tmp_path):
    data = (
        codecs.BOM_UTF16_LE
        + "姓,名\r\n".encode("utf-16-le")
        + b"\x00\xd8,\x00\r\x00\n\x00"
        + "山田,花子\r\n".encode("utf-16-le")
    )
    rows = list(CsvSource(write(tmp_path, data), encoding="utf-16").rows())
    assert [(r.values, r.error.code if r.error else None) for r in rows] == [
        (["姓", "名"], None),
        ([], "KZ-IMP-002"),
        (["山田", "花子"], None),
    ]
