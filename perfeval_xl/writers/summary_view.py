"""What the summaries say about a scored file, as a batch's only worker sends it to the batch's process.

A worker makes each file's summary record (:func:`.summary_spool.prepare_summary`): its summary.json
entry, 汇总 and 问题清单 rows, about 0.29 ms of its ~3 ms a workbook.  When a batch has one worker,
its own process waits on that worker most of the time, so the worker sends instead the few values
of the result the summaries are made of (:func:`summary_view`: its items' names, numbers, 评分依据
and flags, the forms' names and totals — 0.10 ms, 8 KB where the record is 20) and the batch's
process rebuilds a result of them (:func:`result_of_view`) and prepares the record from it, as the
worker would have: the same record, made by the same code (a test holds them equal on every layout).
With several workers the batch's process could not keep up with them all, and each prepares its own.
"""
from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Optional

from ..model import DepartmentForm, FileResult, Flag, FormResult, ItemScore, ProjectForm, Source


def summary_view(file: FileResult) -> bytes:
    """The values of a scored ``file`` its summary record is made of, pickled."""
    forms = []
    for result in file.forms:
        form = result.form
        if isinstance(form, DepartmentForm):
            heading = ("department", form.file, form.sheet, form.unit, form.title, form.year)
        else:
            heading = ("project", form.file, form.sheet, form.layout, form.title, form.year, form.name,
                       form.department, form.unit)
        items = [(item.level1, item.level2, item.name, _text(item.weight), _text(item.score), _text(item.self_score),
                  item.basis, _flags(item.flags), _place(item.source), item.applicable, item.target, item.actual)
                 for item in result.items]
        forms.append((heading, _text(form.self_total), result.rulebook, _text(result.total), result.grade,
                      _flags(result.flags), items, _text(result.budget), _text(result.executed)))
    return pickle.dumps((file.file, file.status, file.output, list(file.reports), forms, file.note),
                        pickle.HIGHEST_PROTOCOL)


def result_of_view(data: bytes) -> FileResult:
    """The scored file :func:`summary_view` was made of, as far as its summaries see it."""
    name, status, output, reports, forms, note = pickle.loads(data)
    results = []
    for heading, self_total, rulebook, total, grade, flags, items, budget, executed in forms:
        if heading[0] == "department":
            _, file, sheet, unit, title, year = heading
            form = DepartmentForm(file=file, sheet=sheet, unit=unit, title=title, year=year)
        else:
            _, file, sheet, layout, title, year, form_name, department, unit = heading
            form = ProjectForm(file=file, sheet=sheet, layout=layout, title=title, year=year, name=form_name,
                               department=department, unit=unit)
        form.self_total = _decimal(self_total)
        scored = [ItemScore(level1, level2, item_name, _decimal(weight), _decimal(score), _decimal(own), basis,
                            _rebuilt_flags(item_flags), _source(place), applicable, target, actual)
                  for (level1, level2, item_name, weight, score, own, basis, item_flags, place, applicable, target,
                       actual) in items]
        results.append(FormResult(form, rulebook, scored, _decimal(total), grade, _rebuilt_flags(flags),
                                  _decimal(budget), _decimal(executed)))
    return FileResult(name, status, forms=results, output=output, reports=reports, note=note)


# A Decimal travels as its text, which gives it back exactly (its exponent too); pickling it calls
# Python code per number.
def _text(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else str(value)


def _decimal(text: Optional[str]) -> Optional[Decimal]:
    return None if text is None else Decimal(text)


def _place(source: Optional[Source]) -> Optional[tuple[str, str]]:
    return None if source is None else (source.sheet, source.cell)


def _source(place: Optional[tuple[str, str]]) -> Optional[Source]:
    return None if place is None else Source(*place)


def _flags(flags: list[Flag]) -> list[tuple]:
    return [(flag.message, _place(flag.source), flag.level, flag.action) for flag in flags]


def _rebuilt_flags(flags: list[tuple]) -> list[Flag]:
    return [Flag(message, _source(place), level, action) for message, place, level, action in flags]
