"""summary.xlsx: the batch summary an officer opens first and hands upward.

Sheets:

- 汇总: one row per scored form, projects then departments, each ranked by the
  engine's total (highest first); files that gave no form (错误/跳过) below,
  with why.  Large 复核−自评 differences and the grades 差/中 are highlighted.
- 问题清单: every flag and every file error, with file · sheet · cell and what
  to do about it (处理建议), in file and row order.
- 分布: grade counts and a histogram of totals, each with a native chart.
- 部门: per 主管部门, the number of forms, average totals, and the projects'
  budget, execution and execution rate (万元).

A table longer than an Excel sheet (1,048,576 rows; 问题清单 of about 40,000
files) goes on over sheets named 问题清单（续1）, 问题清单（续2）…, each like the
first, its subtitle saying which rows it holds.

Every sheet has a title, a frozen header row with an autofilter (tables), and
prints on A4 landscape, one page wide, with the header row repeated.  Unit text
is always written with ``write_string``: it never becomes a formula or a link.

The workbook is written in xlsxwriter's ``constant_memory`` mode: each row goes
to disk as soon as the next one starts, so 问题清单 of 100,000 flags costs no
more memory than one of ten.  That mode needs rows in order, so every table is
measured (column widths) before its first row is written.  The rows of 汇总 and
问题清单 come rendered and measured ahead of time, one file at a time, by the
summary spool (see :mod:`._rendered_rows`): here they only get their row
numbers and formats, and are deflated into the zip apart from the rest of their
sheet (:class:`DeflatedRows`).  The small tables (分布, 部门) are laid out here,
in two passes over their rows.
"""
from __future__ import annotations

import bisect
import contextlib
import functools
import io
import itertools
import os
import shutil
import tempfile
import threading
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .. import _fast_zlib
from ..model import FileResult
from ..rounding import round2
from ..values import format_number
from ._atomic import atomic_output
from ._display import GRADES, LEVEL_LABELS, amount, excel_text, finite_float
from ._rendered_rows import (
    CELL_PADDING, FONT_SIZE, ROW_END, ROW_PADDING, RowNumbering, rows_written, shown, style_of, write_rendered_rows,
)
from ._summary_rows import FormFacts, form_facts, scored_forms
from ._text_measure import excel_row_height, line_height, lines_needed, text_width
from .._zip import crc32_combine

ZERO = Decimal(0)

FONT_NAME = "宋体"
# Unit text must stay text: no formulas, links or numbers guessed from strings.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

#: |复核总分 − 自评总分| at or above this is highlighted red on 汇总 …
DIFFERENCE_RED_AT = 5
#: … and at or above this (but below the red threshold) amber.
DIFFERENCE_AMBER_AT = 2
#: The fills of what 汇总 highlights: large 差异, and the grades grade_highlights picks.
#: Excel's own "light red fill with dark red text" / "yellow fill with dark yellow text".
HIGHLIGHT_STYLES = {
    "red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "amber": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
}
#: Histogram of totals on 分布: [low, high) bins; the last one includes its upper bound.
SCORE_BINS: tuple[tuple[int, int], ...] = ((0, 60), (60, 70), (70, 80), (80, 90), (90, 100))

SHEET_OVERVIEW, SHEET_ISSUES, SHEET_DISTRIBUTION, SHEET_DEPARTMENTS = "汇总", "问题清单", "分布", "部门"
SHEET_DUPLICATES = "重复报送"
NO_DEPARTMENT = "（未填主管部门）"

#: Row (0-based) of the table header on every table sheet: a title and a subtitle sit above it.
HEADER_ROW = 2
#: Headers up to this width stay on one line; longer ones wrap.
HEADER_ONE_LINE_WIDTH = 14
FIRST_DATA_ROW = HEADER_ROW + 1
#: Rows a worksheet holds (Excel's limit since 2007, and xlsxwriter's).  A long table goes on over
#: as many sheets as it needs, each titled and filtered like the first: 问题清单 passes it at about
#: 40,000 files (26 rows a file on the benchmark's forms), a province's batch.
EXCEL_ROWS = 1_048_576
#: Rows kept free under 汇总's table on each of its sheets: a blank one and the note.
_OVERVIEW_NOTE_ROWS = 2

Value = Union[str, int, float, Decimal, None]


# Why eq=False: a column is one of the tables' constants, and hashed by identity (in C) it is
# cheap as a cache key; the dataclass's own __hash__ ran in Python, ~1,500 instructions a column,
# for every file's 汇总 row and 问题清单 rows (1 % of a summary record).
@dataclass(frozen=True, eq=False)
class Column:
    title: str
    kind: str = "text"  # "text" | "center" | "level" (错误 in red) | "score" | "integer" | "money" | "percent"
    min_width: float = 6
    max_width: float = 24  # longer text wraps


OVERVIEW_COLUMNS = (
    Column("排名", "integer"), Column("文件", max_width=40), Column("工作表", max_width=22),
    Column("类型", "center"), Column("主管部门", max_width=22), Column("实施单位/填报单位", max_width=22),
    Column("项目名称", max_width=28), Column("自评总分", "score"), Column("复核总分", "score"),
    Column("差异", "score"), Column("等级", "center"), Column("问题数", "integer"),
    Column("状态", "level"), Column("原因", min_width=10, max_width=36),
)
ISSUE_COLUMNS = (
    Column("文件", max_width=40), Column("工作表", max_width=22), Column("单元格", "center"),
    Column("项目/单位", max_width=24), Column("指标", max_width=22), Column("级别", "level"),
    Column("问题", min_width=20, max_width=48), Column("处理建议", min_width=14, max_width=30),
)
GRADE_COLUMNS = (Column("等级", "center", 8), Column("数量", "integer", 8), Column("占比", "percent", 9))
BIN_COLUMNS = (Column("分数段", "center", 10), Column("数量", "integer", 8), Column("占比", "percent", 9))
DUPLICATE_COLUMNS = (
    Column("类别", "center", 6), Column("项目名称", min_width=16, max_width=32), Column("单位", min_width=16, max_width=28),
    Column("份数", "integer"), Column("文件", min_width=24, max_width=60),
)
DEPARTMENT_COLUMNS = (
    Column("主管部门", min_width=16, max_width=28), Column("项目数", "integer"),
    Column("部门整体评价数", "integer"), Column("平均复核总分", "score"), Column("自评完整表数", "integer"),
    Column("平均自评总分", "score"), Column("同表平均复核总分", "score"), Column("预算数（万元）", "money", 12), Column("执行数（万元）", "money", 12), Column("执行率", "percent", 8),
)

@dataclass
class RenderedTable:
    """A table whose rows come rendered and measured (see :mod:`._rendered_rows`)."""

    widths: Sequence[float]  # per column, the most any row needs
    rows: int
    blocks: Callable[[], Iterable[bytes]]  # the rows in order, a few at a time, their LATER_MARK filled in
    #: The same rows, numbered and deflated ahead of time, a part for each sheet the table goes on over
    #: (see :class:`DeflatedSheets`), if they were.
    deflated: Sequence["DeflatedRows"] = ()


