"""Label matching: forms are read by what their cells say, never by address.

A label is normalised (NFKC, no whitespace, no trailing "(万元)" / "(A)" /
"(10分)" style suffixes, no leading "其中：" / "1、") and then looked up in the
synonym table of forms.md.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Whitespace, and the invisible characters text pasted from web pages and chat carries (zero-width
# spaces and joiners, word joiner, BOM), which NFKC keeps.
_SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_TRAILING_BRACKET = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$|[:：∶]$")  # "(万元)", "(A)"; "年度资金总额："
_LEADING_NUMBERING = re.compile(r"^(其中[:：]?|[0-9一二三四五六七八九十]+[、.．)]|[(][0-9一二三四五六七八九十]+[)]|\*+)")  # "*实际完成值": required
_WEIGHT_SUFFIX = re.compile(r"[(]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)]$")
#: A weight at the end of a level's or an indicator's name, in brackets, with or without 分: "产出指标(50分)",
#: "产出指标（50）" as Anhui writes it (forms.md), "在职人员控制率(3)" in a table without a 分值 column.
WEIGHT_AT_END = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")


# The full-width punctuation Chinese text is typed with (and the ideographic space), each with what
# NFKC makes of it.  Why: once a string holds one character NFKC changes, CPython's normalize costs
# about 1,400 instructions per character of it (17,000 for "项目资金（万元）"; ~28,000 for an
# actual of 20 characters of a 定性 indicator); with these replaced first, the quick check passes
# again.  The result is the same: NFKC decomposes character by character, and each of these
# decomposes to its single replacement, a starter.
_FULL_WIDTH = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "（），：；％！？\u3000")


def nfkc(text: object) -> str:
    """NFKC-normalised text of a cell value, without surrounding whitespace."""
    if text is None:
        return ""
    text = str(text)
    if unicodedata.is_normalized("NFKC", text):
        return text.strip()
    normalised = _NORMALISED.get(text)
    if normalised is None:
        normalised = text
        for wide, narrow in _FULL_WIDTH:
            if wide in normalised:
                normalised = normalised.replace(wide, narrow)
        normalised = unicodedata.normalize("NFKC", normalised).strip()
        if len(_NORMALISED) >= _NORMALISED_KEPT:
            _NORMALISED.clear()
        _NORMALISED[text] = normalised
    return normalised


#: Text not in NFKC → :func:`nfkc` of it.  Why kept: the scoring compacts each qualitative actual
#: the reading parsed a moment before, and one with full-width punctuation ("已完成（城东，3次）")
#: costs several thousand instructions to normalise again (15 M instructions reading and scoring 300
#: forms of distinct texts).  Why emptied when full: such texts recur within a form, or are labels
#: every form has; a worker stays the same size all batch.
_NORMALISED: dict[str, str] = {}
_NORMALISED_KEPT = 512


def compact(text: object) -> str:
    """A value's text as scoring.md §1 compares it: NFKC, no whitespace; its brackets kept
    ("已上线（基本完成）" still says 基本完成)."""
    return without_spaces(nfkc(text))


def unit_key(name: str) -> str:
    """A 填报单位 as F2 and F3 are paired by it: :func:`compact` without soft hyphens (invisible,
    pasted with a name from a web page), less a seal note at its end ("（盖章）").  Why not
    :func:`normalise`: it drops every bracket at the end of a label, and "教育局（机关）" and
    "教育局（直属学校）" are two units, whose forms it paired crosswise."""
    return _SEAL_NOTE.sub("", compact(name).replace("\u00ad", ""))


#: A seal note without brackets says 盖 ("XX局　　盖章", "XX局 加盖公章"): a bare 章 or 公章 could end a name.
_BARE_SEAL_NOTE = r"(?:单位)?(?:加盖|盖)(?:单位)?(?:公章|印章|章)"
_SEAL_NOTE = re.compile(r"[(\[【](?:单位)?(?:加盖|盖)?(?:单位)?(?:盖章|公章|签章|印章|章)[)\]】]$|" + _BARE_SEAL_NOTE + "$")
#: The same as written, spaces and all ("XX局　　盖　章", "XX局 加盖 公章"), which _SEAL_NOTE finds compacted.
_WRITTEN_BARE_SEAL_NOTE = re.compile(r"\s*(?:单\s*位\s*)?(?:加\s*盖|盖)\s*(?:单\s*位\s*)?(?:公\s*章|印\s*章|章)\s*$")


def without_seal_note(name: str) -> str:
    """A 填报单位 as written, less a seal note at its end ("XX局（盖章）", "XX局　　盖章",
    "XX局（加盖公章）" → "XX局"), as :func:`unit_key` compares it.  Why the notes without brackets and
    with 加盖: "XX局　　盖章" on the F3 and "XX局" on its F2, sent as two files, did not pair (every
    computed row 0), and "（加盖公章）" paired only as a different bracket, flagged as maybe another unit."""
    found = _SEAL_NOTE.search(compact(name))
    if not found:
        return name
    if found.group(0)[0] not in "([【":
        return _WRITTEN_BARE_SEAL_NOTE.sub("", name)
    return name[:max(name.rfind(bracket) for bracket in "(（[【")].rstrip()


def without_spaces(text: str) -> str:
    """``text`` without the whitespace and invisible characters :data:`_SPACES` matches.

    Why the test: the substitution tries its class at every character even when it finds none, and
    the scoring compacts every qualitative actual (−17 M instructions scoring 300 forms of distinct
    texts); every character it removes but " " is unprintable (tests/test_rules.py checks all of
    Unicode).
    """
    return _SPACES.sub("", text) if " " in text or not text.isprintable() else text


def normalise(text: object) -> str:
    """The comparable form of a label: NFKC, no spaces, suffixes and numbering dropped."""
    return normalise_str("" if text is None else str(text))


# What a label must end with for _TRAILING_BRACKET, and start with for _LEADING_NUMBERING, to
# strip anything (after NFKC, "（" and "：" are "(" and ":").
_TRAILING_ENDS = frozenset(")]】:：∶")
_LEADING_STARTS = frozenset("其0123456789一二三四五六七八九十(*")


# Why cached: readers compare the same few hundred labels on every form.  Why not more: the
# labels that recur stay in an LRU of this size; the rest are texts of one form, and at 2,048 they
# kept a worker ~0.2 MB larger after 1,000 distinct forms than after 50.
@functools.lru_cache(maxsize=1024)
def normalise_str(text: str) -> str:
    """:func:`normalise` of a ``str``, one call level less for the readers' inner loops."""
    # Why the tests before each pattern: a substitution costs 2,000-3,500 instructions even when it
    # finds nothing, and most labels have no space, suffix or numbering: the tests (without_spaces's
    # included) cut a cold label's cost by 60 %.
    label = without_spaces(nfkc(text))
    # Why a loop: forms stack suffixes, e.g. "全年执行数(B)(万元)".
    while True:
        stripped = _TRAILING_BRACKET.sub("", label) if label[-1:] in _TRAILING_ENDS else label
        if stripped[:1] in _LEADING_STARTS:
            stripped = _LEADING_NUMBERING.sub("", stripped)
        if stripped == label or not stripped:
            return label
        label = stripped


