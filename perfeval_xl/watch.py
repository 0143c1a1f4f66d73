"""`perfeval-xl watch`: keep an outbox up to date while workbooks are dropped into the inbox.

A workbook is scored once it has finished being copied in: its size must stay
the same for ``settle`` seconds.  Every run is an incremental batch (see
store.py), so a new file costs one file's work and the summary is rewritten.
File events come from watchdog, so nothing polls the whole inbox; only a
workbook's content or name changing counts (see :func:`changed_inputs`), so
with nothing arriving watch stays idle.
"""
from __future__ import annotations

import errno
import os
import threading
import time
import warnings
from pathlib import Path
from typing import Callable

from .batch import BatchResult, score_folder
from .errors import OutboxBusy, PerfevalError
from .inbox import LISTED_SUFFIXES, OTHER_SPREADSHEETS, skip_reason
from .writers.summary_spool import SUMMARY_FILES

#: The watchdog event types that mean a file's content or name changed.  Reading a file gives
#: "opened" and "closed_no_write" (watchdog 5 and later), and "attrib" is metadata only: taking
#: those for changes made every batch's own reads of the inputs start the next batch, forever.
CHANGE_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})
#: A folder's own events that change which files are in it: one moved out of the inbox or
#: deleted gives a single event for the folder, none for the files it held.  (A folder moved in
#: gives a "created" event for each of its files; a folder's "modified" only echoes its files'.)
FOLDER_CHANGE_EVENTS = frozenset({"moved", "deleted"})


#: Why the file-system events could not be had (Linux inotify's limits are the usual reasons).
_WATCH_FAILURES = {
    errno.ENOSPC: "系统可监视的文件夹数已达上限，请调高 fs.inotify.max_user_watches，或监视较小的文件夹",
    errno.EMFILE: "系统的文件监视实例数已达上限，请调高 fs.inotify.max_user_instances",
    errno.EACCES: "没有读取权限",
    errno.ENOENT: "文件夹不存在",
}


def changed_inputs(event, inbox: Path, out: Path) -> list[str]:
    """The paths of inbox workbooks (or folders) a watchdog ``event`` changed; usually none.

    ``inbox`` and ``out`` are resolved.  Left out: reads and metadata changes, other files than
    those the inbox listing lists, files it skips needing nothing done (Excel/WPS lock files,
    hidden and temp files, scored forms: so never the outputs' temp files), anything in an outbox
    inside the inbox, and the summaries when the outbox is the inbox itself.  Another program's
    spreadsheet (.xlsb, .et, an archive …) counts, and so does a linked folder put in: the batch
    lists them, skipped with what to do, and watch names them as ``score`` does.
    """
    kinds = FOLDER_CHANGE_EVENTS if event.is_directory else CHANGE_EVENTS
    if event.event_type not in kinds:
        return []
    paths = []
    for path in (event.src_path, getattr(event, "dest_path", "")):
        path = os.fsdecode(path) if path else ""
        if path and _is_input(Path(path), inbox, out, folder=event.is_directory):
            paths.append(path)
    return paths


def _is_input(path: Path, inbox: Path, out: Path, *, folder: bool) -> bool:
    if path == inbox or not path.is_relative_to(inbox):
        return False
    if out == inbox:
        if path.parent == out and path.name in SUMMARY_FILES.values():
            return False
    elif out.is_relative_to(inbox) and path.is_relative_to(out):
        return False
    if not folder and not path.name.lower().endswith(LISTED_SUFFIXES):
        # A linked folder put in: its event is a file's, and the batch lists it (skipped, saying what
        # to do).  Asked of the system only here, past the outbox's own files.
        if not (path.is_symlink() and path.is_dir()):
            return False
        folder = True
    relative = path.relative_to(inbox).as_posix()
    if folder:
        return not any(part.startswith(".") for part in relative.split("/"))
    reason = skip_reason(relative)
    return reason is None or reason == OTHER_SPREADSHEETS.get(path.suffix.lower())


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
                 on_busy: Callable[[], None] | None = None, **score_options) -> None:
    """Score ``inbox`` into ``out`` now, then again whenever workbooks settle, until ``stop`` is set.

    While another batch writes to ``out`` (an officer's own ``perfeval-xl score``), a run waits
    for the next settling instead: ``on_busy`` is told, and the watch goes on.
    """
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    inbox, out = Path(inbox).resolve(), Path(out).resolve()
    stop = stop or threading.Event()
    changes = _Changes()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            for path in changed_inputs(event, inbox, out):
                changes.touch(path)

    def run_batch() -> None:
        try:
            batch = score_folder(inbox, out=out, **score_options)
        except OutboxBusy:
            changes.touch(str(inbox))  # run again once that batch is likely done
            if on_busy is not None:
                on_busy()
            return
        if on_batch is not None:
            on_batch(batch)

    with warnings.catch_warnings():
        # watchdog warns on stderr when a folder it watches is made again under one name (an outbox
        # inside the inbox, made by the first run): an internal repr of its callbacks, nothing an
        # officer can act on (1 watch in 9); it goes on watching.
        warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
        observer = Observer()
        try:
            observer.schedule(Handler(), str(inbox), recursive=True)
            observer.start()
        except OSError as exc:  # not the outbox's fault: say what it is
            raise PerfevalError(f"无法监视收件箱“{inbox}”：{_WATCH_FAILURES.get(exc.errno, exc.strerror or exc)}") from exc
        try:
            run_batch()
            while not stop.wait(poll):
                if changes.settled(settle):
                    run_batch()
        finally:
            observer.stop()
            observer.join()
