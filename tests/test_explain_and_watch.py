"""`perfeval-xl explain` prints a form's scoring; `perfeval-xl watch` keeps an outbox up to date."""
import errno
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfeval_xl.cli import main
from perfeval_xl.watch import changed_inputs, watch_folder
from hostile import write_good

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "城管局" / "城区道路养护项目.xlsx"


def test_explain_prints_every_item_with_its_basis_and_the_total(tmp_path):
    path = write_good(tmp_path / "f.xlsx")
    result = CliRunner().invoke(main, ["explain", str(path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in ("社区卫生服务补助项目", "家庭医生签约人数", "5200≥5000，得满分20.00", "复核总分 100.00", "等级 优"):
        assert text in result.output


@pytest.mark.parametrize("rules, red", [(None, True), ({"name": "本局", "extends": "mof-2020-project",
                                                          "review_tolerance": 0.5}, False)],
                         ids=["built-in-tolerance", "bureau-tolerance"])
def test_explain_marks_in_red_the_self_scores_the_review_flags(tmp_path, rules, red):
    # A self-score more than a cent off was red whatever the rulebook's review_tolerance: a bureau's
    # 0.5 flagged nothing, yet 9.6 against 9.80 was marked.
    import io

    from rich.console import Console

    import perfeval_xl
    from formgen import Funds, Project, Row, write_form
    from perfeval_xl.explain import print_explanation

    rows = [Row("产出指标", "数量指标", "培训人数", "≥100人", "98人", 10, 9.6, reason="r"),
            Row("效益指标", "社会效益", "满意度", "≥90%", "95%", 80, 80)]
    path = write_form(tmp_path / "f.xlsx", Project("项目", "某局", "某单位", 2020, Funds(100, 100, 100), rows))
    result = perfeval_xl.score_workbook(path, rules=rules)
    out = io.StringIO()
    print_explanation(result, Console(file=out, force_terminal=True, color_system="standard", width=200))
    assert ("\x1b[31m9.60" in out.getvalue()) is red
    reviewed = result.forms[0].items[1]
    assert any("不一致（差异0.20）" in flag.message for flag in reviewed.flags) is red  # as the review flags it


def test_explain_piped_keeps_each_flag_on_one_line(tmp_path):
    # Piped (80 columns), a flag broke inside its cell reference: "…请单位核实自评得分（H6" and "）".
    result = CliRunner().invoke(main, ["explain", str(EXAMPLE)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    flags = [line for line in result.output.splitlines() if "不一致（差异" in line]
    assert flags and all(line.rstrip().endswith("）") for line in flags)


def test_explain_on_a_broken_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(main, ["explain", str(path)])
    assert result.exit_code == 1 and "错误：“broken.xlsx”：文件已损坏" in result.output


def _with_escape_sequences(source: Path, target: Path, spelled: bytes = b"_x001B_[2J_x001B_]0;x_x0007_") -> Path:
    """``source`` with every "@@" of its XML spelled as an ESC sequence (openpyxl refuses ESC itself):
    _x001B_ in a cell, a character reference in a sheet name."""
    import zipfile

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info).replace(b"@@", spelled))
    return target


def test_explain_prints_no_escape_sequence_a_cell_holds(tmp_path):
    # Printed as is, ESC[2J cleared the officer's terminal and ESC]0; retitled it.
    path = _with_escape_sequences(write_good(tmp_path / "g.xlsx", name="社区@@卫生服务补助项目"), tmp_path / "f.xlsx")
    result = CliRunner().invoke(main, ["explain", str(path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "社区[2J]0;x卫生服务补助项目" in result.output


def test_a_failed_files_line_prints_no_escape_sequence_its_sheet_name_holds(tmp_path):
    from openpyxl import Workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    workbook = Workbook()
    workbook.active.title = "说明@@"
    workbook.active["A1"] = "本工作簿没有自评表"
    workbook.save(tmp_path / "g.xlsx")
    _with_escape_sequences(tmp_path / "g.xlsx", inbox / "f.xlsx", b"&#x1B;[2J&#x7;")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1 and "未识别到自评表（查看了工作表：说明[2J）" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def summary_files(outbox: Path) -> list[str]:
    try:
        return [f["file"] for f in json.loads((outbox / "summary.json").read_text(encoding="utf-8"))["files"]]
    except (OSError, ValueError):
        return []


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_summary_formats_given_twice_are_both_written(tmp_path):
    """`--format xlsx --format csv` asks for both, as `--format xlsx,csv` does (click keeps only the last
    of a repeated option unless told otherwise)."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-q", "-j", "1",
                                       "--format", "xlsx", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("summary.*")) == ["summary.csv", "summary.xlsx"]


def test_watch_writes_the_summary_formats_asked_for(tmp_path):
    # watch had no --format: it wrote xlsx and json, and removed the summary.csv a bureau used.
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    process = subprocess.Popen([sys.executable, "-m", "perfeval_xl", "watch", str(inbox), "--out", str(tmp_path / "o"),
                                "-j", "1", "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parents[1])
    assert wait_for(lambda: (tmp_path / "o" / "summary.csv").exists(), timeout=120)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert sorted(p.name for p in (tmp_path / "o").glob("summary.*")) == ["summary.csv"]


def test_watch_scores_a_file_once_it_has_finished_arriving(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    write_good(inbox / "first.xlsx")
    batches = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch_folder, args=(inbox, outbox),
                               kwargs=dict(settle=1.0, poll=0.2, stop=stop, on_batch=batches.append, jobs=1))
    watcher.start()
    try:
        assert wait_for(lambda: summary_files(outbox) == ["first.xlsx"])
        complete = write_good(tmp_path / "second.xlsx").read_bytes()
        with open(inbox / "second.xlsx", "wb") as copying:  # a slow copy: half, a pause, the rest
            copying.write(complete[: len(complete) // 2])
            copying.flush()
            time.sleep(0.6)
            copying.write(complete[len(complete) // 2:])
        assert wait_for(lambda: "second.xlsx" in summary_files(outbox))
        # The summary is written inside the batch, which is reported (on_batch) only once it returns.
        assert wait_for(lambda: any("second.xlsx" in batch.statuses for batch in batches))
        assert all(batch.statuses.get("second.xlsx", "ok") == "ok" for batch in batches)  # never half-read
        # first.xlsx was never scored again (a busy machine may see the copy settle twice, so
        # second.xlsx may be reused by a later batch too)
        assert len(batches) >= 2 and all(batch.reused >= 1 for batch in batches[1:])
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_watch_waits_while_another_batch_writes_to_its_outbox(tmp_path):
    # An officer's own perfeval-xl score into the watched outbox: watch says so and scores afterwards.
    from perfeval_xl._outbox_lock import outbox_lock

    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    write_good(inbox / "first.xlsx")
    batches, busy = [], threading.Event()
    stop = threading.Event()
    holding = outbox_lock(outbox)
    holding.__enter__()
    watcher = threading.Thread(target=watch_folder, args=(inbox, outbox),
                               kwargs=dict(settle=0.3, poll=0.1, stop=stop, on_batch=batches.append,
                                           on_busy=busy.set, jobs=1))
    watcher.start()
    try:
        assert busy.wait(10) and not batches
        holding.__exit__(None, None, None)
        assert wait_for(lambda: summary_files(outbox) == ["first.xlsx"]) and batches
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_watch_reacts_to_changes_of_workbooks_only(tmp_path):
    """Reads (opened, closed without writing), metadata, other files, our own outputs and temp
    files, and Excel lock files start no batch; created, modified, moved, deleted and
    closed-after-write workbooks do."""
    from watchdog import events as ev

    inbox = tmp_path / "in"
    out = inbox / "结果"  # an outbox inside the inbox

    def changed(event, out=out):
        return changed_inputs(event, inbox, out)

    form = str(inbox / "卫健委" / "a.xlsx")
    for read in (ev.FileOpenedEvent(form), ev.FileClosedNoWriteEvent(form), ev.FileAttribEvent(form),
                 ev.DirModifiedEvent(str(inbox / "卫健委")), ev.DirCreatedEvent(str(inbox / "新单位"))):
        assert changed(read) == [], read
    for change in (ev.FileCreatedEvent(form), ev.FileModifiedEvent(form), ev.FileClosedEvent(form),
                   ev.FileDeletedEvent(form)):
        assert changed(change) == [form], change
    assert changed(ev.FileModifiedEvent(str(inbox / "b.XLS"))) == [str(inbox / "b.XLS")]
    # an editor's save: a temp file renamed over the workbook
    assert changed(ev.FileMovedEvent(str(inbox / "卫健委" / "~WRL0001.tmp"), form)) == [form]
    assert changed(ev.FileMovedEvent(form, str(tmp_path / "elsewhere.xlsx"))) == [form]
    # a unit's folder moved out of the inbox or deleted: watchdog reports the folder only
    assert changed(ev.DirDeletedEvent(str(inbox / "卫健委"))) == [str(inbox / "卫健委")]
    for ignored in (inbox / "说明.docx", inbox / "卫健委" / "~$a.xlsx", inbox / ".hidden.xlsx",
                    out / "卫健委" / "a.scored.xlsx", out / "summary.xlsx", out / ".summary.123-4.tmp.xlsx",
                    out / ".perfeval" / "x.xlsx", tmp_path / "outside.xlsx"):
        assert changed(ev.FileCreatedEvent(str(ignored))) == [], ignored
        assert changed(ev.FileClosedEvent(str(ignored))) == [], ignored
    assert changed(ev.DirDeletedEvent(str(out))) == []
    # the outbox is the inbox: its summaries and temp files are ours, the forms still count
    for ignored in ("summary.xlsx", "summary.json", ".summary.1-1.tmp.xlsx", "a.scored.xlsx"):
        assert changed(ev.FileClosedEvent(str(inbox / ignored)), out=inbox) == [], ignored
    assert changed(ev.FileClosedEvent(form), out=inbox) == [form]
    # the inbox inside the outbox: every inbox form counts
    assert changed(ev.FileCreatedEvent(form), out=tmp_path) == [form]


@pytest.mark.skipif(sys.platform == "win32", reason="links")
def test_watch_reacts_to_what_the_batch_lists_as_skipped_with_something_to_do(tmp_path):
    # A unit's .xlsb or .et dropped in started no batch: watch never named it, and the summary never listed it.
    from watchdog import events as ev

    inbox, out = tmp_path / "in", tmp_path / "in" / "结果"
    (inbox / "卫健委").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (inbox / "链接").symlink_to(tmp_path / "elsewhere")  # a linked folder: its event is a file's
    for name in ("卫健委/a.xlsb", "卫健委/b.ET", "c.zip", "d.csv", "链接"):
        path = str(inbox / name)
        assert changed_inputs(ev.FileCreatedEvent(path), inbox, out) == [path], name
    # Still nothing: other files, lock and hidden ones of those kinds, our own summary.csv, a plain folder.
    (inbox / "文件夹").mkdir()
    for name in ("说明.docx", "卫健委/~$a.xlsb", ".b.et", "结果/summary.csv", "文件夹", "没有的链接"):
        assert changed_inputs(ev.FileCreatedEvent(str(inbox / name)), inbox, out) == [], name


def test_watch_names_each_skipped_file_to_act_on_once_not_on_every_run(tmp_path, monkeypatch):
    # score named them (跳过 a.xlsb：…请用WPS或Excel另存为.xlsx…); watch, which reruns the batch on every
    # change, said nothing of them.
    import perfeval_xl.watch
    from perfeval_xl.batch import score_folder

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    (inbox / "b.xlsb").write_bytes(b"x")
    (inbox / "~$a.xlsx").write_bytes(b"x")  # a lock file: counted, not named (nothing to do)

    def three_runs(inbox, out, *, on_batch, **options):
        options = {key: options[key] for key in ("rules", "jobs", "passwords", "limits", "formats")}
        on_batch(score_folder(inbox, out=out, **options))
        on_batch(score_folder(inbox, out=out, **options))  # a change of another file: b.xlsb was named already
        (inbox / "c.et").write_bytes(b"x")
        on_batch(score_folder(inbox, out=out, **options))

    monkeypatch.setattr(perfeval_xl.watch, "watch_folder", three_runs)
    result = CliRunner().invoke(main, ["watch", str(inbox), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    named = [line.strip() for line in result.output.splitlines() if line.strip().startswith("跳过")]
    assert named == ["跳过 b.xlsb：Excel二进制工作簿（.xlsb）不能读取，已跳过；请用WPS或Excel另存为.xlsx后重新报送",
                     "跳过 c.et：WPS表格（.et）不是Excel工作簿，已跳过；请用WPS或Excel另存为.xlsx后重新报送"]
    assert "3 个文件：新评分 1 个，沿用 0 个，失败 0 个，跳过 2 个；汇总已更新" in result.output


# watchdog's inotify emitter, watching the inbox recursively, sometimes adds a watch twice for a
# folder the batch creates in its outbox inside it (.perfeval, .perfeval/summary) and warns that
# it overwrites the first; nothing is lost, and the warning is watchdog's, not ours.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_watch_goes_idle_when_nothing_changes(tmp_path):
    """The batch's own reads of the inputs and its writes to an outbox inside the inbox start no
    further batch: with nothing changing, watch scores once and then waits."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    batches = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch_folder, args=(inbox, inbox / "结果"),
                               kwargs=dict(settle=0.2, poll=0.05, stop=stop, on_batch=batches.append, jobs=1))
    watcher.start()
    try:
        assert wait_for(lambda: len(batches) == 1, timeout=60)
        time.sleep(1.5)  # before the fix, a batch followed every ~0.3 s
        assert len(batches) == 1
        # Written beside the inbox and moved in whole: a save caught half-way on a loaded machine
        # would be a batch of its own (an error), not what this test is about.
        write_good(tmp_path / "b.xlsx", name="乙项目").replace(inbox / "b.xlsx")
        assert wait_for(lambda: len(batches) == 2, timeout=60)
        assert batches[-1].statuses == {"a.xlsx": "ok", "b.xlsx": "ok"} and batches[-1].reused == 1
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_ctrl_c_stops_watch_cleanly(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "perfeval_xl", "watch", str(inbox), "--out", str(tmp_path / "o"),
                                "-j", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parents[1])
    # Generous timeouts: they only catch a hang, and a loaded CI machine can take many seconds
    # to start Python and run the first (empty) batch.
    assert wait_for(lambda: (tmp_path / "o" / "summary.json").exists(), timeout=120)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "已停止监视" in out and "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_score_on_a_terminal_shows_a_progress_bar(tmp_path):
    """With a terminal on stderr, `score` draws a tqdm bar whose total is set once the inbox is listed."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    write_good(inbox / "b.xlsx", name="乙项目")
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    try:
        done = subprocess.run([sys.executable, "-m", "perfeval_xl", "score", str(inbox), "--out", str(tmp_path / "out"),
                               "-j", "1"], stdout=subprocess.PIPE, stderr=follower, timeout=120)
        os.close(follower)
        shown = b""
        while select.select([leader], [], [], 0.5)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is gone once the process has exited (Linux)
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, shown.decode("utf-8", "replace")
    assert "已评分 2 个文件" in done.stdout.decode("utf-8")
    assert "Traceback" not in shown.decode("utf-8", "replace")
    assert "评分: 100%" in shown.decode("utf-8", "replace") and "2/2" in shown.decode("utf-8", "replace")


# ---- the command line's messages and exit codes -------------------------------------------

def test_ctrl_c_during_score_exits_130_and_the_finished_files_are_reused(tmp_path, monkeypatch):
    """Ctrl-C is not "a file failed" (exit 1): one Chinese line and exit 130, and what it says
    holds: the files finished before the interrupt are reused by the next run."""
    import perfeval_xl.cli as cli

    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    for n, name in enumerate(["甲项目", "乙项目", "丙项目"]):
        write_good(inbox / f"{n}.xlsx", name=name)
    real_score_folder = cli.score_folder

    def interrupted_after_one_file(*args, **kwargs):
        done = []

        def on_file(outcome):
            done.append(outcome)
            if len(done) == 2:
                raise KeyboardInterrupt
        return real_score_folder(*args, **{**kwargs, "on_file": on_file})

    monkeypatch.setattr(cli, "score_folder", interrupted_after_one_file)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(outbox), "-j", "1"])
    assert result.exit_code == 130, result.output
    assert "已中断：已完成的文件下次在同一输出文件夹运行时会被复用" in result.output
    assert "Aborted" not in result.output
    monkeypatch.setattr(cli, "score_folder", real_score_folder)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(outbox), "-j", "1"])
    assert result.exit_code == 0 and "（其中 1 个未变化，沿用上次结果）" in result.output, result.output


def test_ctrl_c_in_any_command_exits_130_in_chinese(tmp_path, monkeypatch):
    import perfeval_xl.batch

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(perfeval_xl.batch, "score_workbook", interrupted)
    result = CliRunner().invoke(main, ["explain", str(write_good(tmp_path / "f.xlsx"))])
    assert result.exit_code == 130 and "已中断" in result.output and "Aborted" not in result.output


@pytest.mark.parametrize("args, message", [
    (["score", "{tmp}/没有这个文件夹", "--out", "{tmp}/out"], "错误：收件箱“{tmp}/没有这个文件夹”不存在"),
    (["score", "{tmp}/f.xlsx", "--out", "{tmp}/out"], "错误：收件箱“{tmp}/f.xlsx”是文件，不是文件夹"),
    (["watch", "{tmp}/没有这个文件夹", "--out", "{tmp}/out"], "错误：收件箱“{tmp}/没有这个文件夹”不存在"),
    (["score", "{tmp}", "--out", "{tmp}/f.xlsx"], "错误：输出文件夹“{tmp}/f.xlsx”是文件，不是文件夹"),
    (["score", "{tmp}"], "错误：缺少必填选项 --out/-o"),
    (["score"], "错误：缺少参数 INBOX"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--jobs", "-1"], "错误：--jobs/-j 应为不小于 0 的整数，而不是“-1”"),
    (["score", "{tmp}", "--out", "{tmp}/out", "-j", "many"], "错误：--jobs/-j 应为不小于 0 的整数，而不是“many”"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--max-cells", "10"], "错误：--max-cells 应为不小于 1000 的整数"),
    (["watch", "{tmp}", "--out", "{tmp}/out", "--settle", "0"], "错误：--settle 应为不小于 0.1 的数，而不是“0”"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--format", "pdf"], "错误：--format：未知的格式 pdf"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--rules", "没有这套规则"], "错误：--rules：找不到规则“没有这套规则”"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--passwords-file", "{tmp}/pw.txt"], "错误：密码文件“{tmp}/pw.txt”不存在"),
    (["explain", "{tmp}/f.xlsx", "--rules", "没有这套规则"], "错误：--rules：找不到规则“没有这套规则”"),
    (["explain", "{tmp}/没有.xlsx"], "错误：文件“{tmp}/没有.xlsx”不存在"),
    (["explain", "{tmp}"], "错误：文件“{tmp}”是文件夹，不是文件"),
    (["rules", "check", "{tmp}/没有.yaml"], "错误：规则文件“{tmp}/没有.yaml”不存在"),
    # click's own errors, in Chinese as ours are.
    (["score", "{tmp}", "--out", "{tmp}/out", "--jbos", "2"], "错误：没有选项 --jbos（是否应为 --jobs？）"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--executor", "spark"], "错误：--executor 应为 local、dask 之一"),
    (["rules", "show"], "错误：缺少参数 NAME"),
    (["explain", "{tmp}/f.xlsx", "{tmp}/g.xlsx"], "错误：多余的参数：{tmp}/g.xlsx"),
    (["rules", "show", "没有这套规则"], "错误：NAME：找不到规则“没有这套规则”"),
    (["score", "{tmp}", "--out", "{tmp}/out", "--scheduler", "tcp://10.0.0.5:8786"],
     "错误：--scheduler 只用于 Dask 集群，请同时给出 --executor dask"),
], ids=["no-inbox", "inbox-is-file", "watch-no-inbox", "outbox-is-file", "no-out", "no-inbox-arg", "jobs-negative",
        "jobs-text", "max-cells", "settle", "format", "rules", "passwords-file", "explain-rules", "explain-missing",
        "explain-folder", "rules-check-missing", "unknown-option", "bad-choice",
        "missing-argument", "extra-argument", "rules-show-unknown", "scheduler-without-dask"])
def test_common_usage_errors_are_in_chinese_with_exit_code_2(tmp_path, args, message):
    (tmp_path / "f.xlsx").write_bytes(b"")
    result = CliRunner().invoke(main, [arg.format(tmp=tmp_path) for arg in args], prog_name="perfeval-xl")
    assert result.exit_code == 2, result.output
    assert message.format(tmp=tmp_path) in result.output
    command = " ".join(args[:2] if args[0] == "rules" else args[:1])
    assert f"用法：perfeval-xl {command} [OPTIONS]" in result.output
    for english in ("Usage:", "Error:", "Invalid value", "does not exist", "Missing"):
        assert english not in result.output


def test_an_option_left_without_its_value_is_said_in_chinese(tmp_path):
    # click's parser gives this error no context, so no 用法 line frames it.
    result = CliRunner().invoke(main, ["score", str(tmp_path), "--out"], prog_name="perfeval-xl")
    assert result.exit_code == 2 and result.output == "错误：选项 --out 后面缺少它的值\n"


def test_an_unknown_command_is_named_with_the_commands_there_are():
    result = CliRunner().invoke(main, ["socre"], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert "错误：没有命令“socre”（可用：explain、rules、score、templates、watch）" in result.output
    assert "No such command" not in result.output


def test_the_version_is_the_programs_name_and_number():
    from perfeval_xl import __version__

    assert CliRunner().invoke(main, ["--version"]).output == f"perfeval-xl {__version__}\n"


@pytest.mark.parametrize("command", [[], ["score"], ["explain"], ["watch"], ["templates"], ["rules"],
                                     ["rules", "show"], ["rules", "check"]])
def test_every_commands_help_says_its_headings_and_help_option_in_chinese_too(command):
    result = CliRunner().invoke(main, [*command, "-h"], prog_name="perfeval-xl")
    assert result.exit_code == 0
    assert "-h, --help" in result.output and "显示本帮助并退出。 / Show this message and exit." in result.output
    assert result.output.startswith(f"用法 / Usage: perfeval-xl {' '.join(command)}".rstrip() + " [OPTIONS]")
    assert "\n选项 / Options:\n" in result.output and "\nOptions:" not in result.output
    if not command:
        assert "--version   显示版本号并退出。 / Show the version and exit." in result.output


def _long_options(command, path=()):
    """(command path, "--option") of every long option of ``command`` and its subcommands, help aside."""
    import click

    for param in command.params:
        for option in (*param.opts, *param.secondary_opts):
            if isinstance(param, click.Option) and option.startswith("--") and option != "--help":
                yield " ".join(path), option
    for name, sub in getattr(command, "commands", {}).items():
        yield from _long_options(sub, (*path, name))


def test_every_option_a_help_lists_is_in_the_readme():
    # --version was in `perfeval-xl --help` and nowhere in the README.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", readme))
    assert [(command, option) for command, option in _long_options(main) if option not in named] == []


def test_every_option_the_readme_names_before_its_benchmark_is_a_commands_option():
    # The counter-case: the README names no option the commands do not take (bench.py's are its own).
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", readme.split("## 性能 / Performance")[0]))
    assert named and named <= {option for _, option in _long_options(main)}


def test_score_help_names_every_kind_of_workbook_it_reads():
    from perfeval_xl.inbox import OTHER_SPREADSHEETS, WORKBOOK_SUFFIXES

    usage = " ".join(CliRunner().invoke(main, ["score", "--help"]).output.split())
    assert [suffix for suffix in WORKBOOK_SUFFIXES if f"{suffix}," not in usage and f"{suffix})" not in usage] == []
    assert [suffix for suffix in OTHER_SPREADSHEETS if suffix in usage.replace(".xlsx", "")] == []  # skipped, not read


def test_an_outbox_that_cannot_be_written_is_named_in_chinese(tmp_path, monkeypatch):
    import perfeval_xl.cli as cli

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_good(inbox / "a.xlsx")
    (tmp_path / "a-file").write_bytes(b"")
    outbox = tmp_path / "a-file" / "out"  # cannot be made: its parent is a file
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(outbox), "-q"])
    assert result.exit_code == 1
    assert f"错误：无法写入输出文件夹“{outbox}”：路径中有一段是文件，不是文件夹" in result.output, result.output

    def no_permission(*_args, out, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(out).resolve() / "summary.json"))
    monkeypatch.setattr(cli, "score_folder", no_permission)
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert result.output.strip() == f"错误：无法写入输出文件夹“{tmp_path / 'out'}”：没有写入权限"


def test_watch_says_why_it_cannot_watch(tmp_path, monkeypatch):
    """An inotify limit is not an outbox that cannot be written."""
    import watchdog.observers

    class NoWatches:
        def schedule(self, *_args, **_kwargs):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers, "Observer", NoWatches)
    result = CliRunner().invoke(main, ["watch", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"错误：无法监视收件箱“{tmp_path.resolve()}”：系统可监视的文件夹数已达上限" in result.output
    assert "fs.inotify.max_user_watches" in result.output and "输出文件夹" not in result.output.splitlines()[-1]


def test_watch_into_its_own_inbox_is_a_usage_error_as_score_is(tmp_path):
    # score said so with exit 2; watch started watching, then ended with exit 1.
    result = CliRunner().invoke(main, ["watch", str(tmp_path), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "就是收件箱" in result.output and "开始监视" not in result.output
