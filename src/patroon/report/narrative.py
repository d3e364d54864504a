"""Sentences for the synthesis, generated from the analysis results (never written in advance). The words
come from the message catalog of the report language, plurals and numbers from its locale (patroon.i18n),
and every id is shown as the name or label the reader knows (patroon.reader)."""

from __future__ import annotations

from dataclasses import dataclass

from patroon.analysis.blocks import TOTAL
from patroon.data.study_data import StudyData
from patroon.report import proposition_text
from patroon.report.reader import Reader

MAX_LISTED = 6  # rows named in a sentence; more are counted

# Anchors of the synthesis sections the key findings link to (the template gives the headings these ids).
SECTION_UNITS = "sec-overzicht"
SECTION_PROPOSITIONS = "sec-proposities"
SECTION_QCA = "sec-qca"
SECTION_CONDITIONS = "sec-voorwaarden"
SECTION_CHANGES = "sec-veranderingen"
SECTION_COMPARISON = "sec-vergelijking"


def block_anchor(block_id: str) -> str:
    return f"sec-{block_id}"


@dataclass(frozen=True)
class Finding:
    """One sentence of the key findings and the section of the synthesis that shows it."""

    text: str
    anchor: str
    section: str


def _decimal(reader: Reader, value: float) -> str:
    return reader.m.number(value, 2)


def overview(reader: Reader, results: dict) -> str:
    m = reader.m
    units = results["units"]
    counts = units["cluster"].value_counts()
    parts = [f"{m.number(int(counts.get(c.id, 0)))} {getattr(c.label, reader.language).lower()}"
             for c in reader.data.codebook.clusters]
    text = m.text("overview", cases=m.count("cases", len(results["cases"])), units=m.count("units", len(units)),
                  clusters=m.join(parts))
    changed = results["changes"]
    if len(changed):
        text += m.text("changed", changed=m.count("units_changed", len(changed)),
                       names=m.join([f"{reader.unit(r.unit_id)} ({reader.cluster_path(r.cluster_path, lower=True)})"
                                     for r in changed.itertuples()]))
    return text


def block_text(reader: Reader, result) -> str:
    """One or two sentences per building block, from its summary numbers."""
    m = reader.m
    s = result.summary
    block = next((b for b in reader.data.study.analysis.blocks if b.id == result.block_id), None)
    kind = block.kind if block is not None else None
    case, cases = reader.kind_noun(kind, 1), reader.kind_noun(kind)
    if result.type == "matrix":
        text = m.count("matrix_similar", s["n_similar"], rows=m.number(s["n_rows"]), cases=cases)
        if "n_compared" in s:
            diffs = s["differences"]
            labels = [reader.variable(d) for d in diffs]
            text += m.text("matrix_compared", compared=m.number(s["n_compared"]), differ=m.number(len(diffs)),
                           names=": " + m.join(labels) if diffs else "")
        partly = s.get("partly_known", [])
        if partly:
            listed = [m.text("matrix_partly_item", label=p["label"], known=m.number(p["known"]), of=m.number(p["of"]),
                             computed=p["computed"]) for p in partly]
            if len(listed) > MAX_LISTED:  # the table's `known` column (and the CSV) has every row
                listed = listed[:MAX_LISTED] + [m.text("matrix_partly_more", n=m.number(len(listed) - MAX_LISTED))]
            text += m.text("matrix_partly", rows=m.count("rows_judged", len(partly)), names=m.join(listed), cases=cases)
            if s.get("min_known", 1) > 1:
                text += m.text("matrix_min_known", min_known=m.number(s["min_known"]), undetermined=s["undetermined"])
        return text
    if result.type == "threshold":
        if "passing_per_case" in s:
            parts = [f"{reader.case(case)}: {m.number(len(items))}" for case, items in s["passing_per_case"].items()]
            return m.text("threshold_per_case", parts=m.join(parts), case=case)
        return m.count("variables_pass", s["n_passing"]) + "."
    if result.type == "top-k":
        parts = [f"{reader.label('total') if case == TOTAL else reader.case(case)}: {m.number(n)}"
                 for case, n in s["kept_per_case"].items()]
        return m.text("top_k", parts=m.join(parts)) + m.text("top_k_ties")
    if result.type == "continuum":
        placed = sorted((p, c) for c, p in s["positions"].items() if p is not None)
        order = [f"{reader.case(c)} ({'+' if p >= 0 else '−'}{m.number(abs(p), 2)})" for p, c in placed]
        return m.text("continuum", left=reader.any_code(s["left"]), right=reader.any_code(s["right"]),
                      order=m.join(order))
    return m.count("values_counted", s.get("n_values", 0)) + "."


