"""`perfeval-xl explain` prints a form's scoring; `perfeval-xl watch` keeps an outbox up to date."""
import json
import os
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
from perfeval_xl.watch import watch_folder
from hostile import write_good


def test_explain_prints_every_item_with_its_basis_and_the_total(tmp_path):
    path = write_good(tmp_path / "f.xlsx")
    result = CliRunner().invoke(main, ["explain", str(path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in ("社区卫生服务补助项目", "家庭医生签约人数", "5200≥5000，得满分20.00", "复核总分 100.00", "等级 优"):
        assert text in result.output


def test_explain_on_a_broken_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(main, ["explain", str(path)])
    assert result.exit_code == 1 and "broken.xlsx：文件已损坏" in result.output


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
        assert all(batch.statuses.get("second.xlsx", "ok") == "ok" for batch in batches)  # never half-read
        # first.xlsx was never scored again (a busy machine may see the copy settle twice, so
        # second.xlsx may be reused by a later batch too)
        assert len(batches) >= 2 and all(batch.reused >= 1 for batch in batches[1:])
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
