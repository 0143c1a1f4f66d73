"""summary.xlsx, the workbook an officer hands upward.

A small batch is built by hand (the writer computes no scores), written, and
read back with openpyxl:

    01_城区道路养护项目.xlsx  城管局  91.27 (自评 96)    优  budget 500 / executed 475
    02_路灯维护项目.xlsx      城管局  58.50 (自评 65)    差  总额 row 0: sub-rows 80+20 / 70+10
    03_图书馆免费开放项目.xlsx 文旅局  75.00 (no 自评)   中  no 全年预算数: 年初预算 320 / 301.4
    04_开福区部门整体支出.xlsx department form of 开福区行政审批服务局, 95.61 (自评 96) 优
    05_坏文件.xlsx            error: corrupt
    ~$06_锁定.xlsx            skipped: lock file
"""
from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval_xl.model import (
    DepartmentForm, FileResult, Flag, FormResult, FundLine, Funds, ItemScore, ProjectForm, Source,
)
from perfeval_xl.rules.project import execution_amounts
from perfeval_xl.writers import write_summary_xlsx
from perfeval_xl.writers import summary_xlsx
from perfeval_xl.writers.summary_xlsx import (
    DIFFERENCE_AMBER_AT, DIFFERENCE_RED_AT, EXCEL_ROWS, FIRST_DATA_ROW, SCORE_BINS, SUMMARY_DEFLATE_LEVEL,
    department_summaries, score_bin_counts,
)

D = Decimal
SHEET = "自评表"
HEADER_ROW = 3  # a title and a subtitle sit above every table
A4 = 9


# -- a hand-built batch ------------------------------------------------------------------


def funds(total: tuple, *parts: tuple, full_year: bool = True) -> Funds:
    """Fund lines from (kind, budget, executed); without ``full_year`` the budget is 年初预算数 only."""
    def line(kind: str, budget: str, executed: str, row: int) -> FundLine:
        amount = D(budget)
        return FundLine(kind, kind, amount, amount if full_year else None, D(executed), Source(SHEET, f"B{row}"))

    lines = [line(*total, row=6)] + [line(*part, row=7 + i) for i, part in enumerate(parts)]
    return Funds(lines, D("10"), None, full_year, Source(SHEET, "B6"))


def project(file: str, name: str, department: str, total: str, self_total: str | None, grade: str,
            money: Funds, flags: list[Flag] = (), items: list[ItemScore] = ()) -> FileResult:
    form = ProjectForm(file=file, sheet=SHEET, layout="national-2020", year=2019, name=name,
                       department=department, unit=f"{name}实施单位", funds=money,
                       self_total=D(self_total) if self_total else None)
    budget, executed, *_ = execution_amounts(money)  # as the engine hands them over
    result = FormResult(form, "mof-2020-project", list(items), D(total), grade, list(flags),
                        budget=budget, executed=executed)
    return FileResult(file, "ok", forms=[result], output=file.replace(".xlsx", ".scored.xlsx"))


def road_items() -> list[ItemScore]:
    execution = ItemScore("预算执行", "", "预算执行率", D("10"), D("9.5"), D("10"), "475/500×10=9.50",
                          [Flag("执行率低于100%", Source(SHEET, "C6"))])
    target = ItemScore("产出指标", "数量指标", "养护里程", D("10"), D("0"), D("10"), "实际完成值缺失，得0分", [
        Flag("得分未满，缺少偏差原因", Source(SHEET, "I14")),
        Flag("实际完成值缺失", Source(SHEET, "F14"), "error", action="请单位补填实际完成值"),
    ])
    return [execution, target]


