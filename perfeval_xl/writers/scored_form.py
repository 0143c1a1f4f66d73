"""The scored form: the official 项目支出绩效自评表 layout, filled and reviewed (复核).

One sheet per form.  Layout (columns A–M) is decided here; every style (fonts,
borders, number formats, widths, page setup) comes from the style template
``templates/项目支出绩效自评表_复核.xlsx`` so a bureau can restyle the output
without touching code (see :mod:`._style_template`).
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Optional, Protocol

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..model import DepartmentForm, Flag, FormResult, FundLine, ItemScore, ProjectForm
from ._atomic import atomic_output
from ._cell import CellValue, write_cell
from ._display import NOT_APPLICABLE, display_name, joined_flags, level_label, split_execution_item
from ._row_heights import fit_row_heights
from ._sheet_titles import unique_sheet_titles
from ._style_template import (
    COLUMN_COUNT,
    TemplateRowStyler,
    copy_sheet_setup,
    load_scored_form_style,
    remove_template_sheets,
)
from ._templates import SCORED_FORM_STYLE, template_path

# Columns of the 绩效指标 table; the fund block reuses G–M for the execution item.
SECTION, LEVEL1, LEVEL2, NAME, TARGET, ACTUAL = 1, 2, 3, 4, 5, 6
WEIGHT, SELF_SCORE, SCORE, DIFFERENCE, BASIS, REASON, FLAGS = 7, 8, 9, 10, 11, 12, 13
# Columns of the 项目资金 block.
FUND_LABEL, INITIAL_BUDGET, BUDGET, EXECUTED, RATE = 2, 3, 4, 5, 6
# Label/value rows: 主管部门 B–F | 实施单位 G–H | I–M; goals B–F | G–M.
LEFT_VALUE, RIGHT_LABEL, RIGHT_VALUE = 2, 7, 9
# The 复核问题 block.
ISSUE_LEVEL, ISSUE_CELL, ISSUE_TEXT = 2, 3, 4
LAST = COLUMN_COUNT

TITLES = {"project": "项目支出绩效自评表", "department": "部门整体支出绩效评价指标评分表"}
REVIEW_SUFFIX = "（复核）"

FUND_HEADERS = {
    INITIAL_BUDGET: "年初预算数", BUDGET: "全年预算数", EXECUTED: "全年执行数",
    RATE: "执行率", WEIGHT: "分值", SELF_SCORE: "自评得分", SCORE: "复核得分",
    DIFFERENCE: "差异", BASIS: "评分依据", FLAGS: "问题提示",
}
TABLE_HEADERS = {
    LEVEL1: "一级指标", LEVEL2: "二级指标", NAME: "三级指标", TARGET: "年度指标值",
    ACTUAL: "实际完成值", WEIGHT: "分值", SELF_SCORE: "自评得分", SCORE: "复核得分",
    DIFFERENCE: "差异", BASIS: "评分依据", REASON: "偏差原因分析及改进措施", FLAGS: "问题提示",
}


class RowStyler(Protocol):
    """Gives a row of a given role its styles (see ``_style_template.ROLES``)."""

    def style_row(self, sheet: Worksheet, row: int, role: str) -> None: ...

    def height(self, role: str) -> Optional[float]: ...


def write_scored_workbook(forms: list[FormResult], path: Path, template: Optional[Path] = None) -> None:
    """Write one scored sheet per form to ``path`` (atomically).

    ``template`` overrides the shipped style template (a bureau's restyled copy).
    """
    if not forms:
        raise ValueError("没有可写入的评分结果")
    style = load_scored_form_style(Path(template) if template else template_path(SCORED_FORM_STYLE))
    styler = TemplateRowStyler(style)
    titles = unique_sheet_titles([result.form.sheet for result in forms])
    for result, title in zip(forms, titles):
        sheet = style.workbook.create_sheet(title)
        copy_sheet_setup(style.prototype_sheet, sheet)
        render_form(sheet, result, styler)
    remove_template_sheets(style)
    style.workbook.properties.creator = "perfeval-xl"
    with atomic_output(path) as temp:
        style.workbook.save(temp)


def render_form(sheet: Worksheet, result: FormResult, styler: RowStyler) -> dict[str, int]:
    """Draw ``result`` on an empty ``sheet``; return the first row used by each role."""
    form_sheet = _FormSheet(sheet, styler)
    execution, indicators = split_execution_item(result)
    form = result.form
    form_sheet.write_heading(form)
    if isinstance(form, ProjectForm):
        if form.funds is not None or execution is not None:
            form_sheet.write_funds(form.funds.lines if form.funds else [], execution)
        form_sheet.write_goals(form)
    table_header = form_sheet.write_indicators(indicators)
    form_sheet.write_totals(result)
    form_sheet.write_issues(result.flags, form.sheet)
    form_sheet.finish(print_title_row=table_header)
    return form_sheet.first_rows


class _FormSheet:
    """Writes a form top to bottom, one row at a time, and remembers merges."""

    def __init__(self, sheet: Worksheet, styler: RowStyler):
        self.sheet = sheet
        self.styler = styler
        self.row = 0
        self.first_rows: dict[str, int] = {}
        self.base_heights: dict[int, Optional[float]] = {}
        self.merges: list[tuple[int, int, int, int]] = []

    # -- primitives -----------------------------------------------------------------

    def new_row(self, role: str, values: Optional[dict[int, CellValue]] = None) -> int:
        self.row += 1
        self.styler.style_row(self.sheet, self.row, role)
        self.first_rows.setdefault(role, self.row)
        self.base_heights[self.row] = self.styler.height(role)
        for column, value in (values or {}).items():
            self.put(self.row, column, value)
        return self.row

    def put(self, row: int, column: int, value: CellValue) -> None:
        write_cell(self.sheet.cell(row, column), value)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        if (first_row, first_col) != (last_row, last_col):
            self.merges.append((first_row, first_col, last_row, last_col))

    def merge_across(self, row: int, first_col: int, last_col: int) -> None:
        self.merge(row, first_col, row, last_col)

    # -- sections -------------------------------------------------------------------

    def write_heading(self, form: ProjectForm | DepartmentForm) -> None:
        title = (form.title.strip() or TITLES.get(form.kind, TITLES["project"])) + REVIEW_SUFFIX
        self.merge_across(self.new_row("title", {SECTION: title}), SECTION, LAST)
        if form.year:
            self.merge_across(self.new_row("year", {SECTION: f"（{form.year}年度）"}), SECTION, LAST)
        label = "填报单位" if form.kind == "department" else "项目名称"
        name_row = self.new_row("name_row", {SECTION: label, LEFT_VALUE: display_name(form)})
        self.merge_across(name_row, LEFT_VALUE, LAST)
        if form.kind != "department":
            row = self.new_row("unit_row", {
                SECTION: "主管部门", LEFT_VALUE: form.department, RIGHT_LABEL: "实施单位", RIGHT_VALUE: form.unit,
            })
            self.merge_across(row, LEFT_VALUE, RIGHT_LABEL - 1)
            self.merge_across(row, RIGHT_LABEL, RIGHT_VALUE - 1)
            self.merge_across(row, RIGHT_VALUE, LAST)

    def write_funds(self, lines: list[FundLine], execution: Optional[ItemScore]) -> None:
        header = self.new_row("fund_header", {SECTION: "项目资金（万元）", **FUND_HEADERS})
        self.merge_across(header, BASIS, REASON)
        rows = [self._fund_line_row(line) for line in lines] or [
            self.new_row("fund_line", {FUND_LABEL: "预算执行率"})
        ]
        first, last = rows[0], rows[-1]
        if execution is not None:
            self._put_scores(first, execution)
            self.put(first, BASIS, execution.basis)
            self.put(first, FLAGS, joined_flags(execution.flags))
        for column in (WEIGHT, SELF_SCORE, SCORE, DIFFERENCE, FLAGS):
            self.merge(first, column, last, column)
        self.merge(first, BASIS, last, REASON)
        self.merge(header, SECTION, last, SECTION)

    def _fund_line_row(self, line: FundLine) -> int:
        return self.new_row("fund_line", {
            FUND_LABEL: line.label,
            INITIAL_BUDGET: line.initial_budget,
            BUDGET: line.budget,
            EXECUTED: line.executed,
            RATE: _execution_ratio(line),
        })

    def write_goals(self, form: ProjectForm) -> None:
        header = self.new_row("goal_header", {SECTION: "年度总体目标", LEFT_VALUE: "预期目标", RIGHT_LABEL: "实际完成情况"})
        text = self.new_row("goal_text", {LEFT_VALUE: form.goal_expected, RIGHT_LABEL: form.goal_actual})
        for row in (header, text):
            self.merge_across(row, LEFT_VALUE, RIGHT_LABEL - 1)
            self.merge_across(row, RIGHT_LABEL, LAST)
        self.merge(header, SECTION, text, SECTION)

    def write_indicators(self, items: list[ItemScore]) -> int:
        """Write the 绩效指标 table; return its header row (repeated on printed pages)."""
        header = self.new_row("table_header", {SECTION: "绩效指标", **TABLE_HEADERS})
        rows = [self._indicator_row(item) for item in items]
        self._merge_equal_runs(rows, [(item.level1,) for item in items], LEVEL1)
        self._merge_equal_runs(rows, [(item.level1, item.level2) for item in items], LEVEL2)
        self.merge(header, SECTION, rows[-1] if rows else header, SECTION)
        return header

    def _indicator_row(self, item: ItemScore) -> int:
        row = self.new_row("indicator", {
            LEVEL1: item.level1, LEVEL2: item.level2, NAME: item.name,
            TARGET: item.target, ACTUAL: item.actual,
            BASIS: item.basis, REASON: item.reason, FLAGS: joined_flags(item.flags),
        })
        self._put_scores(row, item)
        return row

    def _put_scores(self, row: int, item: ItemScore) -> None:
        self.put(row, WEIGHT, item.weight)
        self.put(row, SELF_SCORE, item.self_score)
        if item.applicable:
            self.put(row, SCORE, item.score)
            self.put(row, DIFFERENCE, item.difference)
        else:
            self.put(row, SCORE, NOT_APPLICABLE)

    def _merge_equal_runs(self, rows: list[int], keys: list[tuple[str, ...]], column: int) -> None:
        """Merge vertically the cells of ``column`` whose keys repeat in consecutive rows.

        A key holds the enclosing levels too, so a 二级 name never merges across
        two 一级.  Blank cells are left alone: a blank is not a group.
        """
        start = 0
        for index in range(1, len(rows) + 1):
            if index < len(rows) and keys[index] == keys[start]:
                continue
            if keys[start][-1]:
                self.merge(rows[start], column, rows[index - 1], column)
            start = index

    def write_totals(self, result: FormResult) -> None:
        total = self.new_row("total", {
            SECTION: "总分",
            WEIGHT: sum((item.weight for item in result.items), Decimal(0)),
            SELF_SCORE: result.self_total,
            SCORE: result.total,
            DIFFERENCE: result.difference,
        })
        self.merge_across(total, SECTION, ACTUAL)
        self.merge_across(total, BASIS, LAST)
        grade = self.new_row("grade", {SECTION: "评价等级", WEIGHT: result.grade})
        self.merge_across(grade, SECTION, ACTUAL)
        self.merge_across(grade, WEIGHT, LAST)
        source = f"{result.form.file}（工作表：{result.form.sheet}）" if result.form.file else result.form.sheet
        note = self.new_row("note", {SECTION: f"评分规则：{result.rulebook}；来源：{source}"})
        self.merge_across(note, SECTION, LAST)

    def write_issues(self, flags: list[Flag], form_sheet: str) -> None:
        header = self.new_row("issue_header", {
            SECTION: "复核问题", ISSUE_LEVEL: "级别", ISSUE_CELL: "单元格", ISSUE_TEXT: "问题",
        })
        rows = [self._issue_row(flag, form_sheet) for flag in flags] or [self.new_row("issue", {ISSUE_TEXT: "无"})]
        for row in (header, *rows):
            self.merge_across(row, ISSUE_TEXT, LAST)
        self.merge(header, SECTION, rows[-1], SECTION)

    def _issue_row(self, flag: Flag, form_sheet: str) -> int:
        return self.new_row("issue", {
            ISSUE_LEVEL: level_label(flag),
            ISSUE_CELL: _cell_reference(flag, form_sheet),
            ISSUE_TEXT: flag.message,
        })

    def finish(self, print_title_row: int) -> None:
        for first_row, first_col, last_row, last_col in self.merges:
            self.sheet.merge_cells(
                start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col
            )
        fit_row_heights(self.sheet, self.base_heights)
        self.sheet.print_area = f"A1:{get_column_letter(LAST)}{self.row}"
        self.sheet.print_title_rows = f"{print_title_row}:{print_title_row}"


def _execution_ratio(line: FundLine) -> Optional[float]:
    """全年执行数 ÷ 全年预算数 of one fund row (年初预算数 on forms without 全年预算数).

    Shown for information only; the execution score and its basis come from the
    engine's 预算执行率 item, which may have used other figures (scoring.md §2).
    """
    denominator = line.budget if line.budget is not None else line.initial_budget
    if line.executed is None or not denominator:
        return None
    return float(line.executed / denominator)


def _cell_reference(flag: Flag, form_sheet: str) -> str:
    """The flag's cell; with its sheet when that is not the form's own sheet (F2 beside F3)."""
    if flag.source is None:
        return ""
    return flag.source.cell if flag.source.sheet == form_sheet else str(flag.source)
