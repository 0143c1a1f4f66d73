"""How model values are shown in outputs: numbers, text, labels.

Shared by the scored form, the summary workbook and summary.json, so that the
three outputs say the same thing in the same words.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from ..model import DepartmentForm, Flag, FormResult, ProjectForm, flag_ending
from ..rounding import CENT, quantize_half_up

#: Excel refuses cells longer than this.
EXCEL_MAX_TEXT = 32767

#: The characters XML 1.0 cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (the C0 controls but tab
#: and line breaks) and also U+FFFE, U+FFFF and lone surrogates.  Why more than openpyxl's: a
#: unit's cell or sheet name may hold U+FFFF (typed raw or as &#xFFFF; in the sheet's XML, which
#: the reader accepts), and written as is it made the scored form and summary.xlsx ill-formed,
#: files Excel cannot open from a batch that reported success.
XML_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

LEVEL_LABELS = {"error": "错误", "warning": "提示"}
STATUS_LABELS = {"ok": "已评分", "error": "错误", "skipped": "跳过"}
GRADES = ("优", "良", "中", "差")
FLAG_SEPARATOR = "；"
NOT_APPLICABLE = "不适用"


def amount(value: Optional[Decimal]) -> Optional[float]:
    """A Decimal as a float rounded half-up to 2 places; None stays None.

    Converting only here keeps all arithmetic upstream in Decimal.  NaN and
    infinities have no place in a workbook or JSON and become None, as does a
    number beyond a float's range (see :func:`finite_float`).
    """
    if value is None or not value.is_finite():
        return None
    return finite_float(quantize_half_up(value, CENT))


def exact_number(value: Optional[Decimal]) -> Optional[float]:
    """A Decimal as the float nearest it, not rounded; None stays None, as do NaN and infinities.

    Why not :func:`amount` in the scored form: a figure from the form (0.0449 万元, a self-score
    of 13.885) must be carried over as written, or the form disagrees with its own 评分依据; the
    engine's scores already have 2 places.
    """
    if value is None or not value.is_finite():
        return None
    return finite_float(value)


def finite_float(value: Decimal) -> Optional[float]:
    """``float(value)``, or None when the float would be infinite.

    Why: each number a cell holds fits a float, but sums and ratios of them need not (two weights
    of 1.7E+308 total 3.4E+308; an amount over a tiny budget).  As floats they became inf:
    "total":inf made summary.json unreadable as JSON, <v>inf</v> a cell Excel repairs away and
    summary.csv showed "inf".  The 评分依据 still shows the number in full.
    """
    number = float(value)
    return number if math.isfinite(number) else None


#: The most decimals of a percentage written as a number (the rulebooks' ``percent_places`` allow 6).
PERCENT_PLACES_MAX = 6
#: A percentage that is a bare number and a percent sign, as Excel itself stores "95.01%" typed into
#: a cell: no leading zero, no sign but a minus, no thousands separator, no word before or after it
#: ("95.01%", "-4.41%", "100％"); at most 15 digits, so that a float holds it exactly.
_PERCENTAGE = re.compile(r"-?(?:0|[1-9]\d{0,8})(?:\.(\d{1,%d}))?[%%％]" % PERCENT_PLACES_MAX)


@dataclass(frozen=True, slots=True)
class Percentage:
    """A rate written as a percentage ("95.01%"), as a cell holds it: the number (0.9501) and a
    percent number format of the places written ("0.00%"), so that it shows as written."""

    fraction: Decimal
    places: int
    text: str  # as written: shown so where no percent format is at hand

    @property
    def number_format(self) -> str:
        return percent_format(self.places)


def percent_format(places: int) -> str:
    """The number format showing a fraction as a percentage of ``places`` decimals: "0%", "0.00%"."""
    return "0." + "0" * places + "%" if places else "0%"


def percentage(text: str) -> Optional[Percentage]:
    """``text`` as a :class:`Percentage` when it is a bare percentage ("95.01%", "-4.41%"); else None.

    Nothing is guessed: "约95%", "≥95%", "95%以上", "095%" and "1,000%" stay text, as Excel would
    keep them."""
    match = _PERCENTAGE.fullmatch(text)
    if match is None:
        return None
    decimals = match.group(1)
    return Percentage(Decimal(text[:-1]).scaleb(-2), len(decimals) if decimals else 0, text)


#: A byte of a file name that was not UTF-8, as the file system's decoding keeps it (surrogateescape).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def readable_name(name: str) -> str:
    """``name`` (a path under the inbox, or a text naming one) with the bytes the file system gave
    that are not UTF-8 read as GB18030, Chinese Windows' encoding: a zip of GBK names unpacked on
    Linux.

    Why: those bytes reach Python as lone surrogates, which no cell, CSV or terminal can show:
    "单位/城区道路养护项目.xlsx" came out as "λ/·Ŀ.xlsx" in 汇总.  The name's bytes as the file
    system gave them are taken back (surrogateescape) and read as GB18030; what does not read shows
    as "�".  Only for showing (and the library's frames, tables to export): the name itself
    (summary.json, the library's results) stays as the file system has it, so that the file can be
    found.

    A GBK name is not all lone surrogates: some of its pairs of bytes happen to be UTF-8 too
    ("目" is C4 BF, read as "Ŀ"), and a message puts its own words right beside the name
    (文件“…”).  So only the stretches holding an escaped byte are read again, each widened over
    the fewest characters beside it that make it read whole (see :func:`_readable_run`): reading
    the quote's bytes with the name's had shown 文件“��Ŀ.xlsx” for 文件“项目.xlsx”.
    """
    if _ESCAPED_BYTE.search(name) is None:
        return name
    try:
        name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate of another origin: no bytes to take back
        return name
    return _NON_ASCII_RUN.sub(_readable_run, name)


#: The runs of non-ASCII characters: a GBK name's bytes are all ≥ 0x80 in GB2312's characters, so
#: a run's ends are where a name's bytes may end.  (GBK's extension characters, rarer — 镕, 臺 —
#: have a second byte below 0x80: they are cut at it and shown with "�".)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")

#: The characters that a pair of GBK bytes read as UTF-8 by chance becomes (C2–DF then 80–BF):
#: Latin, Greek, Cyrillic…, which a Chinese message seldom holds beside a file name.
_CHANCE_UTF8 = re.compile(r"[\u0080-\u07ff]")

#: The marks a message puts right beside a name it quotes (文件“…”, 来源：…（工作表）): re-reading one
#: with a name's bytes costs more than re-reading a letter, so that of two cuts alike the message
#: keeps its marks.  Why: "规划" is E6 BB AE … in GBK, and E6 BB AE is also UTF-8 ("滮"); kept, it
#: left the name's bytes one off, and the “ before them was read with them ("鈥溩匀…").
_MESSAGE_MARKS = frozenset("“”‘’：（）、，。；《》【】「」")

#: The longest stretch read again: a file name is at most 255 bytes.
_LONGEST_NAME = 255

#: The longest run cut into stretches (a message quoting a name whole fits); a longer one (a cell of
#: 10,000 escaped bytes) is read whole, as cutting costs a reading per stretch tried.
_LONGEST_RUN_CUT = _LONGEST_NAME


def _cheapest_cut(run: str) -> str | None:
    """``run`` read as :func:`_readable_run` cuts it; None when no cut reads."""
    chance = len(run) + 1  # what keeping a chance-UTF-8 character costs: more than any stretch
    escaped_before = [0]  # escaped_before[i]: the escaped bytes in run[:i]
    weight_before = [0]  # weight_before[i]: what re-reading run[:i] costs (see _MESSAGE_MARKS)
    byte_at = [0]  # byte_at[i]: where run[i] starts in the run's bytes
    for character in run:
        escaped = _ESCAPED_BYTE.match(character) is not None
        escaped_before.append(escaped_before[-1] + escaped)
        weight_before.append(weight_before[-1] + (0 if escaped else 2 if character in _MESSAGE_MARKS else 1))
        byte_at.append(byte_at[-1] + len(character.encode("utf-8", "surrogateescape")))
    raw = run.encode("utf-8", "surrogateescape")
    # best[i]: (cost, text) of the cheapest reading of run[:i]; cost counts the characters not
    # kept as they are (a message's mark twice), or kept though they look like chance UTF-8.
    best: list[tuple[int, str] | None] = [(0, "")] + [None] * len(run)
    for end in range(1, len(run) + 1):
        last = run[end - 1]
        candidates = []
        if best[end - 1] is not None and escaped_before[end] == escaped_before[end - 1]:
            cost, text = best[end - 1]
            candidates.append((cost + (chance if _CHANCE_UTF8.match(last) else 0), text + last))
        for start in range(end - 1, -1, -1):
            if byte_at[end] - byte_at[start] > _LONGEST_NAME:
                break
            escaped = escaped_before[end] - escaped_before[start]
            if not escaped or best[start] is None:
                continue
            try:
                read = raw[byte_at[start]:byte_at[end]].decode("gb18030")
            except UnicodeDecodeError:
                continue
            candidates.append((best[start][0] + weight_before[end] - weight_before[start], best[start][1] + read))
        best[end] = min(candidates, key=lambda candidate: candidate[0], default=None)
    return None if best[-1] is None else best[-1][1]


def _readable_run(match: re.Match) -> str:
    """A run of non-ASCII characters with each stretch of it that holds escaped bytes read as GB18030.

    The run is cut into characters kept as they are and stretches read as GB18030; each stretch
    holds an escaped byte and reads whole.  Of the ways to cut, the one keeping the most
    characters as they are is taken, a kept "Ŀ"-like character (:data:`_CHANCE_UTF8`) counting as
    none kept: the message's own words stay its own, and a name's pairs read as UTF-8 by chance
    join the name.  A run no such cut reads is read whole, as UTF-8 or GB18030, else with "�".
    """
    run = match.group()
    if _ESCAPED_BYTE.search(run) is None:  # the text's own words
        return run
    if len(run) <= _LONGEST_RUN_CUT:
        cut = _cheapest_cut(run)
        if cut is not None:
            return cut
    raw = run.encode("utf-8", "surrogateescape")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def excel_text(text: str) -> str:
    """Text as Excel can store it: no XML-illegal control characters, not too long.

    Units paste text from other programs; a stray control character would make
    openpyxl refuse the whole workbook, an over-long cell makes Excel "repair" it.
    A file name that is not UTF-8 is shown as :func:`readable_name` reads it.
    """
    if not text.isprintable():  # printable text has no control character: skip the regex
        text = XML_ILLEGAL_CHARACTERS.sub("", readable_name(text))
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + "…"
    return text


def level_label(flag: Flag) -> str:
    return LEVEL_LABELS.get(flag.level, flag.level)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def flags_on_form(flags: list[Flag], sheet: str) -> str:
    """``flags`` as a scored form's 问题提示 shows them: each as ``str(flag)`` has it, but its cell named
    as the input's ("（原表I6）"; with its sheet when not the form's own ``sheet``, e.g. F2 beside F3).

    Why: the scored form lays the fields out anew, so its own I6 is another field (a 复核得分).
    """
    texts = []
    for flag in flags:
        source = flag.source
        if source is None:
            texts.append(str(flag))
        else:
            where = f"原表{source.cell}" if source.sheet == sheet else f"原表{source.sheet}!{source.cell}"
            texts.append(f"{flag.message}{flag_ending(flag.action, where)}")
    return FLAG_SEPARATOR.join(texts)


def display_name(form: ProjectForm | DepartmentForm) -> str:
    """项目名称 of a project form; 填报单位 of a department form."""
    if form.kind == "department":
        return form.unit or form.name
    return form.name


def split_execution_item(result: FormResult):
    """Return (the 预算执行率 item or None, the other items in form order).

    The engine scores a project form's execution first (rules.project.score_project), under the
    name its rulebook gives it (``execution.name``): found by its place, not by the name
    "预算执行率", which a bureau's rulebook may call otherwise (资金执行率).
    """
    if result.form.kind != "project" or not result.items:
        return None, list(result.items)
    return result.items[0], result.items[1:]
