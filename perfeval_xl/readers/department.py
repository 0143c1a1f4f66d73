"""Readers of the department forms: F2 base data and F3 scoring table (forms.md).

Both are found by their labels.  F2 columns are year-relative ("2018年决算数",
"2019年预算数", "2019年决算数"): the latest year is the evaluated one.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .. import labels
from ..labels import compact, nfkc, normalise, weight_in_label
from ..model import BaseAmounts, BaseData, BaseLine, DepartmentForm, DepartmentRow, Flag, Source
from ..values import MONEY_UNITS, PLACEHOLDERS, declared_money_unit, format_number, to_decimal
from .cells import SheetCells, footer_lines, joined_across, note_text, split_at_label, written_text
from .._columns import column_letters
from .grid import Grid

# An amount column's heading: its year ("2019年", "2019年度", "2019") or the year relative to the
# evaluated one ("上年", "上一年度", "本年度"), then its figure.  Spending may be headed 决算, 实际,
# 实际支出 or 执行: all are what was spent; 年初, 全年 and 调整 only say which 预算.
_PERIOD = r"(?:(\d{4})(?:年度?)?|(上一?年度?|本年度?))"
_FIGURE = r"(?:年初|全年调整|全年|调整后?)?(预算执行|预算|决算|实际支出|实际|执行)数?"  # 预算执行数: spent
_AMOUNT_HEADING = re.compile(f"^{_PERIOD}{_FIGURE}$")
_BARE_PERIOD = re.compile(f"^{_PERIOD}$")
_BARE_FIGURE = re.compile(f"^{_FIGURE}$")
# "决算数（2018年）": the year in a bracket after the figure, which normalise drops as a suffix.
_PERIOD_AFTER = re.compile(r"^([^()]+?)[(]((?:\d{4}|上一?|本)年?度?)[)]")
_SCAN = 40
_HEADCOUNT_UNIT = re.compile(r"\s*[人名]$")
#: Every F2 amount is in 万元 (forms.md); one typed in 元 is converted and flagged.
MONEY_UNIT = "万元"


def table_not_filled(table: DepartmentForm) -> bool:
    """An F3 with no 填报单位 and no 自评得分: the blank form (``perfeval-xl templates``), not a
    department's evaluation."""
    return not table.unit and all(row.self_score is None for row in table.rows)


def base_not_filled(base: BaseData) -> bool:
    """An F2 with no 填报单位, no head count and no amount: the blank form."""
    return (not base.unit and base.staff_quota is None and base.staff_actual is None
            and all(a.prior_final is None and a.budget is None and a.final is None for a in base.rows.values()))


# ------------------------------------------------------------------ F2

def read_base_data(grid: Grid, file: str) -> BaseData | None:
    """Form F2 on ``grid``, or None when the sheet is not one."""
    cells = SheetCells(grid)
    columns, year, header_row = _amount_columns(cells)
    flags: list[Flag] = []
    staff_heading: dict[str, tuple[int, int]] = {}
    staff = _staff(cells, flags, staff_heading)
    if not columns and staff is None:
        return None  # no F2 heading at all: the rows (each row's cells searched for F2 labels) are not read
    lines: list[BaseLine] = []
    declared = _declared_money_unit(cells)
    bare_unit = declared[0] if declared else None
    if declared and bare_unit != MONEY_UNIT:
        factor = MONEY_UNITS[MONEY_UNIT] / MONEY_UNITS[bare_unit]
        flags.append(Flag(f"基础数据表的金额单位为{bare_unit}，已按{MONEY_UNIT}折算（÷{factor:f}）", declared[1],
                          action=f"请单位按{MONEY_UNIT}填写金额"))
    column_units = _column_units(cells, columns, header_row, bare_unit, flags)
    notes: dict[str, list[str]] = {}
    extra_cols = _extra_columns(cells, columns, header_row)
    rows = _base_rows(cells, columns, header_row, flags, lines, bare_unit, column_units, notes, extra_cols)
    flags.extend(_wholes_from_parts(rows))
    known = sum(1 for key in rows if key in labels.BASE_ROWS)
    if known < 3:
        return None
    flags.extend(_budget_from_adjustment_caption(rows))
    flags.extend(_parts_that_do_not_add_up(rows))
    base = BaseData(file=file, sheet=grid.name, unit=_unit(cells), year=year, rows=rows, flags=flags, lines=lines,
                    notes=notes, extra_headings={column_letters(col + 1): text for col in extra_cols
                                                 if (text := cells.text(header_row, col))})
    if staff_heading:
        _staff_extra(cells, staff_heading, base)
    if staff is not None:
        # One count may be there without the other ("在职人员数" beside an unknown 编制 label): each is
        # kept, and the rule names the one it lacks (both were dropped, and both said missing).
        for key, name in (("quota", "编制数"), ("actual", "在职人数")):
            if key in staff:
                count, source, text = staff[key]
                setattr(base, f"staff_{key}", count)
                base.sources[name] = source
                if text:
                    base.staff_texts[key] = text
    return base


def _amount_columns(cells: SheetCells) -> tuple[dict[str, int], int | None, int]:
    """(columns of 上年决算 / 本年预算 / 本年决算, the year, the row) of the first header row that
    names them; ({}, None, -1) when no row does.

    A heading may take two rows: the years on one (merged across their columns or not), 决算数 /
    预算数 under them.
    """
    for row in range(min(cells.grid.height, 60)):
        found: list[tuple[int, int, str]] = []  # (year, col, kind)
        relative: dict[str, int] = {}
        for col, value in enumerate(cells.grid.rows[row][:_SCAN]):
            heading = _amount_heading(cells, row, col) if isinstance(value, str) else None
            if heading is None:
                continue
            year, period, kind = heading
            if year is not None:
                found.append((year, col, kind))
            elif _RELATIVE_KINDS.get((period, kind)):
                relative.setdefault(_RELATIVE_KINDS[period, kind], col)
        if not relative and not found:
            continue
        # The two styles may share a row ("上年决算数 | 2019年预算数 | 2019年决算数"): each column is
        # taken from whichever names it; read by one style alone, the other's columns were lost.
        # The year evaluated is the last one with a 决算: a next year's budget column beside it
        # ("2020年预算数") made 2020 the year, and four rows "lacked" their 2019 决算.
        finals = [y for y, _, kind in found if kind == "决算"]
        year = max(finals or [y for y, _, _ in found]) if found else None
        if year is not None and ("budget" in relative or "final" in relative) \
                and not any(y == year and kind == "预算" for y, _, kind in found):
            year += 1  # "2018年决算数 | 本年预算数 | 本年决算数": the 本年 columns are 2019's
        columns: dict[str, int] = {}
        for y, col, kind in found:
            if y == year:
                columns.setdefault("budget" if kind == "预算" else "final", col)
            elif kind == "决算" and y == year - 1:
                columns.setdefault("prior_final", col)
        for kind, col in relative.items():
            columns.setdefault(kind, col)
        return columns, year, row
    return {}, None, -1


#: (relative period, figure) → the column it heads; 上年预算 is no column of F2.
_RELATIVE_KINDS = {("上", "决算"): "prior_final", ("本", "预算"): "budget", ("本", "决算"): "final"}


