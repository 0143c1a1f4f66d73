"""Parse target and actual cells into (operator, number, unit) — scoring.md §1."""
from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from .labels import nfkc
from .model import ParsedValue, new_parsed_value

PLACEHOLDERS = frozenset({"", "—", "——", "-", "--", "/", "*", "xx", "XX", "无", "暂无", "－", "–", "N/A", "n/a", "NA",
                          "na", "空"})
#: Characters a unit types for "nothing here" besides the dashes above: look-alikes an input method
#: offers (― ─ ━ ‐ ‒, "一" for a dash) and a tilde.  A value of these alone is a placeholder:
#: read as text, "―" against "―" was "equal text", 达成.
_DASH_LIKE = "-—–―─━‐‑‒一~_"

# Word operators, longest first so "不低于" wins over "低于".  Official texts put a modal between
# 不 and the comparison ("不得低于", "不应超过", "不能多于"): the inner word alone is the opposite.
_MODALS = ("得", "应", "能", "可", "宜", "会")
_WORD_OPERATORS: tuple[tuple[str, str], ...] = (
    *((f"不{modal}{word}", op) for modal in _MODALS
      for word, op in (("低于", ">="), ("少于", ">="), ("小于", ">="),
                       ("高于", "<="), ("超过", "<="), ("多于", "<="), ("大于", "<="))),
    ("最多", "<="), ("至多", "<="), ("最少", ">="), ("至少", ">="),
    ("大于等于", ">="), ("大于或等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("小于等于", "<="), ("小于或等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不多于", "<="),
    ("不大于", "<="), ("控制在", "<="),
    ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"),
    ("等于", "="),
)
_SYMBOL_OPERATORS: tuple[tuple[str, str], ...] = (
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("≧", ">="), ("⩾", ">="),
    ("<=", "<="), ("=<", "<="), ("≤", "<="), ("≦", "<="), ("⩽", "<="),
    (">", ">"), ("<", "<"), ("=", "="),
)
# ("内" alone is a ceiling only after a time unit: "3个工作日内", not "12个镇街内"; see _TIME_LIMIT.)
_SUFFIX_OPERATORS: tuple[tuple[str, str], ...] = (
    ("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="),
)
_SUFFIX_WORDS = tuple(word for word, _ in _SUFFIX_OPERATORS)
#: Any word or symbol operator, as a pattern, the longest tried first ("不低于" before "低于").
_ANY_OPERATOR = "|".join(re.escape(word) for word, _ in sorted(_WORD_OPERATORS + _SYMBOL_OPERATORS,
                                                               key=lambda pair: -len(pair[0])))
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
NUMBER = _NUMBER  #: a number as a value's text writes it, for the rules that read one out of a text
_EXPONENT = re.compile(r"[eE][-+]?\d+")  # right after a _NUMBER: scientific notation
# A date or deadline: its digits are a date, not a target value.  Matched on the compact text
# (NFKC, no spaces).  Why not every "季度" or "月": "每季度≥1次" and "≥2次/月" are frequencies,
# "12个月" a duration; a quarter is a date only when it is named ("第三季度", "四季度末").
_DEADLINE_WORD = r"(?=前|之前|以前|底|末|完成|止|截止)"
# Why so narrow for "2019.12": a bare "2015.6" is as likely a number as a year and month, so a
# year and month with a dot is a date only before a deadline word, or with its day (2019.12.31);
# with "-" or "/" (2019-12, 2019/12) it cannot be a number.  "≥12月" counts months: an operator
# before a month makes it a duration.
_DATE = re.compile(
    r"(?<![\d.])(?:0?[1-9]|1[0-2])[-~—至到](?:0?[1-9]|1[0-2])月(?![\d个])"  # "1-12月": months, not a number
    r"|(?:19|20)\d{2}年度?内|\d{4}年(?!度?[内均])"  # "2019年内完成": within that year, not "≤2019年"
    r"|(?<![\d.≥≤><=])(?:0?[1-9]|1[0-2])月(?![\d个])|(?<![\d.])(?:0?[1-9]|1[0-2])月\d{1,2}[日号]"
    r"|\d{1,2}[日号](?:前|之前|以前)"
    r"|年底|年末|月底|月末|上半年|下半年|(?:第|[一二三四1-4])季度|季度[末底]"
    r"|(?<![\d.])(?:19|20)\d{2}(?:[-/](?:0?[1-9]|1[0-2])(?:[-/]\d{1,2})?(?=$|前|之前|以前|底|末|完成|止|截止)"
    r"|\.(?:0?[1-9]|1[0-2])\.\d{1,2}(?![\d.])|\.(?:0?[1-9]|1[0-2])" + _DEADLINE_WORD + r")"
    r"|(?<![\d.])(?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?:前|之前|以前)"
)
_YEAR_AND_SEPARATOR = re.compile(r"(?:19|20)\d\d[-/.]")


def _may_hold_a_date(compact: str) -> bool:
    """Does ``compact`` hold what every match of _DATE holds: 年, 月, 季 or 前 (a day, "15日", is a
    date only before 前), or a year of 19xx/20xx followed by "-", "/" or "."?

    Why: most values hold none, and on such a value the full _DATE search cost about 20,000
    instructions (2.4 % of reading 300 forms of distinct texts).  Why not the date characters
    alone: "." is in every decimal and 号 in most place names ("36号片区").  Why ``in`` and not one
    pattern of both: a search for a class of characters tries it at every character (−11 M
    instructions reading those forms).
    """
    return ("年" in compact or "月" in compact or "季" in compact or "前" in compact
            or ("-" in compact or "/" in compact or "." in compact) and _YEAR_AND_SEPARATOR.search(compact) is not None)


# Why the comma first and the digit before it looked behind for: a pattern that starts with a literal
# is searched for that character; one that starts with the lookbehind tried it at every character.
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")
# The commonest values whole: "1059.3元", "≥95%", "120,211所", "≥860万元" — an ASCII operator or ≥ ≤,
# a number (its commas all thousands separators), and "%" or a unit of Chinese characters.  Every
# such text is its own NFKC, holds nothing _compact removes but those commas, and no date, suffix
# operator or unit end: the general path would read it as the groups say.  The unit's excluded
# characters are those of _may_hold_a_date, of every suffix operator (以, and 内 of "天内"), and of the deadline words that
# make "2019.12底" a date.
_PLAIN_VALUE = re.compile(r"(>=|<=|=>|=<|[≥≤><=])?([-+]?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)"
                          r"(%|(?:(?![年月季前以内底末完止截])[\u4e00-\u9fff])*)")
# U+2212 MINUS SIGN, as Word and web pages write it: NFKC leaves it, so "−5" would read as 5.
_MINUS_SIGN = str.maketrans({"\u2212": "-"})


def _compact(text: object) -> str:
    """A value's text as its number is read: NFKC (a full-width space becomes a space), no spaces,
    no thousands separators, Word's minus sign a hyphen, a full stop between digits a point."""
    compact = nfkc(text)
    # Why the tests: the regex tries its lookbehind at every character and translate looks every
    # character up in a dict, each costing more than the rest; most values have neither character.
    if "," in compact:
        compact = _THOUSANDS.sub("", compact)
    compact = compact.replace(" ", "")
    if "。" in compact:  # "95。6%": a Chinese input method's full stop typed for the decimal point
        compact = _STOP_AS_POINT.sub(".", compact)
    return compact.translate(_MINUS_SIGN) if "\u2212" in compact else compact


_STOP_AS_POINT = re.compile(r"(?<=\d)。(?=\d)")


#: What ends a unit: a note after it ("1300次/年", "95%（含）"), or a range going on ("90%-100%",
#: "≥90%且≤100%").
_UNIT_STOPS = r"(/,;，；（\-~—至到且≤≥<>"
_UNIT_END = re.compile(f"[{_UNIT_STOPS}]")
#: The end of a range after its first number ("90-100%": its unit is written once, at the end).
_RANGE_END = re.compile(rf"[-~—至到]\s*\d[\d.]*\s*([^\d\s{_UNIT_STOPS}]+)")

_UNIT_ALIASES = {"百分比": "%", "百分点": "%", "％": "%", "pct": "%"}
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000),
    "百万元": Decimal(1000000), "亿元": Decimal(100000000),
}


