"""Propositions in study.yaml: what a study expects, as a predicted pattern over its own cases or units.

A proposition names the rows it is about (`over`: the units, or the cases of one kind), optionally which of
them (`where`), a pattern of one of six general types, and the thresholds that turn the observed statistic
into a verdict. Where the source states its own verdict, `author` holds it with where the source says so.
Nothing here names a study: the columns are the study's own (a codebook variable, or a column of the unit
or case table), checked against them by `patroon.data.proposition_checks`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from patroon.data.models.base import Label, ShortText, Slug, Strict, VariableId
from patroon.data.models.cases import Evidence
from patroon.data.models.selection import VariableSelection

# A column of the rows a proposition is about: a codebook variable (ids may hold dots) or a column of the
# unit or case table (snake_case).
ColumnRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=80)]
VERDICTS = ("bevestigd", "deels", "verworpen", "niet-te-toetsen")
UNITS = "units"  # `over: units`: the units of a study with organisations


# -------------------------------------------------------------------------------------------- measures


class Share(Strict):
    """The share of the row's selected variables whose value is in `values` (`half` counts one half), among
    its known values (missing codes left out), or among the values in `among` only. Several selections:
    the mean of their shares."""

    of: list[VariableSelection] = Field(min_length=1)
    values: list[Code] = Field(min_length=1)
    half: list[Code] = Field(default_factory=list)
    among: list[Code] = Field(default_factory=list)


class Count(Strict):
    """How many of the row's selected variables have a value in `values`."""

    of: VariableSelection
    values: list[Code] = Field(min_length=1)


class Position(Strict):
    """The row's position between two poles over its selected variables, (right - left) / coded, from -1
    to +1; a value in `both` counts one half for each pole (the rule of the continuum block)."""

    of: VariableSelection
    left: Code
    right: Code
    both: list[Code] = Field(default_factory=list)


class RankIn(Strict):
    """The competition rank (1 = highest) of one variable's number among the row's selected variables.
    `ties: best` gives tied variables the best of their places (two tied first are both 1); `worst` the
    last (both 2), so rank 1 under `worst` means first on its own."""

    variable: VariableId
    among: VariableSelection
    ties: Literal["best", "worst"] = "best"


