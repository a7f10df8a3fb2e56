"""The import wizard: upload → mapping → dry run → import → undo, the progress panel, the error file,
and who may see a job."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kizuna.customers.models import Contact
from kizuna.imports.models import ImportJob, JobStatus
from kizuna.imports.tasks import import_job_execute

CSV = "氏名,メールアドレス,電話番号,生年月日\r\n山田 太郎,taro@example.jp,03-1234-5678,令和2年4月1日\r\n佐藤 花子,bad-address,090-1111-2222,1990/12/25\r\n"


def login(client, user):
    user.language = "en"  # the pages follow each user's language; these tests read English texts
    user.save(update_fields=["language"])
    client.force_login(user)


def upload(client, content: bytes = CSV.encode("cp932"), name: str = "名簿.csv"):
    return client.post(reverse("imports:new"), {"file": SimpleUploadedFile(name, content), "encoding": ""})


def run_queued_task() -> None:
    """What the worker does: run the job's queued task (here, in this process)."""
    result = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").first()
    assert result is not None, "no task was queued"
    import_job_execute.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    result.status = "SUCCEEDED"
    result.save(update_fields=["status"])


def test_the_wizard_from_upload_to_undo(client, alice):
    login(client, alice)
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "氏名" in page and "山田 太郎 / 佐藤 花子" in page and 'value="full_name" selected' in page

    form = {
        "map-0": "full_name",
        "map-1": "email",
        "map-2": "phone",
        "map-3": "birth_date",
        "on_duplicate": "skip",
    }
    response = client.post(
        reverse("imports:start", args=[job.pk]), {**form, "action": "dry_run", "save_mapping": "名簿"}
    )
    assert response.status_code == 302
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "Waiting for the background worker" in page  # queued, not yet run
    run_queued_task()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED and Contact.objects.count() == 0
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "KZ-VAL-008" in page and "bad-address" in page and "Download the error file" in page

    errors = client.get(reverse("imports:errors", args=[job.pk]))
    text = b"".join(errors.streaming_content).decode("cp932")
    assert errors.status_code == 200 and "佐藤 花子,bad-address" in text and "KZ-VAL-008" in text

    client.post(reverse("imports:start", args=[job.pk]), {"action": "commit"})
    run_queued_task()
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED, job.failure
    assert job.counts.get("created") == 1, (job.counts, list(job.problems.values_list("code", "context")))
    assert list(Contact.objects.values_list("family_name", "given_name", "owner_id")) == [
        ("山田", "太郎", alice.pk)
    ]
    assert "Undo this import" in client.get(reverse("imports:detail", args=[job.pk])).content.decode()

    client.post(reverse("imports:undo", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and Contact.objects.count() == 0


def test_progress_panel_polls_until_the_job_ends(client, alice):
    login(client, alice)
    upload(client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, counts={"rows": 500}, bytes_done=job.file_size // 2
    )
    job.started_at = None
    panel = client.get(reverse("imports:progress", args=[job.pk]))
    assert panel.status_code == 200 and 'hx-trigger="every 1s"' in panel.content.decode()
    assert "500 rows" in panel.content.decode() and 'value="50"' in panel.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.COMMITTED)
    done = client.get(reverse("imports:progress", args=[job.pk]))
    assert done["HX-Refresh"] == "true"


def test_a_bad_file_is_refused_with_its_code_and_remedy(client, alice):
    login(client, alice)
    response = upload(client, "姓,名,メール\r\n".encode(), "header.csv")
    assert response.status_code == 422
    page = response.content.decode()
    assert "KZ-IMP-020" in page and "error-panel" in page
    assert upload(client, b"", "empty.csv").status_code == 422  # Django's own "the file is empty"


def test_a_mapping_with_one_field_twice_is_refused(client, alice):
    login(client, alice)
    upload(client)
    job = ImportJob.objects.get()
    form = {
        "map-0": "full_name",
        "map-1": "email",
        "map-2": "email",
        "map-3": "",
        "on_duplicate": "skip",
        "action": "dry_run",
    }
    response = client.post(reverse("imports:start", args=[job.pk]), form)
    assert response.status_code == 422 and "KZ-IMP-035" in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_other_users_cannot_see_a_job(client, alice, charlie, admin_user):
    login(client, alice)
    upload(client)
    job = ImportJob.objects.get()
    login(client, charlie)
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:undo", args=[job.pk])).status_code == 404
    assert "名簿.csv" not in client.get(reverse("imports:list")).content.decode()
    login(client, admin_user)
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200
    assert "名簿.csv" in client.get(reverse("imports:list")).content.decode()


def test_wizard_needs_a_login(client):
    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and "login" in response["Location"]
