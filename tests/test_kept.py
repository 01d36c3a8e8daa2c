"""kiln.kept.Kept: the bounded per-process map behind the workers' caches."""

from kiln.kept import Kept


def test_the_oldest_entry_goes_when_it_is_full() -> None:
    kept: Kept[str, int] = Kept(2)
    assert kept.put("a", 1) == 1
    kept.put("b", 2)
    kept.put("a", 10)  # replacing a kept key evicts nothing
    assert (kept.get("a"), kept.get("b"), len(kept)) == (10, 2, 2)
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (None, 2, 3)
    kept.clear()
    assert len(kept) == 0 and kept.get("b") is None
