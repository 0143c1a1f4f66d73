"""`perfeval-xl explain FILE`: one workbook's scoring, item by item, as a table in the terminal."""
from __future__ import annotations

import re
from decimal import Decimal

from .model import FORM_NAMES, FileResult, FormResult


def print_explanation(result: FileResult, console=None) -> None:
    """Print every form of ``result``: its items with 评分依据, the total and grade, then every flag."""
    from rich.console import Console

    console = console or Console()
    for form in result.forms:
        # The lines outside the table are not broken at the console's width (80 columns when piped
        # to a file): a flag broke inside its cell reference, "（H6" then "）" on a line of its own.
        console.print(_heading(result.file, form), soft_wrap=True)
        console.print(_items_table(form))
        console.print(_total_line(form), soft_wrap=True)
        for text in _flag_lines(form):
            console.print(text, soft_wrap=True)
        console.print()


def _heading(file: str, form: FormResult) -> str:
    f = form.form
    who = f"主管部门：{f.department}　实施单位：{f.unit}" if form.kind == "project" else f"填报单位：{f.unit}"
    year = f"（{f.year}年度）" if f.year else ""
    return (f"[bold]{_escape(form.name)}[/bold]{year}　{FORM_NAMES.get(form.kind, form.kind)}\n"
            f"{_escape(file)} › {_escape(f.sheet)}　{_escape(who)}　规则：{form.rulebook}")


def _items_table(form: FormResult):
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("指标", overflow="fold", ratio=2)
    table.add_column("指标值 → 实际", overflow="fold", ratio=2)
    for title in ("分值", "自评", "复核"):
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column("评分依据", overflow="fold", ratio=3)
    for number, item in enumerate(form.items, 1):
        # Red where the review flagged the self-score: by the rulebook's tolerance, not a cent (a
        # bureau's review_tolerance of 0.5 flagged nothing, yet every self-score 0.02 off was red).
        differs = item.difference is not None and abs(item.difference) > form.review_tolerance
        levels = "/".join(part for part in (item.level1, item.level2) if part)
        name = f"{_escape(item.name)}\n[dim]{_escape(levels)}[/dim]" if levels else _escape(item.name)
        values = f"{_escape(item.target)} → {_escape(item.actual)}" if item.target or item.actual else ""
        score = _n(item.score) if item.applicable else "不适用"
        table.add_row(str(number), name, values, _n(item.weight),
                      f"[red]{_n(item.self_score)}[/red]" if differs else _n(item.self_score),
                      f"[bold]{score}[/bold]", _escape(item.basis))
    return table


def _flag_lines(form: FormResult) -> list[str]:
    lines = [f"  [yellow]•[/yellow] {_escape(str(flag))}" for flag in form.flags]
    for number, item in enumerate(form.items, 1):
        for flag in item.flags:
            colour = "red" if flag.level == "error" else "yellow"
            lines.append(f"  [{colour}]{number}.[/{colour}] {_escape(item.name)}：{_escape(str(flag))}")
    return (["[bold]问题：[/bold]"] + lines) if lines else []


def _total_line(form: FormResult) -> str:
    own = f"　自评总分 {_n(form.self_total)}　差异 {_n(form.difference)}" if form.self_total is not None else ""
    return f"[bold]复核总分 {_n(form.total)}　等级 {form.grade}[/bold]{own}"


def _n(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(terminal_text(text or ""))


# The C0 and C1 control characters but tab and line feed (a cell may hold line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """Text from a workbook (a cell, a sheet name, a file name) as it may be printed on a terminal.

    Why: a cell or sheet name may hold ESC sequences (written _x001B_ or &#x1B; in the sheet's
    XML, which the reader accepts); printed as is, they cleared the officer's screen, retitled
    the window or overwrote the lines above.  Dropped, the rest still reads.
    """
    if text.isprintable():
        return text
    from .writers._display import readable_name  # a file name that is not UTF-8: lone surrogates

    return _CONTROL.sub("", readable_name(text)).encode("utf-8", "replace").decode("utf-8")
