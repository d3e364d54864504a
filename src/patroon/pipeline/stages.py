"""The pipeline stages with their file outputs. Each stage loads, computes with the pure modules, and
writes every output atomically (temporary file, then rename), so an interrupted run leaves no half file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from patroon.analysis import blocks, patterns, propositions, qca_study, source_counts, tables
from patroon.analysis.agreement import agreement_frames
from patroon.data import derive
from patroon.data.study_data import StudyData
from patroon.output.atomic import NO_GUARD, remove_orphans, write_json, write_text
from patroon.output.privacy import Guard


def write_csv(path: Path, frame: pd.DataFrame, index: bool = False, guard: Guard = NO_GUARD) -> None:
    """Every CSV goes through here: text cells a spreadsheet would run as formulas are neutralised."""
    from patroon.report.escape import spreadsheet_cell

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_cell)
    if index:
        safe.index = safe.index.map(spreadsheet_cell)
    safe.columns = [spreadsheet_cell(c) for c in safe.columns]
    write_text(path, safe.to_csv(index=index, lineterminator="\n"), guard)


def per_case_tables(data: StudyData, units: pd.DataFrame | None = None) -> list[tuple[str, str, pd.DataFrame]]:
    """(case id, table name, frame) for the tables each case chapter ends with: for studies with
    organisations their providers, the steering and the reactions; for studies of cases only, the coded
    values."""
    if data.organisation_kind() is None:
        return [(case_id, "coded", tables.steering_table(data, case_id, data.study.language))
                for case_id in data.cases]
    units = derive.unit_frame(data) if units is None else units
    units_of = {case_id: frame for case_id, frame in units.groupby("case_id", sort=False)}
    refs_of: dict[str, list[derive.UnitRef]] = {case_id: [] for case_id in data.cases}
    for ref in derive.unit_refs(data):
        refs_of.setdefault(ref.unit.case, []).append(ref)
    result = []
    for case_id in data.cases:
        refs = refs_of[case_id]
        rows = units_of.get(case_id, units.iloc[0:0])
        result.append((case_id, "aanbieders", tables.providers_table(data, refs)))
        result.append((case_id, "sturing", tables.steering_table(data, case_id, data.study.language)))
        result.append((case_id, "reacties", tables.reactions_table(data, rows, refs)))
    return result


def overview_frames(data: StudyData, units: pd.DataFrame | None = None,
                    cases: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """units.csv and cases.csv (from the frames given, else computed). A study without organisations: its
    case files are its units, so both hold the same rows (every case file with every coded value)."""
    if data.organisation_kind() is None:
        frame = tables.case_values_table(data)
        return {"units.csv": frame, "cases.csv": frame}
    units = derive.unit_frame(data) if units is None else units
    return {"units.csv": units, "cases.csv": derive.case_frame(data, units) if cases is None else cases}


def case_table_frames(data: StudyData) -> dict[str, pd.DataFrame]:
    """The tables stage's outputs in memory, keyed by path under results/<study>/: units.csv, cases.csv
    and the per-case tables under tables/."""
    frames = overview_frames(data)
    for case_id, name, frame in per_case_tables(data, frames["units.csv"]):
        frames[f"tables/{case_id}-{name}.csv"] = frame
    return frames


def workbook_case_sheets(data: StudyData, units: pd.DataFrame | None = None,
                         cases: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The tables stage's outputs as the workbook shows them: units, cases, and one sheet per kind of
    per-case table with the case in its first column (one filterable sheet instead of a sheet per case,
    which at 342 gemeenten would be a thousand sheets). Computed here rather than read from the tables
    stage's files, so the analysis need not wait for it."""
    sheets = overview_frames(data, units, cases)
    grouped: dict[str, list[pd.DataFrame]] = {}
    for case_id, name, frame in per_case_tables(data, sheets["units.csv"]):
        grouped.setdefault(name, []).append(frame.assign(case_id=case_id)[["case_id", *frame.columns]])
    for name, frames in grouped.items():
        # A key of its own: a block of the analysis may have the same name.
        sheets[f"per-case/{name}.csv"] = pd.concat(frames, ignore_index=True)
    return sheets


