"""Checks of one loaded file against the codebook and study.yaml: known variables and values, blocks,
the reproduction register, an organisation's units. Each returns located problems; none raises."""

from __future__ import annotations

from patroon.data.models import Codebook, OrganisationFile, Period, Study
from patroon.data.study_data import StudyData
from patroon.data.suggest import did_you_mean
from patroon.data.yamlfile import Document, Path_, Problem


def check_codebook(codebook: Codebook, document: Document, shown: str) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    clusters = {c.id for c in codebook.clusters}
    for i, variable in enumerate(codebook.variables):
        loc = ("variables", i)
        if variable.id in seen:
            problems.append(Problem(shown, document.line(loc + ("id",)), "id", f"duplicate variable '{variable.id}'"))
        seen.add(variable.id)
        if variable.type == "categorical":
            if variable.values is None and variable.values_from is None:
                problems.append(Problem(shown, document.line(loc), variable.id, "categorical variable needs values or values_from"))
            if variable.values_from is not None and variable.values_from not in codebook.value_sets:
                problems.append(Problem(shown, document.line(loc + ("values_from",)), variable.id,
                                        f"unknown value set '{variable.values_from}'; defined: {', '.join(codebook.value_sets)}"))
    defined = ", ".join(sorted(clusters))
    for i, tactic in enumerate(codebook.tactics):
        if tactic.cluster is not None and tactic.period_clusters:
            problems.append(Problem(shown, document.line(("tactics", i, "period_clusters")), tactic.id,
                                    "give either `cluster` (fixed) or `period_clusters` (judged per period), not both"))
        elif tactic.cluster is not None and tactic.cluster not in clusters:
            problems.append(Problem(shown, document.line(("tactics", i, "cluster")), tactic.id,
                                    f"unknown cluster '{tactic.cluster}'; defined: {defined}"))
        elif tactic.cluster is None and len(set(tactic.period_clusters)) < 2:
            problems.append(Problem(shown, document.line(("tactics", i)), tactic.id,
                                    "needs `cluster`, or at least two `period_clusters` a period with this "
                                    "tactic may take"))
        for cluster in tactic.period_clusters:
            if cluster not in clusters:
                problems.append(Problem(shown, document.line(("tactics", i, "period_clusters")), tactic.id,
                                        f"unknown cluster '{cluster}'; defined: {defined}"))
    return problems


def check_blocks(study: Study, codebook: Codebook, document: Document, shown: str) -> list[Problem]:
    """Every block names a case kind of the study and variables the codebook defines."""
    problems = []
    case_kinds = [k.kind for k in study.unit_kinds if k.role == "case"]
    seen: set[str] = set()
    outputs: set[str] = set()
    for i, block in enumerate(study.analysis.blocks):
        loc = ("analysis", "blocks", i)

        def add(field_: str, message: str, where: tuple = ()) -> None:
            problems.append(Problem(shown, document.line(loc + where), f"analysis.blocks.{i}.{field_}", message))

        if block.id in seen:
            add("id", f"duplicate block id '{block.id}'", ("id",))
        seen.add(block.id)
        output = getattr(block, "output_file", None)
        if output is not None:
            taken = {f"{b.id}.csv" for b in study.analysis.blocks} | {f"{b.id}-samengevat.csv" for b in study.analysis.blocks}
            if output in taken or output in outputs:
                add("output_file", f"'{output}' is already the output of another block", ("output_file",))
            outputs.add(output)
        if block.kind not in case_kinds:
            add("kind", f"'{block.kind}' is not a case kind of this study; expected one of: {', '.join(case_kinds)}"
                + did_you_mean(block.kind, case_kinds), ("kind",))
        unknown = [v for v in block.variables.ids if codebook.variable(v) is None]
        if unknown:
            add("variables", f"not in the codebook: {', '.join(unknown)}"
                + did_you_mean(unknown[0], [v.id for v in codebook.variables]), ("variables",))
        chosen = block.variables.select(codebook, block.kind)
        if not chosen:
            add("variables", "selects no variable of the codebook (check group/prefix)", ("variables",))
        needs_integer = block.type == "top-k" or (block.type == "threshold" and block.per == "case")
        for variable_id in chosen if needs_integer else []:
            variable = codebook.variable(variable_id)
            if variable is not None and variable.type != "integer":
                add("variables", f"'{variable_id}' is {variable.type}; {block.type} needs integer variables",
                    ("variables",))
                break
        if block.type == "threshold" and block.per == "case":
            denominator = codebook.variable(block.denominator) if block.denominator else None
            if denominator is None or denominator.type != "integer":
                add("denominator", "per: case needs `denominator`, an integer variable of the codebook",
                    ("denominator",) if block.denominator else ())
        if block.type == "threshold" and block.per == "study" and not block.values:
            add("values", "per: study needs `values`: the codes that count", ())
        if block.type == "threshold" and (block.share is None) == (block.count is None):
            add("share", "give either `share` (0..1) or `count` (per: study only), not both", ())
        if block.type == "threshold" and block.per == "case" and block.count is not None:
            add("count", "per: case compares with the denominator; use `share`", ("count",))
        compare = getattr(block, "compare_with", None)
        if compare is not None and codebook.variable(compare) is None:
            add("compare_with", f"'{compare}' is not in the codebook", ("compare_with",))
        for variable_id in getattr(block, "reported", {}):
            if variable_id not in chosen:
                add("reported", f"'{variable_id}' is not one of the block's variables", ("reported", variable_id))
    return problems


