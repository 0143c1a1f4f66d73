"""SummarySpool: the batch summaries built from results arriving one at a time, in bounded memory.

A hand-built batch (the writers compute no scores) is fed through the spool in
several orders; what it writes must equal what the list-based writers write,
and it must not keep the results it was given.
"""
from __future__ import annotations

import csv
import dataclasses
import errno
import functools
import gc
import json
import os
import pickle
import random
import re
import tempfile
import tracemalloc
import weakref
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfeval_xl.model import (
    DepartmentForm, FileResult, Flag, FormResult, FundLine, Funds, ItemScore, ProjectForm, Source,
)
from perfeval_xl.writers import SummarySpool, summary_dict, write_summary_csv, write_summary_json, write_summary_xlsx
from perfeval_xl.writers.summary_spool import SummaryRecord, csv_text, prepare_summary

D = Decimal
SHEET = "自评表"
RULEBOOK = "hunan-dept, mof-2020-project"
HEADER_ROW = 3  # a title and a subtitle sit above every table
OVERVIEW = ["排名", "文件", "工作表", "类型", "主管部门", "实施单位/填报单位", "项目名称",
            "自评总分", "复核总分", "差异", "等级", "问题数", "状态", "原因"]


# -- a small factory ---------------------------------------------------------------------


def items(count: int, flags_every: int = 3, sheet: str = SHEET) -> list[ItemScore]:
    """``count`` indicators; every ``flags_every``-th one carries an error and a warning."""
    out = []
    for i in range(count):
        flags = [] if i % flags_every else [
            Flag(f"实际完成值缺失（第{i}项）", Source(sheet, f"F{13 + i}"), "error", action="请单位补填实际完成值"),
            Flag("得分未满，缺少偏差原因", Source(sheet, f"I{13 + i}")),
        ]
        out.append(ItemScore("产出指标", "数量指标", f"指标{i}", D("5"), D("4.5"), D("5"),
                             f"{i}/{i + 1}×5=4.50", flags, Source(sheet, f"D{13 + i}"),
                             target=f"≥{100 + i}个", actual=f"{90 + i}个", reason="天气原因"))
    return out


def project_file(file: str, total: str, *, name: str = "", department: str = "城管局", self_total: str | None = "90",
                 grade: str = "良", item_count: int = 4, flags_every: int = 3, forms: int = 1,
                 form_flags: list[Flag] | None = None, unit: str = "实施单位") -> FileResult:
    results = []
    for k in range(forms):
        sheet = SHEET if forms == 1 else f"{SHEET}{k + 1}"
        money = Funds([FundLine("年度资金总额", "total", D("100"), D("120"), D("110"), Source(sheet, "B6"))],
                      D("10"), None, True, Source(sheet, "B6"))
        form = ProjectForm(file=file, sheet=sheet, layout="national-2020", year=2019,
                           name=name or f"{Path(file).stem}项目{k + 1}", department=department, unit=unit,
                           funds=money, self_total=D(self_total) if self_total else None)
        results.append(FormResult(form, "mof-2020-project", items(item_count, flags_every, sheet), D(total), grade,
                                  list(form_flags or [])))
    return FileResult(file, "ok", forms=results, output=file.replace(".xlsx", ".scored.xlsx"))


def department_file(file: str, total: str, unit: str = "开福区行政审批服务局") -> FileResult:
    form = DepartmentForm(file=file, sheet="指标评分表", unit=unit, year=2019, self_total=D("96"))
    result = FormResult(form, "hunan-dept", items(3, sheet="指标评分表"), D(total), "优",
                        [Flag("基础数据表取自文件“b.xlsx”（按填报单位配对）")])
    return FileResult(file, "ok", forms=[result], output=file.replace(".xlsx", ".scored.xlsx"),
                      reports=[file.replace(".xlsx", ".报告初稿.docx")])


def batch() -> list[FileResult]:
    """Inbox order: ties in total (shared rank), two kinds ranked apart, a file with two forms, failures."""
    return [
        project_file("城管局/01_道路.xlsx", "91.27", self_total="96", grade="优",
                     form_flags=[Flag("指标分值合计为95，应为100", Source(SHEET, "G21"))]),
        project_file("城管局/02_路灯.xlsx", "75.00", department="", self_total=None, grade="中"),
        FileResult("坏文件.xlsx", "error", error="文件已损坏或不是Excel工作簿（BadZipFile: x）"),
        department_file("开福区/部门整体.xlsx", "95.61"),
        project_file("文旅局/03_图书馆.xlsx", "75", department="文旅局", forms=2),  # ties 02_路灯 (75.00)
        FileResult("~$锁定.xlsx", "skipped", error="Excel/WPS临时锁定文件，已跳过"),
        department_file("开福区/部门整体2.xlsx", "88", unit="开福区城管局"),
        project_file("水利局/04_堤防.xlsx", "58.5", department="水利局", grade="差", item_count=12),
    ]


def order_of(files: list[FileResult]) -> list[str]:
    return [file.file for file in files]


def spool_write(folder: Path, files: list[FileResult], order: list[str],
                formats=("xlsx", "json", "csv")) -> list[Path]:
    spool = SummarySpool(folder / ".perfeval" / "summary")
    for file in files:
        spool.add(file)
    written = spool.write(folder, RULEBOOK, order, formats)
    spool.close()
    return written


# -- summary.json --------------------------------------------------------------------------


