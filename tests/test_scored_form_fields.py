"""Every field of the input reaches the scored form (forms.md Outputs §1), in both writers.

Each test writes a form with ``formgen``/``deptgen``, scores it, draws it with the fast
XML writer and with the openpyxl reference, checks the two are the same, and reads
the fields an officer looks for off the fast writer's sheet.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl

import perfeval_xl
from formgen import FundRow, Funds, Project, Row, write_form
from perfeval_xl.writers.scored_form import write_scored_workbook, write_scored_workbook_openpyxl

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_scored_form", ROOT / "bench" / "check_scored_form.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


def scored_workbook(tmp_path: Path, form: Path):
    """The scored workbook of ``form`` as the fast writer draws it, once checked against the reference."""
    forms = perfeval_xl.score_workbook(form).forms
    fast, reference = tmp_path / "fast.xlsx", tmp_path / "reference.xlsx"
    write_scored_workbook(forms, fast)
    write_scored_workbook_openpyxl(forms, reference)
    assert check.compare(fast, reference) is None
    return openpyxl.load_workbook(fast)


def row_with(sheet, text: str) -> list:
    """The values of the first row holding ``text``."""
    for row in sheet.iter_rows(values_only=True):
        if text in row:
            return list(row)
    raise AssertionError(f"no row holds {text!r}")


def sichuan_project(**overrides) -> Project:
    rows = [
        Row("产出指标", "成本指标", "大厅维护成本", 80, 98, 10, None, "设备老化", nature="≤", unit="万元"),
        Row("产出指标", "数量指标", "新增办事窗口", 16, 13, 10, 10, "场地不足", nature="≥", unit="个"),
        Row("产出指标", "数量指标", "培训场次", 12, 12, 10, 10, "", nature="≥"),
        Row("效益指标", "社会效益指标", "企业开办便利度", "明显提升", "基本达成", 60, 50, "", nature="定性"),
    ]
    fields = dict(name="优化办工作经费项目", department="某局", unit="某中心", year=2023,
                  funds=Funds(20, 24, 19.2), rows=rows)
    fields.update(overrides)
    return Project(**fields)


# -- Sichuan 2023: 指标性质, 度量单位 and the execution's 未完成原因分析 ----------------------------


def test_sichuan_target_shows_its_operator_and_unit_as_the_engine_read_them(tmp_path):
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "sc.xlsx", sichuan_project(), "sichuan-2023")).active
    # A cost ceiling reads as one: "≤ | 80 | 万元 | 98" is not the target "80" reached at "98".
    assert row_with(sheet, "大厅维护成本")[4:6] == ["≤80万元", "98万元"]
    assert row_with(sheet, "新增办事窗口")[4:6] == ["≥16个", "13个"]


def test_a_bare_number_stays_a_number(tmp_path):
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "sc.xlsx", sichuan_project(), "sichuan-2023")).active
    # 12 with no 度量单位: the actual 12 is carried as the number it was, not rewritten as text "12".
    assert row_with(sheet, "培训场次")[4:6] == ["≥12", 12]


def test_a_qualitative_target_is_shown_as_written(tmp_path):
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "sc.xlsx", sichuan_project(), "sichuan-2023")).active
    row = row_with(sheet, "企业开办便利度")
    assert row[4:6] == ["明显提升", "基本达成"]
    assert row[10].startswith("定性指标")  # its 评分依据 says how it was read


def test_sichuan_reason_for_the_execution_sits_beside_its_basis(tmp_path):
    reason = "政府采购流程延迟，部分资金未能在年内支付"
    form = write_form(tmp_path / "sc.xlsx", sichuan_project(exec_reason=reason), "sichuan-2023")
    sheet = scored_workbook(tmp_path, form).active
    header = row_with(sheet, "评分依据")
    assert header[10:12] == ["评分依据", "偏差原因分析及改进措施"]
    line = row_with(sheet, reason)
    assert line[10].startswith("19.2/24×10") and line[11] == reason


def test_a_fund_block_without_a_reason_keeps_its_wide_basis(tmp_path):
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "sc.xlsx", sichuan_project(), "sichuan-2023")).active
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    first_fund_row = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 2).value == "资金总额")
    assert f"K{first_fund_row}:L{first_fund_row + 3}" in merged


# -- row heights: a text merged down several rows is not cut off ----------------------------


def test_a_problem_text_merged_down_the_fund_rows_gets_the_height_it_needs(tmp_path):
    from perfeval_xl.writers._row_heights import measured_height

    # 年度资金总额 0, 130 spent of 100, self-score 3: three flags in the one 问题提示 cell M6:M9.
    funds = Funds(0, 0, 0, sub_rows=[FundRow("fiscal", 100, 100, 130), FundRow("carryover"), FundRow("other")],
                  total_row="zero")
    project = sichuan_project(funds=funds, exec_self_score=3)
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "f.xlsx", project)).active
    first = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 2).value == "年度资金总额")
    flags = sheet.cell(first, 13).value
    assert flags.count("；") >= 2 and f"M{first}:M{first + 3}" in {str(r) for r in sheet.merged_cells.ranges}
    height = sum(sheet.row_dimensions[row].height for row in range(first, first + 4))
    assert height >= measured_height(flags, sheet.column_dimensions["M"].width, 10)
    assert sheet.row_dimensions[first].height == 20  # the rows above keep their own height: the last takes the rest


# -- Beijing 2016: 得分计算方法 ------------------------------------------------------------------


def test_beijing_scoring_method_of_the_form_follows_the_engines_basis(tmp_path):
    rows = [Row("产出指标", "数量指标", "受理办件数量", "≥120000件", "111074件", 50, 45, "原因"),
            Row("效益指标", "社会效益指标", "便利度", "明显提升", "基本达成", 30, 25, "原因"),
            Row("满意度指标", "服务对象满意度指标", "投诉率", "≤5%", "4%", 10, 10)]
    project = Project(name="北京样式项目", department="某局", unit="某中心", year=2016,
                      funds=Funds(12, None, 10.8), rows=rows)
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "bj.xlsx", project, "beijing-2016")).active
    assert row_with(sheet, "受理办件数量")[10] == "111074/120000×50=46.28（原表得分计算方法：B/A×分值）"
    assert row_with(sheet, "便利度")[10].endswith("（原表得分计算方法：定性指标按完成程度评分）")
    assert row_with(sheet, "投诉率")[10].endswith("（原表得分计算方法：A/B×分值）")
    assert row_with(sheet, "年度资金总额")[10] == (
        "按年初预算数：10.8/12×10=9.00（执行率90.00%）（原表得分计算方法：执行率*该指标分值，最高不得超过分值上限）")


def test_a_form_without_a_scoring_method_shows_the_basis_alone(tmp_path):
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "sc.xlsx", sichuan_project(), "sichuan-2023")).active
    assert not any("原表得分计算方法" in str(value) for row in sheet.iter_rows(values_only=True) for value in row)


# -- an indicator table's other columns: 备注, 指标解释, 评分标准 ---------------------------------


def test_other_columns_of_the_indicator_table_are_carried_under_the_units_reason(tmp_path):
    rows = [Row("产出指标", "数量指标", "家庭医生签约人数", "≥5000人", "4800人", 20, 20, "年中人员调整"),
            Row("产出指标", "质量指标", "健康档案规范化率", "≥90%", "92%", 15, 15),
            Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, 30),
            Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 10)]
    path = write_form(tmp_path / "form.xlsx", Project(name="某项目", department="某局", unit="某中心", year=2023,
                                                       funds=Funds(100, 100, 100), rows=rows))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = next(row[0].row for row in sheet.iter_rows() if any(cell.value == "三级指标" for cell in row))
    notes, explanation = sheet.max_column + 1, sheet.max_column + 2
    sheet.cell(header, notes, "备注")
    sheet.cell(header, explanation, "指标解释")
    sheet.cell(header + 1, notes, "含新签约")
    sheet.cell(header + 1, explanation, "签约居民人数")
    sheet.cell(header + 2, explanation, "规范化档案数/建档数")
    sheet.cell(header + 3, notes, "/")  # a placeholder: nothing written
    book.save(path)
    scored = scored_workbook(tmp_path, path).active
    assert row_with(scored, "家庭医生签约人数")[11] == "年中人员调整\n备注：含新签约；指标解释：签约居民人数"
    assert row_with(scored, "健康档案规范化率")[11] == "指标解释：规范化档案数/建档数"
    assert row_with(scored, "居民健康素养水平")[11] is None
    [form] = perfeval_xl.score_workbook(path).forms
    assert [item.notes for item in form.items] == ["", "备注：含新签约；指标解释：签约居民人数", "指标解释：规范化档案数/建档数",
                                                   "", ""]


# -- department F3: its level weights and its own column names ----------------------------


def department_workbook(tmp_path: Path, order: int = 1) -> Path:
    from deptgen import BaseFigures, write_department_workbook

    path = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures("某局"), order=order)
    if order == 1:  # 分值 beside each level, written on the level's first row
        book = openpyxl.load_workbook(path)
        table = book["指标评分表"]
        table["B4"], table["D4"], table["D7"] = 30, 15, 10
        book.save(path)
    return path


def test_department_form_shows_the_weights_of_its_first_and_second_levels(tmp_path):
    sheet = scored_workbook(tmp_path, department_workbook(tmp_path))["指标评分表"]
    assert row_with(sheet, "在职人员控制率")[1:3] == ["投入（30分）", "预算配置（15分）"]
    assert row_with(sheet, "绩效目标合理性")[2] == "目标设定（10分）"


def test_department_form_heads_its_columns_with_f3s_own_names(tmp_path):
    sheet = scored_workbook(tmp_path, department_workbook(tmp_path))["指标评分表"]
    header = row_with(sheet, "三级指标")
    assert (header[4], header[11]) == ("评价标准", "指标说明")
    assert "年度指标值" not in header and "偏差原因分析及改进措施" not in header


def test_department_form_of_the_other_column_order_heads_them_with_its_names(tmp_path):
    sheet = scored_workbook(tmp_path, department_workbook(tmp_path, order=2))["指标评分表"]
    header = row_with(sheet, "三级指标")
    assert (header[4], header[11]) == ("评分标准", "扣分原因和其他说明")
    assert row_with(sheet, "在职人员控制率")[1] == "投入"  # no level weights on this order


# -- notes a unit wrote between the blocks of a project form -------------------------------------


def _plain_project() -> Project:
    rows = [Row("产出指标", "数量指标", "受理办件数量", "≥120000件", "111074件", 50, 45, "原因"),
            Row("满意度指标", "服务对象满意度指标", "投诉率", "≤5%", "4%", 10, 10)]
    return Project(name="某项目", department="某局", unit="某中心", year=2023, funds=Funds(100, 100, 90), rows=rows)


def test_notes_between_a_project_forms_blocks_are_carried_above_its_table(tmp_path):
    # "注：金额单位为万元…" written above the 项目资金 block and between the goals and the table was
    # dropped from the scored form (a department form's notes were carried, a project's were not).
    path = write_form(tmp_path / "form.xlsx", _plain_project())
    book = openpyxl.load_workbook(path)
    sheet = book.active
    goals = next(row[0].row for row in sheet.iter_rows() if row[0].value == "年度总体目标")
    sheet.insert_rows(goals + 2)
    sheet.cell(goals + 2, 1, "注：实际完成值以年度统计数据为准。")
    fund_header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "项目资金（万元）")
    sheet.insert_rows(fund_header)
    sheet.cell(fund_header, 1, "说明：金额单位为万元。")
    book.save(path)
    notes = ["说明：金额单位为万元。", "注：实际完成值以年度统计数据为准。"]
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.notes == notes
    scored = scored_workbook(tmp_path, path).active
    texts = [row[0] for row in scored.iter_rows(values_only=True)]
    table = texts.index("绩效指标")
    assert texts[table - 2:table] == notes  # above the table, under the goals
    assert f"A{table - 1}:M{table - 1}" in {str(cells) for cells in scored.merged_cells.ranges}


def test_a_note_typed_under_the_goals_in_their_column_is_a_note_not_part_of_the_goal(tmp_path):
    # It was read into 预期目标 and carried as a note too: the scored form showed it twice.
    path = write_form(tmp_path / "form.xlsx", _plain_project())
    book = openpyxl.load_workbook(path)
    sheet = book.active
    goals = next(row[0].row for row in sheet.iter_rows() if row[0].value == "年度总体目标")
    goal_column = next(cell.column for cell in sheet[goals + 1] if cell.value and cell.column > 1)
    sheet.insert_rows(goals + 2)
    sheet.cell(goals + 2, goal_column, "注：目标按项目申报书填写")
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert "申报书" not in form.form.goal_expected and form.form.notes == ["注：目标按项目申报书填写"]
    scored = scored_workbook(tmp_path, path).active
    assert sum("申报书" in str(value) for row in scored.iter_rows(values_only=True) for value in row if value) == 1


def test_a_project_form_without_notes_gets_no_note_rows_above_its_table(tmp_path):
    # Counter-case: the goal text row stays right above the table's header.
    path = write_form(tmp_path / "form.xlsx", _plain_project())
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.notes == []
    scored = scored_workbook(tmp_path, path).active
    texts = [row[0] for row in scored.iter_rows(values_only=True)]
    table = texts.index("绩效指标")
    assert row_with(scored, "按计划完成年度工作任务")[0] is None and texts.index("年度总体目标") == table - 2


# -- a text too tall for one row (Excel's rows stop at 409 pt) goes on in the rows below ----------------


def _project_with(reason: str = "原因", goal: str = "按计划完成年度工作任务") -> Project:
    rows = [Row("产出指标", "数量指标", "培训人次", "≥500人次", "450人次", 50, 45, reason),
            Row("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10, 10)]
    return Project(name="某项目", department="某局", unit="某中心", year=2023, funds=Funds(100, 100, 90), rows=rows,
                   goal_expected=goal, goal_actual="已完成")


def _rows_between(sheet, column: int, first: int, text: str) -> list[int]:
    """The rows from ``first`` down to the one (left out) whose cell in ``column`` is ``text``."""
    last = next(row for row in range(first, sheet.max_row + 1) if sheet.cell(row, column).value == text)
    return list(range(first, last))


def test_a_reason_too_long_for_one_row_goes_on_in_the_rows_below_none_of_it_cut_off(tmp_path):
    # A 偏差原因 of 600 characters needed 799 pt in its column; the row stopped at Excel's 409 and
    # the printed form showed half of it.
    from perfeval_xl.writers._row_heights import measured_height

    reason = "受疫情影响部分培训延期举办，线上培训平台建设滞后，参训人员组织难度加大；" * 17  # 612 characters
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "f.xlsx", _project_with(reason))).active
    first = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 4).value == "培训人次")
    rows = _rows_between(sheet, 4, first, "满意度")  # the next indicator's
    assert len(rows) == 3 and "".join(sheet.cell(row, 12).value for row in rows) == reason
    for row in rows:
        assert measured_height(sheet.cell(row, 12).value, sheet.column_dimensions["L"].width, 10) \
            <= sheet.row_dimensions[row].height <= 409
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    last = rows[-1]
    assert {f"D{first}:D{last}", f"I{first}:I{last}", f"K{first}:K{last}", f"B{first}:B{last}"} <= merged
    assert sheet.cell(first, 5).value == "≥500人次" and sheet.cell(first, 9).value == 45  # the item's own row


def test_a_text_of_many_short_lines_goes_on_in_the_rows_below_too(tmp_path):
    # 35 short lines (165 characters) need 529 pt: far below the column's limit in characters, the
    # row was never looked at, written at 409 pt and its last lines cut off.
    from perfeval_xl.writers._row_heights import measured_height

    actual = "\n".join(f"第{n}批" for n in range(1, 36))
    rows = [Row("效益指标", "社会效益指标", "群众知晓率", "有效提升", actual, 30, 30, "原因"),
            Row("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10, 10)]
    project = Project(name="某项目", department="某局", unit="某中心", year=2023, funds=Funds(100, 100, 90),
                      rows=rows, goal_expected="按计划完成", goal_actual="已完成")
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "f.xlsx", project)).active
    first = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 4).value == "群众知晓率")
    spread = _rows_between(sheet, 4, first, "满意度")
    assert len(spread) == 2 and "\n".join(sheet.cell(row, 6).value for row in spread) == actual
    for row in spread:
        assert measured_height(sheet.cell(row, 6).value, sheet.column_dimensions["F"].width, 10) \
            <= sheet.row_dimensions[row].height <= 409


def test_a_goal_too_long_for_one_row_goes_on_in_the_rows_below(tmp_path):
    from perfeval_xl.writers._row_heights import measured_height

    goal = "\n".join(f"{n}、全面完成年度各项工作任务，提升服务质量和群众满意度。" for n in range(1, 41))
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "f.xlsx", _project_with(goal=goal))).active
    header = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 2).value == "预期目标")
    rows = _rows_between(sheet, 2, header + 1, "一级指标")  # down to the table's header
    assert len(rows) == 2 and "\n".join(sheet.cell(row, 2).value for row in rows) == goal
    assert sheet.cell(rows[0], 7).value == "已完成" and sheet.cell(rows[1], 7).value is None
    width = sum(sheet.column_dimensions[letter].width for letter in "BCDEF")
    for row in rows:
        assert measured_height(sheet.cell(row, 2).value, width, 10) <= sheet.row_dimensions[row].height <= 409
    assert f"A{header}:A{rows[-1]}" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert sheet.cell(header, 1).value == "年度总体目标"


def test_a_reason_that_fits_one_row_stays_on_its_row(tmp_path):
    # Counter-case: a 偏差原因 of 250 characters fits one row; nothing is cut, spread or merged.
    reason = ("受疫情影响部分培训延期举办，线上培训平台建设滞后，参训人员组织难度加大；" * 7)[:250]
    sheet = scored_workbook(tmp_path, write_form(tmp_path / "f.xlsx", _project_with(reason))).active
    row = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 4).value == "培训人次")
    assert sheet.cell(row, 12).value == reason and sheet.cell(row + 1, 4).value == "满意度"
    assert sheet.row_dimensions[row].height < 409
    assert not [cells for cells in sheet.merged_cells.ranges if cells.min_col == cells.max_col == 4]
