"""Import jobs through the services: dry run, commit, duplicates under each policy, verification,
undo with before-images, the error file, and every file the engine must refuse with a coded error."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kizuna.core.errors import KizunaError
from kizuna.core.models import AuditEntry, DomainEvent, ErrorEvent
from kizuna.customers import services as customer_services
from kizuna.customers.models import Company, Contact
from kizuna.imports import report, selectors, services
from kizuna.imports.models import ImportJob, JobStatus, RowProblem

HEADER = "姓,名,セイ,メイ,会社名,メールアドレス,電話番号,郵便番号,生年月日,タグ\r\n"
ROWS = [
    "山田,太郎,やまだ,たろう,㈱山田商事,taro@example.jp,０３－１２３４－５６７８,〒100-0001,令和2年4月1日,VIP、展示会",
    "佐藤,花子,サトウ,ハナコ,株式会社山田商事,hanako@example.jp,090-1111-2222,1000002,1990/12/25,",
    "鈴木,一郎,スズキ,イチロウ,(株)鈴木工業,not-an-email,03-9999-0000,100-0003,平成32年1月1日,",
    "山田,太郎,ヤマダ,タロウ,山田商事,TARO@example.jp,03-1234-5678,100-0001,2020-04-01,",
    ",,,,,,,,,",
    "髙橋,健,タカハシ,ケン,,ken@example.jp,0120-123-456 内線12,,S64.1.7,",
]


def write(
    tmp_path: Path,
    rows: list[str] | None = None,
    *,
    encoding: str = "cp932",
    header: str = HEADER,
    name: str = "contacts.csv",
) -> Path:
    path = tmp_path / name
    path.write_bytes(
        (header + "".join(r + "\r\n" for r in (ROWS if rows is None else rows))).encode(encoding)
    )
    return path


def run(actor, path: Path, *, dry_run: bool = False, **options) -> ImportJob:
    job = services.import_job_create(actor=actor, path=path, options=options)
    return services.import_job_run(actor=actor, job_id=job.pk, dry_run=dry_run)


def codes(job: ImportJob) -> list[tuple[int, str, str]]:
    return list(RowProblem.objects.filter(job=job).order_by("row", "id").values_list("row", "code", "column"))


def test_dry_run_reports_every_problem_and_writes_nothing(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path), dry_run=True)
    assert job.status == JobStatus.CHECKED and job.encoding == "cp932"
    assert Contact.objects.count() == 0 and Company.objects.count() == 0
    assert job.counts == {
        "rows": 6, "valid": 3, "invalid": 2, "blank": 1, "created": 3, "duplicates_in_file": 1, "warnings": 0,
    }  # fmt: skip
    assert codes(job) == [
        (4, "KZ-VAL-008", "メールアドレス"),
        (4, "KZ-VAL-017", "生年月日"),
        (5, "KZ-IMP-011", ""),
    ]
    assert job.report["verified"] is True


def test_commit_writes_normalized_records_with_audit_and_one_summary_event(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path))
    assert job.status == JobStatus.COMMITTED and job.rows_done == 7
    taro = Contact.objects.get(email="taro@example.jp")
    assert (taro.family_name_kana, taro.given_name_kana) == ("ヤマダ", "タロウ")
    assert (taro.phone, taro.phone_raw, taro.postal_code) == (
        "+81312345678",
        "０３－１２３４－５６７８",
        "100-0001",
    )
    assert taro.birth_date.isoformat() == "2020-04-01"
    assert sorted(taro.tags.values_list("name", flat=True)) == ["VIP", "展示会"]
    hanako = Contact.objects.get(email="hanako@example.jp")
    assert hanako.birth_date.isoformat() == "1990-12-25"
    # ㈱山田商事 and 株式会社山田商事 are one company, created once with the legal form spelled out.
    assert taro.company_id == hanako.company_id
    assert Company.objects.get(pk=taro.company_id).name == "株式会社山田商事"
    ken = Contact.objects.get(email="ken@example.jp")
    assert (ken.phone, ken.birth_date.isoformat(), ken.company_id) == ("+81120123456", "1989-01-07", None)
    assert (
        AuditEntry.objects.filter(batch=job.batch, object_type="customers.contact", action="create").count()
        == 3
    )
    assert AuditEntry.objects.filter(batch=job.batch, object_type="customers.company").count() == 1
    assert not DomainEvent.objects.filter(event_type="contact.created").exists()
    summary = DomainEvent.objects.get(event_type="contact.created_bulk")
    assert sorted(summary.payload["ids"]) == sorted([taro.pk, hanako.pk, ken.pk])
    assert job.report["verified"] is True and job.report["created_in_database"] == 3
    assert job.report["companies_created"] == 1
    assert ErrorEvent.objects.filter(code="KZ-IMP-030", object_id=job.pk).exists()


def test_imported_records_are_found_by_search(admin_user, tmp_path):
    from kizuna.customers.selectors import contact_list

    run(admin_user, write(tmp_path))
    assert [c.email for c in contact_list(user=admin_user, search="ヤマダ")] == ["taro@example.jp"]


def test_automation_option_writes_one_event_per_record(admin_user, tmp_path):
    run(admin_user, write(tmp_path), automation=True)
    assert DomainEvent.objects.filter(event_type="contact.created").count() == 3


def test_existing_records_are_skipped_by_default_and_reported(admin_user, tmp_path):
    existing = customer_services.contact_create(
        actor=admin_user, data={"family_name": "山田", "email": "taro@example.jp"}
    )
    job = run(admin_user, write(tmp_path))
    assert job.counts["skipped"] == 1 and job.counts["created"] == 2
    problem = RowProblem.objects.get(job=job, code="KZ-IMP-021")
    assert (problem.row, problem.warning, problem.context["existing_id"]) == (2, True, existing.pk)
    existing.refresh_from_db()
    assert existing.given_name == ""


@pytest.mark.parametrize(
    ("policy", "given", "title"), [("update", "太郎", "部長"), ("update-empty", "太郎", "課長")]
)
def test_update_policies(admin_user, tmp_path, policy, given, title):
    existing = customer_services.contact_create(
        actor=admin_user, data={"family_name": "山田", "email": "taro@example.jp", "title": "課長"}
    )
    path = write(
        tmp_path,
        ["山田,太郎,,,,taro@example.jp,,,,部長"],
        header="姓,名,セイ,メイ,会社名,メールアドレス,電話番号,郵便番号,生年月日,役職\r\n",
    )
    job = run(admin_user, path, on_duplicate=policy)
    existing.refresh_from_db()
    assert (existing.given_name, existing.title) == (given, title)
    assert job.counts["updated"] == 1
    entry = AuditEntry.objects.get(batch=job.batch, action="update")
    assert entry.changes["given_name"] == {"before": "", "after": "太郎"}


def test_create_policy_imports_duplicates_too(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path), on_duplicate="create")
    assert job.counts["created"] == 4
    assert Contact.objects.filter(family_name="山田").count() == 2


def test_review_policy_sets_matches_aside(admin_user, tmp_path):
    customer_services.contact_create(
        actor=admin_user, data={"family_name": "山田", "email": "taro@example.jp"}
    )
    job = run(admin_user, write(tmp_path), on_duplicate="review")
    assert job.counts["review"] == 1
    assert RowProblem.objects.filter(job=job, code="KZ-IMP-029", row=2).exists()


def test_undo_removes_created_and_restores_updated(admin_user, tmp_path):
    existing = customer_services.contact_create(
        actor=admin_user, data={"family_name": "山田", "email": "taro@example.jp"}
    )
    job = run(admin_user, write(tmp_path), on_duplicate="update")
    existing.refresh_from_db()
    assert existing.given_name == "太郎" and existing.company_id is not None
    result = services.import_job_undo(actor=admin_user, job_id=job.pk)
    assert result == {
        "deleted": 3,
        "restored": 1,
        "gone": 0,
    }  # 2 contacts and the company; 1 contact restored
    existing.refresh_from_db()
    assert (existing.given_name, existing.company_id, existing.phone) == ("", None, "")
    assert list(Contact.objects.values_list("pk", flat=True)) == [existing.pk]
    assert Company.objects.count() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE


def test_undo_refuses_records_changed_since_unless_forced(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path))
    hanako = Contact.objects.get(email="hanako@example.jp")
    customer_services.contact_update(actor=admin_user, contact_id=hanako.pk, data={"title": "部長"})
    with pytest.raises(KizunaError) as caught:
        services.import_job_undo(actor=admin_user, job_id=job.pk)
    assert caught.value.code == "KZ-IMP-024" and caught.value.context["count"] == 1
    assert Contact.objects.count() == 3  # nothing undone
    services.import_job_undo(actor=admin_user, job_id=job.pk, force=True)
    assert Contact.objects.count() == 0
    with pytest.raises(KizunaError) as again:
        services.import_job_undo(actor=admin_user, job_id=job.pk)
    assert again.value.code == "KZ-IMP-025"


def test_error_file_holds_the_rejected_rows_as_written_in_the_files_encoding(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path), dry_run=True)
    out = tmp_path / "errors.csv"
    assert report.write_error_file(job, out) == 2
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("cp932"))))
    assert rows[0][-4:] == ["エラー行", "エラー列", "エラーコード", "エラー内容"]
    assert rows[1][:10] == ROWS[2].split(",")
    assert rows[1][10:13] == ["4", "メールアドレス / 生年月日", "KZ-VAL-008 / KZ-VAL-017"]
    assert "令和2年1月1日" in rows[1][13]  # 平成32年 does not exist: the 令和 date is suggested
    assert rows[2][10:12] == ["5", "メールアドレス"] and rows[2][12] == "KZ-IMP-011"


def test_json_report_lists_problems_with_messages(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path), dry_run=True)
    data = report.job_report(job, "en")
    first = data["problems"][0]
    assert {k: first[k] for k in ("row", "column", "value", "code")} == {
        "row": 4, "column": "メールアドレス", "value": "not-an-email", "code": "KZ-VAL-008",
    }  # fmt: skip
    assert "not a valid email" in first["message"].lower() or "email" in first["message"].lower()


def test_full_names_are_split_with_the_help_of_the_kana_column(admin_user, tmp_path):
    path = write(
        tmp_path,
        [
            "山田 太郎,ヤマダ タロウ,a@example.jp",
            "佐藤花子,サトウ ハナコ,b@example.jp",
            "勅使河原蒼,,c@example.jp",
        ],
        header="氏名,フリガナ,メール\r\n",
    )
    job = run(admin_user, path)
    got = {
        c.email: (c.family_name, c.given_name, c.family_name_kana, c.given_name_kana)
        for c in Contact.objects.all()
    }
    assert got == {
        "a@example.jp": ("山田", "太郎", "ヤマダ", "タロウ"),
        "b@example.jp": ("佐藤", "花子", "サトウ", "ハナコ"),
        "c@example.jp": ("勅使河原蒼", "", "", ""),
    }
    assert codes(job) == [(4, "KZ-IMP-014", "氏名")]


def test_unknown_company_is_a_row_error_when_companies_must_match(admin_user, tmp_path):
    customer_services.company_create(actor=admin_user, data={"name": "株式会社山田商事"})
    job = run(admin_user, write(tmp_path, ROWS[:2]), companies="match")
    assert job.counts["created"] == 2
    job = run(
        admin_user,
        write(tmp_path, [ROWS[2].replace("not-an-email", "x@example.jp").replace("平成32年1月1日", "")]),
        companies="match",
    )
    assert codes(job) == [(2, "KZ-IMP-012", "")]
    assert Company.objects.count() == 1


def test_ragged_rows_and_values_without_header_are_reported(admin_user, tmp_path):
    path = write(
        tmp_path,
        ["山田,太郎,a@example.jp,", "佐藤", "鈴木,一郎,b@example.jp,メモ"],
        header="姓,名,メール,\r\n",
        encoding="utf-8",
    )
    job = run(admin_user, path)
    assert codes(job) == [(3, "KZ-IMP-010", ""), (4, "KZ-IMP-016", "")]
    assert Contact.objects.count() == 2  # the warning row is written


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "KZ-IMP-003"),
        ("姓,名,メール\r\n".encode(), "KZ-IMP-020"),
        ("姓,姓,,メール\r\n山田,太郎,x,a@example.jp\r\n".encode(), "KZ-IMP-013"),
        ("会社名,メール\r\n山田商事,a@example.jp\r\n".encode(), "KZ-IMP-018"),
        (
            (
                ",".join(f"c{i}" for i in range(1001)) + "\r\n" + ",".join("x" for _ in range(1001)) + "\r\n"
            ).encode(),
            "KZ-IMP-019",
        ),
        (bytes(range(256)) * 40, "KZ-IMP-001"),
    ],
)
def test_files_that_cannot_be_imported_fail_the_job_with_a_coded_error(admin_user, tmp_path, content, code):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(KizunaError) as caught:
        services.import_job_create(actor=admin_user, path=path)
    assert caught.value.code == code
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED and job.failure["code"] == code
    assert ErrorEvent.objects.filter(code=code, object_id=job.pk).exists()
    assert Contact.objects.count() == 0


def test_file_over_the_size_limit_is_refused_before_reading(admin_user, tmp_path, settings):
    settings.KIZUNA_IMPORT_MAX_BYTES = 100
    with pytest.raises(KizunaError) as caught:
        services.import_job_create(actor=admin_user, path=write(tmp_path))
    assert caught.value.code == "KZ-IMP-017"


def test_unbalanced_quote_and_overlong_cell_are_row_errors(admin_user, tmp_path):
    long_cell = "x" * 140_000
    path = write(
        tmp_path,
        [
            f'山田,"{long_cell}",a@example.jp',
            "佐藤,花子,b@example.jp",
            '鈴木,"一郎,c@example.jp',
            "田中,次郎,d@example.jp",
        ],
        header="姓,名,メール\r\n",
        encoding="utf-8",
    )
    job = run(admin_user, path)
    assert codes(job) == [(2, "KZ-IMP-031", ""), (4, "KZ-IMP-015", "")]
    assert list(Contact.objects.values_list("email", flat=True)) == ["b@example.jp"]


def test_a_job_that_writes_nothing_says_so(admin_user, tmp_path):
    job = run(admin_user, write(tmp_path, [ROWS[2]]))
    assert job.report["nothing_written"] is True
    assert ErrorEvent.objects.filter(code="KZ-IMP-028", object_id=job.pk).exists()


def test_saved_mappings_are_reused_by_name(admin_user, tmp_path):
    path = write(tmp_path, ["山田,a@example.jp"], header="苗字X,連絡先\r\n", encoding="utf-8")
    job = services.import_job_create(
        actor=admin_user, path=path, overrides={"苗字X": "family_name", "連絡先": "email"}
    )
    services.import_mapping_save(
        actor=admin_user, name="基幹システム", object_type="contacts", mapping=job.mapping
    )
    again = services.import_job_create(actor=admin_user, path=path, mapping_name="基幹システム")
    assert again.mapping == {"苗字X": "family_name", "連絡先": "email"}
    with pytest.raises(KizunaError) as caught:
        services.import_job_create(actor=admin_user, path=path, mapping_name="ない")
    assert caught.value.code == "KZ-IMP-027" and caught.value.context["names"] == "基幹システム"


def test_job_states_and_lookups_are_checked(admin_user, tmp_path):
    with pytest.raises(KizunaError) as missing:
        selectors.import_job_get(user=admin_user, pk=999)
    assert missing.value.code == "KZ-IMP-026"
    job = run(admin_user, write(tmp_path))
    with pytest.raises(KizunaError) as twice:
        services.import_job_run(actor=admin_user, job_id=job.pk)
    assert twice.value.code == "KZ-IMP-025"


def test_resume_refuses_a_live_importer_and_a_changed_file(admin_user, tmp_path):
    import os
    import socket

    job = services.import_job_create(actor=admin_user, path=write(tmp_path))
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=f"{socket.gethostname()}:{os.getppid()}"
    )
    with pytest.raises(KizunaError) as live:
        services.import_job_resume(actor=admin_user, job_id=job.pk)
    assert live.value.code == "KZ-IMP-022"
    ImportJob.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()}:999999999")
    Path(job.file_path).write_bytes(b"changed")
    with pytest.raises(KizunaError) as changed:
        services.import_job_resume(actor=admin_user, job_id=job.pk)
    assert changed.value.code == "KZ-IMP-023"


def test_a_read_only_user_cannot_import(reader, tmp_path):
    with pytest.raises(KizunaError) as caught:
        services.import_job_create(actor=reader, path=write(tmp_path))
    assert caught.value.code == "KZ-AUTH-002"
    assert not ImportJob.objects.exists()


def test_rows_prepared_in_worker_processes_give_the_same_job(admin_user, tmp_path, settings):
    rows = [
        f"山田{i},太郎,ヤマダ,タロウ,㈱山田商事,u{i % 700}@example.jp,03-1234-{i:04d},100-0001,令和2年4月{1 + i % 28}日,"
        for i in range(1000)
    ]
    path = write(tmp_path, rows)
    settings.KIZUNA_IMPORT_WORKERS = -1  # in this process
    single = run(admin_user, path, dry_run=True, chunk_rows=97)
    settings.KIZUNA_IMPORT_WORKERS = 2
    forked = run(admin_user, path, dry_run=True, chunk_rows=97)
    assert forked.counts == single.counts and forked.counts["duplicates_in_file"] == 300
    assert codes(forked) == codes(single)


def test_bulk_created_rows_are_in_the_search_index_once(admin_user, tmp_path):
    from django.db import connection

    from kizuna.customers.selectors import contact_list

    run(admin_user, write(tmp_path))
    customer_services.contact_create(actor=admin_user, data={"family_name": "山田", "given_name": "花子"})
    assert sorted(c.family_name for c in contact_list(user=admin_user, search="山田")) == [
        "佐藤",
        "山田",
        "山田",
    ]  # 佐藤: 山田商事
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_contact_fts(customers_contact_fts) VALUES ('integrity-check')"
            )
            cursor.execute("SELECT count(*) FROM kizuna_search_deferred")
            assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("姓,生年月日\r\n山田,1980/4/1\r\n", False),
        ("姓,生年月日\r\n山田,2023年4月1日\r\n", False),
        ("姓,生年月日\r\n山田,25/12/1980\r\n", True),
        ("姓,生年月日\r\n山田,１２．２５．１９８０\r\n", True),
        ("姓,メモ\r\n山田,v1.2025x\r\n", False),
    ],
)
def test_the_day_month_scan_finds_only_dates_written_day_or_month_first(tmp_path, text, expected):
    from kizuna.imports.pipeline import may_hold_day_month_dates
    from kizuna.imports.reading import CsvSource

    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("cp932"))
    assert may_hold_day_month_dates(CsvSource(path)) is expected


def test_an_update_is_refused_for_records_the_user_may_not_edit(alice, charlie, tmp_path):
    mine = customer_services.contact_create(
        actor=alice, data={"family_name": "山田", "email": "taro@example.jp"}
    )
    job = run(charlie, write(tmp_path, ROWS[:1]), on_duplicate="update")
    assert job.counts["invalid"] == 1 and codes(job)[0][1] == "KZ-AUTH-001"
    mine.refresh_from_db()
    assert mine.given_name == "" and mine.version == 1


def test_columns_whose_values_do_not_repeat_stop_being_remembered():
    from kizuna.imports.mapping import auto_map
    from kizuna.imports.pipeline import CACHE_PROBATION, RowPreparer
    from kizuna.imports.reading import SourceRow
    from kizuna.imports.targets import CONTACTS

    preparer = RowPreparer(mapping=auto_map(["姓", "メール", "都道府県"]), specs=CONTACTS.specs)
    for i in range(CACHE_PROBATION + 10):
        row = preparer.prepare(SourceRow(i + 2, 0, ["山田", f"u{i}@example.jp", "東京"]))
        assert row.ok and row.values["prefecture"] == "東京都" and row.values["email"] == f"u{i}@example.jp"
    assert "email" not in preparer._cache  # nine in ten new: dropped
    assert list(preparer._cache["prefecture"]) == ["東京"] and list(preparer._cache["family_name"]) == [
        "山田"
    ]


def test_undo_waits_for_a_live_importer(admin_user, tmp_path):
    import os
    import socket

    job = run(admin_user, write(tmp_path))
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=f"{socket.gethostname()}:{os.getppid()}"
    )
    with pytest.raises(KizunaError) as caught:
        services.import_job_undo(actor=admin_user, job_id=job.pk)
    assert caught.value.code == "KZ-IMP-022" and Contact.objects.count() == 3


def test_excel_unicode_text_imports_and_its_error_file_is_utf16_too(admin_user, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(
        "姓\t名\tメール\r\n上田\t一郎\tueda@example.jp\r\n下田\t次郎\tnot-mail\r\n".encode("utf-16")
    )
    job = run(admin_user, path)
    assert job.encoding == "utf-16" and job.counts["created"] == 1
    assert Contact.objects.get().family_name == "上田"
    out = tmp_path / "errors.txt"
    assert report.write_error_file(job, out) == 1
    lines = out.read_bytes().decode("utf-16").splitlines()
    assert lines[1].startswith("下田\t次郎\tnot-mail\t3\tメール\tKZ-VAL-008\t")


def test_creation_dates_of_the_other_system_are_kept(admin_user, tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text(
        "LastName,FirstName,Email,Birthdate,CreatedDate\r\n"
        "佐々木,真綾,maaya@example.jp,12/26/1950,2020-07-04T09:00:00.000Z\r\n"
        "山田,太郎,taro@example.jp,1/5/1980,2021/3/1\r\n",
        encoding="utf-8",
    )
    run(admin_user, path)
    got = {c.email: (c.birth_date.isoformat(), c.created_at.isoformat()) for c in Contact.objects.all()}
    assert got == {
        "maaya@example.jp": ("1950-12-26", "2020-07-04T09:00:00+00:00"),
        "taro@example.jp": ("1980-01-05", "2021-02-28T15:00:00+00:00"),  # midnight in Tokyo
    }
