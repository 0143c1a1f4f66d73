"""How the scoring rules show an input number (scores and percentages: :mod:`perfeval_xl.rounding`)."""
from __future__ import annotations

from decimal import Decimal

from ..values import format_number


def show(value: Decimal) -> str:
    """An input number as written: 62.5, 120000, 0.95 (as :func:`~perfeval_xl.values.format_number`).

    Every 评分依据 shows a few numbers (~100 a form), so the common case skips
    format_number's integral test: below 10**27, a finite number normalised
    (trailing zeros stripped, so an integral one has no fraction) and written
    without exponent reads the same.  Anything else, including what
    format_number refuses, (None too) goes to it.

    Commoner still, a number is written with no exponent ("48", "62.5", "2.0": most
    input cells), and its ``str`` with any zeros after the point stripped is that
    text: ~2,900 instructions against ~3,600 for normalising and formatting it
    (measured over the numbers 300 workbooks show).  Only for a ``str`` of at most
    27 characters: fewer digits than the default context's 28 (normalize would round
    beyond them) and a value below 10**27.

    Commonest of all, the number was shown before: the weights and self-scores of every
    form are a few ("2.0", "100"), and the text so made is kept by the ``str`` it came from
    (:data:`_SHOWN`), which a Decimal's ``str`` spells exactly (−14 M instructions on a cold
    pass over 300 workbooks of distinct texts).
    """
    if value.__class__ is Decimal:
        text = value.__str__()  # as str(value), one call less
        shown = _SHOWN.get(text)
        if shown is not None:
            return shown
        if len(text) <= _PLAIN_TEXT_MAX:
            if text.isdigit():  # an integer ≥ 0, the commonest
                shown = text
            elif "E" not in text and "e" not in text and value.is_finite():
                shown = text.rstrip("0").rstrip(".") if "." in text else text
            if shown is not None:
                if len(_SHOWN) < _SHOWN_KEPT:
                    _SHOWN[text] = shown
                return shown
    if value is not None and value.is_finite() and value.adjusted() < 27:
        return f"{value.normalize():f}"
    return format_number(value)


#: The longest ``str`` of a Decimal :func:`show` returns as it is (see there).
_PLAIN_TEXT_MAX = 27


#: The ``str`` of a Decimal → what :func:`show` made of it without the context (the plain texts above).
#: Why no more than the first 1,024: the numbers that recur are met in a batch's first forms; about
#: 0.1 MB.
_SHOWN: dict[str, str] = {}
_SHOWN_KEPT = 1024