def weight_in_label(text: object) -> str | None:
    """The weight a label declares, e.g. "产出指标(50分)" → "50"."""
    match = _WEIGHT_SUFFIX.search(without_spaces(nfkc(text)))
    return match.group(1) if match else None


#: Spellings of PROJECT_FIELDS["name"] that name the fund a project is paid from: the project's name
#: on a form that has no 项目名称, but a 项目名称 on the same form names the project itself.
FUND_NAMES = ("专项资金名称",)

# Field name → the spellings seen in real forms (forms.md), already normalised.
PROJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", *FUND_NAMES),  # a county's 专项资金绩效目标自评表 (Hunan 2020) names its project so
    "department": ("主管部门", "市级主管部门", "区级主管部门", "县级主管部门", "省级主管部门", "主管单位",
                   "项目主管部门", "主管部门及代码", "主管部门名称"),
    "unit": ("实施单位", "项目实施单位", "项目单位", "实施单位名称", "项目实施单位名称", "项目承担单位", "承担单位",
             "承担处室", "实施处室"),
    "year": ("年度", "评价年度", "自评年度"),
    "goal": ("年度总体目标", "总体目标"),
    # The national 部门整体支出绩效自评表 (财预〔2020〕10号 附件2) is laid out as F1 and scored alike;
    # it names a department, not a project: the form's name when it has no 项目名称.
    "entity": ("部门名称", "部门(单位)名称", "单位名称", "部门(单位)"),
}

FUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数", "年初预算"),
    "budget": ("全年预算数", "调整后预算数", "调整后预算", "全年预算", "调整预算数", "全年调整预算数",
               "调整后全年预算数", "全年(调整)预算数", "全年(调整后)预算数",
               # A 绩效管理系统's export: 年初预算 | 年度预算调整 (the change alone, no budget) | 调整后的预算
               "调整后的预算", "调整后的预算数",
               "预算数"),  # Hubei: 年初预算数 | 预算数(A) | 执行数(B), 预算数 the adjusted budget
    "executed": ("全年执行数", "预算执行数", "实际支出数", "全年实际支出数", "执行数", "实际执行数",
                 "全年实际执行数", "全年支出数", "截至12月31日执行数", "截至年底执行数"),
    "weight": ("分值", "权重", "指标分值", "指标权重", "权重设定值"),
    "rate": ("执行率", "预算执行率"),
    "score": ("得分", "自评得分", "自评分", "单位自评得分", "自评分数", "实际得分"),
    "reason": ("未完成原因分析", "偏差原因分析及改进措施", "偏差原因分析", "偏差原因"),
    "method": ("得分计算方法", "计分方法"),
}

FUND_ROWS: dict[str, tuple[str, ...]] = {
    "total": ("年度资金总额", "资金总额", "总额", "资金总额合计", "年度财政资金总额", "项目资金总额", "资金合计"),
    "fiscal": ("当年财政拨款", "本年财政拨款", "财政拨款", "财政资金", "当年财政资金", "本年财政资金", "预算内资金", "预算内",
               "中央补助资金", "中央补助", "上级补助资金", "上级补助"),
    "carryover": ("上年结转资金", "上年结转"),
    "other": ("其他资金", "单位资金", "财政专户管理资金", "单位自有资金", "专户资金", "财政专户资金"),
}

#: The total row of a 项目资金 block headed as a sum ("合计 | 500 | 520 | 494" over 财政拨款 …): its
#: 年度资金总额, read so inside a block only.  Why not in FUND_ROWS: a bare 合计 anywhere above a
#: department's F3 (its F2's) would make the reader take the F3 for a project form.
FUND_BLOCK_TOTALS = frozenset(("合计", "总计"))

INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标内容", "三级指标内容", "指标名称", "绩效指标名称"),
    "target": ("年度指标值", "指标值", "目标值", "年度目标值", "指标目标值", "全年目标值", "全年指标值",
               "预期指标值", "预期目标值", "绩效目标值", "计划指标值", "计划值", "年度目标", "年初目标值",
               "年初指标值", "预期实现值", "调整后指标", "调整后指标值", "调整后年度指标值"),
    "actual": ("实际完成值", "全年实际值", "实际值", "全年实际完成值", "完成值", "全年完成值", "指标完成值",
               "实际完成指标值", "实际完成数"),
    "weight": ("分值", "权重", "指标分值", "指标权重", "标准分值", "满分", "权重设定值", "权重值"),
    "score": ("得分", "自评得分", "自评分", "单位自评得分", "自评分数", "自评分值", "指标得分", "实际得分"),
    "reason": ("偏差原因分析及改进措施", "未完成原因分析", "偏差原因", "偏差原因分析", "未完成原因和改进措施",
               "未完成原因分析及改进措施", "偏差原因及改进措施", "未完成原因"),
    "operator": ("指标性质", "计算符号", "运算符号", "指标方向"),
    "unit": ("度量单位", "计量单位"),
    "method": ("得分计算方法", "计分方法"),
}

