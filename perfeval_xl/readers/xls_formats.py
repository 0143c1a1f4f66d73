"""Which numbers of an .xls (BIFF) workbook are shown as a percentage, or with words around them.

Excel stores "95%" typed into a cell as 0.95 with a percentage format; a format
like "≤"0"万元" shows 5 as ≤5万元 (:func:`.container.format_words` reads such
formats, for .xlsx and .xls alike).
python-calamine reads an .xls's values but not its formats, so without this
module a reader would see 0.95 where the unit sees 95%.  For an .xlsx the
styles come from the sheet XML screened anyway (:mod:`.container`); an .xls
needs a second parser, xlrd, whose ``formatting_info`` gives each cell's XF.

Why lazily and in two steps: xlrd costs more than calamine's whole read of the
same file (its globals alone, shared strings included, ~0.7 ms for a 13 KB
form), yet a reader asks only about a few numbers (a target or an actual), and
most .xls use no percentage format at all.  So nothing is read until the first
question; then a walk over the format and XF records of the globals (struct,
in the Workbook stream the encryption check already took out of the OLE
container, ~0.1 ms with olefile) tells whether any cell format shows a
percentage or words; only if one may does xlrd parse the globals and then each
sheet asked about.  The walk
can only spare xlrd's work: where it is unsure, it says "may", and which cells
are percentages always comes from xlrd.

Whatever goes wrong here (xlrd missing, a file xlrd cannot parse, a sheet name
it decodes otherwise than calamine) leaves the sheet with no percentage cells:
the values read as plain numbers, exactly as before this module existed.  It
must never fail a workbook that calamine read.

calamine also reads an .xls's error values (#DIV/0! cached as a formula's
result, #N/A typed) as empty cells, so that a unit whose score is #DIV/0! was
told it had not filled the score in, where its .xlsx twin was told to fix the
formula.  :func:`error_cells` finds them with xlrd, whose parse a workbook
costs only when a search of its Workbook stream for such a record (~20 µs a
form) finds one.
"""
from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator, Mapping, Set

#: Number formats 9 (0%) and 10 (0.00%) are built into Excel; xlrd names them in format_map too.
_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
# Parts of a format code that show text as written: "…" strings and \x escapes (a % there is not a
# percentage).  The same rule as container._LITERAL_IN_FORMAT, on a decoded string instead of XML.
_LITERAL_IN_FORMAT = re.compile(r'"[^"]*"|\\.')
#: A format section's condition ([<1], [>=100]): which section shows a number depends on it.
CONDITION = re.compile(r"\[\s*[<>=]")
_NO_CELLS: frozenset[tuple[int, int]] = frozenset()


class _Quiet:
    """A log file that drops what xlrd would print (its warnings are about the file, not for the officer)."""

    @staticmethod
    def write(_text: str) -> int:
        return 0

    @staticmethod
    def flush() -> None:
        pass


