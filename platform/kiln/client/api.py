"""Where the client's server is, and how it talks to it.

The URL, token and workspace come from the environment (KILN_URL, KILN_TOKEN,
KILN_WORKSPACE: what a CI job sets) or else from the user's config file, which `kiln login`
writes: `$KILN_CONFIG`, else `$XDG_CONFIG_HOME/kiln/config.json` (`~/.config/...`), readable
by its owner only.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

DEFAULT_WORKSPACE = "main"


def config_path() -> Path:
    if os.environ.get("KILN_CONFIG"):
        return Path(os.environ["KILN_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "kiln" / "config.json"


@dataclass
class Profile:
    url: str = ""
    token: str = ""
    workspace: str = DEFAULT_WORKSPACE


def load(*, env: bool = True) -> Profile:
    """The saved profile, with KILN_URL / KILN_TOKEN / KILN_WORKSPACE over it (unless `env` is
    False: what a command that rewrites the file starts from, so as not to save a CI secret)."""
    profile = Profile()
    path = config_path()
    if path.exists():
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise click.ClickException(
                f"{path}: not a Kiln config file ({exc}); run `kiln login` again"
            ) from exc
        profile = Profile(**{k: v for k, v in saved.items() if k in Profile.__dataclass_fields__})
    if not env:
        return profile
    profile.url = os.environ.get("KILN_URL") or profile.url
    profile.token = os.environ.get("KILN_TOKEN") or profile.token
    profile.workspace = os.environ.get("KILN_WORKSPACE") or profile.workspace or DEFAULT_WORKSPACE
    return profile


def save(profile: Profile) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(asdict(profile), fh, indent=2)
        fh.write("\n")
    os.replace(path.with_suffix(".tmp"), path)
    return path


class ApiError(click.ClickException):
    """The server said no (or could not be reached): its message, and what to do about it."""

    def __init__(self, status: int, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class Api:
    """JSON over HTTP to one server with one token; paths under /api/w/<workspace> via ws()."""

    def __init__(self, profile: Profile, timeout: float = 60.0) -> None:
        if not profile.url:
            raise click.ClickException(
                "not logged in: run `kiln login <url>` (or set KILN_URL and KILN_TOKEN)"
            )
        self.profile = profile
        self.base = profile.url.rstrip("/")
        self.timeout = timeout

    def ws(self, path: str) -> str:
        """A workspace path: ws('/scripts') -> /api/w/<workspace>/scripts."""
        return f"/api/w/{urllib.parse.quote(self.profile.workspace)}{path}"

    def request(self, method: str, path: str, body: Any = None, *, timeout: float | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", "User-Agent": "kiln-cli"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.profile.token:
            headers["Authorization"] = f"Bearer {self.profile.token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                raw = resp.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raise self._error(err) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ApiError(0, f"cannot reach {self.base}: {reason}") from None

    def get(self, path: str, /, **query: Any) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        return self.request("GET", path + (f"?{urllib.parse.urlencode(params)}" if params else ""))

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, {} if body is None else body, **kw)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def pages(self, path: str, /, **query: Any) -> list[Any]:
        """Every item of a paged list (`items` and `next_cursor`), or a plain list as it is."""
        items: list[Any] = []
        cursor = None
        while True:
            page = self.get(path, **query, cursor=cursor)
            if isinstance(page, list):
                return page
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def _error(self, err: urllib.error.HTTPError) -> ApiError:
        try:
            body = json.loads(err.read() or b"null")
        except ValueError:
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        detail = body.get("detail") if isinstance(body, dict) else None
        message = message or f"{err.code} {err.reason}"
        if err.code == 401:
            message = f"the server refused the token ({message}): run `kiln login {self.base}` again"
        elif err.code == 403:
            message = f"your token has no right to do this in workspace {self.profile.workspace!r}: {message}"
        return ApiError(err.code, message, detail)
