"""Finding the workbooks in an inbox, and where each one's outputs go."""
from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods")  # a template (.xltx) filled and sent as it is too
#: Files of other programs a unit may send in a form's place: listed, so that the officer hears of
#: them, and skipped with what to do (not silently left out of the batch).
_RESAVE = "请用WPS或Excel另存为.xlsx后重新报送"
_UNPACK = "请解压后把其中的工作簿放入收件箱，再运行评分"
OTHER_SPREADSHEETS = {
    ".et": f"WPS表格（.et）不是Excel工作簿，已跳过；{_RESAVE}",
    ".xlsb": f"Excel二进制工作簿（.xlsb）不能读取，已跳过；{_RESAVE}",  # listed since 0.1.8: it was left out unsaid
    # Listed since 0.1.10: forms sent zipped, or exported as CSV, were left out without a word.
    ".csv": "CSV文件不是自评表工作簿（导出时表样和单元格格式已丢失），已跳过；请单位报送Excel工作簿（.xlsx）",
    ".zip": f"压缩包（.zip），已跳过；{_UNPACK}",
    ".rar": f"压缩包（.rar），已跳过；{_UNPACK}",
    ".7z": f"压缩包（.7z），已跳过；{_UNPACK}",
}
#: The files the listing lists: workbooks, and the other programs' spreadsheets it skips saying so.
LISTED_SUFFIXES = WORKBOOK_SUFFIXES + tuple(OTHER_SPREADSHEETS)
SCORED_SUFFIX = ".scored.xlsx"
#: Whether the system's paths are case-sensitive (os.path.normcase leaves a name as it is).
_CASE_SENSITIVE = os.path.normcase("A") == "A"


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One workbook of an inbox: the inbox folder (one Path object shared by every entry, so a
    list of 100,000 entries costs little more than their names) and its path under it."""

    folder: Path
    relative: str  # forward slashes, relative to the inbox
    skip_reason: str | None = None  # set for lock/hidden/temp files, which are listed but not read

    @property
    def path(self) -> Path:
        return self.folder / self.relative

    @property
    def location(self) -> str:
        """:attr:`path` as a string, for opening the file.  Why not the Path: pathlib interns every
        part of every path it parses (each file's name), and the interpreter's table of interned
        strings grows with them and never shrinks (1.9 MB at 10,000 files)."""
        return os.path.join(self.folder, self.relative)

    def __reduce__(self):
        # Why a copy of the name: pickling a str leaves its UTF-8 form cached on it for good (49
        # bytes for a typical Chinese path), and the batch's process keeps every listed name.
        name = self.relative.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
        return InboxEntry, (self.folder, name, self.skip_reason)


class Listing(Sequence[InboxEntry]):
    """The files :func:`list_inbox` found, in inbox order: each one's path under the inbox (one
    string a file, in one list, ``names``) and why each of the few skipped is skipped;
    ``listing[i]`` makes the :class:`InboxEntry` of a file when it is asked for.

    Why not a list of InboxEntry: the batch's process holds its listing until every file is
    scored, and an entry a file (64 bytes, and the lists of them it made) was 0.8 MB at 10,000
    files, kept at its peak.  A batch hands its workers an entry for each file as it goes
    (:class:`ListedFiles`), and keeps its files' positions instead of their names.

    Why the names stay strings: held as one block of UTF-8 they took 0.7 MB less at 10,000 files
    (48 bytes a name, not 122), but the batch's process peaked no lower (41.9 MB against 41.6): the
    strings the walk made had filled memory that stayed with the process once they were freed.
    """

    __slots__ = ("folder", "names", "_reasons")

    def __init__(self, folder: Path, names: list[str], reasons: dict[int, str] | None = None):
        self.folder = folder  # the resolved inbox, one Path shared by every entry
        self.names = names
        self._reasons = {} if reasons is None else reasons  # position → why the file is skipped

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self.names)))]
        name = self.names[index]
        return InboxEntry(self.folder, name, self._reasons.get(index if index >= 0 else index + len(self.names)))

    def __iter__(self) -> Iterator[InboxEntry]:
        folder, reasons = self.folder, self._reasons
        for position, name in enumerate(self.names):
            yield InboxEntry(folder, name, reasons.get(position))

    def __repr__(self) -> str:
        return f"Listing({self.folder!r}, {len(self.names)} files, {len(self._reasons)} skipped)"

    def skip_reason(self, position: int) -> str | None:
        """Why the file at ``position`` is skipped, or None."""
        return self._reasons.get(position)

    def skip(self, position: int, reason: str) -> None:
        """Skip the file at ``position``, saying ``reason``."""
        self._reasons[position] = reason

    def skipped(self) -> list[int]:
        """The positions of the files skipped, in inbox order."""
        return sorted(self._reasons)


class ListedFiles(Sequence[InboxEntry]):
    """The files of ``listing`` at ``positions`` (ascending): the files a batch hands its workers,
    an :class:`InboxEntry` made for each as it goes (see :class:`Listing`)."""

    __slots__ = ("listing", "positions")

    def __init__(self, listing: Listing, positions: Sequence[int]):
        self.listing, self.positions = listing, positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index):
        if isinstance(index, slice):
            folder, names, reasons = self.listing.folder, self.listing.names, self.listing._reasons
            return [InboxEntry(folder, names[position], reasons.get(position)) for position in self.positions[index]]
        return self.listing[self.positions[index]]

    def __iter__(self) -> Iterator[InboxEntry]:
        listing = self.listing
        for position in self.positions:
            yield listing[position]


def list_inbox(inbox: Path, outbox: Path | None = None) -> Listing:
    """Every workbook under ``inbox`` (recursively, not into linked folders), sorted as paths
    sort; the outbox is left out.  A linked folder whose workbooks are not under the inbox
    anyway is listed too, skipped saying what to do (see :func:`_linked_folder_reason`)."""
    inbox = inbox.resolve()
    linked: dict[str, str] = {}
    found = list(_workbook_names(inbox, outbox, linked))
    found += linked
    _sort_as_paths(found)
    if linked:  # rare: the plain listing asks no more of each name than it did
        reasons = {position: reason for position, reason
                   in enumerate(linked.get(relative) or skip_reason(relative) for relative in found) if reason}
    else:
        reasons = {position: reason for position, reason in enumerate(map(skip_reason, found)) if reason}
    _without_shared_outputs(found, reasons)
    return Listing(inbox, found, reasons)


def count_workbooks(inbox: Path, outbox: Path | None = None, *, up_to: int) -> int:
    """How many files :func:`list_inbox` would find under ``inbox`` (not the linked folders it
    lists, which are no work), counted up to ``up_to`` only (a walk that stops there: the batch
    asks whether there is work for every worker before it lists)."""
    return sum(1 for _ in itertools.islice(_workbook_names(inbox.resolve(), outbox), up_to))


#: Where an outbox keeps its store (store.ResultStore.path_in): a folder holding it is an outbox.
_STATE_FOLDER, _STATE_FILE = ".perfeval", "state.sqlite"


def _workbook_names(inbox: Path, outbox: Path | None, linked: dict[str, str] | None = None) -> Iterator[str]:
    """The path under the (resolved) ``inbox`` of each workbook file, as the walk finds them.

    The walk is os.walk's (top-down, not into linked folders, a folder that cannot be read left
    out), but each name is judged from its folder's listing: a workbook is a regular file, or a
    link to one, as ``os.path.isfile`` says, which asked the system once per file (−3 ms of a
    1,000-file batch's start, before its first file goes to a worker).

    A folder whose listing fails part-way is left out whole, as before.  Why its entries are
    taken one at a time, not listed first: a folder's DirEntry objects held at once (with their
    names and paths, ~0.35 KB each) left memory free but kept among the names of the listing.

    An earlier run's outbox under the inbox (a folder holding ``.perfeval/state.sqlite``) is left
    out too, as this run's is: its summary.xlsx failed as a form that was not one, and its scored
    forms were counted as skipped inputs.

    ``linked``, when given, gets the path under the inbox of each linked folder the walk does not
    enter, with why (:func:`_linked_folder_reason`): the officer thought its files scored.
    """
    skipped = os.fspath(outbox.resolve()) if outbox is not None else None
    folders = [(os.fspath(inbox), "")]
    while folders:
        directory, prefix = folders.pop()
        workbooks: list[str] = []
        subfolders: list[tuple[str, str]] = []
        links: list[tuple[str, str]] = []  # linked folders: (path, under the inbox)
        an_outbox = False
        try:
            with os.scandir(directory) as listing:
                for entry in listing:
                    name = entry.name
                    if _is(entry.is_dir):
                        if name == _STATE_FOLDER and os.path.isfile(os.path.join(entry.path, _STATE_FILE)):
                            an_outbox = True
                        elif _is(entry.is_symlink):
                            links.append((entry.path, prefix + name))
                        elif entry.path != skipped:
                            subfolders.append((entry.path, prefix + name + "/"))
                    elif name.lower().endswith(LISTED_SUFFIXES) and (_is(entry.is_file) or _is(entry.is_symlink)):
                        workbooks.append(prefix + name)  # a broken link too: its reading says so, not silence
        except OSError:
            continue
        if an_outbox and prefix:
            continue
        folders += subfolders
        if linked is not None:
            for path, relative in links:
                reason = _linked_folder_reason(path, relative, os.fspath(inbox), skipped)
                if reason is not None:
                    linked[relative] = reason
        yield from workbooks


def _linked_folder_reason(path: str, relative: str, inbox: str, outbox: str | None) -> str | None:
    """Why the linked folder at ``path`` (``relative`` under the resolved ``inbox``) is skipped, or
    None when there is nothing to say: its workbooks are listed under their own path in the inbox
    (or it holds the inbox: entering it would go round), it is an outbox, or it is hidden or
    temporary.  Why not entered at all: a link could make the walk go round, or list a folder twice."""
    if relative.startswith((".", "~")) or "/." in relative or "/~" in relative:
        return None
    target = os.path.realpath(path)
    if _within(target, inbox) or _within(inbox, target) or target == outbox:
        return None
    if os.path.isfile(os.path.join(target, _STATE_FOLDER, _STATE_FILE)):  # an earlier run's outbox
        return None
    # Not "its workbooks were not scored": whether it holds any is not looked at (a link is not
    # entered, so that it cannot make the walk go round).
    return (f"链接的文件夹（快捷方式，指向收件箱之外的“{target}”）未进入，其中如有工作簿均未评分，已跳过；"
            "如需评分，请把该文件夹本身（而不是快捷方式）放入收件箱后重新运行")


def _within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or under it (both resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _is(question: Callable[[], bool]) -> bool:
    """A question to a DirEntry (``is_dir``, ``is_file``, ``is_symlink``), False where the system
    cannot tell, as os.walk and os.path.isfile and islink take it."""
    try:
        return question()
    except OSError:
        return False


def _without_shared_outputs(names: list[str], reasons: dict[int, str]) -> None:
    """Set to be skipped (in ``reasons``, by position in ``names``) each file whose scored form would
    overwrite an earlier one's ("b.xls.xlsx" and "b.xls" both make "b.xls.scored.xlsx")."""
    clashing = _may_share_an_output(names, reasons) if _CASE_SENSITIVE else None
    if clashing is not None and not clashing:  # the usual case: no name to look at
        return
    owners: dict[str, str] = {}
    for position, relative in enumerate(names):
        if position in reasons or (clashing is not None and relative not in clashing):
            continue
        output = os.path.normcase(scored_path(relative))
        owner = owners.setdefault(output, relative)
        if owner != relative:
            reasons[position] = f"评分结果文件名与“{owner}”的相同，已跳过；请将其中一个文件改名后重新运行"


