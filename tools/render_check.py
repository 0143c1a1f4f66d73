#!/usr/bin/env python3
"""Render the outputs of a scoring run to PNG, to look at them (a test aid, not run in CI).

    python tools/render_check.py INBOX [--dest /tmp/perfeval-render]

Runs ``python -m perfeval_xl score INBOX`` into a temporary outbox, converts
summary.xlsx, the first scored project workbook and the first scored department
workbook (if any) with its report draft to PDF with LibreOffice (``soffice --headless``), then every
PDF page to PNG with ``pdftoppm``, and prints the PNG paths, one per line.

PNGs never go into the repository: a destination inside it is refused.
LibreOffice runs with its own throw-away profile, so it neither needs nor
disturbs an office session of the user.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEST = Path("/tmp/perfeval-render")
RESOLUTION = 80  # dpi: enough to read Chinese text in a screenshot, small files
SOFFICE_TIMEOUT = 180  # seconds per workbook


class RenderError(Exception):
    """A step failed; the message says which and why."""


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path, help="folder of workbooks to score")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST,
                        help=f"folder for the PNGs (default {DEFAULT_DEST}); must be outside the repository")
    parser.add_argument("--resolution", type=int, default=RESOLUTION, help="dpi of the PNGs")
    parser.add_argument("--rules", default=None, help="passed to perfeval-xl score --rules")
    args = parser.parse_args(argv)
    try:
        dest = checked_destination(args.dest)
        for png in render(args.inbox, dest, args.resolution, args.rules):
            print(png)
    except RenderError as exc:
        print(f"render_check: {exc}", file=sys.stderr)
        return 1
    return 0


def checked_destination(dest: Path) -> Path:
    """``dest`` made absolute; refused when it lies inside the repository."""
    resolved = dest.expanduser().resolve()
    if resolved == REPO or REPO in resolved.parents:
        raise RenderError(f"destination {resolved} is inside the repository {REPO}; choose a folder outside it")
    return resolved


def render(inbox: Path, dest: Path, resolution: int = RESOLUTION, rules: Optional[str] = None) -> list[Path]:
    if not inbox.is_dir():
        raise RenderError(f"inbox {inbox} is not a folder")
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            raise RenderError(f"{tool} is not installed")
    if not has_chinese_font():  # every page came out as empty boxes, unsaid
        raise RenderError("no Chinese font is installed (fc-list :lang=zh finds none): every page would be "
                          "drawn in empty boxes; install one, e.g. apt-get install fonts-wqy-zenhei")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfeval-render-") as work:
        work_dir = Path(work)
        outbox = work_dir / "outbox"
        score(inbox, outbox, rules)
        pngs: list[Path] = []
        for label, workbook in workbooks_to_render(outbox):
            pdf = to_pdf(workbook, work_dir / "pdf" / label, work_dir / "profile")
            pngs.extend(to_png(pdf, dest, f"{inbox.resolve().name}-{label}", resolution))
        return pngs


def score(inbox: Path, outbox: Path, rules: Optional[str]) -> None:
    command = [sys.executable, "-m", "perfeval_xl", "score", str(inbox), "--out", str(outbox), "--quiet"]
    if rules:
        command += ["--rules", rules]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: some input failed; its outputs are still worth a look
        raise RenderError(f"perfeval-xl score exited {done.returncode}:\n{done.stderr.strip()}")
    if not (outbox / "summary.xlsx").is_file():
        raise RenderError("perfeval-xl score wrote no summary.xlsx")


def has_chinese_font() -> bool:
    """Whether fontconfig knows a font for Chinese (True where fc-list cannot be asked)."""
    if shutil.which("fc-list") is None:
        return True
    done = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    return done.returncode != 0 or bool(done.stdout.strip())


def workbooks_to_render(outbox: Path) -> list[tuple[str, Path]]:
    """summary.xlsx, the first scored project workbook, the first department one and its report
    draft (LibreOffice Writer converts the .docx)."""
    chosen = [("summary", outbox / "summary.xlsx")]
    summary = json.loads((outbox / "summary.json").read_text(encoding="utf-8"))
    for kind in ("project", "department"):
        for file in summary["files"]:
            if file.get("output") and any(form["kind"] == kind for form in file["forms"]):
                chosen.append((kind, outbox / file["output"]))
                if kind == "department" and file.get("reports"):
                    chosen.append(("draft", outbox / file["reports"][0]))
                break
    return chosen


def to_pdf(workbook: Path, out_dir: Path, profile: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        "soffice", f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
        "--convert-to", "pdf", "--outdir", str(out_dir), str(workbook),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"soffice took more than {SOFFICE_TIMEOUT}s on {workbook.name}") from exc
    pdf = out_dir / (workbook.stem + ".pdf")
    if done.returncode != 0 or not pdf.is_file():
        raise RenderError(f"soffice could not convert {workbook.name}:\n{done.stdout}{done.stderr}".strip())
    return pdf


def to_png(pdf: Path, dest: Path, prefix: str, resolution: int) -> list[Path]:
    for old in dest.glob(f"{prefix}-*.png"):  # pages of an earlier, longer run
        old.unlink()
    done = subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(pdf), str(dest / prefix)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RenderError(f"pdftoppm failed on {pdf.name}: {done.stderr.strip()}")
    return sorted(dest.glob(f"{prefix}-*.png"))


if __name__ == "__main__":
    sys.exit(main())
