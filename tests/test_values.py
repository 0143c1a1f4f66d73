"""The value parser reads targets and actuals as units write them (scoring.md §1)."""
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.values import amount_with_unit, format_number, parse_value, to_decimal


@pytest.mark.parametrize("text, operator, number, unit", [
    ("≥95%", ">=", "95", "%"),
    ("≥50个", ">=", "50", "个"),
    ("≤90万元", "<=", "90", "万元"),
    ("=100%", "=", "100", "%"),
    ("＞＝95％", ">=", "95", "%"),
    ("不低于95%", ">=", "95", "%"),
    ("不高于10天", "<=", "10", "天"),
    ("不超过5%", "<=", "5", "%"),
    ("<5%", "<", "5", "%"),
    ("≤0起", "<=", "0", "起"),
    ("0起", None, "0", "起"),
    ("1,300次", None, "1300", "次"),
    ("95%", None, "95", "%"),
    ("０.９５", None, "0.95", None),
    ("950000元", None, "950000", "元"),
    ("≥100百分比", ">=", "100", "%"),
    ("95%以上", ">=", "95", "%"),
    ("3天以内", "<=", "3", "天"),
    ("≤3个月", "<=", "3", "个月"),
    ("-5%", None, "-5", "%"),
    ("\u22125%", None, "-5", "%"),  # the minus sign Word writes
    ("不得低于95%", ">=", "95", "%"),
    ("不应超过3起", "<=", "3", "起"),
    ("不能多于2次", "<=", "2", "次"),
    ("最多3次", "<=", "3", "次"),
    ("至少10人", ">=", "10", "人"),
    ("较2021年增长≥5%", ">=", "5", "%"),      # a year as the base of a growth target
    ("2022年度培训≥500人次", ">=", "500", "人次"),  # a year as the period
    # an operator before a note, or as the whole note: ceilings, not targets to reach
    ("90万元以内（据实结算）", "<=", "90", "万元"),
    ("90万元以内，据实结算", "<=", "90", "万元"),
    ("5%以下（含）", "<=", "5", "%"),
    ("3个工作日以内(含)", "<=", "3", "个工作日"),
    ("90万元（不超过）", "<=", "90", "万元"),
    ("90%（不低于）", ">=", "90", "%"),
    ("5次/年以下", "<=", "5", "次"),
    ("不少于三次", ">=", "3", "次"),              # a count in Chinese numerals
    ("≥两个", ">=", "2", "个"),
    ("二十五人次", None, "25", "人次"),
    ("三项以上", ">=", "3", "项"),
    ("一百二十人次", None, "120", "人次"),         # hundreds and thousands: 0 points before
    ("两千零五十户", None, "2050", "户"),
    ("二十余次", None, "20", "次"),                # more than twenty: twenty at least
    ("九成以上", ">=", "90", "%"),                 # tenths, as a share is said
    ("九成五", None, "95", "%"),
    ("全年未发生安全事故", "=", "0", None),         # nothing happened, said over the year
    ("无一例投诉", "=", "0", None),
    ("95%（含）", None, "95", "%"),              # a note that is no operator
    ("90%（高于全省平均）", None, "90", "%"),      # nor one that says more than an operator
    ("3个工作日内", "<=", "3", "个工作日"),          # a time limit
    ("5天之内", "<=", "5", "天"),
    ("2小时内响应", "<=", "2", "小时"),
    ("12345热线接通率≥95%", ">=", "95", "%"),      # the compared number, not the indicator's own
    ("零事故", "=", "0", "事故"),                   # none of what is counted
    ("未发生安全事故", "=", "0", None),
    ("无投诉", "=", "0", None),
    ("百分之九十五以上", ">=", "95", "%"),
    ("￥120,000", None, "120000", "元"),
    ("95。6%", None, "95.6", "%"),                  # the input method's full stop for a point
])
def test_target_text_becomes_operator_number_and_unit(text, operator, number, unit):
    value = parse_value(text)
    assert (value.operator, value.number, value.unit) == (operator, Decimal(number), unit)
    assert not value.qualitative and not value.missing


