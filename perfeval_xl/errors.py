"""Exceptions of perfeval-xl.  Messages are Chinese: officers read them."""
from __future__ import annotations


class PerfevalError(Exception):
    """Base class of every error perfeval-xl raises on purpose."""


class WorkbookError(PerfevalError):
    """A workbook cannot be read as a whole (corrupt, empty, encrypted, no form in it)."""


class RulebookError(PerfevalError):
    """A rulebook file is missing or invalid; the message names the file and the key."""


class OutboxBusy(PerfevalError):
    """Another batch is writing to the same outbox; try again once it has finished."""
