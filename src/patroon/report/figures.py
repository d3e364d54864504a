"""Which figures each report gets, built from the same derived frames as its tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from patroon.data.derive import period_cluster, unit_refs
from patroon.data.study_data import StudyData
from patroon.report import escape, i18n, svg
from patroon.report.markdown import slug
from patroon.report.paths import figure_folder
from patroon.report.reader import Reader
from patroon.report.svg import Bar, Figure

# Above this many rows a figure is left out of the synthesis (its table and the per-case reports remain).
MAX_ROWS = 120

def alt(language: str, key: str, **words: str) -> str:
    """A figure's alt text (its caption); `words` fill its placeholders (the study's word for a case)."""
    return i18n.catalog(language)["alt"][key].format(**words)


def study_period(data: StudyData) -> tuple[int | None, int]:
    """The years a timeline covers: the study's declared period, else from the earliest year in the
    reactions to the year the source appeared (nothing later can have been observed)."""
    known = getattr(data, "_study_period", None)
    if known is not None:  # once per study: computed per report, a national build went quadratic
        return known
    declared = data.study.analysis.study_period
    start = declared.start if declared and declared.start is not None else None
    end = declared.end if declared and declared.end is not None else data.study.source.year
    if start is None:
        years = [p.start for org in data.organisations.values() for u in org.units for p in u.reaction
                 if p.start is not None] + [p.end for org in data.organisations.values() for u in org.units
                                            for p in u.reaction if p.end is not None]
        start = min([y for y in years if y <= end], default=end)
    data._study_period = (start, end)
    return start, end


def conditions_heatmap(data: StudyData, cases: pd.DataFrame, language: str, name: str = "voorwaarden") -> Figure:
    conditions = data.study.analysis.steering_conditions
    # "ja"/"nee" in the cells (the colour and the caption say met/not met): with eight conditions the words
    # "niet voldaan" made the grid wider than the A4 text, and scaled to fit, its text fell under 7 pt.
    values = i18n.Messages(language).catalog["values"]
    words = {"met": values["ja"], "partly_met": i18n.Messages(language).catalog["labels"]["partly_short"],
             "not_met": values["nee"]}
    cells, shown = [], []
    for row in cases.itertuples():
        met = set(str(row.conditions_met).split(";"))
        partly = set(str(getattr(row, "conditions_partly", "")).split(";"))
        status = ["met" if c.id in met else "partly_met" if c.id in partly else "not_met" for c in conditions]
        cells.append(status)
        shown.append([words[s] for s in status])
    # met/total, and the score where partly met conditions count half
    labels = [f"{row.name} ({row.steering_conditions_met}/{row.steering_conditions_total}"
              + (f"; {i18n.number(row.steering_conditions_score, language, 1)})"
                 if hasattr(row, "steering_conditions_score") else ")") for row in cases.itertuples()]
    return svg.grid(name, alt(language, "conditions"), labels, [getattr(c.label, language) for c in conditions],
                        cells, shown=shown)


def unit_matrix(data: StudyData, units: pd.DataFrame, language: str, name: str = "weten-willen-kunnen-moeten") -> Figure:
    groups = list(data.study.analysis.profile_groups)
    order = {c.id: i for i, c in enumerate(data.codebook.clusters)}
    labels = {c.id: getattr(c.label, language) for c in data.codebook.clusters}
    ordered = units.assign(_o=units["cluster"].map(order)).sort_values(["_o", "unit_id"], kind="stable")
    reader = Reader.of(data, language)
    records = ordered.to_dict("records")
    return svg.grid(name, alt(language, "matrix"), ordered["name"].tolist(), [reader.variable(g) for g in groups],
                        [[str(r[g]) for g in groups] for r in records],
                        groups=[labels.get(c, c) for c in ordered["cluster"]],
                        shown=[[reader.value(g, r[g], short=True) for g in groups] for r in records])


def reaction_timeline(data: StudyData, language: str, refs: list | None = None, name: str = "tijdlijn") -> Figure:
    """Each unit's reaction periods over the study period. The alt text (the report's caption) says how an
    undated period is placed and names any period outside the study period, which is not drawn."""
    refs = unit_refs(data) if refs is None else refs
    reader = Reader.of(data, language)
    rows = [(ref.unit.name, [Bar(p.start, p.end, " + ".join(reader.tactic(t) for t in p.tactics),
                                 period_cluster(data, p)) for p in ref.unit.reaction]) for ref in refs]
    start, end = study_period(data)
    messages = i18n.Messages(language)
    text = alt(language, "timeline")
    if any(b.start is None or b.end is None for _, bars in rows for b in bars):
        text += " " + messages.text("undated_note", start=start, end=end)
    outside = [f"{label} ({bar.start}–{bar.end or '?'}: {bar.label})" for label, bars in rows
               for bar, place in zip(bars, svg.place_periods(bars, start, end)) if place is None]
    if outside:
        text += " " + messages.text("outside_note", items=messages.join(outside))
    clusters = [c.id for c in data.codebook.clusters]
    return svg.timeline(name, text, rows, clusters,
                            {c.id: getattr(c.label, language) for c in data.codebook.clusters}, period=(start, end))


# A matrix shows its cases across while they fit an A4 page: beyond this many (and when there are more
# cases than variables) the cases run down instead, in the table and in its figure. Eighteen countries
# across made a header of names printed over each other and names broken between letters.
CASES_ACROSS = 8


def cases_down(n_cases: int, n_variables: int) -> bool:
    return n_cases > CASES_ACROSS and n_cases > n_variables


def block_figure(data: StudyData, block, result, language: str) -> Figure | None:
    """The figure that fits a block's table, or None (crosstabs and top-k read best as tables)."""
    table = result.table
    if table.empty:
        return None
    names = {case_id: case.name for case_id, case in data.cases.items()}
    if block.type == "threshold" and block.per == "case":
        variables = list(dict.fromkeys(table["variable"]))
        cases = list(dict.fromkeys(table["case"]))
        lookup = table.set_index(["variable", "case"])
        labels = [lookup.loc[(v, cases[0]), "label"] for v in variables]
        shown = [[f"{lookup.loc[(v, c), 'count']}/{lookup.loc[(v, c), 'n']}" for c in cases] for v in variables]
        fills = [[svg.share_fill(None if pd.isna(lookup.loc[(v, c), "share"]) else lookup.loc[(v, c), "share"])
                  for c in cases] for v in variables]
        return svg.grid(block.id, alt(language, "share", case=Reader.of(data, language).kind_noun(block.kind, 1)), labels, [names.get(c, c) for c in cases],
                            shown, shown=shown, fills=fills)
    if block.type == "matrix":
        cases = [c for c in table.columns if c in names]
        reader = Reader.of(data, language)
        rows = table[cases].values.tolist()
        shown = [[reader.compact(variable, v) for v in row] for variable, row in zip(table["variable"], rows)]
        if cases_down(len(cases), len(table)):
            return svg.grid(block.id, alt(language, "grid", case=reader.kind_noun(block.kind, 1)), [names[c] for c in cases], table["label"].tolist(),
                            [[str(v) for v in column] for column in zip(*rows)], shown=[list(c) for c in zip(*shown)])
        return svg.grid(block.id, alt(language, "grid", case=reader.kind_noun(block.kind, 1)), table["label"].tolist(), [names[c] for c in cases],
                        [[str(v) for v in row] for row in rows], shown=shown)
    if block.type == "continuum":
        overall = table[table["part"] == ""].dropna(subset=["position"])
        reader = Reader.of(data, language)
        # Positions in the reader's number format, signed as on the axis ("+0,60", "−0,22").

        def signed(value: float) -> str:
            return ("+" if value > 0 else "−" if value < 0 else "") + reader.m.number(abs(value), 2)

        return svg.continuum(block.id, alt(language, "continuum", case=reader.kind_noun(block.kind, 1)),
                             [(f"{names.get(c, c)} ({signed(float(p))})", float(p))
                              for c, p in zip(overall["case"], overall["position"])],
                             f"{reader.any_code(block.left)} (−1)", f"{reader.any_code(block.right)} (+1)")
    return None


