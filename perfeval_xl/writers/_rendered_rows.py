"""Rows of summary.xlsx's long tables rendered as worksheet XML ahead of time.

xlsxwriter spends several microseconds on every cell (argument checks, a cell
object, then the XML when the row is flushed), and 问题清单 of a large batch has
hundreds of thousands of cells: that was most of the end-of-batch time.  So each
row of 汇总 and 问题清单 is rendered once, when its file's result arrives (in a
worker process, if need be), into the very XML xlsxwriter writes in
``constant_memory`` mode, with placeholders for what only the workbook knows:

- the row number (:data:`ROW`);
- the cell formats, whose indices the workbook hands out: one placeholder per
  style name (:data:`STYLES`);
- a number known only when the table is written (:data:`LATER` in the row,
  :data:`LATER_MARK` in the XML: 汇总's 排名).

Rendering also measures each cell: the column width it needs and the lines it
wraps onto.  A row's height does not depend on the final column widths (see
:func:`_measure`), so it is settled here too.  :func:`write_rendered_rows` then
fills in the placeholders and writes the rows straight into the worksheet.

The placeholders are control characters that :func:`~._display.excel_text`
removes from every text, so no text can be taken for one.  Text is escaped as
xlsxwriter escapes it, with one exception: xlsxwriter passes text that looks
like rich-text XML (``<r>…</r>``) through unescaped, here it stays text.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Iterable, Mapping, Optional, Protocol, Sequence

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ._display import EXCEL_MAX_TEXT, LEVEL_LABELS, amount, excel_text
from ._text_measure import excel_row_height, line_height, line_width, line_widths, text_width, wrapped_lines

FONT_SIZE = 10
#: Column units added to the widest text of a column (cell margins, filter button).
CELL_PADDING = 1.5
#: Points added to the lines of a data row.
ROW_PADDING = 5

#: Placeholder of the row number, in the row tag and every cell reference.
ROW = "\x00"
#: Placeholder of a number filled in when the table is written (:data:`LATER`).
LATER_MARK = "\x0e"
#: Placeholder of each style name's format index.
STYLES = {"text": "\x01", "center": "\x02", "level": "\x03", "score": "\x04", "integer": "\x05",
          "money": "\x06", "percent": "\x07", "error": "\x08"}
#: How every rendered row ends (text cannot contain it: "<" is escaped).
ROW_END = b"</row>"

#: xlsxwriter's default row height in pixels: a row of that height gets no ``ht`` attribute.
_DEFAULT_ROW_PIXELS = 20
# What xlsxwriter escapes in an inline string: "_xHHHH_" literals (by escaping the
# underscore) and the control characters XML cannot hold (as _xHHHH_).
_ESCAPE_LITERAL = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


class Column(Protocol):
    kind: str  # "text" | "center" | "level" (错误 in red) | "score" | "integer" | "money" | "percent"
    max_width: float


class _Later:
    """A number in a row that is known only when the table is written (see :data:`LATER`)."""

    def __repr__(self) -> str:
        return "LATER"


LATER = _Later()


def style_of(column: Column, value: object) -> str:
    """The style name of a data cell: its column's kind, but a 错误 level stands out."""
    return "error" if column.kind == "level" and value == LEVEL_LABELS["error"] else column.kind


def shown(value: object, kind: str) -> str:
    """The text a cell shows, for measuring."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    number = float(value)
    if kind == "percent":
        return f"{number:.2%}"
    if kind == "integer":
        return f"{number:.0f}"
    if kind == "money":
        return f"{number:,.2f}"
    return f"{number:.2f}"


def width_needed(column: Column, text: str) -> float:
    """Column units ``text`` needs in ``column``, up to the column's maximum (longer text wraps)."""
    return min(text_width(text, FONT_SIZE) + CELL_PADDING, column.max_width)


