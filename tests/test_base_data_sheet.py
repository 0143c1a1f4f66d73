"""The F2 base data sheet of a scored department workbook (writers/base_data_sheet.py).

Figures of the seed report (开福区行政审批服务局 2019), amounts in 万元.
"""
from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from perfeval_xl.model import BaseAmounts, BaseData, BaseLine, Source
from perfeval_xl.writers import add_base_data_sheet

D = Decimal
F2 = "基础数据表"


def amounts(label: str, prior: str | None, budget: str | None, final: str | None, row: int) -> BaseAmounts:
    def value(text):
        return D(text) if text is not None else None

    return BaseAmounts(label, value(prior), value(budget), value(final), Source(F2, f"A{row}"))


def base_data(year: int | None = 2019, **overrides) -> BaseData:
    rows = [
        amounts("三公经费", "6.8", "6.5", "5.92", 6),
        amounts("1、公务用车购置和维护经费", "3.2", "3.0", "2.85", 7),
        amounts("其中：公车运行维护", "3.2", "3.0", "2.85", 8),
        amounts("政府采购金额", "35", "42", "40.6", 9),
        amounts("年初预算", None, "640", None, 10),
        amounts("支出合计", None, None, "658.73", 11),
    ]
    fields = dict(file="07_部门整体支出.xlsx", sheet=F2, unit="长沙市开福区行政审批服务局", year=year,
                  staff_quota=D("12"), staff_actual=D("11"), rows={row.label: row for row in rows})
    fields.update(overrides)
    return BaseData(**fields)


def rendered(base: BaseData, title: str = F2, tmp_path=None):
    """The sheet as Excel sees it: written, saved and read back."""
    workbook = openpyxl.Workbook()
    add_base_data_sheet(workbook, base, title)
    path = tmp_path / "dept.xlsx"
    workbook.save(path)
    return openpyxl.load_workbook(path)[title]


def row_of(sheet, text: str) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == text)


def values(sheet, row: int, last: int = 4) -> list:
    return [sheet.cell(row, col).value for col in range(1, last + 1)]


def test_heading_names_the_form_the_year_the_unit_and_the_money_unit(tmp_path):
    sheet = rendered(base_data(), tmp_path=tmp_path)
    assert sheet["A1"].value == "部门整体支出绩效评价基础数据表"
    assert sheet["A1"].font.b and sheet["A1"].font.name == "宋体"
    assert sheet["A2"].value == "（2019年度）"
    assert (sheet["A3"].value, sheet["D3"].value) == ("填报单位：长沙市开福区行政审批服务局", "单位：万元")


def test_staffing_with_its_control_rate(tmp_path):
    sheet = rendered(base_data(), tmp_path=tmp_path)
    header = row_of(sheet, "财政供养人员情况")
    assert values(sheet, header) == ["财政供养人员情况", "编制数", "2019年实际在职人数", "控制率"]
    assert values(sheet, header + 1)[1:] == [12, 11, pytest.approx(11 / 12)]  # not rounded to 0.92
    assert sheet.cell(header + 1, 4).number_format == "0.00%"


def test_head_counts_written_in_words_are_carried_as_written(tmp_path):
    base = base_data(staff_quota=None, staff_actual=None, staff_texts={"quota": "十二", "actual": "12（含借调2人）"})
    sheet = rendered(base, tmp_path=tmp_path)
    header = row_of(sheet, "财政供养人员情况")
    assert values(sheet, header + 1)[1:] == ["十二", "12（含借调2人）", None]  # no rate from words


def test_head_counts_in_words_are_read_for_the_scored_workbook(tmp_path):
    from deptgen import BaseFigures, write_department_workbook

    from perfeval_xl import score_workbook

    path = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures("某局"))
    book = openpyxl.load_workbook(path)
    quota = next(cell for row in book[F2].iter_rows() for cell in row if cell.value == "编制数")
    book[F2].cell(quota.row + 1, quota.column).value = "十二"
    book.save(path)
    base = score_workbook(path).forms[0].form.base
    assert base.staff_quota is None and base.staff_texts == {"quota": "十二"}


