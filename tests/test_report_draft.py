"""The department report draft (.docx): the published report's figures, only from the forms."""
import re
import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from docx import Document

import perfeval_xl
from deptgen import BaseFigures, with_notes, write_department_workbook
from perfeval_xl.values import format_number
from perfeval_xl.writers.report_draft import breakable_formulas, report_paragraphs, write_report_draft

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
SEED = CASES / "07_开福区行政审批服务局_部门整体支出.xlsx"


def draft_text(tmp_path: Path, workbook: Path) -> str:
    inbox = tmp_path / "in"
    inbox.mkdir(parents=True)
    (inbox / workbook.name).write_bytes(workbook.read_bytes())
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1)
    (report,) = batch.files[0].reports
    document = Document(tmp_path / "out" / report)
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/cases is not beside this checkout")
def test_seed_report_figures_are_reproduced(tmp_path):
    text = draft_text(tmp_path, SEED)
    assert "编制数12人，实际在职人数12人" in text
    assert "部门整体支出合计658.73万元，其中：基本支出446.15万元，占67.73%，项目支出212.58万元，占32.27%" in text
    assert "“三公经费”2019年决算5.92万元，预算6.5万元，上年决算6.8万元" in text
    assert "总分95.61分，等级为“优”" in text


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/cases is not beside this checkout")
def test_the_units_own_total_is_given_when_its_rows_are_all_self_scored(tmp_path):
    # The seed leaves the 合计 row's 自评得分 blank; its seventeen rows add up to 98.
    text = draft_text(tmp_path, SEED)
    assert "单位自评98分" in text


def test_a_draft_beside_the_longest_scored_form_name_is_written(tmp_path):
    workbook = write_department_workbook(tmp_path / ("长" * 81 + ".xlsx"), BaseFigures("某局"))
    inbox = tmp_path / "in"
    inbox.mkdir()
    workbook.rename(inbox / workbook.name)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.exit_code == 0, batch.files[0].error
    (report,) = batch.files[0].reports
    assert len(Path(report).name.encode()) <= 255 and (tmp_path / "out" / report).is_file()


def test_sections_come_in_the_published_order_and_deductions_are_listed(tmp_path):
    workbook = write_department_workbook(tmp_path / "某局.xlsx", BaseFigures("某局", assets=200, assets_in_use=150))
    text = draft_text(tmp_path, workbook)
    order = [text.index(h) for h in ("一、部门整体支出概况", "二、部门整体支出使用及管理情况",
                                     "三、部门整体支出绩效情况", "四、存在的问题")]
    assert order == sorted(order)
    assert "固定资产利用率：分值5分，复核得分3.75分，扣1.25分。评分依据：150/200=75.00%" in text


def test_full_marks_of_a_weight_with_more_than_two_places_are_no_deduction(tmp_path):
    # A 分值 cell "=10/3" is read as 3.33333333333333; its full marks are 3.33, which the draft
    # listed as "扣0.00分".
    import dataclasses

    result = department_result(tmp_path, BaseFigures("某局"))
    full = next(item for item in result.items if item.score == item.weight and item.score > 0)
    short = next(item for item in result.items if item.score < item.weight)
    thirds = dataclasses.replace(full, weight=Decimal("10") / 3, score=Decimal("3.33"))
    short_of_thirds = dataclasses.replace(short, weight=Decimal("10") / 3, score=Decimal("3.32"))
    result.items[result.items.index(full)] = thirds
    result.items[result.items.index(short)] = short_of_thirds
    text = draft_paragraphs(result)
    assert f"{thirds.name}：" not in text
    assert f"{short_of_thirds.name}：分值3.33分，复核得分3.32分，扣0.01分。" in text


