"""Does memory stay flat?  Peak RSS of one batch of N files against one of a few (issue 5).

    python bench/memory.py --large 10000 --small 100 [--between 1000,3000] [--keep DIR] [--distinct-texts] [--jobs K]

Generates (or, with ``--keep``, reuses) a corpus of ``--large`` workbooks as
``bench.py`` does, takes its first ``--small`` files as a second inbox
(symbolic links, nothing copied), and scores each inbox with
``score_folder(jobs=K)`` in a fresh child process, sampling the RSS of the
whole process tree every 10 ms as ``bench.py`` does.  Prints, for each, the
peak of the parent, of the largest worker and of the tree, and the
difference.  The issue's goal: 10,000 forms need no more memory than 100.
``--between`` also scores the first K files for each K listed, to show where
the growth happens (the bounded memos and caches of a worker fill within its
first thousand or so forms; what grows after that grows with the batch).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402  (bench/ is not a package)


def first_files(inbox: Path, count: int, target: Path) -> Path:
    """An inbox of the first ``count`` workbooks of ``inbox`` (in bench order), as symbolic links."""
    if target.exists():
        bench.set_aside(target)
    for path in bench._workbooks(inbox)[:count]:
        link = target / path.relative_to(inbox)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=int, default=10_000, help="files in the large batch (default 10000)")
    parser.add_argument("--small", type=int, default=100, help="files in the small batch (default 100)")
    parser.add_argument("--between", default="",
                        help="also score the first K files for each K of this comma-separated list")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--distinct-texts", action="store_true",
                        help="make the words units write themselves almost all different (see corpus.py)")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (the corpus is reused when it matches)")
    parser.add_argument("--code", type=Path, help="measure the perfeval-xl source tree in CODE instead of this one")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not 0 < args.small < args.large:
        parser.error("--small must be at least 1 and below --large")
    try:
        between = sorted({int(size) for size in args.between.split(",") if size.strip()})
    except ValueError:
        parser.error("--between takes whole numbers separated by commas, e.g. 1000,3000")
    if any(not args.small < size < args.large for size in between):
        parser.error("every size of --between must lie between --small and --large")

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="perfeval-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        inbox = work / "inbox"
        bench.make_corpus(inbox, args.large, args.seed, args.distinct_texts)
        inboxes = {size: first_files(inbox, size, work / f"first-{size}") for size in (args.small, *between)}
        inboxes[args.large] = inbox
        rows = {}
        for count, folder in inboxes.items():
            print(f"scoring {count} files, jobs={args.jobs} …", flush=True)
            phase = "jobs1" if args.jobs == 1 else "jobsall"
            result = bench.measure(phase, folder, work / f"out-{count}", args.jobs, args.code)
            rows[count] = {"wall": result["wall"], "files": result["files"],
                           "parent_mb": result["maxrss_self_kb"] / 1024,
                           "largest_worker_mb": result["maxrss_children_kb"] / 1024,
                           "tree_mb": result["peak_tree_mb"],
                           "parent_at_tree_peak_mb": result["parent_at_peak_mb"]}
        print()
        print(report(rows, args))
        if args.json:
            args.json.write_text(json.dumps({"machine": bench.machine(), "jobs": args.jobs, "seed": args.seed,
                                             "distinct_texts": args.distinct_texts, "batches": rows}, indent=2))
    finally:
        shutil.rmtree(work / bench.TRASH, ignore_errors=True)  # only now: see bench.set_aside
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(rows: dict[int, dict], args) -> str:
    small, large = rows[args.small], rows[args.large]
    texts = ", distinct texts" if args.distinct_texts else ""
    lines = [f"peak RSS of score_folder(jobs={args.jobs}){texts}, MB (parent@tree: the batch's process when the tree peaked)",
             f"{'files':>8} {'parent':>8} {'worker':>8} {'tree':>8} {'parent@tree':>12} {'wall s':>8}"]

    def at_peak(row: dict) -> str:
        return "-" if row["parent_at_tree_peak_mb"] is None else f"{row['parent_at_tree_peak_mb']:.1f}"

    for count, row in rows.items():
        lines.append(f"{count:>8} {row['parent_mb']:8.1f} {row['largest_worker_mb']:8.1f} {row['tree_mb']:8.1f} "
                     f"{at_peak(row):>12} {row['wall']:8.1f}")
    growth = {key: large[key] - small[key] for key in ("parent_mb", "largest_worker_mb", "tree_mb")}
    split = "-" if small["parent_at_tree_peak_mb"] is None else \
        f"{large['parent_at_tree_peak_mb'] - small['parent_at_tree_peak_mb']:+.1f}"
    lines.append(f"{'growth':>8} {growth['parent_mb']:+8.1f} {growth['largest_worker_mb']:+8.1f} "
                 f"{growth['tree_mb']:+8.1f} {split:>12}   ({growth['tree_mb'] / small['tree_mb']:+.0%} of the tree; "
                 "goal: none)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
