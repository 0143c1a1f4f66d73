"""OpenDocument spreadsheets (.ods): what python-calamine does not say of them, and the screen.

Units on domestic office suites and LibreOffice save their forms as .ods.
python-calamine reads an .ods's values but reports no merged ranges for it,
gives a number shown as a percentage ("95%", stored as 0.95) or with words
("≤5万元", stored as 5) as the bare number, an error value (#DIV/0!) or a
formula never calculated as an empty cell, and a logical result LibreOffice
stores as a number (=1>0: 1 shown TRUE) as that number; all of these are read
here from ``content.xml``.  The zip is
screened as an .xlsx's is (zip bombs, entity declarations), and a sheet's used
area is bounded before calamine sees it: LibreOffice writes a sheet's empty
tail as one row repeated a million times, so repeats count only where a cell
holds something.  A package that would mislead calamine (drawings inside
cells, no mimetype) is handed to it rebuilt from its XML parts.
"""
from __future__ import annotations

import io
import re

from ..errors import WorkbookError
from .container import ReadLimits, SheetFacts, bounded_archive, read_zip_members, screen_xlsx, sheet_too_large

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_SHEET = _TABLE + "table"
_ROW = _TABLE + "table-row"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")
_NAME = _TABLE + "name"
_ROWS_REPEATED = _TABLE + "number-rows-repeated"
_COLUMNS_REPEATED = _TABLE + "number-columns-repeated"
_COLUMNS_SPANNED = _TABLE + "number-columns-spanned"
_ROWS_SPANNED = _TABLE + "number-rows-spanned"
_VALUE_TYPE = _OFFICE + "value-type"
_FORMULA = _TABLE + "formula"
_STYLE = _TABLE + "style-name"
_VALUE = _OFFICE + "value"
_NUMBER_TYPES = ("float", "percentage", "currency")
_PARAGRAPH = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
#: LibreOffice's own value type beside ODF's: "error" for a formula whose result is #DIV/0! and the like
#: (ODF types it an empty string, which calamine gives as "").
_CALC_VALUE_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
#: The member an OpenDocument package must store first, uncompressed, naming what the package is.
_MIMETYPE_HEADER = b"mimetype"


def is_open_document_spreadsheet(data: bytes) -> bool:
    """Is ``data`` (a zip) an OpenDocument spreadsheet: its first member is the ``mimetype`` the
    format requires, saying so?"""
    # A local file header is 30 bytes, then the member's name, then (stored) its content.
    return data.startswith(_MIMETYPE_HEADER, 30) and b"opendocument.spreadsheet" in data[38:120]


def screen_ods(data: bytes, limits: ReadLimits) -> tuple[dict[str, SheetFacts], bytes]:
    """Screen an .ods: (per sheet name, its merged ranges, percentages, error values and formulas
    never calculated; the workbook to hand to the parser), as :func:`.container.screen_xlsx` does.

    Raises WorkbookError for a zip bomb, an encrypted package, an XML entity declaration, a
    missing or malformed ``content.xml``, or a sheet whose used area exceeds ``limits.max_sheet_cells``.
    """
    archive, _ = bounded_archive(data, limits, "文件已损坏（压缩包结构损坏）")
    names = [member.filename for member in archive.members]
    if any(name.lower() == "xl/workbook.xml" for name in names):  # calamine finds "XL/workbook.xml" too
        # An .xlsx's parts behind an ODF mimetype: calamine reads it as the .xlsx it also is, so it
        # is screened as one (unscreened, a far cell in it made calamine abort the process).
        return screen_xlsx(data, limits)
    manifest = read_zip_members(data, archive, limits, lambda name: name == "META-INF/manifest.xml")
    if b"encryption-data" in manifest.get("META-INF/manifest.xml", b""):
        # Its parts are encrypted (ODF's own scheme, which msoffcrypto-tool does not open): inflating
        # them would only say "damaged".
        raise WorkbookError("文件已加密（OpenDocument密码保护），无法读取；请单位去掉密码后重新报送")
    parts = read_zip_members(data, archive, limits,
                             lambda name: name.lower().endswith(".xml") and name != "META-INF/manifest.xml")
    parts.update(manifest)
    content = parts.get("content.xml")
    if content is None:
        raise WorkbookError("文件已损坏：OpenDocument表格缺少content.xml")
    for xml in parts.values():
        # Anywhere, not only in the first 4 KB as for an .xlsx: the prolog may be padded, and an
        # .ods is rare enough for a whole scan (a form's content.xml is ~100 KB).
        if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
            raise WorkbookError("文件包含XML实体声明（DOCTYPE/ENTITY），可能是恶意文件，已拒绝读取")
    if b"<draw:" in content:  # a shape anchored to a cell: calamine reads its text into the cell's
        content = parts["content.xml"] = _without_drawings(content)
        data = _repackaged(parts)
    elif "mimetype" not in names:  # zipped again without it: calamine cannot tell what the package is
        data = _repackaged(parts)
    # Why imported here: ElementTree and pyexpat cost ~2 ms a process to import, and most batches
    # hold no .ods.
    from xml.etree.ElementTree import ParseError

    try:
        return _sheet_facts(content, limits), data
    except ParseError as exc:
        raise WorkbookError(f"文件已损坏：OpenDocument表格的content.xml无法解析（{exc}）") from exc


