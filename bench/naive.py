"""The baseline: the script an officer writes for herself with openpyxl.

For every workbook of the inbox it loads the file with ``data_only=True``,
finds the indicator table (the row holding 三级指标), writes a score into each
indicator row's 得分 cell (here: the row's 分值, i.e. full marks) and saves a
filled copy.  ``.xls`` files, which openpyxl cannot open, are read with xlrd
and copied value by value into a new openpyxl workbook, as such scripts do.

It scores nothing properly; it is only the cost of "open every file with
openpyxl and save it again", the floor of any openpyxl-based tool.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import xlrd

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _open(path: Path):
    if path.suffix.lower() != ".xls":
        return openpyxl.load_workbook(path, data_only=True)
    book = xlrd.open_workbook(str(path))
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for source in book.sheets():
        sheet = workbook.create_sheet(source.name)
        for r in range(source.nrows):
            for c, value in enumerate(source.row_values(r)):
                if value != "":
                    sheet.cell(r + 1, c + 1, value)
    return workbook


def _fill(sheet) -> int:
    """Write full marks into every indicator row's 得分 cell; return how many rows were filled."""
    header = score_col = weight_col = name_col = None
    for row in sheet.iter_rows():
        texts = {cell.column: str(cell.value).replace(" ", "") for cell in row if cell.value is not None}
        if any(text == "三级指标" for text in texts.values()):
            header = row[0].row
            for column, text in texts.items():
                if text == "三级指标":
                    name_col = column
                elif "得分" in text and "方法" not in text:
                    score_col = column
                elif text in ("分值", "权重"):
                    weight_col = column
            break
    if header is None or score_col is None or weight_col is None:
        return 0
    filled = 0
    for r in range(header + 1, sheet.max_row + 1):
        first = sheet.cell(r, 1).value or sheet.cell(r, 2).value
        if isinstance(first, str) and first.replace(" ", "").startswith(("总分", "合计")):
            break
        if sheet.cell(r, name_col).value is None:
            continue
        sheet.cell(r, score_col).value = sheet.cell(r, weight_col).value
        filled += 1
    return filled


def fill_folder(inbox: Path, out: Path) -> int:
    """Fill every workbook under ``inbox`` into ``out``; return the number of files written."""
    written = 0
    for path in sorted(inbox.rglob("*")):
        if not path.is_file() or not path.name.lower().endswith(WORKBOOK_SUFFIXES):
            continue
        workbook = _open(path)
        for sheet in workbook.worksheets:
            _fill(sheet)
        target = out / path.relative_to(inbox).with_suffix(".filled.xlsx")
        target.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(target)
        written += 1
    return written
