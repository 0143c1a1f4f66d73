"""What a batch keeps in OUTBOX/.perfeval: incremental reruns, in memory that does not grow.

One SQLite database, ``state.sqlite``, written by the batch's own process
only (workers and Dask nodes never touch it, so a shared folder sees a single
writer).  A row per inbox and input holds what it was scored from (the content
digest and the rulebooks' fingerprint), its status and outputs (with each one's
size and time, to know it is still the one written), its summary record,
and — only when it cannot be had again from the input alone — the whole
:class:`~perfeval_xl.model.FileResult`: a file that failed (its error is the
result) or a department form paired with another file.  A scored input's
result is rebuilt on demand from the input, whose digest the row holds:
reading and scoring a form again costs about what decoding a stored one does,
and a province's inbox would otherwise leave gigabytes behind.

Rows are looked up one at a time, so a batch of 100,000 inputs keeps none of
them in memory; they are committed every few hundred files, so a batch that
is killed still lets the next run reuse what it finished.  Whole results are
compact JSON (:mod:`._codec`), never pickle: a cache in a shared folder must
never be able to run code, so only the model's own classes can be rebuilt.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from . import _fast_zlib, model
from ._codec import SCHEMA, decode_file_result, encode_file_result
from .errors import PerfevalError

#: Changes whenever the database's layout or the stored model changes; a store of another
#: version is emptied (everything is scored again), never misread.
STATE_VERSION = f"9 {SCHEMA}"  # 9: each form's summary record holds its 主管部门 as written (FormFacts.department_name)
#: Rows written between two commits: a killed batch loses at most this many files' records.
COMMIT_EVERY = 500
# Summary records are mostly rendered XML and JSON (~40 KB a form): compressed at the fastest
# level (ISA-L's where installed, see _fast_zlib) into about a seventh of that, in the zlib format.

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    inbox TEXT NOT NULL,     -- the inbox scored into this outbox ("" when not known)
    name BLOB NOT NULL,      -- the input's path in the inbox, UTF-8 (surrogateescape: any file name)
    run INTEGER NOT NULL,    -- the run that last scored or reused it
    scored INTEGER NOT NULL, -- the run that last scored it (a BatchResult of an earlier run must not read it)
    entry TEXT NOT NULL,     -- JSON: digest, fingerprint, reusable, status, output, reports, rulebooks
    summary BLOB NOT NULL,   -- the summary record (SummaryRecord.to_bytes), deflated
    result TEXT,             -- the whole FileResult (_codec JSON), or NULL when it is rebuilt from the input
    PRIMARY KEY (inbox, name)
);
"""


def file_digest(path: str | Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def bytes_digest(data: bytes) -> str:
    """The same digest as :func:`file_digest`, of bytes already read."""
    return hashlib.sha256(data).hexdigest()


def rules_fingerprint(rulebooks, version: str) -> str:
    """Changes when any rulebook's content or the package version changes (a changed stored model
    empties the whole store: :data:`STATE_VERSION`).

    Why the parameters as well as the file's data: a rulebook changed in code
    (``dataclasses.replace(rulebook, grades=…)``) keeps the data it was loaded from, and a rerun
    reused what the old parameters had scored.
    """
    text = json.dumps([version] + [[r.data, _parameters(r)] for r in rulebooks], sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parameters(rulebook) -> str:
    """Every parameter a rulebook scores by, as text (its fields but the file it came from and its data)."""
    return repr(_canonical([(field.name, getattr(rulebook, field.name)) for field in dataclasses.fields(rulebook)
                            if field.name not in ("source", "data")]))


def _canonical(value):
    """``value`` with the same text in every process: a set's order follows string hashing, which
    differs from run to run, so a set (or a dict) is listed sorted."""
    if dataclasses.is_dataclass(value):
        return [type(value).__name__, [(f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)]]
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_canonical(item)) for item in value)
    if isinstance(value, dict):
        return sorted((repr(_canonical(key)), _canonical(item)) for key, item in value.items())
    return value


#: Seconds to wait for another batch that is writing to the same outbox before giving up.
LOCK_TIMEOUT = 60.0


