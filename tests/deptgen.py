"""Write filled department forms (F2 base data, F3 scoring table) for tests and examples."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl import Workbook

# (level1, level2, 三级指标, 分值, 自评得分) — the Hunan table of scoring.md §5.
HUNAN_ROWS = [
    ("投入", "预算配置", "在职人员控制率", 5, 5),
    ("投入", "预算配置", "“三公经费”变动率", 5, 5),
    ("投入", "预算配置", "重点支出安排率", 5, 5),
    ("投入", "目标设定", "绩效目标合理性", 5, 5),
    ("投入", "目标设定", "绩效指标明确性", 5, 4.5),
    ("过程", "预算执行", "预算完成率", 5, 5),
    ("过程", "预算执行", "预算控制率", 5, 5),
    ("过程", "预算执行", "公用经费控制率", 5, 5),
    ("过程", "预算执行", "“三公经费”控制率", 5, 5),
    ("过程", "预算执行", "政府采购执行率", 5, 5),
    ("过程", "资产管理", "固定资产利用率", 5, 5),
    ("过程", "预算管理", "管理制度健全性", 5, 5),
    ("过程", "预算管理", "资金使用合规性", 5, 5),
    ("过程", "预算管理", "预决算信息公开性", 5, 5),
    ("产出", "职责履行", "重点工作办结率", 10, 10),
    ("效果", "履职效益", "社会效益", 10, 9),
    ("效果", "履职效益", "社会公众或服务对象满意度", 10, 9.5),
]


@dataclass
class BaseFigures:
    """F2 figures in 万元; three-column rows are (上年决算, 本年预算, 本年决算)."""

    unit: str
    year: int = 2019
    quota: float | str = 12  # a str is written as typed, e.g. "12人"
    staff: float | str = 12
    sangong: tuple = (6.8, 6.5, 5.92)
    project: tuple = (190.4, 230.0, 212.58)
    public: tuple = (61.3, 64.0, 63.1)
    procurement: tuple = (35.0, 42.0, 40.6)
    carried: float = 8.2
    initial: float = 640.0
    added: float = 36.5
    left: float = 26.0
    basic: float = 446.15
    total: float = 658.73
    key: float = 182.3
    assets: float = 310.0
    assets_in_use: float = 296.4
    omit: set = field(default_factory=set)  # row labels to leave out
    #: 实有人数 (everyone on the books), written before the 在职 count when given
    on_books: float | None = None
    #: 项目支出 written again after 基本支出, its 本年决算数 alone (forms.md: 基本支出 / 项目支出 / 支出合计)
    project_spent: float | None = None


def write_heading(ws, heading: list[list], merges=()) -> None:
    """A clerk's heading lines under the title, in place of the 填报单位 line: rows of cell values from
    column A, ``merges`` (first row, first col, last row, last col) counted from 0 at the first line."""
    first = ws.max_row + 1
    for values in heading:
        ws.append(values or [None])
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=first + r1, start_column=c1 + 1, end_row=first + r2, end_column=c2 + 1)


def write_base_sheet(ws, f: BaseFigures, *, relative_columns: bool = False, one_line_heading: bool = False,
                     section_column: bool = False, merge_section: bool = True, staff_rows: bool = False,
                     two_row_heading: bool = False, merge_year: bool = True, adjustment: str = "rows",
                     heading: list[list] | None = None, heading_merges=(), beside_the_table: bool = False) -> None:
    """``one_line_heading``: "填报单位：<unit>　…　单位：万元" in one cell, as forms.md draws the line.
    ``section_column``: the row labels in column B beside a caption "经费情况" in column A, merged
    down over the amount rows (``merge_section``) or typed on the first of them only.
    ``staff_rows``: 编制数 and 实际在职人数 as the first two rows of the amounts table, count in the
    本年决算 column, instead of a header row of their own.
    ``two_row_heading``: the amount columns headed by their years on one row ("2019年" merged across
    its two columns when ``merge_year``) and 决算数 / 预算数 / 决算数 on the row below.
    ``adjustment``: the 上年结转 / 年初预算 / 本年追加预算 / 年末结余 amounts one row each ("rows"),
    as label/value pairs two to a row ("pairs"), or as columns, labels over figures ("columns").
    ``heading``, ``heading_merges``: :func:`write_heading` in place of the 填报单位 line.
    ``beside_the_table``: :func:`write_beside_the_table`."""
    ws.append(["部门整体支出绩效评价基础数据表"])
    if heading is not None:
        write_heading(ws, heading, heading_merges)
    else:
        ws.append([f"填报单位：{f.unit}　　　　　　单位：万元"] if one_line_heading
                  else [f"填报单位：{f.unit}", None, None, "单位：万元"])
    pad = [None] * section_column
    if not staff_rows:
        books = ["实有人数"] * (f.on_books is not None)
        ws.append([*pad, "财政供养人员情况", "编制数", *books, f"{f.year}年实际在职人数", "控制率"])
        ws.append([*pad, None, f.quota, *[f.on_books] * len(books), f.staff])
    heads = (["上年决算数", "本年预算数", "本年决算数"] if relative_columns
             else [f"{f.year - 1}年决算数", f"{f.year}年预算数", f"{f.year}年决算数"])
    if two_row_heading:
        ws.append([*pad, "经费控制情况", f"{f.year - 1}年", f"{f.year}年", None if merge_year else f"{f.year}年"])
        if merge_year:
            ws.merge_cells(start_row=ws.max_row, start_column=len(pad) + 3, end_row=ws.max_row, end_column=len(pad) + 4)
        heads = ["决算数", "预算数", "决算数"]
    ws.append([*pad, None if two_row_heading else "经费控制情况", *heads])
    first_amount_row = ws.max_row + 1
    if staff_rows:
        ws.append([*pad, "编制数", None, None, f.quota])
        if f.on_books is not None:
            ws.append([*pad, "实有人数", None, None, f.on_books])
        ws.append([*pad, "实际在职人数", None, None, f.staff])
    rows = [("三公经费", f.sangong), ("  1、公务用车购置和维护经费", (3.2, 3.0, 2.85)),
            ("  2、出国经费", (0, 0, 0)), ("  3、公务接待", (3.6, 3.5, 3.07)),
            ("项目支出", f.project), ("公用经费", f.public), ("政府采购金额", f.procurement)]
    for label, values in rows:
        if label.strip() not in f.omit:
            ws.append([*pad, label, *values])
    adjustments = [("上年结转", f.carried), ("年初预算", f.initial), ("本年追加预算", f.added), ("年末结余", f.left)]
    if adjustment == "pairs":
        for first, second in (adjustments[:2], adjustments[2:]):
            ws.append([*pad, *first, *second])
    elif adjustment == "columns":
        ws.append([*pad, "部门整体支出预算调整", *(label for label, _ in adjustments)])
        ws.append([*pad, None, *(value for _, value in adjustments)])
    singles = [*((label, value, 2 if label != "年末结余" else 3) for label, value in adjustments
                 if adjustment == "rows"), ("基本支出", f.basic, 3),
               *([("项目支出", f.project_spent, 3)] if f.project_spent is not None else []), ("支出合计", f.total, 3),
               ("重点支出", f.key, 3), ("固定资产总额", f.assets, 3), ("在用固定资产总额", f.assets_in_use, 3)]
    for label, value, column in singles:
        if label not in f.omit:
            row = [label, None, None, None]
            row[column] = value
            ws.append([*pad, *row])
    if section_column:
        ws.cell(first_amount_row, 1, "经费情况")
        if merge_section:
            ws.merge_cells(start_row=first_amount_row, start_column=1, end_row=ws.max_row, end_column=1)
    if beside_the_table:
        write_beside_the_table(ws)


def write_scoring_sheet(ws, unit: str, rows=HUNAN_ROWS, *, order: int = 1, merged: bool = True,
                        one_line_heading: bool = False, heading: list[list] | None = None, heading_merges=()) -> None:
    """Order 1: 一级·分值·二级·分值·三级·分值·评价标准·指标说明·自评得分;
    order 2: 一级·二级·三级·评分标准·分值·自评得分·扣分原因和其他说明.
    ``heading``, ``heading_merges``: :func:`write_heading` in place of the 填报单位 line."""
    ws.append(["部门整体支出绩效评价指标评分表"])
    if heading is not None:
        write_heading(ws, heading, heading_merges)
    else:
        ws.append([f"填报单位：{unit}　　　　金额单位：万元" if one_line_heading else f"填报单位：{unit}"])
    if order == 1:
        ws.append(["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "评价标准", "指标说明", "自评得分"])
    else:
        ws.append(["一级指标", "二级指标", "三级指标", "评分标准", "分值", "自评得分", "扣分原因和其他说明"])
    start = ws.max_row + 1
    previous = (None, None)
    for level1, level2, name, weight, own in rows:
        shown1 = level1 if not merged or level1 != previous[0] else None
        shown2 = level2 if not merged or (level1, level2) != previous else None
        if order == 1:
            ws.append([shown1, None, shown2, None, name, weight, "见评分标准", None, own])
        else:
            ws.append([shown1, shown2, name, "见评分标准", weight, own, None])
        previous = (level1, level2)
    total_weight = sum(r[3] or 0 for r in rows if r[2] != "小计")  # a 小计 row sums others
    ws.append(["合计", None, None, None, None, total_weight, None, None, None] if order == 1
              else ["合计", None, None, None, total_weight, None, None])
    return start


def write_department_workbook(path: Path, figures: BaseFigures, *, order: int = 1, rows=HUNAN_ROWS,
                              scoring_first: bool = False, notes: bool = True, scoring_one_line_heading: bool = False,
                              **base_layout) -> Path:
    """F2 and F3 as two sheets of one workbook (in either order), with a notes sheet beside them.

    ``base_layout`` goes to :func:`write_base_sheet`.
    """
    wb = Workbook()
    first = wb.active
    if scoring_first:
        first.title = "指标评分表"
        write_scoring_sheet(first, figures.unit, rows, order=order, one_line_heading=scoring_one_line_heading)
        write_base_sheet(wb.create_sheet("基础数据表"), figures, **base_layout)
    else:
        first.title = "基础数据表"
        write_base_sheet(first, figures, **base_layout)
        write_scoring_sheet(wb.create_sheet("指标评分表"), figures.unit, rows, order=order,
                            one_line_heading=scoring_one_line_heading)
    if notes:
        wb.create_sheet("填表说明").append(["金额单位为万元；三公经费含公务用车购置及运行维护费、因公出国（境）费、公务接待费。"])
    wb.save(path)
    return path


def write_beside_the_table(ws) -> None:
    """What Hunan units write beside an F2's four columns (湘财绩〔2013〕…, as they fill it): their own
    控制率 under the staffing's heading, a 备注 column (a note, a text that looks like a formula, one
    further right), a 楼堂馆所控制情况 block of seven columns, a line whose one figure is in the 备注
    column, and two lines of their own right of the table, below it."""
    cells = {cell.value: cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    if "控制率" in cells:
        ws.cell(cells["控制率"].row + 1, cells["控制率"].column, "100%")
    last_head = max((cell for cell in cells.values() if cell.value.endswith("决算数")), key=lambda c: (c.column, c.row))
    note, pad = last_head.column + 1, [None] * (cells["三公经费"].column - 1)
    ws.cell(last_head.row, note, "备注")
    ws.cell(cells["三公经费"].row, note, "含公车运行维护")
    ws.cell(cells["项目支出"].row, note, "=1+1").data_type = "s"  # text, as typed after an apostrophe
    ws.cell(cells["政府采购金额"].row, note + 1, "较上年增加")
    ws.append([*pad, "楼堂馆所控制情况（2019年完工项目）", "批复规模（㎡）", "实际规模（㎡）", "规模控制率",
               "预算投资（万元）", "实际投资（万元）", "投资概算控制率"])
    ws.append([*pad, None, 1200, 1180, "98.33%", 500, 480, 0.96])
    ws.cell(ws.max_row, len(pad) + 7).number_format = "0.00%"
    ws.append([*pad, "新建楼堂馆所面积（㎡）", None, None, None, 1180])
    ws.append([])
    ws.append([None] * (note - 1) + ["厉行节约保障措施", "已制定公务接待管理办法"])
    ws.append([None] * (note - 1) + ["审核人：", "李四"])


def write_base_only(path: Path, figures: BaseFigures, **base_layout) -> Path:
    wb = Workbook()
    wb.active.title = "基础数据表"
    write_base_sheet(wb.active, figures, **base_layout)
    wb.save(path)
    return path


def write_scoring_only(path: Path, unit: str, *, order: int = 1, rows=HUNAN_ROWS, **heading) -> Path:
    """F3 alone; ``heading``: :func:`write_scoring_sheet`'s ``heading`` and ``heading_merges``."""
    wb = Workbook()
    wb.active.title = "评分表"
    write_scoring_sheet(wb.active, unit, rows, order=order, **heading)
    wb.save(path)
    return path