#: The start or end tag of a drawing element (a text box, a stamp, a picture's frame, a group).
_DRAW_TAG = re.compile(rb"<(/?)draw:[\w-]+\b[^>]*?(/?)>")


def _without_drawings(content: bytes) -> bytes:
    """``content`` without its drawings, each with all it holds (groups and frames nest).  Anchored to
    a cell, a drawing sits inside the cell's element, and calamine joined a text box's words to the
    cell's: an 得分 header under a "已复核" box read "得分\n已复核", and every self-score was lost."""
    kept, depth, start, end = [], 0, 0, 0
    for tag in _DRAW_TAG.finditer(content):
        closing, empty = tag.group(1), tag.group(2)
        if not closing and not empty:
            if depth == 0:
                start = tag.start()
            depth += 1
        elif closing:
            depth -= 1
            if depth < 0:
                return content  # not well formed: left for the parser to refuse
            if depth == 0:
                kept.append(content[end:start])
                end = tag.end()
        elif depth == 0:  # an empty drawing element on its own
            kept.append(content[end:tag.start()])
            end = tag.end()
    return b"".join(kept) + content[end:] if depth == 0 else content


def _repackaged(parts: dict[str, bytes]) -> bytes:
    """A package of the XML ``parts`` (already inflated within the limits) behind the ``mimetype``
    member the format requires first: what calamine is handed when the package as sent would
    mislead it (no mimetype, or a content.xml with drawings in its cells)."""
    import zipfile

    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        for name, part in parts.items():
            package.writestr(name, part, zipfile.ZIP_DEFLATED)
    return copy.getvalue()


def _sheet_facts(content: bytes, limits: ReadLimits) -> dict[str, SheetFacts]:
    from xml.etree.ElementTree import iterparse

    facts: dict[str, SheetFacts] = {}
    sheet: SheetFacts | None = None
    name = ""
    depth = 0  # of tables: a table inside a cell (a rare ODF construct) is not a sheet of its own
    row = col = 0
    row_repeat = 1
    last_row = last_col = 0  # the used area: the last row and column holding something, 1-based
    open_elements = []  # the element being read and its ancestors: a finished row leaves its parent
    for event, element in iterparse(io.BytesIO(content), events=("start", "end")):
        if event == "start":
            open_elements.append(element)
        else:
            open_elements.pop()
        tag = element.tag
        if tag == _SHEET:
            if event == "start":
                depth += 1
                if depth == 1:
                    name = element.get(_NAME, "")
                    sheet = facts.setdefault(name, SheetFacts())
                    row = last_row = last_col = 0
            else:
                depth -= 1
                if depth == 0:
                    _check_extent(name, last_row, last_col, limits)
                element.clear()
            continue
        if depth != 1 or sheet is None:
            continue
        if tag == _ROW:
            if event == "start":
                col = 0
                row_repeat = _count(element.get(_ROWS_REPEATED))
            else:
                row += row_repeat
                # The row is done with: a sheet of a million row elements is not kept whole (1.4 GB).
                # It is its parent's last child, as it has just ended.
                if open_elements:
                    del open_elements[-1][-1]
        elif tag in _CELLS and event == "end":
            col_repeat = _count(element.get(_COLUMNS_REPEATED))
            value_type = element.get(_VALUE_TYPE)
            formula = element.get(_FORMULA)
            if value_type is not None or len(element) or formula is not None:  # a value, text, a formula
                last_row = max(last_row, row + row_repeat)
                last_col = max(last_col, col + col_repeat)
                _check_extent(name, last_row, last_col, limits)
                cells = list(_repeated(row, col, row_repeat, col_repeat)) \
                    if value_type == "percentage" or formula is not None else ()
                if value_type in _NUMBER_TYPES and element.get(_STYLE) is not None:
                    # A formatted number: its paragraph is the text the unit sees ("≤5万元", "800千元").
                    words = _shown_words(element, value_type == "percentage")
                    if words is not None:
                        sheet.words.update((cell, words) for cell in _repeated(row, col, row_repeat, col_repeat))
                if value_type == "percentage":
                    sheet.percent.update(cells)
                elif formula is not None and element.get(_CALC_VALUE_TYPE) == "error":
                    shown = _shown(element) or "#VALUE!"
                    sheet.errors.update(dict.fromkeys(cells, shown))
                elif formula is not None and value_type is None:  # never calculated: no value stored
                    sheet.uncalculated.update(cells)
                elif formula is not None and value_type == "float":
                    logical = _logical(element)
                    if logical is not None:
                        sheet.logical.update(dict.fromkeys(cells, logical))
            rows_spanned = _count(element.get(_ROWS_SPANNED))
            columns_spanned = _count(element.get(_COLUMNS_SPANNED))
            if (rows_spanned > 1 or columns_spanned > 1) and row_repeat == col_repeat == 1:
                # A repeated merged cell is no form's: a hostile file made 256 ranges of each.
                sheet.merged.append((row, col, row + rows_spanned - 1, col + columns_spanned - 1))
            col += col_repeat
    return facts


