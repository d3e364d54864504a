"""reports/index.html: a plain static page linking every report of every study."""

from __future__ import annotations

import html
from pathlib import Path

from patroon.load import StudyData

STYLE = """body{font-family:system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;line-height:1.5}
h2{border-bottom:2px solid #2b5f8a}ul{padding-left:1.2rem}li{margin:.2rem 0}a{color:#1d4e75}"""


def report_links(stem: str, formats: list[str]) -> str:
    return " · ".join(f'<a href="{html.escape(stem)}.{fmt}">{fmt.upper()}</a>' for fmt in formats)


def index_html(studies: list[StudyData], formats: list[str]) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>patroon: rapporten</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>Rapporten</h1>"]
    for data in studies:
        sid = data.study.id
        parts.append(f'<section id="{html.escape(sid)}"><h2>{html.escape(data.study.title)}</h2>')
        parts.append(f"<p><strong>Synthese</strong>: {report_links(f'{sid}/synthese', formats)}</p>")
        for kind in data.study.unit_kinds:
            items = data.cases_of(kind.kind) if kind.role == "case" else data.organisations
            parts.append(f"<h3>{html.escape(kind.label.nl)}</h3><ul>")
            for ident, obj in items.items():
                stem = f"{sid}/{kind.plural}/{ident}"
                parts.append(f"<li>{html.escape(obj.name)}: {report_links(stem, formats)}</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
