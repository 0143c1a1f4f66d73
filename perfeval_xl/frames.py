"""pandas views of results, for finance tools that work in DataFrames.

A frame is built from :class:`~perfeval_xl.model.FileResult` objects in memory, or from the
summary.json entries a batch stored in its outbox: the same rows either way, with the numbers
summary.json has (floats rounded half-up to 2 places).

The ``file`` column holds each file's name as summary.xlsx shows it (:func:`readable_name`): a
frame is a table to export, and a name that is not UTF-8 (a zip of GBK names unpacked on Linux)
keeps lone surrogates as Python has it, which made ``to_excel`` and ``to_csv`` raise.  The name as
the file system has it stays in the results (``FileResult.file``, ``BatchResult.statuses``,
summary.json), each found from a row by ``readable_name(name) == row.file``.
"""
from __future__ import annotations

import json
from typing import Iterable

from .model import FileResult
from .writers._display import FLAG_SEPARATOR, amount, readable_name

ITEM_COLUMNS = ["file", "sheet", "kind", "department", "unit", "name", "grade", "total", "self_total",
                "level1", "level2", "item", "weight", "score", "self_score", "difference",
                "applicable", "basis", "flags", "cell"]



def items_frame(files: Iterable[FileResult]):
    """One row per scored item of every form; numbers as floats with 2 decimals."""
    columns = _columns()
    for file in files:
        name = readable_name(file.file)
        for form in file.forms:
            about_form = (name, form.form.sheet, form.kind, form.form.department, form.form.unit, form.name,
                          form.grade, amount(form.total), amount(form.self_total))
            for item in form.items:
                _add_row(columns, (*about_form, item.level1, item.level2, item.name, amount(item.weight),
                                   amount(item.score), amount(item.self_score), amount(item.difference),
                                   item.applicable, item.basis, FLAG_SEPARATOR.join(str(f) for f in item.flags),
                                   str(item.source) if item.source else ""))
    return _frame(columns)


def entries_frame(entries: Iterable[bytes | str]):
    """:func:`items_frame` of the files whose summary.json entries are ``entries`` (JSON texts).

    Why: a batch with an outbox keeps each file's entry, so its frame needs no input read or
    scored again (10,000 files: a few seconds instead of 20) and no input still in place.
    """
    columns = _columns()
    # Each entry's texts are new strings; those that recur from row to row (indicator levels, the
    # flags met on many forms) are kept once: 10,000 files' frame peaked at 494 MB without, 425
    # with the levels alone, 405 with the flags too.
    once: dict[str, str] = {}
    for text in entries:
        file = json.loads(text)
        name = readable_name(file["file"])
        for form in file["forms"]:
            sheet = form["sheet"]
            about_form = (name, sheet, form["kind"], form["department"], form["unit"], form["name"],
                          form["grade"], form["total"], form["self_total"])
            for item in form["items"]:
                # An item's cell is on its form's sheet: summary.json names the sheet once, on the form.
                cell = item["cell"]
                level1, level2, flags = item["level1"], item["level2"], FLAG_SEPARATOR.join(item["flags"])
                _add_row(columns, (*about_form, once.setdefault(level1, level1), once.setdefault(level2, level2),
                                   item["name"], item["weight"], item["score"], item["self_score"],
                                   item["difference"], item["applicable"], item["basis"], once.setdefault(flags, flags),
                                   f"{sheet}!{cell}" if cell else ""))
    return _frame(columns)


def _columns() -> list[list]:
    # Why a list per column, not a dict per row: 10,000 files of the benchmark's forms have 378,000
    # items, and a dict of 20 keys for each of them raised the peak from 425 MB to 580 MB.
    return [[] for _ in ITEM_COLUMNS]


def _add_row(columns: list[list], row: tuple) -> None:
    for column, value in zip(columns, row):
        column.append(value)


#: The columns of numbers, float64 whatever the rows hold: a batch whose units self-scored nothing
#: made self_score, difference and self_total columns of None (dtype object), where ``.abs()`` and
#: ``.round(1)`` raise and ``pd.concat`` with another batch's frame turns numbers into objects.
_FLOAT_COLUMNS = ("total", "self_total", "weight", "score", "self_score", "difference")
_BOOL_COLUMNS = ("applicable",)


def _frame(columns: list[list]):
    """The frame of ``columns``: numbers float64 (a missing one NaN), ``applicable`` bool, texts as
    pandas makes texts; a frame of no row has the same types."""
    import pandas as pd

    if not columns[0]:  # the types of a row of texts, numbers and a bool, with the row taken away
        return _frame([[0.0] if name in _FLOAT_COLUMNS else [True] if name in _BOOL_COLUMNS else [""]
                       for name in ITEM_COLUMNS]).iloc[:0]
    data = {name: pd.Series(values, dtype="float64" if name in _FLOAT_COLUMNS else "bool" if name in _BOOL_COLUMNS
                            else None)
            for name, values in zip(ITEM_COLUMNS, columns)}
    return pd.DataFrame(data, columns=ITEM_COLUMNS)
