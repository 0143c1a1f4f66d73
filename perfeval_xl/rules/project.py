"""Scoring of project forms (F1) — scoring.md §2–4, pure functions over the model."""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from ..labels import compact, nfkc
from ..model import Flag, FormResult, FundLine, Funds, Indicator, ItemScore, ParsedValue, ProjectForm, Source
from ..rounding import CENT, NO_POINTS, percent, quantize_down, quantize_half_up, show2
from ..values import (NUMBER, OPERATOR_SIGNS, base_unit, in_unit, is_chinese, is_measure, number_beside_dates,
                      numbers_in, parse_operator_column, parse_value, shown_as_understood)
from .arithmetic import show
from .checks import check_self_total, review
from .rulebook import Band, ProjectRulebook

ZERO = Decimal(0)
ONE = Decimal(1)


def score_project(form: ProjectForm, rulebook: ProjectRulebook) -> FormResult:
    """Score every item of ``form``, total it, grade it and review the self-scores."""
    amounts = execution_amounts(form.funds) if form.funds and form.funds.lines else None
    execution = score_execution(form.funds, rulebook, amounts)
    items = [execution] + [score_indicator(indicator, rulebook) for indicator in form.indicators]
    flags = list(form.flags)
    total = sum((item.score for item in items if item.applicable), ZERO)
    if not execution.applicable:
        total = _rescaled(total, execution, form, rulebook, flags)
    flags.extend(check_weights(form, execution, rulebook))
    flags.extend(check_self_total(form.self_total, form.sources.get("self_total"), items, total, rulebook))
    budget, executed = amounts[:2] if amounts else (None, None)
    return FormResult(form=form, rulebook=rulebook.name, items=items, total=total,
                      grade=rulebook.grade_for(total), flags=flags, budget=budget, executed=executed,
                      rulebook_title=rulebook.named_in_prose, review_tolerance=rulebook.review_tolerance,
                      score_places=rulebook.score_places)


def _rescaled(total: Decimal, execution: ItemScore, form: ProjectForm, rulebook: ProjectRulebook,
              flags: list[Flag]) -> Decimal:
    """The total without a not-applicable execution item, rescaled to full marks (scoring.md §2).

    total × 100 / (100 − w_exec), 100 being the rulebook's full marks.  Why not the 分值 written on
    the 总分 row: units put the indicators' subtotal there too.  The formula stands whatever the other
    items are worth (the form's own weights, §4): indicators worth 85 beside 10 on the fund row can no
    more reach full marks than they could with the execution scored, and indicators worth 90 beside 20
    pass full marks, as they would scored (check_weights flags the 分值 that do not add up).
    """
    full_marks = rulebook.full_marks
    if execution.weight >= full_marks:
        # The rescale would divide by zero (w_exec = 100) or turn the total negative (w_exec > 100):
        # the form's weight is wrong, so the total stays unscaled and an officer is told why.
        cell = form.funds.weight_source if form.funds and form.funds.weight is not None else None
        flags.append(Flag(
            f"预算执行不适用（预算数与执行数均为0），但预算执行分值为{show(execution.weight)}，不小于满分"
            f"{show(full_marks)}，总分无法按满分折算，未折算", cell or execution.source, "error",
            "请单位核对预算执行分值"))
        return total
    rescaled = rulebook.round_score(total * full_marks / (full_marks - execution.weight))
    message = (f"预算执行不适用（预算数与执行数均为0），总分按满分折算：{show2(total)}×{show(full_marks)}/"
               f"({show(full_marks)}−{show(execution.weight)})={show2(rescaled)}")
    if rescaled > full_marks:  # only on a form whose 分值 add up to more than full marks
        message += f"，超过满分{show(full_marks)}（各项分值合计超过{show(full_marks)}，请核对分值）"
    flags.append(Flag(message, execution.source))
    return rescaled


# ------------------------------------------------------------------ execution

def score_execution(funds: Funds | None, rulebook: ProjectRulebook, amounts=None) -> ItemScore:
    """The 预算执行率 item: min(执行数/预算数, 1) × w (§2), reviewed against the self-score.

    ``amounts`` is :func:`execution_amounts` of ``funds`` when the caller has it already.
    """
    item = _execution_item(funds, rulebook, amounts)
    review(item, rulebook, funds.score_source if funds else None)
    return item


def _execution_item(funds: Funds | None, rulebook: ProjectRulebook, amounts) -> ItemScore:
    item = ItemScore(level1=rulebook.execution_level1, level2="", name=rulebook.execution_name,
                     weight=rulebook.execution_default_weight, score=NO_POINTS, self_score=None, basis="")
    if funds is None or not funds.lines:
        item.basis = f"表中未找到项目资金，无法计算{rulebook.execution_name}"
        item.flags.append(Flag(f"未找到项目资金（年度资金总额）数据，{rulebook.execution_name}得0分", None, "error", "请单位补填项目资金表"))
        return item
    item.source = funds.source
    item.self_score = funds.self_score
    item.reason = funds.reason
    item.method = funds.method
    if funds.weight is None:
        item.flags.append(Flag(f"预算执行分值缺失，按规则默认{show(rulebook.execution_default_weight)}分",
                               funds.weight_source or funds.source, action="请单位补填预算执行分值"))
    else:
        item.weight = funds.weight
    budget, executed, how, notes = amounts or execution_amounts(funds)
    item.flags.extend(notes)
    item.target, item.actual = show(budget) if budget is not None else "", show(executed) if executed is not None else ""
    w = item.weight
    budget_amount = funds.budget_amount
    if budget is None or executed is None:
        missing = "预算数" if budget is None else "执行数"
        cell = funds.total_cell(budget_amount if budget is None else "executed")
        item.basis = f"{missing}缺失，得0分"
        item.flags.append(Flag(f"项目资金{missing}缺失，{rulebook.execution_name}无法计算", cell, "error", f"请单位补填{missing}"))
        return item
    # Why the sign tests: min(执行数/预算数, 1) × w went negative on either sign (-9.50 for a
    # budget of -62.5), a score below 0 that lowered the total.  A budget below 0 cannot be scored
    # against; spending below 0 counts as 0, as a negative actual does (§3), but only after the
    # test for 不适用: a budget of 0 with spending of −5 is an error, not "both 0".
    if budget < 0:
        item.basis = f"{how}预算数{show(budget)}为负数，得0分"
        item.flags.append(Flag(f"预算数为负数（{show(budget)}），数据有误", _finding_cell(funds, budget_amount), "error",
                               "请单位核实预算数"))
        return item
    if budget == 0 and executed == 0:
        item.applicable = False
        item.basis = f"{how}预算数与执行数均为0，本项不适用，总分按满分折算"
        return item
    if budget == 0:
        item.basis = f"{how}预算数为0而执行数为{show(executed)}，得0分"
        item.flags.append(Flag(f"预算数为0但执行数为{show(executed)}，数据有误", _finding_cell(funds, budget_amount), "error",
                               "请单位核实预算数与执行数"))
        return item
    if executed < 0:
        item.flags.append(Flag(f"执行数为负数（{show(executed)}），按0计算", _finding_cell(funds, "executed"),
                               action="请单位核实执行数"))
        how += f"执行数{show(executed)}<0按0计；"
        executed = ZERO
    rate = executed / budget
    if rate > 1:
        item.score = rulebook.round_score(w)
        item.basis = f"{how}{show(executed)}/{show(budget)}={percent(rate)}>100%，得满分{show2(item.score)}"
        if rulebook.flag_over_execution:
            item.flags.append(Flag(f"{rulebook.execution_name}{percent(rate)}超过100%",
                                   _finding_cell(funds, "executed", _overspent(budget_amount)),
                                   action="请单位说明超预算支出原因并核实执行数"))
        return item
    item.score = rulebook.round_score(executed * w / budget)  # one division: rate × w would round 0.975 down
    item.basis = f"{how}{show(executed)}/{show(budget)}×{show(w)}={show2(item.score)}（执行率{percent(rate)}）"
    return item


