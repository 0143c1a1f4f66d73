"""The F2 base data (部门整体支出绩效评价基础数据表) as a sheet of the scored department workbook.

The department's scores are computed from these figures, so the scored
workbook carries them beside the F3 scoring sheet: an officer checks
"40.6/42=96.67%" against the 政府采购金额 row without opening the input.

Layout (columns A–D)::

    部门整体支出绩效评价基础数据表
    （2019年度）
    填报单位：<unit>                                  单位：万元
    财政供养人员情况 | 编制数 | 2019年实际在职人数 | 控制率
                     |   12   |        12          | 100.00%
    经费控制情况     | 2018年决算数 | 2019年预算数 | 2019年决算数
    <every line of the form's amounts table, in form order, as written>
    来源：<file>（工作表：<sheet>）
"""
from __future__ import annotations

import copy
import re
import weakref
from decimal import Decimal
from typing import Optional

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

from ..model import BaseData, BaseLine, DepartmentForm, FormResult
from ._cell import CellValue, write_cell
from ._display import finite_float
from ._sheet_titles import unique_sheet_titles
from ._style_template import merge_cells
from ._text_measure import line_height, lines_needed

TITLE = "部门整体支出绩效评价基础数据表"
MONEY_UNIT = "单位：万元"
STAFF_LABEL = "财政供养人员情况"
AMOUNTS_LABEL = "经费控制情况"
LABEL, PRIOR, BUDGET, FINAL = 1, 2, 3, 4
LAST = FINAL
COLUMN_WIDTHS = {"A": 40, "B": 17, "C": 21, "D": 17}

FONT_NAME = "宋体"
MONEY_FORMAT = "#,##0.00##"  # 万元 to the yuan (4 places) when the form gives them
STAFF_FORMAT = "0"
RATE_FORMAT = "0.00%"
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TITLE_FONT = Font(name=FONT_NAME, sz=16, b=True)
_TEXT_FONT = Font(name=FONT_NAME, sz=10)
_BOLD_FONT = Font(name=FONT_NAME, sz=10, b=True)
_NOTE_FONT = Font(name=FONT_NAME, sz=9, color="595959")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
#: Row labels by indent level (see :func:`label_indent`).
_LABEL_ALIGNMENTS = tuple(Alignment(horizontal="left", vertical="center", wrap_text=True, indent=indent)
                          for indent in range(3))

#: Workbook → (font, alignment, number format, border, fill), by identity → the cell style
#: openpyxl made of them in that workbook (its style tables only grow, so the style stays valid).
_WORKBOOK_STYLES: weakref.WeakKeyDictionary[Workbook, dict[tuple, StyleArray]] = weakref.WeakKeyDictionary()

# "1、…" / "（1）…" rows sit under a heading row; "其中：…" rows under those.
_NUMBERED = re.compile(r"^(\d+|[一二三四五六七八九十]+)[、.．]|^[（(]\d+[）)]")
_OF_WHICH = re.compile(r"^\s*其中")


def add_base_data_sheet(workbook: Workbook, base: BaseData, title: str, *, index: Optional[int] = None) -> Worksheet:
    """Add a sheet named ``title`` (made valid and unique) rendering ``base``; return it.

    ``index`` places the sheet (as :meth:`openpyxl.Workbook.create_sheet`); by default it is appended.
    """
    sheet_title = unique_sheet_titles([*workbook.sheetnames, title or TITLE])[-1]
    sheet = workbook.create_sheet(sheet_title, index)
    _BaseDataSheet(sheet).render(base)
    return sheet


def add_base_data_sheets(workbook: Workbook, forms: list[FormResult]) -> list[Worksheet]:
    """One base-data sheet per department form that has its F2, appended in form order.

    Call it once the forms' own sheets exist, so the new titles cannot take theirs.
    """
    return [
        add_base_data_sheet(workbook, result.form.base, result.form.base.sheet or TITLE)
        for result in forms
        if isinstance(result.form, DepartmentForm) and result.form.base is not None
    ]


def year_headers(year: Optional[int]) -> tuple[str, str, str]:
    """Headers of the three amount columns: "2018年决算数" … when the year is known."""
    if year is None:
        return "上年决算数", "本年预算数", "本年决算数"
    return f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数"


def label_indent(label: str) -> int:
    if _OF_WHICH.match(label):
        return 2
    if _NUMBERED.match(label.strip()):
        return 1
    return 0


