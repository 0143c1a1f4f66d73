"""Spreadsheet column letters, shared by the readers (a finding's cell, "B13") and the writers."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1024)  # Why cached: every indicator row names the same few columns
def column_letters(number: int) -> str:
    """Column number, from 1 → "A", 28 → "AB"."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
