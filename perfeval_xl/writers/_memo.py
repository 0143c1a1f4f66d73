"""A bounded memo for the writers' hot loops."""
from __future__ import annotations

from typing import Callable, TypeVar

#: Entries a memo of numbers (a Decimal's text → its cell or JSON text) holds at most.  Why not
#: more: on distinct texts amounts rarely recur, and at 8,192 such a memo was still filling after
#: 5,000 files of a worker (0.8 MB, 6,423 numbers); at 2,048 a worker keeps 0.7 MB less then, at
#: +0.1 % instructions on 300 workbooks.
NUMBERS_KEPT = 2048

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V]):
    """key → ``compute(key)``, computed on first use and kept.

    Why a dict and not ``functools.lru_cache``: in the writers' hottest loops a
    hit is one dict lookup (``memo[key]``), where a function cache builds and
    hashes an argument tuple on every call.  Emptied when it holds ``limit``
    entries (recurring keys are back within a few forms), so a worker stays the
    same size all batch.
    """

    __slots__ = ("compute", "limit")

    def __init__(self, compute: Callable[[K], V], limit: int):
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value
