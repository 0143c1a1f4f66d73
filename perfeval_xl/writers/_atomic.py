"""Write output files so that a reader never sees half a file.

Officers open outputs from a shared folder while a batch is still running, and a
crash mid-save must not leave a truncated workbook that looks finished.  The
writers therefore save to a temporary file in the destination directory (same
file system, so the final rename is atomic) and move it into place only on
success.
"""
from __future__ import annotations

import contextlib
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
