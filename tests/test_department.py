"""Department forms (F2 base data + F3 scoring table) score by rulebook hunan-dept (scoring.md §5)."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import perfeval_xl
from perfeval_xl.cli import main
from perfeval_xl.model import Source
from perfeval_xl.readers import read_workbook
from deptgen import (BaseFigures, HUNAN_ROWS, write_base_only, write_base_sheet, write_department_workbook,
                     with_notes, write_scoring_only, write_scoring_sheet)

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"

D = Decimal
UNIT = "长沙市开福区某某局"


def scores(form):
    return {item.name: item.score for item in form.items}


def flags_of(form, name):
    item = next(i for i in form.items if i.name == name)
    return " / ".join(f.message for f in item.flags)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("scoring_first", [False, True])
def test_both_column_orders_and_any_sheet_order_score_the_same(tmp_path, order, scoring_first):
    path = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures(UNIT), order=order,
                                     scoring_first=scoring_first)
    form = perfeval_xl.score_workbook(path).forms[0]
    assert form.kind == "department" and form.name == UNIT and form.rulebook == "hunan-dept"
    assert form.total == D("95.61") and form.grade == "优"
    assert scores(form)["政府采购执行率"] == D("4.83")   # 40.6/42 = 96.67% × 5


def test_each_computed_rule_by_hand(tmp_path):
    figures = BaseFigures(
        UNIT, quota=20, staff=21,                     # 105.00% → 5 − 0.5×5 = 2.50
        sangong=(10, 10.5, 10.0),                      # 变动率 +5.00% → 5 − 0.5×5 = 2.50; 控制率 95.24% → 5
        project=(100, 200, 200), key=150,              # 75.00% → band ≥70 → 3.00
        carried=0, initial=100, added=15, left=12,     # 完成率 103/115 = 89.57%: 10.43 short → 2 steps → 1.00
        public=(50, 50, 51.64),                        # 103.28% → 5 − 0.5×3.28 = 3.36
        procurement=(10, 10, 12),                      # 120% → capped → 5.00
        assets=200, assets_in_use=150,                 # 75.00% × 5 = 3.75
    )
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    got = scores(form)
    assert got["在职人员控制率"] == D("2.50")
    assert got["“三公经费”变动率"] == D("2.50")
    assert got["重点支出安排率"] == D("3.00")
    assert got["预算完成率"] == D("1.00")
    assert got["预算控制率"] == D("3.00")            # 追加 15/100 = 15% → ≤20% → 3
    assert got["公用经费控制率"] == D("3.36")
    assert got["“三公经费”控制率"] == D("5.00")
    assert got["政府采购执行率"] == D("5.00")
    assert got["固定资产利用率"] == D("3.75")
    assert "103.28%" in next(i.basis for i in form.items if i.name == "公用经费控制率")


# Each computed rule of scoring.md §5 at its edges, worked by hand from the spec: the rate is rounded
# half-up to 2 decimals before the rule applies; "per point" deductions are continuous, "per whole 5
# points" steps floored.  (rule, figures, score)
AT_THE_EDGES = [
    ("在职人员控制率", dict(quota=20, staff=20), "5.00"),                # 100.00% → w
    ("在职人员控制率", dict(quota=10000, staff=10001), "5.00"),          # 100.01%: 5 − 0.5×0.01 = 4.995 → 5.00
    ("在职人员控制率", dict(quota=10000, staff=10002), "4.99"),          # 100.02%: 5 − 0.01
    ("在职人员控制率", dict(quota=12, staff=13), "0.84"),                # 108.33%: 5 − 0.5×8.33 = 0.835 → 0.84
    ("“三公经费”变动率", dict(sangong=(10, 10, 10)), "5.00"),            # 0.00% → w
    ("“三公经费”变动率", dict(sangong=(10, 10.0015, 10)), "4.99"),       # 0.015% → 0.02%: 5 − 0.01
    ("“三公经费”变动率", dict(sangong=(10, 11, 10)), "0.00"),            # 10%: 5 − 5
    ("重点支出安排率", dict(project=(100, 100, 100), key=89.995), "5.00"),  # 89.995% → 90.00% → ≥90
    ("重点支出安排率", dict(project=(100, 100, 100), key=89.994), "4.00"),  # 89.99% → ≥80
    ("重点支出安排率", dict(project=(100, 100, 100), key=59.99), "0.00"),   # below the last band
    ("预算完成率", dict(carried=0, initial=100, added=0, left=5), "3.00"),      # 95.00%: 5 points short, 1 step
    ("预算完成率", dict(carried=0, initial=100, added=0, left=4.995), "5.00"),  # 95.01%: 4.99 short, no step
    ("预算完成率", dict(carried=0, initial=100, added=0, left=10.01), "1.00"),  # 89.99%: 10.01 short, 2 steps
    ("预算控制率", dict(initial=100, added=0.004), "5.00"),              # 0.004% → 0.00% → the "0" band
    ("预算控制率", dict(initial=100, added=0.005), "4.00"),              # 0.005% → 0.01% → ≤10%
    ("预算控制率", dict(initial=100, added=30.005), "0.00"),             # 30.01% → above every band
    ("公用经费控制率", dict(public=(90, 100, 103.27)), "3.37"),          # 5 − 0.5×3.27 = 3.365 → 3.37
    ("“三公经费”控制率", dict(sangong=(100, 100, 100.005)), "4.99"),     # 100.01%: 5 − 1×0.01
    ("政府采购执行率", dict(procurement=(90, 100, 99.9)), "5.00"),       # 99.90% × 5 = 4.995 → 5.00
    ("政府采购执行率", dict(procurement=(90, 100, 99.89)), "4.99"),      # 99.89% × 5 = 4.9945 → 4.99
    ("固定资产利用率", dict(assets=100, assets_in_use=12.345), "0.62"),  # 12.35% × 5 = 0.6175 → 0.62
]


@pytest.mark.parametrize("rule, figures, score", AT_THE_EDGES)
def test_each_computed_rule_at_its_edges_scores_as_worked_by_hand(tmp_path, rule, figures, score):
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT, **figures))
    assert str(scores(perfeval_xl.score_workbook(path).forms[0])[rule]) == score


def test_three_public_expenses_with_zero_last_year(tmp_path):
    zero_both = BaseFigures(UNIT, sangong=(0, 0, 0))
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "a.xlsx", zero_both)).forms[0]
    assert scores(form)["“三公经费”变动率"] == D("5.00")
    spending_now = BaseFigures(UNIT, sangong=(0, 2, 2))
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "b.xlsx", spending_now)).forms[0]
    assert str(scores(form)["“三公经费”变动率"]) == "0.00"  # awarded nothing: 0.00, as every score


def test_missing_input_is_an_error_on_that_row_naming_the_f2_row(tmp_path):
    figures = BaseFigures(UNIT, omit={"重点支出"})
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["重点支出安排率"] == 0
    assert "基础数据表缺少“重点支出”行" in flags_of(form, "重点支出安排率")
    assert scores(form)["固定资产利用率"] == D("4.78")  # the rest still scores


def test_every_amount_an_indicator_lacks_is_named_at_once(tmp_path):
    # Only the first was: the unit filled in 上年结转, sent the form again, and was told of 年末结余.
    figures = BaseFigures(UNIT, omit={"上年结转", "年末结余"})
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["预算完成率"] == 0
    assert "基础数据表缺少“上年结转”行、“年末结余”行，“预算完成率”无法计算" in flags_of(form, "预算完成率")


def test_basis_texts_read_cleanly_with_negatives_zeros_and_quoted_names(tmp_path):
    deficit = BaseFigures(UNIT, carried=0, initial=100, added=0, left=-5)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "a.xlsx", deficit)).forms[0]
    assert next(i.basis for i in form.items if i.name == "预算完成率").startswith(
        "(0+100+0−(−5))/(0+100+0)=105.00%")                          # not "0−-5"
    spending_now = BaseFigures(UNIT, sangong=(0, 1, 0))            # 上年 0, 本年 1: 0 points, said plainly
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "b.xlsx", spending_now)).forms[0]
    assert next(i.basis for i in form.items if i.name == "“三公经费”变动率") == \
        "分母为0（“三公经费”行上年决算数：0），分子(1−0)=1≠0，得0分"      # not "得0分0.00", nor "（0=0）"
    no_budget = BaseFigures(UNIT, sangong=(1, 0, 1))
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "c.xlsx", no_budget)).forms[0]
    assert "“‘三公经费’控制率”的分母为0（“三公经费”行本年预算数）" in flags_of(form, "“三公经费”控制率")
    # quoted once (not "““三公经费”控制率”"), and the amount named as the 评分依据 names it, not by
    # the rulebook's key "三公经费.本年预算"


def test_a_rate_just_below_zero_is_shown_as_zero_not_minus_zero(tmp_path):
    # A cut of 40元 in a budget of 100万元 is −0.004%: it was shown "-0.00%", a rate below 0 that is none.
    figures = BaseFigures(UNIT, initial=100, added=-0.004)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "a.xlsx", figures)).forms[0]
    control = next(i for i in form.items if i.name == "预算控制率")
    assert control.actual == "0.00%" and control.basis == "-0.004/100=0.00%，属≤0%档，5×1=5.00"
    # one that rounds to a cent below 0 is below 0, and says so
    figures = BaseFigures(UNIT, initial=100, added=-0.005)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "b.xlsx", figures)).forms[0]
    assert next(i.actual for i in form.items if i.name == "预算控制率") == "-0.01%"


def test_zero_denominator_is_an_error_not_a_crash(tmp_path):
    figures = BaseFigures(UNIT, assets=0, assets_in_use=0)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["固定资产利用率"] == 0
    assert "分母为0" in flags_of(form, "固定资产利用率")


def test_a_negative_amount_counts_as_0_and_is_flagged_at_its_f2_cell(tmp_path):
    # As a negative actual on a project form (scoring.md §3): w × rate never goes below 0.
    figures = BaseFigures(UNIT, procurement=(35, 42, -4.2), assets=310, assets_in_use=-31)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    procurement = next(item for item in form.items if item.name == "政府采购执行率")
    assets = next(item for item in form.items if item.name == "固定资产利用率")
    assert procurement.score == assets.score == 0            # not −4.2/42 × 5 = −0.50
    assert procurement.basis.startswith("“政府采购金额”行本年决算数-4.2<0按0计；0/42=0.00%")
    [flag] = [f for f in procurement.flags if "负数" in f.message]
    assert flag.message == "基础数据表“政府采购金额”行本年决算数为负数（-4.2），按0计算"
    assert flag.source == Source("基础数据表", "D12")  # the amount's own cell, not the F3 row
    [flag] = [f for f in assets.flags if "负数" in f.message]
    assert flag.source == Source("基础数据表", "D21") and "在用固定资产总额" in flag.message


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "1e999999"])
def test_nan_or_infinity_typed_as_an_f2_amount_is_flagged_at_its_cell(tmp_path, text):
    # Decimal reads these words; the rates computed from them raised InvalidOperation or Overflow.
    figures = BaseFigures(UNIT, procurement=(35, 42, text))
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["政府采购执行率"] == 0
    [flag] = [f for f in form.flags if "不是数字" in f.message]
    assert flag.source == Source("基础数据表", "D12") and f"“{text}”" in flag.message


def test_an_amount_of_thousands_of_digits_with_its_unit_is_flagged_at_its_cell(tmp_path):
    # "999…9元": the 预算完成率 step count on it exceeded Python's int-to-text limit (4300 digits).
    figures = BaseFigures(UNIT, left="9" * 5000 + "元")
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["预算完成率"] == 0
    [flag] = [f for f in form.flags if "不是数字" in f.message]
    assert flag.source == Source("基础数据表", "D16") and flag.level == "error"


def test_a_budget_cut_or_a_deficit_may_be_negative(tmp_path):
    # 本年追加预算 below 0 is a cut (band "≤0 → 5"), 年末结余 below 0 spending beyond the budget.
    figures = BaseFigures(UNIT, carried=0, initial=100, added=-10, left=-5)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["预算控制率"] == D("5.00") and scores(form)["预算完成率"] == D("5.00")
    assert "负数" not in flags_of(form, "预算控制率") + flags_of(form, "预算完成率")


def test_a_budget_cut_beyond_the_budget_is_an_error_not_full_marks(tmp_path):
    # 年初预算 10, 本年追加预算 −20: a budget of −10, of which (−10−0)/(−10) = 100.00% was full marks, unflagged.
    figures = BaseFigures(UNIT, carried=0, initial=10, added=-20, left=0)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "a.xlsx", figures)).forms[0]
    item = next(i for i in form.items if i.name == "预算完成率")
    assert item.score == 0 and item.basis == "分母(0+10+(−20))=-10<0，无法计算，得0分"
    assert "“预算完成率”的分母为负数（“上年结转”行金额、“年初预算”行金额、“本年追加预算”行金额：(0+10+(−20))=-10），" \
           "请核对基础数据表" in flags_of(form, "预算完成率")
    # a cut the budget covers is still scored: (0+100−20−0)/(0+100−20) = 100.00%
    figures = BaseFigures(UNIT, carried=0, initial=100, added=-20, left=0)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "b.xlsx", figures)).forms[0]
    assert scores(form)["预算完成率"] == D("5.00") and "负数" not in flags_of(form, "预算完成率")


def test_an_amount_typed_in_yuan_is_converted_to_wan_yuan_and_flagged(tmp_path):
    # F2 is in 万元: "406000元" is 40.6, not 406000 (and "42万元" is just 42).
    figures = BaseFigures(UNIT, procurement=(35, "42万元", "406000元"), key="1,823,000元")
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert form.total == D("95.61")  # as with the plain figures
    assert next(i.basis for i in form.items if i.name == "政府采购执行率").startswith("40.6/42=96.67%")
    assert next(i.basis for i in form.items if i.name == "重点支出安排率").startswith("182.3/212.58=85.76%")
    converted = {f.source.cell: str(f) for f in form.flags if "折算" in f.message}
    assert converted == {
        "D12": "政府采购金额本年决算数“406000元”按万元折算为40.6，请单位按万元填写金额（D12）",
        "D19": "重点支出本年决算数“1,823,000元”按万元折算为182.3，请单位按万元填写金额（D19）",
    }


def test_a_base_data_sheet_declared_in_yuan_is_converted_to_wan_yuan_and_flagged_once(tmp_path):
    # Headed "单位：元" with every amount ×10,000: the report draft said 支出合计6587300万元.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["基础数据表"]
    sheet["D2"] = "单位：元"
    for row in sheet.iter_rows(min_row=5):
        for cell in row[1:]:
            if isinstance(cell.value, (int, float)):
                cell.value = round(cell.value * 10000, 2)
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.base.rows["支出合计"].final == D("658.73") and form.total == D("95.61")
    [flag] = [f for f in form.flags if "金额单位" in f.message]
    assert str(flag) == "基础数据表的金额单位为元，已按万元折算（÷10000），请单位按万元填写金额（D2）"
    assert not [f for f in form.flags if "按万元折算为" in f.message]  # not once per cell
    # 填报单位 naming a place that starts with 元 is not a money unit.
    assert perfeval_xl.score_workbook(write_department_workbook(
        tmp_path / "e.xlsx", BaseFigures("元江县财政局"))).forms[0].total == D("95.61")


def test_a_row_or_a_column_declaring_its_own_money_unit_is_converted_and_flagged(tmp_path):
    # "固定资产总额（元）" on a sheet in 万元: 12,500,000 元 divided 1,180 万元 in use, 0.01%, unflagged.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["基础数据表"]
    assets = next(row for row in sheet.iter_rows() if row[0].value == "固定资产总额")
    assets[0].value = "固定资产总额（元）"
    assets[3].value = round(assets[3].value * 10000, 2)
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")  # as with the plain figures
    [flag] = [f for f in form.flags if "金额单位" in f.message]
    assert flag.message == "“固定资产总额（元）”的金额单位为元，已按万元折算" and flag.source.cell == f"A{assets[0].row}"

    # A column headed "2019年决算数（元）": its figures in 元, the others in 万元.
    path = write_department_workbook(tmp_path / "e.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["基础数据表"]
    header = next(row for row in sheet.iter_rows() if any(c.value == "2019年决算数" for c in row))
    final = next(c for c in header if c.value == "2019年决算数")
    final.value = "2019年决算数（元）"
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        cell = row[final.column - 1]
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            cell.value = round(cell.value * 10000, 2)
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.base.rows["支出合计"].final == D("658.73") and form.total == D("95.61")
    assert [f.message for f in form.flags if "金额单位" in f.message] == ["“2019年决算数（元）”列的金额单位为元，已按万元折算"]


@pytest.mark.parametrize("sheet, written, spelt", [
    ("基础数据表", "编制数", "人员编制"),                       # Yueyang: 在职人员控制率 was 0, both counts "missing"
    ("基础数据表", "2019年实际在职人数", "2019年在职人员数"),    # the MOF 2013 formula's words
    ("基础数据表", "三公经费", "“三公经费”总额"),
    ("基础数据表", "项目支出", "项目总支出"),
    ("基础数据表", "固定资产总额", "所有固定资产总额"),
    ("基础数据表", "在用固定资产总额", "实际在用固定资产总额"),
    ("基础数据表", "公用经费", "公用支出"),
    ("基础数据表", "政府采购金额", "政府采购总额"),
    ("基础数据表", "上年结转", "年初结转结余"),
    ("基础数据表", "年末结余", "年末结余结转"),
    ("基础数据表", "年末结余", "年末结转资金"),                  # 预算完成率 0, "缺少年末结余"
    ("基础数据表", "上年结转", "上年结余结转"),
    ("基础数据表", "上年结转", "年初结余"),                      # a Hunan unit's 预算完成率 note: "年初结余19.8万元"
    ("基础数据表", "重点支出", "重点项目支出金额"),              # 重点支出安排率 0, "缺少重点支出"
    ("基础数据表", "2019年决算数", "2019年预算执行数"),       # the whole 本年决算 column was lost: 76.78
    ("基础数据表", "2019年实际在职人数", "2019年末实有在职人数"),
    ("基础数据表", "2019年实际在职人数", "2019年末实际在职人数"),  # was no label: 在职人员控制率 0, "缺少在职人数"
    ("基础数据表", "编制数", "2019年底核定编制数"),
    ("基础数据表", "在用固定资产总额", "在用固定资产原值"),
    ("基础数据表", f"填报单位：{UNIT}", f"部门（单位）名称：{UNIT}"),
    ("指标评分表", "自评得分", "部门自评得分"),                 # the table was not found at all
    ("指标评分表", "自评得分", "实际得分"),                     # a provincial platform's export: likewise
    ("指标评分表", "三级指标", "指标名称"),
])
def test_more_real_spellings_of_the_department_forms_read_the_same(tmp_path, sheet, written, spelt):
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    cells = [cell for row in book[sheet].iter_rows() for cell in row if cell.value == written]
    assert cells, written
    for cell in cells:
        cell.value = spelt
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61") and form.form.unit == UNIT, [(i.name, i.score, i.basis) for i in form.items]


@pytest.mark.parametrize("spelt", ["基本支出合计", "基本支出总额"])
def test_basic_spending_with_a_total_word_is_the_basic_spending_row(tmp_path, spelt):
    # No rule scores it, but the report draft's 一、部门整体支出概况 gives its share: it was left out.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    [cell] = [cell for row in book["基础数据表"].iter_rows() for cell in row if cell.value == "基本支出"]
    cell.value = spelt
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.base.rows["基本支出"].final == D("446.15")


def test_a_head_count_dated_at_the_year_end_is_the_count_and_other_year_end_labels_are_not():
    from perfeval_xl.labels import counts_everyone_on_books, staff_field

    assert staff_field("2019年末实际在职人数") == staff_field("年末在编人数") == "actual"
    assert staff_field("2019年底编制数") == "quota"
    assert counts_everyone_on_books("2019年底实有人数") and not counts_everyone_on_books("2019年末实际在职人数")
    # The year's end before an amount row or a deadline names no head count.
    assert staff_field("年末结余") is staff_field("2019年末结转和结余") is staff_field("年底前") is None


def test_one_head_count_read_is_kept_and_the_other_named_as_missing(tmp_path):
    # An unknown 编制 label dropped the 在职 count too, and both were said missing.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    next(c for row in book["基础数据表"].iter_rows() for c in row if c.value == "编制数").value = "编外人员"
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.base.staff_actual == D("12") and form.form.base.staff_quota is None
    said = flags_of(form, "在职人员控制率")
    assert "编制数" in said and "在职人数" not in said.replace("在职人数/", "")


def test_project_spending_left_blank_above_is_taken_from_its_second_row(tmp_path):
    # forms.md has 项目支出 twice: 上年决算/本年预算/本年决算 in the 经费控制情况 block, and its
    # 本年决算数 again among 基本支出 / 项目支出 / 支出合计.  重点支出安排率 = 182.3/212.58 = 85.76%.
    figures = BaseFigures(UNIT, project=(190.4, 230, None), project_spent=212.58)
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["重点支出安排率"] == D("4.00") and form.total == D("95.61")
    spending = form.form.base.rows["项目支出"]
    assert (spending.prior_final, spending.budget, spending.final) == (D("190.4"), D("230"), D("212.58"))
    assert spending.cells["final"] == Source("基础数据表", "D18")  # the second row's cell


def test_two_rows_of_one_name_giving_different_amounts_are_flagged(tmp_path):
    figures = BaseFigures(UNIT, project_spent=200)  # the first 项目支出 row says 212.58
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", figures)).forms[0]
    assert scores(form)["重点支出安排率"] == D("4.00")  # by the first row, 85.76%
    [flag] = [f for f in form.flags if "两处" in f.message]
    assert str(flag) == ("基础数据表两处“项目支出”的本年决算数不一致（212.58与200），按第一处212.58计算，"
                         "请单位核对并改正其中一处（D18）")


def test_a_year_start_budget_row_with_the_full_year_budget_beside_it_reads_its_budget_column(tmp_path):
    # forms.md heads the block "部门整体支出预算调整 | 年初预算 | 全年预算": a unit that fills both
    # columns of the 年初预算 row writes 640 + 36.5 beside 640.  预算控制率 is 追加 / 年初预算.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["基础数据表"]
    row = next(cells for cells in sheet.iter_rows() if cells[0].value == "年初预算")
    row[3].value = 676.5
    book.save(path)
    form = perfeval_xl.score_workbook(path).forms[0]
    item = next(i for i in form.items if i.name == "预算控制率")
    assert "36.5/640" in item.basis and form.total == D("95.61")
    [flag] = [f for f in form.flags if "多个金额" in f.message]
    assert str(flag) == ("“年初预算”行填了多个金额，按本年预算数列的640计算（未用：本年决算数列676.5），"
                         f"请单位核实年初预算数（{row[2].coordinate}）")


@pytest.mark.parametrize("row", [0, 15])  # 在职人员控制率 (computed), 社会效益 (self-scored)
def test_a_negative_weight_on_the_scoring_table_is_an_error_on_its_cell(tmp_path, row):
    # −5 gave "得满分-5.00" and clamped self-scores to "[0,-10]".
    rows = [list(r) for r in HUNAN_ROWS]
    rows[row][3] = -rows[row][3]
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), rows=rows)).forms[0]
    assert all(i.score >= 0 and i.weight >= 0 for i in form.items)
    found = [f for f in [*form.flags, *(f for i in form.items for f in i.flags)] if "不能作为分值" in f.message]
    assert found and all(f.level == "error" and f.source == Source("指标评分表", f"F{row + 4}") for f in found)


def test_a_level_weight_that_is_not_the_sum_of_its_rows_is_flagged_at_its_cell(tmp_path):
    # The scored form shows it beside the level's name ("目标设定（-10分）"); a negative one went unflagged.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    table = book["指标评分表"]
    table["B4"], table["D4"], table["D7"], table["B9"] = 25, 15, -10, 45  # all right but 目标设定
    book.save(path)
    form = perfeval_xl.score_workbook(path).forms[0]
    found = [(f.message, f.source.cell, f.level) for f in form.flags if "其下各指标分值合计" in f.message]
    assert found == [("二级指标“目标设定”的分值-10与其下各指标分值合计10不一致", "D7", "warning")]
    assert form.total == D("95.61")  # nothing is scored by it


def test_each_level_weight_written_on_a_row_of_its_own_is_checked(tmp_path):
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    table = book["指标评分表"]
    table["B4"], table["B6"] = 25, 20  # 投入 written twice, rows not merged: right, then wrong
    book.save(path)
    form = perfeval_xl.score_workbook(path).forms[0]
    found = [(f.message, f.source.cell) for f in form.flags if "其下各指标分值合计" in f.message]
    assert found == [("一级指标“投入”的分值20与其下各指标分值合计25不一致", "B6")]


def test_form_weight_overrides_the_rulebook_and_self_scores_are_clamped(tmp_path):
    rows = [list(r) for r in HUNAN_ROWS]
    rows[2][3] = 10           # 重点支出安排率 worth 10 on this form: 85.76% → 0.8 × 10
    rows[15][4] = 12          # 社会效益 self-scored 12 of 10 → clamped to 10
    rows[16][3] = 5           # keep the table at 100
    rows[16][4] = 4.5
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT),
                                                               rows=[tuple(r) for r in rows])).forms[0]
    assert scores(form)["重点支出安排率"] == D("8.00")
    assert scores(form)["社会效益"] == D("10.00")
    assert "已调整为10.00" in flags_of(form, "社会效益")


def test_a_bureaus_score_places_round_computed_and_self_scored_rows_alike(tmp_path):
    # scoring.md §4's "2 decimals" (§5: "Grade as in §4") was a constant in code; a bureau keeping one
    # decimal now says so in its rulebook, and the total is the sum of the rows so rounded.
    rows = [list(r) for r in HUNAN_ROWS]
    rows[4][4] = 4.56         # 绩效指标明确性, self-scored
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), rows=[tuple(r) for r in rows])
    built_in = perfeval_xl.score_workbook(path).forms[0]
    one_place = perfeval_xl.score_workbook(path, rules={"name": "本局部门规则", "extends": "hunan-dept",
                                                        "score_places": 1}).forms[0]
    assert [scores(built_in)[name] for name in ("政府采购执行率", "固定资产利用率", "绩效指标明确性")] == \
        [D("4.83"), D("4.78"), D("4.56")]  # the counter-case: the built-in keeps 2 places
    assert [scores(one_place)[name] for name in ("政府采购执行率", "固定资产利用率", "绩效指标明确性")] == \
        [D("4.8"), D("4.8"), D("4.6")]
    item = next(i for i in one_place.items if i.name == "政府采购执行率")
    assert item.basis == "40.6/42=96.67%，96.67%×5=4.80"  # the rate keeps percent_places
    assert (built_in.total, one_place.total) == (D("95.67"), D("95.7"))


def test_relative_column_labels(tmp_path):
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), relative_columns=True)
    assert perfeval_xl.score_workbook(path).forms[0].total == D("95.61")


@pytest.mark.parametrize("relative, heading", [(False, "2019年年初预算数"), (True, "本年年初预算数")])
def test_a_budget_column_headed_year_start_budget_is_the_budget_column(tmp_path, relative, heading):
    # Unread, it cost four indicators their points with "缺少本年预算数…请单位补填".
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), relative_columns=relative)
    book = openpyxl.load_workbook(path)
    book["基础数据表"]["C5"] = heading
    book.save(path)
    assert perfeval_xl.score_workbook(path).forms[0].total == D("95.61")


@pytest.mark.parametrize("one_line", ["base", "scoring", "both"])
def test_unit_heading_with_the_money_unit_in_the_same_cell_still_pairs(tmp_path, one_line):
    # "填报单位：<unit>　　　单位：万元" is one line of forms.md; the unit ends where the next label starts.
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT),
                                     one_line_heading=one_line in ("base", "both"),
                                     scoring_one_line_heading=one_line in ("scoring", "both"))
    form = perfeval_xl.score_workbook(path).forms[0]
    assert form.name == UNIT and form.total == D("95.61")


def test_blank_unit_before_the_money_unit_label_reads_as_no_unit(tmp_path):
    content = read_workbook(write_base_only(tmp_path / "b.xlsx", BaseFigures(""), one_line_heading=True))
    assert content.unpaired_bases[0].unit == ""


@pytest.mark.parametrize("merge_section", [True, False])
def test_section_caption_left_of_the_row_labels(tmp_path, merge_section):
    # "经费情况" in column A beside the first amount row must not stand for its label "三公经费" in column B.
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), section_column=True,
                                     merge_section=merge_section)
    form = perfeval_xl.score_workbook(path).forms[0]
    assert scores(form)["“三公经费”变动率"] == D("5.00") and form.total == D("95.61")


def test_merged_section_caption_does_not_hide_a_row_label_not_in_the_f2_list(tmp_path):
    from openpyxl import load_workbook

    path = write_base_only(tmp_path / "b.xlsx", BaseFigures(UNIT), section_column=True)
    workbook = load_workbook(path)
    caption_row = next(row for row in workbook.active.iter_rows() if row[0].value == "经费情况")
    caption_row[1].value = "业务工作专项"  # a sub-row the F2 list does not know, first under the caption
    workbook.save(path)
    rows = read_workbook(path).unpaired_bases[0].rows
    assert "业务工作专项" in rows and "经费情况" not in rows


@pytest.mark.parametrize("section_column", [False, True])
def test_staff_counts_written_as_two_rows_of_the_table(tmp_path, section_column):
    figures = BaseFigures(UNIT, quota=20, staff=21)   # 105.00% → 5 − 0.5×5 = 2.50
    path = write_department_workbook(tmp_path / "d.xlsx", figures, staff_rows=True, section_column=section_column)
    form = perfeval_xl.score_workbook(path).forms[0]
    assert scores(form)["在职人员控制率"] == D("2.50")
    assert not {"编制数", "实际在职人数"} & form.form.base.rows.keys()  # counts, not amount rows


@pytest.mark.parametrize("staff_rows", [False, True])
def test_staff_counts_typed_with_their_unit(tmp_path, staff_rows):
    figures = BaseFigures(UNIT, quota="20人", staff="21 名")   # 105.00% → 5 − 0.5×5 = 2.50
    path = write_department_workbook(tmp_path / "d.xlsx", figures, staff_rows=staff_rows)
    form = perfeval_xl.score_workbook(path).forms[0]
    assert scores(form)["在职人员控制率"] == D("2.50")


@pytest.mark.parametrize("staff_rows, cells", [(False, ("B4", "C4")), (True, ("D4", "D5"))])
def test_a_head_count_that_is_not_a_number_is_flagged_at_its_f2_cell(tmp_path, staff_rows, cells):
    # As an unreadable amount is ("…“约40.6”不是数字（D9）"), not only "缺少…" at the F3 row.
    figures = BaseFigures(UNIT, quota="十二", staff="12（含借调2人）")
    path = write_department_workbook(tmp_path / "d.xlsx", figures, staff_rows=staff_rows)
    form = perfeval_xl.score_workbook(path).forms[0]
    assert scores(form)["在职人员控制率"] == 0
    unread = [str(flag) for flag in form.flags if "不是数字" in flag.message]
    assert unread == [f"编制数“十二”不是数字，请单位填写阿拉伯数字的人数，如12（{cells[0]}）",
                      f"实际在职人数“12（含借调2人）”不是数字，请单位填写阿拉伯数字的人数，如12（{cells[1]}）"]
    assert all(flag.source.sheet == "基础数据表" for flag in form.flags if "不是数字" in flag.message)


def test_a_blank_head_count_is_missing_not_unreadable(tmp_path):
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT, quota="—"))).forms[0]
    assert "基础数据表缺少“编制数”" in flags_of(form, "在职人员控制率")
    assert not any("不是数字" in flag.message for flag in form.flags)


def test_explaining_a_scoring_table_pairs_it_with_the_base_data_of_the_same_folder(tmp_path):
    write_base_only(tmp_path / "基础数据表_另一局.xlsx", BaseFigures("另一局"))
    write_base_only(tmp_path / "基础数据表_某某局.xlsx", BaseFigures(UNIT))
    table = write_scoring_only(tmp_path / "评分表_某某局.xlsx", UNIT, order=2)
    [form] = perfeval_xl.score_workbook(table).forms
    assert form.total == D("95.61")  # as the batch scores it, not 0 for every quantitative row
    assert any("基础数据表_某某局.xlsx" in flag.message for flag in form.flags)
    result = CliRunner().invoke(main, ["explain", str(table)])
    assert result.exit_code == 0 and "95.61" in result.output


def test_two_files_naming_their_unit_only_in_their_titles_are_paired(tmp_path):
    # No 填报单位 line on either: the F3 scored every computed row 0 ("未填填报单位").
    import openpyxl

    for path, builder in ((tmp_path / "基础数据表.xlsx", lambda p: write_base_only(p, BaseFigures(""))),
                          (tmp_path / "评分表.xlsx", lambda p: write_scoring_only(p, "", order=2))):
        builder(path)
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        title = next(c for row in sheet.iter_rows(max_row=3) for c in row if isinstance(c.value, str) and "表" in c.value)
        title.value = f"{UNIT}2019年度{title.value}"
        for row in sheet.iter_rows(max_row=4):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("填报单位"):
                    cell.value = None
        book.save(path)
    [form] = perfeval_xl.score_workbook(tmp_path / "评分表.xlsx").forms
    assert form.form.unit == UNIT and form.total == D("95.61")


def test_a_scoring_table_naming_no_unit_is_not_paired_with_another_units_base_data(tmp_path):
    write_base_only(tmp_path / "基础数据表_某某局.xlsx", BaseFigures(UNIT))
    write_scoring_only(tmp_path / "评分表_某某局.xlsx", UNIT, order=2)
    nameless = write_scoring_only(tmp_path / "评分表_未署名.xlsx", "", order=2)
    (tmp_path / "坏文件.xlsx").write_bytes(b"PK\x03\x04 truncated")  # a neighbour that cannot be read
    [form] = perfeval_xl.score_workbook(nameless).forms
    assert form.form.base is None and form.name != UNIT  # as the batch leaves it
    # Said as it is: it names no unit (not "no F2 of the same unit was found").
    assert [f.message for f in form.flags if "配对" in f.message] == [
        "本表未填填报单位，无法与基础数据表（F2）配对，定量指标无法计算"]


@pytest.mark.parametrize("name", ["~基础数据表_某某局.xlsx", ".基础数据表_某某局.xlsx", "基础数据表_某某局.scored.xlsx"])
def test_explaining_a_scoring_table_ignores_the_files_a_batch_skips(tmp_path, name):
    # A temporary copy, a hidden file or a scored form left in the folder is not the unit's F2:
    # the batch skips them, and explain must give the score the batch gives.
    write_base_only(tmp_path / name, BaseFigures(UNIT))
    table = write_scoring_only(tmp_path / "评分表_某某局.xlsx", UNIT, order=2)
    [form] = perfeval_xl.score_workbook(table).forms
    assert form.form.base is None and not any(name in flag.message for flag in form.flags)


def test_scoring_an_f2_alone_names_the_file_of_its_f3(tmp_path):
    # It said no F3 was found, with the F3 beside it in the folder.
    base = write_base_only(tmp_path / "基础数据表_某某局.xlsx", BaseFigures(UNIT))
    write_scoring_only(tmp_path / "评分表_某某局.xlsx", UNIT, order=2)
    with pytest.raises(perfeval_xl.WorkbookError, match="^“基础数据表_某某局.xlsx”：这是基础数据表（F2），本身不评分；同一填报单位的指标评分表（F3）在“评分表_某某局.xlsx”"):
        perfeval_xl.score_workbook(base)
    (tmp_path / "评分表_某某局.xlsx").unlink()
    with pytest.raises(perfeval_xl.WorkbookError, match="^“基础数据表_某某局.xlsx”：只有基础数据表（F2），未找到同一填报单位的指标评分表（F3）$"):
        perfeval_xl.score_workbook(base)


def test_two_files_are_paired_by_unit_through_the_cli(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_base_only(inbox / "基础数据表_某某局.xlsx", BaseFigures(UNIT))
    write_scoring_only(inbox / "评分表_某某局.xlsx", UNIT, order=2)
    write_base_only(inbox / "基础数据表_另一局.xlsx", BaseFigures("另一局"))
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-q", "-j", "1"])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in summary["files"]}
    form = files["评分表_某某局.xlsx"]["forms"][0]
    assert form["kind"] == "department" and form["name"] == UNIT and form["total"] == 95.61
    assert files["基础数据表_某某局.xlsx"]["status"] == "ok"
    assert files["基础数据表_另一局.xlsx"]["status"] == "error"
    assert "未找到同一填报单位的指标评分表" in files["基础数据表_另一局.xlsx"]["error"]
    assert result.exit_code == 1
    assert (tmp_path / "out" / "评分表_某某局.scored.xlsx").is_file()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_pairs_a_scoring_table_with_the_base_data_of_its_own_folder(tmp_path, jobs):
    inbox = tmp_path / "inbox"
    (inbox / "2019").mkdir(parents=True)
    (inbox / "2020").mkdir()
    write_base_only(inbox / "2019" / "基础数据表.xlsx", BaseFigures(UNIT, staff=13))  # last year's
    write_base_only(inbox / "2020" / "基础数据表.xlsx", BaseFigures(UNIT))
    write_scoring_only(inbox / "2020" / "评分表.xlsx", UNIT, order=2)
    told = {}
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=jobs,
                                     on_file=lambda outcome: told.update({outcome.file: outcome.status}))
    [form] = next(f for f in batch.files if f.file == "2020/评分表.xlsx").forms
    assert form.total == D("95.61")  # as explain gives it, whichever worker finishes first
    assert any("“2020/基础数据表.xlsx”" in flag.message for flag in form.flags)
    assert batch.statuses["2020/基础数据表.xlsx"] == "ok"
    # The F2 left over is skipped, saying why (below), and on_file hears the status the batch ends with.
    assert batch.statuses["2019/基础数据表.xlsx"] == "skipped" and told == batch.statuses


def _a_unit_with_two_f2(tmp_path, other: str, own: str, other_figures: BaseFigures):
    """An inbox holding a unit's F2 (``other_figures``) in folder ``other``, and its F2 and F3 in
    folder ``own``: the first is the one left over."""
    inbox = tmp_path / "inbox"
    (inbox / other).mkdir(parents=True)
    (inbox / own).mkdir()
    write_base_only(inbox / other / "基础数据表.xlsx", other_figures)
    write_base_only(inbox / own / "基础数据表.xlsx", BaseFigures(UNIT))
    write_scoring_only(inbox / own / "评分表.xlsx", UNIT, order=2)
    return inbox


def test_last_years_f2_in_another_folder_is_skipped_naming_the_f3_and_the_f2_its_unit_was_scored_with(tmp_path):
    # It was an error "只有基础数据表…未找到同一填报单位的指标评分表（F3）", with the unit's F3 found and
    # scored: the officer looked for a missing form, and the batch exited 1 with nothing broken.
    inbox = _a_unit_with_two_f2(tmp_path, "2019", "2020", BaseFigures(UNIT, staff=13))
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-j", "1"])
    said = (f"基础数据表未使用，已跳过：同一填报单位（{UNIT}）的指标评分表“2020/评分表.xlsx”已取其同一文件夹的"
            "“2020/基础数据表.xlsx”中的基础数据表配对评分；如本文件是上年度的或旧的副本，请将其移出收件箱；"
            "如应以本文件为准，请用本文件替换“2020/基础数据表.xlsx”后重新评分")
    assert f"跳过 2019/基础数据表.xlsx：{said}" in result.output.splitlines()
    assert result.exit_code == 0 and "失败 0 个，跳过 1 个" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [entry] = [f for f in summary["files"] if f["file"] == "2019/基础数据表.xlsx"]
    assert (entry["status"], entry["error"], entry["action"]) == (
        "skipped", said, "请确认该单位以哪一份基础数据表为准，将不用的一份移出收件箱")


def test_an_unused_f2_of_another_year_says_its_year_and_not_to_replace_the_used_one(tmp_path):
    # It advised "请用本文件替换“2020/基础数据表.xlsx”" for last year's figures, which have no place in
    # this year's score.
    inbox = _a_unit_with_two_f2(tmp_path, "上年", "本年", BaseFigures(UNIT, year=2018))
    batch = perfeval_xl.score_folder(inbox)
    assert batch.statuses["上年/基础数据表.xlsx"] == "skipped"
    assert batch.files[0].error == (f"基础数据表未使用，已跳过：本文件是2018年度的基础数据表，同一填报单位（{UNIT}）已按"
                                    "“本年/基础数据表.xlsx”中2019年度的基础数据表与指标评分表“本年/评分表.xlsx”配对评分；"
                                    "如不再需要本文件，请将其移出收件箱")


def test_an_f2_of_a_unit_that_has_no_f3_anywhere_is_still_an_error(tmp_path):
    # The counter-case: a unit whose F3 was not scored at all has a form missing.
    inbox = tmp_path / "inbox"
    (inbox / "2019").mkdir(parents=True)
    (inbox / "2020").mkdir()
    write_base_only(inbox / "2019" / "基础数据表.xlsx", BaseFigures(UNIT))
    write_department_workbook(inbox / "2020" / "另一局.xlsx", BaseFigures("长沙市开福区另一局"))
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses == {"2019/基础数据表.xlsx": "error", "2020/另一局.xlsx": "ok"} and batch.exit_code == 1
    assert batch.failed[0].error == f"只有基础数据表（F2，填报单位：{UNIT}），未找到同一填报单位的指标评分表（F3）"


@pytest.mark.parametrize("outbox", [True, False])
def test_an_f2_used_by_the_f3_of_another_file_says_so_in_the_summaries(tmp_path, outbox):
    # Its row in 汇总 said 已评分 with no score and no reason, and its summary.json entry nothing.
    from openpyxl import load_workbook

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    write_base_only(inbox / "基础数据表.xlsx", BaseFigures(UNIT))
    write_scoring_only(inbox / "评分表.xlsx", UNIT, order=2)
    write_department_workbook(inbox / "部门整体_另一局.xlsx", BaseFigures("长沙市开福区另一局"))
    batch = perfeval_xl.score_folder(inbox, out=out if outbox else None)
    note = f"基础数据表已与文件“评分表.xlsx”中{UNIT}的指标评分表配对评分，得分见该文件"
    files = {f.file: f for f in batch.files}
    assert files["基础数据表.xlsx"].note == note and batch.base_files_used == 1
    assert files["评分表.xlsx"].note is None and files["部门整体_另一局.xlsx"].note is None  # forms of their own
    if not outbox:
        return
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {f["file"]: f["note"] for f in summary["files"]} == {
        "基础数据表.xlsx": note, "评分表.xlsx": None, "部门整体_另一局.xlsx": None}
    sheet = load_workbook(out / "summary.xlsx")["汇总"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[1]}
    assert rows["基础数据表.xlsx"][-2:] == ("已评分", note)
    assert rows["评分表.xlsx"][-1] is None
    # The terminal's count says why a file counted as scored gives no score.
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "cli"), "-j", "1"])
    assert "已评分 3 个文件（其中 1 个是基础数据表，已与另一文件中的指标评分表配对评分），失败 0 个" in result.output


def test_an_f2_file_that_also_holds_an_f2_no_f3_took_is_failed_not_counted_as_used(tmp_path):
    # 甲局's F2 used, 乙局's without an F3 anywhere: the file fails, and the count line had it among
    # the scored files "是基础数据表，已与另一文件中的指标评分表配对评分".
    from openpyxl import Workbook

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book = Workbook()
    book.active.title = "甲局基础数据"
    write_base_sheet(book.active, BaseFigures("甲局"))
    write_base_sheet(book.create_sheet("乙局基础数据"), BaseFigures("乙局"))
    book.save(inbox / "两单位基础数据.xlsx")
    write_scoring_only(inbox / "甲局评分表.xlsx", "甲局")
    batch = perfeval_xl.score_folder(inbox)
    assert batch.statuses == {"两单位基础数据.xlsx": "error", "甲局评分表.xlsx": "ok"}
    assert batch.base_files_used == 0
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-j", "1"])
    assert "已评分 1 个文件，失败 1 个" in result.output


def test_a_units_f2_and_f3_in_two_folders_each_say_where_the_other_is(tmp_path):
    # Each said, alone, that the other was missing: the officer had to find the pair and the rule.
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    (inbox / "b").mkdir()
    write_base_only(inbox / "a" / "基础数据表.xlsx", BaseFigures(UNIT))
    write_scoring_only(inbox / "b" / "评分表.xlsx", UNIT)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    [form] = next(f for f in batch.files if f.file == "b/评分表.xlsx").forms
    # One flag says it, and what to do: beside it, "未找到…，请单位报送基础数据表" asked for the F2 the unit sent.
    [flag] = [flag for flag in form.flags if "基础数据表" in flag.message and "（F2）" in flag.message or "另一文件夹" in flag.message]
    assert str(flag) == ("同一填报单位的基础数据表在另一文件夹的文件“a/基础数据表.xlsx”中，未配对：基础数据表与指标评分表须在同一文件夹，"
                         "定量指标无法计算，请将两表放在同一文件夹后重新评分")
    base = next(f for f in batch.files if f.file == "a/基础数据表.xlsx")
    assert base.error.endswith("；其指标评分表在另一文件夹的文件“b/评分表.xlsx”中，两表须在同一文件夹才能配对，请放在同一文件夹后重新评分")


def test_an_f3_whose_unit_has_no_f2_in_any_folder_is_still_told_to_send_one(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "b").mkdir(parents=True)
    write_scoring_only(inbox / "b" / "评分表.xlsx", UNIT)
    write_base_only(inbox / "基础数据表_另一局.xlsx", BaseFigures("长沙市开福区另一局"))
    [form] = next(f for f in perfeval_xl.score_folder(inbox, out=tmp_path / "out").files if f.file == "b/评分表.xlsx").forms
    assert [str(f) for f in form.flags if "（F2）" in f.message or "另一文件夹" in f.message] == [
        "未找到同一填报单位的基础数据表（F2），定量指标无法计算，请单位报送基础数据表"]


def test_a_three_public_total_that_is_not_the_sum_of_its_rows_is_flagged_at_its_cell(tmp_path):
    # 公务用车 3.2/3.0/2.85 + 出国 0 + 公务接待 3.6/3.5/3.07 = 6.8/6.5/5.92: written 2.46 as 本年决算 only.
    path = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures(UNIT, sangong=(6.8, 6.5, 2.46)))
    [form] = perfeval_xl.score_workbook(path).forms
    [flag] = [f for f in form.flags if "其下各项合计" in f.message]
    assert str(flag) == ("“三公经费”本年决算数2.46与其下各项合计5.92（公务用车购置和维护经费2.85+出国经费0+公务接待3.07）不符，"
                         f"请单位核实“三公经费”及其明细（{flag.source.cell}）")
    assert flag.source.cell.startswith("D")  # the 本年决算数 column of the 三公经费 row
    clean = write_department_workbook(tmp_path / "clean.xlsx", BaseFigures(UNIT))
    assert not [f for f in perfeval_xl.score_workbook(clean).forms[0].flags if "其下各项合计" in f.message]


def test_fixed_assets_in_use_above_all_fixed_assets_are_flagged(tmp_path):
    form = perfeval_xl.score_workbook(write_department_workbook(
        tmp_path / "d.xlsx", BaseFigures(UNIT, assets=100, assets_in_use=105))).forms[0]
    assert next(i.score for i in form.items if i.name == "固定资产利用率") == D("5.00")  # capped, as scoring.md's w × rate
    [flag] = [f for f in form.flags if "大于固定资产总额" in f.message]
    assert str(flag) == f"在用固定资产总额105大于固定资产总额100，请单位核实固定资产数据（{flag.source.cell}）"
    assert flag.source.cell.startswith("D")


def test_a_computed_indicator_written_twice_is_an_error_on_its_second_row(tmp_path):
    rows = [r if r[2] != "绩效目标合理性" else (r[0], r[1], "重点支出安排率", *r[3:]) for r in HUNAN_ROWS]
    [form] = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT),
                                                                  rows=rows)).forms
    first, second = [i for i in form.items if i.name == "重点支出安排率"]
    assert not [f for f in first.flags if "不止一次" in f.message]
    [flag] = [f for f in second.flags if "不止一次" in f.message]
    assert flag.level == "error" and flag.message == (
        f"指标“重点支出安排率”在评分表中出现不止一次（另见{first.source.cell}），计入总分两次")


def test_units_told_apart_by_a_bracket_are_paired_each_with_its_own_base_data(tmp_path):
    # 教育局（机关） and 教育局（直属学校） are two units: the first scoring table took the first F2
    # of either, in one folder and in one workbook alike.  A seal note (（盖章）) or an invisible soft
    # hyphen pasted from a web page still pairs.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    office, schools = "长沙市开福区教育局（机关）", "长沙市开福区教育局(直属学校)"
    write_scoring_only(inbox / "a_学校_评分表.xlsx", "长沙市开福区教育局（直属学校）")
    write_base_only(inbox / "b_机关_基础数据表.xlsx", BaseFigures(office, staff=12))
    write_base_only(inbox / "c_学校_基础数据表.xlsx", BaseFigures(schools, staff=14))
    write_scoring_only(inbox / "d_机关_评分表.xlsx", "长沙市开福区教\u00ad育局（机关）（盖章）")  # a soft hyphen too
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    staff = {f.file: f.forms[0].form.base.staff_actual for f in batch.files if f.file.endswith("评分表.xlsx")}
    assert staff == {"a_学校_评分表.xlsx": D(14), "d_机关_评分表.xlsx": D(12)}
    assert set(batch.statuses.values()) == {"ok"}


def test_a_second_f2_of_the_unit_in_the_same_workbook_is_named_on_its_f3_not_dropped_unsaid(tmp_path):
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    revised = book.copy_worksheet(book["基础数据表"])
    revised.title = "基础数据表(修订)"
    revised["C4"] = 13  # 实际在职人数
    book.save(path)
    result = perfeval_xl.score_workbook(path)
    [form] = result.forms
    assert form.form.base.sheet == "基础数据表" and form.form.base.staff_actual == D(12)
    [flag] = [f for f in form.flags if "另有基础数据表" in f.message]
    assert str(flag) == (f"同一填报单位（{UNIT}）另有基础数据表（工作表“基础数据表(修订)”），未使用；"
                         "已按工作表顺序取工作表“基础数据表”，请确认以哪一份基础数据表为准，删除另一份后重新报送")
    batch = perfeval_xl.score_folder(path.parent, out=tmp_path / "out")
    assert batch.statuses == {"d.xlsx": "ok"} and batch.reused == 0
    assert perfeval_xl.score_folder(path.parent, out=tmp_path / "out").reused == 1  # not a pair across files


def test_a_second_f3_of_the_unit_in_the_same_workbook_is_scored_with_the_f2_beside_it(tmp_path):
    # A sheet copied: the copy was left without the F2, scored 53.00 and asked the unit to send the F2 it had sent.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    book.copy_worksheet(book["指标评分表"])
    book.save(path)
    forms = perfeval_xl.score_workbook(path).forms
    assert [form.total for form in forms] == [D("95.61"), D("95.61")]
    assert not [f for form in forms for f in form.flags if "基础数据表" in f.message]
    [group] = perfeval_xl.score_folder(path.parent).duplicates  # named as the unit's forms sent twice
    assert group.files == ("d.xlsx", "d.xlsx")


def test_an_f3_of_another_unit_does_not_share_the_f2_a_first_f3_took(tmp_path):
    # The counter-case: only a table of the F2's own unit shares it.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    other = book.copy_worksheet(book["指标评分表"])
    for row in other.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and UNIT in cell.value:
                cell.value = cell.value.replace(UNIT, "长沙市开福区统计局")
    book.save(path)
    first, second = perfeval_xl.score_workbook(path).forms
    assert first.total == D("95.61") and first.form.base is not None
    assert second.form.unit == "长沙市开福区统计局" and second.form.base is None


def _f3_copied_beside_an_f2_naming(path, f2_unit: str, copy_unit: str = UNIT):
    import openpyxl

    write_department_workbook(path, BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    for sheet, unit in ((book["基础数据表"], f2_unit), (book.copy_worksheet(book["指标评分表"]), copy_unit)):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and UNIT in cell.value:
                    cell.value = cell.value.replace(UNIT, unit)
    book.save(path)
    return perfeval_xl.score_workbook(path).forms


@pytest.mark.parametrize("f2_unit", [UNIT + "（本级）", "开福区某某局", ""], ids=["bracket", "shorter", "blank"])
def test_copies_of_an_f3_share_the_f2_that_names_their_unit_apart_or_not_at_all(tmp_path, f2_unit):
    # One F3 pairs with such an F2 (with a warning, or unsaid when it names no unit); with the sheet copied,
    # neither copy did: both scored 53.00 and asked for the F2 sent beside them.
    forms = _f3_copied_beside_an_f2_naming(tmp_path / "d.xlsx", f2_unit)
    assert [form.total for form in forms] == [D("95.61"), D("95.61")]
    assert all(form.form.base is not None and form.form.base.unit == f2_unit for form in forms)


def _f3_copied_beside_its_f2_sent_apart(folder):
    """评分表.xlsx holding the unit's F3 twice (a sheet copied), its F2 sent as 基础数据表.xlsx."""
    import openpyxl

    folder.mkdir()
    path = write_department_workbook(folder / "评分表.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    base = openpyxl.Workbook()
    base.active.title = "基础数据表"
    for row in book["基础数据表"].iter_rows(values_only=True):
        base.active.append(row)
    base.save(folder / "基础数据表.xlsx")
    del book["基础数据表"]
    book.copy_worksheet(book["指标评分表"])
    book.save(path)
    return path


def test_copies_of_an_f3_share_the_f2_sent_as_a_file_of_their_own(tmp_path):
    # Paired across files, the copy was left without the F2 its first copy took: 95.61 and 53.00.
    path = _f3_copied_beside_its_f2_sent_apart(tmp_path / "in")
    assert [form.total for form in perfeval_xl.score_workbook(path).forms] == [D("95.61"), D("95.61")]
    batch = perfeval_xl.score_folder(path.parent, out=tmp_path / "out")
    [scored] = [f for f in batch.files if f.file == "评分表.xlsx"]
    assert [form.total for form in scored.forms] == [D("95.61"), D("95.61")]


def test_a_unit_sending_its_f3_again_as_a_second_file_pairs_only_the_first_with_its_f2(tmp_path):
    # The counter-case: two files of the unit's F3 (a 修改版 beside the first) are the unit's form sent twice,
    # and the F2 sent apart pairs with the first only, as it did.
    import shutil

    import openpyxl

    path = _f3_copied_beside_its_f2_sent_apart(tmp_path / "in")
    book = openpyxl.load_workbook(path)
    del book[book.sheetnames[-1]]
    book.save(path)
    shutil.copy(path, path.parent / "评分表（修改版）.xlsx")
    batch = perfeval_xl.score_folder(path.parent, out=tmp_path / "out")
    totals = {f.file: [form.total for form in f.forms] for f in batch.files if f.forms}
    assert totals == {"评分表.xlsx": [D("95.61")], "评分表（修改版）.xlsx": [D("53.00")]}


def test_f3s_of_two_units_do_not_share_an_f2_that_names_neither(tmp_path):
    # The counter-case: two units' tables beside one F2 naming no unit are not copies; which is the F2's is
    # not guessed.
    forms = _f3_copied_beside_an_f2_naming(tmp_path / "d.xlsx", "", copy_unit="长沙市开福区统计局")
    assert [form.form.base for form in forms] == [None, None]


def test_one_units_forms_whose_names_differ_only_in_a_closing_bracket_still_pair_and_say_so(tmp_path):
    # "XX局" on the F3 and "XX局（本级）" on the F2: one unit, and the only pair there is.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    book["基础数据表"]["A2"] = f"填报单位：{UNIT}（本级）"
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")
    assert [f.message for f in form.flags if "末尾括号不同" in f.message] == [
        f"基础数据表的填报单位写作“{UNIT}（本级）”，与本表的“{UNIT}”末尾括号不同，已按同一单位配对"]


@pytest.mark.parametrize("base_unit, table_unit, paired", [
    ("开福区行政审批服务局", "长沙市开福区行政审批服务局", True),
    ("湖南省长沙市开福区行政审批服务局", "开福区行政审批服务局", True),
    ("行政审批服务局", "长沙市开福区行政审批服务局", False),  # a name with no place could be any county's
    ("岳麓区行政审批服务局", "长沙市开福区行政审批服务局", False),
    ("城市管理局", "开福区城市管理局", False),  # 城市 is no place, nor 社区
])
def test_forms_sent_as_two_files_whose_unit_names_differ_in_the_places_written_before_it(
        tmp_path, base_unit, table_unit, paired):
    # One unit's F2 and F3 in two files, one naming its city too: left apart, every computed row
    # scored 0 (95.61 → 53.00) with "缺少基础数据表".
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_base_only(inbox / "a_基础数据表.xlsx", BaseFigures(base_unit))
    write_scoring_only(inbox / "b_评分表.xlsx", table_unit)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    table = next(f for f in batch.files if f.file == "b_评分表.xlsx")
    if not paired:
        assert batch.statuses == {"a_基础数据表.xlsx": "error", "b_评分表.xlsx": "ok"} and table.forms[0].total < 60
        return
    [form] = table.forms
    assert form.total == D("95.61") and set(batch.statuses.values()) == {"ok"}
    assert [f.message for f in form.flags if "只差上级地名" in f.message] == [
        f"基础数据表的填报单位写作“{base_unit}”，与本表的“{table_unit}”只差上级地名，已按同一单位配对"]


def test_a_unit_that_sent_two_f2_gets_the_first_flagged_and_the_other_is_not_called_one_without_an_f3(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_base_only(inbox / "a_基础数据表.xlsx", BaseFigures(UNIT))
    write_base_only(inbox / "b_基础数据表（修改）.xlsx", BaseFigures(UNIT, staff=13))
    write_scoring_only(inbox / "c_评分表.xlsx", UNIT, order=2)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=2)
    [form] = next(f for f in batch.files if f.file == "c_评分表.xlsx").forms
    assert form.total == D("95.61")  # with the first F2 by name, whichever worker finished first
    assert [str(flag) for flag in form.flags if "另有基础数据表" in flag.message] == [
        f"同一填报单位（{UNIT}）另有基础数据表“b_基础数据表（修改）.xlsx”，未使用；已按文件名顺序取“a_基础数据表.xlsx”，"
        "请确认以哪一份基础数据表为准"]
    assert batch.statuses == {"a_基础数据表.xlsx": "ok", "b_基础数据表（修改）.xlsx": "skipped", "c_评分表.xlsx": "ok"}
    assert batch.exit_code == 0  # nothing failed: the unit has its score, and the F3 is flagged to confirm the F2
    other = batch.files[1]
    why = (f"同一填报单位（{UNIT}）的指标评分表“c_评分表.xlsx”已按文件名顺序取“a_基础数据表.xlsx”中的基础数据表配对评分；"
           "如本文件是上年度的或旧的副本，请将其移出收件箱；如应以本文件为准，请用本文件替换“a_基础数据表.xlsx”后重新评分")
    assert other.error == f"基础数据表未使用，已跳过：{why}"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [entry] = [f for f in summary["files"] if f["status"] == "skipped"]
    assert entry["action"] == "请确认该单位以哪一份基础数据表为准，将不用的一份移出收件箱"
    # The library says the same of each file scored alone.
    [alone] = perfeval_xl.score_workbook(inbox / "c_评分表.xlsx").forms
    assert [str(flag) for flag in alone.flags if "另有基础数据表" in flag.message] == [
        str(flag) for flag in form.flags if "另有基础数据表" in flag.message]
    with pytest.raises(perfeval_xl.WorkbookError) as raised:
        perfeval_xl.score_workbook(inbox / "b_基础数据表（修改）.xlsx")
    assert str(raised.value) == f"“b_基础数据表（修改）.xlsx”：基础数据表未使用：{why}"
    with pytest.raises(perfeval_xl.WorkbookError, match="指标评分表（F3）在“c_评分表.xlsx”，请对该文件评分"):
        perfeval_xl.score_workbook(inbox / "a_基础数据表.xlsx")


def test_an_f2_sent_again_beside_a_workbook_holding_both_forms_says_where_its_units_form_went(tmp_path):
    # It was told "只有基础数据表…未找到同一填报单位的指标评分表（F3）", though the F3 was there.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_department_workbook(inbox / "a_部门整体.xlsx", BaseFigures(UNIT))
    write_base_only(inbox / "b_基础数据表（修订）.xlsx", BaseFigures(UNIT, staff=13))
    why = (f"同一填报单位（{UNIT}）的指标评分表已与同一文件“a_部门整体.xlsx”中的基础数据表配对评分；如本文件是上年度的"
           "或旧的副本，请将其移出收件箱；如应以本文件为准，请单位替换“a_部门整体.xlsx”中的基础数据表后重新报送")
    for _ in range(2):  # the first run, and a rerun that reuses the workbook
        batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
        assert batch.statuses == {"a_部门整体.xlsx": "ok", "b_基础数据表（修订）.xlsx": "skipped"}
        assert batch.files[1].error == f"基础数据表未使用，已跳过：{why}"
    assert batch.reused == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [f["action"] for f in summary["files"] if f["status"] == "skipped"] == [
        "请确认该单位以哪一份基础数据表为准，将不用的一份移出收件箱"]
    assert perfeval_xl.score_folder(inbox).files[1].error == batch.files[1].error  # without an outbox too
    # Scored alone, it said no F3 was found: the library says the same as the batch.
    with pytest.raises(perfeval_xl.WorkbookError) as raised:
        perfeval_xl.score_workbook(inbox / "b_基础数据表（修订）.xlsx")
    assert str(raised.value) == f"“b_基础数据表（修订）.xlsx”：基础数据表未使用：{why}"


@pytest.mark.parametrize("base_unit, table_unit, said", [
    ("长沙市开福区行政审批服务局", "开福区行政审批服务局", "只差上级地名，已按同一单位配对"),
    ("开福区政务服务中心", "开福区行政审批服务局", "不同；本工作簿只有这一份基础数据表，已与本表配对"),
])
def test_the_only_f2_of_a_workbook_pairs_with_its_only_f3_under_another_unit_name_and_says_so(
        tmp_path, base_unit, table_unit, said):
    # "长沙市开福区…" and "开福区…": left apart, every computed row scored 0 (95.61 → 52.61). F2 and F3
    # "usually arrive as two sheets of one workbook" (forms.md): the workbook pairs them, and a person
    # is told the names differ.
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "基础数据表"
    write_base_sheet(workbook.active, BaseFigures(base_unit))
    write_scoring_sheet(workbook.create_sheet("指标评分表"), table_unit)
    workbook.save(tmp_path / "dept.xlsx")
    [form] = perfeval_xl.score_workbook(tmp_path / "dept.xlsx").forms
    assert form.form.base is not None and form.total == D("95.61")
    [flag] = [f for f in form.flags if "基础数据表的填报单位" in f.message]
    assert flag.level == "warning" and str(flag) == (
        f"基础数据表的填报单位写作“{base_unit}”，与本表的“{table_unit}”{said}，如不是同一单位，请单位补报本单位的基础数据表")


def relabel(path: Path, renames: dict[str, str]) -> Path:
    """Rewrite every cell reading one of ``renames``' keys, as another place's form spells it."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() in renames:
                    cell.value = renames[cell.value.strip()]
    workbook.save(path)
    return path


@pytest.mark.parametrize("renames", [
    {"2018年决算数": "2018年实际数", "2019年预算数": "2019年预算数", "2019年决算数": "2019年实际数"},
    {"2019年决算数": "2019年执行数"},
    {"2018年决算数": "上年决算数"},                          # the two styles of heading on one row
    {"2019年预算数": "本年预算数", "2019年决算数": "本年决算数"},  # (each lost the other's columns)
    {"2019年实际在职人数": "2019年末实有人数"},
    {"年末结余": "年末结转和结余", "上年结转": "年初结转和结余", "本年追加预算": "年中追加"},
    {"三公经费": "“三公”经费支出合计", "政府采购金额": "政府采购支出金额", "固定资产总额": "固定资产原值",
     "公用经费": "公用经费合计"},
    {"自评得分": "评分"},
    {"自评得分": "自评分数", "分值": "指标分值"},
], ids=lambda renames: "·".join(renames.values()))
def test_other_places_spellings_of_f2_and_f3_read_the_same(tmp_path, renames):
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)), renames)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")


@pytest.mark.parametrize("name", ["财政供养人员控制率", "人员控制率"])
def test_an_f3_row_under_another_indicator_systems_name_is_computed_from_f2(tmp_path, name):
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT, staff=13)),
                   {"在职人员控制率": name})
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)[name] == D("0.84")  # 13/12 = 108.33%: 5 − 0.5 × 8.33
    assert not any("缺少规则指标" in flag.message for flag in form.flags)


def test_scoring_table_alone_scores_self_rows_and_flags_the_missing_base(tmp_path):
    form = perfeval_xl.score_workbook(write_scoring_only(tmp_path / "t.xlsx", UNIT)).forms[0]
    assert scores(form)["在职人员控制率"] == 0
    assert scores(form)["社会效益"] == D("9.00")
    assert any("基础数据表" in f.message for f in form.flags)


def test_scored_department_workbook_carries_the_base_data_sheet(tmp_path):
    from openpyxl import load_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_department_workbook(inbox / "dept.xlsx", BaseFigures(UNIT))
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1)
    workbook = load_workbook(tmp_path / "out" / "dept.scored.xlsx")
    assert workbook.sheetnames == ["指标评分表", "基础数据表"]
    texts = [c.value for row in workbook["基础数据表"].iter_rows() for c in row if c.value is not None]
    assert "2018年决算数" in texts and 212.58 in texts and any(UNIT in str(t) for t in texts)


def test_the_scored_base_data_sheet_carries_every_line_of_the_input_as_written(tmp_path):
    # forms.md Outputs: "every field carried over from the input", the lines no rule reads included.
    from openpyxl import load_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    path = write_department_workbook(inbox / "dept.xlsx", BaseFigures(UNIT, project_spent=212.58))
    workbook = load_workbook(path)
    sheet = workbook["基础数据表"]
    abroad = next(row for row in sheet.iter_rows() if str(row[0].value).strip() == "2、出国经费")
    for cell in abroad[1:4]:
        cell.value = "—"
    sheet.append(["部门整体支出预算调整", None, "年初预算", "全年预算"])  # as forms.md draws it
    sheet.append([None, None, 640, 676.5])
    workbook.save(path)
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1)
    scored = load_workbook(tmp_path / "out" / "dept.scored.xlsx")["基础数据表"]
    lines = [tuple(c.value for c in row[:4]) for row in scored.iter_rows()]
    assert ("2、出国经费", "—", "—", "—") in lines                     # not blanks
    assert lines.count(("项目支出", None, None, 212.58)) == 1         # the second 项目支出 line
    assert lines.count(("项目支出", 190.4, 230, 212.58)) == 1         # and the first
    adjustment = lines.index(("部门整体支出预算调整", None, "年初预算", "全年预算"))
    assert lines[adjustment + 1] == (None, None, 640, 676.5)          # the 全年预算 figure too


@pytest.mark.skipif(not (CASES / "expected.json").is_file(), reason="../shared/cases is not beside this checkout")
def test_a_blank_total_self_score_is_the_sum_of_the_rows_the_unit_scored():
    # The 合计 row's 自评得分 is left blank on the sample (and on the blank form we hand out).
    [form] = perfeval_xl.score_workbook(CASES / "07_开福区行政审批服务局_部门整体支出.xlsx").forms
    assert form.form.self_total is None
    assert form.self_total == sum(item.self_score for item in form.items if item.applicable)
    assert form.difference == form.total - form.self_total


@pytest.mark.skipif(not (CASES / "expected.json").is_file(), reason="../shared/cases is not beside this checkout")
def test_no_self_total_is_made_up_when_a_row_is_not_self_scored():
    [form] = perfeval_xl.score_workbook(CASES / "07_开福区行政审批服务局_部门整体支出.xlsx").forms
    form.items[0].self_score = None
    assert form.self_total is None and form.difference is None


def test_a_hidden_base_data_sheet_beside_a_visible_scoring_table_is_still_its_f2(tmp_path):
    import openpyxl

    path = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures(UNIT))
    workbook = openpyxl.load_workbook(path)
    base = next(sheet for sheet in workbook.worksheets if "基础数据" in sheet.title)
    base.sheet_state = "hidden"  # hidden, and no other F2 to take its place
    workbook.active = workbook.worksheets.index(next(s for s in workbook.worksheets if s is not base))
    workbook.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")


def test_a_scoring_table_without_self_scores_beside_its_base_data_is_scored(tmp_path):
    # Its quantitative rows need nothing from the unit: it is not the blank form.
    import openpyxl

    path = write_department_workbook(tmp_path / "dept.xlsx", BaseFigures(""))  # no 填报单位 either
    workbook = openpyxl.load_workbook(path)
    table = workbook["指标评分表"]
    header = next(cell for row in table.iter_rows() for cell in row if cell.value == "自评得分")
    for row in range(header.row + 1, table.max_row + 1):
        table.cell(row, header.column).value = None
    workbook.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.kind == "department" and form.total > 0


def test_the_lines_signed_under_a_department_table_are_carried_over_to_its_scored_form(tmp_path):
    from openpyxl import load_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    path = write_department_workbook(inbox / "dept.xlsx", BaseFigures("某局"))
    workbook = load_workbook(path)
    sheet = workbook["指标评分表"]  # its last row is 合计
    sheet.cell(sheet.max_row + 2, 1, "单位负责人：张三")
    sheet.cell(sheet.max_row, 4, "联系电话：0731-8888")
    workbook.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.footer == ["单位负责人：张三　　联系电话：0731-8888"]
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    scored = load_workbook(tmp_path / "out" / "dept.scored.xlsx").worksheets[0]
    assert "单位负责人：张三　　联系电话：0731-8888" in [row[0].value for row in scored.iter_rows()]


def test_notes_between_the_blocks_of_a_department_form_are_carried_over_where_they_were(tmp_path):
    # forms.md carries every field over; these were dropped, and a note under the table dropped the
    # signature under it too.
    from openpyxl import load_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    with_notes(write_department_workbook(inbox / "dept.xlsx", BaseFigures("某局")))
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    scored = load_workbook(tmp_path / "out" / "dept.scored.xlsx")
    table = [row[0].value for row in scored["指标评分表"].iter_rows()]
    assert table[table.index("填报单位") + 1:table.index("绩效指标") + 1] == ["说明：自评得分保留一位小数。", "绩效指标"]
    grade = table.index("评价等级")
    assert table[grade + 1:grade + 6] == ["注：", "1、定性指标由单位自评；", "2、定量指标按基础数据表计算。",
                                          "单位负责人：王五", "评分规则：hunan-dept；来源：dept.xlsx（工作表：指标评分表）"]
    base = [row[0].value for row in scored["基础数据表"].iter_rows()]
    assert base[base.index("填报单位：某局"):base.index("经费控制情况") + 1] == [
        "填报单位：某局", "备注：本表由财务科填报。", "财政供养人员情况", None, "说明：编制数为年末核定数。", "经费控制情况"]
    assert base[base.index("政府采购金额") + 1:base.index("政府采购金额") + 3] == ["注：政府采购金额含服务类采购。", "注册登记费"]
    note = base.index("注：政府采购金额含服务类采购。") + 1
    assert f"A{note}:D{note}" in {str(merged) for merged in scored["基础数据表"].merged_cells.ranges}


def test_headings_and_table_rows_are_not_taken_for_notes(tmp_path):
    path = with_notes(write_department_workbook(tmp_path / "dept.xlsx", BaseFigures("某局")))
    [result] = perfeval_xl.score_workbook(path).forms
    form, base = result.form, result.form.base
    assert form.notes == ["说明：自评得分保留一位小数。"]
    assert form.footer == ["注：", "1、定性指标由单位自评；", "2、定量指标按基础数据表计算。", "单位负责人：王五"]
    assert base.notes == {"staff": ["备注：本表由财务科填报。"], "amounts": ["说明：编制数为年末核定数。"]}
    assert [line.label for line in base.lines if line.note] == ["注：政府采购金额含服务类采购。"]
    registration = next(line for line in base.lines if line.label == "注册登记费")
    assert (registration.note, registration.amounts) == (False, {"prior_final": D("1.2"), "budget": D("1.5"),
                                                                 "final": D("1.4")})
    assert result.total == D("95.61")  # the notes change no score


def test_the_rates_a_department_form_is_scored_by_are_numbers_on_its_scored_form(tmp_path):
    # They were text ("96.67%"): an officer could not sort them nor check them with a formula.
    from openpyxl import load_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_department_workbook(inbox / "dept.xlsx", BaseFigures("某局"))
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    scored = load_workbook(tmp_path / "out" / "dept.scored.xlsx").worksheets[0]
    header = next(row for row in scored.iter_rows() if row[5].value == "实际完成值")[0].row
    rows = {scored.cell(row, 4).value: scored.cell(row, 6) for row in range(header + 1, scored.max_row + 1)
            if scored.cell(row, 4).value}
    for name, rate in (("政府采购执行率", 0.9667), ("“三公经费”变动率", -0.0441), ("在职人员控制率", 1)):
        assert (rows[name].data_type, rows[name].number_format) == ("n", "0.00%"), name
        assert rows[name].value == pytest.approx(rate), name
    # A row the unit scores itself has no rate: its cell stays empty, and its 评价标准 stays text.
    assert rows["管理制度健全性"].value is None
    standard = scored.cell(rows["政府采购执行率"].row, 5)
    assert (standard.value, standard.data_type) == ("见评分标准", "s")


@pytest.mark.parametrize("direction, rate, basis", [
    ("over", "85", "未超过90%，得满分{score}"),
    ("under", "100", "不低于90%，得满分{score}"),  # it said 未超过90% of a rate that must not fall below it
    ("under", "85", "低于90%共5个百分点，5−1×5={score}"),
])
def test_a_per_point_deduction_says_which_way_its_limit_binds(direction, rate, basis):
    from types import SimpleNamespace

    from perfeval_xl.rules.department import _apply

    rule = SimpleNamespace(kind="deduct_per_point", params={"limit": Decimal(90), "per_point": Decimal(1),
                                                            "direction": direction})
    assert _apply(rule, Decimal(rate), Decimal(5))[1] == basis


@pytest.mark.parametrize("kind, params, rate, basis", [
    # a deduction beyond the weight says the score is floored at 0: "5−0.5×150=0.00" did not add up
    ("deduct_per_point", {"limit": D(100), "per_point": D("0.5"), "direction": "over"}, "250",
     "超过100%共150个百分点，5−0.5×150=-70.00<0，按0计，得{score}"),
    ("deduct_per_step", {"target": D(100), "step": D(5), "per_step": D(2)}, "85",
     "低于100%共15个百分点，满5个百分点3次，5−2×3=-1.00<0，按0计，得{score}"),
    # one that takes the weight exactly, or part of it, is the sum as written
    ("deduct_per_point", {"limit": D(100), "per_point": D("0.5"), "direction": "over"}, "110",
     "超过100%共10个百分点，5−0.5×10={score}"),
    ("deduct_per_step", {"target": D(100), "step": D(5), "per_step": D(2)}, "90",
     "低于100%共10个百分点，满5个百分点2次，5−2×2={score}"),
    # a rate above a ratio's cap says it is counted at the cap: "120.00%，100%×5" left it to be guessed
    ("ratio", {"cap": D(100)}, "120", "超过100%按100%计，100%×5={score}"),
    ("ratio", {"cap": D(100)}, "100", "100%×5={score}"),
    ("ratio", {"cap": D(100)}, "96.67", "96.67%×5={score}"),
], ids=["per point, floored", "per step, floored", "per point, to 0", "per step, above 0",
        "ratio, capped", "ratio, at the cap", "ratio, below the cap"])
def test_a_score_the_rule_bounds_says_where_it_was_bounded(kind, params, rate, basis):
    from types import SimpleNamespace

    from perfeval_xl.rules.department import _apply

    assert _apply(SimpleNamespace(kind=kind, params=params), D(rate), D(5))[1] == basis


def test_a_rulebooks_standard_and_levels_show_where_the_table_leaves_them_blank():
    # A department rulebook's indicator names its 评价标准 and levels; they were read, required, and never shown.
    import dataclasses

    from perfeval_xl.model import DepartmentRow
    from perfeval_xl.rules import load_rulebook
    from perfeval_xl.rules.department import score_computed_row

    rulebook = load_rulebook("hunan-dept")
    rule = dataclasses.replace(rulebook.indicators[0], standard="本局标准：按预算执行率计分")
    blank = DepartmentRow("", "", rule.name, Decimal(5), None, "", "", Source("指标评分表", "E5"))
    item = score_computed_row(blank, rule, None, rulebook)
    assert (item.target, item.level1, item.level2) == ("本局标准：按预算执行率计分", rule.level1, rule.level2)
    own = DepartmentRow("产出", "职责履行", rule.name, Decimal(5), None, "表中的标准", "", Source("指标评分表", "E5"))
    item = score_computed_row(own, rule, None, rulebook)
    assert (item.target, item.level1, item.level2) == ("表中的标准", "产出", "职责履行")


def test_a_self_score_written_as_words_is_unreadable_not_missing(tmp_path):
    # "五": the reader said 自评得分“五”不是数字, the 评分依据 and a second flag said it was left blank.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["指标评分表"]
    header = next(row for row in sheet.iter_rows() if any(c.value == "自评得分" for c in row))
    column = next(c.column for c in header if c.value == "自评得分")
    row = next(c.row for r in sheet.iter_rows() for c in r if c.value == "管理制度健全性")
    sheet.cell(row, column, "五")
    book.save(path)
    item = next(i for i in perfeval_xl.score_workbook(path).forms[0].items if i.name == "管理制度健全性")
    assert item.score == 0 and item.basis == "自评指标：自评得分无法读取（见问题提示），得0分"
    assert [f.message for f in item.flags] == ["自评得分“五”不是数字"]


# ------------------------------------------------------------------ layouts of other places (audit 27E)

@pytest.mark.parametrize("renames", [
    {"2018年决算数": "2018决算数", "2019年预算数": "2019预算数", "2019年决算数": "2019决算数"},
    {"2018年决算数": "决算数（2018年）", "2019年预算数": "预算数（2019年）", "2019年决算数": "决算数（2019年）"},
    {"2018年决算数": "上一年度决算数", "2019年预算数": "本年度预算数", "2019年决算数": "本年度决算数"},
    {"2018年决算数": "上年度决算数"},
    {"2018年决算数": "上年实际支出数", "2019年预算数": "本年预算数", "2019年决算数": "本年实际支出数"},
    {"2019年预算数": "2019年全年预算数"},
    {"2019年预算数": "2019年调整预算数"},
], ids=lambda renames: "·".join(renames.values()))
def test_amount_columns_headed_as_other_places_write_them_are_read(tmp_path, renames):
    # Unrecognised, no amount column was found and every row of three amounts took its first, the
    # 上年决算, as 本年决算: 重点支出安排率 182.3/190.4 scored 5, the rest "缺少…本年预算数".
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)), renames)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")
    spending = form.form.base.rows["项目支出"]
    assert (spending.prior_final, spending.budget, spending.final) == (D("190.4"), D("230"), D("212.58"))


@pytest.mark.parametrize("merge_year", [True, False])
def test_amount_columns_headed_by_their_years_above_and_their_figures_below_are_read(tmp_path, merge_year):
    # "2018年 | 2019年（merged over two columns）" over "决算数 | 预算数 | 决算数": not read, as above.
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), two_row_heading=True,
                                     merge_year=merge_year)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61") and form.form.base.year == 2019
    assert scores(form)["重点支出安排率"] == D("4.00")  # 182.3/212.58, not 182.3/190.4


def test_rows_of_several_amounts_under_unread_headings_are_not_guessed(tmp_path):
    # The first of the three was taken as 本年决算 with nothing said: 182.3/200 = 91.15% → 5.00.
    figures = BaseFigures(UNIT, project=(200, 230, 212.58))
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", figures),
                   {"2018年决算数": "上年数", "2019年预算数": "本年计划", "2019年决算数": "本年完成"})
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["重点支出安排率"] == 0
    assert "基础数据表缺少“项目支出”行本年决算数" in flags_of(form, "重点支出安排率")
    [flag] = [f for f in form.flags if "金额列的标题" in f.message]
    assert flag.level == "error" and flag.source == Source("基础数据表", "A6")
    assert flag.message == ("基础数据表未找到金额列的标题（如“2018年决算数、2019年预算数、2019年决算数”），"
                            "“三公经费”、“1、公务用车购置和维护经费”、“2、出国经费”等7行的多个金额无法确定各属哪一列，未读取")
    assert scores(form)["固定资产利用率"] == D("4.78")  # a row of one amount is still read


@pytest.mark.parametrize("staff_rows", [False, True])
def test_in_service_staff_is_counted_not_everyone_on_the_books(tmp_path, staff_rows):
    # 实有人数 23 was read as 在职人数: 23/20 = 115% → 0; scoring.md §5 divides 在职人数 21 → 2.50.
    figures = BaseFigures(UNIT, quota=20, staff=21, on_books=23)
    path = write_department_workbook(tmp_path / "d.xlsx", figures, staff_rows=staff_rows)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.form.base.staff_actual == D(21) and scores(form)["在职人员控制率"] == D("2.50")
    # Without a 在职 count beside it, 实有人数 is the count there is.
    alone = relabel(write_department_workbook(tmp_path / "e.xlsx", BaseFigures(UNIT, quota=20, staff=23),
                                              staff_rows=staff_rows), {"2019年实际在职人数": "实有人数",
                                                                       "实际在职人数": "实有人数"})
    assert perfeval_xl.score_workbook(alone).forms[0].form.base.staff_actual == D(23)


def test_a_key_spending_row_with_a_blank_final_amount_is_missing_not_its_budget(tmp_path):
    # "重点支出 | 170 | 200 | —": its 本年预算数 200 stood in for the spending, 200/212.58 → 5.00, unflagged.
    import openpyxl

    def key_spending_rate(written):
        path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
        book = openpyxl.load_workbook(path)
        row = next(cells for cells in book["基础数据表"].iter_rows() if cells[0].value == "重点支出")
        row[1].value, row[2].value, row[3].value = written
        book.save(path)
        item = next(i for i in perfeval_xl.score_workbook(path).forms[0].items if i.name == "重点支出安排率")
        return item.score, " / ".join(flag.message for flag in item.flags)

    score, flags = key_spending_rate((170, 200, "—"))
    assert score == 0 and "基础数据表缺少“重点支出”行本年决算数，“重点支出安排率”无法计算" in flags
    # A row of one amount is still read in whichever column it is written.
    assert key_spending_rate((None, 182.3, None))[0] == D("4.00")


@pytest.mark.parametrize("adjustment", ["pairs", "columns"])
def test_budget_adjustment_amounts_written_as_pairs_or_as_columns_are_read(tmp_path, adjustment):
    # "上年结转 | 8.2 | 年初预算 | 640" gave 上年结转 640 (the figure after the text 年初预算) and no
    # 年初预算; labels over their figures were not read at all: both indicators scored 0.
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), adjustment=adjustment)
    [form] = perfeval_xl.score_workbook(path).forms
    rows = form.form.base.rows
    assert [rows[name].single() for name in ("上年结转", "年初预算", "本年追加预算", "年末结余")] == \
        [D("8.2"), D("640"), D("36.5"), D("26")]
    assert scores(form)["预算完成率"] == D("5.00") and scores(form)["预算控制率"] == D("4.00")
    assert form.total == D("95.61") and not any("不是数字" in flag.message for flag in form.flags)


def test_daily_public_expenses_and_rows_with_a_shu_suffix_are_their_f2_rows(tmp_path):
    # 日常公用经费 and 上年结转数 / 本年追加预算数 / 年末结余数 were "缺少…行": three indicators scored 0.
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)),
                   {"公用经费": "日常公用经费", "上年结转": "上年结转数", "本年追加预算": "本年追加预算数",
                    "年末结余": "年末结余数"})
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")


def test_circled_numbering_is_stripped_from_f2_labels_and_f3_names(tmp_path):
    # NFKC makes ① a bare "1": "1三公经费" named no row, and "1固定资产利用率" no indicator, which
    # then kept its self-score 5 instead of 4.78.
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)),
                   {"三公经费": "①三公经费", "项目支出": "②项目支出", "公用经费": "③公用经费",
                    "政府采购金额": "⑷政府采购金额", "重点支出": "⒈重点支出", "固定资产利用率": "①固定资产利用率"})
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["①固定资产利用率"] == D("4.78") and form.total == D("95.61")
    assert not any("缺少规则指标" in flag.message for flag in form.flags)


def test_a_caption_merged_down_over_its_total_row_names_that_row(tmp_path):
    # "三公经费" merged down column A over "合计" and its items in column B: the caption was taken
    # for a section's and "合计" for the row's name, and four indicators scored 0 ("缺少…行").
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "基础数据表"
    for values in (["部门整体支出绩效评价基础数据表"], [f"填报单位：{UNIT}"],
                   ["财政供养人员情况", None, "编制数", "2019年实际在职人数"], [None, None, 12, 12],
                   ["经费控制情况", None, "2018年决算数", "2019年预算数", "2019年决算数"],
                   ["三公经费", "合计", 6.8, 6.5, 5.92], [None, "公务用车购置和维护经费", 3.2, 3.0, 2.85],
                   [None, "出国经费", 0, 0, 0], [None, "公务接待", 3.6, 3.5, 3.07],
                   ["项目支出", "合计", 190.4, 230, 212.58], [None, "业务工作专项", 100, 120, 110],
                   ["公用经费", "小计", 61.3, 64, 63.1], [None, "其中：办公经费", 20, 21, 20.5],
                   ["政府采购金额", None, 35, 42, 40.6],
                   ["部门整体支出预算调整", "上年结转", None, None, 8.2], [None, "年初预算", None, None, 640],
                   [None, "本年追加预算", None, None, 36.5], [None, "年末结余", None, None, 26],
                   ["重点支出", None, None, None, 182.3], ["固定资产总额", None, None, None, 310],
                   ["在用固定资产总额", None, None, None, 296.4]):
        sheet.append(values)
    for cells in ("A6:A9", "A10:A11", "A12:A13", "A15:A18"):
        sheet.merge_cells(cells)
    write_scoring_sheet(book.create_sheet("指标评分表"), UNIT)
    book.save(tmp_path / "d.xlsx")
    [form] = perfeval_xl.score_workbook(tmp_path / "d.xlsx").forms
    rows = form.form.base.rows
    assert (rows["三公经费"].final, rows["项目支出"].final, rows["公用经费"].final) == (D("5.92"), D("212.58"), D("63.1"))
    assert rows["三公经费"].source == Source("基础数据表", "A6") and form.total == D("95.61")


def _base_and_scoring_sheet():
    """(a workbook holding the F2 of UNIT, its F3 sheet written up to its title lines), for a test to
    write the table's heading its own way."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "基础数据表"
    write_base_sheet(book.active, BaseFigures(UNIT))
    sheet = book.create_sheet("指标评分表")
    sheet.append(["部门整体支出绩效评价指标评分表"])
    sheet.append([f"填报单位：{UNIT}"])
    return book, sheet


def test_a_scoring_table_headed_over_two_rows_is_found(tmp_path):
    # "评价指标" merged over 一级/二级/三级指标, 分值 / 评分标准 / 自评得分 merged down both rows: the
    # workbook failed with "只有基础数据表（F2），未找到…指标评分表（F3）".
    book, sheet = _base_and_scoring_sheet()
    sheet.append(["评价指标", None, None, "分值", "评分标准", "自评得分"])
    sheet.append(["一级指标", "二级指标", "三级指标"])
    for cells in ("A3:C3", "D3:D4", "E3:E4", "F3:F4"):
        sheet.merge_cells(cells)
    for level1, level2, name, weight, own in HUNAN_ROWS:
        sheet.append([level1, level2, name, weight, "见评分标准", own])
    sheet.append(["合计", None, None, 100])
    book.save(tmp_path / "d.xlsx")
    [form] = perfeval_xl.score_workbook(tmp_path / "d.xlsx").forms
    assert len(form.items) == len(HUNAN_ROWS) and form.total == D("95.61")


@pytest.mark.parametrize("merged", [True, False])
def test_a_scoring_table_whose_levels_split_into_名称_and_分值_on_a_second_row_is_found(tmp_path, merged):
    # 一级指标 / 二级指标 / 三级指标 each over "名称 | 分值": the workbook failed with "只有基础数据表
    # （F2），未找到同一填报单位的指标评分表（F3）", though the table was beside it.
    book, sheet = _base_and_scoring_sheet()
    sheet.append(["一级指标", None, "二级指标", None, "三级指标", None, "评价标准", "指标说明", "自评得分"])
    sheet.append(["名称", "分值", "名称", "分值", "名称", "分值"])
    if merged:
        for cells in ("A3:B3", "C3:D3", "E3:F3", "G3:G4", "H3:H4", "I3:I4"):
            sheet.merge_cells(cells)
    level1_weights = {"投入": 25, "过程": 45, "产出": 10, "效果": 20}
    for level1, level2, name, weight, own in HUNAN_ROWS:
        sheet.append([level1, level1_weights.get(level1), level2, None, name, weight, "见评分标准", None, own])
    sheet.append(["合计", None, None, None, None, 100])
    book.save(tmp_path / "d.xlsx")
    [form] = perfeval_xl.score_workbook(tmp_path / "d.xlsx").forms
    assert len(form.items) == len(HUNAN_ROWS) and form.total == D("95.61")
    assert form.form.rows[0].level1_weight == level1_weights[HUNAN_ROWS[0][0]]


@pytest.mark.parametrize("renames", [{"自评得分": "单位自评得分"}, {"三级指标": "三级指标名称"}, {"分值": "标准分"}],
                         ids=lambda renames: "·".join(renames.values()))
def test_scoring_table_columns_headed_as_other_places_write_them_are_found(tmp_path, renames):
    # Spellings project forms already accepted: the scoring table was not found ("只有基础数据表（F2）…").
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), order=2), renames)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")


