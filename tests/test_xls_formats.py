"""An .xls is scored as the unit sees it: a number shown as a percentage is that percentage.

Excel keeps "105%" typed into a cell as 1.05 formatted 0%.  python-calamine
reads an .xls's values but not its formats, so the readers ask xlrd which
numbers are shown as a percentage (``perfeval_xl.readers.xls_formats``) —
only when a target or an actual is a number, and never at the cost of a
workbook: if xlrd cannot tell, the numbers read as before.

The same cases written by xlwt, for .xlsx and .xls alike, are in
``test_layouts.test_numbers_shown_as_percentages_read_as_the_percentage_shown``.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval_xl import score_workbook

from formgen import ErrorValue, Funds, Project, Row, write_form

D = Decimal
LIBREOFFICE_XLS = Path(__file__).resolve().parent / "data" / "percent_libreoffice.xls"


def items(path: Path) -> dict:
    forms = score_workbook(path).forms
    assert len(forms) == 1
    return {item.name: item for item in forms[0].items}


def test_a_workbook_saved_as_xls_by_libreoffice_scores_as_it_reads(tmp_path):
    # data/make_percent_libreoffice.py: the numbers below typed as percentages, one of them a formula's result.
    scored = items(LIBREOFFICE_XLS)
    signed_up = scored["家庭医生签约服务完成率"]  # ≥95% → =0.5+0.55 shown 105.0%: 105 ≥ 95, full marks
    assert (str(signed_up.actual), signed_up.score) == ("105%", D("20"))
    records = scored["健康档案规范化率"]  # target 0.95 shown 95% → "90%": 90/95×20 = 18.947…
    assert (str(records.target), records.score) == ("95%", D("18.95"))
    assert not records.flags  # no "target may be too low": the target is 95, not 0.95
    satisfied = scored["服务对象满意度"]  # ≥90% → 0.93 shown 93%: 93 ≥ 90, and the unit typed 93%
    assert satisfied.score == D("10") and not any("按百分比换算" in f.message for f in satisfied.flags)
    assert score_workbook(LIBREOFFICE_XLS).forms[0].total == D("98.95")  # 10 + 20 + 18.95 + 10 + 30 + 10


def _fraction_project() -> Project:
    """105% typed as 1.05 in a 0% cell, against ≥95%: full marks when read as shown, 1.05/95×20 = 0.22 when not."""
    return Project(
        name="社区卫生服务中心运行补助项目", department="某区卫生健康局", unit="某区东湖社区卫生服务中心",
        year=2023, funds=Funds(100, 100, 100), self_total="",
        rows=[Row("产出指标", "数量指标", "家庭医生签约服务完成率", "≥95%", 1.05, 20, reason="r"),
              Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", 30, 30),
              Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, 30),
              Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 10)],
    )


def _xlrd_refuses(monkeypatch):
    import xlrd

    def refuse(*args, **kwargs):
        raise xlrd.XLRDError("Unsupported format, or corrupt file")
    monkeypatch.setattr(xlrd, "open_workbook", refuse)


def _xlrd_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "xlrd", None)  # import xlrd → ImportError, as where it is not installed


@pytest.mark.parametrize("break_xlrd", [_xlrd_refuses, _xlrd_missing], ids=["xlrd refuses the file", "no xlrd"])
def test_when_the_formats_cannot_be_read_the_numbers_read_as_before(tmp_path, monkeypatch, break_xlrd):
    path = write_form(tmp_path / "shown.xls", _fraction_project(), number_formats={1.05: "0%"})
    assert items(path)["家庭医生签约服务完成率"].score == D("20")  # read as shown: 105 ≥ 95
    break_xlrd(monkeypatch)
    # The workbook still scored, its 1.05 read as the number it is: a fraction of a percentage
    # near the target, scaled and flagged as any such actual is.
    unformatted = items(path)["家庭医生签约服务完成率"]
    assert unformatted.score == D("20") and any("按百分比换算" in f.message for f in unformatted.flags)


def _count_opens(monkeypatch) -> list:
    import xlrd

    opened, open_workbook = [], xlrd.open_workbook

    def counted(*args, **kwargs):
        opened.append(kwargs.get("file_contents", args[0] if args else None))
        return open_workbook(*args, **kwargs)
    monkeypatch.setattr(xlrd, "open_workbook", counted)
    return opened


@pytest.mark.parametrize("actual, number_formats", [
    ("105%", {}),           # no number where a reader would ask: not even the formats are looked at
    (1.05, {1.05: "0.00"}),  # a number, but no cell format shows a percentage: the XF records say so
], ids=["text", "number not shown as a percentage"])
def test_an_xls_that_needs_no_percentages_is_not_parsed_again(tmp_path, monkeypatch, actual, number_formats):
    # Why it matters: xlrd's parse costs more than calamine's whole read; most .xls never need it.
    project = _fraction_project()
    project.rows[0] = Row("产出指标", "数量指标", "家庭医生签约服务完成率", "≥95%", actual, 20, reason="r")
    path = write_form(tmp_path / "plain.xls", project, number_formats=number_formats)
    opened = _count_opens(monkeypatch)
    # 1.05 shown as 1.05: a fraction of a percentage near the target, 105 % (scaled and flagged)
    assert items(path)["家庭医生签约服务完成率"].score == D("20")
    assert opened == []


def test_an_xls_with_several_forms_is_parsed_again_once(tmp_path, monkeypatch):
    first, second = _fraction_project(), _fraction_project()
    second.name, second.sheet_name = "家庭医生签约服务项目", "签约服务"
    path = write_form(tmp_path / "two.xls", [first, second], number_formats={1.05: "0%"})
    opened = _count_opens(monkeypatch)
    forms = score_workbook(path).forms
    assert [next(i.score for i in form.items if i.name == "家庭医生签约服务完成率") for form in forms] == [D("20")] * 2
    assert len(opened) == 1


def test_the_percentage_walk_over_the_stream_the_encryption_check_read_is_the_walk_over_the_file(tmp_path,
                                                                                              monkeypatch):
    # container.unwrap hands the Workbook stream it read to xls_formats, which then opens the OLE container
    # no second time: the walk must answer as it did from the file, and the file be read as before.
    import olefile

    from perfeval_xl.readers.container import unwrap
    from perfeval_xl.readers.xls_formats import _may_show_as_read

    paths = [LIBREOFFICE_XLS,
             write_form(tmp_path / "shown.xls", _fraction_project(), number_formats={1.05: "0%"}),
             write_form(tmp_path / "plain.xls", _fraction_project(), number_formats={1.05: "0.00"})]
    walks = set()
    for path in paths:
        data = path.read_bytes()
        unwrapped, stream = unwrap(data)
        assert unwrapped is data and stream is not None
        walks.add(_may_show_as_read(data, stream))
        assert _may_show_as_read(data, stream) == _may_show_as_read(data, None)
    assert walks == {True, False}

    opened, open_ole = [], olefile.OleFileIO
    monkeypatch.setattr(olefile, "OleFileIO", lambda *args, **kwargs: opened.append(1) or open_ole(*args, **kwargs))
    assert items(paths[1])["家庭医生签约服务完成率"].score == D("20")  # read as shown: 105 ≥ 95
    assert opened == [1]


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_a_number_formatted_with_words_reads_as_shown_in_an_xls_as_in_an_xlsx(tmp_path, suffix):
    # "≤"0"万元" shows 5 as ≤5万元; read bare, the cost target lost its ≤ and its unit (full marks for an
    # overspent 5.5).  #,##0"元" shows 593800 as 593,800元 in the 万元 block: 59.38万元.
    project = _fraction_project()
    project.funds = Funds(62.5, 62.5, 593800, sub_rows=[])
    project.rows[1] = Row("产出指标", "成本指标", "设备维护成本", 5, 5.5, 30, 30)
    path = write_form(tmp_path / f"worded{suffix}", project,
                      number_formats={5: '"≤"0"万元"', 5.5: '0.0"万元"', 593800: '#,##0"元"', 1.05: "0%"})
    scored = items(path)
    cost = scored["设备维护成本"]
    assert (cost.target, cost.actual, cost.score) == ("≤5万元", "5.5万元", D("27.27"))
    assert next(iter(scored.values())).basis.startswith("59.38/62.5×10=9.50")


def _flags(item) -> list[str]:
    return [str(flag) for flag in item.flags]


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_an_error_value_in_an_xls_is_flagged_as_in_an_xlsx(tmp_path, suffix):
    # calamine reads an .xls's #DIV/0! as an empty cell: the unit was told it had not filled in a
    # self-score it had (a formula gone wrong), where the same form saved as .xlsx said to fix the formula.
    project = _fraction_project()
    project.rows[1] = Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", 30, ErrorValue("#DIV/0!"))
    project.rows[2] = Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, None)
    scored = items(write_form(tmp_path / f"errors{suffix}", project))
    broken = _flags(scored["补助资金拨付时间"])
    assert "自评得分单元格为错误值#DIV/0!，请单位修正公式或填写数值（H14）" in broken
    # A self-score left blank is still one not filled in, not an error.
    left_blank = _flags(scored["居民健康素养水平"])
    assert not any("错误值" in flag for flag in left_blank)
    assert any(flag.startswith("定性指标无自评得分") for flag in left_blank)


def _xls_with_formulas(path: Path, error_code: int) -> Path:
    """An .xls of two formulas, A1 =1/0 with ``error_code`` as its saved result (as Excel and LibreOffice
    save a formula whose result is #DIV/0!), B1 ="" with its text result."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("自评表")
    sheet.write(0, 0, xlwt.Formula("1/0"))
    sheet.write(0, 1, xlwt.Formula('""'))
    book.save(path)
    data = bytearray(path.read_bytes())
    # xlwt saves each formula's result as an empty text (type 3); the first one's becomes an error (type 2).
    first = data.index(b"\x03\x00\x00\x00\x00\x00\xff\xff")
    data[first], data[first + 2] = 2, error_code
    path.write_bytes(bytes(data))
    return path


def test_a_formulas_saved_error_in_an_xls_is_an_error_and_its_text_result_is_not(tmp_path):
    from perfeval_xl.readers.grid import load_grids

    [grid] = load_grids(_xls_with_formulas(tmp_path / "formulas.xls", 0x07))
    assert grid.rows[0][:2] == ["", ""]  # as calamine gives both
    assert grid.errors == {(0, 0): "#DIV/0!"}


def test_an_xls_without_error_values_is_not_parsed_again_for_them(tmp_path, monkeypatch):
    # Why it matters: xlrd's parse costs more than calamine's whole read; an error value is rare.
    from perfeval_xl.readers.grid import load_grids

    path = write_form(tmp_path / "plain.xls", _fraction_project())
    opened = _count_opens(monkeypatch)
    assert all(grid.errors == {} for grid in load_grids(path))
    assert opened == []
