"""Reader of form F1, the 项目支出绩效自评表 (one project per sheet).

Every field is found by its label (labels.py); positions are only ever
relative to a label that was found.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from .. import labels
from ..labels import nfkc, normalise, weight_in_label
from ..model import Flag, FundLine, Funds, Indicator, ParsedValue, ProjectForm, Source
from ..values import (PLACEHOLDERS, convert_money, declared_money_unit, float_decimal, format_number, is_placeholder,
                      parse_value, to_decimal)
from .cells import SheetCells, footer_lines, note_text, row_end, split_at_label, text_of, uncalculated_formula
from .grid import Grid, cell_name

_YEAR = re.compile(r"(\d{4})\s*年度?")
_DATE_TEXT = re.compile(r"(\d{4})-\d{1,2}-\d{1,2}")
#: A year in Chinese numerals, as formal titles write it: "（二〇二三年度）" ("○" typed for "〇").
_CHINESE_DIGIT_CHARS = "〇○零一二三四五六七八九"
_CHINESE_YEAR = re.compile(f"(?<![{_CHINESE_DIGIT_CHARS}])[{_CHINESE_DIGIT_CHARS}]{{4}}(?=\\s*年|$)")
_CHINESE_DIGITS = str.maketrans(_CHINESE_DIGIT_CHARS, "000123456789")
_LABEL_SCAN_COLUMNS = 40


def find_indicator_header(cells: SheetCells, first_row: int = 0) -> tuple[int, int, dict[str, int]] | None:
    """(the first and the last row of the 绩效指标 table's header, from ``first_row`` on, and its
    column of each field), or None."""
    grid = cells.grid
    for row in range(first_row, grid.height):
        columns = cells.label_columns(row, labels.INDICATOR_COLUMNS)
        header = _header_rows(cells, row, columns, labels.INDICATOR_COLUMNS, {"name", "target", "actual"})
        if header is None:
            continue
        last_row, columns = header
        labelled = cells.labelled_columns(last_row, labels.INDICATOR_COLUMNS)
        _numbers_from_fullest(cells, columns, labelled, lambda: range(last_row + 1, last_row + 1 + _BODY_ROWS))
        if "reason" not in columns:
            _reason_column(cells, row, last_row, columns)
        _adjusted_target(cells, last_row, columns, labelled)
        return row, last_row, columns
    return None


def _adjusted_target(cells: SheetCells, header_row: int, columns: dict[str, int],
                     labelled: dict[str, list[int]]) -> None:
    """Of two target columns (Shanxi: 年初指标值 | 年度指标值), the year's, not the year start's: the
    leftmost was taken, and every indicator scored against its year-start target.  ``labelled``:
    the header row's :meth:`SheetCells.labelled_columns`."""
    targets = labelled.get("target", ())
    if len(targets) > 1 and columns.get("target") in targets:
        label_of = dict(cells.row_labels(header_row))
        later = [col for col in targets if not label_of[col].startswith("年初")]
        if later:
            columns["target"] = later[0]


def _reason_column(cells: SheetCells, first_row: int, last_row: int, columns: dict[str, int]) -> None:
    """The column of a header label no table lists that speaks of 原因 ("偏差大或目标未完成原因分析",
    "未完成原因及拟采取的改进措施"), taken as the reason column: every province words it its own way,
    and without it each reason written was lost and the unit told "缺少偏差原因"."""
    taken = set(columns.values())
    for row in range(first_row, last_row + 1):
        for col, label in cells.row_labels(row):
            if "原因" in label and col not in taken:
                columns["reason"] = col
                return


def _header_rows(cells: SheetCells, row: int, columns: dict[str, int], table: dict[str, tuple[str, ...]],
                 *needs: set[str]) -> tuple[int, dict[str, int]] | None:
    """(the header's last row, field → column) when ``row`` starts a table's header holding one of
    the sets of fields ``needs`` (tried in order), else None.

    A header may take two rows: a group label merged across columns ("指标值", "自评情况",
    "预算数") over the labels of its columns (年度指标值 | 实际完成值, 分值 | 得分), the other labels
    merged down over both.  Then the second row's labels are added (and win for their columns).
    """
    if not columns:
        return None
    below = cells.label_columns(row + 1, table) if row + 1 < cells.grid.height else {}
    groups = [col for col in below.values() if cells.merged_origin(row, col) is not None
              or col not in columns.values()]
    merged = None
    if groups:
        merged = {field: col for field, col in columns.items() if col not in below.values()}
        merged.update(below)
    for needed in needs:
        # The second row alone may hold what is needed: then the first is part of the header only
        # where its labels are merged down over it ("分值", "得分" beside a group 预算执行情况 over
        # 年初预算数 | 全年预算数 | 全年执行数), or the weight and the self-score were lost.
        if merged is not None and needed <= merged.keys() and (
                not needed <= below.keys() or _merged_down(cells, row, columns, below)):
            return row + 1, merged
        if needed <= columns.keys():
            return row, columns
    return None


def _merged_down(cells: SheetCells, row: int, columns: dict[str, int], below: dict[str, int]) -> bool:
    """Is every label of ``row`` that ``below`` has not merged down over the row below it?"""
    above_only = [col for col in columns.values() if col not in below.values()]
    return bool(above_only) and all(cells.merged_origin(row + 1, col) == (row, col) for col in above_only)


#: Fields some forms label twice: 权重 ("10%") beside 分值 (10), or a 得分 left blank for the
#: finance bureau beside the unit's 自评得分.
_NUMERIC_FIELDS = ("weight", "score")
_BODY_ROWS = 80  # rows below the header looked at to choose between two such columns


def _numbers_from_fullest(cells: SheetCells, columns: dict[str, int], labelled: dict[str, list[int]],
                          body: Callable[[], Sequence[int]]) -> None:
    """Of a 分值 or 得分 labelled twice in the header row (权重 beside 分值, 得分 beside 自评得分; ``labelled``
    is its :meth:`SheetCells.labelled_columns`), take into ``columns`` the column holding the most
    numbers in the rows ``body`` gives (the leftmost on a tie): the first, left blank, lost the
    weights or the self-scores."""
    if not any(field_name in columns for field_name in _NUMERIC_FIELDS):
        return
    for field_name in _NUMERIC_FIELDS:
        candidates = labelled.get(field_name, ())
        if len(candidates) > 1 and columns.get(field_name) in candidates:
            rows = body()
            columns[field_name] = max(candidates, key=lambda col: (
                sum(1 for row in rows if to_decimal(cells.raw(row, col)) is not None), -col))


def read_project_forms(grid: Grid, file: str) -> list[ProjectForm]:
    """The F1 forms on ``grid``: one as forms.md draws it, or several a unit stacked one below the
    other (each read on its own rows, its cells named as on the sheet); [] when it holds none.

    Why read the stacked ones: flagged "未评分", a second project still left the batch with the
    file scored "ok", exit code 0, and its name nowhere in the summaries.
    """
    forms: list[ProjectForm] = []
    first_row = 0
    while (found := _read_project_form(grid, file, first_row)) is not None:
        form, next_form = found
        forms.append(form)
        if next_form is None:
            break
        first_row = next_form
    return forms


