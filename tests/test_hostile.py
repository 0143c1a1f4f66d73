"""Never lose a file, never trust a file: bad, hostile and odd input, and safe output (issue 4).

Every case is built in ``tmp_path`` by ``hostile.py``; a batch must run to the
end, give each file a status and a one-line Chinese reason, leave the inputs
byte-identical, and never write a formula that came from a unit's text.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import perfeval_xl
import perfeval_xl.task as task
from perfeval_xl.batch import score_entry
from perfeval_xl.cli import main
from perfeval_xl.inbox import InboxEntry
from perfeval_xl.rules import resolve_rules

import hostile
from formgen import Formula, Funds, Row, write_form

D = Decimal
CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(inbox: Path, outbox: Path, **kw) -> dict[str, perfeval_xl.FileResult]:
    batch = perfeval_xl.score_folder(inbox, out=outbox, jobs=1, **kw)
    return {f.file: f for f in batch.files}


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def total_of(result: perfeval_xl.FileResult) -> Decimal:
    return result.forms[0].total


# ---------------------------------------------------------------- broken files

def broken_deflate(data: bytes, member: str) -> bytes:
    """``data`` with the compressed stream of ``member`` made invalid (a deflate block of reserved type)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return data[:start] + b"\xff\xff" + data[start + 2:]


