"""The six pattern types, each from the rows to an observed statistic with the table that shows it.

Every function returns an `Observed`: the statistic's name and value (None with a reason when the data
cannot test the pattern), how many rows it was judged on, the rows that could not be told, the table a
reader checks it against, and the details the sentences and patterns.json need (deviant rows, the order
with its ties, ...). Nothing here knows a study: columns, values and thresholds come from the declaration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from patroon.analysis.propositions.frames import CLUSTER_COLUMNS
from patroon.analysis.propositions.measures import Context, holds, measure, number
from patroon.data.models import (
    Association,
    CoOccurrence,
    Criterion,
    Difference,
    Prediction,
    Rank,
    ShareOfRows,
)

TOTAL = "totaal"


@dataclass
class Observed:
    statistic: str
    value: float | None
    n: int
    table: pd.DataFrame
    reason: str | None = None  # why the value is None: no-rows, no-variation, empty-group
    unknown: list[str] = field(default_factory=list)  # rows that could not be told
    details: dict = field(default_factory=dict)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _text(value: object) -> str:
    return str(value)


def value_order(ctx: Context, column: str) -> list[str]:
    """The order a column's values are shown in: the codebook's clusters for the unit table's cluster
    columns, a variable's values in codebook order, else none (sorted as found)."""
    codebook = ctx.data.codebook
    if column in CLUSTER_COLUMNS and ctx.rows.id_column == "unit_id":
        return [c.id for c in codebook.clusters]
    variable_id = next((v for v, c in ctx.rows.columns_of.items() if c == column), column)
    variable = codebook.variable(variable_id)
    return [v.code for v in codebook.allowed_values(variable)] if variable is not None else []


def crosstab(pairs: list[tuple[str, str]], column_order: list[str]) -> pd.DataFrame:
    """Counts of (row value, column value) with totals; every value of `column_order` appears."""
    rows = sorted({r for r, _ in pairs})
    columns = [c for c in column_order] + sorted({c for _, c in pairs} - set(column_order))
    table = pd.DataFrame([[sum(1 for p in pairs if p == (r, c)) for c in columns] for r in rows],
                         index=pd.Index(rows, dtype=object), columns=pd.Index(columns, dtype=object), dtype=int)
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table.astype(int)


def cramers_v(table: pd.DataFrame) -> float | None:
    """Cramér's V of a contingency table without totals; None where a dimension has one category."""
    observed = table.to_numpy(dtype=float)
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    n = observed.sum()
    r, c = observed.shape
    if n == 0 or min(r, c) < 2:
        return None
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / n
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / (n * (min(r, c) - 1)))


def spearman(x: list[float], y: list[float]) -> float | None:
    """Spearman's rho with average ranks for ties; None when either side has no variation."""
    xs, ys = pd.Series(x, dtype=float), pd.Series(y, dtype=float)
    if xs.nunique() < 2 or ys.nunique() < 2:
        return None
    return float(xs.rank().corr(ys.rank()))


def selected(ctx: Context, where: Criterion | None) -> tuple[list[dict], list[str]]:
    """The rows `where` picks, and those it cannot tell."""
    if where is None:
        return list(ctx.rows.records), []
    picked, unknown = [], []
    for row in ctx.rows.records:
        result = holds(ctx, row, where)
        if result is None:
            unknown.append(row[ctx.rows.id_column])
        elif result:
            picked.append(row)
    return picked, unknown


def leaves(criterion: Criterion) -> list[Criterion]:
    if criterion.all_of or criterion.any_of or criterion.none_of:
        return [leaf for c in (*criterion.all_of, *criterion.any_of, *criterion.none_of) for leaf in leaves(c)]
    return [criterion]


def _shown(ctx: Context, row: dict, criterion: Criterion) -> dict:
    """The values a criterion looked at, for the table beside its verdict."""
    out = {}
    for i, leaf in enumerate(leaves(criterion)):
        if leaf.measure is not None:
            name = leaf.measure.column or f"measure-{i + 1}"
            out[name] = _round(measure(ctx, row, leaf.measure))
        else:
            out[leaf.column] = ctx.value(row, leaf.column)
            if leaf.same_as is not None:
                out[leaf.same_as] = ctx.value(row, leaf.same_as)
    return out


