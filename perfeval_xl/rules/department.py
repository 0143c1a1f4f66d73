"""Scoring of department forms (F2 + F3) — scoring.md §5, pure functions over the model."""
from __future__ import annotations

import math
from decimal import Decimal

from ..labels import indicator_key, quoted
from ..model import BaseAmounts, BaseData, DepartmentForm, DepartmentRow, Flag, FormResult, ItemScore
from ..rounding import NO_POINTS, quantize_half_up, show2
from .arithmetic import show
from .checks import check_self_total, review
from .department_rulebook import COLUMNS
from .rulebook import DepartmentIndicator, DepartmentRulebook, Term

ZERO = Decimal(0)
_COLUMN_NAMES = {column: name + "数" for name, column in COLUMNS.items()}
#: F2 rows whose amount may be below zero: a deficit (年末结余) or a budget cut (本年追加预算).
#: Any other amount below zero (spending, a budget, assets, a head count) is a slip of the unit's:
#: as a negative actual on a project form (scoring.md §3), it counts as 0 and is flagged, so that
#: no rate below zero gives a score below 0 (−4.2/42 × 5 = −0.50) and none gives full marks.
MAY_BE_NEGATIVE = frozenset({"年末结余", "本年追加预算"})


def score_department(form: DepartmentForm, rulebook: DepartmentRulebook) -> FormResult:
    """Score every row of the F3 table: computed rows from F2, the rest from the self-score."""
    items = []
    first_rows: dict[int, DepartmentRow] = {}  # a computed indicator's first row, by its rule
    for row in form.rows:
        rule = rulebook.indicator(indicator_key(row.name))
        item = score_computed_row(row, rule, form.base, rulebook) if rule else score_self_scored_row(row, rulebook)
        review(item, rulebook, cells=row.cells)
        if rule is not None:
            first = first_rows.setdefault(id(rule), row)
            if first is not row:  # the same figures counted twice
                where = f"（另见{first.source.cell}）" if first.source else ""
                item.flags.append(Flag(f"指标{quoted(row.name)}在评分表中出现不止一次{where}，计入总分两次",
                                       row.source, "error", "请单位核对指标名称，删除重复的一行"))
        items.append(item)
    total = sum((item.score for item in items), ZERO)
    flags = list(form.flags)
    if not form.unit:  # the form's name in every summary, and how F2 and F3 pair: it was left blank unsaid
        flags.append(Flag("未填写填报单位（评分表和基础数据表均未写明）", action="请单位填写填报单位"))
    if form.base is None:
        flags.append(_no_base_flag(form))
    else:
        flags.extend(form.base.flags)
    listed = {indicator_key(row.name) for row in form.rows}
    for indicator in rulebook.indicators:
        if not listed & {indicator_key(name) for name in indicator.names}:
            flags.append(Flag(f"评分表中缺少规则指标{quoted(indicator.name)}", action="请单位按规定指标体系填报"))
    weights = sum((item.weight for item in items), ZERO)
    if weights != rulebook.full_marks:
        flags.append(Flag(f"各项分值合计{show(weights)}，应为{show(rulebook.full_marks)}", action="请单位核对各指标分值"))
    flags.extend(check_level_weights(form, items))
    flags.extend(check_self_total(form.self_total, form.sources.get("self_total"), items, total, rulebook))
    return FormResult(form=form, rulebook=rulebook.name, items=items, total=total,
                      grade=rulebook.grade_for(total), flags=flags, rulebook_title=rulebook.named_in_prose,
                      review_tolerance=rulebook.review_tolerance, score_places=rulebook.score_places)


def check_level_weights(form: DepartmentForm, items: list[ItemScore]) -> list[Flag]:
    """A 分值 F3 writes beside a 一级 or 二级指标 should be the sum of its rows' 分值.

    Why: the scored form shows it beside the level's name ("投入（30分）"), so one that is not
    the sum (a negative one never is) would be shown as if it were right.  Nothing is scored by it.
    """
    # Every value written for a level, with the first row writing it: rows not merged may each
    # write one, and the scored form shows one of them.
    written: dict[tuple[tuple[str, ...], Decimal], DepartmentRow] = {}
    sums: dict[tuple[str, ...], Decimal] = {}
    for row, item in zip(form.rows, items):
        for key, weight in (((row.level1,), row.level1_weight), ((row.level1, row.level2), row.level2_weight)):
            if not key[-1]:
                continue
            sums[key] = sums.get(key, ZERO) + item.weight
            if weight is not None:
                written.setdefault((key, weight), row)
    flags = []
    for (key, weight), row in written.items():
        if weight != sums[key]:
            what, column = ("一级指标", "level1_weight") if len(key) == 1 else ("二级指标", "level2_weight")
            flags.append(Flag(f"{what}{quoted(key[-1])}的分值{show(weight)}与其下各指标分值合计{show(sums[key])}不一致",
                              row.cells.get(column, row.source), action="请单位核对分值"))
    return flags


