"""OpenDocument spreadsheets (.ods) for the tests, written as LibreOffice writes them: the
``mimetype`` member first and stored, then ``content.xml`` with repeated rows and cells,
merged cells as spans over covered cells, and percentages typed as such."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl import load_workbook

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')


def write_ods(path: Path, sheets: dict[str, dict], *, prolog: str = "", tail_rows: int = 1_048_000) -> Path:
    """Write ``sheets`` (name → {"rows": [[value, …], …], "merged": ["B2:D2", …], "percent": {"C5", …},
    "hidden": bool}) as an .ods at ``path``.  Each sheet ends as LibreOffice's do, with its empty
    rows repeated ``tail_rows`` times."""
    tables = []
    for name, sheet in sheets.items():
        spans, covered = _spans(sheet.get("merged", ()))
        percent = {_position(ref) for ref in sheet.get("percent", ())}
        rows = []
        for r, values in enumerate(sheet["rows"]):
            cells = []
            for c, value in enumerate(values):
                span = spans.get((r, c))
                attributes = "" if span is None else (f' table:number-rows-spanned="{span[0]}"'
                                                      f' table:number-columns-spanned="{span[1]}"')
                element = "table:covered-table-cell" if (r, c) in covered else "table:table-cell"
                cells.append(_cell(element, value, attributes, (r, c) in percent))
            cells.append('<table:table-cell table:number-columns-repeated="1000"/>')
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        rows.append(f'<table:table-row table:number-rows-repeated="{tail_rows}">'
                    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
        style = ' table:style-name="hidden"' if sheet.get("hidden") else ""
        tables.append(f"<table:table table:name={quoteattr(name)}{style}>{''.join(rows)}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {_NAMESPACES} '
               'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3">'
               '<office:automatic-styles><style:style style:name="hidden" style:family="table">'
               '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                         f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
                         '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                         "</manifest:manifest>", zipfile.ZIP_DEFLATED)
    return path


def ods_twin(xlsx: Path, target: Path) -> Path:
    """The .xlsx at ``xlsx`` (values, merged ranges, percentage formats, hidden sheets) as an .ods."""
    workbook = load_workbook(xlsx)
    sheets = {}
    for sheet in workbook.worksheets:
        rows = [[_value(cell) for cell in row] for row in sheet.iter_rows(min_row=1, min_col=1)]
        percent = {cell.coordinate for row in sheet.iter_rows() for cell in row
                   if isinstance(cell.value, (int, float)) and "%" in cell.number_format}
        sheets[sheet.title] = {"rows": rows, "merged": [str(r) for r in sheet.merged_cells.ranges],
                               "percent": percent, "hidden": sheet.sheet_state != "visible"}
    return write_ods(target, sheets)


class Formula(str):
    """A formula never calculated: LibreOffice always stores a result, a script writing .ods may not."""


class Error(str):
    """A formula's error value (#DIV/0!), typed as LibreOffice types it."""


def _value(cell):
    if cell.value is None:
        return ""
    if cell.data_type == "e":
        return Error(cell.value)
    if cell.data_type == "f":
        return Formula(cell.value)
    return cell.value


def _cell(element: str, value, attributes: str, percent: bool) -> str:
    if value == "" or value is None:
        return f"<{element}{attributes}/>"
    if isinstance(value, Formula):
        return f'<{element} table:formula={quoteattr("of:" + value)}{attributes}/>'
    if isinstance(value, Error):
        return (f'<{element} table:formula="of:=1/0" office:value-type="string" office:string-value="" '
                f'calcext:value-type="error"{attributes}><text:p>{escape(value)}</text:p></{element}>')
    if isinstance(value, bool):
        return (f'<{element} office:value-type="boolean" office:boolean-value="{str(value).lower()}"{attributes}>'
                f"<text:p>{'TRUE' if value else 'FALSE'}</text:p></{element}>")
    if isinstance(value, (int, float)):
        kind = "percentage" if percent else "float"
        shown = f"{value * 100:g}%" if percent else f"{value:g}"
        return (f'<{element} office:value-type="{kind}" office:value="{value!r}"{attributes}>'
                f"<text:p>{shown}</text:p></{element}>")
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return f'<{element} office:value-type="string"{attributes}>{paragraphs}</{element}>'


def _spans(merged) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    spans, covered = {}, set()
    for ref in merged:
        first, last = ref.split(":")
        (r0, c0), (r1, c1) = _position(first), _position(last)
        spans[r0, c0] = (r1 - r0 + 1, c1 - c0 + 1)
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
    return spans, covered


def _position(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(ref[len(letters):]) - 1, col - 1
