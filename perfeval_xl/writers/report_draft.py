"""The figures part of a 部门整体支出绩效评价报告, drafted as .docx from F2 and the scores.

Every sentence is built from numbers on the forms; a sentence whose numbers
are missing is left out rather than guessed.  Sections follow the published
reports: 部门整体支出概况 → 使用及管理情况 → 绩效情况 → 存在的问题.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Optional

from ..model import BaseData, DepartmentForm, FormResult
from ..rounding import percent, show2
from ..values import format_number
from ._atomic import atomic_write_bytes, fitting_name
from ._display import XML_ILLEGAL_CHARACTERS
from ._report_template import DOCUMENT_PART, ReportTemplate, report_template
from ._xml import NOT_UTF8, escape_text
from .._zip import deflated, zip_archive

SCORE_TABLE_HEADERS = ("一级指标", "二级指标", "三级指标", "分值", "自评得分", "复核得分", "评分依据")


def write_report_drafts(forms: list[FormResult], scored_workbook: str | Path) -> list[Path]:
    """One report draft per department form, next to the scored workbook; returns the paths written."""
    departments = [f for f in forms if isinstance(f.form, DepartmentForm) and f.form.base is not None]
    if not departments:
        return []
    scored_workbook = Path(scored_workbook)
    written = []
    stem = scored_workbook.name.removesuffix(".scored.xlsx")
    for result in departments:
        suffix = "" if len(departments) == 1 else f".{_safe(result.form.unit)}"
        # Fitted: the draft's ending is longer than ".scored.xlsx", so beside a scored form of the
        # longest name it would not fit whole.
        path = scored_workbook.with_name(fitting_name(stem, f"{suffix}.报告初稿.docx"))
        write_report_draft(result, path)
        written.append(path)
    return written


def write_report_draft(result: FormResult, path: Path) -> None:
    """Write the draft of one department form to ``path`` (atomically).

    The package is the one python-docx saves (``document.add_heading`` /
    ``add_paragraph`` / ``add_table``), but only ``word/document.xml`` is made
    per draft: the rest comes from a template prepared once per process
    (:mod:`._report_template`).
    """
    template = report_template(len(SCORE_TABLE_HEADERS))
    document = deflated(DOCUMENT_PART, _document_xml(template, result).encode("utf-8", NOT_UTF8))
    atomic_write_bytes(path, zip_archive([*template.before, document, *template.after]))


def report_paragraphs(result: FormResult) -> list[tuple[str, str]]:
    """The report as (kind, text) pairs; kinds: title, heading, subheading, text."""
    form: DepartmentForm = result.form
    base: BaseData = form.base
    year = f"{form.year}年" if form.year else "本年度"
    out: list[tuple[str, str]] = [("title", f"{form.unit}{year}部门整体支出绩效评价报告（初稿）"),
                                  ("text", "本初稿的数字均取自单位报送的基础数据表和指标评分表的复核结果，文字请评价人员核实补充。")]
    out.append(("heading", "一、部门整体支出概况"))
    if base.staff_quota is not None and base.staff_actual is not None:
        rate = _percent(base.staff_actual, base.staff_quota)
        text = f"{year}编制数{_n(base.staff_quota)}人，实际在职人数{_n(base.staff_actual)}人"
        out.append(("text", text + (f"，在职人员控制率{rate}。" if rate else "。")))
    total, basic, project = _single(base, "支出合计"), _single(base, "基本支出"), _final(base, "项目支出")
    if total:
        parts = [f"{year}部门整体支出合计{_n(total)}万元"]
        if basic is not None:
            parts.append(f"其中：基本支出{_n(basic)}万元，占{_percent(basic, total)}")
        if project is not None:
            parts.append(f"项目支出{_n(project)}万元，占{_percent(project, total)}")
        out.append(("text", "，".join(parts) + "。"))
    out.append(("heading", "二、部门整体支出使用及管理情况"))
    out.extend(_budget_paragraphs(base, year))
    out.append(("heading", "三、部门整体支出绩效情况"))
    own = f"，单位自评{_n(result.self_total)}分" if result.self_total is not None else ""
    out.append(("text", f"按“{result.rulebook}”评分规则复核，总分{show2(result.total)}分，等级为“{result.grade}”{own}。"
                        "各项指标得分见下表。"))
    out.append(("heading", "四、存在的问题"))
    deducted = [item for item in result.items if item.score < item.weight]
    if not deducted:
        out.append(("text", "各项指标均得满分，未发现扣分事项。"))
    for i, item in enumerate(deducted, 1):
        text = f"{i}. {item.name}：分值{_n(item.weight)}分，复核得分{show2(item.score)}分，扣{show2(item.weight - item.score)}分。" \
               f"评分依据：{item.basis}。"
        if item.reason:
            text += f"单位说明：{item.reason}。"
        out.append(("text", text))
    return out


def _budget_paragraphs(base: BaseData, year: str) -> list[tuple[str, str]]:
    out = []
    carried, initial = _single(base, "上年结转"), _single(base, "年初预算")
    added, left = _single(base, "本年追加预算"), _single(base, "年末结余")
    if None not in (carried, initial, added, left):
        available = carried + initial + added
        out.append(("subheading", "（一）预算执行情况"))
        out.append(("text", f"上年结转{_n(carried)}万元，年初预算{_n(initial)}万元，本年追加预算{_n(added)}万元，"
                            f"年末结余{_n(left)}万元，预算完成率{_percent(available - left, available)}；"
                            f"追加预算占年初预算的{_percent(added, initial)}。"))
    sangong = base.rows.get("三公经费")
    if sangong is not None and None not in (sangong.prior_final, sangong.budget, sangong.final):
        change = sangong.final - sangong.prior_final
        trend = f"较上年{'增加' if change > 0 else '减少'}{_n(abs(change))}万元" if change else "与上年持平"
        text = (f"“三公经费”{year}决算{_n(sangong.final)}万元，预算{_n(sangong.budget)}万元，上年决算"
                f"{_n(sangong.prior_final)}万元；{trend}，决算为预算的{_percent(sangong.final, sangong.budget)}。")
        details = [f"{name}{_n(base.rows[key].final)}万元" for key, name in
                   (("公务用车购置和维护经费", "公务用车购置和维护经费"), ("出国经费", "因公出国（境）经费"),
                    ("公务接待", "公务接待费")) if key in base.rows and base.rows[key].final is not None]
        if details:
            text += "其中：" + "，".join(details) + "。"
        out.append(("subheading", "（二）“三公经费”控制情况"))
        out.append(("text", text))
    numbered = 3
    for key, heading, label in (("公用经费", "公用经费控制情况", "公用经费"),
                                ("政府采购金额", "政府采购执行情况", "政府采购")):
        row = base.rows.get(key)
        if row is not None and row.budget and row.final is not None:
            out.append(("subheading", f"（{'一二三四五六'[numbered - 1]}）{heading}"))
            out.append(("text", f"{label}预算{_n(row.budget)}万元，决算{_n(row.final)}万元，"
                                f"为预算的{_percent(row.final, row.budget)}。"))
            numbered += 1
    assets, in_use = _single(base, "固定资产总额"), _single(base, "在用固定资产总额")
    if assets and in_use is not None:
        out.append(("subheading", f"（{'一二三四五六'[numbered - 1]}）资产管理情况"))
        out.append(("text", f"固定资产总额{_n(assets)}万元，在用固定资产{_n(in_use)}万元，"
                            f"固定资产利用率{_percent(in_use, assets)}。"))
    return out


def _score_table(result: FormResult) -> list[list[Optional[str]]]:
    """The rows of the 指标得分 table; None is a cell left as python-docx creates it (no run)."""
    rows: list[list[Optional[str]]] = [list(SCORE_TABLE_HEADERS)]
    for item in result.items:
        rows.append([item.level1, item.level2, item.name, _n(item.weight),
                     _n(item.self_score) if item.self_score is not None else "", show2(item.score), item.basis])
    rows.append(["合计", None, None, _n(sum((i.weight for i in result.items), Decimal(0))),
                 _n(result.self_total) if result.self_total is not None else "", show2(result.total),
                 f"等级：{result.grade}"])
    return rows


# -- document.xml, as python-docx writes it -------------------------------------------

#: Paragraph openings by kind: add_heading(level=0 / 1 / 2) and add_paragraph.
_PARAGRAPH_STARTS = {
    "title": '<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>',
    "heading": '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>',
    "subheading": '<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr>',
    "text": "<w:p>",
}
_RUN_BREAKS = re.compile(r"([\t\r\n])")
_BREAK_ELEMENTS = {"\t": "<w:tab/>", "\r": "<w:br/>", "\n": "<w:br/>"}


def _document_xml(template: ReportTemplate, result: FormResult) -> str:
    parts = [template.document_head]
    append = parts.append
    for kind, text in report_paragraphs(result):
        append(_PARAGRAPH_STARTS[kind] + _run(text) + "</w:p>" if text else _PARAGRAPH_STARTS[kind] + "</w:p>")
    append(template.table_head)
    cell_head = template.cell_head
    for row in _score_table(result):
        append("<w:tr>")
        for text in row:
            append(cell_head + ("<w:p/>" if text is None else "<w:p>" + _run(text) + "</w:p>") + "</w:tc>")
        append("</w:tr>")
    append("</w:tbl>")
    append(template.document_tail)
    return "".join(parts)


def _run(text: str) -> str:
    """A run holding ``text`` as python-docx writes it: a tab is <w:tab/>, a line break <w:br/>.

    Characters XML cannot hold (stray control characters pasted by units) are
    dropped: python-docx would refuse the whole document.
    """
    if not text.isprintable():
        text = XML_ILLEGAL_CHARACTERS.sub("", text)
        if "\t" in text or "\r" in text or "\n" in text:
            return "<w:r>" + "".join(_BREAK_ELEMENTS.get(piece) or _text_element(piece)
                                     for piece in _RUN_BREAKS.split(text) if piece) + "</w:r>"
    return "<w:r>" + _text_element(text) + "</w:r>" if text else "<w:r/>"


def _text_element(text: str) -> str:
    if len(text.strip()) < len(text):  # python-docx keeps leading and trailing blanks this way
        return '<w:t xml:space="preserve">' + escape_text(text) + "</w:t>"
    return "<w:t>" + escape_text(text) + "</w:t>"


def _single(base: BaseData, key: str) -> Decimal | None:
    row = base.rows.get(key)
    return row.single() if row else None


def _final(base: BaseData, key: str) -> Decimal | None:
    """The row's 本年决算数 only: its budget is not spending, and the draft says no figure it lacks."""
    row = base.rows.get(key)
    return row.final if row else None


def _percent(part: Decimal, whole: Decimal) -> str:
    return percent(part / whole) if whole else ""


def _n(value: Decimal) -> str:
    return format_number(value)


def _safe(text: str) -> str:
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|')[:40] or "部门"