def test_other_indicator_systems_names_of_key_and_public_spending_rates_are_computed(tmp_path):
    # Not rulebook names, both kept their self-score 5: 重点支出安排率 is 85.76% → 4.00.
    path = relabel(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)),
                   {"重点支出安排率": "重点项目支出安排率", "公用经费控制率": "日常公用经费控制率"})
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["重点项目支出安排率"] == D("4.00") and scores(form)["日常公用经费控制率"] == D("5.00")
    assert form.total == D("95.61") and not any("缺少规则指标" in flag.message for flag in form.flags)


def test_head_counts_written_in_their_label_cells_are_read(tmp_path):
    # "编制数：20" named no staff label: "基础数据表缺少“编制数”" and 0.
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["基础数据表"]
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["B4"], sheet["C4"] = "编制数：20", "在职人数：21", None, None, None
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert (form.form.base.staff_quota, form.form.base.staff_actual) == (D(20), D(21))
    assert scores(form)["在职人员控制率"] == D("2.50")


@pytest.mark.parametrize("sealed", [f"{UNIT}　　　　盖章", f"{UNIT} 加盖公章", f"{UNIT}（加盖公章）", f"{UNIT}（盖单位公章）",
                                    f"{UNIT}　　盖　章", f"{UNIT} 加盖 公章"])  # spaced: paired, and was shown with it
