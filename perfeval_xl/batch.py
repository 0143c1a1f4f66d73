"""Scoring one workbook, and a whole inbox of them (in parallel when asked)."""
from __future__ import annotations

import contextlib
import decimal
import os
import posixpath
import re
from array import array
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ._outbox_lock import outbox_lock
from ._version import __version__
from .errors import OutboxIsInbox, PerfevalError, WorkbookError, outbox_error
from .inbox import (OTHER_SPREADSHEETS, WORKBOOK_SUFFIXES, InboxEntry, ListedFiles, Listing, count_workbooks,
                    list_inbox, scored_path, skip_reason)
from .labels import unit_key
from .model import BaseData, DepartmentForm, FileResult, Flag, FormResult
from .readers import ReadOptions, pair_by_unit, read_workbook
from .readers.container import ReadLimits
from .rules import Rulebook, RuleSet, resolve_rules, score_form
from .store import ResultStore, StoredResults, file_digest, rules_fingerprint
from .task import (FileOutcome, failed_result, process_entry, score_entry, score_with_digest, summarise,
                   write_outputs)
from .worker_pool import run_in_pool, start_pool
from .writers._display import GRADES
from .writers._summary_rows import sent_twice_in
from .writers.summary_json import encode_entry
from .writers.summary_spool import SUMMARY_FILES, SummaryRecord, SummarySpool, prepare_summary
from .writers.summary_view import result_of_view
from .writers.summary_xlsx import score_bins

if TYPE_CHECKING:
    import pandas

__all__ = ["BatchResult", "FileOutcome", "score_entry", "score_folder", "score_workbook"]

#: A rulebook given by name, file, mapping (what its YAML file would hold) or object, or one per kind of form.
Rules = str | Path | Mapping | Rulebook | RuleSet | Sequence[str | Path | Mapping | Rulebook] | None


@dataclass
class BatchResult:
    """Every file of an inbox with its status and scored forms.

    With an outbox, ``files`` gets each result on access, so a batch of any
    size holds one result in memory at a time: a file that failed is read back
    from OUTBOX/.perfeval, a scored one is read and scored again from its input
    (which must be unchanged since the batch; PerfevalError otherwise).
    """

    inbox: Path
    outbox: Path | None
    rulebook: str
    files: Sequence[FileResult] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # file → "ok" | "error" | "skipped"
    reused: int = 0  # results taken over unchanged from an earlier run in the same outbox
    #: Files of F2 alone an F3 of another file was scored with: "ok", though they give no form of
    #: their own (each says for which F3 in its ``note``)
    base_files_used: int = 0
    #: Projects and departments more than one form evaluates (a 修改版 sent beside the first, a sheet
    #: copied twice): ``SentTwice(kind, name, unit, files)``, also listed in summary.xlsx's 重复报送
    duplicates: list = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        """The files that could not be scored (read back one by one, never rebuilt)."""
        return [self.files[i] for i, status in enumerate(self.statuses.values()) if status == "error"]

    @property
    def forms(self) -> list[FormResult]:
        """Every scored form of the batch, in inbox order (reads every file's result: see ``files``)."""
        return [form for f in self.files for form in f.forms]

    @property
    def exit_code(self) -> int:
        """0 when every file was scored (or skipped), 1 when any failed."""
        return 1 if "error" in self.statuses.values() else 0

    def to_dataframe(self) -> "pandas.DataFrame":
        """One row per scored item (pandas.DataFrame); see :func:`perfeval_xl.frames.items_frame`.

        With an outbox, built from the summary.json entries the batch stored, not from ``files``
        (which would score every input again).
        """
        from .frames import entries_frame, items_frame

        if isinstance(self.files, StoredResults):
            return entries_frame(_summary_entries(self.files))
        return items_frame(self.files)


def _summary_entries(files: StoredResults) -> Iterator[bytes]:
    """The summary.json entry of each of ``files``: as stored, or made from its result rebuilt."""
    for index, record in enumerate(files.summaries()):
        yield SummaryRecord.from_bytes(record).entry if record is not None else encode_entry(files[index])


def score_workbook(path: str | os.PathLike, rules: Rules = None, *, passwords: tuple[str, ...] = (),
                   limits: ReadLimits | None = None) -> FileResult:
    """Read and score every form in one workbook.

    ``rules`` is a built-in rulebook name, a rulebook file, a mapping holding
    what such a file would (validated as the file is) or a loaded
    :class:`Rulebook`; forms of other kinds get their kind's default rulebook.
    A department scoring table (F3) is paired with the base data (F2) in the
    same workbook, or else, by 填报单位, with one in another workbook of the same
    folder (as :func:`score_folder` pairs them across its inbox; a table that
    names no 填报单位 is not paired across files, and every workbook of the
    folder is read to find its F2).
    ``passwords`` are tried on an encrypted file; ``limits``
    bound what the file may cost (:class:`ReadLimits`).  Raises
    :class:`WorkbookError` (Chinese message) when the file cannot be read or
    holds no form.
    """
    path = Path(path)
    rule_set = resolve_rules(rules)
    passwords, limits = _password_tuple(passwords), _read_limits(limits)
    _must_be_a_file(path)
    # The engine's own Decimal context: the caller's keeps its flags, and its precision or traps
    # (set for its own sums) do not reach the scores.
    with decimal.localcontext(_ENGINE_CONTEXT):
        try:
            return _scored_workbook(path, rule_set, passwords, limits)
        except WorkbookError as exc:  # which file, as a batch's status says
            raise WorkbookError(f"“{path.name}”：{exc}") from exc