def test_a_long_reporting_unit_wraps_onto_a_taller_row(tmp_path):
    unit = "长沙市开福区行政审批服务局（长沙市开福区政务服务中心、长沙市开福区大数据中心、长沙市开福区营商环境优化办公室）"
    sheet = rendered(base_data(unit=unit), tmp_path=tmp_path)
    assert sheet["A3"].value == f"填报单位：{unit}" and sheet["A3"].alignment.wrap_text
    assert sheet.row_dimensions[3].height >= 2 * 14  # two lines of 10 pt text across A–C


def test_amount_columns_are_labelled_with_the_years(tmp_path):
    sheet = rendered(base_data(), tmp_path=tmp_path)
    assert values(sheet, row_of(sheet, "经费控制情况")) == [
        "经费控制情况", "2018年决算数", "2019年预算数", "2019年决算数"]


def test_without_a_year_the_columns_say_last_year_and_this_year(tmp_path):
    sheet = rendered(base_data(year=None), tmp_path=tmp_path)
    assert sheet["A2"].value == "填报单位：长沙市开福区行政审批服务局"  # no year line
    assert values(sheet, row_of(sheet, "经费控制情况"))[1:] == ["上年决算数", "本年预算数", "本年决算数"]
    assert sheet.cell(row_of(sheet, "财政供养人员情况"), 3).value == "实际在职人数"


def test_every_row_of_the_form_in_form_order_with_its_amounts(tmp_path):
    sheet = rendered(base_data(), tmp_path=tmp_path)
    first = row_of(sheet, "经费控制情况") + 1
    assert [values(sheet, row) for row in range(first, first + 6)] == [
        ["三公经费", 6.8, 6.5, 5.92],
        ["1、公务用车购置和维护经费", 3.2, 3, 2.85],
        ["其中：公车运行维护", 3.2, 3, 2.85],
        ["政府采购金额", 35, 42, 40.6],
        ["年初预算", None, 640, None],  # one-amount rows keep the column the form had them in
        ["支出合计", None, None, 658.73],
    ]
    assert sheet.cell(first, 2).number_format == "#,##0.00##"
    indents = [sheet.cell(row, 1).alignment.indent for row in range(first, first + 3)]
    assert indents == [0, 1, 2]  # 三公经费 › 1、… › 其中：…
    assert sheet.cell(first + 6, 1).value == "来源：07_部门整体支出.xlsx（工作表：基础数据表）"


def test_lines_as_written_are_rendered_in_their_order_text_and_all(tmp_path):
    base = base_data()
    base.lines = [
        BaseLine("2、出国经费", texts={"prior_final": "—", "budget": "—", "final": "—"}),
        BaseLine("部门整体支出预算调整", texts={"budget": "年初预算", "final": "全年预算"}),
        BaseLine("", amounts={"budget": D("640"), "final": D("676.5")}),
        BaseLine("项目支出", amounts={"final": D("212.58")}),
    ]
    sheet = rendered(base, tmp_path=tmp_path)
    first = row_of(sheet, "经费控制情况") + 1
    assert [values(sheet, row) for row in range(first, first + 4)] == [
        ["2、出国经费", "—", "—", "—"],
        ["部门整体支出预算调整", None, "年初预算", "全年预算"],
        [None, None, 640, 676.5],
        ["项目支出", None, None, 212.58],
    ]
    assert sheet.cell(first + 2, 3).number_format == "#,##0.00##"
    assert sheet.cell(first + 4, 1).value.startswith("来源：")  # the lines stand for base.rows, not beside them


def test_the_table_is_bordered(tmp_path):
    sheet = rendered(base_data(), tmp_path=tmp_path)
    first = row_of(sheet, "财政供养人员情况")
    last = row_of(sheet, "支出合计")
    for row in range(first, last + 1):
        for col in range(1, 5):
            assert sheet.cell(row, col).border.left.style == "thin", sheet.cell(row, col).coordinate