def test_forms_of_two_files_pair_past_a_seal_note_without_brackets_or_with_jia_gai(tmp_path, sealed):
    # The F3 stayed unpaired (every computed row 0: 53.00 instead of 95.61) and its F2 file failed
    # "只有基础数据表"; in brackets it paired as maybe another unit ("末尾括号不同"), the note in its name.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_base_only(inbox / "基础数据表.xlsx", BaseFigures(UNIT))
    write_scoring_only(inbox / "评分表.xlsx", sealed)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert set(batch.statuses.values()) == {"ok"}
    [form] = [form for f in batch.files for form in f.forms]
    assert form.name == UNIT and form.total == D("95.61")
    assert not [f for f in form.flags if "末尾括号不同" in f.message]


@pytest.mark.parametrize("name", ["长沙市开福区公章刻制管理中心", "长沙市开福区某某局（机关）", "长沙市某某局公章"])
def test_a_name_that_only_mentions_a_seal_or_ends_in_a_bracket_of_its_own_is_kept_whole(name):
    from perfeval_xl.labels import unit_key, without_seal_note

    assert without_seal_note(name) == name and unit_key(name) == name.replace("（", "(").replace("）", ")")


def test_the_unit_name_is_shown_without_its_seal_note(tmp_path):
    # Paired without it already; shown, the name kept "（盖章）".
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    book["指标评分表"]["A2"] = f"填报单位：{UNIT}（盖章）"
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.name == UNIT and form.total == D("95.61")


