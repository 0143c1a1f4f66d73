"""How much room text needs in a cell: column widths and row heights for the summary and base-data sheets.

Neither xlsxwriter nor openpyxl can measure text, and Excel does not grow a
row for wrapped text it did not lay out itself, so widths and heights are
estimated.  The unit is Excel's column-width unit (≈ one digit of the default
11 pt font); a CJK character of 宋体 is about two of them.  Estimates err on the
generous side: a little white space reads better than a cut-off line.
"""
from __future__ import annotations

import math
import re
import unicodedata

REFERENCE_FONT_SIZE = 11.0
CELL_MARGIN = 0.8  # column units lost to the cell's left and right margins
#: Excel's tallest row, in points (its specifications' limit): a row is never written taller, however
#: long its text, since Excel has no taller one to show it in (a 3,000-character 偏差原因 needed 4,279);
#: the scored form puts what one row cannot show in the rows below it (_row_heights.pieces_to_fit).
MAX_ROW_HEIGHT = 409.0


def excel_row_height(height: float) -> float:
    """``height`` at most as tall as Excel lets a row be (:data:`MAX_ROW_HEIGHT`)."""
    return height if height <= MAX_ROW_HEIGHT else MAX_ROW_HEIGHT


def text_width(text: str, font_size: float) -> float:
    """Width of the longest line of ``text`` in column units."""
    return max(line_widths(text, font_size))


def line_widths(text: str, font_size: float) -> list[float]:
    """Width of each line of ``text`` in column units (one at least: "" is one empty line)."""
    if "\n" not in text:  # most texts are one line: no split, no comprehension
        return [line_width(text, font_size)]
    return [line_width(line, font_size) for line in text.split("\n")]


def line_width(line: str, font_size: float, extra_bytes: int | None = None) -> float:
    """Width of one line of text (no line break) in column units; ``extra_bytes``, for a caller that
    has encoded the line already: the bytes its UTF-8 takes beyond one a character (see wide_count)."""
    if extra_bytes is None:
        wide = 0 if line.isascii() else _wide_count(line)
    else:
        wide = wide_count(line, extra_bytes) if extra_bytes else 0
    return (wide * 2.0 + (len(line) - wide) * 1.1) * font_size / REFERENCE_FONT_SIZE


#: East Asian Width classes a CJK font draws two columns wide: W, F, and A (ambiguous).
WIDE_CLASSES = "WFA"
#: Code points wide in every Unicode version Python 3.10+ knows (CJK punctuation, the CJK unified
#: ideographs as of Unicode 13, fullwidth forms): the bulk of a Chinese text.  A test checks them
#: against unicodedata.
COMMON_WIDE = ((0x3000, 0x303E), (0x4E00, 0x9FFC), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6))
#: A character neither ASCII (narrow) nor common wide: looked up one by one.
_OTHER_CHARACTER = re.compile("[^\\x00-\\x7f" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in COMMON_WIDE) + "]")


def _wide_count(line: str) -> int:
    """How many characters of ``line`` are wide: East Asian Width W or F, and A (ambiguous), which
    宋体 and every CJK font draw full-width — "≥", "×", "“", "…" — where counting them narrow
    left the last line of a 评分标准 such as "≥90%得5分，≥80%得4分，…否则0分" cut off.

    Why not a lookup per character: at ~700 instructions a character, it made most of the cost
    of a scored form's row heights.  The ASCII characters take one byte in UTF-8 and the common
    wide ones three, so their number follows from byte and character counts; only the others
    ("≥", "×", "“" …: a few in a line) are looked up one by one, each correcting the count by
    what it is (see :class:`_Correction`).  Why the others are found (findall) rather than the
    rest removed (sub), and corrected one by one rather than encoded again: ~18 % fewer
    instructions for a line of Chinese, of which a scored form measures tens.
    """
    try:
        extra_bytes = len(line.encode()) - len(line)
    except UnicodeEncodeError:  # lone surrogates: "surrogatepass" gives them 3 bytes, corrected below
        extra_bytes = len(line.encode("utf-8", "surrogatepass")) - len(line)
    return wide_count(line, extra_bytes)


def wide_count(line: str, extra_bytes: int) -> int:
    """How many characters of ``line`` are wide, given the bytes its UTF-8 (lone surrogates passed
    as three bytes) takes beyond one a character: for a caller that has encoded it already."""
    others = _OTHER_CHARACTER.findall(line)
    if others:
        extra_bytes += sum(map(_CORRECTION.__getitem__, others))
    return extra_bytes // 2


class _Correction(dict):
    """Character → what it adds to twice the wide count in place of its own extra UTF-8 bytes:
    2 if it is wide (East Asian Width W, F or A), else 0, less its bytes beyond the first.

    The extra bytes of a line are twice its common wide characters plus those of its others;
    with each other's correction added they are twice its wide characters.  A dict lookup per
    character instead of a unicodedata call: at most one entry per character met.
    """

    def __missing__(self, char: str) -> int:
        wide = 2 if unicodedata.east_asian_width(char) in WIDE_CLASSES else 0
        correction = self[char] = wide - (len(char.encode("utf-8", "surrogatepass")) - 1)
        return correction


_CORRECTION = _Correction()


def lines_needed(text: str, width: float, font_size: float) -> int:
    """Lines ``text`` wraps onto in a cell ``width`` column units wide."""
    if "\n" not in text:  # most texts are one line: what wrapped_lines finds, without a list and a generator
        return max(1, math.ceil(line_width(text, font_size) / max(width - CELL_MARGIN, 1.0)))
    return wrapped_lines(line_widths(text, font_size), width)


def wrapped_lines(widths: list[float], width: float) -> int:
    """Lines that lines of ``widths`` (see :func:`line_widths`) wrap onto in a cell ``width`` column units wide."""
    usable = max(width - CELL_MARGIN, 1.0)
    return sum(max(1, math.ceil(line / usable)) for line in widths)


def line_height(font_size: float) -> float:
    """Height in points of one line of text."""
    return font_size * 1.35 + 1.5
