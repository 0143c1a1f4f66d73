"""Where the scored form's printed pages end, and whether its indicator header repeats on them.

The form prints fit to the page's width, as many pages tall as it needs.  Left to
itself, Excel ends a page where the next row no longer fits: a form a little
longer than a page then printed 总分 and 评价等级 (and the unit's lines, the
评分规则 note) alone on the next page under the repeated indicator header, or
the 复核问题 header at the foot of a page and its rows on the next, under the
indicator header (提示 under 一级指标, the problem under 三级指标).

The writers know every row's height, and the page setup gives the page's height
and the scale that fits the columns to its width; so they end each page
themselves, with manual row breaks (``<rowBreaks>``), where Excel would have
ended it except that:

- the closing rows (总分 … the 评分规则 note) never start a page: the table's
  last two indicator rows go with them, under the repeated header;
- the 复核问题 block starts a page whole, header and rows: after a table that
  ended on the first page, that page has no repeated header at all (the print
  titles are left out, as no other page holds indicator rows); after a longer
  table, it follows the closing rows when it fits there;
- a header row (of the table, the fund or goal block, 复核问题) never ends a
  page, and a break avoids cutting a short merged 二级指标 cell in two.

A form that fits on one page gets no break, and keeps its print titles; one of more
than 1,024 pages gets breaks for its first 1,024 only (Excel's limit, :data:`MAX_ROW_BREAKS`).  The
page height is estimated on the safe side (see :func:`page_height`): a page
that ends a little early costs white space, one that ends late would let Excel
break it again before the manual break, leaving a page of a row or two.
"""
from __future__ import annotations

import bisect
import itertools
import math
import re
from dataclasses import dataclass
from typing import NamedTuple, Optional, Sequence

#: (width, height) in points of each OOXML paper size the estimate knows, portrait.  Another size
#: gets no breaks: Excel's own pagination is left as it was.
_PAPER_SIZES = {
    1: (612.0, 792.0),  # Letter
    5: (612.0, 1008.0),  # Legal
    8: (841.89, 1190.55),  # A3
    9: (595.28, 841.89),  # A4
    11: (419.53, 595.28),  # A5
    12: (728.5, 1031.81),  # B4 (JIS)
    13: (515.91, 728.5),  # B5 (JIS)
}
_POINTS_PER_INCH = 72.0
_PIXELS_PER_POINT = 96.0 / 72.0
#: The share of the page's estimated height the rows may fill: Excel draws a row in whole
#: pixels, and a column's width depends on the font it finds; the rest is the estimate's margin.
_SAFE_SHARE = 0.97
#: A break moves up to the start of a merged 二级指标 cell it would cut when that leaves at most
#: this share of the page empty, and the form takes no more pages for it.
_RUN_SHARE = 1 / 4
#: Rows that head a block: a page never ends with one.
_HEADERS = frozenset({"fund_header", "goal_header", "table_header", "issue_header"})
#: The most manual row breaks a sheet may carry: Excel's limit is 1,026 (its specifications), and a
#: sheet of more than 1,024 is reported as damaged on opening ("We found a problem with some
#: content").  A form of more pages (a few very long texts go on over hundreds of rows) ends its
#: first 1,024 pages here; Excel paginates the rest itself.
MAX_ROW_BREAKS = 1024


@dataclass(frozen=True)
class PrintSetup:
    """A sheet's print setup, as the workbook states it (None: not stated)."""

    paper_size: Optional[int]
    landscape: bool
    left: float  # margins, in inches
    right: float
    top: float
    bottom: float
    fit_to_page: bool
    fit_to_width: Optional[int]
    fit_to_height: Optional[int]
    scale: Optional[int]


def print_setup_of_sheet(sheet) -> PrintSetup:
    """The print setup of an openpyxl worksheet."""
    setup, margins = sheet.page_setup, sheet.page_margins
    properties = sheet.sheet_properties.pageSetUpPr
    return PrintSetup(
        _integer(setup.paperSize), setup.orientation == "landscape",
        float(margins.left), float(margins.right), float(margins.top), float(margins.bottom),
        bool(properties is not None and properties.fitToPage), _integer(setup.fitToWidth),
        _integer(setup.fitToHeight), _integer(setup.scale),
    )


_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


