"""A minimal zip writer for the Office packages this library writes (.xlsx, .docx), and for the
copy of a unit's workbook the reader hands its parser (readers.container).

A package is a plain zip archive (deflate, no zip64: our outputs are far below
4 GB) written in one go.  Most of its parts are the same in every file, so they
are compressed once per process (:class:`ZipMember` kept by the caller) and
only the parts that change are deflated per file.
"""
from __future__ import annotations

import functools
import io
import struct
import time
import zipfile
import zlib
from typing import NamedTuple

from . import _fast_zlib
from ._fast_zlib import FAST_LEVEL  # parts that change per file (see _fast_zlib): fast, ~15 % larger than level 6

#: Parts compressed once per process: the smallest output is worth the time.
SHARED_LEVEL = 9

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")
_VERSION = 20  # deflate
_MADE_BY = (3 << 8) | _VERSION  # Unix
_FILE_ATTRIBUTES = (0o600 & 0xFFFF) << 16  # as zipfile.writestr
DEFLATED = 8


class ZipMember(NamedTuple):
    """A part, compressed: its name in the archive, CRC-32, compressed bytes and size; how they
    are compressed (zip's method: deflated, or 0, stored) and its flags (0x800: a UTF-8 name).

    Why a named tuple: the reader makes one per part of every workbook it reads."""

    name: bytes
    crc: int
    compressed: bytes
    size: int
    method: int = DEFLATED
    flags: int = 0


def deflated(name: str, data: bytes, level: int = FAST_LEVEL) -> ZipMember:
    """``data`` as the member ``name`` (raw deflate at ``level``: :data:`FAST_LEVEL` by
    :mod:`.._fast_zlib`, any other by zlib)."""
    compressor = _fast_zlib.raw_deflater() if level == FAST_LEVEL else zlib.compressobj(level, zlib.DEFLATED, -15)
    return ZipMember(name.encode("ascii"), _fast_zlib.crc32(data), compressor.compress(data) + compressor.flush(),
                     len(data))


_LOCAL_NAME_LENGTHS = struct.Struct("<26xHH")  # a local header's name and extra field lengths


def members_as_compressed(package: bytes) -> list[ZipMember]:
    """The members of a package this library ships (a trusted, plain zip: deflated or stored
    members with UTF-8 or ASCII names), as they are compressed there, in its order.

    Why not inflated and deflated again: the report draft's prototype holds 790 kB of Word
    styles, which deflating at :data:`SHARED_LEVEL` cost each worker ~16 ms on its first
    department form; copied, they cost nothing.
    """
    members = []
    for info in zipfile.ZipFile(io.BytesIO(package)).infolist():
        name_length, extra_length = _LOCAL_NAME_LENGTHS.unpack_from(package, info.header_offset)
        start = info.header_offset + 30 + name_length + extra_length
        members.append(ZipMember(info.filename.encode(), info.CRC, package[start:start + info.compress_size],
                                 info.file_size, info.compress_type, info.flag_bits & 0x800))
    return members


def zip_archive(members: list[ZipMember]) -> bytes:
    """The zip archive of ``members``, in that order, stamped with the current local time."""
    now = time.localtime()
    dos_time = (now.tm_hour << 11) | (now.tm_min << 5) | (now.tm_sec // 2)
    dos_date = ((now.tm_year - 1980) << 9) | (now.tm_mon << 5) | now.tm_mday
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, crc, compressed, size, method, flags in members:
        chunks.append(_LOCAL_HEADER.pack(0x04034B50, _VERSION, flags, method, dos_time, dos_date, crc,
                                         len(compressed), size, len(name), 0))
        chunks.append(name)
        chunks.append(compressed)
        central.append(_CENTRAL_HEADER.pack(0x02014B50, _MADE_BY, _VERSION, flags, method, dos_time, dos_date, crc,
                                            len(compressed), size, len(name), 0, 0, 0, 0,
                                            _FILE_ATTRIBUTES, offset))
        central.append(name)
        offset += _LOCAL_HEADER.size + len(name) + len(compressed)
    directory_size = sum(map(len, central))
    end = _END_RECORD.pack(0x06054B50, 0, 0, len(members), len(members), directory_size, offset, 0)
    return b"".join((*chunks, *central, end))  # one copy of the archive, not one per "+"


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc1 = zlib.crc32(a)``, ``crc2 = zlib.crc32(b)`` and ``len(b)``.

    zlib's ``crc32_combine`` (1.2.12 on), which Python's zlib does not expose:
    ``crc1`` times x^(8·length2) modulo the CRC polynomial, that power made of
    the powers x^(2^k) (:func:`_powers_of_x`).  About 1.5 M instructions for
    a ``length2`` of 20 MB, the powers included (the squared 32×32 bit
    matrices of older zlibs, in Python: 22 M).  Lets a part be checksummed
    before the part in front of it is known.
    """
    powers = _powers_of_x()
    power, k, bits = _X0, 3, length2  # x^(8·length2) = x^(length2 · 2^3)
    while bits:
        if bits & 1:
            power = _times_mod_p(powers[k & 31], power)
        bits >>= 1
        k += 1
    return _times_mod_p(power, crc1) ^ crc2


_CRC32_POLYNOMIAL = 0xEDB88320  # reflected, as the CRC's bits are
_X0 = 1 << 31  # x^0, reflected


def _times_mod_p(a: int, b: int) -> int:
    """a(x)·b(x) modulo the CRC-32 polynomial (both reflected)."""
    if not a:
        return 0
    bit, product = _X0, 0
    while True:
        if a & bit:
            product ^= b
            if not a & (bit - 1):  # no lower bit of ``a`` left
                return product
        bit >>= 1
        b = (b >> 1) ^ _CRC32_POLYNOMIAL if b & 1 else b >> 1


@functools.cache
def _powers_of_x() -> tuple[int, ...]:
    """x^(2^k) modulo the CRC-32 polynomial, k = 0 … 31 (x^(2^32) is x^(2^0) = x again, the order of x
    dividing 2^32 − 1: so k is taken modulo 32)."""
    powers = [_X0 >> 1]  # x^1
    for _ in range(31):
        powers.append(_times_mod_p(powers[-1], powers[-1]))
    return tuple(powers)
