"""Importing companies: legal forms spelled out, 法人番号 checked, duplicates on external id, 法人番号,
or name with phone or postal code; the contacts' search documents follow a renamed company."""

from __future__ import annotations

from pathlib import Path

from kizuna.customers import services as customer_services
from kizuna.customers.models import Company
from kizuna.customers.selectors import contact_list
from kizuna.imports import services
from kizuna.imports.models import RowProblem

HEADER = "取引先コード,会社名,会社名カナ,法人番号,電話番号,郵便番号,都道府県,住所,業種\r\n"


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "取引先.csv"
    path.write_bytes((HEADER + "".join(r + "\r\n" for r in rows)).encode("cp932"))
    return path


def run(actor, path, **options):
    job = services.import_job_create(actor=actor, path=path, object_type="companies", options=options)
    return services.import_job_run(actor=actor, job_id=job.pk)


def test_companies_import_with_their_keys(admin_user, tmp_path):
    job = run(
        admin_user,
        write(
            tmp_path,
            [
                "A-1,㈱山田商事,やまだしょうじ,7000012050002,03-1234-5678,1000001,東京,千代田区丸の内1-1,卸売",
                "A-2,(有)佐藤水産,,1234567890123,06-1111-2222,,大阪府,,水産",
                "A-3,山田商事株式会社,,,03-1234-5678,,,,",
                "A-4,鈴木工業,,,,100-0001,,,",
            ],
        ),
    )
    rows = {c.external_id: c for c in Company.objects.all()}
    assert sorted(rows) == ["A-1", "A-4"]
    assert (rows["A-1"].name, rows["A-1"].name_kana, rows["A-1"].phone, rows["A-1"].prefecture) == (
        "株式会社山田商事", "ヤマダショウジ", "+81312345678", "東京都",
    )  # fmt: skip
    problems = list(RowProblem.objects.filter(job=job).values_list("row", "code", "field"))
    assert problems == [(3, "KZ-VAL-007", "corporate_number"), (4, "KZ-IMP-011", "name")]
    assert job.counts["created"] == 2


def test_existing_companies_are_matched_and_updated(admin_user, tmp_path):
    existing = customer_services.company_create(
        actor=admin_user, data={"name": "株式会社山田商事", "phone": "03-1234-5678"}
    )
    customer_services.contact_create(actor=admin_user, data={"family_name": "田中", "company": existing.pk})
    job = run(admin_user, write(tmp_path, ["B-9,山田ホールディングス,,,,,,,"]))  # a new one
    assert job.counts["created"] == 1
    job = run(admin_user, write(tmp_path, ["B-1,㈱山田商事,,,03-1234-5678,,,,商社"]), on_duplicate="update")
    existing.refresh_from_db()
    assert job.counts["updated"] == 1 and (existing.industry, existing.external_id) == ("商社", "B-1")
    job = run(
        admin_user, write(tmp_path, ["B-1,山田物産株式会社,,,,,,,"]), on_duplicate="update"
    )  # matched by external id, renamed
    existing.refresh_from_db()
    assert existing.name == "山田物産株式会社" and existing.name_normalized != ""
    assert [c.family_name for c in contact_list(user=admin_user, search="山田物産")] == ["田中"]