def check_register(study: Study, document: Document, shown: str) -> list[Problem]:
    """Each item says what became of it, with the reason when it was not taken over; a derived item names
    the block that derives it; the author's rows fit the columns they claim."""
    problems = []
    blocks = {b.id for b in study.analysis.blocks}
    propositions = {p.id for p in study.propositions}
    seen: set[str] = set()
    for i, item in enumerate(study.reproduction):
        loc = ("reproduction", i)

        def add(field_: str, message: str, where: tuple = ()) -> None:
            problems.append(Problem(shown, document.line(loc + where), f"reproduction.{i}.{field_}", message))

        if item.id in seen:
            add("id", f"duplicate register id '{item.id}'", ("id",))
        seen.add(item.id)
        if item.status == "niet-overgenomen" and item.reason is None:
            add("reason", "status 'niet-overgenomen' needs `reason`: why the item is not taken over")
        if item.status != "niet-overgenomen" and item.reason is not None:
            add("reason", f"`reason` is for items not taken over; this one is '{item.status}'", ("reason",))
        if item.status == "afgeleid" and item.block is None and item.proposition is None:
            add("block", "status 'afgeleid' needs `block` (the block that derives it) or `proposition` (the one "
                         "that tests it)")
        if item.proposition is not None and item.proposition not in propositions:
            add("proposition", f"unknown proposition '{item.proposition}'"
                + did_you_mean(item.proposition, propositions), ("proposition",))
        if item.block is not None and item.block not in blocks:
            add("block", f"unknown block '{item.block}'; defined: {', '.join(sorted(blocks)) or 'none'}", ("block",))
        if item.compare is not None:
            compare = item.compare
            if item.block is None:
                add("compare", "`compare` needs `block`: the table the author's values are set against", ("compare",))
            if not compare.rows and not compare.cells:
                add("compare", "give the author's `rows` or `cells`", ("compare",))
            if compare.rows and not compare.columns:
                add("compare.columns", "`rows` need `columns`: what each value of a row is", ("compare",))
            for j, row in enumerate(compare.rows):
                if len(row) != len(compare.columns):
                    add(f"compare.rows.{j}", f"{len(row)} values for {len(compare.columns)} columns "
                        f"({', '.join(compare.columns)})", ("compare", "rows", j))
            unknown = [c for c in compare.key if c not in compare.columns]
            if unknown:
                add("compare.key", f"not among `columns`: {', '.join(unknown)}", ("compare", "key"))
            if compare.show is not None:
                missing = [c for c in (compare.show.index, compare.show.columns, compare.show.values)
                           if c not in compare.columns]
                if missing:
                    add("compare.show", f"not among `columns`: {', '.join(missing)}", ("compare", "show"))
    return problems