def _scored_workbook(path: Path, rule_set: RuleSet, passwords: tuple[str, ...], limits: ReadLimits) -> FileResult:
    other = OTHER_SPREADSHEETS.get(path.suffix.lower())
    if other is not None:  # what a batch lists as skipped, said alike (a .zip's reader spoke English)
        raise WorkbookError(other.replace("，已跳过", "，不能评分"))
    content = read_workbook(path, name=path.name, passwords=passwords, limits=limits)
    if content.unpaired_tables:
        content.forms += _paired_in_folder(path, content.unpaired_tables, passwords, limits)
        content.unpaired_tables = [t for t in content.unpaired_tables if t.base is None]
    forms = content.forms + content.unpaired_tables
    if not forms:
        partner = _table_file_in_folder(path, content.unpaired_bases, passwords, limits)
        if partner is not None:  # the F2 is scored with its F3: say which file to score
            table_file, taken = partner
            if taken != path.name:  # as a batch says it (see _pair_across_files)
                unit = next(b.unit for b in content.unpaired_bases if b.unit)
                raise WorkbookError(f"基础数据表未使用：{_base_not_used(unit, path.name, table_file, taken)}")
            raise WorkbookError(f"这是基础数据表（F2），本身不评分；同一填报单位的指标评分表（F3）在“{table_file}”，"
                                "请对该文件评分（基础数据表会自动配对）")
        raise WorkbookError("只有基础数据表（F2），未找到同一填报单位的指标评分表（F3）")
    return FileResult(file=path.name, status="ok", forms=[score_form(form, rule_set) for form in forms])


def _must_be_a_file(path: Path) -> None:
    """Why: the OS's FileNotFoundError / IsADirectoryError speak English and are not the
    WorkbookError the API promises for a file that cannot be read."""
    if path.is_dir():
        raise WorkbookError(f"“{path}”是文件夹，不是工作簿文件；对文件夹中的所有工作簿评分请用 score_folder")
    if not path.exists():
        raise WorkbookError(f"找不到文件“{path}”")


def _table_file_in_folder(path: Path, bases: list[BaseData], passwords: tuple[str, ...],
                          limits: ReadLimits | None) -> tuple[str, str] | None:
    """(the name of a workbook in ``path``'s folder whose F3 pairs with one of ``bases`` (F2 alone
    in their own workbook), the name of the F2 file it pairs with: the first by name of that unit's,
    this one or another; or the workbook's own when it holds that unit's F2 and F3), or None."""
    if not any(base.unit for base in bases):
        return None
    units = {unit_key(base.unit) for base in bases if base.unit}
    partner, rivals = None, []  # rivals: the other F2 files of the folder (in name order), for the unit's first
    for other in _neighbours(path):
        if partner is not None and other.name > path.name:  # no rival after this file can come first
            break
        try:
            content = read_workbook(other, name=other.name, passwords=passwords, limits=limits)
        except Exception:  # noqa: BLE001 — a neighbour that cannot be read holds no F3 to pair with
            continue
        if any(isinstance(form, DepartmentForm) and form.unit and unit_key(form.unit) in units
               for form in content.forms):  # the unit's F3 with the F2 of its own workbook, as a batch takes it
            return other.name, other.name
        if partner is None and pair_by_unit(content.unpaired_tables, bases):
            partner = other.name
        rivals += [(other.name, base) for base in content.unpaired_bases]
    if partner is None:
        return None
    taken = min([path.name] + [name for name, base in rivals if base.unit and unit_key(base.unit) in units])
    return partner, taken


def _neighbours(path: Path) -> Iterator[Path]:
    """The other workbooks of ``path``'s folder a batch would score, by name."""
    for other in sorted(path.parent.iterdir()):
        if other == path or not other.is_file() or not other.name.lower().endswith(WORKBOOK_SUFFIXES):
            continue
        if skip_reason(other.name):  # a lock, hidden or temporary file, or a scored form: the batch skips it too
            continue
        yield other


def _paired_in_folder(path: Path, tables: list[DepartmentForm], passwords: tuple[str, ...],
                      limits: ReadLimits | None) -> list[DepartmentForm]:
    """``tables`` (F3 without an F2 in their own workbook) paired with the F2 of another workbook
    in ``path``'s folder; returns those that found one, each saying where its F2 came from."""
    if not any(table.unit for table in tables):  # pairing across files goes by 填报单位 only
        return []
    bases, base_file = [], {}
    for other in _neighbours(path):
        try:
            found = read_workbook(other, name=other.name, passwords=passwords, limits=limits).unpaired_bases
        except Exception:  # noqa: BLE001 — a neighbour that cannot be read holds no F2 to pair with
            continue
        for base in found:
            base_file[id(base)] = other.name
            bases.append(base)
    paired = pair_by_unit(tables, bases)
    for table in paired:
        taken = base_file[id(table.base)]
        table.flags.append(_paired_note(table, taken))
        others = [base_file[id(base)] for base in bases if base is not table.base and base.unit
                  and unit_key(base.unit) == unit_key(table.base.unit)]
        if others:  # as a batch says it (see _pair_across_files)
            table.flags.append(_other_bases_note(table.base, taken, others))
    return paired


def resolved_outbox(out: str | Path, inbox: str | Path) -> Path:
    """``out`` as an absolute path; :class:`OutboxIsInbox` when it is ``inbox`` itself."""
    outbox = Path(out).resolve()
    if outbox == Path(inbox).resolve():
        raise OutboxIsInbox(f"输出文件夹“{out}”就是收件箱：评分结果会混进单位报送的文件里。"
                            "请另选一个文件夹（收件箱之外，或收件箱下的子文件夹，如“评分结果”）")
    return outbox


