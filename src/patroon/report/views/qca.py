"""The QCA section of a synthesis: tables and expressions with labels, names and the reader's numbers."""

from __future__ import annotations

from patroon.report.reader import Reader


def qca_view(reader: Reader, qca) -> dict | None:
    """The QCA tables and expressions for reading: conditions by their labels, units by name, yes/no and
    numbers in the report language. The CSVs in results/<study>/qca/ keep the machine names."""
    if not qca:
        return None
    conditions = list(qca.conditions)
    names = {c: reader.header(c) for c in conditions}

    def expression(text: str) -> str:
        # Longest names first, so a condition whose id contains another's is replaced whole.
        for condition in sorted(conditions, key=len, reverse=True):
            text = text.replace(condition, names[condition])
        return text.replace("*", " · ")

    def cells(column, value, record):
        if column in conditions or column in ("OUT", "membership", "row", "n", "n_outcome", "units"):
            return str(value)
        if column == "condition" and isinstance(value, str):
            return ("~" + names.get(value[1:], value[1:])) if value.startswith("~") else names.get(value, value)
        if column in ("complex", "intermediate", "parsimonious") and isinstance(value, str):
            return expression(value)
        if column == "in_use":
            return reader.code("ja" if value else "nee")
        if column == "expectation_from" and isinstance(value, str):
            # Where a directional expectation comes from: the codebook's directions, the study's settings,
            # or (the outcome's row) the column it is read from.
            return labels["qca_expectation_sources"].get(value) or (reader.header(value) if value else "")
        if column == "cases" and isinstance(value, str):
            return ", ".join(reader.unit(u) for u in value.replace(";", ",").split(",") if u)
        return None

    def number(value):
        return reader.m.number(value, 2) if isinstance(value, (int, float)) else value

    labels = reader.catalog["labels"]

    def frame(table, headers: dict | None = None):
        if table is None:
            return None
        if headers is not None:  # the section's own column names (calibration, robustness)
            return reader.frame(table, row_values=cells, rename=False).rename(columns=headers)
        return reader.frame(table, row_values=cells, rename=False).rename(
            columns={c: names.get(c) or reader.header(c) for c in table.columns})

    def solutions(result):
        return [{**s, "expression": expression(s["expression"]),
                 "outcome": ("~" if s["outcome"].startswith("~") else "") + reader.cluster(s["outcome"].lstrip("~")),
                 "consistency": number(s["consistency"]), "coverage": number(s["coverage"]),
                 "term_details": [{**t, "term": expression(t["term"]), "inclS": number(t["inclS"]),
                                   "covS": number(t["covS"]), "covU": number(t["covU"])}
                                  for t in s.get("term_details", [])]}
                for s in result.solutions]

    negated = qca.negated
    outcome = reader.cluster(str(qca.outcome).lstrip("~"))
    return {"conditions": [names[c] for c in conditions], "outcome": outcome,
            "threshold": reader.m.number(qca.settings["consistency_threshold"], 2),
            "n_cut": reader.m.number(qca.settings["frequency_cutoff"]),
            "calibration": frame(qca.calibration, labels["qca_calibration_columns"]),
            "truth_table": frame(qca.truth_table), "necessity": frame(qca.necessity),
            "robustness": frame(qca.robustness, labels["qca_robustness_columns"]),
            # Headings in words; the expressions keep QCA's "~" for absence.
            "results": [r for r in ({"outcome": outcome, "solutions": solutions(qca), "refused": refused(qca)},
                                    {"outcome": labels["qca_absence"].format(outcome=reader.cluster(
                                        str(negated.outcome).lstrip("~"), lower=True)),
                                     "solutions": solutions(negated), "refused": refused(negated)}
                                    if negated else None) if r]}


def refused(result) -> dict[str, str]:
    """The solutions R's QCA would not give, with its message, in the order the section shows them."""
    return {kind: result.refused[kind] for kind in ("complex", "intermediate", "parsimonious") if kind in result.refused}


