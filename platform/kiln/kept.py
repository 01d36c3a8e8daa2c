"""Kept: a per-process map of immutable things, bounded (the oldest entry goes first).

For values that never change once known (a flow version, an inline step's dependency lock, a
warm runner's run spec): a worker reads each once instead of at every job. Not thread-safe on
its own; a caller that shares one between threads holds its own lock.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def put(self, key: K, value: V) -> V:
        if key not in self._items and len(self._items) >= self.size:
            self._items.pop(next(iter(self._items)))  # the oldest
        self._items[key] = value
        return value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