def execution_amounts(funds: Funds) -> tuple[Decimal | None, Decimal | None, str, list[Flag]]:
    """(budget, executed, note, flags): from the 年度资金总额 row, or its sub-rows when it is empty (§2)."""
    how, flags = "", []
    budget_name = funds.budget_amount
    if not funds.has_full_year_budget:
        flags.append(Flag("表中没有全年预算数，按年初预算数计算执行率", funds.source))
        how = "按年初预算数："
    elif budget_name == "initial_budget":  # the column left blank
        flags.append(Flag("全年预算数未填写，按年初预算数计算执行率", funds.total_cell("budget"),
                          action="请单位填写全年预算数"))
        how = "按年初预算数："
    total = funds.total
    budget = getattr(total, budget_name) if total else None
    executed = total.executed if total else None
    if _from_sub_rows(funds):
        parts = _sub_rows(funds)
        budget = sum((getattr(l, budget_name) or ZERO for l in parts), ZERO)
        executed = sum((l.executed or ZERO for l in parts), ZERO)
        flags.append(Flag("年度资金总额为空或0，按其中各项资金合计计算", funds.source,
                          action="请单位在年度资金总额行填写合计数"))
        how += "按分项资金合计："
        flags += _negative_sub_rows(parts, ((budget_name, "预算数"), ("executed", "执行数")))
    elif total is not None and not (getattr(total, budget_name) and total.executed):
        # One amount of the total row empty or 0 (or a formula never calculated) over sub-rows that
        # hold it: §2's sum, for that amount.  Why: "60 | 60 | 0" over 50 spent in 财政拨款 scored 0,
        # as did a 全年执行数 whose =SUM() Excel never calculated.
        for name, what in ((budget_name, "预算数"), ("executed", "执行数")):
            if getattr(total, name):
                continue
            parts = _sub_rows(funds)
            summed = sum((getattr(line, name) or ZERO for line in parts), ZERO)
            if summed:
                flags.append(Flag(f"年度资金总额的{what}为空或0，按其中各项合计{show(summed)}计算",
                                  funds.total_cell(name), action=f"请单位在年度资金总额行填写{what}合计"))
                flags += _negative_sub_rows(parts, ((name, what),))
                how += f"{what}按分项合计："
                if name == "executed":
                    executed = summed
                else:
                    budget = summed
    return budget, executed, how, flags


def _negative_sub_rows(parts: list[FundLine], amounts: tuple[tuple[str, str], ...]) -> list[Flag]:
    """A flag for each sub-row amount below 0 in a sum of ``parts``.  Why: a negative sub-row hides
    in a sum that is not (−20 and 30 spent sum to 10); only a negative sum was flagged.  Summed as
    written: whether it is a refund is for a person to say."""
    return [Flag(f"{line.label}{what}为负数（{show(value)}），已按所填数计入合计", line.cells.get(name, line.source),
                 action=f"请单位核实{line.label}{what}")
            for line in parts for name, what in amounts
            if (value := getattr(line, name)) is not None and value < 0]


def _sub_rows(funds: Funds) -> list[FundLine]:
    return [line for line in funds.lines if line.kind != "total"]


def _from_sub_rows(funds: Funds) -> bool:
    """Are the execution amounts the sums of the sub-rows (年度资金总额 empty or 0, §2)?"""
    budget_name = funds.budget_amount
    total = funds.total
    if total and (getattr(total, budget_name) or total.executed):
        return False
    sub_rows = _sub_rows(funds)
    if any(getattr(line, budget_name) or line.executed for line in sub_rows):
        return True
    # An empty total over sub-rows all written as 0 is read as a total of 0 is ("empty or 0"): no
    # money (0/0, not applicable), not a budget left out.  A sub-row left blank keeps it left out.
    total_empty = total is None or (getattr(total, budget_name) is None and total.executed is None)
    all_written = all(getattr(line, budget_name) is not None and line.executed is not None for line in sub_rows)
    return total_empty and bool(sub_rows) and all_written


def _finding_cell(funds: Funds, amount: str, concerns: Callable[[FundLine], bool] | None = None) -> Source:
    """Where a finding about ``amount`` (a name of :class:`FundLine`'s amounts) points: the
    年度资金总额 row's cell; when the amounts were summed from the sub-rows (the total row is empty:
    pointing there misled), the cell of ``amount`` on the first sub-row the finding ``concerns`` (by
    default: whose ``amount`` is below 0), else ``funds.source`` (the first money cell of the total
    row as read, or of the block without one)."""
    if not _from_sub_rows(funds):
        return funds.total_cell(amount)
    if concerns is None:
        concerns = _negative(amount)
    line = next((line for line in _sub_rows(funds) if concerns(line)), None)
    return line.cells.get(amount, line.source) if line else funds.source


def _negative(amount: str) -> Callable[[FundLine], bool]:
    """Is a sub-row's ``amount`` below 0 (none counting as 0)?"""
    return lambda line: (getattr(line, amount) or ZERO) < 0


