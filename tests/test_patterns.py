import math

import pandas as pd
import pytest

from patroon.analysis import patterns, propositions
from patroon.analysis.propositions import types
from patroon.data import derive


@pytest.fixture(scope="module")
def results(mini):
    units = derive.unit_frame(mini)
    cases = derive.case_frame(mini)
    return mini, units, cases, {r.id: r.payload() for r in propositions.evaluate(mini, units, cases)}


def test_crosstab_has_totals_and_all_clusters(mini):
    units = derive.unit_frame(mini)
    table = patterns.crosstab(units, "age_class", "cluster", patterns.cluster_order(mini))
    assert table.loc["oud"].tolist() == [2, 1, 0, 3]
    assert table.loc["nieuw"].tolist() == [1, 0, 1, 2]
    assert table.loc["totaal"].tolist() == [3, 1, 1, 5]


def test_cramers_v_worked_by_hand(results):
    # case x cluster: a (2,0,0), b (1,1,0), c (0,0,1): chi2 = 6.667, V = sqrt(6.667 / (5 * 2)) = 0.8165
    _, _, _, found = results
    assert found["tussen"]["value"] == pytest.approx(math.sqrt(2 / 3), abs=1e-4)
    assert found["tussen"]["verdict"] == "bevestigd"


def test_within_cases(results):
    _, _, _, found = results
    assert found["binnen"]["meeting"] == ["b"]
    assert found["binnen"]["value"] == pytest.approx(1 / 3, abs=1e-4)
    assert found["binnen"]["verdict"] == "deels"


def test_steering_conditions_rank_order(results):
    _, _, _, found = results
    assert found["sturing"]["value"] == pytest.approx(1.0)
    assert found["sturing"]["breaking_order"] == []
    assert found["sturing"]["verdict"] == "bevestigd"


def test_prediction_confusion_and_deviants(results):
    _, _, _, found = results
    result = found["kenmerken"]
    assert result["value"] == pytest.approx(0.8)
    assert [d["unit_id"] for d in result["deviants"]] == ["org1-b"]
    assert result["confusion_matrix"]["niet-volgen"]["volgen"] == 1
    assert result["confusion_matrix"]["totaal"]["totaal"] == 5


def test_discordant_cases_are_named():
    from patroon.analysis.propositions.frames import Rows
    from patroon.analysis.propositions.measures import Context
    from patroon.data.models import Rank

    records = [{"case_id": c, "met": m, "share": s} for c, m, s in (("x", 3, 0.2), ("y", 2, 0.9), ("z", 1, 0.1))]
    ctx = Context(None, Rows("gemeente", "case_id", records), set())
    pattern = Rank.model_validate({"type": "rank", "x": {"column": "met"}, "y": {"column": "share"}})
    found = types.rank(ctx, records, pattern)
    assert found.details["discordant_pairs"] == [["x", "y"]]
    assert found.details["breaking_order"] == ["x", "y"]
    assert found.value == pytest.approx(0.5)  # ranks (3,2,1) vs (2,3,1): rho = 1 - 6*2/(3*8)


def test_profiles_count_of_and_deviants(mini):
    units = derive.unit_frame(mini)
    table = patterns.profiles(mini, units)
    willen_volgen = table[(table["variable"] == "willen") & (table["cluster"] == "volgen")].set_index("value")
    assert willen_volgen.loc["+", "of"] == "2 van 3"
    assert willen_volgen.loc["-", "deviant_units"] == "org1-b"


def test_changes(mini):
    changed = patterns.changes(derive.unit_frame(mini))
    assert changed[["unit_id", "from_cluster", "to_cluster", "cluster_path"]].values.tolist() == [
        ["org1-a", "niet-volgen", "volgen", "niet-volgen > volgen"]]


def test_a_unit_that_returns_to_its_first_cluster_counts_as_changed(mini):
    from patroon.data.models import Period

    org = mini.organisations["org2"]
    evidence = org.units[0].reaction[0].evidence
    periods = [Period(tactics=["conformeren"], evidence=evidence), Period(tactics=["negeren"], evidence=evidence),
               Period(tactics=["conformeren"], evidence=evidence), Period(tactics=["conformeren"], evidence=evidence)]
    unit = org.units[0].model_copy(update={"reaction": periods})
    altered = type(mini)(mini.root, mini.study, mini.codebook, mini.cases,
                         {**mini.organisations, "org2": org.model_copy(update={"units": [unit]})}, mini.files)
    row = patterns.changes(derive.unit_frame(altered)).set_index("unit_id").loc["org2"]
    # conformeren (volgen), negeren (niet-volgen), then twice conformeren: three steps, first == final.
    assert (row["from_cluster"], row["to_cluster"]) == ("volgen", "volgen")
    assert row["cluster_path"] == "volgen > niet-volgen > volgen"


