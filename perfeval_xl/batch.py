"""Scoring one workbook, and a whole inbox of them (in parallel when asked)."""
from __future__ import annotations

import itertools
import os
import traceback
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ._version import __version__
from .errors import PerfevalError, WorkbookError
from .inbox import InboxEntry, list_inbox, scored_path
from .model import BaseData, DepartmentForm, FileResult
from .readers import ReadOptions, pair_department_forms, read_workbook
from .readers.container import ReadLimits
from .rules import Rulebook, RuleSet, resolve_rules, score_form
from .store import ResultStore, StoredResults, file_digest, rules_fingerprint
from .writers.summary_spool import SUMMARY_FILES, SummarySpool

Rules = str | Path | Rulebook | RuleSet | None


@dataclass
class BatchResult:
    """Every file of an inbox with its status and scored forms.

    With an outbox, ``files`` reads each result back from OUTBOX/.perfeval on
    access, so a batch of any size holds one result in memory at a time.
    """

    inbox: Path
    outbox: Path | None
    rulebook: str
    files: Sequence[FileResult] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # file → "ok" | "error" | "skipped"
    reused: int = 0  # results taken over unchanged from an earlier run in the same outbox

    @property
    def failed(self) -> list[FileResult]:
        """The files that could not be scored (read back one by one)."""
        return [self.files[i] for i, status in enumerate(self.statuses.values()) if status == "error"]

    @property
    def forms(self):
        return [form for f in self.files for form in f.forms]

    @property
    def exit_code(self) -> int:
        """0 when every file was scored (or skipped), 1 when any failed."""
        return 1 if "error" in self.statuses.values() else 0

    def to_dataframe(self):
        """One row per scored item (pandas.DataFrame); see :func:`perfeval_xl.frames.items_frame`."""
        from .frames import items_frame
        return items_frame(self.files)


def score_workbook(path: str | os.PathLike, rules: Rules = None, *, passwords: tuple[str, ...] = (),
                   limits: ReadLimits | None = None) -> FileResult:
    """Read and score every form in one workbook.

    ``rules`` is a built-in rulebook name, a rulebook file or a loaded
    :class:`Rulebook`; forms of other kinds get their kind's default rulebook.
    A department scoring table (F3) is paired with the base data (F2) in the
    same workbook.  ``passwords`` are tried on an encrypted file; ``limits``
    bound what the file may cost (:class:`ReadLimits`).  Raises
    :class:`WorkbookError` (Chinese message) when the file cannot be read or
    holds no form.
    """
    path = Path(path)
    rule_set = resolve_rules(rules)
    content = read_workbook(path, name=path.name, passwords=tuple(passwords), limits=limits)
    forms = content.forms + content.unpaired_tables
    if not forms:
        raise WorkbookError("只有基础数据表（F2），未找到同一填报单位的指标评分表（F3）")
    return FileResult(file=path.name, status="ok", forms=[score_form(form, rule_set) for form in forms])


def score_entry(entry: InboxEntry, rules: RuleSet, outbox: Path | None,
                read: ReadOptions = ReadOptions()) -> FileResult:
    """Score one inbox file and write its outputs; never raises (errors become a status).

    Department parts whose partner is in another file are kept in
    ``result.unpaired`` for :func:`score_folder` to pair.
    """
    if entry.skip_reason:
        return FileResult(file=entry.relative, status="skipped", error=entry.skip_reason)
    try:
        before = entry.path.stat()
        data = entry.path.read_bytes()
        content = read_workbook(entry.path, name=entry.relative, data=data,
                                passwords=read.passwords, limits=read.limits)
        result = FileResult(file=entry.relative, status="ok",
                            forms=[score_form(form, rules) for form in content.forms],
                            unpaired=content.unpaired_tables + content.unpaired_bases)
        after = entry.path.stat()
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise WorkbookError("文件在评分过程中被修改，请待其复制完成后重新运行")
        if outbox is not None and result.forms:
            write_outputs(result, outbox)
        return result
    except BaseException as exc:  # one file's failure must not stop the batch
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return _failed(entry.relative, exc)


def write_outputs(result: FileResult, outbox: Path) -> None:
    """The scored workbook of one input, and a report draft per department form."""
    from .writers import write_report_drafts, write_scored_workbook

    result.output = scored_path(result.file)
    target = outbox / result.output
    target.parent.mkdir(parents=True, exist_ok=True)
    write_scored_workbook(result.forms, target)
    result.reports = [path.relative_to(outbox).as_posix() for path in write_report_drafts(result.forms, target)]


def _failed(relative: str, exc: BaseException) -> FileResult:
    if isinstance(exc, PerfevalError):
        message, detail = str(exc), None
    elif isinstance(exc, FileNotFoundError):
        message, detail = "文件在评分过程中被移走或删除", None
    elif isinstance(exc, OSError):
        message, detail = f"读写文件失败：{exc.strerror or exc}", traceback.format_exc()
    else:
        message = f"处理该文件时发生内部错误（{type(exc).__name__}: {exc}）"
        detail = traceback.format_exc()
    return FileResult(file=relative, status="error", error=message, detail=detail)