def _yes(value: bool | None) -> str:
    return "onbekend" if value is None else ("ja" if value else "nee")


# ------------------------------------------------------------------------------------------ the types


def association(ctx: Context, rows: list[dict], pattern: Association) -> Observed:
    pairs, unknown = [], []
    for row in rows:
        a, b = ctx.value(row, pattern.rows), ctx.value(row, pattern.columns)
        if ctx.known(a) and ctx.known(b):
            pairs.append((_text(a), _text(b)))
        else:
            unknown.append(row[ctx.rows.id_column])
    table = crosstab(pairs, value_order(ctx, pattern.columns))
    inner = table.drop(index=TOTAL, columns=TOTAL)
    details = {"distribution": {r: {c: int(n) for c, n in row.items()} for r, row in inner.iterrows()}}
    shown = table.reset_index().rename(columns={"index": pattern.rows})
    if pattern.together:
        cell = pattern.together
        if inner.shape[0] != 2 or inner.shape[1] != 2 or cell["rows"] not in inner.index \
                or cell["columns"] not in inner.columns:
            return Observed("phi", None, len(pairs), shown, "no-variation", unknown, details)
        other_row = next(r for r in inner.index if r != cell["rows"])
        other_column = next(c for c in inner.columns if c != cell["columns"])
        a, b = inner.loc[cell["rows"], cell["columns"]], inner.loc[cell["rows"], other_column]
        c, d = inner.loc[other_row, cell["columns"]], inner.loc[other_row, other_column]
        margins = (a + b) * (c + d) * (a + c) * (b + d)
        phi = (a * d - b * c) / math.sqrt(margins) if margins else None
        return Observed("phi", _round(phi), len(pairs), shown, None if phi is not None else "no-variation",
                        unknown, details)
    v = cramers_v(inner)
    return Observed("cramers_v", _round(v), len(pairs), shown, None if v is not None else "no-variation",
                    unknown, details)


def _order(ids: list[str], x: list[float], y: list[float]) -> list[list[str]]:
    """The rows from the highest x down, ties on x together (within a tie by y, then as listed)."""
    ranked = sorted(range(len(ids)), key=lambda i: (-x[i], -y[i]))
    groups: list[list[str]] = []
    for position, i in enumerate(ranked):
        if position and x[i] == x[ranked[position - 1]]:
            groups[-1].append(ids[i])
        else:
            groups.append([ids[i]])
    return groups


def rank(ctx: Context, rows: list[dict], pattern: Rank) -> Observed:
    ids, xs, ys, unknown = [], [], [], []
    alternatives = [[] for _ in pattern.sensitivity]
    for row in rows:
        x, y = measure(ctx, row, pattern.x), measure(ctx, row, pattern.y)
        others = [measure(ctx, row, a.x) for a in pattern.sensitivity]
        if x is None or y is None or any(o is None for o in others):
            unknown.append(row[ctx.rows.id_column])
            continue
        ids.append(row[ctx.rows.id_column])
        xs.append(x)
        ys.append(y)
        for values, other in zip(alternatives, others):
            values.append(other)
    rho = spearman(xs, ys)
    sign = 1 if pattern.direction == "positive" else -1
    pairs = [[ids[a], ids[b]] for a, b in combinations(range(len(ids)), 2)
             if sign * (xs[a] - xs[b]) * (ys[a] - ys[b]) < 0]
    ranks_x = pd.Series(xs, dtype=float).rank(ascending=False).tolist()
    ranks_y = pd.Series(ys, dtype=float).rank(ascending=False).tolist()
    table = pd.DataFrame({ctx.rows.id_column: ids, "x": [_round(v) for v in xs], "rank_x": ranks_x,
                          "y": [_round(v) for v in ys], "rank_y": ranks_y})
    for index, values in enumerate(alternatives):
        table[f"x_{index + 1}"] = [_round(v) for v in values]
    order = _order(ids, xs, ys)
    table = table.set_index(ctx.rows.id_column).loc[[i for group in order for i in group]].reset_index()
    sensitivity = []
    for alternative, values in zip(pattern.sensitivity, alternatives):
        other = spearman(values, ys)
        sensitivity.append({"label": alternative.label.model_dump(), "value": _round(other),
                            "order": _order(ids, values, ys)})
    details = {"order": order, "x": dict(zip(ids, [_round(v) for v in xs])),
               "y": dict(zip(ids, [_round(v) for v in ys])), "discordant_pairs": pairs,
               "breaking_order": sorted({i for pair in pairs for i in pair}), "sensitivity": sensitivity}
    return Observed("spearman_rho", _round(rho), len(ids), table, None if rho is not None else
                    ("no-rows" if not ids else "no-variation"), unknown, details)


