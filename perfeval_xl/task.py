"""The per-file task of a batch: read, score and write one input, in whichever process runs it.

The local process pool (:mod:`.worker_pool`) and Dask (:mod:`.dask_executor`)
run the same :func:`process_entry`.  With an outbox it writes the file's
outputs there — the scored workbook and report drafts — and sends back only a
:class:`FileOutcome`: the status and the summary record, which the batch's own
process stores (:mod:`.store`).
"""
from __future__ import annotations

import errno
import os

import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import DISK_REASONS, PerfevalError, WorkbookError, os_reason
from .inbox import InboxEntry, scored_path
from .model import FileResult, filled_at_once
from .readers import ReadOptions, read_workbook
from .rules import RuleSet, score_form
from .store import bytes_digest
from .writers.summary_spool import prepare_summary
from .writers.summary_view import summary_view


def score_entry(entry: InboxEntry, rules: RuleSet, outbox: Path | None,
                read: ReadOptions = ReadOptions()) -> FileResult:
    """Score one inbox file and write its outputs; never raises (errors become a status).

    Department parts whose partner is in another file are kept in
    ``result.unpaired`` for :func:`score_folder` to pair.
    """
    return score_with_digest(entry, rules, outbox, read)[0]


def score_with_digest(entry: InboxEntry, rules: RuleSet, outbox: Path | None,
                      read: ReadOptions) -> tuple[FileResult, str | None]:
    """:func:`score_entry`, and the digest of the bytes that were scored (None if unread).

    Also how :class:`~.batch.BatchResult` rebuilds a result it did not keep
    (without an outbox: nothing is written again)."""
    if entry.skip_reason:
        return FileResult(file=entry.relative, status="skipped", error=entry.skip_reason), None
    digest = None
    try:
        path = entry.location  # built from the folder and name on each access
        before, data = _read_input(path)
        digest = bytes_digest(data)
        content = read_workbook(path, name=entry.relative, data=data, passwords=read.passwords, limits=read.limits)
        result = FileResult(file=entry.relative, status="ok",
                            forms=[score_form(form, rules) for form in content.forms],
                            unpaired=content.unpaired_tables + content.unpaired_bases)
        after = os.stat(path)
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise WorkbookError("文件在评分过程中被修改，请待其复制完成后重新运行")
        if outbox is not None and result.forms:
            write_outputs(result, outbox)
        return result, digest
    except BaseException as exc:  # one file's failure must not stop the batch
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return failed_result(entry.relative, exc), digest


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_input(path: str) -> tuple[os.stat_result, bytes]:
    """An input's status as it was opened, and its bytes.

    Why not ``os.stat`` and ``open(path, "rb").read()``: the file object asks
    whether the file is a terminal, where it stands (twice) and its size (again),
    and reads once more to meet the end: 10 system calls with the open and close,
    where a descriptor's status and one read of one byte more than its size take
    4 (of ~22 a workbook costs a worker).  The bytes are the same: a file that
    grew or shrank meanwhile is read on to its end, as is one read cut short (a
    single read stops at 2 GB), and the check after scoring sees it changed.
    """
    descriptor = os.open(path, _READ_FLAGS)
    try:
        status = os.fstat(descriptor)
        data = os.read(descriptor, status.st_size + 1)
        if len(data) != status.st_size:
            parts = [data]
            while part := os.read(descriptor, 1 << 20):
                parts.append(part)
            data = b"".join(parts)
    finally:
        os.close(descriptor)
    return status, data


@filled_at_once
@dataclass(frozen=True, init=False)
class FileOutcome:
    """What a worker sends back for one file: its status, and only as much more as the parent needs.

    With an outbox the worker has already written the file's outputs, so only
    the summary record travels (a few kilobytes, cheap to pickle); ``result``
    is the whole :class:`FileResult` only when the batch needs it: without an
    outbox, for a file that failed (its error is kept whole), or while
    department parts wait for a partner in another file.
    """

    file: str
    status: str
    error: str | None = None
    detail: str | None = None
    digest: str | None = None  # of the input bytes that were scored
    output: str | None = None  # the scored workbook, relative to the outbox
    reports: tuple[str, ...] = ()  # report drafts, relative to the outbox
    rulebooks: tuple[str, ...] = ()  # of the file's forms
    # Left out of repr: an on_file hook that printed an outcome dumped 13–53 KB of packed record.
    summary: bytes | None = field(default=None, repr=False)  # the summary record, as stored
    result: FileResult | None = field(default=None, repr=False)
    #: A batch's only worker sends, instead of the summary record, what it is made of (summary_view)
    view: bytes | None = field(default=None, repr=False)