def _read_project_form(grid: Grid, file: str, first_row: int) -> tuple[ProjectForm, int | None] | None:
    """(the F1 form on ``grid`` from ``first_row`` on, the row where another form starts below it
    or None), or None when no form starts there."""
    cells = SheetCells(grid)
    header = find_indicator_header(cells, first_row)
    if header is None:
        return None
    form, stop_row = _read_form(cells, file, first_row, *header)
    next_form = _form_below(cells, stop_row, header[1] + 1)
    if next_form is not None:
        # Read again on its own rows: a 项目资金 block after its table was looked for down to the
        # sheet's end, into the next form.
        form, _ = _read_form(SheetCells(replace(grid, rows=grid.rows[:next_form])), file, first_row, *header)
    if next_form is not None or first_row:
        form.flags.append(Flag("本工作表上下填了多张自评表，已分别评分", form.sources.get("name", Source(grid.name, "A1")),
                               action="请单位今后每张工作表只填一个项目"))
    return form, next_form


def _read_form(cells: SheetCells, file: str, first_row: int, header_top: int, header_row: int,
               columns: dict[str, int]) -> tuple[ProjectForm, int]:
    """(the F1 form whose indicator table's header takes rows ``header_top`` to ``header_row``, the
    row its table stopped at)."""
    grid = cells.grid
    form = ProjectForm(file=file, sheet=grid.name, layout="national-2020")
    _read_heading(cells, header_row, form, first_row)
    form.funds = _read_funds(cells, first_row, header_row, form)
    _read_goals(cells, header_top, form, first_row)
    end_row, stop_row = _read_indicators(cells, header_row, columns, form,
                                         _note_columns(cells, header_top, header_row, columns))
    _read_total_row(cells, end_row, columns, form)
    if "weight" not in columns and form.indicators and all(i.weight is None for i in form.indicators):
        # A county's 绩效目标自评表 may have no 分值 column at all: each row's "分值缺失" said why it
        # scored 0, and nothing said that the table itself lacks the column the rules score by.
        form.flags.append(Flag("绩效指标表没有“分值”列，各指标无分值，均按0分计", cells.source(header_row, columns["name"]),
                               "error", "请单位按评分办法在表中补列各指标分值后重新报送"))
    # Notes too ("注：…", "填报说明：" and its numbered lines): the unit wrote them on its form, and a
    # note standing above the 联系人 / 填表人 lines ended the footer, dropping those with it.
    form.footer = footer_lines(cells, stop_row, notes=True)
    # And those between the blocks above the table (a handful of rows: each asks row_end of its first cells).
    form.notes = [note for values in grid.rows[first_row:header_top] if (note := note_text(values))]
    if form.funds is None:  # some forms put the 项目资金 block after the indicator table
        form.funds = _read_funds(cells, stop_row, grid.height, form)
    if form.funds is None:
        form.flags.append(Flag("未找到项目资金（预算执行）表格", Source(grid.name, "A1"), "error"))
    form.layout = _layout_name(form, columns)
    if not form.name:
        if "name" not in form.sources:  # else its cell is flagged already
            form.flags.append(Flag("未找到项目名称", Source(grid.name, "A1"), "warning"))
        form.name = grid.name
    return form, stop_row


def _form_below(cells: SheetCells, first_row: int, top: int) -> int | None:
    """The first row of a second form written on the same sheet from ``first_row`` on (where a
    table stopped): its title and year lines (not above ``top``), else its 项目名称 row; None when
    there is none."""
    for row in range(first_row, cells.grid.height):
        for value in cells.grid.rows[row][:_LABEL_SCAN_COLUMNS]:
            if value.__class__ is str and value and labels.match(value, labels.PROJECT_FIELDS) == "name":
                return _title_lines_above(cells, row, top)
    return None


#: A line above a form's title that is none: its number in a set of returns ("报表编号：510000_0013zp",
#: "表号"), or the bare "附表1" of an annex.
_NOT_A_TITLE = re.compile(r"(报表编号|表号|编号|附表\d*$|附件\d*$)")

#: A form's title or year line: "项目支出绩效自评表", "（2019年度）".  Why not any text with 表: a
#: signature line ("填表人：…") may stand right above the next form.
_TITLE_LINE = re.compile(r"自评表|评价表|^\(?\d{4}年度?\)?$")


def _title_lines_above(cells: SheetCells, row: int, top: int) -> int:
    """``row``, or the first of the title and year lines right above it, each a line of one text."""
    while row - 1 >= top:
        texts = [value for value in cells.grid.rows[row - 1] if value.__class__ is str and value.strip()]
        if len(texts) != 1 or not _TITLE_LINE.search(normalise(texts[0])):
            break
        row -= 1
    return row


#: Rows of a sheet searched for an indicator header short of a column (:func:`indicator_header_short_of`).
_SHORT_HEADER_ROWS = 200
#: The indicator columns a table cannot be read without, besides its 三级指标, and how forms.md heads them.
_VALUE_COLUMNS = (("target", "年度指标值"), ("actual", "实际完成值"))


def indicator_header_short_of(grid: Grid) -> str:
    """Why ``grid``, on which no F1 form was found, holds none, when it looks like one: a row heading an
    indicator table with its 三级指标 and its 年度指标值 or 实际完成值 but not both (on that row and the
    next, as a header of two rows has them).  What the table lacks, where, and what to do; "" when no
    row looks so.

    Why: such a form (its target column headed "预期值", or left out) failed as "未识别到自评表" alone,
    and the unit was not told which column to add or rename.
    """
    cells = SheetCells(grid)
    for row in range(min(grid.height, _SHORT_HEADER_ROWS)):
        columns = cells.label_columns(row, labels.INDICATOR_COLUMNS)
        if "name" not in columns:
            continue
        if row + 1 < grid.height:
            columns = {**cells.label_columns(row + 1, labels.INDICATOR_COLUMNS), **columns}
        missing = [(field_name, heading) for field_name, heading in _VALUE_COLUMNS if field_name not in columns]
        if len(missing) == 1:
            field_name, heading = missing[0]
            others = "".join(f"“{spelling}”" for spelling in labels.INDICATOR_COLUMNS[field_name][1:3])
            return (f"：工作表“{grid.name}”第{row + 1}行的绩效指标表头没有“{heading}”列（也可写作{others}），"
                    f"请单位补齐该列或改正其列名后重新报送（{cell_name(row, columns['name'])}）")
    return ""