class XlsNumberFormats:
    """The numbers shown as a percentage or with words in one .xls, read on first demand, sheet by sheet.

    One instance is shared by the grids of a workbook: the globals are parsed
    at most once.  Holds the workbook's bytes (and, once asked, xlrd's book)
    only as long as those grids live, i.e. within one ``read_workbook``.
    """

    def __init__(self, data: bytes, stream: bytes | None) -> None:
        self._data: bytes | None = data
        self._stream = stream  # the Workbook stream of ``data``, if already read (container.unwrap)
        self._book = None
        self._percent_xfs: frozenset[int] = frozenset()
        self._worded_xfs: dict[int, tuple[str, str, int]] = {}  # XF → container.format_words of its format
        self._sheets: dict[str, tuple[frozenset[tuple[int, int]], dict]] = {}

    def cells_of(self, sheet: str) -> frozenset[tuple[int, int]]:
        """(row, col) of every number in ``sheet`` whose format shows it as a percentage."""
        return self._sheet(sheet)[0]

    def words_of(self, sheet: str) -> dict[tuple[int, int], tuple[str, str, int]]:
        """(row, col) → (prefix, suffix, shift) of every number in ``sheet`` whose format writes
        words around it or shows it divided (as :func:`.container.format_words` reads a format)."""
        return self._sheet(sheet)[1]

    def _sheet(self, sheet: str) -> tuple[frozenset[tuple[int, int]], dict]:
        found = self._sheets.get(sheet)
        if found is None:
            try:
                found = self._read_sheet(sheet)
            except Exception:  # xlrd raises many types on odd files; see the module docstring
                found = _NO_CELLS, {}
            self._sheets[sheet] = found
        return found

    def _read_sheet(self, sheet: str) -> tuple[frozenset[tuple[int, int]], dict]:
        if self._data is not None:
            data, self._data = self._data, None  # tried once: a file xlrd refuses is not parsed per sheet
            stream, self._stream = self._stream, None
            self._open(data, stream)
        if self._book is None:
            return _NO_CELLS, {}
        import xlrd

        book = self._book
        try:
            grid = book.sheet_by_name(sheet)
        except xlrd.XLRDError:  # calamine decoded the name otherwise: no percentages rather than a guess
            return _NO_CELLS, {}
        percent_xfs, worded_xfs, number = self._percent_xfs, self._worded_xfs, xlrd.XL_CELL_NUMBER  # formulas too
        numbers = [(row, col, grid.cell_xf_index(row, col)) for row in range(grid.nrows)
                   for col, kind in enumerate(grid.row_types(row)) if kind == number]
        cells = frozenset((row, col) for row, col, xf in numbers if xf in percent_xfs)
        words = {(row, col): worded_xfs[xf] for row, col, xf in numbers if xf in worded_xfs}
        book.unload_sheet(sheet)  # Why: only its few percentage and worded cells are needed from now on
        return cells, words

    def _open(self, data: bytes, stream: bytes | None) -> None:
        if not _may_show_as_read(data, stream):
            return
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=_Quiet(), ignore_workbook_corruption=True)
        formats = book.format_map
        # Only cell XFs: Excel and LibreOffice also write a style XF for the built-in "Percent" style,
        # which no cell refers to; counting it would parse every sheet of nearly every workbook.
        cell_xfs = [(index, xf.format_key) for index, xf in enumerate(book.xf_list) if not xf.is_style]
        self._percent_xfs = frozenset(index for index, key in cell_xfs if _shows_percent(key, formats))
        for index, key in cell_xfs:
            words = _words_of(key, formats)
            if words is not None:
                self._worded_xfs[index] = words
        if self._percent_xfs or self._worded_xfs:
            self._book = book
        else:
            book.release_resources()


def _words_of(format_key: int, formats: dict) -> tuple[str, str, int] | None:
    code = getattr(formats.get(format_key), "format_str", None)
    if not code:
        return None
    from .container import format_words

    return format_words(code)


def _shows_percent(format_key: int, formats: dict) -> bool:
    if format_key in _BUILTIN_PERCENT_FORMATS:
        return True
    number_format = formats.get(format_key)
    code = getattr(number_format, "format_str", None)
    return bool(code) and "%" in _LITERAL_IN_FORMAT.sub("", code) and not CONDITION.search(code)


_RECORD_HEADER = struct.Struct("<HH")  # BIFF record: type, length of its data
BOF, _EOF, FILEPASS, _XF, _FORMAT = 0x0809, 0x000A, 0x002F, 0x00E0, 0x041E
_BIFF8 = 0x0600
_XF_IS_STYLE = 0x0004  # in the XF's third 16-bit field


def _may_show_as_read(data: bytes, stream: bytes | None) -> bool:
    """False only when the globals of this BIFF8 workbook surely give no cell a format that shows a
    number as a percentage or with words (what the readers then read through xlrd).

    Reads just the FORMAT and XF records, of ``stream`` (its Workbook stream) when given, else
    from ``data``'s OLE container; anything it does not know for sure (a BIFF5 file, an
    encrypted one, a record cut short, a parse error) answers True.
    """
    if stream is None:
        try:
            import olefile

            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                stream = ole.openstream("Workbook").read()  # BIFF5 and older name it "Book": raises, so True
        except Exception:
            return True
    if len(stream) < 6 or struct.unpack_from("<HHH", stream)[::2] != (BOF, _BIFF8):
        return True  # not a BIFF8 BOF first: its records are not the ones read below
    formats_read = set(_BUILTIN_PERCENT_FORMATS)
    cell_formats = set()
    for kind, body in globals_records(stream):
        if kind == _FORMAT:
            if len(body) < 5:
                return True
            number_format, characters, wide = struct.unpack_from("<HHB", body)
            size = characters * (2 if wide & 1 else 1)
            # Any % byte, even a quoted one or half a UTF-16 character, only costs xlrd's parse; and a
            # code cut short (continued in another record) may hold its % further on.
            if b"%" in body[5:5 + size] or len(body) < 5 + size or _may_write_words(body[5:5 + size], wide):
                formats_read.add(number_format)
        elif kind == _XF:
            if len(body) < 6:
                return True
            _font, number_format, flags = struct.unpack_from("<HHH", body)
            if not flags & _XF_IS_STYLE:
                cell_formats.add(number_format)
        elif kind == FILEPASS:
            return True  # encrypted records: not readable here
        elif kind == _EOF:  # the end of the globals; every FORMAT and XF was before it
            return not cell_formats.isdisjoint(formats_read)
    return True  # no EOF: a stream cut short


