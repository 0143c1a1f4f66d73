"""The one way writers put a value into a cell (openpyxl, or the scored form's own XML)."""
from __future__ import annotations

import functools
from decimal import Decimal
from typing import Optional, Union

from openpyxl.cell.cell import Cell

from ._display import EXCEL_MAX_TEXT, amount, excel_text

CellValue = Union[str, int, float, Decimal, None]


def cell_value(value: CellValue) -> Union[str, int, float, None]:
    """The value as it is stored: Decimal → float (2 places), text cleaned, "" → None.

    Decimals become floats here, at the last moment; text loses XML-illegal
    control characters and is cut to Excel's limit (see :func:`excel_text`).
    """
    kind = value.__class__
    if kind is str:
        return excel_text(value) or None if value else None
    if kind is Decimal:
        return amount(value)
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return amount(value)
    if isinstance(value, str):
        return excel_text(value) or None
    return value


def cell_values(values: dict[int, CellValue]) -> dict[int, Union[str, int, float, None]]:
    """:func:`cell_value` of each value of a row (column → value).

    Laying out a form converts hundreds of values: clean text (the usual case)
    is recognised here, without a call.
    """
    stored = {}
    for column, value in values.items():
        kind = value.__class__
        if kind is str and value.isprintable() and len(value) <= EXCEL_MAX_TEXT:
            stored[column] = value or None
        elif kind is Decimal:
            stored[column] = _stored_amount(value)
        else:
            stored[column] = cell_value(value)
    return stored


def _stored_amount(value: Decimal) -> Optional[float]:
    if not value or not value.is_finite():  # zeros too: 0 and -0 are one cache key, stored as 0.0 and -0.0
        return amount(value)
    return _stored_nonzero_amount(value)


@functools.lru_cache(maxsize=4096)
def _stored_nonzero_amount(value: Decimal) -> Optional[float]:
    """The float stored for ``value``.  Cached: weights and scores repeat from form to form (5, 10,
    4.5 …) and rounding a Decimal costs several lookups."""
    return amount(value)


def write_cell(cell: Cell, value: CellValue) -> None:
    """Store ``value`` in ``cell``; text always stays text.

    openpyxl turns a str starting with "=" into a formula and "#N/A"-like
    strings into error values.  Text from a unit must never run as a formula
    (=HYPERLINK(...), =WEBSERVICE(...)), so every str is forced to the string
    type after assignment.  Empty text leaves the cell blank.
    """
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
