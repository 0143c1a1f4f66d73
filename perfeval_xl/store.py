"""Results kept on disk in OUTBOX/.perfeval: incremental reruns and flat memory.

Each input's result is saved as soon as it is scored, by the worker that
scored it, so a batch of 10,000 forms never holds more than a few results in
memory and the parent process only learns each file's status; a rerun reuses
the result of every input whose content hash and rulebooks are unchanged.

A result file holds three lines: a header naming the model's schema, the
:class:`~perfeval_xl.model.FileResult` as compact JSON (:mod:`._codec`), and
the file's summary record, so a reused input rebuilds the summaries without
decoding its whole result.  JSON, not pickle: a cache in a shared folder must
never be able to run code, so only the model's own classes can be rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from . import model
from ._codec import SCHEMA, decode_file_result, encode_file_result

STATE_VERSION = 2
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
    name = hashlib.sha256(relative.encode("utf-8")).hexdigest()[:32] + ".json"
    return outbox / ".perfeval" / "results" / name


def write_result(outbox: Path, result: model.FileResult, summary: bytes) -> None:
    """Save one input's result and its summary record (one line of bytes); safe in any worker.

    Written to a temporary name and renamed, so a crash never leaves half a
    result that a rerun would trust.
    """
    path = result_path(outbox, result.file)
    text = json.dumps(encode_file_result(result), ensure_ascii=False, separators=(",", ":"))
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as stream:
        stream.write(_HEADER + text.encode("utf-8") + b"\n" + summary)
    os.replace(temporary, path)


def output_paths(result: model.FileResult) -> list[str]:
    """The files written for ``result`` (scored workbook, report drafts), relative to the outbox."""
    return ([result.output] if result.output else []) + list(result.reports)


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
        if not entry or entry.get("digest") != digest or entry.get("fingerprint") != fingerprint:
            return None
        if not all((self.outbox / output).is_file() for output in entry.get("outputs", ())):
            return None
        try:
            _, summary = _read_parts(result_path(self.outbox, relative))
        except (OSError, ValueError):
            return None
        return summary

    def note(self, relative: str, status: str, outputs: Sequence[str], rulebooks: Sequence[str],
             digest: str | None, fingerprint: str, cacheable: bool) -> None:
        """Record in the state what ``relative`` was scored from (its result file is written by
        :func:`write_result`): the input's digest (None when the result must not be reused), the
        rulebooks' fingerprint, its status, outputs and the rulebooks its forms were scored by."""
        self.state[relative] = {"digest": digest if cacheable else None, "fingerprint": fingerprint,
                                "status": status, "outputs": list(outputs), "rulebooks": list(rulebooks)}

    def put(self, result: model.FileResult, summary: bytes, digest: str | None, fingerprint: str,
            cacheable: bool) -> None:
        """Save a result scored in this process, and note it."""
        write_result(self.outbox, result, summary)
        self.note(result.file, result.status, output_paths(result), [form.rulebook for form in result.forms],
                  digest, fingerprint, cacheable)

    def get(self, relative: str) -> model.FileResult:
        result, _ = _read_parts(result_path(self.outbox, relative))
        return decode_file_result(json.loads(result))

    def status(self, relative: str) -> str:
        return self.state[relative]["status"]

    def save(self, keep: list[str]) -> None:
        """Write state.json for the files of this run; results of inputs that are gone are removed."""
        from .writers._atomic import atomic_output

        for relative in set(self.state) - set(keep):
            result_path(self.outbox, relative).unlink(missing_ok=True)
            del self.state[relative]
        with atomic_output(self.state_path) as temporary:
            Path(temporary).write_text(json.dumps({"version": STATE_VERSION, "files": self.state},
                                                  ensure_ascii=False, indent=0), encoding="utf-8")


class StoredResults(Sequence):
    """The results of a batch, read back from the store one at a time."""

    def __init__(self, store: ResultStore, files: list[str]):
        self._store, self._files = store, files

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._store.get(f) for f in self._files[index]]
        return self._store.get(self._files[index])

    def statuses(self) -> dict[str, str]:
        return {f: self._store.status(f) for f in self._files}