def print_setup_of_xml(head: bytes, tail: bytes) -> PrintSetup:
    """The print setup written in worksheet XML: ``head`` holds ``<sheetPr>``, ``tail`` the
    ``<pageMargins>`` and ``<pageSetup>`` (as openpyxl writes them)."""
    setup = _attributes(tail, b"pageSetup")
    margins = _attributes(tail, b"pageMargins")
    fit = _attributes(head, b"pageSetUpPr").get("fitToPage")

    def margin(name: str) -> float:
        return float(margins.get(name, "0.75"))

    return PrintSetup(
        _integer(setup.get("paperSize")), setup.get("orientation") == "landscape",
        margin("left"), margin("right"), margin("top"), margin("bottom"),
        fit in ("1", "true"), _integer(setup.get("fitToWidth")), _integer(setup.get("fitToHeight")),
        _integer(setup.get("scale")),
    )


def default_font_size_of_xml(styles: bytes) -> Optional[float]:
    """The size of the workbook's default font (the first in ``styles.xml``)."""
    match = re.search(rb"<fonts\b[^>]*>\s*<font\b[^>]*>(.*?)</font>", styles, re.S)
    size = match and re.search(rb'<sz val="([^"]*)"', match.group(1))
    try:
        return float(size.group(1)) if size else None
    except ValueError:
        return None


def default_row_height_of_xml(xml: bytes) -> float:
    """The sheet's default row height (``<sheetFormatPr defaultRowHeight>``; Excel's 15 if unstated)."""
    try:
        return float(_attributes(xml, b"sheetFormatPr").get("defaultRowHeight", "15"))
    except ValueError:
        return 15.0


def _attributes(xml: bytes, tag: bytes) -> dict[str, str]:
    match = re.search(rb"<" + tag + rb"\b([^>]*)>", xml)
    if match is None:
        return {}
    return {name.decode(): value.decode() for name, value in _ATTRIBUTE.findall(match.group(1))}


def _integer(value) -> Optional[int]:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def page_height(setup: PrintSetup, column_widths: Sequence[float], font_size: Optional[float]) -> Optional[float]:
    """The height in points of the sheet's rows one printed page holds (after the scale), or None
    when the setup is one the estimate does not know (no breaks are then written).

    ``column_widths`` are in characters, ``font_size`` that of the workbook's default font (what
    Excel measures the characters by).  Fit to one page wide, Excel scales the sheet by the
    whole percent that fits its columns; each column is as wide in pixels as Excel makes it
    from the width of the font's digits, taken as half the font's size (Calibri 11 and 宋体 11:
    7 pixels, as Excel finds them; a wider font makes the sheet wider and its pages hold more,
    so the estimate stays on the safe side).
    """
    paper = _PAPER_SIZES.get(setup.paper_size)
    if paper is None:
        return None
    width, height = (paper[1], paper[0]) if setup.landscape else paper
    printable_width = width - (setup.left + setup.right) * _POINTS_PER_INCH
    printable_height = height - (setup.top + setup.bottom) * _POINTS_PER_INCH
    if printable_width <= 0 or printable_height <= 0:
        return None
    if setup.fit_to_page:
        fit_width = 1 if setup.fit_to_width is None else setup.fit_to_width
        fit_height = 1 if setup.fit_to_height is None else setup.fit_to_height
        if fit_width != 1 or fit_height != 0:  # fit to a number of pages tall: Excel shrinks the sheet instead
            return None
        digit = max(int((font_size or 11.0) * _PIXELS_PER_POINT / 2), 1)
        padding = 128 // digit
        sheet_width = sum(int((256 * column + padding) / 256 * digit) for column in column_widths) / _PIXELS_PER_POINT
        if sheet_width <= 0:
            return None
        scale = min(max(math.floor(100 * printable_width / sheet_width), 10), 100) / 100
    else:
        scale = (setup.scale or 100) / 100
        if scale <= 0:
            return None
    return printable_height / scale * _SAFE_SHARE


class FormRows(NamedTuple):
    """The rows that begin a scored form's sections (see scored_form._Layout)."""

    table_header: int  # the indicator table's header, repeated on printed pages
    total: int  # 总分, after the last indicator row; the closing rows follow it
    issues: int  # the 复核问题 header, after the closing rows; its rows end the form


class Pages(NamedTuple):
    """How a form prints: the rows after which a page ends (manual breaks), and whether the
    indicator header repeats at the top of every page (print titles)."""

    breaks: tuple[int, ...] = ()
    titles: bool = True


ONE_PAGE = Pages()


