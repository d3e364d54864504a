"""The view model of a study's synthesis: key findings, propositions, cross-case tables, blocks,
register, QCA and agreement, with the generated narrative."""

from __future__ import annotations

from pathlib import Path

from patroon.analysis import register
from patroon.data.study_data import StudyData
from patroon.report import figures, narrative
from patroon.report.markdown import labels_of
from patroon.report.reader import Reader
from patroon.report.views.agreement import agreement_view
from patroon.report.views.blocks import block_column, block_view, source_reference
from patroon.report.views.common import Engine, colophon, navigation
from patroon.report.views.front import front_matter
from patroon.report.views.propositions import propositions_view
from patroon.report.views.qca import qca_view


def author_counts_text(reader: Reader, spec, checks) -> str:
    """The source's counts beside the derived ones, and where they differ (a check the source offers)."""
    groups = {g.id: getattr(g.label, reader.language) for g in spec.column_groups}

    def cells(column: str) -> str:
        return reader.m.join([f"{reader.category(spec.rows, r.row)} × {groups.get(r.column, r.column)}: "
                              f"{reader.m.number(getattr(r, column))}" for r in checks.itertuples()])

    differ = checks[~checks["agrees"]]
    verdict = (reader.m.text("author_counts_agree", n=reader.m.number(len(checks))) if differ.empty else
               reader.m.text("author_counts_differ", cells=reader.m.join(
                   [f"{reader.category(spec.rows, r.row)} × {groups.get(r.column, r.column)}" for r in differ.itertuples()])))
    note = f" {getattr(spec.author.note, reader.language)}" if spec.author.note else ""
    derived = reader.m.join([reader.m.number(n) for n in checks["derived"]])
    return reader.m.text("author_counts", ref=spec.author.ref, author=cells("author"), derived=derived,
                         verdict=verdict) + note


def synthesis_context(data: StudyData, results: dict, renderer: Engine, base: Path) -> dict:
    language = data.study.language
    reader = Reader.of(data, language)
    labels = labels_of(language)
    shown_figures = [f for block, result in zip(data.study.analysis.blocks, results["blocks"])
               if (f := figures.block_figure(data, block, result, language)) is not None]
    view: dict = {}
    if "units" in results:
        # A figure with a row per unit stops being readable (and costs more to typeset than the rest of
        # the report) at national scale; the gemeente reports draw the same rows per gemeente.
        if len(results["cases"]) <= figures.MAX_ROWS:
            shown_figures.append(figures.conditions_heatmap(data, results["cases"], language))
        if len(results["units"]) <= figures.MAX_ROWS:
            shown_figures += [figures.unit_matrix(data, results["units"], language),
                        figures.reaction_timeline(data, language)]
        groups = list(data.study.analysis.profile_groups)
        view = {
            "units": reader.frame(results["units"][["unit_id", "case_id", "reaction", "first_cluster", "cluster",
                                                    "predicted_cluster", *groups, "opposing_forces"]]),
            "cases": reader.frame(results["cases"][["case_id", "steering_conditions_met", "steering_conditions_partly",
                                                    "steering_conditions_total", "share_volgen", "conditions_not_met"]]),
            "crosstabs": {spec.id: reader.crosstab(results["crosstabs"][spec.id], spec.rows, spec.columns).rename(
                              columns={g.id: getattr(g.label, language) for g in spec.column_groups})
                          for spec in data.study.analysis.crosstabs},
            "crosstab_notes": {spec.id: author_counts_text(reader, spec, results["crosstab_author_checks"][spec.id])
                               for spec in data.study.analysis.crosstabs
                               if spec.id in results.get("crosstab_author_checks", {})},
            "profiles": reader.profiles(results["profiles"]),
            "changes": reader.frame(results["changes"][["unit_id", "case_id", "cluster_path", "reaction"]])
            if len(results["changes"]) else results["changes"],
            "differences": reader.frame(results["steering_differences"][["case_id", "unit_id", "difference"]]),
        }
    view["qca"] = qca_view(reader, results.get("qca"))
    view["propositions"] = propositions_view(reader, results.get("propositions", []))
    register_rows = register.evaluate(data, results["blocks"], language, results.get("propositions"))
    block_kinds = {b.id: b.kind for b in data.study.analysis.blocks}
    for row in register_rows:
        if row.author_view is not None:
            row.author_view = row.author_view.rename(columns={
                c: block_column(c, reader, block_kinds.get(row.item.block)) for c in row.author_view.columns})
    plural = {k.kind: k.plural for k in data.study.unit_kinds}
    related = [{"stem": f"{plural[case.kind]}/{case_id}", "text": case.name} for case_id, case in data.cases.items()]
    if data.organisations:
        org_plural = plural[data.organisation_kind()]
        related += [{"stem": f"{org_plural}/{org_id}", "text": org.name} for org_id, org in data.organisations.items()]
    workbook = f"results/{data.study.id}/{data.study.id}.xlsx"
    # The register names the block that derives an item by the block's title, not its id.
    register_table = register.table(register_rows, language)
    block_titles = {b.id: source_reference(getattr(b.label, language))[0] for b in data.study.analysis.blocks}
    for column in ("blok", "block"):
        if column in register_table.columns:
            register_table[column] = [block_titles.get(b, b) for b in register_table[column]]
    return {
        "register": {"table": register_table, "rows": register_rows,
                     "counts": register.counts(register_rows), "words": register.WORDS[language],
                     "by_block": {b.id: [r for r in register_rows if r.item.block == b.id]
                                  for b in data.study.analysis.blocks},
                     "findings": [r for r in register_rows if r.item.status == "gecodeerd" and r.item.author
                                  and r.item.block is None]},
        "L": labels, "language": language, "study": data.study, "readable_notes": reader.notes, "results": results, "figures": shown_figures,
        "view": view, "nav": navigation(data, "synthese", related),
        "crosstab_specs": data.study.analysis.crosstabs,
        "case_words": reader.kind_noun(),
        "max_rows": figures.MAX_ROWS,
        "all_rows_in": reader.m.text("all_rows_in", file=workbook),
        "blocks": [(block, result, block_view(result, reader, data, block))
                   for block, result in zip(data.study.analysis.blocks, results["blocks"])],
        # Each block's title without the source's number, and the number named in a sentence instead.
        "block_titles": {b.id: source_reference(getattr(b.label, language)) for b in data.study.analysis.blocks},
        "source_words": labels["source_kinds"].get(data.study.source.kind, labels["source_kinds"]["other"]),
        "text": narrative.synthesis_text(data, results, language),
        "anchors": {"block": narrative.block_anchor},
        "agreement": agreement_view(data, base),
        "front": front_matter(data, "synthese", f"{labels['synthese']}: {data.study.title}",
                              (data.study, *data.cases.values(), *data.organisations.values())),
        "colophon": colophon(data, sorted(data.files.values()), renderer, base),
    }


