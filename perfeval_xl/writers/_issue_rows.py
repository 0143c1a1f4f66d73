"""问题清单 rows of one file rendered straight from its result, or from its summary.json entry (as the
batch's process does for what a worker sends), in one pass over its flags.

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

from typing import NamedTuple, Optional

from ..model import FileResult
from ._display import LEVEL_LABELS
from ._rendered_rows import ROW_END, _column_plans, _row_start, render_rows
from ._summary_rows import GENERIC_FLAG_ACTIONS, cell_order, file_issue_rows, sorted_issues
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


#: One row of 问题清单 but the file's name: (sheet, cell, item, level, message, action), the level as
#: the flag has it ("error"), the cell and item None when it has none, the action settled.
IssueRow = tuple[str, Optional[str], Optional[str], str, str, str]


def _rendered(file: FileResult) -> RenderedIssues:
    generic_actions, default_action = GENERIC_FLAG_ACTIONS, GENERIC_FLAG_ACTIONS["warning"]
    forms = []
    for result in file.forms:
        form_sheet = result.form.sheet
        rows = []
        for item, flag in sorted_issues(result):
            source = flag.source
            level = flag.level
            rows.append((form_sheet if source is None else source.sheet, None if source is None else source.cell,
                         None if item is None else item.name, level,
                         flag.message, flag.action or generic_actions.get(level, default_action)))
        forms.append((result.name or result.form.unit, rows))
    return render_issue_rows(file.file, forms)


def render_entry_issues(entry: dict) -> RenderedIssues:
    """问题清单 of a scored file from its summary.json entry (as :func:`~.summary_json.encode_entry`
    made it): the same rows, widths and counts as :func:`render_file_issues` of its result.

    Why: the batch's process renders them as each file arrives, from the entry the worker sends
    anyway, while the worker goes on to the next file (−0.1 ms of a worker's ~3 ms a workbook).
    """
    forms = []
    for form in entry["forms"]:
        form_sheet = form["sheet"]
        found = [(form_sheet if issue["sheet"] is None else issue["sheet"], issue["cell"], issue["item"],
                  issue["level"], issue["message"], issue["action"]) for issue in form["issues"]]
        forms.append((form["name"] or form["unit"], _in_sheet_order(found)))
    return render_issue_rows(entry["file"], forms)


def _in_sheet_order(found: list[IssueRow]) -> list[IssueRow]:
    """``found`` as :func:`sorted_issues` orders a form's flags: by sheet as first met, then cell
    (none first), stably."""
    sheets: dict[str, int] = {}
    keys = [(sheets.setdefault(sheet, len(sheets)), 0 if cell is None else cell_order(cell))
            for sheet, cell, *_ in found]
    return list(map(found.__getitem__, sorted(range(len(found)), key=keys.__getitem__)))


def render_issue_rows(file_name: str, forms: list[tuple[str, list[IssueRow]]]) -> RenderedIssues:
    """问题清单 rows of a file's forms: each (name, its rows in sheet order)."""
    plans = _column_plans(ISSUE_COLUMNS)
    file_plan, sheet_plan, cell_plan, name_plan, item_plan, level_plan, message_plan, action_plan = plans
    # Each column's memo of rendered texts, looked up directly: a plan only ever empties its memo,
    # never replaces it.
    sheets, cells, items, levels, messages, actions = (
        sheet_plan.texts, cell_plan.texts, item_plan.texts, level_plan.texts, message_plan.texts, action_plan.texts)
    blank_cell, blank_item = cell_plan.blank, item_plan.blank
    # Each rendered cell is (XML, width needed, lines), unpacked where it is looked up: per row its
    # XML goes into the table's, its lines into the row's (its tallest cell) and its width into its
    # column's, compared in the loop.  Why not a row of cells each, then taken apart column by column
    # through map, itemgetter, max and zip: those calls, in C as they are, cost the prepared summaries
    # of 300 workbooks 66 M instructions more (20 % of 问题清单's rows).
    xml: list[bytes] = []  # per row: its start, its cells, its end (cells come encoded: see _rendered_rows._text_cell)
    labels = []  # per row, its level's label
    file_xml, file_width, file_lines = file_plan.texts.get(file_name) or file_plan.text(file_name)
    sheet_width = cell_width = name_width = item_width = level_width = message_width = action_width = 0.0
    for name, rows in forms:
        if not rows:
            continue  # its name is on no row
        name_xml, width, form_lines = name_plan.texts.get(name) or name_plan.text(name)
        if width > name_width:
            name_width = width
        if file_lines > form_lines:
            form_lines = file_lines  # the lines of the form's every row at least: its name's and the file's
        for sheet, cell, item, level, message, action in rows:
            label = LEVEL_LABELS.get(level, level)
            labels.append(label)
            sheet_xml, width, lines = sheets.get(sheet) or sheet_plan.text(sheet)
            if cell is None:
                cell_xml, needed, cell_lines = blank_cell
            else:
                cell_xml, needed, cell_lines = cells.get(cell) or cell_plan.text(cell)
            if width > sheet_width:
                sheet_width = width
            if needed > cell_width:
                cell_width = needed
            if cell_lines > lines:
                lines = cell_lines
            if form_lines > lines:
                lines = form_lines
            item_xml, width, cell_lines = blank_item if item is None else (items.get(item) or item_plan.text(item))
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
