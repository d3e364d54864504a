"""Cross-case tables of a study with organisations: cross-tabs, cluster profiles, changes over time and
within-case differences in steering. Everything is computed from the unit and case frames; which
cross-tabs come from study.yaml. The propositions are tested in `patroon.analysis.propositions`, the QCA
in `patroon.analysis.qca_study`.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from patroon.data.study_data import StudyData

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