def nothing_filled(form: ProjectForm) -> bool:
    """True for a sheet with the form's tables and nothing a unit filled in: no project name, no
    amount in the fund block, no indicator weight.  Such a sheet is a blank copy of the form or a
    填表说明 sheet explaining its columns, left beside the filled ones; scored, it would be a
    project of 0 points in the summary.  A 填表说明 sheet laid out as the form, each cell saying what
    to fill in ("填写预算批复的项目名称"), counts as unfilled too, whatever numbers its example holds."""
    if _says_what_to_fill(form):
        return True
    if "name" in form.sources:
        return False
    if form.funds is not None and any(line.initial_budget is not None or line.budget is not None
                                      or line.executed is not None for line in form.funds.lines):
        return False
    return all(indicator.weight is None for indicator in form.indicators)


#: How an instruction in a form's 项目名称 cell begins ("填写…", "请填…"); no project is so named.
#: Why not "填报": "填报系统运维项目" is a project; "填报预算批复的项目名称" is caught by its 名称.
_INSTRUCTION_STARTS = ("填写", "填入", "填列", "请填", "请输入", "此处填")
#: A sheet named as a guide to the form: "填表说明", "填报须知", "填写指南".
_GUIDE_SHEET = re.compile("(?:填表|填报|填写)(?:说明|须知|指南)")
#: How a guide names its example project: "某某项目", "XX项目", "××单位…", "示例".
_EXAMPLE_NAME = re.compile("某某|[xX]{2}|××|示例|样例")


def _says_what_to_fill(form: ProjectForm) -> bool:
    """Is ``form`` a 填表说明: naming its project by an instruction, or on a sheet named for a guide
    with no project or an example one?

    Why not every sheet whose name holds 说明: "自评表（附说明）", "绩效自评情况说明" and a sheet
    named just 说明 hold filled forms; left out, a project vanished from the batch unsaid.
    """
    name = labels.compact(form.name)
    if name.startswith(_INSTRUCTION_STARTS) or name.startswith("填报") and "名称" in name:
        return True
    return _GUIDE_SHEET.search(form.sheet) is not None and (not name or _EXAMPLE_NAME.search(name) is not None)


# ---------------------------------------------------------------- heading

def _is_field_label(text: str) -> bool:
    return labels.match(text, labels.PROJECT_FIELDS) is not None


def _may_be_field_label(value: str, label: str, field_of: dict[str, str]) -> bool:
    """Can the text cell ``value``, whose label is ``label``, be a field label to labelled_value:
    does its label name a field, or does it hold a separator (its value may follow one)?

    Why: labelled_value cost ~6,000 instructions on each other text cell of a heading (−50 M
    reading 300 forms of distinct texts).  Why the separators spelled out: a generator over
    LABEL_SEPARATORS cost half of that saving.
    """
    return label in field_of or ":" in value or "：" in value or "∶" in value


def _read_heading(cells: SheetCells, header_row: int, form: ProjectForm, first_row: int = 0) -> None:
    rows = cells.grid.rows
    field_of = labels.spelling_index(labels.PROJECT_FIELDS)
    named_by_entity = False  # the form's name so far is a department's (附件2), not a project's
    named_by_fund = False  # the form's name so far is its 专项资金名称, not its 项目名称
    for row in range(first_row, min(header_row, len(rows))):
        values = rows[row]
        # Why the rows' labels: a text cell that normalises to nothing is blank space, and
        # find_indicator_header has read them all already.
        for col, label in cells.row_labels(row):
            if col >= _LABEL_SCAN_COLUMNS:
                break
            value = values[col]
            # Title and year line sit above the first field label, wherever the form starts.
            if not form.sources and not form.title and "表" in value and not _NOT_A_TITLE.match(label):
                form.title = value.strip()
            if not form.sources and form.year is None:
                year = _YEAR.search(_with_year_digits(nfkc(value).replace(" ", "")))
                # "（2019年度）", or a title naming its year ("2019年项目支出绩效自评表"); not a date.
                if year and ("年度" in value or "(" in nfkc(value) or _TITLE_LINE.search(label)):
                    form.year = int(year.group(1))
            if "总分" in value and form.self_total is None:
                _read_heading_total(cells, row, col, value, form)
            if not _may_be_field_label(value, label, field_of):
                continue
            found_label = cells.labelled_value(row, col, _is_field_label)
            if found_label is None:
                continue
            label, found, source = found_label
            field_name = labels.match(label, labels.PROJECT_FIELDS)
            if found and source is not None:
                found = _value_before_labels(found, source, form)
                if not found:  # beside the label stands another's: "实施单位： | 填报时间：2024-03-01"
                    source = None
            if not found and source is None and field_name != "goal" \
                    and (below := cells.value_below(row, col, _is_field_label, header_row)) is not None:
                found, source = below  # "项目名称 | 主管部门 | 实施单位" over their values
            if field_name == "entity":  # a department's form (附件2): its name stands for the project's
                field_name = "name"
                if "name" in form.sources or not found or "部门" not in form.title:
                    continue  # a project form's 单位名称 is no name for it, even where 项目名称 is blank
                named_by_entity = True
            elif field_name == "name" and named_by_entity:
                del form.sources["name"]  # a 项目名称 after a 单位名称: the project's name it is
                named_by_entity = False
            elif field_name == "name" and named_by_fund and found and not labels.is_one_of(label, labels.FUND_NAMES):
                # "专项资金名称：XX专项资金" above "项目名称：YY项目": the form is YY项目's; named after its
                # fund, every project paid from that fund took one name (and counted as one sent twice).
                del form.sources["name"]
                named_by_fund = False
            elif field_name == "name" and "name" not in form.sources and found:
                named_by_fund = labels.is_one_of(label, labels.FUND_NAMES)
            if field_name == "goal" or field_name in form.sources:
                continue
            if field_name == "year":
                # A 年度 cell holding a date (Excel shows "2019年" for a date formatted yyyy"年") reads
                # as its text, "2019-01-01" or "2019-01-01 00:00:00".
                year = (_YEAR.search(_with_year_digits(found) + "年") or _DATE_TEXT.match(found)) if found else None
                if year:
                    form.year = int(year.group(1))
                continue
            if found:
                setattr(form, field_name, found)
                form.sources[field_name] = source
            elif source is not None and field_name is not None:  # its cell is a formula never calculated
                form.sources[field_name] = source
                form.flags.append(uncalculated_formula(source, labels.PROJECT_FIELDS[field_name][0]))


#: The unit's total stated in the heading, as Hubei's form asks for it above its tables ("填报日期：　　总分：　　分"):
#: the number after 总分 ending the cell (_HEADING_TOTAL), or in the next cell after a cell ending in 总分
#: (_HEADING_TOTAL_LABEL); 总分 a label, starting the cell or after a space.  Not "（总分100分）" in a title,
#: which ends in its bracket, nor a goal's "……，自评总分95分".
_HEADING_TOTAL = re.compile(r"(?:^|\s)(?:自评)?总分\s*[:∶]?\s*(\d+(?:\.\d+)?)\s*分?$")
_HEADING_TOTAL_LABEL = re.compile(r"(?:^|\s)(?:自评)?总分\s*[:∶]?$")
_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*分?$")
#: The longest cell read as a heading line stating the total ("填报日期：2024年3月15日　　总分：96.5分").
_HEADING_LINE_LONGEST = 40


