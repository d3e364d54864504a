"""Block tables (results/<study>/tables/*.csv) as a reader sees them: labels for codes and ids, the
source's own layout where it has one."""

from __future__ import annotations

import re

import pandas as pd

from patroon.analysis.blocks import part_label
from patroon.data.study_data import StudyData
from patroon.report.figures import cases_down
from patroon.report.reader import Reader
from patroon.report.views.common import group_label

# Column names of block tables (results/<study>/tables/*.csv) as the reader sees them.
BLOCK_COLUMNS = {"case": "case", "label": "variable", "count": "count", "n": "n", "share": "share",
                 "passes": "passes", "rank": "rank", "score": "score", "tie": "tie", "position": "position",
                 "computed": "computed", "reported": "reported", "agrees": "agrees", "n_coded": "n",
                 "part": "variable", "known": "known", "only_computed": "only_computed",
                 "only_reported": "only_reported", "row": "row"}


_REF = r"(?:Tabel|Table|Figuur|Figure|Figuren|Figures|Tabellen|Tables)\s+[\w.–-]+(?:\s+(?:en|and)\s+[\w.–-]+)*"
_PREFIX = re.compile(rf"^({_REF}):\s*")
_SUFFIX = re.compile(rf"\s*\(({_REF})\)$")


def source_reference(label: str) -> tuple[str, str]:
    """A block's title without the source's own number, and that number: "Tabel 8: vergelijking van ..." and
    "Thema's van de verhalen (Figuur 20)" give ("Vergelijking van ...", "Tabel 8") and ("Thema's van de
    verhalen", "Figuur 20"). The report numbers its own tables; the source's number is named in the text."""
    for pattern in (_PREFIX, _SUFFIX):
        match = pattern.search(label)
        if match:
            title = pattern.sub("", label, count=1).strip()
            return title[:1].upper() + title[1:], match.group(1)
    return label, ""


def block_column(column: str, reader: Reader, kind: str | None = None) -> str:
    """A block table's column header: the catalog's word, and for the case column the study's own word for
    the block's kind of case ('Inkoopregio', 'Verhaal')."""
    if column == "case":
        label = reader.kind_noun(kind, 1)
        return label[:1].upper() + label[1:]
    labels = reader.catalog["labels"]
    return labels.get(BLOCK_COLUMNS[column], column) if column in BLOCK_COLUMNS else column


def block_value_labels(data: StudyData, block, result, reader: Reader):
    """A cell converter for a block's table: a coded value as its codebook label, looked up by the row's
    variable (matrix) or among the block's variables (a cross-tab's value columns)."""
    table = result.table

    def row_value(column, value, record):
        variable_id = record.get("variable")
        if column in data.cases and variable_id:
            return reader.compact(variable_id, value) if result.type == "matrix" else reader.value(variable_id, value)
        if column in ("computed", "reported") and isinstance(value, str):
            return reader.any_code(value)
        if column in ("value", "group", "variable") and isinstance(value, str):
            if value in ("totaal", "total"):
                return reader.label("total")
            if data.codebook.variable(value) is not None:
                return reader.variable(value)
            if column == "group":
                return group_label(data, value, reader.language)
        if column == "part" and isinstance(value, str):
            return value.replace("-", " ") if value else reader.label("total")
        return None

    variables = [v for v in dict.fromkeys(table["variable"])] if "variable" in table.columns else []
    codes: dict[str, str] = {}
    for variable_id in variables:
        variable = data.codebook.variable(variable_id)
        if variable is not None and variable.type == "categorical":
            for value in data.codebook.allowed_values(variable):
                codes.setdefault(value.code, getattr(value.label, reader.language))
    for missing in data.codebook.missing_codes:
        codes.setdefault(missing.code, getattr(missing.label, reader.language))
    return row_value, codes


def block_view(result, reader: Reader, data: StudyData, block=None) -> pd.DataFrame:
    """A block's table for reading: ids dropped where a label says the same, case ids as names, codes as
    the codebook's labels, a threshold block reduced to what passes (the full table is in the CSV),
    headers in the report language."""
    table = result.table.copy()
    if table.empty:
        return table
    labels = reader.catalog["labels"]
    if result.type == "matrix" and result.extra is not None:
        # The source's own layout (one row per part, the cases across); the row per variable is in the CSV.
        extra = result.extra.copy()
        if "row" in extra.columns and block is not None and block.collapse_part is not None:
            variables = list(result.table["variable"])
            extra["row"] = [part_label(data, variables, block.collapse_part, key, reader.language) if key
                            else reader.label("total") for key in extra["row"]]
        return extra.rename(columns={c: block_column(c, reader, block.kind if block else None)
                                            for c in result.extra.columns})
    if result.type == "top-k" and "case" in table.columns:
        # The source's layout: a row per rank, a column per case, tied values together in one cell with
        # their score (the row per value is in the CSV).
        cells = table.groupby(["rank", "case"], sort=False).agg(
            label=("label", ", ".join), score=("score", "first")).reset_index()
        cells["cell"] = [f"{label} ({score})" for label, score in zip(cells["label"], cells["score"])]
        wide = cells.pivot(index="rank", columns="case", values="cell").fillna("").sort_index()
        wide = wide[list(dict.fromkeys(table["case"]))]
        wide.columns = [data.cases[c].name if c in data.cases else reader.code(c).capitalize() for c in wide.columns]
        return wide.reset_index().rename(columns={"rank": labels.get("rank", "rank")})
    if result.type == "threshold" and "passes" in table.columns and "case" in table.columns:
        table = table[table["passes"] == "ja"].drop(columns=["passes"])
    row_value, codes = block_value_labels(data, block, result, reader)
    shown = reader.frame(table, row_values=row_value, rename=False)
    cases = [c for c in table.columns if c in data.cases]
    if result.type == "matrix" and cases_down(len(cases), len(table)):
        # Too many cases to run across an A4 page: a row per case, a column per variable, and the rows
        # of the block's judgement (computed, per the source) below them.
        down = shown.set_index("label").drop(columns=["variable"]).T
        down.index = [data.cases[c].name if c in data.cases else reader.header(c) for c in down.index]
        return down.reset_index(names=reader.label("case"))
    if "label" in shown.columns and "variable" in shown.columns:
        # The row's variable decided how its cells read; its label says what the reader needs.
        shown = shown.drop(columns=["variable"]).rename(columns={"label": "variable"})
    # Value columns of a cross-tab are codes: their label (the codebook's, or the shared short codes).
    kind = block.kind if block is not None else None
    return shown.rename(columns={c: block_column(c, reader, kind) if c == "case"
                                 else reader.header(c) if c in reader.catalog["columns"] or c in data.cases
                                 else codes.get(c, reader.any_code(c)) for c in shown.columns})


def block_rows_for_case(result, case_id: str) -> pd.DataFrame | None:
    """The part of a block's table about one case, or None when the block has no per-case rows."""
    table = result.table
    if table.empty:
        return None
    if result.type == "matrix" and case_id in table.columns:
        columns = ["variable", "label", case_id, "computed"] + (["reported"] if "reported" in table.columns else [])
        return table[columns]
    for column in ("case", "case_id"):
        if column in table.columns:
            mine = table[table[column] == case_id].drop(columns=[column])
            return mine if not mine.empty else None
    return None


