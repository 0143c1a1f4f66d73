"""Rulebooks are data: built-ins load, a bureau's own file extends them, mistakes name the key."""
import json
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval_xl import RulebookError, builtin_rulebooks, load_rulebook
from perfeval_xl.cli import main
from perfeval_xl.rules import rulebook_text
from perfeval_xl.rules.project import qualitative_band


def test_builtin_rulebooks_are_listed_and_load():
    assert {"mof-2020-project", "central-pre2020-project"} <= set(builtin_rulebooks())
    for name in builtin_rulebooks():
        assert load_rulebook(name).name == name


def test_default_is_mof_2020():
    assert load_rulebook().name == "mof-2020-project"


def test_a_bureau_file_extends_a_builtin_and_overrides_one_number(tmp_path):
    own = tmp_path / "本局规则.yaml"
    own.write_text(textwrap.dedent("""\
        name: 本局规则
        extends: mof-2020-project
        indicators:
          over_achievement_factor: 1.5
        """), encoding="utf-8")
    rulebook = load_rulebook(own)
    assert rulebook.name == "本局规则"
    assert str(rulebook.over_achievement_factor) == "1.5"
    assert rulebook.reverse == "ratio"  # inherited


def test_a_file_without_a_name_is_named_after_itself_not_after_what_it_extends(tmp_path):
    own = tmp_path / "本局线性.yaml"
    own.write_text("extends: mof-2020-project\nindicators:\n  reverse: linear\n", encoding="utf-8")
    rulebook = load_rulebook(own)
    assert rulebook.reverse == "linear"
    assert rulebook.name == "本局线性"  # outputs must not claim mof-2020-project's rules were applied


@pytest.mark.parametrize("file_name, text", [
    ("本局规则.yaml", "name: mof-2020-project\nextends: mof-2020-project\nindicators:\n  reverse: linear\n"),
    ("mof-2020-project.yaml", "extends: mof-2020-project\nindicators:\n  reverse: linear\n"),
], ids=["name-written", "name-from-file-stem"])
def test_changed_rules_may_not_carry_a_builtin_name(tmp_path, file_name, text):
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    assert str(path) in str(error.value) and "键 name 有误" in str(error.value)


def test_an_unchanged_copy_of_a_builtin_keeps_its_name(tmp_path):
    path = tmp_path / "copy.yaml"
    path.write_text(rulebook_text("hunan-dept") + "description: 本局存档的官方规则\n", encoding="utf-8")
    assert load_rulebook(path).name == "hunan-dept"


@pytest.mark.parametrize("change, key", [
    ({"grades": "优"}, "grades"),
    ({"execution": {"default_weight": "十"}}, "execution.default_weight"),
    ({"indicators": {"reverse": "cubic"}}, "indicators.reverse"),
    ({"qualitative": {"equal_text_band": "优秀"}}, "qualitative.equal_text_band"),
    ({"review_tolerance": -1}, "review_tolerance"),
    ({"colour": "red"}, "colour"),
])
def test_errors_name_the_file_and_the_key(tmp_path, change, key):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"extends": "mof-2020-project", **change}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    assert str(path) in str(error.value) and f"键 {key} 有误" in str(error.value)


@pytest.mark.parametrize("value, says", [(-1, "应不小于 1，实际为 -1"), (".inf", "应为数字"), (".nan", "应为数字")],
                         ids=["below-lower-bound", "infinity", "nan"])
def test_a_number_out_of_an_open_range_reads_naturally(tmp_path, value, says):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: 本局规则\nextends: mof-2020-project\nindicators:\n  over_achievement_factor: {value}\n",
                    encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    message = str(error.value)
    assert "键 indicators.over_achievement_factor 有误" in message and says in message and "None" not in message


def _dept_indicator(**changes) -> dict:
    """The hunan-dept indicator 重点支出安排率 (a bands rule) with ``changes``."""
    data = yaml.safe_load(rulebook_text("hunan-dept"))
    return {**next(i for i in data["indicators"] if i["name"] == "重点支出安排率"), **changes}


def _bureau_department_rulebook(tmp_path, indicator: dict) -> Path:
    """本局部门规则.yaml: hunan-dept with its first indicator replaced by ``indicator``."""
    path = tmp_path / "本局部门规则.yaml"
    own = {"name": "本局部门规则", "extends": "hunan-dept", "indicators": [indicator]}
    path.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    return path


def _load_error(path: Path) -> str:
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    return str(error.value)


def _full(name: str, edit) -> dict:
    data = yaml.safe_load(rulebook_text(name))
    edit(data)
    return data


@pytest.mark.parametrize("own, key, meant", [
    ({"extends": "mof-2020-project", "indicators": {"over_achievment_factor": 1.5}},
     "indicators.over_achievment_factor", "over_achievement_factor"),
    ({"extends": "mof-2020-project", "execution": {"flag_over": True}}, "execution.flag_over", "flag_over_execution"),
    (_full("mof-2020-project", lambda d: d["qualitative"]["bands"][1].update(wrods=["基本达成"])),
     "qualitative.bands[1].wrods", "words"),
    (_full("mof-2020-project", lambda d: d["grades"][3].update(minimum=0)), "grades[3].minimum", "min"),
    ({"extends": "hunan-dept", "indicators": [_dept_indicator(stadnard="≥90%得5分")]},
     "indicators[0].stadnard", "standard"),
    ({"extends": "hunan-dept", "indicators": [_dept_indicator(rule={
        "kind": "bands", "bands": [{"min": 90, "min_inclusve": False, "share": 1}], "otherwise": 0})]},
     "indicators[0].rule.bands[0].min_inclusve", "min_inclusive"),
], ids=["project-indicators", "project-execution", "in-a-list", "grades", "department", "department-band"])
def test_an_unknown_key_anywhere_in_the_file_is_an_error(tmp_path, own, key, meant):
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump({"name": "本局规则", **own}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    message = str(error.value)
    assert message.startswith(f"规则文件 {path} 中键 {key} 有误：未知的键") and meant in message


def test_an_unknown_key_is_blamed_on_the_file_that_wrote_it(tmp_path):
    base = tmp_path / "市规则.yaml"
    base.write_text("name: 市规则\nextends: mof-2020-project\nindicators:\n  revrese: linear\n", encoding="utf-8")
    top = tmp_path / "本局规则.yaml"
    top.write_text(f"name: 本局规则\nextends: {base}\n", encoding="utf-8")
    with pytest.raises(RulebookError, match=f"^规则文件 {re.escape(str(base))} 中键 indicators.revrese 有误"):
        load_rulebook(top)


def test_names_the_bureau_chooses_are_not_unknown_keys(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text(textwrap.dedent("""\
        name: 本局规则
        description: 一级指标分值按本局口径
        extends: mof-2020-project
        weights:
          level1: {产出指标: 60, 效益指标: 30, 满意度指标: 10}
        """), encoding="utf-8")
    assert [name for name, _ in load_rulebook(path).level1_weights] == ["产出指标", "效益指标", "满意度指标"]


@pytest.mark.parametrize("numerator, key, says", [
    (["年初预算书"], "indicators[0].numerator[0]", "“年初预算书”不是基础数据表的行（是否应为“年初预算”？"),
    (["上年结转", "-年末结於"], "indicators[0].numerator[1]", "“年末结於”不是基础数据表的行"),
    (["编制数.本年决算"], "indicators[0].numerator[0]", "编制数是人数，不分列"),
], ids=["unknown-row", "unknown-subtracted-row", "column-of-a-head-count"])
def test_a_formula_naming_no_f2_row_is_a_rulebook_error_on_load(tmp_path, numerator, key, says):
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(numerator=numerator, denominator=["年初预算"]))
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：") and says in error


def test_a_formula_may_name_a_row_of_the_bureaus_own_f2(tmp_path):
    # forms.md: the rows after 政府采购金额 vary most between places; the reader keeps every labelled row.
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(numerator=["人员经费.本年决算"], denominator=["年初预算"]))
    assert load_rulebook(path).name == "本局部门规则"


