"""The batch summaries built one result at a time, in memory that does not grow with the batch.

A batch of 10,000 forms must not need more memory than one of 100, so the
summaries are not built from a list of every result.  Each
:class:`~perfeval_xl.model.FileResult` goes through two steps as it arrives (in
completion order):

1. :func:`prepare_summary` works out everything the summaries will say about
   the file, needing nothing but the result, so it can run in the worker
   process that scored it.  It returns a :class:`SummaryRecord`: the per-form
   facts that are ranked, counted and added up (:class:`FormFacts`: kind,
   total, self total, grade, 主管部门 and money) and the bulky parts already
   encoded: the file's summary.json entry (every item and flag), the 汇总 row
   of each form and its 问题清单 rows, both rendered as worksheet XML and
   measured (see :mod:`._rendered_rows`).  It pickles cheaply, and
   :meth:`SummaryRecord.to_bytes` stores it.
2. :meth:`SummarySpool.add_record`, in the parent, appends the encoded parts
   to the spool files on disk, then a short record of the file (its status,
   where its parts are on disk and its facts: about 100 bytes for a one-form
   file); in memory it keeps only where that record is (8 bytes a file of a batch that
   said which files will come: by the file's place in that order).  A batch that said which
   files will come (:meth:`SummarySpool.expect`) also gets 问题清单's rows numbered
   and deflated here, as soon as every file before them by name is in, and, as
   soon as every file before it in inbox order is in, each file is taken into what
   every summary needs of it (:class:`_Batch`, numbers that go to disk a block at a
   time until the summaries are written: :class:`_Spilled`) and its summary.json
   entry written into summary.json's place (:class:`_JsonBody`).

:meth:`SummarySpool.write` then ranks the forms (keyed by file and form
index) and streams summary.json, summary.xlsx (xlsxwriter ``constant_memory``)
and summary.csv in inbox order, reading the spooled parts back one at a time:
it only splices in ranks, row numbers and cell formats.  Measured on 10,000
one-form files of 20 indicators and 15 flags each, writing all three
summaries: peak RSS 72 MB against 60 MB for 100 files (the list-based writers
needed 1.46 GB).

::

    spool = SummarySpool(outbox / ".perfeval" / "summary")
    for result in results:            # any order
        spool.add(result)             # = spool.add_record(result.file, prepare_summary(result))
    spool.write(outbox, rulebook, order=[...inbox order of FileResult.file...],
                formats=("xlsx", "json", "csv"))
    spool.close()                     # removes the spool files
"""
from __future__ import annotations

import bisect
import contextlib
import csv
import itertools
import json
import operator
import os
import struct
import tempfile
from array import array
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Callable, Hashable, Iterable, Iterator, NamedTuple, Optional, Sequence, Union

from ..model import FileResult
from ._atomic import atomic_output
from ._display import GRADES, LEVEL_LABELS, amount, excel_text
from ._issue_rows import render_file_issues
from ._rendered_rows import LATER, LATER_MARK, render_rows, shown, width_needed
from ._summary_rows import (KIND_ORDER, FormFacts, SentTwice, form_facts, formless_row, groups_sent_twice,
                            overview_row)
from .summary_json import (
    NO_RANK, RANK_KEY, encode_entry, head, rank_key_offsets, rank_offsets, rank_text, rank_width,
    ranked_entry_parts, tail, write_json_lines,
)
from .summary_xlsx import (
    ISSUE_COLUMNS, OVERVIEW_COLUMNS, SCORE_BINS, DeflatedRows, DeflatedSheets, FormTally, RenderedTable, SummaryContent,
    data_style_indices, write_summary_workbook,
)

#: The summaries :meth:`SummarySpool.write` can write, and the file name of each in the outbox.
SUMMARY_FILES = {"xlsx": "summary.xlsx", "json": "summary.json", "csv": "summary.csv"}

#: A text cell starting with one of these may be taken for a formula by Excel, WPS or LibreOffice
#: when the CSV is opened (OWASP "CSV injection").  The full-width forms are included to be safe:
#: a quote in front of such text costs nothing.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Single characters, so a set can tell: text.startswith(FORMULA_TRIGGERS) tries them one by one.
_FORMULA_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
assert all(len(trigger) == 1 for trigger in _FORMULA_TRIGGER_SET)


def csv_text(text: str) -> str:
    """Text made safe for a CSV cell: without the control characters Excel cells cannot hold (an ESC
    sequence would also act on a terminal that prints the file), and a leading formula trigger gets
    a single quote in front (OWASP)."""
    text = excel_text(text)
    return "'" + text if text[:1] in _FORMULA_TRIGGER_SET else text


# -- one file, prepared -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryRecord:
    """Everything the summaries say about one input file, encoded (see :func:`prepare_summary`)."""

    file: str  # FileResult.file
    status: str
    facts: tuple[FormFacts, ...]  # per form
    entry: bytes  # summary.json entry, UTF-8 JSON, every form's rank null (summary_json.encode_entry)
    rows: tuple[bytes, ...]  # 汇总: a row per form, or the one row of a file that gave none (_overview_lines)
    issues: bytes  # 问题清单 rows, rendered (_issue_rows, as _rendered_rows renders rows)
    measures: bytes  # _MEASURES: 汇总 widths, 问题清单 widths, 问题清单 rows, of them 错误, 提示

    def to_bytes(self) -> bytes:
        """The record as bytes: a JSON header line (file, status, facts, part sizes), then the parts as they are."""
        parts = (self.entry, self.issues, self.measures, *self.rows)
        header = _compact_json([self.file, self.status, [_facts_json(facts) for facts in self.facts],
                                [len(part) for part in parts]])
        return b"".join((header.encode("ascii"), b"\n", *parts))

    @classmethod
    def from_bytes(cls, data: bytes) -> "SummaryRecord":
        """The record :meth:`to_bytes` gave."""
        end = data.index(b"\n")
        file, status, facts, sizes = json.loads(data[:end])
        parts = []
        at = end + 1
        for size in sizes:
            parts.append(data[at:at + size])
            at += size
        if at != len(data) or len(parts) != 3 + max(1, len(facts)):
            raise ValueError("not a summary record")
        entry, issues, measures, *rows = parts
        return cls(file, status, tuple(_facts_from_json(item) for item in facts), entry, tuple(rows),
                   issues, measures)


def prepare_summary(file: FileResult) -> SummaryRecord:
    """Everything the summaries say about ``file``, worked out from the result alone (ranks come later)."""
    rows, overview_widths = _overview_lines(file)
    issues = render_file_issues(file)
    return SummaryRecord(
        file=file.file,
        status=file.status,
        facts=tuple(form_facts(result) for result in file.forms),
        entry=encode_entry(file),
        rows=rows,
        issues=issues.xml,
        measures=_MEASURES.pack(*overview_widths, *issues.widths, issues.rows, issues.errors, issues.warnings),
    )


