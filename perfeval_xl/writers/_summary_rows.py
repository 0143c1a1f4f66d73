"""What the batch summaries (summary.xlsx, summary.json) say about each form."""
from __future__ import annotations

from typing import Iterator, Optional

from ..model import FileResult, Flag, FormResult, ItemScore


def scored_forms(files: list[FileResult]) -> Iterator[tuple[FileResult, FormResult]]:
    for file in files:
        for result in file.forms:
            yield file, result


def ranks(files: list[FileResult]) -> dict[int, int]:
    """Rank of each form (keyed by ``id``) by engine total, highest first.

    Projects are ranked among projects and departments among departments;
    equal totals share a rank (1, 2, 2, 4).
    """
    by_kind: dict[str, list[FormResult]] = {}
    for _, result in scored_forms(files):
        by_kind.setdefault(result.kind, []).append(result)
    out: dict[int, int] = {}
    for results in by_kind.values():
        totals = sorted((result.total for result in results), reverse=True)
        for result in results:
            out[id(result)] = totals.index(result.total) + 1
    return out


def issues(result: FormResult) -> list[tuple[Optional[ItemScore], Flag]]:
    """Every flag of a form with the item it belongs to (None for form-level flags)."""
    found: list[tuple[Optional[ItemScore], Flag]] = [(None, flag) for flag in result.flags]
    for item in result.items:
        found.extend((item, flag) for flag in item.flags)
    return found