@pytest.mark.parametrize("row, name", [
    (0, "编制内人员控制率"), (1, "“三公经费”增减率"), (2, "重点项目支出保障率"), (5, "预算执行率"),
    (8, "“三公经费”预算执行率"), (10, "资产利用率"), (0, "在职人员控制率%"),
])
def test_other_names_of_the_computed_indicators_are_computed(tmp_path, row, name):
    # Each kept the unit's own score, the form told only "评分表中缺少规则指标…".
    rows = [list(r) for r in HUNAN_ROWS]
    rows[row][2] = name
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), rows=rows)).forms[0]
    assert form.total == D("95.61") and not [f for f in form.flags if "缺少规则指标" in f.message]


def test_a_subtotal_row_a_row_scored_at_the_second_level_and_a_weight_in_a_name_are_read(tmp_path):
    # 小计 rows were scored as indicators (193.61); a 满意度 row with a blank 三级 cell was dropped
    # with its points; "信息公开（3分）" beside a blank 分值 scored 0.
    rows = [list(r) for r in HUNAN_ROWS]
    rows.insert(3, ["投入", "预算配置", "小计", 15, 15])
    rows[-1][1:3] = ["服务对象满意度", None]  # scored at the second level
    rows.append(["效果", "履职效益", "信息公开（3分）", None, 3])
    form = perfeval_xl.score_workbook(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT), rows=rows)).forms[0]
    named = {item.name: item for item in form.items}
    assert "小计" not in named and named["服务对象满意度"].score == D("9.5") and named["信息公开（3分）"].weight == D(3)
    assert form.total == D("98.61")


