"""Validation of a department rulebook's ``indicators`` list (scoring.md §5)."""
from __future__ import annotations

from decimal import Decimal

from ..labels import BASE_ROWS, base_row_key, indicator_key, quoted, staff_field
from .arithmetic import show
from .rulebook import DepartmentIndicator, RateBand, Term, _Checker

COLUMNS = {"上年决算": "prior_final", "本年预算": "budget", "本年决算": "final"}
STAFF = ("编制数", "在职人数")
_STAFF_BY_FIELD = {"quota": "编制数", "actual": "在职人数"}
#: Rows of the official F2 form (forms.md) under 公用经费 / 项目支出 that the reader keeps by their
#: label but that no built-in formula names; a bureau's own formula may.
F2_SUBROWS = ("办公经费", "水费、电费、差旅费", "会议费、培训费", "业务工作专项", "运行维护专项")
#: Every row a formula term may name: the F2 rows the reader knows, then the head counts.
KNOWN_ROWS = (*BASE_ROWS, *F2_SUBROWS, *STAFF)
KINDS = ("deduct_per_point", "deduct_per_step", "bands", "ratio")
_PARAMS = {
    "deduct_per_point": ("limit", "per_point", "direction"),
    "deduct_per_step": ("target", "step", "per_step"),
    "bands": ("bands", "otherwise"),
    "ratio": ("cap",),
}
_BAND_KEYS = ("min", "max", "min_inclusive", "max_inclusive", "share")


def department_indicators(check: _Checker, data: dict, full_marks: Decimal) -> tuple[DepartmentIndicator, ...]:
    raw = check.node(data, "indicators")
    if not isinstance(raw, list) or not raw:
        check.fail("indicators", "应为非空列表")
    # Every kind's parameters are keys of an indicator's rule, whatever kinds this list uses (a file
    # further down an `extends` chain may use others); a parameter of another kind is reported by
    # _indicator with the parameters its kind takes.
    for params in _PARAMS.values():
        for param in ("kind", *params):
            check.allow(f"indicators[0].rule.{param}")
    for band_key in _BAND_KEYS:
        check.allow(f"indicators[0].rule.bands[0].{band_key}")
    indicators = tuple(_indicator(check, data, f"indicators[{i}]") for i in range(len(raw)))
    _names_unique(check, indicators)
    _weights_within(check, indicators, full_marks)
    return indicators


def _weights_within(check: _Checker, indicators: tuple[DepartmentIndicator, ...], full_marks: Decimal) -> None:
    """The computed indicators' 分值 leave room in full marks for the self-scored rows (scoring.md §5:
    those bring the table to full marks): together they are never more."""
    for i, indicator in enumerate(indicators):
        if indicator.weight > full_marks:
            check.fail(f"indicators[{i}].weight", f"“{indicator.name}”的分值 {show(indicator.weight)} 高于满分 "
                                                  f"full_marks（{show(full_marks)}）")
    together = sum(indicator.weight for indicator in indicators)
    if together > full_marks:
        check.fail("indicators", f"各指标分值合计 {show(together)} 高于满分 full_marks（{show(full_marks)}）")


def _names_unique(check: _Checker, indicators: tuple[DepartmentIndicator, ...]) -> None:
    """Two indicators never share a name: an F3 row finds its indicator by name, so the second of two
    (“三公经费”变动率 and 三公经费变动率 alike, as the reader compares them) would never be scored."""
    first: dict[str, int] = {}
    for i, indicator in enumerate(indicators):
        for field, name in ((f"indicators[{i}].name", indicator.name),
                            *((f"indicators[{i}].aliases", alias) for alias in indicator.aliases)):
            key = indicator_key(name)
            if not key:  # "“”", "（）": no F3 row is named so, and the indicator was never scored, unsaid
                check.fail(field, f"{quoted(name)}去掉引号、编号和空格后没有文字，评分表中没有哪一行能对应此指标")
            if key in first and first[key] != i:
                check.fail(field, f"“{name}”与第{first[key] + 1}个指标“{indicators[first[key]].name}”重名："
                                  "评分表按名称对应指标，此项永远用不到")
            first[key] = i


