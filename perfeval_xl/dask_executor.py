"""Running the per-file task on a Dask distributed cluster (extra ``perfeval-xl[dask]``).

The task is the same one the local process pool runs (:func:`.task.process_entry`):
each worker reads one input and writes its scored form straight to the outbox,
so inputs and outbox must sit on a path every worker sees under the same name.
Only the small outcomes travel back to this process, which stores them and
writes the summary.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import PerfevalError
from .inbox import InboxEntry
from .model import FileResult
from .readers import ReadOptions
from .rules import RuleSet

if TYPE_CHECKING:
    from .task import FileOutcome


def run_on_dask(work: list[InboxEntry], rules: RuleSet, outbox: Path | None, read: ReadOptions, jobs: int,
                scheduler: str | None) -> Iterator[FileOutcome]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise PerfevalError("使用 --executor dask 需要先安装：pip install \"perfeval-xl[dask]\"") from exc
    from .task import outcome_of_failure, process_entry

    if not work:
        return
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        client = Client(scheduler or cluster)
    except OSError as exc:
        raise PerfevalError(f"无法连接Dask调度器“{scheduler}”：{exc}") from exc
    try:
        # The rulebooks go to every worker once, not inside each of thousands of tasks.
        [shared_rules] = client.scatter([rules], broadcast=True)
        futures = client.map(process_entry, work, rules=shared_rules, outbox=outbox, read=read, pure=False)
        owner = {future.key: entry for future, entry in zip(futures, work)}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker died on this file (KilledWorker) or lost its connection
                entry = owner[future.key]
                failed = FileResult(file=entry.relative, status="error",
                                    error=f"集群上处理该文件失败（{type(exc).__name__}），请单独重试")
                yield outcome_of_failure(failed)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