def summarise(result: FileResult) -> bytes:
    """``result``'s summary record, as the batch adds it to its summaries and stores it."""
    return prepare_summary(result).to_bytes()


def under_listed_name(outcome: FileOutcome, entry: InboxEntry) -> FileOutcome:
    """``outcome`` of ``entry`` under the listed name string, not the copy that came back with it
    from another process: the batch then keeps each file's name once."""
    if outcome.result is not None:
        outcome.result.file = entry.relative
    return replace(outcome, file=entry.relative)


def outcome_of_failure(failed: FileResult) -> FileOutcome:
    """The outcome of a file whose worker never reported (it crashed, or its cluster node was lost)."""
    return FileOutcome(failed.file, failed.status, failed.error, failed.detail, result=failed)


def process_entry(entry: InboxEntry, rules: RuleSet, outbox: Path | None, read: ReadOptions, *,
                  record: bool = True) -> FileOutcome:
    """The per-file task of a batch, run in a worker process (local pool or Dask).

    Without ``record`` a scored file's summary record is left for the batch's process to prepare
    from a view of the result (:mod:`.writers.summary_view`): what a batch's only worker does.
    """
    result, digest = score_with_digest(entry, rules, outbox, read)
    status, error, detail, summary, whole, view = result.status, result.error, result.detail, None, None, None
    # A scored input's result can be rebuilt from the input; an error cannot, so it travels whole.
    if outbox is None or result.unpaired or result.status != "ok":
        whole = result
    else:
        try:
            if record:
                summary = summarise(result)
            else:
                view = summary_view(result)
        except Exception as exc:  # one file's failure must not stop the batch
            whole = failed_result(result.file, exc)
            status, error, detail = "error", whole.error, whole.detail
    # Why made once, not made and then replaced: dataclasses.replace makes the outcome anew from its fields.
    return FileOutcome(result.file, status, error, detail, digest, result.output, tuple(result.reports),
                       tuple(form.rulebook for form in result.forms), summary, whole, view)


def write_outputs(result: FileResult, outbox: Path) -> None:
    """The scored workbook of one input, and a report draft per department form."""
    from .writers import write_report_drafts, write_scored_workbook

    result.output = scored_path(result.file)
    # Its folder is made by the atomic write when missing.  A string, not outbox / output: see
    # InboxEntry.location.
    target = os.path.join(outbox, result.output)
    try:
        write_scored_workbook(result.forms, target)
        result.reports = [path.relative_to(outbox).as_posix() for path in write_report_drafts(result.forms, target)]
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # failed_result says it in its own words
            raise
        # Named: the line lists the input, and "读写文件失败" alone sent the officer to the unit's file.
        raise PerfevalError(f"评分结果“{result.output}”无法写入输出文件夹：{os_reason(exc, _OS_REASONS)}"
                            "（输入文件本身无问题）") from exc


#: Why reading an input or writing its outputs failed, in the officer's words.  Excel on Windows holds
#: a workbook it has open so that it cannot be read.
_OS_REASONS = {
    **DISK_REASONS,
    errno.EACCES: "没有读写权限，或文件正被其他程序（如Excel）打开",
    errno.EPERM: "系统不允许读写该文件",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EISDIR: "是文件夹，不是文件",
}


def failed_result(relative: str, exc: BaseException) -> FileResult:
    if isinstance(exc, PerfevalError):
        message, detail = str(exc), None
    elif isinstance(exc, FileNotFoundError) and exc.filename and os.path.islink(exc.filename):
        message = f"这是一个快捷方式（符号链接），它指向的“{os.readlink(exc.filename)}”不存在；请放入文件本身后重新运行"
        detail = None
    elif isinstance(exc, FileNotFoundError):
        message, detail = "文件在评分过程中被移走或删除", None
    elif isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        message, detail = "文件名过长，评分结果无法写出，请缩短文件名（或所在文件夹名）后重新运行", None
    elif isinstance(exc, OSError):
        message, detail = f"读写文件失败：{os_reason(exc, _OS_REASONS)}", traceback.format_exc()
    else:
        message = f"处理该文件时发生内部错误（{type(exc).__name__}: {exc}）"
        detail = traceback.format_exc()
    return FileResult(file=relative, status="error", error=message, detail=detail)