def _overspent(budget_amount: str) -> Callable[[FundLine], bool]:
    """Did a sub-row spend more than its budget (``budget_amount``, none counting as 0)?"""
    return lambda line: bool(line.executed) and line.executed > (getattr(line, budget_amount) or ZERO)


# ------------------------------------------------------------------ indicators

def score_indicator(indicator: Indicator, rulebook: ProjectRulebook) -> ItemScore:
    """Score one 三级指标 (§3)."""
    # Positional arguments (level1, level2, name, weight, score, self_score, basis, flags, source,
    # applicable, target, actual, reason): half the cost of keywords, for every indicator.
    target, actual = indicator.target.text, indicator.actual.text
    if indicator.declared_operator or indicator.declared_unit:  # Sichuan: 指标性质 and 度量单位 columns
        target = shown_as_understood(indicator.target, indicator.declared_operator, indicator.declared_unit)
        actual = shown_as_understood(indicator.actual, None, indicator.declared_unit)
    item = ItemScore(indicator.level1, indicator.level2, indicator.name,
                     indicator.weight if indicator.weight is not None else ZERO, NO_POINTS, indicator.self_score, "",
                     list(indicator.flags), indicator.source, True, target, actual, indicator.reason,
                     indicator.method, indicator.notes)
    if indicator.weight is None:
        item.flags.append(Flag("分值缺失，按0分计", indicator.cells.get("weight", indicator.source), "error", "请单位补填分值"))
    if indicator.declared_operator and indicator.target.number is not None and not indicator.target.operator_declared:
        _operator_column_against_text(indicator, item)
    year_and_month = indicator.target.number is not None and indicator.target.operator is None \
        and not indicator.target.unit_declared and indicator.target.number >= 1900 \
        and _YEAR_AND_MONTH.fullmatch(compact(indicator.target.text)) is not None
    if year_and_month:
        # "2019.12", "2019.10-2019.12" (or 2019.12 typed into a number cell): a deadline (§1), which
        # was scored as a number — "按时完成" 0, a late "2020.03" full marks.
        indicator = replace(indicator, target=replace(indicator.target, number=None, unit=None, qualitative=True))
    if indicator.target.qualitative and not year_and_month and _DIGIT.search(indicator.target.text) is not None \
            and (dated := _dated_number_target(indicator)) is not None:
        # "年底前完成50个" against "45个": the date is when, the number what (§1 makes a target
        # qualitative when its numbers are a date; this one states a number besides).
        _score_quantitative(dated, item, rulebook)
    elif indicator.target.qualitative:
        _score_qualitative(indicator, item, rulebook)
    elif indicator.target.number is None and indicator.target.missing:
        item.basis = "年度指标值缺失，得0分"
        item.flags.append(Flag("年度指标值缺失，自评表不完整", indicator.cells.get("target"), "error", "请单位补填年度指标值"))
    elif indicator.target.number is None:  # "1e999999": written as a number no cell could hold
        item.basis = f"年度指标值“{indicator.target.text}”不是数值，得0分"
        item.flags.append(Flag(f"年度指标值“{indicator.target.text}”不是数值", indicator.cells.get("target"), "error",
                               "请单位填写年度指标值（数值）"))
    elif indicator.actual.number is None and (beside := number_beside_dates(indicator.actual)) is None \
            and (beside := _dated_sentence(indicator)) is None:
        what = "缺失" if indicator.actual.missing else f"“{indicator.actual.text}”不是数值"
        item.basis = f"实际完成值{what}，得0分"
        item.flags.append(Flag(f"实际完成值{what}", indicator.cells.get("actual"), "error", "请单位填写实际完成值（数值）"))
    elif indicator.actual.number is None:  # "2022年度培训520人次" beside "2022年度培训≥500人次"
        _score_quantitative(replace(indicator, actual=beside), item, rulebook)
    elif indicator.target.unit and indicator.actual.unit and (
            indicator.actual.unit != indicator.target.unit and in_unit(ONE, indicator.actual.unit, indicator.target.unit) is None
            or _TOTAL_WORD.search(indicator.actual.text) is not None or _PLAN_WORD.search(indicator.actual.text) is not None):
        # "举办培训班5期，培训学员512人次", "每月1次，全年12次", "计划培训300人次，实际培训280人次": the
        # actual states several numbers.
        _score_quantitative(_number_in_targets_unit(indicator, item), item, rulebook)
    elif indicator.actual.text[:3] == indicator.target.text[:3] and indicator.actual.text[:1].isdigit() \
            and is_chinese(indicator.target.text.lstrip("0123456789")[:1]):
        _score_quantitative(_without_shared_lead_in(indicator), item, rulebook)
    else:
        _score_quantitative(indicator, item, rulebook)
    # The weight as scores are rounded: full marks of a weight such as 3.33333333333333 (=10/3) are
    # 3.33, and were told "得分未满".
    if item.applicable and item.score < rulebook.round_score(item.weight) and not indicator.reason:
        item.flags.append(Flag("得分未满，缺少偏差原因", indicator.cells.get("reason", indicator.source),
                               action="请单位补充偏差原因分析及改进措施"))
    review(item, rulebook, cells=indicator.cells)
    return item


_CONVERSION_PLACES = Decimal("0.0001")


def _exact(number: Decimal) -> bool:
    """Is ``number`` written out in six decimal places or fewer (a conversion that ends: 1.5小时,
    not 0.714285…周)?"""
    return number.normalize().as_tuple().exponent >= -6


def _without_shared_lead_in(indicator: Indicator) -> Indicator:
    """``indicator`` with its actual read after the words it shares with its target, when both
    begin with a number of the indicator's name: "65岁以上老年人健康管理率68%" beside "65岁以上老年人
    健康管理率≥70%" is 68%, not 65.  (Asked only when both texts begin with the same three characters,
    a digit first, and the target's number is followed by a Chinese character: most differ there,
    "≥95%" beside "96%", or are one number, "100" beside "100".)"""
    target_text, actual_text = indicator.target.text, indicator.actual.text
    target, actual = nfkc(target_text).replace(" ", ""), nfkc(actual_text).replace(" ", "")
    shared = os.path.commonprefix([target, actual]).rstrip("0123456789.")
    number = NUMBER.match(shared)
    if number is None or sum(map(is_chinese, shared[number.end():])) < 2:
        return indicator  # "100%" beside "100%": the number is the value, not a name's
    rest = parse_value(actual[len(shared):])
    return indicator if rest.number is None else replace(indicator, actual=replace(rest, text=actual_text))