def test_broken_files_get_a_plain_reason_and_the_batch_goes_on(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    good = hostile.write_good(inbox / "good.xlsx")
    (inbox / "not_a_workbook.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (inbox / "empty.xlsx").write_bytes(b"")
    (inbox / "truncated.xlsx").write_bytes(good.read_bytes()[:1500])
    corrupt = bytearray(good.read_bytes())
    corrupt[200:260] = b"\x00" * 60
    (inbox / "corrupt.xlsx").write_bytes(bytes(corrupt))
    (inbox / "bad_deflate.xlsx").write_bytes(broken_deflate(good.read_bytes(), "xl/styles.xml"))
    (inbox / "webpage.xls").write_text("<html><table><tr><td>项目名称</td></tr></table></html>", encoding="utf-8")
    results = run(inbox, tmp_path / "out")
    assert results["good.xlsx"].status == "ok" and str(total_of(results["good.xlsx"])) == hostile.GOOD_TOTAL
    for name in ("not_a_workbook.xlsx", "truncated.xlsx", "corrupt.xlsx", "bad_deflate.xlsx"):
        assert results[name].status == "error", name
        assert "文件已损坏或不是Excel工作簿" in results[name].error, results[name].error
    assert "压缩数据损坏" in results["bad_deflate.xlsx"].error
    assert "0字节" in results["empty.xlsx"].error
    assert "网页" in results["webpage.xls"].error
    assert all("\n" not in r.error for r in results.values() if r.error)  # one line each


def test_encrypted_file_is_an_error_unless_a_password_opens_it(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    plain = hostile.write_good(tmp_path / "plain.xlsx")
    hostile.encrypt(plain, inbox / "locked.xlsx", "局123")
    assert "文件已加密" in run(inbox, tmp_path / "o1")["locked.xlsx"].error
    assert "无法打开" in run(inbox, tmp_path / "o2", passwords=("wrong",))["locked.xlsx"].error
    opened = run(inbox, tmp_path / "o3", passwords=("wrong", "局123"))["locked.xlsx"]
    assert opened.status == "ok" and str(total_of(opened)) == hostile.GOOD_TOTAL


def test_encrypted_xls_is_an_error_unless_a_password_opens_it(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    plain = write_form(tmp_path / "plain.xls", hostile.good_project())
    hostile.xls_with_filepass(plain, inbox / "locked.xls")
    shutil.copy(plain, inbox / "plain.xls")
    results = run(inbox, tmp_path / "o1")
    assert "文件已加密" in results["locked.xls"].error and "--password" in results["locked.xls"].error
    assert str(total_of(results["plain.xls"])) == hostile.GOOD_TOTAL
    assert "无法打开" in run(inbox, tmp_path / "o2", passwords=("wrong",))["locked.xls"].error


def test_passwords_file_on_the_command_line(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.encrypt(hostile.write_good(tmp_path / "plain.xlsx"), inbox / "locked.xlsx", "pw-2023")
    secrets = tmp_path / "passwords.txt"
    secrets.write_text("first\npw-2023\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "o"), "-q", "-j", "1",
                                       "--passwords-file", str(secrets)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["score", "explain"])
def test_a_passwords_file_saved_as_gbk_opens_a_workbook_with_a_chinese_password(tmp_path, command):
    # Notepad on a Chinese Windows saved GBK by default: reading it as UTF-8 ended in a traceback.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.encrypt(hostile.write_good(tmp_path / "plain.xlsx"), inbox / "locked.xlsx", "秘密2023")
    secrets = tmp_path / "passwords.txt"
    secrets.write_bytes("wrong\n秘密2023\n".encode("gbk"))
    target = [str(inbox), "--out", str(tmp_path / "o"), "-q", "-j", "1"] if command == "score" else [
        str(inbox / "locked.xlsx")]
    result = CliRunner().invoke(main, [command, *target, "--passwords-file", str(secrets)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_a_passwords_file_in_no_known_encoding_is_a_plain_usage_error(tmp_path):
    secrets = tmp_path / "passwords.bin"
    secrets.write_bytes(b"\xff\xfe\x00\xd8\x81")
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(main, ["score", str(tmp_path / "in"), "--out", str(tmp_path / "o"),
                                       "--passwords-file", str(secrets)])
    assert result.exit_code == 2 and "既不是UTF-8也不是GBK编码" in result.output


def test_every_command_that_reads_workbooks_takes_the_options_its_errors_name(tmp_path):
    # explain's refusal of an absurd sheet said "请提高 --max-cells", an option explain did not have.
    path = hostile.write_good(tmp_path / "good.xlsx")
    for command in (["explain", str(path)], ["watch", str(tmp_path), "--out", str(tmp_path / "o")]):
        usage = CliRunner().invoke(main, [*command, "--help"]).output
        assert all(option in usage for option in ("--password", "--passwords-file", "--max-cells", "--max-unzipped-mb"))
    book = load_workbook(path)
    book.active["Z200"] = "备注"  # a used area of 26 × 200 cells
    book.save(path)
    result = CliRunner().invoke(main, ["explain", str(path), "--max-cells", "1000"])
    assert result.exit_code == 1 and "--max-cells" in result.output, result.output
    assert CliRunner().invoke(main, ["explain", str(path), "--max-cells", "6000"]).exit_code == 0


def test_templates_into_a_folder_that_cannot_be_made_is_a_plain_error(tmp_path):
    (tmp_path / "a-file").write_text("x")
    result = CliRunner().invoke(main, ["templates", str(tmp_path / "a-file" / "sub")])
    assert result.exit_code == 1 and "路径中有一段是文件，不是文件夹" in result.output
    assert "Traceback" not in result.output


def test_format_comes_from_the_bytes_not_the_name(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    xls = write_form(tmp_path / "old.xls", hostile.good_project())
    shutil.copy(xls, inbox / "really_xls.xlsx")
    shutil.copy(hostile.write_good(tmp_path / "new.xlsx"), inbox / "really_xlsx.xls")
    results = run(inbox, tmp_path / "out")
    assert str(total_of(results["really_xls.xlsx"])) == hostile.GOOD_TOTAL
    assert str(total_of(results["really_xlsx.xls"])) == hostile.GOOD_TOTAL


def test_lock_hidden_and_earlier_output_files_are_skipped_not_errors(tmp_path):
    inbox = tmp_path / "in"
    (inbox / ".git").mkdir(parents=True)
    hostile.write_good(inbox / "good.xlsx")
    (inbox / "~$good.xlsx").write_bytes(b"\x00" * 165)          # Excel's lock file
    (inbox / ".~lock.good.xlsx#").write_text("x")               # LibreOffice's, not a workbook name
    (inbox / ".hidden.xlsx").write_bytes(b"junk")
    (inbox / ".git" / "x.xlsx").write_bytes(b"junk")
    results = run(inbox, tmp_path / "out")
    assert results["~$good.xlsx"].status == "skipped"
    assert results[".hidden.xlsx"].status == "skipped"
    assert results[".git/x.xlsx"].status == "skipped"
    assert ".~lock.good.xlsx#" not in results
    assert perfeval_xl.score_folder(inbox, jobs=1).exit_code == 0


def test_spreadsheets_of_other_programs_are_listed_and_skipped_with_what_to_do(tmp_path):
    # They were left out of the listing: a unit's .et was silently not scored, the batch exiting 0.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    (inbox / "某局自评表.et").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 508)
    (inbox / "某局自评表.xlsb").write_bytes(b"PK\x03\x04")  # was not even listed: no word of it
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses == {"good.xlsx": "ok", "某局自评表.et": "skipped", "某局自评表.xlsb": "skipped"}
    reasons = {f.file: f.error for f in batch.files if f.status == "skipped"}
    assert reasons == {"某局自评表.et": "WPS表格（.et）不是Excel工作簿，已跳过；请用WPS或Excel另存为.xlsx后重新报送",
                       "某局自评表.xlsb": "Excel二进制工作簿（.xlsb）不能读取，已跳过；请用WPS或Excel另存为.xlsx后重新报送"}


def test_forms_sent_zipped_or_as_csv_are_listed_and_skipped_with_what_to_do(tmp_path):
    # Left out of the listing: the batch exited 0 and no summary named them.
    inbox = tmp_path / "in"
    inbox.mkdir()
    good = hostile.write_good(inbox / "good.xlsx")
    with zipfile.ZipFile(inbox / "两个项目.zip", "w") as archive:
        archive.write(good, "项目.xlsx")
    (inbox / "导出.CSV").write_text("项目名称,得分\n道路,95\n", encoding="utf-8")
    (inbox / "签字页.pdf").write_bytes(b"%PDF-1.4")  # an attachment, not a form: not listed
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    skipped = {f["file"]: (f["error"], f["action"]) for f in summary["files"] if f["status"] == "skipped"}
    assert skipped == {
        "两个项目.zip": ("压缩包（.zip），已跳过；请解压后把其中的工作簿放入收件箱，再运行评分", "请解压后把其中的工作簿放入收件箱"),
        "导出.CSV": ("CSV文件不是自评表工作簿（导出时表样和单元格格式已丢失），已跳过；请单位报送Excel工作簿（.xlsx）",
                   "请单位报送Excel工作簿（.xlsx）"),
    }


def test_a_filled_template_file_is_scored_not_left_out(tmp_path):
    # .xltx / .xltm were neither scored nor named as skipped: a unit's form vanished from the batch.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(tmp_path / "form.xlsx").rename(inbox / "自评表模板.xltx")
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses == {"自评表模板.xltx": "ok"}
    assert (tmp_path / "out" / "自评表模板.xltx.scored.xlsx").is_file()


def test_the_cli_names_a_skipped_file_the_officer_must_act_on_and_not_a_lock_file(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    (inbox / "某局自评表.et").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 508)
    (inbox / "~$good.xlsx").write_bytes(b"\x00" * 165)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0
    assert "跳过 某局自评表.et：WPS表格（.et）不是Excel工作簿，已跳过；请用WPS或Excel另存为.xlsx后重新报送" in result.output
    assert "~$good.xlsx" not in result.output and "跳过 2 个" in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="a line break in a file name")
def test_a_line_break_in_a_file_name_keeps_its_failure_on_one_line(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "bad\x1b[31mRED\nline.xlsx").write_bytes(b"x")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("错误 ")]
    assert line.startswith("错误 bad[31mRED\\nline.xlsx：")  # ESC dropped, the line break shown


def test_an_inbox_without_a_workbook_says_so(tmp_path):
    # It said "已评分 0 个文件…；规则 mof-2020-project": a wrong folder given looked like a batch done.
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "说明.docx").write_bytes(b"x")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0
    assert f"提示：收件箱“{inbox}”中没有找到工作簿（.xlsx、.xlsm、.xltx、.xls、.ods等），请确认文件夹是否正确" in result.output


def test_a_workbook_without_a_form_names_the_sheets_looked_at(tmp_path):
    with pytest.raises(perfeval_xl.WorkbookError, match="未识别到自评表.*销售明细、汇总"):
        perfeval_xl.score_workbook(hostile.sales_table(tmp_path / "sales.xlsx"))


# ---------------------------------------------------------------- hostile files

@pytest.mark.parametrize("make, reason", [
    (lambda good, target: hostile.rezip(good, target, hostile.billion_laughs), "XML实体"),
    (lambda good, target: hostile.zip_bomb(target), "压缩炸弹"),
    (lambda good, target: hostile.rezip(good, target, hostile.far_cell), "数据区域异常大"),
], ids=["entity-expansion", "zip-bomb", "absurd-dimensions"])
def test_hostile_files_fail_fast_with_bounded_work(tmp_path, make, reason):
    good = hostile.write_good(tmp_path / "good.xlsx")
    target = make(good, tmp_path / "hostile.xlsx")
    started = time.monotonic()
    with pytest.raises(perfeval_xl.WorkbookError, match=reason):
        perfeval_xl.score_workbook(target)
    assert time.monotonic() - started < 10


def test_read_limits_are_configurable(tmp_path):
    target = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "junk.xlsx", hostile.junk_rows(3000))
    with pytest.raises(perfeval_xl.WorkbookError, match="数据区域异常大"):
        perfeval_xl.score_workbook(target, limits=perfeval_xl.ReadLimits(max_sheet_cells=5000))
    assert str(total_of(perfeval_xl.score_workbook(target))) == hostile.GOOD_TOTAL


def test_a_small_unzipped_limit_is_said_in_a_unit_that_shows_it(tmp_path):
    # A library caller's limit of 1,000 bytes was said as "文件解压后达0MB，超过上限0MB".
    good = hostile.write_good(tmp_path / "g.xlsx")
    with pytest.raises(perfeval_xl.WorkbookError, match=r"文件解压后达\d+(\.\d)?KB，超过上限1000字节"):
        perfeval_xl.score_workbook(good, limits=perfeval_xl.ReadLimits(max_unzipped_bytes=1000))
    with pytest.raises(perfeval_xl.WorkbookError, match=r"超过上限1.5KB，"):
        perfeval_xl.score_workbook(good, limits=perfeval_xl.ReadLimits(max_unzipped_bytes=1536))


def test_a_workbook_too_large_unzipped_says_how_to_read_it_anyway(tmp_path):
    # The refusal of too many cells named --max-cells; this one named no way out for a real, large workbook.
    good = hostile.write_good(tmp_path / "g.xlsx")
    with pytest.raises(perfeval_xl.WorkbookError) as refused:
        perfeval_xl.score_workbook(good, limits=perfeval_xl.ReadLimits(max_unzipped_bytes=1000))
    assert str(refused.value).endswith("疑似压缩炸弹或异常文件；如确需读取，请提高 --max-unzipped-mb（库中为 ReadLimits(max_unzipped_bytes=…)）")
    assert str(total_of(perfeval_xl.score_workbook(good))) == hostile.GOOD_TOTAL  # within the default limit: read


@pytest.mark.parametrize("tail", [
    b'<row r="1048576"><c r="I1048576" s="1"/></row>',  # a cell formatted once, far down
    b'<row r="1048576" ht="14.25" customHeight="1"/>',  # a row resized at the sheet's end
    b'<row r="20"><c r="XFD20" s="1"></c></row>',  # the last column, formatted and empty
], ids=["formatted-cell", "resized-row", "last-column"])
def test_empty_cells_and_rows_excel_keeps_far_away_do_not_make_a_sheet_absurd(tmp_path, tail):
    target = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "far.xlsx",
                           lambda xml: xml.replace(b"</sheetData>", tail + b"</sheetData>"))
    assert str(total_of(perfeval_xl.score_workbook(target))) == hostile.GOOD_TOTAL


def test_empty_cells_in_a_percent_style_after_the_table_cost_little(tmp_path):
    # A column formatted 0% all the way down: Excel writes each empty cell as <c r=".." s=".."/>.
    good = hostile.write_good(tmp_path / "g.xlsx")
    workbook = load_workbook(good)
    workbook.active["F40"].number_format = "0%"
    workbook.save(good)
    style = re.search(rb'<c r="F40" s="(\d+)"', zipfile.ZipFile(good).read("xl/worksheets/sheet1.xml")).group(1)
    rows = b"".join(b'<row r="%d"><c r="F%d" s="%s"/></row>' % (r, r, style) for r in range(41, 20041))
    target = hostile.rezip(good, tmp_path / "column.xlsx",
                           lambda xml: re.sub(rb'<row r="40".*?</row>', b"", xml).replace(b"</sheetData>", rows + b"</sheetData>"))
    started = time.monotonic()
    assert str(total_of(perfeval_xl.score_workbook(target))) == hostile.GOOD_TOTAL
    assert time.monotonic() - started < 10  # a hang guard: quadratic, this took over a minute


@pytest.mark.parametrize("far", [
    b'<row r="20"><c r="BXX20"><v>1</v></c></row><row r="1048576"><c><v>1</v></c></row>',  # placed by counting
    b'<row r="20"><c r="BXX1048576"><!-- --><v>1</v></c></row>',  # a comment before the value
], ids=["cell-without-r", "comment-before-value"])
def test_a_far_cell_written_oddly_is_still_refused(tmp_path, far):
    target = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "far.xlsx",
                           lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>"))
    with pytest.raises(perfeval_xl.WorkbookError, match="数据区域异常大"):
        perfeval_xl.score_workbook(target)


def _percent_and_formula(tmp_path: Path, number_format: str):
    """A good form with 0.05 in a percentage cell (Z1) and a formula never calculated (Z2), and its
    grid as the screen reads it plainly: (path, grid)."""
    import openpyxl

    path = hostile.write_good(tmp_path / "g.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["Z1"], sheet["Z1"].number_format = 0.05, number_format
    sheet["Z2"] = "=1/0"  # openpyxl stores no result: a formula never calculated
    book.save(path)
    plain = perfeval_xl.readers.grid.load_grids(path)[0]
    assert (0, 25) in plain.percent and (1, 25) in plain.uncalculated
    return path, plain


def _parts_rewritten(source: Path, target: Path, parts, rewrite) -> set[str]:
    """``source`` zipped again as ``target`` with ``rewrite`` applied to its ``parts``; the names of
    the parts the rewrite changed."""
    changed = set()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in parts:
                rewritten = rewrite(data)
                if rewritten != data:
                    changed.add(info.filename)
                data = rewritten
            out.writestr(info.filename, data)
    return changed


def _prefixed(xml: bytes) -> bytes:
    """A SpreadsheetML part as the .NET Open XML SDK writes some exports: every element "x:"-prefixed."""
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = re.sub(rb"<(/?)(?![?!])([A-Za-z])", rb"<\1x:\2", xml)
    return xml.replace(main, main.replace(b"xmlns=", b"xmlns:x="), 1)


def test_a_workbook_written_with_prefixed_elements_is_screened_as_any_other(tmp_path):
    # <x:c>, <x:sheet>, <x:xf>: the screen saw no sheet, so a 5% in a 0% cell read as 0.05 (full marks
    # against "≤2%"), error values and uncalculated formulas went unflagged, and a far cell reached the parser.
    path, plain = _percent_and_formula(tmp_path, "0%")
    prefixed = tmp_path / "prefixed.xlsx"
    _parts_rewritten(path, prefixed, ("xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"), _prefixed)
    [grid] = perfeval_xl.readers.grid.load_grids(prefixed)
    assert grid.rows == plain.rows and grid.percent == plain.percent and grid.uncalculated == plain.uncalculated
    far = hostile.rezip(prefixed, tmp_path / "far.xlsx",
                        lambda xml: xml.replace(b"</x:sheetData>", b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v>'
                                                                   b"</x:c></x:row></x:sheetData>"))
    with pytest.raises(perfeval_xl.WorkbookError, match="数据区域异常大"):
        perfeval_xl.score_workbook(far)


def _single_quoted(xml: bytes) -> bytes:
    """Every attribute written name='value', as XML allows and some writers do."""
    return re.sub(rb'(\s[\w:.-]+)="([^"]*)"', rb"\1='\2'", xml)


def _spaced(xml: bytes) -> bytes:
    """Every attribute written name = "value"."""
    return re.sub(rb'(\s[\w:.-]+)="', rb'\1 = "', xml)


def _without_references(xml: bytes) -> bytes:
    """Rows and cells without their optional r="…" (calamine counts them; Excel reads them so)."""
    return re.sub(rb'(<(?:row|c))\s+r="[A-Z]*\d+"', rb"\1", xml)


def _format_attributes_swapped(xml: bytes) -> bytes:
    return re.sub(rb'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', rb'<numFmt formatCode="\2" numFmtId="\1"', xml)


@pytest.mark.parametrize("parts, rewrite", [
    (("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"), _single_quoted),
    (("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"), _spaced),
    (("xl/worksheets/sheet1.xml",), _without_references),
    (("xl/styles.xml",), _format_attributes_swapped),
], ids=["single-quoted", "blanks-around-equals", "no-cell-references", "format-attributes-swapped"])
def test_attributes_as_xml_allows_them_hide_no_percentage_formula_or_far_cell(tmp_path, parts, rewrite):
    # Each hid a 5% in a 0.0% cell (read 0.05: full marks against "≤2%") and a formula never calculated
    # from the screen, and the quoted and spaced ones a far cell too: calamine then aborted the process.
    path, plain = _percent_and_formula(tmp_path, "0.0%")  # a workbook's own format (numFmt 164)
    odd = tmp_path / "odd.xlsx"
    assert _parts_rewritten(path, odd, parts, rewrite) == set(parts)
    [grid] = perfeval_xl.readers.grid.load_grids(odd)
    if rewrite is _without_references:  # the cells move left, as calamine counts them: Z1 is now B1
        shown_as_percent = {(r, c) for r, row in enumerate(grid.rows) for c, value in enumerate(row) if value == 0.05}
        assert grid.percent == shown_as_percent and len(shown_as_percent) == 1
        assert [row for row, _ in grid.uncalculated] == [1]
    else:
        assert grid.rows == plain.rows and grid.percent == plain.percent and grid.uncalculated == plain.uncalculated
    if "xl/worksheets/sheet1.xml" in parts:
        # The far cell written as the rest (quoted so), or, among cells counted, with its own r="…".
        far_and_rewritten = (lambda xml: hostile.far_cell(xml)) if rewrite is _without_references \
            else (lambda xml: rewrite(hostile.far_cell(xml)))
        far = hostile.rezip(odd, tmp_path / "far.xlsx", far_and_rewritten)
        with pytest.raises(perfeval_xl.WorkbookError, match="数据区域异常大"):
            perfeval_xl.score_workbook(far)


@pytest.mark.parametrize("far", [
    b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
    b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
], ids=["single-quoted", "lower-case"])
def test_a_far_cell_written_otherwise_than_its_sheet_is_still_refused(tmp_path, far):
    # The screen judges a part's way of writing by its head; a far cell written otherwise inside an
    # ordinary sheet must still never reach calamine, which aborts the whole process on it.
    far = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "far.xlsx",
                        lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>"))
    with pytest.raises(perfeval_xl.WorkbookError, match="数据区域异常大"):
        perfeval_xl.score_workbook(far)


def test_a_sheet_part_named_in_capitals_and_a_sheet_name_in_character_references_are_screened(tmp_path):
    path = hostile.write_good(tmp_path / "g.xlsx")
    target = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data, name = src.read(info.filename), info.filename
            if name == "xl/worksheets/sheet1.xml":
                name, data = "xl/worksheets/sheet1.XML", hostile.far_cell(data)
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.XML")
            elif name == "xl/workbook.xml":
                title = re.search(rb'<sheet [^>]*name="([^"]+)"', data).group(1).decode()
                data = data.replace(f'name="{title}"'.encode(),
                                    ('name="' + "".join(f"&#{ord(c)};" for c in title) + '"').encode())
            elif name == "[Content_Types].xml":
                data = data.replace(b"/xl/worksheets/sheet1.xml", b"/xl/worksheets/sheet1.XML")
            out.writestr(name, data)
    with pytest.raises(perfeval_xl.WorkbookError, match=f"工作表“{title}”的数据区域异常大"):
        perfeval_xl.score_workbook(target)


def test_the_screen_finds_a_formula_mark_from_f_to_f_where_a_search_finds_it():
    # _holds_formula_mark checks the "f"s of a part one by one, then leaves the rest to re.
    from perfeval_xl.readers.container import _F_LOOKED_AT, _holds_formula_mark

    rng = random.Random(20261129)
    parts = [b"", b"f", b"<f", b"f<f", b"<", b"<F", b"ff" * _F_LOOKED_AT + b"<f", b"f" * (_F_LOOKED_AT - 1) + b"<f",
             b"f" * _F_LOOKED_AT + b"<f", b"f" * (_F_LOOKED_AT + 1), b"<f" + b"f" * 200]
    parts += [bytes(rng.choice(b"<f>ac") for _ in range(rng.randrange(1, 400))) for _ in range(3000)]
    assert {_holds_formula_mark(part) for part in parts} == {True, False}
    for part in parts:
        assert _holds_formula_mark(part) == (b"<f" in part), part



def test_the_screens_far_reference_pattern_finds_what_the_plain_spelling_finds():
    # _FAR_REF takes up to two letters possessively: it must accept what [A-Z]{3}|[A-Z]{0,2}\d{4} accepts.
    from perfeval_xl.readers.container import _FAR_REF

    plain = re.compile(rb'r=["\'](?:[A-Za-z]{3}\d|[A-Za-z]{0,2}\d{4})')  # either quote and case
    rng = random.Random(20261126)
    refs = [b'r="' + bytes(rng.choice(b'AZ09"x') for _ in range(rng.randrange(9))) + b'"' for _ in range(20000)]
    refs += [b'r="%s%d"' % (letters, row) for letters in (b"", b"A", b"ZZ", b"AAA", b"XFD") for row in (1, 999, 1000)]
    assert {_FAR_REF.search(ref) is None for ref in refs} == {True, False}
    for ref in refs:
        assert (_FAR_REF.search(ref) is None) == (plain.search(ref) is None), ref

def test_rich_text_whose_run_names_a_font_family_is_text_not_a_formula(tmp_path):
    # <family val="3"/> in a run's properties starts like <f>: it is not an uncalculated formula.
    def rich(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="90"><c r="A90" t="inlineStr"><is><r><rPr><rFont val="SimSun"/>'
                                            b'<family val="3"/></rPr><t>x</t></r></is></c></row></sheetData>')
    target = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "rich.xlsx", rich)
    from perfeval_xl.readers.container import ReadLimits, screen_xlsx

    assert not any(facts.uncalculated for facts in screen_xlsx(target.read_bytes(), ReadLimits(), copy=False)[0].values())


def test_a_year_cell_holding_a_date_gives_the_year(tmp_path):
    import datetime

    path = hostile.write_good(tmp_path / "g.xlsx")
    workbook = load_workbook(path)
    sheet = workbook.active
    for merged in [r for r in sheet.merged_cells.ranges if r.min_row == 2]:
        sheet.unmerge_cells(str(merged))
    sheet["A2"] = "年度"  # instead of the title line "（2023年度）"
    sheet["B2"] = datetime.datetime(2023, 1, 1)
    sheet["B2"].number_format = 'yyyy"年"'  # Excel shows 2023年
    workbook.save(path)
    assert perfeval_xl.score_workbook(path).forms[0].form.year == 2023


# ---------------------------------------------------------------- odd cells

def test_uncalculated_formula_is_an_error_on_that_field_and_the_rest_scores(tmp_path):
    project = hostile.good_project()
    project.rows[0] = Row("产出指标", "数量指标", "家庭医生签约人数", "≥5000人", Formula("=B30*2"), 20, 20)
    form = perfeval_xl.score_workbook(write_form(tmp_path / "f.xlsx", project)).forms[0]
    signed = next(i for i in form.items if i.name == "家庭医生签约人数")
    message = " ".join(str(f) for f in signed.flags)
    assert "未计算的公式" in message and "Excel或WPS" in message and "（F" in message
    assert form.total == D("80.00")  # the other items still score: 100 − 20


def test_a_project_name_that_is_an_uncalculated_formula_is_flagged_at_its_cell(tmp_path):
    project = hostile.good_project()
    project.name = Formula('=CONCATENATE("社区","卫生")')
    form = perfeval_xl.score_workbook(write_form(tmp_path / "f.xlsx", project)).forms[0]
    flagged = [f for f in form.flags if "项目名称" in f.message]
    assert len(flagged) == 1, [str(f) for f in form.flags]
    assert "未计算的公式" in flagged[0].message and flagged[0].source.cell != "A1"
    assert form.total is not None  # the form still scores


@pytest.mark.parametrize("code, words", [
    ('"≤"0"万元"', ("≤", "万元", 0)),
    ('#,##0"元"', ("", "元", 0)),
    ('"≥"0%', ("≥", "", 0)),          # a percentage with a word before it: the % is the number's
    ('0"%"', ("", "%", 0)),           # a quoted % is written, not a percentage
    ('[Red]0"人";[Blue]-0"人"', ("", "人", 0)),
    ("\\¥#,##0.00", None),         # an escaped currency sign: no unit either
    ('#,##0,"千元"', ("", "千元", 3)),  # a comma after the last digit shows thousands
    ('#,##0,,', ("", "", 6)),
    ('0!.0000"万元"', ("", "万元", 4)),  # the 万 trick: 800000 shows as 80.0000万元
    ("0\\.0000\"万\"", ("", "万", 4)),
    ('#,##0.00', None),
    ('"≤"G/通用格式"万元"', ("≤", "万元", 0)),  # General as the Chinese locale spells it
    ('"¥"#,##0', None),             # a currency sign is no unit
    ('[<1]0.0%;0.0"%"', None),      # the section shown depends on the value
    ('0.00_);(0.00)', None),
    ('yyyy"年"m"月"d"日"', None),  # a date's: calamine gives the date
    ('@"（文本）"', None),
    ('0"万"0000', None),           # a word between digits is no suffix
])
def test_the_words_a_number_format_writes_around_the_number(code, words):
    from perfeval_xl.readers.container import format_words

    assert format_words(code) == words


def test_a_number_formatted_with_words_is_read_as_shown(tmp_path):
    # A cost target typed 5 and shown "≤5万元" by its format read as a bare 5: no operator (so ≥) and
    # no unit, and an overspent 5.5 scored full marks.
    project = hostile.good_project()
    project.rows[1] = Row("产出指标", "成本指标", "设备维护成本", 5, 5.5, 15, 15)
    path = write_form(tmp_path / "f.xlsx", project, number_formats={5: '"≤"0"万元"', 5.5: '0.0"万元"'})
    [item] = [item for item in perfeval_xl.score_workbook(path).forms[0].items if item.name == "设备维护成本"]
    assert (item.target, item.actual, item.score) == ("≤5万元", "5.5万元", Decimal("13.64"))
    assert item.basis.startswith("5/5.5×15")


def test_an_amount_formatted_in_yuan_in_a_wan_yuan_block_is_converted_and_a_currency_sign_is_not_a_unit(tmp_path):
    # 593800 shown "593,800元" in the 万元 block was read as 593800万元 (rate capped at 100 %: 10 of
    # 10); "¥62.50" is the same 62.5万元 with a currency sign before it.
    project = hostile.good_project(funds=Funds(62.5, 62.5, 593800, sub_rows=[]))
    path = write_form(tmp_path / "f.xlsx", project, number_formats={593800: '#,##0"元"', 62.5: '"¥"#,##0.00'})
    [form] = perfeval_xl.score_workbook(path).forms
    execution = form.items[0]
    assert execution.basis.startswith("59.38/62.5×10=9.50"), execution.basis
    assert any("按万元折算为59.38" in str(flag) for flag in form.flags + execution.flags)


@pytest.mark.parametrize("number_format", ['0.0,,"百万"', '#,##0,"千"', '0!.0000"万"'])
def test_an_amount_shown_in_a_bare_scale_is_of_yuan(tmp_path, number_format):
    # 593800 shown "0.6百万", "594千" or "59.3800万": read as words no money unit names, the amount
    # was "不是数字" and the execution rate 0.
    project = hostile.good_project(funds=Funds(62.5, 62.5, 593800, sub_rows=[]))
    path = write_form(tmp_path / "f.xlsx", project, number_formats={593800: number_format})
    execution = perfeval_xl.score_workbook(path).forms[0].items[0]
    assert execution.basis.startswith("59.38/62.5×10=9.50"), execution.basis


@pytest.mark.parametrize("number_format", ["#,##0,", "0!.0000"])
def test_an_amount_shown_divided_with_no_word_is_the_number_shown(tmp_path, number_format):
    # 593800 shown "594" or "59.3800" in the 万元 block: read undivided, the rate was capped at 100 %.
    project = hostile.good_project(funds=Funds(62.5, 62.5, 593800, sub_rows=[]))
    if number_format == "#,##0,":
        project.funds = Funds(62500, 62500, 59380, sub_rows=[])  # 62.5, 62.5, 59.38 shown
    path = write_form(tmp_path / "f.xlsx", project, number_formats={593800: number_format, 62500: number_format,
                                                                     59380: number_format})
    execution = perfeval_xl.score_workbook(path).forms[0].items[0]
    assert execution.score == Decimal("9.50"), execution.basis


def test_the_xml_declaration_quoted_singly_is_no_reason_to_rewrite_a_part():
    from perfeval_xl.readers.container import _tightly_quoted

    sheet = b"<?xml version='1.0' encoding='UTF-8'?>\n<worksheet xmlns=\"x\"><sheetData/></worksheet>"
    assert _tightly_quoted(sheet, head_only=True) is sheet


def test_a_conditional_percent_format_is_not_read_as_a_percentage(tmp_path):
    # [<1]0.0%;0.0"%": 85 shows 85.0% (the second section); read as a percentage, it was 8500 %.
    project = hostile.good_project()
    project.rows[4] = Row("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", 85, 10)
    path = write_form(tmp_path / "f.xlsx", project, number_formats={85: '[<1]0.0%;0.0"%"'})
    [item] = [item for item in perfeval_xl.score_workbook(path).forms[0].items if item.name == "服务对象满意度"]
    assert item.score == Decimal("9.44"), item.basis


@pytest.mark.parametrize("number_format", ['0!.0000"万元"', '#,##0,"千元"'])
def test_a_number_shown_divided_by_its_format_is_read_at_the_size_shown(tmp_path, number_format):
    # 800000 shown "80.0000万元" (the 万 trick) or "800千元": read with the words but undivided, it was
    # 800000万元 against ≤80万元, 0 points; it is 80万元, full marks.
    project = hostile.good_project()
    project.rows[1] = Row("产出指标", "成本指标", "设备维护成本", "≤80万元", 800000, 15, 15)
    path = write_form(tmp_path / "f.xlsx", project, number_formats={800000: number_format})
    [item] = [item for item in perfeval_xl.score_workbook(path).forms[0].items if item.name == "设备维护成本"]
    assert item.score == Decimal("15.00"), item.basis


def test_error_values_become_flags(tmp_path):
    path = hostile.write_good(tmp_path / "e.xlsx")
    workbook = load_workbook(path)
    cell = next(c for row in workbook.worksheets[0].iter_rows() for c in row if c.value == "5200人")
    cell.value = "#DIV/0!"  # openpyxl stores this as an error cell (t="e"), as Excel does
    workbook.save(path)
    form = perfeval_xl.score_workbook(path).forms[0]
    signed = next(i for i in form.items if i.name == "家庭医生签约人数")
    assert signed.score == 0 and any("#DIV/0!" in f.message for f in signed.flags)


def test_dates_hidden_rows_blank_rows_and_junk_below_the_form(tmp_path):
    path = write_form(tmp_path / "odd.xlsx", hostile.good_project(), gap_rows=2)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 3).value == "质量指标":
            sheet.row_dimensions[row].hidden = True
    weight_cell = next(c for row in sheet.iter_rows() for c in row if c.value == 15)
    import datetime
    weight_cell.value = datetime.datetime(2023, 3, 15)  # a date typed where a weight belongs
    workbook.save(path)
    junk = hostile.rezip(path, tmp_path / "junk.xlsx", hostile.junk_rows(200_000))
    form = perfeval_xl.score_workbook(junk).forms[0]
    assert any("日期" in f.message for i in form.items for f in i.flags)
    assert len(form.items) == 6  # the junk rows below 总分 were not read as indicators


# ---------------------------------------------------------------- safe output

def test_unit_text_never_becomes_a_formula_or_hyperlink_in_any_output(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    project = hostile.good_project(name=hostile.INJECTION, department="+1+2", unit="@SUM(A1)")
    project.rows[1].reason = "-3+cmd|' /C calc'!A0"
    write_form(inbox / "inject.xlsx", project)
    outbox = tmp_path / "out"
    assert run(inbox, outbox)["inject.xlsx"].status == "ok"
    written = [p for p in outbox.rglob("*.xlsx")]
    assert len(written) == 2
    for path in written:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml = archive.read(name)
                    assert b"<f>" not in xml and b"<f " not in xml, (path.name, name)
                    assert b"<hyperlink" not in xml
        texts = [c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert any(hostile.INJECTION in t for t in texts), path.name
    summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"))
    assert summary["files"][0]["forms"][0]["name"] == hostile.INJECTION


@pytest.mark.parametrize("spelled", [b"&#xFFFF;", b"&#xFFFE;", "\uffff".encode()])
def test_a_character_xml_cannot_hold_in_unit_text_leaves_every_output_well_formed(tmp_path, spelled):
    # The reader accepts U+FFFE / U+FFFF in a cell, raw or as a character reference; copied into
    # the scored form, summary.xlsx and the report draft, it made them ill-formed XML: files
    # Excel cannot open, from a batch that reported them scored.
    from lxml import etree
    from deptgen import BaseFigures, write_department_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    written_by_generator = [hostile.write_good(tmp_path / "p.xlsx", name="社区卫生@@服务补助项目"),
                            write_department_workbook(tmp_path / "d.xlsx", BaseFigures("某@@局"))]
    for source in written_by_generator:  # openpyxl refuses to write the character itself
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(inbox / source.name, "w") as out:
            for info in src.infolist():
                out.writestr(info, src.read(info).replace(b"@@", spelled))
    outbox = tmp_path / "out"
    assert [outcome.status for outcome in run(inbox, outbox).values()] == ["ok", "ok"]
    written = [p for p in outbox.rglob("*") if p.suffix in (".xlsx", ".docx")]
    assert len(written) == 4  # two scored forms, summary.xlsx, one report draft
    for path in written:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xml", ".rels")):
                    etree.fromstring(archive.read(name))  # raises on a character XML cannot hold


def test_a_total_beyond_a_floats_range_leaves_every_summary_readable(tmp_path):
    # Each weight fits a cell, their sum does not fit a float: as one it became inf, written
    # "total":inf (summary.json no longer JSON), <v>inf</v> (a cell Excel repairs away) and "inf".
    inbox = tmp_path / "in"
    inbox.mkdir()
    # Written over the generated form: formgen sums the weights for the 总分 row, which overflows.
    workbook = load_workbook(hostile.write_good(tmp_path / "good.xlsx"))
    sheet = workbook.active
    assert (sheet["G12"].value, sheet["H12"].value) == ("分值", "得分")
    for cell in ("G13", "H13", "G14", "H14"):  # 家庭医生签约人数, 健康档案规范化率: met, self-scored in full
        sheet[cell] = 1.7e308
    workbook.save(inbox / "huge.xlsx")
    outbox = tmp_path / "out"
    batch = perfeval_xl.score_folder(inbox, out=outbox, jobs=1, formats=("xlsx", "json", "csv"))
    assert batch.statuses == {"huge.xlsx": "ok"}
    summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"),
                         parse_constant=lambda word: pytest.fail(f"{word} in summary.json"))
    assert summary["files"][0]["forms"][0]["total"] is None
    assert "inf" not in (outbox / "summary.csv").read_text(encoding="utf-8-sig")
    for path in outbox.glob("*.xlsx"):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    assert not re.search(rb"<v>-?(inf|nan)</v>", archive.read(name)), (path.name, name)


# ---------------------------------------------------------------- files that move, outputs that fail

def test_a_file_that_vanishes_is_an_error_not_a_crash(tmp_path):
    entry = InboxEntry(tmp_path, "gone.xlsx")
    result = score_entry(entry, resolve_rules(), tmp_path / "out")
    assert result.status == "error" and "移走或删除" in result.error


@pytest.mark.parametrize("error, reason", [
    (PermissionError(errno.EACCES, "Permission denied"), "没有读写权限，或文件正被其他程序（如Excel）打开"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间已满"),
    (OSError(errno.ENOLINK, "Link has been severed"), "系统错误（Link has been severed）"),
], ids=["no-permission", "disk-full", "other"])
def test_a_file_that_cannot_be_read_or_written_says_why_in_chinese(tmp_path, monkeypatch, error, reason):
    path = hostile.write_good(tmp_path / "locked.xlsx")

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(task, "read_workbook", refuse)  # as Windows refuses a workbook open in Excel
    result = score_entry(InboxEntry(path.parent, "locked.xlsx"), resolve_rules(), tmp_path / "out")
    assert (result.status, result.error) == ("error", f"读写文件失败：{reason}")


def test_a_file_changed_while_scored_is_an_error(tmp_path, monkeypatch):
    path = hostile.write_good(tmp_path / "moving.xlsx")
    real = task.read_workbook

    def read_then_touch(*args, **kwargs):
        content = real(*args, **kwargs)
        path.write_bytes(path.read_bytes() + b"\x00")  # still being copied in
        return content

    monkeypatch.setattr(task, "read_workbook", read_then_touch)
    result = score_entry(InboxEntry(path.parent, "moving.xlsx"), resolve_rules(), tmp_path / "out")
    assert result.status == "error" and "被修改" in result.error


def test_outbox_inside_inbox_is_not_read_back(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    first = run(inbox, inbox / "结果")
    second = run(inbox, inbox / "结果")
    assert list(first) == list(second) == ["good.xlsx"]
    # Nor is an earlier run's, when this run writes elsewhere: its summary.xlsx failed as a form
    # that was not one (exit 1), and its scored forms counted as skipped inputs.
    elsewhere = run(inbox, tmp_path / "另一结果")
    assert list(elsewhere) == ["good.xlsx"]


@pytest.mark.skipif(sys.platform == "win32", reason="links and named pipes")
def test_the_listing_finds_what_a_walk_asking_isfile_of_each_name_finds(tmp_path):
    """The inbox's listing judges each name from its folder's listing (DirEntry), not by asking the
    system about each file: the same files, links and odd entries included."""
    from perfeval_xl.inbox import WORKBOOK_SUFFIXES, count_workbooks, list_inbox

    inbox, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    (inbox / "部门" / "下级").mkdir(parents=True)
    (inbox / "目录.xlsx").mkdir()                                # a folder with a workbook's name
    (inbox / "目录.xlsx" / "内.xlsx").write_bytes(b"x")
    (inbox / "out").mkdir()                                      # the outbox, inside the inbox
    (inbox / "out" / "a.scored.xlsx").write_bytes(b"x")
    (elsewhere / "folder").mkdir(parents=True)
    (elsewhere / "folder" / "linked.xlsx").write_bytes(b"x")
    (elsewhere / "target.xlsx").write_bytes(b"x")
    for name in ("a.xlsx", "B.XLS", "c.xlsm", "说明.docx", "部门/d.xlsx", "部门/下级/e.xls", "~$a.xlsx", ".h.xlsx"):
        (inbox / name).write_bytes(b"x")
    (inbox / "link.xlsx").symlink_to(elsewhere / "target.xlsx")  # a link to a file: a workbook
    (inbox / "broken.xlsx").symlink_to(elsewhere / "gone.xlsx")  # a broken link: listed, to fail saying so
    (inbox / "linked folder").symlink_to(elsewhere / "folder")   # a linked folder: not walked, listed to say so
    (inbox / "folder.xlsx").symlink_to(elsewhere / "folder")
    (inbox / "部门" / "上级").symlink_to(inbox)                   # a link that would go round: not walked, unsaid
    os.mkfifo(inbox / "pipe.xlsx")                               # not a regular file: none

    def walked() -> list[str]:
        found = []
        for directory, folders, names in os.walk(inbox):
            folders[:] = [f for f in folders if os.path.join(directory, f) != str(inbox / "out")]
            prefix = os.path.relpath(directory, inbox).replace(os.sep, "/") + "/"
            prefix = "" if prefix == "./" else prefix
            found += [prefix + name for name in names
                      if name.lower().endswith(WORKBOOK_SUFFIXES) and os.path.isfile(os.path.join(directory, name))]
        return sorted(found)

    listed = [entry.relative for entry in list_inbox(inbox, inbox / "out")]
    linked = ["folder.xlsx", "linked folder"]
    assert sorted(listed) == sorted(walked() + ["broken.xlsx"] + linked)
    assert listed == [".h.xlsx", "B.XLS", "a.xlsx", "broken.xlsx", "c.xlsm", "folder.xlsx", "link.xlsx", "linked folder",
                      "~$a.xlsx", "目录.xlsx/内.xlsx", "部门/d.xlsx", "部门/下级/e.xls"]
    assert count_workbooks(inbox, inbox / "out", up_to=100) == len(listed) - len(linked)
    assert count_workbooks(inbox, inbox / "out", up_to=3) == 3


def test_the_listing_sorts_as_paths_sort_and_skips_every_name_of_a_scored_form_already_taken(tmp_path):
    """Names sort part by part, as pathlib sorts paths ("a/x" before "a b/x", though " " sorts
    before "/"); of names that would write one scored form, the first in that order keeps it and
    each other is skipped, naming it."""
    from pathlib import PurePosixPath

    from perfeval_xl.inbox import list_inbox

    inbox = tmp_path / "in"
    names = ["a/x.xlsx", "a b/x.xlsx", "a-1.xlsx", "a.xlsx", "a/b/c.xls", "同名.xls", "同名.xls.xlsx",
             "大小写.xlsx", "大小写.XLSX", "大小写.Xlsx", "b.xlsx.xlsx", "b.xlsx"]
    for name in names:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"x")
    if len(list((inbox).glob("大小写.*"))) != 3:
        pytest.skip("a file system that does not tell names apart by case")
    listed = list_inbox(inbox)
    assert [entry.relative for entry in listed] == [str(path) for path in sorted(map(PurePosixPath, names))]
    skipped = {entry.relative: entry.skip_reason for entry in listed if entry.skip_reason}
    assert sorted(skipped) == ["同名.xls.xlsx", "大小写.Xlsx", "大小写.xlsx"]
    assert "“同名.xls”" in skipped["同名.xls.xlsx"] and "“大小写.XLSX”" in skipped["大小写.xlsx"]


def test_a_file_skipped_for_a_scored_forms_name_it_shares_is_told_to_be_renamed(tmp_path):
    # Its 处理建议 said "如需评分，请另存为Excel工作簿后放入收件箱", though it is one.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "c.xls.xlsx")
    xls = Path(__file__).parent.parent.parent / "shared" / "cases" / "06_集中办公及政务公开经费项目.xls"
    if not xls.exists():
        pytest.skip("../shared is not beside the repository")
    shutil.copy(xls, inbox / "c.xls")
    perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [skipped] = [f for f in summary["files"] if f["status"] == "skipped"]
    assert skipped["file"] == "c.xls.xlsx" and skipped["action"] == "请将其中一个文件改名后重新运行"


def test_outbox_that_is_the_inbox_is_refused_and_nothing_is_written(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(inbox), "--quiet"])
    assert result.exit_code == 2 and "就是收件箱" in result.output  # a usage error, as the README lists it
    assert sorted(p.name for p in inbox.iterdir()) == ["good.xlsx"]


def test_the_library_refuses_an_outbox_that_is_the_inbox_with_its_own_error(tmp_path):
    # One check, the library's: the CLI asks it before the batch and shows it as a usage error.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    with pytest.raises(perfeval_xl.OutboxIsInbox, match="就是收件箱") as refused:
        perfeval_xl.score_folder(inbox, out=tmp_path / "in" / ".." / "in")
    assert isinstance(refused.value, perfeval_xl.PerfevalError)
    assert sorted(p.name for p in inbox.iterdir()) == ["good.xlsx"]


def test_an_outbox_inside_the_inbox_is_not_the_inbox(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    batch = perfeval_xl.score_folder(inbox, out=inbox / "评分结果", jobs=1)
    assert batch.statuses == {"good.xlsx": "ok"}


def test_the_longest_name_a_scored_form_may_have_is_written(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    name = "长" * 81 + ".xlsx"  # its scored form's name is 255 bytes, the most a file name may have
    hostile.write_good(inbox / name)
    assert len(("长" * 81 + ".scored.xlsx").encode()) == 255
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses[name] == "ok", batch.files[0].error
    assert (tmp_path / "out" / ("长" * 81 + ".scored.xlsx")).is_file()


@pytest.mark.skipif(not (CASES / "expected.json").is_file(), reason="../shared/cases is not beside this checkout")
def test_one_form_sent_as_xls_and_as_xlsx_gets_two_scored_forms(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "同名.xlsx")
    shutil.copy(CASES / "06_集中办公及政务公开经费项目.xls", inbox / "同名.xls")
    hostile.write_good(inbox / "同名.xls.xlsx")  # would write 同名.xls.scored.xlsx as 同名.xls does
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    outputs = {f.file: f.output for f in batch.files}
    assert outputs["同名.xlsx"] == "同名.scored.xlsx" and outputs["同名.xls"] == "同名.xls.scored.xlsx"
    assert (tmp_path / "out" / "同名.scored.xlsx").is_file() and (tmp_path / "out" / "同名.xls.scored.xlsx").is_file()
    assert batch.statuses["同名.xls.xlsx"] == "skipped"
    assert "同名.xls" in batch.files[[f.file for f in batch.files].index("同名.xls.xlsx")].error


def test_disk_full_leaves_no_half_written_file_and_a_rerun_finishes(tmp_path, monkeypatch):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "a.xlsx")
    hostile.write_good(inbox / "b.xlsx", name="第二个项目")
    outbox = tmp_path / "out"
    import perfeval_xl.writers._atomic as atomic

    real_replace = atomic.os.replace

    def full_disk_once(source, target):
        # Workers are forked processes, so the failure is keyed on the file, not on a call count.
        if str(target).endswith("a.scored.xlsx"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", full_disk_once)
    results = run(inbox, outbox)
    # The output named, not the input's "读写文件失败", which sent the officer to the unit's file.
    assert results["a.xlsx"].status == "error" and results["a.xlsx"].error == \
        "评分结果“a.scored.xlsx”无法写入输出文件夹：磁盘空间已满（输入文件本身无问题）"
    assert results["b.xlsx"].status == "ok"
    assert not [p for p in outbox.rglob("*") if p.is_file() and ".perfeval" not in p.parts and p.name not in
                ("b.scored.xlsx", "summary.xlsx", "summary.json")]
    assert not [p for p in outbox.rglob("*.tmp*")]
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert all(r.status == "ok" for r in run(inbox, outbox).values())


def test_unwritable_outbox_is_a_plain_error_from_the_cli(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(blocker / "out"), "-q", "-j", "1"])
    assert result.exit_code == 1
    assert "无法写入输出文件夹" in result.output and "Traceback" not in result.output


def two_projects(tmp_path: Path, second: str) -> Path:
    """An inbox of two good project forms: a.xlsx, and b.xlsx whose project is named ``second``."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "a.xlsx")
    hostile.write_good(inbox / "b.xlsx", name=second)
    return inbox


@pytest.mark.parametrize("jobs, prepared_by", [(2, "prepare_summary"), (1, "summary_view")])
def test_a_file_whose_summary_cannot_be_prepared_fails_alone(tmp_path, monkeypatch, jobs, prepared_by):
    # Several workers prepare their files' summary records; a batch's only worker sends a view instead.
    inbox = two_projects(tmp_path, "汇总不了的项目")
    real, parent = getattr(task, prepared_by), os.getpid()

    def broken(result):  # in the worker only: the parent summarises the failed file after all
        if result.file == "b.xlsx" and os.getpid() != parent:
            raise ValueError("summary broke")
        return real(result)

    monkeypatch.setattr(task, prepared_by, broken)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=jobs)
    assert batch.statuses == {"a.xlsx": "ok", "b.xlsx": "error"}
    assert "内部错误" in batch.failed[0].error and "summary broke" in batch.failed[0].error
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [f["status"] for f in summary["files"]] == ["ok", "error"]


def test_a_file_whose_summary_the_batch_cannot_prepare_from_its_view_fails_alone(tmp_path, monkeypatch):
    # A batch's only worker sends a view of each result; the batch's process prepares the record.
    from perfeval_xl import batch as batch_module

    inbox = two_projects(tmp_path, "汇总不了的项目")
    real = batch_module.result_of_view

    def broken(view):
        result = real(view)
        if result.file == "b.xlsx":
            raise ValueError("view broke")
        return result

    monkeypatch.setattr(batch_module, "result_of_view", broken)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1)
    assert batch.statuses == {"a.xlsx": "ok", "b.xlsx": "error"}
    assert "内部错误" in batch.failed[0].error and "view broke" in batch.failed[0].error
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [f["status"] for f in summary["files"]] == ["ok", "error"]
    assert not (tmp_path / "out" / "b.scored.xlsx").exists()  # no scored form the summaries do not stand behind


@pytest.mark.skipif(sys.platform != "linux", reason="the patched task reaches the workers by fork")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_costs_only_its_file(tmp_path, monkeypatch, jobs):
    inbox = tmp_path / "in"
    inbox.mkdir()
    names = [f"{letter}.xlsx" for letter in "abcdefgh"]
    for name in names:
        hostile.write_good(inbox / name, name=f"项目{name[0]}")
    real, parent = task.score_with_digest, os.getpid()

    def deadly(entry, *args):  # as a parser that aborts the whole process would be
        if entry.relative == "e.xlsx" and os.getpid() != parent:
            os._exit(3)
        return real(entry, *args)

    monkeypatch.setattr(task, "score_with_digest", deadly)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=jobs)
    assert batch.statuses == {name: "error" if name == "e.xlsx" else "ok" for name in names}
    assert "程序异常退出" in batch.failed[0].error
    assert len(list((tmp_path / "out").glob("*.scored.xlsx"))) == 7
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert sorted(f["file"] for f in summary["files"]) == names


@pytest.mark.skipif(sys.platform != "linux", reason="the patched task reaches the workers by fork")
def test_a_worker_that_dies_while_chunks_wait_loses_no_file(tmp_path, monkeypatch):
    # 40 files at jobs=1 go in chunks of 8, four at a time: the fifth waits.  The worker dies on
    # the second chunk while the parent is still busy with the first chunk's outcomes, so the
    # pool is already broken when the parent hands out the fifth chunk.
    inbox = tmp_path / "in"
    inbox.mkdir()
    names = [f"f{number:02d}.xlsx" for number in range(40)]
    for name in names:
        hostile.write_good(inbox / name, name=f"项目{name[1:3]}")
    real, parent = task.score_with_digest, os.getpid()

    def deadly(entry, *args):
        if entry.relative == "f10.xlsx" and os.getpid() != parent:
            os._exit(3)
        return real(entry, *args)

    def slow_first(outcome):
        if outcome.file == "f00.xlsx":
            time.sleep(1)

    monkeypatch.setattr(task, "score_with_digest", deadly)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1, on_file=slow_first)
    assert batch.statuses == {name: "error" if name == "f10.xlsx" else "ok" for name in names}


def test_ctrl_c_is_the_batchs_to_handle_not_a_workers():
    # Ctrl-C reaches every process of the group; a worker that took it while handing back a
    # result died holding the result queue's lock, and the batch then waited forever.
    import signal

    from perfeval_xl.readers import ReadOptions
    from perfeval_xl.rules import resolve_rules
    from perfeval_xl.worker_pool import _pool

    with _pool(1, resolve_rules(None), None, ReadOptions()) as pool:
        assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN


@pytest.mark.skipif(sys.platform != "linux", reason="workers forked from the batch's process")
def test_workers_are_forked_before_the_inbox_is_listed(tmp_path, monkeypatch):
    # A forked worker's RSS counts what it inherits: forked after the listing, each worker of a
    # 10,000-file batch started 4.5 MB larger than one of a 100-file batch.
    import multiprocessing

    import perfeval_xl.batch as batch

    inbox = good_inbox(tmp_path / "in", 3)
    workers_at_listing = []
    real = batch.list_inbox

    def listing(*args):
        workers_at_listing.append(len(multiprocessing.active_children()))
        return real(*args)

    monkeypatch.setattr(batch, "list_inbox", listing)
    result = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=2)
    assert workers_at_listing == [2]
    assert set(result.statuses.values()) == {"ok"}


def test_the_batch_makes_an_inbox_entry_as_it_hands_a_file_out_and_keeps_none(tmp_path):
    # The batch's process holds its listing until its workers are done: an InboxEntry a file (and
    # the lists of them) was 0.8 MB of what it held more at 10,000 files than at 100.  It keeps the
    # names and makes each chunk's entries as the chunk goes to a worker.
    import gc

    from perfeval_xl.inbox import InboxEntry

    def entries_alive() -> int:
        return sum(isinstance(o, InboxEntry) for o in gc.get_objects())

    inbox = good_inbox(tmp_path / "in", 24)
    gc.collect()
    before = entries_alive()  # of earlier tests, if any
    alive = []
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1, on_file=lambda _: alive.append(entries_alive()))
    assert len(alive) == 24
    assert alive[-1] - before <= 6  # the last chunk's (24 files go 6 at a time), not the 24 listed


@pytest.mark.skipif(sys.platform != "linux", reason="workers forked from the batch's process")
def test_a_single_worker_has_its_templates_before_its_first_file(tmp_path, monkeypatch):
    # At jobs=1 the batch's process does not prepare them before forking: the worker does, while
    # the batch lists its inbox, not on its first file.
    import perfeval_xl.worker_pool as worker_pool
    from perfeval_xl.writers import _report_template, _style_template

    _style_template._COMPILED.clear()
    _report_template.report_template.cache_clear()
    prepared = tmp_path / "prepared"
    real = worker_pool.process_entry

    def noting(*args, **options):
        with open(prepared, "a", encoding="utf-8") as note:  # written in the worker
            note.write(f"{len(_style_template._COMPILED)} {_report_template.report_template.cache_info().currsize}\n")
        return real(*args, **options)

    monkeypatch.setattr(worker_pool, "process_entry", noting)
    result = perfeval_xl.score_folder(good_inbox(tmp_path / "in", 2), out=tmp_path / "out", jobs=1)
    assert set(result.statuses.values()) == {"ok"}
    assert prepared.read_text(encoding="utf-8").splitlines() == ["1 1", "1 1"]
    assert not _style_template._COMPILED  # not in the batch's process


@pytest.mark.skipif(sys.platform != "linux", reason="workers forked from the batch's process")
def test_no_more_workers_are_forked_than_there_is_work_for(tmp_path, monkeypatch):
    # Forking before the listing must not fork jobs workers for one file, nor any for a rerun
    # that finds nothing changed (watch reruns the batch on every event).
    import perfeval_xl.worker_pool as worker_pool

    forked = []
    real = worker_pool._pool

    def pool(workers, *args):
        forked.append(workers)
        return real(workers, *args)

    monkeypatch.setattr(worker_pool, "_pool", pool)
    inbox = good_inbox(tmp_path / "in", 1)
    assert set(perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=4).statuses.values()) == {"ok"}
    assert forked == [1]
    assert perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=4).reused == 1
    assert forked == [1]  # none for the rerun
    good_inbox(tmp_path / "more", 2)
    for name in ("f00.xlsx", "f01.xlsx"):
        (inbox / f"new-{name}").write_bytes((tmp_path / "more" / name).read_bytes())
    assert perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=4).reused == 1
    assert forked == [1, 2]  # a rerun: as many as files changed


def good_inbox(folder: Path, count: int) -> Path:
    """``folder`` holding ``count`` good project forms, f00.xlsx, f01.xlsx, …"""
    folder.mkdir()
    for number in range(count):
        hostile.write_good(folder / f"f{number:02d}.xlsx", name=f"项目{number}")
    return folder


def python_running(code: str, *args: object, **popen) -> subprocess.Popen:
    """A Python child running ``code`` with ``args`` and this test run's import path."""

    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, **popen)


@pytest.mark.skipif(sys.platform != "linux", reason="the patched task reaches the workers by fork")
def test_one_ctrl_c_stops_a_batch_whose_worker_is_stuck_on_a_file(tmp_path):
    inbox = good_inbox(tmp_path / "in", 8)
    stuck = (
        "import signal, sys, time, perfeval_xl\n"
        "from perfeval_xl import worker_pool\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "worker_pool.STOP_GRACE = 1.0\n"
        "real = worker_pool._process_chunk\n"
        "def slow(entries):  # a workbook its parser takes minutes over\n"
        "    if any(e.relative == 'f00.xlsx' for e in entries):\n"
        "        time.sleep(120)\n"
        "    return real(entries)\n"
        "worker_pool._process_chunk = slow\n"
        "print('started', flush=True)\n"
        "try:\n"
        "    perfeval_xl.score_folder(sys.argv[1], out=sys.argv[2], jobs=2)\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped', flush=True)\n")
    import signal
    import subprocess

    child = python_running(stuck, inbox, tmp_path / "out", stdout=subprocess.PIPE, start_new_session=True)
    assert child.stdout.readline().strip() == "started"
    time.sleep(2)
    started = time.monotonic()
    os.killpg(child.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to every process of the group
    try:
        output, _ = child.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
    assert "stopped" in output and time.monotonic() - started < 15


@pytest.mark.skipif(sys.platform != "linux", reason="the request to die with the parent is Linux's")
def test_workers_do_not_outlive_a_killed_batch(tmp_path):
    inbox = good_inbox(tmp_path / "in", 40)
    killed = (
        "import multiprocessing, os, signal, sys, perfeval_xl\n"
        "def on_file(outcome):\n"
        "    print(' '.join(str(p.pid) for p in multiprocessing.active_children()), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer or a scheduler's timeout would\n"
        "perfeval_xl.score_folder(sys.argv[1], out=sys.argv[2], jobs=2, on_file=on_file)\n")
    import subprocess

    output, _ = python_running(killed, inbox, tmp_path / "out", stdout=subprocess.PIPE).communicate(timeout=30)
    workers = [int(pid) for pid in output.split()]
    assert workers

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(alive, workers))


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes only on Linux-like systems")
def test_file_names_that_are_not_utf8_are_scored_and_summarised(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / os.fsdecode(b"good\xfe.xlsx"))
    (inbox / os.fsdecode(b"bad\xff.xlsx")).write_bytes(b"junk")
    outbox = tmp_path / "out"
    batch = perfeval_xl.score_folder(inbox, out=outbox, formats=("xlsx", "json", "csv"))
    assert sorted(batch.statuses.values()) == ["error", "ok"]
    assert "文件已损坏" in batch.failed[0].error
    assert len(list(outbox.glob("*.scored.xlsx"))) == 1
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 1  # the state round-trips the names


def test_a_crash_inside_one_file_is_reported_with_its_name(tmp_path, monkeypatch):
    inbox = two_projects(tmp_path, "会出错的项目")
    real = task.score_form

    def fragile(form, rules):
        if form.name == "会出错的项目":
            raise ZeroDivisionError("boom")
        return real(form, rules)

    monkeypatch.setattr(task, "score_form", fragile)
    quiet = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "o"), "-q", "-j", "1"])
    assert quiet.exit_code == 1
    assert "错误 b.xlsx：处理该文件时发生内部错误" in quiet.output and "Traceback" not in quiet.output
    debug = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "o"), "-q", "-j", "1", "--debug"])
    assert "Traceback" in debug.output and "ZeroDivisionError" in debug.output


