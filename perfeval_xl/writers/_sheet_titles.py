"""Worksheet titles that Excel accepts."""
from __future__ import annotations

import re

EXCEL_MAX_TITLE = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel keeps this name for its change-tracking sheet


def _clean_title(name: str) -> str:
    title = _FORBIDDEN.sub("_", name).strip().strip("'")
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
