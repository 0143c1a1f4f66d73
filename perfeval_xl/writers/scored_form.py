"""The scored form: the official 项目支出绩效自评表 layout, filled and reviewed (复核).

One sheet per form.  Layout (columns A–M) is decided here; every style (fonts,
borders, number formats, widths, page setup) comes from the style template
``templates/项目支出绩效自评表_复核.xlsx`` so a bureau can restyle the output
without touching code (see :mod:`._style_template`).

A form is first laid out as plain rows (a role and the values of each row, the
merged ranges); then it is drawn either

- as worksheet XML, straight into the .xlsx package (:func:`write_scored_workbook`):
  the template is compiled once per process and every cell refers to the
  template's own cell formats, so the output looks exactly as openpyxl would
  draw it, at a fraction of the cost; or
- on an openpyxl worksheet (:func:`render_form`), which draws the style
  template itself and serves as the reference for the XML writer
  (:func:`write_scored_workbook_openpyxl`).
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol

from ..model import DepartmentForm, Flag, FormResult, FundLine, ItemScore, ProjectForm, flag_ending
from ..values import format_number
from ._atomic import atomic_output, atomic_write_bytes
from ._cell import CellValue, cell_value, cell_values, write_cell
from ._display import (
    EXCEL_MAX_TEXT,
    NOT_APPLICABLE,
    Percentage,
    display_name,
    exact_number,
    excel_text,
    finite_float,
    flags_on_form,
    level_label,
    percentage,
    split_execution_item,
)
from ._memo import NUMBERS_KEPT, BoundedMemo
from ._page_breaks import (
    FormRows,
    Pages,
    default_font_size_of_xml,
    default_row_height_of_xml,
    page_height,
    paginate,
    print_setup_of_sheet,
    print_setup_of_xml,
    row_breaks_xml,
)
from ._row_heights import (
    DEFAULT_FONT_SIZE,
    WIDEST_KEPT,
    TallEnds,
    TextHeights,
    fit_heights,
    pieces_to_fit,
    raised_for_tall_merges,
    roomy_length,
    single_line,
    text_heights,
)
from ._sheet_titles import unique_sheet_titles
from ._style_template import (
    COLUMN_COUNT,
    MODIFIED_PLACEHOLDER,
    CompiledStyle,
    TemplateRowStyler,
    column_width,
    compiled_scored_form_style,
    copy_sheet_setup,
    load_scored_form_style,
    merge_position,
    remove_template_sheets,
)
from ._templates import SCORED_FORM_STYLE, template_path
from ._text_measure import MAX_ROW_HEIGHT
from ._xml import NOT_UTF8 as _NOT_UTF8, escape_attribute, escape_text
from .._zip import SHARED_LEVEL, ZipMember, deflated, zip_archive
from .base_data_sheet import (
    add_base_data_sheets,
    base_data_sheet_xml,
    base_data_title,
    bases_of,
    lay_out_base_data,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# Columns of the 绩效指标 table; the fund block reuses G–M for the execution item.
SECTION, LEVEL1, LEVEL2, NAME, TARGET, ACTUAL = 1, 2, 3, 4, 5, 6
WEIGHT, SELF_SCORE, SCORE, DIFFERENCE, BASIS, REASON, FLAGS = 7, 8, 9, 10, 11, 12, 13
# Columns of the 项目资金 block.
FUND_LABEL, INITIAL_BUDGET, BUDGET, EXECUTED, RATE = 2, 3, 4, 5, 6
# Label/value rows: 主管部门 B–F | 实施单位 G–H | I–M; goals B–F | G–M.
LEFT_VALUE, RIGHT_LABEL, RIGHT_VALUE = 2, 7, 9
# The 复核问题 block.
ISSUE_LEVEL, ISSUE_CELL, ISSUE_TEXT = 2, 3, 4
LAST = COLUMN_COUNT

TITLES = {"project": "项目支出绩效自评表", "department": "部门整体支出绩效评价指标评分表"}
REVIEW_SUFFIX = "（复核）"
CREATOR = "perfeval-xl"

FUND_HEADERS = {
    INITIAL_BUDGET: "年初预算数", BUDGET: "全年预算数", EXECUTED: "全年执行数",
    RATE: "执行率", WEIGHT: "分值", SELF_SCORE: "自评得分", SCORE: "复核得分",
    DIFFERENCE: "差异", BASIS: "评分依据", FLAGS: "问题提示",
}
TABLE_HEADERS = {
    LEVEL1: "一级指标", LEVEL2: "二级指标", NAME: "三级指标", TARGET: "年度指标值",
    ACTUAL: "实际完成值", WEIGHT: "分值", SELF_SCORE: "自评得分", SCORE: "复核得分",
    DIFFERENCE: "差异", BASIS: "评分依据", REASON: "偏差原因分析及改进措施", FLAGS: "问题提示",
}


class _FixedRow(dict):
    """The values of a row that is the same on every form (a header): the XML writer draws it once
    per row shape and number.  Shared by every layout, so never changed."""

    __slots__ = ()


_FUND_HEADER = _FixedRow({SECTION: "项目资金（万元）", **FUND_HEADERS})
#: The fund block of a form that explains its execution (Sichuan's 未完成原因分析): the reason
#: takes column L, beside a 评分依据 of column K alone.
_FUND_HEADER_WITH_REASON = _FixedRow({**_FUND_HEADER, REASON: TABLE_HEADERS[REASON]})
_GOAL_HEADER = _FixedRow({SECTION: "年度总体目标", LEFT_VALUE: "预期目标", RIGHT_LABEL: "实际完成情况"})
_TABLE_HEADER = _FixedRow({SECTION: "绩效指标", **TABLE_HEADERS})
#: The table header of a department form: F3's own names of its columns (评价标准, 指标说明 …)
#: where the project form has 年度指标值 and 偏差原因分析及改进措施; one row per set of names.
_DEPARTMENT_HEADERS: dict[tuple[str, str], _FixedRow] = {}
_DEPARTMENT_HEADERS_MAX = 256


def _department_header(form: DepartmentForm) -> dict:
    """The table header of ``form``, shared by every form naming its columns alike.

    Never emptied: the XML writer keeps each fixed row as drawn by the row's id, and a header freed
    and its id reused would be drawn with another form's names.  Past the bound a header is a plain
    row, drawn anew for its form.
    """
    names = (form.column_labels.get("standard") or "评价标准", form.column_labels.get("note") or "指标说明")
    header = _DEPARTMENT_HEADERS.get(names)
    if header is None:
        values = {**_TABLE_HEADER, TARGET: names[0], REASON: names[1]}
        if len(_DEPARTMENT_HEADERS) >= _DEPARTMENT_HEADERS_MAX:
            return values
        header = _DEPARTMENT_HEADERS[names] = _FixedRow(values)
    return header


_ISSUE_HEADER = _FixedRow({SECTION: "复核问题", ISSUE_LEVEL: "级别", ISSUE_CELL: "原表单元格", ISSUE_TEXT: "问题"})
_NO_ISSUE = _FixedRow({ISSUE_TEXT: "无"})


class RowStyler(Protocol):
    """Gives a row of a given role its styles (see ``_style_template.ROLES``)."""

    def style_row(self, sheet: Worksheet, row: int, role: str) -> None: ...

    def height(self, role: str) -> Optional[float]: ...


def write_scored_workbook(forms: list[FormResult], path: str | Path, template: Optional[Path] = None) -> None:
    """Write one scored sheet per form to ``path`` (atomically).

    A department form with its F2 gets the base data sheet too, after the
    forms' sheets (:mod:`.base_data_sheet`).  ``template`` overrides the shipped
    style template (a bureau's restyled copy).
    """
    if not forms:
        raise ValueError("没有可写入的评分结果")
    style = compiled_scored_form_style(Path(template) if template else _default_template())
    titles = unique_sheet_titles([result.form.sheet for result in forms])
    sheets = []
    overflow = _overflow_of(style)
    for index, (result, title) in enumerate(zip(forms, titles)):
        layout = _lay_out(result, overflow)
        xml, pages = _sheet_xml(style, layout, selected=index == 0)
        sheets.append(_SheetPart(title, xml, _print_names(title, layout.print_title_row if pages.titles else None,
                                                          len(layout.roles))))
    bases = bases_of(forms)
    for base in bases:  # after the forms' sheets, each titled apart from every sheet before it
        title = base_data_title(titles, base.sheet)
        titles.append(title)
        layout = lay_out_base_data(base)
        sheets.append(_SheetPart(title, base_data_sheet_xml(style.base_data, layout),
                                 [_print_area(title, layout.last_letter, len(layout.rows))]))
    styles = style.base_data.styles if bases else style.styles
    atomic_write_bytes(path, _zip(style, _package(style, sheets, styles)))


@dataclass
class _SheetPart:
    """A worksheet of the package: its title, XML and sheet-scoped defined names (name, escaped value)."""

    title: str
    xml: bytes
    names: list[tuple[str, str]]


def _print_names(title: str, title_row: Optional[int], last_row: int) -> list[tuple[str, str]]:
    """The print titles (``title_row``; None: none) and print area of a form's sheet."""
    area = _print_area(title, _LETTERS[-1], last_row)
    if title_row is None:
        return [area]
    return [("_xlnm.Print_Titles", f"{_quoted(title)}!${title_row}:${title_row}"), area]


def _print_area(title: str, last_column: str, last_row: int) -> tuple[str, str]:
    return "_xlnm.Print_Area", f"{_quoted(title)}!$A$1:${last_column}${last_row}"


def _quoted(title: str) -> str:
    """A sheet title as a defined name refers to it (quoted as openpyxl quotes it), escaped for workbook.xml."""
    return escape_text("'" + title.replace("'", "''") + "'")


def prepare_templates() -> None:
    """Compile the style template (or load its shipped compiled form) and the report draft's
    prototype in this process now.

    Worker processes forked afterwards inherit both, instead of each preparing
    them on its first file (a restyled template's compile: ~0.06 s of CPU per
    worker).  A template that cannot be compiled is left for the first file to
    report.
    """
    from ._report_template import report_template
    from .report_draft import SCORE_TABLE_HEADERS

    try:
        compiled_scored_form_style(_default_template())
        report_template(len(SCORE_TABLE_HEADERS))
    except Exception:  # noqa: BLE001 — every file will say what is wrong with it
        pass


@functools.cache  # a missing template raises, and is looked up again next time
def _default_template() -> Path:
    """The shipped style template, looked up once per process."""
    return template_path(SCORED_FORM_STYLE)


def write_scored_workbook_openpyxl(forms: list[FormResult], path: Path, template: Optional[Path] = None) -> None:
    """The same workbook drawn cell by cell with openpyxl inside the loaded template (slow).

    The reference that :func:`write_scored_workbook` must match; kept for
    checking it (``bench/check_scored_form.py``).
    """
    if not forms:
        raise ValueError("没有可写入的评分结果")
    path_of_template = Path(template) if template else _default_template()
    style = load_scored_form_style(path_of_template)
    styler = TemplateRowStyler(style)
    overflow = _overflow_of(compiled_scored_form_style(path_of_template))  # the fast writer's pieces
    titles = unique_sheet_titles([result.form.sheet for result in forms])
    for result, title in zip(forms, titles):
        sheet = style.workbook.create_sheet(title)
        copy_sheet_setup(style.prototype_sheet, sheet)
        render_form(sheet, result, styler, overflow)
    add_base_data_sheets(style.workbook, forms)
    remove_template_sheets(style)
    style.workbook.properties.creator = CREATOR
    with atomic_output(path) as temp:
        style.workbook.save(temp)


# -- layout -------------------------------------------------------------------------


@dataclass
class FormLayout:
    """A form as rows: ``rows[i]`` is (role, column → value) of sheet row ``i + 1``."""

    rows: list[tuple[str, dict[int, CellValue]]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col
    first_rows: dict[str, int] = field(default_factory=dict)
    print_title_row: int = 1
    #: Where the merged 二级指标 cells lie among ``merges`` (a slice's bounds): kept whole by page breaks.
    level2_runs: tuple[int, int] = (0, 0)
    #: The rows of 总分 and of the 复核问题 header.
    total_row: int = 0
    issue_row: int = 0
    #: (row, column) → the number format of a cell holding a percentage (its value is the fraction)
    number_formats: dict[tuple[int, int], str] = field(default_factory=dict)


def lay_out_form(result: FormResult, overflow: Optional[_Overflow] = None) -> FormLayout:
    """Decide every row, value and merge of ``result``'s sheet; values are stored as written.

    A value under a merged range (not its top-left cell) is dropped, as Excel would.  ``overflow``:
    where a text too tall for one row goes on in the rows below (None: nowhere, each row capped).
    """
    raw = _lay_out(result, overflow)
    mappings = [_as_mapping(values) for values in raw.values]
    layout = FormLayout([(role, cell_values(values)) for role, values in zip(raw.roles, mappings)],
                        raw.merges, print_title_row=raw.print_title_row, level2_runs=raw.level2_runs,
                        total_row=raw.total_row, issue_row=raw.issue_row)
    for row, role in enumerate(raw.roles, start=1):
        layout.first_rows.setdefault(role, row)
    for row, values in enumerate(mappings, start=1):
        for column, value in values.items():
            if value.__class__ is Percentage:
                layout.number_formats[row, column] = value.number_format
    rows = layout.rows
    for first_row, first_col, last_row, last_col in layout.merges:
        for row in range(first_row, last_row + 1):
            values = rows[row - 1][1]
            for col in range(first_col + 1 if row == first_row else first_col, last_col + 1):
                values.pop(col, None)
    return layout


def _lay_out(result: FormResult, overflow: Optional[_Overflow] = None) -> _Layout:
    """The rows of ``result``'s sheet with the model's own values (Decimal, text as read), merges not
    applied: the XML writer converts each value once, as it draws it, and skips those under merges."""
    form = result.form
    layout = _Layout(form.sheet, overflow)
    execution, indicators = split_execution_item(result)
    layout.write_heading(form)
    if isinstance(form, ProjectForm):
        if form.funds is not None or execution is not None:
            layout.write_funds(form.funds.lines if form.funds else [], execution)
        layout.write_goals(form)
        layout.write_unit_lines(form.notes)  # its notes between the blocks, above its table as a department's
    if isinstance(form, DepartmentForm):
        layout.write_unit_lines(form.notes)  # its notes above its table, as the unit wrote them there
        layout.print_title_row = layout.write_indicators(_with_department_level_weights(indicators, form),
                                                         _department_header(form))
    else:
        layout.print_title_row = layout.write_indicators(_with_level_weights(indicators, form.level1_weights, {}))
    layout.write_totals(result)
    layout.write_issues(result.flags, sum(len(item.flags) for item in result.items))
    return layout


class _Overflow:
    """Where a text is too tall for one row of the scored form: Excel's rows stop at 409 pt, so a
    偏差原因 of 300 characters, or a long 年度总体目标, was cut off on the printed form.  Such a text
    goes on in rows below its own (see :func:`pieces_to_fit`), in the widths and fonts of the style."""

    __slots__ = ("widths", "rows", "spans", "limits")

    def __init__(self, style: CompiledStyle):
        self.widths, self.rows = style.column_widths, style.rows
        #: (role, first column, last column) → (width, font size, roomy length, the heights memo)
        self.spans: dict[tuple[str, int, int], tuple[float, float, int, TextHeights]] = {}
        #: For each column of _TALL_TEXT_COLUMNS, in its order, the length up to which no text can be too
        #: tall for an indicator row: a row whose texts are all within them is not looked at.
        self.limits = tuple(self._span("indicator", column, column)[2] for _, column in _TALL_TEXT_COLUMNS)

    def _span(self, role: str, first_col: int, last_col: int) -> tuple[float, float, int, TextHeights]:
        span = self.spans.get((role, first_col, last_col))
        if span is None:
            size = float(self.rows[role].font_sizes[first_col - 1] or DEFAULT_FONT_SIZE)
            width = sum(self.widths[first_col - 1:last_col])
            span = self.spans[role, first_col, last_col] = (
                width, size, roomy_length(width, size, MAX_ROW_HEIGHT), text_heights(width, size))
        return span

    def pieces(self, role: str, first_col: int, last_col: int, text: str) -> Optional[list[str]]:
        """None when ``text`` fits one row of ``role`` in those columns (nearly every text: known from
        its length, unmeasured), else its pieces, one a row."""
        width, size, roomy, heights = self._span(role, first_col, last_col)
        if len(text) <= roomy and "\n" not in text:
            return None
        # The memo the row's height is measured with: the writer finds the text measured already.
        return pieces_to_fit(text, width, size) if heights[text] > MAX_ROW_HEIGHT else None


def _overflow_of(style: CompiledStyle) -> _Overflow:
    """The :class:`_Overflow` of ``style``, made once."""
    overflow = style.memo.get("overflow")
    if overflow is None:
        overflow = style.memo["overflow"] = _Overflow(style)
    return overflow


#: The columns of an indicator row whose text may be too tall for one row (the level names are
#: merged down their runs), by their place in the row's list.
_TALL_TEXT_COLUMNS = ((0, FLAGS), (1, NAME), (2, BASIS), (3, REASON), (6, TARGET), (7, ACTUAL))


class _Layout:
    """Lays a form out top to bottom, one row at a time, and remembers merges."""

    def __init__(self, sheet: str, overflow: Optional[_Overflow] = None):
        self.sheet = sheet  # the input form's sheet: the cells its flags name are that sheet's
        self.overflow = overflow
        self.roles: list[str] = []
        #: Per row: column → value, as the model has it; an indicator row's values are a list in the
        #: order of _INDICATOR_COLUMNS (see write_indicators).
        self.values: list[dict[int, CellValue] | list[CellValue]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.print_title_row = 1
        self.level2_runs = (0, 0)  # see FormLayout.level2_runs
        self.total_row = self.issue_row = 0

    # -- primitives -----------------------------------------------------------------

    def new_row(self, role: str, values: Optional[dict[int, CellValue]] = None) -> int:
        """Append a row of ``role``; ``values`` (a dict of the caller's own, or a shared _FixedRow)
        becomes the row's."""
        self.roles.append(role)
        self.values.append({} if values is None else values)
        return len(self.roles)

    def put(self, row: int, column: int, value: CellValue) -> None:
        self.values[row - 1][column] = value

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        if (first_row, first_col) != (last_row, last_col):
            self.merges.append((first_row, first_col, last_row, last_col))

    def merge_across(self, row: int, first_col: int, last_col: int) -> None:
        self.merge(row, first_col, row, last_col)

    # -- sections -------------------------------------------------------------------

    def write_heading(self, form: ProjectForm | DepartmentForm) -> None:
        title = (form.title.strip() or TITLES.get(form.kind, TITLES["project"])) + REVIEW_SUFFIX
        self.merge_across(self.new_row("title", {SECTION: title}), SECTION, LAST)
        if form.year and f"{form.year}年" not in title:  # not twice: "…自评表（2023年度）（复核）" has it
            self.merge_across(self.new_row("year", {SECTION: f"（{form.year}年度）"}), SECTION, LAST)
        label = "填报单位" if form.kind == "department" else "项目名称"
        name_row = self.new_row("name_row", {SECTION: label, LEFT_VALUE: display_name(form)})
        self.merge_across(name_row, LEFT_VALUE, LAST)
        if form.kind != "department":
            row = self.new_row("unit_row", {
                SECTION: "主管部门", LEFT_VALUE: form.department, RIGHT_LABEL: "实施单位", RIGHT_VALUE: form.unit,
            })
            self.merge_across(row, LEFT_VALUE, RIGHT_LABEL - 1)
            self.merge_across(row, RIGHT_LABEL, RIGHT_VALUE - 1)
            self.merge_across(row, RIGHT_VALUE, LAST)

    def write_funds(self, lines: list[FundLine], execution: Optional[ItemScore]) -> None:
        explained = execution is not None and bool(execution.reason)
        header = self.new_row("fund_header", _FUND_HEADER_WITH_REASON if explained else _FUND_HEADER)
        if not explained:
            self.merge_across(header, BASIS, REASON)
        rows = [self._fund_line_row(line) for line in lines] or [
            self.new_row("fund_line", {FUND_LABEL: "预算执行率"})
        ]
        first, last = rows[0], rows[-1]
        if execution is not None:
            for column, value in _with_score_values({}, execution).items():
                self.put(first, column, value)
            self.put(first, BASIS, _basis_with_method(execution) if execution.method else execution.basis)
            self.put(first, FLAGS, flags_on_form(execution.flags, self.sheet))
        if explained:
            self.put(first, REASON, execution.reason)
            merged_down = (WEIGHT, SELF_SCORE, SCORE, DIFFERENCE, BASIS, REASON, FLAGS)
        else:
            merged_down = (WEIGHT, SELF_SCORE, SCORE, DIFFERENCE, FLAGS)
            self.merge(first, BASIS, last, REASON)
        for column in merged_down:
            self.merge(first, column, last, column)
        self.merge(header, SECTION, last, SECTION)

    def _fund_line_row(self, line: FundLine) -> int:
        return self.new_row("fund_line", {
            FUND_LABEL: line.label,
            INITIAL_BUDGET: line.initial_budget,
            BUDGET: line.budget,
            EXECUTED: line.executed,
            RATE: _execution_ratio(line),
        })

    def write_goals(self, form: ProjectForm) -> None:
        header = self.new_row("goal_header", _GOAL_HEADER)
        expected, actual = [form.goal_expected], [form.goal_actual]
        if self.overflow is not None:  # a goal too long for one row goes on in the rows below
            expected = self.overflow.pieces("goal_text", LEFT_VALUE, RIGHT_LABEL - 1, form.goal_expected) or expected
            actual = self.overflow.pieces("goal_text", RIGHT_LABEL, LAST, form.goal_actual) or actual
        rows = [header]
        for index in range(max(len(expected), len(actual))):
            rows.append(self.new_row("goal_text", {
                LEFT_VALUE: expected[index] if index < len(expected) else "",
                RIGHT_LABEL: actual[index] if index < len(actual) else "",
            }))
        for row in rows:
            self.merge_across(row, LEFT_VALUE, RIGHT_LABEL - 1)
            self.merge_across(row, RIGHT_LABEL, LAST)
        self.merge(header, SECTION, rows[-1], SECTION)

    def write_indicators(self, items: list[ItemScore], header_row: dict = _TABLE_HEADER) -> int:
        """Write the 绩效指标 table; return its header row (repeated on printed pages)."""
        header = self.new_row("table_header", header_row)
        # The rows are appended here rather than one new_row() each: a form has dozens of them.
        # Why the first and last characters are tested here: most targets and actuals start with an
        # operator or a word, or end with a unit ("≥90%", "5200人"), so are no bare number.
        # Why the cells are in this order (the sheet's is by column, whatever a row's): the texts
        # that most often make an indicator row its height (问题提示, 三级指标, 评分依据) come first,
        # so that the others need not be measured (see _sheet_rows): 45 % fewer texts measured
        # than in column order on forms of distinct texts, ≈ 110 M instructions fewer on 300.
        # The score values are those _with_score_values adds, written into the row's one list here,
        # not by a call per row that adds them to it (≈ 7 M instructions on 300 forms).
        # Why a list in the order of _INDICATOR_COLUMNS rather than a dict by column: building a
        # dict of a dozen int keys and walking its items cost ≈ 1,600 instructions a row more than a
        # list zipped with the columns (−19 M instructions on 300 forms of distinct texts, −16 M of
        # repetitive ones).
        starts, ends, sheet, overflow = _NUMBER_STARTS, _FIGURE_ENDS, self.sheet, self.overflow
        if overflow is not None:  # a layout without one (an openpyxl-drawn reference) spreads no row
            flags_at, name_at, basis_at, reason_at, target_at, actual_at = overflow.limits
        append = self.values.append
        spread: dict[int, int] = {}  # item → the rows its too tall texts go on in, below its own
        for index, item in enumerate(items):
            applicable = item.applicable
            row = [
                flags_on_form(item.flags, sheet) if item.flags else "", item.name,
                _basis_with_method(item) if item.method else item.basis,
                _reason_with_notes(item) if item.notes else item.reason, item.level1, item.level2,
                _figure(item.target) if item.target[:1] in starts and item.target[-1:] in ends else item.target,
                _figure(item.actual) if item.actual[:1] in starts and item.actual[-1:] in ends else item.actual,
                item.weight, item.self_score, item.score if applicable else NOT_APPLICABLE,
            ]
            if applicable:
                row.append(item.difference)
            append(row)
            # Why each text's length against its column's limit, inline: an indicator row is rarely
            # long, and a look at each text through a call cost ≈ 0.5 µs a row; the four texts' lengths
            # added up against the narrowest column's limit sent one row in seven to that look (its
            # flags alone are often long).  A limit holds for a text on one line only: one of many
            # short lines (a 评价标准 of fifteen, an actual of thirty-five) is looked at too.
            target, actual = row[6], row[7]
            if overflow is not None and (
                    len(row[0]) > flags_at or len(row[1]) > name_at or len(row[2]) > basis_at
                    or len(row[3]) > reason_at
                    or "\n" in row[0] or "\n" in row[1] or "\n" in row[2] or "\n" in row[3]
                    or target.__class__ is str and (len(target) > target_at or "\n" in target)
                    or actual.__class__ is str and (len(actual) > actual_at or "\n" in actual)):
                more = self._continued(row, overflow)
                if more:
                    self.values.extend(more)
                    spread[index] = len(more)
        if spread:
            self._merge_spread_items(header + 1, items, spread)
            level1 = [item.level1 for index, item in enumerate(items) for _ in range(1 + spread.get(index, 0))]
            level2 = [item.level2 for index, item in enumerate(items) for _ in range(1 + spread.get(index, 0))]
        else:
            level1 = [item.level1 for item in items]
            level2 = [item.level2 for item in items]
        self.roles += ["indicator"] * len(level1)
        self._merge_equal_runs(header + 1, level1, level1, LEVEL1)
        first_run = len(self.merges)
        self._merge_equal_runs(header + 1, list(zip(level1, level2)), level2, LEVEL2)
        self.level2_runs = (first_run, len(self.merges))
        self.merge(header, SECTION, header + len(level1), SECTION)
        return header

    @staticmethod
    def _continued(row: list[CellValue], overflow: _Overflow) -> list[dict[int, CellValue]]:
        """The rows under an indicator ``row`` that its texts too tall for one row go on in (none for
        nearly every row); ``row`` keeps the first piece of each."""
        more: list[dict[int, CellValue]] = []
        for place, column in _TALL_TEXT_COLUMNS:
            text = row[place]
            if text.__class__ is not str or not text:
                continue
            pieces = overflow.pieces("indicator", column, column, text)
            if pieces is None:
                continue
            row[place] = pieces[0]
            for index, piece in enumerate(pieces[1:]):
                if index == len(more):
                    more.append({})
                more[index][column] = piece
        return more

    def _merge_spread_items(self, first_row: int, items: list[ItemScore], spread: dict[int, int]) -> None:
        """Merge down, over its rows, each cell of an item spread over several rows whose text is
        not spread, so that the item reads as one row; its 一级/二级 names are merged with their runs."""
        row = first_row
        for index in range(len(items)):
            extra = spread.get(index, 0)
            if extra:
                spread_columns = {column for values in self.values[row:row + extra] for column in values}
                for column in (NAME, TARGET, ACTUAL, WEIGHT, SELF_SCORE, SCORE, DIFFERENCE, BASIS, REASON, FLAGS):
                    if column not in spread_columns:
                        self.merge(row, column, row + extra, column)
            row += 1 + extra

    def _merge_equal_runs(self, first_row: int, keys: list, names: list[str], column: int) -> None:
        """Merge vertically the cells of ``column`` (``names``, from ``first_row`` down) whose keys
        repeat in consecutive rows.

        A key holds the enclosing levels too, so a 二级 name never merges across
        two 一级.  Blank cells are left alone: a blank is not a group.
        """
        merges = self.merges
        start = 0
        count = len(keys)
        for index in range(1, count + 1):
            if index < count and keys[index] == keys[start]:
                continue
            if index - start > 1 and names[start]:  # one cell is no merged range
                merges.append((first_row + start, column, first_row + index - 1, column))
            start = index

    def write_totals(self, result: FormResult) -> None:
        self.total_row = total = self.new_row("total", {
            SECTION: "总分",
            WEIGHT: sum((item.weight for item in result.items), Decimal(0)),
            SELF_SCORE: result.self_total,
            SCORE: result.total,
            DIFFERENCE: result.difference,
        })
        self.merge_across(total, SECTION, ACTUAL)
        self.merge_across(total, BASIS, LAST)
        grade = self.new_row("grade", {SECTION: "评价等级", WEIGHT: result.grade})
        self.merge_across(grade, SECTION, ACTUAL)
        self.merge_across(grade, WEIGHT, LAST)
        # The unit's own lines under its table (单位负责人, 填表人, 联系电话 …; a department's notes among
        # them), as on the form it sent: forms.md carries every field over, and these say whom to ask
        # about its 问题提示.
        self.write_unit_lines(result.form.footer)
        source = f"{result.form.file}（工作表：{result.form.sheet}）" if result.form.file else result.form.sheet
        note = self.new_row("note", {SECTION: f"评分规则：{result.rulebook}；来源：{source}"})
        self.merge_across(note, SECTION, LAST)

    def write_unit_lines(self, lines: list[str]) -> None:
        """Lines the unit wrote on its form outside its table (a note, a signature), a row each across the sheet."""
        for line in lines:
            self.merge_across(self.new_row("note", {SECTION: line}), SECTION, LAST)

    def write_issues(self, flags: list[Flag], item_flags: int) -> None:
        """The 复核问题 block: the form's own flags; an indicator's are in its row's 问题提示."""
        self.issue_row = header = self.new_row("issue_header", _ISSUE_HEADER)
        rows = [self._issue_row(flag, self.sheet) for flag in flags]
        if not rows:  # not a bare 无 over a table whose rows hold problems
            rows = [self.new_row("issue", {ISSUE_TEXT: f"表级无问题；各指标的{item_flags}条问题见“问题提示”列"})
                    if item_flags else self.new_row("issue", _NO_ISSUE)]
        for row in (header, *rows):
            self.merge_across(row, ISSUE_TEXT, LAST)
        self.merge(header, SECTION, rows[-1], SECTION)

    def _issue_row(self, flag: Flag, form_sheet: str) -> int:
        return self.new_row("issue", {
            ISSUE_LEVEL: level_label(flag),
            ISSUE_CELL: _cell_reference(flag, form_sheet),
            ISSUE_TEXT: flag.message + flag_ending(flag.action, None),  # as str(flag), the cell in its own column
        })


#: The columns of an indicator row's values, in the order write_indicators lists them (a 不适用
#: item has no 差异, so its list stops before the last).
_INDICATOR_COLUMNS = (FLAGS, NAME, BASIS, REASON, LEVEL1, LEVEL2, TARGET, ACTUAL, WEIGHT, SELF_SCORE, SCORE, DIFFERENCE)
#: Column → its place in an indicator row's list.
_INDICATOR_PLACES = {column: place for place, column in enumerate(_INDICATOR_COLUMNS)}


def _as_mapping(values: dict[int, CellValue] | list[CellValue]) -> dict[int, CellValue]:
    """A row's values as column → value (an indicator row's list taken apart by its columns)."""
    return dict(zip(_INDICATOR_COLUMNS, values)) if values.__class__ is list else values


def _with_department_level_weights(items: list[ItemScore], form: DepartmentForm) -> list[ItemScore]:
    """``items`` with the 分值 F3 gives each 一级 and 二级指标 shown beside its name ("投入（30分）"),
    as the table has them in their own columns."""
    level1 = {row.level1: row.level1_weight for row in form.rows if row.level1_weight is not None}
    level2 = {(row.level1, row.level2): row.level2_weight for row in form.rows if row.level2_weight is not None}
    return _with_level_weights(items, level1, level2)


def _with_level_weights(items: list[ItemScore], level1: dict[str, Decimal],
                        level2: dict[tuple[str, str], Decimal]) -> list[ItemScore]:
    """``items`` with the 分值 of their 一级 and 二级指标 shown beside the names ("产出指标（50分）"): the
    form's own, carried over; copies, the result stays as scored."""
    if not level1 and not level2:
        return items
    shown = []
    for item in items:
        weight1, weight2 = level1.get(item.level1), level2.get((item.level1, item.level2))
        shown.append(dataclasses.replace(
            item,
            level1=f"{item.level1}（{format_number(weight1)}分）" if weight1 is not None and item.level1 else item.level1,
            level2=f"{item.level2}（{format_number(weight2)}分）" if weight2 is not None and item.level2 else item.level2,
        ))
    return shown


def _with_score_values(values: dict[int, CellValue], item: ItemScore) -> dict[int, CellValue]:
    """``values`` with 分值, 自评得分, 复核得分 and 差异 of ``item`` added; a 不适用 item is not scored,
    so has no 差异.  Filled in place: an indicator row is built as one dict, not merged from two."""
    values[WEIGHT] = item.weight
    values[SELF_SCORE] = item.self_score
    if item.applicable:
        values[SCORE] = item.score
        values[DIFFERENCE] = item.difference
    else:
        values[SCORE] = NOT_APPLICABLE
    return values


#: A target or actual that is a bare number as an officer writes it ("80", "0.5", "-3"): no leading
#: zero, no trailing zero after a point; of at most 15 characters, so of digits a float holds exactly.
_BARE_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?")


def _figure(text: str) -> CellValue:
    """A target or actual as its cell shows it: a bare number as a number (as the unit typed it,
    not turned into text), a bare percentage ("95.01%", a department's rate as the engine computed
    it, or "97%" as the unit typed it) as a number shown as that percentage, anything else
    ("≤80万元", "按时完成", "约95%") as text."""
    if text[-1] in _PERCENT_SIGNS:
        return _PERCENTAGES[text]
    if len(text) <= 15 and _BARE_NUMBER.fullmatch(text):
        return Decimal(text)
    return text


_DIGITS = frozenset("0123456789")
_NUMBER_STARTS = _DIGITS | {"-"}
_PERCENT_SIGNS = frozenset("%％")
#: A percentage's text → its Percentage (or the text, when it is no bare percentage).  Why kept:
#: "100%", "96%" recur on most forms, and parsing each anew cost ≈ 6,000 instructions.
_PERCENTAGES: BoundedMemo[str, CellValue] = BoundedMemo(lambda text: percentage(text) or text, NUMBERS_KEPT)
#: A bare percentage's text → its fraction as a cell's value ("96%" → "0.96").
_PERCENT_VALUES: BoundedMemo[str, str] = BoundedMemo(
    lambda text: f"{exact_number(percentage(text).fraction):.16g}", NUMBERS_KEPT)
#: The last characters of a target or actual that may be a bare number or percentage.
_FIGURE_ENDS = _DIGITS | _PERCENT_SIGNS


def _reason_with_notes(item: ItemScore) -> str:
    """The unit's reason, and under it the row's other columns (备注, 指标解释 …): the official layout
    has no column for them, and forms.md carries every field over."""
    return f"{item.reason}\n{item.notes}" if item.reason else item.notes


def _basis_with_method(item: ItemScore) -> str:
    """The engine's 评分依据 followed by the form's own 得分计算方法, so the officer sees both."""
    return f"{item.basis}（原表得分计算方法：{item.method}）"


def _execution_ratio(line: FundLine) -> Optional[float]:
    """全年执行数 ÷ 全年预算数 of one fund row (年初预算数 on forms without 全年预算数).

    Shown for information only; the execution score and its basis come from the
    engine's 预算执行率 item, which may have used other figures (scoring.md §2).
    """
    denominator = line.budget if line.budget is not None else line.initial_budget
    if line.executed is None or not denominator:
        return None
    return finite_float(line.executed / denominator)


def _cell_reference(flag: Flag, form_sheet: str) -> str:
    """The flag's cell; with its sheet when that is not the form's own sheet (F2 beside F3)."""
    if flag.source is None:
        return ""
    return flag.source.cell if flag.source.sheet == form_sheet else str(flag.source)


# -- drawing on an openpyxl worksheet ----------------------------------------------------


def render_form(sheet: Worksheet, result: FormResult, styler: RowStyler,
                overflow: Optional[_Overflow] = None) -> dict[str, int]:
    """Draw ``result`` on an empty openpyxl ``sheet``; return the first row used by each role.
    ``overflow``: see :func:`lay_out_form`."""
    from openpyxl.worksheet.pagebreak import Break

    layout = lay_out_form(result, overflow)
    for row, (role, values) in enumerate(layout.rows, start=1):
        styler.style_row(sheet, row, role)
        for column, value in values.items():
            write_cell(sheet.cell(row, column), value)
    for (row, column), number_format in layout.number_formats.items():
        sheet.cell(row, column).number_format = number_format
    for first_row, first_col, last_row, last_col in layout.merges:
        sheet.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)
    widths = [column_width(sheet, col) for col in range(1, LAST + 1)]
    exact: list[float] = []
    heights = fit_heights(
        [values for _, values in layout.rows], [styler.height(role) for role, _ in layout.rows], layout.merges, widths,
        [[sheet.cell(row, col).font.sz for col in range(1, LAST + 1)] for row in range(1, len(layout.rows) + 1)],
        exact,
    )
    for row, height in enumerate(heights, start=1):
        if height is not None:
            sheet.row_dimensions[row].height = height
    pages = _sheet_pages(sheet, layout, exact, widths)
    for row in pages.breaks:
        sheet.row_breaks.append(Break(id=row))
    sheet.print_area = f"A1:{_LETTERS[-1]}{len(layout.rows)}"
    if pages.titles:
        sheet.print_title_rows = f"{layout.print_title_row}:{layout.print_title_row}"
    return layout.first_rows


def _sheet_pages(sheet: Worksheet, layout: FormLayout, heights: list[float], widths: list[float]) -> Pages:
    """Where the pages of the form drawn on ``sheet`` end (see :mod:`._page_breaks`), by its page setup."""
    fonts = getattr(sheet.parent, "_fonts", None)
    height = page_height(print_setup_of_sheet(sheet), widths, fonts[0].sz if fonts else None)
    rows = FormRows(layout.print_title_row, layout.total_row, layout.issue_row)
    default_height = float(sheet.sheet_format.defaultRowHeight or 15)  # of a row without a height of its own
    return paginate([needed or default_height for needed in heights], [role for role, _ in layout.rows], rows,
                    layout.merges[slice(*layout.level2_runs)], height)


# -- drawing as worksheet XML -------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLM"  # the COLUMN_COUNT columns
_INFINITY = float("inf")
#: The end of a text cell, after its text.
_TEXT_END = b"</t></is></c>"
#: Where column c's cell lies among a row's slots (see :class:`_RowShape`): the cell up to its
#: value, the value, the rest.  Why three slots a cell: a row is one join of its slots, where a
#: cell joined first (two ``+`` of bytes, each through the buffer protocol) cost ≈ 700
#: instructions more, 30 M on 300 workbooks.  Looked up rather than computed: a tuple's item costs
#: less than arithmetic on ints, per cell.
_OPENING = tuple(3 * col - 1 for col in range(COLUMN_COUNT + 1))
_VALUE = tuple(3 * col for col in range(COLUMN_COUNT + 1))
_END = tuple(3 * col + 1 for col in range(COLUMN_COUNT + 1))


#: Stands for the row number in a row's fragments until the row is joined; it cannot occur in
#: escaped text (which has no "<") nor in a number.
_ROW_NUMBER = b"<#>"

#: A cell, as UTF-8: empty, up to its text, the same keeping blanks, up to its number.  Why bytes:
#: the markup is most of a sheet (~93 % of its characters); joined as text with a cell's Chinese,
#: all of it was widened to two bytes a character and encoded back, where each value encoded on
#: its own leaves the markup as it is.
_Fragments = tuple[bytes, bytes, bytes, bytes]


def _cell_fragments(style: CompiledStyle, column: int, xf: int, styled: bool) -> _Fragments:
    """A cell of format ``xf`` in ``column``: as written when empty ("" if not written), and up to
    the value when it holds text, text with leading or trailing blanks, or a number (memoised)."""
    key = ("cell", column, xf, styled)
    fragments = style.memo.get(key)
    if fragments is None:
        start = f'<c r="{_LETTERS[column - 1]}'.encode() + _ROW_NUMBER + (f'" s="{xf}"' if styled else '"').encode()
        fragments = (start + b"/>" if styled else b"", start + b' t="inlineStr"><is><t>',
                     start + b' t="inlineStr"><is><t xml:space="preserve">', start + b' t="n"><v>')
        style.memo[key] = fragments
    return fragments


def _role_fragments(style: CompiledStyle, role: str) -> list[_Fragments]:
    key = ("role", role)
    fragments = style.memo.get(key)
    if fragments is None:
        prototype = style.rows[role]
        fragments = [_cell_fragments(style, col, xf, styled)
                     for col, (xf, styled) in enumerate(zip(prototype.xfs, prototype.styled), start=1)]
        style.memo[key] = fragments
    return fragments


def _merge_block(style: CompiledStyle, start_xf: int, end_border: int, tall: bool, first_col: int,
                 last_col: int) -> list[list[_Fragments]]:
    """The fragments of a merged range's cells: for its first, middle and last rows (memoised)."""
    key = ("merge", start_xf, end_border, tall, first_col, last_col)
    block = style.memo.get(key)
    if block is None:
        width = last_col - first_col + 1
        block = []
        for i in (0, 1, 2):
            shape_rows, row_position = merge_position(i, 3) if tall else merge_position(0, 1)
            cells = []
            for j in range(width):
                shape_cols, col_position = merge_position(j, width)
                xf, styled = style.merged[start_xf, end_border, shape_rows, shape_cols, row_position, col_position]
                cells.append(_cell_fragments(style, first_col + j, xf, styled))
            block.append(cells)
        style.memo[key] = block
    return block


#: A merged range as it crosses one row: (first column, last column, xf of its top-left cell,
#: border of its bottom-right cell, spans several rows?, row position: 0 first, 1 middle, 2 last).
_Cut = tuple[int, int, int, int, bool, int]


@dataclass(frozen=True, slots=True)
class _RowShape:
    """How a row of one role, crossed by given merged ranges, is drawn (see :func:`_row_shape`).

    ``fragments`` holds, joined by ``_BETWEEN_FRAGMENTS``, the row's slots with
    every cell empty, then the openings of its text, spaced text and number
    cells (:data:`_Numbered`, with ``_ROW_NUMBER`` for the row's number):
    slots 0 and 1 open the row (its number, then its height), column c takes
    the three slots from ``3 * c - 1`` (the cell up to its value, the value,
    the rest of the cell: an empty cell is all in the first), the last slot
    closes the row; see :func:`_sheet_rows`.  The openings are indexed by
    column (index 0 unused).  ``numbered`` keeps them with the number filled
    in, per row number (see :func:`_numbered`).
    """

    fragments: bytes
    floor: float  # the prototype row's height; 0: none
    #: (single-line length, its height, the heights of longer texts) for the text of the cell, or
    #: None when its text does not decide the row's height (it lies under a merged range of several rows).
    fits: tuple[Optional[tuple[int, float, TextHeights]], ...]
    #: True for a cell under a merged range that is not its top-left cell: its value is dropped.
    covered: tuple[bool, ...]
    numbered: dict = field(default_factory=dict, compare=False, hash=False)
    #: (row number, id of a _FixedRow) → that row as drawn, and the height it needs.
    drawn: dict = field(default_factory=dict, compare=False, hash=False)


#: A shape's fragments for one row number: its slots, and the openings of text, spaced text and
#: number cells.
_Numbered = tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]

#: Row numbers a shape keeps its numbered fragments for (a form of thousands of rows is rare).
_NUMBERED_MAX = 2048


#: Joins a shape's fragments (see :class:`_RowShape`): markup holds no NUL.
_BETWEEN_FRAGMENTS = b"\0"
#: A row's slots (see :class:`_RowShape`), and its openings of cells of one kind (index 0 unused).
_SLOT_COUNT = 3 * LAST + 3
_OPENING_COUNT = LAST + 1


def _numbered(shape: _RowShape, index: int) -> _Numbered:
    """``shape``'s fragments for row ``index``: numbered once per shape and row number, not per
    row drawn, so no row is searched for the placeholder.

    Why one replace over the fragments joined, then one split: a replace per fragment (85 of them,
    through generators) cost ≈ 118,000 instructions a shape and row number, the first forms of a
    batch meet hundreds of them (−31 M instructions writing 300 forms of distinct texts).
    """
    parts = shape.fragments.replace(_ROW_NUMBER, str(index).encode()).split(_BETWEEN_FRAGMENTS)
    text = _SLOT_COUNT
    spaced_text = text + _OPENING_COUNT
    number = spaced_text + _OPENING_COUNT
    numbered = (tuple(parts[:text]), tuple(parts[text:spaced_text]), tuple(parts[spaced_text:number]),
                tuple(parts[number:]))
    if len(shape.numbered) < _NUMBERED_MAX:
        shape.numbered[index] = numbered
    return numbered


def _row_shapes(style: CompiledStyle, roles: list[str], merges: list[tuple[int, int, int, int]]) -> list[_RowShape]:
    """The shape of every row; a sheet's rows share a handful of shapes."""
    prototypes = style.rows
    cuts: list[list[_Cut]] = [[] for _ in roles]
    for first_row, first_col, last_row, last_col in merges:
        start_xf = prototypes[roles[first_row - 1]].xfs[first_col - 1]
        end_border = prototypes[roles[last_row - 1]].border_ids[last_col - 1]
        if last_row == first_row:
            cuts[first_row - 1].append((first_col, last_col, start_xf, end_border, False, 0))
            continue
        cuts[first_row - 1].append((first_col, last_col, start_xf, end_border, True, 0))
        # Why one cut for every middle row, appended in a loop of its own: a range of several rows
        # crosses most of them (a table's 绩效指标 runs down all its rows), and a cut made and placed
        # row by row cost ≈ 1,800 instructions a row crossed (−9 M instructions on the 81 structures of
        # 300 forms of distinct texts).
        middle = (first_col, last_col, start_xf, end_border, True, 1)
        for cut in cuts[first_row:last_row - 1]:
            cut.append(middle)
        cuts[last_row - 1].append((first_col, last_col, start_xf, end_border, True, 2))
    memo = style.memo
    shapes = []
    for role, cut in zip(roles, cuts):
        key = ("shape", role, tuple(cut))
        shape = memo.get(key)
        if shape is None:
            shape = memo[key] = _row_shape(style, role, cut)
        shapes.append(shape)
    return shapes


def _row_shape(style: CompiledStyle, role: str, cut: list[_Cut]) -> _RowShape:
    """A row of ``role`` crossed by the merged ranges ``cut``: its cells' formats as openpyxl leaves
    them once merged, and the width each cell's text wraps in (that of the range when merged across)."""
    prototype = style.rows[role]
    cells = list(_role_fragments(style, role))
    widths: list[Optional[float]] = list(style.column_widths)
    covered = [False] * (LAST + 1)
    for first_col, last_col, start_xf, end_border, tall, position in cut:
        cells[first_col - 1:last_col] = _merge_block(style, start_xf, end_border, tall, first_col, last_col)[position]
        widths[first_col - 1:last_col] = [None] * (last_col - first_col + 1)
        if not tall:
            widths[first_col - 1] = sum(style.column_widths[first_col - 1:last_col])
        for col in range(first_col + 1 if position == 0 else first_col, last_col + 1):
            covered[col] = True
    fits = []
    for width, size in zip(widths, prototype.font_sizes):
        size = float(size or DEFAULT_FONT_SIZE)
        fits.append(None if width is None else (*single_line(width, size), text_heights(width, size)))
    empty, text, spaced_text, number = zip(*cells)
    slots = [b'<row r="' + _ROW_NUMBER + b'"', b">"]
    for cell in empty:
        slots += (cell, b"", b"")
    slots.append(b"</row>")
    fragments = _BETWEEN_FRAGMENTS.join((*slots, b"", *text, b"", *spaced_text, b"", *number))
    return _RowShape(fragments, prototype.height or 0.0, (None, *fits), tuple(covered))


#: Forms of the same structure (roles of their rows, merged ranges) share their row shapes and
#: ``<mergeCells>``; a batch holds a few hundred structures at most, and this many are kept.
_STRUCTURES_MAX = 1024


#: The merged ranges of several rows, by their first row: (column of their text, last row, the
#: heights of texts in their width and font, the least height of their rows, the length up to
#: which a text with no line break has room in those: see :func:`roomy_length`).
_TallStarts = dict[int, tuple[tuple[int, int, TextHeights, float, int], ...]]


#: Merged ranges of several rows kept measured (see :func:`_tall_starts`): a batch's forms hold a
#: few hundred kinds (a run of n indicator rows, a table of n rows …), and this many are kept.
_TALL_RANGES_MAX = 1024


def _tall_starts(style: CompiledStyle, roles: list[str], merges: list[tuple[int, int, int, int]]) -> _TallStarts:
    """Where the merged ranges of several rows start (see :func:`raised_for_tall_merges`).

    Why a range's measures are kept by its columns and the roles of its rows: they depend on
    nothing else, and most ranges recur from form to form (the 一级 and 二级指标 runs, the
    tables' 绩效指标 and 复核问题): measured for each form of a new structure, they cost ≈ 420,000
    instructions a form (−20 M instructions on the 81 structures of 300 forms of distinct texts).
    """
    measured = style.memo.get("tall ranges")
    if measured is None:
        measured = style.memo["tall ranges"] = BoundedMemo(functools.partial(_tall_range, style), _TALL_RANGES_MAX)
    starts: dict[int, list[tuple[int, int, TextHeights, float, int]]] = {}
    for first_row, first_col, last_row, last_col in merges:
        if last_row > first_row:
            heights, floors, roomy = measured[first_col, last_col, *roles[first_row - 1:last_row]]
            starts.setdefault(first_row, []).append((first_col, last_row, heights, floors, roomy))
    return {row: tuple(ranges) for row, ranges in starts.items()}


def _tall_range(style: CompiledStyle, key: tuple) -> tuple[TextHeights, float, int]:
    """A range merged over columns ``first_col`` to ``last_col`` of rows of ``roles`` (``key``: the
    two, then the roles): the heights of texts in its width and font, the least height of its rows,
    and the length up to which a text with no line break has room in those (see :func:`roomy_length`)."""
    first_col, last_col, *roles = key
    size = float(style.rows[roles[0]].font_sizes[first_col - 1] or DEFAULT_FONT_SIZE)
    width = sum(style.column_widths[first_col - 1:last_col])
    floors = sum(style.rows[role].height or 0.0 for role in roles)
    return text_heights(width, size), floors, roomy_length(width, size, floors)


def _structure(style: CompiledStyle, roles: list[str], merges: list[tuple[int, int, int, int]]
               ) -> tuple[list[_RowShape], bytes, _TallStarts]:
    """The row shapes, the ``<mergeCells>`` element and the merged ranges of several rows of a form
    laid out as ``roles`` and ``merges``."""
    structures = style.memo.get("structures")
    if structures is None:
        structures = style.memo["structures"] = {}
    key = (tuple(roles), tuple(merges))
    found = structures.get(key)
    if found is None:
        merge_xml = b""
        if merges:
            merge_xml = (f'<mergeCells count="{len(merges)}">'
                         + "".join(f'<mergeCell ref="{_LETTERS[first_col - 1]}{first_row}:'
                                   f'{_LETTERS[last_col - 1]}{last_row}"/>'
                                   for first_row, first_col, last_row, last_col in merges)
                         + "</mergeCells>").encode()
        if len(structures) >= _STRUCTURES_MAX:
            structures.clear()
        found = structures[key] = (_row_shapes(style, roles, merges), merge_xml, _tall_starts(style, roles, merges))
    return found


def _decimal_text(text: str) -> Optional[bytes]:
    """What :func:`exact_number` stores for the Decimal written ``text`` (its ``str()``), as written in
    the cell, up to the cell's end; None: the cell stays empty (NaN, infinities)."""
    stored = exact_number(Decimal(text))
    return None if stored is None else f"{stored:.16g}</v></c>".encode()


#: Entries each of these memos holds at most (emptied when full: a worker stays the same size).
_MEMO_MAX = NUMBERS_KEPT
#: A Decimal's ``str()`` → its cell's number as written and the cell's end ("12.5</v></c>"):
#: weights and scores repeat from form to form.  Why keyed by the text and not by the Decimal:
#: hashing a Decimal takes a modular power (~6,000 instructions, paid once per object, and most
#: values reach the writer as fresh objects), str() a third of that.  The text also tells 0 from
#: -0 (written "0" and "-0"), which are one Decimal key, and a signalling NaN, which cannot be hashed.
_DECIMAL_TEXT: BoundedMemo[str, Optional[bytes]] = BoundedMemo(_decimal_text, _MEMO_MAX)
#: Row height → the attributes closing a ``<row>`` tag (rounded as fit_heights rounds).
_HEIGHT_ATTRIBUTES: BoundedMemo[float, bytes] = BoundedMemo(
    lambda needed: f' ht="{round(needed, 1):.16g}" customHeight="1">'.encode(), _MEMO_MAX)


def _other_cell(opening_text: bytes, opening_number: bytes, value: object) -> Optional[bytes]:
    """The cell of a value the layout does not usually produce (int, bool, …), as :func:`cell_value`
    stores it; None when it is stored empty."""
    value = cell_value(value)
    kind = value.__class__
    if value is None:
        return None
    if kind is float or kind is int:
        if value == value and value != _INFINITY and value != -_INFINITY:
            return opening_number + f"{value:.16g}</v></c>".encode()
        return None
    if kind is bool:
        return opening_number.replace(b' t="n"', b' t="b"') + str(int(value)).encode() + b"</v></c>"
    # Shown as text rather than lost.
    return opening_text + escape_text(str(value)).encode("utf-8", _NOT_UTF8) + b"</t></is></c>"


def _percentage_cell(style: CompiledStyle, col: int, row: int, value: Percentage, opening_text: bytes) -> bytes:
    """The cell of a percentage in ``col`` (of row ``row``) of an indicator row: its fraction, in the
    column's cell format with the percent number format (compiled with the template: see
    ``_style_template.FIGURE_COLUMNS``); in any other column, which has none, its text as written.

    Why built here and not from the row's fragments: a row holds two at most."""
    xf = style.percent_xfs.get((col, value.places))
    if xf is None:
        return opening_text + value.text.encode() + _TEXT_END
    return f'<c r="{_LETTERS[col - 1]}{row}" s="{xf}" t="n"><v>{_PERCENT_VALUES[value.text]}</v></c>'.encode()


def _note_tall_texts(ends: TallEnds, starts: tuple[tuple[int, int, TextHeights, float, int], ...],
                     values: dict[int, CellValue] | list[CellValue], row: int) -> None:
    """Note in ``ends`` the height the text of each merged range of several rows starting on ``row``
    needs (as :func:`fit_heights` finds it), unless its rows' least heights give it room: then no
    row of it can be raised (most ranges: 一级指标 names, 复核问题, amounts)."""
    indicator = values.__class__ is list  # an indicator row (see _Layout.write_indicators)
    for col, last_row, heights, floors, short in starts:
        if indicator:
            place = _INDICATOR_PLACES.get(col, len(values))
            value = values[place] if place < len(values) else None
        else:
            value = values.get(col)
        if value.__class__ is not str or (len(value) <= short and "\n" not in value):
            continue
        value = cell_value(value)
        if value.__class__ is str:
            required = heights[value]
            if required > floors:
                ends.setdefault(last_row, []).append((required, row))


def _sheet_rows(style: CompiledStyle, layout: _Layout, shapes: list[_RowShape], tall: _TallStarts
                ) -> tuple[list[bytes], list[float]]:
    """Every ``<row>`` of the sheet as UTF-8, each with the height its wrapped text needs (see
    :func:`fit_heights`), and those heights (0: none).

    Values are converted here as :func:`cell_value` would (Decimal → float, text cleaned, "" →
    empty), inline: this loop runs for every cell of every form.
    """
    out = []
    decimal_text, height_attributes = _DECIMAL_TEXT, _HEIGHT_ATTRIBUTES
    opening_at, value_at, end_at, text_end = _OPENING, _VALUE, _END, _TEXT_END
    ends: TallEnds = {}
    drawn_heights: list[float] = []  # the height every row so far needs (0: none)
    index = 0
    for values, shape in zip(layout.values, shapes):
        index += 1
        if index in tall:
            _note_tall_texts(ends, tall[index], values, index)
        fixed = values.__class__ is _FixedRow and index not in ends  # a row that may be raised is drawn anew
        if fixed:
            drawn = shape.drawn.get((index, id(values)))
            if drawn is not None:
                out.append(drawn[0])
                drawn_heights.append(drawn[1])
                continue
        slots, text, spaced_text, number = shape.numbered.get(index) or _numbered(shape, index)
        slots = list(slots)
        needed = shape.floor
        fits, covered = shape.fits, shape.covered
        for col, value in zip(_INDICATOR_COLUMNS, values) if values.__class__ is list else values.items():
            if covered[col]:
                continue
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                # Printable text has no control character, so neither "\r" (escaped) nor "\n" (a line
                # break): most text is, and is asked less.
                printable = value.isprintable()
                if not printable or len(value) > EXCEL_MAX_TEXT:
                    value = excel_text(value)
                    if not value:
                        continue
                escaped = value
                if "&" in value or "<" in value or ">" in value or (not printable and "\r" in value):
                    escaped = escape_text(value)
                try:
                    encoded = escaped.encode()
                except UnicodeEncodeError:  # lone surrogates; a safety net, excel_text drops them above
                    encoded = escaped.encode("utf-8", _NOT_UTF8)
                # Leading or trailing blanks (what str.strip() removes) need xml:space.
                slots[opening_at[col]] = spaced_text[col] if value.strip() != value else text[col]
                slots[value_at[col]] = encoded
                slots[end_at[col]] = text_end
                fit = fits[col]
                if fit is not None:
                    length, height, heights = fit
                    size = len(value)
                    if not printable and "\n" in value:
                        height = heights[value]
                    elif size > length:
                        # A text that needs no more than the row does even if all its characters
                        # were wide cannot raise it: not measured (a fifth of the texts in column
                        # order, at ≈ 13,000 instructions each: ≈ 50 M on 300 workbooks).
                        widest = heights.widest
                        if size >= WIDEST_KEPT or widest[size] > needed:
                            # Printable text has no lone surrogate, so was encoded as is; escaping
                            # adds ASCII only.
                            height = (heights.measured(value, len(encoded) - len(escaped)) if printable
                                      else heights[value])
                    if height > needed:
                        needed = height
            elif kind is Decimal:
                formatted = decimal_text[str(value)]
                if formatted is not None:
                    slots[opening_at[col]] = number[col]
                    slots[value_at[col]] = formatted
            elif value is None:  # the cell stays as written when empty
                continue
            elif kind is float:
                if value == value and value != _INFINITY and value != -_INFINITY:  # else: no value, left empty
                    slots[opening_at[col]] = number[col]
                    slots[value_at[col]] = f"{value:.16g}</v></c>".encode()
            elif kind is Percentage:
                slots[opening_at[col]] = _percentage_cell(style, col, index, value, text[col])
            else:
                cell = _other_cell(text[col], number[col], value)
                if cell is not None:
                    slots[opening_at[col]] = cell
        if index in ends:
            needed = raised_for_tall_merges(needed, index, ends, drawn_heights)
        if needed > MAX_ROW_HEIGHT:
            needed = MAX_ROW_HEIGHT
        if needed:
            slots[1] = height_attributes[needed]
        row = b"".join(slots)
        drawn_heights.append(needed)
        if fixed and len(shape.drawn) < _NUMBERED_MAX:
            shape.drawn[index, id(values)] = (row, needed)
        out.append(row)
    return out, drawn_heights


def _sheet_xml(style: CompiledStyle, layout: _Layout, selected: bool) -> tuple[bytes, Pages]:
    """The worksheet XML of one form, cell formats taken from the compiled template, and how it prints."""
    shapes, merge_xml, tall = _structure(style, layout.roles, layout.merges)
    rows, heights = _sheet_rows(style, layout, shapes, tall)
    height, default_height = _page_height(style)
    if default_height is not None:  # the template has rows of no height of their own
        heights = [needed or default_height for needed in heights]
    pages = paginate(heights, layout.roles, FormRows(layout.print_title_row, layout.total_row, layout.issue_row),
                     layout.merges[slice(*layout.level2_runs)], height)
    tail = style.sheet_tail[selected]
    if pages.breaks:  # after the page setup and header/footer, the worksheet's last element
        tail = tail[:-len(_WORKSHEET_END)] + row_breaks_xml(pages.breaks) + _WORKSHEET_END
    dimension = f'<dimension ref="A1:{_LETTERS[-1]}{len(layout.roles)}"/>'.encode()
    # One join: concatenating the rows to their tags would copy all of them once per tag.
    return b"".join([style.sheet_head[selected], dimension, style.sheet_middle[selected], b"<sheetData>", *rows,
                     b"</sheetData>", merge_xml, tail]), pages


_WORKSHEET_END = b"</worksheet>"


def _page_height(style: CompiledStyle) -> tuple[Optional[float], Optional[float]]:
    """What a printed page of the template's setup holds (see :func:`page_height`), and the sheet's
    default row height if a row may take it (None: every kind of row has a height of its own, so
    every row drawn has one); once per template."""
    found = style.memo.get("page height")
    if found is None:
        if not style.sheet_tail[True].endswith(_WORKSHEET_END):  # never so as openpyxl writes it: no breaks
            height = None
        else:
            setup = print_setup_of_xml(style.sheet_head[True], style.sheet_tail[True])
            height = page_height(setup, style.column_widths, default_font_size_of_xml(style.styles))
        default_height = None
        if not all(row.height for row in style.rows.values()):
            default_height = default_row_height_of_xml(style.sheet_middle[True])
        found = style.memo["page height"] = (height, default_height)
    return found


_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
_SHEET_CONTENT_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
                       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELATIONSHIP = '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}" Id="rId{n}"/>'
_SHEET_ENTRY = ('<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                'name="{name}" sheetId="{n}" state="visible" r:id="rId{n}"/>')


#: Parts that depend only on the number of sheets are compressed once per count up to this many.
_SHARED_SHEET_COUNTS = 16

#: A part of the package kept compressed by its bytes among the last ones met (see :func:`_zip`).
_RECENT = "recent"
#: How many such parts are kept: a few hundred bytes each, compressed.
_RECENT_PARTS_MAX = 64

#: A part of the package: its name, bytes, and what it is the same for (see :func:`_zip`).
_Part = tuple[str, bytes, Optional[tuple | str]]


def _package(style: CompiledStyle, sheets: list[_SheetPart], styles: bytes) -> list[_Part]:
    """Every part of the .xlsx package, in the order openpyxl writes them.

    Each with the key under which its compressed form is kept (the parts every
    file shares, and those that depend only on the number of sheets), _RECENT
    for small parts that often recur from file to file, or None when it is
    compressed for this file alone.
    """
    count = len(sheets)
    names = [f'<definedName name="{name}" localSheetId="{index}">{value}</definedName>'
             for index, sheet in enumerate(sheets) for name, value in sheet.names]
    workbook = b"".join((
        style.workbook_head,
        ("<sheets>" + "".join(_SHEET_ENTRY.format(name=escape_attribute(sheet.title), n=n)
                              for n, sheet in enumerate(sheets, start=1))
         + "</sheets>" + ("<definedNames>" + "".join(names) + "</definedNames>" if names else "")).encode("utf-8"),
        style.workbook_tail,
    ))
    relationships, content_types = _sheet_count_parts(count)
    modified = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    by_count = (count,) if count <= _SHARED_SHEET_COUNTS else None
    return [
        ("docProps/app.xml", style.app, ()),
        ("docProps/core.xml", style.core.replace(MODIFIED_PLACEHOLDER, modified), _RECENT),
        ("xl/theme/theme1.xml", style.theme, ()),
        *((f"xl/worksheets/sheet{n}.xml", sheet.xml, None) for n, sheet in enumerate(sheets, start=1)),
        ("xl/styles.xml", styles, () if styles is style.styles else ("base data",)),
        ("_rels/.rels", style.root_rels, ()),
        ("xl/workbook.xml", workbook, _RECENT),
        ("xl/_rels/workbook.xml.rels", relationships, by_count),
        ("[Content_Types].xml", content_types, by_count),
    ]


@functools.lru_cache(maxsize=2 * _SHARED_SHEET_COUNTS)
def _sheet_count_parts(count: int) -> tuple[bytes, bytes]:
    """``workbook.xml.rels`` and ``[Content_Types].xml`` of a package of ``count`` sheets (memoised:
    they depend on nothing else, and most files have one or two sheets)."""
    relationships = "".join(_RELATIONSHIP.format(kind="worksheet", target=f"/xl/worksheets/sheet{n}.xml", n=n)
                            for n in range(1, count + 1))
    relationships += _RELATIONSHIP.format(kind="styles", target="styles.xml", n=count + 1)
    relationships += _RELATIONSHIP.format(kind="theme", target="theme/theme1.xml", n=count + 2)
    return (('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             + relationships + "</Relationships>").encode(),
            _CONTENT_TYPES.format(sheets="".join(_SHEET_CONTENT_TYPE.format(n=n) for n in range(1, count + 1))).encode())


def _deflated_part(part: tuple[str, bytes]) -> ZipMember:
    return deflated(*part)


#: (name, bytes) → the part compressed.  Why: compressing a part of a few hundred bytes takes
#: ~150,000 instructions (most of them to set up the compressor), and core.xml is the same for
#: every file saved within the same second, workbook.xml for forms of the same sheet titles and
#: number of rows (123 different ones in 300 workbooks).
_RECENT_PARTS: BoundedMemo[tuple[str, bytes], ZipMember] = BoundedMemo(_deflated_part, _RECENT_PARTS_MAX)


def _zip(style: CompiledStyle, parts: list[_Part]) -> bytes:
    """The package as a zip archive; a part with a key is compressed once per process and key, a
    _RECENT part once per recent bytes."""
    members = []
    for name, data, shared in parts:
        if shared is None:
            members.append(deflated(name, data))
            continue
        if shared == _RECENT:
            members.append(_RECENT_PARTS[name, data])
            continue
        key = ("zip", name, *shared)
        member = style.memo.get(key)
        if member is None:
            member = style.memo[key] = deflated(name, data, SHARED_LEVEL)
        members.append(member)
    return zip_archive(members)