def _amount_heading(cells: SheetCells, row: int, col: int) -> tuple[int | None, str, str] | None:
    """(year, "", kind) or (None, "上" or "本", kind), kind "预算" or "决算", of the amount column
    headed at (row, col); None when the cell heads none.

    A bare 决算数 under a bare year ("2019年" on the row above, perhaps merged across) is headed by both.
    """
    label = _heading_label(cells.raw(row, col))
    match = _AMOUNT_HEADING.match(label)
    if match is None and row > 0 and _BARE_FIGURE.match(label):
        above = _heading_label(cells.merged_raw(row - 1, col))
        match = _AMOUNT_HEADING.match(above + label) if _BARE_PERIOD.match(above) else None
    if match is None:
        return None
    year, period, figure = match.groups()
    kind = "预算" if figure == "预算" else "决算"
    return (int(year), "", kind) if year else (None, period[0], kind)


def _heading_label(value: object) -> str:
    """A heading cell's label, normalised, with a year written after it in a bracket moved before it:
    "决算数（2018年）（万元）" → "2018年决算数".  A year typed as a number (2019 over 决算数) is its text."""
    if value.__class__ in (int, float) and 1900 <= value <= 2100 and value == int(value):
        return str(int(value))
    if not isinstance(value, str):
        return ""
    text = compact(value)
    moved = _PERIOD_AFTER.sub(r"\2\1", text, count=1)
    return normalise(moved)


def _staff(cells: SheetCells, flags: list[Flag], heading: dict[str, tuple[int, int]] | None = None):
    """{"quota": (编制数, cell, text), "actual": (在职人数, cell, text)}, of those the sheet names; None
    when it names neither.  When both labels head columns, ``heading`` gets their (row, col).

    The labels head two columns with the counts below them ("编制数 | 2019年实际在职人数"
    over "12 | 12"), or each starts a row with its count to the right ("编制数 | 12").
    A count that is not a number ("十二", "12（含借调2人）") is flagged at its cell, and its text
    kept for the scored workbook to carry over ("" when there is a number or nothing).
    """
    found: dict[str, tuple[int, int]] = {}
    on_books = None  # where 实有人数 is, taken for 在职人数 only when no label says 在职
    for row in range(min(cells.grid.height, 60)):
        for col, value in enumerate(cells.grid.rows[row][:_SCAN]):
            field_name = labels.staff_field(value) if isinstance(value, str) else None
            if field_name == "actual" and labels.counts_everyone_on_books(value):
                on_books = on_books or (row, col)
            elif field_name and field_name not in found:
                found[field_name] = row, col
    if on_books is not None:
        found.setdefault("actual", on_books)
    if not found:
        return None
    # Side by side on one row: the labels head columns (one label alone: its count is read either way).
    heading_columns = "quota" in found and "actual" in found and found["quota"][0] == found["actual"][0]
    if heading_columns and heading is not None:
        heading.update(found)
    return {key: _count_of(cells, *found[key], _STAFF_NAMES[key], heading_columns, flags) for key in found}


_STAFF_NAMES = {"quota": "编制数", "actual": "实际在职人数"}


def _is_staff_label(text: str) -> bool:
    return labels.staff_field(text) is not None


def _count_of(cells: SheetCells, row: int, col: int, what: str, heading_columns: bool, flags: list[Flag]):
    """The count a staff label gives: after it in its cell or to its right (before another label), else below it.

    When there is none, what is written where the count belongs (below a label heading a column,
    else after it) is flagged unless it is blank.
    """
    found = cells.labelled_value(row, col, _is_staff_label)
    if found and found[2] is not None:
        number = _headcount(found[1])
        if number is not None:
            return number, found[2], ""
    under = row + 1
    number = _headcount(cells.raw(under, col))
    if number is None and (past := _row_under(cells, row)) != under:
        # A blank row between the headings and their counts: the counts are past it, or there are none
        # (the next table's heading is no count, and the blank cell under the label is what is said).
        if (number := _headcount(cells.raw(past, col))) is not None:
            under = past
    below = cells.source(under, col)
    if number is not None:
        return number, below, ""
    in_place = found is not None and found[2] is not None and (
        not heading_columns or found[2] == cells.source(row, col))  # "编制数：十二" in the label's own cell
    written, cell = (found[1], found[2]) if in_place else (cells.text(under, col), below)
    if written and nfkc(written).replace(" ", "") not in PLACEHOLDERS:
        flags.append(Flag(f"{what}“{written}”不是数字", cell, "error", "请单位填写阿拉伯数字的人数，如12"))
        return None, cell, written
    return None, cell, ""


def _staff_extra(cells: SheetCells, heading: dict[str, tuple[int, int]], base: BaseData) -> None:
    """Put in ``base`` the staffing heading's cells right of its first label other than 编制数 and 在职人数
    (a 控制率, 实有人数, 备注), and the cells under them, where the counts are: forms.md carries every
    field over, and the unit's own 控制率 is what an officer checks the sheet's against.  A 控制率
    heading with nothing under it is left out: the sheet heads its own."""
    row = heading["quota"][0]
    label_cols = {heading["quota"][1], heading["actual"][1]}
    under = row + 1
    past = _row_under(cells, row)
    if past != under and _headcount(cells.raw(past, heading["quota"][1])) is not None:
        under = past  # the counts past a blank row (as _count_of reads them)
    # Only where the counts stand under their labels: counts beside them ("编制数 | 12 | 在职人数 | 11")
    # or in their cells ("编制数：20") made the counts headings and the next block's header their row.
    if any(_headcount(cells.raw(under, col)) is None for col in label_cols):
        return
    line = BaseLine("")
    other_cols = [col for col in range(min(label_cols) + 1, min(len(cells.grid.rows[row]), _SCAN))
                  if col not in label_cols]
    _put_extra_cells(cells, under, other_cols, line)
    headings = {}
    for col in other_cols:
        letter, text = column_letters(col + 1), cells.text(row, col)
        if text and (letter in line.extra_amounts or letter in line.extra_texts or normalise(text) != "控制率"):
            headings[letter] = text
    if headings or line.extra_amounts or line.extra_texts:
        base.staff_extra_headings, base.staff_extra = headings, line


def _row_under(cells: SheetCells, row: int) -> int:
    """The row under ``row``, past rows left wholly blank (a few at most).  Why: a blank row between
    the staff headings and their counts lost both counts ("基础数据表缺少“在职人数”、“编制数”")."""
    under = row + 1
    while under < min(cells.grid.height - 1, row + 4) and not any(
            value not in ("", None) for value in cells.grid.rows[under]):
        under += 1
    return under


def _headcount(value: object) -> Decimal | None:
    """A number of people as written: 12, "12", "12人", "12 名"."""
    if isinstance(value, str):
        value = _HEADCOUNT_UNIT.sub("", nfkc(value))
    return to_decimal(value)


