"""Model objects as compact JSON, and back: the on-disk form of a stored result.

A scored workbook is a few thousand small objects (indicators, item scores,
flags, cell sources).  The store keeps whole results only of files that failed
or were paired across files, and ``BatchResult.files`` decodes them, so a
plain walker over the declared field types is fast enough.  Each data class
becomes a JSON list of its field values in field order, converted by the
field's declared type: ``Decimal`` as its exact string, ``Source`` as
``[sheet, cell]``, nested classes and lists of them recursively.  Only a
field whose type does not name one class (the form of a
:class:`~perfeval_xl.model.FormResult`, the parts in ``FileResult.unpaired``)
carries a tag: ``[class name, value]``.

Decoding only ever builds the model's own classes (a store in a shared folder
must never be able to run code).  :data:`SCHEMA` changes whenever a class's
fields change, so results stored by an older model are scored again instead of
being misread.
"""
from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from decimal import Decimal
from typing import Any, Callable, NamedTuple

from . import model

#: The classes a stored result may contain.
CLASSES = (model.Source, model.Flag, model.ParsedValue, model.FundLine, model.Funds, model.Indicator,
           model.ProjectForm, model.BaseAmounts, model.BaseLine, model.BaseData, model.DepartmentRow,
           model.DepartmentForm,
           model.ItemScore, model.FormResult, model.FileResult)
_BY_NAME = {cls.__name__: cls for cls in CLASSES}


def _declared_fields(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls, vars(model))
    return tuple((field.name, hints[field.name]) for field in dataclasses.fields(cls))


#: Each class's fields in order, with their declared types.
_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {cls: _declared_fields(cls) for cls in CLASSES}


class _Way(NamedTuple):
    """One direction of the conversion: what becomes of each kind of value the walk meets."""

    decimal: Callable[[Any], Any]
    source: Callable[[Any], Any]
    model_object: Callable[[Any, type], Any]  # (value, its declared class)
    tagged: Callable[[Any], Any]  # a value whose declared type does not name its class


def _convert(value: Any, hint: Any, way: _Way) -> Any:
    """``value``, declared as ``hint``, converted ``way`` (to JSON data or back), recursively."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        members = [arg for arg in args if arg is not type(None)]
        return way.tagged(value) if len(members) > 1 else _convert(value, members[0], way)
    if hint is list:  # a list of model objects of any class (FileResult.unpaired)
        return [way.tagged(element) for element in value]
    if origin is list:
        return [_convert(element, args[0], way) for element in value]
    if origin is dict:
        return {key: _convert(element, args[1], way) for key, element in value.items()}
    if hint is Decimal:
        return way.decimal(value)
    if hint is model.Source:  # the commonest object by far: a pair
        return way.source(value)
    if hint in _FIELDS:
        return way.model_object(value, hint)
    return value  # str, int, bool: JSON as they are


def _object_to_json(value: Any, cls: type) -> list:
    return [_convert(getattr(value, name), hint, _TO_JSON) for name, hint in _FIELDS[cls]]


def _object_from_json(data: list, cls: type) -> Any:
    fields = _FIELDS[cls]
    if len(data) != len(fields):
        raise ValueError(f"stored {cls.__name__} has {len(data)} fields, the model has {len(fields)}")
    return cls(*(_convert(item, hint, _FROM_JSON) for item, (_, hint) in zip(data, fields)))


def _tagged_to_json(value: Any) -> list:
    """``[class name, fields]``."""
    return [type(value).__name__, _object_to_json(value, type(value))]


def _tagged_from_json(data: list) -> Any:
    name, value = data
    if name not in _BY_NAME:  # never a foreign class
        raise ValueError(f"stored data names an unknown class {name!r}")
    return _object_from_json(value, _BY_NAME[name])


_TO_JSON = _Way(str, lambda source: [source.sheet, source.cell], _object_to_json, _tagged_to_json)
#: Builds nothing but the model's own classes.
_FROM_JSON = _Way(Decimal, lambda pair: model.Source(*pair), _object_from_json, _tagged_from_json)


#: Changes when any stored class gains, loses, renames or retypes a field.
SCHEMA = hashlib.sha256(repr([(cls.__name__, [(f.name, str(f.type)) for f in dataclasses.fields(cls)])
                              for cls in CLASSES]).encode()).hexdigest()[:16]


def encode_file_result(result: model.FileResult) -> list:
    """A :class:`~perfeval_xl.model.FileResult` as JSON-able lists; Decimals keep every digit."""
    return _object_to_json(result, model.FileResult)


def decode_file_result(data: list) -> model.FileResult:
    """The inverse of :func:`encode_file_result`."""
    return _object_from_json(data, model.FileResult)