def test_a_self_score_difference_of_more_than_two_places_is_told_as_it_is():
    from perfeval_xl.model import ItemScore
    from perfeval_xl.rules import load_rulebook
    from perfeval_xl.rules.checks import review

    item = ItemScore("投入", "目标设定", "绩效目标合理性", D(10), D("9.99"), D("9.979"), "")
    review(item, load_rulebook("hunan-dept"))
    assert "差异0.011" in item.flags[0].message


def test_a_next_years_budget_column_beside_the_evaluated_year_is_not_taken_for_it(tmp_path):
    # "2018年决算数 | 2019年预算数 | 2019年决算数 | 2020年预算数": 2020 became the year, the 三公经费
    # 变动率 was 2020's budget against 2019's 决算, and four rows "lacked" their 本年决算数 (74.42 中).
    from openpyxl import load_workbook

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = load_workbook(path)
    sheet = book["基础数据表"]
    header = next(row for row in sheet.iter_rows() if any(c.value == "2019年决算数" for c in row))
    column = max(c.column for c in header if c.value) + 1
    sheet.cell(header[0].row, column, "2020年预算数")
    for row in range(header[0].row + 1, header[0].row + 8):
        sheet.cell(row, column, 999)
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")
    assert not [flag for item in form.items for flag in item.flags if flag.level == "error"]