def _base_rows(cells: SheetCells, columns: dict[str, int], header_row: int, flags: list[Flag],
               lines: list[BaseLine], bare_unit: str | None = None,
               column_units: dict[str, str] | None = None,
               notes: dict[str, list[str]] | None = None, extra_cols: list[int] = ()) -> dict[str, BaseAmounts]:
    """The amount rows by name; every line of the table below ``header_row`` goes to ``lines`` as written.

    A note ("注：…", "说明：…") is no amount row: one below ``header_row`` is a line (``note``), in its
    place; one above it goes to ``notes`` under the block it stood above (BaseData.notes).

    A number written bare is in the unit its row's label declares ("固定资产总额（元）"), else its
    column's heading ("本年决算数（元）"), else the sheet's ``bare_unit``.

    A line's cells in ``extra_cols`` (:func:`_extra_columns`) go with it as written; a row with cells
    there only is a line of its text (BaseLine.text_row)."""
    column_units = column_units or {}
    rows: dict[str, BaseAmounts] = {}
    first_amount_col = min(columns.values()) if columns else 1
    staff_heading = figures_row = -2
    unplaced: list[tuple[str, Source]] = []  # rows of several amounts in no column the sheet heads
    for row in range(cells.grid.height):
        if row == figures_row:
            continue  # the figures under a row of F2 labels: read with it
        note = note_text(cells.grid.rows[row])
        if note:  # forms.md carries every field over: the scored workbook shows it where it was
            if row > header_row >= 0 or header_row < 0:
                lines.append(BaseLine(note, note=True))
            elif notes is not None:
                notes.setdefault("amounts" if 0 <= staff_heading < row else "staff", []).append(note)
            continue
        label_col, label = _row_label(cells, row, first_amount_col)
        if label and labels.staff_field(label):
            continue  # staff rows hold head counts, read by _staff, not amounts
        if _names_staff(cells.grid.rows[row]):  # "财政供养人员情况 | 编制数 | 在职人数 | 控制率", anywhere
            staff_heading = row
            continue
        across = _amounts_across(cells, row, bare_unit, flags)
        if across is not None:
            entries, figures_below = across
            figures_row = row + 1 if figures_below else figures_row
            if label and labels.base_row_key(label) not in labels.BASE_ROWS:
                _keep_line(cells, row, {}, label, {}, lines)  # "部门整体支出预算调整" before the labels
            for entry in entries:
                _keep_line(cells, row, {}, entry.label, _amounts_of(entry), lines)
                _store(rows, labels.base_row_key(entry.label), entry, flags)
            continue
        if not label:
            if row == staff_heading + 1:
                continue  # the head counts under that heading: read by _staff
            if row > header_row >= 0:  # figures under a heading line ("部门整体支出预算调整 | 年初预算 | 全年预算")
                unread: list[Flag] = []  # no rule reads them: nothing to flag
                figures = {name: cells.money(row, col, "", MONEY_UNIT, unread, bare_unit) for name, col in columns.items()}
                _keep_line(cells, row, columns, "", {k: v for k, v in figures.items() if v is not None}, lines,
                           extra_cols)
            continue
        key = labels.base_row_key(label)
        row_flags: list[Flag] = []
        row_unit = _row_money_unit(label, bare_unit, cells.source(row, label_col), row_flags)
        amounts = {name: cells.money(row, col, f"{label}{_COLUMN_NAMES[name]}", MONEY_UNIT, row_flags,
                                     row_unit or column_units.get(name, bare_unit))
                   for name, col in columns.items()}
        amounts = {name: value for name, value in amounts.items() if value is not None}
        amount_cells = {name: cells.source(row, columns[name]) for name in amounts}
        taken_col = -1  # an amount read outside the amount columns: not carried again as an extra cell
        if not amounts:
            number_cols = _number_columns(cells, row, label_col + 1)
            if len(number_cols) == 1 or (number_cols and columns):
                # Rows with one amount may put it anywhere right of the label.
                col = taken_col = number_cols[0]
                number = cells.money(row, col, f"{label}金额", MONEY_UNIT, row_flags, row_unit or bare_unit)
                amounts, amount_cells = {"final": number}, {"final": cells.source(row, col)}
            elif number_cols:
                # Several, and no heading says whose year each is: the first was taken as 本年决算
                # (上年决算 in fact), and scored unflagged.
                unplaced.append((label, cells.source(row, label_col)))
        if row > header_row >= 0 or (header_row < 0 and (amounts or key in labels.BASE_ROWS)):
            _keep_line(cells, row, columns, label, amounts, lines, extra_cols, taken_col)
        if key not in labels.BASE_ROWS and not amounts:
            continue  # a title or section heading, not a figure
        if key == "年初预算" and "budget" in amounts and len(amounts) > 1:
            amounts, amount_cells = _year_start_budget(label, amounts, amount_cells, row_flags)
        if key in labels.BASE_ROWS:
            flags.extend(row_flags)
        _store(rows, key, BaseAmounts(label=label, prior_final=amounts.get("prior_final"), budget=amounts.get("budget"),
                                      final=amounts.get("final"), source=cells.source(row, label_col),
                                      cells=amount_cells), flags)
    if unplaced:
        flags.append(_no_amount_headings(unplaced))
    return rows


#: A money unit a row's label or a column's heading declares in a bracket of its own: "固定资产总额（元）",
#: "本年决算数(单位:元)"; not "人均经费（元/人）" (after NFKC the brackets are ASCII).
_BRACKETED_MONEY_UNIT = re.compile(
    r"\((?:金额)?(?:单位:?)?(" + "|".join(sorted(MONEY_UNITS, key=len, reverse=True)) + r")\)")


def _bracketed_money_unit(text: str) -> str | None:
    match = _BRACKETED_MONEY_UNIT.search(compact(text)) if "元" in text else None
    return match.group(1) if match else None


def _row_money_unit(label: str, bare_unit: str | None, source: Source, flags: list[Flag]) -> str | None:
    """The money unit ``label`` declares ("固定资产总额（元）" → "元"), None when it declares none; a
    unit other than the sheet's is flagged once for the row.  Why: the row's own unit was dropped with
    the label's bracket, and 12,500,000 元 of assets divided 1,180 万元 in use: 0.01%, unflagged."""
    unit = _bracketed_money_unit(label)
    if unit is not None and unit != (bare_unit or MONEY_UNIT) and unit != MONEY_UNIT:
        flags.append(Flag(f"“{label}”的金额单位为{unit}，已按{MONEY_UNIT}折算", source,
                          action=f"请单位按{MONEY_UNIT}填写金额"))
    return unit


def _column_units(cells: SheetCells, columns: dict[str, int], header_row: int, bare_unit: str | None,
                  flags: list[Flag]) -> dict[str, str]:
    """The money unit each amount column's heading declares ("本年决算数（元）", or "金额（元）" on the
    row above it), by column name; a unit other than the sheet's is flagged once for the column."""
    units: dict[str, str] = {}
    for name, col in columns.items():
        for row in (header_row, header_row - 1):
            value = cells.merged_raw(row, col) if row >= 0 else None
            unit = _bracketed_money_unit(value) if value.__class__ is str else None
            if unit is not None:
                units[name] = unit
                if unit != (bare_unit or MONEY_UNIT) and unit != MONEY_UNIT:
                    flags.append(Flag(f"“{cells.text(row, col)}”列的金额单位为{unit}，已按{MONEY_UNIT}折算",
                                      cells.source(row, col), action=f"请单位按{MONEY_UNIT}填写金额"))
                break
    return units


def _store(rows: dict[str, BaseAmounts], key: str, entry: BaseAmounts, flags: list[Flag]) -> None:
    """Put ``entry`` in ``rows`` under ``key``: the first complete row of a name wins."""
    if key not in rows or rows[key].single() is None:
        rows[key] = entry
    else:
        # A name written twice (forms.md has 项目支出 in the 经费控制情况 block and again among
        # 基本支出 / 项目支出 / 支出合计, 本年决算数): the later row fills what the first left blank.
        _fill_blanks(rows[key], entry, flags if key in labels.BASE_ROWS else [])


def _amounts_of(entry: BaseAmounts) -> dict[str, Decimal]:
    return {name: getattr(entry, name) for name in _COLUMN_NAMES if getattr(entry, name) is not None}


def _number_columns(cells: SheetCells, row: int, first_col: int) -> list[int]:
    """The columns from ``first_col`` on (within the scan) whose cell in ``row`` holds a number."""
    stop = min(first_col + _SCAN - 1, len(cells.grid.rows[row]))
    return [col for col in range(first_col, stop) if to_decimal(cells.raw(row, col)) is not None]