#: Headings of an indicator table's other columns: no rule reads them, but forms.md carries every
#: field of the input over to the scored form (shown there with the unit's 偏差原因).
NOTE_COLUMNS = frozenset(("备注", "指标解释", "指标说明", "评分标准", "评分规则", "计分标准", "指标定义", "计算公式",
                          "指标计算公式", "数据来源", "佐证材料", "佐证资料", "完成情况说明", "说明", "备注说明"))

TOTAL_ROW_LABELS = ("总分", "合计", "总计", "总得分", "自评总分", "总分值", "合计得分", "得分合计", "综合得分", "评价得分")
#: What starts the lines under a form's table (signatures, contacts, the conclusion): they end the
#: table as a 总分 row does, and are never an indicator.
FOOTER_PREFIXES = ("单位负责人", "项目负责人", "财务负责人", "部门负责人", "填表人", "填报人", "填表日期",
                   "填报日期", "联系电话", "联系人", "审核人", "评价结论", "自评结论",
                   "存在问题", "改进措施",  # Sichuan 2023: 评价结论 / 存在问题 / 改进措施, then 项目负责人 | 财务负责人
                   # City forms of the 预算执行情况（万元）（20分） family (2020 项目自评表): the unit's analysis and
                   # its head's sign-off under the 总分 row, each a label with its text beside it
                   "偏差大或目标未完成原因分析", "改进措施及结果应用方案", "单位主要负责人签批意见")
#: What starts a note under a table ("填报说明：", "注：本表金额单位为万元"): it ends a table that has
#: no 总分 row, and is never an indicator, but is no field of the form either.
NOTE_PREFIXES = ("填报说明", "填表说明", "说明", "备注", "注")
#: The caption of a 项目资金 block (normalised: its "（万元）" or "(10分)" dropped), which ends an
#: indicator table it follows, as a 总分 row does.  Not "预算执行": some tables' 一级指标.
FUND_BLOCK_CAPTIONS = ("项目资金", "项目资金情况", "预算执行情况", "资金情况", "资金使用情况")
GOAL_EXPECTED_LABELS = ("预期目标", "年初设定目标", "项目年度目标", "年度绩效目标")
GOAL_ACTUAL_LABELS = ("实际完成情况", "目标实际完成情况", "年度总体目标完成情况综述", "年度目标完成情况",
                      "总体目标完成情况", "目标完成情况", "全年实际完成情况")
#: The line of a 项目基本情况 block after its goals (Sichuan 2023: "1.项目年度目标完成情况" over the goals,
#: then "2.项目实施内容及过程概述" and its text): it ends the goals' texts, as any form label does.
GOAL_BLOCK_ENDS = ("项目实施内容及过程概述",)


def match(text: object, table: dict[str, tuple[str, ...]]) -> str | None:
    """The field a label names in ``table``, or None."""
    if text.__class__ is str and id(table) in _SPELLING_INDEXES:
        return _indexed_match(text, id(table))
    label = normalise(text)
    return spelling_index(table).get(label) if label else None


# Why cached: the readers ask this of every text cell above a form's tables.  Why this size: as
# normalise_str's.
@functools.lru_cache(maxsize=1024)
def _indexed_match(text: str, table_id: int) -> str | None:
    """:func:`match` of a raw cell text in the constant table whose spelling index is ``table_id``'s."""
    label = normalise_str(text)
    return _SPELLING_INDEXES[table_id].get(label) if label else None