def _indicator(check: _Checker, data: dict, key: str) -> DepartmentIndicator:
    entry = check.node(data, key)
    if not isinstance(entry, dict):
        check.fail(key, "应为包含 name/level1/weight/numerator/denominator/rule 的映射")
    kind = check.choice(data, f"{key}.rule.kind", KINDS)
    rule = check.node(data, f"{key}.rule")
    for param in rule:
        if param != "kind" and param not in _PARAMS[kind]:
            check.fail(f"{key}.rule.{param}", f"{kind} 规则不支持此参数（可用：{'、'.join(_PARAMS[kind])}）")
    params: dict = {}
    bands: tuple[RateBand, ...] = ()
    if kind == "deduct_per_point":
        params = {"limit": check.number(data, f"{key}.rule.limit"),
                  "per_point": check.number(data, f"{key}.rule.per_point", 0, None),
                  "direction": _optional(check, data, f"{key}.rule.direction", "over")}
        if params["direction"] not in ("over", "under"):
            check.fail(f"{key}.rule.direction", "应为 over（超过上限扣分）或 under（低于下限扣分）")
    elif kind == "deduct_per_step":
        params = {"target": check.number(data, f"{key}.rule.target"),
                  "step": check.number(data, f"{key}.rule.step", 0.0001, None),
                  "per_step": check.number(data, f"{key}.rule.per_step", 0, None)}
    elif kind == "bands":
        bands = _rate_bands(check, data, f"{key}.rule.bands")
        params = {"otherwise": check.number(data, f"{key}.rule.otherwise", 0, 1)}
    elif kind == "ratio":
        params = {"cap": check.number(data, f"{key}.rule.cap", 0, 100)}  # above 100 % it scores more than the weight
    zero = _optional(check, data, f"{key}.zero_denominator", "error")
    if zero not in ("error", "full_if_numerator_zero"):
        check.fail(f"{key}.zero_denominator", "应为 error 或 full_if_numerator_zero")
    return DepartmentIndicator(
        name=check.text(data, f"{key}.name"),
        level1=check.text(data, f"{key}.level1"),
        level2=check.optional_text(data, f"{key}.level2"),
        weight=check.number(data, f"{key}.weight", 0, None),
        numerator=_terms(check, data, f"{key}.numerator"),
        denominator=_terms(check, data, f"{key}.denominator"),
        kind=kind, params=params, bands=bands, zero_denominator=zero,
        standard=check.optional_text(data, f"{key}.standard"),
        aliases=_aliases(check, data, f"{key}.aliases"),
    )