def expected_variables(codebook: Codebook, level: str, kind: str | None = None) -> list[str]:
    """The variables a file of this level (and case kind) must code: every one the codebook defines for it."""
    return [v.id for v in codebook.variables
            if v.level == level and (kind is None or v.kinds is None or kind in v.kinds)]


def check_coded(codebook: Codebook, coded: dict, level: str, loc: Path_, document: Document, shown: str,
                kind: str | None = None, complete: bool = True) -> list[Problem]:
    """Every coded value against the codebook; with `complete`, also every variable the codebook defines
    for this level and kind must be there. A second coder's independent coding need not be complete: a
    variable one coder left out counts against agreement (ONTBREEKT) instead."""
    problems = []
    missing = codebook.missing()
    expected = expected_variables(codebook, level, kind)
    for variable_id in expected if complete else []:
        if variable_id not in coded:
            where = ".".join(map(str, loc + ("coded",)))
            unknown_code = next((m for m in sorted(missing) if m in ("onbekend", "unknown")), None)
            how = f"write `value: {unknown_code}` with the reason as evidence" if unknown_code else \
                "add a missing code such as `onbekend` to the codebook's missing_codes and write it, with the reason"
            problems.append(Problem(shown, document.line(loc + ("coded",)), where,
                                    f"'{variable_id}' is not coded; code every variable of the codebook, or, where "
                                    f"the source does not say, {how}"))
    for variable_id, coded_value in coded.items():
        where = loc + ("coded", variable_id)
        line = document.line(where)
        variable = codebook.variable(variable_id)
        if variable is None:
            problems.append(Problem(shown, line, variable_id, "variable is not defined in the codebook"
                                    + did_you_mean(variable_id, expected or [v.id for v in codebook.variables])))
            continue
        if variable.level != level:
            problems.append(Problem(shown, line, variable_id,
                                    f"variable belongs at level '{variable.level}', not '{level}'"))
        elif kind is not None and variable.kinds is not None and kind not in variable.kinds:
            problems.append(Problem(shown, line, variable_id,
                                    f"variable belongs to kinds {', '.join(variable.kinds)}, not '{kind}'"))
        value = coded_value.value
        value_line = document.line(where + ("value",))
        if isinstance(value, str) and value in missing:
            continue
        if variable.type == "text" and not isinstance(value, str):
            problems.append(Problem(shown, value_line, f"{variable_id}.value",
                                    f"a text variable, but YAML reads {value!r} as a number or truth value; "
                                    "put the text in quotes"))
        elif variable.type == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(Problem(shown, value_line, f"{variable_id}.value", f"expected a whole number, found '{value}'"
                                        + did_you_mean(value, missing)))
        elif variable.type == "categorical":
            allowed = [v.code for v in codebook.allowed_values(variable)]
            if str(value) not in allowed:
                options = ", ".join(allowed + sorted(missing))
                problems.append(Problem(shown, value_line, f"{variable_id}.value",
                                        f"'{value}' is not allowed; expected one of: {options}"
                                        + did_you_mean(value, allowed + sorted(missing))))
    return problems


def check_notes(codebook: Codebook, coded: dict, notes: list, loc: Path_, document: Document,
                shown: str) -> list[Problem]:
    """A source note about a coded variable whose choice is itself a code (or year) of that variable must
    choose the coded value: a note left behind by a later decision misleads the reader."""
    problems = []
    for i, note in enumerate(notes):
        coded_value, variable = coded.get(note.about), codebook.variable(note.about)
        if coded_value is None or variable is None:
            continue
        choice, value = note.choice.strip(), str(coded_value.value)
        if variable.type == "integer":
            is_code = choice.isdigit()
        else:
            is_code = choice in {v.code for v in codebook.allowed_values(variable)} | codebook.missing()
        if is_code and choice != value:
            problems.append(Problem(shown, document.line(loc + ("source_notes", i, "choice")),
                                    f"source_notes.{i}.choice",
                                    f"chooses '{choice}' for {note.about}, but the coded value is '{value}'"))
    return problems


