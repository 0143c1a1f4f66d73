"""Forms nobody on the team has seen, in every layout of forms.md, scored by hand.

Each test writes a filled 项目支出绩效自评表 with ``formgen`` into ``tmp_path``,
scores it with ``perfeval_xl.score_workbook`` and compares the result with
numbers computed BY HAND from shared/spec/scoring.md.  The arithmetic is in
the comment beside each literal; none of it comes from the engine.

Most single-rule tests use :func:`baseline`: a form on which everything except
one "probe" row scores full marks and nothing is flagged, so that

    total = 100 − w_probe + score_probe

and any flag on the probe item comes from the rule under test.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formgen import LAYOUTS, Formula, FundRow, Funds, Heading, Project, Row, write_form

pytestmark = pytest.mark.unseen_forms

D = Decimal


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def score(path: Path, rules=None):
    # Imported here so that collection works while the API is being written.
    from perfeval_xl import score_workbook

    return score_workbook(path) if rules is None else score_workbook(path, rules=rules)


def score_one(path: Path, rules=None):
    forms = score(path, rules).forms
    assert len(forms) == 1, f"expected one form in {path.name}, got {len(forms)}"
    return forms[0]


def item(form, name: str):
    found = [i for i in form.items if i.name == name]
    assert found, f"no item {name!r}; items are {[i.name for i in form.items]}"
    return found[0]


def has_flag(flags, text: str) -> bool:
    return any(text in flag.message for flag in flags)


def all_flags(form) -> list:
    return list(form.flags) + [flag for i in form.items for flag in i.flags]


def baseline(probe: Row, funds: Funds = None) -> Project:
    """A clean form around one probe row of 产出指标 (weight ≤ 45).

    Fixed rows, all full marks and unflagged:
      补助资金拨付时间  12月31日前 / 按时完成, w = 50 − w_probe, self = w   → w (date → qualitative, 达成, self in band)
      居民健康素养水平  有效提升 / 达成年度指标, w 30, self 30             → 30
      服务对象满意度    ≥90% / 93%, w 10                                  → 10 (93 ≥ 90, 93/90 < 1.2)
      预算执行率        100 / 100, w 10                                   → 10 (rate exactly 100%)
    Level sums 产出 50 / 效益 30 / 满意度 10; weights total 100.
    """
    filler = 50 - probe.weight
    rows = [
        probe,
        Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", filler, filler),
        Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, 30),
        Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 10),
    ]
    return Project(
        name="社区卫生服务中心运行补助项目", department="某区卫生健康局", unit="某区东湖社区卫生服务中心",
        year=2023, funds=funds or Funds(100, 100, 100), rows=rows, self_total="",
    )


def score_probe(tmp_path: Path, probe: Row, layout: str = "national-2020", funds: Funds = None,
                suffix: str = ".xlsx", **write_kw):
    """Write the baseline around ``probe``; return (form result, probe item)."""
    path = write_form(tmp_path / f"probe{suffix}", baseline(probe, funds), layout, **write_kw)
    form = score_one(path)
    return form, item(form, probe.name)


def quantity(target, actual, w=10, self_score=None, reason="", name="服务人次") -> Row:
    return Row("产出指标", "数量指标", name, target, actual, w, self_score, reason)


def qualitative(actual, self_score=None, target="有效提升", w=15, reason="部分工作进度滞后") -> Row:
    return Row("产出指标", "质量指标", "健康档案规范化管理", target, actual, w, self_score, reason)


FULL_PROBE = quantity("≥500人次", "500人次")  # 500 ≥ 500 → 10


# --------------------------------------------------------------------------
# 0. The baseline itself is clean
# --------------------------------------------------------------------------


def test_baseline_form_scores_full_marks_without_flags(tmp_path):
    form, probe = score_probe(tmp_path, FULL_PROBE)
    assert probe.score == D("10")
    assert form.total == D("100")
    assert form.grade == "优"
    assert [f.message for f in all_flags(form)] == []


# --------------------------------------------------------------------------
# 1. One project in every layout variant: same project, same scores
# --------------------------------------------------------------------------

ALLEY = Project(
    name="背街小巷环境整治项目",
    department="某区城市管理和综合执法局",
    unit="某区环境卫生服务中心",
    year=2023,
    funds=Funds(500, 520, 494),
    exec_self_score=10,
    rows=[
        Row("产出指标", "数量指标", "整治背街小巷数量", "≥120条", "126条", 10, 10),
        Row("产出指标", "数量指标", "更换破损井盖数量", "≥800个", "752个", 10, 10, "部分井盖权属单位未移交"),
        Row("产出指标", "质量指标", "整治验收合格率", "≥95%", "93.1%", 10, 10, "2条小巷返工后验收"),
        Row("产出指标", "时效指标", "整治完成时间", "12月31日前", "按时完成", 10, 10),
        Row("产出指标", "成本指标", "每平方米整治成本", "≤42元", "45元", 10, 10, "石材价格上涨"),
        Row("效益指标", "社会效益指标", "居民出行条件", "明显改善", "基本达成", 10, 9, "雨污分流尚未完成"),
        Row("效益指标", "生态效益指标", "垃圾乱堆乱放投诉下降率", "≥10%", "11.5%", 10, 10),
        Row("效益指标", "可持续影响指标", "长效管护机制", "建立并运行", "已完成", 10),
        Row("满意度指标", "服务对象满意度指标", "沿街居民满意度", "≥90%", "87.3%", 10, 10, "施工期间噪声投诉"),
    ],
)

ALLEY_ITEMS = {
    "预算执行率": D("9.50"),  # 494/520 = 0.95 → 0.95×10
    "整治背街小巷数量": D("10"),  # 126 ≥ 120 (126/120 = 1.05 < 1.2, no over-achievement flag)
    "更换破损井盖数量": D("9.40"),  # 752/800×10
    "整治验收合格率": D("9.80"),  # 93.1/95×10
    "整治完成时间": D("10"),  # date target → qualitative; 按时完成 → 达成 [8,10]; self 10 in band
    "每平方米整治成本": D("9.33"),  # reverse: 42/45×10 = 9.333…
    "居民出行条件": D("7.99"),  # 基本达成 → 部分达成 [6,8); self 9 clamped to 8 − 0.01
    "垃圾乱堆乱放投诉下降率": D("10"),  # 11.5 ≥ 10
    "长效管护机制": D("9.00"),  # 已完成 → 达成; no self-score → midpoint 0.9×10
    "沿街居民满意度": D("9.70"),  # 87.3/90×10
}
ALLEY_TOTAL = D("94.72")  # 9.50+10+9.40+9.80+10+9.33+7.99+10+9.00+9.70
ALLEY_SELF_TOTAL = D("89")  # 10 (exec) + 8×10 − 1 (居民出行条件 9); 长效管护机制 blank

# Beijing 2016 has no 全年预算数 column: rate = 494/500 (年初预算数) = 0.988 → 9.88.
ALLEY_ITEMS_BEIJING = {**ALLEY_ITEMS, "预算执行率": D("9.88")}
ALLEY_TOTAL_BEIJING = D("95.10")  # 94.72 − 9.50 + 9.88

ALLEY_ANHUI_ZERO_TOTAL = Funds(
    0, 0, 0, total_row="zero",
    sub_rows=[FundRow("fiscal", 480, 500, 475), FundRow("carryover", 20, 20, 19), FundRow("other", 0, 0, 0)],
)  # sub-row sums 500 / 520 / 494 → 494/520 = 0.95 → 9.50, flagged

NOTE = "注：本表金额单位为万元，年度指标值以批复的绩效目标为准。"

VARIANTS = {
    # id: (file suffix, layout, write_form keywords, project changes)
    "national": (".xlsx", "national-2020", {}, {}),
    "national-levels-repeated": (".xlsx", "national-2020", {"levels": "repeated"}, {}),
    "national-levels-blank": (".xlsx", "national-2020", {"levels": "blank"}, {}),
    "national-synonyms-1": (".xlsx", "national-2020", {"label_variant": 1}, {}),
    "national-synonyms-2": (".xlsx", "national-2020", {"label_variant": 2}, {}),
    "national-spaced-labels": (".xlsx", "national-2020", {"spaced_labels": True}, {}),
    "national-shifted-down-and-right": (".xlsx", "national-2020", {"extra_rows_above": 3, "col_offset": 2}, {}),
    "national-blank-and-note-rows": (".xlsx", "national-2020", {"gap_rows": 2, "note": NOTE}, {}),
    "national-xls": (".xls", "national-2020", {}, {}),
    "national-xls-synonyms-shifted": (".xls", "national-2020", {"label_variant": 1, "extra_rows_above": 2}, {}),
    "anhui": (".xlsx", "anhui-2022", {}, {}),
    "anhui-total-row-zero": (".xlsx", "anhui-2022", {}, {"funds": ALLEY_ANHUI_ZERO_TOTAL}),
    "anhui-spaced-gaps": (".xlsx", "anhui-2022", {"spaced_labels": True, "gap_rows": 1}, {}),
    "sichuan": (".xlsx", "sichuan-2023", {}, {}),
    "sichuan-merged-synonyms": (".xlsx", "sichuan-2023", {"levels": "merged", "label_variant": 1}, {}),
    "sichuan-xls-note": (".xls", "sichuan-2023", {"note": NOTE}, {}),
}
BEIJING_VARIANTS = {
    "beijing": (".xlsx", {}),
    "beijing-spaced-labels": (".xlsx", {"spaced_labels": True}),
    "beijing-synonyms-shifted": (".xlsx", {"label_variant": 2, "col_offset": 1, "extra_rows_above": 1}),
    "beijing-xls-levels-repeated": (".xls", {"levels": "repeated"}),
}


def _alley(**changes) -> Project:
    return Project(**{**ALLEY.__dict__, **changes})


def assert_alley(form, items, total):
    assert form.name == "背街小巷环境整治项目"
    assert form.form.department == "某区城市管理和综合执法局"
    assert form.form.unit == "某区环境卫生服务中心"
    assert form.form.year == 2023
    assert {i.name: i.score for i in form.items if i.applicable} == items
    assert form.total == total
    assert form.grade == "优"
    assert form.self_total == ALLEY_SELF_TOTAL
    assert has_flag(item(form, "长效管护机制").flags, "需人工判定")


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
def test_same_project_scores_the_same_in_every_layout(tmp_path, variant):
    suffix, layout, write_kw, changes = VARIANTS[variant]
    path = write_form(tmp_path / f"{variant}{suffix}", _alley(**changes), layout, **write_kw)
    assert_alley(score_one(path), ALLEY_ITEMS, ALLEY_TOTAL)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_cost_section_written_as_a_first_level_scores_alike_and_meets_产出s_sum(tmp_path, layout):
    # 产出 40 + 成本 10 (每平方米整治成本 under 成本指标 / 经济成本指标, as Sichuan's 2023 form and the
    # forms since 2021 write it): the same items and total, and no "产出指标分值合计40，规则要求50".
    rows = [Row("成本指标", "经济成本指标", *list(row.__dict__.values())[2:]) if row.level2 == "成本指标" else row
            for row in ALLEY.rows]
    form = score_one(write_form(tmp_path / "cost.xlsx", _alley(rows=rows), layout))
    assert item(form, "每平方米整治成本").level1 == "成本指标"
    expected = ALLEY_ITEMS_BEIJING if layout == "beijing-2016" else ALLEY_ITEMS
    assert_alley(form, expected, ALLEY_TOTAL_BEIJING if layout == "beijing-2016" else ALLEY_TOTAL)
    assert [f.message for f in form.flags if "分值合计" in f.message] == []


def test_a_cost_first_level_that_leaves_产出_short_is_flagged_with_it_named(tmp_path):
    # Counter-case: 成本 counts toward 产出, it does not excuse a short sum (产出 40 + 成本 5).
    rows = [Row("成本指标", "经济成本指标", "每平方米整治成本", "≤42元", "45元", 5, 5, "石材价格上涨")
            if row.level2 == "成本指标" else row for row in ALLEY.rows]
    form = score_one(write_form(tmp_path / "cost.xlsx", _alley(rows=rows), "national-2020"))
    assert "一级指标“产出指标”（含成本指标）分值合计45，规则要求50" in [f.message for f in form.flags]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.sampled_from(["national-2020", "anhui-2022", "sichuan-2023", "beijing-2016"]),
    suffix=st.sampled_from([".xlsx", ".xls"]),
    levels=st.sampled_from(["merged", "repeated", "blank"]),
    label_variant=st.integers(0, 2),
    spaced_labels=st.booleans(),
    extra_rows_above=st.integers(0, 4),
    col_offset=st.integers(0, 3),
    gap_rows=st.integers(0, 2),
    note=st.sampled_from([None, NOTE]),
)
def test_no_field_depends_on_a_cell_address(tmp_path, layout, suffix, **write_kw):
    path = write_form(tmp_path / f"any{suffix}", ALLEY, layout, **write_kw)
    if layout == "beijing-2016":
        assert_alley(score_one(path), ALLEY_ITEMS_BEIJING, ALLEY_TOTAL_BEIJING)
    else:
        assert_alley(score_one(path), ALLEY_ITEMS, ALLEY_TOTAL)


@pytest.mark.parametrize("spellings", [
    {"target": "指标目标值", "actual": "指标完成值"},
    {"target": "全年目标值", "actual": "全年完成值", "weight": "指标分值", "score": "自评分"},
    {"target": "预期目标值", "actual": "完成值", "weight": "指标权重", "score": "指标得分"},
    {"target": "计划指标值", "actual": "实际完成指标值", "weight": "满分", "score": "单位自评得分"},
    {"full_year": "全年（调整）预算数", "executed": "实际执行数", "total": "总额"},
    {"full_year": "调整预算数", "executed": "全年支出数", "reason": "未完成原因和改进措施"},
], ids=lambda spellings: "·".join(spellings.values()))
def test_other_provinces_spellings_of_the_columns_read_the_same(tmp_path, spellings):
    # Seen on published forms of other provinces and cities (Sichuan, Chongqing, …).
    path = write_form(tmp_path / "province.xlsx", ALLEY, "national-2020", labels=spellings)
    assert_alley(score_one(path), ALLEY_ITEMS, ALLEY_TOTAL)


@pytest.mark.parametrize("spellings", [
    {"target": "年初目标值（A）"},                        # Hubei: the form was "未识别到自评表"
    {"full_year": "预算数（A）", "executed": "执行数（B）"},  # Hubei: 年初预算数 | 预算数 | 执行数, 预算数 the adjusted one
    {"total": "年度财政资金总额"},                        # Hubei: its 分值 was not read
    {"department": "项目主管部门", "unit": "项目单位"},     # Jiangsu, Beijing: left empty, unflagged
    {"department": "主管部门及代码", "unit": "项目承担单位"},
    {"reason": "偏差大或目标未完成原因分析"},               # Huanggang: every reason lost, "缺少偏差原因"
    {"reason": "未完成原因及拟采取的改进措施"},             # Sichuan 中江
    {"target": "预期实现值"},                             # others' code: "未识别到自评表" before
    {"target": "调整后指标（年度指标值）"},                  # Shanxi: the bracket dropped left 调整后指标
    {"actual": "*实际完成值"},                            # a star marks a required column
    {"weight": "权重设定值", "score": "实际得分"},           # weights 0, self-scores lost
    {"unit": "承担处室"},
    {"fiscal": "当年财政资金", "other": "专户资金"},
    {"fiscal": "预算内", "other": "单位资金"},
], ids=lambda spellings: "·".join(spellings.values()))
def test_more_regions_spellings_read_the_same_and_lose_no_field(tmp_path, spellings):
    path = write_form(tmp_path / "region.xlsx", ALLEY, "national-2020", labels=spellings)
    form = score_one(path)
    assert_alley(form, ALLEY_ITEMS, ALLEY_TOTAL)
    assert (form.form.department, form.form.unit) == (ALLEY.department, ALLEY.unit)
    assert item(form, "更换破损井盖数量").reason == "部分井盖权属单位未移交"
    plain = score_one(write_form(tmp_path / "plain.xlsx", ALLEY, "national-2020"))
    assert sorted(map(str, all_flags(form))) == sorted(map(str, all_flags(plain)))  # no field lost


@pytest.mark.parametrize("heading", ["计算符号", "指标方向"])
def test_an_operator_column_under_other_headings_reads_as_指标性质(tmp_path, heading):
    # A provincial platform's export: the ≤ of a cost indicator was lost ("80≥80").
    import openpyxl

    path = write_form(tmp_path / "sichuan.xlsx", ALLEY, "sichuan-2023")
    book = openpyxl.load_workbook(path)
    next(c for row in book.active.iter_rows() for c in row if c.value == "指标性质").value = heading
    book.save(path)
    assert_alley(score_one(path), ALLEY_ITEMS, ALLEY_TOTAL)


def test_of_two_target_columns_the_years_is_scored_not_the_year_starts(tmp_path):
    # Shanxi: 年初指标值 | 年度指标值; the leftmost was taken.
    import openpyxl

    path = write_form(tmp_path / "region.xlsx", ALLEY, "national-2020")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = next(c for row in sheet.iter_rows() for c in row if c.value == "年度指标值")
    sheet.insert_cols(header.column)
    sheet.cell(header.row, header.column - 1, "年初指标值")
    for row in range(header.row + 1, sheet.max_row + 1):
        if sheet.cell(row, header.column).value:
            sheet.cell(row, header.column - 1, "≥1个")  # a year-start target every row would beat
    book.save(path)
    form = score_one(path)  # (openpyxl's insert_cols leaves the heading's merged cells behind: items only)
    assert {i.name: i.score for i in form.items if i.applicable} == ALLEY_ITEMS and form.total == ALLEY_TOTAL


def test_a_fund_header_over_two_rows_keeps_the_weight_and_self_score_merged_down_beside_its_group(tmp_path):
    # 预算执行情况 over 年初预算数 | 全年预算数 | 全年执行数, 分值 and 得分 merged down: both were lost.
    import openpyxl

    path = write_form(tmp_path / "region.xlsx", ALLEY, "national-2020")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    head = next(c for row in sheet.iter_rows() for c in row if c.value == "年初预算数")
    row = head.row
    sheet.insert_rows(row)  # the group row above; the amounts' labels stay on the row below
    first = head.column
    labelled = {c.column: c.value for c in sheet[row + 1] if c.value and c.column > first + 2}
    sheet.cell(row, first, "预算执行情况")
    sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=first + 2)
    for column, value in labelled.items():
        sheet.cell(row, column, value)
        sheet.cell(row + 1, column).value = None
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
    sheet.cell(row, 1, sheet.cell(row + 1, 1).value)
    sheet.cell(row + 1, 1).value = None
    book.save(path)
    form = score_one(path)
    execution = item(form, "预算执行率")
    assert execution.self_score == D("10") and form.total == ALLEY_TOTAL


def test_indicator_names_headed_指标内容_and_a_title_under_a_return_number_read_the_same(tmp_path):
    import openpyxl

    path = write_form(tmp_path / "region.xlsx", ALLEY, "national-2020")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    next(c for row in sheet.iter_rows() for c in row if c.value == "三级指标").value = "指标内容"
    title = next(c for row in sheet.iter_rows() for c in row if c.value and "自评表" in str(c.value))
    sheet.insert_rows(1)
    sheet.cell(1, 1, "报表编号：510000_0013zp")  # Sichuan's returns carry it above the title
    title_text = title.value
    book.save(path)
    form = score_one(path)
    assert_alley(form, ALLEY_ITEMS, ALLEY_TOTAL)
    assert form.form.title == title_text  # it was "报表编号：510000_0013zp", and the scored form so headed


@pytest.mark.parametrize("expected_label, actual_label", [("年初设定目标", "年度总体目标完成情况综述"),
                                                          ("项目年度目标", "年度目标完成情况")])
def test_the_goals_under_other_provinces_headings_are_read(tmp_path, expected_label, actual_label):
    # Sichuan's 年初设定目标 | 年度总体目标完成情况综述: both texts were left off the scored form.
    import openpyxl

    path = write_form(tmp_path / "region.xlsx", ALLEY, "national-2020")
    plain = score_one(path).form
    book = openpyxl.load_workbook(path)
    for row in book.active.iter_rows():
        for cell in row:
            if cell.value in ("预期目标", "实际完成情况"):
                cell.value = expected_label if cell.value == "预期目标" else actual_label
    book.save(path)
    form = score_one(path).form
    assert plain.goal_expected and (form.goal_expected, form.goal_actual) == (plain.goal_expected, plain.goal_actual)


def test_a_title_naming_its_year_gives_the_forms_year(tmp_path):
    # "2019年项目支出绩效自评表": no 年度 and no bracket, and the year was left unknown.
    import openpyxl

    path = write_form(tmp_path / "region.xlsx", ALLEY, "national-2020")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "年度" in cell.value and ("(" in cell.value or "（" in cell.value):
                cell.value = None  # the "（2023年度）" line
            elif isinstance(cell.value, str) and cell.value.endswith("自评表"):
                cell.value = "2022年" + cell.value
    book.save(path)
    assert score_one(path).form.year == 2022


def test_signature_lines_under_a_table_without_a_total_row_are_not_indicators(tmp_path):
    from openpyxl import load_workbook

    path = write_form(tmp_path / "signed.xlsx", ALLEY, "national-2020")
    workbook = load_workbook(path)
    sheet = workbook.active
    total = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == "总分")
    sheet.delete_rows(total, sheet.max_row)  # no 总分 row; the unit signs under the table instead
    sheet.cell(total, 1, "单位负责人：王五")
    sheet.cell(total, 4, "财务负责人：赵六")
    sheet.cell(total, 7, "联系电话：12345678")
    workbook.save(path)
    form = score_one(path)
    assert {i.name: i.score for i in form.items if i.applicable} == ALLEY_ITEMS  # no 单位负责人 item
    assert form.total == ALLEY_TOTAL and not any("联系电话" in f.message for f in all_flags(form))


def _alley_with_lines_under_its_table(inbox: Path, name: str, cells: dict[tuple[int, int], object]) -> Path:
    """ALLEY's national form in ``inbox`` with ``cells`` ((rows below 总分, column) → value) written under
    its table."""
    from openpyxl import load_workbook

    inbox.mkdir(exist_ok=True)
    path = write_form(inbox / name, ALLEY, "national-2020")
    workbook = load_workbook(path)
    sheet = workbook.active
    total = _row_with(sheet, 1, "总分")
    for (below, column), value in cells.items():
        sheet.cell(total + below, column, value)
    workbook.save(path)
    return path


def _scored_first_column(scored_path: Path) -> tuple[list, int, set[str]]:
    """Column A of a scored form's sheet, the row of its 评价等级 (0-based), and its merged ranges."""
    from openpyxl import load_workbook

    scored = load_workbook(scored_path).active
    texts = [scored.cell(row, 1).value for row in range(1, scored.max_row + 1)]
    return texts, texts.index("评价等级"), {str(merged) for merged in scored.merged_cells.ranges}


