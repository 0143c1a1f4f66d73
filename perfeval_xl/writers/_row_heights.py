"""Row heights for wrapped text.

Excel does not grow a row to fit wrapped text in merged cells, and openpyxl
cannot measure text, so heights are estimated from the text, the font size and
the width of the (merged) cell.  The estimate errs on the tall side: a little
white space reads better than a cut-off 评分依据.
"""
from __future__ import annotations

import functools
import math
from typing import Optional, Sequence

from ._text_measure import (CELL_MARGIN, MAX_ROW_HEIGHT, REFERENCE_FONT_SIZE, excel_row_height, line_height,
                            line_width, lines_needed)

DEFAULT_FONT_SIZE = REFERENCE_FONT_SIZE  # of a cell whose font has no size


#: Texts whose heights are kept, by every kind of cell together (≈180 bytes each).  Why together:
#: a template has a handful of kinds of cell, each filling at its own pace, so a bound per kind
#: (4,096 each) let the memos grow for the whole batch: 1.7 MB after 3,000 distinct forms, and
#: more with each kind that filled later.  Why not more: real forms' texts are mostly their own,
#: so a bigger memo mostly holds texts that never recur.
TEXT_HEIGHTS_KEPT = 4096


#: The lengths of text :attr:`TextHeights.widest` covers: most texts of a form are shorter.
WIDEST_KEPT = 256


class HeightBound:
    """The memos of heights of several kinds of cell (:class:`TextHeights`), bounded together:
    when they hold :data:`TEXT_HEIGHTS_KEPT` texts between them, every one is emptied."""

    __slots__ = ("memos", "texts")

    def __init__(self):
        self.memos: list[TextHeights] = []
        self.texts = 0

    def take_one(self) -> None:
        """Make room for one more text."""
        if self.texts >= TEXT_HEIGHTS_KEPT:
            for memo in self.memos:
                memo.clear()
            self.texts = 0
        self.texts += 1


#: The bound of the memos :func:`text_heights` makes, one per kind of cell of the templates.
_TEMPLATE_CELLS = HeightBound()


class TextHeights(dict):
    """Text → the row height it needs in cells ``width`` wide with a font of ``font_size``
    (:func:`measured_height`), measured on first use and kept (every kind's memo is emptied when
    they hold :data:`TEXT_HEIGHTS_KEPT` texts together, as a :class:`BoundedMemo` is when full).

    Why a class of its own rather than a BoundedMemo of a function: real forms' texts are mostly
    their own, so most texts asked about are measured, here without a call to a compute function
    in between; and each keeps :attr:`widest`.  The arithmetic is measured_height's, operation for
    operation, so the heights are the same floats.
    """

    __slots__ = ("width", "font_size", "usable", "one_line", "per_line", "widest", "bound")

    def __init__(self, width: float, font_size: float, bound: HeightBound | None = None):
        super().__init__()
        self.bound = bound = bound or HeightBound()
        bound.memos.append(self)
        self.width, self.font_size = width, font_size
        self.usable = usable = max(width - CELL_MARGIN, 1.0)
        self.one_line = _lines_height(1, font_size)
        self.per_line = per_line = line_height(font_size)
        ceil = math.ceil
        #: ``widest[n]``: the most a text of n characters and no line break can need, that of n
        #: wide characters (line_width's arithmetic with every character wide; each narrow one
        #: makes a text 0.9 units narrower, far beyond any rounding), for n < WIDEST_KEPT.  Why:
        #: a text whose most is no more than its row already needs cannot raise the row, and is
        #: not measured (see scored_form._sheet_rows).
        self.widest = tuple(max(ceil(n * 2.0 * font_size / REFERENCE_FONT_SIZE / usable), 1) * per_line + 4
                            for n in range(WIDEST_KEPT))

    def __missing__(self, text: str) -> float:
        self.bound.take_one()
        font_size = self.font_size
        length = len(text)
        if "\n" in text:
            height = _lines_height(lines_needed(text, self.width, font_size), font_size)
        elif length * 2.0 * font_size / REFERENCE_FONT_SIZE <= self.usable:
            height = self.one_line  # fits even if every character were wide: no need to measure it
        else:
            lines = math.ceil(line_width(text, font_size) / self.usable)
            height = (lines if lines > 1 else 1) * self.per_line + 4
        self[text] = height
        return height

    def measured(self, text: str, extra_bytes: int) -> float:
        """``self[text]`` of a ``text`` with no line break whose UTF-8 takes ``extra_bytes`` bytes
        beyond one a character (measured as :meth:`__missing__` measures it).

        Why: the scored form has just encoded the text, so it is not encoded again to count its
        wide characters; and a hit is a ``get``, where ``self[text]`` goes through CPython's
        slot_mp_subscript, as for any dict subclass, and a miss through ``__missing__`` on top
        (−31 M instructions writing 300 forms of distinct texts, −18 M of repetitive ones).
        """
        height = self.get(text)
        if height is None:
            self.bound.take_one()
            lines = math.ceil(line_width(text, self.font_size, extra_bytes) / self.usable)
            height = self[text] = (lines if lines > 1 else 1) * self.per_line + 4
        return height


