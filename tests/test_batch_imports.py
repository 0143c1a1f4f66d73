"""A batch never imports openpyxl, nor numpy and lxml, which openpyxl imports when present.

Importing them took ~0.1 s of every batch's process and of each worker.  The scored
forms are written as XML from the style template's compiled form, shipped as data
(writers/_style_template.py); openpyxl compiles only a template a bureau restyled
(tests/test_fast_writer.py).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEVER_IMPORTED = ("openpyxl", "numpy", "lxml")

#: Scores INBOX into OUTBOX in a fresh interpreter, then reports the statuses and which of the
#: packages named after them it imported.  The batch's worker is a fork, whose imports this
#: process cannot see: each file's task (process_entry) also runs here, as the worker runs it.
_BATCH = """
import json, sys
from pathlib import Path

import perfeval_xl
from perfeval_xl.inbox import list_inbox
from perfeval_xl.readers import ReadOptions
from perfeval_xl.rules import resolve_rules
from perfeval_xl.task import process_entry

inbox, outbox, packages = Path(sys.argv[1]), Path(sys.argv[2]), set(sys.argv[3:])
batch = perfeval_xl.score_folder(inbox, out=outbox / "batch", jobs=1)
tasks = [process_entry(entry, resolve_rules(None), outbox / "tasks", ReadOptions()) for entry in list_inbox(inbox)]
print(json.dumps({"statuses": [*batch.statuses.values(), *(task.status for task in tasks)],
                  "imported": sorted(packages & {name.split(".")[0] for name in sys.modules})}))
"""


def test_a_batch_of_project_and_department_workbooks_never_imports_openpyxl(tmp_path):
    import openpyxl

    done = subprocess.run([sys.executable, "-c", _BATCH, str(ROOT / "examples"), str(tmp_path), *NEVER_IMPORTED],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert set(report["statuses"]) == {"ok"}
    assert report["imported"] == []
    # The inbox holds project workbooks, and department ones whose scored form carries the F2
    # base data sheet: F2 and F3 in one workbook (written by the worker) and in two (paired and
    # written by the batch's process).
    sheets = [openpyxl.load_workbook(path).sheetnames for path in (tmp_path / "batch").rglob("*.scored.xlsx")]
    assert sum("基础数据表" in titles for titles in sheets) == 2
    assert sum("基础数据表" not in titles for titles in sheets) >= 5


def test_the_python_declared_is_one_the_package_runs_on():
    # setup.cfg and the README said 3.10, where `import perfeval_xl` fails: the readers' patterns use
    # possessive quantifiers (`[\w:]++`), scored_form.py a starred subscript (`measured[a, b, *roles]`),
    # the store hashlib.file_digest — all new in 3.11.
    import configparser
    import re

    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg", encoding="utf-8")
    declared = re.fullmatch(r">=\s*(\d+)\.(\d+)", setup["options"]["python_requires"].strip())
    minimum = (int(declared.group(1)), int(declared.group(2)))
    assert minimum >= (3, 11)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(Python ≥ {minimum[0]}.{minimum[1]})" in readme  # the quick start says what setup.cfg enforces
    assert sys.version_info[:2] >= minimum  # the interpreter running these tests is one it accepts
