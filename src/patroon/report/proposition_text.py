"""Sentences about propositions and the QCA, generated from their results in the reader's language: the
observed pattern in words, the verdict, the author's verdict beside ours, and the QCA solution read as
'where A and not B, or C'. Ids become the names and labels the reader knows (patroon.report.reader)."""

from __future__ import annotations

from patroon.analysis.propositions import PropositionResult
from patroon.analysis.propositions.frames import CLUSTER_COLUMNS
from patroon.analysis.propositions.types import TOTAL
from patroon.data.models import UNITS, Measure
from patroon.report.reader import Reader

MAX_NAMED = 8  # rows named in a sentence; more are counted
SHORT_NAME = 40  # names longer than this are cut at their subtitle inside a sentence


def anchor(proposition_id: str) -> str:
    return f"sec-propositie-{proposition_id}"


def row_name(reader: Reader, over: str, row_id: str) -> str:
    if row_id == TOTAL:  # the row `totals: true` adds
        return reader.label("total")
    return reader.unit(row_id) if over == UNITS else reader.case(row_id)


def short_name(reader: Reader, over: str, row_id: str) -> str:
    """A name for inside a sentence: a long name with a subtitle ('3P Dreiging van geweld: een combinatie
    van ...') up to its colon; the tables keep the whole name."""
    name = row_name(reader, over, row_id)
    return name.split(": ", 1)[0] if len(name) > SHORT_NAME and ": " in name else name


def names(reader: Reader, over: str, ids: list[str]) -> str:
    shown = [short_name(reader, over, i) for i in ids[:MAX_NAMED]]
    if len(ids) > MAX_NAMED:
        shown.append(reader.m.text("prop_more", n=reader.m.number(len(ids) - MAX_NAMED)))
    return reader.m.join(shown)


def noun(reader: Reader, over: str, n: int) -> str:
    """'18 eenheden', '3 regio's': the rows counted in the study's own words."""
    if over == UNITS:
        return reader.m.count("units", n)
    kind = next(k for k in reader.data.study.unit_kinds if k.kind == over)
    singular = getattr(kind.label, reader.language)
    # Without a plural noun in study.yaml, the kind's folder name ('gemeenten') is the plural.
    plural = getattr(kind.plural_label, reader.language) if kind.plural_label else kind.plural.replace("-", " ")
    word = singular if reader.m.plural_category(n) == "one" else plural
    return f"{reader.m.number(n)} {word[:1].lower() + word[1:]}"


def measure_label(reader: Reader, measure: Measure) -> str:
    """A measure's name: its declared label, else what it is made of ('rang van Efficiënt')."""
    if measure.label is not None:
        return getattr(measure.label, reader.language)
    if measure.column is not None:
        return reader.header(measure.column)
    if measure.ratio:
        return f"{reader.header(measure.ratio['count'])} / {reader.header(measure.ratio['of'])}"
    if measure.rank_in is not None:
        return reader.label("rank_of").format(what=reader.variable(measure.rank_in.variable))
    for name, key in (("count", "count"), ("share", "share"), ("position", "position")):
        if getattr(measure, name) is not None:
            return reader.label(key)
    return reader.label("score")


def _number(reader: Reader, value: float | None) -> str:
    if value is None:
        return "–"
    return reader.m.number(value, 0 if float(value).is_integer() else 2)


def order_text(reader: Reader, over: str, groups: list[list[str]], x: dict[str, float]) -> str:
    """'Rijn (7) > Waal (2) > IJssel = Maas = Lek (1)': the order from the top, ties joined by '='."""
    return " > ".join(" = ".join(short_name(reader, over, i) for i in group) + f" ({_number(reader, x[group[0]])})"
                      for group in groups)