class Measure(Strict):
    """A number per row, from exactly one of: a column (numbers as they are; categories by their place in
    `order`, 1 for the first, or by the number `scale` gives them), a weighted sum of columns (categories
    through `scale`), a share, a count, a position, a rank."""

    column: ColumnRef | None = None
    order: list[Code] = Field(default_factory=list)
    sum: dict[ColumnRef, float] = Field(default_factory=dict)
    scale: dict[Code, float] = Field(default_factory=dict)
    # One numeric column divided by another (board members choosing a value, of all board members).
    ratio: dict[Literal["count", "of"], ColumnRef] = Field(default_factory=dict)
    share: Share | None = None
    count: Count | None = None
    position: Position | None = None
    rank_in: RankIn | None = None
    # How the report names the measure (a column's own label is used without it).
    label: Label | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "Measure":
        sources = ("column", "sum", "ratio", "share", "count", "position", "rank_in")
        given = [name for name in sources if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of " + ", ".join(sources) + (f"; got {', '.join(given)}" if given else ""))
        if self.ratio and set(self.ratio) != {"count", "of"}:
            raise ValueError("`ratio` needs both `count` and `of`")
        if self.order and self.column is None:
            raise ValueError("`order` ranks the values of a `column`")
        if self.scale and self.column is None and not self.sum:
            raise ValueError("`scale` gives the categories of a `column` or of the columns of a `sum` a number")
        if self.scale and self.order:
            raise ValueError("give `order` or `scale`, not both")
        return self


# ------------------------------------------------------------------------------------------ criteria


class Criterion(Strict):
    """A test of one row: it holds, it fails, or it cannot be told (a value the source leaves unknown).

    column + values      the row's value is one of `values`
    column + same_as     the row's value equals that of another column
    measure + at_least / at_most / above / below   the measure lies in that range (a numeric column too)
    all_of / any_of / none_of      several criteria together
    """

    column: ColumnRef | None = None
    values: list[Code] = Field(default_factory=list)
    same_as: ColumnRef | None = None
    measure: Measure | None = None
    at_least: float | None = None
    at_most: float | None = None
    above: float | None = None
    below: float | None = None
    all_of: list["Criterion"] = Field(default_factory=list)
    any_of: list["Criterion"] = Field(default_factory=list)
    none_of: list["Criterion"] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_test(self) -> "Criterion":
        combined = bool(self.all_of or self.any_of or self.none_of)
        if combined and (self.column or self.measure):
            raise ValueError("combine criteria with all_of/any_of/none_of, or test one column or measure, not both")
        if not combined and (self.column is None) == (self.measure is None):
            raise ValueError("test one `column` or one `measure` (or combine criteria with all_of/any_of/none_of)")
        ranged = self.ranged
        if self.measure is not None and not ranged:
            raise ValueError("a `measure` needs at_least, at_most, above and/or below")
        if self.column is not None and sum((bool(self.values), self.same_as is not None, ranged)) != 1:
            raise ValueError("a `column` needs one of: values, same_as, a range (at_least, at_most, above, below)")
        return self

    @property
    def ranged(self) -> bool:
        return any(bound is not None for bound in (self.at_least, self.at_most, self.above, self.below))

    def in_range(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most) \
            and (self.above is None or value > self.above) and (self.below is None or value < self.below)


# ------------------------------------------------------------------------------------------- patterns


class Association(Strict):
    """Two categorical columns go together: Cramér's V of their table (for two values each, phi; signed
    when `together` names the pair of values a positive association puts together)."""

    type: Literal["association"]
    rows: ColumnRef
    columns: ColumnRef
    together: dict[Literal["rows", "columns"], Code] = Field(default_factory=dict)


class Alternative(Strict):
    """Another way of scoring the rows, to show how the order changes (a sensitivity line)."""

    label: Label
    x: Measure


class Rank(Strict):
    """The rows ordered by `x` are ordered the same way by `y` (Spearman's rho with average ranks for
    ties; `direction: negative` expects the opposite order). The order is shown with its ties."""

    type: Literal["rank"]
    x: Measure
    y: Measure
    direction: Literal["positive", "negative"] = "positive"
    sensitivity: list[Alternative] = Field(default_factory=list)


class ShareOfRows(Strict):
    """The share (or count) of rows for which `condition` holds; or, with `total`, one column's sum over
    the rows against another's (e.g. board members choosing a value, of all board members)."""

    type: Literal["share"]
    condition: Criterion | None = None
    total: dict[Literal["count", "of"], ColumnRef] = Field(default_factory=dict)
    statistic: Literal["share", "count"] = "share"

    @model_validator(mode="after")
    def _what(self) -> "ShareOfRows":
        if (self.condition is None) == (not self.total):
            raise ValueError("give either `condition` (rows meeting it) or `total` ({count: column, of: column})")
        if self.total and set(self.total) != {"count", "of"}:
            raise ValueError("`total` needs both `count` and `of`")
        return self


class Items(Strict):
    """What a row holds: the values of its selected variables, or (a case of a study with organisations)
    the values of one unit column over its units."""

    variables: VariableSelection | None = None
    units: ColumnRef | None = None

    @model_validator(mode="after")
    def _one(self) -> "Items":
        if (self.variables is None) == (self.units is None):
            raise ValueError("give either `variables` or `units`")
        return self


class CoOccurrence(Strict):
    """Within each row, its items hold values of every set in `together` (at least one item each), and/or
    at least `distinct` different values. The statistic is the share of rows where they do."""

    type: Literal["co-occurrence"]
    items: Items
    together: list[list[Code]] = Field(default_factory=list)
    distinct: int | None = Field(default=None, ge=2)

    @model_validator(mode="after")
    def _some(self) -> "CoOccurrence":
        if not self.together and self.distinct is None:
            raise ValueError("give `together` (sets of values that co-occur) and/or `distinct`")
        return self


class Difference(Strict):
    """The rows meeting `high` score higher on `measure` than those meeting `low`: the difference of the
    group means, or (`statistic: gap`) the lowest of `high` minus the highest of `low`."""

    type: Literal["difference"]
    measure: Measure
    high: Criterion
    low: Criterion
    statistic: Literal["mean", "gap"] = "mean"


class Rule(Strict):
    """A value predicted per row: the first rule whose `when` holds, else `default`."""

    value: Code
    when: Criterion
    because: Label | None = None


class Check(Strict):
    """For the rows meeting `when` (all rows without it), `then` must hold."""

    label: Label | None = None
    when: Criterion | None = None
    then: Criterion


class Prediction(Strict):
    """Predicted against observed per row. Either a column holding the prediction (`predicted`), the
    rules that predict it (`rules`, `default`), or `checks` that must hold for named rows. The statistic
    is the share of predictions that hold; the rows where one fails are named."""

    type: Literal["rule"]
    observed: ColumnRef | None = None
    predicted: ColumnRef | None = None
    rules: list[Rule] = Field(default_factory=list)
    default: Code | None = None
    checks: list[Check] = Field(default_factory=list)
    # Columns shown beside each row that deviates (e.g. the judgements the prediction rests on).
    show: list[ColumnRef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mode(self) -> "Prediction":
        predicts = self.predicted is not None or bool(self.rules)
        if self.checks and (predicts or self.observed is not None):
            raise ValueError("give `checks`, or `observed` with `predicted` or `rules`, not both")
        if not self.checks and (self.observed is None or not predicts):
            raise ValueError("give `observed` and either `predicted` (a column) or `rules`; or give `checks`")
        if self.predicted is not None and self.rules:
            raise ValueError("give `predicted` (a column) or `rules`, not both")
        return self


Pattern = Annotated[Association | Rank | ShareOfRows | CoOccurrence | Difference | Prediction,
                    Field(discriminator="type")]


# ------------------------------------------------------------------------------------------- verdicts


class Range(Strict):
    at_least: float | None = None
    at_most: float | None = None
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> "Range":
        if all(bound is None for bound in (self.at_least, self.at_most, self.above, self.below)):
            raise ValueError("give at_least, at_most, above and/or below")
        return self

    def holds(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most) \
            and (self.above is None or value > self.above) and (self.below is None or value < self.below)


class Thresholds(Strict):
    """Where the statistic must lie for each verdict; outside both ranges it is `verworpen`."""

    bevestigd: Range
    deels: Range | None = None


class AuthorVerdict(Strict):
    """The source's own verdict on the proposition, in its words, and where it says so."""

    verdict: Literal["bevestigd", "deels", "verworpen"]
    states: ShortText
    evidence: list[Evidence] = Field(min_length=1)
    # Why our computed verdict differs from the author's, when it does (shown only then).
    differs: ShortText | None = None


class Proposition(Strict):
    id: Slug
    number: int | None = None  # the source's own numbering, where it has one (verwachting 1-4)
    label: Label
    statement: ShortText  # what the source expects or concludes
    predicted: ShortText | None = None  # the predicted pattern in words
    reading: ShortText | None = None  # how the claim is read for this test, where it admits several readings
    over: Slug  # 'units', or a case kind of the study
    # Also a row 'totaal': every numeric column summed over the rows (a thesis's Totaal column); pick it
    # with `where: {column: case_id, values: [totaal]}`.
    totals: bool = False
    where: Criterion | None = None
    pattern: Pattern
    verdict: Thresholds
    author: AuthorVerdict | None = None
    # The agreement holds only because a value was coded from the author's own sentence (and why).
    circular: ShortText | None = None
