"""Plain data classes that flow read → score → write.

Readers produce :class:`ProjectForm` objects; the rules engine turns them into
:class:`FormResult` objects; writers only render those.  Nothing here holds an
openpyxl or calamine object, so every class pickles across worker processes.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import pandas


#: The name of each form kind, as officers call it.
FORM_NAMES = {"project": "项目支出绩效自评表", "department": "部门整体支出绩效评价表"}


@dataclass(frozen=True)
class Source:
    """Where a value came from: a sheet and an A1 cell reference."""

    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


_new_object = object.__new__
_set_dict = object.__setattr__  # Why: the classes are frozen, their own __setattr__ raises


def filled_at_once(cls):
    """``cls``, a frozen dataclass declared with ``init=False``, given an ``__init__`` that fills the
    instance's dict in one assignment, its parameters the fields in order with their defaults.

    Why: a frozen dataclass's own ``__init__`` sets each field through ``object.__setattr__``, and
    the classes made by the thousand in the hot paths (a Flag: the rules flag ~26 findings a form;
    a worker's FileOutcome per file) cost thousands of instructions more each that way.  The
    dict is one of its own, as :func:`new_source` makes it (see the note above it).
    """
    declared = fields(cls)
    if any(f.default is MISSING and f.default_factory is not MISSING for f in declared):
        raise TypeError(f"{cls.__name__}: a field with a default_factory cannot be filled at once")
    namespace = {f"_{f.name}_default": f.default for f in declared if f.default is not MISSING}
    namespace["_set_dict"] = _set_dict
    parameters = ", ".join(f.name if f.default is MISSING else f"{f.name}=_{f.name}_default" for f in declared)
    values = ", ".join(f"{f.name!r}: {f.name}" for f in declared)
    exec(f"def __init__(self, {parameters}):\n    _set_dict(self, '__dict__', {{{values}}})\n", namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls


@filled_at_once
@dataclass(frozen=True, init=False)
class Flag:
    """A finding an officer should look at.

    ``level`` is ``"error"`` (the item could not be scored as written) or
    ``"warning"`` (scored, but worth a look).  ``message`` is Chinese text.
    """

    message: str
    source: Optional[Source] = None
    level: str = "warning"
    action: str = ""  # what the unit must do about it, when there is something to do

    def __str__(self) -> str:
        ending = flag_ending(self.action, self.source.cell if self.source else None)
        return f"{self.message}{ending}" if ending else self.message


def flag_ending(action: str, cell: Optional[str]) -> str:
    """What ``str(flag)`` writes after a flag's message: "，action" when it has an action, "（cell）" when
    it has a cell (the summary's JSON writer escapes it once per action and cell)."""
    # One f-string per case, not two texts concatenated: a flag's text is made for every flag of
    # every scored form's 问题提示 (−9 M instructions on a cold pass over 300 workbooks).
    if cell is None:
        return f"，{action}" if action else ""
    return f"，{action}（{cell}）" if action else f"（{cell}）"


@dataclass(frozen=True)
class ParsedValue:
    """A target or actual cell parsed per scoring.md §1.

    ``operator`` is one of ``">=" "<=" ">" "<" "="`` or None (no operator in
    the text).  ``number`` is None for placeholders, blanks and qualitative
    text.  ``qualitative`` is True when the text carries no usable number (or
    only a date).
    """

    text: str
    operator: Optional[str] = None
    number: Optional[Decimal] = None
    unit: Optional[str] = None
    qualitative: bool = False
    missing: bool = False
    #: The operator / unit came from a 指标性质 / 度量单位 column, not from the text.
    operator_declared: bool = False
    unit_declared: bool = False


@dataclass
class FundLine:
    """One row of the 项目资金 block (年度资金总额, 财政拨款, 上年结转, 其他资金)."""

    label: str
    kind: str  # "total" | "fiscal" | "carryover" | "other"
    initial_budget: Optional[Decimal]
    budget: Optional[Decimal]  # 全年预算数 / 调整后预算数; None when the form has no such column
    executed: Optional[Decimal]
    source: Source  # the row's first money cell
    #: "initial_budget", "budget", "executed" → the cell each amount was read from (the columns the form has)
    cells: dict[str, Source] = field(default_factory=dict)


@dataclass
class Funds:
    """The 项目资金 block of a project form."""

    lines: list[FundLine]
    weight: Optional[Decimal]  # 分值 of the execution item as written on the form
    self_score: Optional[Decimal]
    has_full_year_budget: bool  # False on pre-2020 forms (no 全年预算数 column)
    source: Source  # the 年度资金总额 row (or the block header)
    weight_source: Optional[Source] = None
    score_source: Optional[Source] = None
    reason: str = ""  # 未完成原因分析 of the execution (Sichuan), as written on the 资金总额 row
    method: str = ""  # 得分计算方法 of the execution (Beijing 2016), as written on the 资金总额 row

    @property
    def total(self) -> Optional[FundLine]:
        return next((line for line in self.lines if line.kind == "total"), None)

    @property
    def full_year_budget_blank(self) -> bool:
        """Has the form a 全年预算数 column left blank on every row, beside a 年初预算数 filled in?
        Blank on some rows and 0 on the others counts so where a 年初预算数 holds money and some was
        spent: Anhui's 年度资金总额 row left at 0 over the one sub-row that spent the money, its
        全年预算数 blank, read "预算数为0而执行数为35.1" (an error, 0) where the form held a budget of 35."""
        if not self.has_full_year_budget or any(line.budget for line in self.lines):
            return False  # a 全年预算数 written (asked of every form, several times: the test stops there)
        budgets = [line.budget for line in self.lines]
        if all(budget is None for budget in budgets):
            return any(line.initial_budget is not None for line in self.lines)
        # Only where money was spent: "100 | 0 | 0" over blank sub-rows is a budget cut to nothing
        # and nothing spent (不适用), not a 全年预算数 left out.
        return (None in budgets and not any(budgets) and any(line.initial_budget for line in self.lines)
                and any(line.executed for line in self.lines))

    @property
    def budget_amount(self) -> str:
        """The name of the FundLine amount the execution rate is against: "budget" (全年预算数), or
        "initial_budget" (年初预算数) on a form without a 全年预算数 column or with one left blank
        (scoring.md §2: the rate was "预算数缺失", 0, where the budget stood on the form)."""
        return "initial_budget" if not self.has_full_year_budget or self.full_year_budget_blank else "budget"

    def total_cell(self, amount: str) -> Source:
        """The cell of the 年度资金总额 row holding ``amount`` ("initial_budget", "budget" or
        "executed"), where a finding about that amount points; the block's cell when there is none."""
        total = self.total
        return total.cells.get(amount, self.source) if total else self.source


@dataclass
class Indicator:
    """One 三级指标 row of the 绩效指标 table."""

    level1: str
    level2: str
    name: str
    target: ParsedValue
    actual: ParsedValue
    weight: Optional[Decimal]
    self_score: Optional[Decimal]
    reason: str
    source: Source  # the 三级指标 cell
    #: field name -> cell; read-only, and from the readers a mapping that makes each Source when
    #: asked (readers.cells.RowSources), still declared a dict for the store's codec
    cells: dict[str, Source] = field(default_factory=dict)
    declared_operator: Optional[str] = None  # from a 指标性质 column
    declared_unit: Optional[str] = None  # from a 度量单位 column
    flags: list[Flag] = field(default_factory=list)  # found while reading the row
    method: str = ""  # from a 得分计算方法 column (Beijing 2016): how the form says it is scored
    #: the row's other columns (备注, 指标解释, 评分标准 …) as "heading：text；…", carried to the scored form
    notes: str = ""


@dataclass
class ProjectForm:
    """A 项目支出绩效自评表 (form F1) as read from one sheet."""

    file: str
    sheet: str
    layout: str  # e.g. "national-2020", "pre-2020", "sichuan-2023"
    title: str = ""
    year: Optional[int] = None
    name: str = ""
    department: str = ""
    unit: str = ""
    goal_expected: str = ""
    goal_actual: str = ""
    funds: Optional[Funds] = None
    indicators: list[Indicator] = field(default_factory=list)
    self_total: Optional[Decimal] = None
    full_marks: Optional[Decimal] = None  # 分值 on the 总分 row
    flags: list[Flag] = field(default_factory=list)  # found while reading
    kind: str = "project"
    sources: dict[str, Source] = field(default_factory=dict)  # project-level field -> cell
    #: 一级指标 → the 分值 its label declares ("产出指标(50分)", Anhui), for the scored form to show
    level1_weights: dict[str, Decimal] = field(default_factory=dict)
    #: The lines under the table as the unit filled them in (单位负责人, 填表人, 联系电话 …), a row each,
    #: for the scored form to carry over: whom the officer calls about its 问题提示
    footer: list[str] = field(default_factory=list)
    #: The notes the unit wrote between the form's heading and its indicator table ("注：金额单位为万元"),
    #: a row each, carried over above the table as a department form's are
    notes: list[str] = field(default_factory=list)


@dataclass
class BaseAmounts:
    """One row of form F2 (部门整体支出绩效评价基础数据表), amounts in 万元."""

    label: str
    prior_final: Optional[Decimal]  # 上年决算数, e.g. "2018年决算数" on a 2019 form
    budget: Optional[Decimal]  # 本年预算数
    final: Optional[Decimal]  # 本年决算数
    source: Source  # the label cell
    #: "prior_final", "budget", "final" → the cell each amount was read from (where a finding points)
    cells: dict[str, Source] = field(default_factory=dict)

    def single(self) -> Optional[Decimal]:
        """The one amount of a row that holds only one (上年结转, 年末结余, 基本支出 …)."""
        column = self.single_column()
        return getattr(self, column) if column else None

    def single_column(self) -> Optional[str]:
        """The column :meth:`single` reads: "final", "budget" or "prior_final"; None when all are blank."""
        for column in ("final", "budget", "prior_final"):
            if getattr(self, column) is not None:
                return column
        return None

    def cell(self, column: Optional[str]) -> Source:
        """The cell of the amount in ``column``; the label cell when the form gave none."""
        return self.cells.get(column, self.source) if column else self.source


@dataclass
class BaseLine:
    """One line of form F2's amounts table as the unit wrote it, for the scored workbook to carry over
    (forms.md Outputs): a row the rules never read ("部门整体支出预算调整 | 年初预算 | 全年预算" and the
    figures under it), a name written twice, a "—" all keep their place."""

    label: str  # "" for a line of figures under a heading line
    #: "prior_final", "budget", "final" → the amount read in that column (converted to 万元)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    #: the same columns → what is written there when it is not an amount ("—", "年初预算")
    texts: dict[str, str] = field(default_factory=dict)
    #: a note the unit wrote among the lines ("注：政府采购金额含服务类采购。"), its whole text in ``label``
    note: bool = False
    #: What the unit wrote on the line in the sheet's other columns (a 备注, the three right-hand columns
    #: of a 楼堂馆所控制情况 block), by the input's column letter ("E"): a number, and anything else as
    #: written (a number in a percent cell as shown: "96%"), for the scored workbook to carry over
    extra_amounts: dict[str, Decimal] = field(default_factory=dict)
    extra_texts: dict[str, str] = field(default_factory=dict)
    #: a row with nothing in the label or amount columns but cells elsewhere (a block the reader does not
    #: know, right of the table), its cells' texts joined as they read across in ``label``
    text_row: bool = False


@dataclass
class BaseData:
    """Form F2: a department's staffing and spending figures for the year."""

    file: str
    sheet: str
    unit: str  # 填报单位
    year: Optional[int] = None
    staff_quota: Optional[Decimal] = None  # 编制数
    staff_actual: Optional[Decimal] = None  # 实际在职人数
    #: "quota", "actual" → a head count written as something other than a number ("十二"), as written
    staff_texts: dict[str, str] = field(default_factory=dict)
    rows: dict[str, BaseAmounts] = field(default_factory=dict)  # normalised row label → amounts
    sources: dict[str, Source] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    #: every line of the amounts table in form order, as written (empty when not read from a sheet)
    lines: list[BaseLine] = field(default_factory=list)
    #: The notes the unit wrote above the amounts table ("说明：编制数为年末核定数。"), a row each, by the
    #: block they stood above: "staff" (财政供养人员情况, or the top of the form) or "amounts"
    #: (经费控制情况), for the scored workbook to carry over where they were (forms.md Outputs)
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: The amounts heading row's text in each of the sheet's other columns ("备注"), by column letter
    #: as BaseLine.extra_texts: the headings of the lines' extra cells
    extra_headings: dict[str, str] = field(default_factory=dict)
    #: The staffing heading's cells beside 编制数 and 在职人数 (a 控制率 the unit worked out, 实有人数),
    #: by column letter, and what is written under them (``staff_extra``'s extra_amounts / extra_texts)
    staff_extra_headings: dict[str, str] = field(default_factory=dict)
    staff_extra: Optional[BaseLine] = None


@dataclass
class DepartmentRow:
    """One 三级指标 row of form F3 (部门整体支出绩效评价指标评分表)."""

    level1: str
    level2: str
    name: str
    weight: Optional[Decimal]  # the form's own 分值; overrides the rulebook's
    self_score: Optional[Decimal]
    standard: str  # 评价标准 / 评分标准
    note: str  # 指标说明 / 扣分原因和其他说明
    source: Source
    cells: dict[str, Source] = field(default_factory=dict)  # read-only, as Indicator.cells
    flags: list[Flag] = field(default_factory=list)
    level1_weight: Optional[Decimal] = None  # the 分值 beside the 一级指标, as written
    level2_weight: Optional[Decimal] = None  # the 分值 beside the 二级指标, as written


@dataclass
class DepartmentForm:
    """A department's overall expenditure evaluation: F3 scoring table paired with its F2 base data."""

    file: str
    sheet: str  # the F3 sheet
    unit: str  # 填报单位
    title: str = ""
    year: Optional[int] = None
    base: Optional[BaseData] = None
    rows: list[DepartmentRow] = field(default_factory=list)
    self_total: Optional[Decimal] = None
    full_marks: Optional[Decimal] = None
    flags: list[Flag] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    kind: str = "department"
    #: F2 sheets of the same workbook left unpaired (another 填报单位): sheet → its 填报单位.  Never
    #: paired by a guess, but named when the table has no F2, so the officer sees where it is.
    other_bases: dict[str, str] = field(default_factory=dict)
    #: The file, in another folder of the inbox, holding an F2 of the same 填报单位 that the table was
    #: not paired with (forms pair within a folder only); "" when there is none.
    base_elsewhere: str = ""
    #: "standard", "note" → the table's own label of that column ("评价标准", "扣分原因和其他说明")
    column_labels: dict[str, str] = field(default_factory=dict)
    #: The lines under the table (单位负责人, 填表人, 联系电话 …), as ProjectForm.footer, and the notes
    #: among them ("注：…", "说明：…" and its numbered lines), in their order
    footer: list[str] = field(default_factory=list)
    #: The notes the unit wrote between the form's heading and its table ("说明：…"), a row each
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.unit

    @property
    def department(self) -> str:
        return self.unit


@dataclass
class ItemScore:
    """The engine's verdict on one item (an indicator or the execution rate)."""

    level1: str
    level2: str
    name: str
    weight: Decimal
    score: Decimal  # rounded half-up to 2 places
    self_score: Optional[Decimal]
    basis: str  # 评分依据, e.g. "48/50×8=7.68"
    flags: list[Flag] = field(default_factory=list)
    source: Optional[Source] = None
    applicable: bool = True
    target: str = ""
    actual: str = ""
    reason: str = ""
    method: str = ""  # the form's own 得分计算方法 ("B/A×分值"), shown beside the engine's basis
    notes: str = ""  # the indicator row's other columns (Indicator.notes), shown under the unit's reason

    @property
    def difference(self) -> Optional[Decimal]:
        """复核得分 − 自评得分, or None when the unit gave no self-score or the item does not apply
        (left out of the total: its 0 is no verdict on the unit's score)."""
        if self.self_score is None or not self.applicable:
            return None
        return self.score - self.self_score


@dataclass
class FormResult:
    """A scored form: the form as read plus every item's score."""

    form: "ProjectForm | DepartmentForm"
    rulebook: str
    items: list[ItemScore]
    total: Decimal
    grade: str
    flags: list[Flag] = field(default_factory=list)  # form-level flags
    budget: Optional[Decimal] = None  # the 项目资金 amounts the execution rate used (万元)
    executed: Optional[Decimal] = None
    #: The rulebook as prose names it (``Rulebook.named_in_prose``: its title), for the report draft:
    #: "按“部门整体支出绩效评价（湖南省指标体系）”评分规则复核", not its id "hunan-dept"; "" in a result
    #: made without it.
    rulebook_title: str = ""
    #: The rulebook's ``review_tolerance`` and ``score_places`` (scoring.md §4), for the outputs that
    #: judge a score again: ``perfeval-xl explain`` marks a self-score the review flagged, the report
    #: draft lists an item scored below its full marks (the weight so rounded).  The built-ins' values
    #: (0.01, 2) in a result made without them.
    review_tolerance: Decimal = Decimal("0.01")
    score_places: int = 2

    @property
    def kind(self) -> str:
        return self.form.kind

    @property
    def name(self) -> str:
        return self.form.name

    @property
    def self_total(self) -> Optional[Decimal]:
        """The unit's 自评总分: as written on the total row, or, where the unit left it blank but
        scored every item itself, the sum of its item self-scores (what an officer adds up by hand)."""
        if self.form.self_total is not None:
            return self.form.self_total
        scores = [item.self_score for item in self.items if item.applicable]
        if not scores or any(score is None for score in scores):
            return None
        return sum(scores, Decimal(0))

    @property
    def self_scored_in_full(self) -> bool:
        """True when the unit gave a self-score for every applicable item."""
        return all(item.self_score is not None for item in self.items if item.applicable)

    @property
    def difference(self) -> Optional[Decimal]:
        """复核总分 − 自评总分; None when the unit's total covers only some items (not comparable)."""
        if self.self_total is None or not self.self_scored_in_full:
            return None
        return self.total - self.self_total

    def all_flags(self) -> list[Flag]:
        """Form-level flags followed by every item's flags, in form order."""
        out = list(self.flags)
        for item in self.items:
            out.extend(item.flags)
        return out


@dataclass
class FileResult:
    """The outcome for one input file of a batch."""

    file: str  # path relative to the inbox, with forward slashes
    status: str  # "ok" | "error" | "skipped"
    error: Optional[str] = None
    forms: list[FormResult] = field(default_factory=list)
    output: Optional[str] = None  # scored workbook, relative to the outbox
    reports: list[str] = field(default_factory=list)  # report drafts (.docx), relative to the outbox
    unpaired: list = field(default_factory=list)  # F2/F3 parts waiting for their partner in another file
    detail: Optional[str] = None  # traceback text, shown only with --debug
    #: What a file that gave no form of its own, and is fine, was used for: an F2 sent as its own
    #: file, paired with the F3 of another (its 汇总 row and summary.json entry say so, not nothing)
    note: Optional[str] = None

    def to_dataframe(self) -> "pandas.DataFrame":
        """One row per scored item (pandas.DataFrame); see :func:`perfeval_xl.frames.items_frame`."""
        from .frames import items_frame

        return items_frame([self])


# Why these two builders: a frozen dataclass's ``__init__`` sets each field through
# ``object.__setattr__``, which cost a third of parsing a target or actual, and the readers make a
# ParsedValue for every distinct target and actual and a Source for every cell of an indicator row
# that is asked for.  Each makes the same object as the class would (equal, same hash, repr and
# pickle), its fields in declared order.  Why named parameters and a dict display, not ``**values``
# merged into a copy of the defaults: packing and merging cost thousands of instructions a
# ParsedValue (a cold pass over 300 forms of distinct texts: see the commit).  Why a dict of its
# own and not the instance's __dict__ filled in place: that one shares its keys with the class, and
# CPython 3.11 reads an attribute of such a dict on its slow path: 0.3 % more instructions in the
# later stages than were saved.  tests/test_values.py checks the parameters against the fields.


def new_source(sheet: str, cell: str) -> Source:
    """``Source(sheet, cell)`` for the readers' hot loops, without its ``__init__``."""
    source = _new_object(Source)
    _set_dict(source, "__dict__", {"sheet": sheet, "cell": cell})
    return source


def new_parsed_value(text: str, operator: Optional[str] = None, number: Optional[Decimal] = None,
                     unit: Optional[str] = None, qualitative: bool = False, missing: bool = False,
                     operator_declared: bool = False, unit_declared: bool = False) -> ParsedValue:
    """``ParsedValue(text, …)`` for the readers' hot loops, without its ``__init__``."""
    value = _new_object(ParsedValue)
    _set_dict(value, "__dict__", {"text": text, "operator": operator, "number": number, "unit": unit,
                                  "qualitative": qualitative, "missing": missing,
                                  "operator_declared": operator_declared, "unit_declared": unit_declared})
    return value
