"""Cross-case analysis: cross-tabs, cluster profiles, changes over time, and the expectations as
predicted-versus-observed patterns. Everything is computed from the unit and case frames; the study's
settings (which cross-tabs, which rule, which thresholds) come from study.yaml.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from itertools import combinations

import pandas as pd

from patroon.analysis import qca
from patroon.data.models import Expectation
from patroon.data.study_data import StudyData
from patroon.data.yamlfile import LoadError, Problem

TOTAL = "totaal"


def _labels(column: pd.Series) -> list[object]:
    """A column's values as text, missing values kept as missing (they are left out of every count)."""
    return [None if pd.isna(value) else str(value) for value in column]


def crosstab(units: pd.DataFrame, rows: str, columns: str, column_order: list[str] | None = None) -> pd.DataFrame:
    """Counts with row and column totals; every declared category appears, also with zero units.
    Counted in plain Python: pd.crosstab costs 20 ms a table, which every analysis and render job paid
    for a dozen tables of a few units."""
    pairs = [(r, c) for r, c in zip(_labels(units[rows]), _labels(units[columns])) if r is not None and c is not None]
    counts = Counter(pairs)
    row_labels = sorted({r for r, _ in pairs})
    column_labels = sorted({c for _, c in pairs})
    if column_order:
        column_labels = list(column_order) + [c for c in column_labels if c not in column_order]
    table = pd.DataFrame([[counts.get((r, c), 0) for c in column_labels] for r in row_labels],
                         index=pd.Index(row_labels, dtype=object), columns=pd.Index(column_labels, dtype=object), dtype=int)
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    table.index.name = rows
    table.columns.name = None
    return table.astype(int)


def cluster_order(data: StudyData) -> list[str]:
    return [c.id for c in data.codebook.clusters]


def profiles(data: StudyData, units: pd.DataFrame) -> pd.DataFrame:
    """For each variable, cluster and value: how many units ('8 of 8'), and who deviates from the majority."""
    rows = []
    variables = list(data.study.analysis.profile_groups) + list(data.study.analysis.profile_variables)
    clusters = list(units["cluster"])
    unit_ids = list(units["unit_id"])
    for variable in variables:
        values = _labels(units[variable])
        for cluster in cluster_order(data):
            members = [i for i, c in enumerate(clusters) if c == cluster]
            if not members:
                continue
            counts = Counter(values[i] for i in members if values[i] is not None)
            # A strict majority is unique, so which of tied leaders most_common names does not matter.
            leader, top = counts.most_common(1)[0]
            majority = leader if top * 2 > len(members) else None
            for value in sorted(counts):
                deviants = [] if majority is None or value == majority else \
                    sorted(unit_ids[i] for i in members if values[i] == value)
                rows.append({
                    "variable": variable,
                    "cluster": cluster,
                    "value": value,
                    "count": counts[value],
                    "n_cluster": len(members),
                    "of": f"{counts[value]} van {len(members)}",
                    "majority": value == majority,
                    "deviant_units": ";".join(deviants),
                })
    return pd.DataFrame(rows)


def changes(units: pd.DataFrame) -> pd.DataFrame:
    """Every unit whose reaction passed through more than one cluster, including those that came back to
    where they started (their first and final cluster are equal, their path is not)."""
    changed = units[units["changed"] == "ja"]
    return changed[["unit_id", "case_id", "first_cluster", "cluster", "cluster_path", "reaction"]].rename(
        columns={"first_cluster": "from_cluster", "cluster": "to_cluster"}).reset_index(drop=True)


def steering_differences(data: StudyData) -> pd.DataFrame:
    """What the coders recorded as within-case differences in steering between providers."""
    from patroon.data.derive import unit_refs

    rows = []
    for ref in unit_refs(data):
        coded = ref.unit.coded.get("sturing.verschil")
        if coded is None or coded.value in data.codebook.missing():
            continue
        rows.append({"case_id": ref.unit.case, "unit_id": ref.unit_id, "difference": coded.value,
                     "participation": getattr(ref.unit.coded.get("sturing.deelname-netwerk"), "value", "")})
    return pd.DataFrame(rows, columns=["case_id", "unit_id", "difference", "participation"])