def test_verdict_thresholds(mini):
    thresholds = mini.study.propositions[0].verdict
    assert propositions.verdict(0.5, thresholds) == "bevestigd"
    assert propositions.verdict(0.3, thresholds) == "deels"
    assert propositions.verdict(0.29, thresholds) == "verworpen"
    assert propositions.verdict(None, thresholds) == "niet-te-toetsen"


def test_analysis_writes_workbook_with_a_sheet_per_table(tmp_path, mini):
    from openpyxl import load_workbook

    from patroon.pipeline.stages import run_analysis

    out = tmp_path / "mini"
    # The analysis stage runs beside the tables stage: the workbook must not need its files.
    run_analysis(mini, out)
    assert not (out / "units.csv").exists()
    book = load_workbook(out / "mini.xlsx")
    # units and cases, then each kind of per-case table as one sheet with the case first, then the rest.
    assert book.sheetnames[:5] == ["units", "cases", "aanbieders", "sturing", "reacties"]
    assert {"cluster-naar-case", "profielen"} <= set(book.sheetnames)
    providers = book["aanbieders"]
    assert providers.cell(row=1, column=1).value == "case_id"
    assert {providers.cell(row=r, column=1).value for r in range(2, providers.max_row + 1)} <= set(mini.cases)
    assert providers.max_row == 1 + 5  # each of the five units under its own case
    sheet = book["units"]
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 6  # header + five units
    assert [c.value for c in sheet[1]][:3] == ["unit_id", "organisation_id", "case_id"]
    # Counts are numbers in the workbook, not text; the crosstab keeps its row labels as a column.
    crosstab = book["cluster-naar-case"]
    assert isinstance(crosstab.cell(row=2, column=2).value, int)
    assert crosstab.cell(row=1, column=1).value == "case_id"
    assert crosstab.cell(row=2, column=1).value in mini.cases


def test_synthesis_sentences_are_generated_in_the_report_language(mini):
    from patroon.pipeline.stages import analysis_results
    from patroon.report import proposition_text
    from patroon.report.reader import Reader

    results = analysis_results(mini)
    nl = {r.id: proposition_text.sentence(Reader.of(mini, "nl"), r) for r in results["propositions"]}
    en = {r.id: proposition_text.sentence(Reader.of(mini, "en"), r) for r in results["propositions"]}
    assert nl["kenmerken"].startswith("kenmerken: bevestigd. 4 van 5 zoals voorspeld (80%)")
    # Units and cases by their names, not their ids (org1-b, b); numbers in the locale's format.
    unit_name = next(u.name for u in mini.organisations["org1"].units if u.case == "b")
    assert f"{unit_name} (niet-volgen → volgen)" in nl["kenmerken"] and "org1-b" not in nl["kenmerken"]
    names = {c: mini.cases[c].name for c in "abc"}
    assert en["binnen"] == (f"within: partly confirmed. In 1 of 3 municipalities (33%): {names['b']}; "
                            f"not in {names['a']} and {names['c']}.")
    assert "Cramérs V = 0,82 tussen Gemeente en Cluster, over 5 eenheden" in nl["tussen"]
    assert "Cramér's V = 0.82 between Municipality and Cluster, over 5 units" in en["tussen"]
    # The order with its ties: a (2 conditions met) > b (1) > c (0).
    assert f"{names['a']} (2) > {names['b']} (1) > {names['c']} (0)" in nl["sturing"]


def test_workbook_keeps_case_text_inert():
    """Text from a case file that looks like a formula, a link or a number stays text in the workbook."""
    import io

    from openpyxl import load_workbook

    from patroon.pipeline.stages import workbook_bytes

    hostile = ["=HYPERLINK(\"http://example.org\",\"klik\")", "http://example.org", "0012", "@SUM(A1)"]
    frame = pd.DataFrame({"text": hostile, "n": [1, 2, 3, 4]})
    sheet = load_workbook(io.BytesIO(workbook_bytes({"units.csv": (frame, False)})))["units"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.value for c in cells] == hostile
    assert all(c.data_type == "s" and c.hyperlink is None for c in cells)
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == [1, 2, 3, 4]
