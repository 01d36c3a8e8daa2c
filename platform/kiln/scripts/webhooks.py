"""A script as a third-party webhook: signed requests (GitHub, Stripe or plain HMAC) and the raw request.

The configuration lives on the Script (`webhook`, with the signing secret encrypted apart in
`webhook_secret`). With a signature set, every run request of that script (by path or by
hash, POST or GET) must carry a valid signature over its exact body, on top of its token: a
leaked token alone cannot run it. Schemes:

- `github`: header `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
- `stripe`: header `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`;
  a `t` further than `tolerance_s` (300 s) from now is refused, so a captured request cannot be
  replayed later.
- `hmac-sha256`: header `X-Kiln-Signature` (or one you name): `<hex>` or `sha256=<hex>` of
  HMAC-SHA256(secret, body).

With `raw_request`, the script's `main(request)` receives the request itself instead of
arguments parsed from the body: `{method, path, headers, query, body, body_encoding, json}`.
Credentials (Authorization, Cookie, the `token` query parameter) are never passed in.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from hashlib import sha256
from typing import Any, Literal

from django.http import HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from kiln.crypto import decrypt
from kiln.errors import BadRequest, KilnError

Scheme = Literal["github", "stripe", "hmac-sha256"]
DEFAULT_HEADERS = {
    "github": "X-Hub-Signature-256",
    "stripe": "Stripe-Signature",
    "hmac-sha256": "X-Kiln-Signature",
}
HIDDEN_HEADERS = {"authorization", "cookie", "proxy-authorization"}


class InvalidSignature(KilnError):
    status = 401


class SignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Scheme
    secret: str | None = Field(
        None, min_length=8, max_length=512, description="Omitted: keep the current secret"
    )
    header: str | None = Field(None, max_length=100, description="Default: the scheme's usual header")
    tolerance_s: int = Field(300, ge=10, le=86400, description="stripe: how old a signed time may be")


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    raw_request: bool = Field(False, description="main(request) receives the HTTP request itself")
    signature: SignatureIn | None = Field(None, description="null: requests are not signed")


def webhook_config(data: WebhookIn, *, has_secret: bool) -> dict[str, Any]:
    """The stored (secret-free) configuration; 400 when a new signature comes without a secret."""
    out: dict[str, Any] = {"raw_request": data.raw_request, "signature": None}
    if data.signature is not None:
        sig = data.signature
        if sig.secret is None and not has_secret:
            raise BadRequest("signature.secret is required to turn signing on", {"field": "signature.secret"})
        out["signature"] = {
            "scheme": sig.scheme,
            "header": sig.header or DEFAULT_HEADERS[sig.scheme],
            "tolerance_s": sig.tolerance_s,
        }
    return out


def _header(request: HttpRequest, name: str) -> str:
    return request.headers.get(name, "").strip()


def _digest(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, sha256).hexdigest()


def signature_check(config: dict[str, Any], encrypted_secret: str, request: HttpRequest) -> None:
    """Nothing when the request is signed as `config` says; InvalidSignature (401) otherwise."""
    sig = config.get("signature")
    if not sig:
        return
    header = sig["header"]
    value = _header(request, header)
    if not value:
        raise InvalidSignature(f"missing webhook signature: this script needs a signed request ({header})")
    secret = decrypt(encrypted_secret)
    body = request.body
    if sig["scheme"] == "stripe":
        parts: dict[str, list[str]] = {}
        for item in value.split(","):
            key, _, val = item.strip().partition("=")
            parts.setdefault(key, []).append(val)
        try:
            signed_at = int(parts.get("t", [""])[0])
        except ValueError:
            raise InvalidSignature(f"invalid webhook signature: {header} has no t=<unix time>") from None
        if abs(time.time() - signed_at) > sig.get("tolerance_s", 300):
            raise InvalidSignature("invalid webhook signature: its time is too far from now (replayed?)")
        expected = _digest(secret, f"{signed_at}.".encode() + body)
        if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
            raise InvalidSignature("invalid webhook signature")
        return
    given = value.split("=", 1)[1] if value.lower().startswith("sha256=") else value
    if not hmac.compare_digest(_digest(secret, body), given.lower()):
        raise InvalidSignature("invalid webhook signature")


def raw_request_args(request: HttpRequest, *, query_token: bool) -> dict[str, Any]:
    """The `request` argument of a raw-request script."""
    body = request.body
    try:
        text, encoding = body.decode(), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(body).decode(), "base64"
    parsed: Any = None
    if encoding == "utf-8" and "json" in (request.content_type or "") and text.strip():
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    query = {k: request.GET.getlist(k)[-1] for k in request.GET if not (query_token and k == "token")}
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in HIDDEN_HEADERS}
    return {
        "request": {
            "method": request.method,
            "path": request.path,
            "headers": headers,
            "query": query,
            "body": text,
            "body_encoding": encoding,
            "json": parsed,
        }
    }
