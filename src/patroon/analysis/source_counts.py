"""Derived cross-tabs set beside the source's own counts: a check the source itself offers (for example
Tabel 3.2's selection counts). The source's numbers are entered in study.yaml (`crosstabs[].author`); they
are compared here, never used to compute anything."""

from __future__ import annotations

import pandas as pd

from patroon.data.models import CrossTab

COMPARISON_COLUMNS = ["row", "column", "author", "derived", "agrees"]


def grouped(units: pd.DataFrame, spec: CrossTab) -> pd.DataFrame:
    """The unit frame with the cross-tab's column recoded into the source's groups (codes outside every
    group become missing and are left out of the counts)."""
    if not spec.column_groups:
        return units
    group_of = {code: group.id for group in spec.column_groups for code in group.codes}
    return units.assign(**{spec.columns: units[spec.columns].map(lambda v: group_of.get(str(v)))})


def compare_with_author(table: pd.DataFrame, spec: CrossTab) -> pd.DataFrame:
    """One row per cell the source gives: its count, ours (0 where no unit falls in it), and whether they agree."""
    rows = []
    for row, cells in (spec.author.cells.items() if spec.author else []):
        for column, count in cells.items():
            present = row in table.index and column in table.columns
            derived = int(table.loc[row, column]) if present else 0
            rows.append({"row": row, "column": column, "author": count, "derived": derived,
                         "agrees": derived == count})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
