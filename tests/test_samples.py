"""The sample workbooks in ../shared/cases score exactly as expected.json — via the API and the CLI."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import perfeval_xl
from perfeval_xl.cli import main
from xlsx_check import excel_problems

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
pytestmark = pytest.mark.skipif(not (CASES / "expected.json").is_file(),
                                reason="../shared/cases is not beside this checkout")


def expected_project_forms():
    if not (CASES / "expected.json").is_file():
        return []
    expected = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))
    return [(name, form) for name, forms in expected.items() for form in forms if "project" in form]


def close(a, b):
    return abs(Decimal(str(a)) - Decimal(str(b))) <= Decimal("0.01")


@pytest.mark.parametrize("file, expected", expected_project_forms(), ids=lambda v: v if isinstance(v, str) else "")
def test_api_scores_each_sample_as_expected(file, expected):
    result = perfeval_xl.score_workbook(CASES / file)
    form = next(f for f in result.forms if f.name == expected["project"])
    assert close(form.total, expected["total"]) and form.grade == expected["grade"]
    scores = {item.name: item.score for item in form.items}
    for name, score in expected["items"].items():
        assert close(scores[name], score), name


def test_cli_scores_the_samples_into_summary_json(tmp_path):
    outbox = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", str(CASES), "--out", str(outbox), "--quiet", "--jobs", "1"])
    summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in summary["files"]}
    for file, expected in expected_project_forms():
        assert files[file]["status"] == "ok", files[file]["error"]
        form = next(f for f in files[file]["forms"] if f["name"] == expected["project"])
        assert close(form["total"], expected["total"]) and form["grade"] == expected["grade"]
        items = {i["name"]: i["score"] for i in form["items"]}
        for name, score in expected["items"].items():
            assert close(items[name], score), (file, name)
        assert (outbox / files[file]["output"]).is_file()
        assert files[file]["output"] == file.replace(".xlsx", "") + ".scored.xlsx"  # b.xls → b.xls.scored.xlsx
    assert result.exit_code in (0, 1)  # 1 only while a sample's form kind is not supported yet
    assert (outbox / "summary.xlsx").is_file()


def test_sample_inputs_are_never_modified(tmp_path):
    before = {p.name: p.read_bytes() for p in CASES.iterdir()}
    CliRunner().invoke(main, ["score", str(CASES), "--out", str(tmp_path / "o"), "--quiet", "--jobs", "2"])
    assert {p.name: p.read_bytes() for p in CASES.iterdir()} == before


def test_the_dataframe_has_a_row_per_item_that_adds_up_to_each_forms_total(tmp_path):
    batch = perfeval_xl.score_folder(CASES, out=tmp_path / "out")
    frame = batch.to_dataframe()
    assert list(frame.columns) == ["file", "sheet", "kind", "department", "unit", "name", "grade", "total",
                                   "self_total", "level1", "level2", "item", "weight", "score", "self_score",
                                   "difference", "applicable", "basis", "flags", "cell"]
    assert len(frame) == sum(len(form.items) for form in batch.forms)
    applicable = frame[frame["applicable"]]
    for (file, sheet), rows in applicable.groupby(["file", "sheet"]):
        assert round(rows["score"].sum(), 2) == rows["total"].iloc[0], (file, sheet)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    flags_in_json = {(f["file"], item["name"]): "；".join(item["flags"])
                     for f in summary["files"] for form in f["forms"] for item in form["items"]}
    for row in frame.itertuples():  # the same words as summary.json: what to do, and the cell
        assert row.flags == flags_in_json[(row.file, row.item)]


def test_the_samples_scored_forms_and_summary_open_in_excel_without_repair(tmp_path):
    outbox = tmp_path / "out"
    CliRunner().invoke(main, ["score", str(CASES), "--out", str(outbox), "--quiet", "--jobs", "1"])
    workbooks = sorted(outbox.rglob("*.xlsx"))
    assert len(workbooks) >= 8  # seven scored forms and summary.xlsx
    assert {path.name: excel_problems(path) for path in workbooks} == {path.name: [] for path in workbooks}
