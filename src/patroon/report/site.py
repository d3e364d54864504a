"""reports/index.html: a plain static page linking every report of every study, and each study's
workbook and codebook."""

from __future__ import annotations

import html
import re

from patroon.data.study_data import StudyData
from patroon.report import i18n

STYLE = """body{font-family:system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;line-height:1.5}
h2{border-bottom:2px solid #2b5f8a}ul{padding-left:1.2rem}li{margin:.2rem 0}a{color:#1d4e75}"""


def natural_key(text: str) -> list:
    """Sort '3N' before '10N': runs of digits compare as numbers, the rest without case."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
            for part in re.split(r"(\d+)", text) if part]


def report_links(stem: str, formats: list[str]) -> str:
    return " · ".join(f'<a href="{html.escape(stem)}.{fmt}">{fmt.upper()}</a>' for fmt in formats)


def index_html(studies: list[StudyData], formats: list[str], language: str = "nl") -> str:
    labels = i18n.catalog(language)["labels"]
    parts = ["<!DOCTYPE html>", f'<html lang="{language}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>patroon: {html.escape(labels['reports'].lower())}</title>", f"<style>{STYLE}</style></head><body>",
             f"<h1>{html.escape(labels['reports'])}</h1>"]
    for data in studies:
        sid = data.study.id
        parts.append(f'<section id="{html.escape(sid)}"><h2>{html.escape(data.study.title)}</h2>')
        parts.append(f"<p><strong>{html.escape(labels['synthese'])}</strong>: {report_links(f'{sid}/synthese', formats)}</p>")
        # Relative to reports/index.html: the study's results folder beside reports/.
        workbook = f"../results/{sid}/{sid}.xlsx"
        codebook = f"../results/{sid}/codebook.qdc"
        parts.append(f'<p><a href="{html.escape(workbook)}">{html.escape(labels["workbook"])}</a> · '
                     f'<a href="{html.escape(codebook)}">{html.escape(labels["codebook"])}</a></p>')
        for kind in data.study.unit_kinds:
            items = data.cases_of(kind.kind) if kind.role == "case" else data.organisations
            heading = kind.plural_label or kind.label
            parts.append(f"<h3>{html.escape(getattr(heading, language)[:1].upper() + getattr(heading, language)[1:])}</h3><ul>")
            for ident, obj in sorted(items.items(), key=lambda item: natural_key(item[1].name)):
                stem = f"{sid}/{kind.plural}/{ident}"
                parts.append(f"<li>{html.escape(obj.name)}: {report_links(stem, formats)}</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