def _read_heading_total(cells: SheetCells, row: int, col: int, value: str, form: ProjectForm) -> None:
    """The self total Hubei's form states in its heading line ("总分：96.5分"), for a form whose table has
    no 总分 row: without it the review compared the engine's total with the items' self-scores added up,
    never with the total the unit wrote.  A blank "总分：　　分" states none, and so does a sentence
    (a goal's "……。\n自评总分95分"): a heading line is short, on one line, and says no 。."""
    if len(value) > _HEADING_LINE_LONGEST or "\n" in value or "。" in value:
        return
    text = nfkc(value).strip()
    found = _HEADING_TOTAL.search(text)
    if found:
        form.self_total, form.sources["self_total"] = Decimal(found.group(1)), cells.source(row, col)
        return
    if not _HEADING_TOTAL_LABEL.search(text):
        return
    values = cells.grid.rows[row]
    for right in range(col + 1, min(len(values), col + _LABEL_SCAN_COLUMNS)):
        if cells.is_merged_continuation(row, right) or text_of(values[right]) == "":
            continue
        raw = values[right]
        if raw.__class__ in (int, float):
            stated = to_decimal(raw)
        else:
            points = _POINTS.fullmatch(nfkc(text_of(raw)).strip())
            stated = Decimal(points.group(1)) if points else None
        if stated is not None:
            form.self_total, form.sources["self_total"] = stated, cells.source(row, right)
        return


def _with_year_digits(text: str) -> str:
    """``text`` with a year written in Chinese numerals ("二〇二三年度") in digits ("2023年度")."""
    if "年" not in text and text[-1:] not in _CHINESE_DIGIT_CHARS:
        return text
    return _CHINESE_YEAR.sub(lambda match: match.group().translate(_CHINESE_DIGITS), text)


def _value_before_labels(text: str, source: Source, form: ProjectForm) -> str:
    """A field's value ``text`` up to the next heading label written in its cell (:func:`split_at_label`);
    each field of the project those labels name and ``form`` lacks gets its value from there.

    "某局　　实施单位：某中心" is two fields; "某中心　　填报时间：2024-03-01" and "某中心（金额单位：万元）"
    are the unit and a note of the heading line; "测试:局" is a name.
    """
    value, label, rest = split_at_label(text)
    while label:
        other_value, next_label, after = split_at_label(rest)
        other = labels.match(label, labels.PROJECT_FIELDS)
        if other_value and other not in (None, "goal", "year", "entity") and other not in form.sources:
            setattr(form, other, other_value)
            form.sources[other] = source
        label, rest = next_label, after
    return value


# ---------------------------------------------------------------- funds

def _read_funds(cells: SheetCells, first_row: int, stop_row: int, form: ProjectForm) -> Funds | None:
    """The 项目资金 block whose header lies in rows [first_row, stop_row), or None."""
    for row in range(first_row, stop_row):
        columns = cells.label_columns(row, labels.FUND_COLUMNS)
        header = _header_rows(cells, row, columns, labels.FUND_COLUMNS, {"executed", "budget"},
                              {"executed", "initial_budget"})
        if header is not None:
            last_row, columns = header
            _numbers_from_fullest(cells, columns, cells.labelled_columns(last_row, labels.FUND_COLUMNS),
                                  lambda: _fund_rows(cells, row, last_row, columns, stop_row))
            return _read_fund_block(cells, row, columns, stop_row, form)
    return None


def _fund_rows(cells: SheetCells, block_row: int, last_row: int, columns: dict[str, int], stop_row: int) -> list[int]:
    """The block's own fund rows (年度资金总额 and its sub-rows, the first perhaps on the header row),
    not the indicator table under them."""
    first_money_col = min(columns[k] for k in ("initial_budget", "budget", "executed") if k in columns)
    return [row for row in range(block_row, min(last_row + 1 + _FUND_BODY_ROWS, stop_row, cells.grid.height))
            if _fund_row_label(cells, row, first_money_col)[0] is not None]


#: Rows below a 项目资金 header looked at for its fund rows, when choosing between two 分值 or 得分
#: columns: 年度资金总额 and three sub-rows, at most a few more.
_FUND_BODY_ROWS = 6


def _read_fund_block(cells: SheetCells, block_row: int, columns: dict[str, int], stop_row: int,
                     form: ProjectForm) -> Funds:
    first_money_col = min(columns[k] for k in ("initial_budget", "budget", "executed") if k in columns)
    lines: list[FundLine] = []
    rows: list[int] = []
    flags: list[Flag] = []
    unit, unit_source = _block_money_unit(cells, block_row, first_money_col)

    def money(row: int, amount: str, what: str) -> Decimal | None:
        value = _money(cells, row, columns.get(amount), what, unit, flags)
        # In 万元 whatever the block declares, as the scored form and the summaries show them.
        return value if value is None or unit == "万元" else convert_money(value, unit, "万元")

    # The 年度资金总额 row may share the header row on compact forms, so start there.
    for row in range(block_row, stop_row):
        kind, label = _fund_row_label(cells, row, first_money_col)
        if kind is None:
            if lines and any(cells.text(row, c) for c in range(first_money_col)):
                break  # the next block (年度总体目标 …) begins
            continue
        lines.append(FundLine(
            label=label, kind=kind,
            initial_budget=money(row, "initial_budget", "年初预算数"),
            budget=money(row, "budget", "全年预算数"),
            executed=money(row, "executed", "全年执行数"),
            source=cells.source(row, first_money_col),
            cells={amount: cells.source(row, columns[amount])
                   for amount in ("initial_budget", "budget", "executed") if amount in columns},
        ))
        rows.append(row)
    if unit != "万元" and lines:
        flags.append(Flag(f"项目资金按{unit}填报，已折算为万元（1万元＝{format_number(convert_money(Decimal(1), '万元', unit))}"
                          f"{unit}），执行率不变", unit_source))
    # The execution item's 分值 and 得分 sit on the 年度资金总额 row; the block header may declare the 分值.
    total_row = next((row for row, line in zip(rows, lines) if line.kind == "total"), None)
    item_row = total_row if total_row is not None else (rows[0] if rows else block_row)
    weight = self_score = weight_source = score_source = None
    # On the first fund row when there is no 年度资金总额 row (a block of 财政拨款 and 上年结转 only):
    # read only on a total row, a 分值 of 15 there was "missing" and the default 10 taken.
    if "weight" in columns:
        weight_source = cells.source(item_row, columns["weight"])
        if rows:
            weight = cells.weight(item_row, columns["weight"], "预算执行分值", flags)
    if "score" in columns and rows:
        score_source = cells.source(item_row, columns["score"])
        self_score = cells.number(item_row, columns["score"], "预算执行自评得分", flags)
    if weight is None:
        weight = _block_weight(cells, block_row)
    # One cell merged down the block's rows speaks for them all.
    reason, method = (cells.text(item_row, columns[name]) or cells.merged_text(item_row, columns[name])
                      if name in columns else "" for name in ("reason", "method"))
    form.flags.extend(flags)
    total = next((l for l in lines if l.kind == "total"), lines[0] if lines else None)
    return Funds(
        lines=lines, weight=weight, self_score=self_score,
        has_full_year_budget="budget" in columns,
        source=total.source if total else cells.source(block_row, first_money_col),
        weight_source=weight_source, score_source=score_source,
        reason="" if reason in PLACEHOLDERS else reason, method=method,  # "无", "——", "N/A": no reason given
    )


