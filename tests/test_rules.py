"""Each scoring rule of scoring.md §2–4, on forms built in code."""
import dataclasses
import textwrap
from decimal import Decimal

import pytest

from perfeval_xl.model import FundLine, Funds, Indicator, ProjectForm, Source
from perfeval_xl.rules import load_rulebook, score_form
from perfeval_xl.rules.project import score_execution, score_indicator
from perfeval_xl.values import parse_value

D = Decimal
MOF = load_rulebook("mof-2020-project")
CENTRAL = load_rulebook("central-pre2020-project")


def indicator(target, actual, weight=10, self_score=None, reason="", level1="产出指标", name="指标"):
    return Indicator(level1=level1, level2="数量指标", name=name,
                     target=parse_value(target), actual=parse_value(actual),
                     weight=None if weight is None else D(str(weight)),
                     self_score=None if self_score is None else D(str(self_score)),
                     reason=reason, source=Source("表", "D13"),
                     cells={"actual": Source("表", "F13"), "score": Source("表", "H13"),
                            "reason": Source("表", "I13")})


def funds(budget, executed, weight=10, initial=None, full_year=True, parts=()):
    lines = [FundLine("年度资金总额", "total", D(str(initial if initial is not None else budget)),
                      D(str(budget)) if full_year else None, D(str(executed)), Source("表", "C6"))]
    for kind, b, e in parts:
        lines.append(FundLine(kind, kind, D(str(b)), D(str(b)) if full_year else None, D(str(e)), Source("表", "C7")))
    return Funds(lines=lines, weight=None if weight is None else D(str(weight)), self_score=None,
                 has_full_year_budget=full_year, source=Source("表", "C6"))


def messages(item):
    return " / ".join(flag.message for flag in item.flags)


# ---------------------------------------------------------------- budget execution (§2)

def test_execution_is_rate_times_weight_with_its_working_shown():
    item = score_execution(funds(62.5, 59.38), MOF)
    assert item.score == D("9.50")
    assert item.basis.startswith("59.38/62.5×10=9.50")


def test_execution_over_100_percent_gets_full_score_and_a_flag():
    item = score_execution(funds(100, 104), MOF)
    assert item.score == D("10.00")
    assert "超过100%" in messages(item)


def test_execution_without_full_year_budget_uses_year_start_budget_and_says_so():
    item = score_execution(funds(12, 10.8, full_year=False), MOF)
    assert item.score == D("9.00")
    assert "按年初预算数" in messages(item)


def test_a_full_year_budget_column_left_blank_falls_back_to_the_year_start_budget_and_says_so():
    # The column is there but empty on every row: "项目资金预算数缺失", 0, though 年初预算数 stood there.
    blank = funds(12, 10.8)
    blank.lines[0].budget = None
    item = score_execution(blank, MOF)
    assert (item.score, item.basis) == (D("9.00"), "按年初预算数：10.8/12×10=9.00（执行率90.00%）")
    assert messages(item) == "全年预算数未填写，按年初预算数计算执行率"
    # One row of it filled: the column is read as filled, the sub-rows summed as §2 says.
    partly = funds(0, 0, parts=[("财政拨款", 12, 10.8)])
    partly.lines[0].budget = partly.lines[0].executed = None
    assert score_execution(partly, MOF).score == D("9.00") and "年初预算数" not in messages(score_execution(partly, MOF))


def test_empty_total_row_falls_back_to_the_sum_of_sub_rows():
    item = score_execution(funds(0, 0, parts=[("fiscal", 35, 34), ("carryover", 1, 1.1)]), MOF)
    assert item.score == D("9.75")  # 35.1/36×10
    assert "各项资金合计" in messages(item)


def test_budget_and_execution_zero_is_not_applicable_and_the_total_is_rescaled():
    form = ProjectForm(file="f.xlsx", sheet="表", layout="national-2020", name="项目",
                       funds=funds(0, 0), full_marks=D(100),
                       indicators=[indicator("≥10个", "9个", weight=90, reason="进度滞后")])
    result = score_form(form, MOF)
    assert not result.items[0].applicable
    assert result.total == D("90.00")  # 81 × 100 / (100 − 10)
    assert "折算" in " ".join(f.message for f in result.flags)


def test_rescaling_uses_the_rulebooks_full_marks_not_the_subtotal_a_unit_wrote_on_the_total_row():
    form = ProjectForm(file="f.xlsx", sheet="表", layout="national-2020", name="项目",
                       funds=funds(0, 0), full_marks=D(90),  # the 总分 row's 分值: the indicators' subtotal
                       indicators=[indicator("≥10个", "10个", weight=90)])
    assert score_form(form, MOF).total == D("100.00")  # 90 × 100 / (100 − 10), never above full marks


@pytest.mark.parametrize("w_exec", [100, 110], ids=["division-by-zero", "negative-total"])
def test_an_execution_weight_of_full_marks_or_more_is_not_rescaled_but_flagged_on_its_cell(w_exec):
    # total × 100 / (100 − w_exec) divided by zero at 100 and turned the total negative above it.
    form = ProjectForm(file="f.xlsx", sheet="表", layout="national-2020", name="项目",
                       funds=dataclasses.replace(funds(0, 0, weight=w_exec), weight_source=Source("表", "F6")),
                       full_marks=D(100), indicators=[indicator("≥10个", "9个", weight=10, reason="进度滞后")])
    result = score_form(form, MOF)
    assert result.total == D("9.00") and result.grade == "差"  # the indicators' own points, unscaled
    flag = next(f for f in result.flags if "折算" in f.message)
    assert flag.level == "error" and flag.source == Source("表", "F6")
    assert f"预算执行分值为{w_exec}，不小于满分100，总分无法按满分折算" in flag.message


def test_execution_rate_times_weight_is_rounded_once():
    # 1.3/12×9 = 11.7/12 = 0.975 exactly: half-up gives 0.98 (the rate rounded first gave 0.97499…)
    assert score_execution(funds(12, 1.3, weight=9), MOF).score == D("0.98")


def test_budget_zero_with_spending_is_an_error_scoring_zero():
    item = score_execution(funds(0, 5), MOF)
    assert item.score == 0
    assert any(flag.level == "error" for flag in item.flags)


@pytest.mark.parametrize("budgets, spent, message, cell", [
    ((10, -40), (5, 0), "预算数为负数（-30），数据有误", "D8"),
    ((100, 60), (-20, 10), "执行数为负数（-10），按0计算", "F7"),
])
def test_a_negative_sum_of_the_sub_rows_is_flagged_at_the_negative_sub_row_not_the_empty_total(budgets, spent,
                                                                                             message, cell):
    lines = [FundLine("年度资金总额", "total", None, None, None, Source("表", "C6"),
                      {"budget": Source("表", "D6"), "executed": Source("表", "F6")})]
    for row, (kind, budget, executed) in enumerate(zip(("fiscal", "other"), budgets, spent), start=7):
        lines.append(FundLine(kind, kind, D(budget), D(budget), D(executed), Source("表", f"C{row}"),
                              {"budget": Source("表", f"D{row}"), "executed": Source("表", f"F{row}")}))
    funds = Funds(lines=lines, weight=D(10), self_score=None, has_full_year_budget=True, source=Source("表", "C5"))
    item = score_execution(funds, MOF)
    [flag] = [flag for flag in item.flags if flag.message == message]
    assert flag.source.cell == cell


def test_a_negative_sub_row_hidden_in_a_sum_that_is_not_negative_is_flagged_at_its_cell():
    lines = [FundLine("年度资金总额", "total", None, None, None, Source("表", "C6"))]
    lines += [FundLine("财政拨款", "fiscal", D(100), D(100), D(-20), Source("表", "C7"), {"executed": Source("表", "F7")}),
              FundLine("其他资金", "other", D(50), D(50), D(30), Source("表", "C8"), {"executed": Source("表", "F8")})]
    funds = Funds(lines=lines, weight=D(10), self_score=None, has_full_year_budget=True, source=Source("表", "C6"))
    item = score_execution(funds, MOF)
    assert item.score == D("0.67")  # 10/150×10: summed as written
    [flag] = [flag for flag in item.flags if "为负数" in flag.message]
    assert (flag.message, flag.source.cell) == ("财政拨款执行数为负数（-20），已按所填数计入合计", "F7")


@pytest.mark.parametrize("parts, cell", [
    ([("财政拨款", "fiscal", 100, 90), ("其他资金", "other", 10, 30)], "F8"),  # the sub-row that overspent
    ([("财政拨款", "fiscal", 100, 100), ("其他资金", "other", None, 5)], "F8"),  # spent without a budget
], ids=["over-its-budget", "without-a-budget"])
def test_spending_over_the_budget_summed_from_sub_rows_is_flagged_at_a_sub_row_not_the_empty_total(parts, cell):
    lines = [FundLine("年度资金总额", "total", None, None, None, Source("表", "C6"),
                      {"budget": Source("表", "D6"), "executed": Source("表", "F6")})]
    for row, (label, kind, budget, executed) in enumerate(parts, start=7):
        amount = None if budget is None else D(budget)
        lines.append(FundLine(label, kind, amount, amount, D(executed), Source("表", f"C{row}"),
                              {"budget": Source("表", f"D{row}"), "executed": Source("表", f"F{row}")}))
    funds = Funds(lines=lines, weight=D(10), self_score=None, has_full_year_budget=True, source=Source("表", "C5"))
    item = score_execution(funds, MOF)
    [flag] = [flag for flag in item.flags if "超过100%" in flag.message]
    assert flag.source.cell == cell