@dataclass
class SummaryContent:
    """What summary.xlsx shows, as :class:`~.summary_spool.SummarySpool` hands it over.

    The long tables' rows are read from the spool when their sheet is written,
    and the forms come counted, so no sheet's rows (nor a list of every form)
    are ever all in memory.
    """

    rulebook: str
    statuses: Mapping[str, int]  # input files per status
    forms: "FormTally"  # every scored form, counted in inbox order
    overview: RenderedTable  # 汇总 (OVERVIEW_COLUMNS): ranked forms, then the files that gave none
    issues: RenderedTable  # 问题清单 (ISSUE_COLUMNS): by file, then sheet and row
    issue_levels: Mapping[str, int]  # rows of 问题清单 per level label (错误, 提示)
    #: The grades of each rulebook the forms were scored by, highest first (优, 良, 中, 差 by default)
    grade_scales: tuple[tuple[str, ...], ...] = (GRADES,)
    #: The bands of 分布's histogram (see :func:`score_bins`)
    score_bins: tuple[tuple[Decimal | int, Decimal | int], ...] = SCORE_BINS
    #: What more than one form evaluates (SentTwice): the sheet 重复报送, written only when any
    duplicates: Sequence = ()


def write_summary_xlsx(files: list[FileResult], path: Path, rulebook: str,
                       grade_scales: tuple[tuple[str, ...], ...] = (GRADES,)) -> None:
    """summary.xlsx for a list of results; a batch streams it with :class:`SummarySpool` instead.
    ``grade_scales``: the grades of each rulebook used, highest first (see :func:`grade_highlights`)."""
    from .summary_spool import spooled

    with spooled(files) as (spool, order):
        spool.write_xlsx(path, rulebook, order, grade_scales)


