"""Bad, hostile and odd workbooks for the robustness tests — built in code, never committed."""
from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

from formgen import Funds, Project, Row, write_form

INJECTION = '=HYPERLINK("http://evil.example/","点我")'


def good_project(name: str = "社区卫生服务补助项目", **overrides) -> Project:
    rows = [
        Row("产出指标", "数量指标", "家庭医生签约人数", "≥5000人", "5200人", 20, 20),
        Row("产出指标", "质量指标", "健康档案规范化率", "≥90%", "92%", 15, 15),
        Row("产出指标", "时效指标", "补助资金拨付时间", "12月31日前", "按时完成", 15, 15),
        Row("效益指标", "社会效益指标", "居民健康素养水平", "有效提升", "达成年度指标", 30, 30),
        Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 10),
    ]
    fields = dict(name=name, department="某区卫生健康局", unit="某区东湖社区卫生服务中心", year=2023,
                  funds=Funds(100, 100, 100), rows=rows)
    fields.update(overrides)
    return Project(**fields)


GOOD_TOTAL = "100.00"


def write_good(path: Path, **overrides) -> Path:
    return write_form(path, good_project(**overrides))


def rezip(source: Path, target: Path, patch_sheet=None, extra: dict[str, bytes] | None = None,
          compression=zipfile.ZIP_DEFLATED) -> Path:
    """Copy an .xlsx, changing the first worksheet's XML with ``patch_sheet`` and adding members."""
    src = zipfile.ZipFile(source)
    with zipfile.ZipFile(target, "w", compression) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if patch_sheet and info.filename == "xl/worksheets/sheet1.xml":
                data = patch_sheet(data)
            out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def billion_laughs(xml: bytes) -> bytes:
    entities = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) + b"]>"
    body = xml.split(b"?>", 1)[-1] if xml.startswith(b"<?xml") else xml
    return b'<?xml version="1.0"?>' + entities + body.replace(b"<sheetData>", b"<sheetData><row r=\"99\"><c r=\"A99\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row>", 1)


def far_cell(xml: bytes) -> bytes:
    return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')


def junk_rows(count: int):
    def patch(xml: bytes) -> bytes:
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>'
                        % (r, r, r, r) for r in range(200, 200 + count))
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")
    return patch


def zip_bomb(path: Path, megabytes: int = 400) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return path


def encrypt(source: Path, target: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(source, "rb") as plain, open(target, "wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return target


def xls_with_filepass(source: Path, target: Path) -> Path:
    """A copy of an .xls whose Workbook stream says it is RC4-encrypted (a FILEPASS record after its BOF).

    Nothing is really encrypted and no password opens it; the records right after the
    BOF become one FILEPASS record of the same length, so the stream keeps its size.
    """
    import olefile

    target.write_bytes(source.read_bytes())
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        kind, length = struct.unpack_from("<HH", stream)
        assert kind == 0x0809, "BOF first"
        start = position = 4 + length
        while position - start < 4 + 54:  # the RC4 FILEPASS: type, version, salt, verifier and its hash
            position += 4 + struct.unpack_from("<HH", stream, position)[1]
        filepass = struct.pack("<HHHHH", 0x002F, position - start - 4, 0x0001, 1, 1)
        stream[start:position] = filepass.ljust(position - start, b"\x00")
        ole.write_stream("Workbook", bytes(stream))
    return target


def sales_table(path: Path) -> Path:
    wb = Workbook()
    wb.active.title = "销售明细"
    wb.active.append(["日期", "客户", "金额"])
    wb.active.append(["2023-01-05", "甲公司", 1200])
    wb.create_sheet("汇总").append(["合计", 1200])
    wb.save(path)
    return path


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One random corruption: flip bytes, cut the file, or splice garbage in."""
    choice = rng.randrange(3)
    if choice == 0:
        buf = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if choice == 1:
        return data[: rng.randrange(1, len(data))]
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 200)) + data[at:]


def mutate_xml(source: Path, target: Path, rng: random.Random) -> Path:
    """Rewrite one XML member of an .xlsx with a random structural change."""
    src = zipfile.ZipFile(source)
    names = [n for n in src.namelist() if n.endswith(".xml")]
    victim = rng.choice(names)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name == victim:
                data = _mutated(data, rng)
            out.writestr(name, data)
    return target


def _mutated(xml: bytes, rng: random.Random) -> bytes:
    ops = [
        lambda x: x[: rng.randrange(len(x))],                                  # truncated
        lambda x: x.replace(b"</", b"<", 1),                                   # broken tag
        lambda x: re.sub(rb'r="[A-Z]+\d+"', b'r="ZZZ0"', x, count=3),          # bad references
        lambda x: re.sub(rb"<v>[^<]*</v>", b"<v>not-a-number</v>", x, count=5),
        lambda x: x.replace(b'r="', b'r="A', 2),
        lambda x: re.sub(rb'ref="[^"]*"', b'ref="A1:XFD1048576"', x),
        lambda x: x + rng.randbytes(50),
    ]
    return rng.choice(ops)(xml)


def workbook_bytes_io(path: Path) -> io.BytesIO:
    return io.BytesIO(path.read_bytes())