def run_tables(data: StudyData, out: Path, guard: Guard = NO_GUARD) -> list[Path]:
    """results/<study>/{cases,units}.csv and the per-case tables under tables/."""
    remove_orphans(out)  # what a killed run left behind
    written = []
    for name, frame in case_table_frames(data).items():
        write_csv(out / name, frame, guard=guard)
        written.append(out / name)
    return written


def _cell(value: object) -> object:
    """A value as a workbook cell: numbers stay numbers, missing is an empty cell, the rest is text."""
    if isinstance(value, (list, tuple, dict, set)):
        return str(value)
    if pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def workbook_bytes(frames: dict[str, tuple[pd.DataFrame, bool]]) -> bytes:
    """Every table of the study in one workbook, a sheet per table in the order of `frames` (the analysis
    passes units and cases, the per-case tables, then the cross-case ones), headers frozen. `frames` maps
    a CSV's path under results/<study>/ to its frame and whether its index is a column.

    XlsxWriter, not openpyxl: it writes the workbook in a tenth of the time (0.1 s against 0.9 s for
    sturing-jeugdhulp's 32 sheets), and every cell is written with its type named, so text from a case
    file that starts with '=' or looks like a URL stays text instead of becoming a formula or a link."""
    import datetime
    import io

    import xlsxwriter

    from patroon.output.reproducible import source_date_epoch

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False,
                                        "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True})
    epoch = source_date_epoch()
    if epoch is not None:
        book.set_properties({"created": datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)})
    used: set[str] = set()
    for name, (frame, index) in frames.items():
        if index:
            frame = frame.reset_index()
        # Sheet names: at most 31 characters, unique.
        sheet_name = Path(name).stem.replace("crosstab-", "")[:31]
        while sheet_name in used:
            sheet_name = sheet_name[:28] + f"~{len(used)}"
        used.add(sheet_name)
        sheet = book.add_worksheet(sheet_name)
        for col, column in enumerate(frame.columns):
            sheet.write_string(0, col, str(column), bold)
        for row_number, row in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(map(_cell, row)):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row_number, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row_number, col, value)
                else:
                    sheet.write_string(row_number, col, value)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def analysis_results(data: StudyData) -> dict:
    """All cross-case results in memory: the synthesis report and the files are made from this."""
    block_results = blocks.run_blocks(data)
    if data.organisation_kind() is None:
        return {"blocks": block_results, "case_values": tables.case_values_table(data),
                "propositions": propositions.evaluate(data), "qca": qca_study.run_qca(data)}
    units = derive.unit_frame(data)
    cases = derive.case_frame(data, units)
    order = patterns.cluster_order(data)
    crosstabs, author_checks = {}, {}
    for spec in data.study.analysis.crosstabs:
        columns = order if spec.columns == "cluster" else [g.id for g in spec.column_groups] or None
        crosstabs[spec.id] = patterns.crosstab(source_counts.grouped(units, spec), spec.rows, spec.columns, columns)
        if spec.author is not None:
            author_checks[spec.id] = source_counts.compare_with_author(crosstabs[spec.id], spec)
    qca_result = qca_study.run_qca(data, units, cases)
    return {
        "units": units,
        "cases": cases,
        "crosstabs": crosstabs,
        "crosstab_author_checks": author_checks,
        "profiles": patterns.profiles(data, units),
        "changes": patterns.changes(units),
        "steering_differences": patterns.steering_differences(data),
        "propositions": propositions.evaluate(data, units, cases),
        "qca": qca_result,
        "blocks": block_results,
    }