def test_full_marks_are_the_weight_rounded_to_the_rulebooks_score_places(tmp_path):
    # Full marks were the weight rounded to 2 places whatever the rulebook: at one place a weight of 10/3
    # scores 3.3 in full, and the draft listed it as "分值3.33分，复核得分3.30分，扣0.03分".
    import dataclasses

    figures = BaseFigures("某局")
    one_place = {"name": "本局部门规则", "extends": "hunan-dept", "score_places": 1}
    (result,) = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "dept.xlsx", figures),
                                           rules=one_place).forms
    assert result.score_places == 1
    full = next(item for item in result.items if item.score == item.weight and item.score > 0)
    thirds = dataclasses.replace(full, weight=Decimal("10") / 3, score=Decimal("3.3"))
    result.items[result.items.index(full)] = thirds
    assert f"{thirds.name}：" not in draft_paragraphs(result)
    # The counter-case: at the built-ins' 2 places, 3.3 of 3.33 is short by 0.03.
    assert f"{thirds.name}：分值3.33分，复核得分3.30分，扣0.03分。" in \
        draft_paragraphs(dataclasses.replace(result, score_places=2))


def test_project_spending_is_its_final_amount_never_its_budget(tmp_path):
    blank = write_department_workbook(tmp_path / "甲局.xlsx", BaseFigures("甲局", project=(190.4, 230, None)))
    text = draft_text(tmp_path / "a", blank)
    assert "基本支出446.15万元，占67.73%。" in text and "项目支出230万元" not in text
    lower = write_department_workbook(tmp_path / "乙局.xlsx", BaseFigures("乙局", project=(190.4, 230, None),
                                                                          project_spent=212.58))
    assert "项目支出212.58万元，占32.27%" in draft_text(tmp_path / "b", lower)


def test_a_missing_figure_leaves_its_sentence_out_rather_than_guessing(tmp_path):
    workbook = write_department_workbook(tmp_path / "某局.xlsx", BaseFigures("某局", omit={"支出合计"}))
    text = draft_text(tmp_path, workbook)
    assert "部门整体支出合计" not in text
    assert "编制数12人" in text


def _budget_sentences(tmp_path, **figures) -> list[str]:
    tmp_path.mkdir(exist_ok=True)
    result = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "某局.xlsx", BaseFigures("某局", **figures))).forms[0]
    return [text.split("其中")[0] for kind, text in report_paragraphs(result) if text.startswith(("上年结转", "“三公经费”"))]


def test_a_rate_of_nothing_or_of_less_than_nothing_is_left_out_of_its_sentence(tmp_path):
    # A 年初预算 of 0 printed "追加预算占年初预算的。"; a cut beyond the budget (8.2 + 10 − 20 < 0) a 预算完成率
    # of a sum below 0, where the rules say the rate cannot be computed; a 三公 budget of 0 "决算为预算的。".
    assert _budget_sentences(tmp_path / "a", initial=0, added=10, carried=0, left=0) == [
        "上年结转0万元，年初预算0万元，本年追加预算10万元，年末结余0万元，预算完成率100.00%。",
        "“三公经费”2019年决算5.92万元，预算6.5万元，上年决算6.8万元；较上年减少0.88万元，决算为预算的91.08%。"]
    assert _budget_sentences(tmp_path / "b", initial=10, added=-20, left=0, sangong=(6.8, 0, 5.92)) == [
        "上年结转8.2万元，年初预算10万元，本年追加预算-20万元，年末结余0万元，追加预算占年初预算的-200.00%。",
        "“三公经费”2019年决算5.92万元，预算0万元，上年决算6.8万元；较上年减少0.88万元。"]


def test_the_budget_sentence_keeps_both_rates_when_both_can_be_said(tmp_path):
    # The counter-case: the figures of every sample form.
    assert _budget_sentences(tmp_path)[0] == ("上年结转8.2万元，年初预算640万元，本年追加预算36.5万元，年末结余26万元，"
                                              "预算完成率96.20%；追加预算占年初预算的5.70%。")  # 658.7/684.7; 36.5/640


