"""The general building blocks of cross-case analysis, declared per study in study.yaml.

Each block reads the coded values of the case files of one kind and returns a table; nothing here knows a
study. The values are the coded ones (missing codes stay visible as such), so a reader can trace every
cell back to a case file.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

import pandas as pd

from patroon.data.derive import plain
from patroon.data.models import (
    ContinuumBlock,
    CrossTabBlock,
    MatrixBlock,
    ThresholdBlock,
    TopKBlock,
    VariableSelection,
)
from patroon.data.names import TOTAL
from patroon.data.study_data import StudyData


def select(data: StudyData, selection: VariableSelection, kind: str | None = None) -> list[str]:
    return selection.select(data.codebook, kind)


def value_frame(data: StudyData, kind: str, variables: list[str]) -> pd.DataFrame:
    """Cases of a kind (rows, in file order) x variables (columns), plain values."""
    cases = data.cases_of(kind)
    rows = {case_id: {v: plain(data, case.coded.get(v), v) for v in variables} for case_id, case in cases.items()}
    # object dtype keeps whole numbers as Python ints next to codes such as 'onbekend'.
    return pd.DataFrame.from_dict(rows, orient="index", columns=variables, dtype=object)


def label(data: StudyData, variable_id: str, language: str) -> str:
    variable = data.codebook.variable(variable_id)
    return getattr(variable.label, language) if variable else variable_id


@dataclass
class BlockResult:
    block_id: str
    type: str
    table: pd.DataFrame
    summary: dict = field(default_factory=dict)
    extra: pd.DataFrame | None = None  # a contract file with renamed columns, when declared


def crosstab(data: StudyData, block: CrossTabBlock, language: str) -> BlockResult:
    variables = select(data, block.variables, block.kind)
    frame = value_frame(data, block.kind, variables)
    long = frame.reset_index(names="case").melt(id_vars="case", var_name="variable", value_name="value")
    long["value"] = long["value"].astype(str)
    long["group"] = [data.codebook.variable(v).group for v in long["variable"]]
    table = pd.crosstab(long[block.rows], long["value"], margins=True, margins_name=TOTAL)
    table.index.name = block.rows
    return BlockResult(block.id, block.type, table.reset_index(),
                       {"n_cases": int(len(frame)), "n_variables": len(variables), "n_values": int(len(long))})


def short_label(data: StudyData, variable_id: str, language: str) -> str:
    """A variable's label without a trailing parenthesis, which in a collapsed table repeats the row."""
    text = label(data, variable_id, language)
    return text.split(" (")[0] if " (" in text else text


def matrix(data: StudyData, block: MatrixBlock, language: str) -> BlockResult:
    variables = select(data, block.variables, block.kind)
    frame = value_frame(data, block.kind, variables)
    present = set(block.present)
    missing = data.codebook.missing() | {"onbekend"} if block.exclude_missing else set()
    words = {key: getattr(block.labels[key], language) if key in block.labels else key
             for key in ("similar", "different", "undetermined")}
    rows = []
    partly_known = []
    for variable_id in variables:
        values = [str(v) for v in frame[variable_id]]
        counted = [v for v in values if v not in missing]
        if not counted:
            similar = False  # nothing to compare
        elif block.similarity == "all-equal":
            similar = len(set(counted)) == 1
        elif block.similarity == "all-present":
            similar = all(v in present for v in counted)
        else:
            similar = sum(v in present for v in counted) * 2 > len(counted)
        row = {"variable": variable_id, "label": label(data, variable_id, language)}
        row.update({case_id: value for case_id, value in zip(frame.index, values)})
        if counted and len(counted) < block.min_known:
            row["computed"] = words["undetermined"]
        else:
            row["computed"] = words["similar" if similar else "different"]
        if len(counted) < len(values):
            partly_known.append((variable_id, len(counted), len(values), row["computed"]))
        row["known"] = f"{len(counted)}/{len(values)}"
        if block.reported:
            reported = block.reported.get(variable_id)
            row["reported"] = reported.value if reported else ""
            row["agrees"] = "" if reported is None else ("ja" if reported.value == row["computed"] else "nee")
        rows.append(row)
    table = pd.DataFrame(rows)
    if rows and not partly_known:
        table = table.drop(columns=["known"])  # every row judged on every case: nothing to say
    summary = {"n_rows": len(rows), "n_similar": int((table["computed"] == words["similar"]).sum()) if rows else 0,
               "partly_known": [{"variable": v, "label": label(data, v, language), "known": k, "of": n,
                                 "computed": c} for v, k, n, c in partly_known],
               "undetermined": words["undetermined"], "min_known": block.min_known}
    if block.reported and rows:
        compared = table[table["agrees"] != ""]
        summary["n_compared"] = int(len(compared))
        summary["differences"] = compared.loc[compared["agrees"] == "nee", "variable"].tolist()
    extra = collapse(data, block, table, list(frame.index), words["similar"], language) \
        if block.collapse_part is not None and rows else None
    return BlockResult(block.id, block.type, table, summary, extra)