def score_folder(inbox: str | os.PathLike, out: str | os.PathLike | None = None, rules: Rules = None,
                 jobs: int = 1, on_file: Callable[[FileOutcome], None] | None = None, *,
                 passwords: tuple[str, ...] = (), limits: ReadLimits | None = None, force: bool = False,
                 executor: str = "local", scheduler: str | None = None,
                 formats: tuple[str, ...] = ("xlsx", "json"),
                 on_listed: Callable[[int], None] | None = None) -> BatchResult:
    """Score every workbook under ``inbox``; with ``out``, write the scored forms and summaries there.

    ``jobs`` worker processes score files (even ``jobs=1`` uses one, so a file
    that crashes the parser costs only itself).  Progress hooks: ``on_listed``
    is called once with the number of files found, before any is scored;
    ``on_file`` with each file's :class:`FileOutcome` (``file``, ``status``,
    ``error``) as it completes; whole results are in ``files`` of the returned
    :class:`BatchResult`.  ``passwords``
    are tried on encrypted files; ``limits`` bound one file's cost.  Department
    base data and scoring tables in separate files are paired by 填报单位.

    With ``out``, an input whose content and rulebooks are unchanged since the
    last run in that outbox is not scored again (``force=True`` redoes all).
    ``executor="dask"`` runs the per-file task on a Dask cluster at
    ``scheduler`` (``tcp://host:8786``; a local cluster of ``jobs`` workers when
    None); inputs and outbox must then be on a path every worker sees.
    ``formats`` are the summaries written to the outbox: any of xlsx, json, csv.
    """
    # An empty string would be Path("") — the working folder — which no caller means: a variable left unset.
    if os.fspath(inbox) == "":
        raise PerfevalError("收件箱路径为空：请给出收件箱文件夹的路径")
    if out is not None and os.fspath(out) == "":
        raise PerfevalError("输出文件夹路径为空：请给出输出文件夹的路径，或不写 out（只评分，不写文件）")
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise PerfevalError(f"收件箱“{inbox}”不存在或不是文件夹")
    if executor not in ("local", "dask"):
        raise PerfevalError(f"未知的执行方式“{executor}”，应为 local 或 dask")
    if isinstance(formats, str):  # "csv", or "xlsx,json" as the command line takes them
        formats = tuple(part.strip() for part in formats.split(","))
    unknown = set(formats) - set(SUMMARY_FILES)
    if unknown:
        raise PerfevalError(f"未知的汇总格式：{'、'.join(sorted(unknown))}（可用：{'、'.join(SUMMARY_FILES)}）")
    if not formats:  # none at all would remove the summaries an earlier run wrote, and write none
        raise PerfevalError(f"formats 至少要有一种汇总格式（可用：{'、'.join(SUMMARY_FILES)}）")
    if jobs.__class__ is bool or not isinstance(jobs, int):
        raise TypeError(f"jobs 应为不小于1的整数（工作进程数），而不是 {jobs!r}")
    if jobs < 1:
        raise ValueError(f"jobs 应为不小于1的整数（工作进程数），而不是 {jobs}")
    outbox = resolved_outbox(out, inbox) if out is not None else None
    rule_set = resolve_rules(rules)
    if scheduler is not None and executor != "dask":
        raise PerfevalError("scheduler 只用于 executor=\"dask\"（Dask集群）")
    read = ReadOptions(_password_tuple(passwords), _read_limits(limits))
    try:  # the engine's own Decimal context, as in score_workbook
        with outbox_lock(outbox) if outbox is not None else contextlib.nullcontext(), \
                decimal.localcontext(_ENGINE_CONTEXT):
            return _score_folder(inbox, outbox, rule_set, read, jobs, on_file, on_listed, force, executor, scheduler,
                                 formats)
    except OSError as exc:  # the outbox (a file's own read or write fails in its status instead)
        if outbox is None:
            raise
        raise outbox_error(exc, outbox) from exc


#: Python's default Decimal context, spelt out (decimal.DefaultContext is the caller's to change).
_ENGINE_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999, capitals=1,
                                  clamp=0, flags=[], traps=[decimal.InvalidOperation, decimal.DivisionByZero,
                                                            decimal.Overflow])


def _password_tuple(passwords: str | Iterable[str]) -> tuple[str, ...]:
    """``passwords`` as a tuple: one str is one password, not its characters."""
    if isinstance(passwords, str):
        return (passwords,)
    try:
        given = tuple(passwords)
    except TypeError:
        given = None
    if given is None or not all(isinstance(password, str) for password in given):
        raise TypeError(f"passwords 应为一个密码（str）或几个密码的列表，而不是 {passwords!r}")
    return given


def _read_limits(limits: ReadLimits | None) -> ReadLimits:
    """``limits``, checked before any file is read: a wrong value would fail on every file as if
    each were damaged."""
    if limits is None:
        return ReadLimits()
    if not isinstance(limits, ReadLimits):
        raise TypeError(f"limits 应为 ReadLimits（如 ReadLimits(max_sheet_cells=1_000_000)），"
                        f"而不是 {type(limits).__name__}")
    return limits


