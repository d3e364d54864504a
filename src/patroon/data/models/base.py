"""Shared building blocks of the file formats: slugs, labels, and models that refuse unknown keys."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

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