def test_a_formula_may_name_an_f2_row_by_any_spelling_the_reader_knows(tmp_path):
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(
        numerator=["年初预算数", "-“三公经费”.本年决算", "会议费、培训费"], denominator=["核定编制数"]))
    indicator = load_rulebook(path).indicators[0]
    assert [(t.sign, t.row, t.column) for t in indicator.numerator] == [
        (1, "年初预算", None), (-1, "三公经费", "final"), (1, "会议费、培训费", None)]
    assert [t.row for t in indicator.denominator] == ["编制数"]


@pytest.mark.parametrize("bands, key, says", [
    ([{"min": 80, "share": 0.8}, {"min": 90, "share": 1}], "indicators[0].rule.bands[1]", "第1档（≥80%）已包含此档（≥90%）"),
    ([{"max": 10, "share": 0.8}, {"max": 0, "share": 1}], "indicators[0].rule.bands[1]", "第1档（≤10%）已包含此档（≤0%）"),
    ([{"min": 60, "share": 0.4}, {"min": 70, "max": 80, "share": 0.6}], "indicators[0].rule.bands[1]", "永远用不到"),
    ([{"min": 90, "max": 80, "share": 1}], "indicators[0].rule.bands[0].min", "下限 90 大于上限 80"),
], ids=["min-ascending", "max-descending", "inside-an-open-band", "empty-band"])
def test_a_rate_band_that_can_never_apply_is_an_error(tmp_path, bands, key, says):
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(rule={"kind": "bands", "bands": bands, "otherwise": 0}))
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：") and says in error


def test_rate_bands_keep_their_order_when_each_can_apply(tmp_path):
    rule = {"kind": "bands", "otherwise": 0, "bands": [
        {"min": 150, "min_inclusive": False, "share": 0}, {"min": 90, "share": 1}, {"min": 80, "share": 0.8}]}
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(rule=rule))
    assert [band.share for band in load_rulebook(path).indicators[0].bands] == [0, 1, Decimal("0.8")]


def test_band_errors_name_the_list_index(tmp_path):
    data = yaml.safe_load(rulebook_text("mof-2020-project"))
    data["qualitative"]["bands"][2]["midpoint"] = 0.5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError, match=r"qualitative\.bands\[2\]\.midpoint"):
        load_rulebook(path)


def test_unknown_name_lists_the_builtins():
    with pytest.raises(RulebookError, match="mof-2020-project"):
        load_rulebook("no-such-rules")


def test_extends_cycle_is_reported(tmp_path):
    (tmp_path / "a.yaml").write_text(f"extends: {tmp_path / 'b.yaml'}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(f"extends: {tmp_path / 'a.yaml'}\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="循环继承"):
        load_rulebook(tmp_path / "a.yaml")


def test_an_unknown_extends_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text("name: 本局规则\nextends: mof-2021-project\n", encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    message = str(error.value)
    assert message.startswith(f"规则文件 {path} 中键 extends 有误：") and "mof-2021-project" in message
    assert "mof-2020-project" in message  # the built-ins it could have meant


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "title", "form", "full_marks", "execution", "indicators",
                                        "qualitative", "weights", "grades", "review_tolerance", "score_places",
                                        "x"]),
                       yaml_values, max_size=4))
def test_any_yaml_either_loads_or_raises_a_rulebook_error(tmp_path_factory, override):
    path = tmp_path_factory.mktemp("r") / "r.yaml"
    path.write_text(yaml.safe_dump({"extends": "mof-2020-project", **override}, allow_unicode=True), encoding="utf-8")
    try:
        load_rulebook(path)
    except RulebookError as error:
        assert str(path) in str(error) and "（）" not in str(error)  # no list of suggestions left empty


def test_a_rulebook_saved_as_gbk_is_a_rulebook_error_saying_utf8(tmp_path):
    # Notepad on a Chinese Windows saves "ANSI", i.e. GBK: name: 本局规则
    path = tmp_path / "本局规则.yaml"
    path.write_bytes("name: 本局规则\nextends: mof-2020-project\n".encode("gbk"))
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path}：不是UTF-8编码（第1行") and "UTF-8" in error


def test_a_rulebook_extending_a_gbk_file_blames_the_gbk_file(tmp_path):
    parent = tmp_path / "市规则.yaml"
    parent.write_bytes("name: 市规则\nextends: mof-2020-project\n".encode("gbk"))
    own = tmp_path / "本局规则.yaml"
    own.write_text(f"name: 本局规则\nextends: {parent}\n", encoding="utf-8")
    assert _load_error(own).startswith(f"规则文件 {parent}：不是UTF-8编码")


