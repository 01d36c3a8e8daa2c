"""`POST /api/w/{workspace}/batch`: several changes to a workspace's objects, all or none.

`kiln sync push` sends its whole change set here, so a push that the server refuses halfway
(a flow the server finds invalid, a right the token lacks) leaves the workspace as it was.
Each operation is one of the API's own write calls (its method, its path under
`/api/w/{workspace}`, its body) and runs through that endpoint's own code, with the caller's
credentials and every check it makes; all of them run in one database transaction, rolled
back at the first refusal. What happens after a commit (a worker's doorbell, an audit
record's side effects) happens once, after the last operation.

Only writes to what a workspace is made of may be batched: scripts (and their settings and
webhook settings), flows, schedules, variables, resources, resource types, folders and
apps. Running jobs is not (a job's message cannot be taken back).
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from ninja import Field, Router, Schema

from kiln.accounts.access import caller
from kiln.api_params import WorkspacePath
from kiln.errors import BadRequest

router = Router(tags=["batch"])

MAX_OPERATIONS = 2000
# Paths under /api/w/{workspace} that may be batched, by their first segments.
BATCHABLE = re.compile(
    r"^/(scripts(/settings/p/|/webhook/p/)?|flows(/import)?|schedules(/p/|/enabled/p/)?"
    r"|variables(/p/)?|resources(/p/)?|resources/types(/[^/]+)?|folders(/[^/]+(/grants)?)?|apps/p/)"
)


class Operation(Schema):
    method: Literal["POST", "PUT", "DELETE"]
    path: str = Field(description="The endpoint's path under /api/w/{workspace}, e.g. `/variables/p/f/x`")
    body: Any = Field(None, description="Its JSON body (none for DELETE)")


class BatchIn(Schema):
    operations: list[Operation] = Field(max_length=MAX_OPERATIONS)


class OperationResult(Schema):
    status: int
    body: Any


class BatchOut(Schema):
    results: list[OperationResult]


class _Refused(Exception):
    def __init__(self, index: int, op: Operation, response: HttpResponse, body: Any) -> None:
        self.index, self.op, self.response, self.body = index, op, response, body


@router.post(
    "",
    response={200: BatchOut},
    summary="Apply several writes (scripts, flows, schedules, variables, resources...) at once: all or none",
)
def batch(request: HttpRequest, workspace: WorkspacePath, payload: BatchIn) -> Any:
    caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]  # a member's
    for i, op in enumerate(payload.operations):
        if not BATCHABLE.match(op.path) or ".." in op.path or "?" in op.path:
            raise BadRequest(
                f"operation {i + 1}: {op.method} {op.path} cannot be batched (writes to scripts, flows, "
                "schedules, variables, resources, resource types, folders and apps can)",
                {"index": i, "field": "path"},
            )
    results: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            for i, op in enumerate(payload.operations):
                response = _call(request, workspace, op)
                body = json.loads(response.content or b"null")
                if response.status_code >= 400:
                    raise _Refused(i, op, response, body)
                results.append({"status": response.status_code, "body": body})
    except _Refused as refused:
        said = refused.body.get("message") if isinstance(refused.body, dict) else None
        which = f"operation {refused.index + 1} ({refused.op.method} {refused.op.path})"
        said = said or str(refused.response.status_code)
        return JsonResponse(
            {
                "message": f"{which} was refused: {said}; nothing was applied",
                "detail": {
                    "index": refused.index,
                    "status": refused.response.status_code,
                    "error": refused.body,
                },
            },
            status=refused.response.status_code,
        )
    return {"results": results}


def _call(outer: HttpRequest, workspace: str, op: Operation) -> HttpResponse:
    """One operation as a request of its own to its endpoint, with the batch's credentials (its
    token, or its session and CSRF token) and its client's address."""
    path = f"/api/w/{workspace}{op.path}"
    try:
        match = resolve(path)
    except Resolver404:
        raise BadRequest(f"{op.method} {op.path}: no such endpoint", {"field": "path"}) from None
    body = b"" if op.body is None else json.dumps(op.body).encode()
    inner = HttpRequest()
    inner.method = op.method
    inner.path = inner.path_info = path
    inner.META = {
        **outer.META,
        "REQUEST_METHOD": op.method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
    }
    inner.COOKIES = outer.COOKIES
    inner._body = body  # type: ignore[attr-defined]  # what request.body returns
    for attribute in ("user", "session", "csrf_processing_done"):
        if hasattr(outer, attribute):
            setattr(inner, attribute, getattr(outer, attribute))
    response = match.func(inner, *match.args, **match.kwargs)
    if not isinstance(response, HttpResponse):  # an async endpoint: none is batchable
        raise BadRequest(f"{op.method} {op.path} cannot be batched", {"field": "path"})
    return response
