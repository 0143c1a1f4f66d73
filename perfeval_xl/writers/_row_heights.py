"""Row heights for wrapped text.

Excel does not grow a row to fit wrapped text in merged cells, and openpyxl
cannot measure text, so heights are estimated from the text, the font size and
the width of the (merged) cell.  The estimate errs on the tall side: a little
white space reads better than a cut-off 评分依据.
"""
from __future__ import annotations

import math
import unicodedata
from typing import Optional

from openpyxl.worksheet.worksheet import Worksheet

from ._style_template import column_width

_DEFAULT_FONT_SIZE = 11.0
_PADDING_UNITS = 0.8  # cell margins, in column-width units


def _text_units(text: str, font_size: float) -> float:
    """Width of ``text`` in column-width units (≈ one digit of an 11 pt font)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    narrow = len(text) - wide
    return (wide * 2.0 + narrow * 1.1) * font_size / _DEFAULT_FONT_SIZE


def lines_needed(text: str, width: float, font_size: float) -> int:
    usable = max(width - _PADDING_UNITS, 1.0)
    return sum(max(1, math.ceil(_text_units(part, font_size) / usable)) for part in text.split("\n"))


def line_height(font_size: float) -> float:
    return font_size * 1.35 + 1.5


def fit_row_heights(sheet: Worksheet, minimum: dict[int, Optional[float]]) -> None:
    """Give every row in ``minimum`` the height its wrapped text needs.

    ``minimum`` maps row number to the prototype row's height (or None).
    Cells merged over several rows are skipped: their text has room enough.
    """
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
            size = float(cell.font.sz or _DEFAULT_FONT_SIZE)
            needed = max(needed, lines_needed(cell.value, width, size) * line_height(size) + 4)
        if needed:
            sheet.row_dimensions[row].height = round(needed, 1)


def _horizontal_spans(sheet: Worksheet) -> dict[str, Optional[tuple[int, int]]]:
    """Top-left coordinate of each merged range → its columns, or None if it spans rows."""
    spans: dict[str, Optional[tuple[int, int]]] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = merged.start_cell.coordinate
        spans[top_left] = None if merged.max_row > merged.min_row else (merged.min_col, merged.max_col)
    return spans