def score_folder(inbox: str | os.PathLike, out: str | os.PathLike | None = None, rules: Rules = None,
                 jobs: int = 1, on_file: Callable[[FileResult], None] | None = None, *,
                 passwords: tuple[str, ...] = (), limits: ReadLimits | None = None, force: bool = False,
                 executor: str = "local", scheduler: str | None = None,
                 formats: tuple[str, ...] = ("xlsx", "json")) -> BatchResult:
    """Score every workbook under ``inbox``; with ``out``, write the scored forms and summaries there.

    ``jobs`` worker processes score files (even ``jobs=1`` uses one, so a file
    that crashes the parser costs only itself).  ``on_file`` is called with each
    :class:`FileResult` as it completes (a progress bar hook).  ``passwords``
    are tried on encrypted files; ``limits`` bound one file's cost.  Department
    base data and scoring tables in separate files are paired by 填报单位.

    With ``out``, an input whose content and rulebooks are unchanged since the
    last run in that outbox is not scored again (``force=True`` redoes all).
    ``executor="dask"`` runs the per-file task on a Dask cluster at
    ``scheduler`` (``tcp://host:8786``; a local cluster of ``jobs`` workers when
    None); inputs and outbox must then be on a path every worker sees.
    ``formats`` are the summaries written to the outbox: any of xlsx, json, csv.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise PerfevalError(f"收件箱“{inbox}”不存在或不是文件夹")
    if executor not in ("local", "dask"):
        raise PerfevalError(f"未知的执行方式“{executor}”，应为 local 或 dask")
    unknown = set(formats) - set(SUMMARY_FILES)
    if unknown:
        raise PerfevalError(f"未知的汇总格式：{'、'.join(sorted(unknown))}（可用：{'、'.join(SUMMARY_FILES)}）")
    outbox = Path(out).resolve() if out is not None else None
    rule_set = resolve_rules(rules)
    entries = list_inbox(inbox, outbox)
    if outbox is not None:
        outbox.mkdir(parents=True, exist_ok=True)
    read = ReadOptions(tuple(passwords), limits or ReadLimits())
    run = _BatchRun(outbox, rule_set, on_file, force)
    try:
        todo = run.reuse_unchanged(entries)
        for result in _run(todo, rule_set, outbox, jobs, read, executor, scheduler):
            run.add(result)
        run.pair_departments()
        batch = run.finish(inbox, entries)
        if run.spool is not None:
            run.spool.write(outbox, batch.rulebook, [e.relative for e in entries], tuple(formats))
    finally:
        if run.spool is not None:
            run.spool.close()
    return batch


class _BatchRun:
    """Collects a batch's results: into the outbox's store when there is one, else in memory."""

    def __init__(self, outbox: Path | None, rules: RuleSet, on_file, force: bool):
        self.outbox, self.rules, self.on_file, self.force = outbox, rules, on_file, force
        self.store = ResultStore(outbox) if outbox is not None else None
        # Summaries are built as results arrive, so memory does not grow with the batch.
        self.spool = SummarySpool(outbox / ".perfeval" / "summary") if outbox is not None else None
        self.fingerprint = rules_fingerprint([rules.project, rules.department], __version__)
        self.digests: dict[str, str | None] = {}
        self.memory: dict[str, FileResult] = {}
        self.pending: list[FileResult] = []  # department parts waiting for a partner file
        self.statuses: dict[str, str] = {}
        self.rulebooks: set[str] = set()
        self.reused = 0

    def reuse_unchanged(self, entries: list[InboxEntry]) -> list[InboxEntry]:
        """Take over stored results of unchanged inputs; return the entries left to score."""
        todo = []
        for entry in entries:
            if self.store is not None and not entry.skip_reason:
                try:
                    self.digests[entry.relative] = file_digest(entry.path)
                except OSError:
                    self.digests[entry.relative] = None
                cached = None if self.force else self.store.reusable(
                    entry.relative, self.digests[entry.relative], self.fingerprint, self.outbox)
                if cached is not None:
                    self.reused += 1
                    self.add(cached, store=False)
                    continue
            todo.append(entry)
        return todo

    def add(self, result: FileResult, store: bool = True) -> None:
        if self.on_file is not None:
            self.on_file(result)
        if result.unpaired:
            self.pending.append(result)
            return
        self._keep(result, cacheable=result.status == "ok", store=store)

    def _keep(self, result: FileResult, cacheable: bool, store: bool = True) -> None:
        self.statuses[result.file] = result.status
        self.rulebooks.update(form.rulebook for form in result.forms)
        if self.spool is not None:
            self.spool.add(result)
        if self.store is None:
            self.memory[result.file] = result
        elif store:
            self.store.put(result.file, result, self.digests.get(result.file), self.fingerprint, cacheable)

    def pair_departments(self) -> None:
        _pair_across_files(self.pending, self.rules, self.outbox)
        for result in self.pending:
            # Depends on another file, so it is scored again on every run.
            self._keep(result, cacheable=False)

    def finish(self, inbox: Path, entries: list[InboxEntry]) -> BatchResult:
        order = [e.relative for e in entries]
        if self.store is not None:
            self.store.save(keep=order)
            files: Sequence[FileResult] = StoredResults(self.store, order)
        else:
            files = [self.memory[f] for f in order]
        used = sorted(self.rulebooks) or [self.rules.project.name]
        return BatchResult(inbox=inbox, outbox=self.outbox, rulebook=", ".join(used), files=files,
                           statuses={f: self.statuses[f] for f in order}, reused=self.reused)


def _pair_across_files(files: list[FileResult], rules: RuleSet, outbox: Path | None) -> None:
    """Pair F3 tables and F2 base data that arrived in different files, then score and write them."""
    tables = [(f, part) for f in files for part in f.unpaired if isinstance(part, DepartmentForm)]
    bases = [(f, part) for f in files for part in f.unpaired if isinstance(part, BaseData)]
    if not tables and not bases:
        return
    base_file = {id(base): f for f, base in bases}
    paired, _, bases_left = pair_department_forms([t for _, t in tables], [b for _, b in bases])
    paired_ids, bases_left_ids = {id(t) for t in paired}, {id(b) for b in bases_left}
    for file, table in tables:
        try:
            if id(table) in paired_ids:
                table.flags.append(_paired_note(table, base_file[id(table.base)].file))
            file.forms.append(score_form(table, rules))  # unpaired: scored with an error flag
        except Exception as exc:
            file.status, file.error = "error", _failed(file.file, exc).error
    for file, base in bases:
        if id(base) in bases_left_ids and not file.forms and file.status == "ok":
            file.status = "error"
            file.error = f"只有基础数据表（F2，填报单位：{base.unit or '未填'}），未找到同一填报单位的指标评分表（F3）"
    table_files = {id(f) for f, _ in tables}
    for file in files:
        file.unpaired = []
        if outbox is not None and file.status == "ok" and file.forms and id(file) in table_files:
            try:
                write_outputs(file, outbox)
            except Exception as exc:
                failed = _failed(file.file, exc)
                file.status, file.error, file.detail = "error", failed.error, failed.detail


def _paired_note(table: DepartmentForm, base_file: str):
    from .model import Flag

    return Flag(f"基础数据表取自文件“{base_file}”（按填报单位配对）", None, "warning")


def _run(entries: list[InboxEntry], rules: RuleSet, outbox: Path | None, jobs: int, read: ReadOptions,
         executor: str, scheduler: str | None) -> Iterator[FileResult]:
    work = [e for e in entries if not e.skip_reason]
    for entry in entries:
        if entry.skip_reason:
            yield score_entry(entry, rules, outbox, read)
    if executor == "dask":
        from .dask_executor import run_on_dask

        yield from run_on_dask(work, rules, outbox, read, jobs, scheduler)
    else:
        yield from _run_in_pool(work, rules, outbox, max(1, jobs), read)


def _run_in_pool(work: list[InboxEntry], rules: RuleSet, outbox: Path | None, jobs: int,
                 read: ReadOptions) -> Iterator[FileResult]:
    """Score in worker processes, even at jobs=1: a corrupt file can make the parser
    abort or exhaust memory, which must cost that file, not the batch.  If a worker
    dies, the files it may have held are retried one by one, each in its own process.
    """
    if not work:
        return
    done: set[str] = set()
    try:
        with _pool(min(jobs, len(work)), read) as pool:
            # A bounded window of submissions: a finished future holds its result, so holding
            # every future of a 10,000-file batch would hold every result.
            pending = iter(work)
            running = {pool.submit(score_entry, entry, rules, outbox, read)
                       for entry in itertools.islice(pending, jobs * 4)}
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()
                    done.add(result.file)
                    yield result
                for entry in itertools.islice(pending, len(finished)):
                    running.add(pool.submit(score_entry, entry, rules, outbox, read))
    except BrokenProcessPool:
        for entry in work:
            if entry.relative not in done:
                yield _score_isolated(entry, rules, outbox, read)


def _pool(workers: int, read: ReadOptions) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_limit_memory,
                               initargs=(read.limits.max_worker_memory,))


def _limit_memory(max_bytes: int) -> None:
    """Prepare a worker: cap its address space so a runaway allocation fails inside it, and
    silence native crash output (a Rust panic's backtrace) — each failure is reported per file."""
    os.environ["RUST_BACKTRACE"] = "0"
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on every platform; the worker still isolates
        pass


def _score_isolated(entry: InboxEntry, rules: RuleSet, outbox: Path | None, read: ReadOptions) -> FileResult:
    try:
        with _pool(1, read) as pool:
            return pool.submit(score_entry, entry, rules, outbox, read).result()
    except BrokenProcessPool:
        return FileResult(file=entry.relative, status="error",
                          error="读取该文件时程序异常退出（文件可能已损坏、过大或被恶意构造），已跳过")