@pytest.mark.parametrize("text", ["—", "-", "/", "*", "XX", "xx", "无", "", "  ", None])
def test_placeholders_are_no_value_never_zero(text):
    value = parse_value(text)
    assert value.missing and value.number is None


@pytest.mark.parametrize("text", ["有效提升", "按时完成", "达到国家标准", "2019年12月底前", "12月31日前",
                                  "年底前", "第三季度", "2023年6月",
                                  # deadlines as units also write them
                                  "2019.12前", "2019.12.31", "2019-12", "2019/12", "2019-12-31", "12.31前",
                                  "12月31号前", "10月完成", "11月", "6月底", "三季度末", "第4季度",
                                  "≤2019年12月", "不晚于2019年12月底",
                                  # numerals that count nothing, or a date or a duration
                                  "一定效果", "一般", "两年内完成", "三季度末", "一次性完成", "完成一项"])
def test_text_without_a_number_or_with_a_date_is_qualitative(text):
    value = parse_value(text)
    assert value.qualitative and value.number is None


@pytest.mark.parametrize("text,operator,number,unit", [
    ("每季度≥1次", ">=", "1", "次"),  # a frequency per quarter, not the third quarter
    ("每季度不少于1次", ">=", "1", "次"),
    ("≥1次/季度", ">=", "1", "次"),
    ("≥2次/月", ">=", "2", "次"),
    ("≥12个月", ">=", "12", "个月"),  # a duration, not December
    ("2020.5万元", None, "2020.5", "万元"),  # an amount that looks like a year and month
    ("2015.6", None, "2015.6", None),  # a bare number, its unit in a 度量单位 column
    ("≥2000.5", ">=", "2000.5", None),
    ("≥12月", ">=", "12", "月"),  # a count of months, not December
])
def test_frequencies_durations_and_amounts_are_not_dates(text, operator, number, unit):
    value = parse_value(text)
    assert not value.qualitative
    assert (value.operator, value.number, value.unit) == (operator, Decimal(number), unit)


def test_operator_column_overrides_text_and_unit_column_fills_in():
    value = parse_value(120000.0, declared_operator="≥", declared_unit="件")
    assert (value.operator, value.number, value.unit) == (">=", Decimal("120000"), "件")
    assert parse_value("≥80", declared_operator="≤").operator == "<="
    assert parse_value("明显提升", declared_operator="定性").qualitative
    assert parse_value(80, declared_operator="定性").qualitative


@pytest.mark.parametrize("words, operator", [("负向", "<="), ("负向指标", "<="), ("越小越好", "<="), ("越高越好", ">=")])
def test_an_operator_column_written_as_a_direction_in_words(words, operator):
    assert parse_value(10, declared_operator=words).operator == operator


def test_text_is_kept_as_written_and_parsed_after_nfkc():
    value = parse_value("＞＝９５％")
    assert value.text == "＞＝９５％"
    assert (value.operator, value.number, value.unit) == (">=", Decimal("95"), "%")


def test_numbers_from_cells_keep_their_decimal_digits():
    assert to_decimal(59.38) == Decimal("59.38")
    assert to_decimal("1,300") == Decimal("1300")
    assert to_decimal("—") is None
    assert format_number(Decimal("120000.0")) == "120000"
    assert format_number(Decimal("62.50")) == "62.5"


@pytest.mark.parametrize("text", ["NaN", "nan", "sNaN", "Infinity", "-inf", "+Infinity", "NaN万元",
                                  "1e999999", "1E+400", "1e-400", "0e999999", "9E+308", "2E-324"])
def test_text_a_number_cell_cannot_hold_is_no_number(text):
    # Decimal reads these, and the rules' comparisons and rounding raised on them (NaN < 0 is
    # InvalidOperation, 1e999999 × 10 overflows): the workbook was lost instead of the cell flagged.
    assert to_decimal(text) is None
    assert to_decimal(Decimal(text.removesuffix("万元"))) is None


def test_an_amount_with_its_unit_a_cell_cannot_hold_is_no_amount():
    assert amount_with_unit("9" * 400 + "元") is None
    assert amount_with_unit("1,000,000元") == (Decimal("1000000"), "元")