def render_rows(columns: Sequence[Column], rows: Iterable[list]) -> tuple[bytes, list[float]]:
    """``rows`` as worksheet XML with placeholders, and the width each column needs for them.

    A Decimal shows as its 2-place float, None as a blank cell; :data:`LATER`
    as a number filled in by the caller (not measured).
    """
    plans = _column_plans(tuple(columns))
    widths = [0.0] * len(plans)
    xml: list[bytes] = []
    for row in rows:
        lines = 1
        cells = []
        for index, (plan, value) in enumerate(zip(plans, row)):
            if value.__class__ is str:
                # Files repeat their names, sheets, levels and actions on every row, and many
                # messages recur across files: a column renders each short text once.
                rendered = plan.texts.get(value)
                if rendered is None:
                    rendered = plan.text(value)
            elif value is None:
                rendered = plan.blank
            elif value is LATER:
                cells.append(plan.later)
                continue
            elif isinstance(value, str):
                rendered = _text_cell(plan.starts[style_of(plan.column, value)], value, plan.max_width)
            else:
                if isinstance(value, Decimal):
                    value = amount(value)
                rendered = _number_cell(plan.starts[plan.kind], value, plan.kind, plan.max_width)
            xml_cell, needed, cell_lines = rendered
            cells.append(xml_cell)
            if needed > widths[index]:
                widths[index] = needed
            if cell_lines > lines:
                lines = cell_lines
        xml.append(_row_start(lines))
        xml.extend(cells)
        xml.append(ROW_END)
    return b"".join(xml), widths


class _ColumnPlan:
    """What rendering a cell of one column needs, worked out once per column.

    Cells are rendered as UTF-8 bytes (see :func:`_text_cell`).
    """

    __slots__ = ("column", "kind", "max_width", "starts", "blank", "later", "texts")

    def __init__(self, column: Column, starts: dict[str, str]):
        self.column, self.kind, self.max_width, self.starts = column, column.kind, column.max_width, starts
        self.blank = _number_cell(starts[column.kind], None, "text", column.max_width)
        self.later = f"{starts[column.kind]}><v>{LATER_MARK}</v></c>".encode()
        self.texts: dict[str, tuple[bytes, float, int]] = {}  # short text → rendered cell

    def text(self, value: str) -> tuple[bytes, float, int]:
        global _memo_entries
        rendered = _text_cell(self.starts[style_of(self.column, value)], value, self.max_width)
        if len(value) <= _CACHED_TEXT_LENGTH and value not in self.texts:  # long texts are not kept
            if _memo_entries >= _CACHED_TEXTS:
                # Full: the column adding (mostly one of unique texts, such as 问题) starts afresh.
                _memo_entries -= len(self.texts)
                self.texts.clear()
            self.texts[value] = rendered
            _memo_entries += 1
        return rendered


@functools.lru_cache(maxsize=16)
def _column_plans(columns: tuple[Column, ...]) -> tuple[_ColumnPlan, ...]:
    """The plans of ``columns``: the same plans (and their memos) for the same columns.

    Cheap to look up for every file's 汇总 row and 问题清单 rows because a Column hashes by its
    identity (see summary_xlsx.Column)."""
    return tuple(_ColumnPlan(column, starts) for column, starts in zip(columns, _cell_starts(columns)))


def _text_cell(start: str, text: str, max_width: float) -> tuple[bytes, float, int]:
    """A text cell's XML (``start``: its reference and format), the width it needs and the lines it wraps onto.

    The XML is encoded here, cell by cell, not row by row: the cells a column renders once
    (:class:`_ColumnPlan`) come back on every row of a file, and joining bytes is a copy, where
    a table's text would be widened to UCS-2 by its Chinese and encoded whole.  A lone
    surrogate (a file name that is not valid UTF-8) cannot go into XML: it becomes "?".
    """
    if text.isprintable() and "_x" not in text and len(text) <= _PLAIN_TEXT_MAX:
        # Most texts: one line that excel_text and _inline_string leave as it is, but for the
        # markup it escapes.  Their steps taken inline, once each (the text was scanned twice
        # for controls, built up by three concatenations, measured through four calls): ~40 %
        # fewer instructions for a text met once, as most 问题 and 指标 names are.  Printable
        # text holds no lone surrogate, so it encodes as it is.  Its width is measured from the
        # cell's UTF-8: all but the text is ASCII, and escaping adds ASCII only, so the bytes the
        # cell takes beyond one a character are the text's, which is not encoded a second time
        # to count its wide characters (−10 M instructions for the summary records of 300
        # workbooks of distinct texts).
        cell = f'{start} t="inlineStr"><is><t{_markup(text)}</t></is></c>'
        xml = cell.encode()
        width = line_width(text, FONT_SIZE, len(xml) - len(cell))
        needed = width + CELL_PADDING  # as _measure measures one line
        if needed <= max_width:
            return xml, needed, 1
        return xml, max_width, wrapped_lines([width], max_width)
    return _text_cell_the_long_way(start, text, max_width)


