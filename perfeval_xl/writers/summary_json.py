"""summary.json: the batch outcome for other tools.

Shape (extra keys may be added, none removed)::

    {"rulebook": str,
     "files": [{"file": str, "status": "ok"|"error"|"skipped", "error": str|null,
                "forms": [{"sheet", "kind", "name", "total", "self_total", "grade",
                           "flags": [str],
                           "items": [{"level1", "level2", "name", "weight", "score",
                                      "self_score", "basis", "flags": [str]}]}]}]}

``"duplicates"`` (after ``"files"``) lists each project or department that more than one form of
the batch evaluates: ``{"kind": "项目"|"部门", "name", "unit", "files": [str]}``.

Numbers are JSON numbers rounded half-up to 2 places; absent numbers are null.
A batch builds it with :class:`~.summary_spool.SummarySpool`, one file entry at a
time; ``rank`` is each form's rank by engine total (projects and departments
ranked apart).

Layout: compact JSON, each file entry on a line of its own::

    {"rulebook":"…","files":[␣␣…
    {"file":"a.xlsx",…,"rank":1␣␣␣,…},
    {"file":"b.xlsx",…,"rank":12␣␣,…}
    ],"duplicates":[…]}

Each entry is encoded once, as its file's result arrives (:func:`encode_entry`,
by Python's C encoder: ``indent`` would force the pure-Python one), with every
form's ``rank`` null, and a batch writes it into summary.json's place then,
when every file before it in the inbox is in (see ``SummarySpool.expect``): a
province's 100,000 files make ~2 GB of entries, which would otherwise all be
written after the last file.  What is known only then is filled in where its
place was kept: the rulebooks on the first line, padded with spaces to
:data:`HEAD_WIDTH` bytes, and each rank, left-aligned in a fixed width of
spaces (:func:`rank_width`).  JSON readers skip the spaces; every way of
writing the summary pads alike, so the file is the same however it was written.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Iterable, Sequence, Union

from ..model import FileResult, Flag, FormResult, ItemScore
from ._display import amount, display_name
from ._entry_json import ENCODER, encode_file_entry
from ._summary_rows import SentTwice, file_action, flag_action, issues


def summary_dict(files: list[FileResult], rulebook: str) -> dict[str, Any]:
    """The whole summary.json as a dict (holds it all in memory: for small batches and tests)."""
    from .summary_spool import spooled

    with spooled(files) as (spool, order):
        return {"rulebook": rulebook, "files": list(spool.file_entries(order)),
                "duplicates": [group.json() for group in spool.sent_twice(order)]}


def write_summary_json(files: list[FileResult], path: Path, rulebook: str) -> None:
    """summary.json for a list of results; a batch streams it with :class:`SummarySpool` instead."""
    from .summary_spool import spooled

    with spooled(files) as (spool, order):
        spool.write_json(path, rulebook, order)


#: What summary.json is written from: bytes, or a view of them.
Buffer = Union[bytes, memoryview]

#: How an entry leaves each form's rank for the end of the batch (see :func:`rank_offsets`).
NO_RANK = b'"rank":null'
#: What comes before a rank in an entry: a form's own key, as in :func:`rank_offsets`.
RANK_KEY = b'"rank":'
#: The bytes of the first line, ``{"rulebook":…,"files":[`` padded with spaces (longer rulebook
#: names make it longer, unpadded): room kept for the rulebooks, which are known last.
HEAD_WIDTH = 256
def tail(duplicates: Sequence["SentTwice"] = ()) -> bytes:
    """What ends the file after its last entry: the projects and departments sent more than once
    (``"duplicates"``, known only once every file is in)."""
    return b'\n],"duplicates":' + _encoded([group.json() for group in duplicates]) + b"}\n"


def head(rulebook: str) -> bytes:
    """summary.json's first line, up to its first entry (which starts on the next line)."""
    return (b'{"rulebook":' + _encoded(rulebook) + b',"files":[').ljust(HEAD_WIDTH)


def rank_width(files: int, lowest_rank: int | None = None) -> int:
    """The characters each rank takes in a summary of ``files`` files whose largest rank number is
    ``lowest_rank``: as many as the number of files has (ranks beyond it are rare: a workbook
    of several forms), at least those of ``null``."""
    return max(4, len(str(files)), len(str(lowest_rank or 0)))


def rank_text(rank: int, width: int) -> bytes:
    return b"%-*d" % (width, rank)


def write_json_lines(out: BinaryIO, rulebook: str, entries: Iterable[Iterable[Buffer]],
                     duplicates: Sequence["SentTwice"] = ()) -> None:
    """Write ``{"rulebook", "files": [...], "duplicates": [...]}``, one encoded file entry per line,
    holding one at a time.

    Each entry comes in parts written one after another (see :func:`ranked_entry_parts`).
    """
    out.write(head(rulebook))
    separator = b"\n"
    for parts in entries:
        out.write(separator)
        out.writelines(parts)
        separator = b",\n"
    out.write(tail(duplicates))


