"""Running the per-file task on a Dask distributed cluster (extra ``perfeval-xl[dask]``).

The task is the same one the local process pool runs (:func:`.task.process_entry`):
each worker reads one input and writes its scored form straight to the outbox,
so inputs and outbox must sit on a path every worker sees under the same name.
Only the small outcomes travel back to this process, which stores them and
writes the summary.
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from .errors import PerfevalError
from .inbox import InboxEntry
from .model import FileResult
from .readers import ReadOptions
from .rules import RuleSet

if TYPE_CHECKING:
    from .task import FileOutcome

#: Tasks on the cluster at a time, per worker thread: enough that no thread waits for work.
IN_FLIGHT_PER_THREAD = 16
#: Tasks submitted together once that many have come back.
SUBMIT_GROUP = 16


def run_on_dask(work: Sequence[InboxEntry], rules: RuleSet, outbox: Path | None, read: ReadOptions, jobs: int,
                scheduler: str | None) -> Iterator[tuple[int, FileOutcome]]:
    """Score ``work`` on the cluster, yielding each file's index in ``work`` and outcome as it completes."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise PerfevalError("使用 --executor dask 需要先安装：pip install \"perfeval-xl[dask]\"") from exc
    from .task import outcome_of_failure, process_entry, under_listed_name

    if not work:
        return
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        client = Client(scheduler or cluster)
    except OSError as exc:  # distributed's words are English: the officer gets what to check instead
        why = "连接超时" if isinstance(exc, TimeoutError) or "timed out" in str(exc).lower() else "连接失败"
        raise PerfevalError(f"无法连接Dask调度器“{scheduler}”（{why}）：请确认地址和端口正确、调度器已启动且本机可以访问") from exc
    try:
        # The rulebooks go to every worker once, not inside each of thousands of tasks.
        [shared_rules] = client.scatter([rules], broadcast=True)
        # A bounded window of tasks, each released once its outcome is here: a task's outcome stays
        # in its worker's memory while this process holds the task (about 40 KB with its summary
        # record), so holding every task of the batch made the cluster's memory grow with it.
        # Tasks go in groups, one message to the scheduler per group rather than per file.
        group = SUBMIT_GROUP
        window = max(2 * group, IN_FLIGHT_PER_THREAD * max(jobs, sum(client.nthreads().values()), 1))
        waiting = enumerate(work)
        done = as_completed()
        owner: dict[str, tuple[int, InboxEntry]] = {}

        def submit(count: int) -> None:
            indexed = list(itertools.islice(waiting, count))
            if not indexed:
                return
            futures = client.map(process_entry, [entry for _, entry in indexed], rules=shared_rules, outbox=outbox,
                                 read=read, pure=False)
            for future, (index, entry) in zip(futures, indexed):
                owner[future.key] = index, entry
                done.add(future)

        submit(window)
        for future in done:
            index, entry = owner.pop(future.key)
            try:
                outcome = under_listed_name(future.result(), entry)
            except Exception as exc:  # a worker died on this file (KilledWorker) or lost its connection
                failed = FileResult(file=entry.relative, status="error",
                                    error=f"集群上处理该文件失败（{type(exc).__name__}），请单独重试")
                outcome = outcome_of_failure(failed)
            future.release()
            if len(owner) <= window - group:
                submit(group)
            yield index, outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
