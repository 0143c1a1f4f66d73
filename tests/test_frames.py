"""BatchResult.to_dataframe: one row per scored item, for finance tools that work in pandas.

The frame of the sample cases is checked against summary.json in test_samples.py; here, what
needs no sample: a batch with no item, columns a unit left blank, and a batch's frame made from
what its outbox stored.
"""
from __future__ import annotations

import math
import os
import shutil
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import perfeval_xl
from perfeval_xl.errors import PerfevalError
from perfeval_xl.frames import ITEM_COLUMNS, items_frame
from perfeval_xl.model import FileResult, FormResult, ItemScore, ProjectForm, Source

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

D = Decimal


def project_file(file: str, self_scores: list[Decimal | None], self_total: Decimal | None) -> FileResult:
    form = ProjectForm(file=file, sheet="自评表", layout="national-2020", year=2024, name="道路养护项目",
                       department="城管局", unit="市政所", self_total=self_total)
    items = [ItemScore("产出指标", "数量指标", f"指标{n}", D("10"), D("8.5"), self_score, "17/20×10=8.50",
                       source=Source("自评表", f"H{14 + n}"))
             for n, self_score in enumerate(self_scores)]
    return FileResult(file, "ok", forms=[FormResult(form, "mof-2020-project", items, D("85.00"), "良")])


def test_a_batch_with_no_item_gives_an_empty_frame_of_the_same_columns():
    for files in ([], [FileResult("坏.xlsx", "error", error="文件已损坏或不是Excel工作簿")]):
        frame = items_frame(files)
        assert list(frame.columns) == ITEM_COLUMNS and frame.empty
        assert dict(frame.dtypes) == dict(items_frame([project_file("a.xlsx", [None], None)]).dtypes)


NUMBER_COLUMNS = ["total", "self_total", "weight", "score", "self_score", "difference"]


def test_the_columns_have_the_same_types_whatever_the_rows_hold():
    # Units that self-scored nothing gave self_score and difference columns of None (object), where
    # .abs() raised and a concat with another batch's frame turned every number into an object.
    blank = items_frame([project_file("a.xlsx", [None, None], None)])
    filled = items_frame([project_file("b.xlsx", [D("9"), D("7")], D("90"))])
    assert [str(blank[name].dtype) for name in NUMBER_COLUMNS] == ["float64"] * 6
    assert blank["applicable"].dtype == bool and dict(blank.dtypes) == dict(filled.dtypes)
    assert blank["difference"].abs().isna().all()
    assert dict(pd.concat([blank, filled]).dtypes) == dict(filled.dtypes)


def test_a_row_per_item_with_the_forms_facts_on_every_row():
    # b.xlsx: no 自评总分, and an item without a self-score, so no sum of them stands in for it
    frame = items_frame([project_file("a.xlsx", [D("10"), D("9")], D("95")), project_file("b.xlsx", [D("7"), None], None)])
    assert list(frame["file"]) == ["a.xlsx", "a.xlsx", "b.xlsx", "b.xlsx"]
    assert list(frame["item"]) == ["指标0", "指标1", "指标0", "指标1"]
    assert list(frame["cell"]) == ["自评表!H14", "自评表!H15", "自评表!H14", "自评表!H15"]
    assert frame["self_score"].tolist()[:3] == [10.0, 9.0, 7.0] and math.isnan(frame["self_score"].iloc[3])
    assert frame["difference"].tolist()[:3] == [-1.5, -0.5, 1.5]
    assert frame["total"].tolist() == [85.0] * 4
    assert frame["self_total"].iloc[0] == 95.0 and math.isnan(frame["self_total"].iloc[2])


def test_blank_self_scores_are_missing_values_not_zeros():
    frame = items_frame([project_file("a.xlsx", [None, None], None)])
    assert frame["self_score"].isna().all() and frame["difference"].isna().all()
    assert frame["score"].tolist() == [8.5, 8.5]