def grade_highlights(grade_scales: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """Grade → its highlight on 汇总: each scale's lowest grade red (差), and the one above it amber
    (中) on a scale of four grades or more (on 合格/不合格 or 优/合格/不合格, 合格 is a pass)."""
    highlights: dict[str, str] = {}
    for scale in grade_scales:
        if len(scale) >= 2:
            highlights.setdefault(scale[-1], "red")
        if len(scale) >= 4:
            highlights.setdefault(scale[-2], "amber")
    return highlights


def grade_note(grade_scales: tuple[tuple[str, ...], ...]) -> str:
    """What 汇总's note says of the grades it highlights, e.g. ``；等级“差”标红、“中”标黄`` (empty
    when none is): made from :func:`grade_highlights`, so a bureau's own grades are named."""
    highlights = grade_highlights(grade_scales)
    parts = [("".join(f"“{grade}”" for grade, style in highlights.items() if style == colour) + f"标{word}")
             for colour, word in (("red", "红"), ("amber", "黄")) if colour in highlights.values()]
    return f"；等级{'、'.join(parts)}" if parts else ""


def grades_listed(counted: Mapping[str, int], grade_scales: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """The forms per grade as 分布 lists them: every grade of the scales used, in their order (a
    grade no form got shows 0), then any other grade a form got."""
    counts = {grade: 0 for scale in grade_scales for grade in scale}
    for grade, count in counted.items():
        if count or grade in counts:
            counts[grade] = counts.get(grade, 0) + count
    return counts


def write_summary_workbook(path: Path, content: SummaryContent, tmpdir: Optional[Path] = None) -> None:
    """Write summary.xlsx from ``content``; ``tmpdir`` holds xlsxwriter's row files meanwhile."""
    options = {**WORKBOOK_OPTIONS, "constant_memory": True}
    if tmpdir is not None:
        options["tmpdir"] = str(tmpdir)
    with atomic_output(path) as temp:
        with _SummaryWorkbook(str(temp), options) as workbook:
            workbook.set_properties({"title": "绩效自评复核汇总", "comments": f"评分规则：{content.rulebook}"})
            formats = _Formats(workbook)
            _write_overview(workbook, formats, content)
            _write_issues(workbook, formats, content)
            _write_distribution(workbook, workbook.add_worksheet(SHEET_DISTRIBUTION), formats, content.forms,
                                content.grade_scales, content.score_bins)
            _write_departments(workbook.add_worksheet(SHEET_DEPARTMENTS), formats, content.forms.departments())
            if content.duplicates:
                _write_duplicates(workbook.add_worksheet(SHEET_DUPLICATES), formats, content.duplicates)


#: Deflate level of summary.xlsx's parts.  xlsxwriter zips at zlib's default, 6, and has no
#: setting for it (XlsxWriter issue #853); 问题清单 of 10,000 files is ~190 MB of XML, which took
#: 1.7 s to deflate at level 6 and takes a third of that at level 1, for a file ~30 % larger.
SUMMARY_DEFLATE_LEVEL = 1

_DEFLATE_LOCK = threading.Lock()


class DeflatedRows:
    """Rendered rows of a long table, numbered and deflated as they come, in the table's order, into
    a file of their own: summary.xlsx then takes them as they are (see :meth:`_SummarySheet.splice_rows`).

    Why: deflating 问题清单's rows (and their CRC) was about half of writing summary.xlsx, which
    the batch waits for after its last file; while files still arrive, the batch's process mostly
    waits for its workers.  The rows end with a sync flush: byte-aligned and not final, so the
    sheet's XML around them is deflated apart and joined to them.
    """

    def __init__(self, path: Optional[Path], first_row: int, styles: Mapping[str, int],
                 folder: Optional[str] = None):
        """Rows from ``first_row`` (0-based) on, their styles' placeholders filled in with ``styles``; into
        ``path``, or without a path into an unnamed temporary file in ``folder`` (the system's if None)."""
        self.path, self.first_row, self.styles = path, first_row, dict(styles)
        self._numbering = RowNumbering(first_row, styles)
        self._compressor = _fast_zlib.raw_deflater()
        self._out: IO[bytes] = open(path, "w+b") if path is not None else tempfile.TemporaryFile(dir=folder)
        self.crc = self.size = 0  # of the rows' XML
        self.compressed_size: Optional[int] = None  # once finished

    @property
    def rows(self) -> int:
        return self._numbering.last_row - self.first_row

    def add(self, block: bytes) -> None:
        """The next rendered rows (whole rows, :data:`._rendered_rows.LATER_MARK` filled in)."""
        if self.compressed_size is not None:
            raise ValueError("rows added to finished rows")
        xml = self._numbering.rows(block)
        self.crc = _fast_zlib.crc32(xml, self.crc)
        self.size += len(xml)
        self._out.write(self._compressor.compress(xml))

    def finish(self) -> None:
        """No more rows: the last of them deflated, byte-aligned, with no final block."""
        if self.compressed_size is None:
            self._out.write(self._compressor.flush(_fast_zlib.SYNC_FLUSH))
            self._compressor = None  # its ~260 KB of state, before summary.xlsx is written
            self._out.flush()
            self.compressed_size = self._out.tell()

    def copy_to(self, target: IO[bytes]) -> None:
        """The deflated rows, after :meth:`finish`."""
        self._out.seek(0)
        shutil.copyfileobj(self._out, target)

    def inflated(self) -> Iterator[bytes]:
        """The rows' XML, a part at a time, after :meth:`finish`."""
        self._out.seek(0)
        inflater = zlib.decompressobj(-15)
        for part in iter(functools.partial(self._out.read, 1 << 16), b""):
            yield inflater.decompress(part)

    def close(self) -> None:
        self._out.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


class DeflatedSheets:
    """Rendered rows of a long table, numbered and deflated as they come (:class:`DeflatedRows`) into a
    file for each sheet the table goes on over: :func:`sheet_room` rows each, a block of rows cut
    where a sheet ends.  Files ``{stem}-1.deflate``, ``{stem}-2.deflate``… in ``folder``.

    Why a file per sheet rather than rows deflated again once the table is written: with 问题清单
    of 50,000 files (1,344,820 rows, two sheets), summary.xlsx took 3.2 s after the batch's last
    file that way, 0.47 s this way.
    """

    def __init__(self, folder: Path, stem: str, styles: Mapping[str, int]):
        self.folder, self.stem, self.styles = folder, stem, dict(styles)
        self.parts: list[DeflatedRows] = []

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts)

    def add(self, block: bytes) -> None:
        """The next rendered rows (whole rows, :data:`._rendered_rows.LATER_MARK` filled in)."""
        room = sheet_room()
        while block:
            if not self.parts or self.parts[-1].rows >= room:
                self.parts.append(DeflatedRows(self.folder / f"{self.stem}-{len(self.parts) + 1}.deflate",
                                               FIRST_DATA_ROW, self.styles))
            part = self.parts[-1]
            head, block = _rows_cut(block, room - part.rows)
            part.add(head)

    def finish(self) -> None:
        for part in self.parts:
            part.finish()

    def close(self) -> None:
        for part in self.parts:
            part.close()


def _rows_cut(block: bytes, rows: int) -> tuple[bytes, bytes]:
    """``block`` (whole rendered rows) cut after its first ``rows`` rows: (those rows, the rest)."""
    if block.count(ROW_END) <= rows:  # most blocks (a file's rows): one count, not a search per row
        return block, b""
    cut = 0
    for _ in range(rows):
        cut = block.find(ROW_END, cut)
        if cut < 0:
            return block, b""
        cut += len(ROW_END)
    return block[:cut], block[cut:]


class _AllFlushed:
    """A compressor with nothing left in it (zipfile's write handle flushes its compressor on close)."""

    def flush(self) -> bytes:
        return b""


_ALL_FLUSHED = _AllFlushed()


class _SummaryZipFile(zipfile.ZipFile):
    """The zip xlsxwriter saves into, deflating at :data:`SUMMARY_DEFLATE_LEVEL` unless told otherwise;
    the sheets given are searched for rows deflated apart (see :meth:`_SummarySheet.splice_rows`)."""

    def __init__(self, *args, sheets: Sequence["_SummarySheet"] = (), **kwargs):
        kwargs.setdefault("compresslevel", SUMMARY_DEFLATE_LEVEL)
        super().__init__(*args, **kwargs)
        self._sheets = sheets

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        sheet = next((sheet for sheet in self._sheets if sheet.spliced_file == filename), None)
        if sheet is None:
            return super().write(filename, arcname, compress_type, compresslevel)
        self._write_spliced(filename, arcname, sheet.spliced_rows, sheet.spliced_at)

    #: What writing deflated bytes as they are uses of zipfile's private state (3.8–3.13).  Why
    #: ask: if a later Python renames any of it, the rows are inflated and deflated again.
    _RAW_WRITE_NEEDS = ("_fileobj", "_compressor", "_crc", "_file_size", "_compress_size")

    def _write_spliced(self, filename: str, arcname: Optional[str], rows: DeflatedRows, at: int) -> None:
        """The sheet ``filename`` with the deflated ``rows`` at byte ``at``: its XML before and after
        them deflated here, the rows copied as they are, the CRC of the whole made of the three."""
        with open(filename, "rb") as sheet:
            xml = sheet.read()  # the sheet without its data rows: a few KB
        head, tail = xml[:at], xml[at:]
        member = zipfile.ZipInfo.from_file(filename, arcname)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.file_size = len(head) + rows.size + len(tail)  # the zip64 extra is needed, or not, from the start
        with self.open(member, "w") as out:
            if not all(hasattr(out, name) for name in self._RAW_WRITE_NEEDS):
                out.write(head)
                for part in rows.inflated():
                    out.write(part)
                out.write(tail)
                return
            head_deflater = _fast_zlib.raw_deflater()
            deflated_head = head_deflater.compress(head) + head_deflater.flush(_fast_zlib.SYNC_FLUSH)
            tail_deflater = _fast_zlib.raw_deflater()
            deflated_tail = tail_deflater.compress(tail) + tail_deflater.flush()
            out._fileobj.write(deflated_head)
            rows.copy_to(out._fileobj)
            out._fileobj.write(deflated_tail)
            out._compressor = _ALL_FLUSHED  # close() then takes the sizes and CRC below as they are
            out._file_size = member.file_size
            out._compress_size = len(deflated_head) + rows.compressed_size + len(deflated_tail)
            # The rows' CRC is combined after the head's; the tail's is simply continued from both.
            out._crc = _fast_zlib.crc32(tail, crc32_combine(_fast_zlib.crc32(head), rows.crc, rows.size))


class _SummarySheet(Worksheet):
    """xlsxwriter's worksheet, whose rows (kept in a file in ``constant_memory`` mode) go into the
    sheet's XML as bytes.

    xlsxwriter reads its row file back as text and writes it out again, decoding and encoding
    every byte (and turning a bare CR into LF, which an XML parser does anyway; none is written:
    control characters in text are escaped).  For 问题清单 that was about a quarter of the
    end-of-batch work on summary.xlsx; a byte copy gives the same bytes.
    """

    #: What the byte copy uses of xlsxwriter's private state (3.1–3.3).  Why ask: if a later
    #: xlsxwriter renames any of it, its own (slower) copy is used and the summary still comes out.
    _COPY_NEEDS = ("dim_rowmin", "fh", "row_data_fh", "row_data_filename", "_xml_start_tag", "_xml_end_tag")

    #: Deflated rows that go among the rows written (see :meth:`splice_rows`): after the first
    #: ``_rows_before_splice`` bytes of xlsxwriter's row file; the sheet's XML file and the byte
    #: where they go, once it is written.
    spliced_rows: Optional[DeflatedRows] = None
    _rows_before_splice = 0
    spliced_file: Optional[str] = None
    spliced_at = 0
    #: Rows this sheet deflated itself (:meth:`deflate_rows`), closed with the workbook.
    deflated_here: Optional[DeflatedRows] = None

    def can_copy(self) -> bool:
        """Whether this xlsxwriter's private state is what the byte copy uses (:data:`_COPY_NEEDS`)."""
        return all(hasattr(self, name) for name in self._COPY_NEEDS)

    def can_splice(self) -> bool:
        """Whether this xlsxwriter lets rows go into the sheet deflated (:meth:`splice_rows`)."""
        return self.constant_memory and self.can_copy()

    def splice_rows(self, first_row: int, columns: int, rows: DeflatedRows) -> bool:
        """Take ``rows`` (of ``columns`` columns, from ``first_row`` on) as the sheet's next rows, to go into
        summary.xlsx as they are deflated (:class:`_SummaryZipFile`), before any row written after this;
        False if this xlsxwriter cannot (then nothing is written)."""
        if not (rows.rows and self.can_splice()):
            return False
        self._write_single_row(first_row)  # the row xlsxwriter holds goes before them (as write_rendered_rows)
        self.row_data_fh.flush()
        self._rows_before_splice = self.row_data_fh.buffer.tell()
        rows_written(self, first_row, rows.rows, columns)
        self.spliced_rows = rows
        return True

    def deflate_rows(self, first_row: int, columns: int, blocks: Iterable[bytes], styles: Mapping[str, int]) -> bool:
        """Rendered rows (as :func:`._rendered_rows.write_rendered_rows` takes them) numbered and deflated
        here, into a temporary file, and spliced (:meth:`splice_rows`); False if this xlsxwriter cannot
        (then nothing is taken from ``blocks``) or they hold no row.

        Why: xlsxwriter's way, the rows' XML went into its row file, was copied into the sheet's
        XML file, read back and deflated by zlib, which takes 2.6 times as long as ISA-L
        (:mod:`.._fast_zlib`): for 汇总 of 1,000 files (0.9 MB) after the batch's last file,
        −27.8 M instructions and 6 ms.  The sheet's XML is the same.
        """
        if not self.can_splice():
            return False
        rows = self.deflated_here = DeflatedRows(None, first_row, styles, folder=getattr(self, "tmpdir", None))
        for block in blocks:
            rows.add(block)
        rows.finish()
        return self.splice_rows(first_row, columns, rows)

    def _write_optimized_sheet_data(self) -> None:
        target = getattr(self.fh, "buffer", None)  # None when xlsxwriter writes the sheet in memory
        if not self.can_copy() or self.dim_rowmin is None or target is None:
            if self.spliced_rows is not None:  # never with the xlsxwriter this is written for: its rows as text
                self.row_data_fh.flush()
                rows = self.row_data_fh.buffer
                rows.seek(self._rows_before_splice)
                after = rows.read()  # the rows written after them (汇总's note)
                rows.seek(self._rows_before_splice)
                rows.truncate()
                for part in self.spliced_rows.inflated():
                    rows.write(part)
                rows.write(after)
                self.spliced_rows = None
            super()._write_optimized_sheet_data()
            return
        self._xml_start_tag("sheetData")
        self.row_data_fh.close()  # flushes the last rows xlsxwriter wrote
        self.fh.flush()  # the text written so far goes before the rows
        with open(self.row_data_filename, "rb") as rows:
            if self.spliced_rows is not None:
                target.write(rows.read(self._rows_before_splice))  # the title, subtitle and header rows
                self.spliced_file, self.spliced_at = self.fh.name, target.tell()
            shutil.copyfileobj(rows, target)
        os.unlink(self.row_data_filename)
        self._xml_end_tag("sheetData")


class _SummaryWorkbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook, zipped at :data:`SUMMARY_DEFLATE_LEVEL` when it closes (the only time it zips)."""

    worksheet_class = _SummarySheet

    def close(self) -> None:
        try:
            with _fast_deflate(self.worksheets()):
                super().close()
        finally:
            for sheet in self.worksheets():
                if sheet.deflated_here is not None:
                    sheet.deflated_here.close()


@contextlib.contextmanager
def _fast_deflate(sheets: Sequence[_SummarySheet] = ()):
    """While a summary is saved, xlsxwriter's zip deflates at :data:`SUMMARY_DEFLATE_LEVEL`.

    Why this way: xlsxwriter looks ``ZipFile`` up in its own module when it
    saves, so that is where the level can be set.  The lock keeps two threads
    from swapping it at once; any other workbook saved meanwhile in this
    process is only compressed faster.
    """
    with _DEFLATE_LOCK:
        original = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = functools.partial(_SummaryZipFile, sheets=sheets)
        try:
            yield
        finally:
            xlsxwriter.workbook.ZipFile = original


def data_style_indices() -> dict[str, int]:
    """The format index of each data-cell style in summary.xlsx, known before it is written.

    A workbook numbers its formats as they are first used, and the data rows' are first used
    after the title and subtitle of 汇总 (see :func:`_write_overview`; in ``constant_memory``
    mode a row's cells are numbered when the row is flushed, and the header row is still held
    when the data rows' formats are asked for).  Rows numbered with these ahead of time
    (:class:`DeflatedRows`) are taken only if the workbook gives the same
    (:meth:`_Table.stream_rendered`); else they are written again from the spool.
    """
    return dict(_data_style_indices())


@functools.cache
def _data_style_indices() -> tuple[tuple[str, int], ...]:
    formats = _Formats(xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True}))  # never closed: never written
    for first_used in (formats.title, formats.subtitle):
        first_used._get_xf_index()
    return tuple(formats.indices().items())


# -- aggregates ------------------------------------------------------------------------


def grade_counts(files: list[FileResult]) -> dict[str, int]:
    return FormTally.of(_facts(files)).grades


def bin_label(low: Decimal | int, high: Decimal | int) -> str:
    return f"{format_number(Decimal(low))}–{format_number(Decimal(high))}"


def score_bins(grade_floors: Iterable[Decimal] = ()) -> tuple[tuple[Decimal | int, Decimal | int], ...]:
    """The bands of 分布's histogram: :data:`SCORE_BINS`, split where a grade of the rulebooks used
    starts (a bureau's 良 from 75: 70–75 and 75–80), so that no band holds two grades."""
    top = SCORE_BINS[-1][1]
    starts = sorted({Decimal(low) for low, _ in SCORE_BINS} | {Decimal(f) for f in grade_floors if 0 < f < top})
    return tuple(zip(starts, starts[1:] + [Decimal(top)]))


def _bin_counts(totals: Mapping[Decimal, int], bands: tuple[tuple[Decimal | int, Decimal | int], ...]) -> dict[str, int]:
    """Forms per band: each band takes its lower bound, the first every total below the second's
    start, the last every total up to its top (100 with it); a total above that has a band of its
    own ("100以上"), listed only when a form has one (a rulebook whose ``full_marks`` is above 100)."""
    labels = [bin_label(low, high) for low, high in bands]
    starts = [low for low, _ in bands[1:]]
    top = bands[-1][1]
    counts = dict.fromkeys(labels, 0)
    above = 0
    for total, count in totals.items():
        if total > top:
            above += count
        else:
            counts[labels[bisect.bisect_right(starts, total)]] += count
    if above:
        counts[f"{format_number(Decimal(top))}以上"] = above
    return counts


def score_bin_counts(files: list[FileResult], bands=SCORE_BINS) -> dict[str, int]:
    """Forms per band of engine total: [0,60) [60,70) [70,80) [80,90) [90,100], then 100以上 if any."""
    return FormTally.of(_facts(files)).bins(bands)


@dataclass
class DepartmentSummary:
    """One row of 部门: a 主管部门 and the forms that count under it (running sums, not lists)."""

    key: str  # the 主管部门 as its forms are grouped by it (FormFacts.department)
    projects: int = 0
    departments: int = 0
    total_sum: Decimal = ZERO  # engine totals of every form
    total_count: int = 0
    self_total_sum: Decimal = ZERO  # self totals, where the unit wrote one
    self_total_count: int = 0
    #: engine totals of the forms self_total_sum counts: the average to set beside theirs (the engine's
    #: over every form stood beside the units' over a few, and read as the units rating themselves higher)
    self_scored_total_sum: Decimal = ZERO
    budget: Optional[Decimal] = None  # 万元, over project forms
    executed: Optional[Decimal] = None
    #: Each spelling of the 主管部门 its forms wrote (FormFacts.department_name) → their number, in the
    #: order first met
    spellings: dict[str, int] = field(default_factory=dict)

    @property
    def department(self) -> str:
        """The 主管部门 as most of its forms write it; of spellings as common, the first met in inbox
        order; the key when none wrote it.

        Why not the key: it is the name without its spaces ("长沙市教育局" for "长沙市 教育局"), a
        name no unit wrote.  Why the most common spelling and not the first: one form typed with a
        stray space does not rename a department that its other forms spell alike, and the row's
        name does not hang on which file name sorts first."""
        spellings = self.spellings
        if not spellings:
            return self.key
        return max(spellings, key=spellings.__getitem__)  # the first of the most common, as dicts keep order

    @property
    def average_total(self) -> Optional[Decimal]:
        return _average(self.total_sum, self.total_count)

    @property
    def average_self_total(self) -> Optional[Decimal]:
        return _average(self.self_total_sum, self.self_total_count)

    @property
    def average_total_of_self_scored(self) -> Optional[Decimal]:
        """The engine's average over the forms :attr:`average_self_total` averages."""
        return _average(self.self_scored_total_sum, self.self_total_count)

    @property
    def execution_rate(self) -> Optional[Decimal]:
        if not self.budget or self.executed is None:
            return None
        return self.executed / self.budget

    def add(self, form: FormFacts) -> None:
        if form.department_name:
            self.spellings[form.department_name] = self.spellings.get(form.department_name, 0) + 1
        if form.kind == "department":
            self.departments += 1
        else:
            self.projects += 1
            # A form's amounts count in pairs: 执行数 without the 预算数 it was spent against (a form whose
            # budget is missing) would lift the department's 执行率 past 100 %.
            if form.budget is not None and form.executed is not None:
                self.budget = _plus(self.budget, form.budget)
                self.executed = _plus(self.executed, form.executed)
        self.total_sum += form.total
        self.total_count += 1
        if form.self_total is not None:
            self.self_total_sum += form.self_total
            self.self_total_count += 1
            self.self_scored_total_sum += form.total

    def absorb(self, other: "DepartmentSummary") -> None:
        """Add ``other``'s forms to this row's sums (the 合计 row: its name stays its own)."""
        self.projects += other.projects
        self.departments += other.departments
        self.total_sum += other.total_sum
        self.total_count += other.total_count
        self.self_total_sum += other.self_total_sum
        self.self_total_count += other.self_total_count
        self.self_scored_total_sum += other.self_scored_total_sum
        self.budget = _plus(self.budget, other.budget)
        self.executed = _plus(self.executed, other.executed)


class FormTally:
    """What summary.xlsx counts and adds up of the scored forms (汇总's subtitle, 分布, 部门), taken in
    one form at a time, in inbox order.

    Why one tally: the spool reads each form's facts back once per summary, not once per count
    (each read back decodes the file's record).
    """

    def __init__(self) -> None:
        self.kinds: Counter = Counter()
        self.grades = {grade: 0 for grade in GRADES}  # a grade outside GRADES comes after them
        #: Forms per engine total: the bands of 分布 are drawn when the grades used are known.  At most
        #: one entry per total in cents, whatever the number of forms.
        self.totals: Counter = Counter()
        self._departments: dict[str, DepartmentSummary] = {}  # by key (FormFacts.department), as first met

    @classmethod
    def of(cls, facts: Iterable[FormFacts]) -> "FormTally":
        tally = cls()
        for form in facts:
            tally.add(form)
        return tally

    def add(self, form: FormFacts) -> None:
        self.kinds[form.kind] += 1
        self.grades[form.grade] = self.grades.get(form.grade, 0) + 1
        self.totals[form.total] += 1
        name = form.department or NO_DEPARTMENT
        department = self._departments.get(name)
        if department is None:
            department = self._departments[name] = DepartmentSummary(name)
        department.add(form)

    def bins(self, bands: tuple[tuple[Decimal | int, Decimal | int], ...] = SCORE_BINS) -> dict[str, int]:
        """Forms per band of ``bands`` (see :func:`score_bins`)."""
        return _bin_counts(self.totals, bands)

    def departments(self) -> list[DepartmentSummary]:
        """Per 主管部门 (a department form counts under its own 填报单位), largest budget first."""
        return sorted(self._departments.values(), key=lambda s: -(s.budget or ZERO))  # stable: ties keep inbox order


def department_summaries(files: list[FileResult]) -> list[DepartmentSummary]:
    return FormTally.of(_facts(files)).departments()


def department_rows(summaries: list[DepartmentSummary]) -> list[list[Value]]:
    return [
        [s.department, s.projects, s.departments, s.average_total, s.self_total_count, s.average_self_total,
         s.average_total_of_self_scored, s.budget, s.executed, s.execution_rate]
        for s in summaries
    ]


def _facts(files: list[FileResult]) -> list[FormFacts]:
    return [form_facts(result) for _, result in scored_forms(files)]


def _average(total: Decimal, count: int) -> Optional[Decimal]:
    if not count:
        return None
    return round2(total / count)


def _plus(a: Optional[Decimal], b: Optional[Decimal]) -> Optional[Decimal]:
    if b is None:
        return a
    return b if a is None else a + b


# -- sheets ----------------------------------------------------------------------------


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook):
        font = {"font_name": FONT_NAME, "font_size": FONT_SIZE}
        cell = {**font, "border": 1, "valign": "vcenter"}
        self.title = workbook.add_format({"font_name": FONT_NAME, "font_size": 16, "bold": True,
                                          "align": "center", "valign": "vcenter"})
        self.subtitle = workbook.add_format({**font, "valign": "vcenter", "text_wrap": True})
        self.note = workbook.add_format({**font, "font_color": "#595959", "valign": "top", "text_wrap": True})
        self.header = workbook.add_format(
            {**cell, "bold": True, "bg_color": "#DDEBF7", "align": "center", "text_wrap": True}
        )
        self.by_kind = {
            "text": workbook.add_format({**cell, "text_wrap": True}),
            "center": workbook.add_format({**cell, "align": "center"}),
            "level": workbook.add_format({**cell, "align": "center"}),
            "score": workbook.add_format({**cell, "num_format": "0.00"}),
            "integer": workbook.add_format({**cell, "num_format": "0", "align": "center"}),
            "money": workbook.add_format({**cell, "num_format": "#,##0.00"}),
            "percent": workbook.add_format({**cell, "num_format": "0.00%"}),
        }
        total = {**cell, "bold": True, "top": 2}
        self.total_by_kind = {
            kind: workbook.add_format({**total, **extra}) for kind, extra in {
                "text": {"align": "center"}, "center": {"align": "center"}, "level": {"align": "center"},
                "score": {"num_format": "0.00"}, "integer": {"num_format": "0", "align": "center"},
                "money": {"num_format": "#,##0.00"}, "percent": {"num_format": "0.00%"},
            }.items()
        }
        self.error = workbook.add_format({**cell, "align": "center", "font_color": "#C00000", "bold": True})
        self.highlight = {name: workbook.add_format(style) for name, style in HIGHLIGHT_STYLES.items()}

    def data_cell(self, style: str) -> Format:
        """The format of a data cell of style ``style`` (see :func:`._rendered_rows.style_of`)."""
        return self.error if style == "error" else self.by_kind[style]

    def indices(self) -> dict[str, int]:
        """The workbook's index of each data-cell style, for rendered rows."""
        return {style: self.data_cell(style)._get_xf_index() for style in (*self.by_kind, "error")}


class _Table:
    """A titled table: title row, subtitle row, header row (frozen, autofilter), typed rows.

    Written in row order for constant_memory mode: :meth:`measure` goes over the
    rows once (column widths, row count), then :meth:`title` and :meth:`stream`
    (or :meth:`write_header` and :meth:`write_row`) write them.  Rows rendered
    ahead of time take :meth:`measured` and :meth:`stream_rendered` instead.
    """

    def __init__(self, sheet: Worksheet, formats: _Formats, columns: Sequence[Column],
                 first_col: int = 0, header_row: int = HEADER_ROW):
        self.sheet, self.formats, self.columns = sheet, formats, tuple(columns)
        self.first_col, self.header_row = first_col, header_row
        self.last_col = first_col + len(self.columns) - 1
        self.widths = [column.min_width for column in self.columns]
        self.rows_counted = 0

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_data_row(self) -> int:
        """Last row holding data (the header row when there is none)."""
        return self.header_row + self.rows_counted

    def measure(self, rows: Iterable[list[Value]], total: Optional[list[Value]] = None) -> None:
        """First pass: count the rows and fit the column widths to the header, the rows and the total."""
        for row in rows:
            self._measure_row(row)
            self.rows_counted += 1
        if total is not None:
            self._measure_row(total)
        self._fit_header_and_set_widths()

    def measured(self, rendered: RenderedTable) -> None:
        """Instead of :meth:`measure`, for rendered rows: take their count and widths."""
        self.rows_counted = rendered.rows
        self.widths = [max(width, needed) for width, needed in zip(self.widths, rendered.widths)]
        self._fit_header_and_set_widths()

    def _fit_header_and_set_widths(self) -> None:
        for col, column in enumerate(self.columns):
            self._measure(col, column.title, header=True)
        for col, width in enumerate(self.widths):
            self.sheet.set_column(self.first_col + col, self.first_col + col, width)

    def stream(self, rows: Iterable[list[Value]], total: Optional[list[Value]] = None) -> None:
        """Second pass: the header row, every row and the total, each with the height its text needs."""
        self.sheet.set_row(self.header_row, self.write_header())
        row_index = self.first_data_row
        for row in rows:
            self.sheet.set_row(row_index, self.write_row(row_index, row))
            row_index += 1
        if total is not None:
            self.sheet.set_row(row_index, self.write_row(row_index, total, is_total=True))

    def stream_rendered(self, rendered: RenderedTable) -> None:
        """Instead of :meth:`stream`, after :meth:`measured`: the header row and the rendered rows."""
        if self.first_col:
            raise ValueError("rendered rows start in column A")
        self.sheet.set_row(self.header_row, self.write_header())
        styles = self.formats.indices()
        deflated = rendered.deflated[0] if len(rendered.deflated) == 1 else None
        if (deflated is not None and deflated.first_row == self.first_data_row and deflated.rows == rendered.rows
                and deflated.styles == styles and isinstance(self.sheet, _SummarySheet)
                and self.sheet.splice_rows(self.first_data_row, len(self.columns), deflated)):
            return
        if (rendered.rows and isinstance(self.sheet, _SummarySheet)
                and self.sheet.deflate_rows(self.first_data_row, len(self.columns), rendered.blocks(), styles)):
            return
        write_rendered_rows(self.sheet, self.first_data_row, len(self.columns), rendered.blocks(), styles)

    def write_header(self) -> float:
        """Write the header cells; return the header row's height."""
        for col, column in enumerate(self.columns):
            self.sheet.write_string(self.header_row, self.first_col + col, column.title, self.formats.header)
        header_lines = max(lines_needed(c.title, w, FONT_SIZE) for c, w in zip(self.columns, self.widths))
        return excel_row_height(max(2, header_lines) * line_height(FONT_SIZE) + 4)

    def write_row(self, row_index: int, row: list[Value], is_total: bool = False) -> float:
        """Write one row (typed cells); return the height its wrapped text needs."""
        for col, (column, value) in enumerate(zip(self.columns, row)):
            if column.kind == "percent" and isinstance(value, Decimal) and value.is_finite():
                value = finite_float(value)  # a ratio: rounding it to 2 places would show 93.00% for 92.50%
            cell_format = (self.formats.total_by_kind[column.kind] if is_total
                           else self.formats.data_cell(style_of(column, value)))
            write_value(self.sheet, row_index, self.first_col + col, value, cell_format)
        lines = max((lines_needed(shown(value, column.kind), width, FONT_SIZE)
                     for column, width, value in zip(self.columns, self.widths, row)), default=1)
        return excel_row_height(max(1, lines) * line_height(FONT_SIZE) + ROW_PADDING)

    def _measure_row(self, row: list[Value]) -> None:
        for col, (column, value) in enumerate(zip(self.columns, row)):
            self._measure(col, shown(value, column.kind))

    def _measure(self, col: int, text: str, header: bool = False) -> None:
        column = self.columns[col]
        needed = text_width(text, FONT_SIZE) + CELL_PADDING
        if header:  # a long header wraps onto two lines rather than widen its column
            needed = min(needed, max(HEADER_ONE_LINE_WIDTH, needed / 2 + CELL_PADDING))
        self.widths[col] = max(self.widths[col], min(needed, column.max_width))

    def title(self, text: str, subtitle: str = "") -> None:
        """Title over the table's width (row 0) and a subtitle (row 1); call after :meth:`measure`."""
        _title(self.sheet, self.formats, self.first_col, self.last_col, text, subtitle, sum(self.widths))

    def freeze_and_filter(self) -> None:
        self.sheet.freeze_panes(self.first_data_row, 0)
        self.sheet.autofilter(self.header_row, self.first_col, self.last_data_row, self.last_col)

    def column_of(self, title: str) -> int:
        return self.first_col + next(i for i, c in enumerate(self.columns) if c.title == title)


def _title(sheet: Worksheet, formats: _Formats, first_col: int, last_col: int, text: str,
           subtitle: str = "", width: Optional[float] = None) -> None:
    """A title merged over columns ``first_col``–``last_col`` (row 0), a wrapped subtitle below it (row 1)."""
    sheet.merge_range(0, first_col, 0, last_col, "", formats.title)
    sheet.write_string(0, first_col, excel_text(text), formats.title)
    sheet.set_row(0, 30)
    if subtitle:
        sheet.merge_range(1, first_col, 1, last_col, "", formats.subtitle)
        sheet.write_string(1, first_col, excel_text(subtitle), formats.subtitle)
        lines = lines_needed(subtitle, width, FONT_SIZE) if width else 1
        sheet.set_row(1, lines * line_height(FONT_SIZE) + 6)


def write_value(sheet: Worksheet, row: int, col: int, value: Value, cell_format: Format) -> None:
    """Numbers as numbers, None as a blank cell, every text with ``write_string``."""
    if isinstance(value, Decimal):
        value = amount(value) if value.is_finite() else None
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, excel_text(value), cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)


def _print_setup(sheet: Worksheet, repeat_row: Optional[int] = HEADER_ROW, landscape: bool = True) -> None:
    """A4, one page wide, header row on every page, sheet name above and page number below."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)
    sheet.set_header("&C&A")
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _write_overview(workbook: xlsxwriter.Workbook, formats: _Formats, content: SummaryContent) -> None:
    for table in _write_long_table(workbook, formats, SHEET_OVERVIEW, OVERVIEW_COLUMNS, content.overview,
                                   "预算绩效自评复核汇总表", _batch_line(content), "行", rows_below=_OVERVIEW_NOTE_ROWS):
        sheet = table.sheet
        if table.rows_counted:
            _highlight_overview(sheet, formats, table, content.grade_scales)
        note_row = table.last_data_row + _OVERVIEW_NOTE_ROWS
        note = (f"说明：差异＝复核总分－自评总分（自评得分未填全的，自评总分仅供参考，不计差异）；"
                f"|差异|≥{DIFFERENCE_RED_AT}分标红，≥{DIFFERENCE_AMBER_AT}分标黄"
                f"{grade_note(content.grade_scales)}。排名按复核总分从高到低，项目与部门整体分别排名；"
                "未能评分的文件列在最后，原因见“原因”列，处理建议见“问题清单”。")
        sheet.merge_range(note_row, 0, note_row, table.last_col, "", formats.note)
        sheet.write_string(note_row, 0, note, formats.note)
        lines = max(2, lines_needed(note, sum(table.widths), FONT_SIZE))  # a narrow table wraps it more
        sheet.set_row(note_row, lines * line_height(FONT_SIZE) + 4)


def _highlight_overview(sheet: Worksheet, formats: _Formats, table: _Table,
                        grade_scales: tuple[tuple[str, ...], ...]) -> None:
    first, last = table.first_data_row, table.last_data_row
    difference = table.column_of("差异")
    cell = xl_rowcol_to_cell(first, difference, row_abs=False, col_abs=True)
    sheet.conditional_format(first, difference, last, difference, {
        "type": "formula", "criteria": f"=AND(ISNUMBER({cell}),ABS({cell})>={DIFFERENCE_RED_AT})",
        "format": formats.highlight["red"], "stop_if_true": True,
    })
    sheet.conditional_format(first, difference, last, difference, {
        "type": "formula",
        "criteria": f"=AND(ISNUMBER({cell}),ABS({cell})>={DIFFERENCE_AMBER_AT},ABS({cell})<{DIFFERENCE_RED_AT})",
        "format": formats.highlight["amber"],
    })
    grade = table.column_of("等级")
    for grade_text, style in grade_highlights(grade_scales).items():
        sheet.conditional_format(first, grade, last, grade, {
            "type": "cell", "criteria": "==", "value": f'"{grade_text}"', "format": formats.highlight[style],
        })


def _batch_line(content: SummaryContent) -> str:
    statuses, kinds = Counter(content.statuses), content.forms.kinds
    return (f"评分规则：{content.rulebook}　　文件 {statuses.total()} 个（已评分 {statuses['ok']}，"
            f"错误 {statuses['error']}，跳过 {statuses['skipped']}）　　"
            f"评价表 {kinds.total()} 张（项目 {kinds['project']}，部门整体 {kinds['department']}）"
            + (f"　　疑似重复报送 {len(content.duplicates)} 组（见“{SHEET_DUPLICATES}”表）" if content.duplicates else ""))


def _write_issues(workbook: xlsxwriter.Workbook, formats: _Formats, content: SummaryContent) -> None:
    levels = content.issue_levels
    _write_long_table(workbook, formats, SHEET_ISSUES, ISSUE_COLUMNS, content.issues, SHEET_ISSUES,
                      f"共 {content.issues.rows} 条（错误 {levels.get(LEVEL_LABELS['error'], 0)} 条，"
                      f"提示 {levels.get(LEVEL_LABELS['warning'], 0)} 条），按文件、工作表行号排列", "条")


def _write_long_table(workbook: xlsxwriter.Workbook, formats: _Formats, name: str, columns: Sequence[Column],
                      rendered: RenderedTable, title: str, subtitle: str, unit: str, rows_below: int = 0
                      ) -> list[_Table]:
    """A table of rendered rows on sheet ``name``, going on over “name（续1）”… where it passes Excel's
    rows (keeping ``rows_below`` rows free under it on each), every part titled, frozen, filtered and
    set up for print alike; the tables of the parts, for what goes under them."""
    parts = _sheet_parts(rendered, sheet_room(rows_below))
    tables = []
    for number, part in enumerate(parts):
        table = _Table(workbook.add_worksheet(name + _part_suffix(number)), formats, columns)
        table.measured(part)
        table.title(title + _part_suffix(number), subtitle + _parts_line(name, unit, parts, number))
        table.stream_rendered(part)
        table.freeze_and_filter()
        _print_setup(table.sheet)
        tables.append(table)
    return tables


def sheet_room(rows_below: int = 0) -> int:
    """Data rows one sheet of a table holds under its title, subtitle and header, with ``rows_below``
    rows kept free under them."""
    return EXCEL_ROWS - FIRST_DATA_ROW - rows_below


def _part_suffix(number: int) -> str:
    """What the name and title of the ``number``-th sheet (from 0) of a table that goes on over several
    end with: nothing for the first, then （续1）, （续2）…"""
    return f"（续{number}）" if number else ""


def _parts_line(sheet: str, unit: str, parts: Sequence[RenderedTable], number: int) -> str:
    """What a subtitle says of a table that goes on over several sheets (nothing when it fits on one)."""
    if len(parts) == 1:
        return ""
    first = sum(part.rows for part in parts[:number]) + 1
    last = first + parts[number].rows - 1
    rest = f"，余下见“{sheet}{_part_suffix(number + 1)}”" if number + 1 < len(parts) else ""
    return (f"。超出Excel每个工作表{EXCEL_ROWS}行的上限，分{len(parts)}个工作表：本表为第{first}–{last}{unit}"
            f"{rest}")


def _sheet_parts(table: RenderedTable, room: int) -> list[RenderedTable]:
    """``table`` as the tables of the sheets it goes on over, at most ``room`` rows each: itself when it
    fits on one sheet.

    Each part takes its rows deflated ahead of time, when there is a part of them for each sheet,
    or else from one pass over the table's blocks (a block cut between two rows where a sheet
    ends), so the parts are to be written in order.
    """
    if table.rows <= room:
        return [table]
    rows = _RowsInOrder(table.blocks)
    starts = range(0, table.rows, room)
    sizes = [min(room, table.rows - start) for start in starts]
    deflated = table.deflated if [part.rows for part in table.deflated] == sizes else ()
    return [RenderedTable(table.widths, size, functools.partial(rows.take, start, size),
                          deflated[number:number + 1])
            for number, (start, size) in enumerate(zip(starts, sizes))]


class _RowsInOrder:
    """Rendered rows handed out in order, from one pass over their blocks: the rows a part was not
    given (it took its rows deflated ahead of time) are passed over."""

    def __init__(self, blocks: Callable[[], Iterable[bytes]]):
        self._blocks = blocks
        self._left: Optional[Iterator[bytes]] = None  # the blocks not handed out yet, once begun
        self._at = 0  # rows handed out or passed over

    def take(self, first: int, rows: int) -> Iterator[bytes]:
        """Blocks holding ``rows`` rows from row ``first`` (from 0) on (fewer if the table ends first)."""
        if self._left is None:
            self._left = iter(self._blocks())
        for _ in self._blocks_of(first - self._at):
            pass
        yield from self._blocks_of(rows)

    def _blocks_of(self, rows: int) -> Iterator[bytes]:
        while rows > 0:
            block = next(self._left, None)
            if block is None:
                return
            block, rest = _rows_cut(block, rows)
            if rest:  # the sheet ends inside this block: its rest starts the next sheet
                self._left = itertools.chain((rest,), self._left)
            count = block.count(ROW_END)
            rows -= count
            self._at += count
            yield block


def _write_distribution(workbook: xlsxwriter.Workbook, sheet: Worksheet, formats: _Formats,
                        forms: FormTally, grade_scales: tuple[tuple[str, ...], ...],
                        bands: tuple[tuple[Decimal | int, Decimal | int], ...] = SCORE_BINS) -> None:
    grades, bins = grades_listed(forms.grades, grade_scales), forms.bins(bands)
    evaluated = sum(grades.values())

    def share(count: int) -> float:
        return count / evaluated if evaluated else 0

    total = ["合计", evaluated, 1 if evaluated else 0]
    grade_table = _Table(sheet, formats, GRADE_COLUMNS)
    grade_rows = [[grade, count, share(count)] for grade, count in grades.items()]
    grade_table.measure(grade_rows, total)
    bin_table = _Table(sheet, formats, BIN_COLUMNS, first_col=len(GRADE_COLUMNS) + 1)
    bin_rows = [[label, count, share(count)] for label, count in bins.items()]
    bin_table.measure(bin_rows, total)
    sheet.set_column(len(GRADE_COLUMNS), len(GRADE_COLUMNS), 3)  # gap between the tables
    _title(sheet, formats, 0, bin_table.last_col, "等级与分数分布",
           f"评价表 {evaluated} 张；分数段含下限、不含上限（{bin_label(*bands[-1])}含{format_number(Decimal(bands[-1][1]))}分）")
    _stream_side_by_side(sheet, [(grade_table, grade_rows, total), (bin_table, bin_rows, total)])

    chart_row = max(grade_table.last_data_row, bin_table.last_data_row) + 3
    name = sheet.get_name()
    sheet.insert_chart(chart_row, 0, _column_chart(
        workbook, name, grade_table, grades, "评价等级分布", "等级", "#5B9BD5"), {"x_offset": 4, "y_offset": 4})
    sheet.insert_chart(chart_row, 0, _column_chart(
        workbook, name, bin_table, bins, "复核总分分布", "分数段", "#ED7D31", gap=15),
        {"x_offset": 444, "y_offset": 4})
    _print_setup(sheet, repeat_row=None)


def _stream_side_by_side(sheet: Worksheet, tables: list[tuple[_Table, list[list[Value]], list[Value]]]) -> None:
    """Tables sharing the header row, written row by row; where two rows meet, the later table's height holds."""
    header_row = tables[0][0].header_row
    heights = [table.write_header() for table, _, _ in tables]
    sheet.set_row(header_row, heights[-1])
    lengths = [len(rows) + 1 for _, rows, _ in tables]  # + the total row
    for offset in range(max(lengths)):
        row_index = header_row + 1 + offset
        heights = [table.write_row(row_index, rows[offset] if offset < len(rows) else total,
                                   is_total=offset == len(rows))
                   for (table, rows, total), length in zip(tables, lengths) if offset < length]
        sheet.set_row(row_index, heights[-1])


