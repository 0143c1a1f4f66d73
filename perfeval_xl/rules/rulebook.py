"""Rulebooks: YAML data files, validated on load.

A rulebook is chosen by name (a file shipped in ``rulebooks/``) or given as a
path.  ``extends: NAME`` starts from another rulebook and overrides keys
(mappings merge, lists and the first-level weight tables replace).  Every validation error names the file, the
key and what is wrong, in Chinese; a key no rule reads (a misspelling) is one.
A file's name is its own (``name:``, else its file stem), never inherited, and
a built-in's name is accepted only on an unchanged copy of that built-in.
"""
from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import RulebookError
from ..labels import compact
from ..rounding import SCORE_STEPS, round_places
from .arithmetic import show

@dataclass(frozen=True)
class Band:
    """A qualitative band: a share [low, high) or [low, high] of the weight."""

    name: str
    words: tuple[str, ...]
    low: Decimal
    high: Decimal
    high_inclusive: bool
    midpoint: Decimal

    @property
    def label(self) -> str:
        """The band as a message names it: "达成档"; a name that says 档 itself ("中档") as it is."""
        return self.name if self.name.endswith("档") else f"{self.name}档"


@dataclass(frozen=True)
class Grade:
    grade: str
    min: Decimal


#: The title of a rulebook file that extends another and writes none of its own.
_DERIVED = "在{}基础上修改"
_DERIVED_TITLE = re.compile(_DERIVED.format(".+"))


@dataclass(frozen=True)
class Rulebook:
    """What every rulebook has: identity, full marks, grades and the review tolerance."""

    name: str
    title: str
    form: str  # "project" | "department": the form kind it scores
    source: str  # file the rulebook came from, for messages
    full_marks: Decimal
    grades: tuple[Grade, ...]
    review_tolerance: Decimal
    #: Decimal places every item score is rounded to, half-up (scoring.md §4: 2); the total is the
    #: sum of the rounded items.  At most 2: scores are shown with 2 decimals everywhere.
    score_places: int
    data: dict  # the merged YAML, for `perfeval-xl rules show`

    @property
    def named_in_prose(self) -> str:
        """The rulebook as a report's sentence names it: its title; a bureau's file that wrote no
        title has the one :func:`_merge_chain` derives ("在hunan-dept基础上修改"), which names no
        rulebook alone, so its name goes before it."""
        return f"{self.name}（{self.title}）" if _DERIVED_TITLE.fullmatch(self.title) else self.title

    @property
    def score_step(self) -> Decimal:
        """The smallest step of a score: 0.01 at 2 places (the "bound − 0.01" of an open band, §3)."""
        return SCORE_STEPS[self.score_places]

    def round_score(self, value: Decimal) -> Decimal:
        """``value`` rounded half-up to the rulebook's score places (rounding.round2 at 2)."""
        return round_places(value, self.score_places)

    def grade_for(self, total: Decimal) -> str:
        for grade in self.grades:
            if total >= grade.min:
                return grade.grade
        return self.grades[-1].grade


@dataclass(frozen=True)
class ProjectRulebook(Rulebook):
    """Rules for project forms (F1): scoring.md §2–4."""

    execution_name: str
    execution_level1: str
    execution_default_weight: Decimal
    flag_over_execution: bool
    reverse: str  # "ratio" | "linear"
    over_achievement_factor: Decimal
    scale_percent_fractions: bool
    bands: tuple[Band, ...]
    equal_text_band: str
    #: Words that deny what follows them ("没有完成"): an actual in a band above the lowest with one
    #: before its band word is flagged for a person (scoring.md §3 bands by "contains" alone).
    negations: tuple[str, ...]
    total_weight: Decimal
    level1_weights: tuple[tuple[str, Decimal], ...]
    level1_weights_without_satisfaction: tuple[tuple[str, Decimal], ...]
    #: (section, the section of ``level1_weights`` its 分值 count toward): a first level some forms split
    #: out of another, 成本指标 out of 产出指标 on the forms since 2021 (a 二级 of 产出 on the 2020 form).
    level1_counted_in: tuple[tuple[str, str], ...] = ()

    def band(self, name: str) -> Band:
        return next(b for b in self.bands if b.name == name)


@dataclass(frozen=True)
class Term:
    """One F2 amount in a formula: ``-三公经费.上年决算`` → sign −1, row 三公经费, column prior_final."""

    sign: int
    row: str
    column: str | None  # "prior_final" | "budget" | "final" | None (the row's single amount)
    text: str  # as written in the rulebook


@dataclass(frozen=True)
class RateBand:
    """A band of a percentage with explicit bounds; ``share`` of the weight when the rate falls in it."""

    min: Decimal | None
    max: Decimal | None
    min_inclusive: bool
    max_inclusive: bool
    share: Decimal

    def contains(self, pct: Decimal) -> bool:
        if self.min is not None and (pct < self.min or (pct == self.min and not self.min_inclusive)):
            return False
        if self.max is not None and (pct > self.max or (pct == self.max and not self.max_inclusive)):
            return False
        return True

    def text(self) -> str:
        """The band as a 评分依据 and a rulebook error show it: "≥90%且<100%"."""
        parts = []
        if self.min is not None:
            parts.append(f"{'≥' if self.min_inclusive else '>'}{show(self.min)}%")
        if self.max is not None:
            parts.append(f"{'≤' if self.max_inclusive else '<'}{show(self.max)}%")
        return "且".join(parts)


