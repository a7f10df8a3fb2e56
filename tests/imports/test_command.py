"""``kizuna import``: the report as JSON, the error file, status, list and undo, coded errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kizuna.customers.models import Contact
from kizuna.imports.models import ImportJob

HEADER = "姓,名,メールアドレス,電話番号\r\n"


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "在籍者.csv"
    path.write_bytes((HEADER + "".join(r + "\r\n" for r in rows)).encode("cp932"))
    return path


def kizuna(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit:
        return out.getvalue(), int(exit.code or 0)
    return out.getvalue(), 0


def test_json_report_counts_and_problems(admin_user, tmp_path):
    out, status = kizuna(
        "contacts",
        str(write(tmp_path, ["山田,太郎,taro@example.jp,03-1234-5678", "佐藤,花子,bad,03-1234-5679"])),
        "--format=json",
    )
    data = json.loads(out)
    assert status == 1  # some rows were rejected
    assert data["counts"]["created"] == 1 and data["counts"]["invalid"] == 1
    assert data["problems"] == [
        {
            "row": 3, "column": "メールアドレス", "field": "email", "value": "bad", "code": "KZ-VAL-008",
            "warning": False, "message": data["problems"][0]["message"], "remedy": data["problems"][0]["remedy"],
        }
    ]  # fmt: skip
    assert "bad" in data["problems"][0]["message"]
    assert data["encoding"] == "cp932" and data["mapping"]["メールアドレス"] == "email"


def test_dry_run_with_error_file_and_map_option(admin_user, tmp_path):
    report = tmp_path / "errors.csv"
    path = write(tmp_path, ["山田,太郎,taro@example.jp,03-1234-5678", "佐藤,花子,bad,03-1234-5679"])
    out, _ = kizuna("contacts", str(path), "--dry-run", "--map", "電話番号=", f"--report={report}")
    assert "Dry run done" in out or "ドライラン" in out
    assert Contact.objects.count() == 0
    job = ImportJob.objects.get()
    assert job.mapping["電話番号"] == ""
    lines = report.read_bytes().decode("cp932").splitlines()
    assert lines[1].startswith("佐藤,花子,bad,03-1234-5679,3,メールアドレス,KZ-VAL-008,")


def test_status_list_and_undo(admin_user, tmp_path):
    kizuna("contacts", str(write(tmp_path, ["山田,太郎,taro@example.jp,03-1234-5678"])))
    job = ImportJob.objects.get()
    out, _ = kizuna("status", str(job.pk), "--format=json")
    assert json.loads(out)["counts"]["created"] == 1
    out, _ = kizuna("list")
    assert "在籍者.csv" in out
    out, _ = kizuna("undo", str(job.pk))
    assert "1 deleted" in out and Contact.objects.count() == 0


def test_coded_errors_end_the_command_with_their_remedy(admin_user, tmp_path):
    with pytest.raises(CommandError) as caught:
        kizuna("status", "12345")
    assert "KZ-IMP-026" in str(caught.value)
    with pytest.raises(CommandError) as bad_map:
        kizuna("contacts", str(write(tmp_path, ["山田,太郎,a@example.jp,"])), "--map", "電話番号=phon")
    assert "KZ-IMP-005" in str(bad_map.value) and "phone" in str(bad_map.value)


def test_without_an_administrator_the_user_must_be_named(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        kizuna("contacts", str(write(tmp_path, ["山田,太郎,a@example.jp,"])))
    assert "KZ-VAL-011" in str(caught.value)


def test_a_missing_file_or_folder_is_a_coded_error_not_a_traceback(admin_user, tmp_path):
    with pytest.raises(CommandError) as missing:
        kizuna("contacts", str(tmp_path / "ない.csv"))
    assert "KZ-IMP-039" in str(missing.value)
    with pytest.raises(CommandError) as folder:
        call_command("export", "contacts", f"-o={tmp_path / 'nowhere' / 'c.csv'}")
    assert "KZ-IMP-039" in str(folder.value)