def test_numbers_are_rounded_half_up_to_2_places_as_in_summary_json():
    frame = items_frame([project_file("a.xlsx", [D("8.555")], D("95.005"))])
    assert frame["self_score"].tolist() == [8.56] and frame["difference"].tolist() == [-0.06]
    assert frame["self_total"].tolist() == [95.01]


@pytest.fixture
def scored_examples(tmp_path):
    inbox = tmp_path / "收件箱"
    shutil.copytree(EXAMPLES, inbox)
    return inbox, perfeval_xl.score_folder(inbox, out=tmp_path / "评分结果", jobs=2)


def test_a_batch_with_an_outbox_gives_the_frame_of_its_results_from_what_it_stored(scored_examples):
    inbox, batch = scored_examples
    frame = batch.to_dataframe()
    assert len(frame) > 100 and set(frame["kind"]) == {"project", "department"}
    pd.testing.assert_frame_equal(frame, items_frame(batch.files))  # the results, scored again
    assert frame.equals(perfeval_xl.score_folder(inbox).to_dataframe())  # a batch without an outbox


def test_the_frame_of_a_batch_with_an_outbox_needs_no_input_still_there(scored_examples):
    inbox, batch = scored_examples
    before = batch.to_dataframe()
    shutil.rmtree(inbox)
    with pytest.raises(PerfevalError, match="已被移走"):
        batch.files[0]  # a result is scored again from its input, which is gone
    pd.testing.assert_frame_equal(batch.to_dataframe(), before)


def test_a_file_the_store_no_longer_holds_is_scored_again_for_the_frame(scored_examples, tmp_path):
    inbox, batch = scored_examples
    before = batch.to_dataframe()
    with sqlite3.connect(tmp_path / "评分结果" / ".perfeval" / "state.sqlite") as db:  # as a later run may
        assert db.execute("DELETE FROM files WHERE name = ?", ("城管局/城区道路养护项目.xlsx".encode(),)).rowcount == 1
    pd.testing.assert_frame_equal(batch.to_dataframe(), before)


@pytest.mark.skipif(sys.platform == "win32", reason="names are not bytes there")
def test_a_file_name_that_is_not_utf8_is_readable_in_the_frame_so_it_exports(tmp_path):
    # A zip of GBK names unpacked on Linux: the name keeps lone surrogates in Python, and a frame
    # holding it made to_excel and to_csv raise UnicodeEncodeError.  The frame shows the name as
    # summary.xlsx does; the results keep it as the file system has it, found by readable_name.
    inbox = os.fsencode(tmp_path / "收件箱")
    os.makedirs(inbox + "/单位".encode("gbk"))
    shutil.copy(EXAMPLES / "城管局" / "城区道路养护项目.xlsx", inbox + "/单位/道路项目.xlsx".encode("gbk"))
    batch = perfeval_xl.score_folder(os.fsdecode(inbox), out=tmp_path / "评分结果")
    exact = os.fsdecode("单位/道路项目.xlsx".encode("gbk"))
    assert list(batch.statuses) == [exact]
    for frame in (batch.to_dataframe(), items_frame(batch.files)):  # from summary.json's entries, from results
        assert set(frame["file"]) == {"单位/道路项目.xlsx"} == {perfeval_xl.readable_name(exact)}
        frame.to_excel(tmp_path / "frame.xlsx")
        frame.to_csv(tmp_path / "frame.csv", encoding="utf-8")
    assert pd.read_csv(tmp_path / "frame.csv")["file"].iloc[0] == "单位/道路项目.xlsx"


def test_a_utf8_file_name_is_in_the_frame_as_the_file_system_has_it():
    frame = items_frame([project_file("城管局/道路项目.xlsx", [D("9")], D("90")), project_file("Ŀλ.xlsx", [None], None)])
    assert list(frame["file"]) == ["城管局/道路项目.xlsx", "Ŀλ.xlsx"]