def _score_folder(inbox: Path, outbox: Path | None, rule_set: RuleSet, read: ReadOptions, jobs: int,
                  on_file: Callable[[FileOutcome], None] | None, on_listed: Callable[[int], None] | None,
                  force: bool, executor: str, scheduler: str | None, formats: tuple[str, ...]) -> BatchResult:
    """:func:`score_folder` once its arguments are checked (and its outbox is held, which made it)."""
    # A first run into this outbox (or a forced one) scores every file it finds, so its local
    # workers are forked before the listing, which they would otherwise each carry a copy of (4.5 MB
    # at 10,000 files): as many as there are files, up to ``jobs``.  A rerun forks them once it
    # knows what changed, as many as there is work for: none when nothing did (``watch`` reruns
    # the batch on every event).
    pool = None
    if executor == "local" and (force or outbox is None or not ResultStore.path_in(outbox).exists()):
        workers = count_workbooks(inbox, outbox, up_to=max(1, jobs))
        pool = start_pool(workers, rule_set, outbox, read) if workers else None
    try:
        listing = list_inbox(inbox, outbox)
        if on_listed is not None:
            on_listed(len(listing))
        run = _BatchRun(outbox, inbox.resolve(), rule_set, read, on_file, force)
        try:
            # Every file is known by its position in the listing from here on, and its name is held
            # once, in the listing's names (see inbox.Listing).
            if run.spool is not None:  # 问题清单 deflated and summary.json written as files arrive
                run.spool.expect(listing.names, tuple(formats))
            todo = run.reuse_unchanged(listing)
            for position, outcome in _run(listing, todo, rule_set, outbox, jobs, read, executor, scheduler, pool):
                run.add(position, outcome)
            run.pair_departments()
            batch = run.finish(inbox, listing)
            # Done with, but for its names (the summaries' order): its memory serves the summaries,
            # which are written next and are when the batch's process peaks.
            names, listing, todo = listing.names, None, None
            if run.spool is not None:
                run.spool.write(outbox, batch.rulebook, names, tuple(formats), run.grade_scales(), run.score_bins())
                batch.duplicates = run.spool.duplicates
                # A summary an earlier run wrote in a format not asked for this time would disagree;
                # one no run wrote (the officer's own summary.csv in a folder first used now) stays.
                earlier = run.store.summaries_written()
                if earlier is None:  # noted since 0.1.11; before, any summary there was taken as a run's
                    earlier = tuple(SUMMARY_FILES) if run.store.earlier else ()
                _remove_outputs(outbox, [SUMMARY_FILES[kind] for kind in earlier
                                         if kind in SUMMARY_FILES and kind not in formats])
                run.store.note_finished(formats)
            else:
                batch.duplicates = sent_twice_in(batch.files)
        finally:
            if run.spool is not None:
                run.spool.close()
            if run.store is not None:
                run.store.close()
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)  # done already unless the batch failed
    return batch


