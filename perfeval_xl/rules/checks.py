"""Checks shared by every form kind: the review of self-scores (复核) and the self-total."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ..model import Flag, ItemScore, Source
from ..rounding import show2
from .arithmetic import show
from .rulebook import Rulebook

ZERO = Decimal(0)


def review(item: ItemScore, rulebook: Rulebook, score_cell: Source | None = None, *,
           cells: Mapping[str, Source] | None = None) -> None:
    """复核: flag a self-score that differs from the engine's by more than the tolerance.

    The flag points at ``score_cell``, or else at the 得分 cell of the row's ``cells``, or else at
    the item.  Why ``cells``: a row's Source is made when asked for (readers.cells.RowSources),
    and only a flagged item needs one; making the 得分 cell of every row beforehand cost 42 M
    instructions of scoring 300 workbooks of distinct texts (0.4 % of their cold pass).
    """
    if item.self_score is None:
        return
    if not item.applicable:
        if item.self_score:  # the unit counted points the total leaves out: say so, as the 差异 is blank
            item.flags.append(Flag(f"本项不适用，不计入总分；单位自评得分{show(item.self_score)}未予采用",
                                   score_cell or (cells.get("score") if cells is not None else None) or item.source,
                                   "warning", "请单位核实自评得分"))
        return
    difference = item.score - item.self_score
    if abs(difference) > rulebook.review_tolerance:
        if score_cell is None and cells is not None:
            score_cell = cells.get("score")
        # Why str of the score and the Flag's arguments by position: a score is rounded to 2 places
        # already (str is show2 of it), a third of the rows of a batch are flagged here, and show2 and
        # the keyword cost 11 M instructions scoring 300 forms of distinct texts.
        item.flags.append(Flag(
            f"自评得分{show(item.self_score)}与复核得分{item.score.__str__()}不一致（差异{_shown_difference(difference)}）",
            score_cell or item.source, "warning", "请单位核实自评得分"))


def _shown_difference(difference: Decimal) -> str:
    """A difference as the flag says it: to 2 places, or as it is when it has more ("差异0.011",
    where 2 places said 0.01 of a difference flagged for exceeding 0.01)."""
    shown = show2(difference)
    return shown if Decimal(shown) == difference else show(difference)


def check_self_total(self_total: Decimal | None, source: Source | None, items: list[ItemScore],
                     total: Decimal, rulebook: Rulebook) -> list[Flag]:
    """Compare the unit's stated total with its item self-scores and with the engine's total."""
    if self_total is None:
        return []
    unscored = [item for item in items if item.applicable and item.self_score is None]
    if unscored:
        # A total over some items only is not comparable with the engine's total.
        return [Flag(f"自评得分未填全（{len(unscored)}项空白），自评总分{show(self_total)}仅供参考", source,
                     action="请单位补填全部自评得分")]
    flags = []
    stated = sum((item.self_score for item in items if item.applicable), ZERO)
    if abs(stated - self_total) > rulebook.review_tolerance:
        flags.append(Flag(f"自评总分{show(self_total)}与各项自评得分合计{show(stated)}不符", source, action="请单位核对自评总分"))
    if abs(total - self_total) > rulebook.review_tolerance:
        flags.append(Flag(f"自评总分{show(self_total)}，复核总分{show2(total)}，差异{_shown_difference(total - self_total)}",
                          source))
    return flags