def test_subsections_are_numbered_in_turn_when_one_is_left_out(tmp_path):
    # Without 本年追加预算 (预算执行情况 left out) the next subsection began at （二）.
    result = perfeval_xl.score_workbook(write_department_workbook(
        tmp_path / "某局.xlsx", BaseFigures("某局", omit={"本年追加预算"}))).forms[0]
    subheadings = [text for kind, text in report_paragraphs(result) if kind == "subheading"]
    assert subheadings == ["（一）“三公经费”控制情况", "（二）公用经费控制情况", "（三）政府采购执行情况",
                           "（四）资产管理情况"]


def reference_draft(result, path: Path) -> None:
    """The draft built with python-docx, as the writer did before it rendered document.xml itself."""
    from perfeval_xl.writers._report_template import add_score_table, keep_row_whole, set_up_document

    document = Document()
    set_up_document(document)
    n, n2 = format_number, lambda value: f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    headers = ["一级指标", "二级指标", "三级指标", "分值", "自评得分", "复核得分", "评分依据"]
    for kind, text in report_paragraphs(result):
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "heading":
            document.add_heading(text, level=1)
        elif kind == "subheading":
            document.add_heading(text, level=2)
        elif kind == "table":
            table = add_score_table(document, len(headers))
            for cell, text in zip(table.rows[0].cells, headers):
                cell.text = text
            for item in result.items:
                values = [item.level1, item.level2, item.name, n(item.weight),
                          n2(item.self_score) if item.self_score is not None else "", n2(item.score),
                          breakable_formulas(item.basis)]
                row = table.add_row()
                keep_row_whole(row)
                for cell, text in zip(row.cells, values):
                    cell.text = text
            row = table.add_row()
            keep_row_whole(row)
            totals = row.cells
            totals[0].text = "合计"
            totals[3].text = n(sum((i.weight for i in result.items), Decimal(0)))
            totals[4].text = n2(result.self_total) if result.self_total is not None else ""
            totals[5].text = n2(result.total)
            totals[6].text = f"等级：{result.grade}"
        else:
            document.add_paragraph(text)
    document.save(path)


def department_result(tmp_path: Path, figures: BaseFigures):
    (result,) = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "dept.xlsx", figures)).forms
    return result


def parts(path: Path) -> dict[str, bytes]:
    """Every part of a package but its properties (docProps/core.xml: a draft's own, made when it is
    written; see test_a_drafts_properties_say_perfeval_xl_made_it_now)."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


@pytest.mark.parametrize("figures", [
    BaseFigures("某局"),
    BaseFigures("某局", omit={"支出合计", "三公经费"}),
    BaseFigures("某局 & <分局>", assets=200, assets_in_use=150),
], ids=["full", "missing-figures", "escaped-unit"])
def test_draft_is_the_package_python_docx_saves(tmp_path, figures):
    result = department_result(tmp_path, figures)
    write_report_draft(result, tmp_path / "fast.docx")
    reference_draft(result, tmp_path / "reference.docx")
    fast, reference = parts(tmp_path / "fast.docx"), parts(tmp_path / "reference.docx")
    assert list(fast) == list(reference)
    for name in reference:
        assert fast[name] == reference[name], name


def test_tabs_breaks_and_blanks_in_unit_text_are_written_as_python_docx_does(tmp_path):
    result = department_result(tmp_path, BaseFigures("某局"))
    result.items[0].basis = "  缩进的依据\t制表\n换行\r\n回车 "
    result.items[0].reason = "\t"
    result.items[1].name = "A&B <C> “D”"
    result.items[1].basis = ""
    write_report_draft(result, tmp_path / "fast.docx")
    reference_draft(result, tmp_path / "reference.docx")
    assert parts(tmp_path / "fast.docx") == parts(tmp_path / "reference.docx")


def test_control_characters_are_dropped_rather_than_breaking_the_document(tmp_path):
    result = department_result(tmp_path, BaseFigures("某局"))
    result.items[0].basis = "依据\x00\x07说明\x1f"
    write_report_draft(result, tmp_path / "draft.docx")
    cells = [cell.text for table in Document(tmp_path / "draft.docx").tables for row in table.rows
             for cell in row.cells]
    assert "依据说明" in cells


def test_the_shipped_prototype_is_the_one_python_docx_writes(tmp_path):
    """templates/报告初稿原型.docx must be regenerated (build_templates.py) when the draft's look changes."""
    from perfeval_xl.writers._report_template import PROTOTYPE, prototype_package
    from perfeval_xl.writers._templates import template_path
    from perfeval_xl.writers.report_draft import SCORE_TABLE_HEADERS

    (tmp_path / "fresh.docx").write_bytes(prototype_package(len(SCORE_TABLE_HEADERS)))
    assert parts(template_path(PROTOTYPE)) == parts(tmp_path / "fresh.docx")


