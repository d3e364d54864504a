"""Crisp-set QCA minimisation: prime implicants and every minimal cover of the rows to explain.

Minimisation is exact and in two steps:

1. **Prime implicants** by a sweep over the ternary cube: every implicant (per condition present, absent or
   eliminated; 3**n of them) is marked as covering a forbidden row or a row to explain, one condition at a
   time (an implicant with a condition eliminated covers what its two halves cover). An implicant is
   *valid* when it covers rows to explain and no forbidden row, and *prime* when no implicant with one
   literal fewer is valid. That is n * 3**n vectorised steps: 12 conditions in milliseconds, whatever the
   number of cases, where pairwise Quine-McCluskey merging grows with the square of the implicants.
2. **Models**: every cover of the rows to explain by the fewest prime implicants (R's default: all
   minimal-cardinality models, whatever their number of literals), found as a set-cover integer program
   with the HiGHS solver; each optimum found is excluded by a cut and the program solved again until the
   optimum value rises.
"""

from __future__ import annotations

import functools

import numpy as np

MAX_CONDITIONS = 15  # 3**15 implicants: about 14 million bytes per array
MAX_MODELS = 64

Implicant = tuple[int | None, ...]  # per condition 1, 0, or None (eliminated)


class QcaError(ValueError):
    """Input QCA refuses (as R's QCA package does): the message says what and where."""




# ----------------------------------------------------------------------------------- implicants and covers


