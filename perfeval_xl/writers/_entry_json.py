"""A file's summary.json entry written straight as JSON text, item by item.

:func:`.summary_json.file_entry` builds the entry as dicts for
``json.JSONEncoder`` to walk; a form of 37 items and 26 flags made that about
half of the summary work a worker does per file.  Here the same text is put
together from pieces: strings through the C string encoder
(``json.encoder.encode_basestring``, as ``ensure_ascii=False`` uses), numbers
as the encoder writes ``amount(...)`` (``float.__repr__``, ``null``), with the
keys in the same order and the same compact separators.  Form- and file-level
values (few per file) still go through the encoder itself.

Anything the fast path is not written for (a value of an unexpected type)
raises inside it, and that item or issue is then encoded the old way, so the
text is always what the encoder would have written.
"""
from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring as _string  # type: ignore[attr-defined]
from typing import Any, Optional

from ..model import FileResult, Flag, FormResult, ItemScore, Source, flag_ending
from ._display import amount, display_name
from ._memo import NUMBERS_KEPT
from ._summary_rows import GENERIC_FLAG_ACTIONS, flag_action, issues

# The encoder summary_json uses: readable Chinese, compact, no circular check (a tree of fresh values).
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_encode = ENCODER.encode


def _number_json(text: str) -> str:
    """The JSON text of ``amount(Decimal(text))``."""
    number = amount(Decimal(text))  # Decimal(str(d)) is d: sign, digits and exponent
    return "null" if number is None else float.__repr__(number)


#: str(Decimal) → JSON text of its ``amount``; weights and scores repeat from form to form.  Keyed
#: by the Decimal's text, not the Decimal: hashing a fresh Decimal costs several times more than
#: writing it, and the text tells 0 from -0 (one key as Decimals, but written 0.0 and -0.0).
#: A plain dict, not a BoundedMemo: subscripting a dict subclass goes through its ``__getitem__``
#: as a Python-level method (CPython's slot_mp_subscript), ~700 instructions a hit against ~100,
#: and an item looks up four numbers.  Misses go through :func:`_remembered`.
_NUMBERS: dict[str, str] = {}


def _remembered(text: str) -> str:
    """``_number_json(text)``, kept in :data:`_NUMBERS` (emptied when full, as a BoundedMemo)."""
    if len(_NUMBERS) >= NUMBERS_KEPT:
        _NUMBERS.clear()
    number = _NUMBERS[text] = _number_json(text)
    return number


def number_text(value: Optional[Decimal]) -> str:
    """``amount(value)`` as JSON text."""
    if value.__class__ is Decimal:
        text = str(value)
        return _NUMBERS.get(text) or _remembered(text)
    if value is None:
        return "null"
    return _encode(amount(value))  # not a Decimal: as the encoder did (amount may raise)


def _value(value: Any) -> str:
    """The encoder's text of a file- or form-level value.

    Strings and None written here: the encoder takes its pure-Python
    ``iterencode`` path for anything but a string (a new C encoder each call).
    """
    if value.__class__ is str:
        return _string(value)
    if value is None:
        return "null"
    return _encode(value)


def encode_file_entry(file: FileResult, file_action: Optional[str]) -> str:
    """The JSON text of ``summary_json.file_entry(file)``; ``file_action`` is its ``action``."""
    # Every piece of the entry goes into one list, joined once: joining the items into a form, the
    # forms into the file and those into the file's text copied the entry (UCS-2 text, as any
    # Chinese makes it) three times; one join cost 2 % less for the whole entry.
    parts = [f'{{"file":{_value(file.file)},"status":{_value(file.status)},"error":{_value(file.error)},'
             f'"output":{_value(file.output)},"reports":{_encode(list(file.reports)) if file.reports else "[]"},'
             '"forms":[']
    for index, result in enumerate(file.forms):
        if index:
            parts.append(",")
        _add_form_json(parts, result)
    parts.append(f'],"action":{_value(file_action)},"note":{_value(file.note)}}}')
    return "".join(parts)