def test_a_utf8_rulebook_with_a_bom_loads(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text("name: 本局规则\nextends: mof-2020-project\n", encoding="utf-8-sig")
    assert load_rulebook(path).name == "本局规则"


@pytest.mark.parametrize("text, says", [
    ("", "文件为空（或只有注释），没有任何规则；请写上要用的键，如 extends: mof-2020-project"),
    ("# 本局规则，待填\n", "文件为空（或只有注释），没有任何规则"),
    ("\ufeff", "文件为空（或只有注释），没有任何规则"),
    ("- extends: mof-2020-project\n", "顶层应为键值映射"),  # the counter-case: a list is not empty
], ids=["empty", "only-a-comment", "only-a-bom", "a-list"])
def test_an_empty_rulebook_file_says_it_is_empty(tmp_path, text, says):
    # It said "顶层应为键值映射" of a file saved with nothing in it.
    path = tmp_path / "本局规则.yaml"
    path.write_text(text, encoding="utf-8")
    assert _load_error(path).startswith(f"规则文件 {path}：{says}")


@pytest.mark.parametrize("args", [
    ["rules", "check", "{rules}"], ["rules", "show", "{rules}"],
    ["score", "{tmp}", "--out", "{tmp}/out", "--rules", "{rules}"], ["explain", "{tmp}/f.xlsx", "--rules", "{rules}"],
], ids=["rules-check", "rules-show", "score", "explain"])
def test_every_command_reports_a_gbk_rulebook_in_chinese_without_a_traceback(tmp_path, args):
    rules = tmp_path / "本局规则.yaml"
    rules.write_bytes("name: 本局规则\nextends: mof-2020-project\n".encode("gbk"))
    (tmp_path / "f.xlsx").write_bytes(b"")  # never read: the rulebook fails first
    result = CliRunner().invoke(main, [a.format(tmp=tmp_path, rules=rules) for a in args])
    assert isinstance(result.exception, SystemExit) and result.exit_code in (1, 2)
    assert f"规则文件 {rules}：不是UTF-8编码" in result.output


@pytest.mark.parametrize("grades, key", [
    ([{"grade": "优", "min": 90}, {"grade": "良", "min": 80}, {"grade": "中", "min": 60}], "grades[2].min"),
    ([{"grade": "合格", "min": 0.01}], "grades[0].min"),
], ids=["no-lowest-grade", "lowest-above-zero"])
def test_the_lowest_grade_must_start_at_zero(tmp_path, grades, key):
    # Without it a total below every min got the last grade listed: 30 points graded 中.
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump({"name": "本局规则", "extends": "mof-2020-project", "grades": grades},
                                   allow_unicode=True), encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：最低一档") and "应从0分起" in error


def test_a_bureau_may_grade_with_its_own_words_from_zero(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text("name: 本局规则\nextends: mof-2020-project\ngrades:\n"
                    "  - {grade: 合格, min: 60}\n  - {grade: 不合格, min: 0}\n", encoding="utf-8")
    rulebook = load_rulebook(path)
    assert [rulebook.grade_for(Decimal(t)) for t in ("60", "59.99", "0")] == ["合格", "不合格", "不合格"]


@pytest.mark.parametrize("full_marks, default_weight", [(100, 100), (100, 110), (50, 50)])
def test_the_default_execution_weight_must_be_below_full_marks(tmp_path, full_marks, default_weight):
    # A form whose execution is not applicable is rescaled by full/(full − w): w = full divides by zero.
    path = tmp_path / "本局规则.yaml"
    path.write_text(f"name: 本局规则\nextends: mof-2020-project\nfull_marks: {full_marks}\n"
                    f"weights:\n  total: {full_marks}\nexecution:\n  default_weight: {default_weight}\n",
                    encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 execution.default_weight 有误：应小于满分")


def _with_band_words(tmp_path, words_by_band: dict) -> Path:
    """本局规则.yaml: mof-2020-project with ``words_by_band`` added to its qualitative bands."""
    data = yaml.safe_load(rulebook_text("mof-2020-project"))
    for band in data["qualitative"]["bands"]:
        band["words"] += words_by_band.get(band["name"], [])
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump({"name": "本局规则", "extends": "mof-2020-project",
                                    "qualitative": {"bands": data["qualitative"]["bands"]}},
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_band_words_are_normalised_like_the_units_text_so_a_copied_text_matches(tmp_path):
    # The actual's text is compared NFKC'd and without spaces; the words must be too.
    rulebook = load_rulebook(_with_band_words(tmp_path, {"达成": ["达标（优良）"], "部分达成": ["基本 达标"]}))
    assert qualitative_band("有效提升", "达标（优良）", rulebook).name == "达成"
    assert qualitative_band("明显提升", "基本 达标", rulebook).name == "部分达成"


def test_a_band_word_of_spaces_only_is_an_error_not_a_word_every_text_contains(tmp_path):
    path = _with_band_words(tmp_path, {"未达成": ["\u3000"]})
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 qualitative.bands[0].words 有误：第7个词为空")


@pytest.mark.parametrize("negations, says", [("不", "应为文字列表"), (["没", " "], "第2个词为空")])
def test_negation_words_are_a_list_of_words(tmp_path, negations, says):
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump({"extends": "mof-2020-project", "qualitative": {"negations": negations}},
                                   allow_unicode=True), encoding="utf-8")
    assert _load_error(path).startswith(f"规则文件 {path} 中键 qualitative.negations 有误：{says}")


def test_a_bureau_may_switch_the_negation_check_off(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text("extends: mof-2020-project\nqualitative:\n  negations: []\n", encoding="utf-8")
    assert load_rulebook(path).negations == () and load_rulebook().negations


def _city_and_district(folder: Path) -> Path:
    """市级规则.yaml (reverse: linear) and 区级规则.yaml extending it by its bare file name, in ``folder``."""
    folder.mkdir()
    (folder / "市级规则.yaml").write_text("name: 市级规则\nextends: mof-2020-project\nindicators:\n  reverse: linear\n",
                                      encoding="utf-8")
    district = folder / "区级规则.yaml"
    district.write_text("name: 区级规则\nextends: 市级规则.yaml\n", encoding="utf-8")
    return district


def test_a_relative_extends_is_found_beside_the_extending_file_from_any_working_folder(tmp_path, monkeypatch):
    _city_and_district(tmp_path / "规则")
    monkeypatch.chdir(tmp_path)
    assert load_rulebook("规则/区级规则.yaml").reverse == "linear"


def test_a_same_named_file_in_the_working_folder_is_not_taken_for_the_sibling(tmp_path, monkeypatch):
    district = _city_and_district(tmp_path / "规则")
    (tmp_path / "市级规则.yaml").write_text("name: 市级规则\nextends: mof-2020-project\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_rulebook(district).reverse == "linear"  # the sibling's, not the working folder's ratio


def test_a_cycle_of_relative_extends_is_reported(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: ./a.yaml\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(RulebookError, match="循环继承"):
        load_rulebook(f"{tmp_path.name}/a.yaml")


@pytest.mark.parametrize("text, key, says", [
    ("name: 本局规则\nextends: mof-2020-project\nindicators:\n  reverse: linear\nqualitative:\n"
     "  equal_text_band: 达成\nindicators:\n  over_achievement_factor: 1.5\n",
     "indicators", "第7行重复了第3行的同名键"),
    ("name: 本局规则\nextends: mof-2020-project\nindicators:\n  reverse: linear\n  reverse: ratio\n",
     "indicators.reverse", "第5行重复了第4行的同名键"),
    ("name: 本局规则\nextends: mof-2020-project\ngrades:\n  - {grade: 优, min: 90, min: 95}\n  - {grade: 差, min: 0}\n",
     "grades[0].min", "第4行写了两次"),
], ids=["top-level-block", "nested", "in-a-flow-mapping"])
def test_a_key_written_twice_is_an_error_naming_both_lines(tmp_path, text, key, says):
    # YAML keeps the last one: the first indicators: block (reverse: linear) was silently dropped.
    path = tmp_path / "本局规则.yaml"
    path.write_text(text, encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：{says}")


def test_yaml_merge_keys_and_aliases_are_not_duplicates(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text("name: 本局规则\nextends: mof-2020-project\ngrades:\n  - &top {grade: 优, min: 90}\n"
                    "  - {<<: *top, grade: 良, min: 80}\n  - {grade: 差, min: 0}\n", encoding="utf-8")
    assert [g.grade for g in load_rulebook(path).grades] == ["优", "良", "差"]


def _empty_middle_band(bands):
    bands[0]["high"] = 0.7
    bands[1].update(low=0.7, high=0.7, midpoint=0.7)
    bands[2]["low"] = 0.7


@pytest.mark.parametrize("edit, key, says", [
    (lambda b: b[1].update(midpoint=0.8), "qualitative.bands[1].midpoint", "中值 0.8 不在此档 [0.6, 0.8) 内（不含上限）"),
    (lambda b: b[0].update(high=0.7), "qualitative.bands[1]", "与第1档重叠：未达成 [0, 0.7) 与 部分达成 [0.6, 0.8)"),
    (lambda b: b[0].update(high_inclusive=True), "qualitative.bands[1]", "与第1档重叠：未达成 [0, 0.6] 与 部分达成"),
    (lambda b: b[0].update(name="达成"), "qualitative.bands[2].name", "档次名称“达成”与第1档重复"),
    (_empty_middle_band, "qualitative.bands[1].high", "下限与上限都是 0.7，且不含上限（high_inclusive: false），此档为空"),
    (lambda b: b[0].update(high=0.5), "qualitative.bands[1].low", "与第1档（未达成 [0, 0.5)）之间空出 [0.5, 0.6)"),
], ids=["midpoint-on-an-open-bound", "overlap", "overlap-at-a-shared-bound", "same-name", "empty", "gap"])
def test_contradictory_qualitative_bands_are_an_error(tmp_path, edit, key, says):
    # Each was accepted: a midpoint scored 8 on a band allowing at most 7.99, a text fell in two bands
    # (or none), equal_text_band took the lowest band of two named 达成.
    path = tmp_path / "本局规则.yaml"
    data = _full("mof-2020-project", lambda d: edit(d["qualitative"]["bands"]))
    path.write_text(yaml.safe_dump({**data, "name": "本局规则"}, allow_unicode=True), encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：") and says in error


def test_bands_listed_in_any_order_that_meet_end_to_end_load(tmp_path):
    path = tmp_path / "本局规则.yaml"
    data = _full("mof-2020-project", lambda d: d["qualitative"]["bands"].reverse())
    path.write_text(yaml.safe_dump({**data, "name": "本局规则"}, allow_unicode=True), encoding="utf-8")
    assert [band.name for band in load_rulebook(path).bands] == ["未达成", "部分达成", "达成"]


@pytest.mark.parametrize("text, says", [
    ("name: 本局规则\nextends: mof-2020-project\nindicators:\n\treverse: linear\n", "第4行用了Tab键"),
    ("name: 本局规则\nextends: mof-2020-project\nindicators:\n  reverse: linear\n   x: 1\n", "第5行第5列YAML格式错误"),
    ("name: 本局规则\nextends: mof-2020-project\nindicators: [\n", "到文件末尾仍未结束"),
], ids=["tab", "indentation", "unclosed-bracket"])
def test_a_yaml_syntax_error_says_in_chinese_where_in_the_file(tmp_path, text, says):
    path = tmp_path / "本局规则.yaml"
    path.write_text(text, encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path}：") and says in error
    assert "<unicode string>" not in error and not re.search(r"[a-z]{4,} [a-z]{4,}", error)  # no PyYAML English


@pytest.mark.parametrize("places", ["2.5", "0.1"])
def test_percent_places_must_be_a_whole_number_not_truncated(tmp_path, places):
    path = tmp_path / "本局部门规则.yaml"
    path.write_text(f"name: 本局部门规则\nextends: hunan-dept\npercent_places: {places}\n", encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 percent_places 有误：应为 0 到 6 之间的整数")


def test_percent_places_may_be_written_as_a_whole_decimal(tmp_path):
    path = tmp_path / "本局部门规则.yaml"
    path.write_text("name: 本局部门规则\nextends: hunan-dept\npercent_places: 3.0\n", encoding="utf-8")
    assert load_rulebook(path).percent_places == 3


@pytest.mark.parametrize("own, key, says", [
    ({"extends": "mof-2020-project", "indicators": 5}, "indicators", "应为键值映射（其下写 reverse: … 等），实际为 5"),
    ({"extends": "mof-2020-project", "indicators": None}, "indicators", "应为键值映射（其下写 reverse: … 等），实际为空"),
    ({"extends": "mof-2020-project", "grades": ["优"]}, "grades[0]", "应为键值映射（其下写 grade: … 等），实际为 '优'"),
    ({"extends": "hunan-dept", "indicators": [_dept_indicator(rule="ratio")]}, "indicators[0].rule",
     "应为键值映射（其下写 kind: … 等），实际为 'ratio'"),
], ids=["a-number", "empty", "a-list-item", "department-rule"])
def test_a_value_where_a_mapping_belongs_is_named_not_reported_as_a_missing_key_under_it(tmp_path, own, key, says):
    # Was: "indicators.reverse 缺少此键" for indicators: 5, "rule.kind 缺少此键" for rule: ratio.
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump({"name": "本局规则", **own}, allow_unicode=True), encoding="utf-8")
    assert _load_error(path) == f"规则文件 {path} 中键 {key} 有误：{says}"


def _keys(value, parent: str = ""):
    """Every key of a rulebook's YAML, without list indices; the names a bureau chooses left out."""
    if isinstance(value, list):
        for child in value:
            yield from _keys(child, parent)
    elif isinstance(value, dict):
        for key, child in value.items():
            if re.fullmatch(r"[a-z_0-9]+", str(key)):  # not 产出指标: weights.level1 names first-level indicators
                yield str(key)
                yield from _keys(child, key)


@pytest.mark.parametrize("value, written", [(3, "3"), (1.5, "1.5"), (-1, "-1"), ("两位", None), (True, None)],
                         ids=["three", "fraction", "negative", "words", "boolean"])
def test_score_places_is_0_1_or_2(tmp_path, value, written):
    # Every output shows a score with 2 decimals: a third place would be scored and never shown.
    path = tmp_path / "本局规则.yaml"
    path.write_text(yaml.safe_dump({"extends": "mof-2020-project", "score_places": value}, allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    message = str(error.value)
    assert message.startswith(f"规则文件 {path} 中键 score_places 有误：")
    assert ("应为 0、1、2 之一（各项得分保留的小数位数" in message and f"实际为 {written}" in message) if written \
        else "应为数字" in message


def test_score_places_of_the_built_ins_is_two_and_a_bureau_may_change_it(tmp_path):
    assert {load_rulebook(name).score_places for name in builtin_rulebooks()} == {2}
    path = tmp_path / "本局规则.yaml"
    path.write_text("extends: hunan-dept\nscore_places: 0\n", encoding="utf-8")
    assert load_rulebook(path).score_places == 0
    scratch = yaml.safe_load(rulebook_text("mof-2020-project"))
    del scratch["score_places"]
    path.write_text(yaml.safe_dump({**scratch, "name": "本局规则"}, allow_unicode=True), encoding="utf-8")
    from_scratch = load_rulebook(path)  # written before the key existed: it loads, and rounds as it did
    assert from_scratch.score_places == 2 and from_scratch.round_score(Decimal("9.445")) == Decimal("9.45")


@pytest.mark.parametrize("name", builtin_rulebooks())
def test_readme_names_every_key_of_the_builtin_rulebooks(name):
    # A bureau writing a rulebook from scratch by README's list failed on execution.name and the rest.
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 评分规则 / Rulebooks")[1].split("\n## ")[0]
    unlisted = {key for key in _keys(yaml.safe_load(rulebook_text(name))) if not re.search(f"`{key}[`:]", section)}
    assert not unlisted


def test_a_rulebook_from_scratch_with_readmes_keys_loads(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text(textwrap.dedent("""\
        name: 本局规则
        title: 本局项目支出绩效自评
        form: project
        full_marks: 100
        execution: {name: 预算执行率, level1: 预算执行, default_weight: 10, flag_over_execution: true}
        indicators: {reverse: ratio, over_achievement_factor: 1.2, scale_percent_fractions: true}
        qualitative:
          bands:
            - {name: 未达成, words: [未完成], low: 0, high: 0.6, high_inclusive: false, midpoint: 0.3}
            - {name: 部分达成, words: [基本完成], low: 0.6, high: 0.8, high_inclusive: false, midpoint: 0.7}
            - {name: 达成, words: [完成], low: 0.8, high: 1, high_inclusive: true, midpoint: 0.9}
          equal_text_band: 达成
        weights:
          total: 100
          level1: {产出指标: 50, 效益指标: 30, 满意度指标: 10}
          level1_without_satisfaction: {产出指标: 50, 效益指标: 40}
        grades: [{grade: 优, min: 90}, {grade: 良, min: 80}, {grade: 中, min: 60}, {grade: 差, min: 0}]
        review_tolerance: 0.01
        score_places: 2
        """), encoding="utf-8")
    assert load_rulebook(path).name == "本局规则"


@pytest.mark.parametrize("second", ["重点支出安排率", "“重点支出安排率”"], ids=["same-name", "same-name-quoted"])
def test_two_department_indicators_of_one_name_are_an_error(tmp_path, second):
    # An F3 row finds its indicator by name: the second was accepted and silently never scored.
    first = _dept_indicator()
    path = tmp_path / "本局部门规则.yaml"
    own = {"name": "本局部门规则", "extends": "hunan-dept", "indicators": [first, {**first, "name": second}]}
    path.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 indicators[1].name 有误：“{second}”与第1个指标“重点支出安排率”重名")


def test_an_alias_another_indicator_has_is_an_error(tmp_path):
    staff = {**_dept_indicator(), "name": "在职人员控制率", "aliases": ["人员控制率"]}
    other = {**_dept_indicator(), "aliases": ["人员控制率"]}
    path = tmp_path / "本局部门规则.yaml"
    own = {"name": "本局部门规则", "extends": "hunan-dept", "indicators": [staff, other]}
    path.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    assert _load_error(path).startswith(
        f"规则文件 {path} 中键 indicators[1].aliases 有误：“人员控制率”与第1个指标“在职人员控制率”重名")


def test_aliases_are_a_list_of_names(tmp_path):
    path = tmp_path / "本局部门规则.yaml"
    own = {"name": "本局部门规则", "extends": "hunan-dept",
           "indicators": [{**_dept_indicator(), "aliases": "人员控制率"}]}
    path.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    assert _load_error(path).startswith(f"规则文件 {path} 中键 indicators[0].aliases 有误：应为指标其他名称的列表")


def test_an_extends_not_found_is_named_as_written_and_says_where_it_was_looked_for(tmp_path):
    path = tmp_path / "本局规则.yaml"
    path.write_text("name: 本局规则\nextends: 市级规则.yaml\n", encoding="utf-8")
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 extends 有误：找不到规则“市级规则.yaml”")
    assert f"按本文件所在文件夹查找：{tmp_path / '市级规则.yaml'}" in error


def _bureau_file(tmp_path, text: str) -> Path:
    path = tmp_path / "本局规则.yaml"
    path.write_text("name: 本局规则\n" + textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("text, key, says", [
    ("""\
     extends: mof-2020-project
     weights:
       level1: {产出指标: 60, 效益指标: 30, 满意度指标: 20}
     """, "weights.level1", "一级指标分值合计 110（产出指标 60、效益指标 30、满意度指标 20）高于各项分值合计 weights.total（100）"),
    ("""\
     extends: mof-2020-project
     weights:
       level1_without_satisfaction: {产出指标: 60, 效益指标: 50}
     """, "weights.level1_without_satisfaction", "一级指标分值合计 110（产出指标 60、效益指标 50）高于各项分值合计"),
    ("""\
     extends: mof-2020-project
     weights: {total: 120}
     """, "weights.total", "各项分值合计 120 高于满分 full_marks（100）"),
    ("""\
     extends: hunan-dept
     indicators:
       - {name: 在职人员控制率, level1: 投入, weight: 150, numerator: [在职人数], denominator: [编制数],
          rule: {kind: deduct_per_point, limit: 100, per_point: 0.5}}
     """, "indicators[0].weight", "“在职人员控制率”的分值 150 高于满分 full_marks（100）"),
    ("""\
     extends: hunan-dept
     indicators:
       - {name: 在职人员控制率, level1: 投入, weight: 60, numerator: [在职人数], denominator: [编制数],
          rule: {kind: deduct_per_point, limit: 100, per_point: 0.5}}
       - {name: 公用经费控制率, level1: 过程, weight: 50, numerator: [公用经费.本年决算],
          denominator: [公用经费.本年预算], rule: {kind: deduct_per_point, limit: 100, per_point: 0.5}}
     """, "indicators", "各指标分值合计 110 高于满分 full_marks（100）"),
    ("""\
     extends: mof-2020-project
     grades: [{grade: 优, min: 190}, {grade: 良, min: 80}, {grade: 中, min: 60}, {grade: 差, min: 0}]
     """, "grades[0].min", "“优”的最低分 190 高于满分 full_marks（100），没有总分能评为“优”"),
    ("""\
     extends: hunan-dept
     grades: [{grade: 优, min: 90}, {grade: 优, min: 80}, {grade: 中, min: 60}, {grade: 差, min: 0}]
     """, "grades[1].grade", "等级“优”重复出现"),
    ("""\
     extends: hunan-dept
     indicators:
       - {name: 政府采购执行率, level1: 过程, weight: 5, numerator: [政府采购金额.本年决算],
          denominator: [政府采购金额.本年预算], rule: {kind: ratio, cap: 150}}
     """, "indicators[0].rule.cap", "应在 0 到 100 之间，实际为 150"),  # 130.95 % of 5 points was 6.55
    ("""\
     extends: hunan-dept
     indicators:
       - {name: 政府采购执行率, level1: 过程, weight: 5, numerator: ["-"],
          denominator: [政府采购金额.本年预算], rule: {kind: ratio, cap: 100}}
     """, "indicators[0].numerator[0]", "“-”没有写基础数据表的行名"),  # every unit was told it lacked a row “”
], ids=["level1-over-the-table", "level1-without-satisfaction-over", "table-over-full-marks",
        "department-indicator-over-full-marks", "department-indicators-together-over", "grade-above-full-marks",
        "grade-twice", "ratio-cap-over-100", "term-without-a-row"])
def test_weights_and_grades_no_form_could_meet_are_errors_on_load(tmp_path, text, key, says):
    # Loaded, each flagged every form that was right (一级指标"产出指标"分值合计50，规则要求60), or
    # graded every form below what it earned.
    path = _bureau_file(tmp_path, text)
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：{says}"), error


def test_first_levels_may_leave_the_execution_weight_to_the_form(tmp_path):
    # The 预算执行 分值 is the form's own: first levels worth 80 leave 20 of the table to it.
    rulebook = load_rulebook(_bureau_file(tmp_path, """\
        extends: mof-2020-project
        weights:
          level1: {产出指标: 40, 效益指标: 30, 满意度指标: 10}
        """))
    assert dict(rulebook.level1_weights) == {"产出指标": 40, "效益指标": 30, "满意度指标": 10}


def test_a_project_and_a_department_rulebook_are_both_used_and_two_of_one_kind_are_refused(tmp_path):
    # --rules given twice kept only the last, silently: a bureau's project rulebook was dropped.
    from click.testing import CliRunner

    import perfeval_xl
    from perfeval_xl.cli import main

    project = tmp_path / "本局项目.yaml"
    project.write_text("name: 本局项目\nextends: mof-2020-project\nindicators:\n  reverse: linear\n", encoding="utf-8")
    department = tmp_path / "本局部门.yaml"
    department.write_text("name: 本局部门\nextends: hunan-dept\n", encoding="utf-8")
    examples = Path(__file__).resolve().parents[1] / "examples"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", str(examples), "--out", str(out), "-q",
                                       "--rules", str(project), "--rules", str(department)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {form["rulebook"] for file in summary["files"] for form in file["forms"]} == {"本局项目", "本局部门"}
    twice = CliRunner().invoke(main, ["score", str(examples), "--out", str(tmp_path / "o2"),
                                      "--rules", str(project), "--rules", "mof-2020-project"])
    assert twice.exit_code == 2 and "两套规则都用于项目支出绩效自评表：“本局项目”和“mof-2020-project”" in twice.output
    with pytest.raises(perfeval_xl.RulebookError, match="每类表只能给一套规则"):  # a rulebook mistake, caught as one
        perfeval_xl.score_folder(examples, rules=[str(project), "mof-2020-project"])


@pytest.mark.parametrize("line, said", [
    ("review_tolerance：0.5", "第3行“review_tolerance”后用了全角冒号“："),
    ("name：本局", "第3行“name”后用了全角冒号“："),
    ("review_tolerance:\u30000.5", "第3行“review_tolerance”的冒号后用了全角空格"),
])
def test_a_full_width_colon_or_space_is_named_at_its_line_and_key(tmp_path, line, said):
    # PyYAML reported an unclosed bracket at the end of the file, or the next line.
    path = tmp_path / "本局.yaml"
    path.write_text(f"extends: mof-2020-project\nname: 本局x\n{line}\nindicators:\n  reverse: linear\n", encoding="utf-8")
    with pytest.raises(RulebookError, match=said):
        load_rulebook(path)


def _distribution_listed(tmp_path, grades: str, column: int) -> list:
    """What column ``column`` of summary.xlsx's 分布 lists, for a batch scored by mof-2020-project
    with the bureau's ``grades`` (YAML lines)."""
    import openpyxl

    import perfeval_xl
    from hostile import write_good

    own = tmp_path / "本局.yaml"
    own.write_text(f"name: 本局\nextends: mof-2020-project\ngrades:\n{grades}", encoding="utf-8")
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", rules=str(own))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["分布"]
    return [row[0].value for row in sheet.iter_rows(min_row=4, min_col=column, max_col=column) if row[0].value]


def test_a_rulebooks_own_grades_reach_the_summarys_distribution(tmp_path):
    listed = _distribution_listed(tmp_path, "  - {grade: 优秀, min: 90}\n  - {grade: 合格, min: 60}\n"
                                            "  - {grade: 不合格, min: 0}\n", column=1)
    assert listed[:4] == ["优秀", "合格", "不合格", "合计"]


def test_the_distributions_bands_of_totals_split_where_a_bureaus_grade_starts(tmp_path):
    # A 良 from 75: the 70–80 band held 良 and 中 forms alike, and could not be read against the grades.
    from perfeval_xl.writers.summary_xlsx import score_bins

    assert [(str(low), str(high)) for low, high in score_bins([Decimal("75"), Decimal("60"), Decimal("0")])] == [
        ("0", "60"), ("60", "70"), ("70", "75"), ("75", "80"), ("80", "90"), ("90", "100")]
    bands = _distribution_listed(tmp_path, "  - {grade: 优, min: 90}\n  - {grade: 良, min: 75}\n"
                                           "  - {grade: 中, min: 60}\n  - {grade: 差, min: 0}\n", column=5)
    assert bands == ["0–60", "60–70", "70–75", "75–80", "80–90", "90–100", "合计"]


@pytest.mark.parametrize("band, field, value, says", [
    (2, "high", 0.9, r"qualitative\.bands\[2\]\.high 有误：最高一档（达成 \[0\.8, 0\.9\]）应到 1"),
    (0, "low", 0.1, r"qualitative\.bands\[0\]\.low 有误：最低一档（未达成 \[0\.1, 0\.6\)）应从 0 开始"),
])
def test_qualitative_bands_must_reach_from_nothing_to_full_marks(tmp_path, band, field, value, says):
    # A 达成 band topped at 0.9 passed the check: no qualitative indicator could get full marks.
    data = yaml.safe_load(rulebook_text("mof-2020-project"))
    data["qualitative"]["bands"][band][field] = value
    changed = data["qualitative"]["bands"][band]
    changed["midpoint"] = float((Decimal(str(changed["low"])) + Decimal(str(changed["high"]))) / 2)  # still inside
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError, match=says):
        load_rulebook(path)


@pytest.mark.parametrize("extends, form, other", [("hunan-dept", "project", "department"),
                                                  ("mof-2020-project", "department", "project")])
def test_a_form_other_than_the_one_extended_is_the_bureau_files_error(tmp_path, extends, form, other):
    # Merged first, the other form's keys were reported as unknown keys of the built-in
    # ("规则文件 hunan-dept.yaml 中键 percent_places 有误：未知的键"), a key the bureau never wrote.
    path = _bureau_file(tmp_path, f"extends: {extends}\nform: {form}\n")
    assert _load_error(path) == (f"规则文件 {path} 中键 form 有误：写的是 {form}，而所继承的规则文件 {extends}.yaml 是 "
                                 f"{other}；继承的规则须是同一种评价表，请删去 form 或改为 {other}")


def test_a_bureaus_file_without_a_title_does_not_show_the_built_ins_official_one(tmp_path):
    # "rules check" said 项目支出绩效自评（财预〔2020〕10号） of a bureau's changed rules.
    path = tmp_path / "本局.yaml"
    path.write_text("name: 本局\nextends: mof-2020-project\nindicators: {over_achievement_factor: 1.5}\n",
                    encoding="utf-8")
    assert load_rulebook(path).title == "在mof-2020-project基础上修改"



_LAUGHS = "\n".join(["  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                    + [f"  {b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")])


@pytest.mark.parametrize("text, says", [
    # Nine aliases of nine under a free-text key passed the check, then a batch built 3 GB and failed.
    (f"name: 说明炸弹\nextends: mof-2020-project\ndescription:\n{_LAUGHS}\n", "展开后超过100000个值"),
    # An anchor used inside itself: RecursionError, or "Circular reference detected", as tracebacks.
    ("name: 自引用\nextends: mof-2020-project\ndescription: &x [*x]\n", "第3行的锚点（&）在它自己里面被引用"),
    ("name: 自引用\nextends: mof-2020-project\ndescription: &x {self: *x}\n", "第3行的锚点（&）在它自己里面被引用"),
    # Refused safely before, but as "an indentation error".
    ("name: 标签\nextends: mof-2020-project\ndescription: !!python/object/apply:os.system [echo]\n",
     "第3行用了不支持的YAML标签"),
])
def test_a_rulebook_that_would_expand_without_end_or_run_code_is_refused_in_plain_words(tmp_path, text, says):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError, match=f"^规则文件 {re.escape(str(path))}：.*{says}"):
        load_rulebook(path)
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output


def test_a_file_far_larger_than_any_rulebook_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: 大\nextends: mof-2020-project\ndescription: " + "很" * 400_000 + "\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="文件过大（1.1MB），规则文件不超过1MB"):
        load_rulebook(path)


def test_an_empty_rulebook_name_is_an_error_not_the_default(tmp_path):
    # A script's empty variable scored by the official rules, unsaid.
    with pytest.raises(RulebookError, match="规则名称为空"):
        load_rulebook("")
    result = CliRunner().invoke(main, ["score", str(tmp_path), "--out", str(tmp_path / "o"), "--rules", ""])
    assert result.exit_code == 2 and "规则名称为空" in result.output


def test_a_path_ending_in_a_builtins_name_is_a_path_not_the_builtin(tmp_path):
    # "/x/mof-2020-project" was joined to the package's folder: it named /x/mof-2020-project.yaml, which
    # was then loaded as the built-in, changed rules and all, and the outputs said mof-2020-project.
    changed = rulebook_text("mof-2020-project").replace("reverse: ratio", "reverse: linear")
    assert changed != rulebook_text("mof-2020-project")
    (tmp_path / "mof-2020-project.yaml").write_text(changed, encoding="utf-8")
    with pytest.raises(RulebookError, match="既不是内置规则.*也不是存在的文件"):
        load_rulebook(str(tmp_path / "mof-2020-project"))
    with pytest.raises(RulebookError, match="是内置规则的名称，而本文件的规则与内置规则不同"):
        load_rulebook(str(tmp_path / "mof-2020-project.yaml"))


# ---------------------------------------------------------------- every key of a rulebook type-checked

@pytest.mark.parametrize("changes, key, says", [
    ({"level2": ["a", "b"]}, "indicators[0].level2", "应为文字，实际为 ['a', 'b']"),
    ({"standard": 5}, "indicators[0].standard", "应为文字，实际为 5（如确是文字，请加引号，如 '5'）"),
    ({"standard": {"x": 1}}, "indicators[0].standard", "应为文字，实际为 {'x': 1}"),
], ids=["level2-a-list", "standard-a-number", "standard-a-mapping"])
def test_a_department_indicators_texts_must_be_texts(tmp_path, changes, key, says):
    # str() took each: the scored form showed "['a', 'b']" as the 二级指标, or "None" for one left empty.
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(**changes))
    assert _load_error(path) == f"规则文件 {path} 中键 {key} 有误：{says}"
    result = CliRunner().invoke(main, ["rules", "check", str(path)])
    assert result.exit_code == 1 and f"规则文件 {path} 中键 {key} 有误：{says}" in result.output


def test_a_department_indicators_texts_left_empty_are_blank_and_a_quoted_number_is_text(tmp_path):
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(level2=None, standard="5"))
    indicator = load_rulebook(path).indicators[0]
    assert (indicator.level2, indicator.standard) == ("", "5")  # not "None"
    assert CliRunner().invoke(main, ["rules", "check", str(path)]).exit_code == 0


@pytest.mark.parametrize("description, valid", [("本局口径\n第二行", True), (None, True), ({"x": 1}, False), ([1, 2], False)])
def test_a_description_is_free_text(tmp_path, description, valid):
    path = _bureau_file(tmp_path, "extends: mof-2020-project\n")
    path.write_text(path.read_text(encoding="utf-8") + yaml.safe_dump({"description": description}, allow_unicode=True),
                    encoding="utf-8")
    if valid:
        assert load_rulebook(path).name == "本局规则"
    else:
        assert _load_error(path).startswith(f"规则文件 {path} 中键 description 有误：应为文字")


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "level1", "level2", "standard", "weight", "aliases", "numerator",
                                        "zero_denominator", "rule", "x"]), yaml_values, max_size=3))
def test_any_department_indicator_either_loads_or_raises_a_rulebook_error_without_empty_brackets(tmp_path_factory,
                                                                                               changes):
    path = _bureau_department_rulebook(tmp_path_factory.mktemp("r"), _dept_indicator(**changes))
    try:
        indicator = load_rulebook(path).indicators[0]
    except RulebookError as error:
        assert str(path) in str(error) and "（）" not in str(error)
    else:
        assert all(isinstance(text, str) for text in (indicator.name, indicator.level1, indicator.level2,
                                                         indicator.standard))


def test_no_message_shows_empty_brackets_for_keys_under_a_value(tmp_path):
    # "中键 indicators[0].level2.x 有误：未知的键（）": a key under a value, with no key to suggest.
    path = _bureau_department_rulebook(tmp_path, _dept_indicator(level2={"x": 1}))
    error = _load_error(path)
    assert "（）" not in error and error.startswith(f"规则文件 {path} 中键 indicators[0].level2 有误：应为文字")
    # A misspelt key beside others keeps its suggestions in brackets.
    path = _bureau_file(tmp_path, "extends: mof-2020-project\nindicators:\n  revrese: linear\n")
    assert "未知的键（是否应为 reverse？可用的键：" in _load_error(path)


# ---------------------------------------------------------------- a rulebook given as a mapping

def test_a_mapping_is_a_rulebook_validated_as_its_file_would_be(tmp_path):
    from perfeval_xl.rules import resolve_rules

    own = {"name": "本局规则", "extends": "mof-2020-project", "indicators": {"reverse": "linear"}}
    rules = resolve_rules(own)
    assert (rules.project.name, rules.project.reverse, rules.department.name) == ("本局规则", "linear", "hunan-dept")
    own["indicators"]["reverse"] = "ratio"  # copied on load: the caller's later change does not reach it
    assert rules.project.reverse == "linear"
    # A file's own data, loaded by YAML, is the same rulebook.
    file = _bureau_file(tmp_path, "extends: mof-2020-project\nindicators:\n  reverse: linear\n")
    assert load_rulebook(yaml.safe_load(file.read_text(encoding="utf-8"))).reverse == load_rulebook(file).reverse
    assert load_rulebook(yaml.safe_load(rulebook_text("hunan-dept"))).name == "hunan-dept"  # an unchanged copy
    # A Path where a file's name goes, as ``rules=`` itself takes one ("应为规则名称或文件路径，实际为 PosixPath(…)").
    parent = _bureau_file(tmp_path, "extends: mof-2020-project\nindicators:\n  reverse: linear\n")
    assert load_rulebook({"name": "本局", "extends": parent}).reverse == "linear"


@pytest.mark.parametrize("own, says", [
    ({"name": "本局规则", "extends": "mof-2020-project", "indicators": {"reverse": "cubic"}},
     "规则（字典） 中键 indicators.reverse 有误：应为 ratio / linear 之一，实际为 'cubic'"),
    ({"name": "本局规则", "extends": "hunan-dept", "indicators": [_dept_indicator(standard=5)]},
     "规则（字典） 中键 indicators[0].standard 有误：应为文字"),
    ({"extends": "mof-2020-project"}, "规则（字典） 中键 name 有误：缺少此键：规则字典没有文件名可作名称"),
    ({"name": "mof-2020-project", "extends": "mof-2020-project", "indicators": {"reverse": "linear"}},
     "规则（字典） 中键 name 有误：“mof-2020-project”是内置规则的名称，而这里的规则与内置规则不同"),
    ({"name": "本局规则", "extends": "mof-2021-project"}, "规则（字典） 中键 extends 有误：找不到规则“mof-2021-project”"),
], ids=["wrong-value", "department", "no-name", "posing-as-a-builtin", "unknown-extends"])
def test_a_mappings_mistakes_name_it_and_the_key(tmp_path, own, says):
    import perfeval_xl

    with pytest.raises(RulebookError) as error:
        perfeval_xl.score_folder(tmp_path, rules=own)
    assert str(error.value).startswith(says), error.value


@pytest.mark.parametrize("rules, shown", [(5, "int：5"), ([1, 2], "int：1"), ({"mof-2020-project"}, "set："),
                                          (b"mof-2020-project", "bytes："), (1.5, "float：1.5")])
def test_a_rulebook_of_any_other_type_is_a_plain_error_saying_what_is_taken(tmp_path, rules, shown):
    # rules=5 looked for a file named "5"; a set for one named "{'mof-2020-project'}".
    import perfeval_xl
    from perfeval_xl.rules import resolve_rules

    for call in (lambda: resolve_rules(rules), lambda: perfeval_xl.score_folder(tmp_path, rules=rules),
                 lambda: perfeval_xl.score_workbook(tmp_path / "f.xlsx", rules=rules)):
        with pytest.raises(RulebookError) as error:
            call()
        assert str(error.value).startswith("规则应为内置规则的名称") and "规则字典" in str(error.value)
        assert f"实际为 {shown}" in str(error.value)


def test_a_mapping_referring_to_itself_is_refused_in_plain_words():
    own: dict = {"name": "本局规则", "extends": "mof-2020-project"}
    own["indicators"] = own
    with pytest.raises(RulebookError, match="^规则（字典）：嵌套层次过深"):
        load_rulebook(own)


def test_a_mapping_scores_a_workbook_as_its_file_does(tmp_path):
    import hostile
    import perfeval_xl
    from formgen import Row, write_form

    project = hostile.good_project()
    project.rows[0] = Row("产出指标", "成本指标", "单位成本", "≤100元", "120元", 20, 20)  # ratio 16.67, linear 16
    workbook = write_form(tmp_path / "f.xlsx", project)
    own = {"name": "本局规则", "extends": "mof-2020-project", "indicators": {"reverse": "linear"}}
    file = tmp_path / "本局规则.yaml"
    file.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    by_mapping, by_file, by_default = (perfeval_xl.score_workbook(workbook, rules=rules).forms[0]
                                       for rules in (own, file, None))
    assert by_mapping.items[1].score == by_file.items[1].score == Decimal("16.00") != by_default.items[1].score
    assert by_mapping.rulebook == "本局规则"


# ---------------------------------------------------------------- keys accepted but never applying

def test_a_band_word_containing_a_lower_bands_word_is_an_error(tmp_path):
    # 部分达成 matched first: every "已完成" of 达成 was scored as 部分达成.
    path = _with_band_words(tmp_path, {"部分达成": ["部分达成", "完成"]})
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 qualitative.bands[2].words 有误：第4个词“已完成”含有较低的部分达成档的词“完成”")
    same = _load_error(_with_band_words(tmp_path, {"未达成": ["未达成", "效果明显"]}))
    assert "第9个词“效果明显”也是较低的未达成档的词：" in same


def test_a_lower_bands_word_may_contain_a_higher_bands_word(tmp_path):
    # 未完成 (lowest) contains 完成 (达成): the lower band is searched first, so both apply.
    rulebook = load_rulebook("mof-2020-project")
    assert "未完成" in rulebook.bands[0].words and "完成" in rulebook.bands[2].words
    assert qualitative_band("完成", "已完成", rulebook).name == "达成"
    assert load_rulebook(_with_band_words(tmp_path, {"部分达成": ["部分达成", "较好"]})).name == "本局规则"


@pytest.mark.parametrize("text, key, says", [
    ("""\
     extends: mof-2020-project
     weights:
       level1: {产出指标: 60, 效益指标: 40}
     """, "weights.level1", "其一级指标（产出指标、效益指标）在 weights.level1_without_satisfaction 中都有"),
    ("""\
     extends: mof-2020-project
     weights:
       level1: {指标: 50, 效益指标: 30, 满意度指标: 10}
     """, "weights.level1.指标", "一级指标名称去掉“指标”后为空"),
    ("""\
     extends: mof-2020-project
     weights:
       level1: {2020: 50, 效益指标: 30, 满意度指标: 10}
     """, "weights.level1.2020", "名称应为文字，实际为 2020"),
    ("""\
     extends:
     indicators: {reverse: linear}
     """, "extends", "应为规则名称或文件路径，实际为空"),
    ("""\
     extends: mof-2020-project
     execution: {default_weight: 10分}
     """, "execution.default_weight", "应为数字，实际为 '10分'（只写数字，不带“分”）"),
    ("""\
     extends: mof-2020-project
     indicators: {over_achievement_factor: "1e999999"}
     """, "indicators.over_achievement_factor", "数值过大（整数部分超过15位）"),
    ("""\
     extends: hunan-dept
     indicators:
       - {name: "“”", level1: 投入, weight: 5, numerator: [在职人数], denominator: [编制数],
          rule: {kind: ratio, cap: 100}}
     """, "indicators[0].name", "“‘’”去掉引号、编号和空格后没有文字"),
    ("""\
     extends: mof-2020-project
     weights:
       level1_counted_in: {成本指标: 投入指标}
     """, "weights.level1_counted_in.成本指标",
     "应为 weights.level1 中的一级指标之一（产出指标、效益指标、满意度指标），实际为 '投入指标'"),
    ("""\
     extends: mof-2020-project
     weights:
       level1_counted_in: {满意度指标: 效益指标}
     """, "weights.level1_counted_in.满意度指标", "“满意度指标”在 weights.level1 中有自己的分值，不再计入别的一级指标"),
    ("""\
     extends: mof-2020-project
     weights:
       level1_counted_in: 成本指标
     """, "weights.level1_counted_in", "应为“一级指标: 其分值计入的一级指标”的映射"),
], ids=["level1-never-applies", "level1-name-only-zhibiao", "level1-name-a-number", "extends-left-empty",
        "number-with-its-unit", "number-past-any-rule", "indicator-named-with-quotes-only",
        "counted-in-no-section", "counted-in-a-section-of-its-own", "counted-in-not-a-mapping"])
def test_keys_that_would_be_ignored_or_crash_scoring_are_errors_on_load(tmp_path, text, key, says):
    # Each passed `rules check`: 产出 60 / 效益 40 went unused (every form was checked against the 50 /
    # 40 of level1_without_satisfaction); "指标" is contained in every 一级 label; `extends:` left empty
    # was no parent; "1e999999" overflowed while scoring (内部错误); “” matched no F3 row.
    path = _bureau_file(tmp_path, text)
    error = _load_error(path)
    assert error.startswith(f"规则文件 {path} 中键 {key} 有误：{says}"), error


def test_a_number_of_16_digits_before_the_point_is_an_error(tmp_path):
    # The README and the message itself say "more than 15 digits"; 16 passed, only 17 were refused.
    path = _bureau_file(tmp_path, "extends: mof-2020-project\nindicators: {over_achievement_factor: 1234567890123456}\n")
    assert _load_error(path).startswith(
        f"规则文件 {path} 中键 indicators.over_achievement_factor 有误：数值过大（整数部分超过15位），实际为 1234567890123456")


def test_a_number_of_15_digits_before_the_point_or_of_many_decimals_loads(tmp_path):
    rulebook = load_rulebook(_bureau_file(tmp_path, """\
        extends: mof-2020-project
        indicators: {over_achievement_factor: 999999999999999}
        review_tolerance: "0.0123456789012345678"
        """))
    assert rulebook.over_achievement_factor == Decimal("999999999999999")
    assert rulebook.review_tolerance == Decimal("0.0123456789012345678")  # digits after the point are not counted


def test_first_level_tables_alike_or_leaving_a_section_out_load(tmp_path):
    same = load_rulebook(_bureau_file(tmp_path, """\
        extends: mof-2020-project
        weights:
          level1: {产出指标: 60, 效益指标: 40}
          level1_without_satisfaction: {产出指标: 60, 效益指标: 40}
        """))
    assert same.level1_weights == same.level1_weights_without_satisfaction
    bureau = load_rulebook(_bureau_file(tmp_path, """\
        extends: mof-2020-project
        weights:
          level1: {产出: 50, 效益: 30, 群众评价: 10}
          level1_without_satisfaction: {产出: 50, 效益: 40}
        """))
    assert [name for name, _ in bureau.level1_weights] == ["产出", "效益", "群众评价"]
    assert bureau.level1_counted_in == (("成本指标", "产出"),)  # mof-2020-project's line, toward the bureau's 产出
    apart = load_rulebook(_bureau_file(tmp_path, """\
        extends: mof-2020-project
        weights:
          level1: {投入: 20, 效益: 60, 群众评价: 10}
          level1_without_satisfaction: {投入: 20, 效益: 70}
        """))
    assert apart.level1_counted_in == ()  # mof-2020-project's 成本指标 → 产出指标: no 产出 to count toward, dropped
    quoted_number = load_rulebook(_bureau_file(tmp_path, 'extends: mof-2020-project\nindicators: {over_achievement_factor: "1.5"}\n'))
    assert quoted_number.over_achievement_factor == Decimal("1.5")