def test_the_lines_a_unit_signs_under_its_table_are_kept_and_carried_over_to_the_scored_form(tmp_path):
    # forms.md: the scored form carries every field of the input over; 填表人 and 联系电话 say whom
    # the officer asks about its 问题提示.
    import datetime

    import perfeval_xl

    inbox = tmp_path / "in"
    path = _alley_with_lines_under_its_table(inbox, "signed.xlsx", {
        (2, 1): "单位负责人：", (2, 2): "王五",  # a label cell, its value in the next
        (2, 5): "填表人：李四",
        (3, 1): "联系电话", (3, 2): 13800001234,  # typed as a number
        (3, 5): "填表日期：", (3, 6): datetime.datetime(2024, 3, 15),
        (5, 1): "注：本表金额单位为万元。",  # the unit's note, in its place among the lines
    })
    lines = ["单位负责人：王五　　填表人：李四", "联系电话　　13800001234　　填表日期：2024-03-15", "注：本表金额单位为万元。"]
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.footer == lines
    assert form.total == ALLEY_TOTAL

    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    texts, grade, merged = _scored_first_column(tmp_path / "out" / "signed.scored.xlsx")
    assert texts[grade + 1:grade + 4] == lines  # under 评价等级, before the 评分规则 note
    assert texts[grade + 4].startswith("评分规则：")
    assert f"A{grade + 2}:M{grade + 2}" in merged


def sichuan_as_published(path: Path, *, goal_rows=1) -> Path:
    """Sichuan's 部门预算项目支出绩效自评表 (2023年度) as counties publish it (大英县司法局, 青神县发改局):
    a 报表编号 line, 实施单位（盖章）, a 项目基本情况 block — the goals under "1.项目年度目标完成情况", then
    "2.项目实施内容及过程概述" — above the 预算执行情况(10分) block (年度预算数(万元) over 总额 / 其中：财政资金
    / 财政专户管理资金 / 单位资金 / 其他资金, a 原因 column holding the form's note), 绩效指标(90分) with
    a 成本指标 一级, 合计, then 评价结论 / 存在问题 / 改进措施 and 项目负责人 | 财务负责人."""
    import openpyxl

    note = "1.预算执行率=预算执行数/调整后预算数，预算执行率未达到90%的需说明原因（100字以内）；2.年中发生预算调整的……"
    goals = [[None, "根据要求购买安可设备，", None, None, None, "已购买13台安可电脑，"],
             [None, "并完成项目资金支付。", None, None, None, "资金已支付。"]][:goal_rows]
    if goal_rows == 1:
        goals = [[None, "根据要求购买安可设备，并完成项目资金支付。", None, None, None, "完成"]]
    rows = [
        [None] * 9 + ["报表编号：510000_0013zp"],
        ["部门预算项目支出绩效自评表（2023年度）"],
        ["项目名称", "2023年全县安可替代补助资金项目"],
        ["主管部门", "大英县司法局部门", None, None, None, "实施单位 （盖章）", "大英县司法局"],
        ["项目基本情况", "1.项目年度目标完成情况"],
        [None, "项目年度目标", None, None, None, "年度目标完成情况"],
        *goals,
        [None, "2.项目实施内容及过程概述", None, None, None, "2023年购买13台安可电脑，并于12月前完成资金支付。"],
        ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"],
        [None, "总额", 0, 3.36, 3.2, "95.24%", 10, 9.52, note],
        [None, "其中：财政资金", 0, 3.36, 3.2, "95.24%", "/", "/"],
        [None, "财政专户管理资金", 0, 0, 0, "0.00%", "/", "/"],
        [None, "单位资金", 0, 0, 0, "0.00%", "/", "/"],
        [None, "其他资金", None, None, None, None, "/", "/"],
        ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
         "未完成原因分析"],
        [None, "产出指标", "数量指标", "购买安可电脑数量", "≥", 13, "台", 13, 20, 20],
        [None, "产出指标", "质量指标", "设备验收合格率", "=", 100, "%", 100, 10, 10],
        [None, "产出指标", "时效指标", "资金支付及时率", "≥", 95, "%", 100, 10, 10],
        [None, "成本指标", "经济成本指标", "成本控制数", "≤", 3.36, "万元", 3.2, 10, 10],
        [None, "效益指标", "社会效益指标", "办公效率提升", "定性", "有效提升", None, "达成年度指标", 30, 27, "部分人员尚在适应"],
        [None, "满意度指标", "服务对象满意度指标", "干部职工满意度", "≥", 90, "%", 95, 10, 10],
        ["合计", None, None, None, None, None, None, None, 100, 96.52],
        ["评价结论", "项目按计划完成，自评96.52分。"],
        ["存在问题", "无"],
        ["改进措施", "无"],
        ["项目负责人：查小兵", None, None, None, None, "财务负责人：唐勇"],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A5:A%d" % (7 + goal_rows))
    book.save(path)
    return path


def test_sichuans_form_as_published_keeps_its_goals_apart_from_the_blocks_under_them(tmp_path):
    # Its goals stand above "2.项目实施内容及过程概述" and the 预算执行情况 block: they took in that line's
    # text, the block's labels and its rates (预期目标 "…\n2.项目实施内容及过程概述\n年度预算数(万元)\n总额…",
    # 实际完成情况 "完成\n2023年购买…\n预算执行率\n95.24%…"), carried over so to the scored form.
    form = score_one(sichuan_as_published(tmp_path / "sichuan.xlsx"))
    assert (form.form.goal_expected, form.form.goal_actual) == ("根据要求购买安可设备，并完成项目资金支付。", "完成")
    # 3.2/3.36 = 95.24% → 9.52; 27 in 达成 [24,30] kept; 成本 一级 toward 产出's 50: no first-level flag.
    assert (item(form, "预算执行率").score, item(form, "办公效率提升").score, form.total) == (D("9.52"), D("27.00"), D("96.52"))
    assert [f.message for f in form.flags] == []


def test_sichuans_closing_rows_are_kept_as_the_lines_under_its_table(tmp_path):
    # 存在问题 ended the lines under the table: it, 改进措施 and the signatures were lost from the scored form.
    form = score_one(sichuan_as_published(tmp_path / "sichuan.xlsx"))
    assert form.form.footer == ["评价结论　　项目按计划完成，自评96.52分。", "存在问题　　无", "改进措施　　无",
                                "项目负责人：查小兵　　财务负责人：唐勇"]


def test_a_goal_written_over_two_rows_keeps_both(tmp_path):
    # A goal typed on two rows is one text: neither row holds a form's label.
    form = score_one(sichuan_as_published(tmp_path / "sichuan.xlsx", goal_rows=2))
    assert form.form.goal_expected == "根据要求购买安可设备，\n并完成项目资金支付。"
    assert form.form.goal_actual == "已购买13台安可电脑，\n资金已支付。"


def test_goals_beside_their_caption_written_again_on_their_row_are_read(tmp_path):
    # Counter-case: a unit that unmerged 年度总体目标 and wrote it again beside its goals' texts.
    import openpyxl

    path = write_form(tmp_path / "form.xlsx", ALLEY, "national-2020")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    row = _row_with(sheet, 1, "年度总体目标")
    for merged in [m for m in sheet.merged_cells.ranges if m.min_col == 1 and m.min_row == row]:
        sheet.unmerge_cells(str(merged))
    sheet.cell(row + 1, 1, "年度总体目标")
    book.save(path)
    plain = score_one(write_form(tmp_path / "plain.xlsx", ALLEY, "national-2020")).form
    form = score_one(path).form
    assert (form.goal_expected, form.goal_actual) == (plain.goal_expected, plain.goal_actual) != ("", "")


@pytest.mark.parametrize("name", ["存在问题整改率", "改进措施落实率", "改进措施及结果应用方案印发率"])
def test_an_indicator_named_like_a_closing_row_is_still_scored(tmp_path, name):
    # Counter-case: only 存在问题 / 改进措施 (… 改进措施及结果应用方案) alone or before a colon start the
    # lines under a table.
    form, probe = score_probe(tmp_path, quantity("≥100%", "90%", reason="个别问题未整改", name=name))
    assert probe.score == D("9.00") and form.total == D("99.00")  # 90/100×10; the rest full marks


def hubei_form(path: Path, heading: list, goal: str = "按时足额发放各项资助资金") -> Path:
    """Hubei's 项目绩效目标自评表 (湖北工程学院 2019 学生资助项目): "填报日期：　总分：　分" above the
    table, a 预算执行情况（万元）（10分） block of one 年度财政资金总额 row, 年初目标值（A） | 实际完成值（B）, and
    no 总分 row.  Self-scores: 9.9 + 9 + 10×4 + 15×2 + 10 = 98.9."""
    import openpyxl

    rows = [
        ["2019年学生资助项目绩效目标自评表"],
        heading,
        ["项目名称", "湖北工程学院2019年学生资助项目"],
        ["主管部门", "湖北省教育厅", None, "项目实施单位", "湖北工程学院"],
        ["年度总体目标", "年初设定目标", None, None, "年度总体目标完成情况综述"],
        [None, goal, None, None, "已完成"],
        ["预算执行情况（万元）（10分）", None, "预算数（A）", "执行数（B）", "执行率（B/A）", "得分（10分*执行率）"],
        [None, "年度财政资金总额", 1200, 1188, "99%", 9.9],
        ["一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "分值", "得分", "未完成原因分析"],
        ["产出指标（50分）", "数量", "国家奖学金人数", "≥20人", "18人", 10, 9, "因全校总人数减少，总指标数减少"],
        [None, None, "国家励志奖学金人数", "≥500人", "500人", 10, 10],
        [None, None, "国家助学金人数", "≥3000人", "3100人", 10, 10],
        [None, "成本指标", "国家奖学金人均资助", "＝8000元", "8000元", 10, 10],
        [None, None, "国家助学金人均资助", "＝3000元", "3000元", 10, 10],
        ["效益指标（30分）", "社会效益指标", "资金发放率", "＝100%", "100%", 15, 15],
        [None, None, "困难生完成学业率", "≥98%", "99%", 15, 15],
        ["满意度指标（10分）", "服务对象满意度指标", "受助学生满意度", "≥90%", "96%", 10, 10],
    ]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("heading", [
    ["填报日期：2020年3月10日", None, None, None, None, "总分：96.5分"],
    ["填报日期：", "2020年3月10日", None, None, "总分：", 96.5, "分"],
    ["填报日期：2020年3月10日　　　总分：96.5分"],
], ids=["one-cell", "label-then-number", "one-line"])
def test_hubeis_total_stated_in_the_heading_is_the_self_total_reviewed(tmp_path, heading):
    # The table has no 总分 row: the unit's 96.5 went unread, and the review compared the engine's total
    # with the self-scores added up (98.9), which agree: a total the unit misstated went unsaid.
    form = score_one(hubei_form(tmp_path / "hubei.xlsx", heading))
    assert form.total == D("98.90")  # 9.90 + 9 (18/20×10) + 40 + 30 + 10
    assert form.self_total == D("96.5")
    messages = [f.message for f in form.flags]
    assert "自评总分96.5与各项自评得分合计98.9不符" in messages and "自评总分96.5，复核总分98.90，差异2.40" in messages


@pytest.mark.parametrize("heading, goal", [
    (["填报日期：", None, None, None, "总分：", None, "分"], "按时足额发放各项资助资金"),  # left blank
    (["填报日期：2020年3月10日"], "按时足额发放各项资助资金，自评总分95分"),  # a number in a goal's sentence
    (["填报日期：2020年3月10日"], "按时足额发放各项资助资金。\n自评总分95分"),  # on the goal's last line
    (["填报日期：2020年3月10日"], "按时足额发放各项资助资金。 总分95分"),  # after a space
], ids=["blank", "in-a-goal", "a-goals-last-line", "after-a-space-in-a-goal"])
def test_no_total_stated_in_the_heading_leaves_the_self_scores_added_up(tmp_path, heading, goal):
    form = score_one(hubei_form(tmp_path / "hubei.xlsx", heading, goal))
    assert (form.total, form.self_total) == (D("98.90"), D("98.9"))
    assert not [f for f in form.flags if "自评总分" in f.message]


CITY_CLOSING_ROWS = [  # as the city forms of this family close (2020 项目自评表: 服务贸易发展资金, 长江禁捕)
    ["偏差大或目标未完成原因分析", "全校总人数减少，国家奖学金指标相应减少"],
    ["改进措施及结果应用方案", "按实际人数申报指标"],
    ["单位主要负责人签批意见", "同意", None, None, "签名：张三"],
    ["备注：1.预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转）。"],
]


@pytest.mark.parametrize("total_row", [True, False], ids=["under-a-total-row", "without-one"])
def test_a_city_forms_closing_rows_are_kept_as_the_lines_under_its_table(tmp_path, total_row):
    # The unit's 偏差大或目标未完成原因分析 and 改进措施及结果应用方案, and its head's sign-off, ended the lines
    # under the table: all were lost from the scored form (under a 总分 row), or, without one, the sign-off
    # row was scored as an indicator named “同意”.
    import openpyxl

    path = hubei_form(tmp_path / "city.xlsx", ["填报日期：2020年3月10日"])
    book = openpyxl.load_workbook(path)
    if total_row:
        book.active.append(["总分", None, None, None, None, 100, 98.9])
    for row in CITY_CLOSING_ROWS:
        book.active.append(row)
    book.save(path)
    form = score_one(path)
    assert form.form.footer == ["偏差大或目标未完成原因分析　　全校总人数减少，国家奖学金指标相应减少",
                                "改进措施及结果应用方案　　按实际人数申报指标",
                                "单位主要负责人签批意见　　同意　　签名：张三",
                                "备注：1.预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转）。"]
    assert [i.name for i in form.items][-1] == "受助学生满意度" and form.total == D("98.90")


def test_a_project_name_beside_its_special_funds_name_names_the_form(tmp_path):
    # "专项资金名称" (a county's form naming its project so) above "项目名称" took the form's name: every
    # project paid from the fund was named after it, and sent twice by the summary's count.
    form = score_one(hubei_form(tmp_path / "a.xlsx", ["专项资金名称", "省级学生资助专项资金"]))
    assert form.name == "湖北工程学院2019年学生资助项目"


def test_a_special_funds_name_names_a_form_without_a_project_name(tmp_path):
    # The counter-cases: alone, or above a 项目名称 left blank, the fund's name is the form's.
    import openpyxl

    path = hubei_form(tmp_path / "a.xlsx", ["专项资金名称", "省级学生资助专项资金"])
    book = openpyxl.load_workbook(path)
    book.active["B3"] = None  # 项目名称 left blank
    book.save(path)
    assert score_one(path).name == "省级学生资助专项资金"
    book.active.delete_rows(3)  # no 项目名称 row
    book.save(path)
    assert score_one(path).name == "省级学生资助专项资金"


def test_a_total_rows_self_total_is_taken_over_the_headings(tmp_path):
    # Counter-case: a form with a 总分 row keeps the total written there.
    import openpyxl

    path = hubei_form(tmp_path / "hubei.xlsx", ["填报日期：2020年3月10日", None, None, None, None, "总分：96.5分"])
    book = openpyxl.load_workbook(path)
    book.active.append(["总分", None, None, None, None, 100, 98.9])
    book.save(path)
    form = score_one(path)
    assert form.self_total == D("98.9") and not [f for f in form.flags if "自评总分" in f.message]


def test_notes_under_a_project_table_are_carried_over_with_the_contact_lines_below_them(tmp_path):
    # A 填报说明 / 注： line under the table ended the lines the scored form carries: the notes were
    # dropped, and so were the 联系人 and 联系电话 the unit wrote under them (forms.md: every field
    # carried over; they say whom the officer asks).
    import perfeval_xl

    inbox = tmp_path / "in"
    path = _alley_with_lines_under_its_table(inbox, "noted.xlsx", {
        (1, 1): "填报说明：", (2, 1): "1.本表金额单位为万元。", (3, 1): "注：满意度调查由第三方机构开展。",
        (4, 1): "联系人：张晓明", (4, 4): "联系电话：0731-84561234",
    })
    lines = ["填报说明：", "1.本表金额单位为万元。", "注：满意度调查由第三方机构开展。",
             "联系人：张晓明　　联系电话：0731-84561234"]
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.footer == lines
    assert form.total == ALLEY_TOTAL

    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    texts, grade, _ = _scored_first_column(tmp_path / "out" / "noted.scored.xlsx")
    assert texts[grade + 1:grade + 5] == lines
    assert texts[grade + 5].startswith("评分规则：")


def test_a_note_between_two_stacked_forms_does_not_take_the_second_forms_heading(tmp_path):
    # Counter-case: a note now goes on the lines under a table, but the next form's heading still
    # ends them: its rows are none of the first form's lines, and the second is scored as before.
    from openpyxl import load_workbook

    first = load_workbook(write_form(tmp_path / "first.xlsx", ALLEY, "national-2020"))
    second = load_workbook(write_form(tmp_path / "second.xlsx", ALLEY, "national-2020")).active
    sheet = first.active
    sheet.append(["注：本表金额单位为万元。"])
    for row in second.iter_rows(values_only=True):
        sheet.append([("第二个项目" if value == ALLEY.name else value) for value in row])
    first.save(tmp_path / "stacked.xlsx")
    result = score(tmp_path / "stacked.xlsx")
    assert [form.name for form in result.forms] == [ALLEY.name, "第二个项目"]
    assert not [line for form in result.forms for line in form.form.footer if "自评表" in line or "项目" in line]
    for form in result.forms:
        assert {i.name: i.score for i in form.items if i.applicable} == ALLEY_ITEMS


def test_signature_lines_that_end_a_table_without_a_total_row_are_kept_too(tmp_path):
    import perfeval_xl
    from openpyxl import load_workbook

    path = write_form(tmp_path / "signed.xlsx", ALLEY, "national-2020")
    workbook = load_workbook(path)
    sheet = workbook.active
    total = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == "总分")
    sheet.delete_rows(total, sheet.max_row)
    sheet.cell(total, 1, "单位负责人：王五")
    sheet.cell(total, 7, "联系电话：12345678")
    workbook.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.footer == ["单位负责人：王五　　联系电话：12345678"]


