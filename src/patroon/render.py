"""Reports: Jinja2 makes a Quarto document (.qmd) per gemeente, per aanbieder and per study; the .qmd is
rendered to self-contained HTML and to PDF by `quarto` when it is installed, otherwise by the engines
Quarto itself drives: pandoc (HTML, and Typst markup) and Typst (PDF).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd

from patroon import __version__, derive, escape, figures, pandoc_batch, quarto, report_figures, tables
from patroon.atomic import NO_GUARD, temporary_folder, write_text
from patroon.load import StudyData
from patroon.privacy import Guard
from patroon.reproducible import source_date_epoch

# Non-default delimiters: `{{ }}` and `{% %}` are Quarto shortcode/pandoc attribute territory.
JINJA_SYNTAX = dict(
    block_start_string="[[%", block_end_string="%]]",
    variable_start_string="[[=", variable_end_string="=]]",
    comment_start_string="[[#", comment_end_string="#]]",
)

LABELS = {
    "nl": {
        "gemeente": "Gemeente", "aanbieder": "Aanbieder", "synthese": "Synthese",
        "context": "Context", "goals": "Doelen en beleid", "steering": "Hoe de gemeente stuurt",
        "state": "Stand van zaken", "conditions": "Voorwaarden voor volgen (§2.5, verwachting 3)",
        "providers": "Aanbieders en hun reactie", "differences": "Verschillen in sturing tussen aanbieders",
        "evidence": "Onderbouwing", "variable": "Variabele", "value": "Waarde", "meaning": "Betekenis",
        "source_notes": "Bronnotities", "colophon": "Colofon", "unit": "Eenheid", "reaction": "Reactie",
        "first": "Eerste cluster", "final": "Cluster", "predicted": "Voorspeld", "matches": "Klopt",
        "profile": "Profiel", "over_time": "Reactie in de tijd", "period": "Periode", "tactics": "Tactieken",
        "cluster": "Cluster", "characteristics": "Organisatiekenmerken", "met": "voldaan", "not_met": "niet voldaan",
        "inferred": "afgeleid", "no_notes": "Geen.", "reading": "Lezing", "choice": "Keuze", "reason": "Reden",
        "crosstabs": "Kruistabellen", "profiles": "Profielen van de clusters", "changes": "Veranderingen in de tijd",
        "expectations": "Verwachtingen: voorspeld en waargenomen patroon", "qca": "Crisp-set QCA",
        "verdict": "Oordeel", "cases": "Gemeenten", "units": "Eenheden", "overview": "Overzicht",
        "truth_table": "Waarheidstabel", "necessity": "Noodzakelijkheid", "solutions": "Oplossingen",
        "pseudonyms": "Namen van gemeenten, aanbieders en respondenten zijn pseudoniemen uit de bron.",
        "made_by": "Gemaakt door patroon", "renderer": "Renderer", "data_files": "Gegevensbestanden",
        "source": "Bron", "deviants": "Afwijkers", "none": "geen", "yes": "ja", "no": "nee",
        "coded_values": "Gecodeerde waarden", "in_analysis": "In de vergelijking", "part_of": "Onderdeel van",
        "holds": "Omvat", "comparison": "Vergelijking tussen de cases", "computed": "berekend",
        "reported": "volgens de bron", "agrees": "zelfde als bron", "case": "Case", "count": "aantal", "share": "aandeel",
        "rank": "rang", "tie": "gelijke score", "position": "positie", "score": "score", "passes": "voldoet",
        "n": "n", "known": "bekend",
        "register": "Reproductieregister", "findings": "Bevindingen van de auteur (gecodeerd)",
        "closing": "Slotnotitie", "author_table": "Volgens de auteur", "against_author": "tegenover de auteur",
        "only_computed": "alleen berekend", "only_reported": "alleen volgens de bron", "row": "rij",
        "agreement": "Betrouwbaarheid van de codering",
        "agreement_intro": "Twee codeurs ({a} en {b}) codeerden alle cases onafhankelijk van elkaar, uit de bron, het "
                           "codeboek en de coderingsregels{rules}. Vóór reconciliatie kwamen zij op {n} van de {total} "
                           "gecodeerde waarden overeen ({percent}%; Cohens kappa {kappa}, Krippendorffs alfa {alpha}). "
                           "Elk van de {open} verschillen is beslist in {file}, met reden en bronverwijzing; de "
                           "analyse in dit rapport gebruikt de gereconcilieerde codering.",
        "agreement_undecided": "Nog niet beslist: {n} verschillen.",
        "agreement_columns": ["Variabele", "Niveau", "Items", "Overeenstemming (%)", "Cohens kappa",
                              "Krippendorffs alfa", "Verschillen"],
        "disagreement_columns": ["Variabele", "Item", "{a}", "{b}", "Besluit", "Reden"],
        "disagreements": "Verschillen en besluiten",
        "corrections": "Correcties na controle tegen de conclusies van de hoofdstukken",
        "corrections_intro": "Waarden waarover beide codeurs het eens waren, maar die bij de controle van de "
                             "resultaten tegen de conclusies van de casushoofdstukken niet bleken te kloppen.",
        "correction_columns": ["Variabele", "Item", "Beide codeurs", "Besluit", "Reden"],
        "levels": {"case": "gemeente", "organisation": "organisatie", "unit": "eenheid", "": ""},
        "pooled": "alle variabelen samen",
        "reaction_variables": {"reactie.eerste-cluster": "Eerste cluster", "reactie.cluster": "Laatste cluster",
                               "reactie.verloop": "Verloop van de reactie"},
        "differences_with_source": "Verschillen met de bron",
        "units_overview": "Eenheden in één oogopslag",
        "details_capped": "Hieronder de onderbouwing van {shown} van de {total} eenheden: eerst wie afwijkt van de "
                          "voorspelling of van cluster wisselde. De gecodeerde waarden van alle eenheden staan in de "
                          "tabel hierboven; de onderbouwing van de overige in het casusbestand {file}.",
    },
    "en": {
        "gemeente": "Municipality", "aanbieder": "Provider", "synthese": "Synthesis",
        "context": "Context", "goals": "Goals and policy", "steering": "How the municipality steers",
        "state": "State of affairs", "conditions": "Conditions for following (§2.5, expectation 3)",
        "providers": "Providers and their reaction", "differences": "Differences in steering between providers",
        "evidence": "Evidence", "variable": "Variable", "value": "Value", "meaning": "Meaning",
        "source_notes": "Source notes", "colophon": "Colophon", "unit": "Unit", "reaction": "Reaction",
        "first": "First cluster", "final": "Cluster", "predicted": "Predicted", "matches": "Matches",
        "profile": "Profile", "over_time": "Reaction over time", "period": "Period", "tactics": "Tactics",
        "cluster": "Cluster", "characteristics": "Organisation characteristics", "met": "met", "not_met": "not met",
        "inferred": "inferred", "no_notes": "None.", "reading": "Reading", "choice": "Choice", "reason": "Reason",
        "crosstabs": "Cross-tabulations", "profiles": "Cluster profiles", "changes": "Changes over time",
        "expectations": "Expectations: predicted and observed pattern", "qca": "Crisp-set QCA",
        "verdict": "Verdict", "cases": "Municipalities", "units": "Units", "overview": "Overview",
        "truth_table": "Truth table", "necessity": "Necessity", "solutions": "Solutions",
        "pseudonyms": "Names of municipalities, providers and respondents are the source's pseudonyms.",
        "made_by": "Made by patroon", "renderer": "Renderer", "data_files": "Data files",
        "source": "Source", "deviants": "Deviant units", "none": "none", "yes": "yes", "no": "no",
        "coded_values": "Coded values", "in_analysis": "In the comparison", "part_of": "Part of",
        "holds": "Holds", "comparison": "Comparison between the cases", "computed": "computed",
        "reported": "per the source", "agrees": "equal", "case": "Case", "count": "count", "share": "share",
        "rank": "rank", "tie": "tie", "position": "position", "score": "score", "passes": "passes",
        "n": "n", "known": "known",
        "register": "Reproduction register", "findings": "The author's findings (coded)",
        "closing": "Closing note", "author_table": "Per the author", "against_author": "against the author",
        "only_computed": "computed only", "only_reported": "per the source only", "row": "row",
        "agreement": "Reliability of the coding",
        "agreement_intro": "Two coders ({a} and {b}) coded every case independently, from the source, the codebook "
                           "and the coding rules{rules}. Before reconciliation they agreed on {n} of {total} coded "
                           "values ({percent}%; Cohen's kappa {kappa}, Krippendorff's alpha {alpha}). Each of the "
                           "{open} disagreements is decided in {file}, with a reason and a source reference; the "
                           "analysis in this report uses the reconciled coding.",
        "agreement_undecided": "Not yet decided: {n} disagreements.",
        "agreement_columns": ["Variable", "Level", "Items", "Agreement (%)", "Cohen's kappa",
                              "Krippendorff's alpha", "Disagreements"],
        "disagreement_columns": ["Variable", "Item", "{a}", "{b}", "Decision", "Reason"],
        "disagreements": "Disagreements and decisions",
        "corrections": "Corrections after checking against the chapters' conclusions",
        "corrections_intro": "Values both coders agreed on that, when the results were checked against the "
                             "conclusions of the case chapters, turned out to be wrong.",
        "correction_columns": ["Variable", "Item", "Both coders", "Decision", "Reason"],
        "levels": {"case": "municipality", "organisation": "organisation", "unit": "unit", "": ""},
        "pooled": "all variables together",
        "reaction_variables": {"reactie.eerste-cluster": "First cluster", "reactie.cluster": "Final cluster",
                               "reactie.verloop": "Course of the reaction"},
        "differences_with_source": "Differences with the source",
        "units_overview": "Units at a glance",
        "details_capped": "Below, the evidence of {shown} of the {total} units: first those that deviate from the "
                          "prediction or changed cluster. The coded values of all units are in the table above; the "
                          "evidence of the others is in the case file {file}.",
    },
}


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


@functools.cache
def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resources.files("patroon") / "templates"))
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, **JINJA_SYNTAX)
    env.filters["md"] = escape.markdown
    env.filters["yamlstr"] = escape.yaml_string
    env.filters["typst"] = escape.typst_string
    env.filters["code"] = escape.code_span
    env.filters["ref"] = tables.evidence_ref
    env.globals["md_table"] = md_table
    env.globals["frame_table"] = frame_table
    env.filters["slug"] = slug
    return env


# --------------------------------------------------------------------------------------- renderers


@dataclass(frozen=True)
class Renderer:
    name: str  # "quarto" or "pandoc+typst"
    versions: str
    command: str = ""  # the quarto executable

    def describe(self) -> str:
        return f"{self.name} ({self.versions})"


@functools.cache
def detect(preference: str = "auto") -> Renderer:
    executable = shutil.which("quarto")
    if preference in ("auto", "quarto") and executable:
        version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout.strip()
        return Renderer("quarto", f"quarto {version}", executable)
    if preference == "quarto":
        raise RuntimeError("renderer 'quarto' requested in config/config.yaml but quarto is not on PATH")
    import pypandoc
    import typst

    return Renderer("pandoc+typst", f"pandoc {pypandoc.get_pandoc_version()}, typst (Python) {typst.__version__}")


def typeset(markup: str, report_dir: Path, root: Path | None = None) -> bytes:
    """Typst resolves images relative to the source file and refuses files outside `root`: so the source
    is written (under a hidden temporary name) in the report's folder, and root is the study's reports."""
    import typst

    with temporary_folder(report_dir, "typst") as tmp:
        source = Path(tmp) / "report.typ"
        # One level deeper than the report: image paths are relative to the report, so prefix '../'.
        source.write_text(markup.replace('image("', 'image("../'), encoding="utf-8")
        return typst.compile(str(source), format="pdf", root=str(root or tmp), timestamp=source_date_epoch())


def embed_figures(html: str, report_dir: Path, figure_files: dict[Path, str]) -> str:
    """Make the HTML self-contained as `--embed-resources` would: each figure becomes a data: URI."""
    for path, svg in figure_files.items():
        relative = os.path.relpath(path, report_dir)
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        html = html.replace(f'src="{relative}"', f'src="data:image/svg+xml;base64,{encoded}"')
    return html


@dataclass
class Pending:
    """A report whose .qmd is made and which waits to be converted."""

    qmd_path: Path
    qmd: str
    figure_files: dict[Path, str]


def render_documents(pending: list[Pending], formats: list[str], language: str, renderer: Renderer,
                     guard: Guard = NO_GUARD, root: Path | None = None) -> None:
    """Write each report's figures and .qmd, then every requested format next to it, each atomically.

    Without quarto, one pandoc process converts the whole batch (see pandoc_batch). The privacy guard
    sees a report's .qmd, figures and HTML before anything of it is written; the PDF is typeset from the
    same text, so a term that is absent from all of them cannot appear in it.
    """
    for report in pending:
        guard.check(report.qmd_path, report.qmd)
        for path, svg in report.figure_files.items():
            guard.check(path, svg)
    for report in pending:
        for path, svg in report.figure_files.items():
            write_text(path, svg)
        report.qmd_path.parent.mkdir(parents=True, exist_ok=True)
    if renderer.name == "quarto":
        # Quarto renders the .qmd where it lies, inside the study's project (see patroon.quarto).
        for report in pending:
            write_text(report.qmd_path, report.qmd)
        quarto.render_batch(root or pending[0].qmd_path.parent, [r.qmd_path for r in pending], formats,
                            renderer.command or "quarto", guard)
        return
    css = (resources.files("patroon") / "templates" / "report.css").read_text(encoding="utf-8")
    converted = pandoc_batch.convert([r.qmd for r in pending], "html" in formats, "pdf" in formats, language, css)
    for report, result in zip(pending, converted):
        rendered: dict[str, str | bytes] = {}
        if result.html is not None:
            rendered["html"] = embed_figures(result.html, report.qmd_path.parent, report.figure_files)
            guard.check(report.qmd_path.with_suffix(".html"), rendered["html"])
        if result.typst is not None:
            rendered["pdf"] = typeset(result.typst, report.qmd_path.parent, root)
        write_text(report.qmd_path, report.qmd)
        for fmt, content in rendered.items():
            write_text(report.qmd_path.with_suffix(f".{fmt}"), content)


# --------------------------------------------------------------------------------------- contexts


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


COLOPHON_FILES = 60  # beyond this many data files, the rest are summarised by one combined digest


def _shown_path(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def colophon(data: StudyData, files: list[Path], renderer: Renderer, base: Path) -> dict:
    listed = [data.root / "study.yaml", data.root / "codebook.yaml"] + files
    entries = [{"path": _shown_path(p, base), "sha256": file_digest(p)} for p in listed]
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
    """Every codebook variable of a level, in codebook order, with value, meaning and evidence."""
    rows = []
    for variable in data.codebook.variables:
        if variable.level != level or not variable.group.startswith(groups_prefix):
            continue
        value = coded.get(variable.id)
        shown = derive.plain(data, value, variable.id)
        rows.append({
            "id": variable.id,
            "group": variable.group,
            "label": getattr(variable.label, language),
            "type": variable.type,
            "value": shown,
            "meaning": tables.value_label(data, variable.id, shown, language),
            "evidence": value.evidence if value else [],
        })
    return rows


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


def gemeente_context(data: StudyData, case_id: str, renderer: Renderer, base: Path,
                     derived: Derived | None = None) -> dict:
    derived = derived or Derived.of(data)
    language = data.study.language
    case = data.cases[case_id]
    mine = derived.units_of_case.get(case_id, derived.units.iloc[0:0])
    case_row = derived.case_rows[case_id]
    conditions = []
    for condition in data.study.analysis.steering_conditions:
        met = condition.id in str(case_row["conditions_met"]).split(";")
        conditions.append({"label": getattr(condition.label, language), "met": met,
                           "requires": ", ".join(f"{r.variable} ∈ {{{', '.join(r.values)}}}" for r in condition.all_of)})
    refs = derived.refs_of_case.get(case_id, [])
    org_files = sorted({data.files[f"{data.organisation_kind()}/{r.organisation.id}"] for r in refs})
    rows = coded_rows(data, case.coded, "case", language)
    labels = LABELS[language]
    return {
        "L": labels, "language": language, "study": data.study, "case": case, "rows": rows,
        "background_rows": [[r["label"], r["value"]] for r in rows if r["group"] == "achtergrond.gemeente"],
        "steering_rows": [[r["label"], r["value"], r["meaning"]] for r in rows if not r["group"].startswith("achtergrond")],
        "condition_rows": [[c["label"], labels["met"] if c["met"] else labels["not_met"], c["requires"]] for c in conditions],
        "unit_rows": [[u["name"], u["reaction"], u["first_cluster"], u["cluster"], u["predicted_cluster"],
                       labels["yes"] if u["prediction_matches"] == "true" else labels["no"],
                       u["weten"], u["willen"], u["kunnen"], u["moeten"]] for u in mine.to_dict("records")],
        "case_row": case_row, "refs": refs,
        "figures": [report_figures.conditions_heatmap(data, pd.DataFrame([case_row]), language),
                    report_figures.unit_matrix(data, mine, language),
                    report_figures.reaction_timeline(data, language, refs)],
        "colophon": colophon(data, [data.files[f"{data.case_kind()}/{case_id}"]] + org_files, renderer, base),
    }


# A unit's section with its evidence fills about two PDF pages, and Typst holds every page of a document in
# memory (about 2 MB a page). A national provider working in hundreds of gemeenten would get a report of
# hundreds of pages that nobody reads and that alone needs well over 1 GB to typeset; above this many units
# its report shows every unit in one table and the evidence of the most telling units.
MAX_UNIT_SECTIONS = 20


def detailed_units(refs: list, unit_rows: dict, limit: int | None = None) -> list:
    """The units whose evidence sections the report shows, in their original order: all of them up to
    `limit`; beyond it, first the units that deviate from the prediction or changed cluster."""
    limit = MAX_UNIT_SECTIONS if limit is None else limit
    if len(refs) <= limit:
        return list(refs)

    def telling(ref) -> bool:
        row = unit_rows[ref.unit_id]
        return row["prediction_matches"] != "true" or row["first_cluster"] != row["cluster"]

    ranked = sorted(range(len(refs)), key=lambda i: (not telling(refs[i]), i))[:limit]
    return [refs[i] for i in sorted(ranked)]


def aanbieder_context(data: StudyData, org_id: str, renderer: Renderer, base: Path,
                      derived: Derived | None = None) -> dict:
    derived = derived or Derived.of(data)
    language = data.study.language
    labels = LABELS[language]
    org = data.organisations[org_id]
    refs = derived.refs_of_organisation.get(org_id, [])
    unit_blocks = []
    for ref in detailed_units(refs, derived.unit_rows):
        periods = [{"start": p.start, "end": p.end, "tactics": p.tactics,
                    "cluster": derive.period_cluster(data, p), "evidence": p.evidence} for p in ref.unit.reaction]
        rows = coded_rows(data, ref.unit.coded, "unit", language)
        unit_blocks.append({
            "ref": ref, "row": derived.unit_rows[ref.unit_id], "periods": periods,
            "case_name": data.cases[ref.unit.case].name, "rows": rows,
            "period_rows": [[f"{p['start'] or '?'}–{p['end'] or '?'}", " + ".join(p["tactics"]), p["cluster"]]
                            for p in periods],
            "table_rows": [[r["label"], r["value"], r["meaning"]] for r in rows],
        })
    overview_rows = []
    for ref in refs:
        u = derived.unit_rows[ref.unit_id]
        overview_rows.append([u["name"], data.cases[ref.unit.case].name, u["reaction"], u["first_cluster"],
                              u["cluster"], u["predicted_cluster"],
                              labels["yes"] if u["prediction_matches"] == "true" else labels["no"],
                              u["weten"], u["willen"], u["kunnen"], u["moeten"]])
    org_file = data.files[f"{data.organisation_kind()}/{org_id}"]
    case_files = sorted({data.files[f"{data.case_kind()}/{u.case}"] for u in org.units})
    return {
        "L": labels, "language": language, "study": data.study, "org": org,
        "rows": (org_rows := coded_rows(data, org.coded, "organisation", language)),
        "profile_rows": [[r["label"], r["value"]] for r in org_rows], "unit_blocks": unit_blocks,
        "overview_rows": overview_rows if len(refs) > 1 else [],
        "details_note": labels["details_capped"].format(shown=len(unit_blocks), total=len(refs),
                                                        file=_shown_path(org_file, base))
        if len(unit_blocks) < len(refs) else "",
        "figures": [report_figures.reaction_timeline(data, language, refs)]
        if len(refs) <= report_figures.MAX_ROWS else [],
        "colophon": colophon(data, [org_file] + case_files, renderer, base),
    }


# Column names of block tables (results/<study>/tables/*.csv) as the reader sees them.
BLOCK_COLUMNS = {"case": "case", "label": "variable", "count": "count", "n": "n", "share": "share",
                 "passes": "passes", "rank": "rank", "score": "score", "tie": "tie", "position": "position",
                 "computed": "computed", "reported": "reported", "agrees": "agrees", "n_coded": "n",
                 "part": "variable", "known": "known", "only_computed": "only_computed",
                 "only_reported": "only_reported", "row": "row"}


def block_view(result, labels: dict, data: StudyData | None = None) -> pd.DataFrame:
    """A block's table for reading: ids dropped where a label says the same, case ids as names, a
    threshold block reduced to what passes (the full table is in the CSV), headers in the report language."""
    table = result.table.copy()
    if table.empty:
        return table
    if result.type == "matrix" and result.extra is not None:
        # The source's own layout (one row per part, the cases across); the row per variable is in the CSV.
        return result.extra.rename(columns={c: labels.get(BLOCK_COLUMNS[c], c) for c in result.extra.columns
                                            if c in BLOCK_COLUMNS})
    if result.type == "top-k" and data is not None:
        # The source's layout: a row per rank, a column per case, tied values together in one cell with
        # their score (the row per value is in the CSV).
        cells = table.groupby(["rank", "case"], sort=False).agg(
            label=("label", ", ".join), score=("score", "first")).reset_index()
        cells["cell"] = [f"{label} ({score})" for label, score in zip(cells["label"], cells["score"])]
        wide = cells.pivot(index="rank", columns="case", values="cell").fillna("").sort_index()
        wide = wide[list(dict.fromkeys(table["case"]))]
        wide.columns = [data.cases[c].name if c in data.cases else c.capitalize() for c in wide.columns]
        return wide.reset_index().rename(columns={"rank": labels.get("rank", "rank")})
    if result.type == "threshold" and "passes" in table.columns and "case" in table.columns:
        table = table[table["passes"] == "ja"].drop(columns=["passes"])
    if "label" in table.columns and "variable" in table.columns:
        table = table.drop(columns=["variable"])
    if data is not None and "case" in table.columns:
        table["case"] = [data.cases[c].name if c in data.cases else c for c in table["case"]]
    if data is not None and result.type == "matrix":
        table = table.rename(columns={c: data.cases[c].name for c in table.columns if c in data.cases})
    return table.rename(columns={c: labels.get(BLOCK_COLUMNS[c], c) for c in table.columns if c in BLOCK_COLUMNS})


def block_rows_for_case(result, case_id: str) -> pd.DataFrame | None:
    """The part of a block's table about one case, or None when the block has no per-case rows."""
    table = result.table
    if table.empty:
        return None
    if result.type == "matrix" and case_id in table.columns:
        columns = ["label", case_id, "computed"] + (["reported"] if "reported" in table.columns else [])
        return table[columns]
    for column in ("case", "case_id"):
        if column in table.columns:
            mine = table[table[column] == case_id].drop(columns=[column])
            return mine if not mine.empty else None
    return None


