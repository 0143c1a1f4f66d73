"""Reading one cell of a grid: merged ranges, formulas never calculated, error values."""
from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from collections.abc import Mapping
from typing import Callable
from unicodedata import is_normalized
from decimal import Decimal

from .. import labels
from ..labels import NUMBERED_LINE, nfkc
from ..model import Flag, Source, new_source
from ..values import (PLACEHOLDERS, amount_with_unit, convert_money, float_decimal, format_number, logical_text,
                      to_decimal)
from .grid import Grid, cell_name

_DATE_TYPES = (_dt.date, _dt.datetime, _dt.time)
_MERGED_SCAN = 8  # merged ranges of one column scanned per lookup; more get a row → origin map
# A character each 总分 and footer label starts with.  Normalising a text already in NFKC only takes
# characters out of it (spaces, suffixes, numbering), so a text without any of these is neither.
# Why: table_end is asked of every indicator row, whose first cell is mostly the indicator's name,
# a new text on each row; normalising it cost 27 % of table_end's instructions over 300 forms of
# distinct texts (152 M -> 111 M), 21 % over repetitive ones (129 M -> 102 M).
_END_LABEL_INITIAL = re.compile(
    "[" + "".join(sorted({label[0] for label in labels.TOTAL_ROW_LABELS + labels.FOOTER_PREFIXES})) + "]")
