"""A minimal zip writer for the Office packages this library writes (.xlsx, .docx).

A package is a plain zip archive (deflate, no zip64: our outputs are far below
4 GB) written in one go.  Most of its parts are the same in every file, so they
are compressed once per process (:class:`ZipMember` kept by the caller) and
only the parts that change are deflated per file.
"""
from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass

#: Parts that change per file: 4× faster than level 6 for files ~15 % larger.
FAST_LEVEL = 1
#: Parts compressed once per process: the smallest output is worth the time.
SHARED_LEVEL = 9

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")
_VERSION = 20  # deflate
_MADE_BY = (3 << 8) | _VERSION  # Unix
_FILE_ATTRIBUTES = (0o600 & 0xFFFF) << 16  # as zipfile.writestr


@dataclass(frozen=True)
class ZipMember:
    """A part, compressed: its name in the archive, CRC-32, deflated bytes and size."""

    name: bytes
    crc: int
    compressed: bytes
    size: int


def deflated(name: str, data: bytes, level: int = FAST_LEVEL) -> ZipMember:
    """``data`` as the member ``name`` (raw deflate at ``level``)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return ZipMember(name.encode("ascii"), zlib.crc32(data), compressor.compress(data) + compressor.flush(),
                     len(data))


def zip_archive(members: list[ZipMember]) -> bytes:
    """The zip archive of ``members``, in that order, stamped with the current local time."""
    now = time.localtime()
    dos_time = (now.tm_hour << 11) | (now.tm_min << 5) | (now.tm_sec // 2)
    dos_date = ((now.tm_year - 1980) << 9) | (now.tm_mon << 5) | now.tm_mday
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for member in members:
        name, crc, compressed, size = member.name, member.crc, member.compressed, member.size
        chunks.append(_LOCAL_HEADER.pack(0x04034B50, _VERSION, 0, 8, dos_time, dos_date, crc,
                                         len(compressed), size, len(name), 0))
        chunks.append(name)
        chunks.append(compressed)
        central.append(_CENTRAL_HEADER.pack(0x02014B50, _MADE_BY, _VERSION, 0, 8, dos_time, dos_date, crc,
                                            len(compressed), size, len(name), 0, 0, 0, 0,
                                            _FILE_ATTRIBUTES, offset) + name)
        offset += _LOCAL_HEADER.size + len(name) + len(compressed)
    directory = b"".join(central)
    end = _END_RECORD.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(chunks) + directory + end