def test_a_blank_row_between_the_staff_headings_and_their_counts_loses_neither_count(tmp_path):
    # Both counts were lost: "基础数据表缺少“在职人数”、“编制数”", 在职人员控制率 0.
    from openpyxl import load_workbook

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = load_workbook(path)
    sheet = book["基础数据表"]
    heading = next(row for row in sheet.iter_rows() if any(c.value == "编制数" for c in row))
    sheet.insert_rows(heading[0].row + 1)
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["在职人员控制率"] == D("5.00") and form.total == D("95.61")


def test_a_base_data_sheet_without_its_三公经费_line_takes_the_sum_of_the_three_lines_under_it(tmp_path):
    # Both 三公经费 indicators scored 0 ("缺少…三公经费") for an amount the form holds in its parts.
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT, omit=("三公经费",)))
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")
    assert next(i for i in form.items if i.name == "“三公经费”变动率").basis.startswith("(6.5−6.8)/6.8=")
    assert [f.message for f in form.flags if "合计行" in f.message] == [
        "基础数据表没有“三公经费”合计行，已按其下各项（公务用车购置和维护经费、出国经费、公务接待）相加"]
    # One of the three missing too: no sum, and the rows say what they lack.
    path = write_department_workbook(tmp_path / "e.xlsx", BaseFigures(UNIT, omit=("三公经费", "2、出国经费")))
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["“三公经费”变动率"] == 0 and not [f for f in form.flags if "合计行" in f.message]


