"""The view model of a gemeente report (a case with organisations): its steering, the conditions it
meets, its units and their reactions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
    unit_summary_headers,
    unit_summary_row,
)
from patroon.report.views.front import front_matter


def gemeente_context(data: StudyData, case_id: str, renderer: Engine, base: Path,
                     derived: Derived | None = None) -> dict:
    derived = derived or Derived.of(data)
    language = data.study.language
    reader = Reader.of(data, language)
    case = data.cases[case_id]
    mine = derived.units_of_case.get(case_id, derived.units.iloc[0:0])
    case_row = derived.case_rows[case_id]
    conditions = []
    partly = set(str(case_row.get("conditions_partly", "")).split(";"))
    for condition in data.study.analysis.steering_conditions:
        met = condition.id in str(case_row["conditions_met"]).split(";")
        status = "met" if met else "partly_met" if condition.id in partly else "not_met"
        conditions.append({"label": getattr(condition.label, language), "status": status,
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
        "conditions_met": labels["conditions_met"].format(
            met=reader.m.number(case_row["steering_conditions_met"]),
            total=reader.m.number(case_row["steering_conditions_total"]),
            partly=reader.m.number(case_row.get("steering_conditions_partly", 0)),
            score=reader.m.number(case_row.get("steering_conditions_score", case_row["steering_conditions_met"]), 1)),
        "condition_rows": [[c["label"], labels[c["status"]], c["requires"]] for c in conditions],
        "unit_rows": [unit_summary_row(reader, u) for u in mine.to_dict("records")],
        "unit_headers": unit_summary_headers(reader),
        "case_row": case_row, "refs": refs,
        "figures": [figures.conditions_heatmap(data, pd.DataFrame([case_row]), language),
                    figures.unit_matrix(data, mine, language),
                    figures.reaction_timeline(data, language, refs)],
        "front": front_matter(data, f"{case_plural}/{case_id}", f"{labels['gemeente']} {case.name}",
                              (case, *[r.unit for r in refs]), kind=case.kind, name=case.name),
        "colophon": colophon(data, [data.files[f"{data.case_kind()}/{case_id}"]] + org_files, renderer, base),
    }


