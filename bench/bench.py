"""Benchmark score_folder against a naive openpyxl script and a floor (issue 5).

    python bench/bench.py --n 1000 [--no-jobs-all] [--keep DIR] [--seed 2024] [--distinct-texts] [--rounds 3]
    python bench/bench.py --n 200 --profile          # pyinstrument of jobs=1

Writes N realistic workbooks (see corpus.py; not timed), then measures, in one
run and on the same files, each phase in a fresh child process:

  baseline  naive.py: openpyxl load_workbook(data_only=True) + save a filled copy
  floor     python-calamine reads every sheet of every file + shutil.copy of the
            scored-form template once per file (the least any tool must do)
  jobs=1    perfeval_xl.score_folder(inbox, out=..., jobs=1): read, score, write
            every scored form, summary.xlsx and summary.json
  jobs=K    the same with jobs=os.cpu_count()
  rerun     jobs=1 into an outbox that already holds all but 10 of the files:
            the cost of dropping ten new files into a scored inbox

Wall time is timed inside the child around the work only (imports done before).
``--rounds R`` runs the timed phases R times, each round in the reverse order of
the one before (baseline, floor, jobs=1, jobs=K, then jobs=K, jobs=1, floor,
baseline, ...): on a shared machine whose speed drifts by a third from minute to
minute, one baseline and one jobs=1 run minutes apart give a ratio that is as
much the machine as the code.  Each round's ratios are printed, and the table
shows the median round's wall time of each phase.
Peak RSS is the largest sum of RSS over the child and all its descendants
(worker processes included), sampled every 10 ms from /proc (psutil off Linux); "max proc" is the
largest single process (getrusage ru_maxrss).

Before each perfeval-xl phase, the cost of creating a file in the work folder is
timed and reported: perfeval-xl writes a file per input in a few milliseconds,
the baseline in thirty, so a disk that creates files slowly (on this machine's
ext4, for minutes after many files were deleted) makes its ratios pessimistic.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))

PHASES = ("baseline", "floor", "jobs1", "jobsall", "rerun")
RERUN_NEW = 10  # files dropped into an already scored inbox in the "rerun" phase
#: Files :func:`creation_cost` creates to time it.
PROBE_FILES = 200
#: Milliseconds to create a file above which the report warns: on a quiet disk here it takes
#: 0.02 ms; right after many deletions, 0.14–0.32 ms, which at 1,000 outputs slowed a jobs=1 run
#: by 4–10 % and the baseline by under 1 % (see bench/HISTORY.md).
SLOW_CREATION_MS = 0.06


# -- phases (run in a child process) ---------------------------------------------------------


def _workbooks(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.is_file() and p.name.lower().endswith((".xlsx", ".xlsm", ".xls")))


def run_phase(name: str, inbox: Path, out: Path, jobs: int) -> dict:
    """Do one phase's work; return its wall time and what it produced."""
    if name == "baseline":
        import naive

        start = time.perf_counter()
        written = naive.fill_folder(inbox, out)
        wall = time.perf_counter() - start
        return {"wall": wall, "files": written}
    if name == "floor":
        from python_calamine import CalamineWorkbook

        from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

        template = template_path(SCORED_FORM_STYLE)
        start = time.perf_counter()
        files = _workbooks(inbox)
        cells = 0
        for path in files:
            book = CalamineWorkbook.from_path(str(path))
            for sheet_name in book.sheet_names:
                rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
                cells += sum(len(row) for row in rows)
            target = out / path.relative_to(inbox).with_suffix(".scored.xlsx")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(template, target)
        wall = time.perf_counter() - start
        return {"wall": wall, "files": len(files), "cells": cells}
    import perfeval_xl
    import perfeval_xl.writers  # noqa: F401  (imported by the CLI before any work, too)

    if name == "rerun":
        return _rerun(perfeval_xl, inbox, out, jobs)
    start = time.perf_counter()
    batch = perfeval_xl.score_folder(inbox, out=out, jobs=jobs)
    wall = time.perf_counter() - start
    # Not batch.forms: with a result store that reads every result back into memory,
    # which would count in this phase's peak RSS.
    return {"wall": wall, "files": len(batch.files), "failed": len(batch.failed), "exit_code": batch.exit_code}


