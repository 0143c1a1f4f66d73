"""Write output files so that a reader never sees half a file.

Officers open outputs from a shared folder while a batch is still running, and a
crash mid-save must not leave a truncated workbook that looks finished.  The
writers therefore save to a temporary file in the destination directory (same
file system, so the final rename is atomic) and move it into place only on
success.
"""
from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Iterator

#: Numbers the temporary files within this process.
_TEMP_NUMBERS = itertools.count()
_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
#: Bytes a file name may have on the file systems outboxes live on (ext4, NTFS via SMB, APFS).
NAME_MAX = 255


def fitting_name(stem: str, ending: str) -> str:
    """``stem + ending``, the stem cut by whole characters where the name would pass NAME_MAX bytes."""
    while len(os.fsencode(stem + ending)) > NAME_MAX and stem:
        stem = stem[:-1]
    return stem + ending


def _new_temporary(target: str) -> tuple[str, int]:
    """A new temporary file beside ``target``, open for writing: (its name, its descriptor).

    It keeps ``target``'s suffix (openpyxl and xlsxwriter do not care, but a
    person looking at a leftover file does) and is created with the mode a
    normal save gives (0o666, less the umask).  The name is unique per process
    (pid and a counter); O_EXCL makes any clash (a leftover of a crashed run)
    move on to the next number.  The directory is created only when missing.
    """
    directory, name = os.path.split(target)
    stem, suffix = os.path.splitext(name)
    made_directory = False
    while True:
        # Why fitted: a name the target may have (up to 255 bytes) would be too long with the tail.
        temp = os.path.join(directory, fitting_name("." + stem, f".{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp{suffix}"))
        try:
            return temp, os.open(temp, _CREATE_NEW, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            # Why not "raise if the directory is there now": another worker may have made it since
            # this one's attempt (two workers starting in one new folder), and the file was then
            # reported as moved or deleted.  Made (or found made) once; a second failure is real.
            if not directory or made_directory:
                raise
            os.makedirs(directory, exist_ok=True)
            made_directory = True


@contextlib.contextmanager
def _replacing(path: os.PathLike[str] | str) -> Iterator[tuple[str, int]]:
    """A new temporary file beside ``path`` as (name, open descriptor, for the body to close): it
    replaces ``path`` when the body ends, and is removed if the body raises."""
    target = os.fspath(path)
    temp, fd = _new_temporary(target)
    try:
        yield temp, fd
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def atomic_output(path: os.PathLike[str] | str) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path``.

    If the body raises, the temporary file is removed and ``path`` is left as it was.
    """
    with _replacing(path) as (temp, fd):
        os.close(fd)
        yield Path(temp)


def atomic_write_bytes(path: os.PathLike[str] | str, data: bytes) -> None:
    """Write ``data`` to ``path`` with the guarantee of :func:`atomic_output`, in fewer system calls.

    For outputs built in memory (the scored form, report drafts), written by
    the thousand: the bytes go through the descriptor that created the
    temporary file, which is never reopened by name.
    """
    with _replacing(path) as (_, fd):
        try:
            view = memoryview(data)
            while view:  # a regular file takes it all at once; anything else may take less
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
