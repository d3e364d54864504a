"""The view model of a case report in a study without organisations: every coded value with evidence,
grouped, and the case's rows in each block."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from patroon.data.study_data import StudyData
from patroon.report.markdown import labels_of
from patroon.report.reader import Reader
from patroon.report.views.blocks import block_rows_for_case, block_view, source_reference
from patroon.report.views.common import (
    Engine,
    coded_rows,
    colophon,
    group_label,
    navigation,
)
from patroon.report.views.front import front_matter


def case_context(data: StudyData, case_id: str, renderer: Engine, base: Path, results: dict) -> dict:
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
            view = block_view(SimpleNamespace(table=part, type=result.type, extra=None), reader, data, block)
            title, source_ref = source_reference(getattr(block.label, language))
            block_parts.append({"label": title, "source_ref": source_ref, "table": view})
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
        "source_words": labels["source_kinds"].get(data.study.source.kind, labels["source_kinds"]["other"]),
        "front": front_matter(data, f"{kind.plural}/{case_id}", f"{getattr(kind.label, language)} {case.name}",
                              (case, *related), kind=case.kind, name=case.name),
        "colophon": colophon(data, files, renderer, base),
    }