def observed(reader: Reader, result: PropositionResult, short: bool = False) -> str:
    """The observed pattern in words, from the numbers. `short` (a key finding): a long order is left to
    the proposition's own section."""
    m, o, p = reader.m, result.observed, result.proposition
    pattern, d, over = p.pattern, o.details, p.over
    if o.value is None:
        # The verdict already says 'niet te toetsen': the sentence gives the reason.
        return m.text(f"prop_reason_{o.reason}", rows=noun(reader, over, 0).split(" ", 1)[-1])
    value = m.number(o.value, 2)
    if pattern.type == "association":
        key = "prop_phi" if o.statistic == "phi" else "prop_cramer"
        return m.text(key, value=value, rows=reader.header(pattern.rows), columns=reader.header(pattern.columns),
                      n=noun(reader, over, o.n))
    if pattern.type == "rank":
        if short and o.n > MAX_NAMED:
            text = m.text("prop_spearman_short", value=value, n=noun(reader, over, o.n))
            if d["breaking_order"]:
                text += m.text("prop_breaking", names=names(reader, over, d["breaking_order"]))
            return text
        text = m.text("prop_spearman", value=value, n=noun(reader, over, o.n),
                      x=measure_label(reader, pattern.x), order=order_text(reader, over, d["order"], d["x"]))
        if d["discordant_pairs"]:
            pairs = [" – ".join(short_name(reader, over, i) for i in pair) for pair in d["discordant_pairs"]]
            text += m.text("prop_pairs", pairs=m.count("pairs", len(pairs)), names=m.join(pairs))
        return text
    if pattern.type == "rule":
        shown = [_deviant(reader, result, dev) for dev in d["deviants"]]
        key = "prop_checks" if pattern.checks else "prop_rule"
        text = m.text(key, correct=m.number(d["n_correct"]), n=m.number(o.n), percent=m.percent(o.value))
        if shown:
            text += m.text("prop_deviants", names=m.join(shown[:MAX_NAMED] + (
                [m.text("prop_more", n=m.number(len(shown) - MAX_NAMED))] if len(shown) > MAX_NAMED else [])))
        return text
    if pattern.type == "difference":
        key = "prop_difference_gap" if pattern.statistic == "gap" else "prop_difference"
        return m.text(key, high=_number(reader, d["mean_high"]), low=_number(reader, d["mean_low"]), value=value,
                      measure=measure_label(reader, pattern.measure))
    if pattern.type == "share" and pattern.total:
        return m.text("prop_total", count=_number(reader, d["count"]), of=_number(reader, d["of"]),
                      percent=m.percent(d["count"] / d["of"]) if d["of"] else "–")
    # Name the smaller side: the rows that meet it where they are fewer, else only those that do not.
    if d["meeting"] and len(d["meeting"]) <= len(d["not_meeting"]):
        text = m.text("prop_share", count=m.number(d["count"]), of=noun(reader, over, d["of"]),
                      percent=m.percent(d["count"] / d["of"]), meeting=names(reader, over, d["meeting"]))
    else:
        text = m.text("prop_share_count", count=m.number(d["count"]), of=noun(reader, over, d["of"]),
                      percent=m.percent(d["count"] / d["of"]))
    if d["not_meeting"] and d["meeting"]:  # when none meets it, the count says it all
        text += m.text("prop_not_meeting", names=names(reader, over, d["not_meeting"]))
    return text


def _deviant(reader: Reader, result: PropositionResult, deviant: dict) -> str:
    pattern, over = result.proposition.pattern, result.proposition.over
    row = short_name(reader, over, deviant[result.id_column])
    if pattern.checks:
        check = pattern.checks[deviant["check"] - 1]
        label = getattr(check.label, reader.language) if check.label else reader.m.number(deviant["check"])
        return f"{row} ({label})"
    observed_value = deviant[pattern.observed]
    predicted = deviant[pattern.predicted or "predicted"]
    return f"{row} ({value_text(reader, pattern.observed, predicted)} → {value_text(reader, pattern.observed, observed_value)})"


def value_text(reader: Reader, column: str, value: object, lower: bool = True) -> str:
    """A value of a row's column as the reader knows it: a variable's label for its code, a cluster's
    label (`lower` inside a sentence), yes/no in the report language."""
    if reader.data.codebook.variable(column) is not None:
        return reader.value(column, value)
    if column in CLUSTER_COLUMNS:
        return reader.cluster(str(value), lower=lower)
    return str(reader.cell(column, value))


def verdict_word(reader: Reader, verdict: str) -> str:
    return reader.catalog["verdicts"][verdict]


def sentence(reader: Reader, result: PropositionResult) -> str:
    """'{label}: {verdict}. {observed}.' with the rows that could not be told."""
    m = reader.m
    found = observed(reader, result)
    text = m.text("proposition", label=getattr(result.proposition.label, reader.language),
                  verdict=verdict_word(reader, result.verdict), observed=found[:1].upper() + found[1:])
    unknown = [u for u in result.observed.unknown if "#" not in u] + result.excluded
    if unknown:
        text += m.text("prop_unknown", names=names(reader, result.proposition.over, unknown))
    return text


