"""The synthesis section on intercoder agreement (studies with a second coding)."""

from __future__ import annotations

from pathlib import Path

from patroon.analysis.agreement import agreement_frames
from patroon.analysis.reconciliation import check_coding
from patroon.data.study_data import StudyData
from patroon.report import i18n
from patroon.report.markdown import labels_of, md_table
from patroon.report.reader import Reader


def agreement_view(data: StudyData, base: Path, limit: int) -> dict | None:
    """The synthesis section on intercoder agreement (studies with a second coding), or None."""
    if data.study.coding is None:
        return None
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