def paginate(heights: list[float], roles: list[str], rows: FormRows, runs: Sequence[tuple[int, int, int, int]],
             height: Optional[float]) -> Pages:
    """The pages of a form of rows ``roles`` (one per sheet row) and ``heights`` (in points, as
    printed), its sections on ``rows``; ``runs`` are its merged 二级指标 cells (first row, column, last
    row, column), in order, kept whole where cheap; ``height`` is what a page holds
    (:func:`page_height`; None: unknown, no breaks).

    The heights are the writers' before they are written rounded to 0.1 pt (the same floats in
    both writers, so both break alike; 0.05 pt a row is far within the estimate's margin).  The
    work is a sum per row, and a few steps per page: a page's end is found by bisection.
    """
    if height is None:
        return ONE_PAGE
    prefix = list(itertools.accumulate(heights, initial=0.0))  # rows a … b: prefix[b] - prefix[a - 1]
    if prefix[-1] <= height:
        return ONE_PAGE
    return _paginated(prefix, roles, rows, runs, height)


def _paginated(prefix: list[float], roles: list[str], rows: FormRows, runs: Sequence[tuple[int, int, int, int]],
               page: float) -> Pages:
    """The pages of a form longer than one (see :func:`paginate`); rows are numbered from 1.

    Why one loop of local names: it runs for most forms (few fit one A4 page), and a method call
    or an attribute per step cost more than the step."""
    last = len(prefix) - 1
    title_row, total, issues = rows
    table_end = total - 1  # the indicator rows lie between the header and 总分
    count = table_end - title_row
    # The rows that go with the closing ones: the table's last two.
    tail = table_end - 1 if count >= 2 else table_end if count == 1 else total
    title_height = prefix[title_row] - prefix[title_row - 1]
    starts = [run[0] for run in runs]
    following = page - title_height  # what a page under the repeated header holds
    titles = True
    breaks: list[int] = []
    start, room = 1, page
    while prefix[last] - prefix[start - 1] > room and len(breaks) < MAX_ROW_BREAKS:
        # The last row that fits; one at least, however tall.
        end = bisect.bisect_right(prefix, prefix[start - 1] + room) - 1
        if end <= start:
            end = start
        elif end >= tail:
            end = _closing_end(prefix, start, end, following, rows, tail, starts, runs)
        else:
            end = _kept_run(prefix, starts, runs, start, end, room * _RUN_SHARE, following)
        while end > start and roles[end - 1] in _HEADERS:
            end -= 1
        if not breaks and end >= table_end:
            # A table whole on the first page repeats on no other: no page then shows its header.
            titles, following = False, page
        breaks.append(end)
        start, room = end + 1, following
    return Pages(tuple(breaks), titles)


def _closing_end(prefix: list[float], start: int, end: int, following: float, rows: FormRows, tail: int,
                 starts: list[int], runs: Sequence[tuple[int, int, int, int]]) -> int:
    """The end of a page starting at ``start`` whose natural end ``end`` falls among the table's last
    rows (from ``tail``), the closing rows or the 复核问题 block; the next pages hold ``following``."""
    title_row, _, issues = rows
    rest = prefix[-1]
    closing_fits = end >= issues - 1 >= start
    if closing_fits and start <= title_row:
        return issues - 1  # the whole table and its closing rows here; 复核问题 starts the next page
    tail_height = rest - prefix[tail - 1]
    if closing_fits and tail_height > following:
        return issues - 1  # 复核问题 starts the next page under its own header
    if tail - 1 >= start:  # the table's last rows go with the closing ones
        return _kept_run(prefix, starts, runs, start, tail - 1, following - tail_height, None)
    # The page starts with the closing rows, which do not fit one page with 复核问题.
    if end >= issues and issues - 1 >= start and rest - prefix[issues - 1] <= following:
        return issues - 1
    return end


def _kept_run(prefix: list[float], starts: list[int], runs: Sequence[tuple[int, int, int, int]], start: int,
              end: int, spare: float, following: Optional[float]) -> int:
    """``end``, or the row before the merged 二级指标 cell (of ``runs``, first rows ``starts``) that a
    break after ``end`` would cut, when the rows of that cell on the page starting at ``start`` take
    at most ``spare`` points (and, given the height ``following`` pages hold, the rest of the form
    needs no more pages for them, by its height)."""
    index = bisect.bisect_right(starts, end) - 1  # the last cell starting on ``end`` or above
    if index < 0:
        return end
    first, _, last_row, _ = runs[index]
    if end >= last_row or first - 1 < start or prefix[end] - prefix[first - 1] > spare:
        return end
    if following is not None:
        rest = prefix[-1]
        if math.ceil((rest - prefix[first - 1]) / following) > math.ceil((rest - prefix[end]) / following):
            return end
    return first - 1


def row_breaks_xml(breaks: Sequence[int]) -> bytes:
    """The ``<rowBreaks>`` element of manual breaks after ``breaks``, as openpyxl writes it."""
    items = "".join(f'<brk id="{row}" min="0" max="16383" man="1"/>' for row in breaks)
    return f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">{items}</rowBreaks>'.encode()
