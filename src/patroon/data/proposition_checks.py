"""Checks of the propositions and the QCA in study.yaml against the study's own names: every `over` is the
units or a case kind of the study, every column one its rows have, every value one the column can take
(a case named by its id one of that kind), every variable selection one that selects. Each problem names
file, line and field, with the closest known name where one is near ('did you mean ...?'). The columns
follow from study.yaml and the codebook alone; case ids from the loaded case files, where given."""

from __future__ import annotations

from patroon.data.consistency import CASE_FRAME_COLUMNS, UNIT_FRAME_COLUMNS
from patroon.data.models import (
    UNITS,
    Codebook,
    Criterion,
    Measure,
    Proposition,
    Study,
    VariableSelection,
)
from patroon.data.suggest import did_you_mean
from patroon.data.yamlfile import Document, Problem

# Unit table columns whose values are clusters of the codebook.
CLUSTER_COLUMNS = ("first_cluster", "cluster", "predicted_cluster")


class Columns:
    """The columns the rows of one `over` have, and the values a column can take where that is known."""

    def __init__(self, study: Study, codebook: Codebook, over: str):
        self.codebook = codebook
        self.over = over
        analysis = study.analysis
        organisations = any(k.role == "organisation" for k in study.unit_kinds)
        if over == UNITS:
            self.variables = {column: variable for column, variable in analysis.unit_columns.items()}
            self.variables.update({v: v for v in (*analysis.profile_variables, *analysis.profile_groups)})
            self.names = set(UNIT_FRAME_COLUMNS) | set(self.variables) | set(analysis.unit_columns.values())
            self.variables.update({v: v for v in analysis.unit_columns.values()})
            self.kind = None
        else:
            case_kinds = [k.kind for k in study.unit_kinds if k.role == "case"]
            variables = [v.id for v in codebook.variables
                         if v.level == "case" and (v.kinds is None or over in v.kinds)]
            self.variables = {v: v for v in variables}
            self.names = {"case_id", "name", "part_of"} | set(variables)
            if organisations and case_kinds and over == case_kinds[0]:
                self.names |= set(CASE_FRAME_COLUMNS)
                self.names |= {f"n_{c.id.replace('-', '_')}" for c in codebook.clusters}
            self.kind = over

    def allowed(self, column: str) -> list[str] | None:
        """The codes a column can hold (None where patroon does not know them)."""
        if self.over == UNITS and column in CLUSTER_COLUMNS:
            return [c.id for c in self.codebook.clusters]
        variable = self.codebook.variable(self.variables.get(column, ""))
        if variable is None or variable.type != "categorical":
            return None
        return [v.code for v in self.codebook.allowed_values(variable)] + sorted(self.codebook.missing())

    def is_categorical(self, column: str) -> bool:
        return self.allowed(column) is not None


