"""Measures and criteria on one row: a number (or None where the source leaves it unknown) and a test that
holds, fails or cannot be told (None). Unknown is never counted as either: a row whose value is a missing
code is named as unknown and left out of the share, so a missing code cannot confirm or refute."""

from __future__ import annotations

from dataclasses import dataclass

from patroon.analysis.propositions.frames import Rows, is_missing
from patroon.data.models import Count, Criterion, Measure, Position, RankIn, Share, VariableSelection
from patroon.data.study_data import StudyData


@dataclass
class Context:
    """What evaluating a row needs besides the row: the study, the rows' kind and the missing codes."""

    data: StudyData
    rows: Rows
    missing: set[str]

    def selected(self, selection: VariableSelection) -> list[str]:
        """The row columns a selection names (variables of the rows' kind, as the row calls them)."""
        return [self.rows.column(v) for v in selection.select(self.data.codebook, self.rows.kind)]

    def value(self, row: dict, column: str) -> object:
        return row.get(self.rows.column(column))

    def known(self, value: object) -> bool:
        return not is_missing(value, self.missing)


def number(value: object) -> float | None:
    """A cell as a number, or None (text, missing)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return None if value != value else float(value)
    if hasattr(value, "item"):
        return number(value.item())
    try:
        return float(str(value))
    except ValueError:
        return None


def _share(ctx: Context, row: dict, share: Share) -> float | None:
    parts = []
    for selection in share.of:
        values = [str(ctx.value(row, c)) for c in ctx.selected(selection) if ctx.known(ctx.value(row, c))]
        if share.among:
            values = [v for v in values if v in share.among]
        if not values:
            return None  # nothing known in one part: the mean would silently drop it
        hits = sum(v in share.values for v in values) + 0.5 * sum(v in share.half for v in values)
        parts.append(hits / len(values))
    return sum(parts) / len(parts)


def _count(ctx: Context, row: dict, count: Count) -> float | None:
    values = [ctx.value(row, c) for c in ctx.selected(count.of)]
    known = [str(v) for v in values if ctx.known(v) or str(v) in count.values]
    if not known:
        return None
    return float(sum(v in count.values for v in known))


def _position(ctx: Context, row: dict, position: Position) -> float | None:
    values = [str(ctx.value(row, c)) for c in ctx.selected(position.of)]
    both = sum(v in position.both for v in values)
    left = sum(v == position.left for v in values) + 0.5 * both
    right = sum(v == position.right for v in values) + 0.5 * both
    coded = left + right
    return (right - left) / coded if coded else None


def _rank_in(ctx: Context, row: dict, rank: RankIn) -> float | None:
    scores = {c: number(ctx.value(row, c)) for c in ctx.selected(rank.among)}
    own = number(ctx.value(row, rank.variable))
    scores = {c: s for c, s in scores.items() if s is not None}
    if own is None or not scores:
        return None
    higher = sum(s > own for c, s in scores.items() if c != ctx.rows.column(rank.variable))
    tied = sum(s == own for c, s in scores.items() if c != ctx.rows.column(rank.variable))
    return float(1 + higher + (tied if rank.ties == "worst" else 0))


def _scaled(ctx: Context, value: object, scale: dict[str, float]) -> float | None:
    """A category through the scale, a number as it is; None for anything else."""
    if str(value) in scale:
        return float(scale[str(value)])
    return None if not ctx.known(value) else number(value)


def measure(ctx: Context, row: dict, spec: Measure) -> float | None:
    """The measure's number for this row; None where it cannot be told."""
    if spec.column is not None:
        value = ctx.value(row, spec.column)
        if spec.order:
            return float(spec.order.index(str(value)) + 1) if str(value) in spec.order else None
        return _scaled(ctx, value, spec.scale)
    if spec.sum:
        terms = [_scaled(ctx, ctx.value(row, c), spec.scale) for c in spec.sum]
        if any(t is None for t in terms):
            return None
        return sum(weight * t for weight, t in zip(spec.sum.values(), terms))
    if spec.ratio:
        count, of = (_scaled(ctx, ctx.value(row, spec.ratio[k]), {}) for k in ("count", "of"))
        return count / of if count is not None and of else None
    if spec.share is not None:
        return _share(ctx, row, spec.share)
    if spec.count is not None:
        return _count(ctx, row, spec.count)
    if spec.position is not None:
        return _position(ctx, row, spec.position)
    return _rank_in(ctx, row, spec.rank_in)


def holds(ctx: Context, row: dict, criterion: Criterion) -> bool | None:
    """True, False, or None when a value it needs is unknown (and nothing else decides it)."""
    if criterion.all_of or criterion.any_of or criterion.none_of:
        results = []
        if criterion.all_of:
            parts = [holds(ctx, row, c) for c in criterion.all_of]
            results.append(False if False in parts else None if None in parts else True)
        if criterion.any_of:
            parts = [holds(ctx, row, c) for c in criterion.any_of]
            results.append(True if True in parts else None if None in parts else False)
        if criterion.none_of:
            parts = [holds(ctx, row, c) for c in criterion.none_of]
            results.append(False if True in parts else None if None in parts else True)
        return False if False in results else None if None in results else True
    if criterion.measure is not None or criterion.ranged:
        value = measure(ctx, row, criterion.measure) if criterion.measure is not None else \
            (number(ctx.value(row, criterion.column)) if ctx.known(ctx.value(row, criterion.column)) else None)
        if value is None:
            return None
        # Rounded like every reported number, so a share of exactly 2/3 meets at_least: 0.6667.
        return criterion.in_range(round(value, 4))
    value = ctx.value(row, criterion.column)
    if criterion.same_as is not None:
        other = ctx.value(row, criterion.same_as)
        if not ctx.known(value) or not ctx.known(other):
            return None
        return str(value) == str(other)
    if str(value) in criterion.values:
        return True
    return None if not ctx.known(value) else False