# The text width of an A4 page with 2 cm margins (17 cm) in CSS pixels (Typst reads an SVG's px as 0.75 pt).
TEXT_WIDTH_PX = svg.MAX_WIDTH


def figure_width(svg: str) -> float:
    match = re.search(r'<svg[^>]*\swidth="([0-9.]+)"', svg)
    return float(match[1]) if match else 0.0


def attach_figures(context: dict, stem: str, out: Path) -> dict[Path, str]:
    """Give the template one Markdown image per figure (`fig[name]`), pointing at
    reports/<study>/figures/<stem with dashes>/<name>.svg relative to the report; return the files to write.
    A figure in parts (taller than a page) continues in unnumbered images right after it."""
    depth = stem.count("/")
    files, markdown = {}, {}
    continued = i18n.catalog(context.get("language", "nl"))["labels"]["continued"]
    for figure in context.get("figures", []):
        images = []
        for part, svg_text in enumerate((figure.svg, *figure.more), start=1):
            file_name = f"{figure_folder(stem)}/{figure.name}{'' if part == 1 else f'-{part}'}.svg"
            files[out / file_name] = svg_text
            # A figure wider than the A4 text width is scaled to fit it.
            fit = ' width="100%"' if figure_width(svg_text) > TEXT_WIDTH_PX else ""
            alt_text = figure.alt if part == 1 else f"{figure.alt} ({continued})"
            label = f"#fig-{slug(figure.name)}" if part == 1 else ""
            attributes = " ".join(a for a in (label, fit.strip()) if a)
            images.append(f"![{escape.markdown(alt_text)}]({'../' * depth}{file_name})"
                          + (f"{{{attributes}}}" if attributes else ""))
        # Numbered (`#fig-`) like the tables, the first part only.
        markdown[figure.name] = "\n\n".join(images)
    context["fig"] = markdown
    return files
