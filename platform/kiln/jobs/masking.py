"""Secrets out of a job's logs and error: every secret value the job received is shown as *****.

Output arrives in pieces, and a secret may be cut across two of them: the masker holds back
the shortest tail that could still become a secret (a prefix of one), and lets it go once
the next piece shows it is not one, or at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MASK = "*****"
MIN_SECRET_CHARS = 4  # shorter values ("1", "yes") would mask half of every log


class Masker:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) < MIN_SECRET_CHARS:
                continue
            forms.add(secret)
            escaped = json.dumps(secret)[1:-1]  # as it looks inside printed JSON
            if escaped != secret:
                forms.add(escaped)
            forms.update(line for line in secret.splitlines() if len(line) >= MIN_SECRET_CHARS)
        # Longest first: a secret that contains another is masked whole.
        self.secrets = sorted(forms, key=len, reverse=True)
        self._held = ""

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def feed(self, text: str, final: bool = False) -> str:
        """What of the stream so far can be shown: masked, minus a tail that may be a secret's start."""
        if not self.secrets:
            return text
        text = self.mask(self._held + text)
        keep = 0 if final else self._unfinished(text)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def _unfinished(self, text: str) -> int:
        """The length of the longest tail of `text` that is a proper prefix of a secret."""
        best = 0
        for secret in self.secrets:
            first = secret[0]
            start = max(len(text) - len(secret) + 1, 0)
            at = text.find(first, start)
            while at != -1:
                tail = len(text) - at
                if tail > best and secret.startswith(text[at:]):
                    best = tail
                    break  # the earliest start is the longest tail for this secret
                at = text.find(first, at + 1)
        return best

    def mask_value(self, value: Any) -> Any:
        """A JSON value (an error dict) with every string masked."""
        if not self.secrets:
            return value
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {k: self.mask_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_value(v) for v in value]
        return value
