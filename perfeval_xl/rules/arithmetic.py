"""How the scoring rules show an input number (scores and percentages: :mod:`perfeval_xl.rounding`)."""
from __future__ import annotations

from decimal import Decimal

from ..values import format_number


def show(value: Decimal) -> str:
    """An input number as written: 62.5, 120000, 0.95 (as :func:`~perfeval_xl.values.format_number`).

    Every 评分依据 shows a few numbers, so the common case skips format_number's
    integral test: below 10**27, a finite number normalised (trailing zeros
    stripped, so an integral one has no fraction) and written without exponent
    reads the same.  Anything else, including what format_number refuses,
    (None too) goes to it.
    """
    if value is not None and value.is_finite() and value.adjusted() < 27:
        return f"{value.normalize():f}"
    return format_number(value)
