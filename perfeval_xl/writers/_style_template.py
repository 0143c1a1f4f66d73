"""The style template of the scored form (项目支出绩效自评表_复核.xlsx).

The template is a small sample of the scored form.  Each kind of row the writer
produces has one prototype row there, marked by a workbook defined name
``style_<role>`` (e.g. ``style_indicator``).  The writer copies each prototype's
cell styles column by column, its row height, the sheet's column widths and its
page setup.  A bureau can therefore restyle the template in Excel (fonts,
borders, fills, number formats, widths, margins, header/footer) and every
scored form follows; Excel keeps the names pointing at the right rows when rows
are inserted or moved.

Two ways to use it:

- :func:`load_scored_form_style` opens the template with openpyxl; output
  sheets are then built inside that workbook, so copied styles refer to the
  template's own style tables (the reference writer, and ``build_templates``).
- :func:`compiled_scored_form_style` does that once per process and template
  file and keeps the result as XML: the style sheet (``styles.xml``) with the
  cell format (xf) of every prototype cell, the xf openpyxl gives to each cell of
  a merged range, the column widths and fonts needed for row heights, and the
  worksheet XML around ``<sheetData>`` (sheet properties, views, columns, print
  options, margins, page setup, header/footer), all as openpyxl writes them;
  and the same for the F2 base data sheet of a department workbook, whose cell
  formats join the template's in a second style sheet (:class:`BaseDataXml`).
  The scored form writer fills in the rows without parsing the template again.

The compiled form of the shipped template ships beside it as plain data
(``templates/项目支出绩效自评表_复核.compiled.json``, written by
``tools/compile_style_template.py``), for the template file of those bytes:
loading it costs a process ~20 M instructions, where compiling cost ~225 M
(2.5 % of a cold pass over 300 workbooks), after importing openpyxl.  A
restyled template is compiled.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import hashlib
import itertools
import json
import os
import re
import threading
import weakref
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ._display import PERCENT_PLACES_MAX, percent_format
from ._templates import SCORED_FORM_STYLE_COMPILED, template_path

# openpyxl is imported where it is used: a batch of the shipped template never needs it, and
# importing it (with numpy and lxml, which it imports when present) cost every batch's process
# ~560 M instructions, ~0.1 s: 7 % of a cold pass over 300 workbooks.
if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

#: Number of columns of the scored form (A … M).
COLUMN_COUNT = 13
#: The columns of an indicator row that may hold a percentage shown as a number (E 年度指标值, F
#: 实际完成值: scored_form.TARGET and ACTUAL), and the decimals it may show (a rulebook's
#: ``percent_places`` reach 6): the compile adds their cell format with each percent number format.
FIGURE_COLUMNS = (5, 6)
PERCENT_PLACES = range(PERCENT_PLACES_MAX + 1)

#: Row kinds of the scored form, in the order they appear on it.
ROLES = (
    "title",         # 项目支出绩效自评表（复核）
    "year",          # （2019年度）
    "name_row",      # 项目名称 | name
    "unit_row",      # 主管部门 | dept | 实施单位 | unit
    "fund_header",   # 项目资金（万元） | | 年初预算数 | 全年预算数 | … | 问题提示
    "fund_line",     # one FundLine; the 预算执行率 scores merged down over all of them
    "goal_header",   # 年度总体目标 | 预期目标 | 实际完成情况
    "goal_text",     # the two goal texts
    "table_header",  # 绩效指标 | 一级指标 | 二级指标 | … | 问题提示
    "indicator",     # one ItemScore
    "total",         # 总分
    "grade",         # 评价等级
    "note",          # 评分规则 and source
    "issue_header",  # 复核问题 | 级别 | 单元格 | 问题
    "issue",         # one form-level Flag
)

NAME_PREFIX = "style_"

_PAGE_SETUP_ATTRIBUTES = (
    "orientation", "paperSize", "scale", "fitToHeight", "fitToWidth",
    "firstPageNumber", "useFirstPageNumber", "pageOrder", "blackAndWhite", "draft",
)


class TemplateError(ValueError):
    """The style template lacks something the writer needs."""


@dataclass
class RowStyle:
    """The styles of one prototype row: per column (1-based) and the row height."""

    cells: dict[int, object]  # column -> openpyxl StyleArray
    height: Optional[float]


@dataclass
class ScoredFormStyle:
    """A loaded style template, ready to receive output sheets."""

    workbook: Workbook
    prototype_sheet: Worksheet
    rows: dict[str, RowStyle]
    template_sheets: list[Worksheet]


def load_scored_form_style(path: Path, replay_merges: bool = False) -> ScoredFormStyle:
    """Open the template and read the styles of its prototype rows.

    ``replay_merges``: load it with :func:`_load_replaying_merges` (what :func:`_compile` does),
    not with openpyxl's ``load_workbook`` (the reference writer's way).  Raises TemplateError
    naming the first ``style_<role>`` name that is missing.
    """
    import openpyxl

    workbook = _load_replaying_merges(path) if replay_merges else openpyxl.load_workbook(path)
    locations = _role_locations(workbook, path)
    sheet_titles = {sheet for sheet, _ in locations.values()}
    if len(sheet_titles) != 1:
        raise TemplateError(f"模板 {path.name} 的样式行应在同一个工作表中，现分布在：{sorted(sheet_titles)}")
    prototype_sheet = workbook[sheet_titles.pop()]
    rows = {role: _row_style(prototype_sheet, row) for role, (_, row) in locations.items()}
    for index, sheet in enumerate(workbook.worksheets):
        # Free the template's titles (复核样式, 说明) for output sheets that may bear them.
        sheet.title = f"~template{index}"
    return ScoredFormStyle(workbook, prototype_sheet, rows, list(workbook.worksheets))


def _role_locations(workbook: Workbook, path: Path) -> dict[str, tuple[str, int]]:
    """Map each role to (sheet title, row number) through its defined name."""
    from openpyxl.utils.cell import range_boundaries

    names = dict(workbook.defined_names.items())
    for sheet in workbook.worksheets:  # names Excel saved as sheet-scoped
        names.update(sheet.defined_names.items())
    locations = {}
    for role in ROLES:
        defined = names.get(NAME_PREFIX + role)
        destinations = list(defined.destinations) if defined is not None else []
        if not destinations:
            raise TemplateError(f"模板 {path.name} 缺少名称 {NAME_PREFIX}{role}（指向 {role} 样式行）")
        sheet_title, ref = destinations[0]
        _, min_row, _, _ = range_boundaries(ref.replace("$", ""))
        locations[role] = (sheet_title, min_row)
    return locations


def _row_style(sheet: Worksheet, row: int) -> RowStyle:
    cells = {col: copy.copy(sheet.cell(row, col)._style) for col in range(1, COLUMN_COUNT + 1)}
    return RowStyle(cells, sheet.row_dimensions[row].height)


def copy_sheet_setup(source: Worksheet, target: Worksheet) -> None:
    """Give ``target`` the column widths, page setup and view options of ``source``."""
    from openpyxl.worksheet.dimensions import ColumnDimension

    for key, dimension in source.column_dimensions.items():
        target.column_dimensions[key] = ColumnDimension(
            target, index=key, width=dimension.width, hidden=dimension.hidden,
            min=dimension.min, max=dimension.max, customWidth=dimension.customWidth,
        )
    for attribute in _PAGE_SETUP_ATTRIBUTES:
        setattr(target.page_setup, attribute, getattr(source.page_setup, attribute))
    target.sheet_properties.pageSetUpPr = copy.copy(source.sheet_properties.pageSetUpPr)
    target.page_margins = copy.copy(source.page_margins)
    target.print_options = copy.copy(source.print_options)
    target.HeaderFooter = copy.copy(source.HeaderFooter)
    target.sheet_view.showGridLines = source.sheet_view.showGridLines
    target.sheet_view.zoomScale = source.sheet_view.zoomScale
    target.sheet_format = copy.copy(source.sheet_format)


def column_width(sheet: Worksheet, column: int) -> float:
    """The width of ``column`` in character units, resolving grouped column ranges."""
    from openpyxl.utils.cell import column_index_from_string

    for key, dimension in sheet.column_dimensions.items():
        low = dimension.min or column_index_from_string(key)
        high = dimension.max or low
        if low <= column <= high and dimension.width:
            return dimension.width
    return sheet.sheet_format.defaultColWidth or 8.43


def remove_template_sheets(style: ScoredFormStyle) -> None:
    """Drop the template's own sheets and style names, leaving only the output."""
    for sheet in style.template_sheets:
        style.workbook.remove(sheet)
    for name in [n for n in style.workbook.defined_names if n.startswith(NAME_PREFIX)]:
        del style.workbook.defined_names[name]
    style.workbook.active = 0
    for index, sheet in enumerate(style.workbook.worksheets):
        # More than one selected tab puts Excel in [Group] mode, where edits hit every sheet.
        sheet.sheet_view.tabSelected = index == 0


