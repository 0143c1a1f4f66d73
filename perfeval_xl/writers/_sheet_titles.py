"""Worksheet titles that Excel accepts."""
from __future__ import annotations

import re

EXCEL_MAX_TITLE = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Why: a workbook.xml may spell a control character in a sheet name (&#x1B;), the reader keeps
# it, and written back raw it made the scored form's workbook.xml ill-formed: Excel could not
# open a file the batch reported as scored.  Excel's own sheet names never hold one.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_RESERVED = {"history"}  # Excel keeps this name for its change-tracking sheet


def _clean_title(name: str) -> str:
    title = _FORBIDDEN.sub("_", _CONTROL.sub("", name)).strip().strip("'")
    if not title or title.casefold() in _RESERVED:
        title = f"{title}_" if title else "Sheet"
    return title[:EXCEL_MAX_TITLE]


def unique_sheet_titles(names: list[str]) -> list[str]:
    """Turn sheet names into valid, distinct Excel titles, keeping their order.

    Excel limits titles to 31 characters, forbids []:*?/\\ and compares titles
    case-insensitively; a clash gets a "(2)", "(3)" … suffix.
    """
    taken: set[str] = set()
    titles = []
    for name in names:
        base = _clean_title(name)
        title, number = base, 1
        while title.casefold() in taken:
            number += 1
            suffix = f"({number})"
            title = base[: EXCEL_MAX_TITLE - len(suffix)] + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles
