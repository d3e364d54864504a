"""reports/index.html: a plain static page that introduces the reports, and per study its source and
question, its number of cases, and links to every report and to the study's data inside reports/."""

from __future__ import annotations

import html

from babel.dates import format_date

from patroon import __version__
from patroon.data.study_data import StudyData
from patroon.output.reproducible import build_date
from patroon.report import i18n
from patroon.report.paths import AGREEMENT_STEM, data_file
from patroon.report.reader import Reader, natural_key

__all__ = ["index_html", "natural_key"]  # natural_key: sorting names, also for the reports' lists

STYLE = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem 1.25rem 3rem;line-height:1.55;color:#1a1a1a}
h1{margin-bottom:.3rem}h2{border-bottom:2px solid #2b5f8a;margin-top:2.2rem}ul{padding-left:1.2rem}li{margin:.2rem 0}
a{color:#1d4e75}.meta{color:#555;font-size:.92rem}.question{font-style:italic;border-left:3px solid #d0d7de;padding-left:.8rem}
.links{background:#f5f7fa;border-left:3px solid #2b5f8a;padding:.4rem .8rem}"""


def report_links(stem: str, formats: list[str]) -> str:
    return " · ".join(f'<a href="{html.escape(stem)}.{fmt}">{fmt.upper()}</a>' for fmt in formats)


def _case_counts(data: StudyData, reader: Reader) -> str:
    counts = [reader.kind_count(k.kind, len(data.cases_of(k.kind) if k.role == "case" else data.organisations))
              for k in data.study.unit_kinds]
    return reader.m.join(counts)


def index_html(studies: list[StudyData], formats: list[str], language: str = "nl") -> str:
    m = i18n.Messages(language)
    labels = m.catalog["labels"]
    date = format_date(build_date(), format="long", locale=language)
    parts = ["<!DOCTYPE html>", f'<html lang="{language}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>patroon: {html.escape(labels['reports'].lower())}</title>", f"<style>{STYLE}</style></head><body>",
             f"<h1>{html.escape(labels['reports'])}</h1>",
             f"<p>{html.escape(m.text('index_intro', n=m.number(len(studies))))}</p>",
             f'<p class="meta">{html.escape(m.text("index_made", date=date, version=__version__))}</p>']
    for data in studies:
        sid = data.study.id
        reader = Reader.of(data, language)
        source = data.study.source
        parts.append(f'<section id="{html.escape(sid)}"><h2>{html.escape(data.study.title)}</h2>')
        who = source.author + (f", {source.institution}" if source.institution else "")
        parts.append(f'<p class="meta">{html.escape(m.text("index_source", who=who, kind=source.kind, year=str(source.year)))}'
                     f" {html.escape(m.text('index_cases', cases=_case_counts(data, reader)))}</p>")
        if data.study.question is not None:
            parts.append(f'<p class="question">{html.escape(getattr(data.study.question, language))}</p>')
        links = [f"<strong>{html.escape(labels['synthese'])}</strong>: {report_links(f'{sid}/synthese', formats)}"]
        if data.study.coding is not None:
            links.append(f"{html.escape(labels['agreement'])}: {report_links(f'{sid}/{AGREEMENT_STEM}', formats)}")
        links.append(f'<a href="{html.escape(sid)}/{data_file(html.escape(sid) + ".xlsx")}">{html.escape(labels["workbook"])}</a>'
                     f' · <a href="{html.escape(sid)}/{data_file("codebook.qdc")}">{html.escape(labels["codebook"])}</a>'
                     f' · <a href="{html.escape(sid)}/{data_file("")}">{html.escape(labels["data_folder"])}</a>')
        parts.append('<div class="links">' + "".join(f"<p>{line}</p>" for line in links) + "</div>")
        for kind in data.study.unit_kinds:
            items = data.cases_of(kind.kind) if kind.role == "case" else data.organisations
            heading = kind.plural_label or kind.label
            text = getattr(heading, language)
            parts.append(f"<h3>{html.escape(text[:1].upper() + text[1:])}</h3><ul>")
            for ident, obj in sorted(items.items(), key=lambda item: natural_key(item[1].name)):
                stem = f"{sid}/{kind.plural}/{ident}"
                parts.append(f"<li>{html.escape(obj.name)}: {report_links(stem, formats)}</li>")
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
