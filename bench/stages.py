"""Where the time goes: each stage of the pipeline timed on its own, in one process.

    python bench/stages.py INBOX [--repeat 3]

Times, over every workbook of INBOX (e.g. a corpus kept with ``bench.py --keep``),
the stages of a batch in the order they run.  A worker's task: reading the
file's bytes, python-calamine grids alone, ``read_workbook`` (grids + form
readers), scoring, the scored form, report drafts, preparing the summary
record.  Then pickling the outcome a worker sends back, the parent's
``add_record`` and store, and the end-of-batch summary.xlsx and
summary.json.  (``BatchResult.files`` scores an input again: read + score.)  Prints ms
per workbook, the best of ``--repeat`` rounds (a loaded machine only ever adds
time).  No profiler: these are the real costs.
"""
from __future__ import annotations

import argparse
import gc
import pickle
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, default=HERE.parent, help="the perfeval-xl source tree to time")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))

    from perfeval_xl.inbox import list_inbox
    from perfeval_xl.model import FileResult
    from perfeval_xl.readers import read_workbook
    from perfeval_xl.readers.grid import load_grids
    from perfeval_xl.rules import resolve_rules, score_form
    from perfeval_xl.store import ResultStore
    from perfeval_xl.task import FileOutcome
    from perfeval_xl.writers import write_report_drafts, write_scored_workbook
    from perfeval_xl.writers.summary_spool import SummaryRecord, SummarySpool, prepare_summary

    entries = [e for e in list_inbox(args.inbox) if not e.skip_reason]
    rules = resolve_rules(None)
    n = len(entries)
    rows: list[tuple[str, float]] = []

    def stage(name: str, work):
        best, out = float("inf"), None
        # Results of earlier stages stay alive here (in a real run a worker holds one file at a
        # time): keep the garbage collector from walking them over and over.
        gc.collect()
        gc.freeze()
        for _ in range(args.repeat):
            start = time.perf_counter()
            out = work()
            best = min(best, time.perf_counter() - start)
        rows.append((name, best))
        return out

    datas = stage("read bytes", lambda: [e.path.read_bytes() for e in entries])
    stage("calamine grids (load_grids)", lambda: [load_grids(e.path, d) for e, d in zip(entries, datas)])
    contents = stage("read_workbook (grids + readers)",
                     lambda: [read_workbook(e.path, name=e.relative, data=d) for e, d in zip(entries, datas)])
    files = stage("score", lambda: [
        FileResult(file=e.relative, status="ok", forms=[score_form(f, rules) for f in c.forms],
                   unpaired=c.unpaired_tables + c.unpaired_bases)
        for e, c in zip(entries, contents)])
    with tempfile.TemporaryDirectory() as work:
        out = Path(work)
        for index, file in enumerate(files):
            file.output = f"{index}.scored.xlsx"

        rounds = iter(range(1_000_000))

        def fresh() -> Path:  # a new folder per round: outputs are new files, as in a real run
            folder = out / f"round{next(rounds)}"
            folder.mkdir()
            return folder

        def scored():
            folder = fresh()
            for file in files:
                if file.forms:
                    write_scored_workbook(file.forms, folder / file.output)

        def drafts():
            folder = fresh()
            for file in files:
                if file.forms:
                    write_report_drafts(file.forms, folder / file.output)

        stage("scored form", scored)
        stage("report drafts", drafts)
        # The rest of a worker's task, then the parent's share, then the end of the batch.
        records = stage("summary record: prepare_summary", lambda: [prepare_summary(f) for f in files])
        summaries = [record.to_bytes() for record in records]
        outcomes = [FileOutcome(f.file, f.status, summary=b) for f, b in zip(files, summaries)]
        stage("pickle an outcome (worker → parent)", lambda: [pickle.loads(pickle.dumps(o)) for o in outcomes])
        spool = SummarySpool(out / "spool")
        stage("add_record (parent)", lambda: [spool.add_record(o.file, SummaryRecord.from_bytes(o.summary))
                                              for o in outcomes])
        store = ResultStore(out)

        def note():
            for f, b in zip(files, summaries):
                store.note(f.file, status=f.status, output=f.output, reports=f.reports, rulebooks=["mof"],
                           digest="0" * 64, fingerprint="f", cacheable=True, summary=b)
            store.save()

        stage("result store: note (parent)", note)
        store.close()
        order = [f.file for f in files]
        stage("summary.xlsx (end of batch)", lambda: spool.write_xlsx(out / "summary.xlsx", "mof", order))
        stage("summary.json (end of batch)", lambda: spool.write_json(out / "summary.json", "mof", order))
        spool.close()

    forms = sum(len(f.forms) for f in files)
    print(f"{n} workbooks, {forms} forms; best of {args.repeat}; ms per workbook")
    for name, seconds in rows:
        print(f"  {name:<40}{1000 * seconds / n:>8.2f}")


if __name__ == "__main__":
    main()
