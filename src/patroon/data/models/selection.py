"""A selection of codebook variables by ids, group or id prefix: what blocks, propositions and their
measures work on."""

from __future__ import annotations

from pydantic import Field

from patroon.data.models.base import Strict, VariableId
from patroon.data.models.codebook import Codebook


class VariableSelection(Strict):
    """Variables by explicit ids, by group, or by id prefix (in codebook order)."""

    ids: list[VariableId] = Field(default_factory=list)
    group: VariableId | None = None
    groups: list[VariableId] = Field(default_factory=list)
    prefix: VariableId | None = None

    def select(self, codebook: Codebook, kind: str | None = None) -> list[str]:
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
