"""The names study.yaml uses for columns, values and blocks, checked against what exists, with "did you
mean". A name that exists nowhere does not fail later: it silently changes a result. A register row
filtered on a misspelt column matches no row of the block's table, and the author then "disagrees"; a
robustness value that no calibration uses multiplies the QCA runs without changing one; a block's
`present` value with a typo makes every row "different"; a coder named twice compares a coding with itself.

What a block's table holds is known before it is computed (`block_table`): its columns follow from the
block's type and settings, and for most columns the values too (case ids, variable ids, codes, ja/nee).
`tests/test_names.py` holds this against the tables the analysis computes for every study.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from patroon.data.models import Codebook, Study
from patroon.data.proposition_checks import Columns
from patroon.data.models.propositions import UNITS
from patroon.data.suggest import did_you_mean
from patroon.data.yamlfile import Document, Problem

# The row a crosstab adds for the column sums and a top-k block for the sum over all cases.
TOTAL = "totaal"
YES_NO = frozenset({"ja", "nee"})
# More combinations than this in `analysis.qca.robustness` is a typo or a mistake, not a robustness check:
# every combination is a full QCA (three values with three memberships each are 27).
MAX_ROBUSTNESS_RUNS = 256


@dataclass
class BlockTable:
    """The columns of a block's table, each with the values it can hold (None: any value, e.g. counts).
    `open`: the table has further columns that cannot be known in advance (codes of integer variables)."""

    columns: dict[str, frozenset[str] | None] = field(default_factory=dict)
    open: bool = False


def _codes(codebook: Codebook, variables: Iterable[str]) -> tuple[set[str], bool]:
    """Every value the variables can take (their codes and the missing codes), and whether that is all of
    them (False when one of them is an integer or text)."""
    codes = set(codebook.missing())
    complete = True
    for variable_id in variables:
        variable = codebook.variable(variable_id)
        if variable is None or variable.type != "categorical":
            complete = False
            continue
        codes |= {v.code for v in codebook.allowed_values(variable)}
    return codes, complete


def block_table(block, codebook: Codebook, case_ids: Iterable[str]) -> BlockTable:
    """What `patroon.analysis.blocks` will put in this block's table (see the module text)."""
    chosen = block.variables.select(codebook, block.kind)
    cases = frozenset(case_ids)
    variables = frozenset(chosen)
    labels = None
    if block.type == "crosstab":
        codes, complete = _codes(codebook, chosen)
        keys = {"case": cases, "variable": variables,
                "group": frozenset(codebook.variable(v).group for v in chosen)}[block.rows]
        columns = {block.rows: keys | {TOTAL}, TOTAL: None, **{code: None for code in codes}}
        return BlockTable(columns, open=not complete)
    if block.type == "matrix":
        words = frozenset(w for key in ("similar", "different", "undetermined")
                          for w in ((block.labels[key].nl, block.labels[key].en) if key in block.labels else (key,)))
        columns = {"variable": variables, "label": labels, **{c: None for c in cases}, "computed": words,
                   "known": None}
        if block.reported:
            columns.update(reported=None, agrees=YES_NO | {""})  # "": the source reports nothing for the row
        return BlockTable(columns)
    if block.type == "threshold":
        columns = {"case": cases} if block.per == "case" else {}
        columns.update(variable=variables, label=labels, count=None, n=None, share=None, passes=YES_NO)
        return BlockTable(columns)
    if block.type == "top-k":
        return BlockTable({"case": cases | ({TOTAL} if block.total else set()), "rank": None,
                           "variable": variables, "label": labels, "score": None, "tie": YES_NO})
    columns = {"case": cases, "part": None, block.left: None, block.right: None, "n_coded": None, "position": None}
    if block.compare_with is not None:
        columns["reported"] = None
    return BlockTable(columns)


class _Checker:
    """Collects located problems for names in study.yaml."""

    def __init__(self, document: Document, shown: str):
        self.document, self.shown = document, shown
        self.problems: list[Problem] = []

    def add(self, loc: tuple, message: str) -> None:
        self.problems.append(Problem(self.shown, self.document.line(loc), ".".join(map(str, loc)), message))

    def unknown(self, loc: tuple, what: str, name: object, known: Iterable[object]) -> None:
        known = sorted({str(k) for k in known})
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        self.add(loc, f"'{name}' is not {what}; known: {shown or 'none'}" + did_you_mean(name, known))

    def duplicates(self, items: list, loc: Callable[[int], tuple], what: str) -> None:
        counts = Counter(str(i) for i in items)
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            if counts[str(item)] > 1 and str(item) in first:
                self.add(loc(index), f"{what} '{item}' is listed twice (first as item {first[str(item)]})")
            first.setdefault(str(item), index)


