"""The one way writers put a value into a cell (openpyxl, or the scored form's own XML)."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Union

from ._display import Percentage, exact_number, excel_text

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

CellValue = Union[str, int, float, Decimal, Percentage, None]


def cell_value(value: CellValue) -> Union[str, int, float, None]:
    """The value as it is stored: Decimal → float (as written, not rounded), a Percentage → its
    fraction's float (its cell's number format shows it as a percentage), text cleaned, "" → None.

    Decimals become floats here, at the last moment; text loses XML-illegal
    control characters and is cut to Excel's limit (see :func:`excel_text`).
    """
    kind = value.__class__
    if kind is str:
        return excel_text(value) or None if value else None
    if kind is Decimal:
        return exact_number(value)
    if value is None or value == "":
        return None
    if kind is Percentage:
        return exact_number(value.fraction)
    if isinstance(value, Decimal):
        return exact_number(value)
    if isinstance(value, str):
        return excel_text(value) or None
    return value


def cell_values(values: dict[int, CellValue]) -> dict[int, Union[str, int, float, None]]:
    """:func:`cell_value` of each value of a row (column → value)."""
    return {column: cell_value(value) for column, value in values.items()}


def write_cell(cell: Cell, value: CellValue) -> None:
    """Store ``value`` in ``cell``; text always stays text.

    openpyxl turns a str starting with "=" into a formula and "#N/A"-like
    strings into error values.  Text from a unit must never run as a formula
    (=HYPERLINK(...), =WEBSERVICE(...)), so every str is forced to the string
    type after assignment.  Empty text leaves the cell blank.  A Percentage is a number shown with
    its percent format.
    """
    if value.__class__ is Percentage:
        cell.value = cell_value(value)
        cell.number_format = value.number_format
        return
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
