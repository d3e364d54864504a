"""What every report shares: the colophon, coded values with their evidence, navigation, the derived
frames computed once per study, and a unit in one table row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from patroon import __version__
from patroon.data import derive
from patroon.data.study_data import StudyData
from patroon.report import escape, i18n
from patroon.report.markdown import labels_of
from patroon.report.paths import data_file
from patroon.report.reader import Reader


class Engine(Protocol):
    """What a report says of the program that renders it (a `patroon.engines.detect.Renderer`)."""

    def describe(self) -> str: ...


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


COLOPHON_FILES = 60  # beyond this many data files, the rest are summarised by one combined digest


def shown_path(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def colophon(data: StudyData, files: list[Path], renderer: Engine, base: Path) -> dict:
    listed = [data.root / "study.yaml", data.root / "codebook.yaml"] + files
    entries = [{"path": shown_path(p, base), "sha256": file_digest(p)} for p in listed]
    rest = entries[COLOPHON_FILES:]
    combined = hashlib.sha256("".join(e["path"] + e["sha256"] for e in rest).encode()).hexdigest()[:12]
    return {
        "patroon": __version__,
        "renderer": renderer.describe(),
        "files": entries[:COLOPHON_FILES],
        # A national study's synthesis is made from thousands of files: list the first, fingerprint the rest.
        "more_files": {"count": len(rest), "sha256": combined} if rest else None,
    }


def coded_rows(data: StudyData, coded: dict, level: str, language: str, groups_prefix: str = "") -> list[dict]:
    """Every codebook variable of a level, in codebook order, with value, meaning and evidence. `shown` is
    what the reader sees (the value's label; the text itself for a text variable) and `heading` the
    variable's label with it, once where both say the same."""
    reader = Reader.of(data, language)
    rows = []
    for variable in data.codebook.variables:
        if variable.level != level or not variable.group.startswith(groups_prefix):
            continue
        value = coded.get(variable.id)
        shown = derive.plain(data, value, variable.id)
        label = getattr(variable.label, language)
        meaning = reader.value(variable.id, shown)
        rows.append({
            "id": variable.id,
            "group": variable.group,
            "label": label,
            "type": variable.type,
            "value": shown,
            "meaning": meaning,
            "heading": label if meaning.strip().lower() == label.strip().lower() else f"{label}: {meaning}",
            "evidence": value.evidence if value else [],
        })
    return rows


def group_label(data: StudyData, group: str, language: str) -> str:
    """A codebook group ('factor.vertrouwen' style ids) as a heading: the codebook's label for the group,
    else the label of the variable of that id, else the group's last part in words."""
    if group in data.codebook.groups:
        return getattr(data.codebook.groups[group], language)
    variable = data.codebook.variable(group)
    if variable is not None:
        return getattr(variable.label, language)
    last = group.split(".")[-1].replace("-", " ")
    return last[:1].upper() + last[1:]


def link(path: str, text: str) -> dict:
    return {"href": path, "text": text}


def navigation(data: StudyData, stem: str, related: list[dict], related_label: str = "") -> dict:
    """The links every report carries, as Markdown: the index, its study's synthesis, its own PDF and the
    study's data, and its related reports (a gemeente its providers, a provider its gemeenten, the
    synthesis every report), relative to the report so they work wherever the reports folder is copied.
    The template adds the PDF link only when PDFs are made (`formats`)."""
    labels = labels_of(data.study.language)
    up = "../" * stem.count("/")
    links = [(f"{up}../index.html", labels["index"])]
    if stem != "synthese":
        links.append((f"{up}synthese.html", labels["study_synthesis"]))
    related_line = ""
    if related:
        related_line = (escape.markdown(related_label or labels["related_reports"]) + ": " +
                        ", ".join(f"[{escape.markdown(r['text'])}]({up}{r['stem']}.html)" for r in related))
    return {"links": " · ".join(f"[{escape.markdown(text)}]({href})" for href, text in links),
            "pdf": f"[{escape.markdown(labels['own_pdf'])}]({stem.rsplit('/', 1)[-1]}.pdf)",
            "data": f"[{escape.markdown(labels['data'])}]({up}{data_file(data.study.id + '.xlsx')})",
            "related": related_line}


@dataclass
class Derived:
    """Everything reports share, computed and indexed once per study rather than once per report: at
    national scale a per-report scan or copy of the unit frame makes the build quadratic."""

    units: pd.DataFrame
    cases: pd.DataFrame
    refs: list

    def __post_init__(self) -> None:
        self.unit_rows = {row["unit_id"]: row for row in self.units.to_dict("records")}
        self.units_of_case = {case_id: frame for case_id, frame in self.units.groupby("case_id", sort=False)}
        self.case_rows = {row["case_id"]: row for row in self.cases.to_dict("records")}
        self.refs_of_case: dict[str, list] = {}
        self.refs_of_organisation: dict[str, list] = {}
        for ref in self.refs:
            self.refs_of_case.setdefault(ref.unit.case, []).append(ref)
            self.refs_of_organisation.setdefault(ref.organisation.id, []).append(ref)

    @classmethod
    def of(cls, data: StudyData, results: dict | None = None) -> "Derived":
        """From the analysis results when the caller has them (the same frames, not built twice)."""
        units = results["units"] if results else derive.unit_frame(data)
        cases = results["cases"] if results else derive.case_frame(data, units)
        return cls(units, cases, derive.unit_refs(data))


def prediction_because(data: StudyData, text: str, language: str) -> str:
    """The prediction rule's reason in the report language (units.csv keeps the Dutch text)."""
    for rule in data.study.analysis.prediction_rules:
        if rule.because.nl == text:
            return getattr(rule.because, language)
    return i18n.catalog(language)["labels"]["default_rule"]


def unit_summary_row(reader: Reader, u: dict, with_case: bool = False) -> list:
    """A unit in one table row: name, (gemeente,) tactics, clusters, prediction and its four judgements."""
    row = [u["name"]] + ([reader.case(u["case_id"])] if with_case else [])
    row += [reader.reaction(u["reaction"]), reader.cluster(u["first_cluster"]), reader.cluster(u["cluster"]),
            reader.cluster(u["predicted_cluster"]), reader.code(u["prediction_matches"])]
    return row + [reader.value(g, u[g], short=True) for g in reader.data.study.analysis.profile_groups]


def unit_summary_headers(reader: Reader, with_case: bool = False) -> list[str]:
    labels = reader.catalog["labels"]
    headers = [labels["unit"]] + ([labels["gemeente"]] if with_case else [])
    headers += [labels["tactics"], labels["first"], labels["final"], labels["predicted"], labels["matches"]]
    return headers + [reader.variable(g) for g in reader.data.study.analysis.profile_groups]