def _number_in_targets_unit(indicator: Indicator, item: ItemScore) -> Indicator:
    """``indicator`` with the number of its actual that counts what its target counts, when the
    actual states several: "举办培训班5期，培训学员512人次" against ≥500人次 is 512, not 5; of
    several in the target's unit the one said to be the total (共, 合计, 全年 …), else the last that
    is no part ("其中…", in brackets).  Unchanged, and flagged, when none counts in that unit."""
    target_unit = indicator.target.unit
    numbers = numbers_in(indicator.actual.text)
    if len(numbers) < 2:
        return indicator
    alike = _alike(numbers, target_unit)
    if not alike:
        first = numbers[0][0]
        item.flags.append(Flag(f"实际完成值“{indicator.actual.text}”中没有以“{target_unit}”计的数值，"
                               f"按第一个数值{show(first.number)}{first.unit or ''}比较",
                               indicator.cells.get("actual"), action="请单位按年度指标值的单位填写实际完成值"))
        return replace(indicator, actual=replace(first, text=indicator.actual.text))
    return replace(indicator, actual=replace(_chosen(alike), text=indicator.actual.text))


def _alike(numbers: list[tuple[ParsedValue, str, bool]], target_unit: str) -> list[tuple[ParsedValue, str, bool]]:
    """Those of ``numbers`` (:func:`numbers_in`) that count in ``target_unit`` or convert to it."""
    # The unit read after a number runs on to the next clause ("个村", "户改厕"): its first word counts.
    return [number for number in numbers if number[0].unit == target_unit
            or in_unit(ONE, number[0].unit, target_unit) is not None] \
        or [number for number in numbers if number[0].unit and number[0].unit.startswith(target_unit)]


def _chosen(alike: list[tuple[ParsedValue, str, bool]]) -> ParsedValue:
    """Of several numbers alike, the one achieved: not a plan's ("计划培训300人次，实际培训280人次":
    280; "预算总额80万元，实际支出86.5万元": 86.5), the one said to be achieved (实际, 完成 …), else the
    one said to be the total (共, 合计, 全年 …), else the last that is no part ("其中…", in brackets)."""
    said = _said(alike)
    return said or next((value for value, _, part in reversed(alike) if not part), alike[-1][0])


def _said(alike: list[tuple[ParsedValue, str, bool]]) -> ParsedValue | None:
    """Of several numbers alike, the one the words say was achieved or is the total, the plans' left
    out (see :func:`_chosen`); the only one left, if one is; else None."""
    said = [number for number in alike if _PLAN_WORD.search(number[1]) is None] or alike
    if len(said) == 1:
        return said[0][0]
    return next((value for value, before, _ in said if _ACHIEVED_WORD.search(before)), None) \
        or next((value for value, before, _ in said if _TOTAL_WORD.search(before)), None)


def _dated_sentence(indicator: Indicator) -> ParsedValue | None:
    """The number an actual read as a date states beside its dates, when it states several and the
    words single out one counting what the target counts ("2019年共培训320人次，较2018年增加20人次":
    320; "截至2019年12月31日，实际支出78.6万元，结余1.4万元": 78.6); None otherwise.  Why: any date
    made the whole sentence "不是数值", 0, where the same words without it were read."""
    actual = indicator.actual
    if not actual.qualitative or not indicator.target.unit or _DIGIT.search(actual.text) is None:
        return None
    # Of several alike, only one the words single out: "上半年20个，下半年25个" is for a person to read.
    said = _said(_alike(numbers_in(actual.text), indicator.target.unit))
    return replace(said, text=actual.text) if said is not None else None


#: Words that say a number is the whole: "共5处", "合计230人", "全年12次", "累计45个".
_TOTAL_WORD = re.compile("共|合计|累计|全年|总计|总数|总")
#: Words that say a number is what was planned, not done: "计划培训300人次", "预算总额80万元", "目标95%".
_PLAN_WORD = re.compile("计划|预算|目标|预期|批复|下达|年初")
#: Words that say a number is what was done: "实际培训280人次", "完成12次".
_ACHIEVED_WORD = re.compile("实际|实现|完成|达到")
#: A year and month written with a dot ("2019.12", "2019.6月"), or a span of them ("2019.10-2019.12").
_YEAR_AND_MONTH = re.compile(r"(?:19|20)\d{2}\.(?:0?[1-9]|1[0-2])月?"
                             r"(?:[-~—至到](?:(?:19|20)\d{2}\.)?(?:0?[1-9]|1[0-2])月?)?")


def _dated_number_target(indicator: Indicator) -> Indicator | None:
    """``indicator`` with its target's number beside a date ("年底前完成50个", "100%（2019年）") and its
    actual's number, when the target states one outside its dates and the actual is a number;
    None otherwise (a deadline alone, a 定性 指标性质, an actual in words).  (Asked only of a target
    holding a digit: most qualitative ones are words, "按时完成".)"""
    target, actual = indicator.target, indicator.actual
    if actual.number is None and _DIGIT.search(actual.text) is None \
            or indicator.declared_operator and parse_operator_column(indicator.declared_operator) == "qualitative":
        return None
    if (number := number_beside_dates(target)) is None:  # first: most are a deadline alone
        return None
    if actual.number is None and (actual := number_beside_dates(actual)) is None:
        return None
    return replace(indicator, target=number, actual=actual)


_DIGIT = re.compile(r"\d")


def _operator_column_against_text(indicator: Indicator, item: ItemScore) -> None:
    """Flag a 指标性质 column whose direction the 年度指标值's own words contradict ("≤" beside
    "≥100%"): the column decides (scoring.md), but the target shown says the other way."""
    own = parse_value(indicator.target.text).operator
    column = indicator.target.operator
    if own is None or column is None or (own in _REVERSE) == (column in _REVERSE):
        return
    item.flags.append(Flag(f"指标性质列为“{indicator.declared_operator}”，年度指标值却写作“{indicator.target.text}”，"
                           f"已按指标性质列（{OPERATOR_SIGNS[column]}）计算", indicator.cells.get("target"),
                           action="请单位核对指标性质与年度指标值，改为一致"))