@pytest.mark.parametrize("total_row", [True, False])
def test_forms_stacked_one_below_the_other_on_one_sheet_are_each_scored_and_flagged(tmp_path, total_row):
    # The second was flagged "未评分" and left out, the file still "ok" with exit code 0; without a
    # 总分 row the first form's table ran on into the second's heading.
    from openpyxl import load_workbook

    first = load_workbook(write_form(tmp_path / "first.xlsx", ALLEY, "national-2020"))
    second = load_workbook(write_form(tmp_path / "second.xlsx", ALLEY, "national-2020")).active
    sheet = first.active
    if not total_row:
        sheet.delete_rows(_row_with(sheet, 1, "总分"))
    below = sheet.max_row + 1
    for row in second.iter_rows(values_only=True):
        sheet.append([("第二个项目" if value == ALLEY.name else value) for value in row])
    first.save(tmp_path / "stacked.xlsx")
    result = score(tmp_path / "stacked.xlsx")
    assert [form.name for form in result.forms] == [ALLEY.name, "第二个项目"]
    for form in result.forms:
        assert {i.name: i.score for i in form.items if i.applicable} == ALLEY_ITEMS
        assert any("上下填了多张自评表" in f.message for f in form.flags)
    assert int(result.forms[1].form.sources["name"].cell[1:]) > below


def test_indicator_names_that_start_like_a_signature_line_are_indicators(tmp_path):
    rows = [Row("产出指标", "数量指标", "审核人员培训人次", "≥50人次", "60人次", 20),
            Row("效益指标", "社会效益指标", "联系电话接通率", "≥90%", "95%", 15),
            Row("满意度指标", "服务对象满意度指标", "填报人满意度", "≥90%", "96%", 15)]
    project = Project(name="政务服务项目", department="某市政务服务局", unit="某市政务服务中心", year=2023,
                      funds=Funds(100, 100, 95), rows=rows)
    form = score_one(write_form(tmp_path / "names.xlsx", project, "national-2020"))
    assert [i.name for i in form.items if i.name != "预算执行率"] == ["审核人员培训人次", "联系电话接通率", "填报人满意度"]


def test_a_project_form_with_unknown_value_columns_is_not_taken_for_a_department_table(tmp_path):
    from perfeval_xl.errors import WorkbookError

    path = write_form(tmp_path / "odd.xlsx", ALLEY, "national-2020", labels={"target": "甲值", "actual": "乙值"})
    with pytest.raises(WorkbookError, match="未识别到自评表"):  # not scored by hunan-dept as an F3
        score_one(path)


@pytest.mark.parametrize("field, heading, others", [("target", "年度指标值", "“指标值”“目标值”"),
                                                    ("actual", "实际完成值", "“全年实际值”“实际值”")])
def test_a_form_short_of_its_target_or_actual_column_says_which_where_and_what_to_do(tmp_path, field, heading,
                                                                                  others):
    # "未识别到自评表（查看了工作表：…）" alone: the unit was not told which column to add or rename.
    from perfeval_xl.errors import WorkbookError

    path = write_form(tmp_path / "odd.xlsx", ALLEY, "national-2020", labels={field: "预期值"})
    with pytest.raises(WorkbookError) as caught:
        score_one(path)
    assert re.fullmatch(f"“odd\\.xlsx”：未识别到自评表（查看了工作表：.+）：工作表“.+”第\\d+行的绩效指标表头没有“{heading}”列（也可写作"
                        f"{others}），请单位补齐该列或改正其列名后重新报送（[A-Z]+\\d+）", str(caught.value))


def test_a_sheet_with_neither_target_nor_actual_column_is_no_form_short_of_one(tmp_path):
    from perfeval_xl.errors import WorkbookError

    path = write_form(tmp_path / "odd.xlsx", ALLEY, "national-2020", labels={"target": "甲值", "actual": "乙值"})
    with pytest.raises(WorkbookError) as caught:
        score_one(path)
    assert re.fullmatch("“odd\\.xlsx”：未识别到自评表（查看了工作表：[^）]+）", str(caught.value))


def test_labels_pasted_with_invisible_characters_still_match(tmp_path):
    # Text copied from a web page or a chat carries zero-width spaces and word joiners, which NFKC keeps.
    pasted = {"target": "年度\u200b指标值", "actual": "实际\u2060完成值", "executed": "\ufeff全年执行数",
              "name": "项目\u200d名称"}
    path = write_form(tmp_path / "pasted.xlsx", ALLEY, "national-2020", labels=pasted)
    assert_alley(score_one(path), ALLEY_ITEMS, ALLEY_TOTAL)


@pytest.mark.parametrize("unit, scale", [("元", 10000), ("千元", 10)])
def test_a_fund_block_in_another_money_unit_is_read_in_wan_yuan_and_flagged(tmp_path, unit, scale):
    from openpyxl import load_workbook

    path = write_form(tmp_path / "元.xlsx", baseline(FULL_PROBE, Funds(100 * scale, 120 * scale, 110.4 * scale)))
    book = load_workbook(path)
    [header] = [cell for row in book.active.iter_rows() for cell in row if cell.value == "项目资金（万元）"]
    header.value = f"项目资金（{unit}）"
    book.save(path)
    form = score_one(path)
    execution = item(form, "预算执行率")
    # As the scored form and the summaries show them: the unit's 万元 (汇总 adds up the forms' amounts).
    assert (form.budget, form.executed) == (D("120"), D("110.4"))
    assert [line.initial_budget for line in form.form.funds.lines][:1] == [D("100")]
    assert (execution.score, execution.basis) == (D("9.20"), "110.4/120×10=9.20（执行率92.00%）")
    assert [str(f) for f in form.flags if "折算" in f.message] == [
        f"项目资金按{unit}填报，已折算为万元（1万元＝{scale}{unit}），执行率不变（{header.coordinate}）"]


@pytest.mark.parametrize("variant", BEIJING_VARIANTS, ids=list(BEIJING_VARIANTS))
def test_beijing_2016_scores_on_the_year_start_budget(tmp_path, variant):
    suffix, write_kw = BEIJING_VARIANTS[variant]
    path = write_form(tmp_path / f"{variant}{suffix}", ALLEY, "beijing-2016", **write_kw)
    assert_alley(score_one(path), ALLEY_ITEMS_BEIJING, ALLEY_TOTAL_BEIJING)


# --------------------------------------------------------------------------
# 2. Several projects in one workbook, with a cover and a notes sheet
# --------------------------------------------------------------------------

TOILETS = Project(
    name="城区公厕保洁项目",
    department="某区城市管理和综合执法局",
    unit="某区环境卫生服务中心",
    year=2023,
    funds=Funds(80, 80, 76),
    exec_self_score=10,
    rows=[
        Row("产出指标", "数量指标", "公厕保洁座数", "≥60座", "60座", 20, 20),
        Row("产出指标", "质量指标", "保洁质量检查合格率", "≥95%", "98%", 20, 20),
        Row("产出指标", "时效指标", "问题整改及时率", "≥90%", "85.5%", 10, 10, "夜间巡查人手不足"),
        Row("效益指标", "社会效益指标", "公厕环境", "干净整洁无异味", "干净整洁无异味", 30, 27),
        Row("满意度指标", "服务对象满意度指标", "如厕群众满意度", "≥85%", "91%", 10, 10),
    ],
)
TOILETS_ITEMS = {
    "预算执行率": D("9.50"),  # 76/80 = 0.95
    "公厕保洁座数": D("20"),  # 60 ≥ 60
    "保洁质量检查合格率": D("20"),  # 98 ≥ 95
    "问题整改及时率": D("9.50"),  # 85.5/90×10
    "公厕环境": D("27"),  # actual = target text → 达成 [24,30]; self 27 in band
    "如厕群众满意度": D("10"),  # 91 ≥ 85
}
TOILETS_TOTAL = D("96.00")  # 9.50+20+20+9.50+27+10


@pytest.mark.parametrize("suffix,layout", [(".xlsx", "national-2020"), (".xls", "national-2020"),
                                           (".xlsx", "sichuan-2023")])
def test_one_project_per_sheet_beside_cover_and_notes(tmp_path, suffix, layout):
    path = write_form(tmp_path / f"城管局{suffix}", [ALLEY, TOILETS], layout, cover_sheet=True, notes_sheet=True)
    forms = score(path).forms
    assert [f.name for f in forms] == ["背街小巷环境整治项目", "城区公厕保洁项目"]
    alley, toilets = forms
    assert alley.total == ALLEY_TOTAL
    assert {i.name: i.score for i in toilets.items if i.applicable} == TOILETS_ITEMS
    assert toilets.total == TOILETS_TOTAL
    assert toilets.grade == "优"


def test_a_form_on_a_hidden_sheet_beside_a_visible_one_is_not_scored(tmp_path):
    import openpyxl

    path = write_form(tmp_path / "城管局.xlsx", [ALLEY, TOILETS], "national-2020")
    workbook = openpyxl.load_workbook(path)
    workbook.worksheets[1].sheet_state = "hidden"  # last year's form, hidden rather than deleted
    workbook.save(path)
    forms = score(path).forms
    assert [f.name for f in forms] == ["背街小巷环境整治项目"]
    assert any("隐藏的工作表" in flag.message for flag in forms[0].flags)

    workbook.worksheets[0].sheet_state = "hidden"  # the other way round
    workbook.worksheets[1].sheet_state = "visible"
    workbook.active = 1
    workbook.save(path)
    assert [f.name for f in score(path).forms] == ["城区公厕保洁项目"]


def test_notes_explaining_the_columns_and_a_blank_copy_are_not_projects(tmp_path):
    import openpyxl

    from perfeval_xl.writers._templates import template_path

    path = write_form(tmp_path / "城管局.xlsx", ALLEY, "national-2020")
    workbook = openpyxl.load_workbook(path)
    notes = workbook.create_sheet("填表说明")  # the indicator table's header, explained
    notes.append(["栏目", "三级指标", "年度指标值", "实际完成值", "分值"])
    notes.append(["说明", "按批复的绩效目标填写", "含运算符号和计量单位", "按实际完成情况填写", "合计100分"])
    blank = openpyxl.load_workbook(template_path("项目支出绩效自评表.xlsx")).active  # the form, unfilled
    copy = workbook.create_sheet("模板")
    for row in blank.iter_rows(values_only=True):
        copy.append(row)
    workbook.save(path)
    assert [f.name for f in score(path).forms] == ["背街小巷环境整治项目"]


def test_a_blank_form_alone_is_reported_as_not_filled_in(tmp_path):
    from perfeval_xl.writers._templates import template_path

    from perfeval_xl import WorkbookError

    with pytest.raises(WorkbookError, match="自评表未填写"):
        score(template_path("项目支出绩效自评表.xlsx"))


# --------------------------------------------------------------------------
# 3. Numbers typed as text
# --------------------------------------------------------------------------


@pytest.mark.parametrize("target,actual,expected", [
    ("≥1500次", "1,300次", D("8.67")),  # 1300/1500×10 = 8.666…
    ("≥120000件", "111,074件", D("9.26")),  # 111074/120000×10 = 9.256…
    ("≥95%", "92%", D("9.68")),  # 92/95×10 = 9.684…
    ("≥ 50 个", " 45 个 ", D("9.00")),  # spaces stripped: 45/50×10
    ("＞＝95％", "90％", D("9.47")),  # full-width ≥ and %: 90/95×10 = 9.473…
    ("≥1500次", "１３００次", D("8.67")),  # full-width digits (NFKC): 1300/1500×10
    ("不低于95%", "93.1%", D("9.80")),  # 不低于 = ≥: 93.1/95×10
    ("500户", "450户", D("9.00")),  # no operator → ≥: 450/500×10
    ("≥95%", 92, D("9.68")),  # a number cell in a % row (92 > 1, not a fraction)
    ("≥100百分比", "98%", D("9.80")),  # Anhui's "百分比" is %: 98/100×10
    ("≥100百分比", "98百分比", D("9.80")),
])
def test_numbers_typed_as_text(tmp_path, target, actual, expected):
    form, probe = score_probe(tmp_path, quantity(target, actual, reason="部分任务顺延至次年"))
    assert probe.score == expected
    assert form.total == D("90") + expected


@pytest.mark.parametrize("actual", ["０.９５", "0.95", 0.95])
def test_percent_written_as_a_fraction_is_scaled_and_flagged(tmp_path, actual):
    # 0.95 with target 95% → ×100 = 95 ≥ 95 → full 10, and a flag (the only flag on the row).
    form, probe = score_probe(tmp_path, quantity("≥95%", actual, name="慢病患者规范管理率"))
    assert probe.score == D("10")
    assert probe.flags


def test_fraction_below_target_is_scaled_then_scored(tmp_path):
    form, probe = score_probe(tmp_path, quantity("≥95%", "0.92", reason="流动人口随访困难"))
    assert probe.score == D("9.68")  # 0.92 → 92; 92/95×10 = 9.684…
    assert probe.flags


@pytest.mark.parametrize("target,actual,expected", [
    ("≤100万元", "950000元", D("10")),  # 95万元 ≤ 100万元
    ("≤100万元", "1,080,000元", D("9.26")),  # 108万元 > 100: 100/108×10 = 9.259…
    ("≥50万元", "450000元", D("9.00")),  # 45万元/50万元×10
    ("≤800000元", "76万元", D("10")),  # 760000元 ≤ 800000元
    ("≤800000元", "88万元", D("9.09")),  # 800000/880000×10 = 9.0909…
])
def test_yuan_and_wan_yuan_are_converted_before_comparing(tmp_path, target, actual, expected):
    form, probe = score_probe(tmp_path, quantity(target, actual, name="药品采购支出", reason="药品集采价格调整"))
    assert probe.score == expected


# --------------------------------------------------------------------------
# 4. Reverse (≤, <) and equality
# --------------------------------------------------------------------------


@pytest.mark.parametrize("target,actual,expected", [
    ("≤80万元", "72万元", D("10")),  # under the ceiling
    ("≤80万元", "80万元", D("10")),  # on the ceiling
    ("≤80万元", "92万元", D("8.70")),  # 80/92×10 = 8.695…
    ("<5%", "6%", D("8.33")),  # 5/6×10 = 8.333…
    ("不高于3%", "2.4%", D("10")),  # 不高于 = ≤
    ("不超过30天", "36天", D("8.33")),  # 不超过 = ≤: 30/36×10
    ("≤0起", "0起", D("10")),  # T = 0: A ≤ 0 → w
    ("≤0起", "2起", D("0")),  # T = 0: A > 0 → 0
    ("=0起", "0起", D("10")),
    ("=0", "1", D("0")),
])
def test_reverse_indicators(tmp_path, target, actual, expected):
    form, probe = score_probe(tmp_path, quantity(target, actual, name="医疗纠纷及安全事故", reason="已整改"))
    assert probe.score == expected
    assert form.total == D("90") + expected


@pytest.mark.parametrize("target,actual,expected", [
    ("=100%", "100%", D("10")),
    ("=100%", "96%", D("9.60")),  # equal with T > 0 scores as positive: 96/100×10
    ("=12次", "12次", D("10")),
    ("=12次", "9次", D("7.50")),  # 9/12×10
])
def test_equality_indicators(tmp_path, target, actual, expected):
    form, probe = score_probe(tmp_path, quantity(target, actual, name="家庭医生培训次数", reason="疫情影响"))
    assert probe.score == expected


def test_a_bare_zero_target_met_by_any_count_is_scored_as_written_and_shown_a_person(tmp_path):
    # §1: no operator is ≥, so "0起" is met by 2 起; but a bare 0 is most often a 零事故 target meant ≤0.
    _, probe = score_probe(tmp_path, quantity("0起", "2起", name="安全事故"))
    assert (probe.score, probe.basis) == (D("10.00"), "2≥0，得满分10.00")
    assert [str(f) for f in probe.flags] == [
        "年度指标值“0起”为0且未写运算符，按“≥0”计得满分；如为“不发生”类指标，应写作“≤0”，请评价人员核实该指标得分（E13）"]
    _, met = score_probe(tmp_path / "met", quantity("0起", "0起", name="安全事故"))
    assert met.score == D("10.00") and not met.flags  # both readings agree: nothing to check


