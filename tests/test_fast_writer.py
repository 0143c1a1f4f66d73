"""The fast scored-form writer draws exactly what the openpyxl reference draws (bench/check_scored_form.py)."""
import importlib.util
from pathlib import Path

import pytest

import perfeval_xl
from perfeval_xl.writers.scored_form import write_scored_workbook, write_scored_workbook_openpyxl
from deptgen import BaseFigures, write_department_workbook
from hostile import good_project
from formgen import write_form

ROOT = Path(__file__).resolve().parents[1]


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _module("check_scored_form", ROOT / "bench" / "check_scored_form.py")



def written_by_both(forms, folder: Path) -> Path:
    """``forms`` written by the fast writer and by the openpyxl reference into ``folder``, found alike
    (bench/check_scored_form.py); the fast writer's workbook."""
    fast, reference = folder / "fast.xlsx", folder / "reference.xlsx"
    write_scored_workbook(forms, fast)
    write_scored_workbook_openpyxl(forms, reference)
    assert check.compare(fast, reference) is None
    return fast

@pytest.mark.parametrize("make", [
    lambda d: write_form(d / "national.xlsx", good_project()),
    lambda d: write_form(d / "sichuan.xlsx", good_project(), "sichuan-2023"),
    lambda d: write_form(d / "beijing.xlsx", good_project(), "beijing-2016"),
    lambda d: write_form(d / "anhui.xlsx", good_project(), "anhui-2022"),
    lambda d: write_form(d / "several.xlsx", [good_project(), good_project(name="第二个项目")], cover_sheet=True),
    lambda d: write_department_workbook(d / "dept.xlsx", BaseFigures("某局")),
], ids=["national", "sichuan", "beijing", "anhui", "several", "department"])
def test_fast_writer_equals_the_openpyxl_reference(tmp_path, make):
    forms = perfeval_xl.score_workbook(make(tmp_path)).forms
    written_by_both(forms, tmp_path)


def _long_project(count: int = 60):
    """A project of ``count`` indicators, in 二级 groups of three: a form of several printed pages."""
    from formgen import Row

    return good_project(rows=[Row("产出指标" if i < count // 2 else "效益指标", f"二级指标{i // 3}", f"指标{i}",
                                  "≥90%", "92%", 1, 1, reason="按季度统计" * (i % 7)) for i in range(count)])


def _with_form_issues(result, count: int):
    from perfeval_xl.model import Flag, Source

    result.flags.extend(Flag(f"第{n}条表级问题：" + "请核对基础数据表与评分表的金额" * (1 + n % 4), Source(result.form.sheet, f"C{n}"))
                        for n in range(count))
    return result


@pytest.mark.parametrize("make", [
    lambda d: perfeval_xl.score_workbook(write_form(d / "long.xlsx", _long_project())).forms,
    lambda d: [_with_form_issues(perfeval_xl.score_workbook(write_form(d / "issues.xlsx", good_project())).forms[0], 30)],
    lambda d: [_with_form_issues(perfeval_xl.score_workbook(write_form(d / "both.xlsx", _long_project(25))).forms[0], 8)],
], ids=["sixty-indicators", "thirty-form-issues", "both"])
def test_both_writers_end_the_pages_of_a_long_form_alike(tmp_path, make):
    """Row breaks and print titles (see _page_breaks) are decided alike on the heights each writer computes."""
    forms = make(tmp_path)
    fast = written_by_both(forms, tmp_path)
    import openpyxl

    assert openpyxl.load_workbook(fast).worksheets[0].row_breaks.brk  # there are breaks to compare


def _department(tmp_path, **layout):
    [result] = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "dept.xlsx", BaseFigures("某局"),
                                                                    **layout)).forms
    return result


def _without_year_or_lines(tmp_path):
    result = _department(tmp_path)
    result.form.base.year, result.form.base.lines = None, []  # a BaseData made without a sheet: lines of its rows
    return [result]


def _odd_texts(tmp_path):
    from perfeval_xl.model import BaseLine

    result = _department(tmp_path)
    base = result.form.base
    base.unit = " 长沙市开福区行政审批服务局（含下属二级单位：政务服务中心、公共资源交易中心）& <其他> "
    base.staff_quota, base.staff_actual, base.staff_texts = None, None, {"quota": "十二", "actual": "12人"}
    base.lines = [BaseLine("其中：会议费、培训费、差旅费及其他按规定列支的一般性支出（含上年结转）",
                           texts={"prior_final": "—", "budget": "年初预算"}), BaseLine(""), *base.lines]
    return [result]


