"""Compare the batch outputs of two source trees over one inbox: a change must not change them.

    python bench/compare_outputs.py BASE_TREE NEW_TREE [INBOX] [JOBS]

e.g. BASE_TREE a ``git archive`` of the commit before the change, NEW_TREE this checkout.

Each tree runs score_folder(inbox, out=..., jobs=JOBS, default 2) in its own process (PYTHONPATH=tree;
jobs=1 is worth its own run: a batch's only worker leaves the summary records to the batch's process);
then summary.json (bytes), summary.csv (bytes), summary.xlsx (every cell's value and
style, row heights, column widths, merges of every sheet) and the scored results
(encode_file_result of batch.files) are compared.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path


def dump(inbox, out, results_path, jobs="2"):
    from perfeval_xl import score_folder
    from perfeval_xl._codec import encode_file_result
    batch = score_folder(Path(inbox), out=Path(out), jobs=int(jobs), formats=("xlsx", "json", "csv"))
    with open(results_path, "wb") as f:
        pickle.dump([encode_file_result(r) for r in batch.files], f)

def workbook_facts(path):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    facts = {}
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                cells.append((c.coordinate, c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill),
                              repr(c.alignment), repr(c.border)))
        facts[ws.title] = dict(
            cells=cells,
            heights={k: (v.height, v.customHeight) for k, v in ws.row_dimensions.items()},
            widths={k: v.width for k, v in ws.column_dimensions.items()},
            merged=sorted(map(str, ws.merged_cells.ranges)),
            cf=[(str(r.sqref), [(x.type, x.formula, x.operator, x.stopIfTrue, x.priority, repr(x.dxf.font), repr(x.dxf.fill)) for x in r.rules]) for r in ws.conditional_formatting], filter=ws.auto_filter.ref, freeze=ws.freeze_panes,
        )
    return facts

def main():
    if sys.argv[1] == "--dump":
        return dump(*sys.argv[2:6])
    base, new = sys.argv[1:3]
    inbox = sys.argv[3] if len(sys.argv) > 3 else "/tmp/pe-bench/inbox"
    jobs = sys.argv[4] if len(sys.argv) > 4 else "2"
    work = Path(tempfile.mkdtemp(prefix="pe-compare-"))
    for name, tree in (("base", base), ("new", new)):
        env = {**os.environ, "PYTHONPATH": tree}
        subprocess.run([sys.executable, __file__, "--dump", inbox, str(work / name / "out"),
                        str(work / name / "results.pkl"), jobs], check=True, env=env, cwd=tree)
    diffs = 0
    for fname in ("summary.json", "summary.csv"):
        a, b = ((work / n / "out" / fname).read_bytes() for n in ("base", "new"))
        print(fname, len(a), "identical" if a == b else "DIFFERENT")
        diffs += a != b
    ra, rb = (pickle.load(open(work / n / "results.pkl", "rb")) for n in ("base", "new"))
    bad = sum(x != y for x, y in zip(ra, rb)) + abs(len(ra) - len(rb))
    print("results", len(ra), "files,", bad, "different")
    diffs += bad
    fa, fb = (workbook_facts(work / n / "out" / "summary.xlsx") for n in ("base", "new"))
    for sheet in fa.keys() | fb.keys():
        sa, sb = fa.get(sheet), fb.get(sheet)
        if sa == sb:
            print("summary.xlsx", sheet, len(sa["cells"]), "cells identical")
            continue
        diffs += 1
        print("summary.xlsx", sheet, "DIFFERENT")
        if sa and sb:
            for key in sa:
                if sa[key] != sb[key]:
                    print("  ", key)
                    if key == "cells":
                        shown = 0
                        for x, y in zip(sa[key], sb[key]):
                            if x != y and shown < 5:
                                print("    ", x, "\n    ", y); shown += 1
    print("TOTAL DIFFERENCES:", diffs, "| work dir", work)
    sys.exit(1 if diffs else 0)

main()