def check_organisation(data: StudyData, org: OrganisationFile, document: Document, shown: str,
                       complete: bool = True) -> list[Problem]:
    codebook = data.codebook
    problems = check_coded(codebook, org.coded, "organisation", (), document, shown, complete=complete)
    problems.extend(check_notes(codebook, org.coded, org.source_notes, (), document, shown))
    seen_cases: set[str] = set()
    for i, unit in enumerate(org.units):
        loc = ("units", i)
        if unit.case not in data.cases:
            known = ", ".join(sorted(data.cases)) or "none"
            problems.append(Problem(shown, document.line(loc + ("case",)), f"units.{i}.case",
                                    f"unknown {data.case_kind()} '{unit.case}'; known: {known}"
                                    + did_you_mean(unit.case, data.cases)))
        if unit.case in seen_cases:
            problems.append(Problem(shown, document.line(loc + ("case",)), f"units.{i}.case",
                                    f"a second unit in '{unit.case}'; one unit per {data.case_kind()}"))
        seen_cases.add(unit.case)
        problems.extend(check_coded(codebook, unit.coded, "unit", loc, document, shown, complete=complete))
        problems.extend(check_notes(codebook, unit.coded, unit.source_notes, loc, document, shown))
        for j, period in enumerate(unit.reaction):
            ploc = loc + ("reaction", j)
            clusters = set()
            for k, tactic_id in enumerate(period.tactics):
                tactic = codebook.tactic(tactic_id)
                if tactic is None:
                    allowed = ", ".join(t.id for t in codebook.tactics)
                    problems.append(Problem(shown, document.line(ploc + ("tactics", k)), f"units.{i}.reaction.{j}.tactics",
                                            f"unknown tactic '{tactic_id}'; expected one of: {allowed}"
                                            + did_you_mean(tactic_id, [t.id for t in codebook.tactics])))
                elif tactic.cluster is not None:
                    clusters.add(tactic.cluster)
                elif period.cluster is not None:
                    clusters.add(period.cluster.value)  # a compromise takes the period's judged cluster
            problems.extend(_check_period_cluster(codebook, period, ploc, f"units.{i}.reaction.{j}", document, shown))
            if period.dominant_tactic is not None and period.dominant_tactic not in period.tactics:
                problems.append(Problem(shown, document.line(ploc + ("dominant_tactic",)), f"units.{i}.reaction.{j}.dominant_tactic",
                                        f"'{period.dominant_tactic}' is not one of this period's tactics"))
            elif len(clusters) > 1 and period.dominant_tactic is None:
                problems.append(Problem(shown, document.line(ploc), f"units.{i}.reaction.{j}",
                                        "tactics fall in different clusters (" + ", ".join(sorted(clusters))
                                        + "); set dominant_tactic to the one the source says dominates"))
    return problems


def _check_period_cluster(codebook: Codebook, period: Period, loc: Path_, field_: str, document: Document,
                          shown: str) -> list[Problem]:
    """A period whose deciding tactic has no fixed cluster (a compromise) carries its judged cluster, one
    the tactic allows; no other period does (its cluster follows from the tactic)."""
    tactic = codebook.tactic(period.deciding_tactic)
    if tactic is None:
        return []  # reported as an unknown tactic
    if tactic.cluster is None:
        options = " or ".join(tactic.period_clusters)
        if period.cluster is None:
            return [Problem(shown, document.line(loc), field_,
                            f"'{tactic.id}' decides this period and has no fixed cluster; give `cluster` "
                            f"({options}) with its evidence, judged from the source (coding rules, rule C)")]
        if period.cluster.value not in tactic.period_clusters:
            return [Problem(shown, document.line(loc + ("cluster", "value")), f"{field_}.cluster.value",
                            f"'{period.cluster.value}' is not a cluster '{tactic.id}' can take; expected {options}")]
        return []
    if period.cluster is not None:
        return [Problem(shown, document.line(loc + ("cluster",)), f"{field_}.cluster",
                        f"only a period decided by a tactic without a fixed cluster takes `cluster`; here "
                        f"'{tactic.id}' fixes it at '{tactic.cluster}'")]
    return []
