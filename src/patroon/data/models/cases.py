"""Case files and organisation files (the coded values with their evidence), and the reconciliation
file that settles where two codings disagree."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from patroon.data.models.base import ShortText, Slug, Strict, VariableId

# --------------------------------------------------------------------------------------- case files


# Where in the source a value was found. A thesis has sections, a statistical publication tables, a data
# set rows; each reference is written as the source writes it ("4.4", "Table 3.2", "Appendix B").
EVIDENCE_PLACES = ("section", "table", "page", "dataset", "citation", "documents")


class Evidence(Strict):
    """A paraphrase in our own words and where the source says it: at least one of section, table, page,
    dataset (with row), citation (a reference without URL) or documents."""

    text: ShortText
    section: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    table: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    page: int | Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    # A published data set and the row (case) in it, e.g. dataset: "LC (R package QCA)", row: AU.
    dataset: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    row: int | Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    citation: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    respondents: list[int | Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list)
    documents: list[Annotated[str, StringConstraints(max_length=200)]] = Field(default_factory=list)
    inferred: bool = False

    @model_validator(mode="after")
    def _placed(self) -> "Evidence":
        if not any(getattr(self, name) for name in EVIDENCE_PLACES) and self.page is None:
            raise ValueError("say where in the source: give at least one of section, table, page, dataset, "
                             "citation or documents")
        if self.row is not None and self.dataset is None:
            raise ValueError("`row` is a row of a data set: give `dataset` too")
        return self


class CodedValue(Strict):
    value: int | Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    evidence: list[Evidence] = Field(min_length=1)


class SourceNote(Strict):
    about: ShortText
    readings: list[ShortText] = Field(min_length=1)
    choice: ShortText
    reason: ShortText


# Years a case study of organisations can be about; a typo such as 20200 made the timeline minutes long.
Year = Annotated[int, Field(ge=1800, le=2100)]


class PeriodCluster(Strict):
    """The cluster of a period whose deciding tactic has no cluster of its own (a compromise), as judged
    from the source, with the evidence for the judgement."""

    value: Slug
    evidence: list[Evidence] = Field(min_length=1)


class Period(Strict):
    start: Year | None = None
    end: Year | None = None
    label: Annotated[str, StringConstraints(max_length=200)] | None = None
    tactics: list[Slug] = Field(min_length=1)
    dominant_tactic: Slug | None = None
    # Only where the deciding tactic (dominant, else the first) has no fixed cluster in the codebook.
    cluster: PeriodCluster | None = None
    evidence: list[Evidence] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} lies before start {self.start}")
        return self

    @property
    def deciding_tactic(self) -> str:
        """The tactic whose cluster is the period's: the dominant one, else the first listed."""
        return self.dominant_tactic or self.tactics[0]


class Unit(Strict):
    case: Slug
    name: ShortText
    coded: dict[VariableId, CodedValue] = Field(default_factory=dict)
    reaction: list[Period] = Field(min_length=1)
    source_notes: list[SourceNote] = Field(default_factory=list)


class CaseFile(Strict):
    """A gemeente (or any case-level unit kind): the context in which organisations react."""

    id: Slug
    name: ShortText
    kind: Slug
    chapter: Annotated[str, StringConstraints(max_length=20)] | None = None
    # A case that is part of another case (a story told in a municipality, a team in a region).
    part_of: Slug | None = None
    coded: dict[VariableId, CodedValue] = Field(default_factory=dict)
    source_notes: list[SourceNote] = Field(default_factory=list)


class OrganisationFile(Strict):
    """An aanbieder: organisation attributes once, and one unit per case it was studied in."""

    id: Slug
    name: ShortText
    kind: Slug
    coded: dict[VariableId, CodedValue] = Field(default_factory=dict)
    units: list[Unit] = Field(min_length=1)
    source_notes: list[SourceNote] = Field(default_factory=list)



# ------------------------------------------------------------------------------------- reconciliation


class Decision(Strict):
    """One disagreement between the two coders, settled: which value the study's own coding carries."""

    variable: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    item: Annotated[str, StringConstraints(min_length=1, max_length=120)]  # unit, case or organisation id
    # Years and counts may be written as numbers; they are compared as the text the agreement tables show.
    values: dict[Slug, int | Annotated[str, StringConstraints(max_length=400)]] = Field(min_length=2, max_length=2)
    decision: int | Annotated[str, StringConstraints(min_length=1, max_length=400)]
    reason: ShortText
    source: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Round(Strict):
    """A later round of decisions, taken on a date under revised coding rules. A decision here replaces the
    earlier one for the same variable and item; the earlier one stays in the file as the record."""

    round: int = Field(ge=2)
    date: datetime.date
    rules: ShortText  # what changed in the rules, and where they are written
    decisions: list[Decision] = Field(min_length=1)


class ReconciliationFile(Strict):
    decisions: list[Decision] = Field(default_factory=list)  # the first round
    rounds: list[Round] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rounds_in_order(self) -> "ReconciliationFile":
        numbers = [r.round for r in self.rounds]
        if numbers != list(range(2, 2 + len(numbers))):
            raise ValueError(f"rounds must be numbered 2, 3, … in order; found {numbers}")
        dates = [r.date for r in self.rounds]
        if dates != sorted(dates):
            raise ValueError("a later round cannot have an earlier date")
        return self

    def in_order(self) -> list[tuple[int, tuple, Decision]]:
        """Every decision with its round and its place in the file, first round first."""
        found = [(1, ("decisions", i), d) for i, d in enumerate(self.decisions)]
        for j, later in enumerate(self.rounds):
            found += [(later.round, ("rounds", j, "decisions", i), d) for i, d in enumerate(later.decisions)]
        return found
