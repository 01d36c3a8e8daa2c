"""Writes for scripts: saving a version."""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from kiln.accounts.models import User, Workspace
from kiln.errors import BadRequest
from scripts_runtime import registry
from scripts_runtime.languages.base import SignatureError

from .models import Script, ScriptVersion

# u/<user>/<name> or f/<folder>/<name>, each segment [a-z0-9_-], the name may nest with /.
PATH_RE = re.compile(r"^(u|f)/[a-z0-9_][a-z0-9_-]{0,63}(/[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}){1,8}$")
MAX_CONTENT_BYTES = 1024 * 1024


def content_hash(language: str, content: str) -> str:
    """16 hex digits of SHA-256 over what runs: the same code in the same language is one version."""
    return hashlib.sha256(f"{language}\0{content}".encode()).hexdigest()[:16]


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


def script_save(
    *, workspace: Workspace, user: User, path: str, language: str, content: str, summary: str = ""
) -> SavedVersion:
    """Store a new immutable version of the script at `path` (creating the script on first save)."""
    validate_path(path)
    try:
        language = registry.canonical(language)
    except registry.UnknownLanguage as exc:
        raise BadRequest(str(exc.args[0]), {"field": "language"}) from None
    lang = registry.get(language)
    if len(content.encode()) > MAX_CONTENT_BYTES:
        raise BadRequest(f"script is larger than {MAX_CONTENT_BYTES} bytes", {"field": "content"})
    if "\x00" in content:
        raise BadRequest("script content is binary (it contains NUL bytes)", {"field": "content"})
    try:
        schema = lang.parse_signature(content)
    except SignatureError as exc:
        raise BadRequest(exc.message, {"field": "content", **exc.as_detail()}) from None

    digest = content_hash(language, content)
    summary = summary or _docstring_summary(language, content)
    try:
        with transaction.atomic():
            script, _ = Script.objects.select_for_update().get_or_create(
                workspace=workspace, path=path, defaults={"created_by": user}
            )
            existing = script.versions.filter(hash=digest).first()
            if existing is not None:
                if script.latest_id != existing.pk:
                    script.latest = existing  # saving old content again makes it the latest
                    script.save(update_fields=["latest"])
                return SavedVersion(existing, created=False)
            version = ScriptVersion.objects.create(
                script=script,
                hash=digest,
                language=language,
                content=content,
                schema=schema,
                summary=summary[:500],
                created_by=user,
            )
            script.latest = version
            script.save(update_fields=["latest"])
    except IntegrityError:
        # Two saves of the same path raced on first creation: the loser retries once.
        return script_save(
            workspace=workspace, user=user, path=path, language=language, content=content, summary=summary
        )
    return SavedVersion(version, created=True)


def _docstring_summary(language: str, content: str) -> str:
    if language != "python3":
        return ""
    try:
        doc = ast.get_docstring(ast.parse(content)) or ""
    except SyntaxError:
        return ""
    return doc.strip().split("\n", 1)[0]
