"""The rules engine: rulebooks as data, scoring as pure functions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import PerfevalError
from ..model import FORM_NAMES, DepartmentForm, FormResult, ProjectForm
from .department import score_department
from .project import score_project
from .rulebook import (DEFAULT_RULEBOOKS, DepartmentRulebook, ProjectRulebook, Rulebook, builtin_rulebooks,
                       load_rulebook, rulebook_text)

__all__ = ["Rulebook", "ProjectRulebook", "DepartmentRulebook", "RuleSet", "load_rulebook", "resolve_rules",
           "builtin_rulebooks", "rulebook_text", "score_form", "DEFAULT_RULEBOOKS"]


@dataclass(frozen=True)
class RuleSet:
    """The rulebook for each form kind: the one asked for, and the defaults for the other kinds."""

    project: ProjectRulebook
    department: DepartmentRulebook

    def for_kind(self, kind: str) -> Rulebook:
        return self.project if kind == "project" else self.department

    @property
    def names(self) -> str:
        return f"{self.project.name}, {self.department.name}"


def resolve_rules(rules: str | Path | Rulebook | RuleSet | None = None) -> RuleSet:
    """A :class:`RuleSet` from a rulebook name, file, object, or None (every kind's default)."""
    if isinstance(rules, RuleSet):
        return rules
    chosen = rules if isinstance(rules, Rulebook) else (load_rulebook(rules) if rules is not None else None)
    by_kind = {kind: load_rulebook(name) for kind, name in DEFAULT_RULEBOOKS.items()
               if chosen is None or chosen.form != kind}
    if chosen is not None:
        by_kind[chosen.form] = chosen
    return RuleSet(**by_kind)


def score_form(form: ProjectForm | DepartmentForm, rules: Rulebook | RuleSet) -> FormResult:
    """Score one form read from a workbook with its kind's rulebook."""
    rulebook = rules.for_kind(form.kind) if isinstance(rules, RuleSet) else rules
    if rulebook.form != form.kind:
        raise PerfevalError(f"规则“{rulebook.name}”用于{FORM_NAMES[rulebook.form]}，"
                            f"不能用于{FORM_NAMES[form.kind]}")
    if isinstance(form, DepartmentForm):
        return score_department(form, rulebook)
    return score_project(form, rulebook)
