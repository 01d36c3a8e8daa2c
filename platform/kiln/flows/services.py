"""Writes for flows: validate a spec and save it as an immutable version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from kiln.accounts.models import User, Workspace
from kiln.errors import BadRequest, Conflict, KilnError
from kiln.scripts.models import Script
from kiln.scripts.services import validate_path

from . import spec
from .expressions import check_syntax
from .models import Flow, FlowVersion
from .selectors import latest_version


class SpecTooLarge(KilnError):
    status = 413


@dataclass(frozen=True)
class SavedFlow:
    version: FlowVersion
    created: bool  # False when the same document was already the latest version


def spec_error(exc: spec.SpecError) -> KilnError:
    detail = exc.as_detail()
    if isinstance(exc, spec.SpecTooLarge):
        return SpecTooLarge(str(exc), detail)
    return BadRequest(str(exc), detail)


def flow_validate(*, workspace: Workspace, path: str, doc: Any) -> dict[str, Any]:
    """The normalised document, or a 400 (413 when too large) listing every problem with the
    path of its field (`value.modules[2].value.iterator`)."""

    def subflow(other: str) -> dict[str, Any] | None:
        version = latest_version(workspace=workspace, path=other)
        return version.document() if version is not None else None

    def script_exists(other: str) -> bool:
        return Script.objects.filter(workspace=workspace, path=other, latest__isnull=False).exists()

    try:
        normal = spec.validate_flow(
            doc, syntax_check=check_syntax, subflow=subflow, script_exists=script_exists, self_path=path
        )
    except spec.SpecError as exc:
        raise spec_error(exc) from None
    try:
        Draft202012Validator.check_schema(normal["schema"])
    except SchemaError as exc:
        issue = spec.SpecIssue("schema", f"invalid JSON Schema: {exc.message}")
        raise spec_error(spec.SpecError([issue])) from None
    return normal


def flow_save(*, workspace: Workspace, user: User, path: str, doc: Any) -> SavedFlow:
    """Store a new version of the flow at `path` (creating the flow on first save). Nothing is
    stored unless the whole document is valid."""
    validate_path(path)
    normal = flow_validate(workspace=workspace, path=path, doc=doc)
    digest = spec.spec_hash(normal)[:16]
    try:
        with transaction.atomic():
            if Script.objects.filter(workspace=workspace, path=path, latest__isnull=False).exists():
                raise Conflict(
                    f"a script lives at '{path}': a flow needs a path of its own", {"field": "path"}
                )
            flow, _ = Flow.objects.select_for_update().get_or_create(
                workspace=workspace, path=path, defaults={"created_by": user}
            )
            existing = flow.versions.filter(hash=digest).first()
            if existing is not None:
                if flow.latest_id != existing.pk:
                    flow.latest = existing
                    flow.save(update_fields=["latest"])
                return SavedFlow(existing, created=False)
            version = FlowVersion.objects.create(
                flow=flow,
                hash=digest,
                summary=str(normal.get("summary") or "")[:500],
                description=str(normal.get("description") or ""),
                schema=normal["schema"],
                value=normal["value"],
                created_by=user,
            )
            flow.latest = version
            flow.save(update_fields=["latest"])
    except IntegrityError:
        return flow_save(workspace=workspace, user=user, path=path, doc=doc)  # a first save raced
    return SavedFlow(version, created=True)


def flow_import(*, workspace: Workspace, user: User, path: str, text: str, fmt: str | None) -> SavedFlow:
    try:
        doc = spec.load_text(text, fmt)
    except spec.SpecError as exc:
        raise spec_error(exc) from None
    return flow_save(workspace=workspace, user=user, path=path, doc=doc)


def flow_delete(*, flow: Flow) -> None:
    """Delete a flow, as script_delete deletes a script: its versions and runs stay, its path is
    free, it is no app any more; a schedule that runs it must go first."""
    from kiln.scripts.services import no_schedule_runs

    with transaction.atomic():
        flow = Flow.objects.select_for_update().get(pk=flow.pk)
        no_schedule_runs(flow.workspace_id, flow.path, is_flow=True)
        flow.latest = None
        flow.app = False
        flow.save(update_fields=["latest", "app"])