def _rerun(perfeval_xl, inbox: Path, out: Path, jobs: int) -> dict:
    """Score all but the last RERUN_NEW files (not timed), add those, and time the second run.

    The inbox of this phase links to the corpus files, so nothing is copied.
    """
    files = _workbooks(inbox)
    linked = out / "inbox"
    for path in files[:-RERUN_NEW]:
        _link(path, linked / path.relative_to(inbox))
    perfeval_xl.score_folder(linked, out=out / "outbox", jobs=jobs)
    for path in files[-RERUN_NEW:]:
        _link(path, linked / path.relative_to(inbox))
    start = time.perf_counter()
    batch = perfeval_xl.score_folder(linked, out=out / "outbox", jobs=jobs)
    wall = time.perf_counter() - start
    return {"wall": wall, "files": len(batch.statuses), "reused": batch.reused,
            "failed": list(batch.statuses.values()).count("error"), "exit_code": batch.exit_code}


def _link(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(path)


def _child_main(args) -> None:
    import resource

    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))

    result = run_phase(args.phase, Path(args.inbox), Path(args.out), args.jobs)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["maxrss_self_kb"] = own.ru_maxrss
    result["maxrss_children_kb"] = children.ru_maxrss
    # CPU of this process and its workers, imports included: the work a wall time hides when
    # the parent and a worker run side by side (jobs=1 is one worker plus the parent).
    result["cpu_s"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print("RESULT " + json.dumps(result), flush=True)


# -- the driver ------------------------------------------------------------------------------


TRASH = ".trash"


def set_aside(out: Path) -> None:
    """Move ``out`` (an earlier run's outputs, or a corpus being replaced) out of the way, to be
    deleted once every phase is done.

    Why not delete it now: on a file system that frees inodes lazily, each
    file deleted in the last minutes slows the creation of every new file.
    This machine's ext4 has no journal, so its inode allocator skips every
    inode freed in the last 60–360 s, one lookup each (``recently_deleted``):
    right after thousands of deletions, creating a file took 0.2–0.7 ms,
    against 0.006 ms on tmpfs, and a phase would pay for the one before it.
    (A run started within minutes of another one's clean-up still pays.)
    """
    if out.exists():
        trash = out.parent / TRASH
        trash.mkdir(exist_ok=True)
        out.rename(trash / f"{out.name}-{time.time_ns()}")


#: Linux lists each thread's children in /proc (3.5+): the tree is read without scanning every process.
_PROC_CHILDREN = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _proc_tree_rss(root: int, parts: dict[int, int] | None = None) -> int:
    """The RSS of ``root`` and all its descendants, in bytes, read from /proc; with ``parts``, each
    process's RSS is also put there by pid.

    Why not psutil: ``Process.children`` scans every process of the machine, and a sample cost
    0.94 ms of CPU, every 10 ms: a tenth of a core on a 2-core machine, taken beside the
    phase it measures (a jobs=1 batch is two busy processes).  This reads the same numbers
    (``statm``, as psutil does) in 0.05 ms.
    """
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                rss = int(statm.read().split()[1]) * _PAGE
            total += rss
            if parts is not None:
                parts[pid] = rss
            for thread in os.listdir(f"/proc/{pid}/task"):  # a worker may be forked by any thread
                with open(f"/proc/{pid}/task/{thread}/children", "rb") as children:
                    stack.extend(map(int, children.read().split()))
        except (OSError, ValueError):  # gone meanwhile
            continue
    return total


def _psutil_tree_rss(root: int) -> int:
    import psutil

    total = 0
    try:
        process = psutil.Process(root)
        for proc in (process, *process.children(recursive=True)):
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def measure(phase: str, inbox: Path, out: Path, jobs: int, code: Path | None = None) -> dict:
    """Run ``phase`` in a child process, sampling the RSS of its whole process tree."""
    set_aside(out)
    out.mkdir(parents=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase,
               "--inbox", str(inbox), "--out", str(out), "--jobs", str(jobs)]
    if code is not None:
        command += ["--code", str(code)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    # The tree's peak, and the batch's own process then: its workers' RSS and its own move apart
    # from run to run, and the tree's total alone hid the batch's process growing with the files.
    peak = parent_at_peak = 0
    while child.poll() is None:
        parts: dict[int, int] = {}
        total = _proc_tree_rss(child.pid, parts) if _PROC_CHILDREN else _psutil_tree_rss(child.pid)
        if total > peak:
            peak, parent_at_peak = total, parts.get(child.pid, 0)
        time.sleep(0.01)
    stdout = child.stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"phase {phase} failed (exit {child.returncode})")
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["peak_tree_mb"] = peak / 2**20
    result["parent_at_peak_mb"] = parent_at_peak / 2**20 if _PROC_CHILDREN else None  # psutil: not split
    result["max_proc_mb"] = max(result["maxrss_self_kb"], result["maxrss_children_kb"]) / 1024
    return result


def creation_cost(folder: Path) -> float:
    """Milliseconds to create a file of 5 KB and rename it, in a new folder under ``folder`` (as
    perfeval-xl writes each scored form): the median of :data:`PROBE_FILES`.  The files go to the
    trash with the phases' old outputs."""
    probe = folder / f"probe-{time.time_ns()}"
    probe.mkdir(parents=True)
    data = b"x" * 5000
    times = []
    for number in range(PROBE_FILES):
        temp, target = probe / f"{number}.tmp", probe / f"{number}.xlsx"
        start = time.perf_counter()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.write(fd, data)
        os.close(fd)
        os.replace(temp, target)
        times.append(time.perf_counter() - start)
    set_aside(probe)
    return 1000 * statistics.median(times)


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "arch": platform.machine(), "cpu": model,
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}",
            "date": _dt.date.today().isoformat()}