def test_drafts_need_no_python_docx_at_run_time(tmp_path):
    """Importing python-docx and building the prototype cost a worker ~0.2 s; the shipped one is used."""
    import subprocess
    import sys

    code = ("import sys; from perfeval_xl.writers._report_template import report_template; "
            "report_template(7); print('docx' in sys.modules)")
    repo = Path(__file__).resolve().parents[1]
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo, check=True)
    assert shown.stdout.strip() == "False"


def test_a_drafts_properties_say_perfeval_xl_made_it_now(tmp_path):
    # They were the prototype's: "python-docx", "generated by python-docx", 2013.
    import datetime

    from docx import Document

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_department_workbook(inbox / "dept.xlsx", BaseFigures("某局"))
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    [draft] = (tmp_path / "out").glob("*.docx")
    properties = Document(draft).core_properties
    assert (properties.author, properties.title) == ("perfeval-xl", "某局2019年部门整体支出绩效评价报告（初稿）")
    assert "perfeval-xl" in properties.comments and "python-docx" not in properties.comments
    age = datetime.datetime.now(datetime.timezone.utc) - properties.created.replace(tzinfo=datetime.timezone.utc)
    assert datetime.timedelta(0) <= age < datetime.timedelta(minutes=5)


def test_a_draft_is_set_up_as_a_chinese_report_is_printed(tmp_path):
    # python-docx's own: US Letter, blue Calibri headings, en-US, seven equal columns (评分依据 four
    # characters wide), and the table after 四、存在的问题 though 三 says "见下表".
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    write_report_draft(department_result(tmp_path, BaseFigures("某局")), tmp_path / "draft.docx")
    document = Document(tmp_path / "draft.docx")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        assert style.font.color.rgb == RGBColor(0, 0, 0) and style.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    language = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")) \
        .find(qn("w:lang"))
    assert language.get(qn("w:eastAsia")) == "zh-CN"
    body = [element for element in document.element.body if element.tag in (qn("w:p"), qn("w:tbl"))]
    texts = ["".join(node.text or "" for node in element.iter(qn("w:t"))) if element.tag == qn("w:p") else "<表>"
             for element in body]
    table_at = texts.index("<表>")
    assert texts[table_at - 1].endswith("各项指标得分见下表。") and texts[table_at + 1] == "四、存在的问题"
    [table] = document.tables
    widths = [cell.width.twips for cell in table.rows[1].cells]
    assert widths[-1] == max(widths) and (widths[-1] - 216) // 240 >= 6  # the 评分依据 the widest: 6 characters a line
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page


def _two_departments_workbook(path: Path, first: str, second: str) -> Path:
    from openpyxl import Workbook

    from deptgen import HUNAN_ROWS, write_base_sheet, write_scoring_sheet

    wb = Workbook()
    wb.remove(wb.active)
    for unit in (first, second):
        write_base_sheet(wb.create_sheet(f"{unit}基础数据表"), BaseFigures(unit))
        write_scoring_sheet(wb.create_sheet(f"{unit}指标评分表"), unit, HUNAN_ROWS)
    wb.save(path)
    return path


