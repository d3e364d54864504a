"""Column widths of a printed table, computed from its content before Typst sees it, and whether the
table needs a landscape page.

Left to itself, Typst sizes `auto` columns by their content and, when they do not fit, shrinks the widest
ones until a long word no longer fits its column: the word then runs into the next cell, or (with a rule
that allows it) breaks between any two letters ("zorgverz ekeraar"). So the widths are decided here, from
the text of every cell, the way a typesetter would:

- every column is at least as wide as its longest unbreakable piece of text (a word; a very long word
  only up to `HYPHENATABLE` characters, because Dutch and English hyphenation patterns break compounds
  such as "samenwerkingsverband" at a syllable, with a hyphen);
- the room left over goes to the columns in proportion to how much more they would like (their longest
  cell on one line), as browsers do for an automatic table layout;
- a table whose minimum widths do not fit the A4 portrait text width is printed on a landscape page, and
  so is one that portrait would squeeze (many columns, one of them long text): when landscape sets it in
  clearly fewer lines without using much more paper, estimated from the lines each row needs.

The widths are estimated with the advance widths of Libertinus Serif, the font both renderers give Typst
(measured once with Typst itself at 100 pt and rounded to 0.05 em).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A4 with 2 cm side and 2.5 cm top and bottom margins (the documents' `format: typst: margin:`), in pt: the
# text width and height of a portrait and of a landscape page.
PORTRAIT_PT = 481.89
LANDSCAPE_PT = 728.50
PORTRAIT_HEIGHT_PT = 700.16
LANDSCAPE_HEIGHT_PT = 453.54
LINE_PT = 10.0  # a line of 8 pt table text
ROW_PT = 6.0  # a row's inset above and below
# Landscape when it needs at most this share of portrait's lines, at most this much more paper, for a table
# of at least a third of a page (a landscape page breaks the page before and after the table).
LANDSCAPE_LINES = 0.7
LANDSCAPE_PAPER = 1.25
FONT_PT = 8.0  # table text (the print block's `#show table: set text(size: 8pt)`)
INSET_PT = 6.5  # 3 pt on each side of a cell, plus the rule between cells
BOLD = 1.1  # header cells are bold: about 10% wider
SAFETY = 1.06  # estimates err on the wide side
# Words longer than this may be hyphenated; shorter ones must fit on one line of their column.
HYPHENATABLE = 12

_ADVANCE = {
    0.20: ".,'|", 0.25: "ijl;:ïí ", 0.30: "ftIJ!()/Ï", 0.35: 'r"[]-*', 0.40: "sz",
    0.45: "ace0123456789?§#~éëèêáàç€", 0.50: "bdgkopqvxyFS_óö", 0.55: "hnuELP–+−=<>üñÉË",
    0.60: "BRTYZ", 0.65: "CKUVX%Ü", 0.70: "ADGNOQ&Ö", 0.75: "wH—…", 0.80: "m", 0.85: "M", 0.95: "W",
    1.15: "→",
}
ADVANCE = {ch: width for width, chars in _ADVANCE.items() for ch in chars}
DEFAULT_ADVANCE = 0.55


def text_width(text: str, bold: bool = False) -> float:
    """The width of `text` on one line at the table font size, in pt."""
    em = sum(ADVANCE.get(ch, DEFAULT_ADVANCE) for ch in text)
    return em * FONT_PT * SAFETY * (BOLD if bold else 1.0)


def pieces(text: str) -> list[str]:
    """The parts of `text` a line may not break inside: words, split after a slash or a hyphen too."""
    out = []
    for word in text.split():
        part = ""
        for ch in word:
            part += ch
            if ch in "/-–" and len(part) > 1:
                out.append(part)
                part = ""
        if part:
            out.append(part)
    return out


def least_width(text: str, bold: bool = False) -> float:
    """The narrowest the text can be set: its widest piece, long words counted up to HYPHENATABLE letters."""
    widest = 0.0
    for piece in pieces(text):
        if len(piece) > HYPHENATABLE:
            # The widest stretch of HYPHENATABLE characters: what hyphenation leaves at worst on one line.
            piece = max((piece[i:i + HYPHENATABLE] for i in range(len(piece) - HYPHENATABLE + 1)),
                        key=text_width)
        widest = max(widest, text_width(piece, bold))
    return widest


@dataclass(frozen=True)
class Plan:
    """Column widths as fractions of the text width (summing to 1), and the page orientation."""

    fractions: list[float]
    landscape: bool


def _widths(natural: list[float], least: list[float], room: float) -> list[float]:
    if sum(natural) <= room:
        widths = natural
    elif sum(least) <= room:
        # Each column its minimum; the rest shared in proportion to what each would still like.
        spare = room - sum(least)
        wish = [nat - low for nat, low in zip(natural, least)]
        total_wish = sum(wish) or 1.0
        widths = [low + spare * w / total_wish for low, w in zip(least, wish)]
    else:
        widths = least  # even this page cannot hold every word: scaled below, long words hyphenate
    return [w * room / sum(widths) for w in widths]


def _height(cells: list[list[float]], widths: list[float]) -> float:
    """The table's estimated height: each row as high as its cell that needs the most lines."""
    return sum(ROW_PT + LINE_PT * max(max(1, math.ceil(width / max(1.0, column - INSET_PT)))
                                      for width, column in zip(row, widths)) for row in cells)


def plan(headers: list[str], rows: list[list[str]]) -> Plan:
    n = len(headers)
    cells = [[text_width(str(h), bold=True) for h in headers]] + [[text_width(str(c)) for c in r] for r in rows]
    natural = [max(row[j] for row in cells) + INSET_PT for j in range(n)]
    least = [max([least_width(str(headers[j]), bold=True)] + [least_width(str(r[j])) for r in rows]) + INSET_PT
             for j in range(n)]
    portrait = _widths(natural, least, PORTRAIT_PT)
    landscape = sum(least) > PORTRAIT_PT
    if not landscape and sum(natural) > PORTRAIT_PT:
        tall, wide = _height(cells, portrait), _height(cells, _widths(natural, least, LANDSCAPE_PT))
        landscape = (tall > PORTRAIT_HEIGHT_PT / 3 and wide <= LANDSCAPE_LINES * tall
                     and wide / LANDSCAPE_HEIGHT_PT <= LANDSCAPE_PAPER * tall / PORTRAIT_HEIGHT_PT)
    widths = _widths(natural, least, LANDSCAPE_PT) if landscape else portrait
    total = sum(widths)
    return Plan([w / total for w in widths], landscape)