# --------------------------------------------------------------------------------------- statistics


def cramers_v(table: pd.DataFrame) -> float:
    """Cramér's V of a contingency table without totals; 0 where a dimension has one category."""
    observed = table.to_numpy(dtype=float)
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    n = observed.sum()
    r, c = observed.shape
    if n == 0 or min(r, c) < 2:
        return 0.0
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / n
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / (n * (min(r, c) - 1)))


def spearman(x: pd.Series, y: pd.Series) -> float | None:
    """Spearman's rho with average ranks for ties; None when either side has no variation."""
    if x.nunique() < 2 or y.nunique() < 2:
        return None
    return float(x.rank().corr(y.rank()))


def verdict(value: float | None, expectation: Expectation) -> str:
    if value is None:
        return "verworpen"
    if value >= expectation.confirm_at:
        return "bevestigd"
    if value >= expectation.partly_at:
        return "deels"
    return "verworpen"


# ------------------------------------------------------------------------------------- expectations


def expectation_between(data, units, cases, expectation) -> dict:
    table = crosstab(units, "case_id", "cluster", cluster_order(data)).drop(index=TOTAL, columns=TOTAL)
    v = cramers_v(table)
    return {
        "statistic": "cramers_v",
        "value": round(v, 4),
        "observed": f"Cramér's V = {v:.2f} over {len(table)} cases and {int(table.to_numpy().sum())} units",
        "distribution": {case: {k: int(n) for k, n in row.items()} for case, row in table.iterrows()},
    }


def expectation_within(data, units, cases, expectation) -> dict:
    per_case = units.groupby("case_id")["cluster"].nunique()
    mixed = sorted(per_case[per_case > 1].index)
    share = len(mixed) / len(per_case) if len(per_case) else 0.0
    return {
        "statistic": "share_cases_with_several_clusters",
        "value": round(share, 4),
        "observed": f"{len(mixed)} of {len(per_case)} cases hold more than one cluster",
        "cases_with_several_clusters": mixed,
        "cases_with_one_cluster": sorted(per_case[per_case <= 1].index),
    }


def expectation_steering(data, units, cases, expectation) -> dict:
    rho = spearman(cases["steering_conditions_met"], cases["share_volgen"])
    breaking = set()
    records = cases.to_dict("records")
    pairs = []
    for a, b in combinations(records, 2):
        if (a["steering_conditions_met"] - b["steering_conditions_met"]) * (a["share_volgen"] - b["share_volgen"]) < 0:
            breaking.update((a["case_id"], b["case_id"]))
            pairs.append([a["case_id"], b["case_id"]])
    order = cases.sort_values(["steering_conditions_met", "share_volgen"], ascending=False)
    return {
        "statistic": "spearman_rho",
        "value": None if rho is None else round(rho, 4),
        "observed": ("no variation to correlate" if rho is None else f"Spearman's rho = {rho:.2f}")
                    + f"; {len(pairs)} discordant pair(s)",
        "order_by_conditions": [
            {"case_id": r["case_id"], "conditions_met": int(r["steering_conditions_met"]),
             "conditions_total": int(r["steering_conditions_total"]), "share_volgen": r["share_volgen"]}
            for r in order.to_dict("records")
        ],
        "discordant_pairs": pairs,
        "cases_breaking_order": sorted(breaking),
    }


def expectation_prediction(data, units, cases, expectation) -> dict:
    matches = units["prediction_matches"] == "true"
    accuracy = float(matches.mean()) if len(units) else 0.0
    confusion = crosstab(units, "predicted_cluster", "cluster", cluster_order(data))
    columns = ["unit_id", "case_id", "cluster", "predicted_cluster"] + list(data.study.analysis.profile_groups)
    deviants = units.loc[~matches, columns].to_dict("records")
    return {
        "statistic": "share_predicted_correctly",
        "value": round(accuracy, 4),
        "observed": f"{int(matches.sum())} of {len(units)} units as predicted",
        "n_correct": int(matches.sum()),
        "n_units": int(len(units)),
        "confusion_matrix": {str(k): {str(c): int(n) for c, n in row.items()} for k, row in confusion.iterrows()},
        "deviant_units": deviants,
    }