def _add_form_json(parts: list[str], result: FormResult) -> None:
    """Append the pieces of the JSON text of ``result`` to ``parts``."""
    from .summary_json import _issue_entry, _item_entry  # the reference encoding, for the odd value

    form = result.form
    # Each flag is written twice: as str(flag) in the "flags" of its item or form, and as its entry
    # of "issues", which come in the order of issues(result) (the form's flags, then each item's).
    # Both are made at once (_flag_json), the entries kept until the items are written.
    flag_texts, issue_texts = [], []  # an entry is None where it is to be encoded the long way
    for flag in result.flags:
        flag_text, issue_text = _flag_json(flag, "null")
        flag_texts.append(flag_text)
        issue_texts.append(issue_text)
    parts.append(f'{{"sheet":{_value(form.sheet)},"kind":{_value(form.kind)},"name":{_value(display_name(form))},'
                 f'"total":{number_text(result.total)},"self_total":{number_text(result.self_total)},'
                 f'"grade":{_value(result.grade)},"flags":[{",".join(flag_texts)}],"items":[')
    separator = ""
    for item in result.items:
        parts.append(separator)
        try:
            text, item_issues = _item_json(item)
        except (TypeError, AttributeError):
            text, item_issues = _encode(_item_entry(item)), [None] * len(item.flags)
        parts.append(text)
        issue_texts += item_issues
        separator = ","
    parts.append(f'],"department":{_value(form.department)},"unit":{_value(form.unit)},"year":{_value(form.year)},'
                 f'"layout":{_value(getattr(form, "layout", None))},"rulebook":{_value(result.rulebook)},'
                 f'"difference":{number_text(result.difference)},"rank":null,"issues":[')
    # The entries left for the long way are encoded after every item, as all entries were: an error
    # one of them raises still comes after any an item raises.
    if None in issue_texts:
        for at, (item, flag) in enumerate(issues(result)):
            if issue_texts[at] is None:
                try:
                    issue_texts[at] = _issue_json(item, flag)
                except (TypeError, AttributeError):
                    issue_texts[at] = _encode(_issue_entry(item, flag))
    parts.append(",".join(issue_texts))
    parts.append("]}")


def _item_json(item: ItemScore) -> tuple[str, list[Optional[str]]]:
    """The JSON text of ``item``, and the entry of "issues" of each of its flags (see :func:`_flag_json`)."""
    # The numbers looked up inline (number_text for anything but a Decimal): four per item.
    numbers = _NUMBERS
    weight, score, self_score = item.weight, item.score, item.self_score
    if weight.__class__ is Decimal:
        text = str(weight)
        weight = numbers.get(text) or _remembered(text)
    else:
        weight = number_text(weight)
    if score.__class__ is Decimal and (self_score is None or self_score.__class__ is Decimal):
        if self_score is None:
            difference = self_score = "null"
        elif not item.applicable:  # as ItemScore.difference: no difference where the item does not apply
            difference = "null"
            text = str(self_score)
            self_score = numbers.get(text) or _remembered(text)
        else:
            text = str(score - self_score)
            difference = numbers.get(text) or _remembered(text)
            text = str(self_score)
            self_score = numbers.get(text) or _remembered(text)
        text = str(score)
        score = numbers.get(text) or _remembered(text)
    else:
        difference = number_text(item.difference)
        score, self_score = number_text(score), number_text(self_score)
    source = item.source
    name = _string(item.name)  # also in the entry of each of its flags
    flags = ""
    issue_texts = []
    if item.flags:
        flag_texts = []
        for flag in item.flags:
            flag_text, issue_text = _flag_json(flag, name)
            flag_texts.append(flag_text)
            issue_texts.append(issue_text)
        flags = ",".join(flag_texts)
    return (f'{{"level1":{_string(item.level1)},"level2":{_string(item.level2)},"name":{name},'
            f'"weight":{weight},"score":{score},"self_score":{self_score},'
            f'"basis":{_string(item.basis)},"flags":[{flags}],'
            f'"applicable":{"true" if item.applicable is True else _boolean(item.applicable)},'
            f'"difference":{difference},'
            f'"cell":{"null" if source is None else _string(source.cell)},'
            f'"target":{_string(item.target)},"actual":{_string(item.actual)}}}'), issue_texts


