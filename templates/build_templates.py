"""(Re)generate the .xlsx templates in this directory.

    python templates/build_templates.py

- 项目支出绩效自评表.xlsx — the blank national 2020 form F1 (财预〔2020〕10号 附件1) that
  budget units fill in.
- 报告初稿原型.docx — the empty report draft (A4, Chinese, 宋体 text, black 黑体 headings,
  the score table's header row) that every department's .docx draft is assembled from;
  python-docx writes it.
- 项目支出绩效自评表_复核.xlsx — the style template of the scored form.  It is a
  small sample of the scored form drawn by the writer itself; each kind of row
  appears once and is marked by a defined name ``style_<role>``.  Restyle it in
  Excel to change how every scored form looks.  Its compiled form ships beside
  it: run ``python tools/compile_style_template.py`` after rebuilding it.

The default look is the one a finance bureau prints: 宋体, thin borders, wrapped
text, A4 fitted to the page width.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Optional

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

if __package__ in (None, ""):  # run as a script from a source checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perfeval_xl.model import Flag, FormResult, FundLine, Funds, ItemScore, ProjectForm, Source  # noqa: E402
from perfeval_xl.writers._cell import write_cell  # noqa: E402
from perfeval_xl.writers._report_template import PROTOTYPE, prototype_package  # noqa: E402
from perfeval_xl.writers._style_template import NAME_PREFIX, ROLES  # noqa: E402
from perfeval_xl.writers._templates import BLANK_FORMS, SCORED_FORM_STYLE  # noqa: E402
from perfeval_xl.writers.report_draft import SCORE_TABLE_HEADERS  # noqa: E402
from perfeval_xl.writers.scored_form import render_form  # noqa: E402

HERE = Path(__file__).resolve().parent

FONT_NAME = "宋体"
GB2312_CHARSET = 134  # lets Excel on a non-Chinese system pick SimSun for 宋体
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NO_BORDER = Border()
ENGINE_FILL = PatternFill("solid", fgColor="DDEBF7")  # marks the columns the engine adds
NO_FILL = PatternFill()
#: At least 2 places, up to 4: a figure from the form (0.0449 万元, a self-score of 13.885) shows as written;
#: thousands separated, as the base data sheet and the summary show amounts.
TWO_DECIMALS = "#,##0.00##"
PERCENT = "0.00%"


def font(size: float = 10, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, sz=size, bold=bold, charset=GB2312_CHARSET)


def align(horizontal: str = "center", vertical: str = "center") -> Alignment:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=True)


@dataclass(frozen=True)
class CellStyle:
    font: Font
    alignment: Alignment
    border: Border = BOX
    fill: PatternFill = NO_FILL
    number_format: str = "General"

    def apply(self, cell) -> None:
        cell.font = self.font
        cell.alignment = self.alignment
        cell.border = self.border
        cell.fill = self.fill
        cell.number_format = self.number_format


LABEL = CellStyle(font(), align())
HEADER = CellStyle(font(bold=True), align())
ENGINE_HEADER = CellStyle(font(bold=True), align(), fill=ENGINE_FILL)
TEXT = CellStyle(font(), align("left"))
TEXT_TOP = CellStyle(font(), align("left", "top"))
CENTERED_TEXT = CellStyle(font(), align())
NUMBER = CellStyle(font(), align(), number_format=TWO_DECIMALS)
BOLD_NUMBER = CellStyle(font(bold=True), align(), number_format=TWO_DECIMALS)
RATIO = CellStyle(font(), align(), number_format=PERCENT)


# ---------------------------------------------------------------------------------
# The scored form's style template
# ---------------------------------------------------------------------------------

SCORED_COLUMN_WIDTHS = (10, 12, 13, 18, 13, 13, 8, 8, 8, 8, 24, 20, 26)  # A … M
ENGINE_COLUMNS = {9, 10, 11, 12, 13}  # 复核得分 差异 评分依据 (偏差原因 in the table) 问题提示


def scored_cell_style(role: str, column: int) -> CellStyle:
    """Default style of ``column`` (1 = A) in a row of ``role``."""
    if role == "title":
        return CellStyle(font(16, bold=True), align(), NO_BORDER)
    if role == "year":
        return CellStyle(font(11), align(), NO_BORDER)
    if role == "note":
        return CellStyle(font(9), align("left"), NO_BORDER)
    if column == 1:
        return HEADER if role in ("total", "grade") else LABEL
    if role in ("fund_header", "table_header"):
        engine = column in ENGINE_COLUMNS and not (role == "table_header" and column == 12)
        return ENGINE_HEADER if engine else HEADER
    if role in ("goal_header", "issue_header"):
        return HEADER
    if role == "name_row":
        return TEXT
    if role == "unit_row":
        return LABEL if column in (7, 8) else TEXT
    if role == "fund_line":
        return {2: LABEL, 6: RATIO}.get(column, NUMBER if column <= 10 else TEXT)
    if role == "goal_text":
        return TEXT_TOP
    if role == "indicator":
        if column in (2, 3, 5, 6):
            return CENTERED_TEXT
        return NUMBER if 7 <= column <= 10 else TEXT
    if role == "total":
        return HEADER if column <= 6 else (BOLD_NUMBER if column <= 10 else TEXT)
    if role == "grade":
        return HEADER if column <= 6 else CellStyle(font(12, bold=True), align())
    if role == "issue":
        return CENTERED_TEXT if column in (2, 3) else TEXT
    raise ValueError(f"unknown role {role}")


SCORED_ROW_HEIGHTS = {
    "title": 36, "year": 20, "name_row": 22, "unit_row": 22, "fund_header": 30,
    "fund_line": 20, "goal_header": 20, "goal_text": 40, "table_header": 30, "indicator": 24,
    "total": 22, "grade": 24, "note": 18, "issue_header": 20, "issue": 20,
}


class DefaultRowStyler:
    """The built-in look, used only to draw the style template itself."""

    def style_row(self, sheet: Worksheet, row: int, role: str) -> None:
        for column in range(1, len(SCORED_COLUMN_WIDTHS) + 1):
            scored_cell_style(role, column).apply(sheet.cell(row, column))

    def height(self, role: str) -> Optional[float]:
        return SCORED_ROW_HEIGHTS[role]


def sample_result() -> FormResult:
    """A one-of-each-row sample, taken from a real 2019 form."""
    sheet = "复核样式"
    money = Decimal
    funds = Funds(
        lines=[FundLine("年度资金总额", "total", money("60"), money("62.5"), money("59.38"), Source(sheet, "B6"))],
        weight=money(10), self_score=money("9.5"), has_full_year_budget=True, source=Source(sheet, "B6"),
    )
    form = ProjectForm(
        file="政务大厅维护费项目.xlsx", sheet=sheet, layout="national-2020", year=2019,
        name="政务大厅维护费项目", department="长沙市开福区行政审批服务局", unit="长沙市开福区行政审批服务局",
        goal_expected="按计划完成年度工作任务，提升政务服务水平。", goal_actual="已按计划完成年度工作任务。",
        funds=funds, self_total=money("19.5"),
    )
    # With a reason (Sichuan's 未完成原因分析), so the fund block's 偏差原因 column is drawn a cell of its
    # own: a form that explains its execution gets the style of that column's header and text, where the
    # cells a 评分依据 merged over them had left it bare (no fill, no wrap).
    execution = ItemScore(
        "预算执行", "", "预算执行率", money(10), money("9.50"), money("9.5"),
        "执行率 59.38/62.5=95.01%，95.01%×10=9.50", reason="部分采购合同年末未结算",
    )
    indicator = ItemScore(
        "产出指标", "数量指标", "受理办件数量", money(10), money("9.17"), money(10),
        "110000/120000×10=9.17",
        flags=[Flag("得分未满，缺少偏差原因", Source(sheet, "L10")),
               Flag("自评得分10.00与复核得分9.17不一致", Source(sheet, "H10"))],
        target="≥120000件", actual="110000件",
    )
    return FormResult(
        form=form, rulebook="mof-2020-project", items=[execution, indicator],
        total=money("18.67"), grade="差",
        flags=[Flag("指标分值合计20.00，应为100", Source(sheet, "G11"))],
    )


def set_scored_sheet_setup(sheet: Worksheet) -> None:
    set_column_widths(sheet, SCORED_COLUMN_WIDTHS)
    set_print_setup(sheet, orientation="landscape")


def build_scored_form_style(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "复核样式"
    set_scored_sheet_setup(sheet)
    first_rows = render_form(sheet, sample_result(), DefaultRowStyler())
    missing = [role for role in ROLES if role not in first_rows]
    if missing:
        raise SystemExit(f"the sample does not draw rows of kind {missing}")
    for role in ROLES:
        row = first_rows[role]
        # The sample's text made some rows taller; the template keeps the minimum heights.
        sheet.row_dimensions[row].height = SCORED_ROW_HEIGHTS[role]
        last_column = get_column_letter(len(SCORED_COLUMN_WIDTHS))
        ref = f"'{sheet.title}'!$A${row}:${last_column}${row}"
        workbook.defined_names[NAME_PREFIX + role] = DefinedName(NAME_PREFIX + role, attr_text=ref)
    add_instructions(workbook)
    workbook.save(path)


INSTRUCTIONS = (
    "本文件是“项目支出绩效自评表（复核）”的样式模板，perfeval-xl 生成复核表时从这里读取样式。",
    "“复核样式”工作表中每类行各有一行样例，由名称 style_<类型> 标记（公式 → 名称管理器可查看）：",
    *(f"    {NAME_PREFIX}{role}" for role in ROLES),
    "可以修改：字体、字号、边框、填充、对齐、数字格式、列宽、行高、页面设置、页眉页脚。",
    "样例行的行高是最小行高：文字较多时程序会按内容加高该行。",
    "各列的含义与合并方式由程序决定，请勿删除样例行或名称；插入、移动行时 Excel 会自动更新名称。",
    "样例中的数据仅用于展示样式，不是真实评分结果。",
)


def add_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet("说明")
    sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = sheet.cell(row, 1)
        write_cell(cell, line)
        cell.font = font(11)


# ---------------------------------------------------------------------------------
# The blank form F1 for units
# ---------------------------------------------------------------------------------

BLANK_COLUMN_WIDTHS = (11, 13, 15, 20, 13, 13, 8, 8, 22)  # A … I

#: 一级指标 → its 二级指标 rows (数量指标 gets two rows: it usually has several indicators).
BLANK_INDICATOR_ROWS = (
    ("产出指标", ("数量指标", "数量指标", "质量指标", "时效指标", "成本指标")),
    ("效益指标", ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
    ("满意度指标", ("服务对象满意度指标",)),
)
FUND_ROWS = ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")


class BlankForm:
    """Draws the blank F1 form cell by cell (rows are numbered as on the official form)."""

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet

    def put(self, ref: str, value, style: CellStyle = LABEL) -> None:
        cell = self.sheet[ref]
        write_cell(cell, value)
        style.apply(cell)

    def box(self, ref_range: str, style: CellStyle = LABEL, value=None) -> None:
        """Style every cell of a range (so merged borders are whole), then merge it."""
        for row in self.sheet[ref_range]:
            for cell in row:
                style.apply(cell)
        first, _, last = ref_range.partition(":")
        if value is not None:
            write_cell(self.sheet[first], value)
        if last and last != first:
            self.sheet.merge_cells(ref_range)

    def height(self, row: int, points: float) -> None:
        self.sheet.row_dimensions[row].height = points


def build_blank_form(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目支出绩效自评表"
    form = BlankForm(sheet)
    set_column_widths(sheet, BLANK_COLUMN_WIDTHS)

    form.box("A1:I1", CellStyle(font(16, bold=True), align(), NO_BORDER), "项目支出绩效自评表")
    form.box("A2:I2", CellStyle(font(11), align(), NO_BORDER), "（      年度）")
    form.height(1, 36)
    form.height(2, 20)
    for row in range(3, 10):
        form.height(row, 22)
    form.put("A3", "项目名称")
    form.box("B3:I3", TEXT)
    form.put("A4", "主管部门")
    form.box("B4:D4", TEXT)
    form.put("E4", "实施单位")
    form.box("F4:I4", TEXT)

    last_fund_row = 5 + len(FUND_ROWS)
    form.box(f"A5:A{last_fund_row}", LABEL, "项目资金（万元）")
    for column, label in zip("BCDEFG", ("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率")):
        form.put(f"{column}5", label)
    form.box("H5:I5", LABEL, "得分")
    for row, label in enumerate(FUND_ROWS, start=6):
        is_total = row == 6
        form.put(f"B{row}", label)
        for column in "CDE":
            form.put(f"{column}{row}", None, NUMBER)
        form.put(f"F{row}", 10 if is_total else "—", NUMBER if is_total else LABEL)
        form.put(f"G{row}", None, RATIO if is_total else LABEL)
        form.box(f"H{row}:I{row}", NUMBER if is_total else LABEL, None if is_total else "—")

    goal = last_fund_row + 1
    form.box(f"A{goal}:A{goal + 1}", LABEL, "年度总体目标")
    form.box(f"B{goal}:E{goal}", LABEL, "预期目标")
    form.box(f"F{goal}:I{goal}", LABEL, "实际完成情况")
    form.box(f"B{goal + 1}:E{goal + 1}", TEXT_TOP)
    form.box(f"F{goal + 1}:I{goal + 1}", TEXT_TOP)
    form.height(goal + 1, 72)

    header = goal + 2
    for column, label in zip("BCDEFGHI", ("一级指标", "二级指标", "三级指标", "年度指标值",
                                          "实际完成值", "分值", "得分", "偏差原因分析及改进措施")):
        form.put(f"{column}{header}", label)
    form.height(header, 30)
    row = header + 1
    for level1, level2_rows in BLANK_INDICATOR_ROWS:
        first = row
        for offset, level2 in enumerate(level2_rows):
            current = first + offset
            starts_group = offset == 0 or level2_rows[offset - 1] != level2
            if starts_group:
                span = 1
                while offset + span < len(level2_rows) and level2_rows[offset + span] == level2:
                    span += 1
                form.box(f"C{current}:C{current + span - 1}", LABEL, level2)
            for column in "DEF":
                form.put(f"{column}{current}", None, CENTERED_TEXT if column != "D" else TEXT)
            form.put(f"G{current}", None, NUMBER)
            form.put(f"H{current}", None, NUMBER)
            form.put(f"I{current}", None, TEXT)
            form.height(current, 24)
        row = first + len(level2_rows)
        form.box(f"B{first}:B{row - 1}", LABEL, level1)
    last_indicator = row - 1
    form.box(f"A{header}:A{last_indicator}", LABEL, "绩效指标")

    total = last_indicator + 1
    form.box(f"A{total}:F{total}", LABEL, "总分")
    form.put(f"G{total}", 100, NUMBER)
    form.put(f"H{total}", None, NUMBER)
    form.put(f"I{total}", None, TEXT)
    form.height(total, 22)

    sheet.print_area = f"A1:I{total}"
    set_print_setup(sheet, orientation="portrait")
    workbook.save(path)


# ---------------------------------------------------------------------------------
# The blank department forms (F2 基础数据表 + F3 指标评分表)
# ---------------------------------------------------------------------------------

F2_ROWS = (
    ("三公经费", 3), ("  1、公务用车购置和维护经费", 3), ("     其中：公车购置", 3), ("           公车运行维护", 3),
    ("  2、出国经费", 3), ("  3、公务接待", 3), ("项目支出", 3), ("公用经费", 3), ("政府采购金额", 3),
    ("上年结转", 1), ("年初预算", 1), ("本年追加预算", 1), ("年末结余", 2), ("基本支出", 2), ("支出合计", 2),
    ("重点支出", 2), ("固定资产总额", 2), ("在用固定资产总额", 2),
)
# Rows of the Hunan table that are self-scored (the quantitative ones come from the rulebook).
F3_SELF_SCORED = {
    "目标设定": (("绩效目标合理性", 5), ("绩效指标明确性", 5)),
    "预算管理": (("管理制度健全性", 5), ("资金使用合规性", 5), ("预决算信息公开性", 5)),
    "职责履行": (("重点工作办结率", 10),),
    "履职效益": (("社会效益", 10), ("社会公众或服务对象满意度", 10)),
}
F3_LEVEL1 = {"目标设定": "投入", "预算管理": "过程", "职责履行": "产出", "履职效益": "效果"}


def build_department_forms(path: Path) -> None:
    """F2 and F3 as two sheets of one workbook, as units usually send them, plus 填表说明."""
    from perfeval_xl.rules import load_rulebook

    workbook = Workbook()
    base = workbook.active
    base.title = "基础数据表"
    form = BlankForm(base)
    set_column_widths(base, (30, 16, 16, 16))
    form.box("A1:D1", CellStyle(font(16, bold=True), align(), NO_BORDER), "部门整体支出绩效评价基础数据表")
    form.box("A2:C2", CellStyle(font(11), align("left"), NO_BORDER), "填报单位：")
    form.put("D2", "单位：万元", CellStyle(font(11), align("right"), NO_BORDER))
    for column, label in zip("ABCD", ("财政供养人员情况", "编制数", "实际在职人数", "控制率")):
        form.put(f"{column}3", label, HEADER)
    for column in "ABCD":
        form.put(f"{column}4", None, NUMBER if column in "BC" else LABEL)
    for column, label in zip("ABCD", ("经费控制情况", "上年决算数", "本年预算数", "本年决算数")):
        form.put(f"{column}5", label, HEADER)
    for row, (label, amounts) in enumerate(F2_ROWS, start=6):
        form.put(f"A{row}", label, TEXT)
        for column in "BCD":
            usable = amounts == 3 or (amounts == 1 and column == "C") or (amounts == 2 and column == "D")
            form.put(f"{column}{row}", None if usable else "—", NUMBER if usable else LABEL)
    base.print_area = f"A1:D{5 + len(F2_ROWS)}"
    set_print_setup(base, orientation="portrait")

    table = workbook.create_sheet("指标评分表")
    form = BlankForm(table)
    set_column_widths(table, (8, 8, 12, 26, 8, 48, 10, 24))
    form.box("A1:H1", CellStyle(font(16, bold=True), align(), NO_BORDER), "部门整体支出绩效评价指标评分表")
    form.box("A2:H2", CellStyle(font(11), align("left"), NO_BORDER), "填报单位：")
    for column, label in zip("ABCDEFGH", ("一级指标", "二级指标", "三级指标", "评分标准", "分值", "自评得分",
                                          "扣分原因和其他说明", "")):
        if label:
            form.put(f"{column}3", label, HEADER)
    rows = []
    for indicator in load_rulebook("hunan-dept").indicators:
        rows.append((indicator.level1, indicator.level2, indicator.name, indicator.standard, indicator.weight))
    for level2, items in F3_SELF_SCORED.items():
        for name, weight in items:
            rows.append((F3_LEVEL1[level2], level2, name, "按评价工作方案的评分细则自评", weight))
    order = {"投入": 0, "过程": 1, "产出": 2, "效果": 3}
    rows.sort(key=lambda r: order[r[0]])
    for row, (level1, level2, name, standard, weight) in enumerate(rows, start=4):
        for column, value, style in (("A", level1, LABEL), ("B", level2, LABEL), ("C", name, TEXT),
                                     ("D", standard, TEXT), ("E", weight, NUMBER), ("F", None, NUMBER),
                                     ("G", None, TEXT)):
            form.put(f"{column}{row}", value, style)
        form.height(row, 30)
    total = 4 + len(rows)
    form.box(f"A{total}:D{total}", LABEL, "合计")
    form.put(f"E{total}", sum(r[4] for r in rows), NUMBER)
    form.put(f"F{total}", None, NUMBER)
    form.put(f"G{total}", None, TEXT)
    table.print_area = f"A1:G{total}"
    set_print_setup(table, orientation="landscape")

    notes = workbook.create_sheet("填表说明")
    for line in ("1. 金额单位为万元；“本年”指被评价年度，“上年”指其前一年。",
                 "2. 三公经费含公务用车购置及运行维护费、因公出国（境）费、公务接待费。",
                 "3. 指标评分表中定量指标由财政部门根据基础数据表复核计算，定性指标请如实自评并在说明栏写明扣分原因。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    workbook.save(path)


# ---------------------------------------------------------------------------------
# Shared sheet setup
# ---------------------------------------------------------------------------------


def set_column_widths(sheet: Worksheet, widths: tuple[float, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def set_print_setup(sheet: Worksheet, orientation: str) -> None:
    """A4, fitted to one page wide (as many pages tall as needed), centred."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = orientation
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    # The page number sits 0.3 in from the edge, inside the 0.6 in margin: at 0.5 in (openpyxl's
    # default) a 9–10 pt footer had ~7 pt of room and printed half cut off.
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.sheet_view.showGridLines = False


def main() -> None:
    project_blank, department_blank = BLANK_FORMS
    build_blank_form(HERE / project_blank)
    build_department_forms(HERE / department_blank)
    build_scored_form_style(HERE / SCORED_FORM_STYLE)
    (HERE / PROTOTYPE).write_bytes(prototype_package(len(SCORE_TABLE_HEADERS)))
    for name in (*BLANK_FORMS, SCORED_FORM_STYLE, PROTOTYPE):
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