class Checker:
    def __init__(self, study: Study, codebook: Codebook, document: Document, shown: str,
                 case_ids: dict[str, list[str]] | None = None):
        self.study, self.codebook, self.document, self.shown = study, codebook, document, shown
        self.case_ids = case_ids or {}
        self.problems: list[Problem] = []
        self.organisations = any(k.role == "organisation" for k in study.unit_kinds)
        self.case_kinds = [k.kind for k in study.unit_kinds if k.role == "case"]

    def add(self, loc: tuple, message: str) -> None:
        self.problems.append(Problem(self.shown, self.document.line(loc), ".".join(map(str, loc)), message))

    def overs(self) -> list[str]:
        return ([UNITS] if self.organisations else []) + self.case_kinds

    def over(self, loc: tuple, over: str) -> Columns | None:
        if over not in self.overs():
            self.add(loc, f"'{over}' is not a case kind of this study; expected one of: {', '.join(self.overs())}"
                     + did_you_mean(over, self.overs()))
            return None
        return Columns(self.study, self.codebook, over)

    def column(self, loc: tuple, columns: Columns, column: str) -> bool:
        if column in columns.names:
            return True
        self.add(loc, f"'{column}' is not a column of the rows of '{columns.over}'" + did_you_mean(column, columns.names))
        return False

    def values(self, loc: tuple, columns: Columns, column: str, values: list[str]) -> None:
        allowed = columns.allowed(column)
        if allowed is None:
            return
        unknown = [v for v in values if v not in allowed]
        if unknown:
            self.add(loc, f"{', '.join(map(repr, unknown))} not allowed for '{column}'; expected among: "
                          f"{', '.join(allowed)}" + did_you_mean(unknown[0], allowed))

    def selection(self, loc: tuple, columns: Columns, selection: VariableSelection) -> None:
        for i, variable_id in enumerate(selection.ids):
            if self.codebook.variable(variable_id) is None:
                known = [v.id for v in self.codebook.variables]
                self.add(loc + ("ids", i), f"'{variable_id}' is not a variable of the codebook" + did_you_mean(variable_id, known))
        chosen = selection.select(self.codebook, columns.kind)
        if not chosen:
            self.add(loc, "selects no variable of the codebook (check group/prefix)")
        missing = [v for v in chosen if self.codebook.variable(v) is not None and v not in columns.variables]
        if missing and not selection.ids:
            return  # a group or prefix may reach variables of other levels; only named ones must fit
        if missing:
            self.add(loc, f"not a column of the rows of '{columns.over}': {', '.join(missing)}")

    def measure(self, loc: tuple, columns: Columns, measure: Measure) -> None:
        scaled = [c for c in ([measure.column] if measure.column else list(measure.sum))
                  if c in columns.names and columns.is_categorical(c)]
        if measure.column is not None and self.column(loc + ("column",), columns, measure.column):
            if measure.order:
                self.values(loc + ("order",), columns, measure.column, measure.order)
            elif columns.is_categorical(measure.column) and not measure.scale:
                self.add(loc + ("column",), f"'{measure.column}' holds categories: give `order` (low to high) "
                                            "or `scale` to use it as a number")
        for column in measure.sum:
            if self.column(loc + ("sum", column), columns, column) and columns.is_categorical(column) \
                    and not measure.scale:
                self.add(loc + ("sum", column), f"'{column}' holds categories: give `scale` (a number per value)")
        if measure.scale and scaled:
            allowed = {code for c in scaled for code in columns.allowed(c)}
            unknown = [code for code in measure.scale if code not in allowed]
            if unknown:
                self.add(loc + ("scale",), f"{', '.join(map(repr, unknown))} is no value of "
                         f"{', '.join(scaled)}" + did_you_mean(unknown[0], allowed))
        for key, column in measure.ratio.items():
            if self.column(loc + ("ratio", key), columns, column) and columns.is_categorical(column):
                self.add(loc + ("ratio", key), f"'{column}' holds categories, not numbers")
        for name in ("share", "count", "position"):
            spec = getattr(measure, name)
            if spec is None:
                continue
            selections = spec.of if isinstance(spec.of, list) else [spec.of]
            for i, selection in enumerate(selections):
                self.selection(loc + ((name, "of", i) if isinstance(spec.of, list) else (name, "of")), columns, selection)
        if measure.rank_in is not None:
            variable = self.codebook.variable(measure.rank_in.variable)
            if variable is None or measure.rank_in.variable not in columns.variables:
                self.add(loc + ("rank_in", "variable"), f"'{measure.rank_in.variable}' is not a variable of the rows "
                         f"of '{columns.over}'" + did_you_mean(measure.rank_in.variable, columns.variables))
            elif variable.type != "integer":
                self.add(loc + ("rank_in", "variable"), f"'{variable.id}' is {variable.type}; a rank needs numbers")
            self.selection(loc + ("rank_in", "among"), columns, measure.rank_in.among)

    def criterion(self, loc: tuple, columns: Columns, criterion: Criterion) -> None:
        for name in ("all_of", "any_of", "none_of"):
            for i, part in enumerate(getattr(criterion, name)):
                self.criterion(loc + (name, i), columns, part)
        if criterion.column is not None and self.column(loc + ("column",), columns, criterion.column):
            if criterion.values and criterion.column != "case_id":
                self.values(loc + ("values",), columns, criterion.column, criterion.values)
            elif criterion.values:
                known = set(self.case_ids.get(columns.over, [])) | {"totaal"}
                unknown = [v for v in criterion.values if self.case_ids and v not in known]
                if unknown:
                    self.add(loc + ("values",), f"{', '.join(map(repr, unknown))} is no case of kind '{columns.over}'"
                             + did_you_mean(unknown[0], known))
            if criterion.same_as is not None:
                self.column(loc + ("same_as",), columns, criterion.same_as)
            if criterion.ranged and columns.is_categorical(criterion.column):
                self.add(loc + ("column",), f"'{criterion.column}' holds categories: test it with `values`, or "
                                            "rank it in a `measure` with `order`")
        if criterion.measure is not None:
            self.measure(loc + ("measure",), columns, criterion.measure)

    def proposition(self, i: int, proposition: Proposition) -> None:
        loc = ("propositions", i)
        columns = self.over(loc + ("over",), proposition.over)
        if columns is None:
            return
        if proposition.where is not None:
            self.criterion(loc + ("where",), columns, proposition.where)
        pattern, at = proposition.pattern, loc + ("pattern",)
        if pattern.type == "association":
            for side in ("rows", "columns"):
                if self.column(at + (side,), columns, getattr(pattern, side)) and side in pattern.together:
                    self.values(at + ("together", side), columns, getattr(pattern, side), [pattern.together[side]])
        elif pattern.type == "rank":
            self.measure(at + ("x",), columns, pattern.x)
            self.measure(at + ("y",), columns, pattern.y)
            for j, alternative in enumerate(pattern.sensitivity):
                self.measure(at + ("sensitivity", j, "x"), columns, alternative.x)
        elif pattern.type == "share":
            if pattern.condition is not None:
                self.criterion(at + ("condition",), columns, pattern.condition)
            for key, column in pattern.total.items():
                if self.column(at + ("total", key), columns, column) and columns.is_categorical(column):
                    self.add(at + ("total", key), f"'{column}' holds categories, not numbers")
        elif pattern.type == "co-occurrence":
            self.items(at + ("items",), columns, pattern)
        elif pattern.type == "difference":
            self.measure(at + ("measure",), columns, pattern.measure)
            self.criterion(at + ("high",), columns, pattern.high)
            self.criterion(at + ("low",), columns, pattern.low)
        else:
            self.rule(at, columns, pattern)

    def items(self, loc: tuple, columns: Columns, pattern) -> None:
        if pattern.items.variables is not None:
            self.selection(loc + ("variables",), columns, pattern.items.variables)
            sets = [v for values in pattern.together for v in values]
            allowed = {code for v in pattern.items.variables.select(self.codebook, columns.kind)
                       for code in (columns.allowed(v) or [])}
            unknown = [v for v in sets if allowed and v not in allowed]
            if unknown:
                self.add(loc[:-1] + ("together",), f"{', '.join(map(repr, unknown))} is no value of the selected "
                                                   "variables" + did_you_mean(unknown[0], allowed))
            return
        if columns.over != (self.case_kinds[0] if self.organisations and self.case_kinds else None):
            self.add(loc + ("units",), f"`units` items need the rows of the case kind the units belong to "
                     f"('{self.case_kinds[0] if self.organisations else 'none in this study'}')")
            return
        units = Columns(self.study, self.codebook, UNITS)
        if self.column(loc + ("units",), units, pattern.items.units):
            values = [v for s in pattern.together for v in s]
            if values:
                self.values(loc[:-1] + ("together",), units, pattern.items.units, values)

    def rule(self, loc: tuple, columns: Columns, pattern) -> None:
        for name in ("observed", "predicted"):
            column = getattr(pattern, name)
            if column is not None:
                self.column(loc + (name,), columns, column)
        for j, rule in enumerate(pattern.rules):
            if pattern.observed in columns.names:
                self.values(loc + ("rules", j, "value"), columns, pattern.observed, [rule.value])
            self.criterion(loc + ("rules", j, "when"), columns, rule.when)
        if pattern.default is not None and pattern.observed in columns.names:
            self.values(loc + ("default",), columns, pattern.observed, [pattern.default])
        for j, check in enumerate(pattern.checks):
            if check.when is not None:
                self.criterion(loc + ("checks", j, "when"), columns, check.when)
            self.criterion(loc + ("checks", j, "then"), columns, check.then)
        for j, column in enumerate(pattern.show):
            self.column(loc + ("show", j), columns, column)


