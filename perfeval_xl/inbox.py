"""Finding the workbooks in an inbox, and where each one's outputs go."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SCORED_SUFFIX = ".scored.xlsx"


@dataclass(frozen=True)
class InboxEntry:
    path: Path
    relative: str  # forward slashes, relative to the inbox
    skip_reason: str | None = None  # set for lock/hidden/temp files, which are listed but not read


def list_inbox(inbox: Path, outbox: Path | None = None) -> list[InboxEntry]:
    """Every workbook under ``inbox`` (recursively), sorted; the outbox is left out."""
    inbox = inbox.resolve()
    outbox = outbox.resolve() if outbox is not None else None
    entries = []
    for path in sorted(inbox.rglob("*")):
        if outbox is not None and (path == outbox or outbox in path.parents):
            continue
        if not path.is_file() or not path.name.lower().endswith(WORKBOOK_SUFFIXES):
            continue
        relative = path.relative_to(inbox).as_posix()
        entries.append(InboxEntry(path, relative, _skip_reason(path, inbox)))
    return entries


def _skip_reason(path: Path, inbox: Path) -> str | None:
    name = path.name
    if name.startswith("~$"):
        return "Excel/WPS临时锁定文件，已跳过"
    if name.startswith(".~") or name.startswith("~"):
        return "临时文件，已跳过"
    if any(part.startswith(".") for part in path.relative_to(inbox).parts):
        return "隐藏文件，已跳过"
    if name.lower().endswith(SCORED_SUFFIX):
        return "已是评分结果文件，已跳过"
    return None


def scored_path(relative: str) -> str:
    """Where the scored form of an input goes, relative to the outbox: a/b.xls → a/b.scored.xlsx."""
    path = Path(relative)
    return (path.parent / (path.stem + SCORED_SUFFIX)).as_posix()
