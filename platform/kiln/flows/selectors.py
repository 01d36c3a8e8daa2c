"""Reads for flows."""

from __future__ import annotations

from kiln.accounts.models import Workspace

from .models import Flow, FlowVersion


def latest_version(*, workspace: Workspace | str, path: str) -> FlowVersion | None:
    """The latest version of the flow at `path` (None: no flow there), with its flow and author."""
    flow = (
        Flow.objects.select_related("latest", "latest__flow", "latest__created_by")
        .filter(workspace=workspace, path=path)
        .first()
    )
    return flow.latest if flow is not None else None
