"""The rows a proposition or a QCA is about: the units (`over: units`) or the cases of one kind, each row
with every column it may name. A case row holds its coded values by variable id and, in a study with
organisations, the columns of the case table (cluster counts, steering conditions met); a unit row the
columns of the unit table. Which columns exist is the same list `validate` checks names against."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from patroon.data.derive import UNKNOWN, plain
from patroon.data.models import UNITS
from patroon.data.study_data import StudyData

# The unit table's columns that hold a cluster (DESIGN.md's contract of units.csv).
CLUSTER_COLUMNS = ("first_cluster", "cluster", "predicted_cluster")


@dataclass
class Rows:
    """The rows of one `over`, as records, with the column that identifies a row."""

    over: str
    id_column: str
    records: list[dict]
    # Variable id -> the column holding it (a unit table names some variables by a column of its own).
    columns_of: dict[str, str] = field(default_factory=dict)
    # Per case id, the unit rows of that case (the items of a `units` co-occurrence).
    units_of: dict[str, list[dict]] = field(default_factory=dict)
    kind: str | None = None

    def column(self, variable_or_column: str) -> str:
        return self.columns_of.get(variable_or_column, variable_or_column)


def case_variables(data: StudyData, kind: str) -> list[str]:
    """The case-level variables a case of this kind is coded on, in codebook order."""
    return [v.id for v in data.codebook.variables
            if v.level == "case" and (v.kinds is None or kind in v.kinds)]


def unit_column_names(data: StudyData) -> dict[str, str]:
    """Variable id -> unit table column, for the variables the unit table holds."""
    analysis = data.study.analysis
    names = {variable_id: column for column, variable_id in analysis.unit_columns.items()}
    names.update({variable_id: variable_id for variable_id in analysis.profile_variables})
    names.update({group: group for group in analysis.profile_groups})
    return names


def rows(data: StudyData, over: str, units: pd.DataFrame | None = None,
         cases: pd.DataFrame | None = None) -> Rows:
    """The rows of `over`. `units` and `cases`: the study's unit and case frames, where it has them."""
    if over == UNITS:
        records = units.to_dict("records") if units is not None else []
        return Rows(over, "unit_id", records, unit_column_names(data))
    case_rows = cases.set_index("case_id").to_dict("index") if cases is not None and len(cases) else {}
    variables = case_variables(data, over)
    records = []
    for case_id, case in data.cases_of(over).items():
        record = {"case_id": case_id, "name": case.name, "part_of": case.part_of or ""}
        record.update(case_rows.get(case_id, {}))
        record.update({v: plain(data, case.coded.get(v), v) for v in variables})
        records.append(record)
    units_of: dict[str, list[dict]] = {}
    if units is not None:
        for record in units.to_dict("records"):
            units_of.setdefault(record["case_id"], []).append(record)
    return Rows(over, "case_id", records, units_of=units_of, kind=over)


def missing_codes(data: StudyData) -> set[str]:
    """Values that say the source does not tell: the codebook's missing codes and 'onbekend'."""
    return data.codebook.missing() | {UNKNOWN}


def is_missing(value: object, missing: set[str]) -> bool:
    if value is None or value == "":
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return str(value) in missing