def batch() -> list[FileResult]:
    road = project("01_城区道路养护项目.xlsx", "城区道路养护项目", "城管局", "91.27", "96", "优",
                   funds(("total", "500", "475")), items=road_items(),
                   flags=[Flag("指标分值合计为95，应为100", Source(SHEET, "G21")),
                          Flag("自评得分未填全，自评总分仅供参考")])
    lights = project("02_路灯维护项目.xlsx", "路灯维护项目", "城管局", "58.50", "65", "差",
                     funds(("total", "0", "0"), ("fiscal", "80", "70"), ("carryover", "20", "10")))
    library = project("03_图书馆免费开放项目.xlsx", "图书馆免费开放项目", "文旅局", "75.00", None, "中",
                      funds(("total", "320", "301.4"), full_year=False))
    department = DepartmentForm(file="04_开福区部门整体支出.xlsx", sheet="指标评分表",
                                unit="开福区行政审批服务局", year=2019, self_total=D("96"))
    department_file = FileResult("04_开福区部门整体支出.xlsx", "ok",
                                 forms=[FormResult(department, "hunan-dept", [], D("95.61"), "优")])
    broken = FileResult("05_坏文件.xlsx", "error", error="文件已损坏或不是Excel工作簿（BadZipFile: x）")
    locked = FileResult("~$06_锁定.xlsx", "skipped", error="Excel/WPS临时锁定文件，已跳过")
    # Not in file order: the summary sorts.
    return [department_file, lights, broken, road, locked, library]


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("summary") / "summary.xlsx"
    write_summary_xlsx(batch(), path, "hunan-dept, mof-2020-project")
    return path


@pytest.fixture(scope="module")
def book(summary):
    return openpyxl.load_workbook(summary)


def header(sheet) -> list:
    return [cell.value for cell in sheet[HEADER_ROW] if cell.value is not None]


def table(sheet, first_col: int = 1) -> list[dict]:
    """The rows under the header row, up to the first empty one, as dicts by header."""
    titles = [cell.value for cell in sheet[HEADER_ROW]][first_col - 1:]
    titles = titles[: titles.index(None)] if None in titles else titles
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=first_col, max_col=first_col + len(titles) - 1):
        values = [cell.value for cell in row]
        if all(value is None for value in values):
            break
        rows.append(dict(zip(titles, values)))
    return rows


# -- the workbook ------------------------------------------------------------------------


def test_four_sheets_in_chinese(book):
    assert book.sheetnames == ["汇总", "问题清单", "分布", "部门"]


@pytest.mark.parametrize("name", ["汇总", "问题清单", "部门"])
def test_every_table_has_a_title_a_frozen_header_and_an_autofilter(book, name):
    sheet = book[name]
    assert sheet["A1"].value and sheet["A1"].font.b
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:")


@pytest.mark.parametrize("name", ["汇总", "问题清单", "分布", "部门"])
def test_every_sheet_prints_on_a4_landscape_one_page_wide(book, name):
    sheet = book[name]
    assert sheet.page_setup.paperSize == A4
    assert sheet.page_setup.orientation == "landscape"
    # fitToWidth 1 is the OOXML default, which xlsxwriter leaves out of the file.
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddHeader.center.text == "&A"  # the sheet name
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    if name != "分布":  # the tables repeat their header row on every page
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_columns_are_wide_enough_to_read(book):
    sheet = book["汇总"]
    assert sheet.column_dimensions["B"].width >= 20  # 文件
    assert sheet.column_dimensions["G"].width >= 16  # 项目名称


# -- 汇总 ---------------------------------------------------------------------------------


def test_overview_header(book):
    assert header(book["汇总"]) == [
        "排名", "文件", "工作表", "类型", "主管部门", "实施单位/填报单位", "项目名称",
        "自评总分", "复核总分", "差异", "等级", "问题数", "状态", "原因"]


def test_overview_ranks_projects_then_departments_by_engine_total_and_lists_failed_files_last(book):
    rows = table(book["汇总"])
    assert [(row["排名"], row["类型"], row["文件"], row["复核总分"]) for row in rows] == [
        (1, "项目", "01_城区道路养护项目.xlsx", 91.27),
        (2, "项目", "03_图书馆免费开放项目.xlsx", 75),
        (3, "项目", "02_路灯维护项目.xlsx", 58.5),
        (1, "部门", "04_开福区部门整体支出.xlsx", 95.61),
        (None, None, "05_坏文件.xlsx", None),
        (None, None, "~$06_锁定.xlsx", None),
    ]
    assert [(row["状态"], row["原因"]) for row in rows[-2:]] == [
        ("错误", "文件已损坏或不是Excel工作簿（BadZipFile: x）"), ("跳过", "Excel/WPS临时锁定文件，已跳过")]


def test_overview_row_of_a_project(book):
    road = table(book["汇总"])[0]
    assert road == {
        "排名": 1, "文件": "01_城区道路养护项目.xlsx", "工作表": SHEET, "类型": "项目", "主管部门": "城管局",
        "实施单位/填报单位": "城区道路养护项目实施单位", "项目名称": "城区道路养护项目",
        "自评总分": 96, "复核总分": 91.27, "差异": -4.73, "等级": "优", "问题数": 5, "状态": "已评分", "原因": None,
    }
    assert book["汇总"]["I4"].number_format == "0.00"