def _plain_errors(method):
    """Turn SQLite's errors (locked by another batch, disk full, no permission) into a PerfevalError
    naming the database: an officer gets one Chinese line, not a traceback.  One thread at a
    time: a batch's results are read back from whatever thread holds them (a web server's, a
    GUI's), and a connection must not be used by two at once."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            try:
                try:
                    return method(self, *args, **kwargs)
                except sqlite3.DatabaseError as exc:
                    if type(exc) is not sqlite3.DatabaseError:  # locked, full, read-only: not damage
                        raise
                    # A page damaged by a power cut shows only when it is read, not on opening: the
                    # store is a cache, so it starts afresh (the inputs are scored again) once.
                    self._start_afresh()
                    return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise PerfevalError(f"无法读写评分记录“{self.path}”（{exc}）：可能另一次评分正在使用同一输出文件夹，"
                                    "或磁盘已满、没有写入权限；删除该文件可重新评分全部文件") from exc
    return wrapper


def _holds_rows(db: sqlite3.Connection, inbox: str) -> bool:
    return db.execute("SELECT 1 FROM files WHERE inbox = ? LIMIT 1", (inbox,)).fetchone() is not None


def _key(relative: str) -> bytes:
    # surrogateescape: a file name that is not valid UTF-8 reaches Python with lone surrogates.
    return relative.encode("utf-8", "surrogateescape")


class ResultStore:
    """OUTBOX/.perfeval/state.sqlite: what was scored from what, a row per input."""

    def __init__(self, outbox: Path, inbox: Path | None = None):
        self.outbox = outbox
        # Rows are kept per inbox: scoring another inbox into this outbox and then this one again
        # reuses this one's results and still knows which of its inputs were deleted since.
        self.inbox = "" if inbox is None else str(inbox)
        self.path = self.path_in(outbox)
        self.root = self.path.parent
        self.earlier = self.path.exists()  # whether a batch has written here before
        self.root.mkdir(parents=True, exist_ok=True)
        _remove_earlier_layout(self.root)
        self._uncommitted = 0
        self.run = 0
        self._dropped: list[str] = []  # outputs an input scored again no longer has (see note)
        self._lock = threading.RLock()  # see _plain_errors
        self._db = self._open_or_start_afresh()

    @staticmethod
    def path_in(outbox: Path) -> Path:
        """Where the store of ``outbox`` is (it exists once a batch has written there)."""
        return outbox / ".perfeval" / "state.sqlite"

    @_plain_errors
    def _open_or_start_afresh(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.OperationalError:  # locked, full, read-only: the database itself is fine
            raise
        except sqlite3.DatabaseError:  # not a database, or a damaged one: start afresh, score everything
            return self._fresh()

    def _fresh(self) -> sqlite3.Connection:
        for suffix in ("", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return self._open()

    def _start_afresh(self) -> None:
        """Replace a database found damaged in the middle of a run by an empty one."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db, self._dropped, self._uncommitted = None, [], 0
        self._db = self._fresh()

    def _connect(self) -> sqlite3.Connection:
        # Another batch writing to the same outbox holds the lock: wait for it rather than fail at once.
        # check_same_thread off: results are read back in any thread, one at a time (_plain_errors).
        db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT, check_same_thread=False)
        # No fsync per commit (~20 ms each here): the store is a cache.  The rollback journal still
        # keeps it whole when the process is killed; after a power cut a damaged database is
        # found on opening (or a row fails its digest or record check) and the inputs are scored again.
        db.execute("PRAGMA synchronous = OFF")
        # A page cache of 256 KiB, not SQLite's default of 2,000 KiB: the larger cache only made the
        # batch's memory grow with its size (by ~2 MB at 10,000 files); noting 1,000 results cost
        # 0.15-0.16 ms each with either.
        db.execute("PRAGMA cache_size = -256")
        return db

    def _open(self) -> sqlite3.Connection:
        db = self._connect()
        try:
            self._start(db)
        except BaseException:
            db.close()
            raise
        return db

    def _start(self, db: sqlite3.Connection) -> None:
        """Create the tables, empty a store of another version, and number this run."""
        db.executescript(_TABLES)
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("version") != STATE_VERSION:  # its table may be laid out otherwise too
            # What that version wrote for this inbox is removed at save() unless this run writes it
            # again: a draft renamed since (X.甲局.报告初稿.docx) stayed beside the new one for good.
            self._dropped += _outputs_of_inbox(db, self.inbox)
            db.execute("DROP TABLE files")
            db.executescript(_TABLES)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (STATE_VERSION,))
        self.run = int(meta.get("run", 0)) + 1
        # Whether the last run stopped before saving (killed, the machine off): its workers may have
        # left temporary files in the outbox, which this run removes (batch._remove_leftover_temporaries).
        self.after_unfinished_run = "run" in meta and meta.get("finished") != meta["run"]
        db.execute("INSERT OR REPLACE INTO meta VALUES ('run', ?)", (str(self.run),))
        db.commit()

    @_plain_errors
    def adopt_moved_inbox(self, names: Iterable[str]) -> None:
        """Give this inbox, when it has no rows, the rows of an inbox folder that is gone and held
        mostly the ``names`` listed now: the officer moved or renamed it, and its unchanged inputs
        are reused as before.

        Why the names: a folder is also gone while its drive is unplugged or its share offline,
        and an inbox scored into this outbox meanwhile took that inbox's rows, and removed its
        scored forms as the outputs of inputs deleted since.
        """
        db = self._database()
        if _holds_rows(db, self.inbox):
            return
        gone = [other for (other,) in db.execute("SELECT DISTINCT inbox FROM files").fetchall()
                if other and not os.path.isdir(other)]
        if not gone:
            return
        listed = {_key(name) for name in names}
        for other in gone:
            held = db.execute("SELECT name FROM files WHERE inbox = ?", (other,)).fetchall()
            if 2 * sum(name in listed for (name,) in held) >= len(held):
                db.execute("UPDATE files SET inbox = ? WHERE inbox = ?", (self.inbox, other))
                db.commit()
                return

    def _database(self) -> sqlite3.Connection:
        """The open database; one closed after the batch is opened again (reading results back)."""
        if self._db is None:
            if not self.path.exists():  # connecting would make an empty database, or fail in English
                raise PerfevalError(f"评分记录“{self.path}”已不存在（输出文件夹被移走或删除？），无法读回这次评分的结果")
            self._db = self._connect()
        return self._db

    def _row(self, relative: str, columns: str, run: int | None = None):
        """``relative``'s row (``columns`` of it), or None; with ``run``, only if no later run has
        scored it again (one that reused it unchanged leaves it as it was)."""
        db = self._database()
        if run is None:
            return db.execute(f"SELECT {columns} FROM files WHERE inbox = ? AND name = ?",
                                    (self.inbox, _key(relative))).fetchone()
        row = db.execute(f"SELECT scored, {columns} FROM files WHERE inbox = ? AND name = ?",
                               (self.inbox, _key(relative))).fetchone()
        if row is not None and row[0] > run:
            raise PerfevalError(f"输出文件夹“{self.outbox}”之后又评分过一次，“{relative}”这次的结果已被取代；"
                                "请使用新一次评分返回的结果")
        return row[1:] if row is not None else None

    @_plain_errors
    def holds_rows(self) -> bool:
        """Whether an earlier run noted any input of this inbox here (none: nothing can be reused)."""
        return _holds_rows(self._database(), self.inbox)

    @_plain_errors
    def summaries_written(self) -> tuple[str, ...] | None:
        """The summary formats (``SUMMARY_FILES``' keys) the last run into this outbox wrote; None
        when not known (a store of an earlier version, which did not note them)."""
        row = self._database().execute("SELECT value FROM meta WHERE key = 'summaries'").fetchone()
        return None if row is None else tuple(kind for kind in row[0].split(",") if kind)

    @_plain_errors
    def note_finished(self, formats: Sequence[str]) -> None:
        """Note that this run has written all it writes, its summaries last (in ``formats``): a run
        stopped before this, in the middle of its summaries too, left temporary files to remove."""
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('summaries', ?)", (",".join(formats),))
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('finished', ?)", (str(self.run),))
        self._db.commit()

    @_plain_errors
    def outputs_of_other_inboxes(self) -> dict[str, str]:
        """The outputs this outbox holds for inputs of other inboxes (still there), each
        (``os.path.normcase``d, relative to the outbox) to its inbox: usually none."""
        db = self._database()
        taken: dict[str, str] = {}
        # inbox → whether it is another that still exists (one deleted since owns nothing).  Compared
        # as the system compares paths: on Windows "D:\\收件箱" and "d:\\收件箱" are this inbox.
        this = os.path.normcase(self.inbox)
        there: dict[str, bool] = {}
        for inbox, entry in db.execute("SELECT inbox, entry FROM files WHERE inbox != ?", (self.inbox,)):
            if inbox not in there:
                there[inbox] = bool(inbox) and os.path.normcase(inbox) != this and os.path.isdir(inbox)
            if there[inbox]:
                for path in _stored_outputs(entry):
                    taken[os.path.normcase(path)] = inbox
        return taken

    @_plain_errors
    def reusable(self, relative: str, fingerprint: str,
                 digest: Callable[[], str]) -> tuple[dict, bytes] | None:
        """(state entry, summary record) of an unchanged input whose outputs are all still there, else None.

        ``digest`` hashes the input now.  It is called only when an earlier run in
        this outbox scored ``relative`` under the same rulebooks, so any other input
        is read once, by the worker that scores it.
        """
        row = self._row(relative, "entry, summary")
        if row is None:
            return None
        try:
            entry = json.loads(row[0])
        except ValueError:
            return None
        if not isinstance(entry, dict) or not entry.get("reusable") or entry.get("fingerprint") != fingerprint \
                or entry.get("digest") != digest():
            return None
        outputs = _outputs(entry)
        if not all(isinstance(output, str) for output in outputs) \
                or [self._stamp(output) for output in outputs] != entry.get("stamps"):
            return None  # an output is gone, or is not the one noted (rewritten by a run stopped early)
        try:
            return entry, zlib.decompress(row[1])
        except (zlib.error, TypeError):
            return None

    @_plain_errors
    def keep(self, relative: str) -> None:
        """Mark ``relative``'s row as part of this run (it was reused unchanged)."""
        self._db.execute("UPDATE files SET run = ? WHERE inbox = ? AND name = ?",
                         (self.run, self.inbox, _key(relative)))
        self._written()

    @_plain_errors
    def note(self, relative: str, *, status: str, output: str | None, reports: Sequence[str],
             rulebooks: Sequence[str], digest: str | None, fingerprint: str, cacheable: bool,
             summary: bytes, result: model.FileResult | None = None) -> None:
        """Record what ``relative`` was scored from: the input's digest (kept even when the result must
        not be reused, to rebuild it), whether it may be reused, the rulebooks' fingerprint, its status,
        outputs and rulebooks, its summary record, and ``result`` when it must be kept whole."""
        # ASCII escapes: a file name that is not valid UTF-8 (a lone surrogate) round-trips.
        outputs = _output_paths(output, reports)
        entry = json.dumps({"digest": digest, "reusable": cacheable, "fingerprint": fingerprint, "status": status,
                            "output": output, "reports": list(reports), "rulebooks": list(rulebooks),
                            "stamps": [self._stamp(path) for path in outputs]},
                           separators=(",", ":"))
        whole = json.dumps(encode_file_result(result), separators=(",", ":")) if result is not None else None
        # Why: an input scored again may write less than before (a department workbook sent again
        # without its F2 has no report draft now); what it no longer has must not stay.
        row = self._row(relative, "entry")
        if row is not None:
            self._dropped += [path for path in _stored_outputs(row[0]) if path not in outputs]
        self._db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (self.inbox, _key(relative), self.run, self.run, entry, _fast_zlib.compress(summary), whole))
        self._written()

    def _stamp(self, output: str) -> list[int] | None:
        """[size, mtime in ns] of an output as it is now; None when it is missing.

        Why: a run stopped early (Ctrl-C) leaves outputs its workers wrote that were never noted
        here; an input changed back to what was noted must not reuse that other content's form.
        """
        try:
            stat = os.stat(os.path.join(self.outbox, output))  # not outbox / output: see InboxEntry.location
        except (OSError, ValueError):
            return None
        return [stat.st_size, stat.st_mtime_ns]

    def _written(self) -> None:
        self._uncommitted += 1
        if self._uncommitted >= COMMIT_EVERY:
            self._db.commit()
            self._uncommitted = 0

    @_plain_errors
    def entry(self, relative: str) -> dict:
        """What the store says of ``relative`` (digest, status, output, reports, ...)."""
        row = self._row(relative, "entry")
        if row is None:
            raise KeyError(relative)
        return json.loads(row[0])

    @_plain_errors
    def outputs(self, relative: str) -> list[str]:
        """The outputs (relative to the outbox) the last run that scored ``relative`` wrote for it."""
        row = self._row(relative, "entry")
        return _stored_outputs(row[0]) if row is not None else []

    @_plain_errors
    def summary(self, relative: str, run: int | None = None) -> bytes | None:
        """The summary record (``SummaryRecord.to_bytes``) stored for ``relative``; None when there
        is none (the store was found damaged and started afresh since).  With ``run``: PerfevalError
        when a later run has stored another."""
        row = self._row(relative, "summary", run)
        return zlib.decompress(row[0]) if row is not None else None

    @_plain_errors
    def get(self, relative: str, run: int | None = None) -> model.FileResult | None:
        """The stored result of ``relative``, or None when only its summary record was kept.  With
        ``run``: PerfevalError when a later run has scored it again."""
        row = self._row(relative, "result", run)
        return decode_file_result(json.loads(row[0])) if row is not None and row[0] else None

    @_plain_errors
    def save(self) -> list[str]:
        """Forget the inputs of this inbox this run did not see and commit.

        Returns the outputs (relative to the outbox) of those, deleted from the inbox since, and
        those an input scored again no longer has, for the batch to remove: a deleted input's
        scored form must not stay beside summaries that no longer list it.  An output another
        row still names (another inbox's, or b.xls.xlsx now writing what b.xls wrote) is kept.
        """
        gone, self._dropped = self._dropped, []
        gone += [path for (entry,) in self._db.execute("SELECT entry FROM files WHERE inbox = ? AND run != ?",
                                                        (self.inbox, self.run))
                 for path in _stored_outputs(entry)]
        self._db.execute("DELETE FROM files WHERE inbox = ? AND run != ?", (self.inbox, self.run))
        others = self._db.execute("SELECT DISTINCT inbox FROM files WHERE inbox != ?", (self.inbox,)).fetchall()
        for (other,) in others:
            if not other or not os.path.isdir(other):  # an inbox deleted since: its inputs are gone
                self._db.execute("DELETE FROM files WHERE inbox = ?", (other,))
        if gone:
            kept = {os.path.normcase(path) for (entry,) in self._db.execute("SELECT entry FROM files")
                    for path in _stored_outputs(entry)}
            gone = [path for path in gone if os.path.normcase(path) not in kept]
        self._db.commit()
        self._uncommitted = 0
        return gone

    def __getstate__(self) -> dict:
        """A store travels (a pickled BatchResult) without its open database: reading reopens it."""
        state = dict(self.__dict__)
        state["_db"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def close(self) -> None:
        """Commit what is written and close the database (reading results back reopens it)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.commit()
            self._db.close()
            self._db = None


def _outputs_of_inbox(db: sqlite3.Connection, inbox: str) -> list[str]:
    """The outputs a store's rows of ``inbox`` name; none when its table is laid out otherwise."""
    try:
        rows = db.execute("SELECT entry FROM files WHERE inbox = ?", (inbox,)).fetchall()
    except sqlite3.Error:
        return []
    return [path for (entry,) in rows for path in _stored_outputs(entry)]


def _output_paths(output: str | None, reports: Sequence[str] | None) -> list[str]:
    """A scored workbook (if any) and its report drafts, as one list."""
    return ([output] if output else []) + list(reports or [])


def _outputs(state: dict) -> list[str]:
    """A stored entry's scored workbook and report drafts."""
    return _output_paths(state.get("output"), state.get("reports"))


def _stored_outputs(entry: str) -> list[str]:
    """:func:`_outputs` of an entry as stored; none when it is damaged (the store is a cache)."""
    try:
        return [path for path in _outputs(json.loads(entry)) if isinstance(path, str)]
    except (ValueError, TypeError, AttributeError):
        return []


def _remove_earlier_layout(root: Path) -> None:
    """Version 3 and before kept state.json and a file per input; their records are not reusable here."""
    if (root / "state.json").exists():
        (root / "state.json").unlink(missing_ok=True)
        shutil.rmtree(root / "results", ignore_errors=True)


class StoredResults(Sequence):
    """The results of a batch, one at a time: read from the store, or rebuilt from the input.

    ``rebuild(relative)`` scores an input again (the batch checks that it is
    unchanged); it is called for the files whose whole result was not kept.
    A result a later run into the same outbox has replaced is not read as this
    batch's: PerfevalError says so.
    """

    def __init__(self, store: ResultStore, files: list[str], rebuild: Callable[[str], model.FileResult]):
        self._store, self._files, self._rebuild = store, files, rebuild
        self._run = store.run  # the run whose results these are

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._result(f) for f in self._files[index]]
        return self._result(self._files[index])

    def summaries(self) -> Iterator[bytes | None]:
        """Each file's summary record, in order, as the batch stored it (None where the store no
        longer has it): nothing is read or scored again."""
        for relative in self._files:
            yield self._store.summary(relative, self._run)

    def _result(self, relative: str) -> model.FileResult:
        stored = self._store.get(relative, self._run)
        return stored if stored is not None else self._rebuild(relative)
