"""tools/render_check.py writes PNGs only outside the repository (the rendering itself is not run in CI)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def render_check():
    spec = importlib.util.spec_from_file_location("render_check", REPO / "tools" / "render_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("inside", [".", "out", "tests/../renders", "examples/城管局"])
def test_a_destination_inside_the_repository_is_refused(render_check, inside):
    with pytest.raises(render_check.RenderError, match="inside the repository"):
        render_check.checked_destination(REPO / inside)


def test_a_destination_outside_the_repository_is_accepted(render_check, tmp_path):
    assert render_check.checked_destination(tmp_path / "png") == (tmp_path / "png").resolve()


def test_the_command_line_refuses_before_scoring_anything(render_check, capsys):
    assert render_check.main([str(REPO / "examples"), "--dest", str(REPO / "renders")]) == 1
    assert "inside the repository" in capsys.readouterr().err
    assert not (REPO / "renders").exists()
