"""Secrets at rest: authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) with key rotation.

Keys come from KILN_ENCRYPTION_KEYS (comma-separated Fernet keys, the newest first), else from
a key generated once into KILN_DATA_DIR/encryption_keys (0600). Data is encrypted with the
first key and decrypted with any of them (MultiFernet), so adding a new key in front and
re-encrypting (the vault's `kiln rotate-keys`) retires an old one without downtime.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from kiln import config


class DecryptionError(Exception):
    """A stored secret no configured key opens: the keys changed without a rotation."""


def _generated_keys() -> list[str]:
    key_file = settings.DATA_DIR / "encryption_keys"
    if not key_file.exists():
        try:  # O_EXCL: processes starting at once agree on one key
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(Fernet.generate_key().decode() + "\n")
    return [line.strip() for line in key_file.read_text().splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    raw = config.env("KILN_ENCRYPTION_KEYS")
    keys = [k.strip() for k in raw.split(",") if k.strip()] if raw else _generated_keys()
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise SystemExit(f"KILN_ENCRYPTION_KEYS holds a key that is not a Fernet key: {exc}") from exc


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("a stored secret cannot be decrypted with the configured keys") from None


def rotate(token: str) -> str:
    """The same secret, encrypted with the newest key (it must open with one of the keys)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("a stored secret cannot be decrypted with the configured keys") from None


def reset_keys() -> None:
    """Forget the cached keys (tests and `kiln rotate-keys` read KILN_ENCRYPTION_KEYS again)."""
    _fernet.cache_clear()
