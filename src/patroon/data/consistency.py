"""Checks across the files of a loaded study: what each file can be right on its own and still wrong
together. Every name study.yaml uses must exist (a crosstab over a column no table has crashed the analysis
later with a KeyError), ids and names must be unique where tables are keyed by them, and the codebook may
not define a thing twice (the last definition silently won).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from patroon.data.models import Codebook, Study
from patroon.data.suggest import did_you_mean

if TYPE_CHECKING:  # load imports this module
    from patroon.data.study_data import StudyData
    from patroon.data.yamlfile import Document, Problem

# Columns every unit row has (derive.unit_frame) besides the study's unit_columns and profile variables.
UNIT_FRAME_COLUMNS = ("unit_id", "organisation_id", "case_id", "name", "organisation_name", "first_cluster",
                      "cluster", "changed", "cluster_path", "reaction", "age_class", "opposing_forces",
                      "steering_adequate", "predicted_cluster", "prediction_rule", "prediction_matches")
# A codebook variable with one of these ids would overwrite a column of the unit or case tables.
# Columns every case row has (derive.case_frame), besides one count per cluster.
CASE_FRAME_COLUMNS = ("case_id", "name", "n_units", "share_volgen", "steering_conditions_met",
                      "steering_conditions_partly", "steering_conditions_score", "steering_conditions_total",
                      "conditions_met", "conditions_partly", "conditions_not_met", "steering_adequate")
RESERVED_IDS = set(UNIT_FRAME_COLUMNS) | set(CASE_FRAME_COLUMNS) | {"id", "kind"}


def _problem(path: str, line: int, field: str, message: str) -> "Problem":
    from patroon.data.yamlfile import Problem

    return Problem(path, line, field, message)


def check_codebook_definitions(codebook: Codebook, document: "Document", shown: str) -> list["Problem"]:
    """Nothing defined twice, no variable named like a table column."""
    problems = []

    def duplicates(items: list[str], where, what: str) -> None:
        counts = Counter(items)
        for index, item in enumerate(items):
            if counts[item] > 1 and items.index(item) != index:
                problems.append(_problem(shown, document.line(where(index)), what, f"duplicate {what} '{item}'"))

    duplicates([c.id for c in codebook.clusters], lambda i: ("clusters", i, "id"), "cluster")
    duplicates([t.id for t in codebook.tactics], lambda i: ("tactics", i, "id"), "tactic")
    duplicates([m.code for m in codebook.missing_codes], lambda i: ("missing_codes", i, "code"), "missing code")
    for name, values in codebook.value_sets.items():
        duplicates([v.code for v in values], lambda i, name=name: ("value_sets", name, i, "code"), "code")
    for index, variable in enumerate(codebook.variables):
        if variable.values:
            duplicates([v.code for v in variable.values], lambda i, index=index: ("variables", index, "values", i, "code"),
                       "code")
        if variable.id in RESERVED_IDS:
            problems.append(_problem(shown, document.line(("variables", index, "id")), "id",
                                     f"'{variable.id}' is a column of the unit and case tables; choose another id"))
    return problems


def _suggest(variable_id: str, codebook: Codebook) -> str:
    return did_you_mean(variable_id, [v.id for v in codebook.variables])


def _unit_columns(study: Study) -> set[str]:
    analysis = study.analysis
    return set(UNIT_FRAME_COLUMNS) | set(analysis.unit_columns) | set(analysis.profile_variables)


def check_study_references(study: Study, codebook: Codebook, document: "Document", shown: str,
                           has_organisations: bool) -> list["Problem"]:
    """Every variable, column and cluster study.yaml names exists."""
    problems = []
    analysis = study.analysis
    clusters = {c.id for c in codebook.clusters}

    def add(loc: tuple, message: str) -> None:
        problems.append(_problem(shown, document.line(("analysis",) + loc), "analysis." + ".".join(map(str, loc)), message))

    def variable_exists(loc: tuple, variable_id: str) -> None:
        if codebook.variable(variable_id) is None:
            add(loc, f"'{variable_id}' is not a variable of the codebook" + _suggest(variable_id, codebook))

    for column, variable_id in analysis.unit_columns.items():
        variable_exists(("unit_columns", column), variable_id)
        if column in UNIT_FRAME_COLUMNS:
            add(("unit_columns", column), f"'{column}' is a column patroon derives; choose another name")
    for i, variable_id in enumerate(analysis.profile_groups):
        variable_exists(("profile_groups", i), variable_id)
    for i, variable_id in enumerate(analysis.profile_variables):
        variable_exists(("profile_variables", i), variable_id)
    if analysis.opposing_forces is not None:
        variable = codebook.variable(analysis.opposing_forces)
        codes = {v.code for v in codebook.allowed_values(variable)} if variable is not None else set()
        if variable is None:
            add(("opposing_forces",), f"'{analysis.opposing_forces}' is not a variable of the codebook")
        elif variable.level != "unit" or not {"ja", "nee"} <= codes:
            add(("opposing_forces",), f"'{analysis.opposing_forces}' must be a unit variable with the codes ja and nee "
                                      "(the units.csv column opposing_forces)")
    for i, condition in enumerate(analysis.steering_conditions):
        for j, requirement in enumerate(condition.all_of):
            loc = ("steering_conditions", i, "all_of", j)
            variable = codebook.variable(requirement.variable)
            if variable is None:
                add(loc + ("variable",), f"'{requirement.variable}' is not a variable of the codebook"
                    + _suggest(requirement.variable, codebook))
            elif variable.level != "case":
                add(loc + ("variable",), f"'{requirement.variable}' is a {variable.level} variable; steering "
                                         "conditions are about the case")
            elif variable.type == "categorical":
                allowed = {v.code for v in codebook.allowed_values(variable)}
                for field_ in ("values", "partly"):
                    unknown = [v for v in getattr(requirement, field_) if v not in allowed]
                    if unknown:
                        add(loc + (field_,), f"{', '.join(unknown)} not allowed for '{requirement.variable}'; "
                                             f"expected among: {', '.join(sorted(allowed))}")
            both = sorted(set(requirement.values) & set(requirement.partly))
            if both:
                add(loc + ("partly",), f"{', '.join(both)} cannot both meet the requirement and meet it in part")
    if not has_organisations:
        return problems
    columns = _unit_columns(study)
    known = ", ".join(sorted(columns))

    def column_exists(loc: tuple, column: str) -> None:
        if column not in columns:
            add(loc, f"'{column}' is not a column of the unit table; known: {known}" + did_you_mean(column, columns))

    for i, crosstab in enumerate(analysis.crosstabs):
        column_exists(("crosstabs", i, "rows"), crosstab.rows)
        column_exists(("crosstabs", i, "columns"), crosstab.columns)
        grouped = [code for group in crosstab.column_groups for code in group.codes]
        if len(grouped) != len(set(grouped)):
            add(("crosstabs", i, "column_groups"), "a code may be in one group only")
        groups = {g.id for g in crosstab.column_groups}
        for row, cells in (crosstab.author.cells.items() if crosstab.author and groups else []):
            unknown = sorted(set(cells) - groups)
            if unknown:
                add(("crosstabs", i, "author", "cells", row), f"{', '.join(unknown)}: not a column group of this "
                                                              f"table ({', '.join(sorted(groups))})")
    for i, rule in enumerate(analysis.prediction_rules):
        if rule.cluster not in clusters:
            add(("prediction_rules", i, "cluster"), f"unknown cluster '{rule.cluster}'; defined: {', '.join(sorted(clusters))}")
        for j, requirement in enumerate(rule.all_of):
            column_exists(("prediction_rules", i, "all_of", j, "variable"), requirement.variable)
        for j, variable_id in enumerate(rule.count_plus):
            column_exists(("prediction_rules", i, "count_plus", j), variable_id)
    if analysis.prediction_default is not None and analysis.prediction_default not in clusters:
        add(("prediction_default",), f"unknown cluster '{analysis.prediction_default}'")
    return problems


def check_cases_together(data: "StudyData", shown_of: dict[str, str], study_shown: str,
                         study_document: "Document") -> list["Problem"]:
    """Kind folders that hold nothing, names shared by two cases of one kind, unit ids shared by two units."""
    from patroon.data.derive import unit_refs

    problems = []
    for index, kind in enumerate(data.study.unit_kinds):
        present = data.cases_of(kind.kind) if kind.role == "case" else data.organisations
        if not present:
            problems.append(_problem(study_shown, study_document.line(("unit_kinds", index)), f"unit_kinds.{index}",
                                     f"no case files in {kind.plural}/ (missing or renamed folder?)"))
    for kind in data.case_kinds():
        by_name: dict[str, list[str]] = {}
        for case_id, case in data.cases_of(kind).items():
            by_name.setdefault(" ".join(case.name.split()).casefold(), []).append(case_id)
        for name, ids in by_name.items():
            for case_id in ids[1:]:
                problems.append(_problem(shown_of[f"{kind}/{case_id}"], 1, "name",
                                         f"the name is also that of '{ids[0]}'; tables show cases by name, so "
                                         "names must differ"))
    if data.organisations:
        seen: dict[str, str] = {}
        for ref in unit_refs(data):
            if ref.unit_id in seen and seen[ref.unit_id] != ref.organisation.id:
                problems.append(_problem(shown_of[f"{data.organisation_kind()}/{ref.organisation.id}"], 1, "units",
                                         f"unit id '{ref.unit_id}' is also a unit of '{seen[ref.unit_id]}'; "
                                         "rename one organisation"))
            seen.setdefault(ref.unit_id, ref.organisation.id)
    return problems