def _no_base_flag(form: DepartmentForm) -> Flag:
    """Why the quantitative rows of ``form`` could not be computed: no F2, or an F2 of the same
    workbook whose 填报单位 differs (named, not paired by a guess: "XX区…局" may be another unit), or
    the unit's F2 in another folder (one flag: beside it, "请单位报送基础数据表" asked for one the unit sent)."""
    if form.base_elsewhere:
        return Flag(f"同一填报单位的基础数据表在另一文件夹的文件“{form.base_elsewhere}”中，未配对：基础数据表与指标评分表"
                    "须在同一文件夹，定量指标无法计算", None, "error", "请将两表放在同一文件夹后重新评分")
    if not form.other_bases and not form.unit:
        # Forms of two files pair by 填报单位 alone: one that names none cannot pair.
        return Flag("本表未填填报单位，无法与基础数据表（F2）配对，定量指标无法计算", None, "error",
                    "请单位填写填报单位（与其基础数据表一致），并一同报送基础数据表")
    if not form.other_bases:
        return Flag("未找到同一填报单位的基础数据表（F2），定量指标无法计算", None, "error", "请单位报送基础数据表")
    found = "、".join(f"工作表“{sheet}”的填报单位为“{unit or '未填'}”" for sheet, unit in form.other_bases.items())
    return Flag(f"本文件中的基础数据表（F2）{found}，与本表的填报单位“{form.unit or '未填'}”不一致，未配对，"
                "定量指标无法计算", None, "error",
                "如为同一单位，请单位将两表的填报单位改为一致后重新报送；如不是，请补报本单位的基础数据表")


def _item(row: DepartmentRow, weight: Decimal) -> ItemScore:
    return ItemScore(level1=row.level1, level2=row.level2, name=row.name, weight=weight, score=NO_POINTS,
                     self_score=row.self_score, basis="", flags=list(row.flags), source=row.source,
                     target=row.standard, reason=row.note)


def score_self_scored_row(row: DepartmentRow, rulebook: DepartmentRulebook) -> ItemScore:
    """A qualitative row keeps the unit's self-score, clamped to [0, w] (rounded as every score is)."""
    item = _item(row, row.weight if row.weight is not None else ZERO)
    if row.weight is None:
        item.flags.append(Flag("分值缺失，按0分计", row.cells.get("weight", row.source), "error", "请单位补填分值"))
    own = row.self_score
    if own is None:
        cell = row.cells.get("score", row.source)
        if any(flag.source == cell for flag in row.flags):  # written, but unreadable ("五"): the reader said why
            item.basis = "自评指标：自评得分无法读取（见问题提示），得0分"
            return item
        item.basis = "自评指标未填写自评得分，得0分"
        item.flags.append(Flag("未填写自评得分，需人工评分", cell, "error", "请单位补填自评得分"))
        return item
    clamped = min(max(own, ZERO), item.weight)
    item.score = rulebook.round_score(clamped)
    if clamped != own:
        item.basis = f"自评指标：自评得分{show(own)}超出[0,{show(item.weight)}]，调整为{show2(item.score)}"
        item.flags.append(Flag(f"自评得分{show(own)}超出分值范围[0,{show(item.weight)}]，已调整为{show2(item.score)}",
                               row.cells.get("score", row.source), action="请单位按分值范围调整自评得分"))
    else:
        item.basis = f"自评指标：采用自评得分{show2(item.score)}"
    return item