EXPECTATION_KINDS = {
    "between-cases": expectation_between,
    "within-cases": expectation_within,
    "steering-conditions": expectation_steering,
    "organisation-prediction": expectation_prediction,
}


def expectations(data: StudyData, units: pd.DataFrame, cases: pd.DataFrame) -> list[dict]:
    results = []
    for expectation in data.study.expectations:
        observed = EXPECTATION_KINDS[expectation.kind](data, units, cases, expectation)
        results.append({
            "id": expectation.id,
            "number": expectation.number,
            "kind": expectation.kind,
            "label": expectation.label.model_dump(),
            "statement": expectation.statement,
            "predicted": expectation.predicted,
            "thresholds": {"bevestigd": expectation.confirm_at, "deels": expectation.partly_at},
            **observed,
            "verdict": verdict(observed["value"], expectation),
        })
    return results


# ------------------------------------------------------------------------------------------------ QCA


def _unit_file(data: StudyData, unit_id: str) -> str:
    """The case file a unit's values come from, for messages."""
    from patroon.data.derive import unit_refs

    kind = data.organisation_kind()
    for ref in unit_refs(data):
        if ref.unit_id == unit_id:
            path = data.files.get(f"{kind}/{ref.organisation.id}")
            return str(path) if path is not None else f"{data.plural(kind)}/{ref.organisation.id}.yaml"
    return str(data.root / "study.yaml")


def _study_file(data: StudyData) -> str:
    return str(data.root / "study.yaml")


def _qca_problem(data: StudyData, path: str, field: str, message: str) -> LoadError:
    return LoadError([Problem(path, 1, field, message)])


def calibration_table(data: StudyData, units: pd.DataFrame, calibration: dict | None = None) -> pd.DataFrame:
    """Per condition and coded value: the crisp membership, how many units have it, and the directional
    expectation with where it comes from."""
    settings = data.study.analysis.qca
    calibration = calibration or settings.calibration
    expectations = directional_expectations(data)
    rows = []
    for condition in settings.conditions:
        counts = Counter(str(v) for v in units[condition] if not pd.isna(v))
        expectation, origin = expectations.get(condition, (None, ""))
        for value, membership in calibration[condition].items():
            rows.append({"condition": condition, "value": value, "membership": membership,
                         "units": counts.get(value, 0),
                         "expectation": {1: "+", 0: "-", None: "0"}[expectation], "expectation_from": origin})
    rows.append({"condition": settings.outcome, "value": settings.outcome_value, "membership": 1,
                 "units": int((units[settings.outcome_column].astype(str) == settings.outcome_value).sum()),
                 "expectation": "", "expectation_from": settings.outcome_column})
    return pd.DataFrame(rows)


def directional_expectations(data: StudyData) -> dict[str, tuple[int | None, str]]:
    """Per condition: 1 (presence favours the outcome), 0 (absence) or None, and where that comes from:
    study.yaml, or the codebook's direction of the values calibrated as 1."""
    settings = data.study.analysis.qca
    out: dict[str, tuple[int | None, str]] = {}
    for condition in settings.conditions:
        stated = settings.directional_expectations.get(condition)
        if stated is not None:
            out[condition] = ({"+": 1, "-": 0, "0": None}[stated], "study.yaml")
            continue
        variable = data.codebook.variable(data.study.analysis.unit_columns.get(condition, condition))
        if variable is None:
            out[condition] = (None, "")
            continue
        directions = {v.code: v.direction for v in data.codebook.allowed_values(variable)}
        present = {directions.get(value) for value, m in settings.calibration[condition].items() if m == 1}
        out[condition] = ((1 if present == {"+"} else 0 if present == {"-"} else None), "codebook")
    return out


