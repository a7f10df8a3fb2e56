"""The import wizard in a real browser, with a real task worker: upload a Shift_JIS file, check the
mapping, dry run, read the row errors, import with the progress panel, undo."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from kizuna.customers.models import Contact
from kizuna.imports.models import ImportJob, JobStatus

CSV = (
    "姓,名,メールアドレス,電話番号,生年月日\r\n"
    "山田,太郎,taro@example.jp,０３－１２３４－５６７８,令和2年4月1日\r\n"
    "佐藤,花子,hanako-at-example.jp,090-1111-2222,1990/12/25\r\n"
    "鈴木,一郎,ichiro@example.jp,06-1111-2222,H3.5.5\r\n"
)
WORKER_STEP_MS = 30_000  # the worker polls every 0.1 s; a dry run of three rows takes well under this


def test_upload_map_dry_run_import_and_undo(signed_in: Any, alice: Any, spawn: Any, tmp_path: Path) -> None:
    spawn(
        [sys.executable, "-m", "kizuna.cli", "worker", "--interval=0.1", "--no-startup-delay"], name="worker"
    )
    path = tmp_path / "名簿.csv"
    path.write_bytes(CSV.encode("cp932"))

    page = signed_in(alice)
    page.goto("/imports/new/")
    page.locator("#id_file").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    job = ImportJob.objects.get()
    assert job.encoding == "cp932"
    # Each column with its first values and the field it was mapped to automatically.
    expect(page.locator("select#map-2")).to_have_value("email")
    expect(page.locator("main table").first).to_contain_text("hanako-at-example.jp")

    page.locator("button[name=action][value=dry_run]").click()
    expect(page.locator(".figures")).to_be_visible(timeout=WORKER_STEP_MS)
    expect(page.locator("main")).to_contain_text("KZ-VAL-008", timeout=WORKER_STEP_MS)
    assert Contact.objects.count() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED and job.counts["invalid"] == 1
    with page.expect_download() as download:
        page.locator(f"a[href='/imports/{job.pk}/errors.csv']").click()
    assert "hanako-at-example.jp" in Path(download.value.path()).read_bytes().decode("cp932")

    page.locator("button[name=action][value=commit]").click()
    expect(page.locator("form[action$='/undo/']")).to_be_visible(timeout=WORKER_STEP_MS)
    assert sorted(Contact.objects.values_list("email", flat=True)) == ["ichiro@example.jp", "taro@example.jp"]
    assert Contact.objects.get(email="ichiro@example.jp").birth_date.isoformat() == "1991-05-05"

    with page.expect_navigation():
        page.locator("form[action$='/undo/'] button[type=submit]").click()
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and Contact.objects.count() == 0
