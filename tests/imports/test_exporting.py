"""``kizuna export``: import(export(data)) gives the data back in every format; formulas neutralized;
a CP932 export lists the characters CP932 cannot hold instead of writing "?"."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kizuna.core.audit import snapshot
from kizuna.core.errors import KizunaError
from kizuna.customers import services as customer_services
from kizuna.customers.custom_fields import custom_field_define
from kizuna.customers.models import Company, Contact
from kizuna.imports import exporting, services

SKIP = {"owner", "team", "company", "consent_at", "external_id"}


def people(admin_user):
    custom_field_define(
        actor=admin_user, object_type="customers.contact", key="rank", label_ja="ランク", field_type="text"
    )
    company = customer_services.company_create(actor=admin_user, data={"name": "㈱山田商事"})
    customer_services.contact_create(
        actor=admin_user,
        data={
            "family_name": "=HYPERLINK(\"x\")", "given_name": "太郎", "family_name_kana": "やまだ", "company": company.pk,
            "email": "taro@example.jp", "phone": "０３－１２３４－５６７８ 内線12", "mobile": "+81 90 1111 2222",
            "postal_code": "〒1000001", "prefecture": "東京", "city": "千代田区", "address_line1": "丸の内1-1",
            "birth_date": "1980-04-01", "lifecycle_status": "customer", "consent_state": "granted",
            "tags": ["VIP", "展示会2024"], "custom": {"rank": "-A"}, "external_id": "SF-001",
        },
    )  # fmt: skip
    customer_services.contact_create(
        actor=admin_user, data={"family_name": "髙橋", "given_name": "一郎", "email": "ichiro@example.jp"}
    )


def state():
    out = []
    for c in Contact.objects.select_related("company").order_by("email"):
        values = {k: v for k, v in snapshot(c).items() if k not in SKIP}
        values["company"] = c.company.name if c.company_id else ""
        values["tags"] = sorted(c.tags.values_list("name", flat=True))
        out.append(values)
    return out


@pytest.mark.parametrize(
    ("fmt", "encoding"),
    [("csv", "utf-8-sig"), ("csv", "cp932"), ("xlsx", "utf-8-sig"), ("json", "utf-8-sig")],
)
def test_import_of_an_export_gives_the_data_back(admin_user, tmp_path, fmt, encoding):
    people(admin_user)
    before = state()
    path = tmp_path / f"contacts.{fmt}"
    assert exporting.export_contacts(actor=admin_user, destination=path, fmt=fmt, encoding=encoding) == 2
    Contact.objects.all().delete()
    Company.objects.all().delete()
    job = services.import_job_create(actor=admin_user, path=path)
    job = services.import_job_run(actor=admin_user, job_id=job.pk)
    assert job.counts["created"] == 2 and job.counts.get("invalid", 0) == 0
    after = state()
    assert [
        {k: (b[k], a.get(k)) for k in b if b[k] != a.get(k)} for b, a in zip(before, after, strict=True)
    ] == [{}, {}]


def test_csv_export_neutralizes_formulas_and_opens_in_excel(admin_user, tmp_path):
    people(admin_user)
    path = tmp_path / "contacts.csv"
    exporting.export_contacts(actor=admin_user, destination=path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel in Japan reads it as UTF-8
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("外部id,姓,名,セイ,メイ,会社名,")
    assert "'=HYPERLINK" in text and "'+81 90 1111 2222" in text and "'-A" in text


def test_cp932_export_lists_what_it_cannot_hold_and_writes_nothing(admin_user, tmp_path):
    customer_services.contact_create(actor=admin_user, data={"family_name": "𠮷田", "given_name": "🍣"})
    customer_services.contact_create(actor=admin_user, data={"family_name": "山田"})
    path = tmp_path / "contacts.csv"
    with pytest.raises(KizunaError) as caught:
        exporting.export_contacts(actor=admin_user, destination=path, encoding="cp932")
    assert caught.value.code == "KZ-IMP-034" and caught.value.context["count"] == 2
    assert (
        "𠮷 (U+20BB7)" in caught.value.context["characters"]
        and "🍣 (U+1F363)" in caught.value.context["characters"]
    )
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_export_command(admin_user, tmp_path):
    people(admin_user)
    out = io.StringIO()
    call_command("export", "contacts", "--format=json", f"-o={tmp_path / 'c.json'}", stdout=out)
    assert "2 contacts" in out.getvalue()
    call_command("export", "contacts", "--encoding=cp932", f"-o={tmp_path / 'c.csv'}", stdout=out)
    assert "髙橋,一郎" in (tmp_path / "c.csv").read_bytes().decode(
        "cp932"
    )  # 髙 is an IBM extension CP932 holds
    customer_services.contact_create(actor=admin_user, data={"family_name": "𠮷田"})
    with pytest.raises(CommandError) as caught:
        call_command("export", "contacts", "--encoding=cp932", f"-o={tmp_path / 'd.csv'}")
    assert "KZ-IMP-034" in str(caught.value)


def test_export_shows_only_what_the_user_may_see(alice, charlie, tmp_path):
    customer_services.contact_create(actor=alice, data={"family_name": "山田"})
    customer_services.contact_create(actor=charlie, data={"family_name": "佐藤"})
    path = tmp_path / "c.csv"
    assert exporting.export_contacts(actor=charlie, destination=path) == 1
    assert "佐藤" in path.read_text(encoding="utf-8-sig") and "山田" not in path.read_text(
        encoding="utf-8-sig"
    )
