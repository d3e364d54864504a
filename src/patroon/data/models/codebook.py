"""The codebook: variables, their values and missing codes, reaction clusters and tactics."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, StringConstraints

from patroon.data.models.base import (
    Direction,
    Label,
    ShortText,
    Slug,
    Strict,
    VariableId,
)

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
    # The definition in a sentence for readers, in both report languages (every report's method section).
    summary: Label | None = None


class Tactic(Strict):
    """A tactic and its cluster. A tactic the source places in no cluster of its own (the compromise
    tactics: §3.4 counts a compromise as following or not by which side dominates) has no `cluster` but
    the clusters a period may take (`period_clusters`); such a period carries its judged cluster."""

    id: Slug
    strategy: Slug
    cluster: Slug | None = None
    period_clusters: list[Slug] = Field(default_factory=list)
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
    # The definition in a sentence for readers, in both report languages: a variable the method section of
    # every report explains (a study's explanatory factors) carries one.
    summary: Label | None = None
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
    # Headings for the variables' groups in the reports (group id -> label); a group without one is shown
    # by the label of the variable of that id, else by its last part in words.
    groups: dict[VariableId, Label] = Field(default_factory=dict)
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