def test_missing_figures_stay_blank_and_a_zero_quota_gives_no_rate(tmp_path):
    sheet = rendered(base_data(staff_quota=D("0"), staff_actual=None), tmp_path=tmp_path)
    staffing = row_of(sheet, "财政供养人员情况") + 1
    assert values(sheet, staffing)[1:] == [0, None, None]


def test_prints_on_a4_one_page_wide(tmp_path):
    sheet = rendered(base_data(), tmp_path=tmp_path)
    assert sheet.page_setup.paperSize == 9
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_area == f"'{F2}'!$A$1:$D${sheet.max_row}"
    assert sheet.column_dimensions["A"].width >= 30


def test_unit_text_is_written_as_text(tmp_path):
    hostile = '=HYPERLINK("http://x","y")'
    base = base_data(unit=hostile)
    base.rows = {hostile: amounts(hostile, "1", "2", "3", 6)}
    sheet = rendered(base, tmp_path=tmp_path)
    row = row_of(sheet, hostile)
    assert sheet.cell(row, 1).data_type == "s"
    assert sheet["A3"].value == f"填报单位：{hostile}"


def _scored_base_sheet(tmp_path, base_sheet_edit):
    """The F2 sheet of the scored workbook of a department form whose F2 ``base_sheet_edit`` changed."""
    import perfeval_xl
    from deptgen import BaseFigures, write_department_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    path = write_department_workbook(inbox / "dept.xlsx", BaseFigures("某局"))
    workbook = openpyxl.load_workbook(path)
    base_sheet_edit(workbook[F2])
    workbook.save(path)
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    return openpyxl.load_workbook(tmp_path / "out" / "dept.scored.xlsx")[F2]


def test_rates_written_beside_the_amounts_are_numbers_shown_as_written(tmp_path):
    # "95.01%" typed as text was carried as text, and 0.9501 in a percent cell as 0.9501 万元 ("0.9501").
    def rates(sheet):
        sheet.append(["预算执行率", "93.5%", "95.01%", 0.9501])
        sheet.cell(sheet.max_row, 4).number_format = "0.00%"
        sheet.append(["“三公经费”变动率", "-4.41%", "100％", None])

    sheet = _scored_base_sheet(tmp_path, rates)
    execution, change = row_of(sheet, "预算执行率"), row_of(sheet, "“三公经费”变动率")
    cells = [sheet.cell(execution, col) for col in (2, 3, 4)] + [sheet.cell(change, col) for col in (2, 3)]
    assert [(cell.data_type, cell.number_format) for cell in cells] == [
        ("n", "0.0%"), ("n", "0.00%"), ("n", "0.00%"), ("n", "0.00%"), ("n", "0%")]
    assert [cell.value for cell in cells] == pytest.approx([0.935, 0.9501, 0.9501, -0.0441, 1])
    first = sheet.cell(execution, 2)
    assert (first.alignment.horizontal, first.border.left.style) == ("right", "thin")  # as the amounts beside it


def test_words_written_beside_the_amounts_stay_text_and_amounts_stay_amounts(tmp_path):
    def words(sheet):
        sheet.append(["预算执行率", "约95%", "待核实", "95%以上"])

    sheet = _scored_base_sheet(tmp_path, words)
    row = row_of(sheet, "预算执行率")
    assert [(sheet.cell(row, col).value, sheet.cell(row, col).data_type) for col in (2, 3, 4)] == [
        ("约95%", "s"), ("待核实", "s"), ("95%以上", "s")]
    amount = sheet.cell(row_of(sheet, "政府采购金额"), 4)
    assert (amount.value, amount.number_format) == (40.6, "#,##0.00##")


