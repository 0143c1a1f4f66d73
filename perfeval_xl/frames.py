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

    # Why a list per column, not a dict per row: 10,000 files of the benchmark's forms have 378,000
    # items, and a dict of 20 keys for each of them raised the peak from 425 MB to 580 MB.
    columns: list[list] = [[] for _ in ITEM_COLUMNS]
    for file in files:
        for form in file.forms:
            about_form = (file.file, form.form.sheet, form.kind, form.form.department, form.form.unit, form.name,
                          form.grade, float(form.total), _float(form.self_total))
            for item in form.items:
                row = (*about_form, item.level1, item.level2, item.name, float(item.weight), float(item.score),
                       _float(item.self_score), _float(item.difference), item.applicable, item.basis,
                       "；".join(str(flag) for flag in item.flags),  # as summary.json: what to do, and where
                       str(item.source) if item.source else "")
                for column, value in zip(columns, row):
                    column.append(value)
    if not columns[0]:  # no item: columns of no type, as a frame of no row has (empty lists make float64)
        return pd.DataFrame([], columns=ITEM_COLUMNS)
    return pd.DataFrame(dict(zip(ITEM_COLUMNS, columns)), columns=ITEM_COLUMNS)


def _float(value):
    return None if value is None else float(value)