def case_context(data: StudyData, case_id: str, renderer: Renderer, base: Path, results: dict) -> dict:
    """A case of a study without organisations: every coded value with evidence, grouped, and its rows
    in each of the study's blocks."""
    language = data.study.language
    case = data.cases[case_id]
    kind = next(k for k in data.study.unit_kinds if k.kind == case.kind)
    rows = [r for r in coded_rows(data, case.coded, "case", language)
            if (v := data.codebook.variable(r["id"])) and (v.kinds is None or case.kind in v.kinds)]
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row)
    related = [c for c in data.cases.values() if c.part_of == case_id]
    parent = data.cases.get(case.part_of) if case.part_of else None
    block_parts = []
    for block, result in zip(data.study.analysis.blocks, results["blocks"]):
        part = block_rows_for_case(result, case_id) if block.kind == case.kind else None
        if part is not None:
            labels = LABELS[language]
            part = part.drop(columns=["variable"]) if {"label", "variable"} <= set(part.columns) else part
            part = part.rename(columns={c: labels.get(BLOCK_COLUMNS[c], c) for c in part.columns if c in BLOCK_COLUMNS})
            block_parts.append({"label": getattr(block.label, language), "table": part})
    files = [data.files[f"{case.kind}/{case_id}"]] + [data.files[f"{c.kind}/{c.id}"] for c in related]
    if parent is not None:
        files.append(data.files[f"{parent.kind}/{parent.id}"])
    return {
        "L": LABELS[language], "language": language, "study": data.study, "case": case,
        "kind_label": getattr(kind.label, language), "groups": groups, "related": related, "parent": parent,
        "value_rows": [[r["label"], r["value"], r["meaning"] if r["meaning"] != str(r["value"]) else ""]
                       for r in rows],
        "block_parts": block_parts,
        "colophon": colophon(data, files, renderer, base),
    }


