"""Intercoder agreement (studies with a second coding): the per-variable table the synthesis shows, and the
report of its own (`betrouwbaarheid`) with every disagreement, its decision and its reason."""

from __future__ import annotations

from pathlib import Path

from patroon.analysis.agreement import agreement_frames
from patroon.analysis.reconciliation import check_coding
from patroon.data.study_data import StudyData
from patroon.report import i18n
from patroon.report.markdown import labels_of, md_table
from patroon.report.paths import AGREEMENT_STEM, data_file
from patroon.report.reader import Reader
from patroon.report.views.common import Engine, colophon, navigation
from patroon.report.views.front import front_matter

# The report of its own lists the disagreements up to this many (a national study's full list is the CSV).
MAX_DISAGREEMENTS = 400
DISAGREEMENTS_CSV = "agreement-verschillen.csv"

_made: dict[tuple[int, str], tuple[StudyData, dict | None]] = {}


def agreement_view(data: StudyData, base: Path, limit: int = MAX_DISAGREEMENTS) -> dict | None:
    """The intercoder agreement in reader form, or None for a study without a second coding. Computed once
    per study (the synthesis and the agreement report both show it; comparing the codings reads every
    coder's files)."""
    key = (id(data), str(base))
    made = _made.get(key)
    if made is None or made[0] is not data:
        made = _made[key] = (data, _agreement(data, base, limit))
    return made[1]


def _agreement(data: StudyData, base: Path, limit: int) -> dict | None:
    if data.study.coding is None:
        return None
    check = check_coding(data.root, data, base)
    if check.comparison is None:
        return None
    language = data.study.language
    labels = labels_of(language)
    m = i18n.Messages(language)
    reader = Reader.of(data, language)
    per_variable, disagreements = agreement_frames(check)

    def label(variable_id: str) -> str:
        variable = data.codebook.variable(variable_id)
        if variable is not None:
            return getattr(variable.label, language)
        return labels["reaction_variables"].get(variable_id, labels["pooled"])

    def measure(value: object) -> str:
        return m.number(value, 0 if isinstance(value, int) else 2)

    def item(ident: object) -> str:
        text = str(ident)
        return reader.organisation_names.get(text) or reader.unit(text)

    def coded(variable_id: str, value: object) -> str:
        if value in ("", None):
            return ""
        if variable_id in ("reactie.eerste-cluster", "reactie.cluster"):
            return reader.cluster(str(value))
        if variable_id == "reactie.verloop":
            return reader.cluster_path(str(value))
        return reader.value(variable_id, value)

    pooled = per_variable.iloc[-1]
    a, b = check.comparison.coders
    corrections = disagreements[disagreements["kind"] == "correctie"]
    disagreements = disagreements[disagreements["kind"] == "verschil"]
    undecided = int((disagreements["decision"] == "").sum())
    summary = labels["agreement_intro"].format(
        a=a, b=b, n=m.number(int(pooled.n_agree)), total=m.number(int(pooled.n_items)),
        percent=m.number(pooled.percent_agreement, 1), kappa=measure(pooled.cohen_kappa),
        alpha=measure(pooled.krippendorff_alpha), open=m.number(len(disagreements)))
    rows = [[label(r.variable), labels["levels"].get(r.level, r.level), m.number(r.n_items),
             m.number(r.percent_agreement, 1), measure(r.cohen_kappa), measure(r.krippendorff_alpha),
             m.number(int(r.n_disagreements))] for r in per_variable.itertuples()]
    shown = disagreements.head(limit)
    detail = [[label(r.variable), item(r.item), coded(r.variable, r.value_a), coded(r.variable, r.value_b),
               coded(r.variable, r.decision)] for r in shown.itertuples()]
    reasons = [str(r.reason or "") for r in shown.itertuples()]
    headers = [h.format(a=a.capitalize(), b=b.capitalize()) for h in labels["disagreement_columns"]]
    corrected = [[label(r.variable), item(r.item), coded(r.variable, r.value_a), coded(r.variable, r.decision)]
                 for r in corrections.itertuples()]
    return {
        "summary": summary,
        "rules": data.study.coding.rules or "",
        "reconciliation": f"data/{data.study.id}/{data.study.coding.reconciliation}",
        "undecided": labels["agreement_undecided"].format(n=m.number(undecided)) if undecided else "",
        "table": md_table(rows, labels["agreement_columns"], labels["agreement_table"], "agreement"),
        "disagreements": md_table(detail, headers, labels["disagreements"], "disagreements", notes=reasons,
                                 note_label=labels["reason"]),
        "corrections": md_table(corrected, labels["correction_columns"], labels["corrections"], "corrections",
                                notes=[str(r.reason or "") for r in corrections.itertuples()], note_label=labels["reason"]),
        "more": m.text("first_of", shown=m.number(limit), total=m.number(len(disagreements)))
        if len(disagreements) > limit else "",
        "csv": data_file(DISAGREEMENTS_CSV),
        "n_disagreements": len(disagreements),
    }


def agreement_context(data: StudyData, renderer: Engine, base: Path) -> dict:
    """The agreement report: the summary, the table per variable, and every disagreement with its
    decision and reason, each reason as a paragraph under its row."""
    language = data.study.language
    labels = labels_of(language)
    return {
        "L": labels, "language": language, "study": data.study,
        "agreement": agreement_view(data, base),
        "nav": navigation(data, AGREEMENT_STEM, []),
        "front": front_matter(data, AGREEMENT_STEM, labels["agreement"]),
        "colophon": colophon(data, sorted(data.files.values()), renderer, base),
    }
