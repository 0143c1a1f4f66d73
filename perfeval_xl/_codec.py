"""Model objects as compact JSON, and back: the on-disk form of a stored result.

A scored workbook is a few thousand small objects (indicators, item scores,
flags, cell sources).  The store keeps whole results only of files that failed
or were paired across files, and ``BatchResult.files`` decodes them; each
data class becomes a JSON list of its field values in
field order, converted by the field's declared type: ``Decimal`` as its exact
string, ``Source`` as ``[sheet, cell]``, nested classes and lists of them
recursively.  Only a field whose type does not name one class (the form of a
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
from typing import Any

from . import model

#: The classes a stored result may contain.
CLASSES = (model.Source, model.Flag, model.ParsedValue, model.FundLine, model.Funds, model.Indicator,
           model.ProjectForm, model.BaseAmounts, model.BaseData, model.DepartmentRow, model.DepartmentForm,
           model.ItemScore, model.FormResult, model.FileResult)
_BY_NAME = {cls.__name__: cls for cls in CLASSES}


def _expression(hint: Any, value: str, encoding: bool, depth: int = 0) -> str:
    """Python source converting the expression ``value`` of type ``hint`` to (or from) JSON data."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in args if arg is not type(None)]
        if len(members) > 1:  # e.g. ProjectForm | DepartmentForm: the value names its class
            return f"{'_tagged_encode' if encoding else '_tagged_decode'}({value})"
        inner = _expression(members[0], f"_v{depth}", encoding, depth + 1)
        if inner == f"_v{depth}":
            return value
        return f"(None if (_v{depth} := {value}) is None else {inner})"
    if hint is list:  # a list of model objects of any class (FileResult.unpaired)
        return f"[{'_tagged_encode' if encoding else '_tagged_decode'}(_e{depth}) for _e{depth} in {value}]"
    if origin is list:
        inner = _expression(args[0], f"_e{depth}", encoding, depth + 1)
        return value if inner == f"_e{depth}" else f"[{inner} for _e{depth} in {value}]"
    if origin is dict:
        inner = _expression(args[1], f"_e{depth}", encoding, depth + 1)
        return value if inner == f"_e{depth}" else f"{{_k{depth}: {inner} for _k{depth}, _e{depth} in {value}.items()}}"
    if hint is Decimal:
        return f"str({value})" if encoding else f"Decimal({value})"
    if hint is model.Source:  # the commonest object by far: inlined as a pair
        return f"[{value}.sheet, {value}.cell]" if encoding else f"Source(*{value})"
    if hint in CLASSES:
        return f"{'_encode' if encoding else '_decode'}_{hint.__name__}({value})"
    return value  # str, int, bool: JSON as they are


def _compile(cls: type, namespace: dict) -> None:
    """Define ``_encode_<Class>`` and ``_decode_<Class>`` in ``namespace``, as plain generated code.

    Generated (as :mod:`dataclasses` does for ``__init__``) because a generic
    walker spends several microseconds per object on type checks, and a stored
    result holds about a thousand objects.  (Written when every result was
    stored; now only failed and cross-file results are, and a plain walker
    would be fast enough.)
    """
    hints = typing.get_type_hints(cls, vars(model))
    fields = [field.name for field in dataclasses.fields(cls)]
    encoded = ", ".join(_expression(hints[name], f"value.{name}", True) for name in fields)
    decoded = ", ".join(_expression(hints[name], f"data[{index}]", False) for index, name in enumerate(fields))
    source = (f"def _encode_{cls.__name__}(value):\n    return [{encoded}]\n"
              f"def _decode_{cls.__name__}(data):\n"
              f"    if len(data) != {len(fields)}:\n"
              f"        raise ValueError('stored {cls.__name__} has %d fields, the model has {len(fields)}'"
              f" % len(data))\n"
              f"    return {cls.__name__}({decoded})\n")
    exec(source, namespace)


def _tagged_encode(value: Any) -> list:
    return [type(value).__name__, _NAMESPACE[f"_encode_{type(value).__name__}"](value)]


def _tagged_decode(data: list) -> Any:
    name, value = data
    if name not in _BY_NAME:  # never a foreign class
        raise ValueError(f"stored data names an unknown class {name!r}")
    return _NAMESPACE[f"_decode_{name}"](value)


_NAMESPACE: dict[str, Any] = {"Decimal": Decimal, "_tagged_encode": _tagged_encode,
                              "_tagged_decode": _tagged_decode, **_BY_NAME}
for _cls in CLASSES:
    _compile(_cls, _NAMESPACE)

#: Changes when any stored class gains, loses, renames or retypes a field.
SCHEMA = hashlib.sha256(repr([(cls.__name__, [(f.name, str(f.type)) for f in dataclasses.fields(cls)])
                              for cls in CLASSES]).encode()).hexdigest()[:16]


def encode_file_result(result: model.FileResult) -> list:
    """A :class:`~perfeval_xl.model.FileResult` as JSON-able lists; Decimals keep every digit."""
    return _NAMESPACE["_encode_FileResult"](result)


def decode_file_result(data: list) -> model.FileResult:
    """The inverse of :func:`encode_file_result`."""
    return _NAMESPACE["_decode_FileResult"](data)
