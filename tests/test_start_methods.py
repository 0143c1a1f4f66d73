"""A batch scores alike however its workers start.

Linux forks them; Windows and macOS start each one as a fresh interpreter (spawn), which imports
perfeval-xl anew and is handed the rulebooks and options by pickling.  Fork is what runs here,
so spawn and forkserver are run on purpose.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import perfeval_xl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

_BATCH = """
import multiprocessing, sys
if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    import perfeval_xl
    batch = perfeval_xl.score_folder(sys.argv[2], out=sys.argv[3], jobs=2)
    sys.exit(batch.exit_code)
"""


def _scored_sheets(outbox: Path) -> dict[str, bytes]:
    """Every scored workbook's parts but docProps/core.xml, which holds the time it was written."""
    return {f"{path.relative_to(outbox)}:{name}": book.read(name)
            for path in sorted(outbox.rglob("*.scored.xlsx"))
            for book in [zipfile.ZipFile(path)] for name in book.namelist() if name != "docProps/core.xml"}


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_started_afresh_give_the_outputs_forked_ones_give(tmp_path, method):
    forked = tmp_path / "fork"
    perfeval_xl.score_folder(EXAMPLES, out=forked, jobs=2)
    started = tmp_path / method
    run = subprocess.run([sys.executable, "-c", _BATCH, method, str(EXAMPLES), str(started)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (started / "summary.json").read_bytes() == (forked / "summary.json").read_bytes()
    assert _scored_sheets(started) == _scored_sheets(forked) and len(_scored_sheets(forked)) > 10


_UNGUARDED_SCRIPT = """
import multiprocessing, sys
multiprocessing.set_start_method(sys.argv[1], force=True)
import perfeval_xl
try:
    batch = perfeval_xl.score_folder(sys.argv[2], jobs=1)
    print("exit", batch.exit_code, [file.error for file in batch.files])
except perfeval_xl.PerfevalError as exc:
    print("PerfevalError", exc)
"""


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_script_without_a_main_guard_is_told_so_not_that_its_files_are_damaged(tmp_path, method):
    # Each worker started afresh runs the script again, and dies calling score_folder while it
    # starts: every good file was reported "读取该文件时程序异常退出（文件可能已损坏…）".
    script = tmp_path / "评分.py"
    script.write_text(_UNGUARDED_SCRIPT, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), method, str(EXAMPLES / "城管局")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.stdout.startswith("PerfevalError 评分工作进程一启动就退出，没有评分任何文件"), run.stdout + run.stderr
    assert 'if __name__ == "__main__": 之下' in run.stdout and "已损坏" not in run.stdout
