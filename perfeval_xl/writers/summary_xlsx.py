"""summary.xlsx: the batch summary an officer opens first.

Sheets: 汇总 (one row per form, and one per file that gave no form),
问题清单 (every flag and file error), 等级分布 (grade counts and a chart).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Union

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..model import FileResult, FormResult
from ._atomic import atomic_output
from ._display import GRADES, LEVEL_LABELS, amount, excel_text, level_label, status_label
from ._summary_rows import issues, ranks, scored_forms

FONT_NAME = "宋体"
# Unit text must stay text: no formulas, links or numbers guessed from strings.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

Value = Union[str, int, float, Decimal, None]


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = "text"  # "text" | "level" (错误 in red) | "score" (0.00) | "integer" | "percent"


OVERVIEW_COLUMNS = (
    Column("序号", 6, "integer"), Column("文件", 30), Column("工作表", 16),
    Column("主管部门", 24), Column("实施单位", 24), Column("项目名称", 28),
    Column("自评总分", 10, "score"), Column("复核总分", 10, "score"), Column("差异", 9, "score"),
    Column("等级", 6), Column("问题数", 8, "integer"), Column("排名", 6, "integer"),
    Column("状态", 8, "level"), Column("错误", 40),
)
ISSUE_COLUMNS = (
    Column("文件", 30), Column("工作表", 16), Column("单元格", 8), Column("项目", 28),
    Column("指标", 20), Column("级别", 6, "level"), Column("问题", 60),
)
GRADE_COLUMNS = (Column("等级", 8), Column("数量", 8, "integer"), Column("占比", 10, "percent"))
DEPARTMENT_PROJECT_LABEL = "部门整体支出"


def write_summary_xlsx(files: list[FileResult], path: Path, rulebook: str) -> None:
    with atomic_output(path) as temp:
        with xlsxwriter.Workbook(str(temp), WORKBOOK_OPTIONS) as workbook:
            workbook.set_properties({"title": "绩效自评复核汇总", "comments": f"评分规则：{rulebook}"})
            formats = _Formats(workbook)
            _write_table(workbook.add_worksheet("汇总"), formats, OVERVIEW_COLUMNS, _overview_rows(files))
            _write_table(workbook.add_worksheet("问题清单"), formats, ISSUE_COLUMNS, _issue_rows(files))
            _write_grade_distribution(workbook, formats, files, rulebook)


# -- rows ------------------------------------------------------------------------------


def _overview_rows(files: list[FileResult]) -> list[list[Value]]:
    form_ranks = ranks(files)
    rows: list[list[Value]] = []
    for file in files:
        for result in file.forms:
            rows.append(_form_row(len(rows) + 1, file, result, form_ranks[id(result)]))
        if not file.forms:  # every input file shows up, if only to say why it gave nothing
            rows.append([len(rows) + 1, file.file, *[None] * 10, status_label(file.status), file.error])
    return rows


def _form_row(number: int, file: FileResult, result: FormResult, rank: int) -> list[Value]:
    form = result.form
    project = DEPARTMENT_PROJECT_LABEL if form.kind == "department" else form.name
    return [
        number, file.file, form.sheet, form.department, form.unit, project,
        result.self_total, result.total, result.difference, result.grade,
        len(result.all_flags()), rank, status_label(file.status), file.error,
    ]


def _issue_rows(files: list[FileResult]) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for file in files:
        if file.status == "error":
            rows.append([file.file, None, None, None, None, LEVEL_LABELS["error"], file.error or "无法处理该文件"])
        elif file.status == "skipped":
            rows.append([file.file, None, None, None, None, LEVEL_LABELS["warning"], f"未评分：{file.error or '已跳过'}"])
        for result in file.forms:
            name = result.name or result.form.unit
            for item, flag in issues(result):
                sheet = flag.source.sheet if flag.source else result.form.sheet
                cell = flag.source.cell if flag.source else None
                rows.append([file.file, sheet, cell, name, item.name if item else None,
                             level_label(flag), flag.message])
    return rows


def _grade_counts(files: list[FileResult]) -> dict[str, int]:
    counts = {grade: 0 for grade in GRADES}
    for _, result in scored_forms(files):
        counts[result.grade] = counts.get(result.grade, 0) + 1
    return counts


# -- sheets ----------------------------------------------------------------------------


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook):
        base = {"font_name": FONT_NAME, "font_size": 10, "border": 1, "valign": "vcenter"}
        self.header = workbook.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
        )
        self.by_kind = {
            "text": workbook.add_format(base),
            "level": workbook.add_format({**base, "align": "center"}),
            "score": workbook.add_format({**base, "num_format": "0.00"}),
            "integer": workbook.add_format({**base, "num_format": "0", "align": "center"}),
            "percent": workbook.add_format({**base, "num_format": "0.00%"}),
        }
        self.error = workbook.add_format({**base, "align": "center", "font_color": "#C00000", "bold": True})
        self.note = workbook.add_format({"font_name": FONT_NAME, "font_size": 10})


def _write_table(sheet: Worksheet, formats: _Formats, columns: tuple[Column, ...],
                 rows: list[list[Value]]) -> None:
    """Header row (frozen, with autofilter) and one typed row per entry."""
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, column.title, formats.header)
    for row_index, row in enumerate(rows, start=1):
        for col, (column, value) in enumerate(zip(columns, row)):
            is_error = column.kind == "level" and value == LEVEL_LABELS["error"]
            cell_format = formats.error if is_error else formats.by_kind[column.kind]
            _write_value(sheet, row_index, col, value, cell_format)
    sheet.set_row(0, 24)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def _write_value(sheet: Worksheet, row: int, col: int, value: Value, cell_format: Format) -> None:
    if isinstance(value, Decimal):
        value = amount(value)
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, excel_text(value), cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)


def _write_grade_distribution(workbook: xlsxwriter.Workbook, formats: _Formats,
                              files: list[FileResult], rulebook: str) -> None:
    sheet = workbook.add_worksheet("等级分布")
    counts = _grade_counts(files)
    evaluated = sum(counts.values())
    rows: list[list[Value]] = [
        [grade, count, count / evaluated if evaluated else 0] for grade, count in counts.items()
    ]
    _write_table(sheet, formats, GRADE_COLUMNS, rows)
    total_row = len(rows) + 1
    _write_value(sheet, total_row, 0, "合计", formats.header)
    _write_value(sheet, total_row, 1, evaluated, formats.by_kind["integer"])
    _write_value(sheet, total_row, 2, 1 if evaluated else 0, formats.by_kind["percent"])
    sheet.write_string(total_row + 2, 0, f"评分规则：{excel_text(rulebook)}", formats.note)
    sheet.insert_chart(1, len(GRADE_COLUMNS) + 1, _grade_chart(workbook, sheet.get_name(), len(rows)))


def _grade_chart(workbook: xlsxwriter.Workbook, sheet_name: str, grade_count: int):
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({
        "name": "评价数量",
        "categories": [sheet_name, 1, 0, grade_count, 0],
        "values": [sheet_name, 1, 1, grade_count, 1],
        "data_labels": {"value": True},
        "fill": {"color": "#5B9BD5"},
    })
    chart.set_title({"name": "评价等级分布", "name_font": {"name": FONT_NAME, "size": 12}})
    chart.set_x_axis({"name": "等级", "num_font": {"name": FONT_NAME}})
    chart.set_y_axis({"name": "数量", "major_unit": 1, "min": 0})
    chart.set_legend({"none": True})
    return chart