def encode_entry(file: FileResult) -> bytes:
    """The summary.json entry of one file as UTF-8 JSON text, every form's ``rank`` null.

    The text of ``file_entry(file)`` as the encoder writes it, put together
    directly (see :mod:`._entry_json`): the dicts cost more than the text.
    """
    text = encode_file_entry(file, file_action(file) if file.status != "ok" else None)
    # As _encoded: a lone surrogate becomes its JSON escape.
    return text.encode("utf-8", "backslashreplace")


def rank_offsets(entry: bytes, forms: int) -> list[int]:
    """Where each form's ``"rank":null`` starts in an entry of :func:`encode_entry` of ``forms`` forms.

    ``"rank":null`` can only be a form's own key: inside a JSON string every
    quote is escaped, so the bytes cannot occur there.  The spool finds them when
    the file is added, while the batch waits for its workers: searching the
    ~20 MB of entries of 1,000 files for them was 32 M of the 62 M instructions
    of writing summary.json, after the last file (−25 M there, +40 M as files arrive).
    """
    offsets = _offsets(entry, NO_RANK)
    if len(offsets) != forms:
        raise ValueError(f"an entry of {len(offsets)} form(s) given {forms} rank(s)")
    return offsets


def rank_key_offsets(entry: bytes) -> list[int]:
    """Where each ``"rank":`` starts in an entry whose ranks are filled in or padded (as the
    written-ahead summary.json holds them): a form's own key, as in :func:`rank_offsets`."""
    return _offsets(entry, RANK_KEY)


def _offsets(data: bytes, key: bytes) -> list[int]:
    offsets = []
    at = data.find(key)
    while at >= 0:
        offsets.append(at)
        at = data.find(key, at + len(key))
    return offsets


def ranked_entry_parts(entry: Buffer, ranks: Sequence[int], offsets: Sequence[int], width: int,
                       slot: int = len(NO_RANK)) -> list[Buffer]:
    """An entry with the ranks of its forms, in form order, spliced in where :func:`rank_offsets`
    found them (a ``"rank":`` key and its value, ``slot`` bytes in all), each ``width``
    characters wide (:func:`rank_text`), as parts to write one after another: views of
    ``entry`` around the ranks.

    Why views: summary.json of 1,000 files has ~20 MB of entries, and splitting
    each entry at its ranks and joining it again copied all of it twice: writing
    the views instead took summary.json from 84 M to 62 M instructions.
    """
    view = memoryview(entry)
    parts: list[Buffer] = []
    start = 0
    for rank, at in zip(ranks, offsets):
        parts += (view[start:at], RANK_KEY, rank_text(rank, width))
        start = at + slot
    parts.append(view[start:])
    return parts


def _encoded(value: Any) -> bytes:
    # A lone surrogate (from a file name that is not valid UTF-8) becomes its JSON escape
    # \udcXX, so it reads back as the same str.
    return ENCODER.encode(value).encode("utf-8", "backslashreplace")


def file_entry(file: FileResult) -> dict[str, Any]:
    """The summary.json entry of one file; every form's ``rank`` is None until the batch is ranked."""
    return {
        "file": file.file,
        "status": file.status,
        "error": file.error,
        "output": file.output,
        "reports": list(file.reports),
        "forms": [_form_entry(result, None) for result in file.forms],
        # Extras.
        "action": file_action(file) if file.status != "ok" else None,  # 处理建议 for a file that gave no form
        "note": file.note,  # what a file that gave no form, and is fine, was used for (an F2: for which F3)
    }


def _form_entry(result: FormResult, rank: int | None) -> dict[str, Any]:
    form = result.form
    return {
        "sheet": form.sheet,
        "kind": form.kind,
        "name": display_name(form),
        "total": amount(result.total),
        "self_total": amount(result.self_total),
        "grade": result.grade,
        "flags": list(map(str, result.flags)),
        "items": [_item_entry(item) for item in result.items],
        # Extras.
        "department": form.department,
        "unit": form.unit,
        "year": form.year,
        "layout": getattr(form, "layout", None),  # project forms only
        "rulebook": result.rulebook,
        "difference": amount(result.difference),
        "rank": rank,
        "issues": [_issue_entry(item, flag) for item, flag in issues(result)],
    }


def _item_entry(item: ItemScore) -> dict[str, Any]:
    return {
        "level1": item.level1,
        "level2": item.level2,
        "name": item.name,
        "weight": amount(item.weight),
        "score": amount(item.score),
        "self_score": amount(item.self_score),
        "basis": item.basis,
        "flags": list(map(str, item.flags)),  # map: no comprehension frame per item
        # Extras.
        "applicable": item.applicable,
        "difference": amount(item.difference),
        "cell": item.source.cell if item.source else None,
        "target": item.target,
        "actual": item.actual,
    }


def _issue_entry(item: ItemScore | None, flag: Flag) -> dict[str, Any]:
    return {
        "level": flag.level,
        "message": flag.message,
        "sheet": flag.source.sheet if flag.source else None,
        "cell": flag.source.cell if flag.source else None,
        "item": item.name if item else None,
        "action": flag_action(flag),  # 处理建议, as on 问题清单
    }