def test_missing_execution_weight_uses_the_rulebook_default_and_flags_it():
    item = score_execution(funds(50, 50, weight=None), MOF)
    assert item.weight == D(10) and item.score == D("10.00")
    assert "默认" in messages(item)


# ---------------------------------------------------------------- quantitative indicators (§3)

@pytest.mark.parametrize("target, actual, weight, expected, basis", [
    ("≥50个", "48个", 8, "7.68", "48/50×8=7.68"),
    ("≥120000件", "111074件", 10, "9.26", "111074/120000×10=9.26"),
    ("≥16个", "16个", 10, "10.00", "16≥16"),
    ("500", "460", 10, "9.20", "460/500×10=9.20"),         # no operator → ≥
    ("=100%", "96%", 10, "9.60", "96/100×10=9.60"),        # equal with T > 0 → as positive
    ("≤80万元", "92万元", 10, "8.70", "80/92×10=8.70"),     # reverse
    ("≤80万元", "75万元", 10, "10.00", "75≤80"),
    ("≤0起", "0起", 5, "5.00", "≤0"),                       # reverse with T = 0
    ("≤0起", "2起", 5, "0.00", ">0"),
    ("=0", "1", 5, "0.00", ">0"),
    ("≥95%", "0.93", 10, "9.79", "93/95×10=9.79"),         # fraction written for a percent
    ("≤90万元", "950000元", 10, "9.47", "90/95×10=9.47"),   # 元 converted to 万元
    ("≤90万", "920000元", 10, "9.78", "90/92×10=9.78"),     # a bare 万 in a cost target is 万元
    ("≥12万件", "111074件", 10, "9.26", "11.1074/12×10=9.26"),  # one unit at two scales
    ("≥12万件", "11", 10, "9.17", "11/12×10=9.17"),          # an actual without a unit is in the target's
    ("不得低于95%", "90%", 10, "9.47", "90/95×10=9.47"),    # a modal between 不 and 低于
    ("不得超过5%", "8%", 10, "6.25", "5/8×10=6.25"),
    ("较2021年增长≥5%", "增长4%", 10, "8.00", "4/5×10=8.00"),  # a year as the base, not a deadline
    ("较2021年增长≥5%", "较2021年增长4%", 10, "8.00", "4/5×10=8.00"),  # the actual repeats the year
    ("2022年度培训≥500人次", "2022年度培训450人次", 10, "9.00", "450/500×10=9.00"),
    # a time limit written "…内" is a ceiling
    ("3个工作日内", "4个工作日", 10, "7.50", "3/4×10=7.50"),
    ("10天内", "8天", 10, "10.00", "8≤10"),
    ("2小时内响应", "3小时", 10, "6.67", "2/3×10=6.67"),
    # a number of the indicator's own words before the comparison
    ("12345热线接通率≥95%", "96%", 10, "10.00", "96≥95"),
    ("65岁以上老年人健康管理率≥70%", "68%", 10, "9.71", "68/70×10=9.71"),
    # an actual with a dated note; a target with a number beside its deadline
    ("≥95%", "100%（截至2019年12月底）", 10, "10.00", "100≥95"),
    ("≥50个", "45个（12月31日前完成）", 10, "9.00", "45/50×10=9.00"),
    ("年底前完成50个", "45个", 10, "9.00", "45/50×10=9.00"),
    ("100%(2019年)", "98%", 10, "9.80", "98/100×10=9.80"),
    # none of what is counted
    ("零事故", "0起", 5, "5.00", "目标值为0"),
    ("=0起", "未发生", 5, "5.00", "目标值为0"),
    ("零投诉", "2次", 5, "0.00", ">0"),
    # one measure at two sizes
    ("≤2小时", "90分钟", 10, "10.00", "实际值90分钟=1.5小时；1.5≤2"),
    ("≤5‰", "0.6%", 10, "8.33", "实际值0.6%=6‰；5/6×10=8.33"),
    ("≥10公里", "8000米", 10, "8.00", "8/10×10=8.00"),
    # a deviation either way
    ("±5%", "-3%", 10, "10.00", "偏差取绝对值3；3≤5"),
    ("±5%", "8%", 10, "6.25", "5/8×10=6.25"),
    # 元 by its sign; a percentage in words
    ("≤10万元", "￥120000", 10, "8.33", "实际值120000元=12万元；10/12×10=8.33"),
    ("≥95%", "百分之九十", 10, "9.47", "90/95×10=9.47"),
])
def test_quantitative_rules(target, actual, weight, expected, basis):
    item = score_indicator(indicator(target, actual, weight, reason="说明"), MOF)
    assert item.score == D(expected)
    assert basis in item.basis


@pytest.mark.parametrize("target, actual, expected, basis", [
    # a sentence with a date and several numbers: the one its words single out ("不是数值", 0, before)
    ("≥300人次", "2019年共培训320人次，较2018年增加20人次", "10.00", "320≥300"),
    ("≤80万元", "截至2019年12月31日，实际支出78.6万元，结余1.4万元", "10.00", "78.6≤80"),
    ("≥90%", "2019年满意度96.3%，较上年提高1.2个百分点", "10.00", "96.3≥90"),
    # several numbers alike: the achieved one, not the plan's (the plan's was taken, full marks)
    ("≥300人次", "计划培训300人次，实际培训280人次", "9.33", "280/300×10=9.33"),
    ("≤80万元", "预算总额80万元，实际支出86.5万元", "9.25", "80/86.5×10=9.25"),
    ("≥95%", "目标95%，实际93%", "9.79", "93/95×10=9.79"),
    ("≥12次", "全年计划开展12次，实际开展10次", "8.33", "10/12×10=8.33"),
    ("≤90万元", "总投资100万元，实际支出86.5万元", "10.00", "86.5≤90"),
    # a deadline written as a year and month with a dot (a number before: "按时完成" 0, "2020.03" 10)
    ("2019.12", "按时完成", "9.00", "达成档"),
    ("2019.12", "2020.03", "0.00", "无法归入任何档次"),  # a date fits no band (§3): 10, three months late, before
    ("2019.10-2019.12", "已完成", "9.00", "达成档"),
    ("2019年内完成", "已完成", "9.00", "达成档"),      # "≤2019年" before
    # nothing happened, in more words ("不是数值", 0, before)
    ("≤0起", "全年未发生安全事故", "10.00", "0≤0"),
    ("≤0起", "未发生一起安全事故", "10.00", "0≤0"),
    ("零投诉", "未接到投诉", "10.00", "0≤0"),
    ("零投诉", "无一例投诉", "10.00", "0≤0"),
    ("零事故", "无安全事故发生", "10.00", "0≤0"),
    ("零事故", "全年零事故。", "10.00", "0≤0"),
    # ten thousand of what the target counts (1.2 against 10000 before, 0.00 unflagged)
    ("≥10000人次", "1.2万", "10.00", "实际值1.2万=12000人次；12000≥10000"),
    ("≥1万人次", "0.9万", "9.00", "0.9/1×10=9.00"),
    # the target's own words with a full stop do not "equal" them (§3): no band word, no band
    ("有效提升", "有效提升。", "0.00", "无法归入任何档次"),
])
def test_what_units_really_type_in_their_actuals(target, actual, expected, basis):
    item = score_indicator(indicator(target, actual, reason="说明"), MOF)
    assert (item.score, basis in item.basis) == (D(expected), True), item.basis


@pytest.mark.parametrize("target, actual, said", [
    ("2019.12", "2019.11", "；实际完成时间不晚于年度指标值“2019.12”"),
    ("2019年12月底前", "2019-12-20", "；实际完成时间不晚于年度指标值“2019年12月底前”"),
    ("2019.12", "2020.03", "；实际完成时间晚于年度指标值“2019.12”"),
    ("2019年12月31日前", "2019年12月20日", "；实际完成时间不晚于年度指标值“2019年12月31日前”"),
    ("2019年12月15日前", "2019年12月20日", "；实际完成时间晚于年度指标值“2019年12月15日前”"),  # a day against a day
    ("年底前", "2019.11", ""),                                     # no year to compare with
])
def test_a_date_done_against_a_deadline_fits_no_band_and_the_flag_says_whether_it_was_on_time(target, actual, said):
    # scoring.md §3: text that fits no band is 0, flagged; a person scores it, told what the dates say.
    item = score_indicator(indicator(target, actual, self_score=10, reason="说明"), MOF)
    assert item.score == D("0.00") and "无法归入任何档次" in item.basis
    [flag] = [f.message for f in item.flags if f.message.startswith("无法判定定性指标")]
    assert flag == f"无法判定定性指标（实际完成“{actual}”）{said}"