def logical_text(value: bool) -> str:
    """A logical cell value as Excel and WPS show it (TRUE, FALSE), not as Python spells it (True)."""
    return "TRUE" if value else "FALSE"


def to_decimal(raw: object) -> Decimal | None:
    """A cell's numeric value as Decimal, or None when it holds no number.

    Floats go through ``repr`` so 59.38 stays 59.38, not its binary expansion.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):  # NaN or ±inf
            return None
        return float_decimal(raw)
    if isinstance(raw, Decimal):
        return raw if _fits_a_cell(raw) else None
    text = _compact(raw)
    text = text.rstrip("元").rstrip("万").rstrip("分") if text else text
    if text in PLACEHOLDERS:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if _fits_a_cell(number) else None


def float_decimal(number: float) -> Decimal:
    """A finite float as Decimal, through ``repr`` (59.38 stays 59.38, not its binary expansion), to
    the 15 significant digits Excel and WPS show of a number cell.

    Why 15: a weight a formula left as 9.999999999999998 is the 10 the unit sees, and was scored
    as written: 13/16 × 9.999999999999998 = 8.124999… was rounded to 8.12, not 8.13.
    """
    decimal = _FLOAT_DECIMALS.get(number)
    if decimal is None:
        text = repr(number)
        decimal = Decimal(text)
        # Why the length first: a repr of 15 significant digits or fewer is what Excel shows; only a
        # longer one can have more (and is rare, so the digits are counted only for it).
        if len(text) > 16 and len(decimal.as_tuple().digits) > _EXCEL_DIGITS:
            decimal = Decimal(format(number, f".{_EXCEL_DIGITS}g"))
        if number and len(_FLOAT_DECIMALS) < _FLOAT_DECIMALS_KEPT:  # not 0: −0.0 equals 0.0, and reads "-0.0"
            _FLOAT_DECIMALS[number] = decimal
    return decimal


# Why kept: the 分值 and 得分 cells of a form hold a few numbers (2.0, 3.0, 1.0 …) row after row, and
# repr and Decimal cost ~3,500 instructions a number (−30 M reading 300 forms of distinct texts).
# Why the first ones only: those recur on every form; a bound keeps a worker's memory flat.
_FLOAT_DECIMALS: dict[float, Decimal] = {}
_FLOAT_DECIMALS_KEPT = 1024
#: The significant digits Excel keeps of a number (and shows at most).
_EXCEL_DIGITS = 15


def _fits_a_cell(number: Decimal) -> bool:
    """Is ``number`` one a number cell could hold: finite, and within a double's range (as Excel
    and WPS store numbers: neither infinite nor a nonzero that becomes 0 as a double)?

    Why: Decimal reads text that is no number on a form — "NaN", "Infinity", "sNaN", "1e999999" —
    and the rules' comparisons and rounding raised InvalidOperation or Overflow on it, losing the
    whole workbook.  Read as no number, the cell gets a plain error naming it instead.
    """
    if not number.is_finite() or not -400 < number.adjusted() < 400:  # "0e999999" too: no cell holds it
        return False
    as_double = float(number)  # inf beyond ±1.8E+308; 0.0 below 5E-324
    return math.isfinite(as_double) and (as_double != 0 or not number)


@functools.lru_cache(maxsize=1024)  # Why cached: a few dozen units (台, 万元, %) recur on every form
def normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    unit = nfkc(unit).replace(" ", "")
    for word, _ in _SUFFIX_OPERATORS:
        if unit.endswith(word):
            unit = unit[: -len(word)]
    unit = _UNIT_ALIASES.get(unit, unit)
    return unit or None


def _is_placeholder(compact: str) -> bool:
    # Why the length first: upper copies the text, and never shortens one.
    return compact in PLACEHOLDERS or not compact.strip(_DASH_LIKE) or len(compact) <= 2 and compact.upper() in ("XX", "X")


#: The characters a template's unfilled value holds (see :func:`_is_template_placeholder`): most values
#: without a number hold none, and are read as words at once.
_TEMPLATE_HINT = frozenset("xX-—–―─━‐‑‒/*")
_TEMPLATE_DASHES = re.escape("-—–―─━‐‑‒/*")


@functools.cache
def _template_placeholder() -> re.Pattern:
    """"XX" with the operator and unit the template wrote around it ("≥XX%", "XX个", "≤XX万元",
    "XX万平方米"); a dash, "/" or "*" with a percent sign ("—%") or after an operator ("≥—",
    "≤/万元").  Not a dash before words ("—按时完成": a bullet), nor "一" (a numeral: "一流"), nor
    "XX" before words that are no unit ("XX县全覆盖", "XX项目按时完成": a place or a name left
    unfilled in a target that is words anyway).

    Compiled when first asked for: compiling it costs ≈ 30 M instructions (its operators three times
    over), which every process paid at start-up while few batches hold such a value."""
    units = sorted({*MONEY_UNITS, *_COUNTERS, *_MEASURES, "百分比"}, key=len, reverse=True)
    unit = (r"(?:%|‰|(?:万|千|亿)?(?:" + "|".join(map(re.escape, units)) + r"))?"
            r"(?:" + "|".join(map(re.escape, _SUFFIX_WORDS)) + ")?")
    return re.compile(rf"(?:{_ANY_OPERATOR})?[xX]{{2,}}{unit}"
                      rf"|(?:{_ANY_OPERATOR})?[{_TEMPLATE_DASHES}]+[%‰]"
                      rf"|(?:{_ANY_OPERATOR})[{_TEMPLATE_DASHES}]+{unit}")


def _is_template_placeholder(compact: str) -> bool:
    """Is ``compact`` (a value without a digit) a placeholder with its operator or unit around it, as a
    template leaves it unfilled ("≥XX%", "XX个", "—%")?  No value (scoring.md §1), as "XX" alone is.

    Why: read as words, "≥XX%" made its indicator qualitative, and the number beside it was told
    "无法判定定性指标"; the form was incomplete, and nothing said so.
    """
    return _template_placeholder().fullmatch(compact) is not None


def is_placeholder(raw: object) -> bool:
    """Does ``raw`` say "nothing here" (blank, "—", "/", "无", "XX" … scoring.md §1)?"""
    return raw is None or raw.__class__ is str and _is_placeholder(_compact(raw))


def parse_value(raw: object, *, declared_operator: str | None = None,
                declared_unit: str | None = None) -> ParsedValue:
    """Parse a target or actual cell.

    ``declared_operator`` (from a 指标性质 column) overrides the text's operator;
    the special value "定性" makes the value qualitative.  ``declared_unit``
    (from a 度量单位 column) supplies a unit the text lacks.
    """
    unit_from_column = normalise_unit(declared_unit) if declared_unit else None
    column_operator = None if declared_operator is None else parse_operator_column(declared_operator)
    if raw.__class__ is str and column_operator != "qualitative" and (plain := _PLAIN_VALUE.fullmatch(raw)):
        # Why: the general path below cost about 30,000 instructions on such a value, most of it
        # in tests that cannot apply (tests/test_values.py holds the two paths equal).
        before, number_text, unit_text = plain.groups()
        number_text = number_text.replace(",", "")
        if len(number_text) <= _CHECKED_DIGITS:  # longer ones are checked below to fit a cell
            return _numeric_value(raw, number_text, _SYMBOL_SUFFIXES[before] if before else None, unit_text,
                                  column_operator, unit_from_column)
    if isinstance(raw, (_dt.datetime, _dt.date)):
        text = raw.strftime("%Y年%m月%d日")
        return new_parsed_value(text=text, qualitative=True)
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        number = to_decimal(raw)
        op = column_operator if column_operator not in (None, "qualitative") else None
        if number is None:
            return new_parsed_value(text=str(raw), missing=True)
        return new_parsed_value(text=format_number(number), operator=op, number=number, unit=unit_from_column,
                                qualitative=column_operator == "qualitative", operator_declared=op is not None,
                                unit_declared=unit_from_column is not None)
    # Shown as written (a logical value as the unit's spreadsheet shows it); parsed after NFKC.
    text = "" if raw is None else logical_text(raw) if raw.__class__ is bool else str(raw).strip()
    compact = _compact(raw)
    if _is_placeholder(compact):
        return new_parsed_value(text=text, missing=True)
    if column_operator == "qualitative":
        return new_parsed_value(text=text, qualitative=True)
    # Why the tests first: few values hold either word, and the patterns cost more than the tests.
    if ("零" in compact or "发生" in compact or "出现" in compact or "无" in compact or "没有" in compact
            or "接到" in compact or "收到" in compact) and (
            zero := _ZERO_EVENTS.fullmatch(said := compact.rstrip("。.!！;；")) or _NO_EVENT.fullmatch(said)):
        # "零事故" against "0起", "未发生" against "≤0起": a count of none, as "=0" (§3: A ≤ 0 → w).
        counter = zero.group(1) if zero.re is _ZERO_EVENTS else None
        return new_parsed_value(text=text, operator=column_operator or "=", number=Decimal(0),
                                unit=normalise_unit(counter) or unit_from_column,
                                operator_declared=column_operator is not None,
                                unit_declared=counter is None and unit_from_column is not None)
    if "百分之" in compact:
        compact = _PERCENT_IN_WORDS.sub(_percent_in_digits, compact)  # "百分之九十五" as "95%"
    elif (at := compact.find("成")) > 0 and compact[at - 1] in _ONE_TO_NINE \
            and (tenths := _TENTHS.fullmatch(compact)) is not None:  # "九成以上" as "90%以上"
        # (Why the numeral before 成 first: 成 is in most actuals, "完成", and the pattern tries every
        # operator word at the start.)
        operator, tens, ones, suffix = tenths.groups()
        compact = f"{operator}{_CHINESE_DIGITS[tens] * 10 + (_CHINESE_DIGITS[ones] if ones else 0)}%{suffix}"
    # Why the tests first: few values end as a count does, or hold a numeral, and the full pattern
    # (every operator word tried at the start) costs more.
    if compact[-1:] in _COUNT_LAST_CHARACTERS and _NUMERAL.search(compact) is not None \
            and (spelled := _spelled_count(compact)) is not None:
        compact = spelled  # "不少于三次" as "不少于3次"; shown as written
    number_match = None
    # Why the hint first: every spelling _DATE knows has one, and most values none.
    if _may_hold_a_date(compact) and _DATE.search(compact):
        # A year may be the base or the period of a target ("较2021年增长≥5%", "2022年度培训≥500
        # 人次"): a comparison with a number that is not itself a date is the target.
        number_match = _compared_number(compact)
        if number_match is None:
            return new_parsed_value(text=text, qualitative=True)
    number_match = number_match or _NUMBER.search(compact)
    if number_match is None:
        if not _TEMPLATE_HINT.isdisjoint(compact) and _is_template_placeholder(compact):
            return new_parsed_value(text=text, missing=True)
        return new_parsed_value(text=text, qualitative=True)
    # "12345热线接通率≥95%", "65岁以上老年人健康管理率≥70%": a number of the indicator's own words
    # comes before the comparison that is the target.  Why a character of an operator first: most
    # values hold none after their number ("完成（北岸46号片区，425次）"), and the comparison's
    # pattern tries every operator word.
    if _OPERATOR_CHARACTER.search(compact, number_match.end()) is not None \
            and _operator_in(compact[: number_match.start()]) is None \
            and (compared := _comparison(compact, number_match.end())) is not None \
            and _is_name_words(compact[number_match.end(): compared.start()]):
        number_match = _NUMBER.match(compact, compared.start(1))
    number_text = number_match.group()
    before, after = compact[: number_match.start()], compact[number_match.end():]
    if after[:1] in ("e", "E") and (exponent := _EXPONENT.match(after)):
        # "1e5", "1.5E+3万元": a number in scientific notation, as Excel shows a large one (and
        # as to_decimal reads a number cell), not 1 with the unit "e5".  Written so large or small
        # that no cell could hold it ("1e999999"), it is no number, and the engine says so.
        number_text += exponent.group()
        after = after[exponent.end():]
        if to_decimal(number_text) is None:  # as a number cell holding that text is read
            return new_parsed_value(text=text)
    elif len(number_text) > _CHECKED_DIGITS and to_decimal(number_text) is None:
        # The same for a number written out in 400 digits; shorter ones all fit (the length test
        # keeps the check off the ordinary value).
        return new_parsed_value(text=text)
    operator = _operator_in(before) if before else None
    unit_text = after
    if "¥" in before and not after[:1].isalpha():  # "￥120000" (NFKC: "¥"): an amount in 元
        unit_text = "元" + after
    if unit_text.endswith(_SUFFIX_WORDS):  # Why the test first: most units end with none of them
        unit_text, suffix_op = _without_suffix_operator(unit_text)
        operator = operator or suffix_op
    # Why: "1300次/年" or "95%（含）" — keep the leading unit token only; and of a range ("90%-100%",
    # "≥90%且≤100%") its first number's unit, which a range written "90-100%" gives at its end.
    # Unsplit, "%-100%" was no unit, and an actual 0.95 against it was not read as 95%.
    note = ""
    if (stop := _UNIT_END.search(unit_text)) is not None:
        unit_text, note = unit_text[: stop.start()], unit_text[stop.end():]
    if operator is None and note:
        # The operator before a note ("90万元以内（据实结算）", "5%以下（含）"), or as the whole note
        # ("90万元（不超过）"): read as no operator, these ceilings were scored as targets to reach.
        if unit_text.endswith(_SUFFIX_WORDS):
            unit_text, operator = _without_suffix_operator(unit_text)
        else:
            operator = _NOTE_OPERATORS.get(note.rstrip(")]】"))
    if operator is None and "内" in unit_text and (limit := _TIME_LIMIT.match(unit_text)):
        if (later := _NUMBER.search(after, limit.end())) is not None:
            # "24小时内处置率100%", "3日内完成50个": the limit says when; the number after it is the target.
            found = parse_value(after[later.start():], declared_operator=declared_operator, declared_unit=declared_unit)
            return replace(found, text=text)
        unit_text, operator = limit.group(1), "<="  # "2小时内响应", "3个工作日内办结"
    if not unit_text and (range_end := _RANGE_END.match(after)):
        unit_text = range_end.group(1)
    return _numeric_value(text, number_text, operator, unit_text, column_operator, unit_from_column)


#: A count spelt in Chinese numerals ("不少于三次", "≥两个", "四项"): an operator, if any, the
#: numeral, a counter and a suffix operator, if any — the whole value.  Why so narrow: a numeral
#: is often no count ("一定效果", "一般", "两年内完成", "第三季度"); no date or duration counter.
_COUNTERS = ("人次", "次", "个", "项", "人", "场", "家", "所", "期", "批", "篇", "本", "台", "套", "处", "座", "名",
             "户", "件", "份", "条", "株", "棵", "亩", "轮", "班", "册", "部", "辆", "张", "种", "类", "间", "栋")
_NUMERAL = re.compile("[一二两三四五六七八九十百千]")
#: The last character of every value _SPELLED_COUNT matches (a counter's, or a suffix operator's).
_COUNT_LAST_CHARACTERS = frozenset(word[-1] for word in _COUNTERS + ("以上", "以下", "以内"))
_ONE_TO_NINE = "一二三四五六七八九"
_CHINESE_DIGITS = {**{digit: value for value, digit in enumerate(_ONE_TO_NINE, start=1)}, "两": 2}
_SPELLED_COUNT = re.compile(  # "二十余次", "一百多人": more than the number, read as it ("≥" is the target's to say)
    f"((?:{_ANY_OPERATOR})?)([一二两三四五六七八九十百千零]{{1,8}})(?:余|多)?({'|'.join(_COUNTERS)})"
    f"((?:{'|'.join(_SUFFIX_WORDS)})?)")


def _spelled_count(compact: str) -> str | None:
    """``compact`` with its count in Chinese numerals written in digits, or None when it is none."""
    if (match := _SPELLED_COUNT.fullmatch(compact)) is None or (value := _numeral_value(match.group(2))) is None:
        return None
    return f"{match.group(1)}{value}{match.group(3)}{match.group(4)}"


def _numeral_value(numeral: str) -> int | None:
    """一 … 九千九百九十九 as a number ("十二", "一百二十", "一百零五", "两千"); None for anything else
    ("十十", "三四", "百一")."""
    total, digit, last_place, skipped = 0, None, 10000, False
    for character in numeral:
        if character in _CHINESE_DIGITS:
            if digit is not None:
                return None  # two digits in a row: "三四" is three or four, no number
            digit = _CHINESE_DIGITS[character]
        elif character in _PLACES:
            place = _PLACES[character]
            if place >= last_place or (digit is None and total):
                return None  # "十十", "百千"; "一百十" is no way to write 110
            total, digit, last_place = total + (1 if digit is None else digit) * place, None, place
        elif character == "零" and total and digit is None and not skipped:
            last_place, skipped = last_place // 10, True  # "一百零五", "两千零五十": a place skipped
        else:
            return None
    if digit is not None and last_place > 10 and total and not skipped:
        return None  # "一百二" is 120 in speech, but no count a form writes so
    return total + (digit or 0)


_PLACES = {"十": 10, "百": 100, "千": 1000}


#: A time limit followed by what is to happen within it: "小时内响应", "个工作日之内办结".
_TIME_LIMIT = re.compile("(个工作日|工作日|个小时|小时|分钟|天|日|周|个月|月|年)之?内")
#: "零", "零事故", "零投诉": none of what is counted (a counter or an incident word may follow).
#: Why a list: "零星维修" or "零售" start with 零 and count nothing.
_INCIDENTS = "事故|投诉|差错|伤亡|失误|违规|违纪|上访|缺陷|死亡|污染|事件|故障"
#: When a count of none may be said to hold: "全年零事故", "项目实施期间未发生安全事故".
_OVER_THE_PERIOD = "(?:全年度?|本年度?|年内|年度内|项目实施期间|实施期间|项目期内|期间)?"
_ZERO_EVENTS = re.compile(f"{_OVER_THE_PERIOD}零(起|次|个|件|例|宗|项|人次|人|单|{_INCIDENTS}|发生)?")
#: "未发生", "没有发生安全事故", "未出现", "无投诉": nothing happened, as an actual of a 零事故 target
#: says it.  ("无" alone is a placeholder, §1.)
_KINDS_OF_INCIDENT = "(?:任何|重大|较大|一般|安全|质量|生产|交通|火灾|食品|医疗|责任|有效)*"
#: Also "未发生一起安全事故", "无一例投诉", "未接到投诉", "无安全事故发生".
_ONE_OF = "(?:一起|一例|一件|一次|一宗|一个)?"
_NO_EVENT = re.compile(
    rf"{_OVER_THE_PERIOD}(?:(?:未|没有|无)(?:发生|出现|接到|收到)过?{_ONE_OF}(?:{_KINDS_OF_INCIDENT}(?:{_INCIDENTS}))?"
    rf"|(?:无|没有){_ONE_OF}{_KINDS_OF_INCIDENT}(?:{_INCIDENTS})(?:发生)?)")
#: "九成", "九成五", "不低于八成", "九成以上": tenths, as a share is said (成 after a numeral alone).
_TENTHS = re.compile(f"((?:{_ANY_OPERATOR})?)([{_ONE_TO_NINE}])成([{_ONE_TO_NINE}])?((?:{'|'.join(_SUFFIX_WORDS)})?)")
#: "百分之九十五", "百分之百", "百分之95": a percentage in words.
_PERCENT_IN_WORDS = re.compile("百分之([一二两三四五六七八九十]{1,3}|百|[0-9]+(?:\\.[0-9]+)?)(?:点([零一二三四五六七八九]+))?")


def _percent_in_digits(match: re.Match) -> str:
    words, fraction = match.groups()
    number = "100" if words == "百" else words if words[0].isdigit() else _numeral_value(words)
    if number is None:
        return match.group()
    if fraction:  # "百分之九十五点八": 95.8%
        number = f"{number}.{''.join(str(_CHINESE_DIGITS.get(digit, 0)) for digit in fraction)}"
    return f"{number}%"


#: A note that is an operator and nothing else, after its opening bracket: "（不超过）", "（以内）".
_NOTE_OPERATORS = {word: op for word, op in (*_WORD_OPERATORS, *_SUFFIX_OPERATORS) if word != "控制在"}


def _without_suffix_operator(unit_text: str) -> tuple[str, str | None]:
    """``unit_text`` less the suffix operator it ends with ("万元以内" → "万元", "<="), if any."""
    for word, suffix_op in _SUFFIX_OPERATORS:
        if unit_text.endswith(word):
            return unit_text[: -len(word)], suffix_op
    return unit_text, None


#: Digits up to which a number written out always fits a cell; a longer one is checked to.
_CHECKED_DIGITS = 300


def _numeric_value(text: str, number_text: str, own_operator: str | None, unit_text: str,
                   column_operator: str | None, unit_from_column: str | None) -> ParsedValue:
    """The value ``text`` holding the number ``number_text`` with its own operator and unit: the
    column's declared operator overrides the text's, its declared unit fills in a missing one
    (``column_operator`` is never "qualitative" here)."""
    own_unit = normalise_unit(unit_text)
    unit = own_unit or unit_from_column
    operator = column_operator or own_operator
    return new_parsed_value(text=text, operator=operator, number=Decimal(number_text), unit=unit,
                            operator_declared=own_operator is None and operator is not None,
                            unit_declared=own_unit is None and unit is not None)


#: A character every operator word or symbol holds (低于, 超过, 至多, 至少, 控制在, ≥ …).
_OPERATOR_CHARACTER = re.compile("[于过多少在≥≤<>=⩾⩽≧≦]")
_OPERATOR_THEN_NUMBER = re.compile(f"(?:{_ANY_OPERATOR})({_NUMBER.pattern})")


def _compared_number(compact: str) -> re.Match | None:
    """The number right after a comparison ("≥5", "不低于95") that does not start a date, or None."""
    comparison = _comparison(compact, 0)
    return None if comparison is None else _NUMBER.match(compact, comparison.start(1))


def _comparison(compact: str, start: int) -> re.Match | None:
    """The first comparison from ``start`` on (an operator, then a number that does not start a
    date: its group 1), or None."""
    for match in _OPERATOR_THEN_NUMBER.finditer(compact, start):
        if not _DATE.match(compact, match.start(1)):
            return match
    return None


#: What ends a name's words: a separator of clauses ("培训5000人次，合格率≥90%"), a bracket ("93%
#: （目标≥95%）"), a part or a rate ("其中", "每").
_CLAUSE_BREAK = re.compile(r"[，,；;、()（）:：。/]|其中|每")


def is_chinese(character: str) -> bool:
    """Is ``character`` a Chinese character (CJK Unified Ideographs)?  (A compare, not a pattern: a
    pattern of the range costs over a millisecond to compile, at every start of the program.)"""
    return "\u4e00" <= character <= "\u9fff"


def _is_name_words(between: str) -> bool:
    """Is ``between`` (the text from a value's first number to its first comparison) the rest of
    a name the number belongs to ("热线接通率" after 12345, "岁以上老年人健康管理率" after 65):
    two words' characters or more, in one clause?  Not a unit alone ("90%≤x≤100%": a range) nor a
    counter ("10期不少于50人")."""
    return _CLAUSE_BREAK.search(between) is None and sum(map(is_chinese, between)) >= 2


#: How an operator is shown to an officer.
OPERATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def shown_as_understood(value: ParsedValue, declared_operator: str | None, declared_unit: str | None) -> str:
    """A target or actual as the engine understood it, with what a 指标性质 and a 度量单位 column
    add to its cell: 80 under "≤" and "万元" is "≤80万元", 98 under "万元" is "98万元".

    Why: without them a cost ceiling of 80 reads like a target to reach.  What the text says
    itself ("≥90%", "16个") is not said twice; a qualitative value is shown as written (its
    评分依据 says it was scored as 定性).
    """
    text = value.text
    if value.number is None or value.qualitative or not text:
        return text
    if declared_operator and value.operator_declared:
        text = OPERATOR_SIGNS.get(value.operator, "") + text
    if declared_unit and value.unit_declared:
        text += value.unit
    return text


def number_beside_dates(value: ParsedValue) -> ParsedValue | None:
    """A value read as a date that also states a number outside every date in it ("2022年度培训520
    人次", "较2021年增长6%"): that number, with its unit; None when all its numbers are dates, or
    when it states several.

    Why: the actual beside a target such as "2022年度培训≥500人次" repeats the year without an
    operator; scored as a date it would be "missing".
    """
    text = value.text
    if text in _NONE_BESIDE_DATES:  # "6月15日前": a deadline alone, asked of every form that sets it
        return None
    found = _number_beside_dates(text)
    if found is None and len(_NONE_BESIDE_DATES) < _NONE_BESIDE_DATES_KEPT:
        _NONE_BESIDE_DATES.add(text)
    return found


# Why kept: a batch's deadlines are few texts on many forms ("6月15日前" on 44 of 300), and finding
# that no number stands beside their dates cost ~30,000 instructions each time.  Why the first ones
# only: a bound keeps a worker's memory flat.
_NONE_BESIDE_DATES: set[str] = set()
_NONE_BESIDE_DATES_KEPT = 256


def _numbers_outside_dates(compact: str) -> tuple[list[re.Match], list[tuple[int, int]]]:
    """(the numbers of ``compact`` that stand in none of its dates, the dates' spans)."""
    dates = [match.span() for match in _DATE.finditer(compact)] if _may_hold_a_date(compact) else []
    numbers = [number for number in _NUMBER.finditer(compact)
               if not any(start < number.end() and number.start() < end for start, end in dates)]
    return numbers, dates


def _number_beside_dates(text: str) -> ParsedValue | None:
    compact = _compact(text)
    numbers, dates = _numbers_outside_dates(compact)
    if len(numbers) != 1:  # none, or two ("上半年20个，下半年25个"): which one is meant is not for us to guess
        return None
    number = numbers[0]
    # Read up to the next date: "100%（截至2019年12月底）" is 100%, its note a date.
    end = next((start for start, _ in dates if start >= number.end()), len(compact))
    found = parse_value(compact[number.start():end])
    return None if found.number is None or found.qualitative else replace(found, text=text)


def numbers_in(text: str) -> list[tuple[ParsedValue, str, bool]]:
    """Each number a value states outside its dates, read with its unit: (the value, the words
    between it and the number before it, whether it stands in brackets or after 其中 — a part).

    "举办培训班5期，培训学员512人次" → (5期, "举办培训班", False), (512人次, "，培训学员", False).
    """
    compact = _compact(text)
    found = []
    previous_end = 0
    numbers, dates = _numbers_outside_dates(compact)
    for index, number in enumerate(numbers):
        start = number.start()
        end = numbers[index + 1].start() if index + 1 < len(numbers) else len(compact)
        # Read up to a date too: "320人次，较2018年增加" read whole was a date, and 320 had no unit.
        end = next((date_start for date_start, _ in dates if number.end() <= date_start < end), end)
        before = compact[:start]
        clause = before[max(before.rfind(mark) for mark in "，,；;。、") + 1:]
        part = before.count("(") > before.count(")") or "其中" in clause
        found.append((parse_value(compact[start:end]), compact[previous_end:start], part))
        previous_end = number.end()
    return found


def parse_operator_column(text: object) -> str | None:
    """A 指标性质 cell: "≥", "≤", "=", ">" "<", or "定性" → "qualitative"."""
    value = nfkc(text).replace(" ", "")
    if not value:
        return None
    if "定性" in value:
        return "qualitative"
    if "定量" == value:
        return None
    return _operator_in(value) or _operator_in_words(value)


# Why these three: _operator_in is asked of the text before every number, and looping over the
# 70 word operators and twice over the symbols cost more than the rest of parsing it; a search
# for any of them, and the symbol its last one or two characters spell, answer the same.
_ANY_WORD_OPERATOR = re.compile("|".join(re.escape(word) for word, _ in _WORD_OPERATORS))
_ANY_SYMBOL_OPERATOR = re.compile("|".join(re.escape(symbol) for symbol, _ in _SYMBOL_OPERATORS))
# A text ending in a two-character symbol (">=") ends in a one-character one too ("="); the list
# tries every two-character symbol before those, so the longer suffix wins.
_SYMBOL_SUFFIXES = dict(_SYMBOL_OPERATORS)


def _operator_in(text: str) -> str | None:
    if _ANY_WORD_OPERATOR.search(text):
        for word, op in _WORD_OPERATORS:  # the first word of the list wins, wherever it stands
            if word in text:
                return op
    # The symbol closest to the number is the one that applies ("覆盖率≥95%").
    op = _SYMBOL_SUFFIXES.get(text[-2:]) or _SYMBOL_SUFFIXES.get(text[-1:])
    if op is not None or _ANY_SYMBOL_OPERATOR.search(text) is None:
        return op
    for symbol, op in _SYMBOL_OPERATORS:
        if symbol in text:
            return op
    return None


def _operator_in_words(text: str) -> str | None:
    """A 指标性质 written as a direction: 正向, 反向 (逆向), with or without 指标 / 型."""
    words = {"正向": ">=", "反向": "<=", "逆向": "<=", "负向": "<=", "等于": "=",
             "越大越好": ">=", "越高越好": ">=", "越多越好": ">=", "越小越好": "<=", "越低越好": "<=", "越少越好": "<="}
    for suffix in ("指标", "型"):
        text = text.removesuffix(suffix)
    return words.get(text)


def format_number(number: Decimal | None) -> str:
    """Decimal as an officer writes it: no exponent, no trailing zeros ("120000", "59.38")."""
    if number is None:
        return ""
    integral = number.to_integral_value()
    if number == integral:  # not quantize(1): it raises beyond 28 digits (1E+30 typed in a cell)
        return f"{integral:f}"
    return f"{number.normalize():f}"


_MONEY_UNIT = "|".join(sorted(MONEY_UNITS, key=len, reverse=True))  # 万元 tried before 元
_AMOUNT_WITH_UNIT = re.compile(f"({_NUMBER.pattern}(?:{_EXPONENT.pattern})?)({_MONEY_UNIT})")  # "1e5元" too
# "项目资金（万元）", "单位：元", "（金额单位：千元）" (after NFKC: "(", ":"); not the 填报单位 (or 报送, 编制
# 单位) a form names, nor a unit's name that starts like a money unit ("单位：元江县财政局").
_DECLARED_MONEY_UNIT = re.compile(
    rf"\(\s*({_MONEY_UNIT})|(?<!填报)(?<!报送)(?<!编制)单\s*位\s*[:∶]?\s*({_MONEY_UNIT})(?![\u4e00-\u9fff])")


def amount_with_unit(raw: object) -> tuple[Decimal, str] | None:
    """(number, money unit) of a text amount that names its unit ("1,000,000元", "125万元");
    None for anything else (a bare number, a placeholder, other text)."""
    if not isinstance(raw, str):
        return None
    match = _AMOUNT_WITH_UNIT.fullmatch(_THOUSANDS.sub("", nfkc(raw)).replace(" ", ""))
    if not match:
        return None
    # Why to_decimal: an amount no number cell could hold (5,000 digits typed before 元) is no
    # amount; the rules' step counts on it exceeded Python's int-to-text limit and lost the workbook.
    number = to_decimal(match.group(1))
    return None if number is None else (number, match.group(2))


def declared_money_unit(text: object) -> str | None:
    """The money unit a label declares: "项目资金（万元）", "单位：元" → "万元", "元"."""
    match = _DECLARED_MONEY_UNIT.search(nfkc(text))
    return (match.group(1) or match.group(2)) if match else None


#: Units of one measure at other sizes, as units write a time limit, a distance or a rate: "≤2小时"
#: against "90分钟", "≥10公里" against "8000米", "≤0.5%" against "3‰".  (kind, size in the smallest.)
#: Why no 工作日: it is no number of 天.
_MEASURES: dict[str, tuple[str, Decimal]] = {
    "秒": ("time", Decimal(1)), "分钟": ("time", Decimal(60)), "小时": ("time", Decimal(3600)),
    "个小时": ("time", Decimal(3600)), "天": ("time", Decimal(86400)), "日": ("time", Decimal(86400)),
    "周": ("time", Decimal(604800)), "个月": ("time", Decimal(2592000)), "月": ("time", Decimal(2592000)),
    "年": ("time", Decimal(31536000)),  # a month of 30 days, a year of 365 (and of 12 months: _MONTHS)
    "米": ("length", Decimal(1)), "m": ("length", Decimal(1)), "公里": ("length", Decimal(1000)),
    "千米": ("length", Decimal(1000)), "km": ("length", Decimal(1000)),
    "平方米": ("area", Decimal(1)), "m2": ("area", Decimal(1)), "公顷": ("area", Decimal(10000)),
    "平方公里": ("area", Decimal(1000000)), "平方千米": ("area", Decimal(1000000)), "km2": ("area", Decimal(1000000)),
    "克": ("mass", Decimal(1)), "千克": ("mass", Decimal(1000)), "公斤": ("mass", Decimal(1000)),
    "kg": ("mass", Decimal(1000)), "吨": ("mass", Decimal(1000000)),
    "%": ("share", Decimal(10)), "‰": ("share", Decimal(1)),
}

_MONTHS = {"年": Decimal(12), "个月": Decimal(1), "月": Decimal(1)}

#: Scale words a unit may start with ("12万件", "3亿人次").
_SCALE_WORDS = {"万": Decimal(10000), "亿": Decimal(100000000)}


def _unit_and_scale(unit: str) -> tuple[str, Decimal]:
    """("件", 10000) for "万件"; a bare "万" is 万元, as "≤90万" of a 成本指标 means."""
    if unit in _SCALE_WORDS:
        return "元", _SCALE_WORDS[unit]
    if len(unit) > 1 and unit[0] in _SCALE_WORDS:
        return unit[1:], _SCALE_WORDS[unit[0]]
    return unit, Decimal(1)


def is_measure(unit: str) -> bool:
    """Is ``unit`` money, a share or a measure (万元, %, 小时, 公里), not a counter (个, 项, 人次)?"""
    return unit in MONEY_UNITS or unit in _MEASURES


def base_unit(unit: str) -> tuple[str, Decimal]:
    """The unit ``unit`` counts in and how many of it one ``unit`` is: ("元", 10000) for "万元",
    ("件", 10000) for "万件", ("", 10000) for a bare "万"; (``unit``, 1) for any other."""
    if unit in MONEY_UNITS:
        return "元", MONEY_UNITS[unit]
    if unit in _SCALE_WORDS:
        return "", _SCALE_WORDS[unit]
    return _unit_and_scale(unit)


def in_unit(number: Decimal, from_unit: str | None, to_unit: str | None) -> Decimal | None:
    """``number`` in ``from_unit`` expressed in ``to_unit`` when both are money units ("元" →
    "万元"), one measure at two sizes ("分钟" → "小时", "‰" → "%") or one unit at two scales ("件"
    → "万件", "元" → "万"); None when they are not, or when either is missing (an actual written
    without its unit is taken in the target's).  Multiplied before divided: 90分钟 is 1.5小时
    exactly."""
    if not from_unit or not to_unit or from_unit == to_unit:
        return None
    if from_unit in MONEY_UNITS and to_unit in MONEY_UNITS:
        return convert_money(number, from_unit, to_unit)
    if from_unit in _MONTHS and to_unit in _MONTHS:  # a year is 12 months, though 365 days and not 360
        return number * _MONTHS[from_unit] / _MONTHS[to_unit]
    if from_unit in _MEASURES and to_unit in _MEASURES:
        (kind_from, size_from), (kind_to, size_to) = _MEASURES[from_unit], _MEASURES[to_unit]
        return number * size_from / size_to if kind_from == kind_to else None
    (base_from, scale_from), (base_to, scale_to) = _unit_and_scale(from_unit), _unit_and_scale(to_unit)
    return number * scale_from / scale_to if base_from == base_to and scale_from != scale_to else None


def convert_money(number: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``number`` in ``from_unit`` expressed in ``to_unit`` (both money units)."""
    return number * MONEY_UNITS[from_unit] / MONEY_UNITS[to_unit]