def _block_weight(cells: SheetCells, row: int) -> Decimal | None:
    """A weight the block header declares: "预算执行情况(10分)" or "分值(10分)"."""
    for value in cells.grid.rows[row][:_LABEL_SCAN_COLUMNS]:
        declared = weight_in_label(value) if isinstance(value, str) else None
        if declared:
            return Decimal(declared)
    return None


def _fund_row_label(cells: SheetCells, row: int, before_col: int) -> tuple[str | None, str]:
    """(kind, label as written) of the first cell left of ``before_col`` naming a fund row."""
    # Why the row's labels: only a text cell can name one, and find_indicator_header has normalised
    # them all (−11 M instructions reading 300 forms).
    kind_of = labels.spelling_index(labels.FUND_ROWS)
    for col, label in cells.row_labels(row):
        if col >= before_col:
            break
        kind = kind_of.get(label) or ("total" if label in labels.FUND_BLOCK_TOTALS else None)
        if kind:
            return kind, cells.text(row, col)
    return None, ""


def _block_money_unit(cells: SheetCells, block_row: int, first_money_col: int) -> tuple[str, Source | None]:
    """The unit the fund block declares ("项目资金（万元）", "年初预算数(元)"), and where; 万元 when it says none."""
    # Why the header row's own length: the cells beyond it are blank, and the sheet's width was a pass
    # over every row of the sheet (−10 M instructions reading 300 forms).
    for row in (block_row, block_row + 1):  # "（万元）" often sits under 项目资金, beside 年度资金总额
        for col in range(len(cells.grid.rows[row]) if row == block_row else first_money_col):
            text = cells.text(row, col)
            unit = declared_money_unit(text) if text else None
            if unit:
                return unit, cells.source(row, col)
    return "万元", None


def _money(cells: SheetCells, row: int, col: int | None, what: str, unit: str,
           flags: list[Flag]) -> Decimal | None:
    """An amount of the fund block in the block's ``unit`` (:meth:`SheetCells.money`)."""
    if col is None:
        return None
    return cells.money(row, col, what, unit, flags)


# ---------------------------------------------------------------- goals

def _read_goals(cells: SheetCells, header_top: int, form: ProjectForm, first_row: int = 0) -> None:
    """The 年度总体目标 texts above the indicator table, whose header begins at ``header_top`` (a
    header of two rows, "指标值" over 年度指标值 | 实际完成值: above its first, or its group labels
    joined the goals' text)."""
    for row in range(first_row, header_top):
        for col, label in cells.row_labels(row):
            if col >= _LABEL_SCAN_COLUMNS:
                break
            if label in labels.GOAL_EXPECTED_LABELS and not form.goal_expected:
                form.goal_expected = _text_below(cells, row, col, header_top)
            elif label in labels.GOAL_ACTUAL_LABELS and not form.goal_actual:
                form.goal_actual = _text_below(cells, row, col, header_top)


#: The caption beside the goals ("年度总体目标"), which a unit that unmerged its cells may write again on the
#: goals' row: no label ending them.
_GOAL_CAPTIONS = frozenset(labels.PROJECT_FIELDS["goal"])


def _text_below(cells: SheetCells, row: int, col: int, stop_row: int) -> str:
    """The goal written under the label at (row, col): its rows down to a blank cell, or to a row holding
    a form's label in any cell.  Why any cell: Sichuan's 2023 form writes its goals above the 项目资金
    block and a "2.项目实施内容及过程概述" line, and the goals took in that line's text, the block's
    labels and its execution rates ("预算执行率\n95.24%…")."""
    parts = []
    for below in range(row + 1, stop_row):
        text = cells.text(below, col)
        if not text or any(labels.is_any_label(label) and label not in _GOAL_CAPTIONS for _, label in cells.row_labels(below)):
            break
        if note_text(cells.grid.rows[below]):  # "注：…" under the goals is a note (ProjectForm.notes), not a goal's
            break
        parts.append(text)
    return "\n".join(parts)


# ---------------------------------------------------------------- indicators

def _note_columns(cells: SheetCells, header_top: int, header_row: int,
                  columns: dict[str, int]) -> tuple[tuple[int, str], ...]:
    """(column, heading) of each of the indicator header's note columns (备注, 指标解释, 评分标准 …,
    :data:`labels.NOTE_COLUMNS`) that is no field's column, left to right."""
    taken = set(columns.values())
    found: dict[int, str] = {}
    for row in range(header_top, header_row + 1):
        for col, label in cells.row_labels(row):
            if label in labels.NOTE_COLUMNS and col not in taken:
                found.setdefault(col, label)
    return tuple(sorted(found.items()))