def score_computed_row(row: DepartmentRow, rule: DepartmentIndicator, base: BaseData | None,
                       rulebook: DepartmentRulebook) -> ItemScore:
    """A quantitative row: its rate from F2, then the rule of its kind."""
    item = _item(row, row.weight if row.weight is not None else rule.weight)
    # What the rulebook says of the indicator shows where the table says nothing: its 评价标准, and
    # its 一级 and 二级指标 on a row that leaves them blank.
    if not item.target:
        item.target = rule.standard
    if not item.level1:
        item.level1, item.level2 = rule.level1, item.level2 or rule.level2
    w = item.weight
    notes: list[str] = []
    missing = _missing_amounts(base, rule.numerator + rule.denominator)
    if missing:  # every one named: a unit told of the first alone sent the form again for the next
        item.basis = f"{missing}，无法计算，得0分"
        item.flags.append(Flag(f"{missing}，{quoted(row.name)}无法计算", row.source, "error", "请单位补填基础数据表相应数据"))
        return item
    numerator, numerator_text = _sum(base, rule.numerator, item, notes)
    denominator, denominator_text = _sum(base, rule.denominator, item, notes)
    formula = f"{numerator_text}/{denominator_text}"
    note = "".join(notes)
    if denominator == 0:
        # Named, then as summed: "分母为0（编制数：0）", where "（0=0）" named nothing.
        amounts = "、".join(map(_amount_name, rule.denominator))
        zero = f"分母为0（{amounts}：{denominator_text}）"
        if rule.zero_denominator == "full_if_numerator_zero":
            item.score = rulebook.round_score(w) if numerator == 0 else NO_POINTS
            outcome = f"分子为0，得满分{show2(item.score)}" if numerator == 0 else \
                f"分子{numerator_text}={show(numerator)}≠0，得0分"
            item.basis = f"{note}{zero}，{outcome}"
            return item
        item.basis = f"{note}{zero}，无法计算，得0分"
        item.flags.append(Flag(f"{quoted(row.name)}的分母为0（{amounts}），请核对基础数据表",
                               row.source, "error"))
        return item
    if denominator < 0:
        # Only a row that may be negative (MAY_BE_NEGATIVE) makes it so: a budget cut beyond the budget
        # it cuts.  Such a rate means nothing: (0+10−20−0)/(0+10−20) was 100.00%, full marks, unflagged.
        amounts = "、".join(map(_amount_name, rule.denominator))
        item.basis = f"{note}分母{denominator_text}={show(denominator)}<0，无法计算，得0分"
        item.flags.append(Flag(f"{quoted(row.name)}的分母为负数（{amounts}：{denominator_text}={show(denominator)}），"
                               "请核对基础数据表", row.source, "error"))
        return item
    quantum = Decimal(1).scaleb(-rulebook.percent_places)
    pct = quantize_half_up(numerator / denominator * 100, quantum)
    if not pct:  # a rate just below 0 (−0.004%) rounds to −0.00: shown so, as if it were below 0
        pct = pct.copy_abs()
    item.actual = f"{pct}%"
    score, how = _apply(rule, pct, w)
    item.score = rulebook.round_score(score)
    item.basis = f"{note}{formula}={pct}%，{how.replace('{score}', show2(item.score))}"
    return item


def _apply(rule: DepartmentIndicator, pct: Decimal, w: Decimal) -> tuple[Decimal, str]:
    p = rule.params
    if rule.kind == "deduct_per_point":
        over = pct - p["limit"] if p["direction"] == "over" else p["limit"] - pct
        if over <= 0:
            return w, f"{'未超过' if p['direction'] == 'over' else '不低于'}{show(p['limit'])}%，得满分{{score}}"
        how = f"{'超过' if p['direction'] == 'over' else '低于'}{show(p['limit'])}%共{show(over)}个百分点，"
        return _deduct(w, p["per_point"], over, how + f"{show(w)}−{show(p['per_point'])}×{show(over)}")
    if rule.kind == "deduct_per_step":
        short = p["target"] - pct
        if short <= 0:
            return w, f"达到{show(p['target'])}%，得满分{{score}}"
        steps = math.floor(short / p["step"])
        how = f"低于{show(p['target'])}%共{show(short)}个百分点，满{show(p['step'])}个百分点{steps}次，"
        return _deduct(w, p["per_step"], Decimal(steps), how + f"{show(w)}−{show(p['per_step'])}×{steps}")
    if rule.kind == "bands":
        for band in rule.bands:
            if band.contains(pct):
                return w * band.share, f"属{band.text()}档，{show(w)}×{show(band.share)}={{score}}"
        return w * p["otherwise"], f"不在任何得分档内，{show(w)}×{show(p['otherwise'])}={{score}}"
    if pct < 0:  # a rulebook's own formula over rows that may be negative: w × rate would be below 0
        return ZERO, f"{show(pct)}%<0，得0分"
    if pct > p["cap"]:  # said so: "120.00%，100%×5" left the officer to guess where 100% came from
        return w * p["cap"] / 100, f"超过{show(p['cap'])}%按{show(p['cap'])}%计，{show(p['cap'])}%×{show(w)}={{score}}"
    return w * pct / 100, f"{show(pct)}%×{show(w)}={{score}}"