def one_entry_per_line(summary: dict) -> str:
    """The layout of summary.json: compact JSON with each file entry on a line of its own, the first
    line padded with spaces to 256 bytes and each rank left-aligned in as many characters as the
    number of files has (at least 4: the room of ``null``)."""
    def compact(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    width = max(4, len(str(len(summary["files"]))))
    padded = functools.partial(re.sub, r'"rank":(\d+)', lambda rank: '"rank":' + rank[1].ljust(width))
    entries = "".join("\n" + padded(compact(entry)) + ("," if index < len(summary["files"]) - 1 else "")
                      for index, entry in enumerate(summary["files"]))
    first_line = f'{{"rulebook":{compact(summary["rulebook"])},"files":['
    duplicates = compact(summary.get("duplicates", []))
    return first_line + " " * (256 - len(first_line.encode())) + f'{entries}\n],"duplicates":{duplicates}}}\n'


def test_the_spool_writes_byte_for_byte_the_summary_json_of_summary_dict(tmp_path):
    files = batch()
    [path] = spool_write(tmp_path, files, order_of(files), formats=("json",))
    assert path == tmp_path / "summary.json"
    text = path.read_text(encoding="utf-8")
    expected = summary_dict(batch(), RULEBOOK)
    assert text == one_entry_per_line(expected)
    assert len(text.splitlines()) == len(files) + 2
    assert json.loads(text) == json.loads(json.dumps(expected))
    assert list(json.loads(text)) == ["rulebook", "files", "duplicates"]  # and every key in its order
    assert [list(entry) for entry in json.loads(text)["files"]] == [list(entry) for entry in expected["files"]]


def test_summary_json_ranks_by_total_per_kind_with_shared_ranks_in_inbox_order(tmp_path):
    files = batch()
    spool_write(tmp_path, files, order_of(files), formats=("json",))
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["rulebook"] == RULEBOOK
    assert [entry["file"] for entry in summary["files"]] == order_of(files)
    ranks = {(entry["file"], form["sheet"]): (form["kind"], form["rank"])
             for entry in summary["files"] for form in entry["forms"]}
    assert ranks == {
        ("城管局/01_道路.xlsx", SHEET): ("project", 1),
        ("城管局/02_路灯.xlsx", SHEET): ("project", 2),  # 75.00, 75 and 75 share rank 2
        ("文旅局/03_图书馆.xlsx", "自评表1"): ("project", 2),
        ("文旅局/03_图书馆.xlsx", "自评表2"): ("project", 2),
        ("水利局/04_堤防.xlsx", SHEET): ("project", 5),
        ("开福区/部门整体.xlsx", "指标评分表"): ("department", 1),
        ("开福区/部门整体2.xlsx", "指标评分表"): ("department", 2),
    }
    road = summary["files"][0]["forms"][0]
    assert road["issues"][0] == {"level": "warning", "message": "指标分值合计为95，应为100", "sheet": SHEET,
                                 "cell": "G21", "item": None, "action": "请复核"}
    assert len(road["items"]) == 4 and road["items"][0]["flags"] == [
        "实际完成值缺失（第0项），请单位补填实际完成值（F13）", "得分未满，缺少偏差原因（I13）"]


def test_an_empty_batch_gives_an_empty_file_list(tmp_path):
    spool_write(tmp_path, [], [], formats=("json",))
    text = (tmp_path / "summary.json").read_text(encoding="utf-8")
    assert text == one_entry_per_line({"rulebook": RULEBOOK, "files": []})
    assert json.loads(text) == {"rulebook": RULEBOOK, "files": [], "duplicates": []}


def test_a_file_name_that_is_not_valid_utf8_reads_back_as_the_same_str(tmp_path):
    name = "单位/\udcff坏名.xlsx"  # os.fsdecode of a name in a legacy encoding keeps the bytes as surrogates
    spool_write(tmp_path, [FileResult(name, "error", error="文件已损坏")], [name], formats=("json",))
    summary = json.loads((tmp_path / "summary.json").read_bytes())
    assert summary["files"][0]["file"] == name


# -- any order in, the same summaries out ---------------------------------------------------


def zip_members(path: Path) -> dict[str, bytes]:
    """Every part of an .xlsx but the timestamps of docProps/core.xml."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_overview_rows_numbered_a_few_at_a_time_give_the_same_workbook(tmp_path, monkeypatch):
    """汇总's rows go to be numbered in blocks (summary_spool._OVERVIEW_ROWS_A_BLOCK): the last one not full."""
    from perfeval_xl.writers import summary_spool

    files = batch()
    write_summary_xlsx(files, tmp_path / "one_block.xlsx", RULEBOOK)
    rows = sum(max(1, len(file.forms)) for file in files)
    assert rows % 2 and rows < summary_spool._OVERVIEW_ROWS_A_BLOCK
    for size in (1, 2):
        monkeypatch.setattr(summary_spool, "_OVERVIEW_ROWS_A_BLOCK", size)
        write_summary_xlsx(files, tmp_path / f"blocks_of_{size}.xlsx", RULEBOOK)
        assert zip_members(tmp_path / f"blocks_of_{size}.xlsx") == zip_members(tmp_path / "one_block.xlsx")


def test_adding_files_in_any_order_gives_the_same_summaries(tmp_path):
    files = batch()
    order = order_of(files)
    outputs = []
    for seed in range(4):
        shuffled = batch()
        random.Random(seed).shuffle(shuffled)
        if seed == 0:
            shuffled.reverse()
        folder = tmp_path / f"run{seed}"
        spool_write(folder, shuffled, order)
        outputs.append(((folder / "summary.json").read_bytes(), (folder / "summary.csv").read_bytes(),
                        zip_members(folder / "summary.xlsx")))
    assert all(output == outputs[0] for output in outputs[1:])
    # … and the same workbook as the list-based writer, in inbox order.
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)
    assert zip_members(tmp_path / "list.xlsx") == outputs[0][2]


def test_adding_a_file_again_replaces_it(tmp_path):
    files = batch()
    spool = SummarySpool(tmp_path / "spool")
    for file in files:
        spool.add(file)
    rescored = project_file("城管局/02_路灯.xlsx", "99", grade="优")  # e.g. scored again after pairing
    spool.add(rescored)
    spool.write_json(tmp_path / "summary.json", RULEBOOK, order_of(files))
    spool.close()
    expected = [rescored if file.file == rescored.file else file for file in batch()]
    assert (json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
            == json.loads(json.dumps(summary_dict(expected, RULEBOOK))))


def test_only_the_files_in_the_order_are_summarised_and_each_must_have_been_added(tmp_path):
    files = batch()
    spool = SummarySpool(tmp_path / "spool")
    for file in files:
        spool.add(file)
    spool.write(tmp_path, RULEBOOK, ["坏文件.xlsx", "城管局/01_道路.xlsx"], ("json",))
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert [entry["file"] for entry in summary["files"]] == ["坏文件.xlsx", "城管局/01_道路.xlsx"]
    with pytest.raises(ValueError, match="never added"):
        spool.write(tmp_path, RULEBOOK, ["不存在.xlsx"], ("json",))
    with pytest.raises(ValueError, match="unknown summary format"):
        spool.write(tmp_path, RULEBOOK, [], ("pdf",))
    spool.close()


def test_write_returns_the_paths_of_the_formats_asked_and_close_removes_the_spool(tmp_path):
    folder = tmp_path / ".perfeval" / "summary"
    spool = SummarySpool(folder)
    assert folder.is_dir()
    for file in batch():
        spool.add(file)
    assert len(spool) == len(batch())
    assert spool.write(tmp_path, RULEBOOK, order_of(batch())) == [tmp_path / "summary.xlsx", tmp_path / "summary.json"]
    assert spool.write(tmp_path, RULEBOOK, order_of(batch()), ("csv",)) == [tmp_path / "summary.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".perfeval", "summary.csv", "summary.json", "summary.xlsx"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".summary")]  # no temporary left
    spool.close()
    assert not folder.exists()  # its own files gone, and the folder with them when empty


def test_a_stale_spool_of_an_interrupted_run_is_not_read_again(tmp_path):
    folder = tmp_path / "spool"
    first = SummarySpool(folder)
    first.add(batch()[0])  # never closed: the run was killed
    second = SummarySpool(folder)
    second.add(batch()[1])
    second.write(tmp_path, RULEBOOK, [batch()[1].file], ("json",))
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert [entry["file"] for entry in summary["files"]] == [batch()[1].file]
    second.close()


# -- prepared in a worker, added in the parent ---------------------------------------------------


def summaries(folder: Path) -> tuple[bytes, bytes, dict[str, bytes]]:
    return ((folder / "summary.json").read_bytes(), (folder / "summary.csv").read_bytes(),
            zip_members(folder / "summary.xlsx"))


def test_a_record_that_went_through_pickle_or_bytes_writes_the_same_summaries_as_add(tmp_path):
    files = batch()
    spool_write(tmp_path / "add", files, order_of(files))
    for name, carry in (("pickle", lambda record: pickle.loads(pickle.dumps(record))),
                        ("bytes", lambda record: SummaryRecord.from_bytes(record.to_bytes()))):
        spool = SummarySpool(tmp_path / name / "spool")
        for file in reversed(batch()):
            record = carry(prepare_summary(file))
            assert record == prepare_summary(file)
            spool.add_record(file.file, record)
        spool.write(tmp_path / name, RULEBOOK, order_of(files), ("xlsx", "json", "csv"))
        spool.close()
        assert summaries(tmp_path / name) == summaries(tmp_path / "add"), name


def test_a_prepared_record_keeps_nothing_of_the_result_and_says_what_the_summaries_need():
    file = batch()[4]  # two forms
    alive = weakref.ref(file.forms[0])
    record = prepare_summary(file)
    assert (record.file, record.status, len(record.facts), len(record.rows)) == (file.file, "ok", 2, 2)
    assert [facts.total for facts in record.facts] == [D("75"), D("75")]
    assert json.loads(record.entry)["forms"][0]["rank"] is None  # ranked when the batch is written
    assert record.issues.count(b"</row>") == sum(len(result.all_flags()) for result in file.forms)
    del file
    gc.collect()
    assert alive() is None
    failed = prepare_summary(batch()[2])
    assert (failed.facts, len(failed.rows), failed.issues.count(b"</row>")) == ((), 1, 1)


def test_a_damaged_record_is_refused(tmp_path):
    data = prepare_summary(batch()[0]).to_bytes()
    for damaged in (data[:-1], data + b"x", b"[]\n"):
        with pytest.raises(ValueError):
            SummaryRecord.from_bytes(damaged)
    record = prepare_summary(batch()[4])
    with SummarySpool(tmp_path / "spool") as spool, pytest.raises(ValueError, match="row"):
        spool.add_record(record.file, dataclasses.replace(record, rows=record.rows[:1]))
    # An entry must leave a rank for each form, no more, no fewer: where they go is noted on adding.
    rank = b'"rank":null'
    assert record.entry.count(rank) == len(record.facts) > 1
    for entry in (record.entry.replace(rank, b'"rank":0', 1), record.entry.replace(b"}]", b"," + rank + b"}]", 1)):
        with SummarySpool(tmp_path / "spool") as spool, pytest.raises(ValueError, match="rank"):
            spool.add_record(record.file, dataclasses.replace(record, entry=entry))


# -- summary.xlsx in constant_memory mode -------------------------------------------------------


def table(sheet) -> list[dict]:
    titles = [cell.value for cell in sheet[HEADER_ROW]]
    titles = titles[: titles.index(None)] if None in titles else titles
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=len(titles), values_only=True):
        if all(value is None for value in row):
            break
        rows.append(dict(zip(titles, row)))
    return rows


