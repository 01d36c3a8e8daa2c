"""Job tokens: what a running job's SDK authenticates with.

`kj_<job id>_<attempt>_<signature>`: an HMAC of the job id and attempt under the server's
secret key, so nothing is stored, and a token is good exactly while that attempt of that job
is running. It acts with the job's access (its owner's: kiln.accounts.access.principal_for_job)
and only on its own workspace's routes; the job's end, a retry or a cancel ends it (401).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, replace

from django.conf import settings

from kiln.accounts.access import JobScope, principal_for_job
from kiln.accounts.models import Membership, User
from kiln.jobs.models import Job, JobStatus

PREFIX = "kj_"
TOKEN_RE = re.compile(r"^kj_([0-9a-f]{32})_(\d{1,6})_([A-Za-z0-9_-]{43})$")


def _signature(job_id: str, attempt: int) -> str:
    message = f"kiln-job-token\0{job_id}\0{attempt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def job_token(job: Job) -> str:
    job_hex = uuid.UUID(str(job.id)).hex
    return f"{PREFIX}{job_hex}_{job.attempt}_{_signature(job_hex, job.attempt)}"


def is_job_token(raw: str) -> bool:
    return raw.startswith(PREFIX)


@dataclass(frozen=True)
class JobCredential:
    job: Job
    user: User  # whom its requests are recorded as: its author, or (run as a group) its starter
    scope: JobScope


class JobTokenInvalid(Exception):
    pass


def job_token_authenticate(raw: str) -> JobCredential:
    match = TOKEN_RE.match(raw)
    if match is None:
        raise JobTokenInvalid("malformed job token")
    job_hex, attempt, given = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(given, _signature(job_hex, attempt)):
        raise JobTokenInvalid("invalid job token")
    job = Job.objects.select_related("run_as_user", "created_by").filter(pk=uuid.UUID(job_hex)).first()
    if job is None or job.status != JobStatus.RUNNING or job.attempt != attempt:
        raise JobTokenInvalid("this job token has expired: its job is no longer running")
    principal = principal_for_job(
        workspace_id=job.workspace_id, run_as=job.run_as, run_as_user_id=job.run_as_user_id
    )
    if principal.membership is None:
        # Run as a group (or by someone who left): the group's access, recorded as the starter.
        starter = Membership.objects.select_related("user", "workspace").filter(
            workspace_id=job.workspace_id, user_id=job.created_by_id
        )
        membership = starter.first()
        if membership is None:
            raise JobTokenInvalid("this job's owner and starter are no longer members of its workspace")
        principal = replace(principal, membership=membership)
    user = job.run_as_user or job.created_by
    return JobCredential(job=job, user=user, scope=JobScope(job_id=str(job.id), principal=principal))