def _digits(n: int) -> np.ndarray:
    """Ternary digit of condition i (0 absent, 1 present, 2 eliminated) for every code 0 .. 3**n - 1."""
    codes = np.arange(3 ** n, dtype=np.int64)
    return np.stack([(codes // 3 ** (n - 1 - i)) % 3 for i in range(n)], axis=1).astype(np.int8)


def _ternary_of_minterms(minterms, n: int) -> np.ndarray:
    m = np.asarray(sorted(minterms), dtype=np.int64)
    return sum(((m >> (n - 1 - i)) & 1) * 3 ** (n - 1 - i) for i in range(n)) if n else m


def _spread(marked: np.ndarray, n: int) -> np.ndarray:
    """From marks on fully specified codes, mark every implicant that covers a marked one."""
    cube = marked.reshape((3,) * n) if n else marked
    for axis in range(n):
        index0 = [slice(None)] * n
        index1 = [slice(None)] * n
        index2 = [slice(None)] * n
        index0[axis], index1[axis], index2[axis] = 0, 1, 2
        cube[tuple(index2)] = cube[tuple(index0)] | cube[tuple(index1)]
    return cube.reshape(-1)


def prime_implicants(minterms: set[int], dont_cares: set[int], n: int) -> list[Implicant]:
    """All prime implicants of the function that is 1 on `minterms`, free on `dont_cares` and 0 elsewhere,
    that cover at least one minterm (bit i from the left is condition i). In a stable order."""
    if n > MAX_CONDITIONS:
        raise QcaError(f"at most {MAX_CONDITIONS} conditions; got {n}")
    if not minterms:
        return []
    size = 3 ** n
    forbidden = np.zeros(size, dtype=bool)
    explain = np.zeros(size, dtype=bool)
    every = set(range(2 ** n))
    off = every - set(minterms) - set(dont_cares)
    if off:
        forbidden[_ternary_of_minterms(off, n)] = True
    explain[_ternary_of_minterms(minterms, n)] = True
    forbidden = _spread(forbidden, n)
    explain = _spread(explain, n)
    valid = explain & ~forbidden
    has_valid_parent = np.zeros(size, dtype=bool)
    cube_valid = valid.reshape((3,) * n)
    cube_parent = has_valid_parent.reshape((3,) * n)
    for axis in range(n):
        index = [slice(None)] * n
        index[axis] = 2
        parent = cube_valid[tuple(index)]
        for value in (0, 1):
            index[axis] = value
            cube_parent[tuple(index)] |= parent
    primes = np.flatnonzero(valid & ~has_valid_parent)
    implicants = []
    for code in primes.tolist():
        digits = [(code // 3 ** (n - 1 - i)) % 3 for i in range(n)]
        implicants.append(tuple(None if d == 2 else d for d in digits))
    return sorted(implicants, key=implicant_order)


def implicant_order(implicant: Implicant) -> tuple:
    """R's order: fewest literals first, then by condition: absent before present before eliminated. Python
    hashes None by address, so a set of implicants iterates differently in every process; this total order
    decides every tie."""
    return (sum(v is not None for v in implicant), tuple(3 if v is None else v + 1 for v in implicant))


def covers(implicant: Implicant, minterm: int, n: int) -> bool:
    return all(v is None or v == ((minterm >> (n - 1 - i)) & 1) for i, v in enumerate(implicant))


@functools.lru_cache(maxsize=1 << 16)
def mask_value(implicant: Implicant) -> tuple[int, int]:
    """The implicant as two bit masks: which conditions it keeps, and their values."""
    n = len(implicant)
    mask = value = 0
    for i, v in enumerate(implicant):
        if v is not None:
            mask |= 1 << (n - 1 - i)
            value |= v << (n - 1 - i)
    return mask, value


def coverage_matrix(implicants: list[Implicant], minterms: list[int], n: int) -> np.ndarray:
    """Boolean matrix: implicant i covers minterm j."""
    if not implicants or not minterms:
        return np.zeros((len(implicants), len(minterms)), dtype=bool)
    pairs = np.array([mask_value(p) for p in implicants], dtype=np.int64)
    m = np.asarray(minterms, dtype=np.int64)
    return (m[None, :] & pairs[:, 0:1]) == pairs[:, 1:2]


def minimal_covers(primes, minterms: set[int], n: int, max_models: int = MAX_MODELS) -> tuple[list[list[Implicant]], bool]:
    """Every cover of `minterms` by the fewest prime implicants (R's models M1, M2, ...), each in implicant
    order, the models in lexicographic order of their implicants. Returns (models, truncated)."""
    if not minterms:
        return [[]], False
    ordered = sorted(set(primes), key=implicant_order)
    columns = sorted(minterms)
    chart = coverage_matrix(ordered, columns, n)
    useful = np.flatnonzero(chart.any(axis=1))
    ordered = [ordered[i] for i in useful]
    chart = chart[useful]
    if not chart.any(axis=0).all():
        raise QcaError("some rows to explain are covered by no prime implicant")
    solutions = _all_minimum_covers(chart, max_models)
    truncated = len(solutions) > max_models
    models = sorted(sorted(s) for s in solutions)[:max_models]
    return [[ordered[i] for i in model] for model in models], truncated


def _all_minimum_covers(chart: np.ndarray, max_models: int) -> list[tuple[int, ...]]:
    """All minimum-cardinality set covers of the columns of `chart` by its rows (up to max_models + 1).

    Essential rows (the only cover of some column) are fixed first. HiGHS then finds the minimum number k
    of further rows, an integer program; the covers of exactly that size are listed by a depth-first
    search that branches on the column with the fewest candidate rows and never takes more than k rows.
    (Asking the solver again for every further optimum, with a cut excluding those found, is exact too but
    costs a full solve per model: seconds where a chart has dozens of equivalent models.)"""
    n_rows, n_cols = chart.shape
    essential = set()
    for j in range(n_cols):
        rows = np.flatnonzero(chart[:, j])
        if len(rows) == 1:
            essential.add(int(rows[0]))
    covered = chart[sorted(essential)].any(axis=0) if essential else np.zeros(n_cols, dtype=bool)
    rest_cols = np.flatnonzero(~covered)
    if len(rest_cols) == 0:
        return [tuple(sorted(essential))]
    candidates = [i for i in range(n_rows) if i not in essential and chart[i, rest_cols].any()]
    sub = chart[np.ix_(candidates, rest_cols)]
    sub = sub[:, _undominated_columns(sub)]
    # A row whose columns another row also covers can be swapped for it in any cover: the minimum size is
    # that of the chart without such rows, which is a far smaller program for the solver.
    k = _minimum_cover_size(sub[_undominated_rows(sub)])
    # Bit sets: a row's columns, a column's rows.
    row_bits = [sum(1 << j for j in np.flatnonzero(sub[i]).tolist()) for i in range(len(candidates))]
    column_rows = [np.flatnonzero(sub[:, j]).tolist() for j in range(sub.shape[1])]
    column_bits = [sum(1 << r for r in rows) for rows in column_rows]
    largest = max(bin(b).count("1") for b in row_bits)
    found: list[tuple[int, ...]] = []

    def search(chosen: list[int], uncovered: int, banned: int) -> None:
        if len(found) > max_models:
            return
        if not uncovered:
            found.append(tuple(sorted(essential | {candidates[i] for i in chosen})))
            return
        left = k - len(chosen)
        if left <= 0 or -(-uncovered.bit_count() // largest) > left:
            return
        # Lower bound: columns no two of which share a row need a row each.
        used, needed, bits = banned, 0, uncovered
        while bits:
            j = (bits & -bits).bit_length() - 1
            bits &= bits - 1
            if not column_bits[j] & ~banned & used:
                used |= column_bits[j]
                needed += 1
                if needed > left:
                    return
        best, best_count, bits = -1, 1 << 30, uncovered
        while bits:
            j = (bits & -bits).bit_length() - 1
            bits &= bits - 1
            count = (column_bits[j] & ~banned).bit_count()
            if count < best_count:
                best, best_count = j, count
                if count <= 1:
                    break
        if best_count == 0:
            return
        options = [r for r in column_rows[best] if not banned >> r & 1]
        for row in options:
            search(chosen + [row], uncovered & ~row_bits[row], banned)
            # Covers holding this option were all listed in its branch.
            banned |= 1 << row

    search([], (1 << sub.shape[1]) - 1, 0)
    return found


def _undominated_columns(chart: np.ndarray) -> list[int]:
    """Columns to keep: a column whose rows include all rows of another column is covered whenever that
    one is, so dropping it changes no cover (ties keep the first)."""
    rows = [frozenset(np.flatnonzero(chart[:, j]).tolist()) for j in range(chart.shape[1])]
    order = sorted(range(len(rows)), key=lambda j: (len(rows[j]), j))
    kept: list[int] = []
    for j in order:
        if not any(rows[i] <= rows[j] for i in kept):
            kept.append(j)
    return sorted(kept)


def _undominated_rows(chart: np.ndarray) -> list[int]:
    bits = [sum(1 << j for j in np.flatnonzero(chart[i]).tolist()) for i in range(chart.shape[0])]
    kept: list[int] = []
    for i in sorted(range(len(bits)), key=lambda i: (-bits[i].bit_count(), i)):
        if not any(bits[i] & bits[j] == bits[i] for j in kept):
            kept.append(i)
    return sorted(kept)


def _minimum_cover_size(chart: np.ndarray) -> int:
    """The fewest rows covering every column: a set-cover integer program solved by HiGHS."""
    import highspy

    k = chart.shape[0]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.addVars(k, np.zeros(k), np.ones(k))
    highs.changeColsIntegrality(k, np.arange(k, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * k))
    highs.changeColsCost(k, np.arange(k, dtype=np.int32), np.ones(k))
    for j in range(chart.shape[1]):
        idx = np.flatnonzero(chart[:, j]).astype(np.int32)
        highs.addRow(1.0, highspy.kHighsInf, len(idx), idx, np.ones(len(idx)))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise QcaError(f"the set-cover solver found no optimum ({highs.getModelStatus()})")
    return int(round(highs.getInfo().objective_function_value))


def term_names(implicant: Implicant, conditions: list[str]) -> list[str]:
    return [name if v == 1 else f"~{name}" for name, v in zip(conditions, implicant) if v is not None]


def term_text(implicant: Implicant, conditions: list[str]) -> str:
    return "*".join(term_names(implicant, conditions))