class TemplateRowStyler:
    """Styles output rows by copying the template's prototype rows."""

    def __init__(self, style: ScoredFormStyle):
        self._rows = style.rows

    def style_row(self, sheet: Worksheet, row: int, role: str) -> None:
        for column, style_array in self._rows[role].cells.items():
            sheet.cell(row, column)._style = copy.copy(style_array)

    def height(self, role: str) -> Optional[float]:
        return self._rows[role].height


# ---------------------------------------------------------------------------------
# The compiled template: everything the XML writer needs, computed once per process
# ---------------------------------------------------------------------------------

#: Shapes of a merged range as seen by openpyxl's border rules: rows (1 or "several")
#: × columns.  A position in a real range maps onto one of these (see :func:`merge_position`).
_MERGE_SHAPES = ((1, 3), (3, 1), (3, 3))

_MODIFIED_SENTINEL = datetime.datetime(1901, 1, 1)


def merge_position(index: int, length: int) -> tuple[int, int]:
    """(shape length, position) of cell ``index`` along a merged range of ``length`` cells.

    openpyxl gives the cells of a merged range borders by whether they lie on
    its first or last row/column; a range of one row (or column) has both.
    """
    if length == 1:
        return 1, 0
    return 3, (0 if index == 0 else 2 if index == length - 1 else 1)


