#!/usr/bin/env python3
"""Write the compiled form of the shipped style template, which ships beside it.

    python tools/compile_style_template.py

The scored form writer loads ``templates/项目支出绩效自评表_复核.compiled.json``
instead of compiling the template with openpyxl when the template file holds
the bytes it was compiled from (see ``perfeval_xl/writers/_style_template.py``).
Run this after the template changed (``templates/build_templates.py``), or the
compile, or openpyxl: ``tests/test_fast_writer.py`` fails until the shipped file
is what a fresh compile gives.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"

if __package__ in (None, ""):  # run as a script from a source checkout
    sys.path.insert(0, str(REPO))

from perfeval_xl.writers._style_template import _compile, compiled_as_data, template_digest  # noqa: E402
from perfeval_xl.writers._templates import SCORED_FORM_STYLE, SCORED_FORM_STYLE_COMPILED  # noqa: E402


def compiled_json(template: Path) -> str:
    """The shipped file's text for ``template``: one line of JSON (it is regenerated, not edited)."""
    data = compiled_as_data(_compile(template), template_digest(template))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> None:
    target = TEMPLATES / SCORED_FORM_STYLE_COMPILED
    target.write_text(compiled_json(TEMPLATES / SCORED_FORM_STYLE), encoding="utf-8")
    print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