def spelling_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised spelling → the field of ``table`` it names: ``match(text, table)`` is
    ``spelling_index(table).get(normalise(text))`` for a text that normalises to something."""
    index = _SPELLING_INDEXES.get(id(table))
    return index if index is not None else _spelling_index(table)


def is_one_of(text: object, spellings: tuple[str, ...]) -> bool:
    return normalise(text) in spellings


# ------------------------------------------------------------------ department forms (F2, F3)

_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_YEAR_PREFIX = re.compile(r"^\d{4}年度?")
_YEAR_DIGITS = re.compile(r"^\d{4}")
#: A head count dated at the year's end: "2019年末实际在职人数", "2019年底编制数", "年末在编人数".
_YEAR_END_PREFIX = re.compile(r"^(?:\d{4})?年?[末底]")


# Circled and dingbat numbers ("①三公经费", "❶", "➀"): NFKC makes ① a bare "1" (and leaves ❶ as it
# is), which no numbering pattern can tell from a label's own digits, so they go before normalising.
# ⑴ and ⒈ need nothing: NFKC makes them "(1)" and "1.", which normalise strips.
_CIRCLED_NUMBER = re.compile(r"^\s*[\u2460-\u2473\u24ea-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")


def indicator_key(text: object) -> str:
    """An indicator name for matching: normalised, without quotes ("“三公经费”变动率" → "三公经费变动率")
    and without a circled number ("①固定资产利用率" → "固定资产利用率")."""
    if text.__class__ is str and _CIRCLED_NUMBER.match(text):
        text = _CIRCLED_NUMBER.sub("", text)
    key = _QUOTES.sub("", normalise(text))
    return key[:-1] if key.endswith("%") and len(key) > 1 else key  # "在职人员控制率%": the % says a rate


def quoted(name: str) -> str:
    """``name`` in “…” for a message, its own double quotes made single as Chinese nests them:
    “‘三公经费’控制率”, not ““三公经费”控制率”."""
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def base_row_key(text: object) -> str:
    """The canonical F2 row a label names, or its normalised text when it is not a known row.

    A 数 after a row's name ("上年结转数", "本年追加预算数") names the same row: forms write the
    suffix on any of them, and only 年初预算数 was listed.
    """
    label = indicator_key(text)
    index = _SPELLING_INDEXES[id(BASE_ROWS)]
    return index.get(label) or (label.endswith("数") and index.get(label[:-1])) or label


# F2 rows: canonical key → spellings (normalised, quotes removed).
BASE_ROWS: dict[str, tuple[str, ...]] = {
    "三公经费": ("三公经费", "三公经费支出", "三公经费合计", "三公经费支出合计", "三公经费总额", "三公经费支出总额"),
    "公务用车购置和维护经费": ("公务用车购置和维护经费", "公务用车购置及运行维护费", "公务用车购置及运行费",
                        "公务车购置及运行费", "公务用车购置及运维费"),
    "公车购置": ("公车购置", "公务用车购置费", "公务用车购置"),
    "公车运行维护": ("公车运行维护", "公务用车运行维护费", "公务用车运行费"),
    "出国经费": ("出国经费", "因公出国(境)经费", "因公出国(境)费", "因公出国经费"),
    "公务接待": ("公务接待", "公务接待费", "公务招待费", "公务接待经费"),
    "项目支出": ("项目支出", "项目支出合计", "项目总支出", "项目支出总额"),
    "公用经费": ("公用经费", "公用经费合计", "公用经费支出", "日常公用经费", "日常公用经费支出", "公用支出"),
    "政府采购金额": ("政府采购金额", "政府采购", "政府采购支出", "政府采购支出金额", "政府采购总额"),
    "上年结转": ("上年结转", "上年结转资金", "上年结转结余", "年初结转和结余", "上年结转和结余", "年初结转结余",
             "上年结余结转", "年初结余"),  # 年初结余: a Hunan unit's 预算完成率 note names the term so
    "年初预算": ("年初预算", "年初预算数"),
    "本年追加预算": ("本年追加预算", "追加预算", "本年追加", "年中追加预算", "年中追加"),
    "年末结余": ("年末结余", "年末结转结余", "年末结转", "年末结转和结余", "年末结余结转", "年末结转资金"),
    "基本支出": ("基本支出", "基本支出合计", "基本支出总额"),
    "支出合计": ("支出合计", "部门整体支出合计", "总支出", "本年支出合计"),
    "重点支出": ("重点支出", "重点支出金额", "重点项目支出", "重点支出(项目)金额", "重点项目支出金额"),
    "固定资产总额": ("固定资产总额", "固定资产总值", "固定资产原值", "所有固定资产总额", "固定资产"),
    "在用固定资产总额": ("在用固定资产总额", "在用固定资产", "在用固定资产总值", "实际在用固定资产总额",
                  "实际在用固定资产", "在用固定资产原值"),
}

STAFF_LABELS: dict[str, tuple[str, ...]] = {
    "quota": ("编制数", "核定编制数", "编制人数", "核定编制", "人员编制", "编制人员数", "核定编制人数"),
    "actual": ("实际在职人数", "在职人数", "实有人数", "年末实有人数", "实际在职人员", "年末在职人数", "在编人数",
               "在职人员数", "实际在职人员数", "年末在职人员数", "年末实有在职人数", "实有在职人数"),
}
#: Spellings of "actual" that count everyone on the books (retirees too, on some forms): they stand
#: for 在职人数 only on a form that gives no 在职 count beside them (scoring.md §5 divides 在职人数).
STAFF_ON_BOOKS = ("实有人数", "年末实有人数")

DEPARTMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标名称"),
    "weight": ("分值", "权重", "标准分值", "指标分值", "标准分", "权重设定值", "权重值"),
    "score": ("自评得分", "得分", "自评分", "评分", "自评分数", "自评分值", "指标得分", "单位自评得分", "部门自评得分",
              "实际得分"),
    "standard": ("评价标准", "评分标准", "评分细则"),
    #: The MOF framework's column (财预〔2013〕53号), kept by tables after it: shown as the 评价标准 of a
    #: table that has none (readers.department._header_columns), never in place of one.
    "explanation": ("指标解释",),
    "note": ("指标说明", "扣分原因和其他说明", "扣分原因", "说明", "备注"),
}

UNIT_LABELS = ("填报单位", "单位名称", "部门名称", "被评价单位", "部门(单位)名称", "单位(部门)名称", "预算单位",
               "预算单位名称", "填报单位名称",
               "编制单位")  # the heading of the 部门决算 tables an F2 is copied from: "编制单位：XX局　　单位：万元"


def is_footer_label(label: str, prefixes: tuple[str, ...] = FOOTER_PREFIXES) -> bool:
    """Is a normalised label a footer's ("填表人", "单位负责人:王五"), not a name that starts alike
    ("审核人员培训人次", "联系电话接通率")?  With ``prefixes`` :data:`NOTE_PREFIXES`: a note's."""
    if not label.startswith(prefixes):  # Why first: asked of every indicator row's name
        return False
    # Every prefix it starts with, not the first: "改进措施及结果应用方案" starts with 改进措施 too.
    return any(len(label) == len(prefix) or label[len(prefix)] in ":："
               for prefix in prefixes if label.startswith(prefix))


