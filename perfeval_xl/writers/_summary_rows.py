"""What the batch summaries (summary.xlsx, summary.json, summary.csv) say about each form.

Everything here is read off the results the engine produced; nothing is scored.
The row builders work on one file at a time, so a summary can be spooled as
results arrive (see :mod:`.summary_spool`).
"""
from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from typing import Iterable, Iterator, NamedTuple, Optional

from ..labels import compact, unit_key, without_seal_note
from ..model import FileResult, Flag, FormResult, ItemScore
from ._display import LEVEL_LABELS, level_label, status_label


#: 处理建议 of a flag that carries no ``action`` of its own, by level.
GENERIC_FLAG_ACTIONS = {"error": "请单位核实并更正后重新报送", "warning": "请复核"}

#: 处理建议 of a file that gave no form, by words of its error (first match wins).
FILE_ERROR_ACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("快捷方式（符号链接）",), "请把文件本身（而不是快捷方式）放入收件箱后重新运行"),
    (("请用 --password",), "请用 --password 提供密码后重新评分，或请单位去掉密码后重新报送"),  # not an .ods: none opens it
    (("已损坏", "不是Excel", "为空", "无法读取"), "请单位重新导出/报送该文件"),
    (("的绩效指标表头没有",), "请单位补齐所缺的列或改正其列名后重新报送"),  # first: its error says 未识别到自评表 too
    (("未识别到自评表",), "请确认该文件是否为绩效自评表，如是请按标准表样重新填报"),
    (("未找到同一填报单位的指标评分表",), "请单位补报同一填报单位的指标评分表（F3）"),
    (("被修改", "被移走", "删除"), "请待文件复制完成后重新运行评分"),
    (("读写文件失败",), "请检查文件权限和磁盘空间后重新运行评分"),
    (("内部错误",), "请将该文件和错误信息反馈给系统维护人员"),
)
FILE_ERROR_FALLBACK_ACTION = "请单位核实该文件后重新报送"
SKIPPED_ACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    # First: these name files and folders, whose names may hold the words matched below (临时).
    (("基础数据表未使用",), "请确认该单位以哪一份基础数据表为准，将不用的一份移出收件箱"),
    (("链接的文件夹",), "请把文件夹本身（而不是快捷方式）放入收件箱后重新运行"),
    (("临时", "隐藏", "已是评分结果"), "无需处理"),
    (("评分结果文件名",), "请将其中一个文件改名后重新运行"),  # two inputs whose scored forms would clash
    (("压缩包",), "请解压后把其中的工作簿放入收件箱"),
    (("CSV",), "请单位报送Excel工作簿（.xlsx）"),
)
SKIPPED_FALLBACK_ACTION = "如需评分，请另存为Excel工作簿后放入收件箱"


def scored_forms(files: Iterable[FileResult]) -> Iterator[tuple[FileResult, FormResult]]:
    for file in files:
        for result in file.forms:
            yield file, result


KIND_ORDER = ("project", "department")
KIND_LABELS = {"project": "项目", "department": "部门"}
DEPARTMENT_PROJECT_LABEL = "部门整体支出"


class FormFacts(NamedTuple):
    """What the summaries count, rank and add up about one form — no reference to the form itself.

    The summary spool keeps these, packed into each file's short record, beside
    the bulky parts of the form on disk.  A named tuple, not a frozen dataclass:
    one is made for every form in the worker, again when the parent takes in its
    record and again when the summaries are written, and a frozen dataclass sets
    each of its seven fields through ``object.__setattr__`` (1.4 µs against 0.26).
    """

    kind: str
    total: Decimal
    self_total: Optional[Decimal]  # only where comparable: every applicable item self-scored (see FormResult.difference)
    grade: str
    department: str  # the 主管部门 it counts under (see :func:`department_of`), "" when not filled
    budget: Optional[Decimal] = None  # 万元, project forms only: the amounts the engine's execution rate used
    executed: Optional[Decimal] = None
    #: What the form evaluates, for telling the same project sent twice (:func:`evaluated_key`); "" unnamed
    key: str = ""
    #: The 主管部门 as the form writes it (:func:`department_as_written`), for 部门 to show: ``department``
    #: is the spelling forms are grouped by, without the spaces a unit writes ("长沙市 教育局")
    department_name: str = ""


def form_facts(result: FormResult) -> FormFacts:
    # A self total over some items only ("仅供参考") would pull 部门's 平均自评总分 down beside 平均复核总分.
    self_total = result.self_total if result.self_scored_in_full else None
    return FormFacts(result.kind, result.total, self_total, result.grade, department_of(result),
                     result.budget, result.executed, evaluated_key(result), department_as_written(result))


