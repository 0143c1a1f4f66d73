"""summary.json: the batch outcome for other tools.

Shape (extra keys may be added, none removed)::

    {"rulebook": str,
     "files": [{"file": str, "status": "ok"|"error"|"skipped", "error": str|null,
                "forms": [{"sheet", "kind", "name", "total", "self_total", "grade",
                           "flags": [str],
                           "items": [{"level1", "level2", "name", "weight", "score",
                                      "self_score", "basis", "flags": [str]}]}]}]}

Numbers are JSON numbers rounded half-up to 2 places; absent numbers are null.
A batch builds it with :class:`~.summary_spool.SummarySpool`, one file entry at a
time; ``rank`` is each form's rank by engine total (projects and departments
ranked apart).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, TextIO

from ..model import FileResult, Flag, FormResult, ItemScore
from ._display import amount, display_name
from ._summary_rows import file_action, flag_action, issues


def summary_dict(files: list[FileResult], rulebook: str) -> dict[str, Any]:
    """The whole summary.json as a dict (holds it all in memory: for small batches and tests)."""
    from .summary_spool import spooled

    with spooled(files) as (spool, order):
        return {"rulebook": rulebook, "files": list(spool.file_entries(order))}


def write_summary_json(files: list[FileResult], path: Path, rulebook: str) -> None:
    """summary.json for a list of results; a batch streams it with :class:`SummarySpool` instead."""
    from .summary_spool import spooled

    with spooled(files) as (spool, order):
        spool.write_json(path, rulebook, order)


def write_json_stream(out: TextIO, rulebook: str, entries: Iterable[dict[str, Any]]) -> None:
    """Write ``{"rulebook", "files": [...]}`` one file entry at a time.

    The text is exactly ``json.dumps(summary, ensure_ascii=False, indent=1)``
    followed by a newline, without ever holding more than one entry.
    """
    out.write('{\n "rulebook": ' + json.dumps(rulebook, ensure_ascii=False) + ',\n "files": [')
    empty = True
    for entry in entries:
        text = json.dumps(entry, ensure_ascii=False, indent=1)
        # Nested two levels deep: every line two spaces in (JSON text has no raw newline inside a string).
        out.write(("\n" if empty else ",\n") + "\n".join("  " + line for line in text.split("\n")))
        empty = False
    out.write("]\n}\n" if empty else "\n ]\n}\n")


def file_entry(file: FileResult) -> dict[str, Any]:
    """The summary.json entry of one file; every form's ``rank`` is None until the batch is ranked."""
    return {
        "file": file.file,
        "status": file.status,
        "error": file.error,
        "output": file.output,
        "reports": list(file.reports),
        "forms": [_form_entry(result, None) for result in file.forms],
        # Extras.
        "action": file_action(file) if file.status != "ok" else None,  # 处理建议 for a file that gave no form
    }


def _form_entry(result: FormResult, rank: int | None) -> dict[str, Any]:
    form = result.form
    return {
        "sheet": form.sheet,
        "kind": form.kind,
        "name": display_name(form),
        "total": amount(result.total),
        "self_total": amount(result.self_total),
        "grade": result.grade,
        "flags": [str(flag) for flag in result.flags],
        "items": [_item_entry(item) for item in result.items],
        # Extras.
        "department": form.department,
        "unit": form.unit,
        "year": form.year,
        "layout": getattr(form, "layout", None),  # project forms only
        "rulebook": result.rulebook,
        "difference": amount(result.difference),
        "rank": rank,
        "issues": [_issue_entry(item, flag) for item, flag in issues(result)],
    }


def _item_entry(item: ItemScore) -> dict[str, Any]:
    return {
        "level1": item.level1,
        "level2": item.level2,
        "name": item.name,
        "weight": amount(item.weight),
        "score": amount(item.score),
        "self_score": amount(item.self_score),
        "basis": item.basis,
        "flags": [str(flag) for flag in item.flags],
        # Extras.
        "applicable": item.applicable,
        "difference": amount(item.difference),
        "cell": item.source.cell if item.source else None,
        "target": item.target,
        "actual": item.actual,
    }


def _issue_entry(item: ItemScore | None, flag: Flag) -> dict[str, Any]:
    return {
        "level": flag.level,
        "message": flag.message,
        "sheet": flag.source.sheet if flag.source else None,
        "cell": flag.source.cell if flag.source else None,
        "item": item.name if item else None,
        "action": flag_action(flag),  # 处理建议, as on 问题清单
    }