#: A numbered line ("1、…", "2.…", "（3）…", "一、…"): a note's item under it.
NUMBERED_LINE = re.compile(r"(?:\d+|[一二三四五六七八九十]+)[、.．]|[（(](?:\d+|[一二三四五六七八九十]+)[）)]")


def notes_among(lines: list[str]) -> list[str]:
    """The notes among the lines a unit wrote under its table (``DepartmentForm.footer``): each note
    ("注：…", "说明：…") and the numbered lines right under it, not the signatures (单位负责人,
    填表人 …) beside them.  Each line is told by its first cell's text, as the reader told its row
    (the cells of a line are set apart by two ideographic spaces, a label's run into its value)."""
    notes = []
    in_note = False
    for line in lines:
        label = normalise_str(line.split("　　", 1)[0])
        if is_footer_label(label):
            in_note = False
        elif is_footer_label(label, NOTE_PREFIXES):
            in_note = True
        elif not NUMBERED_LINE.match(line):
            in_note = False
        if in_note:
            notes.append(line)
    return notes


def staff_field(text: object) -> str | None:
    """"2019年实际在职人数" → "actual"; "编制数" → "quota"; "2019年末实有人数" → "actual";
    "编制数：20" (the count written in the label's cell) → "quota"."""
    label = _staff_label(text)
    found = match(_YEAR_PREFIX.sub("", label), STAFF_LABELS) or match(_YEAR_DIGITS.sub("", label), STAFF_LABELS)
    if found is None and ("末" in label or "底" in label):  # why the test: asked of every text cell of an F2
        # The year's end said before a count the synonyms list without it: "2019年末实际在职人数" was
        # no staff label, and 在职人员控制率 scored 0 "for lack of" the count written under it.
        found = match(_YEAR_END_PREFIX.sub("", label), STAFF_LABELS)
    return found


