"""The fast scored-form writer draws exactly what the openpyxl reference draws (bench/check_scored_form.py)."""
import importlib.util
from pathlib import Path

import pytest

import perfeval_xl
from perfeval_xl.writers.scored_form import write_scored_workbook, write_scored_workbook_openpyxl
from deptgen import BaseFigures, write_department_workbook
from hostile import good_project
from formgen import write_form

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_scored_form", ROOT / "bench" / "check_scored_form.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


@pytest.mark.parametrize("make", [
    lambda d: write_form(d / "national.xlsx", good_project()),
    lambda d: write_form(d / "sichuan.xlsx", good_project(), "sichuan-2023"),
    lambda d: write_form(d / "beijing.xlsx", good_project(), "beijing-2016"),
    lambda d: write_form(d / "several.xlsx", [good_project(), good_project(name="第二个项目")], cover_sheet=True),
    lambda d: write_department_workbook(d / "dept.xlsx", BaseFigures("某局")),
], ids=["national", "sichuan", "beijing", "several", "department"])
def test_fast_writer_equals_the_openpyxl_reference(tmp_path, make):
    forms = perfeval_xl.score_workbook(make(tmp_path)).forms
    fast, reference = tmp_path / "fast.xlsx", tmp_path / "reference.xlsx"
    write_scored_workbook(forms, fast)
    write_scored_workbook_openpyxl(forms, reference)
    assert check.compare(fast, reference) is None


def test_templates_prepared_before_forking_are_what_the_workers_inherit():
    """The batch compiles the style template and the draft prototype once, before forking workers."""
    from perfeval_xl.writers import _report_template, _style_template
    from perfeval_xl.writers.scored_form import prepare_templates

    _style_template._COMPILED.clear()
    _report_template.report_template.cache_clear()
    prepare_templates()
    assert len(_style_template._COMPILED) == 1
    assert _report_template.report_template.cache_info().currsize == 1