def _rates(tmp_path):
    from perfeval_xl.model import BaseLine

    result = _department(tmp_path)
    result.form.base.lines.append(BaseLine("预算执行率", texts={"prior_final": "93.5%", "budget": "95.01%",
                                                              "final": "约95%"}))
    result.items[0].target = "100%"  # a bare percentage in the 评价标准 column too
    return [result]


def _two_departments(tmp_path):
    (tmp_path / "second").mkdir()
    first, second = _department(tmp_path), _department(tmp_path / "second", staff_rows=True)
    second.form.sheet = first.form.sheet  # two sheets of each title: the later ones are numbered
    return [first, second]


@pytest.mark.parametrize("forms", [
    lambda d: [_department(d)],
    lambda d: [_department(d, order=2, scoring_first=True, relative_columns=True)],
    lambda d: [_department(d, section_column=True, staff_rows=True)],
    _without_year_or_lines,
    _odd_texts,
    _rates,
    _two_departments,
    lambda d: [_department(d, beside_the_table=True)],
    lambda d: [_department(d, section_column=True, two_row_heading=True, beside_the_table=True)],
], ids=["department", "second-order", "section-column", "no-year-no-lines", "odd-texts", "rates", "two-departments",
        "beside-the-table", "beside-the-table-section-column"])
def test_fast_writer_draws_department_workbooks_as_the_openpyxl_reference(tmp_path, forms):
    """The F2 base data sheet, written as XML with formats compiled with the template, as openpyxl draws it."""
    forms = forms(tmp_path)
    written_by_both(forms, tmp_path)


def test_templates_prepared_before_forking_are_what_the_workers_inherit():
    """The batch compiles the style template and the draft prototype once, before forking workers."""
    from perfeval_xl.writers import _report_template, _style_template
    from perfeval_xl.writers.scored_form import prepare_templates

    _style_template._COMPILED.clear()
    _report_template.report_template.cache_clear()
    prepare_templates()
    assert len(_style_template._COMPILED) == 1
    assert _report_template.report_template.cache_info().currsize == 1


def test_the_shipped_compiled_template_is_a_fresh_compile_of_the_shipped_template():
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, SCORED_FORM_STYLE_COMPILED

    tool = _module("compile_style_template", ROOT / "tools" / "compile_style_template.py")
    shipped = (ROOT / "templates" / SCORED_FORM_STYLE_COMPILED).read_text(encoding="utf-8")
    assert shipped == tool.compiled_json(ROOT / "templates" / SCORED_FORM_STYLE), (
        f"templates/{SCORED_FORM_STYLE_COMPILED} is not what templates/{SCORED_FORM_STYLE} compiles to: "
        "run `python tools/compile_style_template.py`")


def test_the_shipped_template_is_loaded_compiled_not_compiled_again(tmp_path, monkeypatch):
    """Its compiled form ships as data, for its bytes wherever they lie (a bureau's unchanged copy too)."""
    import shutil

    from perfeval_xl.writers import _style_template
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    shipped = template_path(SCORED_FORM_STYLE)
    fresh = _style_template._compile(shipped)
    copy = tmp_path / "复核样式.xlsx"
    shutil.copyfile(shipped, copy)

    def compile_again(path):
        raise AssertionError(f"{path} compiled again")

    monkeypatch.setattr(_style_template, "_compile", compile_again)
    monkeypatch.setattr(_style_template, "_COMPILED", {})
    assert _style_template.compiled_scored_form_style(shipped) == fresh
    assert _style_template.compiled_scored_form_style(copy) == fresh


