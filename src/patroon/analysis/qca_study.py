"""The QCA a study declares (`analysis.qca` in study.yaml), over its units or the cases of one kind: the
crisp frame under the declared calibration, the directional expectations, the analysis of the outcome
and of its absence, and the robustness table. The engine is `patroon.analysis.qca`.

Bad input (a value the calibration does not list, a row without a value) is refused as a LoadError naming
the case file and the column. A truth table the engine will not minimise is not an error: the result
carries R's refusal, and the synthesis shows it.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pandas as pd

from patroon.analysis import qca
from patroon.analysis.propositions.frames import Rows, rows
from patroon.data.derive import unit_refs
from patroon.data.models import UNITS, QcaSettings
from patroon.data.study_data import StudyData
from patroon.data.yamlfile import LoadError, Problem


def over(data: StudyData) -> str:
    """The rows the QCA is about: as declared, else the units of a study with organisations, else the
    cases of the study's first kind."""
    settings = data.study.analysis.qca
    if settings.over is not None:
        return settings.over
    return UNITS if data.organisation_kind() is not None else data.case_kind()


def qca_rows(data: StudyData, units: pd.DataFrame | None = None, cases: pd.DataFrame | None = None) -> Rows:
    return rows(data, over(data), units, cases)


def _row_file(data: StudyData, frame: Rows, row_id: str) -> str:
    """The case file a row's values come from, for messages."""
    if frame.over != UNITS:
        path = data.files.get(f"{frame.over}/{row_id}")
        return str(path) if path is not None else f"{data.plural(frame.over)}/{row_id}.yaml"
    kind = data.organisation_kind()
    for ref in unit_refs(data):
        if ref.unit_id == row_id:
            path = data.files.get(f"{kind}/{ref.organisation.id}")
            return str(path) if path is not None else f"{data.plural(kind)}/{ref.organisation.id}.yaml"
    return str(data.root / "study.yaml")


def _study_file(data: StudyData) -> str:
    return str(data.root / "study.yaml")


def _problem(path: str, field: str, message: str) -> LoadError:
    return LoadError([Problem(path, 1, field, message)])


def _variable_of(frame: Rows, column: str) -> str:
    return next((v for v, c in frame.columns_of.items() if c == column), column)


def directional_expectations(data: StudyData, frame: Rows) -> dict[str, tuple[int | None, str]]:
    """Per condition: 1 (presence favours the outcome), 0 (absence) or None, and where that comes from:
    study.yaml, or the codebook's direction of the values calibrated as 1."""
    settings = data.study.analysis.qca
    out: dict[str, tuple[int | None, str]] = {}
    for condition in settings.conditions:
        stated = settings.directional_expectations.get(condition)
        if stated is not None:
            out[condition] = ({"+": 1, "-": 0, "0": None}[stated], "study.yaml")
            continue
        variable = data.codebook.variable(_variable_of(frame, condition))
        if variable is None:
            out[condition] = (None, "")
            continue
        directions = {v.code: v.direction for v in data.codebook.allowed_values(variable)}
        present = {directions.get(value) for value, m in settings.calibration[condition].items() if m == 1}
        out[condition] = ((1 if present == {"+"} else 0 if present == {"-"} else None), "codebook")
    return out


def count_column(frame: Rows) -> str:
    """The calibration table's count column: units, or cases."""
    return "units" if frame.over == UNITS else "cases"


def calibration_table(data: StudyData, frame: Rows, calibration: dict | None = None) -> pd.DataFrame:
    """Per condition and coded value: the crisp membership, how many rows have it, and the directional
    expectation with where it comes from."""
    settings = data.study.analysis.qca
    calibration = calibration or settings.calibration
    expectations = directional_expectations(data, frame)
    counted = count_column(frame)
    rows_out = []
    for condition in settings.conditions:
        counts = Counter(str(r.get(condition)) for r in frame.records if not pd.isna(r.get(condition)))
        expectation, origin = expectations.get(condition, (None, ""))
        for value, membership in calibration[condition].items():
            rows_out.append({"condition": condition, "value": value, "membership": membership,
                             counted: counts.get(value, 0),
                             "expectation": {1: "+", 0: "-", None: "0"}[expectation], "expectation_from": origin})
    rows_out.append({"condition": settings.outcome, "value": settings.outcome_value, "membership": 1,
                     counted: sum(str(r.get(settings.outcome_column)) == settings.outcome_value
                                  for r in frame.records),
                     "expectation": "", "expectation_from": settings.outcome_column})
    return pd.DataFrame(rows_out)


