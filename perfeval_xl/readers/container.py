"""What kind of file this really is, and whether it is safe to hand to the parser.

Units send .xls files named .xlsx and the reverse, password-protected files,
web pages saved as .xls, and the odd hostile file.  Everything here works on
the file's bytes before python-calamine sees them: the format comes from magic
bytes, encryption is removed in memory (msoffcrypto-tool), and an .xlsx is
screened for zip bombs, XML entity declarations and absurd sheet extents —
calamine aborts the whole process when asked to allocate a sheet of
1,048,576 × 16,384 cells, so that must never reach it.
"""
from __future__ import annotations

import functools
import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .._columns import column_letters
from .._fast_zlib import crc32 as fast_crc32  # ISA-L's where installed: ~10× zlib's
from .._zip import ZipMember, zip_archive
from ..errors import WorkbookError
from .xls_formats import BOF, CONDITION, FILEPASS, globals_records

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what one input may cost; raise them for genuinely huge workbooks."""

    max_unzipped_bytes: int = 300 * 1024 * 1024
    max_zip_members: int = 10_000
    max_sheet_cells: int = 4_000_000  # rows × columns of a sheet's used area
    max_worker_memory: int = 2 * 1024**3  # address space of a worker process scoring one file at a time

    def __post_init__(self) -> None:
        # Checked here, at once: a wrong value failed on every file of a batch, each as if damaged
        # ("处理该文件时发生内部错误（TypeError…）", "超过上限-5个单元格").
        for name in ("max_unzipped_bytes", "max_zip_members", "max_sheet_cells", "max_worker_memory"):
            value = getattr(self, name)
            if value.__class__ is bool or not isinstance(value, int):
                raise TypeError(f"ReadLimits.{name} 应为正整数（如 1_000_000），而不是 {value!r}")
            if value < 1:
                raise ValueError(f"ReadLimits.{name} 应为正整数（如 1_000_000），而不是 {value}")


@dataclass
class SheetFacts:
    """What the XML of one .xlsx (or .ods) sheet says that calamine does not."""

    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formulas with no cached value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cells holding #DIV/0! etc.
    #: Numbers shown as a percentage: Excel turns "95%" typed into a cell into 0.95 formatted 0%.
    percent: set[tuple[int, int]] = field(default_factory=set)
    #: Numbers whose format writes words around them ("≤"0"万元" shows 5 as ≤5万元) or shows them
    #: divided (#,##0,"千元"): (prefix, suffix, shift) as :func:`format_words` gives them.
    words: dict[tuple[int, int], tuple[str, str, int]] = field(default_factory=dict)
    #: Merged ranges (r0, c0, r1, c1), for an .ods only: calamine reports an .xlsx's itself, an .ods's not.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: Logical results (True/False), for an .ods only: LibreOffice stores =1>0 as the number 1 shown TRUE.
    logical: dict[tuple[int, int], bool] = field(default_factory=dict)


def unwrap(data: bytes, passwords: tuple[str, ...] = ()) -> tuple[bytes, bytes | None]:
    """The workbook bytes to parse, decrypted when encrypted, and an .xls's Workbook stream when the
    encryption check read it from those very bytes (else None); raises WorkbookError for non-workbooks.

    Why the stream: :mod:`.xls_formats` walks it again for percentage formats, and opening the
    OLE container a second time cost ~590,000 instructions an .xls (olefile is Python).
    """
    if not data:
        raise WorkbookError("文件为空（0字节），不是Excel工作簿")
    if data.startswith(ZIP_MAGIC):
        return data, None
    if data.startswith(OLE_MAGIC):
        return _decrypt_if_needed(data, passwords)
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"mime-version")):
        raise WorkbookError("文件是网页或XML格式，不是真正的Excel工作簿，请用Excel或WPS打开后另存为.xlsx再报送")
    raise WorkbookError("文件已损坏或不是Excel工作簿")


def _decrypt_if_needed(data: bytes, passwords: tuple[str, ...]) -> tuple[bytes, bytes | None]:
    encrypted, stream = _may_be_encrypted(data)
    if not encrypted:
        return data, stream
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception:
        return data, None  # not an Office container msoffcrypto knows; let the parser decide
    if not encrypted:
        return data, None
    if not passwords:
        raise WorkbookError("文件已加密，请用 --password 提供密码（库中为 passwords=），或请单位去掉密码后重新报送")
    for password in passwords:
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            office.load_key(password=password)
            plain = io.BytesIO()
            office.decrypt(plain)
            return plain.getvalue(), None
        except (DecryptionError, ValueError, KeyError):
            continue
        except Exception as exc:
            raise WorkbookError(f"文件已加密，解密失败（{type(exc).__name__}）") from exc
    raise WorkbookError(f"文件已加密，提供的{len(passwords)}个密码都无法打开")


def _may_be_encrypted(data: bytes) -> tuple[bool, bytes | None]:
    """False when msoffcrypto would find this OLE file not encrypted, or not know it; else True.
    And the Workbook stream, when it was read (else None).

    Why not ask msoffcrypto straight away: importing it (cryptography, OpenSSL) cost a
    worker ~12 ms and ~7 MB on its first .xls, and its check ~0.6 ms per .xls, to learn
    what olefile and the Workbook stream's first records tell.  This follows its rules:
    an EncryptionInfo stream is an encrypted OOXML package; a Word or PowerPoint file it
    judges itself; a BIFF8 workbook is encrypted when its globals, which start with a BOF,
    hold a FILEPASS record (Excel writes it right after the BOF) before their EOF.
    """
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("wordDocument") or ole.exists("PowerPoint Document"):
                return True, None
            if not ole.exists("Workbook"):
                return False, None  # msoffcrypto knows no other OLE file (a BIFF5 "Book" neither)
            stream = ole.openstream("Workbook").read()
    except Exception:
        return False, None  # msoffcrypto cannot open it either and leaves it to the parser
    records = globals_records(stream)
    first = next(records, None)
    if first is None or first[0] != BOF:
        return False, stream
    # Not at a record cut short, nor after the globals' EOF.
    return any(kind == FILEPASS for kind, _ in records), stream


# The reference of a cell that is not empty (<c …/> and <c …></c> are).  Why not every <c> and
# <row>: Excel writes empty ones down to row 1,048,576 where a user once formatted a cell or
# resized a row, and calamine, which reads only filled cells, does not size the sheet by them.
_FILLED_CELL_REF = re.compile(rb'<c\b[^>]*?\sr\s*=\s*["\']([A-Za-z]{1,3}\d+)["\'][^>]*?(?<!/)>(?!</c>)')
# A cell without its (optional) r= reference: its place is only known by counting, so a sheet
# holding one is measured by every reference, empty cells and rows included, as before.
_CELL_WITHOUT_REF = re.compile(rb'<c(?=[\s>/])(?![^>]*\sr\s*=\s*["\'])')
_ROW_WITHOUT_REF = re.compile(rb'<row(?=[\s>/])(?![^>]*\sr\s*=\s*["\'])')
_ROW_OR_CELL_REF = re.compile(rb'<(?:c|row)\b[^>]*?\sr\s*=\s*["\']([A-Za-z]{0,3}\d+)["\']')
# Every reference _FILLED_CELL_REF finds and maybe many more, found several times faster.
_ANY_REF = re.compile(rb'r\s*=\s*["\']([A-Za-z]{0,3}\d+)["\']')
# Every reference _ANY_REF finds past column ZZ or row 999 (and a few more); without one,
# a sheet's extent is at most 999 rows × 702 columns.  After r=" it asks for one of LLL, DDDD,
# LDDDD or LLDDDD (L a letter, D a digit): up to two letters, taken possessively, then a third
# letter or four digits.  Why so spelt: the pattern runs at every reference of every sheet, and
# each nested alternation is a jump of sre's; [A-Z]{3}|[A-Z]{0,2}\d{4}, the same set, cost 677,000
# instructions on a sheet of 30 KB, three nested alternations 547,000, this one alternation ≈ 80
# fewer per reference (−10 M instructions on the 144,000 references of 300 workbooks).
# Either quote, lower-case letters: calamine reads them, and a far cell so written inside an ordinary
# sheet passed the screen and made calamine abort.  Three letters count only before a digit: an
# attribute ending in r (operator="between") is no reference.  Blanks around "=" are not looked for
# here: without the literal "r=" the search cost 75 M instructions on 300 workbooks (+1 %); a sheet
# written so throughout is rewritten first (_tightly_quoted), and one such cell inside an ordinary
# sheet still reaches the parser (see the README).
_FAR_REF = re.compile(rb'r=["\'][A-Za-z]{0,2}+(?:[A-Za-z]\d|\d\d\d\d)')
_SMALL_EXTENT_CELLS = 999 * 702
_LETTERS = bytes(range(ord("A"), ord("Z") + 1))
_DIGITS = b"0123456789"
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_ERROR_TYPE = re.compile(rb'\st="e"')
_STRING_TYPE = re.compile(rb'\st="str"')
# Why a pattern for a plain substring (where _holds_formula_mark gives up going from "f" to "f"): on sheet
# XML, re's literal search for "<f" is about twice as fast as ``in`` (whose skip table is defeated by the
# many "<" of markup).  Not for 't="e"', which ``in`` finds in half re's instructions and two thirds of its time.
_FORMULA_MARK = re.compile(rb"<f")
_F_LOOKED_AT = 64  # the "f"s _holds_formula_mark checks one by one before it hands the rest to _FORMULA_MARK
_FORMULA_TAG = re.compile(rb"<f[\s>/]")  # <f>, <f t="shared" …/>; not <family> of a rich-text run
_ERROR_MARK = b't="e"'
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_SHEET_ENTRY = re.compile(rb"<sheet\b[^>]*/?>")
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
# An attribute: its name is the whole run of name characters before ="; a match starting inside the run would
# end where the run's own match does, which findall, going left to right, takes first.  Why the lookbehind and
# the possessive run: without them, every byte of a name or of a long Type="http://…" value started a match
# that ran on to its end and failed (−9 M instructions on 300 workbooks; findall's matches are the same).
_ATTR = re.compile(rb'(?<![\w:])([\w:]++)="([^"]*)"')


#: The most a workbook may inflate to and still be handed to the parser as a stored copy.
_STORED_COPY_LIMIT = 32 * 2**20
#: The parts python-calamine 0.9.1 opens besides the sheets (found by damaging each part of a stored copy
#: in turn).  One it opens that is not here is only inflated by it, as before the screen stored any part.
_OPENED_BY_PARSER = frozenset({"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                               "xl/sharedStrings.xml"})


def screen_xlsx(data: bytes, limits: ReadLimits, *, copy: bool = True) -> tuple[dict[str, SheetFacts], bytes]:
    """Screen an .xlsx/.xlsm: (per sheet name, the cells calamine cannot describe; the workbook
    to hand to the parser).  With ``copy`` the latter is one whose parts the screen inflated and the
    parser opens are stored as inflated (:func:`_stored_copy`), a sheet's merged ranges before its
    cells (:func:`_merged_ranges_first`), else it is ``data``.

    Raises WorkbookError for a zip bomb, an XML entity declaration or a sheet
    whose used area exceeds ``limits.max_sheet_cells``.

    Why: the screen inflates every XML part, and calamine inflated them again, each sheet twice
    (its cells, then its merged ranges): 12 % of calamine's instructions on 271 forms.  Stored,
    they are only copied; the parts are the same bytes (a sheet's <mergeCells> moved aside, which
    calamine reads alike), so calamine reads the same workbook.  A part calamine never opens (the
    theme, docProps) is copied as it came, compressed: its bytes are the same either way, and a copy
    a fifth smaller costs less to hand over, since calamine takes the workbook it is given through
    read calls into a buffer it grows, and clones that buffer for each format it tries (−15 M
    instructions on 300 workbooks).
    """
    archive, declared = bounded_archive(data, limits, "文件已损坏或不是Excel工作簿（压缩包结构损坏）")
    members = archive.members
    inflated: dict[_Member, tuple[bytes, int]] | None = {} if copy and declared <= _STORED_COPY_LIMIT else None
    compressed_as_sent: dict[_Member, bytes] = {}  # parts the parser never opens, inflated and checked
    try:
        read: dict[_Member, bytes] = {}  # Why: workbook.xml and its rels are inflated once, not twice
        sheets = _sheet_members(data, archive, limits, read)
        formatted = _formatted_cells_plan(data, archive, limits, read)
        facts = {}
        for member in members:
            if not member.filename.endswith((".xml", ".rels", ".vml")) \
                    and not member.filename.lower().endswith((".xml", ".rels", ".vml")):  # "sheet1.XML" too
                continue
            name = sheets.get(member.filename)
            xml, compressed = read.pop(member, None) if read else None, None  # by entry: a name may occur twice
            if xml is None:
                xml, compressed = _read_member(data, archive, member, limits)
            if inflated is not None:
                if (compressed is not None and name is None and member.filename not in _OPENED_BY_PARSER
                        and len(compressed) == member.compress_size):
                    compressed_as_sent[member] = compressed
                else:
                    inflated[member] = xml, member.CRC
            if _declares_entities(xml):
                raise WorkbookError("文件包含XML实体声明（DOCTYPE/ENTITY），可能是恶意文件，已拒绝读取")
            if name is not None:
                plain = _screened(xml, head_only=True)
                facts[name] = _sheet_facts(name, plain, limits)
                if formatted is not None:
                    facts[name].percent, facts[name].words = _formatted_cells(plain, formatted)
                if inflated is not None:
                    moved = _merged_ranges_first(xml)
                    if moved is not xml:
                        inflated[member] = moved, fast_crc32(moved)
        return facts, data if inflated is None else _stored_copy(data, members, inflated, compressed_as_sent)
    except zlib.error as exc:  # zipfile lets zlib's through; its English text means nothing to an officer
        raise WorkbookError("文件已损坏或不是Excel工作簿（压缩数据损坏）") from exc
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError) as exc:
        if _is_open_document(data, archive):
            raise OpenDocumentPackage() from exc
        raise WorkbookError(f"文件已损坏或不是Excel工作簿（{exc}）") from exc


class OpenDocumentPackage(WorkbookError):
    """Raised by :func:`screen_xlsx` for a zip that is an OpenDocument package (an .ods whose
    ``mimetype`` is not its first member, or is missing): the caller screens it as one."""

    def __init__(self) -> None:
        super().__init__("文件是OpenDocument表格（.ods），不是Excel工作簿")


def bounded_archive(data: bytes, limits: ReadLimits, damaged: str) -> tuple["_Archive", int]:
    """The zip ``data``'s directory and its members' declared size in all, before anything is
    inflated: WorkbookError(``damaged``) for a directory that does not read, and a refusal for more
    members or declared bytes than ``limits`` allow (the zip-bomb screen of every package)."""
    try:
        archive = _Archive(data)
    except (zipfile.BadZipFile, ValueError) as exc:
        raise WorkbookError(damaged) from exc
    members = archive.members
    if len(members) > limits.max_zip_members:
        raise WorkbookError(f"文件包含{len(members)}个内部文件，超过上限{limits.max_zip_members}，疑似异常文件")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_unzipped_bytes:
        raise WorkbookError(f"文件解压后达{_size(declared)}，超过上限{_size(limits.max_unzipped_bytes)}，"
                            f"疑似压缩炸弹或异常文件{_RAISE_UNZIPPED}")
    return archive, declared


#: How an officer whose real workbook is that large reads it anyway (as the refusal of a sheet's cells says).
_RAISE_UNZIPPED = "；如确需读取，请提高 --max-unzipped-mb（库中为 ReadLimits(max_unzipped_bytes=…)）"


def _size(count: int) -> str:
    """A size in the unit that shows it: "512MB", "1.5MB", "800KB", "900字节" (a library caller's
    limit of 1,000 bytes was said as "0MB")."""
    for unit, name in ((2**20, "MB"), (2**10, "KB")):
        if count >= unit:
            return f"{count / unit:.1f}".removesuffix(".0") + name
    return f"{count}字节"


def read_zip_members(data: bytes, archive: "_Archive", limits: ReadLimits, wanted) -> dict[str, bytes]:
    """The members of ``archive`` (:func:`bounded_archive` of ``data``) whose names ``wanted`` accepts,
    inflated within ``limits``.  Raises WorkbookError for damaged compressed data."""
    try:
        return {member.filename: _read_member(data, archive, member, limits)[0]
                for member in archive.members if wanted(member.filename)}
    except zlib.error as exc:
        raise WorkbookError("文件已损坏（压缩数据损坏）") from exc
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError, NotImplementedError) as exc:
        raise WorkbookError(f"文件已损坏（{exc}）") from exc

def _is_open_document(data: bytes, archive: "_Archive") -> bool:
    """Is the zip an OpenDocument file (LibreOffice's .ods): its ``mimetype`` member says so, wherever
    it stands, or, without one, it has the package's content.xml and manifest and no workbook.xml?"""
    try:
        return b"opendocument" in _read_member(data, archive, archive.getinfo("mimetype"), ReadLimits())[0][:100]
    except KeyError:  # zipped again by a tool that left the mimetype out
        names = {member.filename for member in archive.members}
        return {"content.xml", "META-INF/manifest.xml"} <= names and "xl/workbook.xml" not in names
    except Exception:  # a damaged zip: it is what the caller says it is
        return False


class _Member:
    """What the screen needs of one entry of a zip's central directory (a ZipInfo has the same
    attributes, and stands in for it when zipfile read the directory)."""

    __slots__ = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
                 "header_offset")

    def __init__(self, name: str, flag_bits: int, compress_type: int, crc: int, compress_size: int, file_size: int,
                 header_offset: int):
        self.filename = self.orig_filename = name
        self.flag_bits, self.compress_type, self.CRC = flag_bits, compress_type, crc
        self.compress_size, self.file_size, self.header_offset = compress_size, file_size, header_offset