@pytest.mark.parametrize("text, number", [("1e308", "1E+308"), ("5e-324", "5E-324"), ("-0", "0"), ("1e5", "1E+5")])
def test_text_of_any_number_a_cell_can_hold_is_read(text, number):
    assert to_decimal(text) == Decimal(number)


@pytest.mark.parametrize("text, number, unit, operator", [
    ("1e5", "100000", None, None), ("1.5E+3万元", "1500", "万元", None), ("≥2e-1%", "0.2", "%", ">="),
    ("1E3吨", "1000", "吨", None)])
def test_a_target_or_actual_in_scientific_notation_is_that_number(text, number, unit, operator):
    # As Excel shows a large number, and as to_decimal reads a number cell: not 1 with the unit "e5".
    value = parse_value(text)
    assert (value.number, value.unit, value.operator) == (Decimal(number), unit, operator)
    assert not value.qualitative and not value.missing


@pytest.mark.parametrize("text", ["1e999999", "≥1E+400个", "1e-400", "1e9999999999999999999", "≥1E-99999999999999999999个",
                                  "≥1" + "0" * 400 + "个", "0." + "0" * 400 + "1"])
def test_a_target_or_actual_no_cell_could_hold_is_no_number_nor_a_qualitative_text(text):
    value = parse_value(text)
    assert value.number is None and not value.qualitative and not value.missing and value.text == text


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
       st.sampled_from(["≥", "≤", ">", "<", "=", ""]),
       st.sampled_from(["%", "个", "万元", "元", "次", "件", ""]))
def test_any_written_target_round_trips(number, symbol, unit):
    value = parse_value(f"{symbol}{number}{unit}")
    assert value.number == number
    assert value.operator == {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "=", "": None}[symbol]
    assert value.unit == (unit or None)


@given(st.text(max_size=30))
def test_parser_never_raises_and_never_invents_a_zero(text):
    value = parse_value(text)
    if value.number is not None:
        assert any(ch.isdigit() for ch in unicodedata.normalize("NFKC", value.text))
    assert not (value.missing and value.qualitative)


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_are_ignored(number):
    assert parse_value(f"{number:,}件").number == Decimal(number)


@pytest.mark.parametrize("raw", ["≥95%", "按时完成", "—", 0.95, 12, "2019年12月底前", "－5", "1,300次"])
def test_parsed_values_are_the_dataclass_they_look_like(raw):
    """parse_value builds its ParsedValue without the dataclass __init__: it must be the same object."""
    import dataclasses
    import pickle

    from perfeval_xl.model import ParsedValue

    value = parse_value(raw, declared_unit="%")
    rebuilt = ParsedValue(**{field.name: getattr(value, field.name) for field in dataclasses.fields(ParsedValue)})
    assert (value, hash(value), repr(value), vars(value)) == (rebuilt, hash(rebuilt), repr(rebuilt), vars(rebuilt))
    assert list(vars(value)) == list(vars(rebuilt)) and pickle.loads(pickle.dumps(value)) == rebuilt
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.number = None


@pytest.mark.parametrize("logical, shown", [(True, "TRUE"), (False, "FALSE")])
def test_a_logical_value_in_a_number_cell_is_named_as_excel_shows_it(logical, shown):
    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.grid import Grid

    flags = []
    assert SheetCells(Grid("表", [["自评得分", logical]])).number(0, 1, "自评得分", flags) is None
    assert [(flag.message, flag.source.cell) for flag in flags] == [(f"自评得分“{shown}”不是数字", "B1")]


@pytest.mark.parametrize("logical, shown", [(True, "TRUE"), (False, "FALSE")])
def test_a_logical_value_is_named_as_excel_shows_it_wherever_its_text_is_said(logical, shown):
    # A head count (the same 不是数字 message as a number cell's) and a target or actual.
    from perfeval_xl.readers.cells import SheetCells
    from perfeval_xl.readers.department import _count_of
    from perfeval_xl.readers.grid import Grid

    flags = []
    _count_of(SheetCells(Grid("表", [["编制数", logical]])), 0, 0, "编制数", False, flags)
    assert [flag.message for flag in flags] == [f"编制数“{shown}”不是数字"]
    assert parse_value(logical).text == shown