def _text_cell_the_long_way(start: str, text: str, max_width: float) -> tuple[bytes, float, int]:
    """:func:`_text_cell` for any text: cut, cleaned, escaped and measured line by line."""
    xml = start + ' t="inlineStr"><is><t' + _inline_string(excel_text(text)) + "</t></is></c>"
    return (xml.encode("utf-8", "replace"), *_measure(text, max_width))


#: The longest text :func:`_text_cell` takes the short way: up to it neither excel_text nor
#: :func:`_excel_limit` (which counts UTF-16 units, two for a character beyond U+FFFF) cuts it.
_PLAIN_TEXT_MAX = EXCEL_MAX_TEXT // 2


# Texts up to this length are rendered once per column (see _ColumnPlan), up to this many in all
# (about 1 MB: most texts of real forms never recur, so more would hold little that is used again).
_CACHED_TEXT_LENGTH = 200
_CACHED_TEXTS = 4096
# Entries in the memos of every column together: they are bounded together.  A module's global,
# not an attribute of _ColumnPlan: setting a class's attribute gives the class a new version, and
# every attribute and method of its instances read by the interpreter's specialised instructions
# (plan.texts, plan.text, plan.blank ...) then takes the slow path until they adapt again; with a
# write per text rendered, the summary record of 300 workbooks of distinct texts cost 23 M
# instructions (2.6 %) more.
_memo_entries = 0


def _number_cell(start: str, value: Optional[float], kind: str, max_width: float) -> tuple[bytes, float, int]:
    rest = "/>" if value is None else f"><v>{value:.16G}</v></c>"
    return ((start + rest).encode(), *_measure(shown(value, kind), max_width))


def _measure(text: str, max_width: float) -> tuple[float, int]:
    """The width ``text`` needs (up to ``max_width``) and the lines it wraps onto in its column.

    The lines do not depend on the width the rest of the table gives the
    column: that is at least what this cell needs, up to ``max_width``.  So
    text that fits in ``max_width`` keeps its own lines, and longer text makes
    the column exactly ``max_width`` wide.
    """
    widths = line_widths(text, FONT_SIZE)  # measured once, for the width and for the lines
    needed = max(widths) + CELL_PADDING
    if needed <= max_width:
        return needed, len(widths)
    return max_width, wrapped_lines(widths, max_width)


def _inline_string(text: str) -> str:
    """The rest of a ``<t`` element holding ``text``, escaped as xlsxwriter escapes it."""
    text = _excel_limit(text)
    if "_x" in text or not text.isprintable():
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", _ESCAPE_LITERAL.sub(r"_x005F\1", text))
    return _markup(text)


def _markup(text: str) -> str:
    """The rest of a ``<t`` element holding ``text`` once its controls are written out: the
    space attribute it needs and the text with its markup escaped."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"{space}>{text}"


def _excel_limit(text: str) -> str:
    """Text cut to Excel's limit in UTF-16 units (a character beyond U+FFFF counts twice)."""
    if len(text) <= _PLAIN_TEXT_MAX or len(text.encode("utf-16-le", "surrogatepass")) <= 2 * EXCEL_MAX_TEXT:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > EXCEL_MAX_TEXT:
            return text[:index]
    return text