def make_corpus(inbox: Path, n: int, seed: int, distinct_texts: bool = False) -> None:
    """Generate the inbox unless the same one (n, seed, texts) is already there (--keep)."""
    import corpus

    stamp = inbox.parent / "corpus.json"
    wanted = {"n": n, "seed": seed}
    if distinct_texts:  # only then: a stamp of an earlier corpus still matches the same files
        wanted["distinct_texts"] = True
    if inbox.is_dir() and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        print(f"reusing {n} workbooks in {inbox}", flush=True)
        return
    set_aside(inbox)
    start = time.perf_counter()
    corpus.make_inbox(inbox, n, seed, workers=os.cpu_count() or 1, distinct_texts=distinct_texts)
    stamp.write_text(json.dumps(wanted))
    print(f"generated {n} workbooks in {time.perf_counter() - start:.1f} s (not timed)", flush=True)


def profile(inbox: Path, out: Path) -> Path:
    """pyinstrument of score_folder(jobs=1), and of the per-file work in this process.

    score_folder may hand files to worker processes, which a profiler of this
    process does not see; the second profile runs ``task.process_entry`` (a
    worker's whole task: read, score, write the outputs, prepare the
    summary record) on every file right here.  Both text reports
    are printed and saved beside the inbox (profile.txt, profile-files.txt, and .html).
    """
    from pyinstrument import Profiler

    import perfeval_xl
    import perfeval_xl.writers  # noqa: F401
    from perfeval_xl import task
    from perfeval_xl.inbox import list_inbox
    from perfeval_xl.readers import ReadOptions
    from perfeval_xl.rules import resolve_rules

    reports = []
    for name, work in (("profile", lambda: perfeval_xl.score_folder(inbox, out=out, jobs=1)),
                       ("profile-files", lambda: _process_entries(task, list_inbox(inbox), resolve_rules(None), out,
                                                                  ReadOptions()))):
        set_aside(out)
        out.mkdir(parents=True)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        work()
        profiler.stop()
        text = profiler.output_text(unicode=True, color=False, show_all=False)
        report = inbox.parent / f"{name}.txt"
        report.write_text(text)
        (inbox.parent / f"{name}.html").write_text(profiler.output_html())
        print(f"== {name} ==")
        print(text)
        reports.append(report)
    return reports[0]