def test_overview_row_of_a_department_names_the_reporting_unit(book):
    department = table(book["汇总"])[3]
    assert (department["主管部门"], department["实施单位/填报单位"], department["项目名称"]) == (
        "开福区行政审批服务局", "开福区行政审批服务局", "部门整体支出")
    assert table(book["汇总"])[1]["自评总分"] is None  # no self total: blank, not 0


def conditional_rules(sheet) -> dict[str, list]:
    return {str(rng.sqref): rng.rules for rng in sheet.conditional_formatting}


def test_large_differences_are_red_and_amber(book):
    rules = conditional_rules(book["汇总"])["J4:J9"]  # 差异, every data row
    formulas = [rule.formula[0] for rule in rules]
    assert formulas == [
        f"AND(ISNUMBER($J4),ABS($J4)>={DIFFERENCE_RED_AT})",
        f"AND(ISNUMBER($J4),ABS($J4)>={DIFFERENCE_AMBER_AT},ABS($J4)<{DIFFERENCE_RED_AT})",
    ]
    red, amber = (rule.dxf.fill.bgColor.rgb for rule in rules)
    assert red.endswith("FFC7CE") and amber.endswith("FFEB9C")
    assert (DIFFERENCE_RED_AT, DIFFERENCE_AMBER_AT) == (5, 2)


def test_grades_poor_and_fair_are_highlighted(book):
    rules = conditional_rules(book["汇总"])["K4:K9"]  # 等级
    assert [(rule.operator, rule.formula[0]) for rule in rules] == [("equal", '"差"'), ("equal", '"中"')]


# -- 问题清单 ------------------------------------------------------------------------------


def test_issue_list_header(book):
    assert header(book["问题清单"]) == [
        "文件", "工作表", "单元格", "项目/单位", "指标", "级别", "问题", "处理建议"]


def test_issues_of_a_form_come_in_row_order_with_what_to_do(book):
    rows = [row for row in table(book["问题清单"]) if row["文件"] == "01_城区道路养护项目.xlsx"]
    assert [(row["单元格"], row["指标"], row["级别"], row["问题"], row["处理建议"]) for row in rows] == [
        (None, None, "提示", "自评得分未填全，自评总分仅供参考", "请复核"),  # no cell: about the whole form
        ("C6", "预算执行率", "提示", "执行率低于100%", "请复核"),
        ("F14", "养护里程", "错误", "实际完成值缺失", "请单位补填实际完成值"),  # the flag's own action
        ("I14", "养护里程", "提示", "得分未满，缺少偏差原因", "请复核"),
        ("G21", None, "提示", "指标分值合计为95，应为100", "请复核"),
    ]
    assert {(row["工作表"], row["项目/单位"]) for row in rows} == {(SHEET, "城区道路养护项目")}


def test_issue_list_is_sorted_by_file_and_holds_file_errors(book):
    rows = table(book["问题清单"])
    files = [row["文件"] for row in rows]
    assert files == sorted(files)
    broken, locked = rows[-2:]
    assert broken == {"文件": "05_坏文件.xlsx", "工作表": None, "单元格": None, "项目/单位": None, "指标": None,
                      "级别": "错误", "问题": "文件已损坏或不是Excel工作簿（BadZipFile: x）",
                      "处理建议": "请单位重新导出/报送该文件"}
    assert (locked["级别"], locked["问题"], locked["处理建议"]) == (
        "提示", "未评分：Excel/WPS临时锁定文件，已跳过", "无需处理")


def test_an_error_flag_without_an_action_asks_the_unit_to_correct_it(tmp_path):
    files = batch()
    files[0].forms[0].flags.append(Flag("预算完成率分母为0", Source("基础数据表", "D14"), "error"))
    write_summary_xlsx(files, tmp_path / "summary.xlsx", "hunan-dept")
    rows = table(openpyxl.load_workbook(tmp_path / "summary.xlsx")["问题清单"])
    row = next(row for row in rows if row["问题"] == "预算完成率分母为0")
    assert (row["工作表"], row["单元格"], row["处理建议"]) == ("基础数据表", "D14", "请单位核实并更正后重新报送")


# -- tables longer than a sheet ----------------------------------------------------------