def _may_share_an_output(names: list[str], reasons: dict[int, str]) -> set[str]:
    """Of ``names`` (those at the positions of ``reasons`` skipped already), those whose scored form
    has the same path as another's, where paths are case-sensitive (usually none).

    Two names give one :func:`scored_path` only if one is "S.xlsx" (xlsx in any case) and the
    other is S, S not itself such a name ("b.xls.xlsx" and "b.xls"), or both are S.xlsx in two
    cases of xlsx, one of which is then not "xlsx".  Why not a table of every output path: it held
    a new string per file, which left memory free but kept once the listing was done.
    """
    listed = set(names)
    listed -= {names[position] for position in reasons}
    clashing: set[str] = set()
    for relative in listed:
        stem, suffix = _xlsx_stem(relative)
        if stem is None:
            continue
        if stem in listed and _xlsx_stem(stem)[0] is None:
            clashing.update((relative, stem))
        if suffix != "xlsx":
            for other in _CASES_OF_XLSX:
                if other != suffix and stem + "." + other in listed:
                    clashing.update((relative, stem + "." + other))
    return clashing


#: "xlsx" in every mix of cases.
_CASES_OF_XLSX = tuple("".join(letters) for letters in itertools.product(*({c, c.upper()} for c in "xlsx")))


def _xlsx_stem(relative: str) -> tuple[str | None, str]:
    """(``relative`` without its suffix, the suffix) where :func:`scored_path` replaces the suffix
    (xlsx in any case, after a name), else (None, "")."""
    dot = relative.rfind(".")
    if dot <= relative.rfind("/") + 1 or len(relative) - dot != 5:
        return None, ""
    suffix = relative[dot + 1:]
    return (relative[:dot], suffix) if suffix.lower() == "xlsx" else (None, "")