def test_placeholder_actual_on_a_zero_incident_target_is_missing_not_zero(tmp_path):
    # scoring.md §1: "无" is a placeholder, never a silent 0 — even on "≤0起".
    form, probe = score_probe(tmp_path, quantity("≤0起", "无", name="医疗安全事故"))
    assert probe.score == D("0")
    assert has_flag(probe.flags, "实际完成值缺失")


# --------------------------------------------------------------------------
# 5. Over-achievement, negatives, rounding
# --------------------------------------------------------------------------


@pytest.mark.parametrize("actual,flagged", [("130场", True), ("120场", True), ("119场", False)])
def test_over_achievement_keeps_full_score_and_flags_at_120_percent(tmp_path, actual, flagged):
    form, probe = score_probe(tmp_path, quantity("≥100场", actual, name="健康教育讲座场次"))
    assert probe.score == D("10")
    assert has_flag(probe.flags, "目标值可能偏低") == flagged  # A ≥ 1.2 × T


@pytest.mark.parametrize("actual", [1e30, "1" + "0" * 30 + "场"])
def test_an_absurdly_large_actual_is_scored_and_flagged_not_a_lost_workbook(tmp_path, actual):
    # An ID number typed into 实际完成值: quantizing beyond 28 digits raised InvalidOperation,
    # and the whole workbook failed as an internal error.
    form, probe = score_probe(tmp_path, quantity("≥100场", actual, name="健康教育讲座场次"))
    assert probe.score == D("10") and probe.basis == "1" + "0" * 30 + "≥100，得满分10.00"
    assert has_flag(probe.flags, "目标值可能偏低")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "sNaN", "1e999999"])
def test_nan_or_infinity_typed_in_a_number_cell_is_an_error_on_that_cell_not_a_lost_workbook(tmp_path, text):
    # Python's Decimal reads "NaN" and "Infinity"; comparing or rounding them raised
    # InvalidOperation, and the whole workbook failed as an internal error.
    form, got = score_probe(tmp_path, quantity("≥500人次", "500人次", w=10, self_score=text))
    [flag] = [f for f in got.flags + form.flags if f"“{text}”不是数字" in f.message]
    assert flag.level == "error" and flag.source.sheet and flag.source.cell
    assert form.total == sum(i.score for i in form.items if i.applicable)


def test_negative_count_is_treated_as_zero_and_flagged(tmp_path):
    form, probe = score_probe(tmp_path, quantity("≥20个", "-3个", name="新建家庭医生团队", reason="人员未到位"))
    assert probe.score == D("0")  # A → 0: 0/20×10
    assert probe.flags


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_rounding_is_half_up_on_exact_decimals(tmp_path, suffix):
    form, probe = score_probe(tmp_path, quantity("≥400人次", "365人次", reason="就诊人数下降"), suffix=suffix)
    assert probe.score == D("9.13")  # 365/400×10 = 9.125 exactly → half-up 9.13 (half-even would give 9.12)
    assert form.total == D("99.13")


# --------------------------------------------------------------------------
# 6. Qualitative indicators (w = 15; bands 达成 [12,15], 部分达成 [9,12), 未达成 [0,9))
# --------------------------------------------------------------------------


@pytest.mark.parametrize("actual,self_score,expected", [
    ("达成年度指标", 14, D("14")),
    ("达成年度指标", 15, D("15")),
    ("部分完成", 10, D("10")),
    ("基本达成", 9, D("9")),  # lower bound of 部分达成 is closed
    ("未达到", 3, D("3")),  # "未达到" contains "达到": negative words first
])
def test_qualitative_self_score_inside_its_band_is_kept(tmp_path, actual, self_score, expected):
    form, probe = score_probe(tmp_path, qualitative(actual, self_score))
    assert probe.score == expected
    assert [f.message for f in probe.flags] == []
    assert form.total == D("85") + expected


@pytest.mark.parametrize("actual,self_score,expected", [
    ("已完成", 10, D("12")),  # 达成 [12,15]: 10 → 12
    ("达成年度指标", 16, D("15")),  # above w → 15
    ("基本达成", 12, D("11.99")),  # 部分达成 [9,12): 12 → 12 − 0.01
    ("基本完成", 8, D("9")),  # 8 → 9
    ("未完成", 10, D("8.99")),  # 未达成 [0,9): 10 → 9 − 0.01
])
def test_qualitative_self_score_outside_its_band_is_clamped_and_flagged(tmp_path, actual, self_score, expected):
    form, probe = score_probe(tmp_path, qualitative(actual, self_score))
    assert probe.score == expected
    assert probe.flags


@pytest.mark.parametrize("actual,expected", [
    ("达成年度指标", D("13.50")),  # 0.9×15
    ("基本达成", D("10.50")),  # 0.7×15
    ("未达成", D("4.50")),  # 0.3×15
    ("效果较差", D("4.50")),  # 较差 → 未达成
])
def test_qualitative_without_self_score_takes_the_band_midpoint(tmp_path, actual, expected):
    form, probe = score_probe(tmp_path, qualitative(actual))
    assert probe.score == expected
    assert has_flag(probe.flags, "需人工判定")


def test_qualitative_actual_equal_to_target_text_is_achieved(tmp_path):
    form, probe = score_probe(tmp_path, qualitative("群众就医获得感增强", target="群众就医获得感增强"))
    assert probe.score == D("13.50")  # 达成, no self-score → 0.9×15


def test_qualitative_text_fitting_no_band_scores_zero(tmp_path):
    form, probe = score_probe(tmp_path, qualitative("有所变化", self_score=10))
    assert probe.score == D("0")
    assert has_flag(probe.flags, "无法判定定性指标")


@pytest.mark.parametrize("target,actual,self_score,expected", [
    ("12月31日前", "按时完成", 15, D("15")),  # date target → qualitative; self 15 in 达成
    ("2023年12月31日前", "2023年11月20日完成", None, D("13.50")),  # numbers are a date: 达成 midpoint, not 2023 ≥ 2023
    ("第三季度", "第三季度完成", None, D("13.50")),
    ("年底前", "未完成", None, D("4.50")),  # 未达成 midpoint 0.3×15
])
def test_date_targets_are_qualitative(tmp_path, target, actual, self_score, expected):
    row = Row("产出指标", "时效指标", "签约服务完成时间", target, actual, 15, self_score, "年底集中签约")
    form, probe = score_probe(tmp_path, row)
    assert probe.score == expected


def test_pre2020_rulebook_has_wider_lower_bands(tmp_path):
    # central-pre2020-project: 部分达成 [0.5,0.8) midpoint 0.65; 未达成 [0,0.5) midpoint 0.25.
    project = Project(
        name="基本公共卫生服务项目", department="某区卫生健康局", unit="某区疾病预防控制中心", year=2016,
        funds=Funds(100, 100, 100), self_total="",
        rows=[Row("产出指标", "质量指标", "健康档案规范化管理", "有效提升", "基本达成", 20, None, "档案更新滞后"),
              Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", 30, 30),
              Row("满意度指标", "服务对象满意度指标", "投诉办结", "及时办结", "未完成", 10, None, "人手不足"),
              Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 30)],
    )
    form = score_one(write_form(tmp_path / "pre2020.xlsx", project, "beijing-2016"),
                     rules="central-pre2020-project")
    assert item(form, "健康档案规范化管理").score == D("13.00")  # 0.65×20
    assert item(form, "补助资金拨付时间").score == D("30")  # 达成 [24,30], self 30
    assert item(form, "投诉办结").score == D("2.50")  # 0.25×10
    assert form.total == D("85.50")  # 10 (100/100) + 13 + 30 + 2.50 + 30


# --------------------------------------------------------------------------
# 7. Missing values
# --------------------------------------------------------------------------


@pytest.mark.parametrize("placeholder", ["—", "-", "/", "*", "XX", "无", None, "   ", "－"])
def test_placeholder_actual_is_missing_scores_zero_and_is_flagged(tmp_path, placeholder):
    form, probe = score_probe(tmp_path, quantity("≥500人次", placeholder, reason="数据未统计"))
    assert probe.score == D("0")
    assert has_flag(probe.flags, "实际完成值缺失")
    assert form.total == D("90")


def test_placeholder_actual_on_a_qualitative_row_is_missing(tmp_path):
    form, probe = score_probe(tmp_path, qualitative("/", self_score=12))
    assert probe.score == D("0")
    assert has_flag(probe.flags, "实际完成值缺失")


def test_missing_target_scores_zero_and_is_flagged(tmp_path):
    form, probe = score_probe(tmp_path, quantity("—", "520人次", reason="目标未设定"))
    assert probe.score == D("0")
    assert probe.flags or form.flags


@pytest.mark.parametrize("reason,flagged", [("", True), ("无", True), ("——", True), ("N/A", True), ("xx", True),
                                            ("部分居民外出务工", False)])
def test_score_below_weight_needs_a_reason(tmp_path, reason, flagged):
    form, probe = score_probe(tmp_path, quantity("≥500人次", "450人次", reason=reason))
    assert probe.score == D("9.00")  # 450/500×10
    assert has_flag(probe.flags, "缺少偏差原因") == flagged


# --------------------------------------------------------------------------
# 8. Review of self-scores (复核)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("self_score,flagged", [(10, True), (9.26, False), (9.27, False), (9.28, True)])
def test_self_score_differing_by_more_than_a_cent_is_flagged(tmp_path, self_score, flagged):
    row = quantity("≥120000件", "111074件", self_score=self_score, name="受理办件数量", reason="线上分流")
    form, probe = score_probe(tmp_path, row)
    assert probe.score == D("9.26")  # 111074/120000×10 = 9.256…
    assert probe.self_score == D(str(self_score))
    assert bool(probe.flags) == flagged
    if flagged:
        assert any("9.26" in f.message and str(self_score) in f.message for f in probe.flags)


# --------------------------------------------------------------------------
# 9. Budget execution (预算执行率)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("funds,expected", [
    (Funds(60, 62.5, 59.38), D("9.50")),  # 59.38/62.5 = 0.95008 → 9.5008
    (Funds(100, 100, 0), D("0")),  # nothing spent
    (Funds("1,250.00", "1,250.00", "1,187.50"), D("9.50")),  # amounts typed as text: 1187.5/1250
    (Funds(48, 50, 44.1), D("8.82")),  # full-year budget, not year-start: 44.1/50 (44.1/48 would give 9.19)
])
def test_execution_rate(tmp_path, funds, expected):
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=funds)
    assert item(form, "预算执行率").score == expected
    assert form.total == D("90") + expected


def test_execution_over_100_percent_gets_full_score_and_a_flag(tmp_path):
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(100, 100, 104))
    assert item(form, "预算执行率").score == D("10")  # min(1.04, 1)×10
    assert form.total == D("100")
    assert all_flags(form)  # the only flag on an otherwise clean form


def test_no_budget_and_no_spending_is_not_applicable_and_total_is_rescaled(tmp_path):
    probe = quantity("≥400人次", "365人次", reason="就诊人数下降")  # 9.13
    form, _ = score_probe(tmp_path, probe, funds=Funds(0, 0, 0))
    assert not [i for i in form.items if i.name == "预算执行率" and i.applicable]
    assert form.total == D("99.03")  # (9.13+40+30+10) = 89.13 × 100/(100−10) = 99.033…
    assert form.grade == "优"


def test_a_weight_a_formula_left_with_binary_noise_scores_as_the_10_excel_shows(tmp_path):
    # 13/16 × 9.999999999999998 = 8.1249999… rounded to 8.12, and the basis showed the noise.
    _, probe = score_probe(tmp_path, quantity("≥16个", "13个", w=9.999999999999998, reason="进度滞后"))
    assert (probe.weight, probe.score, probe.basis) == (D("10"), D("8.13"), "13/16×10=8.13")


def test_a_not_applicable_execution_on_a_form_whose_weights_are_off_rescales_by_the_formula_and_says_so(tmp_path):
    # 20 on the fund row over indicators worth 90: total × 100/(100−20), as scoring.md §2 writes it and
    # as the form's own weights give (§4), though it passes full marks — scored, the same form could
    # reach 110.  It was rescaled by what the other items are worth (100/90) instead.
    probe = quantity("≥400人次", "365人次", reason="就诊人数下降")  # 9.13
    project = baseline(probe, Funds(0, 0, 0))
    project.exec_weight, project.exec_self_score = 20, 9.5
    form = score_one(write_form(tmp_path / "w20.xlsx", project))
    execution = item(form, "预算执行率")
    assert not execution.applicable and form.total == D("111.41")  # 89.13 × 100/80 = 111.4125
    assert any(f.message == "预算执行不适用（预算数与执行数均为0），总分按满分折算：89.13×100/(100−20)=111.41，"
               "超过满分100（各项分值合计超过100，请核对分值）" for f in form.flags)
    # The unit's 9.5 on an item left out has no 差异 (it is no verdict on it), and is named instead.
    assert execution.difference is None
    assert [f.message for f in execution.flags] == ["本项不适用，不计入总分；单位自评得分9.5未予采用"]


def test_a_not_applicable_execution_beside_indicators_worth_less_rescales_as_scoring_md_says(tmp_path):
    # Indicators worth 85 beside 10 on the fund row: total × 100/(100−10), as §2 writes it — not
    # × 100/85, which would lift a form short of 5 points of 分值 to full marks.
    probe = quantity("≥400人次", "365人次", reason="就诊人数下降")  # 9.13 of 10
    project = baseline(probe, Funds(0, 0, 0))
    project.rows[-1].weight = 5  # the last indicator worth 5 instead of 10
    project.rows[-1].self_score = 5
    form = score_one(write_form(tmp_path / "w85.xlsx", project))
    assert sum(i.weight for i in form.items if i.applicable) == 85
    rescaled = [f.message for f in form.flags if "总分按满分折算" in f.message]
    assert rescaled == ["预算执行不适用（预算数与执行数均为0），总分按满分折算：84.13×100/(100−10)=93.48"]
    assert form.total == D("93.48")


@pytest.mark.parametrize("total_row", ["zero", "blank"])
def test_no_money_in_any_sub_row_under_an_empty_or_zero_total_is_not_applicable(tmp_path, total_row):
    # scoring.md §2 says "empty or 0" of the 年度资金总额 row alike: a blank one over sub-rows written
    # as 0 was read as a budget left out (0 points) where a 0 one was 不适用 (rescaled).
    nothing = [FundRow("fiscal"), FundRow("carryover"), FundRow("other")]
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(0, 0, 0, sub_rows=nothing, total_row=total_row))
    assert not item(form, "预算执行率").applicable and form.total == D("100")


def test_a_sub_row_left_blank_under_an_empty_total_is_a_budget_left_out(tmp_path):
    unfilled = [FundRow("fiscal", None, None, None), FundRow("carryover"), FundRow("other")]
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(None, None, None, sub_rows=unfilled, total_row="blank"))
    execution = item(form, "预算执行率")
    assert execution.applicable and execution.score == D("0") and execution.basis == "预算数缺失，得0分"
    assert form.total == D("90")


def test_spending_without_budget_is_an_error_scored_zero(tmp_path):
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(0, 0, 5))
    execution = item(form, "预算执行率")
    assert execution.score == D("0")
    assert any(f.level == "error" for f in execution.flags)
    assert form.total == D("90")


def test_negative_spending_counts_as_zero_and_is_flagged_not_a_negative_score(tmp_path):
    # min(−1/62.5, 1) × 10 = −0.16 lowered the total below what an empty row gives.
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(60, 62.5, -1))
    execution = item(form, "预算执行率")
    assert execution.score == D("0")  # −1 → 0: 0/62.5 × 10
    assert execution.basis == "执行数-1<0按0计；0/62.5×10=0.00（执行率0.00%）"
    [flag] = [f for f in execution.flags if "负数" in f.message]
    assert flag.message == "执行数为负数（-1），按0计算" and flag.source.cell == "E6"  # 年度资金总额 row
    assert form.total == D("90")


def test_negative_spending_on_a_zero_budget_is_an_error_not_a_row_that_does_not_apply(tmp_path):
    # Counted as 0 before the test for 不适用, −5 against a budget of 0 read as "both 0": the
    # item was dropped and the total rescaled from 90 to 100 (scoring.md §2: both must be 0).
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(0, 0, -5))
    execution = item(form, "预算执行率")
    assert execution.applicable and execution.score == D("0")
    assert execution.basis == "预算数为0而执行数为-5，得0分"
    assert any(f.level == "error" and "预算数为0但执行数为-5" in f.message for f in execution.flags)
    assert form.total == D("90")


def test_a_negative_budget_is_an_error_on_its_cell_scored_zero(tmp_path):
    # 59.38/−62.5 × 10 = −9.50 was given as the score.
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(60, -62.5, 59.38))
    execution = item(form, "预算执行率")
    assert execution.score == D("0") and execution.basis == "预算数-62.5为负数，得0分"
    [flag] = [f for f in execution.flags if "负数" in f.message]
    assert flag.level == "error" and flag.source.cell == "D6"  # 全年预算数 of 年度资金总额
    assert form.total == D("90")


@pytest.mark.parametrize("funds,flagged", [
    (Funds("125万元", "125万元", "1,000,000元"), 2),  # 元 in a 万元 block: 100 万元 (total and 财政拨款 rows)
    (Funds("1,250,000元", "1,250,000元", "1,000,000元"), 6),
    (Funds(125, 125, 100), 0),
])
def test_fund_amounts_written_with_another_money_unit_are_converted(tmp_path, funds, flagged):
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=funds)
    assert item(form, "预算执行率").score == D("8.00")  # 100/125 × 10
    conversions = [f for f in all_flags(form) if "按万元折算" in f.message]
    assert len(conversions) == flagged


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])  # an .xls keeps its formats where calamine does not look
@pytest.mark.parametrize("target, actual, number_format, expected", [
    ("≥95%", 1.05, "0%", "10"),      # Excel shows 105%: above the target
    ("≥95%", 0.96, "0%", "10"),      # shows 96%: no "written as a fraction" flag, the unit typed 96%
    ("≥95%", 0.9, "0.0%", "9.47"),   # shows 90.0%: 90/95×10, no "written as a fraction" flag
    (0.95, "90%", "0%", "9.47"),     # the target typed as 95%
    ("≥95", 0.9, '0"%"', "0.09"),    # a literal % sign: the number is 0.9 (0.9/95×10)
])
def test_numbers_shown_as_percentages_read_as_the_percentage_shown(tmp_path, suffix, target, actual, number_format,
                                                                   expected):
    shown = target if isinstance(target, float) else actual
    path = write_form(tmp_path / f"percent{suffix}", baseline(quantity(target, actual, reason="r")),
                      number_formats={shown: number_format})
    probe = item(score_one(path), "服务人次")
    assert probe.score == D(expected)
    assert not any("按百分比换算" in f.message for f in probe.flags)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_weights_shown_as_percentages_of_the_form_are_the_points_they_show(tmp_path, suffix):
    # A 权重 column of 10%, 40%, … (the cells hold 0.1, 0.4): read as 0.1 point, every indicator was
    # scored a tenth of a point and the form came to 10.40, 差.  A 权重 typed as the text "10%" too.
    rows = [quantity("≥500人次", "500人次", w=0.1),
            Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", 0.4, 40),
            Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 0.3, 30),
            Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", "10%")]
    project = baseline(FULL_PROBE)
    project.rows = rows
    form = score_one(write_form(tmp_path / f"weights{suffix}", project, number_formats={0.1: "0%", 0.4: "0%", 0.3: "0%"}))
    assert [i.weight for i in form.items] == [D(10), D(10), D(40), D(30), D(10)]
    assert form.total == D("100") and not [f for f in form.flags if "分值合计" in f.message]