@pytest.mark.parametrize("text, amount", [("1e5元", ("1E+5", "元")), ("1.5E+3万元", ("1500", "万元")),
                                          ("1e9999999999999999999元", None)])
def test_an_amount_in_scientific_notation_keeps_its_money_unit(text, amount):
    # As a target in scientific notation is its number: "1e5元" in a form in 万元 is 10 万元, not 100000.
    from perfeval_xl.values import amount_with_unit

    assert amount_with_unit(text) == (None if amount is None else (Decimal(amount[0]), amount[1]))


def test_the_readers_builders_make_what_the_dataclasses_make():
    """new_parsed_value and new_source skip __init__: their parameters must be the fields, with the same defaults."""
    import inspect
    import pickle
    from dataclasses import MISSING, fields

    from perfeval_xl.model import ParsedValue, Source, new_parsed_value, new_source

    for builder, cls in ((new_parsed_value, ParsedValue), (new_source, Source)):
        parameters = inspect.signature(builder).parameters
        assert list(parameters) == [f.name for f in fields(cls)]
        assert [p.default for p in parameters.values()] == [
            inspect.Parameter.empty if f.default is MISSING else f.default for f in fields(cls)]
    made = new_parsed_value("≥95%", operator=">=", number=Decimal("95"), unit="%")
    expected = ParsedValue("≥95%", ">=", Decimal("95"), "%")
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    assert vars(made) == vars(expected) and list(vars(made)) == list(vars(expected))
    assert pickle.dumps(made) == pickle.dumps(expected)
    assert pickle.dumps(new_source("表1", "B5")) == pickle.dumps(Source("表1", "B5"))


def test_a_flag_made_by_its_own_init_is_the_frozen_dataclass_it_declares():
    """Flag's __init__ fills its dict at once: its parameters must be the fields, with the same
    defaults, and a Flag must stay frozen, comparable, hashable and picklable as a dataclass."""
    import dataclasses
    import inspect
    import pickle

    from perfeval_xl.model import Flag, Source

    parameters = list(inspect.signature(Flag).parameters.values())
    assert [(p.name, p.default) for p in parameters] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(Flag)]
    made = Flag("分值缺失", Source("表", "E9"), action="请补填")
    assert list(vars(made)) == [f.name for f in dataclasses.fields(Flag)]
    assert made == Flag(message="分值缺失", source=Source("表", "E9"), level="warning", action="请补填")
    assert hash(made) == hash(Flag("分值缺失", Source("表", "E9"), "warning", "请补填"))
    assert repr(made) == "Flag(message='分值缺失', source=Source(sheet='表', cell='E9'), level='warning', action='请补填')"
    assert pickle.loads(pickle.dumps(made)) == made and dataclasses.replace(made, level="error").level == "error"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.level = "error"


def _plain_value_cases():
    """Targets and actuals of every shape near the plain ones parse_value reads by a shortcut."""
    operators = ("", "≥", "≤", ">", "<", "=", ">=", "<=", "=>", "=<", "==", "＞", "≧", "⩾", "约", "不低于",
                 "达到", " ")
    numbers = ("0", "7", "12", "-5", "+3", "−5", "1059.3", "0.95", "120,211", "1,234,567.89", "1234,567",
               "12,34", "1,2345", "１２", "2019.12", "2020.5", "1990.1", "19.5", "2021", "1e5", "5.", ".5",
               "12-30", "2019-12", "9" * 401, "1,000,000")
    units = ("", "元", "万元", "%", "％", "个", "平方米", "人次", "次/年", "以上", "及以上", "以内", "年", "个月",
             "月", "季度", "底", "末", "完成", "前", "日前", "号片区", "km", "元 ", "万", "e5", "(含)", "吨,",
             "户）", "日", "\u00a0")
    for operator in operators:
        for number in numbers:
            for unit in units:
                yield operator + number + unit
    yield from ("1059.3元", "≥95%", "", "XX", "无", "按时完成", "2019年12月底前", "达成年度指标（滨江98号片区，514户）")