@dataclass(frozen=True)
class RowXml:
    """A prototype row: per column (index 0 = A) its xf, whether the cell is written when empty, and its font size."""

    xfs: tuple[int, ...]
    border_ids: tuple[int, ...]
    styled: tuple[bool, ...]
    font_sizes: tuple[Optional[float], ...]
    height: Optional[float]


@dataclass(frozen=True)
class BaseDataXml:
    """The F2 base data sheet as compiled with the template (see :mod:`.base_data_sheet`)."""

    xfs: dict[str, tuple[int, bool]]  # role → (xf, written when empty)
    sheet_head: bytes  # worksheet XML up to <dimension>
    sheet_middle: bytes  # after <dimension> up to <sheetData>
    sheet_tail: bytes  # after </sheetData> and its <mergeCells>
    #: ``styles.xml`` of a package holding the sheet: the template's cell formats, then the sheet's.
    styles: bytes


@dataclass(frozen=True)
class CompiledStyle:
    """A style template as XML parts (see the module docstring)."""

    rows: dict[str, RowXml]
    column_widths: tuple[float, ...]  # A … M
    #: (xf of the range's top-left cell as drawn, border of its bottom-right cell as drawn,
    #: shape rows, shape columns, row position, column position) → (xf, written when empty)
    #: of that cell once merged.
    merged: dict[tuple[int, int, int, int, int, int], tuple[int, bool]]
    sheet_head: dict[bool, bytes]  # tab selected? → worksheet XML up to <dimension>
    sheet_middle: dict[bool, bytes]  # after <dimension> up to <sheetData>
    sheet_tail: dict[bool, bytes]  # after </sheetData> (mergeCells go first)
    workbook_head: bytes  # workbook.xml up to <sheets>
    workbook_tail: bytes  # workbook.xml after </definedNames>
    root_rels: bytes
    app: bytes
    core: bytes  # with MODIFIED_PLACEHOLDER for the save time
    styles: bytes
    theme: bytes
    base_data: BaseDataXml
    #: (column, decimals) → the xf of an indicator row's cell of that column (FIGURE_COLUMNS) with the
    #: percent number format of that many decimals ("0.00%"), as openpyxl gives it
    percent_xfs: dict[tuple[int, int], int]
    #: Pieces the writer derives from the above and keeps (XML fragments, compressed parts).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