@pytest.mark.parametrize("make", [
    lambda d: write_form(d / "national.xlsx", good_project()),
    lambda d: write_department_workbook(d / "dept.xlsx", BaseFigures("某局")),
], ids=["national", "department"])
def test_a_restyled_template_is_compiled_and_its_forms_follow_it(tmp_path, monkeypatch, make):
    from perfeval_xl.writers import _style_template

    template = _template_with_odd_borders(tmp_path)
    compiled = []
    compile_template = _style_template._compile
    monkeypatch.setattr(_style_template, "_compile", lambda path: compiled.append(path) or compile_template(path))
    monkeypatch.setattr(_style_template, "_COMPILED", {})
    forms = perfeval_xl.score_workbook(make(tmp_path)).forms
    restyled, shipped, reference = tmp_path / "restyled.xlsx", tmp_path / "shipped.xlsx", tmp_path / "reference.xlsx"
    write_scored_workbook(forms, restyled, template=template)
    write_scored_workbook(forms, shipped)
    write_scored_workbook_openpyxl(forms, reference, template=template)
    assert compiled == [template]
    assert check.compare(restyled, reference) is None
    assert check.compare(restyled, shipped) is not None


def _merge_outcomes_by_openpyxl(workbook, borders):
    """What openpyxl's own merge_cells leaves in each cell of a merged range, on scratch sheets:
    the reference :func:`merge_outcomes` must reproduce."""
    from openpyxl.styles.cell_style import StyleArray

    from perfeval_xl.writers._style_template import _MERGE_SHAPES

    outcome = {}
    for start_border in borders:
        for end_border in borders:
            scratch = workbook.create_sheet("~merge")
            row = 1
            for rows, cols in _MERGE_SHAPES:
                start, end = StyleArray(), StyleArray()
                start.borderId, end.borderId = start_border, end_border
                scratch.cell(row, 1)._style = start
                scratch.cell(row + rows - 1, cols)._style = end
                scratch.merge_cells(start_row=row, start_column=1, end_row=row + rows - 1, end_column=cols)
                for i in range(rows):
                    for j in range(cols):
                        cell = scratch._cells.get((row + i, 1 + j))
                        result = cell._style if cell is not None and cell._style is not None else StyleArray()
                        outcome[start_border, end_border, rows, cols, i, j] = StyleArray(result)
                row += rows + 1
            workbook.remove(scratch)
    return outcome


def _template_with_odd_borders(tmp_path):
    """The shipped template with borders a bureau might draw: thick, dashed, coloured, one side only,
    a side with a colour and no style, no outline."""
    import openpyxl
    from openpyxl.styles import Border, Side

    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    template = openpyxl.load_workbook(template_path(SCORED_FORM_STYLE))
    sheet = template["复核样式"]
    odd = [Border(left=Side("thick"), right=Side("dashed", color="FF0000"), top=Side("thin"), bottom=Side("double")),
           Border(bottom=Side("medium")), Border(right=Side(None, color="00FF00"), top=Side("hair")),
           Border(left=Side("thin"), diagonal=Side("thin"), diagonalUp=True),
           Border(left=Side("thin"), outline=False)]
    for name in ("style_indicator", "style_fund_line", "style_table_header", "style_total"):
        (_, ref), = template.defined_names[name].destinations
        row = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
        for col in range(1, 14):
            sheet.cell(row, col).border = odd[(row + col) % len(odd)]
    path = tmp_path / "odd-borders.xlsx"
    template.save(path)
    return path


@pytest.mark.parametrize("odd", [False, True], ids=["shipped", "odd-borders"])
def test_merged_cell_borders_are_worked_out_as_openpyxl_merges_them(tmp_path, odd):
    from openpyxl.styles.cell_style import StyleArray

    from perfeval_xl.writers._style_template import load_scored_form_style, merge_outcomes
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    path = _template_with_odd_borders(tmp_path) if odd else template_path(SCORED_FORM_STYLE)
    ours, openpyxls = load_scored_form_style(path).workbook, load_scored_form_style(path).workbook
    arrays = {StyleArray(a) for row in load_scored_form_style(path).rows.values() for a in row.cells.values()}
    borders = sorted({array.borderId for array in arrays})
    assert len(borders) > (6 if odd else 2)
    assert merge_outcomes(ours, borders) == _merge_outcomes_by_openpyxl(openpyxls, borders)
    assert list(ours._borders) == list(openpyxls._borders)  # new borders registered under the same ids


