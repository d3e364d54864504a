"""Per-case tables, as each case chapter ends with them (Tabel x.1, x.2, x.3), plus cases/units."""

from __future__ import annotations

import pandas as pd

from patroon.data.derive import UnitRef, period_cluster, plain
from patroon.data.models import CodedValue, Evidence
from patroon.data.study_data import StudyData


# The words of a reference in the tables' language (reports pass their message catalog's words).
REFERENCE_WORDS = {"nl": {"inferred": "afgeleid", "page": "p.", "respondents": "resp.", "row": "rij"},
                   "en": {"inferred": "inferred", "page": "p.", "respondents": "resp.", "row": "row"}}


def section_ref(section: str) -> str:
    """A section number (4.4, 7.6.1) reads §4.4; any other text (Bijlage 13, Appendix B) as written."""
    return f"§{section}" if section[:1].isdigit() else section


def place_ref(evidence: Evidence) -> str:
    """Where only (no page, respondents or inference): '§7.1, Tabel 1' — the register's short column."""
    parts = [section_ref(evidence.section)] if evidence.section else []
    parts += [p for p in (evidence.table, evidence.dataset, evidence.citation) if p]
    return ", ".join(parts) or (f"p. {evidence.page}" if evidence.page is not None else "; ".join(evidence.documents))


def evidence_ref(evidence: Evidence, words: dict | None = None) -> str:
    """A compact, traceable reference as the source writes it: '§4.4; Tabel 4.3; p. 84; resp. 7, 10', or
    'LC (R package QCA), row AU'. `words`: the report language's words for REFERENCE_WORDS' keys."""
    words = {**REFERENCE_WORDS["nl"], **(words or {})}
    parts = []
    if evidence.section:
        parts.append(section_ref(evidence.section))
    if evidence.table:
        parts.append(evidence.table)
    if evidence.page is not None:
        parts.append(f"{words['page']} {evidence.page}")
    if evidence.dataset:
        parts.append(evidence.dataset + (f", {words['row']} {evidence.row}" if evidence.row is not None else ""))
    if evidence.citation:
        parts.append(evidence.citation)
    if evidence.respondents:
        parts.append(f"{words['respondents']} " + ", ".join(map(str, evidence.respondents)))
    if evidence.inferred:
        parts.append(words["inferred"])
    return "; ".join(parts)


def evidence_summary(coded: CodedValue | None, language: str = "nl") -> str:
    if coded is None:
        return ""
    return " | ".join(f"{e.text} ({evidence_ref(e, REFERENCE_WORDS[language])})" for e in coded.evidence)


def value_label(data: StudyData, variable_id: str, value: object, language: str = "nl") -> str:
    variable = data.codebook.variable(variable_id)
    if variable is None or variable.type != "categorical":
        return str(value)
    labels = {v.code: v.label for v in data.codebook.allowed_values(variable)}
    labels.update({m.code: m.label for m in data.codebook.missing_codes})
    label = labels.get(str(value))
    return getattr(label, language) if label else str(value)


def providers_table(data: StudyData, refs: list[UnitRef]) -> pd.DataFrame:
    """Tabel x.1: background characteristics of the providers studied in one case (`refs`: its units, in
    the order of `unit_refs`)."""
    variables = [v for v in data.codebook.variables
                 if v.group.startswith("achtergrond.aanbieder") and v.level in ("organisation", "unit")]
    rows = []
    for ref in refs:
        row = {"unit_id": ref.unit_id, "name": ref.unit.name}
        for variable in variables:
            coded = ref.unit.coded.get(variable.id) or ref.organisation.coded.get(variable.id)
            row[variable.id] = plain(data, coded, variable.id)
        rows.append(row)
    return pd.DataFrame(rows)


def steering_table(data: StudyData, case_id: str, language: str = "nl") -> pd.DataFrame:
    """Tabel x.2: every case-level variable with its value, meaning and evidence."""
    case = data.cases[case_id]
    rows = []
    for variable in data.codebook.variables:
        if variable.level != "case" or (variable.kinds is not None and case.kind not in variable.kinds):
            continue
        coded = case.coded.get(variable.id)
        value = plain(data, coded, variable.id)
        rows.append({
            "variable": variable.id,
            "group": variable.group,
            "label": getattr(variable.label, language),
            "value": value,
            "meaning": value_label(data, variable.id, value, language),
            "inferred": any(e.inferred for e in coded.evidence) if coded else False,
            "evidence": evidence_summary(coded, language),
        })
    return pd.DataFrame(rows)


def reactions_table(data: StudyData, units: pd.DataFrame, refs: list[UnitRef]) -> pd.DataFrame:
    """Tabel x.3: reaction over time and determining factors per unit of one case (`refs`: its units;
    `units`: the unit frame, all of it or this case's rows)."""
    rows = []
    groups = data.study.analysis.profile_groups
    subs = data.study.analysis.profile_variables
    by_id = units.set_index("unit_id")
    for ref in refs:
        unit_row = by_id.loc[ref.unit_id]
        periods = "; ".join(
            f"{p.start or '?'}-{p.end or '?'}: {'+'.join(p.tactics)} ({period_cluster(data, p)})"
            for p in ref.unit.reaction
        )
        steering = ref.unit.coded.get("sturing.verschil")
        row = {
            "unit_id": ref.unit_id,
            "name": ref.unit.name,
            "periods": periods,
            "first_cluster": unit_row["first_cluster"],
            "cluster": unit_row["cluster"],
            "steering_difference": plain(data, steering, "sturing.verschil") if steering else "",
        }
        for variable_id in list(groups) + list(subs):
            row[variable_id] = unit_row.get(variable_id)
        rows.append(row)
    return pd.DataFrame(rows)


def case_values_table(data: StudyData) -> pd.DataFrame:
    """One row per case file of every case kind, one column per case-level variable (studies without
    organisations: their cases are their units)."""
    rows = []
    for case_id, case in data.cases.items():
        row: dict[str, object] = {"case_id": case_id, "kind": case.kind, "name": case.name,
                                  "part_of": case.part_of or ""}
        for variable in data.codebook.variables:
            if variable.level == "case" and (variable.kinds is None or case.kind in variable.kinds):
                row[variable.id] = plain(data, case.coded.get(variable.id), variable.id)
        rows.append(row)
    return pd.DataFrame(rows)