@pytest.fixture
def book_of_short_sheets(tmp_path, monkeypatch):
    """The batch's summary where a sheet holds 4 data rows: 问题清单 (7 rows) takes 4 + 3, the first
    file's 5 rows cut between the two; 汇总 (6 rows, and 2 kept free under each part for the note)
    takes 2 + 2 + 2.  Excel's sheets end at row 1,048,576, which 问题清单 passes at about 40,000 files."""
    assert summary_xlsx.EXCEL_ROWS == 1_048_576
    monkeypatch.setattr(summary_xlsx, "EXCEL_ROWS", FIRST_DATA_ROW + 4)
    write_summary_xlsx(batch(), tmp_path / "summary.xlsx", "hunan-dept, mof-2020-project")
    return openpyxl.load_workbook(tmp_path / "summary.xlsx")


def test_a_table_longer_than_a_sheet_goes_on_over_as_many_sheets_as_it_needs(book_of_short_sheets, book):
    short = book_of_short_sheets
    assert short.sheetnames == ["汇总", "汇总（续1）", "汇总（续2）", "问题清单", "问题清单（续1）", "分布", "部门"]
    issues = [table(short[name]) for name in ("问题清单", "问题清单（续1）")]
    assert [len(rows) for rows in issues] == [4, 3]
    assert issues[0] + issues[1] == table(book["问题清单"])  # every row once, in order
    overview = [table(short[name]) for name in ("汇总", "汇总（续1）", "汇总（续2）")]
    assert [len(rows) for rows in overview] == [2, 2, 2]
    assert overview[0] + overview[1] + overview[2] == table(book["汇总"])
    for name in short.sheetnames[:5]:
        assert short[name].max_row <= FIRST_DATA_ROW + 4  # no row past the sheet's end (the note included)


@pytest.mark.parametrize("name", ["汇总（续1）", "问题清单（续1）"])
def test_every_part_of_a_long_table_is_titled_frozen_filtered_and_printed_like_the_first(book_of_short_sheets, name):
    sheet = book_of_short_sheets[name]
    assert header(sheet) == header(book_of_short_sheets[name.split("（")[0]])
    assert sheet["A1"].value.endswith("（续1）") and sheet["A1"].font.b
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    last_column = chr(ord("A") + len(header(sheet)) - 1)
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{last_column}{HEADER_ROW + len(table(sheet))}"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_the_subtitles_say_which_rows_each_part_holds_and_where_the_rest_is(book_of_short_sheets):
    first, second = (book_of_short_sheets[name]["A2"].value for name in ("问题清单", "问题清单（续1）"))
    assert first.startswith("共 7 条（错误 2 条，提示 5 条），按文件、工作表行号排列")
    assert first.endswith(f"超出Excel每个工作表{FIRST_DATA_ROW + 4}行的上限，分2个工作表：本表为第1–4条，"
                          "余下见“问题清单（续1）”")
    assert second.endswith("本表为第5–7条")
    assert book_of_short_sheets["汇总（续2）"]["A2"].value.endswith("本表为第5–6行")


def test_each_part_of_the_overview_highlights_its_own_rows(book_of_short_sheets):
    assert "J4:J5" in conditional_rules(book_of_short_sheets["汇总（续1）"])  # 差异, its two data rows


def test_a_table_that_fits_stays_on_one_sheet_of_the_usual_name(book):
    assert EXCEL_ROWS == 1_048_576
    assert "（续" not in "".join(book.sheetnames)
    assert "工作表：" not in book["问题清单"]["A2"].value


# -- 分布 -----------------------------------------------------------------------------------


def test_grade_counts_and_score_bands(book):
    sheet = book["分布"]
    grades = table(sheet)
    assert [(row["等级"], row["数量"]) for row in grades] == [
        ("优", 2), ("良", 0), ("中", 1), ("差", 1), ("合计", 4)]
    assert grades[0]["占比"] == pytest.approx(0.5)
    bands = table(sheet, first_col=5)
    assert [(row["分数段"], row["数量"]) for row in bands] == [
        ("0–60", 1), ("60–70", 0), ("70–80", 1), ("80–90", 0), ("90–100", 2), ("合计", 4)]


def test_score_bands_include_their_lower_bound_and_the_last_includes_100():
    def counts(*totals: str) -> list[int]:
        files = [project(f"{i}.xlsx", "p", "d", total, None, "优", funds(("total", "1", "1")))
                 for i, total in enumerate(totals)]
        return list(score_bin_counts(files).values())

    assert len(SCORE_BINS) == 5
    assert counts("59.99", "60", "79.99", "80", "90", "100") == [1, 1, 1, 1, 2]