@functools.cache  # one per kind of cell (width, font size): a template has a handful
def text_heights(width: float, font_size: float) -> TextHeights:
    """The one memo of heights of texts in cells ``width`` wide with a font of ``font_size``:
    the scored form's hot loop asks ``heights.measured(text, extra_bytes)``."""
    return TextHeights(width, font_size, _TEMPLATE_CELLS)


def measured_height(text: str, width: float, font_size: float) -> float:
    """The row height ``text`` needs in a cell ``width`` wide (not memoised)."""
    usable = max(width - CELL_MARGIN, 1.0)
    if "\n" not in text and len(text) * 2.0 * font_size / REFERENCE_FONT_SIZE <= usable:
        lines = 1  # fits even if every character were wide: no need to measure it
    else:
        lines = lines_needed(text, width, font_size)
    return _lines_height(lines, font_size)


def _lines_height(lines: int, font_size: float) -> float:
    return lines * line_height(font_size) + 4


def single_line(width: float, font_size: float) -> tuple[int, float]:
    """(n, h): text of at most n characters and no line break takes one line, h high, in a cell ``width`` wide.

    What :func:`measured_height` finds for such text, without measuring it: n
    characters fit even if every one is wide.
    """
    usable = max(width - CELL_MARGIN, 1.0)
    length = int(usable * REFERENCE_FONT_SIZE / (2.0 * font_size)) + 1
    while length > 0 and length * 2.0 * font_size / REFERENCE_FONT_SIZE > usable:  # the test measured_height makes
        length -= 1
    return length, _lines_height(1, font_size)


def roomy_length(width: float, font_size: float, height: float) -> int:
    """The length up to which a text with no line break needs at most ``height`` in a cell ``width``
    wide, even if every character were wide (what :func:`measured_height` would find, without
    measuring it); -1 when not even an empty text fits."""
    lines = math.floor((height - 4) / line_height(font_size))
    if lines < 1:
        return -1
    usable = max(width - CELL_MARGIN, 1.0)
    return max(int(lines * usable * REFERENCE_FONT_SIZE / (2.0 * font_size)) - 1, 0)  # − 1: rounding's margin


#: The merged ranges of several rows that hold text, by their last row: [(the height their text
#: needs, their first row)].
TallEnds = dict[int, list[tuple[float, int]]]


def raised_for_tall_merges(needed: float, row: int, ends: TallEnds, drawn: list[float]) -> float:
    """``needed`` of ``row`` raised so that each merged range of several rows ending there is as tall
    as its text needs: its last row takes what the rows above it lack (``drawn``: the height each
    row needs, written rounded to 0.1 pt).

    Why the last row: a 问题提示 of three flags merged down four fund lines must not be cut off,
    and the rows above keep the height their own cells need.
    """
    for required, first_row in ends[row]:
        shortfall = required - sum([round(height, 1) for height in drawn[first_row - 1:row - 1]])
        if shortfall > needed:
            needed = shortfall
    return needed