def share(ctx: Context, rows: list[dict], pattern: ShareOfRows) -> Observed:
    if pattern.total:
        counted, of, records, unknown = 0.0, 0.0, [], []
        for row in rows:
            a, b = measure_number(ctx, row, pattern.total["count"]), measure_number(ctx, row, pattern.total["of"])
            if a is None or b is None:
                unknown.append(row[ctx.rows.id_column])
                continue
            counted, of = counted + a, of + b
            records.append({ctx.rows.id_column: row[ctx.rows.id_column], "count": a, "n": b})
        table = pd.DataFrame(records, columns=[ctx.rows.id_column, "count", "n"])
        value = counted if pattern.statistic == "count" else (counted / of if of else None)
        details = {"count": _round(counted), "of": _round(of)}
        return Observed(pattern.statistic, _round(value), len(records), table,
                        None if value is not None else "no-rows", unknown, details)
    meeting, failing, unknown, records = [], [], [], []
    for row in rows:
        result = holds(ctx, row, pattern.condition)
        row_id = row[ctx.rows.id_column]
        (unknown if result is None else meeting if result else failing).append(row_id)
        records.append({ctx.rows.id_column: row_id, **_shown(ctx, row, pattern.condition), "holds": _yes(result)})
    judged = len(meeting) + len(failing)
    value = len(meeting) if pattern.statistic == "count" else (len(meeting) / judged if judged else None)
    details = {"meeting": meeting, "not_meeting": failing, "count": len(meeting), "of": judged}
    return Observed(pattern.statistic, _round(value) if judged else None, judged, pd.DataFrame(records),
                    None if judged else "no-rows", unknown, details)


def measure_number(ctx: Context, row: dict, column: str) -> float | None:
    value = ctx.value(row, column)
    return number(value) if ctx.known(value) else None


def _items(ctx: Context, row: dict, pattern: CoOccurrence) -> list[str]:
    if pattern.items.units is not None:
        values = [u.get(pattern.items.units) for u in ctx.rows.units_of.get(row[ctx.rows.id_column], [])]
    else:
        values = [ctx.value(row, c) for c in ctx.selected(pattern.items.variables)]
    return [_text(v) for v in values if ctx.known(v)]


def co_occurrence(ctx: Context, rows: list[dict], pattern: CoOccurrence) -> Observed:
    meeting, failing, unknown, records = [], [], [], []
    for row in rows:
        row_id = row[ctx.rows.id_column]
        items = _items(ctx, row, pattern)
        record = {ctx.rows.id_column: row_id, "items": len(items)}
        for index, values in enumerate(pattern.together):
            record[f"set_{index + 1}"] = sum(i in values for i in items)
        if pattern.distinct is not None:
            record["distinct"] = len(set(items))
        if not items:
            unknown.append(row_id)
            record["holds"] = _yes(None)
        else:
            ok = all(record[f"set_{i + 1}"] > 0 for i in range(len(pattern.together))) and \
                (pattern.distinct is None or record["distinct"] >= pattern.distinct)
            (meeting if ok else failing).append(row_id)
            record["holds"] = _yes(ok)
        records.append(record)
    judged = len(meeting) + len(failing)
    details = {"meeting": meeting, "not_meeting": failing, "count": len(meeting), "of": judged}
    return Observed("share", _round(len(meeting) / judged) if judged else None, judged, pd.DataFrame(records),
                    None if judged else "no-rows", unknown, details)