# ---------------------------------------------------------------- the whole mix, and fuzzing

def test_mixed_folder_runs_to_the_end_with_inputs_untouched(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    good = hostile.write_good(inbox / "good.xlsx")
    hostile.encrypt(good, inbox / "locked.xlsx", "pw")
    (inbox / "empty.xlsx").write_bytes(b"")
    hostile.rezip(good, inbox / "far.xlsx", hostile.far_cell)
    hostile.zip_bomb(inbox / "bomb.xlsx", megabytes=400)
    hostile.sales_table(inbox / "sales.xlsx")
    (inbox / "~$good.xlsx").write_bytes(b"lock")
    expected = {}
    if (CASES / "expected.json").is_file():  # the shared samples must score exactly as before
        shutil.copytree(CASES, inbox / "cases", ignore=shutil.ignore_patterns("*.json"))
        expected = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))
    before = digest(inbox)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-q", "-j", "2"])
    assert result.exit_code == 1
    assert digest(inbox) == before
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    status = {f["file"]: f["status"] for f in summary["files"] if not f["file"].startswith("cases/")}
    assert status == {"bomb.xlsx": "error", "empty.xlsx": "error", "far.xlsx": "error", "good.xlsx": "ok",
                      "locked.xlsx": "error", "sales.xlsx": "error", "~$good.xlsx": "skipped"}
    assert result.output.count("错误 ") == 5
    files = {f["file"]: f for f in summary["files"]}
    for name, forms in expected.items():
        scored = files[f"cases/{name}"]
        assert scored["status"] == "ok"
        assert [round(f["total"], 2) for f in scored["forms"]] == [f["total"] for f in forms]


