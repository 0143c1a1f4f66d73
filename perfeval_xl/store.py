"""What a batch keeps in OUTBOX/.perfeval: incremental reruns and flat memory.

Each input's record is saved as soon as it is scored, by the worker that
scored it, so a batch of 10,000 forms never holds more than a few results in
memory and the parent process only learns each file's status; a rerun reuses
the record of every input whose content hash and rulebooks are unchanged.

A record file holds three lines: a header naming the model's schema, the
:class:`~perfeval_xl.model.FileResult` as compact JSON (:mod:`._codec`) or an
empty line, and the file's summary record.  The whole result is kept only
when it cannot be had again from the input alone: a file that failed (its
error is the result) or a department form paired with another file.  A
scored input's result is rebuilt on demand from the input, whose digest the
state holds: reading and scoring a form again costs about what decoding a
stored one does, and a province's inbox would otherwise leave gigabytes of
JSON behind.  JSON, not pickle: a cache in a shared folder must never be able
to run code, so only the model's own classes can be rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from . import model
from ._codec import SCHEMA, decode_file_result, encode_file_result

STATE_VERSION = 3
_HEADER = f"perfeval-result {SCHEMA}\n".encode("ascii")


def file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def bytes_digest(data: bytes) -> str:
    """The same digest as :func:`file_digest`, of bytes already read."""
    return hashlib.sha256(data).hexdigest()


def rules_fingerprint(rulebooks, version: str) -> str:
    """Changes when any rulebook's content, the package version or the stored model changes."""
    text = json.dumps([version, SCHEMA] + [r.data for r in rulebooks], sort_keys=True, ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def result_path(outbox: Path, relative: str) -> Path:
    """Where the result of the input ``relative`` is kept."""
    # surrogateescape: a file name that is not valid UTF-8 reaches Python with lone surrogates.
    name = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json"
    return outbox / ".perfeval" / "results" / name


def write_result(outbox: Path, result: model.FileResult, summary: bytes, whole: bool) -> None:
    """Save one input's summary record (one line of bytes) and, when ``whole``, its result.

    Safe in any worker.  Written to a temporary name and renamed, so a crash
    never leaves half a record that a rerun would trust.
    """
    path = result_path(outbox, result.file)
    # ASCII escapes: a file name that is not valid UTF-8 (a lone surrogate in Python) round-trips.
    text = json.dumps(encode_file_result(result), separators=(",", ":")) if whole else ""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as stream:
        stream.write(_HEADER + text.encode("ascii") + b"\n" + summary)
    os.replace(temporary, path)


def _read_parts(path: Path) -> tuple[bytes, bytes]:
    """(result JSON, summary record) of a result file; ValueError unless it is in this model's format."""
    header, result, summary = path.read_bytes().split(b"\n", 2)
    if header + b"\n" != _HEADER:
        raise ValueError(f"{path.name} was stored by another version of the model")
    return result, summary


class ResultStore:
    """OUTBOX/.perfeval: state.json (what was scored from what) and one result file per input."""

    def __init__(self, outbox: Path):
        self.outbox = outbox
        self.root = outbox / ".perfeval"
        (self.root / "results").mkdir(parents=True, exist_ok=True)
        self.state_path = self.root / "state.json"
        self.state: dict[str, dict] = self._load_state()

    def _load_state(self) -> dict[str, dict]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            return data["files"] if data.get("version") == STATE_VERSION else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # no state or a damaged one: score everything again

    def known(self, relative: str) -> bool:
        """True when an earlier run in this outbox scored ``relative`` (worth hashing it to compare)."""
        return relative in self.state

    def reusable(self, relative: str, digest: str, fingerprint: str) -> bytes | None:
        """The stored summary record of an unchanged input whose outputs are all still there, else None."""
        entry = self.state.get(relative)
        if not entry or not entry.get("reusable") or entry.get("digest") != digest \
                or entry.get("fingerprint") != fingerprint:
            return None
        outputs = ([entry["output"]] if entry.get("output") else []) + entry.get("reports", [])
        if not all((self.outbox / output).is_file() for output in outputs):
            return None
        try:
            _, summary = _read_parts(result_path(self.outbox, relative))
        except (OSError, ValueError):
            return None
        return summary

    def note(self, relative: str, *, status: str, output: str | None, reports: Sequence[str],
             rulebooks: Sequence[str], digest: str | None, fingerprint: str, cacheable: bool) -> None:
        """Record in the state what ``relative`` was scored from (its record file is written by
        :func:`write_result`): the input's digest (kept even when the result must not be reused,
        to rebuild it), whether it may be reused, the rulebooks' fingerprint, its status and
        outputs, and the rulebooks its forms were scored by."""
        self.state[relative] = {"digest": digest, "reusable": cacheable, "fingerprint": fingerprint,
                                "status": status, "output": output, "reports": list(reports),
                                "rulebooks": list(rulebooks)}

    def get(self, relative: str) -> model.FileResult | None:
        """The stored result of ``relative``, or None when only its summary record was kept."""
        result, _ = _read_parts(result_path(self.outbox, relative))
        return decode_file_result(json.loads(result)) if result else None

    def entry(self, relative: str) -> dict:
        """What the state says of ``relative`` (digest, status, output, reports, ...)."""
        return self.state[relative]

    def save(self, keep: list[str]) -> None:
        """Write state.json for the files of this run; results of inputs that are gone are removed."""
        from .writers._atomic import atomic_output

        for relative in set(self.state) - set(keep):
            result_path(self.outbox, relative).unlink(missing_ok=True)
            del self.state[relative]
        # One file per line, each encoded on its own: a batch of 100,000 never builds one huge
        # string.  ASCII escapes: a file name that is not valid UTF-8 round-trips too.
        with atomic_output(self.state_path) as temporary, open(temporary, "w", encoding="ascii") as out:
            out.write(f'{{"version": {STATE_VERSION}, "files": {{')
            separator = "\n"
            for relative, entry in self.state.items():
                out.write(f"{separator}{json.dumps(relative)}: {json.dumps(entry, separators=(',', ':'))}")
                separator = ",\n"
            out.write("\n}}\n")


class StoredResults(Sequence):
    """The results of a batch, one at a time: read from the store, or rebuilt from the input.

    ``rebuild(relative)`` scores an input again (the batch checks that it is
    unchanged); it is called for the files whose whole result was not kept.
    """

    def __init__(self, store: ResultStore, files: list[str], rebuild: Callable[[str], model.FileResult]):
        self._store, self._files, self._rebuild = store, files, rebuild

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._result(f) for f in self._files[index]]
        return self._result(self._files[index])

    def _result(self, relative: str) -> model.FileResult:
        stored = self._store.get(relative)
        return stored if stored is not None else self._rebuild(relative)
