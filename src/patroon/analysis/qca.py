"""Crisp-set QCA: truth table, necessity, and the complex, parsimonious and intermediate solutions.

The reference is Dușa's R package QCA (`truthTable`, `minimize`, `pof`); tests/fixtures/qca/ holds data
sets with the results R's own test snapshots print, and the tests assert equality with them. How the
minimisation is exact is told in `qca_minimise`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from patroon.analysis.qca_minimise import (
    MAX_CONDITIONS,
    MAX_MODELS,
    Implicant,
    QcaError,
    coverage_matrix,
    mask_value,
    minimal_covers,
    prime_implicants,
    term_names,
    term_text,
)

# ------------------------------------------------------------------------------------------ input checks


def check_crisp(frame: pd.DataFrame, columns: list[str], case_column: str | None = None,
                source: str = "data") -> None:
    """Every value must be 0 or 1: a missing value, a 2 or a fuzzy 0.7 is refused, naming source and column."""
    for column in columns:
        if column not in frame.columns:
            raise QcaError(f"{source}: column '{column}' does not exist")
        values = frame[column]
        numbers = pd.to_numeric(values, errors="coerce")
        if not values.isna().any() and numbers.isin([0, 1]).all():
            continue
        for position, value in enumerate(values):
            case = frame[case_column].iloc[position] if case_column and case_column in frame.columns else position + 1
            if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
                raise QcaError(f"{source}: column '{column}': case {case} has no value; crisp-set QCA needs 0 or 1 "
                               "for every case (calibrate or leave the case out)")
            if isinstance(value, bool):
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise QcaError(f"{source}: column '{column}': case {case} has '{value}'; crisp-set QCA needs 0 or 1") from None
            if number not in (0.0, 1.0):
                kind = "a fuzzy membership" if 0 < number < 1 else "not a crisp membership"
                raise QcaError(f"{source}: column '{column}': case {case} has {value} ({kind}); crisp-set QCA needs "
                               "0 or 1 (calibrate the condition to a crisp set first)")


# ------------------------------------------------------------------------------------------- the analysis


@dataclass
class QcaResult:
    outcome: str
    conditions: list[str]
    truth_table: pd.DataFrame
    necessity: pd.DataFrame
    solutions: list[dict]
    settings: dict = field(default_factory=dict)
    simplifying_assumptions: dict = field(default_factory=dict)
    # The solutions R's QCA refuses to give for this truth table, with its message (see `refusals`).
    refused: dict = field(default_factory=dict)
    # Filled in by patroon.analysis.qca_study for a study: the analysis of ~outcome, the calibration table,
    # the rows left out, and the solutions under the other defensible calibrations.
    negated: "QcaResult | None" = None
    calibration: pd.DataFrame | None = None
    excluded: list = field(default_factory=list)
    robustness: pd.DataFrame | None = None


def _row_number(minterm: int) -> int:
    """R's truth-table row number: the binary configuration plus one."""
    return minterm + 1


def truth_table(frame: pd.DataFrame, conditions: list[str], outcome: str, threshold: float = 1.0,
                n_cut: int = 1, case_column: str = "unit_id") -> tuple[pd.DataFrame, set[int], set[int], set[int]]:
    """The observed rows with n, incl and OUT (1, 0, or '?' for a row below the frequency cut-off), and the
    positive, negative and remainder configurations."""
    n = len(conditions)
    config = np.zeros(len(frame), dtype=np.int64)
    for i, c in enumerate(conditions):
        config |= frame[c].to_numpy(dtype=np.int64) << (n - 1 - i)
    y = frame[outcome].to_numpy(dtype=np.int64)
    cases = frame[case_column].astype(str).to_numpy() if case_column in frame.columns else np.arange(1, len(frame) + 1).astype(str)
    rows, positive, negative = [], set(), set()
    for m in np.unique(config).tolist():
        member = config == m
        n_cases = int(member.sum())
        n_outcome = int(y[member].sum())
        incl = n_outcome / n_cases
        if n_cases < n_cut:
            out = "?"
        elif incl >= threshold:
            out = 1
            positive.add(m)
        else:
            out = 0
            negative.add(m)
        rows.append({
            "row": _row_number(m),
            **{c: (m >> (n - 1 - i)) & 1 for i, c in enumerate(conditions)},
            "OUT": out,
            "n": n_cases,
            "n_outcome": n_outcome,
            "incl": round(incl, 3),
            "contradiction": 0 < n_outcome < n_cases,
            "cases": ",".join(cases[member]),
        })
    remainders = set(range(2 ** n)) - positive - negative
    return pd.DataFrame(rows), positive, negative, remainders