MODIFIED_PLACEHOLDER = _MODIFIED_SENTINEL.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

_COMPILED: dict[tuple[int, int, int, int], CompiledStyle] = {}
_COMPILED_LOCK = threading.Lock()
_COMPILED_MAX = 8


def compiled_scored_form_style(path: Path) -> CompiledStyle:
    """The template at ``path``, compiled (or shipped so: see the module docstring); cached per
    process by file, size and modification time.

    A bureau that edits the template between two runs (or during one) gets the
    new look from the next workbook on.  Raises TemplateError like
    :func:`load_scored_form_style`.
    """
    stat = os.stat(path)
    key = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)  # the file, as it is now
    compiled = _COMPILED.get(key)
    if compiled is None:
        with _COMPILED_LOCK:
            compiled = _COMPILED.get(key)
            if compiled is None:
                compiled = _shipped(Path(path)) or _compile(Path(path))
                if len(_COMPILED) >= _COMPILED_MAX:
                    _COMPILED.clear()
                _COMPILED[key] = compiled
    return compiled


#: The layout of the shipped data (:func:`compiled_as_data`): raised when it changes, so that data
#: of another layout is never read as this one.
SHIPPED_FORMAT = 2
#: The file names openpyxl loads (``load_workbook`` refuses others, as the reference writer then
#: does): a template of another name is refused whatever its bytes.
_OPENPYXL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_SHEET_PARTS = ("sheet_head", "sheet_middle", "sheet_tail")
_PACKAGE_PARTS = ("workbook_head", "workbook_tail", "root_rels", "app", "core", "styles", "theme")