#: The first characters of a note's label ("注：…", "说明：…"): asked of a text's first character only,
#: since 注, 说 and 备 are common inside indicator names (设备, 关注), which would all be normalised.
_NOTE_INITIALS = frozenset(label[0] for label in labels.NOTE_PREFIXES)
_ERROR_VALUES = frozenset({"#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})


def uncalculated_formula(source: Source, what: str) -> Flag:
    """The flag of ``what``'s cell at ``source``: a formula saved without its result (calamine reads it empty)."""
    return Flag(f"{what}单元格是未计算的公式（没有保存计算结果），请用Excel或WPS打开该文件并保存后重新提交", source, "error")


class SheetCells:
    """Cell access on one grid that knows merged ranges and records read flags."""

    def __init__(self, grid: Grid):
        self.grid = grid
        # Why no plain cell → origin map: expanding every merged range cost more than all lookups.
        self._merged_by_column: dict | None = None
        self.plain = not grid.uncalculated and not grid.errors  # no cell can have a read problem but #text
        self._row_labels: dict[int, list[tuple[int, str]]] = {}

    def _merged_index(self) -> dict[int, list[tuple[int, int, int, int]] | dict[int, tuple[int, int]]]:
        """Column → (r0, r1, r0, c0) of the merged ranges crossing it, the last declared first.

        A column crossed by many ranges gets row → origin instead, so that no
        lookup scans more than a few ranges (a hostile sheet may merge every
        other row).
        """
        index: dict = {}
        for r0, c0, r1, c1 in reversed(self.grid.merged):
            # Why the cap: a hostile file may declare a merge over the whole sheet.
            if (r1 - r0 + 1) * (c1 - c0 + 1) > 200_000:
                continue
            entry = (r0, r1, r0, c0)
            for col in range(c0, c1 + 1):
                index.setdefault(col, []).append(entry)
        for col, entries in index.items():
            if len(entries) > _MERGED_SCAN:
                rows: dict[int, tuple[int, int]] = {}
                for r0, r1, origin_row, origin_col in reversed(entries):  # as declared: the last wins
                    origin = (origin_row, origin_col)
                    for row in range(r0, r1 + 1):
                        if row != origin_row or col != origin_col:
                            rows[row] = origin
                index[col] = rows
        self._merged_by_column = index
        return index

    def merged_origin(self, row: int, col: int) -> tuple[int, int] | None:
        """The top-left cell of the merged range that covers (row, col) other than at its top-left.

        Where ranges overlap, the one declared last wins, and a range's own
        top-left cell may still be covered by an earlier one.
        """
        index = self._merged_by_column
        if index is None:
            index = self._merged_index()
        entries = index.get(col)
        if entries is None:
            return None
        if entries.__class__ is dict:
            return entries.get(row)
        for r0, r1, origin_row, origin_col in entries:
            if r0 <= row <= r1 and (row != origin_row or col != origin_col):
                return origin_row, origin_col
        return None

    def merged_origins(self, col: int, first_row: int, stop_row: int) -> dict[int, tuple[int, int]]:
        """Row → :meth:`merged_origin` of (row, col), for every row in [first_row, stop_row) that a
        merged range covers other than at its top-left: a table's lookups in one column, made at once.

        Why the stop: a range may be declared far below the sheet's last row."""
        index = self._merged_by_column
        if index is None:
            index = self._merged_index()
        entries = index.get(col)
        if entries is None:
            return {}
        if entries.__class__ is dict:
            return {row: origin for row, origin in entries.items() if first_row <= row < stop_row}
        origins: dict[int, tuple[int, int]] = {}
        for r0, r1, origin_row, origin_col in entries:  # the last declared first: the first to cover a row wins
            origin = (origin_row, origin_col)
            for row in range(max(r0, first_row), min(r1 + 1, stop_row)):
                if row not in origins and (row != origin_row or col != origin_col):
                    origins[row] = origin
        return origins

    def merged_below(self, row: int, col: int) -> bool:
        """Might a merged range cover a cell of column ``col`` below ``row``?  When not,
        :meth:`merged_origin` is None on every row below."""
        index = self._merged_by_column
        if index is None:
            index = self._merged_index()
        entries = index.get(col, ())
        if entries.__class__ is dict:
            return any(covered > row for covered in entries)
        return any(r1 > row for _, r1, _, _ in entries)

    def row_labels(self, row: int) -> list[tuple[int, str]]:
        """(column, normalised label) of each cell of ``row`` holding text that normalises to
        something, left to right.

        Why: the rows above a form's tables are searched for the labels of the indicator header,
        of the fund block and of the goals; each cell is normalised, and its memo asked, once a
        sheet rather than once a table and a row.
        """
        found = self._row_labels.get(row)
        if found is None:
            rows = self.grid.rows
            values = rows[row] if row < len(rows) else ()
            found = self._row_labels[row] = [(col, label) for col, value in enumerate(values)
                                             if isinstance(value, str) and value and (label := labels.normalise_str(value))]
        return found

    def label_columns(self, row: int, table: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """Field → column of the first cell in ``row`` whose label names that field in ``table``."""
        columns: dict[str, int] = {}
        field_of = labels.spelling_index(table)
        for col, label in self.row_labels(row):
            field_name = field_of.get(label)
            if field_name and field_name not in columns:
                columns[field_name] = col
        return columns

    def labelled_columns(self, row: int, table: dict[str, tuple[str, ...]]) -> dict[str, list[int]]:
        """Field → every column in ``row`` whose label names that field in ``table``, left to right."""
        columns: dict[str, list[int]] = {}
        field_of = labels.spelling_index(table)
        for col, label in self.row_labels(row):
            field_name = field_of.get(label)
            if field_name:
                columns.setdefault(field_name, []).append(col)
        return columns

    def labelled_value(self, row: int, col: int, is_label: Callable[[str], bool],
                       scan: int = 40) -> tuple[str, str, Source | None] | None:
        """(label, value, value's cell) when the cell at (row, col) is a label ``is_label`` accepts.

        The value is written after the label in the same cell ("项目名称：XX项目"),
        or is the first non-empty cell to its right, unless another label comes
        first.  None when the cell is not such a label.  A formula never
        calculated reads as empty: met first, it is the value's cell, with the
        value "" (for the caller to flag with :meth:`problem`).
        """
        value = self.raw(row, col)
        if not isinstance(value, str):
            return None
        head = _label_head(str(value), is_label)
        if head is None:
            return None
        text, rest = head
        if rest:
            return text, rest, self.source(row, col)
        for right in range(col + 1, min(len(self.grid.rows[row]), col + scan)):
            if self.is_merged_continuation(row, right):
                continue
            found_text = self.text(row, right)
            if found_text:
                return (text, "", None) if is_label(found_text) else (text, found_text, self.source(row, right))
            if (row, right) in self.grid.uncalculated:
                return text, "", self.source(row, right)
        return text, "", None

    def value_below(self, row: int, col: int, is_label: Callable[[str], bool],
                    stop_row: int) -> tuple[str, Source] | None:
        """(the value written under the label at (row, col), its cell) when the label has none beside
        it (:meth:`labelled_value` found none), else None.

        The value is the cell under the label's (its merged range's), above ``stop_row``, when the
        row below is a line of values under the label's row: each of its texts under a text of the
        label's row ("项目名称 | 主管部门 | 实施单位" over "XX项目 | XX局 | XX中心"; "填报单位" alone over
        "XX局").  Not a label itself, nor a label with its value ("单位：万元").  Why not any cell
        below: under a 填报单位 left blank stands the table's header.
        """
        if self.text(row, col).rstrip()[-1:] in _COLONS:
            return None  # "填报单位：" says its value follows it: left blank, not written below
        below = row + 1
        while self.merged_origin(below, col) == (row, col):  # a label merged down over two rows
            below += 1
        rows = self.grid.rows
        if below >= min(stop_row, len(rows)):
            return None
        text = text_of(self.merged_raw(below, col))
        if not text or is_label(text) or labels.is_any_label(text) or split_at_label(text)[0] != text \
                or _SECTION_CAPTION.search(labels.compact(text)) or _DATE_LINE.match(labels.compact(text)):
            return None
        for other, value in enumerate(rows[below]):
            if text_of(value) and self.merged_origin(below, other) is None \
                    and not self.text(*(self.merged_origin(row, other) or (row, other))):
                return None  # a text under no text of the label's row: the line below is no line of values
        origin = self.merged_origin(below, col) or (below, col)
        return text, self.source(*origin)

    def source(self, row: int, col: int) -> Source:
        return _source(self.grid.name, row, col)

    def sources(self, row: int, columns: dict[str, int]) -> RowSources:
        """Field → its cell in ``row``, for each field of ``columns``."""
        return self.row_cells(columns).of(row)

    def row_cells(self, columns: dict[str, int]) -> RowCells:
        """The cells of ``columns`` on any row of this sheet; fetch once per table, then call ``of(row)``."""
        return _row_cells(self.grid.name, tuple(columns.items()))

    def as_shown(self, value: object, row: int, col: int) -> object:
        """The raw ``value`` of the cell at (row, col), a number in a percent cell as Excel shows it:
        0.95 in a 0% cell is "95%" (what the unit typed).  An infinite number ("1e999" in the sheet's
        XML) has no Decimal: left as it is, as in any other cell.  (Why the number test first: for an
        .xls, asking Grid.percent parses the workbook's formats.)"""
        if value.__class__ in (int, float) and (row, col) in self.grid.percent:
            number = to_decimal(value)
            if number is not None:
                return f"{format_number(number * 100)}%"
        return value

    def as_written(self, value: object, row: int, col: int) -> object:
        """:meth:`as_shown`, and a number whose format writes words around it with them, as the unit
        sees it: 5 formatted "≤"0"万元" is "≤5万元" (the bare 5 lost the operator and the unit), and
        800000 formatted #,##0,"千元" is "800千元"."""
        shown = self.as_shown(value, row, col)
        words = self.grid.words.get((row, col)) if self.grid.words else None
        if words is None or value.__class__ not in (int, float):
            return shown
        return _with_words(shown, *words)

    def raw(self, row: int, col: int) -> object:
        # Why not grid.value: this is the readers' innermost call; one call level less is measurable.
        rows = self.grid.rows
        if 0 <= row < len(rows):
            values = rows[row]
            if 0 <= col < len(values):
                return values[col]
        return ""

    def merged_raw(self, row: int, col: int) -> object:
        """The value shown in a cell, which for a merged cell is its top-left value."""
        origin = self.merged_origin(row, col)
        return self.raw(*origin) if origin else self.raw(row, col)

    def merged_text(self, row: int, col: int) -> str:
        """The text of the merged range covering (row, col) other than at its top-left, "" when none
        does: what a blank cell under one 偏差原因 merged down several rows says."""
        origin = self.merged_origin(row, col)
        return text_of(self.raw(*origin)) if origin else ""

    def is_merged_continuation(self, row: int, col: int) -> bool:
        return self.merged_origin(row, col) is not None

    def text(self, row: int, col: int) -> str:
        """A cell's text as the unit wrote it (trimmed); normalise only to compare."""
        return text_of(self.raw(row, col))

    def is_total_row(self, row: int, stop_col: int) -> bool:
        """Is the first non-empty cell of ``row`` left of ``stop_col`` 总分/合计/总计?"""
        return self.table_end(row, stop_col) == "total"

    def table_end(self, row: int, stop_col: int) -> str | None:
        """"total" when the first non-empty cell of ``row`` left of ``stop_col`` is 总分/合计/总计,
        "footer" when it starts the lines under a table (单位负责人, 填表人, 联系电话 …), "note" when
        it starts a note under it (填报说明, 注：…), else None."""
        rows = self.grid.rows  # Why not grid.height: a property call costs more than this whole test often does
        return row_end(rows[row] if 0 <= row < len(rows) else (), max(stop_col, 0))

    def problem(self, row: int, col: int, what: str) -> Flag | None:
        """A read error of a cell a scored field needs, or None when the cell reads fine."""
        return self.problem_of(self.raw(row, col), row, col, what)

    def problem_of(self, value: object, row: int, col: int, what: str) -> Flag | None:
        """:meth:`problem` for the cell at (row, col) whose raw value the caller already holds."""
        uncalculated, errors = self.grid.uncalculated, self.grid.errors
        # Why test for emptiness first: most sheets have neither, and this runs for every scored cell.
        if uncalculated and (row, col) in uncalculated:
            return uncalculated_formula(self.source(row, col), what)
        if errors and (row, col) in errors:  # whatever its spelling: LibreOffice's is "Err:522"
            return Flag(f"{what}单元格为错误值{errors[(row, col)].strip() or '#VALUE!'}，请单位修正公式或填写数值",
                        self.source(row, col), "error")
        if isinstance(value, str) and "#" in value and value.strip().upper() in _ERROR_VALUES:
            return Flag(f"{what}单元格为错误值{value.strip()}，请单位修正公式或填写数值", self.source(row, col), "error")
        return None

    def number(self, row: int, col: int, what: str, flags: list[Flag]) -> Decimal | None:
        """A numeric cell (money, weight, score) as Decimal; appends a flag when unreadable."""
        return self.number_of(self.raw(row, col), row, col, what, flags)

    def number_of(self, value: object, row: int, col: int, what: str, flags: list[Flag]) -> Decimal | None:
        """:meth:`number` for the cell at (row, col) whose raw value the caller already holds."""
        if self.plain:
            # Why: most scored cells hold a float or nothing; skip the general path for them.
            cls = value.__class__
            if cls is float:
                if math.isfinite(value):
                    return float_decimal(value)
            elif cls is int:
                return Decimal(value)
            elif value == "":
                return None
        problem = self.problem_of(value, row, col, what)
        if problem:
            flags.append(problem)
            return None
        if isinstance(value, _DATE_TYPES):
            flags.append(Flag(f"{what}单元格是日期，应为数字", self.source(row, col), "error"))
            return None
        number = to_decimal(value)
        if number is None and nfkc(value).replace(" ", "") not in PLACEHOLDERS:
            shown = logical_text(value) if value.__class__ is bool else nfkc(value)
            flags.append(Flag(f"{what}“{shown}”不是数字", self.source(row, col), "error"))
        return number

    def weight(self, row: int, col: int, what: str, flags: list[Flag]) -> Decimal | None:
        """A 分值 cell: :meth:`number`, where a negative number is unreadable too."""
        return self.weight_of(self.raw(row, col), row, col, what, flags)

    def weight_of(self, value: object, row: int, col: int, what: str, flags: list[Flag]) -> Decimal | None:
        """:meth:`weight` for the cell at (row, col) whose raw value the caller already holds.

        Why: every rule scales by the weight, so a weight of −10 gave "得满分-10.00", a
        qualitative band [−8.00, −10.00] and a total below the sum of what was earned.  Read as
        no weight, it is scored as a missing one is, and the cell is named.
        """
        # A 权重 shown as a percentage of the form's 100 points ("10%": the cell holding 0.1, or the
        # text) is the points it shows: read as 0.1, every indicator scored a tenth of a point.
        value = self.as_shown(value, row, col)
        if value.__class__ is str and value.rstrip().endswith(("%", "％")):
            value = value.rstrip()[:-1]
        number = self.number_of(value, row, col, what, flags)
        if number is not None and number < 0:
            flags.append(Flag(f"{what}为负数（{format_number(number)}），不能作为分值", self.source(row, col), "error",
                              "请单位核对分值"))
            return None
        return number

    def money(self, row: int, col: int, what: str, unit: str, flags: list[Flag],
              bare_unit: str | None = None) -> Decimal | None:
        """An amount in ``unit`` ("万元"); one written with another money unit ("1,000,000元" where
        the form is in 万元) is converted, and the conversion flagged.  ``bare_unit``: the unit a
        number written without one is in, when the sheet declares another than ``unit`` (converted
        unflagged: the caller flags the sheet's declaration once)."""
        value = self.raw(row, col)
        words = self.grid.words.get((row, col)) if self.grid.words else None
        if words is not None and value.__class__ in (int, float):
            # As shown, its unit after it ("593,800元"; a bare scale is of 元: "4.8万", "800千"); what is
            # written before it is no amount's (a ¥ is a currency sign).  Shown divided with no word
            # (#,##0,) it is the number shown, in the block's unit; after a word that names no money
            # ("800人"), the number as it is.
            suffix = words[1] + "元" if words[1] in _BARE_SCALES else words[1]
            shown = _with_words(value, "", suffix, words[2])
            if amount_with_unit(shown) is not None or not suffix and words[2]:
                value = shown
        written = amount_with_unit(value)
        if written is None:
            number = self.number_of(value, row, col, what, flags)
            if number is None or bare_unit is None or bare_unit == unit:
                return number
            return convert_money(number, bare_unit, unit)
        number, written_unit = written
        if written_unit == unit:
            return number
        converted = convert_money(number, written_unit, unit)
        shown = value if value.__class__ is str else self.text(row, col)
        flags.append(Flag(f"{what}“{shown.strip()}”按{unit}折算为{format_number(converted)}",
                          self.source(row, col), action=f"请单位按{unit}填写金额"))
        return converted


#: Scales written alone after an amount ("4.8万", "800千"): of the money's unit, 元.
_BARE_SCALES = frozenset(("万", "千", "百万", "亿"))


def _with_words(shown: object, prefix: str, suffix: str, shift: int) -> object:
    """A number (or a percentage's text) with the words its format writes around it, divided by
    10**shift as the format shows it: (800000, "", "千元", 3) → "800千元"."""
    if shown.__class__ is not str:
        number = to_decimal(shown)
        if number is None:
            return shown
        shown = format_number(number.scaleb(-shift) if shift else number)
    return f"{prefix}{shown}{suffix}"


#: What may stand between a label and its value written in one cell ("项目名称：XX项目").
LABEL_SEPARATORS = (":", "：", "∶")


# Why cached: headings repeat the same label cells on every form; bounded so a batch
# of odd cells cannot grow the worker.
@functools.lru_cache(maxsize=512)  # the labels that recur fit; more held texts of one form (0.2 MB)
def _label_head(value: str, is_label: Callable[[str], bool]) -> tuple[str, str] | None:
    """(label, value written after it in the cell or "") when ``value`` is a label ``is_label`` accepts."""
    if not value.strip():
        return None
    text = value.strip()
    for sep in LABEL_SEPARATORS:
        label, found, rest = text.partition(sep)
        if found and is_label(label):
            if rest.strip():
                return label, rest.strip()
            text = label
            break
    if not is_label(text):
        return None
    return text, ""


_COLONS = ":：∶"
#: A heading's date or year line under a label left blank, which no name is: "（2019年度）", "2024年3月1日",
#: "2024-03-01".
_DATE_LINE = re.compile(r"[(（]?\d{4}(?:年|[-./]\d)")
#: A section's caption, which no name is: "一、基本情况", "（二）", "1.", "财政供养人员情况".
_SECTION_CAPTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\(?[一二三四五六七八九十0-9]+\)|[0-9]+[、.．])|情况$")
_SEPARATOR = re.compile("[:：∶]")
#: Where a label after a value may start: past a run of spaces, or an opening bracket ("XX局（金额单位：万元）").
_LABEL_START = re.compile(r"\s+|[(（\[【]")
_OPENING_BRACKETS = "(（[【"
#: What a bracket after a value may start as a label: the money unit of the heading line
#: ("XX局（金额单位：万元）").  Any other label in brackets belongs to the name written before it:
#: "政务大厅维护费项目（编号：XM2019-01）", "某中心（电话：0731-1234）".
_BRACKETED_LABELS = frozenset(("单位", "金额单位", "计量单位", "货币单位"))


def split_at_label(text: str) -> tuple[str, str, str]:
    """(``text`` up to the first heading label written in it before a colon, that label, the text
    after its colon); (``text``, "", "") when it holds none.

    A label is what :func:`labels.is_heading_label` accepts, starting at the text's start, past
    spaces, or after an opening bracket when it is the money unit's: "XX局　　填报时间：2024-03-01" →
    ("XX局", "填报时间", "2024-03-01"); "XX局（金额单位：万元）" → ("XX局", "金额单位", "万元）"), while
    "XX项目（编号：XM-01）" is a name; "填报时间：2024-03-01" →
    ("", "填报时间", "2024-03-01").  A colon after any other text is part of the value: "测试:局",
    "XX县教育局:机关" and "2023年“双减”:课后服务经费" are names.  Why: every colon after a word of
    six characters at most was taken for a label's, and a unit named "测试:局" went unnamed.
    """
    if ":" not in text and "：" not in text and "∶" not in text:  # Why first: most names hold no colon
        return text, "", ""
    for separator in _SEPARATOR.finditer(text):
        end = separator.start()
        # Why a window: a label is short, and a cell of many colons (a hostile file's) cost the square of
        # its length searched whole before each.
        first = max(0, end - _LABEL_WINDOW)
        starts = [first, *(found.end() for found in _LABEL_START.finditer(text, first, end))] if first == 0 \
            else [found.end() for found in _LABEL_START.finditer(text, first, end)]
        for start in starts:  # the longest label first: "填 报 时 间", not its "时 间"
            label = text[start:end]
            if label.strip() and len(labels.without_spaces(label)) <= labels.HEADING_LABEL_LENGTH \
                    and labels.is_heading_label(label) \
                    and (start == 0 or text[start - 1] not in _OPENING_BRACKETS
                         or labels.normalise_str(label) in _BRACKETED_LABELS):
                value = text[:start].rstrip().rstrip("(（[【").rstrip()
                return value, label.strip(), text[separator.end():].strip()
    return text, "", ""


#: The characters before a colon looked at for a label: a label's own (:data:`labels.HEADING_LABEL_LENGTH`)
#: and the spaces a clerk puts between them ("填 报 时 间").
_LABEL_WINDOW = 2 * labels.HEADING_LABEL_LENGTH


@functools.lru_cache(maxsize=1024)  # about 0.45 MB when full, within the first forms of a batch
def _source(sheet: str, row: int, col: int) -> Source:
    """The cell (row, col) of ``sheet``.

    Why cached: every indicator row names ten cells, Source is immutable, and
    the forms of a batch mostly share their sheet names and layouts.  Why 1,024:
    the name cell of every indicator row and the cells the rules point flags at
    share it, and at 512 they pushed each other out (−11 M instructions reading
    and scoring 300 forms of distinct texts, for 0.23 MB more a worker).  Why
    new_source: a frozen dataclass's __init__ sets each field through
    object.__setattr__ (−5 M instructions reading and scoring 300 forms).
    """
    return new_source(sheet, cell_name(row, col))


class RowCells:
    """The cells of one table layout on one sheet: each field's column, found once per table.

    ``of(row)`` gives the fields' cells on a row as a :class:`RowSources`.
    """

    __slots__ = ("sheet", "columns")

    def __init__(self, sheet: str, columns: tuple[tuple[str, int], ...]):
        self.sheet = sheet
        self.columns = dict(columns)

    def of(self, row: int) -> RowSources:
        """Field → its cell on ``row``."""
        return RowSources(self, row)


class RowSources(Mapping):
    """Field → its cell (a :class:`Source`) on one row of a table, each Source found when asked for.

    Why lazy: an indicator row names up to ten cells, a Source costs about 7,000 instructions
    to make and keep (the garbage collector's share included), and the rules ask for a row's
    cells only to point a flag at one.  Made for every row (a memo of rows seen shared them
    between forms of one sheet name), they were 12 % of reading the indicator rows of 300 forms
    of distinct texts (164 M of 1,386 M instructions).

    Why from the memo of cells (_source) when asked: the rules point every flag of a row at one
    of its cells (the review alone flags a third of the rows), and a new Source for each cost 5 M
    instructions more scoring 300 forms of distinct texts; the forms of a batch share the cells.

    A read-only mapping, equal to the dict of the same Sources; the store's codec writes it
    as that dict.
    """

    __slots__ = ("_cells", "_row")

    def __init__(self, cells: RowCells, row: int):
        self._cells, self._row = cells, row

    def __getitem__(self, field_name: str) -> Source:
        return _source(self._cells.sheet, self._row, self._cells.columns[field_name])

    def get(self, field_name: str, default=None):  # Why not Mapping.get: it raises KeyError for a field the table lacks
        col = self._cells.columns.get(field_name)
        return default if col is None else _source(self._cells.sheet, self._row, col)

    def __contains__(self, field_name: object) -> bool:
        return field_name in self._cells.columns

    def __iter__(self):
        return iter(self._cells.columns)

    def __len__(self) -> int:
        return len(self._cells.columns)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self):
        return RowSources, (self._cells, self._row)


@functools.lru_cache(maxsize=16)  # Why cached: department rows ask for their plan per row; a plan is a few letters
def _row_cells(sheet: str, columns: tuple[tuple[str, int], ...]) -> RowCells:
    return RowCells(sheet, columns)


def row_end(values: list[object], stop_col: int) -> str | None:
    """:meth:`SheetCells.table_end` of a row whose raw ``values`` the caller holds (``stop_col`` ≥ 0).

    A first non-empty cell that is not text (a number, a date) never
    normalises to those words, so it settles the question without one.
    """
    for value in values[:stop_col]:
        if value == "" or value is None:  # Why first: most cells left of a row's name are empty
            continue
        if not isinstance(value, str):
            return None
        text = value.strip()
        if text:
            if _END_LABEL_INITIAL.search(text) is None and text[0] not in _NOTE_INITIALS \
                    and is_normalized("NFKC", text):
                return None  # an indicator's name, which need not be normalised (see _END_LABEL_INITIAL)
            label = labels.normalise_str(text)
            if label in labels.TOTAL_ROW_LABELS:
                return "total"
            if labels.is_footer_label(label):
                return "footer"
            return "note" if labels.is_footer_label(label, labels.NOTE_PREFIXES) else None
    return None


def footer_lines(cells: SheetCells, first_row: int, *, notes: bool = False) -> list[str]:
    """The lines under a form's table from ``first_row`` on: each row whose first filled cell is a
    footer's label (单位负责人, 填表人, 联系电话 …, see :func:`row_end`), its cells' texts joined as
    they read across ("填表人：李四　　联系电话：0731-8888").  Blank rows and the 总分 row are passed
    over; any other row ends them: the 项目资金 block, another form, and a note unless ``notes``.

    With ``notes``, a note ("注：…", "说明：…") is a line too, in its place among the others, and so
    are the numbered lines right under it ("1、…", "（2）…"), which go on with it."""
    lines = []
    rows = cells.grid.rows
    in_note = False
    for row in range(first_row, len(rows)):
        values = rows[row]
        texts = [text for value in values if (text := written_text(value))]
        if not texts:
            continue
        end = row_end(values, len(values))
        if end == "total":
            continue
        if end == "note" and notes:
            in_note = True
        elif end == "footer":
            in_note = False
        elif not (in_note and NUMBERED_LINE.match(texts[0])):
            break
        lines.append(joined_across(texts))
    return lines


def joined_across(texts: list[str]) -> str:
    """The texts of a row's cells as they read across: a label cell ("填表人：") runs into its value's
    cell, other cells are set apart by two ideographic spaces."""
    line = texts[0]
    for text in texts[1:]:
        line += text if line.endswith((":", "：")) else "　　" + text
    return line


def note_text(values: list[object]) -> str:
    """The text of a row that is a note ("注：…", "说明：…", see :func:`row_end`), its cells joined as
    they read across; "" for any other row."""
    # Why a look at the first text's first characters before row_end: the rows above a project's
    # table are asked (its notes between the blocks), and their labels ("项目资金（万元）") are seldom
    # normalised, which row_end then does, ≈ 10,000 instructions a row (40 M on 300 workbooks).  A
    # note's label begins with 注, 说, 备 or 填, after a mark or two normalising drops ("＊注：").
    for value in values:
        if value.__class__ is str:
            if text := value.strip():
                if _NOTE_INITIALS.isdisjoint(text[:4]):
                    return ""
                break
        elif value is not None:
            return ""  # a number first: no note (as row_end says)
    if row_end(values, len(values)) != "note":
        return ""
    return joined_across([text for value in values if (text := written_text(value))])


def written_text(value: object) -> str:
    """A footer cell's text, or any cell's read as a line of text: a date (填表日期) as 2024-03-15, as
    text_of reads the rest."""
    if isinstance(value, _dt.datetime) and value.time() == _dt.time():
        return value.date().isoformat()
    return text_of(value)


def text_of(value: object) -> str:
    """A raw cell value's text as the unit wrote it (trimmed)."""
    if value.__class__ is str:  # Why first: most cells the readers look at hold text
        return value.strip()
    if value.__class__ is bool:
        return logical_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()