class SentTwice(NamedTuple):
    """One project or department evaluated by more than one form of a batch: a 修改版 sent beside the
    first, or a sheet copied twice.  Each form is scored and counted in 汇总 and 部门 as sent; this
    says which files to look at."""

    kind: str  # "项目" or "部门"
    name: str  # the project's name as compared (without blanks); "部门整体支出" for a department
    unit: str  # 实施单位 (else 主管部门) of a project, 填报单位 of a department, as compared
    files: tuple[str, ...]  # FileResult.file of each form, in inbox order (one file twice: two sheets)

    @classmethod
    def of_key(cls, key: str, files: tuple[str, ...]) -> "SentTwice":
        """The group of ``files`` whose forms gave ``key`` (:func:`evaluated_key`)."""
        kind, name, unit = json.loads(key)
        return cls(kind, name, unit, files)

    def json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "unit": self.unit, "files": list(self.files)}

    def files_named(self) -> list[str]:
        """Each file of the group once, in inbox order, as a person reads the group: a file holding
        several of its forms (a sheet copied) with how many ("两局.xlsx（2张表）"), where
        "两局.xlsx、两局.xlsx" read as a mistake in the message."""
        counts = dict.fromkeys(self.files, 0)
        for file in self.files:
            counts[file] += 1
        return [file if count == 1 else f"{file}（{count}张表）" for file, count in counts.items()]


def sent_twice_in(files: Iterable[FileResult]) -> list[SentTwice]:
    """:class:`SentTwice` of results held in memory (a batch without an outbox), as a spool finds them."""
    return groups_sent_twice((evaluated_key(result), file.file) for file in files for result in file.forms)


def groups_sent_twice(keyed: Iterable[tuple[str, str]]) -> list[SentTwice]:
    """Each key of ``keyed`` ((:func:`evaluated_key`, file) of each form, in inbox order) given with
    two forms or more, as a :class:`SentTwice`; a form without a key is no one's."""
    found: dict[str, list[str]] = {}
    for key, file in keyed:
        if key:
            found.setdefault(key, []).append(file)
    return [SentTwice.of_key(key, tuple(files)) for key, files in found.items() if len(files) > 1]


def evaluated_key(result: FormResult) -> str:
    """What a form evaluates: a project by its name and unit (实施单位, else 主管部门), a department
    by its 填报单位, compared as :func:`labels.compact` and :func:`labels.unit_key` compare them; ""
    for a form naming none.  Two files giving one key are the same evaluation sent twice (a
    修改版 beside the first), which 汇总 and 部门 would otherwise count twice."""
    form = result.form
    if form.kind == "department":
        what = ("部门", DEPARTMENT_PROJECT_LABEL, unit_key(form.unit)) if form.unit else None
    else:
        what = ("项目", compact(form.name), unit_key(form.unit or form.department or "")) if form.name else None
    # JSON, not the parts joined: a "|" in a name made two projects one key ("运维|平台项目", "信息中心"
    # and "运维", "平台项目|信息中心").
    return _KEY_ENCODER.encode(what) if what else ""


_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: json.dumps makes one a call


def overview_row(file: FileResult, result: FormResult) -> list:
    """The 汇总 row of a scored form; its first cell (排名) is left None for the caller to fill."""
    form = result.form
    project = DEPARTMENT_PROJECT_LABEL if form.kind == "department" else form.name
    return [
        None, file.file, form.sheet, KIND_LABELS.get(form.kind, form.kind), form.department, form.unit,
        project, result.self_total, result.total, result.difference, result.grade,
        len(result.all_flags()), status_label(file.status), None,
    ]


def formless_row(file: FileResult) -> list:
    """The 汇总 row of a file that gave no form: every input file shows up, if only to say why (an
    F2 sent as its own file: for which F3 it was used, ``note``)."""
    return [None, file.file, *[None] * 10, status_label(file.status), file.error or file.note]


def file_issue_rows(file: FileResult) -> list[list]:
    """问题清单 rows of one file: its error (or why it was skipped), then every flag, form by form in sheet order."""
    rows: list[list] = []
    if file.status == "error":
        rows.append([file.file, None, None, None, None, LEVEL_LABELS["error"],
                     file.error or "无法处理该文件", file_action(file)])
    elif file.status == "skipped":
        rows.append([file.file, None, None, None, None, LEVEL_LABELS["warning"],
                     f"未评分：{file.error or '已跳过'}", file_action(file)])
    for result in file.forms:
        name = result.name or result.form.unit
        for item, flag in sorted_issues(result):
            rows.append([file.file, flag_sheet(flag, result), flag.source.cell if flag.source else None,
                         name, item.name if item else None, level_label(flag), flag.message,
                         flag_action(flag)])
    return rows


def issues(result: FormResult) -> list[tuple[Optional[ItemScore], Flag]]:
    """Every flag of a form with the item it belongs to (None for form-level flags)."""
    found: list[tuple[Optional[ItemScore], Flag]] = [(None, flag) for flag in result.flags]
    for item in result.items:
        for flag in item.flags:  # a plain loop: a generator per item cost more (every file's summary runs this)
            found.append((item, flag))
    return found


