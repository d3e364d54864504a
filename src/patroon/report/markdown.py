"""Quarto Markdown from Jinja2 templates: the template environment with its filters, and escaped pipe
tables with numbered captions."""

from __future__ import annotations

import functools
import re
from importlib import resources

import jinja2
import pandas as pd

from patroon.analysis import tables
from patroon.report import escape, i18n

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


def md_table(rows: list[list[object]], headers: list[str], caption: str = "", label: str = "") -> str:
    """A pipe table whose every cell is escaped text; with `caption` (and `label`), numbered."""
    if not rows:
        return ""
    # Pandoc sizes the columns of a wide pipe table by the dashes under each header: make them
    # proportional to the longest text in the column, so short codes don't get as much room as prose.
    widths = [min(40, max(3, len(str(h)), *(len(str(r[i])) for r in rows))) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(escape.markdown(h) for h in headers) + " |",
             "|" + "|".join("-" * w for w in widths) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(escape.markdown(c) if str(c) != "" else " " for c in row) + " |")
    return "\n".join(lines) + caption_line(caption, label)


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
    env.filters["md"] = escape.markdown
    env.filters["yamlstr"] = escape.yaml_string
    env.filters["typst"] = escape.typst_string
    env.filters["code"] = escape.code_span
    env.filters["sentence"] = end_sentence
    env.filters["place"] = tables.place_ref
    env.filters["ref"] = lambda evidence, language="nl": tables.evidence_ref(evidence, reference_words(language))
    env.globals["md_table"] = md_table
    env.globals["frame_table"] = frame_table
    env.filters["slug"] = slug
    return env



def render_template(name: str, context: dict) -> str:
    return environment().get_template(name).render(**context)