def test_totals_above_100_have_a_band_of_their_own(tmp_path):
    # A rulebook with full_marks 120 gives totals above 100; they were counted in 90–100.
    files = [project(f"{i}.xlsx", "p", "d", total, None, "优", funds(("total", "1", "1")))
             for i, total in enumerate(["95", "100", "100.01", "118"])]
    assert score_bin_counts(files) == {"0–60": 0, "60–70": 0, "70–80": 0, "80–90": 0, "90–100": 2, "100以上": 2}
    out = tmp_path / "summary.xlsx"
    write_summary_xlsx(files, out, "本局")
    bands = table(openpyxl.load_workbook(out)["分布"], first_col=5)
    assert [(row["分数段"], row["数量"]) for row in bands][-3:] == [("90–100", 2), ("100以上", 2), ("合计", 4)]


def test_distribution_has_two_native_column_charts(summary):
    with zipfile.ZipFile(summary) as archive:
        charts = sorted(name for name in archive.namelist() if name.startswith("xl/charts/chart"))
        xml = [archive.read(name).decode("utf-8") for name in charts]
    assert len(charts) == 2
    assert all("<c:barChart>" in chart for chart in xml)
    grade_chart, band_chart = xml
    assert "分布!$A$4:$A$7" in grade_chart and "分布!$B$4:$B$7" in grade_chart  # 优 良 中 差
    assert "分布!$E$4:$E$8" in band_chart and "分布!$F$4:$F$8" in band_chart  # five bands


# -- 部门 -----------------------------------------------------------------------------------


def test_department_header(book):
    assert header(book["部门"]) == [
        "主管部门", "项目数", "部门整体评价数", "平均复核总分", "自评完整表数", "平均自评总分", "同表平均复核总分",
        "预算数（万元）", "执行数（万元）", "执行率"]


def test_departments_aggregate_their_projects_largest_budget_first(book):
    rows = table(book["部门"])
    city, culture, bureau, total = rows
    # 城管局: 道路 500/475 and 路灯, whose 年度资金总额 row is 0: its sub-rows 80+20 / 70+10.
    assert city == {"主管部门": "城管局", "项目数": 2, "部门整体评价数": 0,
                    "平均复核总分": 74.89,  # (91.27 + 58.50) / 2 = 74.885, half-up
                    "自评完整表数": 2, "平均自评总分": 80.5, "同表平均复核总分": 74.89,
                    "预算数（万元）": 600, "执行数（万元）": 555,
                    "执行率": pytest.approx(555 / 600)}
    # 文旅局: a form without 全年预算数 counts its 年初预算数; no self total.
    assert (culture["主管部门"], culture["预算数（万元）"], culture["执行数（万元）"], culture["平均自评总分"]) == (
        "文旅局", 320, 301.4, None)
    assert culture["执行率"] == pytest.approx(301.4 / 320)
    # A department form counts under its own 填报单位 and brings no budget.
    assert (bureau["主管部门"], bureau["项目数"], bureau["部门整体评价数"], bureau["平均复核总分"],
            bureau["预算数（万元）"], bureau["执行率"]) == ("开福区行政审批服务局", 0, 1, 95.61, None, None)
    assert total == {"主管部门": "合计", "项目数": 3, "部门整体评价数": 1,
                     "平均复核总分": 80.1,  # 320.38 / 4 = 80.095
                     "自评完整表数": 3, "平均自评总分": 85.67,  # (96 + 65 + 96) / 3
                     "同表平均复核总分": 81.79,  # the three forms': (91.27 + 58.50 + 95.61) / 3 = 81.793
                     "预算数（万元）": 920, "执行数（万元）": 856.4, "执行率": pytest.approx(856.4 / 920)}


def test_department_amounts_show_two_decimals_and_rates_as_percent(book):
    sheet = book["部门"]
    assert sheet["H4"].number_format == "#,##0.00" and sheet["I4"].number_format == "#,##0.00"
    assert sheet["J4"].number_format == "0.00%"