class _Archive:
    """The members of a zip archive, read from its central directory by :func:`_plain_directory`
    when it is plain, else by zipfile (which raises what it raises for a damaged one).

    Why: zipfile's reading of the directory cost about 240,000 instructions a workbook, a
    tenth of the screen; a plain directory is a few struct reads.  zipfile still opens
    any member that is not plain (:func:`_read_bounded`).
    """

    def __init__(self, data: bytes):
        self.data = data
        self._zipfile: zipfile.ZipFile | None = None
        members = _plain_directory(data)
        if members is None:
            self._zipfile = zipfile.ZipFile(io.BytesIO(data))
            members = self._zipfile.infolist()
        self.members: list[_Member] = members
        self._by_name = {member.filename: member for member in members}  # the last of a name, as zipfile's

    def getinfo(self, name: str) -> _Member:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"There is no item named {name!r} in the archive") from None  # zipfile's words

    def open(self, member: _Member):
        """zipfile's stream of ``member``."""
        if self._zipfile is None:
            self._zipfile = zipfile.ZipFile(io.BytesIO(self.data))
        if not isinstance(member, zipfile.ZipInfo):  # the directory is plain: zipfile reads it into the same entries, in order
            member = self._zipfile.infolist()[self.members.index(member)]
        return self._zipfile.open(member)