#: A bare number against a percentage target is read as a fraction of one (0.95 against ≥95%: 95 %)
#: only when that reading is the nearer to the target (the number below a tenth of the target): 0.8
#: against "≥5%" is 0.8 %, not 80 %.  Against a ceiling, and above 1 (1.05 against ≥100%: 105 %), only
#: while, scaled, it is at most this many times the target too: a rate far under its ceiling is the
#: usual good result, so 0.5 against "≤2%" is 0.5 % (scaled, 50 % scored 0.40 where 1.5 scored 10),
#: 0.03 against "≤5%" is 3 %; 1.5 against "≤2%" is 1.5 %, not 150 %; and against ≥100%, 1.05 % would
#: score 0.11 for a unit that over-achieved.
_FRACTION_ABOVE_ONE = 2

#: A deviation either way: "±5%", "≤±5%", "不超过±5%" — not a tolerance around a value ("20±2℃").
_DEVIATION = re.compile(r"(?:≤|<=|<|不超过|不高于|控制在)?±\d")

#: The operators of a reverse indicator (the less the better).
_REVERSE = ("<=", "<")


def _score_quantitative(indicator: Indicator, item: ItemScore, rulebook: ProjectRulebook) -> None:
    target, actual = indicator.target, indicator.actual
    w, t, a = item.weight, target.number, actual.number
    note = ""  # how the actual was converted before scoring
    if actual.unit == "万" and target.unit and not is_measure(target.unit) and (counted := base_unit(target.unit))[0]:
        # "1.2万" against "≥10000人次": ten thousand of what the target counts.  A bare 万 is 万元
        # elsewhere ("≤90万" of a cost); here it was compared as 1.2 against 10000, 0.00, unflagged.
        converted = a * 10000 / counted[1]
        note = f"实际值{show(a)}万={show(converted)}{target.unit}；"
        a = converted
    # 元 against 万元 (scoring.md §1), or one unit at two scales: "≥12万件" against "111074件".
    elif (converted := in_unit(a, actual.unit, target.unit)) is not None:
        if _exact(converted):
            note = f"实际值{show(a)}{actual.unit}={show(converted)}{target.unit}；"
            a = converted
        elif (target_converted := in_unit(t, target.unit, actual.unit)) is not None and _exact(target_converted):
            note = f"目标值{show(t)}{target.unit}={show(target_converted)}{actual.unit}；"  # 1周 = 7天, not 5天 = 0.714…周
            t = target_converted
        else:  # neither ends: rounded, and said so, for the 评分依据 to be checked by hand
            converted = converted.quantize(_CONVERSION_PLACES)
            note = f"实际值{show(a)}{actual.unit}≈{show(converted)}{target.unit}（保留4位小数）；"
            a = converted
    elif actual.unit and target.unit and actual.unit != target.unit and not (
            actual.unit.startswith(target.unit) or target.unit.startswith(actual.unit)):
        # "1小时内响应" against "100%", "96%" against "≥50个": no unit converts to the other; scored on
        # the numbers, said so.  (A unit read on into its clause, "个村" against "个", is the same.)
        item.flags.append(Flag(f"年度指标值单位“{target.unit}”与实际完成值单位“{actual.unit}”不一致，无法换算，按数值直接比较",
                               indicator.cells.get("actual"), action="请单位按年度指标值的单位填写实际完成值"))
    elif (target.unit == "%" and t > 1 and actual.unit in (None, "%")
          and (0 < abs(a) <= 1 and abs(a) * 10 < t and (target.operator not in _REVERSE or a * 100 <= t * _FRACTION_ABOVE_ONE)
               or 1 < a < t and a * 100 <= t * _FRACTION_ABOVE_ONE)  # most a ≥ t: out at the first two tests
          and "%" not in nfkc(actual.text)):  # the text last: normalising it costs most
        # The % may come from a 度量单位 column; the cell itself then holds the fraction.
        item.flags.append(_bare_fraction("实际完成值", a, indicator.cells.get("actual"), rulebook))
        if rulebook.scale_percent_fractions:
            note = f"实际值{show(a)}={show(a * 100)}%；"
            if actual.unit_declared:  # shown as written: "0.94%" (the column's % added) it is not
                item.actual = actual.text
            a = a * 100
    elif actual.unit == "%" and target.unit is None and 0 < t <= 1 and "%" not in nfkc(target.text):
        # The same on the target's side: 0.95 typed under an actual of 90% was "90≥0.95", full marks
        # and "达到目标值的9473.68%".
        item.flags.append(_bare_fraction("年度指标值", t, indicator.cells.get("target"), rulebook))
        if rulebook.scale_percent_fractions:
            note = f"目标值{show(t)}={show(t * 100)}%；"
            t = t * 100
    elif target.unit and t > 0 and (actual.unit is None and a >= t
                                    or actual.unit_declared and actual.unit == target.unit and a >= 100 * t) \
            and (counted := base_unit(target.unit))[1] > 100 and a >= t * counted[1] / (1 if actual.unit else 100):
        # (The tests on a first: what they require of it the last test requires too, and they spare
        # asking base_unit of every actual under a 度量单位 column.)
        # "≥1.2万" against "11000", "≤10万元" against "120000": a bare actual a hundred times the
        # target's scale or more is in the target's base unit (120000 万元 against 10 万元 it is not).
        # So is one under a 度量单位 of 万元 that would be ten thousand times the target: 980000 against
        # 80 was 98亿元, and 0 points, unflagged (60 against 0.5 stays 60 万元, an overrun).
        base, scale = counted
        converted = a / scale
        written = f"（度量单位为{target.unit}）" if actual.unit else "未写单位"
        item.flags.append(Flag(f"实际完成值{show(a)}{written}，视为{show(a)}{base}，换算为{show(converted)}{target.unit}",
                               indicator.cells.get("actual"), action="请单位在实际完成值中写明单位"))
        note = f"实际值{show(a)}{base}={show(converted)}{target.unit}；"
        a = converted
    elif target.unit == "%" and actual.unit is None and 0 < a < 1 and "%" not in nfkc(actual.text):
        # Kept as a percentage (0.05 against "≤2%" is 0.05 %, the nearer reading), but a fraction whose
        # cell lost its 0% format reads so too, and is 5 %: scored as written, shown a person.
        item.flags.append(Flag(f"实际完成值{show(a)}未写百分号，按{show(a)}%计分；如实为{show(a * 100)}%，得分应重新判定",
                               indicator.cells.get("actual"), action="请单位按百分数填写实际完成值（如95%）"))
    if deviation := "±" in target.text and _DEVIATION.match(compact(target.text)) is not None:
        # "±5%" (a 偏差率 within five points either way): the deviation's size against the bound.
        if a < 0:
            note += f"偏差取绝对值{show(-a)}；"
            a = -a
        t = abs(t)
    if a < 0 and target.unit != "%" and actual.unit != "%":
        item.flags.append(Flag(f"实际完成值为负数（{show(a)}），按0计算", indicator.cells.get("actual"),
                               action="请单位核实实际完成值"))
        note += f"实际值{show(a)}<0按0计；"
        a = ZERO
    operator = "<=" if deviation else target.operator or ">="
    if target.operator is None and t == 0 and a > 0:
        # §1: no operator is ≥, so "0起" is met by any count; but a target of 0 written bare is most
        # often a 零事故 target meant as ≤0 (scored 0 then): scored as the rules say, and shown a person.
        item.flags.append(Flag(f"年度指标值“{target.text}”为0且未写运算符，按“≥0”计得满分；如为“不发生”类指标，应写作“≤0”",
                               indicator.cells.get("target"), action="请评价人员核实该指标得分"))
    if operator in (">=", ">") or (operator == "=" and t > 0):
        score, basis = _positive(a, t, w, item, indicator, rulebook)
    else:
        score, basis = _reverse(a, t, w, item, indicator, rulebook)
    item.score = rulebook.round_score(score)
    item.basis = note + basis.replace("{score}", item.score.__str__())  # show2 of a rounded score


