"""The report draft's .docx package, prepared once per process.

python-docx spends ~40 ms per document loading its default template (a 430 kB
styles part) and building the tree, yet drafts differ only in
``word/document.xml``.  So the drafts start from one prototype — an empty
document with the draft's Normal style and a one-row score table, as
python-docx saves it — and the writer keeps every other part of its package
compressed, and its ``document.xml`` cut into the pieces a draft's body is
assembled from.  The prototype ships as ``templates/报告初稿原型.docx``
(``templates/build_templates.py`` has python-docx write it; a test checks the
drafts against python-docx's own): importing python-docx and building it
costs a worker ~0.2 s, on its first department form of every batch.
"""
from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass

from ._templates import template_path
from .._zip import ZipMember, members_as_compressed

DOCUMENT_PART = "word/document.xml"
#: The prototype as shipped, with a score table of :data:`report_draft.SCORE_TABLE_HEADERS` columns.
PROTOTYPE = "报告初稿原型.docx"
FONT_NAME = "宋体"
FONT_SIZE_PT = 12

_BODY = "<w:body>"
_ROW = "<w:tr>"
_EMPTY_PARAGRAPH = "<w:p/>"
_TABLE_END = "</w:tbl>"


#: The score table's column widths in twips (一级指标 … 评分依据): the A4 page's 8,306 between its
#: margins, the rest of it for the 评分依据, the table's main text (nine characters a line).  At the
#: table's 12 pt (240 twips an em) inside Table Grid's cell margins (108 each side), a Chinese
#: character is an em and a digit at most 0.64 em (宋体's are 0.5; DejaVu Sans, which stands in for
#: 宋体 where it is not installed, 0.636).  分值 (700) holds its header on one line and a weight of
#: three digits; 自评得分 and 复核得分 (1,000) hold their header in two lines and a score of five
#: characters ("10.00", and "100.00" in 宋体) on one.  At 560 and 650 the headers stood one
#: character a line and "10.00" printed as "10." over "00"; at 1,150–1,200 the 评分依据 had six
#: characters a line and the table ran a page longer.
COLUMN_WIDTHS = (800, 900, 1400, 700, 1000, 1000, 2506)
#: A row of the score table never breaks across pages: split, the 合计 row printed "95." at the foot
#: of one page and "61" at the head of the next.
ROW_START = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
#: The first row of the score table, its header, repeats on every page the table runs onto.
HEADER_ROW_START = "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
#: The language of the draft's Latin text and numbers (its Chinese text's is zh-CN).
WESTERN_LANGUAGE = "en-US"
#: The fonts of the draft's headings (black, as a report is printed, not Word's blue theme).
HEADING_FONT = "黑体"


@dataclass(frozen=True)
class ReportTemplate:
    """The prototype package: its constant parts and the pieces of ``document.xml``."""

    before: tuple[ZipMember, ...]  # parts in package order up to document.xml
    after: tuple[ZipMember, ...]  # parts after it
    document_head: str  # document.xml up to and including <w:body>
    document_tail: str  # the section properties, </w:body></w:document>
    table_head: str  # <w:tbl> … </w:tblGrid>: style, look and column widths
    cell_heads: tuple[str, ...]  # <w:tc><w:tcPr>…</w:tcPr> of each column: its width


class _NotThisPrototype(ValueError):
    """The prototype's document is not laid out as the draft writer expects."""


@functools.lru_cache(maxsize=None)
def report_template(columns: int) -> ReportTemplate:
    """The template for drafts whose score table has ``columns`` columns (prepared once per process).

    From the shipped prototype when its table has that many columns; otherwise
    python-docx builds one.
    """
    try:
        return _template_of(template_path(PROTOTYPE).read_bytes(), columns)
    except (OSError, zipfile.BadZipFile, KeyError, _NotThisPrototype):
        pass
    try:
        return _template_of(prototype_package(columns), columns)
    except _NotThisPrototype:
        # A python-docx release that lays the body out differently must fail loudly, not draw subtly wrong drafts.
        raise RuntimeError("python-docx 生成的表格结构与报告初稿模板不一致") from None


