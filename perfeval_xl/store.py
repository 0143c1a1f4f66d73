"""Results kept on disk in OUTBOX/.perfeval: incremental reruns and flat memory.

Each input's result is saved as JSON as soon as it is scored, so a batch of
10,000 forms holds one result at a time, and a rerun reuses the result of
every input whose content hash and rulebooks are unchanged.  JSON, not
pickle: a cache in a shared folder must never be able to run code, so only the
model's own classes can be rebuilt from it.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from . import model
from .writers._atomic import atomic_output

STATE_VERSION = 1
_TYPES = {cls.__name__: cls for cls in (
    model.Source, model.Flag, model.ParsedValue, model.FundLine, model.Funds, model.Indicator,
    model.ProjectForm, model.BaseAmounts, model.BaseData, model.DepartmentRow, model.DepartmentForm,
    model.ItemScore, model.FormResult, model.FileResult)}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def encode(value):
    """A model object as JSON-able data; Decimals keep every digit."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {name: encode(getattr(value, name)) for name in _field_names(type(value))}
        data["__type__"] = type(value).__name__
        return data
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(data):
    """The inverse of :func:`encode`; only the model's classes are ever built."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if isinstance(data, dict):
        if "__decimal__" in data:
            return Decimal(data["__decimal__"])
        if "__type__" in data:
            cls = _TYPES[data["__type__"]]  # KeyError for anything else: never a foreign class
            names = {field.name for field in dataclasses.fields(cls) if field.init}
            return cls(**{k: decode(v) for k, v in data.items() if k in names})
        return {k: decode(v) for k, v in data.items()}
    return data


def file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def rules_fingerprint(rulebooks, version: str) -> str:
    """Changes when any rulebook's content (or the package version) changes."""
    text = json.dumps([version] + [r.data for r in rulebooks], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResultStore:
    """OUTBOX/.perfeval: state.json (what was scored from what) and one JSON file per result."""

    def __init__(self, outbox: Path):
        self.root = outbox / ".perfeval"
        self.results = self.root / "results"
        self.results.mkdir(parents=True, exist_ok=True)
        self.state_path = self.root / "state.json"
        self.state: dict[str, dict] = self._load_state()

    def _load_state(self) -> dict[str, dict]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            return data["files"] if data.get("version") == STATE_VERSION else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # no state or a damaged one: score everything again

    def _path(self, relative: str) -> Path:
        return self.results / (hashlib.sha256(relative.encode("utf-8")).hexdigest()[:32] + ".json")

    def reusable(self, relative: str, digest: str, fingerprint: str, outbox: Path) -> model.FileResult | None:
        """The stored result of an unchanged input whose outputs are all still there, else None."""
        entry = self.state.get(relative)
        if not entry or entry.get("digest") != digest or entry.get("fingerprint") != fingerprint:
            return None
        try:
            result = self.get(relative)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        outputs = ([result.output] if result.output else []) + list(result.reports)
        if not all((outbox / output).is_file() for output in outputs):
            return None
        return result

    def put(self, relative: str, result: model.FileResult, digest: str | None, fingerprint: str,
            cacheable: bool) -> None:
        with atomic_output(self._path(relative)) as temporary:
            Path(temporary).write_text(json.dumps(encode(result), ensure_ascii=False), encoding="utf-8")
        self.state[relative] = {"digest": digest if cacheable else None, "fingerprint": fingerprint,
                                "status": result.status, "error": result.error}

    def get(self, relative: str) -> model.FileResult:
        return decode(json.loads(self._path(relative).read_text(encoding="utf-8")))

    def status(self, relative: str) -> str:
        return self.state[relative]["status"]

    def save(self, keep: list[str]) -> None:
        """Write state.json for the files of this run; results of inputs that are gone are removed."""
        for relative in set(self.state) - set(keep):
            self._path(relative).unlink(missing_ok=True)
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