_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@functools.lru_cache(maxsize=1024)  # Why cached: flags point at the same few hundred cells of every form
def cell_position(cell: Optional[str]) -> tuple[int, int]:
    """(row, column) of an A1 reference, for sorting; (0, 0) when there is none."""
    match = _CELL.match(cell or "")
    if not match:
        return 0, 0
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


def sorted_issues(result: FormResult) -> list[tuple[Optional[ItemScore], Flag]]:
    """A form's flags in sheet order: by sheet (as first met), then row and column.

    Flags without a cell come first: they are about the form as a whole.
    """
    # Every file's 问题清单 sorts its flags (see _issue_rows), so the sort is by plain numbers, the
    # order of each flag's cell (see _cell_order), through a key function in C: sorting tuples
    # (sheet, row, column, position, item, flag) cost ~10,000 instructions a flag, a third of
    # that.  Python's sort is stable: flags at one cell keep their order in the form.
    found = issues(result)
    form_sheet = result.form.sheet
    sheets: dict[str, int] = {}  # sheet → its place, as first met
    in_sheet, cells = [], []
    orders = _CELL_ORDERS
    for _, flag in found:
        source = flag.source
        if source is None:
            in_sheet.append(sheets.setdefault(form_sheet, len(sheets)))
            cells.append(0)
        else:
            in_sheet.append(sheets.setdefault(source.sheet, len(sheets)))
            cell = source.cell
            order = orders.get(cell)
            cells.append(_remembered_cell_order(cell) if order is None else order)
    keys = cells if len(sheets) == 1 else list(zip(in_sheet, cells))
    return list(map(found.__getitem__, sorted(range(len(found)), key=keys.__getitem__)))


#: A cell's :func:`_cell_order`, by its reference: flags point at the same few hundred cells of every
#: form.  A plain dict, emptied when full (see _entry_json._NUMBERS for why not a BoundedMemo).
_CELL_ORDERS: dict[Optional[str], int] = {}
_CELL_ORDERS_LIMIT = 4096
#: Columns are at most "ZZZ" (18,278) in an A1 reference (see _CELL): below 2**15.
_COLUMN_BITS = 15


def _remembered_cell_order(cell: Optional[str]) -> int:
    """:func:`cell_position` of ``cell`` as one number, row then column: ``row << 15 | column``."""
    if len(_CELL_ORDERS) >= _CELL_ORDERS_LIMIT:
        _CELL_ORDERS.clear()
    row, column = cell_position(cell)
    order = _CELL_ORDERS[cell] = row << _COLUMN_BITS | column
    return order


def flag_sheet(flag: Flag, result: FormResult) -> str:
    return flag.source.sheet if flag.source else result.form.sheet


def flag_action(flag: Flag) -> str:
    """What to do about a flag: its own ``action``, else a suggestion by level."""
    if flag.action:
        return flag.action
    return GENERIC_FLAG_ACTIONS.get(flag.level, GENERIC_FLAG_ACTIONS["warning"])


def file_action(file: FileResult) -> str:
    """What to do about a file that gave no scored form (status error or skipped)."""
    message = file.error or ""
    table, fallback = ((SKIPPED_ACTIONS, SKIPPED_FALLBACK_ACTION) if file.status == "skipped"
                       else (FILE_ERROR_ACTIONS, FILE_ERROR_FALLBACK_ACTION))
    for words, action in table:
        if any(word in message for word in words):
            return action
    return fallback


# -- money of project forms -------------------------------------------------------------


def department_of(result: FormResult) -> str:
    """The 主管部门 a form counts under: a project's department, a department form's own 填报单位,
    spelt one way however the unit typed it (as F2 and F3 are paired, :func:`labels.unit_key`:
    without spaces, invisible characters or a seal note; its brackets full-width), so that one
    department is one row of 部门."""
    return _department_spelling(result.form.department or "")


@functools.lru_cache(maxsize=1024)  # Why cached: a bureau's forms name a few dozen departments
def _department_spelling(name: str) -> str:
    return unit_key(name).replace("(", "（").replace(")", "）")


def department_as_written(result: FormResult) -> str:
    """The 主管部门 a form counts under as the unit wrote it: its spaces and brackets as they are, only
    the blanks around it, the invisible characters pasted with it and a seal note ("（盖章）") dropped,
    which :func:`department_of` drops too; "" when not filled."""
    return _written_department(result.form.department or "")


#: Characters no one sees (zero-width spaces and joiners, word joiner, BOM, soft hyphen): pasted from
#: web pages with a name, dropped from it as :func:`labels.unit_key` drops them.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")


@functools.lru_cache(maxsize=1024)
def _written_department(name: str) -> str:
    return without_seal_note(_INVISIBLE.sub("", name).strip())
