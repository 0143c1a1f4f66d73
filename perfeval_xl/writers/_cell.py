"""The one way writers put a value into an openpyxl cell."""
from __future__ import annotations

from decimal import Decimal
from typing import Union

from openpyxl.cell.cell import Cell

from ._display import amount, excel_text

CellValue = Union[str, int, float, Decimal, None]


def write_cell(cell: Cell, value: CellValue) -> None:
    """Store ``value`` in ``cell``; text always stays text.

    openpyxl turns a str starting with "=" into a formula and "#N/A"-like
    strings into error values.  Text from a unit must never run as a formula
    (=HYPERLINK(...), =WEBSERVICE(...)), so every str is forced to the string
    type after assignment.  Decimals become floats here, at the last moment;
    empty text leaves the cell blank.
    """
    if value == "":
        value = None
    if isinstance(value, Decimal):
        value = amount(value)
    if isinstance(value, str):
        cell.value = excel_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
