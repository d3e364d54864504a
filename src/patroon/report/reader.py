"""The reader layer between results and templates: what a table or sentence of a report shows.

Results (results/<study>/*.csv, patterns.json) keep machine ids and codes, for the workbook and other
tools. A report shows the codebook's labels and the cases' names in the report language instead: a unit
id becomes the unit's name, a cluster id its label, `mixed` 'gemengd', `true` 'ja', 0.6667 '67%', a list
of condition ids their labels. Column headers come from the message catalog or, for a variable, the
codebook.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from patroon.analysis.blocks import TOTAL
from patroon.data import derive
from patroon.data.study_data import StudyData
from patroon.report import i18n

# Which columns of the result frames hold what kind of value.
CLUSTER_COLUMNS = {"first_cluster", "cluster", "predicted_cluster", "from_cluster", "to_cluster"}
YES_NO_COLUMNS = {"prediction_matches", "opposing_forces", "majority", "contradiction", "steering_adequate",
                  "passes", "agrees", "tie", "changed"}
SHARE_COLUMNS = {"share_volgen", "share"}
MEASURE_COLUMNS = {"consistency", "coverage", "position"}
UNIT_LIST_COLUMNS = {"deviant_units", "cases"}


def natural_key(text: str) -> list:
    """Sort '3N' before '10N': runs of digits compare as numbers, the rest without case."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
            for part in re.split(r"(\d+)", text) if part]