def test_files_of_the_same_name_keep_their_inbox_order_in_the_issue_list(tmp_path):
    """问题清单 sorts by file name; equal names (a list naming a file twice) stay in inbox order."""
    first = FileResult("同名.xlsx", "error", error="第一份已损坏")
    second = FileResult("同名.xlsx", "skipped", error="第二份已跳过")
    other = FileResult("a.xlsx", "error", error="另一份已损坏")
    spool = SummarySpool(tmp_path / "spool")
    for key, file in (("k3", other), ("k2", second), ("k1", first)):  # completion order: not inbox order
        spool.add_record(key, prepare_summary(file))
    spool.write_xlsx(tmp_path / "summary.xlsx", RULEBOOK, ["k1", "k2", "k3"])
    spool.close()
    rows = table(openpyxl.load_workbook(tmp_path / "summary.xlsx")["问题清单"])
    assert [(row["文件"], row["问题"]) for row in rows] == [
        ("a.xlsx", "另一份已损坏"), ("同名.xlsx", "第一份已损坏"), ("同名.xlsx", "未评分：第二份已跳过")]


def test_a_long_issue_list_is_written_row_by_row_with_its_heights_filter_and_print_titles(tmp_path):
    files = [project_file(f"f{i:03d}.xlsx", str(60 + i % 40), item_count=30, flags_every=1) for i in range(40)]
    spool_write(tmp_path, files, order_of(files), formats=("xlsx",))
    book = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    issues = book["问题清单"]
    rows = table(issues)
    assert len(rows) == 40 * 30 * 2
    last = HEADER_ROW + len(rows)
    assert issues.auto_filter.ref == f"A{HEADER_ROW}:H{last}"
    assert issues.freeze_panes == f"A{HEADER_ROW + 1}" and issues.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert all(issues.row_dimensions[row].height for row in range(1, last + 1))  # every row kept its height
    assert "共 2400 条（错误 1200 条，提示 1200 条）" in issues["A2"].value
    assert [row["单元格"] for row in rows[:4]] == ["F13", "I13", "F14", "I14"]  # sheet order within a form
    overview = table(book["汇总"])
    assert [row["复核总分"] for row in overview] == sorted((row["复核总分"] for row in overview), reverse=True)
    assert book["汇总"].conditional_formatting  # highlights survive constant_memory mode
    with zipfile.ZipFile(tmp_path / "summary.xlsx") as archive:
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert "<c:strCache>" in chart and "<c:v>优</c:v>" in chart  # cached values for viewers that do not recalculate


# -- summary.csv ------------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def test_summary_csv_has_the_overview_columns_one_row_per_form_and_a_bom(tmp_path):
    files = batch()
    [path] = spool_write(tmp_path, files, order_of(files), formats=("csv",))
    assert path == tmp_path / "summary.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel and WPS read it as UTF-8
    header, *rows = read_csv(path)
    assert header == OVERVIEW
    assert [row[:4] + row[8:11] for row in rows] == [
        ["1", "城管局/01_道路.xlsx", SHEET, "项目", "91.27", "-4.73", "优"],
        ["2", "城管局/02_路灯.xlsx", SHEET, "项目", "75.00", "55.00", "中"],  # no 自评总分 written: the items' self-scores add up to 20
        ["2", "文旅局/03_图书馆.xlsx", "自评表1", "项目", "75.00", "-15.00", "良"],
        ["2", "文旅局/03_图书馆.xlsx", "自评表2", "项目", "75.00", "-15.00", "良"],
        ["5", "水利局/04_堤防.xlsx", SHEET, "项目", "58.50", "-31.50", "差"],
        ["1", "开福区/部门整体.xlsx", "指标评分表", "部门", "95.61", "-0.39", "优"],
        ["2", "开福区/部门整体2.xlsx", "指标评分表", "部门", "88.00", "-8.00", "优"],
        ["", "坏文件.xlsx", "", "", "", "", ""],
        ["", "~$锁定.xlsx", "", "", "", "", ""],
    ]
    road = dict(zip(header, rows[0]))
    assert road == {"排名": "1", "文件": "城管局/01_道路.xlsx", "工作表": SHEET, "类型": "项目", "主管部门": "城管局",
                    "实施单位/填报单位": "实施单位", "项目名称": "01_道路项目1", "自评总分": "96.00",
                    "复核总分": "91.27", "差异": "-4.73", "等级": "优", "问题数": "5", "状态": "已评分", "原因": ""}
    assert rows[-2][-2:] == ["错误", "文件已损坏或不是Excel工作簿（BadZipFile: x）"]
    # The same rows, in the same order, as 汇总.
    spool_write(tmp_path, files, order_of(files), formats=("xlsx",))
    overview = table(openpyxl.load_workbook(tmp_path / "summary.xlsx")["汇总"])
    assert [(row["文件"], row["工作表"]) for row in overview] == [(row[1], row[2] or None) for row in rows]


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\t=1", "\r=1", "＝1+1",
])
def test_csv_text_that_would_run_as_a_formula_gets_a_single_quote(text):
    assert csv_text(text) == "'" + text
    assert csv_text("城区" + text) == "城区" + text  # only at the start


def test_csv_text_drops_the_control_characters_no_excel_cell_holds():
    # An ESC sequence in a project name acted on the terminal of whoever printed summary.csv.
    assert csv_text("城区\x1b[2J道路\x07养护") == "城区[2J道路养护"
    assert csv_text("\x1b=1") == "'=1"  # what is left is checked for a formula trigger


