"""Writes for scripts: inferring a schema, saving a version."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from kiln.accounts.models import User, Workspace
from kiln.crypto import encrypt
from kiln.errors import BadRequest, Conflict
from scripts_runtime import registry
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.schema_edits import Edits, apply_edits, schema_edits

from .models import Script, ScriptVersion
from .run_settings import validate_script_settings
from .webhooks import WebhookIn, webhook_config

# u/<user>/<name> or f/<folder>/<name>, each segment [a-z0-9_-], the name may nest with /.
PATH_RE = re.compile(r"^(u|f)/[a-z0-9_][a-z0-9_-]{0,63}(/[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}){1,8}$")
MAX_CONTENT_BYTES = 1024 * 1024


def content_hash(language: str, content: str, schema: dict[str, Any]) -> str:
    """16 hex digits of SHA-256 over what runs and the form it is shown with: the same code
    with the same schema is one version; an edit of either is a new one."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{language}\0{content}\0{canonical}".encode()).hexdigest()[:16]


def validate_path(path: str) -> None:
    if not PATH_RE.match(path) or "//" in path or path.endswith("/"):
        raise BadRequest(
            f"invalid script path '{path}'",
            {"field": "path", "expected": "u/<user>/<name> or f/<folder>/<name> (letters, digits, _ - .)"},
        )


@dataclass(frozen=True)
class SavedVersion:
    version: ScriptVersion
    created: bool  # False when the same content was already the latest version


def schema_infer(*, language: str, content: str) -> tuple[str, dict[str, Any]]:
    """(canonical language, JSON Schema of main) — a 400 saying why when it cannot be read."""
    try:
        language = registry.canonical(language)
    except registry.UnknownLanguage as exc:
        raise BadRequest(str(exc.args[0]), {"field": "language"}) from None
    if len(content.encode()) > MAX_CONTENT_BYTES:
        raise BadRequest(f"script is larger than {MAX_CONTENT_BYTES} bytes", {"field": "content"})
    if "\x00" in content:
        raise BadRequest("script content is binary (it contains NUL bytes)", {"field": "content"})
    try:
        return language, registry.get(language).parse_signature(content)
    except SignatureError as exc:
        raise BadRequest(exc.message, {"field": "content", **exc.as_detail()}) from None


def version_schema_edits(*, version: ScriptVersion) -> Edits | None:
    """The edits in a stored version's schema of what its code infers today (what `kiln sync`
    writes), or None when the code no longer infers (a 400 from schema_infer)."""
    try:
        _, inferred = schema_infer(language=version.language, content=version.content)
    except BadRequest:
        return None
    return schema_edits(version.schema, inferred)


def _previous_edits(script: Script | None, language: str) -> Edits:
    """The user's edits on the latest version's schema, re-read against its own code."""
    latest = script.latest if script is not None else None
    if latest is None or latest.language != language:
        return {}
    try:
        return schema_edits(latest.schema, registry.get(language).parse_signature(latest.content))
    except SignatureError:
        return {}


def script_save(
    *,
    workspace: Workspace,
    user: User,
    path: str,
    language: str,
    content: str,
    summary: str = "",
    schema: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    description: str | None = None,
) -> SavedVersion:
    """Store a new immutable version of the script at `path` (creating the script on first save).

    `schema` is the form as the user edited it; without one, the edits made on the
    latest version carry over onto the schema inferred from the new code. `settings`
    (how its jobs run) replace the script's when given, and are kept when not.
    """
    validate_path(path)
    language, inferred = schema_infer(language=language, content=content)
    if settings is not None:
        settings = validate_script_settings(settings, workspace_settings_data=workspace.settings)
    if schema is not None:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise BadRequest(f"invalid schema: {exc.message}", {"field": "schema"}) from None
    given_summary = summary
    summary = summary or _docstring_summary(language, content)
    try:
        with transaction.atomic():
            _no_flow_at(workspace, path)
            script, _ = Script.objects.select_for_update().get_or_create(
                workspace=workspace, path=path, defaults={"created_by": user}
            )
            if settings is not None and script.settings != settings:
                script.settings = settings
                script.save(update_fields=["settings"])
            edits = (
                schema_edits(schema, inferred) if schema is not None else _previous_edits(script, language)
            )
            final = apply_edits(inferred, edits)
            digest = content_hash(language, content, final)
            existing = script.versions.filter(hash=digest).first()
            if existing is not None:
                if script.latest_id != existing.pk:
                    script.latest = existing  # saving old content again makes it the latest
                    script.save(update_fields=["latest"])
                changed = []
                if given_summary and existing.summary != given_summary[:500]:
                    # The same code and form under a new summary: the same version (a summary is
                    # not part of its hash), renamed.
                    existing.summary = given_summary[:500]
                    changed.append("summary")
                if description is not None and existing.description != description:
                    existing.description = description
                    changed.append("description")
                if changed:
                    existing.save(update_fields=changed)
                return SavedVersion(existing, created=False)
            version = ScriptVersion.objects.create(
                script=script,
                hash=digest,
                language=language,
                content=content,
                schema=final,
                summary=summary[:500],
                # Not given: the latest version's carries over, as its form's edits do.
                description=description
                if description is not None
                else (script.latest.description if script.latest is not None else ""),
                created_by=user,
            )
            script.latest = version
            script.save(update_fields=["latest"])
    except IntegrityError:
        # Two saves of the same path raced on first creation: the loser retries once.
        return script_save(
            workspace=workspace,
            user=user,
            path=path,
            language=language,
            content=content,
            summary=summary,
            schema=schema,
            settings=settings,
            description=description,
        )
    return SavedVersion(version, created=True)