def counts_everyone_on_books(text: object) -> bool:
    """Does a staff label name 实有人数 (:data:`STAFF_ON_BOOKS`) rather than 在职人数?"""
    label = _staff_label(text)
    return (_YEAR_PREFIX.sub("", label) in STAFF_ON_BOOKS or _YEAR_DIGITS.sub("", label) in STAFF_ON_BOOKS
            or _YEAR_END_PREFIX.sub("", label) in STAFF_ON_BOOKS)


def _staff_label(text: object) -> str:
    """A staff label normalised, without a count written after it in its cell ("编制数：20")."""
    label = normalise(text)
    head, colon, _ = label.partition(":")
    return head if colon and head else label


def match_any(values, table: dict[str, tuple[str, ...]], fields: tuple[str, ...]) -> bool:
    """True when any of ``values`` is a label of one of ``fields`` in ``table``."""
    return any(isinstance(v, str) and match(v, table) in fields for v in values)


def _spelling_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Spelling → the first field of ``table`` listing it, which is what match() finds by scanning."""
    index: dict[str, str] = {}
    for field_name, spellings in table.items():
        for spelling in spellings:
            index.setdefault(spelling, field_name)
    return index


# Why: match() runs for every text cell above a form's tables, and these tables are constants.
_SPELLING_INDEXES = {id(table): _spelling_index(table) for table in (
    PROJECT_FIELDS, FUND_COLUMNS, FUND_ROWS, INDICATOR_COLUMNS, STAFF_LABELS, DEPARTMENT_COLUMNS, BASE_ROWS)}


# ------------------------------------------------------------------ heading lines

#: What a heading line says besides a form's fields, each before a colon: "填报单位：XX局　　填报时间：
#: 2024-03-01", "（金额单位：万元）", "单位：万元".  With the fields' own labels, the texts before a colon
#: that end a name written before them (:func:`is_heading_label`).
HEADING_LINE_LABELS = ("单位", "金额单位", "计量单位", "货币单位", "填报时间", "填表时间", "报送日期", "报送时间",
                       "日期", "时间", "联系方式", "电话", "手机", "邮箱", "编号", "表号", "报表编号", "盖章", "单位盖章",
                       "公章")

_HEADING_LABELS = frozenset((*HEADING_LINE_LABELS, *UNIT_LABELS, *FOOTER_PREFIXES, *NOTE_PREFIXES,
                             *(spelling for spellings in PROJECT_FIELDS.values() for spelling in spellings)))
#: The longest text (without spaces) :func:`is_heading_label` normalises: a label and its decorations
#: ("（盖章）", "*", "1、"); a longer text is no label, and is not normalised.
HEADING_LABEL_LENGTH = 16


def is_heading_label(text: str) -> bool:
    """Is ``text`` (what stands before a colon) a label of a form's heading: a field's, a 填报单位's,
    or what else a heading line says (:data:`HEADING_LINE_LABELS`, a footer's)?  A colon after any other
    text is part of a name: "测试:局", "2023年“双减”:课后服务经费"."""
    return normalise_str(text) in _HEADING_LABELS


#: Every label of every table the readers know, normalised: a text that normalises to one is a label,
#: never the value written under another.
_ANY_LABEL = frozenset((
    *_HEADING_LABELS, *FUND_BLOCK_CAPTIONS, *GOAL_EXPECTED_LABELS, *GOAL_ACTUAL_LABELS, *GOAL_BLOCK_ENDS, *TOTAL_ROW_LABELS,
    "绩效指标",
    *(spelling for table in (PROJECT_FIELDS, FUND_COLUMNS, FUND_ROWS, INDICATOR_COLUMNS, STAFF_LABELS,
                             DEPARTMENT_COLUMNS, BASE_ROWS) for spellings in table.values() for spelling in spellings)))


def is_any_label(text: str) -> bool:
    """Is ``text`` the label of a field, a column or a row of any form the readers know?"""
    return normalise_str(text) in _ANY_LABEL
