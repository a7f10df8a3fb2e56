"""Reading import jobs with their visibility rule: a job is seen by the person who started it and by
administrators; anyone else gets the same error as for a job that does not exist (no probing ids)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kizuna.core.errors import KizunaError

from .models import ImportJob


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if user.policy.administer else jobs.filter(created_by=user)


def import_job_get(*, user: Any, pk: Any) -> ImportJob:
    """The job ``user`` may see, or KZ-IMP-026."""
    job = import_job_list(user=user).filter(pk=pk).first() if str(pk).isdigit() else None
    if job is None:
        raise KizunaError("KZ-IMP-026", context={"job": pk})
    return job
