"""An importing process killed with SIGKILL, or cut off from PostgreSQL, mid-import: ``resume`` finishes
the job with every row written exactly once."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from kizuna.core.models import AuditEntry
from kizuna.customers.models import Contact
from kizuna.imports import services
from kizuna.imports.models import ImportJob, JobStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROWS = 12_000


def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.csv"
    lines = ["姓,名,メールアドレス,電話番号,生年月日"]
    lines += [
        f"山田{i},太郎,user{i}@example.jp,03-{1000 + i % 9000}-{i % 10000:04d},令和2年4月{1 + i % 28}日"
        for i in range(ROWS)
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


APP_NAME = "kizuna-test-importer"  # names the importer's PostgreSQL sessions, and only them


def start_import(spawn, path: Path):
    argv = [
        sys.executable,
        "-m",
        "kizuna.cli",
        "import",
        "contacts",
        str(path),
        "--chunk-rows=400",
        "--user=admin",
        "--format=json",
    ]
    return spawn(argv, name="import", env={"PGAPPNAME": APP_NAME})


def wait_for_checkpoint(proc, minimum: int) -> ImportJob:
    deadline = time.monotonic() + 120
    while True:
        job = ImportJob.objects.order_by("pk").first()
        if job is not None and job.rows_done >= minimum:
            return job
        assert proc.process.poll() is None, (
            f"the import ended before it could be interrupted: {proc.errors()}"
        )
        assert time.monotonic() < deadline, "no chunk committed within 120 s"
        time.sleep(0.01)


def assert_each_row_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED
    assert Contact.objects.count() == ROWS
    assert not Contact.objects.values("email").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert AuditEntry.objects.filter(batch=job.batch, action="create").count() == ROWS
    assert job.counts["created"] == ROWS and job.counts["rows"] == ROWS
    assert job.rows_done == ROWS + 1 and job.report["verified"] is True


def test_resume_after_sigkill_writes_each_row_once(admin_user, spawn, tmp_path):
    proc = start_import(spawn, big_file(tmp_path))
    wait_for_checkpoint(proc, 801)
    proc.kill9()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.RUNNING and job.rows_done < ROWS + 1
    # What is in the database is exactly what the checkpoint says: rows 2..rows_done.
    assert Contact.objects.count() == job.rows_done - 1
    services.import_job_resume(actor=admin_user, job_id=job.pk)
    assert_each_row_once(job)


@pytest.mark.postgresql
def test_resume_after_the_database_connection_drops(admin_user, spawn, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("cutting a server connection needs PostgreSQL; this run is on " + connection.vendor)
    proc = start_import(spawn, big_file(tmp_path))
    wait_for_checkpoint(proc, 801)
    with connection.cursor() as cursor:
        # Only the importer's sessions: this test process's own pooled connections must live on.
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            [APP_NAME],
        )
        assert cursor.fetchone()[0] >= 1
    assert proc.process.wait(timeout=60) == 2
    assert "KZ-IMP-033" in proc.errors()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED and job.failure["code"] == "KZ-IMP-033"
    assert Contact.objects.count() == job.rows_done - 1
    services.import_job_resume(actor=admin_user, job_id=job.pk)
    assert_each_row_once(job)
