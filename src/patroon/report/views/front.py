"""The front and back matter every report shares, generated from the study's declarations: the title
block (source with author and institution, build date, version, data commit, how to cite), the
introduction with the source's research question, the method (cases, clusters, factors, propositions, QCA
settings, building blocks, coding and agreement), and the list of documents the evidence names."""

from __future__ import annotations


from babel.dates import format_date
from pydantic import BaseModel

from patroon import __version__
from patroon.data.models import Evidence
from patroon.data.study_data import StudyData
from patroon.output.reproducible import build_date, data_commit
from patroon.report import escape, i18n
from patroon.report.paths import AGREEMENT_STEM, data_file
from patroon.report.reader import Reader, natural_key


def data_version(data: StudyData) -> str:
    """Which data a report was made from, in the report language: the last commit of the study's folder
    (noting changes not yet committed). Outside git, the colophon's list of files with their digests says
    it: a digest of all files here would change every report whenever one file changed."""
    m = i18n.Messages(data.study.language)
    commit = data_commit(data.root.resolve())
    if commit is None:
        return m.text("data_files")
    return m.text("data_commit_dirty" if commit[1] else "data_commit", commit=commit[0])


def source_citation(data: StudyData) -> str:
    """The source as a reference, in Markdown: author, institution, title, kind and year."""
    source = data.study.source
    who = escape.markdown(source.author) + (f", {escape.markdown(source.institution)}" if source.institution else "")
    return f"{who} ({source.year}). *{escape.markdown(source.title)}* ({escape.markdown(source.kind)})."


def evidence_in(*objects: object) -> list[Evidence]:
    """Every evidence item inside the given models (case files, organisations, the study), in order."""
    found: list[Evidence] = []

    def walk(node: object) -> None:
        if isinstance(node, Evidence):
            found.append(node)
        elif isinstance(node, BaseModel):
            for value in node.__dict__.values():
                walk(value)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    for obj in objects:
        walk(obj)
    return found


def documents(*objects: object) -> list[str]:
    """The documents the evidence of these models names (policy notes, contracts ...), once each, sorted."""
    names = {" ".join(d.split()) for e in evidence_in(*objects) for d in e.documents}
    # Names equal but for case ("Sociaal Domein", "sociaal domein") in a fixed order: the set's own order
    # changes with each process's hash seed, and a clean build must give the same bytes every time.
    return sorted(names, key=lambda name: (natural_key(name), name))


def front_matter(data: StudyData, stem: str, title: str, evidence_from: tuple = (),
                 kind: str | None = None, name: str = "") -> dict:
    """Title block, introduction, method and documents of the report `stem` ("synthese", "gemeenten/rijn",
    "betrouwbaarheid") titled `title`; a case or organisation report names its `kind` and `name`."""
    language = data.study.language
    reader = Reader.of(data, language)
    m = reader.m
    date = format_date(build_date(), format="long", locale=language)
    version = data_version(data)
    citation = source_citation(data)
    full_title = title if data.study.title in title else f"{title}. {data.study.title}"
    cite = m.text("cite_as_text", title=escape.markdown(full_title), date=date, version=__version__, data=version,
                  source=citation)
    abstract = "\n\n".join([f"**{m.text('source_label')}:** {citation}",
                            f"**{m.text('version_label')}:** " + m.text("made_on", date=date, version=__version__,
                                                                         data=version),
                            f"**{m.text('cite_as')}:** {cite}"])
    up = "../" * stem.count("/")
    synthesis = stem == "synthese"
    if synthesis:
        intro = m.text("intro_synthesis", cases=m.join(
            [reader.kind_count(k.kind, len(data.cases_of(k.kind) if k.role == "case" else data.organisations))
             for k in data.study.unit_kinds]))
    elif kind is None:
        intro = m.text("intro_agreement", link=f"{up}synthese.html")
    else:
        intro = m.text("intro_case", what=f"{reader.kind_noun(kind, 1)} {escape.markdown(name)}",
                       plural=reader.kind_noun(kind), link=f"{up}synthese.html")
    question = data.study.question
    return {
        "abstract": abstract,
        "intro": intro,
        "question": getattr(question, language) if question else "",
        "method": method(data, stem, synthesis),
        "documents": documents(*evidence_from),
        "citation": citation,
    }


def _summary(declared, language: str) -> str:
    """A cluster's or variable's summary for readers in the report language; "" without one (its
    `definition` is the coder's, in whatever language the codebook was written)."""
    return getattr(declared.summary, language) if declared.summary else ""


def method(data: StudyData, stem: str, synthesis: bool) -> dict:
    """The method section's parts, each from a declaration of study.yaml or the codebook."""
    language = data.study.language
    reader = Reader.of(data, language)
    m = reader.m
    analysis = data.study.analysis
    counts = [reader.kind_count(k.kind, len(data.cases_of(k.kind) if k.role == "case" else data.organisations))
              for k in data.study.unit_kinds]
    n_units = sum(len(org.units) for org in data.organisations.values())
    cases = m.join(counts)
    if data.organisations:
        case_kind, org_kind = data.case_kind(), data.organisation_kind()
        cases = m.text("method_units", kinds=cases, units=m.count("units", n_units),
                       organisation=reader.kind_noun(org_kind, 1), case=reader.kind_noun(case_kind, 1))
    up = "../" * stem.count("/")
    blocks = [{"label": getattr(b.label, language),
               "text": m.text(f"method_block_{b.type.replace('-', '_')}", case=reader.kind_noun(b.kind, 1),
                              cases=reader.kind_noun(b.kind))} for b in analysis.blocks]
    qca = None
    if synthesis and analysis.qca is not None:
        q = analysis.qca
        qca = m.text("method_qca", outcome=str(reader.cell(q.outcome_column, q.outcome_value)),
                     conditions=m.join([reader.header(c) for c in q.conditions]),
                     threshold=m.number(q.consistency_threshold, 2), cutoff=m.number(q.frequency_cutoff))
    coding = None
    if data.study.coding is not None:
        a, b = data.study.coding.coders
        coding = {"text": m.text("method_coding", a=escape.markdown(a), b=escape.markdown(b)),
                  "link": f"{up}{AGREEMENT_STEM}.html"}
    return {
        "cases": cases,
        "clusters": [{"label": getattr(c.label, language), "text": _summary(c, language)} for c in data.codebook.clusters],
        "factors": [{"label": reader.variable(g), "text": _summary(v, language)}
                    for g in analysis.profile_groups if (v := data.codebook.variable(g)) is not None],
        "propositions": [{"label": (f"{p.number}. " if p.number is not None else "") + getattr(p.label, language)}
                         for p in data.study.propositions]
        if synthesis else [],
        "conditions": m.text("method_conditions", n=m.number(len(analysis.steering_conditions)),
                             case=reader.kind_noun(data.case_kind(), 1))
        if analysis.steering_conditions else "",
        "blocks": blocks,
        "register": m.text("method_register", n=m.number(len(data.study.reproduction)))
        if data.study.reproduction else "",
        "qca": qca,
        "coding": coding,
        "workbook": f"{up}{data_file(data.study.id + '.xlsx')}",
        "synthesis_link": "" if synthesis else f"{up}synthese.html",
    }