def test_fuzzed_workbooks_always_get_a_status_in_bounded_time(tmp_path):
    rng = random.Random(20261125)
    inbox = tmp_path / "in"
    inbox.mkdir()
    sources = [hostile.write_good(tmp_path / "g.xlsx"),
               write_form(tmp_path / "g.xls", hostile.good_project()),
               write_form(tmp_path / "s.xlsx", hostile.good_project(), "sichuan-2023")]
    for i in range(60):
        source = sources[i % len(sources)]
        if i % 2 and source.suffix == ".xlsx":
            hostile.mutate_xml(source, inbox / f"xml_{i:02d}.xlsx", rng)
        else:
            (inbox / f"bytes_{i:02d}{source.suffix}").write_bytes(hostile.mutate_bytes(source.read_bytes(), rng))
    started = time.monotonic()
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=2)
    assert time.monotonic() - started < 120
    assert len(batch.files) == 60
    assert {f.status for f in batch.files} <= {"ok", "error"}
    assert all(f.error for f in batch.files if f.status == "error")
    assert (tmp_path / "out" / "summary.json").is_file()


def _as_calamine_reads(data: bytes):
    """Every sheet of ``data`` as calamine reads it (values, merged ranges, kind, visibility), or its failure."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [(str(meta.typ), str(meta.visible), meta.name, sheet.to_python(skip_empty_area=False),
                 sheet.merged_cell_ranges)
                for meta in book.sheets_metadata for sheet in [book.get_sheet_by_name(meta.name)]]
    except BaseException as exc:  # noqa: BLE001 (calamine panics too)
        return type(exc).__name__, str(exc)


def test_calamine_reads_the_screens_stored_copy_as_the_workbook_sent(tmp_path):
    # The screen hands calamine the parts it inflated, stored: the workbook must read the same, member
    # for member, whatever else the archive holds and however it was damaged (when the screen passes it).
    from perfeval_xl.readers.container import ReadLimits, screen_xlsx

    rng = random.Random(20261126)
    good = hostile.write_good(tmp_path / "g.xlsx")
    sources = [good, write_form(tmp_path / "s.xlsx", hostile.good_project(), "sichuan-2023"),
               hostile.rezip(good, tmp_path / "media.xlsx",
                             extra={"xl/media/图片1.png": rng.randbytes(3000), "docProps/thumbnail.jpeg": b"\xff" * 900}),
               hostile.rezip(good, tmp_path / "stored.xlsx", compression=zipfile.ZIP_STORED)]
    cases = [source.read_bytes() for source in sources]
    for i in range(80):
        source = sources[i % len(sources)]
        if i % 2:
            cases.append(hostile.mutate_xml(source, tmp_path / f"xml_{i}.xlsx", rng).read_bytes())
        else:
            cases.append(hostile.mutate_bytes(source.read_bytes(), rng))
    copied = 0
    for data in cases:
        try:
            _, parsed = screen_xlsx(data, ReadLimits())
        except Exception:  # refused (a damaged member may even raise zipfile's NotImplementedError)
            continue
        copied += parsed is not data
        assert _as_calamine_reads(parsed) == _as_calamine_reads(data)
    assert copied >= 40



def test_the_screens_copy_stores_the_parts_calamine_opens_and_copies_the_others_as_sent(tmp_path):
    # Only what calamine opens is worth storing inflated; a part it never opens (the theme, docProps, a
    # drawing) keeps the compressed bytes it came with, and the copy reads as the workbook sent.
    from perfeval_xl.readers.container import _OPENED_BY_PARSER, ReadLimits, screen_xlsx

    source = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "d.xlsx",
                           extra={"xl/drawings/vmlDrawing1.vml": b"<xml>" + b"<v:shape/>" * 200 + b"</xml>"})
    data = source.read_bytes()
    _, parsed = screen_xlsx(data, ReadLimits())
    sent = zipfile.ZipFile(source)
    copy = zipfile.ZipFile(io.BytesIO(parsed))
    assert [i.filename for i in copy.infolist()] == [i.filename for i in sent.infolist()]
    kept = set()
    for info, original in zip(copy.infolist(), sent.infolist()):
        opened = info.filename in _OPENED_BY_PARSER or info.filename.startswith("xl/worksheets/")
        if not info.filename.startswith("xl/worksheets/"):  # a sheet's merged ranges are moved
            assert copy.read(info) == sent.read(original)
        assert info.compress_type == (zipfile.ZIP_STORED if opened else original.compress_type)
        if not opened:
            assert (info.compress_size, info.CRC) == (original.compress_size, original.CRC)
            kept.add(info.filename)
    assert {"xl/theme/theme1.xml", "docProps/core.xml", "xl/drawings/vmlDrawing1.vml"} <= kept
    assert _as_calamine_reads(parsed) == _as_calamine_reads(data)


def test_a_sheets_rows_padded_from_a1_by_the_reader_are_calamines_own(tmp_path):
    # load_grids converts a sheet from its first filled cell and pads the rows and columns before it
    # itself: the rows must be those calamine gives from A1, cell for cell and type for type.
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from perfeval_xl.readers.grid import _from_first_cell

    book = Workbook()
    book.remove(book.active)
    for first in ("A1", "A3", "C1", "D4"):
        sheet = book.create_sheet(first)
        sheet[first] = "项目名称"
        sheet.cell(sheet[first].row + 1, sheet[first].column + 2, 0.95)
        sheet.cell(sheet[first].row + 2, sheet[first].column + 1, True)
    book.create_sheet("empty")
    book.save(tmp_path / "w.xlsx")
    calamine = CalamineWorkbook.from_path(str(tmp_path / "w.xlsx"))
    for name in calamine.sheet_names:
        sheet = calamine.get_sheet_by_name(name)
        padded, whole = _from_first_cell(sheet), sheet.to_python(skip_empty_area=False)
        assert padded == whole
        assert [list(map(type, row)) for row in padded] == [list(map(type, row)) for row in whole]


_BLOCK = b'<mergeCells count="2"><mergeCell ref="A1:B1"/><mergeCell ref="A3:A4"/></mergeCells>'
_CELLS = b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="3"><c r="B3"><v>2</v></c></row></sheetData>'
_TAIL = b'<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'


_EXTRA_END = _CELLS.replace(b"</sheetData>", b"</x></sheetData>")


@pytest.mark.parametrize("between, cells, after, moved", [
    pytest.param(b"", _CELLS, _BLOCK, True, id="as Excel and openpyxl write it"),
    pytest.param(b'\n <sheetProtection sheet="1" objects="1"/><autoFilter ref="A1:B4"/>\n', _CELLS, _BLOCK, True,
                 id="empty elements between"),
    pytest.param(b"", _CELLS, b'<mergeCells>\n  <mergeCell ref="A1:B1" />\n</mergeCells>', True, id="spaced"),
    pytest.param(b"", _CELLS, b'<mergeCells count="1"><mergeCell ref="A0:B"/></mergeCells>', True, id="bad range"),
    pytest.param(b"", _EXTRA_END, _BLOCK, True, id="an end tag too many in the cells"),
    pytest.param(b"", _CELLS, b"", False, id="no merged range"),
    pytest.param(b"", _EXTRA_END, b"", False, id="no merged range, an end tag too many"),
    pytest.param(b'<autoFilter ref="A1:B4"><filterColumn colId="0"/></autoFilter>', _CELLS, _BLOCK, False,
                 id="an element with children between"),
    pytest.param(b"<x>", _CELLS, _BLOCK, False, id="an element left open between"),
    pytest.param(b"</x></y>", _CELLS, _BLOCK, False, id="end tags without a start between"),
    pytest.param(b"<!-- x", _CELLS, _BLOCK, False, id="a comment cut short between"),
    pytest.param(b"text", _CELLS, _BLOCK, False, id="text between"),
    pytest.param(b"<mergeCells/>", _CELLS, _BLOCK, False, id="an empty block first"),
    pytest.param(b"", _CELLS, _BLOCK + b'<mergeCells><mergeCell ref="C1:D1"/></mergeCells>', False, id="two blocks"),
    pytest.param(b"", _CELLS.replace(b'<row r="3">', _BLOCK + b'<row r="3">'), b"", False, id="a block among the rows"),
    pytest.param(b"", _CELLS.replace(b'<c r="B3">', b'<c r="B3"><mergeCell ref="A1:C9"/>'), _BLOCK, False,
                 id="a range in a cell"),
    pytest.param(b"", _CELLS, _BLOCK.replace(b"<mergeCell ", b"<x:mergeCell "), False, id="prefixed ranges"),
    pytest.param(b"", _CELLS, b"<x:mergeCells>" + _BLOCK[22:-13] + b"</x:mergeCells>", False, id="a prefixed block"),
    pytest.param(b"", _CELLS.replace(b"</sheetData>", b"</sheetData><sheetData></sheetData>"), _BLOCK, False,
                 id="cells twice"),
    pytest.param(b"", _CELLS.replace(b"<sheetData>", b"<sheetData/><sheetData>"), _BLOCK, False,
                 id="empty cells first"),
    pytest.param(b"", _CELLS, _BLOCK[:-5], False, id="a block cut short"),
    pytest.param(b"", _CELLS, _BLOCK.replace(b"/><", b"><", 1), False, id="a range left open"),
])
def test_calamine_reads_a_sheet_whose_merged_ranges_the_screen_moved_before_its_cells_alike(tmp_path, between, cells,
                                                                                              after, moved):
    # The screen's copy has a plainly shaped sheet's <mergeCells> before its <sheetData>, so that calamine's merge
    # pass stops before the cells: calamine must read the cells, merged ranges and failures as in the part sent.
    from perfeval_xl.readers.container import ReadLimits, screen_xlsx

    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B4"/>'
    source = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "s.xlsx",
                           patch_sheet=lambda _xml: head + cells + between + after + _TAIL)
    data = source.read_bytes()
    _, parsed = screen_xlsx(data, ReadLimits())
    sheet = zipfile.ZipFile(io.BytesIO(parsed)).read("xl/worksheets/sheet1.xml")
    assert (sheet != zipfile.ZipFile(source).read("xl/worksheets/sheet1.xml")) == moved
    assert _as_calamine_reads(parsed) == _as_calamine_reads(data)


def test_the_screens_reading_of_a_plain_zip_directory_is_zipfiles(tmp_path):
    # The screen reads a plain central directory itself and leaves every other to zipfile: what it
    # reads must be what zipfile reads, and an archive zipfile refuses must never look plain.
    from perfeval_xl.readers.container import _plain_directory

    rng = random.Random(20261127)
    good = hostile.write_good(tmp_path / "g.xlsx").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as odd:
        odd.writestr("xl/图片.xml", b"<a/>")  # a UTF-8 name
        odd.writestr(zipfile.ZipInfo("docProps/\x80.xml"), b"<b/>")  # a name zipfile reads as cp437
        odd.writestr("a.xml", b"<c/>")
        with pytest.warns(UserWarning, match="Duplicate name"):
            odd.writestr("a.xml", b"<d/>")  # a name twice
    odd = buffer.getvalue()
    commented, extra = io.BytesIO(), io.BytesIO()
    for target, change in ((commented, "comment"), (extra, "extra")):
        with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(target, "w") as copy:
            for info in source.infolist():
                if change == "extra":
                    info.extra = struct.pack("<HH", 0x5455, 5) + b"\x01abcd"
                copy.writestr(info, source.read(info))
            copy.comment = b"made by hand" if change == "comment" else b""
    nul_name = good.replace(b"xl/styles.xml", b"xl/style\0.xml")  # zipfile cuts the name at the NUL
    cases = [good, odd, commented.getvalue(), extra.getvalue(), b"junk" + good, good + b"\0" * 30, nul_name]
    cases += [hostile.mutate_bytes(rng.choice(cases[:4]), rng) for _ in range(400)]
    fields = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
              "header_offset")
    assert _plain_directory(good) is not None and _plain_directory(odd) is not None
    plain = 0
    for data in cases:
        members = _plain_directory(data)
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except Exception:
            assert members is None
            continue
        if members is not None:
            plain += 1
            assert [[getattr(m, f) for f in fields] for m in members] == [[getattr(i, f) for f in fields] for i in infos]
    assert plain >= 25


def test_a_member_is_inflated_to_its_declared_size_as_with_room_for_one_byte_more(tmp_path):
    # The screen inflates a member into exactly its declared size, and asks for one byte more only when
    # the stream has not ended there: it must take and refuse what inflating to the size plus one did,
    # whether the size is honest or lies, the stream is cut short, runs on, or is damaged after the size.
    from perfeval_xl.readers.container import _inflated, _Member

    rng = random.Random(20261128)
    contents = [b"", b"a", b"<a/>" * 3000, rng.randbytes(5000), bytes(rng.choice(b"<c r=A1>") for _ in range(70000))]
    seen = set()
    for content in contents:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        stream = packer.compress(content) + packer.flush(zlib.Z_SYNC_FLUSH) + packer.flush()
        for payload in {stream, stream[:len(stream) // 2], stream[:-1], stream + b"\x00junk", stream[:-2] + b"\xff\xff"}:
            name = f"m{len(seen)}.xml"
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr(name, b"")
            data = buffer.getvalue()
            header_end = 30 + len(name)  # the empty member's local header, then the payload in its place
            data = data[:header_end] + payload
            for size in {0, 1, len(content) - 1, len(content), len(content) + 1} - {-1}:
                expected = content[:size] if size <= len(content) else content
                member = _Member(name, 0, zipfile.ZIP_DEFLATED, zlib.crc32(expected), len(payload), size, 0)
                try:
                    plus_one = zlib.decompressobj(-15).decompress(payload, size + 1)
                    before = plus_one if len(plus_one) == size and zlib.crc32(plus_one) == member.CRC else None
                except zlib.error:
                    before = None
                assert _inflated(payload, member) == before
                seen.add(before is None)
    assert seen == {True, False}


def test_the_screens_attributes_of_a_relationship_or_sheet_entry_are_a_plain_findalls():
    # _ATTR starts no match inside a name and never gives back part of one: findall must find what it did.
    from perfeval_xl.readers.container import _ATTR

    rng = random.Random(20261130)
    plain = re.compile(rb'([\w:]+)="([^"]*)"')
    tags = [b'<Relationship Type="http://schemas.openxmlformats.org/x/worksheet" Target="/xl/a.xml" Id="rId1"/>',
            b'<sheet xmlns:r="http://x" name="a&amp;b" sheetId="1" r:id="rId1"/>', b'Id="a', b'a="b"c="d"', b':="x"']
    tags += [bytes(rng.choice(b'ab:_ ="<>/x.') for _ in range(rng.randrange(1, 80))) for _ in range(4000)]
    for tag in tags:
        assert _ATTR.findall(tag) == plain.findall(tag), tag


def test_member_names_in_ascii_are_read_and_written_as_zipfile_does_in_cp437(tmp_path):
    # The screen decodes and encodes an ASCII name as UTF-8, faster than through the cp437 codec: the same
    # text, and its stored copy names every member as the workbook sent does, cp437 names included.
    from perfeval_xl.readers.container import ReadLimits, _member_name, screen_xlsx

    ascii_name = bytes(range(1, 128))
    assert _member_name(ascii_name, 0) == ascii_name.decode("cp437") == ascii_name.decode("ascii")
    named = hostile.rezip(hostile.write_good(tmp_path / "g.xlsx"), tmp_path / "n.xlsx",
                          extra={"xl/media/a b~.png": b"png", "xl/_.xml": b"<a/>"})
    data = named.read_bytes().replace(b"xl/_.xml", b"xl/\x82.xml")  # a cp437 name: no UTF-8 flag
    copy = screen_xlsx(data, ReadLimits())[1]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "xl/\u00e9.xml" in names and copy is not data and zipfile.ZipFile(io.BytesIO(copy)).namelist() == names


@pytest.mark.parametrize("styles", [
    b'<styleSheet><cellXfs count="2"><xf numFmtId="9"/><xf numFmtId="0"><alignment wrapText="1"/></xf></cellXfs></styleSheet>',
    b'<cellXfs>\n<xf numFmtId="10"\n/></cellXfs><cellXfs><xf numFmtId="9"/></cellXfs>',
    b'<cellXfsX><xf numFmtId="9"/></cellXfsX><cellXfs><xf/></cellXfs>',
    b'<cellXfs count="1"/><xf numFmtId="9"/></cellXfs>',
    b'<cellXfs><xf numFmtId="9"/></cellXfs >',
    b'<cellXfs><xf numFmtId="9"/>',
    b"<cellXfs></cellXfs>",
    b"<styleSheet/>",
])
def test_the_screen_finds_the_cell_formats_of_a_styles_part_where_a_plain_lazy_match_does(styles):
    from perfeval_xl.readers.container import _CELL_FORMATS

    found, plain = _CELL_FORMATS.search(styles), re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert (found and found.group(1)) == (plain and plain.group(1))


def test_a_file_outcome_made_by_its_own_init_is_the_frozen_dataclass_it_declares():
    # FileOutcome's __init__ fills its dict at once: its parameters must be the fields, with the same
    # defaults, and an outcome must stay frozen, comparable and picklable as the dataclass was.
    import dataclasses
    import inspect
    import pickle
    from perfeval_xl.task import FileOutcome

    parameters = list(inspect.signature(FileOutcome).parameters.values())
    assert [(p.name, p.default) for p in parameters] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(FileOutcome)]
    made = FileOutcome("a/表.xlsx", "ok", digest="d" * 64, output="a/表_评分.xlsx", rulebooks=("sichuan-2023",),
                       summary=b"{}")
    assert list(vars(made)) == [f.name for f in dataclasses.fields(FileOutcome)]
    assert made == FileOutcome(*(getattr(made, f.name) for f in dataclasses.fields(FileOutcome)))
    assert pickle.loads(pickle.dumps(made)) == made and dataclasses.replace(made, status="error").status == "error"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status = "error"


def test_sending_an_inbox_entry_to_a_worker_leaves_its_name_as_it_was():
    # Pickling a str caches its UTF-8 form on it; the batch keeps every listed name all batch long.
    import pickle
    from perfeval_xl.inbox import InboxEntry

    entry = InboxEntry(Path("/收件箱"), "教育局/" + "中小学校舍维修改造项目" + ".xlsx")
    size = sys.getsizeof(entry.relative)
    assert pickle.loads(pickle.dumps(entry)) == entry
    assert sys.getsizeof(entry.relative) == size


@pytest.mark.parametrize("make, says", [
    (lambda tmp: tmp / "没有这个文件.xlsx", "找不到文件“{path}”"),
    (lambda tmp: tmp, "“{path}”是文件夹，不是工作簿文件"),
], ids=["missing-file", "a-folder"])
def test_score_workbook_on_a_missing_file_or_a_folder_raises_a_chinese_workbook_error(tmp_path, make, says):
    # The README promises WorkbookError; the OS's FileNotFoundError / IsADirectoryError are English.
    path = make(tmp_path)
    with pytest.raises(perfeval_xl.WorkbookError) as error:
        perfeval_xl.score_workbook(path)
    assert str(error.value).startswith(says.format(path=path))


def _rezipped(good: Path, method: int, rename=lambda name: name) -> bytes:
    """The workbook ``good`` zipped again with every member compressed by ``method`` (and renamed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(rename(info.filename)), source.read(info), compress_type=method)
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_members_only_zipfile_can_open_are_screened_through_zipfile_one_after_another(tmp_path, method):
    # The struct reading of a plain directory hands every member it cannot inflate itself to
    # zipfile: the second one too, not only the first.
    from perfeval_xl.readers.container import ReadLimits, screen_xlsx

    data = _rezipped(hostile.write_good(tmp_path / "g.xlsx"), method)
    assert list(screen_xlsx(data, ReadLimits(), copy=False)[0]) == ["自评表"]


