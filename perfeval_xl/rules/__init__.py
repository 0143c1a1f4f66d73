"""The rules engine: rulebooks as data, scoring as pure functions."""
from __future__ import annotations

from ..model import FormResult, ProjectForm
from .project import score_project
from .rulebook import DEFAULT_PROJECT_RULEBOOK, Rulebook, builtin_rulebooks, load_rulebook, rulebook_text

__all__ = ["Rulebook", "load_rulebook", "builtin_rulebooks", "rulebook_text", "score_form",
           "DEFAULT_PROJECT_RULEBOOK"]


def score_form(form: ProjectForm, rulebook: Rulebook) -> FormResult:
    """Score one form read from a workbook with ``rulebook``."""
    return score_project(form, rulebook)