class Reader:
    """Labels and names of one study in one language. `Reader.of` builds one per study and language and
    reuses it: every report and table of a study asks it, and at national scale the name lookups are
    built once, not once per unit."""

    _made: dict[tuple[int, str], tuple[StudyData, "Reader"]] = {}

    @classmethod
    def of(cls, data: StudyData, language: str) -> "Reader":
        key = (id(data), language)
        made = cls._made.get(key)
        if made is None or made[0] is not data:
            made = cls._made[key] = (data, cls(data, language))
        return made[1]

    def __init__(self, data: StudyData, language: str):
        self.data = data
        self.language = language
        self.m = i18n.Messages(language)
        self.catalog = self.m.catalog
        self.case_names = {case_id: case.name for case_id, case in data.cases.items()}
        self.organisation_names = {org_id: org.name for org_id, org in data.organisations.items()}
        self.unit_names = {ref.unit_id: ref.unit.name for ref in derive.unit_refs(data)} if data.organisations else {}
        self.clusters = {c.id: getattr(c.label, language) for c in data.codebook.clusters}
        self.conditions = {c.id: getattr(c.label, language) for c in data.study.analysis.steering_conditions}
        self.unit_columns = dict(data.study.analysis.unit_columns) if data.organisations else {}
        self.tactics = {t.id: t for t in data.codebook.tactics}
        # Every value code of the codebook with its shortest label: for codes met outside a variable (a
        # continuum's poles, the source's own placement).
        self.code_labels: dict[str, str] = {}
        values = [v for vs in data.codebook.value_sets.values() for v in vs]
        values += [v for var in data.codebook.variables for v in (var.values or [])]
        for value in values:
            label = getattr(value.label, language)
            if value.code not in self.code_labels or len(label) < len(self.code_labels[value.code]):
                self.code_labels[value.code] = label

    # ------------------------------------------------------------------ single values

    def label(self, key: str) -> str:
        return self.catalog["labels"][key]

    def case(self, case_id: str) -> str:
        """A case's name; a cross-tab's total row ('totaal') in the report language."""
        if case_id in self.case_names:
            return self.case_names[case_id]
        return self.code(case_id) if case_id == TOTAL else case_id

    def unit(self, unit_id: str) -> str:
        return self.unit_names.get(unit_id, self.case_names.get(unit_id, unit_id))

    def cluster(self, cluster_id: str, lower: bool = False) -> str:
        """A cluster's label; `lower` inside a sentence."""
        label = self.clusters.get(cluster_id, self.code(cluster_id))
        return label[:1].lower() + label[1:] if lower else label

    def kind_noun(self, kind: str | None = None, n: int = 2) -> str:
        """A case or organisation kind in the study's own words, in the form a count of n takes ('gemeente',
        "inkoopregio's"): its label, or its plural label (else its folder name). Without `kind`: the first
        case kind (what "case" means in this study)."""
        kind = kind or self.data.case_kind()
        unit_kind = next(k for k in self.data.study.unit_kinds if k.kind == kind)
        if self.m.plural_category(n) == "one":
            # Without the label's explanation: 'Gemeente (centrum- of perifere gemeente)' reads 'gemeente'.
            label = re.sub(r"\s*\([^()]*\)$", "", getattr(unit_kind.label, self.language)) or unit_kind.kind
            return label[:1].lower() + label[1:]
        return getattr(unit_kind.plural_label, self.language) if unit_kind.plural_label else unit_kind.plural

    def kind_count(self, kind: str, n: int) -> str:
        """'5 gemeenten', '1 inkoopregio'."""
        return f"{self.m.number(n)} {self.kind_noun(kind, n)}"

    def tactic(self, tactic_id: str) -> str:
        tactic = self.tactics.get(tactic_id)
        if tactic is None:
            return tactic_id
        # The codebook labels a tactic 'Strategy: tactic' (Oliver); a table of tactics shows the tactic.
        return getattr(tactic.label, self.language).split(": ")[-1].lower()

    def reaction(self, text: str) -> str:
        """'conformeren+negeren > domineren' → 'conformeren + negeren → domineren', in the report language."""
        return " → ".join(" + ".join(self.tactic(t) for t in step.split("+")) for step in str(text).split(" > "))

    def cluster_path(self, text: str, lower: bool = False) -> str:
        return " → ".join(self.cluster(c, lower) for c in str(text).split(" > "))

    def code(self, value: object) -> str:
        """A shared short code (ja, nee, true, mixed, onbekend) in the report language; others unchanged."""
        text = str(value)
        values = self.catalog["values"]
        if text in values:
            return values[text]
        missing = {m.code: getattr(m.label, self.language) for m in self.data.codebook.missing_codes}
        return missing.get(text, text)

    def value(self, variable_id: str, value: object, short: bool = False) -> str:
        """A coded value as the reader sees it: the codebook's label of the value (`short`: symbols such as
        + and − stay symbols, shared codes such as `mixed` are translated), integers for the locale."""
        variable = self.data.codebook.variable(variable_id)
        if isinstance(value, bool):
            return self.code(str(value).lower())
        if variable is None or variable.type != "categorical":
            if isinstance(value, int) or (variable is not None and variable.type == "integer"
                                          and str(value).lstrip("-").isdigit()):
                return self.m.number(int(value))
            return self.code(value) if str(value) in self.catalog["values"] else str(value)
        text = str(value)
        if short and text in ("+", "-"):
            return "+" if text == "+" else "−"
        if text in self.catalog["values"]:
            return self.code(text)
        labels = {v.code: v.label for v in self.data.codebook.allowed_values(variable)}
        labels.update({m.code: m.label for m in self.data.codebook.missing_codes})
        label = labels.get(text)
        return getattr(label, self.language) if label else text

    def compact(self, variable_id: str, value: object) -> str:
        """A value's label for a cell of a wide table or figure: the label up to its explanation (a
        codebook label reads 'deels: alleen in de regiotekst beschreven' or 'relatie niet onderzocht (…)')."""
        label = self.value(variable_id, value, short=True)
        variable = self.data.codebook.variable(variable_id)
        if variable is None or variable.type != "categorical":
            return label  # text as coded, in full
        return re.split(r": | \(", label, maxsplit=1)[0] or label

    def any_code(self, code: object) -> str:
        """A code by its label anywhere in the codebook (the shortest where several values share it)."""
        text = str(code)
        if text in self.catalog["values"]:
            return self.code(text)
        return self.code_labels.get(text, self.code(text))

    def calibration_choice(self, text: object) -> str:
        """A robustness row's calibration, 'mixed → 0, onbekend → exclude', with codes in the report language."""
        pairs = [p.split(" → ", 1) for p in str(text).split(", ")]
        if not all(len(p) == 2 for p in pairs):
            return str(text)
        return ", ".join(f"{self.any_code(v)} → {self.code(m)}" for v, m in pairs)

    def variable(self, variable_id: str) -> str:
        variable = self.data.codebook.variable(variable_id)
        return getattr(variable.label, self.language) if variable is not None else variable_id

    def condition_list(self, text: object) -> str:
        ids = [c for c in str(text).split(";") if c]
        # Semicolons: the labels themselves hold commas.
        return "; ".join(self.conditions.get(c, c) for c in ids) if ids else self.label("none")

    def unit_list(self, text: object) -> str:
        ids = [u for u in str(text).replace(", ", ";").split(";") if u]
        return ", ".join(self.unit(u) for u in ids)

    def requirement(self, variable_id: str, values: list[str]) -> str:
        shown = self.catalog["sentences"]["or"].join(self.value(variable_id, v) for v in values)
        return self.m.text("requirement", variable=self.variable(variable_id), values=shown)

    def note_text(self, text: str) -> str:
        """A source note's subject or choice as the reader knows it: a codebook variable id (or several,
        joined by '/') becomes its label, a code its label; any other text stays as written."""
        stripped = " ".join(str(text).split())
        parts = [p.strip() for p in stripped.split(" / ")]
        if all(self.data.codebook.variable(p) is not None for p in parts):
            return " / ".join(self.variable(p) for p in parts)
        if " " not in stripped and (stripped in self.catalog["values"] or stripped in self.code_labels):
            return self.any_code(stripped)
        return stripped

    DOTTED_ID = re.compile(r"(?<![\w.])[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+(?![\w-])")

    def ids_to_labels(self, text: str) -> str:
        """A coder's sentence with every codebook variable id in it ('context.toegang') as its label."""
        return self.DOTTED_ID.sub(lambda m: self.variable(m.group(0)) if self.data.codebook.variable(m.group(0))
                                  else m.group(0), str(text))

    def notes(self, notes: list) -> list[dict]:
        """Source notes for reading: their subject and choice through `note_text`, variable ids in their
        sentences as labels."""
        return [{"about": self.ids_to_labels(self.note_text(n.about)),
                 "readings": [self.ids_to_labels(r) for r in n.readings],
                 "choice": self.ids_to_labels(self.note_text(n.choice)), "reason": self.ids_to_labels(n.reason)}
                for n in notes]

    def header(self, column: object) -> str:
        text = str(column)
        columns = self.catalog["columns"]
        if text == "opposing_forces" and self.data.study.analysis.opposing_forces is None:
            return columns["opposing_forces_ours"]  # derived by our own rule, not coded from the chapters
        if text in columns:
            return columns[text]
        if text in self.clusters:
            return self.clusters[text]
        if text in self.case_names:
            return self.case_names[text]
        variable = self.data.codebook.variable(text)
        if variable is not None:
            return getattr(variable.label, self.language)
        return self.code(text)

    # ------------------------------------------------------------------ tables

    def converter(self, column: str) -> Callable[[object], str] | None:
        if column == "unit_id":
            return self.unit
        if column in ("case_id", "case"):
            return self.case
        if column == "organisation_id":
            return lambda v: self.organisation_names.get(str(v), str(v))
        if column in CLUSTER_COLUMNS or column == "outcome":
            return self.cluster
        if column == "cluster_path":
            return self.cluster_path
        if column == "reaction":
            return self.reaction
        if column == "calibration":
            return self.calibration_choice
        if column in YES_NO_COLUMNS:
            return lambda v: self.code(str(v).lower() if isinstance(v, bool) else v)
        if column in SHARE_COLUMNS:
            return self.m.percent
        if column in MEASURE_COLUMNS:
            return lambda v: self.m.number(v, 2)
        if column in ("conditions_not_met", "conditions_met", "conditions_partly"):
            return self.condition_list
        if column in UNIT_LIST_COLUMNS:
            return self.unit_list
        if column == "variable":
            return self.variable
        if column in self.unit_columns:
            variable_id = self.unit_columns[column]
            if column == "founded":
                return str
            return lambda v: self.value(variable_id, v, short=True)
        if column in self.data.study.analysis.profile_groups:
            return lambda v: self.value(column, v, short=True)
        return None

    def cell(self, column: str, value: object) -> object:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        convert = self.converter(column)
        if convert is not None:
            return convert(value)
        if isinstance(value, bool):
            return self.code(str(value).lower())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.m.number(value, 0 if float(value).is_integer() else 2)
        return self.code(value)

    def frame(self, frame: pd.DataFrame, index: bool = False, row_values: Callable | None = None,
              rename: bool = True) -> pd.DataFrame:
        """A result frame for reading: every cell converted by its column, every header a label.
        `index`: the frame's index (a cross-tab's rows) becomes its first column first."""
        if index:
            name = frame.index.name or ""
            frame = frame.reset_index().rename(columns={"index": name})
        rows = []
        for record in frame.to_dict("records"):
            rows.append({column: (row_values(column, value, record) if row_values else None)
                         or self.cell(column, value) for column, value in record.items()})
        shown = pd.DataFrame(rows, columns=list(frame.columns))
        return shown.rename(columns={c: self.header(c) for c in frame.columns}) if rename else shown

    def category(self, column: str, value: object) -> str:
        """A value of a cross-tab's row or column variable, in full (the codebook's label)."""
        if str(value) in ("totaal", "total"):
            return self.label("total")
        if column in self.unit_columns and column != "founded":
            return self.value(self.unit_columns[column], value)
        if column in ("case_id", "cluster") or column in self.data.study.analysis.profile_groups:
            return str(self.cell(column, value))
        return self.code(value)

    def crosstab(self, table: pd.DataFrame, rows: str, columns: str) -> pd.DataFrame:
        """A cross-tab (rows by columns, with totals) with its row and column values as labels."""
        shown = self.frame(table, index=True,
                           row_values=lambda c, v, r: self.category(rows, v) if c == rows else None)
        first = shown.columns[0]
        return shown.rename(columns={c: self.category(columns, c) for c in shown.columns if c != first})

    def profiles(self, profiles: pd.DataFrame) -> pd.DataFrame:
        """Cluster profiles: 'weten | volgen | + | 8 van 8 | afwijkers' with labels and the locale's words."""
        frame = profiles[["variable", "cluster", "value", "count", "n_cluster", "deviant_units"]].copy()
        of = [self.m.text("of", count=self.m.number(c), n=self.m.number(n))
              for c, n in zip(frame["count"], frame["n_cluster"])]
        values = [self.value(v, x, short=True) for v, x in zip(frame["variable"], frame["value"])]
        frame = frame.drop(columns=["count", "n_cluster"]).assign(value=values, of=of)
        frame = frame[["variable", "cluster", "value", "of", "deviant_units"]]
        return self.frame(frame, row_values=lambda c, v, r: v if c == "value" else None)