def part_label(data: StudyData, variables: list[str], part: int, key: str, language: str) -> str:
    """A part of the variable ids (a relation such as 'gemeenten-onderling') as its variables' labels say it:
    the parenthesis they share ('tussen de gemeenten'), else the part in words."""
    endings = set()
    for variable_id in variables:
        pieces = str(variable_id).split(".")
        variable = data.codebook.variable(variable_id)
        if len(pieces) > part and pieces[part] == key and variable is not None:
            match = re.search(r"\(([^()]*)\)\s*$", getattr(variable.label, language))
            endings.add(match.group(1) if match else None)
    if len(endings) == 1 and None not in endings:
        return endings.pop()
    return key.replace("-", " ")


def collapse(data: StudyData, block: MatrixBlock, table: pd.DataFrame, cases: list[str], similar: str,
             language: str) -> pd.DataFrame:
    """One row per value of the chosen id part: per case the variables with a value in `present`, the
    computed similar ones, the source's own, and where the two disagree."""
    present = set(block.present)
    parts: dict[str, list[dict]] = {}
    for row in table.to_dict("records"):
        pieces = row["variable"].split(".")
        key = pieces[block.collapse_part] if len(pieces) > block.collapse_part else ""
        parts.setdefault(key, []).append(row)

    def names(rows: list[dict]) -> str:
        return "; ".join(short_label(data, r["variable"], language) for r in rows) or "-"

    out = []
    for key, rows in parts.items():
        line = {"row": key}
        for case_id in cases:
            line[data.cases[case_id].name] = names([r for r in rows if str(r[case_id]) in present])
        computed = [r for r in rows if r["computed"] == similar]
        line["computed"] = names(computed)
        if block.reported:
            reported = [r for r in rows if r.get("reported") == similar]
            line["reported"] = names(reported)
            line["only_computed"] = names([r for r in computed if r not in reported])
            line["only_reported"] = names([r for r in reported if r not in computed])
        out.append(line)
    return pd.DataFrame(out)


def _passes(share: float, block: ThresholdBlock, count: int | None = None) -> bool:
    if block.count is not None:
        return count > block.count if block.strict else count >= block.count
    return share > block.share if block.strict else share >= block.share


def threshold(data: StudyData, block: ThresholdBlock, language: str) -> BlockResult:
    variables = select(data, block.variables, block.kind)
    frame = value_frame(data, block.kind, variables)
    rows = []
    if block.per == "case":
        denominators = value_frame(data, block.kind, [block.denominator])[block.denominator]
        for case_id in frame.index:
            n = denominators[case_id]
            for variable_id in variables:
                count = frame.loc[case_id, variable_id]
                if not isinstance(n, int) or not isinstance(count, int) or n <= 0:
                    share, passes = None, False  # not coded: cannot pass, and the table shows why
                else:
                    share = round(count / n, 4)
                    passes = _passes(count / n, block)
                rows.append({"case": case_id, "variable": variable_id, "label": label(data, variable_id, language),
                             "count": count, "n": n, "share": share, "passes": "ja" if passes else "nee"})
    else:
        wanted = set(block.values)
        n = len(frame)
        for variable_id in variables:
            count = int(sum(str(v) in wanted for v in frame[variable_id]))
            share = round(count / n, 4) if n else None
            rows.append({"variable": variable_id, "label": label(data, variable_id, language), "count": count,
                         "n": n, "share": share, "passes": "ja" if n and _passes(count / n, block, count) else "nee"})
    table = pd.DataFrame(rows)
    passing = table[table["passes"] == "ja"] if rows else table
    extra = None
    if block.output_file is not None:
        extra = pd.DataFrame()
        cases = data.cases_of(block.kind)
        if block.per == "case":
            extra[block.output_columns.get("case", "case")] = [
                cases[c].name if block.output_case == "name" else c for c in passing["case"]]
        extra[block.output_columns.get("variable", "variable")] = list(
            passing["label"] if block.output_variable == "label" else passing["variable"])
    summary = {"n_passing": int(len(passing)), "threshold": block.share if block.count is None else block.count,
               "threshold_kind": "share" if block.count is None else "count", "strict": block.strict}
    if block.per == "case" and rows:
        summary["passing_per_case"] = {c: passing.loc[passing["case"] == c, "variable"].tolist() for c in frame.index}
    return BlockResult(block.id, block.type, table, summary, extra)


