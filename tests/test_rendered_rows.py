"""Rows rendered ahead of time: the same worksheet XML as xlsxwriter's own cells, heights included."""
from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from perfeval_xl.writers._rendered_rows import (
    FONT_SIZE, LATER, LATER_MARK, ROW_PADDING, render_rows, shown, style_of, write_rendered_rows,
)
from perfeval_xl.writers._text_measure import excel_row_height, line_height, lines_needed
from perfeval_xl.writers.summary_xlsx import ISSUE_COLUMNS, OVERVIEW_COLUMNS, _Formats, write_value

HOSTILE_TEXTS = [
    "城管局/01_道路.xlsx", "_x0041_ is no escape", "carriage\rreturn", " leading", "trailing ", "a&b<c>\"d\"",
    "ctrl\x01char", "two\nlines", "很长的问题描述，" * 12, "\u3000全角空格开头", "tab\there", "=HYPERLINK(\"x\")",
    "😀" * 20000,  # over Excel's limit in UTF-16 units
    "",
]


def issue_rows() -> list[list]:
    rows = []
    for i, text in enumerate(HOSTILE_TEXTS):
        rows.append([text, "自评表", f"C{i}", "项目", None, "错误" if i % 2 else "提示", text, "请复核"])
    return rows


def overview_rows() -> list[list]:
    return [[3, "a.xlsx", "自评表", "项目", "城管局", "单位", text, Decimal("96"), Decimal("91.265"),
             Decimal("-4.735"), "优", 5, "已评分", None] for text in HOSTILE_TEXTS[:6]] + [
        [None, "坏.xlsx", *[None] * 10, "错误", "文件已损坏"]]


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def workbook(path: Path):
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("表")
    formats = _Formats(book)
    formats.indices()  # formats numbered in the same order in both workbooks
    sheet.write_string(0, 0, "表头", formats.header)
    return book, sheet, formats


def by_xlsxwriter(path: Path, columns, rows: list[list], widths: list[float]) -> None:
    """The reference: every cell through xlsxwriter's API, each row as tall as its text needs at the final widths."""
    book, sheet, formats = workbook(path)
    for index, row in enumerate(rows, start=1):
        for col, (column, value) in enumerate(zip(columns, row)):
            write_value(sheet, index, col, value, formats.data_cell(style_of(column, value)))
        lines = max(lines_needed(shown(value, column.kind), width, FONT_SIZE)
                    for column, width, value in zip(columns, widths, row))
        sheet.set_row(index, excel_row_height(lines * line_height(FONT_SIZE) + ROW_PADDING))
    book.close()


def rendered(path: Path, columns, rows: list[list]) -> list[float]:
    xml, widths = render_rows(columns, rows)
    book, sheet, formats = workbook(path)
    assert write_rendered_rows(sheet, 1, len(columns), [xml], formats.indices()) == len(rows)
    book.close()
    return widths


@pytest.mark.parametrize("columns, rows", [(ISSUE_COLUMNS, issue_rows()), (OVERVIEW_COLUMNS, overview_rows())],
                         ids=["问题清单", "汇总"])
def test_rendered_rows_are_the_xml_xlsxwriter_writes_for_the_same_cells(tmp_path, columns, rows):
    needed = rendered(tmp_path / "rendered.xlsx", columns, rows)
    for stretch in (0, 0.5, 1):  # whatever width the rest of a table gives each column, the heights hold
        final = [max(column.min_width, width + stretch * (column.max_width - width))
                 for column, width in zip(columns, needed)]
        by_xlsxwriter(tmp_path / "reference.xlsx", columns, rows, final)
        assert sheet_xml(tmp_path / "rendered.xlsx") == sheet_xml(tmp_path / "reference.xlsx")


def test_a_rendered_row_keeps_text_that_looks_like_markup_as_text(tmp_path):
    # xlsxwriter would pass "<r>…</r>" through as rich-text XML and lose the words.
    path = tmp_path / "rendered.xlsx"
    rendered(path, ISSUE_COLUMNS, [["<r>x</r>", "<t>y</t>", None, None, None, "提示", "&amp;", None]])
    sheet = openpyxl.load_workbook(path)["表"]
    assert [sheet.cell(2, col).value for col in (1, 2, 7)] == ["<r>x</r>", "<t>y</t>", "&amp;"]


def test_a_number_filled_in_later_is_a_placeholder_that_takes_any_number(tmp_path):
    xml, widths = render_rows(OVERVIEW_COLUMNS, [[LATER, *overview_rows()[0][1:]]])
    assert xml.count(LATER_MARK.encode()) == 1 and widths[0] == 0  # measured by whoever fills it in
    path = tmp_path / "rendered.xlsx"
    book, sheet, formats = workbook(path)
    write_rendered_rows(sheet, 1, len(OVERVIEW_COLUMNS), [xml.replace(LATER_MARK.encode(), b"12")],
                        formats.indices())
    sheet.write_string(3, 0, "说明")  # the API goes on below the rendered rows
    book.close()
    sheet = openpyxl.load_workbook(path)["表"]
    assert (sheet["A2"].value, sheet["B2"].value, sheet["I2"].value, sheet["A4"].value) == (12, "a.xlsx", 91.27, "说明")
    assert re.search(r'<dimension ref="A1:N4"/>', sheet_xml(path))


def test_rendered_rows_need_constant_memory_mode(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    with pytest.raises(ValueError, match="constant_memory"):
        write_rendered_rows(book.add_worksheet(), 1, 1, [], {})
    book.close()


def test_a_text_cell_taken_the_short_way_is_the_cell_of_the_long_way():
    from perfeval_xl.writers._rendered_rows import _cell_starts, _text_cell, _text_cell_the_long_way

    start = _cell_starts(ISSUE_COLUMNS)[6]["text"]
    pieces = ["预算执行率", "实际完成“已完成”", "≥95%", "×", " ", "\u3000", "a&b", "<r>x</r>", ">", "_x", "_x0041_",
              "😀", "\n", "\r", "\t", "\x01", "\ud800", "\uffff", "ABC", "12.5", "（万元）", "…", "=", ""]
    texts = list(HOSTILE_TEXTS) + [a + b + c for a in pieces for b in pieces for c in pieces[:8]]
    texts += ["很长的问题描述，" * n for n in (1, 5, 9, 30)] + ["x" * 16383, "x" * 16384, "中" * 16384, "😀" * 16383]
    for text in texts:
        for max_width in (8.0, 30.0, 60.0):
            assert _text_cell(start, text, max_width) == _text_cell_the_long_way(start, text, max_width), text


def test_rendering_a_new_text_leaves_the_column_plan_class_as_it_was():
    """The memos' shared count is not kept on _ColumnPlan: a class attribute set on every text
    rendered made the interpreter read every plan's attributes the slow way (see _memo_entries)."""
    from perfeval_xl.writers._rendered_rows import _column_plans, _ColumnPlan

    before = dict(vars(_ColumnPlan))
    plan = _column_plans(tuple(ISSUE_COLUMNS))[6]
    plan.text("一个从未渲染过的问题描述")
    assert dict(vars(_ColumnPlan)) == before