def check_analysis_names(study: Study, codebook: Codebook, document: Document, shown: str) -> list[Problem]:
    """Names in study.yaml that `check_study_references` and `check_blocks` leave: duplicates, QCA
    robustness values, outcome and rule values, the groups, prefixes and values blocks select."""
    check = _Checker(document, shown)
    analysis = study.analysis
    check.duplicates([k.kind for k in study.unit_kinds], lambda i: ("unit_kinds", i, "kind"), "kind")
    check.duplicates([k.plural for k in study.unit_kinds], lambda i: ("unit_kinds", i, "plural"), "folder")
    if study.coding is not None:
        check.duplicates(study.coding.coders, lambda i: ("coding", "coders", i), "coder")
    a = ("analysis",)
    check.duplicates([c.id for c in analysis.crosstabs], lambda i: a + ("crosstabs", i, "id"), "crosstab")
    check.duplicates(analysis.profile_groups, lambda i: a + ("profile_groups", i), "variable")
    check.duplicates(analysis.profile_variables, lambda i: a + ("profile_variables", i), "variable")
    check.duplicates([c.id for c in analysis.steering_conditions], lambda i: a + ("steering_conditions", i, "id"),
                     "condition")
    units = Columns(study, codebook, UNITS)
    for i, rule in enumerate(analysis.prediction_rules):
        check.duplicates(rule.count_plus, lambda j, i=i: a + ("prediction_rules", i, "count_plus", j), "variable")
        for j, requirement in enumerate(rule.all_of):
            values = units.allowed(requirement.variable)
            for k, value in enumerate(requirement.values):
                if values is not None and value not in values:
                    check.unknown(a + ("prediction_rules", i, "all_of", j, "values", k),
                                  f"a value of '{requirement.variable}'", value, values)
    if analysis.qca is not None:
        _check_qca(check, study, codebook)
    for i, block in enumerate(analysis.blocks):
        _check_block_selection(check, codebook, block, a + ("blocks", i))
    return check.problems


def _check_qca(check: _Checker, study: Study, codebook: Codebook) -> None:
    qca = study.analysis.qca
    q = ("analysis", "qca")
    check.duplicates(qca.conditions, lambda i: q + ("conditions", i), "condition")
    organisations = any(k.role == "organisation" for k in study.unit_kinds)
    over = qca.over or (UNITS if organisations else next((k.kind for k in study.unit_kinds if k.role == "case"), ""))
    outcome_values = Columns(study, codebook, over).allowed(qca.outcome_column)
    if outcome_values is not None and qca.outcome_value not in outcome_values:
        check.unknown(q + ("outcome_value",), f"a value of '{qca.outcome_column}'", qca.outcome_value, outcome_values)
    calibrated = {value for memberships in qca.calibration.values() for value in memberships}
    runs = 1
    for value, memberships in qca.robustness.items():
        loc = q + ("robustness", value)
        if value not in calibrated:
            check.unknown(loc, "a value any condition's calibration uses (it would change nothing, and "
                               "multiply the QCA runs)", value, calibrated)
        if not memberships:
            check.add(loc, "lists no membership; give the ones to try (e.g. [0, 1])")
        check.duplicates(memberships, lambda j, loc=loc: loc + (j,), "membership")
        runs *= max(1, len(set(map(str, memberships))))
    if runs > MAX_ROBUSTNESS_RUNS:
        check.add(q + ("robustness",), f"{runs} combinations, each a full QCA; at most {MAX_ROBUSTNESS_RUNS}")


def _check_block_selection(check: _Checker, codebook: Codebook, block, loc: tuple) -> None:
    selection = block.variables
    groups = {v.group for v in codebook.variables}
    check.duplicates(selection.ids, lambda j: loc + ("variables", "ids", j), "variable")
    check.duplicates(selection.groups, lambda j: loc + ("variables", "groups", j), "group")
    for name, where in [(selection.group, ("group",))] + [(g, ("groups", j)) for j, g in enumerate(selection.groups)]:
        if name is not None and name not in groups:
            check.unknown(loc + ("variables",) + where, "a group of the codebook", name, groups)
    if selection.prefix is not None and not any(v.id.startswith(selection.prefix) for v in codebook.variables):
        check.add(loc + ("variables", "prefix"), f"no variable of the codebook starts with '{selection.prefix}'")
    codes, complete = _codes(codebook, selection.select(codebook, block.kind))
    # The codes a block counts or places by: a typo there silently counts nothing.
    for field_ in {"matrix": ("present",), "threshold": ("values",), "continuum": ("left", "right", "both")}.get(block.type, ()):
        named = getattr(block, field_)
        values = named if isinstance(named, list) else [named]
        check.duplicates(values, lambda j, field_=field_: loc + (field_, j), "value")
        for j, value in enumerate(values):
            if complete and value not in codes:
                where = loc + (field_,) + ((j,) if isinstance(named, list) else ())
                check.unknown(where, "a value of the variables this block selects", value, codes)


def check_register_names(study: Study, codebook: Codebook, case_ids: dict[str, list[str]], document: Document,
                         shown: str) -> list[Problem]:
    """The author's rows and cells of the reproduction register pick rows and columns of a block's table:
    each column they name must be one of its columns, and each value one it can hold."""
    check = _Checker(document, shown)
    blocks = {b.id: b for b in study.analysis.blocks}
    for i, item in enumerate(study.reproduction):
        block = blocks.get(item.block or "")
        if item.compare is None or block is None:
            continue
        table = block_table(block, codebook, case_ids.get(block.kind, []))
        loc = ("reproduction", i, "compare")

        def column(where: tuple, name: str) -> bool:
            if name in table.columns or table.open:
                return name in table.columns
            check.unknown(where, f"a column of block '{block.id}'", name, table.columns)
            return False

        def pick(where: tuple, row: dict) -> None:
            for name, value in row.items():
                if column(where + (name,), name) and table.columns[name] is not None \
                        and str(value) not in table.columns[name]:
                    check.unknown(where + (name,), f"a value of column '{name}' of block '{block.id}'", value,
                                  table.columns[name])

        compare = item.compare
        check.duplicates(compare.columns, lambda j: loc + ("columns", j), "column")
        check.duplicates(compare.key, lambda j: loc + ("key", j), "column")
        if compare.rows:
            for j, name in enumerate(compare.key or compare.columns):
                column(loc + (("key" if compare.key else "columns"), j), name)
        pick(loc + ("where",), compare.where)
        for j, cell in enumerate(compare.cells):
            pick(loc + ("cells", j, "row"), cell.row)
            column(loc + ("cells", j, "column"), cell.column)
    return check.problems
