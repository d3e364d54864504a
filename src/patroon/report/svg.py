"""Figures as plain SVG: grids of coloured cells with their value written in them, and reaction timelines.

Why not a plotting library: these figures are grids and bars, one or more per report, thousands at national
scale. Writing the few SVG elements directly costs microseconds per figure, gives the same bytes on every
machine (so unchanged reports stay unchanged), and the same file is embedded in the HTML and typeset by
Typst in the PDF. Every cell also carries its value as text, so the figure reads in grey print and for
colour-blind readers; every figure has a <title> and <desc> (alt text), also passed to the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "font-family:Helvetica,Arial,sans-serif"
CHAR = 6.2  # average advance of an 11px sans-serif character, for layout only
CELL_W, CELL_H = 54, 22

# Colours that stay distinct for the common colour-vision deficiencies (blue/orange based) and in grey.
VALUE_COLOURS = {
    "+": "#2c7bb6", "ja": "#2c7bb6", "met": "#2c7bb6",
    "-": "#d7191c", "nee": "#d7191c", "not_met": "#d7191c",
    "mixed": "#fdae61", "gemengd": "#fdae61", "partly_met": "#fdae61",
    "−": "#d7191c",
}
NEUTRAL = "#d9d9d9"
CLUSTER_COLOURS = ["#2c7bb6", "#d7191c", "#7f7f7f", "#fdae61", "#1a9641", "#984ea3"]


def _text_colour(fill: str) -> str:
    return "#ffffff" if fill in ("#2c7bb6", "#d7191c", "#7f7f7f", "#984ea3", "#1a9641") else "#000000"


def _width(text: str) -> float:
    return len(text) * CHAR


@dataclass
class Figure:
    name: str  # file stem, unique within a report
    alt: str
    svg: str


def _svg(width: float, height: float, alt: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" style="{FONT}">'
            f"<title>{escape(alt)}</title><desc>{escape(alt)}</desc>"
            f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>\n")


# Widest figure in CSS pixels: the text width of an A4 page with 2 cm margins (17 cm), where Typst places an
# SVG at 0.75 pt a pixel. A grid wider than this would be scaled down and its 10 px cell text printed below
# 7 pt; instead its cells are narrowed and their text shortened (the full value is in the cell's tooltip
# and in the table under the figure).
MAX_WIDTH = 640
MAX_LABEL = 38  # characters of a row label


def _shorten(text: str, width: float, scale: float = 1.0) -> str:
    """`text` cut (with an ellipsis) to what fits in `width` pixels."""
    fits = max(1, int(width / (CHAR * scale)))
    return text if len(text) <= fits else text[:max(1, fits - 1)].rstrip() + "…"


def grid(name: str, alt: str, row_labels: list[str], column_labels: list[str], cells: list[list[str]],
         colours: dict[str, str] | None = None, groups: list[str] | None = None,
         shown: list[list[str]] | None = None, fills: list[list[str]] | None = None) -> Figure:
    """Rows x columns of cells coloured by their value; `groups` (one per row) draws a band label when the
    group changes. `shown` overrides the text in a cell, `fills` its colour."""
    colours = {**VALUE_COLOURS, **(colours or {})}
    texts = shown or [[str(v) for v in row] for row in cells]
    full_labels = list(row_labels)
    row_labels = [_shorten(r, MAX_LABEL * CHAR) for r in row_labels]
    # Column labels too: long ones (a steering condition's full wording) made the grid wider than the A4
    # text, and scaled down to fit, its 10 px cell text fell under 7 pt. The full label is the tooltip.
    full_columns = list(column_labels)
    column_labels = [_shorten(c, MAX_LABEL * CHAR) for c in column_labels]
    cell_w = max([CELL_W] + [_width(t) * 0.9 + 10 for row in texts for t in row])  # 10px text fits
    left = max([_width(r) for r in row_labels] + [40]) + 12
    header = max([_width(c) for c in column_labels] + [20]) * 0.72 + 14  # labels at -45 degrees
    group_gap = 16 if groups else 0
    n_breaks = sum(1 for i, g in enumerate(groups or []) if i == 0 or g != groups[i - 1])
    room = (MAX_WIDTH - left - 16 - header * 0.7) / max(1, len(column_labels))
    cell_w = max(CELL_W, min(cell_w, room))
    width = left + cell_w * len(column_labels) + 16 + header * 0.7
    height = header + CELL_H * len(row_labels) + group_gap * n_breaks + 8
    body = []
    for j, column in enumerate(column_labels):
        x = left + cell_w * j + cell_w / 2
        body.append(f'<text x="{x:.1f}" y="{header - 6:.1f}" font-size="11" '
                    f'transform="rotate(-35 {x:.1f} {header - 6:.1f})"><title>{escape(full_columns[j])}</title>'
                    f'{escape(column)}</text>')
    y = header
    for i, label in enumerate(row_labels):
        if groups and (i == 0 or groups[i] != groups[i - 1]):
            y += group_gap
            body.append(f'<text x="2" y="{y - 4:.1f}" font-size="11" font-weight="bold">{escape(groups[i])}</text>')
        body.append(f'<text x="{left - 6:.1f}" y="{y + 15:.1f}" font-size="11" text-anchor="end">'
                    f'<title>{escape(full_labels[i])}</title>{escape(label)}</text>')
        for j, value in enumerate(cells[i]):
            fill = fills[i][j] if fills else colours.get(str(value), NEUTRAL)
            full = shown[i][j] if shown else str(value)
            text = _shorten(full, cell_w - 10, 0.9)
            x = left + cell_w * j
            body.append(f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2:.1f}" height="{CELL_H - 2}" '
                        f'fill="{fill}" stroke="#ffffff"/>')
            body.append(f'<text x="{x + cell_w / 2:.1f}" y="{y + 15:.1f}" font-size="10" text-anchor="middle" '
                        f'fill="{_text_colour(fill)}"><title>{escape(full)}</title>{escape(text)}</text>')
        y += CELL_H
    return Figure(name, alt, _svg(width, height, alt, body))


def share_fill(share: float | None) -> str:
    """White to blue by share (0..1); grey when unknown."""
    if share is None:
        return NEUTRAL
    share = max(0.0, min(1.0, float(share)))
    r, g, b = (int(255 + (t - 255) * share) for t in (44, 123, 182))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass
class Bar:
    start: int | None
    end: int | None
    label: str  # e.g. the tactics
    group: str  # e.g. the cluster; decides the colour


def place_periods(bars: list[Bar], first: int, last: int) -> list[tuple[float, float] | None]:
    """Where each of a row's bars lies on an axis of the years first..last (a bar from its start year to
    the end of its end year), in the row's order. A missing year is taken from the neighbouring period
    (a period ends where the next begins); what stays unknown is shared evenly between the nearest known
    years, so undated periods keep the order the case file gives them, inside the axis. A bar wholly
    outside the axis is None."""
    n = len(bars)
    if n == 0:
        return []
    starts = [float(b.start) if b.start is not None else None for b in bars]
    ends = [float(b.end + 1) if b.end is not None else None for b in bars]
    bounds: list[float | None] = [None] * (n + 1)
    bounds[0] = starts[0] if starts[0] is not None else float(first)
    bounds[n] = ends[-1] if ends[-1] is not None else float(last + 1)
    for i in range(1, n):
        bounds[i] = starts[i] if starts[i] is not None else ends[i - 1]
    known = [i for i, b in enumerate(bounds) if b is not None]
    for i in range(n + 1):
        if bounds[i] is None:
            before = max(k for k in known if k < i)
            after = min(k for k in known if k > i)
            low, high = bounds[before], bounds[after]
            bounds[i] = low + (high - low) * (i - before) / (after - before)
    placed: list[tuple[float, float] | None] = []
    for i in range(n):
        x0 = starts[i] if starts[i] is not None else bounds[i]
        x1 = ends[i] if ends[i] is not None else bounds[i + 1]
        x0, x1 = max(x0, float(first)), min(max(x1, x0), float(last + 1))
        placed.append((x0, x1) if x1 > x0 else None)
    return placed


def timeline(name: str, alt: str, rows: list[tuple[str, list[Bar]]], group_order: list[str],
             group_labels: dict[str, str], period: tuple[int | None, int | None] = (None, None)) -> Figure:
    """One line per row (unit), one bar per period, coloured by group (cluster), over the study period
    (`period`; a missing bound from the years in the rows). A period without a start or end year is placed
    by `place_periods` and drawn with a dashed border, so unknown is not drawn as known; a period outside
    the study period is left out (the caller names it)."""
    years = [y for _, bars in rows for b in bars for y in (b.start, b.end) if y is not None]
    first = period[0] if period[0] is not None else (min(years) if years else 0)
    last = period[1] if period[1] is not None else (max(years) if years else first + 1)
    if first >= last:
        last = first + 1
    span = last + 1 - first
    left = max([_width(label) for label, _ in rows] + [40]) + 12
    axis_w = max(320, 46 * span)
    legend_h = 22
    height = legend_h + 24 + 26 * len(rows) + 8
    width = left + axis_w + 20
    colours = {g: CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)] for i, g in enumerate(group_order)}

    def x_of(year: float) -> float:
        return left + (year - first) / span * axis_w

    body = []
    x = 2.0
    for group in group_order:
        body.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{colours[group]}"/>')
        text = group_labels.get(group, group)
        body.append(f'<text x="{x + 16:.1f}" y="14" font-size="11">{escape(text)}</text>')
        x += 16 + _width(text) + 14
    top = legend_h + 20
    for year in range(first, last + 1):
        xx = x_of(year)
        body.append(f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{height - 6}" stroke="#e0e0e0"/>')
        body.append(f'<text x="{xx + 2:.1f}" y="{top - 8}" font-size="10">{year}</text>')
    for i, (label, bars) in enumerate(rows):
        y = top + 26 * i
        body.append(f'<text x="{left - 6:.1f}" y="{y + 15:.1f}" font-size="11" text-anchor="end">{escape(label)}</text>')
        for bar, place in zip(bars, place_periods(bars, first, last)):
            if place is None:
                continue
            fill = colours.get(bar.group, NEUTRAL)
            dashed = ' stroke="#000000" stroke-dasharray="3,2"' if bar.start is None or bar.end is None else ""
            bx, bw = x_of(place[0]), max(4.0, x_of(place[1]) - x_of(place[0]) - 2)
            body.append(f'<rect x="{bx:.1f}" y="{y + 2}" width="{bw:.1f}" height="18" fill="{fill}"{dashed}>'
                        f"<title>{escape(bar.label)}</title></rect>")
            if _width(bar.label) < bw - 4:
                body.append(f'<text x="{bx + 4:.1f}" y="{y + 15:.1f}" font-size="10" '
                            f'fill="{_text_colour(fill)}">{escape(bar.label)}</text>')
    return Figure(name, alt, _svg(width, height, alt, body))


def continuum(name: str, alt: str, positions: list[tuple[str, float]], left_label: str, right_label: str) -> Figure:
    """Cases as points on a line from -1 (left pole) to +1 (right pole)."""
    width, axis_l, axis_r = 520, 70, 450
    height = 60 + 18 * len(positions)
    body = [f'<line x1="{axis_l}" y1="40" x2="{axis_r}" y2="40" stroke="#000000"/>',
            f'<text x="{axis_l}" y="20" font-size="11" text-anchor="middle">{escape(left_label)} (−1)</text>',
            f'<text x="{axis_r}" y="20" font-size="11" text-anchor="middle">{escape(right_label)} (+1)</text>',
            f'<line x1="{(axis_l + axis_r) / 2}" y1="34" x2="{(axis_l + axis_r) / 2}" y2="46" stroke="#000000"/>']
    for i, (label, position) in enumerate(positions):
        x = axis_l + (position + 1) / 2 * (axis_r - axis_l)
        y = 58 + 18 * i
        body.append(f'<line x1="{x:.1f}" y1="40" x2="{x:.1f}" y2="{y - 4}" stroke="#9e9e9e"/>')
        body.append(f'<circle cx="{x:.1f}" cy="40" r="5" fill="{CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)]}"/>')
        body.append(f'<text x="{x:.1f}" y="{y + 6}" font-size="11" text-anchor="middle">'
                    f"{escape(label)} ({position:+.2f})</text>")
    return Figure(name, alt, _svg(width, height, alt, body))