def _column_chart(workbook: xlsxwriter.Workbook, sheet_name: str, table: _Table, counts: dict[str, int],
                  title: str, axis: str, color: str, gap: int = 80):
    """A column chart of ``counts`` as the table shows them (its data rows: categories, then counts).

    The series carry their data too: in constant_memory mode xlsxwriter cannot
    read the cells back for the chart's cached values, which viewers that do
    not recalculate (and Excel before it does) draw from.
    """
    first, last = table.first_data_row, table.last_data_row
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({
        "name": "数量",
        "categories": [sheet_name, first, table.first_col, last, table.first_col],
        "values": [sheet_name, first, table.first_col + 1, last, table.first_col + 1],
        "categories_data": list(counts),
        "values_data": list(counts.values()),
        "data_labels": {"value": True, "font": {"name": FONT_NAME}},
        "fill": {"color": color},
        "gap": gap,
    })
    font = {"name": FONT_NAME, "size": 10}
    chart.set_title({"name": title, "name_font": {"name": FONT_NAME, "size": 12, "bold": True}})
    chart.set_x_axis({"name": axis, "name_font": font, "num_font": font})
    chart.set_y_axis({"name": "数量（张）", "name_font": font, "num_font": font, "major_unit": 1, "min": 0,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 430, "height": 280})
    return chart


