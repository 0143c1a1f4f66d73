"""Load a workbook's sheets as plain grids of cell values.

python-calamine reads .xlsx/.xlsm/.xls/.ods values fast and without styles;
that is all a reader needs.  What calamine cannot tell — an empty cell that is
really a formula never calculated, or an error value like #DIV/0! — comes from
the screening of the sheet XML in :mod:`.container`; which numbers of an .xls
are shown as a percentage, from :mod:`.xls_formats` when a reader asks, and
its error values from there too; an .ods's merged ranges, percentages, error
values, uncalculated formulas and logical results, from :mod:`.open_document`.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from .._columns import column_letters
from ..errors import WorkbookError
from .container import OLE_MAGIC, ZIP_MAGIC, OpenDocumentPackage, ReadLimits, SheetFacts, screen_xlsx, unwrap
from .open_document import is_open_document_spreadsheet, screen_ods
from .xls_formats import PercentCells, WordedCells, XlsNumberFormats, error_cells


@dataclass
class Grid:
    """One sheet: ``rows[r][c]`` holds the raw value (str, float, int, bool, datetime or '')."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formulas without a cached value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # error values (#DIV/0! …) by cell
    #: Numbers shown as a percentage (0.95 → 95%).  For an .xls, a set read on the first lookup:
    #: test a cell's value is a number before asking, so that a form without one costs nothing.
    percent: Set[tuple[int, int]] = field(default_factory=set)
    hidden: bool = False
    #: Numbers whose format writes words around them ("≤"0"万元") or shows them divided (#,##0,"千元"):
    #: (prefix, suffix, shift) by cell, as readers.container.format_words gives them.  For an .xls, a
    #: mapping read on first use, as ``percent``.
    words: Mapping[tuple[int, int], tuple[str, str, int]] = field(default_factory=dict)

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    @property
    def height(self) -> int:
        return len(self.rows)


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) → "B13"."""
    return f"{column_letters(col + 1)}{row + 1}"


def load_grids(path: str | Path, data: bytes | None = None, *, passwords: tuple[str, ...] = (),
               limits: ReadLimits | None = None) -> list[Grid]:
    """Every worksheet of the workbook at ``path`` as a :class:`Grid`.

    ``data`` may hold the file's bytes already read.  Encrypted files are
    decrypted in memory with ``passwords``.  Raises :class:`WorkbookError` with
    a Chinese message when the file cannot or must not be read.
    """
    limits = limits or ReadLimits()
    if data is None:
        data = Path(path).read_bytes()
    data, workbook_stream = unwrap(data, passwords)
    if not data.startswith(ZIP_MAGIC):
        facts, parsed = {}, data
    elif is_open_document_spreadsheet(data):
        facts, parsed = screen_ods(data, limits)
    else:
        try:
            facts, parsed = screen_xlsx(data, limits)
        except OpenDocumentPackage:  # zipped again by a tool: its mimetype not first, or left out
            facts, parsed = screen_ods(data, limits)
    xls_formats = XlsNumberFormats(data, workbook_stream) if data.startswith(OLE_MAGIC) else None
    xls_errors = error_cells(data, workbook_stream) if xls_formats is not None else {}
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(parsed))
    except BaseException as exc:  # calamine raises several unrelated types, and panics
        raise _as_workbook_error(exc, "文件已损坏或不是Excel工作簿") from exc
    grids = []
    for meta in book.sheets_metadata:
        if str(meta.typ) != "SheetTypeEnum.WorkSheet":
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            if not facts and (sheet.end[0] + 1) * (sheet.end[1] + 1) > limits.max_sheet_cells:
                raise WorkbookError(f"工作表“{meta.name}”的数据区域异常大（{sheet.end[0] + 1}行×{sheet.end[1] + 1}列），"
                                    f"超过上限{limits.max_sheet_cells}个单元格")
            rows = _from_first_cell(sheet)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        except WorkbookError:
            raise
        except BaseException as exc:
            raise _as_workbook_error(exc, f"文件已损坏，工作表“{meta.name}”无法读取") from exc
        sheet_facts = facts.get(meta.name, SheetFacts())
        if sheet_facts.logical:
            _put_logical(rows, sheet_facts.logical)
        merged = merged or sheet_facts.merged
        grids.append(Grid(
            name=meta.name,
            rows=rows,
            merged=merged,
            uncalculated=sheet_facts.uncalculated,
            errors=xls_errors.get(meta.name) or sheet_facts.errors,
            percent=sheet_facts.percent if xls_formats is None else PercentCells(xls_formats, meta.name),
            hidden=str(meta.visible) != "SheetVisibleEnum.Visible",
            words=sheet_facts.words if xls_formats is None else WordedCells(xls_formats, meta.name),
        ))
    return grids


def _from_first_cell(sheet) -> list[list[object]]:
    """``sheet.to_python(skip_empty_area=False)``: its rows from A1, the rows and columns before its
    first filled cell padded with "" (what calamine gives an empty cell).

    Why padded here: calamine pads by copying its whole range into a new one from A1, every text
    cloned and dropped again, before converting it (−11 M instructions reading 300 workbooks, most of
    whose forms start on row 2 or 3).  It converts the same cells; only the padding is made here.
    """
    rows = sheet.to_python()
    top, left = sheet.start or (0, 0)
    if left:
        rows = [[""] * left + row for row in rows]
    if top and rows:
        width = len(rows[0])
        rows[:0] = [[""] * width for _ in range(top)]
    return rows


def _put_logical(rows: list[list[object]], logical: dict[tuple[int, int], bool]) -> None:
    """An .ods's logical results in place of the 1 and 0 calamine gives for them: True and False, as
    the same form reads from .xlsx and .xls."""
    for (row, col), value in logical.items():
        if row < len(rows) and col < len(rows[row]):
            rows[row][col] = value


def _as_workbook_error(exc: BaseException, what: str) -> WorkbookError:
    """A parser failure as a WorkbookError.

    Why BaseException: a Rust panic inside calamine surfaces as
    ``pyo3_runtime.PanicException``, which derives from BaseException and
    could not even be pickled back from a worker process.
    """
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
        raise exc
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return WorkbookError(f"{what}（{type(exc).__name__}{'：' + detail if detail else ''}）")
