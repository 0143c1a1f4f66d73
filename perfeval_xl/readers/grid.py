"""Load a workbook's sheets as plain grids of cell values.

python-calamine reads .xlsx/.xlsm/.xls/.ods values fast and without styles;
that is all a reader needs.  The one thing calamine cannot tell is whether an
empty cell is really a formula that was never calculated (a workbook saved by
a script); for .xlsx we look that up in the sheet XML, only when the sheet has
formulas at all.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from python_calamine import CalamineWorkbook

from ..errors import WorkbookError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Grid:
    """One sheet: ``rows[r][c]`` holds the raw value (str, float, int, bool, datetime or '')."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formulas without a cached value
    hidden: bool = False

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) → "B13"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def load_grids(path: Path, data: bytes | None = None) -> list[Grid]:
    """Every worksheet of the workbook at ``path`` as a :class:`Grid`.

    ``data`` may hold the file's bytes already read (the caller hashes them).
    Raises :class:`WorkbookError` with a Chinese message when it cannot be read.
    """
    if data is None:
        data = Path(path).read_bytes()
    if not data:
        raise WorkbookError("文件为空（0字节），不是Excel工作簿")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several unrelated types
        raise WorkbookError(f"文件已损坏或不是Excel工作簿（{type(exc).__name__}: {exc}）") from exc
    uncalculated = _uncalculated_formulas(data) if data.startswith(ZIP_MAGIC) else {}
    grids = []
    for meta in book.sheets_metadata:
        if str(meta.typ) != "SheetTypeEnum.WorkSheet":
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        except Exception as exc:
            raise WorkbookError(f"工作表“{meta.name}”无法读取（{exc}）") from exc
        grids.append(Grid(
            name=meta.name,
            rows=rows,
            merged=merged,
            uncalculated=uncalculated.get(meta.name, set()),
            hidden=str(meta.visible) != "SheetVisibleEnum.Visible",
        ))
    return grids


_CELL_WITH_FORMULA = re.compile(rb"<c\b([^>]*)>(.*?)</c>", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_SHEET_ENTRY = re.compile(rb"<sheet\b[^>]*/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _uncalculated_formulas(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Sheet name → cells holding a formula with no cached value (.xlsx only)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheet_paths = _sheet_paths(archive)
        found: dict[str, set[tuple[int, int]]] = {}
        for name, member in sheet_paths.items():
            xml = archive.read(member)
            if b"<f" not in xml:
                continue
            cells = set()
            for match in _CELL_WITH_FORMULA.finditer(xml):
                body = match.group(2)
                if b"<f" in body and (b"<v" not in body or b"<v></v>" in body or b"<v/>" in body):
                    ref = _REF.search(match.group(1))
                    if ref:
                        cells.add((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))
            if cells:
                found[name] = cells
        return found
    except (zipfile.BadZipFile, KeyError, ValueError):
        return {}


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, from workbook.xml and its rels."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for rel in re.finditer(rb"<Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(rel.group()))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode()
            member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[attrs[b"Id"]] = member
    paths = {}
    for entry in _SHEET_ENTRY.finditer(workbook):
        attrs = dict(_ATTR.findall(entry.group()))
        rid = attrs.get(b"r:id") or next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        name = attrs.get(b"name")
        if rid in targets and name is not None:
            paths[_xml_unescape(name.decode())] = targets[rid]
    return paths


def _xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1
