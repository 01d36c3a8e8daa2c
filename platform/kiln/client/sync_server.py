"""The server's side of `kiln sync`: read a workspace into canonical objects, check files with the
server's own parsers, and apply changes.

Only public API calls: what the web UI can do, sync can do, and the server stays the one judge of
a script's code (infer_schema) and of a cron (schedules/preview).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from typing import Any

import click

from kiln.client.api import Api, ApiError
from kiln.client.sync_files import (
    FIELDS,
    Obj,
    canonical_edits,
    canonical_settings,
    env_name,
    extensions,
    extract_inline,
    inline_modules,
)
from scripts_runtime.schema_edits import apply_edits, schema_edits

Key = tuple[str, str]


def q(path: str) -> str:
    return urllib.parse.quote(path, safe="/")


class Server:
    """One workspace through the API, with the inferred schemas it was asked for remembered
    (the same code is inferred once, whether it came from the files or from the server)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._inferred: dict[tuple[str, str], dict[str, Any]] = {}
        # (language, content) of stored scripts whose code the server inferred while listing them:
        # the same code in the files needs no second check.
        self._inferable: set[tuple[str, str]] = set()

    def infer(self, language: str, content: str) -> dict[str, Any]:
        key = (language, content)
        if key not in self._inferred:
            body = {"language": language, "content": content}
            self._inferred[key] = self.api.post(self.api.ws("/scripts/infer_schema"), body)["schema"]
        return self._inferred[key]

    def full(self, path: str, field: str) -> Iterator[dict[str, Any]]:
        """A list's items as their by-path reads give them (`?full=true`); a server too old to
        know the parameter answers the short items, which lack `field`: say so, plainly."""
        for row in self.api.pages(self.api.ws(path), full="true"):
            if field not in row:
                raise click.ClickException(
                    f"the server at {self.api.base} is older than this client: `kiln sync` needs "
                    f"GET {path}?full=true (Kiln of 2026-12-06 or later). Upgrade the server, or "
                    "use the kiln client of its version."
                )
            yield row

    def read(self) -> dict[Key, Obj]:
        """Every object of the workspace the token may see, as pull writes it: one request per
        list (`?full=true` gives each item as its by-path read would), whatever their length."""
        api, out = self.api, {}
        for row in api.pages(api.ws("/resources/types")):
            if not row.get("builtin"):  # built-in types are the platform's, not the workspace's
                out[("resource_type", row["name"])] = Obj(
                    "resource_type", row["name"], {"description": row["description"], "schema": row["schema"]}
                )
        for row in api.pages(api.ws("/variables")):
            data = {"secret": row["is_secret"], "description": row["description"], "value": None}
            if not row["is_secret"]:
                data["value"] = row["value"]
            out[("variable", row["path"])] = Obj("variable", row["path"], data)
        for r in self.full("/resources", "value"):
            data = {"resource_type": r["resource_type"], "description": r["description"], "value": r["value"]}
            out[("resource", r["path"])] = Obj("resource", r["path"], data)
        for s in self.full("/scripts", "schema_edits"):
            edits = s["schema_edits"]
            if edits is None:  # its code does not infer today: infer_schema's 400 says why
                edits = schema_edits(s["schema"], self.infer(s["language"], s["content"]))
            else:
                self._inferable.add((s["language"], s["content"]))
            data = {
                "language": s["language"],
                "summary": s["summary"],
                "description": s["description"],
                "content": s["content"],
                "schema_edits": canonical_edits(edits),
                "settings": canonical_settings(s["settings"]),
            }
            out[("script", s["path"])] = Obj("script", s["path"], data)
        for f in self.full("/flows", "value"):
            data = {
                "summary": f["summary"],
                "description": f["description"],
                "schema": f["schema"],
                "value": f["value"],
            }
            out[("flow", f["path"])] = Obj("flow", f["path"], data)
        for s in api.pages(api.ws("/schedules")):
            data = {k: s[k] for k in FIELDS["schedule"]}
            out[("schedule", s["path"])] = Obj("schedule", s["path"], data)
        return out

    def check(self, objects: dict[Key, Obj], remote: dict[Key, Obj]) -> list[str]:
        """What the server would refuse, asked without saving anything: every script's code (and a
        flow's inline scripts), every cron; and the value each new secret needs."""
        errors: list[str] = []
        for (kind, key), obj in sorted(objects.items()):
            if kind == "script":
                ext = extensions().get(obj.data["language"], "txt")
                errors += self._check_code(f"{key}.{ext}", obj.data["language"], obj.data["content"])
            elif kind == "flow":
                _, files = extract_inline(obj.data["value"])
                for module_file, (language, content) in zip(
                    files, _inline_code(obj.data["value"]), strict=True
                ):
                    errors += self._check_code(f"{key}.flow/{module_file}", language, content)
            elif kind == "schedule":
                try:
                    query = {"cron": obj.data["cron"], "tz": obj.data["timezone"], "count": 1}
                    self.api.get(self.api.ws("/schedules/preview"), **query)
                except ApiError as exc:
                    if exc.status != 400:
                        raise
                    errors.append(f"{key}.schedule.yaml: {exc.message}")
            elif (
                kind == "variable"
                and obj.data["secret"]
                and (kind, key) not in remote
                and not os.environ.get(env_name(key))
            ):
                errors.append(f"{key}.variable.yaml: a new secret needs its value in {env_name(key)}")
        return errors

    def _check_code(self, where: str, language: str, content: str) -> list[str]:
        if (language, content) in self._inferable:
            return []
        try:
            self.infer(language, content)
        except ApiError as exc:
            if exc.status != 400:
                raise
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            line = f"{detail['line']}:" if isinstance(detail.get("line"), int) else ""
            return [f"{where}:{line} {exc.message}"]
        return []

    def operations(self, obj: Obj, remote: Obj | None) -> list[dict[str, Any]]:
        """The API writes that create or change one object, for the batch endpoint (paths under
        /api/w/<workspace>)."""
        data, key = obj.data, obj.key
        if obj.kind == "resource_type":
            body = {"schema": data["schema"], "description": data["description"]}
            if remote is None:
                return [op("POST", "/resources/types", {"name": key, **body})]
            return [op("PUT", f"/resources/types/{q(key)}", body)]
        if obj.kind == "variable":
            body = {"is_secret": data["secret"], "description": data["description"]}
            if data["secret"]:
                if remote is None:  # checked before: a new secret's value is in the environment
                    body["value"] = os.environ[env_name(key)]
            else:
                body["value"] = data["value"]
            if remote is None:
                return [op("POST", "/variables", {"path": key, **body})]
            return [op("PUT", f"/variables/p/{q(key)}", body)]
        if obj.kind == "resource":
            if remote is None:
                return [op("POST", "/resources", {"path": key, **data})]
            return [op("PUT", f"/resources/p/{q(key)}", data)]
        if obj.kind == "script":
            inferred = self.infer(data["language"], data["content"])
            body = {
                "path": key,
                "language": data["language"],
                "content": data["content"],
                "summary": data["summary"],
                "description": data["description"],
                "schema": apply_edits(inferred, data["schema_edits"]),
            }
            if remote is None or remote.data["settings"] != data["settings"]:
                body["settings"] = data["settings"]
            return [op("POST", "/scripts", body)]
        if obj.kind == "flow":
            return [op("POST", "/flows", {"path": key, **{k: v for k, v in data.items() if v is not None}})]
        if obj.kind == "schedule":
            if remote is None:
                return [op("POST", "/schedules", {"path": key, **data})]
            return [op("PUT", f"/schedules/p/{q(key)}", {"path": key, **data})]
        raise ValueError(f"unknown kind {obj.kind}")

    def delete_operations(self, obj: Obj) -> list[dict[str, Any]]:
        """The write that deletes one object."""
        where = {
            "resource_type": f"/resources/types/{q(obj.key)}",
            "variable": f"/variables/p/{q(obj.key)}",
            "resource": f"/resources/p/{q(obj.key)}",
            "script": f"/scripts/p/{q(obj.key)}",
            "flow": f"/flows/p/{q(obj.key)}",
            "schedule": f"/schedules/p/{q(obj.key)}",
        }[obj.kind]
        return [op("DELETE", where)]

    def batch(self, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every write in one request, applied all together or not at all (kiln/batch.py)."""
        return list(self.api.post(self.api.ws("/batch"), {"operations": operations})["results"])


def op(method: str, path: str, body: Any = None) -> dict[str, Any]:
    return {"method": method, "path": path, "body": body}


def _inline_code(value: dict[str, Any]) -> list[tuple[str, str]]:
    """(language, content) of each inline script, in the order extract_inline names their files."""
    return [
        (m["value"].get("language", ""), m["value"]["content"])
        for m in inline_modules(value)
        if isinstance(m["value"].get("content"), str)
    ]