def run_analysis(data: StudyData, out: Path, guard: Guard = NO_GUARD) -> list[Path]:
    remove_orphans(out)  # what a killed run left behind
    results = analysis_results(data)
    written = []
    sheets = {name: (frame, False) for name, frame in
              workbook_case_sheets(data, results.get("units"), results.get("cases")).items()}

    def csv(name: str, frame: pd.DataFrame, index: bool = False) -> None:
        write_csv(out / name, frame, index, guard)
        written.append(out / name)
        sheets[name] = (frame, index)

    from patroon.data import qdc

    # Validity against the REFI-QDA schema is a property of the exporter, checked by the tests for every
    # real codebook (building the schema costs a second per run).
    write_text(out / "codebook.qdc", qdc.export(data.study.id, data.codebook, data.study.language), guard)
    written.append(out / "codebook.qdc")
    block_payload = []
    for block, result in zip(data.study.analysis.blocks, results["blocks"]):
        csv(f"tables/{block.id}.csv", result.table)
        if result.extra is not None:
            csv(f"tables/{block.output_file or block.id + '-samengevat.csv'}", result.extra)
        block_payload.append({"id": block.id, "type": block.type, "kind": block.kind,
                              "table": f"tables/{block.id}.csv", **result.summary})
    if results["propositions"]:
        csv("tables/proposities.csv", proposition_summary(results["propositions"]))
        for result in results["propositions"]:  # each proposition's table in the workbook only
            sheets[f"propositie/{result.id}.csv"] = (result.table, False)
    write_qca(results["qca"], csv, out, guard, written)
    if data.organisation_kind() is not None:
        for table_id, frame in results["crosstabs"].items():
            csv(f"tables/crosstab-{table_id}.csv", frame, index=True)
        csv("tables/profielen.csv", results["profiles"])
        csv("tables/veranderingen.csv", results["changes"])
        csv("tables/sturingsverschillen.csv", results["steering_differences"])
        csv("tables/sturingsvoorwaarden.csv", results["cases"][
            ["case_id", "name", "steering_conditions_met", "steering_conditions_partly", "steering_conditions_score",
             "steering_conditions_total", "conditions_met", "conditions_partly", "conditions_not_met", "share_volgen",
             "steering_adequate"]])
    workbook = out / f"{data.study.id}.xlsx"
    write_text(workbook, workbook_bytes(sheets), guard)
    written.append(workbook)
    payload = {"study": data.study.id}
    if "units" in results:
        payload["n_units"] = int(len(results["units"]))
    payload["n_cases"] = int(len(results["cases"])) if "cases" in results else len(data.cases)
    payload["propositions"] = [r.payload() for r in results["propositions"]]
    payload["blocks"] = block_payload
    write_json(out / "patterns.json", guard=guard, payload=payload)
    written.append(out / "patterns.json")
    return written




def proposition_summary(found: list) -> pd.DataFrame:
    """One row per proposition: its statistic, verdict and, where the source gives one, the author's."""
    return pd.DataFrame([{
        "id": r.id, "number": r.proposition.number, "label": r.proposition.label.nl, "over": r.proposition.over,
        "type": r.proposition.pattern.type, "statistic": r.observed.statistic, "value": r.observed.value,
        "n": r.observed.n, "verdict": r.verdict, "reason": r.observed.reason or "",
        "author_verdict": r.proposition.author.verdict if r.proposition.author else "",
        "agreement": r.agreement or "", "circular": r.proposition.circular or ""} for r in found])


def write_qca(result, csv, out: Path, guard: Guard, written: list[Path]) -> None:
    """qca/: truth table, necessity, calibration, robustness, the same for ~outcome, and every solution.
    Always the same files (empty where a setting is off): every output is declared to Snakemake, so the
    set may not depend on the data."""
    if result is None:
        return
    csv("qca/truth_table.csv", result.truth_table)
    csv("qca/necessity.csv", result.necessity)
    empty = pd.DataFrame()
    csv("qca/calibration.csv", result.calibration if result.calibration is not None else empty)
    csv("qca/robustness.csv", result.robustness if result.robustness is not None else empty)
    negated = result.negated
    csv("qca/truth_table_negated.csv", negated.truth_table if negated is not None else empty)
    csv("qca/necessity_negated.csv", negated.necessity if negated is not None else empty)
    solutions = result.solutions + (negated.solutions if negated is not None else [])
    write_json(out / "qca/solutions.json", solutions, guard)
    written.append(out / "qca/solutions.json")


def run_agreement(check, out: Path, guard: Guard = NO_GUARD) -> list[Path]:
    """results/<study>/agreement.csv (per variable) and agreement-verschillen.csv (every disagreement)."""
    per_variable, disagreements = agreement_frames(check)
    write_csv(out / "agreement.csv", per_variable, guard=guard)
    write_csv(out / "agreement-verschillen.csv", disagreements, guard=guard)
    return [out / "agreement.csv", out / "agreement-verschillen.csv"]