def test_dates_typed_into_date_cells_are_compared_as_the_unit_meant_them():
    import datetime

    def said(target, actual):
        item = score_indicator(indicator(target, actual, reason="说明"), MOF)
        return next(f.message for f in item.flags if f.message.startswith("无法判定定性指标"))

    assert said(datetime.datetime(2019, 12, 31), datetime.datetime(2019, 11, 30)).endswith("不晚于年度指标值“2019年12月31日”")
    # "2019年12月" typed is kept as 2019-12-01: the month, not its first day, is the deadline.
    assert said(datetime.datetime(2019, 12, 1), datetime.datetime(2019, 12, 20)).endswith("不晚于年度指标值“2019年12月01日”")
    # Across years a date cell's year may be the year it was typed in ("5月20日" typed in 2020): not said.
    assert said(datetime.datetime(2019, 6, 30), datetime.datetime(2020, 5, 20)) == "无法判定定性指标（实际完成“2020年05月20日”）"


def test_a_band_word_after_a_date_past_the_deadline_is_flagged():
    item = score_indicator(indicator("2019年12月底前", "2020年1月完成", reason="说明"), MOF)
    assert item.score == D("9.00")  # 完成 bands it, as scoring.md §3 says
    assert "实际完成“2020年1月完成”晚于年度指标值“2019年12月底前”，按达成档评分可能有误" in messages(item)


def test_不能_before_a_band_word_is_a_negation_to_flag():
    item = score_indicator(indicator("按期完成", "不能按期完成", reason="说明"), MOF)
    assert "否定词“不能”" in messages(item)


@pytest.mark.parametrize("target, actual, expected, basis", [
    # a first number that is the target, or a bound, not a name's: its comparison stays
    ("90%≤x≤100%", "85%", "1.89", "85/90×2=1.89"),
    ("10期，每期不少于50人", "10期", "2.00", "10≥10"),
    ("完成率100%，误差≤5%", "100%", "2.00", "100≥100"),
    ("培训5000人次，合格率≥90%", "5000人次", "2.00", "5000≥5000"),
    # an actual restating its target, or holding two counts
    ("≥95%", "93%（目标≥95%）", "1.96", "93/95×2=1.96"),
    ("≤5%", "8%（控制在5%以内）", "1.25", "5/8×2=1.25"),
    ("≥12个", "新增10个，其中3个≥500平方米", "1.67", "10/12×2=1.67"),
    ("≥50个", "上半年20个，下半年25个", "0.00", "不是数值"),
    ("≥50个", "1-12月完成45个", "1.80", "45/50×2=1.80"),
    # 内 after a time unit, with the target after it; 内 of a place
    ("3天内完成率100%", "95%", "1.90", "95/100×2=1.90"),
    ("3日内完成50个", "45个", "1.80", "45/50×2=1.80"),
    ("12个镇街内", "10个", "1.67", "10/12×2=1.67"),
    # a time converted the way that ends; a tolerance around a value is no deviation
    ("1周内", "5天", "2.00", "目标值1周=7天；5≤7"),
    ("1年内", "10个月", "2.00", "目标值1年=12个月"),
    ("≤1年", "365天", "2.00", "实际值365天=1年"),
    ("20±2℃", "21℃", "2.00", "21≥20"),
    # the words a target and its actual share before their numbers
    ("65岁以上老年人健康管理率≥70%", "65岁以上老年人健康管理率68%", "1.94", "68/70×2=1.94"),
    ("≥95.5%", "百分之九十五点八", "2.00", "95.8≥95.5"),
    ("零事故", "未出现明显下降", "0.00", "不是数值"),
])
def test_what_the_new_readings_must_leave_alone(target, actual, expected, basis):
    # Each was misread by the first version of the readings above (a review of 15,078 workbooks
    # and of pairs written to trip them).
    item = score_indicator(indicator(target, actual, 2, reason="说明"), MOF)
    assert item.score == D(expected) and basis in item.basis


@pytest.mark.parametrize("target, actual, basis", [
    ("≥500人次", "举办培训班5期，培训学员512人次", "512≥500"),      # the number counting what the target counts
    ("≥1000户", "完成15个村1023户改厕", "1023≥1000"),
    ("≥95%", "抽检3120批次，合格率99.3%", "99.3≥95"),
    ("≤30万元", "完成3个项目，支出28.6万元", "28.6≤30"),
    ("≥12次", "每月1次，全年12次", "12≥12"),                       # of several alike, the total
    ("≥200人", "其中脱贫人口45人，共带动就业230人", "230≥200"),
    ("≥5处", "新建2处、改造3处，共5处", "5≥5"),
    ("≥480人次", "完成480人次（其中女性120人次）", "480≥480"),      # not the part in brackets
])
def test_an_actual_stating_several_numbers_is_read_by_the_one_in_the_targets_unit(target, actual, basis):
    # The first number was taken whatever it counted: 5期 against ≥500人次 scored 0.10.
    item = score_indicator(indicator(target, actual, reason="说明"), MOF)
    assert item.score == D("10.00") and basis in item.basis


def test_an_actual_with_no_number_in_the_targets_unit_says_so():
    item = score_indicator(indicator("≥300户", "发放慰问金16万元，覆盖3个村", reason="说明"), MOF)
    assert "中没有以“户”计的数值，按第一个数值16万元比较" in messages(item)


def test_a_question_answered_in_the_actual_is_banded_by_its_answer():
    # "是否可持续：是" was 未达成 for the 否 of its question: 1.50 of 5, not 4.50.
    item = score_indicator(indicator("持续", "是否可持续：是", 5), MOF)
    assert item.score == D("4.50")




def test_units_of_two_measures_that_cannot_be_converted_are_flagged():
    item = score_indicator(indicator("1小时内响应", "100%", reason="说明"), MOF)
    assert "单位“小时”与实际完成值单位“%”不一致" in messages(item)


@pytest.mark.parametrize("target, actual, expected, shown", [
    ("≥1.2万", "11000", "9.17", "视为11000，换算为1.1万"),
    ("≤10万元", "120000.00", "8.33", "视为120000元，换算为12万元"),
])
def test_a_bare_actual_a_hundred_times_a_scaled_target_is_in_its_base_unit_and_flagged(target, actual, expected,
                                                                                         shown):
    item = score_indicator(indicator(target, actual, reason="说明"), MOF)
    assert item.score == D(expected)
    assert shown in messages(item)


def test_a_bare_actual_near_a_scaled_target_is_in_the_targets_unit():
    item = score_indicator(indicator("≥12万件", "11", reason="说明"), MOF)
    assert item.score == D("9.17") and "未写单位" not in messages(item)


@pytest.mark.parametrize("placeholder", ["―", "─", "一", "~", "暂无", "NA", "x"])
def test_a_dash_look_alike_or_a_word_for_nothing_is_no_value_not_equal_text(placeholder):
    item = score_indicator(indicator(placeholder, placeholder), MOF)
    assert item.score == D("0.00") and "年度指标值缺失" in messages(item)


@pytest.mark.parametrize("target", ["≥XX%", "XX%", "XX个", "≤XX万元", "不低于XX%", "—%", "≥—", "≥XX万平方米",
                                    "XX人次", "≥XX百分比"])
def test_a_templates_placeholder_with_its_operator_or_unit_is_a_missing_target_not_a_qualitative_one(target):
    # "≥XX%" left from the template was read as words: the indicator was qualitative, its actual
    # "96%" was told "无法判定定性指标", and nothing said the form was incomplete.
    item = score_indicator(indicator(target, "96%", reason="r"), MOF)
    assert (item.score, item.basis) == (D("0.00"), "年度指标值缺失，得0分")
    assert "年度指标值缺失，自评表不完整" in messages(item) and "无法判定" not in messages(item)


@pytest.mark.parametrize("actual", ["XX%", "XX个", "—%"])
def test_a_templates_placeholder_with_its_unit_is_a_missing_actual_not_a_text(actual):
    item = score_indicator(indicator("≥95%", actual, reason="r"), MOF)
    assert item.basis == "实际完成值缺失，得0分" and "不是数值" not in messages(item)


@pytest.mark.parametrize("target, actual, expected", [
    ("—按时完成", "—按时完成", "9.00"),  # a dash as a bullet before words: the words are the target
    ("一流", "一流", "9.00"),            # 一 is a numeral, not a dash, before words
    ("XX项目按时完成", "已完成", "9.00"),  # a template's sentence about a project, not an unfilled value
    ("X光机配备到位", "已完成", "9.00"),
    ("XX县全覆盖", "已完成", "9.00"),    # XX a place the unit left unfilled, before words that are no unit
    ("XX镇完成", "已完成", "9.00"),
])
def test_a_dash_or_x_among_words_keeps_the_target_qualitative(target, actual, expected):
    item = score_indicator(indicator(target, actual, reason="r"), MOF)
    assert item.score == D(expected) and item.basis.startswith("定性指标")


