"""The style template of the scored form (项目支出绩效自评表_复核.xlsx).

The template is a small sample of the scored form.  Each kind of row the writer
produces has one prototype row there, marked by a workbook defined name
``style_<role>`` (e.g. ``style_indicator``).  The writer copies each prototype's
cell styles column by column, its row height, the sheet's column widths and its
page setup.  A bureau can therefore restyle the template in Excel (fonts,
borders, fills, number formats, widths, margins, header/footer) and every
scored form follows; Excel keeps the names pointing at the right rows when rows
are inserted or moved.

The output is built inside the loaded template workbook, so copied styles refer
to the template's own style tables and come out exactly as drawn.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import openpyxl
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet

#: Number of columns of the scored form (A … M).
COLUMN_COUNT = 13

#: Row kinds of the scored form, in the order they appear on it.
ROLES = (
    "title",         # 项目支出绩效自评表（复核）
    "year",          # （2019年度）
    "name_row",      # 项目名称 | name
    "unit_row",      # 主管部门 | dept | 实施单位 | unit
    "fund_header",   # 项目资金（万元） | | 年初预算数 | 全年预算数 | … | 问题提示
    "fund_line",     # one FundLine; the 预算执行率 scores merged down over all of them
    "goal_header",   # 年度总体目标 | 预期目标 | 实际完成情况
    "goal_text",     # the two goal texts
    "table_header",  # 绩效指标 | 一级指标 | 二级指标 | … | 问题提示
    "indicator",     # one ItemScore
    "total",         # 总分
    "grade",         # 评价等级
    "note",          # 评分规则 and source
    "issue_header",  # 复核问题 | 级别 | 单元格 | 问题
    "issue",         # one form-level Flag
)

NAME_PREFIX = "style_"

_PAGE_SETUP_ATTRIBUTES = (
    "orientation", "paperSize", "scale", "fitToHeight", "fitToWidth",
    "firstPageNumber", "useFirstPageNumber", "pageOrder", "blackAndWhite", "draft",
)


class TemplateError(ValueError):
    """The style template lacks something the writer needs."""


@dataclass
class RowStyle:
    """The styles of one prototype row: per column (1-based) and the row height."""

    cells: dict[int, object]  # column -> openpyxl StyleArray
    height: Optional[float]


@dataclass
class ScoredFormStyle:
    """A loaded style template, ready to receive output sheets."""

    workbook: Workbook
    prototype_sheet: Worksheet
    rows: dict[str, RowStyle]
    template_sheets: list[Worksheet]


def load_scored_form_style(path: Path) -> ScoredFormStyle:
    """Open the template and read the styles of its prototype rows.

    Raises TemplateError naming the first ``style_<role>`` name that is missing.
    """
    workbook = openpyxl.load_workbook(path)
    locations = _role_locations(workbook, path)
    sheet_titles = {sheet for sheet, _ in locations.values()}
    if len(sheet_titles) != 1:
        raise TemplateError(f"模板 {path.name} 的样式行应在同一个工作表中，现分布在：{sorted(sheet_titles)}")
    prototype_sheet = workbook[sheet_titles.pop()]
    rows = {role: _row_style(prototype_sheet, row) for role, (_, row) in locations.items()}
    for index, sheet in enumerate(workbook.worksheets):
        # Free the template's titles (复核样式, 说明) for output sheets that may bear them.
        sheet.title = f"~template{index}"
    return ScoredFormStyle(workbook, prototype_sheet, rows, list(workbook.worksheets))


def _role_locations(workbook: Workbook, path: Path) -> dict[str, tuple[str, int]]:
    """Map each role to (sheet title, row number) through its defined name."""
    names = dict(workbook.defined_names.items())
    for sheet in workbook.worksheets:  # names Excel saved as sheet-scoped
        names.update(sheet.defined_names.items())
    locations = {}
    for role in ROLES:
        defined = names.get(NAME_PREFIX + role)
        destinations = list(defined.destinations) if defined is not None else []
        if not destinations:
            raise TemplateError(f"模板 {path.name} 缺少名称 {NAME_PREFIX}{role}（指向 {role} 样式行）")
        sheet_title, ref = destinations[0]
        _, min_row, _, _ = range_boundaries(ref.replace("$", ""))
        locations[role] = (sheet_title, min_row)
    return locations


def _row_style(sheet: Worksheet, row: int) -> RowStyle:
    cells = {col: copy.copy(sheet.cell(row, col)._style) for col in range(1, COLUMN_COUNT + 1)}
    return RowStyle(cells, sheet.row_dimensions[row].height)


def copy_sheet_setup(source: Worksheet, target: Worksheet) -> None:
    """Give ``target`` the column widths, page setup and view options of ``source``."""
    for key, dimension in source.column_dimensions.items():
        target.column_dimensions[key] = ColumnDimension(
            target, index=key, width=dimension.width, hidden=dimension.hidden,
            min=dimension.min, max=dimension.max, customWidth=dimension.customWidth,
        )
    for attribute in _PAGE_SETUP_ATTRIBUTES:
        setattr(target.page_setup, attribute, getattr(source.page_setup, attribute))
    target.sheet_properties.pageSetUpPr = copy.copy(source.sheet_properties.pageSetUpPr)
    target.page_margins = copy.copy(source.page_margins)
    target.print_options = copy.copy(source.print_options)
    target.HeaderFooter = copy.copy(source.HeaderFooter)
    target.sheet_view.showGridLines = source.sheet_view.showGridLines
    target.sheet_view.zoomScale = source.sheet_view.zoomScale
    target.sheet_format = copy.copy(source.sheet_format)


def column_width(sheet: Worksheet, column: int) -> float:
    """The width of ``column`` in character units, resolving grouped column ranges."""
    for key, dimension in sheet.column_dimensions.items():
        low = dimension.min or column_index_from_string(key)
        high = dimension.max or low
        if low <= column <= high and dimension.width:
            return dimension.width
    return sheet.sheet_format.defaultColWidth or 8.43


def remove_template_sheets(style: ScoredFormStyle) -> None:
    """Drop the template's own sheets and style names, leaving only the output."""
    for sheet in style.template_sheets:
        style.workbook.remove(sheet)
    for name in [n for n in style.workbook.defined_names if n.startswith(NAME_PREFIX)]:
        del style.workbook.defined_names[name]
    style.workbook.active = 0
    for index, sheet in enumerate(style.workbook.worksheets):
        # More than one selected tab puts Excel in [Group] mode, where edits hit every sheet.
        sheet.sheet_view.tabSelected = index == 0


class TemplateRowStyler:
    """Styles output rows by copying the template's prototype rows."""

    def __init__(self, style: ScoredFormStyle):
        self._rows = style.rows

    def style_row(self, sheet: Worksheet, row: int, role: str) -> None:
        for column, style_array in self._rows[role].cells.items():
            sheet.cell(row, column)._style = copy.copy(style_array)

    def height(self, role: str) -> Optional[float]:
        return self._rows[role].height
