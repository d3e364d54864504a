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

from patroon import __version__, derive, escape, figures, i18n, pandoc_batch, quarto, report_figures, tables
from patroon.reader import Reader
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

def labels_of(language: str) -> dict:
    """The report labels of a language, from its message catalog (src/patroon/messages/<language>.yaml)."""
    return i18n.catalog(language)["labels"]


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
    loader = jinja2.FileSystemLoader(str(resources.files("patroon") / "templates"))
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, **JINJA_SYNTAX)
    env.filters["md"] = escape.markdown
    env.filters["yamlstr"] = escape.yaml_string
    env.filters["typst"] = escape.typst_string
    env.filters["code"] = escape.code_span
    env.filters["sentence"] = end_sentence
    env.filters["ref"] = lambda evidence, language="nl": tables.evidence_ref(evidence, labels_of(language)["inferred"])
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


REPORT_LINK = re.compile(r'#link\("(?!\w+:)([^"#]*?)\.html(#[^"]*)?"\)')


def pdf_links(markup: str) -> str:
    """In a PDF, a link to another report opens that report's PDF (the same relative path, .pdf); the
    index exists only as HTML."""
    return REPORT_LINK.sub(lambda m: m.group(0) if m.group(1).endswith("index")
                           else f'#link("{m.group(1)}.pdf{m.group(2) or ""}")', markup)


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
    def write(path: Path, content: str | bytes) -> None:
        # Checked above (the PDF through the text it is typeset from); recorded, so that a refusal later in
        # this job removes it again with the rest.
        write_text(path, content)
        guard.record(path)

    for report in pending:
        guard.check(report.qmd_path, report.qmd)
        for path, svg in report.figure_files.items():
            guard.check(path, svg)
    for report in pending:
        for path, svg in report.figure_files.items():
            write(path, svg)
        report.qmd_path.parent.mkdir(parents=True, exist_ok=True)
    if renderer.name == "quarto":
        # Quarto renders the .qmd where it lies, inside the study's project (see patroon.quarto).
        for report in pending:
            write(report.qmd_path, report.qmd)
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
            rendered["pdf"] = typeset(pdf_links(result.typst), report.qmd_path.parent, root)
        write(report.qmd_path, report.qmd)
        for fmt, content in rendered.items():
            write(report.qmd_path.with_suffix(f".{fmt}"), content)


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
    """A codebook group ('factor.vertrouwen' style ids) as a heading: the label of the variable of that id
    when there is one, else the group's last part in words."""
    variable = data.codebook.variable(group)
    if variable is not None:
        return getattr(variable.label, language)
    last = group.split(".")[-1].replace("-", " ")
    return last[:1].upper() + last[1:]


def link(path: str, text: str) -> dict:
    return {"href": path, "text": text}


def navigation(data: StudyData, stem: str, related: list[dict], related_label: str = "") -> str:
    """The links every report carries, as Markdown: the index, its study's synthesis, and its related
    reports (a gemeente its providers, a provider its gemeenten, the synthesis every report), relative
    to the report so they work wherever the reports folder is copied."""
    labels = labels_of(data.study.language)
    up = "../" * stem.count("/")
    links = [(f"{up}../index.html", labels["index"])]
    if stem != "synthese":
        links.append((f"{up}synthese.html", labels["study_synthesis"]))
    lines = [" · ".join(f"[{escape.markdown(text)}]({href})" for href, text in links)]
    if related:
        lines.append(escape.markdown(related_label or labels["related_reports"]) + ": " +
                     ", ".join(f"[{escape.markdown(r['text'])}]({up}{r['stem']}.html)" for r in related))
    return "::: {.nav}\n" + "\n\n".join(lines) + "\n:::\n"


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