_NAMED = 3  # rows a flag names before "等N行"


def _no_amount_headings(unplaced: list[tuple[str, Source]]) -> Flag:
    """The flag of rows whose several amounts no column heading places (上年决算, 本年预算 or 本年决算)."""
    names = "、".join(f"“{label}”" for label, _ in unplaced[:_NAMED])
    if len(unplaced) > _NAMED:
        names += f"等{len(unplaced)}"
    return Flag(f"基础数据表未找到金额列的标题（如“2018年决算数、2019年预算数、2019年决算数”），{names}行的"
                "多个金额无法确定各属哪一列，未读取", unplaced[0][1], "error",
                "请单位按上年决算数、本年预算数、本年决算数填写金额列的标题")


def _amounts_across(cells: SheetCells, row: int, bare_unit: str | None,
                    flags: list[Flag]) -> tuple[list[BaseAmounts], bool] | None:
    """(the F2 rows ``row`` names side by side, each with its one amount; whether the amounts are on the
    row below), or None when ``row`` names fewer than two.

    The 预算调整 amounts are written as label/value pairs ("上年结转 | 10 | 年初预算 | 100") or as
    columns (the labels on one row, their figures under them).  Read as one row, the first pair's
    上年结转 took the 100 of 年初预算, and the columns were not read at all.
    """
    named = [(col, text) for col, text in _texts_before(cells, row, min(len(cells.grid.rows[row]), _SCAN))
             if labels.base_row_key(text) in labels.BASE_ROWS]
    if len(named) < 2:
        return None
    ends = [col for col, _ in named[1:]] + [len(cells.grid.rows[row])]
    after = [_filled(cells, row, col + 1, end) for (col, _), end in zip(named, ends)]
    if after[0] and to_decimal(cells.raw(row, after[0][0])) is not None and all(len(cols) <= 1 for cols in after):
        figures = [(row, cols[0] if cols else None) for cols in after]
    elif not any(after) and _figures_below(cells, row, [col for col, _ in named]):
        figures = [(row + 1, col) for col, _ in named]
    else:
        return None  # e.g. "三公经费 | 6.8 | 6.5 | 5.92 | 上年结转 | 8.2": not one figure a label
    entries = []
    for (label_col, label), (value_row, value_col) in zip(named, figures):
        if value_col is None:  # a label with nothing after it: its row, without an amount
            entries.append(BaseAmounts(label, None, None, None, cells.source(row, label_col)))
            continue
        unit = _row_money_unit(label, bare_unit, cells.source(row, label_col), flags) or bare_unit
        amount = cells.money(value_row, value_col, f"{label}金额", MONEY_UNIT, flags, unit)
        amount_cells = {"final": cells.source(value_row, value_col)} if amount is not None else {}
        entries.append(BaseAmounts(label, None, None, amount, cells.source(row, label_col), amount_cells))
    return entries, figures[0][0] != row


def _filled(cells: SheetCells, row: int, first_col: int, stop_col: int) -> list[int]:
    """The columns in [first_col, stop_col) whose cell in ``row`` is not blank."""
    return [col for col in range(first_col, stop_col) if cells.text(row, col)]


def _figures_below(cells: SheetCells, row: int, label_cols: list[int]) -> bool:
    """Are there figures under the labels of ``row`` (a number under one of them), and no F2 label
    on the row below (which would make it a row of its own)?"""
    if row + 1 >= cells.grid.height:
        return False
    below = _texts_before(cells, row + 1, min(len(cells.grid.rows[row + 1]), _SCAN))
    if any(labels.base_row_key(text) in labels.BASE_ROWS for _, text in below):
        return False
    return any(to_decimal(cells.raw(row + 1, col)) is not None for col in label_cols)


def _year_start_budget(label: str, amounts: dict[str, Decimal], cells: dict, flags: list[Flag]):
    """The 年初预算 row's amount in the 本年预算数 column, of several written, with a flag naming the others.

    Why that column: a row of one figure is read where it is filled (the 本年决算数 column first),
    but 年初预算 is a budget figure, and under forms.md's heading "部门整体支出预算调整 | 年初预算 |
    全年预算" a unit that fills both puts 年初预算 + 本年追加预算 beside it: read first, that
    made 预算控制率 67/707 where the rule means 67/640.
    """
    others = "、".join(f"{_COLUMN_NAMES[name]}列{format_number(value)}" for name, value in amounts.items()
                      if name != "budget")
    flags.append(Flag(f"“{label}”行填了多个金额，按本年预算数列的{format_number(amounts['budget'])}计算"
                      f"（未用：{others}）", cells["budget"], action="请单位核实年初预算数"))
    return {"budget": amounts["budget"]}, {"budget": cells["budget"]}


def _names_staff(values: list[object]) -> bool:
    """Does a row head the staff counts (a cell names 编制数 or 在职人数)?"""
    return any(value.__class__ is str and value and labels.staff_field(value) for value in values[:_SCAN])


def _keep_line(cells: SheetCells, row: int, columns: dict[str, int], label: str, amounts: dict[str, Decimal],
               lines: list[BaseLine], extra_cols: list[int] = (), taken_col: int = -1) -> None:
    """Add ``row`` to ``lines`` as written: its ``amounts``, the text of each other amount cell, and its
    cells in ``extra_cols`` but ``taken_col``; a row with nothing but those as a line of its text.

    A number in a percent cell (0.9501 shown "95.01%": a rate the unit wrote beside the amounts) is
    kept as shown, not as an amount of 0.9501 万元, which the scored workbook showed as "0.9501"."""
    texts = {name: cells.text(row, col) for name, col in columns.items() if name not in amounts}
    texts = {name: text for name, text in texts.items() if text}
    amounts = dict(amounts)
    for name in [name for name in amounts if name in columns]:
        col = columns[name]
        value = cells.raw(row, col)
        if value.__class__ in (int, float) and (shown := cells.as_shown(value, row, col)) is not value:
            texts[name] = shown
            del amounts[name]
    line = BaseLine(label=label, amounts=amounts, texts=texts) if label or amounts or texts else None
    if extra_cols:
        beside = line or BaseLine("")
        _put_extra_cells(cells, row, [col for col in extra_cols if col != taken_col], beside)
        if line is None and (beside.extra_amounts or beside.extra_texts):  # a block of the unit's own
            line = BaseLine(_row_text(cells, row), text_row=True)
    if line is not None:
        lines.append(line)


def _extra_columns(cells: SheetCells, columns: dict[str, int], header_row: int) -> list[int]:
    """The columns right of the first amount column (within the scan) that are none of the amount
    columns: a 备注, a next year's budget, a block beside the table.  None on most forms, whose sheet
    ends at the last amount column: then no row is looked at again."""
    if not columns:
        return []
    amount_cols = set(columns.values())
    stop = min(len(cells.grid.rows[header_row]), _SCAN)
    return [col for col in range(min(amount_cols) + 1, stop) if col not in amount_cols]


def _put_extra_cells(cells: SheetCells, row: int, cols: list[int], line: BaseLine) -> None:
    """Put ``row``'s filled cells of ``cols`` in ``line``, by column letter: a number in extra_amounts,
    anything else (a number in a percent cell as shown, "96%") in extra_texts as written."""
    for col in cols:
        value = cells.raw(row, col)
        if value == "" or value is None:
            continue
        if value.__class__ in (int, float):
            shown = cells.as_written(value, row, col)
            number = to_decimal(value) if shown is value else None
            if number is not None:
                line.extra_amounts[column_letters(col + 1)] = number
                continue
            value = shown
        text = written_text(value)
        if text:
            line.extra_texts[column_letters(col + 1)] = text