def _process_entries(task, entries, rules, out: Path, read) -> None:
    for entry in entries:
        task.process_entry(entry, rules, out, read)


def median_rows(rounds: list[dict[str, dict]], phases: list[str]) -> dict[str, dict]:
    """Each phase's row from the round of its median wall time (the lower median for an even count)."""
    rows = {}
    for phase in phases:
        runs = sorted((round_rows[phase] for round_rows in rounds if phase in round_rows), key=lambda row: row["wall"])
        if runs:
            rows[phase] = runs[(len(runs) - 1) // 2]
    return rows


def round_ratios(rounds: list[dict[str, dict]]) -> str:
    """jobs=1 / baseline (and jobs=K / baseline) of each round: phases run minutes apart, not days."""
    lines = []
    for phase, label in (("jobs1", "jobs=1 / baseline"), ("jobsall", "jobs=K / baseline")):
        ratios = [rows[phase]["wall"] / rows["baseline"]["wall"] for rows in rounds
                  if phase in rows and "baseline" in rows]
        if ratios:
            lines.append(f"{label} by round: {', '.join(f'{r:.3f}' for r in ratios)}; "
                         f"median {statistics.median(ratios):.3f}, best {min(ratios):.3f}")
    return "\n".join(lines)


def creation_line(rounds: list[dict[str, dict]]) -> str:
    """What creating a file cost before each perfeval-xl phase, and a warning when the disk was slow."""
    costs = [row["create_file_ms"] for rows in rounds for row in rows.values() if "create_file_ms" in row]
    if not costs:
        return ""
    line = f"creating a file in the work folder, before each perfeval-xl run: {', '.join(f'{c:.3f}' for c in costs)} ms"
    if max(costs) > SLOW_CREATION_MS:
        line += (f"\nWARNING creating a file cost up to {max(costs):.2f} ms (a quiet disk here: 0.02 ms; many files "
                 f"deleted on this disk in the last minutes?): perfeval-xl writes a file per input, so its ratios "
                 f"are pessimistic. Wait some minutes and run again.")
    return line


def report(rows: dict[str, dict], info: dict, n: int, cpu_jobs: int, distinct_texts: bool = False) -> str:
    labels = {"baseline": "baseline (openpyxl load+save)", "floor": "floor (calamine read + copy)",
              "jobs1": "perfeval-xl jobs=1", "jobsall": f"perfeval-xl jobs={cpu_jobs}",
              "rerun": f"rerun, {RERUN_NEW} new files, jobs=1"}
    lines = [f"machine: {info['cores']} cores, {info['arch']}, {info['cpu'] or 'cpu ?'}, "
             f"Python {info['python']}, {info['system']}, {info['date']}",
             f"N = {n} workbooks" + (", distinct texts" if distinct_texts else ""), "",
             f"{'phase':<32}{'wall s':>9}{'files/s':>10}{'ms/file':>9}{'cpu s':>8}{'peak RSS MB':>13}"
             f"{'max proc MB':>13}"]
    for phase, row in rows.items():
        if phase == "rerun":  # a different measure: reported on its own line below
            continue
        per_second = row["files"] / row["wall"] if row["wall"] else float("inf")
        lines.append(f"{labels[phase]:<32}{row['wall']:>9.2f}{per_second:>10.1f}{1000 * row['wall'] / row['files']:>9.2f}"
                     f"{row.get('cpu_s', float('nan')):>8.2f}{row['peak_tree_mb']:>13.0f}{row['max_proc_mb']:>13.0f}")
    lines.append("")
    for phase in ("jobs1", "jobsall"):
        if phase not in rows:
            continue
        for reference, goal in (("baseline", "goal ≤ 0.10"), ("floor", "aim ≤ 5")):
            if reference in rows:
                ratio = rows[phase]["wall"] / rows[reference]["wall"]
                lines.append(f"{labels[phase]} / {reference}: {ratio:.3f}  ({goal})")
    if "rerun" in rows:
        row = rows["rerun"]
        lines.append(f"{labels['rerun']}: {row['reused']} of {row['files']} files reused, {row['wall']:.2f} s")
    for phase in ("jobs1", "jobsall", "rerun"):
        row = rows.get(phase)
        if row and (row.get("failed") or row.get("files") != n):
            lines.append(f"WARNING {labels[phase]}: {row.get('failed')} failed, {row.get('files')} files")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of workbooks (default 1000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--distinct-texts", action="store_true",
                        help="make the words units write themselves almost all different, as in real forms")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (inbox reused when N and seed match)")
    parser.add_argument("--jobs-all", dest="jobs_all", action="store_true", default=True,
                        help="also measure jobs=os.cpu_count() (default)")
    parser.add_argument("--no-jobs-all", dest="jobs_all", action="store_false")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)}")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the timed phases this many times, alternating their order (default 1)")
    parser.add_argument("--profile", action="store_true", help="profile score_folder(jobs=1) with pyinstrument instead")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--code", type=Path,
                        help="measure the perfeval-xl source tree in CODE (e.g. an older checkout) instead of this one")
    # internal: run one phase in this (child) process
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--inbox", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        _child_main(args)
        return

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="perfeval-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    inbox = work / "inbox"
    try:
        make_corpus(inbox, args.n, args.seed, args.distinct_texts)
        if args.profile:
            profile(inbox, work / "out-profile")
            return
        cpu_jobs = os.cpu_count() or 1
        phases = [p.strip() for p in args.phases.split(",") if p.strip()]
        if not args.jobs_all and "jobsall" in phases:
            phases.remove("jobsall")
        rounds = []
        for number in range(args.rounds):
            # The rerun phase measures a different thing (ten new files), once is enough.
            order = [p for p in phases if p != "rerun" or number == 0]
            if number % 2:
                order.reverse()
            rows = {}
            for phase in order:
                print(f"measuring {phase} …" + (f" (round {number + 1} of {args.rounds})" if args.rounds > 1 else ""),
                      flush=True)
                creation_ms = creation_cost(work) if phase in ("jobs1", "jobsall") else None
                rows[phase] = measure(phase, inbox, work / f"out-{phase}", cpu_jobs if phase == "jobsall" else 1,
                                      args.code)
                if creation_ms is not None:
                    rows[phase]["create_file_ms"] = creation_ms
            rounds.append(rows)
        rows = median_rows(rounds, phases)
        info = machine()
        text = report(rows, info, args.n, cpu_jobs, args.distinct_texts)
        if len(rounds) > 1:
            text += "\n" + round_ratios(rounds)
        text += "\n" + creation_line(rounds)
        if args.code:
            text = f"perfeval-xl from {args.code.resolve()}\n" + text
        print()
        print(text)
        if args.json:
            args.json.write_text(json.dumps({"machine": info, "n": args.n, "seed": args.seed,
                                            "distinct_texts": args.distinct_texts, "phases": rows,
                                            "rounds": rounds},
                                            ensure_ascii=False, indent=2))
    finally:
        # Deleted only now, after every phase: see set_aside.
        shutil.rmtree(work / TRASH, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