def test_findings_in_an_f2_sent_as_its_own_file_name_that_file(tmp_path):
    # 问题清单 listed them under the F3's file, whose workbook has no sheet 基础数据表.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_base_only(inbox / "a_基础数据表.xlsx", BaseFigures(UNIT, sangong=(3.1, 6.5, 5.92)))
    write_scoring_only(inbox / "b_评分表.xlsx", UNIT)
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [entry] = [f for f in summary["files"] if f["file"] == "b_评分表.xlsx"]
    [issue] = [i for i in entry["forms"][0]["issues"] if "不符" in i["message"]]
    assert issue["message"].endswith("不符（文件“a_基础数据表.xlsx”）") and issue["sheet"] == "基础数据表"
    [alone] = perfeval_xl.score_workbook(inbox / "b_评分表.xlsx").forms  # the library says the same
    assert [f.message for f in alone.flags if "不符" in f.message] == [issue["message"]]


def test_a_scoring_table_with_no_填报单位_on_either_form_says_so(tmp_path):
    # The form went unnamed, unsaid, in every summary.
    from openpyxl import Workbook

    book = Workbook()
    write_scoring_sheet(book.active, UNIT)
    book.active["A2"] = "填报单位："
    book.save(tmp_path / "f3.xlsx")
    [form] = perfeval_xl.score_workbook(tmp_path / "f3.xlsx").forms
    assert form.form.unit == ""
    assert [f.message for f in form.flags if f.message.startswith("未填写填报单位")] == [
        "未填写填报单位（评分表和基础数据表均未写明）"]