def _row_text(cells: SheetCells, row: int) -> str:
    """A row's filled cells (within the scan) as one line of text, as they read across."""
    values = cells.grid.rows[row][:_SCAN]
    return joined_across([text for col, value in enumerate(values)
                          if (text := written_text(cells.as_written(value, row, col)))])


def _fill_blanks(first: BaseAmounts, later: BaseAmounts, flags: list[Flag]) -> None:
    """Take into ``first`` each amount of ``later`` that ``first`` lacks; flag one they both give differently."""
    for column, name in _COLUMN_NAMES.items():
        value, earlier = getattr(later, column), getattr(first, column)
        if value is None:
            continue
        if earlier is None:
            setattr(first, column, value)
            first.cells[column] = later.cell(column)
        elif value != earlier:
            flags.append(Flag(f"基础数据表两处“{first.label}”的{name}不一致（{format_number(earlier)}与"
                              f"{format_number(value)}），按第一处{format_number(earlier)}计算", later.cell(column),
                              action="请单位核对并改正其中一处"))


_COLUMN_NAMES = {"prior_final": "上年决算数", "budget": "本年预算数", "final": "本年决算数"}

#: Rows F2 lists as the whole of a total (forms.md: 1、公务用车 / 2、出国 / 3、公务接待 under 三公经费);
#: a "其中" row is only part of one, so is not summed.
_WHOLE_OF = {"三公经费": ("公务用车购置和维护经费", "出国经费", "公务接待")}
_ADD_UP_TOLERANCE = Decimal("0.01")


def _wholes_from_parts(rows: dict[str, BaseAmounts]) -> list[Flag]:
    """Add each whole the form has no row of (三公经费) as the sum of its parts, when every part has a
    row; a flag for each.  Why: with its 三公经费 line left out and its three lines there, both
    三公经费 indicators scored 0 for an amount the form holds (scoring.md §2 sums a project's fund
    rows alike)."""
    flags = []
    for total_name, part_names in _WHOLE_OF.items():
        parts = [rows.get(name) for name in part_names]
        if total_name in rows or None in parts:
            continue
        sums = {}
        for column in _COLUMN_NAMES:
            amounts = [getattr(part, column) for part in parts]
            sums[column] = None if None in amounts else sum(amounts)
        rows[total_name] = BaseAmounts(total_name, sums["prior_final"], sums["budget"], sums["final"], parts[0].source)
        flags.append(Flag(f"基础数据表没有“{total_name}”合计行，已按其下各项（{'、'.join(part_names)}）相加",
                          parts[0].source, action=f"请单位补填“{total_name}”合计行"))
    return flags


#: The caption row of the budget adjustment on the Hunan form (湘财绩〔2013〕…, as units fill it):
#: "部门整体支出预算调整 | — | 1922.76 | 2690.62", its 年初预算 in the 本年预算数 column and the
#: full-year budget in the 本年决算数 column (forms.md: "| | <年初预算> | <全年预算>"), with no
#: 年初预算 or 本年追加预算 row under it.
_ADJUSTMENT_CAPTION = "部门整体支出预算调整"


def _budget_from_adjustment_caption(rows: dict[str, BaseAmounts]) -> list[Flag]:
    """Add 年初预算 and 本年追加预算 (全年预算 − 年初预算) from the figures on the 部门整体支出预算调整
    row, each when the form has no row of its own; a flag saying so.  Why: the Hunan form has no such
    rows, and both were "missing" beside the figures that give them: 预算控制率 scored 0 for lack of
    amounts the form holds."""
    caption = rows.get(_ADJUSTMENT_CAPTION)
    if caption is None or caption.budget is None:
        return []
    taken: dict[str, str] = {}  # row name → how it was read
    if _not_given(rows, "年初预算"):
        rows["年初预算"] = BaseAmounts("年初预算", None, caption.budget, None, caption.source,
                                   {"budget": caption.cell("budget")})
        taken["年初预算"] = f"年初预算{format_number(caption.budget)}（本年预算数列）"
    if _not_given(rows, "本年追加预算") and caption.final is not None:
        added = caption.final - caption.budget
        rows["本年追加预算"] = BaseAmounts("本年追加预算", None, None, added, caption.source,
                                     {"final": caption.cell("final")})
        taken["本年追加预算"] = (f"本年追加预算{format_number(added)}（全年预算{format_number(caption.final)}"
                           f"−年初预算{format_number(caption.budget)}）")
    if not taken:
        return []
    return [Flag(f"基础数据表未单列{'、'.join(taken)}，已按“{caption.label}”行读取：{'；'.join(taken.values())}",
                 caption.source, action=f"如有误，请单位在基础数据表中分行填写{'、'.join(taken)}")]


def _not_given(rows: dict[str, BaseAmounts], key: str) -> bool:
    """Does the form give no amount of row ``key`` (no such row, or one left blank)?"""
    return key not in rows or rows[key].single() is None


def _parts_that_do_not_add_up(rows: dict[str, BaseAmounts]) -> list[Flag]:
    """A flag for each column whose total differs from the sum of the rows it is made of: the
    三公经费 indicators and the report draft take the total, and a unit's slip shows only here."""
    flags = []
    for total_name, part_names in _WHOLE_OF.items():
        total, parts = rows.get(total_name), [rows.get(name) for name in part_names]
        if total is None or None in parts:
            continue
        for column, column_name in _COLUMN_NAMES.items():
            amounts = [getattr(part, column) for part in parts]
            whole = getattr(total, column)
            if whole is None or None in amounts or abs(sum(amounts) - whole) < _ADD_UP_TOLERANCE:
                continue
            listed = "+".join(f"{name}{format_number(amount)}" for name, amount in zip(part_names, amounts))
            flags.append(Flag(f"“{total_name}”{column_name}{format_number(whole)}与其下各项合计{format_number(sum(amounts))}"
                              f"（{listed}）不符", total.cell(column), action=f"请单位核实“{total_name}”及其明细"))
    # Part of a whole that is larger than it: 固定资产利用率 tops out at full marks and hid the slip.
    assets, in_use = rows.get("固定资产总额"), rows.get("在用固定资产总额")
    if assets is not None and in_use is not None and None not in (assets.single(), in_use.single()) \
            and in_use.single() > assets.single():
        flags.append(Flag(f"在用固定资产总额{format_number(in_use.single())}大于固定资产总额{format_number(assets.single())}",
                          in_use.cell(in_use.single_column()), action="请单位核实固定资产数据"))
    return flags


def _row_label(cells: SheetCells, row: int, before_col: int) -> tuple[int, str]:
    """(column, text) of a row's label, left of ``before_col``; (-1, "") when the row has none.

    A section caption beside the labels ("经费情况" merged down column A) is
    not the label of the row it starts on, nor is a text that names no F2 row
    when a later cell names one.
    """
    texts = _texts_before(cells, row, before_col)
    if len(texts) > 1:
        texts = _without_section_captions(cells, row, texts)
        texts = [(col, text) for col, text in texts if labels.base_row_key(text) in labels.BASE_ROWS] or texts
    return texts[0] if texts else (-1, "")


