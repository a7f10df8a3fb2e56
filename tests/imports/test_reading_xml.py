"""XML files: the record element detected or given, content flattened to columns, entity bombs and
external entities refused before anything expands, broken files refused before any row."""

from __future__ import annotations

from pathlib import Path

import pytest

from kizuna.core.errors import KizunaError
from kizuna.customers.models import Contact
from kizuna.imports import services
from kizuna.imports.reading import open_source
from kizuna.imports.reading_xml import XmlSource

SLIPS = """<?xml version="1.0" encoding="UTF-8"?>
<売上伝票一覧 出力元="会計システム">
  <伝票 番号="S1">
    <日付>令和6年8月5日</日付>
    <得意先 メール="a@example.jp" 電話="0312345678">小川鉱業株式会社</得意先>
    <明細><商品コード>P-1</商品コード><数量>2</数量></明細>
    <明細><商品コード>P-2</商品コード><数量>5</数量></明細>
  </伝票>
  <伝票 番号="S2">
    <日付>2020/12/24</日付>
    <得意先 メール="b@example.jp">松田鉱業株式会社</得意先>
    <明細><商品コード>P-1</商品コード><数量>1</数量></明細>
    <合計>12000</合計>
  </伝票>
</売上伝票一覧>
"""


def write(tmp_path: Path, text: str, name: str = "data.xml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_records_are_detected_and_flattened(tmp_path):
    source = open_source(write(tmp_path, SLIPS))
    assert isinstance(source, XmlSource) and source.record == "売上伝票一覧/伝票"
    rows = list(source.rows())
    assert rows[0].values == [
        "@番号", "日付", "得意先/@メール", "得意先/@電話", "得意先", "明細/商品コード", "明細/数量",
        "明細[2]/商品コード", "明細[2]/数量", "合計",
    ]  # fmt: skip
    assert rows[1].values == [
        "S1",
        "令和6年8月5日",
        "a@example.jp",
        "0312345678",
        "小川鉱業株式会社",
        "P-1",
        "2",
        "P-2",
        "5",
        "",
    ]
    assert rows[2].values[:5] == ["S2", "2020/12/24", "b@example.jp", "", "松田鉱業株式会社"]
    assert [r.number for r in rows] == [0, 1, 2]


def test_a_given_record_element_is_read_and_a_missing_one_is_an_error(tmp_path):
    path = write(tmp_path, SLIPS)
    assert [r.values for r in XmlSource(path, record="明細").rows()][1] == ["P-1", "2"]
    with pytest.raises(KizunaError) as caught:
        XmlSource(path, record="顧客")
    assert caught.value.code == "KZ-IMP-038"


def test_shift_jis_xml_is_read_by_its_declaration(tmp_path):
    text = SLIPS.replace('encoding="UTF-8"', 'encoding="Shift_JIS"')
    rows = list(open_source(write(tmp_path, text, encoding="cp932")).rows())
    assert rows[1].values[4] == "小川鉱業株式会社"


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><a><b>&lol2;</b></a>',
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a><b>&x;</b></a>',
    ],
)
def test_entity_declarations_are_refused_before_expanding(tmp_path, text):
    with pytest.raises(KizunaError) as caught:
        open_source(write(tmp_path, text))
    assert caught.value.code == "KZ-IMP-036"


def test_broken_xml_is_refused_before_any_row_with_its_position(tmp_path):
    with pytest.raises(KizunaError) as caught:
        open_source(write(tmp_path, SLIPS.replace("</伝票>\n</売上伝票一覧>", "")))
    assert caught.value.code == "KZ-IMP-037" and caught.value.context["line"] > 10


def test_contacts_import_from_xml(admin_user, tmp_path):
    text = """<顧客一覧>
      <顧客 id="C-1"><姓>山田</姓><名>太郎</名><メール>taro@example.jp</メール><電話番号>03-1234-5678</電話番号></顧客>
      <顧客 id="C-2"><姓>佐藤</姓><名>花子</名><メール>hanako@example.jp</メール></顧客>
    </顧客一覧>"""
    path = write(tmp_path, text, name="customers.xml")
    job = services.import_job_create(actor=admin_user, path=path, overrides={"@id": "external_id"})
    job = services.import_job_run(actor=admin_user, job_id=job.pk)
    assert job.counts["created"] == 2
    assert list(
        Contact.objects.order_by("external_id").values_list("external_id", "family_name", "phone")
    ) == [
        ("C-1", "山田", "+81312345678"),
        ("C-2", "佐藤", ""),
    ]