def test_department_forms_naming_their_columns_each_their_own_way_keep_their_names(tmp_path, monkeypatch):
    # The writer keeps a header row as drawn by its id; a header freed from a full cache and its id
    # reused drew another form's column names.
    import openpyxl

    from perfeval_xl.writers import scored_form

    monkeypatch.setattr(scored_form, "_DEPARTMENT_HEADERS", {})
    monkeypatch.setattr(scored_form, "_DEPARTMENT_HEADERS_MAX", 2)
    [result] = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures("某局"))).forms
    for edition in range(12):
        result.form.column_labels = {"standard": f"评价标准（第{edition}版）", "note": "指标说明"}
        write_scored_workbook([result], tmp_path / "out.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets[0]
        shown = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("评价标准")]
        assert shown == [f"评价标准（第{edition}版）"]


def _template_with_odd_merges(tmp_path):
    """The template with odd borders, and merged ranges openpyxl binds in less usual ways: over
    cells the file does not hold (no bottom-right cell to take borders from), of one cell, over
    a locked cell of its own protection, on the template's second sheet."""
    import openpyxl
    from openpyxl.styles import Border, Protection, Side

    template = openpyxl.load_workbook(_template_with_odd_borders(tmp_path))
    sheet, notes = template["复核样式"], template.worksheets[1]
    sheet.cell(30, 2).border = Border(left=Side("thick"), top=Side("dotted"))
    sheet.cell(30, 2).protection = Protection(locked=False, hidden=True)
    sheet.merge_cells("B30:E33")  # its bottom-right cell is not in the file
    sheet.cell(35, 3).border = Border(bottom=Side("thin"))
    sheet.merge_cells("C35:C35")
    notes.cell(3, 3).border = Border(right=Side("medium"), bottom=Side("thick"))
    notes.cell(1, 1).border = Border(top=Side("thin"))
    notes.merge_cells("A1:C3")
    path = tmp_path / "odd-merges.xlsx"
    template.save(path)
    return path


def _template_with_merges_written_otherwise(tmp_path):
    """The shipped template, its merged ranges written as no Excel writes them (left to openpyxl)."""
    import zipfile

    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    path = tmp_path / "merges-otherwise.xlsx"
    with zipfile.ZipFile(template_path(SCORED_FORM_STYLE)) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b'<mergeCell ref="B4:F4"/>', b'<mergeCell  ref="B4:F4" />')
            target.writestr(info, data)
    return path


@pytest.mark.parametrize("make", [None, _template_with_odd_borders, _template_with_odd_merges,
                                  _template_with_merges_written_otherwise],
                         ids=["shipped", "odd-borders", "odd-merges", "merges-written-otherwise"])
def test_templates_merges_replayed_on_ids_bind_as_openpyxl_binds_them(tmp_path, make, monkeypatch):
    import openpyxl

    from perfeval_xl.writers import _style_template
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    path = make(tmp_path) if make else template_path(SCORED_FORM_STYLE)
    replayed = _style_template.load_scored_form_style(path, replay_merges=True).workbook
    compiled = _style_template._compile(path)
    monkeypatch.setattr(_style_template, "_load_replaying_merges", openpyxl.load_workbook)
    loaded = _style_template.load_scored_form_style(path, replay_merges=True).workbook
    assert compiled == _style_template._compile(path)  # every part of the compiled template
    for table in ("_borders", "_protections", "_cell_styles"):
        assert list(getattr(replayed, table)) == list(getattr(loaded, table))
    for ours, theirs in zip(replayed.worksheets, loaded.worksheets, strict=True):
        assert ({coordinate: (type(cell), cell._style) for coordinate, cell in ours._cells.items()}
                == {coordinate: (type(cell), cell._style) for coordinate, cell in theirs._cells.items()})
        assert sorted(map(str, ours.merged_cells.ranges)) == sorted(map(str, theirs.merged_cells.ranges))


def test_a_template_of_a_file_type_openpyxl_refuses_is_refused_by_the_fast_writer_too(tmp_path):
    import shutil

    from openpyxl.utils.exceptions import InvalidFileException

    from perfeval_xl.writers._style_template import compiled_scored_form_style
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    odd = tmp_path / "样式.dat"
    shutil.copyfile(template_path(SCORED_FORM_STYLE), odd)
    with pytest.raises(InvalidFileException):  # as openpyxl.load_workbook, the reference writer's loader
        compiled_scored_form_style(odd)