def test_each_department_form_of_every_input_gets_a_draft_of_its_own(tmp_path):
    # "X.xlsx" of 甲局 and 乙局 wrote "X.甲局.报告初稿.docx", the name the draft of "X.甲局.xlsx"
    # (one form, 丙局) had too: one overwrote the other, and every rerun scored one of them again.
    inbox = tmp_path / "in"
    inbox.mkdir()
    _two_departments_workbook(inbox / "X.xlsx", "甲局", "乙局")
    write_department_workbook(inbox / "X.甲局.xlsx", BaseFigures("丙局"))
    _two_departments_workbook(inbox / "Y.xlsx", "丁局", "丁局")  # one unit's forms copied twice
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    reports = {file.file: list(file.reports) for file in batch.files}
    assert reports == {"X.xlsx": ["X.报告初稿.甲局.docx", "X.报告初稿.乙局.docx"],
                       "X.甲局.xlsx": ["X.甲局.报告初稿.docx"],
                       "Y.xlsx": ["Y.报告初稿.丁局.docx", "Y.报告初稿.丁局（2）.docx"]}
    assert "丙局" in "".join(p.text for p in Document(tmp_path / "out" / "X.甲局.报告初稿.docx").paragraphs)
    assert perfeval_xl.score_folder(inbox, out=tmp_path / "out").reused == 3  # nothing left to settle


def test_two_long_names_differing_at_their_end_make_two_drafts(tmp_path):
    from perfeval_xl.writers.report_draft import draft_name

    first, second = "长" * 80 + "甲", "长" * 80 + "乙"
    assert draft_name(first) != draft_name(second)
    assert all(len(draft_name(stem).encode()) <= 255 and draft_name(stem).endswith(".报告初稿.docx")
               for stem in (first, second))
    assert draft_name("某局") == "某局.报告初稿.docx"  # a name that fits is not touched


def score_table(path: Path):
    """The draft's score table (python-docx's view)."""
    [table] = Document(path).tables
    return table


def cell_texts(path: Path) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in score_table(path).rows]


def test_score_columns_hold_their_header_and_their_numbers_and_leave_the_basis_room(tmp_path):
    # At 560 / 650 / 650 twips the headers stood one character a line and "10.00" printed as "10." over
    # "00"; at 1,150 / 1,200 / 1,200 the 评分依据 had six characters a line.
    from docx.oxml.ns import qn

    write_report_draft(department_result(tmp_path, BaseFigures("某局")), tmp_path / "draft.docx")
    document = Document(tmp_path / "draft.docx")
    section = document.sections[0]
    assert document.styles["Normal"].font.size.pt == 12  # the table's text: an em is 240 twips
    em, cell_margins, widest_digit = 240, 2 * 108, 0.64  # Table Grid's margins; 宋体's digits 0.5 em, DejaVu Sans's 0.636
    [table] = document.tables
    grid = [int(column.get(qn("w:w"))) for column in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    room = dict(zip((cell.text for cell in table.rows[0].cells), (width - cell_margins for width in grid)))
    assert room["分值"] >= 2 * em and room["分值"] >= 3 * widest_digit * em  # "分值" on a line, "100"
    for header in ("自评得分", "复核得分"):  # the header in two lines, "10.00" on one (and "100.00" in 宋体)
        assert room[header] >= 2 * em and room[header] >= 5 * widest_digit * em and room[header] >= 6 * 0.5 * em
    assert room["评分依据"] >= 9 * em
    assert sum(grid) == section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    assert grid[:3] == [800, 900, 1400]  # the names' columns kept theirs: the width came from the 评分依据


def test_no_row_of_the_score_table_breaks_across_pages_and_the_header_repeats(tmp_path):
    # Split, the 合计 row printed "95." at the foot of one page and "61" at the head of the next.
    from docx.oxml.ns import qn

    write_report_draft(department_result(tmp_path, BaseFigures("某局")), tmp_path / "draft.docx")
    rows = [row._tr for row in score_table(tmp_path / "draft.docx").rows]
    assert all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
    repeated = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in rows]
    assert repeated == [True] + [False] * (len(rows) - 1)  # the header only, not every row


