"""Pattern matching for any study: each proposition of study.yaml tested against the coded cases.

For each proposition: the rows it is about (`frames`), the observed statistic of its pattern type
(`types`, built from the measures and criteria of `measures`), the verdict its declared thresholds give
(bevestigd / deels / verworpen, or niet te toetsen with the reason), and, where the source states its own
verdict, whether ours agrees. Pure functions from the loaded study and its frames to results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from patroon.analysis.propositions.frames import Rows, missing_codes, rows
from patroon.analysis.propositions.measures import Context
from patroon.analysis.propositions.types import RUNNERS, TOTAL, Observed, selected
from patroon.data.models import Proposition, Thresholds
from patroon.data.study_data import StudyData

# Why a proposition cannot be tested, by the reason a pattern gives.
REASONS = ("no-rows", "no-variation", "empty-group")


def verdict(value: float | None, thresholds: Thresholds) -> str:
    if value is None:
        return "niet-te-toetsen"
    if thresholds.bevestigd.holds(value):
        return "bevestigd"
    if thresholds.deels is not None and thresholds.deels.holds(value):
        return "deels"
    return "verworpen"


def agreement(computed: str, author: str | None) -> str | None:
    """Our verdict against the author's, in the register's words; None without an author's verdict."""
    if author is None:
        return None
    if computed == "niet-te-toetsen":
        return "niet-vergelijkbaar"
    if computed == author:
        return "eens"
    return "oneens" if {computed, author} == {"bevestigd", "verworpen"} else "deels"


@dataclass
class PropositionResult:
    proposition: Proposition
    observed: Observed
    verdict: str
    agreement: str | None
    rows_over: str
    id_column: str
    excluded: list[str]  # rows `where` could not tell

    @property
    def id(self) -> str:
        return self.proposition.id

    @property
    def table(self) -> pd.DataFrame:
        return self.observed.table

    def payload(self) -> dict:
        """The result as patterns.json holds it: ids and codes, numbers rounded to four decimals."""
        p, o = self.proposition, self.observed
        return {
            "id": p.id, "number": p.number, "label": p.label.model_dump(), "statement": p.statement,
            "predicted": p.predicted, "reading": p.reading, "over": p.over, "type": p.pattern.type,
            "statistic": o.statistic, "value": o.value, "n": o.n, "reason": o.reason,
            "thresholds": p.verdict.model_dump(exclude_none=True), "verdict": self.verdict,
            "unknown": o.unknown, "excluded_by_where": self.excluded, **o.details,
            "author": p.author.model_dump(exclude_none=True) if p.author else None,
            "agreement": self.agreement, "circular": p.circular,
            "table": [{k: _plain(v) for k, v in r.items()} for r in o.table.to_dict("records")],
        }


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def with_totals(frame: Rows) -> Rows:
    """The rows and one more, 'totaal': each numeric column summed over them (text columns left empty)."""
    total: dict = {frame.id_column: TOTAL, "name": TOTAL}
    for record in frame.records:
        for column, value in record.items():
            if column in (frame.id_column, "name"):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                total[column] = total.get(column, 0) + value
    return replace(frame, records=[*frame.records, total])


def evaluate_one(data: StudyData, proposition: Proposition, frame: Rows) -> PropositionResult:
    if proposition.totals:
        frame = with_totals(frame)
    ctx = Context(data, frame, missing_codes(data))
    picked, excluded = selected(ctx, proposition.where)
    observed = RUNNERS[proposition.pattern.type](ctx, picked, proposition.pattern)
    found = verdict(observed.value, proposition.verdict)
    author = proposition.author.verdict if proposition.author else None
    return PropositionResult(proposition, observed, found, agreement(found, author), proposition.over,
                             frame.id_column, excluded)


def evaluate(data: StudyData, units: pd.DataFrame | None = None,
             cases: pd.DataFrame | None = None) -> list[PropositionResult]:
    """Every proposition of the study, in declaration order. `units` and `cases`: the study's unit and
    case frames (a study with organisations); the rows of each `over` are built once."""
    frames: dict[str, Rows] = {}
    results = []
    for proposition in data.study.propositions:
        if proposition.over not in frames:
            frames[proposition.over] = rows(data, proposition.over, units, cases)
        results.append(evaluate_one(data, proposition, frames[proposition.over]))
    return results