def sensitivity(reader: Reader, result: PropositionResult) -> list[str]:
    """One line per alternative scoring of a rank pattern: the order it gives and its rho."""
    lines = []
    pattern = result.proposition.pattern
    if pattern.type != "rank":
        return lines
    for alternative, found in zip(pattern.sensitivity, result.observed.details.get("sensitivity", [])):
        x = {}
        index = pattern.sensitivity.index(alternative) + 1
        for record in result.table.to_dict("records"):
            x[record[result.id_column]] = record[f"x_{index}"]
        same = reader.m.text("prop_same_order") if found["order"] == result.observed.details["order"] else ""
        order = order_text(reader, result.proposition.over, found["order"], x)
        label = getattr(alternative.label, reader.language)
        lines.append(reader.m.text("prop_sensitivity", label=label, order=order, same=same,
                                   value=reader.m.number(found["value"], 2)) if found["value"] is not None else
                     reader.m.text("prop_sensitivity_flat", label=label, order=order))
    return lines


def where_stated(author) -> str:
    parts = []
    for evidence in author.evidence:
        section = evidence.section
        ref = ("§" + section) if section[:1].isdigit() else section
        parts.append(ref + (f", {evidence.table}" if evidence.table else ""))
    return "; ".join(parts)


def author_text(reader: Reader, result: PropositionResult) -> str:
    """The author's verdict beside ours, and why they differ where they do."""
    author = result.proposition.author
    if author is None:
        return ""
    m = reader.m
    text = m.text("prop_author", verdict=verdict_word(reader, author.verdict), states=author.states,
                  where=where_stated(author), agreement=m.text(f"prop_agreement_{result.agreement.replace('-', '_')}"))
    if result.agreement != "eens" and author.differs:
        text += m.text("prop_differs", text=author.differs)
    return text


def finding(reader: Reader, result: PropositionResult) -> str:
    """The key finding of one proposition: its verdict in a sentence, the author's beside it."""
    m = reader.m
    text = m.text("finding_proposition", label=getattr(result.proposition.label, reader.language),
                  verdict=verdict_word(reader, result.verdict), observed=observed(reader, result, short=True))
    author = result.proposition.author
    if author is not None:
        text += m.text("finding_author", verdict=verdict_word(reader, author.verdict),
                       agreement=m.text(f"finding_agreement_{result.agreement.replace('-', '_')}"))
    if result.proposition.circular:
        text += m.text("finding_circular")
    return text


# ------------------------------------------------------------------------------------------------ QCA


def expression_words(reader: Reader, expression: str, conditions: list[str]) -> str:
    """'A*~B + C' as 'A en niet B, of C' with the conditions' labels."""
    words = reader.catalog["sentences"]

    def literal(text: str) -> str:
        negated = text.startswith("~")
        name = reader.header(text.lstrip("~"))
        # Inside a sentence: 'economische ontwikkeling', but 'IJssel' and 'NPM' keep their capitals.
        name = name if name[1:2].isupper() else name[:1].lower() + name[1:]
        return words["qca_not"].format(name=name) if negated else name

    terms = [words["qca_and"].join(literal(t) for t in term.split("*")) for term in expression.split(" + ")]
    return words["qca_or"].join(terms)


def qca_findings(reader: Reader, result) -> list[str]:
    """The QCA solution in words, for the outcome and (where analysed) its absence."""
    if result is None:
        return []
    out = []
    for analysed, negated in ((result, False), (result.negated, True)):
        if analysed is None:
            continue
        outcome = reader.cluster(str(result.outcome).lstrip("~"), lower=negated)
        outcome = reader.m.text("qca_absent", outcome=outcome) if negated else outcome
        kinds = [k for k in ("intermediate", "parsimonious", "complex")
                 if any(s["type"] == k for s in analysed.solutions)]
        if not kinds:
            message = next(iter(analysed.refused.values()), "")
            out.append(reader.m.text("finding_qca_refused", outcome=outcome, message=message))
            continue
        kind = kinds[0]
        models = [s for s in analysed.solutions if s["type"] == kind]
        solutions = [reader.m.text("qca_model", words=expression_words(reader, s["expression"], analysed.conditions),
                                   consistency=reader.m.number(s["consistency"], 2),
                                   coverage=reader.m.number(s["coverage"], 2)) for s in models]
        text = reader.m.text("finding_qca", outcome=outcome, solution=reader.catalog["labels"][f"qca_{kind}"].lower(),
                             models=reader.catalog["sentences"]["qca_models_or"].join(solutions))
        if analysed.refused:
            text += reader.m.text("finding_qca_partly_refused", message=next(iter(analysed.refused.values())))
        out.append(text)
    return out
