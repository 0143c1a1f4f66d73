"""问题清单 rows of one file rendered straight from its result, in one pass over its flags.

The same XML, widths and counts as ``render_rows(ISSUE_COLUMNS,
file_issue_rows(file))``, without building the rows as lists first: a file has
a row per flag (26 on average), and every cell but the message is one of a few
texts that each column renders once (see :class:`._rendered_rows._ColumnPlan`).
So a row is a handful of dict lookups, and its cells' XML, widths and lines
are taken in the same pass.  A value that is not text where text
is expected makes the fast path raise, and the file then goes through
:func:`._rendered_rows.render_rows` (it never happens with results of the engine).
"""
from __future__ import annotations

from typing import NamedTuple

from ..model import FileResult
from ._display import LEVEL_LABELS
from ._rendered_rows import ROW_END, _column_plans, _row_start, render_rows
from ._summary_rows import GENERIC_FLAG_ACTIONS, file_issue_rows, sorted_issues
from .summary_xlsx import ISSUE_COLUMNS

_ERROR, _WARNING = LEVEL_LABELS["error"], LEVEL_LABELS["warning"]


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
    blank_cell, blank_item = cell_plan.blank, item_plan.blank
    # Each rendered cell is (XML, width needed, lines), unpacked where it is looked up: per row its
    # XML goes into the table's, its lines into the row's (its tallest cell) and its width into its
    # column's, compared in the loop.  Why not a row of cells each, then taken apart column by column
    # through map, itemgetter, max and zip: those calls, in C as they are, cost the prepared summaries
    # of 300 workbooks 66 M instructions more (20 % of 问题清单's rows).
    xml: list[bytes] = []  # per row: its start, its cells, its end (cells come encoded: see _rendered_rows._text_cell)
    labels = []  # per row, its level's label
    file_xml, file_width, file_lines = file_plan.texts.get(file.file) or file_plan.text(file.file)
    sheet_width = cell_width = name_width = item_width = level_width = message_width = action_width = 0.0
    for result in file.forms:
        form_issues = sorted_issues(result)
        if not form_issues:
            continue  # its name is on no row
        form_sheet = result.form.sheet
        name = result.name or result.form.unit
        name_xml, width, form_lines = name_plan.texts.get(name) or name_plan.text(name)
        if width > name_width:
            name_width = width
        if file_lines > form_lines:
            form_lines = file_lines  # the lines of the form's every row at least: its name's and the file's
        for item, flag in form_issues:
            source = flag.source
            level = flag.level
            label = LEVEL_LABELS.get(level, level)
            labels.append(label)
            action = flag.action or generic_actions.get(level, default_action)
            message = flag.message
            if source is None:
                sheet_xml, width, lines = sheets.get(form_sheet) or sheet_plan.text(form_sheet)
                cell_xml, needed, cell_lines = blank_cell
            else:
                sheet = source.sheet
                sheet_xml, width, lines = sheets.get(sheet) or sheet_plan.text(sheet)
                cell = source.cell
                cell_xml, needed, cell_lines = cells.get(cell) or cell_plan.text(cell)
            if width > sheet_width:
                sheet_width = width
            if needed > cell_width:
                cell_width = needed
            if cell_lines > lines:
                lines = cell_lines
            if form_lines > lines:
                lines = form_lines
            item_xml, width, cell_lines = blank_item if item is None else (items.get(item.name)
                                                                           or item_plan.text(item.name))
            if width > item_width:
                item_width = width
            if cell_lines > lines:
                lines = cell_lines
            level_xml, width, cell_lines = levels.get(label) or level_plan.text(label)
            if width > level_width:
                level_width = width
            if cell_lines > lines:
                lines = cell_lines
            message_xml, width, cell_lines = messages.get(message) or message_plan.text(message)
            if width > message_width:
                message_width = width
            if cell_lines > lines:
                lines = cell_lines
            action_xml, width, cell_lines = actions.get(action) or action_plan.text(action)
            if width > action_width:
                action_width = width
            if cell_lines > lines:
                lines = cell_lines
            xml += (_row_start(lines), file_xml, sheet_xml, cell_xml, name_xml, item_xml, level_xml, message_xml,
                    action_xml, ROW_END)
    if not labels:
        return RenderedIssues(b"", [0.0] * len(plans), 0, 0, 0)
    widths = [file_width, sheet_width, cell_width, name_width, item_width, level_width, message_width, action_width]
    return RenderedIssues(b"".join(xml), widths, len(labels), labels.count(_ERROR), labels.count(_WARNING))


def _rendered_the_long_way(file: FileResult) -> RenderedIssues:
    rows = file_issue_rows(file)
    xml, widths = render_rows(ISSUE_COLUMNS, rows)
    levels = [row[5] for row in rows]
    return RenderedIssues(xml, widths, len(rows), levels.count(_ERROR), levels.count(_WARNING))