def _aliases(check: _Checker, data: dict, key: str) -> tuple[str, ...]:
    """Other names of an indicator ("财政供养人员控制率" for 在职人员控制率): an F3 row of either is it."""
    aliases = _optional(check, data, key, [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        check.fail(key, "应为指标其他名称的列表，如 [财政供养人员控制率, 人员控制率]")
    return tuple(a.strip() for a in aliases)


def _optional(check: _Checker, data: dict, key: str, default):
    found, value = check.optional(data, key)
    return value if found else default


def _terms(check: _Checker, data: dict, key: str) -> tuple[Term, ...]:
    raw = check.node(data, key)
    if not isinstance(raw, list) or not raw or not all(isinstance(t, str) and t.strip() for t in raw):
        check.fail(key, "应为基础数据表字段的列表，如 [三公经费.本年预算, -三公经费.上年决算]")
    terms = []
    for i, text in enumerate(raw):
        body = text.strip()
        sign = -1 if body.startswith("-") else 1
        body = body.lstrip("+-").strip()
        written, _, column = body.partition(".")
        if not base_row_key(written):  # "-", " . ": no row, which every unit would be blamed for lacking
            check.fail(f"{key}[{i}]", f"“{text}”没有写基础数据表的行名，应如“三公经费.本年预算”")
        if column and column not in COLUMNS:
            check.fail(key, f"“{text}”的列应为 {'、'.join(COLUMNS)} 之一")
        row = _row(check, f"{key}[{i}]", text, written)
        if row in STAFF and column:
            check.fail(f"{key}[{i}]", f"“{text}”：{row}是人数，不分列，应写作“{row}”")
        terms.append(Term(sign=sign, row=row, column=COLUMNS.get(column), text=text))
    return tuple(terms)


def _row(check: _Checker, key: str, text: str, written: str) -> str:
    """The F2 row a term names, as the reader keys it (a synonym such as 年初预算数 → 年初预算).

    A name one character away from a row the F2 form has (年初预算书 for 年初预算数) is the
    rulebook's typo: reported here, on load, rather than blamed on every unit at scoring time
    ("基础数据表缺少…行").  Any other name is a row of the bureau's own F2 (forms.md: the rows after
    政府采购金额 vary most between places, e.g. 人员经费), which the reader keeps under its label.
    """
    staff = staff_field(written)
    if staff is not None:
        return _STAFF_BY_FIELD[staff]
    row = base_row_key(written)
    if row in KNOWN_ROWS:
        return row
    typo = next((known for known in KNOWN_ROWS if _one_apart(row, known)), None)
    if typo is not None:
        named = f"“{written}”" if written == text.strip() else f"“{text}”中的“{written}”"
        check.fail(key, f"{named}不是基础数据表的行（是否应为“{typo}”？）")
    return row


def _one_apart(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` differ by one character changed, added or dropped?"""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _rate_bands(check: _Checker, data: dict, key: str) -> tuple[RateBand, ...]:
    """The bands of a ``bands`` rule, in the file's order: scoring takes the first band a rate is in.

    Out of order is an error, not sorted away, as with ``grades``: the order is part of the rule
    (a first band ``{min: 150, share: 0}`` can take the points of an implausible rate that a later
    ``{min: 90, share: 1}`` would give), so no sort fits every list.  What is certainly wrong is a
    band that an earlier one contains, which can never apply: ``min: 80`` before ``min: 90`` gave
    92.34% the 80% band.
    """
    raw = check.node(data, key)
    if not isinstance(raw, list) or not raw:
        check.fail(key, "应为非空列表，如 - {min: 90, share: 1}")
    bands = []
    for i, entry in enumerate(raw):
        band_key = f"{key}[{i}]"
        if not isinstance(entry, dict) or not ({"min", "max"} & entry.keys()):
            check.fail(band_key, "每一档至少要有 min 或 max（百分数）")
        for flag_key in ("min_inclusive", "max_inclusive"):
            if flag_key in entry and not isinstance(entry[flag_key], bool):
                check.fail(f"{band_key}.{flag_key}", "应为 true 或 false")
        band = RateBand(
            min=check.number(data, f"{band_key}.min") if "min" in entry else None,
            max=check.number(data, f"{band_key}.max") if "max" in entry else None,
            min_inclusive=entry.get("min_inclusive", True),
            max_inclusive=entry.get("max_inclusive", True),
            share=check.number(data, f"{band_key}.share", 0, 1),
        )
        if band.min is not None and band.max is not None and (
                band.min > band.max or (band.min == band.max and not (band.min_inclusive and band.max_inclusive))):
            check.fail(f"{band_key}.min", f"下限 {band.min} 大于上限 {band.max}，此档为空" if band.min > band.max
                       else f"下限与上限都是 {band.min}，却不同时包含端点，此档为空")
        for j, earlier in enumerate(bands):
            if _within(band, earlier):
                check.fail(band_key, f"永远用不到：排在前面的第{j + 1}档（{earlier.text()}）已包含此档（{band.text()}）。"
                                     "各档按排列顺序取第一个符合的档，应把范围小的档排在前面"
                                     "（min 从高到低，max 从低到高）")
        bands.append(band)
    return tuple(bands)


def _within(inner: RateBand, outer: RateBand) -> bool:
    """Whether every rate in ``inner`` is also in ``outer`` (so a band listed after ``outer`` never applies)."""
    if outer.min is not None:
        if inner.min is None or inner.min < outer.min:
            return False
        if inner.min == outer.min and inner.min_inclusive and not outer.min_inclusive:
            return False
    if outer.max is not None:
        if inner.max is None or inner.max > outer.max:
            return False
        if inner.max == outer.max and inner.max_inclusive and not outer.max_inclusive:
            return False
    return True


__all__ = ["department_indicators", "COLUMNS", "STAFF", "KNOWN_ROWS"]