_END_OF_DIRECTORY = struct.Struct("<4s4H2IH")
_DIRECTORY_ENTRY = struct.Struct("<4s4x2H4x3I3H8xI")  # signature, flags, method, CRC, sizes, lengths, offset
_ZIP64_LOCATOR = b"PK\x06\x07"


_UTF8_NAME = 0x800  # a member's flag: its name is UTF-8, else cp437


def _member_name(raw: bytes, flags: int) -> str | None:
    """A member's name as zipfile decodes it, or None when it does not decode."""
    try:
        # Why an ASCII name as UTF-8: cp437 decodes it alike, through a charmap codec called from Python, in
        # five times the instructions (~19 names a workbook, central directory and local headers: −20 M on 300).
        return raw.decode("utf-8" if flags & _UTF8_NAME or raw.isascii() else "cp437")
    except UnicodeDecodeError:
        return None


def _plain_directory(data: bytes) -> list[_Member] | None:
    """The entries of a zip's central directory, as zipfile reads them, when the archive is plain:
    no comment, no zip64 record, nothing before its first member, entries without extra fields,
    comments or NUL bytes in their names, a version zipfile knows; None for anything else."""
    end = len(data) - _END_OF_DIRECTORY.size
    if end < 20 or not data.startswith(b"PK\x05\x06", end) or data.startswith(_ZIP64_LOCATOR, end - 20):
        return None
    *_, directory_size, directory_offset, comment_length = _END_OF_DIRECTORY.unpack_from(data, end)
    if comment_length or directory_offset + directory_size != end:
        return None
    members = []
    position = directory_offset
    while position < end:
        name_start = position + _DIRECTORY_ENTRY.size
        if name_start > end:
            return None
        (signature, flags, method, crc, compress_size, file_size, name_length, extra_length, comment_length,
         header_offset) = _DIRECTORY_ENTRY.unpack_from(data, position)
        version_needed = data[position + 6]
        position = name_start + name_length
        if (signature != b"PK\x01\x02" or extra_length or comment_length or position > end
                or version_needed > zipfile.MAX_EXTRACT_VERSION):
            return None
        name = _member_name(data[name_start:position], flags)
        if name is None or "\0" in name or "\\" in name:  # zipfile cuts a name at a NUL, and makes "\\" "/" on Windows
            return None
        members.append(_Member(name, flags, method, crc, compress_size, file_size, header_offset))
    return members