def qca_input(data: StudyData, units: pd.DataFrame, calibration: dict | None = None) -> tuple[pd.DataFrame, list[str]] | None:
    """The crisp 0/1 frame of conditions and outcome under a calibration (default: study.yaml's), and the
    units it leaves out. A value the calibration does not list is refused, naming the case file and column."""
    settings = data.study.analysis.qca
    if settings is None:
        return None
    calibration = calibration or settings.calibration
    frame = pd.DataFrame({"unit_id": units["unit_id"]})
    keep = pd.Series(True, index=units.index)
    for condition in settings.conditions:
        memberships = calibration[condition]
        values = []
        for unit_id, value in zip(units["unit_id"], units[condition]):
            if pd.isna(value):
                raise _qca_problem(data, _unit_file(data, unit_id), condition,
                                   f"unit {unit_id} has no value for QCA condition '{condition}'")
            if str(value) not in memberships:
                raise _qca_problem(data, _unit_file(data, unit_id), condition,
                                   f"unit {unit_id} has '{value}', which analysis.qca.calibration.{condition} in "
                                   f"{_study_file(data)} does not calibrate; calibrated: {', '.join(memberships)}")
            values.append(memberships[str(value)])
        keep &= pd.Series([v != "exclude" for v in values], index=units.index)
        frame[condition] = [0 if v == "exclude" else v for v in values]
    frame[settings.outcome] = (units[settings.outcome_column].astype(str) == settings.outcome_value).astype(int)
    excluded = list(units.loc[~keep, "unit_id"])
    return frame[keep].reset_index(drop=True), excluded


def _analyse(data: StudyData, frame: pd.DataFrame, negate: bool = False) -> qca.QcaResult:
    settings = data.study.analysis.qca
    expectations = {c: e for c, (e, _) in directional_expectations(data).items()}
    return qca.analyse(frame, list(settings.conditions), settings.outcome, settings.consistency_threshold,
                       n_cut=settings.frequency_cutoff, directional_expectations=expectations, negate=negate,
                       source=f"{_study_file(data)}: analysis.qca")


def robustness(data: StudyData, units: pd.DataFrame) -> pd.DataFrame | None:
    """The solutions under every combination of the memberships study.yaml lists for uncertain values."""
    settings = data.study.analysis.qca
    if not settings.robustness:
        return None
    values = list(settings.robustness)
    rows = []
    for choice in itertools.product(*(settings.robustness[v] for v in values)):
        calibration = {c: {value: (dict(zip(values, choice)).get(value, m)) for value, m in settings.calibration[c].items()}
                       for c in settings.conditions}
        label = ", ".join(f"{v} → {m}" for v, m in zip(values, choice))
        is_current = calibration == {c: dict(settings.calibration[c]) for c in settings.conditions}
        frame, excluded = qca_input(data, units, calibration)
        row = {"calibration": label, "in_use": is_current, "n": len(frame), "excluded": len(excluded)}
        try:
            result = _analyse(data, frame)
        except qca.QcaError as error:
            row.update({"complex": "", "intermediate": "", "parsimonious": "",
                        "consistency": None, "coverage": None, "note": str(error).split(": ", 2)[-1]})
        else:
            def joined(kind):
                return " | ".join(s["model"] + ": " + s["expression"] for s in result.solutions if s["type"] == kind)
            first = next(s for s in result.solutions if s["type"] == "parsimonious")
            row.update({"complex": joined("complex"), "intermediate": joined("intermediate"),
                        "parsimonious": joined("parsimonious"), "consistency": first["consistency"],
                        "coverage": first["coverage"], "note": ""})
        rows.append(row)
    return pd.DataFrame(rows)


def run_qca(data: StudyData, units: pd.DataFrame) -> qca.QcaResult | None:
    """The QCA of study.yaml: bad input is refused as a LoadError naming file and field (no traceback)."""
    settings = data.study.analysis.qca
    if settings is None:
        return None
    frame, excluded = qca_input(data, units)
    try:
        result = _analyse(data, frame)
    except qca.QcaError as error:
        raise _qca_problem(data, _study_file(data), "analysis.qca", str(error).split(": ", 2)[-1]) from None
    if settings.negated_outcome:
        try:
            result.negated = _analyse(data, frame, negate=True)
        except qca.QcaError as error:
            result.negated_refused = str(error).split(": ", 2)[-1]
    result.calibration = calibration_table(data, units)
    result.excluded = excluded
    result.robustness = robustness(data, units)
    return result