@dataclass(frozen=True)
class DepartmentIndicator:
    """A quantitative 三级指标 of a department rulebook, computed from F2."""

    name: str
    level1: str
    level2: str
    weight: Decimal
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    kind: str  # deduct_per_point | deduct_per_step | bands | ratio
    params: dict  # validated parameters of the kind
    bands: tuple[RateBand, ...]
    zero_denominator: str  # "error" | "full_if_numerator_zero"
    standard: str  # 评价标准 text, shown on the scored form
    aliases: tuple[str, ...] = ()  # other names of the row in other places' indicator systems

    @property
    def names(self) -> tuple[str, ...]:
        """Every name an F3 row of this indicator may have: its own, then its aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class DepartmentRulebook(Rulebook):
    """Rules for department forms (F2 + F3): scoring.md §5."""

    indicators: tuple[DepartmentIndicator, ...]
    percent_places: int

    def indicator(self, key: str) -> DepartmentIndicator | None:
        from ..labels import indicator_key

        return next((i for i in self.indicators if any(indicator_key(name) == key for name in i.names)), None)


DEFAULT_RULEBOOKS = {"project": "mof-2020-project", "department": "hunan-dept"}


def builtin_rulebooks() -> list[str]:
    """Names of the rulebooks shipped with the package."""
    folder = resources.files(__package__) / "rulebooks"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_rulebook(rulebook: str | os.PathLike | Mapping | None = None) -> Rulebook:
    """The rulebook ``rulebook`` names (a built-in's name or a .yaml file's path), or the one it is
    (a mapping holding what such a file would: the YAML's data); default mof-2020-project.

    A mapping is validated as a file is, its errors naming it “规则（字典）” and the key; it may
    ``extends`` a built-in, or a file (a relative path read from the working folder)."""
    if isinstance(rulebook, Mapping):
        chain = _with_parents(_File(MAPPING, _plain(rulebook), builtin=False), seen=(), folder=None)
    else:
        name = _name_or_path(rulebook)
        chain = _load_chain(name, seen=(name,), referrer=None)
    rulebook = _validate(_merge_chain(chain), chain)
    _not_posing_as_builtin(rulebook, chain)
    return rulebook


class _Label(str):
    """A rulebook's source that is no file: messages name it as it is, not as “规则文件 …”."""

    __slots__ = ()


#: The source of a rulebook given as a mapping (``score_folder(…, rules={…})``).
MAPPING = _Label("规则（字典）")

#: What a rulebook may be given as, for the error on anything else.
_ACCEPTED = "内置规则的名称（如 mof-2020-project）、规则文件的路径、规则字典（与规则文件内容相同的 dict）或已载入的 Rulebook"


def _where(source: str) -> str:
    """"规则文件 本局规则.yaml" / "规则（字典）": the rulebook a message is about."""
    return source if isinstance(source, _Label) else f"规则文件 {source}"


def _name_or_path(rulebook: object) -> str:
    """The name or path ``rulebook`` is; a plain error on anything else (an int was looked for as a file "5")."""
    if rulebook is None:
        return DEFAULT_RULEBOOKS["project"]
    if isinstance(rulebook, (str, os.PathLike)):
        name = os.fsdecode(rulebook)
        if not name.strip():
            raise RulebookError("规则名称为空：请写内置规则的名称（如 mof-2020-project）或规则文件的路径")
        return name
    raise RulebookError(f"规则应为{_ACCEPTED}，实际为 {type(rulebook).__name__}：{_brief(rulebook)}")


def _brief(value: object) -> str:
    """A value as an error shows it: its repr, cut short (a whole list of rows said nothing more)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"


def rulebook_text(name: str) -> str:
    """The YAML text of a built-in rulebook, or of a rulebook file."""
    path = _builtin_path(name)
    if path is not None:
        return path.read_text(encoding="utf-8")
    return _file_text(Path(name), name)


def _builtin_path(name: str):
    # Only a bare name is a built-in's: "/tmp/x/mof-2020-project" joined to the package's folder is
    # that path, and a file there was loaded as the built-in, changed rules and all.
    if not name or name != Path(name).name or "\\" in name:
        return None
    candidate = resources.files(__package__) / "rulebooks" / f"{name}.yaml"
    return candidate if candidate.is_file() else None


#: libyaml's safe loader when PyYAML was built with it (every wheel is): ~10× faster than the
#: pure-Python one, which matters for a batch that starts by loading its rulebooks.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class _File:
    """One file of an ``extends`` chain: its own keys as parsed (``extends`` taken out)."""

    source: str
    own: dict
    builtin: bool


def _load_chain(name_or_path: str, seen: tuple[str, ...], referrer: str | None,
                written: str | None = None) -> list[_File]:
    """The file ``name_or_path`` and the files it extends, the file itself first.

    ``written``: the ``extends:`` value as the referrer wrote it, when ``name_or_path`` is that
    value read from the referrer's folder.
    """
    builtin = _builtin_path(name_or_path)
    if builtin is not None:
        text, source = builtin.read_text(encoding="utf-8"), f"{name_or_path}.yaml"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            known = "、".join(builtin_rulebooks())
            looked = f"（按本文件所在文件夹查找：{name_or_path}）" if written not in (None, name_or_path) else ""
            missing = f"找不到规则“{written or name_or_path}”：既不是内置规则（{known}），也不是存在的文件{looked}"
            raise RulebookError(missing if referrer is None else f"{_where(referrer)} 中键 extends 有误：{missing}")
        source = str(path)
        text = _file_text(path, source)
    data = _parse(text, source)
    if data is None:  # "顶层应为键值映射" told the officer of a file saved empty nothing to do
        raise RulebookError(f"规则文件 {source}：文件为空（或只有注释），没有任何规则；请写上要用的键，"
                            f"如 extends: mof-2020-project 及要修改的键")
    if not isinstance(data, dict):
        raise RulebookError(f"规则文件 {source}：顶层应为键值映射")
    return _with_parents(_File(source, data, builtin is not None), seen,
                         folder=None if builtin is not None else Path(source).parent)


_NO_PARENT = object()


def _with_parents(own: _File, seen: tuple[str, ...], folder: Path | None) -> list[_File]:
    """``own`` (its ``extends`` taken out) and the files it extends; a relative ``extends`` is read
    from ``folder`` (None: a built-in's, or a mapping's, read as written)."""
    parent = own.own.pop("extends", _NO_PARENT)
    if parent is _NO_PARENT:
        return [own]
    if isinstance(parent, os.PathLike):  # a mapping's Path, as ``rules=`` itself takes one
        parent = os.fspath(parent)
    if not isinstance(parent, str) or not parent.strip():
        # ``extends:`` left empty was read as no parent: every key the bureau left out was then missing.
        raise RulebookError(f"{_where(own.source)} 中键 extends 有误：应为规则名称或文件路径，实际{_shown(parent or None)}")
    found = parent if folder is None else _beside(parent, folder)
    if _identity(found) in map(_identity, seen):
        raise RulebookError(f"{_where(own.source)} 中键 extends 有误：循环继承（{' → '.join(seen + (found,))}）")
    return [own] + _load_chain(found, seen + (found,), referrer=own.source, written=parent)


#: How deep a mapping given as a rulebook may nest: a rulebook file's deepest key is five down.
_MOST_DEPTH = 50


def _plain(value: Any, depth: int = 0, counted: list | None = None) -> Any:
    """A mapping given as a rulebook as its YAML would be: mappings as dicts, tuples as lists, copied
    (the caller's later changes do not reach the rulebook); bounded as a file is."""
    counted = [0] if counted is None else counted
    counted[0] += 1
    if counted[0] > _MOST_VALUES or depth > _MOST_DEPTH:
        what = f"超过{_MOST_VALUES}个值" if counted[0] > _MOST_VALUES else "嵌套层次过深（或引用了自身）"
        raise RulebookError(f"{MAPPING}：{what}，不是规则的写法")
    if isinstance(value, Mapping):
        return {name: _plain(child, depth + 1, counted) for name, child in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(child, depth + 1, counted) for child in value]
    return value


def _parse(text: str, source: str) -> Any:
    """The YAML document of a rulebook file, its keys each written once."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _no_duplicate_keys(node, "", source, visited=set())
        _bounded(node, source)
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        if "could not determine a constructor for the tag" not in str(exc):
            raise RulebookError(f"规则文件 {source}：{_syntax_error(exc, text)}") from exc
        line = f"第{exc.problem_mark.line + 1}行" if exc.problem_mark else ""
        raise RulebookError(f"规则文件 {source}：{line}用了不支持的YAML标签（以“!”开头，如 !!python/…）；"
                            "规则文件只能写键、数值、文字和列表") from exc
    except yaml.YAMLError as exc:
        raise RulebookError(f"规则文件 {source}：{_syntax_error(exc, text)}") from exc
    except RecursionError as exc:  # nesting deeper than the parser's stack (libyaml's own limit is lower)
        raise RulebookError(f"规则文件 {source}：嵌套层次过深，不是规则文件的写法") from exc
    finally:
        loader.dispose()


#: The most values a rulebook may hold with its aliases (``*name``) expanded: the shipped ones hold
#: a few hundred.  Why: nine aliases of nine ("billion laughs") passed as a ``description`` and
#: made a batch build 3 GB before it failed.
_MOST_VALUES = 100_000


def _bounded(node: yaml.Node, source: str) -> None:
    """Fail on a document whose aliases expand past :data:`_MOST_VALUES` values, or into themselves."""
    sizes: dict[int, int] = {}  # node → values it expands to (a shared node is counted once, each use)
    open_nodes: set[int] = set()

    def size(current: yaml.Node) -> int:
        known = sizes.get(id(current))
        if known is not None:
            return known
        if id(current) in open_nodes:
            mark = current.start_mark
            raise RulebookError(f"规则文件 {source}：第{mark.line + 1}行的锚点（&）在它自己里面被引用（*），"
                                "展开永无止境；请删去这个引用")
        open_nodes.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in current.value)
        else:
            total = 1
        open_nodes.discard(id(current))
        sizes[id(current)] = total
        if total > _MOST_VALUES:
            raise RulebookError(f"规则文件 {source}：用锚点（&）和引用（*）展开后超过{_MOST_VALUES}个值，"
                                "疑似恶意构造；规则文件不需要这样写")
        return total

    size(node)


#: A key followed by a full-width colon, or by a colon and a full-width space (the key's own line).
_WIDE_SEPARATOR = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w.]*)\s*(：|:\u3000)")


def _syntax_error(exc: yaml.YAMLError, text: str) -> str:
    """A YAML syntax error in Chinese, at its line: PyYAML's English names "<unicode string>", not the file.

    A tab is named: Notepad indents with it, YAML forbids it, and PyYAML only says "found character
    that cannot start any token".
    """
    for number, line in enumerate(text.splitlines(), start=1):
        # A Chinese input method types "：" and "　"; PyYAML then reports a bracket or a line elsewhere.
        wide = _WIDE_SEPARATOR.match(line)
        if wide:
            key, separator = wide.groups()
            what = "后用了全角冒号“：”" if separator == "：" else "的冒号后用了全角空格"
            return f"第{number}行“{key}”{what}，YAML要用半角冒号加半角空格（{key}: 值）"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return "YAML格式错误"
    lines = text.splitlines()
    if mark.line >= len(lines) or not lines[mark.line].strip() and mark.line == len(lines) - 1:
        return "YAML格式错误：到文件末尾仍未结束，请检查括号 [ ] { } 与引号是否成对"
    if "\t" in lines[mark.line]:
        return f"第{mark.line + 1}行用了Tab键（制表符）缩进或分隔，YAML只能用空格；请把Tab换成空格"
    return (f"第{mark.line + 1}行第{mark.column + 1}列YAML格式错误；"
            f"请检查该行及上一行的缩进（只能用空格）、冒号后的空格、括号与引号是否成对")


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _no_duplicate_keys(node: yaml.Node, key: str, source: str, visited: set[int]) -> None:
    """Fail on a key written twice in one mapping.

    Why: YAML loaders keep the last one, so a second ``indicators:`` block silently replaced the
    first (its ``reverse: linear`` was lost).  ``<<`` merges are overrides by design and not checked.
    """
    if id(node) in visited:  # an alias: its node is checked where its anchor is; a cycle ends here
        return
    visited.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _no_duplicate_keys(child, f"{key}[{i}]", source, visited)
    elif isinstance(node, yaml.MappingNode):
        first_line: dict[tuple[str, str], int] = {}
        for key_node, child in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            child_key = f"{key}.{key_node.value}" if key else key_node.value
            line, same = key_node.start_mark.line + 1, (key_node.tag, key_node.value)
            if same in first_line:
                where = f"第{line}行重复了第{first_line[same]}行的同名键" if line != first_line[same] \
                    else f"第{line}行写了两次"
                raise RulebookError(f"规则文件 {source} 中键 {child_key} 有误：{where}，"
                                    f"后写的会整个替换先写的；请把两处合并为一处")
            first_line[same] = line
            _no_duplicate_keys(child, child_key, source, visited)


def _beside(parent: str, folder: Path) -> str:
    """``extends: 市级规则.yaml`` of a file: a built-in's name, else a path from the file's own folder.

    Why not from the working directory: the same command run from another folder found no parent,
    or silently a different file of the same name there.
    """
    if _builtin_path(parent) is not None or Path(parent).is_absolute():
        return parent
    return str(folder / parent)


def _identity(name_or_path: str) -> str:
    """What a chain entry is, however it was spelt (``a.yaml``, ``./a.yaml``, ``../r/a.yaml``): for cycles."""
    return name_or_path if _builtin_path(name_or_path) is not None else str(Path(name_or_path).resolve())


#: The largest rulebook file read: the shipped ones are a few KB.  Why: a 300 MB file was parsed
#: (1.2 GB of memory) before anything said it was no rulebook.
_MOST_BYTES = 1 << 20


def _file_text(path: Path, source: str) -> str:
    """A rulebook file's text: UTF-8, with or without the BOM Notepad writes.

    Why a message of our own: Notepad on a Chinese Windows saves "ANSI" (GBK) by default, and a
    UnicodeDecodeError traceback tells an officer nothing about how to fix the file.
    """
    size = path.stat().st_size
    if size > _MOST_BYTES:
        raise RulebookError(f"规则文件 {source}：文件过大（{size / 2**20:.1f}MB），规则文件不超过1MB；请确认选对了文件")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise RulebookError(f"规则文件 {source}：不是UTF-8编码（第{line}行有无法按UTF-8读取的字节，"
                            f"可能是用记事本按ANSI/GBK保存的）；请用记事本“另存为”，编码选“UTF-8”后保存") from exc


def _merge_chain(chain: list[_File]) -> dict:
    """The chain's keys merged, the extending file's winning; its name and title are its own, never inherited.

    A file without ``name`` is named after itself (its file stem): a bureau's file that extends
    mof-2020-project and changes a value must not report its results as mof-2020-project's.
    """
    # A form other than the one extended: checked here, on the file that says it, since merged the
    # other form's keys were reported as unknown keys of the built-in it extends.
    forms = [(file, file.own["form"]) for file in chain if isinstance(file.own, dict) and "form" in file.own]
    for file, form in forms[1:]:
        if form != forms[0][1]:
            raise RulebookError(f"{_where(forms[0][0].source)} 中键 form 有误：写的是 {forms[0][1]}，而所继承的"
                                f"{_where(file.source)} 是 {form}；继承的规则须是同一种评价表，请删去 form 或改为 {form}")
    merged: dict = {}
    for file in reversed(chain):
        merged = _deep_merge(merged, file.own)
    if "name" not in chain[0].own:
        if isinstance(chain[0].source, _Label):
            merged.pop("name", None)  # a mapping has no file stem to be named after: _name asks for one
        else:
            merged["name"] = _stem(chain[0].source)
    if "title" not in chain[0].own and len(chain) > 1:
        # Nor its title: a bureau's file showed the official title of the built-in it changes.
        parent = chain[1].own.get("name") if isinstance(chain[1].own, dict) else None
        merged["title"] = _DERIVED.format(parent or _stem(chain[1].source))
    return merged


def _stem(source: str) -> str:
    return Path(source).stem


def _not_posing_as_builtin(rulebook: Rulebook, chain: list[_File]) -> None:
    """A bureau's file may carry a built-in's name only as an unchanged copy of it.

    Outputs print the rulebook's name as the rules the forms were scored by; a file named
    mof-2020-project that scores differently would tell an officer the official rules were applied.
    Rulebooks are compared as validated (numbers as numbers, comments and ``description`` aside).
    """
    if rulebook.name not in builtin_rulebooks() or (chain[0].builtin and _stem(chain[0].source) == rulebook.name):
        return
    official = load_rulebook(rulebook.name)
    if replace(rulebook, source=official.source, data=official.data) == official:
        return
    how = f"“{rulebook.name}”是内置规则的名称" if "name" in chain[0].own else \
        f"文件未写 name，按文件名取名为“{rulebook.name}”，与内置规则同名"
    this = "这里" if isinstance(chain[0].source, _Label) else "本文件"
    raise RulebookError(f"{_where(chain[0].source)} 中键 name 有误：{how}，而{this}的规则与内置规则不同；"
                        f"请写上本局自己的名称（如 name: 本局规则），以免结果看似按内置规则评分")


#: Mappings that are whole tables, replaced as lists are: a bureau's first-level sections
#: (产出 50 / 效益 30 / 群众评价 10) are its own, merged with the parent's they also required 满意度.
_TABLES = frozenset({"weights.level1", "weights.level1_without_satisfaction", "weights.level1_counted_in"})


def _deep_merge(base: dict, override: dict, path: str = "") -> dict:
    merged = dict(base)
    for key, value in override.items():
        where = f"{path}{key}"
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and where not in _TABLES:
            merged[key] = _deep_merge(merged[key], value, f"{where}.")
        else:
            merged[key] = value
    return merged


#: A list index in a dotted key: ``bands[1].low`` → ``bands[].low``, the key whatever the index.
_INDEX = re.compile(r"\[\d+\]")
_PARTS = re.compile(r"[^.\[\]]+")


def _lookup(data: Any, key: str) -> tuple[bool, Any]:
    """(found, value) at a dotted key; ``bands[1].low`` indexes into lists."""
    value: Any = data
    for part in _PARTS.findall(key):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return False, None
    return True, value


class _Checker:
    """Reads typed values out of the YAML and names the file and the key when one is wrong.

    Every key asked for is recorded (list indices as ``[]``), so that afterwards
    :meth:`unknown_keys` can report each key of a file that no rule ever read: a misspelt
    ``over_achievment_factor`` is an error, not a silently ignored line.
    """

    def __init__(self, chain: list[_File]):
        self.chain = chain
        self.source = chain[0].source
        self.read: set[str] = set()  # keys asked for, as patterns (``grades[].min``) and their parents
        self.free: set[str] = set()  # mappings whose keys the bureau names (weights.level1): not checked

    def fail(self, key: str, what: str, source: str | None = None):
        raise RulebookError(f"{_where(source or self._source_of(key))} 中键 {key} 有误：{what}")

    def _source_of(self, key: str) -> str:
        """The file that wrote ``key``: the first bureau file of the chain that has it; else the file loaded.

        A built-in file is never blamed: when its value turns wrong, a file extending it made it so.
        """
        for file in self.chain:
            if not file.builtin and _lookup(file.own, key)[0]:
                return file.source
        return self.source

    def allow(self, key: str, free: bool = False) -> None:
        """Record ``key`` as one the rulebook may have; ``free``: its mapping's keys are not checked."""
        pattern = _INDEX.sub("[]", key)
        for match in re.finditer(r"[.\[]", pattern):
            self.read.add(pattern[:match.start()])
        self.read.add(pattern)
        if free:
            self.free.add(pattern)

    def node(self, data: dict, key: str) -> Any:
        """The value at a dotted key; ``bands[1].low`` indexes into lists."""
        found, value = self.optional(data, key)
        if not found:
            self._no_wrong_container(data, key)
            self.fail(key, "缺少此键" + self._misspelt(data, key))
        return value

    def _no_wrong_container(self, data: dict, key: str) -> None:
        """Fail on the part of ``key`` that holds a value where a mapping or a list belongs.

        Why: ``indicators: 5`` (or ``rule: ratio``) is one wrong value, not a missing
        ``indicators.reverse`` (``rule.kind``).
        """
        for separator in re.finditer(r"[.\[]", key):
            outer = key[:separator.start()]
            found, value = _lookup(data, outer)
            if not found:
                return
            if separator.group() == "." and not isinstance(value, dict):
                inner = _PARTS.match(key, separator.end()).group()
                self.fail(outer, f"应为键值映射（其下写 {inner}: … 等），实际{_shown(value)}")
            if separator.group() == "[" and not isinstance(value, list):
                self.fail(outer, f"应为列表（每项以 - 开头），实际{_shown(value)}")

    def optional(self, data: dict, key: str) -> tuple[bool, Any]:
        """(found, value) at a dotted key that a rulebook may leave out."""
        self.allow(key)
        return _lookup(data, key)

    def _misspelt(self, data: dict, key: str) -> str:
        """"（是否写成了 X？）" when the mapping holding a missing key has a key spelt like it."""
        parent, _, name = key.rpartition(".")
        found, mapping = _lookup(data, parent) if parent else (True, data)
        if not found or not isinstance(mapping, dict):
            return ""
        close = difflib.get_close_matches(name, [str(k) for k in mapping], n=1, cutoff=0.75)
        return f"（是否写成了 {close[0]}？）" if close else ""

    def text(self, data: dict, key: str) -> str:
        value = self.node(data, key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"应为非空文字，实际为 {value!r}" + _quote_hint(value))
        return value

    def optional_text(self, data: dict, key: str) -> str:
        """Text a rulebook may leave out, or write empty (``standard:``): "" then, never "None"."""
        found, value = self.optional(data, key)
        if not found or value is None:
            return ""
        if not isinstance(value, str):  # str() showed [a, b] or {x: 1} on the scored form as written
            self.fail(key, f"应为文字，实际为 {value!r}" + _quote_hint(value))
        return value

    def number(self, data: dict, key: str, low: float | None = None, high: float | None = None,
               value: Any = None) -> Decimal:
        self.allow(key)
        value = self.node(data, key) if value is None else value
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            self.fail(key, f"应为数字，实际为 {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"应为数字，实际为 {value!r}{_unit_hint(value)}")
        if not number.is_finite():  # .inf / .nan: not a number a rule can use, and NaN cannot be compared
            self.fail(key, f"应为数字，实际为 {value!r}")
        # adjusted() is the power of ten of the first digit: a number of 16 digits before the point has 15.
        if number.adjusted() >= _LARGEST_DIGITS:  # "1e999999" (quoted) passed, and overflowed in scoring
            self.fail(key, f"数值过大（整数部分超过{_LARGEST_DIGITS}位），实际为 {value!r}")
        too_low = low is not None and number < Decimal(str(low))
        too_high = high is not None and number > Decimal(str(high))
        if too_low or too_high:
            if low is not None and high is not None:
                self.fail(key, f"应在 {low} 到 {high} 之间，实际为 {value}")
            self.fail(key, f"应不小于 {low}，实际为 {value}" if too_low else f"应不大于 {high}，实际为 {value}")
        return number

    def flag(self, data: dict, key: str) -> bool:
        value = self.node(data, key)
        if not isinstance(value, bool):
            self.fail(key, f"应为 true 或 false，实际为 {value!r}")
        return value

    def choice(self, data: dict, key: str, options: tuple[str, ...]) -> str:
        value = self.node(data, key)
        if value not in options:
            self.fail(key, f"应为 {' / '.join(options)} 之一，实际为 {value!r}")
        return value

    def weights(self, data: dict, key: str) -> tuple[tuple[str, Decimal], ...]:
        value = self.node(data, key)
        if not isinstance(value, dict) or not value:
            self.fail(key, "应为“一级指标: 分值”的映射")
        self.allow(key, free=True)
        for name in value:
            if not isinstance(name, str):  # "2020: 50", "~: 50": a number or nothing, no section's name
                self.fail(f"{key}.{name}", f"名称应为文字，实际为 {name!r}" + _quote_hint(name))
        return tuple((k, self.number(data, f"{key}.{k}", 0, None, v)) for k, v in value.items())

    def unknown_keys(self, file: _File) -> None:
        """Fail on the first key of ``file`` that no rule read: a misspelt or unsupported key."""
        self._walk(file, file.own, "", "")

    def _walk(self, file: _File, value: Any, key: str, pattern: str) -> None:
        if isinstance(value, list):
            for i, child in enumerate(value):
                self._walk(file, child, f"{key}[{i}]", f"{pattern}[]")
            return
        if not isinstance(value, dict) or pattern in self.free:
            return
        for name, child in value.items():
            child_key = f"{key}.{name}" if key else str(name)
            child_pattern = f"{pattern}.{name}" if pattern else str(name)
            if child_pattern not in self.read:
                self.fail(child_key, self._unknown(str(name), pattern), source=file.source)
            self._walk(file, child, child_key, child_pattern)

    def _unknown(self, name: str, parent: str) -> str:
        prefix = f"{parent}." if parent else ""
        known = sorted({p[len(prefix):] for p in self.read
                        if p.startswith(prefix) and not re.search(r"[.\[]", p[len(prefix):])})
        if not known:  # a value, not a mapping, belongs here: no key to suggest ("未知的键（）" said nothing)
            return "未知的键：上一级应为一个值（文字、数字或列表），其下不应再写键"
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"是否应为 {close[0]}？" if close else ""
        return f"未知的键（{hint}可用的键：{'、'.join(known)}）"


def _shown(value: Any) -> str:
    """"为空" / "为 5": a value after 实际 in a message."""
    return "为空" if value is None else f"为 {value!r}"


#: Said after a number where text belongs: YAML reads ``standard: 5`` or ``level2: 2020`` as a number.
_QUOTE_IT = "（如确是文字，请加引号，如 '5'）"

#: The most digits before the point of a rulebook's number: no weight, rate or tolerance has more.
_LARGEST_DIGITS = 15

#: A number followed by a unit or a word: "10分", "95%", "0.5 分".
_NUMBER_AND_UNIT = re.compile(r"\s*[+-]?\d+(?:\.\d+)?\s*(\S+)$")


def _quote_hint(value: Any) -> str:
    """How to write a number as text, said after a number where text belongs."""
    return _QUOTE_IT if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else ""


def _unit_hint(value: Any) -> str:
    """"（只写数字，不带“分”）" for "10分": what to take away from a number written with its unit."""
    found = _NUMBER_AND_UNIT.match(value) if isinstance(value, str) else None
    return f"（只写数字，不带“{found.group(1)}”）" if found else ""


_COMMON_KEYS = {"name", "title", "form", "full_marks", "grades", "review_tolerance", "score_places", "description"}
_PROJECT_KEYS = _COMMON_KEYS | {"execution", "indicators", "qualitative", "weights"}
_DEPARTMENT_KEYS = _COMMON_KEYS | {"indicators", "percent_places"}


def _validate(data: dict, chain: list[_File]) -> Rulebook:
    check = _Checker(chain)
    form = check.choice(data, "form", ("project", "department"))
    known = _PROJECT_KEYS if form == "project" else _DEPARTMENT_KEYS
    for file in chain:
        for key in file.own:
            if key not in known:
                check.fail(str(key), f"未知的键（可用的键：{'、'.join(sorted(known))}）", source=file.source)
    check.optional_text(data, "description")  # free text for the reader of the file
    common = dict(
        name=_name(check, data, chain[0]),
        title=check.text(data, "title"),
        form=form,
        source=chain[0].source,
        full_marks=check.number(data, "full_marks", 1, None),
        grades=_grades(check, data),
        review_tolerance=check.number(data, "review_tolerance", 0, None),
        score_places=_score_places(check, data),
        data=data,
    )
    if form == "department":
        from .department_rulebook import department_indicators

        indicators = department_indicators(check, data, common["full_marks"])
        rulebook: Rulebook = DepartmentRulebook(**common, indicators=indicators, percent_places=_percent_places(check, data))
    else:
        rulebook = _project(check, data, common)
    _grades_reachable(check, rulebook)
    for file in chain:
        check.unknown_keys(file)
    return rulebook


def _name(check: _Checker, data: dict, own: _File) -> str:
    """The rulebook's name; a mapping has no file stem to be named after, so it writes one."""
    if "name" not in data and isinstance(own.source, _Label):
        check.fail("name", "缺少此键：规则字典没有文件名可作名称，请写上本局规则的名称（如 \"name\": \"本局规则\"），"
                           "结果中以此注明所用规则")
    return check.text(data, "name")


def _grades_reachable(check: _Checker, rulebook: Rulebook) -> None:
    """No grade asks for more than full marks: no total would reach it, and its forms would all get
    the grade below (a 优 from 190 by a slip of the hand)."""
    for i, grade in enumerate(rulebook.grades):
        if grade.min > rulebook.full_marks:
            check.fail(f"grades[{i}].min", f"“{grade.grade}”的最低分 {show(grade.min)} 高于满分 full_marks"
                                           f"（{show(rulebook.full_marks)}），没有总分能评为“{grade.grade}”")


#: Decimal places of every item score when a rulebook does not say (scoring.md §4).
DEFAULT_SCORE_PLACES = 2


def _score_places(check: _Checker, data: dict) -> int:
    """Decimal places of every item score: 0, 1 or 2; 2 when left out (a bureau's rulebook written
    from scratch before this key existed still loads, and scores as it did).  Why not more: the
    scored form, the summaries and the report draft show scores with 2 decimals, so a third place
    would be scored but never shown."""
    found, value = check.optional(data, "score_places")
    if not found:
        return DEFAULT_SCORE_PLACES
    places = check.number(data, "score_places", value=value)
    if places != places.to_integral_value() or int(places) not in SCORE_STEPS:
        check.fail("score_places", f"应为 {'、'.join(map(str, SCORE_STEPS))} 之一（各项得分保留的小数位数；"
                                   f"评分表与汇总的得分都显示两位小数，不能更多），实际为 {show(places)}")
    return int(places)


def _percent_places(check: _Checker, data: dict) -> int:
    """Decimal places of the department rates: a whole number (int() truncated 2.5 to 2 silently)."""
    places = check.number(data, "percent_places", 0, 6)
    if places != places.to_integral_value():
        check.fail("percent_places", f"应为 0 到 6 之间的整数（小数位数），实际为 {show(places)}")
    return int(places)


def _project(check: _Checker, data: dict, common: dict) -> ProjectRulebook:
    bands = _bands(check, data)
    band_names = {band.name for band in bands}
    equal_text_band = check.text(data, "qualitative.equal_text_band")
    if equal_text_band not in band_names:
        check.fail("qualitative.equal_text_band", f"应为已定义的档次之一（{'、'.join(band_names)}）")
    total = _total_weight(check, data, common["full_marks"])
    rulebook = ProjectRulebook(
        **common,
        execution_name=check.text(data, "execution.name"),
        execution_level1=check.text(data, "execution.level1"),
        execution_default_weight=_execution_default_weight(check, data, common["full_marks"]),
        flag_over_execution=check.flag(data, "execution.flag_over_execution"),
        reverse=check.choice(data, "indicators.reverse", ("ratio", "linear")),
        over_achievement_factor=check.number(data, "indicators.over_achievement_factor", 1, None),
        scale_percent_fractions=check.flag(data, "indicators.scale_percent_fractions"),
        bands=bands,
        equal_text_band=equal_text_band,
        negations=_negations(check, data),
        total_weight=total,
        level1_weights=_level1_weights(check, data, "weights.level1", total),
        level1_weights_without_satisfaction=_level1_weights(check, data, "weights.level1_without_satisfaction", total),
    )
    rulebook = replace(rulebook, level1_counted_in=_level1_counted_in(check, data, rulebook.level1_weights))
    _a_section_may_be_left_out(check, rulebook.level1_weights, rulebook.level1_weights_without_satisfaction)
    return rulebook


def _total_weight(check: _Checker, data: dict, full_marks: Decimal) -> Decimal:
    """What a form's 分值 should add up to: never more than full marks, which a total is rescaled to."""
    total = check.number(data, "weights.total", 0, None)
    if total > full_marks:
        check.fail("weights.total", f"各项分值合计 {show(total)} 高于满分 full_marks（{show(full_marks)}）")
    return total


def _level1_weights(check: _Checker, data: dict, key: str, total: Decimal) -> tuple[tuple[str, Decimal], ...]:
    """The first-level sums a form should have: together never more than the whole table's 分值.

    Why only "more": the 预算执行 分值 is the form's own (its fund row), so what the first levels
    leave of the table is not known here; more than the table can never be right, and would flag
    every form that is.
    """
    weights = check.weights(data, key)
    for name, _ in weights:
        if not name.removesuffix("指标").strip():  # compared as "contained in a form's 一级 label": "" is in every one
            check.fail(f"{key}.{name}", "一级指标名称去掉“指标”后为空，应写一级指标的名称，如 产出指标")
    together = sum(weight for _, weight in weights)
    if together > total:
        listed = "、".join(f"{name} {show(weight)}" for name, weight in weights)
        check.fail(key, f"一级指标分值合计 {show(together)}（{listed}）高于各项分值合计 weights.total（{show(total)}）")
    return weights


def _level1_counted_in(check: _Checker, data: dict,
                       level1: tuple[tuple[str, Decimal], ...]) -> tuple[tuple[str, str], ...]:
    """``weights.level1_counted_in`` (optional): each a first-level section a form may write apart, and
    the section of ``weights.level1`` whose sum its 分值 count toward (成本指标: 产出指标).

    Why: since 2021 forms write 成本指标 as a 一级 beside 产出指标 (on the 2020 form a 二级 under it),
    and a form with 产出 40 / 成本 10 was told "产出指标分值合计40，规则要求50".  A line the bureau's
    file did not write (mof-2020-project's) is dropped where the bureau's own sections leave it nothing
    to count toward (产出 / 效益 / 群众评价, or 成本指标 summed by itself); one it wrote is checked.
    """
    key = "weights.level1_counted_in"
    found, value = check.optional(data, key)
    if not found:
        return ()
    if not isinstance(value, dict):
        check.fail(key, f"应为“一级指标: 其分值计入的一级指标”的映射，如 成本指标: 产出指标（不计入时写 {{}}），实际{_shown(value)}")
    check.allow(key, free=True)
    written = any(not file.builtin and _lookup(file.own, key)[0] for file in check.chain)
    sections = {name.removesuffix("指标"): name for name, _ in level1}
    counted = []
    for part, whole in value.items():
        where = f"{key}.{part}"
        if not isinstance(part, str) or not part.removesuffix("指标").strip():
            check.fail(where, f"名称应为一级指标的名称，如 成本指标，实际为 {part!r}" + _quote_hint(part))
        section = sections.get(whole.removesuffix("指标")) if isinstance(whole, str) else None
        own = sections.get(part.removesuffix("指标"))
        if written and own:
            check.fail(where, f"“{own}”在 weights.level1 中有自己的分值，不再计入别的一级指标；请删去此行，"
                              f"或从 weights.level1 中删去“{own}”")
        if written and not section:
            check.fail(where, f"应为 weights.level1 中的一级指标之一（{'、'.join(sections.values())}），实际{_shown(whole)}")
        if section and not own:
            counted.append((part, section))
    return tuple(counted)


def _a_section_may_be_left_out(check: _Checker, level1: tuple[tuple[str, Decimal], ...],
                               without: tuple[tuple[str, Decimal], ...]) -> None:
    """``weights.level1`` applies to a form having a section ``level1_without_satisfaction`` leaves
    out (scoring.check_weights); where it leaves none out, every form was checked against the second
    table and the first one's sums went unused, unsaid (产出 60 / 效益 40 written, 50 / 40 required)."""
    without_names = {name for name, _ in without}
    if all(name in without_names for name, _ in level1) and dict(level1) != dict(without):
        listed = "、".join(name for name, _ in level1)
        check.fail("weights.level1", f"其一级指标（{listed}）在 weights.level1_without_satisfaction 中都有，没有可缺的一级指标，"
                                     f"每张表都按 weights.level1_without_satisfaction 核对，本表的分值用不到；没有可缺的一级指标时，"
                                     f"请把 weights.level1_without_satisfaction 写成与本表相同")


def _execution_default_weight(check: _Checker, data: dict, full_marks: Decimal) -> Decimal:
    """Below full marks: a form whose execution is not applicable is rescaled by full/(full − w)."""
    weight = check.number(data, "execution.default_weight", 0, None)
    if weight >= full_marks:
        check.fail("execution.default_weight",
                   f"应小于满分 full_marks（{show(full_marks)}），实际为 {show(weight)}：预算执行不适用时，"
                   f"总分按 满分/(满分−预算执行分值) 折算")
    return weight


def _bands(check: _Checker, data: dict) -> tuple[Band, ...]:
    raw = check.node(data, "qualitative.bands")
    if not isinstance(raw, list) or not raw:
        check.fail("qualitative.bands", "应为非空列表")
    bands = []
    for i, entry in enumerate(raw):
        key = f"qualitative.bands[{i}]"
        if not isinstance(entry, dict):
            check.fail(key, "应为包含 name/words/low/high/high_inclusive/midpoint 的映射")
        band = Band(
            name=check.text(data, f"{key}.name"),
            words=_band_words(check, data, f"{key}.words"),
            low=check.number(data, f"{key}.low", 0, 1),
            high=check.number(data, f"{key}.high", 0, 1),
            high_inclusive=check.flag(data, f"{key}.high_inclusive"),
            midpoint=check.number(data, f"{key}.midpoint", 0, 1),
        )
        _check_band(check, key, band)
        bands.append(band)
    _check_band_names(check, bands)
    # Matched from the lowest share up, whatever the file's order: scoring.md §3 checks the negative
    # and partial words first ("未达成" contains "达成", "未完成" contains "完成").
    in_order = sorted(enumerate(bands), key=lambda indexed: (indexed[1].low, indexed[1].high))
    _check_band_neighbours(check, in_order)
    _check_band_words_reachable(check, in_order)
    # The bands cover the shares from 0 to full marks, as the grades cover the totals from 0: an
    # indicator achieved in full must be able to get full marks.
    top_index, top = in_order[-1]
    if top.high != 1 or not top.high_inclusive:
        check.fail(f"qualitative.bands[{top_index}].high",
                   f"最高一档（{top.name} {_interval(top)}）应到 1（含，满分），否则完全达成的定性指标也拿不到满分")
    lowest_index, lowest = in_order[0]
    if lowest.low != 0:
        check.fail(f"qualitative.bands[{lowest_index}].low",
                   f"最低一档（{lowest.name} {_interval(lowest)}）应从 0 开始，否则 0 到 {show(lowest.low)} 的得分比例不属于任何档次")
    return tuple(band for _, band in in_order)


def _interval(band: Band) -> str:
    """"[0.6, 0.8)": a band's shares as an error shows them."""
    return f"[{show(band.low)}, {show(band.high)}{']' if band.high_inclusive else ')'}"


def _check_band(check: _Checker, key: str, band: Band) -> None:
    """A band holds at least one share, its midpoint among them (the score given without a self-score)."""
    if band.low > band.high:
        check.fail(f"{key}.low", f"下限 {show(band.low)} 大于上限 {show(band.high)}")
    if band.low == band.high and not band.high_inclusive:
        check.fail(f"{key}.high", f"下限与上限都是 {show(band.low)}，且不含上限（high_inclusive: false），此档为空")
    above_open_high = band.midpoint == band.high and not band.high_inclusive
    if not band.low <= band.midpoint <= band.high or above_open_high:
        check.fail(f"{key}.midpoint", f"中值 {show(band.midpoint)} 不在此档 {_interval(band)} 内"
                                      + ("（不含上限）" if above_open_high else ""))


def _check_band_names(check: _Checker, bands: list[Band]) -> None:
    """Names are unique: equal_text_band and the scored forms name a band by its name."""
    first: dict[str, int] = {}
    for i, band in enumerate(bands):
        if band.name in first:
            check.fail(f"qualitative.bands[{i}].name", f"档次名称“{band.name}”与第{first[band.name] + 1}档重复")
        first[band.name] = i


def _check_band_neighbours(check: _Checker, in_order: list[tuple[int, Band]]) -> None:
    """Bands, by share, neither overlap nor leave a gap between them.

    Why both: a self-score is kept when it lies in its band and clamped to it otherwise, so a share
    in two bands is judged by two rules, and a share between two bands by none.
    """
    for (i, lower), (j, upper) in zip(in_order, in_order[1:]):
        if lower.high > upper.low or (lower.high == upper.low and lower.high_inclusive):
            later, earlier = max(i, j), min(i, j)  # blamed: the band written after the one it overlaps
            check.fail(f"qualitative.bands[{later}]",
                       f"与第{earlier + 1}档重叠：{lower.name} {_interval(lower)} 与 {upper.name} {_interval(upper)} "
                       f"有共同的得分比例；各档应首尾相接、互不重叠")
        if lower.high < upper.low:
            gap = f"{'(' if lower.high_inclusive else '['}{show(lower.high)}, {show(upper.low)})"
            check.fail(f"qualitative.bands[{j}].low",
                       f"与第{i + 1}档（{lower.name} {_interval(lower)}）之间空出 {gap}，这段得分比例不属于任何档次；"
                       f"下限应为 {show(lower.high)}")


def _check_band_words_reachable(check: _Checker, in_order: list[tuple[int, Band]]) -> None:
    """No word of a band contains a word of a lower one: the lower band, matched first, takes every
    actual holding it ("完成" in 部分达成 gave "已完成" of 达成 70 %), and the word never applies."""
    for above, (j, upper) in enumerate(in_order):
        for _, lower in in_order[:above]:
            for n, word in enumerate(upper.words):
                shadow = next((low_word for low_word in lower.words if low_word in word), None)
                if shadow is not None:
                    how = f"也是较低的{lower.label}的词" if shadow == word else f"含有较低的{lower.label}的词“{shadow}”"
                    check.fail(f"qualitative.bands[{j}].words",
                               f"第{n + 1}个词“{word}”{how}：各档从低到高查找，写有“{word}”的实际完成值都按"
                               f"{lower.label}评分，此词永远用不到；请删去其中一个")


def _band_words(check: _Checker, data: dict, key: str) -> tuple[str, ...]:
    """A band's words as the scorer compares them with a unit's text (labels.compact: NFKC, no spaces).

    Why on load: the actual's text is compacted, so a word written with full-width brackets or a
    space ("达标（优良）", "基本 达标") would never match the very text it was copied from.
    """
    words = check.node(data, key)
    if not words:
        check.fail(key, "应为非空的文字列表")
    return _compacted_words(check, key, words, "应为非空的文字列表")


def _negations(check: _Checker, data: dict) -> tuple[str, ...]:
    """``qualitative.negations``, optional (none: no actual is flagged for one), compacted as band words are."""
    _, words = check.optional(data, "qualitative.negations")
    if words is None:  # absent, or written without a value
        return ()
    return _compacted_words(check, "qualitative.negations", words, "应为文字列表")


def _compacted_words(check: _Checker, key: str, words: object, not_a_list: str) -> tuple[str, ...]:
    """``words`` compacted as a unit's text is; an empty one is an error (it is contained in every
    text: every actual would match a band, or be flagged for a negation)."""
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        check.fail(key, not_a_list)
    compacted = tuple(compact(word) for word in words)
    if not all(compacted):
        check.fail(key, f"第{compacted.index('') + 1}个词为空（或只有空格）")
    return compacted


def _grades(check: _Checker, data: dict) -> tuple[Grade, ...]:
    raw = check.node(data, "grades")
    if not isinstance(raw, list) or not raw:
        check.fail("grades", "应为非空列表，如 - {grade: 优, min: 90}")
    grades = tuple(Grade(grade=check.text(data, f"grades[{i}].grade"),
                         min=check.number(data, f"grades[{i}].min", 0, None))
                   for i in range(len(raw)))
    for i, grade in enumerate(grades):
        if grade.grade in [earlier.grade for earlier in grades[:i]]:
            check.fail(f"grades[{i}].grade", f"等级“{grade.grade}”重复出现，每个等级只能有一个最低分")
    for previous, current in zip(grades, grades[1:]):
        if current.min >= previous.min:
            check.fail("grades", "各等级应按最低分从高到低排列")
    lowest = grades[-1]
    if lowest.min != 0:
        # A total below every min would otherwise get the lowest grade listed: 30 points graded 中.
        check.fail(f"grades[{len(grades) - 1}].min",
                   f"最低一档“{lowest.grade}”应从0分起，实际为 {show(lowest.min)}：低于 {show(lowest.min)} 分的总分"
                   f"没有等级可评；请改为0，或在最后加上一档，如 - {{grade: 差, min: 0}}")
    return grades