def difference(ctx: Context, rows: list[dict], pattern: Difference) -> Observed:
    groups: dict[str, list[tuple[str, float]]] = {"high": [], "low": []}
    unknown, records = [], []
    for row in rows:
        row_id = row[ctx.rows.id_column]
        value = measure(ctx, row, pattern.measure)
        for name, criterion in (("high", pattern.high), ("low", pattern.low)):
            member = holds(ctx, row, criterion)
            if member and value is not None:
                groups[name].append((row_id, value))
                records.append({ctx.rows.id_column: row_id, "group": name, "score": _round(value)})
            elif member and value is None:
                unknown.append(row_id)
    high, low = [v for _, v in groups["high"]], [v for _, v in groups["low"]]
    details = {"high": [i for i, _ in groups["high"]], "low": [i for i, _ in groups["low"]],
               "mean_high": _round(sum(high) / len(high)) if high else None,
               "mean_low": _round(sum(low) / len(low)) if low else None}
    if not high or not low:
        return Observed(pattern.statistic, None, len(high) + len(low), pd.DataFrame(records), "empty-group",
                        unknown, details)
    value = (sum(high) / len(high) - sum(low) / len(low)) if pattern.statistic == "mean" else min(high) - max(low)
    details["crossing"] = sorted({i for i, v in groups["high"] if v <= max(low)} |
                                 {i for i, v in groups["low"] if v >= min(high)})
    return Observed(pattern.statistic, _round(value), len(high) + len(low), pd.DataFrame(records), None,
                    unknown, details)


def _predict(ctx: Context, row: dict, pattern: Prediction) -> str | None:
    if pattern.predicted is not None:
        value = ctx.value(row, pattern.predicted)
        return _text(value) if ctx.known(value) else None
    for rule in pattern.rules:
        result = holds(ctx, row, rule.when)
        if result is None:
            return None  # an earlier rule that cannot be told leaves the prediction open
        if result:
            return rule.value
    return pattern.default


def prediction(ctx: Context, rows: list[dict], pattern: Prediction) -> Observed:
    if pattern.checks:
        return _checks(ctx, rows, pattern)
    records, pairs, deviants, unknown = [], [], [], []
    for row in rows:
        row_id = row[ctx.rows.id_column]
        observed, predicted = ctx.value(row, pattern.observed), _predict(ctx, row, pattern)
        shown = {c: row.get(ctx.rows.column(c)) for c in pattern.show}
        if predicted is None or not ctx.known(observed):
            unknown.append(row_id)
            continue
        matches = _text(observed) == predicted
        pairs.append((predicted, _text(observed)))
        record = {ctx.rows.id_column: row_id, "predicted": predicted, "observed": _text(observed),
                  "matches": _yes(matches), **shown}
        records.append(record)
        if not matches:
            deviants.append({ctx.rows.id_column: row_id, pattern.observed: _text(observed),
                             pattern.predicted or "predicted": predicted, **shown})
    n_correct = sum(p == o for p, o in pairs)
    confusion = crosstab(pairs, value_order(ctx, pattern.observed))
    details = {"n_correct": n_correct, "deviants": deviants,
               "confusion_matrix": {str(k): {str(c): int(v) for c, v in row.items()} for k, row in confusion.iterrows()}}
    value = n_correct / len(pairs) if pairs else None
    return Observed("share_as_predicted", _round(value), len(pairs), pd.DataFrame(records), None if pairs else
                    "no-rows", unknown, details)


def _checks(ctx: Context, rows: list[dict], pattern: Prediction) -> Observed:
    records, failing, unknown = [], [], []
    n_true = n_judged = 0
    for index, check in enumerate(pattern.checks):
        for row in rows:
            row_id = row[ctx.rows.id_column]
            applies = True if check.when is None else holds(ctx, row, check.when)
            if not applies:
                continue
            result = None if applies is None else holds(ctx, row, check.then)
            # What the check looked at, in one cell: checks of one proposition look at different columns.
            records.append({ctx.rows.id_column: row_id, "check": index + 1,
                            "values": _shown(ctx, row, check.then), "holds": _yes(result)})
            if result is None:
                unknown.append(f"{row_id}#{index + 1}")
                continue
            n_judged += 1
            n_true += bool(result)
            if not result:
                failing.append({ctx.rows.id_column: row_id, "check": index + 1})
    details = {"n_correct": n_true, "deviants": failing}
    value = n_true / n_judged if n_judged else None
    return Observed("share_as_predicted", _round(value), n_judged, pd.DataFrame(records),
                    None if n_judged else "no-rows", unknown, details)


RUNNERS = {"association": association, "rank": rank, "share": share, "co-occurrence": co_occurrence,
           "difference": difference, "rule": prediction}
