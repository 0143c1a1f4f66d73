"""The F2 base data (部门整体支出绩效评价基础数据表) as a sheet of the scored department workbook.

The department's scores are computed from these figures, so the scored
workbook carries them beside the F3 scoring sheet: an officer checks
"40.6/42=96.67%" against the 政府采购金额 row without opening the input.

Layout (columns A–D)::

    部门整体支出绩效评价基础数据表
    （2019年度）
    填报单位：<unit>                                  单位：万元
    <the unit's notes above the staffing, if any ("说明：…"), a row each>
    财政供养人员情况 | 编制数 | 2019年实际在职人数 | 控制率
                     |   12   |        12          | 100.00%
    <the unit's notes between the staffing and the amounts, if any>
    经费控制情况     | 2018年决算数 | 2019年预算数 | 2019年决算数
    <every line of the form's amounts table, in form order, as written: a rate ("95.01%") as a
     number shown as a percentage, a note ("注：…") across the sheet>
    来源：<file>（工作表：<sheet>）

What the unit wrote in its F2's other columns goes right of D, a column each (E, F …, in the
input's column order; the staffing's and the amounts' apart, each under its own heading row): its
own 控制率 or 实有人数 beside the counts, a 备注 or a block's further columns (楼堂馆所控制情况 |
… | 预算投资 | 实际投资 | 投资概算控制率) beside the lines, a number as a number, a rate as a
percentage and anything else as text; a row with cells there only (a block of its own right of the
table) is a line of its text across the sheet.  Most F2 have none: their sheet is A–D.

The sheet is first laid out as rows of cells, each named by its role (what it
is: ``"title"``, ``"amount"`` …); then drawn either on an openpyxl worksheet
(:func:`add_base_data_sheet`: the public API, and the reference of the scored
workbook) or as worksheet XML in the scored workbook's package
(:func:`base_data_sheet_xml`), whose cell formats were compiled with the style
template: each role's format as openpyxl gives it, merged ranges included
(``_style_template.BaseDataXml``).  Why not openpyxl in the batch: drawing the
sheet with it cost ~18 M instructions a department workbook (15 % of a cold pass
over the 22 of a 1,000-file inbox), and a batch then had to import it.
"""
from __future__ import annotations

import copy
import functools
import re
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from .._columns import column_letters
from ..model import BaseData, BaseLine, DepartmentForm, FormResult
from ._cell import CellValue, cell_value, write_cell
from ._display import PERCENT_PLACES_MAX, finite_float, percent_format, percentage
from ._sheet_titles import unique_sheet_titles
from ._style_template import merge_cells
from ._text_measure import excel_row_height, line_height, lines_needed
from ._xml import NOT_UTF8, escape_text

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

    from ._style_template import BaseDataXml

TITLE = "部门整体支出绩效评价基础数据表"
MONEY_UNIT = "单位：万元"
STAFF_LABEL = "财政供养人员情况"
AMOUNTS_LABEL = "经费控制情况"
LABEL, PRIOR, BUDGET, FINAL = 1, 2, 3, 4
LAST = FINAL
COLUMN_WIDTHS = {"A": 40, "B": 17, "C": 21, "D": 17}
EXTRA_WIDTH = 16  # each column of what the unit wrote beside the table (right of D)

FONT_NAME = "宋体"
TEXT_SIZE = 10
NOTE_SIZE = 9
MONEY_FORMAT = "#,##0.00##"  # 万元 to the yuan (4 places) when the form gives them
STAFF_FORMAT = "0"
RATE_FORMAT = "0.00%"
HEADER_FILL = "DDEBF7"

#: Fonts and alignments by name, as openpyxl's Font and Alignment arguments.
_FONTS = {
    "title": {"sz": 16, "b": True},
    "text": {"sz": TEXT_SIZE},
    "bold": {"sz": TEXT_SIZE, "b": True},
    "note": {"sz": NOTE_SIZE, "color": "595959"},
}
_ALIGNMENTS = {
    "center": {"horizontal": "center", "vertical": "center", "wrap_text": True},
    "right": {"horizontal": "right", "vertical": "center"},
    "left": {"horizontal": "left", "vertical": "center", "wrap_text": True},
    "indent1": {"horizontal": "left", "vertical": "center", "wrap_text": True, "indent": 1},
    "indent2": {"horizontal": "left", "vertical": "center", "wrap_text": True, "indent": 2},
}


@dataclass(frozen=True)
class CellFormat:
    """How a cell looks: a font and an alignment of the tables above, its number format, whether
    thin borders box it and whether the header fill fills it."""

    font: str = "text"
    alignment: str = "left"
    number_format: Optional[str] = None
    boxed: bool = True
    filled: bool = False


