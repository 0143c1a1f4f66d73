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

from ..model import FileResult, Flag, FormResult, ItemScore
from ._display import amount, display_name
from ._memo import NUMBERS_KEPT
from ._summary_rows import flag_action, issues

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
    parts.append(f'],"action":{_value(file_action)}}}')
    return "".join(parts)


def _add_form_json(parts: list[str], result: FormResult) -> None:
    """Append the pieces of the JSON text of ``result`` to ``parts``."""
    from .summary_json import _issue_entry, _item_entry  # the reference encoding, for the odd value

    form = result.form
    # str(flag) is what the encoder is given (Flag.__str__); text or a TypeError, either way.  Called
    # as a method: str() reaches a Python __str__ through C, in a second interpreter frame.
    flags = ",".join([_string(flag.__str__()) for flag in result.flags])
    parts.append(f'{{"sheet":{_value(form.sheet)},"kind":{_value(form.kind)},"name":{_value(display_name(form))},'
                 f'"total":{number_text(result.total)},"self_total":{number_text(result.self_total)},'
                 f'"grade":{_value(result.grade)},"flags":[{flags}],"items":[')
    separator = ""
    for item in result.items:
        parts.append(separator)
        try:
            parts.append(_item_json(item))
        except (TypeError, AttributeError):
            parts.append(_encode(_item_entry(item)))
        separator = ","
    parts.append(f'],"department":{_value(form.department)},"unit":{_value(form.unit)},"year":{_value(form.year)},'
                 f'"layout":{_value(getattr(form, "layout", None))},"rulebook":{_value(result.rulebook)},'
                 f'"difference":{number_text(result.difference)},"rank":null,"issues":[')
    separator = ""
    for item, flag in issues(result):
        parts.append(separator)
        try:
            parts.append(_issue_json(item, flag))
        except (TypeError, AttributeError):
            parts.append(_encode(_issue_entry(item, flag)))
        separator = ","
    parts.append("]}")


def _item_json(item: ItemScore) -> str:
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
        else:
            text = str(score - self_score)
            difference = numbers.get(text) or _remembered(text)
            text = str(self_score)
            self_score = numbers.get(text) or _remembered(text)
        text = str(score)
        score = numbers.get(text) or _remembered(text)
    else:
        difference = "null" if self_score is None else number_text(score - self_score)
        score, self_score = number_text(score), number_text(self_score)
    source = item.source
    flags = ",".join([_string(flag.__str__()) for flag in item.flags]) if item.flags else ""  # as str(flag)
    return (f'{{"level1":{_string(item.level1)},"level2":{_string(item.level2)},"name":{_string(item.name)},'
            f'"weight":{weight},"score":{score},"self_score":{self_score},'
            f'"basis":{_string(item.basis)},"flags":[{flags}],'
            f'"applicable":{"true" if item.applicable is True else _boolean(item.applicable)},'
            f'"difference":{difference},'
            f'"cell":{"null" if source is None else _string(source.cell)},'
            f'"target":{_string(item.target)},"actual":{_string(item.actual)}}}')


def _boolean(value: Any) -> str:
    # Not a dict lookup: 1 and 0 are equal to True and False but written as numbers.
    return "true" if value is True else "false" if value is False else _encode(value)


def _issue_json(item: Optional[ItemScore], flag: Flag) -> str:
    source = flag.source
    return (f'{{"level":{_string(flag.level)},"message":{_string(flag.message)},'
            f'"sheet":{"null" if source is None else _string(source.sheet)},'
            f'"cell":{"null" if source is None else _string(source.cell)},'
            f'"item":{"null" if item is None else _string(item.name)},"action":{_string(flag_action(flag))}}}')
