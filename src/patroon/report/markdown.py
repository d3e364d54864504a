"""Quarto Markdown from Jinja2 templates: the template environment with its filters, and escaped pipe
tables with numbered captions."""

from __future__ import annotations

import functools
import math
import re
import textwrap
from importlib import resources

import jinja2
import pandas as pd

from patroon.analysis import tables
from patroon.report import columns, escape, i18n

# Non-default delimiters: `{{ }}` and `{% %}` are Quarto shortcode/pandoc attribute territory.
JINJA_SYNTAX = dict(
    block_start_string="[[%", block_end_string="%]]",
    variable_start_string="[[=", variable_end_string="=]]",
    comment_start_string="[[#", comment_end_string="#]]",
)

def labels_of(language: str) -> dict:
    """The report labels of a language, from its message catalog (src/patroon/messages/<language>.yaml)."""
    return i18n.catalog(language)["labels"]


def reference_words(language: str) -> dict:
    """The words of an evidence reference (page, respondents, row, inferred) in the report language."""
    labels = labels_of(language)
    return {"inferred": labels["inferred"], "page": labels["page_abbr"], "respondents": labels["respondents_abbr"],
            "row": labels["row"]}


def slug(value: object) -> str:
    """An identifier Quarto accepts in a cross-reference label (`#tbl-<slug>`)."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-") or "x"


def caption_line(caption: str, label: str) -> str:
    """Quarto's table caption with a cross-reference label: numbered as "Tabel n" by both renderers."""
    if not caption:
        return ""
    attribute = f" {{#tbl-{slug(label)}}}" if label else ""
    return f"\n\n: {escape.markdown(caption)}{attribute}"


# Dashes under a pipe table's header: their proportions are the column widths (pandoc reads them as
# relative widths once a line is longer than its 72 columns, which 200 dashes always are).
DASHES = 200
# A grid table (one with notes under its rows) is at least this wide in the .qmd, so that pandoc reads its
# column widths as proportions of the text width too.
GRID_MIN = 100

# In print, a table too wide for a portrait page gets a landscape page of its own; in HTML every table sits
# in a box that scrolls sideways when the table is wider than the text, its first column in view.
LANDSCAPE_OPEN = "```{=typst}\n#page(flipped: true)[\n```\n\n"
LANDSCAPE_CLOSE = "\n\n```{=typst}\n]\n```"
SCROLL_OPEN = '```{=html}\n<div class="table-scroll">\n```\n\n'
# A wide table may use the page's full width in Quarto's HTML layout (its `column-page` class).
WIDE_SCROLL_OPEN = '```{=html}\n<div class="table-scroll column-page">\n```\n\n'
SCROLL_CLOSE = "\n\n```{=html}\n</div>\n```"


# ASCII stand-ins a reader should see as the signs they stand for: an arrow standing alone between words
# ("stilte -> nee"), a comparison before a number (">=50% omzet"). Anything else stays as typed ("-->").
TYPOGRAPHY = {"->": "→", "<-": "←", ">=": "≥", "<=": "≤"}
_TYPOGRAPHY = re.compile(r"(?<!\S)(?:->|<-)(?!\S)|(?:>=|<=)(?=\s?\d)")


def typography(value: object) -> str:
    return _TYPOGRAPHY.sub(lambda m: TYPOGRAPHY[m.group(0)], str(value))


def reader_markdown(value: object) -> str:
    """Text from data for the reader: its ASCII arrows and comparisons as signs, then escaped."""
    return escape.markdown(typography(value))


def _cell(value: object) -> str:
    return reader_markdown(value) if str(value) != "" else " "