def _bare_fraction(field: str, value: Decimal, cell, rulebook: ProjectRulebook) -> Flag:
    """The flag on a bare fraction (``field`` 实际完成值 or 年度指标值) against a percentage: scaled
    ×100 as the rulebook says, or, with ``scale_percent_fractions: false``, kept as written but shown
    a person all the same (0.95 against ≥95% was scored 0.10 of 10 unsaid)."""
    if rulebook.scale_percent_fractions:
        return Flag(f"{field}{show(value)}按百分比换算为{show(value * 100)}%", cell, action=f"请单位按百分数填写{field}")
    return Flag(f"{field}{show(value)}未写百分号，像是小数形式的百分比；本规则不作换算，按{show(value)}%计分；"
                f"如实为{show(value * 100)}%，得分应重新判定", cell, action=f"请单位按百分数填写{field}（如95%）")


def _positive(a, t, w, item, indicator, rulebook):
    if a >= t:
        if t > 0 and a >= rulebook.over_achievement_factor * t:
            item.flags.append(Flag(
                f"实际值{show(a)}为目标值{show(t)}的{percent(a / t)}，达到目标值的{percent(rulebook.over_achievement_factor)}以上，"
                f"目标值可能偏低", indicator.cells.get("actual"), action="请单位说明超额完成原因，并在下年度调整目标值"))
        return w, f"{show(a)}≥{show(t)}，得满分{{score}}"
    if t <= 0:  # w × A / T means nothing here (above w for T < 0, a division by 0 for T = 0)
        return _not_proportional(item, indicator, "不大于0", f"{show(a)}<{show(t)}", a, t)
    if a < 0:  # a rate below zero (a fall against a growth target): w × A / T would be negative
        return ZERO, f"{show(a)}<0，得0分"
    return w * a / t, f"{show(a)}/{show(t)}×{show(w)}={{score}}"


def _not_proportional(item, indicator, target_is: str, comparison: str, a, t):
    """0 for a target at or below zero that was not reached (no ratio of the two means anything),
    flagged for a human to review."""
    item.flags.append(Flag(f"目标值{show(t)}{target_is}而实际值{show(a)}未达到，无法按比例计分", indicator.cells.get("actual"),
                           action="请评价人员人工复核该指标得分"))
    return ZERO, f"{comparison}，目标值{target_is}，得0分"


def _reverse(a, t, w, item, indicator, rulebook):
    if t == 0:
        if a <= 0:
            return w, f"目标值为0，实际值{show(a)}≤0，得满分{{score}}"
        return ZERO, f"目标值为0，实际值{show(a)}>0，得0分"
    if a <= t:
        return w, f"{show(a)}≤{show(t)}，得满分{{score}}"
    if t < 0:  # w × T / A is above w or below 0 here: as for a positive target of 0 or below
        return _not_proportional(item, indicator, "小于0", f"{show(a)}>{show(t)}", a, t)
    if rulebook.reverse == "linear":
        linear = w * (2 * t - a) / t  # = w × (1 − (A−T)/T), one division: no double rounding
        formula = f"{show(w)}×(1−({show(a)}−{show(t)})/{show(t)})"
        if linear < 0:  # floored at 0 (scoring.md §3), said so: "=0.00" alone did not add up
            return ZERO, f"{formula}={show2(linear)}<0，按0计，得{{score}}"
        return linear, f"{formula}={{score}}"
    return w * t / a, f"{show(t)}/{show(a)}×{show(w)}={{score}}"