def register_text(reader: Reader, counts: dict) -> dict:
    """The opening sentence of the register and the closing note, from the counts."""
    a, m = counts["agreement"], reader.m
    values = {"total": counts["afgeleid"] + counts["gecodeerd"] + counts["niet-overgenomen"],
              "derived": counts["afgeleid"], "coded": counts["gecodeerd"], "not_taken": counts["niet-overgenomen"],
              "agree": a["eens"], "partly": a["deels"], "disagree": a["oneens"],
              "not_comparable": a["niet-vergelijkbaar"], "no_judgement": a["geen-oordeel"],
              "coded_to_match": counts["coded_to_match"]}
    values = {k: m.number(v) for k, v in values.items()}
    return {"opening": m.text("register_opening", **values), "closing": m.text("register_closing", **values)}


def kind_count(reader: Reader, kind, n: int) -> str:
    """'3 inkoopregio's' through the locale's plural rule and the study's nouns; 'Inkoopregio: 3' when the
    study gives no plural noun."""
    singular = getattr(kind.label, reader.language)
    if kind.plural_label is None:
        return f"{singular}: {reader.m.number(n)}"
    noun = singular if reader.m.plural_category(n) == "one" else getattr(kind.plural_label, reader.language)
    return f"{reader.m.number(n)} {noun[:1].lower() + noun[1:]}"


def case_overview(reader: Reader, results: dict) -> str:
    m = reader.m
    kinds = [kind_count(reader, k, len(reader.data.cases_of(k.kind))) for k in reader.data.study.unit_kinds
             if k.role == "case"]
    return m.text("cases_overview", kinds=m.join(kinds), tables=m.count("tables", len(results["blocks"])))


def key_findings(reader: Reader, results: dict) -> list[Finding]:
    """The synthesis's opening: each proposition's verdict in a sentence (with the author's beside it and
    the deviant rows named), the QCA solution in words; in a study with organisations also how many units
    follow, who changed, and where steering meets most and fewest conditions. Each finding names the
    section that shows it. No bookkeeping: counts of coded values belong to the tables and the register."""
    m, labels = reader.m, reader.catalog["labels"]
    data = reader.data
    findings = []
    if "units" in results:
        units = results["units"]
        counts = units["cluster"].value_counts()
        leader, *others = data.codebook.clusters
        follow = m.count("follow_verb", int(counts.get(leader.id, 0)))
        rest = [f"{m.number(int(counts.get(c.id, 0)))} {getattr(c.label, reader.language).lower()}" for c in others]
        findings.append(Finding(m.text("finding_follow", follow=follow, units=m.count("units", len(units)),
                                       others=m.join(rest)), SECTION_UNITS, labels["overview"]))
    for result in results.get("propositions", []):
        findings.append(Finding(proposition_text.finding(reader, result), proposition_text.anchor(result.id),
                                getattr(result.proposition.label, reader.language)))
    for sentence in proposition_text.qca_findings(reader, results.get("qca")):
        findings.append(Finding(sentence, SECTION_QCA, labels["qca"]))
    if "units" not in results:
        if not findings:  # nothing declared to test: say so, rather than count coded values
            section = (SECTION_COMPARISON, labels["comparison"].format(cases=reader.kind_noun())) if results["blocks"] else (SECTION_UNITS, labels["overview"])
            findings.append(Finding(m.text("finding_nothing_declared"), *section))
        return findings
    changed = results["changes"]
    if len(changed):
        findings.append(Finding(m.text("finding_changes", changed=m.count("units_changed", len(changed)),
                                       names=m.join([f"{reader.unit(r.unit_id)} ({reader.cluster_path(r.cluster_path, lower=True)})"
                                                     for r in changed.itertuples()])),
                                SECTION_CHANGES, labels["changes"]))
    cases = results["cases"]
    if len(cases) > 1 and data.study.analysis.steering_conditions:
        ranked = cases.sort_values("steering_conditions_met", kind="stable")
        best, worst = ranked.iloc[-1], ranked.iloc[0]
        if best["steering_conditions_met"] != worst["steering_conditions_met"]:
            findings.append(Finding(m.text("finding_conditions", best=best["name"], worst=worst["name"],
                                           met=m.number(int(best["steering_conditions_met"])),
                                           met_worst=m.number(int(worst["steering_conditions_met"])),
                                           total=m.number(int(best["steering_conditions_total"]))),
                                    SECTION_CONDITIONS, labels["conditions"]))
    return findings


def synthesis_text(data: StudyData, results: dict, language: str) -> dict:
    reader = Reader.of(data, language)
    texts = {"blocks": {r.block_id: block_text(reader, r) for r in results["blocks"]},
             "key_findings": key_findings(reader, results)}
    if data.study.reproduction:
        from patroon.analysis import register
        texts["register"] = register_text(reader, register.counts(register.evaluate(data, results["blocks"], language,
                                                                              results.get("propositions"))))
    texts["overview"] = overview(reader, results) if "units" in results else case_overview(reader, results)
    return texts