def test_a_self_total_over_some_items_only_is_left_out_of_the_average_self_total():
    # 44.5 "仅供参考" (the unit left items unscored) pulled 平均自评总分 down beside 平均复核总分.
    money = funds(("total", "1", "1"))
    whole = project("a.xlsx", "甲", "局", "90", "96", "优", money, items=road_items())
    partial_items = road_items()
    partial_items[1].self_score = None
    partial = project("b.xlsx", "乙", "局", "92", "44.5", "优", money, items=partial_items)
    [summary] = department_summaries([whole, partial])
    assert (summary.average_total, summary.average_self_total) == (D("91"), D("96"))
    # Beside it, the engine's average over the same forms: 90 against 96, not 91 over both.
    assert (summary.self_total_count, summary.average_total_of_self_scored) == (1, D("90"))


def test_forms_without_a_department_are_grouped_under_a_placeholder():
    files = [project("x.xlsx", "p", "", "80", None, "良", funds(("total", "1", "1")))]
    assert [summary.department for summary in department_summaries(files)] == ["（未填主管部门）"]


# -- robustness ----------------------------------------------------------------------------


def test_an_empty_batch_still_gives_a_complete_workbook(tmp_path):
    write_summary_xlsx([], tmp_path / "summary.xlsx", "mof-2020-project")
    book = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert book.sheetnames == ["汇总", "问题清单", "分布", "部门"]
    assert table(book["汇总"]) == []


def test_unit_text_stays_text(tmp_path):
    path = tmp_path / "summary.xlsx"
    hostile = '=HYPERLINK("http://x","y")'
    road = batch()[3]
    road.file = "+1+2.xlsx"
    road.forms[0].form.name = hostile
    road.forms[0].form.department = "http://example.com/x"
    write_summary_xlsx([road], path, "mof-2020-project")
    book = openpyxl.load_workbook(path)
    sheet = book["汇总"]
    assert (sheet["E4"].value, sheet["E4"].hyperlink) == ("http://example.com/x", None)
    assert (sheet["G4"].value, sheet["G4"].data_type) == (hostile, "s")
    assert (sheet["B4"].value, sheet["B4"].data_type) == ("+1+2.xlsx", "s")
    assert book["部门"]["A4"].value == "http://example.com/x"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<hyperlinks" not in xml


def test_the_workbook_is_deflated_at_the_fast_level_and_xlsxwriter_is_left_as_it_was(summary):
    """xlsxwriter has no compression setting: its zip is swapped for one at level 1 while a summary
    is saved, and only then (a large 问题清单 spent most of its save time in zlib at level 6)."""
    import zlib

    import xlsxwriter.workbook

    with zipfile.ZipFile(summary) as archive:
        info = archive.getinfo("xl/theme/theme1.xml")  # 汇总's and 问题清单's rows are deflated apart
        data = archive.read(info)
    assert info.compress_size == len(zlib.compress(data, SUMMARY_DEFLATE_LEVEL)) - 6  # less zlib's header and check
    assert info.compress_size != len(zlib.compress(data, 6)) - 6
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def test_the_sheet_rows_are_copied_as_bytes_and_the_same_as_xlsxwriters_own_copy(tmp_path, monkeypatch):
    # _SummarySheet copies xlsxwriter's row files byte for byte.  The test fails, instead of the
    # batch silently taking xlsxwriter's slower copy, if an upgrade renames what the copy uses.
    from perfeval_xl.writers import summary_xlsx

    copied = []
    real_copy = summary_xlsx.shutil.copyfileobj
    monkeypatch.setattr(summary_xlsx.shutil, "copyfileobj", lambda *args: copied.append(1) or real_copy(*args))
    fast = tmp_path / "fast.xlsx"
    write_summary_xlsx(batch(), fast, "hunan-dept, mof-2020-project")
    assert copied  # the byte copy was taken
    monkeypatch.setattr(summary_xlsx._SummarySheet, "_COPY_NEEDS", ("an attribute no xlsxwriter has",))
    slow = tmp_path / "slow.xlsx"
    write_summary_xlsx(batch(), slow, "hunan-dept, mof-2020-project")
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(slow) as b:
        sheets = [name for name in a.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and all(a.read(name) == b.read(name) for name in sheets)


def test_rendered_rows_deflated_as_the_workbook_is_written_give_the_sheets_of_xlsxwriters_row_files(tmp_path, monkeypatch):
    """汇总's and 问题清单's rows go into the zip deflated by the workbook (_SummarySheet.deflate_rows),
    汇总's note after them; if xlsxwriter's own copy of the rows has to be taken after all, they
    are put back among its rows as text."""
    from perfeval_xl.writers import summary_xlsx

    def members(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}

    spliced = []
    write_spliced = summary_xlsx._SummaryZipFile._write_spliced
    monkeypatch.setattr(summary_xlsx._SummaryZipFile, "_write_spliced",
                        lambda self, filename, arcname, *rest: spliced.append(arcname)
                        or write_spliced(self, filename, arcname, *rest))
    write_summary_xlsx(batch(), tmp_path / "deflated.xlsx", "hunan-dept, mof-2020-project")
    assert spliced == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]

    close = summary_xlsx._SummaryWorkbook.close

    def close_with_a_renamed_row_file(workbook):
        monkeypatch.setattr(summary_xlsx._SummarySheet, "_COPY_NEEDS", ("an attribute no xlsxwriter has",))
        close(workbook)

    with monkeypatch.context() as patched:
        patched.setattr(summary_xlsx._SummaryWorkbook, "close", close_with_a_renamed_row_file)
        write_summary_xlsx(batch(), tmp_path / "put_back.xlsx", "hunan-dept, mof-2020-project")
    monkeypatch.undo()
    monkeypatch.setattr(summary_xlsx._SummarySheet, "deflate_rows", lambda self, *args: False)
    write_summary_xlsx(batch(), tmp_path / "row_files.xlsx", "hunan-dept, mof-2020-project")
    assert members(tmp_path / "deflated.xlsx") == members(tmp_path / "row_files.xlsx")
    assert members(tmp_path / "put_back.xlsx") == members(tmp_path / "row_files.xlsx")
    overview = openpyxl.load_workbook(tmp_path / "deflated.xlsx")["汇总"]
    assert str(overview.cell(overview.max_row, 1).value).startswith("说明：")