def test_member_names_with_backslashes_are_screened_as_zipfile_names_them_on_windows(tmp_path, monkeypatch):
    # zipfile makes os.sep "/" in a member's name; where os.sep is "\\" (Windows), the struct
    # reading of the directory must leave such names to zipfile.
    from perfeval_xl.readers.container import ReadLimits, screen_xlsx

    data = _rezipped(hostile.write_good(tmp_path / "g.xlsx"), zipfile.ZIP_DEFLATED,
                     lambda name: name.replace("/", "\\") if name.startswith("xl/") else name)
    monkeypatch.setattr(os, "sep", "\\")
    facts = screen_xlsx(data, ReadLimits(), copy=False)[0]
    monkeypatch.undo()
    assert list(facts) == ["自评表"]


def test_an_infinite_number_in_a_percent_target_cell_is_read_as_any_cells_not_a_lost_workbook(tmp_path):
    # "1e999" in a sheet's XML reaches the reader as float("inf"); in a cell formatted as a percentage
    # it was scaled by 100 as a Decimal it has not, and the workbook failed as an internal TypeError.
    good = hostile.write_good(tmp_path / "good.xlsx")
    book = load_workbook(good)
    sheet = book.worksheets[0]
    header = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "年度指标值")
    target = sheet.cell(header.row + 1, header.column)
    target.value, target.number_format = 0.123456, "0%"
    book.save(tmp_path / "percent.xlsx")
    infinite = hostile.rezip(tmp_path / "percent.xlsx", tmp_path / "inf.xlsx",
                             patch_sheet=lambda xml: xml.replace(b"<v>0.123456</v>", b"<v>1e999</v>"))
    assert b"<v>1e999</v>" in zipfile.ZipFile(infinite).read("xl/worksheets/sheet1.xml")

    result = perfeval_xl.score_workbook(infinite)
    [item] = [item for item in result.forms[0].items if item.target == "inf"]
    assert item.score == 0
    assert any(flag.source and flag.source.cell == target.coordinate for flag in item.flags)