def _cell_value(path: Path, flag):
    """What the cell a flag points at holds in the workbook the unit sent."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=True)
    return workbook[flag.source.sheet][flag.source.cell].value


def _row_of(source) -> int:
    return int(source.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def _execution_flag(form, text: str):
    return next(flag for flag in item(form, "预算执行率").flags if text in flag.message)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_execution_flags_point_at_the_amount_they_are_about(tmp_path, layout):
    # The officer opens the cell a flag names: it must be the amount in question, not the row's first cell.
    path = write_form(tmp_path / "over.xlsx", baseline(FULL_PROBE, Funds(100, 100, 104)), layout)
    over = _execution_flag(score_one(path), "超过100%")
    assert _cell_value(path, over) == 104

    path = write_form(tmp_path / "unspent.xlsx", baseline(FULL_PROBE, Funds(100, 100, None)), layout)
    missing = _execution_flag(score_one(path), "执行数缺失")
    assert missing.source == over.source and _cell_value(path, missing) is None

    path = write_form(tmp_path / "no-budget.xlsx", baseline(FULL_PROBE, Funds(0, 0, 5)), layout)
    zero = _execution_flag(score_one(path), "预算数为0")
    assert _cell_value(path, zero) == 0 and zero.source != over.source
    assert _row_of(zero.source) == _row_of(over.source)  # the budget beside the amount spent


def _sub_rows_only(total_row, fiscal, carryover, other) -> Funds:
    rows = [FundRow("fiscal", *fiscal), FundRow("carryover", *carryover), FundRow("other", *other)]
    return Funds(0, 0, 0, total_row=total_row, sub_rows=rows)


@pytest.mark.parametrize("total_row", ["zero", "blank"])
def test_fund_sub_rows_stand_in_for_an_empty_total_row(tmp_path, total_row):
    funds = _sub_rows_only(total_row, (40, 42, 39.9), (5, 6, 5.4), (0, 2, 1.5))
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=funds, layout="anhui-2022")
    assert item(form, "预算执行率").score == D("9.36")  # (39.9+5.4+1.5)/(42+6+2) = 46.8/50 = 0.936


def test_using_the_fund_sub_rows_is_flagged(tmp_path):
    # Sums 50/50 = 100% → full score, so the sub-row flag is the only flag (财政拨款 alone: 40/42).
    funds = _sub_rows_only("zero", (40, 42, 40), (5, 6, 6), (0, 2, 4))
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=funds, layout="anhui-2022")
    assert item(form, "预算执行率").score == D("10")
    assert all_flags(form)


@pytest.mark.parametrize("layout,expected", [
    ("national-2020", D("7.50")),  # 45/60 (全年预算数)
    ("anhui-2022", D("7.50")),  # 45/60
    ("sichuan-2023", D("7.50")),  # 45/60 (调整后预算数)
    ("beijing-2016", D("9.00")),  # no 全年预算数 column: 45/50 (年初预算数)
])
def test_which_budget_the_rate_uses(tmp_path, layout, expected):
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(50, 60, 45), layout=layout)
    assert item(form, "预算执行率").score == expected


def test_falling_back_to_the_year_start_budget_is_flagged(tmp_path):
    # Beijing 2016: 50/50 = 100% → full score; the fallback flag is the only flag (全年预算数 would give 50/60).
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=Funds(50, 60, 50), layout="beijing-2016")
    assert item(form, "预算执行率").score == D("10")
    assert has_flag(all_flags(form), "年初预算")


@pytest.mark.parametrize("exec_weight, weight", [(10, -10), (-10, 10), (10, "-10")])
def test_a_negative_weight_is_an_error_on_its_cell_and_scored_as_a_missing_one(tmp_path, exec_weight, weight):
    # Every rule scales by the weight: −10 gave "得满分-10.00" and a negative total.
    project = Project(
        name="家庭医生签约服务补助项目", department="某区卫生健康局", unit="某区人民医院", year=2023,
        funds=Funds(80, 80, 70), exec_weight=exec_weight, self_total="",
        rows=[Row("产出指标", "数量指标", "签约居民人数", "≥5000人", "5000人", weight),
              Row("效益指标", "社会效益指标", "签约居民健康管理", "有效提升", "达成年度指标", 30, 30),
              Row("满意度指标", "服务对象满意度指标", "签约居民满意度", "≥90%", "95%", 10)],
    )
    form = score_one(write_form(tmp_path / "negative-weight.xlsx", project))
    assert all(i.score >= 0 and i.weight >= 0 for i in form.items)
    [flag] = [f for f in all_flags(form) if "为负数（-10），不能作为分值" in f.message]
    assert flag.level == "error" and flag.source.cell
    if exec_weight < 0:  # a missing 预算执行分值 takes the rulebook's default
        assert item(form, "预算执行率").score == D("8.75")  # 70/80 × 10
        assert flag.message.startswith("预算执行分值")
    else:
        assert item(form, "签约居民人数").score == 0 and has_flag(item(form, "签约居民人数").flags, "分值缺失")


@pytest.mark.parametrize("layout", ["national-2020", "sichuan-2023", "beijing-2016"])
def test_execution_weight_is_read_from_the_form(tmp_path, layout):
    project = Project(
        name="家庭医生签约服务补助项目", department="某区卫生健康局", unit="某区人民医院", year=2023,
        funds=Funds(80, 80, 70), exec_weight=20, self_total="",
        rows=[Row("产出指标", "数量指标", "签约居民人数", "≥5000人", "5000人", 40),
              Row("效益指标", "社会效益指标", "签约居民健康管理", "有效提升", "达成年度指标", 30, 30),
              Row("满意度指标", "服务对象满意度指标", "签约居民满意度", "≥90%", "95%", 10)],
    )
    form = score_one(write_form(tmp_path / f"w20-{layout}.xlsx", project, layout))
    assert item(form, "预算执行率").score == D("17.50")  # 70/80 = 0.875 × 20
    assert form.total == D("97.50")  # 17.50 + 40 + 30 + 10


def test_formula_is_read_through_its_cached_value(tmp_path):
    funds = Funds(40, 42, Formula("=SUM(E7:E9)", 39.9))
    form, _ = score_probe(tmp_path, FULL_PROBE, funds=funds)
    assert item(form, "预算执行率").score == D("9.50")  # 39.9/42 = 0.95


def test_formula_never_calculated_is_an_error_not_a_crash(tmp_path):
    funds = Funds(40, 42, Formula("=SUM(E7:E9)"), sub_rows=[FundRow("fiscal", 40, 42, Formula("=39.9"))])
    path = write_form(tmp_path / "uncalculated.xlsx", baseline(FULL_PROBE, funds))
    form = score_one(path)
    assert any(f.level == "error" for f in all_flags(form))


def test_formula_whose_result_is_empty_text_was_calculated(tmp_path):
    # Excel saves =IF(…,"") showing nothing as a string result with an empty value.
    import zipfile

    probe = quantity("≥500人次", "500人次", self_score=Formula('=IF(F13="","",10)'))
    written = write_form(tmp_path / "written.xlsx", baseline(probe))
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<c r="([A-Z]+\d+)"( s="\d+")?><f>IF', rb'<c r="\1"\2 t="str"><f>IF', data)
            target.writestr(member, data)
    assert b't="str"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    form = score_one(path)
    assert item(form, "服务人次").self_score is None  # shown empty, so no self-score
    assert not any("未计算" in f.message for f in all_flags(form))


# --------------------------------------------------------------------------
# 10. Sichuan columns: 指标性质 and 度量单位
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row,expected", [
    (Row("产出指标", "成本指标", "设备维护费", 80, 98, 10, None, "设备老化", nature="≤", unit="万元"),
     D("8.16")),  # 指标性质 ≤: 80/98×10 = 8.163…
    (Row("产出指标", "质量指标", "处方合格率", 100, 96, 10, None, "抽查不合格", nature="=", unit="%"),
     D("9.60")),  # =: 96/100×10
    (Row("产出指标", "质量指标", "慢病随访率", 95, 0.95, 10, None, "", nature="≥", unit="%"),
     D("10")),  # 度量单位 % supplies the unit: 0.95 → 95 (flagged)
    (Row("产出指标", "时效指标", "体检完成时间", "11月底前", "按时完成", 10, 10, "", nature="定性"),
     D("10")),  # 定性, 达成, self 10 in band
])
def test_sichuan_operator_and_unit_columns(tmp_path, row, expected):
    form, probe = score_probe(tmp_path, row, layout="sichuan-2023")
    assert probe.score == expected


def test_sichuan_operator_column_overrides_the_default(tmp_path):
    # 指标性质 ≤ makes "5例" a ceiling: 8 > 5 → 5/8×10 = 6.25 (read as ≥ it would score 10).
    row = Row("产出指标", "数量指标", "院内感染例数", "5例", "8例", 10, None, "加强消毒", nature="≤")
    form, probe = score_probe(tmp_path, row, layout="sichuan-2023")
    assert probe.score == D("6.25")


# --------------------------------------------------------------------------
# 11. Weights and grades
# --------------------------------------------------------------------------


def test_weights_not_summing_to_100_are_flagged_but_used(tmp_path):
    project = baseline(quantity("≥500人次", "500人次", w=45))
    del project.rows[1]  # drop 补助资金拨付时间 (w 5): weights 45 + 30 + 10 + exec 10 = 95
    form = score_one(write_form(tmp_path / "w95.xlsx", project))
    assert item(form, "服务人次").score == D("45")  # the form's own weight
    assert form.total == D("95")  # 10 + 45 + 30 + 10
    assert all_flags(form)  # weights ≠ 100 (and 产出 ≠ 50): the only findings


@pytest.mark.parametrize("actual,executed,total,grade", [
    ("7500人次", 1000, D("90.00"), "优"),  # 7500/10000×40 = 30; 1000/1000×10 = 10; 50 + 30 + 10
    ("7500人次", 999, D("89.99"), "良"),  # 30 + 9.99
    ("5000人次", 1000, D("80.00"), "良"),  # 20 + 10
    ("5000人次", 999, D("79.99"), "中"),  # 20 + 9.99
    ("625人次", 750, D("60.00"), "中"),  # 2.50 + 7.50
    ("625人次", 749, D("59.99"), "差"),  # 2.50 + 7.49
])
def test_grade_boundaries(tmp_path, actual, executed, total, grade):
    # Probe w 40 (target ≥10000人次); fixed rows: 补助资金拨付时间 10 + 健康素养 30 + 满意度 10 = 50.
    probe = quantity("≥10000人次", actual, w=40, reason="服务人口减少")
    form, _ = score_probe(tmp_path, probe, funds=Funds(1000, 1000, executed))
    assert form.total == total
    assert form.grade == grade


# --------------------------------------------------------------------------
# 12. The example inbox (examples/make_examples.py), totals computed by hand
# --------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_RESULTS = {
    # file: [(project, engine total, grade, self total)]
    "城管局/城区道路养护项目.xlsx": [
        # 9.62 (871.3/905.5) + 8 + 7.30 (16420/18000×8) + 6 + 8 + 6 + 6 + 7.33 (38/41.5×8)
        # + 7.99 (基本达成, self 10 clamped) + 6 + 6 + 7.20 (达到 → 0.9×8) + 9.84 (88.6/90×10)
        ("城区道路养护项目", "95.28", "优", "92"),
    ],
    "城管局/城市管理局_2023年度项目支出绩效自评表.xlsx": [
        ("市容环境卫生保洁项目", "99.91", "优", "100"),  # 9.91 (1248.6/1260) + 90; 0.97 → 97%
        # 8.90 (382.7/430) + 15 + 8.17 (9800/12000×10) + 10 + 9.68 (92/95×10) + 5 (14200元 ≤ 1.5万元)
        # + 11.99 (基本达成, self 14 of 15) + 15 + 10
        ("公园绿地管护项目", "93.74", "优", "99"),
        # 10 (283.1/275 > 100%) + 15 + 10 + 9.49 (90.2/95×10) + 5 + 10 + 15 + 15 + 10
        ("城区路灯亮化维护项目", "99.49", "优", "85"),
    ],
    "教育局/中小学校舍维修改造项目.xlsx": [
        # 9.15 (1537.2/1680) + 8 + 7.54 (39600/42000×8) + 6 + 8 + 6 + 6.39 (基本完成, self 8 of 8)
        # + 6 + 10 + 9 (显著 → 达成, self 9) + 10 + 10
        ("中小学校舍维修改造项目", "96.08", "优", "88.5"),
    ],
    "教育局/学生营养改善计划补助项目.xls": [
        # 10 + 10 × 6 + 9.84 (90.5/92×10) + 9 (是 → 达成 midpoint) + 10
        ("学生营养改善计划补助项目", "98.84", "优", "90"),
    ],
    "卫健委/社区卫生服务补助项目_安徽样式.xlsx": [
        # 9.29 (sub-rows 408.4/439.6) + 8 + 7.62 (171500/180000×8) + 8 (0.672 → 67.2%) + 7.81 (60.5/62×8)
        # + 8 + 9.52 (120/126×10) + 10 + 9.31 (51.2/55×10) + 7 (一定效果 → 0.7×10) + 0 (—)
        ("社区卫生服务补助项目", "84.55", "良", "90"),
    ],
    "文旅局/图书馆免费开放项目_2019.xlsx": [
        # 9.42 (301.4/320, 年初预算数) + 10 × 5 + 15 + 11.99 (部分完成, self 14 of 15) + 10
        ("图书馆免费开放项目", "96.41", "优", "98.4"),
    ],
    "水利局/农村饮水安全工程项目.xlsx": [
        # 9.00 (2385/2650) + 8 + 7.40 (78.6/85×8) + 6 + 8 + 6 + 6 + 8 (2385万元 ≤ 2650万元) + 10
        # + 0 (基本建立 fits no band) + 9 (0.9×10) + 10
        ("农村饮水安全工程项目", "87.40", "良", "89"),
    ],
    # Department forms, by hunan-dept: 3.84 (88/86 = 102.33%, 5 − 0.5×2.33) + 3.60 (三公 +2.80%) + 4 (84.56% ≥ 80%)
    # + 5 + 5 + 5 (97.98%: no whole 5 points short) + 3 (追加 13.48% ≤ 20%) + 4 (公用 102%) + 5 + 4.63 (92.54%×5)
    # + 4.49 (89.75%×5) + 5 + 5 + 5 + 10 + 10 + 9.5 (self-scored rows)
    "市场监管局/市场监督管理局_2023年度部门整体支出绩效评价表.xlsx": [("某区市场监督管理局", "92.06", "优", "99.5")],
    # The F3 paired with the F2 of its folder's other file: 5 × 8 + 4.5 + 4.70 (94%×5) + 4.83 (96.54%×5)
    # + 5 × 3 + 10 + 9 + 9.5
    "统计局/统计局_指标评分表.xlsx": [("某区统计局", "97.53", "优", "98")],
}


@pytest.mark.parametrize("file", EXAMPLE_RESULTS)
def test_example_inbox(file):
    forms = score(EXAMPLES / file).forms
    got = [(f.name, f.total, f.grade, f.self_total) for f in forms]
    assert got == [(name, D(total), grade, D(self_total)) for name, total, grade, self_total in EXAMPLE_RESULTS[file]]


# --------------------------------------------------------------------------
# Variants a plain openpyxl sheet shows most clearly (found by adversarial runs)
# --------------------------------------------------------------------------


PLAIN_ROWS = [  # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 自评得分, 偏差原因
    ("产出指标", "数量指标", "受理件数", "≥100件", "90件", 50, 45, "需求下降"),
    ("效益指标", "社会效益指标", "群众满意度", "≥90%", "95%", 40, 40, ""),
]
PLAIN_TOTAL = D("93.00")  # 80/100×10 = 8; 90/100×50 = 45; 95 ≥ 90: 40


def plain_form(path: Path, *, funds_after=False, fund_labels=("年度资金总额", "其中：当年财政拨款"),
               weight_columns=("分值",), score_columns=("自评得分",), merged_reason=False,
               two_row_header=False) -> Path:
    """An F1 sheet written cell by cell: heading, 项目资金 (before or after the indicators), indicators."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["项目支出绩效自评表"])
    sheet.append(["（2023年度）"])
    sheet.append(["项目名称", "测试项目"])
    sheet.append(["主管部门", "某局", "实施单位", "某中心"])

    def fund_block():
        sheet.append(["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "得分"])
        sheet.append([None, fund_labels[0], 100, 100, 80, 10, None])
        sheet.append([None, fund_labels[1], 100, 100, 80, None, None])

    if not funds_after:
        fund_block()
    extra_weights = [label for label in weight_columns if label != "分值"]
    extra_scores = [label for label in score_columns if label != "自评得分"]
    if two_row_header:  # group labels merged across, their columns' labels below, the rest merged down
        sheet.append(["一级指标", "二级指标", "三级指标", "指标值", None, "自评情况", None, "偏差原因分析及改进措施"])
        sheet.append([None, None, None, "年度指标值", "实际完成值", "分值", "自评得分", None])
        top = sheet.max_row - 1
        for column in (1, 2, 3, 8):
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
        for column in (4, 6):
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
    else:
        sheet.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", *extra_weights, "分值",
                      *extra_scores, "自评得分", "偏差原因分析及改进措施"])
    first = sheet.max_row + 1
    for level1, level2, name, target, actual, weight, self_score, reason in PLAIN_ROWS:
        sheet.append([level1, level2, name, target, actual, *[f"{weight}%" for _ in extra_weights], weight,
                      *[None for _ in extra_scores], self_score, reason])
    if merged_reason:
        column = sheet.max_column
        sheet.cell(first + 1, column).value = None
        sheet.cell(first, column).value = "需求下降，群众满意度提升"
        sheet.merge_cells(start_row=first, start_column=column, end_row=first + 1, end_column=column)
    sheet.append(["总分", None, None, None, None, *[None for _ in extra_weights], 100])
    if funds_after:
        fund_block()
    workbook.save(path)
    return path


def test_a_table_without_a_weight_column_says_so_once_for_the_form(tmp_path):
    # A county's 绩效目标自评表 (Hunan 2020) has no 分值 column: each row said "分值缺失，按0分计", and
    # nothing said that the table lacks the column, the reason the form scored 8.00 and 差.
    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), lambda sheet: sheet.delete_cols(6)))
    [flag] = [f for f in form.flags if "没有“分值”列" in f.message]
    assert str(flag) == "绩效指标表没有“分值”列，各指标无分值，均按0分计，请单位按评分办法在表中补列各指标分值后重新报送（C8）"
    assert [i.score for i in form.items[1:]] == [D("0"), D("0")] and form.total == D("8.00")