def test_both_scores_show_two_decimals_and_a_blank_self_score_stays_blank(tmp_path):
    # 自评得分 showed the unit's 5 and 4.5 beside the 复核得分 5.00 and 4.50.
    result = department_result(tmp_path, BaseFigures("某局"))
    write_report_draft(result, tmp_path / "full.docx")
    assert cell_texts(tmp_path / "full.docx")[-1][:6] == ["合计", "", "", "100", "98.00", "95.61"]
    result.items[1].self_score, result.items[2].self_score = Decimal("4.5"), None
    write_report_draft(result, tmp_path / "draft.docx")
    rows = cell_texts(tmp_path / "draft.docx")
    # 分值 stays as the form writes it; the 合计 of a unit that left an item blank stays blank too.
    assert [row[3:6] for row in rows[1:4]] == [["5", "5.00", "5.00"], ["5", "4.50", "5.00"], ["5", "", "4.00"]]
    assert rows[-1][3:6] == ["100", "", "95.61"]


def draft_paragraphs(result) -> str:
    return "\n".join(text for _, text in report_paragraphs(result))


def test_the_draft_names_the_rulebook_by_its_title_not_its_id(tmp_path):
    # It said 按“hunan-dept”评分规则复核: the rulebook's id, which no officer's report would write.
    text = draft_paragraphs(department_result(tmp_path, BaseFigures("某局")))
    assert "按“部门整体支出绩效评价（湖南省指标体系）”评分规则复核，总分95.61分" in text
    assert "hunan-dept" not in text
    own = {"name": "本局部门规则", "extends": "hunan-dept", "title": "某市部门整体支出绩效评价办法"}
    (result,) = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "own.xlsx", BaseFigures("某局")),
                                           rules=own).forms
    assert (result.rulebook, result.rulebook_title) == ("本局部门规则", "某市部门整体支出绩效评价办法")
    assert "按“某市部门整体支出绩效评价办法”评分规则复核" in draft_paragraphs(result)
    # One that writes no title of its own is named by its name, the title it was given after it.
    del own["title"]
    (result,) = perfeval_xl.score_workbook(tmp_path / "own.xlsx", rules=own).forms
    assert "按“本局部门规则（在hunan-dept基础上修改）”评分规则复核" in draft_paragraphs(result)


def test_a_result_without_the_rulebooks_title_names_it_by_its_id(tmp_path):
    # One pickled before FormResult carried the title, or built by a caller, still drafts.
    import pickle

    result = department_result(tmp_path, BaseFigures("某局"))
    del result.__dict__["rulebook_title"]
    restored = pickle.loads(pickle.dumps(result))
    assert restored.rulebook_title == ""
    assert "按“hunan-dept”评分规则复核" in draft_paragraphs(restored)


def paragraphs_between(result, first: str, last: str) -> list[str]:
    """The draft's paragraphs (the score table as "表") after the heading ``first`` and before ``last``."""
    texts = [text or "表" for _, text in report_paragraphs(result)]
    return texts[texts.index(first) + 1:texts.index(last)]


def test_the_units_notes_are_carried_into_the_draft_beside_the_figures_they_qualify(tmp_path):
    # The scored form carries them where the unit wrote them; the draft left them out, and the officer
    # writing the report lost "注：政府采购金额含服务类采购。".  The F2's close the overview, where its
    # figures are first given; the F3's follow the score table, its signature left out.
    (result,) = perfeval_xl.score_workbook(with_notes(write_department_workbook(tmp_path / "dept.xlsx",
                                                                                 BaseFigures("某局")))).forms
    assert paragraphs_between(result, "一、部门整体支出概况", "二、部门整体支出使用及管理情况")[-4:] == [
        "单位在基础数据表中注明：", "备注：本表由财务科填报。", "说明：编制数为年末核定数。", "注：政府采购金额含服务类采购。"]
    assert paragraphs_between(result, "三、部门整体支出绩效情况", "四、存在的问题")[1:] == [
        "表", "单位在指标评分表中注明：", "说明：自评得分保留一位小数。", "注：", "1、定性指标由单位自评；",
        "2、定量指标按基础数据表计算。"]
    write_report_draft(result, tmp_path / "fast.docx")  # as python-docx would write them
    reference_draft(result, tmp_path / "reference.docx")
    assert parts(tmp_path / "fast.docx") == parts(tmp_path / "reference.docx")


