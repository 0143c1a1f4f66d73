"""Writers: the scored form and summary.json (summary.xlsx: test_summary_xlsx.py).

Every test builds FormResult/FileResult objects by hand (the writers compute no
scores), writes them to a temporary directory and reads the file back.
"""
from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl.model import (
    DepartmentForm, FileResult, Flag, FormResult, FundLine, Funds, ItemScore, ProjectForm, Source,
)
from perfeval_xl.writers import (
    atomic_output, blank_templates, summary_dict, template_path, write_scored_workbook, write_summary_json,
)
from perfeval_xl.writers._atomic import atomic_write_bytes
from perfeval_xl.writers._sheet_titles import unique_sheet_titles
from perfeval_xl.writers._templates import SCORED_FORM_STYLE

D = Decimal
SHEET = "自评表"
A4 = 9  # OOXML paper size code


# -- a small factory ---------------------------------------------------------------


def fund_lines(has_full_year_budget: bool = True) -> list[FundLine]:
    budget = (lambda value: D(value)) if has_full_year_budget else (lambda value: None)
    return [
        FundLine("年度资金总额", "total", D("60"), budget("62.5"), D("59.38"), Source(SHEET, "B6")),
        FundLine("其中：当年财政拨款", "fiscal", D("60"), budget("62.5"), D("59.38"), Source(SHEET, "B7")),
        FundLine("上年结转资金", "carryover", D("0"), budget("0"), D("0"), Source(SHEET, "B8")),
        FundLine("其他资金", "other", D("0"), budget("0"), D("0"), Source(SHEET, "B9")),
    ]


def execution_item(applicable: bool = True) -> ItemScore:
    return ItemScore(
        "预算执行", "", "预算执行率", D("10"), D("9.50") if applicable else D("0"), D("9.5"),
        "59.38/62.5=95.01%，×10=9.50" if applicable else "预算数与执行数均为0，不适用",
        source=Source(SHEET, "H6"), applicable=applicable,
    )


def indicator(level1: str, level2: str, name: str, score: str, self_score: str | None = None,
              flags: list[Flag] | None = None, row: int = 13, **text: str) -> ItemScore:
    return ItemScore(
        level1, level2, name, D("10"), D(score), D(self_score) if self_score else None,
        text.pop("basis", f"{name}得分{score}"), flags or [], Source(SHEET, f"D{row}"),
        target=text.pop("target", "≥100个"), actual=text.pop("actual", "100个"), reason=text.pop("reason", ""),
    )


def project_result(name: str = "政务大厅维护费项目", sheet: str = SHEET, total: str = "59.50",
                   grade: str = "差", **overrides) -> FormResult:
    """A project form with the execution item and four indicators in three groups."""
    form = ProjectForm(
        file="01_政务大厅维护费项目.xlsx", sheet=sheet, layout="national-2020", year=2019,
        name=name, department="长沙市开福区行政审批服务局", unit="开福区政务服务中心",
        goal_expected="按计划完成年度工作任务", goal_actual="已按计划完成",
        funds=Funds(fund_lines(overrides.pop("has_full_year_budget", True)), D("10"), D("9.5"),
                    True, Source(sheet, "B6")),
        self_total=D("60"),
    )
    items = overrides.pop("items", None) or [
        execution_item(overrides.pop("applicable", True)),
        indicator("产出指标", "数量指标", "受理办件数量", "10", "10", row=13),
        indicator("产出指标", "数量指标", "新增办事窗口", "9.38", "10", row=14,
                  flags=[Flag("得分未满，缺少偏差原因", Source(sheet, "I14")),
                         Flag("自评得分与复核得分不一致", Source(sheet, "H14"))]),
        indicator("产出指标", "质量指标", "按时办结率", "10", row=15),
        indicator("效益指标", "数量指标", "效益数量", "10.62", "10", row=16),
    ]
    flags = overrides.pop("flags", [Flag("指标分值合计为50，应为100", Source(sheet, "G21"))])
    return FormResult(form, "mof-2020-project", items, D(total), grade, flags, **overrides)


def department_result() -> FormResult:
    form = DepartmentForm(file="07_部门整体支出.xlsx", sheet="评分表", unit="长沙市开福区行政审批服务局",
                          year=2019, self_total=D("96"))
    items = [
        ItemScore("投入", "预算配置", "在职人员控制率", D("5"), D("5"), D("5"), "12/12=100.00%≤100%，得5"),
        ItemScore("过程", "预算执行", "预算完成率", D("5"), D("4.78"), D("5"), "95.60%，扣0.22",
                  [Flag("自评得分5.00与复核得分4.78不一致", Source("评分表", "I5"))]),
    ]
    return FormResult(form, "hunan-dept", items, D("95.61"), "优")


def ok_file(*results: FormResult, file: str = "01_政务大厅维护费项目.xlsx") -> FileResult:
    return FileResult(file, "ok", forms=list(results), output=f"scored/{file}")


def scored_sheet(tmp_path: Path, *results: FormResult, template: Path | None = None):
    path = tmp_path / "scored.xlsx"
    write_scored_workbook(list(results), path, template=template)
    return openpyxl.load_workbook(path)


def row_of(sheet, text: str, column: int = 1) -> int:
    """The row whose cell in ``column`` holds ``text``."""
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, column).value == text:
            return row
    raise AssertionError(f"no row with {text!r} in column {column}")


def merged(sheet) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


# -- the scored form: content ------------------------------------------------------


def test_a_fund_block_that_explains_its_execution_styles_the_reason_as_its_column(tmp_path):
    # Sichuan's 未完成原因分析 on the 资金总额 row: its header cell was bare (no bold, no fill) and its
    # text unwrapped, at the bottom of the cell, cut off after a line.
    result = project_result()
    result.items[0].reason = "部分采购合同年末未结算，已督促供应商按合同约定进度推进，预计次年一季度完成支付" * 2
    sheet = scored_sheet(tmp_path, result)[SHEET]
    header = row_of(sheet, "项目资金（万元）")
    label = sheet.cell(header, 12)
    assert label.value == "偏差原因分析及改进措施" and label.font.b and label.fill.fgColor.rgb.endswith("DDEBF7")
    reason = sheet.cell(header + 1, 12)
    assert reason.value == result.items[0].reason
    assert reason.alignment.wrap_text and reason.alignment.vertical == "center"