def test_a_deadline_target_stays_qualitative_against_an_actual_in_words():
    item = score_indicator(indicator("2019年12月底前完成3个项目验收", "已完成", self_score=10), MOF)
    assert item.score == D("10.00") and "定性" in item.basis


def test_linear_reverse_option():
    linear = dataclasses.replace(MOF, reverse="linear")
    assert score_indicator(indicator("≤80", "92", 10, reason="r"), linear).score == D("8.50")  # 10×(1−12/80)
    floored = score_indicator(indicator("≤10", "30", 10, reason="r"), linear)
    assert (floored.score, floored.basis) == (D("0.00"), "10×(1−(30−10)/10)=-10.00<0，按0计，得0.00")  # said so
    # 15×(1−(58.01−30)/30) = 15×1.99/30 = 0.995 exactly: half-up gives 1.00, not 0.99
    assert score_indicator(indicator("≤30", "58.01", 15, reason="r"), linear).score == D("1.00")


@pytest.mark.parametrize("target, actual, expected", [
    ("≥0%", "-5%", "0.00"),    # T = 0: no ratio to take (it raised DivisionByZero and lost the whole form)
    ("≥-5%", "-10%", "0.00"),  # T < 0: w × A / T would give twice the weight
    ("≤-5%", "-3%", "0.00"),   # reverse, T < 0: w × T / A would give 16.67 of 10
    ("≤-5%", "3%", "0.00"),    # … or −16.67
])
def test_a_target_of_zero_or_below_not_reached_scores_zero_for_a_human_to_review(target, actual, expected):
    item = score_indicator(indicator(target, actual, 10, reason="r"), MOF)
    assert item.score == D(expected)
    assert "人工复核" in " ".join(flag.action for flag in item.flags)


def test_a_negative_rate_against_a_positive_target_scores_zero_not_below():
    assert score_indicator(indicator("≥5%", "-3%", 30, reason="r"), MOF).score == D("0.00")  # not −18


def test_an_actual_that_fits_no_band_is_told_the_rulebooks_own_band_words(tmp_path):
    # The advice was "已完成/部分完成/未完成" whatever the bands, under a bureau's 达标/基本达标/不达标 too.
    import yaml

    from perfeval_xl.rules.rulebook import rulebook_text

    [flag] = [f for f in score_indicator(indicator("有效提升", "没有变化", 10), MOF).flags if "无法判定" in f.message]
    assert flag.action.startswith("请单位按“达成年度指标/部分达成/未达成”等表述填写")
    data = yaml.safe_load(rulebook_text("mof-2020-project"))
    data["name"] = "本局规则"
    for band, words in zip(data["qualitative"]["bands"], (["不达标"], ["基本达标"], ["达标"])):
        band["words"] = words
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    [flag] = [f for f in score_indicator(indicator("有效提升", "没有变化", 10), load_rulebook(path)).flags
              if "无法判定" in f.message]
    assert flag.action.startswith("请单位按“达标/基本达标/不达标”等表述填写")


def test_bands_are_matched_from_the_lowest_share_up_whatever_the_rulebook_order(tmp_path):
    import yaml

    from perfeval_xl.rules.rulebook import rulebook_text

    data = yaml.safe_load(rulebook_text("mof-2020-project"))
    data["qualitative"]["bands"].reverse()  # 达成 listed first: its "完成" is inside "未完成"
    path = tmp_path / "reordered.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reordered = load_rulebook(path)
    assert score_indicator(indicator("按期完成", "未完成", 10), reordered).score == D("3.00")  # 未达成 midpoint
    assert score_indicator(indicator("按期完成", "基本完成", 10), reordered).score == D("7.00")


def test_fraction_scaling_is_flagged():
    assert "按百分比换算" in messages(score_indicator(indicator("≥95%", "0.93"), MOF))


def test_a_count_in_chinese_numerals_is_a_number():
    # "不少于三次" had no digit, so it was qualitative, and the actual 4次 fitted no band: 0 points.
    assert score_indicator(indicator("不少于三次", "4次"), MOF).basis == "4≥3，得满分10.00"
    assert score_indicator(indicator("≥4次", "两次", reason="r"), MOF).basis == "2/4×10=5.00"


def test_a_target_written_as_a_fraction_under_a_percent_actual_is_scaled_and_flagged():
    # "90≥0.95", full marks and "达到目标值的9473.68%" before.
    item = score_indicator(indicator("0.95", "90%", reason="r"), MOF)
    assert (item.score, item.basis) == (D("9.47"), "目标值0.95=95%；90/95×10=9.47")
    assert "年度指标值0.95按百分比换算为95%" in messages(item) and "目标值可能偏低" not in messages(item)
    assert score_indicator(indicator("≥0.95", "0.96"), MOF).basis == "0.96≥0.95，得满分10.00"  # no % either side


@pytest.mark.parametrize("target, actual, score, scaled", [
    ("≥100%", "1.05", "10.00", True),   # over-achieved, written as a fraction: 105 %, not 1.05 %
    ("≥95%", "1.2", "10.00", True),
    ("≥100%", "2", "10.00", True),      # 200 %: at most twice the target
    ("≥100%", "2.5", "0.25", False),    # beyond: read as written, 2.5 %
    ("≤2%", "1.5", "10.00", False),     # 1.5 % of an error rate, not 150 %
    ("≥30%", "1.2", "0.40", False),     # 120 % would be four times the target: 1.2 %
])
def test_a_fraction_above_one_is_a_percentage_only_near_the_target(target, actual, score, scaled):
    item = score_indicator(indicator(target, actual), MOF)
    assert item.score == D(score) and ("按百分比换算" in messages(item)) == scaled


@pytest.mark.parametrize("target, actual, score, scaled", [
    ("≥95%", "0.93", "9.79", True),     # scoring.md's own case: 93 %
    ("≥60%", "0.3", "5.00", True),      # 30 %: nearer 60 than 0.3 is
    ("≥5%", "0.05", "10.00", True),     # 5 %
    ("≥5%", "0.8", "1.60", False),      # 0.8 %: 80 % is sixteen times the target, 0.8 six times under it
    ("≥5%", "1", "2.00", False),
    ("≥5%", "3", "6.00", False),
    ("≤2%", "0.5", "10.00", False),     # an error rate far under its ceiling: 0.5 %; scaled it was 0.40
    ("≤2%", "1", "10.00", False),       # scaled it was 0.20, where 1.5 scored 10
    ("≤5%", "0.03", "10.00", True),     # 3 %
    ("≤5%", "0.08", "6.25", True),      # 8 %, within twice the ceiling: 5/8×10
    ("≤30%", "0.8", "10.00", False),    # 0.8 %: 80 % would be more than twice the ceiling
])
def test_a_fraction_below_one_is_a_percentage_only_when_that_is_the_nearer_reading(target, actual, score, scaled):
    # Every bare number up to 1 was scaled: scores fell as results improved (≤2%: 0.5 → 0.40, 1.5 → 10).
    item = score_indicator(indicator(target, actual, reason="r"), MOF)
    assert item.score == D(score) and ("按百分比换算" in messages(item)) == scaled
    # Read as written, a bare fraction is still shown a person: its cell may have lost a 0% format.
    assert ("未写百分号" in messages(item)) == (not scaled and float(actual) < 1)


def test_a_bare_fraction_kept_as_a_percentage_says_what_it_would_be_scaled():
    item = score_indicator(indicator("≤2%", "0.05"), MOF)
    assert item.score == D("10.00")
    assert "实际完成值0.05未写百分号，按0.05%计分；如实为5%，得分应重新判定" in messages(item)
    assert "未写百分号" not in messages(score_indicator(indicator("≤2%", "0.05%"), MOF))


#: mof-2020-project with ``indicators.scale_percent_fractions: false``.
UNSCALED = dataclasses.replace(MOF, scale_percent_fractions=False)


@pytest.mark.parametrize("target, actual, score, said", [
    ("≥95%", "0.95", "0.10", "实际完成值0.95未写百分号，像是小数形式的百分比；本规则不作换算，按0.95%计分；如实为95%，得分应重新判定"),
    ("≥100%", "1.05", "0.11", "实际完成值1.05未写百分号，像是小数形式的百分比；本规则不作换算，按1.05%计分；如实为105%，得分应重新判定"),
    ("≤2%", "0.5", "10.00", "实际完成值0.5未写百分号，按0.5%计分；如实为50%，得分应重新判定"),
    ("0.95", "90%", "10.00", "年度指标值0.95未写百分号，像是小数形式的百分比；本规则不作换算，按0.95%计分；如实为95%，得分应重新判定"),
])
def test_a_bare_fraction_the_rulebook_does_not_scale_is_scored_as_written_and_shown_a_person(target, actual, score, said):
    # scale_percent_fractions: false kept 0.95 against ≥95% as 0.95 %, as it should, but unsaid: 0.10 of 10.
    item = score_indicator(indicator(target, actual, reason="r"), UNSCALED)
    assert item.score == D(score) and said in messages(item)
    assert "按百分比换算" not in messages(item)