def _without_section_captions(cells: SheetCells, row: int, texts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``texts`` without the captions merged down over the rows below them, unless what is left
    only says 合计: "三公经费" merged over its 合计 row and its items names that 合计 row."""
    kept = [(col, text) for col, text in texts if not _is_section_caption(cells, row, col)]
    if not kept or all(normalise(text) in _TOTAL_WORDS for _, text in kept):
        return texts
    return kept


#: What a row of an F2 row's total says beside the row's name: "三公经费 | 合计", "公用经费 | 小计".
_TOTAL_WORDS = ("合计", "小计", "总计", "合计数", "小计数")


def _texts_before(cells: SheetCells, row: int, before_col: int) -> list[tuple[int, str]]:
    texts = []
    for col in range(max(before_col, 1)):
        text = cells.text(row, col)
        if text and not isinstance(cells.raw(row, col), (int, float)):
            texts.append((col, text))
    return texts


def _is_section_caption(cells: SheetCells, row: int, col: int) -> bool:
    """Is (row, col) the top of a range merged down over the rows below it?"""
    return cells.merged_origin(row + 1, col) == (row, col)


def _is_unit_label(text: str) -> bool:
    """A 填报单位's label: one of :data:`labels.UNIT_LABELS`, or 单位 with a seal note ("单位（盖章）"),
    which names the unit that seals the form (a bare "单位：" says the money unit)."""
    label = normalise(text)
    return label in labels.UNIT_LABELS or label == "单位" and labels.without_seal_note(text) != text


_HEADING_ROWS = 10


def _unit(cells: SheetCells) -> str:
    """填报单位, written "填报单位：XX局" in one cell, as a label with the value to its right, or under
    it ("填报单位" over "XX局").

    The heading line may go on in the same cell ("填报单位：XX局　　　单位：万元"): the name ends at the
    next heading label (:func:`split_at_label`), not at a colon of its own ("测试:局").
    """
    for row in range(min(cells.grid.height, _HEADING_ROWS)):
        for col in range(min(len(cells.grid.rows[row]), _SCAN)):
            found = cells.labelled_value(row, col, _is_unit_label)
            if found is None:
                continue
            unit = split_at_label(found[1])[0]
            if not unit and found[2] is None and (below := cells.value_below(row, col, _is_unit_label,
                                                                               _HEADING_ROWS)) is not None:
                unit = split_at_label(below[0])[0]
            if unit:
                return labels.without_seal_note(unit)  # "XX局（盖章）": the seal goes there, not the name
    return _unit_in_title(_title(cells))


#: A unit named in its form's title, before the form's own name: "长沙市XX局2019年度部门整体支出绩效评价
#: 基础数据表".  Its last character says it is a body (局, 委, 办, 中心 …), not a year or a region.
_UNIT_IN_TITLE = re.compile(r"^(.{2,40}?(?:局|委员会|委|办公室|办|院|中心|所|站|馆|队|处|厅|部|会|室|团|校|园|社|台|公司))"
                            r"(?:\d{4}年度?)?(?:部门)?整体支出")


def _unit_in_title(title: str) -> str:
    """The unit a title names when no 填报单位 line does; "" when it names none.  Why: an F2 and an
    F3 sent as two files, each naming its unit only in its title, were not paired by unit."""
    found = _UNIT_IN_TITLE.match(compact(title)) if "整体支出" in title else None
    return found.group(1) if found else ""


def _declared_money_unit(cells: SheetCells):
    """(the money unit the sheet's heading declares, its cell): "单位：元" → ("元", …); None when
    it declares none.  forms.md draws "单位：万元"; a unit that fills the form in 元 says so there."""
    for row in range(min(cells.grid.height, 10)):
        for col in range(min(len(cells.grid.rows[row]), _SCAN)):
            value = cells.grid.rows[row][col]
            unit = declared_money_unit(value) if value.__class__ is str and "位" in value else None
            if unit:
                return unit, cells.source(row, col)
    return None


# ------------------------------------------------------------------ F3

def read_scoring_table(grid: Grid, file: str) -> DepartmentForm | None:
    """Form F3 on ``grid`` (either column order), or None when the sheet is not one."""
    cells = SheetCells(grid)
    header = _scoring_header(cells)
    if header is None:
        return None
    header_row, columns = header
    if _project_form_above(cells, header_row):
        return None  # an F1 whose target/actual columns are spelt unknown ways: not a department's table
    form = DepartmentForm(file=file, sheet=grid.name, unit=_unit(cells), title=_title(cells))
    # A heading of two rows may name the column on its upper row ("评分标准" merged down both).
    form.column_labels = {name: cells.text(header_row, columns[name]) or cells.text(header_row - 1, columns[name])
                          for name in ("standard", "note") if name in columns}
    level1 = level2 = ""
    row = header_row + 1
    while row < grid.height:
        end = cells.table_end(row, columns["name"] + 1)
        if end == "footer" or end == "note":
            break
        if end == "total":
            form.full_marks = to_decimal(cells.raw(row, columns["weight"]))
            form.self_total = cells.number(row, columns["score"], "自评总分", form.flags)
            form.sources["self_total"] = cells.source(row, columns["score"])
            break
        new_level1 = _level(cells, row, columns.get("level1"))
        if new_level1 and new_level1 != level1:
            level1, level2 = new_level1, ""
        level2 = _level(cells, row, columns.get("level2")) or level2
        name = cells.text(row, columns["name"]) or _name_of_unnamed_row(cells, row, columns)
        if name and not normalise(name).endswith("小计"):  # a 小计 sums rows read already
            form.rows.append(_scoring_row(cells, row, columns, level1, level2, name))
        row += 1
    # A note is carried over as the lines the unit signed are (forms.md: every field); above the
    # table, between its heading and its header, as between its 合计 row and the signatures.
    form.notes = [note for values in grid.rows[:header_row] if (note := note_text(values))]
    form.footer = footer_lines(cells, row, notes=True)
    return form if form.rows else None


def _name_of_unnamed_row(cells: SheetCells, row: int, columns: dict[str, int]) -> str:
    """The name of a scored row whose 三级 cell is blank: the 二级 merged across it, or the row's own
    二级 ("满意度" scored at the second level); "" for a row with no 分值 and no 自评得分 (a level's
    heading line), which is no indicator.  Why: such a row was dropped unsaid, its points with it."""
    if to_decimal(cells.raw(row, columns["weight"])) is None and to_decimal(cells.raw(row, columns["score"])) is None:
        return ""
    shown = cells.merged_raw(row, columns["name"])
    if shown not in ("", None):
        return re.sub(r"\s+", "", str(shown))
    return _level(cells, row, columns.get("level2")) if "level2" in columns and cells.text(row, columns["level2"]) else ""


def _project_form_above(cells: SheetCells, header_row: int) -> bool:
    """Does a project form's own label (项目名称, 年度资金总额 …) stand above ``header_row``?"""
    for values in cells.grid.rows[:header_row]:
        for value in values[:_SCAN]:
            if value.__class__ is str and value.strip() and (
                    labels.match(value, labels.PROJECT_FIELDS) == "name"
                    or labels.match(value, labels.FUND_ROWS) == "total"):
                return True
    return False


def _scoring_header(cells: SheetCells) -> tuple[int, dict[str, int]] | None:
    for row in range(min(cells.grid.height, 60)):
        values = cells.grid.rows[row][:_SCAN]
        columns = _header_columns(cells, row)
        if "weight" not in columns and {"name", "score"} <= columns.keys():
            split = _split_heading(cells, row, columns)
            if split is not None:  # the row below names each level's 名称 and 分值: the table starts under it
                row, columns = row + 1, split
            else:
                columns = _weights_headed_as_scores(cells, row, columns)
            if "weight" not in columns and _weights_in_names(cells, row, columns["name"]):
                columns["weight"] = columns["name"]  # each row's 分值 is read from its name
        if not {"name", "weight", "score"} <= columns.keys():
            continue
        if labels.match_any(values, labels.INDICATOR_COLUMNS, ("target", "actual")) or (
                row > 0 and labels.match_any(cells.grid.rows[row - 1][:_SCAN], labels.INDICATOR_COLUMNS,
                                             ("target", "actual"))):
            return None  # a project form (F1), not a scoring table
        # Order 1 has a 分值 column after each level: the one for the row is the first right of 三级指标.
        right_weights = [col for col, value in enumerate(values)
                         if col > columns["name"] and labels.match(value, labels.DEPARTMENT_COLUMNS) == "weight"]
        if right_weights:
            columns["weight"] = right_weights[0]
            columns.update(_level_weight_columns(values, columns))
        return row, columns
    return None


def _weights_headed_as_scores(cells: SheetCells, row: int, columns: dict[str, int]) -> dict[str, int]:
    """``columns`` with the 分值 columns of a header that heads them 得分 as it heads the self-score:
    "一级指标 | 得分 | 二级指标 | 得分 | 三级指标 | 得分 | 评价标准 | 指标说明 | 得分" (a Hunan unit's
    filled table, its level columns summing the weights, not the points).  The 得分 right after 三级指标
    is its weight when another 得分 follows, which is the self-score; those after 一级 and 二级指标 are
    theirs.  ``columns`` as they are for any other header.  Why: such a table was no F3 at all, and
    the unit's workbook was scored without it."""
    every_score = cells.labelled_columns(row, labels.DEPARTMENT_COLUMNS).get("score", [])
    scores = [col for col in every_score if col > columns["name"]]
    if len(scores) < 2 or scores[0] != columns["name"] + 1:
        return columns
    found = {**columns, "weight": scores[0], "score": scores[-1]}
    for level, next_level in (("level1", "level2"), ("level2", "name")):
        if level in columns and next_level in columns:
            between = [col for col in every_score if columns[level] < col < columns[next_level]]
            if between:
                found[f"{level}_weight"] = between[0]
    return found


_WEIGHTS_IN_NAMES = 3  # names with a weight that make a table without 分值 column one of this kind


def _weight_after_name(text: object) -> tuple[str, Decimal] | None:
    """(the name, its weight) of a name that ends with its weight in a bracket; None otherwise."""
    if text.__class__ is not str:
        return None
    name = compact(text)  # "在职人员控制率(3)", "投入(15)", "信息公开(3分)"
    found = labels.WEIGHT_AT_END.search(name)
    return (name[:found.start()], Decimal(found.group(1))) if found and found.start() else None


def _weights_in_names(cells: SheetCells, header_row: int, name_col: int) -> bool:
    """Do most names under ``header_row`` end with their weight ("在职人员控制率(3)"), at least
    :data:`_WEIGHTS_IN_NAMES` of them?  Why: a table after the MOF framework (财预〔2013〕53号:
    一级 | 二级 | 三级指标 | 指标解释 | 指标说明, a 得分 added) writes each weight in its names and has no
    分值 column: it was no F3 at all, and the unit's workbook was scored without it."""
    names = [cells.raw(row, name_col) for row in range(header_row + 1, min(cells.grid.height, header_row + 60))]
    names = [name for name in names if name.__class__ is str and name.strip()]
    weighted = sum(_weight_after_name(name) is not None for name in names)
    return weighted >= _WEIGHTS_IN_NAMES and 2 * weighted > len(names)


def _split_heading(cells: SheetCells, row: int, columns: dict[str, int]) -> dict[str, int] | None:
    """``columns`` with each level's 分值 column, when the row below ``row`` splits the level headings
    into 名称 and 分值 (一级指标 over "名称 | 分值", and so on); None when it does not.  Why: such a
    table was not found, and its workbook failed with "未找到…指标评分表（F3）"."""
    below = row + 1
    if below >= cells.grid.height:
        return None
    starts = sorted(set(columns.values()))
    found: dict[str, int] = {}
    for level, weight in (("level1", "level1_weight"), ("level2", "level2_weight"), ("name", "weight")):
        if level not in columns:
            continue
        first = columns[level]
        last = min((col for col in starts if col > first), default=first + 2)  # up to the next heading
        for col in range(first + 1, last):
            if labels.match(cells.raw(below, col), labels.DEPARTMENT_COLUMNS) == "weight":
                found[weight] = col
                break
    return {**columns, **found} if "weight" in found else None


def _header_columns(cells: SheetCells, row: int) -> dict[str, int]:
    """Field → column of the F3 headings on ``row``, with those of the row above it for the fields
    ``row`` lacks: a heading of two rows ("评价指标" over 一级/二级/三级指标, with 分值 and 自评得分
    merged down both) was not found at all."""
    columns = cells.label_columns(row, labels.DEPARTMENT_COLUMNS)
    if row > 0 and "name" in columns:
        for field_name, col in cells.label_columns(row - 1, labels.DEPARTMENT_COLUMNS).items():
            if field_name not in columns and not cells.text(row, col):
                columns[field_name] = col
    # 指标解释 stands in for a 评价标准 the table lacks; beside one (指标解释 | 评价标准, a common
    # provincial order) it had taken its place and the 评价标准 was dropped from the scored form.
    explanation = columns.pop("explanation", None)
    if explanation is not None and "standard" not in columns:
        columns["standard"] = explanation
    return columns


def _level_weight_columns(values: list[object], columns: dict[str, int]) -> dict[str, int]:
    """The 分值 columns of order 1 beside each level: the first after 一级指标 and after 二级指标,
    each before the next level."""
    found = {}
    for level, next_level in (("level1", "level2"), ("level2", "name")):
        if level not in columns or next_level not in columns:
            continue
        for col in range(columns[level] + 1, columns[next_level]):
            if labels.match(values[col], labels.DEPARTMENT_COLUMNS) == "weight":
                found[f"{level}_weight"] = col
                break
    return found


def _level(cells: SheetCells, row: int, col: int | None) -> str:
    if col is None:
        return ""
    merged = cells.merged_raw(row, col)
    return re.sub(r"\s+", "", "" if merged is None else str(merged))


def _scoring_row(cells: SheetCells, row: int, columns: dict[str, int], level1: str, level2: str,
                 name: str) -> DepartmentRow:
    flags: list[Flag] = []
    level1_weight = _level_weight(cells, row, columns.get("level1_weight"))
    level2_weight = _level_weight(cells, row, columns.get("level2_weight"))
    if columns["weight"] == columns["name"]:  # a table writing each weight in its names (_weights_in_names)
        weight = split[1] if (split := _weight_after_name(name)) else None
        # "投入(15)": the level's weight, shown after its name as any level's is ("投入（15分）")
        if split := _weight_after_name(level1):
            level1, level1_weight = split
        if split := _weight_after_name(level2):
            level2, level2_weight = split
    else:
        weight = cells.weight(row, columns["weight"], "分值", flags)
    if weight is None and cells.raw(row, columns["weight"]) in ("", None) and (declared := weight_in_label(name)):
        weight = Decimal(declared)  # "信息公开（3分）" beside a blank 分值: the name says it
    return DepartmentRow(
        level1=level1, level2=level2, name=name,
        weight=weight,
        self_score=cells.number(row, columns["score"], "自评得分", flags),
        standard=cells.text(row, columns["standard"]) if "standard" in columns else "",
        note=cells.text(row, columns["note"]) if "note" in columns else "",
        source=cells.source(row, columns["name"]),
        cells=cells.sources(row, columns),
        flags=flags,
        level1_weight=level1_weight,
        level2_weight=level2_weight,
    )


def _level_weight(cells: SheetCells, row: int, col: int | None) -> Decimal | None:
    """A level's 分值, often merged down the level's rows."""
    return None if col is None else to_decimal(cells.merged_raw(row, col))


def _title(cells: SheetCells) -> str:
    for row in range(min(cells.grid.height, 3)):
        for value in cells.grid.rows[row][:_SCAN]:
            if isinstance(value, str) and "表" in value:
                return value.strip()
    return ""


def pair_department_forms(tables: list[DepartmentForm], bases: list[BaseData], one_workbook: bool = True) -> tuple[
        list[DepartmentForm], list[DepartmentForm], list[BaseData]]:
    """Pair scoring tables with base data by 填报单位; returns (paired, tables left, bases left).

    Names are compared as written (:func:`labels.unit_key`) first; then a table and a base data sheet
    left whose names differ only in a bracket at the end ("XX局" and "XX局（本级）") pair when
    neither could pair with another so, and the table says so: "XX局（机关）" and "XX局（直属学校）"
    are two units, but a unit adds "（本级）" to one of its two forms.  Last, in ``one_workbook``, the
    only table and the only base data sheet left pair whatever their names: when one names no unit,
    or when they name it apart ("长沙市开福区财政局" and "开福区财政局"; the table says so: left
    apart, every computed row scored 0, 96.50 → 53.00).
    """
    tables_left, bases_left = list(tables), list(bases)
    paired = []
    for table in list(tables_left):
        base = next((b for b in bases_left if b.unit and _same_unit(b.unit, table.unit)), None)
        if base is not None:
            bases_left.remove(base)
        elif table.unit:
            # A second copy of a unit's F3 in the workbook (a sheet copied) shares the F2 its first
            # copy took: left apart it scored 53.00 instead of 95.61 and asked for the F2 sent
            # beside it — in its own workbook or, paired across files, in another.  The batch names
            # the two copies as the unit's forms sent twice.
            base = next((t.base for t in paired if (one_workbook or t.file == table.file)
                         and t.base.unit and _same_unit(t.base.unit, table.unit)), None)
        if base is not None:
            attach_base(table, base)
            paired.append(table)
            tables_left.remove(table)
    for table in list(tables_left):
        if not any(t is table for t in tables_left):  # paired already, as a copy of an earlier table
            continue
        alike = [b for b in bases_left if _alike_units(b.unit, table.unit)]
        if len(alike) != 1:
            continue
        base = alike[0]
        # The tables this base could be: one, or the copies of one unit's table (a sheet copied)
        alike_tables = [t for t in tables_left if _alike_units(base.unit, t.unit)]
        if len(alike_tables) > 1 and not _copies_of_one_unit(alike_tables, one_workbook):
            continue
        for alike_table in alike_tables:
            differ = "末尾括号不同" if normalise(base.unit) == normalise(alike_table.unit) else "只差上级地名"
            alike_table.flags.append(Flag(f"基础数据表的填报单位写作“{base.unit}”，与本表的“{alike_table.unit}”{differ}，"
                                          "已按同一单位配对", None, "warning", "如不是同一单位，请单位补报本单位的基础数据表"))
            attach_base(alike_table, base)
            paired.append(alike_table)
        tables_left = [t for t in tables_left if not any(t is alike_table for alike_table in alike_tables)]
        bases_left.remove(base)
    if one_workbook and len(bases_left) == 1 and (len(tables_left) == 1 or _copies_of_one_unit(tables_left, True)):
        base = bases_left[0]
        for table in tables_left:
            if table.unit and base.unit:  # one naming no unit pairs unsaid: nothing contradicts the other
                table.flags.append(Flag(f"基础数据表的填报单位写作“{base.unit}”，与本表的“{table.unit}”不同；本工作簿只有这一份"
                                        "基础数据表，已与本表配对", None, "warning", "如不是同一单位，请单位补报本单位的基础数据表"))
            attach_base(table, base)
            paired.append(table)
        tables_left, bases_left = [], []
    return paired, tables_left, bases_left


def _copies_of_one_unit(tables: list[DepartmentForm], one_workbook: bool) -> bool:
    """Are ``tables`` (two or more) one unit's F3 written more than once in one workbook (a sheet
    copied), each naming it?  They share an F2 as the first copy does: left apart where that F2
    names the unit a little differently ("XX局（本级）") or not at all, every copy scored 53.00
    instead of 95.61.  Not tables of two files (a 修改版 sent beside the first): each is the unit's
    form sent twice, and only the first pairs, as before."""
    return (len(tables) > 1 and all(t.unit and _same_unit(t.unit, tables[0].unit) for t in tables)
            and (one_workbook or len({t.file for t in tables}) == 1))


def without_second_copies(paired: list[DepartmentForm], bases_left: list[BaseData]) -> list[BaseData]:
    """``bases_left`` (of one workbook) without the F2 sheets of a unit whose F3 paired with another
    F2 of it, each named on that F3 (a second copy, e.g. "基础数据表(修订)", was dropped unsaid)."""
    left = []
    for base in bases_left:
        table = next((t for t in paired if base.unit and t.base.unit and _same_unit(t.base.unit, base.unit)), None)
        if table is None:
            left.append(base)
        else:
            table.flags.append(Flag(f"同一填报单位（{base.unit}）另有基础数据表（工作表“{base.sheet}”），未使用；"
                                    f"已按工作表顺序取工作表“{table.base.sheet}”", None, "warning",
                                    "请确认以哪一份基础数据表为准，删除另一份后重新报送"))
    return left


def _alike_units(a: str, b: str) -> bool:
    """Two 填报单位 that differ at most in brackets at their end (normalise drops them), or in the
    places above the unit's own one written before it: "长沙市开福区财政局" and "开福区财政局", not
    "开福区财政局" and "财政局" (a name with no place of its own could be any county's)."""
    if not (a and b):
        return False
    a, b = normalise(a), normalise(b)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return (long.endswith(short) and _PLACES.fullmatch(long[:-len(short)]) is not None
            and _PLACES.match(short) is not None)


#: Names of places a unit's name starts with: "湖南省", "长沙市", "开福区", "湘西土家族苗族自治州".
_PLACES = re.compile(r"(?:[^\d()]{2,10}?(?:省|自治区|市|自治州|州|地区|盟|区|县|旗))+")  # not 城市, 社区


def pair_by_unit(tables: list[DepartmentForm], bases: list[BaseData]) -> list[DepartmentForm]:
    """The ``tables`` paired with one of ``bases`` by 填报单位 alone, as forms of different files are:
    a form naming no unit is left out, since it could pair with anybody's."""
    return pair_department_forms([t for t in tables if t.unit], [b for b in bases if b.unit], one_workbook=False)[0]


def attach_base(table: DepartmentForm, base: BaseData) -> None:
    table.base = base
    table.unit = table.unit or base.unit
    table.year = table.year or base.year


def _same_unit(a: str, b: str) -> bool:
    """Do two 填报单位 name one unit (spaces, full-width brackets and a seal note aside)?"""
    return labels.unit_key(a) == labels.unit_key(b)


__all__ = ["read_base_data", "read_scoring_table", "pair_department_forms", "pair_by_unit", "attach_base",
           "without_second_copies"]