def _score_qualitative(indicator: Indicator, item: ItemScore, rulebook: ProjectRulebook) -> None:
    w = item.weight
    if indicator.actual.missing:
        item.basis = "定性指标实际完成情况缺失，得0分"
        item.flags.append(Flag("实际完成值缺失", indicator.cells.get("actual"), "error"))
        return
    band, word, actual = _band_match(indicator.target.text, indicator.actual.text, rulebook)
    if band is None:
        item.basis = f"定性指标：实际完成“{indicator.actual.text}”无法归入任何档次，得0分"
        # A date done ("2019年11月" against "2019年12月底前") fits no band either: scoring.md §3 gives it
        # 0, like any text, and a person decides; the flag says whether it was on time.
        on_time = _by_deadline(indicator.target.text, indicator.actual.text)
        when = "" if on_time is None else \
            f"；实际完成时间{'不晚于' if on_time else '晚于'}年度指标值“{indicator.target.text}”"
        item.flags.append(Flag(f"无法判定定性指标（实际完成“{indicator.actual.text}”）{when}", indicator.cells.get("actual"),
                               action=f"请单位按“{'/'.join(band.words[0] for band in reversed(rulebook.bands))}”"
                                      f"等表述填写实际完成情况，或由评价人员人工评分"))  # the rulebook's own words
        return
    low, high = band_limits(band, w, rulebook.score_step)
    limits = f"[{show2(low)},{show2(high)}]"
    where = f"定性指标：“{indicator.actual.text}”属{band.label}{limits}"
    if word and band is not rulebook.bands[0] and _in_lowest_band(indicator.target.text, rulebook):
        # "是否发生安全事故" with the target 否: 是, a 达成 word, then says the target was missed.
        item.flags.append(Flag(f"年度指标值“{indicator.target.text}”本身是{rulebook.bands[0].label}的表述，"
                               f"实际完成“{indicator.actual.text}”按{band.label}评分可能有误",
                               indicator.cells.get("actual"), action="请评价人员核实完成情况，必要时人工评分"))
    if word and band is not rulebook.bands[0] and _by_deadline(indicator.target.text, indicator.actual.text) is False:
        # "2020年1月完成" against "2019年12月底前": 完成 bands it as §3 says, but it came late.
        item.flags.append(Flag(f"实际完成“{indicator.actual.text}”晚于年度指标值“{indicator.target.text}”，"
                               f"按{band.label}评分可能有误", indicator.cells.get("actual"),
                               action="请评价人员核实完成情况，必要时人工评分"))
    negation = _negation_before(actual, word, band, rulebook)
    if negation is not None:
        item.flags.append(Flag(f"实际完成“{indicator.actual.text}”中“{word}”前有否定词“{negation}”，按{band.label}评分可能有误",
                               indicator.cells.get("actual"), action="请评价人员核实完成情况，必要时人工评分"))
    own = indicator.self_score
    if own is None:
        midpoint = rulebook.round_score(band.midpoint * w)
        # Within the band's limits: at 0 places the 部分达成 midpoint of a weight of 5 (3.5) rounds to 4,
        # the 达成 band's score, beside "属部分达成档[3.00,3.00]".
        item.score = min(max(midpoint, low), high)
        item.basis = f"{where}，无自评得分，取中值{show(band.midpoint)}×{show(w)}=" + (
            midpoint.__str__() if item.score == midpoint else
            f"{show(band.midpoint * w)}，保留{rulebook.score_places}位小数为{midpoint.__str__()}，超出该档，计{item.score.__str__()}")
        item.flags.append(Flag(f"定性指标无自评得分，按{band.label}中值计分，需人工判定", indicator.source,
                               action="请评价人员人工判定得分"))
    elif low <= own <= high:
        item.score = rulebook.round_score(own)
        item.basis = f"{where}，采用自评得分{item.score.__str__()}"
    else:
        item.score = rulebook.round_score(min(max(own, low), high))
        own_text, score_text = show(own), item.score.__str__()  # show2 of a rounded score
        item.basis = f"{where}，自评得分{own_text}超出该档，调整为{score_text}"
        item.flags.append(Flag(f"自评得分{own_text}超出{band.label}范围{limits}，已调整为{score_text}",
                               indicator.cells.get("score", indicator.source), action="请单位按实际完成情况调整自评得分"))


def _by_deadline(target_text: str, actual_text: str) -> bool | None:
    """Was an actual that is a year and month ("2019.11", "2019年11月") done by its target's
    ("2019.12", "2019年12月底前")?  None when either names no year and month, or the actual says more
    than a date.  Said in flags, for a person to score by: a date fits no band (§3), and read as
    numbers "2020.03" against "2019.12" was full marks, three months late."""
    # Why the hints first: asked of every banded actual, and compacting both texts cost ~6 µs.
    if _YEAR_HINT.search(actual_text) is None or _YEAR_HINT.search(target_text) is None:
        return None
    target = _YEAR_MONTH_IN.search(compact(target_text))
    actual = _YEAR_MONTH_IN.fullmatch(compact(actual_text).rstrip(_END_PUNCTUATION))
    if target is None or actual is None:
        return None
    done, due = _date_key(actual), _date_key(target)
    if done[0] != due[0] and (_DATE_CELL_TEXT.fullmatch(actual_text) or _DATE_CELL_TEXT.fullmatch(target_text)):
        # A date cell may hold a year nobody typed: "12月20日" typed in the spring after is kept as that
        # year's (and shown "12月20日"): across years, a date cell's is not to be trusted.
        return None
    # A day only against a day, and not the 1st: "2019-12" or "2019年12月" typed into Excel is kept as
    # 2019-12-01 and read so, where the unit meant the month.
    return done <= due if len(done) == len(due) == 3 and due[2] > 1 else done[:2] <= due[:2]


def _date_key(found: re.Match) -> tuple[int, ...]:
    """(year, month) of a match of _YEAR_MONTH_IN, and its day when it names one."""
    day = found.group(3) or found.group(4)
    return (int(found.group(1)), int(found.group(2))) + ((int(day),) if day else ())


#: A date cell's value as the reader writes it (values.parse_value): "2019年12月01日".
_DATE_CELL_TEXT = re.compile(r"\d{4}年\d{2}月\d{2}日")
#: What every year _YEAR_MONTH_IN reads looks like before NFKC: four digits, ASCII or full-width.
_YEAR_HINT = re.compile(r"(?:19|20)\d\d|[０-９]{4}")
#: A year and its month, with the words or marks units put between and after them: "2019.12",
#: "2019年12月", "2019-12-20", "2019年11月完成", and a date cell as read ("2019年11月30日").
_YEAR_MONTH_IN = re.compile(r"((?:19|20)\d{2})(?:年|[.\-/])(0?[1-9]|1[0-2])(?!\d)(?:月(?:(\d{1,2})[日号]?)?|[.\-/](\d{1,2}))?"
                            r"(?:底|末)?(?:前|之前|以前|完成|完工|竣工|上线|交付|验收)?")


def qualitative_band(target_text: str, actual_text: str, rulebook: ProjectRulebook) -> Band | None:
    """The band an actual's text falls in, checking the bands from the lowest share up (the
    rulebook keeps them so): negative and partial words before positive ones."""
    return _band_match(target_text, actual_text, rulebook)[0]


def _band_match(target_text: str, actual_text: str, rulebook: ProjectRulebook) -> tuple[Band | None, str, str]:
    """(band, the band word found or "" for an actual repeating the target's text, the actual as compared)."""
    # Why not labels.normalise: it drops a trailing bracket, where units put the band word itself.
    actual = compact(actual_text)
    if actual and actual == compact(target_text):  # "equals" (§3): "有效提升。" does not repeat "有效提升"
        return rulebook.band(rulebook.equal_text_band), "", actual
    if "是否" in actual:
        actual = actual.replace("是否", "")  # "是否可持续：是" asks, then answers; its 否 says nothing
    for band in rulebook.bands:
        for word in band.words:  # plain loops: a generator per band cost more than the search
            if word in actual:
                return band, word, actual
    return None, "", actual