def script_delete(*, script: Script) -> None:
    """Delete a script: its path is free again and it is gone from lists, runs, apps and webhooks.
    Its versions stay, as the jobs that ran them do (a job's record names the code it ran); a
    script saved at the path later starts afresh (no settings, not an app). A schedule that
    runs it must go first: deleting the script under it would make every tick fail."""
    with transaction.atomic():
        script = Script.objects.select_for_update().get(pk=script.pk)
        no_schedule_runs(script.workspace_id, script.path, is_flow=False)
        script.latest = None
        script.settings = {}
        script.webhook = {}
        script.webhook_secret = ""
        script.app = False
        script.save(update_fields=["latest", "settings", "webhook", "webhook_secret", "app"])


def no_schedule_runs(workspace_id: str, path: str, *, is_flow: bool) -> None:
    """409 naming the schedules that run the script (or flow) at `path`."""
    from kiln.schedules.models import Schedule  # schedules depend on scripts, not the reverse

    runs = Schedule.objects.filter(workspace_id=workspace_id, script_path=path, is_flow=is_flow)
    schedules = sorted(runs.values_list("path", flat=True))
    if schedules:
        raise Conflict(
            f"schedule(s) {', '.join(schedules)} run '{path}': delete or change them first",
            {"schedules": schedules},
        )


def _no_flow_at(workspace: Workspace, path: str) -> None:
    from kiln.flows.models import Flow  # flows depend on scripts, not the reverse

    if Flow.objects.filter(workspace=workspace, path=path, latest__isnull=False).exists():
        raise Conflict(f"a flow lives at '{path}': a script needs a path of its own", {"field": "path"})


def script_settings_update(*, script: Script, settings: dict[str, Any]) -> Script:
    """Replace how the script's jobs run (no new version: the code did not change)."""
    script.settings = validate_script_settings(settings, workspace_settings_data=script.workspace.settings)
    script.save(update_fields=["settings"])
    return script


def script_webhook_set(*, script: Script, data: WebhookIn) -> Script:
    """Store how the script takes third-party webhooks; the signing secret only encrypted."""
    config = webhook_config(data, has_secret=bool(script.webhook_secret))
    if data.raw_request:
        latest = script.latest
        props = (latest.schema.get("properties") or {}) if latest is not None else {}
        if "request" not in props:
            raise BadRequest(
                "raw_request needs a `request` parameter in main (e.g. `def main(request: dict)`)",
                {"field": "raw_request"},
            )
    secret = script.webhook_secret
    if data.signature is None:
        secret = ""  # signing off: the old secret is forgotten, not kept around
    elif data.signature.secret is not None:
        secret = encrypt(data.signature.secret)
    script.webhook, script.webhook_secret = config, secret
    script.save(update_fields=["webhook", "webhook_secret"])
    return script


def _docstring_summary(language: str, content: str) -> str:
    if language != "python3":
        return ""
    try:
        doc = ast.get_docstring(ast.parse(content)) or ""
    except SyntaxError:
        return ""
    return doc.strip().split("\n", 1)[0]