class _BatchRun:
    """Collects a batch's outcomes: statuses and summary records, with the results in the
    outbox's store (written here, never by the workers) or, without an outbox, in memory."""

    def __init__(self, outbox: Path | None, inbox: Path, rules: RuleSet, read: ReadOptions, on_file, force: bool):
        self.outbox, self.rules, self.read, self.on_file, self.force = outbox, rules, read, on_file, force
        self.store = ResultStore(outbox, inbox) if outbox is not None else None
        # Summaries are built as results arrive, so memory does not grow with the batch.
        self.spool = SummarySpool(outbox / ".perfeval" / "summary") if outbox is not None else None
        self.fingerprint = rules_fingerprint([rules.project, rules.department], __version__)
        self.memory: list[FileResult | None] = []  # without an outbox: each file's result, by position
        self.pending: list[tuple[int, FileOutcome]] = []  # department parts waiting for a partner file
        #: Each file's status, by position in the listing: a code into ``status_words`` (0: none yet).
        #: Why not the dict BatchResult.statuses is: 20 bytes a file more, held while files arrive;
        #: it is made once every file is in (finish).
        self.statuses = bytearray()
        self.status_words: list[str | None] = [None]
        self._status_codes: dict[str, int] = {}
        self.rulebooks: set[str] = set()
        self.reused = 0
        self.base_files_used = 0
        #: (folder, unit_key) → the file whose department form (F3 with its F2) is of that unit, for
        #: an F2 sent again in another file to say where its unit's form went (few: departments only)
        self.departments: dict[tuple[str, str], str] = {}

    def reuse_unchanged(self, listing: Listing) -> Sequence[int]:
        """Take over stored results of unchanged inputs; return the positions (ascending) of the
        files of ``listing`` left to score, the skipped among them.

        Only inputs an earlier run scored are hashed here; the others are hashed
        by the worker from the bytes it reads anyway.
        """
        if self.store is not None:
            self._leave_other_inboxes_outputs(listing)
        self.statuses = bytearray(len(listing))
        if self.store is None:
            self.memory = [None] * len(listing)
        # Why ask the store first: a first run into an outbox looked each of its inputs up in an
        # empty store before its worker had a file to score (10 ms at 1,000 files, 1 s at 100,000).
        if self.store is not None:
            self.store.adopt_moved_inbox(listing.names)
        if self.store is None or self.force or not self.store.holds_rows():
            return range(len(listing))
        todo = array("q")
        for position, entry in enumerate(listing):
            if entry.skip_reason or not self._reuse(position, entry):
                todo.append(position)
        return todo

    def _leave_other_inboxes_outputs(self, listing: Listing) -> None:
        """Set to be skipped each file of ``listing`` whose scored form would overwrite the one
        another inbox's file of the same name has in this outbox (两个收件箱都有“报表.xlsx”): that
        inbox's results would name another unit's form, and its officer would never know."""
        taken = self.store.outputs_of_other_inboxes()
        if not taken:
            return
        for position, relative in enumerate(listing.names):
            output = scored_path(relative)
            inbox = None if listing.skip_reason(position) else taken.get(os.path.normcase(output))
            if inbox is not None:
                listing.skip(position, f"输出文件夹中的“{output}”是另一个收件箱“{inbox}”中同名文件的评分表，"
                                       "为免覆盖，本文件未评分；请为本收件箱另选输出文件夹（--out）后重新运行")

    def _reuse(self, position: int, entry: InboxEntry) -> bool:
        try:
            stored = self.store.reusable(entry.relative, self.fingerprint, partial(file_digest, entry.location))
        except OSError:  # the input cannot be read now: the worker will say why
            return False
        if stored is None:
            return False
        state, summary = stored
        try:
            record = SummaryRecord.from_bytes(summary)
            outcome = FileOutcome(entry.relative, state["status"], digest=state["digest"], output=state["output"],
                                  reports=tuple(state["reports"]), rulebooks=tuple(state["rulebooks"]))
        except (ValueError, KeyError, TypeError):  # a damaged record: score the file again
            return False
        self.reused += 1
        self.store.keep(entry.relative)
        if self.on_file is not None:
            self.on_file(outcome)
        self._count(position, outcome)
        self._note_departments(entry.relative, _department_units(record))
        self.spool.add_record(entry.relative, record, at=position)
        return True

    def _note_departments(self, file: str, units: Iterable[str]) -> None:
        """Note ``file`` as where the department forms of ``units`` (填报单位) were scored."""
        for unit in units:
            if unit:
                self.departments.setdefault(_unit_place(file, unit), file)

    def add(self, position: int, outcome: FileOutcome) -> None:
        """Take in the outcome of the file at ``position`` in the listing."""
        if outcome.result is not None and outcome.result.unpaired:
            self.pending.append((position, outcome))  # told to on_file once paired: its status may still change
            return
        record = None
        if self.store is not None and outcome.view is not None:
            try:  # a batch's only worker leaves its summary record to be prepared here (writers.summary_view)
                record = prepare_summary(result_of_view(outcome.view))
                outcome = replace(outcome, summary=record.to_bytes(), view=None)
            except Exception as exc:  # one file's failure must not stop the batch
                failed = failed_result(outcome.file, exc)
                _remove_outputs(self.outbox, [path for path in (outcome.output, *outcome.reports) if path])
                outcome = replace(outcome, status="error", error=failed.error, detail=failed.detail, output=None,
                                  reports=(), rulebooks=(), summary=None, result=failed, view=None)
        if self.on_file is not None:
            self.on_file(outcome)
        self._count(position, outcome)
        if self.store is None:
            self.memory[position] = outcome.result
            self._note_departments(outcome.file, (form.form.unit for form in outcome.result.forms
                                                  if form.kind == "department"))
        elif outcome.summary is None:  # a failed file: its result came whole, to be kept whole
            # The scored form and drafts of its earlier content would contradict the summary.
            earlier = self.store.outputs(outcome.file) if outcome.status == "error" else []  # this inbox's
            self._store_here(position, outcome.result, outcome.digest)
            _remove_outputs(self.outbox, earlier)
        else:
            record = record or SummaryRecord.from_bytes(outcome.summary)
            self._note_departments(outcome.file, _department_units(record))
            self.spool.add_record(outcome.file, record, at=position)
            self.store.note(outcome.file, status=outcome.status, output=outcome.output, reports=outcome.reports,
                            rulebooks=outcome.rulebooks, digest=outcome.digest, fingerprint=self.fingerprint,
                            cacheable=outcome.status == "ok", summary=outcome.summary)

    def grade_scales(self) -> tuple[tuple[str, ...], ...]:
        """The grades of each rulebook the batch's forms were scored by, highest first (优, 良, 中, 差
        when no form was scored)."""
        return tuple(tuple(grade.grade for grade in rulebook.grades) for rulebook in self._rulebooks_used()) or (GRADES,)

    def score_bins(self):
        """分布's bands of totals, split where a grade of the rulebooks used starts."""
        return score_bins(grade.min for rulebook in self._rulebooks_used() for grade in rulebook.grades)

    def _rulebooks_used(self):
        return [rulebook for rulebook in (self.rules.project, self.rules.department) if rulebook.name in self.rulebooks]

    def _count(self, position: int, outcome: FileOutcome) -> None:
        code = self._status_codes.get(outcome.status)
        if code is None:  # a status met for the first time
            code = self._status_codes[outcome.status] = len(self.status_words)
            self.status_words.append(outcome.status)
        self.statuses[position] = code
        self.rulebooks.update(outcome.rulebooks)

    def _store_here(self, position: int, result: FileResult, digest: str | None) -> None:
        """Summarise and store a result whole: a failed file, or one paired with another file (either
        is scored again on the next run)."""
        summary = summarise(result)
        self.store.note(result.file, status=result.status, output=result.output, reports=result.reports,
                        rulebooks=[form.rulebook for form in result.forms], digest=digest,
                        fingerprint=self.fingerprint, cacheable=False, summary=summary, result=result)
        self.spool.add_record(result.file, SummaryRecord.from_bytes(summary), at=position)

    def pair_departments(self) -> None:
        # In inbox order, not the order the workers finished in: which F2 an F3 pairs with must
        # not depend on the run.
        self.pending.sort(key=itemgetter(0))  # by position in the listing
        results = [outcome.result for _, outcome in self.pending]
        _pair_across_files(results, self.rules, self.outbox, self.departments)
        # A file also holding an F2 no F3 took (an error) is counted as failed, not as used.
        self.base_files_used = sum(1 for result in results if result.note is not None and result.status == "ok")
        for (position, outcome), result in zip(self.pending, results):
            outcome = replace(outcome, status=result.status, error=result.error,
                              rulebooks=tuple(f.rulebook for f in result.forms))
            if self.on_file is not None:
                self.on_file(outcome)
            self._count(position, outcome)
            if self.store is None:
                self.memory[position] = result
            else:  # depends on another file, so never reused
                self._store_here(position, result, outcome.digest)

    def finish(self, inbox: Path, listing: Listing) -> BatchResult:
        order = listing.names
        if self.store is not None:
            if self.store.after_unfinished_run:  # this run's workers are done; its summaries come later
                _remove_leftover_temporaries(self.outbox, {posixpath.dirname(scored_path(name)) for name in order})
            gone = self.store.save()  # committed; score_folder closes the store
            _remove_outputs(self.outbox, gone)
            _remove_emptied_folders(self.outbox, gone)
            rebuild = _Rebuild(self.store, inbox.resolve(), self.outbox, self.rules, self.read)
            files: Sequence[FileResult] = StoredResults(self.store, order, rebuild)
        else:
            files = self.memory
        used = sorted(self.rulebooks) or [self.rules.project.name]
        statuses = dict(zip(order, map(self.status_words.__getitem__, self.statuses)))
        return BatchResult(inbox=inbox, outbox=self.outbox, rulebook=", ".join(used), files=files,
                           statuses=statuses, reused=self.reused, base_files_used=self.base_files_used)