def _declares_entities(xml: bytes) -> bool:
    """Does a DOCTYPE or ENTITY declaration start in the first 4 KB of ``xml``?"""
    # Why look for "!" first: both markers hold one, a one-byte search is a memchr,
    # and the parts of an ordinary workbook have none there.
    if xml.find(b"!", 0, 4096) < 0:
        return False
    return xml.find(b"<!DOCTYPE", 0, 4096) >= 0 or xml.find(b"<!ENTITY", 0, 4096) >= 0


def _read_member(data: bytes, archive: _Archive, member: _Member, limits: ReadLimits) -> tuple[bytes, bytes | None]:
    """A member's bytes, inflated straight from ``data`` when the member is plain, and the compressed
    bytes they were inflated from (None when zipfile read the member).

    Why not always zipfile: its stream objects cost more than inflating a
    small member.  Anything unusual goes through zipfile, which raises the
    precise error for it.
    """
    compressed = _plain_payload(data, member)
    content = None if compressed is None else _inflated(compressed, member)
    if content is None:
        return _read_bounded(archive, member, limits), None
    return content, compressed


def _read_named(data: bytes, archive: _Archive, name: str, limits: ReadLimits,
                read: dict[_Member, bytes]) -> bytes:
    """The member called ``name`` (the last entry of that name, as ``ZipFile.read`` picks).

    It is kept in ``read``, so the screen need not inflate it again.
    """
    info = archive.getinfo(name)
    content = read[info] = _read_member(data, archive, info, limits)[0]
    return content


_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")  # signature, flags, name and extra field lengths
_PLAIN_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, patch data, strong encryption: zipfile's business


def _inflated(compressed: bytes, member: _Member) -> bytes | None:
    """A stored or deflated member, from its ``compressed`` bytes, when it is exactly as the central
    directory declares, else None.

    Never inflates more than the declared size plus one byte, so a member
    whose declared size lies costs no more than an honest one; its CRC must
    match too.
    """
    if member.compress_type == zipfile.ZIP_STORED:
        content = compressed
    else:
        # Why the declared size, and the byte after it asked for only when the stream has not ended there: with
        # room for one byte more than it fills, the decompressor copied each part into a new bytes object of its
        # size (−10 M instructions on 300 workbooks).  Its output is the same, and so is every refusal.
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(compressed, member.file_size or 1)  # Why "or 1": 0 is no limit at all
            if not inflater.eof and len(content) == member.file_size and inflater.decompress(inflater.unconsumed_tail, 1):
                return None
        except zlib.error:
            return None
    if len(content) != member.file_size or fast_crc32(content) != member.CRC:
        return None
    return content