def with_notes(path: Path) -> Path:
    """The department workbook at ``path`` with the unit's notes between its blocks, and an amount row
    whose name starts as a note does (注册登记费), which is no note."""
    workbook = openpyxl.load_workbook(path)
    base = workbook["基础数据表"]
    procurement = next(row for row in range(1, base.max_row + 1) if base.cell(row, 1).value == "政府采购金额")
    base.insert_rows(procurement + 1, 2)
    base.cell(procurement + 1, 1, "注：政府采购金额含服务类采购。")
    for col, value in enumerate(("注册登记费", 1.2, 1.5, 1.4), start=1):
        base.cell(procurement + 2, col, value)
    base.insert_rows(5)  # between the head counts and 经费控制情况
    base.cell(5, 1, "说明：")
    base.cell(5, 2, "编制数为年末核定数。")
    base.insert_rows(3)  # between 填报单位 and 财政供养人员情况
    base.cell(3, 1, "备注：本表由财务科填报。")
    table = workbook["指标评分表"]
    table.insert_rows(3)  # between 填报单位 and the table's header
    table.cell(3, 1, "说明：自评得分保留一位小数。")
    for line in ("注：", "1、定性指标由单位自评；", "2、定量指标按基础数据表计算。", "单位负责人：王五"):
        table.cell(table.max_row + 1, 1, line)  # under 合计: a note, its numbered lines, the signature
    workbook.save(path)
    return path
