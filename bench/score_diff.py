"""Which forms does a change score differently?  Every workbook under PATHS scored by two source trees.

    python bench/score_diff.py BASE_TREE NEW_TREE PATH [PATH ...] [--json FILE]

e.g. BASE_TREE a ``git archive`` of the commit before a reading or scoring change, NEW_TREE this
checkout, PATHS the audits' and the corpora's folders.  Each tree scores every workbook (``.xlsx``,
``.xlsm``, ``.xls``, found recursively; one copy of files with the same bytes) with
``score_workbook`` in its own process; then every form whose total, grade or any item's score
changed is printed with each changed item's 评分依据 before and after, and so is every file that
fails in one tree only or whose forms differ.  ``compare_outputs.py`` checks that a change leaves a
batch's outputs byte for byte; this one is for a change meant to move scores, to read what it
moved — the review of today's reading fixes over 15,078 workbooks found 29 misreadings that the
tests had not.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SUFFIXES = (".xlsx", ".xlsm", ".xls")


def dump(tree: str, list_file: str, out_file: str) -> None:
    """In a child process: score each listed workbook with ``tree``, one JSON line per file."""
    import perfeval_xl
    from perfeval_xl import score_workbook

    if not Path(perfeval_xl.__file__).resolve().is_relative_to(Path(tree).resolve()):
        raise SystemExit(f"perfeval_xl came from {perfeval_xl.__file__}, not from {tree}")
    with open(out_file, "w", encoding="utf-8") as out:
        for path in json.loads(Path(list_file).read_text(encoding="utf-8")):  # JSON: a name may hold a newline
            record: dict = {"file": path}
            try:
                result = score_workbook(path)
                record["forms"] = [{
                    "name": form.name, "total": str(form.total), "grade": form.grade,
                    "items": [[item.name, str(item.score), item.basis] for item in form.items],
                } for form in result.forms]
            except Exception as error:  # noqa: BLE001  (a file that fails is a result too)
                record["error"] = f"{type(error).__name__}: {str(error)[:200]}"
            out.write(json.dumps(record) + "\n")
            out.flush()  # a file that kills the process must not take the lines before it along


def workbooks(paths: list[Path]) -> list[str]:
    """Every workbook under ``paths``, one per content (the first path found of equal bytes)."""
    seen: set[str] = set()
    found = []
    for root in paths:
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES)
        for path in candidates:
            if not path.is_file() or path.name.startswith("~$"):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                found.append(str(path))
    return found


def scored(tree: Path, listed: Path, work: Path) -> dict[str, dict]:
    """Each listed workbook's record as ``tree`` scores it.  A file that kills the scoring process
    (an older tree's parser aborting on a hostile file) is recorded as that, and the rest is scored
    in a new process: one such file no longer ended the whole comparison."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    remaining = json.loads(listed.read_text(encoding="utf-8"))
    records: dict[str, dict] = {}
    while remaining:
        part = work / f"list-{len(list(work.iterdir()))}.json"
        part.write_text(json.dumps(remaining), encoding="utf-8")
        out = work / f"{tree.name or 'tree'}-{os.getpid()}-{len(list(work.iterdir()))}.jsonl"
        done = subprocess.run([sys.executable, __file__, "--dump", str(tree), str(part), str(out)], env=env)
        lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
        for record in map(json.loads, lines):
            records[record["file"]] = record
        if done.returncode == 0:
            break
        crashed = remaining[len(lines)]  # the dump writes a line per file, in order
        records[crashed] = {"file": crashed, "error": f"the scoring process died (exit {done.returncode})"}
        print(f"{tree}: the process died on {crashed!r}; going on after it", file=sys.stderr)
        remaining = remaining[len(lines) + 1:]
    return records


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[dict]:
    """Each file whose results differ: its error in either tree, or each changed form and item."""
    found = []
    for path, old in before.items():
        new = after[path]
        if "error" in old or "error" in new:
            if old.get("error") != new.get("error") and not ("error" in old and "error" in new):
                found.append({"file": path, "before": old.get("error") or _totals(old),
                              "after": new.get("error") or _totals(new)})
            continue
        if [form["name"] for form in old["forms"]] != [form["name"] for form in new["forms"]]:
            found.append({"file": path, "before": _totals(old), "after": _totals(new)})
            continue
        for old_form, new_form in zip(old["forms"], new["forms"]):
            old_items = {name: (score, basis) for name, score, basis in old_form["items"]}
            new_items = {name: (score, basis) for name, score, basis in new_form["items"]}
            items = [{"item": name, "before": old_items.get(name), "after": new_items.get(name)}
                     for name in {**old_items, **new_items}
                     if (old_items.get(name) or (None,))[0] != (new_items.get(name) or (None,))[0]]
            if items or old_form["total"] != new_form["total"] or old_form["grade"] != new_form["grade"]:
                found.append({"file": path, "form": old_form["name"],
                              "before": f"{old_form['total']} {old_form['grade']}",
                              "after": f"{new_form['total']} {new_form['grade']}", "items": items})
    return found


def _totals(record: dict) -> list[str]:
    return [f"{form['name']} {form['total']}" for form in record.get("forms", [])]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--dump"]:
        dump(*argv[1:4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="the source tree before the change")
    parser.add_argument("new", type=Path, help="the source tree after it")
    parser.add_argument("paths", type=Path, nargs="+", help="workbooks, or folders searched recursively")
    parser.add_argument("--json", type=Path, help="also write the differences as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="perfeval-score-diff-") as folder:
        work = Path(folder)
        listed = work / "workbooks.json"
        paths = workbooks(args.paths)
        listed.write_text(json.dumps(paths), encoding="utf-8")  # ASCII escapes: a name that is not UTF-8 round-trips
        before, after = scored(args.base.resolve(), listed, work), scored(args.new.resolve(), listed, work)
    found = differences(before, after)
    for change in found:
        where = f"{change['file']}" + (f" › {change['form']}" if "form" in change else "")
        print(f"{where}: {change['before']} → {change['after']}")
        for item in change.get("items", []):
            old, new = item["before"] or ("—", ""), item["after"] or ("—", "")
            print(f"    {item['item']}: {old[0]} {old[1]}  →  {new[0]} {new[1]}")
    failing = sum(1 for path in paths if "error" in before[path] and "error" in after[path])
    print(f"{len(paths)} workbooks ({failing} fail in both), {len(found)} with different results")
    if args.json:
        args.json.write_text(json.dumps(found, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