def qca_input(data: StudyData, frame: Rows, calibration: dict | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The crisp 0/1 frame of conditions and outcome under a calibration (default: study.yaml's), and the
    rows it leaves out. A value the calibration does not list is refused, naming the case file and column."""
    settings = data.study.analysis.qca
    calibration = calibration or settings.calibration
    ids = [r[frame.id_column] for r in frame.records]
    crisp = pd.DataFrame({frame.id_column: ids})
    keep = [True] * len(ids)
    for condition in settings.conditions:
        memberships = calibration[condition]
        values = []
        for row_id, record in zip(ids, frame.records):
            value = record.get(condition)
            if value is None or pd.isna(value):
                raise _problem(_row_file(data, frame, row_id), condition,
                               f"{row_id} has no value for QCA condition '{condition}'")
            if str(value) not in memberships:
                raise _problem(_row_file(data, frame, row_id), condition,
                               f"{row_id} has '{value}', which analysis.qca.calibration.{condition} in "
                               f"{_study_file(data)} does not calibrate; calibrated: {', '.join(memberships)}")
            values.append(memberships[str(value)])
        keep = [k and v != "exclude" for k, v in zip(keep, values)]
        crisp[condition] = [0 if v == "exclude" else v for v in values]
    crisp[settings.outcome] = [int(str(r.get(settings.outcome_column)) == settings.outcome_value)
                               for r in frame.records]
    excluded = [i for i, k in zip(ids, keep) if not k]
    return crisp[keep].reset_index(drop=True), excluded


def _analyse(data: StudyData, frame: Rows, crisp: pd.DataFrame, negate: bool = False) -> qca.QcaResult:
    settings: QcaSettings = data.study.analysis.qca
    expectations = {c: e for c, (e, _) in directional_expectations(data, frame).items()}
    try:
        return qca.analyse(crisp, list(settings.conditions), settings.outcome, settings.consistency_threshold,
                           case_column=frame.id_column, n_cut=settings.frequency_cutoff,
                           directional_expectations=expectations, negate=negate,
                           source=f"{_study_file(data)}: analysis.qca")
    except qca.QcaError as error:
        raise _problem(_study_file(data), "analysis.qca", str(error).split(": ", 2)[-1]) from None


def _joined(result: qca.QcaResult, kind: str) -> str:
    return " | ".join(s["model"] + ": " + s["expression"] for s in result.solutions if s["type"] == kind)


def robustness(data: StudyData, frame: Rows) -> pd.DataFrame | None:
    """The solutions under every combination of the memberships study.yaml lists for uncertain values."""
    settings = data.study.analysis.qca
    if not settings.robustness:
        return None
    values = list(settings.robustness)
    out = []
    for choice in itertools.product(*(settings.robustness[v] for v in values)):
        calibration = {c: {value: (dict(zip(values, choice)).get(value, m)) for value, m in settings.calibration[c].items()}
                       for c in settings.conditions}
        label = ", ".join(f"{v} → {m}" for v, m in zip(values, choice))
        is_current = calibration == {c: dict(settings.calibration[c]) for c in settings.conditions}
        crisp, excluded = qca_input(data, frame, calibration)
        row = {"calibration": label, "in_use": is_current, "n": len(crisp), "excluded": len(excluded)}
        result = _analyse(data, frame, crisp) if len(crisp) else None
        if result is None or "parsimonious" in result.refused:
            refusal = "no rows" if result is None else result.refused["parsimonious"]
            row.update({"complex": _joined(result, "complex") if result else "", "intermediate": "",
                        "parsimonious": "", "consistency": None, "coverage": None, "note": refusal})
        else:
            first = next(s for s in result.solutions if s["type"] == "parsimonious")
            row.update({"complex": _joined(result, "complex"), "intermediate": _joined(result, "intermediate"),
                        "parsimonious": _joined(result, "parsimonious"), "consistency": first["consistency"],
                        "coverage": first["coverage"], "note": ""})
        out.append(row)
    return pd.DataFrame(out)


def run_qca(data: StudyData, units: pd.DataFrame | None = None, cases: pd.DataFrame | None = None) -> qca.QcaResult | None:
    """The QCA of study.yaml, or None when the study declares none. `units`, `cases`: the study's frames."""
    settings = data.study.analysis.qca
    if settings is None:
        return None
    frame = qca_rows(data, units, cases)
    crisp, excluded = qca_input(data, frame)
    if not len(crisp):
        raise _problem(_study_file(data), "analysis.qca", "the calibration leaves no row in the analysis")
    result = _analyse(data, frame, crisp)
    if settings.negated_outcome:
        result.negated = _analyse(data, frame, crisp, negate=True)
    result.calibration = calibration_table(data, frame)
    result.excluded = excluded
    result.robustness = robustness(data, frame)
    result.settings["over"] = frame.over
    return result