@functools.lru_cache(maxsize=64)  # Why cached: nearly every row has one to a few lines
def _row_start(lines: int) -> bytes:
    """The ``<row>`` tag xlsxwriter writes for a row of ``lines`` lines of text (its height set in points)."""
    height = excel_row_height(lines * line_height(FONT_SIZE) + ROW_PADDING)
    pixels = int(height * 4.0 / 3.0 + 0.5)  # as Worksheet.set_row rounds it
    if pixels == _DEFAULT_ROW_PIXELS:
        return f'<row r="{ROW}">'.encode()
    return f'<row r="{ROW}" ht="{pixels * 0.75:.16g}" customHeight="1">'.encode()


@functools.cache
def _cell_starts(columns: tuple[Column, ...]) -> tuple[dict[str, str], ...]:
    """Per column, the start of a cell's XML (reference and format placeholder) for each style name."""
    return tuple({style: f'<c r="{xl_col_to_name(col)}{ROW}" s="{code}"' for style, code in STYLES.items()}
                 for col in range(len(columns)))


def write_rendered_rows(sheet: Worksheet, first_row: int, columns: int, blocks: Iterable[bytes],
                        styles: Mapping[str, int]) -> int:
    """Write rendered rows of ``columns`` columns into a ``constant_memory`` worksheet from ``first_row`` on.

    ``first_row`` is 0-based; ``blocks`` hold any number of whole rows each,
    :data:`LATER_MARK` filled in; ``styles`` gives the format index of each
    style name.  Returns the number of rows written.  Nothing may be written
    to those rows afterwards.

    This goes past xlsxwriter's public API, to the row file it keeps in
    ``constant_memory`` mode: the row it holds (the header) is flushed first,
    as its own next write would do, and afterwards it is told where the sheet
    now ends.
    """
    if not sheet.constant_memory:
        raise ValueError("rendered rows can only go into a constant_memory worksheet")
    sheet._write_single_row(first_row)
    out = sheet.row_data_fh
    out.flush()  # the text layer's buffer first: the rows go to the bytes beneath it
    raw = out.buffer
    numbering = RowNumbering(first_row, styles)
    for block in blocks:
        raw.write(numbering.rows(block))  # one write per block, not two per row
    written = numbering.last_row - first_row
    rows_written(sheet, first_row, written, columns)
    return written


class RowNumbering:
    """Fills in rendered rows' placeholders, block after block: the format indices of their styles
    and their row numbers, counting on from ``first_row`` (0-based)."""

    def __init__(self, first_row: int, styles: Mapping[str, int]):
        self.last_row = first_row  # 1-based number of the last row numbered (0-based: the one before)
        self._placeholders = [(STYLES[name].encode(), str(index).encode()) for name, index in styles.items()]

    def rows(self, block: bytes) -> bytes:
        """``block`` (whole rows, :data:`LATER_MARK` filled in) as the sheet's XML."""
        for placeholder, index in self._placeholders:
            if placeholder in block:
                block = block.replace(placeholder, index)
        rows = block.split(ROW_END)
        del rows[-1]  # what follows the last row's end: nothing
        row, number = _ROW_MARK, self.last_row
        for at, xml in enumerate(rows):
            number += 1  # 1-based in the XML
            rows[at] = xml.replace(row, b"%d" % number)
        self.last_row = number
        rows.append(b"")
        return ROW_END.join(rows)


_ROW_MARK = ROW.encode()


def rows_written(sheet: Worksheet, first_row: int, rows: int, columns: int) -> None:
    """Tell a ``constant_memory`` worksheet that ``rows`` rows of ``columns`` columns from ``first_row``
    (0-based) on were written past it: where the sheet now ends, and that they are taken."""
    if rows:
        sheet._check_dimensions(first_row, 0)
        sheet._check_dimensions(first_row + rows - 1, columns - 1)
        sheet.previous_row = first_row + rows  # rows up to the last one written are refused from now on