def test_summary_csv_neutralises_formula_injection_in_every_text_cell(tmp_path):
    hostile = project_file("=cmd|' /C calc'!A0.xlsx", "80", name="+SUM(A1:A9)", department="-2+3",
                           unit="@SUM(1)", self_total="85")
    tabbed = project_file("\tx.xlsx", "70", name="\r=1", department="城管局")
    broken = FileResult("@坏.xlsx", "error", error="=文件已损坏")
    write_summary_csv([hostile, tabbed, broken], tmp_path / "summary.csv")
    header, *rows = read_csv(tmp_path / "summary.csv")
    first = dict(zip(header, rows[0]))
    assert (first["文件"], first["项目名称"], first["主管部门"], first["实施单位/填报单位"]) == (
        "'=cmd|' /C calc'!A0.xlsx", "'+SUM(A1:A9)", "'-2+3", "'@SUM(1)")
    assert first["差异"] == "-5.00"  # a number this tool computed, not text: left as it is
    second = dict(zip(header, rows[1]))
    assert (second["文件"], second["项目名称"]) == ("'\tx.xlsx", "'\r=1")
    assert (rows[2][1], rows[2][-1]) == ("'@坏.xlsx", "'=文件已损坏")
    for row in rows:  # no text cell of the file starts with a trigger any more
        for value in row:
            if value and not value.lstrip("-").replace(".", "").isdigit():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


# -- memory --------------------------------------------------------------------------------------


def synthetic_file(index: int) -> FileResult:
    """A realistic result: one project form of 20 indicators, 14 flags, long-ish texts."""
    return project_file(f"单位{index % 50:02d}/项目{index:05d}绩效自评表.xlsx", f"{60 + index % 40}.{index % 100:02d}",
                        department=f"主管部门{index % 17}", item_count=20, flags_every=3,
                        form_flags=[Flag("自评得分未填全，自评总分仅供参考")])


@pytest.mark.parametrize("expected", [False, True], ids=["files not expected", "files expected"])
def test_the_spool_keeps_no_result_and_little_memory_per_file(tmp_path, expected):
    count = 3000
    order = [f"单位{i % 50:02d}/项目{i:05d}绩效自评表.xlsx" for i in range(count + 1)]
    spool = SummarySpool(tmp_path / "spool")
    if expected:  # then the files are also taken in as they arrive (in inbox order)
        spool.expect(order)
    probe = synthetic_file(0)
    alive = weakref.ref(probe)
    probe_form = weakref.ref(probe.forms[0])
    spool.add(probe)
    del probe
    gc.collect()
    assert alive() is None and probe_form() is None  # nothing of the result is kept

    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        kept_alone = synthetic_file(1)  # what keeping one result would cost
        size_of_one = tracemalloc.get_traced_memory()[0] - before
        del kept_alone
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        for index in range(1, count + 1):
            spool.add(synthetic_file(index))
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = after - before
    assert kept < 15 * 2**20, f"{kept / 2**20:.1f} MB kept for {count} files"
    assert kept / count < size_of_one / 10, (kept / count, size_of_one)  # a small fraction of one result each
    spool.write(tmp_path, RULEBOOK, order, ("json", "csv"))
    spool.close()
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["files"]) == count + 1 and len(summary["files"][5]["forms"][0]["items"]) == 20
    assert len(read_csv(tmp_path / "summary.csv")) == count + 2


def test_measures_summed_as_files_arrive_give_the_workbook_of_a_pass_over_the_spool(tmp_path):
    """The spool sums widths and counts in add_record; a replaced file or another order falls back to a pass."""
    files = batch()
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)  # a spool of its own, each file once
    expected = zip_members(tmp_path / "list.xlsx")

    spool = SummarySpool(tmp_path / "replaced")
    spool.add(project_file("城管局/02_路灯.xlsx", "99", grade="优", item_count=30, flags_every=1))  # wider, more
    for file in files:
        spool.add(file)  # 02_路灯 again: the running maximum no longer holds
    spool.write_xlsx(tmp_path / "replaced.xlsx", RULEBOOK, order_of(files))
    assert zip_members(tmp_path / "replaced.xlsx") == expected

    some = files[:3]
    write_summary_xlsx(some, tmp_path / "some.xlsx", RULEBOOK)
    spool.write_xlsx(tmp_path / "subset.xlsx", RULEBOOK, order_of(some))  # fewer files than were added
    assert zip_members(tmp_path / "subset.xlsx") == zip_members(tmp_path / "some.xlsx")
    spool.close()


# -- 问题清单 deflated as files arrive (SummarySpool.expect) -------------------------------------


def deflating_spool(folder: Path, files: list[FileResult], expected: list[str]) -> SummarySpool:
    spool = SummarySpool(folder / ".perfeval" / "summary")
    spool.expect(expected)
    for file in files:
        spool.add(file)
    return spool


def spliced_sheets(monkeypatch) -> list[str]:
    """The zip members written from rows deflated ahead of time, as summaries are written (in a file
    of the spool's, not one the workbook deflated its rows into as it was written)."""
    from perfeval_xl.writers import summary_xlsx

    spliced: list[str] = []
    write_spliced = summary_xlsx._SummaryZipFile._write_spliced
    monkeypatch.setattr(summary_xlsx._SummaryZipFile, "_write_spliced",
                        lambda self, filename, arcname, rows, at: (rows.path is not None and spliced.append(arcname))
                        or write_spliced(self, filename, arcname, rows, at))
    return spliced


def long_batch() -> list[FileResult]:
    return [*batch(), *(project_file(f"z{i:03d}.xlsx", str(60 + i % 40), item_count=30, flags_every=1)
                        for i in range(30))]


def arriving_in(arrival: str, seed: int = 5) -> list[FileResult]:
    """long_batch() in the order its files arrive: "inbox order", "reversed" (every file waits for
    the last one) or "shuffled"."""
    files = long_batch()
    if arrival == "reversed":
        files.reverse()
    elif arrival == "shuffled":
        random.Random(seed).shuffle(files)
    return files


def small_inbox(folder: Path) -> Path:
    """An inbox of two good workbooks (one in a subfolder) and one that is not a workbook."""
    from hostile import write_good

    inbox = folder / "inbox"
    (inbox / "sub").mkdir(parents=True)
    write_good(inbox / "b.xlsx", name="乙项目")
    write_good(inbox / "sub" / "a.xlsx", name="甲项目")
    (inbox / "a.xlsx").write_bytes(b"not a workbook")
    return inbox


@pytest.mark.parametrize("arrival", ["inbox order", "reversed", "shuffled"])
def test_issue_rows_deflated_as_files_arrive_give_the_same_workbook(tmp_path, monkeypatch, arrival):
    files = long_batch()
    order = order_of(files)
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)
    arriving = arriving_in(arrival)
    spliced = spliced_sheets(monkeypatch)
    spool = deflating_spool(tmp_path / "out", arriving, order)
    spool.write(tmp_path / "out", RULEBOOK, order, ("xlsx",))
    spool.close()
    assert spliced == ["xl/worksheets/sheet2.xml"]  # 问题清单
    assert zip_members(tmp_path / "out" / "summary.xlsx") == zip_members(tmp_path / "list.xlsx")
    with zipfile.ZipFile(tmp_path / "out" / "summary.xlsx") as archive:
        assert archive.testzip() is None  # every CRC checks
    assert not (tmp_path / "out" / ".perfeval" / "summary").exists()  # the deflated rows went with the spool