def necessity(frame: pd.DataFrame, conditions: list[str], outcome: str) -> pd.DataFrame:
    """inclN, RoN (Schneider & Wagemann's relevance of necessity) and covN for every condition and its negation."""
    y = frame[outcome].to_numpy(dtype=bool)
    rows = []
    for negated in (False, True):
        for c in conditions:
            x = frame[c].to_numpy(dtype=bool)
            if negated:
                x = ~x
            both = int((x & y).sum())
            not_x = int((~x).sum())
            not_both = int((~(x & y)).sum())
            rows.append({
                "condition": f"~{c}" if negated else c,
                "inclN": _ratio(both, int(y.sum())),
                "RoN": _ratio(not_x, not_both),
                "covN": _ratio(both, int(x.sum())),
            })
    return pd.DataFrame(rows)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def _members(values: np.ndarray, implicant: Implicant) -> np.ndarray:
    member = np.ones(len(values), dtype=bool)
    for i, v in enumerate(implicant):
        if v is not None:
            member &= values[:, i] == v
    return member


def fit(frame: pd.DataFrame, conditions: list[str], outcome: str, model: list[Implicant]) -> dict:
    """inclS, covS and unique coverage (covU) per term, and inclS, covS of the model, over the cases."""
    return _fit(frame[conditions].to_numpy(dtype=np.int64), frame[outcome].to_numpy(dtype=bool), conditions, model)


def _fit(values: np.ndarray, y: np.ndarray, conditions: list[str], model: list[Implicant]) -> dict:
    total = int(y.sum())
    members = [_members(values, p) for p in model]
    union = np.zeros(len(values), dtype=bool)
    for m in members:
        union |= m
    times_covered = np.sum(members, axis=0) if members else np.zeros(len(values), dtype=int)
    terms = []
    for p, m in zip(model, members):
        terms.append({
            "term": term_text(p, conditions),
            "inclS": _ratio(int((m & y).sum()), int(m.sum())),
            "covS": _ratio(int((m & y).sum()), total),
            "covU": _ratio(int((m & (times_covered == 1) & y).sum()), total),
        })
    return {"terms": terms, "inclS": _ratio(int((union & y).sum()), int(union.sum())),
            "covS": _ratio(int((union & y).sum()), total)}


def _model_dicts(frame, conditions, outcome, label, kind, models, truncated, extra=None) -> list[dict]:
    essential = set.intersection(*(set(m) for m in models)) if models else set()
    values, y = frame[conditions].to_numpy(dtype=np.int64), frame[outcome].to_numpy(dtype=bool)
    out = []
    for index, model in enumerate(models, start=1):
        ordered = [p for p in model if p in essential] + [p for p in model if p not in essential]
        details = _fit(values, y, conditions, ordered)
        out.append({
            "outcome": label,
            "type": kind,
            "model": f"M{index}",
            "alternative": index - 1,
            "terms": [term_names(p, conditions) for p in ordered],
            "expression": " + ".join(term_text(p, conditions) for p in ordered),
            "essential": [term_text(p, conditions) for p in ordered if p in essential],
            "term_details": details["terms"],
            "consistency": details["inclS"],
            "coverage": details["covS"],
            "models_truncated": truncated,
            **(extra or {}),
        })
    return out