def test_the_templates_merged_ranges_are_bound_in_openpyxls_order():
    import openpyxl

    from perfeval_xl.writers._style_template import _load_replaying_merges
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    path = template_path(SCORED_FORM_STYLE)
    ours, theirs = _load_replaying_merges(path), openpyxl.load_workbook(path)
    for mine, openpyxls in zip(ours.worksheets, theirs.worksheets, strict=True):
        assert [str(r) for r in mine.merged_cells] == [str(r) for r in openpyxls.merged_cells]


def test_the_base_data_specimen_has_a_cell_of_every_role():
    """The compile reads each role's cell format off the specimen: a role it lacks could not be written."""
    from perfeval_xl.writers.base_data_sheet import FORMATS
    from perfeval_xl.writers._style_template import _compile
    from perfeval_xl.writers._templates import SCORED_FORM_STYLE, template_path

    assert set(_compile(template_path(SCORED_FORM_STYLE)).base_data.xfs) == set(FORMATS)


def test_no_row_is_written_taller_than_excel_lets_a_row_be(tmp_path):
    import re
    import zipfile

    from formgen import Row

    reason = "因上级政策调整及施工单位进场延误，" * 200  # 3,400 characters: 4,000 points of wrapped text
    project = good_project(name="超长项目名称" * 60)
    project.rows[1] = Row("产出指标", "质量指标", "健康档案规范化率" * 40, "≥90%", "60%", 15, 15, reason=reason)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_form(inbox / "long.xlsx", project)
    write_department_workbook(inbox / "dept.xlsx", BaseFigures("某局" + "（含下属二级单位）" * 150))
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    heights = {}
    for book in [outbox / "long.scored.xlsx", outbox / "dept.scored.xlsx", outbox / "summary.xlsx"]:
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    found = [float(h) for h in re.findall(rb'<row [^>]*\bht="([\d.]+)"', archive.read(name))]
                    heights[f"{book.name}:{name}"] = max(found, default=0)
    # The long texts' rows are as tall as a row can be, no taller: in each workbook (409 pt is 545.33 pixels,
    # which xlsxwriter rounds down, to 408.75 pt).
    assert all(height <= 409 for height in heights.values()), heights
    for book in ["long.scored.xlsx", "dept.scored.xlsx", "summary.xlsx"]:
        assert max(h for name, h in heights.items() if name.startswith(book)) >= 408.75, heights
    forms = perfeval_xl.score_workbook(inbox / "long.xlsx").forms
    write_scored_workbook(forms, tmp_path / "fast.xlsx")
    write_scored_workbook_openpyxl(forms, tmp_path / "reference.xlsx")
    assert check.compare(tmp_path / "fast.xlsx", tmp_path / "reference.xlsx") is None


def test_a_first_level_weight_written_in_its_label_is_carried_over_to_the_scored_form(tmp_path):
    # forms.md: Anhui's 一级 labels carry weights, "产出指标(50分)"; the scored form showed "产出指标".
    import openpyxl

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_form(inbox / "anhui.xlsx", good_project(), "anhui-2022")
    [form] = perfeval_xl.score_workbook(inbox / "anhui.xlsx").forms
    assert form.form.level1_weights == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert {item.level1 for item in form.items[1:]} == {"产出指标", "效益指标", "满意度指标"}  # as scored
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "anhui.scored.xlsx").active
    shown = {cell.value for cell in sheet["B"] if isinstance(cell.value, str) and cell.value.endswith("分）")}
    assert shown == {"产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"}


def test_an_execution_item_a_bureau_renames_stays_on_the_fund_rows_of_the_scored_form(tmp_path):
    # Its rulebook's execution.name (资金执行率) made the scored form take it for an indicator row.
    import openpyxl

    rulebook = tmp_path / "本局.yaml"
    rulebook.write_text("name: 本局\nextends: mof-2020-project\nexecution: {name: 资金执行率, level1: 资金管理}\n",
                        encoding="utf-8")
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_form(inbox / "a.xlsx", good_project())
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", rules=str(rulebook))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "a.scored.xlsx").active
    rows = {cell.value: cell.row for cell in sheet["B"] if cell.value}
    total_row = rows["年度资金总额"]
    assert "×10=" in sheet.cell(total_row, 11).value  # its 评分依据 there
    assert sheet.cell(total_row, 7).value == 10  # 分值 on the fund rows, not an indicator row
    assert "资金执行率" not in {cell.value for cell in sheet["E"]} and "资金管理" not in {cell.value for cell in sheet["B"]}