def unit_read(tmp_path, form: str, heading: list[list], merges=()) -> str:
    """The 填报单位 read from an F2 or an F3 sent alone whose heading lines under the title are ``heading``."""
    if form == "F2":
        return read_workbook(write_base_only(tmp_path / "f2.xlsx", BaseFigures("X"), heading=heading,
                                             heading_merges=merges)).unpaired_bases[0].unit
    return read_workbook(write_scoring_only(tmp_path / "f3.xlsx", "X", heading=heading,
                                            heading_merges=merges)).unpaired_tables[0].unit


@pytest.mark.parametrize("form", ["F2", "F3"])
@pytest.mark.parametrize("heading, unit", [
    ([["填报单位：测试:局"]], "测试:局"),
    ([["填报单位", "测试:局"]], "测试:局"),
    ([["填报单位：XX县教育局:机关　　　　单位：万元"]], "XX县教育局:机关"),
    ([["单位名称:XX局"]], "XX局"),  # an ASCII colon after a label's synonym is the label's
    ([["填报单位：XX局   填报时间：2024-03-01"]], "XX局"),
    ([["填报单位：XX局", None, None, "（金额单位：万元）"]], "XX局"),
    ([["填报单位：XX局（金额单位：万元）"]], "XX局"),
    ([["填报单位：", None, "填报时间：2024-03-01"]], ""),  # left blank: not the next label's text
    ([["填报单位：", None, None, "单位：万元"]], ""),
])
def test_a_colon_ends_a_unit_name_only_after_a_heading_label(tmp_path, form, heading, unit):
    # "测试:局" was taken for a label "测试" with nothing after it: the forms went unnamed and unpaired
    # ("未填写填报单位"); "（金额单位：万元）" in the unit's cell was part of its name.
    assert unit_read(tmp_path, form, heading) == unit


def test_a_unit_whose_name_holds_a_colon_names_and_pairs_its_forms(tmp_path):
    # Both forms read no unit: scored as a form "未填写填报单位", named nowhere in the summaries.
    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures("XX县教育局:机关"), one_line_heading=True)
    [form] = perfeval_xl.score_workbook(path).forms
    assert (form.name, form.form.base.unit, form.total) == ("XX县教育局:机关", "XX县教育局:机关", D("95.61"))
    assert not [f for f in form.flags if "填报单位" in f.message]


#: The 填报单位 line as clerks write it, each reading "长沙市开福区某某局" (UNIT) on F2 and F3 alike.
CLERKS_UNIT_LINES = {
    "label：value": [[f"填报单位：{UNIT}"]],
    "label:value": [[f"填报单位:{UNIT}"]],
    "label | value": [["填报单位", UNIT]],
    "label： | value": [["填报单位：", UNIT]],
    "value two cells right": [["填报单位：", None, UNIT]],
    "spaced label：value": [[f"填 报 单 位：{UNIT}"]],
    "spaced label | value": [["填 报 单 位", UNIT]],
    "required mark": [[f"*填报单位：{UNIT}"]],
    "value on the row under the label": [["填报单位"], [UNIT]],
    "单位（盖章）：value": [[f"单位（盖章）：{UNIT}"]],
    "单位（盖章） | value": [["单位（盖章）", UNIT]],
    "填报单位（盖章）：value": [[f"填报单位（盖章）：{UNIT}"]],
    "value（盖章）": [[f"填报单位：{UNIT}（盖章）"]],
    "部门（单位）名称：value": [[f"部门（单位）名称：{UNIT}"]],
    "部门名称 | value": [["部门名称", UNIT]],
    "with 填报时间 in the cell": [[f"填报单位：{UNIT}   填报时间：2024-03-01"]],
    "with 日期 after an ASCII colon": [[f"填报单位:{UNIT} 日期:2024-03-01"]],
    "with 填报人 in the cell": [[f"填报单位：{UNIT}  填报人：张三"]],
    "with 填报日期 in a cell of its own": [[f"填报单位：{UNIT}", None, None, "填报日期：2024年3月1日"]],
    "sealed label, 填报时间 in a cell of its own": [[f"填报单位（盖章）：{UNIT}", None, None, None, "填报时间：2024年3月"]],
    "with 单位：万元 in the cell": [[f"填报单位：{UNIT}　　　单位：万元"]],
    "编制单位 as the 部门决算 tables head it": [[f"编制单位：{UNIT}　　　单位：万元"]],
    "under a blank line": [[None], [f"填报单位：{UNIT}"]],
}


@pytest.mark.parametrize("form", ["F2", "F3"])
@pytest.mark.parametrize("variant", CLERKS_UNIT_LINES)
def test_the_unit_line_as_clerks_write_it_reads_the_unit(tmp_path, form, variant):
    # A unit under its label, or after "单位（盖章）", was not read: the forms went unnamed and unpaired.
    assert unit_read(tmp_path, form, CLERKS_UNIT_LINES[variant]) == UNIT


@pytest.mark.parametrize("form", ["F2", "F3"])
def test_a_label_and_its_value_merged_across_read_the_unit(tmp_path, form):
    assert unit_read(tmp_path, form, [["填报单位", None, UNIT]], [(0, 0, 0, 1), (0, 2, 0, 5)]) == UNIT


@pytest.mark.parametrize("form", ["F2", "F3"])
@pytest.mark.parametrize("heading", [
    [["填报单位："]],  # the table's header under it is no unit
    [["单位：万元"]],  # a bare 单位 is the money's
    [["填报单位"], ["一级指标", "二级指标"]],
    [["填报单位："], ["一、基本情况"]],  # a section's caption is no name
    [["填报单位："], ["（2019年度）"]],  # a label with its colon has its value beside it, or none
    [["填报单位"], ["2024年3月1日"]],  # a date line is no name
    [["填报单位"], ["2024-03-01"]],
])
def test_no_unit_is_read_from_a_blank_unit_line_or_the_money_units(tmp_path, form, heading):
    assert unit_read(tmp_path, form, heading) == ""


def test_staff_counts_left_blank_above_the_amounts_table_are_missing_not_its_headings(tmp_path):
    # Past the blank count row, the next table's headings were read as the counts: "编制数“2018年决算数”不是数字".
    from openpyxl import load_workbook

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = load_workbook(path)
    sheet = book["基础数据表"]
    heading = next(row for row in sheet.iter_rows() if any(c.value == "编制数" for c in row))
    for cell in sheet[heading[0].row + 1]:
        cell.value = None
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["在职人员控制率"] == 0
    assert not [f for f in form.flags + [f for i in form.items for f in i.flags] if "不是数字" in f.message]


def _with_adjustment_caption(path, budget, full_year):
    """The Hunan form's 预算调整 line (湘财绩〔2013〕…, as units fill it): "部门整体支出预算调整 | — |
    <年初预算> | <全年预算>" under the 上年决算数 / 本年预算数 / 本年决算数 heading."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["基础数据表"]
    sheet.append(["部门整体支出预算调整", "—", budget, full_year])
    book.save(path)
    return path, sheet.max_row


@pytest.mark.parametrize("figures", [
    BaseFigures(UNIT, omit={"年初预算", "本年追加预算"}),  # the Hunan form: no such rows
    BaseFigures(UNIT, initial=None, added=None),           # forms.md's rows, left blank
], ids=["no rows", "blank rows"])
def test_the_hunan_adjustment_line_gives_the_year_start_budget_and_the_addition(tmp_path, figures):
    # The Hunan F2 has no 年初预算 or 本年追加预算 row: its 部门整体支出预算调整 line holds the
    # year-start budget (预算数 column) and the full-year one (决算数 column).  Both rows were
    # "missing": 预算控制率 and 预算完成率 scored 0 (86.61).  追加 = 676.5 − 640 = 36.5, 5.70% → 4;
    # 完成率 (8.2+640+36.5−26)/(8.2+640+36.5) = 96.20% → 5.
    path, line = _with_adjustment_caption(write_department_workbook(tmp_path / "d.xlsx", figures), 640, 676.5)
    [form] = perfeval_xl.score_workbook(path).forms
    assert scores(form)["预算控制率"] == D("4.00") and scores(form)["预算完成率"] == D("5.00")
    assert "36.5/640=5.70%" in next(i.basis for i in form.items if i.name == "预算控制率")
    assert form.total == D("95.61")
    [flag] = [f for f in form.flags if "预算调整" in f.message]
    assert str(flag) == ("基础数据表未单列年初预算、本年追加预算，已按“部门整体支出预算调整”行读取：年初预算640（本年预算数列）；"
                         "本年追加预算36.5（全年预算676.5−年初预算640），"
                         f"如有误，请单位在基础数据表中分行填写年初预算、本年追加预算（A{line}）")


def test_rows_of_their_own_are_read_before_the_adjustment_line(tmp_path):
    # A form with both keeps its 年初预算 and 本年追加预算 rows (36.5/640), whatever the line says.
    path, _ = _with_adjustment_caption(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)), 600, 700)
    [form] = perfeval_xl.score_workbook(path).forms
    assert "36.5/640=5.70%" in next(i.basis for i in form.items if i.name == "预算控制率")
    assert form.total == D("95.61") and not [f for f in form.flags if "预算调整" in f.message]


def _scoring_header(path, header):
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["指标评分表"]
    row = next(cells for cells in sheet.iter_rows() if cells[0].value == "一级指标")
    for cell, value in zip(row, header):
        cell.value = value
    book.save(path)
    return path


def test_weight_columns_headed_as_the_score_column_are_read_as_weights(tmp_path):
    # A Hunan unit's filled table heads every level's 分值 column 得分, as it heads the self-score:
    # it was no F3 at all ("只有基础数据表（F2）").  The 得分 right after 三级指标 is the weight, the
    # last the self-score (绩效指标明确性 4.5 of 5).
    path = _scoring_header(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)),
                           ["一级指标", "得分", "二级指标", "得分", "三级指标", "得分", "评价标准", "指标说明", "得分"])
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61")
    item = next(i for i in form.items if i.name == "绩效指标明确性")
    assert (item.weight, item.self_score, item.score) == (D(5), D("4.5"), D("4.5"))


def test_one_score_column_right_of_the_indicator_names_is_still_no_weight(tmp_path):
    # With no other 得分 after it, the 得分 beside 三级指标 is the self-score: no weight is guessed.
    path = _scoring_header(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)),
                           ["一级指标", None, "二级指标", None, "三级指标", "得分", "评价标准", "指标说明", "备注"])
    with pytest.raises(perfeval_xl.WorkbookError, match="未找到同一填报单位的指标评分表（F3）"):
        perfeval_xl.score_workbook(path)


def _framework_table(path, weights_in_names):
    """F3 after the MOF framework (财预〔2013〕53号: 一级 | 二级 | 三级指标 | 指标解释 | 指标说明, a 得分
    added) as a unit fills it: no 分值 column, each weight after its name ("在职人员控制率(5)", as
    the table on taodocs.com p-534480183 writes them), 投入's after the level's name."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    del book["指标评分表"]
    sheet = book.create_sheet("指标体系表")
    sheet.append(["部门整体支出绩效评价指标体系表"])
    sheet.append([f"填报单位：{UNIT}"])
    sheet.append(["一级\n指标", "二级\n指标", "三级指标", "指标解释", "指标说明", "得分"])
    for level1, level2, name, weight, own in HUNAN_ROWS:
        if weights_in_names:
            level1 = "投 入\n(25)" if level1 == "投入" else level1
            name = f"{name}\n({weight})" if name != "社会效益" else f"{name}（{weight}分）"
        sheet.append([level1, level2, name, f"{name}的解释", "评价要点", own])
    book.save(path)
    return path


def test_an_explanation_column_beside_the_standard_does_not_take_its_place(tmp_path):
    # 指标解释 | 评价标准, a common provincial order: the first match won, and the scored F3 showed
    # the 指标解释 in the 评价标准 column and dropped the standard itself.  (Alone, 指标解释 is shown
    # as the standard: the MOF framework's tables have no other; see the test below.)
    import openpyxl

    path = write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT))
    book = openpyxl.load_workbook(path)
    sheet = book["指标评分表"]
    header = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == "一级指标")
    sheet.cell(header, 7, "指标解释")
    sheet.cell(header, 8, "评价标准")
    for row in range(header + 1, sheet.max_row + 1):
        if sheet.cell(row, 5).value:
            sheet.cell(row, 7, "指标的含义")
            sheet.cell(row, 8, "完成得满分，否则按比例扣分")
    book.save(path)
    [form] = perfeval_xl.score_workbook(path).forms
    assert {row.standard for row in form.form.rows} == {"完成得满分，否则按比例扣分"}
    assert form.total == D("95.61")


def test_weights_written_after_the_names_of_a_table_without_a_weight_column_are_read(tmp_path):
    # It was no F3 at all: the workbook failed with "只有基础数据表（F2）".
    path = _framework_table(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)), True)
    [form] = perfeval_xl.score_workbook(path).forms
    assert form.total == D("95.61") and not [f for f in form.flags if "分值" in f.message]
    item = next(i for i in form.items if i.name.startswith("绩效指标明确性"))
    assert (item.weight, item.self_score, item.score) == (D(5), D("4.5"), D("4.5"))
    assert item.target == "绩效指标明确性\n(5)的解释"  # the 指标解释 column is carried over
    first = form.form.rows[0]  # "投入(25)": checked against its rows' 5+5+5+5+5, shown as "投入（25分）"
    assert (first.level1, first.level1_weight) == ("投入", D(25))


def test_a_table_without_a_weight_column_or_weights_in_its_names_is_still_no_scoring_table(tmp_path):
    path = _framework_table(write_department_workbook(tmp_path / "d.xlsx", BaseFigures(UNIT)), False)
    with pytest.raises(perfeval_xl.WorkbookError, match="未找到同一填报单位的指标评分表（F3）"):
        perfeval_xl.score_workbook(path)