def _deduct(w: Decimal, per: Decimal, times: Decimal, formula: str) -> tuple[Decimal, str]:
    """``w`` less ``per`` × ``times``, floored at 0 (扣完为止), and its working ``formula`` so ended.

    Why the floor is said: "5−0.5×150=0.00" did not add up for an officer checking it by hand (as
    the project rules say of a linear reverse score below 0)."""
    score = w - per * times
    if score < 0:
        return ZERO, f"{formula}={show2(score)}<0，按0计，得{{score}}"
    return score, f"{formula}={{score}}"


def _sum(base: BaseData, terms: tuple[Term, ...], item: ItemScore, notes: list[str]) -> tuple[Decimal, str]:
    """The signed sum of ``terms`` (every one of them in ``base``: see :func:`_missing_amounts`) and
    its text; an amount below zero that cannot be is counted as 0, flagged on ``item`` at its F2
    cell and noted for the 评分依据 in ``notes``."""
    values = []
    for term in terms:
        value = _amount(base, term)
        if value < 0 and term.row not in MAY_BE_NEGATIVE:
            what = _amount_name(term)
            flag = Flag(f"基础数据表{what}为负数（{show(value)}），按0计算", _amount_cell(base, term),
                        action="请单位核实基础数据表该数据")
            if flag not in item.flags:  # one amount may be a term of both numerator and denominator
                item.flags.append(flag)
                notes.append(f"{what}{show(value)}<0按0计；")
            value = ZERO
        values.append((term, value))
    total = sum((term.sign * value for term, value in values), ZERO)
    text = ""
    for i, (term, value) in enumerate(values):
        # A negative amount after a sign is bracketed: "0+100+0−(−5)", never "0+100+0−-5".
        shown = f"(−{show(-value)})" if value < 0 and (i > 0 or term.sign < 0) else show(value)
        text += (shown if term.sign > 0 else f"−{shown}") if i == 0 else (f"+{shown}" if term.sign > 0 else f"−{shown}")
    return total, f"({text})" if len(values) > 1 else text


def _amount(base: BaseData, term: Term) -> Decimal | None:
    """The F2 amount ``term`` names, or None when the F2 lacks it."""
    if term.row in ("编制数", "在职人数"):
        return base.staff_quota if term.row == "编制数" else base.staff_actual
    row = base.rows.get(term.row)
    if row is None:
        return None
    return getattr(row, _column(row, term))


def _column(row: BaseAmounts, term: Term) -> str:
    """The column of ``row`` that ``term`` reads: its own; for a term naming none, the row's one
    amount, wherever it is written, and of a row of several its 本年决算数.

    Why not the first filled: "重点支出 | 170 | 200 | —" gave its 本年预算数 200 for the
    spending, unflagged; a blank 本年决算数 is missing (scoring.md §5).
    """
    if term.column:
        return term.column
    filled = [column for column in COLUMNS.values() if getattr(row, column) is not None]
    return filled[0] if len(filled) == 1 else "final"


def _missing_amounts(base: BaseData | None, terms: tuple[Term, ...]) -> str:
    """What of ``terms`` the F2 lacks, all of it in one sentence ("基础数据表缺少“上年结转”行、
    “年末结余”行"), or "" when it has every amount."""
    if base is None:
        return "缺少基础数据表（F2）"
    lacking: list[str] = []
    for term in terms:
        if _amount(base, term) is None:
            gap = _gap(base, term)
            if gap not in lacking:
                lacking.append(gap)
    return f"基础数据表缺少{'、'.join(lacking)}" if lacking else ""


def _gap(base: BaseData, term: Term) -> str:
    """How a flag names the amount of ``term`` that ``base`` lacks: a row the F2 lacks whole as a row,
    whichever of its amounts was wanted; the column read of a row that gives other amounts
    ("“重点支出”行本年决算数", see :func:`_column`)."""
    row = base.rows.get(term.row)
    if row is None:
        return _amount_name(term) if term.row in ("编制数", "在职人数") else f"“{term.row}”行"
    return _amount_name(term, _column(row, term) if row.single() is not None else None)


def _amount_name(term: Term, column: str | None = None) -> str:
    """How a flag names the amount of ``term``: "在职人数", "“政府采购金额”行本年决算数"; ``column``:
    the column read for a term that names none (see :func:`_column`)."""
    if term.row in ("编制数", "在职人数"):
        return f"“{term.row}”"
    column = term.column or column
    return f"“{term.row}”行{_COLUMN_NAMES[column]}" if column else f"“{term.row}”行金额"


def _amount_cell(base: BaseData, term: Term):
    """The F2 cell :func:`_amount` read ``term`` from."""
    if term.row in ("编制数", "在职人数"):
        return base.sources.get(term.row)
    row = base.rows[term.row]
    return row.cell(_column(row, term))
