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


@dataclass(frozen=True)
class ReportTemplate:
    """The prototype package: its constant parts and the pieces of ``document.xml``."""

    before: tuple[ZipMember, ...]  # parts in package order up to document.xml
    after: tuple[ZipMember, ...]  # parts after it
    document_head: str  # document.xml up to and including <w:body>
    document_tail: str  # the section properties, </w:body></w:document>
    table_head: str  # <w:tbl> … </w:tblGrid>: style, look and column widths
    cell_head: str  # <w:tc><w:tcPr>…</w:tcPr>: every cell has its column's width


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
    row_start, paragraph = table.find(_ROW), table.find(_EMPTY_PARAGRAPH)
    if row_start < 0 or paragraph < 0:
        raise _NotThisPrototype()
    table_head = table[:row_start]
    cell_head = table[row_start + len(_ROW):paragraph]
    expected = table_head + _ROW + (cell_head + _EMPTY_PARAGRAPH + "</w:tc>") * columns + "</w:tr>" + _TABLE_END
    if not table.startswith("<w:tbl>") or table != expected:
        raise _NotThisPrototype()
    return ReportTemplate(tuple(before), tuple(after), head, tail, table_head, cell_head)


def prototype_package(columns: int) -> bytes:
    """An empty draft as python-docx saves it: Normal is 宋体 12 pt; one empty "Table Grid" row."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(FONT_SIZE_PT)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT_NAME)  # font.name alone leaves Chinese text in the theme font
    document.add_table(rows=1, cols=columns).style = "Table Grid"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _split_document(xml: str) -> tuple[str, str, str]:
    """(head up to <w:body>, the table, what follows it) of the prototype's document.xml."""
    body = xml.index(_BODY) + len(_BODY)
    table_end = xml.index(_TABLE_END) + len(_TABLE_END)
    return xml[:body], xml[body:table_end], xml[table_end:]
