"""Give freed memory back to the system, so a long batch's processes stay the size of a short one's.

Reading a workbook (python-calamine, zlib) allocates and frees a few MB per
file from C.  glibc keeps freed heap pages for reuse and, fragmented by the
small objects allocated in between, rarely hands them back: a worker's
resident size creeps up by ~25 MB over its first few hundred files although
the memory Python holds stays level.  ``malloc_trim`` returns those pages; it
costs well under a millisecond, so calling it every few dozen files is free.
Elsewhere (macOS, Windows, musl) this is a no-op.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


class MemoryReleaser:
    """Gives the C heap's free pages back once every ``every`` files counted with :meth:`done`."""

    def __init__(self, every: int = 32):
        self.every, self._count = every, 0

    def done(self, files: int = 1) -> None:
        self._count += files
        if self._count >= self.every:
            self._count = 0
            release_free_memory()


def release_free_memory() -> None:
    """Return the C heap's free pages to the system (glibc); elsewhere, nothing."""
    if _TRIM is not None:
        _TRIM(0)
