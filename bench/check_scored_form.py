"""Check that the fast scored-form writer draws exactly what the openpyxl reference draws.

    python bench/check_scored_form.py INBOX [--limit N] [--template restyled.xlsx]

Scores every workbook under INBOX (e.g. a corpus kept with ``bench.py --keep``),
writes each scored workbook twice — ``write_scored_workbook`` (XML) and
``write_scored_workbook_openpyxl`` (reference) — reads both back with openpyxl
and compares, on every sheet (a department workbook's F2 base data sheet too),
every cell's value, type and resolved style (font, border, fill, number format,
alignment, protection), merged ranges, row heights, column widths, page setup,
margins, header/footer, print area and titles, row breaks, sheet views and defined names.
Exits 1 on the first difference, naming it; else says how many workbooks were
checked, and how many of them carry a base data sheet.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import openpyxl  # noqa: E402

import perfeval_xl  # noqa: E402
from perfeval_xl.writers.scored_form import write_scored_workbook, write_scored_workbook_openpyxl  # noqa: E402


def _style(cell) -> tuple:
    return (_xml(cell.font), _xml(cell.border), _xml(cell.fill), cell.number_format,
            _xml(cell.alignment), _xml(cell.protection))


def _xml(serialisable) -> bytes:
    from openpyxl.xml.functions import tostring

    return tostring(serialisable.to_tree())


def _sheet_facts(sheet) -> dict:
    return {
        "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        "heights": {r: d.height for r, d in sheet.row_dimensions.items() if d.height is not None},
        "widths": {k: (d.width, d.min, d.max, d.customWidth, d.hidden) for k, d in sheet.column_dimensions.items()},
        "page_setup": sheet.page_setup, "margins": sheet.page_margins,
        "print_options": sheet.print_options, "header_footer": _xml(sheet.HeaderFooter),
        "print_area": sheet.print_area, "print_titles": sheet.print_title_rows,
        "row_breaks": [(brk.id, brk.min, brk.max, brk.man) for brk in sheet.row_breaks.brk],
        "view": sheet.sheet_view, "properties": sheet.sheet_properties,
        "format": sheet.sheet_format, "dimensions": sheet.dimensions,
    }


def compare(fast: Path, reference: Path) -> str | None:
    """None when both workbooks look the same, else the first difference."""
    a, b = openpyxl.load_workbook(fast), openpyxl.load_workbook(reference)
    if a.sheetnames != b.sheetnames:
        return f"sheet names {a.sheetnames} != {b.sheetnames}"
    if sorted(a.defined_names) != sorted(b.defined_names):
        return f"defined names {sorted(a.defined_names)} != {sorted(b.defined_names)}"
    if a.properties.creator != b.properties.creator:
        return "creator differs"
    for sa, sb in zip(a.worksheets, b.worksheets):
        facts_a, facts_b = _sheet_facts(sa), _sheet_facts(sb)
        for key in facts_a:
            if facts_a[key] != facts_b[key]:
                return f"{sa.title}: {key}: {facts_a[key]!r} != {facts_b[key]!r}"
        cells = set(sa._cells) | set(sb._cells)
        for row, col in sorted(cells):
            ca, cb = sa.cell(row, col), sb.cell(row, col)
            if (ca.value, ca.data_type) != (cb.value, cb.data_type):
                return f"{sa.title}!{ca.coordinate}: {ca.value!r}/{ca.data_type} != {cb.value!r}/{cb.data_type}"
            if _style(ca) != _style(cb):
                return f"{sa.title}!{ca.coordinate}: style {_style(ca)} != {_style(cb)}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="check at most N workbooks")
    parser.add_argument("--template", type=Path, help="a restyled style template")
    args = parser.parse_args(argv)
    paths = sorted(p for p in args.inbox.rglob("*") if p.suffix.lower() in (".xlsx", ".xls", ".xlsm"))
    if args.limit:
        paths = paths[:args.limit]
    checked = with_base_data = 0
    with tempfile.TemporaryDirectory() as work:
        fast, reference = Path(work) / "fast.xlsx", Path(work) / "reference.xlsx"
        for path in paths:
            try:
                result = perfeval_xl.score_workbook(path)
            except perfeval_xl.WorkbookError:
                continue
            write_scored_workbook(result.forms, fast, template=args.template)
            write_scored_workbook_openpyxl(result.forms, reference, template=args.template)
            difference = compare(fast, reference)
            if difference:
                print(f"{path}: {difference}")
                return 1
            checked += 1
            with_base_data += any(getattr(form.form, "base", None) is not None for form in result.forms)
    print(f"{checked} workbooks ({with_base_data} with a base data sheet): the fast writer draws exactly what "
          "openpyxl draws")
    return 0


if __name__ == "__main__":
    sys.exit(main())
