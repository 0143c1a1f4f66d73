"""The department report draft (.docx): the published report's figures, only from the forms."""
from pathlib import Path

import pytest
from docx import Document

import perfeval_xl
from deptgen import BaseFigures, write_department_workbook

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
SEED = CASES / "07_开福区行政审批服务局_部门整体支出.xlsx"


def draft_text(tmp_path: Path, workbook: Path) -> str:
    inbox = tmp_path / "in"
    inbox.mkdir()
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


def test_sections_come_in_the_published_order_and_deductions_are_listed(tmp_path):
    workbook = write_department_workbook(tmp_path / "某局.xlsx", BaseFigures("某局", assets=200, assets_in_use=150))
    text = draft_text(tmp_path, workbook)
    order = [text.index(h) for h in ("一、部门整体支出概况", "二、部门整体支出使用及管理情况",
                                     "三、部门整体支出绩效情况", "四、存在的问题")]
    assert order == sorted(order)
    assert "固定资产利用率：分值5分，复核得分3.75分，扣1.25分。评分依据：150/200=75.00%" in text


def test_a_missing_figure_leaves_its_sentence_out_rather_than_guessing(tmp_path):
    workbook = write_department_workbook(tmp_path / "某局.xlsx", BaseFigures("某局", omit={"支出合计"}))
    text = draft_text(tmp_path, workbook)
    assert "部门整体支出合计" not in text
    assert "编制数12人" in text
