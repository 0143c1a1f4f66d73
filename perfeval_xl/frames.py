"""pandas views of results, for finance tools that work in DataFrames."""
from __future__ import annotations

from typing import Iterable

from .model import FileResult

ITEM_COLUMNS = ["file", "sheet", "kind", "department", "unit", "name", "grade", "total", "self_total",
                "level1", "level2", "item", "weight", "score", "self_score", "difference",
                "applicable", "basis", "flags", "cell"]


def items_frame(files: Iterable[FileResult]):
    """One row per scored item of every form; scores as floats with 2 decimals."""
    import pandas as pd

    rows = []
    for file in files:
        for form in file.forms:
            for item in form.items:
                rows.append({
                    "file": file.file, "sheet": form.form.sheet, "kind": form.kind,
                    "department": form.form.department, "unit": form.form.unit, "name": form.name,
                    "grade": form.grade, "total": float(form.total),
                    "self_total": _float(form.self_total),
                    "level1": item.level1, "level2": item.level2, "item": item.name,
                    "weight": float(item.weight), "score": float(item.score),
                    "self_score": _float(item.self_score), "difference": _float(item.difference),
                    "applicable": item.applicable, "basis": item.basis,
                    "flags": "；".join(str(flag) for flag in item.flags),  # as summary.json: what to do, and where
                    "cell": str(item.source) if item.source else "",
                })
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def _float(value):
    return None if value is None else float(value)