def test_a_weight_column_left_blank_is_said_row_by_row_only(tmp_path):
    # The counter-case: a 分值 column there but blank is the unit's omission on each row, said on each row.
    def blank_weights(sheet):
        for row in range(_row_with(sheet, 3, "受理件数"), _row_with(sheet, 3, "群众满意度") + 1):
            sheet.cell(row, 6).value = None

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), blank_weights))
    assert not [f for f in form.flags if "没有“分值”列" in f.message]
    assert [f.message for i in form.items[1:] for f in i.flags if "分值缺失" in f.message] == ["分值缺失，按0分计"] * 2


def _edited(path: Path, edit) -> Path:
    import openpyxl

    book = openpyxl.load_workbook(path)
    edit(book.active)
    book.save(path)
    return path


def _row_with(sheet, column: int, text: str) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, column).value == text)


def _row_below_first_indicator(sheet, values: list) -> None:
    """A row of ``values`` inserted under the plain form's first indicator (受理件数)."""
    row = _row_with(sheet, 3, "受理件数") + 1
    sheet.insert_rows(row)
    for col, value in enumerate(values, start=1):
        sheet.cell(row, col, value)


def _platform_export(path: Path, fund_rows: list[list]) -> Path:
    """A 绩效管理系统's export of the plain form: its heading, ``fund_rows`` (the 预算执行情况 block, its
    header first), and the indicators headed 指标值 | 实际完成值 | 权重设定值 | 实际得分."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["项目支出绩效自评表"], ["（2021年度）"], ["项目名称", "城乡环境综合整治经费"],
                ["主管部门", "某县住房和城乡建设局", "实施单位", "某县环境卫生管理所"],
                *fund_rows,
                ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "权重设定值", "实际得分", "偏差原因及改进措施"],
                *[row[:6] + (row[6], row[7]) for row in PLAIN_ROWS],
                ["总分", None, None, None, None, 100]):
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.mark.parametrize("adjusted", ["调整后的预算", "调整后的预算数"])
def test_a_platforms_export_with_the_adjusted_budget_beside_the_adjustment_scores_on_the_adjusted_one(tmp_path, adjusted):
    # A 绩效管理系统 exports its 预算执行情况 as 资金来源 | 年初预算 | 年度预算调整 | 调整后的预算 | 全年执行数 |
    # 预算执行率% | 自评得分 (no 分值: 10 by default).  调整后的预算 went unread: the rate was 108/100 on 年初预算,
    # "超过100%", full marks, instead of 108/120.  年度预算调整 (+20, the change alone) is no budget.
    form = score_one(_platform_export(tmp_path / "export.xlsx", [
        ["项目资金（万元）", "资金来源", "年初预算", "年度预算调整", adjusted, "全年执行数", "预算执行率%", "自评得分"],
        [None, "合计", 100, 20, 120, 108, 90, 9],
        [None, "预算内", 100, 20, 120, 108, 90, None],
        [None, "专户资金", 0, 0, 0, 0, 0, None]]))
    execution = item(form, "预算执行率")
    assert (form.budget, form.executed) == (D("120"), D("108"))
    assert execution.score == D("9.00")  # 108/120 = 90% → 0.9×10 (the default weight: the export has no 分值)
    assert not [f for f in execution.flags if "年初预算数" in f.message or "超过100%" in f.message]
    assert form.total == D("94.00")  # 9 + 45 + 40


def test_a_year_start_and_an_adjustment_without_the_adjusted_budget_still_fall_back_to_the_year_start(tmp_path):
    # Counter-case: 年度预算调整 alone is the change, not the adjusted budget; without 调整后的预算 the rate
    # is on 年初预算数, flagged (scoring.md §2), never on the +20.
    form = score_one(_platform_export(tmp_path / "export.xlsx", [
        ["项目资金（万元）", "资金来源", "年初预算", "年度预算调整", "全年执行数", "自评得分"],
        [None, "合计", 100, 20, 90, 9]]))
    execution = item(form, "预算执行率")
    assert (form.budget, execution.score) == (D("100"), D("9.00"))  # 90/100 on 年初预算
    assert has_flag(execution.flags, "表中没有全年预算数，按年初预算数计算执行率")


def test_a_total_row_labelled_under_the_target_column_ends_the_table(tmp_path):
    # Read as an indicator "（第N行未命名指标）" of weight 100: "各项分值合计200".
    def edit(sheet):
        row = _row_with(sheet, 1, "总分")
        sheet.cell(row, 1, None)
        sheet.cell(row, 4, "总分")

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "群众满意度"]
    assert form.total == PLAIN_TOTAL and not [f for f in form.flags if "分值合计" in f.message]


def test_the_goals_above_a_two_row_indicator_header_end_where_the_header_begins(tmp_path):
    # 实际完成情况 read "已按计划完成\n自评情况": the header's group label joined the goal's text.
    def edit(sheet):
        header = _row_with(sheet, 1, "一级指标")
        sheet.insert_rows(header, 2)
        for col, value in ((1, "年度总体目标"), (2, "预期目标"), (6, "实际完成情况")):
            sheet.cell(header, col, value)
        sheet.cell(header + 1, 2, "完成道路养护")
        sheet.cell(header + 1, 6, "已按计划完成")

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx", two_row_header=True), edit)).form
    assert (form.goal_expected, form.goal_actual) == ("完成道路养护", "已按计划完成")


def test_two_fields_written_in_one_cell_are_each_read(tmp_path):
    # The department read "某局　　　　实施单位：某中心" and the implementing unit was empty: the 部门
    # sheet of the summary grouped the form under a department of its own.
    def edit(sheet):
        row = _row_with(sheet, 1, "主管部门")
        sheet.cell(row, 1, "主管部门：某局　　　　实施单位：某中心")
        for column in (2, 3, 4):
            sheet.cell(row, column, None)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit)).form
    assert (form.department, form.unit) == ("某局", "某中心")


@pytest.mark.parametrize("columns_left", [0, 2])
def test_a_fund_block_after_a_table_without_a_total_row_is_the_fund_block(tmp_path, columns_left):
    # Its header and rows were read as five more indicators ("全年预算数", "100", …), and the
    # execution scored 0 for a block "not found"; still so when the form started in column C.
    def edit(sheet):
        sheet.delete_rows(_row_with(sheet, 1, "总分"))
        if columns_left:
            sheet.insert_cols(1, columns_left)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx", funds_after=True), edit))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "群众满意度"]
    assert form.total == PLAIN_TOTAL


def _form_with_fund_block(path: Path, fund_header: list, fund_rows: list[list]) -> Path:
    """A plain F1 sheet whose 项目资金 block is written as given (the indicators of PLAIN_ROWS)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["项目支出绩效自评表"], ["（2023年度）"], ["项目名称", "测试项目"], ["主管部门", "某局", "实施单位", "某中心"],
                fund_header, *fund_rows,
                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分", "偏差原因分析及改进措施"],
                *[list(row) for row in PLAIN_ROWS], ["总分", None, None, None, None, 100]):
        sheet.append(row)
    book.save(path)
    return path


def test_a_fund_blocks_weight_and_self_score_come_from_the_columns_holding_them(tmp_path):
    # 分值 left blank beside 权重 15, 得分 left blank beside 自评得分 12: the first of each was read,
    # a default weight of 10 taken and the self-score lost.
    path = _form_with_fund_block(
        tmp_path / "form.xlsx", ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "权重", "得分", "自评得分"],
        [[None, "年度资金总额", 100, 100, 80, None, 15, None, 12],
         [None, "其中：当年财政拨款", 100, 100, 80]])
    execution = item(score_one(path), "预算执行率")
    assert (execution.weight, execution.score, execution.self_score) == (D(15), D("12.00"), D(12))


def test_a_fund_block_without_a_total_row_takes_its_weight_from_its_first_row(tmp_path):
    # 当年财政拨款 and 上年结转 only: the 分值 15 on the first was "missing" and 10 taken.
    path = _form_with_fund_block(
        tmp_path / "form.xlsx", ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "得分"],
        [[None, "其中：当年财政拨款", 80, 80, 60, 15, 12], [None, "上年结转资金", 20, 20, 20]])
    execution = item(score_one(path), "预算执行率")
    assert (execution.weight, execution.self_score) == (D(15), D(12))
    assert execution.basis == "按分项资金合计：80/100×15=12.00（执行率80.00%）"


@pytest.mark.parametrize("sheet_name, project_name", [("项目表（示意）", "填写预算批复的项目名称"),
                                                     ("填表说明", "某某项目")])
def test_a_sheet_saying_what_to_fill_in_is_not_a_project(tmp_path, sheet_name, project_name):
    # A 填表说明 laid out as the form, its example weights numbers: scored as a project of 81.00.
    form, instructions = baseline(FULL_PROBE), baseline(FULL_PROBE)
    instructions.name, instructions.sheet_name = project_name, sheet_name
    result = score(write_form(tmp_path / "two.xlsx", [form, instructions]))
    assert [f.name for f in result.forms] == [form.name]


@pytest.mark.parametrize("sheet_name, project_name", [("热线项目自评表（附说明）", "热线工作经费项目"),
                                                     ("说明", "热线工作经费项目"),
                                                     ("自评表", "填报系统运维项目")])
def test_a_filled_form_on_a_sheet_whose_name_mentions_说明_is_a_project(tmp_path, sheet_name, project_name):
    # Each was taken for a 填表说明: the project left the batch with exit code 0 and no word.
    form, second = baseline(FULL_PROBE), baseline(FULL_PROBE)
    second.name, second.sheet_name = project_name, sheet_name
    result = score(write_form(tmp_path / "two.xlsx", [form, second]))
    assert [f.name for f in result.forms] == [form.name, project_name]


def test_subtotal_rows_and_notes_under_a_table_are_no_indicators(tmp_path):
    # A 小计 row in the 三级指标 column scored 0 with "年度指标值缺失" and a weight sum of 150; a note
    # line under a table without a 总分 row did too.
    def edit(sheet):
        _row_below_first_indicator(sheet, [None, None, "产出指标小计", None, None, 50, 45])
        total = _row_with(sheet, 1, "总分")
        sheet.delete_rows(total)
        sheet.cell(total, 1, "填报说明：")
        sheet.cell(total + 1, 3, "2.年度指标值应与批复的绩效目标一致。")

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "群众满意度"]
    assert form.total == PLAIN_TOTAL and not [f for f in all_flags(form) if f.level == "error"]


@pytest.mark.parametrize("written", [0, "=SUM(E7:E7)"])
def test_a_total_rows_execution_left_0_or_uncalculated_over_a_sub_row_that_holds_it_is_summed(tmp_path, written):
    # "100 | 100 | 0" over 80 spent in 财政拨款 scored 0; so did a =SUM() Excel never calculated.
    # scoring.md §2 sums the sub-rows where the total row is empty or 0: for that amount, here.
    def edit(sheet):
        sheet.cell(_row_with(sheet, 2, "年度资金总额"), 5, written)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    execution = item(form, "预算执行率")
    assert execution.score == D("8.00") and execution.basis == "执行数按分项合计：80/100×10=8.00（执行率80.00%）"
    assert [f.message for f in execution.flags] == ["年度资金总额的执行数为空或0，按其中各项合计80计算"]
    assert form.total == PLAIN_TOTAL
    assert any("未计算的公式" in f.message for f in form.flags) == isinstance(written, str)


@pytest.mark.parametrize("continued", [None, "（续表）"])
def test_the_header_repeated_inside_a_table_printed_over_two_pages_is_no_indicator(tmp_path, continued):
    # Read as an indicator "三级指标" under 一级指标 "一级指标": "分值“分值”不是数字", its target
    # "missing", and the form marked incomplete; the rows after it inherited "一级指标" as their level.
    def edit(sheet):
        header = [cell.value for cell in sheet[_row_with(sheet, 1, "一级指标")]]
        first = _row_with(sheet, 3, "受理件数")
        sheet.insert_rows(first + 1, 2)
        sheet.cell(first + 1, 3, continued)
        for col, value in enumerate(header, start=1):
            sheet.cell(first + 2, col, value)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "群众满意度"]
    assert [i.level1 for i in form.items][1:] == ["产出指标", "效益指标"]
    assert form.total == PLAIN_TOTAL and not [f for f in all_flags(form) if f.level == "error"]


@pytest.mark.parametrize("name, mark", [("/", "/"), ("—", "—"), ("无", "无"), ("N/A", "N/A"),
                                        ("指标2", None), ("……", None), ("指标3", "/")])
def test_a_row_of_placeholders_is_no_indicator(tmp_path, name, mark):
    # An indicator the form offers and the project has not, every cell "/" (scoring.md §1: no value):
    # it was an indicator named "/", worth 0, and two errors asked the unit to fill its weight and target.
    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), lambda sheet: _row_below_first_indicator(
        sheet, [None, "时效指标", name, mark, mark, mark, mark])))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "群众满意度"]
    assert form.total == PLAIN_TOTAL and not [f for f in all_flags(form) if f.level == "error"]


def test_a_row_given_a_weight_is_an_indicator_though_its_values_are_placeholders(tmp_path):
    # Its target left out is the form's gap, to be said, not a template row to drop.
    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), lambda sheet: _row_below_first_indicator(
        sheet, [None, "时效指标", "指标2", "—", "—", 10, None])))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "指标2", "群众满意度"]
    assert "年度指标值缺失，自评表不完整" in [f.message for f in all_flags(form)]


@pytest.mark.parametrize("variant", [
    dict(funds_after=True),  # the 项目资金 block below the indicator table
    dict(fund_labels=("年度资金总额：", "其中：财政拨款：")),  # fund rows labelled with a colon
    dict(weight_columns=("权重", "分值")),  # 权重 as "50%" before the 分值 the scores use
    dict(score_columns=("得分", "自评得分")),  # a 得分 column left blank for the bureau
    dict(two_row_header=True),  # 指标值 over 年度指标值 | 实际完成值, 自评情况 over 分值 | 自评得分
])
def test_plain_variants_read_as_the_plain_form(tmp_path, variant):
    form = score_one(plain_form(tmp_path / "form.xlsx", **variant))
    assert form.total == PLAIN_TOTAL, [(i.name, i.score, i.basis) for i in form.items]
    assert item(form, "受理件数").self_score == D("45")


def test_one_reason_merged_down_over_its_rows_explains_each(tmp_path):
    import openpyxl

    path = plain_form(tmp_path / "form.xlsx", merged_reason=True)
    workbook = openpyxl.load_workbook(path)
    cell = next(c for row in workbook.active.iter_rows() for c in row if c.value == "95%")
    cell.value = "85%"  # 群众满意度 below its target too: both rows need the reason
    workbook.save(path)
    form = score_one(path)
    assert item(form, "群众满意度").score < D("40")
    assert not any("缺少偏差原因" in flag.message for flag in all_flags(form))


def test_an_indicators_cells_are_the_dict_of_its_sources_and_survive_pickle(tmp_path):
    """The readers make an indicator's cells when asked (readers.cells.RowSources): still the same
    mapping of field → Source, also after a worker process sends it back."""
    import pickle

    from perfeval_xl.model import Source
    from perfeval_xl.readers import read_workbook

    path = write_form(tmp_path / "cells.xlsx", baseline(FULL_PROBE), "national-2020")
    indicator = read_workbook(path).forms[0].indicators[0]
    cells = indicator.cells
    as_dict = {field: cells[field] for field in cells}
    assert cells == as_dict and as_dict == cells and dict(cells) == as_dict
    assert all(isinstance(source, Source) for source in as_dict.values())
    assert cells["name"] == indicator.source and cells.get("name") == indicator.source
    assert "operator" not in cells and cells.get("operator") is None and cells.get("operator", "A1") == "A1"
    with pytest.raises(KeyError):
        cells["operator"]
    assert pickle.loads(pickle.dumps(indicator)) == indicator


def test_a_rows_labels_found_once_a_sheet_name_the_fields_match_names():
    # SheetCells normalises a row's cells once and looks each table's fields up in its spelling index;
    # that must find, cell for cell, what labels.match finds asking of every cell for every table.
    import random

    from perfeval_xl import labels
    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid

    rng = random.Random(20261126)
    tables = (labels.INDICATOR_COLUMNS, labels.FUND_COLUMNS, labels.DEPARTMENT_COLUMNS, labels.PROJECT_FIELDS,
              labels.FUND_ROWS, {"own": ("分值", "得分"), "other": ("得分",)})
    spellings = [spelling for table in tables for spellings in table.values() for spelling in spellings]
    dressings = [lambda s: s, lambda s: f" {s} ", lambda s: s + "（万元）", lambda s: s + "：", lambda s: "1、" + s,
                 lambda s: "其中：" + s + "(A)", lambda s: s[:1] + "\u3000" + s[1:], lambda s: s + "\u200b",
                 lambda s: s + "合计", lambda s: "\u3000", lambda s: s.replace("(", "（")]
    others = ["", " ", None, 0, 12.5, True, "项目名称：某项目", "绩效指标", "x"]
    rows = [[rng.choice(dressings)(rng.choice(spellings)) if rng.random() < 0.7 else rng.choice(others)
             for _ in range(rng.randint(0, 12))] for _ in range(300)]
    cells = SheetCells(Grid(name="表", rows=rows))
    for row in range(len(rows) + 2):
        values = rows[row] if row < len(rows) else []
        for table in tables:
            expected_first: dict[str, int] = {}
            expected_all: dict[str, list[int]] = {}
            for col, value in enumerate(values):
                field_name = labels.match(value, table) if isinstance(value, str) and value else None
                if field_name:
                    expected_first.setdefault(field_name, col)
                    expected_all.setdefault(field_name, []).append(col)
            assert cells.label_columns(row, table) == expected_first
            assert cells.labelled_columns(row, table) == expected_all


def test_a_heading_cell_passed_over_as_no_field_label_is_none_to_labelled_value():
    # _read_heading asks labelled_value only of the text cells _may_be_field_label lets through; every
    # other text cell must be one labelled_value finds no field label in, whatever dresses the label.
    import sys

    from perfeval_xl import labels
    from perfeval_xl.readers.cells import LABEL_SEPARATORS, SheetCells
    from perfeval_xl.readers.grid import Grid
    from perfeval_xl.readers.project import _is_field_label, _may_be_field_label

    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() or not c.isprintable()][:400]
    spellings = [spelling for spellings in labels.PROJECT_FIELDS.values() for spelling in spellings]
    texts = dict.fromkeys(
        dressed for spelling in spellings + ["项目", "名称", "项目名", "年", "度年", "总体"]
        for separator in LABEL_SEPARATORS + ("-", "|") for dressed in (
            spelling, f" {spelling}\u3000", f"1、{spelling}", f"{spelling}（全称）", spelling + "\u200b",
            f"{spelling}{separator}某项目", f"{spelling}{separator}", f"{spelling} {separator} ", f"某{separator}{spelling}",
            *(f"{space}{spelling}{space}" for space in spaces), "".join(f"{c}\u3000" for c in spelling)))
    rows = [[text, "某值"] for text in texts]
    cells = SheetCells(Grid(name="表", rows=rows))
    field_of = labels.spelling_index(labels.PROJECT_FIELDS)
    passed_over = 0
    for row, (text, _) in enumerate(rows):
        label = labels.normalise_str(text)
        if label and not _may_be_field_label(text, label, field_of):
            passed_over += 1
            assert cells.labelled_value(row, 0, _is_field_label) is None, text
    assert passed_over > 1000


