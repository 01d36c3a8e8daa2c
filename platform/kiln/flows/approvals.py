"""Signed resume and cancel URLs of a suspended (approval) step.

Whoever holds a URL may approve or reject that one step of that one run, without an account,
as in Windmill: the URL is the credential. The signature is an HMAC of the workspace, run,
step, resume id and approver under the server's secret key, so none of them can be changed;
each resume id counts once toward `required_events`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from django.conf import settings

from kiln.errors import Forbidden


def signature(*, workspace: str, job_id: str, step: str, resume_id: str, approver: str) -> str:
    message = "\0".join(["kiln-resume", workspace, job_id, step, resume_id, approver]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def check(*, workspace: str, job_id: str, step: str, resume_id: str, approver: str, given: str) -> None:
    expected = signature(
        workspace=workspace, job_id=job_id, step=step, resume_id=resume_id, approver=approver
    )
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass")):
        raise Forbidden("invalid signature: this approval URL was altered or is not for this step")


def resume_urls(*, workspace: str, job_id: str, step: str, approver: str = "") -> dict[str, str]:
    """A fresh pair of URLs (a new resume id) for one approver of one suspended step."""
    resume_id = secrets.token_hex(8)
    sig = signature(workspace=workspace, job_id=job_id, step=step, resume_id=resume_id, approver=approver)
    query = urlencode({"step": step, **({"approver": approver} if approver else {})})
    base = f"{settings.KILN_PUBLIC_URL}/api/w/{workspace}/jobs_u"
    return {
        "resume": f"{base}/resume/{job_id}/{resume_id}/{sig}?{query}",
        "cancel": f"{base}/cancel/{job_id}/{resume_id}/{sig}?{query}",
    }