@pytest.mark.parametrize("target, actual", [("≥95%", "96%"), ("≥95%", "96"), ("≥95%", "0.93%"), ("≥50个", "0.5"),
                                            ("≥95%", "94.5")])
def test_an_actual_that_reads_as_no_fraction_is_not_flagged_as_one_whether_scaled_or_not(target, actual):
    for rulebook in (MOF, UNSCALED):
        item = score_indicator(indicator(target, actual, reason="r"), rulebook)
        assert "百分号" not in messages(item) and "按百分比换算" not in messages(item)


def test_scaling_switched_off_changes_nothing_of_a_number_scaling_would_not_touch():
    # A fraction kept as written either way ("≤2%" against 0.5) was flagged only while scaling was on.
    for target, actual in (("≥95%", "96%"), ("≤2%", "0.5"), ("≥5%", "0.8")):
        on, off = (score_indicator(indicator(target, actual, reason="r"), rulebook) for rulebook in (MOF, UNSCALED))
        assert (on.score, on.basis, messages(on)) == (off.score, off.basis, messages(off))


@pytest.mark.parametrize("target, flagged", [("≥100%", True), ("不低于100%", True), ("≤100%", False), ("100%", False)])
def test_an_operator_column_the_targets_own_words_contradict_decides_and_is_flagged(target, flagged):
    row = dataclasses.replace(indicator(target, "94%"), declared_operator="≤",
                              target=parse_value(target, declared_operator="≤"))
    item = score_indicator(row, MOF)
    assert item.score == D("10.00")  # 94 ≤ 100: the column decides (scoring.md)
    said = [f.message for f in item.flags if "指标性质列" in f.message]
    assert said == ([f"指标性质列为“≤”，年度指标值却写作“{target}”，已按指标性质列（≤）计算"] if flagged else [])


def test_a_fraction_under_a_percent_unit_column_is_shown_as_written_not_as_a_fraction_of_a_percent():
    # Sichuan's 度量单位 column says %, the cell holds 0.94: scored as 94 %, shown "0.94%" before.
    row = dataclasses.replace(indicator("≥100", "0.94"), declared_unit="%",
                              target=parse_value("≥100", declared_unit="%"), actual=parse_value("0.94", declared_unit="%"))
    item = score_indicator(row, MOF)
    assert item.score == D("9.40") and item.actual == "0.94" and item.target == "≥100%"


@pytest.mark.parametrize("target", ["90%-100%", "90%～100%", "90-100%", "90%至100%", "≥90%且≤100%"])
def test_a_range_target_is_in_percent_so_a_fraction_actual_is_scaled(target):
    # Read with the unit "%-100%", 0.95 was scored as 0.95/90×10 = 0.11.
    item = score_indicator(indicator(target, "0.95"), MOF)
    assert item.score == D("10.00") and "按百分比换算" in messages(item)


def test_over_achievement_keeps_full_score_and_is_flagged():
    item = score_indicator(indicator("≥100次", "130次"), MOF)
    assert item.score == D("10.00")
    assert "目标值可能偏低" in messages(item)
    assert "达到目标值的120.00%以上" in messages(item)  # 120 % of the target, not 120 % over it
    assert "目标值可能偏低" not in messages(score_indicator(indicator("≥100次", "119次"), MOF))


@pytest.mark.parametrize("minus", ["-", "－", "\u2212"], ids=["hyphen", "full-width", "minus-sign"])
def test_negative_actual_counts_as_zero(minus):
    item = score_indicator(indicator("≥10个", f"{minus}3个", reason="r"), MOF)
    assert item.score == 0 and "负数" in messages(item)


def test_an_actual_that_is_only_a_date_against_a_number_is_not_a_number_not_missing():
    item = score_indicator(indicator("≥500人次", "2022年12月", reason="r"), MOF)
    assert item.score == 0 and "实际完成值“2022年12月”不是数值" in messages(item)
    assert item.basis.startswith("实际完成值“2022年12月”不是数值")


@pytest.mark.parametrize("actual", ["—", "/", "无", "", None])
def test_missing_actual_scores_zero_with_a_flag_never_silently(actual):
    item = score_indicator(indicator("≥10个", actual), MOF)
    assert item.score == 0
    assert "实际完成值缺失" in messages(item)


def test_missing_target_scores_zero_and_marks_the_form_incomplete():
    item = score_indicator(indicator("—", "10个"), MOF)
    assert item.score == 0 and "年度指标值缺失" in messages(item)


def test_an_item_awarded_nothing_has_the_two_places_of_every_score():
    # Library callers read str(score): "0.00", as the outputs show it, not "0".
    assert str(score_indicator(indicator("—", "10个"), MOF).score) == "0.00"
    assert str(score_execution(None, MOF).score) == "0.00"


def test_the_review_shows_the_score_as_show2_does():
    # review writes str of the score: every score the rules make is rounded to 2 places already.
    from perfeval_xl.rounding import show2

    cases = [("≥95%", "90%", 7, 1), ("≥100个", "33个", 3, "2.999"), ("≤30天", "45天", 6, 6), ("按时完成", "部分完成", 9, "8.5"),
             ("≥1e-3", "0.0007", "0.3", 0), ("—", "10个", 5, 5), ("≥12", "0.1e2", "1e1", "7.125")]
    items = [score_indicator(indicator(t, a, weight=w, self_score=s), MOF) for t, a, w, s in cases]
    assert all(str(item.score) == show2(item.score) for item in items)
    shown = [flag.message for item in items for flag in item.flags if "与复核得分" in flag.message]
    assert len(shown) == len(cases)
    assert all(f"与复核得分{show2(item.score)}不一致" in message for item, message in zip(items, shown))


@pytest.mark.parametrize("target, actual, flagged", [("1e999999", "10个", "年度指标值“1e999999”不是数值"),
                                                      ("≥10个", "1e999999个", "实际完成值“1e999999个”不是数值")])
def test_a_number_no_cell_could_hold_scores_zero_and_says_it_is_no_number(target, actual, flagged):
    item = score_indicator(indicator(target, actual, reason="r"), MOF)
    assert item.score == 0 and flagged in messages(item)
    assert item.basis == f"{flagged}，得0分"


def test_a_target_in_scientific_notation_is_scored_as_its_number():
    item = score_indicator(indicator("≥1e5人次", "60000人次", reason="r"), MOF)
    assert item.score == D("6.00") and item.basis.startswith("60000/100000×10=")


def test_score_below_weight_without_a_reason_is_flagged():
    assert "缺少偏差原因" in messages(score_indicator(indicator("≥10个", "9个"), MOF))
    assert "缺少偏差原因" not in messages(score_indicator(indicator("≥10个", "9个", reason="设备延期"), MOF))


@pytest.mark.parametrize("target, actual, weight, flagged", [
    ("≥10个", "10个", "3.33333333333333", False),   # =10/3 in the 分值 cell: full marks are 3.33
    ("有效提升", "有效提升", "3.33333333333333", False),
    ("≥10个", "9.99个", "10", True),                 # 9.99 of 10: short, however little
    ("≥10个", "9.9个", "3.33333333333333", True),    # 3.30: less than full marks
    # Compared in cents, as scores are: 9.99 of 10 scores 3.33, the full marks shown, and is not flagged.
    ("≥10个", "9.99个", "3.33333333333333", False),
])
def test_full_marks_of_a_weight_with_more_than_two_places_are_not_told_they_fall_short(target, actual, weight,
                                                                                     flagged):
    item = score_indicator(indicator(target, actual, weight, self_score=None if "个" in target else "3.33"), MOF)
    assert ("得分未满，缺少偏差原因" in messages(item)) == flagged


# ---------------------------------------------------------------- qualitative indicators (§3)

@pytest.mark.parametrize("actual, flagged", [
    ("没有完成", "实际完成“没有完成”中“完成”前有否定词“没”，按达成档评分可能有误"),
    ("未能按时完成", "实际完成“未能按时完成”中“完成”前有否定词“未能”，按达成档评分可能有误"),
    ("效果不显著", "实际完成“效果不显著”中“显著”前有否定词“不”，按达成档评分可能有误"),
    ("尚未基本完成", "实际完成“尚未基本完成”中“基本完成”前有否定词“尚未”，按部分达成档评分可能有误"),
    ("未按时完成", "实际完成“未按时完成”中“完成”前有否定词“未”，按达成档评分可能有误"),
    ("未全部完成", "实际完成“未全部完成”中“完成”前有否定词“未”，按达成档评分可能有误"),
    ("延期完成", "实际完成“延期完成”中“完成”前有否定词“延期”，按达成档评分可能有误"),  # late is no 达成 to take unread
    ("已完成", None), ("全年未发生安全事故，已完成", None), ("无延误，按时完成", None), ("未完成", None),
    # A negation further off is mostly about something else:
    ("不低于95%，已完成", None), ("没有发生安全事故，已完成", None), ("不断完善制度，效果明显", None),
    ("不超过预算，按时完成", None),
])
def test_a_negation_before_the_band_word_keeps_the_band_but_is_flagged_for_a_person(actual, flagged):
    item = score_indicator(indicator("按时完成", actual, self_score=9, reason="r"), MOF)
    found = [flag for flag in item.flags if "否定词" in flag.message]
    assert [flag.message for flag in found] == ([flagged] if flagged else [])
    assert all(flag.source == Source("表", "F13") and flag.level == "warning" for flag in found)


