"""Every workbook perfeval-xl writes opens and prints in a real spreadsheet program (LibreOffice).

.ci/run installs Debian's libreoffice-calc when it is absent; elsewhere the test
is skipped when ``soffice`` is not on PATH.
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

import perfeval_xl

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


def test_every_written_workbook_converts_to_pdf(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox, ignore=shutil.ignore_patterns("*.py", "*.md"))
    if CASES.is_dir():
        shutil.copytree(CASES, inbox / "cases", ignore=shutil.ignore_patterns("*.json"))
    outbox = tmp_path / "out"
    batch = perfeval_xl.score_folder(inbox, out=outbox, jobs=2)
    assert batch.exit_code == 0
    written = sorted(outbox.rglob("*.xlsx"))
    assert len(written) == len([f for f in batch.files if f.output]) + 1  # + summary.xlsx
    pdfs = tmp_path / "pdf"
    for index, workbook in enumerate(written):
        # Why a copy with an ASCII name: conversions of several files with the same stem collide.
        source = tmp_path / "src" / f"{index:03d}.xlsx"
        source.parent.mkdir(exist_ok=True)
        shutil.copy(workbook, source)
    completed = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(pdfs), *sorted(str(p) for p in (tmp_path / "src").iterdir())],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    for index, workbook in enumerate(written):
        pdf = pdfs / f"{index:03d}.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 1000, f"{workbook.name} did not convert"
        if workbook.name.endswith(".scored.xlsx"):
            sheets = len(load_workbook(workbook, read_only=True).sheetnames)
            assert 1 <= pdf_pages(pdf) <= 2 * sheets, f"{workbook.name}: the scored form should fit A4 width"


def test_forms_saved_as_ods_by_libreoffice_score_as_the_workbooks_they_came_from(tmp_path):
    sources = sorted(EXAMPLES.rglob("*.xls*"))
    if CASES.is_dir():
        sources += sorted(CASES.glob("*.xls*"))
    staged = tmp_path / "src"
    staged.mkdir()
    for index, source in enumerate(sources):  # ASCII names: conversions of files with one stem collide
        shutil.copy(source, staged / f"{index:03d}{source.suffix}")
    completed = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "ods", "--outdir", str(tmp_path / "ods"), *sorted(str(p) for p in staged.iterdir())],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    def results(batch):
        return {Path(f.file).stem: (f.status, [(form.total, form.grade, [(i.name, i.score, i.basis) for i in form.items])
                                               for form in f.forms]) for f in batch.files}

    # Whole folders: an F2 in one file pairs with its F3 in another.
    originals = results(perfeval_xl.score_folder(staged))
    assert results(perfeval_xl.score_folder(tmp_path / "ods")) == originals
    assert all(status == "ok" for status, _ in originals.values()) and len(originals) == len(sources)