@dataclass(frozen=True)
class _Rebuild:
    """Scores a scored input again, for a BatchResult whose store kept only its summary record.

    Why a class of its own and not a method of the batch's run: a BatchResult is kept and passed
    around (pickled to another process, copied) after the batch; a bound method kept the whole run
    alive with it, its hooks and spool, and a hook that is a lambda could not be pickled.
    """

    store: ResultStore
    inbox: Path
    outbox: Path
    rules: RuleSet
    read: ReadOptions

    def __call__(self, relative: str) -> FileResult:
        try:
            state = self.store.entry(relative)
        except KeyError:  # the store was found damaged and started afresh during this run
            state = None
        result, digest = score_with_digest(InboxEntry(self.inbox, relative), self.rules, None, self.read)
        if state is None:  # nothing noted to check it against: its scored form, if one is there
            if result.forms and (self.outbox / scored_path(relative)).is_file():
                result.output = scored_path(relative)
            return result
        if digest is None:
            raise PerfevalError(f"文件“{relative}”已被移走或无法读取，无法重建其评分结果，请重新评分")
        if digest != state["digest"]:
            raise PerfevalError(f"文件“{relative}”在评分后已被修改，无法重建其评分结果，请重新评分")
        if result.status != "ok":
            if result.error.startswith("文件已加密"):  # reused from a run given its password: this one was not
                raise PerfevalError(f"文件“{relative}”已加密：本次评分沿用了上次（提供了密码时）的评分结果，"
                                    f"重建其完整结果需要密码（{result.error}）；请在 score_folder 中给出 passwords=…")
            raise PerfevalError(result.error)
        result.output, result.reports = state["output"], list(state["reports"])
        return result


def _remove_outputs(outbox: Path, outputs: list[str]) -> None:
    """Delete earlier outputs (paths relative to ``outbox``) that no input of this run has; never
    anything outside the outbox."""
    for output in outputs:
        path = (outbox / output).resolve()
        if path.is_relative_to(outbox) and path != outbox:
            with contextlib.suppress(OSError):  # already gone, or open in Excel: it stays, harmless
                path.unlink()


#: A temporary file of writers._atomic: ".<stem>.<pid>-<n>.tmp<suffix>".
_TEMPORARY = re.compile(r"\..*\.(\d+)-\d+\.tmp(?:\.[^.]*)?")


