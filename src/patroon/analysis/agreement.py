"""Intercoder agreement between two independent codings of the same study.

Every categorical or integer value each coder gave (per case, organisation and unit) is an *item*; so is
each unit's reaction as the cross-case analysis uses it: its first cluster, its final cluster and its path
of clusters over time (derived from the coded tactics exactly as the analysis derives them). Free-text
variables are left out: agreement on wording means nothing.

Per variable: percent agreement, Cohen's kappa (two coders, nominal categories) and Krippendorff's alpha
(nominal for categories, from its definition; interval for years and counts, by the `krippendorff`
package). An item one coder did
not code at all counts as a disagreement with the value `ONTBREEKT`: a variable a coder skipped is a real
difference between the codings, not a missing observation.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import krippendorff
import numpy as np
import pandas as pd

from patroon.analysis.tables import evidence_ref
from patroon.data.derive import period_cluster, unit_refs
from patroon.data.models import Evidence
from patroon.data.study_data import StudyData

ABSENT = "ONTBREEKT"
PATH_SEPARATOR = " > "
# The reaction as the cross-case analysis reads it; labels are in the report's message text.
REACTION_VARIABLES = ("reactie.eerste-cluster", "reactie.cluster", "reactie.verloop")


@dataclass(frozen=True)
class Coded:
    value: str
    reference: str  # where the coder found it: "§4.5, Tabel 4.3, p. 90, resp. 7, 10 (afgeleid)"


@dataclass(frozen=True)
class ItemKey:
    variable: str
    level: str  # case, organisation, unit
    item: str  # case, organisation or unit id


def reference(evidence: list[Evidence]) -> str:
    """A compact pointer to every evidence item: enough to find the passage again in the source."""
    return " | ".join(dict.fromkeys(evidence_ref(item) for item in evidence))


def cluster_path(clusters: list[str]) -> list[str]:
    """Consecutive periods in the same cluster are one step: only a change of cluster is a change."""
    path: list[str] = []
    for cluster in clusters:
        if not path or path[-1] != cluster:
            path.append(cluster)
    return path


def coded_items(data: StudyData) -> dict[ItemKey, Coded]:
    """Every comparable value of one coding, keyed by variable and item."""
    items: dict[ItemKey, Coded] = {}

    def add(coded: dict, level: str, item: str) -> None:
        for variable_id, value in coded.items():
            variable = data.codebook.variable(variable_id)
            if variable is None or variable.type == "text":
                continue
            items[ItemKey(variable_id, level, item)] = Coded(str(value.value), reference(value.evidence))

    for case in data.cases.values():
        add(case.coded, "case", case.id)
    for organisation in data.organisations.values():
        add(organisation.coded, "organisation", organisation.id)
    for ref in unit_refs(data):
        add(ref.unit.coded, "unit", ref.unit_id)
        periods = ref.unit.reaction
        path = cluster_path([period_cluster(data, p) for p in periods])
        first, last = periods[0], periods[-1]
        items[ItemKey("reactie.eerste-cluster", "unit", ref.unit_id)] = Coded(path[0], reference(first.evidence))
        items[ItemKey("reactie.cluster", "unit", ref.unit_id)] = Coded(path[-1], reference(last.evidence))
        items[ItemKey("reactie.verloop", "unit", ref.unit_id)] = Coded(
            PATH_SEPARATOR.join(path), reference([e for p in periods for e in p.evidence]))
    return items


def cohen_kappa(first: list[str], second: list[str]) -> float | None:
    """Cohen's kappa for two coders over the same items; None where chance agreement is already 1.

    Written out rather than taken from scikit-learn: it is five lines, and scikit-learn with SciPy would be
    the project's largest dependency for it. Checked in the tests against Cohen's worked example.
    """
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[c] * count_b[c] for c in count_a.keys() | count_b.keys()) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def nominal_alpha(first: list[str], second: list[str]) -> float | None:
    """Krippendorff's nominal alpha of two coders who both coded every item (an item one left out has the
    value ONTBREEKT), from its definition: with n = 2N values, n_c of value c, and every mismatching item
    giving one coincidence in each order, alpha = 1 - (n - 1) * 2 * mismatches / (n^2 - sum of n_c^2).
    The `krippendorff` package computes the same from an items x values x values array, which for the
    pooled alpha of a study (625 items, 169 values) took over a second; tests hold the two equal."""
    n = 2 * len(first)
    counts = Counter(first) + Counter(second)
    expected = n * n - sum(c * c for c in counts.values())
    if n == 0 or expected == 0:
        return None
    mismatches = sum(a != b for a, b in zip(first, second))
    return 1 - (n - 1) * 2 * mismatches / expected


def krippendorff_alpha(first: list[str], second: list[str], level: str) -> float | None:
    """Krippendorff's alpha; None where it is undefined (one value only). Nominal by `nominal_alpha`,
    interval by the `krippendorff` package."""
    if not first:
        return None
    if level == "interval":
        try:
            rows = [[float(v) for v in first], [float(v) for v in second]]
        except ValueError:
            level, rows = "nominal", None
    if level != "interval":
        return nominal_alpha(first, second)
    matrix = np.array(rows, dtype=float)
    if len(np.unique(matrix)) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))


@dataclass
class Comparison:
    coders: tuple[str, str]
    per_variable: pd.DataFrame
    disagreements: pd.DataFrame

    @property
    def n_items(self) -> int:
        return int(self.per_variable.loc[self.per_variable["variable"] != POOLED, "n_items"].sum())

    @property
    def n_disagreements(self) -> int:
        return len(self.disagreements)


VARIABLE_COLUMNS = ["variable", "level", "n_items", "n_agree", "percent_agreement", "cohen_kappa",
                    "krippendorff_alpha", "n_disagreements"]
DISAGREEMENT_COLUMNS = ["variable", "level", "item", "coder_a", "value_a", "evidence_a", "coder_b", "value_b",
                        "evidence_b"]
POOLED = "alle-variabelen"


def _measures(variable: str, level: str, pairs: list[tuple[str, str]], scale: str) -> dict:
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    agree = sum(a == b for a, b in pairs)
    kappa = cohen_kappa(first, second)
    alpha = krippendorff_alpha(first, second, scale)
    return {"variable": variable, "level": level, "n_items": len(pairs), "n_agree": agree,
            "percent_agreement": round(100 * agree / len(pairs), 1) if pairs else None,
            "cohen_kappa": None if kappa is None else round(kappa, 3),
            "krippendorff_alpha": None if alpha is None else round(alpha, 3),
            "n_disagreements": len(pairs) - agree}


def variable_order(data: StudyData) -> dict[str, int]:
    """Codebook order, the reaction variables last: the order a reader of the codebook expects."""
    order = {v.id: i for i, v in enumerate(data.codebook.variables)}
    order.update({v: len(order) + i for i, v in enumerate(REACTION_VARIABLES)})
    return order


def compare(first: StudyData, second: StudyData, coders: tuple[str, str], measures: bool = True) -> Comparison:
    """Agreement of two codings of the same study; `first` supplies the codebook and the variable order.
    With `measures=False` only the disagreements: what validation checks the reconciliation against."""
    items_a, items_b = coded_items(first), coded_items(second)
    order = variable_order(first)
    keys = sorted(items_a.keys() | items_b.keys(), key=lambda k: (order.get(k.variable, 10**6), k.variable, k.item))
    absent = Coded(ABSENT, "")
    by_variable: dict[tuple[str, str], list[tuple[str, str]]] = {}
    rows = []
    for key in keys:
        a, b = items_a.get(key, absent), items_b.get(key, absent)
        by_variable.setdefault((key.variable, key.level), []).append((a.value, b.value))
        if a.value != b.value:
            rows.append({"variable": key.variable, "level": key.level, "item": key.item,
                         "coder_a": coders[0], "value_a": a.value, "evidence_a": a.reference,
                         "coder_b": coders[1], "value_b": b.value, "evidence_b": b.reference})
    rows_of_measures = []
    all_pairs: list[tuple[str, str]] = []
    for (variable_id, level), pairs in by_variable.items() if measures else ():
        variable = first.codebook.variable(variable_id)
        scale = "interval" if variable is not None and variable.type == "integer" else "nominal"
        rows_of_measures.append(_measures(variable_id, level, pairs, scale))
        # Pooled over variables, values are only comparable within a variable: prefix them.
        all_pairs += [(f"{variable_id}={a}", f"{variable_id}={b}") for a, b in pairs]
    if all_pairs:
        rows_of_measures.append(_measures(POOLED, "", all_pairs, "nominal"))
    return Comparison(coders, pd.DataFrame(rows_of_measures, columns=VARIABLE_COLUMNS),
                      pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS))

def agreement_frames(check) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-variable agreement, and every disagreement beside the decision that settled it (if any); then the
    review corrections of values both coders agreed on (`kind` says which is which). Where a later round
    re-decided an item, its decision is shown, with the round and what the earlier round had decided."""
    comparison = check.comparison
    decisions: dict[tuple[str, str], object] = {}
    rounds: dict[tuple[str, str], int] = {}
    earlier: dict[tuple[str, str], str] = {}
    for round_, _, d in (check.reconciliation.in_order() if check.reconciliation else []):
        key = (d.variable, d.item)
        if key in decisions and str(decisions[key].decision) != str(d.decision):
            earlier[key] = "; ".join(filter(None, [earlier.get(key), f"ronde {rounds[key]}: {decisions[key].decision}"]))
        decisions[key], rounds[key] = d, round_
    disagreements = comparison.disagreements.copy()
    disagreements.insert(0, "kind", "verschil")
    corrections = []
    a, b = comparison.coders
    for key in sorted(check.corrections):
        decision = decisions[key]
        corrections.append({"kind": "correctie", "variable": key[0], "level": "", "item": key[1],
                            "coder_a": a, "value_a": str(decision.values[a]), "evidence_a": "",
                            "coder_b": b, "value_b": str(decision.values[b]), "evidence_b": ""})
    if corrections:
        disagreements = pd.concat([disagreements, pd.DataFrame(corrections)], ignore_index=True)
    for column in ("decision", "reason", "source"):
        disagreements[column] = [getattr(decisions.get((r.variable, r.item)), column, "")
                                 for r in disagreements.itertuples()]
    disagreements["round"] = [rounds.get((r.variable, r.item), "") for r in disagreements.itertuples()]
    disagreements["earlier_decision"] = [earlier.get((r.variable, r.item), "") for r in disagreements.itertuples()]
    return comparison.per_variable, disagreements
