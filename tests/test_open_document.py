"""OpenDocument spreadsheets (.ods), as LibreOffice and domestic office suites save forms: read
as the .xlsx they were saved from, and screened as strictly."""
import zipfile
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

import perfeval_xl
import hostile
from deptgen import BaseFigures, write_department_workbook
from formgen import Formula, Row, write_form
from odsgen import MIMETYPE, ods_twin, write_ods


def _with_content(ods, target, content: str):
    """A copy of the .ods at ``ods`` whose content.xml is ``content``."""
    with zipfile.ZipFile(ods) as source, zipfile.ZipFile(target, "w") as archive:
        for member in source.infolist():
            data = content.encode() if member.filename == "content.xml" else source.read(member)
            archive.writestr(member, data)
    return target


def _scores(result):
    """What an officer reads of a result: per form its total and grade, per item the score, the
    basis and the flags (cells named, the file's name left out)."""
    return [(form.total, form.grade, [(item.name, item.score, item.basis, [str(flag) for flag in item.flags])
                                      for item in form.items],
             sorted(str(flag).replace(result.file, "FILE") for flag in form.flags)) for form in result.forms]


@pytest.mark.parametrize("layout", ["national-2020", "anhui-2022", "beijing-2016", "sichuan-2023"])
def test_an_ods_form_scores_as_the_xlsx_it_was_saved_from(tmp_path, layout):
    xlsx = write_form(tmp_path / "form.xlsx", hostile.good_project(), layout, extra_rows_above=2, col_offset=1)
    ods = ods_twin(xlsx, tmp_path / "form.ods")
    read_as_xlsx, read_as_ods = perfeval_xl.score_workbook(xlsx), perfeval_xl.score_workbook(ods)
    assert read_as_ods.status == "ok"
    assert _scores(read_as_ods) == _scores(read_as_xlsx)


def test_an_ods_department_workbook_pairs_its_two_sheets_as_the_xlsx_does(tmp_path):
    xlsx = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures("某区城市管理局"))
    read_as_ods = perfeval_xl.score_workbook(ods_twin(xlsx, tmp_path / "dept.ods"))
    assert [form.kind for form in read_as_ods.forms] == ["department"]
    assert _scores(read_as_ods) == _scores(perfeval_xl.score_workbook(xlsx))


def test_an_ods_percentage_is_the_percent_it_shows(tmp_path):
    # Stored as 0.92 with office:value-type="percentage"; calamine gives the bare 0.92.
    xlsx = write_form(tmp_path / "form.xlsx", hostile.good_project(), number_formats={0.92: "0%"})
    [form] = perfeval_xl.score_workbook(ods_twin(xlsx, tmp_path / "form.ods")).forms
    [item] = [item for item in form.items if item.name == "健康档案规范化率"]
    assert (item.actual, item.score) == ("92%", 15)