def _remove_leftover_temporaries(outbox: Path, folders: Iterable[str]) -> None:
    """Delete the temporary files a killed run's workers left half-written in ``folders`` (relative
    to ``outbox``, "" itself, where the summaries are written): never read, but an officer
    browsing a shared folder sees them (a leading dot hides nothing on Windows).

    Called once every worker of this run is done, with the outbox held (no other batch writes
    there); a file of a process still alive (a library caller's own write) is left."""
    for folder in sorted(folders | {""}):
        try:
            names = os.listdir(outbox / folder)
        except OSError:  # not made yet, or gone
            continue
        for name in names:
            found = _TEMPORARY.fullmatch(name)
            if found is not None and not _process_alive(int(found.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(outbox / folder / name)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would end it there: the outbox's lock is the guarantee
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


def _remove_emptied_folders(outbox: Path, removed: list[str]) -> None:
    """Delete the folders under ``outbox`` that removing ``removed`` left empty (a unit's folder of
    the inbox moved out or deleted), up to the outbox, which stays.

    Why only once every file is done: a worker writing into one of them meanwhile would find it gone.
    """
    folders = {posixpath.dirname(path) for path in removed}
    for folder in sorted(folders, key=lambda path: -path.count("/")):  # the deepest first
        while folder:
            path = (outbox / folder).resolve()
            if not path.is_relative_to(outbox) or path == outbox:
                break
            try:
                path.rmdir()  # only if empty: a folder holding anything else stays
            except OSError:
                break
            folder = posixpath.dirname(folder)


def _pair_across_files(files: list[FileResult], rules: RuleSet, outbox: Path | None,
                       departments: dict[tuple[str, str], str] | None = None) -> None:
    """Pair F3 tables and F2 base data that arrived in different files of one folder, by 填报单位
    (as ``explain`` does), then score and write them.

    Why one folder: a unit sends its F2 and F3 together, and an inbox may hold last year's F2 of
    the same unit in another folder.  ``files`` come in inbox order, so a unit with two F2 in
    one folder always gets the first; its F3 is flagged for a person to confirm that one.  An F2
    file of a unit whose F3 was scored without it (with another F2, in this folder or another) is
    skipped saying with which (see :func:`_base_not_used`), not an error "without an F3": nothing
    failed, and the unit has its score.  ``departments`` (see ``_BatchRun.departments``): where a
    unit's F3 was scored with the F2 of its own workbook.  An F2 file that was used says for which
    F3 (``FileResult.note``), or its row in 汇总 was a file with no score and no reason.
    """
    tables = [(f, part) for f in files for part in f.unpaired if isinstance(part, DepartmentForm)]
    bases = [(f, part) for f in files for part in f.unpaired if isinstance(part, BaseData)]
    if not tables and not bases:
        return
    base_file = {id(base): f for f, base in bases}
    paired = []
    for folder in dict.fromkeys(posixpath.dirname(f.file) for f in files):
        paired += pair_by_unit([t for f, t in tables if posixpath.dirname(f.file) == folder],
                               [b for f, b in bases if posixpath.dirname(f.file) == folder])
    paired_ids, used_bases = {id(t) for t in paired}, {id(t.base) for t in paired}
    bases_left_ids = {id(b) for _, b in bases if id(b) not in used_bases}
    # Of each unit of a folder: the F2 file that paired, and those of the same unit left over.
    taken = {_unit_in_folder(f, b): f.file for f, b in bases if id(b) in used_bases}
    passed_over: dict[tuple[str, str], list[str]] = {}
    for f, b in bases:
        if id(b) in bases_left_ids and b.unit and _unit_in_folder(f, b) in taken:
            passed_over.setdefault(_unit_in_folder(f, b), []).append(f.file)
    # A unit's F3 and F2 left over in two folders: each is told where the other is, since forms
    # pair within a folder only and each said, alone, that the other was missing.
    tables_left = {unit_key(t.unit): f.file for f, t in tables if id(t) not in paired_ids and t.unit}
    bases_left = {unit_key(b.unit): f.file for f, b in bases if id(b) in bases_left_ids and b.unit}
    scored = _units_scored(tables, paired_ids, base_file, departments or {})
    for file, table in tables:
        try:
            elsewhere = bases_left.get(unit_key(table.unit)) if table.unit and id(table) not in paired_ids else None
            if elsewhere is not None and posixpath.dirname(elsewhere) != posixpath.dirname(file.file):
                table.base_elsewhere = elsewhere  # the scoring says where it is (rules/department.py)
            if id(table) in paired_ids:
                base_of = base_file[id(table.base)]
                table.flags.append(_paired_note(table, base_of.file))
                others = passed_over.get(_unit_in_folder(base_of, table.base))
                if others:
                    table.flags.append(_other_bases_note(table.base, base_of.file, others))
            file.forms.append(score_form(table, rules))  # unpaired: scored with an error flag
            if id(table) in paired_ids:
                base_of.note = _joined(base_of.note, _used_note(file.file, table.unit or table.base.unit))
        except Exception as exc:
            file.status, file.error = "error", failed_result(file.file, exc).error
    for file, base in bases:
        if id(base) not in bases_left_ids or file.forms or file.status == "error":
            continue
        where = _where_scored(scored, file, base) if base.unit else None
        if where is not None:  # its unit has its score: this F2 is one too many, not a failure
            if file.status == "ok":  # an F2 of it without an F3 anywhere (an error) is said first
                file.status = "skipped"
                file.error = f"基础数据表未使用，已跳过：{_base_not_used(base.unit, file.file, *where, year=base.year)}"
            continue
        file.status = "error"
        file.error = f"只有基础数据表（F2，填报单位：{base.unit or '未填'}），未找到同一填报单位的指标评分表（F3）"
        table_file = tables_left.get(unit_key(base.unit)) if base.unit else None
        if table_file is not None and posixpath.dirname(table_file) != posixpath.dirname(file.file):
            file.error += (f"；其指标评分表在另一文件夹的文件“{table_file}”中，两表须在同一文件夹才能配对，"
                           "请放在同一文件夹后重新评分")
    table_files = {id(f) for f, _ in tables}
    for file in files:
        file.unpaired = []
        if outbox is not None and file.status == "ok" and file.forms and id(file) in table_files:
            try:
                write_outputs(file, outbox)
            except Exception as exc:
                failed = failed_result(file.file, exc)
                file.status, file.error, file.detail = "error", failed.error, failed.detail


def _paired_note(table: DepartmentForm, base_file: str):
    """The flag saying where ``table``'s F2 came from; also names that file in each flag of the F2
    that points at a cell (see :func:`_in_file`)."""
    table.base.flags = _in_file(table.base.flags, base_file)
    return Flag(f"基础数据表取自文件“{base_file}”（按填报单位配对）", None, "warning")


def _in_file(flags: list[Flag], file: str) -> list[Flag]:
    """``flags`` of an F2 sent as its own file, each pointing at a cell naming ``file``.  Why: 问题清单
    listed them under the F3's file, whose workbook has no such sheet."""
    return [replace(flag, message=f"{flag.message}（文件“{file}”）") if flag.source else flag for flag in flags]


def _units_scored(tables: list[tuple[FileResult, DepartmentForm]], paired_ids: set[int],
                  base_file: dict[int, FileResult], departments: dict[tuple[str, str], str]
                  ) -> dict[tuple[str, str], tuple[str, str, int | None]]:
    """(the file of its F3, the file of the F2 it was scored with, that F2's year) of each unit whose F3 was scored
    with an F2, by :func:`_unit_place`: paired here (under the names of both forms), or in one
    workbook (``departments``: F3 and F2 in the same file)."""
    scored: dict[tuple[str, str], tuple[str, str]] = {}
    for file, table in tables:
        if id(table) in paired_ids:
            for unit in (table.unit, table.base.unit):
                if unit:
                    scored.setdefault(_unit_place(file.file, unit),
                                      (file.file, base_file[id(table.base)].file, table.base.year))
    for place, file in departments.items():
        scored.setdefault(place, (file, file, None))
    return scored


def _where_scored(scored: dict[tuple[str, str], tuple[str, str, int | None]], file: FileResult,
                  base: BaseData) -> tuple[str, str, int | None] | None:
    """Of ``scored`` (:func:`_units_scored`), where the unit of ``base`` (an F2 of ``file`` left
    over) had its F3 scored: in the folder of ``file``, else in another (the first by name), or None."""
    place = _unit_in_folder(file, base)
    if place in scored:
        return scored[place]
    elsewhere = [where for (_, unit), where in scored.items() if unit == place[1]]
    return min(elsewhere, key=lambda where: where[:2]) if elsewhere else None


def _base_not_used(unit: str, file: str, table_file: str, taken: str, taken_year: int | None = None,
                   year: int | None = None) -> str:
    """Why the F2 of ``file`` was not used, and what to do: its unit's F3, in ``table_file``, was
    scored with the F2 of ``taken`` (``table_file`` itself when that workbook holds both).  Of
    another year than the one used (``year`` and ``taken_year``, where both are read), it is said
    so, and not to replace the other with it: last year's F2 has no place in this year's score."""
    if year is not None and taken_year is not None and year != taken_year:
        return (f"本文件是{year}年度的基础数据表，同一填报单位（{unit}）已按“{taken}”中{taken_year}年度的基础数据表"
                f"与指标评分表“{table_file}”配对评分；如不再需要本文件，请将其移出收件箱")
    if taken == table_file:
        how = f"同一填报单位（{unit}）的指标评分表已与同一文件“{table_file}”中的基础数据表配对评分"
        instead = f"请单位替换“{table_file}”中的基础数据表后重新报送"
    else:
        # F2 and F3 pair within a folder (see _pair_across_files): why another F2 was taken.
        which = "按文件名顺序取" if posixpath.dirname(file) == posixpath.dirname(taken) else "取其同一文件夹的"
        how = f"同一填报单位（{unit}）的指标评分表“{table_file}”已{which}“{taken}”中的基础数据表配对评分"
        instead = f"请用本文件替换“{taken}”后重新评分"
    return f"{how}；如本文件是上年度的或旧的副本，请将其移出收件箱；如应以本文件为准，{instead}"


def _used_note(table_file: str, unit: str) -> str:
    """What an F2 file used by the F3 of ``table_file`` says of itself (``FileResult.note``)."""
    return f"基础数据表已与文件“{table_file}”中{unit}的指标评分表配对评分，得分见该文件"


def _joined(earlier: str | None, note: str) -> str:
    """``note`` after ``earlier`` (one F2 file holding the F2 of two units, each used)."""
    return note if earlier is None else f"{earlier}；{note}"


def _other_bases_note(base: BaseData, taken: str, others: list[str]):
    named = "、".join(f"“{other}”" for other in others)
    return Flag(f"同一填报单位（{base.unit}）另有基础数据表{named}，未使用；已按文件名顺序取“{taken}”",
                None, "warning", "请确认以哪一份基础数据表为准")


def _unit_in_folder(file: FileResult, base: BaseData) -> tuple[str, str]:
    """Which unit of which folder ``base`` of ``file`` is: F2 and F3 pair within a folder, by 填报单位."""
    return _unit_place(file.file, base.unit or "")


def _unit_place(file: str, unit: str) -> tuple[str, str]:
    """(the folder of ``file``, ``unit`` as forms are paired by it)."""
    return posixpath.dirname(file), unit_key(unit)


def _department_units(record: SummaryRecord) -> Iterator[str]:
    """The 填报单位 of a file's department forms, as its summary record spells them."""
    return (facts.department for facts in record.facts if facts.kind == "department")


def _run(listing: Listing, todo: Sequence[int], rules: RuleSet, outbox: Path | None, jobs: int, read: ReadOptions,
         executor: str, scheduler: str | None, pool: ProcessPoolExecutor | None) -> Iterator[tuple[int, FileOutcome]]:
    """The position in ``listing`` and outcome of each file of it at ``todo`` (ascending positions,
    every skipped file among them): the skipped first, then the others as the workers finish them."""
    skipped = listing.skipped()
    for position in skipped:
        yield position, process_entry(listing[position], rules, outbox, read)
    work = todo if not skipped else array("q", (p for p in todo if listing.skip_reason(p) is None))
    if executor == "dask":
        from .dask_executor import run_on_dask

        outcomes = run_on_dask(ListedFiles(listing, work), rules, outbox, read, jobs, scheduler)
    else:
        outcomes = run_in_pool(ListedFiles(listing, work), rules, outbox, max(1, jobs), read, pool)
    for index, outcome in outcomes:
        yield work[index], outcome