def test_a_fund_rows_label_found_among_the_rows_labels_is_the_one_labels_match_finds():
    # _fund_row_label looks a row's fund kind up among the labels SheetCells made of its text cells; it
    # must find, cell for cell, the first cell whose text labels.match names a fund row by.
    import random

    from perfeval_xl import labels
    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid
    from perfeval_xl.readers.project import _fund_row_label

    rng = random.Random(20261127)
    spellings = [spelling for spellings in labels.FUND_ROWS.values() for spelling in spellings]
    dressings = [lambda s: s, lambda s: f" {s}\u3000", lambda s: "其中：" + s, lambda s: s + "（万元）", lambda s: s + "：",
                 lambda s: "1、" + s, lambda s: s + "\u200b", lambda s: s + "合计", lambda s: s[:1] + " " + s[1:]]
    others = ["", " ", None, 0, 12.5, True, "项目资金", "年度", "\u200b", 2023]
    rows = [[rng.choice(dressings)(rng.choice(spellings)) if rng.random() < 0.4 else rng.choice(others)
             for _ in range(rng.randint(0, 6))] for _ in range(600)]
    cells = SheetCells(Grid(name="表", rows=rows))
    for row in range(len(rows) + 1):
        for before_col in range(7):
            expected = None, ""
            for col in range(before_col):
                text = cells.text(row, col)
                if text and labels.match(text, labels.FUND_ROWS):
                    expected = labels.match(text, labels.FUND_ROWS), text
                    break
            assert _fund_row_label(cells, row, before_col) == expected


def test_a_columns_merged_origins_found_at_once_are_merged_origin_on_each_row():
    # _read_indicators finds the merged cells of its level columns once a table (merged_origins); on
    # every row they must be merged_origin's, overlapping ranges (the last declared wins) and columns
    # crossed by more than _MERGED_SCAN ranges included.
    import random

    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid

    rng = random.Random(7)
    for _ in range(60):
        merged = []
        for _ in range(rng.randint(0, 24)):
            r0, c0 = rng.randrange(30), rng.randrange(3)
            merged.append((r0, c0, min(34, r0 + rng.randrange(8)), min(2, c0 + rng.randrange(2))))
        cells = SheetCells(Grid(name="表", rows=[[""] * 3 for _ in range(30)], merged=merged))
        for col in range(4):
            for first_row, stop_row in ((0, 30), (1, 35), (7, 20), (29, 40)):
                expected = {row: origin for row in range(first_row, stop_row)
                            if (origin := cells.merged_origin(row, col)) is not None}
                assert cells.merged_origins(col, first_row, stop_row) == expected


def test_the_level_names_of_indicator_rows_are_those_each_row_shows():
    # _read_indicators reads a level name merged down over rows once, by its top-left cell: each
    # indicator's levels must be what reading each row's merged cells afresh gives.
    import random

    from perfeval_xl.model import ProjectForm
    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid
    from perfeval_xl.readers.project import _read_indicators, _shown_level

    rng = random.Random(11)
    names = ["产出指标", "效益指标（30分）", " 满意度 指标 ", "", None, 12.0, "数量指标"]
    columns = {"level1": 0, "level2": 1, "name": 2, "target": 3, "actual": 4}
    for _ in range(40):
        rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]]
        rows += [[rng.choice(names), rng.choice(names), f"指标{row}", "≥1", "1"] for row in range(1, 30)]
        merged = []
        for _ in range(rng.randint(0, 16)):
            r0, c0 = rng.randrange(30), rng.randrange(3)
            merged.append((r0, c0, min(29, r0 + rng.randrange(8)), min(2, c0 + rng.randrange(2))))
        cells = SheetCells(Grid(name="表", rows=rows, merged=merged))
        form = ProjectForm(file="f.xlsx", sheet="表", layout="national-2020")
        _read_indicators(cells, 0, columns, form)
        level1 = level2 = ""
        expected = []
        for row in range(1, 30):
            new_level1, new_level2 = (_shown_level(cells.merged_raw(row, col)) for col in (0, 1))
            if new_level1 and new_level1 != level1:
                level1, level2 = new_level1, ""
            if new_level2:
                level2 = new_level2
            expected.append((level1, level2))  # every row names an indicator
        assert [(indicator.level1, indicator.level2) for indicator in form.indicators] == expected


def test_a_column_no_merged_range_reaches_below_a_row_has_no_merged_cell_there():
    # _IndicatorReader skips the merged lookup of an empty 偏差原因 when merged_below says no range
    # reaches below the header: merged_origin must then be None on every row below.
    import random

    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid

    rng = random.Random(3)
    for _ in range(60):
        merged = []
        for _ in range(rng.randint(0, 14)):  # some columns crossed by more than _MERGED_SCAN ranges
            r0, c0 = rng.randrange(40), rng.randrange(4)
            merged.append((r0, c0, min(39, r0 + rng.randrange(4)), min(3, c0 + rng.randrange(2))))
        cells = SheetCells(Grid(name="表", rows=[[""] * 4 for _ in range(40)], merged=merged))
        for col in range(5):
            for row in range(41):
                if not cells.merged_below(row, col):
                    assert all(cells.merged_origin(below, col) is None for below in range(row + 1, 45))


def test_a_number_cell_of_an_indicator_read_the_short_way_is_what_weight_of_and_number_of_read():
    # _IndicatorReader.read takes a float 分值 (≥ 0) or 得分 of a plain sheet as float_decimal of it;
    # every value, on a plain sheet and on one with an error cell, must read as weight_of and
    # number_of read it, flags included.
    from decimal import Decimal

    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid
    from perfeval_xl.readers.project import _IndicatorReader

    columns = {"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4}
    numbers = [0.0, -0.0, 2.0, 2.5, 59.38, -3.0, float("nan"), float("inf"), float("-inf"), 1e-300, 1.7e308,
               3, "2", "", None, "—", True]
    for errors in ({}, {(0, 9): "#REF!"}):
        for weight in numbers:
            for score in numbers:
                values = ["指标", "≥1", "1", weight, score]
                cells = SheetCells(Grid(name="表", rows=[values], errors=dict(errors)))
                indicator = _IndicatorReader(cells, columns, -1).read(0, values, "", "", "指标")
                flags: list = []
                expected = (cells.weight_of(weight, 0, 3, "分值", flags), cells.number_of(score, 0, 4, "自评得分", flags))
                for got, want in zip((indicator.weight, indicator.self_score), expected):
                    assert (got is None) == (want is None)
                    if got is not None:
                        assert isinstance(got, Decimal) and str(got) == str(want)
                assert indicator.flags == flags


def test_a_text_or_float_target_or_actual_read_the_short_way_is_what_parsed_reads():
    # _IndicatorReader._parsed parses a text 年度指标值 or 实际完成值 without "#", or a float outside
    # Grid.percent, of a plain sheet directly (through the memo of parsed values); every value, on a
    # plain sheet and on one with an error cell, with and without a declared operator and unit, in a
    # percent cell (the target's) and not, must read as _parsed_the_long_way reads it.
    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid
    from perfeval_xl.readers.project import _IndicatorReader

    columns = {"name": 0, "target": 1, "actual": 2, "operator": 3, "unit": 4}
    texts = ["≥90%", "按时完成", " 100 ", "", "   ", "#REF!", "#1号楼", "≤5天", "0", "1,200万元", "2022年",
             "１００％", "—", "无", 0, 0.0, -0.0, 0.95, 2.5, -3.0, 1e-300, 3, None, True]
    for errors in ({}, {(0, 9): "#REF!"}):
        for declared in (["", ""], ["≥", "%"]):
            for target in texts:
                for actual in texts:
                    values = ["指标", target, actual, *declared]
                    cells = SheetCells(Grid(name="表", rows=[values], errors=dict(errors), percent={(0, 1)}))
                    reader = _IndicatorReader(cells, columns, -1)
                    indicator = reader.read(0, values, "", "", "指标")
                    flags: list = []
                    operator, unit = declared[0] or None, declared[1] or None
                    expected = (reader._parsed_the_long_way(0, values, 1, "年度指标值", flags, declared[0], declared[1]),
                                reader._parsed_the_long_way(0, values, 2, "实际完成值", flags, None, declared[1]))
                    assert (indicator.target, indicator.actual) == expected
                    assert indicator.flags == flags
                    assert (indicator.declared_operator, indicator.declared_unit) == (operator, unit)


def test_a_departments_self_evaluation_laid_out_as_f1_is_named_by_its_department(tmp_path):
    # The national 部门整体支出绩效自评表 (附件2) is an F1 with 部门（单位）名称 where 项目名称 stands: it was
    # scored, named after its sheet and flagged "未找到项目名称".
    def as_department_form(sheet):
        sheet["A1"] = "部门整体支出绩效自评表"
        sheet.cell(_row_with(sheet, 1, "项目名称"), 1).value = "部门（单位）名称"
        sheet.cell(_row_with(sheet, 1, "部门（单位）名称"), 2).value = "某区城市管理局"

    [form] = score(_edited(plain_form(tmp_path / "dept.xlsx"), as_department_form)).forms
    assert (form.form.name, form.form.title, form.total) == ("某区城市管理局", "部门整体支出绩效自评表", PLAIN_TOTAL)
    assert not any("项目名称" in flag.message for flag in form.flags)


def test_a_unit_named_above_the_project_does_not_take_the_projects_name(tmp_path):
    def unit_line_first(sheet):
        sheet["D2"], sheet["E2"] = "单位名称", "某中心"

    [form] = score(_edited(plain_form(tmp_path / "unit.xlsx"), unit_line_first)).forms
    assert form.form.name == "测试项目"


def test_a_project_form_with_a_blank_name_does_not_take_its_unit_s_name(tmp_path):
    def blank_name_and_a_unit_line(sheet):
        sheet.cell(_row_with(sheet, 1, "项目名称"), 2).value = None
        sheet["D2"], sheet["E2"] = "单位名称", "某中心"

    [form] = score(_edited(plain_form(tmp_path / "blank.xlsx"), blank_name_and_a_unit_line)).forms
    assert any(flag.message == "未找到项目名称" for flag in form.flags)


# --------------------------------------------------------------------------
# The heading area (项目名称, 主管部门, 实施单位) as clerks write it
# --------------------------------------------------------------------------

NAME, DEPARTMENT, IMPLEMENTER = "城区道路养护项目", "某市城市管理局", "某市市政设施维护中心"
N, D_, U = NAME, DEPARTMENT, IMPLEMENTER


def heading_fields(tmp_path: Path, heading: Heading) -> tuple[str, str, str]:
    """(项目名称, 主管部门, 实施单位) read from a national form whose heading rows are ``heading``."""
    from perfeval_xl.readers import read_workbook

    project = Project(name=NAME, department=DEPARTMENT, unit=IMPLEMENTER, year=2023, funds=Funds(500, 520, 494),
                      rows=[Row("产出指标", "数量指标", "道路养护面积", "≥120万平方米", "126万平方米", 90, 90)])
    [form] = read_workbook(write_form(tmp_path / "form.xlsx", project, heading=heading)).forms
    return form.name, form.department, form.unit


#: Headings as clerks fill them in, each reading (NAME, DEPARTMENT, IMPLEMENTER); columns A–I, rows and
#: merges counted from the heading's first row.
CLERKS_HEADINGS = {
    "label | value": Heading([["项目名称", N], ["主管部门", D_, None, None, "实施单位", U]]),
    "label cells ending in ：": Heading([["项目名称：", N], ["主管部门：", D_, None, None, "实施单位：", U]]),
    "label cells ending in :": Heading([["项目名称:", N], ["主管部门:", D_, None, None, "实施单位:", U]]),
    "label：value in one cell": Heading([[f"项目名称：{N}"], [f"主管部门：{D_}", None, None, None, f"实施单位：{U}"]]),
    "label:value in one cell": Heading([[f"项目名称:{N}"], [f"主管部门:{D_}", None, None, None, f"实施单位:{U}"]]),
    "label∶value (ratio colon)": Heading([[f"项目名称∶{N}"], [f"主管部门∶{D_}", None, None, None, f"实施单位∶{U}"]]),
    "label： value, spaces after": Heading([[f"项目名称：  {N}"], [f"主管部门： {D_}", None, None, None, f"实施单位：　{U}"]]),
    "spaced labels": Heading([["项 目 名 称", N], ["主 管 部 门", D_, None, None, "实 施 单 位", U]]),
    "spaced labels：value": Heading([[f"项 目 名 称：{N}"], [f"主 管 部 门：{D_}", None, None, None, f"实 施 单 位：{U}"]]),
    "ideographic space in labels": Heading([["项目　名称", N], ["主管　部门", D_, None, None, "实施　单位", U]]),
    "line break in labels": Heading([["项目\n名称", N], ["主管\n部门", D_, None, None, "实施\n单位", U]]),
    "required marks": Heading([["*项目名称", N], ["*主管部门", D_, None, None, "*实施单位", U]]),
    "a note after the label": Heading([["项目名称（全称）", N], ["主管部门", D_, None, None, "实施单位（盖章）", U]]),
    "labels and values merged": Heading(
        [["项目名称", None, N], ["主管部门", None, D_, None, "实施单位", None, U]],
        [(0, 0, 0, 1), (0, 2, 0, 8), (1, 0, 1, 1), (1, 2, 1, 3), (1, 4, 1, 5), (1, 6, 1, 8)]),
    "value two cells right": Heading([["项目名称", None, N], ["主管部门", None, D_, None, "实施单位", None, U]]),
    "label and value merged down two rows": Heading(
        [["项目名称", N], [None], ["主管部门", D_, None, None, "实施单位", U]], [(0, 0, 1, 0), (0, 1, 1, 8)]),
    "values on the row under the labels": Heading([["项目名称", "主管部门", None, None, "实施单位"],
                                                   [N, D_, None, None, U]]),
    "values under merged labels": Heading(
        [["项目名称", None, "主管部门", None, "实施单位"], [N, None, D_, None, U]],
        [(0, 0, 0, 1), (1, 0, 1, 1), (0, 2, 0, 3), (1, 2, 1, 3), (0, 4, 0, 8), (1, 4, 1, 8)]),
    "other regions' labels": Heading([["项目名称", N], ["项目主管部门", D_, None, None, "项目单位", U]]),
    # Hunan 2020, a county's 专项资金绩效目标自评表: the form was named after its sheet, "未找到项目名称"
    "专项资金名称 beside 负责人及电话": Heading([["专项资金名称", N, None, "负责人及电话", "旷建成、向建军"],
                                             ["县级主管部门", D_, None, None, "实施单位", U]]),
    "two fields in one cell": Heading([["项目名称", N], [f"主管部门：{D_}　　　实施单位：{U}"]]),
    "unit and 填报时间 in one cell": Heading([["项目名称", N],
                                          ["主管部门", D_, None, None, f"实施单位：{U}　　填报时间：2024-03-01"]]),
    "name and 填报日期 in one cell": Heading([[f"项目名称：{N}　　　填报日期：2024年3月1日"],
                                          ["主管部门", D_, None, None, "实施单位", U]]),
    "unit and （金额单位：万元） in one cell": Heading([["项目名称", N],
                                                ["主管部门", D_, None, None, f"实施单位：{U}（金额单位：万元）"]]),
    "（金额单位：万元） beside the unit": Heading([["项目名称", N],
                                            ["主管部门", D_, None, None, "实施单位", U, None, "（金额单位：万元）"]]),
    "a sealed 单位 line above": Heading([[f"单位（盖章）：{U}　　　　填报日期：2024年3月1日"], ["项目名称", N],
                                       ["主管部门", D_, None, None, "实施单位", U]]),
    "a 填报单位 line above": Heading([[f"填报单位：{U}", None, None, None, None, "金额单位：万元"], ["项目名称", N],
                                    ["主管部门", D_, None, None, "实施单位", U]]),
}


@pytest.mark.parametrize("variant", CLERKS_HEADINGS)
def test_the_heading_as_clerks_write_it_reads_the_projects_name_department_and_unit(tmp_path, variant):
    # Values under a row of labels were not read (the form named after its sheet, "未找到项目名称"), and a
    # heading line's other label after a value in its cell ("　　填报时间：…", "（金额单位：万元）", when
    # no project field) was read as part of the value.
    assert heading_fields(tmp_path, CLERKS_HEADINGS[variant]) == (NAME, DEPARTMENT, IMPLEMENTER)


@pytest.mark.parametrize("heading, fields", [
    (Heading([["项目名称", '2023年"双减":课后服务经费'], ["主管部门", "测试:局", None, None, "实施单位", "XX县教育局:机关"]]),
     ('2023年"双减":课后服务经费', "测试:局", "XX县教育局:机关")),
    (Heading([['项目名称：2023年"双减":课后服务经费'], ["主管部门：测试:局", None, None, None, "实施单位:XX县教育局:机关"]]),
     ('2023年"双减":课后服务经费', "测试:局", "XX县教育局:机关")),
    (Heading([["项目名称", "课后服务 二期:延时托管"], ["主管部门", D_, None, None, "实施单位", f"{U}　备注:含分中心"]]),
     ("课后服务 二期:延时托管", DEPARTMENT, IMPLEMENTER)),
])
def test_a_colon_in_a_value_ends_it_only_after_a_heading_label(tmp_path, heading, fields):
    # "双减", "测试" and "二期" are no labels: their colons are the names'.  备注 is one.
    assert heading_fields(tmp_path, heading) == fields


@pytest.mark.parametrize("heading, fields", [
    # The unit left blank: the 填报时间 beside it was its value.
    (Heading([["项目名称", N], ["主管部门", D_, None, None, "实施单位：", None, "填报时间：2024-03-01"]]),
     (NAME, DEPARTMENT, "")),
    # The department left blank: "实施单位：某中心" beside it was its value (the unit read right too).
    (Heading([["项目名称", N], ["主管部门：", None, None, None, f"实施单位：{U}"]]), (NAME, "", IMPLEMENTER)),
])
def test_a_field_left_blank_does_not_take_the_next_labels_text(tmp_path, heading, fields):
    assert heading_fields(tmp_path, heading) == fields


def test_a_row_of_labels_left_blank_takes_nothing_from_the_rows_under_it(tmp_path):
    # Counter-case of the values under their labels: under a blank row stand the fund block's labels.
    assert heading_fields(tmp_path, Heading([["项目名称", "主管部门", None, None, "实施单位"], [None]])) == ("自评表", "", "")
    standard_blank_unit = Heading([["项目名称", N], ["主管部门", D_, None, None, "实施单位", None]], [(1, 5, 1, 8)])
    assert heading_fields(tmp_path, standard_blank_unit) == (NAME, DEPARTMENT, "")  # not 全年执行数, under it


@pytest.mark.parametrize("text, split", [
    ("XX局　　填报时间：2024-03-01", ("XX局", "填报时间", "2024-03-01")),
    ("XX局 填 报 时 间：2024-03-01", ("XX局", "填 报 时 间", "2024-03-01")),  # the whole label, not its 时间
    ("XX局（金额单位：万元）", ("XX局", "金额单位", "万元）")),
    ("填报时间：2024-03-01", ("", "填报时间", "2024-03-01")),
    ("主管部门：某局　　实施单位：某中心", ("", "主管部门", "某局　　实施单位：某中心")),
    ("XX局 部门（单位）名称：YY", ("XX局", "部门（单位）名称", "YY")),
    ("测试:局", ("测试:局", "", "")),
    ("XX县教育局:机关　　单位：万元", ("XX县教育局:机关", "单位", "万元")),
    ('2023年"双减":课后服务经费', ('2023年"双减":课后服务经费', "", "")),
    ("XX局单位：万元", ("XX局单位：万元", "", "")),  # a label starts a text, or follows spaces or a bracket
    # In brackets only the money unit's label ends a name: the rest is the name's own (the review's
    # "政务大厅维护费项目（编号：XM2019-01）" was cut, and two projects became one sent twice).
    ("政务大厅维护费项目（编号：XM2019-01）", ("政务大厅维护费项目（编号：XM2019-01）", "", "")),
    ("某中心(时间：2019年)", ("某中心(时间：2019年)", "", "")),
    ("某局（电话：0731-1234）", ("某局（电话：0731-1234）", "", "")),
    ("XX局(单位：万元)", ("XX局", "单位", "万元)")),
    (":" * 20000, (":" * 20000, "", "")),
])
def test_a_value_is_split_at_a_heading_label_and_a_colon_only(text, split):
    from perfeval_xl.readers.cells import split_at_label

    assert split_at_label(text) == split


@pytest.mark.parametrize("target, actual, score, flagged", [
    ("≥50个", "96%", "10.00", True),  # a share against a count: compared unsaid
    ("≤2小时", "95%", "0.21", True),  # a time against a share (flagged before)
    ("≥50个", "48个村", "9.60", False),  # a unit read on into its clause is the target's
    ("≥50个", "48个", "9.60", False),
])
def test_an_actual_in_a_unit_no_conversion_reaches_is_scored_on_its_number_and_flagged(
        tmp_path, target, actual, score, flagged):
    _, probe = score_probe(tmp_path, quantity(target, actual, reason="见说明"))
    assert probe.score == D(score)
    assert any("无法换算，按数值直接比较" in flag.message for flag in probe.flags) == flagged


def test_a_bare_actual_under_a_度量单位_of_万元_a_hundred_times_the_target_is_taken_in_元(tmp_path):
    # 980000 under 万元 against ≤80: 98亿元, and 0 points unflagged; it is 98 万元, as a bare 980000
    # against "≤80万元" is read when no column gives the unit.
    _, probe = score_probe(tmp_path, quantity("≤80万元", 980000, reason="超支"), "sichuan-2023")
    assert probe.score == D("8.16") and probe.basis == "实际值980000元=98万元；80/98×10=8.16"
    assert "实际完成值980000（度量单位为万元），视为980000元，换算为98万元" in [f.message for f in probe.flags]


def test_a_total_row_left_at_0_over_a_sub_row_whose_全年预算数_is_blank_is_scored_on_年初预算数(tmp_path):
    # Anhui's 年度资金总额 "0 | 0 | 0" over 本年财政拨款 "100 | (blank) | 80": "预算数为0而执行数为80", an
    # error and 0, where the form held a budget of 100 (a 全年预算数 blank on every row was read so).
    def edit(sheet):
        total = _row_with(sheet, 2, "年度资金总额")
        for col in (3, 4, 5):
            sheet.cell(total, col, 0)
        sheet.cell(total + 1, 4).value = None

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    execution = item(form, "预算执行率")
    assert execution.score == D("8.00") and execution.basis == "按年初预算数：按分项资金合计：80/100×10=8.00（执行率80.00%）"
    assert "全年预算数未填写，按年初预算数计算执行率" in [f.message for f in execution.flags]
    assert not [f for f in all_flags(form) if f.level == "error"]


@pytest.mark.parametrize("written, level, message, named", [
    (None, "warning", "三级指标名称未填写", "数量指标"),  # a 二级 of its own: named by it, and says so
    ('=C6&"X"', "error", "三级指标单元格是未计算的公式（没有保存计算结果），请用Excel或WPS打开该文件并保存后重新提交",
     "未命名指标"),
])
def test_an_indicator_without_a_readable_name_is_scored_and_says_why_it_has_none(tmp_path, written, level, message,
                                                                                 named):
    # It was renamed "（第N行未命名指标）" without a word, a formula never calculated there too.
    def edit(sheet):
        sheet.cell(_row_with(sheet, 3, "受理件数"), 3).value = written

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    unnamed = next(i for i in form.items if named in i.name)
    assert unnamed.score == D("45.00") and [(f.level, f.message) for f in unnamed.flags][0] == (level, message)


def test_a_first_level_weight_in_its_label_that_its_rows_do_not_add_up_to_is_flagged(tmp_path):
    # "产出指标(60分)" over rows of 50: the rows are scored (§4), and the slip went unsaid.
    import openpyxl

    path = write_form(tmp_path / "anhui.xlsx", baseline(FULL_PROBE), "anhui-2022")
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("产出指标("):
                    declared = cell.value
                    cell.value = "产出指标(99分)"
    book.save(path)
    form = score_one(path)
    assert form.form.level1_weights["产出指标"] == 99
    [flag] = [f for f in form.flags if "标注" in f.message]
    rows = declared.removeprefix("产出指标(").removesuffix("分)")
    assert flag.message == f"一级指标“产出指标”标注99分，其下各指标分值合计{rows}"
    untouched = score_one(write_form(tmp_path / "ok.xlsx", baseline(FULL_PROBE), "anhui-2022"))
    assert not [f for f in untouched.flags if "标注" in f.message]


def test_a_full_year_budget_cut_to_0_with_nothing_spent_is_not_applicable_not_read_as_left_blank(tmp_path):
    # "100 | 0 | 0" over blank sub-rows was scored on 年初预算数: 0/100, 0 points, where nothing was
    # budgeted for the year and nothing spent (scoring.md §2: not applicable).
    def edit(sheet):
        total = _row_with(sheet, 2, "年度资金总额")
        sheet.cell(total, 4, 0)
        sheet.cell(total, 5, 0)
        for col in (3, 4, 5):
            sheet.cell(total + 1, col).value = None

    execution = item(score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit)), "预算执行率")
    assert not execution.applicable and execution.basis.startswith("预算数与执行数均为0")


