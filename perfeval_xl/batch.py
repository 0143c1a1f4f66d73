"""Scoring one workbook, and a whole inbox of them (in parallel when asked)."""
from __future__ import annotations

import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .errors import PerfevalError, WorkbookError
from .inbox import InboxEntry, list_inbox, scored_path
from .model import FileResult
from .readers import read_workbook
from .rules import Rulebook, load_rulebook, score_form


@dataclass
class BatchResult:
    """Every file of an inbox with its status and scored forms."""

    inbox: Path
    outbox: Path | None
    rulebook: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "error"]

    @property
    def forms(self):
        return [form for f in self.files for form in f.forms]

    @property
    def exit_code(self) -> int:
        """0 when every file was scored (or skipped), 1 when any failed."""
        return 1 if self.failed else 0

    def to_dataframe(self):
        """One row per scored item (pandas.DataFrame); see :func:`perfeval_xl.frames.items_frame`."""
        from .frames import items_frame
        return items_frame(self.files)


def resolve_rulebook(rules: str | Path | Rulebook | None) -> Rulebook:
    return rules if isinstance(rules, Rulebook) else load_rulebook(rules)


def score_workbook(path: str | os.PathLike, rules: str | Path | Rulebook | None = None) -> FileResult:
    """Read and score every form in one workbook.

    ``rules`` is a built-in rulebook name, a rulebook file or a loaded
    :class:`Rulebook`; by default each form kind gets its default rulebook.
    Raises :class:`WorkbookError` (Chinese message) when the file cannot be read
    or holds no form.
    """
    path = Path(path)
    rulebook = resolve_rulebook(rules)
    content = read_workbook(path, name=path.name)
    return FileResult(file=path.name, status="ok",
                      forms=[score_form(form, rulebook) for form in content.forms])


def score_entry(entry: InboxEntry, rulebook: Rulebook, outbox: Path | None) -> FileResult:
    """Score one inbox file and write its scored form; never raises (errors become a status)."""
    if entry.skip_reason:
        return FileResult(file=entry.relative, status="skipped", error=entry.skip_reason)
    try:
        before = entry.path.stat()
        data = entry.path.read_bytes()
        content = read_workbook(entry.path, name=entry.relative, data=data)
        result = FileResult(file=entry.relative, status="ok",
                            forms=[score_form(form, rulebook) for form in content.forms])
        if outbox is not None:
            from .writers import write_scored_workbook

            after = entry.path.stat()
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                raise WorkbookError("文件在评分过程中被修改，请待其复制完成后重新运行")
            result.output = scored_path(entry.relative)
            target = outbox / result.output
            target.parent.mkdir(parents=True, exist_ok=True)
            write_scored_workbook(result.forms, target)
        return result
    except PerfevalError as exc:
        return FileResult(file=entry.relative, status="error", error=str(exc))
    except FileNotFoundError:
        return FileResult(file=entry.relative, status="error", error="文件在评分过程中被移走或删除")
    except OSError as exc:
        return FileResult(file=entry.relative, status="error", error=f"读写文件失败：{exc.strerror or exc}")
    except Exception as exc:  # one file's bug must not stop the batch
        return FileResult(file=entry.relative, status="error",
                          error=f"处理该文件时发生内部错误（{type(exc).__name__}: {exc}）",
                          detail=traceback.format_exc())


def score_folder(inbox: str | os.PathLike, out: str | os.PathLike | None = None,
                 rules: str | Path | Rulebook | None = None, jobs: int = 1,
                 on_file: Callable[[FileResult], None] | None = None) -> BatchResult:
    """Score every workbook under ``inbox``; with ``out``, write the scored forms and summaries there.

    ``jobs`` > 1 scores files in that many worker processes.  ``on_file`` is
    called with each :class:`FileResult` as it completes (a progress bar hook).
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise PerfevalError(f"收件箱“{inbox}”不存在或不是文件夹")
    outbox = Path(out) if out is not None else None
    rulebook = resolve_rulebook(rules)
    entries = list_inbox(inbox, outbox)
    if outbox is not None:
        outbox.mkdir(parents=True, exist_ok=True)
    results = {r.file: r for r in _run(entries, rulebook, outbox, jobs, on_file)}
    batch = BatchResult(inbox=inbox, outbox=outbox, rulebook=rulebook.name,
                        files=[results[e.relative] for e in entries])
    if outbox is not None:
        from .writers import write_summary_json, write_summary_xlsx

        write_summary_xlsx(batch.files, outbox / "summary.xlsx", rulebook.name)
        write_summary_json(batch.files, outbox / "summary.json", rulebook.name)
    return batch


def _run(entries: list[InboxEntry], rulebook: Rulebook, outbox: Path | None, jobs: int,
         on_file: Callable[[FileResult], None] | None) -> Iterator[FileResult]:
    def report(result: FileResult) -> FileResult:
        if on_file is not None:
            on_file(result)
        return result

    work = [e for e in entries if not e.skip_reason]
    for entry in entries:
        if entry.skip_reason:
            yield report(score_entry(entry, rulebook, outbox))
    if jobs <= 1 or len(work) <= 1:
        for entry in work:
            yield report(score_entry(entry, rulebook, outbox))
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        for result in pool.map(score_entry, work, [rulebook] * len(work), [outbox] * len(work)):
            yield report(result)