def test_what_the_unit_wrote_beside_the_table_is_carried_beside_it(tmp_path):
    # Hunan units write beside the F2's four columns (湘财绩〔2013〕…): the scored sheet dropped their
    # own 控制率, a 备注 column, the right-hand half of a 楼堂馆所控制情况 block and lines of their own.
    from deptgen import write_beside_the_table

    sheet = _scored_base_sheet(tmp_path, write_beside_the_table)
    staffing = row_of(sheet, "财政供养人员情况")
    assert values(sheet, staffing, 5) == ["财政供养人员情况", "编制数", "2019年实际在职人数", "控制率", "控制率"]
    own_rate, rate = sheet.cell(staffing + 1, 5), sheet.cell(staffing + 1, 4)  # the unit's beside the sheet's
    assert (own_rate.value, own_rate.number_format, rate.value) == (1, "0%", 1)
    assert values(sheet, row_of(sheet, "经费控制情况"), 6)[3:] == ["2019年决算数", "备注", None]
    assert values(sheet, row_of(sheet, "三公经费"), 6)[3:] == [5.92, "含公车运行维护", None]
    formula_like = sheet.cell(row_of(sheet, "项目支出"), 5)
    assert (formula_like.value, formula_like.data_type) == ("=1+1", "s")  # text stays text, never a formula
    assert values(sheet, row_of(sheet, "政府采购金额"), 6)[4:] == [None, "较上年增加"]
    block = row_of(sheet, "楼堂馆所控制情况（2019年完工项目）")
    assert values(sheet, block, 7) == ["楼堂馆所控制情况（2019年完工项目）", "批复规模（㎡）", "实际规模（㎡）", "规模控制率",
                                       "预算投资（万元）", "实际投资（万元）", "投资概算控制率"]
    assert values(sheet, block + 1, 7) == [None, 1200, 1180, pytest.approx(0.9833), 500, 480, pytest.approx(0.96)]
    assert [sheet.cell(block + 1, col).number_format for col in (5, 7)] == ["#,##0.00##", "0%"]
    # A line's one figure written in the 备注 column is read as its amount, and not carried twice.
    assert values(sheet, block + 2, 6) == ["新建楼堂馆所面积（㎡）", None, None, 1180, None, None]
    own_lines = [sheet.cell(row, 1).value for row in (block + 3, block + 4)]
    assert own_lines == ["厉行节约保障措施　　已制定公务接待管理办法", "审核人：李四"]
    assert f"A{block + 3}:G{block + 3}" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert sheet.cell(block + 5, 1).value.startswith("来源：")
    assert sheet.print_area == f"'{F2}'!$A$1:$G${sheet.max_row}"
    assert [sheet.column_dimensions[letter].width for letter in "EFG"] == [16, 16, 16]
    assert sheet.cell(row_of(sheet, "公用经费"), 7).border.left.style == "thin"  # the table boxed to G


def test_an_f2_with_nothing_beside_the_table_keeps_its_four_columns(tmp_path):
    # A 控制率 heading with nothing under it, and a cell of spaces right of the table, are nothing to carry.
    def spaces(sheet):
        sheet.cell(row_of(sheet, "三公经费"), 5).value = "   "

    sheet = _scored_base_sheet(tmp_path, spaces)
    assert sheet.max_column == 4 and sheet.print_area == f"'{F2}'!$A$1:$D${sheet.max_row}"
    assert sorted(sheet.column_dimensions) == ["A", "B", "C", "D"]
    assert ("A1:D1" in {str(cells) for cells in sheet.merged_cells.ranges})
    assert values(sheet, row_of(sheet, "财政供养人员情况"), 5)[3:] == ["控制率", None]


def _counts_beside_their_labels(sheet):
    """财政供养人员情况 | 编制数 | 12 | 实际在职人数 | 12, on one row, the counts' row under it removed."""
    row = row_of(sheet, "财政供养人员情况")
    for col, value in enumerate(["财政供养人员情况", "编制数", 12, "实际在职人数", 12], 1):
        sheet.cell(row, col).value = value
    sheet.delete_rows(row + 1)


def _counts_in_their_label_cells(sheet):
    """编制数：12 | 在职人数：12 in the labels' own cells, nothing under them."""
    row = row_of(sheet, "财政供养人员情况")
    sheet.cell(row, 2).value, sheet.cell(row, 3).value = "编制数：12", "在职人数：12"
    for col in (2, 3, 4):
        sheet.cell(row + 1, col).value = None