def test_issue_rows_deflated_ahead_are_not_taken_when_they_would_be_wrong(tmp_path, monkeypatch):
    """A file added again after its rows went, a file named otherwise than its key, other files
    written, or formats numbered otherwise: the rows are written from the spool as before."""
    from perfeval_xl.writers import summary_spool

    files = long_batch()
    order = order_of(files)
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)
    expected = zip_members(tmp_path / "list.xlsx")
    spliced = spliced_sheets(monkeypatch)

    def written(name: str, spool: SummarySpool, order=order) -> dict[str, bytes]:
        spool.write_xlsx(tmp_path / name, RULEBOOK, order)
        spool.close()
        return zip_members(tmp_path / name)

    spool = deflating_spool(tmp_path / "again", files, order)
    spool.add(files[0])  # the same result again, after its rows were deflated
    assert written("again.xlsx", spool) == expected

    spool = deflating_spool(tmp_path / "named", [], order)
    spool.add_record(order[0], prepare_summary(dataclasses.replace(files[0], file="别名.xlsx")))
    for file in files[1:]:
        spool.add(file)
    named = written("named.xlsx", spool)
    assert named != expected and len(named) == len(expected)  # its name is on its rows, as without expect

    some = files[:5]
    write_summary_xlsx(some, tmp_path / "some.xlsx", RULEBOOK)
    assert written("some-of.xlsx", deflating_spool(tmp_path / "some", files, order), order_of(some)) == \
        zip_members(tmp_path / "some.xlsx")

    assert written("missing.xlsx", deflating_spool(tmp_path / "missing", files, [*order, "未到.xlsx"])) == expected

    monkeypatch.setattr(summary_spool, "data_style_indices", lambda: {"text": 99})
    assert written("styles.xlsx", deflating_spool(tmp_path / "styles", files, order)) == expected
    assert spliced == []


def test_issue_rows_deflated_ahead_are_inflated_again_if_zipfile_changed(tmp_path, monkeypatch):
    from perfeval_xl.writers import summary_xlsx

    files = long_batch()
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)
    monkeypatch.setattr(summary_xlsx._SummaryZipFile, "_RAW_WRITE_NEEDS", ("an attribute no zipfile has",))
    spliced = spliced_sheets(monkeypatch)
    spool = deflating_spool(tmp_path / "out", files, order_of(files))
    spool.write_xlsx(tmp_path / "out.xlsx", RULEBOOK, order_of(files))
    spool.close()
    assert spliced == ["xl/worksheets/sheet2.xml"]
    assert zip_members(tmp_path / "out.xlsx") == zip_members(tmp_path / "list.xlsx")


@pytest.mark.parametrize("arrival", ["inbox order", "reversed", "shuffled"])
def test_issue_rows_longer_than_a_sheet_are_deflated_ahead_a_file_for_each_sheet(tmp_path, monkeypatch, arrival):
    """Past one sheet's rows 问题清单 goes on over more sheets (summary_xlsx.EXCEL_ROWS): the rows are
    deflated as files arrive into a file per sheet, a file's rows cut where a sheet ends, and the
    workbook is the one written from a list of the results."""
    from perfeval_xl.writers import summary_xlsx

    monkeypatch.setattr(summary_xlsx, "EXCEL_ROWS", summary_xlsx.FIRST_DATA_ROW + 100)
    files = long_batch()
    order = order_of(files)
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)
    spliced = spliced_sheets(monkeypatch)
    spool = deflating_spool(tmp_path / "out", arriving_in(arrival), order)
    parts = spool._deflated_issues.parts
    assert len(parts) > 2 and {part.rows for part in parts[:-1]} == {100}
    spool.write_xlsx(tmp_path / "out.xlsx", RULEBOOK, order)
    spool.close()
    sheets = openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames
    issue_sheets = [name for name in sheets if name.startswith("问题清单")]
    assert len(issue_sheets) == len(parts)
    assert spliced == [f"xl/worksheets/sheet{sheets.index(name) + 1}.xml" for name in issue_sheets]
    assert zip_members(tmp_path / "out.xlsx") == zip_members(tmp_path / "list.xlsx")
    assert not list((tmp_path / "out" / ".perfeval").rglob("*.deflate"))  # gone with the spool


def test_a_long_table_takes_its_rows_from_the_spool_where_they_were_not_deflated_ahead(tmp_path, monkeypatch):
    """A file added again after its rows went: every sheet of 问题清单 takes its rows from the spool."""
    from perfeval_xl.writers import summary_xlsx

    monkeypatch.setattr(summary_xlsx, "EXCEL_ROWS", summary_xlsx.FIRST_DATA_ROW + 100)
    files = long_batch()
    order = order_of(files)
    write_summary_xlsx(files, tmp_path / "list.xlsx", RULEBOOK)
    spliced = spliced_sheets(monkeypatch)
    spool = deflating_spool(tmp_path / "out", files, order)
    spool.add(files[0])
    spool.write_xlsx(tmp_path / "out.xlsx", RULEBOOK, order)
    spool.close()
    assert spliced == []
    assert zip_members(tmp_path / "out.xlsx") == zip_members(tmp_path / "list.xlsx")


def test_the_parts_of_a_long_table_take_the_rows_after_those_of_the_parts_before_them():
    """Each part's rows, whether or not the parts before it took theirs from the blocks."""
    from perfeval_xl.writers.summary_xlsx import RenderedTable, _sheet_parts

    rows = [f'<row r="\0"><c r="A\0"><v>{n}</v></c></row>'.encode() for n in range(10)]
    blocks = [b"".join(rows[0:3]), b"".join(rows[3:4]), b"".join(rows[4:10])]  # cut where no block ends
    table = RenderedTable([1.0], 10, lambda: iter(blocks))
    first, second, third = _sheet_parts(table, 4)
    assert (first.rows, second.rows, third.rows) == (4, 4, 2)
    assert b"".join(third.blocks()) == b"".join(rows[8:10])  # the first two parts passed over
    table = RenderedTable([1.0], 10, lambda: iter(blocks))
    parts = _sheet_parts(table, 4)
    assert [b"".join(part.blocks()) for part in parts] == [b"".join(rows[0:4]), b"".join(rows[4:8]),
                                                          b"".join(rows[8:10])]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block_rows=st.lists(st.integers(0, 7), max_size=12), room=st.integers(1, 6), spliced=st.sets(st.integers(0, 9)))
def test_a_long_table_split_over_sheets_keeps_every_row_once_in_order(tmp_path, monkeypatch, block_rows, room, spliced):
    """However a table's rows come in blocks and however many a sheet holds: each sheet's part has
    as many rows as the sheet holds (the last the rest), deflated ahead (DeflatedSheets) or taken
    from the blocks (_sheet_parts), also when the parts before took theirs deflated ahead."""
    from perfeval_xl.writers import summary_xlsx
    from perfeval_xl.writers.summary_xlsx import DeflatedSheets, RenderedTable, _sheet_parts

    monkeypatch.setattr(summary_xlsx, "EXCEL_ROWS", summary_xlsx.FIRST_DATA_ROW + room)
    numbers = iter(range(10_000))
    blocks = [b"".join(b'<row r="\0"><c r="A\0"><v>%d</v></c></row>' % next(numbers) for _ in range(count))
              for count in block_rows]
    total = sum(block_rows)
    sizes = [min(room, total - start) for start in range(0, total, room)]

    def values(xml: bytes) -> list[bytes]:
        return re.findall(rb"<v>(\d+)</v>", xml)

    deflated = DeflatedSheets(Path(tempfile.mkdtemp(dir=tmp_path)), "t", {})
    for block in blocks:
        deflated.add(block)
    deflated.finish()
    assert [part.rows for part in deflated.parts] == sizes
    inflated = [b"".join(part.inflated()) for part in deflated.parts]
    assert [re.findall(rb'<row r="(\d+)"', xml) for xml in inflated] == [
        [b"%d" % (summary_xlsx.FIRST_DATA_ROW + n) for n in range(1, size + 1)] for size in sizes]
    assert sum((values(xml) for xml in inflated), []) == [b"%d" % n for n in range(total)]
    deflated.close()

    if total > room:
        parts = _sheet_parts(RenderedTable([1.0], total, lambda: iter(blocks)), room)
        assert [part.rows for part in parts] == sizes
        for number, (part, start) in enumerate(zip(parts, range(0, total, room))):
            if number in spliced:  # took its rows deflated ahead: its blocks are never asked for
                continue
            assert values(b"".join(part.blocks())) == [b"%d" % n for n in range(start, start + part.rows)]