def test_a_negative_sub_row_summed_for_one_amount_of_the_total_row_is_flagged(tmp_path):
    # Flagged when the whole total row was left empty, not when only its 执行数 was.
    def edit(sheet):
        total = _row_with(sheet, 2, "年度资金总额")
        sheet.cell(total, 5, 0)
        sheet.insert_rows(total + 2)
        for col, value in enumerate(["其他资金", 0, 0, -30], start=2):
            sheet.cell(total + 2, col, value)

    execution = item(score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit)), "预算执行率")
    assert execution.basis == "执行数按分项合计：50/100×10=5.00（执行率50.00%）"
    assert "其他资金执行数为负数（-30），已按所填数计入合计" in [f.message for f in execution.flags]


def test_a_first_level_slip_the_rulebook_sum_already_names_is_flagged_once(tmp_path):
    import openpyxl

    path = write_form(tmp_path / "anhui.xlsx", baseline(FULL_PROBE), "anhui-2022")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    [row] = [cells for cells in sheet.iter_rows() if any(cell.value == FULL_PROBE.name for cell in cells)]
    [weight] = [cell for cell in row if cell.value == FULL_PROBE.weight and cell.column > 3]
    weight.value = FULL_PROBE.weight - 5
    book.save(path)
    flags = [f.message for f in score_one(path).flags if "一级指标“产出指标”" in f.message]
    assert len(flags) == 1 and "规则要求50" in flags[0]


def test_an_actual_under_a_度量单位_of_万元_that_is_an_overrun_stays_in_万元(tmp_path):
    # 60 under 万元 against ≤0.5: an overrun, not 60 元 (full marks).
    _, probe = score_probe(tmp_path, quantity("≤0.5万元", 60, reason="超支"), "sichuan-2023")
    assert probe.score == D("0.08") and not [f for f in probe.flags if "视为" in f.message]


@pytest.mark.parametrize("label", ["其中：本年财政拨款", "其中：本年财政拨款（万元）", "其中：本 年 财 政 拨 款", "*本年财政拨款",
                                   "其中：本年财\n政拨款"])
def test_anhuis_fund_row_names_the_layout_however_it_is_decorated(tmp_path, label):
    # The layout named in the summaries depended on "其中" written first and no blank inside 本年.
    def edit(sheet):
        sheet.cell(_row_with(sheet, 2, "其中：当年财政拨款"), 2, label)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert form.form.layout == "anhui-2022" and form.total == PLAIN_TOTAL


@pytest.mark.parametrize("written, declared", [("产出指标（50）", 50), ("产出指标(60)", 60), ("产出指标（50分）", 50)])
def test_a_first_level_weight_written_without_分_is_read_as_the_weight_it_is(tmp_path, written, declared):
    # forms.md's Anhui variant "产出指标（50）": the level was named "产出指标（50）" in the summaries and on
    # the scored form, and a weight its rows do not add up to went unsaid.
    def edit(sheet):
        sheet.cell(_row_with(sheet, 3, "受理件数"), 1, written)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert item(form, "受理件数").level1 == "产出指标" and form.form.level1_weights == {"产出指标": declared}
    slips = [f.message for f in form.flags if "标注" in f.message]
    assert slips == ([] if declared == 50 else ["一级指标“产出指标”标注60分，其下各指标分值合计50"])
    assert form.total == PLAIN_TOTAL


def test_a_first_level_name_ending_in_words_in_brackets_is_kept_as_written(tmp_path):
    def edit(sheet):
        sheet.cell(_row_with(sheet, 3, "受理件数"), 1, "产出指标（含成本）")

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert item(form, "受理件数").level1 == "产出指标（含成本）" and form.form.level1_weights == {}


@pytest.mark.parametrize("written", ["产出指标（分）", "产出指标（　　分）", "产出指标()"])
def test_a_first_levels_weight_left_blank_as_the_template_has_it_is_no_part_of_its_name(tmp_path, written):
    # Hubei's 绩效目标自评表 asks for each 一级's weight in its cell, "效益指标（　分）"; left blank, the level
    # was named "效益指标（分）" on the scored form and in the summaries.
    def edit(sheet):
        sheet.cell(_row_with(sheet, 3, "受理件数"), 1, written)

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert item(form, "受理件数").level1 == "产出指标" and form.form.level1_weights == {}
    assert form.total == PLAIN_TOTAL


@pytest.mark.parametrize("layout", ["national-2020", "sichuan-2023"])
def test_a_second_level_row_without_三级_is_named_by_its_二级_and_says_so(tmp_path, layout):
    # "服务对象满意度指标" scored at the second level, no 三级 under it: it was "（第N行未命名指标）".
    project = baseline(FULL_PROBE)
    project.rows[-1] = Row("满意度指标", "服务对象满意度指标", None, "≥90%", "93%", 10)
    form = score_one(write_form(tmp_path / "form.xlsx", project, layout))
    satisfaction = item(form, "服务对象满意度指标")
    assert (satisfaction.level1, satisfaction.score) == ("满意度指标", D("10.00"))
    [flag] = satisfaction.flags
    assert (flag.level, flag.message) == ("warning", "三级指标名称未填写")
    assert flag.action == "已按二级指标“服务对象满意度指标”计分；如该行另有三级指标，请单位补填指标名称"
    assert not [i for i in form.items if "未命名指标" in i.name]


def test_a_blank_三级_under_a_二级_other_rows_share_stays_unnamed(tmp_path):
    # Its 二级 names the other row too: the unit left one name out, and is asked for it.
    def edit(sheet):
        first = _row_with(sheet, 3, "受理件数")
        sheet.cell(first, 3).value = None
        sheet.cell(first + 1, 1, "产出指标")
        sheet.cell(first + 1, 2, "数量指标")

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert [i.name for i in form.items] == ["预算执行率", "（第9行未命名指标）", "群众满意度"]
    assert item(form, "（第9行未命名指标）").flags[0].action == "请单位补填指标名称"


@pytest.mark.parametrize("title, year_line", [
    ("项目支出绩效自评表", "（二〇二三年度）"),
    ("项目支出绩效自评表", "（二○二三年度）"),
    ("二〇二三年度项目支出绩效自评表", None),
])
def test_a_year_written_in_chinese_numerals_gives_the_forms_year(tmp_path, title, year_line):
    # Formal titles write the year "二〇二三": the form's year was unknown, and the scored form lost it.
    def edit(sheet):
        sheet.cell(1, 1).value = title
        sheet.cell(2, 1).value = year_line

    assert score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit)).form.year == 2023


def test_chinese_numerals_that_are_no_year_give_none(tmp_path):
    def edit(sheet):
        sheet.cell(2, 1, "（第一二三四批）")

    assert score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit)).form.year is None


def _form_without_level_columns(path: Path, first_headings: tuple) -> Path:
    """An F1 whose indicator table has no 一级/二级 columns: its caption "绩效指标" merged down beside
    ``first_headings`` (序号, or unlabelled level columns) and 三级指标."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目支出绩效自评表"])
    sheet.append(["（2023年度）"])
    sheet.append(["项目名称", "测试项目"])
    sheet.append(["主管部门", "某局", "实施单位", "某中心"])
    sheet.append(["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "得分"])
    sheet.append([None, "年度资金总额", 100, 100, 80, 10, None])
    header = sheet.max_row + 1
    sheet.append(["绩效指标", *first_headings, "三级指标", "年度指标值", "实际完成值", "分值", "自评得分",
                  "偏差原因分析及改进措施"])
    for number, (level1, level2, name, target, actual, weight, self_score, reason) in enumerate(PLAIN_ROWS, start=1):
        firsts = [number] if len(first_headings) == 1 else [level1, level2]
        sheet.append([None, *firsts, name, target, actual, weight, self_score, reason])
    sheet.merge_cells(start_row=header, start_column=1, end_row=sheet.max_row, end_column=1)
    sheet.append(["总分", None, None, None, None, 100])
    book.save(path)
    return path


def test_a_table_without_level_columns_takes_no_level_from_its_序号_or_its_caption(tmp_path):
    # Its row numbers were every row's 二级指标 ("1.0") and its caption "绩效指标" every row's 一级指标.
    form = score_one(_form_without_level_columns(tmp_path / "form.xlsx", ("序号",)))
    assert [(i.level1, i.level2) for i in form.items[1:]] == [("", ""), ("", "")]
    assert form.total == PLAIN_TOTAL


def test_unlabelled_level_columns_left_of_三级指标_still_give_the_levels(tmp_path):
    form = score_one(_form_without_level_columns(tmp_path / "form.xlsx", (None, None)))
    assert [(i.level1, i.level2) for i in form.items[1:]] == [row[:2] for row in PLAIN_ROWS]


@pytest.mark.parametrize("label", ["合计", "合 计", "总计"])
def test_a_fund_total_row_headed_合计_is_the_年度资金总额_with_its_weight_and_self_score(tmp_path, label):
    # Its 分值 (15) and 得分 were not read: the default 10 was taken, flagged as missing, and the row
    # said to be "为空或0".
    def edit(sheet):
        total = _row_with(sheet, 2, "年度资金总额")
        sheet.cell(total, 2, label)
        sheet.cell(total, 6, 15)
        sheet.cell(total, 7, 12)

    execution = item(score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit)), "预算执行率")
    assert (execution.weight, execution.score, execution.self_score) == (15, D("12.00"), 12)
    assert execution.basis == "80/100×15=12.00（执行率80.00%）" and not execution.flags


@pytest.mark.parametrize("funds_after", [False, True])
def test_a_total_row_headed_合计_still_ends_the_indicator_table(tmp_path, funds_after):
    def edit(sheet):
        sheet.cell(_row_with(sheet, 1, "总分"), 1, "合计")

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx", funds_after=funds_after), edit))
    assert [i.name for i in form.items] == ["预算执行率", "受理件数", "群众满意度"]
    assert form.total == PLAIN_TOTAL and form.form.full_marks == 100


def _target_under_a_heading_over_two_columns(path: Path, split) -> Path:
    """The plain form with its "年度指标值" heading merged across two columns, each target written in
    them as ``split`` gives it ("≥100件" → ("≥", "100件"))."""
    def edit(sheet):
        header = _row_with(sheet, 4, "年度指标值")
        sheet.insert_cols(5)
        sheet.merge_cells(start_row=header, start_column=4, end_row=header, end_column=5)
        for row in range(header + 1, header + 1 + len(PLAIN_ROWS)):
            sheet.cell(row, 4).value, sheet.cell(row, 5).value = split(sheet.cell(row, 4).value)

    return _edited(plain_form(path), edit)


@pytest.mark.parametrize("split", [
    lambda target: (target[0], target[1:]),  # operator | number and unit
    lambda target: (None, target),  # the first left blank
    lambda target: (target[0], float(target[1:-1]) if target.endswith("件") else target[1:]),  # "≥" | 100
])
def test_a_target_written_in_parts_under_one_merged_heading_is_read_whole(tmp_path, split):
    # Of "≥" | "100件" under one 年度指标值, the "≥" alone was read: a target with no number, each
    # indicator "无法判定定性指标" and scored 0.
    form = score_one(_target_under_a_heading_over_two_columns(tmp_path / "form.xlsx", split))
    assert [(i.name, i.score) for i in form.items[1:]] == [("受理件数", D("45.00")), ("群众满意度", D("40.00"))]
    assert item(form, "受理件数").target in ("≥100件", "≥100")
    assert form.total == PLAIN_TOTAL


def test_two_numbers_under_one_merged_heading_are_not_read_as_one(tmp_path):
    # The actual in one column and the unit's own rate beside it (98.8%, a number) under one merged
    # heading were glued: "90件" | 0.9 read as "90件90%", and a cost of 494 | 98.8% as "49498.8%".
    def edit(sheet):
        header = _row_with(sheet, 4, "年度指标值")
        column = next(col for col in range(1, 20) if sheet.cell(header, col).value == "实际完成值")
        sheet.insert_cols(column + 1)
        sheet.merge_cells(start_row=header, start_column=column, end_row=header, end_column=column + 1)
        sheet.cell(header + 1, column + 1, 0.9).number_format = "0.0%"
        sheet.cell(header + 2, column + 1, 1.05).number_format = "0.0%"

    form = score_one(_edited(plain_form(tmp_path / "form.xlsx"), edit))
    assert (item(form, "受理件数").actual, item(form, "群众满意度").actual) == ("90件", "95%")
    assert form.total == PLAIN_TOTAL


def test_a_target_written_whole_under_a_heading_merged_across_two_columns_reads_as_before(tmp_path):
    form = score_one(_target_under_a_heading_over_two_columns(tmp_path / "form.xlsx", lambda target: (target, None)))
    assert item(form, "受理件数").target == "≥100件" and form.total == PLAIN_TOTAL