@pytest.mark.parametrize("target, actual, flagged", [
    ("否", "是", True),    # 是否发生重大安全事故: 否 expected, 是 happened
    ("否", "否", False),   # the target met, word for word
    ("否", "未发生", False),  # no band word: fits no band, flagged as such
    ("按期完成", "是", False),
    ("是否建立管理制度：是", "是", False),  # a question's 否 is no target
])
def test_a_target_in_words_of_the_lowest_band_flags_an_actual_banded_above_it(target, actual, flagged):
    item = score_indicator(indicator(target, actual, self_score=9, reason="r"), MOF)
    said = [f.message for f in item.flags if "本身是" in f.message]
    assert said == ([f"年度指标值“{target}”本身是未达成档的表述，实际完成“{actual}”按达成档评分可能有误"] if flagged else [])


def test_the_negation_check_finds_what_a_search_per_negation_finds():
    """_negation_before's first test (every place a negation within reach may end, at once) only
    skips actuals in which a search for each negation over its own stretch finds none."""
    import itertools

    from perfeval_xl.rules.project import NEGATION_REACH, _band_match, _negation_before

    def each_negation_searched(actual, word, band):
        if not word or band is MOF.bands[0]:
            return None
        at = actual.find(word)
        for negation in MOF.negations:
            if actual.rfind(negation, max(0, at - NEGATION_REACH - len(negation)), at) >= 0:
                return negation
        return None

    pieces = ("", "没", "未能", "未", "尚", "不", "有", "按时", "，", "无法", "a")
    checked = 0
    for before, between in itertools.product(itertools.product(pieces, repeat=2), pieces + ("有效", "已经")):
        for word in ("完成", "基本完成", "显著"):
            band, found, actual = _band_match("t", "".join(before) + between + word + "b", MOF)
            checked += band is not None
            assert _negation_before(actual, found, band, MOF) == each_negation_searched(actual, found, band)
    assert checked > 1000


def test_an_actual_repeating_the_targets_text_is_not_flagged_for_its_negation():
    item = score_indicator(indicator("不出现重大失误，按时完成", "不出现重大失误，按时完成", self_score=10), MOF)
    assert item.score == D("10.00") and not [flag for flag in item.flags if "否定词" in flag.message]


@pytest.mark.parametrize("actual, self_score, expected", [
    ("已完成", 14, "14.00"),         # 达成 [12, 15], self-score inside
    ("已完成", None, "13.50"),       # midpoint 0.9w
    ("已完成", 10, "12.00"),         # below the band → clamped up
    ("基本达成", 12, "11.99"),       # 部分达成 [9, 12): open upper bound
    ("基本达成", None, "10.50"),     # 0.7w
    ("未达成", None, "4.50"),        # 0.3w
    ("未完成", 15, "8.99"),          # "未完成" is checked before "完成"
    ("明显提升", 15, "15.00"),       # same text as the target → 达成
    ("没有变化", 15, "0.00"),        # fits no band
    ("系统上线运行（已完成）", 14, "14.00"),    # the band word in brackets at the end still counts
    ("制度建设推进中（基本完成）", 12, "11.99"),
    ("明显 提升", 15, "15.00"),       # spaces do not matter (§1)
])
def test_qualitative_bands(actual, self_score, expected):
    item = score_indicator(indicator("明显提升", actual, 15, self_score, reason="r"), MOF)
    assert item.score == D(expected)


@pytest.mark.parametrize("self_score, expected, adjusted", [
    (4, "4.00", False), (5.33, "5.33", False),  # inside [4.00,5.33] as shown: kept, not "adjusted" to itself
    (3.99, "4.00", True), (5.34, "5.33", True),
])
def test_a_band_of_a_weight_not_in_whole_cents_is_in_cents_as_its_scores_are(self_score, expected, adjusted):
    # 6.67 × [0.6, 0.8) is [4.002, 5.336): 4 was "outside [4.00,5.33]" and adjusted to 4.00.
    item = score_indicator(indicator("按期完成", "部分完成", 6.67, self_score, reason="r"), MOF)
    assert item.score == D(expected)
    assert [f.message for f in item.flags if "超出" in f.message] == (
        [f"自评得分{self_score}超出部分达成档范围[4.00,5.33]，已调整为{expected}"] if adjusted else [])


@pytest.mark.parametrize("weight, self_score, expected, limits, adjusted", [
    (3.33, 2.66, "2.66", "[2.00,2.66]", False),  # 3.33 × [0.6, 0.8) is [1.998, 2.664): 2.66 lies in it
    (3.33, 2.67, "2.66", "[2.00,2.66]", True),   # above it: the last cent below 2.664
    (6.64, 5.31, "5.31", "[3.98,5.31]", False),  # [3.984, 5.312)
    (6.67, 5.34, "5.33", "[4.00,5.33]", True),   # [4.002, 5.336): as before
    (10, 8, "7.99", "[6.00,7.99]", True),        # a bound in whole cents: bound − 0.01, as before
])
def test_an_open_band_ends_at_the_last_cent_below_its_bound(weight, self_score, expected, limits, adjusted):
    # The bound was rounded first and a cent taken off: of 3.33 the band ended at 2.65, and a
    # self-score of 2.66 (a share of 0.7988, inside [0.6, 0.8)) was "outside" and cut.
    item = score_indicator(indicator("按期完成", "部分完成", weight, self_score, reason="r"), MOF)
    assert item.score == D(expected) and f"属部分达成档{limits}" in item.basis
    assert ("超出部分达成档" in messages(item)) == adjusted


@pytest.mark.parametrize("actual", ["基本达成", "未达成"])
def test_a_self_score_on_a_qualitative_row_of_weight_0_is_adjusted_to_0_not_below(actual):
    # A 分值 of 0 (or a 分值 column left out): the open band [0, 0) ended at −0.01, and the self-score
    # was "adjusted" to −0.01, a negative score in the total.
    item = score_indicator(indicator("明显提升", actual, 0, 5, reason="r"), MOF)
    assert item.score == D("0.00") and "[0.00,0.00]" in item.basis


def test_an_open_band_of_a_weight_of_a_few_cents_still_ends_below_its_upper_bound():
    # 0.05 × [0.6, 0.8) is [0.03, 0.04): still one cent below 0.04, not at the lower bound.
    item = score_indicator(indicator("明显提升", "基本达成", 0.05, 5, reason="r"), MOF)
    assert item.score == D("0.03") and "[0.03,0.03]" in item.basis


def test_qualitative_without_self_score_asks_for_a_human():
    assert "需人工判定" in messages(score_indicator(indicator("按时完成", "已完成", 10), MOF))


def test_date_target_is_qualitative():
    item = score_indicator(indicator("2019年12月底前", "按时完成", 10, 10), MOF)
    assert item.score == D("10.00") and "定性" in item.basis


def test_central_pre2020_rulebook_has_wider_bands():
    assert score_indicator(indicator("明显提升", "基本达成", 10), CENTRAL).score == D("6.50")
    assert score_indicator(indicator("明显提升", "未达成", 10), CENTRAL).score == D("2.50")


# ---------------------------------------------------------------- totals, grade, review (§4)

def form_with(indicators, execution=funds(100, 100)):
    return ProjectForm(file="f.xlsx", sheet="表", layout="national-2020", name="项目",
                       funds=execution, indicators=indicators, full_marks=D(100))


@pytest.mark.parametrize("total_weight_left, expected_grade", [(80, "优"), (79.99, "良"), (70, "良"),
                                                               (69.99, "中"), (50, "中"), (49.99, "差")])
def test_grade_boundaries(total_weight_left, expected_grade):
    # exec 10 + one indicator fully met + one scored 0
    form = form_with([indicator("≥1", "1", total_weight_left, reason="r"),
                      indicator("≥1", "0", 90 - total_weight_left, reason="r")])
    result = score_form(form, MOF)
    assert result.total == D(str(10 + total_weight_left)).quantize(D("0.01"))
    assert result.grade == expected_grade


def test_total_is_the_sum_of_rounded_items():
    form = form_with([indicator("≥3", "1", 45, reason="r"), indicator("≥3", "1", 45, reason="r")])
    result = score_form(form, MOF)
    assert [i.score for i in result.items[1:]] == [D("15.00"), D("15.00")]
    assert result.total == D("40.00")