@pytest.mark.parametrize("layout", [_counts_beside_their_labels, _counts_in_their_label_cells],
                         ids=["counts-beside-labels", "counts-in-label-cells"])
def test_counts_that_are_not_under_their_labels_are_no_headings_beside_the_table(tmp_path, layout):
    # The counts were taken for headings (12, 12) and the 经费控制情况 header for their row: the scored
    # sheet showed "2019年预算数" under the staffing block.
    sheet = _scored_base_sheet(tmp_path, layout)
    assert sheet.max_column == 4
    staffing = row_of(sheet, "财政供养人员情况")
    assert values(sheet, staffing + 1, 4)[1:3] == [12, 12]


def test_what_is_written_beside_the_table_is_read_by_column_and_left_out_of_the_amounts(tmp_path):
    from deptgen import BaseFigures, write_department_workbook

    from perfeval_xl import score_workbook

    plain = score_workbook(write_department_workbook(tmp_path / "plain.xlsx", BaseFigures("某局"))).forms[0]
    beside = score_workbook(write_department_workbook(tmp_path / "beside.xlsx", BaseFigures("某局"),
                                                      beside_the_table=True)).forms[0]
    base = beside.form.base
    assert (base.extra_headings, base.staff_extra_headings) == ({"E": "备注"}, {"D": "控制率"})
    assert base.staff_extra.extra_texts == {"D": "100%"}
    block = next(index for index, line in enumerate(base.lines) if line.label.startswith("楼堂馆所"))
    assert base.lines[block + 1].extra_amounts == {"E": 500, "F": 480}
    assert base.lines[block + 1].extra_texts == {"G": "96%"}
    assert [line.label for line in base.lines if line.text_row] == ["厉行节约保障措施　　已制定公务接待管理办法",
                                                                     "审核人：李四"]
    assert beside.total == plain.total  # carried, never scored
    assert not any(line.extra_amounts or line.extra_texts or line.text_row for line in plain.form.base.lines)
    assert plain.form.base.staff_extra is None and plain.form.base.extra_headings == {}


def test_a_title_already_taken_gets_a_number():
    workbook = openpyxl.Workbook()
    workbook.active.title = F2
    sheet = add_base_data_sheet(workbook, base_data(), F2)
    assert sheet.title == f"{F2}(2)"
    assert workbook.sheetnames == [F2, f"{F2}(2)"]


def test_the_sheet_can_be_placed_before_another():
    workbook = openpyxl.Workbook()
    workbook.active.title = "指标评分表"
    add_base_data_sheet(workbook, base_data(), F2, index=0)
    assert workbook.sheetnames == [F2, "指标评分表"]


def test_a_long_label_wraps_onto_a_taller_row(tmp_path):
    base = base_data()
    long_label = "其中：会议费、培训费、差旅费及其他按规定列支的一般性支出（含上年结转）"
    base.rows[long_label] = amounts(long_label, "1", "2", "3", 12)
    sheet = rendered(base, tmp_path=tmp_path)
    short, long = row_of(sheet, "三公经费"), row_of(sheet, long_label)
    assert sheet.cell(long, 1).alignment.wrap_text
    assert sheet.row_dimensions[long].height > 1.5 * sheet.row_dimensions[short].height


def test_every_department_form_with_base_data_gets_its_sheet_after_the_forms():
    from perfeval_xl.model import DepartmentForm, FormResult, ProjectForm
    from perfeval_xl.writers import add_base_data_sheets

    def result(form) -> FormResult:
        return FormResult(form, "rules", [], D("90"), "优")

    paired = DepartmentForm(file="a.xlsx", sheet="指标评分表", unit="甲局", base=base_data(unit="甲局"))
    unpaired = DepartmentForm(file="b.xlsx", sheet="评分表", unit="乙局")  # its F2 never arrived
    project = ProjectForm(file="c.xlsx", sheet="自评表", layout="national-2020")
    workbook = openpyxl.Workbook()
    workbook.active.title = "指标评分表"
    workbook.create_sheet("自评表")
    workbook.create_sheet("评分表")

    added = add_base_data_sheets(workbook, [result(paired), result(project), result(unpaired)])
    assert [sheet.title for sheet in added] == [F2]
    assert workbook.sheetnames == ["指标评分表", "自评表", "评分表", F2]
    assert workbook[F2]["A3"].value == "填报单位：甲局"


