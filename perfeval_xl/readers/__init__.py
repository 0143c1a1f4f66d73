"""Readers: a workbook file in, plain form objects out (no openpyxl objects escape)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorkbookError
from ..model import ProjectForm
from .grid import load_grids
from .project import read_project_form

__all__ = ["read_workbook", "WorkbookContent"]


@dataclass
class WorkbookContent:
    """The forms found in one workbook, and the sheets that were looked at."""

    forms: list[ProjectForm] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def read_workbook(path: Path, *, name: str | None = None, data: bytes | None = None) -> WorkbookContent:
    """Read every form in the workbook at ``path``.

    ``name`` is how the file is named in flags and outputs (its path relative
    to the inbox).  Raises :class:`WorkbookError` when the file cannot be read
    or holds no recognisable form.
    """
    name = name or Path(path).name
    content = WorkbookContent()
    for grid in load_grids(Path(path), data):
        content.sheets.append(grid.name)
        form = read_project_form(grid, name)
        if form is not None:
            content.forms.append(form)
    if not content.forms:
        looked_at = "、".join(content.sheets) or "（无工作表）"
        raise WorkbookError(f"未识别到自评表（查看了工作表：{looked_at}）")
    return content