@pytest.mark.parametrize("length", [0, 1, 2, 3, 7, 64, 1000, 65537, 300_001])
def test_crc32_combine_gives_the_crc_of_the_parts_joined(length):
    import random
    import zlib

    from perfeval_xl._zip import crc32_combine

    generator = random.Random(length)
    first, second = generator.randbytes(generator.randrange(50)), generator.randbytes(length)
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


@pytest.mark.parametrize("engine", ["installed", "zlib"])
def test_parts_deflated_by_the_fast_engine_read_back_with_zlib(monkeypatch, engine):
    # ISA-L where installed, the standard zlib elsewhere: either way zlib, as every reader of the
    # outputs, must read back exactly what went in, with the CRC-32 and Adler-32 it computes.
    import importlib
    import sys
    import zlib

    import perfeval_xl._fast_zlib as fast

    if engine == "zlib":
        monkeypatch.setitem(sys.modules, "isal", None)  # as on a platform without its wheel
        fast = importlib.reload(fast)
        assert fast._engine is zlib
    try:
        from perfeval_xl._zip import deflated

        data = ("<row r=\"1\"><c t=\"inlineStr\"><is><t>城区道路养护项目</t></is></c></row>" * 500).encode()
        member = deflated("xl/worksheets/sheet1.xml", data)
        assert zlib.decompressobj(-15).decompress(member.compressed) == data
        assert fast.crc32(data) == zlib.crc32(data) and fast.crc32(data, 7) == zlib.crc32(data, 7)
        assert zlib.decompress(fast.compress(data)) == data
        deflater = fast.raw_deflater()
        synced = deflater.compress(data[:1000]) + deflater.flush(fast.SYNC_FLUSH)
        tail = fast.raw_deflater()
        assert zlib.decompressobj(-15).decompress(synced + tail.compress(data[1000:]) + tail.flush()) == data
    finally:
        monkeypatch.undo()
        importlib.reload(fast)


def test_one_department_typed_several_ways_is_one_row():
    # A space, a zero-width space or soft hyphen pasted from the web, a seal note, half-width
    # brackets: one 主管部门 each time, as F2 and F3 are paired by their 填报单位.
    money = funds(("total", "1", "1"))
    files = [project(f"{i}.xlsx", "p", department, "80", None, "良", money)
             for i, department in enumerate(["某市城市管理局", "某市 城市管理局\u200b", "某市城市管理局　",
                                              "某市城市\u00ad管理局", "某市城市管理局(盖章)",
                                              "某市城市管理局（本级）", "某市城市管理局(本级)"])]
    assert [(summary.department, summary.projects) for summary in department_summaries(files)] == [
        ("某市城市管理局", 5), ("某市城市管理局（本级）", 2)]