def simplifying_assumptions(model: list[Implicant], positive: set[int], remainders: set[int], n: int) -> list[int]:
    """The remainders a parsimonious model takes to have the outcome (R's `$SA`)."""
    if not model:
        return []
    rows = sorted(remainders)
    chart = coverage_matrix(model, rows, n)
    return [rows[j] for j in np.flatnonzero(chart.any(axis=0))]


def intermediate_term(complex_term: Implicant, parsimonious_term: Implicant, expectations: list[int | None]) -> Implicant:
    """Ragin & Sonnett: keep what the parsimonious term keeps; of the complex term's other literals keep those
    in line with the directional expectation (or with none stated), drop those against it."""
    out = []
    for c, p, e in zip(complex_term, parsimonious_term, expectations):
        if p is not None:
            out.append(p)
        elif c is not None and (e is None or c == e):
            out.append(c)
        else:
            out.append(None)
    return tuple(out)


def _subset_of(a: Implicant, b: Implicant) -> bool:
    """Term a is a subset of term b (b's literals all in a)."""
    return all(y is None or x == y for x, y in zip(a, b))


def easy_counterfactuals(complex_model, parsimonious_model, expectations, sa: list[int], n: int) -> list[int]:
    """The simplifying assumptions of the parsimonious model that lie in an intermediate term (R's `$EC`).
    Computed on bit masks: this runs for every pair of complex and parsimonious model."""
    if not sa:
        return []
    expect1 = sum(1 << (n - 1 - i) for i, e in enumerate(expectations) if e == 1)
    expect0 = sum(1 << (n - 1 - i) for i, e in enumerate(expectations) if e == 0)
    full = (1 << n) - 1
    terms = set()
    for c in complex_model:
        cm, cv = mask_value(c)
        keep = (full & ~(expect1 | expect0)) | (cv & expect1) | (~cv & expect0)
        for p in parsimonious_model:
            pm, pv = mask_value(p)
            if cm & pm == pm and cv & pm == pv:
                mask = pm | (cm & keep)
                terms.add((mask, cv & mask))
    if not terms:
        return []
    pairs = np.array(sorted(terms), dtype=np.int64)
    rows = np.asarray(sa, dtype=np.int64)
    hit = ((rows[None, :] & pairs[:, 0:1]) == pairs[:, 1:2]).any(axis=0)
    return rows[hit].tolist()


# What R's QCA package (`minimize`) says when it refuses to minimise a truth table, word for word: no row
# is positive (nothing to explain), or every observed row is (with the remainders included, every
# condition would be minimised away). The synthesis shows these, never an empty solution.
R_NONE_EXPLAINED = "None of the values in OUT is explained. Please check the truth table."
R_ALL_USED = "All truth table configurations are used, all conditions are minimized. Please check the truth table."


def refusals(positive: set[int], negative: set[int], intermediate: bool) -> dict[str, str]:
    """Which solutions R refuses, with its message. Without a positive row it refuses all; with no negative
    row only those that include the remainders (parsimonious, intermediate): the complex solution stands."""
    kinds = ["complex", "parsimonious"] + (["intermediate"] if intermediate else [])
    if not positive:
        return {kind: R_NONE_EXPLAINED for kind in kinds}
    if not negative:
        return {kind: R_ALL_USED for kind in kinds if kind != "complex"}
    return {}