def _plain_payload(data: bytes, member: _Member) -> bytes | None:
    """The compressed bytes of a stored or deflated member whose local header agrees with the
    central directory, else None."""
    if member.flag_bits & _PLAIN_FLAGS or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    offset = member.header_offset
    if offset + _LOCAL_HEADER.size > len(data):
        return None
    signature, flags, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, offset)
    name_start = offset + _LOCAL_HEADER.size
    # zipfile insists that the local header names the same member.
    if signature != ZIP_MAGIC or _member_name(data[name_start:name_start + name_length], flags) != member.orig_filename:
        return None
    start = name_start + name_length + extra_length
    return data[start:start + member.compress_size]


def _stored_copy(data: bytes, members: list[_Member], inflated: dict[_Member, tuple[bytes, int]],
                 compressed_as_sent: dict[_Member, bytes]) -> bytes:
    """The archive ``data`` rebuilt with the members in ``inflated`` stored as those bytes (with
    that CRC-32), the others copied compressed as they are (those in ``compressed_as_sent`` already
    taken from ``data``): the same members, names and order.

    ``data`` itself when a member not inflated is not plain (:func:`_plain_payload`): the
    parser then meets the archive as it was sent, whatever it makes of it.
    """
    parts = []
    for member in members:
        stored = inflated.get(member)
        if stored is not None:
            payload, crc = stored
            method, size = zipfile.ZIP_STORED, len(payload)
        else:
            payload = compressed_as_sent.get(member) or _plain_payload(data, member)
            if payload is None or len(payload) != member.compress_size:
                return data
            crc, method, size = member.CRC, member.compress_type, member.file_size
        flags, name = member.flag_bits & _UTF8_NAME, member.orig_filename
        # Why an ASCII name as UTF-8: as in _member_name (cp437's charmap encoder, ~10,000 instructions a name).
        encoded = name.encode("utf-8" if flags or name.isascii() else "cp437")
        parts.append(ZipMember(encoded, crc, payload, size, method, flags))
    return zip_archive(parts)


# A worksheet's merged ranges as Excel, WPS and openpyxl write them: nothing but <mergeCell ref="A1:B2"/>s.
# Why possessive (*+, ++): sre keeps no state to backtrack to; a third fewer instructions on the forms' blocks.
_MERGE_BLOCK = re.compile(rb'<mergeCells(?: count="\d+")?>(?:\s*+<mergeCell ref="[A-Z\d:]++"\s*+/>)*+\s*+</mergeCells>')
# Empty elements with double-quoted attributes (<sheetProtection …/>, <autoFilter ref="…"/>), and spaces between.
_EMPTY_ELEMENTS = re.compile(rb'(?:\s*+<[A-Za-z][\w.:-]*+(?:\s++[\w.:-]++="[^"<>]*+")*+\s*+/>)*+\s*+')
_DATA_START, _DATA_END = b"<sheetData>", b"</sheetData>"


def _merged_ranges_first(xml: bytes) -> bytes:
    """A worksheet part with its <mergeCells> block moved to just before its <sheetData>, when the
    part is plainly shaped (else ``xml`` itself): calamine reads the same cells and merged ranges
    from it, and reads the cells once instead of twice.

    Why: python-calamine 0.9.1 (calamine 0.37) reads a sheet's cells, from its <sheetData> to the
    first </sheetData>, then its merged ranges in a second pass over the same XML, from the start
    to the first <mergeCells> and to its end.  The forms' block comes after the cells (where the
    schema puts it), so that pass parsed the cells again: 30 % of calamine's instructions.  Moved,
    a batch read costs 406 M instructions (4.6 %) less on 300 workbooks, this function included.

    Why the same: the cell pass skips every element before <sheetData> but <dimension>, so a
    block of <mergeCell/>s before it changes nothing there; the merge pass reads the same block,
    and meets nothing else it acts on before it (no other "mergeCell" in the part).  What that
    pass no longer reads, the cells and whatever stands between them and the block, cannot fail
    it either: the cells were read by the cell pass without error (it fails first, before the
    merge pass starts, and on the same XML events), and between them and the block only empty
    elements are allowed, which neither end an element they did not open nor end the input.
    A part without merged ranges is left as it is: an empty block would spare its merge pass
    the cells too, but that pass then reads up to the end of the part, and whether its
    </worksheet> fails it depends on every element before (an extra end tag in the cells).
    """
    data_start = xml.find(_DATA_START)
    data_end = xml.rfind(_DATA_END)  # Why from the end: the cells are most of the part
    if data_start < 0 or data_end < data_start or xml.count(b"sheetData") != 2:  # no other, prefixed or nested
        return xml
    after_data = data_end + len(_DATA_END)
    block_start = xml.find(b"<mergeCells", after_data)
    block = _MERGE_BLOCK.match(xml, block_start) if block_start >= 0 else None
    if (block is None or block_start > after_data and _EMPTY_ELEMENTS.fullmatch(xml, after_data, block_start) is None
            or xml.count(b"mergeCell") != block.group().count(b"mergeCell")):
        return xml
    # Why a memoryview: the cells are copied once, into the new part, not first into a slice.
    return b"".join((xml[:data_start], block.group(), memoryview(xml)[data_start:block_start], xml[block.end():]))


def _read_bounded(archive: _Archive, member: _Member, limits: ReadLimits) -> bytes:
    # Why bounded: a member's declared size can lie; never inflate more than the cap.
    with archive.open(member) as stream:
        xml = stream.read(limits.max_unzipped_bytes + 1)
    if len(xml) > limits.max_unzipped_bytes:
        raise WorkbookError(f"文件解压后超过大小上限{_size(limits.max_unzipped_bytes)}，疑似压缩炸弹或异常文件{_RAISE_UNZIPPED}")
    return xml


#: The root element of a part written with a namespace prefix ("<x:worksheet xmlns:x=…>"), as the .NET
#: Open XML SDK writes some exports: group 1 is the prefix.
_PREFIXED_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*):(?:worksheet|workbook|styleSheet)\b")


