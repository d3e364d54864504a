"""Which figures each report gets, built from the same derived frames as its tables."""

from __future__ import annotations

import pandas as pd

from patroon import figures
from patroon.derive import period_cluster, unit_refs
from patroon.figures import Bar, Figure
from patroon.load import StudyData

# Above this many rows a figure is left out of the synthesis (its table and the per-case reports remain).
MAX_ROWS = 120

ALT = {
    "nl": {
        "conditions": "Voorwaarden voor volgen per gemeente: blauw = voldaan, rood = niet voldaan.",
        "matrix": "Weten, willen, kunnen en moeten per eenheid, gegroepeerd naar cluster: blauw = +, rood = -, "
                  "oranje = gemengd, grijs = onbekend of niet van toepassing.",
        "timeline": "Reactie van elke eenheid in de tijd; kleur = cluster, gestippelde rand = begin- of eindjaar "
                    "niet in de bron.",
        "share": "Aandeel per case (donkerder = hoger); in elke cel aantal/totaal.",
        "grid": "Waarde per case; in elke cel de gecodeerde waarde.",
        "continuum": "Positie van elke case tussen de twee polen.",
    },
    "en": {
        "conditions": "Conditions for following per municipality: blue = met, red = not met.",
        "matrix": "Knowing, willing, able and having to per unit, grouped by cluster: blue = +, red = -, "
                  "orange = mixed, grey = unknown or not applicable.",
        "timeline": "Each unit's reaction over time; colour = cluster, dashed border = start or end year not in "
                    "the source.",
        "share": "Share per case (darker = higher); each cell shows count/total.",
        "grid": "Value per case; each cell shows the coded value.",
        "continuum": "Each case's position between the two poles.",
    },
}


def conditions_heatmap(data: StudyData, cases: pd.DataFrame, language: str, name: str = "voorwaarden") -> Figure:
    conditions = data.study.analysis.steering_conditions
    yes, no = ("voldaan", "niet") if language == "nl" else ("met", "not")
    cells, shown = [], []
    for row in cases.itertuples():
        met = set(str(row.conditions_met).split(";"))
        cells.append(["met" if c.id in met else "not_met" for c in conditions])
        shown.append([yes if c.id in met else no for c in conditions])
    labels = [f"{row.name} ({row.steering_conditions_met}/{row.steering_conditions_total})" for row in cases.itertuples()]
    return figures.grid(name, ALT[language]["conditions"], labels, [c.id for c in conditions], cells, shown=shown)


def unit_matrix(data: StudyData, units: pd.DataFrame, language: str, name: str = "weten-willen-kunnen-moeten") -> Figure:
    groups = list(data.study.analysis.profile_groups)
    order = {c.id: i for i, c in enumerate(data.codebook.clusters)}
    labels = {c.id: getattr(c.label, language) for c in data.codebook.clusters}
    ordered = units.assign(_o=units["cluster"].map(order)).sort_values(["_o", "unit_id"], kind="stable")
    return figures.grid(name, ALT[language]["matrix"], ordered["name"].tolist(), groups,
                        [[str(r[g]) for g in groups] for r in ordered.to_dict("records")],
                        groups=[labels.get(c, c) for c in ordered["cluster"]])


def reaction_timeline(data: StudyData, language: str, refs: list | None = None, name: str = "tijdlijn") -> Figure:
    refs = unit_refs(data) if refs is None else refs
    rows = [(ref.unit.name, [Bar(p.start, p.end, "+".join(p.tactics), period_cluster(data, p))
                             for p in ref.unit.reaction]) for ref in refs]
    clusters = [c.id for c in data.codebook.clusters]
    return figures.timeline(name, ALT[language]["timeline"], rows, clusters,
                            {c.id: getattr(c.label, language) for c in data.codebook.clusters})


def block_figure(data: StudyData, block, result, language: str) -> Figure | None:
    """The figure that fits a block's table, or None (crosstabs and top-k read best as tables)."""
    table = result.table
    if table.empty:
        return None
    names = {case_id: case.name for case_id, case in data.cases.items()}
    if block.type == "threshold" and block.per == "case":
        variables = list(dict.fromkeys(table["variable"]))
        cases = list(dict.fromkeys(table["case"]))
        lookup = table.set_index(["variable", "case"])
        labels = [lookup.loc[(v, cases[0]), "label"] for v in variables]
        shown = [[f"{lookup.loc[(v, c), 'count']}/{lookup.loc[(v, c), 'n']}" for c in cases] for v in variables]
        fills = [[figures.share_fill(None if pd.isna(lookup.loc[(v, c), "share"]) else lookup.loc[(v, c), "share"])
                  for c in cases] for v in variables]
        return figures.grid(block.id, ALT[language]["share"], labels, [names.get(c, c) for c in cases],
                            shown, shown=shown, fills=fills)
    if block.type == "matrix":
        cases = [c for c in table.columns if c in names]
        return figures.grid(block.id, ALT[language]["grid"], table["label"].tolist(), [names[c] for c in cases],
                            [[str(v) for v in row] for row in table[cases].values.tolist()])
    if block.type == "continuum":
        overall = table[table["part"] == ""].dropna(subset=["position"])
        return figures.continuum(block.id, ALT[language]["continuum"],
                                 [(names.get(c, c), float(p)) for c, p in zip(overall["case"], overall["position"])],
                                 block.left, block.right)
    return None