def test_a_form_without_notes_gets_no_notes_paragraph(tmp_path):
    result = department_result(tmp_path, BaseFigures("某局"))
    assert "注明" not in draft_paragraphs(result)
    assert paragraphs_between(result, "三、部门整体支出绩效情况", "四、存在的问题")[1:] == ["表"]


def test_a_signature_or_a_line_after_it_is_no_note():
    from perfeval_xl.labels import notes_among

    footer = ["单位负责人：王五　　填表人：李四", "说明：以上数据经审核。", "1、含下属单位；", "填表日期：2024-03-15",
              "2、这一行不在说明之下", "注　　另见附件"]
    assert notes_among(footer) == ["说明：以上数据经审核。", "1、含下属单位；", "注　　另见附件"]


#: A break or a joiner the draft puts into a 评分依据 (ZERO WIDTH SPACE, WORD JOINER): shown as nothing.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060"))


def test_a_formula_in_the_basis_column_may_break_between_its_terms_but_never_inside_a_number(tmp_path):
    # The column's line is shorter than "182.3/212.58=85.76%，" and a formula had no place to break:
    # it broke where the line ran out, "85.7" over "6%", "9" over "6.20%", "=-" over "4.41%".
    result = department_result(tmp_path, BaseFigures("某局"))
    write_report_draft(result, tmp_path / "draft.docx")
    bases = [row[-1] for row in cell_texts(tmp_path / "draft.docx")[1:-1]]
    assert [basis.translate(INVISIBLE) for basis in bases] == [item.basis for item in result.items]  # reads the same
    assert "182.3/\u200b212.58=\u200b85.76%" in bases[2] and "6.8=\u200b-\u20604.41%" in bases[1]
    assert not any(re.search("[\\d.]\u200b[\\d.%]", basis) for basis in bases)  # no break inside a number


def test_words_and_the_reports_own_paragraphs_are_left_as_they_are(tmp_path):
    assert breakable_formulas("自评指标：采用自评得分5.00") == "自评指标：采用自评得分5.00"
    assert breakable_formulas("已完成（2019年12月）") == "已完成（2019年12月）"
    text = draft_paragraphs(department_result(tmp_path, BaseFigures("某局")))
    assert "\u200b" not in text and "\u2060" not in text  # a page's line is long enough for a formula


def test_numbers_are_in_english_and_chinese_in_chinese(tmp_path):
    # zh-CN for the numbers too made LibreOffice break them anywhere, as it breaks Chinese; Chinese
    # Word sets a document up so.
    from docx.oxml.ns import qn

    write_report_draft(department_result(tmp_path, BaseFigures("某局")), tmp_path / "draft.docx")
    styles = Document(tmp_path / "draft.docx").styles.element
    language = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert (language.get(qn("w:val")), language.get(qn("w:eastAsia"))) == ("en-US", "zh-CN")


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and pdftotext are not installed")
def test_libreoffice_prints_the_basis_column_without_breaking_a_number(tmp_path):
    # Items scored in full are only in the table, not under 四、存在的问题: their numbers are read in
    # the table's lines alone.
    write_report_draft(department_result(tmp_path, BaseFigures("某局")), tmp_path / "draft.docx")
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "draft.docx")],
                   capture_output=True, timeout=300, check=True)
    lines = subprocess.run(["pdftotext", "-layout", str(tmp_path / "draft.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    for number in ("-4.41%", "96.20%", "100.00%", "91.08%", "98.59%"):
        assert number in lines.translate(INVISIBLE), number