#: Role of a cell → its format.  Roles of the same format stay apart where a merged range makes
#: them differ: the staffing caption (A4) is merged down over the cell below it (A5).
FORMATS = {
    "title": CellFormat("title", "center", boxed=False),
    "year": CellFormat("text", "center", boxed=False),
    "unit": CellFormat(boxed=False),
    "money_unit": CellFormat(alignment="right", boxed=False),
    "header": CellFormat("bold", "center", filled=True),
    "staff_caption": CellFormat("bold", "center", filled=True),
    "under_staff_caption": CellFormat(filled=True),
    "staff_count": CellFormat(alignment="right", number_format=STAFF_FORMAT),
    "control_rate": CellFormat(alignment="right", number_format=RATE_FORMAT),
    "line_label": CellFormat(),
    "numbered_line_label": CellFormat(alignment="indent1"),
    "of_which_line_label": CellFormat(alignment="indent2"),
    "amount": CellFormat(alignment="right", number_format=MONEY_FORMAT),
    "amount_text": CellFormat(alignment="center"),
    "source": CellFormat("note", boxed=False),
    "unit_note": CellFormat(boxed=False),  # a note the unit wrote ("注：…"), merged across the sheet
    # A rate the unit wrote in an amount column ("95.01%"): a number shown with the decimals written.
    **{f"rate{places}": CellFormat(alignment="right", number_format=percent_format(places))
       for places in range(PERCENT_PLACES_MAX + 1)},
}
#: Line label roles by indent level (see :func:`label_indent`).
_LABEL_ROLES = ("line_label", "numbered_line_label", "of_which_line_label")



#: Workbook → role → the cell style openpyxl made of the role's format in that workbook (its style
#: tables only grow, so the style stays valid).
_WORKBOOK_STYLES: weakref.WeakKeyDictionary[Workbook, dict[str, StyleArray]] = weakref.WeakKeyDictionary()

# "1、…" / "（1）…" rows sit under a heading row; "其中：…" rows under those.
_NUMBERED = re.compile(r"^(\d+|[一二三四五六七八九十]+)[、.．]|^[（(]\d+[）)]")
_OF_WHICH = re.compile(r"^\s*其中")


def add_base_data_sheet(workbook: Workbook, base: BaseData, title: str, *, index: Optional[int] = None) -> Worksheet:
    """Add a sheet named ``title`` (made valid and unique) rendering ``base``; return it.

    ``index`` places the sheet (as :meth:`openpyxl.Workbook.create_sheet`); by default it is appended.
    """
    sheet = workbook.create_sheet(base_data_title(workbook.sheetnames, title), index)
    draw_base_data(sheet, lay_out_base_data(base))
    return sheet


def add_base_data_sheets(workbook: Workbook, forms: list[FormResult]) -> list[Worksheet]:
    """One base-data sheet per department form that has its F2, appended in form order.

    Call it once the forms' own sheets exist, so the new titles cannot take theirs.
    """
    return [add_base_data_sheet(workbook, base, base.sheet) for base in bases_of(forms)]


def bases_of(forms: list[FormResult]) -> list[BaseData]:
    """The F2 of each department form that has one, in form order."""
    return [result.form.base for result in forms
            if isinstance(result.form, DepartmentForm) and result.form.base is not None]


def base_data_title(taken: list[str], name: str) -> str:
    """The title of a base data sheet named ``name`` (the F2's own sheet name) beside sheets ``taken``."""
    return unique_sheet_titles([*taken, name or TITLE])[-1]


def year_headers(year: Optional[int]) -> tuple[str, str, str]:
    """Headers of the three amount columns: "2018年决算数" … when the year is known."""
    if year is None:
        return "上年决算数", "本年预算数", "本年决算数"
    return f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数"


def label_indent(label: str) -> int:
    if _OF_WHICH.match(label):
        return 2
    if _NUMBERED.match(label.strip()):
        return 1
    return 0


# -- layout -------------------------------------------------------------------------

#: A cell of the sheet: its column, role (a key of FORMATS) and value as the model has it.
_Cell = tuple[int, str, CellValue]


