"""Half-up rounding to 2 places (scoring.md §4; a score to its rulebook's ``score_places``), the one way
every score and amount is rounded, and the two ways a rounded number is shown (a score with 2 decimals,
a ratio as a percentage)."""
from __future__ import annotations

from decimal import MAX_PREC, ROUND_DOWN, ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")
#: The score of an item nothing was awarded to (a missing target, no funds found …): 0 with its
#: 2 places, as every score the rules round, so a library caller reads "0.00" as the outputs show.
NO_POINTS = Decimal("0.00")

#: ``quantize_half_up(value, CENT)`` is ``value.quantize(CENT, rounding=ROUND_HALF_UP)`` (the default
#: context's traps, rounding half-up).  Why a context of its own: ``Context.quantize`` takes no
#: keyword argument and is several times faster, and the rules call it for every score.  Why no
#: limit on precision: the default 28 digits made quantizing 1E+30 (an ID number typed as an
#: actual value) raise InvalidOperation, and the whole workbook was lost; a number is at most
#: what a cell can hold, so the digits are bounded anyway.
quantize_half_up = Context(prec=MAX_PREC, rounding=ROUND_HALF_UP).quantize
#: ``quantize_down(value, CENT)``: ``value`` cut to 2 places, toward 0 (the last cent of a band below
#: its open upper bound, rules.project.band_limits).
quantize_down = Context(prec=MAX_PREC, rounding=ROUND_DOWN).quantize


#: Decimal places a score may be rounded to (a rulebook's ``score_places``) → the step it is rounded
#: to.  At most 2: every output shows a score with 2 decimals.
SCORE_STEPS = {0: Decimal(1), 1: Decimal("0.1"), 2: CENT}


def round_places(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimals (a key of :data:`SCORE_STEPS`)."""
    return quantize_half_up(value, SCORE_STEPS[places])


def round2(value: Decimal) -> Decimal:
    """``value`` rounded half-up to 2 places."""
    return quantize_half_up(value, CENT)


def show2(value: Decimal) -> str:
    """A score with exactly 2 decimals: 7.68, 10.00."""
    # round2, without the call: a form shows ~60 scores.  str, not format(…, "f"): a number of 2
    # places is never written with an exponent (nor is NaN), and str costs ~400 instructions less.
    return quantize_half_up(value, CENT).__str__()


def percent(value: Decimal) -> str:
    """A ratio as a percentage with 2 decimals: 0.95008 → "95.01%"."""
    return round2(value * 100).__str__() + "%"  # str: as show2