def _flag_json(flag: Flag, item: str) -> tuple[str, Optional[str]]:
    """``str(flag)`` as JSON text, and the flag's entry of "issues" (``item``: the JSON text of its
    item's name, or null), None when that is to be encoded the long way (:func:`_issue_json`).

    Why together: the message is escaped once for both.  JSON escapes text character by
    character, so str(flag), its message followed by "，action" and "（cell）", is the escaped
    message followed by the escaped rest (model.flag_ending), kept per action and cell
    (:data:`_FLAG_ENDS`).  The level, sheet, cell and action of the entry are a few texts met on
    every form, escaped once (:data:`_ESCAPED`).  Written apart, with str(flag) formatted (by a
    Python __str__) and escaped whole, the entries of 300 workbooks took 24 M instructions (5 %) more.
    """
    message, action, source = flag.message, flag.action, flag.source
    if source is None:
        cell = None
    elif source.__class__ is Source:  # true, as str(flag) asks
        cell = source.cell
    else:
        return _string(flag.__str__()), None
    if message.__class__ is not str or action.__class__ is not str or not (cell is None or cell.__class__ is str):
        return _string(flag.__str__()), None  # what the encoder is given: text, or a TypeError
    text = _string(message)
    flag_text = text[:-1] + (_FLAG_ENDS.get((action, cell)) or _flag_end(action, cell))
    escaped = _ESCAPED
    try:
        level = flag.level
        if not action:  # as flag_action takes it
            action = GENERIC_FLAG_ACTIONS.get(level, _DEFAULT_ACTION)
        if cell is None:
            sheet = cell = "null"
        else:
            sheet = source.sheet
            sheet, cell = escaped.get(sheet) or _escaped(sheet), escaped.get(cell) or _escaped(cell)
        return flag_text, (f'{{"level":{escaped.get(level) or _escaped(level)},"message":{text},"sheet":{sheet},'
                           f'"cell":{cell},"item":{item},"action":{escaped.get(action) or _escaped(action)}}}')
    except (TypeError, AttributeError):  # not text (or not hashable)
        return flag_text, None


_DEFAULT_ACTION = GENERIC_FLAG_ACTIONS["warning"]

#: (action, cell) → what str(flag) has after the message, escaped, with the closing quote: "，action"
#: when there is an action, "（cell）" when there is a cell (see _flag_json).
_FLAG_ENDS: dict[tuple[str, Optional[str]], str] = {}
#: text → its JSON text, for the few texts of an issue entry besides its message (see _flag_json).
_ESCAPED: dict[str, str] = {}
#: Entries each of them holds at most: the levels, actions and cells that recur fit; what does not fit
#: is mostly sheet names, each workbook's own.  At 4,096 a worker kept ≈ 0.6 MB more after 1,000
#: workbooks of distinct texts, for no fewer instructions (6,811 M against 6,809 M on 300 of them).
_TEXTS_KEPT = 512


def _flag_end(action: str, cell: Optional[str]) -> str:
    if len(_FLAG_ENDS) >= _TEXTS_KEPT:
        _FLAG_ENDS.clear()
    end = _FLAG_ENDS[action, cell] = _string(flag_ending(action, cell))[1:]
    return end


def _escaped(text: str) -> str:
    """``_string(text)``, kept in :data:`_ESCAPED` (emptied when full)."""
    if len(_ESCAPED) >= _TEXTS_KEPT:
        _ESCAPED.clear()
    json_text = _ESCAPED[text] = _string(text)
    return json_text


def _boolean(value: Any) -> str:
    # Not a dict lookup: 1 and 0 are equal to True and False but written as numbers.
    return "true" if value is True else "false" if value is False else _encode(value)


def _issue_json(item: Optional[ItemScore], flag: Flag) -> str:
    source = flag.source
    return (f'{{"level":{_string(flag.level)},"message":{_string(flag.message)},'
            f'"sheet":{"null" if source is None else _string(source.sheet)},'
            f'"cell":{"null" if source is None else _string(source.cell)},'
            f'"item":{"null" if item is None else _string(item.name)},"action":{_string(flag_action(flag))}}}')