def test_self_score_differences_are_reviewed():
    item = score_indicator(indicator("≥16个", "14个", 10, self_score=10, reason="r"), MOF)
    assert "自评得分10与复核得分8.75不一致" in messages(item)
    assert item.difference == D("-1.25")
    same = score_indicator(indicator("≥16个", "14个", 10, self_score=8.75, reason="r"), MOF)
    assert "不一致" not in messages(same)


@pytest.mark.parametrize("self_total, said", [
    ("100.011", "差异-0.011"),  # was "差异-0.01": flagged for exceeding 0.01, shown as 0.01
    ("99.98", "差异0.02"),
    ("100.01", None),           # the tolerance itself: not flagged
])
def test_the_self_total_against_the_engines_total_shows_the_difference_flagged(self_total, said):
    form = form_with([indicator("≥1", "1", 90, reason="r", self_score=90)],
                     dataclasses.replace(funds(100, 100), self_score=D(10)))
    form.self_total = D(self_total)
    flags = [f.message for f in score_form(form, MOF).flags if f.message.startswith("自评总分") and "复核总分" in f.message]
    assert flags == ([f"自评总分{self_total}，复核总分100.00，{said}"] if said else [])


def test_weight_mismatches_are_flags_not_errors():
    form = form_with([indicator("≥1", "1", 40, level1="产出指标", reason="r"),
                      indicator("≥1", "1", 40, level1="效益指标", reason="r"),
                      indicator("≥1", "1", 10, level1="满意度指标", reason="r")])
    result = score_form(form, MOF)
    text = " ".join(f.message for f in result.flags)
    assert "产出指标”分值合计40，规则要求50" in text and "效益指标”分值合计40，规则要求30" in text
    assert result.total == D("100.00")


def _first_level_sum_flags(sections, rulebook=MOF):
    form = form_with([indicator("≥1", "1", weight, level1=level1, reason="r") for level1, weight in sections])
    return [f.message for f in score_form(form, rulebook).flags if "分值合计" in f.message]


def test_a_cost_section_written_as_its_own_first_level_counts_toward_产出():
    # Forms since 2021 write 成本指标 as a 一级 beside 产出指标 (a 二级 under it on the 2020 form):
    # 产出 40 + 成本 10 is the 50 of scoring.md §4, not "产出指标分值合计40，规则要求50".
    assert _first_level_sum_flags([("产出指标", 40), ("成本指标", 10), ("效益指标", 30), ("满意度指标", 10)]) == []
    assert _first_level_sum_flags([("产出指标", 40), ("成本指标（10分）", 10), ("效益指标", 40)]) == []


def test_a_cost_section_that_leaves_产出_short_is_still_flagged_and_named_in_the_sum():
    assert _first_level_sum_flags([("产出指标", 40), ("成本指标", 5), ("效益指标", 35), ("满意度指标", 10)]) == [
        "一级指标“产出指标”（含成本指标）分值合计45，规则要求50", "一级指标“效益指标”分值合计35，规则要求30"]
    # Without a 成本 section 产出 is summed alone, as before; "产出指标（含成本）" is 产出's, counted once.
    assert _first_level_sum_flags([("产出指标", 40), ("效益指标", 40), ("满意度指标", 10)])[0] == \
        "一级指标“产出指标”分值合计40，规则要求50"
    assert _first_level_sum_flags([("产出指标（含成本）", 50), ("效益指标", 30), ("满意度指标", 10)]) == []


def test_a_bureau_that_counts_成本_apart_says_so_in_its_rulebook(tmp_path):
    # weights.level1_counted_in is a table of the rulebook: a bureau's own replaces the built-in's, and
    # one that gives 成本指标 its own sum checks it by itself.
    path = tmp_path / "本局.yaml"
    path.write_text("name: 本局\nextends: mof-2020-project\nweights:\n  level1_counted_in: {}\n", encoding="utf-8")
    assert _first_level_sum_flags([("产出指标", 40), ("成本指标", 10), ("效益指标", 30), ("满意度指标", 10)],
                                  load_rulebook(path)) == ["一级指标“产出指标”分值合计40，规则要求50"]
    path.write_text("name: 本局\nextends: mof-2020-project\nweights:\n"
                    "  level1: {产出指标: 40, 成本指标: 10, 效益指标: 30, 满意度指标: 10}\n", encoding="utf-8")
    own = load_rulebook(path)
    assert _first_level_sum_flags([("产出指标", 40), ("成本指标", 10), ("效益指标", 30), ("满意度指标", 10)], own) == []
    assert _first_level_sum_flags([("产出指标", 45), ("成本指标", 5), ("效益指标", 30), ("满意度指标", 10)], own) == [
        "一级指标“产出指标”分值合计45，规则要求40", "一级指标“成本指标”分值合计5，规则要求10"]


def test_every_number_of_scoring_md_is_the_rulebooks_not_the_codes(tmp_path):
    # scoring.md: "every number below is a parameter of it".  Each changed in a bureau's file, and
    # each followed: band shares and midpoints, the over-achievement factor, the grades, the review
    # tolerance, the first-level sums and the default execution weight.
    path = tmp_path / "本局.yaml"
    path.write_text(textwrap.dedent("""\
        name: 本局
        extends: mof-2020-project
        execution: {default_weight: 20}
        indicators: {over_achievement_factor: 1.5}
        qualitative:
          bands:
            - {name: 未达成, words: [未达成], low: 0, high: 0.4, high_inclusive: false, midpoint: 0.2}
            - {name: 部分达成, words: [部分达成], low: 0.4, high: 0.7, high_inclusive: false, midpoint: 0.55}
            - {name: 达成, words: [达成], low: 0.7, high: 1, high_inclusive: true, midpoint: 0.85}
        weights:
          level1: {产出指标: 40, 效益指标: 30, 满意度指标: 10}
          level1_without_satisfaction: {产出指标: 40, 效益指标: 40}
        grades: [{grade: 优, min: 85}, {grade: 良, min: 75}, {grade: 中, min: 50}, {grade: 差, min: 0}]
        review_tolerance: 0.5
        """), encoding="utf-8")
    bureau = load_rulebook(path)
    assert score_indicator(indicator("有效提升", "部分达成", reason="r"), bureau).score == D("5.50")  # 0.55w
    clamped = score_indicator(indicator("有效提升", "部分达成", self_score=8, reason="r"), bureau)
    assert clamped.basis.endswith("属部分达成档[4.00,6.99]，自评得分8超出该档，调整为6.99")
    assert "目标值可能偏低" not in messages(score_indicator(indicator("≥10", "14"), bureau))
    assert "达到目标值的150.00%以上" in messages(score_indicator(indicator("≥10", "15"), bureau))
    assert "不一致" not in messages(score_indicator(indicator("≥16个", "14个", self_score=9.25, reason="r"), bureau))
    assert "不一致" in messages(score_indicator(indicator("≥16个", "14个", self_score=9.26, reason="r"), bureau))
    form = form_with([indicator("≥1", "1", 40, level1="产出指标"), indicator("≥1", "0.6", 40, level1="效益指标", reason="r")],
                     funds(100, 100, weight=None))  # 20 by default: 20 + 40 + 24
    result = score_form(form, bureau)
    assert (result.total, result.grade) == (D("84.00"), "良")
    assert not [f for f in result.flags if "分值合计" in f.message]  # 产出 40 / 效益 40 without 满意度
    assert score_form(form_with(form.indicators, funds(0, 0, weight=None)), bureau).total == D("80.00")  # 64×100/80


def test_a_bureaus_score_places_round_every_item_score_and_the_total_sums_them():
    # scoring.md §4's "2 decimals" was a constant in code (rounding.round2): a bureau whose scores keep
    # one decimal had no key to say so.
    one_place = load_rulebook({"name": "本局一位小数", "extends": "mof-2020-project", "score_places": 1})
    short = indicator("≥90%", "85%", reason="r")  # 85/90×10 = 9.444…
    assert (score_indicator(short, MOF).score, score_indicator(short, one_place).score) == (D("9.44"), D("9.4"))
    assert score_indicator(short, one_place).basis == "85/90×10=9.4"
    # An open band ends one step below its bound: 7.9 at one place, 7.99 at two (§3's "bound − 0.01").
    partial = indicator("有效提升", "基本完成", self_score=9, reason="r")
    assert score_indicator(partial, MOF).score == D("7.99")
    assert score_indicator(partial, one_place).basis.endswith("属部分达成档[6.00,7.90]，自评得分9超出该档，调整为7.9")
    assert score_indicator(indicator("有效提升", "已完成", reason="r"), one_place).score == D("9.0")  # midpoint 0.9 × 10
    assert score_execution(funds(300, 299.5), one_place).score == D("10.0")  # 9.983… ; 9.98 at two places
    # Full marks of a weight of 10/3 are 3.3 at one place: no "得分未满" for them.
    thirds = dataclasses.replace(indicator("≥1", "1"), weight=D(10) / 3)
    assert score_indicator(thirds, one_place).score == D("3.3") and "得分未满" not in messages(score_indicator(thirds, one_place))
    form = form_with([short, indicator("≥1", "1", 80, reason="r")], funds(300, 299.5))
    assert score_form(form, MOF).total == D("99.42")  # 9.98 + 9.44 + 80
    assert score_form(form, one_place).total == D("99.4")  # 10.0 + 9.4 + 80, the sum of the rounded items
    assert score_form(form_with(form.indicators, funds(0, 0)), one_place).total == D("99.3")  # 89.4×100/90 = 99.33…


