"""Figures as plain SVG: grids of coloured cells with their value written in them, and reaction timelines.

Why not a plotting library: these figures are grids and bars, one or more per report, thousands at national
scale. Writing the few SVG elements directly costs microseconds per figure, gives the same bytes on every
machine (so unchanged reports stay unchanged), and the same file is embedded in the HTML and typeset by
Typst in the PDF. Every cell also carries its value as text, so the figure reads in grey print and for
colour-blind readers; every figure has a <title> and <desc> (alt text), also passed to the report.
"""

from __future__ import annotations

import math
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
    # A figure taller than a page goes on in further parts (each with its header): <name>-2.svg, ...
    more: tuple[str, ...] = ()


def _svg(width: float, height: float, alt: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" style="{FONT}">'
            f"<title>{escape(alt)}</title><desc>{escape(alt)}</desc>"
            f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>\n")


# Widest figure in CSS pixels: the text width of an A4 page with 2 cm margins (17 cm), where Typst places an
# SVG at 0.75 pt a pixel. A grid wider than this would be scaled down and its 10 px cell text printed below
# 7 pt; instead its cells are narrowed and their text wrapped onto more lines (labels are never cut short).
MAX_WIDTH = 640
MAX_LABEL = 60  # characters of a row label's line, at most
MIN_LABEL = 24  # ... and at least (the row labels get the room the cells leave)
# Tallest figure in CSS pixels: an A4 page's text height (24.7 cm) less room for the caption. A taller grid
# goes on in a further part with its header, as a long table does.
MAX_HEIGHT = 860
UPRIGHT_CELL = 110  # px: a column this wide holds an upright label of up to three lines
COLUMN_LABEL = 24  # characters of a (slanted) column label's line
LINE_H = 13  # px from one line of 11 px label text to the next
CELL_LINE_H = 12  # the same for 10 px cell text
SLANT = 35  # degrees the column labels rise
_COS, _SIN = math.cos(math.radians(SLANT)), math.sin(math.radians(SLANT))


def wrap(text: str, width: float, scale: float = 1.0) -> list[str]:
    """`text` in lines of at most `width` pixels, broken between words only (a word longer than the width
    gets a line of its own: the caller sizes boxes for the longest word)."""
    lines: list[str] = []
    line = ""
    for word in str(text).split():
        candidate = f"{line} {word}" if line else word
        if line and _width(candidate) * scale > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line] if line or not lines else lines


def _lines(x: float, lines: list[str], step: float) -> str:
    """tspans of `lines`, each starting at x, the first at dy 0 from the text's y and the next `step` lower."""
    return "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else step}">{escape(line)}</tspan>'
                   for i, line in enumerate(lines))


def grid(name: str, alt: str, row_labels: list[str], column_labels: list[str], cells: list[list[str]],
         colours: dict[str, str] | None = None, groups: list[str] | None = None,
         shown: list[list[str]] | None = None, fills: list[list[str]] | None = None) -> Figure:
    """Rows x columns of cells coloured by their value; `groups` (one per row) draws a band label when the
    group changes. `shown` overrides the text in a cell, `fills` its colour. Labels and cell texts that do
    not fit on one line wrap onto more, and their row grows; nothing is cut short. Column labels stand
    upright above their column when they fit it in three lines, else they rise at an angle."""
    colours = {**VALUE_COLOURS, **(colours or {})}
    texts = shown or [[str(v) for v in row] for row in cells]
    n = max(1, len(column_labels))
    widest_word = max([_width(w) * 0.9 + 10 for row in texts for t in row for w in str(t).split()] + [CELL_W])
    one_line = max([CELL_W] + [_width(t) * 0.9 + 10 for row in texts for t in row])
    upright_w = max(widest_word, min(one_line, UPRIGHT_CELL))
    upright = all(len(wrap(c, upright_w - 6)) <= 3 and max(_width(w) for w in c.split() or [""]) <= upright_w - 6
                  for c in column_labels) and n * upright_w <= MAX_WIDTH / 2
    if upright:
        column_lines = [wrap(c, upright_w - 6) for c in column_labels]
        header = max([len(ls) for ls in column_lines] + [1]) * LINE_H + 8
        reach = 0.0
        cell_w = upright_w
    else:
        column_lines = [wrap(c, COLUMN_LABEL * CHAR) for c in column_labels]
        # A slanted label of width w and k lines rises w·sin + k·LINE_H·cos above its column's foot and
        # reaches w·cos + k·LINE_H·sin to the right of it.
        header = max([_width(max(ls, key=_width)) * _SIN + len(ls) * LINE_H * _COS for ls in column_lines] + [20]) + 10
        reach = max([_width(max(ls, key=_width)) * _COS + len(ls) * LINE_H * _SIN for ls in column_lines] + [20])
        cell_w = one_line
    # Row labels take the room the cells leave (a few wide columns leave a lot), within bounds.
    label_room = MAX_WIDTH - 20 - n * max(CELL_W, min(cell_w, (MAX_WIDTH - 20 - MIN_LABEL * CHAR - reach) / n)) - reach
    row_lines = [wrap(r, max(MIN_LABEL * CHAR, min(MAX_LABEL * CHAR, label_room))) for r in row_labels]
    left = max([_width(line) for lines in row_lines for line in lines] + [40]) + 12
    room = (MAX_WIDTH - left - 8 - max(0.0, reach - CELL_W / 2)) / n
    cell_w = max(widest_word, min(cell_w, room))
    cell_lines = [[wrap(t, cell_w - 10, 0.9) for t in row] for row in texts]
    heights = [max([CELL_H, len(label) * LINE_H + 9] + [len(ls) * CELL_LINE_H + 10 for ls in row])
               for label, row in zip(row_lines, cell_lines)]
    group_gap = 16 if groups else 0
    width = left + cell_w * (n - 0.5) + max(cell_w / 2, reach) + 8
    head = []
    for j, lines in enumerate(column_lines):
        x, y = left + cell_w * j + cell_w / 2, header - 6
        if upright:
            head.append(f'<text x="{x:.1f}" y="{y - (len(lines) - 1) * LINE_H:.1f}" font-size="11" '
                        f'text-anchor="middle">{_lines(x, lines, LINE_H)}</text>')
        else:
            # The last line sits at the column's foot; the ones before it above, in the slanted frame.
            head.append(f'<text x="{x:.1f}" y="{y - (len(lines) - 1) * LINE_H:.1f}" font-size="11" '
                        f'transform="rotate(-{SLANT} {x:.1f} {y:.1f})">{_lines(x, lines, LINE_H)}</text>')
    parts: list[str] = []
    body: list[str] = []
    y = header
    for i, (lines, row_height) in enumerate(zip(row_lines, heights)):
        starts_group = bool(groups) and (i == 0 or groups[i] != groups[i - 1])
        if body and y + row_height + (group_gap if starts_group else 0) + 8 > MAX_HEIGHT:
            parts.append(_svg(width, y + 8, alt, head + body))
            body, y = [], header
        if groups and (starts_group or not body):
            y += group_gap
            body.append(f'<text x="2" y="{y - 4:.1f}" font-size="11" font-weight="bold">{escape(groups[i])}</text>')
        top = y + (row_height - len(lines) * LINE_H) / 2 + 10
        body.append(f'<text x="{left - 6:.1f}" y="{top:.1f}" font-size="11" text-anchor="end">'
                    f'{_lines(left - 6, lines, LINE_H)}</text>')
        for j, value in enumerate(cells[i]):
            fill = fills[i][j] if fills else colours.get(str(value), NEUTRAL)
            x = left + cell_w * j
            body.append(f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2:.1f}" height="{row_height - 2}" '
                        f'fill="{fill}" stroke="#ffffff"/>')
            text_lines = cell_lines[i][j]
            text_top = y + (row_height - len(text_lines) * CELL_LINE_H) / 2 + 9
            body.append(f'<text x="{x + cell_w / 2:.1f}" y="{text_top:.1f}" font-size="10" text-anchor="middle" '
                        f'fill="{_text_colour(fill)}">{_lines(x + cell_w / 2, text_lines, CELL_LINE_H)}</text>')
        y += row_height
    parts.append(_svg(width, y + 8, alt, head + body))
    return Figure(name, alt, parts[0], tuple(parts[1:]))


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


