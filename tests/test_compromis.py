"""The author's own definitions on a hand-worked fixture (tests/fixtures/compromis, issue 29): a compromise
tactic has no fixed cluster, so a period it decides carries its judged cluster (§3.4); steering conditions
are met, partly met or not met; the tension per unit is coded, not derived; a cross-tab is set beside the
source's own counts. Every expected value below is worked out by hand from the fixture files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT

from patroon.data import derive
from patroon.data.load import load_study
from patroon.data.models import SteeringCondition
from patroon.pipeline.stages import analysis_results
from patroon.report.reader import Reader
from patroon.report.views.synthesis import author_counts_text


@pytest.fixture(scope="module")
def study():
    return load_study(FIXTURES / "compromis", base=ROOT)


@pytest.fixture(scope="module")
def results(study):
    return analysis_results(study)


@pytest.fixture()
def copy(tmp_path):
    target = tmp_path / "data" / "compromis"
    shutil.copytree(FIXTURES / "compromis", target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "patroon", "validate", "--data", "data", "--study", "compromis"],
                          cwd=root, capture_output=True, text=True)


def test_a_compromise_period_takes_the_cluster_judged_for_it(results):
    units = results["units"].set_index("unit_id")
    # bal: one period [balanceren] judged volgen -> volgen throughout.
    assert (units.loc["bal", "first_cluster"], units.loc["bal", "cluster"]) == ("volgen", "volgen")
    # pac: one period [pacificeren] judged niet-volgen -> niet-volgen (not fixed by the tactic: see wissel).
    assert (units.loc["pac", "first_cluster"], units.loc["pac", "cluster"]) == ("niet-volgen", "niet-volgen")
    # wissel: [conformeren] -> volgen, then [pacificeren] judged volgen: one step, no change of cluster
    # ("van volgen naar compromis" within volgen, as for 1 Jeugd).
    assert units.loc["wissel", "cluster_path"] == "volgen" and units.loc["wissel", "changed"] == "nee"
    # gemengd: [pacificeren, negeren], pacificeren first and judged niet-volgen; negeren is niet-volgen too,
    # so no dominant tactic is needed.
    assert units.loc["gemengd", "cluster"] == "niet-volgen"
    # neven: [uitdagen, balanceren], dominant uitdagen (niet-volgen); the compromise does not decide the
    # period, so it carries no cluster.
    assert units.loc["neven", "cluster"] == "niet-volgen"


def test_opposing_forces_is_the_coded_tension(results):
    units = results["units"].set_index("unit_id")
    # spanning as coded in the files: pac and wissel ja, the others nee (no profile groups to derive from).
    assert units["opposing_forces"].to_dict() == {"bal": "nee", "pac": "ja", "gemengd": "nee", "wissel": "ja",
                                                  "neven": "nee"}


def test_conditions_met_partly_met_and_scored(results):
    cases = results["cases"].set_index("case_id")
    # g1: ruimte voldoende (met); afdwingbaar + and afgedwongen + (met) -> 2 met, score 2.
    # g2: ruimte deels (partly); + and mixed: every part at least partly, not all met -> partly. 0 met,
    #     2 partly, score 0.5 + 0.5 = 1.
    # g3: ruimte te-veel (not met); mixed and '-': '-' meets no part -> not met. Score 0.
    assert cases.loc["g1", ["steering_conditions_met", "steering_conditions_partly", "steering_conditions_score"]].tolist() == [2, 0, 2.0]
    assert cases.loc["g2", ["steering_conditions_met", "steering_conditions_partly", "steering_conditions_score"]].tolist() == [0, 2, 1.0]
    assert cases.loc["g3", ["steering_conditions_met", "steering_conditions_partly", "steering_conditions_score"]].tolist() == [0, 0, 0.0]
    assert cases.loc["g2", "conditions_partly"] == "ruimte;regels" and cases.loc["g2", "conditions_not_met"] == ""
    assert cases.loc["g3", "conditions_not_met"] == "ruimte;regels"
    assert (cases["steering_conditions_total"] == 2).all()


def test_condition_status_needs_every_part_at_least_partly():
    condition = SteeringCondition.model_validate({
        "id": "c", "label": {"nl": "c", "en": "c"},
        "all_of": [{"variable": "x", "values": ["+"], "partly": ["mixed"]}, {"variable": "y", "values": ["+"]}]})
    assert derive.condition_status(condition, {"x": "+", "y": "+"}.get) == "met"
    assert derive.condition_status(condition, {"x": "mixed", "y": "+"}.get) == "partly"
    # y has no partly values: a mixed there meets nothing, so the conjunction is not met.
    assert derive.condition_status(condition, {"x": "+", "y": "mixed"}.get) == "not_met"


def test_the_cross_tab_is_set_beside_the_sources_counts(study, results):
    # age_class (cut-off 2000): bal 1990, wissel 1980, neven 1950 oud; pac 2005, gemengd 2010 nieuw.
    # Groups: dominant -> groot (bal, gemengd); kern, een-van -> beperkt (pac, wissel, neven).
    # oud: groot 1 (bal), beperkt 2 (wissel, neven); nieuw: groot 1 (gemengd), beperkt 1 (pac).
    table = results["crosstabs"]["selectie"]
    assert table.loc["oud", ["groot", "beperkt"]].tolist() == [1, 2]
    assert table.loc["nieuw", ["groot", "beperkt"]].tolist() == [1, 1]
    checks = results["crosstab_author_checks"]["selectie"]
    # The fixture's 'source' gives nieuw x beperkt = 2 where we derive 1: the only disagreement.
    differ = checks[~checks["agrees"]]
    assert differ[["row", "column", "author", "derived"]].values.tolist() == [["nieuw", "beperkt", 2, 1]]
    spec = study.study.analysis.crosstabs[0]
    text = author_counts_text(Reader.of(study, "nl"), spec, checks)
    assert text.startswith("Tabel 9.9 van de bron telt") and "Verschil in" in text and "beperkt aandeel" in text


def test_validate_refuses_a_compromise_period_without_its_cluster(copy):
    _edit(copy / "aanbieders" / "pac.yaml", lambda d: d["units"][0]["reaction"][0].pop("cluster"))
    result = _validate(copy.parent.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # The error names the line where the period starts in the rewritten file.
    line = next(i for i, text in enumerate((copy / "aanbieders" / "pac.yaml").read_text().splitlines(), 1)
                if text.strip().startswith("- tactics:"))
    assert (f"data/compromis/aanbieders/pac.yaml:{line}: units.0.reaction.0: 'pacificeren' decides this period "
            "and has no fixed cluster") in result.stderr


def test_validate_refuses_a_cluster_where_the_tactic_fixes_it(copy):
    _edit(copy / "aanbieders" / "neven.yaml", lambda d: d["units"][0]["reaction"][0].update(
        cluster={"value": "volgen", "evidence": [{"text": "x", "section": "1"}]}))
    result = _validate(copy.parent.parent)
    assert "units.0.reaction.0.cluster: only a period decided by a tactic without a fixed cluster takes " \
           "`cluster`; here 'uitdagen' fixes it at 'niet-volgen'" in result.stderr


def test_validate_refuses_a_cluster_the_tactic_cannot_take(copy):
    _edit(copy / "aanbieders" / "bal.yaml", lambda d: d["units"][0]["reaction"][0]["cluster"].update(value="niets-doen"))
    result = _validate(copy.parent.parent)
    assert "'niets-doen' is not a cluster 'balanceren' can take; expected volgen or niet-volgen" in result.stderr


def test_a_compromise_judged_volgen_beside_a_defiance_needs_a_dominant_tactic(copy):
    _edit(copy / "aanbieders" / "gemengd.yaml", lambda d: d["units"][0]["reaction"][0]["cluster"].update(value="volgen"))
    result = _validate(copy.parent.parent)
    assert "tactics fall in different clusters (niet-volgen, volgen); set dominant_tactic" in result.stderr


def test_the_codebook_gives_a_tactic_a_fixed_cluster_or_the_clusters_a_period_may_take(copy):
    def both(codebook):
        codebook["tactics"][3]["cluster"] = "volgen"  # balanceren: period_clusters as well

    _edit(copy / "codebook.yaml", both)
    assert "give either `cluster` (fixed) or `period_clusters`" in _validate(copy.parent.parent).stderr

    def neither(codebook):
        codebook["tactics"][3].pop("cluster")
        codebook["tactics"][3]["period_clusters"] = ["volgen"]

    _edit(copy / "codebook.yaml", neither)
    assert "needs `cluster`, or at least two `period_clusters`" in _validate(copy.parent.parent).stderr


def test_a_source_note_that_chooses_another_value_than_the_coded_one_is_refused(copy):
    _edit(copy / "aanbieders" / "pac.yaml", lambda d: d["units"][0].update(source_notes=[
        {"about": "aandeel", "readings": ["a", "b"], "choice": "dominant", "reason": "left behind"}]))
    result = _validate(copy.parent.parent)
    assert "source_notes.0.choice: chooses 'dominant' for aandeel, but the coded value is 'kern'" in result.stderr
    # A choice in words is not a code: no complaint.
    _edit(copy / "aanbieders" / "pac.yaml", lambda d: d["units"][0]["source_notes"][0].update(choice="kern, met twijfel"))
    assert _validate(copy.parent.parent).returncode == 0


def test_a_partly_value_must_be_a_code_and_not_also_a_full_one(copy):
    def overlap(study):
        study["analysis"]["steering_conditions"][0]["all_of"][0]["partly"] = ["voldoende", "half"]

    _edit(copy / "study.yaml", overlap)
    result = _validate(copy.parent.parent)
    assert "half not allowed for 'ruimte'" in result.stderr
    assert "voldoende cannot both meet the requirement and meet it in part" in result.stderr