@pytest.mark.parametrize("call, error, says", [
    (lambda: perfeval_xl.ReadLimits(max_sheet_cells="x"), TypeError, "ReadLimits.max_sheet_cells 应为正整数"),
    (lambda: perfeval_xl.ReadLimits(max_sheet_cells=-5), ValueError, "ReadLimits.max_sheet_cells 应为正整数"),
    (lambda: perfeval_xl.score_folder(EXAMPLES, jobs="2"), TypeError, "jobs 应为不小于1的整数"),
    (lambda: perfeval_xl.score_folder(EXAMPLES, jobs=-1), ValueError, "jobs 应为不小于1的整数"),
    (lambda: perfeval_xl.score_folder(EXAMPLES, out=EXAMPLES / "不会写", formats=()), perfeval_xl.PerfevalError,
     "formats 至少要有一种汇总格式"),
    (lambda: perfeval_xl.score_workbook(EXAMPLES / "城管局" / "城区道路养护项目.xlsx", passwords=5), TypeError,
     "passwords 应为一个密码"),
], ids=["limits-type", "limits-value", "jobs-type", "jobs-value", "no-format", "passwords-type"])
def test_wrong_arguments_are_refused_at_once_in_chinese(call, error, says):
    # Each failed late: every file "内部错误（TypeError…）", or a raw TypeError, or formats=() deleted
    # the summaries an earlier run wrote and wrote none.
    with pytest.raises(error, match=f"^{says}"):
        call()
    assert not (EXAMPLES / "不会写").exists()