class _BaseDataSheet:
    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self.row = 0
        self.text_rows: dict[int, tuple[str, float, float]] = {}  # row → (text, width, minimum height)
        self.styles = _WORKBOOK_STYLES.setdefault(sheet.parent, {})

    def render(self, base: BaseData) -> None:
        self._title(base)
        self._staffing(base)
        self._amounts(base)
        self._source(base)
        self._finish()

    def _next(self, height: Optional[float] = None) -> int:
        self.row += 1
        if height:
            self.sheet.row_dimensions[self.row].height = height
        return self.row

    def _put(self, row: int, column: int, value: CellValue, font: Font = _TEXT_FONT,
             alignment: Alignment = _LEFT, number_format: Optional[str] = None, border: bool = True,
             fill: Optional[PatternFill] = None):
        cell = self.sheet.cell(row, column)
        write_cell(cell, value)
        # openpyxl finds a style's index by hashing it, attribute by attribute, on every
        # assignment: each combination is assigned once per workbook, then copied.
        key = (id(font), id(alignment), number_format, border, id(fill))
        style = self.styles.get(key)
        if style is not None:
            cell._style = copy.copy(style)
            return cell
        cell.font, cell.alignment = font, alignment
        if border:
            cell.border = _BORDER
        if number_format:
            cell.number_format = number_format
        if fill is not None:
            cell.fill = fill
        self.styles[key] = copy.copy(cell._style)
        return cell

    def _title(self, base: BaseData) -> None:
        row = self._next(height=30)
        self._put(row, LABEL, TITLE, _TITLE_FONT, _CENTER, border=False)
        merge_cells(self.sheet, row, LABEL, row, LAST)
        if base.year is not None:
            row = self._next(height=18)
            self._put(row, LABEL, f"（{base.year}年度）", _TEXT_FONT, _CENTER, border=False)
            merge_cells(self.sheet, row, LABEL, row, LAST)
        row = self._next(height=20)
        unit = f"填报单位：{base.unit or '未填'}"
        self.text_rows[row] = (unit, COLUMN_WIDTHS["A"] + COLUMN_WIDTHS["B"] + COLUMN_WIDTHS["C"], 20)
        self._put(row, LABEL, unit, border=False)
        merge_cells(self.sheet, row, LABEL, row, BUDGET)
        self._put(row, FINAL, MONEY_UNIT, alignment=_RIGHT, border=False)

    def _staffing(self, base: BaseData) -> None:
        actual_header = f"{base.year}年实际在职人数" if base.year is not None else "实际在职人数"
        header = self._next(height=22)
        self._put(header, LABEL, STAFF_LABEL, _BOLD_FONT, _CENTER, fill=_HEADER_FILL)
        for column, text in ((PRIOR, "编制数"), (BUDGET, actual_header), (FINAL, "控制率")):
            self._put(header, column, text, _BOLD_FONT, _CENTER, fill=_HEADER_FILL)
        row = self._next(height=20)
        self._put(row, LABEL, None, fill=_HEADER_FILL)
        merge_cells(self.sheet, header, LABEL, row, LABEL)
        # A count written in words ("十二") is carried as written: the officer sees what the unit sent.
        for column, count, name in ((PRIOR, base.staff_quota, "quota"), (BUDGET, base.staff_actual, "actual")):
            self._put(row, column, count if count is not None else base.staff_texts.get(name),
                      alignment=_RIGHT, number_format=STAFF_FORMAT)
        self._put(row, FINAL, _control_rate(base), alignment=_RIGHT, number_format=RATE_FORMAT)

    def _amounts(self, base: BaseData) -> None:
        header = self._next(height=22)
        self._put(header, LABEL, AMOUNTS_LABEL, _BOLD_FONT, _CENTER, fill=_HEADER_FILL)
        for column, text in zip((PRIOR, BUDGET, FINAL), year_headers(base.year)):
            self._put(header, column, text, _BOLD_FONT, _CENTER, fill=_HEADER_FILL)
        for line in base.lines or _lines_of(base):
            row = self._next()
            label = line.label.strip()
            self.text_rows[row] = (label, COLUMN_WIDTHS["A"] - 2 * label_indent(label), 18)
            self._put(row, LABEL, label or None, alignment=_LABEL_ALIGNMENTS[label_indent(label)])
            for column, name in ((PRIOR, "prior_final"), (BUDGET, "budget"), (FINAL, "final")):
                amount = line.amounts.get(name)
                if amount is None and name in line.texts:  # "—", or a heading such as "年初预算"
                    self._put(row, column, line.texts[name], alignment=_CENTER)
                else:
                    self._put(row, column, amount, alignment=_RIGHT, number_format=MONEY_FORMAT)

    def _source(self, base: BaseData) -> None:
        row = self._next()
        note = f"来源：{base.file}（工作表：{base.sheet}）"
        self.text_rows[row] = (note, sum(COLUMN_WIDTHS.values()), 16)
        self._put(row, LABEL, note, _NOTE_FONT, _LEFT, border=False)
        merge_cells(self.sheet, row, LABEL, row, LAST)

    def _finish(self) -> None:
        sheet = self.sheet
        for letter, width in COLUMN_WIDTHS.items():
            sheet.column_dimensions[letter].width = width
        for row, (text, width, minimum) in self.text_rows.items():
            size = float(sheet.cell(row, LABEL).font.sz or 10)
            sheet.row_dimensions[row].height = max(minimum, lines_needed(text, width, size) * line_height(size) + 4)
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.print_area = f"A1:D{self.row}"
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        sheet.sheet_view.showGridLines = False


def _lines_of(base: BaseData) -> list[BaseLine]:
    """The lines of a :class:`BaseData` made without a sheet (no ``lines``): one per row it names."""
    return [BaseLine(label=amounts.label, amounts={name: value for name, value in (
        ("prior_final", amounts.prior_final), ("budget", amounts.budget), ("final", amounts.final)) if value is not None})
        for amounts in base.rows.values()]


def _control_rate(base: BaseData) -> Optional[float]:
    """实际在职人数 / 编制数, unrounded (the cell shows 2 decimals of a percent)."""
    if base.staff_quota is None or base.staff_actual is None or base.staff_quota == 0:
        return None
    return finite_float(Decimal(base.staff_actual) / Decimal(base.staff_quota))
