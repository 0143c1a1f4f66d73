"""The blank forms `perfeval-xl templates` hands out can be filled in and scored as they are."""
from decimal import Decimal

from click.testing import CliRunner
from openpyxl import load_workbook

import perfeval_xl
from perfeval_xl.cli import main

F2_FIGURES = {  # the seed figures of 开福区行政审批服务局 2019 (scoring.md §5), 万元
    "三公经费": (6.8, 6.5, 5.92), "项目支出": (190.4, 230.0, 212.58), "公用经费": (61.3, 64.0, 63.1),
    "政府采购金额": (35.0, 42.0, 40.6), "上年结转": (None, 8.2, None), "年初预算": (None, 640.0, None),
    "本年追加预算": (None, 36.5, None), "年末结余": (None, None, 26.0), "基本支出": (None, None, 446.15),
    "支出合计": (None, None, 658.73), "重点支出": (None, None, 182.3), "固定资产总额": (None, None, 310.0),
    "在用固定资产总额": (None, None, 296.4),
}


def test_templates_command_copies_the_blank_forms(tmp_path):
    result = CliRunner().invoke(main, ["templates", str(tmp_path / "blank")])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "blank").iterdir()) == ["部门整体支出绩效评价表.xlsx", "项目支出绩效自评表.xlsx"]
    again = CliRunner().invoke(main, ["templates", str(tmp_path / "blank")])
    assert "已存在，未覆盖" in again.output  # a unit's filled copy is never overwritten


def test_blank_department_form_filled_in_scores_by_hunan_dept(tmp_path):
    CliRunner().invoke(main, ["templates", str(tmp_path)])
    path = tmp_path / "部门整体支出绩效评价表.xlsx"
    workbook = load_workbook(path)
    base, table = workbook["基础数据表"], workbook["指标评分表"]
    base["A2"] = "填报单位：长沙市开福区行政审批服务局"
    base["B4"], base["C4"] = 12, 12
    for row in base.iter_rows(min_row=6):
        label = str(row[0].value or "").strip()
        for cell, value in zip(row[1:4], F2_FIGURES.get(label, ())):
            if value is not None:
                cell.value = value
    table["A2"] = "填报单位：长沙市开福区行政审批服务局"
    for row in table.iter_rows(min_row=4):
        if row[2].value and row[4].value is not None:
            row[5].value = row[4].value  # self-score every row at full marks
    workbook.save(path)
    form = perfeval_xl.score_workbook(path).forms[0]
    assert form.kind == "department" and form.name == "长沙市开福区行政审批服务局"
    scores = {item.name: item.score for item in form.items}
    assert scores["政府采购执行率"] == Decimal("4.83") and scores["重点支出安排率"] == Decimal("4.00")
    assert form.total == Decimal("97.61")  # 100 − 1 (重点支出) − 1 (预算控制) − 0.17 − 0.22


def test_blank_forms_sent_back_unfilled_are_reported_as_not_filled_in(tmp_path):
    CliRunner().invoke(main, ["templates", str(tmp_path / "blank")])
    batch = perfeval_xl.score_folder(tmp_path / "blank", out=tmp_path / "out")
    assert set(batch.statuses.values()) == {"error"}  # neither is a department or project of 0 points
    assert all("自评表未填写" in f.error for f in batch.files)