def test_a_batch_deflates_its_issue_rows_as_files_arrive(tmp_path, monkeypatch):
    from perfeval_xl import score_folder

    inbox = small_inbox(tmp_path)
    spliced = spliced_sheets(monkeypatch)
    score_folder(inbox, out=tmp_path / "out")
    assert spliced == ["xl/worksheets/sheet2.xml"]
    rows = table(openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["问题清单"])
    assert rows and [row["文件"] for row in rows] == sorted(row["文件"] for row in rows)


# -- summary.json written as files arrive --------------------------------------------------------


def finished_bodies(monkeypatch) -> list[bool]:
    """Whether each summary.json written was the one written as files arrived (True), or was
    written from the spool after the last file (False)."""
    from perfeval_xl.writers import summary_spool

    finished = []
    finish = summary_spool._JsonBody.finish

    def spy(self, *args):
        finished.append(finish(self, *args))
        return finished[-1]

    monkeypatch.setattr(summary_spool._JsonBody, "finish", spy)
    return finished


@pytest.mark.parametrize("arrival", ["inbox order", "reversed", "shuffled"])
def test_summary_json_written_as_files_arrive_is_the_one_written_after_the_last(tmp_path, monkeypatch, arrival):
    files = long_batch()
    order = order_of(files)
    write_summary_json(files, tmp_path / "list.json", RULEBOOK)  # from the spool, after the last file
    arriving = arriving_in(arrival)
    finished = finished_bodies(monkeypatch)
    spool = deflating_spool(tmp_path / "out", arriving, order)
    assert not (tmp_path / "out" / "summary.json").exists()  # moved into place only when complete
    spool.write(tmp_path / "out", RULEBOOK, order, ("json",))
    spool.close()
    assert finished == [True]
    text = (tmp_path / "out" / "summary.json").read_bytes()
    assert text == (tmp_path / "list.json").read_bytes()
    assert text.decode() == one_entry_per_line(json.loads(text))
    assert not (tmp_path / "out" / ".perfeval" / "summary").exists()  # nothing of the body left behind


@pytest.mark.parametrize("arrival", ["inbox order", "shuffled"])
def test_ranks_wider_than_null_get_their_room_as_entries_are_written(tmp_path, monkeypatch, arrival):
    """As in a batch of 10,000 files or more: each null is followed by the spaces a rank needs."""
    from perfeval_xl.writers import summary_spool

    monkeypatch.setattr(summary_spool, "rank_width", lambda files, lowest_rank=None: 6)
    files = long_batch()
    order = order_of(files)
    write_summary_json(files, tmp_path / "list.json", RULEBOOK)
    arriving = arriving_in(arrival, seed=7)
    finished = finished_bodies(monkeypatch)
    spool = deflating_spool(tmp_path / "out", arriving, order)
    spool.write_json(tmp_path / "summary.json", RULEBOOK, order)
    assert finished == [True]
    spool.write_json(tmp_path / "again.json", RULEBOOK, order)  # read back from the summary, ranked
    spool.close()
    text = (tmp_path / "summary.json").read_bytes()
    assert text == (tmp_path / "list.json").read_bytes() == (tmp_path / "again.json").read_bytes()
    ranks = re.findall(rb'"rank":([^,]*)', text)
    assert ranks[0] == b"1     " and {len(rank) for rank in ranks} == {6}


def test_summary_json_written_ahead_is_not_taken_when_it_would_be_wrong(tmp_path, monkeypatch):
    """A file added again after its entry went, other files written, a rulebook name too long
    for the room kept: summary.json is written from the spool as before, byte for byte."""
    files = long_batch()
    order = order_of(files)
    finished = finished_bodies(monkeypatch)

    def written(name: str, spool: SummarySpool, order=order, rulebook=RULEBOOK) -> bytes:
        spool.write_json(tmp_path / name, rulebook, order)
        spool.close()
        return (tmp_path / name).read_bytes()

    rescored = dataclasses.replace(files[0], forms=[])  # e.g. scored again after pairing
    spool = deflating_spool(tmp_path / "again", files, order)
    spool.add(rescored)
    write_summary_json([rescored, *files[1:]], tmp_path / "again-list.json", RULEBOOK)
    assert written("again.json", spool) == (tmp_path / "again-list.json").read_bytes()

    some = files[:5]
    write_summary_json(some, tmp_path / "some-list.json", RULEBOOK)
    assert written("some.json", deflating_spool(tmp_path / "some", files, order), order_of(some)) == \
        (tmp_path / "some-list.json").read_bytes()

    long_name = "很长的规则名" * 20
    write_summary_json(files, tmp_path / "long-list.json", long_name)
    long = written("long.json", deflating_spool(tmp_path / "long", files, order), rulebook=long_name)
    assert long == (tmp_path / "long-list.json").read_bytes()
    assert json.loads(long)["rulebook"] == long_name and long.index(b"\n") > 256  # no room: no padding

    # Written ahead, a second write in another order reads the entries back from the summary.
    spool = deflating_spool(tmp_path / "twice", files, order)
    spool.write_json(tmp_path / "first.json", RULEBOOK, order)
    assert written("second.json", spool, order_of(some)) == (tmp_path / "some-list.json").read_bytes()
    assert finished == [False, False, False, True, False]


def test_a_rank_wider_than_the_room_kept_gives_up_the_body(tmp_path, monkeypatch):
    from perfeval_xl.writers import summary_spool
    from perfeval_xl.writers.summary_json import rank_width

    assert [rank_width(files) for files in (0, 9, 9_999, 10_000, 123_456)] == [4, 4, 4, 5, 6]
    assert rank_width(3, lowest_rank=12_345) == 5  # workbooks of many forms each
    files = batch()
    spool = deflating_spool(tmp_path, files, order_of(files))  # room kept: 4 characters a rank
    finished = finished_bodies(monkeypatch)
    monkeypatch.setattr(summary_spool, "rank_width", lambda files, lowest_rank=None: 6)  # as if 100,000 forms
    spool.write_json(tmp_path / "summary.json", RULEBOOK, order_of(files))
    spool.close()
    text = (tmp_path / "summary.json").read_text(encoding="utf-8")
    assert finished == [False]
    assert re.findall(r'"rank":[^,]*', text)[:3] == ['"rank":1     ', '"rank":2     ', '"rank":1     ']
    assert json.loads(text) == json.loads(json.dumps(summary_dict(files, RULEBOOK)))


