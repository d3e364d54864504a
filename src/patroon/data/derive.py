"""From loaded models to the two frames everything else is built on: one row per unit, one per case.

Nothing is typed by hand here: clusters follow from the tactics through the codebook (a compromise
period's from its judged `cluster`), the age class from the founding year and the study's cut-off,
conditions and predictions from the rules in study.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from patroon.data.models import (
    CodedValue,
    OrganisationFile,
    Period,
    PredictionRule,
    Requirement,
    SteeringCondition,
    Unit,
)
from patroon.data.study_data import StudyData

UNKNOWN = "onbekend"


@dataclass(frozen=True)
class UnitRef:
    unit_id: str
    organisation: OrganisationFile
    unit: Unit


def unit_refs(data: StudyData) -> list[UnitRef]:
    """Units in a stable order (case, then organisation). Ids per DESIGN: org id, or org-case if several."""
    refs = []
    for org in data.organisations.values():
        for unit in org.units:
            unit_id = org.id if len(org.units) == 1 else f"{org.id}-{unit.case}"
            refs.append(UnitRef(unit_id, org, unit))
    order = {case_id: i for i, case_id in enumerate(data.cases)}
    return sorted(refs, key=lambda r: (order.get(r.unit.case, 0), r.unit_id))


def period_cluster(data: StudyData, period: Period) -> str:
    """The cluster of the deciding tactic; for a compromise (no fixed cluster, §3.4) the period's own
    judged cluster, which validation requires."""
    tactic = data.codebook.tactic(period.deciding_tactic)
    if tactic.cluster is not None:
        return tactic.cluster
    if period.cluster is None:
        raise ValueError(f"'{tactic.id}' has no fixed cluster and the period gives none")
    return period.cluster.value


def unit_value(data: StudyData, ref: UnitRef, variable_id: str) -> CodedValue | None:
    """A unit's coded value, falling back to its organisation's (organisation-level variables)."""
    return ref.unit.coded.get(variable_id) or ref.organisation.coded.get(variable_id)


def plain(data: StudyData, coded: CodedValue | None, variable_id: str) -> str | int:
    """The value as it goes into a table: missing codes become 'onbekend' where the codebook allows it."""
    if coded is None:
        return UNKNOWN
    value = coded.value
    if isinstance(value, str) and value in data.codebook.missing():
        variable = data.codebook.variable(variable_id)
        codes = {v.code for v in data.codebook.allowed_values(variable)} if variable else set()
        return UNKNOWN if UNKNOWN in codes or variable is None or variable.type != "categorical" else value
    return value


def _holds(requirement: Requirement, lookup) -> bool:
    return str(lookup(requirement.variable)) in requirement.values


def predict(rules: list[PredictionRule], default: str | None, lookup) -> tuple[str | None, int | None]:
    """First matching rule's cluster and its index (None for the default)."""
    for index, rule in enumerate(rules):
        if not all(_holds(r, lookup) for r in rule.all_of):
            continue
        if rule.count_plus and sum(str(lookup(v)) == "+" for v in rule.count_plus) < rule.min_plus:
            continue
        return rule.cluster, index
    return default, None


# A condition met in part counts half in the score (met = 1, partly = 0.5, not met = 0).
PARTLY_SCORE = 0.5


def condition_status(condition: SteeringCondition, lookup) -> str:
    """'met', 'partly' or 'not_met': every requirement met; every one met at least in part; otherwise."""
    values = [(str(lookup(r.variable)), r) for r in condition.all_of]
    if all(value in r.values for value, r in values):
        return "met"
    if all(value in r.values or value in r.partly for value, r in values):
        return "partly"
    return "not_met"


def opposing_forces(values: list[str]) -> str:
    """Our own construct, for studies that do not code the tension (`analysis.opposing_forces`): 'ja' when
    the overall judgements pull both ways, a '+' and a '-', or a group that is itself mixed."""
    has_plus = any(v in ("+", "mixed") for v in values)
    has_minus = any(v in ("-", "mixed") for v in values)
    return "ja" if has_plus and has_minus else "nee"