def _overview_lines(file: FileResult) -> tuple[tuple[bytes, ...], list[float]]:
    """The file's 汇总 rows as spooled, and the width each column needs for them.

    A row is spooled as its values on a JSON line (for summary.csv), then its
    XML (for summary.xlsx); a form's 排名 is filled in when the batch is written.
    """
    if file.forms:
        rows = [overview_row(file, result) for result in file.forms]
        rendered = [render_rows(OVERVIEW_COLUMNS, [[LATER, *row[1:]]]) for row in rows]
    else:
        rows = [formless_row(file)]
        rendered = [render_rows(OVERVIEW_COLUMNS, rows)]
    # ASCII escapes: any str round-trips, lone surrogates included.
    lines = tuple(_row_json(row).encode("ascii") + b"\n" + xml
                  for row, (xml, _) in zip(rows, rendered))
    return lines, [max(widths) for widths in zip(*(widths for _, widths in rendered))]


#: A file's measures as spooled and stored: the width each column of 汇总 and of 问题清单 needs
#: (doubles), then 问题清单's rows and, of them, those of level 错误 and 提示 (integers).  Packed,
#: not JSON: writing 22 floats as text (their shortest repr) and reading them back cost more than
#: the rest of the measures.
_MEASURES = struct.Struct(f"<{len(OVERVIEW_COLUMNS) + len(ISSUE_COLUMNS)}d3q")


def _overview_line_values(line: bytes) -> list:
    return _ascii_json(line[:line.index(b"\n")])


def _overview_line_xml(line: bytes) -> bytes:
    return line[line.index(b"\n") + 1:]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return amount(value)  # as write_value shows it: 2 places, None when not finite
    raise TypeError(f"cannot spool {type(value).__name__}")


# What json.dumps(value, separators=(",", ":")) writes (with default=_jsonable for a 汇总 row), by
# encoders made once: json.dumps with any argument builds a JSONEncoder on every call.  No circular
# check: the values are fresh lists of plain values.
_compact_json = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
_row_json = json.JSONEncoder(separators=(",", ":"), default=_jsonable, check_circular=False).encode

# Reads back what they wrote (ASCII: ensure_ascii is on) by a decoder made once, from str.  Why not
# json.loads: given the bytes of a line it guesses their encoding, decodes them with an error
# handler and matches whitespace around the value, and took three times as long (7.7 against 2.6 µs
# a 汇总 row).
_parse_json = json.JSONDecoder().raw_decode


def _ascii_json(line: bytes) -> Any:
    """The value a spooled JSON line (ASCII, see :data:`_compact_json`) starts with; what follows it is ignored."""
    return _parse_json(line.decode("ascii"))[0]


def _facts_json(facts: FormFacts) -> list:
    """FormFacts as JSON-able data; amounts as Decimal strings, so nothing is rounded."""
    return [facts.kind, facts.grade, facts.department, _number(facts.total), _number(facts.self_total),
            _number(facts.budget), _number(facts.executed), facts.key, facts.department_name]


def _facts_from_json(data: list) -> FormFacts:
    kind, grade, department, total, self_total, budget, executed, key, department_name = data
    return FormFacts(kind, Decimal(total), _decimal(self_total), grade, department, _decimal(budget),
                     _decimal(executed), key, department_name)