def agreement_view(data: StudyData, base: Path, limit: int) -> dict | None:
    """The synthesis section on intercoder agreement (studies with a second coding), or None."""
    if data.study.coding is None:
        return None
    from patroon.reconciliation import check_coding
    from patroon.stages import agreement_frames

    check = check_coding(data.root, data, base)
    if check.comparison is None:
        return None
    labels = LABELS[data.study.language]
    language = data.study.language
    per_variable, disagreements = agreement_frames(check)

    def label(variable_id: str) -> str:
        variable = data.codebook.variable(variable_id)
        if variable is not None:
            return getattr(variable.label, language)
        return labels["reaction_variables"].get(variable_id, labels["pooled"])

    def number(value: object) -> str:
        return "–" if value is None or value != value else f"{value}"

    pooled = per_variable.iloc[-1]
    a, b = check.comparison.coders
    n_disagreements = int((disagreements["kind"] == "verschil").sum())
    rules = f" ({data.study.coding.rules})" if data.study.coding.rules else ""
    intro = labels["agreement_intro"].format(
        a=a, b=b, rules=rules, n=int(pooled.n_agree), total=int(pooled.n_items), percent=number(pooled.percent_agreement),
        kappa=number(pooled.cohen_kappa), alpha=number(pooled.krippendorff_alpha),
        open=n_disagreements, file=f"data/{data.study.id}/{data.study.coding.reconciliation}")
    corrections = disagreements[disagreements["kind"] == "correctie"]
    disagreements = disagreements[disagreements["kind"] == "verschil"]
    undecided = int((disagreements["decision"] == "").sum())
    rows = [[label(r.variable), labels["levels"].get(r.level, r.level), r.n_items, number(r.percent_agreement),
             number(r.cohen_kappa), number(r.krippendorff_alpha), r.n_disagreements]
            for r in per_variable.itertuples()]
    shown = disagreements.head(limit)
    detail = [[label(r.variable), r.item, r.value_a, r.value_b, r.decision, r.reason] for r in shown.itertuples()]
    headers = [h.format(a=a, b=b) for h in labels["disagreement_columns"]]
    corrected = [[label(r.variable), r.item, r.value_a, r.decision, r.reason] for r in corrections.itertuples()]
    return {"intro": intro,
            "corrections": md_table(corrected, labels["correction_columns"]),
            "undecided": labels["agreement_undecided"].format(n=undecided) if undecided else "",
            "table": md_table(rows, labels["agreement_columns"]),
            "disagreements": md_table(detail, headers),
            "more": (f"{limit} / {len(disagreements)}: results/{data.study.id}/agreement-verschillen.csv"
                     if len(disagreements) > limit else "")}