def template_digest(path: Path) -> str:
    """The sha256 of the template file's bytes, in hex: what the shipped data is for."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _shipped(path: Path) -> Optional[CompiledStyle]:
    """The shipped compiled form, if ``path`` holds the bytes it was compiled from; else None."""
    if path.suffix.lower() not in _OPENPYXL_SUFFIXES:
        return None
    try:
        data = json.loads(template_path(SCORED_FORM_STYLE_COMPILED).read_bytes())
    except FileNotFoundError:
        return None
    if data.get("format") != SHIPPED_FORMAT or data.get("template_sha256") != template_digest(path):
        return None
    return compiled_from_data(data)


def compiled_as_data(compiled: CompiledStyle, template_sha256: str) -> dict:
    """``compiled`` as plain data (JSON's types), for the template of that digest."""
    base_data = compiled.base_data
    return {
        "format": SHIPPED_FORMAT,
        "template_sha256": template_sha256,
        "rows": {role: dataclasses.asdict(row) for role, row in compiled.rows.items()},
        "column_widths": compiled.column_widths,
        "merged": [[*key, *value] for key, value in compiled.merged.items()],
        "percent_xfs": [[*key, xf] for key, xf in compiled.percent_xfs.items()],
        **{part: {"selected": getattr(compiled, part)[True].decode(), "other": getattr(compiled, part)[False].decode()}
           for part in _SHEET_PARTS},
        **{part: getattr(compiled, part).decode() for part in _PACKAGE_PARTS},
        "base_data": {"xfs": base_data.xfs, **{part: getattr(base_data, part).decode()
                                               for part in (*_SHEET_PARTS, "styles")}},
    }


def compiled_from_data(data: dict) -> CompiledStyle:
    """The :class:`CompiledStyle` that :func:`compiled_as_data` gave ``data`` of."""
    base_data = data["base_data"]
    return CompiledStyle(
        rows={role: RowXml(**{name: tuple(value) if isinstance(value, list) else value for name, value in row.items()})
              for role, row in data["rows"].items()},
        column_widths=tuple(data["column_widths"]),
        merged={tuple(entry[:6]): tuple(entry[6:]) for entry in data["merged"]},
        percent_xfs={(column, places): xf for column, places, xf in data["percent_xfs"]},
        **{part: {True: data[part]["selected"].encode(), False: data[part]["other"].encode()} for part in _SHEET_PARTS},
        **{part: data[part].encode() for part in _PACKAGE_PARTS},
        base_data=BaseDataXml({role: tuple(xf) for role, xf in base_data["xfs"].items()},
                              **{part: base_data[part].encode() for part in (*_SHEET_PARTS, "styles")}),
    )


def _compile(path: Path) -> CompiledStyle:
    from openpyxl.packaging.extended import ExtendedProperties
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.styles.stylesheet import write_stylesheet
    from openpyxl.workbook._writer import WorkbookWriter
    from openpyxl.writer.theme import theme_xml
    from openpyxl.xml.functions import tostring

    style = load_scored_form_style(path, replay_merges=True)
    workbook = style.workbook
    cell_styles = workbook._cell_styles

    rows = {}
    for role, row_style in style.rows.items():
        arrays = [row_style.cells[col] for col in range(1, COLUMN_COUNT + 1)]
        rows[role] = RowXml(
            xfs=tuple(cell_styles.add(array) for array in arrays),
            border_ids=tuple(array.borderId for array in arrays),
            styled=tuple(any(array) for array in arrays),
            font_sizes=tuple(workbook._fonts[array.fontId].sz for array in arrays),
            height=row_style.height,
        )
    widths = tuple(column_width(style.prototype_sheet, col) for col in range(1, COLUMN_COUNT + 1))
    merged = _merged_styles(workbook, {array for row in style.rows.values() for array in
                                       (StyleArray(a) for a in row.cells.values())})
    percent_xfs = _percent_styles(workbook, style.rows["indicator"])

    heads, middles, tails = {}, {}, {}
    for selected in (True, False):  # a fresh sheet each: openpyxl's writer changes the sheet it writes
        skeleton = workbook.create_sheet(f"~skeleton{int(selected)}")
        copy_sheet_setup(style.prototype_sheet, skeleton)
        skeleton.sheet_view.tabSelected = selected
        heads[selected], middles[selected], tails[selected] = _split_sheet(_worksheet_xml(skeleton), path)
        if not selected:
            workbook.remove(skeleton)

    styles = tostring(write_stylesheet(workbook))  # after every xf above is registered
    theme = workbook.loaded_theme or theme_xml
    theme = theme.encode("utf-8") if isinstance(theme, str) else theme

    for sheet in style.template_sheets:
        workbook.remove(sheet)
    for name in list(workbook.defined_names):  # style names, and any pointing into the template
        del workbook.defined_names[name]
    workbook.active = 0
    writer = WorkbookWriter(workbook)
    workbook_xml = writer.write()
    root_rels = writer.write_root_rels()
    workbook_head, workbook_tail = _split_workbook(workbook_xml, path)

    workbook.properties.creator = "perfeval-xl"
    workbook.properties.modified = _MODIFIED_SENTINEL
    core = tostring(workbook.properties.to_tree())
    if MODIFIED_PLACEHOLDER not in core:
        raise TemplateError(f"模板 {path.name} 的文档属性无法写出")
    app = tostring(ExtendedProperties().to_tree())
    return CompiledStyle(rows, widths, merged, heads, middles, tails, workbook_head, workbook_tail,
                         root_rels, app, core, styles, theme, _compile_base_data(workbook, path), percent_xfs)


def _percent_styles(workbook: Workbook, indicator: RowStyle) -> dict[tuple[int, int], int]:
    """(column, decimals) → the xf of the indicator row's cell of each of FIGURE_COLUMNS given the
    percent number format of that many decimals, as openpyxl's ``number_format`` setter gives it (the
    reference writer sets it so on the cell it styled)."""
    scratch = workbook.create_sheet("~percent-specimen")
    xfs = {}
    for column in FIGURE_COLUMNS:
        for places in PERCENT_PLACES:
            cell = scratch.cell(1, 1)
            cell._style = copy.copy(indicator.cells[column])
            cell.number_format = percent_format(places)
            xfs[column, places] = workbook._cell_styles.add(cell._style)
    workbook.remove(scratch)
    return xfs


def _compile_base_data(workbook: Workbook, path: Path) -> BaseDataXml:
    """The F2 base data sheet's parts: its setup on an empty sheet, and the format of each role as
    openpyxl gives it on a specimen sheet drawn in the template's workbook, whose style tables then
    hold the template's formats and the sheet's."""
    from openpyxl.styles.stylesheet import write_stylesheet
    from openpyxl.xml.functions import tostring

    from .base_data_sheet import draw_base_data, set_up_base_data_sheet, specimen_layout

    skeleton = workbook.create_sheet("~base-data-skeleton")
    set_up_base_data_sheet(skeleton)
    skeleton.sheet_view.tabSelected = False
    head, middle, tail = _split_sheet(_worksheet_xml(skeleton), path)
    specimen = workbook.create_sheet("~base-data-specimen")
    layout = specimen_layout()
    draw_base_data(specimen, layout)
    xfs = {}
    for number, (_, cells) in enumerate(layout.rows, start=1):
        for column, role, _ in cells:
            style = specimen._cells[number, column]._style
            xfs[role] = (workbook._cell_styles.add(style), any(style))
    for sheet in (skeleton, specimen):
        workbook.remove(sheet)
    return BaseDataXml(xfs, head, middle, tail, tostring(write_stylesheet(workbook)))


def _merged_styles(workbook: Workbook, arrays: set) -> dict[tuple[int, int, int, int, int, int], tuple[int, bool]]:
    """The cell format (xf) openpyxl gives each cell of a merged range, for every prototype style.

    openpyxl gives the top-left cell of a merged range the right and bottom
    border of its bottom-right cell, replaces the other cells by blank ones and
    gives those on the range's edges the top-left cell's border on that side.
    Only borders change; :func:`merge_outcomes` works them out.
    """
    from openpyxl.styles.cell_style import StyleArray

    cell_styles = workbook._cell_styles
    outcome = merge_outcomes(workbook, sorted({array.borderId for array in arrays}))
    merged = {}
    for array in sorted(arrays, key=tuple):
        start_xf = cell_styles.add(array)
        for (start_border, end_border, rows, cols, i, j), result in outcome.items():
            if start_border != array.borderId:
                continue
            if (i, j) == (0, 0):  # the top-left cell keeps its font, fill, …: only its border changes
                border_id = result.borderId
                result = StyleArray(array)
                result.borderId = border_id
            merged[start_xf, end_border, rows, cols, i, j] = (cell_styles.add(result), any(result))
    return merged


#: A border added to a cell's border: ("corner", b) is the right and bottom side of border b
#: (what the top-left cell takes from the bottom-right one), (side, b) that side of border b.
_Addend = tuple[str, int]


class _BorderSums:
    """Sums of borders in a workbook's border table, by id: each distinct sum is formed and
    registered once (openpyxl's ``Border.__add__`` and ``IndexedList.add``); asked again, it
    is the id the table gave it, as adding an equal border again would give."""

    def __init__(self, table):
        self.table = table
        self._sums: dict[tuple[int, _Addend], int] = {}

    def plus(self, border_id: int, addend: _Addend) -> int:
        from openpyxl.styles.borders import Border

        key = (border_id, addend)
        found = self._sums.get(key)
        if found is None:
            table = self.table
            side, source = addend
            other = table[source]
            if side == "corner":
                added = Border(right=other.right, bottom=other.bottom)
            else:
                added = Border(**{side: getattr(other, side)})
            found = self._sums[key] = table.add(table[border_id] + added)
        return found


#: Workbook → the sums formed in its border table: kept while the workbook lives, as the table
#: only grows (a workbook may have several F2 base data sheets drawn in it).
_BORDER_SUMS: weakref.WeakKeyDictionary[Workbook, _BorderSums] = weakref.WeakKeyDictionary()


def _border_sums(workbook: Workbook) -> _BorderSums:
    sums = _BORDER_SUMS.get(workbook)
    if sums is None or sums.table is not workbook._borders:
        sums = _BORDER_SUMS[workbook] = _BorderSums(workbook._borders)
    return sums


def _merged_border_ids(table, plus, top_left: int, rows: int, cols: int) -> dict[tuple[int, int], int]:
    """Border id of each cell (i, j) of a merged range of ``rows`` × ``cols`` whose top-left cell
    has border ``top_left`` (its corner added), once openpyxl's ``MergedCellRange.format`` has
    spread that border's sides along the range's edges.  Every other cell is a new MergedCell,
    border 0.  ``plus`` forms and registers each sum, in openpyxl's order (:class:`_BorderSums`).
    """
    ids = {(i, j): 0 for i in range(rows) for j in range(cols)}
    ids[0, 0] = top_left
    edges = {"top": [(0, j) for j in range(cols)], "left": [(i, 0) for i in range(rows)],
             "right": [(i, cols - 1) for i in range(rows)], "bottom": [(rows - 1, j) for j in range(cols)]}
    for side in ("top", "left", "right", "bottom"):  # openpyxl's order
        corner = ids[0, 0]
        line = getattr(table[corner], side)
        if line is not None and line.style is None:
            continue  # openpyxl: a side without a style is not spread
        for cell in edges[side]:
            ids[cell] = plus(ids[cell], (side, corner))
    return ids


def merge_outcomes(workbook: Workbook, borders: list[int]) -> dict[tuple[int, int, int, int, int, int], StyleArray]:
    """(top-left border, bottom-right border, shape rows, shape cols, i, j) → the style of cell
    (i, j) of a merged range of that shape, as openpyxl's ``merge_cells`` leaves it.

    The steps of openpyxl's ``MergedCellRange`` (``_get_borders``, then
    ``Worksheet._clean_merge_range`` and ``format``) replayed on border ids:
    each sum of two borders is openpyxl's own ``Border.__add__``, registered in
    the workbook's border table by its own ``IndexedList.add``, in the order
    openpyxl would register them, so new borders get the ids it would give.
    Why not let openpyxl merge scratch cells, as the writer once did: each of
    its border assignments hashes whole Border objects, and the compile took
    0.085–0.10 s of a worker's start; here each distinct sum is formed once, and
    the whole compile takes 0.04 s.
    ``tests/test_fast_writer.py`` holds this to what openpyxl's own
    ``merge_cells`` leaves, on the shipped template and on one with odd borders,
    so a change in a new openpyxl release fails there.
    """
    from openpyxl.styles.cell_style import StyleArray

    table = workbook._borders
    plus = _border_sums(workbook).plus
    outcome: dict[tuple[int, int, int, int, int, int], StyleArray] = {}
    for start_border in borders:
        for end_border in borders:
            for rows, cols in _MERGE_SHAPES:
                ids = _merged_border_ids(table, plus, plus(start_border, ("corner", end_border)), rows, cols)
                for (i, j), border_id in ids.items():
                    result = StyleArray()
                    result.borderId = border_id
                    outcome[start_border, end_border, rows, cols, i, j] = result
    return outcome


_BINDING_LOCK = threading.Lock()


def _load_replaying_merges(path: Path) -> Workbook:
    """The template as openpyxl's ``load_workbook`` loads it, its merged ranges bound by
    :func:`_bind_merges` in place of openpyxl's ``WorksheetReader.bind_merged_cells``.

    Why: openpyxl binds a merged range cell by cell, each border it adds hashing whole Border
    objects into the border table; the template's 23 ranges took 172 M instructions, half the
    compile.  Why its method is swapped for the load, under a lock (as summary_xlsx swaps
    xlsxwriter's deflate): it is the one step of openpyxl's loading to change, and everything
    else, from the checks of the file type to the order of binding, stays openpyxl's own.
    """
    import openpyxl
    from openpyxl.worksheet._reader import WorksheetReader

    def bind_merged_cells(reader: WorksheetReader) -> None:
        if reader.parser.merged_cells:
            _bind_merges(reader.ws, [merged.ref for merged in reader.parser.merged_cells.mergeCell])

    with _BINDING_LOCK:
        openpyxls = WorksheetReader.bind_merged_cells
        WorksheetReader.bind_merged_cells = bind_merged_cells
        try:
            return openpyxl.load_workbook(path)
        finally:
            WorksheetReader.bind_merged_cells = openpyxls


def _bind_merges(sheet: Worksheet, refs: list[str]) -> None:
    """What openpyxl's ``WorksheetReader.bind_merged_cells`` does to ``sheet``, on style ids (see
    :func:`_merge_on_ids`).

    ``tests/test_fast_writer.py`` holds it to openpyxl's own loading of templates.
    """
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    plus = _border_sums(sheet.parent).plus
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        _merge_on_ids(sheet, min_row, min_col, max_row, max_col, plus)
    sheet.merged_cells = MultiCellRange([CellRange(ref) for ref in refs])  # in file order, as openpyxl


def merge_cells(sheet: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """``sheet.merge_cells(start_row=first_row, …)``, its borders worked out on style ids (see
    :func:`_merge_on_ids`): the same cells, styles and border table, ~10 M instructions fewer for
    the five ranges of an F2 base data sheet.  ``tests/test_base_data_sheet.py`` holds it to
    openpyxl's ``merge_cells``."""
    from openpyxl.worksheet.cell_range import CellRange

    sheet.merged_cells.add(CellRange(min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row))
    _merge_on_ids(sheet, first_row, first_col, last_row, last_col, _border_sums(sheet.parent).plus)


def _merge_on_ids(sheet: Worksheet, min_row: int, min_col: int, max_row: int, max_col: int, plus) -> None:
    """What openpyxl does to the cells of a range it merges (``MergedCellRange``,
    ``Worksheet._clean_merge_range``, ``MergedCellRange.format``), on style ids: the same cells,
    with the same styles, and the same borders registered in the same order.

    Why: openpyxl spreads the borders cell by cell, each one it adds hashing whole Border objects
    into the border table; here each distinct sum is formed once per workbook (``plus``).
    """
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles.cell_style import StyleArray

    workbook = sheet.parent
    protections = workbook._protections
    cells = sheet._cells

    def style_of(cell) -> StyleArray:  # as openpyxl's style descriptors give a cell without one
        if cell._style is None:
            cell._style = StyleArray()
        return cell._style

    start = cells.get((min_row, min_col))
    if start is None:
        start = sheet.cell(min_row, min_col)
    start_style = style_of(start)
    top_left = start_style.borderId
    end = cells.get((max_row, max_col))
    if end is not None:
        top_left = plus(top_left, ("corner", style_of(end).borderId))
    for row, col in itertools.product(range(min_row, max_row + 1), range(min_col, max_col + 1)):
        if (row, col) != (min_row, min_col):
            cells[row, col] = MergedCell(sheet, row, col)
    protection = protections.add(protections[start_style.protectionId])
    ids = _merged_border_ids(workbook._borders, plus, top_left, max_row - min_row + 1, max_col - min_col + 1)
    for (i, j), border_id in ids.items():
        style = style_of(cells[min_row + i, min_col + j])
        style.borderId, style.protectionId = border_id, protection


def _worksheet_xml(sheet: Worksheet) -> bytes:
    from openpyxl.worksheet._writer import WorksheetWriter

    writer = WorksheetWriter(sheet, out=BytesIO())
    writer.write()
    return writer.read()


_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
_SHEETS = re.compile(rb"<sheets\b.*?</sheets>|<sheets\s*/>", re.S)
_DEFINED_NAMES = re.compile(rb"<definedNames\b.*?</definedNames>|<definedNames\s*/>", re.S)


def _split_sheet(xml: bytes, path: Path) -> tuple[bytes, bytes, bytes]:
    dimension = _DIMENSION.search(xml)
    sheet_data = _EMPTY_SHEET_DATA.search(xml)
    if dimension is None or sheet_data is None or dimension.end() > sheet_data.start():
        raise TemplateError(f"模板 {path.name} 的工作表设置无法写出")
    return xml[:dimension.start()], xml[dimension.end():sheet_data.start()], xml[sheet_data.end():]


def _split_workbook(xml: bytes, path: Path) -> tuple[bytes, bytes]:
    sheets = _SHEETS.search(xml)
    if sheets is None:
        raise TemplateError(f"模板 {path.name} 的工作簿结构无法写出")
    tail = _DEFINED_NAMES.sub(b"", xml[sheets.end():], count=1)
    return xml[:sheets.start()], tail
