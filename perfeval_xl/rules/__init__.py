"""The rules engine: rulebooks as data, scoring as pure functions."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import PerfevalError, RulebookError
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


def resolve_rules(rules: str | Path | Mapping | Rulebook | RuleSet | Sequence[str | Path | Mapping | Rulebook] | None
                  = None) -> RuleSet:
    """A :class:`RuleSet` from a rulebook name, file, mapping (a rulebook file's data), object, or
    None (every kind's default); or from several, one per kind of form (a bureau's project rulebook
    and its department rulebook), each replacing its kind's default.  Two for one kind are an error:
    neither would be silently dropped.  Anything else is a :class:`RulebookError` saying what is taken."""
    if isinstance(rules, RuleSet):
        return rules
    given = [] if rules is None else list(rules) if isinstance(rules, (list, tuple)) else [rules]
    chosen: dict[str, Rulebook] = {}
    for rule in given:
        rulebook = rule if isinstance(rule, Rulebook) else load_rulebook(rule)
        if rulebook.form in chosen:
            raise RulebookError(f"两套规则都用于{FORM_NAMES[rulebook.form]}：“{chosen[rulebook.form].name}”和"
                                f"“{rulebook.name}”；每类表只能给一套规则")
        chosen[rulebook.form] = rulebook
    by_kind = {kind: chosen.get(kind) or load_rulebook(name) for kind, name in DEFAULT_RULEBOOKS.items()}
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