def _write_duplicates(sheet: Worksheet, formats: _Formats, duplicates: Sequence) -> None:
    rows = [[group.kind, group.name, group.unit, len(group.files), "\n".join(group.files_named())] for group in duplicates]
    table = _Table(sheet, formats, DUPLICATE_COLUMNS)
    table.measure(rows)
    table.title("疑似重复报送", "同一项目（按项目名称和实施单位）或同一部门（按填报单位）有多张评价表：每张都已评分，并计入汇总、分布和部门表；"
                "请确认以哪一份为准，删除其余后重新评分。")
    table.stream(rows)
    table.freeze_and_filter()
    _print_setup(sheet)


def _write_departments(sheet: Worksheet, formats: _Formats, summaries: list[DepartmentSummary]) -> None:
    everything = DepartmentSummary("合计")
    for summary in summaries:
        everything.absorb(summary)
    rows, total = department_rows(summaries), department_rows([everything])[0]
    table = _Table(sheet, formats, DEPARTMENT_COLUMNS)
    table.measure(rows, total)
    table.title("按主管部门汇总", "金额单位：万元。平均复核总分计全部评价表；平均自评总分只计自评得分填全的表（自评完整表数），"
                "同表平均复核总分是这些表的复核总分平均，与平均自评总分直接可比。预算数为项目“年度资金总额”的全年预算数"
                "（无全年预算数的表用年初预算数，总额为0或空时用分项合计），执行率＝执行数÷预算数，只计预算数和执行数都填了的项目；"
                "部门整体评价计入其填报单位。")
    table.stream(rows, total)
    table.freeze_and_filter()
    _print_setup(sheet)