def _read_indicators(cells: SheetCells, header_row: int, columns: dict[str, int],
                     form: ProjectForm, note_columns: tuple[tuple[int, str], ...] = ()) -> tuple[int, int]:
    """Read indicator rows below the header; returns the row of the 总分 row (or the end), and the
    row the table stopped at (its 总分 row, the first footer line, or the end).  ``note_columns``
    (:func:`_note_columns`) are carried into each indicator's notes."""
    name_col, target_col, actual_col = columns["name"], columns["target"], columns["actual"]
    weight_col = columns.get("weight")
    level1_col = columns["level1"] if "level1" in columns else _unlabelled_level_column(cells, header_row, name_col - 2)
    level2_col = columns["level2"] if "level2" in columns else _unlabelled_level_column(cells, header_row, name_col - 1)
    width = max(*columns.values(), *(col for col, _ in note_columns)) + 1
    # Why locals and a plan made once per table: this loop runs for every indicator of every form.
    reader = _IndicatorReader(cells, columns, header_row, note_columns)
    rows, indicators = cells.grid.rows, form.indicators
    level1 = level2 = ""
    # Why the level columns' merged cells found once a table: a level name is merged down over its
    # rows, and asking merged_origin for each row and column cost 38 M instructions reading 300 forms
    # of distinct texts.  Why the names kept by their merged cell's top-left cell: reading and
    # cleaning one on each of its rows cost 28 M more.
    origins1 = cells.merged_origins(level1_col, header_row + 1, len(rows)) if level1_col is not None else None
    origins2 = cells.merged_origins(level2_col, header_row + 1, len(rows)) if level2_col is not None else None
    merged_names: dict[tuple[int, int], str] = {}
    # Where a 项目资金 caption may stand: column A, or, when the table starts right of it (its
    # header's first cell blank), any column up to the 一级指标's.
    caption_end = 1 if cells.merged_raw(header_row, 0) not in ("", None) \
        else (level1_col if level1_col is not None else name_col) + 1
    unnamed: list[int] = []  # the indicators whose 三级 cell is blank, under a 二级
    row = header_row + 1
    while row < len(rows):
        values = rows[row]
        # Why row_end of the row at hand: table_end's call, its row lookup and bounds cost 19 M
        # instructions reading 300 forms.
        end = row_end(values, name_col + 1)
        if end is not None:  # a footer (signatures, contacts) or a note ends a table that has no 总分 row
            break
        # Why the tests inline: asked of every indicator row, whose first cell is mostly empty.  The
        # block's caption stands left of the table, which need not start in column A.
        first = values[0] if values else None
        if not first and caption_end > 1:
            for first in values[1:caption_end]:
                if first:
                    break
        if first.__class__ is str and ("资金" in first or "预算执行" in first) and _starts_fund_block(cells, row, first):
            end = "funds"  # so does the 项目资金 block below it: its rows were read as indicators
            break
        if first.__class__ is str and "称" in first and labels.match(first, labels.PROJECT_FIELDS) == "name":
            end = "form"  # and a second form stacked below it: its heading was read as indicators
            break
        if len(values) < width:  # a short row reads as padded with ''
            values = values + [""] * (width - len(values))
        name = text_of(values[name_col])
        if not name and row_end(values, width) == "total":  # "总分" written under 年度指标值, right of the names
            end = "total"
            break
        if (weight_col is None or values[weight_col].__class__ is str) and (  # not a row weighted by a number
                ("指标" in name or "名称" in name) and _repeats_header(name, values[target_col], values[actual_col])
                or ("续" in name or "接上" in name) and _marks_continuation(name, values)):
            # The header again, where a table printed over two pages was copied whole, and the
            # "（续表）" line above it: read as indicators "三级指标" (whose 分值 and 得分 "were not
            # numbers"; its 一级指标 cell became the level of the rows after it) and "（续表）".
            # Why asked of rows without a number for 分值 only: asked of every row, the four
            # searches cost 12 M instructions reading 300 forms.
            row += 1
            continue
        new_level1 = "" if origins1 is None else _level_at(cells, row, values, level1_col, origins1, merged_names)
        new_level2 = "" if origins2 is None else _level_at(cells, row, values, level2_col, origins2, merged_names)
        if new_level1 and new_level1 != level1:
            level1, level2 = new_level1, ""
        if new_level2:
            level2 = new_level2
        if (not name and _blank(values[target_col]) and _blank(values[actual_col])
                or "计" in name and _is_subtotal(name)
                or len(name) <= 4 and _placeholders_only(name, values[target_col], values[actual_col],
                                                         values[weight_col] if weight_col is not None else None)):
            # A subtotal ("小计", "产出指标小计") sums rows read already: no indicator of its own.  Nor
            # is a row of "/" (an indicator the form offers and the project has not): scoring.md §1's
            # placeholders, it was an indicator named "/", and two errors asked the unit to fill it.
            # A row given a weight is one, though: its target left out makes the form incomplete.
            row += 1
            continue
        if not name:  # a name merged down over rows that each have their own target
            name = text_of(cells.merged_raw(row, name_col))
            if not name and level2:
                unnamed.append(len(indicators))
        indicators.append(reader.read(row, values, level1, level2, name))
        row += 1
    else:
        end = None
    if unnamed:
        _name_by_level2(indicators, unnamed)
    if level1_col is not None:
        form.level1_weights.update(_declared_level_weights(rows, level1_col, header_row + 1, row))
    return (row if end is None or end == "total" else len(rows)), row


#: Headings of a column that numbers the rows: no level's, though it may stand where one would.
_ROW_NUMBER_HEADINGS = frozenset(("序号", "编号", "序"))


def _unlabelled_level_column(cells: SheetCells, header_row: int, col: int) -> int | None:
    """``col``, left of the 三级指标 column, as the column of a level the header does not label; None
    when there is none: off the sheet, a 序号 column, or the table's caption merged down over its rows
    ("绩效指标").  Why: a table without level columns had its row numbers read as every row's
    二级指标 ("1.0") and its caption as every row's 一级指标."""
    if col < 0 or normalise(cells.merged_raw(header_row, col)) in _ROW_NUMBER_HEADINGS:
        return None
    origin = cells.merged_origin(header_row + 1, col)
    return None if origin is not None and origin[0] <= header_row else col


def _columns_under_heading(cells: SheetCells, header_row: int, col: int) -> tuple[int, ...]:
    """The columns right of ``col`` that its heading on the header's rows is merged across: a target
    written in parts under one "年度指标值" (operator | number | unit), whose number was lost: the
    "≥" alone was read, a target with no number, each indicator qualitative and scored 0."""
    for r0, c0, r1, c1 in cells.grid.merged:
        if c0 == col and c1 > col and r0 <= header_row <= r1:
            return tuple(range(col + 1, c1 + 1))
    return ()


def _name_by_level2(indicators: list[Indicator], unnamed: list[int]) -> None:
    """Name each indicator of ``unnamed`` (their indexes; 三级 cell blank) whose 二级 no other row of the
    table shares by that 二级: the form may score it at the second level ("服务对象满意度指标" with no
    三级 under it), as F3's rows are read; its flag says so, for the unit that only forgot the name.
    Why: it was scored as "（第N行未命名指标）".  A blank 三级 beside others of its 二级 stays unnamed."""
    shared = Counter((indicator.level1, indicator.level2) for indicator in indicators)
    for index in unnamed:
        indicator = indicators[index]
        if shared[(indicator.level1, indicator.level2)] != 1:
            continue
        for position, flag in enumerate(indicator.flags):
            if flag.message == _UNNAMED:  # not a formula never calculated: that name is unknown
                indicator.name = indicator.level2
                indicator.flags[position] = replace(
                    flag, action=f"已按二级指标“{indicator.level2}”计分；如该行另有三级指标，请单位补填指标名称")
                break


def _repeats_header(name: str, target: object, actual: object) -> bool:
    """Is an indicator row the table's header written again: its name cell the 三级指标 heading, and
    its target or actual cell a heading of that column?"""
    return labels.match(name, labels.INDICATOR_COLUMNS) == "name" and (
        labels.match(target, labels.INDICATOR_COLUMNS) == "target"
        or labels.match(actual, labels.INDICATOR_COLUMNS) == "actual")


