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
import tempfile
from pathlib import Path
from typing import Iterator


def _current_umask() -> int:
    # os.umask can only be read by setting it; done once, at import time.
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()


@contextlib.contextmanager
def atomic_output(path: os.PathLike[str] | str) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path``.

    The temporary file keeps ``path``'s suffix (openpyxl and xlsxwriter do not
    care, but a person looking at a leftover file does).  If the body raises,
    the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}"
    )
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        # mkstemp creates the file 0600; give the output the mode a normal save would.
        os.chmod(temp, _FILE_MODE)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


#: Numbers the temporary files of :func:`atomic_write_bytes` within this process.
_TEMP_NUMBERS = itertools.count()
_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def atomic_write_bytes(path: os.PathLike[str] | str, data: bytes) -> None:
    """Write ``data`` to ``path`` with the guarantee of :func:`atomic_output`, in fewer system calls.

    For outputs built in memory (the scored form, report drafts), written by
    the thousand: the temporary file is created with the final mode (the umask
    applies, as for a normal save) and written through the descriptor that
    created it, and the directory is created only when it is missing.  The
    temporary name is unique per process (pid and a counter); O_EXCL makes any
    clash (a leftover of a crashed run) move on to the next number.
    """
    target = os.fspath(path)
    directory, name = os.path.split(target)
    stem, suffix = os.path.splitext(name)
    while True:
        temp = os.path.join(directory, f".{stem}.{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp{suffix}")
        try:
            fd = os.open(temp, _CREATE_NEW, 0o666)
            break
        except FileExistsError:
            continue
        except FileNotFoundError:
            if not directory or os.path.isdir(directory):
                raise
            os.makedirs(directory, exist_ok=True)
    try:
        try:
            view = memoryview(data)
            while view:  # a regular file takes it all at once; anything else may take less
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