def fit_heights(rows: Sequence[dict[int, object]], floors: Sequence[Optional[float]],
                merges: Sequence[tuple[int, int, int, int]], column_widths: Sequence[float],
                font_sizes: Sequence[Sequence[Optional[float]]], exact: Optional[list[float]] = None
                ) -> list[Optional[float]]:
    """The height of every row: its floor, raised to what its wrapped text needs.

    ``rows[i]`` maps column → value of row ``i + 1``; ``floors[i]`` is the
    prototype row's height (or None); ``merges`` are (first row, first column,
    last row, last column), 1-based; ``column_widths[c - 1]`` is the width of
    column ``c`` and ``font_sizes[i][c - 1]`` the font size of its cell in row
    ``i + 1`` (None: the default).  Only text counts; a value under a merge (not
    its top-left cell) is ignored.  The text of a range merged over several
    rows is given room by its last row (:func:`raised_for_tall_merges`).  A row
    with no floor and no text gets None.  ``exact``, if given, receives every
    row's height before it is rounded to 0.1 pt (0: none), as the scored form's
    XML writer has them (its page breaks are found on these).
    """
    widths: dict[tuple[int, int], Optional[float]] = {}  # merged cells: the range's width, None to skip
    ends: TallEnds = {}
    for first_row, first_col, last_row, last_col in merges:
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                widths[row, col] = None
        width = sum(column_widths[first_col - 1:last_col])
        if last_row == first_row:
            widths[first_row, first_col] = width
            continue
        value = rows[first_row - 1].get(first_col)
        if value.__class__ is str and value:
            size = float(font_sizes[first_row - 1][first_col - 1] or DEFAULT_FONT_SIZE)
            ends.setdefault(last_row, []).append((text_heights(width, size)[value], first_row))
    heights: list[Optional[float]] = []
    drawn: list[float] = []
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
            height = text_heights(width, size)[value]
            if height > needed:
                needed = height
        if row in ends:
            needed = raised_for_tall_merges(needed, row, ends, drawn)
        needed = excel_row_height(needed)
        drawn.append(needed)
        heights.append(round(needed, 1) if needed else None)
    if exact is not None:
        exact.extend(drawn)
    return heights


def pieces_to_fit(text: str, width: float, font_size: float, height: float = MAX_ROW_HEIGHT) -> list[str]:
    """``text`` cut into pieces that each need at most ``height`` in a cell ``width`` wide (as
    :func:`measured_height` measures them): at line breaks where it can, else between characters.

    Why: Excel's rows stop at 409 pt, so a 偏差原因 of 300 characters in its column, or a long
    年度总体目标, was cut off on the scored form; the writer gives each piece a row of its own.
    """
    usable = max(width - CELL_MARGIN, 1.0)
    per_piece = max(math.floor((height - 4) / line_height(font_size)), 1)
    pieces: list[str] = []
    current: list[str] = []
    used = 0  # lines of the piece being filled
    for paragraph in text.split("\n"):
        lines = max(1, math.ceil(line_width(paragraph, font_size) / usable))
        while lines > per_piece - used:
            if used and (lines <= per_piece or used >= per_piece):  # a piece of its own: not cut
                pieces.append("\n".join(current))
                current, used = [], 0
                continue
            cut = _cut_at(paragraph, (per_piece - used) * usable, font_size)
            current.append(paragraph[:cut])
            pieces.append("\n".join(current))
            current, used = [], 0
            paragraph = paragraph[cut:]
            lines = max(1, math.ceil(line_width(paragraph, font_size) / usable))
        current.append(paragraph)
        used += lines
    pieces.append("\n".join(current))
    return pieces


def _cut_at(paragraph: str, room: float, font_size: float) -> int:
    """How many first characters of ``paragraph`` (one at least) are at most ``room`` wide."""
    width = 0.0
    for index, char in enumerate(paragraph):
        width += line_width(char, font_size)
        if width > room:
            return max(index, 1)
    return len(paragraph)