#: What a table continued on the next page is marked with: "（续表）", "续上表", "接上页".
_CONTINUATION_MARKS = frozenset(("续", "续表", "续上表", "续前表", "续上页", "续前页", "接上表", "接上页"))


def _marks_continuation(name: str, values: list[object]) -> bool:
    """Is an indicator row only a continuation mark ("（续表）"), no other cell of it filled?"""
    return (labels.compact(name).strip("()[]【】") in _CONTINUATION_MARKS
            and sum(1 for value in values if value not in ("", None)) == 1)


def _starts_fund_block(cells: SheetCells, row: int, text: str) -> bool:
    """Does ``row`` start a 项目资金 block: its first cell ``text`` the block's caption ("项目资金
    （万元）", "预算执行情况(10分)"), and it or the row below naming the 执行数 column?"""
    return normalise(text) in labels.FUND_BLOCK_CAPTIONS and any(
        "executed" in cells.label_columns(header, labels.FUND_COLUMNS)
        for header in (row, row + 1) if header < cells.grid.height)


def _is_subtotal(name: str) -> bool:
    """Is an indicator row's name a subtotal's ("小计", "产出指标小计", "小　计")?  (Asked of names
    holding 计 only: few do.)"""
    return normalise(name).endswith("小计")


def _declared_level_weights(rows: list[list[object]], col: int, first: int, end: int) -> dict[str, Decimal]:
    """一级指标 → the 分值 its cell declares ("产出指标(50分)", "产出指标（50）" → 50), in rows ``first`` to ``end``."""
    declared = {}
    for values in rows[first:end]:
        text = values[col] if col < len(values) else None
        # Why the test of the last character first: most level cells declare no weight.
        if text.__class__ is str and text.rstrip()[-1:] in ")）" and (match := labels.WEIGHT_AT_END.search(text)):
            declared.setdefault(_level_name(text), Decimal(nfkc(match.group(1))))
    return declared


def _level_at(cells: SheetCells, row: int, values: list[object], col: int,
              origins: dict[int, tuple[int, int]], merged_names: dict[tuple[int, int], str]) -> str:
    """The level name shown at (row, col): the row's own cell, or the merged cell ``origins`` says covers
    it, read once per table and kept in ``merged_names`` by its top-left cell."""
    origin = origins.get(row)
    if origin is None:
        shown = values[col]
        return _level_name(shown) if shown.__class__ is str else _shown_level(shown)
    name = merged_names.get(origin)
    if name is None:
        name = merged_names[origin] = _shown_level(cells.raw(*origin))
    return name


def _shown_level(value: object) -> str:
    """The level name a cell holding ``value`` shows."""
    return _level_name(value if value.__class__ is str else "" if value is None else str(value))


#: A level's weight, or the template's blank for it that the unit left unfilled: Hubei's "效益指标（　分）".
_LEVEL_WEIGHT_OR_BLANK = re.compile(r"[(（]\s*(?:\d+(?:\.\d+)?)?\s*分?\s*[)）]\s*$")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1024)  # Why cached: a sheet repeats a handful of level names on every row
def _level_name(text: str) -> str:
    """A level cell without spaces or its trailing weight: "产出指标 (50分)", "产出指标（50）", and the blank
    of a template's "效益指标（　分）" → "效益指标"."""
    return _SPACES.sub("", _LEVEL_WEIGHT_OR_BLANK.sub("", text))