def test_a_project_sent_twice_is_named_in_every_summary_and_on_the_terminal(tmp_path):
    # A 修改版 beside the first and a sheet copied: each scored and counted in 汇总 and 部门 as sent
    # (the officer decides which stands), where nothing said that one project was there twice.
    import openpyxl

    inbox = tmp_path / "in"
    (inbox / "卫健局").mkdir(parents=True)
    hostile.write_good(inbox / "卫健局" / "社区卫生.xlsx")
    hostile.write_good(inbox / "卫健局" / "社区卫生（修改版）.xlsx", name="社区卫生服务 补助项目")  # a blank typed
    hostile.write_good(inbox / "卫健局" / "其他项目.xlsx", name="其他项目")
    hostile.write_good(inbox / "卫健局" / "他处同名.xlsx", unit="某区西湖社区卫生服务中心")  # another unit's
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert ("重复 项目“社区卫生服务补助项目”（某区东湖社区卫生服务中心）有2张评价表：卫健局/社区卫生.xlsx、"
            "卫健局/社区卫生（修改版）.xlsx；均已评分并计入汇总，请确认以哪一份为准（见summary.xlsx“重复报送”）") in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["duplicates"] == [{"kind": "项目", "name": "社区卫生服务补助项目", "unit": "某区东湖社区卫生服务中心",
                                      "files": ["卫健局/社区卫生.xlsx", "卫健局/社区卫生（修改版）.xlsx"]}]
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["重复报送"]
    assert [cell.value for cell in sheet[4]] == ["项目", "社区卫生服务补助项目", "某区东湖社区卫生服务中心", 2,
                                                 "卫健局/社区卫生.xlsx\n卫健局/社区卫生（修改版）.xlsx"]
    # The library says the same, with an outbox or without.
    [group] = perfeval_xl.score_folder(inbox).duplicates
    assert group.files == ("卫健局/社区卫生.xlsx", "卫健局/社区卫生（修改版）.xlsx")
    # And a batch without one has no such sheet.
    (inbox / "卫健局" / "社区卫生（修改版）.xlsx").unlink()
    assert perfeval_xl.score_folder(inbox, out=tmp_path / "out").duplicates == []
    assert "重复报送" not in openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx").sheetnames
    # Many copies: a few named on the terminal, every one in the sheet.
    for n in range(5):
        hostile.write_good(inbox / "卫健局" / f"副本{n}.xlsx")
    many = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out")])
    assert ("有6张评价表：卫健局/副本0.xlsx、卫健局/副本1.xlsx、卫健局/副本2.xlsx、卫健局/副本3.xlsx、卫健局/副本4.xlsx等6个文件；"
            in many.output)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["重复报送"]
    assert sheet[4][4].value.count("\n") == 5


