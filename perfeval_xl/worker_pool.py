"""Running the per-file task in local worker processes, where a crash costs only its file.

Every file is parsed in a worker, even at ``jobs=1``: a corrupt or hostile
workbook can make the parser abort or exhaust memory, which must cost that
file, not the batch.  Each worker is told once, when it starts, what the batch
is (rulebooks, outbox, read options) and then receives only small chunks of
inbox entries, so a task costs little more than its file's own work.
"""
from __future__ import annotations

import faulthandler
import gc
import itertools
import multiprocessing
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterator, Sequence

from .errors import PerfevalError
from .inbox import InboxEntry
from .model import FileResult
from .readers import ReadOptions
from .rules import RuleSet
from .task import FileOutcome, outcome_of_failure, process_entry, under_listed_name

#: Files per task: enough to make the hand-over cheap, few enough to keep the workers evenly busy.
MAX_CHUNK = 8
#: Seconds a stopped batch waits for the files its workers are on before ending them.
STOP_GRACE = 5.0

_batch: tuple[RuleSet, Path | None, ReadOptions, bool] | None = None  # set in each worker by _start_worker


def start_pool(jobs: int, rules: RuleSet, outbox: Path | None, read: ReadOptions) -> ProcessPoolExecutor:
    """The batch's ``jobs`` workers, forked now, before the batch lists its inbox.

    Why before: a forked worker's RSS counts every page of the batch's process it inherits, and
    a worker forked after listing 10,000 files started at 41.7 MB, one after listing 100 at 37.2.
    Forked first, they start at 37.0 whatever the inbox holds: at 10,000 files and jobs=2 the
    largest worker peaked at 67.6 MB instead of 71.0, the tree at 199.0 instead of 205.6.
    """
    if jobs > 1 and outbox is not None and _forks():
        from .writers.scored_form import prepare_templates

        prepare_templates()  # once here, not once per forked worker
    pool = _pool(jobs, rules, outbox, read)
    if _forks():
        pool.submit(int)  # the first task forks every worker (all at once when they fork)
    return pool


