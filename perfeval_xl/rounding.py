"""Half-up rounding to 2 places (scoring.md §4), the one way every score and amount is rounded."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")

#: ``quantize_half_up(value, CENT)`` is ``value.quantize(CENT, rounding=ROUND_HALF_UP)`` (the default
#: context's precision and traps, rounding half-up).  Why a context of its own: ``Context.quantize``
#: takes no keyword argument and is several times faster, and the rules call it for every score.
quantize_half_up = Context(rounding=ROUND_HALF_UP).quantize


def round2(value: Decimal) -> Decimal:
    """``value`` rounded half-up to 2 places."""
    return quantize_half_up(value, CENT)