def _sort_as_paths(names: list[str]) -> None:
    """Sort ``names`` as :func:`_path_order` sorts them, in place.

    Why sorted plainly first: sorting by key holds a key per name at once, which left memory free
    but kept among the names.  Names sort as their keys do unless one has, where another has "/",
    a character below "/" (a space, "-", "."); so the plain order is checked pair by pair, a key
    or two at a time, and sorted again by key only where it is wrong.
    """
    names.sort()
    previous = None
    for name in names:
        key = _path_order(name)
        if previous is not None and previous > key:
            names.sort(key=_path_order)
            return
        previous = key


def _path_order(relative: str) -> str:
    # The order of sorted(Path objects): part by part, case-insensitively where the system is.  The
    # parts joined by NUL, which sorts before any character of a name, compare as the list of them
    # would, in one string (a list per file made listing 10,000 files peak ~1 MB higher).
    if _CASE_SENSITIVE:  # normcase leaves each part as it is: one replace (−0.5 ms at 1,000 files)
        return relative.replace("/", "\0")
    return "\0".join(os.path.normcase(part) for part in relative.split("/"))


def skip_reason(relative: str) -> str | None:
    """Why the listing skips a file (lock, hidden, temporary, already a scored form), or None."""
    name = relative[relative.rfind("/") + 1:]
    if name.startswith("~$"):
        return "Excel/WPS临时锁定文件，已跳过"
    if name.startswith(".~") or name.startswith("~"):
        return "临时文件，已跳过"
    if relative.startswith(".") or "/." in relative:  # a part starts with ".": no split (−0.3 ms at 1,000 files)
        return "隐藏文件，已跳过"
    if name.lower().endswith(SCORED_SUFFIX):
        return "已是评分结果文件，已跳过"
    other = OTHER_SPREADSHEETS.get(name[name.rfind("."):].lower()) if "." in name else None
    return other


def scored_path(relative: str) -> str:
    """Where the scored form of an input goes, relative to the outbox: a/b.xlsx → a/b.scored.xlsx,
    a/b.xls → a/b.xls.scored.xlsx.

    Why other suffixes are kept: a unit that sends its form twice, as b.xls and b.xlsx, must not
    get one scored form overwriting the other.
    """
    # String operations, not PurePosixPath: pathlib interns every part of every path it parses, and
    # the interpreter's table of interned strings never shrinks (1.8 MB more at 10,000 files listed).
    folder, slash, name = relative.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    if stem and suffix.lower() == "xlsx":  # as PurePosixPath's stem and suffix (".xlsx" has none)
        return folder + slash + stem + SCORED_SUFFIX
    return relative + SCORED_SUFFIX