def _may_write_words(code: bytes, wide: int) -> bool:
    """Does a FORMAT record's code write words around a number or show it divided (a format xlrd
    must then read)?  Decoded and asked as an .xlsx's format is; a code that does not decode may."""
    from .container import format_words

    try:
        return format_words(code.decode("utf-16-le" if wide & 1 else "latin-1")) is not None
    except UnicodeDecodeError:
        return True


def globals_records(stream: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, data) of each BIFF record of a workbook stream, from the first (its BOF) up to and
    including the EOF that ends the workbook globals; none after a record cut short."""
    position, end = 0, len(stream)
    while position + 4 <= end:
        kind, length = _RECORD_HEADER.unpack_from(stream, position)
        position += 4 + length
        if position > end:
            return
        yield kind, stream[position - length:position]
        if kind == _EOF:
            return


class WordedCells(Mapping):
    """``Grid.words`` of one .xls sheet: looked up in :class:`XlsNumberFormats` on first use."""

    __slots__ = ("_formats", "_sheet", "_cells")

    def __init__(self, formats: XlsNumberFormats, sheet: str) -> None:
        self._formats = formats
        self._sheet = sheet
        self._cells: dict | None = None

    def _loaded(self) -> dict:
        if self._cells is None:
            self._cells = self._formats.words_of(self._sheet)
            self._formats = None  # Why: the mapping no longer keeps the workbook's bytes alive
        return self._cells

    def __getitem__(self, cell: tuple[int, int]) -> tuple[str, str, int]:
        return self._loaded()[cell]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


class PercentCells(Set):
    """``Grid.percent`` of one .xls sheet: looked up in :class:`XlsNumberFormats` on first use."""

    __slots__ = ("_formats", "_sheet", "_cells")

    def __init__(self, formats: XlsNumberFormats, sheet: str) -> None:
        self._formats = formats
        self._sheet = sheet
        self._cells: frozenset[tuple[int, int]] | None = None

    def _loaded(self) -> frozenset[tuple[int, int]]:
        if self._cells is None:
            self._cells = self._formats.cells_of(self._sheet)
            self._formats = None  # Why: the set no longer keeps the workbook's bytes alive
        return self._cells

    def __contains__(self, cell: object) -> bool:
        return cell in self._loaded()

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def __repr__(self) -> str:
        state = "not read yet" if self._cells is None else sorted(self._cells)
        return f"PercentCells({self._sheet!r}: {state})"


#: A record that may hold an error value: a FORMULA whose cached result is one (type byte 2, the
#: result's last two bytes 0xFFFF), or a BOOLERR whose error flag is set.  Matched anywhere, inside a
#: text too: a false match only costs xlrd's parse, which then finds no error cell.
_ERROR_RECORD = re.compile(rb"\x06\x00.{8}\x02.{5}\xff\xff|\x05\x02\x08\x00.{7}\x01", re.S)


def error_cells(data: bytes, stream: bytes | None) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, (row, col) → the error value (#DIV/0!, #N/A …) of each cell of the .xls ``data``
    that holds one, cached as a formula's result or typed; {} when none may (most workbooks), or
    when xlrd cannot tell.  ``stream`` is ``data``'s Workbook stream when already read."""
    if stream is None:
        try:
            import olefile

            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                stream = ole.openstream("Workbook" if ole.exists("Workbook") else "Book").read()
        except Exception:
            stream = data  # records split across the container's sectors may be missed: no worse than before
    if _ERROR_RECORD.search(stream) is None:
        return {}
    try:
        return _error_cells_by_xlrd(data)
    except Exception:  # see the module docstring: never fail a workbook calamine read
        return {}


def _error_cells_by_xlrd(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Quiet(),
                              ignore_workbook_corruption=True)
    found = {}
    try:
        for index, name in enumerate(book.sheet_names()):
            grid = book.sheet_by_index(index)
            cells = {(row, col): xlrd.error_text_from_code.get(grid.cell_value(row, col), "#VALUE!")
                     for row in range(grid.nrows)
                     for col, kind in enumerate(grid.row_types(row)) if kind == xlrd.XL_CELL_ERROR}
            if cells:
                found[name] = cells
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return found