_END_PUNCTUATION = "。.，,；;！!"


def _in_lowest_band(target_text: str, rulebook: ProjectRulebook) -> bool:
    """Is the target itself written in words of the lowest band ("否", "未完成")?  Then the band
    words of its actual may mean the opposite of what they say."""
    words = rulebook.bands[0].words
    # The written text first, one search for all the words: most targets hold none of them, and
    # compacting each cost 6 µs a qualitative indicator, a test per word 2 µs.
    pattern = _ANY_WORD.get(words)
    if pattern is None:
        pattern = _ANY_WORD[words] = re.compile("|".join(map(re.escape, words)))
    if pattern.search(target_text) is None:
        return False
    target = compact(target_text).replace("是否", "")  # "是否建立制度" asks; its 否 says nothing
    return any(word in target for word in words)


#: A band's words → one pattern finding any of them (a rulebook's few bands: few entries).
_ANY_WORD: dict[tuple[str, ...], re.Pattern] = {}


def _negation_before(actual: str, word: str, band: Band, rulebook: ProjectRulebook) -> str | None:
    """The rulebook's negation standing just before ``word``, the band word found in ``actual``
    (at most :data:`NEGATION_REACH` characters between: "没有完成", "未能按时完成", "效果不显著"),
    if any.  Why so close: one further off is mostly about something else ("不低于95%，已完成",
    "没有发生安全事故，已完成").  The lowest band is what a negation means anyway, and an actual
    repeating the target's text (no word) is banded by that, not by a word."""
    if not word or band is rulebook.bands[0]:
        return None
    at = actual.find(word)
    # Why the test first: a negation within reach ends at one of these few places, and str.endswith
    # tries them all at once; most actuals have none, and a search per negation, over its own
    # stretch, cost 41 M instructions scoring 300 forms of distinct texts (16,000 an actual).
    for end in range(max(0, at - NEGATION_REACH), at + 1):
        if actual.endswith(rulebook.negations, 0, end):
            break
    else:
        return None
    for negation in rulebook.negations:
        found = actual.rfind(negation, max(0, at - NEGATION_REACH - len(negation)), at)
        if found >= 0:
            return negation
    return None


#: Characters that may stand between a negation and the band word it denies ("没有完成": 有).
NEGATION_REACH = 2


def band_limits(band: Band, weight: Decimal, step: Decimal = CENT) -> tuple[Decimal, Decimal]:
    """The scores a band allows, in steps of ``step`` as scores are rounded (the rulebook's
    ``score_places``: cents by default); an open upper bound ends at the last step below it
    ("bound − 0.01" of a bound in whole cents).

    Why in cents: of a weight such as 6.67 the 部分达成 band is [4.002, 5.336), and a self-score of
    4 was "outside [4.00,5.33]" and "adjusted" to 4.00.  Why the last cent below, not the bound
    rounded less a cent: of 3.33 (10 points over three indicators) the band is [1.998, 2.664), and
    a self-score of 2.66, inside it, was "outside [2.00,2.65]" and cut to 2.65.  Why never below its
    lower bound: of a weight of 0 the open band [0, 0) ended at −0.01, and a self-score was
    "adjusted" to a negative score.
    """
    low = quantize_half_up(band.low * weight, step)
    if band.high_inclusive:
        return low, quantize_half_up(band.high * weight, step)
    bound = band.high * weight
    below = quantize_down(bound, step)
    return low, max(below if below < bound else below - step, low)


# ------------------------------------------------------------------ review and checks

def check_weights(form: ProjectForm, execution: ItemScore, rulebook: ProjectRulebook) -> list[Flag]:
    """§4: weights should add up to full marks and to the rulebook's first-level sums."""
    flags = []
    weights = ZERO
    sums: dict[str, Decimal] = {}
    for indicator in form.indicators:
        weight = indicator.weight or ZERO
        weights += weight
        sums[indicator.level1] = sums.get(indicator.level1, ZERO) + weight
    total = execution.weight + weights
    if total != rulebook.total_weight:
        flags.append(Flag(f"各项分值合计{show(total)}，应为{show(rulebook.total_weight)}", action="请单位核对各指标分值"))
    # The section a form may leave out is what the rulebook's first table names and its second does
    # not (满意度 on mof-2020-project; a bureau's own, e.g. 群众评价, on its rulebook).
    without = {name for name, _ in rulebook.level1_weights_without_satisfaction}
    optional = [name.removesuffix("指标") for name, _ in rulebook.level1_weights if name not in without]
    has_satisfaction = not without or any(key in level1 for key in optional for level1 in sums)
    expected = rulebook.level1_weights if has_satisfaction else rulebook.level1_weights_without_satisfaction
    keys = [name.removesuffix("指标") for name, _ in expected]
    said = set()  # the levels whose sum is flagged already
    for name, weight in expected:
        key = name.removesuffix("指标")
        found = [level1 for level1 in sums if key in level1]
        parts = _counted_in(name, sums, keys, rulebook)
        actual = sum((sums[level1] for level1 in found + parts), ZERO)
        if actual != weight:
            counted = "".join(f"（含{level1}）" for level1 in parts)
            flags.append(Flag(f"一级指标“{name}”{counted}分值合计{show(actual)}，规则要求{show(weight)}",
                              action="请单位按规定调整一级指标分值"))
            said.update(found + parts)
    # A weight the form writes beside a 一级指标 ("产出指标(60分)") that its rows do not add up to: the
    # rows' weights are scored (§4), and the slip went unsaid where the rulebook's own sum was met.
    for level1, declared in form.level1_weights.items():
        if level1 in sums and level1 not in said and sums[level1] != declared:
            flags.append(Flag(f"一级指标“{level1}”标注{show(declared)}分，其下各指标分值合计{show(sums[level1])}",
                              action="请单位核对一级指标分值"))
    return flags


def _counted_in(name: str, sums: dict[str, Decimal], keys: list[str], rulebook: ProjectRulebook) -> list[str]:
    """The form's first levels whose 分值 count toward the section ``name`` of the rulebook besides its
    own (``weights.level1_counted_in``: a 一级 成本指标 toward 产出指标), each not a section the rulebook
    sums by itself ("产出指标（含成本）" is 产出's already)."""
    parts = [part.removesuffix("指标") for part, whole in rulebook.level1_counted_in if whole == name]
    return [level1 for level1 in sums
            if any(part in level1 for part in parts) and not any(key in level1 for key in keys)]