def gemeente_context(data: StudyData, case_id: str, renderer: Renderer, base: Path,
                     derived: Derived | None = None) -> dict:
    derived = derived or Derived.of(data)
    language = data.study.language
    reader = Reader.of(data, language)
    case = data.cases[case_id]
    mine = derived.units_of_case.get(case_id, derived.units.iloc[0:0])
    case_row = derived.case_rows[case_id]
    conditions = []
    for condition in data.study.analysis.steering_conditions:
        met = condition.id in str(case_row["conditions_met"]).split(";")
        conditions.append({"label": getattr(condition.label, language), "met": met,
                           "requires": "; ".join(reader.requirement(r.variable, r.values) for r in condition.all_of)})
    refs = derived.refs_of_case.get(case_id, [])
    org_kind = data.organisation_kind()
    org_plural = next(k.plural for k in data.study.unit_kinds if k.kind == org_kind)
    org_files = sorted({data.files[f"{org_kind}/{r.organisation.id}"] for r in refs})
    rows = coded_rows(data, case.coded, "case", language)
    labels = labels_of(language)
    organisations = list(dict.fromkeys(r.organisation.id for r in refs))
    related = [{"stem": f"{org_plural}/{o}", "text": data.organisations[o].name} for o in organisations]
    case_plural = next(k.plural for k in data.study.unit_kinds if k.kind == case.kind)
    return {
        "L": labels, "language": language, "study": data.study, "readable_notes": reader.notes, "case": case, "rows": rows,
        "nav": navigation(data, f"{case_plural}/{case_id}", related, labels["providers_here"]),
        "background_rows": [[r["label"], r["meaning"]] for r in rows if r["group"] == "achtergrond.gemeente"],
        "steering_rows": [[r["label"], r["meaning"]] for r in rows if not r["group"].startswith("achtergrond")],
        "conditions_met": labels["conditions_met"].format(met=reader.m.number(case_row["steering_conditions_met"]),
                                                          total=reader.m.number(case_row["steering_conditions_total"])),
        "condition_rows": [[c["label"], labels["met"] if c["met"] else labels["not_met"], c["requires"]] for c in conditions],
        "unit_rows": [unit_summary_row(reader, u) for u in mine.to_dict("records")],
        "unit_headers": unit_summary_headers(reader),
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


def period_text(period, labels: dict) -> str:
    if period.start is None and period.end is None:
        return labels["undated"]
    return f"{period.start or '?'}–{period.end or '?'}"


def aanbieder_context(data: StudyData, org_id: str, renderer: Renderer, base: Path,
                      derived: Derived | None = None) -> dict:
    derived = derived or Derived.of(data)
    language = data.study.language
    reader = Reader.of(data, language)
    labels = labels_of(language)
    org = data.organisations[org_id]
    refs = derived.refs_of_organisation.get(org_id, [])
    unit_blocks = []
    for ref in detailed_units(refs, derived.unit_rows):
        periods = [{"start": p.start, "end": p.end, "tactics": p.tactics,
                    "cluster": derive.period_cluster(data, p), "evidence": p.evidence} for p in ref.unit.reaction]
        rows = coded_rows(data, ref.unit.coded, "unit", language)
        row = derived.unit_rows[ref.unit_id]
        unit_blocks.append({
            "ref": ref, "row": row, "periods": periods,
            "case_name": data.cases[ref.unit.case].name, "rows": rows,
            "summary": {"cluster": reader.cluster(row["cluster"]), "first": reader.cluster(row["first_cluster"]),
                        "predicted": reader.cluster(row["predicted_cluster"]),
                        "because": prediction_because(data, row["prediction_rule"], language),
                        "matches": reader.code(row["prediction_matches"])},
            "period_rows": [[period_text(p, labels), (p.label or ""), " + ".join(reader.tactic(t) for t in p.tactics),
                             reader.cluster(derive.period_cluster(data, p))] for p in ref.unit.reaction],
            "table_rows": [[r["label"], r["meaning"]] for r in rows],
        })
    overview_rows = [unit_summary_row(reader, derived.unit_rows[ref.unit_id], with_case=True) for ref in refs]
    org_file = data.files[f"{data.organisation_kind()}/{org_id}"]
    case_files = sorted({data.files[f"{data.case_kind()}/{u.case}"] for u in org.units})
    org_plural = next(k.plural for k in data.study.unit_kinds if k.kind == data.organisation_kind())
    case_plural = next(k.plural for k in data.study.unit_kinds if k.kind == data.case_kind())
    case_ids = list(dict.fromkeys(u.case for u in org.units))
    related = [{"stem": f"{case_plural}/{c}", "text": data.cases[c].name} for c in case_ids]
    return {
        "L": labels, "language": language, "study": data.study, "readable_notes": reader.notes, "org": org,
        "nav": navigation(data, f"{org_plural}/{org_id}", related, labels["cases_of_provider"]),
        "rows": (org_rows := coded_rows(data, org.coded, "organisation", language)),
        "profile_rows": [[r["label"], r["meaning"]] for r in org_rows], "unit_blocks": unit_blocks,
        "overview_rows": overview_rows if len(refs) > 1 else [],
        "overview_headers": unit_summary_headers(reader, with_case=True),
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


def block_value_labels(data: StudyData, block, result, reader: Reader):
    """A cell converter for a block's table: a coded value as its codebook label, looked up by the row's
    variable (matrix) or among the block's variables (a cross-tab's value columns)."""
    table = result.table

    def row_value(column, value, record):
        variable_id = record.get("variable")
        if column in data.cases and variable_id:
            return reader.compact(variable_id, value) if result.type == "matrix" else reader.value(variable_id, value)
        if column in ("computed", "reported") and isinstance(value, str):
            return reader.any_code(value)
        if column in ("value", "group", "variable") and isinstance(value, str):
            if value in ("totaal", "total"):
                return reader.label("total")
            if data.codebook.variable(value) is not None:
                return reader.variable(value)
            if column == "group":
                return group_label(data, value, reader.language)
        if column == "part" and isinstance(value, str):
            return value.replace("-", " ") if value else reader.label("total")
        return None

    variables = [v for v in dict.fromkeys(table["variable"])] if "variable" in table.columns else []
    codes: dict[str, str] = {}
    for variable_id in variables:
        variable = data.codebook.variable(variable_id)
        if variable is not None and variable.type == "categorical":
            for value in data.codebook.allowed_values(variable):
                codes.setdefault(value.code, getattr(value.label, reader.language))
    for missing in data.codebook.missing_codes:
        codes.setdefault(missing.code, getattr(missing.label, reader.language))
    return row_value, codes


def block_view(result, reader: Reader, data: StudyData, block=None) -> pd.DataFrame:
    """A block's table for reading: ids dropped where a label says the same, case ids as names, codes as
    the codebook's labels, a threshold block reduced to what passes (the full table is in the CSV),
    headers in the report language."""
    table = result.table.copy()
    if table.empty:
        return table
    labels = reader.catalog["labels"]
    if result.type == "matrix" and result.extra is not None:
        # The source's own layout (one row per part, the cases across); the row per variable is in the CSV.
        return result.extra.rename(columns={c: labels.get(BLOCK_COLUMNS[c], c) for c in result.extra.columns
                                            if c in BLOCK_COLUMNS})
    if result.type == "top-k" and "case" in table.columns:
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
    row_value, codes = block_value_labels(data, block, result, reader)
    shown = reader.frame(table, row_values=row_value, rename=False)
    if "label" in shown.columns and "variable" in shown.columns:
        # The row's variable decided how its cells read; its label says what the reader needs.
        shown = shown.drop(columns=["variable"]).rename(columns={"label": "variable"})
    # Value columns of a cross-tab are codes: their label (the codebook's, or the shared short codes).
    return shown.rename(columns={c: reader.header(c) if c in reader.catalog["columns"] or c in data.cases
                                 else codes.get(c, reader.any_code(c)) for c in shown.columns})


def block_rows_for_case(result, case_id: str) -> pd.DataFrame | None:
    """The part of a block's table about one case, or None when the block has no per-case rows."""
    table = result.table
    if table.empty:
        return None
    if result.type == "matrix" and case_id in table.columns:
        columns = ["variable", "label", case_id, "computed"] + (["reported"] if "reported" in table.columns else [])
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
    reader = Reader.of(data, language)
    case = data.cases[case_id]
    kind = next(k for k in data.study.unit_kinds if k.kind == case.kind)
    rows = [r for r in coded_rows(data, case.coded, "case", language)
            if (v := data.codebook.variable(r["id"])) and (v.kinds is None or case.kind in v.kinds)]
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(group_label(data, row["group"], language), []).append(row)
    related = [c for c in data.cases.values() if c.part_of == case_id]
    parent = data.cases.get(case.part_of) if case.part_of else None
    block_parts = []
    for block, result in zip(data.study.analysis.blocks, results["blocks"]):
        part = block_rows_for_case(result, case_id) if block.kind == case.kind else None
        if part is not None:
            from types import SimpleNamespace

            view = block_view(SimpleNamespace(table=part, type=result.type, extra=None), reader, data, block)
            block_parts.append({"label": getattr(block.label, language), "table": view})
    files = [data.files[f"{case.kind}/{case_id}"]] + [data.files[f"{c.kind}/{c.id}"] for c in related]
    if parent is not None:
        files.append(data.files[f"{parent.kind}/{parent.id}"])
    plural = {k.kind: k.plural for k in data.study.unit_kinds}
    links = ([{"stem": f"{plural[parent.kind]}/{parent.id}", "text": parent.name}] if parent else []) + \
        [{"stem": f"{plural[c.kind]}/{c.id}", "text": c.name} for c in related]
    labels = labels_of(language)
    return {
        "L": labels, "language": language, "study": data.study, "readable_notes": reader.notes, "case": case,
        "nav": navigation(data, f"{kind.plural}/{case_id}", links),
        "kind_label": getattr(kind.label, language), "groups": groups, "related": related, "parent": parent,
        "value_rows": [[r["label"], r["meaning"]] for r in rows],
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
    labels = labels_of(data.study.language)
    language = data.study.language
    m = i18n.Messages(language)
    per_variable, disagreements = agreement_frames(check)

    def label(variable_id: str) -> str:
        variable = data.codebook.variable(variable_id)
        if variable is not None:
            return getattr(variable.label, language)
        return labels["reaction_variables"].get(variable_id, labels["pooled"])

    def number(value: object) -> str:
        return m.number(value, 0 if isinstance(value, int) else 2)

    pooled = per_variable.iloc[-1]
    a, b = check.comparison.coders
    n_disagreements = int((disagreements["kind"] == "verschil").sum())
    rules = f" ({data.study.coding.rules})" if data.study.coding.rules else ""
    intro = labels["agreement_intro"].format(
        a=a, b=b, rules=rules, n=m.number(int(pooled.n_agree)), total=m.number(int(pooled.n_items)), percent=m.number(pooled.percent_agreement, 1),
        kappa=number(pooled.cohen_kappa), alpha=number(pooled.krippendorff_alpha),
        open=n_disagreements, file=f"data/{data.study.id}/{data.study.coding.reconciliation}")
    corrections = disagreements[disagreements["kind"] == "correctie"]
    disagreements = disagreements[disagreements["kind"] == "verschil"]
    undecided = int((disagreements["decision"] == "").sum())
    rows = [[label(r.variable), labels["levels"].get(r.level, r.level), m.number(r.n_items), m.number(r.percent_agreement, 1),
             number(r.cohen_kappa), number(r.krippendorff_alpha), r.n_disagreements]
            for r in per_variable.itertuples()]
    shown = disagreements.head(limit)
    reader = Reader.of(data, language)

    def coded(variable_id: str, value: object) -> str:
        if variable_id in ("reactie.eerste-cluster", "reactie.cluster"):
            return reader.cluster(str(value))
        return reader.value(variable_id, value) if value not in ("", None) else ""

    detail = [[label(r.variable), reader.unit(str(r.item)), coded(r.variable, r.value_a), coded(r.variable, r.value_b),
               coded(r.variable, r.decision), r.reason] for r in shown.itertuples()]
    headers = [h.format(a=a, b=b) for h in labels["disagreement_columns"]]
    corrected = [[label(r.variable), r.item, r.value_a, r.decision, r.reason] for r in corrections.itertuples()]
    return {"intro": intro,
            "corrections": md_table(corrected, labels["correction_columns"]),
            "undecided": labels["agreement_undecided"].format(n=undecided) if undecided else "",
            "table": md_table(rows, labels["agreement_columns"]),
            "disagreements": md_table(detail, headers),
            "more": (f"{m.number(limit)} / {m.number(len(disagreements))}: results/{data.study.id}/agreement-verschillen.csv"
                     if len(disagreements) > limit else "")}


def qca_view(reader: Reader, qca) -> dict | None:
    """The QCA tables and expressions for reading: conditions by their labels, units by name, yes/no and
    numbers in the report language. The CSVs in results/<study>/qca/ keep the machine names."""
    if not qca:
        return None
    conditions = list(qca.conditions)
    names = {c: reader.header(c) for c in conditions}

    def expression(text: str) -> str:
        # Longest names first, so a condition whose id contains another's is replaced whole.
        for condition in sorted(conditions, key=len, reverse=True):
            text = text.replace(condition, names[condition])
        return text.replace("*", " · ")

    def cells(column, value, record):
        if column in conditions or column in ("OUT", "membership", "row", "n", "n_outcome", "units"):
            return str(value)
        if column == "condition" and isinstance(value, str):
            return ("~" + names.get(value[1:], value[1:])) if value.startswith("~") else names.get(value, value)
        if column in ("complex", "intermediate", "parsimonious") and isinstance(value, str):
            return expression(value)
        if column == "in_use":
            return reader.code("ja" if value else "nee")
        if column == "cases" and isinstance(value, str):
            return ", ".join(reader.unit(u) for u in value.replace(";", ",").split(",") if u)
        return None

    def number(value):
        return reader.m.number(value, 2) if isinstance(value, (int, float)) else value

    labels = reader.catalog["labels"]

    def frame(table, headers: dict | None = None):
        if table is None:
            return None
        if headers is not None:  # the section's own column names (calibration, robustness)
            return reader.frame(table, row_values=cells, rename=False).rename(columns=headers)
        return reader.frame(table, row_values=cells, rename=False).rename(
            columns={c: names.get(c) or reader.header(c) for c in table.columns})

    def solutions(result):
        return [{**s, "expression": expression(s["expression"]),
                 "outcome": ("~" if s["outcome"].startswith("~") else "") + reader.cluster(s["outcome"].lstrip("~")),
                 "consistency": number(s["consistency"]), "coverage": number(s["coverage"]),
                 "term_details": [{**t, "term": expression(t["term"]), "inclS": number(t["inclS"]),
                                   "covS": number(t["covS"]), "covU": number(t["covU"])}
                                  for t in s.get("term_details", [])]}
                for s in result.solutions]

    negated = qca.negated
    return {"conditions": [names[c] for c in conditions], "outcome": reader.cluster(str(qca.outcome).lstrip("~")),
            "calibration": frame(qca.calibration, labels["qca_calibration_columns"]),
            "truth_table": frame(qca.truth_table), "necessity": frame(qca.necessity),
            "robustness": frame(qca.robustness, labels["qca_robustness_columns"]),
            "results": [r for r in ({"outcome": reader.cluster(str(qca.outcome)), "solutions": solutions(qca)},
                                    {"outcome": "~" + reader.cluster(str(negated.outcome).lstrip("~")),
                                     "solutions": solutions(negated)} if negated else None) if r]}


def synthesis_context(data: StudyData, results: dict, renderer: Renderer, base: Path) -> dict:
    from patroon import narrative, register

    language = data.study.language
    reader = Reader.of(data, language)
    labels = labels_of(language)
    figures = [f for block, result in zip(data.study.analysis.blocks, results["blocks"])
               if (f := report_figures.block_figure(data, block, result, language)) is not None]
    view: dict = {}
    if "units" in results:
        # A figure with a row per unit stops being readable (and costs more to typeset than the rest of
        # the report) at national scale; the gemeente reports draw the same rows per gemeente.
        if len(results["cases"]) <= report_figures.MAX_ROWS:
            figures.append(report_figures.conditions_heatmap(data, results["cases"], language))
        if len(results["units"]) <= report_figures.MAX_ROWS:
            figures += [report_figures.unit_matrix(data, results["units"], language),
                        report_figures.reaction_timeline(data, language)]
        groups = list(data.study.analysis.profile_groups)
        view = {
            "units": reader.frame(results["units"][["unit_id", "case_id", "reaction", "first_cluster", "cluster",
                                                    "predicted_cluster", *groups, "opposing_forces"]]),
            "cases": reader.frame(results["cases"][["case_id", "steering_conditions_met", "steering_conditions_total",
                                                    "share_volgen", "conditions_not_met"]]),
            "crosstabs": {spec.id: reader.crosstab(results["crosstabs"][spec.id], spec.rows, spec.columns)
                          for spec in data.study.analysis.crosstabs},
            "profiles": reader.profiles(results["profiles"]),
            "changes": reader.frame(results["changes"][["unit_id", "case_id", "cluster_path", "reaction"]])
            if len(results["changes"]) else results["changes"],
            "differences": reader.frame(results["steering_differences"][["case_id", "unit_id", "difference"]]),
            "qca": qca_view(reader, results.get("qca")),
        }
    register_rows = register.evaluate(data, results["blocks"], language)
    for row in register_rows:
        if row.author_view is not None:
            row.author_view = row.author_view.rename(columns={
                c: labels.get(BLOCK_COLUMNS[c], c) for c in row.author_view.columns if c in BLOCK_COLUMNS})
    plural = {k.kind: k.plural for k in data.study.unit_kinds}
    related = [{"stem": f"{plural[case.kind]}/{case_id}", "text": case.name} for case_id, case in data.cases.items()]
    if data.organisations:
        org_plural = plural[data.organisation_kind()]
        related += [{"stem": f"{org_plural}/{org_id}", "text": org.name} for org_id, org in data.organisations.items()]
    workbook = f"results/{data.study.id}/{data.study.id}.xlsx"
    return {
        "register": {"table": register.table(register_rows, language), "rows": register_rows,
                     "counts": register.counts(register_rows), "words": register.WORDS[language],
                     "by_block": {b.id: [r for r in register_rows if r.item.block == b.id]
                                  for b in data.study.analysis.blocks},
                     "findings": [r for r in register_rows if r.item.status == "gecodeerd" and r.item.author
                                  and r.item.block is None]},
        "L": labels, "language": language, "study": data.study, "readable_notes": reader.notes, "results": results, "figures": figures,
        "view": view, "nav": navigation(data, "synthese", related),
        "crosstab_specs": data.study.analysis.crosstabs,
        "max_rows": report_figures.MAX_ROWS,
        "all_rows_in": reader.m.text("all_rows_in", file=workbook),
        "blocks": [(block, result, block_view(result, reader, data, block))
                   for block, result in zip(data.study.analysis.blocks, results["blocks"])],
        "text": narrative.synthesis_text(data, results, language),
        "anchors": {"expectation": narrative.expectation_anchor, "block": narrative.block_anchor},
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
    reports/<study>/figures/<stem with dashes>/<name>.svg relative to the report; return the files to write."""
    from patroon.workflow import figure_folder

    depth = stem.count("/")
    files, markdown = {}, {}
    for figure in context.get("figures", []):
        file_name = f"{figure_folder(stem)}/{figure.name}.svg"
        files[out / file_name] = figure.svg
        # Numbered (`#fig-`) like the tables; a figure wider than the A4 text width is scaled to fit it.
        fit = ' width="100%"' if figure_width(figure.svg) > TEXT_WIDTH_PX else ""
        markdown[figure.name] = (f"![{escape.markdown(figure.alt)}]({'../' * depth}{file_name})"
                                 f"{{#fig-{slug(figure.name)}{fit}}}")
    context["fig"] = markdown
    return files


def render_template(name: str, context: dict) -> str:
    return environment().get_template(name).render(**context)