@pytest.mark.parametrize("declared", [(None, None), ("≥", None), (None, "%"), ("定性", "个"), ("正向", "万元"),
                                      ("≤", "")])
def test_plain_values_read_as_the_general_path_reads_them(monkeypatch, declared):
    import re

    from perfeval_xl import values

    operator, unit = declared
    texts = list(_plain_value_cases())
    fast = [parse_value(text, declared_operator=operator, declared_unit=unit) for text in texts]
    monkeypatch.setattr(values, "_PLAIN_VALUE", re.compile(r"(?!)"))  # matches nothing: the general path
    general = [parse_value(text, declared_operator=operator, declared_unit=unit) for text in texts]
    for text, one, other in zip(texts, fast, general):
        assert (one, str(one.number)) == (other, str(other.number)), text


@pytest.mark.parametrize("number, shown", [
    (9.999999999999998, "10"), (10.000000000000002, "10"), (0.1 + 0.2, "0.3"), (35.09999999999999, "35.1"),
    ((0.7 + 0.6) * 10, "13"), (1 / 3, "0.333333333333333"), (59.38, "59.38"), (10.0, "10.0"), (1e-7, "1E-7"),
])
def test_a_float_is_read_to_the_15_significant_digits_excel_shows(number, shown):
    # A weight a formula left as 9.999999999999998 is the 10 the unit sees: 13/16 × it was 8.12, not 8.13.
    from perfeval_xl import values

    assert str(values.float_decimal(number)) == shown


def test_a_float_kept_as_decimal_is_the_decimal_of_its_repr():
    """float_decimal keeps the Decimals of the floats it met: each must stay Decimal(repr(x)) (to 15
    significant digits, as Excel shows it), −0.0 apart from 0.0, and the floats kept are bounded."""
    import random
    import struct

    from perfeval_xl import values

    rng = random.Random(5)
    floats = [0.0, -0.0, 2.0, 1e-300, 5e-324, 1.7976931348623157e308, 59.38, 0.1 + 0.2, -7.5, 1e16, 123456789.125]
    floats += [rng.uniform(-1e6, 1e6) for _ in range(3000)]
    floats += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(3000)]
    floats = [number for number in floats if number == number and abs(number) != float("inf")]
    for number in floats + floats[::-1]:
        decimal = values.float_decimal(number)
        expected = Decimal(repr(number))
        if len(expected.as_tuple().digits) > 15:
            expected = Decimal(format(number, ".15g"))
        assert str(decimal) == str(expected), number
    assert str(values.float_decimal(-0.0)) == "-0.0" and str(values.float_decimal(0.0)) == "0.0"
    assert len(values._FLOAT_DECIMALS) <= values._FLOAT_DECIMALS_KEPT


def test_the_date_hint_and_the_thousands_pattern_find_what_their_plain_patterns_find():
    """_may_hold_a_date tests characters before one small pattern, and _THOUSANDS starts with its comma:
    each must find what the plain pattern it replaced finds."""
    import itertools
    import random
    import re

    from perfeval_xl.values import _THOUSANDS, _may_hold_a_date

    date_hint = re.compile(r"[年月季前]|(?:19|20)\d\d[-/.]")
    thousands = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
    alphabet = "0129５٣,.-/年月季前日号底x ，"
    rng = random.Random(11)
    texts = ["".join(chars) for chars in itertools.product("0129,.-/年x", repeat=4)]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20000)]
    texts += ["2019.12底", "1,234,567.89", "12,34", "1,2345", "达成年度指标(滨江98号片区,514户)", "20２0-1", "١٩٩٩/"]
    for text in texts:
        assert _may_hold_a_date(text) == (date_hint.search(text) is not None), text
        assert _THOUSANDS.sub("", text) == thousands.sub("", text), text


def test_every_operator_holds_a_character_the_lead_in_test_looks_for():
    from perfeval_xl.values import _OPERATOR_CHARACTER, _SYMBOL_OPERATORS, _WORD_OPERATORS

    assert all(_OPERATOR_CHARACTER.search(word) for word, _ in _WORD_OPERATORS + _SYMBOL_OPERATORS)
