"""Write FILLED 项目支出绩效自评表 (form F1) workbooks from a Python description.

Tests and examples describe a project once and write it in any layout that
forms.md lists, with the variations real units produce: merged or repeated
一级/二级 cells, label synonyms, spaced labels and full-width brackets, blank
or note rows between blocks, a shifted table, cover and notes sheets, several
projects in one workbook, and .xls files.

    from formgen import Funds, Project, Row, write_form

    project = Project(
        name="城区道路养护项目", department="某市城市管理局", unit="某市市政设施维护中心",
        year=2023, funds=Funds(500, 520, 494),
        rows=[Row("产出指标", "数量指标", "道路养护面积", "≥120万平方米", "126万平方米", 10)],
    )
    write_form(tmp_path / "form.xlsx", project, layout="sichuan-2023")

Values are written exactly as given: a ``str`` becomes a text cell ("1,300次",
"—"), a number becomes a number cell, ``None`` leaves the cell empty and a
:class:`Formula` becomes a formula (with or without a cached value), an :class:`ErrorValue`
an error cell (#DIV/0!) in .xlsx and .xls alike.  The only
exception is the Sichuan layout, whose 指标值 / 实际完成值 columns hold bare
numbers: there "≥120000件" is split into 指标性质 "≥", 指标值 120000 and
度量单位 "件" (see :func:`split_quantity`).

The layouts are built on a small in-memory :class:`Grid` (cells + merges) that is
then rendered with openpyxl (.xlsx), xlsxwriter (.xlsx with cached formula
values) or xlwt (.xls).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Optional, Union

LAYOUTS = ("national-2020", "anhui-2022", "beijing-2016", "sichuan-2023")


@dataclass
class Formula:
    """A formula cell.  ``cached=None`` means "never calculated" (no cached value)."""

    expr: str
    cached: Union[int, float, Decimal, str, None] = None


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding an error value (``"#DIV/0!"``, ``"#N/A"``) as a spreadsheet stores one, not as text:
    an error cell in .xlsx (t="e"), a BOOLERR record in .xls (what Excel writes for a typed #N/A)."""

    text: str


#: BIFF's error codes (xlwt's own table spells #N/A "#N/A!" and gives #NUM! the code of #VALUE!).
_XLS_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D,
                    "#NUM!": 0x24, "#N/A": 0x2A}

Value = Union[str, int, float, Decimal, Formula, ErrorValue, None]


# --------------------------------------------------------------------------
# The description of a project
# --------------------------------------------------------------------------


@dataclass
class Row:
    """One 三级指标 row.  ``target`` / ``actual`` are written as given."""

    level1: str
    level2: str
    name: str
    target: Value
    actual: Value
    weight: Value
    self_score: Value = None
    reason: str = ""
    nature: Optional[str] = None  # Sichuan 指标性质 ("≥", "≤", "=", "定性"); derived from target when None
    unit: Optional[str] = None  # Sichuan 度量单位; derived from target when None


@dataclass
class FundRow:
    """A sub-row of the 项目资金 block: kind is "fiscal", "carryover" or "other"."""

    kind: str
    year_start: Value = 0
    full_year: Value = 0
    executed: Value = 0


@dataclass
class Funds:
    """The 项目资金 block (万元).

    ``sub_rows=None`` writes the layout's usual sub-rows: 财政拨款 holding the
    same money as the total, 上年结转 / 其他资金 at 0.  ``total_row`` is
    "filled", "zero" (the Anhui habit: 0 on 年度资金总额, money in the
    sub-rows) or "blank".
    """

    year_start: Value
    full_year: Value
    executed: Value
    sub_rows: Optional[list[FundRow]] = None
    total_row: str = "filled"


@dataclass
class Project:
    name: str
    department: str
    unit: str
    year: int
    funds: Funds
    rows: list[Row]
    exec_weight: Value = 10
    exec_self_score: Value = None
    self_total: Value = None  # None: the sum of the self-scores written (blank if there are none); "" forces blank
    goal_expected: str = "按计划完成年度工作任务"
    goal_actual: str = "已按计划完成"
    sheet_name: Optional[str] = None
    exec_reason: str = ""  # Sichuan: 未完成原因分析 of the execution, on the 资金总额 row


# --------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------

