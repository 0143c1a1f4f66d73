"""perfeval-xl: read, re-score and write China's budget performance self-evaluation workbooks.

Typical use::

    import perfeval_xl

    result = perfeval_xl.score_workbook("政务大厅维护费项目.xlsx")
    for form in result.forms:
        print(form.name, form.total, form.grade)

    if __name__ == "__main__":  # score_folder's workers may import the script again (README)
        batch = perfeval_xl.score_folder("收件箱", out="评分结果", jobs=4)
        frame = batch.to_dataframe()
"""
from __future__ import annotations

from ._version import __version__
from .batch import BatchResult, FileOutcome, score_folder, score_workbook
from .errors import OutboxBusy, OutboxError, OutboxIsInbox, PerfevalError, RulebookError, WorkbookError
from .readers import ReadLimits
from .model import FileResult, Flag, FormResult, ItemScore, ProjectForm, Source
from .rules import Rulebook, builtin_rulebooks, load_rulebook
from .writers._display import readable_name


__all__ = [
    "score_workbook", "score_folder", "load_rulebook", "builtin_rulebooks",
    "BatchResult", "FileOutcome", "FileResult", "FormResult", "ItemScore", "ProjectForm", "Flag", "Source", "Rulebook",
    "PerfevalError", "WorkbookError", "RulebookError", "OutboxBusy", "OutboxError", "OutboxIsInbox", "ReadLimits",
    "readable_name", "__version__",
]