def test_a_sheet_copied_in_one_workbook_is_named_once_with_its_count(tmp_path):
    # The terminal said "两局.xlsx、两局.xlsx", which read as a mistake of the message.
    import openpyxl

    inbox = tmp_path / "in"
    inbox.mkdir()
    book = openpyxl.load_workbook(hostile.write_good(inbox / "两局.xlsx"))
    book.copy_worksheet(book.active)
    book.save(inbox / "两局.xlsx")
    hostile.write_good(inbox / "另一份.xlsx")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out")])
    assert "有3张评价表：两局.xlsx（2张表）、另一份.xlsx；" in result.output
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["重复报送"]
    assert [cell.value for cell in sheet[4]][3:] == [3, "两局.xlsx（2张表）\n另一份.xlsx"]
    # summary.json keeps a file per form, for a program to count.
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["duplicates"][0]["files"] == ["两局.xlsx", "两局.xlsx", "另一份.xlsx"]


def test_a_bar_in_a_projects_name_neither_garbles_nor_merges_what_was_sent_twice(tmp_path):
    # The key was the parts joined with "|": ("运维|平台项目", "信息中心") and ("运维", "平台项目|信息中心")
    # were one project sent twice, and "信息化|运维项目" of "某|中心" was shown as 项目“信息化”（中心）.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "a.xlsx", name="运维|平台项目", unit="信息中心")
    hostile.write_good(inbox / "b.xlsx", name="运维", unit="平台项目|信息中心")
    hostile.write_good(inbox / "c.xlsx", name="信息化|运维项目", unit="某|中心")
    hostile.write_good(inbox / "d.xlsx", name="信息化|运维项目", unit="某|中心")
    [group] = perfeval_xl.score_folder(inbox).duplicates
    assert (group.name, group.unit, group.files) == ("信息化|运维项目", "某|中心", ("c.xlsx", "d.xlsx"))


def test_the_library_refuses_an_archive_as_a_batch_skips_it_in_plain_words(tmp_path):
    # score_workbook (and explain) said "文件已损坏…（"There is no item named 'xl/workbook.xml'…"）".
    good = hostile.write_good(tmp_path / "项目.xlsx")
    with zipfile.ZipFile(tmp_path / "两个项目.zip", "w") as archive:
        archive.write(good, "项目.xlsx")
    with pytest.raises(perfeval_xl.WorkbookError, match="^“两个项目.zip”：压缩包（.zip），不能评分；请解压后"):
        perfeval_xl.score_workbook(tmp_path / "两个项目.zip")


def test_a_broken_link_named_as_a_workbook_is_listed_and_says_what_it_is(tmp_path):
    # Not listed at all: a unit's form, linked from elsewhere and gone, vanished from the batch unsaid.
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile.write_good(inbox / "good.xlsx")
    (inbox / "gone.xlsx").symlink_to(tmp_path / "elsewhere" / "gone.xlsx")
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses == {"good.xlsx": "ok", "gone.xlsx": "error"}
    assert batch.failed[0].error == (f"这是一个快捷方式（符号链接），它指向的“{tmp_path / 'elsewhere' / 'gone.xlsx'}”不存在；"
                                     "请放入文件本身后重新运行")


@pytest.mark.skipif(sys.platform == "win32", reason="links")
def test_a_linked_folder_from_outside_the_inbox_is_listed_as_skipped_saying_what_to_do(tmp_path):
    # It is not entered (a link could make the walk go round), and the batch said nothing of it:
    # the officer took its forms for scored.
    inbox, elsewhere = tmp_path / "in", tmp_path / "收件箱外" / "城管局"
    inbox.mkdir()
    elsewhere.mkdir(parents=True)
    hostile.write_good(inbox / "good.xlsx")
    hostile.write_good(elsewhere / "城管局项目.xlsx")
    (inbox / "城管局").symlink_to(elsewhere)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-j", "1"])
    why = (f"链接的文件夹（快捷方式，指向收件箱之外的“{elsewhere}”）未进入，其中如有工作簿均未评分，已跳过；"
           "如需评分，请把该文件夹本身（而不是快捷方式）放入收件箱后重新运行")
    assert f"跳过 城管局：{why}" in result.output.splitlines()
    assert result.exit_code == 0 and "已评分 1 个文件，失败 0 个，跳过 1 个" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [(f["file"], f["status"], f["error"], f["action"]) for f in summary["files"]] == [
        ("good.xlsx", "ok", None, None),
        ("城管局", "skipped", why, "请把文件夹本身（而不是快捷方式）放入收件箱后重新运行")]
    issues = list(load_workbook(tmp_path / "out" / "summary.xlsx")["问题清单"].iter_rows(min_row=4, values_only=True))
    assert ("城管局", None, None, None, None, "提示", f"未评分：{why}",
            "请把文件夹本身（而不是快捷方式）放入收件箱后重新运行") in issues
    again = perfeval_xl.score_folder(inbox, out=tmp_path / "out")  # a rerun says it again
    assert again.statuses == {"good.xlsx": "ok", "城管局": "skipped"} and again.files[1].error == why


@pytest.mark.skipif(sys.platform == "win32", reason="links")
def test_a_link_to_a_folder_the_batch_walks_anyway_is_no_skipped_file(tmp_path):
    # Its workbooks are scored under their own path once; one to the inbox or above it would go
    # round; one to this run's or an earlier run's outbox is ours, and a hidden one is as hidden
    # files are.  Nothing is left out and there is nothing to do: listing it would put a 提示 in
    # 问题清单 and a 跳过 in the count for no action.
    inbox = tmp_path / "in"
    (inbox / "城管局").mkdir(parents=True)
    hostile.write_good(inbox / "城管局" / "城管局项目.xlsx")
    (inbox / "城管局的快捷方式").symlink_to(inbox / "城管局")
    (inbox / "城管局" / "收件箱").symlink_to(inbox)
    (inbox / "上级").symlink_to(tmp_path)
    (tmp_path / "out").mkdir()
    (inbox / "结果").symlink_to(tmp_path / "out")
    (tmp_path / "旧结果" / ".perfeval").mkdir(parents=True)
    (tmp_path / "旧结果" / ".perfeval" / "state.sqlite").write_bytes(b"")
    (inbox / "上次的结果").symlink_to(tmp_path / "旧结果")
    (tmp_path / "elsewhere").mkdir()
    (inbox / ".隐藏").symlink_to(tmp_path / "elsewhere")
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert batch.statuses == {"城管局/城管局项目.xlsx": "ok"}


@pytest.mark.skipif(sys.platform == "win32", reason="names are not bytes there")
def test_a_gbk_file_name_is_shown_readable_in_the_summaries_and_on_the_terminal(tmp_path):
    # A zip of a Chinese Windows' names unpacked on Linux: their bytes are GBK, not UTF-8, and came
    # out as "λ/·Ŀ.xlsx" in 汇总 and "��.xlsx" on the terminal.  summary.json keeps the name as the
    # file system has it, so that a tool can find the file.
    import openpyxl

    inbox = os.fsencode(tmp_path / "in")
    os.makedirs(inbox + "/单位".encode("gbk"))
    hostile.write_good(Path(os.fsdecode(inbox + "/单位/".encode("gbk") + "城区道路养护项目.xlsx".encode("gbk"))))
    Path(os.fsdecode(inbox + "/坏.xlsx".encode("gbk"))).write_bytes(b"not a workbook")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", os.fsdecode(inbox), "--out", str(out), "--format", "xlsx,json,csv"])
    assert "错误 坏.xlsx：" in result.output
    sheet = openpyxl.load_workbook(out / "summary.xlsx")["汇总"]
    assert [row[1] for row in sheet.iter_rows(min_row=4, max_row=5, values_only=True)] == [
        "单位/城区道路养护项目.xlsx", "坏.xlsx"]
    assert "单位/城区道路养护项目.xlsx" in (out / "summary.csv").read_text(encoding="utf-8-sig")
    summary = json.loads((out / "summary.json").read_bytes())
    assert summary["files"][0]["file"] == os.fsdecode("单位/城区道路养护项目.xlsx".encode("gbk"))


def gbk_name(name: str) -> str:
    """``name`` as Python has it when the file system holds its GBK bytes (a zip from Chinese Windows)."""
    return os.fsdecode(name.encode("gbk"))


@pytest.mark.skipif(sys.platform == "win32", reason="names are not bytes there")
def test_a_gbk_file_name_quoted_in_a_message_is_shown_readable_beside_the_quotes(tmp_path):
    # The name's bytes were read together with the bytes of the quote and the "、" beside them:
    # 基础数据表取自文件“ͳ�ƾ�_基础数据表.xlsx”, and on the terminal 有2张评价表：������·…Ŀ.xlsx、…
    import openpyxl

    inbox = os.fsencode(tmp_path / "in")
    os.makedirs(inbox)
    for name in ("统计局_基础数据表.xlsx", "统计局_指标评分表.xlsx"):
        shutil.copy(EXAMPLES / "统计局" / name, inbox + b"/" + name.encode("gbk"))
    for name in ("道路项目.xlsx", "道路项目副本.xlsx"):
        hostile.write_good(Path(os.fsdecode(inbox + b"/" + name.encode("gbk"))))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", os.fsdecode(inbox), "--out", str(out), "--format", "xlsx,json,csv"])
    assert "有2张评价表：道路项目.xlsx、道路项目副本.xlsx；" in result.output
    problems = [row[6] for row in openpyxl.load_workbook(out / "summary.xlsx")["问题清单"].iter_rows(values_only=True)]
    assert "基础数据表取自文件“统计局_基础数据表.xlsx”（按填报单位配对）" in problems
    assert "基础数据表已与文件“统计局_指标评分表.xlsx”中" in (out / "summary.csv").read_text(encoding="utf-8-sig")
    kept = json.loads((out / "summary.json").read_bytes())  # the name as the file system has it
    assert f"基础数据表取自文件“{gbk_name('统计局_基础数据表.xlsx')}”（按填报单位配对）" in json.dumps(kept, ensure_ascii=False)


@pytest.mark.parametrize("text, shown", [
    (f"文件“{gbk_name('项目.xlsx')}”", "文件“项目.xlsx”"),  # 目 is C4 BF, UTF-8 "Ŀ" by chance: it joins the name
    (f"“{gbk_name('单位/项目')}”中", "“单位/项目”中"),  # a folder: Chinese on both sides of the name
    (f"：{gbk_name('甲项目.xlsx')}、{gbk_name('乙项目.xlsx')}；", "：甲项目.xlsx、乙项目.xlsx；"),
    # 规划 is E6 BB AE … in GBK, and E6 BB AE is UTF-8 too ("滮"): kept, it took the “ and the ： with the name
    (f"基础数据表取自文件“{gbk_name('自然资源和规划局_基础数据表.xlsx')}”（按填报单位配对）",
     "基础数据表取自文件“自然资源和规划局_基础数据表.xlsx”（按填报单位配对）"),
    (f"来源：{gbk_name('自然资源和规划局_指标评分表.xlsx')}（工作表：评分表）",
     "来源：自然资源和规划局_指标评分表.xlsx（工作表：评分表）"),
    (f"文件“{gbk_name('统计局高标准农田建设.xlsx')}”", "文件“统计局高标准农田建设.xlsx”"),
], ids=["beside-quotes", "a-folder", "two-names", "utf8-by-chance-beside-quotes", "utf8-by-chance-after-a-colon",
        "utf8-by-chance-in-a-project"])
def test_a_message_naming_a_gbk_file_reads_the_name_alone(text, shown):
    from perfeval_xl.writers._display import readable_name

    assert readable_name(text) == shown


@pytest.mark.parametrize("text", ["文件“项目.xlsx”", "“Ŀλ×”：µm", ""], ids=["utf8-name", "latin-greek", "empty"])
def test_a_text_without_a_gbk_name_is_shown_as_it_is(text):
    from perfeval_xl.writers._display import readable_name

    assert readable_name(text) == text