def analyse(data: pd.DataFrame, conditions: list[str], outcome: str, threshold: float = 1.0,
            label: str | None = None, case_column: str = "unit_id", n_cut: int = 1,
            directional_expectations: dict[str, int | None] | None = None, negate: bool = False,
            source: str = "data", max_models: int = MAX_MODELS) -> QcaResult:
    """`data` holds 0/1 columns for every condition and the outcome; one row per case.

    `negate` analyses the absence of the outcome (~Y). `directional_expectations` (condition -> 1 when its
    presence is expected to favour the outcome, 0 its absence, None no expectation) adds the intermediate
    solution. Refuses bad input with a QcaError naming `source` and the column; a truth table R would not
    minimise (no positive row, or no negative one) gives the result with `refused` instead."""
    if not conditions:
        raise QcaError(f"{source}: no conditions")
    if len(conditions) > MAX_CONDITIONS:
        raise QcaError(f"{source}: at most {MAX_CONDITIONS} conditions; got {len(conditions)}")
    if len(set(conditions)) != len(conditions) or outcome in conditions:
        raise QcaError(f"{source}: conditions must be distinct and differ from the outcome")
    if n_cut < 1:
        raise QcaError(f"{source}: the frequency cut-off must be at least 1; got {n_cut}")
    if not 0.5 <= threshold <= 1:
        raise QcaError(f"{source}: the consistency threshold must be between 0.5 and 1; got {threshold}")
    if len(data) == 0:
        raise QcaError(f"{source}: no cases")
    check_crisp(data, [*conditions, outcome], case_column, source)
    n = len(conditions)
    frame = data.copy()
    for c in [*conditions, outcome]:
        frame[c] = frame[c].astype(float).astype(np.int64)
    label = label or outcome
    if negate:
        frame[outcome] = 1 - frame[outcome]
        label = f"~{label}"
    tt, positive, negative, remainders = truth_table(frame, conditions, outcome, threshold, n_cut, case_column)
    refused = refusals(positive, negative, bool(directional_expectations))
    settings = {"outcome": label, "conditions": list(conditions), "consistency_threshold": threshold,
                "frequency_cutoff": n_cut,
                "directional_expectations": {c: directional_expectations.get(c) for c in conditions}
                if directional_expectations else None}
    necessity_table = necessity(frame, conditions, outcome)

    solutions: list[dict] = []
    if "complex" in refused:
        return QcaResult(label, list(conditions), tt, necessity_table, solutions, settings, {}, refused=refused)
    complex_primes = prime_implicants(positive, set(), n)
    complex_models, c_trunc = minimal_covers(complex_primes, positive, n, max_models)
    solutions += _model_dicts(frame, conditions, outcome, label, "complex", complex_models, c_trunc)
    if "parsimonious" in refused:
        return QcaResult(label, list(conditions), tt, necessity_table, solutions, settings, {}, refused=refused)
    pars_primes = prime_implicants(positive, remainders, n)
    pars_models, p_trunc = minimal_covers(pars_primes, positive, n, max_models)
    sa = {f"M{i}": simplifying_assumptions(m, positive, remainders, n) for i, m in enumerate(pars_models, start=1)}
    pars = _model_dicts(frame, conditions, outcome, label, "parsimonious", pars_models, p_trunc)
    for solution in pars:
        solution["simplifying_assumptions"] = [_row_number(r) for r in sa[solution["model"]]]
    solutions += pars

    if directional_expectations:
        expectations = [directional_expectations.get(c) for c in conditions]
        if negate:
            expectations = [None if e is None else 1 - e for e in expectations]
        by_solution: dict[tuple, dict] = {}
        minimised: dict[tuple, tuple] = {}
        for ci, cm in enumerate(complex_models, start=1):
            for pi, pm in enumerate(pars_models, start=1):
                ec = easy_counterfactuals(cm, pm, expectations, sa[f"M{pi}"], n)
                if tuple(ec) not in minimised:
                    minimised[tuple(ec)] = minimal_covers(prime_implicants(positive, set(ec), n), positive, n, max_models)
                models, trunc = minimised[tuple(ec)]
                key = (tuple(tuple(m) for m in models), tuple(ec))
                entry = by_solution.setdefault(key, {"from": [], "models": models, "ec": ec, "trunc": trunc})
                entry["from"].append(f"C{ci}P{pi}")
        for entry in by_solution.values():
            solutions += _model_dicts(frame, conditions, outcome, label, "intermediate", entry["models"], entry["trunc"],
                                      {"from": entry["from"], "easy_counterfactuals": [_row_number(r) for r in entry["ec"]]})

    return QcaResult(label, list(conditions), tt, necessity_table, solutions, settings,
                     {k: [_row_number(r) for r in v] for k, v in sa.items()})
