"""The web wizard's long work, run by the task worker: a dry run, an import, or its resume.

A worker that dies mid-task gets the task again (kizuna.core.worker): the job's own checkpoint makes
that a resume, so every row is still written once.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kizuna.core.errors import KizunaError
from kizuna.core.models import EntryPoint


@task()
def import_job_execute(job_id: int, actor_id: int, dry_run: bool, resume: bool = False) -> dict[str, Any]:
    from kizuna.accounts.models import User

    from . import services
    from .models import ImportJob, JobStatus

    actor = User.objects.get(pk=actor_id)
    job = ImportJob.objects.get(pk=job_id)
    try:
        if dry_run:
            if job.status == JobStatus.CHECKING:  # a worker died during it: start it over
                ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CREATED)
            job = services.import_job_run(actor=actor, job_id=job_id, dry_run=True, via=EntryPoint.UI)
        elif resume or job.status == JobStatus.RUNNING:
            job = services.import_job_resume(actor=actor, job_id=job_id, via=EntryPoint.UI)
        elif job.status != JobStatus.COMMITTED:
            job = services.import_job_run(actor=actor, job_id=job_id, via=EntryPoint.UI)
    except KizunaError as error:  # recorded on the job and in the error center already
        return {"job": job_id, "error": error.code}
    return {"job": job.pk, "status": job.status, "counts": job.counts}