def test_staff_counts_below_the_amounts_are_not_carried_as_amount_lines(tmp_path):
    from openpyxl import Workbook

    from perfeval_xl.readers import read_workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["部门整体支出绩效评价基础数据表"])
    sheet.append(["填报单位：某局", None, None, "单位：万元"])
    sheet.append(["经费控制情况", "2018年决算数", "2019年预算数", "2019年决算数"])
    for label, amounts in (("三公经费", (6.8, 6.5, 5.92)), ("项目支出", (190.4, 230, 212.58)),
                           ("公用经费", (61.3, 64, 63.1)), ("政府采购金额", (35, 42, 40.6))):
        sheet.append([label, *amounts])
    sheet.append(["财政供养人员情况", "编制数", "2019年实际在职人数", "控制率"])  # below, not above
    sheet.append([None, 12, 12, None])
    workbook.save(tmp_path / "f2.xlsx")
    [base] = read_workbook(tmp_path / "f2.xlsx").unpaired_bases
    assert (base.staff_quota, base.staff_actual) == (12, 12)
    assert [line.label for line in base.lines] == ["三公经费", "项目支出", "公用经费", "政府采购金额"]


@pytest.mark.parametrize("in_template", [False, True], ids=["new-workbook", "template-workbook"])
def test_ranges_merged_on_style_ids_are_merged_as_openpyxl_merges_them(monkeypatch, in_template):
    """The sheet's merged ranges, their borders spread on style ids (_style_template.merge_cells), leave
    the cells, the workbook's style tables and the written sheet as openpyxl's merge_cells does."""
    from openpyxl.styles import Border, Side

    from perfeval_xl.writers import base_data_sheet
    from perfeval_xl.writers._style_template import _worksheet_xml, load_scored_form_style
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    def drawn():
        workbook = (load_scored_form_style(template_path(SCORED_FORM_STYLE)).workbook if in_template
                    else openpyxl.Workbook())
        sheets = [add_base_data_sheet(workbook, base_data(), F2), add_base_data_sheet(workbook, base_data(None), F2)]
        odd = add_base_data_sheet(workbook, base_data(unit="某单位"), F2)  # ranges over cells of other borders
        odd.cell(8, 4).border = Border(right=Side("thick"), bottom=Side("dashed"))
        base_data_sheet.merge_cells(odd, 6, 2, 8, 4)
        odd.cell(20, 2).value = "无边框"
        odd.cell(22, 4).border = Border(left=Side("thin"), right=Side("thick"), bottom=Side("dashed"))
        base_data_sheet.merge_cells(odd, 20, 2, 22, 4)
        return workbook, [*sheets, odd]

    ours, our_sheets = drawn()
    monkeypatch.setattr(base_data_sheet, "merge_cells", lambda sheet, first_row, first_col, last_row, last_col:
                        sheet.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row,
                                          end_column=last_col))
    theirs, their_sheets = drawn()
    for table in ("_borders", "_protections", "_cell_styles", "_fonts"):
        assert list(getattr(ours, table)) == list(getattr(theirs, table))
    for mine, openpyxls in zip(our_sheets, their_sheets, strict=True):
        assert ({coordinate: (type(cell), cell._style) for coordinate, cell in mine._cells.items()}
                == {coordinate: (type(cell), cell._style) for coordinate, cell in openpyxls._cells.items()})
        assert [str(cells) for cells in mine.merged_cells] == [str(cells) for cells in openpyxls.merged_cells]
        assert _worksheet_xml(mine) == _worksheet_xml(openpyxls)
