"""How much room text needs in a cell: column widths and row heights for the summary and base-data sheets.

Neither xlsxwriter nor openpyxl can measure text, and Excel does not grow a
row for wrapped text it did not lay out itself, so widths and heights are
estimated.  The unit is Excel's column-width unit (≈ one digit of the default
11 pt font); a CJK character of 宋体 is about two of them.  Estimates err on the
generous side: a little white space reads better than a cut-off line.
"""
from __future__ import annotations

import math
import unicodedata

REFERENCE_FONT_SIZE = 11.0
CELL_MARGIN = 0.8  # column units lost to the cell's left and right margins


def text_width(text: str, font_size: float) -> float:
    """Width of the longest line of ``text`` in column units."""
    return max(line_widths(text, font_size))


def line_widths(text: str, font_size: float) -> list[float]:
    """Width of each line of ``text`` in column units (one at least: "" is one empty line)."""
    if "\n" not in text:  # most texts are one line: no split, no comprehension
        return [_line_width(text, font_size)]
    return [_line_width(line, font_size) for line in text.split("\n")]


def _line_width(line: str, font_size: float) -> float:
    wide = 0 if line.isascii() else sum(map(_WIDE.__getitem__, line))
    return (wide * 2.0 + (len(line) - wide) * 1.1) * font_size / REFERENCE_FONT_SIZE


class _Wide(dict):
    """Character → 1 if it is wide (East Asian Width W or F), else 0.

    A dict lookup per character instead of a unicodedata call: texts are mostly
    the same few thousand CJK characters.  At most one entry per character met.
    """

    def __missing__(self, char: str) -> int:
        wide = self[char] = 1 if unicodedata.east_asian_width(char) in "WF" else 0
        return wide


_WIDE = _Wide()


def lines_needed(text: str, width: float, font_size: float) -> int:
    """Lines ``text`` wraps onto in a cell ``width`` column units wide."""
    return wrapped_lines(line_widths(text, font_size), width)


def wrapped_lines(widths: list[float], width: float) -> int:
    """Lines that lines of ``widths`` (see :func:`line_widths`) wrap onto in a cell ``width`` column units wide."""
    usable = max(width - CELL_MARGIN, 1.0)
    return sum(max(1, math.ceil(line / usable)) for line in widths)


def line_height(font_size: float) -> float:
    """Height in points of one line of text."""
    return font_size * 1.35 + 1.5
