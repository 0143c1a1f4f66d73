"""Decimal helpers shared by the scoring rules: rounding and how numbers are shown."""
from __future__ import annotations

from decimal import Decimal

from ..rounding import CENT, quantize_half_up, round2
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


def show2(value: Decimal) -> str:
    """A score with exactly 2 decimals: 7.68, 10.00."""
    return f"{quantize_half_up(value, CENT):f}"  # round2, without the call: a form shows ~60 scores


def percent(value: Decimal) -> str:
    """A ratio as a percentage with 2 decimals: 0.95008 → "95.01%"."""
    return f"{round2(value * 100):f}%"