def _unprefixed(xml: bytes) -> bytes:
    """``xml`` with the namespace prefix of its elements dropped ("<x:c r=…>" → "<c r=…>"), for the
    screen's patterns, which name elements unprefixed; ``xml`` itself when it has none (the rule).
    Why: prefixed, a sheet's percent cells, errors, uncalculated formulas and extent went unseen — a
    5% against "≤2%" scored full marks, and an absurd used area reached the parser.  (The parser is
    handed the part as written: it reads either.)"""
    head = xml[:512]
    if b":worksheet" not in head and b":workbook" not in head and b":styleSheet" not in head:
        return xml
    root = _PREFIXED_ROOT.search(head)
    if root is None:
        return xml
    prefix = root.group(1)
    return xml.replace(b"<" + prefix + b":", b"<").replace(b"</" + prefix + b":", b"</")



#: An attribute written in a way the screen's patterns do not match: single-quoted, or with blanks
#: around its "=" (XML allows both, and python-calamine reads them).
_LOOSE_ATTRIBUTE = re.compile(rb"""\s[\w:.-]+(?:\s+=|=\s|=')""")
_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")
_ANY_ATTRIBUTE = re.compile(rb"""(\s[\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _tightly_quoted(xml: bytes, head_only: bool = False) -> bytes:
    """``xml`` with every attribute of its tags written ``name="value"``; ``xml`` itself when all are
    (the rule).  Why: the screen's patterns read ``="…"`` only, and a single-quoted ``r='XFD1048576'``
    hid a cell that made calamine abort the process, a percentage style or an error value.

    With ``head_only`` the way of writing is judged by the part's root start tag (its namespaces): a
    writer quotes alike throughout, and three searches of a whole sheet cost 4 % of reading it (of its
    first kilobyte, 12 M instructions on 300 workbooks).  A far cell single-quoted or in lower case
    inside an ordinary sheet is still found (see _FAR_REF)."""
    # The XML declaration is no tag: written <?xml version='1.0'?> (lxml, ElementTree), it had every
    # sheet rewritten into the same bytes.
    start = xml.find(b"?>", 0, 200) + 2 if xml.startswith(b"<?xml") else 0
    # The root's start tag (its namespaces: a few hundred bytes) tells how the writer quotes.
    head = xml[start:xml.find(b">", start + 1) + 1 or start + 1024] if head_only else xml[start:]
    if (b"='" not in head and b" =" not in head and b"= " not in head) or _LOOSE_ATTRIBUTE.search(head) is None:
        return xml

    def attribute(match: re.Match) -> bytes:
        value = match.group(2) if match.group(2) is not None else match.group(3).replace(b'"', b"&quot;")
        return match.group(1) + b'="' + value + b'"'

    return _TAG.sub(lambda tag: _ANY_ATTRIBUTE.sub(attribute, tag.group()), xml)


_ROW_OR_CELL_TAG = re.compile(rb"<(row|c)(?=[\s>/])([^>]*)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL_REF = re.compile(rb'\sr="([A-Z]+)\d+"')


def _with_cell_references(xml: bytes) -> bytes:
    """A sheet's XML with an ``r="B7"`` on every row and cell that has none, counted as Excel and
    calamine count them (the next row, the next column); ``xml`` itself when none lacks one (the rule).
    Why: the reference is optional, and the screen placed no cell without one (a percentage, an
    error value or an uncalculated formula went unseen).  Asked only where the screen meets such a
    cell: a whole sheet's search for one cost more than the screen's own work."""
    if _CELL_WITHOUT_REF.search(xml) is None and _ROW_WITHOUT_REF.search(xml) is None:
        return xml
    row = col = 0

    def referenced(match: re.Match) -> bytes:
        nonlocal row, col
        kind, attributes = match.group(1), match.group(2)
        if kind == b"row":
            number = _ROW_NUMBER.search(attributes)
            row = int(number.group(1)) if number else row + 1
            col = 0
            return match.group() if number else b"<row r=\"%d\"%s>" % (row, attributes)
        reference = _CELL_REF.search(attributes)
        if reference:
            col = _column_number(reference.group(1))
            return match.group()
        col += 1
        return b'<c r="%s%d"%s>' % (column_letters(col).encode(), row, attributes)

    return _ROW_OR_CELL_TAG.sub(referenced, xml)


def _screened(xml: bytes, head_only: bool = False) -> bytes:
    """A part as the screen's patterns read it: unprefixed, attributes tightly quoted."""
    return _tightly_quoted(_unprefixed(xml), head_only)

def _sheet_facts(name: str, xml: bytes, limits: ReadLimits) -> SheetFacts:
    _check_extent(name, xml, limits)
    facts = SheetFacts()
    if not _holds_formula_mark(xml) and _ERROR_MARK not in xml:
        return facts
    for cell in _CELL.finditer(xml):
        attrs, body = cell.group(1), cell.group(2) or b""
        ref = _REF.search(attrs)
        if ref is None:  # a cell placed by counting: every cell is given its reference, and read again
            counted = _with_cell_references(xml)
            if counted is not xml:
                return _sheet_facts(name, counted, limits)
            continue  # its reference written otherwise than the sheet's (a hostile mix): not placed
        position = (int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1)
        value = _VALUE.search(body)
        if _ERROR_TYPE.search(attrs) and value:
            facts.errors[position] = value.group(1).decode("utf-8", "replace")
        elif _FORMULA_TAG.search(body) and (value is None or not value.group(1) and _STRING_TYPE.search(attrs) is None):
            # An empty <v> is what openpyxl writes for a formula never calculated; Excel writes it,
            # typed t="str", for a formula whose result is the empty string (=IF(…,"")).
            facts.uncalculated.add(position)
    return facts


def _holds_formula_mark(xml: bytes) -> bool:
    """Does "<f" occur in ``xml``?  Found from one "f" to the next, each checked for a "<" before it.

    Why: a sheet's cells hold few "f"s (shared strings, numbers, references and their tags none), and
    ``find`` goes to the next one as memchr does; re's search looked at every byte (−30 M instructions
    on 300 workbooks, two fifths of the time).  A part full of "f"s (rich text inline, say) is left
    to re after the first few, so it costs hardly more than before.
    """
    at = xml.find(b"f", 1)
    for _ in range(_F_LOOKED_AT):
        if at < 0:
            return False
        if xml[at - 1] == 0x3C:  # "<"
            return True
        at = xml.find(b"f", at + 1)
    return at > 0 and _FORMULA_MARK.search(xml, at - 1) is not None


#: Number formats 9 (0%) and 10 (0.00%) are Excel's own; a workbook's own formats are declared.
_BUILTIN_PERCENT_FORMATS = {b"9", b"10"}
_NUMBER_FORMAT = re.compile(rb'<numFmt\b(?=[^>]*?\snumFmtId="(\d+)")(?=[^>]*?\sformatCode="([^"]*)")')  # either order
# The body of <cellXfs>, up to the first </cellXfs>.  Why not (.*?)</cellXfs>: that tries the end tag at every
# byte of the body; runs of text between "<"s, taken whole, cost a sixth (−38 M instructions on 300 workbooks).
_CELL_FORMATS = re.compile(rb"<cellXfs\b[^>]*+>((?:[^<]++|<(?!/cellXfs>))*+)</cellXfs>")
_FORMAT_ID = re.compile(rb'<xf\b[^>]*?\snumFmtId="(\d+)"|<xf\b')
# Parts of a format code that show text as written: "…" strings and \x escapes (a % there is not a percentage).
_LITERAL_IN_FORMAT = re.compile(rb'"[^"]*"|\\.|&quot;.*?&quot;')
_CONDITION_BYTES = re.compile(rb"\[\s*(?:[<>=]|&lt;|&gt;)")



class _FormattedCells:
    """Which cell styles (s="…") show a number as a percentage, and which write words around it."""

    __slots__ = ("pattern", "percent", "words")

    def __init__(self, pattern: re.Pattern, percent: set[bytes], words: dict[bytes, tuple[str, str, int]]):
        self.pattern, self.percent, self.words = pattern, percent, words


def _formatted_cells_plan(data: bytes, archive: _Archive, limits: ReadLimits,
                          read: dict[_Member, bytes]) -> _FormattedCells | None:
    """The styles whose number format shows a number as a percentage or with words around it, and a
    pattern for their cells; None when no style does either (the rule)."""
    try:
        styles = _screened(_read_named(data, archive, "xl/styles.xml", limits, read), head_only=True)
    except KeyError:
        return None
    percent_formats = set(_BUILTIN_PERCENT_FORMATS)
    worded_formats: dict[bytes, tuple[str, str, int]] = {}
    for number_format, code in _NUMBER_FORMAT.findall(styles):
        if b"%" in _LITERAL_IN_FORMAT.sub(b"", code) and not _CONDITION_BYTES.search(code):
            percent_formats.add(number_format)  # not a conditional one: 85 in [<1]0.0%;0.0"%" shows 85.0%
        words = format_words(html.unescape(code.decode("utf-8", "replace")))
        if words is not None:
            worded_formats[number_format] = words
    cell_formats = _CELL_FORMATS.search(styles)
    if cell_formats is None:
        return None
    percent: set[bytes] = set()
    words: dict[bytes, tuple[str, str, int]] = {}
    for index, match in enumerate(_FORMAT_ID.finditer(cell_formats.group(1))):
        number_format = match.group(1)
        if number_format in percent_formats:
            percent.add(str(index).encode())
        if number_format in worded_formats:
            words[str(index).encode()] = worded_formats[number_format]
    if not percent and not words:
        return None
    # (?<!/)>: an empty <c …/> has no body; taking its "/" into the attributes would send (.*?)</c>
    # looking for the next cell's end, past every empty cell after the last filled one (quadratic).
    styles_wanted = b"|".join(sorted(percent | set(words)))
    pattern = re.compile(rb'<c\b([^>]*?\ss="(' + styles_wanted + rb')"[^>]*?)(?<!/)>(.*?)</c>', re.S)
    return _FormattedCells(pattern, percent, words)


def _formatted_cells(xml: bytes, plan: _FormattedCells
                     ) -> tuple[set[tuple[int, int]], dict[tuple[int, int], tuple[str, str, int]]]:
    """(row, col) of every cell holding a number in a percentage style, and of every one in a style
    writing words around it, with the words."""
    percent: set[tuple[int, int]] = set()
    words: dict[tuple[int, int], tuple[str, str, int]] = {}
    for cell in plan.pattern.finditer(xml):
        attrs, style, body = cell.groups()
        ref = _REF.search(attrs)
        if ref is None:  # a cell placed by counting: every cell is given its reference, and read again
            counted = _with_cell_references(xml)
            if counted is not xml:
                return _formatted_cells(counted, plan)
            continue  # its reference written otherwise than the sheet's (a hostile mix): not placed
        if (b' t="' in attrs and b' t="n"' not in attrs) or b"<v>" not in body:
            continue  # text, a boolean, an error or an empty cell: not a number shown so
        position = (int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1)
        if style in plan.percent:
            percent.add(position)
        written = plan.words.get(style)
        if written is not None:
            words[position] = written
    return percent, words


#: What a format that writes words or divides holds: a quoted or escaped character, a non-ASCII one,
#: a comma after the digits, General.  Most formats (#,##0.00) have none, and are answered by this
#: one search rather than format_words' walk over their characters (~10 µs a format, in Python).
_MAY_WRITE_WORDS = re.compile(r'["\\!]|[^\x00-\x7f]|[0#?],+(?:$|[;_ "\\!\[])|(?i:general)')
_GENERAL = re.compile(r"(?i)general|G/通用格式")
#: What a number format shows as written, outside its number: "…" strings and \x escapes.
_QUOTED_OR_ESCAPED = re.compile(r'"([^"]*)"|[\\!](.)|\[[^\]]*\]|[_*].|(.)', re.S)  # "…", \x and !x, [Red]
#: A number's own characters in a format: digit placeholders, separators, the exponent, the percent sign.
_NUMBER_CHARACTERS = frozenset("0#?.,%Ee+-/ ")
_DIGIT_PLACEHOLDERS = frozenset("0#?")
#: Letters of a date or time format (yyyy"年"m"月"d"日" writes words too, but calamine gives a date).
_DATE_LETTERS = frozenset("yYmMdDhHsSaA")


def format_words(code: str) -> tuple[str, str, int] | None:
    """(prefix, suffix, shift): the words a number format writes before and after the number of a
    positive value (its first section), and the power of ten the number is shown divided by, e.g.
    ``"≤"0"万元"`` → ("≤", "万元", 0), ``#,##0,"千元"`` → ("", "千元", 3) (a comma after the last digit
    divides by a thousand), ``0!.0000"万元"`` → ("", "万元", 4) (a written point before the last four
    digits: 800000 shows as 80.0000万元); None when it writes nothing and divides by nothing, or is
    a date's or text's format, or writes words between digits."""
    if not _MAY_WRITE_WORDS.search(code) or CONDITION.search(code):
        return None  # nothing written; or which section shows a number depends on it: no one reading
    if "general" in code.lower() or "G/通用格式" in code:  # General, as the Chinese locale spells it too
        code = _GENERAL.sub("0", code)
    prefix: list[str] = []
    suffix: list[str] = []
    seen_digit = decimal_point = False
    shifted: int | None = None  # digits after a written point between digits, once there is one
    commas = 0  # commas since the last digit: after the last one, each divides by a thousand
    for match in _QUOTED_OR_ESCAPED.finditer(code):
        quoted, escaped, plain = match.groups()
        if plain is not None:
            if plain == ";":
                break  # the first section is a positive number's
            if plain in _DIGIT_PLACEHOLDERS:
                if suffix:  # something written between digits
                    if "".join(suffix) != "." or shifted is not None or decimal_point:
                        return None  # ("0"万"0000"): the number is not shown whole
                    shifted = 0  # the 万 trick: a written point
                    suffix.clear()
                if shifted is not None:
                    shifted += 1
                seen_digit, commas = True, 0
                continue
            if plain == "." and not suffix:
                if shifted is not None:
                    return None
                decimal_point = True
                continue
            if plain == "," and not suffix:
                commas += seen_digit
                continue
            if plain in _NUMBER_CHARACTERS:
                continue
            if plain in _DATE_LETTERS or plain == "@":
                return None
            text = plain
        elif quoted is not None or escaped is not None:
            text = quoted if quoted is not None else escaped
        else:
            continue  # [Red], [$-804], [>=100], _x padding, *x fill: nothing written
        (suffix if seen_digit else prefix).append(text)
    if not seen_digit:
        return None
    shift = (shifted or 0) + 3 * commas
    # A currency sign is no unit: "¥82" against "≤80万元" is 82 of the form's money, as the unit meant.
    before, after = "".join(prefix).strip(" ¥￥$€"), "".join(suffix).strip()
    return (before, after, shift) if before or after or shift else None


def _check_extent(name: str, xml: bytes, limits: ReadLimits) -> None:
    """Refuse a sheet whose used area (last row × last column) exceeds the limit."""
    # Why three scans: no reference past column ZZ or row 999 settles every ordinary
    # sheet with one search; else the extent of all r="…" references bounds the true
    # one; only a sheet over the limit pays for the exact scan.
    if _SMALL_EXTENT_CELLS <= limits.max_sheet_cells and _FAR_REF.search(xml) is None:
        return
    max_row, max_col = _extent(_ANY_REF.findall(xml))
    if max_row * max(max_col, 1) <= limits.max_sheet_cells:
        return
    exact = _ROW_OR_CELL_REF if _CELL_WITHOUT_REF.search(xml) else _FILLED_CELL_REF
    max_row, max_col = _extent(exact.findall(xml))
    if max_row * max(max_col, 1) > limits.max_sheet_cells:
        raise sheet_too_large(name, max_row, max_col, limits)


def sheet_too_large(name: str, rows: int, columns: int, limits: ReadLimits) -> WorkbookError:
    """The refusal of a sheet whose used area passes ``limits.max_sheet_cells`` (.xlsx and .ods alike)."""
    return WorkbookError(
        f"工作表“{name}”的数据区域异常大（{rows}行×{columns}列），超过上限{limits.max_sheet_cells}个单元格，"
        "疑似异常文件；如确需读取，请提高 --max-cells（库中为 ReadLimits(max_sheet_cells=…)）")


def _extent(refs: list[bytes]) -> tuple[int, int]:
    """(last row, last column) of references like b"AB12" (a row's reference has no letters)."""
    joined = b" ".join(refs).upper()  # Why joined: translate and split beat a Python loop over the cells
    rows = set(joined.translate(None, _LETTERS).split())
    columns = set(joined.translate(None, _DIGITS).split())
    return max(map(int, rows), default=0), max(map(_column_number, columns), default=0)


def _sheet_members(data: bytes, archive: _Archive, limits: ReadLimits,
                   read: dict[_Member, bytes]) -> dict[str, str]:
    """Zip member of each worksheet's XML → sheet name, from workbook.xml and its rels."""
    workbook = _read_named(data, archive, "xl/workbook.xml", limits, read)
    rels = _read_named(data, archive, "xl/_rels/workbook.xml.rels", limits, read)
    targets = {}
    for rel in _RELATIONSHIP.finditer(_tightly_quoted(rels)):
        attrs = dict(_ATTR.findall(rel.group()))
        if b"Id" in attrs and b"Target" in attrs:
            targets[attrs[b"Id"]] = _member_of(attrs[b"Target"].decode())
    members = {}
    for entry in _SHEET_ENTRY.finditer(_screened(workbook)):
        attrs = dict(_ATTR.findall(entry.group()))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        name = attrs.get(b"name")
        if rid in targets and name is not None:
            members[targets[rid]] = _xml_unescape(name.decode())
    return members


@functools.lru_cache(maxsize=256)  # Why cached: every workbook names the same few targets
def _member_of(target: str) -> str:
    """The zip member a relationship target of workbook.xml points at."""
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _xml_unescape(text: str) -> str:
    if "&#" in text:  # a name written as character references ("&#33258;&#35780;&#34920;")
        return html.unescape(text)
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
