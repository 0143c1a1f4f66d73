"""Two source trees compared on one cold pass per stage, run alternately (A/B).

    python bench/cold_ab.py INBOX --base /path/to/other/tree [--code .] [--rounds 4]

A real batch meets each workbook once, so the memos keyed by text are cold for
most of it; ``stages.py`` (best of 3 rounds in one process) reuses them and
flatters every stage.  Here each round is one fresh process per tree that reads,
scores, writes the scored form and drafts, and prepares the summary record of
every workbook once, timing each stage in CPU seconds.  Rounds alternate the
order of the trees.  Prints, per stage, the minimum and median ms per workbook of
each tree and the change of the minimum.

On a shared machine differences under ~3 % are noise; for small changes count
instructions instead, which load does not move (valgrind's cachegrind)::

    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        python bench/cold_ab.py INBOX --one-pass TREE
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("read", "score", "form", "summary")


def one_pass(inbox: Path, code: Path) -> dict[str, float]:
    """CPU ms per workbook of each stage, over one cold pass of ``inbox`` with the tree ``code``."""
    sys.path.insert(0, str(code))
    import perfeval_xl
    import perfeval_xl.writers  # noqa: F401  (imported before any timing, as the CLI does)

    if not Path(perfeval_xl.__file__).resolve().is_relative_to(code):
        raise SystemExit(f"perfeval_xl came from {perfeval_xl.__file__}, not from {code}")
    from perfeval_xl.inbox import list_inbox, scored_path
    from perfeval_xl.model import FileResult
    from perfeval_xl.readers import ReadOptions, read_workbook
    from perfeval_xl.rules import resolve_rules, score_form
    from perfeval_xl.task import summarise
    from perfeval_xl.writers import write_report_drafts, write_scored_workbook

    entries = list_inbox(inbox)
    rules, read = resolve_rules(None), ReadOptions()
    spent = dict.fromkeys(STAGES, 0.0)
    clock = time.process_time
    with tempfile.TemporaryDirectory(prefix="perfeval-cold-") as folder:
        out = Path(folder)
        for entry in entries:
            data = entry.path.read_bytes()
            started = clock()
            try:
                content = read_workbook(entry.path, name=entry.relative, data=data, passwords=read.passwords,
                                        limits=read.limits)
            except Exception:  # a file that fails to read costs its reading only
                spent["read"] += clock() - started
                continue
            read_done = clock()
            result = FileResult(file=entry.relative, status="ok", forms=[score_form(form, rules) for form in content.forms],
                                unpaired=content.unpaired_tables + content.unpaired_bases)
            scored = clock()
            if result.forms:
                result.output = scored_path(result.file)
                target = out / result.output
                target.parent.mkdir(parents=True, exist_ok=True)
                write_scored_workbook(result.forms, target)
                write_report_drafts(result.forms, target)
            written = clock()
            if not result.unpaired:
                summarise(result)
            summarised = clock()
            spent["read"] += read_done - started
            spent["score"] += scored - read_done
            spent["form"] += written - scored
            spent["summary"] += summarised - written
    per_file = {stage: seconds / max(len(entries), 1) * 1000 for stage, seconds in spent.items()}
    per_file["total"] = sum(per_file.values())
    return per_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--base", type=Path, help="the tree to compare with")
    parser.add_argument("--code", type=Path, default=HERE.parent, help="the tree under test")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--one-pass", type=Path, metavar="TREE", help="one pass with TREE, printed as JSON")
    args = parser.parse_args(argv)
    if args.one_pass is not None:
        print(json.dumps(one_pass(args.inbox.resolve(), args.one_pass.resolve())))
        return 0
    if args.base is None:
        parser.error("--base is required (or --one-pass TREE)")
    trees = {"base": args.base.resolve(), "new": args.code.resolve()}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for round_number in range(args.rounds):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for name in order:
            done = subprocess.run([sys.executable, __file__, str(args.inbox), "--one-pass", str(trees[name])],
                                  capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            if done.returncode:
                sys.stderr.write(done.stderr)
                return 1
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for stage in (*STAGES, "total"):
        base = [run[stage] for run in runs["base"]]
        new = [run[stage] for run in runs["new"]]
        change = 100 * (min(new) - min(base)) / min(base) if min(base) else 0.0
        print(f"{stage:8s} base min {min(base):.3f} median {statistics.median(base):.3f} | "
              f"new min {min(new):.3f} median {statistics.median(new):.3f} | min {change:+.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
