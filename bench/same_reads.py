"""Do two source trees read every workbook of an inbox the same?

    python bench/same_reads.py INBOX --base /path/to/other/tree [--code .]

Reads each workbook with ``read_workbook`` of both trees (each tree in its own
process, each file in a forked child with the worker's address-space limit, so
a file that kills the parser is an outcome too) and compares the ``repr`` of
what comes back, or the error message.  Prints the files that differ; exits 1
when any does.  For changes meant to leave reading exactly as it was.
"""
from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--base", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--code", type=Path, default=HERE.parent, help="the tree under test")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        outcomes = []
        for index, tree in enumerate((args.base, args.code)):
            out = Path(work) / f"{index}.pickle"
            env = dict(os.environ, PYTHONPATH=str(tree.resolve()))
            subprocess.run([sys.executable, __file__, "--dump", str(args.inbox), str(out)], env=env, check=True,
                           stderr=subprocess.DEVNULL)  # Why quiet: a Rust panic prints a long backtrace
            outcomes.append(pickle.loads(out.read_bytes()))
    base, code = outcomes
    differ = sorted(name for name in base.keys() | code.keys() if base.get(name) != code.get(name))
    for name in differ[:20]:
        print(f"{name}\n  base: {str(base.get(name))[:300]}\n  code: {str(code.get(name))[:300]}")
    failed = sum(1 for outcome in base.values() if outcome[0] != "ok")
    print(f"{len(base)} workbooks ({failed} not read), {len(differ)} differences")
    return 1 if differ else 0


def dump(inbox: Path, out: Path) -> None:
    """Each workbook's outcome with the tree on sys.path: ("ok", repr) / ("error", message) / …"""
    import resource

    import msoffcrypto  # noqa: F401  (loaded once, before forking)
    from perfeval_xl.errors import WorkbookError
    from perfeval_xl.inbox import list_inbox
    from perfeval_xl.readers import ReadLimits, read_workbook

    outcomes = {}
    for entry in list_inbox(inbox):
        if entry.skip_reason:
            continue
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            resource.setrlimit(resource.RLIMIT_AS, (ReadLimits().max_worker_memory, resource.RLIM_INFINITY))
            try:
                outcome = ("ok", repr(read_workbook(entry.path, name=entry.relative, data=entry.path.read_bytes())))
            except WorkbookError as exc:
                outcome = ("error", str(exc))
            except BaseException as exc:  # noqa: BLE001  (any escape is an outcome to compare)
                outcome = ("raised", f"{type(exc).__name__}: {exc}")
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(outcome))
            os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        outcomes[entry.relative] = pickle.loads(data) if data else ("died", str(status))
    out.write_bytes(pickle.dumps(outcomes))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dump"]:
        dump(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(main())