# Field → spellings seen in real forms (forms.md).  label_variant=k picks the
# k-th spelling (modulo the number of spellings); 0 is the layout's own.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "department": ("主管部门", "市级主管部门", "区级主管部门"),
    "unit": ("实施单位", "项目实施单位"),
    "year_start": ("年初预算数", "年初预算"),
    "full_year": ("全年预算数", "调整后预算数"),
    "executed": ("全年执行数", "预算执行数", "实际支出数"),
    "total": ("年度资金总额", "资金总额"),
    "fiscal": ("其中：当年财政拨款", "其中：本年财政拨款", "其中：财政资金"),
    "carryover": ("上年结转资金", "上年结转"),
    "other": ("其他资金", "单位资金"),
    "target": ("年度指标值", "指标值", "目标值"),
    "actual": ("实际完成值", "全年实际值", "实际值"),
    "weight": ("分值", "权重"),
    "score": ("得分", "自评得分"),
    "reason": ("偏差原因分析及改进措施", "未完成原因分析", "偏差原因"),
    "measure": ("度量单位", "计量单位"),
}

# What each layout writes with label_variant=0.
LAYOUT_LABELS: dict[str, dict[str, str]] = {
    "national-2020": {},
    "anhui-2022": {"fiscal": "其中：本年财政拨款"},
    "beijing-2016": {
        "year_start": "年初预算数(A)",
        "executed": "全年执行数(B)",
        "fiscal": "其中：财政拨款",
        "target": "年度指标值(A)",
        "actual": "全年实际值(B)",
        "reason": "未完成原因分析",
    },
    "sichuan-2023": {
        "year_start": "年初预算",
        "full_year": "调整后预算数",
        "executed": "预算执行数",
        "total": "资金总额",
        "fiscal": "财政资金",
        "target": "指标值",
        "weight": "权重",
        "reason": "未完成原因分析",
    },
}

# Suffixes a layout keeps whatever synonym is chosen.
_LAYOUT_SUFFIXES: dict[str, dict[str, str]] = {
    "beijing-2016": {"year_start": "(A)", "executed": "(B)", "target": "(A)", "actual": "(B)"},
}


def resolve_labels(layout: str, variant: int = 0, spaced: bool = False,
                   overrides: Optional[dict[str, str]] = None) -> dict[str, str]:
    """The label written for every field, after variant, spacing and overrides."""
    labels = {key: spellings[0] for key, spellings in SYNONYMS.items()}
    if variant:
        labels = {key: spellings[variant % len(spellings)] for key, spellings in SYNONYMS.items()}
        for key, suffix in _LAYOUT_SUFFIXES.get(layout, {}).items():
            labels[key] += suffix
    else:
        labels.update(LAYOUT_LABELS[layout])
    labels.update(overrides or {})
    if spaced:
        labels = {key: spaced_label(text) for key, text in labels.items()}
        if layout in ("national-2020", "anhui-2022"):
            for key in ("year_start", "full_year", "executed"):
                labels[key] += "（万元）"
    return labels


def spaced_label(text: str) -> str:
    """"项目名称" → "项 目 名 称"; ASCII brackets and colons become full-width."""
    text = text.replace("(", "（").replace(")", "）").replace(":", "：")
    if 2 <= len(text) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text):
        return " ".join(text)
    return text


# --------------------------------------------------------------------------
# Grid: cells and merges, independent of the file format
# --------------------------------------------------------------------------


@dataclass
class Grid:
    """A sheet being laid out.  Rows are appended; columns are 0-based."""

    ncols: int
    cells: dict[tuple[int, int], Value] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bold: set[tuple[int, int]] = field(default_factory=set)
    title_cells: set[tuple[int, int]] = field(default_factory=set)
    table_top: int = 0  # first bordered row
    next_row: int = 0

    def line(self, values: dict[int, Value], spans: Optional[dict[int, int]] = None,
             bold: tuple[int, ...] = ()) -> int:
        """Append a row: ``values`` col → value, ``spans`` col → last merged col."""
        r = self.next_row
        for c, v in values.items():
            if v is not None and v != "":
                self.cells[(r, c)] = v
        for c, last in (spans or {}).items():
            self.merges.append((r, c, r, last))
        self.bold.update((r, c) for c in bold)
        self.next_row += 1
        return r

    def merge_down(self, col: int, first: int, last: int) -> None:
        if last > first:
            self.merges.append((first, col, last, col))

    def title(self, *lines: str) -> None:
        for i, text in enumerate(lines):
            r = self.line({0: text}, {0: self.ncols - 1})
            if i == 0:
                self.title_cells.add((r, 0))
        self.table_top = self.next_row


