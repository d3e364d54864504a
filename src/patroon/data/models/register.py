"""The reproduction register of study.yaml: every table, figure and conclusion of the source, and how
the pipeline compares it with the author's."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from patroon.data.models.base import Column, ShortText, Slug, Strict
from patroon.data.models.cases import Evidence

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
    # The block that derives (afgeleid) or shows (gecodeerd) it, or the proposition that tests it.
    block: Slug | None = None
    proposition: Slug | None = None
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