class _IndicatorReader:
    """Reads indicator rows of one table: the columns are looked up once, not per row."""

    def __init__(self, cells: SheetCells, columns: dict[str, int], header_row: int,
                 note_columns: tuple[tuple[int, str], ...] = ()):
        self.cells = cells
        self.note_columns = note_columns
        self.plain = cells.plain
        self.percent = cells.grid.percent
        self.words = cells.grid.words  # numbers shown with words around them: read the long way
        self.columns = columns
        self.row_cells = cells.row_cells(columns)
        self.name_col = columns["name"]
        self.target_col, self.actual_col = columns["target"], columns["actual"]
        self.operator_col, self.unit_col = columns.get("operator"), columns.get("unit")
        self.weight_col, self.score_col = columns.get("weight"), columns.get("score")
        self.reason_col = columns.get("reason")
        self.method_col = columns.get("method")
        # Why asked once a table: most tables merge no cell of these columns, and an empty one then
        # needs no merged lookup (−34 M instructions reading 300 forms).
        self.merged_reason = self.reason_col is not None and cells.merged_below(header_row, self.reason_col)
        self.merged_method = self.method_col is not None and cells.merged_below(header_row, self.method_col)
        #: The target or actual column → the columns right of it its heading is merged across.
        self.spans = {col: under for col in (self.target_col, self.actual_col)
                      if (under := _columns_under_heading(cells, header_row, col))}

    def read(self, row: int, values: list[object], level1: str, level2: str, name: str) -> Indicator:
        """The indicator on ``row``, whose raw ``values`` reach every column of the table."""
        cells, flags = self.cells, []
        operator_text = text_of(values[self.operator_col]) if self.operator_col is not None else None
        unit_text = text_of(values[self.unit_col]) if self.unit_col is not None else None
        target = self._parsed(row, values, self.target_col, "年度指标值", flags, operator_text, unit_text)
        actual = self._parsed(row, values, self.actual_col, "实际完成值", flags, None, unit_text)
        # Why a number cell of a plain sheet read here: nearly every 分值 and 得分 is one, and the calls
        # to weight_of and number_of cost 19 M instructions reading 300 forms (a finite float, ≥ 0 for a
        # 分值, is read as float_decimal of it there too).
        col = self.weight_col
        if col is None:
            weight = None
        elif ((value := values[col]).__class__ is float and self.plain and 0.0 <= value < _INFINITY
              and (row, col) not in self.percent):
            weight = float_decimal(value)
        else:
            weight = cells.weight_of(value, row, col, "分值", flags)
        col = self.score_col
        if col is None:
            self_score = None
        elif (value := values[col]).__class__ is float and self.plain and -_INFINITY < value < _INFINITY:
            self_score = float_decimal(value)
        else:
            self_score = cells.number_of(value, row, col, "自评得分", flags)
        col = self.reason_col
        # One 偏差原因 merged down over several rows explains each of them.
        reason = "" if col is None else (text_of(values[col])
                                         or (cells.merged_text(row, col) if self.merged_reason else ""))
        col = self.method_col
        method = "" if col is None else (text_of(values[col])
                                         or (cells.merged_text(row, col) if self.merged_method else ""))
        notes = self._notes(row, values) if self.note_columns else ""
        if not name:  # renamed "（第N行未命名指标）" unsaid, a formula never calculated there too
            flags.append(cells.problem_of(values[self.name_col], row, self.name_col, "三级指标")
                         or Flag(_UNNAMED, cells.source(row, self.name_col), action="请单位补填指标名称"))
        sources = self.row_cells.of(row)
        # Why positional, in the order of Indicator's fields (as the store's codec builds it too):
        # fourteen keywords cost 6,700 instructions more per row, 6 % of reading the rows.  Why the
        # name cell from cells.source, not from ``sources``: every indicator has one, and that memo
        # shares it between forms of one sheet name (−11 M instructions reading 300 forms).
        return Indicator(
            level1, level2, name or f"（第{row + 1}行未命名指标）",  # level1, level2, name
            target, actual, weight, self_score,
            "" if reason in PLACEHOLDERS else reason,  # reason ("无", "——", "N/A": none given)
            cells.source(row, self.name_col), sources,  # source, cells
            operator_text or None, unit_text or None,  # declared_operator, declared_unit
            flags, method, notes,
        )

    def _notes(self, row: int, values: list[object]) -> str:
        """The row's note columns as "heading：text", joined by "；" (placeholders and blanks left out;
        a note merged down over rows is each row's)."""
        notes = []
        for col, heading in self.note_columns:
            text = text_of(values[col]) or self.cells.merged_text(row, col)
            if text and text not in PLACEHOLDERS:
                notes.append(f"{heading}：{text}")
        return "；".join(notes)

    def _parsed(self, row: int, values: list[object], col: int, what: str, flags: list[Flag],
                operator_text: str | None, unit_text: str | None) -> ParsedValue:
        if self.spans and col in self.spans and (joined := self._joined(row, values[col], col)) is not None:
            return _parsed_value(joined, operator_text, unit_text)
        raw = values[col]
        # Why a text or a float of a plain sheet parsed first, by exact class: most targets and actuals
        # are one, and the general tests below cost 36 M instructions reading 300 forms of distinct
        # texts for the texts, 11 M for the floats (a text without "#" has no problem there and is no
        # percent cell's number, nor is a nonzero float outside Grid.percent: the tests would parse
        # them so).
        if self.plain:
            cls = raw.__class__
            if cls is str and "#" not in raw or (cls is float and raw != 0 and (row, col) not in self.percent
                                                 and not (self.words and (row, col) in self.words)):
                return _parsed_value(raw, operator_text, unit_text)
        return self._parsed_the_long_way(row, values, col, what, flags, operator_text, unit_text)

    def _joined(self, row: int, raw: object, col: int) -> str | None:
        """The texts of the cell at (row, col), holding ``raw``, and of the columns its heading spans, as
        one ("≥" | 120 | "万平方米" → "≥120万平方米"; "" | "年底前完成" → "年底前完成"); None when only
        the cell itself is written, which is then read alone (so is one with a read problem: that cell's
        flag says it)."""
        cells, parts = self.cells, []
        for part_col in (col, *self.spans[col]):
            value = raw if part_col == col else cells.raw(row, part_col)
            if not self.plain and ((row, part_col) in cells.grid.uncalculated or (row, part_col) in cells.grid.errors):
                return None
            text = text_of(cells.as_written(value, row, part_col))
            if text:
                parts.append(text)
            elif part_col == col:
                parts.append("")
        if len(parts) < 2:
            return None
        # Parts of one value hold one number between them ("≥" | 120 | "万平方米"); two numbers are two
        # values (an actual and the unit's own rate beside it under one merged heading: "494" | 98.8%
        # had been read as "49498.8%"), and the cell is read alone.
        if sum(any(character.isdigit() for character in part) for part in parts) > 1:
            return None
        return "".join(parts)

    def _parsed_the_long_way(self, row: int, values: list[object], col: int, what: str, flags: list[Flag],
                             operator_text: str | None, unit_text: str | None) -> ParsedValue:
        """:meth:`_parsed` of any value: a read error flagged, a percent cell's number as it shows."""
        raw = values[col]
        # Why the test: on a plain sheet (no uncalculated formula, no error cell) the only problem is
        # an error value typed as text, which has a "#"; most rows need not ask.
        if not self.plain or isinstance(raw, str) and "#" in raw:
            problem = self.cells.problem_of(raw, row, col, what)
            if problem:
                flags.append(problem)
                return parse_value(None)
        raw = self.cells.as_written(raw, row, col)
        if isinstance(raw, (str, int, float)) and raw != 0:  # Why not zero: 0.0 == -0.0, yet they read "0" and "-0"
            return _parsed_value(raw, operator_text, unit_text)
        return parse_value(raw, declared_operator=operator_text, declared_unit=unit_text)


@functools.lru_cache(maxsize=1024, typed=True)  # full within a few dozen forms: memory stays flat
def _parsed_value(raw: str | int | float, operator_text: str | None, unit_text: str | None) -> ParsedValue:
    """A target or actual, parsed once per distinct value (typed: 1 and 1.0 read differently).

    Why cached: "≥90%", "按时完成" or 100 recur on nearly every form, and ParsedValue is immutable.
    """
    return parse_value(raw, declared_operator=operator_text, declared_unit=unit_text)


_INFINITY = float("inf")
#: The flag of an indicator whose 三级 cell is blank (not a formula never calculated: that says so).
_UNNAMED = "三级指标名称未填写"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _placeholders_only(name: str, target: object, actual: object, weight: object) -> bool:
    """Are the target, actual and weight of a row each a placeholder ("/", "—", "无", blank), and its
    name (of 4 characters at most: the caller asks) one too or a template's ("指标2", "……"), one of
    them at least written?"""
    return ((is_placeholder(name) or _TEMPLATE_NAME.fullmatch(name) is not None)
            and is_placeholder(target) and is_placeholder(actual) and is_placeholder(weight)
            and not (_blank(name) and _blank(target) and _blank(actual)))


#: The name of a row a blank template offers, left as it came: "指标1", "指标2", "……", "...".
_TEMPLATE_NAME = re.compile(r"指标\d{1,2}|[.…。、]+")


def _read_total_row(cells: SheetCells, row: int, columns: dict[str, int], form: ProjectForm) -> None:
    if row >= cells.grid.height:
        return
    if "weight" in columns:
        form.full_marks = to_decimal(cells.raw(row, columns["weight"]))
    if "score" in columns:
        stated = cells.number(row, columns["score"], "自评总分", form.flags)
        if stated is not None or "self_total" not in form.sources:  # a blank one keeps the heading's (Hubei)
            form.self_total = stated
            form.sources["self_total"] = cells.source(row, columns["score"])


def _layout_name(form: ProjectForm, columns: dict[str, int]) -> str:
    if "operator" in columns or "unit" in columns:
        return "sichuan-2023"
    if form.funds is not None and not form.funds.has_full_year_budget:
        return "pre-2020"
    # Anhui's 财政拨款 row says 本年 (the national form's 当年), however it is decorated: "其中：本年财政拨款",
    # with "（万元）", a line break or blanks in it, or without "其中：" (as spelt, the name had depended on it).
    if any(line.kind == "fiscal" and "本年" in labels.compact(line.label) for line in (form.funds.lines if form.funds else [])):
        return "anhui-2022"
    return "national-2020"
