"""The summary record's fast paths write exactly what the reference encoders write.

summary.json entries are put together as text (``_entry_json``) instead of
encoding ``file_entry`` dicts, and 问题清单 rows are rendered straight from the
result (``_issue_rows``) instead of through ``file_issue_rows`` and
``render_rows``.  Both must give the same bytes, also for values the fast
paths do not expect (they fall back to the reference then).
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from perfeval_xl.model import FileResult, Flag, FormResult, ItemScore, ProjectForm, Source
from perfeval_xl.writers._issue_rows import render_file_issues
from perfeval_xl.writers._rendered_rows import render_rows
from perfeval_xl.writers._summary_rows import file_issue_rows
from perfeval_xl.writers.summary_json import _encoded, encode_entry, file_entry
from perfeval_xl.writers.summary_xlsx import ISSUE_COLUMNS

D = Decimal


class Text(str):
    """A str subclass, as a caller might pass."""


def _item(name, weight, score, self_score, flags=(), source=Source("表", "D13"), **extra) -> ItemScore:
    return ItemScore("产出指标", "数量指标", name, weight, score, self_score, f"{name}依据", list(flags), source,
                     target="≥100个", actual="90个", **extra)


def _file(items, form_flags=(), status="ok", error=None, sheet="自评表") -> FileResult:
    form = ProjectForm(file="a.xlsx", sheet=sheet, layout="national-2020", name="项目\"甲\"\\", unit="单位",
                       department="部门", year=2023)
    result = FormResult(form=form, rulebook="mof", items=list(items), total=D("81.5"), grade="良",
                        flags=list(form_flags))
    return FileResult(file="子目录/a.xlsx", status=status, error=error, forms=[result], output="a.scored.xlsx")


def _odd_files() -> list[FileResult]:
    warn = Flag("得分未满\n缺少偏差原因", Source("表", "I13"), action="请补充")
    error = Flag("实际完成值缺失<&>", Source("其他表", "$F$9"), "error", "请单位补填")
    loose = Flag("分值合计不符", None)
    return [
        _file([_item("指标1", D("5"), D("4.50"), D("5"), [warn, error]),
               _item("指标2", D("-0"), D("0.00"), D("0.001"), [loose]),
               _item("指标3", D("2.345"), D("-0.004"), None, source=None),
               _item("指标4", D("NaN"), D("Infinity"), D("1E+3"))],
              [Flag("表头缺失", Source("自评表", "A1"), "error")]),
        _file([_item(Text("子类名称"), D("1"), D("1"), D("1"), [Flag(Text("信息"), Source("表", "B2"))])]),
        _file([_item("不适用", D("10"), D("0"), D("0"), applicable=False)]),
        _file([_item("数字", D("10"), D("7"), D("3"), applicable=1)]),  # not a bool: written 1
        _file([_item("无", 5, D("1"), None)]),  # not a Decimal weight: amount() of it fails either way
        _file([], status="error", error="文件已损坏"),
        _file([_item("级别", D("1"), D("1"), D("1"), [Flag("自定级别", None, "notice")])]),
        _file([_item("长", D("1"), D("1"), D("1"), [Flag("很长的信息" * 300, Source("表", "C3"))])]),
        _file([_item("空", D("1"), D("1"), D("1"), [Flag("", Source("", ""))])], sheet=""),
        _two_forms(),
        _two_forms(wrapped=True),
    ]


def _odd_flags() -> FileResult:
    """Flags whose text needs escaping, or that are not text where text is expected (the entry only:
    问题清单 sorts its flags by cell, and a cell that is not text cannot be sorted)."""
    return _file([_item("逸出", D("1"), D("1"), D("1"), [
        Flag('引号"、反斜杠\\和\t控制\x01', None, "error", '请"核实"\n'),
        Flag("单元格逸出", Source("表\"", 'B"2'), action="\\"),
        Flag("无级别", Source("表", "B3"), None),
        Flag("子类来源", _OddSource("表", "B4")),
        Flag("数字单元格", Source("表", 7)),
        Flag("数字工作表", Source(3, "B5")),
        Flag("非文本处理建议", None, "warning", 0),
        Flag(12345, Source("表", "B6")),
    ])], [Flag("表级", None, action="请补充"), Flag("表级自定级别", None, "notice")])


class _OddSource(Source):
    """A Source of another class, as a caller might pass."""


def _two_forms(wrapped: bool = False) -> FileResult:
    """A form without flags (its long name on no row of 问题清单), then one with a flag, its name
    short or wrapping onto more lines than any other cell of its row."""
    file = _file([_item("指标", D("1"), D("1"), D("1"))])
    second = _file([_item("指标", D("1"), D("1"), D("1"), [Flag("信息", Source("表", "B2"))])]).forms[0]
    file.forms[0].form.name = "没有问题的项目" * 20
    second.form.name = "第二个项目" * (8 if wrapped else 1)
    file.forms.append(second)
    return file


def _reference_issues(file: FileResult):
    rows = file_issue_rows(file)
    xml, widths = render_rows(ISSUE_COLUMNS, rows)
    levels = Counter(row[5] for row in rows)
    return xml, widths, len(rows), levels["错误"], levels["提示"]


@pytest.mark.parametrize("index", range(len(_odd_files()) + 1))
def test_entry_text_is_what_the_encoder_writes(index):
    file = [*_odd_files(), _odd_flags()][index]
    try:
        expected = _encoded(file_entry(file))
    except Exception as error:
        with pytest.raises(type(error)):
            encode_entry(file)
        return
    assert encode_entry(file) == expected


@pytest.mark.parametrize("index", range(len(_odd_files())))
def test_issue_rows_are_what_render_rows_renders(index):
    file = _odd_files()[index]
    assert tuple(render_file_issues(file)) == _reference_issues(file)


def test_issue_rows_of_a_value_that_is_not_text_fall_back():
    file = _file([_item("指标", D("1"), D("1"), D("1"), [Flag(12345, Source("表", "B2"))])])
    assert tuple(render_file_issues(file)) == _reference_issues(file)


def test_sorted_issues_is_by_sheet_as_met_then_row_then_column_then_form_order():
    """sorted_issues' numeric keys give the order of sorting (sheet, row, column, position) tuples."""
    import random

    from perfeval_xl.writers._summary_rows import cell_position, issues, sorted_issues

    rng = random.Random(3)
    cells = ["A1", "B1", "$F$9", "Z10", "AA2", "ZZZ1", "A1048576", "C99999999999", "", "not a cell", "b7", "A0"]
    for sheets in (["自评表"], ["自评表", "其他表", "表"]):
        for _ in range(50):
            def flag():
                if rng.random() < 0.2:
                    return Flag("表级", None)
                return Flag("格", Source(rng.choice(sheets), rng.choice(cells)))
            items = [_item(f"指标{n}", D("1"), D("1"), D("1"), [flag() for _ in range(rng.randint(0, 3))])
                     for n in range(rng.randint(0, 8))]
            result = _file(items, [flag() for _ in range(rng.randint(0, 3))]).forms[0]
            met: dict = {}
            expected = sorted(issues(result), key=lambda pair: (
                met.setdefault(pair[1].source.sheet if pair[1].source else result.form.sheet, len(met)),
                *cell_position(pair[1].source.cell if pair[1].source else None)))
            assert sorted_issues(result) == expected
