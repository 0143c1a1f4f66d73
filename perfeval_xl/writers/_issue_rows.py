"""问题清单 rows of one file rendered straight from its result, in one pass over its flags.

The same XML, widths and counts as ``render_rows(ISSUE_COLUMNS,
file_issue_rows(file))``, without building the rows as lists first: a file has
a row per flag (26 on average), and every cell but the message is one of a few
texts that each column renders once (see :class:`._rendered_rows._ColumnPlan`).
So a row is a handful of dict lookups.  A value that is not text where text
is expected makes the fast path raise, and the file then goes through
:func:`._rendered_rows.render_rows` (it never happens with results of the engine).
"""
from __future__ import annotations

from itertools import chain, repeat
from operator import itemgetter
from typing import NamedTuple

from ..model import FileResult
from ._display import LEVEL_LABELS
from ._rendered_rows import ROW_END, _column_plans, _row_start, render_rows
from ._summary_rows import GENERIC_FLAG_ACTIONS, file_issue_rows, sorted_issues
from .summary_xlsx import ISSUE_COLUMNS

_ERROR, _WARNING = LEVEL_LABELS["error"], LEVEL_LABELS["warning"]
_XML, _NEEDED, _LINES = itemgetter(0), itemgetter(1), itemgetter(2)  # of a rendered cell


class RenderedIssues(NamedTuple):
    xml: bytes
    widths: list[float]  # per column of ISSUE_COLUMNS
    rows: int
    errors: int  # rows of level 错误
    warnings: int  # rows of level 提示


def render_file_issues(file: FileResult) -> RenderedIssues:
    """问题清单 of ``file``: its error (or why it was skipped), then every flag, form by form in sheet order."""
    if file.status != "ok":
        return _rendered_the_long_way(file)
    try:
        return _rendered(file)
    except (TypeError, AttributeError):  # a value that is not text: rendered as render_rows renders it
        return _rendered_the_long_way(file)


def _rendered(file: FileResult) -> RenderedIssues:
    plans = _column_plans(ISSUE_COLUMNS)
    file_plan, sheet_plan, cell_plan, name_plan, item_plan, level_plan, message_plan, action_plan = plans
    # Each column's memo of rendered texts, looked up directly: a plan only ever empties its memo,
    # never replaces it.  The level and action are taken as level_label and flag_action take them.
    sheets, cells, items, levels, messages, actions = (
        sheet_plan.texts, cell_plan.texts, item_plan.texts, level_plan.texts, message_plan.texts, action_plan.texts)
    generic_actions, default_action = GENERIC_FLAG_ACTIONS, GENERIC_FLAG_ACTIONS["warning"]
    rendered = []  # per row, its cells: (XML, width needed, lines)
    labels = []  # per row, its level's label
    file_cell = file_plan.texts.get(file.file) or file_plan.text(file.file)
    for result in file.forms:
        form_sheet = result.form.sheet
        name = result.name or result.form.unit
        name_cell = name_plan.texts.get(name) or name_plan.text(name)
        for item, flag in sorted_issues(result):
            source = flag.source
            level = flag.level
            label = LEVEL_LABELS.get(level, level)
            labels.append(label)
            action = flag.action or generic_actions.get(level, default_action)
            message = flag.message
            if source is None:
                sheet_cell = sheets.get(form_sheet) or sheet_plan.text(form_sheet)
                cell_cell = cell_plan.blank
            else:
                sheet = source.sheet
                sheet_cell = sheets.get(sheet) or sheet_plan.text(sheet)
                cell = source.cell
                cell_cell = cells.get(cell) or cell_plan.text(cell)
            rendered.append((
                file_cell,
                sheet_cell,
                cell_cell,
                name_cell,
                item_plan.blank if item is None else items.get(item.name) or item_plan.text(item.name),
                levels.get(label) or level_plan.text(label),
                messages.get(message) or message_plan.text(message),
                actions.get(action) or action_plan.text(action),
            ))
    if not rendered:
        return RenderedIssues(b"", [0.0] * len(plans), 0, 0, 0)
    # The rest column by column, in C: widths, each row's lines (its tallest cell), the XML.
    columns = list(zip(*rendered))
    widths = [max(map(_NEEDED, column)) for column in columns]
    lines = map(max, *[map(_LINES, column) for column in columns])
    rows = zip(map(_row_start, lines), *[map(_XML, column) for column in columns], repeat(ROW_END))
    xml = b"".join(chain.from_iterable(rows))  # cells come encoded (see _rendered_rows._text_cell)
    return RenderedIssues(xml, widths, len(rendered), labels.count(_ERROR), labels.count(_WARNING))


def _rendered_the_long_way(file: FileResult) -> RenderedIssues:
    rows = file_issue_rows(file)
    xml, widths = render_rows(ISSUE_COLUMNS, rows)
    levels = [row[5] for row in rows]
    return RenderedIssues(xml, widths, len(rows), levels.count(_ERROR), levels.count(_WARNING))