def test_a_batch_writes_summary_json_as_files_arrive(tmp_path, monkeypatch):
    from perfeval_xl import score_folder

    inbox = small_inbox(tmp_path)
    finished = finished_bodies(monkeypatch)
    seen = []
    score_folder(inbox, out=tmp_path / "out", on_file=lambda _: seen.append((tmp_path / "out" / "summary.json").exists()))
    assert finished == [True] and seen == [False, False, False]
    summary = json.loads((tmp_path / "out" / "summary.json").read_bytes())
    assert [entry["file"] for entry in summary["files"]] == ["a.xlsx", "b.xlsx", "sub/a.xlsx"]
    assert [entry["forms"][0]["rank"] for entry in summary["files"][1:]] == [1, 1]


def test_where_summary_json_cannot_be_written_ahead_it_is_written_after_the_last_file(tmp_path, monkeypatch):
    from perfeval_xl import score_folder
    from perfeval_xl.writers import summary_spool

    inbox = small_inbox(tmp_path)
    score_folder(inbox, out=tmp_path / "ahead")
    monkeypatch.setattr(summary_spool, "_WRITES_AHEAD", False)  # e.g. on Windows
    finished = finished_bodies(monkeypatch)
    score_folder(inbox, out=tmp_path / "after")
    assert finished == []
    assert (tmp_path / "after" / "summary.json").read_bytes() == (tmp_path / "ahead" / "summary.json").read_bytes()


# -- what the summaries need, taken in as files arrive (SummarySpool.expect) ---------------------


def passes_over_the_records(monkeypatch) -> list[list[str]]:
    """The orders the summaries were written in from a pass over the spooled records."""
    from perfeval_xl.writers import summary_spool

    passes: list[list[str]] = []
    of = summary_spool._Batch.of
    monkeypatch.setattr(summary_spool._Batch, "of",
                        classmethod(lambda cls, spool, keys: passes.append(list(keys)) or of(spool, keys)))
    return passes


def the_three_summaries(folder: Path) -> tuple:
    return ((folder / "summary.json").read_bytes(), (folder / "summary.csv").read_bytes(),
            zip_members(folder / "summary.xlsx"))


@pytest.mark.parametrize("arrival", ["inbox order", "reversed", "shuffled", "one added again"])
def test_files_taken_in_as_they_arrive_give_the_summaries_of_a_pass_over_the_spool(tmp_path, monkeypatch, arrival):
    """Files that come in inbox order are taken in as they come, and files that come early when the
    one before them does; a file added again sends the summaries back to the pass over the records."""
    files = long_batch()
    order = order_of(files)
    spool_write(tmp_path / "pass", files, order)
    arriving = arriving_in(arrival, seed=7)
    if arrival == "one added again":
        arriving.append(arriving[2])  # the same result again, after it was taken in
    passes = passes_over_the_records(monkeypatch)
    spool = deflating_spool(tmp_path / "arrived", arriving, order)
    spool.write(tmp_path / "arrived", RULEBOOK, order, ("xlsx", "json", "csv"))
    spool.write_csv(tmp_path / "arrived" / "again.csv", order)  # taken in once, written twice
    spool.close()
    assert passes == ([order, order] if arrival == "one added again" else [])
    assert the_three_summaries(tmp_path / "arrived") == the_three_summaries(tmp_path / "pass")
    assert (tmp_path / "arrived" / "again.csv").read_bytes() == (tmp_path / "pass" / "summary.csv").read_bytes()


def test_files_taken_in_as_they_arrive_are_not_written_for_other_files(tmp_path, monkeypatch):
    files = long_batch()
    order = order_of(files)
    passes = passes_over_the_records(monkeypatch)
    spool = deflating_spool(tmp_path / "some", files, order)
    spool.write(tmp_path / "some", RULEBOOK, order[:5], ("json",))  # fewer files than were expected
    spool.close()
    spool_write(tmp_path / "list", files[:5], order[:5], ("json",))
    assert passes == [order[:5], order[:5]]
    assert (tmp_path / "some" / "summary.json").read_bytes() == (tmp_path / "list" / "summary.json").read_bytes()

    spool = deflating_spool(tmp_path / "missing", files, [*order, "未到.xlsx"])
    with pytest.raises(ValueError, match="never added"):
        spool.write(tmp_path / "missing", RULEBOOK, [*order, "未到.xlsx"], ("json",))
    spool.close()


def test_totals_that_floats_cannot_tell_apart_rank_as_decimals(tmp_path, monkeypatch):
    """The totals are ranked as floats while each is the one Decimal its float reads back as."""
    totals = ["75", "75.000000000000000001", "75.00", "74.999999999999999999", "90.5", "1E+2"]
    files = [project_file(f"{index:02d}.xlsx", total) for index, total in enumerate(totals)]
    passes = passes_over_the_records(monkeypatch)
    spool = deflating_spool(tmp_path, files, order_of(files))
    spool.write(tmp_path, RULEBOOK, order_of(files), ("json",))
    spool.close()
    assert passes == []
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert [entry["forms"][0]["rank"] for entry in summary["files"]] == [4, 3, 4, 6, 2, 1]


# -- files kept by their place in the expected order, and what is kept of them on disk ----------


def placed_spool(folder: Path, files: list[FileResult], expected: list[str]) -> SummarySpool:
    """A spool told which files will come, each added saying its place in that order, as a batch adds them."""
    spool = SummarySpool(folder / ".perfeval" / "summary")
    spool.expect(expected)
    for file in files:
        spool.add_record(file.file, prepare_summary(file), at=expected.index(file.file))
    return spool


@pytest.mark.parametrize("arrival", ["inbox order", "reversed", "shuffled", "one added again"])
def test_files_added_at_their_place_give_the_summaries_of_files_added_by_name(tmp_path, arrival):
    """A batch says where in the expected order each file is, and the spool notes where each file's
    record is by that place (not in a table by name): the same summaries, byte for byte."""
    files = long_batch()
    order = order_of(files)
    arriving = arriving_in(arrival, seed=11)
    if arrival == "one added again":
        arriving.append(arriving[4])
    by_name = deflating_spool(tmp_path / "by-name", arriving, order)
    by_name.write(tmp_path / "by-name", RULEBOOK, order, ("xlsx", "json", "csv"))
    by_name.close()
    placed = placed_spool(tmp_path / "placed", arriving, order)
    assert len(placed) == len(files)
    placed.write(tmp_path / "placed", RULEBOOK, order, ("xlsx", "json", "csv"))
    placed.close()
    assert the_three_summaries(tmp_path / "placed") == the_three_summaries(tmp_path / "by-name")


def test_a_file_said_to_be_at_another_files_place_is_refused(tmp_path):
    files = batch()
    order = order_of(files)
    spool = SummarySpool(tmp_path / "spool")
    spool.expect(order)
    with pytest.raises(ValueError, match="not at 0"):
        spool.add_record(order[1], prepare_summary(files[1]), at=0)
    spool.add_record(order[0], prepare_summary(files[0]), at=0)  # the file that is there
    assert len(spool) == 1
    spool.close()


def spills_noted(monkeypatch, every: int) -> list[int]:
    """Blocks go to disk every ``every`` files; returns, for each block that goes, how many arrays it holds."""
    from perfeval_xl.writers import summary_spool

    monkeypatch.setattr(summary_spool, "SPILL_EVERY", every)
    spilled: list[int] = []
    spill = summary_spool._Spilled.spill
    monkeypatch.setattr(summary_spool._Spilled, "spill", lambda self, arrays: spilled.append(len(arrays))
                        or spill(self, arrays))
    return spilled


