"""Row heights for wrapped text.

Excel does not grow a row to fit wrapped text in merged cells, and openpyxl
cannot measure text, so heights are estimated from the text, the font size and
the width of the (merged) cell.  The estimate errs on the tall side: a little
white space reads better than a cut-off 评分依据.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

DEFAULT_FONT_SIZE = 11.0  # of a cell whose font has no size; the unit of text widths
_PADDING_UNITS = 0.8  # cell margins, in column-width units

#: Character → 1 if East Asian wide/full-width (two units), else 0; filled as characters are met.
_WIDE: dict[str, int] = {}


def _wide_count(text: str) -> int:
    if text.isascii():
        return 0
    try:
        return sum(map(_WIDE.__getitem__, text))
    except KeyError:
        for ch in text:
            if ch not in _WIDE:
                _WIDE[ch] = 1 if unicodedata.east_asian_width(ch) in "WF" else 0
        return sum(map(_WIDE.__getitem__, text))


def _text_units(text: str, font_size: float) -> float:
    """Width of ``text`` in column-width units (≈ one digit of an 11 pt font)."""
    wide = _wide_count(text)
    narrow = len(text) - wide
    return (wide * 2.0 + narrow * 1.1) * font_size / DEFAULT_FONT_SIZE


def lines_needed(text: str, width: float, font_size: float) -> int:
    usable = max(width - _PADDING_UNITS, 1.0)
    return sum(max(1, math.ceil(_text_units(part, font_size) / usable)) for part in text.split("\n"))


def line_height(font_size: float) -> float:
    return font_size * 1.35 + 1.5


@functools.lru_cache(maxsize=4096)  # full within ~100 forms: a worker stays the same size all batch
def text_height(text: str, width: float, font_size: float) -> float:
    """The row height ``text`` needs in a cell ``width`` wide (memoised: headers and labels repeat)."""
    return measured_height(text, width, font_size)


class TextHeights(dict):
    """Text → the row height it needs in a cell ``width`` wide with a font of ``font_size``.

    :func:`text_height` for one kind of cell, for the scored form's hot loop:
    ``heights[text]`` is one dict lookup where an lru_cache builds and hashes
    a key tuple on every call.  Measured on first use; emptied when full, so it
    stays bounded like the lru_cache.
    """

    __slots__ = ("width", "font_size")
    MAX = 8192

    def __init__(self, width: float, font_size: float):
        super().__init__()
        self.width = width
        self.font_size = font_size

    def __missing__(self, text: str) -> float:
        if len(self) >= self.MAX:
            self.clear()
        height = self[text] = measured_height(text, self.width, self.font_size)
        return height


def measured_height(text: str, width: float, font_size: float) -> float:
    """The row height ``text`` needs in a cell ``width`` wide (not memoised)."""
    usable = max(width - _PADDING_UNITS, 1.0)
    if "\n" in text:
        lines = lines_needed(text, width, font_size)
    elif len(text) * 2.0 * font_size / DEFAULT_FONT_SIZE <= usable:
        lines = 1  # fits even if every character were wide
    else:  # lines_needed of a single line, inlined: most texts measured are one long line
        if text.isascii():
            wide = 0
        else:
            try:
                wide = sum(map(_WIDE.__getitem__, text))
            except KeyError:
                wide = _wide_count(text)
        lines = max(1, math.ceil((wide * 2.0 + (len(text) - wide) * 1.1) * font_size / DEFAULT_FONT_SIZE / usable))
    return _lines_height(lines, font_size)


def _lines_height(lines: int, font_size: float) -> float:
    return lines * line_height(font_size) + 4


def single_line(width: float, font_size: float) -> tuple[int, float]:
    """(n, h): text of at most n characters and no line break takes one line, h high, in a cell ``width`` wide.

    What :func:`text_height` finds for such text, without measuring it: n
    characters fit even if every one is wide.
    """
    usable = max(width - _PADDING_UNITS, 1.0)
    length = int(usable * DEFAULT_FONT_SIZE / (2.0 * font_size)) + 1
    while length > 0 and length * 2.0 * font_size / DEFAULT_FONT_SIZE > usable:  # the test text_height makes
        length -= 1
    return length, _lines_height(1, font_size)


def fit_heights(rows: Sequence[dict[int, object]], floors: Sequence[Optional[float]],
                merges: Sequence[tuple[int, int, int, int]], column_widths: Sequence[float],
                font_sizes: Sequence[Sequence[Optional[float]]]) -> list[Optional[float]]:
    """The height of every row: its floor, raised to what its wrapped text needs.

    ``rows[i]`` maps column → value of row ``i + 1``; ``floors[i]`` is the
    prototype row's height (or None); ``merges`` are (first row, first column,
    last row, last column), 1-based; ``column_widths[c - 1]`` is the width of
    column ``c`` and ``font_sizes[i][c - 1]`` the font size of its cell in row
    ``i + 1`` (None: the default).  Only text counts; a value under a merge (not
    its top-left cell) is ignored, and cells merged over several rows are
    skipped: their text has room enough.  A row with no floor and no text gets None.
    """
    widths: dict[tuple[int, int], Optional[float]] = {}  # merged cells: the range's width, None to skip
    for first_row, first_col, last_row, last_col in merges:
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                widths[row, col] = None
        if last_row == first_row:
            widths[first_row, first_col] = sum(column_widths[first_col - 1:last_col])
    heights: list[Optional[float]] = []
    missing = -1.0
    for index, values in enumerate(rows):
        row = index + 1
        needed = floors[index] or 0.0
        sizes = font_sizes[index]
        for col, value in values.items():
            if value.__class__ is not str or not value:
                continue
            width = widths.get((row, col), missing)
            if width is None:
                continue
            if width == missing:
                width = column_widths[col - 1]
            size = float(sizes[col - 1] or DEFAULT_FONT_SIZE)
            height = text_height(value, width, size)
            if height > needed:
                needed = height
        heights.append(round(needed, 1) if needed else None)
    return heights


def fit_row_heights(sheet: Worksheet, minimum: dict[int, Optional[float]]) -> None:
    """Give every row of an openpyxl ``sheet`` in ``minimum`` the height its wrapped text needs.

    ``minimum`` maps row number to the row's minimum height (or None).
    Cells merged over several rows are skipped: their text has room enough.
    """
    from ._style_template import column_width

    spans = _horizontal_spans(sheet)
    for row, floor in minimum.items():
        needed = floor or 0.0
        for cell in sheet[row]:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            span = spans.get(cell.coordinate, (cell.column, cell.column))
            if span is None:
                continue
            width = sum(column_width(sheet, col) for col in range(span[0], span[1] + 1))
            size = float(cell.font.sz or DEFAULT_FONT_SIZE)
            needed = max(needed, _lines_height(lines_needed(cell.value, width, size), size))
        if needed:
            sheet.row_dimensions[row].height = round(needed, 1)


def _horizontal_spans(sheet: Worksheet) -> dict[str, Optional[tuple[int, int]]]:
    """Top-left coordinate of each merged range → its columns, or None if it spans rows."""
    spans: dict[str, Optional[tuple[int, int]]] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = merged.start_cell.coordinate
        spans[top_left] = None if merged.max_row > merged.min_row else (merged.min_col, merged.max_col)
    return spans