def _number(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else str(value)


def _decimal(text: Optional[str]) -> Optional[Decimal]:
    return None if text is None else Decimal(text)


#: Where each form's rank goes in its file's summary.json entry (summary_json.rank_offsets), found
#: when the file is added: the entries spool holds each entry followed by these offsets, one
#: unsigned int a form, so summary.json is written after the last file without searching.
_RANK_OFFSET = struct.Struct("<I")


def _packed_offsets(offsets: list[int]) -> bytes:
    return struct.pack(f"<{len(offsets)}I", *offsets)


# -- the spool --------------------------------------------------------------------------------


Span = tuple[int, int]  # (offset, length) of one part in a spool file


# Named tuples, not dataclasses: cheaper to build, and every write decodes each file's record.
class _Form(NamedTuple):
    facts: FormFacts
    row: Span  # its 汇总 row (排名 left empty) in the rows spool


class _File(NamedTuple):
    name: str  # FileResult.file
    status: str
    entry: Span  # summary.json entry in the entries spool
    issues: Span  # 问题清单 rows in the issues spool
    measures: Span  # widths and issue counts in the measures spool
    formless_row: Optional[Span]  # 汇总 row of a file that gave no form
    forms: tuple[_Form, ...]


#: A positioned read, where the system has one (not Windows).
_pread = getattr(os, "pread", None)


class _SpoolFile:
    """An append-only file of encoded parts, read back by (offset, length), or by offset when a part
    is one line."""

    def __init__(self, path: Path):
        self.path = path
        self._stream: IO[bytes] = open(path, "w+b")  # a stale spool of an earlier run is truncated
        self._end = 0
        self._flushed = 0  # what was appended before this offset is in the file, not only in the stream's buffer

    def append(self, data: bytes) -> Span:
        self._stream.seek(self._end)
        self._stream.write(data)
        span = (self._end, len(data))
        self._end += len(data)
        return span

    def append_parts(self, parts: Sequence) -> int:
        """``parts`` (bytes-like) appended as one part, without joining them first; return its offset."""
        self._stream.seek(self._end)
        start = self._end
        for part in parts:
            self._end += self._stream.write(part)
        return start

    def append_pair(self, data: bytes, tail: bytes) -> Span:
        """``data`` followed by ``tail``, appended as one part (without joining them first)."""
        self._stream.seek(self._end)
        self._stream.write(data)
        self._stream.write(tail)
        span = (self._end, len(data) + len(tail))
        self._end += span[1]
        return span

    def read(self, span: Span) -> bytes:
        """The part at ``span``.

        Why os.pread, not seek and read on the stream: one system call, not two (the stream
        reads 8 KB ahead at every seek), for the parts read back in their own order after the
        last file (汇总's rows by rank, the entries of summary.json).
        """
        at, size = span
        if _pread is None:  # Windows
            self._stream.seek(at)
            return self._stream.read(size)
        if at + size > self._flushed:
            self._stream.flush()
            self._flushed = self._end
        data = _pread(self._stream.fileno(), size, at)
        if len(data) != size:  # a short read, which a regular file never gives: the stream's way
            self._stream.seek(at)
            data = self._stream.read(size)
        return data

    def read_line(self, offset: int) -> bytes:
        """The part at ``offset`` that was appended as one line."""
        self._stream.seek(offset)
        return self._stream.readline()

    def close(self) -> None:
        self._stream.close()
        self.path.unlink(missing_ok=True)


#: Files a batch takes in as they arrive (see SummarySpool.expect) between two blocks of the
#: numbers it keeps of them going to disk (:class:`_Spilled`): 1,024 files are about 100 KB.
SPILL_EVERY = 1024


class _Spilled:
    """Arrays of numbers filled in order and read only once they are complete, kept in a file but
    for what was added since their last block went there.

    What a batch keeps of each file as files arrive (where its parts are in the spool, its forms'
    totals, kinds and rank slots: 88 bytes a one-form file) is needed only when the summaries
    are written.  Held in memory, it was most of what the batch's process held more at 10,000
    files than at 100 while its workers ran (0.9 MB, and the memory left free behind each array
    as it grew); now that process holds a block of it at most.  Read back when the summaries are
    written: 0.9 MB for 10,000 files, from the page cache, into arrays made at their size.
    """

    def __init__(self, path: Path):
        self._file = _SpoolFile(path)
        self._blocks: list[tuple[int, array]] = []  # each block's offset and its arrays' lengths
        self._room = SPILL_EVERY  # files until the arrays go to disk

    def file_added(self, arrays: Callable[[], Sequence[array]]) -> None:
        """Count one more file taken in; every :data:`SPILL_EVERY` files, :meth:`spill` ``arrays()``."""
        self._room -= 1
        if not self._room:
            self.spill(arrays())
            self._room = SPILL_EVERY

    def spill(self, arrays: Sequence[array]) -> None:
        """Append what ``arrays`` hold to the file, as one block, and empty them."""
        self._blocks.append((self._file.append_parts(arrays), array("q", map(len, arrays))))
        for numbers in arrays:
            del numbers[:]

    def restored(self, arrays: Sequence[array]) -> list[array]:
        """Each of ``arrays`` (as given to :meth:`spill`) whole: what was spilled from it, then what
        it holds now; the file is closed."""
        if not self._blocks:  # none went
            self.close()
            return list(arrays)
        lengths = [len(numbers) for numbers in arrays]
        for _, sizes in self._blocks:
            lengths = [length + size for length, size in zip(lengths, sizes)]
        whole = [array(numbers.typecode, [0]) * length for numbers, length in zip(arrays, lengths)]
        views = [memoryview(numbers).cast("B") for numbers in whole]
        filled = [0] * len(arrays)
        for offset, sizes in self._blocks:
            data = memoryview(self._file.read((offset, sum(size * numbers.itemsize
                                                           for size, numbers in zip(sizes, arrays)))))
            at = 0
            for index, (size, numbers) in enumerate(zip(sizes, arrays)):
                size *= numbers.itemsize
                views[index][filled[index]:filled[index] + size] = data[at:at + size]
                filled[index] += size
                at += size
        for view, start, numbers in zip(views, filled, arrays):
            view[start:] = memoryview(numbers).cast("B")
            view.release()
        self.close()
        return whole

    def close(self) -> None:
        self._blocks = []
        self._file.close()


class _Records:
    """The record of each file, one short ASCII line (~100 bytes for a one-form file) in a spool
    file of its own: in memory stays only its offset.

    A record is the JSON list ``[status, entry offset, entry length, issues
    offset, issues length, measures offset, measures length, formless-row
    offset, formless-row length, name, form, ...]`` with each form ``[kind,
    grade, department, total, self total, budget, executed, row offset, row
    length, key, department as written]``.  Repeated words (status, kind, grade, 主管部门 both ways) are numbers into
    a table of distinct strings (not the key: one per form, the table would grow
    with the batch); amounts are Decimal strings, so nothing is rounded; ``name``
    is null when it is the key.
    """

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._words: list[str] = []

    def _code(self, word: str) -> int:
        code = self._codes.get(word)
        if code is None:
            code = self._codes[word] = len(self._words)
            self._words.append(word)
        return code

    def encode(self, key: Hashable, file: _File) -> bytes:
        record: list[Any] = [self._code(file.status), *file.entry, *file.issues, *file.measures,
                             *(file.formless_row or (None, None)), None if key == file.name else file.name]
        for form in file.forms:
            facts = form.facts
            record.append([self._code(facts.kind), self._code(facts.grade), self._code(facts.department),
                           _number(facts.total), _number(facts.self_total), _number(facts.budget),
                           _number(facts.executed), *form.row, facts.key, self._code(facts.department_name)])
        return _compact_json(record).encode("ascii") + b"\n"

    def decode(self, key: Hashable, record: bytes) -> _File:
        """The file :meth:`encode` gave."""
        (status, entry_at, entry_size, issues_at, issues_size, measures_at, measures_size, row_at, row_size,
         name, *forms) = _ascii_json(record)
        words = self._words
        # Positional, and the forms from a list: keyword arguments and a generator cost 5 M
        # instructions of the 113 M of a pass over 1,000 files.
        return _File(
            key if name is None else name,  # name
            words[status],  # status
            (entry_at, entry_size),  # entry
            (issues_at, issues_size),  # issues
            (measures_at, measures_size),  # measures
            None if row_at is None else (row_at, row_size),  # formless_row
            tuple([  # forms
                _Form(FormFacts(words[kind], Decimal(total), _decimal(self_total), words[grade], words[department],
                                _decimal(budget), _decimal(executed), key_of_form, words[written]), (at, size))
                for kind, grade, department, total, self_total, budget, executed, at, size, key_of_form, written
                in forms]),
        )


#: The buffers one os.writev is given at most (POSIX's least IOV_MAX is 16; Linux's is 1,024).
_MOST_PARTS = 16

#: Whether summary.json can be written as files arrive here: it needs positioned reads and writes,
#: and moving a file still open (Windows has neither: there it is written after the last file).
_WRITES_AHEAD = all(hasattr(os, name) for name in ("pread", "pwrite", "writev")) and os.name == "posix"


class _JsonBody:
    """summary.json written as its files come, in inbox order, with room for what is known only at
    the end (see summary_json's layout); filled in and moved into place when the batch is written.

    The spool writes each file's entry here as it takes the file in, in inbox order (see
    :meth:`SummarySpool._take_in`), for the batch it takes them into (``batch``).  Kept in
    memory: where each form's rank goes, 8 bytes a form.
    """

    def __init__(self, path: Path, files: int, batch: "_Batch"):
        """The summary of ``files`` files, which ``batch`` will hold once all are in; where their
        ranks go is kept beside ``path`` (see :class:`_Spilled`)."""
        self.path = path
        self.files = files
        self.batch = batch
        self.width = rank_width(files)
        self.finished = False  # its ranks and rulebooks filled in, by finish
        self.moved = False  # to its place in the outbox, by finish
        self._written = False  # an entry yet (the first has no comma before it)
        self._padding = b" " * (self.width - len(b"null"))  # after each null: the room a rank needs
        self._slots = array("q")  # per form, in inbox order: where its rank's value goes
        self._spilled = _Spilled(path.with_name(path.name + ".slots"))
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        self._end = 0
        self._write([head("")])

    def _write(self, parts: list) -> None:
        if len(parts) > _MOST_PARTS:  # an entry of hundreds of forms: writev takes at most IOV_MAX buffers
            parts = [b"".join(parts)]
        written = os.writev(self._fd, parts)
        self._end += written
        rest = b"".join(parts)[written:] if written < sum(map(len, parts)) else b""
        while rest:  # a short write (a signal, a full disk raises): the rest in one piece
            done = os.write(self._fd, rest)
            self._end += done
            rest = rest[done:]

    def add(self, entry: bytes, offsets: list[int]) -> Span:
        """Append the next file's entry, its ``"rank":null`` at ``offsets``; return its span here."""
        separator = b",\n" if self._written else b"\n"  # the first entry starts the second line
        start = self._end + len(separator)
        padding = self._padding
        if padding:
            view, parts, at = memoryview(entry), [separator], 0
            for index, offset in enumerate(offsets):
                self._slots.append(start + offset + len(RANK_KEY) + index * len(padding))
                end = offset + len(NO_RANK)
                parts += (view[at:end], padding)
                at = end
            parts.append(view[at:])
        else:
            self._slots.extend([start + offset + len(RANK_KEY) for offset in offsets])
            parts = [separator, entry]
        self._write(parts)
        self._written = True
        self._spilled.file_added(self._slot_arrays)
        return start, self._end - start

    def read(self, span: Span) -> bytes:
        return os.pread(self._fd, span[1], span[0])

    def finish(self, target: Path, rulebook: str, batch: "_Batch", duplicates: Sequence[SentTwice] = ()) -> bool:
        """Fill in ``rulebook`` and the ranks of ``batch``'s forms, end the file and move it to
        ``target``; False, with nothing changed, when ``batch`` is not the one taken in with these
        entries (another order, a file missing or added again: see SummarySpool._batch) or what is
        filled in needs more room."""
        first_line = head(rulebook)
        if (batch is not self.batch or self.finished or len(first_line) != len(head(""))
                or rank_width(self.files, batch.lowest_rank) != self.width):
            return False
        fd, width = self._fd, self.width
        self._slots, = self._spilled.restored([self._slots])
        for slot, rank in zip(self._slots, batch.ranks):
            os.pwrite(fd, rank_text(rank, width), slot)
        os.pwrite(fd, first_line, 0)
        self._write([tail(duplicates)])
        self.finished = True  # its entries are still read back as they are, ranked, through the open file
        try:
            os.replace(self.path, target)
        except OSError:  # e.g. OUTBOX/.perfeval on another file system: written from the entries, as before
            return False
        self.moved = True
        return True

    def _slot_arrays(self) -> list[array]:
        return [self._slots]

    def close(self) -> None:
        self._spilled.close()
        os.close(self._fd)
        if not self.moved:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _ascending(keys: Sequence[Hashable]) -> bool:
    """Whether ``keys`` are in the order sorted() would put them in."""
    return all(map(operator.le, keys, itertools.islice(keys, 1, None)))


def _in_body(span: Span) -> Span:
    """A span in summary.json's body as the records keep it: offsets below 0 (the spool's are not)."""
    return -1 - span[0], span[1]


class SummarySpool:
    """Collects what the batch summaries need, one file at a time, in bounded memory."""

    def __init__(self, folder: Path) -> None:
        """``folder`` is private to this spool (the batch passes OUTBOX/.perfeval/summary); created if missing."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._entries = _SpoolFile(self.folder / "entries.jsonl")  # summary.json entry per file (see _RANK_OFFSET)
        self._issues = _SpoolFile(self.folder / "issues.xml")  # 问题清单 rows per file
        self._measures = _SpoolFile(self.folder / "measures.bin")  # widths and issue counts per file
        self._rows = _SpoolFile(self.folder / "rows.spool")  # 汇总 row per form / formless file
        self._record_lines = _SpoolFile(self.folder / "records.jsonl")  # the record of each file
        self._records = _Records()
        # Where each file's record is: the files expect() named, by their place in its order (-1
        # until added), and any other by key.  Why an array of places, not a dict by key: 8 bytes
        # a file, not 52 (a dict entry and an int object), and the batch knows each file's place.
        self._expected: Sequence[Hashable] = []  # the keys expect() was given, in inbox order (kept, not copied)
        self._where = array("q")  # per expected key: the offset of its record, or -1
        self._places: Optional[dict[Hashable, int]] = None  # expected key → place, made when first asked by key
        self._files: dict[Hashable, int] = {}  # any other key → the offset of its record
        # 问题清单 deflated as files arrive (see expect): the places of the files in its order (None:
        # the inbox order is its order), how many of them are in, and their rows so far.
        self._issue_order: Optional[array] = None
        self._issues_deflated = 0
        self._deflated_issues: Optional[DeflatedSheets] = None
        # What every summary needs of the files, taken in as they arrive in inbox order (see
        # expect): how many files are in, and what they gave so far.
        self._taken = 0
        self._arrived: Optional[_Batch] = None
        self._json_body: Optional[_JsonBody] = None  # summary.json written as files arrive (see expect)
        #: What the last :meth:`write` found sent more than once (see :class:`SentTwice`)
        self.duplicates: list[SentTwice] = []

    def __enter__(self) -> "SummarySpool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._files) + len(self._where) - self._where.count(-1)

    def close(self) -> None:
        """Remove the spool files (and the folder, when nothing else is in it)."""
        for spool in (self._entries, self._issues, self._measures, self._rows, self._record_lines):
            spool.close()
        self._files.clear()
        self._expected, self._where, self._places = [], array("q"), None
        self._stop_deflating_issues()
        self._stop_taking_in()
        self._stop_json_body()
        with contextlib.suppress(OSError):
            self.folder.rmdir()

    # -- collecting ------------------------------------------------------------------------

    def add(self, file: FileResult) -> None:
        """Take in one input file's result, in any order; keeps no reference to it.

        Adding a file again (the same ``FileResult.file``) replaces what was
        added for it before, e.g. a department file scored again once its base
        data turned up in another file.
        """
        self.add_record(file.file, prepare_summary(file))

    def add_record(self, key: Hashable, record: SummaryRecord, at: Optional[int] = None) -> None:
        """Take in a prepared file under ``key`` (the batch uses ``FileResult.file``); as :meth:`add`.

        ``at``: the place of ``key`` in the order :meth:`expect` was given, when the caller knows
        it (the batch does): else it is looked up, in a table of every expected key made then.
        """
        if len(record.rows) != max(1, len(record.facts)):
            raise ValueError(f"a summary record of {len(record.facts)} form(s) with {len(record.rows)} row(s)")
        if at is None:
            at = self._place(key)
        elif self._expected[at] != key:
            raise ValueError(f"{key!r} is not at {at} in the order expected")
        offsets = rank_offsets(record.entry, len(record.facts))
        replacing = key in self._files if at is None else self._where[at] >= 0
        if replacing and at is not None and at < self._taken:
            self._stop_taking_in()  # taken in already: the summaries are written from the records
        in_turn = at is not None and at == self._taken and self._arrived is not None
        if in_turn and self._json_body is not None:
            entry = _in_body(self._json_body.add(record.entry, offsets))
        else:
            entry = self._entries.append_pair(record.entry, _packed_offsets(offsets))
        file = _File(
            name=key if record.file == key else record.file,  # the key, held anyway, as _Records.decode gives it
            status=record.status,
            entry=entry,
            issues=self._issues.append(record.issues),
            measures=self._measures.append(record.measures),
            formless_row=None if record.facts else self._rows.append(record.rows[0]),
            forms=tuple(_Form(facts, self._rows.append(row)) for facts, row in zip(record.facts, record.rows)),
        )
        offset, _ = self._record_lines.append(self._records.encode(key, file))
        if at is None:
            self._files[key] = offset
        else:
            self._where[at] = offset
            if self._deflated_issues is not None:
                self._deflate_issues(at, key, record, replacing)
        if in_turn:
            self._take_in(key, file, record.measures)

    def _place(self, key: Hashable) -> Optional[int]:
        """The place of ``key`` in the order :meth:`expect` was given, or None."""
        if not self._expected:
            return None
        if self._places is None:  # for a caller that does not say (the batch does: see add_record)
            self._places = {expected: place for place, expected in enumerate(self._expected)}
        return self._places.get(key)

    def _offset(self, key: Hashable) -> Optional[int]:
        """Where the record of ``key`` is in the records spool, or None when it was never added."""
        at = self._place(key)
        if at is None:
            return self._files.get(key)
        offset = self._where[at]
        return offset if offset >= 0 else None

    def _offsets(self, order: Sequence[Hashable]) -> Iterable[Optional[int]]:
        """:meth:`_offset` of each key of ``order``."""
        if self._is_expected(order):
            return (offset if offset >= 0 else None for offset in self._where)
        return map(self._offset, order)

    def _is_expected(self, order: Sequence[Hashable]) -> bool:
        """Whether ``order`` is the order :meth:`expect` was given."""
        expected = self._expected
        return len(expected) > 0 and (order is expected or (
            len(order) == len(expected) and all(map(operator.eq, order, expected))))

    def expect(self, keys: Iterable[str], formats: tuple[str, ...] = ("xlsx", "json")) -> None:
        """Say, before any file is added, which files the batch will summarise (every ``FileResult.file``
        of its inbox, each the key it is added under, in inbox order) and in which ``formats``, so
        that summary.xlsx's 问题清单 rows are numbered and deflated and summary.json's entries
        written while files arrive, not when the summaries are written.

        summary.json's entries go in inbox order, and are written as :class:`_JsonBody` says:
        its 20 MB for 1,000 files took 27–40 ms after the last file, 2 ms now.

        Its rows go by file name, so each file's rows can be deflated once every file before it
        by name is in; the files that come early wait in the spool.  At jobs=1 they come in
        that order, and the batch's process, which mostly waits for its worker meanwhile, takes
        off the end of the batch about two thirds of writing summary.xlsx (1,000 files: 0.97 G of
        its 1.31 G instructions were 问题清单's rows).  A file added again after its rows went,
        or a write of other files, writes the rows from the spool as before.  So, in inbox
        order, each file is taken into what every summary needs of it (see :meth:`_take_in`).

        ``keys`` (a sequence) is kept as it is, not copied: the batch's names, held once.
        """
        keys = keys if isinstance(keys, Sequence) else list(keys)
        self._stop_deflating_issues()
        self._stop_json_body()
        self._stop_taking_in()
        self._forget_places()
        self._expected = keys
        self._where = array("q", [-1]) * len(keys)
        for key in [key for key in self._files if self._place(key) is not None]:  # added before this
            self._where[self._place(key)] = self._files.pop(key)
        self._arrived = _Batch(keys, self.folder / "arrived.bin")
        if "json" in formats and _WRITES_AHEAD:
            self._json_body = _JsonBody(self.folder / "summary.json.part", len(keys), self._arrived)
        if "xlsx" in formats:
            # The places in file-name order: none when the inbox order is that order (usually).
            self._issue_order = None if _ascending(keys) else array("q", sorted(range(len(keys)), key=keys.__getitem__))
            self._deflated_issues = DeflatedSheets(self.folder, "issues", data_style_indices())

    def _forget_places(self) -> None:
        """The files of an earlier :meth:`expect` kept by key (another order is expected now)."""
        for key, offset in zip(self._expected, self._where):
            if offset >= 0:
                self._files[key] = offset
        self._expected, self._where, self._places = [], array("q"), None

    def _stop_json_body(self) -> None:
        if self._json_body is not None:
            self._json_body.close()
        self._json_body = None

    def _deflate_issues(self, at: int, key: Hashable, record: SummaryRecord, replacing: bool) -> None:
        """The rows of ``key``, just added, at ``at`` in the expected order, and of the files that
        waited for it, if it is next in 问题清单."""
        order, done, keys, where = self._issue_order, self._issues_deflated, self._expected, self._where
        if replacing:
            if (at if order is None else bisect.bisect_left(order, keys[at], key=keys.__getitem__)) < done:
                self._stop_deflating_issues()  # its rows went already
                return
        if done == len(keys) or (done if order is None else order[done]) != at:
            return  # not next: it waits
        if record.file != key:  # 问题清单 goes by the name in the record
            self._stop_deflating_issues()
            return
        deflated = self._deflated_issues
        deflated.add(record.issues)
        done += 1
        while done < len(keys):
            place = done if order is None else order[done]
            if where[place] < 0:
                break
            key = keys[place]
            file = self._file_at(key, where[place])
            if file.name is not key and file.name != key:
                self._stop_deflating_issues()
                return
            deflated.add(self._issues.read(file.issues))
            done += 1
        self._issues_deflated = done

    def _stop_deflating_issues(self) -> None:
        if self._deflated_issues is not None:
            self._deflated_issues.close()
        self._deflated_issues = None
        self._issue_order = None
        self._issues_deflated = 0

    def _take_in(self, key: Hashable, file: _File, measures: bytes) -> None:
        """``file``, just added under ``key`` and the next in inbox order (its entry already in
        summary.json's body, when there is one), and then the files that came early and waited for it, taken
        into the batch as it arrived (see :meth:`expect`), their entries into the body.

        Why: the pass over the records when the summaries are written, decoding each
        file's record back from the spool, took 10 ms of the batch's process after the
        last of 1,000 files (96 M instructions; taking them in as they arrive costs 57 M),
        and while files arrive it waits for its workers.  A file added again after it was
        taken in sends the summaries back to the records (see :meth:`add_record`).
        """
        arrived, body, order, where = self._arrived, self._json_body, self._expected, self._where
        arrived.add(key, file, measures)
        taken = self._taken + 1
        while taken < len(order) and where[taken] >= 0:
            key = order[taken]
            file = self._file_at(key, where[taken])
            arrived.add(key, file, self._measures.read(file.measures))
            if body is not None:  # its entry waited in the spool, followed by where its ranks go
                data = self._entries.read(file.entry)
                end = len(data) - _RANK_OFFSET.size * len(file.forms)
                body.add(data[:end], list(struct.unpack_from(f"<{len(file.forms)}I", data, end)))
            taken += 1
        self._taken = taken

    def _stop_taking_in(self) -> None:
        """No more files taken in as they arrive (summary.json's body stays: records point into it)."""
        if self._arrived is not None:
            self._arrived.discard()
        self._arrived = None
        self._taken = 0

    def _issues_deflated_for(self, order: Sequence[Hashable], rows: int) -> Sequence[DeflatedRows]:
        """问题清单's rows deflated as files arrived, a part per sheet, if they are the rows of ``order``
        (``rows`` of them); else none."""
        deflated = self._deflated_issues
        if (deflated is None or self._issues_deflated != len(self._expected) or deflated.rows != rows
                or len(order) != len(self._expected)
                or not (self._is_expected(order) or sorted(order) == sorted(self._expected))):
            return ()
        deflated.finish()
        return deflated.parts

    # -- writing ---------------------------------------------------------------------------

    def write(self, outbox: Path, rulebook: str, order: list[str],
              formats: tuple[str, ...] = ("xlsx", "json"),
              grade_scales: tuple[tuple[str, ...], ...] = (GRADES,), score_bins=SCORE_BINS) -> list[Path]:
        """Write OUTBOX/summary.xlsx, summary.json and/or summary.csv; return the paths written.

        ``order`` lists every file to summarise, by ``FileResult.file``, in
        inbox order; each must have been added.  ``formats`` are written in the
        order given.  ``grade_scales``: the grades of each rulebook used, highest
        first, for 分布 and 汇总's highlights; ``score_bins``: 分布's bands of totals (see
        :func:`~.summary_xlsx.score_bins`).
        """
        unknown = [name for name in formats if name not in SUMMARY_FILES]
        if unknown:
            raise ValueError(f"unknown summary format(s) {unknown}; choose from {sorted(SUMMARY_FILES)}")
        outbox = Path(outbox)
        batch = self._batch(order)  # ranked once for every format
        self.duplicates = self._sent_twice(batch, order)
        written = []
        for name in dict.fromkeys(formats):
            path = outbox / SUMMARY_FILES[name]
            if name == "xlsx":
                self._write_xlsx(path, rulebook, batch, order, grade_scales, score_bins, self.duplicates)
            elif name == "json":
                self._write_json(path, rulebook, batch, order, self.duplicates)
            else:
                self._write_csv(path, batch)
            written.append(path)
        return written

    def sent_twice(self, order: Sequence[Hashable]) -> list[SentTwice]:
        """The projects and departments more than one form of ``order``'s files evaluates, in inbox
        order of their first form."""
        return self._sent_twice(self._batch(order), order)

    def _sent_twice(self, batch: "_Batch", order: Sequence[Hashable]) -> list[SentTwice]:
        found = []
        groups = batch.forms_alike()
        where = self._where if groups and self._is_expected(order) else None
        for group in groups:  # grouped again by the keys themselves: their hashes may collide
            found += groups_sent_twice(self._keyed_form(order[index], place, where[index] if where else None)
                                       for index, place in group)
        return found

    def _keyed_form(self, key: Hashable, place: int, offset: Optional[int] = None) -> tuple[str, str]:
        """(what the ``place``-th form of the file added under ``key`` evaluates, the file's name);
        ``offset``: where its record is, when known."""
        file = self._file_at(key, self._offset(key) if offset is None else offset)
        return file.forms[place].facts.key, file.name

    def write_json(self, path: Path, rulebook: str, order: Sequence[Hashable]) -> None:
        """summary.json, streamed: ``{"rulebook", "files": [...], "duplicates": [...]}`` with one file
        entry in memory at a time."""
        batch = self._batch(order)
        self._write_json(path, rulebook, batch, order, self._sent_twice(batch, order))

    def write_xlsx(self, path: Path, rulebook: str, order: Sequence[Hashable],
                   grade_scales: tuple[tuple[str, ...], ...] = (GRADES,), score_bins=SCORE_BINS) -> None:
        """summary.xlsx: 汇总, 问题清单, 分布, 部门, and 重复报送 when any (see :mod:`.summary_xlsx`)."""
        batch = self._batch(order)
        self._write_xlsx(path, rulebook, batch, order, grade_scales, score_bins, self._sent_twice(batch, order))

    def write_csv(self, path: Path, order: Sequence[Hashable]) -> None:
        """summary.csv: the 汇总 rows (ranked forms, then files that gave none), UTF-8 with BOM.

        Scores have 2 decimals, blanks are empty, and text that Excel or WPS
        would run as a formula gets a leading single quote (:func:`csv_text`).
        """
        self._write_csv(path, self._batch(order))

    def file_entries(self, order: Sequence[Hashable]) -> Iterator[dict[str, Any]]:
        """The summary.json file entries in ``order``, ranked, read back one at a time."""
        return self._file_entries(self._batch(order))

    def _write_json(self, path: Path, rulebook: str, batch: "_Batch", order: Sequence[Hashable],
                    duplicates: Sequence[SentTwice] = ()) -> None:
        body = self._json_body
        if body is not None and body.finish(path, rulebook, batch, duplicates):
            return  # written as the files came: only the ranks, the rulebooks and the duplicates were left
        width = rank_width(len(order), batch.lowest_rank)
        with atomic_output(path) as temp:
            with open(temp, "wb") as out:
                write_json_lines(out, rulebook, (self._entry_parts(span, ranks, width)
                                                 for span, ranks in batch.entries()), duplicates)

    def _write_xlsx(self, path: Path, rulebook: str, batch: "_Batch", order: Sequence[Hashable],
                    grade_scales: tuple[tuple[str, ...], ...], score_bins=SCORE_BINS,
                    duplicates: Sequence[SentTwice] = ()) -> None:
        measures = batch.measures
        overview_widths = measures.overview_widths  # a copy
        # 排名 is filled in now, and measured now: the widest number is the largest.
        overview_widths[0] = width_needed(OVERVIEW_COLUMNS[0], shown(batch.lowest_rank, "integer"))
        content = SummaryContent(
            rulebook=rulebook,
            statuses=batch.statuses,
            forms=batch.forms,
            overview=RenderedTable(overview_widths, batch.overview_rows, lambda: self._overview_xml(batch)),
            issues=RenderedTable(measures.issue_widths, measures.issue_rows, lambda: self._issue_xml(batch),
                                 self._issues_deflated_for(order, measures.issue_rows)),
            issue_levels=Counter({LEVEL_LABELS["error"]: measures.errors, LEVEL_LABELS["warning"]: measures.warnings}),
            grade_scales=grade_scales,
            score_bins=score_bins,
            duplicates=duplicates,
        )
        write_summary_workbook(path, content, tmpdir=self.folder)

    def _write_csv(self, path: Path, batch: "_Batch") -> None:
        with atomic_output(path) as temp:
            # errors="replace": a file name that is not valid UTF-8 shows "?" rather than failing.
            with open(temp, "w", encoding="utf-8-sig", newline="", errors="replace") as out:
                writer = csv.writer(out)
                writer.writerow([column.title for column in OVERVIEW_COLUMNS])
                writer.writerows(map(_csv_row, self._overview_rows(batch)))

    # -- reading back ----------------------------------------------------------------------

    def _batch(self, order: Sequence[Hashable]) -> "_Batch":
        if self._is_expected(order) and -1 not in self._where:
            missing = []
        else:
            missing = [key for key, offset in zip(order, self._offsets(order)) if offset is None]
        if missing:
            raise ValueError(f"{len(missing)} file(s) in the order were never added to the summary, "
                             f"e.g. {missing[:3]}")
        arrived = self._arrived
        if arrived is not None and self._taken == len(self._expected) and self._is_expected(order):
            arrived.rank()
            return arrived
        return _Batch.of(self, order)

    def _file_at(self, key: Hashable, offset: int) -> _File:
        """The file added under ``key``, from its record at ``offset``."""
        return self._records.decode(key, self._record_lines.read_line(offset))

    def _file_entries(self, batch: "_Batch") -> Iterator[dict[str, Any]]:
        for span, ranks in batch.entries():
            yield json.loads(b"".join(self._entry_parts(span, ranks, 0)))

    def _entry_parts(self, span: Span, ranks: list[int], width: int) -> list:
        """The summary.json entry at ``span`` (in the spool, or in summary.json's body: see _in_body),
        its forms' ``ranks`` spliced in ``width`` characters wide, as parts to write."""
        if span[0] < 0:
            body = self._json_body
            data = body.read(_in_body(span))
            return ranked_entry_parts(data, ranks, rank_key_offsets(data), width, len(RANK_KEY) + body.width)
        data = self._entries.read(span)
        end = len(data) - _RANK_OFFSET.size * len(ranks)
        return ranked_entry_parts(memoryview(data)[:end], ranks, struct.unpack_from(f"<{len(ranks)}I", data, end),
                                  width)

    def _overview_rows(self, batch: "_Batch") -> Iterator[list]:
        """汇总 as values: ranked forms (projects, then departments), then the files that gave no form."""
        for span, rank in batch.ranked_rows():
            row = _overview_line_values(self._rows.read(span))
            row[0] = rank
            yield row
        for span in batch.formless_rows():
            yield _overview_line_values(self._rows.read(span))

    def _overview_xml(self, batch: "_Batch") -> Iterator[bytes]:
        """汇总 as rendered rows, in the order of :meth:`_overview_rows`, up to
        :data:`_OVERVIEW_ROWS_A_BLOCK` rows a block."""
        later = LATER_MARK.encode()
        read = self._rows.read
        rows = itertools.chain(
            (_overview_line_xml(read(span)).replace(later, b"%d" % rank) for span, rank in batch.ranked_rows()),
            (_overview_line_xml(read(span)) for span in batch.formless_rows()))
        while block := list(itertools.islice(rows, _OVERVIEW_ROWS_A_BLOCK)):
            yield b"".join(block)

    def _issue_xml(self, batch: "_Batch") -> Iterator[bytes]:
        """问题清单 as rendered rows: by file name (equal names in inbox order), each file's rows as added."""
        for span in batch.issues():
            yield self._issues.read(span)


#: 汇总's rows go to be numbered (RowNumbering.rows) this many at a time, not one by one: per
#: block, every style's placeholder is looked for and the rows are split and joined again, and
#: numbering the rows of 1,000 files one a block took 38 M instructions after the last file, 14 M
#: 64 or 256 a block.  64 rows are ≈ 50 KB, held twice while joined, when the batch's process peaks.
_OVERVIEW_ROWS_A_BLOCK = 64


class _Measures:
    """The widths 汇总 and 问题清单 need, and the rows of 问题清单 in all and per level, over a batch's files.

    Summed over the files of each write: sums kept as files are added could not
    take a replaced file back out of a maximum.
    """

    def __init__(self) -> None:
        self._widths = [0.0] * (len(OVERVIEW_COLUMNS) + len(ISSUE_COLUMNS))  # 汇总's columns, then 问题清单's
        self.issue_rows = self.errors = self.warnings = 0

    @property
    def overview_widths(self) -> list[float]:
        return self._widths[:len(OVERVIEW_COLUMNS)]

    @property
    def issue_widths(self) -> list[float]:
        return self._widths[len(OVERVIEW_COLUMNS):]

    def add(self, packed: bytes) -> None:
        """Take in one file's measures, as :data:`_MEASURES` packed them (the widths, then the counts)."""
        *widths, rows, errors, warnings = _MEASURES.unpack(packed)
        # The larger of each pair, as max() gives it (the first of equals), by comparison: max() also
        # parses keyword arguments, and with its 22 calls a file the measures of 1,000 files took
        # 33 M instructions, 12 M without.
        self._widths = [width if width > widest else widest for widest, width in zip(self._widths, widths)]
        self.issue_rows += rows
        self.errors += errors
        self.warnings += warnings


class _Batch:
    """The files of one summary in inbox order: what every summary needs of them, taken from their
    records in one pass (:meth:`of`), or as they arrive (see :meth:`SummarySpool.expect`).

    Why one pass: the sheets, the counts and the formats each read every record
    again, twelve decodes per file for a write of the three summaries (a third of
    the write's instructions for 1,000 files).  What is kept is numbers in arrays,
    a few dozen bytes per file (where its parts are in the spool, its forms'
    ranks), and sums (:class:`_Measures`, :class:`FormTally`); the parts stay on
    disk until a summary reads them, and so do the arrays, but for their last
    block, while files arrive (with ``spill``: see :class:`_Spilled`).  Files are
    taken in with :meth:`add`, in inbox order, then :meth:`rank` ranks the forms, once.
    """

    def __init__(self, keys: Sequence[Hashable] = (), spill: Optional[Path] = None) -> None:
        """The files added under ``keys``, in that order (each in turn: see :meth:`add`); with
        ``spill``, a file where the numbers kept of them go as they are added (:class:`_Spilled`)."""
        self.statuses: Counter = Counter()  # input files per status
        self.forms = FormTally()
        self.measures = _Measures()
        self._entries, self._issues = array("q"), array("q")  # per file: span of its part in its spool
        # Per file, its name (问题清单 is in file-name order): its key, or, where the name is another, here.
        self._keys = keys
        self._renamed: dict[int, str] = {}
        self._form_counts = array("q")  # per file
        self._form_rows = array("q")  # per form, inbox order: span of its 汇总 row
        self._form_kinds = array("q")  # per form, once ranked: place of its kind in KIND_ORDER (others after)
        self._formless_rows = array("q")  # span of the 汇总 row of each file that gave no form
        self._totals = _Totals()  # per form: what ranks it, until the ranks are known
        self._ranks: Optional[array] = None  # per form, inbox order, once ranked
        self.overview_rows = 0  # of 汇总, once ranked
        self.lowest_rank: Optional[int] = None  # the largest rank number given, once ranked
        # Per form: the hash of what it evaluates (FormFacts.key; 0 for none), to find one sent twice
        # in 8 bytes a form, not a key held per form.
        self._key_hashes = array("q")
        self._files = 0  # taken in
        self._spilled = _Spilled(spill) if spill is not None else None

    @classmethod
    def of(cls, spool: SummarySpool, keys: Sequence[Hashable]) -> "_Batch":
        """The files of ``keys``, read back from ``spool``'s records, ranked."""
        batch = cls(keys)
        read_measures = spool._measures.read
        for key, offset in zip(keys, spool._offsets(keys)):
            file = spool._file_at(key, offset)
            batch.add(key, file, read_measures(file.measures))
        batch.rank()
        return batch

    def add(self, key: Hashable, file: _File, measures: bytes) -> None:
        """Take in the next file, added under ``key``, with its measures as packed (:data:`_MEASURES`)."""
        self.statuses[file.status] += 1
        self.measures.add(measures)
        self._entries.extend(file.entry)
        self._issues.extend(file.issues)
        index = self._files
        self._files = index + 1
        if file.name is not key and file.name != key:
            self._renamed[index] = file.name
        self._form_counts.append(len(file.forms))
        if file.formless_row is not None:
            self._formless_rows.extend(file.formless_row)
        for form in file.forms:
            facts = form.facts
            self.forms.add(facts)
            self._totals.add(facts.kind, facts.total)
            self._form_rows.extend(form.row)
            self._key_hashes.append(hash(facts.key) if facts.key else 0)
        if self._spilled is not None:
            self._spilled.file_added(self._spilled_arrays)

    def _spilled_arrays(self) -> list[array]:
        """The arrays that go to disk, in the order they are spilled.  Totals that turned into
        Decimals (see :class:`_Totals`) stay in memory: an empty array of floats stands for them."""
        totals = self._totals
        return [self._entries, self._issues, self._form_counts, self._formless_rows, self._form_rows,
                self._key_hashes, totals.form_kinds, totals.totals if totals.totals.__class__ is array else array("d")]

    def _restore(self) -> None:
        """The arrays whole, what went to disk back in memory (see :meth:`_spilled_arrays`)."""
        totals = self._totals
        (self._entries, self._issues, self._form_counts, self._formless_rows, self._form_rows, self._key_hashes,
         totals.form_kinds, spilled_totals) = self._spilled.restored(self._spilled_arrays())
        if totals.totals.__class__ is array:
            totals.totals = spilled_totals
        else:  # those that went before the totals turned into Decimals come first
            totals.totals[:0] = [Decimal(repr(number)) for number in spilled_totals]
        self._spilled = None

    def discard(self) -> None:
        """Remove what went to disk (the batch is no longer taken in)."""
        if self._spilled is not None:
            self._spilled.close()

    def rank(self) -> None:
        """Rank the forms taken in (once: later calls do nothing)."""
        if self._ranks is None:
            if self._spilled is not None:
                self._restore()
            self.overview_rows = (len(self._form_rows) + len(self._formless_rows)) // 2
            self._ranks = self._totals.ranks()
            self._form_kinds = self._totals.places()
            self._totals = None
            self.lowest_rank = max(self._ranks, default=None)

    @property
    def ranks(self) -> array:
        """Each form's rank, in inbox order (and form order within a file)."""
        return self._ranks

    def entries(self) -> Iterator[tuple[Span, list[int]]]:
        """Each file's summary.json entry and the ranks of its forms, in inbox order."""
        form = 0
        for index, count in enumerate(self._form_counts):
            yield (self._entries[2 * index], self._entries[2 * index + 1]), self._ranks[form:form + count].tolist()
            form += count

    def ranked_rows(self) -> Iterator[tuple[Span, int]]:
        """Each form's 汇总 row and rank: projects first, then departments, each by total, highest first.

        Ties keep the inbox order (file, then form order within the file).
        """
        for index, row in _in_key_order(self._form_rows, self._form_kinds, self._ranks):
            yield row, self._ranks[index]

    def formless_rows(self) -> Iterator[Span]:
        """The 汇总 rows of the files that gave no form, in inbox order."""
        rows = self._formless_rows
        for at in range(0, len(rows), 2):
            yield rows[at], rows[at + 1]

    def forms_alike(self) -> list[list[tuple[int, int]]]:
        """The forms that may evaluate one thing, as (file's place in the batch, form's place in its
        file), in groups of two or more in inbox order: those whose keys hash alike (the caller
        compares the keys themselves)."""
        hashes = self._key_hashes
        counted = Counter(hashes)
        if not any(count > 1 for value, count in counted.items() if value):
            return []
        groups: dict[int, list[tuple[int, int]]] = {}
        form = 0
        for index, count in enumerate(self._form_counts):
            for place in range(count):
                value = hashes[form]
                if value and counted[value] > 1:
                    groups.setdefault(value, []).append((index, place))
                form += 1
        return list(groups.values())

    def issues(self) -> Iterator[Span]:
        """Each file's 问题清单 rows, by file name (equal names in inbox order)."""
        names = self._keys
        if self._renamed:
            names = [self._renamed.get(index, key) for index, key in enumerate(names)]
        for _, span in _in_key_order(self._issues, names):
            yield span


#: The place of each kind of form in KIND_ORDER, which 汇总 follows (other kinds after them).
_KIND_PLACES = {kind: index for index, kind in enumerate(KIND_ORDER)}


class _Totals:
    """The engine total and kind of each form, in inbox order, to rank them by once all are in.

    Kept as floats in an array (8 bytes a form, where a Decimal takes 104), while
    every total is the one Decimal its float's shortest text reads back as: then
    two totals compare as their floats do, ties included.  A total that is not (an
    amount of more than 15 digits, or not finite) turns them back into Decimals.
    """

    def __init__(self) -> None:
        self._kinds: dict[str, int] = {}  # each kind met, numbered in order met
        self.form_kinds = array("q")  # per form: the number of its kind
        self.totals: Union[array, list[Decimal]] = array("d")

    def add(self, kind: str, total: Decimal) -> None:
        code = self._kinds.get(kind)
        if code is None:
            code = self._kinds[kind] = len(self._kinds)
        self.form_kinds.append(code)
        totals = self.totals
        if totals.__class__ is array:
            if total.is_finite():
                number = float(total)
                if Decimal(repr(number)) == total:
                    totals.append(number)
                    return
            totals = self.totals = [Decimal(repr(number)) for number in totals]
        totals.append(total)

    def ranks(self) -> array:
        """The rank of each form by engine total among forms of the same kind, highest first; equal totals
        share a rank (one plus the number of higher totals)."""
        by_kind: list[list] = [[] for _ in self._kinds]
        for code, total in zip(self.form_kinds, self.totals):
            by_kind[code].append(total)
        for kind_totals in by_kind:
            kind_totals.sort()
        return array("q", (len(by_kind[code]) - bisect.bisect_right(by_kind[code], total) + 1
                           for code, total in zip(self.form_kinds, self.totals)))

    def places(self) -> array:
        """Each form's place in the order 汇总 follows: its kind's in KIND_ORDER, other kinds after.

        Why from the kinds kept here: a second array of them, filled form by form as files
        arrived, held the same thing another way.
        """
        place_of = [_KIND_PLACES.get(kind, len(_KIND_PLACES)) for kind in self._kinds]
        return array("q", (place_of[code] for code in self.form_kinds))


def _in_key_order(spans: array, *keys: Sequence) -> Iterator[tuple[int, Span]]:
    """(index, span) of each item, ordered by ``keys`` (a value per item each, the first deciding
    first); ties keep their order.

    ``spans`` holds each item's span as two numbers, offset and length.  Why
    not a sorted list of (key, index, span) tuples: at the peak of a batch's
    parent, when the summaries are written, they took about 2.7 MB for 10,000
    forms, and these plain lists about 1 MB.
    """
    order = list(range(len(spans) // 2))
    for key in reversed(keys):  # stable sorts, the last key first
        order.sort(key=key.__getitem__)
    for index in order:
        yield index, (spans[2 * index], spans[2 * index + 1])


#: The kind of each 汇总 column, in column order (see :func:`_csv_cell`).
_OVERVIEW_KINDS = tuple(column.kind for column in OVERVIEW_COLUMNS)


def _csv_row(row: list) -> Iterator[str]:
    """A 汇总 row as summary.csv's cells.

    Why map: a comprehension over zip(OVERVIEW_COLUMNS, row) built a tuple and
    looked up the column's kind per cell.
    """
    return map(_csv_cell, row, _OVERVIEW_KINDS)


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if kind == "integer":
        return str(int(value))
    if kind == "score":
        return f"{value:.2f}"
    return str(value)


@contextlib.contextmanager
def spooled(files: Iterable[FileResult]) -> Iterator[tuple[SummarySpool, list[int]]]:
    """A spool holding ``files`` (in a temporary folder) and the order to write them in.

    For callers with a list of results: :func:`summary_dict`,
    :func:`write_summary_json`, :func:`write_summary_xlsx`.  Files are keyed
    by position, so a list may name the same file twice.
    """
    with tempfile.TemporaryDirectory(prefix="perfeval-summary-") as folder:
        with SummarySpool(Path(folder) / "spool") as spool:
            order = []
            for index, file in enumerate(files):
                spool.add_record(index, prepare_summary(file))
                order.append(index)
            yield spool, order


def write_summary_csv(files: list[FileResult], path: Path) -> None:
    """summary.csv for a list of results; a batch writes it with :meth:`SummarySpool.write`."""
    with spooled(files) as (spool, order):
        spool.write_csv(path, order)