def synthesis_context(data: StudyData, results: dict, renderer: Renderer, base: Path) -> dict:
    from patroon import narrative, register

    language = data.study.language
    figures = [f for block, result in zip(data.study.analysis.blocks, results["blocks"])
               if (f := report_figures.block_figure(data, block, result, language)) is not None]
    if "units" in results:
        # A figure with a row per unit stops being readable (and costs more to typeset than the rest of
        # the report) at national scale; the gemeente reports draw the same rows per gemeente.
        if len(results["cases"]) <= report_figures.MAX_ROWS:
            figures.append(report_figures.conditions_heatmap(data, results["cases"], language))
        if len(results["units"]) <= report_figures.MAX_ROWS:
            figures += [report_figures.unit_matrix(data, results["units"], language),
                        report_figures.reaction_timeline(data, language)]
    register_rows = register.evaluate(data, results["blocks"], language)
    for row in register_rows:
        if row.author_view is not None:
            row.author_view = row.author_view.rename(columns={
                c: LABELS[language].get(BLOCK_COLUMNS[c], c) for c in row.author_view.columns if c in BLOCK_COLUMNS})
    return {
        "register": {"table": register.table(register_rows, language), "rows": register_rows,
                     "counts": register.counts(register_rows), "words": register.WORDS[language],
                     "by_block": {b.id: [r for r in register_rows if r.item.block == b.id]
                                  for b in data.study.analysis.blocks},
                     "findings": [r for r in register_rows if r.item.status == "gecodeerd" and r.item.author
                                  and r.item.block is None]},
        "L": LABELS[language], "language": language, "study": data.study, "results": results, "figures": figures,
        "crosstab_specs": data.study.analysis.crosstabs,
        "max_rows": report_figures.MAX_ROWS,
        "all_rows_in": (f"alle rijen in results/{data.study.id}/{data.study.id}.xlsx" if language == "nl"
                        else f"all rows in results/{data.study.id}/{data.study.id}.xlsx"),
        "blocks": [(block, result, block_view(result, LABELS[language], data))
                   for block, result in zip(data.study.analysis.blocks, results["blocks"])],
        "text": narrative.synthesis_text(data, results, language),
        "agreement": agreement_view(data, base, report_figures.MAX_ROWS),
        "colophon": colophon(data, sorted(data.files.values()), renderer, base),
    }


