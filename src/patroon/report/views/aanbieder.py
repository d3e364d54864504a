"""The view model of an aanbieder report (an organisation): its profile and, per unit, the reaction over
time with the evidence."""

from __future__ import annotations

from pathlib import Path

from patroon.data import derive
from patroon.data.study_data import StudyData
from patroon.report import figures
from patroon.report.markdown import labels_of
from patroon.report.reader import Reader
from patroon.report.views.common import (
    Derived,
    Engine,
    coded_rows,
    colophon,
    navigation,
    prediction_because,
    shown_path,
    unit_summary_headers,
    unit_summary_row,
)
from patroon.report.views.front import front_matter

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


def aanbieder_context(data: StudyData, org_id: str, renderer: Engine, base: Path,
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
                                                        file=shown_path(org_file, base))
        if len(unit_blocks) < len(refs) else "",
        "figures": [figures.reaction_timeline(data, language, refs)]
        if len(refs) <= figures.MAX_ROWS else [],
        "front": front_matter(data, f"{org_plural}/{org_id}", f"{labels['aanbieder']} {org.name}", (org,),
                              kind=org.kind, name=org.name),
        "colophon": colophon(data, [org_file] + case_files, renderer, base),
    }


