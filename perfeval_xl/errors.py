"""Exceptions of perfeval-xl.  Messages are Chinese: officers read them."""
from __future__ import annotations

import errno
import os
from pathlib import Path


class PerfevalError(Exception):
    """Base class of every error perfeval-xl raises on purpose."""


class WorkbookError(PerfevalError):
    """A workbook cannot be read as a whole (corrupt, empty, encrypted, no form in it)."""


class RulebookError(PerfevalError):
    """A rulebook file is missing or invalid; the message names the file and the key."""


class OutboxBusy(PerfevalError):
    """Another batch is writing to the same outbox; try again once it has finished."""


class OutboxIsInbox(PerfevalError):
    """The outbox given is the inbox itself: the scored forms would mix with the units' files.
    The CLI reports it as a usage error (exit 2)."""


class OutboxError(PerfevalError):
    """The batch could not write its outbox (or read a folder it needs): no permission, disk full …
    The OS's own error is its ``__cause__``."""


#: Why an OS call failed, in the officer's words (the system's own, ``strerror``, are English): what
#: any read or write may meet.  Each use adds its own words for what depends on it.
DISK_REASONS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "所在磁盘是只读的",
    errno.EIO: "磁盘读写出错",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
}
if hasattr(errno, "EDQUOT"):
    DISK_REASONS[errno.EDQUOT] = "磁盘配额已用完"

#: Why the outbox could not be written.
_OUTBOX_REASONS = {
    **DISK_REASONS,
    errno.EACCES: "没有写入权限", errno.EPERM: "系统不允许在这里写入", errno.ENOENT: "路径不存在或无法创建",
    errno.EEXIST: "已有同名文件", errno.ENAMETOOLONG: "路径太长",
}


def os_reason(exc: OSError, reasons: dict[int, str]) -> str:
    """Why ``exc`` happened, from ``reasons`` (by errno); the system's own words where they say nothing."""
    return reasons.get(exc.errno) or f"系统错误（{exc.strerror or exc}）"


def outbox_error(exc: OSError, outbox) -> OutboxError:
    """``exc``, which stopped a batch writing to ``outbox``, in Chinese, naming the folder (or the
    file outside it) it is about."""
    reason = os_reason(exc, _OUTBOX_REASONS)
    where = Path(os.fsdecode(exc.filename)) if exc.filename else None
    if where is not None and not where.resolve().is_relative_to(Path(outbox).resolve()):
        return OutboxError(f"无法访问“{where}”：{reason}")
    return OutboxError(f"无法写入输出文件夹“{outbox}”：{reason}")