MARKER_R = 5


def continuum(name: str, alt: str, positions: list[tuple[str, float]], left_label: str, right_label: str) -> Figure:
    """Cases as points on a line from -1 (left pole) to +1 (right pole); each label (which the caller writes
    with the position in the reader's number format) on a line of its own under the axis, joined to its
    point. Points closer than a marker's width are stacked above the axis, not drawn over each other."""
    left_w, right_w = _width(left_label), _width(right_label)
    label_w = max([_width(label) for label, _ in positions] + [0])
    axis_l = max(70.0, left_w / 2 + 6, label_w / 2 + 6)
    axis_len = 380.0
    axis_r = axis_l + axis_len
    width = axis_r + max(70.0, right_w / 2 + 6, label_w / 2 + 6)
    order = sorted(range(len(positions)), key=lambda i: positions[i][1])
    # Lanes above the axis: a point goes to the lowest lane where it keeps a marker's width from the others.
    lane_of: dict[int, int] = {}
    placed: list[tuple[float, int]] = []
    for i in order:
        x = axis_l + (positions[i][1] + 1) / 2 * axis_len
        lane = 0
        while any(lane == other_lane and abs(x - other_x) < 2 * MARKER_R + 2 for other_x, other_lane in placed):
            lane += 1
        lane_of[i] = lane
        placed.append((x, lane))
    lanes = max(lane_of.values(), default=0)
    axis_y = 40 + lanes * (2 * MARKER_R + 2)
    height = axis_y + 20 + 18 * len(positions)
    body = [f'<line x1="{axis_l:.1f}" y1="{axis_y}" x2="{axis_r:.1f}" y2="{axis_y}" stroke="#000000"/>',
            f'<text x="{axis_l:.1f}" y="20" font-size="11" text-anchor="middle">{escape(left_label)}</text>',
            f'<text x="{axis_r:.1f}" y="20" font-size="11" text-anchor="middle">{escape(right_label)}</text>',
            f'<line x1="{axis_l + axis_len / 2:.1f}" y1="{axis_y - 6}" x2="{axis_l + axis_len / 2:.1f}" '
            f'y2="{axis_y + 6}" stroke="#000000"/>']
    for row, (label, position) in enumerate(positions):
        x = axis_l + (position + 1) / 2 * axis_len
        y = axis_y + 18 + 18 * row
        cy = axis_y - lane_of[row] * (2 * MARKER_R + 2)
        body.append(f'<line x1="{x:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y - 4}" stroke="#9e9e9e"/>')
        body.append(f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="{MARKER_R}" '
                    f'fill="{CLUSTER_COLOURS[row % len(CLUSTER_COLOURS)]}" stroke="#ffffff"/>')
        body.append(f'<text x="{x:.1f}" y="{y + 6}" font-size="11" text-anchor="middle">{escape(label)}</text>')
    return Figure(name, alt, _svg(width, height, alt, body))