# The text width of an A4 page with 2 cm margins (17 cm) in CSS pixels (Typst reads an SVG's px as 0.75 pt).
TEXT_WIDTH_PX = figures.MAX_WIDTH


def figure_width(svg: str) -> float:
    match = re.search(r'<svg[^>]*\swidth="([0-9.]+)"', svg)
    return float(match[1]) if match else 0.0


def attach_figures(context: dict, stem: str, out: Path) -> dict[Path, str]:
    """Give the template one Markdown image per figure (`fig[name]`), pointing at
    reports/<study>/figures/<stem>-<name>.svg relative to the report; return the files to write."""
    depth = stem.count("/")
    files, markdown = {}, {}
    for figure in context.get("figures", []):
        file_name = f"{stem.replace('/', '-')}-{figure.name}.svg"
        files[out / "figures" / file_name] = figure.svg
        # Numbered (`#fig-`) like the tables; a figure wider than the A4 text width is scaled to fit it.
        fit = ' width="100%"' if figure_width(figure.svg) > TEXT_WIDTH_PX else ""
        markdown[figure.name] = (f"![{escape.markdown(figure.alt)}]({'../' * depth}figures/{file_name})"
                                 f"{{#fig-{slug(figure.name)}{fit}}}")
    context["fig"] = markdown
    return files


def render_template(name: str, context: dict) -> str:
    return environment().get_template(name).render(**context)