def check_propositions(study: Study, codebook: Codebook, document: Document, shown: str,
                       case_ids: dict[str, list[str]] | None = None) -> list[Problem]:
    """`case_ids`: the loaded cases per kind, so a proposition that names a case by id is checked too."""
    checker = Checker(study, codebook, document, shown, case_ids)
    seen: dict[str, int] = {}
    for i, proposition in enumerate(study.propositions):
        if proposition.id in seen:
            checker.add(("propositions", i, "id"), f"duplicate proposition id '{proposition.id}'")
        seen.setdefault(proposition.id, i)
        checker.proposition(i, proposition)
    return checker.problems


def check_qca(study: Study, codebook: Codebook, document: Document, shown: str) -> list[Problem]:
    """The QCA's rows, outcome, conditions and calibration name what exists."""
    settings = study.analysis.qca
    if settings is None:
        return []
    checker = Checker(study, codebook, document, shown)
    loc = ("analysis", "qca")
    over = settings.over or (UNITS if checker.organisations else (checker.case_kinds or [""])[0])
    columns = checker.over(loc + ("over",), over)
    if columns is None:
        return checker.problems
    checker.column(loc + ("outcome_column",), columns, settings.outcome_column)
    for i, condition in enumerate(settings.conditions):
        checker.column(loc + ("conditions", i), columns, condition)
    for condition in settings.calibration:
        if condition not in settings.conditions:
            checker.add(loc + ("calibration", condition), f"'{condition}' is not one of the QCA conditions"
                        + did_you_mean(condition, settings.conditions))
    for condition in settings.conditions:
        if condition not in settings.calibration:
            checker.add(loc + ("calibration",), f"condition '{condition}' has no calibration (list every value "
                                                "with 1, 0 or exclude)")
    for condition, memberships in settings.calibration.items():
        variable = codebook.variable(columns.variables.get(condition, ""))
        if variable is None or not codebook.allowed_values(variable):
            continue
        allowed = [v.code for v in codebook.allowed_values(variable)]
        unknown = [v for v in memberships if v not in allowed and v not in codebook.missing() and v != "onbekend"]
        if unknown:
            checker.add(loc + ("calibration", condition), f"{', '.join(unknown)} not allowed for '{variable.id}'; "
                        f"expected among: {', '.join(allowed)}" + did_you_mean(unknown[0], allowed))
        missing = [v for v in allowed if v not in memberships]
        if missing:
            checker.add(loc + ("calibration", condition), f"no membership for {', '.join(missing)}: calibrate every "
                                                          f"value of '{variable.id}' (1, 0 or exclude)")
    for condition in settings.directional_expectations:
        if condition not in settings.conditions:
            checker.add(loc + ("directional_expectations", condition), f"'{condition}' is not one of the QCA "
                        "conditions" + did_you_mean(condition, settings.conditions))
    return checker.problems