def _pipe_table(headers: list[str], rows: list[list[object]], fractions: list[float]) -> str:
    dashes = [max(3, round(f * DASHES)) for f in fractions]
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "|".join("-" * d for d in dashes) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _grid_table(headers: list[str], rows: list[list[object]], fractions: list[float], notes: list[str],
                note_label: str) -> str:
    """A grid table: each row may carry a note, set as a paragraph across the whole width under it (long
    free text such as a reason does not belong in a narrow column)."""
    texts = [[_cell(h) for h in headers]] + [[_cell(c) for c in row] for row in rows]
    # Every column holds its longest word with a space either side, in the planned proportions.
    need = [max(len(word) for row in texts for word in row[j].split() or [" "]) + 2 for j in range(len(headers))]
    scale = max([GRID_MIN] + [n / f for n, f in zip(need, fractions)])
    widths = [max(n, math.ceil(f * scale)) for n, f in zip(need, fractions)]
    total = sum(widths) + len(widths) - 1

    def rule(char: str = "-") -> str:
        return "+" + "+".join(char * w for w in widths) + "+"

    def row_lines(cells: list[str]) -> list[str]:
        wrapped = [textwrap.wrap(c, w - 2, break_long_words=False, break_on_hyphens=False) or [" "]
                   for c, w in zip(cells, widths)]
        height = max(len(w) for w in wrapped)
        return ["|" + "|".join(" " + (w[i] if i < len(w) else "").ljust(width - 1) for w, width in zip(wrapped, widths))
                + "|" for i in range(height)]

    lines = [rule()] + row_lines(texts[0]) + [rule("=")]
    for cells, note in zip(texts[1:], notes):
        lines += row_lines(cells) + [rule()]
        if note:
            text = (f"**{escape.markdown(note_label)}:** " if note_label else "") + reader_markdown(note)
            lines += ["| " + line.ljust(total - 1) + "|"
                      for line in textwrap.wrap(text, total - 2, break_long_words=False, break_on_hyphens=False)]
            lines.append(rule())
    return "\n".join(lines)


def md_table(rows: list[list[object]], headers: list[str], caption: str = "", label: str = "",
             notes: list[str] | None = None, note_label: str = "") -> str:
    """A table whose every cell is escaped text; with `caption` (and `label`), numbered. Its column widths
    are planned from its content (patroon.report.columns); a table too wide for a portrait page gets a
    landscape page in print. `notes` (one per row, "" for none) are set under their rows across the table,
    after `note_label` in bold."""
    if not rows:
        return ""
    headers = [str(h) for h in headers]
    layout = columns.plan(headers, [[str(c) for c in row] for row in rows])
    if notes and any(notes):
        table = _grid_table(headers, rows, layout.fractions, notes, note_label)
    else:
        table = _pipe_table(headers, rows, layout.fractions)
    if layout.landscape:
        return LANDSCAPE_OPEN + WIDE_SCROLL_OPEN + table + caption_line(caption, label) + SCROLL_CLOSE + LANDSCAPE_CLOSE
    return SCROLL_OPEN + table + caption_line(caption, label) + SCROLL_CLOSE


def frame_table(frame: pd.DataFrame, index: bool = False, limit: int | None = None, where: str = "",
                caption: str = "", label: str = "") -> str:
    """A table; with `limit`, only its first rows and a line saying where all of them are (a national
    study's list of 3,000 units belongs in the workbook, not on 80 pages of PDF)."""
    if index:
        frame = frame.reset_index()
    note = ""
    if limit is not None and len(frame) > limit:
        note = f"\n\n*{limit} / {len(frame)}: {escape.markdown(where)}*" if where else ""
        frame = frame.head(limit)
    return md_table(frame.astype(object).where(frame.notna(), "").values.tolist(),
                    [str(c) for c in frame.columns], caption, label) + note


def end_sentence(text: object) -> str:
    """Text closed by a full stop, unless it already ends a sentence (no '..' after a coder's period)."""
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?", "…")) else text + "."


@functools.cache
def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("patroon.report") / "templates"))
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, **JINJA_SYNTAX)
    env.filters["md"] = reader_markdown
    env.filters["yamlstr"] = escape.yaml_string
    env.filters["yamlmd"] = escape.yaml_markdown
    env.filters["typst"] = escape.typst_string
    env.filters["code"] = escape.code_span
    env.filters["sentence"] = end_sentence
    env.filters["place"] = tables.place_ref
    env.filters["ref"] = lambda evidence, language="nl": tables.evidence_ref(evidence, reference_words(language))
    env.globals["md_table"] = md_table
    # Quarto's HTML gets the same reading aids as the pandoc renderer's (report.css): see quarto.css.
    env.globals["quarto_css"] = "<style>\n" + (resources.files("patroon.report") / "templates" / "quarto.css").read_text(
        encoding="utf-8") + "</style>\n"
    env.globals["frame_table"] = frame_table
    env.filters["slug"] = slug
    return env



def render_template(name: str, context: dict) -> str:
    return environment().get_template(name).render(**context)