def top_k(data: StudyData, block: TopKBlock, language: str) -> BlockResult:
    """Competition ranking (1, 2, 2, 4): a value is in the top k when fewer than k values score higher,
    so everything tied with the k-th is kept, and marked as a tie."""
    variables = select(data, block.variables, block.kind)
    frame = value_frame(data, block.kind, variables)
    rows = []
    kept_per_case: dict[str, int] = {}
    for case_id in frame.index:
        scores = {v: frame.loc[case_id, v] for v in variables if isinstance(frame.loc[case_id, v], int)}
        kept_per_case[case_id] = len(rank_top(scores, variables, block.k, case_id, rows, data, language))
    if block.total:
        totals = {v: sum(s for s in frame[v] if isinstance(s, int)) for v in variables
                  if any(isinstance(s, int) for s in frame[v])}
        kept_per_case[TOTAL] = len(rank_top(totals, variables, block.k, TOTAL, rows, data, language))
    table = pd.DataFrame(rows, columns=["case", "rank", "variable", "label", "score", "tie"])
    return BlockResult(block.id, block.type, table, {"k": block.k, "kept_per_case": kept_per_case})


def rank_top(scores: dict[str, int], variables: list[str], k: int, case_id: str, rows: list[dict],
             data: StudyData, language: str) -> list[str]:
    """Append the top-k rows of one set of scores (competition ranking, ties at the boundary kept)."""
    ordered = sorted(scores.items(), key=lambda item: (-item[1], variables.index(item[0])))
    kept = []
    for variable_id, score in ordered:
        rank = 1 + sum(other > score for other in scores.values())
        if rank > k:
            break
        tied = sum(other == score for other in scores.values()) > 1
        kept.append(variable_id)
        rows.append({"case": case_id, "rank": rank, "variable": variable_id,
                     "label": label(data, variable_id, language), "score": score, "tie": "ja" if tied else "nee"})
    return kept


def continuum(data: StudyData, block: ContinuumBlock, language: str) -> BlockResult:
    variables = select(data, block.variables, block.kind)
    frame = value_frame(data, block.kind, variables)
    both = set(block.both)

    def position(values: list[str]) -> dict:
        left = sum(v == block.left for v in values) + 0.5 * sum(v in both for v in values)
        right = sum(v == block.right for v in values) + 0.5 * sum(v in both for v in values)
        coded = left + right
        return {block.left: left, block.right: right, "n_coded": int(sum(v in both or v in (block.left, block.right)
                                                                            for v in values)),
                "position": round((right - left) / coded, 4) if coded else None}

    rows = []
    cases = data.cases_of(block.kind)
    for case_id in frame.index:
        row = {"case": case_id, "part": "", **position([str(v) for v in frame.loc[case_id]])}
        if block.compare_with is not None:
            row["reported"] = plain(data, cases[case_id].coded.get(block.compare_with), block.compare_with)
        rows.append(row)
        if block.by_part is not None:
            parts: dict[str, list[str]] = {}
            for variable_id in variables:
                pieces = variable_id.split(".")
                key = pieces[block.by_part] if len(pieces) > block.by_part else ""
                parts.setdefault(key, []).append(str(frame.loc[case_id, variable_id]))
            for key, values in parts.items():
                row = {"case": case_id, "part": key, **position(values)}
                if block.compare_with is not None:  # the source's placement per part, when it has one
                    part_variable = f"{block.compare_with}.{key}"
                    coded = cases[case_id].coded.get(part_variable)
                    row["reported"] = plain(data, coded, part_variable) if coded else ""
                rows.append(row)
    table = pd.DataFrame(rows)
    overall = table[table["part"] == ""] if rows else table
    summary = {"positions": dict(zip(overall["case"], overall["position"])) if rows else {},
               "left": block.left, "right": block.right}
    return BlockResult(block.id, block.type, table, summary)


RUNNERS = {"crosstab": crosstab, "matrix": matrix, "threshold": threshold, "top-k": top_k, "continuum": continuum}


def run_blocks(data: StudyData, language: str | None = None) -> list[BlockResult]:
    language = language or data.study.language
    return [RUNNERS[block.type](data, block, language) for block in data.study.analysis.blocks]