def case_frame(data: StudyData, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per case: cluster counts and steering conditions met, partly met, and the score (met 1,
    partly 0.5). `units`: the unit frame when the caller has it already (building it is most of the cost at
    national scale)."""
    analysis = data.study.analysis
    units = unit_frame_without_case_columns(data) if units is None else units
    units_of = {case_id: rows for case_id, rows in units.groupby("case_id", sort=False)}
    clusters = [c.id for c in data.codebook.clusters]
    rows = []
    for case_id, case in data.cases.items():
        mine = units_of.get(case_id, units.iloc[0:0])

        def lookup(variable_id: str, case=case) -> str:
            return str(plain(data, case.coded.get(variable_id), variable_id))

        status = {c.id: condition_status(c, lookup) for c in analysis.steering_conditions}
        met = [c for c, s in status.items() if s == "met"]
        partly = [c for c, s in status.items() if s == "partly"]
        row = {"case_id": case_id, "name": case.name, "n_units": len(mine)}
        for cluster in clusters:
            row[f"n_{cluster.replace('-', '_')}"] = int((mine["cluster"] == cluster).sum())
        total = len(analysis.steering_conditions)
        row["share_volgen"] = round(row.get("n_volgen", 0) / len(mine), 4) if len(mine) else None
        row["steering_conditions_met"] = len(met)
        row["steering_conditions_partly"] = len(partly)
        row["steering_conditions_score"] = len(met) + PARTLY_SCORE * len(partly)
        row["steering_conditions_total"] = total
        row["conditions_met"] = ";".join(met)
        row["conditions_partly"] = ";".join(partly)
        row["conditions_not_met"] = ";".join(c for c, s in status.items() if s == "not_met")
        # Adequate by the conditions fully met (partly met ones do not count here; the score shows them).
        row["steering_adequate"] = "ja" if total and len(met) / total >= analysis.steering_adequate_at else "nee"
        rows.append(row)
    return pd.DataFrame(rows)


def unit_frame_without_case_columns(data: StudyData) -> pd.DataFrame:
    analysis = data.study.analysis
    rows = []
    for ref in unit_refs(data):
        periods = ref.unit.reaction
        clusters = [period_cluster(data, p) for p in periods]
        row: dict[str, object] = {
            "unit_id": ref.unit_id,
            "organisation_id": ref.organisation.id,
            "case_id": ref.unit.case,
            "name": ref.unit.name,
            "organisation_name": ref.organisation.name,
            "first_cluster": clusters[0],
            "cluster": clusters[-1],
            "changed": "ja" if len(set(clusters)) > 1 else "nee",
            # Consecutive periods in the same cluster are one step: volgen > niet-volgen > volgen.
            "cluster_path": " > ".join(c for i, c in enumerate(clusters) if i == 0 or c != clusters[i - 1]),
            "reaction": " > ".join("+".join(p.tactics) for p in periods),
        }
        for column, variable_id in analysis.unit_columns.items():
            row[column] = plain(data, unit_value(data, ref, variable_id), variable_id)
        founded = row.get("founded")
        row["age_class"] = (UNKNOWN if not isinstance(founded, int)
                            else "oud" if founded < analysis.age_cutoff_year else "nieuw")
        if analysis.opposing_forces is not None:  # coded from the chapters, with evidence
            row["opposing_forces"] = plain(data, unit_value(data, ref, analysis.opposing_forces),
                                           analysis.opposing_forces)
        else:
            row["opposing_forces"] = opposing_forces([str(row.get(g, UNKNOWN)) for g in analysis.profile_groups])
        for variable_id in analysis.profile_variables:
            row[variable_id] = plain(data, unit_value(data, ref, variable_id), variable_id)
        rows.append(row)
    return pd.DataFrame(rows)


def unit_frame(data: StudyData) -> pd.DataFrame:
    """One row per unit with the columns of DESIGN.md, the profile variables and the prediction."""
    analysis = data.study.analysis
    units = unit_frame_without_case_columns(data)
    cases = case_frame(data, units).set_index("case_id")
    units["steering_adequate"] = units["case_id"].map(cases["steering_adequate"])
    predicted, because = [], []
    for _, row in units.iterrows():
        cluster, index = predict(analysis.prediction_rules, analysis.prediction_default,
                                 lambda v, row=row: row.get(v, UNKNOWN))
        predicted.append(cluster)
        because.append(analysis.prediction_rules[index].because.nl if index is not None else "standaard")
    units["predicted_cluster"] = predicted
    units["prediction_rule"] = because
    units["prediction_matches"] = ["true" if p == c else "false" for p, c in zip(predicted, units["cluster"])]
    return units