@dataclass
class Heading:
    """The heading area as a clerk wrote it, in place of the layout's 项目名称 and 主管部门 / 实施单位 rows:
    ``rows`` of cell values from column A (None: blank), ``merges`` as (first row, first col, last row,
    last col) counted from the heading's first row and column A."""

    rows: list[list[Value]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class _Options:
    layout: str
    labels: dict[str, str]
    levels: str
    gap_rows: int
    note: Optional[str]
    heading: Optional[Heading] = None


def _gap(g: Grid, o: _Options) -> None:
    """Blank rows and/or a note row between two blocks, as units insert them."""
    g.next_row += o.gap_rows
    if o.note:
        g.line({0: o.note}, {0: g.ncols - 1})


def _level_cells(rows: list[Row], levels: str, level1_text) -> list[tuple[Value, Value]]:
    """The (一级, 二级) values to write on each row: every row, or only where they change."""
    out = []
    prev = (None, None)
    for row in rows:
        l1 = level1_text(row.level1)
        l2 = row.level2
        if levels == "repeated":
            out.append((l1, l2))
        else:  # "merged" and "blank" write a value only where it changes
            same1 = row.level1 == prev[0]
            same2 = same1 and row.level2 == prev[1]
            out.append((None if same1 else l1, None if same2 else l2))
        prev = (row.level1, row.level2)
    return out


def _runs(keys: list) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal consecutive keys."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i - 1))
            start = i
    return runs


def _write_indicator_rows(g: Grid, p: Project, o: _Options, cols: dict[str, int],
                          cells_for_row) -> tuple[int, int]:
    """Write the indicator rows; merge 一级/二级 when levels == "merged"."""
    level1_text = _level1_text(p, o.layout)
    level_values = _level_cells(p.rows, o.levels, level1_text)
    first = g.next_row
    for row, (l1, l2) in zip(p.rows, level_values):
        values = {cols["level1"]: l1, cols["level2"]: l2}
        values.update(cells_for_row(row))
        g.line(values)
    last = g.next_row - 1
    if o.levels == "merged":
        for a, b in _runs([r.level1 for r in p.rows]):
            g.merge_down(cols["level1"], first + a, first + b)
        for a, b in _runs([(r.level1, r.level2) for r in p.rows]):
            g.merge_down(cols["level2"], first + a, first + b)
    return first, last


def _level1_text(p: Project, layout: str):
    """Anhui writes the level's weight into the 一级 label: "产出指标(50分)"."""
    if layout != "anhui-2022":
        return lambda name: name
    sums: dict[str, Decimal] = {}
    for row in p.rows:
        sums[row.level1] = sums.get(row.level1, Decimal(0)) + _number(row.weight, Decimal(0))
    return lambda name: f"{name}({_plain(sums[name])}分)"


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------


def _number(value: Value, default=None) -> Optional[Decimal]:
    if isinstance(value, Formula):
        value = value.cached
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return default


def _plain(number: Decimal) -> Union[int, float]:
    """A Decimal as the int or float a spreadsheet cell holds."""
    return int(number) if number == number.to_integral_value() else float(number)


def _self_total(p: Project) -> Value:
    if p.self_total is not None:
        return p.self_total
    scores = [_number(v) for v in [p.exec_self_score] + [r.self_score for r in p.rows]]
    scores = [s for s in scores if s is not None]
    return _plain(sum(scores)) if scores else None


def _weight_total(p: Project) -> Value:
    weights = [_number(v) for v in [p.exec_weight] + [r.weight for r in p.rows]]
    return _plain(sum(w for w in weights if w is not None))


_QUANTITY = re.compile(r"^\s*(≥|≤|>=|<=|＞＝|＜＝|>|<|＞|＜|=|＝|不低于|不少于|不高于|不超过)?\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(.*?)\s*$")
_DATE_UNIT = re.compile(r"[前底后]$|季度|[0-9]")  # "12月31日前" is a date, not 12 of "月31日前"
_OPERATORS = {">=": "≥", "<=": "≤", "不低于": "≥", "不少于": "≥", "不高于": "≤", "不超过": "≤", "＞＝": "≥", "＜＝": "≤", "＞": ">", "＜": "<", "＝": "="}


def split_quantity(text: Value) -> Optional[tuple[Optional[str], Union[int, float], str]]:
    """"≥120000件" → ("≥", 120000, "件"); None when the text is not a plain quantity."""
    if not isinstance(text, str):
        return None
    m = _QUANTITY.match(text)
    if not m or _DATE_UNIT.search(m.group(3)):
        return None
    op = _OPERATORS.get(m.group(1), m.group(1))
    return op, _plain(Decimal(m.group(2).replace(",", ""))), m.group(3)


def _sichuan_indicator(row: Row) -> tuple[Value, Value, Value, Value]:
    """(指标性质, 指标值, 度量单位, 实际完成值) for a Sichuan row."""
    target, actual = row.target, row.actual
    parts = split_quantity(target)
    if row.nature is not None:
        nature, unit = row.nature, row.unit or (parts[2] if parts else None)
        value = parts[1] if parts else target
    elif parts:
        nature, value, unit = parts[0] or "≥", parts[1], row.unit or parts[2]
    elif isinstance(target, (int, float, Decimal)):
        nature, value, unit = "≥", target, row.unit
    else:
        nature, value, unit = "定性", target, row.unit
    got = split_quantity(actual)
    if nature != "定性" and got and got[0] is None and got[2] in ("", unit):
        actual = got[1]
    return nature, value, unit, actual


def _rate(executed: Value, budget: Value) -> Value:
    e, b = _number(executed), _number(budget)
    if e is None or b is None or b == 0:
        return None
    return round(float(e / b), 4)


# --------------------------------------------------------------------------
# Fund blocks
# --------------------------------------------------------------------------


def _fund_rows(funds: Funds, kinds: tuple[str, ...]) -> list[FundRow]:
    if funds.sub_rows is not None:
        return funds.sub_rows
    money = [v.cached if isinstance(v, Formula) else v for v in (funds.year_start, funds.full_year, funds.executed)]
    return [FundRow("fiscal", *money)] + [FundRow(kind) for kind in kinds[1:]]


def _total_money(funds: Funds) -> tuple[Value, Value, Value]:
    if funds.total_row == "zero":
        return 0, 0, 0
    if funds.total_row == "blank":
        return None, None, None
    return funds.year_start, funds.full_year, funds.executed


# --------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------


def _header(g: Grid, p: Project, o: _Options, dept_span: tuple[int, int], unit_col: int) -> None:
    """项目名称 row and 主管部门 / 实施单位 row, or the clerk's :class:`Heading`."""
    if o.heading is not None:
        first = g.next_row
        for values in o.heading.rows:
            g.line(dict(enumerate(values)))
        g.merges.extend((first + r1, c1, first + r2, c2) for r1, c1, r2, c2 in o.heading.merges)
        return
    L, last = o.labels, g.ncols - 1
    g.line({0: L["name"], 1: p.name}, {1: last})
    g.line({0: L["department"], dept_span[0]: p.department, unit_col: L["unit"], unit_col + 1: p.unit},
           {dept_span[0]: dept_span[1], unit_col + 1: last})


def _national(p: Project, o: _Options) -> Grid:
    """财预〔2020〕10号 附件1, also the Anhui 2022 variant (9 columns A–I)."""
    L, g = o.labels, Grid(ncols=9)
    g.title("项目支出绩效自评表", f"（{p.year}年度）")
    _header(g, p, o, dept_span=(1, 3), unit_col=4)
    _gap(g, o)

    first = g.line({0: "项目资金（万元）", 2: L["year_start"], 3: L["full_year"], 4: L["executed"],
                    5: L["weight"], 6: "执行率", 7: L["score"]})
    ys, fy, ex = _total_money(p.funds)
    g.line({1: L["total"], 2: ys, 3: fy, 4: ex, 5: p.exec_weight, 6: None, 7: p.exec_self_score})
    for fund in _fund_rows(p.funds, ("fiscal", "carryover", "other")):
        g.line({1: L[fund.kind], 2: fund.year_start, 3: fund.full_year, 4: fund.executed, 5: "—", 7: "—"})
    g.merge_down(0, first, g.next_row - 1)
    _gap(g, o)

    r = g.line({0: "年度总体目标", 1: "预期目标", 5: "实际完成情况"}, {1: 4, 5: 8})
    g.line({1: p.goal_expected, 5: p.goal_actual}, {1: 4, 5: 8})
    g.merge_down(0, r, r + 1)
    _gap(g, o)

    header = g.line({0: "绩效指标", 1: "一级指标", 2: "二级指标", 3: "三级指标", 4: L["target"],
                     5: L["actual"], 6: L["weight"], 7: L["score"], 8: L["reason"]})
    cols = {"level1": 1, "level2": 2}
    _, last = _write_indicator_rows(g, p, o, cols, lambda row: {
        3: row.name, 4: row.target, 5: row.actual, 6: row.weight, 7: row.self_score, 8: row.reason})
    g.merge_down(0, header, last)
    g.line({0: "总分", 6: _weight_total(p), 7: _self_total(p)}, {0: 5})
    return g


def _beijing(p: Project, o: _Options) -> Grid:
    """Pre-2020 form: no 全年预算数 column, 得分计算方法 columns (9 columns A–I)."""
    L, g = o.labels, Grid(ncols=9)
    g.title("项目支出绩效自评表", f"（{p.year}年度）")
    _header(g, p, o, dept_span=(1, 3), unit_col=4)
    _gap(g, o)

    first = g.line({0: "项目资金（万元）", 2: L["year_start"], 3: L["executed"],
                    4: f"{L['weight']}({_plain(_number(p.exec_weight, Decimal(0)))}分)",
                    5: "执行率(B/A)", 6: L["score"], 7: "得分计算方法"})
    ys, _, ex = _total_money(p.funds)
    g.line({1: L["total"], 2: ys, 3: ex, 4: p.exec_weight, 6: p.exec_self_score,
            7: "执行率*该指标分值，最高不得超过分值上限"})
    for fund in _fund_rows(p.funds, ("fiscal",)):
        g.line({1: L[fund.kind], 2: fund.year_start, 3: fund.executed})
    g.merge_down(0, first, g.next_row - 1)
    _gap(g, o)

    r = g.line({0: "年度总体目标", 1: "预期目标", 4: "目标实际完成情况"}, {1: 3, 4: 8})
    g.line({1: p.goal_expected, 4: p.goal_actual}, {1: 3, 4: 8})
    g.merge_down(0, r, r + 1)
    _gap(g, o)

    g.line({0: "一级指标", 1: "二级指标", 2: "三级指标", 3: L["weight"], 4: L["target"], 5: L["actual"],
            6: "得分计算方法", 7: L["score"], 8: L["reason"]})
    cols = {"level1": 0, "level2": 1}
    _write_indicator_rows(g, p, o, cols, lambda row: {
        2: row.name, 3: row.weight, 4: row.target, 5: row.actual, 6: _method_text(row),
        7: row.self_score, 8: row.reason})
    g.line({0: "总分", 3: _weight_total(p), 7: _self_total(p)}, {0: 2})
    return g


def _method_text(row: Row) -> str:
    target = str(row.target or "")
    if split_quantity(target) is None and not target.startswith(("不低于", "不高于", "不超过")):
        return "定性指标按完成程度评分"
    if target.startswith(("≤", "<", "不高于", "不超过")):
        return "A/B×分值"
    return "B/A×分值"


def _sichuan(p: Project, o: _Options) -> Grid:
    """Sichuan 2023: 预算执行情况 block and 指标性质 / 度量单位 columns (11 columns A–K)."""
    L, g = o.labels, Grid(ncols=11)
    g.title(f"部门预算项目支出绩效自评表（{p.year}年度）")
    _header(g, p, o, dept_span=(1, 4), unit_col=5)
    _gap(g, o)

    exec_w = _number(p.exec_weight, Decimal(0))
    first = g.line({0: f"预算执行情况({_plain(exec_w)}分)", 1: "资金来源", 2: L["year_start"],
                    3: L["full_year"], 4: L["executed"], 5: "预算执行率", 6: L["weight"], 7: L["score"],
                    8: L["reason"]})
    ys, fy, ex = _total_money(p.funds)
    g.line({1: L["total"], 2: ys, 3: fy, 4: ex, 5: _rate(ex, fy), 6: p.exec_weight, 7: p.exec_self_score,
            8: p.exec_reason or None})
    for fund in _fund_rows(p.funds, ("fiscal", "carryover", "other")):
        g.line({1: L[fund.kind], 2: fund.year_start, 3: fund.full_year, 4: fund.executed})
    g.merge_down(0, first, g.next_row - 1)
    _gap(g, o)

    indicator_w = sum(_number(r.weight, Decimal(0)) for r in p.rows)
    header = g.line({0: f"绩效指标({_plain(indicator_w)}分)", 1: "一级指标", 2: "二级指标", 3: "三级指标",
                     4: "指标性质", 5: L["target"], 6: L["measure"], 7: L["actual"], 8: L["weight"],
                     9: L["score"], 10: L["reason"]})

    def cells(row: Row) -> dict[int, Value]:
        nature, value, unit, actual = _sichuan_indicator(row)
        return {3: row.name, 4: nature, 5: value, 6: unit, 7: actual, 8: row.weight,
                9: row.self_score, 10: row.reason}

    _, last = _write_indicator_rows(g, p, o, {"level1": 1, "level2": 2}, cells)
    g.merge_down(0, header, last)
    g.line({0: "总分", 8: _weight_total(p), 9: _self_total(p)}, {0: 7})
    return g


_BUILDERS = {"national-2020": _national, "anhui-2022": _national,
             "beijing-2016": _beijing, "sichuan-2023": _sichuan}
_DEFAULT_LEVELS = {"national-2020": "merged", "anhui-2022": "merged",
                   "beijing-2016": "merged", "sichuan-2023": "repeated"}


def build_grid(project: Project, layout: str = "national-2020", *, levels: Optional[str] = None,
               label_variant: int = 0, spaced_labels: bool = False,
               labels: Optional[dict[str, str]] = None, gap_rows: int = 0,
               note: Optional[str] = None, heading: Optional[Heading] = None) -> Grid:
    """Lay out one project sheet without writing a file."""
    if layout not in _BUILDERS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    levels = levels or _DEFAULT_LEVELS[layout]
    if levels not in ("merged", "repeated", "blank"):
        raise ValueError(f"levels must be merged, repeated or blank, not {levels!r}")
    options = _Options(layout, resolve_labels(layout, label_variant, spaced_labels, labels),
                       levels, gap_rows, note, heading)
    return _BUILDERS[layout](project, options)


# --------------------------------------------------------------------------
# Cover and notes sheets
# --------------------------------------------------------------------------


def cover_grid(projects: list[Project]) -> Grid:
    first = projects[0]
    g = Grid(ncols=6)
    g.next_row = 3
    g.title(f"{first.year}年度项目支出绩效自评材料")
    g.table_top = 10**6  # no borders on a cover
    g.next_row += 2
    for text in (f"填报单位：{first.department}",
                 f"自评项目：{'、'.join(p.name for p in projects)}（共{len(projects)}个）",
                 f"报送日期：{first.year + 1}年3月15日",
                 "联 系 人：王晓琳　　联系电话：0731-8456××××"):
        g.line({0: text}, {0: 5})
    return g


def notes_grid() -> Grid:
    g = Grid(ncols=6)
    g.title("填报说明")
    g.table_top = 10**6
    for text in ("1. 项目名称应与预算批复的项目名称一致，金额单位为万元。",
                 "2. 年初预算数填写年初人代会批复数，全年预算数填写调整后的预算数。",
                 "3. 年度指标值应与批复的绩效目标一致，实际完成值须有佐证材料。",
                 "4. 得分未满分的指标，须在偏差原因分析及改进措施栏说明原因。",
                 "5. 定性指标按“达成年度指标”“部分达成”“未达成”三档评分。"):
        g.line({0: text}, {0: 5})
    return g


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(project: Project, index: int, single: bool) -> str:
    if project.sheet_name:
        return project.sheet_name
    if single:
        return "自评表"
    return _INVALID_SHEET_CHARS.sub("", project.name)[:31] or f"项目{index + 1}"


def _shifted(grid: Grid, rows: int, cols: int) -> Grid:
    """The same grid moved down ``rows`` and right ``cols``."""
    if not rows and not cols:
        return grid
    return Grid(
        ncols=grid.ncols + cols,
        cells={(r + rows, c + cols): v for (r, c), v in grid.cells.items()},
        merges=[(r1 + rows, c1 + cols, r2 + rows, c2 + cols) for r1, c1, r2, c2 in grid.merges],
        bold={(r + rows, c + cols) for r, c in grid.bold},
        title_cells={(r + rows, c + cols) for r, c in grid.title_cells},
        table_top=grid.table_top + rows,
        next_row=grid.next_row + rows,
    )


def _table_cells(grid: Grid, col_offset: int):
    """Every (row, col) that gets a border: the table below the title."""
    for r in range(grid.table_top, grid.next_row):
        for c in range(col_offset, grid.ncols):
            yield r, c


def _plain_value(value: Value) -> Value:
    return float(value) if isinstance(value, Decimal) else value


def _number_format(value: Value, number_formats: dict) -> Optional[str]:
    """The number format asked for the cells holding ``value`` (a formula: its cached value)."""
    if isinstance(value, Formula):
        value = value.cached
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number_formats.get(_plain_value(value))
    return None


def _render_openpyxl(path: Path, sheets: list[tuple[str, Grid, int]], number_formats: dict) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, grid, col_offset in sheets:
        ws = wb.create_sheet(name)
        for r, c in _table_cells(grid, col_offset):
            cell = ws.cell(row=r + 1, column=c + 1)
            cell.border, cell.alignment = border, centre
        for (r, c), value in grid.cells.items():
            cell = ws.cell(row=r + 1, column=c + 1)
            if isinstance(value, ErrorValue):
                cell.value, cell.data_type = value.text, "e"
            else:
                cell.value = value.expr if isinstance(value, Formula) else _plain_value(value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=100%" is a target, not a formula
            cell.alignment = centre
            number_format = _number_format(value, number_formats)
            if number_format:
                cell.number_format = number_format
            if (r, c) in grid.title_cells:
                cell.font = Font(bold=True, size=16)
            elif (r, c) in grid.bold:
                cell.font = Font(bold=True)
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for c in range(grid.ncols):
            ws.column_dimensions[_column_letter(c)].width = 12 if c == col_offset else 15
    wb.save(path)


def _render_xlsxwriter(path: Path, sheets: list[tuple[str, Grid, int]], number_formats: dict) -> None:
    """Used when a formula carries a cached value (openpyxl cannot write one)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    plain = wb.add_format({"align": "center", "valign": "vcenter", "text_wrap": True})
    boxed = wb.add_format({"align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    title = wb.add_format({"align": "center", "valign": "vcenter", "bold": True, "font_size": 16})
    numbered = {num_format: wb.add_format({"align": "center", "valign": "vcenter", "text_wrap": True, "border": 1,
                                           "num_format": num_format})
                for num_format in set(number_formats.values())}
    for name, grid, col_offset in sheets:
        ws = wb.add_worksheet(name)
        covered = {(r, c) for r1, c1, r2, c2 in grid.merges
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}

        def fmt(r, c):
            if (r, c) in grid.title_cells:
                return title
            number_format = _number_format(grid.cells.get((r, c)), number_formats)
            if number_format:
                return numbered[number_format]
            return boxed if r >= grid.table_top and c >= col_offset else plain

        for r, c in _table_cells(grid, col_offset):
            if (r, c) not in grid.cells and (r, c) not in covered:
                ws.write_blank(r, c, None, boxed)
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_range(r1, c1, r2, c2, "", fmt(r1, c1))
        for (r, c), value in grid.cells.items():
            if isinstance(value, Formula):
                ws.write_formula(r, c, value.expr, fmt(r, c), _plain_value(value.cached))
            elif isinstance(value, str):
                ws.write_string(r, c, value, fmt(r, c))  # "=100%" is a target, not a formula
            else:
                ws.write(r, c, _plain_value(value), fmt(r, c))
        ws.set_column(0, grid.ncols - 1, 15)
    wb.close()


def _render_xlwt(path: Path, sheets: list[tuple[str, Grid, int]], number_formats: dict) -> None:
    import xlwt

    box = "align: horiz center, vert center, wrap on; borders: left thin, right thin, top thin, bottom thin"
    boxed = xlwt.easyxf(box)
    numbered = {num_format: xlwt.easyxf(box, num_format_str=num_format) for num_format in set(number_formats.values())}
    plain = xlwt.easyxf("align: horiz center, vert center, wrap on")
    title = xlwt.easyxf("font: bold on, height 320; align: horiz center, vert center")
    wb = xlwt.Workbook(encoding="utf-8")
    for name, grid, col_offset in sheets:
        ws = wb.add_sheet(name)
        covered = {(r, c) for r1, c1, r2, c2 in grid.merges
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                   if (r, c) != (r1, c1)}

        def fmt(r, c):
            if (r, c) in grid.title_cells:
                return title
            number_format = _number_format(grid.cells.get((r, c)), number_formats)
            if number_format:
                return numbered[number_format]
            return boxed if r >= grid.table_top and c >= col_offset else plain

        for r1, c1, r2, c2 in grid.merges:
            ws.merge(r1, r2, c1, c2, fmt(r1, c1))
        for (r, c), value in grid.cells.items():
            if isinstance(value, Formula):
                raise ValueError("formulas are not supported in .xls output")
            if isinstance(value, ErrorValue):
                ws.row(r).set_cell_error(c, _XLS_ERROR_CODES[value.text], fmt(r, c))
            elif (r, c) not in covered:
                ws.write(r, c, _plain_value(value), fmt(r, c))
        for c in range(grid.ncols):
            ws.col(c).width = 256 * 15
    wb.save(str(path))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _formula_kinds(sheets: list[tuple[str, Grid, int]]) -> set[bool]:
    """{True} if every formula has a cached value, {False} if none has, both if mixed."""
    return {v.cached is not None for _, g, _ in sheets for v in g.cells.values() if isinstance(v, Formula)}


# --------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------


def write_form(path: Union[str, Path], projects: Union[Project, list[Project]],
               layout: str = "national-2020", *, levels: Optional[str] = None,
               cover_sheet: bool = False, notes_sheet: bool = False,
               extra_rows_above: int = 0, col_offset: int = 0, gap_rows: int = 0,
               note: Optional[str] = None, label_variant: int = 0, spaced_labels: bool = False,
               labels: Optional[dict[str, str]] = None,
               number_formats: Optional[dict[Union[int, float], str]] = None,
               heading: Optional[Heading] = None) -> Path:
    """Write a filled F1 workbook, one project per sheet, and return its path.

    layout          "national-2020", "anhui-2022", "beijing-2016" or "sichuan-2023"
    levels          一级/二级 cells: "merged" (default; Sichuan: "repeated"),
                    "repeated" on every row, or "blank" below the first row of a run
    cover_sheet     a 封面 sheet first (title and a few lines of text)
    notes_sheet     a 填报说明 sheet last
    extra_rows_above  blank rows above the title
    col_offset      blank columns left of the table
    gap_rows, note  blank rows / a note row inserted between the blocks
    label_variant   0: the layout's own labels; 1, 2: synonyms from forms.md
    spaced_labels   "项 目 名 称", full-width brackets, "年初预算数（万元）"
    labels          explicit field → label overrides (see SYNONYMS for the fields)
    number_formats  number → Excel number format of every cell holding it, e.g.
                    {1.05: "0%"}: the unit typed 105% (a formula: its cached value)
    heading         a :class:`Heading` written in place of the 项目名称 and
                    主管部门 / 实施单位 rows (labels and values as a clerk placed them)

    A path ending in .xls is written with xlwt; .xlsx with openpyxl, or with
    xlsxwriter when a Formula carries a cached value.
    """
    path = Path(path)
    projects = [projects] if isinstance(projects, Project) else list(projects)
    single = len(projects) == 1 and not cover_sheet and not notes_sheet
    sheets = []
    if cover_sheet:
        sheets.append(("封面", cover_grid(projects), 0))
    for i, project in enumerate(projects):
        name = _sheet_name(project, i, single)
        if name in {sheet[0] for sheet in sheets}:
            name = f"{name[:28]}({i + 1})"
        grid = build_grid(project, layout, levels=levels, label_variant=label_variant,
                          spaced_labels=spaced_labels, labels=labels, gap_rows=gap_rows, note=note,
                          heading=heading)
        sheets.append((name, _shifted(grid, extra_rows_above, col_offset), col_offset))
    if notes_sheet:
        sheets.append(("填报说明", notes_grid(), 0))

    path.parent.mkdir(parents=True, exist_ok=True)
    kinds = _formula_kinds(sheets)
    number_formats = number_formats or {}
    if path.suffix.lower() == ".xls":
        _render_xlwt(path, sheets, number_formats)
    elif kinds == {True, False}:
        raise ValueError("mixing formulas with and without cached values is not supported")
    elif kinds == {True}:
        _render_xlsxwriter(path, sheets, number_formats)
    else:
        _render_openpyxl(path, sheets, number_formats)
    return path