@dataclass
class BaseDataLayout:
    """The sheet as rows: ``rows[i]`` is (height, cells) of sheet row ``i + 1``."""

    rows: list[tuple[float, list[_Cell]]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col
    last_column: int = LAST  # right of D when the unit wrote beside the table

    @property
    def last_letter(self) -> str:
        return column_letters(self.last_column)

    def add(self, height: float, *cells: _Cell) -> int:
        self.rows.append((height, list(cells)))
        return len(self.rows)

    def merge_across(self, row: int, first_col: int, last_col: int) -> None:
        self.merges.append((row, first_col, row, last_col))

    def merge_across_sheet(self, row: int) -> None:
        self.merge_across(row, LABEL, self.last_column)

    @property
    def width(self) -> float:
        """The width of all the sheet's columns, in characters."""
        return sum(COLUMN_WIDTHS.values()) + EXTRA_WIDTH * (self.last_column - LAST)


def lay_out_base_data(base: BaseData) -> BaseDataLayout:
    """Every row, cell and merged range of ``base``'s sheet."""
    layout = BaseDataLayout()
    staff_extra = [base.staff_extra] if base.staff_extra is not None else []
    staff_columns = _extra_columns(base.staff_extra_headings, staff_extra)
    amount_columns = _extra_columns(base.extra_headings, base.lines)
    layout.last_column = max([LAST, *staff_columns.values(), *amount_columns.values()])
    _lay_out_title(layout, base)
    _lay_out_notes(layout, base.notes.get("staff", ()))
    _lay_out_staffing(layout, base, staff_columns)
    _lay_out_notes(layout, base.notes.get("amounts", ()))
    _lay_out_amounts(layout, base, amount_columns)
    note = f"来源：{base.file}（工作表：{base.sheet}）"
    row = layout.add(_text_height(note, layout.width, 16, NOTE_SIZE), (LABEL, "source", note))
    layout.merge_across_sheet(row)
    return layout


def _extra_columns(headings: dict[str, str], lines: list[BaseLine]) -> dict[str, int]:
    """Input column letter → sheet column of what ``headings`` and ``lines`` hold beside the table:
    right of D, in the input's order, none left empty."""
    letters = set(headings)
    for line in lines:
        if line.extra_amounts or line.extra_texts:
            letters.update(line.extra_amounts, line.extra_texts)
    ordered = sorted(letters, key=lambda letter: (len(letter), letter))
    return {letter: LAST + number for number, letter in enumerate(ordered, start=1)}


def _extra_cells(columns: dict[str, int], line: Optional[BaseLine], number_role: str = "amount") -> list[_Cell]:
    """``line``'s cells beside the table, in ``columns``: a number in ``number_role``, text as
    :func:`_text_cell`; an empty box where it wrote nothing."""
    cells = []
    for letter, column in columns.items():
        amount = line.extra_amounts.get(letter) if line is not None else None
        text = line.extra_texts.get(letter) if line is not None else None
        cells.append((column, number_role, amount) if amount is not None or not text else _text_cell(column, text))
    return cells


def _extra_height(cells: list[_Cell], minimum: float) -> float:
    """The height of a row whose cells beside the table wrap in their column: ``minimum`` at least."""
    return max([minimum, *(_text_height(value, EXTRA_WIDTH, minimum, TEXT_SIZE) for _, _, value in cells
                           if value.__class__ is str)])


def _text_height(text: str, width: float, minimum: float, size: float) -> float:
    """The height of a row whose text wraps in ``width``: what its lines need, ``minimum`` at least."""
    return excel_row_height(max(minimum, lines_needed(text, width, size) * line_height(size) + 4))


def _lay_out_notes(layout: BaseDataLayout, notes) -> None:
    """The unit's notes ("注：…", "说明：…"), a row each across the sheet, as it wrote them: forms.md
    carries every field over, and a note says how to read the figures beside it."""
    width = layout.width
    for note in notes:
        row = layout.add(_text_height(note, width, 18, TEXT_SIZE), (LABEL, "unit_note", note))
        layout.merge_across_sheet(row)


def _lay_out_title(layout: BaseDataLayout, base: BaseData) -> None:
    layout.merge_across_sheet(layout.add(30, (LABEL, "title", TITLE)))
    if base.year is not None:
        layout.merge_across_sheet(layout.add(18, (LABEL, "year", f"（{base.year}年度）")))
    unit = f"填报单位：{base.unit or '未填'}"
    width = COLUMN_WIDTHS["A"] + COLUMN_WIDTHS["B"] + COLUMN_WIDTHS["C"]
    row = layout.add(_text_height(unit, width, 20, TEXT_SIZE), (LABEL, "unit", unit), (FINAL, "money_unit", MONEY_UNIT))
    layout.merge_across(row, LABEL, BUDGET)


def _lay_out_staffing(layout: BaseDataLayout, base: BaseData, columns: dict[str, int]) -> None:
    actual_header = f"{base.year}年实际在职人数" if base.year is not None else "实际在职人数"
    headings = [(column, "header", base.staff_extra_headings.get(letter)) for letter, column in columns.items()]
    header = layout.add(_extra_height(headings, 22), (LABEL, "staff_caption", STAFF_LABEL), (PRIOR, "header", "编制数"),
                        (BUDGET, "header", actual_header), (FINAL, "header", "控制率"), *headings)
    # A count written in words ("十二") is carried as written: the officer sees what the unit sent.
    counts = [(column, "staff_count", count if count is not None else base.staff_texts.get(name))
              for column, count, name in ((PRIOR, base.staff_quota, "quota"), (BUDGET, base.staff_actual, "actual"))]
    # A count beside the counts (实有人数) as they are; a fraction (a 控制率 typed 0.96) with its decimals.
    written = [(column, "amount" if role == "staff_count" and value is not None and value != int(value) else role,
                value) for column, role, value in _extra_cells(columns, base.staff_extra, "staff_count")]
    row = layout.add(_extra_height(written, 20), (LABEL, "under_staff_caption", None), *counts,
                     (FINAL, "control_rate", _control_rate(base)), *written)
    layout.merges.append((header, LABEL, row, LABEL))


def _lay_out_amounts(layout: BaseDataLayout, base: BaseData, columns: dict[str, int]) -> None:
    headings = [(column, "header", base.extra_headings.get(letter)) for letter, column in columns.items()]
    layout.add(_extra_height(headings, 22), (LABEL, "header", AMOUNTS_LABEL),
               *((column, "header", text) for column, text in zip((PRIOR, BUDGET, FINAL), year_headers(base.year))),
               *headings)
    for line in base.lines or _lines_of(base):
        if line.note or line.text_row:
            _lay_out_notes(layout, (line.label,))
            continue
        label = line.label.strip()
        indent = label_indent(label)
        cells = [(LABEL, _LABEL_ROLES[indent], label or None)]
        for column, name in ((PRIOR, "prior_final"), (BUDGET, "budget"), (FINAL, "final")):
            amount = line.amounts.get(name)
            if amount is None and name in line.texts:  # "—", a heading such as "年初预算", a rate "95.01%"
                cells.append(_text_cell(column, line.texts[name]))
            else:
                cells.append((column, "amount", amount))
        height = _text_height(label, COLUMN_WIDTHS["A"] - 2 * indent, 18, TEXT_SIZE)
        if columns:
            extra = _extra_cells(columns, line)
            height = _extra_height(extra, height)
            cells.extend(extra)
        layout.add(height, *cells)


def _text_cell(column: int, text: str) -> _Cell:
    """What the unit wrote in an amount column other than an amount: a rate ("95.01%", "-4.41%") as a
    number shown as a percentage, as written, so that an officer can sort and check it; anything
    else ("—", "年初预算", "约95%") as text."""
    rate = percentage(text) if text[-1:] in "%％" else None
    return (column, f"rate{rate.places}", rate) if rate is not None else (column, "amount_text", text)


def _lines_of(base: BaseData) -> list[BaseLine]:
    """The lines of a :class:`BaseData` made without a sheet (no ``lines``): one per row it names."""
    return [BaseLine(label=amounts.label, amounts={name: value for name, value in (
        ("prior_final", amounts.prior_final), ("budget", amounts.budget), ("final", amounts.final)) if value is not None})
        for amounts in base.rows.values()]


def _control_rate(base: BaseData) -> Optional[float]:
    """实际在职人数 / 编制数, unrounded (the cell shows 2 decimals of a percent)."""
    if base.staff_quota is None or base.staff_actual is None or base.staff_quota == 0:
        return None
    return finite_float(Decimal(base.staff_actual) / Decimal(base.staff_quota))


def specimen_layout() -> BaseDataLayout:
    """A sheet with a cell of every role: the style template's compile reads their formats off it."""
    line = BaseLine("1、公务用车购置和维护经费", {"prior_final": Decimal("3.2")}, {"budget": "—"})
    rates = [f"{1:.{places}f}%" for places in range(PERCENT_PLACES_MAX + 1)]  # a rate of every role
    rate_lines = [BaseLine("预算执行率", texts=dict(zip(("prior_final", "budget", "final"), rates[first:first + 3])))
                  for first in range(0, len(rates), 3)]
    base = BaseData(file="specimen.xlsx", sheet=TITLE, unit="某局", year=2019, staff_quota=Decimal(12),
                    staff_actual=Decimal(11),
                    lines=[BaseLine("三公经费"), line, BaseLine("其中：公车运行维护"), *rate_lines,
                           BaseLine("注：一条说明。", note=True)])
    return lay_out_base_data(base)


# -- drawing on an openpyxl worksheet ----------------------------------------------------


def draw_base_data(sheet: Worksheet, layout: BaseDataLayout) -> None:
    """Draw ``layout`` on an empty openpyxl ``sheet``."""
    styles = _WORKBOOK_STYLES.setdefault(sheet.parent, {})
    for number, (height, cells) in enumerate(layout.rows, start=1):
        sheet.row_dimensions[number].height = height
        for column, role, value in cells:
            cell = sheet.cell(number, column)
            write_cell(cell, value)
            # openpyxl finds a style's index by hashing it, attribute by attribute, on every
            # assignment: each role's format is assigned once per workbook, then copied.
            style = styles.get(role)
            if style is None:
                _apply_format(cell, FORMATS[role])
                styles[role] = copy.copy(cell._style)
            else:
                cell._style = copy.copy(style)
    for first_row, first_col, last_row, last_col in layout.merges:
        merge_cells(sheet, first_row, first_col, last_row, last_col)
    set_up_base_data_sheet(sheet)
    for column in range(LAST + 1, layout.last_column + 1):
        sheet.column_dimensions[column_letters(column)].width = EXTRA_WIDTH
    sheet.print_area = f"A1:{layout.last_letter}{len(layout.rows)}"


def _apply_format(cell, cell_format: CellFormat) -> None:
    border, fill, fonts, alignments = _openpyxl_styles()
    cell.font, cell.alignment = fonts[cell_format.font], alignments[cell_format.alignment]
    if cell_format.boxed:
        cell.border = border
    if cell_format.number_format:
        cell.number_format = cell_format.number_format
    if cell_format.filled:
        cell.fill = fill


@functools.cache
def _openpyxl_styles() -> tuple:
    """The thin box, the header fill, and the fonts and alignments by name, as openpyxl objects."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    return (Border(left=thin, right=thin, top=thin, bottom=thin), PatternFill("solid", fgColor=HEADER_FILL),
            {name: Font(name=FONT_NAME, **arguments) for name, arguments in _FONTS.items()},
            {name: Alignment(**arguments) for name, arguments in _ALIGNMENTS.items()})


def set_up_base_data_sheet(sheet: Worksheet) -> None:
    """The column widths, print setup and view of the sheet: the same for every F2."""
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.sheet_view.showGridLines = False


# -- drawing as worksheet XML -------------------------------------------------------------


def base_data_sheet_xml(parts: BaseDataXml, layout: BaseDataLayout) -> bytes:
    """The worksheet XML of ``layout``, cell formats and everything around ``<sheetData>`` taken from the
    compiled template (the sheet is never the selected one)."""
    xfs = parts.xfs
    out = []
    for number, (height, cells) in enumerate(layout.rows, start=1):
        out.append(f'<row r="{number}" ht="{height:.16g}" customHeight="1">')
        for column, role, value in cells:
            xf, styled = xfs[role]
            opening = f'<c r="{column_letters(column)}{number}"' + (f' s="{xf}"' if styled else "")
            value = cell_value(value)
            if value is None:
                if styled:
                    out.append(opening + "/>")
            elif value.__class__ is str:
                space = ' xml:space="preserve"' if value.strip() != value else ""
                out.append(f'{opening} t="inlineStr"><is><t{space}>{escape_text(value)}</t></is></c>')
            else:
                out.append(f'{opening} t="n"><v>{value:.16g}</v></c>')
        out.append("</row>")
    merges = "".join(f'<mergeCell ref="{column_letters(first_col)}{first_row}:{column_letters(last_col)}{last_row}"/>'
                     for first_row, first_col, last_row, last_col in layout.merges)
    middle = parts.sheet_middle
    if layout.last_column > LAST:  # the columns beside the table, after A–D's, as openpyxl writes them
        widths = "".join(f'<col width="{EXTRA_WIDTH}" customWidth="1" min="{column}" max="{column}"/>'
                         for column in range(LAST + 1, layout.last_column + 1))
        middle = middle.replace(b"</cols>", widths.encode() + b"</cols>", 1)
    return b"".join([
        parts.sheet_head, f'<dimension ref="A1:{layout.last_letter}{len(layout.rows)}"/>'.encode(), middle,
        b"<sheetData>", "".join(out).encode("utf-8", NOT_UTF8), b"</sheetData>",
        f'<mergeCells count="{len(layout.merges)}">{merges}</mergeCells>'.encode(), parts.sheet_tail,
    ])
