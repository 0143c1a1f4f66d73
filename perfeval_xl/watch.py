"""`perfeval-xl watch`: keep an outbox up to date while workbooks are dropped into the inbox.

A workbook is scored once it has finished being copied in: its size must stay
the same for ``settle`` seconds.  Every run is an incremental batch (see
store.py), so a new file costs one file's work and the summary is rewritten.
File events come from watchdog, so nothing polls the whole inbox.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from .batch import BatchResult, score_folder
from .inbox import WORKBOOK_SUFFIXES


class _Changes:
    """Paths that changed, with their last size and when it last changed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[int, float]] = {}

    def touch(self, path: str) -> None:
        with self._lock:
            self._seen[path] = (-2, time.monotonic())

    def settled(self, settle: float) -> bool:
        """True once every changed path has kept its size for ``settle`` seconds (then forgets them)."""
        now = time.monotonic()
        with self._lock:
            if not self._seen:
                return False
            ready = True
            for path, (size, since) in list(self._seen.items()):
                try:
                    current = Path(path).stat().st_size
                except OSError:
                    current = -1  # deleted or moved away: the summary must drop it
                if current != size:
                    self._seen[path] = (current, now)
                    ready = False
                elif now - since < settle:
                    ready = False
            if ready:
                self._seen.clear()
            return ready


def watch_folder(inbox: str | Path, out: str | Path, *, settle: float = 2.0, poll: float = 0.5,
                 stop: threading.Event | None = None, on_batch: Callable[[BatchResult], None] | None = None,
                 **score_options) -> None:
    """Score ``inbox`` into ``out`` now, then again whenever workbooks settle, until ``stop`` is set."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    inbox, out = Path(inbox).resolve(), Path(out).resolve()
    stop = stop or threading.Event()
    changes = _Changes()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.is_directory:
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path and str(path).lower().endswith(WORKBOOK_SUFFIXES) and out not in Path(path).parents:
                    changes.touch(str(path))

    def run_batch() -> None:
        batch = score_folder(inbox, out=out, **score_options)
        if on_batch is not None:
            on_batch(batch)

    observer = Observer()
    observer.schedule(Handler(), str(inbox), recursive=True)
    observer.start()
    try:
        run_batch()
        while not stop.wait(poll):
            if changes.settled(settle):
                run_batch()
    finally:
        observer.stop()
        observer.join()