#: The words LibreOffice shows for a logical result (its English ones, and the Chinese locale's).
_LOGICAL_WORDS = {"TRUE": True, "FALSE": False, "真": True, "假": False}


def _logical(element) -> bool | None:
    """True or False when the formula cell ``element`` holds a logical result, else None.  LibreOffice
    keeps one as a number: =1>0, or a TRUE an .xlsx held (which it turns into =TRUE()), is saved as
    the float 1 shown "TRUE" (its .xls and .xlsx say True); read as 1, a TRUE typed as a score
    scored 1 point in an .ods and was flagged "not a number" in its .xls and .xlsx twins."""
    value = _float(element.get(_VALUE))
    if value != 0 and value != 1:
        return None
    logical = _LOGICAL_WORDS.get(_shown(element).upper())
    return logical if logical is not None and logical == (value == 1) else None


def _shown(element) -> str:
    """What the cell ``element`` shows, stripped: its own paragraphs' text (a comment,
    office:annotation, holds paragraphs too, and is not the cell's)."""
    return "".join("".join(child.itertext()) for child in element if child.tag == _PARAGRAPH).strip()


def _repeated(row: int, col: int, row_repeat: int, col_repeat: int):
    """The cells one cell element stands for, repeated down and across."""
    return ((r, c) for r in range(row, row + row_repeat) for c in range(col, col + col_repeat))


#: The number in a cell's shown text: "≤5万元" → 5, "800千元" → 800, "1,234.5" → 1234.5.
_SHOWN_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _shown_words(element, percent: bool) -> tuple[str, str, int] | None:
    """(prefix, suffix, shift) as :func:`.container.format_words` gives them for an .xlsx's format,
    read off the text LibreOffice writes for a formatted number (its first paragraph) against its
    value: "≤5万元" for 5 → ("≤", "万元", 0), "800千元" for 800000 → ("", "千元", 3); None when it
    writes no words and divides by nothing, or its text holds no number to compare."""
    value = _float(element.get(_VALUE))
    paragraph = next((child for child in element if child.tag == _PARAGRAPH), None)
    if value is None or value < 0 or paragraph is None:  # a negative one is shown by another section
        return None
    shown = "".join(paragraph.itertext()).strip()
    number = _SHOWN_NUMBER.search(shown)
    if number is None:
        return None
    prefix, suffix = shown[:number.start()].strip(" ¥￥$€"), shown[number.end():].strip()
    if any(character.isdigit() for character in prefix + suffix):
        return None  # more than one number ("593!.8万", LibreOffice's own rendering of 0!.0,"万"): no guess
    if percent:
        value *= 100
        suffix = suffix[1:].strip() if suffix.startswith("%") else suffix
    written = _float(number.group().replace(",", ""))
    shift = 0
    if written and value and abs(value) > abs(written) * 500:  # shown divided: by a power of ten
        ratio = abs(value / written)
        shift = min(range(3, 13), key=lambda power: abs(ratio / 10 ** power - 1))
        if abs(ratio / 10 ** shift - 1) > 0.05:  # no power of ten: a number written beside another
            return None
    return (prefix, suffix, shift) if prefix or suffix or shift else None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _count(text: str | None) -> int:
    """A repeat or span attribute as a count (1 when absent or not a positive whole number)."""
    if text is None:
        return 1
    try:
        return max(int(text), 1)
    except ValueError:
        return 1


def _check_extent(name: str, last_row: int, last_col: int, limits: ReadLimits) -> None:
    if last_row * last_col > limits.max_sheet_cells:
        raise sheet_too_large(name, last_row, last_col, limits)

