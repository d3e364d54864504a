"""Pydantic models of study, codebook and case files.

The models check shape and types only; everything that needs the codebook (is this a known variable, an
allowed value?) is checked in `load`, which knows the codebook and the line numbers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Column = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
VariableId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=120)]
Direction = Literal["+", "-", "0"]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a field name must not silently drop data."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    nl: ShortText
    en: ShortText


# ----------------------------------------------------------------------------------------- codebook


class Value(Strict):
    code: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    direction: Direction = "0"
    label: Label


class MissingCode(Strict):
    code: Slug
    label: Label


class Cluster(Strict):
    id: Slug
    label: Label
    definition: ShortText


class Tactic(Strict):
    id: Slug
    strategy: Slug
    cluster: Slug
    cluster_reason: ShortText | None = None
    label: Label
    definition: ShortText
    indicator: ShortText


class Variable(Strict):
    id: VariableId
    level: Literal["case", "organisation", "unit"]
    group: VariableId
    type: Literal["categorical", "text", "integer"] = "categorical"
    inductive: bool = False
    label: Label
    definition: ShortText
    indicator: ShortText
    values: list[Value] | None = None
    values_from: Slug | None = None
    # Case-level variables of studies with several case kinds (e.g. regio and verhaal) name the kinds
    # they belong to; None means every kind of the level.
    kinds: list[Slug] | None = None


class Codebook(Strict):
    missing_codes: list[MissingCode] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    tactics: list[Tactic] = Field(default_factory=list)
    value_sets: dict[Slug, list[Value]] = Field(default_factory=dict)
    variables: list[Variable]

    def allowed_values(self, variable: Variable) -> list[Value]:
        if variable.values is not None:
            return variable.values
        if variable.values_from is not None:
            return self.value_sets.get(variable.values_from, [])
        return []

    # Lookups by id are on every hot path (each coded value of each unit), so index once.
    _variables_by_id: dict[str, Variable] = PrivateAttr(default_factory=dict)
    _tactics_by_id: dict[str, Tactic] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object) -> None:
        self._variables_by_id = {v.id: v for v in self.variables}
        self._tactics_by_id = {t.id: t for t in self.tactics}

    def variable(self, variable_id: str) -> Variable | None:
        return self._variables_by_id.get(variable_id)

    def tactic(self, tactic_id: str) -> Tactic | None:
        return self._tactics_by_id.get(tactic_id)

    def missing(self) -> set[str]:
        return {m.code for m in self.missing_codes}


# --------------------------------------------------------------------------------------- case files


class Evidence(Strict):
    text: ShortText
    section: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    table: Annotated[str, StringConstraints(max_length=80)] | None = None
    page: int | Annotated[str, StringConstraints(max_length=20)] | None = None
    respondents: list[int | Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list)
    documents: list[Annotated[str, StringConstraints(max_length=200)]] = Field(default_factory=list)
    inferred: bool = False


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


class Period(Strict):
    start: Year | None = None
    end: Year | None = None
    label: Annotated[str, StringConstraints(max_length=200)] | None = None
    tactics: list[Slug] = Field(min_length=1)
    dominant_tactic: Slug | None = None
    evidence: list[Evidence] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} lies before start {self.start}")
        return self


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


# ------------------------------------------------------------------------------------------- study


class Source(Strict):
    author: ShortText
    year: int
    title: ShortText
    kind: ShortText
    institution: ShortText | None = None
    seed: ShortText | None = None
    note: ShortText | None = None
    # What the names in this study are (pseudonyms, real names of public bodies, anonymous letters):
    # every report's colophon says it. Without it the colophon says the names are the source's pseudonyms.
    names: Label | None = None


class UnitKind(Strict):
    kind: Slug
    plural: Slug
    role: Literal["case", "organisation"]
    label: Label


class Requirement(Strict):
    """`variable` must have one of `values` (for a case: the coded value of that case)."""

    variable: VariableId
    values: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(min_length=1)


class SteeringCondition(Strict):
    id: Slug
    label: Label
    all_of: list[Requirement] = Field(min_length=1)


class PredictionRule(Strict):
    """First rule whose requirements all hold (and at least `min_plus` of `count_plus` are '+') wins."""

    cluster: Slug
    all_of: list[Requirement] = Field(default_factory=list)
    count_plus: list[VariableId] = Field(default_factory=list)
    min_plus: int = 0
    because: Label


class CrossTab(Strict):
    id: Slug
    rows: Column
    columns: Column
    label: Label


class QcaSettings(Strict):
    outcome: Slug
    outcome_column: Column
    outcome_value: ShortText
    conditions: list[Column] = Field(min_length=1)
    consistency_threshold: float = Field(default=1.0, ge=0.5, le=1.0)
    positive_values: dict[Column, list[ShortText]] = Field(default_factory=dict)


class Expectation(Strict):
    id: Slug
    number: int
    kind: Literal["between-cases", "within-cases", "steering-conditions", "organisation-prediction"]
    label: Label
    statement: ShortText
    predicted: ShortText
    # Thresholds that turn the observed numbers into a verdict; declared, never literals in code.
    confirm_at: float = Field(ge=0, le=1)
    partly_at: float = Field(ge=0, le=1)


# ------------------------------------------------------------------------------ general building blocks
# Study-specific cross-case analysis is declared from these few blocks; each works on the case files of
# one kind, on the variables it selects, and writes one table `results/<study>/tables/<id>.csv`.


class VariableSelection(Strict):
    """Variables by explicit ids, by group, or by id prefix (in codebook order)."""

    ids: list[VariableId] = Field(default_factory=list)
    group: VariableId | None = None
    groups: list[VariableId] = Field(default_factory=list)
    prefix: VariableId | None = None

    def select(self, codebook: "Codebook", kind: str | None = None) -> list[str]:
        """Variable ids: the explicit ids first in their given order, then group/prefix in codebook order,
        leaving out variables that belong to other case kinds."""
        chosen = list(self.ids)
        for variable in codebook.variables:
            if variable.id in chosen or (kind is not None and variable.kinds is not None and kind not in variable.kinds):
                continue
            if variable.group == self.group or variable.group in self.groups or \
                    (self.prefix is not None and variable.id.startswith(self.prefix)):
                chosen.append(variable.id)
        return chosen


class ReportedValue(Strict):
    """What the source itself reports for a row (e.g. the author's similarity column), to show beside ours."""

    value: ShortText
    evidence: list[Evidence] = Field(min_length=1)


class BlockBase(Strict):
    id: Slug
    label: Label
    kind: Slug
    variables: VariableSelection
    note: ShortText | None = None


class CrossTabBlock(BlockBase):
    """Count the coded values: rows are cases or variables, columns the values (with totals)."""

    type: Literal["crosstab"]
    rows: Literal["case", "variable", "group"] = "case"


class MatrixBlock(BlockBase):
    """Variables x cases with each value, and a computed similarity per row by a declared rule."""

    type: Literal["matrix"]
    # all-equal: every case has the same value; all-present: every case has a value in `present`;
    # majority: more than half of the cases have a value in `present`.
    similarity: Literal["all-equal", "all-present", "majority"] = "all-equal"
    present: list[ShortText] = Field(default_factory=list)
    reported: dict[VariableId, ReportedValue] = Field(default_factory=dict)
    # Cases whose value is a missing code (not discussed, not studied) do not count for or against.
    exclude_missing: bool = True
    # With fewer known values than this, a row is not judged ('undetermined'), so one known value
    # among unknowns cannot make a row 'equal everywhere'.
    min_known: int = Field(default=1, ge=1)
    labels: dict[Literal["similar", "different", "undetermined"], Label] = Field(default_factory=dict)
    # Also a compact table with one row per value of this part of the variable ids (e.g. part 2 of
    # element.vertrouwen.gemeenten-onderling is the relation), listing per case the variables present —
    # the layout of a thesis's cross-case table. Written to `output_file` when given.
    collapse_part: int | None = Field(default=None, ge=0)
    output_file: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*\.csv$")] | None = None


class ThresholdBlock(BlockBase):
    """Which variables reach a threshold share.

    per: case   — for each case, an integer variable's value divided by the case's `denominator` variable
                  (e.g. board members choosing a value / board members of the combination);
    per: study  — over all cases of the kind, the share of cases whose value is in `values`
                  (e.g. stories in which a factor is named).
    """

    type: Literal["threshold"]
    per: Literal["case", "study"]
    denominator: VariableId | None = None
    values: list[ShortText] = Field(default_factory=list)
    share: float | None = Field(default=None, ge=0, le=1)
    # per: study only: a count instead of a share, as a source writes "named in 6 or more stories".
    count: int | None = Field(default=None, ge=1)
    strict: bool = False  # True: more than the threshold (a majority); False: at least the threshold
    # Extra output with renamed columns (a contract file), e.g. {file: gedeelde-waarden.csv,
    # columns: {case: combination, variable: value}}: one row per passing (case, variable).
    output_file: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*\.csv$")] | None = None
    output_columns: dict[Literal["case", "variable"], Column] = Field(default_factory=dict)
    output_case: Literal["id", "name"] = "id"
    output_variable: Literal["id", "label"] = "label"


class TopKBlock(BlockBase):
    """Per case the k highest integer variables; ties at the boundary are all kept and marked."""

    type: Literal["top-k"]
    k: int = Field(ge=1)
    # Also rank the sum over all cases, as case `totaal` (a thesis's 'Totaal' column).
    total: bool = False


class ContinuumBlock(BlockBase):
    """Each case's position between two poles: (n_right - n_left) / (n_left + n_right), from -1 to 1.

    `both` values count half for each pole. `by` splits the position per part of the variable id
    (e.g. part 1 of npm-npg.aanbieders.prijs is the relation), besides the overall position.
    """

    type: Literal["continuum"]
    left: ShortText
    right: ShortText
    both: list[ShortText] = Field(default_factory=list)
    by_part: int | None = None
    # A variable holding the source's own placement (e.g. the author's words), shown beside ours.
    compare_with: VariableId | None = None
    # Two computed positions closer than this count as the same place when they are set against the
    # source's order (the source's placements are words on a coarse scale).
    equal_within: float = Field(default=0.0, ge=0, le=2)


Block = Annotated[CrossTabBlock | MatrixBlock | ThresholdBlock | TopKBlock | ContinuumBlock,
                  Field(discriminator="type")]


class Analysis(Strict):
    age_cutoff_year: int | None = None
    # Contract column (units.csv) -> codebook variable, so code never names a study's variables.
    unit_columns: dict[Column, VariableId] = Field(default_factory=dict)
    # A case's steering counts as adequate when at least this share of the conditions is met.
    steering_adequate_at: float = Field(default=0.5, ge=0, le=1)
    crosstabs: list[CrossTab] = Field(default_factory=list)
    profile_groups: list[VariableId] = Field(default_factory=list)
    profile_variables: list[VariableId] = Field(default_factory=list)
    steering_conditions: list[SteeringCondition] = Field(default_factory=list)
    prediction_rules: list[PredictionRule] = Field(default_factory=list)
    prediction_default: Slug | None = None
    qca: QcaSettings | None = None
    blocks: list[Block] = Field(default_factory=list)


class CodingSettings(Strict):
    """Two independent codings of the same cases and how their disagreements were settled.

    Each coder's files live in `coders/<name>/<kind plural>/`, laid out like the study's own folders. The
    study's own case files are the reconciled coding: every disagreement between the two coders is decided
    in the reconciliation file, and the study's files must carry the decided value.
    """

    coders: list[Slug] = Field(min_length=2, max_length=2)
    reconciliation: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$")] = "reconciliation.yaml"
    rules: ShortText | None = None  # where the written coding rules are (shown in the synthesis)


# ----------------------------------------------------------------------------- reproduction register
# Every table, figure and stated conclusion of the source, with what the pipeline did with it.

RegisterStatus = Literal["afgeleid", "gecodeerd", "niet-overgenomen"]
# Computed by `patroon.register`, never typed: how a derived result compares with the author.
AGREEMENT = ("eens", "deels", "oneens", "niet-vergelijkbaar", "geen-oordeel", "n.v.t.")
Cell = int | Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AuthorCell(Strict):
    """The author's value for one cell of a block's table: the row picked by column values."""

    row: dict[Column, Cell] = Field(min_length=1)
    column: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    value: Cell


class AuthorShow(Strict):
    """Show the author's rows in the source's layout: `index` down, `columns` across, `values` in the cells."""

    index: Column
    columns: Column
    values: Column


class AuthorComparison(Strict):
    """What the author reports, entered from the source, to set beside a block's derived table.

    rows:  the author's rows (values for `columns`); compared as a set, on the `key` columns, with the rows
           of the block's table that satisfy `where`;
    cells: single values of the block's table.
    """

    columns: list[Column] = Field(default_factory=list)
    key: list[Column] = Field(default_factory=list)
    where: dict[Column, Cell] = Field(default_factory=dict)
    rows: list[list[Cell]] = Field(default_factory=list)
    cells: list[AuthorCell] = Field(default_factory=list)
    show: AuthorShow | None = None


class RegisterItem(Strict):
    id: Slug
    ref: Annotated[str, StringConstraints(min_length=1, max_length=80)]  # "Tabel 1", "Figuur 16", "§7.4"
    kind: Literal["tabel", "figuur", "conclusie"]
    title: ShortText
    status: RegisterStatus
    # The block that derives (afgeleid) or shows (gecodeerd) it.
    block: Slug | None = None
    # The author's finding or judgement in our own words; for gecodeerd conclusions this is the coded finding.
    author: ShortText | None = None
    compare: AuthorComparison | None = None
    # A derived result that cannot be set against the author's (and why).
    not_comparable: ShortText | None = None
    # Which cells were coded so that they agree with the author (they confirm nothing independently).
    coded_to_match: ShortText | None = None
    # Why an item is not taken over.
    reason: ShortText | None = None
    evidence: list[Evidence] = Field(min_length=1)


class Study(Strict):
    id: Slug
    title: ShortText
    language: Literal["nl", "en"] = "nl"
    source: Source
    unit_kinds: list[UnitKind] = Field(min_length=1)
    expectations: list[Expectation] = Field(default_factory=list)
    analysis: Analysis
    coding: CodingSettings | None = None
    source_notes: list[SourceNote] = Field(default_factory=list)
    reproduction: list[RegisterItem] = Field(default_factory=list)


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


class ReconciliationFile(Strict):
    decisions: list[Decision] = Field(default_factory=list)
