"""The propositions of a synthesis for reading: per proposition its heading, what the source states, the
verdict in a sentence, the author's verdict beside ours, whether it is circular, the sensitivity of an
order, and the table the verdict rests on with labels and names instead of ids."""

from __future__ import annotations

import pandas as pd

from patroon.analysis.propositions import PropositionResult
from patroon.analysis.propositions.types import TOTAL, leaves
from patroon.data.models import UNITS
from patroon.report import proposition_text as text
from patroon.report.reader import Reader


def _headers(reader: Reader, result: PropositionResult) -> dict[str, str]:
    """Column headers of a proposition's table in the report language."""
    p, labels = result.proposition, reader.catalog["labels"]
    pattern = p.pattern
    kind = next((k for k in reader.data.study.unit_kinds if k.kind == p.over), None)
    headers = {result.id_column: labels["unit"] if p.over == UNITS else getattr(kind.label, reader.language),
               "holds": labels["passes"], "matches": labels["matches"], "predicted": labels["predicted"],
               "observed": labels["observed"], "count": labels["count"].capitalize(), "n": "n",
               "group": labels["group"], "check": labels["prediction"], "distinct": labels["distinct_values"],
               "items": labels["unit"] + " (n)" if getattr(pattern, "items", None) is not None
               and pattern.items.units else labels["coded_values"]}
    if pattern.type == "rank":
        x, y = text.measure_label(reader, pattern.x), text.measure_label(reader, pattern.y)
        headers.update({"x": x, "y": y, "rank_x": labels["rank_by"].format(what=x),
                        "rank_y": labels["rank_by"].format(what=y)})
        for index, alternative in enumerate(pattern.sensitivity, start=1):
            headers[f"x_{index}"] = getattr(alternative.label, reader.language)
    if pattern.type == "difference":
        headers["score"] = text.measure_label(reader, pattern.measure)
    if pattern.type == "co-occurrence":
        for index, values in enumerate(pattern.together, start=1):
            column = pattern.items.units
            headers[f"set_{index}"] = "/".join(reader.any_code(v) if column is None else
                                               text.value_text(reader, column, v) for v in values)
    headers["values"] = labels["values_checked"]
    criterion = getattr(pattern, "condition", None)
    if criterion is not None:
        headers.update(_measure_names(reader, criterion))
    return headers


def _measure_names(reader: Reader, criterion) -> dict[str, str]:
    """The names `types` gives the measures a criterion looked at ('measure-2'), as the reader knows them."""
    return {f"measure-{i + 1}": text.measure_label(reader, leaf.measure)
            for i, leaf in enumerate(leaves(criterion)) if leaf.measure is not None and leaf.measure.column is None}


def _looked_at(reader: Reader, values: dict, criterion) -> str:
    """A check's values in one cell: 'Vertrouwen: 2; Aantal bestuurders: 2'."""
    names = _measure_names(reader, criterion)
    parts = []
    for column, value in values.items():
        shown = "" if value is None or value != value else (
            reader.compact(column, value) if reader.data.codebook.variable(column) is not None else
            reader.m.number(value, 0 if float(value).is_integer() else 2) if isinstance(value, (int, float))
            else str(reader.cell(column, value)))
        parts.append(f"{names.get(column) or reader.header(column)}: {shown}")
    return "; ".join(parts)


def table(reader: Reader, result: PropositionResult) -> pd.DataFrame:
    """The table a proposition's verdict rests on, for reading."""
    p = result.proposition
    pattern, over = p.pattern, p.over
    frame = result.table
    if pattern.type == "association":
        first = pattern.rows

        def cell(column, value, record):
            if column == first:
                return reader.label("total") if value == TOTAL else text.value_text(reader, first, value, lower=False)
            return reader.m.number(value)

        shown = reader.frame(frame, row_values=cell, rename=False)
        return shown.rename(columns={c: (reader.label("total") if c == TOTAL else reader.header(c) if c == first
                                         else text.value_text(reader, pattern.columns, c, lower=False))
                                     for c in shown.columns})
    observed_column = getattr(pattern, "observed", None)
    checks = getattr(pattern, "checks", [])
    # A rank's scores shown as their own column would be (a share as a percentage, a category by its label).
    measures = {"x": pattern.x, "y": pattern.y} if pattern.type == "rank" else {}
    measures.update({f"x_{i}": a.x for i, a in enumerate(getattr(pattern, "sensitivity", []), start=1)})
    scored = {name: m.column for name, m in measures.items() if m.column and not m.order}
    ordered = {name: m for name, m in measures.items() if m.column and m.order}

    def cell(column, value, record):
        if column == "values" and isinstance(value, dict):
            return _looked_at(reader, value, checks[int(record["check"]) - 1].then)
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if column == result.id_column:
            return text.row_name(reader, over, value)
        if column in ordered:  # the category the place in `order` stands for
            measure = ordered[column]
            return text.value_text(reader, measure.column, measure.order[int(value) - 1], lower=False)
        if scored.get(column):
            return str(reader.cell(scored[column], value))
        if column in ("rank_x", "rank_y"):
            return reader.m.number(value, 0 if float(value).is_integer() else 1)
        if column in ("holds", "matches"):
            return reader.code(value)
        if column in ("predicted", "observed") and observed_column:
            return text.value_text(reader, observed_column, value, lower=False)
        if column == "group":
            return reader.label("expected_higher" if value == "high" else "expected_lower")
        if column == "check" and checks:
            check = checks[int(value) - 1]
            return getattr(check.label, reader.language) if check.label else reader.m.number(value)
        if reader.data.codebook.variable(column) is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a count in a column that also holds empty cells
            return reader.compact(column, value)
        if isinstance(value, float):
            return reader.m.number(value, 0 if value.is_integer() else 2)
        return None

    shown = reader.frame(frame, row_values=cell, rename=False)
    headers = _headers(reader, result)
    return shown.rename(columns={c: headers.get(c) or reader.header(c) for c in shown.columns})


def proposition_view(reader: Reader, result: PropositionResult) -> dict:
    p = result.proposition
    return {
        "id": p.id, "anchor": text.anchor(p.id),
        "heading": getattr(p.label, reader.language),
        "statement": p.statement, "predicted": p.predicted, "reading": p.reading,
        "verdict": result.verdict, "sentence": text.sentence(reader, result),
        "sensitivity": text.sensitivity(reader, result), "author": text.author_text(reader, result),
        "circular": p.circular, "table": table(reader, result), "caption": getattr(p.label, reader.language),
    }


def propositions_view(reader: Reader, found: list[PropositionResult]) -> list[dict]:
    return [proposition_view(reader, r) for r in found]
