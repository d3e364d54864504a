"""Crisp-set QCA: truth table, necessity, and Boolean minimisation (Quine-McCluskey).

No maintained Python library does crisp-set QCA with consistency and coverage (the field's standard is
the R package QCA), so this is a small, tested implementation. Minimisation is exact: prime implicants by
Quine-McCluskey, then the smallest covers by exhaustive search, which is cheap for the handful of
conditions a case study has (the number of conditions is capped).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import pandas as pd

MAX_CONDITIONS = 12

Implicant = tuple[int | None, ...]  # per condition 1, 0, or None (eliminated)


def prime_implicants(minterms: set[int], dont_cares: set[int], n: int) -> set[Implicant]:
    """All prime implicants of the function on n variables (bit i-from-left = condition i)."""
    def to_implicant(m: int) -> Implicant:
        return tuple((m >> (n - 1 - i)) & 1 for i in range(n))

    current = {to_implicant(m) for m in minterms | dont_cares}
    primes: set[Implicant] = set()
    while current:
        merged: set[Implicant] = set()
        used: set[Implicant] = set()
        items = sorted(current, key=lambda t: tuple(-1 if x is None else x for x in t))
        for a, b in combinations(items, 2):
            diff = [i for i in range(n) if a[i] != b[i]]
            if len(diff) == 1 and a[diff[0]] is not None and b[diff[0]] is not None:
                merged.add(tuple(None if i == diff[0] else a[i] for i in range(n)))
                used.update((a, b))
        primes |= current - used
        current = merged
    return primes


def covers(implicant: Implicant, minterm: int, n: int) -> bool:
    return all(v is None or v == ((minterm >> (n - 1 - i)) & 1) for i, v in enumerate(implicant))


def minimal_covers(primes: set[Implicant], minterms: set[int], n: int) -> list[list[Implicant]]:
    """Every smallest set of prime implicants covering all minterms (fewest terms, then fewest literals)."""
    if not minterms:
        return [[]]
    # A total order (fewest literals, then by condition: present before negated before eliminated), so that
    # the terms come out in the same order in every run. Python 3.11 hashes None by address, so the order of
    # a set of implicants differs between processes and must never decide a tie.
    ordered = sorted(primes, key=lambda t: (sum(v is not None for v in t), tuple(2 if v is None else 1 - v for v in t)))
    useful = [p for p in ordered if any(covers(p, m, n) for m in minterms)]
    for size in range(1, len(useful) + 1):
        found = [list(combo) for combo in combinations(useful, size)
                 if all(any(covers(p, m, n) for p in combo) for m in minterms)]
        if found:
            fewest = min(sum(sum(v is not None for v in p) for p in c) for c in found)
            return [c for c in found if sum(sum(v is not None for v in p) for p in c) == fewest]
    return []


def term_names(implicant: Implicant, conditions: list[str]) -> list[str]:
    return [name if v == 1 else f"~{name}" for name, v in zip(conditions, implicant) if v is not None]


@dataclass
class QcaResult:
    truth_table: pd.DataFrame
    necessity: pd.DataFrame
    solutions: list[dict]


def analyse(data: pd.DataFrame, conditions: list[str], outcome: str, threshold: float = 1.0,
            label: str | None = None, case_column: str = "unit_id") -> QcaResult:
    """`data` holds 0/1 columns for every condition and the outcome; one row per case."""
    if len(conditions) > MAX_CONDITIONS:
        raise ValueError(f"at most {MAX_CONDITIONS} conditions; got {len(conditions)}")
    n = len(conditions)
    label = label or outcome
    frame = data.copy()
    frame["_row"] = sum(frame[c].astype(int) * (2 ** (n - 1 - i)) for i, c in enumerate(conditions))

    rows = []
    positive, negative = set(), set()
    for row_id, group in frame.groupby("_row", sort=True):
        n_cases = len(group)
        n_outcome = int(group[outcome].sum())
        consistency = n_outcome / n_cases
        out = 1 if consistency >= threshold else 0
        (positive if out else negative).add(int(row_id))
        rows.append({
            **{c: int(group[c].iloc[0]) for c in conditions},
            "n": n_cases,
            "n_outcome": n_outcome,
            "consistency": round(consistency, 4),
            "outcome": out,
            "contradiction": 0 < n_outcome < n_cases,
            "cases": ";".join(map(str, group[case_column])),
        })
    truth_table = pd.DataFrame(rows)
    remainders = set(range(2 ** n)) - positive - negative

    necessity = []
    y = frame[outcome].astype(int)
    for c in conditions:
        for negated in (False, True):
            x = 1 - frame[c].astype(int) if negated else frame[c].astype(int)
            both = int((x & y).sum())
            necessity.append({
                "condition": f"~{c}" if negated else c,
                "consistency": round(both / y.sum(), 4) if y.sum() else None,
                "coverage": round(both / x.sum(), 4) if x.sum() else None,
            })

    solutions = []
    for kind, dont_cares in (("complex", set()), ("parsimonious", remainders)):
        primes = prime_implicants(positive, dont_cares, n)
        for alternative, cover in enumerate(minimal_covers(primes, positive, n)):
            solutions.append(_solution(frame, conditions, outcome, label, kind, cover, alternative))
    return QcaResult(truth_table, pd.DataFrame(necessity), solutions)


def _membership(frame: pd.DataFrame, conditions: list[str], implicant: Implicant) -> pd.Series:
    member = pd.Series(True, index=frame.index)
    for c, v in zip(conditions, implicant):
        if v is not None:
            member &= frame[c].astype(int) == v
    return member


def _solution(frame, conditions, outcome, label, kind, cover, alternative) -> dict:
    y = frame[outcome].astype(int) == 1
    terms, details = [], []
    union = pd.Series(False, index=frame.index)
    for implicant in cover:
        member = _membership(frame, conditions, implicant)
        union |= member
        both = int((member & y).sum())
        terms.append(term_names(implicant, conditions))
        details.append({
            "term": term_names(implicant, conditions),
            "consistency": round(both / member.sum(), 4) if member.sum() else None,
            "coverage": round(both / y.sum(), 4) if y.sum() else None,
        })
    both = int((union & y).sum())
    return {
        "outcome": label,
        "type": kind,
        "alternative": alternative,
        "terms": terms,
        "term_details": details,
        "consistency": round(both / union.sum(), 4) if union.sum() else None,
        "coverage": round(both / y.sum(), 4) if y.sum() else None,
    }