@pytest.mark.parametrize("arrival", ["inbox order", "reversed", "shuffled", "one added again"])
def test_what_is_kept_of_files_as_they_arrive_goes_to_disk_in_blocks_and_gives_the_same_summaries(
        tmp_path, monkeypatch, arrival):
    """While files arrive, the numbers kept of them (where their parts are, their forms' totals,
    kinds and rank slots in summary.json) go to disk a block at a time and are read back when the
    summaries are written: the summaries of a pass over the records, and nothing left behind."""
    files = long_batch()
    order = order_of(files)
    spool_write(tmp_path / "pass", files, order)
    spilled = spills_noted(monkeypatch, every=3)
    arriving = arriving_in(arrival, seed=7)
    if arrival == "one added again":
        arriving.append(arriving[2])  # after it was taken in: the summaries are written from the records
    spool = placed_spool(tmp_path / "arrived", arriving, order)
    spool.write(tmp_path / "arrived", RULEBOOK, order, ("xlsx", "json", "csv"))
    spool.close()
    if arrival == "inbox order":
        assert spilled.count(8) == len(files) // 3 and spilled.count(1) == len(files) // 3  # the batch's, summary.json's
    assert spilled
    assert the_three_summaries(tmp_path / "arrived") == the_three_summaries(tmp_path / "pass")
    assert not (tmp_path / "arrived" / ".perfeval" / "summary").exists()


def test_totals_that_turn_into_decimals_after_some_went_to_disk_rank_as_before(tmp_path, monkeypatch):
    """Totals go to disk as floats until one is not the Decimal its float reads back as; from then on
    they stay in memory as Decimals, and those on disk come back as Decimals before them."""
    totals = ["75", "90.5", "75.00", "60", "75.000000000000000001", "74.999999999999999999", "1E+2", "88"]
    files = [project_file(f"{index:02d}.xlsx", total) for index, total in enumerate(totals)]
    order = order_of(files)
    spool_write(tmp_path / "pass", files, order, ("json",))
    spilled = spills_noted(monkeypatch, every=2)
    spool = placed_spool(tmp_path / "arrived", files, order)
    spool.write(tmp_path / "arrived", RULEBOOK, order, ("json",))
    spool.close()
    assert len(spilled) == 8  # four blocks of the batch's arrays, four of summary.json's rank slots
    text = (tmp_path / "arrived" / "summary.json").read_bytes()
    assert text == (tmp_path / "pass" / "summary.json").read_bytes()
    assert [entry["forms"][0]["rank"] for entry in json.loads(text)["files"]] == [5, 2, 5, 8, 4, 7, 1, 3]


def test_a_spool_file_reads_back_every_part_as_appended_whenever_it_is_read(tmp_path, monkeypatch):
    """Parts are read with os.pread, each right after it was appended (still in the stream's buffer)
    or later, in any order; a short read (which a regular file never gives) is read again the stream's way."""
    from perfeval_xl.writers import summary_spool

    spool = summary_spool._SpoolFile(tmp_path / "parts")
    rng = random.Random(3)
    parts, spans = [], []
    for index in range(300):
        part = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 100, 5000, 20000])))
        spans.append(spool.append_pair(part[:7], part[7:]) if index % 3 else spool.append(part))
        parts.append(part)
        if index % 4 == 0:
            assert spool.read(spans[-1]) == part
        at = rng.randrange(len(parts))
        assert spool.read(spans[at]) == parts[at]
    pread = summary_spool._pread
    monkeypatch.setattr(summary_spool, "_pread", lambda fd, size, at: pread(fd, size // 2, at))
    assert [spool.read(span) for span in spans] == parts
    monkeypatch.setattr(summary_spool, "_pread", None)  # Windows has none
    assert [spool.read(span) for span in reversed(spans)] == parts[::-1]
    spool.close()
    assert not (tmp_path / "parts").exists()


def test_a_summary_json_that_cannot_be_moved_into_place_is_written_from_its_entries(tmp_path, monkeypatch):
    """E.g. OUTBOX/.perfeval linked to another file system: renaming across them fails (EXDEV)."""
    from perfeval_xl.writers import summary_spool

    files = long_batch()
    order = order_of(files)
    write_summary_json(files, tmp_path / "list.json", RULEBOOK)
    replace = os.replace

    def across_file_systems(source, target):
        if os.fspath(source).endswith(".part"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        replace(source, target)

    finished = finished_bodies(monkeypatch)
    monkeypatch.setattr(summary_spool.os, "replace", across_file_systems)
    spool = deflating_spool(tmp_path / "out", files, order)
    spool.write_json(tmp_path / "summary.json", RULEBOOK, order)
    spool.close()
    assert finished == [False]
    assert (tmp_path / "summary.json").read_bytes() == (tmp_path / "list.json").read_bytes()
    assert not (tmp_path / "out" / ".perfeval" / "summary").exists()


def test_an_entry_of_many_forms_is_written_ahead_whole(tmp_path, monkeypatch):
    from perfeval_xl.writers import summary_spool

    monkeypatch.setattr(summary_spool, "rank_width", lambda files, lowest_rank=None: 5)  # a null and a space each
    files = [project_file("多表.xlsx", "80", forms=12), *batch()]  # 12 forms: 26 parts to write
    order = order_of(files)
    write_summary_json(files, tmp_path / "list.json", RULEBOOK)
    finished = finished_bodies(monkeypatch)
    spool = deflating_spool(tmp_path / "out", files, order)
    spool.write_json(tmp_path / "summary.json", RULEBOOK, order)
    spool.close()
    assert finished == [True]
    assert (tmp_path / "summary.json").read_bytes() == (tmp_path / "list.json").read_bytes()


def test_the_record_made_from_a_workers_view_is_the_one_made_from_the_result(tmp_path):
    # A batch's only worker sends a view of each scored result; the batch's process rebuilds a
    # result of it and prepares the record.  It must be the record the result gives: examples
    # (every layout, department forms, flags of every kind), a formula-like name, no self total.
    import perfeval_xl
    from perfeval_xl.writers.summary_view import result_of_view, summary_view

    examples = Path(__file__).resolve().parents[1] / "examples"
    files = [*perfeval_xl.score_folder(examples).files, department_file("d.xlsx", "95.61"),
             project_file("x.xlsx", "88.555", name='=HYPERLINK("http://x")', self_total=None, item_count=12,
                          flags_every=2, forms=2, form_flags=[Flag("表级问题")])]
    for file in files:
        view = summary_view(file)
        assert len(view) < len(prepare_summary(file).to_bytes())
        assert prepare_summary(result_of_view(view)) == prepare_summary(file), file.file


def test_only_a_batchs_only_worker_leaves_its_summary_records_to_the_batch(tmp_path, monkeypatch):
    # With one worker the batch's process prepares the records (from the views it sends); with
    # several, each worker does, as the batch's process could not keep up with them all.  The
    # summaries are the same either way.
    import perfeval_xl
    from perfeval_xl import batch as batch_module
    from perfeval_xl.writers import summary_view

    examples = Path(__file__).resolve().parents[1] / "examples"
    viewed = []
    real = summary_view.result_of_view

    def noting(view):
        viewed.append(view)
        return real(view)

    monkeypatch.setattr(batch_module, "result_of_view", noting)
    summaries = {}
    for jobs in (1, 2):
        viewed.clear()
        batch = perfeval_xl.score_folder(examples, out=tmp_path / f"out{jobs}", jobs=jobs, formats=("json", "csv"))
        ok = sum(status == "ok" for status in batch.statuses.values())
        assert len(viewed) == (ok - 2 if jobs == 1 else 0)  # the two department files paired across files travel whole
        summaries[jobs] = [(tmp_path / f"out{jobs}" / name).read_bytes() for name in ("summary.json", "summary.csv")]
    assert summaries[1] == summaries[2]