def run_in_pool(work: Sequence[InboxEntry], rules: RuleSet, outbox: Path | None, jobs: int,
                read: ReadOptions, pool: ProcessPoolExecutor | None = None) -> Iterator[tuple[int, FileOutcome]]:
    """Score ``work`` in ``jobs`` worker processes, yielding each file's index in ``work`` and
    outcome as it completes.

    ``pool``: workers of :func:`start_pool`, shut down here when done; started here if None.
    If a worker dies, the files it may have held are retried one by one, each
    in its own process, so the culprit fails alone.  ``work`` is sliced a chunk at a time: a
    :class:`~.inbox.ListedFiles` makes the entries of a chunk only when it is handed out.
    """
    if not work:
        if pool is not None:
            pool.shutdown()
        return
    jobs = min(jobs, len(work))
    if pool is None:
        pool = start_pool(jobs, rules, outbox, read)
    # Small batches go a file at a time, so that every worker has some.
    size = max(1, min(MAX_CHUNK, len(work) // (jobs * 4)))
    # Each chunk with where it starts in ``work``.
    chunks = ((start, work[start:start + size]) for start in range(0, len(work), size))
    # The chunks submitted and not yet reported, in a bounded window: a finished future holds
    # its outcomes, and holding every future of a 10,000-file batch would hold every outcome.
    running: dict[Future, tuple[int, list[InboxEntry]]] = {}
    chunk: tuple[int, list[InboxEntry]] | None = None  # taken from ``chunks``, not yet in ``running``
    try:
        with pool:
            try:
                while True:
                    while len(running) < jobs * 4 and (chunk := next(chunks, None)) is not None:
                        running[pool.submit(_process_chunk, chunk[1])] = chunk  # a broken pool raises here
                        chunk = None
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        outcomes = future.result()  # or BrokenProcessPool: the chunk stays in ``running``
                        start, entries = running.pop(future)
                        for index, (entry, outcome) in enumerate(zip(entries, outcomes, strict=True), start):
                            yield index, under_listed_name(outcome, entry)
            except (KeyboardInterrupt, GeneratorExit):
                # Stopped (Ctrl-C, or the batch stopped reading): the chunks not started are
                # dropped; those running may finish their files (each output whole), for a while.
                _stop(pool, STOP_GRACE)
                raise
    except BrokenProcessPool:
        if not _workers_start(rules, outbox, read):
            raise PerfevalError(_WORKERS_DO_NOT_START) from None
        # Every file not yet reported: the running chunks, the one being submitted, the rest.
        for start, unreported in itertools.chain(running.values(), [chunk] if chunk else [], chunks):
            for index, entry in enumerate(unreported, start):
                yield index, _score_isolated(entry, rules, outbox, read)


#: Said when a worker given no file dies too: no file is to blame.
_WORKERS_DO_NOT_START = (
    "评分工作进程一启动就退出，没有评分任何文件。若是在自己的Python脚本中调用 score_folder：在以新进程启动工作进程的"
    "系统上（Windows、macOS，以及Python 3.14起的Linux），每个工作进程都会重新运行脚本，请把调用写在 "
    "if __name__ == \"__main__\": 之下；否则请检查本机内存或进程数限制")


def _workers_start(rules: RuleSet, outbox: Path | None, read: ReadOptions) -> bool:
    """Whether a fresh worker, given no file, starts and does a task.

    Why ask: when the pool breaks, each file is retried in a process of its own so that the
    culprit fails alone; but when no worker can start at all (a script calling score_folder
    without a ``__main__`` guard, which each spawned worker runs again), every good file was
    reported as damaged or hostile.
    """
    try:
        with _pool(1, rules, outbox, read) as pool:
            pool.submit(int).result()
    except BrokenProcessPool:
        return False
    return True


def _stop(pool: ProcessPoolExecutor, grace: float) -> None:
    """End ``pool`` now: no new chunk starts; a worker still busy after ``grace`` seconds (a file
    that takes its parser minutes) is terminated, so one Ctrl-C is enough."""
    processes = list((pool._processes or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join(1.0)


def _process_chunk(entries: list[InboxEntry]) -> list[FileOutcome]:
    rules, outbox, read, record = _batch
    return [process_entry(entry, rules, outbox, read, record=record) for entry in entries]


def _pool(workers: int, rules: RuleSet, outbox: Path | None, read: ReadOptions) -> ProcessPoolExecutor:
    # Forked workers are the batch's own children; others (spawn, forkserver) are not.
    batch_pid = os.getpid() if _forks() else None
    # A batch's only worker leaves its files' summary records to the batch's process (writers.summary_view).
    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                               initargs=(rules, outbox, read, batch_pid, workers > 1))


def _forks() -> bool:
    """Whether workers start as forks of the batch's process (Linux's default), sharing what it
    has loaded and prepared."""
    return multiprocessing.get_start_method() == "fork"


def _start_worker(rules: RuleSet, outbox: Path | None, read: ReadOptions, batch_pid: int | None,
                  record: bool = True) -> None:
    """Prepare a worker: remember the batch, freeze what it inherited, cap its address space so
    a runaway allocation fails inside it, and silence native crash output (a Rust panic's
    backtrace) — each failure is reported per file; then prepare the scored form's templates."""
    global _batch
    _batch = (rules, outbox, read, record)
    # Ctrl-C reaches the whole process group.  A worker stopped by it in the middle of handing
    # back a result died holding the result queue's lock: the other workers and the batch waited
    # on it forever (1 Ctrl-C in 30).  The batch's process alone stops the batch.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if batch_pid is not None:
        _die_with_the_batch(batch_pid)
    # What the worker inherited (modules, rulebooks, templates) is never garbage: frozen, it is
    # left out of the collector's scans.  A cold pass over 300 workbooks made 0.9 % fewer
    # instructions (cachegrind).  Raising the threshold as well saved 0.6 % more but kept about
    # 1.7 MB more in each worker, so it stays at the default.
    gc.freeze()
    os.environ["RUST_BACKTRACE"] = "0"
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    # Python's own dump of a crash goes to the descriptor faulthandler was enabled with (by
    # PYTHONFAULTHANDLER, or a test runner: pytest's printed "Fatal Python error: Aborted" and a
    # stack for each crash a test causes on purpose), not to the silenced stderr.
    faulthandler.disable()
    try:
        import resource

        max_bytes = read.limits.max_worker_memory
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on every platform; the worker still isolates
        pass
    if outbox is not None:
        from .writers.scored_form import prepare_templates

        # A single worker is forked before the templates are prepared (see start_pool): it prepares
        # them now, while the batch lists its inbox, not on its first file (the first chunk of a
        # 1,000-file batch at jobs=1 back 4.6 ms sooner, median of 21 runs), and last, as on its
        # first file: capped and silenced (a bureau's restyled template is compiled by openpyxl).
        # Inherited ones are kept.
        prepare_templates()


def _die_with_the_batch(batch_pid: int) -> None:
    """Ask Linux to end this worker (forked by ``batch_pid``) when the batch's process dies.

    Why: a worker writing its result into the queue's pipe waits for a reader that will never
    come, since the other workers hold the pipe open too; they stayed forever after a kill -9.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, signal.SIGKILL) == 0 and os.getppid() != batch_pid:
            os._exit(1)  # the batch died before the request was in place
    except (OSError, AttributeError):  # not Linux: the worker ends when its queue breaks
        pass


def _score_isolated(entry: InboxEntry, rules: RuleSet, outbox: Path | None, read: ReadOptions) -> FileOutcome:
    try:
        with _pool(1, rules, outbox, read) as pool:
            return under_listed_name(pool.submit(_process_chunk, [entry]).result()[0], entry)
    except BrokenProcessPool:
        failed = FileResult(file=entry.relative, status="error",
                            error="读取该文件时程序异常退出（文件可能已损坏、过大或被恶意构造），已跳过")
        return outcome_of_failure(failed)
