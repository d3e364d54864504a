"""study.yaml: the source, case kinds, propositions and analysis settings (blocks, QCA, coding)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from patroon.data.models.base import Column, Label, ShortText, Slug, Strict, VariableId
from patroon.data.models.cases import Evidence, SourceNote
from patroon.data.models.propositions import ColumnRef, Proposition
from patroon.data.models.register import RegisterItem
from patroon.data.models.selection import VariableSelection

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
    # every report's colophon says it. Without it the colophon says nothing about names.
    names: Label | None = None


class UnitKind(Strict):
    kind: Slug
    plural: Slug
    role: Literal["case", "organisation"]
    label: Label
    # The plural noun in each language ("inkoopregio's"): counts in report sentences read "3 inkoopregio's"
    # (the locale's plural rule picks label or plural_label). Without it a count reads "Inkoopregio: 3".
    plural_label: Label | None = None


class StudyPeriod(Strict):
    """The years the study observed. Timelines run over these years: a reaction period without a year
    is placed inside them, one that lies outside them is named beside the figure instead of drawn."""

    start: int | None = None
    end: int | None = None


class Requirement(Strict):
    """`variable` must have one of `values` (for a case: the coded value of that case)."""

    variable: VariableId
    values: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(min_length=1)




class ConditionRequirement(Requirement):
    """A requirement of a steering condition; `partly`: the values that meet it in part (a 'mixed', 'deels')."""

    partly: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(default_factory=list)


class SteeringCondition(Strict):
    """Met when every requirement has one of its `values`; partly met when every requirement has one of its
    `values` or `partly` values (and not all are met); otherwise not met (§2.5 frames the conditions as
    conjunctions: partly met means every part holds at least in part)."""

    id: Slug
    label: Label
    all_of: list[ConditionRequirement] = Field(min_length=1)


class PredictionRule(Strict):
    """First rule whose requirements all hold (and at least `min_plus` of `count_plus` are '+') wins."""

    cluster: Slug
    all_of: list[Requirement] = Field(default_factory=list)
    count_plus: list[VariableId] = Field(default_factory=list)
    min_plus: int = 0
    because: Label


class CrossTabGroup(Strict):
    """One column of a cross-tab that merges codes of its column variable (the source's own grouping)."""

    id: Slug
    label: Label
    codes: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(min_length=1)


class AuthorCounts(Strict):
    """The source's own counts for the cells of a cross-tab (row value -> column -> count), entered from
    the source so that the derived counts can be set beside them; never used to compute anything."""

    ref: Annotated[str, StringConstraints(min_length=1, max_length=80)]  # "Tabel 3.2"
    cells: dict[Annotated[str, StringConstraints(min_length=1, max_length=80)],
                dict[Annotated[str, StringConstraints(min_length=1, max_length=80)], int]] = Field(min_length=1)
    note: Label | None = None  # how the source's rows and columns map onto ours


class CrossTab(Strict):
    id: Slug
    rows: Column
    columns: Column
    label: Label
    # Columns as the source groups them (e.g. Tabel 3.2's 'groot marktaandeel' = dominant); codes not in
    # any group are left out of the table.
    column_groups: list[CrossTabGroup] = Field(default_factory=list)
    author: AuthorCounts | None = None


Membership = Literal[0, 1, "exclude"]


class QcaSettings(Strict):
    """Crisp-set QCA over the units (`over: units`, the default in a study with organisations) or over the
    cases of one kind (the default in a study of cases only: its first kind). Conditions and outcome are
    columns of those rows: a codebook variable, or a column of the unit or case table."""

    over: Slug | None = None
    outcome: Slug
    outcome_column: ColumnRef
    outcome_value: ShortText
    conditions: list[ColumnRef] = Field(min_length=1)
    consistency_threshold: float = Field(default=1.0, ge=0.5, le=1.0)
    # Truth-table rows with fewer cases are treated as remainders (R's n.cut).
    frequency_cutoff: int = Field(default=1, ge=1)
    # Also analyse the absence of the outcome (~outcome).
    negated_outcome: bool = False
    # The calibration of every condition: each coded value and its crisp membership (1 in the set, 0 out of
    # it, "exclude": the case is left out of the analysis). Every value that occurs must be listed.
    calibration: dict[ColumnRef, dict[ShortText, Membership]]
    # The value that favours the outcome per condition ("+": presence, "-": absence, "0": no expectation),
    # for the intermediate solution. A condition that is a codebook variable and is not listed here takes
    # its expectation from the codebook's directions of the values calibrated as 1.
    directional_expectations: dict[ColumnRef, Literal["+", "-", "0"]] = Field(default_factory=dict)
    # Robustness table: the solutions under every combination of these memberships for these values
    # (e.g. mixed: [0, 1], onbekend: [0, 1, exclude]), in every condition that uses the value.
    robustness: dict[ShortText, list[Membership]] = Field(default_factory=dict)


# ------------------------------------------------------------------------------ general building blocks
# Study-specific cross-case analysis is declared from these few blocks; each works on the case files of
# one kind, on the variables it selects, and writes one table `results/<study>/tables/<id>.csv`.


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
    # Without it: from the earliest year in the reactions to the year the source appeared.
    study_period: StudyPeriod | None = None
    # Contract column (units.csv) -> codebook variable, so code never names a study's variables.
    unit_columns: dict[Column, VariableId] = Field(default_factory=dict)
    # A case's steering counts as adequate when at least this share of the conditions is met.
    steering_adequate_at: float = Field(default=0.5, ge=0, le=1)
    crosstabs: list[CrossTab] = Field(default_factory=list)
    profile_groups: list[VariableId] = Field(default_factory=list)
    profile_variables: list[VariableId] = Field(default_factory=list)
    # The unit variable (codes ja/nee) that codes the tension between determining factors as the case
    # chapters describe it; the units.csv column `opposing_forces` is taken from it. Without it the column
    # is our own construct: 'ja' when the profile groups hold both a '+' and a '-' (see derive).
    opposing_forces: VariableId | None = None
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




class Study(Strict):
    id: Slug
    title: ShortText
    # The report language of this study; unset: config/config.yaml's `language`. `--language` on the
    # command line overrides both. The loader fills it in, so code downstream always reads a language.
    language: Literal["nl", "en"] | None = None
    source: Source
    # The source's research question (its central question, in its own words; `en` our translation): every
    # report's introduction opens with it.
    question: Label | None = None
    unit_kinds: list[UnitKind] = Field(min_length=1)
    # What the study expects or its source concludes, each as a predicted pattern with its verdict.
    propositions: list[Proposition] = Field(default_factory=list)
    analysis: Analysis
    coding: CodingSettings | None = None
    source_notes: list[SourceNote] = Field(default_factory=list)
    reproduction: list[RegisterItem] = Field(default_factory=list)

