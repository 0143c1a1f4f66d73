"""One batch at a time in an outbox.

A batch writes its summaries through scratch files in OUTBOX/.perfeval, and removes them when it
ends: a second batch into the same outbox had its files deleted under it (summary.json left as
invalid JSON, or an English traceback).  So a batch holds a lock on OUTBOX/.perfeval/batch.lock
while it runs, and another one is told plainly.

Why a record lock (``fcntl.lockf``) and not ``flock``: the batch forks its workers, which would
share a ``flock`` and keep the outbox locked while they wind down; a record lock belongs to the
process that took it.  On Windows, ``msvcrt.locking`` on a handle no spawned worker inherits.
A record lock does not keep out the process's own threads, so the outboxes held in this process
are kept as well.
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from .errors import OutboxBusy

LOCK_NAME = "batch.lock"

_held: set[str] = set()  # the outboxes a batch of this process holds
_held_guard = threading.Lock()


@contextlib.contextmanager
def outbox_lock(outbox: Path) -> Iterator[None]:
    """Hold ``outbox`` for one batch; :class:`OutboxBusy` at once when another batch holds it."""
    folder = outbox / ".perfeval"
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.normcase(os.path.realpath(folder))
    with _held_guard:
        if key in _held:
            raise _busy(outbox)
        _held.add(key)
    try:
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _locked(descriptor):
                raise _busy(outbox)
            yield
        finally:
            os.close(descriptor)  # releases the lock
    finally:
        with _held_guard:
            _held.discard(key)


def _busy(outbox: Path) -> OutboxBusy:
    return OutboxBusy(f"另一次评分正在使用输出文件夹“{outbox}”，请待其完成后再运行，或另选一个输出文件夹")


def _locked(descriptor: int) -> bool:
    """Take the lock on ``descriptor``'s file without waiting; False when another process has it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError, or PermissionError on some systems
        return False
    return True