def test_a_bureaus_score_places_round_the_built_ins_way_where_it_keeps_two():
    # The counter-case: a bureau that changes another key keeps the built-in's 2 places.
    other = load_rulebook({"name": "本局", "extends": "mof-2020-project", "review_tolerance": 0.5})
    assert MOF.score_places == other.score_places == 2
    assert score_indicator(indicator("≥90%", "85%", reason="r"), other).score == D("9.44")


def test_a_band_midpoint_rounded_past_its_band_is_kept_within_it():
    # At 0 places the 部分达成 band of a weight of 5 is [3,3] (its bound 4 is 达成's); its midpoint 0.7×5 = 3.5
    # rounded half-up to 4, a 达成 score beside "属部分达成档[3.00,3.00]".
    whole = load_rulebook({"name": "本局整数", "extends": "mof-2020-project", "score_places": 0})
    item = score_indicator(indicator("有效提升", "基本完成", weight=5, reason="r"), whole)
    assert item.score == D("3")
    assert item.basis == "定性指标：“基本完成”属部分达成档[3.00,3.00]，无自评得分，取中值0.7×5=3.5，保留0位小数为4，超出该档，计3"


@pytest.mark.parametrize("places, weight, score", [(0, 10, "7"), (1, 5, "3.5"), (2, 5, "3.50")])
def test_a_band_midpoint_within_its_band_is_the_midpoint_as_rounded(places, weight, score):
    # The counter-case: a midpoint that rounds within its band is scored and said as before.
    rulebook = load_rulebook({"name": "本局", "extends": "mof-2020-project", "score_places": places})
    item = score_indicator(indicator("有效提升", "基本完成", weight=weight, reason="r"), rulebook)
    assert str(item.score) == score and item.basis.endswith(f"取中值0.7×{weight}={score}")


def test_a_bureaus_own_first_level_sections_replace_the_built_ins(tmp_path):
    # Merged with mof-2020-project's, a bureau's 群众评价 table still required 满意度 10, and a form
    # laid out by it was told "效益指标分值合计30，规则要求40": 满意度 was the only section looked for.
    path = tmp_path / "本局.yaml"
    path.write_text("name: 本局\nextends: mof-2020-project\nweights:\n  level1: {产出指标: 50, 效益指标: 30, 群众评价指标: 10}\n"
                    "  level1_without_satisfaction: {产出指标: 50, 效益指标: 40}\n", encoding="utf-8")
    bureau = load_rulebook(path)
    assert [name for name, _ in bureau.level1_weights] == ["产出指标", "效益指标", "群众评价指标"]
    laid_out = form_with([indicator("≥1", "1", 50, level1="产出指标", reason="r"),
                          indicator("≥1", "1", 30, level1="效益指标", reason="r"),
                          indicator("≥1", "1", 10, level1="群众评价指标", reason="r")])
    assert not [f.message for f in score_form(laid_out, bureau).flags if "分值合计" in f.message]
    without = form_with([indicator("≥1", "1", 50, level1="产出指标", reason="r"),
                         indicator("≥1", "1", 40, level1="效益指标", reason="r")])
    assert not [f.message for f in score_form(without, bureau).flags if "分值合计" in f.message]


@pytest.mark.parametrize("text", [
    "显著改善（北岸46号片区，425次）", "已完成：达到预期；良好！", "正常运行，达到预期", "按时完成", "",
    "　已完成（全角空格）", "ｆｕｌｌ（１００％）", "Ａ\u0301（重音）", "e\u0301（组合）", "﹪（小百分号）", "（\u0301",
])
def test_nfkc_with_fullwidth_punctuation_replaced_first_is_nfkc(text):
    """labels.nfkc's shortcut (fullwidth punctuation made ASCII before NFKC) gives NFKC's text."""
    import unicodedata

    from perfeval_xl.labels import _FULL_WIDTH, nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text).strip()
    assert nfkc(text) == unicodedata.normalize("NFKC", text).strip()  # kept, as a text not in NFKC is
    for wide, narrow in _FULL_WIDTH:
        assert unicodedata.normalize("NFKD", wide) == narrow


def test_nfkc_kept_of_texts_not_in_nfkc_is_nfkc_and_stays_bounded():
    """labels.nfkc keeps what it made of a text not in NFKC: asked again, the kept text is NFKC's
    (an object asked as its text too), and the memo never holds more than its bound."""
    import unicodedata

    from perfeval_xl import labels

    texts = [f"已完成（第{n}批，{n % 7}次）\u3000" for n in range(labels._NORMALISED_KEPT * 2 + 5)]
    for _ in range(2):
        for text in texts:
            assert labels.nfkc(text) == unicodedata.normalize("NFKC", text).strip()
            assert len(labels._NORMALISED) <= labels._NORMALISED_KEPT
    assert labels.nfkc(1.5) == "1.5" and labels.nfkc(None) == ""


def test_without_spaces_skips_the_substitution_only_where_it_removes_nothing():
    """labels.without_spaces substitutes only in a text holding " " or an unprintable character:
    every character _SPACES removes is one of those, over all of Unicode."""
    import sys

    from perfeval_xl.labels import _SPACES, compact, nfkc, without_spaces

    removed = [c for c in map(chr, range(sys.maxunicode + 1)) if _SPACES.fullmatch(c)]
    assert removed and all(c == " " or not c.isprintable() for c in removed)
    for text in ("显著改善（北岸46号片区，425次）", "已 完成", "已\u200b完成", "已\t完成\n", "按时完成", ""):
        assert without_spaces(text) == _SPACES.sub("", text)
        assert compact(text) == _SPACES.sub("", nfkc(text))


def test_show_and_show2_write_numbers_as_before():
    """show's and show2's shortcuts through str give the text of the long way for every kind of number, the
    second time too (through the memo of texts shown, which these numbers fill)."""
    import random

    from perfeval_xl.rounding import CENT, percent, quantize_half_up, show2
    from perfeval_xl.rules.arithmetic import show
    from perfeval_xl.values import format_number

    def show_long_way(value):
        if value is not None and value.is_finite() and value.adjusted() < 27:
            return f"{value.normalize():f}"
        return format_number(value)

    texts = ["0", "-0", "0.0", "-0.00", "0E+2", "0E-9", "48", "62.5", "62.50", "10.00", "100", "1E+2", "1.20E+3",
             "120000", "0.000001", "0.0000001", "1E-7", "123456789012345678901234567", "1234567890123456789012345678",
             "0.12345678901234567890123456789", "1E+26", "9.99E+26", "1E+27", "1E+30", "-7.68", "0.95008",
             "12345678901234567890.123456", "NaN", "-NaN", "Infinity", "-Infinity", "1.000000000000000000000000001"]
    rng = random.Random(7)
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 32)))
        texts.append(f"{rng.choice(['', '-'])}{digits}E{rng.randint(-35, 10)}")
        texts.append(f"{digits[:rng.randint(1, len(digits))]}.{digits}")
    for text in texts:
        value = Decimal(text)
        assert show(value) == show_long_way(value), text
        assert show(value) == show_long_way(value), text
        if value.is_finite():
            assert show2(value) == f"{quantize_half_up(value, CENT):f}", text
            assert percent(value) == f"{quantize_half_up(value * 100, CENT):f}%", text
    assert show(None) == format_number(None)


def test_a_band_named_with_档_is_not_named_档档_and_flags_use_the_rulebooks_execution_name(tmp_path):
    # A bureau's band 中档 was "属中档档"; its 资金执行率 was still called 预算执行率 in the flags.
    path = tmp_path / "本局.yaml"
    path.write_text(textwrap.dedent("""\
        name: 本局
        extends: mof-2020-project
        execution: {name: 资金执行率}
        qualitative:
          bands:
            - {name: 低档, words: [未完成], low: 0, high: 0.6, high_inclusive: false, midpoint: 0.3}
            - {name: 中档, words: [基本完成], low: 0.6, high: 0.8, high_inclusive: false, midpoint: 0.7}
            - {name: 高档, words: [完成], low: 0.8, high: 1, high_inclusive: true, midpoint: 0.9}
          equal_text_band: 高档
        """), encoding="utf-8")
    bureau = load_rulebook(path)
    item = score_indicator(indicator("有效提升", "基本完成"), bureau)
    assert "属中档" in item.basis and "档档" not in item.basis + messages(item)
    assert messages(score_execution(funds(100, 120), bureau)).startswith("资金执行率120.00%超过100%")