def test_a_title_that_names_its_year_is_not_followed_by_the_year_again(tmp_path):
    # Sichuan's "部门预算项目支出绩效自评表（2019年度）": the year line under it said it a second time.
    result = project_result()
    result.form.title = "部门预算项目支出绩效自评表（2019年度）"
    sheet = scored_sheet(tmp_path, result)[SHEET]
    assert sheet["A1"].value == "部门预算项目支出绩效自评表（2019年度）（复核）"
    assert sheet["A2"].value == "项目名称"


def test_scored_form_carries_title_year_and_project_header(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    assert sheet["A1"].value == "项目支出绩效自评表（复核）"
    assert sheet["A2"].value == "（2019年度）"
    assert (sheet["A3"].value, sheet["B3"].value) == ("项目名称", "政务大厅维护费项目")
    assert [sheet["A4"].value, sheet["B4"].value, sheet["G4"].value, sheet["I4"].value] == [
        "主管部门", "长沙市开福区行政审批服务局", "实施单位", "开福区政务服务中心"]
    assert {"A1:M1", "A2:M2", "B3:M3", "B4:F4", "I4:M4"} <= merged(sheet)


def test_year_line_is_left_out_when_the_form_has_no_year(tmp_path):
    result = project_result()
    result.form.year = None
    sheet = scored_sheet(tmp_path, result)[SHEET]
    assert sheet["A2"].value == "项目名称"


def test_fund_block_lists_every_fund_line_and_the_execution_scores(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    header = row_of(sheet, "项目资金（万元）")
    assert [sheet.cell(header, col).value for col in range(3, 12)] == [
        "年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "自评得分", "复核得分", "差异", "评分依据"]
    lines = [[sheet.cell(row, col).value for col in range(2, 6)] for row in range(header + 1, header + 5)]
    assert lines == [
        ["年度资金总额", 60, 62.5, 59.38],
        ["其中：当年财政拨款", 60, 62.5, 59.38],
        ["上年结转资金", 0, 0, 0],
        ["其他资金", 0, 0, 0],
    ]
    first = header + 1
    assert sheet.cell(first, 6).value == pytest.approx(59.38 / 62.5)
    assert sheet.cell(first, 6).number_format == "0.00%"
    assert [sheet.cell(first, col).value for col in (7, 8, 9, 10, 11)] == [
        10, 9.5, 9.5, 0, "59.38/62.5=95.01%，×10=9.50"]
    # The execution scores are one block beside all four fund rows.
    assert {f"G{first}:G{first + 3}", f"I{first}:I{first + 3}", f"K{first}:L{first + 3}",
            f"A{header}:A{first + 3}"} <= merged(sheet)


def test_figures_from_the_form_are_carried_over_as_written_not_rounded(tmp_path):
    # 0.0449 万元 is 449 yuan; rounded to 0.04 the form would disagree with its own 评分依据.
    result = project_result()
    result.form.funds.lines[0] = FundLine("年度资金总额", "total", D("0.0449"), D("0.0449"), D("0.0444"),
                                          Source(SHEET, "B6"))
    result.items[1] = indicator("产出指标", "数量指标", "受理办件数量", "13.89", "13.885", row=13)
    sheet = scored_sheet(tmp_path, result)[SHEET]
    first = row_of(sheet, "项目资金（万元）") + 1
    assert [sheet.cell(first, col).value for col in (3, 4, 5)] == [0.0449, 0.0449, 0.0444]
    assert sheet.cell(first, 3).number_format == "#,##0.00##"  # 2 places at least, as written up to 4, thousands separated
    row = row_of(sheet, "受理办件数量", 4)
    assert [sheet.cell(row, col).value for col in (8, 9, 10)] == [13.885, 13.89, pytest.approx(0.005)]


def test_forms_without_a_full_year_budget_leave_that_column_blank(tmp_path):
    sheet = scored_sheet(tmp_path, project_result(has_full_year_budget=False))[SHEET]
    first = row_of(sheet, "年度资金总额", column=2)
    assert sheet.cell(first, 4).value is None
    assert sheet.cell(first, 6).value == pytest.approx(59.38 / 60)  # ratio on 年初预算数


def test_execution_item_that_is_not_applicable_says_so(tmp_path):
    sheet = scored_sheet(tmp_path, project_result(applicable=False))[SHEET]
    first = row_of(sheet, "年度资金总额", column=2)
    assert sheet.cell(first, 9).value == "不适用"
    assert sheet.cell(first, 10).value is None


def test_goal_texts_sit_under_their_headings(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    header = row_of(sheet, "年度总体目标")
    assert (sheet.cell(header, 2).value, sheet.cell(header, 7).value) == ("预期目标", "实际完成情况")
    assert (sheet.cell(header + 1, 2).value, sheet.cell(header + 1, 7).value) == ("按计划完成年度工作任务", "已按计划完成")


def test_indicator_table_shows_target_actual_scores_basis_and_flags(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    header = row_of(sheet, "绩效指标")
    assert [sheet.cell(header, col).value for col in range(2, 14)] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分",
        "复核得分", "差异", "评分依据", "偏差原因分析及改进措施", "问题提示"]
    row = row_of(sheet, "新增办事窗口", column=4)
    assert [sheet.cell(row, col).value for col in range(5, 14)] == [
        "≥100个", "100个", 10, 10, 9.38, -0.62, "新增办事窗口得分9.38", None,
        "得分未满，缺少偏差原因（原表I14）；自评得分与复核得分不一致（原表H14）"]  # cells of the input: the form is laid out anew
    assert all(sheet.cell(row, col).number_format == "#,##0.00##" for col in range(7, 11))
    no_self_score = row_of(sheet, "按时办结率", column=4)
    assert sheet.cell(no_self_score, 8).value is None and sheet.cell(no_self_score, 10).value is None


def test_indicator_rows_carry_the_score_values_the_general_helper_gives():
    # write_indicators fills the score columns inline; they must be _with_score_values's, 差异 included.
    from perfeval_xl.writers.scored_form import (
        DIFFERENCE, SCORE, SELF_SCORE, WEIGHT, _as_mapping, _Layout, _with_score_values,
    )
    items = [indicator("产出指标", "数量指标", "有自评", "9.38", "10"), indicator("产出指标", "数量指标", "无自评", "7"),
             indicator("效益指标", "质量指标", "不适用", "0", "10"), indicator("效益指标", "质量指标", "不适用无自评", "0")]
    items[2].applicable = items[3].applicable = False
    layout = _Layout("自评表")
    header = layout.write_indicators(items)
    for item, values in zip(items, layout.values[header:]):
        values = _as_mapping(values)
        score_values = {column: values[column] for column in (WEIGHT, SELF_SCORE, SCORE, DIFFERENCE) if column in values}
        assert score_values == _with_score_values({}, item)


def test_indicator_rows_listed_by_column_are_drawn_as_rows_of_column_and_value():
    # write_indicators lists an indicator row's values in _INDICATOR_COLUMNS' order; the sheet must be
    # what the same rows give as dicts of column → value, heights and merged-down texts included.
    from perfeval_xl.writers.scored_form import (
        _as_mapping, _default_template, _lay_out, _sheet_xml, compiled_scored_form_style,
    )
    style = compiled_scored_form_style(_default_template())
    long_flag = [Flag("得分未满，缺少偏差原因" * 6, Source(SHEET, "I14"))]
    items = [execution_item(True),
             indicator("产出指标" * 9, "数量指标", "受理办件数量", "10", "10", row=13, flags=long_flag),
             indicator("产出指标" * 9, "数量指标", "新增办事窗口" * 12, "9.38", "10", row=14, flags=long_flag),
             indicator("效益指标", "质量指标", "不适用", "0", "10", row=15)]
    items[3].applicable = False
    for result in (project_result(), project_result(items=items), department_result()):
        layout = _lay_out(result)
        assert any(values.__class__ is list for values in layout.values)
        drawn = _sheet_xml(style, layout, selected=True)
        layout.values = [_as_mapping(values) for values in layout.values]
        assert all(values.__class__ is not list for values in layout.values)
        assert _sheet_xml(style, layout, selected=True) == drawn


def test_a_structures_cuts_and_tall_ranges_are_those_made_row_by_row_and_range_by_range():
    # _row_shapes places one cut for every middle row of a tall range, and _tall_starts keeps a range's
    # measures by its columns and roles: both must give what each row and range gives on its own.
    from perfeval_xl.writers._row_heights import DEFAULT_FONT_SIZE, roomy_length, text_heights
    from perfeval_xl.writers.scored_form import (
        _default_template, _lay_out, _row_shape, _row_shapes, _tall_starts, compiled_scored_form_style,
    )
    style = compiled_scored_form_style(_default_template())
    for result in (project_result(), department_result(), project_result(flags=[])):
        layout = _lay_out(result)
        roles, merges = layout.roles, layout.merges
        cuts = [[] for _ in roles]
        expected = {}
        for first_row, first_col, last_row, last_col in merges:
            start_xf = style.rows[roles[first_row - 1]].xfs[first_col - 1]
            end_border = style.rows[roles[last_row - 1]].border_ids[last_col - 1]
            for row in range(first_row, last_row + 1):
                position = 0 if row == first_row else 2 if row == last_row else 1
                cuts[row - 1].append((first_col, last_col, start_xf, end_border, last_row > first_row, position))
            if last_row > first_row:
                size = float(style.rows[roles[first_row - 1]].font_sizes[first_col - 1] or DEFAULT_FONT_SIZE)
                width = sum(style.column_widths[first_col - 1:last_col])
                floors = sum(style.rows[role].height or 0.0 for role in roles[first_row - 1:last_row])
                expected.setdefault(first_row, []).append(
                    (first_col, last_row, text_heights(width, size), floors, roomy_length(width, size, floors)))
        assert _row_shapes(style, roles, merges) == [_row_shape(style, role, cut) for role, cut in zip(roles, cuts)]
        expected = {row: tuple(ranges) for row, ranges in expected.items()}
        assert any(len(ranges) > 1 or ranges[0][1] > row + 1 for row, ranges in expected.items())
        style.memo.pop("tall ranges", None)
        assert _tall_starts(style, roles, merges) == expected  # measured
        assert _tall_starts(style, roles, merges) == expected  # kept


def test_equal_first_and_second_level_cells_are_merged_down(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    first = row_of(sheet, "受理办件数量", column=4)
    cells = merged(sheet)
    assert f"B{first}:B{first + 2}" in cells  # 产出指标 over three rows
    assert f"C{first}:C{first + 1}" in cells  # 数量指标 under 产出指标
    # 效益指标's 数量指标 is another group: no merge reaches into it from above.
    assert not any(r.startswith(f"C{first}:C{first + 3}") for r in cells)
    assert sheet.cell(first + 3, 3).value == "数量指标"


def test_total_grade_rulebook_and_form_issues_close_the_form(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    total = row_of(sheet, "总分")
    # The unit scored only some items, so its total is not comparable: 差异 stays blank.
    assert [sheet.cell(total, col).value for col in (7, 8, 9, 10)] == [50, 60, 59.5, None]
    grade = row_of(sheet, "评价等级")
    assert sheet.cell(grade, 7).value == "差"
    assert sheet.cell(grade + 1, 1).value == "评分规则：mof-2020-project；来源：01_政务大厅维护费项目.xlsx（工作表：自评表）"
    issues = row_of(sheet, "复核问题")
    assert [sheet.cell(issues + 1, col).value for col in (2, 3, 4)] == ["提示", "G21", "指标分值合计为50，应为100"]
    assert f"A{issues}:A{issues + 1}" in merged(sheet)


def test_a_form_issue_says_what_to_do_as_the_summary_does(tmp_path):
    flag = Flag("自评得分未填全（1项空白），自评总分92仅供参考", Source(SHEET, "H25"), action="请单位补填全部自评得分")
    sheet = scored_sheet(tmp_path, project_result(flags=[flag]))[SHEET]
    issues = row_of(sheet, "复核问题")
    assert [sheet.cell(issues + 1, col).value for col in (2, 3, 4)] == [
        "提示", "H25", "自评得分未填全（1项空白），自评总分92仅供参考，请单位补填全部自评得分"]


def test_a_form_without_issues_says_none(tmp_path):
    result = project_result(flags=[])
    for item in result.items:
        item.flags = []
    sheet = scored_sheet(tmp_path, result)[SHEET]
    assert sheet.cell(row_of(sheet, "复核问题") + 1, 4).value == "无"


def test_a_form_whose_issues_are_all_its_indicators_says_where_they_are(tmp_path):
    # A bare 无 read as "nothing wrong" over a table whose 问题提示 held two problems.
    sheet = scored_sheet(tmp_path, project_result(flags=[]))[SHEET]
    issues = row_of(sheet, "复核问题")
    assert sheet.cell(issues, 3).value == "原表单元格"
    assert sheet.cell(issues + 1, 4).value == "表级无问题；各指标的2条问题见“问题提示”列"


def test_department_form_has_no_fund_block_and_names_the_reporting_unit(tmp_path):
    sheet = scored_sheet(tmp_path, department_result())["评分表"]
    assert sheet["A1"].value == "部门整体支出绩效评价指标评分表（复核）"
    assert sheet["A2"].value == "（2019年度）"
    assert (sheet["A3"].value, sheet["B3"].value) == ("填报单位", "长沙市开福区行政审批服务局")
    column_a = [sheet.cell(row, 1).value for row in range(1, sheet.max_row + 1)]
    assert "项目资金（万元）" not in column_a and "年度总体目标" not in column_a
    assert sheet.cell(row_of(sheet, "预算完成率", column=4), 9).value == 4.78


def test_one_sheet_per_form_with_valid_distinct_titles(tmp_path):
    long = "一个很长很长很长很长很长很长很长很长很长很长很长很长的工作表名称"
    workbook = scored_sheet(tmp_path, project_result(sheet=long), project_result(sheet=long),
                            project_result(sheet="a/b"))
    assert workbook.sheetnames == [long[:31], long[:28] + "(2)", "a_b"]


def test_a_form_sheet_may_bear_a_name_the_template_uses(tmp_path):
    assert scored_sheet(tmp_path, project_result(sheet="说明")).sheetnames == ["说明"]


def test_sheet_titles_follow_excels_rules():
    assert unique_sheet_titles(["History", "x[1]:y", "''", "Sheet", "SHEET"]) == [
        "History_", "x_1__y", "Sheet", "Sheet(2)", "SHEET(3)"]


def test_a_sheet_name_with_a_control_character_still_gives_a_form_excel_opens(tmp_path):
    # A workbook.xml may write one as &#x1B;; copied into the scored form's workbook.xml it made
    # the file ill-formed, while the batch reported it scored.
    assert scored_sheet(tmp_path, project_result(sheet="自评\x1b[2J表\x07")).sheetnames == ["自评_2J表"]
    assert unique_sheet_titles(["\x00\x1f"]) == ["Sheet"]


def test_writing_no_forms_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_scored_workbook([], tmp_path / "x.xlsx")


# -- the scored form: look and print -------------------------------------------------


def test_scored_form_prints_on_a4_landscape_one_page_wide(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    assert sheet.page_setup.paperSize == A4
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_area == f"'{SHEET}'!$A$1:$M${sheet.max_row}"
    header = row_of(sheet, "绩效指标")
    assert sheet.print_title_rows == f"${header}:${header}"


# -- the scored form: where printed pages end -----------------------------------------
#
# The form prints fit to the page's width, as many pages tall as it needs; the writer ends each
# page itself (manual row breaks) so that 总分 and 评价等级 never stand alone under a repeated
# header, and 复核问题 rows never sit under the indicator header.


#: The shipped template's print setup: A4 landscape, margins 0.4/0.6 in, one page wide.
SHIPPED_SETUP = dict(paper_size=A4, landscape=True, left=0.4, right=0.4, top=0.6, bottom=0.6,
                     fit_to_page=True, fit_to_width=1, fit_to_height=0, scale=None)


def _form_rows(indicators: int, issues: int = 1, closing: int = 3) -> list[str]:
    """The roles of a form's rows: a heading of three rows, the table, 总分 · 评价等级 · notes, 复核问题."""
    return (["title", "year", "name_row", "table_header"] + ["indicator"] * indicators
            + ["total", "grade"] + ["note"] * (closing - 2) + ["issue_header"] + ["issue"] * issues)


def _pages(roles: list[str], page: float, row_height: float = 20.0, runs=()):
    from perfeval_xl.writers._page_breaks import FormRows, paginate

    rows = FormRows(*(roles.index(role) + 1 for role in ("table_header", "total", "issue_header")))
    return paginate([row_height] * len(roles), roles, rows, list(runs), page)


def test_the_shipped_setup_prints_a_page_of_about_600_points_of_rows():
    # A4 landscape less its margins, 508.9 pt tall, at the 82 % that fits the template's 181
    # characters of columns (950 pt in Excel's pixels of Calibri 11) into its 784 pt of width; 97 % of it.
    from perfeval_xl.writers._page_breaks import PrintSetup, page_height
    from perfeval_xl.writers._style_template import compiled_scored_form_style
    from perfeval_xl.writers.scored_form import _default_template

    widths = compiled_scored_form_style(_default_template()).column_widths
    assert page_height(PrintSetup(**SHIPPED_SETUP), widths, 11.0) == pytest.approx((595.28 - 86.4) / 0.82 * 0.97)


@pytest.mark.parametrize("change", [dict(fit_to_height=1), dict(fit_to_height=None), dict(fit_to_width=2),
                                    dict(paper_size=None), dict(paper_size=256)],
                         ids=["one-page-tall", "tall-unstated", "two-pages-wide", "no-paper", "custom-paper"])
def test_a_setup_the_estimate_does_not_know_leaves_the_pages_to_excel(change):
    from perfeval_xl.writers._page_breaks import ONE_PAGE, PrintSetup, page_height

    assert page_height(PrintSetup(**{**SHIPPED_SETUP, **change}), [10.0] * 13, 11.0) is None
    assert _pages(_form_rows(60), None) == ONE_PAGE


def test_a_form_within_one_page_gets_no_break_and_keeps_its_print_titles():
    from perfeval_xl.writers._page_breaks import ONE_PAGE

    roles = _form_rows(10)
    assert _pages(roles, page=20.0 * len(roles)) == ONE_PAGE


def test_the_total_never_starts_a_page_the_tables_last_two_rows_go_with_it():
    roles = _form_rows(10)  # the table's rows 5–14, 总分 15
    # Excel would end the first page after 总分 (15 rows of 20 pt), leaving 评价等级 and the notes alone.
    pages = _pages(roles, page=300.0)
    assert pages.breaks == (12,) and pages.titles  # rows 13–14 go with 总分, under the repeated header
    # … and after the table, not under it: a page ending right after the last indicator.
    assert _pages(roles, page=280.0).breaks == (12,)


def test_a_table_whole_on_the_first_page_leaves_the_issues_to_the_next_page_without_a_header():
    roles = _form_rows(10, issues=4)  # 复核问题 on row 18, its rows 19–22
    # Excel would end the page on the 复核问题 header (18 rows), its rows going to the next page
    # under the repeated indicator header: 提示 under 一级指标.
    pages = _pages(roles, page=360.0)
    assert pages.breaks == (17,)  # 复核问题 starts the next page, header and rows
    assert not pages.titles  # no other page holds indicator rows: none repeats their header


def test_after_a_table_of_several_pages_the_issues_follow_the_closing_rows():
    roles = _form_rows(30, issues=2)  # the table's rows 5–34, 总分 35, 复核问题 38
    pages = _pages(roles, page=400.0)  # 20 rows on the first page, 19 under the header on the next
    assert pages.titles
    assert pages.breaks[0] == 20
    # The second page would end on 复核问题 (row 39): the table's last two rows, the closing rows
    # and 复核问题 go to a third page together, under the header that labels those two rows.
    assert pages.breaks[1:] == (32,)


def test_a_break_keeps_a_short_merged_second_level_cell_whole():
    from perfeval_xl.writers.scored_form import LEVEL2

    roles = _form_rows(40)
    run = (18, LEVEL2, 21, LEVEL2)  # 二级指标 merged down rows 18–21
    assert _pages(roles, page=400.0).breaks[0] == 20
    assert _pages(roles, page=400.0, runs=[run]).breaks[0] == 17


def test_a_page_never_ends_with_a_header_row():
    roles = ["title", "year", "name_row", "goal_header", "goal_text"] + _form_rows(20)[3:]
    pages = _pages(roles, page=120.0)  # would end on the table's header (row 6)
    assert pages.breaks[0] == 5


def test_a_form_of_more_pages_than_excel_takes_breaks_for_ends_only_its_first_1024():
    # Excel reports a sheet of more than 1,024 manual row breaks as damaged on opening; a form that
    # long (texts going on over hundreds of rows) ends its first 1,024 pages, Excel paginates the rest.
    from perfeval_xl.writers._page_breaks import MAX_ROW_BREAKS

    roles = _form_rows(2000)  # a row a page under the repeated header: some 2,000 pages
    pages = _pages(roles, page=40.0)
    assert MAX_ROW_BREAKS == 1024 and len(pages.breaks) == MAX_ROW_BREAKS
    assert pages.breaks == _pages(_form_rows(1030), page=40.0).breaks  # the same first pages


def test_a_form_of_fewer_pages_than_the_limit_keeps_every_break():
    roles = _form_rows(1000)  # 1,009 rows: a page each after the first two
    pages = _pages(roles, page=40.0)
    assert len(pages.breaks) == 1007 and pages.breaks[-1] == len(roles) - 1


def test_a_long_form_prints_with_breaks_that_keep_its_total_with_its_last_rows(tmp_path):
    items = [execution_item()] + [indicator("产出指标", f"二级{i // 4}", f"指标{i}", "10", "10", row=13 + i,
                                            basis="按季度统计完成情况" * (1 + i % 5)) for i in range(40)]
    path = tmp_path / "scored.xlsx"
    write_scored_workbook([project_result(items=items)], path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    breaks = [int(row) for row in re.findall(r'<brk id="(\d+)" min="0" max="16383" man="1"/>', xml)]
    assert len(breaks) >= 2 and f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">' in xml
    sheet = openpyxl.load_workbook(path)[SHEET]
    header, total = row_of(sheet, "绩效指标"), row_of(sheet, "总分")
    assert sheet.print_title_rows == f"${header}:${header}"
    assert breaks[-1] <= total - 3  # 总分's page starts two indicator rows above it at least
    assert all(sheet.cell(row, 1).value != "复核问题" for row in breaks)
    # Each page holds what Excel prints on one (the repeated header's row on the next ones), so that
    # Excel adds no break of its own before the writer's.
    heights = [sheet.row_dimensions[row].height for row in range(1, sheet.max_row + 1)]
    page = (595.28 - 86.4) / 0.82 * 0.97
    for first, last in zip([1, *(row + 1 for row in breaks)], [*breaks, sheet.max_row]):
        assert sum(heights[first - 1:last]) + (heights[header - 1] if first > 1 else 0) <= page


def test_a_short_form_gets_no_row_breaks(tmp_path):
    path = tmp_path / "scored.xlsx"
    write_scored_workbook([department_result()], path)
    with zipfile.ZipFile(path) as archive:
        assert b"rowBreaks" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = row_of(sheet, "绩效指标")
    assert sheet.print_title_rows == f"${header}:${header}"


def test_page_number_footer_has_room_inside_the_bottom_margin(tmp_path):
    margins = scored_sheet(tmp_path, project_result())[SHEET].page_margins
    # The footer's 9–10 pt line needs ~0.2 in between its edge and the body's bottom margin.
    assert margins.bottom - margins.footer >= 0.25
    assert margins.top - margins.header >= 0.25


def test_scored_form_is_styled_from_the_template(tmp_path):
    sheet = scored_sheet(tmp_path, project_result())[SHEET]
    assert sheet["A1"].font.name == "宋体" and sheet["A1"].font.b and sheet["A1"].font.sz == 16
    row = row_of(sheet, "受理办件数量", column=4)
    assert sheet.cell(row, 4).font.name == "宋体"
    assert sheet.cell(row, 4).alignment.wrap_text
    assert sheet.cell(row, 4).border.left.style == "thin"
    assert sheet.column_dimensions["K"].width > sheet.column_dimensions["G"].width


def test_long_text_makes_its_row_taller(tmp_path):
    long_basis = "实际完成值按季度统计，" * 12
    items = [execution_item(), indicator("产出指标", "数量指标", "短", "10"),
             indicator("产出指标", "数量指标", "长", "10", basis=long_basis)]
    sheet = scored_sheet(tmp_path, project_result(items=items))[SHEET]
    short_row, long_row = row_of(sheet, "短", column=4), row_of(sheet, "长", column=4)
    assert sheet.row_dimensions[long_row].height > 2 * sheet.row_dimensions[short_row].height


def test_a_restyled_template_restyles_the_output(tmp_path):
    template = openpyxl.load_workbook(template_path(SCORED_FORM_STYLE))
    (_, ref), = template.defined_names["style_indicator"].destinations
    prototype_row = int(re.search(r"\d+", ref).group())
    style_sheet = template["复核样式"]
    style_sheet.cell(prototype_row, 4).font = openpyxl.styles.Font(name="黑体", sz=12)
    style_sheet.column_dimensions["D"].width = 40
    restyled = tmp_path / "restyled.xlsx"
    template.save(restyled)

    sheet = scored_sheet(tmp_path, project_result(), template=restyled)[SHEET]
    row = row_of(sheet, "受理办件数量", column=4)
    assert (sheet.cell(row, 4).font.name, sheet.cell(row, 4).font.sz) == ("黑体", 12)
    assert sheet.column_dimensions["D"].width == 40


def test_a_template_missing_a_row_kind_is_refused_by_name(tmp_path):
    template = openpyxl.load_workbook(template_path(SCORED_FORM_STYLE))
    del template.defined_names["style_grade"]
    broken = tmp_path / "broken.xlsx"
    template.save(broken)
    with pytest.raises(ValueError, match="style_grade"):
        write_scored_workbook([project_result()], tmp_path / "out.xlsx", template=broken)
    assert not (tmp_path / "out.xlsx").exists()


def test_output_holds_only_the_forms_not_the_template(tmp_path):
    workbook = scored_sheet(tmp_path, project_result())
    assert workbook.sheetnames == [SHEET]
    assert not [name for name in workbook.defined_names if name.startswith("style_")]


# -- unit text stays text ---------------------------------------------------------------

HOSTILE_TEXTS = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "=1+1", "#N/A"]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_unit_text_is_written_as_text_never_as_a_formula(tmp_path, text):
    items = [execution_item(), indicator("产出指标", "数量指标", text, "10", target=text, actual=text,
                                         reason=text, basis=text)]
    result = project_result(name=text, items=items, flags=[Flag(text, Source(SHEET, "A1"))])
    result.form.goal_expected = text
    path = tmp_path / "scored.xlsx"
    write_scored_workbook([result], path)

    sheet = openpyxl.load_workbook(path, data_only=False)[SHEET]
    assert (sheet["B3"].value, sheet["B3"].data_type) == (text, "s")
    row = row_of(sheet, text, column=4)
    for col in (4, 11, 12):
        assert (sheet.cell(row, col).value, sheet.cell(row, col).data_type) == (text, "s")
    for col in (5, 6):  # a target or actual that is a bare number is that number, never a formula
        expected = (-3, "n") if text == "-3" else (text, "s")
        assert (sheet.cell(row, col).value, sheet.cell(row, col).data_type) == expected
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "<hyperlinks" not in sheet_xml


# -- rates are numbers -------------------------------------------------------------------


def _written_both_ways(tmp_path: Path, result: FormResult) -> list:
    """The form's sheet as the batch writes it (XML) and as the openpyxl reference draws it."""
    from perfeval_xl.writers.scored_form import write_scored_workbook_openpyxl

    fast, reference = tmp_path / "fast.xlsx", tmp_path / "reference.xlsx"
    write_scored_workbook([result], fast)
    write_scored_workbook_openpyxl([result], reference)
    return [openpyxl.load_workbook(path)[result.form.sheet] for path in (fast, reference)]


@pytest.mark.parametrize("written, number, number_format", [
    ("95.01%", 0.9501, "0.00%"), ("-4.41%", -0.0441, "0.00%"), ("100%", 1, "0%"), ("96.4%", 0.964, "0.0%"),
    ("97％", 0.97, "0%"), ("0.125%", 0.00125, "0.000%"),
])
def test_a_bare_percentage_is_a_number_shown_as_the_unit_wrote_it(tmp_path, written, number, number_format):
    # A rate written as text ("95.01%") sorted as text and summed to 0 in Excel; as Excel stores a
    # typed 95.01%, it is the number 0.9501 shown with as many decimals as written.
    items = [execution_item(), indicator("产出指标", "质量指标", "办结率", "10", target="≥95%", actual=written)]
    for sheet in _written_both_ways(tmp_path, project_result(items=items)):
        cell = sheet.cell(row_of(sheet, "办结率", column=4), 6)
        assert (cell.data_type, cell.number_format) == ("n", number_format)
        assert cell.value == pytest.approx(number)


@pytest.mark.parametrize("written", ["≥95%", "约95%", "95%以上", "095%", "1,000%", "95.1234567%", "95 %", "百分之九十五"])
def test_a_percentage_with_words_or_another_spelling_stays_text_as_the_unit_wrote_it(tmp_path, written):
    items = [execution_item(), indicator("产出指标", "质量指标", "办结率", "10", target=written, actual=written)]
    for sheet in _written_both_ways(tmp_path, project_result(items=items)):
        row = row_of(sheet, "办结率", column=4)
        for col in (5, 6):
            assert (sheet.cell(row, col).value, sheet.cell(row, col).data_type) == (written, "s")


def test_control_characters_pasted_into_a_form_do_not_break_the_output(tmp_path):
    sheet = scored_sheet(tmp_path, project_result(name="政务\x07大厅\x1b项目"))[SHEET]
    assert sheet["B3"].value == "政务大厅项目"


# -- atomic writes -----------------------------------------------------------------------


def test_atomic_output_replaces_the_file_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as temp:
            temp.write_text("half")
            raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]  # no temp file left behind

    with atomic_output(target) as temp:
        assert temp.parent == tmp_path and temp != target
        temp.write_text("new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_write_bytes_creates_the_folder_and_leaves_only_the_file(tmp_path):
    target = tmp_path / "new" / "out.xlsx"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["out.xlsx"]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # as a normal save, not mkstemp's 0600


def test_atomic_write_bytes_into_a_folder_another_worker_makes_meanwhile(tmp_path, monkeypatch):
    # Two workers start in one new folder: this one's first attempt fails for want of the folder,
    # which the other one makes before this one looks again.  It is written, not an error.
    import perfeval_xl.writers._atomic as atomic

    target = tmp_path / "new" / "out.xlsx"
    real_open, attempts = os.open, []

    def open_racing(path, *args):
        attempts.append(path)
        if len(attempts) == 1:
            os.mkdir(target.parent)  # the other worker, just after this attempt failed
            raise FileNotFoundError(2, "No such file or directory", path)
        return real_open(path, *args)

    monkeypatch.setattr(atomic.os, "open", open_racing)
    atomic_write_bytes(target, b"data")
    monkeypatch.undo()
    assert target.read_bytes() == b"data"
    assert os.listdir(target.parent) == ["out.xlsx"]


def test_atomic_write_bytes_removes_its_temporary_file_when_the_rename_fails(tmp_path):
    (tmp_path / "taken.xlsx").mkdir()  # a folder where the file should go
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "taken.xlsx", b"data")
    assert os.listdir(tmp_path) == ["taken.xlsx"]


# -- templates -----------------------------------------------------------------------------


def test_blank_templates_are_the_forms_units_fill(tmp_path):
    paths = blank_templates()
    assert [path.name for path in paths] == ["项目支出绩效自评表.xlsx", "部门整体支出绩效评价表.xlsx"]
    assert SCORED_FORM_STYLE not in [path.name for path in paths]
    assert template_path(SCORED_FORM_STYLE).is_file()
    with pytest.raises(FileNotFoundError):
        template_path("没有这个模板.xlsx")


def test_blank_form_has_the_national_layout():
    sheet = openpyxl.load_workbook(blank_templates()[0]).active
    column_a = [sheet.cell(row, 1).value for row in range(1, sheet.max_row + 1)]
    for label in ("项目支出绩效自评表", "项目名称", "主管部门", "项目资金（万元）", "年度总体目标", "绩效指标", "总分"):
        assert label in column_a
    fund_header = column_a.index("项目资金（万元）") + 1
    assert [sheet.cell(fund_header, col).value for col in range(3, 9)] == [
        "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert [sheet.cell(row, 2).value for row in range(fund_header + 1, fund_header + 5)] == [
        "年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    table = column_a.index("绩效指标") + 1
    assert [sheet.cell(table, col).value for col in range(2, 10)] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    level1 = [sheet.cell(row, 2).value for row in range(table + 1, column_a.index("总分") + 1)]
    assert [label for label in level1 if label] == ["产出指标", "效益指标", "满意度指标"]
    assert len(level1) >= 10
    assert sheet["A1"].font.name == "宋体" and sheet["A1"].font.b and sheet["A1"].font.sz == 16
    assert sheet.page_setup.paperSize == A4 and sheet.page_setup.fitToWidth == 1
    assert sheet.print_area.endswith(f"$A$1:$I${sheet.max_row}")


# -- summary.json -----------------------------------------------------------------------------


def batch() -> list[FileResult]:
    return [
        ok_file(project_result()),
        FileResult("坏文件.xlsx", "error", error="文件已损坏，无法打开"),
        ok_file(department_result(), file="07_部门整体支出.xlsx"),
        FileResult("说明.docx", "skipped", error="不是Excel文件"),
    ]


def test_summary_dict_has_the_documented_shape():
    summary = summary_dict(batch(), "mof-2020-project")
    assert summary["rulebook"] == "mof-2020-project"
    assert [file["file"] for file in summary["files"]] == [
        "01_政务大厅维护费项目.xlsx", "坏文件.xlsx", "07_部门整体支出.xlsx", "说明.docx"]

    ok, broken, department, skipped = summary["files"]
    assert (ok["status"], ok["error"]) == ("ok", None)
    assert (broken["status"], broken["error"], broken["forms"]) == ("error", "文件已损坏，无法打开", [])
    assert skipped["status"] == "skipped"

    form = ok["forms"][0]
    assert form["sheet"] == SHEET
    assert form["kind"] == "project"
    assert form["name"] == "政务大厅维护费项目"
    assert form["total"] == 59.5 and isinstance(form["total"], float)
    assert form["self_total"] == 60.0
    assert form["grade"] == "差"
    assert form["flags"] == ["指标分值合计为50，应为100（G21）"]
    assert form["difference"] is None and form["department"] == "长沙市开福区行政审批服务局"

    execution, *indicators = form["items"]
    assert execution == {
        "level1": "预算执行", "level2": "", "name": "预算执行率", "weight": 10.0, "score": 9.5,
        "self_score": 9.5, "basis": "59.38/62.5=95.01%，×10=9.50", "flags": [],
        "applicable": True, "difference": 0.0, "cell": "H6", "target": "", "actual": "",
    }
    assert indicators[1]["flags"] == ["得分未满，缺少偏差原因（I14）", "自评得分与复核得分不一致（H14）"]
    assert indicators[2]["self_score"] is None and indicators[2]["difference"] is None

    assert department["forms"][0]["kind"] == "department"
    assert department["forms"][0]["name"] == "长沙市开福区行政审批服务局"  # 填报单位


def test_summary_dict_lists_every_flag_with_its_level_item_and_what_to_do():
    form = summary_dict(batch(), "mof-2020-project")["files"][0]["forms"][0]
    assert form["issues"][0] == {"level": "warning", "message": "指标分值合计为50，应为100",
                                 "sheet": SHEET, "cell": "G21", "item": None, "action": "请复核"}
    assert [issue["item"] for issue in form["issues"][1:]] == ["新增办事窗口", "新增办事窗口"]


def test_summary_dict_says_what_to_do_about_a_file_that_gave_no_form():
    ok, broken, _, skipped = summary_dict(batch(), "mof-2020-project")["files"]
    assert ok["action"] is None
    assert broken["action"] == "请单位重新导出/报送该文件"  # "文件已损坏，无法打开"
    assert skipped["action"] == "如需评分，请另存为Excel工作簿后放入收件箱"  # "不是Excel文件"


def test_summary_json_is_readable_chinese_json(tmp_path):
    path = tmp_path / "summary.json"
    write_summary_json(batch(), path, "mof-2020-project")
    text = path.read_text(encoding="utf-8")
    assert "政务大厅维护费项目" in text  # not \\u-escaped
    assert json.loads(text) == json.loads(json.dumps(summary_dict(batch(), "mof-2020-project")))


# summary.xlsx: see test_summary_xlsx.py


def test_a_flag_on_the_scored_form_names_the_input_cell_it_is_about():
    from perfeval_xl.writers._display import flags_on_form

    flags = [Flag("自评得分与复核得分不一致", Source("评分表", "I5"), action="请单位核实自评得分"),
             Flag("在职人数缺失", Source("基础数据表", "C4"), "error"), Flag("分值合计不符", None)]
    assert flags_on_form(flags, "评分表") == ("自评得分与复核得分不一致，请单位核实自评得分（原表I5）；"
                                           "在职人数缺失（原表基础数据表!C4）；分值合计不符")


# --------------------------------------------------------------------------
# What Excel opens without "We found a problem with some content"
# --------------------------------------------------------------------------


def test_the_excel_check_finds_what_excel_would_repair(tmp_path):
    from xlsx_check import excel_problems

    path = tmp_path / "scored.xlsx"
    write_scored_workbook([project_result()], path)
    assert excel_problems(path) == []
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    first_merge = re.search(rb'<mergeCell ref="[A-Z]+\d+:[A-Z]+\d+"/>', xml).group()
    last_row = int(re.search(rb'<dimension ref="A1:[A-Z]+(\d+)"/>', xml).group(1))
    breaks = b"".join(b'<brk id="%d" min="0" max="16383" man="1"/>' % (row % (last_row - 1) + 1) for row in range(1025))
    broken = (xml.replace(first_merge, first_merge * 2)  # a merged range twice: they overlap
              .replace(b"</worksheet>", b'<rowBreaks count="1025" manualBreakCount="1025">%s</rowBreaks></worksheet>'
                       % breaks)
              .replace(b' customHeight="1"', b"", 1))  # a row height Excel would ignore
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in {**parts, "xl/worksheets/sheet1.xml": broken}.items():
            archive.writestr(name, data)
    kinds = {kind for _, kind, _ in excel_problems(path)}
    assert {"merge-overlap", "mergeCells-count-mismatch", "rowBreaks-over-1024",
            "rowBreaks-unsorted-or-duplicate", "ht-without-customHeight"} <= kinds


def test_forms_whose_texts_go_on_over_rows_and_an_f2_beside_its_table_open_in_excel_without_repair(tmp_path):
    from click.testing import CliRunner
    from deptgen import BaseFigures, with_notes, write_beside_the_table, write_department_workbook
    from formgen import write_form
    from hostile import good_project
    from xlsx_check import excel_problems

    from perfeval_xl.cli import main

    inbox = tmp_path / "in"
    reason = ("因汛期持续降雨部分路段养护工程延期实施，" * 100)[:2000]  # some seven rows of 409 pt
    goals = "\n".join(f"{k}、完成第{k}项年度任务" for k in range(1, 101))
    project = good_project(goal_expected=goals, goal_actual=goals)
    project.rows[0].reason = reason
    write_form(inbox / "长文本.xlsx", project)
    write_form(inbox / "二十个项目.xlsx", [good_project(f"项目{i}", sheet_name=f"项目{i}") for i in range(20)])
    department = write_department_workbook(inbox / "部门.xlsx", BaseFigures(unit="某市统计局"))
    with_notes(department)
    workbook = openpyxl.load_workbook(department)
    write_beside_the_table(workbook["基础数据表"])
    scoring = workbook["指标评分表"]
    standard = "\n".join(f"{k}、按规定执行得满分，否则酌情扣分" for k in range(1, 31))
    for row in scoring.iter_rows():
        for cell in row:
            if cell.value == "见评分标准":
                cell.value = standard
    workbook.save(department)

    outbox = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(outbox), "--quiet", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    workbooks = sorted(outbox.rglob("*.xlsx"))
    assert len(workbooks) == 4
    with zipfile.ZipFile(outbox / "长文本.scored.xlsx") as archive:  # the texts did go on over rows
        assert archive.read("xl/worksheets/sheet1.xml").count(b'ht="409"') >= 2
    assert {path.name: excel_problems(path) for path in workbooks} == {path.name: [] for path in workbooks}