def test_a_department_is_shown_as_its_forms_write_it_not_as_it_is_compared(tmp_path):
    # 部门 grouped the forms by the name without its spaces and showed that: "长沙市卫生健康委员会",
    # a name no unit wrote.  Shown: the spelling most of its forms write (of ties, the first met).
    money = funds(("total", "1", "1"))
    files = [project(f"{i}.xlsx", f"p{i}", department, "80", None, "良", money)
             for i, department in enumerate(["长沙市卫生健康委员会", " 长沙市 卫生健康委员会", "长沙市 卫生健康委员会\u200b",
                                              "开福区 城市管理局", "开福区城市管理局（盖章）"])]
    department = DepartmentForm(file="dept.xlsx", sheet="指标评分表", unit="开福区 行政审批服务局", year=2019)
    files.append(FileResult("dept.xlsx", "ok", forms=[FormResult(department, "hunan-dept", [], D("95.61"), "优")]))
    assert [(summary.department, summary.projects, summary.departments) for summary in department_summaries(files)] == [
        ("长沙市 卫生健康委员会", 3, 0), ("开福区 城市管理局", 2, 0), ("开福区 行政审批服务局", 0, 1)]
    out = tmp_path / "summary.xlsx"
    write_summary_xlsx(files, out, "mof-2020-project")  # spooled: the spelling goes through each file's record
    shown = [row["主管部门"] for row in table(openpyxl.load_workbook(out)["部门"])]
    assert shown == ["长沙市 卫生健康委员会", "开福区 城市管理局", "开福区 行政审批服务局", "合计"]


def test_a_projects_execution_counts_only_beside_its_budget():
    # A form whose 全年预算数 is missing brought its 执行数 without a 预算数: 190 of 100, a 190 % rate.
    whole = project("a.xlsx", "甲", "局", "90", None, "优", funds(("total", "100", "100")))
    unbudgeted = project("b.xlsx", "乙", "局", "80", None, "良", funds(("total", "100", "90")))
    unbudgeted.forms[0].budget = None  # as the engine leaves it when the budget is missing
    [summary] = department_summaries([whole, unbudgeted])
    assert (summary.projects, summary.budget, summary.executed, summary.execution_rate) == (2, D("100"), D("100"), 1)


def test_a_bureaus_own_grades_are_the_ones_distribution_lists_and_summary_highlights(tmp_path):
    # 分布 listed 优/良/中/差 with no form, then only the custom grades forms got; 汇总 highlighted
    # only the literal 差 and 中.
    from perfeval_xl.writers.summary_xlsx import grade_highlights, grades_listed

    scale = ("优秀", "良好", "合格", "基本合格", "不合格")
    files = [project(f"{i}.xlsx", "p", "局", total, None, grade, funds(("total", "1", "1")))
             for i, (total, grade) in enumerate([("96", "优秀"), ("91", "良好"), ("93", "良好"), ("50", "不合格")])]
    out = tmp_path / "summary.xlsx"
    write_summary_xlsx(files, out, "本局", grade_scales=(scale, ("优", "良", "中", "差")))
    book = openpyxl.load_workbook(out)
    counts = {row["等级"]: row["数量"] for row in table(book["分布"]) if row["等级"] != "合计"}
    assert counts == {"优秀": 1, "良好": 2, "合格": 0, "基本合格": 0, "不合格": 1, "优": 0, "良": 0, "中": 0, "差": 0}
    assert grade_highlights((scale,)) == {"不合格": "red", "基本合格": "amber"}
    assert grade_highlights((("合格", "不合格"),)) == {"不合格": "red"}
    assert grades_listed({"优": 0, "良": 0, "中": 0, "差": 0, "合格": 2}, (("合格", "不合格"),)) == {"合格": 2, "不合格": 0}
    rules = {rule.formula[0] for rule in book["汇总"].conditional_formatting for rule in rule.rules if rule.type == "cellIs"}
    assert {'"不合格"', '"基本合格"', '"差"', '"中"'} <= rules
    # The note under 汇总's table names the grades highlighted, not 差 and 中 alone.
    note = next(cell.value for row in book["汇总"].iter_rows() for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("说明："))
    assert "等级“不合格”“差”标红、“基本合格”“中”标黄。" in note
    assert "（自评得分未填全的，自评总分仅供参考，不计差异）" in note  # why a 差异 may be blank
