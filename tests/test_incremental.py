"""A rerun in the same outbox scores only what changed; the cache there can never run code."""
import contextlib
import json
import os
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import perfeval_xl
from hostile import write_good

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write_good(folder / "a.xlsx", name="甲项目")
    write_good(folder / "b.xlsx", name="乙项目")
    write_good(folder / "sub" / "c.xlsx", name="丙项目")
    return folder


def scored_mtimes(outbox: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outbox.rglob("*.scored.xlsx")}


def test_a_rerun_reuses_every_unchanged_file(inbox, tmp_path):
    outbox = tmp_path / "out"
    first = perfeval_xl.score_folder(inbox, out=outbox)
    before = scored_mtimes(outbox)
    second = perfeval_xl.score_folder(inbox, out=outbox)
    assert (first.reused, second.reused) == (0, 3)
    assert scored_mtimes(outbox) == before  # nothing rewritten
    assert [f.forms[0].total for f in second.files] == [f.forms[0].total for f in first.files]
    summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["files"]) == 3


def test_only_new_or_changed_files_cost_work(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    write_good(inbox / "b.xlsx", name="乙项目（修改后）")
    write_good(inbox / "d.xlsx", name="丁项目")
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.reused == 2
    names = {f.file: f.forms[0].name for f in batch.files}
    assert names["b.xlsx"] == "乙项目（修改后）" and names["d.xlsx"] == "丁项目"


def test_each_outcome_is_kept_at_its_files_place_among_skipped_scored_and_reused_files(inbox, tmp_path):
    """The batch keeps each file's status and summary by its place in the listing (not by name):
    skipped files (a lock file, a CSV) among files scored by two workers, then, on a rerun, among
    files reused and one scored again."""
    (inbox / "~$a.xlsx").write_bytes(b"lock")
    (inbox / "b.csv").write_text("项目,得分", encoding="utf-8")
    outbox = tmp_path / "out"
    listed = ["a.xlsx", "b.csv", "b.xlsx", "sub/c.xlsx", "~$a.xlsx"]
    for run, reused in (("first", 0), ("after b.xlsx changed", 2)):
        if reused:
            write_good(inbox / "b.xlsx", name="乙项目（修改后）")
        batch = perfeval_xl.score_folder(inbox, out=outbox, jobs=2)
        assert batch.reused == reused, run
        assert list(batch.statuses.items()) == list(zip(listed, ["ok", "skipped", "ok", "ok", "skipped"])), run
        summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"))
        assert [entry["file"] for entry in summary["files"]] == listed, run
    assert [f.forms[0].name for f in batch.files if f.forms] == ["甲项目", "乙项目（修改后）", "丙项目"]


@pytest.mark.parametrize("rules", [None, "central-pre2020-project"])
def test_a_rerun_hashes_only_the_inputs_it_may_reuse(inbox, tmp_path, monkeypatch, rules):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    write_good(inbox / "d.xlsx", name="丁项目")
    hashed = []
    real = perfeval_xl.batch.file_digest
    monkeypatch.setattr(perfeval_xl.batch, "file_digest", lambda path: hashed.append(Path(path).name) or real(path))
    batch = perfeval_xl.score_folder(inbox, out=outbox, rules=rules)
    # d.xlsx is new and, under other rules, every file is scored again: each is hashed by its
    # worker from the bytes it reads, never read a second time for the hash.
    if rules is None:
        assert batch.reused == 3 and sorted(hashed) == ["a.xlsx", "b.xlsx", "c.xlsx"]
    else:
        assert batch.reused == 0 and hashed == []


def test_a_first_run_into_an_outbox_looks_up_no_input(inbox, tmp_path, monkeypatch):
    """An empty store cannot hold a result to reuse: the batch asks it once, not once per input."""
    looked_up = []
    real = perfeval_xl.batch.ResultStore.reusable
    monkeypatch.setattr(perfeval_xl.batch.ResultStore, "reusable",
                        lambda self, relative, *args: looked_up.append(relative) or real(self, relative, *args))
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    assert looked_up == []
    another = tmp_path / "another"  # an inbox new to an outbox that holds another inbox's rows
    another.mkdir()
    write_good(another / "d.xlsx", name="丁项目")
    perfeval_xl.score_folder(another, out=outbox)
    assert looked_up == []
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 3 and len(looked_up) == 3


@pytest.mark.parametrize("change", ["rules", "force", "deleted output", "removed input"])
def test_what_makes_a_file_scored_again(inbox, tmp_path, change):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    kwargs = {}
    if change == "rules":
        kwargs["rules"] = "central-pre2020-project"
    elif change == "force":
        kwargs["force"] = True
    elif change == "deleted output":
        (outbox / "a.scored.xlsx").unlink()
    else:
        (inbox / "a.xlsx").unlink()
    batch = perfeval_xl.score_folder(inbox, out=outbox, **kwargs)
    expected = {"rules": 0, "force": 0, "deleted output": 2, "removed input": 2}[change]
    assert batch.reused == expected
    assert (outbox / "a.scored.xlsx").exists() or change == "removed input"
    assert len(batch.files) == (2 if change == "removed input" else 3)


def stored_rows(outbox: Path) -> list[tuple]:
    """(name, entry, summary, result) of every input in the outbox's store."""
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as db:
        return db.execute("SELECT name, entry, summary, result FROM files ORDER BY name").fetchall()


def tamper(outbox: Path, name: bytes, **columns) -> None:
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as db:
        for column, value in columns.items():
            db.execute(f"UPDATE files SET {column} = ? WHERE name = ?", (value, name))
        db.commit()


def test_a_damaged_or_hostile_cache_is_ignored_not_trusted(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    tamper(outbox, b"a.xlsx", summary=json.dumps({"__type__": "system", "command": "touch /tmp/pwned"}).encode())
    tamper(outbox, b"b.xlsx", entry="{not json")
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.reused == 1 and batch.exit_code == 0
    assert [f.forms[0].name for f in batch.files] == ["甲项目", "乙项目", "丙项目"]
    (outbox / ".perfeval" / "state.sqlite").write_text("garbage", encoding="utf-8")
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 0
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 3


def test_the_store_of_an_earlier_version_is_replaced_not_misread(inbox, tmp_path):
    outbox = tmp_path / "out"
    (outbox / ".perfeval" / "results").mkdir(parents=True)
    (outbox / ".perfeval" / "state.json").write_text('{"version": 3, "files": {}}', encoding="utf-8")
    (outbox / ".perfeval" / "results" / "0123.json").write_text("old", encoding="utf-8")
    assert perfeval_xl.score_folder(inbox, out=outbox).exit_code == 0
    assert sorted(p.name for p in (outbox / ".perfeval").iterdir()) == ["batch.lock", "state.sqlite"]
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as db:
        db.execute("UPDATE meta SET value = 'another version' WHERE key = 'version'")
        db.commit()
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 0


def test_a_removed_input_leaves_the_store(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    (inbox / "b.xlsx").unlink()
    perfeval_xl.score_folder(inbox, out=outbox)
    assert [row[0] for row in stored_rows(outbox)] == [b"a.xlsx", b"sub/c.xlsx"]


def test_a_dask_scheduler_that_cannot_be_reached_is_named_with_what_to_check(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")

    def unreachable(address, *args, **kwargs):
        raise OSError(f"Timed out trying to connect to {address} after 30 s")

    monkeypatch.setattr(distributed, "Client", unreachable)
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    with pytest.raises(perfeval_xl.PerfevalError) as error:
        perfeval_xl.score_folder(inbox, out=tmp_path / "out", executor="dask", scheduler="tcp://10.0.0.5:8786")
    assert str(error.value) == ("无法连接Dask调度器“tcp://10.0.0.5:8786”（连接超时）：请确认地址和端口正确、"
                                "调度器已启动且本机可以访问")


@pytest.mark.skipif(not (CASES / "expected.json").is_file(), reason="../shared/cases is not beside this checkout")
def test_dask_local_cluster_gives_the_same_results_as_local_processes(tmp_path):
    pytest.importorskip("distributed")
    inbox = tmp_path / "cases"
    shutil.copytree(CASES, inbox)
    local = perfeval_xl.score_folder(inbox, out=tmp_path / "local", jobs=2)
    dask = perfeval_xl.score_folder(inbox, out=tmp_path / "dask", jobs=2, executor="dask")
    assert dask.statuses == local.statuses
    summaries = [json.loads((tmp_path / name / "summary.json").read_text(encoding="utf-8"))
                 for name in ("local", "dask")]
    assert summaries[0] == summaries[1]
    assert sorted(p.name for p in (tmp_path / "dask").glob("*.scored.xlsx")) == \
        sorted(p.name for p in (tmp_path / "local").glob("*.scored.xlsx"))


def test_dask_keeps_a_bounded_window_of_tasks_and_forgets_each_one_done(tmp_path, monkeypatch):
    """The cluster holds a task's outcome while the batch holds the task: a window, not the batch."""
    distributed = pytest.importorskip("distributed")
    import perfeval_xl.dask_executor as dask_executor

    inbox = tmp_path / "in"
    inbox.mkdir()
    for number in range(12):
        write_good(inbox / f"f{number:02d}.xlsx", name=f"项目{number}")
    monkeypatch.setattr(dask_executor, "IN_FLIGHT_PER_THREAD", 1, raising=False)
    monkeypatch.setattr(dask_executor, "SUBMIT_GROUP", 1, raising=False)
    held, submitted = [], []
    real_map = distributed.Client.map

    def map_(client, function, entries, *args, **kwargs):
        futures = real_map(client, function, entries, *args, **kwargs)
        submitted.extend(entries)
        held.append(len(client.futures))
        return futures

    monkeypatch.setattr(distributed.Client, "map", map_)
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=2, executor="dask")
    assert set(batch.statuses.values()) == {"ok"} and len(batch.statuses) == 12
    assert len(submitted) == 12  # a task per file
    # The scattered rulebooks, a window of one task per worker thread, and the few done tasks whose
    # release is still on its way; holding every task would reach 13.
    assert max(held) <= 1 + 2 + 2


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_a_stored_result_reads_back_equal_to_the_scored_one(tmp_path):
    """Every class of the model survives the store: projects, departments with base data, flags, Decimals."""
    from perfeval_xl import _codec

    batch = perfeval_xl.score_folder(EXAMPLES, out=tmp_path / "out")
    kinds = {form.kind for file in batch.files for form in file.forms}
    assert kinds == {"project", "department"}
    for stored in batch.files:
        assert _codec.decode_file_result(json.loads(json.dumps(_codec.encode_file_result(stored)))) == stored
        if "统计局" not in stored.file:  # the one department split over two files
            scored = perfeval_xl.score_workbook(EXAMPLES / stored.file)
            assert [form.total for form in stored.forms] == [form.total for form in scored.forms]
            assert stored.forms[0].items == scored.forms[0].items


def test_a_stored_result_can_only_name_the_models_classes():
    from perfeval_xl import _codec

    result = perfeval_xl.FileResult(file="a.xlsx", status="ok")
    data = _codec.encode_file_result(result)
    data[6] = [["Popen", ["touch /tmp/pwned"]]]  # the untyped `unpaired` list carries class names
    with pytest.raises(ValueError, match="unknown class 'Popen'"):
        _codec.decode_file_result(data)
    with pytest.raises(ValueError, match="fields"):
        _codec.decode_file_result(data[:-1])


def test_a_scored_result_is_rebuilt_from_its_unchanged_input(inbox, tmp_path):
    """The store keeps a scored file's summary, not its whole result: that is read again on access."""
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert [result for *_, result in stored_rows(tmp_path / "out")] == [None, None, None]
    assert batch.files[0].forms[0].name == "甲项目"
    assert batch.files[0].output == "a.scored.xlsx"
    write_good(inbox / "a.xlsx", name="改过的项目")
    with pytest.raises(perfeval_xl.PerfevalError, match="在评分后已被修改"):
        batch.files[0]
    (inbox / "b.xlsx").unlink()
    with pytest.raises(perfeval_xl.PerfevalError, match="已被移走"):
        batch.files[1]


def test_a_failed_file_is_stored_whole(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "broken.xlsx").write_bytes(b"not a workbook")
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    (inbox / "broken.xlsx").unlink()  # its result does not need the input
    assert batch.failed[0].file == "broken.xlsx" and batch.failed[0].error


def test_a_batch_of_many_files_in_one_worker_matches_one_file_at_a_time(inbox, tmp_path):
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", jobs=1)
    alone = [perfeval_xl.score_workbook(inbox / name) for name in batch.statuses]
    assert [f.forms[0].total for f in batch.files] == [f.forms[0].total for f in alone]


def test_an_outbox_another_batch_holds_is_a_plain_error_not_a_deleted_store(inbox, tmp_path, monkeypatch):
    from perfeval_xl import store

    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.1)
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as other:
        other.execute("BEGIN EXCLUSIVE")  # another batch, writing
        with pytest.raises(perfeval_xl.PerfevalError, match="另一次评分正在使用同一输出文件夹"):
            perfeval_xl.score_folder(inbox, out=outbox)
        other.rollback()
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 3  # the store was kept


def test_a_deleted_inputs_scored_form_goes_with_it(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    assert (outbox / "a.scored.xlsx").is_file()
    (inbox / "a.xlsx").unlink()
    perfeval_xl.score_folder(inbox, out=outbox)
    assert not (outbox / "a.scored.xlsx").exists()
    assert (outbox / "b.scored.xlsx").is_file()


def test_a_units_folder_moved_out_of_the_inbox_leaves_no_empty_folder_in_the_outbox(inbox, tmp_path):
    outbox = tmp_path / "out"
    (inbox / "水利局" / "二级").mkdir(parents=True)
    write_good(inbox / "水利局" / "二级" / "c.xlsx")
    (inbox / "教育局").mkdir()
    write_good(inbox / "教育局" / "d.xlsx")
    perfeval_xl.score_folder(inbox, out=outbox)
    (outbox / "教育局" / "说明.txt").write_text("an officer's own note")
    shutil.move(inbox / "水利局", tmp_path / "elsewhere")
    (inbox / "教育局" / "d.xlsx").unlink()
    perfeval_xl.score_folder(inbox, out=outbox)
    assert not (outbox / "水利局").exists()  # its scored form gone, and the folders it left empty
    assert sorted(p.name for p in (outbox / "教育局").iterdir()) == ["说明.txt"]  # not empty: kept
    assert (outbox / "a.scored.xlsx").is_file() and (outbox / ".perfeval").is_dir()


def test_another_inbox_scored_into_the_same_outbox_leaves_the_first_ones_forms(inbox, tmp_path):
    outbox, other = tmp_path / "out", tmp_path / "other"
    other.mkdir()
    write_good(other / "c.xlsx")
    perfeval_xl.score_folder(inbox, out=outbox)
    perfeval_xl.score_folder(other, out=outbox)  # that inbox's files are not gone, only elsewhere
    assert (outbox / "a.scored.xlsx").is_file() and (outbox / "c.scored.xlsx").is_file()


def test_a_failing_file_of_another_inbox_leaves_the_first_ones_form_of_the_same_name(inbox, tmp_path):
    outbox, other = tmp_path / "out", tmp_path / "other"
    other.mkdir()
    (other / "a.xlsx").write_bytes(b"not a workbook")
    perfeval_xl.score_folder(inbox, out=outbox)
    assert perfeval_xl.score_folder(other, out=outbox).statuses == {"a.xlsx": "skipped"}
    assert (outbox / "a.scored.xlsx").is_file()  # the first inbox's a.xlsx is not this one


def test_a_file_of_another_inbox_named_as_the_first_ones_is_skipped_not_written_over_it(inbox, tmp_path):
    # Two inboxes, each with its 报表: the second's scored form replaced the first's, whose
    # results (and officer) went on naming a form that now held another unit's project.
    outbox, other = tmp_path / "out", tmp_path / "other"
    other.mkdir()
    write_good(other / "a.xlsx", name="另一收件箱的项目")
    write_good(other / "d.xlsx", name="丁项目")
    first = perfeval_xl.score_folder(inbox, out=outbox)
    second = perfeval_xl.score_folder(other, out=outbox)
    assert second.statuses == {"a.xlsx": "skipped", "d.xlsx": "ok"}  # the others are scored
    assert second.files[0].error == (f"输出文件夹中的“a.scored.xlsx”是另一个收件箱“{inbox.resolve()}”中同名文件的评分表，"
                                     "为免覆盖，本文件未评分；请为本收件箱另选输出文件夹（--out）后重新运行")
    assert openpyxl.load_workbook(outbox / "a.scored.xlsx").active["B3"].value == "甲项目"
    assert first.files[0].forms[0].name == "甲项目"
    # The first inbox's own reruns are untouched by the second's rows; once it is gone, its
    # outputs are nobody's and the second inbox's a.xlsx is scored.
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 3
    shutil.rmtree(inbox)
    assert perfeval_xl.score_folder(other, out=outbox).statuses == {"a.xlsx": "ok", "d.xlsx": "ok"}
    assert openpyxl.load_workbook(outbox / "a.scored.xlsx").active["B3"].value == "另一收件箱的项目"


def test_a_scored_form_rewritten_since_it_was_noted_is_not_reused(inbox, tmp_path):
    # A run stopped with Ctrl-C leaves forms its workers wrote for inputs as they were then; when
    # the inputs are changed back, the form on disk is not the one the store noted.
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    shutil.copy(outbox / "b.scored.xlsx", outbox / "a.scored.xlsx")  # as a stopped run's worker
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.reused == 2
    assert openpyxl.load_workbook(outbox / "a.scored.xlsx").active["B3"].value == "甲项目"


def test_two_inboxes_scored_in_turn_into_one_outbox_each_keep_their_own_record(inbox, tmp_path):
    outbox, other = tmp_path / "out", tmp_path / "other"
    other.mkdir()
    write_good(other / "d.xlsx")
    perfeval_xl.score_folder(inbox, out=outbox)
    perfeval_xl.score_folder(other, out=outbox)
    (inbox / "a.xlsx").unlink()
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.reused == 2  # b and c: the other inbox's run did not make this one's record go
    assert not (outbox / "a.scored.xlsx").exists()  # deleted since this inbox's last run
    assert (outbox / "d.scored.xlsx").is_file()


def test_a_moved_inbox_reuses_its_results(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    moved = inbox.rename(tmp_path / "收件箱2025")
    assert perfeval_xl.score_folder(moved, out=outbox).reused == 3


def test_an_inbox_gone_for_now_keeps_its_forms_when_another_is_scored_meanwhile(inbox, tmp_path):
    # Its drive unplugged: the other inbox was taken for it moved, took its rows, and removed
    # its scored forms as those of inputs deleted since.
    outbox, other = tmp_path / "out", tmp_path / "other"
    other.mkdir()
    write_good(other / "d.xlsx", name="丁项目")
    perfeval_xl.score_folder(inbox, out=outbox)
    unplugged = inbox.rename(tmp_path / "unplugged")
    assert perfeval_xl.score_folder(other, out=outbox).reused == 0
    assert sorted(p.name for p in outbox.glob("*.scored.xlsx")) == ["a.scored.xlsx", "b.scored.xlsx", "d.scored.xlsx"]
    assert (outbox / "sub" / "c.scored.xlsx").is_file()
    unplugged.rename(inbox)
    assert perfeval_xl.score_folder(inbox, out=outbox).statuses == dict.fromkeys(["a.xlsx", "b.xlsx", "sub/c.xlsx"], "ok")


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_temporary_files_of_a_killed_run_are_removed_by_the_next(inbox, tmp_path):
    # A batch killed (kill -9, the machine off) while its workers wrote left ".b.scored.<pid>-<n>.tmp.xlsx"
    # files in the outbox for good; a leading dot hides nothing on a Windows share.
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    pid = _dead_pid()
    left = [outbox / f".b.scored.{pid}-7.tmp.xlsx", outbox / "sub" / f".c.scored.{pid}-12.tmp.xlsx",
            outbox / f".summary.{pid}-0.tmp.json"]
    mine = [outbox / ".我的.tmp.xlsx", outbox / f".b.scored.{os.getpid()}-1.tmp.xlsx"]  # not a dead run's
    for path in left + mine:
        path.write_bytes(b"")
    perfeval_xl.score_folder(inbox, out=outbox)  # the last run finished: nothing to clear
    assert all(path.exists() for path in left + mine)
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as db, db:
        db.execute("DELETE FROM meta WHERE key = 'finished'")  # as a run killed before it saved
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 3
    assert not any(path.exists() for path in left) and all(path.exists() for path in mine)


def test_a_run_killed_while_writing_its_summaries_has_its_temporary_files_removed(inbox, tmp_path, monkeypatch):
    # The run was marked finished before its summaries were written: one killed in the middle of
    # them left ".summary.<pid>-0.tmp.xlsx" that no later run removed.
    from perfeval_xl.writers.summary_spool import SummarySpool

    outbox, pid = tmp_path / "out", _dead_pid()
    left = outbox / f".summary.{pid}-0.tmp.xlsx"

    def killed_while_writing(self, *args, **kwargs):
        left.write_bytes(b"half a summary")
        raise KeyboardInterrupt

    monkeypatch.setattr(SummarySpool, "write", killed_while_writing)
    with pytest.raises(KeyboardInterrupt):
        perfeval_xl.score_folder(inbox, out=outbox)
    monkeypatch.undo()
    assert left.exists()
    perfeval_xl.score_folder(inbox, out=outbox)
    assert not left.exists() and (outbox / "summary.xlsx").is_file()


def test_an_upgrade_removes_what_the_earlier_version_wrote_and_this_one_does_not(inbox, tmp_path):
    # A store of another version is emptied; the outputs its rows named were no run's: a report draft
    # renamed since (X.甲局.报告初稿.docx → X.报告初稿.甲局.docx) stayed beside the new one for good.
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as db, db:
        (entry,) = db.execute("SELECT entry FROM files WHERE name = ?", (b"a.xlsx",)).fetchone()
        old = json.loads(entry)
        old["reports"] = ["a.旧名.报告初稿.docx"]
        db.execute("UPDATE files SET entry = ? WHERE name = ?", (json.dumps(old), b"a.xlsx"))
        db.execute("UPDATE meta SET value = '8 old' WHERE key = 'version'")
    (outbox / "a.旧名.报告初稿.docx").write_bytes(b"an earlier version's draft")
    (outbox / "说明.docx").write_bytes(b"the officer's own")
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 0  # scored again, as after any upgrade
    assert not (outbox / "a.旧名.报告初稿.docx").exists()
    assert (outbox / "a.scored.xlsx").is_file() and (outbox / "说明.docx").is_file()


def test_a_summary_not_asked_for_this_time_is_not_left_from_an_earlier_run(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox, formats=("xlsx", "json", "csv"))
    assert (outbox / "summary.csv").is_file()
    perfeval_xl.score_folder(inbox, out=outbox)
    assert not (outbox / "summary.csv").exists() and (outbox / "summary.json").is_file()


def test_a_summary_no_run_wrote_is_left_where_the_officer_put_it(inbox, tmp_path):
    # A folder used as an outbox for the first time held the officer's own summary.csv: the
    # first run deleted it, as if an earlier run had written it.
    outbox = tmp_path / "out"
    outbox.mkdir()
    (outbox / "summary.csv").write_text("科室自己的汇总", encoding="utf-8")
    perfeval_xl.score_folder(inbox, out=outbox)
    perfeval_xl.score_folder(inbox, out=outbox, formats="json")  # a rerun: summary.xlsx was its own
    assert (outbox / "summary.csv").read_text(encoding="utf-8") == "科室自己的汇总"
    assert not (outbox / "summary.xlsx").exists() and (outbox / "summary.json").is_file()


def test_a_store_that_did_not_note_its_summaries_takes_them_all_as_a_runs(inbox, tmp_path):
    # Written by 0.1.10 and before: an upgrade still removes the summary a run wrote then.
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox, formats=("xlsx", "csv"))
    with contextlib.closing(sqlite3.connect(outbox / ".perfeval" / "state.sqlite")) as db, db:
        db.execute("DELETE FROM meta WHERE key = 'summaries'")
    perfeval_xl.score_folder(inbox, out=outbox)
    assert not (outbox / "summary.csv").exists()


def test_a_file_that_fails_now_loses_the_scored_form_of_its_earlier_content(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    (inbox / "a.xlsx").write_bytes(b"not a workbook any more")
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.statuses["a.xlsx"] == "error"
    assert not (outbox / "a.scored.xlsx").exists()


@pytest.mark.skipif(not (CASES / "expected.json").is_file(), reason="../shared/cases is not beside this checkout")
def test_an_input_replaced_by_one_with_the_same_output_keeps_that_output(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(CASES / "06_集中办公及政务公开经费项目.xls", inbox / "b.xls")
    perfeval_xl.score_folder(inbox, out=outbox)
    (inbox / "b.xls").unlink()
    write_good(inbox / "b.xls.xlsx")  # its scored form is b.xls.scored.xlsx too
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.statuses == {"b.xls.xlsx": "ok"}
    assert (outbox / "b.xls.scored.xlsx").is_file()


def scored_department(tmp_path: Path) -> tuple[Path, Path]:
    """(inbox, outbox): d.xlsx, a department workbook with its F2, scored once (a report draft written)."""
    from deptgen import BaseFigures, write_department_workbook

    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    write_department_workbook(inbox / "d.xlsx", BaseFigures("某局"))
    perfeval_xl.score_folder(inbox, out=outbox)
    assert list(outbox.glob("d.*.docx"))
    return inbox, outbox


def test_a_department_file_that_fails_now_loses_its_report_draft_too(tmp_path):
    inbox, outbox = scored_department(tmp_path)
    (inbox / "d.xlsx").write_bytes(b"not a workbook any more")
    perfeval_xl.score_folder(inbox, out=outbox)
    assert not list(outbox.glob("d.*")), list(outbox.glob("d.*"))


def test_an_input_scored_again_without_its_f2_loses_its_report_draft(tmp_path):
    from deptgen import write_scoring_only

    inbox, outbox = scored_department(tmp_path)
    write_scoring_only(inbox / "d.xlsx", "某局")  # sent again without the 基础数据表
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.statuses == {"d.xlsx": "ok"} and (outbox / "d.scored.xlsx").is_file()
    assert not list(outbox.glob("*.docx"))  # its figures came from the F2 that is gone


def test_a_damaged_entry_of_a_deleted_input_does_not_stop_the_rerun(inbox, tmp_path):
    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    tamper(outbox, b"a.xlsx", entry="{not json")
    (inbox / "a.xlsx").unlink()
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.exit_code == 0 and batch.reused == 2


def test_a_store_damaged_in_a_page_read_later_is_started_afresh_not_fatal(inbox, tmp_path):
    # A power cut may tear a page that opening the database does not read; the store is a cache.
    outbox = tmp_path / "out"
    for number in range(40):  # enough rows for the files table to span several pages
        write_good(inbox / f"more{number:02d}.xlsx", name=f"项目{number}")
    perfeval_xl.score_folder(inbox, out=outbox)
    path = outbox / ".perfeval" / "state.sqlite"
    data = bytearray(path.read_bytes())
    data[-4096:] = b"\x5a" * 4096  # the last page, a leaf of the files table
    path.write_bytes(bytes(data))
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert batch.exit_code == 0 and set(batch.statuses.values()) == {"ok"}
    summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["files"]) == 43
    assert perfeval_xl.score_folder(inbox, out=outbox).exit_code == 0


def test_results_read_back_after_the_store_was_started_afresh_mid_run(inbox, tmp_path, monkeypatch):
    # A damaged page found on the fourth read of a rerun: the rows kept before it are gone too.
    import perfeval_xl.store as store

    outbox = tmp_path / "out"
    perfeval_xl.score_folder(inbox, out=outbox)
    real, reads = store.ResultStore._row, []

    def damaged_on_the_fourth_read(self, relative, columns, run=None):
        reads.append(relative)
        if len(reads) == 4:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(self, relative, columns, run)

    monkeypatch.setattr(store.ResultStore, "_row", damaged_on_the_fourth_read)
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    assert [f.forms[0].name for f in batch.files] == ["甲项目", "乙项目", "丙项目"]
    assert all(f.output for f in batch.files)


def test_a_rulebook_changed_in_code_is_a_changed_rulebook_for_a_rerun(tmp_path):
    # dataclasses.replace keeps the data the rulebook was loaded from: a rerun reused what the old
    # grades had graded, and summary.json disagreed with BatchResult.files.
    import dataclasses

    from perfeval_xl.rules.rulebook import Grade

    inbox = tmp_path / "in"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "城管局", inbox)
    rulebook = perfeval_xl.load_rulebook("mof-2020-project")
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", rules=rulebook)
    stricter = dataclasses.replace(rulebook, grades=(Grade("优", Decimal("99")), *rulebook.grades[1:]))
    again = perfeval_xl.score_folder(inbox, out=tmp_path / "out", rules=stricter)
    assert again.reused == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    graded = [(form["total"], form["grade"]) for file in summary["files"] for form in file["forms"]]
    assert any(90 <= total < 99 for total, _ in graded)  # a form the stricter grades grade otherwise
    assert all(grade == stricter.grade_for(Decimal(str(total))) for total, grade in graded)


def test_the_rulebooks_fingerprint_is_the_same_in_every_process():
    # A rerun is another process: a fingerprint that followed string hashing would reuse nothing.
    import subprocess
    import sys

    code = ("from perfeval_xl import load_rulebook, builtin_rulebooks; from perfeval_xl.store import rules_fingerprint;"
            "print(rules_fingerprint([load_rulebook(n) for n in builtin_rulebooks()], 'v'))")
    fingerprints = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                   env={**os.environ, "PYTHONHASHSEED": seed}).stdout
                    for seed in ("1", "2", "3")}
    assert len(fingerprints) == 1 and len(fingerprints.pop()) == 65


def test_a_second_batch_into_an_outbox_in_use_is_told_so_and_writes_nothing(tmp_path):
    # Two batches into one outbox deleted each other's scratch files: summary.json was left as
    # invalid JSON, or the second ended in an English traceback.
    import subprocess
    import sys

    from perfeval_xl._outbox_lock import outbox_lock

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    outbox = tmp_path / "out"
    with outbox_lock(outbox):  # a batch of this process holds it
        with pytest.raises(perfeval_xl.OutboxBusy, match="另一次评分正在使用输出文件夹"):
            perfeval_xl.score_folder(inbox, out=outbox)
    holder = subprocess.Popen(  # and one of another process
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from perfeval_xl._outbox_lock import "
         "outbox_lock\nwith outbox_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)", str(outbox)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(perfeval_xl.OutboxBusy):
            perfeval_xl.score_folder(inbox, out=outbox)
    finally:
        holder.kill()
        holder.wait()
    assert not (outbox / "summary.json").exists()
    assert perfeval_xl.score_folder(inbox, out=outbox).exit_code == 0  # free again
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 1  # and released at the end of a batch


def test_one_password_given_as_a_string_is_one_password_not_its_characters(tmp_path):
    from hostile import encrypt

    inbox = tmp_path / "in"
    inbox.mkdir()
    encrypt(write_good(tmp_path / "plain.xlsx"), inbox / "locked.xlsx", "pw-2023")
    assert perfeval_xl.score_folder(inbox, passwords="pw-2023").statuses == {"locked.xlsx": "ok"}


def test_a_scheduler_without_the_dask_executor_is_an_error_not_ignored(tmp_path):
    with pytest.raises(perfeval_xl.PerfevalError, match="scheduler 只用于"):
        perfeval_xl.score_folder(tmp_path, scheduler="tcp://10.0.0.5:8786")


def test_an_earlier_batchs_results_are_not_a_later_runs_read_as_its_own(inbox, tmp_path):
    # BatchResult reads from the outbox when asked: a later run that scored a changed input again
    # gave the earlier object the later numbers, silently.  One that reused an input leaves it readable.
    outbox = tmp_path / "out"
    first = perfeval_xl.score_folder(inbox, out=outbox)
    before = first.files[0].forms[0].total
    write_good(inbox / "b.xlsx", name="乙项目（修改后）")
    assert perfeval_xl.score_folder(inbox, out=outbox).reused == 2
    assert first.files[0].forms[0].total == before  # a.xlsx: reused, still this batch's
    with pytest.raises(perfeval_xl.PerfevalError, match="之后又评分过一次，“b.xlsx”这次的结果已被取代"):
        first.files[1]
    with pytest.raises(perfeval_xl.PerfevalError, match="已被取代"):
        first.to_dataframe()


def test_the_results_of_a_batch_whose_outbox_was_moved_say_so(inbox, tmp_path):
    outbox = tmp_path / "out"
    batch = perfeval_xl.score_folder(inbox, out=outbox)
    outbox.rename(tmp_path / "moved")
    with pytest.raises(perfeval_xl.PerfevalError, match="已不存在（输出文件夹被移走或删除？）"):
        batch.files[0]


def test_a_batch_result_with_an_outbox_travels_pickled_and_reads_back_there(inbox, tmp_path):
    # It kept the batch's whole run alive (its spool, its hooks, the open database): "cannot pickle
    # '_io.BufferedRandom' object", or a lambda hook's PicklingError.
    import copy
    import pickle

    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", on_file=lambda outcome: None)
    travelled = pickle.loads(pickle.dumps(batch))
    assert [f.forms[0].total for f in travelled.files] == [f.forms[0].total for f in batch.files]
    assert travelled.to_dataframe().equals(batch.to_dataframe())
    assert copy.deepcopy(batch).statuses == batch.statuses


def test_a_batch_result_with_an_outbox_reads_back_in_any_thread(inbox, tmp_path):
    # A web server or a GUI hands results between threads.  The store's connection belonged to
    # the thread that first read it: every read from another failed, blaming a busy or full disk.
    import threading
    from concurrent.futures import ThreadPoolExecutor

    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    expected = batch.to_dataframe()  # opens the store in this thread
    with ThreadPoolExecutor(1) as other:
        assert other.submit(batch.to_dataframe).result().equals(expected)
        assert other.submit(lambda: batch.files[2].file).result() == "sub/c.xlsx"
    failures = []

    def read_often():
        try:
            for _ in range(5):
                assert batch.to_dataframe().equals(expected)
        except Exception as exc:  # collected: an exception in a thread does not fail the test
            failures.append(exc)

    readers = [threading.Thread(target=read_often) for _ in range(3)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert failures == []


def test_an_empty_path_is_refused_not_taken_for_the_working_folder(inbox, tmp_path, monkeypatch):
    # out="" wrote scored forms, summaries and .perfeval into the working folder; inbox="" scored it.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(perfeval_xl.PerfevalError, match="输出文件夹路径为空"):
        perfeval_xl.score_folder(inbox, out="")
    with pytest.raises(perfeval_xl.PerfevalError, match="收件箱路径为空"):
        perfeval_xl.score_folder("", out=tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_the_arguments_an_engineer_may_give_loosely_are_taken_as_meant(tmp_path):
    # A single password, a single format, as strings; a wrong limits is said at once, not blamed on the files.
    from hostile import encrypt

    inbox = tmp_path / "in"
    inbox.mkdir()
    locked = encrypt(write_good(tmp_path / "plain.xlsx"), inbox / "locked.xlsx", "pw-2023")
    assert perfeval_xl.score_workbook(locked, passwords="pw-2023").status == "ok"
    batch = perfeval_xl.score_folder(inbox, out=tmp_path / "out", passwords="pw-2023", formats="csv")
    assert batch.exit_code == 0 and (tmp_path / "out" / "summary.csv").is_file()
    assert not (tmp_path / "out" / "summary.json").exists()
    with pytest.raises(TypeError, match="limits 应为 ReadLimits"):
        perfeval_xl.score_folder(inbox, limits=5)
    with pytest.raises(TypeError, match="limits 应为 ReadLimits"):
        perfeval_xl.score_workbook(locked, limits=5)


def test_an_outbox_that_cannot_be_made_is_a_chinese_error_from_the_library_too(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(perfeval_xl.PerfevalError, match="无法写入输出文件夹.*路径中有一段是文件，不是文件夹") as raised:
        perfeval_xl.score_folder(inbox, out=tmp_path / "a-file" / "out")
    assert isinstance(raised.value.__cause__, OSError)


def test_a_workbook_that_cannot_be_read_is_named_and_the_callers_decimal_context_is_left_alone(tmp_path):
    import decimal

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(perfeval_xl.WorkbookError, match="^“broken.xlsx”：文件已损坏"):
        perfeval_xl.score_workbook(broken)
    decimal.getcontext().clear_flags()
    expected = perfeval_xl.score_workbook(write_good(tmp_path / "good.xlsx")).forms[0].total
    assert not any(decimal.getcontext().flags.values())
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact])):  # the caller's own sums
        assert perfeval_xl.score_workbook(tmp_path / "good.xlsx").forms[0].total == expected


def test_an_encrypted_input_reused_without_its_password_says_why_its_whole_result_cannot_be_rebuilt(tmp_path):
    from hostile import encrypt

    inbox = tmp_path / "in"
    inbox.mkdir()
    encrypt(write_good(tmp_path / "plain.xlsx"), inbox / "locked.xlsx", "pw-2023")
    perfeval_xl.score_folder(inbox, out=tmp_path / "out", passwords=("pw-2023",))
    again = perfeval_xl.score_folder(inbox, out=tmp_path / "out")
    assert again.statuses == {"locked.xlsx": "ok"} and again.reused == 1
    assert len(again.to_dataframe()) > 0  # from the summary it stored
    with pytest.raises(perfeval_xl.PerfevalError, match="已加密：本次评分沿用了上次.*passwords="):
        again.files[0]
