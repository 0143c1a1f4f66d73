"""Readers: a workbook file in, plain form objects out (no openpyxl objects escape)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorkbookError
from ..model import BaseData, DepartmentForm, Flag, ProjectForm
from .department import (attach_base, base_not_filled, pair_by_unit, pair_department_forms, read_base_data,
                         read_scoring_table, table_not_filled, without_second_copies)
from .container import ReadLimits
from .grid import load_grids
from .project import indicator_header_short_of, nothing_filled, read_project_forms

__all__ = ["read_workbook", "WorkbookContent", "ReadLimits", "ReadOptions", "pair_department_forms", "pair_by_unit",
           "attach_base"]


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are opened: passwords to try on encrypted files, and the limits of one file."""

    passwords: tuple[str, ...] = ()
    limits: ReadLimits = field(default_factory=ReadLimits)


@dataclass
class WorkbookContent:
    """The forms found in one workbook, and the sheets that were looked at.

    ``unpaired_tables`` / ``unpaired_bases`` are department scoring tables (F3)
    and base data sheets (F2) whose partner was not in this workbook; a batch
    pairs them across files by 填报单位.
    """

    forms: list[ProjectForm | DepartmentForm] = field(default_factory=list)
    unpaired_tables: list[DepartmentForm] = field(default_factory=list)
    unpaired_bases: list[BaseData] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def read_workbook(path: str | Path, *, name: str | None = None, data: bytes | None = None,
                  passwords: tuple[str, ...] = (), limits: ReadLimits | None = None) -> WorkbookContent:
    """Read every form in the workbook at ``path``.

    ``name`` is how the file is named in flags and outputs (its path relative
    to the inbox).  ``passwords`` are tried on an encrypted file; ``limits``
    bound what one file may cost.  Raises :class:`WorkbookError` when the file
    cannot be read or holds no recognisable form.
    """
    name = name or Path(path).name
    content = WorkbookContent()
    tables: list[DepartmentForm] = []
    bases: list[BaseData] = []
    blank: list[str] = []  # sheets holding an unfilled copy of a form
    hidden: set[str] = set()
    grids = load_grids(path, data, passwords=passwords, limits=limits)
    for grid in grids:
        content.sheets.append(grid.name)
        if grid.hidden:
            hidden.add(grid.name)
        projects = read_project_forms(grid, name)
        if projects:
            filled = [project for project in projects if not nothing_filled(project)]
            if not filled:
                blank.append(grid.name)
            content.forms.extend(filled)
            continue
        table = read_scoring_table(grid, name)
        if table is not None:
            tables.append(table)  # a blank one is told after pairing: a filled F2 makes it a form
            continue
        base = read_base_data(grid, name)
        if base is not None:
            if base_not_filled(base):
                blank.append(grid.name)
            else:
                bases.append(base)
    if hidden:
        content.forms, tables, bases = _visible_first(hidden, content.forms, tables, bases)
    paired, content.unpaired_tables, content.unpaired_bases = pair_department_forms(tables, bases)
    content.unpaired_bases = without_second_copies(paired, content.unpaired_bases)
    blank += [table.sheet for table in content.unpaired_tables if table_not_filled(table)]
    content.unpaired_tables = [table for table in content.unpaired_tables if not table_not_filled(table)]
    for table in content.unpaired_tables:  # a batch may still pair it with another file's F2
        table.other_bases = {base.sheet: base.unit for base in content.unpaired_bases}
    content.forms.extend(paired)
    if not (content.forms or content.unpaired_tables or content.unpaired_bases):
        if blank:
            raise WorkbookError(f"自评表未填写（工作表：{'、'.join(blank)}，没有填报单位、项目名称、金额或自评得分），"
                                "请单位填写后重新报送")
        looked_at = "、".join(content.sheets) or "（无工作表）"
        short_of = next(filter(None, map(indicator_header_short_of, grids)), "")
        raise WorkbookError(f"未识别到自评表（查看了工作表：{looked_at}）{short_of}")
    return content


def _visible_first(hidden: set[str], projects: list[ProjectForm], tables: list[DepartmentForm],
                   bases: list[BaseData]):
    """The forms of a workbook without those on hidden sheets, for each kind (F1, F3, F2) that a
    visible sheet also holds.

    Why: a unit hides last year's or a discarded copy of the form rather than deleting it; scored,
    it would be an extra project, or an old F2 paired with this year's F3.  Each form kept says
    which hidden sheets were left out.  A kind found only on hidden sheets is read as it is.
    """
    # Kind by kind: a hidden F2 stays when no visible F2 takes its place beside a visible F3.
    kept = [[form for form in forms if form.sheet not in hidden] or forms for forms in (projects, tables, bases)]
    left_out = sorted({form.sheet for forms, still in zip((projects, tables, bases), kept)
                       if still is not forms for form in forms if form.sheet in hidden})
    if left_out:
        note = Flag(f"隐藏的工作表“{'、'.join(left_out)}”中的表格未评分（可能是往年或作废的表）", None, "warning",
                    "如其中才是本年度的表，请单位取消隐藏并删除旧表后重新报送")
        for form in kept[0] + kept[1]:
            form.flags.append(note)
    return kept[0], kept[1], kept[2]