def test_an_inbox_scores_ods_files_beside_xlsx_and_names_the_scored_form_after_the_input(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    xlsx = hostile.write_good(tmp_path / "form.xlsx")
    ods_twin(xlsx, inbox / "某局自评表.ods")
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses == {"某局自评表.ods": "ok"}
    assert (tmp_path / "out" / "某局自评表.ods.scored.xlsx").is_file()
    assert str(batch.files[0].forms[0].total) == hostile.GOOD_TOTAL


def test_a_hidden_ods_sheet_gives_way_to_a_visible_form(tmp_path):
    xlsx = hostile.write_good(tmp_path / "form.xlsx")
    visible = ods_twin(xlsx, tmp_path / "visible.ods")
    with zipfile.ZipFile(visible) as archive:
        content = archive.read("content.xml").decode()
    # The same form twice, the first copy hidden and holding other figures.
    table = content[content.index("<table:table "):content.index("</table:table>") + len("</table:table>")]
    hidden = table.replace("<table:table ", '<table:table table:style-name="hidden" ', 1).replace(
        'table:name="', 'table:name="旧', 1).replace(">5200<", ">100<").replace('"5200"', '"100"')
    both = _with_content(visible, tmp_path / "both.ods", content.replace(table, hidden + table))
    result = perfeval_xl.score_workbook(both)
    assert [form.form.sheet for form in result.forms] == [form.form.sheet for form in
                                                          perfeval_xl.score_workbook(visible).forms]


def test_an_ods_named_xlsx_is_read_as_the_ods_it_is(tmp_path):
    xlsx = hostile.write_good(tmp_path / "form.xlsx")
    renamed = ods_twin(xlsx, tmp_path / "改了扩展名.xlsx.tmp").rename(tmp_path / "改了扩展名.xlsx")
    assert str(perfeval_xl.score_workbook(renamed).forms[0].total) == hostile.GOOD_TOTAL


def test_an_entity_declaration_anywhere_in_the_prolog_is_refused(tmp_path):
    padded = "<!--" + " " * 8000 + '--><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    ods = write_ods(tmp_path / "laughs.ods", {"表": {"rows": [["项目名称", "x"]]}}, prolog=padded)
    with pytest.raises(perfeval_xl.WorkbookError, match="XML实体声明"):
        perfeval_xl.score_workbook(ods)


def test_a_value_repeated_down_a_million_rows_is_refused_before_the_parser(tmp_path):
    # LibreOffice repeats a sheet's empty tail a million times (read as nothing); a repeated value
    # would have calamine build the whole area.
    ods = write_ods(tmp_path / "far.ods", {"表": {"rows": [["项目名称", "x"]]}})
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    far = content.replace('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                          'table:number-columns-repeated="1024"/>',
                          '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                          'table:number-columns-repeated="1024" office:value-type="float" office:value="1"/>')
    assert far != content
    with pytest.raises(perfeval_xl.WorkbookError, match="工作表“表”的数据区域异常大（1048001行×1024列）"):
        perfeval_xl.score_workbook(_with_content(ods, tmp_path / "far2.ods", far))


def test_an_ods_without_its_content_says_it_is_damaged(tmp_path):
    path = tmp_path / "empty.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", MIMETYPE, zipfile.ZIP_STORED)
    with pytest.raises(perfeval_xl.WorkbookError, match="^“empty.ods”：文件已损坏：OpenDocument表格缺少content.xml$"):
        perfeval_xl.score_workbook(path)


def test_a_password_protected_ods_says_so_and_not_that_it_is_damaged(tmp_path):
    ods = ods_twin(hostile.write_good(tmp_path / "form.xlsx"), tmp_path / "form.ods")
    locked = tmp_path / "locked.ods"
    with zipfile.ZipFile(ods) as source, zipfile.ZipFile(locked, "w") as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "META-INF/manifest.xml":  # as LibreOffice declares an encrypted part
                data = data.replace(b'manifest:media-type="text/xml"/>', b'manifest:media-type="text/xml">'
                                    b'<manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry>')
            elif member.filename == "content.xml":
                data = bytes(byte ^ 0x5A for byte in data)  # encrypted: not deflate data any more
            archive.writestr(member, data)
    with pytest.raises(perfeval_xl.WorkbookError, match="^“locked.ods”：文件已加密（OpenDocument密码保护），无法读取"):
        perfeval_xl.score_workbook(locked)


def test_an_ods_error_value_and_a_formula_never_calculated_are_flagged_as_in_an_xlsx(tmp_path):
    # calamine gives both as an empty cell: they read as "not filled in", and the unit was told so.
    project = hostile.good_project()
    project.rows[0] = Row("产出指标", "数量指标", "家庭医生签约人数", "≥5000人", Formula("=B30*2"), 20, 20)
    xlsx = write_form(tmp_path / "form.xlsx", project)
    book = load_workbook(xlsx)
    next(c for row in book.active.iter_rows() for c in row if c.value == "92%").value = "#DIV/0!"
    book.save(xlsx)
    read_as_xlsx = perfeval_xl.score_workbook(xlsx)
    read_as_ods = perfeval_xl.score_workbook(ods_twin(xlsx, tmp_path / "form.ods"))
    assert _scores(read_as_ods) == _scores(read_as_xlsx)
    flags = [str(flag) for item in read_as_ods.forms[0].items for flag in item.flags]
    assert any("未计算的公式" in flag for flag in flags) and any("#DIV/0!" in flag for flag in flags)


def test_libreoffices_own_error_spelling_is_flagged_and_a_comment_on_the_cell_is_not_read_into_it(tmp_path):
    # "Err:522" (a circular reference) read as an empty cell: the unit was told to fill a score it had.
    ods = ods_twin(hostile.write_good(tmp_path / "form.xlsx"), tmp_path / "form.ods")
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    first = content.index('office:value-type="float" office:value="20"')  # the first indicator's 分值
    cell_start = content.rindex("<table:table-cell", 0, first)
    cell_end = content.index("</table:table-cell>", first) + len("</table:table-cell>")
    errors = (content[:cell_start] + '<table:table-cell table:formula="of:=[.G14]" office:value-type="string" '
              'office:string-value="" calcext:value-type="error"><office:annotation><text:p>已核</text:p>'
              "</office:annotation><text:p>Err:522</text:p></table:table-cell>" + content[cell_end:])
    result = perfeval_xl.score_workbook(_with_content(ods, tmp_path / "errors.ods", errors))
    flags = [str(flag) for item in result.forms[0].items for flag in item.flags]
    assert any(flag.startswith("分值单元格为错误值Err:522，") for flag in flags), flags


@pytest.mark.parametrize("order", ["mimetype-last", "mimetype-deflated", "no-mimetype"])
def test_an_ods_zipped_again_by_another_tool_is_read(tmp_path, order):
    # Unzipped and zipped again (zip -r): the mimetype not first, compressed or gone.  It was refused
    # as "not an Excel workbook", though LibreOffice opens it.
    ods = ods_twin(hostile.write_good(tmp_path / "form.xlsx"), tmp_path / "form.ods")
    rezipped = tmp_path / f"{order}.ods"
    with zipfile.ZipFile(ods) as source, zipfile.ZipFile(rezipped, "w", zipfile.ZIP_DEFLATED) as archive:
        members = [m for m in source.infolist() if m.filename != "mimetype"]
        if order == "mimetype-deflated":
            archive.writestr("mimetype", MIMETYPE)
        for member in members:
            archive.writestr(member.filename, source.read(member))
        if order == "mimetype-last":
            archive.writestr("mimetype", MIMETYPE, zipfile.ZIP_STORED)
    assert str(perfeval_xl.score_workbook(rezipped).forms[0].total) == hostile.GOOD_TOTAL


def test_an_xlsx_behind_an_odf_mimetype_is_screened_as_the_xlsx_it_is(tmp_path):
    # calamine reads such a package as an .xlsx; unscreened, a far cell in it aborted the process.
    far = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "far.xlsx", hostile.far_cell)
    hybrid = tmp_path / "hybrid.ods"
    with zipfile.ZipFile(far) as source, zipfile.ZipFile(hybrid, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", MIMETYPE, zipfile.ZIP_STORED)
        for member in source.infolist():
            archive.writestr(member.filename, source.read(member))
    with pytest.raises(perfeval_xl.WorkbookError, match="数据区域异常大"):
        perfeval_xl.score_workbook(hybrid)


def test_a_text_box_drawn_over_a_cell_is_not_read_into_it(tmp_path):
    # A "已复核" box over the 得分 header, anchored to its cell: calamine read the header as "得分\n已复核",
    # the 得分 column was not found and every self-score was lost.
    xlsx = hostile.write_good(tmp_path / "form.xlsx")
    ods = ods_twin(xlsx, tmp_path / "form.ods")
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    header = '<table:table-cell office:value-type="string"><text:p>得分</text:p>'
    assert header in content
    # A group holding a group and a text box (drawings nest: a pattern per element left "</draw:g>" behind).
    stamped = content.replace(header, '<table:table-cell office:value-type="string"><draw:g '
                                      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"><draw:g>'
                                      '<draw:rect/></draw:g><draw:custom-shape draw:name="stamp"><text:p>已复核</text:p>'
                                      '</draw:custom-shape></draw:g><text:p>得分</text:p>')
    result = perfeval_xl.score_workbook(_with_content(ods, tmp_path / "stamped.ods", stamped))
    assert _scores(result) == _scores(perfeval_xl.score_workbook(xlsx))
    assert result.forms[0].form.self_total == perfeval_xl.score_workbook(xlsx).forms[0].form.self_total is not None


def test_an_ods_number_shown_with_words_is_read_as_shown(tmp_path):
    # LibreOffice writes a formatted number's shown text as its paragraph ("≤5万元" for 5 in a
    # "≤"0"万元" cell); calamine gives the bare 5: no operator, no unit, full marks for an overspent 5.5.
    project = hostile.good_project()
    project.rows[1] = Row("产出指标", "成本指标", "设备维护成本", 5, 5.5, 15, 15)
    xlsx = write_form(tmp_path / "form.xlsx", project, number_formats={5: '"≤"0"万元"', 5.5: '0.0"万元"'})
    ods = ods_twin(xlsx, tmp_path / "form.ods")
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    shown = content.replace('office:value="5"><text:p>5</text:p>',
                            'office:value="5" table:style-name="ce1"><text:p>≤5万元</text:p>', 1)
    shown = shown.replace('office:value="5.5"><text:p>5.5</text:p>',
                          'office:value="5.5" table:style-name="ce2"><text:p>5.5万元</text:p>', 1)
    assert shown.count("万元</text:p>") == 2
    [form] = perfeval_xl.score_workbook(_with_content(ods, tmp_path / "shown.ods", shown)).forms
    [item] = [item for item in form.items if item.name == "设备维护成本"]
    assert (item.target, item.actual, item.score) == ("≤5万元", "5.5万元", D("13.64"))
    assert _scores(perfeval_xl.score_workbook(xlsx)) == _scores(perfeval_xl.score_workbook(tmp_path / "shown.ods"))


def test_a_repeated_merged_cell_makes_no_merged_ranges(tmp_path):
    # One cell element repeated 256 times declared 256 ranges: a few bytes made the merge index slow.
    ods = write_ods(tmp_path / "merges.ods", {"表": {"rows": [["项目名称", "x"]]}})
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    repeated = content.replace('<table:table-cell table:number-columns-repeated="1000"/>',
                               '<table:table-cell table:number-columns-repeated="16" table:number-rows-spanned="2" '
                               'table:number-columns-spanned="2" office:value-type="string"><text:p>x</text:p>'
                               "</table:table-cell>", 1)
    assert repeated != content
    from perfeval_xl.readers.grid import load_grids

    [grid] = load_grids(_with_content(ods, tmp_path / "repeated.ods", repeated))
    assert grid.merged == []


def test_a_logical_result_libreoffice_saved_as_a_number_reads_as_in_the_xlsx(tmp_path):
    # LibreOffice keeps TRUE as the number 1 shown "TRUE" (a TRUE from an .xlsx becomes =TRUE()); read
    # as 1, a TRUE typed as a self-score was accepted as 1 point in the .ods, while its .xlsx and .xls
    # said "自评得分“TRUE”不是数字".  A formula whose result is 1 shown as 1 stays the number 1.
    project = hostile.good_project()
    project.rows[0] = Row("产出指标", "数量指标", "家庭医生签约人数", "≥5000人", "5200人", 20, True)
    project.rows[3] = Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, 1, "部分达成")
    xlsx = write_form(tmp_path / "form.xlsx", project)
    with zipfile.ZipFile(ods_twin(xlsx, tmp_path / "twin.ods")) as archive:
        content = archive.read("content.xml").decode()
    typed_true = ('office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p>',
                  'table:formula="of:=TRUE()" office:value-type="float" office:value="1" '
                  'calcext:value-type="float"><text:p>TRUE</text:p>')
    one = ('office:value-type="float" office:value="1"><text:p>1</text:p>',
           'table:formula="of:=2-1" office:value-type="float" office:value="1" calcext:value-type="float">'
           '<text:p>1</text:p>')
    for written, as_libreoffice_saves_it in (typed_true, one):
        assert content.count(written) == 1
        content = content.replace(written, as_libreoffice_saves_it)
    read_as_ods = perfeval_xl.score_workbook(_with_content(tmp_path / "twin.ods", tmp_path / "form.ods", content))
    read_as_xlsx = perfeval_xl.score_workbook(xlsx)
    assert _scores(read_as_ods) == _scores(read_as_xlsx)
    items = {item.name: item for item in read_as_ods.forms[0].items}
    assert any("“TRUE”不是数字" in str(flag) for flag in items["家庭医生签约人数"].flags)
    assert items["居民健康素养水平"].self_score == D("1")
