"""Find the .xlsx templates shipped with perfeval-xl.

Installed, the repository's top-level ``templates/`` directory is the package
``perfeval_xl.templates``; in a source checkout it is simply ``<repo>/templates``.
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path

#: Blank forms handed to budget units to fill in (``perfeval-xl templates DEST``).
BLANK_FORMS = ("项目支出绩效自评表.xlsx", "部门整体支出绩效评价表.xlsx")

#: Style template of the scored (复核) form; a bureau may restyle it.
SCORED_FORM_STYLE = "项目支出绩效自评表_复核.xlsx"
#: The shipped style template compiled (see ``_style_template``; ``tools/compile_style_template.py`` writes it).
SCORED_FORM_STYLE_COMPILED = "项目支出绩效自评表_复核.compiled.json"


def _templates_dir() -> Path:
    try:
        return Path(str(importlib.resources.files("perfeval_xl.templates")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "templates"


def template_path(name: str) -> Path:
    """Return the path of the template file ``name``.

    Raises FileNotFoundError, naming the directory searched, when it is missing.
    """
    path = _templates_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"找不到模板文件 {name}（查找目录：{path.parent}）")
    return path


def blank_templates() -> list[Path]:
    """The blank forms units fill in (not the 复核 style template)."""
    return [template_path(name) for name in BLANK_FORMS]