def _template_of(package: bytes, columns: int) -> ReportTemplate:
    archive = zipfile.ZipFile(io.BytesIO(package))
    members = members_as_compressed(package)
    position = [member.name for member in members].index(DOCUMENT_PART.encode())
    before, after = members[:position], members[position + 1:]
    document = archive.read(DOCUMENT_PART).decode("utf-8")
    try:
        head, table, tail = _split_document(document)
    except ValueError:
        raise _NotThisPrototype() from None
    row_start = table.find(HEADER_ROW_START)
    if row_start < 0 or not table.endswith("</w:tr>" + _TABLE_END):
        raise _NotThisPrototype()
    table_head = table[:row_start]
    cells = table[row_start + len(HEADER_ROW_START):-len("</w:tr>" + _TABLE_END)].split("</w:tc>")
    if len(cells) != columns + 1 or cells[-1] or not all(cell.endswith(_EMPTY_PARAGRAPH) for cell in cells[:-1]):
        raise _NotThisPrototype()
    cell_heads = tuple(cell[:-len(_EMPTY_PARAGRAPH)] for cell in cells[:-1])
    if not table.startswith("<w:tbl>") or not all(head.startswith("<w:tc>") for head in cell_heads):
        raise _NotThisPrototype()
    return ReportTemplate(tuple(before), tuple(after), head, tail, table_head, cell_heads)


def prototype_package(columns: int) -> bytes:
    """An empty draft as python-docx saves it, set up as a Chinese report is printed: A4, its
    language Chinese (its numbers' English, :data:`WESTERN_LANGUAGE`), Normal 宋体 12 pt, headings
    black 黑体 (python-docx's are blue, on US Letter), and one empty "Table Grid" header row of :data:`COLUMN_WIDTHS`, repeated on every page."""
    from docx import Document

    document = Document()
    set_up_document(document)
    add_score_table(document, columns)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def set_up_document(document) -> None:
    """A4, Chinese (numbers and Latin text English), 宋体 text and black 黑体 headings, on a
    python-docx ``Document``."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    language = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")) \
        .find(qn("w:lang"))
    # Chinese text in Chinese; Latin text and numbers in English, as Chinese Word sets a document up.
    # Why not zh-CN for them too: LibreOffice then broke a line of numbers anywhere, as it breaks
    # Chinese, "85.7" over "6%" in the score table's 评分依据.
    language.set(qn("w:val"), WESTERN_LANGUAGE)
    language.set(qn("w:eastAsia"), "zh-CN")
    for name, font_name, size in (("Normal", FONT_NAME, FONT_SIZE_PT), ("Title", HEADING_FONT, 22),
                                  ("Heading 1", HEADING_FONT, 16), ("Heading 2", HEADING_FONT, 14)):
        style = document.styles[name]
        style.font.name = font_name
        style.font.size = Pt(size)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), font_name)  # font.name alone leaves Chinese text in the theme font
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                style.element.rPr.rFonts.attrib.pop(qn(theme), None)  # a theme font overrides the name
    title = document.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    borders = title.element.pPr.find(qn("w:pBdr"))  # python-docx's blue rule under the title
    if borders is not None:
        title.element.pPr.remove(borders)


def add_score_table(document, columns: int):
    """The score table's header row, of :data:`COLUMN_WIDTHS`, kept whole and marked to repeat on every page."""
    from docx.oxml import OxmlElement
    from docx.shared import Twips

    table = document.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    widths = COLUMN_WIDTHS if columns == len(COLUMN_WIDTHS) else (sum(COLUMN_WIDTHS) // columns,) * columns
    for column, width in zip(table.columns, widths):
        column.width = Twips(width)
    for cell, width in zip(table.rows[0].cells, widths):
        cell.width = Twips(width)
    keep_row_whole(table.rows[0])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return table


def keep_row_whole(row) -> None:
    """Mark a python-docx table ``row`` not to break across pages (:data:`ROW_START`)."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _split_document(xml: str) -> tuple[str, str, str]:
    """(head up to <w:body>, the table, what follows it) of the prototype's document.xml."""
    body = xml.index(_BODY) + len(_BODY)
    table_end = xml.index(_TABLE_END) + len(_TABLE_END)
    return xml[:body], xml[body:table_end], xml[table_end:]
